//! The graphql-http audit suite (`tests/http-audit/audit.mjs`) against the
//! real server: every MUST and SHOULD of the GraphQL-over-HTTP
//! specification that the suite checks.
//!
//! Needs Node.js and the suite's packages (`npm ci` in `tests/http-audit`).
//! Without them the test says so and passes, unless
//! `CRUSCOTTO_REQUIRE_AUDIT=1` (CI) makes their absence a failure.

mod http_support;

use std::path::PathBuf;
use std::process::Command;

use http_support::*;

#[test]
fn the_server_passes_every_graphql_over_http_audit() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/http-audit");
    let node_available = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node_available || !dir.join("node_modules/graphql-http").exists() {
        let required = std::env::var("CRUSCOTTO_REQUIRE_AUDIT").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "CRUSCOTTO_REQUIRE_AUDIT=1 but node or the audit's packages are missing (npm ci in {})",
            dir.display()
        );
        eprintln!("skipped: install Node.js and run `npm ci` in tests/http-audit to run the audit");
        return;
    }
    for backend in TestDatabase::backends() {
        let server = TestServer::start(backend, |_| {});
        let output = Command::new("node")
            .arg(dir.join("audit.mjs"))
            .arg(server.url("/graphql"))
            .output()
            .expect("node runs");
        let report = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}: the audit failed:\n{report}\n{}",
            backend.name(),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            report.contains("0 MUST failed, 0 SHOULD warned"),
            "{report}"
        );
    }
}
