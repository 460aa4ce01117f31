//! The floor's statements, written once and compiled per backend by
//! `main.rs` with `Conn` naming the connection type: the rows the GraphQL
//! queries need, selected column by column through Diesel, one statement per
//! level and relation, as the API's batched loaders would at best.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use cruscotto_store::schema::*;
use cruscotto_store::sql_types::Number;
use diesel::prelude::*;

use super::Conn;
use crate::{Indicator, Latest, Objective, Rows, Target};

/// Every row of the nested tree query: missions (first 500 by code) →
/// programs → actions → objectives (with their centre) → indicators →
/// targets, and each indicator's latest measurement.
pub fn tree(conn: &mut Conn) -> QueryResult<Rows> {
    let missions: Vec<(i32, String, String)> = missions::table
        .order((missions::sort_key, missions::id))
        .limit(500)
        .select((missions::id, missions::code, missions::name))
        .load(conn)?;
    let mission_ids: Vec<i32> = missions.iter().map(|m| m.0).collect();
    let programs: Vec<(i32, i32, String, String)> = programs::table
        .filter(programs::mission_id.eq_any(&mission_ids))
        .order((programs::sort_key, programs::id))
        .select((
            programs::id,
            programs::mission_id,
            programs::code,
            programs::name,
        ))
        .load(conn)?;
    let program_ids: Vec<i32> = programs.iter().map(|p| p.0).collect();
    let actions: Vec<(i32, i32, String)> = actions::table
        .filter(actions::program_id.eq_any(&program_ids))
        .order((actions::name, actions::id))
        .select((actions::id, actions::program_id, actions::name))
        .load(conn)?;
    let action_ids: Vec<i32> = actions.iter().map(|a| a.0).collect();
    let objectives: Vec<(i32, Objective)> = objective_actions::table
        .inner_join(objectives::table)
        .filter(objective_actions::action_id.eq_any(&action_ids))
        .order((objectives::plan_id, objectives::position, objectives::id))
        .select((
            objective_actions::action_id,
            (
                objectives::id,
                objectives::responsibility_centre_id,
                objectives::code,
                objectives::title,
            ),
        ))
        .load::<(i32, (i32, i32, String, String))>(conn)?
        .into_iter()
        .map(|(action, (id, centre, code, title))| {
            (
                action,
                Objective {
                    id,
                    centre,
                    code,
                    title,
                },
            )
        })
        .collect();
    let objective_ids: Vec<i32> = distinct(objectives.iter().map(|(_, o)| o.id));
    let centre_ids: Vec<i32> = distinct(objectives.iter().map(|(_, o)| o.centre));
    let centres: Vec<(i32, String, Option<String>)> = responsibility_centres::table
        .filter(responsibility_centres::id.eq_any(&centre_ids))
        .select((
            responsibility_centres::id,
            responsibility_centres::name,
            responsibility_centres::head,
        ))
        .load(conn)?;
    let (indicators, targets, latest) = indicators_of(conn, &objective_ids, true)?;
    Ok(Rows {
        missions,
        programs,
        actions,
        objectives,
        centres,
        indicators,
        targets,
        latest,
    })
}

/// The indicators of some objectives, their targets and (when asked) their
/// latest measurements.
#[allow(clippy::type_complexity)]
pub fn indicators_of(
    conn: &mut Conn,
    objective_ids: &[i32],
    with_latest: bool,
) -> QueryResult<(Vec<Indicator>, Vec<Target>, Vec<Latest>)> {
    let indicators: Vec<Indicator> = indicators::table
        .filter(indicators::objective_id.eq_any(objective_ids))
        .order((
            indicators::objective_id,
            indicators::position,
            indicators::id,
        ))
        .select((
            indicators::id,
            indicators::objective_id,
            indicators::code,
            indicators::description,
            indicators::unit,
            indicators::direction,
        ))
        .load::<(i32, i32, String, String, String, String)>(conn)?
        .into_iter()
        .map(
            |(id, objective, code, description, unit, direction)| Indicator {
                id,
                objective,
                code,
                description,
                unit,
                direction,
            },
        )
        .collect();
    let indicator_ids: Vec<i32> = indicators.iter().map(|i| i.id).collect();
    let targets: Vec<Target> = targets::table
        .filter(targets::indicator_id.eq_any(&indicator_ids))
        .order((targets::indicator_id, targets::year))
        .select((
            targets::indicator_id,
            targets::year,
            targets::raw,
            targets::comparator,
            targets::number,
        ))
        .load::<(i32, i32, String, Option<String>, Option<Number>)>(conn)?
        .into_iter()
        .map(|(indicator, year, raw, comparator, number)| Target {
            indicator,
            year,
            raw,
            comparator,
            number: number.map(|n| n.to_string()),
        })
        .collect();
    if !with_latest {
        return Ok((indicators, targets, Vec::new()));
    }
    // The latest period of each indicator: its rows ending on its latest
    // end (one index probe for the end, one for the rows, per indicator);
    // ties go to the latest start, then the latest recorded, then the
    // highest id (the API's rule).
    let later = diesel::alias!(cruscotto_store::schema::measurements as later);
    let candidates: Vec<(i32, i32, String, Number, NaiveDate, NaiveDateTime)> = indicators::table
        .inner_join(measurements::table)
        .filter(indicators::id.eq_any(&indicator_ids))
        .filter(
            measurements::period_end.nullable().eq(later
                .filter(later.field(measurements::indicator_id).eq(indicators::id))
                .select(diesel::dsl::max(later.field(measurements::period_end)))
                .single_value()),
        )
        .select((
            measurements::id,
            measurements::indicator_id,
            measurements::period,
            measurements::value,
            measurements::period_start,
            measurements::recorded_at,
        ))
        .load(conn)?;
    let mut best: HashMap<i32, (i32, String, String, NaiveDate, NaiveDateTime)> =
        HashMap::with_capacity(indicator_ids.len());
    for (id, indicator, period, value, start, recorded) in candidates {
        let value = value.to_string();
        match best.get(&indicator) {
            Some(b) if (b.3, b.4, b.0) >= (start, recorded, id) => {}
            _ => {
                best.insert(indicator, (id, period, value, start, recorded));
            }
        }
    }
    let latest = best
        .into_iter()
        .map(|(indicator, (_, period, value, _, _))| Latest {
            indicator,
            period,
            value,
        })
        .collect();
    Ok((indicators, targets, latest))
}

/// The small query's rows: one objective of a plan by code, its indicators
/// and their targets.
#[allow(clippy::type_complexity)]
pub fn small(
    conn: &mut Conn,
    plan: &str,
    code: &str,
) -> QueryResult<Option<(Objective, Vec<Indicator>, Vec<Target>)>> {
    let found: Option<(i32, i32, String, String)> = objectives::table
        .inner_join(plans::table)
        .filter(plans::code.eq(plan))
        .filter(objectives::code.eq(code))
        .select((
            objectives::id,
            objectives::responsibility_centre_id,
            objectives::code,
            objectives::title,
        ))
        .first(conn)
        .optional()?;
    let Some((id, centre, code, title)) = found else {
        return Ok(None);
    };
    let (indicators, targets, _) = indicators_of(conn, &[id], false)?;
    Ok(Some((
        Objective {
            id,
            centre,
            code,
            title,
        },
        indicators,
        targets,
    )))
}

/// The distinct values, in first-seen order.
fn distinct(values: impl Iterator<Item = i32>) -> Vec<i32> {
    let mut seen = HashSet::new();
    values.filter(|v| seen.insert(*v)).collect()
}
