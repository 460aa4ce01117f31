//! Rows of the calculation tables: what is inserted and what is read back.

use crate::sql_types::Number;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::{indicator_values, payments, phase_progress};

/// A payment to insert or update (by plan and invoice id).
#[derive(Debug, Insertable)]
#[diesel(table_name = payments)]
pub(crate) struct NewPayment<'a> {
    pub plan_id: i32,
    pub invoice_id: &'a str,
    pub supplier: &'a str,
    pub amount_cents: i64,
    pub invoice_date: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub payment_date: Option<NaiveDate>,
    pub suspended_days: i32,
    pub source_file: &'a str,
    pub line: i32,
}

/// A phase's completion for a period.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = phase_progress)]
pub(crate) struct NewPhaseProgress<'a> {
    pub phase_id: i32,
    pub period: &'a str,
    pub period_end: NaiveDate,
    pub completion_bp: i32,
    pub recorded_by: &'a str,
    pub recorded_at: NaiveDateTime,
}

/// A computed value to store, and every column of a stored one but its id:
/// the status as `ok` or `no_data`, diagnostics and
/// parameters as JSON text.
#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = indicator_values)]
pub struct NewIndicatorValue {
    pub indicator_id: i32,
    pub period: String,
    pub status: String,
    pub value: Option<Number>,
    pub numerator: Option<Number>,
    pub denominator: Option<Number>,
    pub records_used: i64,
    pub records_excluded: i64,
    pub diagnostics: String,
    pub calculator_id: String,
    pub calculator_version: String,
    pub calculator_source: String,
    pub calculator_params: String,
    pub input_fingerprint: String,
    pub computed_at: NaiveDateTime,
    pub computed_by: String,
}

/// A stored value as read back: its id (a larger id is a later
/// computation) and the columns it was stored with.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = indicator_values)]
pub struct IndicatorValueRow {
    pub id: i32,
    #[diesel(embed)]
    pub fields: NewIndicatorValue,
}
