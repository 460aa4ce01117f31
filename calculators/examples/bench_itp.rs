//! Benchmark: payment timeliness over N in-memory invoices (default 10
//! million), built-in and through the plugin ABI on the same columns, the
//! plugin both loaded in process and hosted by a worker process (the
//! default isolation: the columns cross a pipe).
//!
//! Run: `cargo run --release -p cruscotto-calculators --example bench_itp -- --rows 10000000`
//! Options: `--runs N` (default 9), `--plugin PATH` and `--worker PATH`
//! (otherwise the ITP plugin and the `cruscotto-plugin-worker` binary are
//! built with cargo into `<target>/plugin-bench`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cruscotto_calculators::{
    Inputs, Isolation, PaymentTable, Period, Registry, RegistryConfig, NULL_DAY,
};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Deterministic invoices for 2020: amounts 1 € to 100,000 €, terms of 30 or
/// 60 days, 5 % without a due date, 8 % unpaid, payments from 20 days early
/// to 90 days late, some suspensions.
fn invoices(n: usize) -> PaymentTable {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let jan1 = 18_262; // 2020-01-01
    let (mut amount, mut inv, mut due, mut paid, mut susp) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for _ in 0..n {
        let r = next();
        let invoice_day = jan1 - 60 + (r % 420) as i32;
        let term = if r >> 20 & 1 == 0 { 30 } else { 60 };
        amount.push(100 + (r >> 24) as i64 % 10_000_000);
        inv.push(invoice_day);
        due.push(if (r >> 40) % 20 == 0 {
            NULL_DAY
        } else {
            invoice_day + term
        });
        paid.push(if (r >> 45) % 25 < 2 {
            NULL_DAY
        } else {
            invoice_day + term - 20 + ((r >> 50) % 110) as i32
        });
        susp.push(if (r >> 58) % 16 == 0 {
            ((r >> 33) % 40) as i32
        } else {
            0
        });
    }
    PaymentTable::from_columns(amount, inv, due, paid, susp).expect("generated data is in range")
}

/// Builds `args` (a package or a binary) in release mode into
/// `<target>/plugin-bench` and returns that directory's `release/`.
fn release_build(args: &[&str]) -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    // <target>/release/examples/bench_itp → <target>
    let target = exe
        .ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("target"));
    let target = target.join("plugin-bench");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf();
    let status = Command::new(cargo)
        .current_dir(&workspace)
        .args(["build", "--release"])
        .args(args)
        .arg("--target-dir")
        .arg(&target)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building {args:?} failed");
    target.join("release")
}

fn build_plugin() -> PathBuf {
    if let Some(path) = arg("--plugin") {
        return PathBuf::from(path);
    }
    release_build(&["-p", "cruscotto-plugin-itp"]).join(format!(
        "{}cruscotto_plugin_itp.{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_EXTENSION
    ))
}

fn build_worker() -> PathBuf {
    if let Some(path) = arg("--worker") {
        return PathBuf::from(path);
    }
    release_build(&[
        "-p",
        "cruscotto-calculators",
        "--bin",
        "cruscotto-plugin-worker",
    ])
    .join("cruscotto-plugin-worker")
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time(label: &str, rows: usize, runs: usize, mut f: impl FnMut() -> String) {
    for _ in 0..2 {
        f(); // warm-up: page in the columns, start the thread pool paths
    }
    let mut times = Vec::with_capacity(runs);
    let mut value = String::new();
    for _ in 0..runs {
        let start = Instant::now();
        value = f();
        times.push(start.elapsed());
    }
    let m = median(times.clone());
    let best = times.iter().min().copied().unwrap_or_default();
    println!(
        "{label:<34} median {:>8.2} ms  best {:>8.2} ms  {:>7.0} M rows/s  value {value}",
        m.as_secs_f64() * 1e3,
        best.as_secs_f64() * 1e3,
        rows as f64 / m.as_secs_f64() / 1e6
    );
}

fn main() {
    let rows: usize = arg("--rows")
        .and_then(|r| r.parse().ok())
        .unwrap_or(10_000_000);
    let runs: usize = arg("--runs")
        .and_then(|r| r.parse().ok())
        .unwrap_or(9)
        .max(1);
    println!("generating {rows} invoices…");
    let table = invoices(rows);
    let inputs = Inputs::with_payments(table.clone());
    let year: Period = "2020".parse().expect("a valid period");
    let params = serde_json::json!({});
    let plugin_path = build_plugin();
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        &plugin_path,
        dir.path().join(plugin_path.file_name().expect("file name")),
    )
    .expect("copy plugin");
    let registry = Registry::new(RegistryConfig {
        plugin_dir: Some(dir.path().to_path_buf()),
        timeout: Duration::from_secs(60),
        isolation: Isolation::InProcess,
        ..RegistryConfig::default()
    });
    assert!(
        registry.load_errors().is_empty(),
        "{:?}",
        registry.load_errors()
    );
    let worker = build_worker();
    let started = Instant::now();
    let isolated = Registry::new(RegistryConfig {
        plugin_dir: Some(dir.path().to_path_buf()),
        timeout: Duration::from_secs(60),
        worker_program: Some(worker),
        ..RegistryConfig::default()
    });
    let load = started.elapsed();
    assert!(
        isolated.load_errors().is_empty(),
        "{:?}",
        isolated.load_errors()
    );
    println!(
        "loading the plugin in a worker process (start, dlopen, descriptor): {:.2} ms",
        load.as_secs_f64() * 1e3
    );
    println!(
        "{} threads available; {runs} timed runs after 2 warm-ups",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let cols = table.columns();
    let (s, e) = (year.start_day(), year.end_day());
    time("kernel, one thread", rows, runs, || {
        let t = cruscotto_calculators::builtin::timeliness_kernel(cols, s, e, 30);
        format!("{:.4}", t.weighted_days as f64 / t.amount as f64)
    });
    let value = |r: cruscotto_calculators::CalcResult| {
        r.value
            .map_or("no data".into(), |v| v.round_dp(4).to_string())
    };
    time("built-in payment_timeliness", rows, runs, || {
        value(
            registry
                .compute("payment_timeliness", &inputs, &year, &params)
                .expect("computes"),
        )
    });
    time("plugin in process (ABI, zero-copy)", rows, runs, || {
        value(
            registry
                .compute("itp_plugin", &inputs, &year, &params)
                .expect("computes"),
        )
    });
    time("plugin in a worker process (pipe)", rows, runs, || {
        value(
            isolated
                .compute("itp_plugin", &inputs, &year, &params)
                .expect("computes"),
        )
    });
}
