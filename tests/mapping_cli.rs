//! `cruscotto import --mapping`, `--dry-run`, `--strict` and `cruscotto
//! mapping check` as a user runs them, on every configured backend: the
//! shipped mappings import their fixtures, a re-import updates in place,
//! a refused file leaves the database as it was, a dry run writes nothing,
//! and the stored plan (with its source locations) exports to the same
//! document the mapping read.

mod cli_support;
mod common;

use std::path::PathBuf;

use cli_support::ok;
use common::*;
use cruscotto_import::mapping;
use cruscotto_import::ParseOptions;

fn repo(path: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(path)
        .display()
        .to_string()
}

const MAP: &str = "mappings/registro-milestone-target.toml";
const CSV: &str = "import/tests/fixtures/mapping/registro-milestone-target.csv";

#[test]
fn a_register_imports_through_its_mapping_and_updates_in_place() {
    on_each_backend(|t| {
        let out = ok(&cruscotto(
            &t.url,
            &["import", "--strict", "--mapping", &repo(MAP), &repo(CSV)],
        ));
        assert!(
            out.contains("created plan registro-milestone-target: 7 objectives, 8 indicators, 6 targets, 0 phases"),
            "{out}"
        );
        assert!(out.contains("read 8 row(s) with content: 0 unused, 57 ignored as the mapping declares, 2 placeholder(s)"), "{out}");
        let before = t.db.table_counts().unwrap();
        let sources = before
            .iter()
            .find(|(n, _)| *n == "source_locations")
            .unwrap()
            .1;
        assert_eq!(
            sources,
            7 + 8 + 6,
            "one location per objective, indicator and target"
        );

        // The stored plan is the document the mapping read, locations too.
        let m = mapping::load(std::path::Path::new(&repo(MAP))).unwrap();
        let read = mapping::read(
            &m,
            std::path::Path::new(&repo(CSV)),
            &repo(CSV),
            &ParseOptions::default(),
            true,
        )
        .unwrap()
        .doc;
        let stored = t.db.load_document("registro-milestone-target").unwrap();
        assert_eq!(stored, read);

        // Again: the same plan, updated, nothing duplicated.
        let out = ok(&cruscotto(
            &t.url,
            &["import", "--mapping", &repo(MAP), &repo(CSV)],
        ));
        assert!(
            out.contains("updated plan registro-milestone-target"),
            "{out}"
        );
        assert_eq!(t.db.table_counts().unwrap(), before);

        // The JSON export imports back to the same plan, locations included.
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("plan.json");
        ok(&cruscotto(
            &t.url,
            &[
                "export",
                "--plan",
                "registro-milestone-target",
                "-o",
                &json.display().to_string(),
            ],
        ));
        let text = std::fs::read_to_string(&json).unwrap();
        assert!(
            text.contains("\"sources\""),
            "the export keeps the source locations"
        );
        let out = ok(&cruscotto(&t.url, &["import", &json.display().to_string()]));
        assert!(
            out.contains("updated plan registro-milestone-target"),
            "{out}"
        );
        assert_same_document(
            &t.db.load_document("registro-milestone-target").unwrap(),
            &stored,
        );
        assert_eq!(t.db.table_counts().unwrap(), before);
    });
}

#[test]
fn strict_refuses_unused_content_and_changes_nothing() {
    on_each_backend(|t| {
        let dir = tempfile::tempdir().unwrap();
        let partial = dir.path().join("partial.toml");
        let text = std::fs::read_to_string(repo(MAP))
            .unwrap()
            .replace("\"Note\", \"Stato\",", "");
        std::fs::write(&partial, text).unwrap();
        let before = t.db.table_counts().unwrap();
        let o = cruscotto(
            &t.url,
            &[
                "import",
                "--strict",
                "--mapping",
                &partial.display().to_string(),
                &repo(CSV),
            ],
        );
        assert!(!o.status.success());
        let err = stderr(&o);
        assert!(err.contains("strict import refused the file: the mapping did not use 9 non-empty cell(s); first: "), "{err}");
        assert!(
            err.contains("registro-milestone-target.csv:2 \"Stato\" = \"Completato\""),
            "{err}"
        );
        assert!(err.contains("nothing was imported from this file"), "{err}");
        assert_eq!(t.db.table_counts().unwrap(), before);

        // Without --strict the same file imports, and the report says what
        // was left out, by column and with the first cells.
        let out = ok(&cruscotto(
            &t.url,
            &[
                "import",
                "--mapping",
                &partial.display().to_string(),
                &repo(CSV),
            ],
        ));
        assert!(
            out.contains("the mapping did not use 9 non-empty cell(s) (--strict refuses them):"),
            "{out}"
        );
        assert!(out.contains("column \"Stato\": 8 cell(s)"), "{out}");
        assert!(out.contains("column \"Note\": 1 cell(s)"), "{out}");
        assert!(
            out.contains(
                "registro-milestone-target.csv:8: \"Note\" = \"Obiettivo di azzeramento\""
            ),
            "{out}"
        );
    });
}

#[test]
fn dry_run_shows_what_would_be_imported_and_writes_nothing() {
    on_each_backend(|t| {
        let before = t.db.table_counts().unwrap();
        let out = ok(&cruscotto(
            &t.url,
            &[
                "import",
                "--dry-run",
                "--mapping",
                &repo("mappings/piano-triennale-outline.toml"),
                &repo("import/tests/fixtures/mapping/piano-triennale-ict.md"),
            ],
        ));
        assert!(out.contains("would import plan piano-triennale-ict (dry run: nothing written): 3 objectives, 4 indicators, 6 targets, 3 phases"), "{out}");
        assert!(out.contains("indicator R.A.1.1a [count] Incremento dei servizi accessibili | baseline almeno 70 amministrazioni | targets 2025: Incremento di almeno 80 servizi"), "{out}");
        // Each objective shows the centre (and head) it would belong to.
        assert!(out.contains("objective 1.1 (2025): Migliorare l'esperienza d'uso e l'accessibilità dei servizi | CDR Agenzia per l'Italia digitale\n"), "{out}");
        assert!(
            out.contains("phase 1.1.2 (2025-06-30): Avvio del monitoraggio"),
            "{out}"
        );
        assert!(
            out.contains(
                "piano-triennale-ict.md:195: phase 1.1.1: the phase 1.1.1 states no weight"
            ),
            "{out}"
        );
        assert_eq!(
            t.db.table_counts().unwrap(),
            before,
            "a dry run writes nothing"
        );
        // A dry run of a built-in layout reads it the same way.
        let out = ok(&cruscotto(
            &t.url,
            &[
                "import",
                "--dry-run",
                &seed(SEED_OBJECTIVES).display().to_string(),
            ],
        ));
        assert!(out.contains("would import plan 000_c0a763c098296cde (dry run: nothing written): 5 objectives, 19 indicators"), "{out}");
        assert_eq!(t.db.table_counts().unwrap(), before);
    });
}

#[test]
fn mapping_check_accepts_the_shipped_mappings_and_points_at_mistakes() {
    let out = ok(&cruscotto("unused.db", &["mapping", "check", &repo(MAP)]));
    assert!(out.ends_with("registro-milestone-target.toml: a valid csv mapping: rows make objectives and indicators\n"), "{out}");
    for m in [
        "piano-triennale-outline.toml",
        "schede-obiettivo-xlsx.toml",
        "estratto-pdf.toml",
    ] {
        ok(&cruscotto(
            "unused.db",
            &["mapping", "check", &repo(&format!("mappings/{m}"))],
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[source]\nformat = \"csv\"\n\n[objective]\ncode = \"{Codice}\"\n\n[indicator]\nunit = { from = \"{U}\", map = { \"Numero\" = \"numero\" } }\n").unwrap();
    let o = cruscotto(
        "unused.db",
        &["mapping", "check", &bad.display().to_string()],
    );
    assert!(!o.status.success());
    assert_eq!(
        stderr(&o).trim(),
        format!("error: {}:8:8: `unit.map.\"Numero\"`: expected one of \"count\", \"percent\", \"days\", found \"numero\"", bad.display())
    );
    // A mapping error stops the import before any file is read.
    let o = cruscotto(
        &dir.path().join("x.db").display().to_string(),
        &[
            "import",
            "--mapping",
            &bad.display().to_string(),
            &repo(CSV),
        ],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("bad.toml:8:8:"), "{}", stderr(&o));
}
