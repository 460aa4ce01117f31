//! Shared helpers for the plugin tests: building plugin crates as cdylibs
//! with the real cargo and finding their artifacts.

#![allow(dead_code)] // Each test binary uses a different subset of these helpers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::NaiveDate;
use cruscotto_calculators::PaymentRecord;

/// The workspace root (the parent of the calculators crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("calculators/ has a parent")
        .to_path_buf()
}

/// A target directory of its own, so the nested cargo never waits on the
/// lock of the one running the tests.
pub fn plugin_target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugin-tests")
}

/// Runs `cargo build` with JSON messages in `dir` and returns the cdylib
/// artifacts by crate name (underscored).
pub fn cargo_build_cdylibs(dir: &Path, extra_args: &[&str]) -> HashMap<String, PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(dir)
        .args(["build", "--message-format=json", "--target-dir"])
        .arg(plugin_target_dir())
        .args(extra_args)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut artifacts = HashMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        let is_cdylib = msg["target"]["kind"]
            .as_array()
            .is_some_and(|k| k.iter().any(|k| k == "cdylib"));
        if !is_cdylib {
            continue;
        }
        let name = msg["target"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let file = msg["filenames"]
            .as_array()
            .and_then(|f| {
                f.iter()
                    .filter_map(|f| f.as_str())
                    .find(|f| f.ends_with(std::env::consts::DLL_EXTENSION))
            })
            .map(PathBuf::from);
        if let Some(file) = file {
            artifacts.insert(name, file);
        }
    }
    artifacts
}

/// The repository's plugin crates, built once per test binary.
pub fn repository_plugins() -> &'static HashMap<String, PathBuf> {
    static BUILT: OnceLock<HashMap<String, PathBuf>> = OnceLock::new();
    BUILT.get_or_init(|| {
        let packages = [
            "cruscotto-plugin-median-delay",
            "cruscotto-plugin-broken-panic",
            "cruscotto-plugin-broken-abi",
            "cruscotto-plugin-broken-slow",
            "cruscotto-plugin-itp",
            "cruscotto-plugin-broken-segfault",
            "cruscotto-plugin-broken-abort",
            "cruscotto-plugin-broken-memory",
            "cruscotto-plugin-broken-constructor",
            "cruscotto-plugin-broken-loop",
        ];
        let mut args = Vec::new();
        for p in packages {
            args.extend(["-p", p]);
        }
        let built = cargo_build_cdylibs(&workspace_root(), &args);
        for p in packages {
            assert!(
                built.contains_key(&p.replace('-', "_")),
                "no cdylib for {p} in {built:?}"
            );
        }
        built
    })
}

/// The artifact of one repository plugin, by package name.
pub fn plugin(package: &str) -> PathBuf {
    repository_plugins()[&package.replace('-', "_")].clone()
}

/// A library file name for this platform.
pub fn lib_name(stem: &str) -> String {
    format!(
        "{}{stem}.{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_EXTENSION
    )
}

/// The plugin worker program of this crate (built by cargo for the tests).
pub fn worker_program() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_cruscotto-plugin-worker"))
}

/// Ids of the live processes whose command line has `needle` as an
/// argument (a plugin worker names its library there).
pub fn processes_with_argument(needle: &Path) -> Vec<u32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc")
        .expect("/proc is readable")
        .flatten()
    {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if cmdline
            .split(|b| *b == 0)
            .any(|arg| arg == needle.as_os_str().as_encoded_bytes())
        {
            pids.push(pid);
        }
    }
    pids
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
