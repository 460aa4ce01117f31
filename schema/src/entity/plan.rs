//! The writer of `plans`. Compiled once per backend (`entity/mod.rs`),
//! with `Conn` from the parent.

use diesel::prelude::*;

use super::Conn;
use crate::entity::changed;
use crate::graph::PlanChanges;
use crate::rows;
use crate::schema::plans;

/// Inserts a plan; returns it as stored.
pub(crate) fn insert(conn: &mut Conn, row: &rows::NewPlan) -> QueryResult<rows::Plan> {
    diesel::insert_into(plans::table)
        .values(row)
        .returning(rows::Plan::as_returning())
        .get_result(conn)
}

/// Overwrites every column of plan `id` with `row` (a re-import) and
/// increments its version.
pub(crate) fn replace(conn: &mut Conn, id: i32, row: &rows::NewPlan) -> QueryResult<usize> {
    diesel::update(plans::table.find(id))
        .set((row, plans::version.eq(plans::version + 1)))
        .execute(conn)
}

version_bump!(plans);

/// Applies `changes` to plan `id` (the version is the caller's, through
/// [`bump_version`]); nothing when no field changes.
pub(crate) fn update(conn: &mut Conn, id: i32, changes: &PlanChanges) -> QueryResult<usize> {
    changed(
        diesel::update(plans::table.find(id))
            .set(changes)
            .execute(conn),
    )
}

/// Deletes plan `id` and, by the foreign keys, everything it holds.
pub(crate) fn delete(conn: &mut Conn, id: i32) -> QueryResult<usize> {
    diesel::delete(plans::table.find(id)).execute(conn)
}
