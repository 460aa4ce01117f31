//! The calculator contract shared by built-ins and plugins: the descriptor,
//! the result with its additive components, the errors, and the trait.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::inputs::Inputs;
use crate::period::Period;

/// Whether a higher or a lower value is better: the vocabulary's one
/// declaration.
pub use cruscotto_model::Direction;

/// The unit of a calculator's value. Wider than an indicator's
/// [`cruscotto_model::Unit`] (days, percent, count): a calculator may also
/// give a pure ratio or a plain number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Calendar days.
    Days,
    /// A percentage (0-100, may exceed 100).
    Percent,
    /// A pure ratio.
    Ratio,
    /// A count of things.
    Count,
    /// A plain number (sums of heterogeneous quantities).
    Number,
}

/// How results for sub-periods combine into the result of a longer period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Sum the numerators and the denominators, then divide (never average the values).
    Ratio,
    /// Sum the values.
    Sum,
    /// Not combinable: compute again over the longer period (medians, phases).
    #[default]
    Recompute,
}

/// The kind of input a calculator reads from [`Inputs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// Invoice-level payment records ([`crate::PaymentTable`]).
    Payments,
    /// A dated numeric series ([`crate::Series`]) named like the input.
    Series,
    /// Phase weights and completion ([`crate::PhaseProgress`]).
    Phases,
}

/// One input a calculator needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputSpec {
    /// Name; for series, the key in [`Inputs::series`].
    pub name: String,
    /// Shape.
    pub kind: InputKind,
    /// What the input holds.
    #[serde(default)]
    pub description: String,
}

/// One parameter a calculator accepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamSpec {
    /// Name, the key in the params object.
    pub name: String,
    /// JSON type: `integer`, `number`, `boolean` or `string`.
    pub kind: String,
    /// Value used when the parameter is absent.
    #[serde(default)]
    pub default: serde_json::Value,
    /// What the parameter changes.
    #[serde(default)]
    pub description: String,
}

/// Where a calculator comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Compiled into this crate.
    Builtin,
    /// Loaded from a native library at this path.
    Plugin(PathBuf),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Builtin => f.write_str("builtin"),
            Source::Plugin(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Everything known about a calculator without running it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Descriptor {
    /// Stable id, for example `payment_timeliness`.
    pub id: String,
    /// Version, `major.minor.patch`.
    pub version: String,
    /// One-sentence description of the method.
    pub description: String,
    /// Inputs read.
    pub inputs: Vec<InputSpec>,
    /// Parameters accepted.
    pub params: Vec<ParamSpec>,
    /// Unit of the value.
    pub unit: Unit,
    /// Which way is better.
    pub direction: Direction,
    /// How sub-period results combine.
    pub aggregation: Aggregation,
    /// Built-in or the plugin path.
    pub source: Source,
}

/// The additive parts of a ratio-like value: `value = numerator / denominator × multiplier`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Components {
    /// Sum of the numerator terms (for payment timeliness: euro × days).
    pub numerator: Decimal,
    /// Sum of the denominator terms (for payment timeliness: euro).
    pub denominator: Decimal,
    /// 100 for percentages, 1 otherwise.
    pub multiplier: Decimal,
}

impl Components {
    /// The value, or `None` when the denominator is zero ("no data").
    pub fn value(&self) -> Option<Decimal> {
        if self.denominator.is_zero() {
            return None;
        }
        let ratio = self.numerator.checked_div(self.denominator)?;
        ratio
            .checked_mul(self.multiplier)
            .map(|v| v.round_dp(VALUE_DECIMALS).normalize())
    }
}

/// Values are kept to this many decimals: far beyond what is published
/// (two), few enough to print and compare sensibly.
pub const VALUE_DECIMALS: u32 = 10;

/// Whether a result carries a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultStatus {
    /// A value was computed.
    Ok,
    /// Nothing to compute over: no records, or a zero denominator.
    NoData,
}

/// A note attached to a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable code, for example `defaulted_due_date`.
    pub code: String,
    /// Sentence for people.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic from a code and a message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }
}

/// The outcome of one computation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalcResult {
    /// Ok or no data.
    pub status: ResultStatus,
    /// The value; `None` exactly when `status` is `NoData`.
    pub value: Option<Decimal>,
    /// Additive components, for ratio-like methods.
    pub components: Option<Components>,
    /// Records that entered the computation.
    pub records_used: u64,
    /// Records in scope that had to be left out.
    pub records_excluded: u64,
    /// Notes such as how many due dates were defaulted.
    pub diagnostics: Vec<Diagnostic>,
}

impl CalcResult {
    /// A result with a value.
    pub fn value(value: Decimal) -> Self {
        Self {
            status: ResultStatus::Ok,
            value: Some(value.normalize()),
            components: None,
            records_used: 0,
            records_excluded: 0,
            diagnostics: Vec::new(),
        }
    }

    /// A "no data" result with a reason.
    pub fn no_data(reason: impl Into<String>) -> Self {
        Self {
            status: ResultStatus::NoData,
            value: None,
            components: None,
            records_used: 0,
            records_excluded: 0,
            diagnostics: vec![Diagnostic::new("no_data", reason)],
        }
    }

    /// A result from components: a value unless the denominator is zero.
    pub fn from_components(components: Components, no_data_reason: &str) -> Self {
        let mut result = match components.value() {
            Some(v) => Self::value(v),
            None => Self::no_data(no_data_reason),
        };
        result.components = Some(components);
        result
    }

    /// Sets the record counts.
    pub fn with_records(mut self, used: u64, excluded: u64) -> Self {
        self.records_used = used;
        self.records_excluded = excluded;
        self
    }

    /// Adds a diagnostic.
    pub fn with_diagnostic(mut self, code: &str, message: impl Into<String>) -> Self {
        self.diagnostics.push(Diagnostic::new(code, message));
        self
    }
}

/// Combines sub-period results (for example four quarters) into the result of
/// the whole period, following the calculator's [`Aggregation`].
///
/// Ratio-like results are re-aggregated from their components: the year's
/// payment timeliness is Σ numerators / Σ denominators, never the mean of the
/// quarterly values.
pub fn reaggregate(
    aggregation: Aggregation,
    parts: &[CalcResult],
) -> Result<CalcResult, CalculatorError> {
    let used = parts.iter().map(|p| p.records_used).sum();
    let excluded = parts.iter().map(|p| p.records_excluded).sum();
    match aggregation {
        Aggregation::Ratio => {
            let mut total: Option<Components> = None;
            for part in parts {
                let c = part.components.ok_or_else(|| {
                    CalculatorError::InvalidInput(
                        "a ratio result without components cannot be re-aggregated".into(),
                    )
                })?;
                total = Some(match total {
                    None => c,
                    Some(t) if t.multiplier == c.multiplier => Components {
                        numerator: t.numerator + c.numerator,
                        denominator: t.denominator + c.denominator,
                        multiplier: t.multiplier,
                    },
                    Some(_) => {
                        return Err(CalculatorError::InvalidInput(
                            "parts have different multipliers".into(),
                        ))
                    }
                });
            }
            Ok(match total {
                Some(c) => CalcResult::from_components(c, "the denominator is zero in every part"),
                None => CalcResult::no_data("there are no parts to combine"),
            }
            .with_records(used, excluded))
        }
        Aggregation::Sum => {
            let values: Vec<Decimal> = parts.iter().filter_map(|p| p.value).collect();
            Ok(if values.is_empty() {
                CalcResult::no_data("no part has a value")
            } else {
                CalcResult::value(values.iter().sum())
            }
            .with_records(used, excluded))
        }
        Aggregation::Recompute => Err(CalculatorError::InvalidInput(
            "this method cannot be combined from sub-periods; compute it over the whole period"
                .into(),
        )),
    }
}

/// Why a computation failed. "No data" is not an error: it is a
/// [`CalcResult`] with [`ResultStatus::NoData`].
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum CalculatorError {
    /// No calculator has this id.
    #[error("no calculator with id \"{0}\"")]
    UnknownCalculator(String),
    /// A required input was not provided.
    #[error("input \"{0}\" is required but was not provided")]
    MissingInput(String),
    /// An input is inconsistent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A parameter has the wrong type or value.
    #[error("parameter \"{name}\": {message}")]
    InvalidParam {
        /// The parameter.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The plugin did not answer in time: its worker process was killed
    /// (in-process: its thread was abandoned).
    #[error("calculator \"{id}\" exceeded the time limit of {} ms and was stopped", .after.as_millis())]
    Timeout {
        /// Calculator id.
        id: String,
        /// The timeout.
        after: Duration,
    },
    /// The plugin reported an error or panicked.
    #[error("calculator \"{id}\" failed: {message}")]
    PluginFailed {
        /// Calculator id.
        id: String,
        /// The plugin's message.
        message: String,
    },
    /// The plugin returned something that breaks the ABI contract.
    #[error("calculator \"{id}\" returned an invalid result: {message}")]
    PluginProtocol {
        /// Calculator id.
        id: String,
        /// What was wrong.
        message: String,
    },
    /// The plugin's worker process ended abnormally during the computation
    /// (a crash, an abort, the memory limit); the next computation starts a
    /// new worker.
    #[error("calculator \"{id}\" failed: {cause}")]
    Crashed {
        /// Calculator id.
        id: String,
        /// What happened, e.g. "its worker process was killed by SIGSEGV
        /// (invalid memory reference)" or "it exceeded the memory limit of
        /// 512 MB".
        cause: String,
    },
    /// A sum did not fit in the number types.
    #[error("arithmetic overflow while computing")]
    Overflow,
}

/// A calculator: built-in or plugin, used through this one interface.
pub trait Calculator: Send + Sync {
    /// Id, version, description, inputs, unit, direction, source.
    fn descriptor(&self) -> &Descriptor;

    /// Computes over `period`. `params` is a JSON object (or null for defaults).
    fn compute(
        &self,
        inputs: &Inputs,
        period: &Period,
        params: &serde_json::Value,
    ) -> Result<CalcResult, CalculatorError>;
}

/// Reads an integer parameter with a default.
pub(crate) fn param_i64(params: &Value, name: &str, default: i64) -> Result<i64, CalculatorError> {
    param(params, name, default, Value::as_i64, "an integer")
}

/// Reads a boolean parameter with a default.
pub(crate) fn param_bool(
    params: &Value,
    name: &str,
    default: bool,
) -> Result<bool, CalculatorError> {
    param(params, name, default, Value::as_bool, "true or false")
}

/// Reads the parameter `name`: absent or null is `default`, a value `read`
/// does not take is an invalid parameter that must be `expected`.
fn param<T>(
    params: &Value,
    name: &str,
    default: T,
    read: impl Fn(&Value) -> Option<T>,
    expected: &str,
) -> Result<T, CalculatorError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => read(v).ok_or_else(|| CalculatorError::InvalidParam {
            name: name.into(),
            message: format!("must be {expected}, found {v}"),
        }),
    }
}
