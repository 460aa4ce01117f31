//! Throw-away databases for tests, on both backends, and the rule for what
//! a test does when something it needs is missing ([`needs`]).
//!
//! Every test gets its own database: a fresh SQLite file in a temporary
//! directory, and on the Postgres server that `CRUSCOTTO_TEST_POSTGRES_URL`
//! names a database copied from a template that was migrated once
//! ([`postgres`]), dropped when the guard goes out of scope. Nothing is
//! shared between tests, so they run in parallel without ordering or
//! retries. A test run without a Postgres server that answers fails,
//! unless `CRUSCOTTO_ALLOW_MISSING` lists `postgres` ([`needs`]).
//!
//! The tests that load real calculator plugins build them with
//! [`plugins`].
//!
//! A dev-dependency only: no production crate depends on it.

pub mod needs;
pub mod plugins;
pub mod postgres;

use std::path::Path;
use std::sync::OnceLock;

use cruscotto_store::{Backend, Database, PoolOptions};
use diesel::connection::SimpleConnection;
use diesel::Connection;

pub use postgres::{postgres_url, POSTGRES_URL_VAR};

/// The Postgres migrations that the storage crate embeds, read again here
/// for their digest (`cargo test` has just compiled these same files into
/// the storage crate).
pub const POSTGRES_MIGRATIONS_DIR: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/postgres");

/// An empty database that disappears with the value: migrated
/// ([`TestDatabase::new`]) or not ([`TestDatabase::unmigrated`]).
pub struct TestDatabase {
    pub db: Database,
    /// The URL the database answers on (for starting a server or the CLI).
    pub url: String,
    // Dropped after `db` (fields drop in order): the pool's connections
    // close before the database goes.
    _cleanup: Cleanup,
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TestDatabase({})", self.url)
    }
}

/// What removes the database: the temporary directory of the SQLite file,
/// or the Postgres database's guard.
#[allow(dead_code)] // Held for its `Drop`.
enum Cleanup {
    Sqlite(tempfile::TempDir),
    Postgres(postgres::ScratchDatabase),
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
    ///
    /// On SQLite the migrations run on the new file; on Postgres the
    /// database is a copy of the template of the current migrations
    /// ([`postgres_template`]).
    pub fn new(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let t = Self::sqlite();
                t.db.migrate()
                    .expect("migrations apply to a fresh database");
                t
            }
            Backend::Postgres => {
                let admin_url = admin_url();
                let template = postgres_template();
                let scratch = postgres::ScratchDatabase::from_template(&admin_url, template)
                    .unwrap_or_else(|e| panic!("cannot copy the template {template}: {e}"));
                Self::postgres(scratch)
            }
        }
    }

    /// A fresh database of `backend` without any migration applied.
    pub fn unmigrated(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => Self::sqlite(),
            Backend::Postgres => {
                let scratch = postgres::ScratchDatabase::empty(&admin_url())
                    .unwrap_or_else(|e| panic!("cannot create a Postgres test database: {e}"));
                Self::postgres(scratch)
            }
        }
    }

    fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = dir.path().join("test.db").display().to_string();
        let db = Database::connect(&url, &PoolOptions::default()).expect("SQLite opens");
        TestDatabase {
            db,
            url,
            _cleanup: Cleanup::Sqlite(dir),
        }
    }

    fn postgres(scratch: postgres::ScratchDatabase) -> TestDatabase {
        let url = scratch.url().to_string();
        let db = Database::connect(&url, &test_pool()).expect("Postgres test database opens");
        TestDatabase {
            db,
            url,
            _cleanup: Cleanup::Postgres(scratch),
        }
    }

    /// Runs `sql` (statements separated by `;`) on the database, for tests
    /// that arrange what no write path does: a fault raised by a trigger, a
    /// binding to a calculator that is not loaded, a damaged row.
    pub fn execute(&self, sql: &str) {
        self.db
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
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

/// The pool of a test database: small, tests open few connections at once.
fn test_pool() -> PoolOptions {
    PoolOptions {
        max_size: 4,
        ..PoolOptions::default()
    }
}

fn admin_url() -> String {
    postgres_url().unwrap_or_else(|| {
        panic!(
            "a Postgres test database was asked for while Postgres is missing: \
             test the backends TestDatabase::backends() gives"
        )
    })
}

/// The name of the finished template of the current Postgres migrations,
/// built on the server by the first test that needs it (of this run or of
/// any run before with the same migrations) and looked up once per
/// process.
pub fn postgres_template() -> &'static str {
    static TEMPLATE: OnceLock<Result<String, String>> = OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        let digest = postgres::migrations_digest(Path::new(POSTGRES_MIGRATIONS_DIR))
            .map_err(|e| format!("cannot read {POSTGRES_MIGRATIONS_DIR}: {e}"))?;
        let name = postgres::template_name(&digest);
        postgres::ensure_template(&admin_url(), &name, migrate_postgres)?;
        Ok(name)
    });
    match template {
        Ok(name) => name,
        Err(e) => panic!("no Postgres template database: {e}"),
    }
}

/// Applies the storage crate's migrations to the Postgres database at
/// `url`, on one connection that is closed before this returns.
pub fn migrate_postgres(url: &str) -> Result<(), String> {
    let options = PoolOptions {
        max_size: 1,
        ..PoolOptions::default()
    };
    let db = Database::connect(url, &options).map_err(|e| e.to_string())?;
    db.migrate().map_err(|e| e.to_string())?;
    Ok(())
}
