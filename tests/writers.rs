//! Several writers and several processes on one database: SQLite writers
//! wait for each other instead of failing, concurrent first imports of a
//! plan both succeed, events reach subscribers of every server process
//! whichever process wrote, a revoked token's open WebSocket is closed, and
//! HTTP validators (`ETag`) change with a write of any process.
//! Servers are the real `cruscotto serve` binary; the CLI is the real
//! binary too.

mod cli_support;
mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cli_support::ok;
use common::*;
use serde_json::{json, Value};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::Message;

/// A `cruscotto serve` process on `127.0.0.1:0`; killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(database_url: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cruscotto"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("cruscotto serve starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                    let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let _ = tx.send(port.parse::<u16>().expect("a port"));
                }
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server prints its address");
        Server { child, port }
    }

    fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        let mut request = reqwest::blocking::Client::new()
            .post(format!("http://127.0.0.1:{}/graphql", self.port))
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let response = request
            .body(json!({ "query": query, "variables": variables }).to_string())
            .send()
            .expect("the server answers");
        response.json().expect("a JSON answer")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Imports the objectives seed with the CLI.
fn import_seed(url: &str) {
    ok(&cruscotto(
        url,
        &["import", &seed(SEED_OBJECTIVES).display().to_string()],
    ));
}

/// A token created with the CLI.
fn token(url: &str, role: &str, name: &str) -> String {
    ok(&cruscotto(
        url,
        &["token", "create", "--role", role, "--name", name],
    ))
    .trim()
    .to_string()
}

/// Codes and ids of the first objective with indicators of the seed plan.
struct Target {
    plan: String,
    objective_code: String,
    objective_id: String,
    indicator_code: String,
    indicator_id: String,
}

impl Target {
    /// The CLI's `--plan … --objective … --indicator …` naming the indicator.
    fn cli_args(&self) -> [&str; 6] {
        [
            "--plan",
            &self.plan,
            "--objective",
            &self.objective_code,
            "--indicator",
            &self.indicator_code,
        ]
    }
}

/// A fresh database of `backend` holding the seed, and a token named
/// `writer` of `role`.
fn seeded_with_token(backend: Backend, role: &str) -> (TestDatabase, String) {
    let db = TestDatabase::new(backend);
    import_seed(&db.url);
    let editor = token(&db.url, role, "writer");
    (db, editor)
}

/// Two servers over one fresh database of `backend` holding the seed:
/// the database, a token named `writer` of `role`, the servers and an
/// indicator of the seed. In this order, so that bound to locals (which
/// drop in reverse) the servers stop before their database goes.
fn two_servers(backend: Backend, role: &str) -> (TestDatabase, String, Server, Server, Target) {
    let (db, editor) = seeded_with_token(backend, role);
    let a = Server::start(&db.url);
    let b = Server::start(&db.url);
    let t = an_indicator(&a);
    (db, editor, a, b, t)
}

fn an_indicator(server: &Server) -> Target {
    let body = server.gql(
        "{ plans(first: 10) { nodes { code objectives(first: 50) { nodes { id code indicators { id code } } } } } }",
        json!({}),
        None,
    );
    for plan in body["data"]["plans"]["nodes"].as_array().expect("plans") {
        for o in plan["objectives"]["nodes"].as_array().expect("objectives") {
            if let Some(i) = o["indicators"].as_array().and_then(|i| i.first()) {
                return Target {
                    plan: plan["code"].as_str().unwrap().to_string(),
                    objective_code: o["code"].as_str().unwrap().to_string(),
                    objective_id: o["id"].as_str().unwrap().to_string(),
                    indicator_code: i["code"].as_str().unwrap().to_string(),
                    indicator_id: i["id"].as_str().unwrap().to_string(),
                };
            }
        }
    }
    panic!("the seed has an objective with indicators: {body:#}");
}

/// A `graphql-transport-ws` client.
struct Ws {
    ws: tungstenite::WebSocket<MaybeTlsStream<TcpStream>>,
}

/// What a read from the socket gave.
enum Read {
    Json(Value),
    Closed(Option<u16>, String),
    Nothing,
}

/// The request opening a GraphQL WebSocket (`graphql-transport-ws`) on the
/// server listening on `port`.
fn websocket_request(port: u16) -> tungstenite::handshake::client::Request {
    use tungstenite::client::IntoClientRequest;
    let uri = format!("ws://127.0.0.1:{port}/graphql");
    tungstenite::ClientRequestBuilder::new(uri.parse().unwrap())
        .with_sub_protocol("graphql-transport-ws")
        .into_client_request()
        .unwrap()
}

impl Ws {
    /// Connects and initialises with `token` (if any), waiting for the ack.
    fn connect(port: u16, token: Option<&str>) -> Ws {
        let request = websocket_request(port);
        let (mut ws, _) = tungstenite::connect(request).expect("the upgrade succeeds");
        if let MaybeTlsStream::Plain(stream) = ws.get_mut() {
            stream
                .set_read_timeout(Some(Duration::from_millis(100)))
                .unwrap();
        }
        let mut ws = Ws { ws };
        let payload = match token {
            Some(t) => json!({ "Authorization": format!("Bearer {t}") }),
            None => json!({}),
        };
        ws.send(json!({ "type": "connection_init", "payload": payload }));
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            assert!(Instant::now() < deadline, "no connection_ack");
            if let Read::Json(m) = ws.read() {
                if m["type"] == "connection_ack" {
                    return ws;
                }
            }
        }
    }

    fn send(&mut self, v: Value) {
        self.ws.send(Message::text(v.to_string())).unwrap();
    }

    fn subscribe(&mut self, id: &str, objective: &str) {
        self.send(json!({ "id": id, "type": "subscribe", "payload": {
            "query": "subscription($o: ID!) { indicatorChanges(objective: $o) { kind period indicatorId cursor } }",
            "variables": { "o": objective } } }));
    }

    fn read(&mut self) -> Read {
        match self.ws.read() {
            Ok(Message::Text(text)) => Read::Json(serde_json::from_str(text.as_str()).unwrap()),
            Ok(Message::Close(frame)) => Read::Closed(
                frame.as_ref().map(|f| u16::from(f.code)),
                frame.map(|f| f.reason.to_string()).unwrap_or_default(),
            ),
            Ok(_) => Read::Nothing,
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Read::Nothing
            }
            Err(
                tungstenite::Error::ConnectionClosed
                | tungstenite::Error::AlreadyClosed
                | tungstenite::Error::Protocol(_),
            ) => Read::Closed(None, String::new()),
            Err(e) => panic!("the connection fails: {e}"),
        }
    }

    /// The next `indicatorChanges` event within `wait`, if any.
    fn next_change(&mut self, wait: Duration) -> Option<Value> {
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            match self.read() {
                Read::Json(m) if m["type"] == "next" => {
                    return Some(m["payload"]["data"]["indicatorChanges"].clone())
                }
                Read::Json(m) => assert_ne!(m["type"], "error", "{m:#}"),
                Read::Closed(code, reason) => panic!("closed: {code:?} {reason}"),
                Read::Nothing => {}
            }
        }
        None
    }
}

/// Subscribes `ws` to `objective` and records measurements through `a`
/// until the subscription hears one (it starts listening asynchronously:
/// there is no message saying it is ready).
fn until_subscribed(ws: &mut Ws, a: &Server, t: &Target, editor: &str) {
    ws.subscribe("1", &t.objective_id);
    let deadline = Instant::now() + Duration::from_secs(30);
    let record = "mutation($i: ID!) { recordMeasurement(indicator: $i, period: \"2025-01\", value: \"1\", source: \"test\") { id } }";
    loop {
        assert!(Instant::now() < deadline, "the subscription heard nothing");
        let body = a.gql(record, json!({ "i": t.indicator_id }), Some(editor));
        assert!(body.get("errors").is_none(), "{body:#}");
        if ws.next_change(Duration::from_millis(500)).is_some() {
            // Drain what other attempts may still deliver.
            while ws.next_change(Duration::from_millis(300)).is_some() {}
            return;
        }
    }
}

/// Waits for an event of `kind` (and `period`, if given), skipping others.
fn expect_change(ws: &mut Ws, kind: &str, period: Option<&str>) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let change = ws
            .next_change(left)
            .unwrap_or_else(|| panic!("no {kind} event ({period:?})"));
        if change["kind"] == kind && period.is_none_or(|p| change["period"] == p) {
            return change;
        }
    }
}

#[test]
fn a_subscriber_on_a_second_server_hears_writes_of_the_first_server_and_of_the_cli() {
    for backend in TestDatabase::backends() {
        eprintln!("--- on {}", backend.name());
        let (db, editor, a, b, t) = two_servers(backend, "admin");

        let mut ws = Ws::connect(b.port, None);
        until_subscribed(&mut ws, &a, &t, &editor);

        // A write through server A.
        let body = a.gql(
            "mutation($i: ID!) { recordMeasurement(indicator: $i, period: \"2025-02\", value: \"2\", source: \"a\") { id } }",
            json!({ "i": t.indicator_id }),
            Some(&editor),
        );
        assert!(body.get("errors").is_none(), "{body:#}");
        let change = expect_change(&mut ws, "MEASUREMENT_RECORDED", Some("2025-02"));
        assert_eq!(change["indicatorId"], t.indicator_id.as_str());

        // Writes through the CLI: a measurement, a binding, a computation
        // and a whole import.
        let indicator = t.cli_args();
        let mut measure = vec!["measure"];
        measure.extend(indicator);
        measure.extend(["--period", "2024", "--value", "7", "--source", "cli"]);
        ok(&cruscotto(&db.url, &measure));
        expect_change(&mut ws, "MEASUREMENT_RECORDED", Some("2024"));

        let mut bind = vec!["bind"];
        bind.extend(indicator);
        bind.extend(["--calculator", "sum"]);
        ok(&cruscotto(&db.url, &bind));
        expect_change(&mut ws, "INDICATOR_UPDATED", None);

        let mut compute = vec!["compute"];
        compute.extend(indicator);
        compute.extend(["--period", "2024"]);
        ok(&cruscotto(&db.url, &compute));
        expect_change(&mut ws, "VALUE_COMPUTED", Some("2024"));

        import_seed(&db.url);
        expect_change(&mut ws, "PLAN_IMPORTED", None);

        // Server A's own subscribers hear the CLI too.
        let mut on_a = Ws::connect(a.port, None);
        until_subscribed(&mut on_a, &b, &t, &editor);
        let mut measure = vec!["measure"];
        measure.extend(indicator);
        measure.extend(["--period", "2023", "--value", "3", "--source", "cli"]);
        ok(&cruscotto(&db.url, &measure));
        expect_change(&mut on_a, "MEASUREMENT_RECORDED", Some("2023"));
    }
}

#[test]
fn a_revoked_tokens_open_websocket_is_closed_within_a_second_and_runs_nothing_more() {
    for backend in TestDatabase::backends() {
        eprintln!("--- on {}", backend.name());
        let db = TestDatabase::new(backend);
        import_seed(&db.url);
        let admin = token(&db.url, "admin", "operator");
        let watcher = token(&db.url, "admin", "watcher");
        let server = Server::start(&db.url);
        let t = an_indicator(&server);

        let mut ws = Ws::connect(server.port, Some(&watcher));
        until_subscribed(&mut ws, &server, &t, &admin);

        ok(&cruscotto(
            &db.url,
            &["token", "revoke", "--name", "watcher"],
        ));
        let revoked = Instant::now();
        // A mutation sent right after the revocation must not run, whether
        // the per-operation check or the periodic one catches it.
        ws.send(json!({ "id": "2", "type": "subscribe", "payload": {
            "query": "mutation($i: ID!) { recordMeasurement(indicator: $i, period: \"2022\", value: \"9\", source: \"revoked\") { id } }",
            "variables": { "i": t.indicator_id } } }));
        let (code, reason) = loop {
            // The issue asks for "within a second"; the bound leaves room
            // for a loaded debug build.
            assert!(
                revoked.elapsed() < Duration::from_secs(3),
                "the connection is still open"
            );
            match ws.read() {
                Read::Closed(code, reason) => break (code, reason),
                Read::Json(m) => assert!(
                    m["id"] != "2" || m["type"] != "next",
                    "the revoked token's mutation ran: {m:#}"
                ),
                Read::Nothing => {}
            }
        };
        assert_eq!(code, Some(4403), "{reason}");
        assert!(reason.contains("revoked"), "{reason}");
        let body = server.gql(
            "query($i: ID!) { node(id: $i) { ... on Indicator { measurements { period } } } }",
            json!({ "i": t.indicator_id }),
            None,
        );
        let periods: Vec<&str> = body["data"]["node"]["measurements"]
            .as_array()
            .unwrap_or_else(|| panic!("{body:#}"))
            .iter()
            .filter_map(|m| m["period"].as_str())
            .collect();
        assert!(!periods.contains(&"2022"), "{periods:?}");

        // A new connection with the revoked token is refused at once.
        let request = websocket_request(server.port);
        let (socket, _) = tungstenite::connect(request).unwrap();
        let mut again = Ws { ws: socket };
        again.send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {watcher}") } }));
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            assert!(Instant::now() < deadline, "not refused");
            match again.read() {
                Read::Closed(_, reason) => {
                    assert!(reason.contains("revoked"), "{reason}");
                    break;
                }
                Read::Json(m) => assert_ne!(m["type"], "connection_ack", "{m:#}"),
                Read::Nothing => {}
            }
        }
    }
}

#[test]
fn two_authorization_headers_are_refused_with_400() {
    let db = TestDatabase::new(Backend::Sqlite);
    let admin = token(&db.url, "admin", "operator");
    let server = Server::start(&db.url);
    let response = reqwest::blocking::Client::new()
        .post(format!("http://127.0.0.1:{}/graphql", server.port))
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .header("authorization", format!("Bearer {admin}"))
        .header("authorization", "Bearer crs_someone_else")
        .body(json!({ "query": "{ plans(first: 1) { totalCount } }" }).to_string())
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().unwrap();
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("more than one Authorization header"),
        "{body:#}"
    );

    // The WebSocket upgrade too.
    let mut request = websocket_request(server.port);
    let headers = request.headers_mut();
    headers.append("authorization", format!("Bearer {admin}").parse().unwrap());
    headers.append("authorization", "Bearer crs_x".parse().unwrap());
    match tungstenite::connect(request) {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status().as_u16(), 400),
        Err(e) => panic!("unexpected error: {e}"),
        Ok(_) => panic!("the upgrade with two Authorization headers was accepted"),
    }
}

/// Runs `cruscotto ARGS` in the background.
fn spawn(url: &str, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_cruscotto"))
        .args(args)
        .env("DATABASE_URL", url)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cruscotto runs")
}

#[test]
fn a_second_cli_payments_importer_waits_for_the_first_and_both_succeed() {
    for backend in TestDatabase::backends() {
        eprintln!("--- on {}", backend.name());
        let db = TestDatabase::new(backend);
        let dir = tempfile::tempdir().unwrap();
        import_seed(&db.url);
        let plan = "000_c0a763c098296cde";
        let files: Vec<String> = (1..=2)
            .map(|seed| {
                let path = dir.path().join(format!("payments-{seed}.csv"));
                let path = path.display().to_string();
                ok(&cruscotto(
                    &db.url,
                    &[
                        "generate-payments",
                        "--rows",
                        "40000",
                        "--seed",
                        &seed.to_string(),
                        "--output",
                        &path,
                    ],
                ));
                path
            })
            .collect();
        let children: Vec<Child> = files
            .iter()
            .map(|f| spawn(&db.url, &["import-payments", f, "--plan", plan]))
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            let text = ok(&out);
            assert!(text.contains("40000 payments for plan"), "{text}");
        }
    }
}

#[test]
fn concurrent_first_imports_of_one_plan_both_succeed() {
    for backend in TestDatabase::backends() {
        eprintln!("--- on {}", backend.name());
        // A few rounds: the two processes do not always overlap.
        for _ in 0..3 {
            let db = TestDatabase::new(backend);
            let file = seed(SEED_OBJECTIVES).display().to_string();
            let children: Vec<Child> = (0..2).map(|_| spawn(&db.url, &["import", &file])).collect();
            let outputs: Vec<String> = children
                .into_iter()
                .map(|c| ok(&c.wait_with_output().unwrap()))
                .collect();
            let created = outputs
                .iter()
                .filter(|o| o.contains("created plan"))
                .count();
            let updated = outputs
                .iter()
                .filter(|o| o.contains("updated plan"))
                .count();
            assert_eq!((created, updated), (1, 1), "{outputs:#?}");
            assert_eq!(db.db.plan_codes().unwrap(), vec!["000_c0a763c098296cde"]);
        }
    }
}

/// A server in this process whose SQLite connections wait at most
/// `busy_timeout` for the write lock, over the database at `url`.
struct InProcess {
    port: u16,
    stop: Box<dyn Fn()>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl InProcess {
    fn start(url: &str, busy_timeout: Duration) -> InProcess {
        let options = cruscotto_store::PoolOptions {
            sqlite_busy_timeout: busy_timeout,
            ..Default::default()
        };
        let db = cruscotto_store::Database::connect(url, &options).unwrap();
        let settings = cruscotto_api::Settings {
            listen: "127.0.0.1:0".into(),
            database_url: url.to_string(),
            ..Default::default()
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            cruscotto_api::http::block_on(async move {
                let app = cruscotto_api::Application::build_with_database(settings, db)
                    .await
                    .expect("the server starts");
                tx.send((app.port(), app.handle())).unwrap();
                app.run_until_stopped().await.expect("the server runs");
            })
        });
        let (port, handle) = rx.recv_timeout(Duration::from_secs(30)).unwrap();
        InProcess {
            port,
            // The stop command is sent when `stop` is called; the future
            // only waits for it, which the join in `drop` does instead.
            stop: Box::new(move || drop(handle.stop(false))),
            thread: Some(thread),
        }
    }

    fn gql(&self, query: &str, variables: Value, token: &str) -> Value {
        reqwest::blocking::Client::new()
            .post(format!("http://127.0.0.1:{}/graphql", self.port))
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(json!({ "query": query, "variables": variables }).to_string())
            .send()
            .expect("the server answers")
            .json()
            .expect("a JSON answer")
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        (self.stop)();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `rows` payments, as a CSV file would give them.
fn payments(rows: usize) -> Vec<cruscotto_calculators::PaymentRecord> {
    let day = |n: usize| {
        chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()
            + chrono::Duration::days(i64::try_from(n % 300).unwrap())
    };
    (0..rows)
        .map(|i| cruscotto_calculators::PaymentRecord {
            invoice_id: format!("F{i:08}"),
            supplier: format!("S{}", i % 97),
            amount_cents: 10_000 + i64::try_from(i % 5_000).unwrap(),
            invoice_date: day(i),
            due_date: Some(day(i + 30)),
            payment_date: Some(day(i + 40)),
            suspended_days: 0,
        })
        .collect()
}

/// Starts a long payments import on its own pool (as a second process
/// would) and returns once it holds SQLite's write lock, with the thread
/// that runs it.
fn long_import(
    url: &str,
    rows: usize,
) -> std::thread::JoinHandle<Result<cruscotto_store::calc::PaymentImportSummary, String>> {
    let importer = cruscotto_store::Database::connect(url, &Default::default()).unwrap();
    let records = payments(rows);
    let thread = std::thread::spawn(move || {
        importer
            .import_payments("000_c0a763c098296cde", &records, "big.csv")
            .map_err(|e| e.to_string())
    });
    // A probe that does not wait: "database is locked" means the import
    // holds the write lock.
    let probe = cruscotto_store::Database::connect(
        url,
        &cruscotto_store::PoolOptions {
            sqlite_busy_timeout: Duration::ZERO,
            ..Default::default()
        },
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(
            !thread.is_finished(),
            "the import ended before it was seen holding the lock"
        );
        assert!(Instant::now() < deadline, "the import never took the lock");
        // Deleting a plan that does not exist writes nothing, but needs the
        // write lock.
        match probe.delete_plan("no such plan") {
            Err(cruscotto_store::StoreError::Busy { .. }) => return thread,
            _ => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

const RECORD: &str = "mutation($i: ID!, $p: String!) { recordMeasurement(indicator: $i, period: $p, value: \"5\", source: \"during the import\") { period } }";

#[test]
fn a_mutation_during_a_long_import_waits_for_it_and_succeeds() {
    let (db, editor) = seeded_with_token(Backend::Sqlite, "editor");
    let server = InProcess::start(&db.url, Duration::from_secs(30));
    let indicator = an_indicator_id(&server, &editor);
    let import = long_import(&db.url, 100_000);
    let body = server.gql(RECORD, json!({ "i": indicator, "p": "2024-06" }), &editor);
    assert!(body.get("errors").is_none(), "{body:#}");
    assert_eq!(body["data"]["recordMeasurement"]["period"], "2024-06");
    let summary = import.join().unwrap().expect("the import succeeds");
    assert_eq!(summary.records, 100_000);
}

#[test]
fn a_mutation_that_waited_longer_than_the_busy_timeout_gets_busy_and_retryable() {
    let (db, editor) = seeded_with_token(Backend::Sqlite, "editor");
    let server = InProcess::start(&db.url, Duration::from_millis(100));
    let indicator = an_indicator_id(&server, &editor);
    let before = db.db.table_counts().unwrap();
    let import = long_import(&db.url, 300_000);
    let body = server.gql(RECORD, json!({ "i": indicator, "p": "2024-07" }), &editor);
    let import_still_running = !import.is_finished();
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "BUSY", "{body:#}");
    assert_eq!(error["extensions"]["retryable"], true, "{body:#}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("busy") && message.contains("retry"),
        "{message}"
    );
    assert!(!message.to_lowercase().contains("sql"), "{message}");
    assert!(
        import_still_running,
        "the import must have held the lock meanwhile"
    );
    import.join().unwrap().expect("the import succeeds");
    // Nothing of the refused mutation was written; the retry succeeds.
    let after = db.db.table_counts().unwrap();
    let measurements = |c: &[(&str, i64)]| c.iter().find(|(t, _)| *t == "measurements").unwrap().1;
    assert_eq!(measurements(&after), measurements(&before));
    let body = server.gql(RECORD, json!({ "i": indicator, "p": "2024-07" }), &editor);
    assert!(body.get("errors").is_none(), "{body:#}");
}

/// The global id of an indicator of the seed plan.
fn an_indicator_id(server: &InProcess, token: &str) -> String {
    let body = server.gql(
        "{ plans(first: 1) { nodes { objectives(first: 50) { nodes { indicators { id } } } } } }",
        json!({}),
        token,
    );
    body["data"]["plans"]["nodes"][0]["objectives"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|o| o["indicators"][0]["id"].as_str())
        .unwrap_or_else(|| panic!("an indicator: {body:#}"))
        .to_string()
}

/// Also the latency measurement of BENCHMARKS.md:
/// `cargo test --release --test writers events_of_100 -- --nocapture`.
#[test]
fn events_of_100_writes_through_one_server_reach_another_once_and_in_order() {
    for backend in TestDatabase::backends() {
        let (_db, editor, a, b, t) = two_servers(backend, "editor");
        let mut ws = Ws::connect(b.port, None);
        until_subscribed(&mut ws, &a, &t, &editor);
        // A reader thread stamps each event as it arrives, also when it
        // arrives before the mutation's response.
        let (tx, events) = std::sync::mpsc::channel::<(Instant, Value)>();
        let reader = std::thread::spawn(move || {
            let until = Instant::now() + Duration::from_secs(120);
            while Instant::now() < until {
                match ws.read() {
                    Read::Json(m) if m["type"] == "next" => {
                        let change = m["payload"]["data"]["indicatorChanges"].clone();
                        if tx.send((Instant::now(), change)).is_err() {
                            return;
                        }
                    }
                    Read::Json(m) => assert_ne!(m["type"], "error", "{m:#}"),
                    // The servers stop at the end of the test.
                    Read::Closed(..) => return,
                    Read::Nothing => {}
                }
            }
        });
        let record = "mutation($i: ID!, $p: String!) { recordMeasurement(indicator: $i, period: $p, value: \"1\", source: \"latency\") { id } }";
        let mut latencies = Vec::new();
        let mut round_trips = Vec::new();
        let mut cursors = Vec::new();
        for n in 0..100 {
            // Months of 100 distinct years: each write is a new measurement.
            let period = format!("{}-{:02}", 1900 + n, 1 + n % 12);
            let sent = Instant::now();
            let body = a.gql(
                record,
                json!({ "i": t.indicator_id, "p": period }),
                Some(&editor),
            );
            round_trips.push(sent.elapsed());
            assert!(body.get("errors").is_none(), "{body:#}");
            let (arrived, change) = events
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("no event for {period}"));
            assert_eq!(change["period"], period.as_str(), "{change:#}");
            latencies.push(arrived - sent);
            cursors.push(change["cursor"].as_str().unwrap().parse::<i64>().unwrap());
        }
        // Once each, in commit order: the cursors grow.
        assert!(cursors.windows(2).all(|w| w[0] < w[1]), "{cursors:?}");
        assert!(
            events.recv_timeout(Duration::from_millis(300)).is_err(),
            "an event came twice"
        );
        drop(events);
        drop(reader);
        latencies.sort();
        round_trips.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        eprintln!(
            "{}: mutation on A to event on B: median {:.1} ms, p99 {:.1} ms, max {:.1} ms; the mutation's own round trip: median {:.1} ms",
            backend.name(),
            ms(latencies[49]),
            ms(latencies[98]),
            ms(latencies[99]),
            ms(round_trips[49]),
        );
    }
}

/// A GET of `query` on `server`, revalidating `etag` when given: the
/// status and the answer's `ETag`.
fn get(server: &Server, query: &str, etag: Option<&str>) -> (u16, Option<String>, String) {
    let mut request = reqwest::blocking::Client::new()
        .get(format!("http://127.0.0.1:{}/graphql", server.port))
        .query(&[("query", query)])
        .header("accept", "application/graphql-response+json");
    if let Some(etag) = etag {
        request = request.header("if-none-match", etag);
    }
    let response = request.send().expect("the server answers");
    let status = response.status().as_u16();
    let tag = response
        .headers()
        .get("etag")
        .map(|t| t.to_str().unwrap().to_string());
    (status, tag, response.text().expect("a body"))
}

#[test]
fn an_unchanged_database_answers_304_and_a_write_of_another_process_changes_the_tag() {
    for backend in TestDatabase::backends() {
        eprintln!("--- on {}", backend.name());
        let (db, editor, a, b, t) = two_servers(backend, "editor");
        let query = "{ plans { nodes { code objectives(first: 5) { nodes { code indicators { code measurements { period value } } } } } } }";

        let (status, tag, body) = get(&a, query, None);
        assert_eq!(status, 200, "{body}");
        let tag = tag.expect("a GET query's answer has an ETag");
        assert!(tag.starts_with("W/\""), "a weak tag: {tag}");
        let (status, again, body) = get(&a, query, Some(&tag));
        assert_eq!(status, 304, "nothing changed: {body}");
        assert_eq!(again.as_deref(), Some(tag.as_str()));
        assert!(body.is_empty(), "a 304 has no body");
        // Server B computes the same tag for the same data.
        assert_eq!(get(&b, query, Some(&tag)).0, 304);
        // Another query has another tag.
        let (_, other, _) = get(&a, "{ plans { totalCount } }", None);
        assert_ne!(other.as_deref(), Some(tag.as_str()));

        // A write through server B: server A's answer changes, and so does its tag.
        let written = b.gql(
            "mutation($i: ID!) { recordMeasurement(indicator: $i, period: \"2025-03\", value: \"4\", source: \"b\") { id } }",
            json!({ "i": t.indicator_id }),
            Some(&editor),
        );
        assert!(written.get("errors").is_none(), "{written:#}");
        let (status, after_b, body) = get(&a, query, Some(&tag));
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("2025-03"), "the new answer: {body}");
        let after_b = after_b.expect("a tag");
        assert_ne!(after_b, tag);
        assert_eq!(get(&a, query, Some(&after_b)).0, 304);

        // A write through the CLI, another process again.
        let mut measure = vec!["measure"];
        measure.extend(t.cli_args());
        measure.extend(["--period", "2025-04", "--value", "5", "--source", "cli"]);
        ok(&cruscotto(&db.url, &measure));
        let (status, after_cli, _) = get(&a, query, Some(&after_b));
        assert_eq!(status, 200);
        assert_ne!(after_cli.as_deref(), Some(after_b.as_str()));

        // A failed write changes nothing.
        let (_, before, _) = get(&a, query, None);
        let refused = b.gql(
            "mutation($i: ID!) { recordMeasurement(indicator: $i, period: \"garbage\", value: \"4\", source: \"b\") { id } }",
            json!({ "i": t.indicator_id }),
            Some(&editor),
        );
        assert!(refused.get("errors").is_some(), "{refused:#}");
        assert_eq!(get(&a, query, before.as_deref()).0, 304);
    }
}
