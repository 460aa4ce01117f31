//! Whole plans read back, a query module of the backend seam
//! ([`crate::backend`]): the document of a stored plan (the export), the
//! counts of what a plan and the database hold, the plans' codes, and the
//! deletion of a plan with everything it owns.

use std::collections::HashMap;

use diesel::prelude::*;
use rust_decimal::Decimal;

use super::{entity, Conn};
use crate::error::StoreError;
use crate::rows;
use crate::schema::*;
use crate::store::{from_json_list, weight_from_bp, PlanCounts};
use crate::tx::WriteConn;
use cruscotto_import::model as m;

pub(crate) fn counts_of(conn: &mut Conn, plan_id: i32) -> Result<PlanCounts, StoreError> {
    // The rows of `source` whose plan (`plan`, a column of the source or of
    // a table it joins) is `plan_id`.
    macro_rules! count {
        ($source:expr, $plan:expr) => {
            $source.filter($plan.eq(plan_id)).count().get_result(conn)?
        };
    }
    Ok(PlanCounts {
        objectives: count!(objectives::table, objectives::plan_id),
        indicators: count!(indicators::table.inner_join(objectives::table), objectives::plan_id),
        targets: count!(
            targets::table.inner_join(indicators::table.inner_join(objectives::table)),
            objectives::plan_id
        ),
        phases: count!(phases::table.inner_join(objectives::table), objectives::plan_id),
        areas: count!(areas::table, areas::plan_id),
        ambiti: count!(ambiti::table.inner_join(areas::table), areas::plan_id),
        ambito_results: count!(
            ambito_results::table.inner_join(ambiti::table.inner_join(areas::table)),
            areas::plan_id
        ),
        measurements: count!(
            measurements::table.inner_join(indicators::table.inner_join(objectives::table)),
            objectives::plan_id
        ),
        findings: count!(findings::table, findings::plan_id),
    })
}

pub(crate) fn plan_counts(conn: &mut Conn, code: &str) -> Result<PlanCounts, StoreError> {
    let plan_id = entity::plan::id_of(conn, code)?;
    counts_of(conn, plan_id)
}

pub(crate) fn plan_codes(conn: &mut Conn) -> Result<Vec<String>, StoreError> {
    Ok(plans::table
        .select(plans::code)
        .order(plans::code)
        .load(conn)?)
}

pub(crate) fn delete_plan(conn: &mut Conn, code: &str) -> Result<(), StoreError> {
    conn.write_transaction(|conn| {
        let plan_id = entity::plan::id_of(conn, code)?;
        entity::plan::delete(conn, plan_id)?;
        Ok(())
    })
}

pub(crate) fn table_counts(conn: &mut Conn) -> Result<Vec<(&'static str, i64)>, StoreError> {
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

pub(crate) fn load_document(conn: &mut Conn, code: &str) -> Result<m::PlanDocument, StoreError> {
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
    let kind = plan.kind;

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
        let value = rows::measure(t.raw, t.comparator, t.number, t.unit, t.note);
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
                        .map_err(|_| crate::store::corrupt("calculator params", p))?,
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
                unit: i.unit,
                direction: i.direction,
                baseline: i.baseline_raw.map(|raw| {
                    rows::measure(
                        raw,
                        i.baseline_comparator,
                        i.baseline_number,
                        i.baseline_unit,
                        i.baseline_note,
                    )
                }),
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
            crate::store::corrupt(
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
            .ok_or_else(|| {
                crate::store::corrupt("measurement indicator", &ms.indicator_id.to_string())
            })?;
        measurements_out.push(m::Measurement {
            objective: objective_codes
                .get(&objective_id)
                .cloned()
                .unwrap_or_default(),
            indicator: indicator_code,
            period: ms.period,
            value: ms.value.into(),
            numerator: ms.numerator.map(Decimal::from),
            denominator: ms.denominator.map(Decimal::from),
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
                kind: r.kind,
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
