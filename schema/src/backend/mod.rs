//! The backend seam: what differs between SQLite and Postgres stands here,
//! and [`on_backend!`] is the one way from a [`Database`](crate::Database)
//! to a connection.
//!
//! Diesel checks a query against one backend at compile time, and generic
//! query code over "any backend" needs bounds that grow with every clause.
//! Storage therefore writes its queries once, as plain concrete modules (the
//! *query modules*: [`entity`](sqlite::entity), the document
//! [`import`](sqlite::import) and [`export`](sqlite::export), the
//! mutations' [`graph`](sqlite::graph) checks), and compiles them twice:
//! [`query_modules!`] declares the same files inside [`sqlite`] and inside
//! [`pg`]. A query module names its backend only through what its backend
//! module provides, and each backend module provides exactly this:
//!
//! | item | SQLite | Postgres |
//! | --- | --- | --- |
//! | `Conn`, `Db` | `SqliteConnection`, `Sqlite` | `PgConnection`, `Pg` |
//! | `keys_in!(col, keys)` | one JSON parameter (`keys::JsonKeysIn`), one statement text for any number of keys | `col = ANY($1)`, one array parameter |
//!
//! Everything else a query module uses is named by its crate path, so the
//! two copies are the same code. Backend differences outside the query
//! modules (transactions and locks in `tx.rs`, the change-log tail in
//! `changes.rs`, pragmas and pools in `db.rs`) are written against the
//! concrete connection types there.
//!
//! Callers outside the query modules reach them through [`on_backend!`]:
//!
//! ```text
//! crate::backend::on_backend!(db, |conn, b| b::export::plan_codes(conn))
//! ```
//!
//! takes a connection from the pool of the database's backend (a pool error
//! becomes a [`StoreError`](crate::StoreError), converted by `?` into the
//! caller's error type) and runs the body with `conn: &mut b::Conn` and `b`
//! naming that backend's module.

/// Declares the query modules, in the backend module it is expanded in
/// (`sqlite.rs` or `pg.rs`, whose directory the paths are relative to).
macro_rules! query_modules {
    () => {
        /// The storage side of calculations: payments, inputs, values.
        #[path = "../calc/ops.rs"]
        pub(crate) mod calc;
        /// Every table's writer and reads (see the module documentation).
        #[path = "../entity/mod.rs"]
        pub(crate) mod entity;
        /// A stored plan rebuilt as a document, and whole-plan counts.
        #[path = "../store/export.rs"]
        pub(crate) mod export;
        /// The mutations' checks in the API's terms, before the entity writers.
        #[path = "../graph/writes.rs"]
        pub(crate) mod graph;
        /// A document's import: a composition of the entity writers.
        #[path = "../store/import.rs"]
        pub(crate) mod import;
    };
}

/// The query modules compiled for SQLite.
#[allow(clippy::duplicate_mod)] // The same files, compiled per backend.
pub(crate) mod sqlite;

/// The query modules compiled for Postgres.
#[allow(clippy::duplicate_mod)] // The same files, compiled per backend.
pub(crate) mod pg;

/// Runs `$body` with a pooled connection of `$db`'s backend bound to
/// `$conn` (`&mut b::Conn`) and that backend's module bound to `$b`; with
/// `pool |pool, b|`, with the backend's pool instead (for a backend
/// function that takes more than one connection). See the module
/// documentation.
macro_rules! on_backend {
    ($db:expr, pool |$pool:ident, $b:ident| $body:expr) => {
        match $db {
            $crate::db::Database::Sqlite($pool) => {
                #[allow(unused_imports)]
                use $crate::backend::sqlite as $b;
                $body
            }
            $crate::db::Database::Postgres($pool) => {
                #[allow(unused_imports)]
                use $crate::backend::pg as $b;
                $body
            }
        }
    };
    ($db:expr, |$conn:ident, $b:ident| $body:expr) => {
        match $db {
            $crate::db::Database::Sqlite(pool) => {
                #[allow(unused_imports)]
                use $crate::backend::sqlite as $b;
                let mut pooled = pool.get().map_err($crate::StoreError::from)?;
                let $conn: &mut ::diesel::SqliteConnection = &mut pooled;
                $body
            }
            $crate::db::Database::Postgres(pool) => {
                #[allow(unused_imports)]
                use $crate::backend::pg as $b;
                let mut pooled = pool.get().map_err($crate::StoreError::from)?;
                let $conn: &mut ::diesel::PgConnection = &mut pooled;
                $body
            }
        }
    };
}
pub(crate) use on_backend;
