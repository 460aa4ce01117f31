//! The one mapping from failures to client errors. Every GraphQL error
//! carries `extensions.code`, and input errors the offending `field`.
//! Internal causes are logged with their chain and never sent: clients see
//! no SQL, table or constraint names.

use async_graphql::ErrorExtensions;
use cruscotto_calculators::{CalculatorError, CsvError};
use cruscotto_engine::ComputeError;
use cruscotto_store::error::ConstraintKind;
use cruscotto_store::graph::WriteError;
use cruscotto_store::StoreError;

/// Stable error codes clients can rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    BadUserInput,
    NotFound,
    Conflict,
    Unauthenticated,
    Forbidden,
    CalculatorFailed,
    /// The database is read-only (`serve --read-only`, or a file the
    /// server cannot write): reads work, writes do not.
    ReadOnly,
    /// The database cannot take writes now (its disk is full); retry later.
    Unavailable,
    /// Another writer held the database for longer than the busy timeout:
    /// nothing was written; the same request may be retried
    /// (`extensions.retryable: true`).
    Busy,
    Internal,
}

impl Code {
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::BadUserInput => "BAD_USER_INPUT",
            Code::NotFound => "NOT_FOUND",
            Code::Conflict => "CONFLICT",
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::CalculatorFailed => "CALCULATOR_FAILED",
            Code::ReadOnly => "READ_ONLY",
            Code::Unavailable => "UNAVAILABLE",
            Code::Busy => "BUSY",
            Code::Internal => "INTERNAL",
        }
    }
}

/// Codes of the refusals the HTTP layer makes itself, before or around
/// execution (limits, transport, persisted and trusted documents); the
/// codes of resolvers are [`Code`]. Every code a client can see is here or
/// there.
pub mod request_codes {
    use super::Code;

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
    pub const QUERY_TOO_LONG: &str = "QUERY_TOO_LONG";
    pub const QUERY_TOO_DEEP: &str = "QUERY_TOO_DEEP";
    pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
    pub const QUERY_TOO_MANY_FIELDS: &str = "QUERY_TOO_MANY_FIELDS";
    pub const QUERY_TOO_MANY_ALIASES: &str = "QUERY_TOO_MANY_ALIASES";
    pub const QUERY_TOO_MANY_FRAGMENT_SPREADS: &str = "QUERY_TOO_MANY_FRAGMENT_SPREADS";
    /// A string argument refused by its length limit.
    pub const BAD_USER_INPUT: &str = Code::BadUserInput.as_str();
}

/// An error on its way to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: Code,
    /// What the client is told.
    pub message: String,
    /// The input field at fault, for `BAD_USER_INPUT`.
    pub field: Option<String>,
    /// The 1-based line of a document argument at fault (`extensions.line`).
    pub line: Option<u32>,
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: None,
            line: None,
        }
    }

    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            code: Code::BadUserInput,
            message: message.into(),
            field: Some(field.into()),
            line: None,
        }
    }

    /// A document argument (`field`) that cannot be imported: the message
    /// names the line, which also goes into `extensions.line`.
    pub fn bad_document(field: impl Into<String>, e: &cruscotto_import::ImportError) -> Self {
        ApiError {
            line: e.line(),
            ..ApiError::bad_input(field, e.to_string())
        }
    }

    /// An internal failure: the cause is logged here, the client gets a
    /// generic message.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        ApiError::new(
            Code::Internal,
            "internal error; the incident has been logged",
        )
    }
}

// `ApiError` deliberately does not implement `Display`: async-graphql turns
// any `Display` error into a GraphQL error without a code, so only this
// conversion, which sets the code, applies to `?` in resolvers.

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity, key } => {
                ApiError::new(Code::NotFound, format!("{entity} {key} not found"))
            }
            StoreError::Invalid {
                entity,
                key,
                message,
            } => ApiError::new(Code::BadUserInput, format!("{entity} {key}: {message}")),
            StoreError::Constraint {
                kind: ConstraintKind::Unique | ConstraintKind::Reference,
                message,
            } => ApiError::new(Code::Conflict, message),
            StoreError::Constraint { message, .. } => ApiError::new(Code::BadUserInput, message),
            e @ StoreError::ReadOnly(_) => ApiError::new(Code::ReadOnly, e.to_string()),
            e @ StoreError::DiskFull => {
                tracing::error!("a write failed: the database disk is full");
                ApiError::new(Code::Unavailable, e.to_string())
            }
            e @ StoreError::Busy { .. } => ApiError::new(Code::Busy, e.to_string()),
            other => ApiError::internal(other),
        }
    }
}

/// A computation that failed. What the caller can correct (a missing
/// binding, bad parameters, missing inputs) is `BAD_USER_INPUT`; what only
/// the calculator or its operator can (a plugin that panicked, timed out,
/// broke the protocol or is no longer installed) is `CALCULATOR_FAILED`,
/// with the calculator's own message, which names no internals of the
/// service.
impl From<ComputeError> for ApiError {
    fn from(e: ComputeError) -> Self {
        match e {
            ComputeError::Store(e) => ApiError::from(e),
            ComputeError::Calculator(e) => ApiError::from(e),
            ComputeError::NoBinding { indicator } => ApiError::bad_input(
                "indicator",
                format!(
                    "indicator {indicator} has no calculator: bind one with bindCalculator first"
                ),
            ),
            ComputeError::UnknownCalculator {
                indicator,
                calculator,
            } => {
                tracing::warn!(%indicator, %calculator, "indicator bound to a calculator that is not loaded");
                ApiError::new(
                    Code::CalculatorFailed,
                    format!(
                        "indicator {indicator} is bound to calculator \"{calculator}\", which is not loaded: \
                         see calculators and calculatorLoadErrors, or bind another calculator"
                    ),
                )
            }
            e @ ComputeError::InvalidParams { .. } => ApiError::bad_input("params", e.to_string()),
            ComputeError::Inputs(e) => ApiError::new(
                Code::BadUserInput,
                format!("the stored inputs cannot be computed on: {e}"),
            ),
        }
    }
}

impl From<CalculatorError> for ApiError {
    fn from(e: CalculatorError) -> Self {
        match e {
            CalculatorError::UnknownCalculator(_) => {
                ApiError::bad_input("calculator", e.to_string())
            }
            CalculatorError::InvalidParam { .. } => ApiError::bad_input("params", e.to_string()),
            CalculatorError::MissingInput(_) | CalculatorError::InvalidInput(_) => {
                ApiError::new(Code::BadUserInput, e.to_string())
            }
            CalculatorError::Timeout { .. }
            | CalculatorError::Crashed { .. }
            | CalculatorError::PluginFailed { .. }
            | CalculatorError::PluginProtocol { .. }
            | CalculatorError::Overflow => {
                // Logged for the operator: a failing plugin is theirs to fix.
                tracing::warn!(error = %e, "calculator failed");
                ApiError::new(Code::CalculatorFailed, e.to_string())
            }
        }
    }
}

/// A payments file that cannot be read: the message names the line and the
/// column (or the missing header), and the field is the `csv` argument.
impl From<CsvError> for ApiError {
    fn from(e: CsvError) -> Self {
        ApiError::bad_input("csv", e.to_string())
    }
}

impl From<WriteError> for ApiError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::NotFound { entity, key } => ApiError::new(Code::NotFound, format!("{entity} {key} not found")),
            WriteError::VersionConflict {
                entity,
                expected,
                actual,
                ..
            } => ApiError::new(
                Code::Conflict,
                format!(
                    "the {entity} was changed by someone else: it has version {actual}, not {expected}; reload it and retry"
                ),
            ),
            WriteError::Conflict(message) => ApiError::new(Code::Conflict, message),
            WriteError::Invalid { field: Some(f), message } => {
                ApiError::bad_input(format!("input.{}", input_field(&f)), message)
            }
            WriteError::Invalid { field: None, message } => ApiError::new(Code::BadUserInput, message),
            WriteError::Store(e) => ApiError::from(e),
        }
    }
}

/// The input field of the API that a storage field (`snake_case`, as
/// storage names it) stands for: `last_year` → `lastYear`.
fn input_field(storage: &str) -> String {
    let mut out = String::with_capacity(storage.len());
    let mut upper = false;
    for c in storage.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

impl From<ApiError> for async_graphql::Error {
    // The extension closure is the only place codes are attached.
    fn from(e: ApiError) -> Self {
        let code = e.code.as_str();
        let field = e.field.clone();
        let line = e.line;
        async_graphql::Error::new(e.message).extend_with(|_, ext| {
            ext.set("code", code);
            if code == Code::Busy.as_str() {
                ext.set("retryable", true);
            }
            if let Some(field) = &field {
                ext.set("field", field.as_str());
            }
            if let Some(line) = line {
                ext.set("line", line);
            }
        })
    }
}

/// Result type of resolvers.
pub type ApiResult<T> = Result<T, ApiError>;

/// Executes `request` on `schema` with async-graphql's own input errors
/// given the codes of [`ApiError`]: the one way every request is run (the
/// HTTP handler, the tests that execute the schema directly).
///
/// - A NUL character (U+0000) in a variable is refused before anything
///   runs, on both backends alike (Postgres cannot store one; SQLite
///   would): `BAD_USER_INPUT` with the variable's path as `field`.
/// - An argument whose value does not parse (a `Decimal` that is not a
///   number, a `Date` that is not a date) is `BAD_USER_INPUT` with the
///   argument as `field`, whether it came as a literal or as a variable.
///
/// This is not a schema extension: with any extension installed,
/// async-graphql sends every field through the extension chain, which
/// costs every request (BENCHMARKS.md, "Hardening and frontends").
pub async fn execute<Q, M, S>(
    schema: &async_graphql::Schema<Q, M, S>,
    request: async_graphql::Request,
) -> async_graphql::Response
where
    Q: async_graphql::ObjectType + 'static,
    M: async_graphql::ObjectType + 'static,
    S: async_graphql::SubscriptionType + 'static,
{
    if let Some(error) = nul_in_variables(&request) {
        return async_graphql::Response::from_errors(vec![error]);
    }
    let query = request.query.clone();
    let mut response = schema.execute(request).await;
    code_input_errors(&query, &mut response);
    response
}

/// The refusal of a request with a NUL character in a variable.
pub(crate) fn nul_in_variables(
    request: &async_graphql::Request,
) -> Option<async_graphql::ServerError> {
    let field = request
        .variables
        .iter()
        .find_map(|(name, value)| path_of_nul(value, name.to_string()))?;
    let mut error = async_graphql::ServerError::new(
        format!("{field} contains a NUL character (U+0000), which cannot be stored"),
        None,
    );
    set_bad_input(&mut error, &field);
    Some(error)
}

/// Gives the errors async-graphql raised itself for unreadable arguments
/// the code `BAD_USER_INPUT` and the argument as `field`.
pub(crate) fn code_input_errors(query: &str, response: &mut async_graphql::Response) {
    if response.errors.iter().all(has_code) {
        return;
    }
    for error in &mut response.errors {
        if has_code(error) {
            continue;
        }
        // Validation: `Invalid value for argument "value", expected type "Decimal"`.
        let named = error
            .message
            .strip_prefix("Invalid value for argument \"")
            .and_then(|rest| rest.split_once('"'))
            .map(|(argument, _)| argument.to_string());
        // Execution: `Failed to parse "Decimal": …` at the argument's value.
        let located = || {
            let at = error.locations.first()?;
            argument_at(query, at.line, at.column)
        };
        let unreadable = error.message.starts_with("Failed to parse");
        let argument = match named {
            Some(argument) => Some(argument),
            None if unreadable => located(),
            None => None,
        };
        match argument {
            Some(argument) => set_bad_input(error, &argument),
            // An argument async-graphql could not read (an Int beyond
            // 32 bits, say) whose name the location does not give.
            None if unreadable => {
                error
                    .extensions
                    .get_or_insert_with(Default::default)
                    .set("code", Code::BadUserInput.as_str());
            }
            None => {}
        }
    }
}

/// The same for subscriptions over WebSocket, which async-graphql runs
/// itself: a schema extension (that schema carries the document limits as
/// an extension already, so its fields pay the chain anyway).
#[derive(Debug, Default, Clone, Copy)]
pub struct InputErrors;

impl async_graphql::extensions::ExtensionFactory for InputErrors {
    fn create(&self) -> std::sync::Arc<dyn async_graphql::extensions::Extension> {
        std::sync::Arc::new(InputErrorsOfRequest::default())
    }
}

#[derive(Debug, Default)]
struct InputErrorsOfRequest {
    query: std::sync::Mutex<Option<String>>,
}

#[async_graphql::async_trait::async_trait]
impl async_graphql::extensions::Extension for InputErrorsOfRequest {
    async fn request(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        next: async_graphql::extensions::NextRequest<'_>,
    ) -> async_graphql::Response {
        let mut response = next.run(ctx).await;
        let query = self.query.lock().ok().and_then(|mut q| q.take());
        code_input_errors(query.as_deref().unwrap_or(""), &mut response);
        response
    }

    async fn prepare_request(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        request: async_graphql::Request,
        next: async_graphql::extensions::NextPrepareRequest<'_>,
    ) -> async_graphql::ServerResult<async_graphql::Request> {
        if let Some(error) = nul_in_variables(&request) {
            return Err(error);
        }
        if let Ok(mut query) = self.query.lock() {
            *query = Some(request.query.clone());
        }
        next.run(ctx, request).await
    }
}

/// The name of the argument whose value starts at `line`:`column` (1-based,
/// in characters) of `query`: `value` in `recordMeasurement(value: $v)`.
fn argument_at(query: &str, line: usize, column: usize) -> Option<String> {
    let text = query.lines().nth(line.checked_sub(1)?)?;
    let before: String = text.chars().take(column.checked_sub(1)?).collect();
    let before = before.trim_end().strip_suffix(':')?.trim_end();
    let name: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (!name.is_empty()).then_some(name)
}

fn has_code(error: &async_graphql::ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some())
}

fn set_bad_input(error: &mut async_graphql::ServerError, field: &str) {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", Code::BadUserInput.as_str());
    extensions.set("field", field);
}

/// The path (`input.title`) of the first string holding a NUL.
fn path_of_nul(value: &async_graphql::Value, path: String) -> Option<String> {
    use async_graphql::Value;
    match value {
        Value::String(s) if s.contains('\0') => Some(path),
        Value::List(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| path_of_nul(v, format!("{path}[{i}]"))),
        Value::Object(fields) => fields
            .iter()
            .find_map(|(k, v)| path_of_nul(v, format!("{path}.{k}"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn code_and_field(e: impl Into<ApiError>) -> (&'static str, Option<String>) {
        let e = e.into();
        (e.code.as_str(), e.field)
    }

    fn failed(e: CalculatorError) -> ComputeError {
        ComputeError::Calculator(e)
    }

    #[test]
    fn a_storage_field_is_named_as_the_input_field_of_the_api() {
        for (storage, api) in [
            ("last_year", "input.lastYear"),
            ("responsibility_centre", "input.responsibilityCentre"),
            ("strategic_objectives", "input.strategicObjectives"),
            ("period", "input.period"),
        ] {
            let e = WriteError::Invalid {
                field: Some(storage.into()),
                message: "m".into(),
            };
            assert_eq!(code_and_field(e), ("BAD_USER_INPUT", Some(api.to_string())));
        }
    }

    #[test]
    fn each_calculation_failure_maps_to_its_code_and_field() {
        let cases: Vec<(ComputeError, &str, Option<&str>)> = vec![
            (
                ComputeError::Store(StoreError::NotFound {
                    entity: "indicator",
                    key: "7".into(),
                }),
                "NOT_FOUND",
                None,
            ),
            (
                ComputeError::Store(StoreError::Corrupt("x".into())),
                "INTERNAL",
                None,
            ),
            (
                ComputeError::NoBinding {
                    indicator: "P/A.1/1".into(),
                },
                "BAD_USER_INPUT",
                Some("indicator"),
            ),
            (
                ComputeError::UnknownCalculator {
                    indicator: "P/A.1/1".into(),
                    calculator: "gone".into(),
                },
                "CALCULATOR_FAILED",
                None,
            ),
            (
                ComputeError::InvalidParams {
                    indicator: "P/A.1/1".into(),
                    params: "[]".into(),
                },
                "BAD_USER_INPUT",
                Some("params"),
            ),
            (
                ComputeError::Inputs(cruscotto_calculators::InputError::OutOfRange {
                    row: 0,
                    column: "amount",
                    message: "too large".into(),
                }),
                "BAD_USER_INPUT",
                None,
            ),
            (
                failed(CalculatorError::UnknownCalculator("x".into())),
                "BAD_USER_INPUT",
                Some("calculator"),
            ),
            (
                failed(CalculatorError::InvalidParam {
                    name: "default_term_days".into(),
                    message: "must be an integer".into(),
                }),
                "BAD_USER_INPUT",
                Some("params"),
            ),
            (
                failed(CalculatorError::MissingInput("payments".into())),
                "BAD_USER_INPUT",
                None,
            ),
            (
                failed(CalculatorError::InvalidInput("x".into())),
                "BAD_USER_INPUT",
                None,
            ),
            (
                failed(CalculatorError::Timeout {
                    id: "slow".into(),
                    after: Duration::from_millis(10),
                }),
                "CALCULATOR_FAILED",
                None,
            ),
            (
                failed(CalculatorError::Crashed {
                    id: "p".into(),
                    cause: "its worker process was killed by SIGSEGV".into(),
                }),
                "CALCULATOR_FAILED",
                None,
            ),
            (
                failed(CalculatorError::PluginFailed {
                    id: "p".into(),
                    message: "panicked".into(),
                }),
                "CALCULATOR_FAILED",
                None,
            ),
            (
                failed(CalculatorError::PluginProtocol {
                    id: "p".into(),
                    message: "null result".into(),
                }),
                "CALCULATOR_FAILED",
                None,
            ),
            (failed(CalculatorError::Overflow), "CALCULATOR_FAILED", None),
        ];
        for (error, code, field) in cases {
            let shown = format!("{error:?}");
            assert_eq!(
                code_and_field(error),
                (code, field.map(str::to_string)),
                "{shown}"
            );
        }
    }

    #[test]
    fn a_bad_payments_row_is_bad_input_on_the_csv_field_naming_line_and_column() {
        let csv = "numero fattura;fornitore;importo;data fattura\nF1;ACME;abc;01/01/2020\n";
        let e = cruscotto_calculators::read_payments_csv_from(csv.as_bytes(), "p.csv")
            .expect_err("the amount is not a number");
        let e = ApiError::from(e);
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::BadUserInput, Some("csv"))
        );
        assert!(
            e.message.contains("p.csv:2") && e.message.contains("importo"),
            "{}",
            e.message
        );
    }

    #[test]
    fn an_internal_failure_tells_the_client_nothing_of_its_cause() {
        let e = ApiError::from(StoreError::Corrupt("table indicator_values".into()));
        assert_eq!(e.code, Code::Internal);
        assert!(!e.message.contains("indicator_values"), "{}", e.message);
    }
}
