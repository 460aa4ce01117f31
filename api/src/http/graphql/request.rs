//! Reading a request: its parameters from GET or POST, checked for type,
//! persisted and trusted documents, and the caller.

use super::*;

/// The parameters of a GraphQL request, however they were sent. The query
/// may be missing when a persisted query's hash stands for it
/// ([`persisted`](super::persisted)).
#[derive(Debug, Default)]
pub(super) struct Params {
    pub(super) query: Option<String>,
    pub(super) operation_name: Option<String>,
    pub(super) variables: Option<Map<String, Json>>,
    pub(super) extensions: Option<Map<String, Json>>,
}

pub(super) fn header_str(req: &HttpRequest, name: HeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// A POST body: one request, or a batch of them.
#[derive(Debug)]
pub(super) enum Posted {
    One(Params),
    Batch(Vec<Params>),
}

/// Checks the content type, reads the body within the size limit and
/// parses it.
pub(super) async fn post_params(
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
pub(super) fn object_params(mut object: Map<String, Json>) -> Result<Params, HttpError> {
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
pub(super) fn check_content_type(content_type: Option<&str>) -> Result<(), HttpError> {
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
pub(super) async fn resolve_query(
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
pub(super) fn persisted_failure(failure: persisted::Failure) -> HttpError {
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

pub(super) fn optional_map(
    value: Option<Json>,
    name: &str,
) -> Result<Option<Map<String, Json>>, HttpError> {
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
pub(super) fn get_params(query_string: &str) -> Result<Params, HttpError> {
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

pub(super) async fn principal(
    req: &HttpRequest,
    service: &Service,
) -> Result<Principal, HttpError> {
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
