//! Indicators, their targets, phases and measurements.

use super::*;

/// A baseline or target as published (`raw`) and what could be read from
/// it: `<=10` → comparator LE, number 10.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(serial)]
pub struct Measure {
    /// The text as published, e.g. `1200 (con presenza di 6054 MSNA …)`.
    pub raw: String,
    /// The comparator written before the number, if any.
    pub comparator: Option<Comparator>,
    /// The number read from the text, exact.
    pub number: Option<Decimal>,
    /// The unit read from the text, if any.
    pub unit: Option<Unit>,
    /// The rest of the text, e.g. `con presenza di 6054 MSNA …`.
    pub note: Option<String>,
}

impl From<cruscotto_model::Measure> for Measure {
    fn from(m: cruscotto_model::Measure) -> Self {
        Measure {
            raw: m.raw,
            comparator: m.comparator.map(Comparator::from),
            number: m.number.map(Decimal),
            unit: m.unit.map(Unit::from),
            note: m.note,
        }
    }
}

/// Which calculator computes an indicator.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct CalculatorBinding {
    /// The calculator's key.
    pub calculator: String,
    /// Its parameters, as a JSON object in text.
    pub params: String,
    /// Whether the importer guessed the binding from the method text.
    pub guessed: bool,
}

#[ComplexObject]
impl CalculatorBinding {
    /// The bound calculator as the service serves it now; null when no
    /// loaded calculator has the id (computing would fail).
    async fn loaded(&self, ctx: &Context<'_>) -> ApiResult<Option<Calculator>> {
        Ok(state(ctx)?
            .calculators
            .get(&self.calculator)
            .map(|c| Calculator::from(c.descriptor().clone())))
    }
}

/// An indicator of an objective, with baseline, yearly targets and
/// measured values.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Indicator {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub objective_id: i32,
    #[graphql(skip)]
    unit: Unit,
    #[graphql(skip)]
    direction: Direction,
    /// The indicator's code within its objective, e.g. `1`.
    pub code: String,
    /// What the indicator measures.
    pub description: String,
    /// The *metodo di calcolo* as written.
    pub method: String,
    /// The *Tipo* column, e.g. `Efficienza`.
    pub kind: String,
    /// The baseline, when the sheet gives one.
    pub baseline: Option<Measure>,
    /// The calculator bound to the indicator, if any.
    pub calculator: Option<CalculatorBinding>,
    /// Fields a revision amended.
    pub amended_fields: Vec<String>,
    /// Incremented by every change of the indicator or its targets; pass it
    /// as `expectedVersion` to change them.
    pub version: i32,
}

impl From<rows::Indicator> for Indicator {
    fn from(r: rows::Indicator) -> Self {
        Indicator {
            db_id: r.id,
            objective_id: r.objective_id,
            unit: r.unit.into(),
            direction: r.direction.into(),
            code: r.code,
            description: r.description,
            method: r.method,
            kind: r.kind,
            baseline: r.baseline_raw.map(|raw| {
                Measure::from(rows::measure(
                    raw,
                    r.baseline_comparator,
                    r.baseline_number,
                    r.baseline_unit,
                    r.baseline_note,
                ))
            }),
            calculator: r.calculator_id.map(|calculator| CalculatorBinding {
                calculator,
                params: r.calculator_params.unwrap_or_else(|| "{}".into()),
                guessed: r.calculator_guessed,
            }),
            amended_fields: json_list(&r.amended_fields),
            version: r.version,
        }
    }
}

complex_object! {
    impl Indicator {
        /// The indicator's global id.
        id;

        /// Unit of the indicator's values.
        async fn unit(&self) -> Unit {
            self.unit
        }

        /// Whether a higher or a lower value is better.
        async fn direction(&self) -> Direction {
            self.direction
        }

        /// Whether a revision amended any field of the indicator.
        async fn amended(&self) -> bool {
            !self.amended_fields.is_empty()
        }

        /// The objective the indicator belongs to.
        parent objective: Objective = ObjectiveById(objective_id);

        /// The yearly targets, by year.
        list targets: Target = TargetsOfIndicator;

        /// Measured values whose period lies between `from` and `to` (both
        /// optional, inclusive), by period.
        async fn measurements(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "Only periods starting on or after this date.")] from: Option<Date>,
            #[graphql(desc = "Only periods ending on or before this date.")] to: Option<Date>,
            #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
            #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
            after: Option<ID>,
        ) -> ApiResult<Arc<[Measurement]>> {
            many_after(
                ctx,
                MeasurementsOf(self.db_id, from.map(|d| d.0), to.map(|d| d.0)),
                first,
                after,
            )
            .await
        }

        /// The measured value of the latest period (for equal ends, the
        /// shortest period).
        async fn latest_measurement(&self, ctx: &Context<'_>) -> ApiResult<Option<Measurement>> {
            maybe(ctx, LatestMeasurement(self.db_id)).await
        }

        /// The latest computed value for a period, with its provenance; null
        /// when it was never computed (see `computeIndicator`).
        async fn value(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "A year (`2020`), a quarter (`2020-Q1`) or a month (`2020-03`).")]
            period: String,
        ) -> ApiResult<Option<IndicatorValue>> {
            let period = calc::period_arg("period", &period)?;
            maybe(ctx, LatestValueOf(self.db_id, period.to_string())).await
        }

        /// Every value computed for the indicator, newest first: the history of
        /// its computations, also those whose inputs have since changed.
        async fn values(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "Only values of this period (`2020`, `2020-Q1`, `2020-03`).")]
            period: Option<String>,
        ) -> ApiResult<Arc<[IndicatorValue]>> {
            let period = period
                .map(|p| calc::period_arg("period", &p).map(|p| p.to_string()))
                .transpose()?;
            many(ctx, ValuesOf(self.db_id, period)).await
        }

        /// The latest value computed for a year against that year's target:
        /// degree, status and what they rest on.
        async fn achievement(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "The year judged, e.g. 2020.")] year: i32,
        ) -> ApiResult<IndicatorAchievement> {
            let year = calc::year_arg(year)?;
            one(ctx, IndicatorAchievementOf(self.db_id, year)).await
        }

        /// Where the indicator was written in its source document.
        async fn source(&self, ctx: &Context<'_>) -> ApiResult<Option<SourceLocation>> {
            let objective: Objective = one(ctx, ObjectiveById(self.objective_id)).await?;
            let code = format!("{}/{}", objective.code, self.code);
            source_of(ctx, objective.plan_id, "indicator", code).await
        }

        /// Import findings about this indicator.
        async fn findings(&self, ctx: &Context<'_>) -> ApiResult<Arc<[Finding]>> {
            let objective: Objective = one(ctx, ObjectiveById(self.objective_id)).await?;
            many(
                ctx,
                FindingsAbout(
                    objective.plan_id,
                    "indicator".into(),
                    format!("{}/{}", objective.code, self.code),
                ),
            )
            .await
        }
    }
}

/// A yearly target of an indicator.
#[derive(Debug, Clone, SimpleObject)]
// Serial: only one of its fields waits for a loader, so resolving them one
// after the other loses no batching and saves the concurrent machinery
// async-graphql spends per field (thousands of these in a large tree).
#[graphql(complex, serial)]
pub struct Target {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub indicator_id: i32,
    /// The year the target is for.
    pub year: i32,
    /// The target as published and as read.
    pub value: Measure,
    /// Whether a revision amended the target.
    pub amended: bool,
}

impl From<rows::Target> for Target {
    fn from(r: rows::Target) -> Self {
        Target {
            db_id: r.id,
            indicator_id: r.indicator_id,
            year: r.year,
            value: rows::measure(r.raw, r.comparator, r.number, r.unit, r.note).into(),
            amended: r.amended,
        }
    }
}

complex_object! {
    impl Target {
        /// The target's global id.
        id;

        /// The indicator the target belongs to.
        parent indicator: Indicator = IndicatorById(indicator_id);

        /// Where the target was written in its source document.
        async fn source(&self, ctx: &Context<'_>) -> ApiResult<Option<SourceLocation>> {
            let indicator: Indicator = one(ctx, IndicatorById(self.indicator_id)).await?;
            let objective: Objective = one(ctx, ObjectiveById(indicator.objective_id)).await?;
            let code = format!("{}/{}/{}", objective.code, indicator.code, self.year);
            source_of(ctx, objective.plan_id, "target", code).await
        }
    }
}

/// A weighted phase of an objective (*fase*).
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Phase {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub objective_id: i32,
    /// The phase's code, e.g. `A.1.3`.
    pub code: String,
    /// What the phase does.
    pub description: String,
    /// *Inizio*.
    pub start_date: Option<Date>,
    /// *Termine*.
    pub end_date: Option<Date>,
    /// *Risultato atteso*.
    pub expected_result: String,
    /// Weight in percent of the objective (0 to 100, two decimals at most).
    pub weight: Option<Decimal>,
    /// Fields a revision amended.
    pub amended_fields: Vec<String>,
}

impl From<rows::Phase> for Phase {
    fn from(r: rows::Phase) -> Self {
        Phase {
            db_id: r.id,
            objective_id: r.objective_id,
            code: r.code,
            description: r.description,
            start_date: r.start_date.map(Date),
            end_date: r.end_date.map(Date),
            expected_result: r.expected_result,
            weight: r
                .weight_bp
                .map(|bp| Decimal(rust_decimal::Decimal::new(i64::from(bp), 2).normalize())),
            amended_fields: json_list(&r.amended_fields),
        }
    }
}

complex_object! {
    impl Phase {
        /// The phase's global id.
        id;

        /// Where the phase was written in its source document.
        async fn source(&self, ctx: &Context<'_>) -> ApiResult<Option<SourceLocation>> {
            let objective: Objective = one(ctx, ObjectiveById(self.objective_id)).await?;
            source_of(ctx, objective.plan_id, "phase", self.code.clone()).await
        }

        /// Whether a revision amended (or added) the phase.
        async fn amended(&self) -> bool {
            !self.amended_fields.is_empty()
        }

        /// The objective the phase belongs to.
        parent objective: Objective = ObjectiveById(objective_id);

        /// Import findings about this phase.
        async fn findings(&self, ctx: &Context<'_>) -> ApiResult<Arc<[Finding]>> {
            let objective: Objective = one(ctx, ObjectiveById(self.objective_id)).await?;
            many(
                ctx,
                FindingsAbout(objective.plan_id, "phase".into(), self.code.clone()),
            )
            .await
        }
    }
}

/// A measured value of an indicator for a period.
#[derive(Debug, Clone, SimpleObject)]
// Serial: only one of its fields waits for a loader, so resolving them one
// after the other loses no batching and saves the concurrent machinery
// async-graphql spends per field (thousands of these in a large tree).
#[graphql(complex, serial)]
pub struct Measurement {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub indicator_id: i32,
    /// The period: a year (`2020`), a quarter (`2020-Q1`) or a month
    /// (`2020-03`).
    pub period: String,
    /// First day of the period.
    pub period_start: Date,
    /// Last day of the period.
    pub period_end: Date,
    /// The value, exact.
    pub value: Option<Decimal>,
    /// The numerator the value was computed from, when kept (a year's
    /// value is re-aggregated from these, not averaged).
    pub numerator: Option<Decimal>,
    /// The denominator the value was computed from, when kept.
    pub denominator: Option<Decimal>,
    /// Where the value comes from.
    pub source: String,
    /// Who recorded the value.
    pub recorded_by: String,
    /// When the value was recorded (UTC).
    pub recorded_at: DateTime,
}

impl From<rows::Measurement> for Measurement {
    fn from(r: rows::Measurement) -> Self {
        Measurement {
            db_id: r.id,
            indicator_id: r.indicator_id,
            period: r.period,
            period_start: Date(r.period_start),
            period_end: Date(r.period_end),
            value: Some(r.value.into()),
            numerator: r.numerator.map(Decimal::from),
            denominator: r.denominator.map(Decimal::from),
            source: r.source,
            recorded_by: r.recorded_by,
            recorded_at: DateTime(r.recorded_at),
        }
    }
}

complex_object! {
    impl Measurement {
        /// The measurement's global id.
        id;

        /// The indicator measured.
        parent indicator: Indicator = IndicatorById(indicator_id);
    }
}
