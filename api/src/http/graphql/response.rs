//! The answer: the media type, the status code and the body of every
//! outcome, within the response size limit.

use super::*;

/// The body of a response, refusing to grow past the limit: serializing
/// stops there, with an error, instead of building the whole text.
pub(super) struct LimitedWriter {
    pub(super) bytes: Vec<u8>,
    pub(super) limit: usize,
    pub(super) over: bool,
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
    pub(super) fn content_type(self) -> &'static str {
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
    pub(super) status: StatusCode,
    pub(super) code: &'static str,
    pub(super) message: String,
    /// The `Allow` header of a 405.
    pub(super) allow: Option<&'static str>,
}

impl HttpError {
    pub(super) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        HttpError {
            status,
            code,
            message: message.into(),
            allow: None,
        }
    }

    pub(super) fn bad_request(message: impl Into<String>) -> Self {
        HttpError::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message)
    }

    pub(super) fn from_api(e: ApiError) -> Self {
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
    pub(super) fn respond(self, service: &Service, media: MediaType) -> HttpResponse {
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

/// The answer to a request whose answer is over the response limit.
pub(super) fn response_too_large(service: &Service, media: MediaType) -> HttpResponse {
    let limit = service.state.settings.max_response_bytes;
    HttpError::new(
        StatusCode::OK,
        codes::RESPONSE_TOO_LARGE,
        format!("the answer is larger than the limit of {limit} bytes (CRUSCOTTO_MAX_RESPONSE_BYTES): ask for fewer fields or smaller pages"),
    )
    .respond(service, media)
}

pub(super) fn set_code(error: &mut ServerError, code: &str) {
    error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default)
        .set("code", code);
}

pub(super) fn error_code(error: &ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code),
        _ => None,
    }
}

/// The body of a GraphQL response: `data` is absent (not null) after a
/// request error, as the specification asks.
#[derive(serde::Serialize)]
pub(super) struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "<[ServerError]>::is_empty")]
    pub(super) errors: &'a [ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub(super) extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
}

/// Whether the request failed before execution (parse, validation, limits,
/// unknown operation): no data, and errors without a path.
pub(super) fn is_request_error(response: &Response) -> bool {
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
pub(super) fn respond(service: &Service, media: MediaType, mut response: Response) -> HttpResponse {
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
