//! The one writer of every table: each table's `INSERT`, `UPDATE` and
//! `DELETE` statements stand in exactly one module below, and the document
//! import (`store/`), the GraphQL mutations (`graph/`) and the calculations
//! (`calc/`) call those functions instead of writing statements of their
//! own. A table's rules (how its sort key is derived, how a period becomes
//! its bounds, how many rows go in one statement) therefore live once.
//! `schema/tests/one_writer_per_table.rs` fails when a statement writes a
//! table outside its module.
//!
//! | module | tables |
//! | --- | --- |
//! | `plan` | `plans` |
//! | `budget` | `missions`, `programs`, `actions` |
//! | `centre` | `responsibility_centres`, `offices` |
//! | `objective` | `objectives`, `strategic_objectives`, `annual_objectives` and the four link tables `objective_offices`, `objective_strategic_objectives`, `objective_annual_objectives`, `objective_actions` |
//! | `indicator` | `indicators` |
//! | `target` | `targets` |
//! | `phase` | `phases`, `phase_progress` |
//! | `area` | `areas`, `ambiti`, `ambito_results` |
//! | `measurement` | `measurements` |
//! | `finding` | `findings` |
//! | `source_location` | `source_locations` |
//! | `value` | `indicator_values` |
//! | `payment` | `payments` |
//!
//! The other tables already have one writer each, next to what they serve:
//! `api_tokens` (`tokens.rs`), `changes` (`changes.rs`), `data_version`
//! (`tx.rs`) and `trusted_documents` (`documents.rs`).
//!
//! Writers take `&mut Conn` and the rows (or the changes) to write. Tables
//! whose rows the import writes in bulk take a slice (one row from a
//! mutation, a whole list from the import) and write it in statements of
//! at most [`INSERT_CHUNK`] rows; tables whose callers need each new row's id at
//! once (plans, the budget classification, centres and offices, strategic
//! and annual objectives, areas and ambiti) insert one row and return it.
//! Writers return `diesel::QueryResult`; checks that need the caller's
//! terms (which input field is wrong, which version was expected) stay
//! with the caller.
//!
//! Each module also holds its tables' reads: the batched loads by key,
//! the filtered keyset pages and counts behind the GraphQL API, next to the
//! writes of the same rows.
//!
//! # How the modules are compiled, and what they may rely on
//!
//! This module and its children are query modules of the backend seam
//! ([`crate::backend`]): compiled once inside `backend::sqlite` and once
//! inside `backend::pg`. The contract between an entity file and the
//! backend it is compiled for:
//!
//! - the backend module provides `Conn` and `Db` (re-exported here) and the
//!   `keys_in!` macro, and nothing else;
//! - this module provides, for both backends, [`INSERT_CHUNK`], [`changed`]
//!   (an `UPDATE` with nothing to set changes nothing), the read helpers of
//!   [`read`], and the macros `insert_chunks!` (the chunked multi-row
//!   insert), `upsert!` (a multi-row insert that updates the rows already
//!   stored), `versioned_writes!` (replacing and changing a row of a versioned
//!   table, with the optimistic version check), `row_writes!` (the plain
//!   insert, update and delete of one row, from a line of data each), `delete_by_ids!` (chunked deletion by id), `search!`,
//!   `keyset!`, `load_in!`, `load_by!`, `load_linked!`, `page_and_count!`,
//!   `plan_part_list!` and `plan_part_filters!` (the shapes every list
//!   read shares); they expect `Conn` and `diesel::prelude::*` in scope;
//! - an entity file names everything else by its crate path (`crate::rows`,
//!   `crate::schema`, …), so a file compiles the same in either backend.

use diesel::QueryResult;

/// Largest number of rows in one multi-row insert, well below the bind
/// parameter limits of both backends (SQLite 32,766; Postgres 65,535).
pub(crate) const INSERT_CHUNK: usize = 500;

/// Inserts the slice `$rows` into `$table`, [`INSERT_CHUNK`] rows per
/// statement: one batch insert per chunk, never a loop of single-row
/// inserts (the import of a large plan depends on it). A macro rather than a generic function:
/// Diesel's bounds for a batch insert do not resolve over a generic row
/// type.
macro_rules! insert_chunks {
    ($table:expr, $rows:expr, $conn:expr) => {{
        for chunk in $rows.chunks(super::INSERT_CHUNK) {
            diesel::insert_into($table).values(chunk).execute($conn)?;
        }
        Ok(())
    }};
}

/// Inserts `$rows` into `$table` in one statement, and where a row of the
/// same `$key`s is already stored, overwrites its `$col`s with the new
/// row's values (`ON CONFLICT … DO UPDATE SET col = excluded.col`).
macro_rules! upsert {
    ($table:ident, $rows:expr, $conn:expr, ($($key:ident),+), [$($col:ident),+ $(,)?]) => {{
        diesel::insert_into($table::table)
            .values($rows)
            .on_conflict(($($table::$key),+))
            .do_update()
            .set(($($table::$col.eq(diesel::upsert::excluded($table::$col)),)+))
            .execute($conn)
    }};
}

/// The number of rows an `UPDATE` changed, 0 when there was no column to
/// set: Diesel refuses to build an `UPDATE` without one
/// (`EmptyChangeset`), and a change that leaves every field as it is
/// changes nothing. Writers take their changes as a changeset of optional
/// fields and let this decide, so no list of "is anything set" checks has
/// to follow the fields.
pub(crate) fn changed(result: QueryResult<usize>) -> QueryResult<usize> {
    match result {
        Err(diesel::result::Error::QueryBuilderError(e))
            if e.is::<diesel::result::EmptyChangeset>() =>
        {
            Ok(0)
        }
        other => other,
    }
}

/// Declares, in the module of a versioned table whose rows are written as
/// `$new` and changed as `$changes`: `replace` (overwrites every column of
/// row `id` with a `$new`, a re-import, and increments its version),
/// `update` (applies a `$changes`; the version is the caller's, through
/// `bump_version`; nothing when no field changes), `bump_version`
/// (increments the version of row `id` if it still is `expected`: `UPDATE
/// … SET version = version + 1 WHERE id = ? AND version = ?`; false when no
/// row was updated, because the row is gone or another writer changed it)
/// and `version` (the current version, `None` when the row is gone).
macro_rules! versioned_writes {
    ($table:ident, $new:ty, $changes:ty) => {
        pub(crate) fn replace(conn: &mut Conn, id: i32, row: &$new) -> QueryResult<usize> {
            diesel::update($table::table.find(id))
                .set((row, $table::version.eq($table::version + 1)))
                .execute(conn)
        }

        pub(crate) fn update(conn: &mut Conn, id: i32, changes: &$changes) -> QueryResult<usize> {
            changed(
                diesel::update($table::table.find(id))
                    .set(changes)
                    .execute(conn),
            )
        }

        pub(crate) fn bump_version(conn: &mut Conn, id: i32, expected: i32) -> QueryResult<bool> {
            let updated = diesel::update(
                $table::table
                    .filter($table::id.eq(id))
                    .filter($table::version.eq(expected)),
            )
            .set($table::version.eq($table::version + 1))
            .execute(conn)?;
            Ok(updated > 0)
        }

        pub(crate) fn version(conn: &mut Conn, id: i32) -> QueryResult<Option<i32>> {
            $table::table
                .find(id)
                .select($table::version)
                .first(conn)
                .optional()
        }
    };
}

/// Declares, in the module of a table, `delete(conn, ids)`: deletes the
/// rows (and, by the foreign keys, what they hold), [`INSERT_CHUNK`] ids per
/// statement, and returns how many were deleted.
macro_rules! delete_by_ids {
    ($table:ident) => {
        pub(crate) fn delete(conn: &mut Conn, ids: &[i32]) -> QueryResult<usize> {
            let mut deleted = 0;
            for chunk in ids.chunks(super::INSERT_CHUNK) {
                deleted +=
                    diesel::delete($table::table.filter($table::id.eq_any(chunk))).execute(conn)?;
            }
            Ok(deleted)
        }
    };
}

/// Declares the plain writes of one row of a table, each from a line of
/// data, in the table's module:
/// - `insert name(column: Type, …) -> Row;` inserts a row with those
///   columns (the others take their defaults) and returns it;
/// - `update name(column: Type, …);` takes each column as an `Option` of
///   its type (`None` keeps it; a nullable column's type is an `Option`
///   itself, so `Some(None)` clears it), changes the given ones of row `id`
///   in one statement and returns how many rows changed (0 for none given,
///   [`changed`]);
/// - `delete name;` deletes row `id`, returning how many rows went.
///
/// Writes with more to them (derived columns, versions, links) are written
/// out beside these.
macro_rules! row_writes {
    ($table:ident { $($kind:ident $name:ident $(($($col:ident: $ty:ty),* $(,)?))? $(-> $row:ty)?;)* }) => {
        $(row_writes!(@ $kind $table $name $(($($col: $ty),*))? $(-> $row)?);)*
    };
    (@ insert $table:ident $name:ident ($($col:ident: $ty:ty),*) -> $row:ty) => {
        pub(crate) fn $name(conn: &mut Conn, $($col: $ty),*) -> QueryResult<$row> {
            diesel::insert_into($table::table)
                .values(($($table::$col.eq($col),)*))
                .returning(<$row>::as_returning())
                .get_result(conn)
        }
    };
    (@ update $table:ident $name:ident ($($col:ident: $ty:ty),*)) => {
        pub(crate) fn $name(conn: &mut Conn, id: i32, $($col: Option<$ty>),*) -> QueryResult<usize> {
            changed(
                diesel::update($table::table.find(id))
                    .set(($($col.map(|v| $table::$col.eq(v)),)*))
                    .execute(conn),
            )
        }
    };
    (@ delete $table:ident $name:ident) => {
        pub(crate) fn $name(conn: &mut Conn, id: i32) -> QueryResult<usize> {
            diesel::delete($table::table.find(id)).execute(conn)
        }
    };
}

/// Restricts `$q`, when the filter has a `$search` text, to the rows that
/// hold it (case-insensitive, as a substring) in any of the columns.
macro_rules! search {
    ($q:ident, $search:expr, $first:expr $(, $col:expr)*) => {
        if let Some(s) = &$search {
            let pat = like_pattern(s);
            $q = $q.filter(
                lower($first).like(lower(pat.clone())).escape('\\')
                    $(.or(lower($col).like(lower(pat.clone())).escape('\\')))*,
            );
        }
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

/// Declares `$name(conn, keys)`: the `$table` rows whose `$col` is one of
/// `keys`, through [`load_in!`], ordered by `$order`.
macro_rules! load_by {
    ($name:ident, $key:ty, $table:ident, $col:expr, $row:ty, $order:expr) => {
        pub(crate) fn $name(conn: &mut Conn, keys: &[$key]) -> Result<Vec<$row>, StoreError> {
            load_in!(conn, keys, $table, $col, $row, $order)
        }
    };
}

/// Declares `$name(conn, ids)`: the `$row`s joined to the link table
/// `$link` (through `$join`) whose `$key` is one of `ids`, each with that
/// key, ordered by `$order`, chunk by chunk.
macro_rules! load_linked {
    ($name:ident, $link:ident, $key:ident, $join:expr, $row:ty, $order:expr) => {
        pub(crate) fn $name(conn: &mut Conn, ids: &[i32]) -> Result<Vec<(i32, $row)>, StoreError> {
            let mut out = Vec::new();
            for chunk in ids.chunks(KEY_CHUNK) {
                out.extend(
                    $link::table
                        .inner_join($join)
                        .filter(keys_in!($link::$key, chunk))
                        .order($order)
                        .select(($link::$key, <$row>::as_select()))
                        .load::<(i32, $row)>(conn)?,
                );
            }
            Ok(out)
        }
    };
}

/// Declares `$name(conn, keys)`: the rows of `$table` (findings, source
/// locations) about the objects `(plan id, entity, entity code)` of
/// `keys`, in plan order. One statement per chunk selects by plan and code;
/// the exact triples are kept here.
macro_rules! load_about {
    ($name:ident, $table:ident, $row:ty) => {
        pub(crate) fn $name(
            conn: &mut Conn,
            keys: &[(i32, String, String)],
        ) -> Result<Vec<$row>, StoreError> {
            let mut out = Vec::new();
            for chunk in keys.chunks(KEY_CHUNK / 2) {
                let plan_ids: Vec<i32> = chunk.iter().map(|k| k.0).collect();
                let codes: Vec<&String> = chunk.iter().map(|k| &k.2).collect();
                let found = $table::table
                    .filter($table::plan_id.eq_any(plan_ids))
                    .filter($table::entity_code.eq_any(codes))
                    .order(($table::plan_id, $table::position))
                    .select(<$row>::as_select())
                    .load::<$row>(conn)?;
                out.extend(found.into_iter().filter(|r| {
                    keys.iter()
                        .any(|(p, e, c)| *p == r.plan_id && *e == r.entity && *c == r.entity_code)
                }));
            }
            Ok(out)
        }
    };
}

/// Declares the keyset page `$page(conn, filter, page)` and the count
/// `$count(conn, filter)` of `$table`, both restricted by the filter macro
/// `$filters` (`$filters!(q, f)`), so a list and its total never disagree;
/// the page is sorted by `($sort, id)`, cursor values read by `$conv`.
macro_rules! page_and_count {
    (
        $page:ident, $count:ident, $table:ident, $row:ty,
        $filter:ty, $filters:ident, $sort:expr, $conv:ident
    ) => {
        pub(crate) fn $page(
            conn: &mut Conn,
            f: &$filter,
            page: &PageRequest,
        ) -> Result<Vec<$row>, StoreError> {
            let mut q = $table::table.into_boxed::<Db>();
            $filters!(q, f);
            keyset!(q, page, $sort, $table::id, $conv);
            Ok(q.load::<$row>(conn)?)
        }

        pub(crate) fn $count(conn: &mut Conn, f: &$filter) -> Result<i64, StoreError> {
            let mut q = $table::table.into_boxed::<Db>();
            $filters!(q, f);
            Ok(q.count().get_result(conn)?)
        }
    };
}

/// Declares, through [`page_and_count!`], the page and count of a table
/// holding parts of plans (`$table::plan_id`), filtered by a
/// `PlanPartFilter`: its plan code and year, and its search in `$col`s.
macro_rules! plan_part_list {
    ($page:ident, $count:ident, $table:ident, $row:ty, search($($col:expr),+), $sort:expr) => {
        macro_rules! part_filters {
            ($q:ident, $f:expr) => {{
                let f: &PlanPartFilter = $f;
                plan_part_filters!($q, f, $table::plan_id);
                search!($q, f.search, $($col),+);
            }};
        }
        page_and_count!($page, $count, $table, $row, PlanPartFilter, part_filters, $sort, text_key);
    };
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

pub(crate) use super::{Conn, Db};

diesel::define_sql_function! {
    /// Lower-cases text (ASCII only on SQLite, which is why both sides of a
    /// search go through it).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

pub(crate) mod read;

pub(crate) mod area;
pub(crate) mod budget;
pub(crate) mod centre;
pub(crate) mod finding;
pub(crate) mod indicator;
pub(crate) mod measurement;
pub(crate) mod objective;
pub(crate) mod payment;
pub(crate) mod phase;
pub(crate) mod plan;
pub(crate) mod source_location;
pub(crate) mod target;
pub(crate) mod value;
