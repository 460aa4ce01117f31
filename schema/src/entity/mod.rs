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
//! # How the modules are compiled, and what they may rely on
//!
//! Like the other stacks, every entity file is compiled once per backend:
//! `entity_modules!` declares them (by `#[path]`) inside [`sqlite`] and
//! [`pg`], and a caller reaches the copy of its own backend through the
//! alias its wrapper declares (`use crate::entity::sqlite as entity;`).
//! The contract between an entity file and the module it is compiled in:
//!
//! - the parent provides `Conn`, the backend's connection type
//!   (`diesel::SqliteConnection` or `diesel::PgConnection`), and nothing
//!   else;
//! - this module provides, for both backends, [`INSERT_CHUNK`], [`changed`]
//!   (an `UPDATE` with nothing to set changes nothing) and three
//!   macros that write a table from inside the table's own module:
//!   `insert_chunks!` (the chunked multi-row insert), `version_bump!` (the
//!   optimistic version check of a versioned table) and `delete_by_ids!`
//!   (chunked deletion by id); they expect `Conn` and `diesel::prelude::*`
//!   in scope;
//! - an entity file names everything else by its crate path (`crate::rows`,
//!   `crate::schema`, …), so a file compiles the same in either parent.

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
        for chunk in $rows.chunks(crate::entity::INSERT_CHUNK) {
            diesel::insert_into($table).values(chunk).execute($conn)?;
        }
        Ok(())
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

/// Declares, in the module of a versioned table, `bump_version` (increments
/// the version of row `id` if it still is `expected`: `UPDATE … SET version
/// = version + 1 WHERE id = ? AND version = ?`; false when no row was
/// updated, because the row is gone or another writer changed it) and
/// `version` (the current version, `None` when the row is gone).
macro_rules! version_bump {
    ($table:ident) => {
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
            for chunk in ids.chunks(crate::entity::INSERT_CHUNK) {
                deleted +=
                    diesel::delete($table::table.filter($table::id.eq_any(chunk))).execute(conn)?;
            }
            Ok(deleted)
        }
    };
}

/// Declares the entity modules in the module it is expanded in, which
/// provides `Conn`.
macro_rules! entity_modules {
    () => {
        #[path = "area.rs"]
        pub(crate) mod area;
        #[path = "budget.rs"]
        pub(crate) mod budget;
        #[path = "centre.rs"]
        pub(crate) mod centre;
        #[path = "finding.rs"]
        pub(crate) mod finding;
        #[path = "indicator.rs"]
        pub(crate) mod indicator;
        #[path = "measurement.rs"]
        pub(crate) mod measurement;
        #[path = "objective.rs"]
        pub(crate) mod objective;
        #[path = "payment.rs"]
        pub(crate) mod payment;
        #[path = "phase.rs"]
        pub(crate) mod phase;
        #[path = "plan.rs"]
        pub(crate) mod plan;
        #[path = "source_location.rs"]
        pub(crate) mod source_location;
        #[path = "target.rs"]
        pub(crate) mod target;
        #[path = "value.rs"]
        pub(crate) mod value;
    };
}

// `#[path = "."]` keeps the entity files next to this one: the `#[path]`
// of a module declared inside an inline module is otherwise relative to a
// directory named after the inline module.

/// The writers, compiled for SQLite.
#[allow(clippy::duplicate_mod)] // The same writers, compiled per backend.
#[path = "."]
pub(crate) mod sqlite {
    pub(crate) type Conn = diesel::SqliteConnection;
    entity_modules!();
}

/// The writers, compiled for Postgres.
#[allow(clippy::duplicate_mod)] // The same writers, compiled per backend.
#[path = "."]
pub(crate) mod pg {
    pub(crate) type Conn = diesel::PgConnection;
    entity_modules!();
}
