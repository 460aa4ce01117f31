//! What frontends rely on, over real HTTP: cross-origin rules (CORS),
//! spec-correct results (errored nullable fields present as null, keys in
//! selection order), compression, HTTP validators, persisted queries,
//! batches, the WebSocket close handshake and the probes.

mod http_support;

use std::io::Read;

use cruscotto_api::auth::Role;
use http_support::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

fn ordered_keys(text: &str, path: &[&str]) -> Vec<String> {
    // serde_json's `preserve_order` is not on: read the keys' order from
    // the text itself.
    let mut value: serde_json::Map<String, Value> = serde_json::from_str::<Value>(text)
        .unwrap()
        .as_object()
        .unwrap()
        .clone();
    for key in path {
        value = value[*key].as_object().unwrap().clone();
    }
    let mut keys: Vec<(usize, String)> = value
        .keys()
        .map(|k| {
            let at = text
                .find(&format!("\"{k}\":"))
                .unwrap_or_else(|| panic!("{k} in {text}"));
            (at, k.clone())
        })
        .collect();
    keys.sort();
    keys.into_iter().map(|(_, k)| k).collect()
}

fn post_text(s: &TestServer, body: &Value, headers: &[(&str, &str)]) -> (u16, String) {
    let response = s.post_request(body, headers);
    (response.status().as_u16(), response.text().expect("a body"))
}

#[test]
fn errored_nullable_fields_are_null_at_the_root_and_nested_and_keys_keep_the_selection_order() {
    let s = TestServer::start(Backend::Sqlite, |_| {});
    let (_, indicator) = s.objective_with_indicator();

    // Root: the failed `node` is present as null, after `plans`.
    let (status, text) = post_text(
        &s,
        &json!({ "query": r#"{ plans { totalCount } node(id: "garbage") { id } }"# }),
        &[],
    );
    assert_eq!(status, 200, "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["data"]["node"], Value::Null, "{text}");
    assert!(
        body["data"].as_object().unwrap().contains_key("node"),
        "{text}"
    );
    assert_eq!(body["errors"][0]["path"], json!(["node"]), "{text}");
    assert_eq!(ordered_keys(&text, &["data"]), ["plans", "node"]);

    // Nested: the failed `value` is null beside the fields that worked.
    let (status, text) = post_text(
        &s,
        &json!({
            "query": r#"query($id: ID!) { node(id: $id) { ... on Indicator { code value(period: "garbage") { value } id } } }"#,
            "variables": { "id": indicator },
        }),
        &[],
    );
    assert_eq!(status, 200, "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    let node = &body["data"]["node"];
    assert!(node.as_object().unwrap().contains_key("value"), "{text}");
    assert_eq!(node["value"], Value::Null);
    assert_eq!(node["id"], indicator.as_str());
    assert_eq!(
        body["errors"][0]["path"],
        json!(["node", "value"]),
        "{text}"
    );
    assert_eq!(
        ordered_keys(&text, &["data", "node"]),
        ["code", "value", "id"]
    );

    // Root fields that take different times still come in selection order,
    // on the first (parsed) and on later (cached) requests alike.
    let query = json!({ "query": "{ calculators { key } plans { totalCount } responsibilityCentres(first: 1) { totalCount } missions(first: 1) { totalCount } }" });
    for _ in 0..3 {
        let (_, text) = post_text(&s, &query, &[]);
        assert_eq!(
            ordered_keys(&text, &["data"]),
            ["calculators", "plans", "responsibilityCentres", "missions"],
            "{text}"
        );
    }
}

#[test]
fn pages_of_any_origin_read_without_credentials_and_listed_origins_with_them() {
    let s = TestServer::start(Backend::Sqlite, |settings| {
        settings.cors_origins = vec!["http://portal.example".into()];
    });
    let preflight = |origin: &str, headers: &str| {
        s.client
            .request(reqwest::Method::OPTIONS, s.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", headers)
            .send()
            .unwrap()
    };
    // Any origin, no credentials.
    let r = preflight("http://elsewhere.example", "content-type");
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert!(r.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    assert!(r
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
    // Credentials from an origin not listed: refused.
    let r = preflight("http://elsewhere.example", "content-type, authorization");
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    // Credentials from the listed origin.
    let r = preflight("http://portal.example", "content-type, authorization");
    assert_eq!(r.status(), 204);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://portal.example"
    );
    assert_eq!(r.headers()["access-control-allow-credentials"], "true");

    // The requests themselves.
    let (status, body) = s.post(
        &json!({ "query": "{ plans { totalCount } }" }),
        &[("origin", "http://elsewhere.example")],
    );
    assert_eq!(status, 200, "{body:#}");
    let r = s.get(
        "/graphql?query=%7B%20plans%20%7B%20totalCount%20%7D%20%7D",
        &[("origin", "http://elsewhere.example")],
    );
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert!(r.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .contains("ETag"));
    let token = s.token(Role::Viewer, "portal");
    let bearer = format!("Bearer {token}");
    let (status, body) = s.post(
        &json!({ "query": "{ plans { totalCount } }" }),
        &[
            ("origin", "http://elsewhere.example"),
            ("authorization", &bearer),
        ],
    );
    assert_eq!(status, 403, "{body:#}");
    assert_eq!(codes(&body), ["CORS_FORBIDDEN"]);
    let r = s
        .client
        .post(s.url("/graphql"))
        .header("content-type", "application/json")
        .header("origin", "http://portal.example")
        .header("authorization", &bearer)
        .body(json!({ "query": "{ plans { totalCount } }" }).to_string())
        .send()
        .unwrap();
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://portal.example"
    );
    assert_eq!(r.headers()["access-control-allow-credentials"], "true");
    let body: Value = r.json().unwrap();
    assert!(body["data"]["plans"]["totalCount"].is_number(), "{body:#}");
    // The health probe is called by browsers too.
    let r = s.get("/healthz", &[("origin", "http://elsewhere.example")]);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
}

#[test]
fn gzip_and_brotli_bodies_decode_to_the_same_json() {
    let s = TestServer::start(Backend::Sqlite, |_| {});
    let body = json!({ "query": "{ plans { nodes { code objectives(first: 50) { nodes { code title indicators { code description } } } } } }" });
    let fetch = |encoding: Option<&str>| {
        let mut request = s
            .client
            .post(s.url("/graphql"))
            .header("content-type", "application/json");
        if let Some(encoding) = encoding {
            request = request.header("accept-encoding", encoding);
        }
        let r = request.body(body.to_string()).send().unwrap();
        let header = r
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_string());
        (header, r.bytes().unwrap().to_vec())
    };
    let (plain_encoding, plain) = fetch(None);
    assert_eq!(plain_encoding, None);
    let (gzip_encoding, gzip) = fetch(Some("gzip"));
    assert_eq!(gzip_encoding.as_deref(), Some("gzip"));
    let (br_encoding, br) = fetch(Some("br"));
    assert_eq!(br_encoding.as_deref(), Some("br"));
    let mut from_gzip = Vec::new();
    flate2::read::GzDecoder::new(&gzip[..])
        .read_to_end(&mut from_gzip)
        .unwrap();
    let mut from_br = Vec::new();
    brotli_decompressor::Decompressor::new(&br[..], 4096)
        .read_to_end(&mut from_br)
        .unwrap();
    assert_eq!(from_gzip, plain);
    assert_eq!(from_br, plain);
    assert!(gzip.len() < plain.len() && br.len() < plain.len());
    let json: Value = serde_json::from_slice(&plain).unwrap();
    assert!(json["data"]["plans"]["nodes"][0]["code"].is_string());
}

#[test]
fn get_answers_carry_a_weak_etag_and_an_unchanged_database_answers_304() {
    for backend in TestDatabase::backends() {
        let s = TestServer::start(backend, |_| {});
        let url = "/graphql?query=%7B%20plans%20%7B%20totalCount%20%7D%20%7D";
        let r = s.get(url, &[]);
        assert_eq!(r.status(), 200);
        let tag = r.headers()["etag"].to_str().unwrap().to_string();
        assert_eq!(r.headers()["cache-control"], "public, no-cache");
        let r = s.get(url, &[("if-none-match", &tag)]);
        assert_eq!(r.status(), 304);
        assert_eq!(r.headers()["etag"].to_str().unwrap(), tag);
        // A token holder's answer is private, and tagged apart.
        let token = s.token(Role::Viewer, "reader");
        let bearer = format!("Bearer {token}");
        let r = s.get(url, &[("authorization", &bearer), ("if-none-match", &tag)]);
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["cache-control"], "private, no-cache");
        // A write changes the tag.
        let editor = s.token(Role::Editor, "writer");
        s.data(
            r#"mutation { createPlan(input: { code: "etag-plan", kind: ANNUAL_OBJECTIVES, title: "A plan", firstYear: 2025, lastYear: 2025 }) { id } }"#,
            json!({}),
            Some(&editor),
        );
        let r = s.get(url, &[("if-none-match", &tag)]);
        assert_eq!(r.status(), 200, "a new plan: a new answer");
        assert_ne!(r.headers()["etag"].to_str().unwrap(), tag);
        // POST answers (mutations, or queries a cache cannot key) get none.
        let r = s
            .client
            .post(s.url("/graphql"))
            .header("content-type", "application/json")
            .body(json!({ "query": "{ plans { totalCount } }" }).to_string())
            .send()
            .unwrap();
        assert!(r.headers().get("etag").is_none());
    }
}

#[test]
fn persisted_queries_follow_apollos_protocol_on_get_and_post() {
    let s = TestServer::start(Backend::Sqlite, |_| {});
    let query = "{ plans { totalCount } }";
    let hash = hex::encode(Sha256::digest(query));
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });

    // An unknown hash: the error Apollo's link looks for.
    let (status, body) = s.post(&json!({ "extensions": extensions }), &[]);
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(codes(&body), ["PERSISTED_QUERY_NOT_FOUND"]);
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    // The query with its hash registers it; then the hash alone runs it.
    let (status, body) = s.post(&json!({ "query": query, "extensions": extensions }), &[]);
    assert_eq!(status, 200, "{body:#}");
    let total = body["data"]["plans"]["totalCount"].clone();
    assert!(total.is_number(), "{body:#}");
    let (_, body) = s.post(&json!({ "extensions": extensions }), &[]);
    assert_eq!(body["data"]["plans"]["totalCount"], total, "{body:#}");
    let r = s.get_graphql(&[("extensions", &extensions.to_string())], &[]);
    let (status, body) = status_and_json(r);
    assert_eq!(status, 200);
    assert_eq!(body["data"]["plans"]["totalCount"], total, "{body:#}");
    // A hash that is not the query's is refused.
    let (status, body) = s.post(
        &json!({ "query": "{ missions(first: 1) { totalCount } }", "extensions": extensions }),
        &[],
    );
    assert_eq!(status, 400, "{body:#}");
    assert_eq!(codes(&body), ["BAD_REQUEST"]);
}

#[test]
fn a_batch_is_answered_with_an_array_in_order_and_bounded() {
    let s = TestServer::start(Backend::Sqlite, |settings| settings.max_batch = 3);
    let batch = json!([
        { "query": "{ plans { totalCount } }" },
        { "query": "query A { plans { totalCount } } query B { missions(first: 1) { totalCount } }", "operationName": "B" },
        { "query": "{ nope }" },
    ]);
    let (status, body) = s.post(&batch, &[]);
    assert_eq!(status, 200, "{body:#}");
    let answers = body.as_array().expect("an array");
    assert_eq!(answers.len(), 3);
    assert!(answers[0]["data"]["plans"]["totalCount"].is_number());
    assert!(
        answers[1]["data"]["missions"]["totalCount"].is_number(),
        "{body:#}"
    );
    assert_eq!(codes(&answers[2]), ["GRAPHQL_VALIDATION_FAILED"]);
    let four = Value::Array(vec![json!({ "query": "{ plans { totalCount } }" }); 4]);
    let (status, body) = s.post(&four, &[]);
    assert_eq!(status, 400, "{body:#}");
    assert!(message(&body).contains("CRUSCOTTO_MAX_BATCH"), "{body:#}");
    let (status, _) = s.post(&json!([]), &[]);
    assert_eq!(status, 400);
}

#[test]
fn the_probes_answer_get_and_head() {
    let s = TestServer::start(Backend::Sqlite, |_| {});
    for path in ["/healthz", "/readyz", "/livez"] {
        let r = s.get(path, &[]);
        assert_eq!(r.status(), 200, "{path}");
        let r = s.client.head(s.url(path)).send().unwrap();
        assert_eq!(r.status(), 200, "HEAD {path}");
        assert!(r.bytes().unwrap().is_empty(), "HEAD {path} has no body");
    }
}

#[test]
fn the_websocket_close_handshake_is_answered_with_the_clients_code() {
    let s = TestServer::start(Backend::Sqlite, |_| {});
    let (mut ws, _) = tungstenite::connect(s.websocket_request()).expect("the upgrade succeeds");
    ws.send(tungstenite::Message::text(
        json!({ "type": "connection_init" }).to_string(),
    ))
    .unwrap();
    let ack = ws.read().unwrap();
    assert!(ack.to_text().unwrap().contains("connection_ack"), "{ack:?}");
    ws.close(Some(tungstenite::protocol::CloseFrame {
        code: tungstenite::protocol::frame::coding::CloseCode::Normal,
        reason: "done".into(),
    }))
    .unwrap();
    let answer = loop {
        match ws.read() {
            Ok(tungstenite::Message::Close(frame)) => break frame,
            Ok(_) => continue,
            Err(e) => panic!("the server answers the close frame, got {e}"),
        }
    };
    assert_eq!(
        answer.map(|f| u16::from(f.code)),
        Some(1000),
        "the server echoes the code"
    );
}

#[test]
fn in_trusted_documents_mode_only_registered_documents_run() {
    use cruscotto_api::trusted::{self, TrustedDocuments};
    for backend in TestDatabase::backends() {
        let s = TestServer::start(backend, |settings| {
            settings.trusted_documents = TrustedDocuments::Only;
        });
        let registered = "query Totals { plans { totalCount } }";
        let hash = trusted::hash(registered);
        s.state
            .db
            .register_document(&hash, registered, "totals.graphql")
            .unwrap();
        let by_hash = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });

        // Sent in full, by hash over POST and over GET: it runs.
        let (status, body) = s.post(&json!({ "query": registered }), &[]);
        assert_eq!(status, 200, "{body:#}");
        assert!(body["data"]["plans"]["totalCount"].is_number(), "{body:#}");
        let (status, body) = s.post(&json!({ "extensions": by_hash }), &[]);
        assert_eq!(status, 200, "{body:#}");
        assert!(body["data"]["plans"]["totalCount"].is_number(), "{body:#}");
        let r = s.get_graphql(&[("extensions", &by_hash.to_string())], &[]);
        let (status, body) = status_and_json(r);
        assert_eq!(status, 200, "{body:#}");
        assert!(body["data"]["plans"]["totalCount"].is_number(), "{body:#}");

        // Anything else is refused, named by its hash, before it is parsed.
        for query in ["{ plans { totalCount } }", "{ not even graphql"] {
            let (status, body) = s.post(&json!({ "query": query }), &[]);
            assert_eq!(status, 403, "{body:#}");
            assert_eq!(codes(&body), ["DOCUMENT_NOT_TRUSTED"]);
            let text = message(&body);
            assert!(text.contains(&trusted::hash(query)), "{text}");
        }
        // A client cannot register one by sending it with its hash.
        let other = "{ missions(first: 1) { totalCount } }";
        let with_hash =
            json!({ "persistedQuery": { "version": 1, "sha256Hash": trusted::hash(other) } });
        let (status, _) = s.post(&json!({ "query": other, "extensions": with_hash }), &[]);
        assert_eq!(status, 403);
        let (status, _) = s.post(&json!({ "extensions": with_hash }), &[]);
        assert_eq!(status, 403);
    }
}
