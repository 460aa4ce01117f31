//! The graphql-http audit suite (`tests/http-audit/audit.mjs`) against the
//! real server: every MUST and SHOULD of the GraphQL-over-HTTP
//! specification that the suite checks.
//!
//! Needs Node.js and the suite's packages (`npm ci` in `tests/http-audit`).
//! Without them the test fails, unless `CRUSCOTTO_ALLOW_MISSING` lists
//! `audit`: then it prints `SKIPPED` and returns.

mod http_support;

use std::path::PathBuf;
use std::process::Command;

use cruscotto_testdb::needs::{self, Need};
use http_support::*;

#[test]
fn the_server_passes_every_graphql_over_http_audit() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/http-audit");
    let node_available = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let packages = dir.join("node_modules/graphql-http");
    if !node_available || !packages.exists() {
        let what = if node_available {
            format!(
                "the audit's npm packages are not installed ({})",
                packages.display()
            )
        } else {
            "Node.js (`node`) is not on PATH".to_string()
        };
        needs::missing(Need::Audit, &what);
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
