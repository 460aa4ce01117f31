//! `/healthz` (also `/readyz`): whether the service can answer, which it
//! cannot without its database; load balancers and orchestrators poll it
//! to send it traffic. `/livez`: whether the process runs at all (no
//! database query), for restarting a hung process but not one whose
//! database is down. Each also answers HEAD.

use std::time::Duration;

use actix_web::{web, HttpResponse};

use super::Service;

/// Longer than a healthy database ever takes, shorter than the probes'
/// own timeouts, so that a hung database shows as 503, not as no answer.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// 200 `{"status":"ok"}` when a trivial query succeeds, 503 otherwise.
pub(crate) async fn healthz(service: web::Data<Service>) -> HttpResponse {
    // Reading the applied migrations is a real query on the real schema,
    // and as cheap as `SELECT 1`.
    let check = service.state.blocking(|db| {
        db.applied_migrations()
            .map_err(crate::errors::ApiError::internal)
    });
    let failure = match tokio::time::timeout(CHECK_TIMEOUT, check).await {
        Ok(Ok(_)) => {
            return HttpResponse::Ok()
                .insert_header(("cache-control", "no-store"))
                .json(serde_json::json!({ "status": "ok" }))
        }
        Ok(Err(_)) => "the database did not answer the health query",
        Err(_) => "the database did not answer within 3 s",
    };
    tracing::warn!(reason = failure, "health check failed");
    HttpResponse::ServiceUnavailable()
        .insert_header(("cache-control", "no-store"))
        .json(serde_json::json!({ "status": "unavailable", "reason": failure }))
}

/// 200 `{"status":"alive"}` while the process serves HTTP at all.
pub(crate) async fn livez() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(serde_json::json!({ "status": "alive" }))
}
