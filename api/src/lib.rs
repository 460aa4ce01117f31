//! The GraphQL API of cruscotto: the schema and its resolvers ([`graph`]),
//! the HTTP service around it ([`http`]), who may do what ([`auth`]), the
//! mapping of every failure to a client error code ([`errors`]) and the
//! service's settings ([`settings`]).
//!
//! This is the only crate that knows actix-web and async-graphql. It reads
//! and writes the database only through `cruscotto-store`.

pub mod auth;
pub mod errors;
pub mod graph;
pub mod http;
pub mod settings;
pub mod state;
pub mod trusted;

pub use http::Application;
pub use settings::Settings;
