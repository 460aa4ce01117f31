//! The mutation root: create, update and delete every kind of object,
//! record measured values and import documents. Every mutation checks the
//! caller's role first, validates its input (errors name the input field),
//! writes in one transaction, and publishes indicator events only after the
//! commit.
//!
//! Optimistic concurrency: plans, objectives and indicators carry a
//! `version`; their updates take `expectedVersion`. Phases are versioned
//! through their objective and targets through their indicator: their
//! writes take the parent's `expectedVersion` and increment it, so an edit
//! made from a stale view of an objective or indicator is refused whole.

use std::sync::Arc;

use async_graphql::{Context, InputObject, MaybeUndefined, MergedObject, Object, SimpleObject, ID};
use cruscotto_store::graph::{
    IndicatorChanges, MeasurementInput, ObjectiveChanges, ObjectiveLinks, PhaseChanges,
    PlanChanges, TargetChanges,
};
use cruscotto_store::rows;
use rust_decimal::prelude::ToPrimitive;

use super::ids;
use super::scalars::{Date, Decimal};
use super::types::*;
use crate::auth::{self, Role, RoleGuard};
use crate::errors::{ApiError, ApiResult, Code};

/// Entry points for changing the graph. All need an editor's token
/// (imports: an administrator's).
#[derive(MergedObject, Default)]
#[graphql(name = "GraphMutationPart")]
pub struct MutationRoot(
    plans::PlanMutations,
    organisation::OrganisationMutations,
    objectives::ObjectiveMutations,
    areas::AreaMutations,
    records::RecordMutations,
);

/// The result of a deletion.
#[derive(Debug, Clone, SimpleObject)]
pub struct DeletePayload {
    /// Global id of the deleted object.
    pub deleted_id: ID,
}

pub(super) fn deleted(kind: &str, id: i32) -> DeletePayload {
    DeletePayload {
        deleted_id: ids::encode(kind, id),
    }
}

// ---- validation -----------------------------------------------------------

pub(super) fn required(field: &str, value: &str) -> ApiResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::bad_input(
            field,
            format!("{field} must not be empty"),
        ));
    }
    Ok(v.to_string())
}

pub(super) fn optional_required(field: &str, value: &Option<String>) -> ApiResult<Option<String>> {
    value.as_deref().map(|v| required(field, v)).transpose()
}

pub(super) fn year(field: &str, y: i32) -> ApiResult<i32> {
    if !(1900..=2200).contains(&y) {
        return Err(ApiError::bad_input(
            field,
            format!("{field} must be a year between 1900 and 2200"),
        ));
    }
    Ok(y)
}

pub(super) fn dates(start: Option<Date>, end: Option<Date>) -> ApiResult<()> {
    if let (Some(s), Some(e)) = (start, end) {
        if e.0 < s.0 {
            return Err(ApiError::bad_input(
                "input.endDate",
                "the end date comes before the start date",
            ));
        }
    }
    Ok(())
}

/// A phase weight in hundredths of a percent, refusing what the column
/// cannot hold exactly.
pub(super) fn weight_bp(w: Decimal) -> ApiResult<i32> {
    let bp = w.0 * rust_decimal::Decimal::from(100);
    if !bp.fract().is_zero()
        || bp < rust_decimal::Decimal::ZERO
        || bp > rust_decimal::Decimal::from(10_000)
    {
        return Err(ApiError::bad_input(
            "input.weight",
            "the weight must be between 0 and 100 percent, with at most two decimals",
        ));
    }
    bp.to_i32()
        .ok_or_else(|| ApiError::bad_input("input.weight", "the weight is out of range"))
}

pub(super) fn max_score(s: &MaxScoreInput) -> ApiResult<(i32, i32)> {
    if s.out_of <= 0 || s.points < 0 || s.points > s.out_of {
        return Err(ApiError::bad_input(
            "input.maxScore",
            "the maximum score must be 0 to outOf points, with outOf above 0",
        ));
    }
    Ok((s.points, s.out_of))
}

pub(super) fn id_list(
    field: &str,
    kind: &str,
    list: &Option<Vec<ID>>,
) -> ApiResult<Option<Vec<i32>>> {
    list.as_ref()
        .map(|l| l.iter().map(|id| ids::expect(id, kind, field)).collect())
        .transpose()
}

pub(super) fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_string())
}

/// A published target or baseline text as read (`<=10` → comparator,
/// number); `field` names it in the error when it is empty.
pub(super) fn measure(field: &str, raw: &str) -> ApiResult<cruscotto_model::Measure> {
    Ok(cruscotto_import::measure::parse_measure(&required(
        field, raw,
    )?))
}

pub(super) fn maybe_str(v: &MaybeUndefined<String>) -> Option<Option<&str>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(s) => Some(Some(s.as_str())),
    }
}

pub(super) fn maybe_date(v: &MaybeUndefined<Date>) -> Option<Option<chrono::NaiveDate>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(d) => Some(Some(d.0)),
    }
}

macro_rules! blocking {
    ($ctx:expr, |$g:ident| $body:expr) => {
        state($ctx)?
            .blocking(move |db| {
                let $g = db.graph();
                $body.map_err(ApiError::from)
            })
            .await
    };
}

mod areas;
mod inputs;
mod objectives;
mod organisation;
mod plans;
mod records;

pub use inputs::*;
pub use records::{ImportResult, PlanCounts};
