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

use crate::errors::request_codes as codes;

mod request;
mod response;

pub(crate) use request::authorization_header;
use request::*;
use response::*;
pub(crate) use response::{negotiate, MediaType};

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
    // A run whose last step overran the limit within one poll comes back
    // as finished; it is late all the same, and refused like one stopped.
    let outcome = match tokio::time::timeout(remaining, run).await {
        Ok(_) if started.elapsed() > limit => Err(()),
        Ok(outcome) => Ok(outcome),
        Err(_) => Err(()),
    };
    match outcome {
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
