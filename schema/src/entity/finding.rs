//! The writer and the reads of `findings`: the content problems an import reported,
//! which describe that import and are replaced by the next. Compiled once
//! per backend (`entity/mod.rs`), with `Conn` from the parent.

use diesel::prelude::*;

use super::Conn;
use crate::rows;
use crate::schema::findings;

/// Replaces the findings of plan `plan_id` with `rows`,
/// [`INSERT_CHUNK`](super::INSERT_CHUNK) per statement.
pub(crate) fn replace_of_plan(
    conn: &mut Conn,
    plan_id: i32,
    rows: &[rows::NewFinding],
) -> QueryResult<()> {
    diesel::delete(findings::table.filter(findings::plan_id.eq(plan_id))).execute(conn)?;
    insert_chunks!(findings::table, rows, conn)
}

// ---- reads ----------------------------------------------------------------
#[allow(unused_imports)]
use super::lower;
#[allow(unused_imports)]
use super::read::*;

load_by!(
    findings_by_ids,
    i32,
    findings,
    findings::id,
    rows::Finding,
    findings::id
);

load_by!(
    findings_of_plans,
    i32,
    findings,
    findings::plan_id,
    rows::Finding,
    (findings::plan_id, findings::position)
);

load_about!(findings_about, findings, rows::Finding);
