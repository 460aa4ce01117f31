//! Calculator plugins for the tests that load real ones: crates built with
//! the real cargo, their libraries' file names, and the worker processes
//! that run them. Shared by the plugin tests of the calculators crate, of
//! the API and of the binary.
//!
//! Standard library and `serde_json` only: the tests of the calculators
//! crate (which does not depend on this crate) include this file with
//! `#[path]`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The plugin crates of the workspace: the example, the other working
/// plugin and the broken ones.
pub const PLUGIN_PACKAGES: [&str; 10] = [
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

/// The workspace root (every crate that builds this file is one level
/// below it).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate has a parent")
        .to_path_buf()
}

/// Runs `cargo build --message-format=json` in `dir` with `args` and a
/// target directory of its own, `target_dir` (so that the nested cargo
/// never waits on the lock of the one running the tests); asserts it
/// succeeds and returns its JSON messages.
pub fn cargo_build(dir: &Path, target_dir: &Path, args: &[&str]) -> Vec<Value> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(dir)
        .args(["build", "--message-format=json", "--target-dir"])
        .arg(target_dir)
        .args(args)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo build {} failed:\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .collect()
}

/// The `cdylib` libraries that cargo's `messages` report, by crate name
/// (underscored).
pub fn cdylibs(messages: &[Value]) -> HashMap<String, PathBuf> {
    let mut artifacts = HashMap::new();
    for msg in messages {
        let is_cdylib = msg["reason"] == "compiler-artifact"
            && msg["target"]["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "cdylib"));
        if !is_cdylib {
            continue;
        }
        let file = msg["filenames"].as_array().and_then(|f| {
            f.iter()
                .filter_map(Value::as_str)
                .find(|f| f.ends_with(std::env::consts::DLL_EXTENSION))
        });
        if let (Some(name), Some(file)) = (msg["target"]["name"].as_str(), file) {
            artifacts.insert(name.to_string(), PathBuf::from(file));
        }
    }
    artifacts
}

/// Builds the workspace's crates `packages` as `cdylib`s in `target_dir`
/// and returns their libraries by crate name (underscored), asserting that
/// each package has one.
pub fn build_plugins(target_dir: &Path, packages: &[&str]) -> HashMap<String, PathBuf> {
    let mut args = Vec::new();
    for p in packages {
        args.extend(["-p", p]);
    }
    let built = cdylibs(&cargo_build(&workspace_root(), target_dir, &args));
    for p in packages {
        assert!(
            built.contains_key(&p.replace('-', "_")),
            "no cdylib for {p} in {built:?}"
        );
    }
    built
}

/// A library file name for this platform.
pub fn lib_name(stem: &str) -> String {
    format!(
        "{}{stem}.{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_EXTENSION
    )
}

/// Copies `library` into `dir` under the library name of `stem`; returns
/// the copy's path.
pub fn install(library: &Path, dir: &Path, stem: &str) -> PathBuf {
    let to = dir.join(lib_name(stem));
    std::fs::copy(library, &to).expect("the plugin is copied");
    to
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
