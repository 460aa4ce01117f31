//! Postgres databases for tests, without the storage crate's types: the
//! server of the run, the template database migrated once per set of
//! migrations, and databases cloned from it that are dropped with their
//! guard.
//!
//! A template is named after a digest of the migration files' contents
//! ([`migrations_digest`]), so a changed migration gets a template of its
//! own and an unchanged one is found again by every later run. The first
//! test of a run that finds no finished template builds it under a
//! session-level advisory lock on the server's admin database: concurrent
//! test processes (the binaries of `cargo test`, nextest's one process per
//! test) wait for the one building it instead of racing. A template is
//! finished when it is marked `IS_TEMPLATE` with `ALLOW_CONNECTIONS false`,
//! which is done in one statement after the migrations ran and every
//! connection to it was closed. A database of the template's name without
//! that mark is what a killed run left behind; it is dropped and built
//! again. Nobody connects to a finished template, which `CREATE DATABASE …
//! TEMPLATE` requires.
//!
//! Standard library, Diesel and SHA-256 only: the storage crate's unit
//! tests include this file with `#[path]` (the test databases crate
//! depends on the storage crate, so its unit tests cannot depend on it),
//! next to `needs.rs`, which this module reaches as `super::needs`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use diesel::connection::SimpleConnection;
use diesel::sql_types::{Bool, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};

use super::needs;

/// Environment variable naming the Postgres server tests may use, e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`. Its database is the admin
/// database: test databases are created and dropped from a connection to
/// it, and the template lock is taken there.
pub const POSTGRES_URL_VAR: &str = "CRUSCOTTO_TEST_POSTGRES_URL";

/// Prefix of every template's name; the rest is the migrations' digest.
pub const TEMPLATE_PREFIX: &str = "cruscotto_template_";

/// Prefix of every test database's name.
pub const DATABASE_PREFIX: &str = "cruscotto_test_";

/// The advisory lock under which templates are built (any template: builds
/// are rare, so one key is enough).
const TEMPLATE_LOCK: i64 = 0x6372_7573_7465_6d70; // "crustemp"

/// The Postgres server of this run (`CRUSCOTTO_TEST_POSTGRES_URL`), once it
/// has been seen to answer (checked once per process). When it is not set
/// or does not answer, the calling test fails saying so and how to get one,
/// unless `CRUSCOTTO_ALLOW_MISSING` lists `postgres`: then it prints
/// `SKIPPED: <test>: …` and this is `None`.
pub fn postgres_url() -> Option<String> {
    static SERVER: OnceLock<Result<String, String>> = OnceLock::new();
    match SERVER.get_or_init(reach_postgres) {
        Ok(url) => Some(url.clone()),
        Err(what) => {
            needs::missing(needs::Need::Postgres, what);
            None
        }
    }
}

fn reach_postgres() -> Result<String, String> {
    let url = std::env::var(POSTGRES_URL_VAR).unwrap_or_default();
    if url.is_empty() {
        return Err(format!(
            "{POSTGRES_URL_VAR} is not set, so the Postgres half cannot run"
        ));
    }
    // The URL may hold a password: the message names the variable instead
    // (libpq's reason names host and port).
    PgConnection::establish(&url).map_err(|e| {
        format!("Postgres does not answer at the URL {POSTGRES_URL_VAR} gives: {e}")
    })?;
    Ok(url)
}

/// The digest of a directory of migrations: SHA-256 over every file's path
/// relative to `dir` and its contents, in path order, as 64 hex digits. Any
/// change to a migration (its text, its name, a file added or removed)
/// changes it.
pub fn migrations_digest(dir: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut files = Vec::new();
    list_files(dir, &mut files)?;
    files.sort();
    let mut hasher = Sha256::new();
    for file in &files {
        let relative = file.strip_prefix(dir).unwrap_or(file);
        let contents = std::fs::read(file)?;
        // Lengths first, so that no two different lists hash alike.
        let name = relative.to_string_lossy();
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update((contents.len() as u64).to_le_bytes());
        hasher.update(&contents);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn list_files(dir: &Path, into: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            list_files(&path, into)?;
        } else {
            into.push(path);
        }
    }
    Ok(())
}

/// The name of the template of migrations with `digest`
/// ([`migrations_digest`]): the prefix and 24 hex digits (96 bits), well
/// within Postgres's 63 bytes.
pub fn template_name(digest: &str) -> String {
    let short: String = digest.chars().take(24).collect();
    format!("{TEMPLATE_PREFIX}{short}")
}

/// What state a template's database is in on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateState {
    /// No database of that name.
    Absent,
    /// A database of that name that was never marked finished: a build
    /// that failed or was killed.
    Unfinished,
    /// Migrated, marked `IS_TEMPLATE` and closed to connections.
    Finished,
}

#[derive(QueryableByName)]
struct DatabaseFlags {
    #[diesel(sql_type = Bool)]
    datistemplate: bool,
    #[diesel(sql_type = Bool)]
    datallowconn: bool,
}

/// The state of the template `name` on the server of `admin`.
pub fn template_state(admin: &mut PgConnection, name: &str) -> Result<TemplateState, String> {
    let flags: Vec<DatabaseFlags> =
        diesel::sql_query("SELECT datistemplate, datallowconn FROM pg_database WHERE datname = $1")
            .bind::<Text, _>(name)
            .load(admin)
            .map_err(|e| format!("cannot read pg_database: {e}"))?;
    Ok(match flags.first() {
        None => TemplateState::Absent,
        Some(f) if f.datistemplate && !f.datallowconn => TemplateState::Finished,
        Some(_) => TemplateState::Unfinished,
    })
}

/// Makes sure the finished template `name` exists on the server of
/// `admin_url`, building it if not: an empty database, on which `migrate`
/// runs given its URL (and must close every connection it opened before
/// it returns), then marked finished. Returns whether this call built it.
///
/// A finished template is used as it is, without a lock. Otherwise the
/// build runs under the advisory lock (taken on a connection of its own,
/// so a process killed while building releases it), after looking again:
/// another process may have finished it meanwhile. An unfinished one is
/// dropped first.
pub fn ensure_template(
    admin_url: &str,
    name: &str,
    migrate: impl FnOnce(&str) -> Result<(), String>,
) -> Result<bool, String> {
    let mut admin = connect(admin_url)?;
    if template_state(&mut admin, name)? == TemplateState::Finished {
        return Ok(false);
    }
    execute(
        &mut admin,
        &format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"),
    )?;
    let built = build_locked(&mut admin, admin_url, name, migrate);
    // The lock goes with the session too; unlocking at once lets the next
    // process in without waiting for this connection to close.
    let unlocked = execute(
        &mut admin,
        &format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"),
    );
    let built = built?;
    unlocked?;
    Ok(built)
}

fn build_locked(
    admin: &mut PgConnection,
    admin_url: &str,
    name: &str,
    migrate: impl FnOnce(&str) -> Result<(), String>,
) -> Result<bool, String> {
    match template_state(admin, name)? {
        TemplateState::Finished => return Ok(false),
        TemplateState::Unfinished => {
            // Not marked as a template (the mark is the last step), so it
            // can be dropped as it is; FORCE ends what a dead run left
            // connected.
            execute(
                admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            )?;
        }
        TemplateState::Absent => {}
    }
    execute(admin, &format!("CREATE DATABASE {name}"))?;
    migrate(&database_url(admin_url, name))
        .map_err(|e| format!("cannot migrate the template {name}: {e}"))?;
    // Closed to new connections, then whatever is still connected (a pool
    // that has not yet closed its last connection) is ended: cloning needs
    // a template nobody is connected to. The mark comes last, in one
    // statement, so that a template is finished or is rebuilt.
    execute(
        admin,
        &format!("ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false"),
    )?;
    execute(
        admin,
        &format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ),
    )?;
    execute(
        admin,
        &format!("ALTER DATABASE {name} WITH IS_TEMPLATE true"),
    )?;
    Ok(true)
}

/// Drops the template `name` (a test's own template, or one no run uses
/// any more).
pub fn drop_template(admin_url: &str, name: &str) -> Result<(), String> {
    let mut admin = connect(admin_url)?;
    if template_state(&mut admin, name)? == TemplateState::Absent {
        return Ok(());
    }
    execute(
        &mut admin,
        &format!("ALTER DATABASE {name} WITH IS_TEMPLATE false"),
    )?;
    execute(
        &mut admin,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
}

/// A database of the server that is dropped when the value is: with
/// `FORCE`, so connections a test left open do not keep it.
#[derive(Debug)]
pub struct ScratchDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// A new empty database (a copy of the server's default template).
    pub fn empty(admin_url: &str) -> Result<ScratchDatabase, String> {
        Self::create(admin_url, None)
    }

    /// A new database that is a copy of the finished template `template`
    /// (see [`ensure_template`]).
    pub fn from_template(admin_url: &str, template: &str) -> Result<ScratchDatabase, String> {
        Self::create(admin_url, Some(template))
    }

    fn create(admin_url: &str, template: Option<&str>) -> Result<ScratchDatabase, String> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "{DATABASE_PREFIX}{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
        );
        let mut admin = connect(admin_url)?;
        let statement = match template {
            Some(template) => format!("CREATE DATABASE {name} TEMPLATE {template}"),
            None => format!("CREATE DATABASE {name}"),
        };
        execute(&mut admin, &statement)?;
        Ok(ScratchDatabase {
            admin_url: admin_url.to_string(),
            url: database_url(admin_url, &name),
            name,
        })
    }

    /// Its name on the server.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The URL it answers on.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&self.admin_url) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

fn connect(admin_url: &str) -> Result<PgConnection, String> {
    PgConnection::establish(admin_url)
        .map_err(|e| format!("cannot reach Postgres at the URL {POSTGRES_URL_VAR} gives: {e}"))
}

fn execute(conn: &mut PgConnection, sql: &str) -> Result<(), String> {
    conn.batch_execute(sql).map_err(|e| format!("{sql}: {e}"))
}

/// `postgres://u@h:5432/postgres?x=y` with the database name replaced.
pub fn database_url(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end);
    let host = match path_start {
        Some(i) => &base[..i],
        None => base,
    };
    match query {
        Some(q) => format!("{host}/{name}?{q}"),
        None => format!("{host}/{name}"),
    }
}
