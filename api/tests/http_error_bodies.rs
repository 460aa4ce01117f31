//! Every error code a client can get, provoked over real HTTP against the
//! real server, with the whole answer (status, media type and JSON body)
//! pinned by an insta snapshot, `snapshots/http_error_bodies__<code>.snap`:
//! a change of what clients read shows in review as a diff of it (accept it
//! with `cargo insta review`). Each case runs on both backends against the
//! same snapshot, so the backends answer alike.
//!
//! `every_error_code_of_the_source_has_a_case` fails when a code appears in
//! `api/src` without a case here (or a case names a code the source no
//! longer has), so a new code cannot go unpinned.
//!
//! What no request can cause on a healthy machine (a full disk, a failing
//! query) is arranged in the test database with a trigger that raises the
//! database's own error; everything after it (the classification, the
//! mapping, the body) is the service's.

mod http_support;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cruscotto_api::auth::Role;
use cruscotto_api::trusted::TrustedDocuments;
use cruscotto_store::PoolOptions;
use http_support::*;
use serde::Serialize;
use serde_json::{json, Value};

/// What a client receives.
#[derive(Debug, Serialize)]
struct Answer {
    status: u16,
    content_type: String,
    body: Value,
}

fn answer(response: reqwest::blocking::Response) -> Answer {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (status, body) = status_and_json(response);
    Answer {
        status,
        content_type,
        body,
    }
}

/// POSTs `body` as [`TestServer::post`] does.
fn post(s: &TestServer, body: &Value, headers: &[(&str, &str)]) -> Answer {
    answer(s.post_request(body, headers))
}

fn query(s: &TestServer, query: &str) -> Answer {
    post(s, &json!({ "query": query }), &[])
}

/// Runs `mutation` as the holder of a new token of `role`.
fn mutate(s: &TestServer, role: Role, mutation: &str, variables: Value) -> Answer {
    static TOKENS: AtomicUsize = AtomicUsize::new(0);
    let name = format!("errors-{}", TOKENS.fetch_add(1, Ordering::Relaxed));
    let bearer = format!("Bearer {}", s.token(role, &name));
    post(
        s,
        &json!({ "query": mutation, "variables": variables }),
        &[("authorization", &bearer)],
    )
}

const CREATE_MISSION: &str =
    "mutation($code: String!) { createMission(input: { code: $code, name: \"Test\" }) { code } }";

fn create_mission(s: &TestServer, role: Role) -> Answer {
    mutate(s, role, CREATE_MISSION, json!({ "code": "99" }))
}

fn default_server(backend: Backend) -> TestServer {
    TestServer::start(backend, |_| {})
}

/// A server over a fresh database of `backend` with the sample plans,
/// after `arrange` has run on that database, reached through `options`.
fn server_with(
    backend: Backend,
    options: PoolOptions,
    arrange: impl FnOnce(&TestDatabase),
) -> TestServer {
    let t = TestDatabase::new(backend);
    load_samples(&t);
    arrange(&t);
    let db = cruscotto_store::Database::connect(&t.url, &options).expect("a second pool");
    TestServer::start_on(t, db, |_| {})
}

/// A trigger that makes every insert into `missions` fail with `message`,
/// as the database itself would raise it (Postgres with `sqlstate`).
fn failing_inserts(t: &TestDatabase, message: &str, sqlstate: &str) {
    match t.db.backend() {
        Backend::Sqlite => t.execute(&format!(
            "CREATE TRIGGER fault BEFORE INSERT ON missions \
             BEGIN SELECT RAISE(ABORT, '{message}'); END;"
        )),
        Backend::Postgres => t.execute(&format!(
            "CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION '{message}' USING ERRCODE = '{sqlstate}'; END $$; \
             CREATE TRIGGER fault BEFORE INSERT ON missions \
             FOR EACH ROW EXECUTE FUNCTION fault();"
        )),
    }
}

// The cases, one per code.

/// Sends `body` with `method` and `content_type`, as no GraphQL client
/// would, to a server with the default settings.
fn raw(backend: Backend, method: reqwest::Method, content_type: &str, body: &str) -> Answer {
    let s = default_server(backend);
    let request = s
        .client
        .request(method, s.url("/graphql"))
        .header("content-type", content_type)
        .header("accept", GRAPHQL_RESPONSE_JSON)
        .body(body.to_string());
    answer(request.send().expect("the server answers"))
}

/// The case of `query` on a server whose settings `limit` tightens.
fn limited(
    limit: fn(&mut cruscotto_api::Settings),
    query: &'static str,
) -> impl Fn(Backend) -> Answer {
    move |backend| self::query(&TestServer::start(backend, limit), query)
}

fn a_body_that_is_not_json(backend: Backend) -> Answer {
    raw(
        backend,
        reqwest::Method::POST,
        "application/json",
        "{ not json",
    )
}

fn a_body_that_is_not_application_json(backend: Backend) -> Answer {
    let query = "{ plans { totalCount } }";
    raw(backend, reqwest::Method::POST, "text/plain", query)
}

fn an_accept_header_without_a_json_type(backend: Backend) -> Answer {
    let s = default_server(backend);
    post(
        &s,
        &json!({ "query": "{ plans { totalCount } }" }),
        &[("accept", "text/html")],
    )
}

fn a_method_other_than_get_and_post(backend: Backend) -> Answer {
    let body = json!({ "query": "{ plans { totalCount } }" }).to_string();
    raw(backend, reqwest::Method::PUT, "application/json", &body)
}

fn a_query_past_the_time_limit(backend: Backend) -> Answer {
    // Any query that reads the database outlasts a millisecond: every
    // database call goes to the blocking pool, and the limit counts from
    // the moment the request arrived.
    let s = TestServer::start(backend, |c| c.request_timeout = Duration::from_millis(1));
    query(&s, "{ plans { nodes { objectives { nodes { code } } } } }")
}

fn a_document_that_does_not_parse(backend: Backend) -> Answer {
    query(&default_server(backend), "{ plans { totalCount }")
}

fn a_field_the_schema_does_not_have(backend: Backend) -> Answer {
    query(&default_server(backend), "{ noSuchField }")
}

fn a_persisted_query_the_server_has_not_seen(backend: Backend) -> Answer {
    let s = default_server(backend);
    let hash = "0".repeat(64);
    post(
        &s,
        &json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } }),
        &[],
    )
}

fn credentials_from_an_origin_that_is_not_listed(backend: Backend) -> Answer {
    let s = default_server(backend);
    let bearer = format!("Bearer {}", s.token(Role::Viewer, "portal"));
    post(
        &s,
        &json!({ "query": "{ plans { totalCount } }" }),
        &[
            ("origin", "http://elsewhere.example"),
            ("authorization", &bearer),
        ],
    )
}

fn a_plan_whose_last_year_is_before_its_first(backend: Backend) -> Answer {
    let s = default_server(backend);
    mutate(
        &s,
        Role::Editor,
        "mutation($input: CreatePlanInput!) { createPlan(input: $input) { code } }",
        json!({ "input": { "code": "p", "kind": "MULTI_YEAR", "title": "t", "firstYear": 2024, "lastYear": 2020 } }),
    )
}

fn deleting_a_mission_that_does_not_exist(backend: Backend) -> Answer {
    let s = default_server(backend);
    mutate(
        &s,
        Role::Editor,
        // The global id of Mission 9999.
        r#"mutation { deleteMission(id: "TWlzc2lvbjo5OTk5") { deletedId } }"#,
        json!({}),
    )
}

fn a_mission_code_that_is_taken(backend: Backend) -> Answer {
    let s = default_server(backend);
    let first = create_mission(&s, Role::Editor);
    assert!(first.body.get("errors").is_none(), "{:#}", first.body);
    create_mission(&s, Role::Editor)
}

fn a_mutation_without_a_token(backend: Backend) -> Answer {
    let s = default_server(backend);
    post(
        &s,
        &json!({ "query": CREATE_MISSION, "variables": { "code": "99" } }),
        &[],
    )
}

fn a_mutation_by_a_viewer(backend: Backend) -> Answer {
    create_mission(&default_server(backend), Role::Viewer)
}

fn computing_with_a_calculator_that_is_not_loaded(backend: Backend) -> Answer {
    let s = server_with(backend, PoolOptions::default(), |t| {
        t.execute(
            "UPDATE indicators SET calculator_id = 'gone' \
             WHERE id = (SELECT min(id) FROM indicators)",
        );
    });
    let indicator = s.data(
        "{ plans(first: 10) { nodes { objectives(first: 50) { nodes { indicators { id calculator { calculator } } } } } } }",
        json!({}),
        None,
    );
    let id = indicator["plans"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["objectives"]["nodes"].as_array().into_iter().flatten())
        .flat_map(|o| o["indicators"].as_array().into_iter().flatten())
        .find(|i| i["calculator"]["calculator"] == "gone")
        .map(|i| i["id"].clone())
        .unwrap_or_else(|| panic!("the indicator bound to `gone`: {indicator:#}"));
    mutate(
        &s,
        Role::Editor,
        "mutation($id: ID!) { computeIndicator(indicator: $id, period: \"2025\") { value } }",
        json!({ "id": id }),
    )
}

fn a_write_to_a_read_only_database(backend: Backend) -> Answer {
    let read_only = PoolOptions {
        read_only: true,
        ..PoolOptions::default()
    };
    create_mission(&server_with(backend, read_only, |_| {}), Role::Editor)
}

fn a_write_when_the_disk_is_full(backend: Backend) -> Answer {
    let s = server_with(backend, PoolOptions::default(), |t| match t.db.backend() {
        Backend::Sqlite => failing_inserts(t, "database or disk is full", ""),
        Backend::Postgres => failing_inserts(
            t,
            "could not extend file \"base/1/1\": No space left on device",
            "53100",
        ),
    });
    create_mission(&s, Role::Editor)
}

fn a_write_that_waited_past_the_busy_timeout(backend: Backend) -> Answer {
    let impatient = PoolOptions {
        sqlite_busy_timeout: Duration::from_millis(50),
        ..PoolOptions::default()
    };
    let s = server_with(backend, impatient, |_| {});
    let token = s.token(Role::Editor, "busy");
    let lock = s.db.as_ref().expect("the database").hold_write_lock();
    let answer = post(
        &s,
        &json!({ "query": CREATE_MISSION, "variables": { "code": "99" } }),
        &[("authorization", &format!("Bearer {token}"))],
    );
    drop(lock);
    answer
}

fn a_write_the_database_fails_unexpectedly(backend: Backend) -> Answer {
    let s = server_with(backend, PoolOptions::default(), |t| {
        failing_inserts(t, "an unexpected failure", "XX000");
    });
    create_mission(&s, Role::Editor)
}

/// Declares the cases, one per code: `CASES` lists the codes, and each case
/// is a test of its own (in `pinned`), so that they run in parallel. A case
/// is the function of the test's name, or the expression after `=`.
macro_rules! cases {
    (@case $test:ident) => { super::$test };
    (@case $test:ident $case:expr) => { $case };
    ($($code:literal => $test:ident $(= $case:expr)?,)*) => {
        const CASES: &[&str] = &[$($code),*];

        mod pinned {
            #[allow(unused_imports)] // The functions the expressions name.
            use super::*;
            $(
                #[test]
                fn $test() {
                    super::pin($code, cases!(@case $test $($case)?));
                }
            )*
        }
    };
}

cases! {
    "BAD_REQUEST" => a_body_that_is_not_json,
    "PAYLOAD_TOO_LARGE" => a_body_over_the_size_limit = limited(
        |c| c.max_body_bytes = 64,
        "{ plans { totalCount } } # a comment that makes the body longer than 64 bytes",
    ),
    "UNSUPPORTED_MEDIA_TYPE" => a_body_that_is_not_application_json,
    "NOT_ACCEPTABLE" => an_accept_header_without_a_json_type,
    "METHOD_NOT_ALLOWED" => a_method_other_than_get_and_post,
    "TIMEOUT" => a_query_past_the_time_limit,
    "GRAPHQL_PARSE_FAILED" => a_document_that_does_not_parse,
    "GRAPHQL_VALIDATION_FAILED" => a_field_the_schema_does_not_have,
    "INTROSPECTION_DISABLED" => introspection_when_it_is_switched_off = limited(
        |c| c.introspection = false,
        "{ __schema { queryType { name } } }",
    ),
    "RESPONSE_TOO_LARGE" => an_answer_over_the_response_limit = limited(
        |c| c.max_response_bytes = 200,
        "{ plans { nodes { objectives { nodes { code title } } } } }",
    ),
    "PERSISTED_QUERY_NOT_FOUND" => a_persisted_query_the_server_has_not_seen,
    "DOCUMENT_NOT_TRUSTED" => an_unregistered_document_in_trusted_documents_mode = limited(
        |c| c.trusted_documents = TrustedDocuments::Only,
        "{ plans { totalCount } }",
    ),
    "QUERY_TOO_LONG" => a_query_text_over_the_length_limit = limited(
        |c| c.max_query_bytes = 40,
        "{ plans { nodes { code title firstYear lastYear } } }",
    ),
    "QUERY_TOO_DEEP" => a_query_nested_past_the_depth_limit = limited(
        |c| c.max_depth = 3,
        "{ plans { nodes { objectives { nodes { code } } } } }",
    ),
    "QUERY_TOO_COMPLEX" => a_query_past_the_complexity_limit = limited(
        |c| c.max_complexity = 50,
        "{ plans(first: 100) { nodes { code title } } }",
    ),
    "QUERY_TOO_MANY_FIELDS" => a_query_with_more_fields_than_the_limit = limited(
        |c| c.max_fields = 3,
        "{ plans { nodes { code title firstYear } } }",
    ),
    "QUERY_TOO_MANY_ALIASES" => a_query_with_more_aliases_than_the_limit = limited(
        |c| c.max_aliases = 1,
        "{ a: plans { totalCount } b: plans { totalCount } c: plans { totalCount } }",
    ),
    "QUERY_TOO_MANY_FRAGMENT_SPREADS" => a_query_with_more_fragment_spreads_than_the_limit = limited(
        |c| c.max_fragment_spreads = 1,
        "{ ...F ...F ...F } fragment F on QueryRoot { plans { totalCount } }",
    ),
    "CORS_FORBIDDEN" => credentials_from_an_origin_that_is_not_listed,
    "BAD_USER_INPUT" => a_plan_whose_last_year_is_before_its_first,
    "NOT_FOUND" => deleting_a_mission_that_does_not_exist,
    "CONFLICT" => a_mission_code_that_is_taken,
    "UNAUTHENTICATED" => a_mutation_without_a_token,
    "FORBIDDEN" => a_mutation_by_a_viewer,
    "CALCULATOR_FAILED" => computing_with_a_calculator_that_is_not_loaded,
    "READ_ONLY" => a_write_to_a_read_only_database,
    "UNAVAILABLE" => a_write_when_the_disk_is_full,
    "BUSY" => a_write_that_waited_past_the_busy_timeout,
    "INTERNAL" => a_write_the_database_fails_unexpectedly,
}

/// The backends a code can be had on: `BUSY` is SQLite's (a writer that
/// waited for the write lock longer than the busy timeout); on Postgres
/// writers wait for each other's locks without a limit.
fn backends_of(code: &str) -> Vec<Backend> {
    match code {
        "BUSY" => vec![Backend::Sqlite],
        _ => TestDatabase::backends(),
    }
}

/// Runs `case` on each backend, checks it got `code`, and pins the answer.
fn pin(code: &str, case: impl Fn(Backend) -> Answer) {
    for backend in backends_of(code) {
        let answer = case(backend);
        assert_eq!(
            codes(&answer.body).first().map(String::as_str),
            Some(code),
            "{}: {:#}",
            backend.name(),
            answer.body
        );
        insta::assert_json_snapshot!(code.to_lowercase(), answer, {
            ".body.errors[].message" => insta::dynamic_redaction(|value, _| {
                value.as_str().map_or(value.clone(), |m| unstable(m).into())
            }),
        });
    }
}

/// A message with what changes from run to run replaced: how long a
/// stopped request ran.
fn unstable(message: &str) -> String {
    match message.split_once("stopped after ") {
        Some((before, after)) => {
            let rest = after.trim_start_matches(|c: char| c.is_ascii_digit());
            format!("{before}stopped after [elapsed]{rest}")
        }
        None => message.to_string(),
    }
}

/// The error codes the source of the API can answer: every string literal
/// of `api/src` that is all capitals, but for the names of settings and
/// HTTP methods and the metrics' label of an error without a code.
fn codes_in_the_source() -> Vec<String> {
    fn walk(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("api/src is readable") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                found.extend(capital_literals(&text));
            }
        }
    }
    let mut found = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    found.retain(|c| {
        !c.starts_with("CRUSCOTTO_")
            && ![
                "DATABASE_URL",
                "GET",
                "POST",
                "HEAD",
                "PUT",
                "DELETE",
                "NONE",
            ]
            .contains(&c.as_str())
    });
    found.sort();
    found.dedup();
    found
}

/// The string literals of `text` that are a capital letter followed by
/// capitals, digits and underscores, at least four characters in all.
fn capital_literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (start, _) in text.match_indices('"') {
        let rest = &text[start + 1..];
        let len = rest
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(rest.len());
        let word = &rest[..len];
        if len >= 4
            && rest[len..].starts_with('"')
            && word.starts_with(|c: char| c.is_ascii_uppercase())
        {
            out.push(word.to_string());
        }
    }
    out
}

#[test]
fn every_error_code_of_the_source_has_a_case() {
    let source = codes_in_the_source();
    let mut cases: Vec<String> = CASES.iter().map(|c| c.to_string()).collect();
    cases.sort();
    let unpinned: Vec<&String> = source.iter().filter(|c| !cases.contains(c)).collect();
    let stale: Vec<&String> = cases.iter().filter(|c| !source.contains(c)).collect();
    assert!(
        unpinned.is_empty(),
        "codes in api/src without a case in this file: {unpinned:?} \
         (add a case that provokes each, or, if it is no error code, exclude it in codes_in_the_source)"
    );
    assert!(
        stale.is_empty(),
        "cases of codes api/src no longer has: {stale:?}"
    );
    let mut once = cases.clone();
    once.dedup();
    assert_eq!(once, cases, "one case per code");
}

#[test]
fn capital_literals_are_found_and_others_are_not() {
    let text = r#"let a = "BUSY"; let b = "Busy"; let c = "A_B"; ext.set("code", "QUERY_TOO_DEEP"); "x" BAD "y""#;
    assert_eq!(capital_literals(text), ["BUSY", "QUERY_TOO_DEEP"]);
}

#[test]
fn only_the_elapsed_time_of_a_message_is_redacted() {
    assert_eq!(
        unstable("the request was stopped after 12 ms, the time limit"),
        "the request was stopped after [elapsed] ms, the time limit"
    );
    assert_eq!(unstable("PersistedQueryNotFound"), "PersistedQueryNotFound");
}
