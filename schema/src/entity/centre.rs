//! The writer and the reads of `responsibility_centres` and their `offices`. Compiled
//! once per backend (`entity/mod.rs`), with `Conn` from the parent.

use diesel::prelude::*;

use super::changed;
use super::Conn;
use crate::rows;
use crate::schema::{objective_offices, objectives, offices, responsibility_centres};

row_writes!(responsibility_centres {
    insert insert_centre(plan_id: i32, name: &str, head: Option<&str>) -> rows::ResponsibilityCentre;
    update update_centre(name: &str, head: Option<&str>);
    delete delete_centre;
});

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

row_writes!(offices {
    insert insert_office(responsibility_centre_id: i32, name: &str) -> rows::Office;
    delete delete_office;
});

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
use super::lower;
#[allow(unused_imports)]
use super::read::*;

load_by!(
    responsibility_centres_by_ids,
    i32,
    responsibility_centres,
    responsibility_centres::id,
    rows::ResponsibilityCentre,
    responsibility_centres::id
);

load_by!(
    responsibility_centres_of_plans,
    i32,
    responsibility_centres,
    responsibility_centres::plan_id,
    rows::ResponsibilityCentre,
    (responsibility_centres::name, responsibility_centres::id)
);

plan_part_list!(
    responsibility_centres_page,
    responsibility_centres_count,
    responsibility_centres,
    rows::ResponsibilityCentre,
    search(
        responsibility_centres::name,
        responsibility_centres::head.assume_not_null()
    ),
    responsibility_centres::name
);

load_by!(
    offices_by_ids,
    i32,
    offices,
    offices::id,
    rows::Office,
    offices::id
);

load_by!(
    offices_of_centres,
    i32,
    offices,
    offices::responsibility_centre_id,
    rows::Office,
    (offices::name, offices::id)
);

load_linked!(
    offices_of_objectives,
    objective_offices,
    objective_id,
    offices::table,
    rows::Office,
    (objective_offices::objective_id, objective_offices::position)
);

load_linked!(
    objectives_of_offices,
    objective_offices,
    office_id,
    objectives::table,
    rows::Objective,
    (objectives::plan_id, objectives::position, objectives::id)
);
