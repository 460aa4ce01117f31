//! The change log: how a write tells every process on the database what it
//! changed.
//!
//! Each write that changes an indicator (a measurement, a target, the
//! indicator itself, a computed value, an import of its plan or of its
//! plan's payments) appends a [`Change`] to the `changes` table in the same
//! transaction, so a change is logged if and only if the write commits,
//! whichever process made it (a server, the CLI). A [`ChangeListener`]
//! tails the log and hands new rows to a callback, in log order:
//!
//! - on Postgres it `LISTEN`s on a dedicated connection: writers `NOTIFY`
//!   in their transaction, and writers append under an advisory lock so
//!   that ids commit in id order (a listener reading `id > last seen` never
//!   skips a row). Diesel gives no socket to wait on, so the listener looks
//!   for received notifications every [`ListenerOptions::poll`] (a
//!   non-blocking read, no round trip) and reads the log anyway every
//!   [`ListenerOptions::safety_poll`], in case a notification was lost
//!   with a connection;
//! - on SQLite it reads `PRAGMA data_version` every
//!   [`ListenerOptions::poll`] on its own connection (a number that changes
//!   when another connection commits; no file is read) and reads the log
//!   only when it changed.
//!
//! Old rows are pruned by the writers (older than [`RETENTION`], beyond
//! [`MAX_ROWS`]).
//! Ids only grow, so the last id seen is a cursor: [`Database::changes_since`]
//! returns what came after it, while it is retained.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;

use crate::db::Database;
use crate::error::StoreError;
use crate::schema::{changes, indicators, objectives};
use crate::tx::{WriteConn, WriteLock, CHANGES_CHANNEL};

/// How long a logged change is kept: long enough for any listener to read
/// it and for a client to reconnect with a cursor, short enough that the log
/// stays small.
pub const RETENTION: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// Most rows the log keeps, whatever their age (an import of a plan logs a
/// row per indicator).
pub const MAX_ROWS: i64 = 100_000;

/// A single append prunes the log when its id is a multiple of this; an
/// import of a plan or of payments always prunes. The writers prune, in
/// their own transaction, so the log stays bounded also when no server
/// runs.
const PRUNE_EVERY: i64 = 256;

/// One logged change to an indicator.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = changes)]
pub struct Change {
    /// Position in the log: ids grow in commit order.
    pub id: i64,
    pub objective_id: i32,
    pub indicator_id: i32,
    /// What happened: one of [`kind`]'s constants.
    pub kind: String,
    /// The period (measurements, computed values) or year (targets)
    /// concerned, when there is one.
    pub period: Option<String>,
    /// When the write was made (UTC).
    pub recorded_at: chrono::NaiveDateTime,
}

/// The kinds of change the log records.
pub mod kind {
    pub const MEASUREMENT_RECORDED: &str = "MEASUREMENT_RECORDED";
    pub const MEASUREMENT_DELETED: &str = "MEASUREMENT_DELETED";
    pub const TARGET_CREATED: &str = "TARGET_CREATED";
    pub const TARGET_UPDATED: &str = "TARGET_UPDATED";
    pub const TARGET_DELETED: &str = "TARGET_DELETED";
    /// The indicator was edited or bound to a calculator.
    pub const INDICATOR_UPDATED: &str = "INDICATOR_UPDATED";
    /// A new value was computed and stored (a reused value is not a change).
    pub const VALUE_COMPUTED: &str = "VALUE_COMPUTED";
    /// The plan of the indicator was imported (created or updated whole).
    pub const PLAN_IMPORTED: &str = "PLAN_IMPORTED";
    /// Payments were imported into the plan of the indicator, which has a
    /// calculator: its computed values may be out of date.
    pub const PAYMENTS_IMPORTED: &str = "PAYMENTS_IMPORTED";
}

/// Appending to the change log inside a write transaction. Call these as
/// the last statements of the transaction: on Postgres they take the
/// change-log lock, held until the commit.
pub(crate) trait LogChanges: WriteConn {
    /// Logs a change to indicator `indicator_id` (its objective is looked
    /// up; nothing is logged if the indicator does not exist).
    fn log_indicator_change(
        &mut self,
        indicator_id: i32,
        kind: &str,
        period: Option<&str>,
    ) -> QueryResult<()>;

    /// Logs a change of `kind` for every indicator of plan `plan_id`; only
    /// those bound to a calculator when `with_calculator_only`.
    fn log_plan_change(
        &mut self,
        plan_id: i32,
        kind: &str,
        with_calculator_only: bool,
    ) -> QueryResult<()>;

    /// Changes after id `after`, oldest first, at most `limit`.
    fn changes_after(&mut self, after: i64, limit: i64) -> QueryResult<Vec<Change>>;

    /// The newest id in the log; 0 when it is empty.
    fn last_change_id(&mut self) -> QueryResult<i64>;

    /// Deletes rows older than [`RETENTION`] and all but the newest
    /// [`MAX_ROWS`] (`newest` being the newest id).
    fn prune_changes(&mut self, newest: i64) -> QueryResult<()>;
}

macro_rules! log_changes_impl {
    ($conn:ty) => {
        impl LogChanges for $conn {
            fn log_indicator_change(
                &mut self,
                indicator_id: i32,
                kind: &str,
                period: Option<&str>,
            ) -> QueryResult<()> {
                let objective_id: Option<i32> = indicators::table
                    .find(indicator_id)
                    .select(indicators::objective_id)
                    .first(self)
                    .optional()?;
                let Some(objective_id) = objective_id else {
                    return Ok(());
                };
                self.lock(WriteLock::ChangeLog)?;
                let id: i64 = diesel::insert_into(changes::table)
                    .values((
                        changes::objective_id.eq(objective_id),
                        changes::indicator_id.eq(indicator_id),
                        changes::kind.eq(kind),
                        changes::period.eq(period),
                        changes::recorded_at.eq(chrono::Utc::now().naive_utc()),
                    ))
                    .returning(changes::id)
                    .get_result(self)?;
                if id % PRUNE_EVERY == 0 {
                    self.prune_changes(id)?;
                }
                self.notify_changes()
            }

            fn log_plan_change(
                &mut self,
                plan_id: i32,
                kind: &str,
                with_calculator_only: bool,
            ) -> QueryResult<()> {
                use diesel::dsl::sql;
                use diesel::sql_types::{Nullable, Text, Timestamp};
                let now = chrono::Utc::now().naive_utc();
                let mut query = indicators::table
                    .inner_join(objectives::table)
                    .filter(objectives::plan_id.eq(plan_id))
                    .into_boxed();
                if with_calculator_only {
                    query = query.filter(indicators::calculator_id.is_not_null());
                }
                self.lock(WriteLock::ChangeLog)?;
                let rows = diesel::insert_into(changes::table)
                    .values(
                        query
                            .select((
                                indicators::objective_id,
                                indicators::id,
                                kind.into_sql::<Text>(),
                                sql::<Nullable<Text>>("NULL"),
                                now.into_sql::<Timestamp>(),
                            ))
                            .order(indicators::id),
                    )
                    .into_columns((
                        changes::objective_id,
                        changes::indicator_id,
                        changes::kind,
                        changes::period,
                        changes::recorded_at,
                    ))
                    .execute(self)?;
                if rows > 0 {
                    let newest = self.last_change_id()?;
                    self.prune_changes(newest)?;
                    self.notify_changes()?;
                }
                Ok(())
            }

            fn changes_after(&mut self, after: i64, limit: i64) -> QueryResult<Vec<Change>> {
                changes::table
                    .filter(changes::id.gt(after))
                    .order(changes::id)
                    .limit(limit)
                    .select(Change::as_select())
                    .load(self)
            }

            fn prune_changes(&mut self, newest: i64) -> QueryResult<()> {
                let cutoff = chrono::Utc::now().naive_utc() - RETENTION;
                diesel::delete(
                    changes::table.filter(
                        changes::recorded_at
                            .lt(cutoff)
                            .or(changes::id.le(newest - MAX_ROWS)),
                    ),
                )
                .execute(self)?;
                Ok(())
            }

            fn last_change_id(&mut self) -> QueryResult<i64> {
                changes::table
                    .select(diesel::dsl::max(changes::id))
                    .first::<Option<i64>>(self)
                    .map(|id| id.unwrap_or(0))
            }
        }
    };
}

log_changes_impl!(diesel::SqliteConnection);
log_changes_impl!(diesel::PgConnection);

impl Database {
    /// Changes logged after `after` (a [`Change::id`]; 0 for all that are
    /// retained), oldest first, at most `limit`.
    pub fn changes_since(&self, after: i64, limit: i64) -> Result<Vec<Change>, StoreError> {
        crate::backend::on_backend!(self, |conn, _b| Ok(conn.changes_after(after, limit)?))
    }

    /// The id of the newest logged change; 0 when the log is empty.
    pub fn last_change_id(&self) -> Result<i64, StoreError> {
        crate::backend::on_backend!(self, |conn, _b| Ok(LogChanges::last_change_id(conn)?))
    }
}

/// How a [`ChangeListener`] watches the log.
#[derive(Debug, Clone)]
pub struct ListenerOptions {
    /// How often the listener looks for news: a notification received
    /// (Postgres) or a changed `PRAGMA data_version` (SQLite). Bounds the
    /// latency of an event on SQLite.
    pub poll: Duration,
    /// How often the log is read even without news (Postgres: a
    /// notification lost with a broken connection).
    pub safety_poll: Duration,
    /// Most rows read from the log at once.
    pub batch: i64,
}

impl Default for ListenerOptions {
    fn default() -> Self {
        ListenerOptions {
            poll: Duration::from_millis(20),
            safety_poll: Duration::from_secs(1),
            batch: 1_000,
        }
    }
}

/// A thread that tails the change log and calls a function with each batch
/// of new changes, in log order. It starts after the newest change logged
/// when it is started (nothing is replayed). Dropping it tells the thread
/// to stop at its next poll without waiting for it (it may be waiting for
/// an unreachable database, and a server's shutdown must not).
pub struct ChangeListener {
    stop: Arc<AtomicBool>,
}

impl std::fmt::Debug for ChangeListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeListener").finish_non_exhaustive()
    }
}

impl Drop for ChangeListener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl ChangeListener {
    /// Starts listening on `db`. The cursor (the newest id now) is read
    /// before this returns, so every change committed after it is
    /// delivered. Fails when the database cannot be read.
    pub fn start<F>(
        db: &Database,
        options: ListenerOptions,
        on_changes: F,
    ) -> Result<Self, StoreError>
    where
        F: FnMut(Vec<Change>) + Send + 'static,
    {
        let cursor = db.last_change_id()?;
        let stop = Arc::new(AtomicBool::new(false));
        {
            let db = db.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("change-listener".to_string())
                .spawn(move || run(db, options, cursor, stop, on_changes))
                .map_err(|e| StoreError::Connect {
                    url: "change listener".to_string(),
                    reason: format!("cannot start its thread: {e}"),
                })?;
        }
        Ok(ChangeListener { stop })
    }
}

/// The listener's loop: watch, read, deliver; on a database error wait a
/// second and start again from the same cursor, so nothing committed
/// meanwhile is lost (while it is retained).
fn run<F>(db: Database, options: ListenerOptions, cursor: i64, stop: Arc<AtomicBool>, on_changes: F)
where
    F: FnMut(Vec<Change>),
{
    let mut tail = Tail {
        options,
        cursor,
        on_changes,
        stop,
    };
    while !tail.stopped() {
        let result = match &db {
            Database::Sqlite(pool) => tail.watch_sqlite(pool),
            Database::Postgres(pool) => tail.watch_postgres(pool),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "change listener: the database failed; retrying in a second");
            tail.sleep(Duration::from_secs(1));
        }
    }
}

struct Tail<F> {
    options: ListenerOptions,
    /// The id of the last change delivered.
    cursor: i64,
    on_changes: F,
    stop: Arc<AtomicBool>,
}

type SqlitePool = diesel::r2d2::Pool<crate::db::Checked<diesel::SqliteConnection>>;
type PgPool = diesel::r2d2::Pool<crate::db::Checked<diesel::PgConnection>>;

impl<F: FnMut(Vec<Change>)> Tail<F> {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn sleep(&self, total: Duration) {
        let until = Instant::now() + total;
        while !self.stopped() {
            let now = Instant::now();
            if now >= until {
                return;
            }
            std::thread::sleep((until - now).min(Duration::from_millis(50)));
        }
    }

    /// Reads and delivers everything logged after the cursor.
    fn drain<C: LogChanges>(&mut self, conn: &mut C) -> QueryResult<()> {
        loop {
            let batch = conn.changes_after(self.cursor, self.options.batch)?;
            let Some(last) = batch.last() else {
                return Ok(());
            };
            self.cursor = last.id;
            let full = i64::try_from(batch.len()).unwrap_or(i64::MAX) >= self.options.batch;
            (self.on_changes)(batch);
            if !full {
                return Ok(());
            }
        }
    }

    /// SQLite: `PRAGMA data_version` on a connection of its own, read every
    /// poll; the log is read when it changed. An in-memory database has one
    /// connection, shared with the writers (whose commits do not change
    /// their own connection's data version): the log is read every poll.
    fn watch_sqlite(&mut self, pool: &SqlitePool) -> Result<(), StoreError> {
        if pool.max_size() == 1 {
            while !self.stopped() {
                {
                    let mut pooled = pool.get()?;
                    let conn: &mut diesel::SqliteConnection = &mut pooled;
                    self.drain(conn)?;
                }
                self.sleep(self.options.poll);
            }
            return Ok(());
        }
        let mut pooled = pool.get()?;
        let conn: &mut diesel::SqliteConnection = &mut pooled;
        conn.set_instrumentation(NotCounted);
        let mut seen: Option<i64> = None;
        let mut last_read = Instant::now();
        while !self.stopped() {
            let version = data_version(conn)?;
            if seen != Some(version) || last_read.elapsed() >= self.options.safety_poll {
                seen = Some(version);
                self.drain(conn)?;
                last_read = Instant::now();
            }
            self.sleep(self.options.poll);
        }
        Ok(())
    }

    /// Postgres: `LISTEN` on a connection of its own; the log is read when
    /// a notification came, and every safety poll.
    fn watch_postgres(&mut self, pool: &PgPool) -> Result<(), StoreError> {
        let mut pooled = pool.get()?;
        let conn: &mut diesel::PgConnection = &mut pooled;
        conn.set_instrumentation(NotCounted);
        diesel::sql_query(format!("LISTEN {CHANGES_CHANNEL}")).execute(conn)?;
        let result = self.listen(conn);
        // The connection goes back to the pool: it must not keep listening.
        let _ = diesel::sql_query("UNLISTEN *").execute(conn);
        result
    }

    fn listen(&mut self, conn: &mut diesel::PgConnection) -> Result<(), StoreError> {
        // What was committed before LISTEN took effect.
        self.drain(conn)?;
        let mut last_read = Instant::now();
        while !self.stopped() {
            let mut woken = false;
            for notification in conn.notifications_iter() {
                notification?;
                woken = true;
            }
            if woken || last_read.elapsed() >= self.options.safety_poll {
                self.drain(conn)?;
                last_read = Instant::now();
            }
            self.sleep(self.options.poll);
        }
        Ok(())
    }
}

/// The listener's own connection does not count its statements (see
/// [`crate::graph::stats`]): its polls are not the work of any request, and
/// would make the statement counts of requests vary with time. (An
/// in-memory database's one connection, shared with requests, keeps its
/// counting.)
struct NotCounted;

impl diesel::connection::Instrumentation for NotCounted {
    fn on_connection_event(&mut self, _event: diesel::connection::InstrumentationEvent<'_>) {}
}

/// SQLite's `PRAGMA data_version`: changes when another connection commits.
fn data_version(conn: &mut diesel::SqliteConnection) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        data_version: i64,
    }
    diesel::sql_query("PRAGMA data_version")
        .get_result::<Version>(conn)
        .map(|v| v.data_version)
}
