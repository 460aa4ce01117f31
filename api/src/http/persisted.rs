//! Automatic persisted queries, as Apollo's clients speak them: a request
//! may send, instead of its query text, `extensions.persistedQuery =
//! {"version": 1, "sha256Hash": "<hex>"}`. A hash this instance has seen
//! runs its query; an unknown one is answered with the error
//! `PERSISTED_QUERY_NOT_FOUND` (message `PersistedQueryNotFound`, status
//! 200), and the client sends the query again with its hash, which
//! registers it. A query whose hash does not match is refused.
//!
//! The store is in memory, per instance, bounded by count and by the size
//! of the texts (least recently used out first): a client that reaches
//! another instance, or comes back after an eviction, sends its query once
//! more, as the protocol expects.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use lru::LruCache;
use serde_json::{Map, Value as Json};

/// Queries kept at most.
const CAPACITY: usize = 2_048;

/// Bytes of query text kept at most.
const MAX_TOTAL_BYTES: usize = 16 << 20;

/// Why a request's query cannot be had.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Neither a query nor a persisted query.
    Missing,
    /// A hash this instance does not know: the client should send the
    /// query with it.
    NotFound,
    /// The persisted-query extension is not one this server speaks.
    Unsupported(String),
    /// The query's SHA-256 is not the hash sent with it.
    Mismatch,
}

pub(crate) struct PersistedQueries {
    entries: Mutex<(LruCache<String, String>, usize)>,
}

impl Default for PersistedQueries {
    fn default() -> Self {
        PersistedQueries {
            entries: Mutex::new((
                LruCache::new(NonZeroUsize::new(CAPACITY).unwrap_or(NonZeroUsize::MIN)),
                0,
            )),
        }
    }
}

/// The hash a request names, when it names one.
pub(crate) fn requested_hash(
    extensions: Option<&Map<String, Json>>,
) -> Result<Option<String>, Failure> {
    let Some(persisted) = extensions.and_then(|e| e.get("persistedQuery")) else {
        return Ok(None);
    };
    let Json::Object(persisted) = persisted else {
        return Err(Failure::Unsupported(
            "extensions.persistedQuery must be an object".into(),
        ));
    };
    if persisted.get("version").and_then(Json::as_i64) != Some(1) {
        return Err(Failure::Unsupported(
            "only version 1 of persisted queries is supported".into(),
        ));
    }
    match persisted.get("sha256Hash").and_then(Json::as_str) {
        Some(hash) if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(Some(hash.to_ascii_lowercase()))
        }
        _ => Err(Failure::Unsupported(
            "extensions.persistedQuery.sha256Hash must be 64 hexadecimal digits".into(),
        )),
    }
}

impl PersistedQueries {
    /// The query text of a request: the one sent (registered under its
    /// hash when one came with it) or the one registered under the hash.
    pub(crate) fn resolve(
        &self,
        query: Option<String>,
        extensions: Option<&Map<String, Json>>,
    ) -> Result<String, Failure> {
        let hash = requested_hash(extensions)?;
        match (query, hash) {
            (Some(query), None) => Ok(query),
            (None, None) => Err(Failure::Missing),
            (Some(query), Some(hash)) => {
                if crate::trusted::hash(&query) != hash {
                    return Err(Failure::Mismatch);
                }
                self.insert(hash, &query);
                Ok(query)
            }
            (None, Some(hash)) => self
                .entries
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .0
                .get(&hash)
                .cloned()
                .ok_or(Failure::NotFound),
        }
    }

    fn insert(&self, hash: String, query: &str) {
        if query.len() > MAX_TOTAL_BYTES {
            return;
        }
        let mut guard = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (entries, total) = &mut *guard;
        if entries.contains(&hash) {
            entries.promote(&hash);
            return;
        }
        *total += query.len();
        if let Some((_, old)) = entries.push(hash, query.to_string()) {
            *total -= old.len();
        }
        while *total > MAX_TOTAL_BYTES {
            match entries.pop_lru() {
                Some((_, old)) => *total -= old.len(),
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sha2::{Digest, Sha256};

    fn ext(hash: &str) -> Map<String, Json> {
        json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn a_hash_is_unknown_until_its_query_is_sent_with_it() {
        let store = PersistedQueries::default();
        let query = "{ plans { totalCount } }";
        let hash = hex::encode(Sha256::digest(query));
        assert_eq!(
            store.resolve(None, Some(&ext(&hash))),
            Err(Failure::NotFound)
        );
        assert_eq!(
            store
                .resolve(Some(query.into()), Some(&ext(&hash)))
                .unwrap(),
            query
        );
        assert_eq!(store.resolve(None, Some(&ext(&hash))).unwrap(), query);
        assert_eq!(
            store
                .resolve(None, Some(&ext(&hash.to_uppercase())))
                .unwrap(),
            query
        );
    }

    #[test]
    fn a_wrong_hash_or_version_is_refused_and_no_query_is_missing() {
        let store = PersistedQueries::default();
        let other = hex::encode(Sha256::digest("{ other }"));
        assert_eq!(
            store.resolve(Some("{ plans { totalCount } }".into()), Some(&ext(&other))),
            Err(Failure::Mismatch)
        );
        let v2 = json!({ "persistedQuery": { "version": 2, "sha256Hash": other } });
        assert!(matches!(
            store.resolve(None, v2.as_object()),
            Err(Failure::Unsupported(_))
        ));
        assert!(matches!(
            store.resolve(None, Some(&ext("abc"))),
            Err(Failure::Unsupported(_))
        ));
        assert_eq!(store.resolve(None, None), Err(Failure::Missing));
    }
}
