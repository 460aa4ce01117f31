//! The service over real HTTP, on every configured backend: queries, auth,
//! limits, GET and POST, status codes, subscriptions, health, metrics and
//! request ids.

mod http_support;

use std::time::{Duration, Instant};

use cruscotto_api::auth::Role;
use http_support::*;
use serde_json::{json, Value};

const NESTED: &str = "query Nested($code: String!) {
  plan(code: $code) {
    code title firstYear lastYear
    objectives(first: 3) {
      totalCount
      nodes {
        code title
        responsibilityCentre { name }
        indicators { code description targets { year value { raw number } } }
      }
    }
  }
}";

#[test]
fn a_nested_query_returns_a_plan_with_objectives_indicators_and_targets() {
    for backend in TestDatabase::backends() {
        let s = TestServer::start(backend, |_| {});
        let data = s.data(NESTED, json!({ "code": "piano-agenzia-2025" }), None);
        let plan = &data["plan"];
        assert_eq!(plan["code"], "piano-agenzia-2025", "{data:#}");
        let objectives = plan["objectives"]["nodes"].as_array().expect("objectives");
        assert!(!objectives.is_empty(), "{data:#}");
        assert!(plan["objectives"]["totalCount"].as_i64().unwrap_or(0) >= objectives.len() as i64);
        assert!(
            objectives[0]["responsibilityCentre"]["name"].is_string(),
            "{data:#}"
        );
        let indicators: Vec<&Value> = objectives
            .iter()
            .flat_map(|o| o["indicators"].as_array().into_iter().flatten())
            .collect();
        assert!(!indicators.is_empty(), "{data:#}");
        assert!(
            indicators
                .iter()
                .any(|i| !i["targets"].as_array().is_none_or(|t| t.is_empty())),
            "{data:#}"
        );
    }
}

const CREATE_MISSION: &str = "mutation($code: String!) { createMission(input: { code: $code, name: \"Test\" }) { code name } }";

#[test]
fn reads_are_public_and_mutations_need_a_token_whose_role_allows_them() {
    for backend in TestDatabase::backends() {
        let s = TestServer::start(backend, |_| {});
        s.data("{ plans { totalCount } }", json!({}), None);

        let (status, body) = s.gql(CREATE_MISSION, json!({ "code": "99" }), None);
        assert_eq!(
            (status, codes(&body)),
            (200, vec!["UNAUTHENTICATED".to_string()]),
            "{body:#}"
        );

        let viewer = s.token(Role::Viewer, "reader");
        let (status, body) = s.gql(CREATE_MISSION, json!({ "code": "99" }), Some(&viewer));
        assert_eq!(
            (status, codes(&body)),
            (200, vec!["FORBIDDEN".to_string()]),
            "{body:#}"
        );

        let editor = s.token(Role::Editor, "writer");
        let data = s.data(CREATE_MISSION, json!({ "code": "99" }), Some(&editor));
        assert_eq!(data["createMission"]["code"], "99");
    }
}

#[test]
fn unknown_malformed_and_revoked_tokens_get_401_and_are_never_anonymous() {
    for backend in TestDatabase::backends() {
        let s = TestServer::start(backend, |_| {});
        let editor = s.token(Role::Editor, "soon-revoked");
        s.data(CREATE_MISSION, json!({ "code": "98" }), Some(&editor));
        assert!(s.state.db.revoke_token("soon-revoked").unwrap());

        let unknown = format!("crs_{}", "0".repeat(64));
        for (token, why) in [
            (editor.as_str(), "revoked"),
            (unknown.as_str(), "unknown"),
            ("crs_short", "not a cruscotto token"),
        ] {
            // Even a read, which anonymous callers may make, is refused:
            // a client that meant to authenticate must learn it did not.
            let response = s.gql("{ plans { totalCount } }", json!({}), Some(token));
            assert_error(&response, 401, "UNAUTHENTICATED", why);
            assert!(response.1.get("data").is_none());
        }
        let response = s
            .client
            .post(s.url("/graphql"))
            .header("content-type", "application/json")
            .header("authorization", "Basic dXNlcjpwYXNz")
            .body(r#"{"query":"{ __typename }"}"#)
            .send()
            .unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer realm=\"cruscotto\""
        );
    }
}

#[test]
fn reads_can_be_configured_to_require_a_token() {
    for backend in TestDatabase::backends() {
        let s = TestServer::start(backend, |c| c.require_token_for_reads = true);
        let (status, body) = s.gql("{ plans { totalCount } }", json!({}), None);
        assert_eq!(status, 401, "{body:#}");
        assert_eq!(codes(&body), ["UNAUTHENTICATED"]);
        let viewer = s.token(Role::Viewer, "reader");
        s.data("{ plans { totalCount } }", json!({}), Some(&viewer));
    }
}

#[test]
fn queries_deeper_than_the_limit_are_refused_with_a_clear_error() {
    for backend in TestDatabase::backends() {
        let s = TestServer::start(backend, |c| c.max_depth = 4);
        let (status, body) = s.gql(NESTED, json!({ "code": "x" }), None);
        assert_eq!(status, 400, "{body:#}");
        assert_eq!(codes(&body), ["QUERY_TOO_DEEP"]);
        assert_eq!(
            body["errors"][0]["message"],
            "the query is nested deeper than the limit of 4 levels"
        );
        assert!(body.get("data").is_none());
        // Within the limit, the same server answers.
        s.data("{ plans { nodes { code } } }", json!({}), None);
    }
}

#[test]
fn queries_more_complex_than_the_limit_are_refused_with_a_clear_error() {
    for backend in TestDatabase::backends() {
        let s = TestServer::start(backend, |c| c.max_complexity = 5);
        let response = s.gql(NESTED, json!({ "code": "x" }), None);
        assert_error(&response, 400, "QUERY_TOO_COMPLEX", "limit of 5");
    }
}

#[test]
fn bodies_over_the_size_limit_get_413_with_a_clear_message() {
    for backend in TestDatabase::backends() {
        let s = TestServer::start(backend, |c| c.max_body_bytes = 1024);
        let padding = " ".repeat(2000);
        let response = s.post(
            &json!({ "query": format!("{{ __typename {padding} }}") }),
            &[],
        );
        assert_error(&response, 413, "PAYLOAD_TOO_LARGE", "1024 bytes");
        // A body without a declared length is measured as it arrives.
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![
            Ok(b"{\"query\": \"{ __typename ".to_vec()),
            Ok(vec![b' '; 2000]),
            Ok(b"}\"}".to_vec()),
        ];
        let reader = std::io::Cursor::new(
            chunks
                .into_iter()
                .flat_map(|c| c.unwrap())
                .collect::<Vec<u8>>(),
        );
        let response = s
            .client
            .post(s.url("/graphql"))
            .header("content-type", "application/json")
            .body(reqwest::blocking::Body::new(reader))
            .send()
            .unwrap();
        assert_eq!(response.status(), 413);
    }
}

#[test]
fn requests_running_past_the_time_limit_get_an_error_instead_of_hanging() {
    for backend in TestDatabase::backends() {
        // Every level of a nested query waits for its batch loader, so this
        // query cannot finish within a millisecond.
        let s = TestServer::start(backend, |c| c.request_timeout = Duration::from_millis(1));
        let started = Instant::now();
        let response = s.gql(NESTED, json!({ "code": "piano-agenzia-2025" }), None);
        assert_error(&response, 503, "TIMEOUT", "time limit");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}

#[test]
fn introspection_can_be_switched_off() {
    for backend in TestDatabase::backends() {
        let on = TestServer::start(backend, |_| {});
        let data = on.data("{ __schema { queryType { name } } }", json!({}), None);
        assert_eq!(data["__schema"]["queryType"]["name"], "QueryRoot");

        let off = TestServer::start(backend, |c| c.introspection = false);
        for query in [
            "{ __schema { queryType { name } } }",
            "{ ...F } fragment F on QueryRoot { __type(name: \"Plan\") { name } }",
        ] {
            let response = off.gql(query, json!({}), None);
            assert_error(
                &response,
                400,
                "INTROSPECTION_DISABLED",
                "introspection is switched off",
            );
        }
        off.data("{ plans { totalCount } }", json!({}), None);
    }
}

#[test]
fn get_runs_queries_but_refuses_mutations_with_405() {
    for backend in TestDatabase::backends() {
        let s = TestServer::start(backend, |_| {});
        let response = s.get_graphql(
            &[
                ("query", "query Q($c: String!) { plan(code: $c) { code } }"),
                ("variables", r#"{"c":"piano-agenzia-2025"}"#),
            ],
            &[("accept", GRAPHQL_RESPONSE_JSON)],
        );
        assert_eq!(
            response.headers()["content-type"],
            "application/graphql-response+json; charset=utf-8"
        );
        let (status, body) = status_and_json(response);
        assert_eq!(status, 200, "{body:#}");
        assert_eq!(body["data"]["plan"]["code"], "piano-agenzia-2025");

        let editor = s.token(Role::Editor, "writer");
        let bearer = format!("Bearer {editor}");
        let response = s.get_graphql(
            &[("query", CREATE_MISSION), ("variables", r#"{"code":"97"}"#)],
            &[("authorization", &bearer)],
        );
        assert_eq!(response.status(), 405);
        assert_eq!(response.headers()["allow"], "POST");
        let (_, body) = status_and_json(response);
        assert_eq!(codes(&body), ["METHOD_NOT_ALLOWED"]);
        let data = s.data("{ mission(code: \"97\") { code } }", json!({}), None);
        assert!(data["mission"].is_null(), "nothing ran: {data:#}");
    }
}

#[test]
fn status_codes_follow_the_graphql_over_http_specification() {
    for backend in TestDatabase::backends() {
        let s = TestServer::start(backend, |_| {});
        let send = |content_type: Option<&str>, accept: Option<&str>, body: &str| {
            let mut r = s.client.post(s.url("/graphql")).body(body.to_string());
            if let Some(c) = content_type {
                r = r.header("content-type", c);
            }
            if let Some(a) = accept {
                r = r.header("accept", a);
            }
            let response = r.send().unwrap();
            let content_type = response
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string());
            let (status, body) = status_and_json(response);
            (status, content_type.unwrap_or_default(), body)
        };
        let json = Some("application/json");
        let grj = Some(GRAPHQL_RESPONSE_JSON);
        let unknown_field = r#"{"query":"{ noSuchField }"}"#;

        // Validation errors: 400 without data under the new media type,
        // 200 under application/json, which legacy clients expect.
        let (status, ct, body) = send(json, grj, unknown_field);
        assert_eq!(
            (status, ct.as_str()),
            (400, "application/graphql-response+json; charset=utf-8")
        );
        assert!(body.get("data").is_none());
        assert_eq!(codes(&body), ["GRAPHQL_VALIDATION_FAILED"]);
        let (status, ct, _) = send(json, json, unknown_field);
        assert_eq!(
            (status, ct.as_str()),
            (200, "application/json; charset=utf-8")
        );
        // No Accept header means application/json.
        let (status, ct, _) = send(json, None, unknown_field);
        assert_eq!(
            (status, ct.as_str()),
            (200, "application/json; charset=utf-8")
        );

        let (status, _, body) = send(json, grj, r#"{"query":"{"}"#);
        assert_eq!(
            (status, codes(&body)),
            (400, vec!["GRAPHQL_PARSE_FAILED".to_string()])
        );

        // Execution errors keep 200 and the data.
        let (status, _, body) = send(
            json,
            grj,
            &json!({ "query": CREATE_MISSION, "variables": { "code": "1" } }).to_string(),
        );
        assert_eq!(status, 200, "{body:#}");
        assert!(body.get("data").is_some(), "{body:#}");

        // Malformed requests are 400 whatever the media type.
        for bad in [
            r#"{"query": "{ __typename }""#,
            "[]",
            r#"{"query": 1}"#,
            r#"{"notquery": "{ __typename }"}"#,
            r#"{"query":"{ __typename }","variables":"{}"}"#,
            r#"{"query":"{ __typename }","extensions":[]}"#,
            r#"{"query":"{ __typename }","operationName":1}"#,
            "",
        ] {
            let (status, _, body) = send(json, json, bad);
            assert_eq!(status, 400, "{bad}: {body:#}");
            assert_eq!(codes(&body), ["BAD_REQUEST"], "{bad}");
        }

        let (status, _, body) = send(Some("text/plain"), grj, r#"{"query":"{ __typename }"}"#);
        assert_eq!(
            (status, codes(&body)),
            (415, vec!["UNSUPPORTED_MEDIA_TYPE".to_string()])
        );
        let (status, _, _) = send(None, grj, r#"{"query":"{ __typename }"}"#);
        assert_eq!(status, 415);
        let (status, _, _) = send(
            Some("application/json; charset=latin1"),
            grj,
            r#"{"query":"{ __typename }"}"#,
        );
        assert_eq!(status, 415);
        let (status, _, body) = send(json, Some("text/csv"), r#"{"query":"{ __typename }"}"#);
        assert_eq!(
            (status, codes(&body)),
            (406, vec!["NOT_ACCEPTABLE".to_string()])
        );

        // operationName picks one of several operations.
        let two = json!({ "query": "query A { __typename } query B { plans { totalCount } }", "operationName": "B" });
        let (status, _, body) = send(json, grj, &two.to_string());
        assert_eq!(status, 200, "{body:#}");
        assert!(body["data"]["plans"]["totalCount"].is_number(), "{body:#}");
        let unnamed = json!({ "query": "query A { __typename } query B { __typename }" });
        let (status, _, _) = send(json, grj, &unnamed.to_string());
        assert_eq!(status, 400);

        let response = s.client.delete(s.url("/graphql")).send().unwrap();
        assert_eq!(response.status(), 405);
        assert_eq!(response.headers()["allow"], "GET, POST");
    }
}

#[test]
fn a_subscriber_receives_the_event_of_a_recorded_measurement() {
    use tungstenite::Message;

    for backend in TestDatabase::backends() {
        let s = TestServer::start(backend, |c| c.require_token_for_reads = true);
        let viewer = s.token(Role::Viewer, "watcher");
        let editor = s.token(Role::Editor, "writer");
        let (objective, indicator) = {
            let bearer = format!("Bearer {viewer}");
            let (_, body) = s.post(
                &json!({ "query": "{ plans(first: 10) { nodes { objectives(first: 20) { nodes { id indicators { id } } } } } }" }),
                &[("authorization", &bearer)],
            );
            let objective = body["data"]["plans"]["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|p| p["objectives"]["nodes"].as_array().into_iter().flatten())
                .find(|o| o["indicators"].as_array().is_some_and(|i| !i.is_empty()))
                .unwrap_or_else(|| panic!("an objective with indicators: {body:#}"))
                .clone();
            (
                objective["id"].as_str().unwrap().to_string(),
                objective["indicators"][0]["id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        };

        let (mut ws, response) =
            tungstenite::connect(s.websocket_request()).expect("the upgrade succeeds");
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            "graphql-transport-ws"
        );
        if let tungstenite::stream::MaybeTlsStream::Plain(stream) = ws.get_mut() {
            stream
                .set_read_timeout(Some(Duration::from_millis(300)))
                .unwrap();
        }
        let send = |ws: &mut tungstenite::WebSocket<_>, v: Value| {
            ws.send(Message::text(v.to_string())).unwrap()
        };
        send(
            &mut ws,
            json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {viewer}") } }),
        );
        let read = |ws: &mut tungstenite::WebSocket<
            tungstenite::stream::MaybeTlsStream<std::net::TcpStream>,
        >|
         -> Option<Value> {
            match ws.read() {
                Ok(Message::Text(text)) => Some(serde_json::from_str(text.as_str()).unwrap()),
                Ok(_) => None,
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    None
                }
                Err(e) => panic!("the connection fails: {e}"),
            }
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            assert!(Instant::now() < deadline, "no connection_ack");
            if read(&mut ws).is_some_and(|m| m["type"] == "connection_ack") {
                break;
            }
        }
        send(
            &mut ws,
            json!({ "id": "1", "type": "subscribe", "payload": {
                "query": "subscription($o: ID!) { indicatorChanges(objective: $o) { kind period indicatorId } }",
                "variables": { "o": objective } } }),
        );
        // The subscription starts listening asynchronously: record until
        // an event arrives rather than guess how long that takes.
        let record = "mutation($i: ID!) { recordMeasurement(indicator: $i, period: \"2025-03\", value: \"42\", source: \"test\") { id } }";
        let event = 'outer: loop {
            assert!(Instant::now() < deadline, "no event arrived");
            s.data(record, json!({ "i": indicator }), Some(&editor));
            for _ in 0..3 {
                if let Some(message) = read(&mut ws) {
                    if message["type"] == "next" {
                        break 'outer message;
                    }
                    assert_ne!(message["type"], "error", "{message:#}");
                }
            }
        };
        assert_eq!(event["id"], "1");
        let change = &event["payload"]["data"]["indicatorChanges"];
        assert_eq!(change["kind"], "MEASUREMENT_RECORDED", "{event:#}");
        assert_eq!(change["period"], "2025-03");
        assert_eq!(change["indicatorId"], indicator.as_str());
    }
}

#[test]
fn a_subscription_without_a_required_token_is_closed() {
    use tungstenite::Message;

    let s = TestServer::start(Backend::Sqlite, |c| c.require_token_for_reads = true);
    let (mut ws, _) = tungstenite::connect(s.websocket_request()).unwrap();
    ws.send(Message::text(
        json!({ "type": "connection_init", "payload": {} }).to_string(),
    ))
    .unwrap();
    loop {
        match ws.read() {
            Ok(Message::Close(Some(frame))) => {
                // async-graphql closes refused connections with 1002 rather
                // than the protocol's recommended 4403; the reason says why.
                assert!(
                    frame.reason.as_str().contains("requires a bearer token"),
                    "{frame:?}"
                );
                break;
            }
            Ok(Message::Text(text)) => assert!(!text.contains("connection_ack"), "{text}"),
            Ok(_) => {}
            Err(e) => panic!("expected a close frame, got {e}"),
        }
    }
}

#[test]
fn healthz_answers_ok_when_the_database_does() {
    for backend in TestDatabase::backends() {
        let s = TestServer::start(backend, |_| {});
        let (status, body) = status_and_json(s.get("/healthz", &[]));
        assert_eq!((status, body), (200, json!({ "status": "ok" })));
    }
}

#[test]
fn metrics_count_requests_by_route_and_status_and_errors_by_code() {
    for backend in TestDatabase::backends() {
        let s = TestServer::start(backend, |_| {});
        s.data("{ plans { totalCount } }", json!({}), None);
        s.gql(CREATE_MISSION, json!({ "code": "96" }), None);
        s.gql("{ noSuchField }", json!({}), None);
        s.get("/no/such/page", &[]);
        let response = s.get("/metrics", &[]);
        assert_eq!(
            response.headers()["content-type"],
            "text/plain; version=0.0.4; charset=utf-8"
        );
        let text = response.text().unwrap();
        for line in [
            "cruscotto_http_requests_total{route=\"/graphql\",method=\"POST\",status=\"200\"} 2",
            "cruscotto_http_requests_total{route=\"/graphql\",method=\"POST\",status=\"400\"} 1",
            "cruscotto_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1",
            "cruscotto_http_request_duration_seconds_count{route=\"/graphql\"} 3",
            "cruscotto_graphql_errors_total{code=\"UNAUTHENTICATED\"} 1",
            "cruscotto_graphql_errors_total{code=\"GRAPHQL_VALIDATION_FAILED\"} 1",
            "# TYPE cruscotto_http_request_duration_seconds histogram",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
    }
}

#[test]
fn request_ids_are_echoed_when_given_and_generated_otherwise() {
    let s = TestServer::start(Backend::Sqlite, |_| {});
    let response = s.get("/healthz", &[("x-request-id", "trace-42")]);
    assert_eq!(response.headers()["x-request-id"], "trace-42");
    let a = s.get("/healthz", &[]);
    let b = s.get("/healthz", &[("x-request-id", "bad id with spaces")]);
    let (a, b) = (
        a.headers()["x-request-id"].to_str().unwrap(),
        b.headers()["x-request-id"].to_str().unwrap(),
    );
    assert_eq!(a.len(), 32);
    assert_eq!(b.len(), 32, "an unusable id is replaced");
    assert_ne!(a, b);
}

#[test]
fn the_ide_is_served_with_its_assets_under_a_strict_content_policy() {
    let s = TestServer::start(Backend::Sqlite, |_| {});
    let page = s.get("/graphiql", &[]);
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("script-src 'self'"));
    let html = page.text().unwrap();
    assert!(html.contains("/graphiql/app.js") && html.contains("/graphiql/app.css"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing from elsewhere"
    );
    for (asset, content_type) in [
        ("app.js", "text/javascript; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
    ] {
        let response = s.get(&format!("/graphiql/{asset}"), &[]);
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], content_type);
    }
    assert_eq!(s.get("/graphiql/other.js", &[]).status(), 404);
    let no_redirects = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let root = no_redirects.get(s.url("/")).send().unwrap();
    assert_eq!(
        (
            root.status().as_u16(),
            root.headers()["location"].to_str().unwrap()
        ),
        (303, "/graphiql")
    );
}

#[test]
fn a_graceful_stop_lets_a_request_in_flight_finish() {
    /// A request body that arrives in two parts, a second apart: the
    /// request is in flight, deterministically, while the server stops.
    struct SlowBody {
        parts: Vec<Vec<u8>>,
    }
    impl std::io::Read for SlowBody {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.parts.is_empty() {
                return Ok(0);
            }
            if self.parts.len() == 1 {
                std::thread::sleep(Duration::from_millis(1000));
            }
            let part = self.parts.remove(0);
            buf[..part.len()].copy_from_slice(&part);
            Ok(part.len())
        }
    }

    let s = TestServer::start(Backend::Sqlite, |_| {});
    let client = s.client.clone();
    let url = s.url("/graphql");
    let in_flight = std::thread::spawn(move || {
        let body = SlowBody {
            parts: vec![
                b"{\"query\": \"{ plans ".to_vec(),
                b"{ totalCount } }\"}".to_vec(),
            ],
        };
        client
            .post(url)
            .header("content-type", "application/json")
            .body(reqwest::blocking::Body::new(body))
            .send()
    });
    std::thread::sleep(Duration::from_millis(300));
    drop(s.handle().stop(true));
    let response = in_flight
        .join()
        .unwrap()
        .expect("the request in flight gets its answer");
    let (status, body) = status_and_json(response);
    assert_eq!(status, 200, "{body:#}");
    assert!(body["data"]["plans"]["totalCount"].is_number(), "{body:#}");
    // And no new connection is accepted any more.
    std::thread::sleep(Duration::from_millis(200));
    assert!(s.client.get(s.url("/healthz")).send().is_err());
}

#[test]
fn response_fields_keep_the_order_of_the_query() {
    let s = TestServer::start(Backend::Sqlite, |_| {});
    let response = s
        .client
        .post(s.url("/graphql"))
        .header("content-type", "application/json")
        .body(r#"{"query":"{ plan(code: \"piano-agenzia-2025\") { title code firstYear } }"}"#)
        .send()
        .unwrap();
    let text = response.text().unwrap();
    let (title, code, year) = (
        text.find("\"title\""),
        text.find("\"code\""),
        text.find("\"firstYear\""),
    );
    assert!(title < code && code < year, "{text}");
}

#[test]
fn a_port_already_in_use_is_reported_with_its_address() {
    let t = TestDatabase::new(Backend::Sqlite);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let settings = cruscotto_api::Settings {
        listen: address.clone(),
        database_url: t.url.clone(),
        ..cruscotto_api::Settings::default()
    };
    let built = cruscotto_api::http::block_on(cruscotto_api::Application::build_with_database(
        settings,
        t.db.clone(),
    ));
    let error = built.expect_err("the port is taken").to_string();
    assert!(
        error.starts_with(&format!("cannot listen on {address}: ")),
        "{error}"
    );
}

#[test]
fn a_query_sent_again_gets_the_same_answer_and_the_same_errors() {
    // The second and later requests of a text use the cached document
    // (http/documents.rs); what the client sees must not change.
    for backend in TestDatabase::backends() {
        let s = TestServer::start(backend, |c| c.max_depth = 6);
        let query =
            json!({ "query": "{ plans(first: 5) { totalCount edges { node { code title } } } }" });
        let first = s.post(&query, &[]);
        assert_eq!(first.0, 200, "{:#}", first.1);
        assert!(first.1["data"]["plans"]["totalCount"].as_i64() > Some(0));
        assert_eq!(s.post(&query, &[]), first);
        assert_eq!(s.post(&query, &[]), first);

        // A document that failed validation fails it every time.
        let invalid = json!({ "query": "{ plans { edges { node { noSuchField } } } }" });
        for _ in 0..3 {
            let (status, body) = s.post(&invalid, &[]);
            assert_eq!(
                (status, codes(&body)),
                (400, vec!["GRAPHQL_VALIDATION_FAILED".to_string()]),
                "{body:#}"
            );
        }

        // A document with variables is validated with each request's
        // values: a value of the wrong type after a good one is still a
        // request error, not a field error.
        let text = "query($n: Int) { plans(first: $n) { totalCount } }";
        let (status, body) = s.post(&json!({ "query": text, "variables": { "n": 1 } }), &[]);
        assert_eq!(status, 200, "{body:#}");
        let (status, body) = s.post(&json!({ "query": text, "variables": { "n": "one" } }), &[]);
        assert_eq!(status, 400, "{body:#}");
        assert!(body.get("data").is_none(), "{body:#}");

        // A document over the depth limit is refused every time.
        let deep =
            "{ plans { nodes { objectives { nodes { indicators { objective { code } } } } } } }";
        for _ in 0..2 {
            let (status, body) = s.post(&json!({ "query": deep }), &[]);
            assert_eq!(status, 400, "{body:#}");
            assert_eq!(codes(&body), ["QUERY_TOO_DEEP"], "{body:#}");
        }
    }
}
