// The queries behind `Database`'s plan methods. This file is included twice
// by `store/mod.rs`, once per backend, with `Conn` naming the connection type
// and `entity` the entity writers of the same backend: the import reads what
// the plan holds, decides, and leaves every write to those writers.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::{
    decimal, from_json_list, measure_columns, measure_from_columns, to_json_list, weight_from_bp,
    weight_to_bp, ImportSummary, PlanCounts,
};
use crate::error::StoreError;
use crate::rows;
use crate::schema::*;
use cruscotto_import::model as m;
use entity::objective::{Link, LinkList, LinksOf};

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
            entity::plan::replace(conn, id, &row)?;
            (id, false)
        }
        None => (entity::plan::insert(conn, &row)?.id, true),
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
                    entity::budget::update_mission(conn, id, None, Some(&b.mission_name))?;
                    id
                }
                None => entity::budget::insert_mission(conn, &b.mission_code, &b.mission_name)?.id,
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
                    entity::budget::update_program(
                        conn,
                        id,
                        Some(mission_id),
                        None,
                        Some(&b.program_name),
                    )?;
                    id
                }
                None => {
                    entity::budget::insert_program(
                        conn,
                        mission_id,
                        &b.program_code,
                        &b.program_name,
                    )?
                    .id
                }
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
        None => entity::budget::insert_action(conn, program_id, &b.action)?.id,
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
            entity::centre::update_centre(conn, id, None, Some(rc.head.as_deref()))?;
            id
        }
        None => entity::centre::insert_centre(conn, plan_id, &rc.name, rc.head.as_deref())?.id,
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
        None => entity::centre::insert_office(conn, rc_id, name)?.id,
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
                entity::objective::update_strategic(conn, id, None, Some(&link.title))?;
                id
            }
            None => entity::objective::insert_strategic(conn, plan_id, &link.code, &link.title)?.id,
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
                entity::objective::update_annual(conn, id, Some(parent), None, Some(&link.title))?;
                id
            }
            None => {
                entity::objective::insert_annual(conn, plan_id, parent, &link.code, &link.title)?.id
            }
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

    // Links are rewritten from the document; the objectives keep their ids.
    for list in LinkList::ALL {
        entity::objective::delete_links(conn, list, LinksOf::Plan(plan_id))?;
    }

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
                entity::objective::replace(conn, id, &row)?;
            }
            None => new_rows.push(row),
        }
    }
    entity::objective::insert(conn, &new_rows)?;
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
    let mut office_links: Vec<Link<'_>> = Vec::new();
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
                .all(|l| l.linked_id != office)
            {
                office_links.push(Link {
                    objective_id: id,
                    linked_id: office,
                    position: i as i32,
                    title: "",
                });
            }
        }
        strategic_links.extend(dedup_links(
            id,
            o.strategic_objectives
                .iter()
                .map(|l| (strategic[&l.code], l.title.as_str())),
        ));
        annual_links.extend(dedup_links(
            id,
            o.annual_objectives
                .iter()
                .map(|l| (annual[&l.code], l.title.as_str())),
        ));
        let mut action_ids = Vec::with_capacity(o.budget.len());
        for b in &o.budget {
            action_ids.push((action_id(conn, &mut budget, b)?, ""));
        }
        action_links.extend(dedup_links(id, action_ids.into_iter()));
    }
    for (list, links) in [
        (LinkList::Offices, &office_links),
        (LinkList::StrategicObjectives, &strategic_links),
        (LinkList::AnnualObjectives, &annual_links),
        (LinkList::Actions, &action_links),
    ] {
        entity::objective::insert_links(conn, list, links)?;
    }

    let kept: HashSet<i32> = objective_ids.iter().copied().collect();
    let stale: Vec<i32> = existing
        .values()
        .copied()
        .filter(|id| !kept.contains(id))
        .collect();
    entity::objective::delete(conn, &stale)?;

    let indicator_ids = save_indicators(conn, plan_id, doc, &objective_ids)?;
    save_phases(conn, plan_id, doc, &objective_ids)?;
    save_measurements(conn, &doc.measurements, &indicator_ids)?;
    Ok(())
}

/// The links of `objective` to `others` (id, the sheet's wording) in sheet
/// order, each linked object once.
fn dedup_links<'a>(objective: i32, others: impl Iterator<Item = (i32, &'a str)>) -> Vec<Link<'a>> {
    let mut seen = HashSet::new();
    others
        .filter(|(o, _)| seen.insert(*o))
        .enumerate()
        .map(|(p, (linked_id, title))| Link {
            objective_id: objective,
            linked_id,
            position: p as i32,
            title,
        })
        .collect()
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
    entity::target::delete_of_plan(conn, plan_id)?;

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
                    entity::indicator::replace(conn, id, &row)?;
                }
                None => new_rows.push(row),
            }
        }
    }
    entity::indicator::insert(conn, &new_rows)?;
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
    entity::indicator::delete(conn, &stale)?;
    entity::target::insert(conn, &new_targets)?;
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
                    entity::phase::replace(conn, id, &row)?;
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
    entity::phase::delete(conn, &stale)?;
    entity::phase::insert(conn, &rows_to_insert)?;
    Ok(())
}

/// Stores the document's measurements through the one measurement writer:
/// a value recorded before for the same indicator and period is replaced;
/// measurements recorded elsewhere are kept.
fn save_measurements(
    conn: &mut Conn,
    measurements_in: &[m::Measurement],
    indicator_ids: &HashMap<(String, String), i32>,
) -> Result<(), StoreError> {
    let mut rows_in = Vec::with_capacity(measurements_in.len());
    for ms in measurements_in {
        let key = || format!("{}/{} {}", ms.objective, ms.indicator, ms.period);
        let indicator_id = *indicator_ids
            .get(&(ms.objective.clone(), ms.indicator.clone()))
            .ok_or_else(|| {
                super::invalid(
                    "measurement",
                    &key(),
                    "names an indicator that is not in the plan",
                )
            })?;
        let period = crate::period::parse(&ms.period)
            .map_err(|_| super::invalid("measurement", &key(), crate::period::EXPECTED))?;
        rows_in.push(rows::NewMeasurement {
            numerator: ms.numerator.map(|n| n.to_string()),
            denominator: ms.denominator.map(|n| n.to_string()),
            ..rows::NewMeasurement::new(
                indicator_id,
                &period,
                ms.value.to_string(),
                ms.source.clone(),
                ms.recorded_by.clone(),
                ms.recorded_at,
            )
        });
    }
    entity::measurement::upsert(conn, &rows_in)?;
    Ok(())
}

fn save_areas(conn: &mut Conn, plan_id: i32, areas_in: &[m::Area]) -> Result<(), StoreError> {
    // Areas, ambiti and results have no identity of their own outside the
    // document, so they are rewritten rather than matched.
    entity::area::delete_areas_of_plan(conn, plan_id)?;
    let mut results = Vec::new();
    for (position, a) in areas_in.iter().enumerate() {
        let area_id = entity::area::insert_area(
            conn,
            plan_id,
            position as i32,
            a.name.as_deref(),
            a.subtitle.as_deref(),
            &a.introduction,
        )?
        .id;
        for (position, amb) in a.ambiti.iter().enumerate() {
            let ambito_id = entity::area::insert_ambito(
                conn,
                area_id,
                position as i32,
                &amb.name,
                &amb.objective,
            )?
            .id;
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
    entity::area::insert_results(conn, &results)?;
    Ok(())
}

fn save_findings(
    conn: &mut Conn,
    plan_id: i32,
    findings_in: &[m::Finding],
) -> Result<(), StoreError> {
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
    entity::finding::replace_of_plan(conn, plan_id, &new)?;
    Ok(())
}

/// Replaces the plan's source locations: they describe the import that
/// wrote the plan, so an update replaces them all.
fn save_sources(
    conn: &mut Conn,
    plan_id: i32,
    sources_in: &[m::SourceLocation],
) -> Result<(), StoreError> {
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
    entity::source_location::replace_of_plan(conn, plan_id, &new)?;
    Ok(())
}

/// Removes what the plan no longer uses after an update: strategic and
/// annual objectives no sheet links to, and responsibility centres and
/// offices no objective names.
fn remove_unused(conn: &mut Conn, plan_id: i32) -> Result<(), StoreError> {
    entity::objective::delete_unlinked(conn, plan_id)?;
    entity::centre::delete_unused_offices(conn, plan_id)?;
    entity::centre::delete_unused_centres(conn, plan_id)?;
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
        entity::plan::delete(conn, plan_id)?;
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
