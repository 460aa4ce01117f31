//! Strategic, annual and individual objectives.

use super::*;

/// A strategic objective (*obiettivo specifico*, three-year) of a plan.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct StrategicObjective {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub plan_id: i32,
    /// The code the sheets give it, e.g. `4`.
    pub code: String,
    /// Its title, as first worded in the plan.
    pub title: String,
}

impl From<rows::StrategicObjective> for StrategicObjective {
    fn from(r: rows::StrategicObjective) -> Self {
        StrategicObjective {
            db_id: r.id,
            plan_id: r.plan_id,
            code: r.code,
            title: r.title,
        }
    }
}

complex_object! {
    impl StrategicObjective {
        /// The strategic objective's global id.
        id;

        /// The plan it belongs to.
        parent plan: Plan = PlanById(plan_id);

        /// The individual objectives linked to it, in document order.
        list objectives: Objective = ObjectivesOfStrategic;

        /// The annual objectives under it, by code.
        list annual_objectives: AnnualObjective = AnnualOfStrategic;
    }
}

/// An annual objective (*obiettivo annuale*) of a plan, e.g. `4.1`.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct AnnualObjective {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub plan_id: i32,
    #[graphql(skip)]
    pub strategic_id: Option<i32>,
    /// The code the sheets give it, e.g. `4.1`.
    pub code: String,
    /// Its title, as first worded in the plan.
    pub title: String,
}

impl From<rows::AnnualObjective> for AnnualObjective {
    fn from(r: rows::AnnualObjective) -> Self {
        AnnualObjective {
            db_id: r.id,
            plan_id: r.plan_id,
            strategic_id: r.strategic_objective_id,
            code: r.code,
            title: r.title,
        }
    }
}

complex_object! {
    impl AnnualObjective {
        /// The annual objective's global id.
        id;

        /// The plan it belongs to.
        parent plan: Plan = PlanById(plan_id);

        /// The strategic objective it serves, when the plan names it.
        async fn strategic_objective(
            &self,
            ctx: &Context<'_>,
        ) -> ApiResult<Option<StrategicObjective>> {
            match self.strategic_id {
                Some(id) => maybe(ctx, StrategicById(id)).await,
                None => Ok(None),
            }
        }

        /// The individual objectives linked to it, in document order.
        list objectives: Objective = ObjectivesOfAnnual;
    }
}

// ---- objectives -----------------------------------------------------------

/// `50/70`: the objective weighs up to 50 of the head's 70 points.
#[derive(Debug, Clone, SimpleObject)]
pub struct MaxScore {
    /// Points the objective is worth at most.
    pub points: i32,
    /// Points of the head's whole evaluation.
    pub out_of: i32,
}

/// An individual annual objective (*obiettivo individuale annuale*) of a
/// responsibility centre, with indicators and weighted phases.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Objective {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub plan_id: i32,
    #[graphql(skip)]
    pub centre_id: i32,
    /// The objective's code, unique in its plan, e.g. `A.1`.
    pub code: String,
    /// The year the objective is for.
    pub year: i32,
    /// *Denominazione*.
    pub title: String,
    /// *Descrizione*, rich text as published (may contain `<p>`, `<ul>`,
    /// `<i>`).
    pub description: String,
    /// The offices line as written.
    pub offices_text: String,
    /// The strategic objective line as written (it may be a placeholder).
    pub strategic_objectives_text: String,
    /// The annual objective line as written (it may be a placeholder).
    pub annual_objectives_text: String,
    /// Other internal offices involved, as written.
    pub other_offices: String,
    /// External bodies involved, as written.
    pub external_bodies: String,
    /// *Data di inizio*.
    pub start_date: Option<Date>,
    /// *Data di completamento*.
    pub end_date: Option<Date>,
    /// The objective's weight in the head's evaluation.
    pub max_score: Option<MaxScore>,
    /// Fields a revision amended (marked `<i>…</i>` in the document).
    pub amended_fields: Vec<String>,
    /// Notes printed after the sheet.
    pub notes: Vec<String>,
    /// Incremented by every change of the objective or its phases; pass it
    /// as `expectedVersion` to change them.
    pub version: i32,
}

impl From<rows::Objective> for Objective {
    fn from(r: rows::Objective) -> Self {
        Objective {
            db_id: r.id,
            plan_id: r.plan_id,
            centre_id: r.responsibility_centre_id,
            code: r.code,
            year: r.year,
            title: r.title,
            description: r.description,
            offices_text: r.offices_text,
            strategic_objectives_text: r.strategic_objectives_text,
            annual_objectives_text: r.annual_objectives_text,
            other_offices: r.other_offices,
            external_bodies: r.external_bodies,
            start_date: r.start_date.map(Date),
            end_date: r.end_date.map(Date),
            max_score: match (r.max_score_points, r.max_score_out_of) {
                (Some(points), Some(out_of)) => Some(MaxScore { points, out_of }),
                _ => None,
            },
            amended_fields: json_list(&r.amended_fields),
            notes: json_list(&r.notes),
            version: r.version,
        }
    }
}

complex_object! {
    impl Objective {
        /// The objective's global id.
        id;

        /// Whether a revision amended any field of the objective.
        async fn amended(&self) -> bool {
            !self.amended_fields.is_empty()
        }

        /// The plan the objective belongs to.
        parent plan: Plan = PlanById(plan_id);

        /// The responsibility centre owning the objective.
        parent responsibility_centre: ResponsibilityCentre = CentreById(centre_id);

        /// The offices doing the work, in sheet order.
        list offices: Office = OfficesOfObjective;

        /// The strategic objectives the objective serves, in sheet order.
        list strategic_objectives: StrategicObjective = StrategicOfObjective;

        /// The annual objectives the objective serves, in sheet order.
        list annual_objectives: AnnualObjective = AnnualOfObjective;

        /// The budget lines financing the objective, in sheet order.
        async fn budget(&self, ctx: &Context<'_>) -> ApiResult<Arc<[BudgetLink]>> {
            many(ctx, BudgetOfObjective(self.db_id)).await
        }

        /// The objective's indicators, in sheet order.
        list indicators: Indicator = IndicatorsOfObjective;

        /// The objective's phases, in sheet order.
        list phases: Phase = PhasesOfObjective;

        /// Sum of the phase weights in percent (a plan expects 100); phases
        /// without a weight count as zero.
        async fn phase_weight_sum(&self, ctx: &Context<'_>) -> ApiResult<Decimal> {
            let phases: Arc<[Phase]> = many(ctx, PhasesOfObjective(self.db_id)).await?;
            Ok(Decimal(
                phases.iter().filter_map(|p| p.weight.map(|w| w.0)).sum(),
            ))
        }

        /// Where the objective was written in its source document.
        async fn source(&self, ctx: &Context<'_>) -> ApiResult<Option<SourceLocation>> {
            source_of(ctx, self.plan_id, "objective", self.code.clone()).await
        }

        /// Import findings about this objective.
        async fn findings(&self, ctx: &Context<'_>) -> ApiResult<Arc<[Finding]>> {
            many(
                ctx,
                FindingsAbout(self.plan_id, "objective".into(), self.code.clone()),
            )
            .await
        }

        /// The objective's achievement and score for a year: the mean degree
        /// of its indicators that have a value for the year or, when none has,
        /// the weighted completion of its phases; the score is the degree ×
        /// its maximum points.
        async fn achievement(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "The year judged, e.g. 2020.")] year: i32,
        ) -> ApiResult<ObjectiveAchievement> {
            let year = calc::year_arg(year)?;
            one(ctx, ObjectiveAchievementOf(self.db_id, year)).await
        }
    }
}
