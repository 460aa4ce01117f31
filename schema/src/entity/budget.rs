//! The writer of the budget classification: `missions`, `programs` and
//! `actions`, shared by all plans. A mission's and a program's sort key
//! (`rows::budget_order_key`) is derived here from the code, on every write
//! of the code. Compiled once per backend (`entity/mod.rs`), with `Conn`
//! from the parent.

use diesel::prelude::*;

use super::Conn;
use crate::entity::changed;
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
