//! The writer and the reads of `objectives`, of the `strategic_objectives` and
//! `annual_objectives` they link to, and of the four link tables
//! (`objective_offices`, `objective_strategic_objectives`,
//! `objective_annual_objectives`, `objective_actions`): one link writer
//! serves all four lists, for the import and the mutations alike.
//! Compiled once per backend (`entity/mod.rs`), with `Conn` from the
//! parent.

use diesel::prelude::*;

use super::changed;
use super::Conn;
use super::INSERT_CHUNK;
use crate::graph::ObjectiveChanges;
use crate::rows;
use crate::schema::{
    annual_objectives, objective_actions, objective_annual_objectives, objective_offices,
    objective_strategic_objectives, objectives, strategic_objectives,
};

// ---- strategic and annual objectives ----------------------------------------

row_writes!(strategic_objectives {
    insert insert_strategic(plan_id: i32, code: &str, title: &str) -> rows::StrategicObjective;
    update update_strategic(code: &str, title: &str);
    delete delete_strategic;
});

row_writes!(annual_objectives {
    insert insert_annual(plan_id: i32, strategic_objective_id: Option<i32>, code: &str, title: &str) -> rows::AnnualObjective;
    update update_annual(strategic_objective_id: Option<i32>, code: &str, title: &str);
    delete delete_annual;
});

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

versioned_writes!(objectives, rows::NewObjective, ObjectiveChanges);

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

// ---- reads ----------------------------------------------------------------
#[allow(unused_imports)]
use super::lower;
#[allow(unused_imports)]
use super::read::*;

load_by!(
    strategic_objectives_by_ids,
    i32,
    strategic_objectives,
    strategic_objectives::id,
    rows::StrategicObjective,
    strategic_objectives::id
);

load_by!(
    strategic_objectives_of_plans,
    i32,
    strategic_objectives,
    strategic_objectives::plan_id,
    rows::StrategicObjective,
    (strategic_objectives::code, strategic_objectives::id)
);

plan_part_list!(
    strategic_objectives_page,
    strategic_objectives_count,
    strategic_objectives,
    rows::StrategicObjective,
    search(strategic_objectives::code, strategic_objectives::title),
    strategic_objectives::code
);

load_linked!(
    strategic_objectives_of_objectives,
    objective_strategic_objectives,
    objective_id,
    strategic_objectives::table,
    rows::StrategicObjective,
    (
        objective_strategic_objectives::objective_id,
        objective_strategic_objectives::position
    )
);

load_linked!(
    objectives_of_strategic_objectives,
    objective_strategic_objectives,
    strategic_objective_id,
    objectives::table,
    rows::Objective,
    (objectives::position, objectives::id)
);

load_by!(
    annual_objectives_by_ids,
    i32,
    annual_objectives,
    annual_objectives::id,
    rows::AnnualObjective,
    annual_objectives::id
);

load_by!(
    annual_objectives_of_plans,
    i32,
    annual_objectives,
    annual_objectives::plan_id,
    rows::AnnualObjective,
    (annual_objectives::code, annual_objectives::id)
);

load_by!(
    annual_objectives_of_strategic,
    i32,
    annual_objectives,
    annual_objectives::strategic_objective_id,
    rows::AnnualObjective,
    (annual_objectives::code, annual_objectives::id)
);

plan_part_list!(
    annual_objectives_page,
    annual_objectives_count,
    annual_objectives,
    rows::AnnualObjective,
    search(annual_objectives::code, annual_objectives::title),
    annual_objectives::code
);

load_linked!(
    annual_objectives_of_objectives,
    objective_annual_objectives,
    objective_id,
    annual_objectives::table,
    rows::AnnualObjective,
    (
        objective_annual_objectives::objective_id,
        objective_annual_objectives::position
    )
);

load_linked!(
    objectives_of_annual_objectives,
    objective_annual_objectives,
    annual_objective_id,
    objectives::table,
    rows::Objective,
    (objectives::position, objectives::id)
);

load_by!(
    objectives_by_ids,
    i32,
    objectives,
    objectives::id,
    rows::Objective,
    objectives::id
);

pub(crate) fn objectives_by_codes(
    conn: &mut Conn,
    keys: &[(String, String)],
) -> Result<Vec<(String, rows::Objective)>, StoreError> {
    // Objective codes of every plan asked for, then the exact pairs kept.
    let plan_codes: Vec<&String> = keys.iter().map(|(p, _)| p).collect();
    let codes: Vec<&String> = keys.iter().map(|(_, c)| c).collect();
    let mut out = Vec::new();
    for (pc, cc) in plan_codes.chunks(KEY_CHUNK).zip(codes.chunks(KEY_CHUNK)) {
        let found = objectives::table
            .inner_join(plans::table)
            .filter(keys_in!(plans::code, pc))
            .filter(keys_in!(objectives::code, cc))
            .select((plans::code, rows::Objective::as_select()))
            .load::<(String, rows::Objective)>(conn)?;
        out.extend(
            found
                .into_iter()
                .filter(|(p, o)| keys.iter().any(|(kp, kc)| kp == p && *kc == o.code)),
        );
    }
    Ok(out)
}

/// Applies an [`ObjectiveFilter`] to a boxed query over `objectives`.
macro_rules! objective_filters {
    ($q:ident, $f:expr) => {{
        let f: &ObjectiveFilter = $f;
        if let Some(ids) = &f.plan_ids {
            $q = $q.filter(objectives::plan_id.eq_any(ids.clone()));
        }
        if let Some(c) = &f.plan_code {
            $q = $q.filter(
                objectives::plan_id.eq_any(
                    plans::table
                        .filter(plans::code.eq(c.clone()))
                        .select(plans::id),
                ),
            );
        }
        if let Some(y) = f.year {
            $q = $q.filter(objectives::year.eq(y));
        }
        if let Some(ids) = &f.responsibility_centre_ids {
            $q = $q.filter(objectives::responsibility_centre_id.eq_any(ids.clone()));
        }
        if let Some(c) = &f.mission_code {
            $q = $q.filter(
                objectives::id.eq_any(
                    objective_actions::table
                        .inner_join(
                            actions::table.inner_join(programs::table.inner_join(missions::table)),
                        )
                        .filter(missions::code.eq(c.clone()))
                        .select(objective_actions::objective_id),
                ),
            );
        }
        if let Some(c) = &f.program_code {
            $q = $q.filter(
                objectives::id.eq_any(
                    objective_actions::table
                        .inner_join(actions::table.inner_join(programs::table))
                        .filter(programs::code.eq(c.clone()))
                        .select(objective_actions::objective_id),
                ),
            );
        }
        if let Some(a) = f.action_id {
            $q = $q.filter(
                objectives::id.eq_any(
                    objective_actions::table
                        .filter(objective_actions::action_id.eq(a))
                        .select(objective_actions::objective_id),
                ),
            );
        }
        if let Some(s) = f.strategic_objective_id {
            $q = $q.filter(
                objectives::id.eq_any(
                    objective_strategic_objectives::table
                        .filter(objective_strategic_objectives::strategic_objective_id.eq(s))
                        .select(objective_strategic_objectives::objective_id),
                ),
            );
        }
        if let Some(a) = f.annual_objective_id {
            $q = $q.filter(
                objectives::id.eq_any(
                    objective_annual_objectives::table
                        .filter(objective_annual_objectives::annual_objective_id.eq(a))
                        .select(objective_annual_objectives::objective_id),
                ),
            );
        }
        search!($q, f.search, objectives::code, objectives::title, objectives::description);
    }};
}

pub(crate) fn objectives_query<'a>(f: &'a ObjectiveFilter) -> objectives::BoxedQuery<'a, Db> {
    let mut q = objectives::table.into_boxed::<Db>();
    objective_filters!(q, f);
    q
}

macro_rules! objective_sort {
    ($q:ident, $sort:expr, $page:expr) => {
        match $sort {
            ObjectiveSort::Position => {
                keyset!($q, $page, objectives::position, objectives::id, int_key)
            }
            ObjectiveSort::Code => keyset!($q, $page, objectives::code, objectives::id, text_key),
            ObjectiveSort::Title => keyset!($q, $page, objectives::title, objectives::id, text_key),
        }
    };
}

pub(crate) fn objectives_page(
    conn: &mut Conn,
    f: &ObjectiveFilter,
    sort: ObjectiveSort,
    page: &PageRequest,
) -> Result<Vec<rows::Objective>, StoreError> {
    let mut q = objectives_query(f);
    objective_sort!(q, sort, page);
    Ok(q.load::<rows::Objective>(conn)?)
}

pub(crate) fn objectives_count(conn: &mut Conn, f: &ObjectiveFilter) -> Result<i64, StoreError> {
    Ok(objectives_query(f).count().get_result(conn)?)
}

fn parent_of(parent: ObjectiveParent, o: &rows::Objective) -> i32 {
    match parent {
        ObjectiveParent::Plan => o.plan_id,
        ObjectiveParent::ResponsibilityCentre => o.responsibility_centre_id,
    }
}

pub(crate) fn objectives_pages_of(
    conn: &mut Conn,
    parent: ObjectiveParent,
    ids: &[i32],
    f: &ObjectiveFilter,
    sort: ObjectiveSort,
    page: &PageRequest,
) -> Result<HashMap<i32, Vec<rows::Objective>>, StoreError> {
    let mut out: HashMap<i32, Vec<rows::Objective>> = HashMap::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        let mut q = objectives_query(f);
        q = match parent {
            ObjectiveParent::Plan => q.filter(keys_in!(objectives::plan_id, chunk)),
            ObjectiveParent::ResponsibilityCentre => {
                q.filter(keys_in!(objectives::responsibility_centre_id, chunk))
            }
        };
        // One parent: the database applies the limit. Several: one
        // statement reads the window of every parent and each group is cut
        // to the limit here (portable, unlike LATERAL or window functions
        // in a keyset query).
        let mut page = page.clone();
        if chunk.len() > 1 {
            page.limit = i64::MAX / 2;
        }
        objective_sort!(q, sort, &page);
        for row in q.load::<rows::Objective>(conn)? {
            let group = out.entry(parent_of(parent, &row)).or_default();
            if (group.len() as i64) < page.limit {
                group.push(row);
            }
        }
    }
    for group in out.values_mut() {
        group.truncate(usize::try_from(page.limit).unwrap_or(usize::MAX));
    }
    Ok(out)
}

pub(crate) fn objectives_counts_of(
    conn: &mut Conn,
    parent: ObjectiveParent,
    ids: &[i32],
    f: &ObjectiveFilter,
) -> Result<HashMap<i32, i64>, StoreError> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        let q = objectives_query(f);
        let parents: Vec<i32> = match parent {
            ObjectiveParent::Plan => q
                .filter(keys_in!(objectives::plan_id, chunk))
                .select(objectives::plan_id)
                .load(conn)?,
            ObjectiveParent::ResponsibilityCentre => q
                .filter(keys_in!(objectives::responsibility_centre_id, chunk))
                .select(objectives::responsibility_centre_id)
                .load(conn)?,
        };
        for p in parents {
            *out.entry(p).or_insert(0) += 1;
        }
    }
    Ok(out)
}
