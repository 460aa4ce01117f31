//! The IDE at `/graphiql` in a real headless Chromium, driven through
//! chromedriver's WebDriver HTTP API: run a query, use a token from the
//! Headers pane, browse the documentation explorer, take a screenshot.
//!
//! Needs the `chromium` and `chromium-driver` packages. Without them the
//! test says so and passes, unless `CRUSCOTTO_REQUIRE_BROWSER=1` (CI) makes
//! their absence a failure.

mod http_support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cruscotto_api::auth::Role;
use http_support::*;
use reqwest::blocking::Client;
use serde_json::{json, Value};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// The W3C WebDriver key of element references.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// Where the screenshot goes, for a person to look at.
const SCREENSHOT: &str = "/tmp/cruscotto-ide.png";

/// chromedriver, stopped when dropped.
struct Driver {
    child: Child,
    base: String,
    client: Client,
    session: String,
    _profile: tempfile::TempDir,
}

impl Driver {
    fn start() -> Driver {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
            l.local_addr().expect("an address").port()
        };
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let client = Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("a client");
        let deadline = Instant::now() + Duration::from_secs(20);
        while client.get(format!("{base}/status")).send().is_err() {
            assert!(Instant::now() < deadline, "chromedriver does not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().expect("a profile directory");
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        } } });
        let mut driver = Driver {
            child,
            base,
            client,
            session: String::new(),
            _profile: profile,
        };
        let created = driver.call("POST", "/session", Some(capabilities));
        driver.session = created["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        driver
    }

    /// One WebDriver command; returns its `value`, panicking on an error.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let request = match method {
            "GET" => self.client.get(&url),
            "DELETE" => self.client.delete(&url),
            _ => self
                .client
                .post(&url)
                .json(&body.unwrap_or_else(|| json!({}))),
        };
        let response: Value = request
            .send()
            .expect("chromedriver answers")
            .json()
            .expect("JSON");
        let value = response["value"].clone();
        if let Some(error) = value.get("error") {
            panic!("WebDriver {method} {path}: {error}: {}", value["message"]);
        }
        value
    }

    fn find(&self, css: &str) -> String {
        let found = self.call(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        found[ELEMENT]
            .as_str()
            .expect("an element reference")
            .to_string()
    }

    /// Waits until an element matching `css` exists.
    fn wait_for(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let found = self.call(
                "POST",
                "/elements",
                Some(json!({ "using": "css selector", "value": css })),
            );
            if let Some(first) = found.as_array().and_then(|a| a.first()) {
                return first[ELEMENT]
                    .as_str()
                    .expect("an element reference")
                    .to_string();
            }
            assert!(Instant::now() < deadline, "{css} never appeared");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn text(&self, element: &str) -> String {
        self.call("GET", &format!("/element/{element}/text"), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Waits until the text of `element` contains `needle`; returns it.
    fn wait_for_text(&self, element: &str, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.text(element);
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{needle:?} never appeared; the text is:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn click(&self, element: &str) {
        self.call("POST", &format!("/element/{element}/click"), None);
    }

    fn replace_text(&self, element: &str, text: &str) {
        self.call("POST", &format!("/element/{element}/clear"), None);
        self.call(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        );
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self
                .client
                .delete(format!("{}/session/{}", self.base, self.session))
                .send();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Standard base64, as WebDriver returns screenshots.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .map(value)
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let bits = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, d)| acc | (u32::from(*d) << (18 - 6 * i)));
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

#[test]
fn base64_screenshots_decode() {
    assert_eq!(base64_decode("aGVsbG8="), b"hello");
    assert_eq!(base64_decode("aGk="), b"hi");
    assert_eq!(base64_decode("YWJj"), b"abc");
}

#[test]
fn the_ide_runs_queries_with_headers_and_explains_the_schema_in_a_browser() {
    if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        let required = std::env::var("CRUSCOTTO_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(!required, "CRUSCOTTO_REQUIRE_BROWSER=1 but {CHROMEDRIVER} or {CHROMIUM} is missing (apt-get install chromium chromium-driver)");
        eprintln!("skipped: install chromium and chromium-driver to run the browser test");
        return;
    }
    let server = TestServer::start(Backend::Sqlite, |_| {});
    let editor = server.token(Role::Editor, "ide");
    let d = Driver::start();
    d.call(
        "POST",
        "/url",
        Some(json!({ "url": server.url("/graphiql") })),
    );

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
    let png = base64_decode(
        d.call("GET", "/screenshot", None)
            .as_str()
            .expect("a screenshot"),
    );
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    std::fs::write(SCREENSHOT, png).expect("the screenshot is written");
    eprintln!("screenshot: {SCREENSHOT}");
}
