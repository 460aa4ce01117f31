//! The writer and the reads of `plans`. Compiled once per backend (`entity/mod.rs`),
//! with `Conn` from the parent.

use diesel::prelude::*;

use super::changed;
use super::Conn;
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

versioned_writes!(plans, rows::NewPlan, PlanChanges);

/// Deletes plan `id` and, by the foreign keys, everything it holds.
pub(crate) fn delete(conn: &mut Conn, id: i32) -> QueryResult<usize> {
    diesel::delete(plans::table.find(id)).execute(conn)
}

// ---- reads ----------------------------------------------------------------
#[allow(unused_imports)]
use super::lower;
#[allow(unused_imports)]
use super::read::*;

/// The id of the plan of code `code`, `None` when there is none.
pub(crate) fn find_id(conn: &mut Conn, code: &str) -> QueryResult<Option<i32>> {
    plans::table
        .filter(plans::code.eq(code))
        .select(plans::id)
        .first(conn)
        .optional()
}

/// The id of the plan of code `code`; `NotFound` when there is none.
pub(crate) fn id_of(conn: &mut Conn, code: &str) -> Result<i32, StoreError> {
    find_id(conn, code)?.ok_or_else(|| StoreError::NotFound {
        entity: "plan",
        key: code.to_string(),
    })
}

load_by!(plans_by_ids, i32, plans, plans::id, rows::Plan, plans::id);

load_by!(
    plans_by_codes,
    String,
    plans,
    plans::code,
    rows::Plan,
    plans::id
);

macro_rules! plan_filters {
    ($q:ident, $f:expr) => {{
        let f: &PlanFilter = $f;
        if let Some(y) = f.year {
            $q = $q.filter(plans::first_year.le(y).and(plans::last_year.ge(y)));
        }
        if let Some(k) = &f.kind {
            $q = $q.filter(plans::kind.eq(*k));
        }
        search!($q, f.search, plans::code, plans::title, plans::administration.assume_not_null());
    }};
}

page_and_count!(
    plans_page,
    plans_count,
    plans,
    rows::Plan,
    PlanFilter,
    plan_filters,
    plans::code,
    text_key
);
