//! How the domain's values are typed in the database, on both backends.
//!
//! - A vocabulary column (`plans.kind`, `indicators.unit`, …) is `TEXT`
//!   holding the term's one spelling; the rows hold the model's enums
//!   (`cruscotto_model::Unit`, …), which read and write themselves through
//!   the model's `diesel` feature (`model/src/sql.rs`). Text that is not a
//!   term is a read error naming the vocabulary, not a wrong value.
//! - A measured or target number (`measurements.value`, `targets.number`,
//!   `indicator_values.value`, …) is a [`Measure`] column: `numeric` on
//!   Postgres (exact, comparable and summable in SQL), its decimal text on
//!   SQLite (which has no exact decimal type); the rows hold a [`Number`]
//!   on both. The scale is kept: `12.50` reads back as `12.50`.

use std::fmt;

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{Numeric, SqlType, Text};
use diesel::sqlite::Sqlite;
use rust_decimal::Decimal;

/// The SQL type of a number of the domain: `numeric` on Postgres, decimal
/// text on SQLite (`schema.rs` declares those columns `Measure`).
#[derive(Debug, Clone, Copy, Default, diesel::query_builder::QueryId, SqlType)]
#[diesel(sqlite_type(name = "Text"))]
#[diesel(postgres_type(oid = 1700, array_oid = 1231))]
pub struct Measure;

/// An exact decimal number as a row holds it: a measurement, a target, a
/// baseline, a computed value or its numerator and denominator.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = Measure)]
pub struct Number(pub Decimal);

impl From<Decimal> for Number {
    fn from(d: Decimal) -> Self {
        Number(d)
    }
}

impl From<Number> for Decimal {
    fn from(n: Number) -> Self {
        n.0
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ToSql<Measure, Sqlite> for Number {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.to_string());
        Ok(IsNull::No)
    }
}

impl FromSql<Measure, Sqlite> for Number {
    fn from_sql(bytes: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<Text, Sqlite>>::from_sql(bytes)?;
        text.parse::<Decimal>()
            .map(Number)
            .map_err(|e| format!("number {text:?} is not a decimal: {e}").into())
    }
}

impl ToSql<Measure, Pg> for Number {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <Decimal as ToSql<Numeric, Pg>>::to_sql(&self.0, out)
    }
}

impl FromSql<Measure, Pg> for Number {
    fn from_sql(bytes: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        <Decimal as FromSql<Numeric, Pg>>::from_sql(bytes).map(Number)
    }
}
