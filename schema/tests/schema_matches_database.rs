//! `schema.rs` is written by hand for both backends, so nothing generates it
//! from the migrations: this test is the check that it matches them. For
//! every table the migrations create, on each backend, the columns Diesel
//! declares are exactly the columns the database has, in the same order,
//! each of an SQL type its Diesel type maps to and nullable exactly when it
//! is declared `Nullable<…>`.
//!
//! The declarations are read from the text of `schema.rs` (its `table!`
//! blocks); the column names so read are checked against the ones Diesel's
//! own `all_columns` produces, so that the reading cannot drift either.

use std::collections::BTreeMap;

use cruscotto_store::introspect::DbColumn;
use cruscotto_store::schema::*;
use cruscotto_store::Backend;
use cruscotto_testdb::TestDatabase;
use diesel::prelude::*;

/// A column as `schema.rs` declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Declared {
    table: String,
    column: String,
    /// The Diesel type without `Nullable<…>`: `Integer`, `Text`, …
    diesel_type: String,
    nullable: bool,
}

impl Declared {
    fn shown(&self) -> String {
        if self.nullable {
            format!("Nullable<{}>", self.diesel_type)
        } else {
            self.diesel_type.clone()
        }
    }
}

/// The columns of every `diesel::table!` block of `source`, in order.
fn parse_schema(source: &str) -> Vec<Declared> {
    let mut declared = Vec::new();
    let mut lines = source.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line != "diesel::table! {" {
            continue;
        }
        let mut table = None;
        for line in lines.by_ref() {
            if line.starts_with("///")
                || line.starts_with("#[")
                || line.starts_with("use ")
                || line.is_empty()
            {
                continue;
            }
            let Some(name) = table.as_ref() else {
                // `plans (id) {`
                let name = line.split([' ', '(']).next().unwrap_or_default();
                assert!(!name.is_empty(), "a table name in `{line}`");
                table = Some(name.to_string());
                continue;
            };
            if line == "}" {
                break;
            }
            // `administration -> Nullable<Text>,`
            let (column, ty) = line
                .trim_end_matches(',')
                .split_once("->")
                .unwrap_or_else(|| panic!("a column of {name} in `{line}`"));
            let ty = ty.trim();
            let (diesel_type, nullable) = match ty
                .strip_prefix("Nullable<")
                .and_then(|t| t.strip_suffix('>'))
            {
                Some(inner) => (inner, true),
                None => (ty, false),
            };
            declared.push(Declared {
                table: name.clone(),
                column: column.trim().to_string(),
                diesel_type: diesel_type.to_string(),
                nullable,
            });
        }
    }
    declared
}

/// The SQL types a column of `diesel_type` may have on `backend`: what the
/// migrations write (`SERIAL` and `BIGSERIAL` are `integer` and `bigint` on
/// Postgres; SQLite keeps the declared name).
fn accepted(backend: Backend, diesel_type: &str) -> &'static [&'static str] {
    match (backend, diesel_type) {
        (Backend::Sqlite, "Integer") => &["INTEGER"],
        (Backend::Sqlite, "BigInt") => &["BIGINT", "INTEGER"],
        (Backend::Sqlite, "Text") => &["TEXT"],
        (Backend::Sqlite, "Bool") => &["BOOLEAN"],
        (Backend::Sqlite, "Date") => &["DATE"],
        (Backend::Sqlite, "Timestamp") => &["TIMESTAMP"],
        // `sql_types::Measure`: decimal text on SQLite, numeric on Postgres.
        (Backend::Sqlite, "Measure") => &["TEXT"],
        (Backend::Postgres, "Integer") => &["integer"],
        (Backend::Postgres, "BigInt") => &["bigint"],
        (Backend::Postgres, "Text") => &["text", "character varying"],
        (Backend::Postgres, "Bool") => &["boolean"],
        (Backend::Postgres, "Date") => &["date"],
        (Backend::Postgres, "Timestamp") => &["timestamp without time zone"],
        (Backend::Postgres, "Measure") => &["numeric"],
        _ => &[],
    }
}

/// Every difference between the declarations and the columns `found` on
/// `backend`, each naming the backend, the table, the column, what is
/// declared and what was found.
fn mismatches(backend: Backend, declared: &[Declared], found: &[DbColumn]) -> Vec<String> {
    let on = backend.name();
    let mut want: BTreeMap<&str, Vec<&Declared>> = BTreeMap::new();
    for d in declared {
        want.entry(&d.table).or_default().push(d);
    }
    let mut have: BTreeMap<&str, Vec<&DbColumn>> = BTreeMap::new();
    for c in found {
        have.entry(&c.table_name).or_default().push(c);
    }
    let mut out = Vec::new();
    for table in want.keys().filter(|t| !have.contains_key(*t)) {
        out.push(format!(
            "{on}: table {table}: declared in schema.rs, not in the database"
        ));
    }
    for table in have.keys().filter(|t| !want.contains_key(*t)) {
        out.push(format!(
            "{on}: table {table}: in the database, not declared in schema.rs"
        ));
    }
    for (table, columns) in &want {
        let Some(db) = have.get(table) else { continue };
        for position in 0..columns.len().max(db.len()) {
            let n = position + 1;
            match (columns.get(position), db.get(position)) {
                (Some(d), None) => out.push(format!(
                    "{on}: {table}.{}: declared as column {n} ({}), found no column {n}",
                    d.column,
                    d.shown()
                )),
                (None, Some(c)) => out.push(format!(
                    "{on}: {table}.{}: declared no column {n}, found column {n} ({})",
                    c.column_name, c.sql_type
                )),
                (Some(d), Some(c)) if d.column != c.column_name => out.push(format!(
                    "{on}: {table}.{}: declared as column {n}, found {} there",
                    d.column, c.column_name
                )),
                (Some(d), Some(c)) => {
                    let types = accepted(backend, &d.diesel_type);
                    if !types.contains(&c.sql_type.as_str()) {
                        out.push(format!(
                            "{on}: {table}.{}: declared {}, found type {} (accepted for {}: {})",
                            d.column,
                            d.shown(),
                            c.sql_type,
                            d.diesel_type,
                            if types.is_empty() {
                                "none known, add the type to `accepted`".to_string()
                            } else {
                                types.join(", ")
                            }
                        ));
                    }
                    if d.nullable != c.nullable {
                        out.push(format!(
                            "{on}: {table}.{}: declared {}, found {}",
                            d.column,
                            d.shown(),
                            if c.nullable {
                                "NULL allowed"
                            } else {
                                "NOT NULL"
                            }
                        ));
                    }
                }
                (None, None) => unreachable!("within the longer of the two"),
            }
        }
    }
    out
}

/// The column names Diesel declares for a table, read from the SQL it
/// generates for `SELECT all_columns`.
macro_rules! diesel_columns {
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

fn declared() -> Vec<Declared> {
    parse_schema(include_str!("../src/schema.rs"))
}

#[test]
fn the_text_of_schema_rs_is_read_as_diesel_reads_it() {
    let mut from_diesel: Vec<(String, Vec<String>)> = cruscotto_store::plan_graph_tables!(
        diesel_columns,
        api_tokens,
        payments,
        phase_progress,
        indicator_values,
        changes,
        source_locations,
        data_version,
        trusted_documents
    );
    from_diesel.sort();
    let mut from_text: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in declared() {
        from_text.entry(d.table).or_default().push(d.column);
    }
    assert_eq!(
        from_text.into_iter().collect::<Vec<_>>(),
        from_diesel,
        "the tables and columns read from schema.rs vs Diesel's"
    );
}

/// Differences known and kept, each with why. Each must still occur (the
/// test fails once it is gone, so that the entry goes with it). None today.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

#[test]
fn schema_rs_declares_exactly_the_columns_types_and_nullability_the_migrations_create() {
    let declared = declared();
    for backend in TestDatabase::backends() {
        let t = TestDatabase::new(backend);
        let found = t.db.column_types().unwrap();
        let mut wrong = mismatches(backend, &declared, &found);
        for (known, why) in KNOWN_DIFFERENCES {
            if !known.starts_with(&format!("{}:", backend.name())) {
                continue;
            }
            let before = wrong.len();
            wrong.retain(|w| w != known);
            assert!(
                wrong.len() < before,
                "the known difference `{known}` ({why}) is gone: remove it from KNOWN_DIFFERENCES"
            );
        }
        assert!(
            wrong.is_empty(),
            "schema.rs and the migrations disagree:\n{}",
            wrong.join("\n")
        );
    }
}

const PLANS: &str = "
diesel::table! {
    /// A plan.
    plans (id) {
        id -> Integer,
        /// Its code.
        code -> Text,
        notes -> Nullable<Text>,
    }
}
";

/// Columns as a database would describe them, from `table.column: TYPE`
/// items separated by `;`, a nullable one with ` NULL` after its type.
fn found(spec: &str) -> Vec<DbColumn> {
    spec.split(';')
        .filter(|item| !item.trim().is_empty())
        .map(|item| {
            let (name, ty) = item.trim().split_once(": ").expect("table.column: TYPE");
            let (table, column) = name.split_once('.').expect("table.column");
            let (sql_type, nullable) = match ty.strip_suffix(" NULL") {
                Some(ty) => (ty, true),
                None => (ty, false),
            };
            DbColumn {
                table_name: table.into(),
                column_name: column.into(),
                sql_type: sql_type.into(),
                nullable,
            }
        })
        .collect()
}

/// The mismatches of [`PLANS`] with the columns `spec` describes.
fn plans_against(backend: Backend, spec: &str) -> Vec<String> {
    mismatches(backend, &parse_schema(PLANS), &found(spec))
}

#[test]
fn a_table_block_is_read_with_types_and_nullability() {
    let d = parse_schema(PLANS);
    let shown: Vec<String> = d
        .iter()
        .map(|d| format!("{}.{} {}", d.table, d.column, d.shown()))
        .collect();
    assert_eq!(
        shown,
        [
            "plans.id Integer",
            "plans.code Text",
            "plans.notes Nullable<Text>"
        ]
    );
}

#[test]
fn matching_columns_have_no_mismatch_on_either_backend() {
    let none = Vec::<String>::new();
    let sqlite = "plans.id: INTEGER; plans.code: TEXT; plans.notes: TEXT NULL";
    assert_eq!(plans_against(Backend::Sqlite, sqlite), none);
    let postgres = "plans.id: integer; plans.code: character varying; plans.notes: text NULL";
    assert_eq!(plans_against(Backend::Postgres, postgres), none);
}

#[test]
fn a_wrong_type_a_wrong_nullability_and_a_wrong_order_are_each_named() {
    assert_eq!(
        plans_against(Backend::Postgres, "plans.id: integer; plans.code: integer; plans.notes: text NULL"),
        ["postgres: plans.code: declared Text, found type integer (accepted for Text: text, character varying)"]
    );
    assert_eq!(
        plans_against(
            Backend::Sqlite,
            "plans.id: INTEGER; plans.code: TEXT NULL; plans.notes: TEXT"
        ),
        [
            "sqlite: plans.code: declared Text, found NULL allowed",
            "sqlite: plans.notes: declared Nullable<Text>, found NOT NULL",
        ]
    );
    assert_eq!(
        plans_against(
            Backend::Sqlite,
            "plans.id: INTEGER; plans.notes: TEXT NULL; plans.code: TEXT"
        ),
        [
            "sqlite: plans.code: declared as column 2, found notes there",
            "sqlite: plans.notes: declared as column 3, found code there",
        ]
    );
}

#[test]
fn missing_and_extra_columns_and_tables_are_each_named() {
    assert_eq!(
        plans_against(
            Backend::Sqlite,
            "plans.id: INTEGER; plans.code: TEXT; extra.id: INTEGER"
        ),
        [
            "sqlite: table extra: in the database, not declared in schema.rs",
            "sqlite: plans.notes: declared as column 3 (Nullable<Text>), found no column 3",
        ]
    );
    assert_eq!(
        plans_against(
            Backend::Sqlite,
            "plans.id: INTEGER; plans.code: TEXT; plans.notes: TEXT NULL; plans.added: DATE NULL"
        ),
        ["sqlite: plans.added: declared no column 4, found column 4 (DATE)"]
    );
    assert_eq!(
        plans_against(Backend::Sqlite, ""),
        ["sqlite: table plans: declared in schema.rs, not in the database"]
    );
}

#[test]
fn a_diesel_type_without_known_database_types_is_a_mismatch() {
    let d = parse_schema("diesel::table! {\n    t (id) {\n        id -> Float,\n    }\n}\n");
    assert_eq!(
        mismatches(Backend::Sqlite, &d, &found("t.id: REAL")),
        ["sqlite: t.id: declared Float, found type REAL (accepted for Float: none known, add the type to `accepted`)"]
    );
}
