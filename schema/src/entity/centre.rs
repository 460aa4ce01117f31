//! The writer of `responsibility_centres` and their `offices`. Compiled
//! once per backend (`entity/mod.rs`), with `Conn` from the parent.

use diesel::prelude::*;

use super::Conn;
use crate::entity::changed;
use crate::rows;
use crate::schema::{objective_offices, objectives, offices, responsibility_centres};

pub(crate) fn insert_centre(
    conn: &mut Conn,
    plan_id: i32,
    name: &str,
    head: Option<&str>,
) -> QueryResult<rows::ResponsibilityCentre> {
    diesel::insert_into(responsibility_centres::table)
        .values((
            responsibility_centres::plan_id.eq(plan_id),
            responsibility_centres::name.eq(name),
            responsibility_centres::head.eq(head),
        ))
        .returning(rows::ResponsibilityCentre::as_returning())
        .get_result(conn)
}

/// Changes the fields given of centre `id` (`head: Some(None)` clears the
/// head), in one statement.
pub(crate) fn update_centre(
    conn: &mut Conn,
    id: i32,
    name: Option<&str>,
    head: Option<Option<&str>>,
) -> QueryResult<usize> {
    changed(
        diesel::update(responsibility_centres::table.find(id))
            .set((
                name.map(|n| responsibility_centres::name.eq(n)),
                head.map(|h| responsibility_centres::head.eq(h)),
            ))
            .execute(conn),
    )
}

pub(crate) fn delete_centre(conn: &mut Conn, id: i32) -> QueryResult<usize> {
    diesel::delete(responsibility_centres::table.find(id)).execute(conn)
}

/// Deletes the centres of plan `plan_id` that no objective names.
pub(crate) fn delete_unused_centres(conn: &mut Conn, plan_id: i32) -> QueryResult<usize> {
    let used_centres = objectives::table.select(objectives::responsibility_centre_id);
    diesel::delete(
        responsibility_centres::table
            .filter(responsibility_centres::plan_id.eq(plan_id))
            .filter(diesel::dsl::not(
                responsibility_centres::id.eq_any(used_centres),
            )),
    )
    .execute(conn)
}

pub(crate) fn insert_office(
    conn: &mut Conn,
    centre_id: i32,
    name: &str,
) -> QueryResult<rows::Office> {
    diesel::insert_into(offices::table)
        .values((
            offices::responsibility_centre_id.eq(centre_id),
            offices::name.eq(name),
        ))
        .returning(rows::Office::as_returning())
        .get_result(conn)
}

/// Renames office `id`; `None` when there is no such office.
pub(crate) fn rename_office(
    conn: &mut Conn,
    id: i32,
    name: &str,
) -> QueryResult<Option<rows::Office>> {
    diesel::update(offices::table.find(id))
        .set(offices::name.eq(name))
        .returning(rows::Office::as_returning())
        .get_result(conn)
        .optional()
}

pub(crate) fn delete_office(conn: &mut Conn, id: i32) -> QueryResult<usize> {
    diesel::delete(offices::table.find(id)).execute(conn)
}

/// Deletes the offices of plan `plan_id`'s centres that no objective links to.
pub(crate) fn delete_unused_offices(conn: &mut Conn, plan_id: i32) -> QueryResult<usize> {
    let plan_centres = responsibility_centres::table
        .filter(responsibility_centres::plan_id.eq(plan_id))
        .select(responsibility_centres::id);
    let linked_offices = objective_offices::table.select(objective_offices::office_id);
    diesel::delete(
        offices::table
            .filter(offices::responsibility_centre_id.eq_any(plan_centres))
            .filter(diesel::dsl::not(offices::id.eq_any(linked_offices))),
    )
    .execute(conn)
}
