//! Shared set-up of the GraphQL tests: a schema over a fresh test database
//! of each backend, requests with a principal, and JSON answers. A module
//! of the `graph_*` tests (`mod graph_support;`): in a directory of its own,
//! so that cargo does not build it as a test binary that runs no test.

#![allow(dead_code)] // Each test file uses a different part of it.

use async_graphql::{Request, Variables};
use cruscotto_api::auth::{Principal, Role};
use cruscotto_api::graph::{build_schema, AppSchema};
use cruscotto_api::state::AppState;
use cruscotto_api::Settings;
use cruscotto_store::graph::StatementCounter;
use cruscotto_store::{Backend, Database, PoolOptions};
use cruscotto_testdb::TestDatabase;
use serde_json::{json, Value};

/// A schema over a fresh database.
pub struct Env {
    pub t: TestDatabase,
    pub state: AppState,
    pub schema: AppSchema,
}

impl Env {
    pub fn new(backend: Backend) -> Env {
        Self::with_settings(backend, Settings::default())
    }

    pub fn with_settings(backend: Backend, settings: Settings) -> Env {
        let t = TestDatabase::new(backend);
        let state = AppState::new(t.db.clone(), settings);
        let schema = build_schema(state.clone());
        Env { t, state, schema }
    }

    /// A schema over a fresh database holding `generate(scale)`.
    pub fn generated(backend: Backend, scale: u32) -> Env {
        let env = Env::new(backend);
        store_generated(&env.t, scale);
        env
    }

    /// A schema over a fresh database holding `generate(scale)`, and the
    /// id of the first indicator of its first objective, M1.P1.O1.
    pub async fn generated_with_indicator(backend: Backend, scale: u32) -> (Env, Value) {
        let env = Env::generated(backend, scale);
        let indicator = env
            .first_indicator(&format!("generated-{scale}"), "M1.P1.O1")
            .await;
        (env, indicator)
    }

    /// Runs a query as `principal`; returns the whole response as JSON
    /// (`data` and `errors`).
    pub async fn run_as(&self, principal: Principal, query: &str, variables: Value) -> Value {
        let request = Request::new(query)
            .variables(Variables::from_json(variables))
            .data(principal);
        // As the HTTP handler runs it.
        let response = cruscotto_api::errors::execute(&self.schema, request).await;
        serde_json::to_value(&response).expect("responses serialize")
    }

    /// Runs a query anonymously; returns the whole response as JSON.
    pub async fn anonymous(&self, query: &str, variables: Value) -> Value {
        self.run_as(Principal::Anonymous, query, variables).await
    }

    /// What `fields` of the objective `code` of `plan` read (anonymously,
    /// asserting no errors).
    pub async fn objective(&self, plan: &str, code: &str, fields: &str) -> Value {
        let query = format!(
            "query($plan: String!, $code: String!) {{ objective(plan: $plan, code: $code) {{ {fields} }} }}"
        );
        self.query(&query, json!({ "plan": plan, "code": code }))
            .await["objective"]
            .clone()
    }

    /// The id of the first indicator of the objective `objective` of `plan`.
    pub async fn first_indicator(&self, plan: &str, objective: &str) -> Value {
        self.objective(plan, objective, "indicators { id }").await["indicators"][0]["id"].clone()
    }

    /// Runs a query anonymously and asserts it has no errors; returns `data`.
    pub async fn query(&self, query: &str, variables: Value) -> Value {
        let r = self.run_as(Principal::Anonymous, query, variables).await;
        assert!(r.get("errors").is_none(), "unexpected errors: {r:#}");
        r["data"].clone()
    }

    /// Runs a query as an editor and asserts it has no errors.
    pub async fn edit(&self, query: &str, variables: Value) -> Value {
        let r = self.run_as(editor(), query, variables).await;
        assert!(r.get("errors").is_none(), "unexpected errors: {r:#}");
        r["data"].clone()
    }
}

/// Stores `generate(scale)` in `t`.
pub fn store_generated(t: &TestDatabase, scale: u32) {
    t.db.save_document(&cruscotto_import::generate::generate(scale), None)
        .expect("the generated plan imports");
}

/// A fresh database of `backend` holding `generate(scale)`.
pub fn generated_database(backend: Backend, scale: u32) -> TestDatabase {
    let t = TestDatabase::new(backend);
    store_generated(&t, scale);
    t
}

/// A pool over the database at `url` that counts its statements, and the
/// counter.
pub fn counting_pool(url: &str) -> (Database, StatementCounter) {
    Database::connect_counting(url, &PoolOptions::default()).expect("a counting pool opens")
}

pub fn editor() -> Principal {
    Principal::Token {
        name: "editor-token".into(),
        role: Role::Editor,
    }
}

pub fn admin() -> Principal {
    Principal::Token {
        name: "admin-token".into(),
        role: Role::Admin,
    }
}

pub fn viewer() -> Principal {
    Principal::Token {
        name: "viewer-token".into(),
        role: Role::Viewer,
    }
}

/// The first error's code and field.
pub fn error_of(response: &Value) -> (String, Option<String>) {
    let e = &response["errors"][0];
    assert!(!e.is_null(), "expected an error, got {response:#}");
    (
        e["extensions"]["code"].as_str().unwrap_or("").to_string(),
        e["extensions"]["field"].as_str().map(str::to_string),
    )
}

/// What [`error_of`] gives for a `BAD_USER_INPUT` error naming `field`.
pub fn bad_input(field: &str) -> (String, Option<String>) {
    ("BAD_USER_INPUT".to_string(), Some(field.to_string()))
}

/// The string `key` of every element of the array `list`.
pub fn strings<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap_or_else(|| panic!("a list: {list:#}"))
        .iter()
        .map(|v| {
            v[key]
                .as_str()
                .unwrap_or_else(|| panic!("a string {key}: {v:#}"))
        })
        .collect()
}

/// The message of the first error of a response.
pub fn message_of(response: &Value) -> &str {
    response["errors"][0]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("an error with a message: {response:#}"))
}

/// Asserts that a query costs the same statements whatever the amount of
/// data: `statements(backend, scale)` counts them over `generate(scale)`,
/// the same at scale 2 (8 objectives) as at 6 (216), and fewer than 40, on
/// each backend.
pub async fn assert_statements_do_not_grow<F, Fut>(statements: F)
where
    F: Fn(Backend, u32) -> Fut,
    Fut: std::future::Future<Output = u64>,
{
    for backend in TestDatabase::backends() {
        let small = statements(backend, 2).await;
        let large = statements(backend, 6).await;
        assert_eq!(
            small,
            large,
            "{}: 8 objectives cost {small} statements, 216 cost {large}",
            backend.name()
        );
        assert!(small < 40, "{}: {small} statements", backend.name());
    }
}
