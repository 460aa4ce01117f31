//! The writer of `findings`: the content problems an import reported,
//! which describe that import and are replaced by the next. Compiled once
//! per backend (`entity/mod.rs`), with `Conn` from the parent.

use diesel::prelude::*;

use super::Conn;
use crate::rows;
use crate::schema::findings;

/// Replaces the findings of plan `plan_id` with `rows`,
/// [`INSERT_CHUNK`](crate::entity::INSERT_CHUNK) per statement.
pub(crate) fn replace_of_plan(
    conn: &mut Conn,
    plan_id: i32,
    rows: &[rows::NewFinding],
) -> QueryResult<()> {
    diesel::delete(findings::table.filter(findings::plan_id.eq(plan_id))).execute(conn)?;
    insert_chunks!(findings::table, rows, conn)
}
