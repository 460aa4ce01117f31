//! A plan's payments read from Postgres for a computation, compactly and in
//! parallel.
//!
//! Decoding a million rows of five columns (an integer, three nullable
//! dates, an integer) is much of a computation's time on the client, and
//! producing them much of the server's. So:
//!
//! - the server sends each row as three integers that hold the five values
//!   exactly: payment and due day (days since 1970-01-01, [`NULL_DAY`] for
//!   `NULL`) as the high and low halves of one, invoice day and suspended
//!   days of another, and the amount. Every value comes back as the plain
//!   read would decode it, out-of-range ones included, so the table built
//!   and any error it reports are the same;
//! - a large table is read in two halves of its pages (`ctid` ranges), the
//!   second on a helper connection that imports the first one's snapshot
//!   (`pg_export_snapshot()`, `SET TRANSACTION SNAPSHOT`), so both halves
//!   see exactly the rows the first connection sees; the two are produced
//!   by two server processes and decoded on two threads.
//!
//! The rows come back in no particular order: sorting them by content is
//! the reader's business (the engine sorts the parts on two threads).

use cruscotto_model::period::NULL_DAY;
use diesel::connection::DefaultLoadingMode;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use crate::calc::StoredPayments;
use crate::schema::payments;

/// Tables smaller than this many pages (8 KiB each, some 60 payments) are
/// read on one connection: a second transaction costs more than it saves.
const SPLIT_MIN_PAGES: i64 = 512;

/// The payments of plan `plan_id`, in one part per connection used. Runs inside the caller's repeatable-read transaction on
/// `conn`.
pub(crate) fn read_payments(
    conn: &mut PgConnection,
    helper: Option<&mut PgConnection>,
    plan_id: i32,
) -> QueryResult<Vec<StoredPayments>> {
    read_payments_split(conn, helper, plan_id, SPLIT_MIN_PAGES)
}

fn read_payments_split(
    conn: &mut PgConnection,
    helper: Option<&mut PgConnection>,
    plan_id: i32,
    split_min_pages: i64,
) -> QueryResult<Vec<StoredPayments>> {
    let Some(helper) = helper else {
        return Ok(vec![read_part(conn, plan_id, None)?]);
    };
    let (pages, standby) = diesel::select((
        sql::<BigInt>("pg_relation_size('payments') / current_setting('block_size')::int8"),
        sql::<Bool>("pg_is_in_recovery()"),
    ))
    .get_result::<(i64, bool)>(conn)?;
    // A standby cannot export snapshots.
    if pages < split_min_pages || standby {
        return Ok(vec![read_part(conn, plan_id, None)?]);
    }
    let snapshot: String = diesel::select(sql::<Text>("pg_export_snapshot()")).get_result(conn)?;
    // Pages added after `pages` was read hold no row of the snapshot; the
    // second half is open-ended all the same.
    let middle = format!("'({},0)'::tid", pages / 2);
    let (first, second) = std::thread::scope(|s| {
        let second = s.spawn(|| {
            helper
                .build_transaction()
                .repeatable_read()
                .read_only()
                .run(|helper| {
                    diesel::sql_query(format!(
                        "SET TRANSACTION SNAPSHOT '{}'",
                        snapshot.replace('\'', "''")
                    ))
                    .execute(helper)?;
                    read_part(helper, plan_id, Some(&format!("ctid >= {middle}")))
                })
        });
        let first = read_part(conn, plan_id, Some(&format!("ctid < {middle}")));
        let second = second
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (first, second)
    });
    Ok(vec![first?, second?])
}

/// The rows of plan `plan_id` (on the pages `pages`, a condition on
/// `ctid`, selects).
fn read_part(
    conn: &mut PgConnection,
    plan_id: i32,
    pages: Option<&str>,
) -> QueryResult<StoredPayments> {
    // Days since 1970-01-01, the NULL day for NULL, as the plain read decodes them.
    let day = |column: &str| format!("COALESCE({column} - DATE '1970-01-01', {NULL_DAY})::int8");
    let pair = |high: &str, low: &str| format!("({high} << 32) | ({low} & 4294967295)");
    let mut query = payments::table
        .filter(payments::plan_id.eq(plan_id))
        .select((
            sql::<BigInt>(&pair(&day("payment_date"), &day("due_date"))),
            sql::<BigInt>(&pair(&day("invoice_date"), "suspended_days::int8")),
            payments::amount_cents,
        ))
        .into_boxed();
    if let Some(pages) = pages {
        query = query.filter(sql::<Bool>(pages));
    }
    let mut rows = StoredPayments::new();
    for row in query.load_iter::<(i64, i64, i64), DefaultLoadingMode>(conn)? {
        let (dates, invoice_suspended, amount) = row?;
        rows.push(
            amount,
            (invoice_suspended >> 32) as i32,
            dates as i32,
            (dates >> 32) as i32,
            invoice_suspended as i32,
        );
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Database, PoolOptions};
    use crate::testdb::postgres::{self as testdb, ScratchDatabase};
    use cruscotto_calculators::{InputError, PaymentColumns, PaymentRows, PaymentTable};
    use diesel::connection::SimpleConnection;

    /// The calculators' table of the parts, as the engine builds it.
    fn table(parts: Vec<StoredPayments>) -> Result<PaymentTable, InputError> {
        PaymentRows::into_table(
            parts
                .into_iter()
                .map(|part| {
                    let mut rows = PaymentRows::with_capacity(part.len());
                    for (amount, invoice, due, payment, suspended) in part.rows() {
                        rows.push(amount, invoice, due, payment, suspended);
                    }
                    rows
                })
                .collect(),
        )
    }

    /// A migrated Postgres database of its own, copied from the template of
    /// the test databases crate (the same migrations give the same one).
    struct TestDatabase {
        db: Database,
        _scratch: ScratchDatabase, // Dropped after the pool.
    }

    fn postgres() -> Option<TestDatabase> {
        let admin = testdb::postgres_url()?;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/postgres");
        let digest = testdb::migrations_digest(std::path::Path::new(dir)).unwrap();
        let template = testdb::template_name(&digest);
        testdb::ensure_template(&admin, &template, |url| {
            let one = PoolOptions {
                max_size: 1,
                ..PoolOptions::default()
            };
            let db = Database::connect(url, &one).map_err(|e| e.to_string())?;
            db.migrate().map(drop).map_err(|e| e.to_string())
        })
        .unwrap();
        let scratch = ScratchDatabase::from_template(&admin, &template).unwrap();
        let options = PoolOptions {
            max_size: 4,
            ..PoolOptions::default()
        };
        let db = Database::connect(scratch.url(), &options).unwrap();
        Some(TestDatabase {
            db,
            _scratch: scratch,
        })
    }

    fn pool(t: &TestDatabase) -> &diesel::r2d2::Pool<crate::db::Checked<PgConnection>> {
        match &t.db {
            Database::Postgres(pool) => pool,
            Database::Sqlite(_) => unreachable!(),
        }
    }

    /// A plan with `n` generated payments plus rows at the packing's edges.
    fn plan_with_payments(conn: &mut PgConnection, n: usize) -> i32 {
        conn.batch_execute(&format!(
            "INSERT INTO plans (code, kind, title, first_year, last_year, imported_at)
             VALUES ('p', 'multi_year', 'P', 2020, 2022, now()),
                    ('other', 'multi_year', 'O', 2020, 2022, now());
             INSERT INTO payments (plan_id, invoice_id, supplier, amount_cents, invoice_date,
                                   due_date, payment_date, suspended_days, source_file, line)
             SELECT 1, 'G' || i, 'S', (i * 7919) % 2000000 - 1000000,
                    DATE '2019-01-01' + (i % 700),
                    CASE WHEN i % 3 = 0 THEN NULL ELSE DATE '2019-02-01' + (i % 650) END,
                    CASE WHEN i % 5 = 0 THEN NULL ELSE DATE '2019-03-01' + (i * 13 % 690) END,
                    CASE WHEN i % 4 = 0 THEN i % 50 ELSE 0 END, 'g.csv', i
             FROM generate_series(1, {n}) AS i;
             INSERT INTO payments (plan_id, invoice_id, supplier, amount_cents, invoice_date,
                                   due_date, payment_date, suspended_days, source_file, line)
             VALUES (1, 'E1', 'S', {max}, '1900-01-01', NULL, NULL, 0, 'e.csv', 1),
                    (1, 'E2', 'S', -{max}, '2199-12-31', '2199-12-31', '2199-12-31', {susp}, 'e.csv', 2),
                    (1, 'E3', 'S', 0, '2020-02-29', '1900-01-01', '1900-01-02', 1, 'e.csv', 3),
                    (1, 'E4', 'S', -1, '1970-01-01', NULL, '1969-12-31', 0, 'e.csv', 4),
                    (2, 'X1', 'S', 5, '2020-01-01', NULL, NULL, 0, 'x.csv', 1);",
            max = cruscotto_calculators::MAX_ABS_AMOUNT_CENTS,
            susp = cruscotto_calculators::MAX_SUSPENDED_DAYS,
        ))
        .expect("payments are inserted");
        1
    }

    fn columns(t: &Result<PaymentTable, InputError>) -> Option<PaymentColumns<'_>> {
        t.as_ref().ok().map(PaymentTable::columns)
    }

    fn assert_same(a: &Result<PaymentTable, InputError>, b: &Result<PaymentTable, InputError>) {
        match (columns(a), columns(b)) {
            (Some(a), Some(b)) => {
                assert_eq!(a.amount_cents, b.amount_cents);
                assert_eq!(a.invoice_date, b.invoice_date);
                assert_eq!(a.due_date, b.due_date);
                assert_eq!(a.payment_date, b.payment_date);
                assert_eq!(a.suspended_days, b.suspended_days);
            }
            _ => assert_eq!(a.as_ref().err(), b.as_ref().err()),
        }
    }

    fn plain(conn: &mut PgConnection, plan_id: i32) -> Result<PaymentTable, InputError> {
        table(vec![crate::backend::pg::calc::read_payment_rows(
            conn, plan_id,
        )
        .unwrap()])
    }

    fn snapshot<T>(conn: &mut PgConnection, f: impl FnOnce(&mut PgConnection) -> T) -> T {
        conn.build_transaction()
            .repeatable_read()
            .read_only()
            .run(|c| Ok::<_, diesel::result::Error>(f(c)))
            .unwrap()
    }

    #[test]
    fn the_read_in_two_halves_returns_the_rows_of_the_plain_read_in_one_snapshot() {
        let Some(t) = postgres() else { return };
        let pool = pool(&t);
        let (mut conn, mut helper, mut writer) = (
            pool.get().unwrap(),
            pool.get().unwrap(),
            pool.get().unwrap(),
        );
        let plan_id = plan_with_payments(&mut conn, 20_000);
        snapshot(&mut conn, |conn| {
            let before = plain(conn, plan_id);
            assert_eq!(before.as_ref().unwrap().len(), 20_004);
            // Committed after the snapshot was taken: neither half may see it.
            writer
                .batch_execute(
                    "INSERT INTO payments (plan_id, invoice_id, supplier, amount_cents, invoice_date,
                                           due_date, payment_date, suspended_days, source_file, line)
                     VALUES (1, 'LATE', 'S', 1, '2020-01-01', NULL, NULL, 0, 'l.csv', 1);
                     UPDATE payments SET amount_cents = amount_cents + 1 WHERE invoice_id = 'G7';",
                )
                .unwrap();
            let parts = read_payments_split(conn, Some(&mut helper), plan_id, 1).unwrap();
            assert_eq!(parts.len(), 2);
            assert!(parts.iter().all(|p| !p.is_empty()), "both halves hold rows");
            assert_same(&before, &table(parts));
            let single = read_payments_split(conn, None, plan_id, 1).unwrap();
            assert_same(&before, &table(single));
        });
        // Without a snapshot in common the new rows are there.
        assert_eq!(plain(&mut conn, plan_id).unwrap().len(), 20_005);
    }

    #[test]
    fn values_outside_the_bounds_come_back_as_the_plain_read_has_them() {
        let Some(t) = postgres() else { return };
        let pool = pool(&t);
        let (mut conn, mut helper) = (pool.get().unwrap(), pool.get().unwrap());
        let plan_id = plan_with_payments(&mut conn, 10_000);
        // The table refuses these; a database written by other means may not.
        conn.batch_execute(
            "ALTER TABLE payments DROP CONSTRAINT payments_amount_cents_check;
             ALTER TABLE payments DROP CONSTRAINT payments_suspended_days_check;",
        )
        .unwrap();
        for bad in [
            "suspended_days = -3",
            "suspended_days = 2147483647",
            "amount_cents = 10000000000001",
            "amount_cents = -9223372036854775808",
            "due_date = '2200-01-01'",
            "payment_date = '1899-12-31'",
            "invoice_date = '5000-01-01'",
            "invoice_date = '0100-01-01 BC'",
        ] {
            conn.batch_execute(&format!(
                "UPDATE payments SET {bad} WHERE invoice_id = 'G5000'"
            ))
            .unwrap();
            snapshot(&mut conn, |conn| {
                let parts = read_payments_split(conn, Some(&mut helper), plan_id, 1).unwrap();
                assert_eq!(parts.len(), 2);
                let table = table(parts);
                assert!(table.is_err(), "{bad}");
                assert_same(&plain(conn, plan_id), &table);
            });
            conn.batch_execute(
                "UPDATE payments SET suspended_days = 0, amount_cents = 1, due_date = NULL,
                 payment_date = NULL, invoice_date = '2020-01-01' WHERE invoice_id = 'G5000'",
            )
            .unwrap();
        }
    }
}
