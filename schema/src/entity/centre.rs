//! The writer and the reads of `responsibility_centres` and their `offices`. Compiled
//! once per backend (`entity/mod.rs`), with `Conn` from the parent.

use diesel::prelude::*;

use super::Conn;
use super::changed;
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

// ---- reads ----------------------------------------------------------------
#[allow(unused_imports)]
use super::read::*;
#[allow(unused_imports)]
use super::lower;

pub(crate) fn responsibility_centres_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::ResponsibilityCentre>, StoreError> {
    load_in!(
        conn,
        ids,
        responsibility_centres,
        responsibility_centres::id,
        rows::ResponsibilityCentre,
        responsibility_centres::id
    )
}

pub(crate) fn responsibility_centres_of_plans(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::ResponsibilityCentre>, StoreError> {
    load_in!(
        conn,
        ids,
        responsibility_centres,
        responsibility_centres::plan_id,
        rows::ResponsibilityCentre,
        (responsibility_centres::name, responsibility_centres::id)
    )
}


pub(crate) fn responsibility_centres_page(
    conn: &mut Conn,
    f: &PlanPartFilter,
    page: &PageRequest,
) -> Result<Vec<rows::ResponsibilityCentre>, StoreError> {
    let mut q = responsibility_centres::table.into_boxed::<Db>();
    plan_part_filters!(q, f, responsibility_centres::plan_id);
    if let Some(s) = &f.search {
        let pat = like_pattern(s);
        q = q.filter(
            search!(pat, responsibility_centres::name).or(lower(
                responsibility_centres::head.assume_not_null(),
            )
            .like(lower(pat.clone()))
            .escape('\\')),
        );
    }
    keyset!(
        q,
        page,
        responsibility_centres::name,
        responsibility_centres::id,
        text_key
    );
    Ok(q.load::<rows::ResponsibilityCentre>(conn)?)
}

pub(crate) fn responsibility_centres_count(
    conn: &mut Conn,
    f: &PlanPartFilter,
) -> Result<i64, StoreError> {
    let mut q = responsibility_centres::table.into_boxed::<Db>();
    plan_part_filters!(q, f, responsibility_centres::plan_id);
    if let Some(s) = &f.search {
        let pat = like_pattern(s);
        q = q.filter(
            search!(pat, responsibility_centres::name).or(lower(
                responsibility_centres::head.assume_not_null(),
            )
            .like(lower(pat.clone()))
            .escape('\\')),
        );
    }
    Ok(q.count().get_result(conn)?)
}

pub(crate) fn offices_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Office>, StoreError> {
    load_in!(conn, ids, offices, offices::id, rows::Office, offices::id)
}

pub(crate) fn offices_of_centres(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Office>, StoreError> {
    load_in!(
        conn,
        ids,
        offices,
        offices::responsibility_centre_id,
        rows::Office,
        (offices::name, offices::id)
    )
}

pub(crate) fn offices_of_objectives(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<(i32, rows::Office)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        out.extend(
            objective_offices::table
                .inner_join(offices::table)
                .filter(keys_in!(objective_offices::objective_id, chunk))
                .order((objective_offices::objective_id, objective_offices::position))
                .select((objective_offices::objective_id, rows::Office::as_select()))
                .load::<(i32, rows::Office)>(conn)?,
        );
    }
    Ok(out)
}

pub(crate) fn objectives_of_offices(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<(i32, rows::Objective)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        out.extend(
            objective_offices::table
                .inner_join(objectives::table)
                .filter(keys_in!(objective_offices::office_id, chunk))
                .order((objectives::plan_id, objectives::position, objectives::id))
                .select((objective_offices::office_id, rows::Objective::as_select()))
                .load::<(i32, rows::Objective)>(conn)?,
        );
    }
    Ok(out)
}
