//! The public schema is pinned, and every type and field has a
//! description.
//!
//! The one source of truth of the schema a client sees is the insta
//! snapshot `api/tests/snapshots/graph_schema__sdl.snap`: a change of the
//! schema fails `the_sdl_is_the_accepted_snapshot` and shows in review as a
//! diff of that file (accept it with `cargo insta review`, or run the test
//! with `INSTA_UPDATE=always`). `api/schema.graphql` is a copy of the
//! snapshot's SDL for the tools that read a plain SDL file (relay-compiler
//! and GraphQL Code Generator in `tests/clients`, frontends); it is never
//! compared with the code, only with the snapshot, by
//! `api_schema_graphql_is_the_snapshot_s_sdl`.

use std::path::PathBuf;

fn api_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file)
}

#[test]
fn the_sdl_is_the_accepted_snapshot() {
    insta::assert_snapshot!("sdl", cruscotto_api::graph::sdl());
}

/// The content of an insta snapshot file: what follows its `---` header.
fn snapshot_content(snap: &str) -> &str {
    let body = snap
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map(|(_, content)| content);
    body.unwrap_or_else(|| panic!("an insta snapshot starts with a --- header:\n{snap}"))
}

#[test]
fn api_schema_graphql_is_the_snapshot_s_sdl() {
    let snap = std::fs::read_to_string(api_path("tests/snapshots/graph_schema__sdl.snap"))
        .expect("the SDL snapshot is committed");
    let copy = std::fs::read_to_string(api_path("schema.graphql")).unwrap_or_default();
    assert!(
        copy.trim_end() == snapshot_content(&snap).trim_end() && copy.ends_with('\n'),
        "api/schema.graphql is not the SDL of the accepted snapshot \
         (api/tests/snapshots/graph_schema__sdl.snap); once the snapshot is accepted, write it with\n  \
         cargo run -q -- schema > api/schema.graphql"
    );
}

#[test]
fn a_snapshot_s_content_follows_its_header() {
    let snap =
        "---\nsource: api/tests/graph_schema.rs\nexpression: sdl\n---\ntype A {\n\tb: Int\n}\n";
    assert_eq!(snapshot_content(snap), "type A {\n\tb: Int\n}\n");
}

#[test]
fn every_type_and_field_has_a_description() {
    let sdl = cruscotto_api::graph::sdl();
    // In SDL a description is a string right before the definition. Every
    // line that opens a type or a field must follow one.
    let lines: Vec<&str> = sdl.lines().collect();
    let mut missing = Vec::new();
    let mut in_block = false;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        // Lines of a multi-line description are text, not definitions.
        if t.matches("\"\"\"").count() == 1 {
            in_block = !in_block;
            continue;
        }
        if in_block {
            continue;
        }
        let opens_type = [
            "type ",
            "input ",
            "enum ",
            "interface ",
            "scalar ",
            "union ",
        ]
        .iter()
        .any(|k| t.starts_with(k))
            && !t.starts_with("type QueryRoot")
            && !t.starts_with("type MutationRoot")
            && !t.starts_with("type SubscriptionRoot");
        let opens_field = line.starts_with('\t')
            && !line.starts_with("\t\t")
            && t.contains(':')
            && !t.starts_with('"')
            && !t.starts_with(')')
            && !["query:", "mutation:", "subscription:"]
                .iter()
                .any(|k| t.starts_with(k));
        if opens_type || opens_field {
            let prev = lines[..i]
                .iter()
                .rev()
                .find(|l| !l.trim().is_empty())
                .map(|l| l.trim())
                .unwrap_or("");
            if !prev.ends_with('"') {
                missing.push(t.to_string());
            }
        }
    }
    assert!(missing.is_empty(), "without a description: {missing:#?}");
}

#[test]
fn every_id_field_is_a_global_id() {
    // Normalised caches (Apollo, Relay, urql) key objects by `id`: it must
    // be an `ID!` unique across types, never a plain name or code.
    use async_graphql::parser::types::{BaseType, TypeKind, TypeSystemDefinition};
    let sdl = cruscotto_api::graph::sdl();
    let document = async_graphql::parser::parse_schema(&sdl).expect("the SDL parses");
    let mut checked = 0;
    let mut wrong = Vec::new();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let fields = match &ty.node.kind {
            TypeKind::Object(o) => &o.fields,
            TypeKind::Interface(i) => &i.fields,
            _ => continue,
        };
        for field in fields {
            if field.node.name.node != "id" {
                continue;
            }
            checked += 1;
            let t = &field.node.ty.node;
            let is_id = !t.nullable && matches!(&t.base, BaseType::Named(n) if n == "ID");
            if !is_id {
                wrong.push(format!("{}.id: {t}", ty.node.name.node));
            }
        }
    }
    assert!(
        checked >= 20,
        "the walk found the types with ids ({checked})"
    );
    assert!(wrong.is_empty(), "ids that are not global: {wrong:?}");
}
