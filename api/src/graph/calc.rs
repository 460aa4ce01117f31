//! Indicator calculators in the graph: the calculators the service serves
//! and the plugins that failed to load, computed values with their
//! provenance, achievement against targets, and the mutations that bind,
//! import, compute, record phase progress and reload plugins.
//!
//! Computations run on a blocking thread (a plugin may take up to the
//! configured timeout, and reading a plan's payments is heavy), never on
//! the async executor. Reads that hang off list items (an indicator's
//! value, history or achievement; an objective's achievement) go through
//! the request's DataLoader, so a list of any length costs a fixed number
//! of statements.

use async_graphql::{ComplexObject, Context, Enum, Json, Object, SimpleObject, ID};
use cruscotto_calculators::achievement::{Comparator as CalcComparator, Status};
use cruscotto_calculators::{self as calculators, LoadError, Period, ResultStatus};
use cruscotto_engine::{
    AchievementBasis, AchievementView, Engine, ObjectiveAchievementView, StoredValue,
};
use cruscotto_store::calc::PaymentImportSummary;
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value;

use super::ids;
use super::loaders::{IndicatorById, ObjectiveById, PhaseById, PlanByCode};
use super::scalars::{DateTime, Decimal};
use super::types::{maybe, one, state, Direction, Indicator, MaxScore, Objective, Phase, Plan};
use crate::auth::{self, Role, RoleGuard};
use crate::errors::{ApiError, ApiResult};

// ---- argument checks ------------------------------------------------------

/// A period argument (`2020`, `2020-Q1`, `2020-03`), or `BAD_USER_INPUT`
/// naming `field`.
pub(crate) fn period_arg(field: &str, text: &str) -> ApiResult<Period> {
    text.trim()
        .parse::<Period>()
        .map_err(|e| ApiError::bad_input(field, e.to_string()))
}

/// A year argument within the years periods can have.
pub(crate) fn year_arg(year: i32) -> ApiResult<i32> {
    Period::year(year)
        .map(|p| p.year_number())
        .map_err(|_| ApiError::bad_input("year", "the year must be between 1900 and 2199"))
}

/// The parameters of a binding: a JSON object whose keys the calculator
/// declares, each of the declared kind (or null for its default). A string
/// holding a JSON object is accepted too, since clients often send JSON as
/// text. Absent or null means the calculator's defaults.
fn check_params(descriptor: &calculators::Descriptor, params: Option<Value>) -> ApiResult<Value> {
    let params = match params {
        None | Some(Value::Null) => return Ok(serde_json::json!({})),
        Some(Value::String(text)) => serde_json::from_str::<Value>(&text)
            .map_err(|e| ApiError::bad_input("params", format!("params is not valid JSON: {e}")))?,
        Some(v) => v,
    };
    let Value::Object(map) = &params else {
        return Err(ApiError::bad_input(
            "params",
            format!("params must be a JSON object such as {{\"default_term_days\": 60}}, found {params}"),
        ));
    };
    for (name, value) in map {
        let Some(spec) = descriptor.params.iter().find(|p| &p.name == name) else {
            let accepted: Vec<&str> = descriptor.params.iter().map(|p| p.name.as_str()).collect();
            return Err(ApiError::bad_input(
                "params",
                format!(
                    "calculator {} has no parameter \"{name}\" (its parameters: {})",
                    descriptor.id,
                    if accepted.is_empty() {
                        "none".to_string()
                    } else {
                        accepted.join(", ")
                    }
                ),
            ));
        };
        let fits = match spec.kind.as_str() {
            _ if value.is_null() => true,
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "string" => value.is_string(),
            // A kind this host does not know: the calculator checks it.
            _ => true,
        };
        if !fits {
            return Err(ApiError::bad_input(
                "params",
                format!(
                    "parameter \"{name}\" must be of kind {}, found {value}",
                    spec.kind
                ),
            ));
        }
    }
    Ok(params)
}

// ---- calculators ----------------------------------------------------------

/// Unit of a calculator's values.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalculatorUnit {
    /// Calendar days.
    Days,
    /// A percentage (0-100; may exceed 100).
    Percent,
    /// A pure ratio.
    Ratio,
    /// A count of things.
    Count,
    /// A plain number (a sum of heterogeneous quantities).
    Number,
}

/// How the results of sub-periods combine into a longer period's.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    /// Sum the numerators and the denominators, then divide: a year is never
    /// the mean of its quarters.
    Ratio,
    /// Sum the values.
    Sum,
    /// Not combinable: computed again over the longer period.
    Recompute,
}

/// The shape of an input a calculator reads.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// The invoice payments of the indicator's plan (`importPayments`).
    Payments,
    /// A dated series from the indicator's measurements (`recordMeasurement`).
    Series,
    /// The weights and completion of the objective's phases (`recordPhaseProgress`).
    Phases,
}

/// One input a calculator reads.
#[derive(Debug, Clone, SimpleObject)]
pub struct CalculatorInput {
    /// The input's name; for series, the measurement column it reads.
    pub name: String,
    /// Its shape.
    pub kind: InputKind,
    /// What it holds.
    pub description: String,
}

/// One parameter a calculator accepts in its binding's `params`.
#[derive(Debug, Clone, SimpleObject)]
pub struct CalculatorParam {
    /// The key in the params object.
    pub name: String,
    /// JSON kind: `integer`, `number`, `boolean` or `string`.
    pub kind: String,
    /// The value used when the parameter is absent.
    #[graphql(name = "default")]
    pub default_value: Json<Value>,
    /// What the parameter changes.
    pub description: String,
}

/// A calculation method, built in or loaded from a plugin library.
#[derive(Debug, Clone, SimpleObject)]
pub struct Calculator {
    /// Globally unique id (opaque, as every `id` of the schema).
    pub id: ID,
    /// Stable key to bind indicators to, e.g. `payment_timeliness`.
    pub key: String,
    /// Version, `major.minor.patch`; stored with every value it computes.
    pub version: String,
    /// What the method computes, in one sentence.
    pub description: String,
    /// The inputs it reads.
    pub inputs: Vec<CalculatorInput>,
    /// The parameters it accepts.
    pub params: Vec<CalculatorParam>,
    /// Unit of its values.
    pub unit: CalculatorUnit,
    /// Whether a higher or a lower value is better.
    pub direction: Direction,
    /// How results of sub-periods combine.
    pub aggregation: Aggregation,
    /// `builtin`, or the path of the plugin library it was loaded from.
    pub source: String,
    /// Whether it is compiled into the service.
    pub builtin: bool,
}

impl From<calculators::Descriptor> for Calculator {
    fn from(d: calculators::Descriptor) -> Self {
        Calculator {
            builtin: d.source == calculators::Source::Builtin,
            source: d.source.to_string(),
            id: ids::encode_key("Calculator", &d.id),
            key: d.id,
            version: d.version,
            description: d.description,
            inputs: d
                .inputs
                .into_iter()
                .map(|i| CalculatorInput {
                    name: i.name,
                    kind: match i.kind {
                        calculators::InputKind::Payments => InputKind::Payments,
                        calculators::InputKind::Series => InputKind::Series,
                        calculators::InputKind::Phases => InputKind::Phases,
                    },
                    description: i.description,
                })
                .collect(),
            params: d
                .params
                .into_iter()
                .map(|p| CalculatorParam {
                    name: p.name,
                    kind: p.kind,
                    default_value: Json(p.default),
                    description: p.description,
                })
                .collect(),
            unit: match d.unit {
                calculators::Unit::Days => CalculatorUnit::Days,
                calculators::Unit::Percent => CalculatorUnit::Percent,
                calculators::Unit::Ratio => CalculatorUnit::Ratio,
                calculators::Unit::Count => CalculatorUnit::Count,
                calculators::Unit::Number => CalculatorUnit::Number,
            },
            direction: d.direction.into(),
            aggregation: match d.aggregation {
                calculators::Aggregation::Ratio => Aggregation::Ratio,
                calculators::Aggregation::Sum => Aggregation::Sum,
                calculators::Aggregation::Recompute => Aggregation::Recompute,
            },
        }
    }
}

/// Why a plugin library was not loaded.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadErrorKind {
    /// The file is not a loadable native library (or the directory cannot be read).
    NotALibrary,
    /// The library lacks the entry symbol `cruscotto_calculator_v1`.
    MissingSymbol,
    /// The plugin's entry function failed.
    InitFailed,
    /// The plugin was built for another version of the plugin ABI.
    WrongAbiVersion,
    /// The plugin's descriptor is malformed.
    BadDescriptor,
    /// The plugin's manifest is not the expected JSON.
    BadManifest,
    /// Another calculator already has the id with an equal or higher version.
    DuplicateId,
    /// The plugin tried to take the id of a built-in calculator.
    BuiltinId,
    /// The worker process hosting the library died (for example a
    /// load-time constructor that aborts: the message names the signal),
    /// broke the protocol or did not answer in time while loading it.
    WorkerFailed,
}

/// A plugin library that failed to load; the service runs without it.
#[derive(Debug, Clone, SimpleObject)]
pub struct CalculatorLoadError {
    /// The library file.
    pub path: String,
    /// What kind of failure.
    pub kind: LoadErrorKind,
    /// The whole message, naming the file and the cause.
    pub message: String,
}

impl From<LoadError> for CalculatorLoadError {
    fn from(e: LoadError) -> Self {
        use calculators::LoadErrorKind as K;
        CalculatorLoadError {
            path: e.path.display().to_string(),
            kind: match &e.kind {
                K::NotALibrary(_) => LoadErrorKind::NotALibrary,
                K::MissingSymbol(_) => LoadErrorKind::MissingSymbol,
                K::InitFailed => LoadErrorKind::InitFailed,
                K::WrongAbiVersion { .. } => LoadErrorKind::WrongAbiVersion,
                K::BadDescriptor(_) => LoadErrorKind::BadDescriptor,
                K::BadManifest(_) => LoadErrorKind::BadManifest,
                K::DuplicateId { .. } => LoadErrorKind::DuplicateId,
                K::BuiltinId(_) => LoadErrorKind::BuiltinId,
                K::WorkerFailed(_) => LoadErrorKind::WorkerFailed,
            },
            message: e.to_string(),
        }
    }
}

// ---- computed values ------------------------------------------------------

/// Whether a computation produced a value.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueStatus {
    /// A value was computed.
    Ok,
    /// Nothing to compute over in the period (no records, or a zero
    /// denominator); the diagnostics say why.
    NoData,
}

/// A note a calculator attached to a value.
#[derive(Debug, Clone, SimpleObject)]
pub struct Diagnostic {
    /// Stable code, e.g. `defaulted_due_date`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
}

/// The calculator that computed a value, as it was then.
#[derive(Debug, Clone, SimpleObject)]
pub struct CalculatorRef {
    /// Globally unique id of this calculator version from this source
    /// (opaque): values computed by different versions never share it.
    pub id: ID,
    /// The calculator's key, e.g. `payment_timeliness`.
    pub key: String,
    /// The calculator's version at the time.
    pub version: String,
    /// `builtin`, or the path of the plugin library.
    pub source: String,
}

/// The engine's stored value, as the graph shows it (described on its
/// `#[Object]`).
#[derive(Debug, Clone)]
pub struct IndicatorValue(StoredValue);

impl From<StoredValue> for IndicatorValue {
    fn from(v: StoredValue) -> Self {
        IndicatorValue(v)
    }
}

/// A computed value of an indicator for a period, with its provenance:
/// enough to audit it (which calculator and version, with which parameters,
/// over which inputs, by whom and when) and to re-aggregate it (numerator
/// and denominator).
#[Object]
impl IndicatorValue {
    /// The period computed: `2020`, `2020-Q1` or `2020-03`.
    async fn period(&self) -> String {
        self.0.period.to_string()
    }

    /// Whether there is a value.
    async fn status(&self) -> ValueStatus {
        match self.0.status {
            ResultStatus::Ok => ValueStatus::Ok,
            ResultStatus::NoData => ValueStatus::NoData,
        }
    }

    /// The value, exact; null when the status is `NO_DATA`.
    async fn value(&self) -> Option<Decimal> {
        self.0.value.map(Decimal)
    }

    /// Numerator of ratio-like values (for payment timeliness: euro × days).
    async fn numerator(&self) -> Option<Decimal> {
        self.0.numerator.map(Decimal)
    }

    /// Denominator of ratio-like values (for payment timeliness: euro).
    async fn denominator(&self) -> Option<Decimal> {
        self.0.denominator.map(Decimal)
    }

    /// Records that entered the computation.
    async fn records_used(&self) -> u64 {
        self.0.records_used
    }

    /// Records in scope that had to be left out (the diagnostics say why).
    async fn records_excluded(&self) -> u64 {
        self.0.records_excluded
    }

    /// Notes of the calculator and of the input loader.
    async fn diagnostics(&self) -> Vec<Diagnostic> {
        self.0
            .diagnostics
            .iter()
            .map(|d| Diagnostic {
                code: d.code.clone(),
                message: d.message.clone(),
            })
            .collect()
    }

    /// The calculator that computed the value.
    async fn calculator(&self) -> CalculatorRef {
        let p = &self.0.provenance;
        CalculatorRef {
            id: ids::encode_key(
                "CalculatorRef",
                &format!("{}@{}@{}", p.calculator_id, p.calculator_version, p.source),
            ),
            key: p.calculator_id.clone(),
            version: p.calculator_version.clone(),
            source: p.source.clone(),
        }
    }

    /// SHA-256 of the inputs, the period, the parameters and the
    /// calculator's key and version: equal fingerprints mean equal inputs.
    async fn input_fingerprint(&self) -> &str {
        &self.0.provenance.input_fingerprint
    }

    /// The parameters the calculator ran with.
    async fn params(&self) -> Json<Value> {
        Json(self.0.params.clone())
    }

    /// When the value was computed (UTC).
    async fn computed_at(&self) -> DateTime {
        DateTime(self.0.computed_at)
    }

    /// Who asked for the computation (the token's name).
    async fn computed_by(&self) -> &str {
        &self.0.computed_by
    }

    /// True when `computeIndicator` found this value already stored for the
    /// same inputs, parameters and calculator version and computed nothing.
    async fn reused(&self) -> bool {
        self.0.reused
    }

    /// The indicator the value is of.
    async fn indicator(&self, ctx: &Context<'_>) -> ApiResult<Indicator> {
        one(ctx, IndicatorById(self.0.indicator_id)).await
    }
}

// ---- achievement ----------------------------------------------------------

/// Whether a target was reached.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AchievementStatus {
    /// Degree 100 %.
    Achieved,
    /// Degree above 0 and below 100 %.
    Partly,
    /// Degree 0.
    NotAchieved,
    /// Nothing to judge: no value, or no numeric target.
    NoData,
}

impl From<Status> for AchievementStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Achieved => AchievementStatus::Achieved,
            Status::Partly => AchievementStatus::Partly,
            Status::NotAchieved => AchievementStatus::NotAchieved,
            Status::NoData => AchievementStatus::NoData,
        }
    }
}

/// How a value is compared with a target's number.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetComparator {
    /// `<=T`, `<T`: the value must not exceed the number.
    AtMost,
    /// `>=T`, `>T`: the value must reach at least the number.
    AtLeast,
    /// A bare number or `=T`: read according to the indicator's direction.
    Reach,
}

/// A target as judged: the text as published and what was read from it.
#[derive(Debug, Clone, SimpleObject)]
pub struct JudgedTarget {
    /// The target as published, e.g. `<=10`.
    pub raw: String,
    /// The comparator read from it; null when no number could be read.
    pub comparator: Option<TargetComparator>,
    /// The number read from it, exact; null when none could be read.
    pub number: Option<Decimal>,
}

/// What an indicator's degree of achievement rests on.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndicatorAchievementBasis {
    /// The value compared with the target's number.
    ValueAgainstTarget,
    /// The plan has no target for the year.
    NoTarget,
    /// The target's text holds no number to compare with.
    TargetNotNumeric,
    /// No value has been computed for the year.
    NoValue,
}

/// An indicator's latest value for a year against that year's target.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct IndicatorAchievement {
    #[graphql(skip)]
    pub indicator_id: i32,
    /// The year judged.
    pub year: i32,
    /// Degree of achievement, 0-100, rounded to two decimals; null without
    /// data.
    pub degree: Option<Decimal>,
    /// The status the degree implies.
    pub status: AchievementStatus,
    /// The value judged: the latest computed for the year.
    pub value: Option<IndicatorValue>,
    /// The year's target, when the plan has one.
    pub target: Option<JudgedTarget>,
    /// Which way is better, from the indicator.
    pub direction: Direction,
    /// What the degree rests on (or why there is none).
    pub basis: IndicatorAchievementBasis,
}

impl From<AchievementView> for IndicatorAchievement {
    fn from(v: AchievementView) -> Self {
        let basis = match (&v.target_raw, &v.target, &v.value) {
            (None, _, _) => IndicatorAchievementBasis::NoTarget,
            (Some(_), None, _) => IndicatorAchievementBasis::TargetNotNumeric,
            (Some(_), Some(_), Some(value)) if value.value.is_some() => {
                IndicatorAchievementBasis::ValueAgainstTarget
            }
            (Some(_), Some(_), _) => IndicatorAchievementBasis::NoValue,
        };
        IndicatorAchievement {
            indicator_id: v.indicator_id,
            year: v.year,
            degree: v.achievement.degree.map(Decimal),
            status: v.achievement.status.into(),
            value: v.value.map(IndicatorValue::from),
            target: v.target_raw.map(|raw| JudgedTarget {
                raw,
                comparator: v.target.map(|t| match t.comparator {
                    CalcComparator::AtMost => TargetComparator::AtMost,
                    CalcComparator::AtLeast => TargetComparator::AtLeast,
                    CalcComparator::Reach => TargetComparator::Reach,
                }),
                number: v.target.map(|t| Decimal(t.value)),
            }),
            direction: v.direction.into(),
            basis,
        }
    }
}

#[ComplexObject]
impl IndicatorAchievement {
    /// The indicator judged.
    async fn indicator(&self, ctx: &Context<'_>) -> ApiResult<Indicator> {
        one(ctx, IndicatorById(self.indicator_id)).await
    }
}

/// What an objective's achievement rests on.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectiveAchievementBasis {
    /// The mean degree of its indicators that have data (equal weights).
    Indicators,
    /// The weighted completion of its phases (no indicator has data).
    Phases,
    /// Nothing to judge yet.
    None,
}

/// A phase's weight and completion at the end of the year judged.
#[derive(Debug, Clone, SimpleObject)]
pub struct PhaseCompletion {
    /// The phase's code, e.g. `A.1.3`.
    pub code: String,
    /// Its weight in percent.
    pub weight: Decimal,
    /// Its latest recorded completion in percent (0 when none).
    pub completion_percent: Decimal,
}

/// An objective's achievement and score for a year.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct ObjectiveAchievement {
    #[graphql(skip)]
    pub objective_id: i32,
    /// The year judged.
    pub year: i32,
    /// Degree of achievement, 0-100; null without data.
    pub degree: Option<Decimal>,
    /// The status the degree implies.
    pub status: AchievementStatus,
    /// Points earned: degree × the maximum points (`50/70` → up to 50);
    /// null without data or without a maximum score.
    pub score: Option<Decimal>,
    /// The objective's maximum score, when the plan states one.
    pub max_score: Option<MaxScore>,
    /// What the degree rests on.
    pub basis: ObjectiveAchievementBasis,
    /// Every indicator of the objective, judged for the year.
    pub indicators: Vec<IndicatorAchievement>,
    /// Every phase with its weight and completion at the end of the year.
    pub phases: Vec<PhaseCompletion>,
}

impl From<ObjectiveAchievementView> for ObjectiveAchievement {
    fn from(v: ObjectiveAchievementView) -> Self {
        ObjectiveAchievement {
            objective_id: v.objective_id,
            year: v.year,
            degree: v.achievement.degree.map(Decimal),
            status: v.achievement.status.into(),
            score: v.score.map(Decimal),
            // The maximum comes from two whole-number columns.
            max_score: v.max_score.and_then(|m| {
                Some(MaxScore {
                    points: m.points.to_i32()?,
                    out_of: m.out_of?.to_i32()?,
                })
            }),
            basis: match v.basis {
                AchievementBasis::Indicators => ObjectiveAchievementBasis::Indicators,
                AchievementBasis::Phases => ObjectiveAchievementBasis::Phases,
                AchievementBasis::None => ObjectiveAchievementBasis::None,
            },
            indicators: v.indicators.into_iter().map(Into::into).collect(),
            phases: v
                .phases
                .into_iter()
                .map(|p| PhaseCompletion {
                    code: p.code,
                    weight: Decimal(p.weight),
                    completion_percent: Decimal(p.completion_percent),
                })
                .collect(),
        }
    }
}

#[ComplexObject]
impl ObjectiveAchievement {
    /// The objective judged.
    async fn objective(&self, ctx: &Context<'_>) -> ApiResult<Objective> {
        one(ctx, ObjectiveById(self.objective_id)).await
    }
}

// ---- mutation results -----------------------------------------------------

/// What `importPayments` stored.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct PaymentImport {
    /// Code of the plan the payments belong to.
    pub plan_code: String,
    /// The file name recorded on every payment.
    pub source_file: String,
    /// Records in the file.
    pub records: u64,
    /// Invoices new to the plan.
    pub inserted: u64,
    /// Invoices already stored for the plan, overwritten by this import.
    pub updated: u64,
    /// Payments of the plan after the import.
    pub plan_payments: i64,
}

impl From<PaymentImportSummary> for PaymentImport {
    fn from(s: PaymentImportSummary) -> Self {
        PaymentImport {
            plan_code: s.plan_code,
            source_file: s.source_file,
            records: s.records as u64,
            inserted: s.inserted as u64,
            updated: s.updated as u64,
            plan_payments: s.plan_payments,
        }
    }
}

#[ComplexObject]
impl PaymentImport {
    /// The plan the payments belong to.
    async fn plan(&self, ctx: &Context<'_>) -> ApiResult<Option<Plan>> {
        maybe(ctx, PlanByCode(self.plan_code.clone())).await
    }
}

/// A phase's completion as recorded by `recordPhaseProgress`.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct PhaseProgressRecord {
    #[graphql(skip)]
    pub phase_id: i32,
    /// The period the completion is for.
    pub period: String,
    /// Completion in percent, 0-100.
    pub completion_percent: Decimal,
    /// Who recorded it (the token's name).
    pub recorded_by: String,
}

#[ComplexObject]
impl PhaseProgressRecord {
    /// The phase.
    async fn phase(&self, ctx: &Context<'_>) -> ApiResult<Phase> {
        one(ctx, PhaseById(self.phase_id)).await
    }
}

/// What `reloadCalculators` changed.
#[derive(Debug, Clone, SimpleObject)]
pub struct CalculatorReload {
    /// Ids of calculators added by this scan.
    pub added: Vec<String>,
    /// Ids of calculators replaced by a higher version.
    pub replaced: Vec<String>,
    /// Libraries of this scan that failed to load.
    pub errors: Vec<CalculatorLoadError>,
    /// Every calculator served after the scan, by id.
    pub calculators: Vec<Calculator>,
}

// ---- roots ----------------------------------------------------------------

/// The calculator entry points of the query root.
#[derive(Debug, Default)]
pub struct CalcQuery;

#[Object]
impl CalcQuery {
    /// Every calculator the service can bind indicators to, built in or
    /// loaded from a plugin, sorted by key.
    async fn calculators(&self, ctx: &Context<'_>) -> ApiResult<Vec<Calculator>> {
        Ok(state(ctx)?
            .calculators
            .descriptors()
            .into_iter()
            .map(Calculator::from)
            .collect())
    }

    /// The calculator with this key; null when none is loaded.
    async fn calculator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The calculator's key, e.g. `payment_timeliness`.")] key: String,
    ) -> ApiResult<Option<Calculator>> {
        Ok(state(ctx)?
            .calculators
            .get(&key)
            .map(|c| Calculator::from(c.descriptor().clone())))
    }

    /// Plugin libraries that failed to load since the service started,
    /// each with its path and cause; the service runs without them.
    async fn calculator_load_errors(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Vec<CalculatorLoadError>> {
        Ok(state(ctx)?
            .calculators
            .load_errors()
            .into_iter()
            .map(CalculatorLoadError::from)
            .collect())
    }
}

/// The calculator entry points of the mutation root.
#[derive(Debug, Default)]
pub struct CalcMutation;

#[Object]
impl CalcMutation {
    /// Binds an indicator to a calculator (a person's choice, so no longer
    /// `guessed`) if the indicator still has `expectedVersion`; the result
    /// carries the new version. The calculator must be one the service
    /// serves, and `params` must fit its declared parameters.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn bind_calculator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The indicator's id.")] indicator: ID,
        #[graphql(desc = "The calculator's key (see `calculators`).")] calculator: String,
        #[graphql(
            desc = "Parameters as a JSON object, e.g. `{\"default_term_days\": 60}`; absent or null for the defaults."
        )]
        params: Option<Json<Value>>,
        #[graphql(desc = "The indicator's version the change was made from.")]
        expected_version: i32,
    ) -> ApiResult<Indicator> {
        let id = ids::expect(&indicator, "Indicator", "indicator")?;
        let state = state(ctx)?;
        let calculator = calculator.trim().to_string();
        let Some(found) = state.calculators.get(&calculator) else {
            return Err(ApiError::bad_input(
                "calculator",
                format!(
                    "no calculator with id \"{calculator}\"; the service has: {}",
                    state.calculators.ids().join(", ")
                ),
            ));
        };
        let params = check_params(found.descriptor(), params.map(|p| p.0))?;
        let row = state
            .blocking(move |db| {
                db.bind_calculator(id, expected_version, &calculator, &params)
                    .map_err(ApiError::from)
            })
            .await?;
        Ok(row.into())
    }

    /// Imports invoice payments into a plan from CSV text (Italian or
    /// English headers, `;` or `,`, `1.234,56` or `1234.56`, `31/01/2020`
    /// or `2020-01-31`), in one transaction: a bad row stores nothing, and
    /// the error names its line and column. Invoices already stored for the
    /// plan are updated by invoice number.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn import_payments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Code of the plan the payments belong to.")] plan: String,
        #[graphql(desc = "The CSV text, header first.")] csv: String,
        #[graphql(
            desc = "Name recorded as the payments' source and used in error messages (default `payments.csv`)."
        )]
        file_name: Option<String>,
    ) -> ApiResult<PaymentImport> {
        let file = file_name
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| "payments.csv".to_string());
        let summary = state(ctx)?
            .blocking(move |db| {
                let records = calculators::read_payments_csv_from(csv.as_bytes(), &file)?;
                db.import_payments(&plan, &records, &file)
                    .map_err(|e| match e {
                        // Content rules (duplicate invoices, amounts out of
                        // range) are about the file: they name the record.
                        cruscotto_store::StoreError::Invalid { .. } => {
                            ApiError::bad_input("csv", e.to_string())
                        }
                        other => ApiError::from(other),
                    })
            })
            .await?;
        Ok(summary.into())
    }

    /// Computes an indicator for a period with its bound calculator and
    /// stores the value with its provenance; when the inputs, parameters and
    /// calculator version are unchanged since the last computation of the
    /// period, the stored value is returned with `reused: true` and nothing
    /// is written. A year is computed from the year's records, never as the
    /// mean of its quarters. A failing plugin (panic, timeout, bad result)
    /// gives `CALCULATOR_FAILED`. Subscribers of the objective are told of
    /// new values.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn compute_indicator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The indicator's id.")] indicator: ID,
        #[graphql(desc = "A year (`2020`), a quarter (`2020-Q1`) or a month (`2020-03`).")] period: String,
    ) -> ApiResult<IndicatorValue> {
        let principal = auth::principal(ctx);
        let id = ids::expect(&indicator, "Indicator", "indicator")?;
        let period = period_arg("period", &period)?;
        let who = principal.name().to_string();
        let state = state(ctx)?;
        let registry = state.calculators.clone();
        let value = state
            .blocking(
                move |db| Ok(Engine::new(db).compute_indicator(&registry, id, &period, &who)?),
            )
            .await?;
        Ok(value.into())
    }

    /// Records (or replaces) how complete a phase was in a period; an
    /// objective without indicator values is judged on its phases.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn record_phase_progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The phase's id.")] phase: ID,
        #[graphql(desc = "A year (`2020`), a quarter (`2020-Q1`) or a month (`2020-03`).")] period: String,
        #[graphql(desc = "Completion in percent, 0-100, at most two decimals.")] completion_percent: Decimal,
    ) -> ApiResult<PhaseProgressRecord> {
        let principal = auth::principal(ctx);
        let id = ids::expect(&phase, "Phase", "phase")?;
        let period = period_arg("period", &period)?;
        let percent = completion_percent.0;
        let hundredths = percent * rust_decimal::Decimal::ONE_HUNDRED;
        if !hundredths.fract().is_zero()
            || percent < rust_decimal::Decimal::ZERO
            || percent > rust_decimal::Decimal::ONE_HUNDRED
        {
            return Err(ApiError::bad_input(
                "completionPercent",
                "the completion must be between 0 and 100 percent, with at most two decimals",
            ));
        }
        let who = principal.name().to_string();
        let recorded_by = who.clone();
        let p = period;
        state(ctx)?
            .blocking(move |db| Ok(db.record_phase_progress(id, &p, percent, &who)?))
            .await?;
        Ok(PhaseProgressRecord {
            phase_id: id,
            period: period.to_string(),
            completion_percent: Decimal(percent.normalize()),
            recorded_by,
        })
    }

    /// Scans the plugin directory again: new libraries are loaded, a higher
    /// version of a loaded calculator replaces it, and failures are
    /// reported. To upgrade a plugin, install the new build under a new file
    /// name. Needs an administrator's token.
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    async fn reload_calculators(&self, ctx: &Context<'_>) -> ApiResult<CalculatorReload> {
        let registry = state(ctx)?.calculators.clone();
        // Opening libraries reads files and runs their initialisers.
        let (report, descriptors) = tokio::task::spawn_blocking(move || {
            let report = registry.reload();
            (report, registry.descriptors())
        })
        .await
        .map_err(|e| ApiError::internal(format!("plugin reload task failed: {e}")))?;
        tracing::info!(
            added = ?report.added,
            replaced = ?report.replaced,
            errors = report.errors.len(),
            "calculators reloaded"
        );
        Ok(CalculatorReload {
            added: report.added,
            replaced: report.replaced,
            errors: report.errors.into_iter().map(Into::into).collect(),
            calculators: descriptors.into_iter().map(Calculator::from).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeliness() -> calculators::Descriptor {
        calculators::Registry::builtin()
            .get("payment_timeliness")
            .expect("a built-in")
            .descriptor()
            .clone()
    }

    #[test]
    fn params_must_be_an_object_of_declared_parameters_of_their_kind() {
        let d = timeliness();
        let field = |r: ApiResult<Value>| r.err().and_then(|e| e.field);
        assert_eq!(check_params(&d, None).ok(), Some(serde_json::json!({})));
        assert!(check_params(&d, Some(serde_json::json!({"default_term_days": 60}))).is_ok());
        assert!(check_params(
            &d,
            Some(Value::String("{\"default_term_days\": 60}".into()))
        )
        .is_ok());
        assert_eq!(
            field(check_params(&d, Some(serde_json::json!([1])))),
            Some("params".into())
        );
        assert_eq!(
            field(check_params(&d, Some(serde_json::json!({"nope": 1})))),
            Some("params".into())
        );
        assert_eq!(
            field(check_params(
                &d,
                Some(serde_json::json!({"default_term_days": "sixty"}))
            )),
            Some("params".into())
        );
    }
}
