//! Migrations on each backend: reversible, and leaving a schema in which
//! every foreign key is indexed.

mod common;

use common::*;

#[test]
fn migrations_go_up_down_and_up_again() {
    for backend in TestDatabase::backends() {
        let t = TestDatabase::unmigrated(backend);
        let applied = t.db.migrate().unwrap();
        assert!(
            !applied.is_empty(),
            "{}: migrations applied",
            backend.name()
        );
        let tables = t.db.tables().unwrap();
        assert!(tables.contains(&"objectives".to_string()), "{tables:?}");

        let reverted = t.db.revert_all().unwrap();
        assert_eq!(reverted.len(), applied.len());
        assert_eq!(
            t.db.tables().unwrap(),
            Vec::<String>::new(),
            "down removes every table"
        );

        t.db.migrate().unwrap();
        assert_eq!(
            t.db.tables().unwrap(),
            tables,
            "up again restores the same tables"
        );
        // The schema works after the round trip.
        t.db.save_document(&parse(&seed(SEED_OBJECTIVES)), None)
            .unwrap();
    }
}

#[test]
fn every_foreign_key_has_an_index() {
    on_each_backend(|t| {
        assert_eq!(t.db.unindexed_foreign_keys().unwrap(), Vec::<String>::new());
    });
}

#[test]
fn both_backends_have_the_same_tables_and_columns() {
    if cruscotto_testdb::postgres_url().is_none() {
        return; // Skipped, and said so: there is one backend to compare.
    }
    let columns = |b| TestDatabase::new(b).db.columns().unwrap();
    assert_eq!(columns(Backend::Sqlite), columns(Backend::Postgres));
}
