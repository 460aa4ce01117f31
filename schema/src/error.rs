//! Errors of the storage layer.

use thiserror::Error;

/// What can go wrong when talking to the database.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database URL could not be understood or the database not reached.
    #[error("cannot connect to the database {url}: {reason}")]
    Connect { url: String, reason: String },
    /// No connection could be taken from the pool in time.
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    /// Running or reverting migrations failed.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// The object asked for does not exist.
    #[error("{entity} {key} not found")]
    NotFound { entity: &'static str, key: String },
    /// The data is valid JSON or text but cannot be stored as it is, e.g. a
    /// weight with more than two decimals or a period that is not a period.
    #[error("{entity} {key}: {message}")]
    Invalid {
        entity: &'static str,
        key: String,
        message: String,
    },
    /// Data read back from the database is not what this version writes
    /// (a column holding an unknown enum value or malformed JSON).
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}
