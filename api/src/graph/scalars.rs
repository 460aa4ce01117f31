//! The custom scalars: `Date` (ISO 8601 calendar date), `DateTime` (ISO
//! 8601 date and time, UTC, without offset) and `Decimal` (an exact decimal
//! number carried as a string, so `85.00` and `-25.29` survive the round
//! trip digit for digit; it never passes through a float).

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{NaiveDate, NaiveDateTime};

/// A calendar date in ISO 8601 form, e.g. `2020-01-31`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

/// A calendar date in ISO 8601 form, e.g. `2020-01-31`.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| {
                    InputValueError::custom(format!("expected a date like 2020-01-31, found {s:?}"))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// A moment in UTC in ISO 8601 form without offset, e.g.
/// `2024-03-01T10:15:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime(pub NaiveDateTime);

/// A moment in UTC in ISO 8601 form without offset, e.g.
/// `2024-03-01T10:15:00`.
#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .map(DateTime)
                .map_err(|_| {
                    InputValueError::custom(format!(
                        "expected a time like 2024-03-01T10:15:00, found {s:?}"
                    ))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%dT%H:%M:%S%.f").to_string())
    }
}

/// An exact decimal number written as a string, e.g. `"85.00"` or
/// `"-25.29"`: its digits and scale are kept as given. Inputs may also be
/// whole JSON numbers; fractional JSON numbers are refused because they
/// have already been rounded to binary floating point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal(pub rust_decimal::Decimal);

/// An exact decimal number written as a string, e.g. `"85.00"` or
/// `"-25.29"`: its digits and scale are kept as given. Inputs may also be
/// whole JSON numbers; fractional JSON numbers are refused because they
/// have already been rounded to binary floating point.
#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => s
                .trim()
                .parse::<rust_decimal::Decimal>()
                .map(Decimal)
                .map_err(|_| {
                    InputValueError::custom(format!(
                        "expected a decimal number like \"85.00\", found {s:?}"
                    ))
                }),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Ok(Decimal(rust_decimal::Decimal::from(i))),
                None => Err(InputValueError::custom(
                    "send fractional decimals as strings (\"85.5\") so that they stay exact",
                )),
            },
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

impl From<cruscotto_store::sql_types::Number> for Decimal {
    fn from(n: cruscotto_store::sql_types::Number) -> Self {
        Decimal(n.0)
    }
}

impl From<Decimal> for cruscotto_store::sql_types::Number {
    fn from(d: Decimal) -> Self {
        cruscotto_store::sql_types::Number(d.0)
    }
}
