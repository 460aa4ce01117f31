//! Trusted documents: with `CRUSCOTTO_TRUSTED_DOCUMENTS=only` a server runs
//! only the GraphQL documents registered in the database (`cruscotto
//! documents register FILE…`), sent in full or by their hash as a persisted
//! query (`extensions.persistedQuery.sha256Hash`); anything else is refused
//! with `DOCUMENT_NOT_TRUSTED` before it is parsed. A production frontend
//! registers the operations it was built with, and the server then answers
//! nobody else's queries.

use sha2::{Digest, Sha256};

/// Which documents a server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrustedDocuments {
    /// Any document (the default: the data is public).
    #[default]
    Any,
    /// Only registered documents.
    Only,
}

impl std::str::FromStr for TrustedDocuments {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "off" | "any" => Ok(TrustedDocuments::Any),
            "only" => Ok(TrustedDocuments::Only),
            _ => Err(()),
        }
    }
}

/// The hash a document is registered and requested by: the lower-case hex
/// SHA-256 of its text, as Apollo's persisted queries compute it.
pub fn hash(document: &str) -> String {
    hex::encode(Sha256::digest(document.as_bytes()))
}

/// Checks that `document` is a GraphQL document with at least one
/// operation, and returns the names of its operations (`(anonymous)` for
/// an unnamed one); the error says what and where (line:column).
pub fn check(document: &str) -> Result<Vec<String>, String> {
    use async_graphql::parser::types::DocumentOperations;
    let parsed = async_graphql::parser::parse_query(document).map_err(|e| e.to_string())?;
    Ok(match parsed.operations {
        DocumentOperations::Single(_) => vec!["(anonymous)".to_string()],
        DocumentOperations::Multiple(ops) => {
            let mut names: Vec<String> = ops.keys().map(|k| k.to_string()).collect();
            names.sort();
            names
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn documents_are_hashed_as_apollo_does_and_checked() {
        assert_eq!(
            super::hash("{ plans { totalCount } }").len(),
            64,
            "hex SHA-256"
        );
        assert_eq!(
            super::check("query A { plans { totalCount } } query B { calculators { key } }")
                .unwrap(),
            ["A", "B"]
        );
        assert!(super::check("{ plans { ").unwrap_err().contains("1:"));
    }
}
