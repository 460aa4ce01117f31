//! A migration that changes columns already holding rows keeps the rows.
//! Each such migration is reverted on a database full of data written by
//! the store and applied again, and the store reads back exactly what it
//! read before (the down step also shows the form the rows had before the
//! migration existed).

use std::path::{Path, PathBuf};

use cruscotto_import::model as m;
use cruscotto_store::Backend;
use cruscotto_testdb::TestDatabase;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use diesel_migrations::{FileBasedMigrations, MigrationHarness};
use rust_decimal::Decimal;

fn migrations_dir(backend: Backend) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(backend.name())
}

/// Reverts migrations, latest first, until the one whose version starts
/// with `version` is reverted; then applies every pending one again.
fn revert_and_reapply<C, F>(conn: &mut C, dir: &Path, version: &str, between: F)
where
    C: MigrationHarness<C::Backend> + Connection,
    F: FnOnce(&mut C),
{
    let migrations = FileBasedMigrations::from_path(dir).expect("the migrations directory");
    loop {
        let reverted = conn
            .revert_last_migration(migrations.clone())
            .expect("the latest migration reverts")
            .to_string();
        if reverted.starts_with(version) {
            break;
        }
    }
    between(conn);
    conn.run_pending_migrations(migrations)
        .expect("the reverted migrations apply again");
}

/// The first seed, with measurements whose numbers carry a scale (`12.50`)
/// and a negative and a large value, on its first indicator.
fn seed_with_measurements() -> m::PlanDocument {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/seeds/000_c0a763c098296cde.txt");
    let text = std::fs::read_to_string(&path).expect("the seed is readable");
    let mut doc = cruscotto_import::parse_document(
        &path.display().to_string(),
        &text,
        &cruscotto_import::ParseOptions::default(),
    )
    .expect("the seed parses");
    let (objective, indicator) = {
        let o = &doc.objectives[0];
        (o.code.clone(), o.indicators[0].code.clone())
    };
    let at = chrono::NaiveDate::from_ymd_opt(2021, 1, 31)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .expect("a time");
    for (period, value, numerator, denominator) in [
        ("2020", "12.50", Some("25"), Some("200.0")),
        ("2021-Q1", "-3.25", None, None),
        ("2021-03", "123456789012.000001", None, Some("7")),
    ] {
        let d = |s: &str| s.parse::<Decimal>().expect("a decimal");
        doc.measurements.push(m::Measurement {
            objective: objective.clone(),
            indicator: indicator.clone(),
            period: period.into(),
            value: d(value),
            numerator: numerator.map(d),
            denominator: denominator.map(d),
            source: "test".into(),
            recorded_by: "test".into(),
            recorded_at: at,
        });
    }
    doc
}

#[derive(QueryableByName, Debug, PartialEq)]
struct StoredText {
    #[diesel(sql_type = Text)]
    value: String,
    #[diesel(sql_type = Nullable<Text>)]
    numerator: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    denominator: Option<String>,
}

#[test]
fn the_numeric_migration_keeps_every_number_with_its_scale_on_postgres() {
    if !TestDatabase::backends().contains(&Backend::Postgres) {
        return; // `backends()` has said that the Postgres half is skipped.
    }
    let t = TestDatabase::new(Backend::Postgres);
    let doc = seed_with_measurements();
    t.db.save_document(&doc, None).expect("the seed saves");
    let before = t.db.load_document(&doc.plan.code).expect("the plan loads");
    assert_eq!(before.measurements.len(), 3);
    assert_eq!(before.measurements[0].value.to_string(), "12.50");

    let mut conn = PgConnection::establish(&t.url).expect("a connection");
    revert_and_reapply(
        &mut conn,
        &migrations_dir(Backend::Postgres),
        "20261204000018",
        |conn| {
            // Before the migration the numbers were decimal text, as the
            // store wrote them then; one more row in that form is added.
            let rows: Vec<StoredText> = diesel::sql_query(
                "SELECT value, numerator, denominator FROM measurements ORDER BY period_start",
            )
            .load(conn)
            .expect("the measurements as text");
            assert_eq!(
                rows.iter().map(|r| r.value.as_str()).collect::<Vec<_>>(),
                ["12.50", "-3.25", "123456789012.000001"]
            );
            assert_eq!(rows[0].numerator.as_deref(), Some("25"));
            assert_eq!(rows[0].denominator.as_deref(), Some("200.0"));
            conn.batch_execute(
                "UPDATE targets SET number = '0.500' WHERE id = (SELECT min(id) FROM targets)",
            )
            .expect("a target number written as text");
        },
    );

    // The plan reads back as it was, with the number written as text while
    // the column was text (its scale kept).
    let mut expected = before;
    let first_target = expected
        .objectives
        .iter_mut()
        .flat_map(|o| &mut o.indicators)
        .flat_map(|i| &mut i.targets)
        .next()
        .expect("the seed has a target");
    first_target.value.number = Some("0.500".parse().expect("a decimal"));
    let after = t.db.load_document(&doc.plan.code).expect("the plan loads");
    assert_eq!(after, expected);
    assert_eq!(after.measurements[0].value.to_string(), "12.50");
}

#[test]
fn the_trusted_documents_rebuild_keeps_the_registered_documents_on_sqlite() {
    let t = TestDatabase::new(Backend::Sqlite);
    let hash = "a".repeat(64);
    assert!(t
        .db
        .register_document(&hash, "query { plans { code } }", "plans.graphql")
        .expect("the document registers"));
    let mut conn = SqliteConnection::establish(&t.url).expect("a connection");
    revert_and_reapply(
        &mut conn,
        &migrations_dir(Backend::Sqlite),
        "20261203000017",
        |_| {},
    );
    assert_eq!(
        t.db.trusted_document(&hash).expect("a read"),
        Some("query { plans { code } }".to_string())
    );
    assert_eq!(t.db.trusted_documents().expect("a list").len(), 1);
}
