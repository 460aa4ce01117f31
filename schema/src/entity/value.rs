//! The writer and the reads of `indicator_values`: computed values with their
//! provenance. Rows are only ever added (older rows are the history).
//! Compiled once per backend (`entity/mod.rs`), with `Conn` from the
//! parent.

use diesel::prelude::*;

use super::Conn;
use crate::calc::rows::{IndicatorValueRow, NewIndicatorValue};
use crate::schema::indicator_values;

/// Stores a computed value; returns it as stored.
pub(crate) fn insert(conn: &mut Conn, row: &NewIndicatorValue) -> QueryResult<IndicatorValueRow> {
    diesel::insert_into(indicator_values::table)
        .values(row)
        .returning(IndicatorValueRow::as_returning())
        .get_result(conn)
}
