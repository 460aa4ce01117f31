//! The `cruscotto` command as a user runs it: importing the seed documents
//! and the sample data, exporting and re-importing, generating data, and the
//! errors a malformed document gets (with the database left as it was).

mod cli_support;
mod common;

use std::path::{Path, PathBuf};

use cli_support::ok;
use common::*;
use cruscotto_store::{Database, PoolOptions};

struct Workspace {
    dir: tempfile::TempDir,
    db_url: String,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db_url = dir.path().join("cli.db").display().to_string();
        Workspace { dir, db_url }
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        cruscotto(&self.db_url, args)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `content` into the workspace and returns its path.
    fn write(&self, name: &str, content: &str) -> String {
        let p = self.path(name);
        std::fs::write(&p, content).unwrap();
        p.display().to_string()
    }

    fn table_counts(&self) -> Vec<(&'static str, i64)> {
        let db = Database::connect(&self.db_url, &PoolOptions::default()).unwrap();
        db.migrate().unwrap();
        db.table_counts().unwrap()
    }
}

fn seed_text() -> String {
    std::fs::read_to_string(seed(SEED_OBJECTIVES)).unwrap()
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn newcomer_imports_both_seeds_and_the_sample_data_and_exports_them() {
    let w = Workspace::new();
    let out = ok(&w.run(&[
        "import",
        &s(&seed(SEED_OBJECTIVES)),
        &s(&seed(SEED_MULTI_YEAR)),
        &s(&sample("piano-agenzia-2025.txt")),
        &s(&sample("piano-triennale-2024-2026.txt")),
    ]));
    assert!(
        out.contains("created plan 000_c0a763c098296cde: 5 objectives, 19 indicators"),
        "{out}"
    );
    assert!(out.contains("31 phases"), "{out}");
    assert!(out.contains("3 areas, 14 ambiti"), "{out}");
    let plans = ok(&w.run(&["plans"]));
    assert_eq!(plans.lines().count(), 4, "{plans}");

    for code in ["000_c0a763c098296cde", "001_b1c6253d44de1f62"] {
        let first = w.path(&format!("{code}.json"));
        ok(&w.run(&[
            "export",
            "--plan",
            code,
            "--format",
            "json",
            "-o",
            &s(&first),
        ]));
        // The export imports back into the same plan and exports identically.
        let again = ok(&w.run(&["import", &s(&first)]));
        assert!(again.contains(&format!("updated plan {code}")), "{again}");
        let second = ok(&w.run(&["export", "--plan", code]));
        assert_eq!(std::fs::read_to_string(&first).unwrap(), second);
    }
}

/// The JSON export of each seed document, imported into a fresh SQLite
/// database, is pinned byte for byte (key order included) by a snapshot,
/// `tests/snapshots/cli__export_<plan>.snap`. Nothing is redacted: the
/// export holds no id, timestamp or path, so any change is a change of the
/// contract (accept one with `cargo insta review`).
#[test]
fn each_seed_exports_as_its_accepted_snapshot() {
    for name in [SEED_OBJECTIVES, SEED_MULTI_YEAR] {
        let w = Workspace::new();
        ok(&w.run(&["import", &s(&seed(name))]));
        let code = name.trim_end_matches(".txt");
        let export = ok(&w.run(&["export", "--plan", code, "--format", "json"]));
        insta::assert_snapshot!(format!("export_{code}"), export);
    }
}

#[test]
fn reimporting_the_same_document_creates_no_duplicates() {
    let w = Workspace::new();
    ok(&w.run(&["import", &s(&seed(SEED_OBJECTIVES))]));
    let before = w.table_counts();
    let out = ok(&w.run(&["import", &s(&seed(SEED_OBJECTIVES))]));
    assert!(out.contains("updated plan"), "{out}");
    assert_eq!(w.table_counts(), before);
}

/// Imports `content` and checks the command fails with `expected` in its
/// error output and leaves the database exactly as it was.
fn assert_rejected(w: &Workspace, name: &str, content: &str, expected: &[&str]) {
    let before = w.table_counts();
    let file = w.write(name, content);
    let o = w.run(&["import", &file]);
    let err = stderr(&o);
    assert!(!o.status.success(), "{name} should fail:\n{}", stdout(&o));
    for e in expected {
        assert!(err.contains(e), "{name}: expected {e:?} in:\n{err}");
    }
    assert!(err.contains("nothing was imported from this file"), "{err}");
    assert_eq!(w.table_counts(), before, "{name}: database unchanged");
}

#[test]
fn malformed_documents_are_rejected_with_file_and_line_and_change_nothing() {
    let w = Workspace::new();
    ok(&w.run(&["import", &s(&seed(SEED_MULTI_YEAR))]));
    let seed = seed_text();
    let lines: Vec<&str> = seed.lines().collect();

    // Truncated: the first sheet stops right after its indicators header.
    let truncated = lines[..26].join("\n");
    assert_rejected(&w, "truncated.txt", &truncated, &["truncated.txt:"]);

    // Wrong column count: phase A.1.5 (line 44) loses its last two cells.
    let mut cells: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let a15: Vec<&str> = lines[43].split('\t').collect();
    cells[43] = a15[..4].join("\t");
    assert_rejected(
        &w,
        "columns.txt",
        &cells.join("\n"),
        &[
            "columns.txt:44:",
            "expected 6 tab-separated cells",
            "found 4",
        ],
    );

    // Bad date on the same phase.
    let mut dated: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    dated[43] = lines[43].replacen("01/01/2020", "32/13/2020", 1);
    assert_rejected(
        &w,
        "date.txt",
        &dated.join("\n"),
        &["date.txt:44:", "32/13/2020"],
    );

    // Not a plan at all.
    assert_rejected(
        &w,
        "notes.txt",
        "Verbale della riunione\nPresenti: tutti\n",
        &["notes.txt: not a plan document"],
    );

    // Not UTF-8.
    let before = w.table_counts();
    let latin1 = w.path("latin1.txt");
    std::fs::write(&latin1, b"OBIETTIVO INDIVIDUALE ANNUALE 2020\n\xe0\xe8\n").unwrap();
    let o = w.run(&["import", &s(&latin1)]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not UTF-8"), "{}", stderr(&o));
    assert_eq!(w.table_counts(), before);
}

#[test]
fn phase_weights_not_summing_to_100_are_a_finding_and_an_error_when_strict() {
    let w = Workspace::new();
    // A.1.5 weighs 8%: make it 9% so A.1 sums to 101.
    let changed = seed_text().replace(
        "Relazione sulla performance\t8%",
        "Relazione sulla performance\t9%",
    );
    assert_ne!(changed, seed_text(), "the fixture edit applies");
    let file = w.write("weights.txt", &changed);

    let strict = w.run(&["import", "--strict", &file]);
    assert!(!strict.status.success());
    let err = stderr(&strict);
    assert!(err.contains("weights.txt:") && err.contains("A.1"), "{err}");
    assert_eq!(
        w.table_counts()
            .iter()
            .find(|(t, _)| *t == "plans")
            .unwrap()
            .1,
        0
    );

    let lenient = ok(&w.run(&["import", &file]));
    assert!(lenient.contains("2 finding(s)"), "{lenient}");
    assert!(lenient.contains("phase_total_mismatch"), "{lenient}");
    assert!(lenient.contains("phase_weights_not_100"), "{lenient}");
    assert!(lenient.contains("101"), "{lenient}");
}

#[test]
fn generated_data_is_deterministic_and_imports() {
    let w = Workspace::new();
    let a = ok(&w.run(&["generate", "--scale", "2"]));
    let b = ok(&w.run(&["generate", "--scale", "2"]));
    assert_eq!(a, b, "the same scale gives the same document");
    let file = w.write("generated.json", &a);
    let out = ok(&w.run(&["import", &file]));
    assert!(
        out.contains("8 objectives, 16 indicators, 48 targets"),
        "{out}"
    );
    assert!(out.contains("192 measurements"), "{out}");
    let zero = w.run(&["generate", "--scale", "0"]);
    assert!(!zero.status.success());
    assert!(stderr(&zero).contains("--scale must be at least 1"));
}

#[test]
fn exporting_an_unknown_plan_says_so() {
    let w = Workspace::new();
    let o = w.run(&["export", "--plan", "nope"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("plan nope not found"), "{}", stderr(&o));
}

#[test]
fn a_plan_exports_as_flat_csv_tables_and_an_xlsx_workbook() {
    use calamine::Reader;
    let w = Workspace::new();
    ok(&w.run(&["import", &s(&seed(SEED_OBJECTIVES))]));
    let code = "000_c0a763c098296cde";
    let doc = parse(&seed(SEED_OBJECTIVES));
    let counts = cruscotto_import::DocumentCounts::of(&doc);

    let dir = w.path("tables");
    ok(&w.run(&["export", "--plan", code, "--format", "csv", "-o", &s(&dir)]));
    let read = |name: &str| -> Vec<csv::StringRecord> {
        csv::Reader::from_path(dir.join(name))
            .unwrap()
            .records()
            .map(Result::unwrap)
            .collect()
    };
    let objectives = read("objectives.csv");
    assert_eq!(objectives.len(), doc.objectives.len());
    assert_eq!(&objectives[0][1], doc.objectives[0].code.as_str());
    assert_eq!(&objectives[0][3], doc.objectives[0].title.as_str());
    assert_eq!(read("indicators.csv").len(), counts.indicators);
    let target_rows = read("targets.csv");
    assert_eq!(target_rows.len(), counts.targets);
    let first = &doc.objectives[0].indicators[0].targets[0];
    assert_eq!(&target_rows[0][3], first.year.to_string().as_str());
    assert_eq!(&target_rows[0][4], first.value.raw.as_str());
    read("values.csv");

    let workbook = w.path("plan.xlsx");
    ok(&w.run(&[
        "export",
        "--plan",
        code,
        "--format",
        "xlsx",
        "-o",
        &s(&workbook),
    ]));
    let mut xlsx: calamine::Xlsx<_> = calamine::open_workbook(&workbook).unwrap();
    assert_eq!(
        xlsx.sheet_names(),
        ["objectives", "indicators", "targets", "values"]
    );
    let sheet = xlsx.worksheet_range("targets").unwrap();
    assert_eq!(
        sheet.height(),
        counts.targets + 1,
        "a header and a row per target"
    );
    assert_eq!(
        sheet.get_value((1, 3)),
        Some(&calamine::Data::Float(first.year.into()))
    );

    // Tables need somewhere to go.
    let o = w.run(&["export", "--plan", code, "--format", "csv"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("-o"), "{}", stderr(&o));
}

#[test]
fn long_commands_show_progress_on_a_terminal_and_nothing_when_piped() {
    let w = Workspace::new();
    let out = w.path("g.json");
    // Piped (as every other test runs it): standard error stays empty.
    let o = w.run(&["generate", "--scale", "8", "-o", &s(&out)]);
    ok(&o);
    assert_eq!(stderr(&o), "", "no progress when not on a terminal");
    // On a terminal (`script` gives the command a pseudo-terminal).
    let command = format!(
        "{} --database-url {} generate --scale 8 -o {}",
        env!("CARGO_BIN_EXE_cruscotto"),
        w.db_url,
        s(&out)
    );
    let o = std::process::Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .output()
        .expect("script (util-linux) runs");
    let shown = stdout(&o);
    assert!(o.status.success(), "{shown}");
    assert!(
        shown.contains("generating a plan of scale 8"),
        "the step is shown on the terminal: {shown:?}"
    );
}

#[test]
fn trusted_documents_are_registered_listed_and_removed_and_bad_ones_refused() {
    let w = Workspace::new();
    let good = w.write("totals.graphql", "query Totals { plans { totalCount } }\n");
    let bad = w.write("broken.graphql", "query { plans { \n");
    // A file that does not parse stops the whole registration.
    let o = w.run(&["documents", "register", &good, &bad]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("broken.graphql: not a GraphQL document"),
        "{}",
        stderr(&o)
    );
    assert_eq!(ok(&w.run(&["documents", "list"])), "");

    let out = ok(&w.run(&["documents", "register", &good]));
    assert!(out.starts_with("registered "), "{out}");
    assert!(out.contains("(Totals)"), "{out}");
    let hash = out.split_whitespace().nth(1).unwrap().to_string();
    assert_eq!(hash.len(), 64);
    let again = ok(&w.run(&["documents", "register", &good]));
    assert!(again.starts_with("already registered"), "{again}");
    let list = ok(&w.run(&["documents", "list"]));
    assert!(list.starts_with(&hash), "{list}");
    ok(&w.run(&["documents", "remove", &hash]));
    assert_eq!(ok(&w.run(&["documents", "list"])), "");
    let o = w.run(&["documents", "remove", &hash]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("no document is registered"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn shell_completions_are_printed_for_bash_zsh_and_fish() {
    let d = Workspace::new();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef cruscotto"),
        ("fish", "complete -c cruscotto"),
    ] {
        let out = d.run(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell}: {script}");
        // Subcommands and their options are in it.
        assert!(
            script.contains("import") && script.contains("--mapping"),
            "{shell}"
        );
    }
    let out = d.run(&["completions", "powershell-7"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("invalid value"), "{}", stderr(&out));
}
