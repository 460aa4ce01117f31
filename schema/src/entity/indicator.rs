//! The writer of `indicators`, including their calculator binding.
//! Compiled once per backend (`entity/mod.rs`), with `Conn` from the parent.

use diesel::prelude::*;

use super::Conn;
use crate::entity::changed;
use crate::graph::IndicatorChanges;
use crate::rows;
use crate::schema::indicators;

/// Inserts indicators, [`INSERT_CHUNK`](crate::entity::INSERT_CHUNK) per statement.
pub(crate) fn insert(conn: &mut Conn, rows: &[rows::NewIndicator]) -> QueryResult<()> {
    insert_chunks!(indicators::table, rows, conn)
}

/// Overwrites every column of indicator `id` with `row` (a re-import) and
/// increments its version.
pub(crate) fn replace(conn: &mut Conn, id: i32, row: &rows::NewIndicator) -> QueryResult<usize> {
    diesel::update(indicators::table.find(id))
        .set((row, indicators::version.eq(indicators::version + 1)))
        .execute(conn)
}

version_bump!(indicators);

/// Applies `changes` to indicator `id` (the version is the caller's,
/// through [`bump_version`]); nothing when no field changes.
pub(crate) fn update(conn: &mut Conn, id: i32, changes: &IndicatorChanges) -> QueryResult<usize> {
    changed(
        diesel::update(indicators::table.find(id))
            .set(changes)
            .execute(conn),
    )
}

/// Binds indicator `id` to a calculator (`params`: a JSON object as text)
/// and increments its version; with `expected`, only if the version still
/// is that. Returns how many rows changed (0: gone, or another version).
pub(crate) fn bind_calculator(
    conn: &mut Conn,
    id: i32,
    expected: Option<i32>,
    calculator_id: &str,
    params: &str,
    guessed: bool,
) -> QueryResult<usize> {
    let binding = (
        indicators::calculator_id.eq(calculator_id),
        indicators::calculator_params.eq(params),
        indicators::calculator_guessed.eq(guessed),
        indicators::version.eq(indicators::version + 1),
    );
    match expected {
        None => diesel::update(indicators::table.find(id))
            .set(binding)
            .execute(conn),
        Some(expected) => diesel::update(
            indicators::table
                .filter(indicators::id.eq(id))
                .filter(indicators::version.eq(expected)),
        )
        .set(binding)
        .execute(conn),
    }
}

delete_by_ids!(indicators);
