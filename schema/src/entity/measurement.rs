//! The writer and the reads of `measurements`, for the import, the `recordMeasurement`
//! mutation and the calculations' `record_measurement` alike: a
//! measurement is upserted by indicator and period, its period parsed by
//! [`crate::period::parse`] (see [`rows::NewMeasurement::new`]). Compiled
//! once per backend (`entity/mod.rs`), with `Conn` from the parent.

use diesel::prelude::*;

use super::Conn;
use super::INSERT_CHUNK;
use crate::changes::{kind, LogChanges};
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
        upsert!(
            measurements,
            chunk,
            conn,
            (indicator_id, period),
            [
                period_start,
                period_end,
                value,
                numerator,
                denominator,
                source,
                recorded_by,
                recorded_at,
            ]
        )?;
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

// ---- reads ----------------------------------------------------------------
#[allow(unused_imports)]
use super::lower;
#[allow(unused_imports)]
use super::read::*;
load_by!(
    measurements_by_ids,
    i32,
    measurements,
    measurements::id,
    rows::Measurement,
    measurements::id
);

pub(crate) fn measurements_of_indicators(
    conn: &mut Conn,
    ids: &[i32],
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Result<Vec<rows::Measurement>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        let mut q = measurements::table
            .filter(keys_in!(measurements::indicator_id, chunk))
            .into_boxed::<Db>();
        if let Some(from) = from {
            q = q.filter(measurements::period_start.ge(from));
        }
        if let Some(to) = to {
            q = q.filter(measurements::period_end.le(to));
        }
        out.extend(
            q.order((
                measurements::indicator_id,
                measurements::period_start,
                measurements::period_end,
                measurements::id,
            ))
            .load::<rows::Measurement>(conn)?,
        );
    }
    Ok(out)
}

pub(crate) fn latest_measurements(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Measurement>, StoreError> {
    let later = diesel::alias!(crate::schema::measurements as later);
    let mut out = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        // The rows of each indicator's latest period end, found in one
        // statement (ties are settled below). Driven by the indicators:
        // one index probe for the latest end and one for its rows per
        // indicator, instead of a probe per measurement of the indicators
        // (`NOT EXISTS` a later row), which cost 3× as much at 12
        // measurements per indicator.
        let rows: Vec<rows::Measurement> = indicators::table
            .inner_join(measurements::table)
            .filter(keys_in!(indicators::id, chunk))
            .filter(
                measurements::period_end.nullable().eq(later
                    .filter(later.field(measurements::indicator_id).eq(indicators::id))
                    .select(diesel::dsl::max(later.field(measurements::period_end)))
                    .single_value()),
            )
            .select(rows::Measurement::as_select())
            .load(conn)?;
        let mut best: HashMap<i32, rows::Measurement> = HashMap::new();
        for m in rows {
            match best.get(&m.indicator_id) {
                // The shortest period (the latest start) is the most recent
                // information; then the latest recorded.
                Some(b)
                    if (b.period_start, b.recorded_at, b.id)
                        >= (m.period_start, m.recorded_at, m.id) => {}
                _ => {
                    best.insert(m.indicator_id, m);
                }
            }
        }
        out.extend(best.into_values());
    }
    Ok(out)
}
