//! Source locations in the graph: a plan imported through a shipped
//! mapping tells, for each objective, indicator, target and phase, the file
//! and line (or sheet and cell) it was read from, so that a reviewer can go
//! from a target back to the source. Runs on every configured backend.

mod graph_support;

use std::path::PathBuf;

use cruscotto_import::mapping;
use cruscotto_import::ParseOptions;
use cruscotto_testdb::TestDatabase;
use graph_support::Env;
use serde_json::{json, Value};

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

fn import(env: &Env, map: &str, source: &str) {
    let m = mapping::load(&repo(map)).expect("the shipped mapping is valid");
    let path = repo(source);
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let imported = mapping::read(&m, &path, &name, &ParseOptions::default(), true)
        .expect("the fixture imports strictly");
    env.t
        .db
        .save_document(&imported.doc, Some(&name))
        .expect("the plan is stored");
}

const QUERY: &str = r#"
query($plan: String!) {
  objectives(plan: $plan, first: 20) { nodes {
    code source { file line sheet cell }
    phases { code source { file line } }
    indicators { code source { line } targets { year source { file line } } }
  } }
}"#;

#[tokio::test]
async fn objects_imported_through_a_mapping_say_where_they_were_written() {
    for backend in TestDatabase::backends() {
        eprintln!("--- on {}", backend.name());
        let env = Env::new(backend);
        import(
            &env,
            "mappings/registro-milestone-target.toml",
            "import/tests/fixtures/mapping/registro-milestone-target.csv",
        );
        import(
            &env,
            "mappings/piano-triennale-outline.toml",
            "import/tests/fixtures/mapping/piano-triennale-ict.md",
        );

        let data = env
            .query(QUERY, json!({ "plan": "registro-milestone-target" }))
            .await;
        let nodes = data["objectives"]["nodes"].as_array().unwrap();
        let backlog = nodes.iter().find(|n| n["code"] == "M1C2-10").unwrap();
        assert_eq!(
            backlog["source"],
            json!({ "file": "registro-milestone-target.csv", "line": 8, "sheet": null, "cell": null })
        );
        assert_eq!(
            backlog["indicators"][0]["targets"][0],
            json!({ "year": 2025, "source": { "file": "registro-milestone-target.csv", "line": 8 } })
        );
        let cloud = nodes.iter().find(|n| n["code"] == "M1C1-2").unwrap();
        let lines: Vec<&Value> = cloud["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| &i["source"]["line"])
            .collect();
        assert_eq!(
            lines,
            [&json!(4), &json!(6)],
            "one indicator per sub-measure row"
        );

        let data = env
            .query(QUERY, json!({ "plan": "piano-triennale-ict" }))
            .await;
        let nodes = data["objectives"]["nodes"].as_array().unwrap();
        let o = nodes.iter().find(|n| n["code"] == "1.1").unwrap();
        assert_eq!(o["source"]["line"], 183);
        assert_eq!(
            o["phases"],
            json!([
                { "code": "1.1.1", "source": { "file": "piano-triennale-ict.md", "line": 195 } },
                { "code": "1.1.2", "source": { "file": "piano-triennale-ict.md", "line": 197 } },
            ])
        );
        assert_eq!(o["indicators"][0]["targets"][0]["source"]["line"], 190);
    }
}

#[tokio::test]
async fn objects_of_the_built_in_readers_have_no_source_location() {
    let env = Env::generated(cruscotto_store::Backend::Sqlite, 1);
    let data = env.query(QUERY, json!({ "plan": "generated-1" })).await;
    let first = &data["objectives"]["nodes"][0];
    assert_eq!(first["source"], Value::Null);
    assert_eq!(first["indicators"][0]["targets"][0]["source"], Value::Null);
}
