//! What the query modules get on Postgres (see [`crate::backend`]).

use diesel::RunQueryDsl;
use diesel_migrations::{embed_migrations, EmbeddedMigrations};

pub(crate) type Conn = diesel::PgConnection;
pub(crate) type Db = diesel::pg::Pg;

/// `$col = ANY($keys)`: one array parameter, one statement text already.
macro_rules! keys_in {
    ($col:expr, $keys:expr) => {
        $col.eq_any($keys)
    };
}

query_modules!();

/// Migrations of the Postgres schema, compiled into the binary.
pub(crate) const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Whether Diesel's migration table exists (a count, 0 or 1, as `n`).
pub(crate) const MIGRATION_TABLE_EXISTS: &str = "SELECT count(*) AS n FROM information_schema.tables \
     WHERE table_schema = current_schema() AND table_name = '__diesel_schema_migrations'";

pub(crate) const UNINDEXED_FKS: &str = "
    SELECT c.conrelid::regclass::text AS table_name, a.attname::text AS column_name
    FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
      AND NOT EXISTS (
        SELECT 1 FROM pg_index i
        WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
    ORDER BY 1, 2";

pub(crate) const COLUMNS: &str = "
    SELECT table_name::text AS table_name, column_name::text AS column_name,
           data_type::text AS sql_type, is_nullable = 'YES' AS nullable
    FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'
    ORDER BY 1, ordinal_position";

/// Whether the session refuses writes (`default_transaction_read_only`).
pub(crate) fn is_read_only(conn: &mut Conn) -> bool {
    #[derive(diesel::QueryableByName)]
    struct ReadOnly {
        #[diesel(sql_type = diesel::sql_types::Text)]
        default_transaction_read_only: String,
    }
    diesel::sql_query("SHOW default_transaction_read_only")
        .get_result::<ReadOnly>(conn)
        .is_ok_and(|r| r.default_transaction_read_only == "on")
}

