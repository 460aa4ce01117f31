//! The writer and the reads of `indicators`, including their calculator binding.
//! Compiled once per backend (`entity/mod.rs`), with `Conn` from the parent.

use diesel::prelude::*;

use super::changed;
use super::Conn;
use crate::graph::IndicatorChanges;
use crate::rows;
use crate::schema::indicators;

/// Inserts indicators, [`INSERT_CHUNK`](super::INSERT_CHUNK) per statement.
pub(crate) fn insert(conn: &mut Conn, rows: &[rows::NewIndicator]) -> QueryResult<()> {
    insert_chunks!(indicators::table, rows, conn)
}

versioned_writes!(indicators, rows::NewIndicator, IndicatorChanges);

/// Binds indicator `id` to a calculator (`params`: a JSON object as text)
/// and increments its version; with `expected`, only if the version still
/// is that. Returns how many rows changed (0: gone, or another version).
pub(crate) fn bind_calculator(
    conn: &mut Conn,
    id: i32,
    expected: Option<i32>,
    calculator_id: &str,
    params: &str,
    guessed: bool,
) -> QueryResult<usize> {
    let binding = (
        indicators::calculator_id.eq(calculator_id),
        indicators::calculator_params.eq(params),
        indicators::calculator_guessed.eq(guessed),
        indicators::version.eq(indicators::version + 1),
    );
    match expected {
        None => diesel::update(indicators::table.find(id))
            .set(binding)
            .execute(conn),
        Some(expected) => diesel::update(
            indicators::table
                .filter(indicators::id.eq(id))
                .filter(indicators::version.eq(expected)),
        )
        .set(binding)
        .execute(conn),
    }
}

delete_by_ids!(indicators);

// ---- reads ----------------------------------------------------------------
#[allow(unused_imports)]
use super::lower;
#[allow(unused_imports)]
use super::read::*;

load_by!(
    indicators_by_ids,
    i32,
    indicators,
    indicators::id,
    rows::Indicator,
    indicators::id
);

load_by!(
    indicators_of_objectives,
    i32,
    indicators,
    indicators::objective_id,
    rows::Indicator,
    (
        indicators::objective_id,
        indicators::position,
        indicators::id
    )
);

pub(crate) fn indicators_by_codes(
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
            $q =
                $q.filter(indicators::objective_id.eq_any(
                    super::objective::objectives_query(&f.objective).select(objectives::id),
                ));
        }
        if let Some(ids) = &f.objective_ids {
            $q = $q.filter(indicators::objective_id.eq_any(ids.clone()));
        }
        if let Some(u) = &f.unit {
            $q = $q.filter(indicators::unit.eq(*u));
        }
        if let Some(k) = &f.kind {
            $q = $q.filter(lower(indicators::kind).eq(lower(k.clone())));
        }
        if let Some(d) = &f.direction {
            $q = $q.filter(indicators::direction.eq(*d));
        }
        search!($q, f.search, indicators::code, indicators::description, indicators::method);
    }};
}

pub(crate) fn indicators_page(
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

pub(crate) fn indicators_count(conn: &mut Conn, f: &IndicatorFilter) -> Result<i64, StoreError> {
    let mut q = indicators::table.into_boxed::<Db>();
    indicator_filters!(q, f);
    Ok(q.count().get_result(conn)?)
}

pub(crate) fn objective_ids_of_indicators(
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
