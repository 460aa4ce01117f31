//! Throw-away databases for tests, on both backends.
//!
//! Every test gets its own database: a fresh SQLite file in a temporary
//! directory, and, when `CRUSCOTTO_TEST_POSTGRES_URL` names a Postgres server
//! (CI always sets it), a fresh Postgres database created for the test and
//! dropped when the guard goes out of scope. Nothing is shared between tests,
//! so they run in parallel without ordering or retries.

use std::sync::atomic::{AtomicU32, Ordering};

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
    /// The backends this run tests: SQLite always, Postgres when configured.
    pub fn backends() -> Vec<Backend> {
        let mut b = vec![Backend::Sqlite];
        if std::env::var(POSTGRES_URL_VAR).is_ok_and(|u| !u.is_empty()) {
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
                let admin_url = std::env::var(POSTGRES_URL_VAR)
                    .unwrap_or_else(|_| panic!("{POSTGRES_URL_VAR} is not set"));
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
