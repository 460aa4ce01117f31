//! Faulty plugins through the `cruscotto` command. In worker processes (the
//! default, here `cruscotto plugin-worker` itself) a segfault, an abort or
//! a constructor that aborts fails the command with the cause and the next
//! command computes with a good plugin; in process (the opt-in), a slow
//! plugin cut off by the timeout while its thread still runs ends the
//! command with the error and a note, never with a crash at exit (no
//! library is unloaded).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

const HEADER: &str =
    "Numero fattura;Fornitore;Importo;Data fattura;Data scadenza;Data pagamento;Giorni sospensione";
const ROWS: &str = "\
F1;Alfa;100,00;01/01/2020;31/01/2020;21/01/2020;0
F2;Beta;200,00;01/01/2020;31/01/2020;10/02/2020;0
F3;Gamma;300,00;01/01/2020;31/01/2020;01/03/2020;0
";
const INDICATOR: [&str; 6] = ["--plan", "p", "--objective", "A.1", "--indicator", "1"];

struct Setup {
    dir: tempfile::TempDir,
    plugins: tempfile::TempDir,
    url: String,
}

impl Setup {
    /// A database with the seed plan `p` and three payments, and a plugin
    /// directory holding `packages`.
    fn new(packages: &[&str]) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let plugins = tempfile::tempdir().unwrap();
        for package in packages {
            let library = build_plugin(package);
            std::fs::copy(&library, plugins.path().join(library.file_name().unwrap())).unwrap();
        }
        let url = dir.path().join("cli.db").display().to_string();
        let setup = Setup { dir, plugins, url };
        let seed_path = seed(SEED_OBJECTIVES);
        setup.ok(&["import", seed_path.to_str().unwrap(), "--plan", "p"], &[]);
        let csv = setup.dir.path().join("pagamenti.csv");
        std::fs::write(&csv, format!("{HEADER}\n{ROWS}")).unwrap();
        setup.ok(
            &["import-payments", csv.to_str().unwrap(), "--plan", "p"],
            &[],
        );
        setup
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cruscotto"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("DATABASE_URL", &self.url)
            .env("CRUSCOTTO_PLUGIN_DIR", self.plugins.path())
            .env_remove("RUST_LOG")
            .env_remove("CRUSCOTTO_PLUGIN_ISOLATION")
            .env_remove("CRUSCOTTO_PLUGIN_WORKER");
        for (k, v) in env {
            command.env(k, v);
        }
        command.output().expect("the cruscotto binary runs")
    }

    fn ok(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = self.run(args, env);
        assert!(
            out.status.success(),
            "{args:?} failed ({}):\n{}\n{}",
            out.status,
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    fn bind(&self, calculator: &str, env: &[(&str, &str)]) {
        self.ok(
            &[&["bind"][..], &INDICATOR, &["--calculator", calculator]].concat(),
            env,
        );
    }

    fn compute(&self, env: &[(&str, &str)]) -> Output {
        self.run(
            &[&["compute"][..], &INDICATOR, &["--period", "2020"]].concat(),
            env,
        )
    }
}

fn library_path(dir: &Path, needle: &str) -> String {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path().display().to_string())
        .find(|p| p.contains(needle))
        .unwrap()
}

#[test]
fn an_in_process_plugin_cut_off_by_the_timeout_ends_the_command_with_a_message_ten_times_of_ten() {
    let setup = Setup::new(&["cruscotto-plugin-broken-slow"]);
    let env = [
        ("CRUSCOTTO_PLUGIN_ISOLATION", "in-process"),
        ("CRUSCOTTO_CALCULATOR_TIMEOUT_MS", "300"),
    ];
    setup.bind("broken_slow", &env);
    // A setting that cannot be read is refused with its name and value.
    let out = setup.compute(&[("CRUSCOTTO_PLUGIN_ISOLATION", "sandbox")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("CRUSCOTTO_PLUGIN_ISOLATION=\"sandbox\": expected process or in-process"),
        "{}",
        stderr(&out)
    );
    for run in 0..10 {
        let out = setup.compute(&env);
        let err = stderr(&out);
        // Exit status 1 with the error, not a signal (139 was the crash of
        // unloading the library under the running thread).
        assert_eq!(
            out.status.code(),
            Some(1),
            "run {run}: {}\n{err}",
            out.status
        );
        assert!(
            err.contains(
                "calculator \"broken_slow\" exceeded the time limit of 300 ms and was stopped"
            ),
            "run {run}: {err}"
        );
        assert!(
            err.contains("note: 1 in-process plugin computation(s) cut off by the time limit were still running and end with this process"),
            "run {run}: {err}"
        );
    }
}

#[test]
fn crashing_plugins_in_workers_fail_the_command_with_the_cause_and_the_next_command_computes() {
    let setup = Setup::new(&[
        "cruscotto-plugin-median-delay",
        "cruscotto-plugin-broken-segfault",
        "cruscotto-plugin-broken-abort",
        "cruscotto-plugin-broken-constructor",
    ]);
    // The library whose constructor aborts is listed with the signal; the
    // others are served.
    let listed = setup.run(&["calculators"], &[]);
    // `calculators` exits 1 when a library failed to load.
    assert_eq!(listed.status.code(), Some(1), "{}", stderr(&listed));
    let text = format!("{}{}", stdout(&listed), stderr(&listed));
    let constructor = library_path(setup.plugins.path(), "broken_constructor");
    assert!(
        text.contains(&constructor) && text.contains("SIGABRT"),
        "{text}"
    );
    for id in ["median_payment_delay", "broken_segfault", "broken_abort"] {
        assert!(text.contains(id), "{id} in {text}");
    }
    for (calculator, cause) in [
        (
            "broken_segfault",
            "its worker process was killed by SIGSEGV (invalid memory reference)",
        ),
        (
            "broken_abort",
            "its worker process was killed by SIGABRT (abort)",
        ),
    ] {
        setup.bind(calculator, &[]);
        let out = setup.compute(&[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{}\n{err}", out.status);
        assert!(
            err.contains(&format!("calculator \"{calculator}\" failed: {cause}")),
            "{err}"
        );
    }
    setup.bind("median_payment_delay", &[]);
    let out = setup.ok(
        &[&["compute"][..], &INDICATOR, &["--period", "2020"]].concat(),
        &[],
    );
    // Delays −10, 10 and 30 days: the median is 10.
    assert!(out.contains("2020: 10 days"), "{out}");
}
