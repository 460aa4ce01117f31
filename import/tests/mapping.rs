//! Plan documents in the four shapes of issue 13, read through the mappings
//! the project ships in `mappings/`: a milestone/target register (CSV), an
//! outline (Markdown), a workbook of objective sheets (XLSX) and a PDF
//! extract (read with `pdftotext -layout`). Each test checks counts and a
//! sample of values, that placeholders became "no quantitative target" and
//! real zeros stayed 0, that nothing was invented, where objects came
//! from, and what the mapping did not use.

// The mapping's error carries its place and report; tests pass it on as is.
#![allow(clippy::result_large_err)]

// What a test does without a tool it needs: the rule of the test
// databases crate, shared by file (that crate brings the storage crate and
// Diesel, which this crate's tests do not need).
#[allow(dead_code)]
#[path = "../../testdb/src/needs.rs"]
mod needs;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use cruscotto_import::mapping::{self, Error, Imported, Mapping};
use cruscotto_import::model::{Comparator, Direction, PlanDocument, Unit};
use cruscotto_import::{DocumentCounts, ParseOptions};
use rust_decimal::Decimal;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mapping")
        .join(name)
}

fn shipped(name: &str) -> Mapping {
    let path = root().join("mappings").join(name);
    mapping::load(&path).unwrap_or_else(|e| panic!("{name} is valid: {e}"))
}

fn read(mapping: &Mapping, path: &Path, strict: bool) -> Result<Imported, Error> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    mapping::read(mapping, path, &name, &ParseOptions::default(), strict)
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn objective<'a>(doc: &'a PlanDocument, code: &str) -> &'a cruscotto_import::model::Objective {
    doc.objectives
        .iter()
        .find(|o| o.code == code)
        .unwrap_or_else(|| panic!("objective {code} imported"))
}

fn source<'a>(
    doc: &'a PlanDocument,
    entity: &str,
    code: &str,
) -> &'a cruscotto_import::model::SourceLocation {
    doc.sources
        .iter()
        .find(|s| s.entity == entity && s.entity_code == code)
        .unwrap_or_else(|| panic!("{entity} {code} has a source location"))
}

fn counts(doc: &PlanDocument) -> (usize, usize, usize, usize) {
    let c = DocumentCounts::of(doc);
    (c.objectives, c.indicators, c.targets, c.phases)
}

#[test]
fn milestone_target_register_csv() {
    let m = shipped("registro-milestone-target.toml");
    let imported = read(&m, &fixture("registro-milestone-target.csv"), true)
        .expect("the register imports, even strictly");
    let doc = &imported.doc;
    // 8 rows; M1C1-2 has two rows (one per sub-measure); the two
    // milestones have no quantitative target.
    assert_eq!(counts(doc), (7, 8, 6, 0));
    assert_eq!(doc.plan.code, "registro-milestone-target");
    assert_eq!((doc.plan.first_year, doc.plan.last_year), (2022, 2026));

    let milestone = objective(doc, "M1C1-1");
    assert_eq!(
        milestone.title,
        "Entrata in vigore del quadro per i servizi in cloud"
    );
    assert_eq!(milestone.year, 2022);
    assert_eq!(milestone.end_date.unwrap().to_string(), "2022-12-31");
    let ind = &milestone.indicators[0];
    assert!(ind.targets.is_empty(), "0/0/N/A is no quantitative target");
    assert_eq!(
        ind.baseline, None,
        "the placeholder 0 baseline is not a baseline"
    );
    assert_eq!(ind.kind, "Milestone - N/A");
    assert_eq!(
        ind.description,
        "Adozione dell'atto che definisce\nil quadro per i servizi in cloud"
    );
    assert_eq!(
        milestone.responsibility_centre.name,
        "Dipartimento servizi digitali"
    );
    assert_eq!(milestone.budget.len(), 1);
    let b = &milestone.budget[0];
    assert_eq!(
        (
            b.mission_code.as_str(),
            b.mission_name.as_str(),
            b.program_code.as_str(),
            b.program_name.as_str(),
            b.action.as_str()
        ),
        (
            "M1",
            "Digitalizzazione, innovazione e sicurezza",
            "M1C1",
            "Servizi digitali della PA",
            "Investimento 1.1: Servizi in cloud"
        )
    );

    // One code, two sub-measures: one objective with indicators 1 and 2.
    let cloud = objective(doc, "M1C1-2");
    assert_eq!(cloud.indicators.len(), 2);
    assert_eq!(cloud.budget.len(), 1, "the same measure is linked once");
    let codes: Vec<&str> = cloud.indicators.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes, ["1", "2"]);
    let t = &cloud.indicators[0].targets[0];
    assert_eq!(
        (t.year, t.value.number),
        (2026, Some(dec("6520"))),
        "thousands separator"
    );
    assert_eq!(
        cloud.indicators[1].targets[0].value.number,
        Some(dec("1200"))
    );
    assert_eq!(cloud.indicators[0].unit, Unit::Count);
    // A CRLF inside a quoted cell is a line break of the cell.
    assert_eq!(
        cloud.indicators[0].method,
        "Rendicontazione\ndei soggetti attuatori"
    );
    assert_eq!(cloud.end_date.unwrap().to_string(), "2026-06-30");

    let interop = objective(doc, "M1C1-3");
    let ind = &interop.indicators[0];
    assert_eq!(ind.unit, Unit::Percent);
    assert_eq!(
        ind.baseline.as_ref().unwrap().number,
        Some(dec("12.5")),
        "decimal comma"
    );
    assert_eq!(ind.targets[0].value.number, Some(dec("75")));
    // A bare CR inside a quoted cell is a line break too.
    assert_eq!(
        ind.description,
        "Quota dei servizi pubblicati\nsulla piattaforma di interoperabilità"
    );

    // A genuine target of 0 stays 0, below a baseline of 1.500.
    let backlog = &objective(doc, "M1C2-10").indicators[0];
    assert_eq!(backlog.targets[0].value.number, Some(Decimal::ZERO));
    assert_eq!(backlog.targets[0].value.raw, "0");
    assert_eq!(backlog.baseline.as_ref().unwrap().number, Some(dec("1500")));
    assert_eq!(backlog.direction, Direction::LowerIsBetter);

    let days = &objective(doc, "M1C2-11").indicators[0];
    assert_eq!(days.unit, Unit::Days);
    assert_eq!(
        objective(doc, "M1C2-11").end_date.unwrap().to_string(),
        "2025-09-30"
    );

    let money = &objective(doc, "M2C1-4").indicators[0];
    assert_eq!(money.targets[0].value.number, Some(dec("1200.5")));
    assert_eq!(
        money.kind, "Target - Euro (milioni)",
        "the unit as written is kept"
    );

    // Nothing invented: no phases, weights, calculators or offices.
    for o in &doc.objectives {
        assert!(o.phases.is_empty() && o.offices.is_empty() && o.max_score.is_none());
        for i in &o.indicators {
            assert!(i.calculator.is_none());
        }
    }

    // Where each object was read: the line its record starts on (the first
    // record spans lines 2-3 because of a line break in a cell; a bare CR
    // in a cell is no line break for editors, so it does not count).
    assert_eq!(source(doc, "objective", "M1C1-1").line, Some(2));
    assert_eq!(source(doc, "objective", "M1C1-2").line, Some(4));
    assert_eq!(source(doc, "indicator", "M1C1-2/2").line, Some(6));
    assert_eq!(source(doc, "target", "M1C2-10/1/2025").line, Some(8));
    assert_eq!(
        source(doc, "target", "M1C2-10/1/2025").file,
        "registro-milestone-target.csv"
    );

    let r = &imported.report;
    assert_eq!(r.records, 8);
    assert_eq!(r.unused, 0, "{:?}", r.first_unused);
    assert!(
        r.ignored > 40,
        "the declared ignored columns: {}",
        r.ignored
    );
    assert_eq!(r.placeholders, 2, "the two milestones");
}

#[test]
fn unused_cells_are_reported_and_strict_refuses_them() {
    // The shipped mapping without "Note" and "Stato" among the ignored
    // columns: their cells are content nobody imported.
    let path = root().join("mappings/registro-milestone-target.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"Note\", \"Stato\",", "");
    let m = Mapping::parse("partial.toml", &text).unwrap();
    let csv = fixture("registro-milestone-target.csv");
    let r = read(&m, &csv, false)
        .expect("not strict: imported with a report")
        .report;
    assert_eq!(
        r.unused, 9,
        "1 Note and 8 Stato cells: {:?}",
        r.first_unused
    );
    assert_eq!(
        r.unused_by_column,
        vec![("Stato".to_string(), 8), ("Note".to_string(), 1)]
    );
    let first = &r.first_unused[0];
    assert_eq!(first.at.to_string(), "registro-milestone-target.csv:2");
    assert_eq!(first.column.as_deref(), Some("Stato"));
    assert_eq!(first.text, "Completato");
    let note = r
        .first_unused
        .iter()
        .find(|u| u.column.as_deref() == Some("Note"))
        .unwrap();
    assert_eq!(note.at.line, Some(8));
    assert_eq!(note.text, "Obiettivo di azzeramento");

    let err = read(&m, &csv, true).expect_err("strict refuses unused content");
    let message = err.to_string();
    assert!(
        message.starts_with("registro-milestone-target.csv: strict import refused the file: the mapping did not use 9 non-empty cell(s); first: registro-milestone-target.csv:2 \"Stato\" = \"Completato\""),
        "{message}"
    );
}

/// The objective sheets workbook: two sheets, a title row, the header on
/// row 3, objective cells merged over their indicators.
fn write_workbook(path: &Path) {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let merged = Format::new();
    let header = [
        "Codice",
        "Obiettivo",
        "Struttura responsabile",
        "Codice indicatore",
        "Indicatore",
        "Unità",
        "Baseline",
        "Target 2024",
        "Target 2025",
        "Target 2026",
    ];
    {
        let ws = wb.add_worksheet().set_name("Obiettivi").unwrap();
        ws.write_string(
            0,
            0,
            "Piano della performance 2024-2026 - schede obiettivo (esempio)",
        )
        .unwrap();
        for (c, h) in header.iter().enumerate() {
            ws.write_string(2, c as u16, *h).unwrap();
        }
        // OS.1 over rows 4-5 (indices 3-4).
        ws.merge_range(3, 0, 4, 0, "OS.1", &merged).unwrap();
        ws.merge_range(3, 1, 4, 1, "Digitalizzazione dei procedimenti", &merged)
            .unwrap();
        ws.merge_range(
            3,
            2,
            4,
            2,
            "Direzione generale sistemi informativi",
            &merged,
        )
        .unwrap();
        ws.write_string(3, 3, "1").unwrap();
        ws.write_string(3, 4, "Procedimenti gestiti online")
            .unwrap();
        ws.write_string(3, 5, "%").unwrap();
        ws.write_number(3, 6, 40.0).unwrap();
        ws.write_number(3, 7, 60.0).unwrap();
        ws.write_number(3, 8, 75.0).unwrap();
        ws.write_number(3, 9, 90.0).unwrap();
        ws.write_string(4, 3, "2").unwrap();
        ws.write_string(4, 4, "Tempo medio di rilascio").unwrap();
        ws.write_string(4, 5, "giorni").unwrap();
        ws.write_string(4, 6, "45 giorni").unwrap();
        ws.write_string(4, 7, "non oltre 30").unwrap();
        ws.write_number(4, 8, 25.0).unwrap();
        ws.write_number(4, 9, 20.0).unwrap();
        // OS.2 on one row: no baseline, a real 0, an empty year, a decimal.
        ws.write_string(5, 0, "OS.2").unwrap();
        ws.write_string(5, 1, "Trasparenza").unwrap();
        ws.write_string(5, 2, "Ufficio trasparenza").unwrap();
        ws.write_string(5, 3, "1").unwrap();
        ws.write_string(5, 4, "Reclami non evasi").unwrap();
        ws.write_string(5, 5, "numero").unwrap();
        ws.write_string(5, 6, "n.d.").unwrap();
        ws.write_number(5, 7, 0.0).unwrap();
        ws.write_number(5, 9, 12.5).unwrap();
    }
    {
        let ws = wb.add_worksheet().set_name("Supporto").unwrap();
        for (c, h) in header.iter().enumerate() {
            ws.write_string(2, c as u16, *h).unwrap();
        }
        ws.merge_range(3, 0, 5, 0, "OS.3", &merged).unwrap();
        ws.merge_range(3, 1, 5, 1, "Formazione del personale", &merged)
            .unwrap();
        ws.merge_range(3, 2, 5, 2, "Direzione del personale", &merged)
            .unwrap();
        for (i, (name, unit, t)) in [
            ("Ore di formazione per dipendente", "numero", 24.0),
            ("Dipendenti formati", "percentuale", 80.0),
            ("Corsi valutati", "percentuale", 100.0),
        ]
        .iter()
        .enumerate()
        {
            let r = 3 + i as u32;
            ws.write_string(r, 3, (i + 1).to_string()).unwrap();
            ws.write_string(r, 4, *name).unwrap();
            ws.write_string(r, 5, *unit).unwrap();
            ws.write_number(r, 8, *t).unwrap();
        }
        // A remark under the table that no column of the mapping holds.
        ws.write_string(7, 4, "Nota: valori provvisori").unwrap();
    }
    wb.save(path).unwrap();
}

#[test]
fn objective_sheets_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schede.xlsx");
    write_workbook(&path);
    let m = shipped("schede-obiettivo-xlsx.toml");
    let imported = read(&m, &path, false).expect("the workbook imports");
    let doc = &imported.doc;
    assert_eq!(counts(doc), (3, 6, 11, 0));
    assert_eq!((doc.plan.first_year, doc.plan.last_year), (2024, 2026));

    let os1 = objective(doc, "OS.1");
    assert_eq!(os1.title, "Digitalizzazione dei procedimenti");
    assert_eq!(
        os1.responsibility_centre.name,
        "Direzione generale sistemi informativi"
    );
    assert_eq!(
        os1.indicators.len(),
        2,
        "the merged objective covers both rows"
    );
    let online = &os1.indicators[0];
    assert_eq!(online.unit, Unit::Percent);
    assert_eq!(online.baseline.as_ref().unwrap().number, Some(dec("40")));
    let years: Vec<(i32, Option<Decimal>)> = online
        .targets
        .iter()
        .map(|t| (t.year, t.value.number))
        .collect();
    assert_eq!(
        years,
        vec![
            (2024, Some(dec("60"))),
            (2025, Some(dec("75"))),
            (2026, Some(dec("90")))
        ]
    );
    let days = &os1.indicators[1];
    assert_eq!(days.unit, Unit::Days);
    assert_eq!(days.targets[0].value.comparator, Some(Comparator::Le));
    assert_eq!(days.targets[0].value.number, Some(dec("30")));
    assert_eq!(days.direction, Direction::LowerIsBetter);

    let os2 = &objective(doc, "OS.2").indicators[0];
    assert_eq!(os2.baseline, None, "n.d. is no baseline");
    let t: Vec<(i32, Option<Decimal>)> = os2
        .targets
        .iter()
        .map(|t| (t.year, t.value.number))
        .collect();
    assert_eq!(
        t,
        vec![(2024, Some(Decimal::ZERO)), (2026, Some(dec("12.5")))],
        "a real 0 stays, an empty year has no target"
    );

    let os3 = objective(doc, "OS.3");
    assert_eq!(os3.indicators.len(), 3);
    assert_eq!(os3.responsibility_centre.name, "Direzione del personale");

    // Sheet and cell of each object; a merged objective points at its
    // first cell.
    let s = source(doc, "objective", "OS.3");
    assert_eq!(
        (s.sheet.as_deref(), s.cell.as_deref()),
        (Some("Supporto"), Some("A4"))
    );
    let s = source(doc, "target", "OS.1/2/2024");
    assert_eq!(
        (s.sheet.as_deref(), s.cell.as_deref()),
        (Some("Obiettivi"), Some("H5"))
    );
    let s = source(doc, "indicator", "OS.3/3");
    assert_eq!(s.cell.as_deref(), Some("E6"));

    let r = &imported.report;
    assert_eq!(r.unused, 1, "{:?}", r.first_unused);
    assert_eq!(r.first_unused[0].at.to_string(), "schede.xlsx[Supporto]!E8");
    assert_eq!(r.first_unused[0].text, "Nota: valori provvisori");
    assert_eq!(r.ignored, 1, "the title row above the header");
    assert_eq!(r.placeholders, 1);
    let err = read(&m, &path, true).expect_err("strict refuses the remark");
    assert!(
        err.to_string().contains("schede.xlsx[Supporto]!E8"),
        "{err}"
    );
}

#[test]
fn outline_of_a_three_year_plan() {
    let m = shipped("piano-triennale-outline.toml");
    let imported = read(&m, &fixture("piano-triennale-ict.md"), true)
        .expect("the outline imports, even strictly");
    let doc = &imported.doc;
    assert_eq!(counts(doc), (3, 4, 6, 3));
    let codes: Vec<&str> = doc.objectives.iter().map(|o| o.code.as_str()).collect();
    assert_eq!(codes, ["1.1", "1.2", "OB.2.1"]);

    let o = objective(doc, "1.1");
    assert_eq!(
        o.title,
        "Migliorare l'esperienza d'uso e l'accessibilità dei servizi"
    );
    assert_eq!(
        o.description,
        "Questo obiettivo riguarda i servizi rivolti a cittadini e imprese."
    );
    let ra = &o.indicators[0];
    assert_eq!(ra.code, "R.A.1.1a");
    // The label was wrapped over two lines inside bold and a link.
    assert_eq!(ra.description, "Incremento dei servizi accessibili");
    // `Target 2024 - Baseline: …` is the baseline, not a target.
    let b = ra.baseline.as_ref().unwrap();
    assert_eq!(b.raw, "almeno 70 amministrazioni");
    assert_eq!(
        (b.comparator, b.number),
        (Some(Comparator::Ge), Some(dec("70")))
    );
    assert_eq!(b.note.as_deref(), Some("Baseline 2024; amministrazioni"));
    // 2025 is a target; 2026 `n.d.` is no quantitative target.
    assert_eq!(ra.targets.len(), 1);
    assert_eq!(ra.targets[0].year, 2025);
    assert_eq!(ra.targets[0].value.comparator, Some(Comparator::Ge));
    assert_eq!(ra.targets[0].value.number, Some(dec("80")));
    let rb = &o.indicators[1];
    assert_eq!(rb.code, "R.A.1.1b");
    assert_eq!(rb.unit, Unit::Percent, "Il 100 %");
    assert_eq!(rb.targets[0].value.number, Some(dec("100")));

    // Action lines: month-year deadlines, the body in brackets kept, not
    // in date order, no weight invented.
    let phases: Vec<(&str, String, &str)> = o
        .phases
        .iter()
        .map(|p| {
            (
                p.code.as_str(),
                p.end_date.unwrap().to_string(),
                p.description.as_str(),
            )
        })
        .collect();
    assert_eq!(
        phases,
        vec![
            ("1.1.1", "2025-12-31".to_string(), "Pubblicazione delle linee guida sulla valutazione dei servizi (AGID)"),
            ("1.1.2", "2025-06-30".to_string(), "Avvio del monitoraggio dell'accessibilità (Dipartimento per la trasformazione digitale)"),
        ]
    );
    assert!(o.phases.iter().all(|p| p.weight.is_none()));
    assert!(doc.findings.iter().any(|f| f.code == "phase_without_weight"
        && f.entity_code == "1.1.1"
        && f.line == Some(195)));

    assert_eq!(
        o.responsibility_centre.name, "Agenzia per l'Italia digitale",
        "the declared administration"
    );
    let empty = objective(doc, "1.2");
    assert!(empty.indicators.is_empty(), "an objective with no results");

    let data = objective(doc, "OB.2.1");
    let t: Vec<Option<Decimal>> = data.indicators[0]
        .targets
        .iter()
        .map(|t| t.value.number)
        .collect();
    assert_eq!(
        t,
        vec![Some(dec("6520")), Some(dec("7000")), Some(dec("8000"))]
    );
    assert_eq!(
        data.indicators[1].targets[0].value.number,
        Some(Decimal::ZERO),
        "a real 0"
    );

    // The plan's title and the 150 lines of prose (30 paragraphs) are kept
    // as notes of the plan.
    assert_eq!(doc.plan.notes.len(), 31);
    assert!(doc.plan.notes[1].starts_with("Il piano rafforza l'interoperabilità"));
    assert_eq!(source(doc, "objective", "OB.2.1").line, Some(203));
    assert_eq!(source(doc, "target", "OB.2.1/RA2.1.2/2026").line, Some(210));
    assert_eq!(source(doc, "indicator", "1.1/R.A.1.1a").line, Some(187));

    let r = &imported.report;
    assert_eq!(r.unused, 0);
    assert_eq!(r.placeholders, 1);
}

#[test]
fn outline_prose_without_a_rule_is_reported_line_by_line() {
    // The shipped outline mapping without its last rule (prose as
    // description): the prose is unused, and said so.
    let path = root().join("mappings/piano-triennale-outline.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let cut = text.rfind("[[rules]]").unwrap();
    let m = Mapping::parse("outline.toml", &text[..cut]).unwrap();
    let r = read(&m, &fixture("piano-triennale-ict.md"), false)
        .unwrap()
        .report;
    // The title, 30 prose paragraphs and 2 description lines.
    assert_eq!(r.unused, 33, "{:?}", r.first_unused);
    assert_eq!(r.first_unused.len(), mapping::Report::FIRST);
    assert_eq!(r.first_unused[1].at.to_string(), "piano-triennale-ict.md:3");
    assert!(r.first_unused[1].text.starts_with("Il piano rafforza"));
    assert!(read(&m, &fixture("piano-triennale-ict.md"), true).is_err());
}

/// A one-page PDF with `lines` in Helvetica, each indented by its leading
/// spaces: enough for `pdftotext -layout`. Written by hand (objects, xref
/// table, trailer) so that the fixture is the project's own data.
fn write_pdf(path: &Path, lines: &[&str]) {
    let mut content = String::new();
    for (i, line) in lines.iter().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let text = line
            .trim_start()
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        let x = 50 + indent * 6;
        let y = 800 - i * 16;
        content.push_str(&format!("BT /F1 10 Tf {x} {y} Td ({text}) Tj ET\n"));
    }
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for o in offsets {
        pdf.push_str(&format!("{o:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    std::fs::write(path, pdf).unwrap();
}

/// Whether `pdftotext` runs here. Without it the PDF tests fail saying how
/// to install it, unless `CRUSCOTTO_ALLOW_MISSING` lists `pdftotext`: then
/// they are skipped (this says so and returns false).
fn pdftotext_available() -> bool {
    let found = std::process::Command::new(mapping::PDFTOTEXT)
        .arg("-v")
        .output()
        .is_ok();
    if !found {
        needs::missing(
            needs::Need::Pdftotext,
            &format!("`{}` is not on PATH", mapping::PDFTOTEXT),
        );
    }
    found
}

pub const PDF_LINES: &[&str] = &[
    "PIANO DELLA PERFORMANCE 2025 - ESTRATTO DI ESEMPIO",
    "OBIETTIVO A.1 - Digitalizzazione dei servizi al pubblico",
    "   Responsabile: Direzione generale dei servizi",
    "   Indicatore 1 - Quota di servizi disponibili online",
    "      Baseline: 40%",
    "      Target 2025: 60%",
    "      Target 2026: 75%",
    "   Indicatore 2 - Tempo medio di risposta alle istanze",
    "      Baseline: 45 giorni",
    "      Target 2025: <= 30 giorni",
    "OBIETTIVO A.2 - Trasparenza degli atti",
    "   Responsabile: Ufficio trasparenza",
    "   Indicatore 1 - Atti pubblicati entro i termini",
    "      Target 2025: 100%",
    "      Target 2026: n.d.",
    "Pagina 1 di 1",
];

#[test]
fn pdf_extract() {
    if !pdftotext_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("estratto.pdf");
    write_pdf(&path, PDF_LINES);
    let m = shipped("estratto-pdf.toml");
    let imported = read(&m, &path, false).expect("the PDF imports");
    let doc = &imported.doc;
    assert_eq!(counts(doc), (2, 3, 4, 0));
    let a1 = objective(doc, "A.1");
    assert_eq!(a1.title, "Digitalizzazione dei servizi al pubblico");
    assert_eq!(
        a1.responsibility_centre.name,
        "Direzione generale dei servizi"
    );
    assert_eq!(a1.indicators[0].unit, Unit::Percent);
    assert_eq!(
        a1.indicators[0].baseline.as_ref().unwrap().number,
        Some(dec("40"))
    );
    let days = &a1.indicators[1];
    assert_eq!(days.unit, Unit::Days);
    assert_eq!(days.targets[0].value.comparator, Some(Comparator::Le));
    assert_eq!(days.direction, Direction::LowerIsBetter);
    let a2 = &objective(doc, "A.2").indicators[0];
    assert_eq!(a2.targets.len(), 1, "2026 n.d. is no quantitative target");
    assert_eq!(a2.targets[0].value.number, Some(dec("100")));
    assert_eq!(source(doc, "objective", "A.2").line, Some(11));
    assert_eq!(
        objective(doc, "A.2").responsibility_centre.name,
        "Ufficio trasparenza"
    );
    // The heading line is not mapped: it is reported, with its line.
    let r = &imported.report;
    assert_eq!(r.unused, 1);
    assert_eq!(r.first_unused[0].at.to_string(), "estratto.pdf:1");
    assert_eq!(
        r.first_unused[0].text,
        "PIANO DELLA PERFORMANCE 2025 - ESTRATTO DI ESEMPIO"
    );
    assert_eq!(r.ignored, 1, "the page number");
}

#[test]
fn a_pdf_that_is_not_a_pdf_is_refused_with_pdftotext_s_reason() {
    if !pdftotext_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rotto.pdf");
    std::fs::write(&path, "not a pdf").unwrap();
    let err = read(&shipped("estratto-pdf.toml"), &path, false).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("rotto.pdf: `pdftotext -layout` could not read the PDF"),
        "{err}"
    );
}

/// The first line of `mapping check`'s error for a mapping text.
fn mapping_error(text: &str) -> String {
    Mapping::parse("m.toml", text).unwrap_err().to_string()
}

#[test]
fn mistakes_in_a_mapping_have_line_and_column() {
    let csv_head = "[source]\nformat = \"csv\"\n\n[objective]\ncode = \"{Codice}\"\n";
    // An unknown key: TOML's own check, with the key's place.
    let e = mapping_error(&format!("{csv_head}titel = \"{{Nome}}\"\n"));
    assert!(
        e.starts_with(
            "m.toml:6:1: unknown key `titel` in [objective], whose keys are: code, title,"
        ),
        "{e}"
    );
    assert!(e.ends_with("did you mean `title`?"), "{e}");
    // The section's own keys, not those of every section of its kind, and
    // the section that takes a key placed in the wrong one.
    let e = mapping_error(&format!("{csv_head}[indicator]\ncolumns = 'x'\n"));
    assert!(
        e.contains("in [indicator]") && !e.contains("responsibility_centre"),
        "{e}"
    );
    assert!(
        e.ends_with("`columns` is a key of [indicator.targets]"),
        "{e}"
    );
    let e = mapping_error(&format!(
        "{csv_head}[indicator]\n[[indicator.target]]\ncolumns = 'x'\n"
    ));
    assert!(
        e.starts_with("m.toml:7:13: unknown key `target` in [indicator]"),
        "{e}"
    );
    assert!(e.ends_with("did you mean `targets`?"), "{e}");
    // A format that does not exist.
    let e = mapping_error("[source]\nformat = \"docx\"\n");
    assert!(e.starts_with("m.toml:2:10: expected format \"csv\""), "{e}");
    // A broken regular expression.
    let e = mapping_error(&format!(
        "{csv_head}[indicator]\n[[indicator.targets]]\ncolumns = 'Target (\\d{{4}}'\n"
    ));
    assert!(
        e.starts_with("m.toml:8:11: expected a regular expression"),
        "{e}"
    );
    // A unit the model does not have.
    let e = mapping_error(&format!("{csv_head}[indicator]\nunit = \"euro\"\n"));
    assert!(
        e.starts_with(
            "m.toml:7:8: `unit`: expected one of \"count\", \"percent\", \"days\", found \"euro\""
        ),
        "{e}"
    );
    // A template that is not closed.
    let e = mapping_error(&format!("{csv_head}title = \"{{Nome\"\n"));
    assert!(e.starts_with("m.toml:6:9: expected `}` to close"), "{e}");
    // A key in the wrong section.
    let e = mapping_error(&format!("{csv_head}unit = \"count\"\n"));
    assert!(
        e.starts_with("m.toml:6:8: `unit` belongs in [indicator]"),
        "{e}"
    );
    // A text rule that reads a group its pattern does not have.
    let e = mapping_error(
        "[source]\nformat = \"text\"\n\n[[rules]]\nmatch = '^# (?P<code>\\S+)'\nmake = \"objective\"\ntitle = \"{titolo}\"\n",
    );
    assert!(
        e.starts_with("m.toml:7:9: `title` uses {titolo}, but the rule's `match` has no group"),
        "{e}"
    );
    // A make that does not exist.
    let e = mapping_error(
        "[source]\nformat = \"text\"\n\n[[rules]]\nmatch = 'x'\nmake = \"obiettivo\"\n",
    );
    assert!(
        e.starts_with("m.toml:6:8: expected make = \"objective\""),
        "{e}"
    );
    // A field that is not one of the rule's.
    let e = mapping_error("[source]\nformat = \"text\"\n\n[[rules]]\nmatch = '(?P<year>\\d+) (?P<value>.*)'\nmake = \"target\"\ntitle = \"x\"\n");
    assert!(
        e.starts_with("m.toml:7:9: `title` is not a field of make = \"target\""),
        "{e}"
    );
    // Not TOML at all.
    let e = mapping_error("[source\nformat = 1\n");
    assert!(e.starts_with("m.toml:1:"), "{e}");
}

#[test]
fn a_column_the_source_does_not_have_is_named_with_the_mapping_s_line() {
    let text = "[source]\nformat = \"csv\"\ndelimiter = \";\"\n\n[objective]\ncode = \"{Codice}\"\ntitle = \"{Titolo}\"\n";
    let m = Mapping::parse("m.toml", text).unwrap();
    let e = read(&m, &fixture("registro-milestone-target.csv"), false)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("m.toml:7:9: the column \"Titolo\" is not in the header of registro-milestone-target.csv:1; its columns are: \"Missione\", \"Componente\""),
        "{e}"
    );
}

#[test]
fn a_value_the_mapping_cannot_read_names_file_line_and_expectation() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "code;year;target\nA;2024;10\nB;duemila;5\n").unwrap();
    let text = "[source]\nformat = \"csv\"\ndelimiter = \";\"\n[objective]\ncode = \"{code}\"\n[indicator]\n[[indicator.targets]]\nyear = \"{year}\"\nvalue = \"{target}\"\n";
    let m = Mapping::parse("m.toml", text).unwrap();
    let e = read(&m, &csv, false).unwrap_err().to_string();
    assert_eq!(
        e,
        "bad.csv:3: expected a year such as 2024 in `targets.year`, found \"duemila\""
    );

    // Two targets for one year of one indicator.
    std::fs::write(&csv, "code;ind;year;target\nA;1;2024;10\nA;1;2024;12\n").unwrap();
    let text = text.replace("[indicator]\n", "[indicator]\ncode = \"{ind}\"\n");
    let m = Mapping::parse("m.toml", &text).unwrap();
    let e = read(&m, &csv, false).unwrap_err().to_string();
    assert!(e.starts_with("bad.csv:3: expected one target per year for indicator A/1, but 2024 already has one (at bad.csv:2)"), "{e}");

    // A source text the mapping's `map` lacks: the data's place, the known
    // texts, and the mapping's line where it can be added.
    std::fs::write(&csv, "code;um\nA;giorni\nB;km\n").unwrap();
    let text = "[source]\nformat = \"csv\"\ndelimiter = \";\"\n[objective]\ncode = \"{code}\"\n[indicator]\nunit = { from = \"{um}\", map = { \"giorni\" = \"days\", \"%\" = \"percent\" } }\n";
    let m = Mapping::parse("m.toml", text).unwrap();
    let e = read(&m, &csv, false).unwrap_err().to_string();
    assert_eq!(
        e,
        "bad.csv:3: expected one of the values listed in `unit.map` (\"%\", \"giorni\"; the map is at m.toml:7, where another source text can be added), found \"km\""
    );
}

#[test]
fn an_objective_without_responsibility_centre_is_refused_unless_one_is_declared() {
    let text = "[source]\nformat = \"text\"\n[plan]\nfirst_year = 2025\nlast_year = 2025\n[[rules]]\nmatch = '^# (?P<code>\\S+) (?P<title>.*)'\nmake = \"objective\"\n";
    let m = Mapping::parse("m.toml", text).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.md");
    std::fs::write(&path, "intro\n# O.1 Primo\n").unwrap();
    let e = read(&m, &path, false).unwrap_err().to_string();
    assert!(
        e.starts_with("o.md:2: expected a responsibility centre for the objective"),
        "{e}"
    );
    let options = ParseOptions {
        administration: Some("Comune di esempio".into()),
        ..ParseOptions::default()
    };
    let doc = mapping::read(&m, &path, "o.md", &options, false)
        .unwrap()
        .doc;
    assert_eq!(
        doc.objectives[0].responsibility_centre.name,
        "Comune di esempio"
    );
    assert_eq!((doc.plan.first_year, doc.objectives[0].year), (2025, 2025));

    // Without [plan] years and a source without any, the years are asked for.
    let m = Mapping::parse(
        "m.toml",
        &text.replace("first_year = 2025\nlast_year = 2025\n", ""),
    )
    .unwrap();
    let e = mapping::read(&m, &path, "o.md", &options, false)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "o.md: the source states no year: declare first_year and last_year in the mapping's [plan]"
    );
}

/// A centre has one head in a plan: two objectives of one centre that give
/// different heads must not lose one silently (the register's OS-01 and
/// OS-01.2 name two people for "Settore Affari Generali").
#[test]
fn two_heads_for_one_centre_are_a_finding_and_refused_when_strict() {
    let map_path = fixture("registro-indicatori-comune.toml");
    let map = mapping::load(&map_path).expect("the mapping is valid");
    let csv = fixture("registro-indicatori-comune.csv");
    let imported = read(&map, &csv, false).expect("not strict: imported with a finding");
    let conflict = imported
        .doc
        .findings
        .iter()
        .find(|f| f.code == "conflicting_centre_head")
        .expect("the second head is reported");
    assert_eq!(conflict.entity_code, "OS-01.2");
    assert!(
        conflict.message.contains("Dott. Luca Bianchi")
            && conflict.message.contains("Dott.ssa Maria Rossi"),
        "the finding names both heads: {}",
        conflict.message
    );
    let strict =
        cruscotto_import::validate::strict("registro-indicatori-comune.csv", &imported.doc);
    assert!(
        matches!(&strict, Err(e) if e.to_string().contains("conflicting_centre_head")),
        "strict refuses it: {strict:?}"
    );
}

/// The mapping a first-time user wrote from the guide alone, for a register
/// written after the guide: everything but the weight has a place, strict
/// import passes, units, comparators and heads are as the register says.
#[test]
fn a_newcomers_mapping_of_an_unseen_register_imports_strictly() {
    let map = mapping::load(&fixture("obiettivi-provincia-2025.toml")).expect("valid");
    let imported = read(&map, &fixture("obiettivi-provincia-2025.csv"), true)
        .expect("strict import passes: every cell was used");
    let doc = &imported.doc;
    assert_eq!(counts(doc), (3, 5, 10, 0));
    assert!(doc.findings.is_empty(), "{:?}", doc.findings);
    let roads = objective(doc, "OP.01");
    assert_eq!(roads.responsibility_centre.name, "Settore Viabilità");
    assert_eq!(
        roads.responsibility_centre.head.as_deref(),
        Some("Ing. Marta Colombo")
    );
    assert!(roads.description.ends_with("(peso 30%)"));
    let closing = &roads.indicators[1];
    assert_eq!(closing.unit, Unit::Days);
    assert_eq!(closing.direction, Direction::LowerIsBetter);
    let t = &closing.targets[0];
    assert_eq!(
        (t.year, t.value.comparator, t.value.number),
        (2025, Some(Comparator::Le), Some(dec("15")))
    );
    let schools = &objective(doc, "OP.02").indicators[0];
    assert_eq!(schools.unit, Unit::Percent);
    assert_eq!(schools.targets[1].value.raw, "100%");
    assert_eq!(schools.targets[1].value.number, Some(dec("100")));
}
