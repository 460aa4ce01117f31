//! The sample plans shipped in `data/sample/`, and the JSON round trip of
//! every document the crate reads.

mod common;

use std::str::FromStr;

use common::{assert_only_finding, parse, SEED_MULTI_YEAR, SEED_SHEETS};
use cruscotto_import::json::{from_json, to_json};
use cruscotto_import::model::{Comparator, Direction, PlanKind, Unit};
use cruscotto_import::{parse_document, ParseOptions};
use rust_decimal::Decimal;

const SAMPLE_SHEETS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/sample/piano-agenzia-2025.txt"
);
const SAMPLE_MULTI_YEAR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/sample/piano-triennale-2024-2026.txt"
);
const SEEDS: [&str; 2] = [SEED_SHEETS, SEED_MULTI_YEAR];

#[test]
fn sample_sheets_have_three_objectives_with_their_tables() {
    let doc = parse(SAMPLE_SHEETS);
    assert_eq!(doc.plan.code, "piano-agenzia-2025");
    assert_eq!(doc.plan.kind, PlanKind::AnnualObjectives);
    let codes: Vec<&str> = doc.objectives.iter().map(|o| o.code.as_str()).collect();
    assert_eq!(codes, ["B.1", "P.2", "D.3"]);
    let indicators: Vec<usize> = doc.objectives.iter().map(|o| o.indicators.len()).collect();
    assert_eq!(indicators, [3, 4, 2]);
    let phases: Vec<usize> = doc.objectives.iter().map(|o| o.phases.len()).collect();
    assert_eq!(phases, [4, 4, 3]);
    for objective in &doc.objectives {
        assert_eq!(objective.phase_weight_sum(), Decimal::from(100));
    }
    assert_eq!(doc.objectives[0].budget.len(), 2);
}

#[test]
fn sample_sheets_exercise_the_quirks() {
    let doc = parse(SAMPLE_SHEETS);
    let b1 = &doc.objectives[0];
    let timeliness = &b1.indicators[0];
    assert_eq!(timeliness.unit, Unit::Days);
    assert_eq!(timeliness.direction, Direction::LowerIsBetter);
    assert_eq!(timeliness.targets[0].value.comparator, Some(Comparator::Le));
    assert_eq!(
        timeliness
            .calculator
            .as_ref()
            .map(|c| c.calculator.as_str()),
        Some("payment_timeliness")
    );
    let b13 = &b1.phases[2];
    assert_eq!(
        b13.description,
        "Formazione del personale degli uffici che liquidano i corrispettivi alle aziende concessionarie"
    );
    assert_eq!(b13.expected_result, "Tre sessioni di formazione svolte");

    let p2 = &doc.objectives[1];
    assert_eq!(p2.offices.len(), 2);
    assert_eq!(p2.annual_objectives.len(), 2);
    assert_eq!(
        p2.indicators[0].baseline.as_ref().unwrap().number,
        Some(Decimal::from_str("96.5").unwrap())
    );
    assert_eq!(
        p2.indicators[0].targets[0].value.comparator,
        Some(Comparator::Ge)
    );
    assert_eq!(p2.phases[3].amended_fields.len(), 5);
    assert!(p2
        .description
        .ends_with("da attrezzare. tenendo conto dei flussi di passeggeri rilevati nel 2024."));

    assert!(doc.objectives[2].annual_objectives.is_empty());
    // The satisfaction target is prose: imported, and reported.
    assert_only_finding(
        &doc.findings,
        "target_without_number",
        "P.2/4/2025",
        Some(67),
    );
}

#[test]
fn sample_multi_year_plan_has_two_areas_and_five_ambiti() {
    let doc = parse(SAMPLE_MULTI_YEAR);
    assert_eq!(doc.plan.kind, PlanKind::MultiYear);
    assert_eq!(doc.plan.title, "Piano triennale 2024-2026");
    let names: Vec<Option<&str>> = doc.areas.iter().map(|a| a.name.as_deref()).collect();
    assert_eq!(
        names,
        [
            Some("MOBILITÀ INTEGRATA"),
            Some("SICUREZZA E CONTROLLO DEL SERVIZIO")
        ]
    );
    let counts: Vec<usize> = doc.areas.iter().map(|a| a.ambiti.len()).collect();
    assert_eq!(counts, [3, 2]);
    let info = &doc.areas[0].ambiti[1];
    assert_eq!(info.name, "INFOMOBILITÀ");
    assert!(info.results[1]
        .text
        .ends_with("e per tutte le corse urbane dei capoluoghi.</p>"));
    assert!(doc.findings.is_empty(), "{:?}", doc.findings);
}

#[test]
fn every_document_survives_the_json_round_trip() {
    for path in SEEDS.iter().chain([&SAMPLE_SHEETS, &SAMPLE_MULTI_YEAR]) {
        let doc = parse(path);
        let json = to_json(&doc);
        assert!(json.ends_with("}\n"));
        let back = from_json("roundtrip.json", &json).unwrap();
        assert_eq!(back, doc, "{path}");
        assert_eq!(to_json(&back), json, "{path}");
    }
}

#[test]
fn generated_plan_survives_the_json_round_trip() {
    let doc = cruscotto_import::generate::generate(2);
    let json = to_json(&doc);
    let back = parse_document("generated.json", &json, &ParseOptions::default()).unwrap();
    assert_eq!(back, doc);
}

#[test]
fn options_override_code_title_and_administration() {
    let content = std::fs::read_to_string(SAMPLE_SHEETS).unwrap();
    let options = ParseOptions {
        plan_code: Some("agenzia".into()),
        administration: Some("Agenzia regionale per la mobilità".into()),
        title: Some("Piano 2025".into()),
    };
    let doc = parse_document("x.txt", &content, &options).unwrap();
    assert_eq!(doc.plan.code, "agenzia");
    assert_eq!(doc.plan.title, "Piano 2025");
    assert_eq!(
        doc.plan.administration.as_deref(),
        Some("Agenzia regionale per la mobilità")
    );
}
