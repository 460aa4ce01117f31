//! Reading the graph: the nested tree, both directions of every relation,
//! keyset pagination, filters, global ids, exact decimals and the number of
//! SQL statements a query costs. Every test runs on every configured
//! backend.

mod graph_support;

use cruscotto_api::graph::build_schema;
use cruscotto_api::state::AppState;
use cruscotto_api::Settings;
use cruscotto_testdb::TestDatabase;
use graph_support::{
    assert_statements_do_not_grow, bad_input, counting_pool, error_of, generated_database,
    store_generated, strings, Env,
};
use serde_json::{json, Value};

const TREE: &str = r#"
query Tree {
  plans(first: 10) {
    totalCount
    edges { node {
      code kind version
      objectives(first: 500) {
        totalCount
        edges { node {
          code title amended amendedFields
          responsibilityCentre { name head }
          budget { mission { code name } program { code } action { name } }
          indicators {
            code unit direction
            targets { year value { raw number comparator } }
            measurements { period value numerator denominator }
            latestMeasurement { period value }
          }
        } }
      }
    } }
  }
}"#;

#[tokio::test]
async fn the_nested_tree_reaches_every_level() {
    for backend in TestDatabase::backends() {
        let env = Env::generated(backend, 2);
        let data = env.query(TREE, json!({})).await;
        let plan = &data["plans"]["edges"][0]["node"];
        assert_eq!(plan["code"], "generated-2");
        assert_eq!(plan["kind"], "ANNUAL_OBJECTIVES");
        assert_eq!(data["plans"]["totalCount"], 1);
        let objectives = plan["objectives"]["edges"].as_array().unwrap();
        assert_eq!(
            objectives.len(),
            8,
            "2 missions × 2 programs × 2 objectives"
        );
        assert_eq!(plan["objectives"]["totalCount"], 8);
        let first = &objectives[0]["node"];
        assert_eq!(first["code"], "M1.P1.O1");
        assert!(first["responsibilityCentre"]["name"]
            .as_str()
            .unwrap()
            .starts_with("Direzione generale 1"));
        assert_eq!(first["budget"][0]["mission"]["code"], "1");
        assert_eq!(first["budget"][0]["program"]["code"], "1.1");
        let indicator = &first["indicators"][0];
        assert_eq!(indicator["targets"].as_array().unwrap().len(), 3);
        assert_eq!(indicator["measurements"].as_array().unwrap().len(), 12);
        assert_eq!(indicator["latestMeasurement"]["period"], "2024-12");
    }
}

#[tokio::test]
async fn relations_can_be_walked_back_up() {
    for backend in TestDatabase::backends() {
        let env = Env::generated(backend, 2);
        let data = env
            .query(
                r#"{ objective(plan: "generated-2", code: "M1.P1.O1") {
                    plan { code }
                    phases { code weight objective { code } }
                    indicators { objective { code } targets { indicator { code } } measurements(from: "2024-03-01", to: "2024-05-31") { period indicator { code } } }
                    responsibilityCentre { plan { code } offices { name responsibilityCentre { name } } objectives(first: 1) { totalCount } }
                    budget { program { mission { code programs { code } } actions { name program { code } objectives { code } } } }
                  }
                  mission(code: "1") { programs { code mission { code } } }
                  program(code: "1.2") { code actions { name } }
                }"#,
                json!({}),
            )
            .await;
        let o = &data["objective"];
        assert_eq!(o["plan"]["code"], "generated-2");
        assert_eq!(o["phases"].as_array().unwrap().len(), 4);
        assert_eq!(o["phases"][0]["objective"]["code"], "M1.P1.O1");
        let periods = strings(&o["indicators"][0]["measurements"], "period");
        assert_eq!(periods, ["2024-03", "2024-04", "2024-05"]);
        assert_eq!(o["responsibilityCentre"]["objectives"]["totalCount"], 4);
        let actions = &o["budget"][0]["program"]["actions"][0];
        assert_eq!(actions["objectives"].as_array().unwrap().len(), 2);
        assert_eq!(data["mission"]["programs"].as_array().unwrap().len(), 2);
        assert_eq!(data["program"]["code"], "1.2");
    }
}

fn codes(conn: &Value) -> Vec<String> {
    conn["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn pages_follow_each_other_forward_and_backward_with_cursors() {
    for backend in TestDatabase::backends() {
        let env = Env::generated(backend, 2);
        let all = env
            .query(
                r#"{ objectives(first: 100, orderBy: CODE) { edges { node { code } } } }"#,
                json!({}),
            )
            .await;
        let all = codes(&all["objectives"]);
        assert_eq!(all.len(), 8);

        let q = r#"query($after: String) { objectives(first: 3, after: $after, orderBy: CODE) {
            edges { cursor node { code } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"#;
        let mut seen = Vec::new();
        let mut after = Value::Null;
        loop {
            let page = env.query(q, json!({ "after": after })).await;
            let conn = &page["objectives"];
            seen.extend(codes(conn));
            assert_eq!(conn["pageInfo"]["hasPreviousPage"], !after.is_null());
            if conn["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = conn["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen, all, "forward pages cover the list once, in order");

        let q = r#"query($before: String) { objectives(last: 3, before: $before, orderBy: CODE) {
            edges { node { code } } pageInfo { hasNextPage hasPreviousPage startCursor } } }"#;
        let mut pages = Vec::new();
        let mut before = Value::Null;
        loop {
            let page = env.query(q, json!({ "before": before })).await;
            let conn = &page["objectives"];
            pages.push(codes(conn));
            if conn["pageInfo"]["hasPreviousPage"] == false {
                break;
            }
            before = conn["pageInfo"]["startCursor"].clone();
        }
        let backward: Vec<String> = pages.into_iter().rev().flatten().collect();
        assert_eq!(
            backward, all,
            "backward pages cover the list once, in order"
        );
    }
}

#[tokio::test]
async fn a_page_larger_than_the_maximum_is_refused_naming_first() {
    for backend in TestDatabase::backends() {
        let settings = Settings {
            max_page_size: 5,
            ..Settings::default()
        };
        let env = Env::with_settings(backend, settings);
        let r = env
            .anonymous("{ plans(first: 6) { totalCount } }", json!({}))
            .await;
        assert_eq!(error_of(&r), bad_input("first"));
        let r = env
            .anonymous(
                r#"{ plans(after: "bm90IGEgY3Vyc29y") { totalCount } }"#,
                json!({}),
            )
            .await;
        assert_eq!(error_of(&r), bad_input("after"));
    }
}

#[tokio::test]
async fn lists_default_to_the_configured_page_size() {
    for backend in TestDatabase::backends() {
        let settings = Settings {
            default_page_size: 3,
            ..Settings::default()
        };
        let env = Env::with_settings(backend, settings);
        store_generated(&env.t, 2);
        let data = env
            .query(
                "{ objectives { totalCount edges { node { code } } pageInfo { hasNextPage } } }",
                json!({}),
            )
            .await;
        assert_eq!(data["objectives"]["edges"].as_array().unwrap().len(), 3);
        assert_eq!(data["objectives"]["totalCount"], 8);
        assert_eq!(data["objectives"]["pageInfo"]["hasNextPage"], true);
    }
}

async fn count(env: &Env, query: &str) -> i64 {
    let data = env.query(query, json!({})).await;
    let (_, v) = data.as_object().unwrap().iter().next().unwrap();
    v["totalCount"].as_i64().unwrap()
}

#[tokio::test]
async fn filters_narrow_the_lists() {
    for backend in TestDatabase::backends() {
        let env = Env::generated(backend, 2);
        let rc = env
            .query(r#"{ responsibilityCentres(plan: "generated-2", search: "generale 2") { totalCount edges { node { id } } } }"#, json!({}))
            .await;
        assert_eq!(rc["responsibilityCentres"]["totalCount"], 1);
        let rc_id = rc["responsibilityCentres"]["edges"][0]["node"]["id"]
            .as_str()
            .unwrap()
            .to_string();

        assert_eq!(
            count(
                &env,
                r#"{ objectives(plan: "generated-2") { totalCount } }"#
            )
            .await,
            8
        );
        assert_eq!(
            count(
                &env,
                r#"{ objectives(plan: "no-such-plan") { totalCount } }"#
            )
            .await,
            0
        );
        assert_eq!(
            count(&env, r#"{ objectives(year: 2024) { totalCount } }"#).await,
            8
        );
        assert_eq!(
            count(&env, r#"{ objectives(year: 1999) { totalCount } }"#).await,
            0
        );
        assert_eq!(
            count(
                &env,
                &format!(r#"{{ objectives(responsibilityCentre: "{rc_id}") {{ totalCount }} }}"#)
            )
            .await,
            4
        );
        assert_eq!(
            count(&env, r#"{ objectives(mission: "1") { totalCount } }"#).await,
            4
        );
        assert_eq!(
            count(&env, r#"{ objectives(program: "2.1") { totalCount } }"#).await,
            2
        );
        assert_eq!(
            count(&env, r#"{ objectives(search: "m1.p2.O") { totalCount } }"#).await,
            2
        );
        assert_eq!(
            count(&env, r#"{ plans(year: 2025) { totalCount } }"#).await,
            1
        );
        assert_eq!(
            count(&env, r#"{ plans(year: 2030) { totalCount } }"#).await,
            0
        );
        assert_eq!(
            count(&env, r#"{ plans(search: "GENERATO") { totalCount } }"#).await,
            1
        );
        assert_eq!(
            count(&env, r#"{ programs(mission: "2") { totalCount } }"#).await,
            2
        );
        assert_eq!(
            count(&env, r#"{ actions(program: "1.1") { totalCount } }"#).await,
            1
        );
        assert_eq!(
            count(&env, r#"{ missions(search: "zzz") { totalCount } }"#).await,
            0
        );

        let all = count(
            &env,
            r#"{ indicators(plan: "generated-2") { totalCount } }"#,
        )
        .await;
        assert_eq!(all, 16);
        let by_unit = [
            count(&env, r#"{ indicators(unit: DAYS) { totalCount } }"#).await,
            count(&env, r#"{ indicators(unit: PERCENT) { totalCount } }"#).await,
            count(&env, r#"{ indicators(unit: COUNT) { totalCount } }"#).await,
        ];
        assert_eq!(
            by_unit.iter().sum::<i64>(),
            all,
            "units partition the indicators"
        );
        let by_direction = count(
            &env,
            r#"{ indicators(direction: LOWER_IS_BETTER) { totalCount } }"#,
        )
        .await
            + count(
                &env,
                r#"{ indicators(direction: HIGHER_IS_BETTER) { totalCount } }"#,
            )
            .await;
        assert_eq!(by_direction, all, "directions partition the indicators");
        let kinds = env
            .query(r#"{ indicators(first: 1) { nodes { kind } } }"#, json!({}))
            .await;
        let kind = kinds["indicators"]["nodes"][0]["kind"]
            .as_str()
            .unwrap()
            .to_uppercase();
        let of_kind = count(
            &env,
            &format!(r#"{{ indicators(kind: "{kind}") {{ totalCount }} }}"#),
        )
        .await;
        assert!(of_kind >= 1 && of_kind <= all);
        assert_eq!(
            count(
                &env,
                r#"{ indicators(mission: "2", program: "2.2") { totalCount } }"#
            )
            .await,
            4
        );
        // LIKE wildcards in a search are literal.
        assert_eq!(
            count(&env, r#"{ objectives(search: "%") { totalCount } }"#).await,
            0
        );
    }
}

#[tokio::test]
async fn global_ids_round_trip_through_node() {
    for backend in TestDatabase::backends() {
        let env = Env::generated(backend, 2);
        let o = &env
            .objective(
                "generated-2",
                "M2.P1.O2",
                "id code indicators { id code targets { id } }",
            )
            .await;
        let ids = json!([
            o["id"],
            o["indicators"][0]["id"],
            o["indicators"][0]["targets"][0]["id"]
        ]);
        let back = env
            .query(
                r#"query($id: ID!, $ids: [ID!]!) {
                    node(id: $id) { id ... on Objective { code } }
                    nodes(ids: $ids) { id __typename }
                }"#,
                json!({ "id": o["id"], "ids": ids }),
            )
            .await;
        assert_eq!(back["node"]["code"], "M2.P1.O2");
        assert_eq!(back["node"]["id"], o["id"]);
        let types = strings(&back["nodes"], "__typename");
        assert_eq!(types, ["Objective", "Indicator", "Target"]);
        assert!(
            !o["id"].as_str().unwrap().contains("Objective"),
            "ids are opaque"
        );
    }
}

#[tokio::test]
async fn decimals_come_back_exactly_as_recorded() {
    for backend in TestDatabase::backends() {
        let env = Env::generated(backend, 2);
        let ind = env
            .query(
                r#"{ indicator(plan: "generated-2", objective: "M1.P1.O1", code: "1") { id } }"#,
                json!({}),
            )
            .await;
        let id = ind["indicator"]["id"].clone();
        for (period, value, num, den) in [
            ("2020", "-25.29", "-1569359.13", "62061.91"),
            ("2021", "85.00", "0.10", "3"),
        ] {
            let data = env
                .edit(
                    r#"mutation($id: ID!, $p: String!, $v: Decimal!, $n: Decimal, $d: Decimal) {
                        recordMeasurement(indicator: $id, period: $p, value: $v, numerator: $n, denominator: $d, source: "PCC") {
                            value numerator denominator } }"#,
                    json!({ "id": id, "p": period, "v": value, "n": num, "d": den }),
                )
                .await;
            assert_eq!(data["recordMeasurement"]["value"], value);
            let read = env
                .query(
                    r#"query($id: ID!, $from: Date!, $to: Date!) { node(id: $id) { ... on Indicator { measurements(from: $from, to: $to) { value numerator denominator } } } }"#,
                    json!({ "id": id, "from": format!("{period}-01-01"), "to": format!("{period}-12-31") }),
                )
                .await;
            let m = &read["node"]["measurements"][0];
            assert_eq!(m["value"], value);
            assert_eq!(m["numerator"], num);
            assert_eq!(m["denominator"], den);
        }
    }
}

/// Statements the tree query costs over `generate(scale)`.
async fn statements_for_tree(backend: cruscotto_store::Backend, scale: u32) -> u64 {
    let t = generated_database(backend, scale);
    let (db, counter) = counting_pool(&t.url);
    let schema = build_schema(AppState::new(db, Settings::default()));
    let before = counter.get();
    let response = schema.execute(TREE).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    counter.get() - before
}

#[tokio::test]
async fn the_tree_costs_the_same_statements_whatever_the_amount_of_data() {
    assert_statements_do_not_grow(statements_for_tree).await;
}

/// Queries whose root fields read relations ahead (see
/// `cruscotto_api::graph::prefetch`), with aliases, fragments, directives,
/// relations with arguments (not read ahead) and cycles back up the tree.
const READ_AHEAD: &[&str] = &[
    // The benchmark's tree.
    r#"{ missions(first: 500) { edges { node { code name programs { code name actions { name objectives { code title responsibilityCentre { name head } indicators { code description unit direction targets { year value { raw comparator number } } latestMeasurement { period value } } } } } } } } }"#,
    // The benchmark's small query, with an alias, a fragment and a skipped relation.
    r#"query { o: objective(plan: "generated-2", code: "M1.P2.O2") { code title ...Parts indicators { code targets { year value { raw } } } phases @skip(if: true) { code } } }
       fragment Parts on Objective { ind: indicators { code latestMeasurement { period value } } phases { code weight } budget { mission { code } action { name } } offices { name } plan { code } }"#,
    // Connections through `nodes` and `edges`, relations back up the tree and with arguments.
    r#"{ objectives(plan: "generated-2", first: 3) { nodes { code responsibilityCentre { name offices { name } plan { code } } indicators { code measurements { period value } targets { year } } } edges { node { code strategicObjectives { code } annualObjectives { code } indicators { description latestMeasurement { value } } } } } }"#,
    r#"{ plan(code: "generated-2") { code responsibilityCentres { name offices { name } } strategicObjectives { code } annualObjectives { code } areas { name ambiti { id } } objectives(first: 2) { edges { node { code indicators { code } } } } } }"#,
    r#"{ indicator(plan: "generated-2", objective: "M2.P1.O1", code: "1") { code targets { year value { raw } } latestMeasurement { period } objective { code } } missions(first: 1) { totalCount nodes { code } } }"#,
];

/// Runs `query` on a fresh schema over a counting pool, with or without
/// the request's store of relations read ahead; returns the answer, the
/// statements it cost and the keys read ahead.
async fn run_counted(url: &str, query: &str, ahead: bool) -> (Value, u64, (usize, usize)) {
    let (db, counter) = counting_pool(url);
    let schema = build_schema(AppState::new(db.clone(), Settings::default()));
    let store = std::sync::Arc::new(cruscotto_api::graph::prefetch::Prefetched::default());
    let mut request = async_graphql::Request::new(query);
    if ahead {
        request = cruscotto_api::graph::with_loader(request, &db).data(store.clone());
    }
    let before = counter.get();
    let response = schema.execute(request).await;
    assert!(response.errors.is_empty(), "{query}: {:?}", response.errors);
    let json = serde_json::to_value(&response.data).unwrap();
    (json, counter.get() - before, store.counts())
}

/// Queries over the two seed documents: a plan of annual objective sheets
/// (offices, strategic and annual objectives, phases, budget lines) and a
/// multi-year plan (areas, ambiti, yearly results).
const READ_AHEAD_SEEDS: &[&str] = &[
    r#"{ plan(code: "000_c0a763c098296cde") { code responsibilityCentres { name offices { name } } strategicObjectives { code } annualObjectives { code } } objectives(plan: "000_c0a763c098296cde", first: 10) { nodes { code offices { name } strategicObjectives { code } annualObjectives { code } phases { code weight } budget { mission { code } program { code } action { name } } indicators { code targets { year value { raw comparator number } } } } } }"#,
    r#"{ plan(code: "001_b1c6253d44de1f62") { code kind areas { name subtitle ambiti { name objective results { year kind text } } } } }"#,
    r#"{ areas(first: 10) { nodes { name ambiti { name results { year kind } } } } }"#,
];

/// Two root fields selecting the same relations: each reads them ahead on
/// its own, where the loader may merge both roots' keys into one batch, so
/// reading ahead may cost one statement more per shared relation (ambiti,
/// results), never more as the data grows.
const READ_AHEAD_TWO_ROOTS: &str = r#"{ plan(code: "001_b1c6253d44de1f62") { areas { name ambiti { name results { year } } } } areas(first: 10) { nodes { name ambiti { name results { year kind } } } } }"#;

/// Two roots (`program` and `programs`) whose selections both read the
/// actions of programs and their objectives: like [`READ_AHEAD_TWO_ROOTS`],
/// each reads them on its own, so it may cost one statement more per shared
/// relation (actions, objectives) when the loader happens to merge both
/// roots' keys into one batch.
const READ_AHEAD_PROGRAM_ROOTS: &str = r#"{ program(code: "1.2") { code mission { code programs { code actions { name program { code } objectives { code } } } } } action: programs(first: 2) { edges { node { actions { name o: objectives { code title } } } } } }"#;

/// The seed documents, imported under their file names as plan codes.
fn import_seeds(t: &TestDatabase) {
    for file in ["000_c0a763c098296cde.txt", "001_b1c6253d44de1f62.txt"] {
        let path = format!("{}/../../shared/seeds/{file}", env!("CARGO_MANIFEST_DIR"));
        let text =
            std::fs::read_to_string(&path).expect("the seed documents are beside the repository");
        let doc = cruscotto_import::parse_document(&path, &text, &Default::default())
            .expect("the seed parses");
        t.db.save_document(&doc, None).expect("the seed imports");
    }
}

#[tokio::test]
async fn relations_read_ahead_give_the_answers_and_statements_of_the_loader() {
    for backend in TestDatabase::backends() {
        let t = generated_database(backend, 2);
        import_seeds(&t);
        let queries = READ_AHEAD
            .iter()
            .chain(READ_AHEAD_SEEDS)
            .map(|q| (*q, 0))
            .chain([(READ_AHEAD_PROGRAM_ROOTS, 2), (READ_AHEAD_TWO_ROOTS, 2)]);
        for (query, shared_relations) in queries {
            let (plain, plain_statements, none) = run_counted(&t.url, query, false).await;
            let (ahead, ahead_statements, (relations, keys)) =
                run_counted(&t.url, query, true).await;
            assert_eq!(none, (0, 0));
            assert!(
                relations > 0 && keys > 0,
                "{}: nothing was read ahead for {query}",
                backend.name()
            );
            assert_eq!(plain, ahead, "{}: {query}", backend.name());
            assert!(
                holds_a_list_item(&ahead),
                "{}: the query found no data: {query}",
                backend.name()
            );
            assert!(
                ahead_statements <= plain_statements + shared_relations,
                "{}: {ahead_statements} statements read ahead, {plain_statements} through the loader, for {query}",
                backend.name()
            );
        }
    }
}

/// Whether an answer holds at least one item of a list (a query over codes
/// that do not exist would make the comparison vacuous).
fn holds_a_list_item(v: &Value) -> bool {
    match v {
        Value::Array(items) => !items.is_empty(),
        Value::Object(fields) => fields.values().any(holds_a_list_item),
        _ => false,
    }
}

#[tokio::test]
async fn missions_and_programs_come_in_budget_order_at_the_root_nested_and_across_pages() {
    for backend in TestDatabase::backends() {
        let env = Env::new(backend);
        let mut first_mission = Value::Null;
        for code in ["10", "2", "1"] {
            let created = env
                .edit(
                    "mutation($code: String!) { createMission(input: { code: $code, name: \"M\" }) { id } }",
                    json!({ "code": code }),
                )
                .await;
            if code == "1" {
                first_mission = created["createMission"]["id"].clone();
            }
        }
        for code in ["1.10", "1.2", "1.1"] {
            env.edit(
                "mutation($m: ID!, $code: String!) { createProgram(input: { mission: $m, code: $code, name: \"P\" }) { id } }",
                json!({ "m": first_mission, "code": code }),
            )
            .await;
        }
        let data = env
            .query(
                "{ missions { nodes { code programs { code } } } programs { nodes { code } } }",
                json!({}),
            )
            .await;
        let codes = |list: &Value| -> Vec<String> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|n| n["code"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            codes(&data["missions"]["nodes"]),
            ["1", "2", "10"],
            "{backend:?}"
        );
        assert_eq!(
            codes(&data["missions"]["nodes"][0]["programs"]),
            ["1.1", "1.2", "1.10"],
            "{backend:?}"
        );
        assert_eq!(codes(&data["programs"]["nodes"]), ["1.1", "1.2", "1.10"]);
        // Pages follow the same order.
        let page = env
            .query(
                "{ missions(first: 2) { edges { cursor node { code } } } }",
                json!({}),
            )
            .await;
        let cursor = page["missions"]["edges"][1]["cursor"].clone();
        let rest = env
            .query(
                "query($after: String!) { missions(first: 5, after: $after) { nodes { code } } }",
                json!({ "after": cursor }),
            )
            .await;
        assert_eq!(codes(&rest["missions"]["nodes"]), ["10"]);
        // A code changed by an update moves to its new place.
        let ten = env
            .query("{ mission(code: \"10\") { id } }", json!({}))
            .await;
        env.edit(
            "mutation($id: ID!) { updateMission(id: $id, input: { code: \"0\" }) { code } }",
            json!({ "id": ten["mission"]["id"] }),
        )
        .await;
        let data = env
            .query("{ missions { nodes { code } } }", json!({}))
            .await;
        assert_eq!(codes(&data["missions"]["nodes"]), ["0", "1", "2"]);
    }
}

/// Statements `query` costs over `generate(scale)`, and its answer.
async fn counted_over_generated(
    backend: cruscotto_store::Backend,
    scale: u32,
    query: &str,
) -> (Value, u64) {
    let t = generated_database(backend, scale);
    let (json, statements, _) = run_counted(&t.url, query, true).await;
    (json, statements)
}

#[tokio::test]
async fn nested_lists_page_with_first_and_after_at_no_extra_statement() {
    const PAGED: &str = r#"{ missions(first: 500) { nodes { code programs(first: 1) { id code actions(first: 1) { name objectives(first: 1) { code indicators(first: 1) { code targets(first: 1) { year } measurements(first: 1) { period } } phases(first: 1) { code } } } } } } }"#;
    const WHOLE: &str = r#"{ missions(first: 500) { nodes { code programs { id code actions { name objectives { code indicators { code targets { year } measurements { period } } phases { code } } } } } } }"#;
    for backend in TestDatabase::backends() {
        let (paged, small) = counted_over_generated(backend, 2, PAGED).await;
        let (_, large) = counted_over_generated(backend, 4, PAGED).await;
        let (whole, unpaged) = counted_over_generated(backend, 2, WHOLE).await;
        assert_eq!(
            small, large,
            "{backend:?}: paged nested lists grow with the data"
        );
        assert_eq!(small, unpaged, "{backend:?}: paging costs statements");
        // Each level keeps its first item, in the list's order.
        let mission = &paged["missions"]["nodes"][0];
        let programs = mission["programs"].as_array().unwrap();
        assert_eq!(programs.len(), 1, "{backend:?}");
        assert_eq!(
            programs[0]["code"],
            whole["missions"]["nodes"][0]["programs"][0]["code"]
        );
        let objective = &programs[0]["actions"][0]["objectives"][0];
        assert_eq!(objective["indicators"].as_array().unwrap().len(), 1);
        assert_eq!(objective["phases"].as_array().unwrap().len(), 1);
        assert_eq!(
            objective["indicators"][0]["targets"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}

#[tokio::test]
async fn after_continues_a_nested_list_and_a_foreign_id_is_refused() {
    for backend in TestDatabase::backends() {
        let t = generated_database(backend, 3);
        let schema = build_schema(AppState::new(t.db.clone(), Settings::default()));
        let run = |q: String| {
            let schema = schema.clone();
            async move { schema.execute(q.as_str()).await }
        };
        let all = run(r#"{ mission(code: "1") { programs { id code } } }"#.into()).await;
        assert!(all.errors.is_empty(), "{:?}", all.errors);
        let all = serde_json::to_value(&all.data).unwrap();
        let programs = all["mission"]["programs"].as_array().unwrap().clone();
        assert_eq!(programs.len(), 3, "{backend:?}");
        // Page by page, two at a time, the cursor being the last id seen.
        let first =
            run(r#"{ mission(code: "1") { programs(first: 2) { id code } } }"#.into()).await;
        let first = serde_json::to_value(&first.data).unwrap();
        let page1 = first["mission"]["programs"].as_array().unwrap();
        assert_eq!(page1[..], programs[..2]);
        let rest = run(format!(
            r#"{{ mission(code: "1") {{ programs(first: 2, after: {}) {{ id code }} }} }}"#,
            page1[1]["id"]
        ))
        .await;
        assert!(rest.errors.is_empty(), "{:?}", rest.errors);
        let rest = serde_json::to_value(&rest.data).unwrap();
        assert_eq!(
            rest["mission"]["programs"].as_array().unwrap()[..],
            programs[2..]
        );
        // The id of an object of another type, or of another list, is refused
        // naming `after`; a negative `first` naming `first`.
        let other = run(format!(
            r#"{{ mission(code: "2") {{ programs(after: {}) {{ code }} }} }}"#,
            programs[0]["id"]
        ))
        .await;
        assert_eq!(other.errors.len(), 1, "{backend:?}");
        assert!(
            other.errors[0].message.contains("not an item of this list"),
            "{}",
            other.errors[0].message
        );
        let wrong = run(r#"{ mission(code: "1") { programs(first: -1) { code } } }"#.into()).await;
        assert!(wrong.errors[0]
            .message
            .contains("first must not be negative"));
        let data = serde_json::to_value(&other.data).unwrap();
        assert_eq!(
            data["mission"],
            Value::Null,
            "an errored list nulls its parent"
        );
    }
}
