//! The writer of `objectives`, of the `strategic_objectives` and
//! `annual_objectives` they link to, and of the four link tables
//! (`objective_offices`, `objective_strategic_objectives`,
//! `objective_annual_objectives`, `objective_actions`): one link writer
//! serves all four lists, for the import and the mutations alike.
//! Compiled once per backend (`entity/mod.rs`), with `Conn` from the
//! parent.

use diesel::prelude::*;

use super::Conn;
use crate::entity::changed;
use crate::entity::INSERT_CHUNK;
use crate::graph::ObjectiveChanges;
use crate::rows;
use crate::schema::{
    annual_objectives, objective_actions, objective_annual_objectives, objective_offices,
    objective_strategic_objectives, objectives, strategic_objectives,
};

// ---- strategic and annual objectives ----------------------------------------

pub(crate) fn insert_strategic(
    conn: &mut Conn,
    plan_id: i32,
    code: &str,
    title: &str,
) -> QueryResult<rows::StrategicObjective> {
    diesel::insert_into(strategic_objectives::table)
        .values((
            strategic_objectives::plan_id.eq(plan_id),
            strategic_objectives::code.eq(code),
            strategic_objectives::title.eq(title),
        ))
        .returning(rows::StrategicObjective::as_returning())
        .get_result(conn)
}

/// Changes the fields given of strategic objective `id`, in one statement.
pub(crate) fn update_strategic(
    conn: &mut Conn,
    id: i32,
    code: Option<&str>,
    title: Option<&str>,
) -> QueryResult<usize> {
    changed(
        diesel::update(strategic_objectives::table.find(id))
            .set((
                code.map(|c| strategic_objectives::code.eq(c)),
                title.map(|t| strategic_objectives::title.eq(t)),
            ))
            .execute(conn),
    )
}

pub(crate) fn delete_strategic(conn: &mut Conn, id: i32) -> QueryResult<usize> {
    diesel::delete(strategic_objectives::table.find(id)).execute(conn)
}

pub(crate) fn insert_annual(
    conn: &mut Conn,
    plan_id: i32,
    strategic_id: Option<i32>,
    code: &str,
    title: &str,
) -> QueryResult<rows::AnnualObjective> {
    diesel::insert_into(annual_objectives::table)
        .values((
            annual_objectives::plan_id.eq(plan_id),
            annual_objectives::strategic_objective_id.eq(strategic_id),
            annual_objectives::code.eq(code),
            annual_objectives::title.eq(title),
        ))
        .returning(rows::AnnualObjective::as_returning())
        .get_result(conn)
}

/// Changes the fields given of annual objective `id` (`strategic_id:
/// Some(None)` detaches it from its strategic objective), in one statement.
pub(crate) fn update_annual(
    conn: &mut Conn,
    id: i32,
    strategic_id: Option<Option<i32>>,
    code: Option<&str>,
    title: Option<&str>,
) -> QueryResult<usize> {
    changed(
        diesel::update(annual_objectives::table.find(id))
            .set((
                strategic_id.map(|s| annual_objectives::strategic_objective_id.eq(s)),
                code.map(|c| annual_objectives::code.eq(c)),
                title.map(|t| annual_objectives::title.eq(t)),
            ))
            .execute(conn),
    )
}

pub(crate) fn delete_annual(conn: &mut Conn, id: i32) -> QueryResult<usize> {
    diesel::delete(annual_objectives::table.find(id)).execute(conn)
}

/// Deletes the annual objectives of plan `plan_id` that no objective links
/// to, then its strategic objectives that neither an objective links to nor
/// an annual objective belongs to.
pub(crate) fn delete_unlinked(conn: &mut Conn, plan_id: i32) -> QueryResult<()> {
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
    Ok(())
}

// ---- objectives ---------------------------------------------------------------

/// Inserts objectives, [`INSERT_CHUNK`] per statement.
pub(crate) fn insert(conn: &mut Conn, rows: &[rows::NewObjective]) -> QueryResult<()> {
    insert_chunks!(objectives::table, rows, conn)
}

/// Overwrites every column of objective `id` with `row` (a re-import) and
/// increments its version.
pub(crate) fn replace(conn: &mut Conn, id: i32, row: &rows::NewObjective) -> QueryResult<usize> {
    diesel::update(objectives::table.find(id))
        .set((row, objectives::version.eq(objectives::version + 1)))
        .execute(conn)
}

version_bump!(objectives);

/// Applies `changes` to objective `id` (the version is the caller's,
/// through [`bump_version`]); nothing when no field changes.
pub(crate) fn update(conn: &mut Conn, id: i32, changes: &ObjectiveChanges) -> QueryResult<usize> {
    changed(
        diesel::update(objectives::table.find(id))
            .set(changes)
            .execute(conn),
    )
}

delete_by_ids!(objectives);

// ---- links ----------------------------------------------------------------

/// The four lists an objective links to; each is a table of (objective,
/// linked object, position in the sheet), and the two lists of objectives
/// also keep the sheet's wording of the linked objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkList {
    Offices,
    StrategicObjectives,
    AnnualObjectives,
    Actions,
}

impl LinkList {
    pub(crate) const ALL: [LinkList; 4] = [
        LinkList::Offices,
        LinkList::StrategicObjectives,
        LinkList::AnnualObjectives,
        LinkList::Actions,
    ];
}

/// One link of an objective. `title` is the sheet's wording of a linked
/// strategic or annual objective; offices and actions keep none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Link<'a> {
    pub objective_id: i32,
    pub linked_id: i32,
    pub position: i32,
    pub title: &'a str,
}

/// Whose links [`delete_links`] removes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum LinksOf {
    Objective(i32),
    /// Every objective of the plan.
    Plan(i32),
}

/// `DELETE FROM $t WHERE objective_id …` for the objectives `$of` names.
macro_rules! delete_links_in {
    ($conn:expr, $t:ident, $of:expr) => {
        match $of {
            LinksOf::Objective(id) => {
                diesel::delete($t::table.filter($t::objective_id.eq(id))).execute($conn)
            }
            LinksOf::Plan(plan_id) => diesel::delete(
                $t::table.filter(
                    $t::objective_id.eq_any(
                        objectives::table
                            .filter(objectives::plan_id.eq(plan_id))
                            .select(objectives::id),
                    ),
                ),
            )
            .execute($conn),
        }
    };
}

/// Deletes the links of `list` of the objectives `of` names.
pub(crate) fn delete_links(conn: &mut Conn, list: LinkList, of: LinksOf) -> QueryResult<usize> {
    match list {
        LinkList::Offices => delete_links_in!(conn, objective_offices, of),
        LinkList::StrategicObjectives => delete_links_in!(conn, objective_strategic_objectives, of),
        LinkList::AnnualObjectives => delete_links_in!(conn, objective_annual_objectives, of),
        LinkList::Actions => delete_links_in!(conn, objective_actions, of),
    }
}

/// One multi-row `INSERT INTO $t` of `$chunk`: the objective, the linked
/// object in column `$linked`, the position, and the wording in `$title`
/// for the tables that keep one.
macro_rules! insert_links_in {
    ($conn:expr, $chunk:expr, $t:ident, $linked:ident $(, $title:ident)?) => {
        diesel::insert_into($t::table)
            .values(
                $chunk
                    .iter()
                    .map(|l| {
                        (
                            $t::objective_id.eq(l.objective_id),
                            $t::$linked.eq(l.linked_id),
                            $t::position.eq(l.position),
                            $($t::$title.eq(l.title),)?
                        )
                    })
                    .collect::<Vec<_>>(),
            )
            .execute($conn)
    };
}

/// Inserts links of `list`, [`INSERT_CHUNK`] per statement.
pub(crate) fn insert_links(conn: &mut Conn, list: LinkList, links: &[Link<'_>]) -> QueryResult<()> {
    for chunk in links.chunks(INSERT_CHUNK) {
        match list {
            LinkList::Offices => insert_links_in!(conn, chunk, objective_offices, office_id),
            LinkList::StrategicObjectives => insert_links_in!(
                conn,
                chunk,
                objective_strategic_objectives,
                strategic_objective_id,
                title
            ),
            LinkList::AnnualObjectives => insert_links_in!(
                conn,
                chunk,
                objective_annual_objectives,
                annual_objective_id,
                title
            ),
            LinkList::Actions => insert_links_in!(conn, chunk, objective_actions, action_id),
        }?;
    }
    Ok(())
}

/// Replaces the links of `list` of objective `objective_id` with `links`.
pub(crate) fn replace_links(
    conn: &mut Conn,
    list: LinkList,
    objective_id: i32,
    links: &[Link<'_>],
) -> QueryResult<()> {
    delete_links(conn, list, LinksOf::Objective(objective_id))?;
    insert_links(conn, list, links)
}
