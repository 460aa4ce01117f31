//! The plugin host through the real loader: the example plugin computes, the
//! broken ones fail the way they should, and the host survives all of them:
//! in worker processes (the default) even a segfault, an abort, 20 GB of
//! allocations, a constructor that aborts and an endless loop; in process
//! (the opt-in for trusted plugins) a panic and a timeout.

mod common;

use std::time::{Duration, Instant};

use common::{
    date, install, invoice, lib_name, plugin, plugin_dir_of, processes_with_argument,
    worker_program,
};
use cruscotto_calculators::{
    CalcResult, CalculatorError, Decimal, Inputs, Isolation, LoadErrorKind, PaymentTable, Period,
    Registry, RegistryConfig, ResultStatus, Source,
};
use serde_json::json;

/// Delays in Q1 2020: −10, +5, +20 (with 10 suspended days out of 30) and
/// +40 (no due date: invoice 1/1 + 30 = 31/1, paid 11/3). Sorted −10, 5, 20,
/// 40: the median is (5 + 20) / 2 = 12.5. One invoice is paid in April and
/// one is unpaid; neither counts.
fn hand_made() -> Inputs {
    let due = Some(date(2020, 1, 31));
    let records = [
        invoice(10, date(2020, 1, 1), due, Some(date(2020, 1, 21)), 0),
        invoice(20, date(2020, 1, 1), due, Some(date(2020, 2, 5)), 0),
        invoice(30, date(2020, 1, 1), due, Some(date(2020, 3, 1)), 10),
        invoice(40, date(2020, 1, 1), None, Some(date(2020, 3, 11)), 0),
        invoice(50, date(2020, 1, 1), due, Some(date(2020, 4, 11)), 0),
        invoice(60, date(2020, 1, 1), due, None, 0),
    ];
    Inputs::with_payments(PaymentTable::from_records(&records).unwrap())
}

/// A plugin directory holding the example, a copy of it under another name,
/// the three broken plugins, a text file named like a library, and a file
/// that is not named like a library at all.
fn plugin_dir() -> tempfile::TempDir {
    let dir = plugin_dir_of(&[
        ("cruscotto-plugin-median-delay", "a_median_delay"),
        ("cruscotto-plugin-median-delay", "z_median_delay_copy"),
        ("cruscotto-plugin-broken-panic", "broken_panic"),
        ("cruscotto-plugin-broken-abi", "broken_abi"),
        ("cruscotto-plugin-broken-slow", "broken_slow"),
        ("cruscotto-plugin-itp", "itp"),
    ]);
    std::fs::write(
        dir.path()
            .join(format!("not-a-library.{}", std::env::consts::DLL_EXTENSION)),
        "just text\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("README.txt"), "ignored\n").unwrap();
    dir
}

/// A registry over `dir` whose plugins run in worker processes.
fn registry(dir: &tempfile::TempDir, timeout: Duration) -> Registry {
    Registry::new(RegistryConfig {
        plugin_dir: Some(dir.path().to_path_buf()),
        timeout,
        worker_program: Some(worker_program()),
        ..RegistryConfig::default()
    })
}

/// A registry with the `timeout` over a fresh [`plugin_dir`], and the
/// directory.
fn plugin_registry(timeout: Duration) -> (tempfile::TempDir, Registry) {
    let dir = plugin_dir();
    let registry = registry(&dir, timeout);
    (dir, registry)
}

/// A registry over `dir` whose plugins are loaded into this process.
fn in_process_registry(dir: &tempfile::TempDir, timeout: Duration) -> Registry {
    Registry::new(RegistryConfig {
        plugin_dir: Some(dir.path().to_path_buf()),
        timeout,
        isolation: Isolation::InProcess,
        ..RegistryConfig::default()
    })
}

fn q1() -> Period {
    Period::quarter(2020, 1).unwrap()
}

/// What the calculator `id` of `registry` computes over the hand-made
/// inputs for Q1 2020, without parameters.
fn compute_q1(registry: &Registry, id: &str) -> Result<CalcResult, CalculatorError> {
    registry.compute(id, &hand_made(), &q1(), &json!({}))
}

/// What the slow plugin computes like [`compute_q1`] when asked to sleep
/// 20 s first.
fn compute_slowly(registry: &Registry) -> Result<CalcResult, CalculatorError> {
    registry.compute(
        "broken_slow",
        &hand_made(),
        &q1(),
        &json!({"sleep_ms": 20_000}),
    )
}

#[test]
fn the_loader_reports_each_broken_library_with_its_path_while_the_others_load() {
    let (_dir, registry) = plugin_registry(Duration::from_secs(5));
    let ids = registry.ids();
    for id in [
        "median_payment_delay",
        "broken_panic",
        "broken_slow",
        "itp_plugin",
        "payment_timeliness",
    ] {
        assert!(ids.contains(&id.to_string()), "{id} missing from {ids:?}");
    }
    let errors = registry.load_errors();
    assert_eq!(errors.len(), 3, "{errors:#?}");
    let error_for = |stem: &str| {
        errors
            .iter()
            .find(|e| e.path.file_name().unwrap().to_string_lossy().contains(stem))
            .unwrap_or_else(|| panic!("no load error for {stem}: {errors:#?}"))
    };
    assert_eq!(
        error_for("broken_abi").kind,
        LoadErrorKind::WrongAbiVersion {
            found: 99,
            expected: 1
        }
    );
    assert!(matches!(
        error_for("not-a-library").kind,
        LoadErrorKind::NotALibrary(_)
    ));
    assert!(
        matches!(&error_for("z_median_delay_copy").kind, LoadErrorKind::DuplicateId { id, .. } if id == "median_payment_delay")
    );
    // Every message names the file, so an operator can act on it.
    for e in &errors {
        assert!(
            e.to_string().starts_with(&e.path.display().to_string()),
            "{e}"
        );
    }
}

#[test]
fn the_example_plugin_computes_the_median_delay_on_hand_made_data() {
    let (_dir, registry) = plugin_registry(Duration::from_secs(5));
    let calc = registry.get("median_payment_delay").unwrap();
    let d = calc.descriptor();
    assert_eq!(d.version, "1.0.0");
    assert!(matches!(&d.source, Source::Plugin(p) if p.ends_with(lib_name("a_median_delay"))));
    let r = calc.compute(&hand_made(), &q1(), &json!({})).unwrap();
    assert_eq!(r.value, Some("12.5".parse::<Decimal>().unwrap()));
    assert_eq!(r.records_used, 4);
    let empty = calc
        .compute(&hand_made(), &Period::quarter(2020, 3).unwrap(), &json!({}))
        .unwrap();
    assert_eq!(empty.status, ResultStatus::NoData);
}

#[test]
fn the_itp_plugin_agrees_with_the_builtin_through_the_abi() {
    let (_dir, registry) = plugin_registry(Duration::from_secs(5));
    let builtin = compute_q1(&registry, "payment_timeliness").unwrap();
    let plugin = compute_q1(&registry, "itp_plugin").unwrap();
    assert_eq!(plugin.value, builtin.value);
    assert_eq!(
        plugin.components.map(|c| (c.numerator, c.denominator)),
        builtin.components.map(|c| (c.numerator, c.denominator))
    );
}

#[test]
fn a_panicking_plugin_returns_an_error_and_the_host_keeps_working() {
    let (_dir, registry) = plugin_registry(Duration::from_secs(5));
    let err = compute_q1(&registry, "broken_panic").unwrap_err();
    match &err {
        CalculatorError::PluginFailed { id, message } => {
            assert_eq!(id, "broken_panic");
            assert!(
                message.contains("deliberate panic inside compute"),
                "{message}"
            );
        }
        other => panic!("expected PluginFailed, got {other:?}"),
    }
    assert_median_computes(&registry);
}

#[test]
fn a_slow_plugin_is_cut_off_by_the_timeout_and_the_host_keeps_working() {
    let (_dir, registry) = plugin_registry(Duration::from_millis(300));
    let started = Instant::now();
    let err = compute_slowly(&registry).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        err,
        CalculatorError::Timeout {
            id: "broken_slow".into(),
            after: Duration::from_millis(300)
        }
    );
    assert_eq!(
        err.to_string(),
        "calculator \"broken_slow\" exceeded the time limit of 300 ms and was stopped"
    );
    // A quick answer from the same plugin still arrives in time.
    let quick = registry
        .compute("broken_slow", &hand_made(), &q1(), &json!({"sleep_ms": 0}))
        .unwrap();
    assert_eq!(quick.value, Some(Decimal::ZERO));
    assert!(compute_q1(&registry, "median_payment_delay").is_ok());
}

#[test]
fn reload_adds_new_libraries_and_reports_a_second_copy_as_a_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(&dir, Duration::from_secs(5));
    assert!(registry.get("median_payment_delay").is_none());
    install(
        &plugin("cruscotto-plugin-median-delay"),
        dir.path(),
        "median_v1",
    );
    let report = registry.reload();
    assert_eq!(report.added, vec!["median_payment_delay".to_string()]);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // Reloading again changes nothing: visited paths are not reopened.
    assert_eq!(registry.reload(), Default::default());
    install(
        &plugin("cruscotto-plugin-median-delay"),
        dir.path(),
        "median_v1_again",
    );
    let report = registry.reload();
    assert!(report.added.is_empty() && report.replaced.is_empty());
    assert!(
        matches!(&report.errors[..], [e] if matches!(e.kind, LoadErrorKind::DuplicateId { .. }))
    );
    // The first one is still the one in use.
    assert!(compute_q1(&registry, "median_payment_delay").is_ok());
}

#[test]
fn a_plugin_called_without_its_payments_input_returns_a_missing_input_error() {
    let (_dir, registry) = plugin_registry(Duration::from_secs(5));
    let err = registry
        .compute(
            "median_payment_delay",
            &Inputs::default(),
            &q1(),
            &json!({}),
        )
        .unwrap_err();
    assert_eq!(err, CalculatorError::MissingInput("payments".into()));
}

#[test]
fn in_process_plugins_compute_and_a_panic_or_timeout_leaves_the_host_working() {
    let dir = plugin_dir();
    // Generous: a panic in a debug build on a busy machine prints a
    // backtrace; the slow plugin sleeps 20 s, far past this.
    let registry = in_process_registry(&dir, Duration::from_secs(3));
    assert_eq!(registry.isolation(), Isolation::InProcess);
    assert_eq!(
        registry.load_errors().len(),
        3,
        "{:#?}",
        registry.load_errors()
    );
    assert_median_computes(&registry);
    let err = compute_q1(&registry, "broken_panic").unwrap_err();
    assert!(
        matches!(&err, CalculatorError::PluginFailed { message, .. } if message.contains("deliberate panic")),
        "{err:?}"
    );
    let before = cruscotto_calculators::abandoned_computations();
    let err = compute_slowly(&registry).unwrap_err();
    assert!(matches!(err, CalculatorError::Timeout { .. }), "{err:?}");
    // The thread cannot be stopped in process; it is counted so that a
    // command about to exit can say so.
    assert!(cruscotto_calculators::abandoned_computations() > before);
    // Dropping the registry unloads nothing: the abandoned thread still
    // sleeps inside the library, which must stay mapped.
    drop(registry);
    std::thread::sleep(Duration::from_millis(100));
}

/// A plugin directory with the example and the plugins that crash,
/// abort, exhaust memory, loop forever, or abort while being loaded.
fn faulty_dir() -> tempfile::TempDir {
    plugin_dir_of(&[
        ("cruscotto-plugin-median-delay", "median_delay"),
        ("cruscotto-plugin-broken-segfault", "broken_segfault"),
        ("cruscotto-plugin-broken-abort", "broken_abort"),
        ("cruscotto-plugin-broken-memory", "broken_memory"),
        ("cruscotto-plugin-broken-loop", "broken_loop"),
        ("cruscotto-plugin-broken-constructor", "broken_constructor"),
    ])
}

const MEMORY_LIMIT_MB: u64 = 256;
// Generous for a debug build on a loaded machine; the loop never ends.
const FAULTY_TIMEOUT: Duration = Duration::from_millis(2000);

/// A registry of worker processes over a fresh [`faulty_dir`], and the
/// directory.
fn faulty_registry() -> (tempfile::TempDir, Registry) {
    let dir = faulty_dir();
    let registry = Registry::new(RegistryConfig {
        plugin_dir: Some(dir.path().to_path_buf()),
        timeout: FAULTY_TIMEOUT,
        memory_limit_mb: MEMORY_LIMIT_MB,
        worker_program: Some(worker_program()),
        ..RegistryConfig::default()
    });
    (dir, registry)
}

fn crash_cause(registry: &Registry, id: &str) -> String {
    match compute_q1(registry, id) {
        Err(CalculatorError::Crashed { id: got, cause }) => {
            assert_eq!(got, id);
            cause
        }
        other => panic!("{id}: expected Crashed, got {other:?}"),
    }
}

/// The cause of the crash of `id`'s computation, after asserting that the
/// median plugin computes again.
fn crash_then_median(registry: &Registry, id: &str) -> String {
    let cause = crash_cause(registry, id);
    assert_median_computes(registry);
    cause
}

fn assert_median_computes(registry: &Registry) {
    let r = compute_q1(registry, "median_payment_delay").unwrap();
    assert_eq!(r.value, Some("12.5".parse::<Decimal>().unwrap()));
}

#[test]
fn a_constructor_that_aborts_is_a_load_error_naming_the_signal_and_the_rest_loads() {
    let (dir, registry) = faulty_registry();
    let errors = registry.load_errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(
        errors[0].path,
        dir.path().join(lib_name("broken_constructor"))
    );
    match &errors[0].kind {
        LoadErrorKind::WorkerFailed(cause) => assert!(cause.contains("SIGABRT"), "{cause}"),
        other => panic!("expected WorkerFailed, got {other:?}"),
    }
    assert!(errors[0].to_string().contains("SIGABRT"), "{}", errors[0]);
    for id in [
        "median_payment_delay",
        "broken_segfault",
        "broken_abort",
        "broken_memory",
        "broken_loop",
    ] {
        assert!(registry.get(id).is_some(), "{id} is loaded");
    }
    // A reload after the constructor killed its worker works as before.
    install(
        &plugin("cruscotto-plugin-broken-constructor"),
        dir.path(),
        "broken_constructor_again",
    );
    let report = registry.reload();
    assert!(
        matches!(&report.errors[..], [e] if matches!(&e.kind, LoadErrorKind::WorkerFailed(c) if c.contains("SIGABRT"))),
        "{report:?}"
    );
    assert_median_computes(&registry);
}

#[test]
fn a_segfault_or_an_abort_fails_the_computation_with_the_signal_and_the_next_one_works() {
    let (_dir, registry) = faulty_registry();
    for _ in 0..2 {
        assert_eq!(
            crash_then_median(&registry, "broken_segfault"),
            "its worker process was killed by SIGSEGV (invalid memory reference)"
        );
        assert_eq!(
            crash_then_median(&registry, "broken_abort"),
            "its worker process was killed by SIGABRT (abort)"
        );
    }
    let err = compute_q1(&registry, "broken_segfault").unwrap_err();
    assert_eq!(
        err.to_string(),
        "calculator \"broken_segfault\" failed: its worker process was killed by SIGSEGV (invalid memory reference)"
    );
}

#[test]
fn twenty_gigabytes_of_allocations_stop_at_the_memory_limit_and_the_next_computation_works() {
    let (_dir, registry) = faulty_registry();
    for _ in 0..2 {
        let cause = crash_then_median(&registry, "broken_memory");
        assert!(
            cause.starts_with(&format!(
                "it exceeded the memory limit of {MEMORY_LIMIT_MB} MB"
            )),
            "{cause}"
        );
    }
}

#[test]
fn an_endless_loop_is_killed_at_the_time_limit_and_nothing_keeps_spinning() {
    let (dir, registry) = faulty_registry();
    let library = dir.path().join(lib_name("broken_loop"));
    // Its worker is up, idle, since the library was loaded.
    assert_eq!(processes_with_argument(&library).len(), 1);
    for _ in 0..2 {
        let started = Instant::now();
        let err = compute_q1(&registry, "broken_loop").unwrap_err();
        assert_eq!(
            err.to_string(),
            "calculator \"broken_loop\" exceeded the time limit of 2000 ms and was stopped"
        );
        // Generous upper bound (debug build, busy machine): stopped near the limit.
        assert!(started.elapsed() < FAULTY_TIMEOUT + Duration::from_secs(5));
        // The worker was killed and reaped: no process runs the loop.
        assert_eq!(processes_with_argument(&library), Vec::<u32>::new());
        assert_median_computes(&registry);
    }
}

#[test]
fn workers_serve_concurrent_computations_and_stop_with_the_registry() {
    let (dir, registry) = faulty_registry();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| assert_median_computes(&registry));
        }
    });
    let library = dir.path().join(lib_name("median_delay"));
    let idle = processes_with_argument(&library);
    assert!(!idle.is_empty());
    // Idle workers killed from outside are replaced, not taken for a
    // failure of the plugin.
    for pid in &idle {
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_median_computes(&registry);
    drop(registry);
    assert_eq!(processes_with_argument(&library), Vec::<u32>::new());
}
