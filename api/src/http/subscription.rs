//! Subscriptions over WebSocket at `/graphql` (the `graphql-transport-ws`
//! protocol, and the older `graphql-ws` for clients that still speak it):
//! the upgrade, who the connection belongs to, and for how long.
//!
//! The caller is known from the `Authorization` header of the upgrade
//! request or, since browsers cannot set headers on a WebSocket, from the
//! `Authorization` entry of the `connection_init` payload, which wins.
//!
//! A token can be revoked while its connection is open. The token is
//! checked again before every operation the client starts (`subscribe`,
//! `start`) and every [`RECHECK_EVERY`] while the connection is open; once
//! it is no longer accepted the connection is closed with code 4403 and the
//! reason, and nothing more runs on it.
//!
//! The actor is the one of `async-graphql-actix-web` with those checks
//! added: that crate has no hook to close a connection from the server.

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix::{
    Actor, ActorContext, ActorFutureExt, ActorStreamExt, AsyncContext, ContextFutureSpawner,
    StreamHandler, WrapFuture, WrapStream,
};
use actix_web::guard::GuardContext;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use actix_web_actors::ws::{self, CloseReason, Message, ProtocolError, WebsocketContext};
use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage, ALL_WEBSOCKET_PROTOCOLS};
use async_graphql::Data;

use super::Service;
use crate::auth::{self, Principal};
use crate::errors::{ApiError, Code};
use crate::graph::AppSchema;
use crate::state::AppState;

/// How often the token of an open connection is checked again: a revoked
/// token's connection is closed within this time.
pub(crate) const RECHECK_EVERY: Duration = Duration::from_millis(500);

/// Close code of a connection whose token is not (or no longer) accepted.
const CLOSE_FORBIDDEN: u16 = 4403;

const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(5);
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

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
    let header_value = super::graphql::authorization_header(&req)
        .map_err(|e| actix_web::error::ErrorBadRequest(e.message))?;
    let protocol = req
        .headers()
        .get("sec-websocket-protocol")
        .and_then(|value| value.to_str().ok())
        .and_then(|protocols| {
            protocols
                .split(',')
                .find_map(|p| WebSocketProtocols::from_str(p.trim()).ok())
        })
        .ok_or_else(|| {
            actix_web::error::ErrorBadRequest(
                "Sec-WebSocket-Protocol must name graphql-transport-ws or graphql-ws",
            )
        })?;
    let actor = Connection {
        schema: service.subscription_schema.clone(),
        state: service.state.clone(),
        protocol,
        header_value,
        authorization: Arc::new(Mutex::new(None)),
        last_heartbeat: Instant::now(),
        messages: None,
        continuation: Vec::new(),
        checking: false,
    };
    ws::WsResponseBuilder::new(actor, &req, payload)
        .protocols(&ALL_WEBSOCKET_PROTOCOLS)
        .start()
}

/// One WebSocket connection.
struct Connection {
    schema: AppSchema,
    state: AppState,
    protocol: WebSocketProtocols,
    /// The `Authorization` header of the upgrade request.
    header_value: Option<String>,
    /// The `Authorization` the connection was initialised with, once it
    /// was (`Some(None)`: anonymous).
    authorization: Arc<Mutex<Option<Option<String>>>>,
    last_heartbeat: Instant,
    messages: Option<tokio::sync::mpsc::UnboundedSender<Vec<u8>>>,
    continuation: Vec<u8>,
    /// A periodic check is running.
    checking: bool,
}

impl Connection {
    /// The authorization to check again, if the connection was initialised
    /// with a token.
    fn token(&self) -> Option<String> {
        self.authorization
            .lock()
            .map(|a| a.clone().flatten())
            .unwrap_or_default()
    }

    /// Closes the connection with 4403 and `reason`.
    fn forbid(ctx: &mut WebsocketContext<Self>, reason: String) {
        tracing::info!(%reason, "subscription connection closed: its token is no longer accepted");
        ctx.close(Some(CloseReason {
            code: ws::CloseCode::Other(CLOSE_FORBIDDEN),
            description: Some(reason),
        }));
        ctx.stop();
    }

    /// Checks `token` again; `Some(reason)` when it is no longer accepted.
    /// A database failure is logged and does not close the connection.
    async fn rejected(state: AppState, token: String) -> Option<String> {
        match state
            .blocking(move |db| auth::authenticate(db, Some(&token)))
            .await
        {
            Ok(_) => None,
            Err(e) if e.code == Code::Unauthenticated => Some(e.message),
            Err(_) => None,
        }
    }

    fn forward(&self, message: Vec<u8>, ctx: &mut WebsocketContext<Self>) {
        let sent = self
            .messages
            .as_ref()
            .is_some_and(|tx| tx.send(message).is_ok());
        if !sent {
            ctx.stop();
        }
    }
}

/// Whether a client message starts an operation.
fn starts_operation(message: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Kind<'a> {
        #[serde(rename = "type", borrow)]
        kind: Option<&'a str>,
    }
    serde_json::from_slice::<Kind<'_>>(message)
        .is_ok_and(|m| matches!(m.kind, Some("subscribe" | "start")))
}

impl Actor for Connection {
    type Context = WebsocketContext<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.run_interval(HEARTBEAT_INTERVAL, |act, ctx| {
            if Instant::now().duration_since(act.last_heartbeat) > CLIENT_TIMEOUT {
                ctx.stop();
            }
            ctx.ping(b"");
        });
        ctx.run_interval(RECHECK_EVERY, |act, ctx| {
            let Some(token) = act.token() else { return };
            if act.checking {
                return;
            }
            act.checking = true;
            Self::rejected(act.state.clone(), token)
                .into_actor(act)
                .map(|rejected, act, ctx| {
                    act.checking = false;
                    if let Some(reason) = rejected {
                        Self::forbid(ctx, reason);
                    }
                })
                .spawn(ctx);
        });

        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
        let incoming = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
        let state = self.state.clone();
        let header_value = self.header_value.clone();
        let authorization = self.authorization.clone();
        let on_init = move |payload: serde_json::Value| {
            connection_principal(state, header_value, authorization, payload)
        };
        WebSocket::new(self.schema.clone(), incoming, self.protocol)
            .on_connection_init(on_init)
            .into_actor(self)
            .map(|response, _act, ctx| match response {
                WsMessage::Text(text) => ctx.text(text),
                WsMessage::Close(code, msg) => ctx.close(Some(CloseReason {
                    code: code.into(),
                    description: Some(msg),
                })),
            })
            .finish()
            .spawn(ctx);
        self.messages = Some(tx);
    }
}

impl StreamHandler<Result<Message, ProtocolError>> for Connection {
    fn handle(&mut self, msg: Result<Message, ProtocolError>, ctx: &mut Self::Context) {
        let message = match msg {
            Err(_) => {
                ctx.stop();
                return;
            }
            Ok(Message::Ping(msg)) => {
                self.last_heartbeat = Instant::now();
                ctx.pong(&msg);
                None
            }
            Ok(Message::Pong(_)) => {
                self.last_heartbeat = Instant::now();
                None
            }
            Ok(Message::Continuation(item)) => match item {
                actix_http::ws::Item::FirstText(bytes)
                | actix_http::ws::Item::FirstBinary(bytes) => {
                    self.continuation = bytes.to_vec();
                    None
                }
                actix_http::ws::Item::Continue(bytes) => {
                    self.continuation.extend_from_slice(&bytes);
                    None
                }
                actix_http::ws::Item::Last(bytes) => {
                    self.continuation.extend_from_slice(&bytes);
                    Some(std::mem::take(&mut self.continuation))
                }
            },
            Ok(Message::Text(s)) => Some(s.into_bytes().to_vec()),
            Ok(Message::Binary(bytes)) => Some(bytes.to_vec()),
            // The close handshake: the client's close frame is answered
            // with the same code (RFC 6455, 5.5.1), then the connection ends.
            Ok(Message::Close(reason)) => {
                ctx.close(reason);
                ctx.stop();
                None
            }
            Ok(Message::Nop) => None,
        };
        let Some(message) = message else { return };
        match self.token() {
            // An operation of a connection with a token: the token is
            // checked first. `wait` holds back the messages that follow, so
            // they keep their order.
            Some(token) if starts_operation(&message) => {
                ctx.wait(
                    Self::rejected(self.state.clone(), token)
                        .into_actor(self)
                        .map(move |rejected, act, ctx| match rejected {
                            Some(reason) => Self::forbid(ctx, reason),
                            None => act.forward(message, ctx),
                        }),
                );
            }
            _ => self.forward(message, ctx),
        }
    }
}

/// The principal of a connection, decided when the client sends
/// `connection_init`. An error closes the connection, which is how the
/// protocol says "not allowed". The authorization is kept for the checks
/// that follow.
async fn connection_principal(
    state: AppState,
    header_value: Option<String>,
    kept: Arc<Mutex<Option<Option<String>>>>,
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
    let checked = authorization.clone();
    let principal = state
        .blocking(move |db| auth::authenticate(db, checked.as_deref()))
        .await?;
    if principal == Principal::Anonymous && require_token {
        return Err(ApiError::new(
            Code::Unauthenticated,
            "this server requires a bearer token: send {\"Authorization\": \"Bearer …\"} in connection_init",
        )
        .into());
    }
    if let Ok(mut kept) = kept.lock() {
        *kept = Some(authorization);
    }
    tracing::info!(
        principal = principal.name(),
        "subscription connection initialised"
    );
    let mut data = Data::default();
    data.insert(principal);
    Ok(data)
}
