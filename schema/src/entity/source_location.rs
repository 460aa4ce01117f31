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
use super::lower;
#[allow(unused_imports)]
use super::read::*;
load_about!(sources_about, source_locations, rows::SourceLocation);
