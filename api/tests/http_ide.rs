//! The IDE at `/graphiql` in a real headless Chromium, driven through
//! chromedriver's WebDriver HTTP API: run a query, use a token from the
//! Headers pane, browse the documentation explorer; type with the
//! schema's completions, see a problem underlined, reopen an operation from
//! the history after a reload, follow a subscription; take screenshots.
//!
//! Needs the `chromium` and `chromium-driver` packages. Without them the
//! tests fail, unless `CRUSCOTTO_ALLOW_MISSING` lists `browser`: then they
//! print `SKIPPED` and return.

mod browser_support;
mod http_support;

use std::time::{Duration, Instant};

use browser_support::*;
use cruscotto_api::auth::Role;
use http_support::*;
use serde_json::json;

/// Where the screenshot goes, for a person to look at.
const SCREENSHOT: &str = "/tmp/cruscotto-ide.png";
/// The screenshot with the completion popup open.
const SCREENSHOT_COMPLETION: &str = "/tmp/cruscotto-ide-completion.png";

/// A server over the sample plans, an editor's token and a browser showing
/// the server's IDE; `None` where no browser can run.
fn ide_in_a_browser() -> Option<(TestServer, String, Driver)> {
    if !browser_available() {
        return None;
    }
    let server = TestServer::start(Backend::Sqlite, |_| {});
    let editor = server.token(Role::Editor, "ide");
    let d = Driver::start();
    d.open(&server.url("/graphiql"));
    Some((server, editor, d))
}

#[test]
fn base64_screenshots_decode() {
    assert_eq!(base64_decode("aGVsbG8="), b"hello");
    assert_eq!(base64_decode("aGk="), b"hi");
    assert_eq!(base64_decode("YWJj"), b"abc");
}

#[test]
fn the_ide_runs_queries_with_headers_and_explains_the_schema_in_a_browser() {
    // The server keeps running until the end of the test.
    let Some((_server, editor, d)) = ide_in_a_browser() else {
        return;
    };

    // The page opens with an example query, which runs as it is.
    let query = d.wait_for("#query");
    let result = d.find("#result");
    d.click(&d.find("#run"));
    d.wait_for_text(&result, "\"totalCount\": 2");

    // A query typed by hand, with a variable.
    d.replace_text(&query, "query One($code: String!) {\n  plan(code: $code) {\n  code\n  title\n  objectives(first: 2) { totalCount nodes { code title } }\n}\n}");
    d.replace_text(&d.find("#variables"), r#"{ "code": "piano-agenzia-2025" }"#);
    d.click(&d.find("#run"));
    let text = d.wait_for_text(&result, "\"code\": \"piano-agenzia-2025\"");
    assert!(text.contains("\"objectives\""), "{text}");
    assert!(
        d.text(&d.find("#status")).starts_with("200"),
        "the status line shows the HTTP status"
    );

    // A mutation with the token from the Headers pane.
    d.replace_text(&query, "mutation { createMission(input: { code: \"77\", name: \"Missione di prova\" }) { code name } }");
    d.click(&d.find("#tab-headers"));
    d.replace_text(
        &d.find("#headers"),
        &format!(r#"{{ "Authorization": "Bearer {editor}" }}"#),
    );
    // Ctrl+Enter runs from the editor, as the button does.
    d.call(
        "POST",
        &format!("/element/{query}/value"),
        Some(json!({ "text": "\u{E009}\u{E007}\u{E000}" })),
    );
    d.wait_for_text(&result, "\"name\": \"Missione di prova\"");

    // The documentation explorer: search, open a type, read its description.
    let docs = d.find("#docs-body");
    // Headings are upper-cased by the style sheet, and WebDriver reads
    // text as rendered.
    d.wait_for_text(&docs, "ROOT TYPES");
    d.replace_text(&d.find("#docs-search"), "Indicator");
    d.click(&d.wait_for("#docs-body a[data-type='Indicator']"));
    let text = d.wait_for_text(&docs, "An indicator of an objective");
    assert!(text.contains("targets"), "fields are listed: {text}");
    // Types in field signatures link onward.
    d.click(&d.wait_for("#docs-body a[data-type='Target']"));
    d.wait_for_text(&docs, "A yearly target of an indicator");
    d.click(&d.find("#docs-back"));
    d.wait_for_text(&docs, "An indicator of an objective");

    // Back to a readable query for the screenshot a person looks at.
    d.replace_text(&query, "query One($code: String!) {\n  plan(code: $code) {\n  code\n  title\n  objectives(first: 2) { totalCount nodes { code title indicators { code description } } }\n}\n}");
    d.click(&d.find("#tab-variables"));
    d.click(&d.find("#run"));
    d.wait_for_text(&result, "\"indicators\"");
    d.screenshot(SCREENSHOT);
}

#[test]
fn the_ide_completes_checks_remembers_and_subscribes_in_a_browser() {
    let Some((server, editor, d)) = ide_in_a_browser() else {
        return;
    };
    let (objective, indicator) = server.objective_with_indicator();
    let query = d.wait_for("#query");
    let problems = d.find("#problems");
    // The example is checked against the schema once it is introspected:
    // completion needs it too.
    d.wait_for_text(&problems, "Valid against the schema");

    // Typing a field name opens the suggestions of the type at the cursor,
    // with their types; Down moves, Tab accepts.
    d.replace_text(&query, "{\npla");
    let plans =
        d.wait_for("#completion:not([hidden]) #completions [role='option'][data-label='plans']");
    assert!(
        d.text(&plans).contains("PlanConnection!"),
        "{}",
        d.text(&plans)
    );
    assert_eq!(
        d.attribute(&query, "aria-activedescendant").as_deref(),
        Some("completion-0"),
        "the editor points at the active option"
    );
    d.send_keys(&query, ARROW_DOWN);
    let active = d.find("#completions [aria-selected='true']");
    assert_eq!(d.attribute(&active, "data-label").as_deref(), Some("plans"));
    d.send_keys(&query, TAB);
    // Enter after "{" indents the next line.
    assert_eq!(d.value(&query), "{\n  plans");

    // "(" suggests the field's arguments, Enter accepts one (with its
    // colon); fields of the nested type follow the selection path.
    d.send_keys(&query, "(fi");
    d.wait_for("#completion:not([hidden]) [role='option'][data-label='first']");
    d.send_keys(&query, "\n2) {\nno");
    d.wait_for("#completion:not([hidden]) [role='option'][data-label='nodes']");
    d.send_keys(&query, "\n {\ncod");
    d.wait_for("#completion:not([hidden]) [role='option'][data-label='code']");
    // A closing brace typed on an indented line goes back one level.
    d.send_keys(&query, "\n\nbogus\n}\n}\n}");
    assert_eq!(
        d.value(&query),
        "{\n  plans(first: 2) {\n    nodes {\n      code\n      bogus\n    }\n  }\n}"
    );

    // The unknown field is told in the problems line and underlined.
    d.wait_for_text(&problems, "5:7");
    let text = d.wait_for_text(&problems, "Cannot query field \"bogus\" on type \"Plan\"");
    assert!(!text.contains("Valid"), "{text}");
    let mark = d.wait_for(".highlight .err");
    assert_eq!(d.text(&mark), "bogus");
    d.wait_for(".gutter-lines .bad");

    // Ctrl+Space asks anywhere; at the top level it offers operations.
    // Escape closes the popup.
    d.send_keys(&query, &format!("\n{CONTROL} {RELEASE}"));
    d.wait_for("#completion:not([hidden]) [role='option'][data-label='subscription']");
    d.screenshot(SCREENSHOT_COMPLETION);
    d.send_keys(&query, ESCAPE);
    let popup = d.find("#completion");
    assert!(
        d.attribute(&popup, "hidden").is_some(),
        "Escape closes the suggestions"
    );

    // A query that runs, then another: both go to the history.
    d.replace_text(
        &query,
        "query Planned { plans(first: 2) { totalCount nodes { code } } }",
    );
    d.wait_for_text(&problems, "Valid against the schema");
    let result = d.find("#result");
    d.click(&d.find("#run"));
    d.wait_for_text(&result, "\"totalCount\": 2");
    d.replace_text(&query, "{ missions(first: 1) { totalCount } }");
    d.click(&d.find("#run"));
    d.wait_for_text(&result, "\"missions\"");

    // After a reload the history still has them, newest first; picking
    // one puts it back in the editor with its variables.
    d.call("POST", "/refresh", None);
    let query = d.wait_for("#query");
    d.replace_text(&query, "{ __typename }");
    d.click(&d.find("#history-toggle"));
    d.wait_for("#history-list .history-item");
    let items = d.call(
        "POST",
        "/elements",
        Some(json!({ "using": "css selector", "value": "#history-list .history-item" })),
    );
    let items: Vec<String> = items
        .as_array()
        .expect("history items")
        .iter()
        .map(|i| i[ELEMENT].as_str().expect("an element").to_string())
        .collect();
    assert_eq!(items.len(), 2, "one entry per operation run");
    assert!(
        d.text(&items[0]).contains("missions"),
        "{}",
        d.text(&items[0])
    );
    assert!(
        d.text(&items[1]).contains("Planned"),
        "{}",
        d.text(&items[1])
    );
    d.click(&items[1]);
    assert_eq!(
        d.value(&query),
        "query Planned { plans(first: 2) { totalCount nodes { code } } }"
    );
    d.click(&d.find("#run"));
    let result = d.find("#result");
    d.wait_for_text(&result, "\"totalCount\": 2");

    // A subscription runs over the WebSocket: its events stream into the
    // result pane until Stop closes the connection cleanly.
    d.replace_text(
        &query,
        "subscription Watch($o: ID!) { indicatorChanges(objective: $o) { kind period } }",
    );
    d.replace_text(
        &d.find("#variables"),
        &json!({ "o": objective }).to_string(),
    );
    d.click(&d.find("#run"));
    let status = d.find("#status");
    d.wait_for_text(&status, "Subscribed");
    let record = "mutation($i: ID!) { recordMeasurement(indicator: $i, period: \"2025-03\", value: \"42\", source: \"ide\") { id } }";
    let deadline = Instant::now() + Duration::from_secs(20);
    // The server starts listening asynchronously: record until an event
    // arrives rather than guess how long that takes.
    while !d.text(&result).contains("MEASUREMENT_RECORDED") {
        assert!(
            Instant::now() < deadline,
            "no event arrived: {}",
            d.text(&result)
        );
        server.data(record, json!({ "i": indicator }), Some(&editor));
        std::thread::sleep(Duration::from_millis(300));
    }
    let text = d.text(&result);
    assert!(text.contains("event 1"), "{text}");
    assert!(text.contains("\"period\": \"2025-03\""), "{text}");
    d.click(&d.find("#stop"));
    let text = d.wait_for_text(&status, "closed 1000");
    assert!(text.starts_with("Stopped"), "{text}");
    let history = d.find("#history-list");
    d.wait_for_text(&history, "Watch");
}
