//! The writer and the reads of `source_locations`: where the import that wrote a plan
//! read each object, replaced by the next import. Compiled once per backend
//! (`entity/mod.rs`), with `Conn` from the parent.

use diesel::prelude::*;

use super::Conn;
use crate::rows;
use crate::schema::source_locations;

/// Replaces the source locations of plan `plan_id` with `rows`,
/// [`INSERT_CHUNK`](super::INSERT_CHUNK) per statement.
pub(crate) fn replace_of_plan(
    conn: &mut Conn,
    plan_id: i32,
    rows: &[rows::NewSourceLocation],
) -> QueryResult<()> {
    diesel::delete(source_locations::table.filter(source_locations::plan_id.eq(plan_id)))
        .execute(conn)?;
    insert_chunks!(source_locations::table, rows, conn)
}

// ---- reads ----------------------------------------------------------------
#[allow(unused_imports)]
use super::read::*;
#[allow(unused_imports)]
use super::lower;
pub(crate) fn sources_about(
    conn: &mut Conn,
    keys: &[(i32, String, String)],
) -> Result<Vec<rows::SourceLocation>, StoreError> {
    let mut out = Vec::new();
    for chunk in keys.chunks(KEY_CHUNK / 2) {
        let plan_ids: Vec<i32> = chunk.iter().map(|k| k.0).collect();
        let codes: Vec<&String> = chunk.iter().map(|k| &k.2).collect();
        let found = source_locations::table
            .filter(source_locations::plan_id.eq_any(plan_ids))
            .filter(source_locations::entity_code.eq_any(codes))
            .order((source_locations::plan_id, source_locations::position))
            .select(rows::SourceLocation::as_select())
            .load::<rows::SourceLocation>(conn)?;
        out.extend(found.into_iter().filter(|s| {
            keys.iter()
                .any(|(p, e, c)| *p == s.plan_id && *e == s.entity && *c == s.entity_code)
        }));
    }
    Ok(out)
}
