//! What the query modules get on SQLite (see [`crate::backend`]).

use diesel::RunQueryDsl;
use diesel_migrations::{embed_migrations, EmbeddedMigrations};

pub(crate) type Conn = diesel::SqliteConnection;
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

