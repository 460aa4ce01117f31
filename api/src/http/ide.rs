//! The browser IDE at `/graphiql`: a page written for this project, embedded
//! in the binary so that it works with no network access beyond the service
//! itself. `static/graphiql.js` holds a GraphQL tokenizer and parser (for
//! highlighting, errors while typing checked against the introspected
//! schema, prettify and schema-aware completion) and the page: query,
//! variables and headers editors, history in localStorage, subscriptions
//! over `graphql-transport-ws`, results and the documentation explorer.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

const PAGE: &str = include_str!("../../static/graphiql.html");
const SCRIPT: &str = include_str!("../../static/graphiql.js");
const STYLE: &str = include_str!("../../static/graphiql.css");

/// Everything the page loads comes from this server, and nothing inline
/// runs: a strict policy costs nothing here and blocks injected scripts.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `GET /graphiql`.
pub(crate) async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("content-security-policy", CONTENT_SECURITY_POLICY))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("referrer-policy", "no-referrer"))
        .body(PAGE)
}

/// `GET /graphiql/{asset}`: the page's script and style sheet.
pub(crate) async fn asset(name: web::Path<String>) -> HttpResponse {
    let (content_type, body) = match name.as_str() {
        "app.js" => ("text/javascript; charset=utf-8", SCRIPT),
        "app.css" => ("text/css; charset=utf-8", STYLE),
        _ => {
            return HttpResponse::NotFound()
                .content_type("text/plain; charset=utf-8")
                .body("no such file")
        }
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("x-content-type-options", "nosniff"))
        // The assets change only with the binary; revalidating is cheap.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body)
}

/// `GET /`: people who open the service's address want the IDE.
pub(crate) async fn redirect_to_ide() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/graphiql"))
        .finish()
}
