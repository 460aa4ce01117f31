//! Cross-origin requests from browsers (CORS), on every route.
//!
//! The data is public (transparency), so a page of any origin may read it:
//! answers carry `Access-Control-Allow-Origin: *`, which browsers honour
//! only for requests *without* credentials. Credentials (an
//! `Authorization` header, cookies) are for the origins listed in
//! `CRUSCOTTO_CORS_ORIGINS`: their answers name the origin and carry
//! `Access-Control-Allow-Credentials: true`. A preflight from another
//! origin that asks to send `Authorization` is refused with 403, and so is
//! a request from another origin that carries credentials anyway (a
//! browser would not send it; anything else forging it is told no).
//! Requests of the service's own origin (the IDE) are not cross-origin.
//!
//! Written here rather than with `actix-cors`: that middleware applies one
//! credentials policy to every allowed origin, and this service needs two
//! (anyone without credentials, listed origins with them).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};

use super::Service;

/// How long a browser may keep a preflight's answer, in seconds.
const MAX_AGE_SECONDS: &str = "600";

/// Methods a cross-origin page may use.
const METHODS: &str = "GET, POST, HEAD";

/// Response headers a cross-origin page may read besides the simple ones.
const EXPOSED: &str = "ETag, X-Request-Id";

/// Request headers that carry credentials.
fn is_credential(name: &str) -> bool {
    name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("cookie")
}

pub(crate) async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(|o| o.to_ascii_lowercase())
    else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    if same_origin(&origin, req.headers()) {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let listed = req
        .app_data::<web::Data<Service>>()
        .is_some_and(|s| s.state.settings.cors_origins.contains(&origin));

    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        let response = preflight_answer(&origin, listed, req.headers());
        return Ok(req.into_response(response).map_into_right_body());
    }

    let credentials = req
        .headers()
        .keys()
        .any(|name| is_credential(name.as_str()));
    if credentials && !listed {
        let response = refusal(format!(
            "the origin {origin} may not send credentials to this service: list it in CRUSCOTTO_CORS_ORIGINS"
        ));
        return Ok(req.into_response(response).map_into_right_body());
    }
    let mut response = next.call(req).await?;
    allow(response.headers_mut(), &origin, listed);
    Ok(response.map_into_left_body())
}

/// Whether `origin` is the service's own (as the request's `Host` names
/// it): then the request is not cross-origin.
fn same_origin(origin: &str, headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (origin.split_once("://"), host) {
        (Some((_, authority)), Some(host)) => authority.eq_ignore_ascii_case(host),
        _ => false,
    }
}

fn allow(headers: &mut HeaderMap, origin: &str, listed: bool) {
    if listed {
        if let Ok(origin) = HeaderValue::from_str(origin) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        }
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    } else {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSED),
    );
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}

/// The answer to a preflight: 204 with what the page may do, or 403 saying
/// why not.
fn preflight_answer(origin: &str, listed: bool, headers: &HeaderMap) -> HttpResponse {
    let method = headers
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|m| m.to_str().ok())
        .unwrap_or("");
    if !matches!(method, "GET" | "POST" | "HEAD") {
        return refusal(format!(
            "{method} is not allowed from other origins: use {METHODS}"
        ));
    }
    let requested: Vec<String> = headers
        .get_all(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    if !listed {
        if let Some(credential) = requested.iter().find(|h| is_credential(h)) {
            return refusal(format!(
                "the origin {origin} may not send credentials ({credential}) to this service: list it in CRUSCOTTO_CORS_ORIGINS"
            ));
        }
    }
    let mut response = HttpResponse::NoContent().finish();
    let out = response.headers_mut();
    allow(out, origin, listed);
    out.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(METHODS),
    );
    if !requested.is_empty() {
        if let Ok(value) = HeaderValue::from_str(&requested.join(", ")) {
            out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, value);
        }
    }
    out.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(MAX_AGE_SECONDS),
    );
    out.append(
        header::VARY,
        HeaderValue::from_static("Access-Control-Request-Method, Access-Control-Request-Headers"),
    );
    response
}

/// 403 in the shape of a GraphQL error, so that clients read it as they
/// read every refusal.
fn refusal(message: String) -> HttpResponse {
    HttpResponse::Forbidden()
        .insert_header((header::VARY, "Origin"))
        .json(serde_json::json!({
            "errors": [{ "message": message, "extensions": { "code": "CORS_FORBIDDEN" } }]
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_services_own_origin_is_not_cross_origin() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(same_origin("http://127.0.0.1:8080", &headers));
        assert!(!same_origin("http://127.0.0.1:5173", &headers));
        assert!(!same_origin("null", &headers));
    }

    #[test]
    fn preflights_asking_for_credentials_need_a_listed_origin() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCESS_CONTROL_REQUEST_METHOD,
            HeaderValue::from_static("POST"),
        );
        headers.insert(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            HeaderValue::from_static("content-type, Authorization"),
        );
        let refused = preflight_answer("http://a.example", false, &headers);
        assert_eq!(refused.status(), 403);
        let allowed = preflight_answer("http://a.example", true, &headers);
        assert_eq!(allowed.status(), 204);
        let h = allowed.headers();
        assert_eq!(
            h.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(),
            "http://a.example"
        );
        assert_eq!(
            h.get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS).unwrap(),
            "true"
        );
        assert_eq!(
            h.get(header::ACCESS_CONTROL_ALLOW_HEADERS).unwrap(),
            "content-type, authorization"
        );
        headers.insert(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            HeaderValue::from_static("content-type"),
        );
        let public = preflight_answer("http://a.example", false, &headers);
        assert_eq!(public.status(), 204);
        assert_eq!(
            public
                .headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .unwrap(),
            "*"
        );
        assert!(public
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
            .is_none());
        headers.insert(
            header::ACCESS_CONTROL_REQUEST_METHOD,
            HeaderValue::from_static("DELETE"),
        );
        assert_eq!(
            preflight_answer("http://a.example", true, &headers).status(),
            403
        );
    }
}
