//! Plans.

use super::*;

/// A performance plan: a set of individual annual objective sheets of one
/// administration, or a multi-year plan of areas and ambiti.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Plan {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    kind: PlanKind,
    /// The plan's code: its identity; importing a document with the same
    /// code updates the plan in place.
    pub code: String,
    /// The publishing administration, when known.
    pub administration: Option<String>,
    /// Title of the plan.
    pub title: String,
    /// First year the plan covers.
    pub first_year: i32,
    /// Last year the plan covers.
    pub last_year: i32,
    /// Notes of the document that belong to no object.
    pub notes: Vec<String>,
    /// Name of the file the plan was last imported from.
    pub source_file: Option<String>,
    /// When the plan was last imported or created.
    pub imported_at: DateTime,
    /// Incremented by every change of the plan; pass it as
    /// `expectedVersion` to update the plan.
    pub version: i32,
}

impl From<rows::Plan> for Plan {
    fn from(r: rows::Plan) -> Self {
        Plan {
            db_id: r.id,
            kind: r.kind.into(),
            code: r.code,
            administration: r.administration,
            title: r.title,
            first_year: r.first_year,
            last_year: r.last_year,
            notes: json_list(&r.notes),
            source_file: r.source_file,
            imported_at: DateTime(r.imported_at),
            version: r.version,
        }
    }
}

complex_object! {
    impl Plan {
        /// The plan's global id.
        id;

        /// Which published shape the plan has.
        async fn kind(&self) -> PlanKind {
            self.kind
        }

        /// The plan's individual annual objectives, filtered and paged.
        #[allow(clippy::too_many_arguments)]
        async fn objectives(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "Only objectives of this year.")] year: Option<i32>,
            #[graphql(desc = "Only objectives of this responsibility centre (its id).")]
            responsibility_centre: Option<ID>,
            #[graphql(desc = "Only objectives financed by this mission (its code, e.g. `26`).")]
            mission: Option<String>,
            #[graphql(desc = "Only objectives financed by this program (its code, e.g. `26.7`).")]
            program: Option<String>,
            #[graphql(desc = "Case-insensitive text in code, title or description.")] search: Option<
                String,
            >,
            #[graphql(desc = "Sort order (default: document order).", default)]
            order_by: ObjectiveOrder,
            #[graphql(desc = "Items after the cursor `after`, at most this many.")] first: Option<i32>,
            #[graphql(desc = "Cursor of the item to continue after.")] after: Option<String>,
            #[graphql(desc = "Items before the cursor `before`, at most this many, from the end.")]
            last: Option<i32>,
            #[graphql(desc = "Cursor of the item to continue before.")] before: Option<String>,
        ) -> ApiResult<ObjectiveConnection> {
            let filter = ObjectiveArgs {
                year,
                responsibility_centre,
                mission,
                program,
                search,
                ..Default::default()
            }
            .filter()?;
            objectives_of(
                ctx,
                ObjectiveParent::Plan,
                self.db_id,
                filter,
                order_by,
                PageArgs {
                    first,
                    after,
                    last,
                    before,
                },
            )
            .await
        }

        /// The responsibility centres (CDR) of the plan, by name.
        list responsibility_centres: ResponsibilityCentre = CentresOfPlan;

        /// The strategic objectives (*obiettivi specifici*) of the plan, by code.
        list strategic_objectives: StrategicObjective = StrategicOfPlan;

        /// The annual objectives (*obiettivi annuali*) of the plan, by code.
        list annual_objectives: AnnualObjective = AnnualOfPlan;

        /// The areas of a multi-year plan, in document order.
        list areas: Area = AreasOfPlan;

        /// Content problems found when the plan was imported, in document order.
        list findings: Finding = FindingsOfPlan;
    }
}
