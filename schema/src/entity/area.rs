//! The writer and the reads of the multi-year part of a plan: `areas`, their `ambiti`
//! and the ambiti's `ambito_results`. Compiled once per backend
//! (`entity/mod.rs`), with `Conn` from the parent.

use diesel::prelude::*;

use super::changed;
use super::Conn;
use crate::rows;
use cruscotto_model as m;
use crate::schema::{ambiti, ambito_results, areas};

row_writes!(areas {
    insert insert_area(plan_id: i32, position: i32, name: Option<&str>, subtitle: Option<&str>, introduction: &str) -> rows::Area;
    update update_area(name: Option<&str>, subtitle: Option<&str>, introduction: &str);
    delete delete_area;
});

/// Deletes the areas of plan `plan_id` with, by the foreign keys, their
/// ambiti and results (a re-import rewrites them).
pub(crate) fn delete_areas_of_plan(conn: &mut Conn, plan_id: i32) -> QueryResult<usize> {
    diesel::delete(areas::table.filter(areas::plan_id.eq(plan_id))).execute(conn)
}

row_writes!(ambiti {
    insert insert_ambito(area_id: i32, position: i32, name: &str, objective: &str) -> rows::Ambito;
    update update_ambito(name: &str, objective: &str);
    delete delete_ambito;
});

/// Inserts results, [`INSERT_CHUNK`](super::INSERT_CHUNK) per
/// statement.
pub(crate) fn insert_results(conn: &mut Conn, rows: &[rows::NewAmbitoResult]) -> QueryResult<()> {
    insert_chunks!(ambito_results::table, rows, conn)
}

row_writes!(ambito_results {
    update update_result(year: i32, kind: m::ResultKind, text: &str);
    delete delete_result;
});

// ---- reads ----------------------------------------------------------------
#[allow(unused_imports)]
use super::lower;
#[allow(unused_imports)]
use super::read::*;

load_by!(areas_by_ids, i32, areas, areas::id, rows::Area, areas::id);

load_by!(
    areas_of_plans,
    i32,
    areas,
    areas::plan_id,
    rows::Area,
    (areas::plan_id, areas::position)
);

macro_rules! area_filters {
    ($q:ident, $f:expr) => {{
        let f: &PlanPartFilter = $f;
        plan_part_filters!($q, f, areas::plan_id);
        search!($q, f.search, areas::introduction, areas::name.assume_not_null(), areas::subtitle.assume_not_null());
    }};
}

page_and_count!(
    areas_page,
    areas_count,
    areas,
    rows::Area,
    PlanPartFilter,
    area_filters,
    areas::position,
    int_key
);

load_by!(
    ambiti_by_ids,
    i32,
    ambiti,
    ambiti::id,
    rows::Ambito,
    ambiti::id
);

load_by!(
    ambiti_of_areas,
    i32,
    ambiti,
    ambiti::area_id,
    rows::Ambito,
    (ambiti::area_id, ambiti::position)
);

macro_rules! ambito_filters {
    ($q:ident, $f:expr) => {{
        let f: &PlanPartFilter = $f;
        if f.plan_code.is_some() || f.year.is_some() {
            let mut areas_q = areas::table.select(areas::id).into_boxed::<Db>();
            plan_part_filters!(areas_q, f, areas::plan_id);
            $q = $q.filter(ambiti::area_id.eq_any(areas_q));
        }
        search!($q, f.search, ambiti::name, ambiti::objective);
    }};
}

page_and_count!(
    ambiti_page,
    ambiti_count,
    ambiti,
    rows::Ambito,
    PlanPartFilter,
    ambito_filters,
    ambiti::name,
    text_key
);

load_by!(
    ambito_results_by_ids,
    i32,
    ambito_results,
    ambito_results::id,
    rows::AmbitoResult,
    ambito_results::id
);

load_by!(
    results_of_ambiti,
    i32,
    ambito_results,
    ambito_results::ambito_id,
    rows::AmbitoResult,
    (ambito_results::ambito_id, ambito_results::position)
);
