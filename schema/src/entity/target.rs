//! The writer and the reads of `targets`. Compiled once per backend (`entity/mod.rs`),
//! with `Conn` from the parent.

use diesel::prelude::*;

use super::changed;
use super::Conn;
use crate::graph::TargetChanges;
use crate::rows;
use crate::schema::{indicators, objectives, targets};

/// Inserts targets, [`INSERT_CHUNK`](super::INSERT_CHUNK) per
/// statement.
pub(crate) fn insert(conn: &mut Conn, rows: &[rows::NewTarget]) -> QueryResult<()> {
    insert_chunks!(targets::table, rows, conn)
}

/// Applies `changes` to target `id`; nothing when no field changes.
pub(crate) fn update(conn: &mut Conn, id: i32, changes: &TargetChanges) -> QueryResult<usize> {
    changed(
        diesel::update(targets::table.find(id))
            .set(changes)
            .execute(conn),
    )
}

/// Deletes target `id`; returns it, `None` when there was none.
pub(crate) fn delete(conn: &mut Conn, id: i32) -> QueryResult<Option<rows::Target>> {
    diesel::delete(targets::table.find(id))
        .returning(rows::Target::as_returning())
        .get_result(conn)
        .optional()
}

/// Deletes every target of the indicators of plan `plan_id` (a re-import
/// rewrites them).
pub(crate) fn delete_of_plan(conn: &mut Conn, plan_id: i32) -> QueryResult<usize> {
    let plan_indicators = indicators::table
        .inner_join(objectives::table)
        .filter(objectives::plan_id.eq(plan_id))
        .select(indicators::id);
    diesel::delete(targets::table.filter(targets::indicator_id.eq_any(plan_indicators)))
        .execute(conn)
}

// ---- reads ----------------------------------------------------------------
#[allow(unused_imports)]
use super::lower;
#[allow(unused_imports)]
use super::read::*;
load_by!(
    targets_by_ids,
    i32,
    targets,
    targets::id,
    rows::Target,
    targets::id
);

load_by!(
    targets_of_indicators,
    i32,
    targets,
    targets::indicator_id,
    rows::Target,
    (targets::indicator_id, targets::year)
);
