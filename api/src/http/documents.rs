//! Parsed documents by query text, so that a query sent again is neither
//! parsed nor validated again.
//!
//! Frontends send the same few query texts over and over; parsing and
//! running the 22 validation rules are a fixed cost per request that is
//! large beside a small query's database work. The cache keeps, by query
//! text and operation name, the parsed document, its cost under the
//! document limits ([`limits`](super::limits)) and whether it passed full
//! validation:
//!
//! - a hit saves the parse (the document is cloned from the cache), and the
//!   limits apply to it as to a fresh one: with its cached cost when the
//!   document declares no variables, costed again otherwise (page sizes may
//!   come from variables);
//! - a hit on a document that passed full validation *and declares no
//!   variables* also skips the validation rules: it runs on the schema
//!   built with `ValidationMode::Fast`. The rules depend only on the document and on the
//!   values of its variables (argument types), so without variables the
//!   verdict cannot change. Documents with variables are validated in full
//!   every time, since other values may be invalid.
//!
//! Entries are evicted least recently used first; the cache is bounded by
//! entry count and by the size of the texts it holds.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::num::NonZeroUsize;
use std::sync::Mutex;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument};
use lru::LruCache;

use super::limits::Cost;

/// Documents kept at most.
const CAPACITY: usize = 512;

/// Longest query text cached: larger documents are rare and would crowd
/// out the rest.
const MAX_QUERY_BYTES: usize = 16 * 1024;

/// A cached document.
#[derive(Clone)]
pub(crate) struct Cached {
    pub document: ExecutableDocument,
    /// It passed full validation and declares no variables: the rules can
    /// be skipped.
    pub validated: bool,
    /// Its cost, when it does not depend on variables.
    pub cost: Option<Cost>,
}

struct Entry {
    query: String,
    operation_name: Option<String>,
    cached: Cached,
}

/// The cache; shared by every worker of the server.
pub(crate) struct Documents {
    entries: Mutex<LruCache<u64, Entry>>,
}

impl Default for Documents {
    fn default() -> Self {
        Documents {
            entries: Mutex::new(LruCache::new(
                NonZeroUsize::new(CAPACITY).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }
}

fn key(query: &str, operation_name: Option<&str>) -> u64 {
    let mut hasher = DefaultHasher::new();
    query.hash(&mut hasher);
    operation_name.hash(&mut hasher);
    hasher.finish()
}

/// Whether any operation of the document declares a variable.
fn declares_variables(document: &ExecutableDocument) -> bool {
    match &document.operations {
        DocumentOperations::Single(op) => !op.node.variable_definitions.is_empty(),
        DocumentOperations::Multiple(ops) => ops
            .values()
            .any(|op| !op.node.variable_definitions.is_empty()),
    }
}

impl Documents {
    /// The cached document of this text and operation name, if any.
    pub fn get(&self, query: &str, operation_name: Option<&str>) -> Option<Cached> {
        let k = key(query, operation_name);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(&k)?;
        (entry.query == query && entry.operation_name.as_deref() == operation_name)
            .then(|| entry.cached.clone())
    }

    /// Keeps a parsed document; `passed_validation` says whether it went
    /// through full validation without errors.
    pub fn insert(
        &self,
        query: &str,
        operation_name: Option<&str>,
        document: ExecutableDocument,
        passed_validation: bool,
        cost: Cost,
    ) {
        if query.len() > MAX_QUERY_BYTES {
            return;
        }
        let variables = declares_variables(&document);
        let validated = passed_validation && !variables;
        let cost = (!variables).then_some(cost);
        let entry = Entry {
            query: query.to_owned(),
            operation_name: operation_name.map(str::to_owned),
            cached: Cached {
                document,
                validated,
                cost,
            },
        };
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.put(key(query, operation_name), entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(q).expect("parses")
    }

    #[test]
    fn a_document_is_found_by_its_text_and_operation_name() {
        let docs = Documents::default();
        let q = "query A { plans { totalCount } }";
        docs.insert(q, Some("A"), parse(q), true, Cost::default());
        assert!(docs.get(q, Some("A")).is_some_and(|c| c.validated));
        assert!(docs.get(q, None).is_none());
        assert!(docs.get("{ plans { totalCount } }", Some("A")).is_none());
    }

    #[test]
    fn documents_with_variables_or_that_failed_validation_are_not_marked_validated() {
        // (document, whether it passed validation)
        for (q, valid) in [
            ("query($f: Int) { plans(first: $f) { totalCount } }", true),
            ("{ nope }", false),
        ] {
            let docs = Documents::default();
            docs.insert(q, None, parse(q), valid, Cost::default());
            assert!(docs.get(q, None).is_some_and(|c| !c.validated), "{q}");
        }
    }

    #[test]
    fn the_cache_is_bounded() {
        let docs = Documents::default();
        for i in 0..CAPACITY + 10 {
            let q = format!("{{ a{i}: plans {{ totalCount }} }}");
            docs.insert(&q, None, parse(&q), true, Cost::default());
        }
        assert!(docs.get("{ a0: plans { totalCount } }", None).is_none());
        let last = format!("{{ a{}: plans {{ totalCount }} }}", CAPACITY + 9);
        assert!(docs.get(&last, None).is_some());
        let huge = format!(
            "{{ plans {{ totalCount }} }}{}",
            " ".repeat(MAX_QUERY_BYTES)
        );
        docs.insert(&huge, None, parse(&huge), true, Cost::default());
        assert!(docs.get(&huge, None).is_none());
    }
}
