//! How write transactions start on each backend, and the locks writers
//! take.
//!
//! SQLite: every transaction that may write starts with `BEGIN IMMEDIATE`,
//! which takes the database's write lock at once and, while another writer
//! holds it, waits up to the connection's busy timeout. A deferred `BEGIN`
//! would read first and fail at once with "database is locked" when it
//! tries to upgrade its read lock to a write lock while another writer
//! holds it: SQLite cannot wait there without risking a deadlock, so the
//! busy timeout never applied. A writer that waited the whole busy timeout
//! gets [`StoreError::Busy`], which callers report as retryable.
//!
//! Postgres: a plain `BEGIN` (read committed); writers that must not
//! interleave take a transaction-level advisory lock
//! ([`WriteConn::lock`]), released by the commit or rollback.

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};

use crate::error::StoreError;

/// Locks writers take on Postgres (SQLite's `BEGIN IMMEDIATE` already
/// serialises every writer). Each is the key of a transaction-level
/// advisory lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteLock {
    /// Held by every document import for its whole transaction: imports
    /// share the budget classification (missions, programs, actions) and
    /// look plans up by code before inserting them, so two concurrent first
    /// imports of one plan (or of two plans naming one new mission) would
    /// otherwise both insert and one would fail on a unique key. The second
    /// waits for the first to commit and then updates what it created.
    DocumentImport,
    /// Held from the first row a transaction appends to the change log to
    /// its commit, so that log ids commit in id order and a listener that
    /// reads `id > last seen` never skips a row committed late with a
    /// smaller id.
    ChangeLog,
}

impl WriteLock {
    /// The advisory lock key: arbitrary constants, distinct per lock, in a
    /// range unlikely to be used by another application on the database.
    fn key(self) -> i64 {
        match self {
            WriteLock::DocumentImport => 0x6372_7573_0001,
            WriteLock::ChangeLog => 0x6372_7573_0002,
        }
    }
}

/// A connection that can open a write transaction the way its backend
/// needs. Included query files (`ops.rs`, `writes.rs`) call these on their
/// `Conn` alias.
pub(crate) trait WriteConn: Connection + Sized {
    /// Runs `f` in a write transaction, or in a savepoint when a transaction
    /// is already open; on error everything `f` did is rolled back.
    fn write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Self) -> Result<T, E>,
        E: From<DieselError> + From<StoreError>;

    /// Takes `lock` until the end of the current transaction (Postgres); a
    /// no-op on SQLite, whose write transactions exclude each other.
    fn lock(&mut self, lock: WriteLock) -> Result<(), DieselError>;

    /// Tells listeners of other connections that the change log grew, when
    /// the current transaction commits (Postgres `NOTIFY`); a no-op on
    /// SQLite, whose listeners poll `PRAGMA data_version`.
    fn notify_changes(&mut self) -> Result<(), DieselError>;
}

/// The `LISTEN`/`NOTIFY` channel of the change log on Postgres.
pub(crate) const CHANGES_CHANNEL: &str = "cruscotto_changes";

fn depth<C>(conn: &mut C) -> Result<Option<std::num::NonZeroU32>, DieselError>
where
    C: Connection<TransactionManager = AnsiTransactionManager>,
{
    AnsiTransactionManager::transaction_manager_status_mut(conn).transaction_depth()
}

impl WriteConn for SqliteConnection {
    fn write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Self) -> Result<T, E>,
        E: From<DieselError> + From<StoreError>,
    {
        if depth(self)?.is_some() {
            return self.transaction(f);
        }
        // Diesel's `immediate_transaction` does the same, but then an error
        // of `BEGIN IMMEDIATE` (the only statement that waits for the write
        // lock) could not be told apart from an error of `f`.
        if let Err(e) = AnsiTransactionManager::begin_transaction_sql(self, "BEGIN IMMEDIATE") {
            return Err(if is_busy(&e) {
                E::from(StoreError::Busy {
                    waited_ms: busy_timeout_ms(self),
                })
            } else {
                E::from(e)
            });
        }
        match f(self).and_then(|value| {
            bump_data_version(self)?;
            Ok(value)
        }) {
            Ok(value) => {
                <AnsiTransactionManager as TransactionManager<Self>>::commit_transaction(self)?;
                Ok(value)
            }
            Err(error) => {
                match <AnsiTransactionManager as TransactionManager<Self>>::rollback_transaction(
                    self,
                ) {
                    Ok(()) | Err(DieselError::BrokenTransactionManager) => Err(error),
                    Err(rollback) => Err(rollback.into()),
                }
            }
        }
    }

    fn lock(&mut self, _lock: WriteLock) -> Result<(), DieselError> {
        Ok(())
    }

    fn notify_changes(&mut self) -> Result<(), DieselError> {
        Ok(())
    }
}

impl WriteConn for PgConnection {
    fn write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Self) -> Result<T, E>,
        E: From<DieselError> + From<StoreError>,
    {
        if depth(self)?.is_some() {
            return self.transaction(f);
        }
        self.transaction(|conn| {
            let value = f(conn)?;
            bump_data_version(conn)?;
            Ok(value)
        })
    }

    fn lock(&mut self, lock: WriteLock) -> Result<(), DieselError> {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(lock.key())
            .execute(self)?;
        Ok(())
    }

    fn notify_changes(&mut self) -> Result<(), DieselError> {
        // Notifications with the same payload in one transaction are sent
        // once, at commit.
        diesel::sql_query(format!("NOTIFY {CHANGES_CHANNEL}")).execute(self)?;
        Ok(())
    }
}

/// Increments the data version (the `data_version` table), last thing
/// before the commit of every write transaction: readers that see the new
/// version see the data it stands for, and on Postgres the row lock it
/// takes is held only for the commit.
fn bump_data_version<C>(conn: &mut C) -> Result<(), DieselError>
where
    C: Connection,
{
    conn.batch_execute("UPDATE data_version SET version = version + 1 WHERE id = 1")
}

/// Whether SQLite refused a statement because another connection holds a
/// lock (`SQLITE_BUSY`, "database is locked").
fn is_busy(e: &DieselError) -> bool {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info) => {
            let m = info.message();
            m.contains("database is locked") || m.contains("database is busy")
        }
        _ => false,
    }
}

/// The busy timeout of a SQLite connection in milliseconds, for the message
/// of [`StoreError::Busy`]; 0 when it cannot be read.
fn busy_timeout_ms(conn: &mut SqliteConnection) -> u64 {
    #[derive(diesel::QueryableByName)]
    struct Timeout {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        timeout: i64,
    }
    diesel::sql_query("PRAGMA busy_timeout")
        .get_result::<Timeout>(conn)
        .map(|t| u64::try_from(t.timeout).unwrap_or(0))
        .unwrap_or(0)
}
