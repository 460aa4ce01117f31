//! Connections: which backend a URL names, the connection pools, the settings
//! every SQLite connection gets, and the embedded migrations of both backends.

use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::r2d2::{
    ConnectionManager, CustomizeConnection, ManageConnection, Pool, R2D2Connection,
};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use diesel_migrations::MigrationHarness;

use crate::backend::{pg, sqlite};
use crate::error::StoreError;

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
    /// Open the database for reading only: SQLite opens the file read-only
    /// (so a file the process cannot write can still be read and served),
    /// Postgres sessions are read-only transactions. Writes then fail with
    /// [`StoreError::ReadOnly`] and migrations are not applied (an
    /// out-of-date schema is refused, see [`Database::migrate`]). A SQLite
    /// file that cannot be written is opened read-only even without it.
    pub read_only: bool,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_size: 8,
            connection_timeout: Duration::from_secs(10),
            sqlite_busy_timeout: Duration::from_secs(5),
            read_only: false,
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
/// backend and the string to hand to its driver. Any other `scheme://` is
/// refused, naming it and the supported ones (a `mysql://…` URL must not
/// become a SQLite file of that name).
pub fn classify_url(url: &str) -> Result<(Backend, String), StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_string()));
    }
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        return Ok((Backend::Sqlite, path.to_string()));
    }
    if let Some((scheme, _)) = url.split_once("://") {
        let is_scheme = !scheme.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if is_scheme {
            return Err(StoreError::Connect {
                url: redact(url),
                reason: format!(
                    "the scheme {scheme}:// is not supported; use postgres://USER@HOST:PORT/DATABASE \
                     (or postgresql://), sqlite://PATH, or a plain SQLite file path"
                ),
            });
        }
    }
    Ok((Backend::Sqlite, url.to_string()))
}

/// Applies the settings every SQLite connection needs: write-ahead logging so
/// readers do not block the writer, foreign keys enforced (SQLite leaves them
/// off by default) and a busy timeout so concurrent writers wait instead of
/// failing at once.
#[derive(Debug, Clone)]
struct SqliteSettings {
    busy_timeout: Duration,
    /// A read-only connection cannot switch the journal mode (a write).
    read_only: bool,
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
        let journal = if self.read_only {
            "PRAGMA query_only = ON;"
        } else {
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
        };
        conn.batch_execute(&format!(
            "{journal} PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {};",
            self.busy_timeout.as_millis()
        ))
        .map_err(diesel::r2d2::Error::QueryError)?;
        let counting = match &self.counter {
            Some(counter) => counter.instrumentation(),
            None => crate::graph::stats::CountStatements::process(),
        };
        diesel::Connection::set_instrumentation(conn, WatchDiskFull(counting));
        Ok(())
    }
}

/// Notes a SQLITE_FULL as the statement that got it finishes: SQLite then
/// rolls the transaction back by itself, and Diesel's rollback, which
/// fails, replaces the error (see [`crate::error::note_disk_full`]).
struct WatchDiskFull<I>(I);

impl<I: diesel::connection::Instrumentation> diesel::connection::Instrumentation
    for WatchDiskFull<I>
{
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        if let diesel::connection::InstrumentationEvent::FinishQuery {
            error: Some(diesel::result::Error::DatabaseError(_, info)),
            ..
        } = &event
        {
            if info.message().contains("database or disk is full") {
                crate::error::note_disk_full();
            }
        }
        self.0.on_connection_event(event);
    }
}

/// Installs statement counting on Postgres connections (see
/// [`crate::graph::stats`]): into the pool's counter when it has one, into
/// the process's count always.
#[derive(Debug)]
struct PgCounting {
    counter: Option<crate::graph::stats::StatementCounter>,
    /// Every transaction of the session is read-only.
    read_only: bool,
}

impl CustomizeConnection<CheckedConnection<PgConnection>, diesel::r2d2::Error> for PgCounting {
    fn on_acquire(
        &self,
        conn: &mut CheckedConnection<PgConnection>,
    ) -> Result<(), diesel::r2d2::Error> {
        let conn: &mut PgConnection = conn;
        if self.read_only {
            conn.batch_execute("SET default_transaction_read_only = on")
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
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
        let (backend, target) = classify_url(url)?;
        let connect_error = |reason: String| StoreError::Connect {
            url: redact(url),
            reason,
        };
        // One connection is made directly first: its error says what is
        // wrong at once (refused, no such database, authentication), where
        // the pool would retry until its timeout and report only that.
        match backend {
            Backend::Sqlite => {
                let in_memory = target == ":memory:" || target.contains("mode=memory");
                let read_only =
                    options.read_only || (!in_memory && sqlite_file_is_read_only(&target));
                let mut target = if read_only {
                    sqlite_read_only_uri(&target)
                } else {
                    target
                };
                let mut probe = SqliteConnection::establish(&target)
                    .map_err(|e| connect_error(sqlite_connect_reason(&target, &e)))?;
                // A WAL database in a directory nobody may write (a
                // read-only mount) cannot be read even read-only: SQLite
                // needs its `-shm` file. Nobody can change such a file, so
                // it is opened as immutable.
                if read_only
                    && diesel::sql_query("SELECT 1 FROM sqlite_master LIMIT 1")
                        .execute(&mut probe)
                        .is_err()
                {
                    target.push_str("&immutable=1");
                    tracing::warn!(
                        database = %target,
                        "the SQLite file and its directory are read-only: opened as immutable, \
                         changes by other processes will not be seen"
                    );
                    let mut probe = SqliteConnection::establish(&target)
                        .map_err(|e| connect_error(sqlite_connect_reason(&target, &e)))?;
                    diesel::sql_query("SELECT 1 FROM sqlite_master LIMIT 1")
                        .execute(&mut probe)
                        .map_err(|e| connect_error(format!("cannot read the SQLite file: {e}")))?;
                }
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
                        read_only,
                        counter,
                    }))
                    .build(manager)
                    .map_err(|e| connect_error(e.to_string()))?;
                Ok(Database::Sqlite(pool))
            }
            Backend::Postgres => {
                let target = with_connect_timeout(&target, options.connection_timeout);
                PgConnection::establish(&target)
                    .map_err(|e| connect_error(postgres_connect_reason(&e)))?;
                let manager = Checked {
                    inner: ConnectionManager::<PgConnection>::new(target),
                };
                let pool = Pool::builder()
                    .max_size(options.max_size)
                    .connection_timeout(options.connection_timeout)
                    .connection_customizer(Box::new(PgCounting {
                        counter,
                        read_only: options.read_only,
                    }))
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
    ///
    /// A database migrated by a newer cruscotto (it has a migration this
    /// binary does not know) is refused with both versions named. A
    /// read-only database gets no migration: it is used when it is up to
    /// date and refused, naming what it lacks, when it is not.
    pub fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let known = self.known_migrations();
        let applied = self.recorded_migrations()?;
        if let Some(newest) = applied.iter().filter(|v| !known.contains(v)).max() {
            let binary = known.iter().max().cloned().unwrap_or_default();
            if *newest > binary {
                return Err(StoreError::NewerDatabase {
                    database: newest.clone(),
                    binary,
                });
            }
        }
        if self.is_read_only() {
            let pending: Vec<&String> = known.iter().filter(|v| !applied.contains(v)).collect();
            return match pending.as_slice() {
                [] => Ok(Vec::new()),
                pending => Err(StoreError::ReadOnly(format!(
                    "it lacks {} migration(s) ({}), which cannot be applied to a read-only database; \
                     run `cruscotto migrate` with write access first",
                    pending.len(),
                    pending.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
                ))),
            };
        }
        let applied = crate::backend::on_backend!(self, |conn, b| conn
            .run_pending_migrations(b::MIGRATIONS)
            .map(|v| v.iter().map(|m| m.to_string()).collect()));
        applied.map_err(migration_error)
    }

    /// Runs `sql` (statements separated by `;`) as it is, outside every
    /// writer: for tools and tests that arrange what no write path does
    /// (the test databases crate uses it). The service itself never calls
    /// it.
    pub fn batch_execute(&self, sql: &str) -> Result<(), StoreError> {
        crate::backend::on_backend!(self, |conn, _b| Ok(conn.batch_execute(sql)?))
    }

    /// The data version: a number that every committed write transaction
    /// of any process increments. Two reads that see the same version see
    /// the same data (HTTP uses it for `ETag`s).
    pub fn data_version(&self) -> Result<i64, StoreError> {
        use crate::schema::data_version::dsl::*;
        use diesel::QueryDsl;
        Ok(crate::backend::on_backend!(self, |conn, _b| data_version
            .select(version)
            .find(1)
            .first::<i64>(conn)?))
    }

    /// Whether writes are refused (see [`PoolOptions::read_only`]).
    pub fn is_read_only(&self) -> bool {
        self.read_only_flag().unwrap_or(false)
    }

    /// What [`Database::is_read_only`] reads, on a pooled connection.
    fn read_only_flag(&self) -> Result<bool, StoreError> {
        crate::backend::on_backend!(self, |conn, b| Ok(b::is_read_only(conn)))
    }

    /// Versions of the migrations compiled into this binary.
    fn known_migrations(&self) -> Vec<String> {
        use diesel::migration::MigrationSource;
        let versions = match self.backend() {
            Backend::Sqlite => {
                MigrationSource::<diesel::sqlite::Sqlite>::migrations(&sqlite::MIGRATIONS)
                    .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect())
            }
            Backend::Postgres => MigrationSource::<diesel::pg::Pg>::migrations(&pg::MIGRATIONS)
                .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect()),
        };
        versions.unwrap_or_default()
    }

    /// Versions recorded in the database's migration table, read without
    /// writing (Diesel's harness creates the table first); none when the
    /// table does not exist yet.
    fn recorded_migrations(&self) -> Result<Vec<String>, StoreError> {
        let exists: Count = crate::backend::on_backend!(self, |conn, b| {
            diesel::sql_query(b::MIGRATION_TABLE_EXISTS).get_result(conn)?
        });
        if exists.n == 0 {
            return Ok(Vec::new());
        }
        let query = diesel::sql_query("SELECT version FROM __diesel_schema_migrations");
        let rows: Vec<Version> = crate::backend::on_backend!(self, |conn, _b| query.load(conn)?);
        Ok(rows.into_iter().map(|r| r.version).collect())
    }

    /// Reverts every applied migration, newest first; returns their versions.
    pub fn revert_all(&self) -> Result<Vec<String>, StoreError> {
        let reverted = crate::backend::on_backend!(self, |conn, b| conn
            .revert_all_migrations(b::MIGRATIONS)
            .map(|v| v.iter().map(|m| m.to_string()).collect()));
        reverted.map_err(migration_error)
    }

    /// Versions of the migrations applied so far, oldest first.
    pub fn applied_migrations(&self) -> Result<Vec<String>, StoreError> {
        let applied = crate::backend::on_backend!(self, |conn, _b| conn.applied_migrations());
        let mut versions: Vec<String> = applied
            .map_err(|e| StoreError::Migration(e.to_string()))?
            .iter()
            .map(|v| v.to_string())
            .collect();
        versions.sort();
        Ok(versions)
    }
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct Version {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

/// A migration that failed: a database error inside it is classified like
/// any other (a full disk says so), the rest keeps Diesel's message.
fn migration_error(e: Box<dyn std::error::Error + Send + Sync>) -> StoreError {
    match e.downcast::<diesel::result::Error>() {
        Ok(e) => match crate::error::classify(*e) {
            StoreError::Query(e) => StoreError::Migration(e.to_string()),
            other => other,
        },
        Err(e) => StoreError::Migration(e.to_string()),
    }
}

/// Whether an existing SQLite file cannot be opened for writing by this
/// process (permissions, a read-only mount). A file that does not exist
/// yet is not read-only: it will be created.
fn sqlite_file_is_read_only(path: &str) -> bool {
    if path.starts_with("file:") {
        return path.contains("mode=ro");
    }
    match std::fs::OpenOptions::new().write(true).open(path) {
        Ok(_) => false,
        Err(e) => matches!(
            e.kind(),
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
        ),
    }
}

/// `data/c.db` → `file:data/c.db?mode=ro`: SQLite's URI form opening the
/// file read-only (no journal-mode change, no file created).
fn sqlite_read_only_uri(path: &str) -> String {
    if path.starts_with("file:") {
        if path.contains("mode=ro") {
            return path.to_string();
        }
        let sep = if path.contains('?') { '&' } else { '?' };
        return format!("{path}{sep}mode=ro");
    }
    let mut uri = String::from("file:");
    for c in path.chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3F"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?mode=ro");
    uri
}

/// Why a SQLite file could not be opened, in terms of the file.
fn sqlite_connect_reason(target: &str, e: &diesel::ConnectionError) -> String {
    let path = std::path::Path::new(target);
    if !target.starts_with("file:") && target != ":memory:" {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.is_dir() {
                return format!("the directory {} does not exist", dir.display());
            }
        }
        if path.is_dir() {
            return format!("{target} is a directory, not a SQLite file");
        }
    }
    format!("cannot open the SQLite file {target}: {e}")
}

/// Why a Postgres server could not be reached, from libpq's message: the
/// first line says it (refused at host and port, no such database,
/// authentication failed), the hints after it are for a person at the
/// server.
fn postgres_connect_reason(e: &diesel::ConnectionError) -> String {
    let message = e.to_string();
    let first = message.lines().next().unwrap_or_default().trim();
    // "connection to server at "127.0.0.1", port 5999 failed: Connection refused"
    let place = first
        .strip_prefix("connection to server at ")
        .and_then(|rest| rest.split_once(" failed:"))
        .map(|(place, _)| place.replace('"', "").replace(", port ", ":"));
    let cause = first.rsplit(" failed: ").next().unwrap_or(first).trim();
    if cause.contains("Connection refused") {
        match place {
            Some(place) => format!("connection refused at {place} (is Postgres running there?)"),
            None => format!("connection refused ({cause})"),
        }
    } else if cause.contains("does not exist") && cause.contains("database") {
        format!("no such database: {cause}")
    } else if cause.contains("authentication failed") || cause.contains("password") {
        format!("authentication failed: {cause}")
    } else if cause.contains("timeout expired") {
        match place {
            Some(place) => format!("no answer from {place} in time (connection timed out)"),
            None => "no answer in time (connection timed out)".to_string(),
        }
    } else {
        cause.to_string()
    }
}

/// Adds libpq's `connect_timeout` (whole seconds) unless the URL sets one:
/// a host that drops packets is given up on instead of waiting for TCP.
fn with_connect_timeout(url: &str, timeout: Duration) -> String {
    if url.contains("connect_timeout=") {
        return url.to_string();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}connect_timeout={}", timeout.as_secs().max(1))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend() {
        let ok = |url: &str| classify_url(url).expect("a supported URL");
        assert_eq!(ok("postgres://u@h/db").0, Backend::Postgres);
        assert_eq!(ok("postgresql://u@h/db").0, Backend::Postgres);
        assert_eq!(
            ok("sqlite:///tmp/x.db"),
            (Backend::Sqlite, "/tmp/x.db".into())
        );
        assert_eq!(ok("data/c.db"), (Backend::Sqlite, "data/c.db".into()));
        assert_eq!(ok("sqlite::memory:"), (Backend::Sqlite, ":memory:".into()));
    }

    #[test]
    fn unknown_schemes_are_refused_naming_the_scheme_and_the_supported_ones() {
        let e = classify_url("mysql://root:pw@h/db").expect_err("mysql is not supported");
        let message = e.to_string();
        assert!(message.contains("mysql://"), "{message}");
        assert!(
            message.contains("postgres://") && message.contains("sqlite://"),
            "{message}"
        );
        assert!(!message.contains("pw"), "{message}");
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("cruscotto.db"), "cruscotto.db");
    }
}
