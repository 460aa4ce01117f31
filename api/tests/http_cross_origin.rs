//! A page served from another origin reads the public tree with `fetch`
//! in a real headless Chromium and renders it; the same page asking with
//! credentials is let through only from an origin listed in
//! `CRUSCOTTO_CORS_ORIGINS`, and refused by the browser from any other.

mod browser_support;
mod http_support;

use std::io::{Read, Write};
use std::net::TcpListener;

use browser_support::{browser_available, Driver};
use cruscotto_api::auth::Role;
use http_support::*;
use serde_json::json;

/// The portal's page: reads the missions and their programs without
/// credentials and renders them as a list, then asks again with a bearer
/// token (`credentials: "include"` and an `Authorization` header, so the
/// browser sends a preflight) and writes what happened.
fn portal_page(api: &str, token: &str) -> String {
    format!(
        r#"<!doctype html>
<html><head><meta charset="utf-8"><title>Portale trasparenza</title></head>
<body>
<h1>Missioni</h1>
<ul id="tree"></ul>
<p id="public">reading…</p>
<p id="credentials">asking…</p>
<script>
const API = {api:?};
const QUERY = "{{ missions(first: 50) {{ nodes {{ code name programs {{ code }} }} }} }}";
async function ask(withToken) {{
  const headers = {{ "content-type": "application/json" }};
  if (withToken) headers.authorization = "Bearer " + {token:?};
  try {{
    const response = await fetch(API, {{
      method: "POST",
      headers,
      credentials: withToken ? "include" : "omit",
      body: JSON.stringify({{ query: QUERY }}),
    }});
    return await response.json();
  }} catch (e) {{
    return {{ refused: e.name + ": " + e.message }};
  }}
}}
(async () => {{
  const open = await ask(false);
  if (open.refused || !open.data) {{
    document.getElementById("public").textContent = "failed: " + JSON.stringify(open);
  }} else {{
    const list = document.getElementById("tree");
    for (const m of open.data.missions.nodes) {{
      const item = document.createElement("li");
      item.textContent = m.code + " " + m.name + " [" + m.programs.map((p) => p.code).join(", ") + "]";
      list.appendChild(item);
    }}
    document.getElementById("public").textContent = "read " + open.data.missions.nodes.length + " missions";
  }}
  const private_ = await ask(true);
  document.getElementById("credentials").textContent = private_.refused
    ? "refused (" + private_.refused + ")"
    : "allowed (" + (private_.data ? "data" : JSON.stringify(private_.errors)) + ")";
}})();
</script>
</body></html>"#
    )
}

/// Serves `page` to every request on `listener` (another origin than the
/// API's, by its port), until the process ends.
fn serve_page(listener: TcpListener, page: String) {
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                page.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(page.as_bytes());
        }
    });
}

fn origin_of(listener: &TcpListener) -> String {
    format!(
        "http://127.0.0.1:{}",
        listener.local_addr().expect("an address").port()
    )
}

#[test]
fn a_page_of_another_origin_reads_the_public_tree_and_needs_a_listed_origin_for_credentials() {
    if !browser_available() {
        return;
    }
    // Two portals on ports of their own; the server lists the first.
    let listed_listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let unlisted_listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let listed = format!("{}/", origin_of(&listed_listener));
    let unlisted = format!("{}/", origin_of(&unlisted_listener));
    let listed_origin = origin_of(&listed_listener);
    let server = TestServer::start(Backend::Sqlite, |s| {
        s.cors_origins = vec![listed_origin.clone()];
    });
    let token = server.token(Role::Viewer, "portal");
    let page = portal_page(&server.url("/graphql"), &token);
    serve_page(listed_listener, page.clone());
    serve_page(unlisted_listener, page);

    // What the tree holds, read directly.
    let missions = server.data(
        "{ missions(first: 50) { nodes { code name programs { code } } } }",
        json!({}),
        None,
    );
    let nodes = missions["missions"]["nodes"].as_array().unwrap().clone();
    assert!(!nodes.is_empty(), "the sample plans hold missions");
    let first = &nodes[0];
    let first_line = format!(
        "{} {} [{}]",
        first["code"].as_str().unwrap(),
        first["name"].as_str().unwrap(),
        first["programs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap())
            .collect::<Vec<_>>()
            .join(", ")
    );

    let d = Driver::start();
    for (url, credentials) in [(&unlisted, "refused"), (&listed, "allowed (data)")] {
        d.open(url);
        let public = d.wait_for("#public");
        d.wait_for_text(&public, &format!("read {} missions", nodes.len()));
        let tree = d.find("#tree");
        let rendered = d.text(&tree);
        assert_eq!(
            rendered.lines().next(),
            Some(first_line.as_str()),
            "{url}: the page renders the tree it read:\n{rendered}"
        );
        assert_eq!(rendered.lines().count(), nodes.len(), "{url}");
        let asked = d.find("#credentials");
        let answer = d.wait_for_text(&asked, credentials);
        assert!(answer.starts_with(credentials), "{url}: {answer}");
    }
}
