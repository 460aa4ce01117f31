//! Calculator plugins through the real server: real `cdylib`s built with
//! cargo, loaded from a plugin directory at start, listed with their paths;
//! a library built for another ABI reported, not fatal; a plugin computing
//! through HTTP; a panicking or slow plugin answered with
//! `CALCULATOR_FAILED` while the server keeps serving; and a reload that
//! picks up a library copied in later, for administrators only; plugins
//! that segfault, abort, allocate 20 GB, loop forever or abort while being
//! loaded, each reported with its cause while the server keeps serving
//! (plugins run in worker processes). Every test runs on every configured
//! backend.

mod http_support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use cruscotto_api::auth::Role;
use cruscotto_testdb::plugins::{self, lib_name, processes_with_argument, PLUGIN_PACKAGES};
use http_support::{codes, Backend, TestDatabase, TestServer};
use serde_json::{json, Value};

fn nested_target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("api-plugin-tests")
}

/// The plugin worker program of the calculators crate, built once per test
/// binary like the plugins (the server started by these tests runs inside
/// the test harness, which is no worker).
fn worker() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let args = [
            "-p",
            "cruscotto-calculators",
            "--bin",
            "cruscotto-plugin-worker",
        ];
        plugins::cargo_build(&plugins::workspace_root(), &nested_target_dir(), &args)
            .iter()
            .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
            .expect("cargo reports the worker executable")
    })
}

/// The repository's plugin crates built as `cdylib`s, once per test
/// binary, in a target directory of their own so that the nested cargo
/// never waits on the lock of the one running the tests.
fn built_plugins() -> &'static HashMap<String, PathBuf> {
    static BUILT: OnceLock<HashMap<String, PathBuf>> = OnceLock::new();
    BUILT.get_or_init(|| plugins::build_plugins(&nested_target_dir(), &PLUGIN_PACKAGES))
}

/// Copies the plugin `package` into `dir` as `stem`; returns its path.
fn install(dir: &Path, package: &str, stem: &str) -> PathBuf {
    plugins::install(&built_plugins()[&package.replace('-', "_")], dir, stem)
}

/// A plugin directory with the example, the panicking, the slow and the
/// wrong-ABI plugins.
fn plugin_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    install(dir.path(), "cruscotto-plugin-median-delay", "median_delay");
    install(dir.path(), "cruscotto-plugin-broken-panic", "broken_panic");
    install(dir.path(), "cruscotto-plugin-broken-slow", "broken_slow");
    install(dir.path(), "cruscotto-plugin-broken-abi", "broken_abi");
    dir
}

// Generous: a panic in a debug build with RUST_BACKTRACE=1 on a loaded machine
// spends over a second printing its backtrace, and must not be cut off.
const TIMEOUT: Duration = Duration::from_millis(5000);
const MEMORY_LIMIT_MB: u64 = 256;

/// A server with the plugins of a fresh [`plugin_dir`], and the directory.
fn plugin_server(backend: Backend) -> (tempfile::TempDir, TestServer) {
    let dir = plugin_dir();
    let server = start(backend, dir.path());
    (dir, server)
}

/// The message of the first of `errors`.
fn message_of(errors: &Value) -> &str {
    errors[0]["message"].as_str().unwrap()
}

fn start(backend: Backend, dir: &Path) -> TestServer {
    let dir = dir.to_path_buf();
    TestServer::start(backend, move |s| {
        s.plugin_dir = Some(dir);
        // Long enough for a real computation on a busy machine, short
        // enough for the slow plugin's test.
        s.calculator_timeout = TIMEOUT;
        s.plugin_memory_mb = MEMORY_LIMIT_MB;
        s.plugin_worker = Some(worker().to_path_buf());
    })
}

/// Delays of 2020-Q1: −10, +5, +20 (30 days with 10 suspended) and +40
/// (no due date: 1/1 + 30 = 31/1, paid 11/3): the median is
/// (5 + 20) / 2 = 12.5. F5, paid in April with a delay of 71 days, joins
/// them in the year, whose median is then 20. F6 is unpaid.
const PAYMENTS: &str = "\
Numero fattura;Fornitore;Importo;Data fattura;Data scadenza;Data pagamento;Giorni sospensione
F1;Alfa;10,00;01/01/2020;31/01/2020;21/01/2020;0
F2;Beta;20,00;01/01/2020;31/01/2020;05/02/2020;0
F3;Gamma;30,00;01/01/2020;31/01/2020;01/03/2020;10
F4;Delta;40,00;01/01/2020;;11/03/2020;0
F5;Epsilon;50,00;01/01/2020;31/01/2020;11/04/2020;0
F6;Zeta;60,00;01/01/2020;31/01/2020;;0
";

const BIND: &str = r#"mutation($id: ID!, $calc: String!, $params: JSON, $v: Int!) {
  bindCalculator(indicator: $id, calculator: $calc, params: $params, expectedVersion: $v) { version } }"#;

const COMPUTE: &str = r#"mutation($id: ID!, $period: String!) {
  computeIndicator(indicator: $id, period: $period) { value status recordsUsed calculator { key version source } } }"#;

/// An indicator of the sample data: its id, version and plan code.
fn indicator(server: &TestServer) -> (String, i64, String) {
    let (_, id) = server.objective_with_indicator();
    let data = server.data(
        r#"query($id: ID!) { node(id: $id) { ... on Indicator { version objective { plan { code } } } } }"#,
        json!({ "id": id }),
        None,
    );
    let node = &data["node"];
    (
        id,
        node["version"].as_i64().expect("a version"),
        node["objective"]["plan"]["code"]
            .as_str()
            .expect("a plan code")
            .to_string(),
    )
}

#[test]
fn plugins_are_served_and_broken_ones_are_reported_without_stopping_the_server() {
    for backend in TestDatabase::backends() {
        let (dir, server) = plugin_server(backend);
        let editor = server.token(Role::Editor, "editor");

        let data = server.data(
            "{ calculators { key version source builtin unit direction } calculatorLoadErrors { path kind message } }",
            json!({}),
            None,
        );
        let median = data["calculators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == "median_payment_delay")
            .unwrap_or_else(|| panic!("the example plugin is served: {data:#}"))
            .clone();
        let median_path = dir.path().join(lib_name("median_delay"));
        assert_eq!(median["source"], median_path.display().to_string());
        assert_eq!(median["builtin"], false);
        assert_eq!(median["version"], "1.0.0");
        assert_eq!(median["unit"], "DAYS");
        assert_eq!(median["direction"], "LOWER_IS_BETTER");
        let errors = data["calculatorLoadErrors"].as_array().unwrap();
        assert_eq!(
            errors.len(),
            1,
            "only the wrong-ABI library fails: {errors:#?}"
        );
        let abi_path = dir.path().join(lib_name("broken_abi"));
        assert_eq!(errors[0]["path"], abi_path.display().to_string());
        assert_eq!(errors[0]["kind"], "WRONG_ABI_VERSION");
        let message = errors[0]["message"].as_str().unwrap();
        assert!(
            message.contains("broken_abi") && message.contains("99"),
            "{message}"
        );

        // The example plugin computes through the server.
        let (id, version, plan) = indicator(&server);
        let imported = server.data(
            r#"mutation($plan: String!, $csv: String!) { importPayments(plan: $plan, csv: $csv) { inserted } }"#,
            json!({ "plan": plan, "csv": PAYMENTS }),
            Some(&editor),
        );
        assert_eq!(imported["importPayments"]["inserted"], 6);
        let bound = server.data(
            BIND,
            json!({ "id": id, "calc": "median_payment_delay", "params": {"default_term_days": 30}, "v": version }),
            Some(&editor),
        );
        let version = bound["bindCalculator"]["version"].as_i64().unwrap();
        let q1 = server.data(
            COMPUTE,
            json!({ "id": id, "period": "2020-Q1" }),
            Some(&editor),
        );
        assert_eq!(
            q1["computeIndicator"],
            json!({ "value": "12.5", "status": "OK", "recordsUsed": 4,
                    "calculator": { "key": "median_payment_delay", "version": "1.0.0",
                                    "source": median_path.display().to_string() } })
        );
        let year = server.data(
            COMPUTE,
            json!({ "id": id, "period": "2020" }),
            Some(&editor),
        );
        assert_eq!(year["computeIndicator"]["value"], "20");

        // A panicking plugin: a clear error, and the server goes on.
        let bound = server.data(
            BIND,
            json!({ "id": id, "calc": "broken_panic", "v": version }),
            Some(&editor),
        );
        let version = bound["bindCalculator"]["version"].as_i64().unwrap();
        let (status, body) = server.gql(
            COMPUTE,
            json!({ "id": id, "period": "2020" }),
            Some(&editor),
        );
        assert_eq!(status, 200, "{body:#}");
        assert_eq!(codes(&body), ["CALCULATOR_FAILED"], "{body:#}");
        let message = message_of(&body["errors"]);
        assert!(
            message.contains("broken_panic") && message.contains("deliberate panic"),
            "{message}"
        );
        let still = server.data(
            r#"query($id: ID!) { node(id: $id) { ... on Indicator { value(period: "2020") { value calculator { key } } } } }"#,
            json!({ "id": id }),
            None,
        );
        assert_eq!(
            still["node"]["value"],
            json!({ "value": "20", "calculator": { "key": "median_payment_delay" } }),
            "the failed computation stored nothing"
        );

        // A slow plugin is cut off by the timeout.
        server.data(
            BIND,
            json!({ "id": id, "calc": "broken_slow", "params": {"sleep_ms": 60000}, "v": version }),
            Some(&editor),
        );
        let started = std::time::Instant::now();
        let (_, body) = server.gql(
            COMPUTE,
            json!({ "id": id, "period": "2020" }),
            Some(&editor),
        );
        assert_eq!(codes(&body), ["CALCULATOR_FAILED"], "{body:#}");
        assert!(
            message_of(&body["errors"]).contains("exceeded the time limit of 5000 ms"),
            "{body:#}"
        );
        assert!(
            started.elapsed() < TIMEOUT + Duration::from_secs(5),
            "cut off in time (the plugin sleeps a minute)"
        );
        assert!(server.is_healthy());
    }
}

#[test]
fn reloading_picks_up_a_library_copied_in_later_for_administrators_only() {
    for backend in TestDatabase::backends() {
        let (dir, server) = plugin_server(backend);
        let admin = server.token(Role::Admin, "admin");
        let editor = server.token(Role::Editor, "editor");
        let reload = "mutation { reloadCalculators { added replaced errors { path kind } calculators { key } } }";

        let (_, body) = server.gql(reload, json!({}), Some(&editor));
        assert_eq!(codes(&body), ["FORBIDDEN"], "{body:#}");
        let (_, body) = server.gql(reload, json!({}), None);
        assert_eq!(codes(&body), ["UNAUTHENTICATED"], "{body:#}");

        // Nothing new: nothing added, and known failures are not repeated.
        let data = server.data(reload, json!({}), Some(&admin));
        assert_eq!(data["reloadCalculators"]["added"], json!([]));
        assert_eq!(data["reloadCalculators"]["errors"], json!([]));

        install(dir.path(), "cruscotto-plugin-itp", "itp");
        let data = server.data(reload, json!({}), Some(&admin));
        let result = &data["reloadCalculators"];
        assert_eq!(result["added"], json!(["itp_plugin"]));
        assert_eq!(result["replaced"], json!([]));
        assert!(result["calculators"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["key"] == "itp_plugin"));
        let listed = server.data(
            "{ calculator(key: \"itp_plugin\") { source } }",
            json!({}),
            None,
        );
        assert_eq!(
            listed["calculator"]["source"],
            dir.path().join(lib_name("itp")).display().to_string()
        );
    }
}

#[test]
fn faulty_plugins_fail_with_their_cause_and_the_server_keeps_serving() {
    for backend in TestDatabase::backends() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        install(dir.path(), "cruscotto-plugin-median-delay", "median_delay");
        install(
            dir.path(),
            "cruscotto-plugin-broken-segfault",
            "broken_segfault",
        );
        install(dir.path(), "cruscotto-plugin-broken-abort", "broken_abort");
        install(
            dir.path(),
            "cruscotto-plugin-broken-memory",
            "broken_memory",
        );
        let looping = install(dir.path(), "cruscotto-plugin-broken-loop", "broken_loop");
        let constructor = install(
            dir.path(),
            "cruscotto-plugin-broken-constructor",
            "broken_constructor",
        );
        // The server starts although one library aborts while loading.
        let server = start(backend, dir.path());
        let admin = server.token(Role::Admin, "admin");
        let editor = server.token(Role::Editor, "editor");

        let data = server.data(
            "{ calculatorLoadErrors { path kind message } }",
            json!({}),
            None,
        );
        let errors = data["calculatorLoadErrors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(errors[0]["path"], constructor.display().to_string());
        assert_eq!(errors[0]["kind"], "WORKER_FAILED");
        let message = errors[0]["message"].as_str().unwrap();
        assert!(message.contains("SIGABRT"), "{message}");

        // A reload meeting another such library survives and reports it.
        install(
            dir.path(),
            "cruscotto-plugin-broken-constructor",
            "broken_constructor_2",
        );
        let data = server.data(
            "mutation { reloadCalculators { added errors { kind message } } }",
            json!({}),
            Some(&admin),
        );
        let reload = &data["reloadCalculators"];
        assert_eq!(reload["added"], json!([]), "{reload:#}");
        assert_eq!(reload["errors"][0]["kind"], "WORKER_FAILED", "{reload:#}");
        assert!(
            message_of(&reload["errors"]).contains("SIGABRT"),
            "{reload:#}"
        );

        let (id, mut version, plan) = indicator(&server);
        server.data(
            r#"mutation($plan: String!, $csv: String!) { importPayments(plan: $plan, csv: $csv) { inserted } }"#,
            json!({ "plan": plan, "csv": PAYMENTS }),
            Some(&editor),
        );
        let mut bind = |calc: &str| {
            let bound = server.data(
                BIND,
                json!({ "id": id, "calc": calc, "v": version }),
                Some(&editor),
            );
            version = bound["bindCalculator"]["version"].as_i64().unwrap();
        };
        let compute = || {
            server.gql(
                COMPUTE,
                json!({ "id": id, "period": "2020" }),
                Some(&editor),
            )
        };
        for (calc, cause) in [
            (
                "broken_segfault",
                "its worker process was killed by SIGSEGV (invalid memory reference)".to_string(),
            ),
            (
                "broken_abort",
                "its worker process was killed by SIGABRT (abort)".to_string(),
            ),
            (
                "broken_memory",
                format!("it exceeded the memory limit of {MEMORY_LIMIT_MB} MB"),
            ),
            (
                "broken_loop",
                format!("exceeded the time limit of {} ms", TIMEOUT.as_millis()),
            ),
        ] {
            bind(calc);
            let (status, body) = compute();
            assert_eq!(status, 200, "{calc}: {body:#}");
            assert_eq!(codes(&body), ["CALCULATOR_FAILED"], "{calc}: {body:#}");
            let message = message_of(&body["errors"]);
            assert!(
                message.contains(calc) && message.contains(&cause),
                "{calc}: {message}"
            );
            // The server answers the next request, and the good plugin
            // still computes.
            bind("median_payment_delay");
            let (_, body) = compute();
            assert_eq!(
                body["data"]["computeIndicator"]["value"], "20",
                "after {calc}: {body:#}"
            );
        }
        // Nothing is left running the endless loop.
        assert_eq!(processes_with_argument(&looping), Vec::<u32>::new());
        assert!(server.is_healthy());
    }
}
