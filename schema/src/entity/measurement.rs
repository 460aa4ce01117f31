//! The writer of `measurements`, for the import, the `recordMeasurement`
//! mutation and the calculations' `record_measurement` alike: a
//! measurement is upserted by indicator and period, its period parsed by
//! [`crate::period::parse`] (see [`rows::NewMeasurement::new`]). Compiled
//! once per backend (`entity/mod.rs`), with `Conn` from the parent.

use diesel::prelude::*;
use diesel::upsert::excluded;

use super::Conn;
use crate::changes::{kind, LogChanges};
use crate::entity::INSERT_CHUNK;
use crate::error::StoreError;
use crate::rows;
use crate::schema::{indicators, measurements};
use crate::tx::WriteConn;

/// Stores `rows`, [`INSERT_CHUNK`] per statement: for each indicator and
/// period, the measurement recorded before is replaced (and keeps its id).
/// Of rows naming the same indicator and period, the last wins, as if they
/// were written one after another.
pub(crate) fn upsert(conn: &mut Conn, rows: &[rows::NewMeasurement]) -> QueryResult<()> {
    let merged;
    let rows = match last_of_each_key(rows) {
        Some(m) => {
            merged = m;
            &merged[..]
        }
        None => rows,
    };
    for chunk in rows.chunks(INSERT_CHUNK) {
        use measurements::*;
        diesel::insert_into(measurements::table)
            .values(chunk)
            .on_conflict((indicator_id, period))
            .do_update()
            .set((
                period_start.eq(excluded(period_start)),
                period_end.eq(excluded(period_end)),
                value.eq(excluded(value)),
                numerator.eq(excluded(numerator)),
                denominator.eq(excluded(denominator)),
                source.eq(excluded(source)),
                recorded_by.eq(excluded(recorded_by)),
                recorded_at.eq(excluded(recorded_at)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// `rows` with each repeated (indicator, period) merged into its first
/// place with its last values; `None` when no key repeats (one statement
/// cannot update a row twice on Postgres).
fn last_of_each_key(rows: &[rows::NewMeasurement]) -> Option<Vec<rows::NewMeasurement>> {
    fn key(r: &rows::NewMeasurement) -> (i32, &str) {
        (r.indicator_id, &r.period)
    }
    let mut last = std::collections::HashMap::with_capacity(rows.len());
    let mut repeated = false;
    for (i, r) in rows.iter().enumerate() {
        repeated |= last.insert(key(r), i).is_some();
    }
    if !repeated {
        return None;
    }
    let mut seen = std::collections::HashSet::new();
    Some(
        rows.iter()
            .filter(|r| seen.insert(key(r)))
            .map(|r| rows[last[&key(r)]].clone())
            .collect(),
    )
}

/// Records one measurement in a write transaction, as both single-value
/// writers do: the indicator must exist (`NotFound` otherwise), the value
/// replaces the one recorded for the same period, and the change is
/// logged. Returns the stored row.
pub(crate) fn record(
    conn: &mut Conn,
    row: &rows::NewMeasurement,
) -> Result<rows::Measurement, StoreError> {
    conn.write_transaction(|conn| {
        indicators::table
            .find(row.indicator_id)
            .select(indicators::id)
            .first::<i32>(conn)
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                entity: "indicator",
                key: row.indicator_id.to_string(),
            })?;
        upsert(conn, std::slice::from_ref(row))?;
        let stored: rows::Measurement = measurements::table
            .filter(measurements::indicator_id.eq(row.indicator_id))
            .filter(measurements::period.eq(&row.period))
            .select(rows::Measurement::as_select())
            .first(conn)?;
        conn.log_indicator_change(
            stored.indicator_id,
            kind::MEASUREMENT_RECORDED,
            Some(&stored.period),
        )?;
        Ok(stored)
    })
}

/// Deletes measurement `id`; returns it, `None` when there was none.
pub(crate) fn delete(conn: &mut Conn, id: i32) -> QueryResult<Option<rows::Measurement>> {
    diesel::delete(measurements::table.find(id))
        .returning(rows::Measurement::as_returning())
        .get_result(conn)
        .optional()
}
