//! Malformed documents: each must be refused (or, for content problems,
//! reported) with the file, the line and what was expected.

mod common;

use cruscotto_import::json::{from_json, to_json};
use cruscotto_import::validate;
use cruscotto_import::{parse_document, ImportError, ParseOptions, PlanDocument};

const PHASE_HEADER: &str = "Codice\tFase\tInizio\tTermine\tRisultato atteso\tPeso %";

/// A small valid sheet; `phases` are the rows between the phases header
/// and the `Totale` row. The phases header is line 21, so the first phase
/// row is line 22.
fn sheet(code: &str, start: &str, phases: &[&str]) -> String {
    let mut lines = vec![
        "OBIETTIVO INDIVIDUALE ANNUALE 2024\t".to_string(),
        "Centro di responsabilità amministrativa (CDR)\tDirezione prova".into(),
        "Responsabile del CDR\tDott. Mario Prova".into(),
        "Uffici dirigenziali di II livello (referenti)\tUfficio 1".into(),
        "Obiettivo specifico collegato\tObiettivo 1 \"Prova\"".into(),
        "Obiettivo annuale collegato\tObiettivo 1.1 \"Prova annuale\"".into(),
        format!("Codice Obiettivo\t{code}"),
        "Denominazione Obiettivo\tObiettivo di prova".into(),
        "Descrizione Obiettivo\tDescrizione di prova".into(),
        format!("Data di inizio\t{start}"),
        "Data di completamento\t31/12/2024".into(),
        "Punteggio massimo attribuibile\t10/70".into(),
        "RISORSE FINANZIARIE\t\t".into(),
        "Missione\tProgramma\tAzione".into(),
        "1 - Servizi generali\t1.1 - Bilancio\tGestione".into(),
        "INDICATORI\tVALORI TARGET".into(),
        "Codice\tDescrizione\tMetodo di calcolo\tTipo\tBaseline\t2024".into(),
        "1\tPratiche chiuse\tNumero di pratiche chiuse\tEfficacia\t10\t12".into(),
        String::new(),
        "FASI OBIETTIVO ANNUALE\t\t\t\t\t".into(),
        PHASE_HEADER.into(),
    ];
    lines.extend(phases.iter().map(|p| p.to_string()));
    lines.push("Totale\t\t\t\t\t100%".into());
    lines.join("\n")
}

/// The first of two phases of half a year each, weighing 50%.
const HALF_YEAR_PHASE: &str = "X.1.1\tFase uno\t01/01/2024\t30/06/2024\tEsito\t50%";

/// A sheet that imports: objective X.1 from 1/1/2024 with one phase over
/// the whole of 2024.
fn valid_sheet() -> String {
    sheet(
        "X.1",
        "01/01/2024",
        &["X.1.1\tF\t01/01/2024\t31/12/2024\tE\t100%"],
    )
}

fn parse(file: &str, content: &str) -> Result<PlanDocument, ImportError> {
    parse_document(file, content, &ParseOptions::default())
}

#[test]
fn import_accepts_the_minimal_fixture() {
    let doc = parse(
        "ok.txt",
        &sheet(
            "X.1",
            "01/01/2024",
            &["X.1.1\tFase\t01/01/2024\t31/12/2024\tEsito\t100%"],
        ),
    )
    .unwrap();
    assert_eq!(doc.objectives.len(), 1);
    assert!(doc.findings.is_empty());
}

#[test]
fn import_rejects_a_sheet_cut_before_its_tables() {
    let full = sheet("X.1", "01/01/2024", &[]);
    let truncated: String = full.lines().take(11).collect::<Vec<_>>().join("\n");
    let err = parse("cut.txt", &truncated).unwrap_err();
    assert!(matches!(err, ImportError::UnexpectedEnd { .. }), "{err:?}");
    assert_eq!(err.line(), Some(11));
    assert_eq!(err.file(), "cut.txt");
    assert_eq!(
        err.to_string(),
        "cut.txt:11: the document ends inside the sheet of objective X.1 started at line 1, \
         but expected its phases table (FASI OBIETTIVO ANNUALE)"
    );
}

#[test]
fn import_rejects_a_sheet_followed_by_another_before_its_phases() {
    let first: String = sheet("X.1", "01/01/2024", &[])
        .lines()
        .take(14)
        .collect::<Vec<_>>()
        .join("\n");
    let content = format!(
        "{first}\n{}",
        sheet("X.2", "01/01/2024", &["X.2.1\tF\t\t\tE\t100%"])
    );
    let err = parse("two.txt", &content).unwrap_err();
    assert!(matches!(err, ImportError::UnexpectedEnd { .. }), "{err:?}");
    assert_eq!(err.line(), Some(15));
}

#[test]
fn import_rejects_phase_row_with_wrong_column_count() {
    let content = sheet(
        "X.1",
        "01/01/2024",
        &[HALF_YEAR_PHASE, "X.1.2\tFase due\t01/07/2024\t31/12/2024"],
    );
    let err = parse("000.txt", &content).unwrap_err();
    assert!(
        matches!(err, ImportError::WrongColumnCount { .. }),
        "{err:?}"
    );
    assert_eq!(err.line(), Some(23));
    assert_eq!(
        err.to_string(),
        "000.txt:23: expected 6 tab-separated cells in the phases table \
         (Codice, Fase, Inizio, Termine, Risultato atteso, Peso %), found 4"
    );
}

#[test]
fn import_rejects_phase_row_with_extra_cells_but_accepts_trailing_tabs() {
    let padded = sheet(
        "X.1",
        "01/01/2024",
        &["X.1.1\tF\t01/01/2024\t31/12/2024\tE\t100%\t\t\t"],
    );
    assert!(parse("pad.txt", &padded).is_ok());
    let extra = sheet(
        "X.1",
        "01/01/2024",
        &["X.1.1\tF\t01/01/2024\t31/12/2024\tE\t100%\tnote"],
    );
    let err = parse("extra.txt", &extra).unwrap_err();
    assert_eq!(err.line(), Some(22));
    assert!(err.to_string().ends_with("found 7"), "{err}");
}

#[test]
fn import_rejects_indicator_row_with_wrong_column_count() {
    let content = sheet("X.1", "01/01/2024", &["X.1.1\tF\t\t\tE\t100%"])
        .replace("Efficacia\t10\t12", "Efficacia");
    let err = parse("ind.txt", &content).unwrap_err();
    assert_eq!(err.line(), Some(18));
    assert_eq!(
        err.to_string(),
        "ind.txt:18: expected 6 tab-separated cells in the indicators table \
         (Codice, Descrizione, Metodo di calcolo, Tipo, Baseline, 2024), found 4"
    );
}

#[test]
fn import_rejects_a_bad_date() {
    let content = sheet(
        "X.1",
        "1 gennaro 2024",
        &["X.1.1\tF\t01/01/2024\t31/12/2024\tE\t100%"],
    );
    let err = parse("date.txt", &content).unwrap_err();
    assert!(matches!(err, ImportError::BadDate { .. }), "{err:?}");
    assert_eq!(err.line(), Some(10));
    assert_eq!(
        err.to_string(),
        "date.txt:10: expected a date like 01/01/2020 or 1 gennaio 2020 in `Data di inizio`, \
         found \"1 gennaro 2024\""
    );
}

#[test]
fn import_rejects_a_bad_date_in_a_phase() {
    let content = sheet(
        "X.1",
        "01/01/2024",
        &["X.1.1\tF\t32/01/2024\t31/12/2024\tE\t100%"],
    );
    let err = parse("phase-date.txt", &content).unwrap_err();
    assert_eq!(err.line(), Some(22));
    assert!(
        err.to_string()
            .contains("in the Inizio column of phase X.1.1"),
        "{err}"
    );
}

#[test]
fn import_rejects_an_unknown_document_shape() {
    let err = parse("notes.txt", "Verbale della riunione\n\nPresenti: tutti.\n").unwrap_err();
    assert!(matches!(err, ImportError::UnknownShape { .. }), "{err:?}");
    assert_eq!(err.line(), None);
    assert_eq!(
        err.to_string(),
        "notes.txt: not a plan document: none of its 4 lines has a line \
         `OBIETTIVO INDIVIDUALE ANNUALE <year>` (annual objective sheets) or a table header \
         whose first cell is `AMBITO` (multi-year plan)"
    );
}

#[test]
fn import_reports_phase_weights_not_summing_to_100_and_strict_refuses_them() {
    let content = sheet(
        "X.1",
        "01/01/2024",
        &[
            HALF_YEAR_PHASE,
            "X.1.2\tFase due\t01/07/2024\t31/12/2024\tEsito\t45%",
        ],
    );
    let doc = parse("weights.txt", &content).unwrap();
    let codes: Vec<&str> = doc.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["phase_weights_not_100", "phase_total_mismatch"]);
    let weights = &doc.findings[0];
    common::assert_finding(weights, "phase_weights_not_100", "X.1", Some(1));
    assert_eq!(
        weights.message,
        "the phase weights of objective X.1 sum to 95%, not 100%"
    );
    assert_eq!(doc.findings[1].line, Some(24));

    let err = validate::strict("weights.txt", &doc).unwrap_err();
    assert!(matches!(err, ImportError::Strict { .. }), "{err:?}");
    assert_eq!(err.line(), Some(1));
    assert_eq!(
        err.to_string(),
        "weights.txt: strict import refused the document because of 2 finding(s): \
         X.1 phase_weights_not_100 (line 1): the phase weights of objective X.1 sum to 95%, not 100%; \
         X.1 phase_total_mismatch (line 24): the Totale row of objective X.1 states 100% but its phase weights sum to 95%"
    );
}

#[test]
fn strict_accepts_a_document_without_findings() {
    let content = valid_sheet();
    let doc = parse("ok.txt", &content).unwrap();
    assert!(validate::strict("ok.txt", &doc).is_ok());
}

#[test]
fn import_refuses_phases_that_start_after_they_end() {
    // No stored plan can hold such a phase: it is refused with its line,
    // not left for the database to refuse.
    let content = sheet(
        "X.1",
        "01/01/2024",
        &["X.1.1\tF\t01/12/2024\t01/01/2024\tE\t100%"],
    );
    let err = parse("dates.txt", &content).unwrap_err();
    assert_eq!(err.line(), Some(22));
    assert_eq!(
        err.to_string(),
        "dates.txt:22: phase X.1.1 starts on 2024-12-01 after it ends on 2024-01-01"
    );
}

#[test]
fn import_refuses_an_indicator_with_two_targets_for_one_year() {
    let content = valid_sheet()
        .replace("Baseline\t2024", "Baseline\t2024\t2024")
        .replace("\t10\t12", "\t10\t12\t13");
    let err = parse("twice.txt", &content).unwrap_err();
    assert_eq!(
        err.to_string(),
        "twice.txt:18: indicator 1 of objective X.1 has two targets for 2024"
    );
}

#[test]
fn a_bom_is_skipped_and_json_that_is_not_an_object_is_refused_as_such() {
    let doc = cruscotto_import::generate::generate(1);
    let with_bom = format!("\u{feff}{}", to_json(&doc));
    assert_eq!(parse("bom.json", &with_bom).unwrap(), doc);
    for (content, found) in [
        ("[1, 2]", "found an array"),
        ("  \"plan\"", "found a string"),
        ("[{\"format\": ", "found an array (malformed)"),
    ] {
        let err = parse("x.json", content).unwrap_err();
        assert!(matches!(err, ImportError::NotAnObject { .. }), "{err:?}");
        assert!(err.to_string().contains(found), "{err}");
        assert!(err.to_string().starts_with("x.json:1: "), "{err}");
    }
}

#[test]
fn a_nul_character_is_refused_with_its_line_in_text_and_json() {
    let content = valid_sheet().replace("Obiettivo di prova", "Obiettivo\0di prova");
    let err = parse("nul.txt", &content).unwrap_err();
    assert_eq!(err.line(), Some(8), "{err}");
    assert!(err.to_string().contains("NUL"), "{err}");

    let mut doc = cruscotto_import::generate::generate(1);
    doc.plan.title = "Pia\0no".into();
    let err = parse("nul.json", &to_json(&doc)).unwrap_err();
    assert!(err.to_string().contains("in plan.title"), "{err}");
    assert!(err.line().is_some());
}

#[test]
fn a_line_of_millions_of_tabs_is_read_in_bounded_cells() {
    let content = valid_sheet().replace(
        "Denominazione Obiettivo\tObiettivo di prova",
        &format!(
            "Denominazione Obiettivo\tObiettivo di prova{}",
            "\t".repeat(5_000_000)
        ),
    );
    let doc = parse("tabs.txt", &content).unwrap();
    assert_eq!(doc.objectives[0].title, "Obiettivo di prova");
}

#[test]
fn import_rejects_duplicate_phase_codes() {
    let content = sheet(
        "X.1",
        "01/01/2024",
        &["X.1.1\tF\t\t\tE\t50%", "X.1.1\tG\t\t\tE\t50%"],
    );
    let err = parse("dup.txt", &content).unwrap_err();
    assert!(matches!(err, ImportError::DuplicateCode { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "dup.txt:23: expected a unique phase code, found \"X.1.1\" again (first at line 22)"
    );
}

#[test]
fn import_rejects_duplicate_objective_codes() {
    let one = sheet("X.1", "01/01/2024", &["X.1.1\tF\t\t\tE\t100%"]);
    let two = sheet("X.1", "01/01/2024", &["X.1.2\tF\t\t\tE\t100%"]);
    let err = parse("dup.txt", &format!("{one}\n{two}")).unwrap_err();
    assert!(matches!(err, ImportError::DuplicateCode { .. }), "{err:?}");
    assert_eq!(err.line(), Some(30));
}

#[test]
fn import_rejects_an_unknown_field_label() {
    let content = sheet("X.1", "01/01/2024", &["X.1.1\tF\t\t\tE\t100%"])
        .replace("Denominazione Obiettivo", "Titolo");
    let err = parse("label.txt", &content).unwrap_err();
    assert_eq!(err.line(), Some(8));
    assert!(err.to_string().contains("found \"Titolo\""), "{err}");
}

#[test]
fn import_rejects_a_continuation_row_with_nothing_to_continue() {
    let content = sheet("X.1", "01/01/2024", &["\tresto\t\t\t\t"]);
    let err = parse("cont.txt", &content).unwrap_err();
    assert_eq!(err.line(), Some(22));
}

#[test]
fn multi_year_import_rejects_rows_before_any_header() {
    let content = "Introduzione\nAMBITO X\tobiettivo\nAMBITO\tObiettivi 2024-2026\tRisultati previsti al 2025\n";
    let err = parse("multi.txt", content).unwrap_err();
    assert_eq!(err.line(), Some(2));
    assert!(
        err.to_string()
            .contains("expected an AMBITO header row before table rows"),
        "{err}"
    );
}

#[test]
fn multi_year_import_rejects_an_unknown_result_column() {
    let content = "AMBITO\tObiettivi 2024-2026\tNote varie\n";
    let err = parse("multi.txt", content).unwrap_err();
    assert_eq!(err.line(), Some(1));
    assert!(err.to_string().contains("found \"Note varie\""), "{err}");
}

#[test]
fn multi_year_import_rejects_a_short_row_inside_the_table() {
    let content = "AMBITO\tObiettivi 2024-2026\tRisultati previsti al 2025\tRisultati al 2025\n\
                   A\tobiettivo\tprevisto\n\
                   B\tobiettivo\tprevisto\tottenuto.\n";
    let err = parse("multi.txt", content).unwrap_err();
    assert!(
        matches!(err, ImportError::WrongColumnCount { .. }),
        "{err:?}"
    );
    assert_eq!(err.line(), Some(2));
}

#[test]
fn json_import_reports_syntax_errors_with_line_and_column() {
    let err = from_json(
        "plan.json",
        "{\n  \"format\": \"cruscotto-plan/1\",\n  \"plan\": ]\n}",
    )
    .unwrap_err();
    assert!(matches!(err, ImportError::Json { .. }), "{err:?}");
    assert_eq!(err.line(), Some(3));
    assert_eq!(
        err.to_string(),
        "plan.json:3:11: expected a plan document in JSON, found an error: expected value"
    );
}

#[test]
fn json_import_reports_model_errors_with_line_and_column() {
    let doc = cruscotto_import::generate::generate(1);
    let json = to_json(&doc).replacen("\"kind\": \"annual_objectives\"", "\"kind\": \"yearly\"", 1);
    let err = from_json("plan.json", &json).unwrap_err();
    assert!(matches!(err, ImportError::Json { .. }), "{err:?}");
    assert_eq!(err.line(), Some(5));
    assert!(
        err.to_string().contains("unknown variant `yearly`"),
        "{err}"
    );
}

#[test]
fn json_import_rejects_another_format_version() {
    let err = from_json("plan.json", "{\n  \"format\": \"cruscotto-plan/9\"\n}").unwrap_err();
    assert!(
        matches!(err, ImportError::UnsupportedFormatVersion { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "plan.json:2: expected format \"cruscotto-plan/1\", found \"cruscotto-plan/9\""
    );
}
