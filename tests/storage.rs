//! The plan graph stored on each backend: seed documents imported with every
//! detail, re-imports that update in place, and export/import round trips.

mod common;

use common::*;
use cruscotto_import::model::{PlanDocument, ResultKind};
use cruscotto_import::{json, ParseOptions};
use rust_decimal::Decimal;

fn objective<'a>(doc: &'a PlanDocument, code: &str) -> &'a cruscotto_import::model::Objective {
    doc.objectives
        .iter()
        .find(|o| o.code == code)
        .unwrap_or_else(|| panic!("objective {code} exported"))
}

#[test]
fn objective_sheets_are_stored_with_every_detail() {
    on_each_backend(|t| {
        let doc = parse(&seed(SEED_OBJECTIVES));
        let summary = t.db.save_document(&doc, Some("seed")).unwrap();
        assert!(summary.created);
        assert_eq!(summary.counts.objectives, 5);
        assert_eq!(summary.counts.indicators, 19);
        assert_eq!(summary.counts.phases, 31);

        let stored = t.db.load_document(&doc.plan.code).unwrap();
        let codes: Vec<_> = stored.objectives.iter().map(|o| o.code.as_str()).collect();
        assert_eq!(codes, ["A.1", "C.1", "C.3", "C.5", "L.1"]);
        for o in &stored.objectives {
            let total: Decimal = o.phases.iter().filter_map(|p| p.weight).sum();
            assert_eq!(total, Decimal::from(100), "phase weights of {}", o.code);
        }
        let a1 = objective(&stored, "A.1");
        assert_eq!(a1.budget.len(), 2, "A.1 has two budget actions");
        assert_eq!(a1.budget[0].program_code, a1.budget[1].program_code);
        assert_ne!(a1.budget[0].action, a1.budget[1].action);
        assert_eq!(a1.max_score.map(|s| (s.points, s.out_of)), Some((50, 70)));
        let itp = &a1.indicators[0];
        assert_eq!(itp.targets[0].value.raw, "<=10");
        assert_eq!(
            itp.calculator.as_ref().map(|c| c.calculator.as_str()),
            Some("payment_timeliness")
        );
        let l1 = objective(&stored, "L.1");
        assert_eq!(
            l1.strategic_objectives.len(),
            2,
            "L.1 links two strategic objectives"
        );
        let c56 = objective(&stored, "C.5")
            .phases
            .iter()
            .find(|p| p.code == "C.5.6")
            .expect("phase C.5.6");
        assert!(!c56.amended_fields.is_empty(), "C.5.6 is marked amended");
        // What was parsed is exactly what is read back.
        assert_same_document(&stored, &doc);
    });
}

#[test]
fn multi_year_plan_is_stored_with_areas_ambiti_and_results() {
    on_each_backend(|t| {
        let doc = parse(&seed(SEED_MULTI_YEAR));
        let summary = t.db.save_document(&doc, None).unwrap();
        assert_eq!(summary.counts.areas, 3);
        assert_eq!(summary.counts.ambiti, 14);
        let stored = t.db.load_document(&doc.plan.code).unwrap();
        assert_eq!(
            stored.areas[0].name, None,
            "the first area's heading is not in the extract"
        );
        let names: Vec<_> = stored
            .areas
            .iter()
            .flat_map(|a| &a.ambiti)
            .map(|a| a.name.as_str())
            .collect();
        assert!(names.contains(
            &"PROMOZIONE E GESTIONE DI PERCORSI DI INSERIMENTO LAVORATIVO PROFESSIONALIZZANTE"
        ));
        for ambito in stored.areas.iter().flat_map(|a| &a.ambiti) {
            assert!(
                !ambito.objective.is_empty(),
                "{} has its objective",
                ambito.name
            );
            assert!(
                ambito
                    .results
                    .iter()
                    .any(|r| r.kind == ResultKind::Expected && r.year == 2011),
                "{} has its 2011 expected results",
                ambito.name
            );
        }
        assert_same_document(&stored, &doc);
    });
}

#[test]
fn reimporting_a_document_updates_the_plan_in_place() {
    on_each_backend(|t| {
        let doc = parse(&seed(SEED_OBJECTIVES));
        t.db.save_document(&doc, None).unwrap();
        let before = t.db.table_counts().unwrap();
        let again = t.db.save_document(&doc, None).unwrap();
        assert!(!again.created);
        assert_eq!(
            t.db.table_counts().unwrap(),
            before,
            "no duplicates after a re-import"
        );

        // A changed document replaces what changed and drops what is gone.
        let mut changed = doc.clone();
        changed.objectives.retain(|o| o.code != "C.1");
        changed.objectives[0].title = "Titolo aggiornato".into();
        t.db.save_document(&changed, None).unwrap();
        let stored = t.db.load_document(&doc.plan.code).unwrap();
        assert_eq!(stored.objectives.len(), 4);
        assert_eq!(stored.objectives[0].title, "Titolo aggiornato");
        assert_same_document(&stored, &changed);
    });
}

#[test]
fn export_then_import_round_trips_both_seeds_exactly() {
    on_each_backend(|t| {
        for name in [SEED_OBJECTIVES, SEED_MULTI_YEAR] {
            let doc = parse(&seed(name));
            t.db.save_document(&doc, None).unwrap();
            let first = json::to_json(&t.db.load_document(&doc.plan.code).unwrap());
            let reread =
                cruscotto_import::parse_document("export.json", &first, &ParseOptions::default())
                    .unwrap();
            t.db.delete_plan(&doc.plan.code).unwrap();
            t.db.save_document(&reread, None).unwrap();
            let second = json::to_json(&t.db.load_document(&doc.plan.code).unwrap());
            assert_eq!(
                first, second,
                "{name}: export → import → export is identical"
            );
        }
    });
}

#[test]
fn generated_data_with_measurements_is_stored_and_exported() {
    on_each_backend(|t| {
        let doc = cruscotto_import::generate::generate(2);
        let summary = t.db.save_document(&doc, None).unwrap();
        assert_eq!(summary.counts.objectives, 8);
        assert_eq!(summary.counts.indicators, 16);
        assert_eq!(summary.counts.targets, 48);
        assert_eq!(summary.counts.measurements, 16 * 12);
        assert_same_document(&t.db.load_document(&doc.plan.code).unwrap(), &doc);
    });
}

#[test]
fn a_document_that_fails_while_storing_leaves_the_database_unchanged() {
    on_each_backend(|t| {
        t.db.save_document(&parse(&seed(SEED_MULTI_YEAR)), None)
            .unwrap();
        let before = t.db.table_counts().unwrap();

        // Everything is valid up to the last measurement, which names an
        // indicator the plan does not have: the whole import is rolled back.
        let mut doc = cruscotto_import::generate::generate(2);
        let mut bad = doc.measurements[0].clone();
        bad.indicator = "no-such-indicator".into();
        doc.measurements.push(bad);
        let err = t.db.save_document(&doc, None).unwrap_err().to_string();
        assert!(err.contains("no-such-indicator"), "{err}");
        assert_eq!(t.db.table_counts().unwrap(), before);

        // A weight the schema cannot hold is refused the same way.
        let mut doc = parse(&seed(SEED_OBJECTIVES));
        doc.objectives[1].phases[0].weight = Some(Decimal::from(150));
        let err = t.db.save_document(&doc, None).unwrap_err().to_string();
        assert!(
            err.contains("C.1.1") && err.contains("between 0 and 100"),
            "{err}"
        );
        assert_eq!(t.db.table_counts().unwrap(), before);
    });
}

#[test]
fn imported_measurements_follow_the_period_rules_of_every_writer() {
    on_each_backend(|t| {
        let doc = cruscotto_import::generate::generate(2);
        let before = t.db.table_counts().unwrap();
        // A year outside 1900-2199 is refused, naming the measurement,
        // and nothing is stored.
        let mut bad = doc.clone();
        bad.measurements[0].period = "3000".into();
        let err = t.db.save_document(&bad, None).unwrap_err().to_string();
        assert!(err.contains("3000") && err.contains("period"), "{err}");
        assert_eq!(t.db.table_counts().unwrap(), before);

        // `2024-q1` and `2024-Q1` are one period: stored once, in the
        // canonical form, with the value that comes last.
        let mut twice = doc.clone();
        let mut first = twice.measurements[0].clone();
        first.period = "2024-q1".into();
        first.value = Decimal::from(1);
        let mut second = first.clone();
        second.period = "2024-Q1".into();
        second.value = Decimal::from(2);
        twice.measurements.extend([first, second]);
        let summary = t.db.save_document(&twice, None).unwrap();
        assert_eq!(
            summary.counts.measurements,
            doc.measurements.len() as i64 + 1
        );
        let stored = t.db.load_document(&doc.plan.code).unwrap();
        let q1: Vec<_> = stored
            .measurements
            .iter()
            .filter(|m| m.period.eq_ignore_ascii_case("2024-q1"))
            .filter(|m| m.indicator == twice.measurements[0].indicator)
            .filter(|m| m.objective == twice.measurements[0].objective)
            .map(|m| (m.period.as_str(), m.value))
            .collect();
        assert_eq!(q1, [("2024-Q1", Decimal::from(2))]);
    });
}

#[test]
fn the_database_enforces_its_constraints_not_only_the_code() {
    on_each_backend(|t| {
        let mut doc = parse(&seed(SEED_OBJECTIVES));
        // Dates out of order are refused by the CHECK constraint.
        let o = &mut doc.objectives[0];
        std::mem::swap(&mut o.start_date, &mut o.end_date);
        assert!(t.db.save_document(&doc, None).is_err());
        assert_eq!(t.db.plan_codes().unwrap(), Vec::<String>::new());
    });
}

#[test]
fn reimporting_keeps_phase_ids_so_recorded_progress_survives() {
    on_each_backend(|t| {
        let doc = parse(&seed(SEED_OBJECTIVES));
        t.db.save_document(&doc, None).unwrap();
        let phase = t.db.phase_id(&doc.plan.code, "C.1", "C.1.2").unwrap();
        let period: cruscotto_calculators::Period = "2020-Q2".parse().unwrap();
        t.db.record_phase_progress(phase, &period, Decimal::from(40), "tester")
            .unwrap();

        let mut changed = doc.clone();
        changed.objectives[1].phases[1].description = "Campagne riviste".into();
        t.db.save_document(&changed, None).unwrap();
        assert_eq!(
            t.db.phase_id(&doc.plan.code, "C.1", "C.1.2").unwrap(),
            phase
        );
        let progress = t.db.table_counts().unwrap();
        assert_eq!(
            progress
                .iter()
                .find(|(n, _)| *n == "phase_progress")
                .unwrap()
                .1,
            1
        );
        let stored = t.db.load_document(&doc.plan.code).unwrap();
        assert_eq!(
            stored.objectives[1].phases[1].description,
            "Campagne riviste"
        );
    });
}
