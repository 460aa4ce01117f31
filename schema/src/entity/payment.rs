//! The writer and the reads of `payments`: a plan's invoices, upserted by plan and
//! invoice id. It is the one statement whose text differs by backend, so
//! the file holds both forms, as implementations of a trait private to each
//! compiled copy, and the copy's `Conn` picks its own. Compiled once per
//! backend (`entity/mod.rs`), with `Conn` from the parent.

use diesel::prelude::*;

use super::Conn;
use crate::calc::rows::NewPayment;
use crate::schema::payments;

/// Rows per multi-row upsert of the backend.
pub(crate) const CHUNK: usize = <Conn as PaymentUpsert>::CHUNK;

/// Inserts `rows` (at most [`CHUNK`]) in one statement; an invoice id
/// already stored for the plan is overwritten.
pub(crate) fn upsert(conn: &mut Conn, rows: &[NewPayment<'_>]) -> QueryResult<()> {
    conn.upsert_payments(rows)
}

trait PaymentUpsert {
    const CHUNK: usize;
    fn upsert_payments(&mut self, rows: &[NewPayment<'_>]) -> QueryResult<()>;
}

impl PaymentUpsert for diesel::SqliteConnection {
    /// SQLite accepts 32,766 bound values and a payment binds 10.
    const CHUNK: usize = 3_000;

    /// Diesel builds no multi-row upsert for SQLite, and one statement per
    /// row costs a statement execution each (about 20 µs), so the statement
    /// is written here: the same text for every full chunk, with the same
    /// columns and conflict rule as the Postgres one.
    fn upsert_payments(&mut self, rows: &[NewPayment<'_>]) -> QueryResult<()> {
        use diesel::sql_types::{BigInt, Date, Integer, Nullable, Text};
        const COLUMNS: &str = "plan_id, invoice_id, supplier, amount_cents, invoice_date, \
                               due_date, payment_date, suspended_days, source_file, line";
        let mut sql = String::with_capacity(200 + rows.len() * 24);
        sql.push_str("INSERT INTO payments (");
        sql.push_str(COLUMNS);
        sql.push_str(") VALUES ");
        for i in 0..rows.len() {
            sql.push_str(if i == 0 {
                "(?,?,?,?,?,?,?,?,?,?)"
            } else {
                ",(?,?,?,?,?,?,?,?,?,?)"
            });
        }
        sql.push_str(
            " ON CONFLICT (plan_id, invoice_id) DO UPDATE SET supplier = excluded.supplier, \
             amount_cents = excluded.amount_cents, invoice_date = excluded.invoice_date, \
             due_date = excluded.due_date, payment_date = excluded.payment_date, \
             suspended_days = excluded.suspended_days, source_file = excluded.source_file, \
             line = excluded.line",
        );
        let mut query = diesel::sql_query(sql).into_boxed::<diesel::sqlite::Sqlite>();
        for r in rows {
            query = query
                .bind::<Integer, _>(r.plan_id)
                .bind::<Text, _>(r.invoice_id)
                .bind::<Text, _>(r.supplier)
                .bind::<BigInt, _>(r.amount_cents)
                .bind::<Date, _>(r.invoice_date)
                .bind::<Nullable<Date>, _>(r.due_date)
                .bind::<Nullable<Date>, _>(r.payment_date)
                .bind::<Integer, _>(r.suspended_days)
                .bind::<Text, _>(r.source_file)
                .bind::<Integer, _>(r.line);
        }
        query.execute(self)?;
        Ok(())
    }
}

impl PaymentUpsert for diesel::PgConnection {
    /// Postgres accepts 65,535 bound values and a payment binds 10.
    const CHUNK: usize = 6_000;

    /// One multi-row upsert per chunk: each statement is a round trip.
    fn upsert_payments(&mut self, rows: &[NewPayment<'_>]) -> QueryResult<()> {
        upsert!(
            payments,
            rows,
            self,
            (plan_id, invoice_id),
            [
                supplier,
                amount_cents,
                invoice_date,
                due_date,
                payment_date,
                suspended_days,
                source_file,
                line,
            ]
        )?;
        Ok(())
    }
}
