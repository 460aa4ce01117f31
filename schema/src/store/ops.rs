// The queries behind `Database`'s plan methods. This file is included twice
// by `store/mod.rs`, once per backend, with `Conn` naming the connection type.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::{
    decimal, from_json_list, measure_columns, measure_from_columns, to_json_list, weight_from_bp,
    weight_to_bp, ImportSummary, PlanCounts, INSERT_CHUNK,
};
use crate::error::StoreError;
use crate::rows;
use crate::schema::*;
use cruscotto_import::model as m;

use crate::changes::{kind, LogChanges};
use crate::tx::{WriteConn, WriteLock};

pub(super) fn save_document(
    conn: &mut Conn,
    doc: &m::PlanDocument,
    source_file: Option<&str>,
) -> Result<ImportSummary, StoreError> {
    conn.write_transaction(|conn| {
        conn.lock(WriteLock::DocumentImport)?;
        let (plan_id, created) = upsert_plan(conn, doc, source_file)?;
        save_objectives(conn, plan_id, doc)?;
        save_areas(conn, plan_id, &doc.areas)?;
        save_findings(conn, plan_id, &doc.findings)?;
        save_sources(conn, plan_id, &doc.sources)?;
        remove_unused(conn, plan_id)?;
        conn.log_plan_change(plan_id, kind::PLAN_IMPORTED, false)?;
        Ok(ImportSummary {
            plan_code: doc.plan.code.clone(),
            created,
            counts: counts_of(conn, plan_id)?,
            findings: doc.findings.clone(),
        })
    })
}

fn upsert_plan(
    conn: &mut Conn,
    doc: &m::PlanDocument,
    source_file: Option<&str>,
) -> Result<(i32, bool), StoreError> {
    let row = rows::NewPlan {
        code: doc.plan.code.clone(),
        kind: doc.plan.kind.as_str().to_string(),
        administration: doc.plan.administration.clone(),
        title: doc.plan.title.clone(),
        first_year: doc.plan.first_year,
        last_year: doc.plan.last_year,
        notes: to_json_list(&doc.plan.notes),
        source_file: source_file.map(str::to_string),
        imported_at: chrono::Utc::now().naive_utc(),
    };
    let existing: Option<i32> = plans::table
        .filter(plans::code.eq(&row.code))
        .select(plans::id)
        .first(conn)
        .optional()?;
    Ok(match existing {
        Some(id) => {
            diesel::update(plans::table.find(id))
                .set((&row, plans::version.eq(plans::version + 1)))
                .execute(conn)?;
            (id, false)
        }
        None => {
            let id = diesel::insert_into(plans::table)
                .values(&row)
                .returning(plans::id)
                .get_result(conn)?;
            (id, true)
        }
    })
}

/// Ids of the budget classification, created on first use. Missions,
/// programs and actions are shared by all plans.
#[derive(Default)]
struct BudgetIds {
    missions: HashMap<String, i32>,
    programs: HashMap<String, i32>,
    actions: HashMap<(i32, String), i32>,
}

fn action_id(conn: &mut Conn, ids: &mut BudgetIds, b: &m::BudgetLink) -> Result<i32, StoreError> {
    let mission_id = match ids.missions.get(&b.mission_code) {
        Some(&id) => id,
        None => {
            let found: Option<i32> = missions::table
                .filter(missions::code.eq(&b.mission_code))
                .select(missions::id)
                .first(conn)
                .optional()?;
            let id = match found {
                Some(id) => {
                    diesel::update(missions::table.find(id))
                        .set(missions::name.eq(&b.mission_name))
                        .execute(conn)?;
                    id
                }
                None => diesel::insert_into(missions::table)
                    .values((
                        missions::code.eq(&b.mission_code),
                        missions::name.eq(&b.mission_name),
                        missions::sort_key.eq(rows::budget_order_key(&b.mission_code)),
                    ))
                    .returning(missions::id)
                    .get_result(conn)?,
            };
            ids.missions.insert(b.mission_code.clone(), id);
            id
        }
    };
    let program_id = match ids.programs.get(&b.program_code) {
        Some(&id) => id,
        None => {
            let found: Option<i32> = programs::table
                .filter(programs::code.eq(&b.program_code))
                .select(programs::id)
                .first(conn)
                .optional()?;
            let id = match found {
                Some(id) => {
                    diesel::update(programs::table.find(id))
                        .set((
                            programs::name.eq(&b.program_name),
                            programs::mission_id.eq(mission_id),
                        ))
                        .execute(conn)?;
                    id
                }
                None => diesel::insert_into(programs::table)
                    .values((
                        programs::mission_id.eq(mission_id),
                        programs::code.eq(&b.program_code),
                        programs::name.eq(&b.program_name),
                        programs::sort_key.eq(rows::budget_order_key(&b.program_code)),
                    ))
                    .returning(programs::id)
                    .get_result(conn)?,
            };
            ids.programs.insert(b.program_code.clone(), id);
            id
        }
    };
    let key = (program_id, b.action.clone());
    if let Some(&id) = ids.actions.get(&key) {
        return Ok(id);
    }
    let found: Option<i32> = actions::table
        .filter(actions::program_id.eq(program_id))
        .filter(actions::name.eq(&b.action))
        .select(actions::id)
        .first(conn)
        .optional()?;
    let id = match found {
        Some(id) => id,
        None => diesel::insert_into(actions::table)
            .values((
                actions::program_id.eq(program_id),
                actions::name.eq(&b.action),
            ))
            .returning(actions::id)
            .get_result(conn)?,
    };
    ids.actions.insert(key, id);
    Ok(id)
}

fn responsibility_centre_id(
    conn: &mut Conn,
    plan_id: i32,
    cache: &mut HashMap<String, i32>,
    rc: &m::ResponsibilityCentre,
) -> Result<i32, StoreError> {
    if let Some(&id) = cache.get(&rc.name) {
        return Ok(id);
    }
    let found: Option<i32> = responsibility_centres::table
        .filter(responsibility_centres::plan_id.eq(plan_id))
        .filter(responsibility_centres::name.eq(&rc.name))
        .select(responsibility_centres::id)
        .first(conn)
        .optional()?;
    let id = match found {
        Some(id) => {
            diesel::update(responsibility_centres::table.find(id))
                .set(responsibility_centres::head.eq(&rc.head))
                .execute(conn)?;
            id
        }
        None => diesel::insert_into(responsibility_centres::table)
            .values((
                responsibility_centres::plan_id.eq(plan_id),
                responsibility_centres::name.eq(&rc.name),
                responsibility_centres::head.eq(&rc.head),
            ))
            .returning(responsibility_centres::id)
            .get_result(conn)?,
    };
    cache.insert(rc.name.clone(), id);
    Ok(id)
}

fn office_id(
    conn: &mut Conn,
    rc_id: i32,
    cache: &mut HashMap<(i32, String), i32>,
    name: &str,
) -> Result<i32, StoreError> {
    let key = (rc_id, name.to_string());
    if let Some(&id) = cache.get(&key) {
        return Ok(id);
    }
    let found: Option<i32> = offices::table
        .filter(offices::responsibility_centre_id.eq(rc_id))
        .filter(offices::name.eq(name))
        .select(offices::id)
        .first(conn)
        .optional()?;
    let id = match found {
        Some(id) => id,
        None => diesel::insert_into(offices::table)
            .values((
                offices::responsibility_centre_id.eq(rc_id),
                offices::name.eq(name),
            ))
            .returning(offices::id)
            .get_result(conn)?,
    };
    cache.insert(key, id);
    Ok(id)
}

/// Ids of objects by their code within a plan.
type IdsByCode = HashMap<String, i32>;

/// Creates or updates the strategic and annual objectives the sheets link
/// to; returns their ids by code.
fn linked_objective_ids(
    conn: &mut Conn,
    plan_id: i32,
    doc: &m::PlanDocument,
) -> Result<(IdsByCode, IdsByCode), StoreError> {
    // The entity keeps the first wording in the document; each link keeps
    // its own sheet's wording.
    let mut strategic = HashMap::new();
    for link in doc.objectives.iter().flat_map(|o| &o.strategic_objectives) {
        if strategic.contains_key(&link.code) {
            continue;
        }
        let found: Option<i32> = strategic_objectives::table
            .filter(strategic_objectives::plan_id.eq(plan_id))
            .filter(strategic_objectives::code.eq(&link.code))
            .select(strategic_objectives::id)
            .first(conn)
            .optional()?;
        let id = match found {
            Some(id) => {
                diesel::update(strategic_objectives::table.find(id))
                    .set(strategic_objectives::title.eq(&link.title))
                    .execute(conn)?;
                id
            }
            None => diesel::insert_into(strategic_objectives::table)
                .values((
                    strategic_objectives::plan_id.eq(plan_id),
                    strategic_objectives::code.eq(&link.code),
                    strategic_objectives::title.eq(&link.title),
                ))
                .returning(strategic_objectives::id)
                .get_result(conn)?,
        };
        strategic.insert(link.code.clone(), id);
    }
    let mut annual = HashMap::new();
    for link in doc.objectives.iter().flat_map(|o| &o.annual_objectives) {
        if annual.contains_key(&link.code) {
            continue;
        }
        // An annual objective `4.1` belongs to the strategic objective `4`
        // when the plan names it.
        let parent = link
            .code
            .split('.')
            .next()
            .and_then(|p| strategic.get(p).copied());
        let found: Option<i32> = annual_objectives::table
            .filter(annual_objectives::plan_id.eq(plan_id))
            .filter(annual_objectives::code.eq(&link.code))
            .select(annual_objectives::id)
            .first(conn)
            .optional()?;
        let id = match found {
            Some(id) => {
                diesel::update(annual_objectives::table.find(id))
                    .set((
                        annual_objectives::title.eq(&link.title),
                        annual_objectives::strategic_objective_id.eq(parent),
                    ))
                    .execute(conn)?;
                id
            }
            None => diesel::insert_into(annual_objectives::table)
                .values((
                    annual_objectives::plan_id.eq(plan_id),
                    annual_objectives::strategic_objective_id.eq(parent),
                    annual_objectives::code.eq(&link.code),
                    annual_objectives::title.eq(&link.title),
                ))
                .returning(annual_objectives::id)
                .get_result(conn)?,
        };
        annual.insert(link.code.clone(), id);
    }
    Ok((strategic, annual))
}

fn save_objectives(conn: &mut Conn, plan_id: i32, doc: &m::PlanDocument) -> Result<(), StoreError> {
    let (strategic, annual) = linked_objective_ids(conn, plan_id, doc)?;
    let mut budget = BudgetIds::default();
    let mut centres = HashMap::new();
    let mut office_cache = HashMap::new();

    let existing: HashMap<String, i32> = objectives::table
        .filter(objectives::plan_id.eq(plan_id))
        .select((objectives::code, objectives::id))
        .load::<(String, i32)>(conn)?
        .into_iter()
        .collect();
    let plan_objectives = objectives::table
        .filter(objectives::plan_id.eq(plan_id))
        .select(objectives::id);

    // Links are rewritten from the document; the objectives keep their ids.
    diesel::delete(
        objective_offices::table.filter(objective_offices::objective_id.eq_any(plan_objectives)),
    )
    .execute(conn)?;
    diesel::delete(
        objective_strategic_objectives::table
            .filter(objective_strategic_objectives::objective_id.eq_any(plan_objectives)),
    )
    .execute(conn)?;
    diesel::delete(
        objective_annual_objectives::table
            .filter(objective_annual_objectives::objective_id.eq_any(plan_objectives)),
    )
    .execute(conn)?;
    diesel::delete(
        objective_actions::table.filter(objective_actions::objective_id.eq_any(plan_objectives)),
    )
    .execute(conn)?;

    // Rows first (updated in place, or inserted in chunks: one statement
    // per chunk, not per objective), then the ids of the plan's objectives
    // by code, then every link in chunks.
    let mut new_rows = Vec::new();
    let mut centre_ids = Vec::with_capacity(doc.objectives.len());
    for (position, o) in doc.objectives.iter().enumerate() {
        let rc_id =
            responsibility_centre_id(conn, plan_id, &mut centres, &o.responsibility_centre)?;
        centre_ids.push(rc_id);
        let row = rows::NewObjective {
            plan_id,
            responsibility_centre_id: rc_id,
            position: position as i32,
            code: o.code.clone(),
            year: o.year,
            title: o.title.clone(),
            description: o.description.clone(),
            offices_text: o.offices_text.clone(),
            strategic_objectives_text: o.strategic_objectives_text.clone(),
            annual_objectives_text: o.annual_objectives_text.clone(),
            other_offices: o.other_offices.clone(),
            external_bodies: o.external_bodies.clone(),
            start_date: o.start_date,
            end_date: o.end_date,
            max_score_points: o.max_score.map(|s| s.points),
            max_score_out_of: o.max_score.map(|s| s.out_of),
            amended_fields: to_json_list(&o.amended_fields),
            notes: to_json_list(&o.notes),
        };
        match existing.get(&o.code) {
            Some(&id) => {
                diesel::update(objectives::table.find(id))
                    .set((&row, objectives::version.eq(objectives::version + 1)))
                    .execute(conn)?;
            }
            None => new_rows.push(row),
        }
    }
    for chunk in new_rows.chunks(INSERT_CHUNK) {
        diesel::insert_into(objectives::table)
            .values(chunk)
            .execute(conn)?;
    }
    let by_code: HashMap<String, i32> = if new_rows.is_empty() {
        existing.clone()
    } else {
        objectives::table
            .filter(objectives::plan_id.eq(plan_id))
            .select((objectives::code, objectives::id))
            .load::<(String, i32)>(conn)?
            .into_iter()
            .collect()
    };
    drop(new_rows);

    let mut objective_ids = Vec::with_capacity(doc.objectives.len());
    let mut office_links = Vec::new();
    let mut strategic_links = Vec::new();
    let mut annual_links = Vec::new();
    let mut action_links = Vec::new();
    for (o, &rc_id) in doc.objectives.iter().zip(&centre_ids) {
        let id = by_code[&o.code];
        objective_ids.push(id);
        let first_link = office_links.len();
        for (i, name) in o.offices.iter().enumerate() {
            let office = office_id(conn, rc_id, &mut office_cache, name)?;
            if office_links[first_link..]
                .iter()
                .all(|&(_, linked, _)| linked != office)
            {
                office_links.push((id, office, i as i32));
            }
        }
        strategic_links.extend(dedup_titled_links(
            id,
            o.strategic_objectives
                .iter()
                .map(|l| (strategic[&l.code], &l.title)),
        ));
        annual_links.extend(dedup_titled_links(
            id,
            o.annual_objectives
                .iter()
                .map(|l| (annual[&l.code], &l.title)),
        ));
        let mut action_ids = Vec::with_capacity(o.budget.len());
        for b in &o.budget {
            action_ids.push(action_id(conn, &mut budget, b)?);
        }
        action_links.extend(dedup_links(id, action_ids.into_iter()));
    }
    insert_pairs_offices(conn, &office_links)?;
    for chunk in strategic_links.chunks(INSERT_CHUNK) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(o, s, p, title)| {
                (
                    objective_strategic_objectives::objective_id.eq(*o),
                    objective_strategic_objectives::strategic_objective_id.eq(*s),
                    objective_strategic_objectives::position.eq(*p),
                    objective_strategic_objectives::title.eq(*title),
                )
            })
            .collect();
        diesel::insert_into(objective_strategic_objectives::table)
            .values(values)
            .execute(conn)?;
    }
    for chunk in annual_links.chunks(INSERT_CHUNK) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(o, a, p, title)| {
                (
                    objective_annual_objectives::objective_id.eq(*o),
                    objective_annual_objectives::annual_objective_id.eq(*a),
                    objective_annual_objectives::position.eq(*p),
                    objective_annual_objectives::title.eq(*title),
                )
            })
            .collect();
        diesel::insert_into(objective_annual_objectives::table)
            .values(values)
            .execute(conn)?;
    }
    for chunk in action_links.chunks(INSERT_CHUNK) {
        let values: Vec<_> = chunk
            .iter()
            .map(|&(o, a, p)| {
                (
                    objective_actions::objective_id.eq(o),
                    objective_actions::action_id.eq(a),
                    objective_actions::position.eq(p),
                )
            })
            .collect();
        diesel::insert_into(objective_actions::table)
            .values(values)
            .execute(conn)?;
    }

    let kept: HashSet<i32> = objective_ids.iter().copied().collect();
    let stale: Vec<i32> = existing
        .values()
        .copied()
        .filter(|id| !kept.contains(id))
        .collect();
    for chunk in stale.chunks(INSERT_CHUNK) {
        diesel::delete(objectives::table.filter(objectives::id.eq_any(chunk))).execute(conn)?;
    }

    let indicator_ids = save_indicators(conn, plan_id, doc, &objective_ids)?;
    save_phases(conn, plan_id, doc, &objective_ids)?;
    save_measurements(conn, plan_id, &doc.measurements, &indicator_ids)?;
    Ok(())
}

/// Links `(objective, other, position, title)` without repeating `other`.
fn dedup_titled_links<'a>(
    objective: i32,
    others: impl Iterator<Item = (i32, &'a String)>,
) -> Vec<(i32, i32, i32, &'a String)> {
    let mut seen = HashSet::new();
    others
        .filter(|(o, _)| seen.insert(*o))
        .enumerate()
        .map(|(p, (o, title))| (objective, o, p as i32, title))
        .collect()
}

/// Pairs `(objective, other, position)` without repeating `other`.
fn dedup_links(objective: i32, others: impl Iterator<Item = i32>) -> Vec<(i32, i32, i32)> {
    let mut seen = HashSet::new();
    others
        .filter(|o| seen.insert(*o))
        .enumerate()
        .map(|(p, o)| (objective, o, p as i32))
        .collect()
}

fn insert_pairs_offices(conn: &mut Conn, links: &[(i32, i32, i32)]) -> Result<(), StoreError> {
    for chunk in links.chunks(INSERT_CHUNK) {
        let values: Vec<_> = chunk
            .iter()
            .map(|&(o, f, p)| {
                (
                    objective_offices::objective_id.eq(o),
                    objective_offices::office_id.eq(f),
                    objective_offices::position.eq(p),
                )
            })
            .collect();
        diesel::insert_into(objective_offices::table)
            .values(values)
            .execute(conn)?;
    }
    Ok(())
}

/// Upserts the indicators and rewrites their targets; returns the indicator
/// ids by (objective code, indicator code).
fn save_indicators(
    conn: &mut Conn,
    plan_id: i32,
    doc: &m::PlanDocument,
    objective_ids: &[i32],
) -> Result<HashMap<(String, String), i32>, StoreError> {
    let existing: HashMap<(i32, String), i32> = indicators::table
        .inner_join(objectives::table)
        .filter(objectives::plan_id.eq(plan_id))
        .select((indicators::objective_id, indicators::code, indicators::id))
        .load::<(i32, String, i32)>(conn)?
        .into_iter()
        .map(|(o, c, i)| ((o, c), i))
        .collect();
    let plan_indicators = indicators::table
        .inner_join(objectives::table)
        .filter(objectives::plan_id.eq(plan_id))
        .select(indicators::id);
    diesel::delete(targets::table.filter(targets::indicator_id.eq_any(plan_indicators)))
        .execute(conn)?;

    // Rows first (updated in place, or inserted in chunks), then the ids of
    // the plan's indicators by objective and code, then their targets.
    let mut new_rows = Vec::new();
    for (o, &objective_id) in doc.objectives.iter().zip(objective_ids) {
        for (position, i) in o.indicators.iter().enumerate() {
            let (baseline_raw, baseline_comparator, baseline_number, baseline_unit, baseline_note) =
                measure_columns(i.baseline.as_ref());
            let row = rows::NewIndicator {
                objective_id,
                position: position as i32,
                code: i.code.clone(),
                description: i.description.clone(),
                method: i.method.clone(),
                kind: i.kind.clone(),
                unit: i.unit.as_str().to_string(),
                direction: i.direction.as_str().to_string(),
                baseline_raw,
                baseline_comparator,
                baseline_number,
                baseline_unit,
                baseline_note,
                calculator_id: i.calculator.as_ref().map(|c| c.calculator.clone()),
                calculator_params: i.calculator.as_ref().map(|c| c.params.to_string()),
                calculator_guessed: i.calculator.as_ref().is_some_and(|c| c.guessed),
                amended_fields: to_json_list(&i.amended_fields),
            };
            match existing.get(&(objective_id, i.code.clone())) {
                Some(&id) => {
                    diesel::update(indicators::table.find(id))
                        .set((&row, indicators::version.eq(indicators::version + 1)))
                        .execute(conn)?;
                }
                None => new_rows.push(row),
            }
        }
    }
    for chunk in new_rows.chunks(INSERT_CHUNK) {
        diesel::insert_into(indicators::table)
            .values(chunk)
            .execute(conn)?;
    }
    let by_key: HashMap<(i32, String), i32> = if new_rows.is_empty() {
        existing.clone()
    } else {
        indicators::table
            .inner_join(objectives::table)
            .filter(objectives::plan_id.eq(plan_id))
            .select((indicators::objective_id, indicators::code, indicators::id))
            .load::<(i32, String, i32)>(conn)?
            .into_iter()
            .map(|(o, c, i)| ((o, c), i))
            .collect()
    };
    drop(new_rows);

    let mut ids = HashMap::new();
    let mut kept = HashSet::new();
    let mut new_targets = Vec::new();
    for (o, &objective_id) in doc.objectives.iter().zip(objective_ids) {
        for i in &o.indicators {
            let id = by_key[&(objective_id, i.code.clone())];
            kept.insert(id);
            ids.insert((o.code.clone(), i.code.clone()), id);
            for t in &i.targets {
                let (raw, comparator, number, unit, note) = measure_columns(Some(&t.value));
                new_targets.push(rows::NewTarget {
                    indicator_id: id,
                    year: t.year,
                    raw: raw.unwrap_or_default(),
                    comparator,
                    number,
                    unit,
                    note,
                    amended: t.amended,
                });
            }
        }
    }
    let stale: Vec<i32> = existing
        .values()
        .copied()
        .filter(|id| !kept.contains(id))
        .collect();
    for chunk in stale.chunks(INSERT_CHUNK) {
        diesel::delete(indicators::table.filter(indicators::id.eq_any(chunk))).execute(conn)?;
    }
    for chunk in new_targets.chunks(INSERT_CHUNK) {
        diesel::insert_into(targets::table)
            .values(chunk)
            .execute(conn)?;
    }
    Ok(ids)
}

fn save_phases(
    conn: &mut Conn,
    plan_id: i32,
    doc: &m::PlanDocument,
    objective_ids: &[i32],
) -> Result<(), StoreError> {
    // Phases are matched by code and keep their ids, so what refers to them
    // (recorded progress) survives a re-import.
    let existing: HashMap<(i32, String), i32> = phases::table
        .inner_join(objectives::table)
        .filter(objectives::plan_id.eq(plan_id))
        .select((phases::objective_id, phases::code, phases::id))
        .load::<(i32, String, i32)>(conn)?
        .into_iter()
        .map(|(o, c, id)| ((o, c), id))
        .collect();
    let mut kept = HashSet::new();
    let mut rows_to_insert = Vec::new();
    for (o, &objective_id) in doc.objectives.iter().zip(objective_ids) {
        for (position, p) in o.phases.iter().enumerate() {
            let row = rows::NewPhase {
                objective_id,
                position: position as i32,
                code: p.code.clone(),
                description: p.description.clone(),
                start_date: p.start_date,
                end_date: p.end_date,
                expected_result: p.expected_result.clone(),
                weight_bp: weight_to_bp(&p.code, p.weight)?,
                amended_fields: to_json_list(&p.amended_fields),
            };
            match existing.get(&(objective_id, p.code.clone())) {
                Some(&id) => {
                    kept.insert(id);
                    diesel::update(phases::table.find(id))
                        .set(&row)
                        .execute(conn)?;
                }
                None => rows_to_insert.push(row),
            }
        }
    }
    let stale: Vec<i32> = existing
        .values()
        .copied()
        .filter(|id| !kept.contains(id))
        .collect();
    for chunk in stale.chunks(INSERT_CHUNK) {
        diesel::delete(phases::table.filter(phases::id.eq_any(chunk))).execute(conn)?;
    }
    for chunk in rows_to_insert.chunks(INSERT_CHUNK) {
        diesel::insert_into(phases::table)
            .values(chunk)
            .execute(conn)?;
    }
    Ok(())
}

fn save_measurements(
    conn: &mut Conn,
    plan_id: i32,
    measurements_in: &[m::Measurement],
    indicator_ids: &HashMap<(String, String), i32>,
) -> Result<(), StoreError> {
    if measurements_in.is_empty() {
        return Ok(());
    }
    let existing: HashMap<(i32, String), i32> = measurements::table
        .inner_join(indicators::table.inner_join(objectives::table))
        .filter(objectives::plan_id.eq(plan_id))
        .select((
            measurements::indicator_id,
            measurements::period,
            measurements::id,
        ))
        .load::<(i32, String, i32)>(conn)?
        .into_iter()
        .map(|(i, p, id)| ((i, p), id))
        .collect();
    let mut inserts = Vec::new();
    for ms in measurements_in {
        let key = format!("{}/{}", ms.objective, ms.indicator);
        let indicator_id = *indicator_ids
            .get(&(ms.objective.clone(), ms.indicator.clone()))
            .ok_or_else(|| StoreError::Invalid {
                entity: "measurement",
                key: format!("{key} {}", ms.period),
                message: "names an indicator that is not in the plan".to_string(),
            })?;
        let (start, end) =
            crate::period::bounds(&ms.period).ok_or_else(|| StoreError::Invalid {
                entity: "measurement",
                key: format!("{key} {}", ms.period),
                message:
                    "the period must be a year (2020), a quarter (2020-Q1) or a month (2020-03)"
                        .to_string(),
            })?;
        let row = rows::NewMeasurement {
            indicator_id,
            period: ms.period.clone(),
            period_start: start,
            period_end: end,
            value: ms.value.to_string(),
            numerator: ms.numerator.map(|n| n.to_string()),
            denominator: ms.denominator.map(|n| n.to_string()),
            source: ms.source.clone(),
            recorded_by: ms.recorded_by.clone(),
            recorded_at: ms.recorded_at,
        };
        match existing.get(&(indicator_id, ms.period.clone())) {
            Some(&id) => {
                diesel::update(measurements::table.find(id))
                    .set(&row)
                    .execute(conn)?;
            }
            None => inserts.push(row),
        }
    }
    for chunk in inserts.chunks(INSERT_CHUNK) {
        diesel::insert_into(measurements::table)
            .values(chunk)
            .execute(conn)?;
    }
    Ok(())
}

fn save_areas(conn: &mut Conn, plan_id: i32, areas_in: &[m::Area]) -> Result<(), StoreError> {
    // Areas, ambiti and results have no identity of their own outside the
    // document, so they are rewritten rather than matched.
    diesel::delete(areas::table.filter(areas::plan_id.eq(plan_id))).execute(conn)?;
    let mut results = Vec::new();
    for (position, a) in areas_in.iter().enumerate() {
        let area_id: i32 = diesel::insert_into(areas::table)
            .values((
                areas::plan_id.eq(plan_id),
                areas::position.eq(position as i32),
                areas::name.eq(&a.name),
                areas::subtitle.eq(&a.subtitle),
                areas::introduction.eq(&a.introduction),
            ))
            .returning(areas::id)
            .get_result(conn)?;
        for (position, amb) in a.ambiti.iter().enumerate() {
            let ambito_id: i32 = diesel::insert_into(ambiti::table)
                .values((
                    ambiti::area_id.eq(area_id),
                    ambiti::position.eq(position as i32),
                    ambiti::name.eq(&amb.name),
                    ambiti::objective.eq(&amb.objective),
                ))
                .returning(ambiti::id)
                .get_result(conn)?;
            for (position, r) in amb.results.iter().enumerate() {
                results.push(rows::NewAmbitoResult {
                    ambito_id,
                    position: position as i32,
                    year: r.year,
                    kind: r.kind.as_str().to_string(),
                    text: r.text.clone(),
                });
            }
        }
    }
    for chunk in results.chunks(INSERT_CHUNK) {
        diesel::insert_into(ambito_results::table)
            .values(chunk)
            .execute(conn)?;
    }
    Ok(())
}

fn save_findings(
    conn: &mut Conn,
    plan_id: i32,
    findings_in: &[m::Finding],
) -> Result<(), StoreError> {
    diesel::delete(findings::table.filter(findings::plan_id.eq(plan_id))).execute(conn)?;
    let new: Vec<rows::NewFinding> = findings_in
        .iter()
        .enumerate()
        .map(|(position, f)| rows::NewFinding {
            plan_id,
            position: position as i32,
            entity: f.entity.clone(),
            entity_code: f.entity_code.clone(),
            code: f.code.clone(),
            message: f.message.clone(),
            line: f.line.map(|l| l as i32),
            severity: "warning".to_string(),
        })
        .collect();
    for chunk in new.chunks(INSERT_CHUNK) {
        diesel::insert_into(findings::table)
            .values(chunk)
            .execute(conn)?;
    }
    Ok(())
}

/// Replaces the plan's source locations: they describe the import that
/// wrote the plan, so an update replaces them all.
fn save_sources(
    conn: &mut Conn,
    plan_id: i32,
    sources_in: &[m::SourceLocation],
) -> Result<(), StoreError> {
    diesel::delete(source_locations::table.filter(source_locations::plan_id.eq(plan_id)))
        .execute(conn)?;
    let new: Vec<rows::NewSourceLocation> = sources_in
        .iter()
        .enumerate()
        .map(|(position, s)| rows::NewSourceLocation {
            plan_id,
            position: position as i32,
            entity: s.entity.clone(),
            entity_code: s.entity_code.clone(),
            file: s.file.clone(),
            line: s.line.map(|l| i32::try_from(l).unwrap_or(i32::MAX)),
            sheet: s.sheet.clone(),
            cell: s.cell.clone(),
        })
        .collect();
    for chunk in new.chunks(INSERT_CHUNK) {
        diesel::insert_into(source_locations::table)
            .values(chunk)
            .execute(conn)?;
    }
    Ok(())
}

/// Removes what the plan no longer uses after an update: links to strategic
/// and annual objectives no sheet names, and responsibility centres and
/// offices no objective names.
fn remove_unused(conn: &mut Conn, plan_id: i32) -> Result<(), StoreError> {
    let linked_annual =
        objective_annual_objectives::table.select(objective_annual_objectives::annual_objective_id);
    diesel::delete(
        annual_objectives::table
            .filter(annual_objectives::plan_id.eq(plan_id))
            .filter(diesel::dsl::not(
                annual_objectives::id.eq_any(linked_annual),
            )),
    )
    .execute(conn)?;
    let linked_strategic = objective_strategic_objectives::table
        .select(objective_strategic_objectives::strategic_objective_id);
    let parents = annual_objectives::table
        .filter(annual_objectives::strategic_objective_id.is_not_null())
        .select(annual_objectives::strategic_objective_id.assume_not_null());
    diesel::delete(
        strategic_objectives::table
            .filter(strategic_objectives::plan_id.eq(plan_id))
            .filter(diesel::dsl::not(
                strategic_objectives::id.eq_any(linked_strategic),
            ))
            .filter(diesel::dsl::not(strategic_objectives::id.eq_any(parents))),
    )
    .execute(conn)?;
    let plan_centres = responsibility_centres::table
        .filter(responsibility_centres::plan_id.eq(plan_id))
        .select(responsibility_centres::id);
    let linked_offices = objective_offices::table.select(objective_offices::office_id);
    diesel::delete(
        offices::table
            .filter(offices::responsibility_centre_id.eq_any(plan_centres))
            .filter(diesel::dsl::not(offices::id.eq_any(linked_offices))),
    )
    .execute(conn)?;
    let used_centres = objectives::table.select(objectives::responsibility_centre_id);
    diesel::delete(
        responsibility_centres::table
            .filter(responsibility_centres::plan_id.eq(plan_id))
            .filter(diesel::dsl::not(
                responsibility_centres::id.eq_any(used_centres),
            )),
    )
    .execute(conn)?;
    Ok(())
}

fn plan_id_of(conn: &mut Conn, code: &str) -> Result<i32, StoreError> {
    plans::table
        .filter(plans::code.eq(code))
        .select(plans::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            entity: "plan",
            key: code.to_string(),
        })
}

fn counts_of(conn: &mut Conn, plan_id: i32) -> Result<PlanCounts, StoreError> {
    let objectives_n = objectives::table
        .filter(objectives::plan_id.eq(plan_id))
        .count()
        .get_result(conn)?;
    let indicators_n = indicators::table
        .inner_join(objectives::table)
        .filter(objectives::plan_id.eq(plan_id))
        .count()
        .get_result(conn)?;
    let targets_n = targets::table
        .inner_join(indicators::table.inner_join(objectives::table))
        .filter(objectives::plan_id.eq(plan_id))
        .count()
        .get_result(conn)?;
    let phases_n = phases::table
        .inner_join(objectives::table)
        .filter(objectives::plan_id.eq(plan_id))
        .count()
        .get_result(conn)?;
    let areas_n = areas::table
        .filter(areas::plan_id.eq(plan_id))
        .count()
        .get_result(conn)?;
    let ambiti_n = ambiti::table
        .inner_join(areas::table)
        .filter(areas::plan_id.eq(plan_id))
        .count()
        .get_result(conn)?;
    let results_n = ambito_results::table
        .inner_join(ambiti::table.inner_join(areas::table))
        .filter(areas::plan_id.eq(plan_id))
        .count()
        .get_result(conn)?;
    let measurements_n = measurements::table
        .inner_join(indicators::table.inner_join(objectives::table))
        .filter(objectives::plan_id.eq(plan_id))
        .count()
        .get_result(conn)?;
    let findings_n = findings::table
        .filter(findings::plan_id.eq(plan_id))
        .count()
        .get_result(conn)?;
    Ok(PlanCounts {
        objectives: objectives_n,
        indicators: indicators_n,
        targets: targets_n,
        phases: phases_n,
        areas: areas_n,
        ambiti: ambiti_n,
        ambito_results: results_n,
        measurements: measurements_n,
        findings: findings_n,
    })
}

pub(super) fn plan_counts(conn: &mut Conn, code: &str) -> Result<PlanCounts, StoreError> {
    let plan_id = plan_id_of(conn, code)?;
    counts_of(conn, plan_id)
}

pub(super) fn plan_codes(conn: &mut Conn) -> Result<Vec<String>, StoreError> {
    Ok(plans::table
        .select(plans::code)
        .order(plans::code)
        .load(conn)?)
}

pub(super) fn delete_plan(conn: &mut Conn, code: &str) -> Result<(), StoreError> {
    conn.write_transaction(|conn| {
        let plan_id = plan_id_of(conn, code)?;
        diesel::delete(plans::table.find(plan_id)).execute(conn)?;
        Ok(())
    })
}

pub(super) fn table_counts(conn: &mut Conn) -> Result<Vec<(&'static str, i64)>, StoreError> {
    Ok(vec![
        ("plans", plans::table.count().get_result(conn)?),
        ("missions", missions::table.count().get_result(conn)?),
        ("programs", programs::table.count().get_result(conn)?),
        ("actions", actions::table.count().get_result(conn)?),
        (
            "responsibility_centres",
            responsibility_centres::table.count().get_result(conn)?,
        ),
        ("offices", offices::table.count().get_result(conn)?),
        (
            "strategic_objectives",
            strategic_objectives::table.count().get_result(conn)?,
        ),
        (
            "annual_objectives",
            annual_objectives::table.count().get_result(conn)?,
        ),
        ("objectives", objectives::table.count().get_result(conn)?),
        (
            "objective_offices",
            objective_offices::table.count().get_result(conn)?,
        ),
        (
            "objective_strategic_objectives",
            objective_strategic_objectives::table
                .count()
                .get_result(conn)?,
        ),
        (
            "objective_annual_objectives",
            objective_annual_objectives::table
                .count()
                .get_result(conn)?,
        ),
        (
            "objective_actions",
            objective_actions::table.count().get_result(conn)?,
        ),
        ("indicators", indicators::table.count().get_result(conn)?),
        ("targets", targets::table.count().get_result(conn)?),
        ("phases", phases::table.count().get_result(conn)?),
        ("areas", areas::table.count().get_result(conn)?),
        ("ambiti", ambiti::table.count().get_result(conn)?),
        (
            "ambito_results",
            ambito_results::table.count().get_result(conn)?,
        ),
        (
            "measurements",
            measurements::table.count().get_result(conn)?,
        ),
        ("findings", findings::table.count().get_result(conn)?),
        (
            "source_locations",
            source_locations::table.count().get_result(conn)?,
        ),
        ("api_tokens", api_tokens::table.count().get_result(conn)?),
        ("payments", payments::table.count().get_result(conn)?),
        (
            "phase_progress",
            phase_progress::table.count().get_result(conn)?,
        ),
        (
            "indicator_values",
            indicator_values::table.count().get_result(conn)?,
        ),
    ])
}

pub(super) fn load_document(conn: &mut Conn, code: &str) -> Result<m::PlanDocument, StoreError> {
    conn.transaction(|conn| load_document_in_tx(conn, code))
}

fn load_document_in_tx(conn: &mut Conn, code: &str) -> Result<m::PlanDocument, StoreError> {
    let plan: rows::Plan = plans::table
        .filter(plans::code.eq(code))
        .select(rows::Plan::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            entity: "plan",
            key: code.to_string(),
        })?;
    let plan_id = plan.id;
    let kind =
        m::PlanKind::parse(&plan.kind).ok_or_else(|| super::corrupt("plan kind", &plan.kind))?;

    let objective_rows: Vec<rows::Objective> = objectives::table
        .filter(objectives::plan_id.eq(plan_id))
        .order(objectives::position)
        .select(rows::Objective::as_select())
        .load(conn)?;
    let centres: HashMap<i32, rows::ResponsibilityCentre> = responsibility_centres::table
        .filter(responsibility_centres::plan_id.eq(plan_id))
        .select(rows::ResponsibilityCentre::as_select())
        .load(conn)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let plan_objectives = objectives::table
        .filter(objectives::plan_id.eq(plan_id))
        .select(objectives::id);

    let mut offices_by: HashMap<i32, Vec<String>> = HashMap::new();
    for (objective_id, name) in objective_offices::table
        .inner_join(offices::table)
        .filter(objective_offices::objective_id.eq_any(plan_objectives))
        .order((objective_offices::objective_id, objective_offices::position))
        .select((objective_offices::objective_id, offices::name))
        .load::<(i32, String)>(conn)?
    {
        offices_by.entry(objective_id).or_default().push(name);
    }
    let mut strategic_by: HashMap<i32, Vec<m::LinkedObjective>> = HashMap::new();
    for (objective_id, code, title) in objective_strategic_objectives::table
        .inner_join(strategic_objectives::table)
        .filter(objective_strategic_objectives::objective_id.eq_any(plan_objectives))
        .order((
            objective_strategic_objectives::objective_id,
            objective_strategic_objectives::position,
        ))
        .select((
            objective_strategic_objectives::objective_id,
            strategic_objectives::code,
            objective_strategic_objectives::title,
        ))
        .load::<(i32, String, String)>(conn)?
    {
        strategic_by
            .entry(objective_id)
            .or_default()
            .push(m::LinkedObjective { code, title });
    }
    let mut annual_by: HashMap<i32, Vec<m::LinkedObjective>> = HashMap::new();
    for (objective_id, code, title) in objective_annual_objectives::table
        .inner_join(annual_objectives::table)
        .filter(objective_annual_objectives::objective_id.eq_any(plan_objectives))
        .order((
            objective_annual_objectives::objective_id,
            objective_annual_objectives::position,
        ))
        .select((
            objective_annual_objectives::objective_id,
            annual_objectives::code,
            objective_annual_objectives::title,
        ))
        .load::<(i32, String, String)>(conn)?
    {
        annual_by
            .entry(objective_id)
            .or_default()
            .push(m::LinkedObjective { code, title });
    }
    let mut budget_by: HashMap<i32, Vec<m::BudgetLink>> = HashMap::new();
    for (objective_id, mission_code, mission_name, program_code, program_name, action) in
        objective_actions::table
            .inner_join(actions::table.inner_join(programs::table.inner_join(missions::table)))
            .filter(objective_actions::objective_id.eq_any(plan_objectives))
            .order((objective_actions::objective_id, objective_actions::position))
            .select((
                objective_actions::objective_id,
                missions::code,
                missions::name,
                programs::code,
                programs::name,
                actions::name,
            ))
            .load::<(i32, String, String, String, String, String)>(conn)?
    {
        budget_by
            .entry(objective_id)
            .or_default()
            .push(m::BudgetLink {
                mission_code,
                mission_name,
                program_code,
                program_name,
                action,
            });
    }

    let indicator_rows: Vec<rows::Indicator> = indicators::table
        .inner_join(objectives::table)
        .filter(objectives::plan_id.eq(plan_id))
        .order((indicators::objective_id, indicators::position))
        .select(rows::Indicator::as_select())
        .load(conn)?;
    let mut targets_by: HashMap<i32, Vec<m::Target>> = HashMap::new();
    for t in targets::table
        .inner_join(indicators::table.inner_join(objectives::table))
        .filter(objectives::plan_id.eq(plan_id))
        .order((targets::indicator_id, targets::year))
        .select(rows::Target::as_select())
        .load::<rows::Target>(conn)?
    {
        let value = measure_from_columns(Some(t.raw), t.comparator, t.number, t.unit, t.note)?
            .ok_or_else(|| super::corrupt("target", "without text"))?;
        targets_by
            .entry(t.indicator_id)
            .or_default()
            .push(m::Target {
                year: t.year,
                value,
                amended: t.amended,
            });
    }
    let mut indicators_by: HashMap<i32, Vec<m::Indicator>> = HashMap::new();
    let mut indicator_keys: HashMap<i32, (i32, String)> = HashMap::new();
    for i in indicator_rows {
        indicator_keys.insert(i.id, (i.objective_id, i.code.clone()));
        let calculator = match i.calculator_id {
            Some(calculator) => Some(m::CalculatorBinding {
                calculator,
                params: match i.calculator_params.as_deref() {
                    Some(p) => serde_json::from_str(p)
                        .map_err(|_| super::corrupt("calculator params", p))?,
                    None => serde_json::Value::Object(Default::default()),
                },
                guessed: i.calculator_guessed,
            }),
            None => None,
        };
        indicators_by
            .entry(i.objective_id)
            .or_default()
            .push(m::Indicator {
                code: i.code,
                description: i.description,
                method: i.method,
                kind: i.kind,
                unit: m::Unit::parse(&i.unit).ok_or_else(|| super::corrupt("unit", &i.unit))?,
                direction: m::Direction::parse(&i.direction)
                    .ok_or_else(|| super::corrupt("direction", &i.direction))?,
                baseline: measure_from_columns(
                    i.baseline_raw,
                    i.baseline_comparator,
                    i.baseline_number,
                    i.baseline_unit,
                    i.baseline_note,
                )?,
                targets: targets_by.remove(&i.id).unwrap_or_default(),
                calculator,
                amended_fields: from_json_list(&i.amended_fields)?,
            });
    }
    let mut phases_by: HashMap<i32, Vec<m::Phase>> = HashMap::new();
    for p in phases::table
        .inner_join(objectives::table)
        .filter(objectives::plan_id.eq(plan_id))
        .order((phases::objective_id, phases::position))
        .select(rows::Phase::as_select())
        .load::<rows::Phase>(conn)?
    {
        phases_by.entry(p.objective_id).or_default().push(m::Phase {
            code: p.code,
            description: p.description,
            start_date: p.start_date,
            end_date: p.end_date,
            expected_result: p.expected_result,
            weight: weight_from_bp(p.weight_bp),
            amended_fields: from_json_list(&p.amended_fields)?,
        });
    }

    let mut objectives_out = Vec::with_capacity(objective_rows.len());
    let mut objective_codes = HashMap::new();
    for o in objective_rows {
        objective_codes.insert(o.id, o.code.clone());
        let centre = centres.get(&o.responsibility_centre_id).ok_or_else(|| {
            super::corrupt(
                "responsibility centre",
                &o.responsibility_centre_id.to_string(),
            )
        })?;
        objectives_out.push(m::Objective {
            code: o.code,
            year: o.year,
            title: o.title,
            description: o.description,
            responsibility_centre: m::ResponsibilityCentre {
                name: centre.name.clone(),
                head: centre.head.clone(),
            },
            offices: offices_by.remove(&o.id).unwrap_or_default(),
            offices_text: o.offices_text,
            strategic_objectives: strategic_by.remove(&o.id).unwrap_or_default(),
            annual_objectives: annual_by.remove(&o.id).unwrap_or_default(),
            strategic_objectives_text: o.strategic_objectives_text,
            annual_objectives_text: o.annual_objectives_text,
            other_offices: o.other_offices,
            external_bodies: o.external_bodies,
            start_date: o.start_date,
            end_date: o.end_date,
            max_score: match (o.max_score_points, o.max_score_out_of) {
                (Some(points), Some(out_of)) => Some(m::MaxScore { points, out_of }),
                _ => None,
            },
            budget: budget_by.remove(&o.id).unwrap_or_default(),
            indicators: indicators_by.remove(&o.id).unwrap_or_default(),
            phases: phases_by.remove(&o.id).unwrap_or_default(),
            amended_fields: from_json_list(&o.amended_fields)?,
            notes: from_json_list(&o.notes)?,
        });
    }

    let mut measurements_out = Vec::new();
    for ms in measurements::table
        .inner_join(indicators::table.inner_join(objectives::table))
        .filter(objectives::plan_id.eq(plan_id))
        .order((
            objectives::position,
            indicators::position,
            measurements::period_start,
            measurements::period_end.desc(),
            measurements::period,
        ))
        .select(rows::Measurement::as_select())
        .load::<rows::Measurement>(conn)?
    {
        let (objective_id, indicator_code) = indicator_keys
            .get(&ms.indicator_id)
            .cloned()
            .ok_or_else(|| super::corrupt("measurement indicator", &ms.indicator_id.to_string()))?;
        measurements_out.push(m::Measurement {
            objective: objective_codes
                .get(&objective_id)
                .cloned()
                .unwrap_or_default(),
            indicator: indicator_code,
            period: ms.period,
            value: decimal(&ms.value)?,
            numerator: ms.numerator.as_deref().map(decimal).transpose()?,
            denominator: ms.denominator.as_deref().map(decimal).transpose()?,
            source: ms.source,
            recorded_by: ms.recorded_by,
            recorded_at: ms.recorded_at,
        });
    }

    let area_rows: Vec<rows::Area> = areas::table
        .filter(areas::plan_id.eq(plan_id))
        .order(areas::position)
        .select(rows::Area::as_select())
        .load(conn)?;
    let ambito_rows: Vec<rows::Ambito> = ambiti::table
        .inner_join(areas::table)
        .filter(areas::plan_id.eq(plan_id))
        .order((ambiti::area_id, ambiti::position))
        .select(rows::Ambito::as_select())
        .load(conn)?;
    let mut results_by: HashMap<i32, Vec<m::AmbitoResult>> = HashMap::new();
    for r in ambito_results::table
        .inner_join(ambiti::table.inner_join(areas::table))
        .filter(areas::plan_id.eq(plan_id))
        .order((ambito_results::ambito_id, ambito_results::position))
        .select(rows::AmbitoResult::as_select())
        .load::<rows::AmbitoResult>(conn)?
    {
        results_by
            .entry(r.ambito_id)
            .or_default()
            .push(m::AmbitoResult {
                year: r.year,
                kind: m::ResultKind::parse(&r.kind)
                    .ok_or_else(|| super::corrupt("result kind", &r.kind))?,
                text: r.text,
            });
    }
    let mut ambiti_by: HashMap<i32, Vec<m::Ambito>> = HashMap::new();
    for a in ambito_rows {
        ambiti_by.entry(a.area_id).or_default().push(m::Ambito {
            name: a.name,
            objective: a.objective,
            results: results_by.remove(&a.id).unwrap_or_default(),
        });
    }
    let areas_out = area_rows
        .into_iter()
        .map(|a| m::Area {
            name: a.name,
            subtitle: a.subtitle,
            introduction: a.introduction,
            ambiti: ambiti_by.remove(&a.id).unwrap_or_default(),
        })
        .collect();

    let findings_out = findings::table
        .filter(findings::plan_id.eq(plan_id))
        .order(findings::position)
        .select(rows::Finding::as_select())
        .load::<rows::Finding>(conn)?
        .into_iter()
        .map(|f| m::Finding {
            code: f.code,
            entity: f.entity,
            entity_code: f.entity_code,
            message: f.message,
            line: f.line.map(|l| l as u32),
            severity: m::Severity::Warning,
        })
        .collect();

    let sources_out = source_locations::table
        .filter(source_locations::plan_id.eq(plan_id))
        .order(source_locations::position)
        .select(rows::SourceLocation::as_select())
        .load::<rows::SourceLocation>(conn)?
        .into_iter()
        .map(|s| m::SourceLocation {
            entity: s.entity,
            entity_code: s.entity_code,
            file: s.file,
            line: s.line.map(|l| l as u32),
            sheet: s.sheet,
            cell: s.cell,
        })
        .collect();

    Ok(m::PlanDocument {
        format: m::FORMAT_VERSION.to_string(),
        plan: m::PlanInfo {
            code: plan.code,
            kind,
            administration: plan.administration,
            title: plan.title,
            first_year: plan.first_year,
            last_year: plan.last_year,
            notes: from_json_list(&plan.notes)?,
        },
        objectives: objectives_out,
        areas: areas_out,
        measurements: measurements_out,
        findings: findings_out,
        sources: sources_out,
    })
}
