//! Connections: which backend a URL names, the connection pools, the settings
//! every SQLite connection gets, and the embedded migrations of both backends.

use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::r2d2::{
    ConnectionManager, CustomizeConnection, ManageConnection, Pool, R2D2Connection,
};
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::StoreError;

/// Migrations of the SQLite schema, compiled into the binary.
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
/// Migrations of the Postgres schema, compiled into the binary.
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// The database URL used when none is configured: an embedded SQLite file in
/// the working directory.
pub const DEFAULT_DATABASE_URL: &str = "cruscotto.db";

/// Which database engine serves a [`Database`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Pool settings.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Largest number of open connections.
    pub max_size: u32,
    /// How long a caller waits for a free connection before an error.
    pub connection_timeout: Duration,
    /// How long SQLite waits on a locked database before `SQLITE_BUSY`.
    pub sqlite_busy_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_size: 8,
            connection_timeout: Duration::from_secs(10),
            sqlite_busy_timeout: Duration::from_secs(5),
        }
    }
}

/// A pool of connections to one of the two backends. Cloning is cheap and
/// shares the pool.
#[derive(Clone)]
pub enum Database {
    Sqlite(Pool<Checked<SqliteConnection>>),
    Postgres(Pool<Checked<PgConnection>>),
}

/// How long after a connection came back to the pool healthy it is handed
/// out again without a health check.
const TRUST_RECENTLY_RETURNED: Duration = Duration::from_millis(500);

/// Diesel's connection manager, with one change: a connection that came
/// back to the pool healthy less than [`TRUST_RECENTLY_RETURNED`] ago is
/// handed out without the `SELECT 1` health check. A query's loaders check
/// out a connection per batch, and the check was half of the statements of
/// every request (a round trip each on Postgres). A connection idle for
/// longer is checked as before, so after a database restart at most the
/// connections used in the last half second fail once and are discarded
/// (Diesel marks them broken).
pub struct Checked<C: R2D2Connection + 'static> {
    inner: ConnectionManager<C>,
}

/// A pooled connection and when it last came back to the pool healthy.
/// Dereferences to the Diesel connection.
pub struct CheckedConnection<C> {
    conn: C,
    returned: Option<Instant>,
}

impl<C> Deref for CheckedConnection<C> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.conn
    }
}

impl<C> DerefMut for CheckedConnection<C> {
    fn deref_mut(&mut self) -> &mut C {
        &mut self.conn
    }
}

impl<C: R2D2Connection + 'static> ManageConnection for Checked<C> {
    type Connection = CheckedConnection<C>;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Self::Connection, Self::Error> {
        Ok(CheckedConnection {
            conn: self.inner.connect()?,
            returned: None,
        })
    }

    fn is_valid(&self, conn: &mut Self::Connection) -> Result<(), Self::Error> {
        if conn
            .returned
            .is_some_and(|at| at.elapsed() < TRUST_RECENTLY_RETURNED)
        {
            return Ok(());
        }
        crate::graph::stats::as_health_check(|| self.inner.is_valid(&mut conn.conn))
    }

    fn has_broken(&self, conn: &mut Self::Connection) -> bool {
        let broken = self.inner.has_broken(&mut conn.conn);
        conn.returned = (!broken).then(Instant::now);
        broken
    }
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Database({})", self.backend().name())
    }
}

/// Classifies a database URL: `postgres://…`/`postgresql://…` is Postgres;
/// `sqlite://PATH`, `sqlite:PATH` or a bare file path is SQLite. Returns the
/// backend and the string to hand to its driver.
pub fn classify_url(url: &str) -> (Backend, String) {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return (Backend::Postgres, url.to_string());
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    (Backend::Sqlite, path.to_string())
}

/// Applies the settings every SQLite connection needs: write-ahead logging so
/// readers do not block the writer, foreign keys enforced (SQLite leaves them
/// off by default) and a busy timeout so concurrent writers wait instead of
/// failing at once.
#[derive(Debug, Clone)]
struct SqliteSettings {
    busy_timeout: Duration,
    /// Set only by [`Database::connect_counting`](crate::graph::stats).
    counter: Option<crate::graph::stats::StatementCounter>,
}

impl CustomizeConnection<CheckedConnection<SqliteConnection>, diesel::r2d2::Error>
    for SqliteSettings
{
    fn on_acquire(
        &self,
        conn: &mut CheckedConnection<SqliteConnection>,
    ) -> Result<(), diesel::r2d2::Error> {
        let conn: &mut SqliteConnection = conn;
        conn.batch_execute(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {};",
            self.busy_timeout.as_millis()
        ))
        .map_err(diesel::r2d2::Error::QueryError)?;
        match &self.counter {
            Some(counter) => {
                diesel::Connection::set_instrumentation(conn, counter.instrumentation())
            }
            None => diesel::Connection::set_instrumentation(
                conn,
                crate::graph::stats::CountStatements::process(),
            ),
        }
        Ok(())
    }
}

/// Installs statement counting on Postgres connections (see
/// [`crate::graph::stats`]): into the pool's counter when it has one, into
/// the process's count always.
#[derive(Debug)]
struct PgCounting(Option<crate::graph::stats::StatementCounter>);

impl CustomizeConnection<CheckedConnection<PgConnection>, diesel::r2d2::Error> for PgCounting {
    fn on_acquire(
        &self,
        conn: &mut CheckedConnection<PgConnection>,
    ) -> Result<(), diesel::r2d2::Error> {
        let conn: &mut PgConnection = conn;
        match &self.0 {
            Some(counter) => {
                diesel::Connection::set_instrumentation(conn, counter.instrumentation())
            }
            None => diesel::Connection::set_instrumentation(
                conn,
                crate::graph::stats::CountStatements::process(),
            ),
        }
        Ok(())
    }
}

impl Database {
    /// Opens a pool for `url` (see [`classify_url`]) and checks that one
    /// connection can be made.
    pub fn connect(url: &str, options: &PoolOptions) -> Result<Self, StoreError> {
        Self::connect_with_counter(url, options, None)
    }

    pub(crate) fn connect_with_counter(
        url: &str,
        options: &PoolOptions,
        counter: Option<crate::graph::stats::StatementCounter>,
    ) -> Result<Self, StoreError> {
        let (backend, target) = classify_url(url);
        let connect_error = |reason: String| StoreError::Connect {
            url: redact(url),
            reason,
        };
        match backend {
            Backend::Sqlite => {
                let in_memory = target == ":memory:";
                let manager = Checked {
                    inner: ConnectionManager::<SqliteConnection>::new(target),
                };
                let pool = Pool::builder()
                    // Every in-memory connection is its own database: one
                    // connection keeps the data visible to every caller.
                    .max_size(if in_memory { 1 } else { options.max_size })
                    .connection_timeout(options.connection_timeout)
                    .connection_customizer(Box::new(SqliteSettings {
                        busy_timeout: options.sqlite_busy_timeout,
                        counter,
                    }))
                    .build(manager)
                    .map_err(|e| connect_error(e.to_string()))?;
                Ok(Database::Sqlite(pool))
            }
            Backend::Postgres => {
                let manager = Checked {
                    inner: ConnectionManager::<PgConnection>::new(target),
                };
                let pool = Pool::builder()
                    .max_size(options.max_size)
                    .connection_timeout(options.connection_timeout)
                    .connection_customizer(Box::new(PgCounting(counter)))
                    .build(manager)
                    .map_err(|e| connect_error(e.to_string()))?;
                Ok(Database::Postgres(pool))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Database::Sqlite(_) => Backend::Sqlite,
            Database::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies every pending migration; returns the versions applied.
    pub fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let applied = match self {
            Database::Sqlite(pool) => {
                let mut conn = pool.get()?;
                conn.run_pending_migrations(SQLITE_MIGRATIONS)
                    .map(|v| v.iter().map(|m| m.to_string()).collect())
            }
            Database::Postgres(pool) => {
                let mut conn = pool.get()?;
                conn.run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|v| v.iter().map(|m| m.to_string()).collect())
            }
        };
        applied.map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// Reverts every applied migration, newest first; returns their versions.
    pub fn revert_all(&self) -> Result<Vec<String>, StoreError> {
        let reverted = match self {
            Database::Sqlite(pool) => {
                let mut conn = pool.get()?;
                conn.revert_all_migrations(SQLITE_MIGRATIONS)
                    .map(|v| v.iter().map(|m| m.to_string()).collect())
            }
            Database::Postgres(pool) => {
                let mut conn = pool.get()?;
                conn.revert_all_migrations(POSTGRES_MIGRATIONS)
                    .map(|v| v.iter().map(|m| m.to_string()).collect())
            }
        };
        reverted.map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// Versions of the migrations applied so far, oldest first.
    pub fn applied_migrations(&self) -> Result<Vec<String>, StoreError> {
        let applied = match self {
            Database::Sqlite(pool) => pool.get()?.applied_migrations(),
            Database::Postgres(pool) => pool.get()?.applied_migrations(),
        };
        let mut versions: Vec<String> = applied
            .map_err(|e| StoreError::Migration(e.to_string()))?
            .iter()
            .map(|v| v.to_string())
            .collect();
        versions.sort();
        Ok(versions)
    }
}

/// Hides a password in a URL before it goes into an error or a log line.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Runs `$body` with `$conn` bound to a pooled connection of whichever backend
/// `$db` uses. The body is compiled once per backend, so it may use any
/// Diesel feature both backends support without generic bounds.
#[macro_export]
macro_rules! with_conn {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::db::Database::Sqlite(pool) => {
                let mut pooled = pool.get()?;
                let $conn: &mut ::diesel::SqliteConnection = &mut pooled;
                $body
            }
            $crate::db::Database::Postgres(pool) => {
                let mut pooled = pool.get()?;
                let $conn: &mut ::diesel::PgConnection = &mut pooled;
                $body
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend() {
        assert_eq!(classify_url("postgres://u@h/db").0, Backend::Postgres);
        assert_eq!(classify_url("postgresql://u@h/db").0, Backend::Postgres);
        assert_eq!(
            classify_url("sqlite:///tmp/x.db"),
            (Backend::Sqlite, "/tmp/x.db".into())
        );
        assert_eq!(
            classify_url("data/c.db"),
            (Backend::Sqlite, "data/c.db".into())
        );
        assert_eq!(
            classify_url("sqlite::memory:"),
            (Backend::Sqlite, ":memory:".into())
        );
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("cruscotto.db"), "cruscotto.db");
    }
}
