//! The writer and the reads of the budget classification: `missions`, `programs` and
//! `actions`, shared by all plans. A mission's and a program's sort key
//! (`rows::budget_order_key`) is derived here from the code, on every write
//! of the code. Compiled once per backend (`entity/mod.rs`), with `Conn`
//! from the parent.

use diesel::prelude::*;

use super::changed;
use super::Conn;
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

row_writes!(missions {
    delete delete_mission;
});

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

row_writes!(programs {
    delete delete_program;
});

row_writes!(actions {
    insert insert_action(program_id: i32, name: &str) -> rows::Action;
    update update_action(program_id: i32, name: &str);
    delete delete_action;
});

// ---- reads ----------------------------------------------------------------
#[allow(unused_imports)]
use super::lower;
#[allow(unused_imports)]
use super::read::*;

load_by!(
    missions_by_ids,
    i32,
    missions,
    missions::id,
    rows::Mission,
    missions::id
);

load_by!(
    missions_by_codes,
    String,
    missions,
    missions::code,
    rows::Mission,
    missions::id
);

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
        search!($q, f.search, missions::code, missions::name);
    }};
}

page_and_count!(
    missions_page,
    missions_count,
    missions,
    rows::Mission,
    BudgetFilter,
    mission_filters,
    missions::sort_key,
    text_key
);

load_by!(
    programs_by_ids,
    i32,
    programs,
    programs::id,
    rows::Program,
    programs::id
);

load_by!(
    programs_by_codes,
    String,
    programs,
    programs::code,
    rows::Program,
    programs::id
);

load_by!(
    programs_of_missions,
    i32,
    programs,
    programs::mission_id,
    rows::Program,
    (programs::sort_key, programs::id)
);

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
        search!($q, f.search, programs::code, programs::name);
    }};
}

page_and_count!(
    programs_page,
    programs_count,
    programs,
    rows::Program,
    BudgetFilter,
    program_filters,
    programs::sort_key,
    text_key
);

load_by!(
    actions_by_ids,
    i32,
    actions,
    actions::id,
    rows::Action,
    actions::id
);

load_by!(
    actions_of_programs,
    i32,
    actions,
    actions::program_id,
    rows::Action,
    (actions::name, actions::id)
);

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
        search!($q, f.search, actions::name);
    }};
}

page_and_count!(
    actions_page,
    actions_count,
    actions,
    rows::Action,
    BudgetFilter,
    action_filters,
    actions::name,
    text_key
);

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

load_linked!(
    objectives_of_actions,
    objective_actions,
    action_id,
    objectives::table,
    rows::Objective,
    (objectives::plan_id, objectives::position, objectives::id)
);
