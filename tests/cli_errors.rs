//! What the `cruscotto` command says when the field is hostile: a reader
//! that closes the pipe, a database that cannot be reached or is not one we
//! support, a database opened read-only.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;

fn documents() -> Vec<String> {
    vec![
        seed(SEED_OBJECTIVES).display().to_string(),
        seed(SEED_MULTI_YEAR).display().to_string(),
        sample("piano-agenzia-2025.txt").display().to_string(),
        sample("piano-triennale-2024-2026.txt")
            .display()
            .to_string(),
    ]
}

#[test]
fn a_closed_stdout_does_not_stop_the_work_asked_for() {
    for backend in TestDatabase::backends() {
        let t = TestDatabase::new(backend);
        // `cruscotto import A B C D | head -1`: read one line, close the pipe.
        let mut child = Command::new(env!("CARGO_BIN_EXE_cruscotto"))
            .arg("import")
            .args(documents())
            .env("DATABASE_URL", &t.url)
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the cruscotto binary runs");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The reader is gone now: the pipe is closed.
        let out = child.wait_with_output().unwrap();
        let err = stderr(&out);
        assert!(first.contains("created plan"), "{first}");
        assert!(out.status.success(), "exit {:?}: {err}", out.status);
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(
            t.db.plan_codes().unwrap().len(),
            4,
            "all four files were imported: {err}"
        );
    }
}

#[test]
fn every_printing_command_survives_a_closed_stdout() {
    let t = TestDatabase::new(Backend::Sqlite);
    let run = |args: &[&str]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cruscotto"))
            .args(args)
            .env("DATABASE_URL", &t.url)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // closed before the first line
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success() && !stderr(&out).contains("panicked"),
            "{args:?}: {:?} {}",
            out.status,
            stderr(&out)
        );
    };
    run(&["import", &documents()[0]]);
    run(&["plans"]);
    run(&["export", "--plan", "000_c0a763c098296cde"]);
    run(&["generate", "--scale", "3"]);
    run(&["schema"]);
    run(&["calculators"]);
    run(&["token", "list"]);
}

#[test]
fn an_unknown_scheme_is_refused_naming_it_and_creates_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cruscotto"))
        .current_dir(dir.path())
        .args([
            "--database-url",
            "mysql://root:secret@localhost/cruscotto",
            "plans",
        ])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(
        err.contains("mysql://") && err.contains("not supported"),
        "{err}"
    );
    assert!(
        err.contains("postgres://") && err.contains("sqlite://"),
        "{err}"
    );
    assert!(!err.contains("secret"), "the password is hidden: {err}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file was created"
    );
}

#[test]
fn a_refused_connection_says_so_with_host_and_port() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let started = std::time::Instant::now();
    let out = cruscotto(&url, &["plans"]);
    let elapsed = started.elapsed();
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(
        err.contains(&format!("connection refused at 127.0.0.1:{port}")),
        "{err}"
    );
    assert!(!err.contains("timed out"), "{err}");
    eprintln!("refused in {elapsed:?}");
}

#[test]
fn a_missing_sqlite_directory_and_a_missing_postgres_database_are_named() {
    let out = cruscotto("/nonexistent-dir/x/c.db", &["plans"]);
    let err = stderr(&out);
    assert!(
        err.contains("the directory /nonexistent-dir/x does not exist"),
        "{err}"
    );
    if let Some(admin) = cruscotto_testdb::postgres_url() {
        let base = admin.rsplit_once('/').unwrap().0;
        let out = cruscotto(&format!("{base}/no_such_db_cruscotto"), &["plans"]);
        let err = stderr(&out);
        assert!(err.contains("no such database"), "{err}");
        assert!(err.contains("no_such_db_cruscotto"), "{err}");
    }
}

#[test]
fn a_read_only_database_is_read_and_served_and_refuses_writes_clearly() {
    for backend in TestDatabase::backends() {
        let t = TestDatabase::new(backend);
        let docs = documents();
        assert!(cruscotto(&t.url, &["import", &docs[0]]).status.success());
        let before = t.db.table_counts().unwrap();

        let out = cruscotto(&t.url, &["--read-only", "plans"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("000_c0a763c098296cde: 5 objectives"));

        let out = cruscotto(&t.url, &["--read-only", "import", &docs[1]]);
        let err = stderr(&out);
        assert!(!out.status.success());
        assert!(err.contains("read-only"), "{err}");
        assert!(!err.contains("readonly database"), "{err}");
        assert_eq!(t.db.table_counts().unwrap(), before, "nothing was written");
    }
}

#[test]
fn a_read_only_database_that_needs_migrations_is_refused_naming_them() {
    for backend in TestDatabase::backends() {
        let t = TestDatabase::unmigrated(backend);
        let out = cruscotto(&t.url, &["--read-only", "plans"]);
        let err = stderr(&out);
        assert!(!out.status.success());
        assert!(
            err.contains("read-only")
                && err.contains("migration(s)")
                && err.contains("cruscotto migrate"),
            "{err}"
        );
        assert!(t.db.applied_migrations().unwrap().is_empty());
    }
}
