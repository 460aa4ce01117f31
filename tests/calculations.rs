//! Indicator calculations on each backend: a payments CSV in, values with
//! provenance out, history and reuse, achievement against targets, measured
//! ratios, phase completion, a native plugin, and the CLI end to end.
//!
//! The payments below are worked by hand. Delay = payment − due − suspended
//! days; the value is Σ amount × delay / Σ amount over invoices paid in the
//! period.
//!
//! | invoice | amount | due | paid | susp. | delay | quarter |
//! |---|---|---|---|---|---|---|
//! | F1 | 1,000.00 | 31/01/2020 | 10/02/2020 | 0 | +10 | Q1 |
//! | F2 | 3,000.00 | 31/01/2020 | 21/01/2020 | 0 | −10 | Q1 |
//! | F3 | 2,000.00 | 15/05/2020 | 04/06/2020 | 0 | +20 | Q2 |
//! | F4 | 500.00 | none: 10/04 + 30 = 10/05/2020 | 20/05/2020 | 0 | +10 | Q2 |
//! | F5 | 1,234.56 | 01/07/2020 | 31/08/2020 | 20 | +41 | Q3 |
//! | F6 | 10,000.00 | 31/10/2020 | 30/11/2020 | 0 | +30 | Q4 |
//! | F7 | 10,000.00 | 30/11/2020 | 25/11/2020 | 0 | −5 | Q4 |
//! | F8 | 5,000.00 | 01/12/2020 | unpaid | | | — |
//! | F9 | 700.00 | 15/12/2020 | 10/01/2021 | | | 2021 |
//!
//! Q1 = (10,000 − 30,000) / 4,000 = −5; Q2 = (40,000 + 5,000) / 2,500 = 18;
//! Q3 = 50,616.96 / 1,234.56 = 41; Q4 = (300,000 − 50,000) / 20,000 = 12.5.
//! The year is 325,616.96 / 27,734.56 = 11.7404768635, not the mean of the
//! quarters (16.625).

mod common;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use common::*;
use cruscotto_calculators::achievement::Status;
use cruscotto_calculators::{Period, Registry, RegistryConfig, ResultStatus};
use cruscotto_engine::{AchievementBasis, ComputeError, Engine, StoredValue};
use cruscotto_store::calc::{InputsWanted, MeasuredValue, StoredPayments};
use cruscotto_store::StoreError;
use rust_decimal::Decimal;
use serde_json::json;

const HEADER: &str =
    "Numero fattura;Fornitore;Importo;Data fattura;Data scadenza;Data pagamento;Giorni sospensione";

const ROWS: &str = "\
F1;Alfa S.p.A.;1.000,00;01/12/2019;31/01/2020;10/02/2020;0
F2;Beta S.r.l.;3.000,00;01/01/2020;31/01/2020;21/01/2020;
F3;Gamma S.r.l.;2.000,00;01/04/2020;15/05/2020;04/06/2020;0
F4;Delta S.n.c.;500,00;10/04/2020;;20/05/2020;0
F5;Epsilon S.p.A.;1.234,56;01/06/2020;01/07/2020;31/08/2020;20
F6;Zeta S.p.A.;10.000,00;01/10/2020;31/10/2020;30/11/2020;0
F8;Eta S.r.l.;5.000,00;01/11/2020;01/12/2020;;0
F9;Theta S.r.l.;700,00;15/11/2020;15/12/2020;10/01/2021;0
";

const F7: &str = "F7;Iota S.p.A.;10.000,00;01/10/2020;30/11/2020;25/11/2020;0\n";
/// F7 paid ten days later: +5 instead of −5 days.
const F7_LATE: &str = "F7;Iota S.p.A.;10.000,00;01/10/2020;30/11/2020;05/12/2020;0\n";

const OBJECTIVE: &str = "A.1";

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn period(s: &str) -> Period {
    s.parse().unwrap()
}

fn payments_csv(dir: &Path, name: &str, f7: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("{HEADER}\n{ROWS}{f7}")).unwrap();
    path
}

/// Imports the seed plan and returns its code.
fn seeded(t: &TestDatabase) -> String {
    let doc = parse(&seed(SEED_OBJECTIVES));
    t.db.save_document(&doc, None).unwrap();
    doc.plan.code
}

fn import_csv(
    t: &TestDatabase,
    plan: &str,
    path: &Path,
) -> cruscotto_store::calc::PaymentImportSummary {
    let records = cruscotto_calculators::read_payments_csv(path).unwrap();
    t.db.import_payments(plan, &records, &path.display().to_string())
        .unwrap()
}

/// A database with the seed plan, the payments (written to a temporary
/// directory) and indicator A.1/1 bound to payment timeliness; returns the
/// directory, the plan code and the indicator id.
fn with_payments(t: &TestDatabase) -> (tempfile::TempDir, String, i32) {
    let dir = tempfile::tempdir().unwrap();
    let plan = seeded(t);
    let csv = payments_csv(dir.path(), "pagamenti-2020.csv", F7);
    let summary = import_csv(t, &plan, &csv);
    assert_eq!(
        (summary.records, summary.inserted, summary.updated),
        (9, 9, 0)
    );
    let id = t.db.indicator_id(&plan, OBJECTIVE, "1").unwrap();
    t.db.set_calculator_binding(id, "payment_timeliness", &json!({}), false)
        .unwrap();
    (dir, plan, id)
}

fn compute(t: &TestDatabase, registry: &Registry, id: i32, p: &str) -> StoredValue {
    Engine::new(&t.db)
        .compute_indicator(registry, id, &period(p), "test:alice")
        .unwrap()
}

/// [`compute`] with the built-in calculators.
fn compute_builtin(t: &TestDatabase, id: i32, p: &str) -> StoredValue {
    compute(t, &Registry::builtin(), id, p)
}

#[test]
fn the_seed_import_guesses_payment_timeliness_for_indicator_a1_1() {
    on_each_backend(|t| {
        let doc = parse(&seed(SEED_OBJECTIVES));
        let indicator = &doc
            .objectives
            .iter()
            .find(|o| o.code == OBJECTIVE)
            .unwrap()
            .indicators[0];
        let binding = indicator.calculator.as_ref().expect("a guessed binding");
        assert_eq!(binding.calculator, "payment_timeliness");
        assert!(binding.guessed);
        // Stored as guessed, computable without a person binding it.
        let plan = seeded(t);
        let id = t.db.indicator_id(&plan, OBJECTIVE, "1").unwrap();
        let dir = tempfile::tempdir().unwrap();
        import_csv(t, &plan, &payments_csv(dir.path(), "p.csv", F7));
        let v = compute_builtin(t, id, "2020");
        assert_eq!(v.value, Some(d("11.7404768635")));
    });
}

#[test]
fn payment_timeliness_of_a_year_reaggregates_its_quarters_and_records_provenance() {
    on_each_backend(|t| {
        let (_dir, _, id) = with_payments(t);
        let year = compute_builtin(t, id, "2020");
        assert_eq!(year.status, ResultStatus::Ok);
        assert_eq!(year.value, Some(d("11.7404768635")));
        assert_eq!(year.numerator, Some(d("325616.96")));
        assert_eq!(year.denominator, Some(d("27734.56")));
        assert_eq!((year.records_used, year.records_excluded), (7, 0));
        assert!(
            year.diagnostics
                .iter()
                .any(|d| d.code == "defaulted_due_date"),
            "{:?}",
            year.diagnostics
        );
        assert!(!year.reused);

        let quarters: Vec<Decimal> = ["2020-Q1", "2020-Q2", "2020-Q3", "2020-Q4"]
            .iter()
            .map(|q| compute_builtin(t, id, q).value.unwrap())
            .collect();
        assert_eq!(quarters, [d("-5"), d("18"), d("41"), d("12.5")]);
        let mean = quarters.iter().sum::<Decimal>() / Decimal::from(4);
        assert_eq!(mean, d("16.625"));
        assert_ne!(
            year.value,
            Some(mean),
            "a year is not the mean of its quarters"
        );

        // Provenance: who, what, which version, over which inputs.
        let p = &year.provenance;
        assert_eq!(p.calculator_id, "payment_timeliness");
        assert_eq!(p.calculator_version, env!("CARGO_PKG_VERSION"));
        assert_eq!(p.source, "builtin");
        assert_eq!(p.period, period("2020"));
        assert_eq!(p.input_fingerprint.len(), 64);
        assert_eq!(year.computed_by, "test:alice");
        assert_eq!(year.params, json!({}));

        // Read back as stored.
        let stored = Engine::new(&t.db)
            .latest_value(id, "2020")
            .unwrap()
            .unwrap();
        assert_eq!(stored, year);
        assert_eq!(
            Engine::new(&t.db).indicator_values(id, None).unwrap().len(),
            5
        );
    });
}

#[test]
fn storage_reads_only_the_inputs_a_computation_asks_for_with_the_latest_value() {
    on_each_backend(|t| {
        let (_dir, _, id) = with_payments(t);
        let bound = t.db.bound_indicator(id).unwrap();
        assert_eq!(bound.calculator_id.as_deref(), Some("payment_timeliness"));
        assert!(bound.label.ends_with("/A.1/1"), "{}", bound.label);
        let wanted = InputsWanted {
            payments: true,
            ..InputsWanted::default()
        };
        let rows = t.db.read_inputs(&bound, wanted, &period("2020")).unwrap();
        let payments: usize = rows
            .payments
            .as_ref()
            .expect("payments were asked for")
            .iter()
            .map(StoredPayments::len)
            .sum();
        assert_eq!(
            payments, 9,
            "every payment of the plan, whatever the period"
        );
        assert!(rows.phases.is_none());
        assert!(rows.measurements.is_empty());
        assert!(rows.latest.is_none(), "nothing computed yet");

        let computed = compute_builtin(t, id, "2020");
        let rows =
            t.db.read_inputs(&bound, InputsWanted::default(), &period("2020"))
                .unwrap();
        assert!(rows.payments.is_none());
        assert_eq!(rows.latest.map(|r| r.id), Some(computed.id));
    });
}

#[test]
fn recomputing_unchanged_inputs_reuses_the_value_and_a_changed_payment_adds_history() {
    on_each_backend(|t| {
        let (dir, plan, id) = with_payments(t);
        let first = compute_builtin(t, id, "2020");

        let again = compute_builtin(t, id, "2020");
        assert!(again.reused);
        assert_eq!(again.id, first.id);
        assert_eq!(
            Engine::new(&t.db)
                .indicator_values(id, Some("2020"))
                .unwrap()
                .len(),
            1
        );

        // The same file again updates every invoice in place and changes nothing.
        let summary = import_csv(
            t,
            &plan,
            &payments_csv(dir.path(), "pagamenti-2020.csv", F7),
        );
        assert_eq!(
            (summary.inserted, summary.updated, summary.plan_payments),
            (0, 9, 9)
        );
        assert!(compute_builtin(t, id, "2020").reused);

        // F7 paid late: a new value, and the old one stays as history.
        let summary = import_csv(
            t,
            &plan,
            &payments_csv(dir.path(), "pagamenti-2020-rev.csv", F7_LATE),
        );
        assert_eq!((summary.inserted, summary.updated), (0, 9));
        let changed = compute_builtin(t, id, "2020");
        assert!(!changed.reused);
        assert_eq!(changed.value, Some(d("15.3460866154")));
        assert_ne!(
            changed.provenance.input_fingerprint,
            first.provenance.input_fingerprint
        );
        let history = Engine::new(&t.db)
            .indicator_values(id, Some("2020"))
            .unwrap();
        assert_eq!(
            history.iter().map(|v| v.id).collect::<Vec<_>>(),
            [changed.id, first.id],
            "newest first"
        );
        assert_eq!(
            Engine::new(&t.db)
                .latest_value(id, "2020")
                .unwrap()
                .unwrap()
                .id,
            changed.id
        );
    });
}

#[test]
fn payment_timeliness_is_judged_against_the_target_of_at_most_ten_days() {
    on_each_backend(|t| {
        let (_dir, _, id) = with_payments(t);
        let none = Engine::new(&t.db).indicator_achievement(id, 2020).unwrap();
        assert_eq!(none.achievement.status, Status::NoData);
        assert_eq!(none.target_raw.as_deref(), Some("<=10"));

        compute_builtin(t, id, "2020");
        let view = Engine::new(&t.db).indicator_achievement(id, 2020).unwrap();
        // 11.74 days against at most 10: 10 / 11.74 = 85.18 %.
        assert_eq!(view.achievement.degree, Some(d("85.18")));
        assert_eq!(view.achievement.status, Status::Partly);
        assert_eq!(view.target.map(|t| t.value), Some(d("10")));

        // A quarter is judged against its year's target: −5 days is within it.
        let q1 = compute_builtin(t, id, "2020-Q1");
        let view = Engine::new(&t.db).value_achievement(&q1).unwrap();
        assert_eq!(view.achievement.degree, Some(d("100")));
        assert_eq!(view.achievement.status, Status::Achieved);
    });
}

#[test]
fn a_bad_csv_row_is_reported_with_line_and_column_and_stores_nothing() {
    on_each_backend(|t| {
        let (dir, plan, _) = with_payments(t);
        let before = t.db.payment_count(&plan).unwrap();

        let bad = dir.path().join("pagamenti-errati.csv");
        std::fs::write(
            &bad,
            format!("{HEADER}\nF10;Kappa;100,00;01/01/2020;31/01/2020;01/02/2020;0\nF11;Lambda;200,00;01/01/2020;31/01/2020;31/02/2020;0\n"),
        )
        .unwrap();
        let err = cruscotto_calculators::read_payments_csv(&bad)
            .unwrap_err()
            .to_string();
        assert!(err.contains("pagamenti-errati.csv:3"), "{err}");
        assert!(err.contains("Data pagamento"), "{err}");

        // The storage layer refuses a bad batch as a whole, too.
        let mut records =
            cruscotto_calculators::read_payments_csv(payments_csv(dir.path(), "x.csv", F7))
                .unwrap();
        records[0].amount_cents = 99;
        let duplicate = records[1].clone();
        records.push(duplicate);
        let err = t.db.import_payments(&plan, &records, "x.csv").unwrap_err();
        assert!(matches!(err, StoreError::Invalid { .. }), "{err}");
        assert!(err.to_string().contains("record 10"), "{err}");
        assert_eq!(t.db.payment_count(&plan).unwrap(), before);
        assert!(matches!(
            t.db.import_payments("no-such-plan", &records[..1], "x.csv"),
            Err(StoreError::NotFound { .. })
        ));
    });
}

#[test]
fn a_ratio_with_a_zero_denominator_is_no_data_and_a_year_sums_its_quarters() {
    on_each_backend(|t| {
        let plan = seeded(t);
        let id = t.db.indicator_id(&plan, OBJECTIVE, "2").unwrap();
        t.db.set_calculator_binding(id, "ratio_percent", &json!({}), false)
            .unwrap();
        let measure = |p: &str, value: &str, num: &str, den: &str| {
            let m = MeasuredValue {
                period: period(p),
                value: d(value),
                numerator: Some(d(num)),
                denominator: Some(d(den)),
                source: "relazione".into(),
                recorded_by: "test:bob".into(),
            };
            t.db.record_measurement(id, &m).unwrap();
        };
        measure("2020-Q1", "0", "0", "0");
        let q1 = compute_builtin(t, id, "2020-Q1");
        assert_eq!(q1.status, ResultStatus::NoData);
        assert_eq!(q1.value, None);
        assert_eq!((q1.numerator, q1.denominator), (Some(d("0")), Some(d("0"))));

        measure("2020-Q2", "90", "9", "10");
        measure("2020-Q3", "50", "1", "2");
        let year = compute_builtin(t, id, "2020");
        // (0 + 9 + 1) / (0 + 10 + 2) × 100, not the mean of 90 and 50.
        assert_eq!(year.value, Some(d("83.3333333333")));
        assert_eq!(year.records_used, 6);

        // A measurement of the year itself takes precedence over its quarters.
        measure("2020", "75", "3", "4");
        assert_eq!(compute_builtin(t, id, "2020").value, Some(d("75")));
    });
}

#[test]
fn phase_completion_weighs_recorded_progress_and_scores_the_objective() {
    on_each_backend(|t| {
        let plan = seeded(t);
        let progress = |objective: &str, phase: &str, p: &str, percent: &str| {
            let phase_id = t.db.phase_id(&plan, objective, phase).unwrap();
            t.db.record_phase_progress(phase_id, &period(p), d(percent), "test:carol")
                .unwrap();
        };
        // A.1 weights: A.1.1 20 %, A.1.2 12 %, A.1.7 15 %.
        progress("A.1", "A.1.1", "2020-Q2", "100");
        progress("A.1", "A.1.2", "2020-Q3", "50");
        progress("A.1", "A.1.7", "2020-Q4", "100");
        let id = t.db.indicator_id(&plan, OBJECTIVE, "3").unwrap();
        t.db.set_calculator_binding(id, "phase_completion", &json!({}), false)
            .unwrap();
        // 20 × 100 + 12 × 50 + 15 × 100 over 100.
        assert_eq!(compute_builtin(t, id, "2020").value, Some(d("41")));
        // By the end of Q2 only A.1.1 was done.
        assert_eq!(compute_builtin(t, id, "2020-Q2").value, Some(d("20")));

        // C.1 has no indicator values: its phases decide, and 10/70 scales the score.
        progress("C.1", "C.1.1", "2020", "100");
        progress("C.1", "C.1.2", "2020-Q4", "100");
        progress("C.1", "C.1.4", "2020-Q4", "40");
        let c1 = t.db.objective_id(&plan, "C.1").unwrap();
        let view = Engine::new(&t.db).objective_achievement(c1, 2020).unwrap();
        assert_eq!(view.basis, AchievementBasis::Phases);
        // (30 × 100 + 25 × 100 + 25 × 40) / 100 = 65 % of 10 points.
        assert_eq!(view.achievement.degree, Some(d("65")));
        assert_eq!(view.score, Some(d("6.5")));
        assert_eq!(view.max_score.map(|m| m.points), Some(d("10")));

        // A.1 has a value for indicator 3 (41 % against 100 %): indicators decide.
        let a1 = t.db.objective_id(&plan, "A.1").unwrap();
        let view = Engine::new(&t.db).objective_achievement(a1, 2020).unwrap();
        assert_eq!(view.basis, AchievementBasis::Indicators);
        assert_eq!(view.achievement.degree, Some(d("41")));
        assert_eq!(view.score, Some(d("20.5")));
    });
}

#[test]
fn an_indicator_without_a_calculator_cannot_be_computed() {
    on_each_backend(|t| {
        let plan = seeded(t);
        // L.1's first indicator has no guessed calculator in the seed.
        let doc = parse(&seed(SEED_OBJECTIVES));
        let (objective, indicator) = doc
            .objectives
            .iter()
            .flat_map(|o| o.indicators.iter().map(move |i| (o, i)))
            .find(|(_, i)| i.calculator.is_none())
            .expect("an indicator without a guessed calculator");
        let id =
            t.db.indicator_id(&plan, &objective.code, &indicator.code)
                .unwrap();
        let err = Engine::new(&t.db)
            .compute_indicator(&Registry::builtin(), id, &period("2020"), "test")
            .unwrap_err();
        assert!(matches!(err, ComputeError::NoBinding { .. }), "{err}");

        t.db.set_calculator_binding(id, "not_installed", &json!({}), false)
            .unwrap();
        let err = Engine::new(&t.db)
            .compute_indicator(&Registry::builtin(), id, &period("2020"), "test")
            .unwrap_err();
        assert!(
            matches!(err, ComputeError::UnknownCalculator { .. }),
            "{err}"
        );
    });
}

#[test]
fn the_example_plugin_computes_an_indicator_through_the_database() {
    let library = build_plugin("cruscotto-plugin-median-delay");
    let plugins = tempfile::tempdir().unwrap();
    std::fs::copy(&library, plugins.path().join(library.file_name().unwrap())).unwrap();
    let registry = Registry::new(RegistryConfig {
        plugin_dir: Some(plugins.path().to_path_buf()),
        // This harness is no worker: the plugin runs in `cruscotto plugin-worker`.
        worker_program: Some(env!("CARGO_BIN_EXE_cruscotto").into()),
        ..RegistryConfig::default()
    });
    assert_eq!(registry.load_errors(), vec![]);
    on_each_backend(|t| {
        let (_dir, _, id) = with_payments(t);
        t.db.set_calculator_binding(
            id,
            "median_payment_delay",
            &json!({"default_term_days": 30}),
            false,
        )
        .unwrap();
        // Delays paid in 2020: −10, −5, 10, 10, 20, 30, 41 → median 10.
        let v = compute(t, &registry, id, "2020");
        assert_eq!(v.value, Some(d("10")));
        assert_eq!(v.records_used, 7);
        assert_eq!(v.provenance.calculator_id, "median_payment_delay");
        assert_eq!(v.provenance.calculator_version, "1.0.0");
        assert!(v
            .provenance
            .source
            .ends_with(library.file_name().unwrap().to_str().unwrap()));
        assert!(compute(t, &registry, id, "2020").reused);
    });
}

#[test]
fn the_cli_imports_payments_computes_and_prints_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("cli.db").display().to_string();
    let plan = "seed2020";
    let seed_path = seed(SEED_OBJECTIVES);
    let out = cruscotto(
        &url,
        &["import", seed_path.to_str().unwrap(), "--plan", plan],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let csv = payments_csv(dir.path(), "pagamenti-2020.csv", F7);
    let out = cruscotto(
        &url,
        &["import-payments", csv.to_str().unwrap(), "--plan", plan],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("9 payments for plan seed2020: 9 new, 0 updated"),
        "{}",
        stdout(&out)
    );

    let args = ["--plan", plan, "--objective", "A.1", "--indicator", "1"];
    let out = cruscotto(
        &url,
        &[
            &["bind"][..],
            &args,
            &["--calculator", "payment_timeliness"],
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let out = cruscotto(
        &url,
        &[&["compute"][..], &args, &["--period", "2020,2020-Q1"]].concat(),
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text.contains("2020: 11.74 days"), "{text}");
    assert!(
        text.contains("numerator 325616.96, denominator 27734.56"),
        "{text}"
    );
    assert!(text.contains("records used 7, excluded 0"), "{text}");
    assert!(
        text.contains("achievement 85.18% (Partly) against the 2020 target <=10"),
        "{text}"
    );
    assert!(text.contains("2020-Q1: -5 days"), "{text}");
    assert!(text.contains("calculator payment_timeliness"), "{text}");

    let out = cruscotto(
        &url,
        &[&["compute"][..], &args, &["--period", "2020"]].concat(),
    );
    assert!(
        stdout(&out).contains("inputs unchanged, stored value reused"),
        "{}",
        stdout(&out)
    );

    // A bad row: the error names file, line and column; nothing is stored.
    let bad = dir.path().join("pagamenti-errati.csv");
    std::fs::write(
        &bad,
        format!("{HEADER}\nF10;Kappa;dodici euro;01/01/2020;;;0\n"),
    )
    .unwrap();
    let out = cruscotto(
        &url,
        &["import-payments", bad.to_str().unwrap(), "--plan", plan],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("pagamenti-errati.csv:2") && err.contains("Importo"),
        "{err}"
    );

    let out = cruscotto(&url, &["calculators"]);
    assert!(
        stdout(&out).contains("payment_timeliness"),
        "{}",
        stdout(&out)
    );
}
