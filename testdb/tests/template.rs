//! The test databases themselves: copies of the template are migrated and
//! independent, the template is named by its migrations, built once even
//! when many ask at the same time, rebuilt when a run left it half made,
//! and nobody stays connected to it.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use cruscotto_store::Backend;
use cruscotto_testdb::postgres::{self, ScratchDatabase, TemplateState};
use cruscotto_testdb::{TestDatabase, POSTGRES_MIGRATIONS_DIR};
use diesel::connection::SimpleConnection;
use diesel::sql_types::BigInt;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};

const HASH: &str = "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd";

#[test]
fn two_databases_are_migrated_and_independent() {
    for backend in TestDatabase::backends() {
        let (a, b) = (TestDatabase::new(backend), TestDatabase::new(backend));
        assert_ne!(a.url, b.url);
        // Nothing left to apply: each is at the latest migration.
        assert_eq!(a.db.migrate().unwrap(), Vec::<String>::new(), "{backend:?}");
        assert_eq!(b.db.migrate().unwrap(), Vec::<String>::new(), "{backend:?}");
        a.db.create_token("only-in-a", "viewer", HASH).unwrap();
        assert!(a.db.token_by_hash(HASH).unwrap().is_some());
        assert!(b.db.token_by_hash(HASH).unwrap().is_none(), "{backend:?}");
        assert!(b.db.tokens().unwrap().is_empty(), "{backend:?}");
    }
}

#[test]
fn an_unmigrated_database_gets_every_migration() {
    for backend in TestDatabase::backends() {
        let migrated = TestDatabase::new(backend);
        let t = TestDatabase::unmigrated(backend);
        assert!(!t.db.migrate().unwrap().is_empty(), "{backend:?}");
        assert_eq!(t.db.columns().unwrap(), migrated.db.columns().unwrap());
    }
}

#[test]
fn a_postgres_database_is_gone_once_its_guard_is() {
    let Some(admin) = cruscotto_testdb::postgres_url() else {
        return;
    };
    let t = TestDatabase::new(Backend::Postgres);
    let name = t.url.rsplit('/').next().unwrap().to_string();
    // A connection the test did not close does not keep it.
    let open = t.db.token_by_hash(HASH).unwrap();
    assert!(open.is_none());
    assert!(database_exists(&admin, &name));
    drop(t);
    assert!(!database_exists(&admin, &name));
}

#[test]
fn the_template_is_named_by_the_contents_of_the_migrations() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new(POSTGRES_MIGRATIONS_DIR), dir.path());
    let digest = |d: &Path| postgres::migrations_digest(d).unwrap();
    let original = digest(Path::new(POSTGRES_MIGRATIONS_DIR));
    assert_eq!(digest(dir.path()), original, "a copy has the same digest");

    let up = first_up_sql(dir.path());
    let text = std::fs::read_to_string(&up).unwrap();
    std::fs::write(&up, format!("{text}\n-- changed\n")).unwrap();
    let changed = digest(dir.path());
    assert_ne!(changed, original);
    assert_ne!(
        postgres::template_name(&changed),
        postgres::template_name(&original)
    );

    std::fs::write(&up, &text).unwrap();
    assert_eq!(digest(dir.path()), original, "the same text again");
    let extra = dir.path().join("2999-01-01-000001_extra");
    std::fs::create_dir(&extra).unwrap();
    std::fs::write(extra.join("up.sql"), "SELECT 1;").unwrap();
    assert_ne!(digest(dir.path()), original, "a migration more");
    std::fs::remove_dir_all(&extra).unwrap();
    let renamed = up.with_file_name("up2.sql");
    std::fs::rename(&up, &renamed).unwrap();
    assert_ne!(digest(dir.path()), original, "a file renamed");

    let name = postgres::template_name(&original);
    assert!(name.len() <= 63, "{name}");
    assert!(name.starts_with(postgres::TEMPLATE_PREFIX), "{name}");
}

#[test]
fn the_template_of_the_current_migrations_is_finished_and_nobody_is_connected_to_it() {
    let Some(admin) = cruscotto_testdb::postgres_url() else {
        return;
    };
    let _t = TestDatabase::new(Backend::Postgres);
    let name = cruscotto_testdb::postgres_template();
    let digest = postgres::migrations_digest(Path::new(POSTGRES_MIGRATIONS_DIR)).unwrap();
    assert_eq!(name, postgres::template_name(&digest));
    let mut conn = PgConnection::establish(&admin).unwrap();
    assert_eq!(
        postgres::template_state(&mut conn, name).unwrap(),
        TemplateState::Finished
    );
    assert_eq!(connections_to(&mut conn, name), 0);
    let url = postgres::database_url(&admin, name);
    assert!(
        PgConnection::establish(&url).is_err(),
        "the template refuses connections"
    );
}

/// A template of the test's own (a name no migrations give), dropped at
/// the end.
struct OwnTemplate {
    admin: String,
    name: String,
}

impl OwnTemplate {
    fn new(admin: &str, label: &str) -> OwnTemplate {
        let name = format!(
            "{}test_{label}_{}",
            postgres::TEMPLATE_PREFIX,
            std::process::id()
        );
        postgres::drop_template(admin, &name).unwrap();
        OwnTemplate {
            admin: admin.to_string(),
            name,
        }
    }
}

impl Drop for OwnTemplate {
    fn drop(&mut self) {
        let _ = postgres::drop_template(&self.admin, &self.name);
    }
}

fn create_table(name: &'static str) -> impl Fn(&str) -> Result<(), String> {
    move |url| {
        let mut conn = PgConnection::establish(url).map_err(|e| e.to_string())?;
        conn.batch_execute(&format!("CREATE TABLE {name} (id integer)"))
            .map_err(|e| e.to_string())
    }
}

#[test]
fn a_template_is_built_once_when_many_ask_at_the_same_time() {
    let Some(admin) = cruscotto_testdb::postgres_url() else {
        return;
    };
    let template = OwnTemplate::new(&admin, "concurrent");
    let builds = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(4));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (admin, name) = (admin.clone(), template.name.clone());
            let (builds, start) = (builds.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                postgres::ensure_template(&admin, &name, |url| {
                    builds.fetch_add(1, Ordering::SeqCst);
                    // Long enough for every other thread to look meanwhile.
                    std::thread::sleep(Duration::from_millis(300));
                    create_table("built")(url)
                })
                .unwrap()
            })
        })
        .collect();
    let built: Vec<bool> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(builds.load(Ordering::SeqCst), 1);
    assert_eq!(built.iter().filter(|b| **b).count(), 1, "{built:?}");
    let copy = ScratchDatabase::from_template(&admin, &template.name).unwrap();
    assert_eq!(tables(copy.url()), ["built"]);
}

#[test]
fn a_half_made_template_is_built_again() {
    let Some(admin) = cruscotto_testdb::postgres_url() else {
        return;
    };
    let template = OwnTemplate::new(&admin, "half_made");
    let mut conn = PgConnection::establish(&admin).unwrap();
    // What a run killed while migrating leaves: the database, unmarked.
    conn.batch_execute(&format!("CREATE DATABASE {}", template.name))
        .unwrap();
    create_table("half")(&postgres::database_url(&admin, &template.name)).unwrap();
    assert_eq!(
        postgres::template_state(&mut conn, &template.name).unwrap(),
        TemplateState::Unfinished
    );

    assert!(postgres::ensure_template(&admin, &template.name, create_table("whole")).unwrap());
    assert_eq!(
        postgres::template_state(&mut conn, &template.name).unwrap(),
        TemplateState::Finished
    );
    let a = ScratchDatabase::from_template(&admin, &template.name).unwrap();
    let b = ScratchDatabase::from_template(&admin, &template.name).unwrap();
    assert_eq!(tables(a.url()), ["whole"]);
    assert_eq!(tables(b.url()), ["whole"]);
    // Once finished it is used as it is.
    assert!(!postgres::ensure_template(&admin, &template.name, |_| {
        panic!("a finished template is not built again")
    })
    .unwrap());
}

#[test]
fn a_failed_build_leaves_a_template_that_the_next_one_rebuilds() {
    let Some(admin) = cruscotto_testdb::postgres_url() else {
        return;
    };
    let template = OwnTemplate::new(&admin, "failed");
    let err = postgres::ensure_template(&admin, &template.name, |url| {
        create_table("partial")(url)?;
        Err("the migration failed".to_string())
    })
    .unwrap_err();
    assert!(err.contains("the migration failed"), "{err}");
    let mut conn = PgConnection::establish(&admin).unwrap();
    assert_eq!(
        postgres::template_state(&mut conn, &template.name).unwrap(),
        TemplateState::Unfinished
    );
    assert!(postgres::ensure_template(&admin, &template.name, create_table("whole")).unwrap());
    let copy = ScratchDatabase::from_template(&admin, &template.name).unwrap();
    assert_eq!(tables(copy.url()), ["whole"]);
}

#[test]
fn database_names_are_replaced_in_urls() {
    assert_eq!(
        postgres::database_url("postgres://p@127.0.0.1:5432/postgres", "t1"),
        "postgres://p@127.0.0.1:5432/t1"
    );
    assert_eq!(
        postgres::database_url("postgres://p@h/db?sslmode=disable", "t2"),
        "postgres://p@h/t2?sslmode=disable"
    );
    assert_eq!(
        postgres::database_url("postgres://p@h", "t3"),
        "postgres://p@h/t3"
    );
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn connections_to(conn: &mut PgConnection, name: &str) -> i64 {
    diesel::sql_query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result::<Count>(conn)
        .unwrap()
        .n
}

fn database_exists(admin: &str, name: &str) -> bool {
    let mut conn = PgConnection::establish(admin).unwrap();
    diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n
        == 1
}

#[derive(QueryableByName)]
struct Table {
    #[diesel(sql_type = diesel::sql_types::Text)]
    tablename: String,
}

/// The tables of the public schema of the database at `url`.
fn tables(url: &str) -> Vec<String> {
    let mut conn = PgConnection::establish(url).unwrap();
    diesel::sql_query(
        "SELECT tablename::text AS tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    )
    .load::<Table>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|t| t.tablename)
    .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn first_up_sql(dir: &Path) -> std::path::PathBuf {
    let mut migrations: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    migrations.sort();
    migrations[0].join("up.sql")
}
