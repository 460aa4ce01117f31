//! The writer and the reads of the budget classification: `missions`, `programs` and
//! `actions`, shared by all plans. A mission's and a program's sort key
//! (`rows::budget_order_key`) is derived here from the code, on every write
//! of the code. Compiled once per backend (`entity/mod.rs`), with `Conn`
//! from the parent.

use diesel::prelude::*;

use super::Conn;
use super::changed;
use crate::rows;
use crate::schema::{actions, missions, programs};

pub(crate) fn insert_mission(
    conn: &mut Conn,
    code: &str,
    name: &str,
) -> QueryResult<rows::Mission> {
    diesel::insert_into(missions::table)
        .values((
            missions::code.eq(code),
            missions::name.eq(name),
            missions::sort_key.eq(rows::budget_order_key(code)),
        ))
        .returning(rows::Mission::as_returning())
        .get_result(conn)
}

/// Changes the fields given of mission `id`, in one statement.
pub(crate) fn update_mission(
    conn: &mut Conn,
    id: i32,
    code: Option<&str>,
    name: Option<&str>,
) -> QueryResult<usize> {
    changed(
        diesel::update(missions::table.find(id))
            .set((
                code.map(|c| missions::code.eq(c)),
                code.map(|c| missions::sort_key.eq(rows::budget_order_key(c))),
                name.map(|n| missions::name.eq(n)),
            ))
            .execute(conn),
    )
}

pub(crate) fn delete_mission(conn: &mut Conn, id: i32) -> QueryResult<usize> {
    diesel::delete(missions::table.find(id)).execute(conn)
}

pub(crate) fn insert_program(
    conn: &mut Conn,
    mission_id: i32,
    code: &str,
    name: &str,
) -> QueryResult<rows::Program> {
    diesel::insert_into(programs::table)
        .values((
            programs::mission_id.eq(mission_id),
            programs::code.eq(code),
            programs::name.eq(name),
            programs::sort_key.eq(rows::budget_order_key(code)),
        ))
        .returning(rows::Program::as_returning())
        .get_result(conn)
}

/// Changes the fields given of program `id`, in one statement.
pub(crate) fn update_program(
    conn: &mut Conn,
    id: i32,
    mission_id: Option<i32>,
    code: Option<&str>,
    name: Option<&str>,
) -> QueryResult<usize> {
    changed(
        diesel::update(programs::table.find(id))
            .set((
                mission_id.map(|m| programs::mission_id.eq(m)),
                code.map(|c| programs::code.eq(c)),
                code.map(|c| programs::sort_key.eq(rows::budget_order_key(c))),
                name.map(|n| programs::name.eq(n)),
            ))
            .execute(conn),
    )
}

pub(crate) fn delete_program(conn: &mut Conn, id: i32) -> QueryResult<usize> {
    diesel::delete(programs::table.find(id)).execute(conn)
}

pub(crate) fn insert_action(
    conn: &mut Conn,
    program_id: i32,
    name: &str,
) -> QueryResult<rows::Action> {
    diesel::insert_into(actions::table)
        .values((actions::program_id.eq(program_id), actions::name.eq(name)))
        .returning(rows::Action::as_returning())
        .get_result(conn)
}

/// Changes the fields given of action `id`, in one statement.
pub(crate) fn update_action(
    conn: &mut Conn,
    id: i32,
    program_id: Option<i32>,
    name: Option<&str>,
) -> QueryResult<usize> {
    changed(
        diesel::update(actions::table.find(id))
            .set((
                program_id.map(|p| actions::program_id.eq(p)),
                name.map(|n| actions::name.eq(n)),
            ))
            .execute(conn),
    )
}

pub(crate) fn delete_action(conn: &mut Conn, id: i32) -> QueryResult<usize> {
    diesel::delete(actions::table.find(id)).execute(conn)
}

// ---- reads ----------------------------------------------------------------
#[allow(unused_imports)]
use super::read::*;
#[allow(unused_imports)]
use super::lower;

pub(crate) fn missions_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Mission>, StoreError> {
    load_in!(
        conn,
        ids,
        missions,
        missions::id,
        rows::Mission,
        missions::id
    )
}

pub(crate) fn missions_by_codes(
    conn: &mut Conn,
    codes: &[String],
) -> Result<Vec<rows::Mission>, StoreError> {
    load_in!(
        conn,
        codes,
        missions,
        missions::code,
        rows::Mission,
        missions::id
    )
}

macro_rules! mission_filters {
    ($q:ident, $f:expr) => {{
        let f: &BudgetFilter = $f;
        if let Some(c) = &f.mission_code {
            $q = $q.filter(missions::code.eq(c.clone()));
        }
        if let Some(c) = &f.program_code {
            $q = $q.filter(
                missions::id.eq_any(
                    programs::table
                        .filter(programs::code.eq(c.clone()))
                        .select(programs::mission_id),
                ),
            );
        }
        if let Some(s) = &f.search {
            let pat = like_pattern(s);
            $q = $q.filter(search!(pat, missions::code, missions::name));
        }
    }};
}

pub(crate) fn missions_page(
    conn: &mut Conn,
    f: &BudgetFilter,
    page: &PageRequest,
) -> Result<Vec<rows::Mission>, StoreError> {
    let mut q = missions::table.into_boxed::<Db>();
    mission_filters!(q, f);
    keyset!(q, page, missions::sort_key, missions::id, text_key);
    Ok(q.load::<rows::Mission>(conn)?)
}

pub(crate) fn missions_count(conn: &mut Conn, f: &BudgetFilter) -> Result<i64, StoreError> {
    let mut q = missions::table.into_boxed::<Db>();
    mission_filters!(q, f);
    Ok(q.count().get_result(conn)?)
}

pub(crate) fn programs_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Program>, StoreError> {
    load_in!(
        conn,
        ids,
        programs,
        programs::id,
        rows::Program,
        programs::id
    )
}

pub(crate) fn programs_by_codes(
    conn: &mut Conn,
    codes: &[String],
) -> Result<Vec<rows::Program>, StoreError> {
    load_in!(
        conn,
        codes,
        programs,
        programs::code,
        rows::Program,
        programs::id
    )
}

pub(crate) fn programs_of_missions(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Program>, StoreError> {
    load_in!(
        conn,
        ids,
        programs,
        programs::mission_id,
        rows::Program,
        (programs::sort_key, programs::id)
    )
}

macro_rules! program_filters {
    ($q:ident, $f:expr) => {{
        let f: &BudgetFilter = $f;
        if let Some(c) = &f.mission_code {
            $q = $q.filter(
                programs::mission_id.eq_any(
                    missions::table
                        .filter(missions::code.eq(c.clone()))
                        .select(missions::id),
                ),
            );
        }
        if let Some(c) = &f.program_code {
            $q = $q.filter(programs::code.eq(c.clone()));
        }
        if let Some(s) = &f.search {
            let pat = like_pattern(s);
            $q = $q.filter(search!(pat, programs::code, programs::name));
        }
    }};
}

pub(crate) fn programs_page(
    conn: &mut Conn,
    f: &BudgetFilter,
    page: &PageRequest,
) -> Result<Vec<rows::Program>, StoreError> {
    let mut q = programs::table.into_boxed::<Db>();
    program_filters!(q, f);
    keyset!(q, page, programs::sort_key, programs::id, text_key);
    Ok(q.load::<rows::Program>(conn)?)
}

pub(crate) fn programs_count(conn: &mut Conn, f: &BudgetFilter) -> Result<i64, StoreError> {
    let mut q = programs::table.into_boxed::<Db>();
    program_filters!(q, f);
    Ok(q.count().get_result(conn)?)
}

pub(crate) fn actions_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Action>, StoreError> {
    load_in!(conn, ids, actions, actions::id, rows::Action, actions::id)
}

pub(crate) fn actions_of_programs(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Action>, StoreError> {
    load_in!(
        conn,
        ids,
        actions,
        actions::program_id,
        rows::Action,
        (actions::name, actions::id)
    )
}

macro_rules! action_filters {
    ($q:ident, $f:expr) => {{
        let f: &BudgetFilter = $f;
        if let Some(c) = &f.mission_code {
            $q = $q.filter(
                actions::program_id.eq_any(
                    programs::table
                        .inner_join(missions::table)
                        .filter(missions::code.eq(c.clone()))
                        .select(programs::id),
                ),
            );
        }
        if let Some(c) = &f.program_code {
            $q = $q.filter(
                actions::program_id.eq_any(
                    programs::table
                        .filter(programs::code.eq(c.clone()))
                        .select(programs::id),
                ),
            );
        }
        if let Some(s) = &f.search {
            let pat = like_pattern(s);
            $q = $q.filter(search!(pat, actions::name));
        }
    }};
}

pub(crate) fn actions_page(
    conn: &mut Conn,
    f: &BudgetFilter,
    page: &PageRequest,
) -> Result<Vec<rows::Action>, StoreError> {
    let mut q = actions::table.into_boxed::<Db>();
    action_filters!(q, f);
    keyset!(q, page, actions::name, actions::id, text_key);
    Ok(q.load::<rows::Action>(conn)?)
}

pub(crate) fn actions_count(conn: &mut Conn, f: &BudgetFilter) -> Result<i64, StoreError> {
    let mut q = actions::table.into_boxed::<Db>();
    action_filters!(q, f);
    Ok(q.count().get_result(conn)?)
}

type BudgetRow = (i32, rows::Action, rows::Program, rows::Mission);

pub(crate) fn budget_of_objectives(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<BudgetRow>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        out.extend(
            objective_actions::table
                .inner_join(actions::table.inner_join(programs::table.inner_join(missions::table)))
                .filter(keys_in!(objective_actions::objective_id, chunk))
                .order((objective_actions::objective_id, objective_actions::position))
                .select((
                    objective_actions::objective_id,
                    rows::Action::as_select(),
                    rows::Program::as_select(),
                    rows::Mission::as_select(),
                ))
                .load::<BudgetRow>(conn)?,
        );
    }
    Ok(out)
}

pub(crate) fn objectives_of_actions(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<(i32, rows::Objective)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        out.extend(
            objective_actions::table
                .inner_join(objectives::table)
                .filter(keys_in!(objective_actions::action_id, chunk))
                .order((objectives::plan_id, objectives::position, objectives::id))
                .select((objective_actions::action_id, rows::Objective::as_select()))
                .load::<(i32, rows::Objective)>(conn)?,
        );
    }
    Ok(out)
}
