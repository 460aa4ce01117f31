//! Storage of the plan graph: the only crate of the workspace that knows
//! Diesel. It owns the connection pools of both backends ([`db`]), the table
//! declarations ([`schema`]), the row types ([`rows`]) and the queries that
//! write and read whole plans ([`store`]).
//!
//! Callers hold a [`Database`] and call its methods; which backend serves
//! them is decided once, by the database URL.

mod backend;
pub mod calc;
pub mod changes;
pub mod db;
pub mod documents;
pub mod error;
pub mod graph;
pub mod introspect;
pub mod period;
pub mod rows;
pub mod schema;
pub mod sql_types;
pub mod store;
pub mod tokens;
mod tx;

pub use db::{Backend, Database, PoolOptions};
pub use error::StoreError;
pub use store::{ImportSummary, PlanCounts};

/// The Postgres half of the test databases crate (`cruscotto-testdb`), by
/// file, for this crate's unit tests that reach private queries: that crate
/// depends on this one, so as a dev-dependency it would bring a second copy
/// of every type here. Its Postgres part is written against Diesel only.
#[cfg(test)]
#[allow(dead_code)]
#[path = "../../testdb/src"]
mod testdb {
    pub mod needs;
    pub mod postgres;
}
