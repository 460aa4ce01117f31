//! What the query modules get on Postgres (see [`crate::backend`]).

use cruscotto_model::Period;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_migrations::{embed_migrations, EmbeddedMigrations};

use crate::calc::{BoundIndicator, InputRows, InputsWanted};
use crate::error::StoreError;
use crate::schema::payments;

pub(crate) type Conn = diesel::PgConnection;
/// The pool of this backend's connections.
pub(crate) type Pool = diesel::r2d2::Pool<crate::db::Checked<Conn>>;
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
pub(crate) const MIGRATION_TABLE_EXISTS: &str =
    "SELECT count(*) AS n FROM information_schema.tables \
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

// ---- the calculations' payment loader and snapshot (`calc/ops.rs`) ------

/// Refreshes the planner's statistics after a large import: without
/// them Postgres assumes a plan holds few payments and reads a million
/// rows through the index instead of scanning the table. ANALYZE samples
/// a fixed number of rows, so it costs a fraction of a second.
pub(crate) fn refresh_payment_statistics(conn: &mut Conn, changed: usize) -> QueryResult<()> {
    if changed >= 10_000 {
        diesel::sql_query("ANALYZE payments").execute(conn)?;
    }
    Ok(())
}

/// The plan filter of the payment loader.
pub(crate) fn plan_filter(
    plan_id: i32,
) -> Box<dyn BoxableExpression<payments::table, Db, SqlType = Bool>> {
    Box::new(payments::plan_id.eq(plan_id))
}

/// Postgres sends each payment as three integers, and reads half of a
/// large table on a helper connection in the same snapshot.
pub(crate) mod payments_read;
pub(crate) use payments_read::read_payments;

/// Runs `f` in a read-only repeatable-read transaction: under the default
/// read-committed level each statement would see its own snapshot, and
/// inputs read by several statements could disagree.
pub(crate) fn snapshot<T, E>(
    conn: &mut Conn,
    f: impl FnOnce(&mut Conn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run(f)
}

/// A computation's inputs: a second connection of `pool`, when one is
/// idle, reads part of the payments (none is waited for).
pub(crate) fn read_inputs(
    pool: &Pool,
    bound: &BoundIndicator,
    wanted: InputsWanted,
    period: &Period,
) -> Result<InputRows, StoreError> {
    let mut conn = pool.get()?;
    let mut helper = wanted.payments.then(|| pool.try_get()).flatten();
    let helper = helper.as_deref_mut().map(|h| &mut **h);
    calc::read_inputs(&mut conn, helper, bound, wanted, period)
}
