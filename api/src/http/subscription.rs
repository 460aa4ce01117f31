//! Subscriptions over WebSocket at `/graphql` (the `graphql-transport-ws`
//! protocol, and the older `graphql-ws` for clients that still speak it):
//! the upgrade, and who the connection belongs to.
//!
//! The caller is known from the `Authorization` header of the upgrade
//! request or, since browsers cannot set headers on a WebSocket, from the
//! `Authorization` entry of the `connection_init` payload, which wins.

use actix_web::guard::GuardContext;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::Data;
use async_graphql_actix_web::GraphQLSubscription;

use super::Service;
use crate::auth::{self, Principal};
use crate::errors::{ApiError, Code};
use crate::state::AppState;

/// Whether a request asks to become a WebSocket (the header's value is
/// case-insensitive).
pub(crate) fn is_upgrade(ctx: &GuardContext<'_>) -> bool {
    ctx.head()
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// `GET /graphql` with `Upgrade: websocket`.
pub(crate) async fn websocket(
    req: HttpRequest,
    payload: web::Payload,
    service: web::Data<Service>,
) -> actix_web::Result<HttpResponse> {
    let header_value = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let state = service.state.clone();
    let on_init =
        move |payload: serde_json::Value| connection_principal(state, header_value, payload);
    GraphQLSubscription::new(service.schema.clone())
        .on_connection_init(on_init)
        .start(&req, payload)
}

/// The principal of a connection, decided when the client sends
/// `connection_init`. An error closes the connection (code 4403), which is
/// how the protocol says "not allowed".
async fn connection_principal(
    state: AppState,
    header_value: Option<String>,
    payload: serde_json::Value,
) -> async_graphql::Result<Data> {
    let from_payload = ["Authorization", "authorization"]
        .iter()
        .find_map(|key| payload.get(key))
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .ok_or("the Authorization entry must be a string")
        })
        .transpose()?;
    let authorization = from_payload.or(header_value);
    let require_token = state.settings.require_token_for_reads;
    let principal = state
        .blocking(move |db| auth::authenticate(db, authorization.as_deref()))
        .await?;
    if principal == Principal::Anonymous && require_token {
        return Err(ApiError::new(
            Code::Unauthenticated,
            "this server requires a bearer token: send {\"Authorization\": \"Bearer …\"} in connection_init",
        )
        .into());
    }
    tracing::info!(
        principal = principal.name(),
        "subscription connection initialised"
    );
    let mut data = Data::default();
    data.insert(principal);
    Ok(data)
}
