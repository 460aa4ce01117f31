//! Writing and reading whole plans: an import stores a
//! [`PlanDocument`](cruscotto_import::PlanDocument) in one transaction,
//! updating a plan of the same code in place, and an export rebuilds the
//! same document from the tables.
//!
//! The import is a composition of the entity writers ([`crate::entity`]):
//! it reads what a plan holds, decides what to insert, update and delete,
//! and calls each table's writer; it writes no statement of its own.
//!
//! The queries are query modules of the backend seam ([`crate::backend`]):
//! `import.rs` (the document's import) and `export.rs` (the document rebuilt,
//! counts, deletion), compiled once per backend. Each copy is plain,
//! concrete Diesel code: no generic bounds, and both backends get
//! `RETURNING`, multi-row inserts and sub-selects.

use cruscotto_import::model as m;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::db::Database;
use crate::error::StoreError;
use crate::sql_types::Number;

/// How many objects of each kind a plan holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PlanCounts {
    pub objectives: i64,
    pub indicators: i64,
    pub targets: i64,
    pub phases: i64,
    pub areas: i64,
    pub ambiti: i64,
    pub ambito_results: i64,
    pub measurements: i64,
    pub findings: i64,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    pub plan_code: String,
    /// False when a plan with the same code existed and was updated.
    pub created: bool,
    pub counts: PlanCounts,
    pub findings: Vec<m::Finding>,
}

impl Database {
    /// Stores `doc` in one transaction: a plan with the same code is updated
    /// in place (objects keep their ids; objects no longer in the document are
    /// removed; measurements recorded elsewhere are kept). On any error
    /// nothing is written.
    pub fn save_document(
        &self,
        doc: &m::PlanDocument,
        source_file: Option<&str>,
    ) -> Result<ImportSummary, StoreError> {
        check_unique_codes(doc)?;
        crate::backend::on_backend!(self, |conn, b| b::import::save_document(
            conn,
            doc,
            source_file
        ))
    }

    /// Rebuilds the document of plan `code` from the database.
    pub fn load_document(&self, code: &str) -> Result<m::PlanDocument, StoreError> {
        crate::backend::on_backend!(self, |conn, b| b::export::load_document(conn, code))
    }

    /// Codes of all plans, in code order.
    pub fn plan_codes(&self) -> Result<Vec<String>, StoreError> {
        crate::backend::on_backend!(self, |conn, b| b::export::plan_codes(conn))
    }

    /// Counts of the objects of plan `code`.
    pub fn plan_counts(&self, code: &str) -> Result<PlanCounts, StoreError> {
        crate::backend::on_backend!(self, |conn, b| b::export::plan_counts(conn, code))
    }

    /// Number of rows in every table, by table name: a fingerprint of the
    /// whole database used to show that a failed import changed nothing.
    pub fn table_counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        crate::backend::on_backend!(self, |conn, b| b::export::table_counts(conn))
    }

    /// Deletes plan `code` and everything that belongs to it.
    pub fn delete_plan(&self, code: &str) -> Result<(), StoreError> {
        crate::backend::on_backend!(self, |conn, b| b::export::delete_plan(conn, code))
    }
}

/// Rejects a document that breaks a rule of the stored model (codes that
/// repeat, empty names, two targets for one year, …; see
/// [`cruscotto_import::validate::problem`]) with a message naming the
/// object, before anything is written. The readers refuse such documents
/// already (with the line); this guards every other caller.
fn check_unique_codes(doc: &m::PlanDocument) -> Result<(), StoreError> {
    match cruscotto_import::validate::problem(doc) {
        None => Ok(()),
        Some(p) => Err(StoreError::Invalid {
            entity: p.entity,
            key: p.entity_code,
            message: p.message,
        }),
    }
}

pub(crate) fn invalid(entity: &'static str, key: &str, message: &str) -> StoreError {
    StoreError::Invalid {
        entity,
        key: key.to_string(),
        message: message.to_string(),
    }
}

/// The columns a [`m::Measure`] is stored in.
pub(crate) type MeasureColumns = (
    Option<String>,
    Option<m::Comparator>,
    Option<Number>,
    Option<m::Unit>,
    Option<String>,
);

pub(crate) fn measure_columns(measure: Option<&m::Measure>) -> MeasureColumns {
    match measure {
        None => (None, None, None, None, None),
        Some(v) => (
            Some(v.raw.clone()),
            v.comparator,
            v.number.map(Number),
            v.unit,
            v.note.clone(),
        ),
    }
}

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("unexpected {what} value {value:?}"))
}

/// A weight in percent as hundredths of a percent (8% → 800), refusing
/// values the column cannot hold exactly.
pub(crate) fn weight_to_bp(
    phase: &str,
    weight: Option<Decimal>,
) -> Result<Option<i32>, StoreError> {
    let Some(w) = weight else { return Ok(None) };
    let bp = w * Decimal::from(100);
    if !bp.fract().is_zero() || !(Decimal::ZERO..=Decimal::from(10_000)).contains(&bp) {
        return Err(invalid(
            "phase",
            phase,
            &format!("weight {w}% must be between 0 and 100 with at most two decimals"),
        ));
    }
    Ok(bp.to_i32())
}

pub(crate) fn weight_from_bp(bp: Option<i32>) -> Option<Decimal> {
    bp.map(|b| Decimal::new(i64::from(b), 2).normalize())
}

pub(crate) fn to_json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_string())
}

pub(crate) fn from_json_list(text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|_| corrupt("list", text))
}
