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
pub mod store;
pub mod testing;
pub mod tokens;
mod tx;

pub use db::{Backend, Database, PoolOptions};
pub use error::StoreError;
pub use store::{ImportSummary, PlanCounts};
