// Batched loads, keyset pages and counts behind the GraphQL API. Included
// twice by `graph/mod.rs`, with `Conn` and `Db` naming one backend.

use std::collections::HashMap;

use diesel::prelude::*;

use super::{
    BudgetFilter, IndicatorFilter, IndicatorSort, ObjectiveFilter, ObjectiveParent, ObjectiveSort,
    PageRequest, PlanFilter, PlanPartFilter, SortValue, KEY_CHUNK,
};
use crate::error::StoreError;
use crate::rows;
use crate::schema::*;

diesel::define_sql_function! {
    /// Lower-cases text (ASCII only on SQLite, which is why both sides of a
    /// search go through it).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// `%needle%` with LIKE's wildcards escaped by a backslash.
fn like_pattern(needle: &str) -> String {
    let mut p = String::with_capacity(needle.len() + 2);
    p.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

fn int_key(v: &SortValue) -> Result<i32, StoreError> {
    match v {
        SortValue::Int(i) => i32::try_from(*i).map_err(|_| StoreError::Invalid {
            entity: "cursor",
            key: i.to_string(),
            message: "is out of range".into(),
        }),
        SortValue::Text(t) => Err(StoreError::Invalid {
            entity: "cursor",
            key: t.clone(),
            message: "belongs to a list sorted differently".into(),
        }),
    }
}

fn text_key(v: &SortValue) -> Result<String, StoreError> {
    match v {
        SortValue::Text(t) => Ok(t.clone()),
        SortValue::Int(i) => Err(StoreError::Invalid {
            entity: "cursor",
            key: i.to_string(),
            message: "belongs to a list sorted differently".into(),
        }),
    }
}

/// Case-insensitive substring match of `$pat` in any of the columns.
macro_rules! search {
    ($pat:expr, $first:expr $(, $col:expr)*) => {
        lower($first).like(lower($pat.clone())).escape('\\')
            $(.or(lower($col).like(lower($pat.clone())).escape('\\')))*
    };
}

/// Restricts `$q` to the page's window of `($col, $id)` and sorts it: the
/// keyset condition `(col, id) > (value, id)` written out, because row
/// comparisons are not portable.
macro_rules! keyset {
    ($q:ident, $page:expr, $col:expr, $id:expr, $conv:ident) => {{
        let page: &PageRequest = $page;
        if let Some(s) = &page.after {
            let v = $conv(&s.value)?;
            $q = $q.filter($col.gt(v.clone()).or($col.eq(v).and($id.gt(s.id))));
        }
        if let Some(s) = &page.before {
            let v = $conv(&s.value)?;
            $q = $q.filter($col.lt(v.clone()).or($col.eq(v).and($id.lt(s.id))));
        }
        $q = if page.backward {
            $q.order(($col.desc(), $id.desc()))
        } else {
            $q.order(($col.asc(), $id.asc()))
        };
        $q = $q.limit(page.limit);
    }};
}

/// Loads `$table` rows whose `$col` is in `$ids`, chunk by chunk, ordered.
macro_rules! load_in {
    ($conn:expr, $ids:expr, $table:ident, $col:expr, $row:ty, $order:expr) => {{
        let mut out: Vec<$row> = Vec::new();
        for chunk in $ids.chunks(KEY_CHUNK) {
            out.extend(
                $table::table
                    .filter(keys_in!($col, chunk))
                    .order($order)
                    .select(<$row>::as_select())
                    .load::<$row>($conn)?,
            );
        }
        Ok(out)
    }};
}

// ---- plans ----------------------------------------------------------------

pub(super) fn plans_by_ids(conn: &mut Conn, ids: &[i32]) -> Result<Vec<rows::Plan>, StoreError> {
    load_in!(conn, ids, plans, plans::id, rows::Plan, plans::id)
}

pub(super) fn plans_by_codes(
    conn: &mut Conn,
    codes: &[String],
) -> Result<Vec<rows::Plan>, StoreError> {
    load_in!(conn, codes, plans, plans::code, rows::Plan, plans::id)
}

macro_rules! plan_filters {
    ($q:ident, $f:expr) => {{
        let f: &PlanFilter = $f;
        if let Some(y) = f.year {
            $q = $q.filter(plans::first_year.le(y).and(plans::last_year.ge(y)));
        }
        if let Some(k) = &f.kind {
            $q = $q.filter(plans::kind.eq(k.clone()));
        }
        if let Some(s) = &f.search {
            let pat = like_pattern(s);
            $q = $q.filter(
                search!(pat, plans::code, plans::title).or(lower(
                    plans::administration.assume_not_null(),
                )
                .like(lower(pat.clone()))
                .escape('\\')),
            );
        }
    }};
}

pub(super) fn plans_page(
    conn: &mut Conn,
    f: &PlanFilter,
    page: &PageRequest,
) -> Result<Vec<rows::Plan>, StoreError> {
    let mut q = plans::table.into_boxed::<Db>();
    plan_filters!(q, f);
    keyset!(q, page, plans::code, plans::id, text_key);
    Ok(q.load::<rows::Plan>(conn)?)
}

pub(super) fn plans_count(conn: &mut Conn, f: &PlanFilter) -> Result<i64, StoreError> {
    let mut q = plans::table.into_boxed::<Db>();
    plan_filters!(q, f);
    Ok(q.count().get_result(conn)?)
}

// ---- budget classification ------------------------------------------------

pub(super) fn missions_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Mission>, StoreError> {
    load_in!(
        conn,
        ids,
        missions,
        missions::id,
        rows::Mission,
        missions::id
    )
}

pub(super) fn missions_by_codes(
    conn: &mut Conn,
    codes: &[String],
) -> Result<Vec<rows::Mission>, StoreError> {
    load_in!(
        conn,
        codes,
        missions,
        missions::code,
        rows::Mission,
        missions::id
    )
}

macro_rules! mission_filters {
    ($q:ident, $f:expr) => {{
        let f: &BudgetFilter = $f;
        if let Some(c) = &f.mission_code {
            $q = $q.filter(missions::code.eq(c.clone()));
        }
        if let Some(c) = &f.program_code {
            $q = $q.filter(
                missions::id.eq_any(
                    programs::table
                        .filter(programs::code.eq(c.clone()))
                        .select(programs::mission_id),
                ),
            );
        }
        if let Some(s) = &f.search {
            let pat = like_pattern(s);
            $q = $q.filter(search!(pat, missions::code, missions::name));
        }
    }};
}

pub(super) fn missions_page(
    conn: &mut Conn,
    f: &BudgetFilter,
    page: &PageRequest,
) -> Result<Vec<rows::Mission>, StoreError> {
    let mut q = missions::table.into_boxed::<Db>();
    mission_filters!(q, f);
    keyset!(q, page, missions::sort_key, missions::id, text_key);
    Ok(q.load::<rows::Mission>(conn)?)
}

pub(super) fn missions_count(conn: &mut Conn, f: &BudgetFilter) -> Result<i64, StoreError> {
    let mut q = missions::table.into_boxed::<Db>();
    mission_filters!(q, f);
    Ok(q.count().get_result(conn)?)
}

pub(super) fn programs_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Program>, StoreError> {
    load_in!(
        conn,
        ids,
        programs,
        programs::id,
        rows::Program,
        programs::id
    )
}

pub(super) fn programs_by_codes(
    conn: &mut Conn,
    codes: &[String],
) -> Result<Vec<rows::Program>, StoreError> {
    load_in!(
        conn,
        codes,
        programs,
        programs::code,
        rows::Program,
        programs::id
    )
}

pub(super) fn programs_of_missions(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Program>, StoreError> {
    load_in!(
        conn,
        ids,
        programs,
        programs::mission_id,
        rows::Program,
        (programs::sort_key, programs::id)
    )
}

macro_rules! program_filters {
    ($q:ident, $f:expr) => {{
        let f: &BudgetFilter = $f;
        if let Some(c) = &f.mission_code {
            $q = $q.filter(
                programs::mission_id.eq_any(
                    missions::table
                        .filter(missions::code.eq(c.clone()))
                        .select(missions::id),
                ),
            );
        }
        if let Some(c) = &f.program_code {
            $q = $q.filter(programs::code.eq(c.clone()));
        }
        if let Some(s) = &f.search {
            let pat = like_pattern(s);
            $q = $q.filter(search!(pat, programs::code, programs::name));
        }
    }};
}

pub(super) fn programs_page(
    conn: &mut Conn,
    f: &BudgetFilter,
    page: &PageRequest,
) -> Result<Vec<rows::Program>, StoreError> {
    let mut q = programs::table.into_boxed::<Db>();
    program_filters!(q, f);
    keyset!(q, page, programs::sort_key, programs::id, text_key);
    Ok(q.load::<rows::Program>(conn)?)
}

pub(super) fn programs_count(conn: &mut Conn, f: &BudgetFilter) -> Result<i64, StoreError> {
    let mut q = programs::table.into_boxed::<Db>();
    program_filters!(q, f);
    Ok(q.count().get_result(conn)?)
}

pub(super) fn actions_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Action>, StoreError> {
    load_in!(conn, ids, actions, actions::id, rows::Action, actions::id)
}

pub(super) fn actions_of_programs(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Action>, StoreError> {
    load_in!(
        conn,
        ids,
        actions,
        actions::program_id,
        rows::Action,
        (actions::name, actions::id)
    )
}

macro_rules! action_filters {
    ($q:ident, $f:expr) => {{
        let f: &BudgetFilter = $f;
        if let Some(c) = &f.mission_code {
            $q = $q.filter(
                actions::program_id.eq_any(
                    programs::table
                        .inner_join(missions::table)
                        .filter(missions::code.eq(c.clone()))
                        .select(programs::id),
                ),
            );
        }
        if let Some(c) = &f.program_code {
            $q = $q.filter(
                actions::program_id.eq_any(
                    programs::table
                        .filter(programs::code.eq(c.clone()))
                        .select(programs::id),
                ),
            );
        }
        if let Some(s) = &f.search {
            let pat = like_pattern(s);
            $q = $q.filter(search!(pat, actions::name));
        }
    }};
}

pub(super) fn actions_page(
    conn: &mut Conn,
    f: &BudgetFilter,
    page: &PageRequest,
) -> Result<Vec<rows::Action>, StoreError> {
    let mut q = actions::table.into_boxed::<Db>();
    action_filters!(q, f);
    keyset!(q, page, actions::name, actions::id, text_key);
    Ok(q.load::<rows::Action>(conn)?)
}

pub(super) fn actions_count(conn: &mut Conn, f: &BudgetFilter) -> Result<i64, StoreError> {
    let mut q = actions::table.into_boxed::<Db>();
    action_filters!(q, f);
    Ok(q.count().get_result(conn)?)
}

type BudgetRow = (i32, rows::Action, rows::Program, rows::Mission);

pub(super) fn budget_of_objectives(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<BudgetRow>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        out.extend(
            objective_actions::table
                .inner_join(actions::table.inner_join(programs::table.inner_join(missions::table)))
                .filter(keys_in!(objective_actions::objective_id, chunk))
                .order((objective_actions::objective_id, objective_actions::position))
                .select((
                    objective_actions::objective_id,
                    rows::Action::as_select(),
                    rows::Program::as_select(),
                    rows::Mission::as_select(),
                ))
                .load::<BudgetRow>(conn)?,
        );
    }
    Ok(out)
}

pub(super) fn objectives_of_actions(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<(i32, rows::Objective)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        out.extend(
            objective_actions::table
                .inner_join(objectives::table)
                .filter(keys_in!(objective_actions::action_id, chunk))
                .order((objectives::plan_id, objectives::position, objectives::id))
                .select((objective_actions::action_id, rows::Objective::as_select()))
                .load::<(i32, rows::Objective)>(conn)?,
        );
    }
    Ok(out)
}

// ---- responsibility centres and offices -----------------------------------

pub(super) fn responsibility_centres_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::ResponsibilityCentre>, StoreError> {
    load_in!(
        conn,
        ids,
        responsibility_centres,
        responsibility_centres::id,
        rows::ResponsibilityCentre,
        responsibility_centres::id
    )
}

pub(super) fn responsibility_centres_of_plans(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::ResponsibilityCentre>, StoreError> {
    load_in!(
        conn,
        ids,
        responsibility_centres,
        responsibility_centres::plan_id,
        rows::ResponsibilityCentre,
        (responsibility_centres::name, responsibility_centres::id)
    )
}

/// Restricts `$q` to the parts of plans matching the filter's plan code and
/// year, through the table's `$plan_col`.
macro_rules! plan_part_filters {
    ($q:ident, $f:expr, $plan_col:expr) => {{
        let f: &PlanPartFilter = $f;
        if let Some(c) = &f.plan_code {
            $q = $q.filter(
                $plan_col.eq_any(
                    plans::table
                        .filter(plans::code.eq(c.clone()))
                        .select(plans::id),
                ),
            );
        }
        if let Some(y) = f.year {
            $q = $q.filter(
                $plan_col.eq_any(
                    plans::table
                        .filter(plans::first_year.le(y).and(plans::last_year.ge(y)))
                        .select(plans::id),
                ),
            );
        }
    }};
}

pub(super) fn responsibility_centres_page(
    conn: &mut Conn,
    f: &PlanPartFilter,
    page: &PageRequest,
) -> Result<Vec<rows::ResponsibilityCentre>, StoreError> {
    let mut q = responsibility_centres::table.into_boxed::<Db>();
    plan_part_filters!(q, f, responsibility_centres::plan_id);
    if let Some(s) = &f.search {
        let pat = like_pattern(s);
        q = q.filter(
            search!(pat, responsibility_centres::name).or(lower(
                responsibility_centres::head.assume_not_null(),
            )
            .like(lower(pat.clone()))
            .escape('\\')),
        );
    }
    keyset!(
        q,
        page,
        responsibility_centres::name,
        responsibility_centres::id,
        text_key
    );
    Ok(q.load::<rows::ResponsibilityCentre>(conn)?)
}

pub(super) fn responsibility_centres_count(
    conn: &mut Conn,
    f: &PlanPartFilter,
) -> Result<i64, StoreError> {
    let mut q = responsibility_centres::table.into_boxed::<Db>();
    plan_part_filters!(q, f, responsibility_centres::plan_id);
    if let Some(s) = &f.search {
        let pat = like_pattern(s);
        q = q.filter(
            search!(pat, responsibility_centres::name).or(lower(
                responsibility_centres::head.assume_not_null(),
            )
            .like(lower(pat.clone()))
            .escape('\\')),
        );
    }
    Ok(q.count().get_result(conn)?)
}

pub(super) fn offices_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Office>, StoreError> {
    load_in!(conn, ids, offices, offices::id, rows::Office, offices::id)
}

pub(super) fn offices_of_centres(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Office>, StoreError> {
    load_in!(
        conn,
        ids,
        offices,
        offices::responsibility_centre_id,
        rows::Office,
        (offices::name, offices::id)
    )
}

pub(super) fn offices_of_objectives(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<(i32, rows::Office)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        out.extend(
            objective_offices::table
                .inner_join(offices::table)
                .filter(keys_in!(objective_offices::objective_id, chunk))
                .order((objective_offices::objective_id, objective_offices::position))
                .select((objective_offices::objective_id, rows::Office::as_select()))
                .load::<(i32, rows::Office)>(conn)?,
        );
    }
    Ok(out)
}

pub(super) fn objectives_of_offices(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<(i32, rows::Objective)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        out.extend(
            objective_offices::table
                .inner_join(objectives::table)
                .filter(keys_in!(objective_offices::office_id, chunk))
                .order((objectives::plan_id, objectives::position, objectives::id))
                .select((objective_offices::office_id, rows::Objective::as_select()))
                .load::<(i32, rows::Objective)>(conn)?,
        );
    }
    Ok(out)
}

// ---- strategic and annual objectives --------------------------------------

pub(super) fn strategic_objectives_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::StrategicObjective>, StoreError> {
    load_in!(
        conn,
        ids,
        strategic_objectives,
        strategic_objectives::id,
        rows::StrategicObjective,
        strategic_objectives::id
    )
}

pub(super) fn strategic_objectives_of_plans(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::StrategicObjective>, StoreError> {
    load_in!(
        conn,
        ids,
        strategic_objectives,
        strategic_objectives::plan_id,
        rows::StrategicObjective,
        (strategic_objectives::code, strategic_objectives::id)
    )
}

pub(super) fn strategic_objectives_page(
    conn: &mut Conn,
    f: &PlanPartFilter,
    page: &PageRequest,
) -> Result<Vec<rows::StrategicObjective>, StoreError> {
    let mut q = strategic_objectives::table.into_boxed::<Db>();
    plan_part_filters!(q, f, strategic_objectives::plan_id);
    if let Some(s) = &f.search {
        let pat = like_pattern(s);
        q = q.filter(search!(
            pat,
            strategic_objectives::code,
            strategic_objectives::title
        ));
    }
    keyset!(
        q,
        page,
        strategic_objectives::code,
        strategic_objectives::id,
        text_key
    );
    Ok(q.load::<rows::StrategicObjective>(conn)?)
}

pub(super) fn strategic_objectives_count(
    conn: &mut Conn,
    f: &PlanPartFilter,
) -> Result<i64, StoreError> {
    let mut q = strategic_objectives::table.into_boxed::<Db>();
    plan_part_filters!(q, f, strategic_objectives::plan_id);
    if let Some(s) = &f.search {
        let pat = like_pattern(s);
        q = q.filter(search!(
            pat,
            strategic_objectives::code,
            strategic_objectives::title
        ));
    }
    Ok(q.count().get_result(conn)?)
}

pub(super) fn strategic_objectives_of_objectives(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<(i32, rows::StrategicObjective)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        out.extend(
            objective_strategic_objectives::table
                .inner_join(strategic_objectives::table)
                .filter(keys_in!(objective_strategic_objectives::objective_id, chunk))
                .order((
                    objective_strategic_objectives::objective_id,
                    objective_strategic_objectives::position,
                ))
                .select((
                    objective_strategic_objectives::objective_id,
                    rows::StrategicObjective::as_select(),
                ))
                .load::<(i32, rows::StrategicObjective)>(conn)?,
        );
    }
    Ok(out)
}

pub(super) fn objectives_of_strategic_objectives(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<(i32, rows::Objective)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        out.extend(
            objective_strategic_objectives::table
                .inner_join(objectives::table)
                .filter(keys_in!(objective_strategic_objectives::strategic_objective_id, chunk))
                .order((objectives::position, objectives::id))
                .select((
                    objective_strategic_objectives::strategic_objective_id,
                    rows::Objective::as_select(),
                ))
                .load::<(i32, rows::Objective)>(conn)?,
        );
    }
    Ok(out)
}

pub(super) fn annual_objectives_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::AnnualObjective>, StoreError> {
    load_in!(
        conn,
        ids,
        annual_objectives,
        annual_objectives::id,
        rows::AnnualObjective,
        annual_objectives::id
    )
}

pub(super) fn annual_objectives_of_plans(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::AnnualObjective>, StoreError> {
    load_in!(
        conn,
        ids,
        annual_objectives,
        annual_objectives::plan_id,
        rows::AnnualObjective,
        (annual_objectives::code, annual_objectives::id)
    )
}

pub(super) fn annual_objectives_of_strategic(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::AnnualObjective>, StoreError> {
    let mut out: Vec<rows::AnnualObjective> = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        out.extend(
            annual_objectives::table
                .filter(keys_in!(annual_objectives::strategic_objective_id, chunk))
                .order((annual_objectives::code, annual_objectives::id))
                .select(rows::AnnualObjective::as_select())
                .load::<rows::AnnualObjective>(conn)?,
        );
    }
    Ok(out)
}

pub(super) fn annual_objectives_page(
    conn: &mut Conn,
    f: &PlanPartFilter,
    page: &PageRequest,
) -> Result<Vec<rows::AnnualObjective>, StoreError> {
    let mut q = annual_objectives::table.into_boxed::<Db>();
    plan_part_filters!(q, f, annual_objectives::plan_id);
    if let Some(s) = &f.search {
        let pat = like_pattern(s);
        q = q.filter(search!(
            pat,
            annual_objectives::code,
            annual_objectives::title
        ));
    }
    keyset!(
        q,
        page,
        annual_objectives::code,
        annual_objectives::id,
        text_key
    );
    Ok(q.load::<rows::AnnualObjective>(conn)?)
}

pub(super) fn annual_objectives_count(
    conn: &mut Conn,
    f: &PlanPartFilter,
) -> Result<i64, StoreError> {
    let mut q = annual_objectives::table.into_boxed::<Db>();
    plan_part_filters!(q, f, annual_objectives::plan_id);
    if let Some(s) = &f.search {
        let pat = like_pattern(s);
        q = q.filter(search!(
            pat,
            annual_objectives::code,
            annual_objectives::title
        ));
    }
    Ok(q.count().get_result(conn)?)
}

pub(super) fn annual_objectives_of_objectives(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<(i32, rows::AnnualObjective)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        out.extend(
            objective_annual_objectives::table
                .inner_join(annual_objectives::table)
                .filter(keys_in!(objective_annual_objectives::objective_id, chunk))
                .order((
                    objective_annual_objectives::objective_id,
                    objective_annual_objectives::position,
                ))
                .select((
                    objective_annual_objectives::objective_id,
                    rows::AnnualObjective::as_select(),
                ))
                .load::<(i32, rows::AnnualObjective)>(conn)?,
        );
    }
    Ok(out)
}

pub(super) fn objectives_of_annual_objectives(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<(i32, rows::Objective)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        out.extend(
            objective_annual_objectives::table
                .inner_join(objectives::table)
                .filter(keys_in!(objective_annual_objectives::annual_objective_id, chunk))
                .order((objectives::position, objectives::id))
                .select((
                    objective_annual_objectives::annual_objective_id,
                    rows::Objective::as_select(),
                ))
                .load::<(i32, rows::Objective)>(conn)?,
        );
    }
    Ok(out)
}

// ---- objectives -----------------------------------------------------------

pub(super) fn objectives_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Objective>, StoreError> {
    load_in!(
        conn,
        ids,
        objectives,
        objectives::id,
        rows::Objective,
        objectives::id
    )
}

pub(super) fn objectives_by_codes(
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
        if let Some(s) = &f.search {
            let pat = like_pattern(s);
            $q = $q.filter(search!(
                pat,
                objectives::code,
                objectives::title,
                objectives::description
            ));
        }
    }};
}

fn objectives_query<'a>(f: &'a ObjectiveFilter) -> objectives::BoxedQuery<'a, Db> {
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

pub(super) fn objectives_page(
    conn: &mut Conn,
    f: &ObjectiveFilter,
    sort: ObjectiveSort,
    page: &PageRequest,
) -> Result<Vec<rows::Objective>, StoreError> {
    let mut q = objectives_query(f);
    objective_sort!(q, sort, page);
    Ok(q.load::<rows::Objective>(conn)?)
}

pub(super) fn objectives_count(conn: &mut Conn, f: &ObjectiveFilter) -> Result<i64, StoreError> {
    Ok(objectives_query(f).count().get_result(conn)?)
}

fn parent_of(parent: ObjectiveParent, o: &rows::Objective) -> i32 {
    match parent {
        ObjectiveParent::Plan => o.plan_id,
        ObjectiveParent::ResponsibilityCentre => o.responsibility_centre_id,
    }
}

pub(super) fn objectives_pages_of(
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

pub(super) fn objectives_counts_of(
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

// ---- indicators, targets, phases, measurements ----------------------------

pub(super) fn indicators_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Indicator>, StoreError> {
    load_in!(
        conn,
        ids,
        indicators,
        indicators::id,
        rows::Indicator,
        indicators::id
    )
}

pub(super) fn indicators_of_objectives(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Indicator>, StoreError> {
    load_in!(
        conn,
        ids,
        indicators,
        indicators::objective_id,
        rows::Indicator,
        (
            indicators::objective_id,
            indicators::position,
            indicators::id
        )
    )
}

pub(super) fn indicators_by_codes(
    conn: &mut Conn,
    keys: &[(String, String, String)],
) -> Result<Vec<(String, String, rows::Indicator)>, StoreError> {
    let mut out = Vec::new();
    for chunk in keys.chunks(KEY_CHUNK / 3) {
        let pc: Vec<&String> = chunk.iter().map(|k| &k.0).collect();
        let oc: Vec<&String> = chunk.iter().map(|k| &k.1).collect();
        let ic: Vec<&String> = chunk.iter().map(|k| &k.2).collect();
        let found = indicators::table
            .inner_join(objectives::table.inner_join(plans::table))
            .filter(keys_in!(plans::code, pc))
            .filter(keys_in!(objectives::code, oc))
            .filter(keys_in!(indicators::code, ic))
            .select((plans::code, objectives::code, rows::Indicator::as_select()))
            .load::<(String, String, rows::Indicator)>(conn)?;
        out.extend(found.into_iter().filter(|(p, o, i)| {
            keys.iter()
                .any(|(kp, ko, ki)| kp == p && ko == o && *ki == i.code)
        }));
    }
    Ok(out)
}

macro_rules! indicator_filters {
    ($q:ident, $f:expr) => {{
        let f: &IndicatorFilter = $f;
        if f.objective != ObjectiveFilter::default() {
            $q = $q.filter(
                indicators::objective_id
                    .eq_any(objectives_query(&f.objective).select(objectives::id)),
            );
        }
        if let Some(ids) = &f.objective_ids {
            $q = $q.filter(indicators::objective_id.eq_any(ids.clone()));
        }
        if let Some(u) = &f.unit {
            $q = $q.filter(indicators::unit.eq(u.clone()));
        }
        if let Some(k) = &f.kind {
            $q = $q.filter(lower(indicators::kind).eq(lower(k.clone())));
        }
        if let Some(d) = &f.direction {
            $q = $q.filter(indicators::direction.eq(d.clone()));
        }
        if let Some(s) = &f.search {
            let pat = like_pattern(s);
            $q = $q.filter(search!(
                pat,
                indicators::code,
                indicators::description,
                indicators::method
            ));
        }
    }};
}

pub(super) fn indicators_page(
    conn: &mut Conn,
    f: &IndicatorFilter,
    sort: IndicatorSort,
    page: &PageRequest,
) -> Result<Vec<rows::Indicator>, StoreError> {
    let mut q = indicators::table.into_boxed::<Db>();
    indicator_filters!(q, f);
    match sort {
        IndicatorSort::Position => keyset!(q, page, indicators::position, indicators::id, int_key),
        IndicatorSort::Code => keyset!(q, page, indicators::code, indicators::id, text_key),
    }
    Ok(q.load::<rows::Indicator>(conn)?)
}

pub(super) fn indicators_count(conn: &mut Conn, f: &IndicatorFilter) -> Result<i64, StoreError> {
    let mut q = indicators::table.into_boxed::<Db>();
    indicator_filters!(q, f);
    Ok(q.count().get_result(conn)?)
}

pub(super) fn objective_ids_of_indicators(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<(i32, i32)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        out.extend(
            indicators::table
                .filter(keys_in!(indicators::id, chunk))
                .select((indicators::id, indicators::objective_id))
                .load::<(i32, i32)>(conn)?,
        );
    }
    Ok(out)
}

pub(super) fn targets_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Target>, StoreError> {
    load_in!(conn, ids, targets, targets::id, rows::Target, targets::id)
}

pub(super) fn targets_of_indicators(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Target>, StoreError> {
    load_in!(
        conn,
        ids,
        targets,
        targets::indicator_id,
        rows::Target,
        (targets::indicator_id, targets::year)
    )
}

pub(super) fn phases_by_ids(conn: &mut Conn, ids: &[i32]) -> Result<Vec<rows::Phase>, StoreError> {
    load_in!(conn, ids, phases, phases::id, rows::Phase, phases::id)
}

pub(super) fn phases_of_objectives(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Phase>, StoreError> {
    load_in!(
        conn,
        ids,
        phases,
        phases::objective_id,
        rows::Phase,
        (phases::objective_id, phases::position, phases::id)
    )
}

pub(super) fn measurements_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Measurement>, StoreError> {
    load_in!(
        conn,
        ids,
        measurements,
        measurements::id,
        rows::Measurement,
        measurements::id
    )
}

pub(super) fn measurements_of_indicators(
    conn: &mut Conn,
    ids: &[i32],
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Result<Vec<rows::Measurement>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        let mut q = measurements::table
            .filter(keys_in!(measurements::indicator_id, chunk))
            .into_boxed::<Db>();
        if let Some(from) = from {
            q = q.filter(measurements::period_start.ge(from));
        }
        if let Some(to) = to {
            q = q.filter(measurements::period_end.le(to));
        }
        out.extend(
            q.order((
                measurements::indicator_id,
                measurements::period_start,
                measurements::period_end,
                measurements::id,
            ))
            .load::<rows::Measurement>(conn)?,
        );
    }
    Ok(out)
}

pub(super) fn latest_measurements(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Measurement>, StoreError> {
    let later = diesel::alias!(crate::schema::measurements as later);
    let mut out = Vec::new();
    for chunk in ids.chunks(KEY_CHUNK) {
        // The rows of each indicator's latest period end, found in one
        // statement (ties are settled below). Driven by the indicators:
        // one index probe for the latest end and one for its rows per
        // indicator, instead of a probe per measurement of the indicators
        // (`NOT EXISTS` a later row), which cost 3× as much at 12
        // measurements per indicator.
        let rows: Vec<rows::Measurement> = indicators::table
            .inner_join(measurements::table)
            .filter(keys_in!(indicators::id, chunk))
            .filter(
                measurements::period_end.nullable().eq(later
                    .filter(later.field(measurements::indicator_id).eq(indicators::id))
                    .select(diesel::dsl::max(later.field(measurements::period_end)))
                    .single_value()),
            )
            .select(rows::Measurement::as_select())
            .load(conn)?;
        let mut best: HashMap<i32, rows::Measurement> = HashMap::new();
        for m in rows {
            match best.get(&m.indicator_id) {
                // The shortest period (the latest start) is the most recent
                // information; then the latest recorded.
                Some(b)
                    if (b.period_start, b.recorded_at, b.id)
                        >= (m.period_start, m.recorded_at, m.id) => {}
                _ => {
                    best.insert(m.indicator_id, m);
                }
            }
        }
        out.extend(best.into_values());
    }
    Ok(out)
}

// ---- areas, ambiti, results -----------------------------------------------

pub(super) fn areas_by_ids(conn: &mut Conn, ids: &[i32]) -> Result<Vec<rows::Area>, StoreError> {
    load_in!(conn, ids, areas, areas::id, rows::Area, areas::id)
}

pub(super) fn areas_of_plans(conn: &mut Conn, ids: &[i32]) -> Result<Vec<rows::Area>, StoreError> {
    load_in!(
        conn,
        ids,
        areas,
        areas::plan_id,
        rows::Area,
        (areas::plan_id, areas::position)
    )
}

macro_rules! area_filters {
    ($q:ident, $f:expr) => {{
        let f: &PlanPartFilter = $f;
        plan_part_filters!($q, f, areas::plan_id);
        if let Some(s) = &f.search {
            let pat = like_pattern(s);
            $q = $q.filter(
                search!(pat, areas::introduction)
                    .or(lower(areas::name.assume_not_null())
                        .like(lower(pat.clone()))
                        .escape('\\'))
                    .or(lower(areas::subtitle.assume_not_null())
                        .like(lower(pat.clone()))
                        .escape('\\')),
            );
        }
    }};
}

pub(super) fn areas_page(
    conn: &mut Conn,
    f: &PlanPartFilter,
    page: &PageRequest,
) -> Result<Vec<rows::Area>, StoreError> {
    let mut q = areas::table.into_boxed::<Db>();
    area_filters!(q, f);
    keyset!(q, page, areas::position, areas::id, int_key);
    Ok(q.load::<rows::Area>(conn)?)
}

pub(super) fn areas_count(conn: &mut Conn, f: &PlanPartFilter) -> Result<i64, StoreError> {
    let mut q = areas::table.into_boxed::<Db>();
    area_filters!(q, f);
    Ok(q.count().get_result(conn)?)
}

pub(super) fn ambiti_by_ids(conn: &mut Conn, ids: &[i32]) -> Result<Vec<rows::Ambito>, StoreError> {
    load_in!(conn, ids, ambiti, ambiti::id, rows::Ambito, ambiti::id)
}

pub(super) fn ambiti_of_areas(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Ambito>, StoreError> {
    load_in!(
        conn,
        ids,
        ambiti,
        ambiti::area_id,
        rows::Ambito,
        (ambiti::area_id, ambiti::position)
    )
}

macro_rules! ambito_filters {
    ($q:ident, $f:expr) => {{
        let f: &PlanPartFilter = $f;
        if f.plan_code.is_some() || f.year.is_some() {
            let mut areas_q = areas::table.select(areas::id).into_boxed::<Db>();
            plan_part_filters!(areas_q, f, areas::plan_id);
            $q = $q.filter(ambiti::area_id.eq_any(areas_q));
        }
        if let Some(s) = &f.search {
            let pat = like_pattern(s);
            $q = $q.filter(search!(pat, ambiti::name, ambiti::objective));
        }
    }};
}

pub(super) fn ambiti_page(
    conn: &mut Conn,
    f: &PlanPartFilter,
    page: &PageRequest,
) -> Result<Vec<rows::Ambito>, StoreError> {
    let mut q = ambiti::table.into_boxed::<Db>();
    ambito_filters!(q, f);
    keyset!(q, page, ambiti::name, ambiti::id, text_key);
    Ok(q.load::<rows::Ambito>(conn)?)
}

pub(super) fn ambiti_count(conn: &mut Conn, f: &PlanPartFilter) -> Result<i64, StoreError> {
    let mut q = ambiti::table.into_boxed::<Db>();
    ambito_filters!(q, f);
    Ok(q.count().get_result(conn)?)
}

pub(super) fn ambito_results_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::AmbitoResult>, StoreError> {
    load_in!(
        conn,
        ids,
        ambito_results,
        ambito_results::id,
        rows::AmbitoResult,
        ambito_results::id
    )
}

pub(super) fn results_of_ambiti(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::AmbitoResult>, StoreError> {
    load_in!(
        conn,
        ids,
        ambito_results,
        ambito_results::ambito_id,
        rows::AmbitoResult,
        (ambito_results::ambito_id, ambito_results::position)
    )
}

// ---- findings -------------------------------------------------------------

pub(super) fn findings_by_ids(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Finding>, StoreError> {
    load_in!(
        conn,
        ids,
        findings,
        findings::id,
        rows::Finding,
        findings::id
    )
}

pub(super) fn findings_of_plans(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<Vec<rows::Finding>, StoreError> {
    load_in!(
        conn,
        ids,
        findings,
        findings::plan_id,
        rows::Finding,
        (findings::plan_id, findings::position)
    )
}

pub(super) fn sources_about(
    conn: &mut Conn,
    keys: &[(i32, String, String)],
) -> Result<Vec<rows::SourceLocation>, StoreError> {
    let mut out = Vec::new();
    for chunk in keys.chunks(KEY_CHUNK / 2) {
        let plan_ids: Vec<i32> = chunk.iter().map(|k| k.0).collect();
        let codes: Vec<&String> = chunk.iter().map(|k| &k.2).collect();
        let found = source_locations::table
            .filter(source_locations::plan_id.eq_any(plan_ids))
            .filter(source_locations::entity_code.eq_any(codes))
            .order((source_locations::plan_id, source_locations::position))
            .select(rows::SourceLocation::as_select())
            .load::<rows::SourceLocation>(conn)?;
        out.extend(found.into_iter().filter(|s| {
            keys.iter()
                .any(|(p, e, c)| *p == s.plan_id && *e == s.entity && *c == s.entity_code)
        }));
    }
    Ok(out)
}

pub(super) fn findings_about(
    conn: &mut Conn,
    keys: &[(i32, String, String)],
) -> Result<Vec<rows::Finding>, StoreError> {
    let mut out = Vec::new();
    for chunk in keys.chunks(KEY_CHUNK / 2) {
        let plan_ids: Vec<i32> = chunk.iter().map(|k| k.0).collect();
        let codes: Vec<&String> = chunk.iter().map(|k| &k.2).collect();
        let found = findings::table
            .filter(findings::plan_id.eq_any(plan_ids))
            .filter(findings::entity_code.eq_any(codes))
            .order((findings::plan_id, findings::position))
            .select(rows::Finding::as_select())
            .load::<rows::Finding>(conn)?;
        out.extend(found.into_iter().filter(|f| {
            keys.iter()
                .any(|(p, e, c)| *p == f.plan_id && *e == f.entity && *c == f.entity_code)
        }));
    }
    Ok(out)
}
