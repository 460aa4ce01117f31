//! A seeded mutation fuzz of the importer. Documents are made by mutating
//! the seed documents, the sample plans and their JSON exports (byte flips,
//! line deletions, duplications and swaps, truncations, inserted NUL, BOM,
//! CR, tabs, huge numbers, long lines, invalid UTF-8), and each goes through
//! the import path of `cruscotto import` (bytes → UTF-8 → parse → save) into
//! a database that already holds a plan. For every document:
//!
//! - no panic and no hang (each document has a time bound);
//! - a refused document changes nothing: every table's row count and the
//!   export of every plan are the same before and after;
//! - no message carries SQL, a table or a constraint name.
//!
//! `CRUSCOTTO_FUZZ_CASES` sets the number of documents (default 2000 on
//! SQLite; Postgres (`CRUSCOTTO_TEST_POSTGRES_URL`) runs a
//! sixth of them, at least 300), `CRUSCOTTO_FUZZ_SEED` the seed (printed on
//! every run). A failure names the seed and the case number; a case is
//! reproducible from the two alone.

mod common;
/// The generator that chooses the mutations: the binary's SplitMix64.
#[path = "../src/splitmix.rs"]
mod splitmix;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;
use cruscotto_import::{json, ParseOptions};
use cruscotto_store::{Database, StoreError};
use splitmix::SplitMix as Rng;

const DEFAULT_CASES: u64 = 2000;
const DEFAULT_SEED: u64 = 0x00c0_ffee_2026;
/// Generous: a document takes milliseconds; a hang is what this catches.
const TIME_BOUND: Duration = Duration::from_secs(30);

/// Text that would reveal the database behind the message.
const LEAKS: [&str; 14] = [
    "constraint",
    "violates",
    "UNIQUE",
    "CHECK",
    "FOREIGN KEY",
    "NOT NULL",
    "SQLITE",
    "sqlite",
    "INSERT INTO",
    "SELECT ",
    "duplicate key",
    "__diesel",
    "database query failed",
    "_id",
];

/// The documents mutations start from: name (which sets the plan code)
/// and bytes.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let texts = [
        seed(SEED_OBJECTIVES),
        seed(SEED_MULTI_YEAR),
        sample("piano-agenzia-2025.txt"),
        sample("piano-triennale-2024-2026.txt"),
    ];
    for path in texts {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).expect("seed readable");
        let doc = parse(&path);
        let stem = name.trim_end_matches(".txt").to_string();
        out.push((name, bytes));
        out.push((format!("{stem}.json"), json::to_json(&doc).into_bytes()));
    }
    out
}

fn lines_of(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect()
}

fn join(lines: &[Vec<u8>]) -> Vec<u8> {
    lines.join(&b'\n')
}

/// One random mutation of `doc`.
fn mutate(rng: &mut Rng, doc: &mut Vec<u8>) -> &'static str {
    let at = |rng: &mut Rng, doc: &Vec<u8>| rng.index(doc.len() + 1);
    match rng.index(14) {
        0 => {
            if !doc.is_empty() {
                let i = rng.index(doc.len());
                doc[i] ^= 1 << rng.index(8);
            }
            "byte flip"
        }
        1 => {
            let mut lines = lines_of(doc);
            if lines.len() > 1 {
                lines.remove(rng.index(lines.len()));
            }
            *doc = join(&lines);
            "line deleted"
        }
        2 => {
            let mut lines = lines_of(doc);
            let i = rng.index(lines.len());
            let line = lines[i].clone();
            lines.insert(i, line);
            *doc = join(&lines);
            "line duplicated"
        }
        3 => {
            let mut lines = lines_of(doc);
            let (i, j) = (rng.index(lines.len()), rng.index(lines.len()));
            lines.swap(i, j);
            *doc = join(&lines);
            "lines swapped"
        }
        4 => {
            let n = at(rng, doc);
            doc.truncate(n);
            "truncated"
        }
        5 => {
            let i = at(rng, doc);
            doc.insert(i, 0);
            "NUL inserted"
        }
        6 => {
            let i = if rng.index(2) == 0 { 0 } else { at(rng, doc) };
            doc.splice(i..i, "\u{feff}".bytes());
            "BOM inserted"
        }
        7 => {
            let i = at(rng, doc);
            doc.insert(i, b'\r');
            "CR inserted"
        }
        8 => {
            let i = at(rng, doc);
            let n = [1, 5, 70, 10_000][rng.index(4)];
            doc.splice(i..i, std::iter::repeat_n(b'\t', n));
            "tabs inserted"
        }
        9 => {
            // Over a digit if there is one near, so that a number grows.
            let i = at(rng, doc);
            let huge = [
                "99999999999999999999999999999",
                "-1e400",
                "2147483648",
                "0.0000000000000000000000000001",
            ][rng.index(4)];
            doc.splice(i..i, huge.bytes());
            "huge number inserted"
        }
        10 => {
            let i = at(rng, doc);
            doc.splice(i..i, std::iter::repeat_n(b'x', 200_000));
            "long line inserted"
        }
        11 => {
            let i = at(rng, doc);
            let bad: &[u8] = [&[0xff][..], &[0xc3][..], &[0xed, 0xa0, 0x80][..]][rng.index(3)];
            doc.splice(i..i, bad.iter().copied());
            "invalid UTF-8 inserted"
        }
        12 => {
            // A JSON NUL escape, or a year that repeats a column.
            let i = at(rng, doc);
            let piece = ["\\u0000", "\t2025\t2025", "\"\"", "[]", "null"][rng.index(5)];
            doc.splice(i..i, piece.bytes());
            "token inserted"
        }
        _ => {
            // A field emptied: the value after a tab or a colon removed.
            let mut lines = lines_of(doc);
            let i = rng.index(lines.len());
            let line = &mut lines[i];
            if let Some(p) = line.iter().position(|b| *b == b'\t' || *b == b':') {
                line.truncate(p + 1);
            }
            *doc = join(&lines);
            "field emptied"
        }
    }
}

/// What a refused import must leave alone: every table's row count and
/// the export of every plan.
fn fingerprint(db: &Database) -> (Vec<(&'static str, i64)>, Vec<String>) {
    let counts = db.table_counts().expect("table counts");
    let plans = db
        .plan_codes()
        .expect("plan codes")
        .iter()
        .map(|code| json::to_json(&db.load_document(code).expect("plan exports")))
        .collect();
    (counts, plans)
}

/// Why an import failed: the reader refused the document (the database was
/// not reached: the reader crate has no database access) or the storage
/// did.
enum Refusal {
    Reader(String),
    Storage(String),
}

/// The import of `cruscotto import` for one file: `Ok` when the document
/// was stored.
fn import(db: &Database, name: &str, bytes: Vec<u8>) -> Result<(), Refusal> {
    let content = String::from_utf8(bytes).map_err(|e| {
        Refusal::Reader(format!(
            "{name}: the file is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let doc = cruscotto_import::parse_document(name, &content, &ParseOptions::default())
        .map_err(|e| Refusal::Reader(e.to_string()))?;
    match db.save_document(&doc, Some(name)) {
        Ok(_) => Ok(()),
        Err(e @ StoreError::Query(_)) => Err(Refusal::Storage(format!(
            "unclassified database error: {e}"
        ))),
        Err(e) => Err(Refusal::Storage(e.to_string())),
    }
}

fn run(db: &Database, backend: &str, cases: u64, seed: u64) {
    let corpus = corpus();
    // The database already holds a plan: every mutation of its document
    // updates it in place or must leave it alone.
    let base = &corpus[0];
    assert!(
        import(db, &base.0, base.1.clone()).is_ok(),
        "the base plan imports"
    );
    let mut before = fingerprint(db);
    let started = Instant::now();
    let (mut refused, mut stored) = (0u64, 0u64);
    let (mut by_storage, mut checked) = (0u64, 0u64);
    for case in 0..cases {
        let mut rng = Rng(seed ^ case.wrapping_mul(0x2545_f491_4f6c_dd1d));
        let (name, original) = &corpus[rng.index(corpus.len())];
        let mut bytes = original.clone();
        let mut applied = Vec::new();
        for _ in 0..1 + rng.index(3) {
            applied.push(mutate(&mut rng, &mut bytes));
        }
        let context = format!(
            "{backend}: seed {seed:#x} case {case} ({name}: {})",
            applied.join(", ")
        );
        let (tx, rx) = mpsc::channel();
        let worker_db = db.clone();
        let worker_name = name.clone();
        let worker = std::thread::spawn(move || {
            let _ = tx.send(import(&worker_db, &worker_name, bytes));
        });
        let result = match rx.recv_timeout(TIME_BOUND) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("{context}: no answer within {TIME_BOUND:?} (a hang)")
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let _ = worker.join();
                panic!("{context}: the importer panicked")
            }
        };
        worker.join().expect("the worker ends");
        match result {
            Ok(()) => {
                stored += 1;
                before = fingerprint(db);
            }
            Err(refusal) => {
                refused += 1;
                // Every refusal by the storage is checked against the
                // database; of the reader's, which cannot reach it, every
                // tenth, as a control.
                let (message, check) = match refusal {
                    Refusal::Storage(m) => {
                        by_storage += 1;
                        (m, true)
                    }
                    Refusal::Reader(m) => (m, case % 10 == 0),
                };
                assert!(!message.starts_with("unclassified"), "{context}: {message}");
                for leak in LEAKS {
                    assert!(
                        !message.contains(leak),
                        "{context}: the message carries {leak:?}: {message}"
                    );
                }
                if check {
                    checked += 1;
                    assert!(
                        fingerprint(db) == before,
                        "{context}: the refused import changed the database ({message})"
                    );
                }
            }
        }
    }
    eprintln!(
        "{backend}: {cases} documents (seed {seed:#x}): {refused} refused ({by_storage} by the storage), \
         {stored} stored, 0 panics, 0 hangs, 0 changes after {checked} checked refusals, in {:.1?}",
        started.elapsed()
    );
}

fn setting(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => {
            let v = v.trim();
            let parsed = match v.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => v.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("{name}={v} is not a number"))
        }
        _ => default,
    }
}

#[test]
fn mutated_documents_never_panic_hang_leak_sql_or_change_the_database_when_refused() {
    let cases = setting("CRUSCOTTO_FUZZ_CASES", DEFAULT_CASES);
    let seed = setting("CRUSCOTTO_FUZZ_SEED", DEFAULT_SEED);
    eprintln!("importer fuzz: CRUSCOTTO_FUZZ_SEED={seed:#x} CRUSCOTTO_FUZZ_CASES={cases}");
    for backend in TestDatabase::backends() {
        let t = TestDatabase::new(backend);
        let n = match backend {
            Backend::Sqlite => cases,
            Backend::Postgres => (cases / 6).max(300).min(cases),
        };
        run(&t.db, backend.name(), n, seed);
    }
}
