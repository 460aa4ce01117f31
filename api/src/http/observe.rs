//! What wraps every request: its id (the client's `x-request-id` when it is
//! sensible, a new random one otherwise, echoed in the response), a
//! `tracing` span carrying that id so that every log line of the request
//! can be found, one log line when it finishes, and its measurements.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use tracing::Instrument;

use super::Service;

pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Route label of requests that matched no route: one label for all of
/// them, so that scanners cannot make a label per URL.
const UNMATCHED: &str = "unmatched";

pub(crate) async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| is_acceptable_id(id))
        .map(str::to_string)
        .unwrap_or_else(new_request_id);
    let metrics = req
        .app_data::<web::Data<Service>>()
        .map(|s| s.metrics.clone());
    let method = req.method().to_string();
    let span = tracing::info_span!("request", request_id = %request_id, method = %method, path = %req.path());
    if let Some(m) = &metrics {
        m.request_started();
    }
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let (status, route) = match &result {
        Ok(res) => (res.status().as_u16(), res.request().match_pattern()),
        Err(e) => (e.as_response_error().status_code().as_u16(), None),
    };
    let route = route.unwrap_or_else(|| UNMATCHED.to_string());
    if let Some(m) = &metrics {
        m.request_finished(&route, &method, status, elapsed);
    }
    span.in_scope(|| {
        tracing::info!(status, route = %route, elapsed_ms = elapsed.as_secs_f64() * 1000.0, "request finished");
    });
    let mut res = result?;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(res)
}

/// A client's request id is kept when it is short printable ASCII without
/// spaces: anything else could forge or break log lines.
fn is_acceptable_id(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

/// 128 random bits in hex; a time-based id if the OS has no randomness to
/// give, since an id is for finding log lines, not for security.
fn new_request_id() -> String {
    let mut bytes = [0u8; 16];
    match getrandom::fill(&mut bytes) {
        Ok(()) => hex::encode(bytes),
        Err(_) => format!(
            "t{:x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_ids_are_kept_and_others_replaced() {
        assert!(is_acceptable_id("abc-123"));
        assert!(!is_acceptable_id(""));
        assert!(!is_acceptable_id("a b"));
        assert!(!is_acceptable_id("a\nb"));
        assert!(!is_acceptable_id(&"x".repeat(129)));
        assert_eq!(new_request_id().len(), 32);
    }
}
