//! What the query modules get on SQLite (see [`crate::backend`]).

use cruscotto_model::Period;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer};
use diesel_migrations::{embed_migrations, EmbeddedMigrations};

use crate::calc::{BoundIndicator, InputRows, InputsWanted};
use crate::error::StoreError;
use crate::schema::payments;

pub(crate) type Conn = diesel::SqliteConnection;
/// The pool of this backend's connections.
pub(crate) type Pool = diesel::r2d2::Pool<crate::db::Checked<Conn>>;
pub(crate) type Db = diesel::sqlite::Sqlite;

pub(crate) mod keys;

/// `$col IN ($keys)` as one JSON parameter: one statement text for any
/// number of keys (see [`keys`]).
macro_rules! keys_in {
    ($col:expr, $keys:expr) => {
        crate::backend::sqlite::keys::JsonKeysIn::new($col, &$keys[..])
    };
}

query_modules!();

/// Migrations of the SQLite schema, compiled into the binary.
pub(crate) const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");

/// Whether Diesel's migration table exists (a count, 0 or 1, as `n`).
pub(crate) const MIGRATION_TABLE_EXISTS: &str = "SELECT count(*) AS n FROM sqlite_master \
     WHERE type = 'table' AND name = '__diesel_schema_migrations'";

pub(crate) const UNINDEXED_FKS: &str = "
    SELECT m.name AS table_name, f.\"from\" AS column_name
    FROM sqlite_master m, pragma_foreign_key_list(m.name) f
    WHERE m.type = 'table'
      AND NOT EXISTS (
        SELECT 1 FROM pragma_index_list(m.name) il, pragma_index_info(il.name) ii
        WHERE ii.seqno = 0 AND ii.name = f.\"from\")
    ORDER BY 1, 2";

pub(crate) const COLUMNS: &str = "
    SELECT m.name AS table_name, p.name AS column_name, p.type AS sql_type,
           p.\"notnull\" = 0 AND NOT (
               p.pk = 1 AND upper(p.type) = 'INTEGER'
               AND (SELECT count(*) FROM pragma_table_info(m.name) k WHERE k.pk > 0) = 1
           ) AS nullable
    FROM sqlite_master m, pragma_table_info(m.name) p
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
      AND m.name <> '__diesel_schema_migrations'
    ORDER BY 1, p.cid";

/// Whether the connection refuses writes (`PRAGMA query_only`).
pub(crate) fn is_read_only(conn: &mut Conn) -> bool {
    #[derive(diesel::QueryableByName)]
    struct QueryOnly {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        query_only: i32,
    }
    diesel::sql_query("PRAGMA query_only")
        .get_result::<QueryOnly>(conn)
        .is_ok_and(|q| q.query_only != 0)
}

// ---- the calculations' payment loader and snapshot (`calc/ops.rs`) ------

/// SQLite's payment loader does not use the index (see [`plan_filter`]),
/// so its planner needs no fresh statistics after an import.
pub(crate) fn refresh_payment_statistics(_conn: &mut Conn, _changed: usize) -> QueryResult<()> {
    Ok(())
}

/// The plan filter of the payment loader. The unary plus keeps SQLite
/// off the `(plan_id, invoice_id)` index: reaching a million rows
/// through an index costs one B-tree descent each, while one pass over
/// the table reads them in storage order several times faster, and a
/// plan's payments are most of the table in every realistic database.
pub(crate) fn plan_filter(
    plan_id: i32,
) -> Box<dyn BoxableExpression<payments::table, Db, SqlType = Bool>> {
    Box::new(diesel::dsl::sql::<Bool>("+plan_id = ").bind::<Integer, _>(plan_id))
}

/// SQLite reads the payments on the one connection: its reads do not
/// wait on the network, and a second connection could not share the
/// first one's snapshot.
pub(crate) fn read_payments(
    conn: &mut Conn,
    _helper: Option<&mut Conn>,
    plan_id: i32,
) -> QueryResult<Vec<crate::calc::StoredPayments>> {
    Ok(vec![calc::read_payment_rows(conn, plan_id)?])
}

/// Runs `f` in a transaction; in SQLite a transaction reads one snapshot.
pub(crate) fn snapshot<T, E>(
    conn: &mut Conn,
    f: impl FnOnce(&mut Conn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    conn.transaction(f)
}

/// A computation's inputs, on one connection of `pool`.
pub(crate) fn read_inputs(
    pool: &Pool,
    bound: &BoundIndicator,
    wanted: InputsWanted,
    period: &Period,
) -> Result<InputRows, StoreError> {
    calc::read_inputs(&mut *pool.get()?, None, bound, wanted, period)
}
