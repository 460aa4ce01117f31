//! The two published seed documents, read end to end: every quirk listed in
//! the domain notes must come out as the model says.

mod common;

use std::str::FromStr;

use chrono::NaiveDate;
use common::{assert_only_finding, parse, SEED_MULTI_YEAR, SEED_SHEETS};
use cruscotto_import::model::{Comparator, Direction, LinkedObjective, PlanKind, ResultKind, Unit};
use rust_decimal::Decimal;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// The codes of the objectives that `links` name, in order.
fn link_codes(links: &[LinkedObjective]) -> Vec<&str> {
    links.iter().map(|l| l.code.as_str()).collect()
}

#[test]
fn sheets_seed_has_five_objectives_nineteen_indicators_and_thirty_one_phases() {
    let doc = parse(SEED_SHEETS);
    assert_eq!(doc.plan.kind, PlanKind::AnnualObjectives);
    assert_eq!(doc.plan.code, "000_c0a763c098296cde");
    assert_eq!(doc.plan.title, "Obiettivi individuali annuali 2020");
    assert_eq!((doc.plan.first_year, doc.plan.last_year), (2020, 2020));
    let codes: Vec<&str> = doc.objectives.iter().map(|o| o.code.as_str()).collect();
    assert_eq!(codes, ["A.1", "C.1", "C.3", "C.5", "L.1"]);
    let indicators: usize = doc.objectives.iter().map(|o| o.indicators.len()).sum();
    assert_eq!(indicators, 19);
    let phases: usize = doc.objectives.iter().map(|o| o.phases.len()).sum();
    assert_eq!(phases, 31);
    assert!(doc.findings.is_empty(), "{:?}", doc.findings);
}

#[test]
fn sheets_seed_phase_weights_sum_to_100_for_every_objective() {
    let doc = parse(SEED_SHEETS);
    for objective in &doc.objectives {
        assert_eq!(
            objective.phase_weight_sum(),
            dec("100"),
            "{}",
            objective.code
        );
    }
}

#[test]
fn sheets_seed_objective_fields_are_read() {
    let doc = parse(SEED_SHEETS);
    let a1 = &doc.objectives[0];
    assert_eq!(a1.title, "Azioni di governance del Dicastero");
    assert_eq!(a1.responsibility_centre.name, "Segretariato Generale");
    assert_eq!(
        a1.responsibility_centre.head.as_deref(),
        Some("Raffaele Tangorra")
    );
    assert_eq!(a1.offices.len(), 5);
    let max = a1.max_score.unwrap();
    assert_eq!((max.points, max.out_of), (50, 70));
    assert_eq!(a1.strategic_objectives.len(), 1);
    assert_eq!(a1.strategic_objectives[0].code, "4");
    assert_eq!(a1.annual_objectives[0].code, "4.1");
    assert!(a1.annual_objectives[0]
        .title
        .starts_with("Governance e coordinamento"));
    assert!(a1.annual_objectives[0]
        .title
        .ends_with("tempi di vita e di lavoro"));
    assert_eq!(
        a1.notes,
        ["N.B: Si riportano le modifiche in grassetto corsivo"]
    );
}

#[test]
fn sheets_seed_a1_has_two_budget_actions_under_one_program() {
    let doc = parse(SEED_SHEETS);
    let budget = &doc.objectives[0].budget;
    assert_eq!(budget.len(), 2);
    for link in budget {
        assert_eq!(link.mission_code, "26");
        assert_eq!(link.mission_name, "Politiche per il lavoro");
        assert_eq!(link.program_code, "26.7");
        assert!(link
            .program_name
            .starts_with("Coordinamento e integrazione"));
    }
    assert!(budget[0].action.starts_with("Integrazione e monitoraggio"));
    assert_eq!(
        budget[1].action,
        "Supporto tecnico per la formazione il lavoro e le politiche sociali"
    );
    // `27.6 Flussi …` has no dash after its code.
    let l1 = &doc.objectives[4].budget[0];
    assert_eq!(l1.mission_code, "27");
    assert_eq!(l1.program_code, "27.6");
    assert!(l1.program_name.starts_with("Flussi migratori"));
}

#[test]
fn sheets_seed_links_are_read_and_the_placeholder_gives_none() {
    let doc = parse(SEED_SHEETS);
    let c1 = &doc.objectives[1];
    assert!(c1.annual_objectives.is_empty());
    assert_eq!(
        c1.annual_objectives_text,
        "Indicare Codice e Obiettivo annuale collegato"
    );
    let c3 = &doc.objectives[2];
    assert_eq!(link_codes(&c3.annual_objectives), ["1.2", "4.4"]);
    assert_eq!(link_codes(&c3.strategic_objectives), ["1", "4"]);
    let l1 = &doc.objectives[4];
    assert_eq!(link_codes(&l1.strategic_objectives), ["2", "3"]);
    assert_eq!(link_codes(&l1.annual_objectives), ["2.4", "3.2"]);
    assert!(l1.annual_objectives[0]
        .title
        .starts_with("Contrasto al fenomeno del caporalato"));
    assert!(l1.annual_objectives[0].title.ends_with("Piano triennale"));
}

#[test]
fn sheets_seed_offices_split_on_en_dash() {
    let doc = parse(SEED_SHEETS);
    let c3 = &doc.objectives[2];
    assert_eq!(c3.offices, ["Dirigente Div.2", "Dirigente Div.3"]);
    assert_eq!(c3.offices_text, "Dirigente Div.2 – Dirigente Div.3");
}

#[test]
fn sheets_seed_l1_dates_in_words_and_long_description_are_read() {
    let doc = parse(SEED_SHEETS);
    let l1 = &doc.objectives[4];
    assert_eq!(l1.start_date, NaiveDate::from_ymd_opt(2020, 1, 1));
    assert_eq!(l1.end_date, NaiveDate::from_ymd_opt(2020, 12, 31));
    assert!(l1
        .description
        .starts_with("<p>Sul fronte delle risorse nazionali"));
    // Paragraphs are joined with newlines, the tab-led tail with a space.
    assert_eq!(l1.description.matches('\n').count(), 8);
    assert!(l1
        .description
        .ends_with("che svolgono attività a favore degli immigrati."));
    assert!(l1
        .description
        .contains("sviluppato un</i></p>\nprogetto complementare"));
    assert_eq!(l1.amended_fields, ["description"]);
    assert!(l1.other_offices.starts_with("Ufficio di Gabinetto"));
}

#[test]
fn sheets_seed_payment_timeliness_is_bound_and_lower_is_better() {
    let doc = parse(SEED_SHEETS);
    let a1_1 = &doc.objectives[0].indicators[0];
    assert_eq!(a1_1.description, "Tempestività dei pagamenti");
    assert_eq!(a1_1.unit, Unit::Days);
    assert_eq!(a1_1.direction, Direction::LowerIsBetter);
    let calc = a1_1.calculator.as_ref().unwrap();
    assert_eq!(calc.calculator, "payment_timeliness");
    assert!(calc.guessed);
    assert_eq!(calc.params, serde_json::json!({}));
    let target = &a1_1.targets[0];
    assert_eq!(target.year, 2020);
    assert_eq!(target.value.raw, "<=10");
    assert_eq!(target.value.comparator, Some(Comparator::Le));
    assert_eq!(target.value.number, Some(dec("10")));
    let baseline = a1_1.baseline.as_ref().unwrap();
    assert_eq!(
        (baseline.number, baseline.unit),
        (Some(dec("30")), Some(Unit::Days))
    );
}

#[test]
fn sheets_seed_indicator_guesses_follow_the_method() {
    let doc = parse(SEED_SHEETS);
    let calc = |o: usize, i: usize| {
        doc.objectives[o].indicators[i]
            .calculator
            .as_ref()
            .map(|c| c.calculator.as_str())
    };
    assert_eq!(calc(0, 1), Some("ratio_percent")); // Percentuale degli adempimenti …
    assert_eq!(calc(0, 7), Some("count")); // Numero di verifiche audit …
    assert_eq!(calc(1, 0), Some("sum")); // Somma delle partecipazioni …
    assert_eq!(calc(3, 0), Some("ratio_percent")); // N. … / N. …
                                                   // `Numero di …` with targets in percent is ambiguous: no guess.
    assert_eq!(calc(4, 3), None);
    assert_eq!(doc.objectives[4].indicators[3].unit, Unit::Percent);
    assert_eq!(doc.objectives[1].indicators[0].unit, Unit::Count);
}

#[test]
fn sheets_seed_l1_targets_keep_their_notes() {
    let doc = parse(SEED_SHEETS);
    let l1 = &doc.objectives[4];
    let target = &l1.indicators[2].targets[0].value;
    assert_eq!(target.number, Some(dec("1200")));
    assert_eq!(target.unit, None);
    assert_eq!(
        target.note.as_deref(),
        Some("con presenza di 6054 MSNA al 31 dicembre 2019")
    );
    assert_eq!(
        target.raw,
        "1200 (con presenza di 6054 MSNA al 31 dicembre 2019)"
    );
    let target = &l1.indicators[3].targets[0].value;
    assert_eq!(
        (target.number, target.unit),
        (Some(dec("82")), Some(Unit::Percent))
    );
}

#[test]
fn sheets_seed_phases_cut_by_a_page_are_rejoined() {
    let doc = parse(SEED_SHEETS);
    let a1 = &doc.objectives[0];
    let a13 = a1.phases.iter().find(|p| p.code == "A.1.3").unwrap();
    assert!(a13
        .description
        .contains("anche attraverso l'adozione di provvedimenti a carattere organizzativo."));
    assert!(a13
        .expected_result
        .ends_with("costituzione del Gruppo. Predisposizione di note e atti di coordinamento; convocazione e gestione di riunioni tecniche."));
    assert_eq!(a13.weight, Some(dec("10")));
    let a18 = a1.phases.iter().find(|p| p.code == "A.1.8").unwrap();
    assert!(a18
        .description
        .ends_with("Supporto alle attività di Audit sulle operazioni – Controllo a campione sulle spese certificate alla Commissione europea"));
    assert_eq!(
        a18.expected_result,
        "Contributo alla redazione dei Rapporti di controllo e follow up"
    );
}

#[test]
fn sheets_seed_amendments_are_marked() {
    let doc = parse(SEED_SHEETS);
    let c5 = &doc.objectives[3];
    let c56 = c5.phases.iter().find(|p| p.code == "C.5.6").unwrap();
    assert_eq!(
        c56.amended_fields,
        [
            "description",
            "start_date",
            "end_date",
            "expected_result",
            "weight"
        ]
    );
    assert_eq!(c56.start_date, NaiveDate::from_ymd_opt(2020, 3, 1));
    assert_eq!(c56.end_date, NaiveDate::from_ymd_opt(2020, 6, 1));
    assert_eq!(c56.weight, Some(dec("10")));
    assert!(c56.description.starts_with("<i>Svolgimento"));
    let c13 = doc.objectives[1]
        .phases
        .iter()
        .find(|p| p.code == "C.1.3")
        .unwrap();
    assert_eq!(c13.amended_fields, ["description"]);
    assert_eq!(c5.indicators[0].amended_fields, ["description", "method"]);
    assert!(c5.indicators[0].description.contains("<i>full digital</i>"));
}

#[test]
fn multi_year_seed_has_three_areas_and_fourteen_ambiti() {
    let doc = parse(SEED_MULTI_YEAR);
    assert_eq!(doc.plan.kind, PlanKind::MultiYear);
    assert_eq!(doc.plan.title, "Piano triennale 2009-2011");
    assert_eq!((doc.plan.first_year, doc.plan.last_year), (2009, 2011));
    let names: Vec<Option<&str>> = doc.areas.iter().map(|a| a.name.as_deref()).collect();
    assert_eq!(
        names,
        [
            None,
            Some("IMMIGRAZIONE E MOBILITA' INTERNAZIONALE DEL LAVORO"),
            Some("INCLUSIONE SOCIALE E LAVORATIVA"),
        ]
    );
    let counts: Vec<usize> = doc.areas.iter().map(|a| a.ambiti.len()).collect();
    assert_eq!(counts, [7, 5, 2]);
    assert_eq!(
        doc.areas[1].subtitle.as_deref(),
        Some("Obiettivi operativi primari per l'annualità 2011")
    );
    assert!(doc.areas[0].introduction.is_empty());
    assert!(doc.areas[1]
        .introduction
        .starts_with("Le azioni dell'Area Immigrazione"));
    assert!(doc.areas[2]
        .introduction
        .contains("\n- attivare tutti gli attori privati"));
}

#[test]
fn multi_year_seed_ambiti_have_objective_and_results_per_year() {
    let doc = parse(SEED_MULTI_YEAR);
    let expected = [
        (2010, ResultKind::Expected),
        (2010, ResultKind::Actual),
        (2011, ResultKind::Expected),
    ];
    for ambito in doc.areas.iter().flat_map(|a| &a.ambiti) {
        assert!(!ambito.objective.is_empty(), "{}", ambito.name);
        let columns: Vec<(i32, ResultKind)> =
            ambito.results.iter().map(|r| (r.year, r.kind)).collect();
        assert_eq!(columns, expected, "{}", ambito.name);
    }
    let first = &doc.areas[0].ambiti[0];
    assert_eq!(
        first.name,
        "SUPPORTO AL MINISTERO NELLE ATTIVITÀ DI GOVERNANCE"
    );
    assert!(first.results[0]
        .text
        .starts_with("Stipula di una convenzione"));
}

#[test]
fn multi_year_seed_rows_cut_by_a_page_are_rejoined() {
    let doc = parse(SEED_MULTI_YEAR);
    let area = &doc.areas[0];
    let promozione = &area.ambiti[5];
    assert_eq!(
        promozione.name,
        "PROMOZIONE E GESTIONE DI PERCORSI DI INSERIMENTO LAVORATIVO PROFESSIONALIZZANTE"
    );
    assert!(promozione
        .objective
        .ends_with("integrando fondi nazionali con fondi regionali."));
    // An empty first cell after the repeated header continues the row above.
    let regioni = &area.ambiti[1];
    assert!(regioni.results[1]
        .text
        .contains("della progettazione e <p>cofinanziamento di misure"));
    // Names wrapped in <p> lose the tags.
    assert_eq!(
        doc.areas[1].ambiti[2].name,
        "MODELLIZZAZIONE DI INTERVENTI E DEFINIZIONE DI STANDARD"
    );
    let nazionale = &doc.areas[1].ambiti[1];
    assert!(nazionale
        .objective
        .contains("(FEI, FER, Fondo <p>inclusione, FSE).</p>"));
}

#[test]
fn multi_year_seed_ending_mid_table_is_a_finding() {
    let doc = parse(SEED_MULTI_YEAR);
    assert_only_finding(
        &doc.findings,
        "document_ends_mid_table",
        "SUPPORTO ALLE REGIONI NELLE ATTIVITÀ DI GOVERNANCE",
        Some(109),
    );
    let last = doc.areas[2].ambiti.last().unwrap();
    assert_eq!(last.results[2].text, "");
}
