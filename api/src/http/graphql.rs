//! GraphQL over HTTP at `/graphql`, per the GraphQL-over-HTTP specification:
//! content negotiation, reading and checking the request parameters of GET
//! and POST, authentication, the time limit, and the status code and body
//! of every outcome.
//!
//! This is written here rather than taken from async-graphql-actix-web
//! because the specification's status codes depend on *where* a request
//! failed (parse and validation errors are 400 with
//! `application/graphql-response+json` but 200 with `application/json`),
//! and because parameters of the wrong type must be refused with 400, which
//! the stock integration does not do.

use std::sync::Arc;
use std::time::Instant;

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::{ErrorExtensionValues, Request, Response, ServerError, Variables};
use futures_util::StreamExt;
use serde_json::{Map, Value as Json};

use super::{cache, limits, persisted, Service};
use crate::auth::{self, Principal};
use crate::errors::{ApiError, Code};
use crate::graph::budget::Budget;
use crate::settings::Settings;
use crate::trusted::{self, TrustedDocuments};

/// The media type the specification recommends: its status codes tell a
/// request error (400) from an execution error (200).
const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// Codes of the failures this layer detects itself, before or around
/// execution; resolvers' codes are in [`crate::errors::Code`].
mod codes {
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "UNSUPPORTED_MEDIA_TYPE";
    pub const NOT_ACCEPTABLE: &str = "NOT_ACCEPTABLE";
    pub const METHOD_NOT_ALLOWED: &str = "METHOD_NOT_ALLOWED";
    pub const TIMEOUT: &str = "TIMEOUT";
    pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    pub const INTROSPECTION_DISABLED: &str = "INTROSPECTION_DISABLED";
    pub const RESPONSE_TOO_LARGE: &str = "RESPONSE_TOO_LARGE";
    pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
    pub const DOCUMENT_NOT_TRUSTED: &str = "DOCUMENT_NOT_TRUSTED";
}

/// The body of a response, refusing to grow past the limit: serializing
/// stops there, with an error, instead of building the whole text.
struct LimitedWriter {
    bytes: Vec<u8>,
    limit: usize,
    over: bool,
}

impl std::io::Write for LimitedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > self.limit {
            self.over = true;
            return Err(std::io::Error::other("the response is over the limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The two media types a response can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MediaType {
    GraphqlResponseJson,
    Json,
}

impl MediaType {
    fn content_type(self) -> &'static str {
        match self {
            MediaType::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            MediaType::Json => "application/json; charset=utf-8",
        }
    }
}

/// The media type to answer with, from the `Accept` header: the acceptable
/// one with the highest quality; on a tie the one the specification
/// prefers. A missing header, `*/*` and `application/*` get
/// `application/json`, which every client understands (the specification's
/// rule for legacy clients). `None` when nothing offered is acceptable.
pub(crate) fn negotiate(accept: Option<&str>) -> Option<MediaType> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(MediaType::Json);
    };
    let mut best: Option<(f32, u8, MediaType)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut quality = 1.0f32;
        for param in parts {
            if let Some((key, value)) = param.split_once('=') {
                if key.trim().eq_ignore_ascii_case("q") {
                    quality = value.trim().parse().unwrap_or(0.0);
                }
            }
        }
        // The preference breaks ties between ranges of the same quality.
        let (preference, media) = match essence.as_str() {
            GRAPHQL_RESPONSE_JSON => (2, MediaType::GraphqlResponseJson),
            JSON => (1, MediaType::Json),
            "*/*" | "application/*" => (0, MediaType::Json),
            _ => continue,
        };
        if quality <= 0.0 {
            continue;
        }
        if best.is_none_or(|(q, p, _)| quality > q || (quality == q && preference > p)) {
            best = Some((quality, preference, media));
        }
    }
    best.map(|(_, _, media)| media)
}

/// A request refused before execution, with the status and code it gets.
#[derive(Debug)]
pub(crate) struct HttpError {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// The `Allow` header of a 405.
    allow: Option<&'static str>,
}

impl HttpError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        HttpError {
            status,
            code,
            message: message.into(),
            allow: None,
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        HttpError::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message)
    }

    fn from_api(e: ApiError) -> Self {
        let status = match e.code {
            Code::Unauthenticated => StatusCode::UNAUTHORIZED,
            Code::Forbidden => StatusCode::FORBIDDEN,
            Code::BadUserInput => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        HttpError::new(status, e.code.as_str(), e.message)
    }

    /// The response: a GraphQL response with one error and no `data`
    /// entry, so that clients read every failure the same way.
    fn respond(self, service: &Service, media: MediaType) -> HttpResponse {
        service.metrics.graphql_error(self.code);
        let body = serde_json::json!({
            "errors": [{ "message": self.message, "extensions": { "code": self.code } }]
        });
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, media.content_type()));
        if let Some(allow) = self.allow {
            response.insert_header((header::ALLOW, allow));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"cruscotto\""));
        }
        response.body(body.to_string())
    }
}

/// The parameters of a GraphQL request, however they were sent. The query
/// may be missing when a persisted query's hash stands for it
/// ([`persisted`](super::persisted)).
#[derive(Debug, Default)]
struct Params {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<Map<String, Json>>,
    extensions: Option<Map<String, Json>>,
}

/// `POST /graphql` with a JSON body.
pub(crate) async fn post(
    req: HttpRequest,
    payload: web::Payload,
    service: web::Data<Service>,
) -> HttpResponse {
    let Some(media) = negotiate(header_str(&req, header::ACCEPT)) else {
        return not_acceptable(&service);
    };
    // A client sending its body slowly is held to the time limit too.
    let settings = &service.state.settings;
    let read = post_params(&req, payload, settings.max_body_bytes, settings.max_batch);
    let params = match tokio::time::timeout(settings.request_timeout, read).await {
        Ok(Ok(Posted::One(params))) => params,
        Ok(Ok(Posted::Batch(batch))) => return execute_batch(&req, &service, batch, media).await,
        Ok(Err(e)) => return e.respond(&service, media),
        Err(_) => {
            return HttpError::new(
                StatusCode::REQUEST_TIMEOUT,
                codes::TIMEOUT,
                format!(
                    "the request body did not arrive within {} ms, the time limit (CRUSCOTTO_REQUEST_TIMEOUT_MS)",
                    settings.request_timeout.as_millis()
                ),
            )
            .respond(&service, media)
        }
    };
    execute(&req, &service, params, media, Caching::None, Instant::now()).await
}

/// A batch (a JSON array of requests, as Apollo's `BatchHttpLink` sends):
/// each runs in turn, as it would alone, within one time limit for the
/// whole batch; the answer is the array of their answers, in order, and
/// over the response limit as a whole it is refused.
async fn execute_batch(
    req: &HttpRequest,
    service: &Service,
    batch: Vec<Params>,
    media: MediaType,
) -> HttpResponse {
    let started = Instant::now();
    let limit = service.state.settings.max_response_bytes;
    let mut body = Vec::from(*b"[");
    for (i, params) in batch.into_iter().enumerate() {
        let answer = execute(req, service, params, media, Caching::None, started).await;
        let bytes = actix_web::body::to_bytes(answer.into_body())
            .await
            .unwrap_or_default();
        if body.len() + bytes.len() + 2 > limit {
            return response_too_large(service, media);
        }
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(&bytes);
    }
    body.push(b']');
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, media.content_type()))
        .insert_header((header::VARY, "Accept"))
        .body(body)
}

/// `GET /graphql?query=…&variables=…`: queries only.
pub(crate) async fn get(req: HttpRequest, service: web::Data<Service>) -> HttpResponse {
    let Some(media) = negotiate(header_str(&req, header::ACCEPT)) else {
        // A browser opening the endpoint wants the IDE, not an error.
        if req.query_string().is_empty()
            && header_str(&req, header::ACCEPT).is_some_and(|a| a.contains("text/html"))
        {
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/graphiql"))
                .finish();
        }
        return not_acceptable(&service);
    };
    match get_params(req.query_string()) {
        Ok(params) => {
            execute(
                &req,
                &service,
                params,
                media,
                Caching::Conditional,
                Instant::now(),
            )
            .await
        }
        Err(e) => e.respond(&service, media),
    }
}

/// Any other method on `/graphql`.
pub(crate) async fn method_not_allowed(
    req: HttpRequest,
    service: web::Data<Service>,
) -> HttpResponse {
    let media = negotiate(header_str(&req, header::ACCEPT)).unwrap_or(MediaType::Json);
    HttpError {
        allow: Some("GET, POST"),
        ..HttpError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            codes::METHOD_NOT_ALLOWED,
            format!(
                "{} is not supported on /graphql: use POST, or GET for queries",
                req.method()
            ),
        )
    }
    .respond(&service, media)
}

fn not_acceptable(service: &Service) -> HttpResponse {
    HttpError::new(
        StatusCode::NOT_ACCEPTABLE,
        codes::NOT_ACCEPTABLE,
        format!("the Accept header allows neither {GRAPHQL_RESPONSE_JSON} nor {JSON}"),
    )
    .respond(service, MediaType::Json)
}

fn header_str(req: &HttpRequest, name: HeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// A POST body: one request, or a batch of them.
#[derive(Debug)]
enum Posted {
    One(Params),
    Batch(Vec<Params>),
}

/// Checks the content type, reads the body within the size limit and
/// parses it.
async fn post_params(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
    max_batch: usize,
) -> Result<Posted, HttpError> {
    check_content_type(header_str(req, header::CONTENT_TYPE))?;
    let too_large = || {
        HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than the limit of {limit} bytes (CRUSCOTTO_MAX_BODY_BYTES)"),
        )
    };
    // A declared length over the limit is refused before reading anything.
    let declared = header_str(req, header::CONTENT_LENGTH).and_then(|l| l.parse::<usize>().ok());
    if declared.is_some_and(|l| l > limit) {
        return Err(too_large());
    }
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            HttpError::bad_request(format!("the request body could not be read: {e}"))
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    if body.is_empty() {
        return Err(HttpError::bad_request(
            "the request body is empty: send a JSON object such as {\"query\": \"{ plans { code } }\"}",
        ));
    }
    let json: Json = serde_json::from_slice(&body)
        .map_err(|e| HttpError::bad_request(format!("the request body is not valid JSON: {e}")))?;
    match json {
        Json::Object(object) => Ok(Posted::One(object_params(object)?)),
        Json::Array(items) if items.is_empty() => Err(HttpError::bad_request(
            "the batch is empty: send at least one request in the array",
        )),
        Json::Array(items) if items.len() > max_batch => Err(HttpError::bad_request(format!(
            "the batch has {} requests, more than the limit of {max_batch} (CRUSCOTTO_MAX_BATCH)",
            items.len()
        ))),
        Json::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Json::Object(object) => object_params(object).map_err(|e| HttpError {
                    message: format!("request {i} of the batch: {}", e.message),
                    ..e
                }),
                _ => Err(HttpError::bad_request(format!(
                    "request {i} of the batch is not a JSON object"
                ))),
            })
            .collect::<Result<_, _>>()
            .map(Posted::Batch),
        _ => Err(HttpError::bad_request(
            "the request body must be a JSON object (or an array of them, a batch)",
        )),
    }
}

/// The parameters of one request sent as a JSON object.
fn object_params(mut object: Map<String, Json>) -> Result<Params, HttpError> {
    Ok(Params {
        query: match object.remove("query") {
            Some(Json::String(query)) => Some(query),
            None | Some(Json::Null) => None,
            Some(_) => {
                return Err(HttpError::bad_request(
                    "the query parameter must be a string",
                ))
            }
        },
        operation_name: match object.remove("operationName") {
            None | Some(Json::Null) => None,
            Some(Json::String(name)) => Some(name),
            Some(_) => {
                return Err(HttpError::bad_request(
                    "the operationName parameter must be a string or null",
                ))
            }
        },
        variables: optional_map(object.remove("variables"), "variables")?,
        extensions: optional_map(object.remove("extensions"), "extensions")?,
    })
}

/// Only `application/json` bodies are accepted, in UTF-8 (the default when
/// no charset is given).
fn check_content_type(content_type: Option<&str>) -> Result<(), HttpError> {
    let unsupported = |what: String| {
        HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::UNSUPPORTED_MEDIA_TYPE,
            format!("{what}: send the request as application/json"),
        )
    };
    let Some(content_type) = content_type else {
        return Err(unsupported("the request has no Content-Type".into()));
    };
    let mut parts = content_type.split(';');
    let essence = parts.next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case(JSON) {
        return Err(unsupported(format!(
            "the Content-Type {essence} is not supported"
        )));
    }
    for param in parts {
        if let Some((key, value)) = param.split_once('=') {
            let value = value.trim().trim_matches('"');
            if key.trim().eq_ignore_ascii_case("charset") && !value.eq_ignore_ascii_case("utf-8") {
                return Err(unsupported(format!(
                    "the charset {value} is not supported (only utf-8 is)"
                )));
            }
        }
    }
    Ok(())
}

/// The query text of a request: sent, or standing behind a persisted
/// query's hash ([`persisted`]); in trusted-documents mode only a
/// registered document, whichever way it was named ([`crate::trusted`]).
async fn resolve_query(
    service: &Service,
    query: Option<String>,
    extensions: Option<&Map<String, Json>>,
) -> Result<String, HttpError> {
    if service.state.settings.trusted_documents == TrustedDocuments::Any {
        return service
            .persisted
            .resolve(query, extensions)
            .map_err(persisted_failure);
    }
    let hash = match persisted::requested_hash(extensions).map_err(persisted_failure)? {
        Some(hash) => {
            if query.as_deref().is_some_and(|q| trusted::hash(q) != hash) {
                return Err(persisted_failure(persisted::Failure::Mismatch));
            }
            hash
        }
        None => match &query {
            Some(query) => trusted::hash(query),
            None => return Err(persisted_failure(persisted::Failure::Missing)),
        },
    };
    let lookup = hash.clone();
    let found = service
        .state
        .blocking(move |db| db.trusted_document(&lookup).map_err(ApiError::from))
        .await
        .map_err(HttpError::from_api)?;
    found.ok_or_else(|| {
        HttpError::new(
            StatusCode::FORBIDDEN,
            codes::DOCUMENT_NOT_TRUSTED,
            format!(
                "this server runs only registered documents (CRUSCOTTO_TRUSTED_DOCUMENTS=only), and {hash} is not one: register it with `cruscotto documents register FILE`"
            ),
        )
    })
}

/// The answer when a request's query cannot be had.
fn persisted_failure(failure: persisted::Failure) -> HttpError {
    match failure {
        persisted::Failure::Missing => HttpError::bad_request("the request has no query parameter"),
        // Apollo's clients look for this message and code, with 200, and
        // then send the query.
        persisted::Failure::NotFound => HttpError::new(
            StatusCode::OK,
            codes::PERSISTED_QUERY_NOT_FOUND,
            "PersistedQueryNotFound",
        ),
        persisted::Failure::Unsupported(message) => HttpError::bad_request(message),
        persisted::Failure::Mismatch => HttpError::bad_request(
            "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query",
        ),
    }
}

fn optional_map(value: Option<Json>, name: &str) -> Result<Option<Map<String, Json>>, HttpError> {
    match value {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Object(map)) => Ok(Some(map)),
        Some(_) => Err(HttpError::bad_request(format!(
            "the {name} parameter must be a JSON object or null"
        ))),
    }
}

/// The parameters of a GET request: `variables` and `extensions` are JSON
/// text in the query string.
fn get_params(query_string: &str) -> Result<Params, HttpError> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(query_string)
        .map_err(|e| HttpError::bad_request(format!("the query string cannot be read: {e}")))?
        .into_inner();
    let mut params = Params::default();
    let mut query = None;
    let mut seen = std::collections::HashSet::new();
    for (key, value) in pairs {
        if !seen.insert(key.clone()) {
            return Err(HttpError::bad_request(format!(
                "the parameter {key} is given more than once"
            )));
        }
        match key.as_str() {
            "query" => query = Some(value),
            "operationName" => params.operation_name = Some(value).filter(|v| !v.is_empty()),
            "variables" | "extensions" if value.is_empty() => {}
            "variables" | "extensions" => {
                let json: Json = serde_json::from_str(&value).map_err(|e| {
                    HttpError::bad_request(format!("the {key} parameter is not valid JSON: {e}"))
                })?;
                let map = optional_map(Some(json), &key)?;
                if key == "variables" {
                    params.variables = map;
                } else {
                    params.extensions = map;
                }
            }
            // Other parameters are not the client's business with us; the
            // specification lets servers ignore them.
            _ => {}
        }
    }
    params.query = query;
    Ok(params)
}

/// Whether an answer may be validated by its `ETag` (GET: queries only,
/// whose answer depends on the data version and the request alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caching {
    None,
    Conditional,
}

/// Authenticates, checks what GET may run, executes within the time limit
/// and answers.
async fn execute(
    req: &HttpRequest,
    service: &Service,
    params: Params,
    media: MediaType,
    caching: Caching,
    started: Instant,
) -> HttpResponse {
    let principal = match principal(req, service).await {
        Ok(p) => p,
        Err(e) => return e.respond(service, media),
    };
    let query = match resolve_query(service, params.query, params.extensions.as_ref()).await {
        Ok(query) => query,
        Err(e) => return e.respond(service, media),
    };
    // A GET answered before: its tag says whether the data changed since.
    let validator = match caching {
        Caching::Conditional => {
            let validator = cache::Validator::of(req, service, media, &principal).await;
            if let Some(validator) = &validator {
                if validator.matches(req) {
                    return validator.not_modified();
                }
            }
            validator
        }
        Caching::None => None,
    };
    let mut request = Request::new(query);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    let variables = params.variables;
    if let Some(extensions) = params.extensions {
        for (key, value) in extensions {
            match async_graphql::Value::from_json(value) {
                Ok(value) => {
                    request.extensions.0.insert(key, value);
                }
                Err(e) => {
                    return HttpError::bad_request(format!("extension {key}: {e}"))
                        .respond(service, media)
                }
            }
        }
    }
    let limit = service.state.settings.request_timeout;
    // Parsed here, once (the schema reuses the document), and held to the
    // document limits (`limits`) before async-graphql validates it; or
    // taken from the cache of documents seen before (see `documents`).
    // Parsing and costing a fresh document run on the blocking pool, so
    // that a large document never holds an async worker.
    let operation_name = request.operation_name.clone();
    let settings = service.state.settings.clone();
    let cached = service
        .documents
        .get(&request.query, operation_name.as_deref());
    let validated = cached.as_ref().is_some_and(|c| c.validated);
    let (document, cost, fresh) = match cached {
        Some(cached) => {
            let cost = match cached.cost {
                Some(cost) => Ok(cost),
                // Its cost depends on the variables' values (page sizes):
                // costed again, in time linear in a cached (small) text.
                None => limits::Cost::of(&cached.document, variables.as_ref(), &settings)
                    .map_err(Refusal::Limit),
            };
            (cached.document, cost, false)
        }
        None => {
            let query = request.query.clone();
            let vars = variables.clone();
            let settings = settings.clone();
            let prepared = web::block(move || prepare(&query, vars.as_ref(), &settings)).await;
            match prepared {
                Ok(Ok((document, cost))) => (document, Ok(cost), true),
                Ok(Err(refusal)) => return refusal.respond(service, media),
                Err(e) => {
                    return HttpError::from_api(ApiError::internal(format!(
                        "the query could not be prepared: {e}"
                    )))
                    .respond(service, media)
                }
            }
        }
    };
    let checked = cost.and_then(|cost| {
        cost.check(&settings).map_err(Refusal::Limit)?;
        limits::check_strings(
            &document,
            operation_name.as_deref(),
            variables.as_ref(),
            &settings,
        )
        .map_err(Refusal::Limit)?;
        Ok(cost)
    });
    let cost = match checked {
        Ok(cost) => cost,
        Err(refusal) => return refusal.respond(service, media),
    };
    // With introspection off, async-graphql answers `__schema` with a
    // silent null; a client deserves to be told why.
    if !settings.introspection && uses_introspection(&document) {
        let mut e = ServerError::new(
            "introspection is switched off on this server (CRUSCOTTO_INTROSPECTION=false)",
            None,
        );
        set_code(&mut e, codes::INTROSPECTION_DISABLED);
        return respond(service, media, Response::from_errors(vec![e]));
    }
    if req.method() == Method::GET {
        let kind = operation_type(&document, operation_name.as_deref());
        if kind.is_some_and(|k| k != OperationType::Query) {
            return HttpError {
                allow: Some("POST"),
                ..HttpError::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    codes::METHOD_NOT_ALLOWED,
                    "only queries can be sent with GET: send mutations with POST",
                )
            }
            .respond(service, media);
        }
    }
    if let Some(variables) = variables {
        request = request.variables(Variables::from_json(Json::Object(variables)));
    }
    let to_cache = fresh.then(|| (request.query.clone(), document.clone()));
    // Kept to complete the response (its names are the response's keys).
    let executed = document.clone();
    request.set_parsed_query(document);
    let budget = Arc::new(Budget::new(settings.max_response_bytes));
    let request = crate::graph::with_loader(
        request.data(principal).data(budget.clone()),
        &service.state.db,
    );
    let schema = if validated {
        &service.prevalidated_schema
    } else {
        &service.schema
    };
    // Stopped (dropped, with what it built) at the time limit or as soon
    // as its answer outgrows the response limit.
    let run = async {
        tokio::select! {
            response = crate::errors::execute(schema, request) => Some(response).filter(|_| !budget.is_spent()),
            () = budget.spent() => None,
        }
    };
    let remaining = limit.saturating_sub(started.elapsed());
    match tokio::time::timeout(remaining, run).await {
        Ok(None) => response_too_large(service, media),
        Ok(Some(mut response)) => {
            crate::graph::complete::complete(
                &service.field_types,
                &executed,
                operation_name.as_deref(),
                &mut response,
            );
            if let Some((query, document)) = to_cache {
                let passed = !is_request_error(&response);
                service
                    .documents
                    .insert(&query, operation_name.as_deref(), document, passed, cost);
            }
            let cacheable = response.errors.is_empty();
            let mut http = respond(service, media, response);
            if let Some(validator) = validator.filter(|_| cacheable) {
                if http.status() == StatusCode::OK {
                    validator.tag(&mut http);
                }
            }
            http
        }
        Err(_) => {
            tracing::warn!(
                limit_ms = limit.as_millis() as u64,
                "GraphQL request stopped at the time limit"
            );
            HttpError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                codes::TIMEOUT,
                format!(
                    "the request was stopped after {} ms, the time limit (CRUSCOTTO_REQUEST_TIMEOUT_MS): ask for less at once",
                    started.elapsed().as_millis()
                ),
            )
            .respond(service, media)
        }
    }
}

/// The answer to a request whose answer is over the response limit.
fn response_too_large(service: &Service, media: MediaType) -> HttpResponse {
    let limit = service.state.settings.max_response_bytes;
    HttpError::new(
        StatusCode::OK,
        codes::RESPONSE_TOO_LARGE,
        format!("the answer is larger than the limit of {limit} bytes (CRUSCOTTO_MAX_RESPONSE_BYTES): ask for fewer fields or smaller pages"),
    )
    .respond(service, media)
}

/// Why a document is not executed.
enum Refusal {
    Parse(ServerError),
    Limit(limits::LimitError),
}

impl Refusal {
    fn respond(self, service: &Service, media: MediaType) -> HttpResponse {
        let error = match self {
            Refusal::Parse(mut e) => {
                set_code(&mut e, codes::PARSE_FAILED);
                e
            }
            Refusal::Limit(limit) => {
                let mut e = ServerError::new(limit.message, None);
                set_code(&mut e, limit.code);
                if let Some(field) = limit.field {
                    e.extensions
                        .get_or_insert_with(ErrorExtensionValues::default)
                        .set("field", field);
                }
                e
            }
        };
        respond(service, media, Response::from_errors(vec![error]))
    }
}

/// Checks the text, parses it and costs the document (on the blocking
/// pool: linear in the text, but the text may be large).
fn prepare(
    query: &str,
    variables: Option<&Map<String, Json>>,
    settings: &Settings,
) -> Result<(ExecutableDocument, limits::Cost), Refusal> {
    limits::check_text(query, settings).map_err(Refusal::Limit)?;
    let document = async_graphql::parser::parse_query(query)
        .map_err(|e| Refusal::Parse(ServerError::from(e)))?;
    let cost = limits::Cost::of(&document, variables, settings).map_err(Refusal::Limit)?;
    Ok((document, cost))
}

/// The caller: anonymous, or the holder of the bearer token presented.
/// The value of the request's one `Authorization` header. Two or more are
/// refused (`BAD_USER_INPUT`, 400): which one a server or proxy reads
/// differs, so taking either silently could act for the wrong caller.
pub(crate) fn authorization_header(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let mut values = req.headers().get_all(header::AUTHORIZATION);
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::new(
            Code::BadUserInput,
            "the request has more than one Authorization header: send exactly one",
        ));
    }
    let value = value.to_str().map_err(|_| {
        ApiError::new(
            Code::Unauthenticated,
            "the Authorization header is not ASCII text",
        )
    })?;
    Ok(Some(value.to_string()))
}

async fn principal(req: &HttpRequest, service: &Service) -> Result<Principal, HttpError> {
    let authorization = authorization_header(req).map_err(HttpError::from_api)?;
    let principal = match authorization {
        // Most requests are anonymous reads: no need for a database thread.
        None => Principal::Anonymous,
        Some(header) => service
            .state
            .blocking(move |db| auth::authenticate(db, Some(&header)))
            .await
            .map_err(HttpError::from_api)?,
    };
    if principal == Principal::Anonymous && service.state.settings.require_token_for_reads {
        return Err(HttpError::from_api(ApiError::new(
            Code::Unauthenticated,
            "this server requires a bearer token for every request (Authorization: Bearer …)",
        )));
    }
    Ok(principal)
}

/// The type of the operation `name` (or the only one) of `document`; `None`
/// when it cannot be chosen, which execution reports.
fn operation_type(document: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| op.node.ty)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// Whether any operation or fragment of `document` selects `__schema` or
/// `__type`.
fn uses_introspection(document: &ExecutableDocument) -> bool {
    fn selects(set: &SelectionSet) -> bool {
        set.items.iter().any(|item| match &item.node {
            Selection::Field(field) => {
                matches!(field.node.name.node.as_str(), "__schema" | "__type")
                    || selects(&field.node.selection_set.node)
            }
            Selection::InlineFragment(fragment) => selects(&fragment.node.selection_set.node),
            // Named fragments are checked on their own below.
            Selection::FragmentSpread(_) => false,
        })
    }
    let operations: Vec<&SelectionSet> = match &document.operations {
        DocumentOperations::Single(op) => vec![&op.node.selection_set.node],
        DocumentOperations::Multiple(ops) => {
            ops.values().map(|op| &op.node.selection_set.node).collect()
        }
    };
    operations
        .into_iter()
        .chain(
            document
                .fragments
                .values()
                .map(|f| &f.node.selection_set.node),
        )
        .any(selects)
}

fn set_code(error: &mut ServerError, code: &str) {
    error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default)
        .set("code", code);
}

fn error_code(error: &ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code),
        _ => None,
    }
}

/// The body of a GraphQL response: `data` is absent (not null) after a
/// request error, as the specification asks.
#[derive(serde::Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "<[ServerError]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
}

/// Whether the request failed before execution (parse, validation, limits,
/// unknown operation): no data, and errors without a path.
fn is_request_error(response: &Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// Builds the HTTP response of an executed (or refused) GraphQL request.
///
/// A response without data whose errors have no path failed before
/// execution (parse, validation, limits, unknown operation): that is a
/// request error, which gets 400 under `application/graphql-response+json`
/// and no `data` entry. Field errors always carry a path, so they are
/// execution errors: 200, with `data`.
fn respond(service: &Service, media: MediaType, mut response: Response) -> HttpResponse {
    let request_error = is_request_error(&response);
    for error in &mut response.errors {
        if error_code(error).is_some() {
            continue;
        }
        // async-graphql's own errors for an argument it could not read got
        // their code from `errors::execute`.
        if request_error {
            set_code(error, codes::VALIDATION_FAILED);
        }
    }
    for error in &response.errors {
        service
            .metrics
            .graphql_error(error_code(error).unwrap_or("NONE"));
    }

    // Serialized from async-graphql's own values, which keep the order of
    // the query's fields (serde_json's maps would sort them).
    let body = Body {
        data: (!request_error).then_some(&response.data),
        errors: &response.errors,
        extensions: &response.extensions,
    };
    let limit = service.state.settings.max_response_bytes;
    // serde_json writes token by token: a buffer in front hands the limit
    // check 8 KiB at a time (the check then costs nothing measurable).
    let mut writer = std::io::BufWriter::with_capacity(
        8192,
        LimitedWriter {
            bytes: Vec::new(),
            limit,
            over: false,
        },
    );
    let written = serde_json::to_writer(&mut writer, &body)
        .map_err(std::io::Error::from)
        .and_then(|()| std::io::Write::flush(&mut writer));
    let over = writer.get_ref().over;
    let body = match written {
        Ok(()) => match writer.into_inner() {
            Ok(limited) => limited.bytes,
            Err(e) => {
                return HttpError::from_api(ApiError::internal(format!(
                    "a response could not be serialized: {}",
                    e.error()
                )))
                .respond(service, media)
            }
        },
        Err(_) if over => {
            drop(writer);
            drop(response);
            return response_too_large(service, media);
        }
        Err(e) => {
            return HttpError::from_api(ApiError::internal(format!(
                "a response could not be serialized: {e}"
            )))
            .respond(service, media)
        }
    };
    let status = if request_error && media == MediaType::GraphqlResponseJson {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut http = HttpResponse::build(status);
    http.insert_header((header::CONTENT_TYPE, media.content_type()));
    // The body depends on the Accept header: caches must keep them apart.
    http.insert_header((header::VARY, "Accept"));
    // Headers set by resolvers (async-graphql keeps them in `http`'s types,
    // which actix re-exports under other names).
    for (name, value) in response.http_headers.iter() {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_str().as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            http.append_header((name, value));
        }
    }
    http.body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_wildcard_accept_gets_json() {
        assert_eq!(negotiate(None), Some(MediaType::Json));
        assert_eq!(negotiate(Some("")), Some(MediaType::Json));
        assert_eq!(negotiate(Some("*/*")), Some(MediaType::Json));
        assert_eq!(negotiate(Some("application/*")), Some(MediaType::Json));
    }

    #[test]
    fn the_graphql_response_type_wins_ties_and_quality_decides_otherwise() {
        assert_eq!(
            negotiate(Some("application/json, application/graphql-response+json")),
            Some(MediaType::GraphqlResponseJson)
        );
        assert_eq!(
            negotiate(Some(
                "application/graphql-response+json;q=0.5, application/json"
            )),
            Some(MediaType::Json)
        );
        assert_eq!(
            negotiate(Some(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(MediaType::GraphqlResponseJson)
        );
        assert_eq!(
            negotiate(Some("application/json;q=0, */*;q=0.1")),
            Some(MediaType::Json)
        );
    }

    #[test]
    fn nothing_acceptable_is_none() {
        assert_eq!(negotiate(Some("text/html")), None);
        assert_eq!(negotiate(Some("application/json;q=0")), None);
    }

    #[test]
    fn only_utf8_json_bodies_are_accepted() {
        assert!(check_content_type(Some("application/json")).is_ok());
        assert!(check_content_type(Some("application/json; charset=utf-8")).is_ok());
        assert!(check_content_type(Some("Application/JSON; charset=\"UTF-8\"")).is_ok());
        assert!(check_content_type(Some("application/json; charset=latin1")).is_err());
        assert!(check_content_type(Some("text/plain;charset=UTF-8")).is_err());
        assert!(check_content_type(None).is_err());
    }

    #[test]
    fn get_parameters_are_read_from_the_query_string() {
        let p =
            get_params("query=%7B%20a%20%7D&variables=%7B%22x%22%3A1%7D&operationName=Op").unwrap();
        assert_eq!(p.query.as_deref(), Some("{ a }"));
        assert_eq!(p.operation_name.as_deref(), Some("Op"));
        assert_eq!(p.variables.unwrap()["x"], 1);
        assert!(
            get_params("variables=%7B%7D").unwrap().query.is_none(),
            "no query: a persisted query's hash may stand for it"
        );
        assert!(
            get_params("query=x&variables=%5B%5D").is_err(),
            "variables not an object"
        );
        assert!(get_params("query=x&query=y").is_err(), "query twice");
    }
}
