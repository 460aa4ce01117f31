//! Indicator calculators through the GraphQL schema: the acceptance
//! scenario of payment timeliness on the seed plan (bind, import payments,
//! compute a year and its quarters, provenance, reuse, history, achievement
//! and score), the input errors with their codes and fields, roles, the
//! change event, and batching. Every test runs on every configured backend.

mod graph_support;

use cruscotto_api::auth::Principal;
use cruscotto_api::graph::{build_schema, ids};
use cruscotto_api::state::AppState;
use cruscotto_api::Settings;
use cruscotto_calculators::{Period, Registry};
use cruscotto_engine::Engine;
use cruscotto_store::Backend;
use cruscotto_testdb::TestDatabase;
use graph_support::{
    admin, assert_statements_do_not_grow, bad_input, counting_pool, editor, error_of,
    generated_database, message_of, strings, viewer, Env,
};
use serde_json::{json, Value};

const PLAN: &str = "mlps-2020";

fn seed() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/seeds/000_c0a763c098296cde.txt"
    );
    std::fs::read_to_string(path).expect("the seed is readable")
}

/// Invoices of 2020 in an Italian export (`;`, `1.234,56`, `dd/mm/yyyy`).
/// Delays (payment − due − suspended days), by quarter:
///
/// - Q1: F1 1,000.00 € × +10 days; F2 3,000.00 € without a due date, so
///   1/2 + 30 days = 2/3 (2020 is a leap year), paid 27/2: × −4 days.
///   Numerator 10,000 − 12,000 = −2,000; denominator 4,000; value −0.5.
/// - Q2: F3 2,000.00 € × (20 − 5 suspended) = 15 days: 30,000 / 2,000 = 15.
/// - Q3: F4 500.00 € × 0 days, F5 1,500.00 € × 30 days: 45,000 / 2,000 = 22.5.
/// - Q4: F6 4,000.00 € × 10 days: 40,000 / 4,000 = 10.
/// - Year: 113,000 / 12,000 = 9.41666…, not the mean of the quarters
///   (11.75), which would miss the `<=10` target.
///
/// F7 is paid in 2021 and F8 is unpaid: neither enters 2020.
const PAYMENTS: &str = "\
Numero fattura;Fornitore;Importo;Data fattura;Data scadenza;Data pagamento;Giorni sospensione
F1;Alfa S.r.l.;1.000,00;01/01/2020;31/01/2020;10/02/2020;0
F2;Beta S.p.A.;3.000,00;01/02/2020;;27/02/2020;0
F3;Gamma Soc. Coop.;2.000,00;01/04/2020;30/04/2020;20/05/2020;5
F4;Delta S.r.l.;500,00;01/07/2020;31/07/2020;31/07/2020;0
F5;Epsilon S.r.l.;1.500,00;16/07/2020;15/08/2020;14/09/2020;0
F6;Zeta S.p.A.;4.000,00;31/10/2020;30/11/2020;10/12/2020;0
F7;Eta S.r.l.;700,00;01/12/2020;31/12/2020;15/01/2021;0
F8;Theta S.r.l.;900,00;01/12/2020;31/12/2020;;0
";

/// F6 paid 20 days later than first recorded: the year becomes
/// (113,000 + 80,000) / 12,000 = 16.083333…
const F6_LATE: &str = "\
Numero fattura;Fornitore;Importo;Data fattura;Data scadenza;Data pagamento;Giorni sospensione
F6;Zeta S.p.A.;4.000,00;31/10/2020;30/11/2020;30/12/2020;0
";

const INDICATOR: &str = r#"query($plan: String!) {
  indicator(plan: $plan, objective: "A.1", code: "1") {
    id version calculator { calculator params guessed loaded { key version } }
  }
}"#;

const BIND: &str = r#"mutation($id: ID!, $calc: String!, $params: JSON, $v: Int!) {
  bindCalculator(indicator: $id, calculator: $calc, params: $params, expectedVersion: $v) {
    version calculator { calculator params guessed }
  }
}"#;

const IMPORT: &str = r#"mutation($plan: String!, $csv: String!, $file: String) {
  importPayments(plan: $plan, csv: $csv, fileName: $file) {
    planCode sourceFile records inserted updated planPayments plan { code }
  }
}"#;

const COMPUTE: &str = r#"mutation($id: ID!, $period: String!) {
  computeIndicator(indicator: $id, period: $period) {
    period status value numerator denominator recordsUsed recordsExcluded
    diagnostics { code message }
    calculator { id key version source }
    inputFingerprint params computedAt computedBy reused
    indicator { code }
  }
}"#;

/// A schema over a fresh database holding the seed plan.
async fn seeded(backend: Backend) -> Env {
    let env = Env::new(backend);
    let r = env
        .run_as(
            admin(),
            r#"mutation($content: String!, $plan: String!) { importDocument(content: $content, plan: $plan) { plan { code } } }"#,
            json!({ "content": seed(), "plan": PLAN }),
        )
        .await;
    assert!(r.get("errors").is_none(), "the seed imports: {r:#}");
    env
}

/// The id and version of indicator A.1/1.
async fn timeliness_indicator(env: &Env) -> (Value, i64) {
    let data = env.query(INDICATOR, json!({ "plan": PLAN })).await;
    let i = &data["indicator"];
    (i["id"].clone(), i["version"].as_i64().expect("a version"))
}

/// Binds A.1/1 to `payment_timeliness` and imports [`PAYMENTS`].
async fn bound_with_payments(env: &Env) -> Value {
    let (id, version) = timeliness_indicator(env).await;
    env.edit(
        BIND,
        json!({ "id": id, "calc": "payment_timeliness", "params": {}, "v": version }),
    )
    .await;
    env.edit(
        IMPORT,
        json!({ "plan": PLAN, "csv": PAYMENTS, "file": "pagamenti-2020.csv" }),
    )
    .await;
    id
}

async fn compute(env: &Env, id: &Value, period: &str) -> Value {
    env.edit(COMPUTE, json!({ "id": id, "period": period }))
        .await["computeIndicator"]
        .clone()
}

#[tokio::test]
async fn payment_timeliness_of_the_seed_indicator_is_computed_with_provenance_and_judged() {
    for backend in TestDatabase::backends() {
        let env = seeded(backend).await;
        let (id, version) = timeliness_indicator(&env).await;

        // Binding: a person's choice replaces whatever the importer guessed.
        let bound = env
            .edit(
                BIND,
                json!({ "id": id, "calc": "payment_timeliness", "params": {"default_term_days": 30}, "v": version }),
            )
            .await["bindCalculator"]
            .clone();
        assert_eq!(bound["version"], version + 1);
        assert_eq!(bound["calculator"]["calculator"], "payment_timeliness");
        assert_eq!(bound["calculator"]["guessed"], false);
        let params: Value =
            serde_json::from_str(bound["calculator"]["params"].as_str().unwrap()).unwrap();
        assert_eq!(params, json!({"default_term_days": 30}));
        let read = env.query(INDICATOR, json!({ "plan": PLAN })).await;
        assert_eq!(
            read["indicator"]["calculator"]["loaded"]["key"],
            "payment_timeliness"
        );

        let imported = env
            .edit(
                IMPORT,
                json!({ "plan": PLAN, "csv": PAYMENTS, "file": "pagamenti-2020.csv" }),
            )
            .await["importPayments"]
            .clone();
        assert_eq!(
            imported,
            json!({ "planCode": PLAN, "sourceFile": "pagamenti-2020.csv", "records": 8,
                    "inserted": 8, "updated": 0, "planPayments": 8, "plan": { "code": PLAN } })
        );

        // The year, from its own records.
        let year = compute(&env, &id, "2020").await;
        assert_eq!(year["period"], "2020");
        assert_eq!(year["status"], "OK");
        assert_eq!(year["value"], "9.4166666667");
        assert_eq!(year["numerator"], "113000.00");
        assert_eq!(year["denominator"], "12000.00");
        assert_eq!(year["recordsUsed"], 6);
        assert_eq!(year["recordsExcluded"], 0);
        assert_eq!(year["calculator"]["key"], "payment_timeliness");
        assert_eq!(year["calculator"]["source"], "builtin");
        let calc_version = env
            .query(
                r#"{ calculator(key: "payment_timeliness") { version } }"#,
                json!({}),
            )
            .await["calculator"]["version"]
            .clone();
        assert_eq!(year["calculator"]["version"], calc_version);
        let fingerprint = year["inputFingerprint"].as_str().unwrap().to_string();
        assert_eq!(fingerprint.len(), 64, "a SHA-256 in hex: {fingerprint}");
        assert_eq!(year["params"], json!({"default_term_days": 30}));
        assert_eq!(year["computedBy"], "editor-token");
        assert_eq!(year["reused"], false);
        assert_eq!(year["indicator"]["code"], "1");
        let diagnostics = year["diagnostics"].as_array().unwrap();
        assert!(
            diagnostics.iter().any(|d| d["code"] == "defaulted_due_date"
                && d["message"].as_str().unwrap().contains('1')),
            "F2 has no due date: {diagnostics:?}"
        );

        // The quarters, hand-checked; the year is not their mean.
        let mut quarter_values = Vec::new();
        for (q, value, numerator, denominator, used) in [
            ("2020-Q1", "-0.5", "-2000.00", "4000.00", 2),
            ("2020-Q2", "15", "30000.00", "2000.00", 1),
            ("2020-Q3", "22.5", "45000.00", "2000.00", 2),
            ("2020-Q4", "10", "40000.00", "4000.00", 1),
        ] {
            let v = compute(&env, &id, q).await;
            assert_eq!(v["period"], q);
            assert_eq!(v["value"], value, "{q}");
            assert_eq!(v["numerator"], numerator, "{q}");
            assert_eq!(v["denominator"], denominator, "{q}");
            assert_eq!(v["recordsUsed"], used, "{q}");
            quarter_values.push(value.parse::<f64>().unwrap());
        }
        let mean = quarter_values.iter().sum::<f64>() / 4.0;
        assert_eq!(mean, 11.75);
        assert_ne!(year["value"], "11.75");

        // Unchanged inputs: the stored value comes back, nothing is written.
        let again = compute(&env, &id, "2020").await;
        assert_eq!(again["reused"], true);
        assert_eq!(again["inputFingerprint"], fingerprint.as_str());
        assert_eq!(again["computedAt"], year["computedAt"]);

        // Value, history and achievement, read back.
        let read = env
            .query(
                r#"query($plan: String!) { indicator(plan: $plan, objective: "A.1", code: "1") {
                    value(period: "2020") { value reused computedBy calculator { key } }
                    q1: value(period: "2020-q1") { value }
                    none: value(period: "2019") { value }
                    values { period }
                    year: values(period: "2020") { value }
                    achievement(year: 2020) {
                      year degree status basis direction
                      value { value period }
                      target { raw comparator number }
                      indicator { code }
                    }
                } }"#,
                json!({ "plan": PLAN }),
            )
            .await["indicator"]
            .clone();
        assert_eq!(read["value"]["value"], "9.4166666667");
        assert_eq!(read["value"]["reused"], false);
        assert_eq!(read["value"]["computedBy"], "editor-token");
        assert_eq!(read["q1"]["value"], "-0.5", "periods are read in any case");
        assert!(read["none"].is_null());
        let periods = strings(&read["values"], "period");
        assert_eq!(
            periods,
            ["2020-Q4", "2020-Q3", "2020-Q2", "2020-Q1", "2020"],
            "newest first, and the reused computation stored nothing"
        );
        assert_eq!(read["year"].as_array().unwrap().len(), 1);
        assert_eq!(
            read["achievement"],
            json!({
                "year": 2020, "degree": "100", "status": "ACHIEVED", "basis": "VALUE_AGAINST_TARGET",
                "direction": "LOWER_IS_BETTER",
                "value": { "value": "9.4166666667", "period": "2020" },
                "target": { "raw": "<=10", "comparator": "AT_MOST", "number": "10" },
                "indicator": { "code": "1" }
            })
        );

        let objective = r#"query($plan: String!) { objective(plan: $plan, code: "A.1") {
            achievement(year: 2020) {
              year degree status score maxScore { points outOf } basis
              indicators { degree status basis indicator { code } }
              phases { code weight completionPercent }
              objective { code }
            } } }"#;
        let a =
            env.query(objective, json!({ "plan": PLAN })).await["objective"]["achievement"].clone();
        assert_eq!(a["year"], 2020);
        assert_eq!(a["basis"], "INDICATORS");
        assert_eq!(a["degree"], "100");
        assert_eq!(a["status"], "ACHIEVED");
        assert_eq!(a["score"], "50");
        assert_eq!(a["maxScore"], json!({ "points": 50, "outOf": 70 }));
        assert_eq!(a["objective"]["code"], "A.1");
        let parts = a["indicators"].as_array().unwrap();
        assert_eq!(parts.len(), 8, "every indicator of A.1 is judged");
        assert_eq!(parts[0]["indicator"]["code"], "1");
        assert_eq!(parts[0]["status"], "ACHIEVED");
        assert!(parts[1..]
            .iter()
            .all(|p| p["status"] == "NO_DATA" && p["basis"] == "NO_VALUE"));
        assert_eq!(a["phases"].as_array().unwrap().len(), 9);

        // New inputs: a new value joins the history, the old one stays.
        let updated = env
            .edit(IMPORT, json!({ "plan": PLAN, "csv": F6_LATE }))
            .await["importPayments"]
            .clone();
        assert_eq!(updated["updated"], 1);
        assert_eq!(updated["sourceFile"], "payments.csv");
        let later = compute(&env, &id, "2020").await;
        assert_eq!(later["reused"], false);
        assert_eq!(later["value"], "16.0833333333");
        assert_ne!(later["inputFingerprint"], fingerprint.as_str());
        let history = indicator_a1(
            &env,
            r#"values(period: "2020") { value } achievement(year: 2020) { degree status }"#,
        )
        .await;
        assert_eq!(
            history["values"],
            json!([{ "value": "16.0833333333" }, { "value": "9.4166666667" }])
        );
        // 10 / 16.0833333333 × 100 = 62.176… → 62.18 %; 62.18 % of 50 points.
        assert_eq!(
            history["achievement"],
            json!({ "degree": "62.18", "status": "PARTLY" })
        );
        let a =
            env.query(objective, json!({ "plan": PLAN })).await["objective"]["achievement"].clone();
        assert_eq!(a["score"], "31.09");
        assert_eq!(a["status"], "PARTLY");
    }
}

#[tokio::test]
async fn computing_needs_an_editor() {
    for backend in TestDatabase::backends() {
        let env = seeded(backend).await;
        let id = bound_with_payments(&env).await;
        let vars = json!({ "id": id, "period": "2020" });
        let anonymous = env.anonymous(COMPUTE, vars.clone()).await;
        assert_eq!(error_of(&anonymous).0, "UNAUTHENTICATED");
        let as_viewer = env.run_as(viewer(), COMPUTE, vars).await;
        assert_eq!(error_of(&as_viewer).0, "FORBIDDEN");
        let bind = env
            .run_as(
                viewer(),
                BIND,
                json!({ "id": id, "calc": "payment_timeliness", "v": 1 }),
            )
            .await;
        assert_eq!(error_of(&bind).0, "FORBIDDEN");
        let import = env
            .anonymous(IMPORT, json!({ "plan": PLAN, "csv": PAYMENTS }))
            .await;
        assert_eq!(error_of(&import).0, "UNAUTHENTICATED");
        let reload = env
            .run_as(
                editor(),
                "mutation { reloadCalculators { added } }",
                json!({}),
            )
            .await;
        assert_eq!(error_of(&reload).0, "FORBIDDEN");
        // Nothing was computed by the refused requests.
        let values = indicator_a1(&env, "values { period }").await;
        assert_eq!(values["values"], json!([]));
    }
}

#[tokio::test]
async fn bad_inputs_are_refused_naming_the_field_and_store_nothing() {
    for backend in TestDatabase::backends() {
        let env = seeded(backend).await;
        let (id, version) = timeliness_indicator(&env).await;
        let refused = |query: &'static str, vars: Value| {
            let env = &env;
            async move { error_of(&env.run_as(editor(), query, vars).await) }
        };

        assert_eq!(
            refused(
                BIND,
                json!({ "id": id, "calc": "no_such_method", "v": version })
            )
            .await,
            bad_input("calculator")
        );
        assert_eq!(
            refused(
                BIND,
                json!({ "id": id, "calc": "payment_timeliness", "params": [1, 2], "v": version })
            )
            .await,
            bad_input("params")
        );
        assert_eq!(
            refused(BIND, json!({ "id": id, "calc": "payment_timeliness", "params": {"default_term_days": "sixty"}, "v": version })).await,
            bad_input("params")
        );
        assert_eq!(
            refused(
                BIND,
                json!({ "id": id, "calc": "payment_timeliness", "v": version + 7 })
            )
            .await
            .0,
            "CONFLICT"
        );

        let db = &env.t.db;

        // A bad row: line and column named, nothing stored.
        let bad = PAYMENTS.replace(
            "F3;Gamma Soc. Coop.;2.000,00",
            "F3;Gamma Soc. Coop.;duemila",
        );
        let r = env
            .run_as(
                editor(),
                IMPORT,
                json!({ "plan": PLAN, "csv": bad, "file": "pagamenti.csv" }),
            )
            .await;
        assert_eq!(error_of(&r), bad_input("csv"));
        let message = message_of(&r);
        assert!(
            message.contains("pagamenti.csv:4") && message.contains("Importo"),
            "names the file, line 4 and the column: {message}"
        );
        assert_eq!(db.payment_count(PLAN).unwrap(), 0, "nothing stored");
        // A duplicate invoice is a content error of the file as well.
        let duplicate = format!("{PAYMENTS}F1;Alfa S.r.l.;1,00;01/01/2020;31/01/2020;;0\n");
        let r = env
            .run_as(editor(), IMPORT, json!({ "plan": PLAN, "csv": duplicate }))
            .await;
        assert_eq!(error_of(&r), bad_input("csv"));
        assert_eq!(db.payment_count(PLAN).unwrap(), 0, "nothing stored");
        let r = env
            .run_as(
                editor(),
                IMPORT,
                json!({ "plan": "no-such-plan", "csv": PAYMENTS }),
            )
            .await;
        assert_eq!(error_of(&r).0, "NOT_FOUND");

        // Periods and years.
        for period in ["2020-Q5", "20", "last year", "2020-13"] {
            assert_eq!(
                refused(COMPUTE, json!({ "id": id, "period": period })).await,
                bad_input("period"),
                "{period}"
            );
        }
        let r = env
            .anonymous(r#"query($plan: String!) { indicator(plan: $plan, objective: "A.1", code: "1") { achievement(year: 20200) { status } } }"#, json!({ "plan": PLAN }))
            .await;
        assert_eq!(error_of(&r), bad_input("year"));
        let r = env
            .anonymous(r#"query($plan: String!) { indicator(plan: $plan, objective: "A.1", code: "1") { value(period: "Q1-2020") { value } } }"#, json!({ "plan": PLAN }))
            .await;
        assert_eq!(error_of(&r), bad_input("period"));
        assert_eq!(
            refused(COMPUTE, json!({ "id": "not-an-id", "period": "2020" })).await,
            bad_input("indicator")
        );
    }
}

#[tokio::test]
async fn an_indicator_without_a_calculator_cannot_be_computed() {
    for backend in TestDatabase::backends() {
        let env = Env::new(backend);
        // A plan made through the API: its indicators have no binding.
        let plan = env
            .edit(
                r#"mutation { createPlan(input: { code: "p", kind: ANNUAL_OBJECTIVES, title: "P", firstYear: 2020, lastYear: 2020 }) { id } }"#,
                json!({}),
            )
            .await["createPlan"]["id"]
            .clone();
        let centre = env
            .edit(
                r#"mutation($plan: ID!) { createResponsibilityCentre(input: { plan: $plan, name: "Segretariato" }) { id } }"#,
                json!({ "plan": plan }),
            )
            .await["createResponsibilityCentre"]["id"]
            .clone();
        let objective = env
            .edit(
                r#"mutation($p: ID!, $c: ID!) { createObjective(input: { plan: $p, responsibilityCentre: $c, code: "A.1", year: 2020, title: "Governance" }) { id } }"#,
                json!({ "p": plan, "c": centre }),
            )
            .await["createObjective"]["id"]
            .clone();
        let indicator = env
            .edit(
                r#"mutation($o: ID!) { createIndicator(input: { objective: $o, code: "1", description: "d", method: "m", kind: "k", unit: DAYS, direction: LOWER_IS_BETTER }) { id } }"#,
                json!({ "o": objective }),
            )
            .await["createIndicator"]["id"]
            .clone();
        let r = env
            .run_as(
                editor(),
                COMPUTE,
                json!({ "id": indicator, "period": "2020" }),
            )
            .await;
        assert_eq!(error_of(&r), bad_input("indicator"));
        assert!(message_of(&r).contains("bindCalculator"), "{r:#}");
        // The objective has nothing to judge yet.
        let a = env
            .query(
                r#"query($id: ID!) { node(id: $id) { ... on Objective { achievement(year: 2020) { basis status degree score } } } }"#,
                json!({ "id": objective }),
            )
            .await;
        assert_eq!(
            a["node"]["achievement"],
            json!({ "basis": "NONE", "status": "NO_DATA", "degree": null, "score": null })
        );
    }
}

#[tokio::test]
async fn phase_progress_judges_an_objective_whose_indicators_have_no_value() {
    for backend in TestDatabase::backends() {
        let env = seeded(backend).await;
        let phases = objective_a1(&env, "phases { id code weight }").await["phases"].clone();
        // A.1.1 weighs 20 %, A.1.2 12 %: 100 % and 50 % complete give
        // (20 × 100 + 12 × 50) / 100 = 26 %, and 26 % of 50 points = 13.
        let record = r#"mutation($phase: ID!, $period: String!, $pct: Decimal!) {
            recordPhaseProgress(phase: $phase, period: $period, completionPercent: $pct) {
              period completionPercent recordedBy phase { code } } }"#;
        let r = env
            .edit(
                record,
                json!({ "phase": phases[0]["id"], "period": "2020", "pct": "100" }),
            )
            .await["recordPhaseProgress"]
            .clone();
        assert_eq!(
            r,
            json!({ "period": "2020", "completionPercent": "100", "recordedBy": "editor-token", "phase": { "code": "A.1.1" } })
        );
        env.edit(
            record,
            json!({ "phase": phases[1]["id"], "period": "2020-Q4", "pct": "50.00" }),
        )
        .await;
        let a = objective_a1(
            &env,
            "achievement(year: 2020) { basis degree status score phases { code completionPercent } }",
        ).await["achievement"]
            .clone();
        assert_eq!(a["basis"], "PHASES");
        assert_eq!(a["degree"], "26");
        assert_eq!(a["status"], "PARTLY");
        assert_eq!(a["score"], "13");
        assert_eq!(
            a["phases"][1],
            json!({ "code": "A.1.2", "completionPercent": "50" })
        );

        // The error of recording `pct` for `period` of the first phase as `who`.
        let refused = |who: Principal, period: &'static str, pct: &'static str| {
            let (env, phase) = (&env, phases[0]["id"].clone());
            async move {
                let vars = json!({ "phase": phase, "period": period, "pct": pct });
                error_of(&env.run_as(who, record, vars).await)
            }
        };
        for pct in ["100.5", "-1", "33.333"] {
            assert_eq!(
                refused(editor(), "2020", pct).await,
                bad_input("completionPercent"),
                "{pct}"
            );
        }
        assert_eq!(refused(editor(), "2020-Q0", "1").await, bad_input("period"));
        assert_eq!(refused(viewer(), "2020", "1").await.0, "FORBIDDEN");
    }
}

#[tokio::test]
async fn a_new_value_is_announced_to_subscribers_and_a_reused_one_is_not() {
    for backend in TestDatabase::backends() {
        let env = seeded(backend).await;
        let id = bound_with_payments(&env).await;
        let mut events = env.state.events.subscribe();
        compute(&env, &id, "2020-Q2").await;
        // Events come from the change log, read by the state's listener
        // after the commit: the binding and payments import of the set-up
        // may come first.
        let event = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            loop {
                let event = events.recv().await.expect("the listener runs");
                if event.kind == "VALUE_COMPUTED" {
                    return event;
                }
            }
        })
        .await
        .expect("an event after the commit");
        assert_eq!(event.period.as_deref(), Some("2020-Q2"));
        assert_eq!(
            Some(event.indicator_id),
            ids::decode(id.as_str().unwrap()).map(|d| d.1)
        );
        let logged = env.state.db.last_change_id().unwrap();
        assert_eq!(logged, event.id, "the computation was the last change");
        compute(&env, &id, "2020-Q2").await;
        assert_eq!(
            env.state.db.last_change_id().unwrap(),
            logged,
            "nothing new was stored, so nothing was logged"
        );
    }
}

#[tokio::test]
async fn calculators_are_listed_with_their_contract() {
    let env = Env::new(Backend::Sqlite);
    let data = env
        .query(
            r#"{ calculators { id key version description inputs { name kind description } params { name kind default description } unit direction aggregation source builtin }
                 calculatorLoadErrors { path kind message } }"#,
            json!({}),
        )
        .await;
    let list = data["calculators"].as_array().unwrap();
    let ids: Vec<&str> = list.iter().map(|c| c["key"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "sorted by key");
    assert_eq!(ids.len(), Registry::builtin().ids().len());
    let timeliness = list
        .iter()
        .find(|c| c["key"] == "payment_timeliness")
        .expect("the built-in ITP");
    assert_eq!(timeliness["unit"], "DAYS");
    assert_eq!(timeliness["direction"], "LOWER_IS_BETTER");
    assert_eq!(timeliness["aggregation"], "RATIO");
    assert_eq!(timeliness["source"], "builtin");
    assert_eq!(timeliness["builtin"], true);
    assert_eq!(timeliness["inputs"][0]["kind"], "PAYMENTS");
    assert_eq!(
        timeliness["params"][0],
        json!({ "name": "default_term_days", "kind": "integer", "default": 30,
                "description": timeliness["params"][0]["description"] })
    );
    assert_eq!(data["calculatorLoadErrors"], json!([]));
}

/// What `fields` of objective A.1 of the seeded plan read.
async fn objective_a1(env: &Env, fields: &str) -> Value {
    let query = format!(
        r#"query($plan: String!) {{ objective(plan: $plan, code: "A.1") {{ {fields} }} }}"#
    );
    env.query(&query, json!({ "plan": PLAN })).await["objective"].clone()
}

/// What `fields` of indicator 1 of objective A.1 of the seeded plan read.
async fn indicator_a1(env: &Env, fields: &str) -> Value {
    let query = format!(
        r#"query($plan: String!) {{ indicator(plan: $plan, objective: "A.1", code: "1") {{ {fields} }} }}"#
    );
    env.query(&query, json!({ "plan": PLAN })).await["indicator"].clone()
}

/// Statements that reading every indicator's value, history and
/// achievement, and every objective's achievement, costs over
/// `generate(scale)` with a value computed for every indicator.
async fn statements_for_values(backend: Backend, scale: u32) -> u64 {
    let t = generated_database(backend, scale);
    let (db, counter) = counting_pool(&t.url);
    let schema = build_schema(AppState::new(db.clone(), Settings::default()));
    let ids = schema
        .execute("{ objectives(first: 500) { edges { node { indicators { id } } } } }")
        .await;
    let ids = ids.data.into_json().unwrap();
    let registry = Registry::builtin();
    let year: Period = "2024".parse().unwrap();
    let mut computed = 0;
    for edge in ids["objectives"]["edges"].as_array().unwrap() {
        for i in edge["node"]["indicators"].as_array().unwrap() {
            let id = ids::decode(i["id"].as_str().unwrap()).unwrap().1;
            Engine::new(&db)
                .compute_indicator(&registry, id, &year, "test")
                .unwrap();
            computed += 1;
        }
    }
    assert!(computed >= 16, "{computed} indicators");
    let before = counter.get();
    let response = schema
        .execute(
            r#"{ objectives(first: 500) { edges { node {
                 achievement(year: 2024) { degree score indicators { degree value { value } } }
                 indicators { value(period: "2024") { value calculator { key } } values { period } achievement(year: 2024) { status } }
               } } } }"#,
        )
        .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    counter.get() - before
}

#[tokio::test]
async fn values_and_achievements_of_a_list_cost_the_same_statements_whatever_its_length() {
    assert_statements_do_not_grow(statements_for_values).await;
}
