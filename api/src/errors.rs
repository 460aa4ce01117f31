//! The one mapping from failures to client errors. Every GraphQL error
//! carries `extensions.code`, and input errors the offending `field`.
//! Internal causes are logged with their chain and never sent: clients see
//! no SQL, table or constraint names.

use async_graphql::ErrorExtensions;
use cruscotto_schema::StoreError;

/// Stable error codes clients can rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    BadUserInput,
    NotFound,
    Conflict,
    Unauthenticated,
    Forbidden,
    CalculatorFailed,
    Internal,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::BadUserInput => "BAD_USER_INPUT",
            Code::NotFound => "NOT_FOUND",
            Code::Conflict => "CONFLICT",
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::CalculatorFailed => "CALCULATOR_FAILED",
            Code::Internal => "INTERNAL",
        }
    }
}

/// An error on its way to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: Code,
    /// What the client is told.
    pub message: String,
    /// The input field at fault, for `BAD_USER_INPUT`.
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            code: Code::BadUserInput,
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// An internal failure: the cause is logged here, the client gets a
    /// generic message.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        ApiError::new(Code::Internal, "internal error; the incident has been logged")
    }
}

// `ApiError` deliberately does not implement `Display`: async-graphql turns
// any `Display` error into a GraphQL error without a code, so only this
// conversion, which sets the code, applies to `?` in resolvers.

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity, key } => ApiError::new(Code::NotFound, format!("{entity} {key} not found")),
            StoreError::Invalid { entity, key, message } => ApiError::new(Code::BadUserInput, format!("{entity} {key}: {message}")),
            other => ApiError::internal(other),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    // The extension closure is the only place codes are attached.
    fn from(e: ApiError) -> Self {
        let code = e.code.as_str();
        let field = e.field.clone();
        async_graphql::Error::new(e.message).extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(field) = &field {
                ext.set("field", field.as_str());
            }
        })
    }
}

/// Result type of resolvers.
pub type ApiResult<T> = Result<T, ApiError>;
