//! Indicator calculators for performance plans: the calculator contract, the
//! built-in methods, the payment CSV reader, the native plugin host (plugins
//! in worker processes by default, see [`worker`]),
//! achievement and score, and provenance fingerprints.
//!
//! This crate knows neither the database nor HTTP. The engine
//! (`cruscotto-engine`) builds [`Inputs`] from the rows storage reads
//! (payments as columns, series, phases) and runs the calculator; the API
//! exposes [`CalcResult`], [`Descriptor`] and
//! [`Provenance`].
//!
//! ```
//! use cruscotto_calculators::{Inputs, PaymentTable, Period, Registry};
//! let registry = Registry::builtin();
//! let table = PaymentTable::from_columns(vec![100_000], vec![18_262], vec![18_292], vec![18_302], vec![0]).unwrap();
//! let result = registry
//!     .compute("payment_timeliness", &Inputs::with_payments(table), &"2020".parse::<Period>().unwrap(), &serde_json::json!({}))
//!     .unwrap();
//! assert_eq!(result.value, Some(10.into()));
//! ```

pub mod achievement;
mod arrow_export;
pub mod builtin;
mod contract;
mod inputs;
mod payment_rows;
mod payments_csv;
mod period;
mod plugin;
mod provenance;
mod registry;
pub mod worker;

pub use arrow_export::PAYMENT_COLUMNS;
pub use contract::{
    reaggregate, Aggregation, CalcResult, Calculator, CalculatorError, Components, Descriptor,
    Diagnostic, Direction, InputKind, InputSpec, ParamSpec, ResultStatus, Source, Unit,
    VALUE_DECIMALS,
};
pub use inputs::{
    InputError, Inputs, PaymentColumns, PaymentRecord, PaymentTable, PhaseProgress, Series,
    MAX_ABS_AMOUNT_CENTS, MAX_SUSPENDED_DAYS,
};
pub use payment_rows::PaymentRows;
pub use payments_csv::{parse_amount_cents, read_payments_csv, read_payments_csv_from, CsvError};
pub use period::{date_from_day, day_number, Period, PeriodError, PeriodKind, NULL_DAY};
pub use plugin::{abandoned_computations, LoadError, LoadErrorKind, PluginCalculator};
pub use provenance::{input_fingerprint, Provenance};
pub use registry::{
    Isolation, Registry, RegistryConfig, ReloadReport, DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIMEOUT,
};
pub use rust_decimal::Decimal;
pub use worker::WorkerPlugin;
