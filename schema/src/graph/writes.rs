// Writes of GraphQL mutations, each in one transaction. Included twice by
// `graph/mod.rs`, next to `reads.rs`.

use super::{
    IndicatorChanges, MeasurementInput, ObjectiveChanges, ObjectiveLinks, PhaseChanges,
    PlanChanges, TargetChanges, WriteError, WriteResult,
};
use crate::changes::{kind, LogChanges};
use crate::tx::WriteConn;

fn not_found(entity: &'static str, id: i32) -> WriteError {
    WriteError::NotFound {
        entity,
        key: id.to_string(),
    }
}

/// Whether a row with this id exists, read as a count so that one helper
/// serves every table.
macro_rules! exists {
    ($conn:expr, $table:ident, $id:expr) => {
        $table::table
            .filter($table::id.eq($id))
            .count()
            .get_result::<i64>($conn)?
            > 0
    };
}

/// Increments the version of row `$id` of `$table` if it still is
/// `$expected`: `UPDATE … WHERE id = ? AND version = ?`. No row updated
/// means the row is gone (NOT_FOUND) or was changed by someone else
/// (a version conflict naming the current version).
macro_rules! bump_version {
    ($conn:expr, $table:ident, $entity:expr, $id:expr, $expected:expr) => {{
        let updated = diesel::update(
            $table::table
                .filter($table::id.eq($id))
                .filter($table::version.eq($expected)),
        )
        .set($table::version.eq($table::version + 1))
        .execute($conn)?;
        if updated == 0 {
            let actual: Option<i32> = $table::table
                .filter($table::id.eq($id))
                .select($table::version)
                .first($conn)
                .optional()?;
            return Err(match actual {
                None => not_found($entity, $id),
                Some(actual) => WriteError::VersionConflict {
                    entity: $entity,
                    id: $id,
                    expected: $expected,
                    actual,
                },
            });
        }
    }};
}

/// Deletes row `$id` of `$table`; NOT_FOUND when there was none.
macro_rules! delete_row {
    ($conn:expr, $table:ident, $entity:expr, $id:expr) => {{
        let id: i32 = $id;
        $conn.write_transaction(|conn| {
            let n = diesel::delete($table::table.filter($table::id.eq(id))).execute(conn)?;
            if n == 0 {
                Err(not_found($entity, id))
            } else {
                Ok(())
            }
        })
    }};
}

// ---- plans ----------------------------------------------------------------

pub(super) fn create_plan(conn: &mut Conn, row: &rows::NewPlan) -> WriteResult<rows::Plan> {
    conn.write_transaction(|conn| {
        Ok(diesel::insert_into(plans::table)
            .values(row)
            .returning(rows::Plan::as_returning())
            .get_result(conn)?)
    })
}

pub(super) fn update_plan(
    conn: &mut Conn,
    id: i32,
    expected: i32,
    changes: &PlanChanges,
) -> WriteResult<rows::Plan> {
    conn.write_transaction(|conn| {
        bump_version!(conn, plans, "plan", id, expected);
        let mut row: rows::Plan = plans::table
            .find(id)
            .select(rows::Plan::as_select())
            .first(conn)?;
        let first = changes.first_year.unwrap_or(row.first_year);
        let last = changes.last_year.unwrap_or(row.last_year);
        if first > last {
            return Err(WriteError::invalid(
                "lastYear",
                "the last year comes before the first year",
            ));
        }
        if has_plan_changes(changes) {
            row = diesel::update(plans::table.find(id))
                .set(changes)
                .returning(rows::Plan::as_returning())
                .get_result(conn)?;
        }
        Ok(row)
    })
}

fn has_plan_changes(c: &PlanChanges) -> bool {
    c.code.is_some()
        || c.administration.is_some()
        || c.title.is_some()
        || c.first_year.is_some()
        || c.last_year.is_some()
        || c.notes.is_some()
}

pub(super) fn delete_plan_by_id(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row!(conn, plans, "plan", id)
}

// ---- budget classification ------------------------------------------------

pub(super) fn create_mission(
    conn: &mut Conn,
    code: &str,
    name: &str,
) -> WriteResult<rows::Mission> {
    conn.write_transaction(|conn| {
        Ok(diesel::insert_into(missions::table)
            .values((
                missions::code.eq(code),
                missions::name.eq(name),
                missions::sort_key.eq(rows::budget_order_key(code)),
            ))
            .returning(rows::Mission::as_returning())
            .get_result(conn)?)
    })
}

pub(super) fn update_mission(
    conn: &mut Conn,
    id: i32,
    code: Option<&str>,
    name: Option<&str>,
) -> WriteResult<rows::Mission> {
    conn.write_transaction(|conn| {
        if !exists!(conn, missions, id) {
            return Err(not_found("mission", id));
        }
        if let Some(code) = code {
            diesel::update(missions::table.find(id))
                .set((
                    missions::code.eq(code),
                    missions::sort_key.eq(rows::budget_order_key(code)),
                ))
                .execute(conn)?;
        }
        if let Some(name) = name {
            diesel::update(missions::table.find(id))
                .set(missions::name.eq(name))
                .execute(conn)?;
        }
        Ok(missions::table
            .find(id)
            .select(rows::Mission::as_select())
            .first(conn)?)
    })
}

pub(super) fn delete_mission(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row!(conn, missions, "mission", id)
}

pub(super) fn create_program(
    conn: &mut Conn,
    mission_id: i32,
    code: &str,
    name: &str,
) -> WriteResult<rows::Program> {
    conn.write_transaction(|conn| {
        if !exists!(conn, missions, mission_id) {
            return Err(WriteError::invalid("mission", "no such mission"));
        }
        Ok(diesel::insert_into(programs::table)
            .values((
                programs::mission_id.eq(mission_id),
                programs::code.eq(code),
                programs::name.eq(name),
                programs::sort_key.eq(rows::budget_order_key(code)),
            ))
            .returning(rows::Program::as_returning())
            .get_result(conn)?)
    })
}

pub(super) fn update_program(
    conn: &mut Conn,
    id: i32,
    mission_id: Option<i32>,
    code: Option<&str>,
    name: Option<&str>,
) -> WriteResult<rows::Program> {
    conn.write_transaction(|conn| {
        if !exists!(conn, programs, id) {
            return Err(not_found("program", id));
        }
        if let Some(m) = mission_id {
            if !exists!(conn, missions, m) {
                return Err(WriteError::invalid("mission", "no such mission"));
            }
            diesel::update(programs::table.find(id))
                .set(programs::mission_id.eq(m))
                .execute(conn)?;
        }
        if let Some(code) = code {
            diesel::update(programs::table.find(id))
                .set((
                    programs::code.eq(code),
                    programs::sort_key.eq(rows::budget_order_key(code)),
                ))
                .execute(conn)?;
        }
        if let Some(name) = name {
            diesel::update(programs::table.find(id))
                .set(programs::name.eq(name))
                .execute(conn)?;
        }
        Ok(programs::table
            .find(id)
            .select(rows::Program::as_select())
            .first(conn)?)
    })
}

pub(super) fn delete_program(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row!(conn, programs, "program", id)
}

pub(super) fn create_action(
    conn: &mut Conn,
    program_id: i32,
    name: &str,
) -> WriteResult<rows::Action> {
    conn.write_transaction(|conn| {
        if !exists!(conn, programs, program_id) {
            return Err(WriteError::invalid("program", "no such program"));
        }
        Ok(diesel::insert_into(actions::table)
            .values((actions::program_id.eq(program_id), actions::name.eq(name)))
            .returning(rows::Action::as_returning())
            .get_result(conn)?)
    })
}

pub(super) fn update_action(
    conn: &mut Conn,
    id: i32,
    program_id: Option<i32>,
    name: Option<&str>,
) -> WriteResult<rows::Action> {
    conn.write_transaction(|conn| {
        if !exists!(conn, actions, id) {
            return Err(not_found("action", id));
        }
        if let Some(p) = program_id {
            if !exists!(conn, programs, p) {
                return Err(WriteError::invalid("program", "no such program"));
            }
            diesel::update(actions::table.find(id))
                .set(actions::program_id.eq(p))
                .execute(conn)?;
        }
        if let Some(name) = name {
            diesel::update(actions::table.find(id))
                .set(actions::name.eq(name))
                .execute(conn)?;
        }
        Ok(actions::table
            .find(id)
            .select(rows::Action::as_select())
            .first(conn)?)
    })
}

pub(super) fn delete_action(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row!(conn, actions, "action", id)
}

// ---- responsibility centres and offices -----------------------------------

pub(super) fn create_responsibility_centre(
    conn: &mut Conn,
    plan_id: i32,
    name: &str,
    head: Option<&str>,
) -> WriteResult<rows::ResponsibilityCentre> {
    conn.write_transaction(|conn| {
        if !exists!(conn, plans, plan_id) {
            return Err(WriteError::invalid("plan", "no such plan"));
        }
        Ok(diesel::insert_into(responsibility_centres::table)
            .values((
                responsibility_centres::plan_id.eq(plan_id),
                responsibility_centres::name.eq(name),
                responsibility_centres::head.eq(head),
            ))
            .returning(rows::ResponsibilityCentre::as_returning())
            .get_result(conn)?)
    })
}

pub(super) fn update_responsibility_centre(
    conn: &mut Conn,
    id: i32,
    name: Option<&str>,
    head: Option<Option<&str>>,
) -> WriteResult<rows::ResponsibilityCentre> {
    conn.write_transaction(|conn| {
        if !exists!(conn, responsibility_centres, id) {
            return Err(not_found("responsibility centre", id));
        }
        if let Some(name) = name {
            diesel::update(responsibility_centres::table.find(id))
                .set(responsibility_centres::name.eq(name))
                .execute(conn)?;
        }
        if let Some(head) = head {
            diesel::update(responsibility_centres::table.find(id))
                .set(responsibility_centres::head.eq(head))
                .execute(conn)?;
        }
        Ok(responsibility_centres::table
            .find(id)
            .select(rows::ResponsibilityCentre::as_select())
            .first(conn)?)
    })
}

pub(super) fn delete_responsibility_centre(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row!(conn, responsibility_centres, "responsibility centre", id)
}

pub(super) fn create_office(
    conn: &mut Conn,
    centre_id: i32,
    name: &str,
) -> WriteResult<rows::Office> {
    conn.write_transaction(|conn| {
        if !exists!(conn, responsibility_centres, centre_id) {
            return Err(WriteError::invalid(
                "responsibilityCentre",
                "no such responsibility centre",
            ));
        }
        Ok(diesel::insert_into(offices::table)
            .values((
                offices::responsibility_centre_id.eq(centre_id),
                offices::name.eq(name),
            ))
            .returning(rows::Office::as_returning())
            .get_result(conn)?)
    })
}

pub(super) fn update_office(conn: &mut Conn, id: i32, name: &str) -> WriteResult<rows::Office> {
    conn.write_transaction(|conn| {
        diesel::update(offices::table.find(id))
            .set(offices::name.eq(name))
            .returning(rows::Office::as_returning())
            .get_result(conn)
            .optional()?
            .ok_or_else(|| not_found("office", id))
    })
}

pub(super) fn delete_office(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row!(conn, offices, "office", id)
}

// ---- strategic and annual objectives --------------------------------------

pub(super) fn create_strategic_objective(
    conn: &mut Conn,
    plan_id: i32,
    code: &str,
    title: &str,
) -> WriteResult<rows::StrategicObjective> {
    conn.write_transaction(|conn| {
        if !exists!(conn, plans, plan_id) {
            return Err(WriteError::invalid("plan", "no such plan"));
        }
        Ok(diesel::insert_into(strategic_objectives::table)
            .values((
                strategic_objectives::plan_id.eq(plan_id),
                strategic_objectives::code.eq(code),
                strategic_objectives::title.eq(title),
            ))
            .returning(rows::StrategicObjective::as_returning())
            .get_result(conn)?)
    })
}

pub(super) fn update_strategic_objective(
    conn: &mut Conn,
    id: i32,
    code: Option<&str>,
    title: Option<&str>,
) -> WriteResult<rows::StrategicObjective> {
    conn.write_transaction(|conn| {
        if !exists!(conn, strategic_objectives, id) {
            return Err(not_found("strategic objective", id));
        }
        if let Some(code) = code {
            diesel::update(strategic_objectives::table.find(id))
                .set(strategic_objectives::code.eq(code))
                .execute(conn)?;
        }
        if let Some(title) = title {
            diesel::update(strategic_objectives::table.find(id))
                .set(strategic_objectives::title.eq(title))
                .execute(conn)?;
        }
        Ok(strategic_objectives::table
            .find(id)
            .select(rows::StrategicObjective::as_select())
            .first(conn)?)
    })
}

pub(super) fn delete_strategic_objective(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row!(conn, strategic_objectives, "strategic objective", id)
}

fn same_plan_strategic(conn: &mut Conn, plan_id: i32, strategic_id: i32) -> WriteResult<()> {
    let plan: Option<i32> = strategic_objectives::table
        .find(strategic_id)
        .select(strategic_objectives::plan_id)
        .first(conn)
        .optional()?;
    match plan {
        Some(p) if p == plan_id => Ok(()),
        Some(_) => Err(WriteError::invalid(
            "strategicObjective",
            "belongs to another plan",
        )),
        None => Err(WriteError::invalid(
            "strategicObjective",
            "no such strategic objective",
        )),
    }
}

pub(super) fn create_annual_objective(
    conn: &mut Conn,
    plan_id: i32,
    strategic_id: Option<i32>,
    code: &str,
    title: &str,
) -> WriteResult<rows::AnnualObjective> {
    conn.write_transaction(|conn| {
        if !exists!(conn, plans, plan_id) {
            return Err(WriteError::invalid("plan", "no such plan"));
        }
        if let Some(s) = strategic_id {
            same_plan_strategic(conn, plan_id, s)?;
        }
        Ok(diesel::insert_into(annual_objectives::table)
            .values((
                annual_objectives::plan_id.eq(plan_id),
                annual_objectives::strategic_objective_id.eq(strategic_id),
                annual_objectives::code.eq(code),
                annual_objectives::title.eq(title),
            ))
            .returning(rows::AnnualObjective::as_returning())
            .get_result(conn)?)
    })
}

pub(super) fn update_annual_objective(
    conn: &mut Conn,
    id: i32,
    strategic_id: Option<Option<i32>>,
    code: Option<&str>,
    title: Option<&str>,
) -> WriteResult<rows::AnnualObjective> {
    conn.write_transaction(|conn| {
        let plan_id: i32 = annual_objectives::table
            .find(id)
            .select(annual_objectives::plan_id)
            .first(conn)
            .optional()?
            .ok_or_else(|| not_found("annual objective", id))?;
        if let Some(s) = strategic_id {
            if let Some(s) = s {
                same_plan_strategic(conn, plan_id, s)?;
            }
            diesel::update(annual_objectives::table.find(id))
                .set(annual_objectives::strategic_objective_id.eq(s))
                .execute(conn)?;
        }
        if let Some(code) = code {
            diesel::update(annual_objectives::table.find(id))
                .set(annual_objectives::code.eq(code))
                .execute(conn)?;
        }
        if let Some(title) = title {
            diesel::update(annual_objectives::table.find(id))
                .set(annual_objectives::title.eq(title))
                .execute(conn)?;
        }
        Ok(annual_objectives::table
            .find(id)
            .select(rows::AnnualObjective::as_select())
            .first(conn)?)
    })
}

pub(super) fn delete_annual_objective(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row!(conn, annual_objectives, "annual objective", id)
}

// ---- objectives -----------------------------------------------------------

/// Checks that the objects an objective links to exist and belong to its
/// plan (offices: to its responsibility centre), then rewrites the links
/// that `links` replaces.
fn write_objective_links(
    conn: &mut Conn,
    objective_id: i32,
    plan_id: i32,
    centre_id: i32,
    links: &ObjectiveLinks,
) -> WriteResult<()> {
    if let Some(ids) = &links.office_ids {
        let ok: i64 = offices::table
            .filter(offices::id.eq_any(ids))
            .filter(offices::responsibility_centre_id.eq(centre_id))
            .count()
            .get_result(conn)?;
        if ok as usize != distinct(ids) {
            return Err(WriteError::invalid(
                "offices",
                "every office must exist and belong to the objective's responsibility centre",
            ));
        }
        diesel::delete(
            objective_offices::table.filter(objective_offices::objective_id.eq(objective_id)),
        )
        .execute(conn)?;
        let values: Vec<_> = dedup(ids)
            .into_iter()
            .enumerate()
            .map(|(p, o)| {
                (
                    objective_offices::objective_id.eq(objective_id),
                    objective_offices::office_id.eq(o),
                    objective_offices::position.eq(p as i32),
                )
            })
            .collect();
        diesel::insert_into(objective_offices::table)
            .values(values)
            .execute(conn)?;
    }
    if let Some(ids) = &links.strategic_objective_ids {
        let found: Vec<(i32, String)> = strategic_objectives::table
            .filter(strategic_objectives::id.eq_any(ids))
            .filter(strategic_objectives::plan_id.eq(plan_id))
            .select((strategic_objectives::id, strategic_objectives::title))
            .load(conn)?;
        if found.len() != distinct(ids) {
            return Err(WriteError::invalid(
                "strategicObjectives",
                "every strategic objective must exist and belong to the objective's plan",
            ));
        }
        diesel::delete(
            objective_strategic_objectives::table
                .filter(objective_strategic_objectives::objective_id.eq(objective_id)),
        )
        .execute(conn)?;
        let values: Vec<_> = dedup(ids)
            .into_iter()
            .enumerate()
            .map(|(p, s)| {
                let title = found
                    .iter()
                    .find(|f| f.0 == s)
                    .map(|f| f.1.clone())
                    .unwrap_or_default();
                (
                    objective_strategic_objectives::objective_id.eq(objective_id),
                    objective_strategic_objectives::strategic_objective_id.eq(s),
                    objective_strategic_objectives::position.eq(p as i32),
                    objective_strategic_objectives::title.eq(title),
                )
            })
            .collect();
        diesel::insert_into(objective_strategic_objectives::table)
            .values(values)
            .execute(conn)?;
    }
    if let Some(ids) = &links.annual_objective_ids {
        let found: Vec<(i32, String)> = annual_objectives::table
            .filter(annual_objectives::id.eq_any(ids))
            .filter(annual_objectives::plan_id.eq(plan_id))
            .select((annual_objectives::id, annual_objectives::title))
            .load(conn)?;
        if found.len() != distinct(ids) {
            return Err(WriteError::invalid(
                "annualObjectives",
                "every annual objective must exist and belong to the objective's plan",
            ));
        }
        diesel::delete(
            objective_annual_objectives::table
                .filter(objective_annual_objectives::objective_id.eq(objective_id)),
        )
        .execute(conn)?;
        let values: Vec<_> = dedup(ids)
            .into_iter()
            .enumerate()
            .map(|(p, a)| {
                let title = found
                    .iter()
                    .find(|f| f.0 == a)
                    .map(|f| f.1.clone())
                    .unwrap_or_default();
                (
                    objective_annual_objectives::objective_id.eq(objective_id),
                    objective_annual_objectives::annual_objective_id.eq(a),
                    objective_annual_objectives::position.eq(p as i32),
                    objective_annual_objectives::title.eq(title),
                )
            })
            .collect();
        diesel::insert_into(objective_annual_objectives::table)
            .values(values)
            .execute(conn)?;
    }
    if let Some(ids) = &links.action_ids {
        let ok: i64 = actions::table
            .filter(actions::id.eq_any(ids))
            .count()
            .get_result(conn)?;
        if ok as usize != distinct(ids) {
            return Err(WriteError::invalid("actions", "every action must exist"));
        }
        diesel::delete(
            objective_actions::table.filter(objective_actions::objective_id.eq(objective_id)),
        )
        .execute(conn)?;
        let values: Vec<_> = dedup(ids)
            .into_iter()
            .enumerate()
            .map(|(p, a)| {
                (
                    objective_actions::objective_id.eq(objective_id),
                    objective_actions::action_id.eq(a),
                    objective_actions::position.eq(p as i32),
                )
            })
            .collect();
        diesel::insert_into(objective_actions::table)
            .values(values)
            .execute(conn)?;
    }
    Ok(())
}

fn dedup(ids: &[i32]) -> Vec<i32> {
    let mut seen = std::collections::HashSet::new();
    ids.iter().copied().filter(|i| seen.insert(*i)).collect()
}

fn distinct(ids: &[i32]) -> usize {
    dedup(ids).len()
}

fn centre_plan(conn: &mut Conn, centre_id: i32) -> WriteResult<i32> {
    responsibility_centres::table
        .find(centre_id)
        .select(responsibility_centres::plan_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| WriteError::invalid("responsibilityCentre", "no such responsibility centre"))
}

pub(super) fn create_objective(
    conn: &mut Conn,
    row: &rows::NewObjective,
    links: &ObjectiveLinks,
) -> WriteResult<rows::Objective> {
    conn.write_transaction(|conn| {
        if !exists!(conn, plans, row.plan_id) {
            return Err(WriteError::invalid("plan", "no such plan"));
        }
        if centre_plan(conn, row.responsibility_centre_id)? != row.plan_id {
            return Err(WriteError::invalid(
                "responsibilityCentre",
                "belongs to another plan",
            ));
        }
        let next: Option<i32> = objectives::table
            .filter(objectives::plan_id.eq(row.plan_id))
            .select(diesel::dsl::max(objectives::position))
            .first(conn)?;
        let mut row = row.clone();
        row.position = next.map_or(0, |p| p + 1);
        let created: rows::Objective = diesel::insert_into(objectives::table)
            .values(&row)
            .returning(rows::Objective::as_returning())
            .get_result(conn)?;
        write_objective_links(
            conn,
            created.id,
            created.plan_id,
            created.responsibility_centre_id,
            links,
        )?;
        Ok(created)
    })
}

fn has_objective_changes(c: &ObjectiveChanges) -> bool {
    c.responsibility_centre_id.is_some()
        || c.code.is_some()
        || c.year.is_some()
        || c.title.is_some()
        || c.description.is_some()
        || c.other_offices.is_some()
        || c.external_bodies.is_some()
        || c.start_date.is_some()
        || c.end_date.is_some()
        || c.max_score_points.is_some()
        || c.max_score_out_of.is_some()
        || c.amended_fields.is_some()
}

pub(super) fn update_objective(
    conn: &mut Conn,
    id: i32,
    expected: i32,
    changes: &ObjectiveChanges,
    links: &ObjectiveLinks,
) -> WriteResult<rows::Objective> {
    conn.write_transaction(|conn| {
        bump_version!(conn, objectives, "objective", id, expected);
        let current: rows::Objective = objectives::table
            .find(id)
            .select(rows::Objective::as_select())
            .first(conn)?;
        if let Some(c) = changes.responsibility_centre_id {
            if centre_plan(conn, c)? != current.plan_id {
                return Err(WriteError::invalid(
                    "responsibilityCentre",
                    "belongs to another plan",
                ));
            }
        }
        let start = changes.start_date.unwrap_or(current.start_date);
        let end = changes.end_date.unwrap_or(current.end_date);
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                return Err(WriteError::invalid(
                    "endDate",
                    "the end date comes before the start date",
                ));
            }
        }
        if has_objective_changes(changes) {
            diesel::update(objectives::table.find(id))
                .set(changes)
                .execute(conn)?;
        }
        let row: rows::Objective = objectives::table
            .find(id)
            .select(rows::Objective::as_select())
            .first(conn)?;
        write_objective_links(conn, id, row.plan_id, row.responsibility_centre_id, links)?;
        Ok(row)
    })
}

pub(super) fn delete_objective(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row!(conn, objectives, "objective", id)
}

// ---- indicators and targets -----------------------------------------------

pub(super) fn create_indicator(
    conn: &mut Conn,
    row: &rows::NewIndicator,
) -> WriteResult<rows::Indicator> {
    conn.write_transaction(|conn| {
        if !exists!(conn, objectives, row.objective_id) {
            return Err(WriteError::invalid("objective", "no such objective"));
        }
        let next: Option<i32> = indicators::table
            .filter(indicators::objective_id.eq(row.objective_id))
            .select(diesel::dsl::max(indicators::position))
            .first(conn)?;
        let mut row = row.clone();
        row.position = next.map_or(0, |p| p + 1);
        Ok(diesel::insert_into(indicators::table)
            .values(&row)
            .returning(rows::Indicator::as_returning())
            .get_result(conn)?)
    })
}

fn has_indicator_changes(c: &IndicatorChanges) -> bool {
    c.code.is_some()
        || c.description.is_some()
        || c.method.is_some()
        || c.kind.is_some()
        || c.unit.is_some()
        || c.direction.is_some()
        || c.baseline_raw.is_some()
        || c.baseline_comparator.is_some()
        || c.baseline_number.is_some()
        || c.baseline_unit.is_some()
        || c.baseline_note.is_some()
        || c.amended_fields.is_some()
}

pub(super) fn update_indicator(
    conn: &mut Conn,
    id: i32,
    expected: i32,
    changes: &IndicatorChanges,
) -> WriteResult<rows::Indicator> {
    conn.write_transaction(|conn| {
        bump_version!(conn, indicators, "indicator", id, expected);
        if has_indicator_changes(changes) {
            diesel::update(indicators::table.find(id))
                .set(changes)
                .execute(conn)?;
        }
        let row = indicators::table
            .find(id)
            .select(rows::Indicator::as_select())
            .first(conn)?;
        conn.log_indicator_change(id, kind::INDICATOR_UPDATED, None)?;
        Ok(row)
    })
}

pub(super) fn delete_indicator(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row!(conn, indicators, "indicator", id)
}

pub(super) fn create_target(
    conn: &mut Conn,
    row: &rows::NewTarget,
    expected: i32,
) -> WriteResult<rows::Target> {
    conn.write_transaction(|conn| {
        bump_version!(conn, indicators, "indicator", row.indicator_id, expected);
        let target: rows::Target = diesel::insert_into(targets::table)
            .values(row)
            .returning(rows::Target::as_returning())
            .get_result(conn)?;
        log_target_change(conn, &target, kind::TARGET_CREATED)?;
        Ok(target)
    })
}

fn indicator_of_target(conn: &mut Conn, id: i32) -> WriteResult<i32> {
    targets::table
        .find(id)
        .select(targets::indicator_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found("target", id))
}

pub(super) fn update_target(
    conn: &mut Conn,
    id: i32,
    expected: i32,
    changes: &TargetChanges,
) -> WriteResult<rows::Target> {
    conn.write_transaction(|conn| {
        let indicator = indicator_of_target(conn, id)?;
        bump_version!(conn, indicators, "indicator", indicator, expected);
        let has_changes = changes.year.is_some()
            || changes.raw.is_some()
            || changes.comparator.is_some()
            || changes.number.is_some()
            || changes.unit.is_some()
            || changes.note.is_some()
            || changes.amended.is_some();
        if has_changes {
            diesel::update(targets::table.find(id))
                .set(changes)
                .execute(conn)?;
        }
        let target: rows::Target = targets::table
            .find(id)
            .select(rows::Target::as_select())
            .first(conn)?;
        log_target_change(conn, &target, kind::TARGET_UPDATED)?;
        Ok(target)
    })
}

fn log_target_change(conn: &mut Conn, target: &rows::Target, kind: &str) -> WriteResult<()> {
    conn.log_indicator_change(target.indicator_id, kind, Some(&target.year.to_string()))?;
    Ok(())
}

pub(super) fn delete_target(conn: &mut Conn, id: i32, expected: i32) -> WriteResult<rows::Target> {
    conn.write_transaction(|conn| {
        let indicator = indicator_of_target(conn, id)?;
        bump_version!(conn, indicators, "indicator", indicator, expected);
        let target: rows::Target = diesel::delete(targets::table.find(id))
            .returning(rows::Target::as_returning())
            .get_result(conn)?;
        log_target_change(conn, &target, kind::TARGET_DELETED)?;
        Ok(target)
    })
}

// ---- phases ---------------------------------------------------------------

pub(super) fn create_phase(
    conn: &mut Conn,
    row: &rows::NewPhase,
    expected: i32,
) -> WriteResult<rows::Phase> {
    conn.write_transaction(|conn| {
        bump_version!(conn, objectives, "objective", row.objective_id, expected);
        let next: Option<i32> = phases::table
            .filter(phases::objective_id.eq(row.objective_id))
            .select(diesel::dsl::max(phases::position))
            .first(conn)?;
        let mut row = row.clone();
        row.position = next.map_or(0, |p| p + 1);
        Ok(diesel::insert_into(phases::table)
            .values(&row)
            .returning(rows::Phase::as_returning())
            .get_result(conn)?)
    })
}

fn objective_of_phase(conn: &mut Conn, id: i32) -> WriteResult<i32> {
    phases::table
        .find(id)
        .select(phases::objective_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found("phase", id))
}

pub(super) fn update_phase(
    conn: &mut Conn,
    id: i32,
    expected: i32,
    changes: &PhaseChanges,
) -> WriteResult<rows::Phase> {
    conn.write_transaction(|conn| {
        let objective = objective_of_phase(conn, id)?;
        bump_version!(conn, objectives, "objective", objective, expected);
        let current: rows::Phase = phases::table
            .find(id)
            .select(rows::Phase::as_select())
            .first(conn)?;
        let start = changes.start_date.unwrap_or(current.start_date);
        let end = changes.end_date.unwrap_or(current.end_date);
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                return Err(WriteError::invalid(
                    "endDate",
                    "the end date comes before the start date",
                ));
            }
        }
        let has_changes = changes.code.is_some()
            || changes.description.is_some()
            || changes.start_date.is_some()
            || changes.end_date.is_some()
            || changes.expected_result.is_some()
            || changes.weight_bp.is_some()
            || changes.amended_fields.is_some();
        if has_changes {
            diesel::update(phases::table.find(id))
                .set(changes)
                .execute(conn)?;
        }
        Ok(phases::table
            .find(id)
            .select(rows::Phase::as_select())
            .first(conn)?)
    })
}

pub(super) fn delete_phase(conn: &mut Conn, id: i32, expected: i32) -> WriteResult<rows::Phase> {
    conn.write_transaction(|conn| {
        let objective = objective_of_phase(conn, id)?;
        bump_version!(conn, objectives, "objective", objective, expected);
        Ok(diesel::delete(phases::table.find(id))
            .returning(rows::Phase::as_returning())
            .get_result(conn)?)
    })
}

// ---- areas, ambiti, results -----------------------------------------------

pub(super) fn create_area(
    conn: &mut Conn,
    plan_id: i32,
    name: Option<&str>,
    subtitle: Option<&str>,
    introduction: &str,
) -> WriteResult<rows::Area> {
    conn.write_transaction(|conn| {
        if !exists!(conn, plans, plan_id) {
            return Err(WriteError::invalid("plan", "no such plan"));
        }
        let next: Option<i32> = areas::table
            .filter(areas::plan_id.eq(plan_id))
            .select(diesel::dsl::max(areas::position))
            .first(conn)?;
        Ok(diesel::insert_into(areas::table)
            .values((
                areas::plan_id.eq(plan_id),
                areas::position.eq(next.map_or(0, |p| p + 1)),
                areas::name.eq(name),
                areas::subtitle.eq(subtitle),
                areas::introduction.eq(introduction),
            ))
            .returning(rows::Area::as_returning())
            .get_result(conn)?)
    })
}

pub(super) fn update_area(
    conn: &mut Conn,
    id: i32,
    name: Option<Option<&str>>,
    subtitle: Option<Option<&str>>,
    introduction: Option<&str>,
) -> WriteResult<rows::Area> {
    conn.write_transaction(|conn| {
        if !exists!(conn, areas, id) {
            return Err(not_found("area", id));
        }
        if let Some(name) = name {
            diesel::update(areas::table.find(id))
                .set(areas::name.eq(name))
                .execute(conn)?;
        }
        if let Some(subtitle) = subtitle {
            diesel::update(areas::table.find(id))
                .set(areas::subtitle.eq(subtitle))
                .execute(conn)?;
        }
        if let Some(introduction) = introduction {
            diesel::update(areas::table.find(id))
                .set(areas::introduction.eq(introduction))
                .execute(conn)?;
        }
        Ok(areas::table
            .find(id)
            .select(rows::Area::as_select())
            .first(conn)?)
    })
}

pub(super) fn delete_area(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row!(conn, areas, "area", id)
}

pub(super) fn create_ambito(
    conn: &mut Conn,
    area_id: i32,
    name: &str,
    objective: &str,
) -> WriteResult<rows::Ambito> {
    conn.write_transaction(|conn| {
        if !exists!(conn, areas, area_id) {
            return Err(WriteError::invalid("area", "no such area"));
        }
        let next: Option<i32> = ambiti::table
            .filter(ambiti::area_id.eq(area_id))
            .select(diesel::dsl::max(ambiti::position))
            .first(conn)?;
        Ok(diesel::insert_into(ambiti::table)
            .values((
                ambiti::area_id.eq(area_id),
                ambiti::position.eq(next.map_or(0, |p| p + 1)),
                ambiti::name.eq(name),
                ambiti::objective.eq(objective),
            ))
            .returning(rows::Ambito::as_returning())
            .get_result(conn)?)
    })
}

pub(super) fn update_ambito(
    conn: &mut Conn,
    id: i32,
    name: Option<&str>,
    objective: Option<&str>,
) -> WriteResult<rows::Ambito> {
    conn.write_transaction(|conn| {
        if !exists!(conn, ambiti, id) {
            return Err(not_found("ambito", id));
        }
        if let Some(name) = name {
            diesel::update(ambiti::table.find(id))
                .set(ambiti::name.eq(name))
                .execute(conn)?;
        }
        if let Some(objective) = objective {
            diesel::update(ambiti::table.find(id))
                .set(ambiti::objective.eq(objective))
                .execute(conn)?;
        }
        Ok(ambiti::table
            .find(id)
            .select(rows::Ambito::as_select())
            .first(conn)?)
    })
}

pub(super) fn delete_ambito(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row!(conn, ambiti, "ambito", id)
}

pub(super) fn create_ambito_result(
    conn: &mut Conn,
    ambito_id: i32,
    year: i32,
    kind: &str,
    text: &str,
) -> WriteResult<rows::AmbitoResult> {
    conn.write_transaction(|conn| {
        if !exists!(conn, ambiti, ambito_id) {
            return Err(WriteError::invalid("ambito", "no such ambito"));
        }
        let next: Option<i32> = ambito_results::table
            .filter(ambito_results::ambito_id.eq(ambito_id))
            .select(diesel::dsl::max(ambito_results::position))
            .first(conn)?;
        Ok(diesel::insert_into(ambito_results::table)
            .values((
                ambito_results::ambito_id.eq(ambito_id),
                ambito_results::position.eq(next.map_or(0, |p| p + 1)),
                ambito_results::year.eq(year),
                ambito_results::kind.eq(kind),
                ambito_results::text.eq(text),
            ))
            .returning(rows::AmbitoResult::as_returning())
            .get_result(conn)?)
    })
}

pub(super) fn update_ambito_result(
    conn: &mut Conn,
    id: i32,
    year: Option<i32>,
    kind: Option<&str>,
    text: Option<&str>,
) -> WriteResult<rows::AmbitoResult> {
    conn.write_transaction(|conn| {
        if !exists!(conn, ambito_results, id) {
            return Err(not_found("result", id));
        }
        if let Some(year) = year {
            diesel::update(ambito_results::table.find(id))
                .set(ambito_results::year.eq(year))
                .execute(conn)?;
        }
        if let Some(kind) = kind {
            diesel::update(ambito_results::table.find(id))
                .set(ambito_results::kind.eq(kind))
                .execute(conn)?;
        }
        if let Some(text) = text {
            diesel::update(ambito_results::table.find(id))
                .set(ambito_results::text.eq(text))
                .execute(conn)?;
        }
        Ok(ambito_results::table
            .find(id)
            .select(rows::AmbitoResult::as_select())
            .first(conn)?)
    })
}

pub(super) fn delete_ambito_result(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row!(conn, ambito_results, "result", id)
}

// ---- measurements ---------------------------------------------------------

pub(super) fn record_measurement(
    conn: &mut Conn,
    input: &MeasurementInput,
) -> WriteResult<rows::Measurement> {
    let (start, end) = crate::period::bounds(&input.period).ok_or_else(|| {
        WriteError::invalid(
            "period",
            "the period must be a year (2020), a quarter (2020-Q1) or a month (2020-03)",
        )
    })?;
    conn.write_transaction(|conn| {
        if !exists!(conn, indicators, input.indicator_id) {
            return Err(WriteError::NotFound {
                entity: "indicator",
                key: input.indicator_id.to_string(),
            });
        }
        let row = rows::NewMeasurement {
            indicator_id: input.indicator_id,
            period: input.period.clone(),
            period_start: start,
            period_end: end,
            value: input.value.clone(),
            numerator: input.numerator.clone(),
            denominator: input.denominator.clone(),
            source: input.source.clone(),
            recorded_by: input.recorded_by.clone(),
            recorded_at: chrono::Utc::now().naive_utc(),
        };
        let existing: Option<i32> = measurements::table
            .filter(measurements::indicator_id.eq(input.indicator_id))
            .filter(measurements::period.eq(&input.period))
            .select(measurements::id)
            .first(conn)
            .optional()?;
        let stored: rows::Measurement = match existing {
            Some(id) => diesel::update(measurements::table.find(id))
                .set(&row)
                .returning(rows::Measurement::as_returning())
                .get_result(conn)?,
            None => diesel::insert_into(measurements::table)
                .values(&row)
                .returning(rows::Measurement::as_returning())
                .get_result(conn)?,
        };
        conn.log_indicator_change(
            stored.indicator_id,
            kind::MEASUREMENT_RECORDED,
            Some(&stored.period),
        )?;
        Ok(stored)
    })
}

pub(super) fn delete_measurement(conn: &mut Conn, id: i32) -> WriteResult<rows::Measurement> {
    conn.write_transaction(|conn| {
        let row: rows::Measurement = diesel::delete(measurements::table.find(id))
            .returning(rows::Measurement::as_returning())
            .get_result(conn)
            .optional()?
            .ok_or_else(|| not_found("measurement", id))?;
        conn.log_indicator_change(
            row.indicator_id,
            kind::MEASUREMENT_DELETED,
            Some(&row.period),
        )?;
        Ok(row)
    })
}
