//! Shared helpers for the plugin tests: building plugin crates as cdylibs
//! with the real cargo and finding their artifacts.

#![allow(dead_code)] // Each test binary uses a different subset of these helpers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use cruscotto_calculators::PaymentRecord;

/// The plugin helpers the tests of the API and of the binary share, by
/// file: this crate does not depend on the test databases crate.
#[path = "../../../testdb/src/plugins.rs"]
mod plugins;

#[allow(unused_imports)] // Each test binary uses a different subset.
pub use plugins::{install, lib_name, processes_with_argument, workspace_root, PLUGIN_PACKAGES};

/// A target directory of its own, so the nested cargo never waits on the
/// lock of the one running the tests.
pub fn plugin_target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugin-tests")
}

/// Runs `cargo build` with JSON messages in `dir` and returns the cdylib
/// artifacts by crate name (underscored).
pub fn cargo_build_cdylibs(dir: &Path, extra_args: &[&str]) -> HashMap<String, PathBuf> {
    plugins::cdylibs(&plugins::cargo_build(dir, &plugin_target_dir(), extra_args))
}

/// The repository's plugin crates, built once per test binary.
pub fn repository_plugins() -> &'static HashMap<String, PathBuf> {
    static BUILT: OnceLock<HashMap<String, PathBuf>> = OnceLock::new();
    BUILT.get_or_init(|| plugins::build_plugins(&plugin_target_dir(), &PLUGIN_PACKAGES))
}

/// The artifact of one repository plugin, by package name.
pub fn plugin(package: &str) -> PathBuf {
    repository_plugins()[&package.replace('-', "_")].clone()
}

/// A temporary plugin directory holding, for each `(package, stem)`, the
/// library of the repository plugin `package` under the name `stem`.
pub fn plugin_dir_of(plugins: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (package, stem) in plugins {
        install(&plugin(package), dir.path(), stem);
    }
    dir
}

/// The plugin worker program of this crate (built by cargo for the tests).
pub fn worker_program() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_cruscotto-plugin-worker"))
}

/// A date of the hand-made inputs.
pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A hand-made invoice of `euros` (its id `F{euros}`, supplier `ACME`).
pub fn invoice(
    euros: i64,
    invoice: NaiveDate,
    due: Option<NaiveDate>,
    paid: Option<NaiveDate>,
    suspended: u32,
) -> PaymentRecord {
    PaymentRecord {
        invoice_id: format!("F{euros}"),
        supplier: "ACME".into(),
        amount_cents: euros * 100,
        invoice_date: invoice,
        due_date: due,
        payment_date: paid,
        suspended_days: suspended,
    }
}
