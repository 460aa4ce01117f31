//! HTTP caching of GET queries: an `ETag` from the data version, so that a
//! client (or a cache in between) revalidating an answer gets
//! `304 Not Modified` while nothing was written, on every instance.
//!
//! The tag is weak (`W/"…"`: the same answer may travel gzip, brotli or
//! plain) and is made of the database's data version (incremented by every
//! committed write transaction of any process: `Database::data_version`)
//! and a digest of what else the answer depends on: the query string, the
//! negotiated media type, the caller (name and role) and the calculators
//! this instance serves (reloaded per instance). The version is read
//! *before* the query runs, so an answer is never newer than its tag says
//! it is older: a write that commits in between gives a body newer than
//! its tag, which only costs the next client a full answer.
//!
//! Answers to anonymous callers are `Cache-Control: public, no-cache`
//! (shared caches may keep them, and must revalidate); to token holders
//! `private, no-cache`. Answers with errors get no tag.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use super::graphql::MediaType;
use super::Service;
use crate::auth::Principal;

/// The validator of one GET query's answer.
#[derive(Debug)]
pub(crate) struct Validator {
    etag: String,
    public: bool,
}

impl Validator {
    /// The validator of `req`'s answer now; `None` when the data version
    /// cannot be read (the request is then answered without one).
    pub(crate) async fn of(
        req: &HttpRequest,
        service: &Service,
        media: MediaType,
        principal: &Principal,
    ) -> Option<Validator> {
        let version = service
            .state
            .blocking(|db| db.data_version().map_err(crate::errors::ApiError::from))
            .await
            .ok()?;
        let mut digest = Sha256::new();
        digest.update(req.query_string().as_bytes());
        digest.update([0, media as u8]);
        digest.update(principal.name().as_bytes());
        digest.update([0]);
        if let Some(role) = principal.role() {
            digest.update(format!("{role:?}").as_bytes());
        }
        for id in service.state.calculators.ids() {
            digest.update([0]);
            digest.update(id.as_bytes());
        }
        let digest = digest.finalize();
        Some(Validator {
            etag: format!("W/\"{version}-{}\"", hex::encode(&digest[..12])),
            public: *principal == Principal::Anonymous,
        })
    }

    /// Whether `If-None-Match` names this tag (weak comparison) or is `*`.
    pub(crate) fn matches(&self, req: &HttpRequest) -> bool {
        let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_string();
        let ours = opaque(&self.etag);
        req.headers()
            .get_all(header::IF_NONE_MATCH)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|tag| tag.trim() == "*" || opaque(tag) == ours)
    }

    fn cache_control(&self) -> &'static str {
        if self.public {
            "public, no-cache"
        } else {
            "private, no-cache"
        }
    }

    /// `304 Not Modified`, with the headers the full answer would have.
    pub(crate) fn not_modified(&self) -> HttpResponse {
        let mut response = HttpResponse::NotModified().finish();
        self.tag(&mut response);
        response
    }

    /// Puts the tag and the caching headers on an answer.
    pub(crate) fn tag(&self, response: &mut HttpResponse) {
        let headers = response.headers_mut();
        if let Ok(etag) = HeaderValue::from_str(&self.etag) {
            headers.insert(header::ETAG, etag);
        }
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(self.cache_control()),
        );
        // The answer depends on the negotiated type and on the caller.
        headers.insert(
            header::VARY,
            HeaderValue::from_static("Accept, Authorization"),
        );
    }
}
