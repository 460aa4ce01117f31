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
use super::read::*;
#[allow(unused_imports)]
use super::lower;

pub(crate) fn findings_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Finding>, StoreError> {
    load_in!(
        conn,
        ids,
        findings,
        findings::id,
        rows::Finding,
        findings::id
    )
}

pub(crate) fn findings_of_plans(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Finding>, StoreError> {
    load_in!(
        conn,
        ids,
        findings,
        findings::plan_id,
        rows::Finding,
        (findings::plan_id, findings::position)
    )
}

pub(crate) fn findings_about(
    conn: &mut Conn,
    keys: &[(i32, String, String)],
) -> Result<Vec<rows::Finding>, StoreError> {
    let mut out = Vec::new();
    for chunk in keys.chunks(KEY_CHUNK / 2) {
        let plan_ids: Vec<i32> = chunk.iter().map(|k| k.0).collect();
        let codes: Vec<&String> = chunk.iter().map(|k| &k.2).collect();
        let found = findings::table
            .filter(findings::plan_id.eq_any(plan_ids))
            .filter(findings::entity_code.eq_any(codes))
            .order((findings::plan_id, findings::position))
            .select(rows::Finding::as_select())
            .load::<rows::Finding>(conn)?;
        out.extend(found.into_iter().filter(|f| {
            keys.iter()
                .any(|(p, e, c)| *p == f.plan_id && *e == f.entity && *c == f.entity_code)
        }));
    }
    Ok(out)
}
