//! Shared by the HTTP tests: a real server on port 0 over a fresh database
//! of each backend, loaded with the sample plans, and a blocking client.
//! A module of the `http_*` tests (`mod http_support;`), in a directory of
//! its own so that cargo does not build it as a test binary.

#![allow(dead_code)] // Each test binary uses a different subset.

use std::path::PathBuf;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use cruscotto_api::auth::{generate_token, hash_token, Role};
use cruscotto_api::state::AppState;
use cruscotto_api::{Application, Settings};
pub use cruscotto_store::Backend;
pub use cruscotto_testdb::TestDatabase;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::{json, Value};

pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// A running server. Stopped (without waiting for requests in flight) and
/// its database dropped when the value goes out of scope.
pub struct TestServer {
    pub base: String,
    pub port: u16,
    pub state: AppState,
    pub client: Client,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
    // Dropped after the server has stopped (see Drop).
    pub db: Option<TestDatabase>,
}

impl TestServer {
    /// A server over a fresh database of `backend` holding the sample
    /// plans, with the default settings changed by `configure`.
    pub fn start(backend: Backend, configure: impl FnOnce(&mut Settings)) -> TestServer {
        let t = TestDatabase::new(backend);
        load_samples(&t);
        let db = t.db.clone();
        TestServer::start_on(t, db, configure)
    }

    /// A server over `db`, a pool of `t`'s database opened in some other
    /// way (read-only, with a short busy timeout), with the default
    /// settings changed by `configure`.
    pub fn start_on(
        t: TestDatabase,
        db: cruscotto_store::Database,
        configure: impl FnOnce(&mut Settings),
    ) -> TestServer {
        let mut settings = Settings {
            listen: "127.0.0.1:0".into(),
            database_url: t.url.clone(),
            ..Settings::default()
        };
        configure(&mut settings);
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            cruscotto_api::http::block_on(async move {
                let app = Application::build_with_database(settings, db)
                    .await
                    .expect("the server starts");
                tx.send((app.port(), app.handle(), app.state().clone()))
                    .expect("the test waits");
                app.run_until_stopped().await.expect("the server runs");
            })
        });
        let (port, handle, state) = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server reports its port");
        TestServer {
            base: format!("http://127.0.0.1:{port}"),
            port,
            state,
            client: Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("a client"),
            handle,
            thread: Some(thread),
            db: Some(t),
        }
    }

    /// The server's stop handle, for tests of stopping.
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GETs `path` with `headers`; returns the response as it came.
    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        with_headers(self.client.get(self.url(path)), headers)
            .send()
            .expect("the server answers")
    }

    /// GETs `/graphql` with the query string `params` and `headers`;
    /// returns the response as it came.
    pub fn get_graphql(&self, params: &[(&str, &str)], headers: &[(&str, &str)]) -> Response {
        with_headers(self.client.get(self.url("/graphql")).query(params), headers)
            .send()
            .expect("the server answers")
    }

    /// Whether the health check answers with success.
    pub fn is_healthy(&self) -> bool {
        self.client
            .get(self.url("/healthz"))
            .send()
            .expect("the server answers")
            .status()
            .is_success()
    }

    /// The request opening a GraphQL WebSocket (`graphql-transport-ws`) on
    /// the server.
    pub fn websocket_request(&self) -> tungstenite::handshake::client::Request {
        use tungstenite::client::IntoClientRequest;
        let uri = format!("ws://127.0.0.1:{}/graphql", self.port);
        tungstenite::ClientRequestBuilder::new(uri.parse().expect("a WebSocket URI"))
            .with_sub_protocol("graphql-transport-ws")
            .into_client_request()
            .expect("a WebSocket request")
    }

    /// A new live token with `role`, stored the way `cruscotto token create`
    /// stores it (through the test database's own pool, which can write
    /// also when the server's cannot).
    pub fn token(&self, role: Role, name: &str) -> String {
        let token = generate_token().expect("randomness");
        self.db
            .as_ref()
            .expect("the database outlives the server")
            .db
            .create_token(name, role.as_str(), &hash_token(&token))
            .expect("the token is stored");
        token
    }

    /// POSTs a GraphQL request (with `Accept: application/graphql-response+json`
    /// unless a header says otherwise) and returns the status and body.
    pub fn post(&self, body: &Value, headers: &[(&str, &str)]) -> (u16, Value) {
        status_and_json(self.post_request(body, headers))
    }

    /// POSTs a GraphQL request as [`TestServer::post`] does and returns the
    /// response as it came.
    pub fn post_request(&self, body: &Value, headers: &[(&str, &str)]) -> Response {
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .header("content-type", "application/json");
        if !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("accept"))
        {
            request = request.header("accept", GRAPHQL_RESPONSE_JSON);
        }
        with_headers(request, headers)
            .body(body.to_string())
            .send()
            .expect("the server answers")
    }

    /// Runs `query` with `variables`, as `token`'s holder if given.
    pub fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> (u16, Value) {
        let bearer = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = bearer
            .iter()
            .map(|b| ("authorization", b.as_str()))
            .collect();
        self.post(&json!({ "query": query, "variables": variables }), &headers)
    }

    /// Like [`TestServer::gql`], asserting a 200 without errors.
    pub fn data(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        let (status, body) = self.gql(query, variables, token);
        assert_eq!(status, 200, "{body:#}");
        assert!(body.get("errors").is_none(), "{body:#}");
        body["data"].clone()
    }

    /// Ids of an objective that has indicators, and of its first indicator.
    pub fn objective_with_indicator(&self) -> (String, String) {
        let data = self.data(
            "{ plans(first: 10) { nodes { objectives(first: 20) { nodes { id indicators { id } } } } } }",
            json!({}),
            None,
        );
        for plan in data["plans"]["nodes"].as_array().expect("plans") {
            for objective in plan["objectives"]["nodes"].as_array().expect("objectives") {
                if let Some(indicator) = objective["indicators"].as_array().and_then(|i| i.first())
                {
                    return (
                        objective["id"].as_str().expect("id").to_string(),
                        indicator["id"].as_str().expect("id").to_string(),
                    );
                }
            }
        }
        panic!("the sample data has an objective with indicators: {data:#}");
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // The stop command is sent when `stop` is called; the returned
        // future only waits for it, which the join below does instead.
        drop(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.db.take();
    }
}

/// `request` with `headers` added.
fn with_headers(mut request: RequestBuilder, headers: &[(&str, &str)]) -> RequestBuilder {
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    request
}

pub fn status_and_json(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().expect("a body");
    let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("a JSON body ({e}): {text}"));
    (status, json)
}

/// The `extensions.code` of every error of a GraphQL response.
pub fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("NONE")
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The message of the first error of a GraphQL response.
pub fn message(body: &Value) -> &str {
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("an error with a message: {body:#}"))
}

/// Asserts that `response` (a status and a body) has the status `status`
/// and the single error `code`, whose message contains `part`.
pub fn assert_error(response: &(u16, Value), status: u16, code: &str, part: &str) {
    let (actual, body) = response;
    assert_eq!(*actual, status, "{body:#}");
    assert_eq!(codes(body), [code], "{body:#}");
    assert!(message(body).contains(part), "{body:#}");
}

pub fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../data/sample")
        .join(name)
}

/// Imports the project's sample plans, as `cruscotto import` does.
pub fn load_samples(t: &TestDatabase) {
    for name in ["piano-triennale-2024-2026.txt", "piano-agenzia-2025.txt"] {
        let path = sample(name);
        let content = std::fs::read_to_string(&path).expect("sample readable");
        let doc = cruscotto_import::parse_document(
            &path.display().to_string(),
            &content,
            &cruscotto_import::ParseOptions::default(),
        )
        .expect("sample parses");
        t.db.save_document(&doc, Some(name)).expect("sample stored");
    }
}
