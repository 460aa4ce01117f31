//! Stored values: the rows storage reads and writes, turned into
//! [`StoredValue`]s and back, and the reads of them.

use chrono::NaiveDateTime;
use cruscotto_calculators::{CalcResult, Diagnostic, Period, Provenance, ResultStatus};
use cruscotto_store::calc::{IndicatorValueRow, NewIndicatorValue};
use cruscotto_store::sql_types::Number;
use cruscotto_store::StoreError;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::Engine;

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
    /// True when [`Engine::compute_indicator`] found this value already
    /// stored for the same inputs and calculator version, and computed nothing.
    pub reused: bool,
}

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("unexpected {what} value {value:?}"))
}

/// A stored row as a [`StoredValue`]; a row this program did not write
/// (an unknown status, a decimal that does not parse) is `Corrupt`.
pub(crate) fn stored(row: IndicatorValueRow, reused: bool) -> Result<StoredValue, StoreError> {
    let IndicatorValueRow { id, fields: row } = row;
    let period = row
        .period
        .parse::<Period>()
        .map_err(|_| corrupt("period", &row.period))?;
    let status = match row.status.as_str() {
        "ok" => ResultStatus::Ok,
        "no_data" => ResultStatus::NoData,
        other => return Err(corrupt("status", other)),
    };
    Ok(StoredValue {
        id,
        indicator_id: row.indicator_id,
        status,
        value: row.value.map(Decimal::from),
        numerator: row.numerator.map(Decimal::from),
        denominator: row.denominator.map(Decimal::from),
        records_used: u64::try_from(row.records_used).unwrap_or(0),
        records_excluded: u64::try_from(row.records_excluded).unwrap_or(0),
        diagnostics: serde_json::from_str(&row.diagnostics)
            .map_err(|_| corrupt("diagnostics", &row.diagnostics))?,
        params: serde_json::from_str(&row.calculator_params)
            .map_err(|_| corrupt("calculator params", &row.calculator_params))?,
        provenance: Provenance {
            calculator_id: row.calculator_id,
            calculator_version: row.calculator_version,
            source: row.calculator_source,
            period,
            input_fingerprint: row.input_fingerprint,
        },
        period,
        computed_at: row.computed_at,
        computed_by: row.computed_by,
        reused,
    })
}

/// The row that stores a calculator's result with its provenance.
pub(crate) fn new_value_row(
    indicator_id: i32,
    result: &CalcResult,
    provenance: &Provenance,
    params: &serde_json::Value,
    who: &str,
) -> NewIndicatorValue {
    NewIndicatorValue {
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
            ResultStatus::Ok => result.value.map(Number),
            ResultStatus::NoData => None,
        },
        numerator: result.components.map(|c| Number(c.numerator)),
        denominator: result.components.map(|c| Number(c.denominator)),
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

fn all_stored(rows: Vec<IndicatorValueRow>) -> Result<Vec<StoredValue>, StoreError> {
    rows.into_iter().map(|r| stored(r, false)).collect()
}

impl Engine<'_> {
    /// Stored values of an indicator, newest first; all periods when
    /// `period` is `None`.
    pub fn indicator_values(
        &self,
        indicator_id: i32,
        period: Option<&str>,
    ) -> Result<Vec<StoredValue>, StoreError> {
        all_stored(self.db.value_rows_of(&[indicator_id], period)?)
    }

    /// The latest stored value of an indicator for a period.
    pub fn latest_value(
        &self,
        indicator_id: i32,
        period: &str,
    ) -> Result<Option<StoredValue>, StoreError> {
        self.db
            .latest_value_row(indicator_id, period)?
            .map(|r| stored(r, false))
            .transpose()
    }

    /// The latest stored value for `period` of each of `ids` that has one,
    /// in one statement per chunk of ids.
    pub fn latest_values(&self, ids: &[i32], period: &str) -> Result<Vec<StoredValue>, StoreError> {
        all_stored(self.db.latest_value_rows(ids, period)?)
    }

    /// The stored values of many indicators (of one period, when given),
    /// newest first within each indicator, in one statement per chunk of ids.
    pub fn values_of_indicators(
        &self,
        ids: &[i32],
        period: Option<&str>,
    ) -> Result<Vec<StoredValue>, StoreError> {
        all_stored(self.db.value_rows_of(ids, period)?)
    }
}
