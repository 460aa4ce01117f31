//! Database errors become domain errors on both backends: constraint
//! violations in the user's terms (no table or constraint name), a full
//! disk as such, a database migrated by a newer binary refused with both
//! versions named.

use cruscotto_store::error::{classify, ConstraintKind};
use cruscotto_store::{Backend, Database, PoolOptions, StoreError};
use cruscotto_testdb::TestDatabase;
use diesel::prelude::*;

fn execute(db: &Database, sql: &str) -> Result<usize, diesel::result::Error> {
    match db {
        Database::Sqlite(pool) => diesel::sql_query(sql).execute(&mut **pool.get().unwrap()),
        Database::Postgres(pool) => diesel::sql_query(sql).execute(&mut **pool.get().unwrap()),
    }
}

const PLAN: &str = "INSERT INTO plans (code, kind, title, first_year, last_year, imported_at) \
                    VALUES ('{code}', 'annual_objectives', 'Piano', 2024, 2024, CURRENT_TIMESTAMP)";

#[test]
fn real_constraint_violations_are_described_without_sql() {
    for backend in TestDatabase::backends() {
        let t = TestDatabase::new(backend);
        execute(&t.db, &PLAN.replace("{code}", "p")).unwrap();
        let cases = [
            (
                PLAN.replace("{code}", "p"),
                ConstraintKind::Unique,
                &["a plan with this code already exists"][..],
            ),
            // SQLite does not name the table: "a code is empty"; Postgres
            // does: "a plan has an empty code".
            (
                PLAN.replace("{code}", ""),
                ConstraintKind::Check,
                &["code", "empty"][..],
            ),
        ];
        for (sql, kind, expected) in cases {
            let e = classify(execute(&t.db, &sql).expect_err("the database refuses it"));
            let message = e.to_string();
            assert!(
                matches!(&e, StoreError::Constraint { kind: k, .. } if *k == kind),
                "{}: {e:?}",
                backend.name()
            );
            for piece in expected {
                assert!(message.contains(piece), "{}: {message}", backend.name());
            }
            for leak in ["constraint", "plans_", "CHECK", "UNIQUE", "<>"] {
                assert!(!message.contains(leak), "{}: {message}", backend.name());
            }
        }
    }
}

#[test]
fn a_database_migrated_by_a_newer_binary_is_refused_naming_both_versions() {
    for backend in TestDatabase::backends() {
        let t = TestDatabase::new(backend);
        let known = t.db.applied_migrations().unwrap();
        let binary = known.last().unwrap().clone();
        execute(
            &t.db,
            "INSERT INTO __diesel_schema_migrations (version) VALUES ('29990101000000')",
        )
        .unwrap();
        let e = t.db.migrate().expect_err("a newer database is refused");
        assert!(matches!(e, StoreError::NewerDatabase { .. }), "{e:?}");
        let message = e.to_string();
        assert!(
            message.contains("29990101000000") && message.contains(&binary),
            "{}: {message}",
            backend.name()
        );
    }
}

#[test]
fn a_full_sqlite_database_is_reported_as_disk_full_and_keeps_its_data() {
    let t = TestDatabase::new(Backend::Sqlite);
    // One connection, so the size limit set on it applies to the import:
    // `max_page_count` makes SQLite answer SQLITE_FULL, as a full disk does.
    let options = PoolOptions {
        max_size: 1,
        ..PoolOptions::default()
    };
    let db = Database::connect(&t.url, &options).unwrap();
    let Database::Sqlite(pool) = &db else {
        unreachable!()
    };
    {
        let mut conn = pool.get().unwrap();
        #[derive(QueryableByName)]
        struct Pages {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            page_count: i64,
        }
        let pages: Pages = diesel::sql_query("PRAGMA page_count")
            .get_result(&mut **conn)
            .unwrap();
        diesel::sql_query(format!("PRAGMA max_page_count = {}", pages.page_count + 2))
            .execute(&mut **conn)
            .unwrap();
    }
    let before = db.table_counts().unwrap();
    let e = db
        .save_document(&cruscotto_import::generate::generate(6), None)
        .expect_err("the database is full");
    assert!(matches!(e, StoreError::DiskFull), "{e:?}");
    assert!(e.to_string().contains("disk is full"), "{e}");
    assert_eq!(db.table_counts().unwrap(), before);
}

#[test]
fn a_stored_term_outside_its_vocabulary_is_an_error_naming_the_vocabulary() {
    for backend in TestDatabase::backends() {
        let t = TestDatabase::new(backend);
        t.execute(&PLAN.replace("{code}", "p"));
        let update = "UPDATE plans SET kind = 'annual' WHERE code = 'p'";
        // The database refuses the term, naming what is wrong…
        let refused = classify(execute(&t.db, update).unwrap_err()).to_string();
        assert!(
            refused.contains("a plan has a kind that is not one of its terms")
                || refused.contains("a kind is not one of its terms"),
            "{}: {refused}",
            backend.name()
        );
        // …and should a row hold one anyway (the check switched off, as a
        // program of its own could), reading it is an error, not a guess.
        t.execute(&match backend {
            Backend::Sqlite => format!(
                "PRAGMA ignore_check_constraints = ON; {update}; PRAGMA ignore_check_constraints = OFF"
            ),
            Backend::Postgres => format!("ALTER TABLE plans DROP CONSTRAINT plans_kind_check; {update}"),
        });
        let err = t.db.load_document("p").unwrap_err().to_string();
        assert!(
            err.contains(r#"plan kind "annual" is not one of annual_objectives, multi_year"#),
            "{}: {err}",
            backend.name()
        );
    }
}
