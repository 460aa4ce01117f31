//! Writes of GraphQL mutations, each in one transaction: a query module of
//! the backend seam ([`crate::backend`]). These functions check the input
//! in the API's terms (which field is wrong, which version was expected,
//! which object is missing) and leave every statement that writes to the
//! entity writers of the same backend.

use diesel::prelude::*;

use super::entity::objective::{Link, LinkList};
use super::{entity, Conn};
use crate::changes::{kind, LogChanges};
use crate::graph::{
    IndicatorChanges, MeasurementInput, ObjectiveChanges, ObjectiveLinks, PhaseChanges,
    PlanChanges, TargetChanges, WriteError, WriteResult,
};
use crate::rows;
use cruscotto_model as m;
use crate::schema::*;
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

/// Refuses the input, naming `$field`, unless row `$id` of `$table` exists:
/// the input refers to an object that is not there.
macro_rules! referenced {
    ($conn:expr, $table:ident, $id:expr, $field:expr, $message:expr) => {
        if !exists!($conn, $table, $id) {
            return Err(WriteError::invalid($field, $message));
        }
    };
}

/// Runs `$write` on row `$id` of `$table` in a write transaction and returns
/// the row (`$row`) as it is afterwards; NOT_FOUND when there is no such row.
macro_rules! update_row {
    ($conn:expr, $table:ident, $row:ty, $entity:expr, $id:expr, |$c:ident| $write:block) => {{
        let id: i32 = $id;
        $conn.write_transaction(|$c| {
            if !exists!($c, $table, id) {
                return Err(not_found($entity, id));
            }
            $write;
            Ok($table::table
                .find(id)
                .select(<$row>::as_select())
                .first($c)?)
        })
    }};
}

/// Increments the version of row `$id` through the writer of `$module` if
/// it still is `$expected`. No row updated means the row is gone
/// (NOT_FOUND) or was changed by someone else (a version conflict naming
/// the current version).
macro_rules! bump_version {
    ($conn:expr, $module:ident, $entity:expr, $id:expr, $expected:expr) => {{
        let (id, expected): (i32, i32) = ($id, $expected);
        if !entity::$module::bump_version($conn, id, expected)? {
            let actual = entity::$module::version($conn, id)?;
            return Err(WriteError::stale($entity, id, expected, actual));
        }
    }};
}

/// Deletes row `id` with `delete`; NOT_FOUND when there was none.
fn delete_row(
    conn: &mut Conn,
    entity: &'static str,
    id: i32,
    delete: impl FnOnce(&mut Conn, i32) -> QueryResult<usize>,
) -> WriteResult<()> {
    conn.write_transaction(|conn| {
        if delete(conn, id)? == 0 {
            Err(not_found(entity, id))
        } else {
            Ok(())
        }
    })
}

/// The position after the last of a parent's children (0 for the first).
fn next_position(last: Option<i32>) -> i32 {
    last.map_or(0, |p| p + 1)
}

// ---- plans ----------------------------------------------------------------

pub(crate) fn create_plan(conn: &mut Conn, row: &rows::NewPlan) -> WriteResult<rows::Plan> {
    conn.write_transaction(|conn| Ok(entity::plan::insert(conn, row)?))
}

pub(crate) fn update_plan(
    conn: &mut Conn,
    id: i32,
    expected: i32,
    changes: &PlanChanges,
) -> WriteResult<rows::Plan> {
    conn.write_transaction(|conn| {
        bump_version!(conn, plan, "plan", id, expected);
        let (first, last): (i32, i32) = plans::table
            .find(id)
            .select((plans::first_year, plans::last_year))
            .first(conn)?;
        let first = changes.first_year.unwrap_or(first);
        let last = changes.last_year.unwrap_or(last);
        if first > last {
            return Err(WriteError::invalid(
                "last_year",
                "the last year comes before the first year",
            ));
        }
        entity::plan::update(conn, id, changes)?;
        Ok(plans::table
            .find(id)
            .select(rows::Plan::as_select())
            .first(conn)?)
    })
}

pub(crate) fn delete_plan_by_id(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row(conn, "plan", id, entity::plan::delete)
}

// ---- budget classification ------------------------------------------------

pub(crate) fn create_mission(
    conn: &mut Conn,
    code: &str,
    name: &str,
) -> WriteResult<rows::Mission> {
    conn.write_transaction(|conn| Ok(entity::budget::insert_mission(conn, code, name)?))
}

pub(crate) fn update_mission(
    conn: &mut Conn,
    id: i32,
    code: Option<&str>,
    name: Option<&str>,
) -> WriteResult<rows::Mission> {
    update_row!(conn, missions, rows::Mission, "mission", id, |conn| {
        entity::budget::update_mission(conn, id, code, name)?;
    })
}

pub(crate) fn delete_mission(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row(conn, "mission", id, entity::budget::delete_mission)
}

pub(crate) fn create_program(
    conn: &mut Conn,
    mission_id: i32,
    code: &str,
    name: &str,
) -> WriteResult<rows::Program> {
    conn.write_transaction(|conn| {
        referenced!(conn, missions, mission_id, "mission", "no such mission");
        Ok(entity::budget::insert_program(
            conn, mission_id, code, name,
        )?)
    })
}

pub(crate) fn update_program(
    conn: &mut Conn,
    id: i32,
    mission_id: Option<i32>,
    code: Option<&str>,
    name: Option<&str>,
) -> WriteResult<rows::Program> {
    update_row!(conn, programs, rows::Program, "program", id, |conn| {
        if let Some(m) = mission_id {
            referenced!(conn, missions, m, "mission", "no such mission");
        }
        entity::budget::update_program(conn, id, mission_id, code, name)?;
    })
}

pub(crate) fn delete_program(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row(conn, "program", id, entity::budget::delete_program)
}

pub(crate) fn create_action(
    conn: &mut Conn,
    program_id: i32,
    name: &str,
) -> WriteResult<rows::Action> {
    conn.write_transaction(|conn| {
        referenced!(conn, programs, program_id, "program", "no such program");
        Ok(entity::budget::insert_action(conn, program_id, name)?)
    })
}

pub(crate) fn update_action(
    conn: &mut Conn,
    id: i32,
    program_id: Option<i32>,
    name: Option<&str>,
) -> WriteResult<rows::Action> {
    update_row!(conn, actions, rows::Action, "action", id, |conn| {
        if let Some(p) = program_id {
            referenced!(conn, programs, p, "program", "no such program");
        }
        entity::budget::update_action(conn, id, program_id, name)?;
    })
}

pub(crate) fn delete_action(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row(conn, "action", id, entity::budget::delete_action)
}

// ---- responsibility centres and offices -----------------------------------

pub(crate) fn create_responsibility_centre(
    conn: &mut Conn,
    plan_id: i32,
    name: &str,
    head: Option<&str>,
) -> WriteResult<rows::ResponsibilityCentre> {
    conn.write_transaction(|conn| {
        referenced!(conn, plans, plan_id, "plan", "no such plan");
        Ok(entity::centre::insert_centre(conn, plan_id, name, head)?)
    })
}

pub(crate) fn update_responsibility_centre(
    conn: &mut Conn,
    id: i32,
    name: Option<&str>,
    head: Option<Option<&str>>,
) -> WriteResult<rows::ResponsibilityCentre> {
    update_row!(
        conn,
        responsibility_centres,
        rows::ResponsibilityCentre,
        "responsibility centre",
        id,
        |conn| {
            entity::centre::update_centre(conn, id, name, head)?;
        }
    )
}

pub(crate) fn delete_responsibility_centre(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row(
        conn,
        "responsibility centre",
        id,
        entity::centre::delete_centre,
    )
}

pub(crate) fn create_office(
    conn: &mut Conn,
    centre_id: i32,
    name: &str,
) -> WriteResult<rows::Office> {
    conn.write_transaction(|conn| {
        referenced!(
            conn,
            responsibility_centres,
            centre_id,
            "responsibility_centre",
            "no such responsibility centre"
        );
        Ok(entity::centre::insert_office(conn, centre_id, name)?)
    })
}

pub(crate) fn update_office(conn: &mut Conn, id: i32, name: &str) -> WriteResult<rows::Office> {
    conn.write_transaction(|conn| {
        entity::centre::rename_office(conn, id, name)?.ok_or_else(|| not_found("office", id))
    })
}

pub(crate) fn delete_office(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row(conn, "office", id, entity::centre::delete_office)
}

// ---- strategic and annual objectives --------------------------------------

pub(crate) fn create_strategic_objective(
    conn: &mut Conn,
    plan_id: i32,
    code: &str,
    title: &str,
) -> WriteResult<rows::StrategicObjective> {
    conn.write_transaction(|conn| {
        referenced!(conn, plans, plan_id, "plan", "no such plan");
        Ok(entity::objective::insert_strategic(
            conn, plan_id, code, title,
        )?)
    })
}

pub(crate) fn update_strategic_objective(
    conn: &mut Conn,
    id: i32,
    code: Option<&str>,
    title: Option<&str>,
) -> WriteResult<rows::StrategicObjective> {
    update_row!(
        conn,
        strategic_objectives,
        rows::StrategicObjective,
        "strategic objective",
        id,
        |conn| {
            entity::objective::update_strategic(conn, id, code, title)?;
        }
    )
}

pub(crate) fn delete_strategic_objective(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row(
        conn,
        "strategic objective",
        id,
        entity::objective::delete_strategic,
    )
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
            "strategic_objective",
            "belongs to another plan",
        )),
        None => Err(WriteError::invalid(
            "strategic_objective",
            "no such strategic objective",
        )),
    }
}

pub(crate) fn create_annual_objective(
    conn: &mut Conn,
    plan_id: i32,
    strategic_id: Option<i32>,
    code: &str,
    title: &str,
) -> WriteResult<rows::AnnualObjective> {
    conn.write_transaction(|conn| {
        referenced!(conn, plans, plan_id, "plan", "no such plan");
        if let Some(s) = strategic_id {
            same_plan_strategic(conn, plan_id, s)?;
        }
        Ok(entity::objective::insert_annual(
            conn,
            plan_id,
            strategic_id,
            code,
            title,
        )?)
    })
}

pub(crate) fn update_annual_objective(
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
        if let Some(Some(s)) = strategic_id {
            same_plan_strategic(conn, plan_id, s)?;
        }
        entity::objective::update_annual(conn, id, strategic_id, code, title)?;
        Ok(annual_objectives::table
            .find(id)
            .select(rows::AnnualObjective::as_select())
            .first(conn)?)
    })
}

pub(crate) fn delete_annual_objective(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row(
        conn,
        "annual objective",
        id,
        entity::objective::delete_annual,
    )
}

// ---- objectives -----------------------------------------------------------

/// Checks that the objects an objective links to exist and belong to its
/// plan (offices: to its responsibility centre), then rewrites the lists
/// that `links` replaces, one list at a time.
fn write_objective_links(
    conn: &mut Conn,
    objective_id: i32,
    plan_id: i32,
    centre_id: i32,
    links: &ObjectiveLinks,
) -> WriteResult<()> {
    let lists = [
        (LinkList::Offices, &links.office_ids),
        (
            LinkList::StrategicObjectives,
            &links.strategic_objective_ids,
        ),
        (LinkList::AnnualObjectives, &links.annual_objective_ids),
        (LinkList::Actions, &links.action_ids),
    ];
    for (list, ids) in lists {
        let Some(ids) = ids else { continue };
        // The objects that may be linked, with their name or title.
        let found: Vec<(i32, String)> = match list {
            LinkList::Offices => offices::table
                .filter(offices::id.eq_any(ids))
                .filter(offices::responsibility_centre_id.eq(centre_id))
                .select((offices::id, offices::name))
                .load(conn)?,
            LinkList::StrategicObjectives => strategic_objectives::table
                .filter(strategic_objectives::id.eq_any(ids))
                .filter(strategic_objectives::plan_id.eq(plan_id))
                .select((strategic_objectives::id, strategic_objectives::title))
                .load(conn)?,
            LinkList::AnnualObjectives => annual_objectives::table
                .filter(annual_objectives::id.eq_any(ids))
                .filter(annual_objectives::plan_id.eq(plan_id))
                .select((annual_objectives::id, annual_objectives::title))
                .load(conn)?,
            LinkList::Actions => actions::table
                .filter(actions::id.eq_any(ids))
                .select((actions::id, actions::name))
                .load(conn)?,
        };
        let ids = dedup(ids);
        if found.len() != ids.len() {
            let (field, message) = match list {
                LinkList::Offices => (
                    "offices",
                    "every office must exist and belong to the objective's responsibility centre",
                ),
                LinkList::StrategicObjectives => (
                    "strategic_objectives",
                    "every strategic objective must exist and belong to the objective's plan",
                ),
                LinkList::AnnualObjectives => (
                    "annual_objectives",
                    "every annual objective must exist and belong to the objective's plan",
                ),
                LinkList::Actions => ("actions", "every action must exist"),
            };
            return Err(WriteError::invalid(field, message));
        }
        // A linked strategic or annual objective keeps its title as the
        // link's wording; offices and actions keep none.
        let titled = matches!(
            list,
            LinkList::StrategicObjectives | LinkList::AnnualObjectives
        );
        let rows: Vec<Link<'_>> = ids
            .iter()
            .enumerate()
            .map(|(p, &linked_id)| Link {
                objective_id,
                linked_id,
                position: p as i32,
                title: found
                    .iter()
                    .find(|f| titled && f.0 == linked_id)
                    .map_or("", |f| f.1.as_str()),
            })
            .collect();
        entity::objective::replace_links(conn, list, objective_id, &rows)?;
    }
    Ok(())
}

fn dedup(ids: &[i32]) -> Vec<i32> {
    let mut seen = std::collections::HashSet::new();
    ids.iter().copied().filter(|i| seen.insert(*i)).collect()
}

fn centre_plan(conn: &mut Conn, centre_id: i32) -> WriteResult<i32> {
    responsibility_centres::table
        .find(centre_id)
        .select(responsibility_centres::plan_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| WriteError::invalid("responsibility_centre", "no such responsibility centre"))
}

pub(crate) fn create_objective(
    conn: &mut Conn,
    row: &rows::NewObjective,
    links: &ObjectiveLinks,
) -> WriteResult<rows::Objective> {
    conn.write_transaction(|conn| {
        referenced!(conn, plans, row.plan_id, "plan", "no such plan");
        if centre_plan(conn, row.responsibility_centre_id)? != row.plan_id {
            return Err(WriteError::invalid(
                "responsibility_centre",
                "belongs to another plan",
            ));
        }
        let last: Option<i32> = objectives::table
            .filter(objectives::plan_id.eq(row.plan_id))
            .select(diesel::dsl::max(objectives::position))
            .first(conn)?;
        let mut row = row.clone();
        row.position = next_position(last);
        entity::objective::insert(conn, std::slice::from_ref(&row))?;
        let created: rows::Objective = objectives::table
            .filter(objectives::plan_id.eq(row.plan_id))
            .filter(objectives::code.eq(&row.code))
            .select(rows::Objective::as_select())
            .first(conn)?;
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

/// Refuses an end date before the start date, the stored ones standing in
/// for the fields a change leaves as they are.
fn check_dates(
    changed: (
        Option<Option<chrono::NaiveDate>>,
        Option<Option<chrono::NaiveDate>>,
    ),
    current: (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>),
) -> WriteResult<()> {
    let start = changed.0.unwrap_or(current.0);
    let end = changed.1.unwrap_or(current.1);
    match (start, end) {
        (Some(s), Some(e)) if e < s => Err(WriteError::invalid(
            "end_date",
            "the end date comes before the start date",
        )),
        _ => Ok(()),
    }
}

pub(crate) fn update_objective(
    conn: &mut Conn,
    id: i32,
    expected: i32,
    changes: &ObjectiveChanges,
    links: &ObjectiveLinks,
) -> WriteResult<rows::Objective> {
    conn.write_transaction(|conn| {
        bump_version!(conn, objective, "objective", id, expected);
        let current: rows::Objective = objectives::table
            .find(id)
            .select(rows::Objective::as_select())
            .first(conn)?;
        if let Some(c) = changes.responsibility_centre_id {
            if centre_plan(conn, c)? != current.plan_id {
                return Err(WriteError::invalid(
                    "responsibility_centre",
                    "belongs to another plan",
                ));
            }
        }
        check_dates(
            (changes.start_date, changes.end_date),
            (current.start_date, current.end_date),
        )?;
        entity::objective::update(conn, id, changes)?;
        let row: rows::Objective = objectives::table
            .find(id)
            .select(rows::Objective::as_select())
            .first(conn)?;
        write_objective_links(conn, id, row.plan_id, row.responsibility_centre_id, links)?;
        Ok(row)
    })
}

pub(crate) fn delete_objective(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row(conn, "objective", id, |conn, id| {
        entity::objective::delete(conn, &[id])
    })
}

// ---- indicators and targets -----------------------------------------------

pub(crate) fn create_indicator(
    conn: &mut Conn,
    row: &rows::NewIndicator,
) -> WriteResult<rows::Indicator> {
    conn.write_transaction(|conn| {
        referenced!(
            conn,
            objectives,
            row.objective_id,
            "objective",
            "no such objective"
        );
        let last: Option<i32> = indicators::table
            .filter(indicators::objective_id.eq(row.objective_id))
            .select(diesel::dsl::max(indicators::position))
            .first(conn)?;
        let mut row = row.clone();
        row.position = next_position(last);
        entity::indicator::insert(conn, std::slice::from_ref(&row))?;
        Ok(indicators::table
            .filter(indicators::objective_id.eq(row.objective_id))
            .filter(indicators::code.eq(&row.code))
            .select(rows::Indicator::as_select())
            .first(conn)?)
    })
}

pub(crate) fn update_indicator(
    conn: &mut Conn,
    id: i32,
    expected: i32,
    changes: &IndicatorChanges,
) -> WriteResult<rows::Indicator> {
    conn.write_transaction(|conn| {
        bump_version!(conn, indicator, "indicator", id, expected);
        entity::indicator::update(conn, id, changes)?;
        let row = indicators::table
            .find(id)
            .select(rows::Indicator::as_select())
            .first(conn)?;
        conn.log_indicator_change(id, kind::INDICATOR_UPDATED, None)?;
        Ok(row)
    })
}

pub(crate) fn delete_indicator(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row(conn, "indicator", id, |conn, id| {
        entity::indicator::delete(conn, &[id])
    })
}

pub(crate) fn create_target(
    conn: &mut Conn,
    row: &rows::NewTarget,
    expected: i32,
) -> WriteResult<rows::Target> {
    conn.write_transaction(|conn| {
        bump_version!(conn, indicator, "indicator", row.indicator_id, expected);
        entity::target::insert(conn, std::slice::from_ref(row))?;
        let target: rows::Target = targets::table
            .filter(targets::indicator_id.eq(row.indicator_id))
            .filter(targets::year.eq(row.year))
            .select(rows::Target::as_select())
            .first(conn)?;
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

pub(crate) fn update_target(
    conn: &mut Conn,
    id: i32,
    expected: i32,
    changes: &TargetChanges,
) -> WriteResult<rows::Target> {
    conn.write_transaction(|conn| {
        let indicator = indicator_of_target(conn, id)?;
        bump_version!(conn, indicator, "indicator", indicator, expected);
        entity::target::update(conn, id, changes)?;
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

pub(crate) fn delete_target(conn: &mut Conn, id: i32, expected: i32) -> WriteResult<rows::Target> {
    conn.write_transaction(|conn| {
        let indicator = indicator_of_target(conn, id)?;
        bump_version!(conn, indicator, "indicator", indicator, expected);
        let target = entity::target::delete(conn, id)?.ok_or_else(|| not_found("target", id))?;
        log_target_change(conn, &target, kind::TARGET_DELETED)?;
        Ok(target)
    })
}

// ---- phases ---------------------------------------------------------------

pub(crate) fn create_phase(
    conn: &mut Conn,
    row: &rows::NewPhase,
    expected: i32,
) -> WriteResult<rows::Phase> {
    conn.write_transaction(|conn| {
        bump_version!(conn, objective, "objective", row.objective_id, expected);
        let last: Option<i32> = phases::table
            .filter(phases::objective_id.eq(row.objective_id))
            .select(diesel::dsl::max(phases::position))
            .first(conn)?;
        let mut row = row.clone();
        row.position = next_position(last);
        entity::phase::insert(conn, std::slice::from_ref(&row))?;
        Ok(phases::table
            .filter(phases::objective_id.eq(row.objective_id))
            .filter(phases::code.eq(&row.code))
            .select(rows::Phase::as_select())
            .first(conn)?)
    })
}

/// Phase `id`, or NOT_FOUND.
fn phase(conn: &mut Conn, id: i32) -> WriteResult<rows::Phase> {
    phases::table
        .find(id)
        .select(rows::Phase::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found("phase", id))
}

pub(crate) fn update_phase(
    conn: &mut Conn,
    id: i32,
    expected: i32,
    changes: &PhaseChanges,
) -> WriteResult<rows::Phase> {
    conn.write_transaction(|conn| {
        let current = phase(conn, id)?;
        bump_version!(conn, objective, "objective", current.objective_id, expected);
        check_dates(
            (changes.start_date, changes.end_date),
            (current.start_date, current.end_date),
        )?;
        entity::phase::update(conn, id, changes)?;
        phase(conn, id)
    })
}

pub(crate) fn delete_phase(conn: &mut Conn, id: i32, expected: i32) -> WriteResult<rows::Phase> {
    conn.write_transaction(|conn| {
        let current = phase(conn, id)?;
        bump_version!(conn, objective, "objective", current.objective_id, expected);
        entity::phase::delete(conn, &[id])?;
        Ok(current)
    })
}

// ---- areas, ambiti, results -----------------------------------------------

pub(crate) fn create_area(
    conn: &mut Conn,
    plan_id: i32,
    name: Option<&str>,
    subtitle: Option<&str>,
    introduction: &str,
) -> WriteResult<rows::Area> {
    conn.write_transaction(|conn| {
        referenced!(conn, plans, plan_id, "plan", "no such plan");
        let last: Option<i32> = areas::table
            .filter(areas::plan_id.eq(plan_id))
            .select(diesel::dsl::max(areas::position))
            .first(conn)?;
        Ok(entity::area::insert_area(
            conn,
            plan_id,
            next_position(last),
            name,
            subtitle,
            introduction,
        )?)
    })
}

pub(crate) fn update_area(
    conn: &mut Conn,
    id: i32,
    name: Option<Option<&str>>,
    subtitle: Option<Option<&str>>,
    introduction: Option<&str>,
) -> WriteResult<rows::Area> {
    update_row!(conn, areas, rows::Area, "area", id, |conn| {
        entity::area::update_area(conn, id, name, subtitle, introduction)?;
    })
}

pub(crate) fn delete_area(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row(conn, "area", id, entity::area::delete_area)
}

pub(crate) fn create_ambito(
    conn: &mut Conn,
    area_id: i32,
    name: &str,
    objective: &str,
) -> WriteResult<rows::Ambito> {
    conn.write_transaction(|conn| {
        referenced!(conn, areas, area_id, "area", "no such area");
        let last: Option<i32> = ambiti::table
            .filter(ambiti::area_id.eq(area_id))
            .select(diesel::dsl::max(ambiti::position))
            .first(conn)?;
        Ok(entity::area::insert_ambito(
            conn,
            area_id,
            next_position(last),
            name,
            objective,
        )?)
    })
}

pub(crate) fn update_ambito(
    conn: &mut Conn,
    id: i32,
    name: Option<&str>,
    objective: Option<&str>,
) -> WriteResult<rows::Ambito> {
    update_row!(conn, ambiti, rows::Ambito, "ambito", id, |conn| {
        entity::area::update_ambito(conn, id, name, objective)?;
    })
}

pub(crate) fn delete_ambito(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row(conn, "ambito", id, entity::area::delete_ambito)
}

pub(crate) fn create_ambito_result(
    conn: &mut Conn,
    ambito_id: i32,
    year: i32,
    kind: m::ResultKind,
    text: &str,
) -> WriteResult<rows::AmbitoResult> {
    conn.write_transaction(|conn| {
        referenced!(conn, ambiti, ambito_id, "ambito", "no such ambito");
        let last: Option<i32> = ambito_results::table
            .filter(ambito_results::ambito_id.eq(ambito_id))
            .select(diesel::dsl::max(ambito_results::position))
            .first(conn)?;
        let row = rows::NewAmbitoResult {
            ambito_id,
            position: next_position(last),
            year,
            kind,
            text: text.to_string(),
        };
        entity::area::insert_results(conn, std::slice::from_ref(&row))?;
        Ok(ambito_results::table
            .filter(ambito_results::ambito_id.eq(ambito_id))
            .filter(ambito_results::year.eq(year))
            .filter(ambito_results::kind.eq(kind))
            .select(rows::AmbitoResult::as_select())
            .first(conn)?)
    })
}

pub(crate) fn update_ambito_result(
    conn: &mut Conn,
    id: i32,
    year: Option<i32>,
    kind: Option<m::ResultKind>,
    text: Option<&str>,
) -> WriteResult<rows::AmbitoResult> {
    update_row!(
        conn,
        ambito_results,
        rows::AmbitoResult,
        "result",
        id,
        |conn| {
            entity::area::update_result(conn, id, year, kind, text)?;
        }
    )
}

pub(crate) fn delete_ambito_result(conn: &mut Conn, id: i32) -> WriteResult<()> {
    delete_row(conn, "result", id, entity::area::delete_result)
}

// ---- measurements ---------------------------------------------------------

pub(crate) fn record_measurement(
    conn: &mut Conn,
    input: &MeasurementInput,
) -> WriteResult<rows::Measurement> {
    let period = crate::period::parse(&input.period)
        .map_err(|_| WriteError::invalid("period", crate::period::EXPECTED))?;
    let row = rows::NewMeasurement {
        numerator: input.numerator,
        denominator: input.denominator,
        ..rows::NewMeasurement::new(
            input.indicator_id,
            &period,
            input.value,
            input.source.clone(),
            input.recorded_by.clone(),
            chrono::Utc::now().naive_utc(),
        )
    };
    entity::measurement::record(conn, &row).map_err(WriteError::from_store)
}

pub(crate) fn delete_measurement(conn: &mut Conn, id: i32) -> WriteResult<rows::Measurement> {
    conn.write_transaction(|conn| {
        let row =
            entity::measurement::delete(conn, id)?.ok_or_else(|| not_found("measurement", id))?;
        conn.log_indicator_change(
            row.indicator_id,
            kind::MEASUREMENT_DELETED,
            Some(&row.period),
        )?;
        Ok(row)
    })
}
