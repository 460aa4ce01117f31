//! Indicator calculations on stored data: invoice payments, measured values
//! and phase progress in, computed values with provenance out, and
//! achievement against targets.
//!
//! # How a value is computed ([`Database::compute_indicator`])
//!
//! 1. The indicator's calculator binding is read (none → [`CalcStoreError::NoBinding`]).
//! 2. The inputs the calculator's descriptor asks for are read in one
//!    consistent snapshot:
//!    - `payments`: every payment of the indicator's plan, five columns
//!      decoded straight into day numbers and sorted by content, so that the
//!      fingerprint depends on what the payments are and not on the order the
//!      database returns them in;
//!    - a series: the indicator's measurements inside the period (see
//!      [`choose_measurements`]); a series named `numerator` or `denominator`
//!      reads that column, any other name reads `value`; each observation is
//!      dated on its period's last day;
//!    - `phases`: the phases of the indicator's objective with their weights
//!      and their latest progress recorded for a period ending by the end of
//!      the computed period (no progress → 0 %).
//! 3. The input fingerprint is computed ([`cruscotto_calculators::Provenance`]).
//!    When the latest stored value of the same indicator and period has the
//!    same fingerprint, calculator id and version, it is returned, marked
//!    [`StoredValue::reused`], and nothing is computed or written.
//! 4. Otherwise the calculator runs (a plugin under the registry's timeout;
//!    no database connection is held meanwhile) and a new `indicator_values`
//!    row is written. Older rows stay: they are the history.
//!
//! A year is computed from the year's raw inputs: the calculator
//! re-aggregates numerators and denominators. Quarter values are never
//! averaged.
//!
//! The queries are written once, in `ops.rs`, and compiled per backend like
//! those of [`crate::store`]; what they write (payments, measurements, phase
//! progress, computed values, calculator bindings) goes through the entity
//! writers ([`crate::entity`]), like every other write.

mod day;
mod pg_payments;
pub(crate) mod rows;

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use cruscotto_calculators::achievement::{
    self, Achievement, Comparator as TargetComparator, Direction, MaxScore, NoDataPolicy, Target,
};
use cruscotto_calculators::{
    CalcResult, CalculatorError, Diagnostic, InputError, InputKind, PaymentRecord, Period,
    PhaseProgress, Provenance, Registry, ResultStatus, MAX_ABS_AMOUNT_CENTS, MAX_SUSPENDED_DAYS,
};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::db::Database;
use crate::error::StoreError;

#[allow(clippy::duplicate_mod)] // The same queries, compiled for SQLite.
mod sqlite_ops {
    use diesel::prelude::*;
    use diesel::sql_types::{Bool, Integer};

    use crate::schema::payments;

    pub(super) type Conn = diesel::SqliteConnection;
    type Db = diesel::sqlite::Sqlite;
    use crate::backend::sqlite::entity;

    /// SQLite's payment loader does not use the index (see [`plan_filter`]),
    /// so its planner needs no fresh statistics after an import.
    fn refresh_payment_statistics(_conn: &mut Conn, _changed: usize) -> QueryResult<()> {
        Ok(())
    }

    /// The plan filter of the payment loader. The unary plus keeps SQLite
    /// off the `(plan_id, invoice_id)` index: reaching a million rows
    /// through an index costs one B-tree descent each, while one pass over
    /// the table reads them in storage order several times faster, and a
    /// plan's payments are most of the table in every realistic database.
    fn plan_filter(
        plan_id: i32,
    ) -> Box<dyn BoxableExpression<payments::table, Db, SqlType = Bool>> {
        Box::new(diesel::dsl::sql::<Bool>("+plan_id = ").bind::<Integer, _>(plan_id))
    }

    /// SQLite reads the payments on the one connection: its reads do not
    /// wait on the network, and a second connection could not share the
    /// first one's snapshot.
    fn read_payments(
        conn: &mut Conn,
        _helper: Option<&mut Conn>,
        plan_id: i32,
    ) -> QueryResult<Vec<cruscotto_calculators::PaymentRows>> {
        Ok(vec![read_payment_rows(conn, plan_id)?])
    }

    /// Runs `f` in a transaction; in SQLite a transaction reads one snapshot.
    fn snapshot<T, E>(conn: &mut Conn, f: impl FnOnce(&mut Conn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        conn.transaction(f)
    }

    include!("ops.rs");
}

#[allow(clippy::duplicate_mod)] // The same queries, compiled for Postgres.
mod pg_ops {
    use diesel::prelude::*;
    use diesel::sql_types::Bool;

    use crate::schema::payments;

    pub(super) type Conn = diesel::PgConnection;
    type Db = diesel::pg::Pg;
    use crate::backend::pg::entity;

    /// Refreshes the planner's statistics after a large import: without
    /// them Postgres assumes a plan holds few payments and reads a million
    /// rows through the index instead of scanning the table. ANALYZE samples
    /// a fixed number of rows, so it costs a fraction of a second.
    fn refresh_payment_statistics(conn: &mut Conn, changed: usize) -> QueryResult<()> {
        if changed >= 10_000 {
            diesel::sql_query("ANALYZE payments").execute(conn)?;
        }
        Ok(())
    }

    fn plan_filter(
        plan_id: i32,
    ) -> Box<dyn BoxableExpression<payments::table, Db, SqlType = Bool>> {
        Box::new(payments::plan_id.eq(plan_id))
    }

    // Postgres sends each payment as three integers, and reads half of a
    // large table on a helper connection in the same snapshot.
    use super::pg_payments::read_payments;

    /// Runs `f` in a read-only repeatable-read transaction: under the default
    /// read-committed level each statement would see its own snapshot, and
    /// inputs read by several statements could disagree.
    fn snapshot<T, E>(conn: &mut Conn, f: impl FnOnce(&mut Conn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        conn.build_transaction()
            .repeatable_read()
            .read_only()
            .run(f)
    }

    include!("ops.rs");
}

/// Why a computation could not be done. Storage errors are wrapped, not
/// extended: [`StoreError`] stays the error of plain storage.
#[derive(Debug, thiserror::Error)]
pub enum CalcStoreError {
    /// Reading or writing the database failed, or an object was not found.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The calculator failed (bad parameter, plugin error or timeout, overflow).
    #[error("calculator failed: {0}")]
    Calculator(#[from] CalculatorError),
    /// The indicator has no calculator binding.
    #[error("indicator {indicator} has no calculator: bind one first (cruscotto bind … --calculator ID)")]
    NoBinding {
        /// `PLAN/OBJECTIVE/INDICATOR`.
        indicator: String,
    },
    /// The binding names a calculator the registry does not have.
    #[error("indicator {indicator} is bound to calculator \"{calculator}\", which is not loaded (see `cruscotto calculators`)")]
    UnknownCalculator {
        /// `PLAN/OBJECTIVE/INDICATOR`.
        indicator: String,
        /// The calculator id of the binding.
        calculator: String,
    },
    /// The binding's parameters are not a JSON object.
    #[error("indicator {indicator}: calculator parameters must be a JSON object, found {params}")]
    InvalidParams {
        /// `PLAN/OBJECTIVE/INDICATOR`.
        indicator: String,
        /// The stored parameters.
        params: String,
    },
    /// Stored inputs the calculators refuse (out-of-range values).
    #[error("stored inputs are not valid: {0}")]
    Inputs(#[from] InputError),
}

impl From<diesel::result::Error> for CalcStoreError {
    fn from(e: diesel::result::Error) -> Self {
        CalcStoreError::Store(e.into())
    }
}

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

/// A computed indicator value with its provenance: one row of
/// `indicator_values`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredValue {
    /// Row id; a larger id is a later computation.
    pub id: i32,
    /// The indicator.
    pub indicator_id: i32,
    /// The period computed.
    pub period: Period,
    /// `ok` or `no_data`.
    pub status: ResultStatus,
    /// The value; `None` exactly when the status is `no_data`.
    pub value: Option<Decimal>,
    /// Numerator of ratio-like values (for payment timeliness: euro × days).
    /// `value = numerator / denominator × 100` for percentages, `× 1` otherwise.
    pub numerator: Option<Decimal>,
    /// Denominator of ratio-like values (for payment timeliness: euro).
    pub denominator: Option<Decimal>,
    /// Records that entered the computation.
    pub records_used: u64,
    /// Records in scope that had to be left out.
    pub records_excluded: u64,
    /// Notes of the calculator (and of the input loader).
    pub diagnostics: Vec<Diagnostic>,
    /// Calculator id and version, its source, the period and the input fingerprint.
    pub provenance: Provenance,
    /// Parameters the calculator ran with.
    pub params: serde_json::Value,
    /// When it was computed (UTC).
    pub computed_at: NaiveDateTime,
    /// Who asked for the computation.
    pub computed_by: String,
    /// True when [`Database::compute_indicator`] found this value already
    /// stored for the same inputs and calculator version, and computed nothing.
    pub reused: bool,
}

/// An indicator's value for a period against the target of that period's year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AchievementView {
    /// The indicator.
    pub indicator_id: i32,
    /// The target's year.
    pub year: i32,
    /// The value judged: the latest stored for the period, if any.
    pub value: Option<StoredValue>,
    /// The target as published (`<=10`), if the plan has one for the year.
    pub target_raw: Option<String>,
    /// The target as a comparator and a number, when a number could be read.
    pub target: Option<Target>,
    /// Which way is better, from the indicator.
    pub direction: Direction,
    /// Degree (0-100) and status; no data without a value or a numeric target.
    pub achievement: Achievement,
}

/// Where an objective's achievement comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AchievementBasis {
    /// The degrees of its indicators (those with data; equal weights).
    Indicators,
    /// The weighted completion of its phases.
    Phases,
    /// Nothing to judge yet.
    None,
}

/// An objective's achievement and score for a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveAchievementView {
    /// The objective.
    pub objective_id: i32,
    /// The year judged.
    pub year: i32,
    /// Indicators or phases.
    pub basis: AchievementBasis,
    /// Every indicator of the objective, judged for the year.
    pub indicators: Vec<AchievementView>,
    /// Every phase with its weight and completion at the end of the year.
    pub phases: Vec<PhaseProgress>,
    /// Degree and status of the objective.
    pub achievement: Achievement,
    /// The objective's maximum score (`50/70`), when the plan states one.
    pub max_score: Option<MaxScore>,
    /// Points earned: degree × the maximum points; `None` without data or maximum.
    pub score: Option<Decimal>,
}

/// A measurement as the input loader reads it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MeasurementInput {
    pub period: String,
    pub period_end: NaiveDate,
    pub value: String,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
}

/// Which of the measurements contained in `period` feed a computation: the
/// one recorded for exactly that period when there is one; otherwise those
/// of the coarsest granularity present (quarters before months). A figure is
/// thus never counted twice, for example a year's published value next to
/// its quarters. Measurements whose period does not parse are left out.
pub(crate) fn choose_measurements(
    period: &Period,
    rows: Vec<MeasurementInput>,
) -> Vec<MeasurementInput> {
    let parsed: Vec<(Period, MeasurementInput)> = rows
        .into_iter()
        .filter_map(|m| Some((m.period.parse::<Period>().ok()?, m)))
        .filter(|(p, _)| period.start() <= p.start() && p.end() <= period.end())
        .collect();
    if let Some(exact) = parsed.iter().position(|(p, _)| p == period) {
        return parsed
            .into_iter()
            .nth(exact)
            .map(|(_, m)| m)
            .into_iter()
            .collect();
    }
    let coarsest = parsed.iter().map(|(p, _)| p.kind()).max();
    parsed
        .into_iter()
        .filter(|(p, _)| Some(p.kind()) == coarsest)
        .map(|(_, m)| m)
        .collect()
}

/// The column of a measurement a series input reads.
fn measurement_column<'a>(name: &str, m: &'a MeasurementInput) -> Option<&'a str> {
    match name {
        "numerator" => m.numerator.as_deref(),
        "denominator" => m.denominator.as_deref(),
        _ => Some(m.value.as_str()),
    }
}

/// The `PLAN/OBJECTIVE/INDICATOR` label and binding of an indicator.
#[derive(Debug, Clone)]
pub(crate) struct BoundIndicator {
    pub id: i32,
    pub label: String,
    pub plan_id: i32,
    pub objective_id: i32,
    pub calculator_id: Option<String>,
    pub calculator_params: Option<String>,
}

/// What the loader read for one computation.
#[derive(Debug)]
pub(crate) struct LoadedInputs {
    pub inputs: cruscotto_calculators::Inputs,
    /// Measurements that lacked the column a series asked for.
    pub skipped_measurements: u64,
    pub latest: Option<rows::IndicatorValueRow>,
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("unexpected {what} value {value:?}"))
}

fn parse_decimal(s: &str) -> Result<Decimal, StoreError> {
    s.parse::<Decimal>().map_err(|_| corrupt("decimal", s))
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

fn bp_to_percent(bp: i32) -> Decimal {
    Decimal::new(i64::from(bp), 2).normalize()
}

impl rows::IndicatorValueRow {
    fn into_stored(self, reused: bool) -> Result<StoredValue, StoreError> {
        let period = self
            .period
            .parse::<Period>()
            .map_err(|_| corrupt("period", &self.period))?;
        let status = match self.status.as_str() {
            "ok" => ResultStatus::Ok,
            "no_data" => ResultStatus::NoData,
            other => return Err(corrupt("status", other)),
        };
        let decimal = |s: Option<String>| s.as_deref().map(parse_decimal).transpose();
        Ok(StoredValue {
            id: self.id,
            indicator_id: self.indicator_id,
            status,
            value: decimal(self.value)?,
            numerator: decimal(self.numerator)?,
            denominator: decimal(self.denominator)?,
            records_used: u64::try_from(self.records_used).unwrap_or(0),
            records_excluded: u64::try_from(self.records_excluded).unwrap_or(0),
            diagnostics: serde_json::from_str(&self.diagnostics)
                .map_err(|_| corrupt("diagnostics", &self.diagnostics))?,
            params: serde_json::from_str(&self.calculator_params)
                .map_err(|_| corrupt("calculator params", &self.calculator_params))?,
            provenance: Provenance {
                calculator_id: self.calculator_id,
                calculator_version: self.calculator_version,
                source: self.calculator_source,
                period,
                input_fingerprint: self.input_fingerprint,
            },
            period,
            computed_at: self.computed_at,
            computed_by: self.computed_by,
            reused,
        })
    }
}

fn new_value_row(
    indicator_id: i32,
    result: &CalcResult,
    provenance: &Provenance,
    params: &serde_json::Value,
    who: &str,
) -> rows::NewIndicatorValue {
    rows::NewIndicatorValue {
        indicator_id,
        period: provenance.period.to_string(),
        status: match result.status {
            ResultStatus::Ok => "ok",
            ResultStatus::NoData => "no_data",
        }
        .to_string(),
        // The status and the value agree in the table (a CHECK says so); a
        // calculator breaking that rule is stored as what its status says.
        value: match result.status {
            ResultStatus::Ok => result.value.map(|v| v.to_string()),
            ResultStatus::NoData => None,
        },
        numerator: result.components.map(|c| c.numerator.to_string()),
        denominator: result.components.map(|c| c.denominator.to_string()),
        records_used: i64::try_from(result.records_used).unwrap_or(i64::MAX),
        records_excluded: i64::try_from(result.records_excluded).unwrap_or(i64::MAX),
        diagnostics: serde_json::to_string(&result.diagnostics).unwrap_or_else(|_| "[]".into()),
        calculator_id: provenance.calculator_id.clone(),
        calculator_version: provenance.calculator_version.clone(),
        calculator_source: provenance.source.clone(),
        calculator_params: params.to_string(),
        input_fingerprint: provenance.input_fingerprint.clone(),
        computed_at: chrono::Utc::now().naive_utc(),
        computed_by: who.to_string(),
    }
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

macro_rules! dispatch {
    ($db:expr, $f:ident ( $($arg:expr),* )) => {
        match $db {
            Database::Sqlite(pool) => {
                sqlite_ops::$f(&mut *pool.get().map_err(StoreError::from)?, $($arg),*)
            }
            Database::Postgres(pool) => {
                pg_ops::$f(&mut *pool.get().map_err(StoreError::from)?, $($arg),*)
            }
        }
    };
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
        dispatch!(self, import_payments(plan_code, records, source_file))
    }

    /// Number of payments stored for plan `plan_code`.
    pub fn payment_count(&self, plan_code: &str) -> Result<i64, StoreError> {
        dispatch!(self, payment_count(plan_code))
    }

    /// Binds an indicator to a calculator with parameters (a JSON object;
    /// `null` means defaults). `guessed` is false when a person chose it.
    /// The calculator id is not checked against a registry here: plugins
    /// may be installed later; [`Database::compute_indicator`] reports an
    /// unknown id.
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
        dispatch!(
            self,
            set_calculator_binding(indicator_id, calculator_id, &params, guessed)
        )
    }

    /// Records (or replaces) the measured value of an indicator for a period.
    pub fn record_measurement(
        &self,
        indicator_id: i32,
        measured: &MeasuredValue,
    ) -> Result<(), StoreError> {
        dispatch!(self, record_measurement(indicator_id, measured))
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
        dispatch!(
            self,
            record_phase_progress(phase_id, period, bp, recorded_by)
        )
    }

    /// Computes an indicator for a period and stores the value with its
    /// provenance, or returns the stored one when nothing changed (see the
    /// module documentation). `who` is recorded as `computed_by`.
    pub fn compute_indicator(
        &self,
        registry: &Registry,
        indicator_id: i32,
        period: &Period,
        who: &str,
    ) -> Result<StoredValue, CalcStoreError> {
        let bound = dispatch!(self, bound_indicator(indicator_id))?;
        let calculator_id =
            bound
                .calculator_id
                .clone()
                .ok_or_else(|| CalcStoreError::NoBinding {
                    indicator: bound.label.clone(),
                })?;
        let calculator =
            registry
                .get(&calculator_id)
                .ok_or_else(|| CalcStoreError::UnknownCalculator {
                    indicator: bound.label.clone(),
                    calculator: calculator_id.clone(),
                })?;
        let params = match bound.calculator_params.as_deref().map(serde_json::from_str) {
            None => serde_json::json!({}),
            Some(Ok(serde_json::Value::Null)) => serde_json::json!({}),
            Some(Ok(v @ serde_json::Value::Object(_))) => v,
            Some(_) => {
                return Err(CalcStoreError::InvalidParams {
                    indicator: bound.label.clone(),
                    params: bound.calculator_params.clone().unwrap_or_default(),
                })
            }
        };
        let descriptor = calculator.descriptor().clone();
        let started = std::time::Instant::now();
        let specs = &descriptor.inputs;
        let loaded = match self {
            Database::Sqlite(pool) => sqlite_ops::load_inputs(
                &mut *pool.get().map_err(StoreError::from)?,
                None,
                &bound,
                specs,
                period,
            ),
            Database::Postgres(pool) => {
                let mut conn = pool.get().map_err(StoreError::from)?;
                // A second connection, when one is idle, reads part of the
                // payments; none is waited for.
                let wants_payments = specs.iter().any(|s| s.kind == InputKind::Payments);
                let mut helper = wants_payments.then(|| pool.try_get()).flatten();
                let helper = helper.as_deref_mut().map(|h| &mut **h);
                pg_ops::load_inputs(&mut conn, helper, &bound, specs, period)
            }
        }?;
        let loaded_in = started.elapsed();
        let provenance = Provenance::new(&descriptor, &loaded.inputs, period, &params);
        if let Some(latest) = loaded.latest {
            let same = latest.input_fingerprint == provenance.input_fingerprint
                && latest.calculator_id == descriptor.id
                && latest.calculator_version == descriptor.version;
            if same {
                tracing::debug!(indicator = %bound.label, %period, "inputs unchanged: stored value reused");
                return Ok(latest.into_stored(true)?);
            }
        }
        let computing = std::time::Instant::now();
        let mut result = calculator.compute(&loaded.inputs, period, &params)?;
        if loaded.skipped_measurements > 0 {
            result.diagnostics.push(Diagnostic::new(
                "measurement_without_component",
                format!(
                    "{} measurements in the period lacked the numerator or denominator the calculator reads and were left out",
                    loaded.skipped_measurements
                ),
            ));
        }
        tracing::info!(
            indicator = %bound.label,
            %period,
            calculator = %descriptor.id,
            load_ms = loaded_in.as_millis() as u64,
            compute_ms = computing.elapsed().as_millis() as u64,
            "indicator computed"
        );
        let row = new_value_row(indicator_id, &result, &provenance, &params, who);
        Ok(dispatch!(self, insert_value(&row))?.into_stored(false)?)
    }

    /// Stored values of an indicator, newest first; all periods when
    /// `period` is `None`.
    pub fn indicator_values(
        &self,
        indicator_id: i32,
        period: Option<&str>,
    ) -> Result<Vec<StoredValue>, StoreError> {
        let period = period.map(parse_period).transpose()?.map(|p| p.to_string());
        dispatch!(self, indicator_values(indicator_id, period.as_deref()))?
            .into_iter()
            .map(|r| r.into_stored(false))
            .collect()
    }

    /// The latest stored value of an indicator for a period.
    pub fn latest_value(
        &self,
        indicator_id: i32,
        period: &str,
    ) -> Result<Option<StoredValue>, StoreError> {
        let period = parse_period(period)?.to_string();
        dispatch!(self, latest_value(indicator_id, &period))?
            .map(|r| r.into_stored(false))
            .transpose()
    }

    /// The latest value of an indicator for `year` against the target of
    /// that year, through [`cruscotto_calculators::achievement`].
    pub fn indicator_achievement(
        &self,
        indicator_id: i32,
        year: i32,
    ) -> Result<AchievementView, StoreError> {
        self.indicator_achievements(&[indicator_id], year)?
            .pop()
            .ok_or_else(|| StoreError::NotFound {
                entity: "indicator",
                key: indicator_id.to_string(),
            })
    }

    /// [`Database::indicator_achievement`] of many indicators at once, with
    /// one statement per relation (and chunk of ids), in the order of `ids`;
    /// indicators that do not exist are left out.
    pub fn indicator_achievements(
        &self,
        ids: &[i32],
        year: i32,
    ) -> Result<Vec<AchievementView>, StoreError> {
        let period = year_period(year)?.to_string();
        let mut latest: HashMap<i32, StoredValue> = self
            .latest_values(ids, &period)?
            .into_iter()
            .map(|v| (v.indicator_id, v))
            .collect();
        let facts = dispatch!(self, directions_and_targets(ids, year))?;
        let directions: HashMap<i32, String> = facts.directions.into_iter().collect();
        let mut targets = facts.targets;
        ids.iter()
            .filter_map(|id| directions.get(id).map(|d| (*id, d)))
            .map(|(id, direction)| {
                judge(id, year, latest.remove(&id), direction, targets.remove(&id))
            })
            .collect()
    }

    /// Any stored value (a quarter's, for instance) against the target of
    /// its period's year.
    pub fn value_achievement(&self, value: &StoredValue) -> Result<AchievementView, StoreError> {
        let year = value.period.year_number();
        let facts = dispatch!(self, directions_and_targets(&[value.indicator_id], year))?;
        let direction = facts
            .directions
            .first()
            .map(|(_, d)| d.clone())
            .ok_or_else(|| StoreError::NotFound {
                entity: "indicator",
                key: value.indicator_id.to_string(),
            })?;
        let mut targets = facts.targets;
        judge(
            value.indicator_id,
            year,
            Some(value.clone()),
            &direction,
            targets.remove(&value.indicator_id),
        )
    }

    /// The latest stored value for `period` of each of `ids` that has one,
    /// in one statement per chunk of ids.
    pub fn latest_values(&self, ids: &[i32], period: &str) -> Result<Vec<StoredValue>, StoreError> {
        let period = parse_period(period)?.to_string();
        dispatch!(self, latest_values_of(ids, &period))?
            .into_iter()
            .map(|r| r.into_stored(false))
            .collect()
    }

    /// The stored values of many indicators (of one period, when given),
    /// newest first within each indicator, in one statement per chunk of ids.
    pub fn values_of_indicators(
        &self,
        ids: &[i32],
        period: Option<&str>,
    ) -> Result<Vec<StoredValue>, StoreError> {
        let period = period.map(parse_period).transpose()?.map(|p| p.to_string());
        dispatch!(self, values_of(ids, period.as_deref()))?
            .into_iter()
            .map(|r| r.into_stored(false))
            .collect()
    }

    /// An objective's achievement for a year: from its indicators that have
    /// a value for the year (equal weights), or, when none has, from its
    /// phases' weights and their progress at the end of the year. The score
    /// is the degree × the objective's maximum points (`50/70` → up to 50).
    pub fn objective_achievement(
        &self,
        objective_id: i32,
        year: i32,
    ) -> Result<ObjectiveAchievementView, StoreError> {
        self.objective_achievements(&[objective_id], year)?
            .pop()
            .ok_or_else(|| StoreError::NotFound {
                entity: "objective",
                key: objective_id.to_string(),
            })
    }

    /// [`Database::objective_achievement`] of many objectives at once, with
    /// one statement per relation (and chunk of ids), in the order of `ids`;
    /// objectives that do not exist are left out.
    pub fn objective_achievements(
        &self,
        ids: &[i32],
        year: i32,
    ) -> Result<Vec<ObjectiveAchievementView>, StoreError> {
        let period = year_period(year)?;
        let mut facts = dispatch!(self, objectives_facts(ids, period.end()))?;
        let indicator_ids: Vec<i32> = facts
            .values()
            .flat_map(|f| f.indicator_ids.iter().copied())
            .collect();
        let mut judged: HashMap<i32, AchievementView> = self
            .indicator_achievements(&indicator_ids, year)?
            .into_iter()
            .map(|v| (v.indicator_id, v))
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for &objective_id in ids {
            let Some(facts) = facts.remove(&objective_id) else {
                continue;
            };
            let indicators: Vec<AchievementView> = facts
                .indicator_ids
                .iter()
                .filter_map(|id| judged.remove(id))
                .collect();
            out.push(objective_view(objective_id, year, facts, indicators));
        }
        Ok(out)
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
        let pool_error = |e| WriteError::Store(StoreError::from(e));
        match self {
            Database::Sqlite(pool) => sqlite_ops::bind_calculator(
                &mut *pool.get().map_err(pool_error)?,
                indicator_id,
                expected_version,
                calculator_id,
                &params,
            ),
            Database::Postgres(pool) => pg_ops::bind_calculator(
                &mut *pool.get().map_err(pool_error)?,
                indicator_id,
                expected_version,
                calculator_id,
                &params,
            ),
        }
    }

    /// The id of indicator `code` of objective `objective` in plan `plan`.
    pub fn indicator_id(&self, plan: &str, objective: &str, code: &str) -> Result<i32, StoreError> {
        dispatch!(self, indicator_id(plan, objective, code))
    }

    /// The id of objective `objective` in plan `plan`.
    pub fn objective_id(&self, plan: &str, objective: &str) -> Result<i32, StoreError> {
        dispatch!(self, objective_id(plan, objective))
    }

    /// The id of phase `code` of objective `objective` in plan `plan`.
    pub fn phase_id(&self, plan: &str, objective: &str, code: &str) -> Result<i32, StoreError> {
        dispatch!(self, phase_id(plan, objective, code))
    }
}

/// What judging indicators for a year needs, read in one batch.
#[derive(Debug, Default)]
pub(crate) struct JudgeFacts {
    /// Each indicator's direction.
    pub directions: Vec<(i32, String)>,
    /// Each indicator's target for the year: raw, comparator, number.
    pub targets: HashMap<i32, (String, Option<String>, Option<String>)>,
}

fn year_period(year: i32) -> Result<Period, StoreError> {
    Period::year(year).map_err(|e| invalid("period", year.to_string(), e.to_string()))
}

/// An indicator's value against its target, through
/// [`cruscotto_calculators::achievement`].
fn judge(
    indicator_id: i32,
    year: i32,
    value: Option<StoredValue>,
    direction: &str,
    target: Option<(String, Option<String>, Option<String>)>,
) -> Result<AchievementView, StoreError> {
    let direction = match direction {
        "higher_is_better" => Direction::HigherIsBetter,
        "lower_is_better" => Direction::LowerIsBetter,
        other => return Err(corrupt("direction", other)),
    };
    let parsed = match &target {
        Some((_, comparator, Some(number))) => Some(Target {
            comparator: match comparator.as_deref() {
                Some("le" | "lt") => TargetComparator::AtMost,
                Some("ge" | "gt") => TargetComparator::AtLeast,
                _ => TargetComparator::Reach,
            },
            value: parse_decimal(number)?,
        }),
        _ => None,
    };
    let achievement = match &parsed {
        Some(t) => {
            achievement::indicator_achievement(value.as_ref().and_then(|v| v.value), t, direction)
        }
        None => Achievement::NO_DATA,
    };
    Ok(AchievementView {
        indicator_id,
        year,
        value,
        target_raw: target.map(|(raw, _, _)| raw),
        target: parsed,
        direction,
        achievement,
    })
}

/// An objective's achievement from its facts and its judged indicators:
/// the indicators when any has a degree, else the phases when any progress
/// was recorded, else nothing to judge.
fn objective_view(
    objective_id: i32,
    year: i32,
    facts: ObjectiveFacts,
    indicators: Vec<AchievementView>,
) -> ObjectiveAchievementView {
    let judged: Vec<(Achievement, Option<Decimal>)> =
        indicators.iter().map(|v| (v.achievement, None)).collect();
    let phases: Vec<PhaseProgress> = facts.phases.iter().map(|(p, _)| p.clone()).collect();
    let any_progress = facts.phases.iter().any(|(_, recorded)| *recorded);
    let (basis, achieved) = if indicators.iter().any(|v| v.achievement.degree.is_some()) {
        (
            AchievementBasis::Indicators,
            achievement::objective_achievement(&judged, NoDataPolicy::Skip),
        )
    } else if any_progress {
        (
            AchievementBasis::Phases,
            achievement::phase_achievement(&phases),
        )
    } else {
        (AchievementBasis::None, Achievement::NO_DATA)
    };
    let max_score = facts.max_score.map(|(points, out_of)| MaxScore {
        points: Decimal::from(points),
        out_of: Some(Decimal::from(out_of)),
    });
    ObjectiveAchievementView {
        objective_id,
        year,
        basis,
        indicators,
        phases,
        score: max_score
            .as_ref()
            .and_then(|m| achievement::score(&achieved, m)),
        achievement: achieved,
        max_score,
    }
}

/// What an objective's achievement is built from.
#[derive(Debug)]
pub(crate) struct ObjectiveFacts {
    pub indicator_ids: Vec<i32>,
    /// Each phase with its completion, and whether any progress was recorded.
    pub phases: Vec<(PhaseProgress, bool)>,
    pub max_score: Option<(i32, i32)>,
}

/// Builds the phases input: every phase with its weight and its latest
/// completion (0 without one). `progress` is ordered by period end.
pub(crate) fn phase_inputs(
    phases: Vec<(i32, String, Option<i32>)>,
    progress: Vec<(i32, i32)>,
) -> Vec<(PhaseProgress, bool)> {
    let mut latest: HashMap<i32, i32> = HashMap::new();
    for (phase_id, bp) in progress {
        latest.insert(phase_id, bp);
    }
    phases
        .into_iter()
        .map(|(id, code, weight_bp)| {
            let recorded = latest.get(&id).copied();
            (
                PhaseProgress {
                    code,
                    weight: bp_to_percent(weight_bp.unwrap_or(0)),
                    completion_percent: bp_to_percent(recorded.unwrap_or(0)),
                },
                recorded.is_some(),
            )
        })
        .collect()
}

/// Builds the series inputs a descriptor asks for from the chosen
/// measurements; returns them and how many observations lacked their column.
pub(crate) fn series_inputs(
    specs: &[cruscotto_calculators::InputSpec],
    chosen: &[MeasurementInput],
) -> Result<(Vec<(String, cruscotto_calculators::Series)>, u64), CalcStoreError> {
    let mut out = Vec::new();
    let mut skipped = 0;
    for spec in specs.iter().filter(|s| s.kind == InputKind::Series) {
        let mut series = cruscotto_calculators::Series::new();
        for m in chosen {
            match measurement_column(&spec.name, m) {
                Some(text) => series.push(m.period_end, parse_decimal(text)?),
                None => skipped += 1,
            }
        }
        out.push((spec.name.clone(), series));
    }
    Ok((out, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(period: &str, value: &str) -> MeasurementInput {
        let p: Period = period.parse().unwrap();
        MeasurementInput {
            period: period.into(),
            period_end: p.end(),
            value: value.into(),
            numerator: None,
            denominator: None,
        }
    }

    fn periods(rows: &[MeasurementInput]) -> Vec<&str> {
        rows.iter().map(|r| r.period.as_str()).collect()
    }

    #[test]
    fn a_measurement_of_exactly_the_period_wins_over_its_parts() {
        let year: Period = "2020".parse().unwrap();
        let chosen = choose_measurements(
            &year,
            vec![m("2020-Q1", "1"), m("2020", "9"), m("2020-Q2", "2")],
        );
        assert_eq!(periods(&chosen), ["2020"]);
    }

    #[test]
    fn without_an_exact_measurement_quarters_are_used_before_months() {
        let year: Period = "2020".parse().unwrap();
        let chosen = choose_measurements(
            &year,
            vec![
                m("2020-Q1", "1"),
                m("2020-01", "5"),
                m("2020-Q2", "2"),
                m("2021-Q1", "7"),
            ],
        );
        assert_eq!(periods(&chosen), ["2020-Q1", "2020-Q2"]);
        let q1: Period = "2020-Q1".parse().unwrap();
        assert_eq!(
            periods(&choose_measurements(
                &q1,
                vec![m("2020-01", "5"), m("2020-02", "6")]
            )),
            ["2020-01", "2020-02"]
        );
    }

    #[test]
    fn phases_without_progress_count_zero_and_the_latest_progress_wins() {
        let phases = phase_inputs(
            vec![
                (1, "A.1.1".into(), Some(3000)),
                (2, "A.1.2".into(), Some(7000)),
            ],
            vec![(1, 5000), (1, 10000)],
        );
        assert_eq!(phases[0].0.completion_percent, Decimal::ONE_HUNDRED);
        assert!(phases[0].1);
        assert_eq!(phases[1].0.completion_percent, Decimal::ZERO);
        assert!(!phases[1].1);
        assert_eq!(phases[1].0.weight, Decimal::from(70));
    }

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
