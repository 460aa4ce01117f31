//! The committed SDL (`api/schema.graphql`) matches the schema the code
//! builds, and every type and field has a description.

use std::path::PathBuf;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema.graphql")
}

#[test]
fn committed_sdl_matches_the_schema() {
    let sdl = cruscotto_api::graph::sdl();
    let path = committed_path();
    if std::env::var("UPDATE_SCHEMA").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &sdl).expect("schema.graphql is writable");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == sdl,
        "api/schema.graphql differs from the schema the code builds; review the change and regenerate it with\n  \
         UPDATE_SCHEMA=1 cargo test -p cruscotto-api --test graph_schema"
    );
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
