//! `schema.rs` is written by hand for both backends, so nothing generates it
//! from the migrations: this test is the check that it matches them. For
//! every table the migrations create, on each backend, the columns Diesel
//! declares are exactly the columns the database has, in the same order.

use cruscotto_store::schema::*;
use cruscotto_store::testing::TestDatabase;
use diesel::prelude::*;

/// The column names Diesel declares for a table, read from the SQL it
/// generates for `SELECT all_columns`.
macro_rules! declared {
    ($($table:ident),* $(,)?) => {
        vec![$((
            stringify!($table).to_string(),
            column_names(
                stringify!($table),
                &diesel::debug_query::<diesel::sqlite::Sqlite, _>(&$table::table.select($table::all_columns))
                    .to_string(),
            ),
        )),*]
    };
}

fn column_names(table: &str, sql: &str) -> Vec<String> {
    let prefix = format!("`{table}`.`");
    sql.split(&prefix)
        .skip(1)
        .map(|rest| rest.split('`').next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn schema_rs_declares_exactly_the_columns_the_migrations_create() {
    let mut declared: Vec<(String, Vec<String>)> = declared!(
        plans,
        missions,
        programs,
        actions,
        responsibility_centres,
        offices,
        strategic_objectives,
        annual_objectives,
        objectives,
        objective_offices,
        objective_strategic_objectives,
        objective_annual_objectives,
        objective_actions,
        indicators,
        targets,
        phases,
        areas,
        ambiti,
        ambito_results,
        measurements,
        findings,
        api_tokens,
        payments,
        phase_progress,
        indicator_values,
        changes,
        source_locations,
        data_version,
        trusted_documents,
    );
    declared.sort();
    for backend in TestDatabase::backends() {
        let t = TestDatabase::new(backend);
        let mut actual: Vec<(String, Vec<String>)> = Vec::new();
        for (table, column) in t.db.columns().unwrap() {
            match actual.last_mut() {
                Some((last, cols)) if *last == table => cols.push(column),
                _ => actual.push((table, vec![column])),
            }
        }
        actual.sort();
        assert_eq!(
            actual.iter().map(|(t, _)| t).collect::<Vec<_>>(),
            declared.iter().map(|(t, _)| t).collect::<Vec<_>>(),
            "{}: tables in the database vs schema.rs",
            backend.name()
        );
        for ((table, have), (_, want)) in actual.iter().zip(&declared) {
            assert_eq!(have, want, "{}: columns of {table}", backend.name());
        }
    }
}
