//! The one mapping from failures to client errors. Every GraphQL error
//! carries `extensions.code`, and input errors the offending `field`.
//! Internal causes are logged with their chain and never sent: clients see
//! no SQL, table or constraint names.

use async_graphql::ErrorExtensions;
use cruscotto_calculators::{CalculatorError, CsvError};
use cruscotto_schema::calc::CalcStoreError;
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
impl From<CalcStoreError> for ApiError {
    fn from(e: CalcStoreError) -> Self {
        match e {
            CalcStoreError::Store(e) => ApiError::from(e),
            CalcStoreError::Calculator(e) => ApiError::from(e),
            CalcStoreError::NoBinding { indicator } => ApiError::bad_input(
                "indicator",
                format!(
                    "indicator {indicator} has no calculator: bind one with bindCalculator first"
                ),
            ),
            CalcStoreError::UnknownCalculator {
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
            e @ CalcStoreError::InvalidParams { .. } => {
                ApiError::bad_input("params", e.to_string())
            }
            CalcStoreError::Inputs(e) => ApiError::new(
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn code_and_field(e: impl Into<ApiError>) -> (&'static str, Option<String>) {
        let e = e.into();
        (e.code.as_str(), e.field)
    }

    fn failed(e: CalculatorError) -> CalcStoreError {
        CalcStoreError::Calculator(e)
    }

    #[test]
    fn each_calculation_failure_maps_to_its_code_and_field() {
        let cases: Vec<(CalcStoreError, &str, Option<&str>)> = vec![
            (
                CalcStoreError::Store(StoreError::NotFound {
                    entity: "indicator",
                    key: "7".into(),
                }),
                "NOT_FOUND",
                None,
            ),
            (
                CalcStoreError::Store(StoreError::Corrupt("x".into())),
                "INTERNAL",
                None,
            ),
            (
                CalcStoreError::NoBinding {
                    indicator: "P/A.1/1".into(),
                },
                "BAD_USER_INPUT",
                Some("indicator"),
            ),
            (
                CalcStoreError::UnknownCalculator {
                    indicator: "P/A.1/1".into(),
                    calculator: "gone".into(),
                },
                "CALCULATOR_FAILED",
                None,
            ),
            (
                CalcStoreError::InvalidParams {
                    indicator: "P/A.1/1".into(),
                    params: "[]".into(),
                },
                "BAD_USER_INPUT",
                Some("params"),
            ),
            (
                CalcStoreError::Inputs(cruscotto_calculators::InputError::OutOfRange {
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
