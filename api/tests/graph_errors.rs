//! Errors a client causes get `BAD_USER_INPUT` with the field (and, for
//! documents, the line), never INTERNAL, never SQL: bad documents given to
//! `importDocument`, documents the database would refuse, scalar arguments
//! that do not parse, and NUL characters, refused alike on both backends.

mod graph_support;

use cruscotto_testdb::TestDatabase;
use graph_support::{admin, bad_input, editor, error_of, message_of, Env};
use serde_json::{json, Value};

const IMPORT: &str = r#"mutation($c: String!) { importDocument(content: $c) { created } }"#;

/// Words that would reveal the database behind a message.
fn assert_no_sql(r: &Value) {
    let text = r.to_string();
    for leak in [
        "constraint",
        "UNIQUE",
        "CHECK",
        "violates",
        "sqlite",
        "_id",
        "0x00",
    ] {
        assert!(!text.contains(leak), "the answer carries {leak:?}: {r:#}");
    }
}

async fn plan_count(env: &Env) -> i64 {
    env.query("{ plans { totalCount } }", json!({})).await["plans"]["totalCount"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_bad_document_is_bad_user_input_with_its_line() {
    for backend in TestDatabase::backends() {
        let env = Env::new(backend);
        let content =
            "OBIETTIVO INDIVIDUALE ANNUALE 2024\t\nCodice Obiettivo\tX.1\nData di inizio\tdomani\n";
        let r = env.run_as(admin(), IMPORT, json!({ "c": content })).await;
        assert_eq!(error_of(&r), bad_input("content"), "{r:#}");
        assert_eq!(r["errors"][0]["extensions"]["line"], 3, "{r:#}");
        assert_eq!(plan_count(&env).await, 0);
    }
}

#[tokio::test]
async fn a_document_the_database_would_refuse_is_bad_user_input_without_sql() {
    for backend in TestDatabase::backends() {
        let env = Env::new(backend);
        let mut doc = cruscotto_import::generate::generate(1);
        let indicator = &mut doc.objectives[0].indicators[0];
        let year = indicator.targets[0].year;
        let twin = indicator.targets[0].clone();
        indicator.targets.push(twin);
        let content = cruscotto_import::json::to_json(&doc);
        let r = env.run_as(admin(), IMPORT, json!({ "c": content })).await;
        assert_eq!(error_of(&r), bad_input("content"), "{r:#}");
        let message = message_of(&r);
        assert!(
            message.contains(&format!("two targets for {year}")),
            "{message}"
        );
        assert_no_sql(&r);
        assert_eq!(plan_count(&env).await, 0);
    }
}

#[tokio::test]
async fn json_that_is_not_an_object_and_a_bom_are_told_apart_from_text() {
    for backend in TestDatabase::backends() {
        let env = Env::new(backend);
        let r = env.run_as(admin(), IMPORT, json!({ "c": "[1, 2]" })).await;
        assert_eq!(error_of(&r).0, "BAD_USER_INPUT", "{r:#}");
        let message = message_of(&r);
        assert!(message.contains("found an array"), "{message}");

        let doc = cruscotto_import::json::to_json(&cruscotto_import::generate::generate(1));
        let r = env
            .run_as(admin(), IMPORT, json!({ "c": format!("\u{feff}{doc}") }))
            .await;
        assert!(r.get("errors").is_none(), "a BOM is skipped: {r:#}");
    }
}

#[tokio::test]
async fn a_nul_character_is_refused_alike_on_both_backends() {
    for backend in TestDatabase::backends() {
        let env = Env::new(backend);
        // In a document: refused with its line and JSON path.
        let mut doc = cruscotto_import::generate::generate(1);
        doc.objectives[0].title = "Tito\u{0}lo".into();
        let content = cruscotto_import::json::to_json(&doc);
        let r = env.run_as(admin(), IMPORT, json!({ "c": content })).await;
        assert_eq!(error_of(&r).0, "BAD_USER_INPUT", "{r:#}");
        let message = message_of(&r);
        assert!(
            message.contains("NUL") && message.contains("objectives[0].title"),
            "{message}"
        );
        assert!(
            r["errors"][0]["extensions"]["line"].as_u64().is_some(),
            "{r:#}"
        );
        assert_eq!(plan_count(&env).await, 0);

        // In a mutation's argument: refused naming the argument.
        let q = r#"mutation($input: CreatePlanInput!) { createPlan(input: $input) { code } }"#;
        let vars = json!({ "input": { "code": "p", "kind": "ANNUAL_OBJECTIVES", "title": "Pia\u{0}no", "firstYear": 2024, "lastYear": 2026 } });
        let r = env.run_as(editor(), q, vars).await;
        assert_eq!(error_of(&r).0, "BAD_USER_INPUT", "{r:#}");
        let field = error_of(&r).1.unwrap_or_default();
        assert!(field.contains("title"), "{r:#}");
        assert_no_sql(&r);
        assert_eq!(plan_count(&env).await, 0);
    }
}

#[tokio::test]
async fn a_decimal_that_does_not_parse_is_bad_user_input_with_its_field() {
    for backend in TestDatabase::backends() {
        let (env, id) = Env::generated_with_indicator(backend, 1).await;
        // As a variable and as a literal.
        let q = r#"mutation($i: ID!, $v: Decimal!) { recordMeasurement(indicator: $i, period: "2024", value: $v, source: "x") { id } }"#;
        let r = env
            .run_as(editor(), q, json!({ "i": id, "v": "dieci" }))
            .await;
        assert_eq!(error_of(&r), bad_input("value"), "{r:#}");
        let q = r#"mutation($i: ID!) { recordMeasurement(indicator: $i, period: "2024", value: "dieci", source: "x") { id } }"#;
        let r = env.run_as(editor(), q, json!({ "i": id })).await;
        assert_eq!(error_of(&r), bad_input("value"), "{r:#}");
    }
}
