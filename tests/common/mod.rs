//! Shared helpers of the integration tests: seed documents, fresh databases
//! on every configured backend, and running the real `cruscotto` binary.

#![allow(dead_code)] // Each test binary uses a different subset.

use std::path::PathBuf;
use std::process::{Command, Output};

#[allow(unused_imports)] // Used by some test binaries only.
pub use cruscotto_store::Backend;
pub use cruscotto_testdb::TestDatabase;

pub const SEED_OBJECTIVES: &str = "000_c0a763c098296cde.txt";
pub const SEED_MULTI_YEAR: &str = "001_b1c6253d44de1f62.txt";

/// Path of a seed document in `../shared/seeds/`.
pub fn seed(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/seeds")
        .join(name)
}

/// Path of a file of the project's sample data.
pub fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/sample")
        .join(name)
}

/// Parses a document the way `cruscotto import` does.
pub fn parse(path: &std::path::Path) -> cruscotto_import::PlanDocument {
    let content = std::fs::read_to_string(path).expect("document readable");
    cruscotto_import::parse_document(
        &path.display().to_string(),
        &content,
        &cruscotto_import::ParseOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{} parses: {e}", path.display()))
}

/// Runs `f` once per configured backend, each with a fresh database.
pub fn on_each_backend(f: impl Fn(&TestDatabase)) {
    for backend in TestDatabase::backends() {
        let t = TestDatabase::new(backend);
        eprintln!("--- on {}", backend.name());
        f(&t);
    }
}

/// Runs the `cruscotto` binary against `database_url`.
pub fn cruscotto(database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cruscotto"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env_remove("RUST_LOG")
        .output()
        .expect("the cruscotto binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts two documents are equal, showing the first lines of their JSON
/// forms that differ rather than two pages of debug output.
pub fn assert_same_document(
    actual: &cruscotto_import::PlanDocument,
    expected: &cruscotto_import::PlanDocument,
) {
    if actual == expected {
        return;
    }
    let a = cruscotto_import::json::to_json(actual);
    let e = cruscotto_import::json::to_json(expected);
    let diff: Vec<String> = a
        .lines()
        .zip(e.lines())
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .take(5)
        .map(|(n, (x, y))| format!("line {}:\n  actual:   {x}\n  expected: {y}", n + 1))
        .collect();
    panic!(
        "documents differ ({} vs {} lines):\n{}",
        a.lines().count(),
        e.lines().count(),
        diff.join("\n")
    );
}

/// Builds a plugin crate of this workspace as a cdylib with the real cargo
/// (as `calculators/tests/plugins.rs` does) and returns the library's path.
/// A target directory of its own keeps the nested cargo off the lock of the
/// one running the tests.
pub fn build_plugin(package: &str) -> PathBuf {
    let target_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugin-builds");
    cruscotto_testdb::plugins::build_plugins(&target_dir, &[package])
        .remove(&package.replace('-', "_"))
        .expect("the package has a library")
}
