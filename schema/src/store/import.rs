//! A document's import, a query module of the backend seam
//! ([`crate::backend`]): it reads what the plan holds, decides what to
//! insert, update and delete, and leaves every write to the entity writers
//! of the same backend, in one transaction.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::entity::objective::{Link, LinkList, LinksOf};
use super::{entity, Conn};
use crate::changes::{kind, LogChanges};
use crate::error::StoreError;
use crate::rows;
use crate::schema::*;
use crate::sql_types::Number;
use crate::store::{to_json_list, weight_to_bp, ImportSummary};
use crate::tx::{WriteConn, WriteLock};
use cruscotto_import::model as m;

pub(crate) fn save_document(
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
            counts: super::export::counts_of(conn, plan_id)?,
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
        kind: doc.plan.kind,
        administration: doc.plan.administration.clone(),
        title: doc.plan.title.clone(),
        first_year: doc.plan.first_year,
        last_year: doc.plan.last_year,
        notes: to_json_list(&doc.plan.notes),
        source_file: source_file.map(str::to_string),
        imported_at: chrono::Utc::now().naive_utc(),
    };
    let existing = entity::plan::find_id(conn, &row.code)?;
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
            let row = rows::NewIndicator {
                objective_id,
                position: position as i32,
                code: i.code.clone(),
                description: i.description.clone(),
                method: i.method.clone(),
                kind: i.kind.clone(),
                unit: i.unit,
                direction: i.direction,
                baseline_raw: None,
                baseline_comparator: None,
                baseline_number: None,
                baseline_unit: None,
                baseline_note: None,
                calculator_id: i.calculator.as_ref().map(|c| c.calculator.clone()),
                calculator_params: i.calculator.as_ref().map(|c| c.params.to_string()),
                calculator_guessed: i.calculator.as_ref().is_some_and(|c| c.guessed),
                amended_fields: to_json_list(&i.amended_fields),
            }
            .with_baseline(i.baseline.as_ref());
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
                new_targets.push(rows::NewTarget::new(id, t.year, &t.value, t.amended));
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
                crate::store::invalid(
                    "measurement",
                    &key(),
                    "names an indicator that is not in the plan",
                )
            })?;
        let period = crate::period::parse(&ms.period)
            .map_err(|_| crate::store::invalid("measurement", &key(), crate::period::EXPECTED))?;
        rows_in.push(rows::NewMeasurement {
            numerator: ms.numerator.map(Number),
            denominator: ms.denominator.map(Number),
            ..rows::NewMeasurement::new(
                indicator_id,
                &period,
                Number(ms.value),
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
                    kind: r.kind,
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
