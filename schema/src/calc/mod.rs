//! The storage side of indicator calculations: invoice payments,
//! measurements, phase progress, calculator bindings and computed values,
//! and the inputs of a computation read in one consistent snapshot.
//!
//! This module runs no calculator and judges nothing: `cruscotto-engine`
//! does, and asks storage through the narrow interface below (the methods
//! of [`Database`] in this module, listed in ARCHITECTURE.md):
//!
//! - [`Database::bound_indicator`]: an indicator's label and calculator binding;
//! - [`Database::read_inputs`]: what a computation reads, in one snapshot:
//!   the plan's payments as plain columns (day numbers, in no particular
//!   order), the indicator's measurements inside the period, the phases of
//!   its objective with their progress recorded by the period's end, and
//!   the latest stored value of the indicator and period;
//! - [`Database::insert_value`]: writes one `indicator_values` row (older
//!   rows stay: they are the history);
//! - [`Database::latest_value_row`],
//!   [`Database::latest_value_rows`], [`Database::value_rows_of`]: stored
//!   values as rows;
//! - [`Database::judge_facts`], [`Database::objective_facts`]: directions,
//!   targets, phases, progress and maximum scores, as stored;
//! - the writes of raw data: [`Database::import_payments`],
//!   [`Database::record_measurement`], [`Database::record_phase_progress`],
//!   [`Database::set_calculator_binding`], [`Database::bind_calculator`].
//!
//! Everything crosses as plain rows (text decimals, day numbers, ids);
//! the engine turns them into calculator inputs, stored values and
//! achievements.
//!
//! The queries are written once, in `ops.rs`, a query module of the backend
//! seam ([`crate::backend`]) compiled per backend; what differs (the
//! payment loader's plan filter, the snapshot's transaction, the second
//! connection Postgres reads half of a large payments table on) stands in
//! the backend modules. What the queries write (payments, measurements,
//! phase progress, computed values, calculator bindings) goes through the
//! entity writers, like every other write.

pub(crate) mod day;
pub mod rows;

use std::collections::HashMap;

use chrono::NaiveDate;
use cruscotto_model as m;
use cruscotto_model::payment::{MAX_ABS_AMOUNT_CENTS, MAX_SUSPENDED_DAYS};
use cruscotto_model::{PaymentRecord, Period};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::db::Database;
use crate::error::StoreError;
pub use rows::{IndicatorValueRow, NewIndicatorValue};

/// What [`Database::import_payments`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentImportSummary {
    /// Plan the payments belong to.
    pub plan_code: String,
    /// Source file recorded on every row.
    pub source_file: String,
    /// Records in the import.
    pub records: usize,
    /// Invoices new to the plan.
    pub inserted: usize,
    /// Invoices already stored for the plan, overwritten by the import.
    pub updated: usize,
    /// Payments of the plan after the import.
    pub plan_payments: i64,
}

/// A measured value of an indicator for a period, as [`Database::record_measurement`] stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuredValue {
    /// The period measured.
    pub period: Period,
    /// The value as published.
    pub value: Decimal,
    /// The numerator, for ratio-like indicators.
    pub numerator: Option<Decimal>,
    /// The denominator, for ratio-like indicators.
    pub denominator: Option<Decimal>,
    /// Where the value comes from (a report, an office, a system).
    pub source: String,
    /// Who recorded it.
    pub recorded_by: String,
}

/// A plan's payments as read for a computation: five columns of equal
/// length, dates as day numbers since 1970-01-01
/// ([`cruscotto_model::period::NULL_DAY`] when missing), in the order the database
/// returned them. Values are as stored, even outside the calculators'
/// bounds: judging them is the reader's business.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StoredPayments {
    /// Amount due in euro cents.
    pub amount_cents: Vec<i64>,
    /// Invoice day.
    pub invoice_day: Vec<i32>,
    /// Due day, or the null day.
    pub due_day: Vec<i32>,
    /// Payment day, or the null day.
    pub payment_day: Vec<i32>,
    /// Days the sum was suspended.
    pub suspended_days: Vec<i32>,
}

impl StoredPayments {
    /// No rows yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a row.
    pub fn push(
        &mut self,
        amount_cents: i64,
        invoice_day: i32,
        due_day: i32,
        payment_day: i32,
        suspended_days: i32,
    ) {
        self.amount_cents.push(amount_cents);
        self.invoice_day.push(invoice_day);
        self.due_day.push(due_day);
        self.payment_day.push(payment_day);
        self.suspended_days.push(suspended_days);
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.amount_cents.len()
    }

    /// The rows: `(amount_cents, invoice_day, due_day, payment_day,
    /// suspended_days)`, in stored order.
    pub fn rows(&self) -> impl Iterator<Item = (i64, i32, i32, i32, i32)> + '_ {
        (0..self.len()).map(move |i| {
            (
                self.amount_cents[i],
                self.invoice_day[i],
                self.due_day[i],
                self.payment_day[i],
                self.suspended_days[i],
            )
        })
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.amount_cents.is_empty()
    }
}

/// A measurement as a computation reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasurementRow {
    /// The period in its canonical text.
    pub period: String,
    /// The period's last day.
    pub period_end: NaiveDate,
    pub value: Decimal,
    pub numerator: Option<Decimal>,
    pub denominator: Option<Decimal>,
}

/// An indicator with its `PLAN/OBJECTIVE/INDICATOR` label and its
/// calculator binding, as stored.
#[derive(Debug, Clone)]
pub struct BoundIndicator {
    /// The indicator.
    pub id: i32,
    /// `PLAN/OBJECTIVE/INDICATOR`.
    pub label: String,
    /// Its plan.
    pub plan_id: i32,
    /// Its objective.
    pub objective_id: i32,
    /// The bound calculator's id, if any.
    pub calculator_id: Option<String>,
    /// The binding's parameters as stored (JSON text), if any.
    pub calculator_params: Option<String>,
}

/// Which inputs [`Database::read_inputs`] reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InputsWanted {
    /// Every payment of the indicator's plan.
    pub payments: bool,
    /// The indicator's measurements inside the period.
    pub measurements: bool,
    /// The phases of the indicator's objective with their progress.
    pub phases: bool,
}

/// A phase as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseRow {
    /// The phase.
    pub id: i32,
    /// Its code.
    pub code: String,
    /// Its weight in hundredths of a percent, if the plan gives one.
    pub weight_bp: Option<i32>,
}

/// Phases with the progress recorded for them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhaseRows {
    /// The phases, in plan order.
    pub phases: Vec<PhaseRow>,
    /// `(phase id, completion in hundredths of a percent)`, ordered by the
    /// period end (then by recording), so the last of a phase is its latest.
    pub progress: Vec<(i32, i32)>,
}

/// What a computation reads, read in one snapshot by [`Database::read_inputs`].
#[derive(Debug)]
pub struct InputRows {
    /// The plan's payments, in one part per connection used, when asked for.
    pub payments: Option<Vec<StoredPayments>>,
    /// The indicator's measurements whose period lies inside the period,
    /// by period start and end (empty unless asked for).
    pub measurements: Vec<MeasurementRow>,
    /// The objective's phases and their progress recorded for a period
    /// ending by the end of the period, when asked for.
    pub phases: Option<PhaseRows>,
    /// The latest stored value of the indicator and period.
    pub latest: Option<IndicatorValueRow>,
}

/// A target as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRow {
    /// As published (`<=10`).
    pub raw: String,
    /// The comparator, when one was read.
    pub comparator: Option<m::Comparator>,
    /// The number, when one was read.
    pub number: Option<Decimal>,
}

/// What judging indicators for a year reads, in one batch.
#[derive(Debug, Default)]
pub struct JudgeFacts {
    /// Each indicator's direction.
    pub directions: Vec<(i32, m::Direction)>,
    /// Each indicator's target for the year (the first recorded, should
    /// there be more).
    pub targets: HashMap<i32, TargetRow>,
}

/// What an objective's achievement is built from, as stored.
#[derive(Debug)]
pub struct ObjectiveFacts {
    /// Its indicators, in plan order.
    pub indicator_ids: Vec<i32>,
    /// Its phases and their progress by the date asked for.
    pub phases: PhaseRows,
    /// Its maximum score (`points`, `out of`), when the plan states one.
    pub max_score: Option<(i32, i32)>,
}

fn invalid(entity: &'static str, key: impl Into<String>, message: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        entity,
        key: key.into(),
        message: message.into(),
    }
}

fn parse_period(text: &str) -> Result<Period, StoreError> {
    crate::period::parse(text).map_err(|e| invalid("period", text, e.to_string()))
}

/// A percentage as hundredths of a percent, refusing what the column cannot
/// hold exactly.
fn percent_to_bp(what: &str, percent: Decimal) -> Result<i32, StoreError> {
    let bp = percent * Decimal::ONE_HUNDRED;
    if !bp.fract().is_zero() || !(Decimal::ZERO..=Decimal::from(10_000)).contains(&bp) {
        return Err(invalid(
            "phase progress",
            what,
            format!("completion {percent}% must be between 0 and 100 with at most two decimals"),
        ));
    }
    bp.to_i32()
        .ok_or_else(|| invalid("phase progress", what, "completion out of range"))
}

/// Checks payment records before anything is written, naming the record.
fn check_payments(records: &[PaymentRecord], source_file: &str) -> Result<(), StoreError> {
    let key = |i: usize, r: &PaymentRecord| {
        format!(
            "{source_file} record {} (invoice {:?})",
            i + 1,
            r.invoice_id
        )
    };
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(records.len());
    let year_ok = |d: NaiveDate| (1900..=2199).contains(&chrono::Datelike::year(&d));
    for (i, r) in records.iter().enumerate() {
        if r.invoice_id.is_empty() {
            return Err(invalid("payment", key(i, r), "the invoice id is empty"));
        }
        if let Some(first) = seen.insert(r.invoice_id.as_str(), i) {
            return Err(invalid(
                "payment",
                key(i, r),
                format!("the invoice also appears as record {}", first + 1),
            ));
        }
        if r.amount_cents.unsigned_abs() > MAX_ABS_AMOUNT_CENTS.unsigned_abs() {
            return Err(invalid(
                "payment",
                key(i, r),
                "the amount exceeds 100 billion euro",
            ));
        }
        if i64::from(r.suspended_days) > i64::from(MAX_SUSPENDED_DAYS) {
            return Err(invalid(
                "payment",
                key(i, r),
                format!("suspended days must be at most {MAX_SUSPENDED_DAYS}"),
            ));
        }
        let dates = [Some(r.invoice_date), r.due_date, r.payment_date];
        if !dates.into_iter().flatten().all(year_ok) {
            return Err(invalid(
                "payment",
                key(i, r),
                "dates must be within the years 1900-2199",
            ));
        }
    }
    Ok(())
}

impl Database {
    /// Stores the payments of plan `plan_code` in one transaction: an
    /// invoice id already stored for the plan is updated, a new one is
    /// inserted; payments not in `records` are kept. Records are checked
    /// first (non-empty and unique invoice ids, amounts and suspended days
    /// within the calculators' bounds, dates within 1900-2199); on any error
    /// nothing is written. Each row records `source_file` and its one-based
    /// position among the records.
    pub fn import_payments(
        &self,
        plan_code: &str,
        records: &[PaymentRecord],
        source_file: &str,
    ) -> Result<PaymentImportSummary, StoreError> {
        check_payments(records, source_file)?;
        crate::backend::on_backend!(self, |conn, b| b::calc::import_payments(
            conn,
            plan_code,
            records,
            source_file
        ))
    }

    /// Number of payments stored for plan `plan_code`.
    pub fn payment_count(&self, plan_code: &str) -> Result<i64, StoreError> {
        crate::backend::on_backend!(self, |conn, b| b::calc::payment_count(conn, plan_code))
    }

    /// Binds an indicator to a calculator with parameters (a JSON object;
    /// `null` means defaults). `guessed` is false when a person chose it.
    /// The calculator id is not checked against a registry here: plugins
    /// may be installed later; the engine's computation reports an unknown
    /// id.
    pub fn set_calculator_binding(
        &self,
        indicator_id: i32,
        calculator_id: &str,
        params: &serde_json::Value,
        guessed: bool,
    ) -> Result<(), StoreError> {
        let params = match params {
            serde_json::Value::Null => serde_json::json!({}),
            serde_json::Value::Object(_) => params.clone(),
            other => {
                return Err(invalid(
                    "calculator binding",
                    calculator_id,
                    format!("params must be a JSON object, found {other}"),
                ))
            }
        };
        if calculator_id.trim().is_empty() {
            return Err(invalid(
                "calculator binding",
                calculator_id,
                "the calculator id is empty",
            ));
        }
        crate::backend::on_backend!(self, |conn, b| b::calc::set_calculator_binding(
            conn,
            indicator_id,
            calculator_id,
            &params,
            guessed
        ))
    }

    /// Records (or replaces) the measured value of an indicator for a period.
    pub fn record_measurement(
        &self,
        indicator_id: i32,
        measured: &MeasuredValue,
    ) -> Result<(), StoreError> {
        crate::backend::on_backend!(self, |conn, b| b::calc::record_measurement(
            conn,
            indicator_id,
            measured
        ))
    }

    /// Records (or replaces) how complete a phase was in a period, in
    /// percent (0-100, at most two decimals).
    pub fn record_phase_progress(
        &self,
        phase_id: i32,
        period: &Period,
        completion_percent: Decimal,
        recorded_by: &str,
    ) -> Result<(), StoreError> {
        let bp = percent_to_bp(&format!("phase {phase_id} {period}"), completion_percent)?;
        crate::backend::on_backend!(self, |conn, b| b::calc::record_phase_progress(
            conn,
            phase_id,
            period,
            bp,
            recorded_by
        ))
    }

    /// The indicator with its label and calculator binding, or `NotFound`.
    pub fn bound_indicator(&self, indicator_id: i32) -> Result<BoundIndicator, StoreError> {
        crate::backend::on_backend!(self, |conn, b| b::calc::bound_indicator(conn, indicator_id))
    }

    /// Reads what `wanted` asks for, and the latest stored value of the
    /// indicator and `period`, in one consistent snapshot (a transaction on
    /// SQLite, a read-only repeatable-read transaction on Postgres, where a
    /// large payments table is read in two halves on two connections sharing
    /// that snapshot). No connection is held once it returns.
    pub fn read_inputs(
        &self,
        bound: &BoundIndicator,
        wanted: InputsWanted,
        period: &Period,
    ) -> Result<InputRows, StoreError> {
        crate::backend::on_backend!(
            self,
            pool | pool,
            b | b::read_inputs(pool, bound, wanted, period)
        )
    }

    /// Writes one computed value (and its change event) in one transaction;
    /// returns the row as stored.
    pub fn insert_value(&self, row: &NewIndicatorValue) -> Result<IndicatorValueRow, StoreError> {
        crate::backend::on_backend!(self, |conn, b| b::calc::insert_value(conn, row))
    }

    /// The latest stored value of an indicator for a period.
    pub fn latest_value_row(
        &self,
        indicator_id: i32,
        period: &str,
    ) -> Result<Option<IndicatorValueRow>, StoreError> {
        let period = parse_period(period)?.to_string();
        crate::backend::on_backend!(self, |conn, b| b::calc::latest_value(
            conn,
            indicator_id,
            &period
        ))
    }

    /// The latest stored value for `period` of each of `ids` that has one,
    /// in one statement per chunk of ids.
    pub fn latest_value_rows(
        &self,
        ids: &[i32],
        period: &str,
    ) -> Result<Vec<IndicatorValueRow>, StoreError> {
        let period = parse_period(period)?.to_string();
        crate::backend::on_backend!(self, |conn, b| b::calc::latest_values_of(
            conn, ids, &period
        ))
    }

    /// The stored values of many indicators (of one period, when given),
    /// newest first within each indicator, in one statement per chunk of ids.
    pub fn value_rows_of(
        &self,
        ids: &[i32],
        period: Option<&str>,
    ) -> Result<Vec<IndicatorValueRow>, StoreError> {
        let period = period.map(parse_period).transpose()?.map(|p| p.to_string());
        crate::backend::on_backend!(self, |conn, b| b::calc::values_of(
            conn,
            ids,
            period.as_deref()
        ))
    }

    /// Each indicator's direction and its target for `year`, one statement
    /// per relation and chunk of ids; indicators that do not exist are absent.
    pub fn judge_facts(&self, ids: &[i32], year: i32) -> Result<JudgeFacts, StoreError> {
        crate::backend::on_backend!(self, |conn, b| b::calc::directions_and_targets(
            conn, ids, year
        ))
    }

    /// Each objective's indicators, phases with their progress recorded for
    /// a period ending by `as_of`, and maximum score, one statement per
    /// relation and chunk of ids; objectives that do not exist are absent.
    pub fn objective_facts(
        &self,
        ids: &[i32],
        as_of: NaiveDate,
    ) -> Result<HashMap<i32, ObjectiveFacts>, StoreError> {
        crate::backend::on_backend!(self, |conn, b| b::calc::objectives_facts(conn, ids, as_of))
    }

    /// Binds an indicator to a calculator, as a person's choice (not
    /// guessed), if the indicator still has `expected_version`; returns the
    /// indicator with its new version. `params` must be a JSON object
    /// (`null` means the calculator's defaults). Like
    /// [`Database::set_calculator_binding`], the id is not checked against a
    /// registry here: the API checks it against the calculators it serves.
    pub fn bind_calculator(
        &self,
        indicator_id: i32,
        expected_version: i32,
        calculator_id: &str,
        params: &serde_json::Value,
    ) -> Result<crate::rows::Indicator, crate::graph::WriteError> {
        use crate::graph::WriteError;
        let params = match params {
            serde_json::Value::Null => serde_json::json!({}),
            serde_json::Value::Object(_) => params.clone(),
            other => {
                return Err(WriteError::Invalid {
                    field: Some("params".into()),
                    message: format!("params must be a JSON object, found {other}"),
                })
            }
        };
        if calculator_id.trim().is_empty() {
            return Err(WriteError::Invalid {
                field: Some("calculator".into()),
                message: "the calculator id is empty".into(),
            });
        }
        crate::backend::on_backend!(self, |conn, b| b::calc::bind_calculator(
            conn,
            indicator_id,
            expected_version,
            calculator_id,
            &params
        ))
    }

    /// The id of indicator `code` of objective `objective` in plan `plan`.
    pub fn indicator_id(&self, plan: &str, objective: &str, code: &str) -> Result<i32, StoreError> {
        crate::backend::on_backend!(self, |conn, b| b::calc::indicator_id(
            conn, plan, objective, code
        ))
    }

    /// The id of objective `objective` in plan `plan`.
    pub fn objective_id(&self, plan: &str, objective: &str) -> Result<i32, StoreError> {
        crate::backend::on_backend!(self, |conn, b| b::calc::objective_id(conn, plan, objective))
    }

    /// The id of phase `code` of objective `objective` in plan `plan`.
    pub fn phase_id(&self, plan: &str, objective: &str, code: &str) -> Result<i32, StoreError> {
        crate::backend::on_backend!(self, |conn, b| b::calc::phase_id(
            conn, plan, objective, code
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_invoice_ids_in_one_import_are_refused_naming_both_records() {
        let r = PaymentRecord {
            invoice_id: "F1".into(),
            supplier: "S".into(),
            amount_cents: 100,
            invoice_date: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            due_date: None,
            payment_date: None,
            suspended_days: 0,
        };
        let err = check_payments(&[r.clone(), r], "p.csv")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("record 2") && err.contains("record 1"),
            "{err}"
        );
    }
}
