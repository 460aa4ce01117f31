//! Questions about the schema itself, asked of the live database: which
//! foreign keys lack an index, and which columns each table has, with their
//! types and nullability. Tests use them to keep the migrations and
//! `schema.rs` honest on both backends.

use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::{Bool, Text};

use crate::db::Database;
use crate::error::StoreError;

#[derive(Debug, QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

/// A column as the database describes it, for [`Database::column_types`].
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct DbColumn {
    #[diesel(sql_type = Text)]
    pub table_name: String,
    #[diesel(sql_type = Text)]
    pub column_name: String,
    /// The type as the database names it: SQLite's declared type
    /// (`INTEGER`), Postgres's `information_schema` `data_type` (`integer`,
    /// `timestamp without time zone`).
    #[diesel(sql_type = Text)]
    pub sql_type: String,
    /// Whether the column can hold NULL. On SQLite an `INTEGER PRIMARY KEY`
    /// (an alias of the rowid) cannot, although `PRAGMA table_info` does
    /// not mark it `notnull`.
    #[diesel(sql_type = Bool)]
    pub nullable: bool,
}

impl Database {
    /// `table.column` of every foreign key that no index starts with.
    pub fn unindexed_foreign_keys(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<ForeignKey> =
            crate::backend::on_backend!(self, |conn, b| sql_query(b::UNINDEXED_FKS).load(conn)?);
        Ok(rows
            .into_iter()
            .map(|r| format!("{}.{}", r.table_name, r.column_name))
            .collect())
    }

    /// `(table, column)` of every column of the application's tables, in
    /// table order and then column order.
    pub fn columns(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(self
            .column_types()?
            .into_iter()
            .map(|r| (r.table_name, r.column_name))
            .collect())
    }

    /// Every column of the application's tables with its type and
    /// nullability, in table order and then column order.
    pub fn column_types(&self) -> Result<Vec<DbColumn>, StoreError> {
        Ok(crate::backend::on_backend!(self, |conn, b| sql_query(
            b::COLUMNS
        )
        .load(conn)?))
    }

    /// Names of the application's tables.
    pub fn tables(&self) -> Result<Vec<String>, StoreError> {
        let mut tables: Vec<String> = self.columns()?.into_iter().map(|(t, _)| t).collect();
        tables.dedup();
        Ok(tables)
    }
}
