//! The queries behind `Database`'s calculation methods: a query module of
//! the backend seam ([`crate::backend`]), whose backend module provides
//! `plan_filter`, `refresh_payment_statistics`, `read_payments` and
//! `snapshot` besides `Conn` and `Db`. Every write goes through the entity
//! writers of the same backend.

use chrono::NaiveDate;
use cruscotto_model::period::NULL_DAY;
use cruscotto_model as m;
use cruscotto_model::{PaymentRecord, Period};
use rust_decimal::Decimal;
use diesel::connection::DefaultLoadingMode;
use diesel::prelude::*;

use super::entity::payment::CHUNK as PAYMENT_CHUNK;
use super::{entity, plan_filter, read_payments, refresh_payment_statistics, snapshot, Conn};
use crate::calc::day::Day;
use crate::calc::rows::{IndicatorValueRow, NewIndicatorValue, NewPayment, NewPhaseProgress};
use crate::calc::{
    BoundIndicator, InputRows, InputsWanted, MeasuredValue, MeasurementRow, ObjectiveFacts,
    PaymentImportSummary, PhaseRow, PhaseRows, StoredPayments, TargetRow,
};
use crate::changes::{kind, LogChanges};
use crate::error::StoreError;
use crate::schema::*;
use crate::sql_types::Number;
use crate::tx::WriteConn;

fn not_found(entity: &'static str, key: impl Into<String>) -> StoreError {
    StoreError::NotFound {
        entity,
        key: key.into(),
    }
}

pub(crate) fn import_payments(
    conn: &mut Conn,
    plan_code: &str,
    records: &[PaymentRecord],
    source_file: &str,
) -> Result<PaymentImportSummary, StoreError> {
    conn.write_transaction(|conn| {
        let plan_id = entity::plan::id_of(conn, plan_code)?;
        let count = |conn: &mut Conn| -> Result<i64, StoreError> {
            Ok(payments::table
                .filter(payments::plan_id.eq(plan_id))
                .count()
                .get_result(conn)?)
        };
        let before = count(conn)?;
        let mut batch = Vec::with_capacity(PAYMENT_CHUNK.min(records.len()));
        for (chunk_index, chunk) in records.chunks(PAYMENT_CHUNK).enumerate() {
            batch.clear();
            for (i, r) in chunk.iter().enumerate() {
                let position = chunk_index * PAYMENT_CHUNK + i + 1;
                batch.push(NewPayment {
                    plan_id,
                    invoice_id: &r.invoice_id,
                    supplier: &r.supplier,
                    amount_cents: r.amount_cents,
                    invoice_date: r.invoice_date,
                    due_date: r.due_date,
                    payment_date: r.payment_date,
                    // Both were checked against the calculators' bounds.
                    suspended_days: i32::try_from(r.suspended_days).unwrap_or(i32::MAX),
                    source_file,
                    line: i32::try_from(position).unwrap_or(i32::MAX),
                });
            }
            entity::payment::upsert(conn, &batch)?;
        }
        refresh_payment_statistics(conn, records.len())?;
        let after = count(conn)?;
        conn.log_plan_change(plan_id, kind::PAYMENTS_IMPORTED, true)?;
        // Invoice ids are unique within `records` (checked before), so every
        // record either added a row or overwrote one.
        let inserted = usize::try_from(after - before).unwrap_or(0);
        Ok(PaymentImportSummary {
            plan_code: plan_code.to_string(),
            source_file: source_file.to_string(),
            records: records.len(),
            inserted,
            updated: records.len().saturating_sub(inserted),
            plan_payments: after,
        })
    })
}

pub(crate) fn payment_count(conn: &mut Conn, plan_code: &str) -> Result<i64, StoreError> {
    let plan_id = entity::plan::id_of(conn, plan_code)?;
    Ok(payments::table
        .filter(payments::plan_id.eq(plan_id))
        .count()
        .get_result(conn)?)
}

pub(crate) fn set_calculator_binding(
    conn: &mut Conn,
    indicator_id: i32,
    calculator_id: &str,
    params: &serde_json::Value,
    guessed: bool,
) -> Result<(), StoreError> {
    conn.write_transaction(|conn| {
        let updated = entity::indicator::bind_calculator(
            conn,
            indicator_id,
            None,
            calculator_id,
            &params.to_string(),
            guessed,
        )?;
        if updated == 0 {
            return Err(not_found("indicator", indicator_id.to_string()));
        }
        conn.log_indicator_change(indicator_id, kind::INDICATOR_UPDATED, None)?;
        Ok(())
    })
}

pub(crate) fn record_measurement(
    conn: &mut Conn,
    indicator_id: i32,
    measured: &MeasuredValue,
) -> Result<(), StoreError> {
    let row = crate::rows::NewMeasurement {
        numerator: measured.numerator.map(Number),
        denominator: measured.denominator.map(Number),
        ..crate::rows::NewMeasurement::new(
            indicator_id,
            &measured.period,
            Number(measured.value),
            measured.source.clone(),
            measured.recorded_by.clone(),
            chrono::Utc::now().naive_utc(),
        )
    };
    entity::measurement::record(conn, &row)?;
    Ok(())
}

pub(crate) fn record_phase_progress(
    conn: &mut Conn,
    phase_id: i32,
    period: &Period,
    completion_bp: i32,
    recorded_by: &str,
) -> Result<(), StoreError> {
    conn.write_transaction(|conn| {
        phases::table
            .find(phase_id)
            .select(phases::id)
            .first::<i32>(conn)
            .optional()?
            .ok_or_else(|| not_found("phase", phase_id.to_string()))?;
        let period_text = period.to_string();
        let row = NewPhaseProgress {
            phase_id,
            period: &period_text,
            period_end: period.end(),
            completion_bp,
            recorded_by,
            recorded_at: chrono::Utc::now().naive_utc(),
        };
        entity::phase::upsert_progress(conn, &row)?;
        Ok(())
    })
}

pub(crate) fn bound_indicator(
    conn: &mut Conn,
    indicator_id: i32,
) -> Result<BoundIndicator, StoreError> {
    let row = indicators::table
        .inner_join(objectives::table.inner_join(plans::table))
        .filter(indicators::id.eq(indicator_id))
        .select((
            indicators::code,
            indicators::calculator_id,
            indicators::calculator_params,
            objectives::id,
            objectives::code,
            plans::id,
            plans::code,
        ))
        .first::<(
            String,
            Option<String>,
            Option<String>,
            i32,
            String,
            i32,
            String,
        )>(conn)
        .optional()?
        .ok_or_else(|| not_found("indicator", indicator_id.to_string()))?;
    let (code, calculator_id, calculator_params, objective_id, objective_code, plan_id, plan_code) =
        row;
    Ok(BoundIndicator {
        id: indicator_id,
        label: format!("{plan_code}/{objective_code}/{code}"),
        plan_id,
        objective_id,
        calculator_id,
        calculator_params,
    })
}

/// The payments of a plan, read column by column. Postgres reads them
/// packed (see `backend/pg/payments_read.rs`); its tests compare that with this read.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn read_payment_rows(conn: &mut Conn, plan_id: i32) -> QueryResult<StoredPayments> {
    let query = payments::table.filter(plan_filter(plan_id)).select((
        payments::amount_cents,
        payments::invoice_date,
        payments::due_date,
        payments::payment_date,
        payments::suspended_days,
    ));
    let mut rows = StoredPayments::new();
    for row in
        query.load_iter::<(i64, Day, Option<Day>, Option<Day>, i32), DefaultLoadingMode>(conn)?
    {
        let (amount, invoice, due, paid, suspended) = row?;
        rows.push(
            amount,
            invoice.0,
            due.map_or(NULL_DAY, |d| d.0),
            paid.map_or(NULL_DAY, |d| d.0),
            suspended,
        );
    }
    Ok(rows)
}

/// Reads what `wanted` asks for, and the latest stored value, in one snapshot.
pub(crate) fn read_inputs(
    conn: &mut Conn,
    helper: Option<&mut Conn>,
    bound: &BoundIndicator,
    wanted: InputsWanted,
    period: &Period,
) -> Result<InputRows, StoreError> {
    snapshot(conn, |conn| {
        let payments = if wanted.payments {
            Some(read_payments(conn, helper, bound.plan_id)?)
        } else {
            None
        };
        let mut measurements = Vec::new();
        if wanted.measurements {
            measurements = measurements::table
                .filter(measurements::indicator_id.eq(bound.id))
                .filter(measurements::period_start.ge(period.start()))
                .filter(measurements::period_end.le(period.end()))
                .order((measurements::period_start, measurements::period_end))
                .select((
                    measurements::period,
                    measurements::period_end,
                    measurements::value,
                    measurements::numerator,
                    measurements::denominator,
                ))
                .load::<(String, NaiveDate, Number, Option<Number>, Option<Number>)>(conn)?
                .into_iter()
                .map(
                    |(period, period_end, value, numerator, denominator)| MeasurementRow {
                        period,
                        period_end,
                        value: value.into(),
                        numerator: numerator.map(Decimal::from),
                        denominator: denominator.map(Decimal::from),
                    },
                )
                .collect();
        }
        let phases = if wanted.phases {
            Some(objective_phases(conn, bound.objective_id, period.end())?)
        } else {
            None
        };
        let latest = latest_value(conn, bound.id, &period.to_string())?;
        Ok(InputRows {
            payments,
            measurements,
            phases,
            latest,
        })
    })
}

/// The phases of an objective with the completions recorded for a period
/// ending by `as_of`.
fn objective_phases(
    conn: &mut Conn,
    objective_id: i32,
    as_of: NaiveDate,
) -> Result<PhaseRows, StoreError> {
    let phases = phases::table
        .filter(phases::objective_id.eq(objective_id))
        .order(phases::position)
        .select((phases::id, phases::code, phases::weight_bp))
        .load::<(i32, String, Option<i32>)>(conn)?
        .into_iter()
        .map(|(id, code, weight_bp)| PhaseRow {
            id,
            code,
            weight_bp,
        })
        .collect();
    let progress = phase_progress::table
        .inner_join(phases::table)
        .filter(phases::objective_id.eq(objective_id))
        .filter(phase_progress::period_end.le(as_of))
        .order((phase_progress::period_end, phase_progress::id))
        .select((phase_progress::phase_id, phase_progress::completion_bp))
        .load::<(i32, i32)>(conn)?;
    Ok(PhaseRows { phases, progress })
}

pub(crate) fn insert_value(
    conn: &mut Conn,
    row: &NewIndicatorValue,
) -> Result<IndicatorValueRow, StoreError> {
    conn.write_transaction(|conn| {
        let stored = entity::value::insert(conn, row)?;
        conn.log_indicator_change(
            row.indicator_id,
            kind::VALUE_COMPUTED,
            Some(&stored.fields.period),
        )?;
        Ok(stored)
    })
}

pub(crate) fn latest_value(
    conn: &mut Conn,
    indicator_id: i32,
    period: &str,
) -> Result<Option<IndicatorValueRow>, StoreError> {
    Ok(indicator_values::table
        .filter(indicator_values::indicator_id.eq(indicator_id))
        .filter(indicator_values::period.eq(period))
        .order(indicator_values::id.desc())
        .select(IndicatorValueRow::as_select())
        .first(conn)
        .optional()?)
}

pub(crate) fn indicator_id(
    conn: &mut Conn,
    plan: &str,
    objective: &str,
    code: &str,
) -> Result<i32, StoreError> {
    indicators::table
        .inner_join(objectives::table.inner_join(plans::table))
        .filter(plans::code.eq(plan))
        .filter(objectives::code.eq(objective))
        .filter(indicators::code.eq(code))
        .select(indicators::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found("indicator", format!("{plan}/{objective}/{code}")))
}

pub(crate) fn objective_id(
    conn: &mut Conn,
    plan: &str,
    objective: &str,
) -> Result<i32, StoreError> {
    objectives::table
        .inner_join(plans::table)
        .filter(plans::code.eq(plan))
        .filter(objectives::code.eq(objective))
        .select(objectives::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found("objective", format!("{plan}/{objective}")))
}

pub(crate) fn phase_id(
    conn: &mut Conn,
    plan: &str,
    objective: &str,
    code: &str,
) -> Result<i32, StoreError> {
    phases::table
        .inner_join(objectives::table.inner_join(plans::table))
        .filter(plans::code.eq(plan))
        .filter(objectives::code.eq(objective))
        .filter(phases::code.eq(code))
        .select(phases::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found("phase", format!("{plan}/{objective}/{code}")))
}

/// Binds an indicator to a calculator if it still has `expected` as its
/// version, incrementing the version; the indicator as it is afterwards.
pub(crate) fn bind_calculator(
    conn: &mut Conn,
    indicator_id: i32,
    expected: i32,
    calculator_id: &str,
    params: &serde_json::Value,
) -> Result<crate::rows::Indicator, crate::graph::WriteError> {
    use crate::graph::WriteError;
    conn.write_transaction(|conn| {
        let params = params.to_string();
        let updated = entity::indicator::bind_calculator(
            conn,
            indicator_id,
            Some(expected),
            calculator_id,
            &params,
            false,
        )?;
        if updated == 0 {
            let actual = entity::indicator::version(conn, indicator_id)?;
            return Err(WriteError::stale(
                "indicator",
                indicator_id,
                expected,
                actual,
            ));
        }
        let row = indicators::table
            .find(indicator_id)
            .select(crate::rows::Indicator::as_select())
            .first(conn)?;
        conn.log_indicator_change(indicator_id, kind::INDICATOR_UPDATED, None)?;
        Ok(row)
    })
}

/// The latest stored value for `period` of each of `ids` that has one: the
/// largest row id per indicator, found by one grouped sub-select per chunk.
pub(crate) fn latest_values_of(
    conn: &mut Conn,
    ids: &[i32],
    period: &str,
) -> Result<Vec<IndicatorValueRow>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(crate::graph::KEY_CHUNK) {
        // Two statements rather than a sub-select on the same table, which
        // Diesel's query builder cannot express without an alias. Stored
        // values are never updated, so the ids read first still hold.
        let latest: Vec<i32> = indicator_values::table
            .filter(indicator_values::indicator_id.eq_any(chunk))
            .filter(indicator_values::period.eq(period))
            .group_by(indicator_values::indicator_id)
            .select(diesel::dsl::max(indicator_values::id))
            .load::<Option<i32>>(conn)?
            .into_iter()
            .flatten()
            .collect();
        if latest.is_empty() {
            continue;
        }
        out.extend(
            indicator_values::table
                .filter(indicator_values::id.eq_any(&latest))
                .select(IndicatorValueRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// Every stored value of `ids` (of `period`, when given), newest first
/// within each indicator.
pub(crate) fn values_of(
    conn: &mut Conn,
    ids: &[i32],
    period: Option<&str>,
) -> Result<Vec<IndicatorValueRow>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(crate::graph::KEY_CHUNK) {
        let mut query = indicator_values::table
            .filter(indicator_values::indicator_id.eq_any(chunk))
            .select(IndicatorValueRow::as_select())
            .order((indicator_values::indicator_id, indicator_values::id.desc()))
            .into_boxed();
        if let Some(period) = period {
            query = query.filter(indicator_values::period.eq(period));
        }
        out.extend(query.load(conn)?);
    }
    Ok(out)
}

/// What judging indicators for a year needs: each indicator's direction,
/// and its target for the year (raw, comparator, number) when it has one.
pub(crate) fn directions_and_targets(
    conn: &mut Conn,
    ids: &[i32],
    year: i32,
) -> Result<crate::calc::JudgeFacts, StoreError> {
    let mut facts = crate::calc::JudgeFacts::default();
    for chunk in ids.chunks(crate::graph::KEY_CHUNK) {
        facts.directions.extend(
            indicators::table
                .filter(indicators::id.eq_any(chunk))
                .select((indicators::id, indicators::direction))
                .load::<(i32, m::Direction)>(conn)?,
        );
        for (id, raw, comparator, number) in targets::table
            .filter(targets::indicator_id.eq_any(chunk))
            .filter(targets::year.eq(year))
            .order(targets::id)
            .select((
                targets::indicator_id,
                targets::raw,
                targets::comparator,
                targets::number,
            ))
            .load::<(i32, String, Option<m::Comparator>, Option<Number>)>(conn)?
        {
            // One target per indicator and year; should there be more, the
            // first recorded is the one judged, as the single read did.
            facts.targets.entry(id).or_insert(TargetRow {
                raw,
                comparator,
                number: number.map(Decimal::from),
            });
        }
    }
    Ok(facts)
}

/// What an objective's achievement is built from, for many objectives, with
/// one statement per relation and chunk; objectives that do not exist are
/// absent.
pub(crate) fn objectives_facts(
    conn: &mut Conn,
    ids: &[i32],
    as_of: NaiveDate,
) -> Result<std::collections::HashMap<i32, ObjectiveFacts>, StoreError> {
    use std::collections::HashMap;
    let mut out = HashMap::new();
    for chunk in ids.chunks(crate::graph::KEY_CHUNK) {
        let scores = objectives::table
            .filter(objectives::id.eq_any(chunk))
            .select((
                objectives::id,
                objectives::max_score_points,
                objectives::max_score_out_of,
            ))
            .load::<(i32, Option<i32>, Option<i32>)>(conn)?;
        let mut indicator_ids: HashMap<i32, Vec<i32>> = HashMap::new();
        for (objective, id) in indicators::table
            .filter(indicators::objective_id.eq_any(chunk))
            .order((indicators::objective_id, indicators::position))
            .select((indicators::objective_id, indicators::id))
            .load::<(i32, i32)>(conn)?
        {
            indicator_ids.entry(objective).or_default().push(id);
        }
        let mut phase_rows: HashMap<i32, Vec<PhaseRow>> = HashMap::new();
        for (objective, id, code, weight) in phases::table
            .filter(phases::objective_id.eq_any(chunk))
            .order((phases::objective_id, phases::position))
            .select((
                phases::objective_id,
                phases::id,
                phases::code,
                phases::weight_bp,
            ))
            .load::<(i32, i32, String, Option<i32>)>(conn)?
        {
            phase_rows.entry(objective).or_default().push(PhaseRow {
                id,
                code,
                weight_bp: weight,
            });
        }
        let mut progress: HashMap<i32, Vec<(i32, i32)>> = HashMap::new();
        for (objective, phase, bp) in phase_progress::table
            .inner_join(phases::table)
            .filter(phases::objective_id.eq_any(chunk))
            .filter(phase_progress::period_end.le(as_of))
            .order((phase_progress::period_end, phase_progress::id))
            .select((
                phases::objective_id,
                phase_progress::phase_id,
                phase_progress::completion_bp,
            ))
            .load::<(i32, i32, i32)>(conn)?
        {
            progress.entry(objective).or_default().push((phase, bp));
        }
        for (id, points, out_of) in scores {
            out.insert(
                id,
                ObjectiveFacts {
                    indicator_ids: indicator_ids.remove(&id).unwrap_or_default(),
                    phases: PhaseRows {
                        phases: phase_rows.remove(&id).unwrap_or_default(),
                        progress: progress.remove(&id).unwrap_or_default(),
                    },
                    max_score: points.zip(out_of),
                },
            );
        }
    }
    Ok(out)
}
