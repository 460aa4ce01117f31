//! Throw-away databases for tests, on both backends.
//!
//! Every test gets its own database: a fresh SQLite file in a temporary
//! directory, and a fresh Postgres database on the server that
//! `CRUSCOTTO_TEST_POSTGRES_URL` names, created for the test and dropped
//! when the guard goes out of scope. Nothing is shared between tests, so
//! they run in parallel without ordering or retries. A test run without a
//! Postgres server that answers fails, unless `CRUSCOTTO_ALLOW_MISSING`
//! lists `postgres` ([`needs`]).

pub mod needs;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use crate::db::{Backend, Database, PoolOptions};

/// Environment variable naming the Postgres server tests may use, e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`.
pub const POSTGRES_URL_VAR: &str = "CRUSCOTTO_TEST_POSTGRES_URL";

/// A migrated, empty database that disappears with the value.
pub struct TestDatabase {
    pub db: Database,
    /// The URL the database answers on (for starting a server or the CLI).
    pub url: String,
    cleanup: Cleanup,
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TestDatabase({})", self.url)
    }
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir), // Removed on drop.
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// The backends this run tests: SQLite and Postgres. Without a
    /// Postgres server the test fails, or, when `CRUSCOTTO_ALLOW_MISSING`
    /// lists `postgres`, says that its Postgres half is skipped and gets
    /// SQLite alone (see [`postgres_url`]).
    pub fn backends() -> Vec<Backend> {
        let mut b = vec![Backend::Sqlite];
        if postgres_url().is_some() {
            b.push(Backend::Postgres);
        }
        b
    }

    /// A fresh, migrated database of `backend`. Panics with a clear message
    /// when it cannot be made: a test without its database cannot pass.
    pub fn new(backend: Backend) -> TestDatabase {
        let t = Self::unmigrated(backend);
        t.db.migrate()
            .expect("migrations apply to a fresh database");
        t
    }

    /// A fresh database of `backend` without any migration applied.
    pub fn unmigrated(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = dir.path().join("test.db").display().to_string();
                let db = Database::connect(&url, &PoolOptions::default()).expect("SQLite opens");
                TestDatabase {
                    db,
                    url,
                    cleanup: Cleanup::Sqlite(dir),
                }
            }
            Backend::Postgres => {
                let admin_url = postgres_url().unwrap_or_else(|| {
                    panic!(
                        "a Postgres test database was asked for while Postgres is missing:                          test the backends TestDatabase::backends() gives"
                    )
                });
                static COUNTER: AtomicU32 = AtomicU32::new(0);
                let name = format!(
                    "cruscotto_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    chrono::Utc::now().timestamp_subsec_nanos()
                );
                let mut admin = PgConnection::establish(&admin_url)
                    .unwrap_or_else(|e| panic!("cannot reach Postgres at {admin_url}: {e}"));
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
                let url = replace_database(&admin_url, &name);
                let options = PoolOptions {
                    max_size: 4,
                    ..PoolOptions::default()
                };
                let db = Database::connect(&url, &options).expect("Postgres test database opens");
                TestDatabase {
                    db,
                    url,
                    cleanup: Cleanup::Postgres { admin_url, name },
                }
            }
        }
    }
}

impl TestDatabase {
    /// Runs `sql` (statements separated by `;`) on the database, for tests
    /// that arrange what no write path does: a fault raised by a trigger, a
    /// binding to a calculator that is not loaded, a damaged row.
    pub fn execute(&self, sql: &str) {
        let run = || -> Result<(), crate::StoreError> {
            crate::on_backend!(&self.db, |conn, _b| Ok(conn.batch_execute(sql)?))
        };
        run().unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Takes SQLite's write lock on a connection of its own (`BEGIN
    /// IMMEDIATE`, as a writer of another process would) and holds it until
    /// the value is dropped.
    pub fn hold_write_lock(&self) -> HeldWriteLock {
        assert_eq!(self.db.backend(), Backend::Sqlite, "a SQLite write lock");
        let mut conn = diesel::SqliteConnection::establish(&self.url)
            .unwrap_or_else(|e| panic!("SQLite opens {}: {e}", self.url));
        conn.batch_execute("BEGIN IMMEDIATE")
            .expect("the write lock is free");
        HeldWriteLock(conn)
    }
}

/// SQLite's write lock, held until dropped ([`TestDatabase::hold_write_lock`]).
pub struct HeldWriteLock(#[allow(dead_code)] diesel::SqliteConnection); // Closed on drop.

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            // FORCE ends the pool's idle connections still open at this point.
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

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
    PgConnection::establish(&url).map_err(|e| {
        format!(
            "Postgres does not answer at {} ({POSTGRES_URL_VAR}): {e}",
            crate::db::redact(&url)
        )
    })?;
    Ok(url)
}

/// `postgres://u@h:5432/postgres?x=y` with the database name replaced.
fn replace_database(url: &str, name: &str) -> String {
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

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced_in_urls() {
        assert_eq!(
            super::replace_database("postgres://p@127.0.0.1:5432/postgres", "t1"),
            "postgres://p@127.0.0.1:5432/t1"
        );
        assert_eq!(
            super::replace_database("postgres://p@h/db?sslmode=disable", "t2"),
            "postgres://p@h/t2?sslmode=disable"
        );
        assert_eq!(
            super::replace_database("postgres://p@h", "t3"),
            "postgres://p@h/t3"
        );
    }
}
