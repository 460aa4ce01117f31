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

const SQLITE_UNINDEXED_FKS: &str = "
    SELECT m.name AS table_name, f.\"from\" AS column_name
    FROM sqlite_master m, pragma_foreign_key_list(m.name) f
    WHERE m.type = 'table'
      AND NOT EXISTS (
        SELECT 1 FROM pragma_index_list(m.name) il, pragma_index_info(il.name) ii
        WHERE ii.seqno = 0 AND ii.name = f.\"from\")
    ORDER BY 1, 2";

const POSTGRES_UNINDEXED_FKS: &str = "
    SELECT c.conrelid::regclass::text AS table_name, a.attname::text AS column_name
    FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
      AND NOT EXISTS (
        SELECT 1 FROM pg_index i
        WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
    ORDER BY 1, 2";

const SQLITE_COLUMNS: &str = "
    SELECT m.name AS table_name, p.name AS column_name, p.type AS sql_type,
           p.\"notnull\" = 0 AND NOT (
               p.pk = 1 AND upper(p.type) = 'INTEGER'
               AND (SELECT count(*) FROM pragma_table_info(m.name) k WHERE k.pk > 0) = 1
           ) AS nullable
    FROM sqlite_master m, pragma_table_info(m.name) p
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
      AND m.name <> '__diesel_schema_migrations'
    ORDER BY 1, p.cid";

const POSTGRES_COLUMNS: &str = "
    SELECT table_name::text AS table_name, column_name::text AS column_name,
           data_type::text AS sql_type, is_nullable = 'YES' AS nullable
    FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'
    ORDER BY 1, ordinal_position";

impl Database {
    /// `table.column` of every foreign key that no index starts with.
    pub fn unindexed_foreign_keys(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<ForeignKey> = match self {
            Database::Sqlite(pool) => sql_query(SQLITE_UNINDEXED_FKS).load(&mut **pool.get()?)?,
            Database::Postgres(pool) => {
                sql_query(POSTGRES_UNINDEXED_FKS).load(&mut **pool.get()?)?
            }
        };
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
        Ok(match self {
            Database::Sqlite(pool) => sql_query(SQLITE_COLUMNS).load(&mut **pool.get()?)?,
            Database::Postgres(pool) => sql_query(POSTGRES_COLUMNS).load(&mut **pool.get()?)?,
        })
    }

    /// Names of the application's tables.
    pub fn tables(&self) -> Result<Vec<String>, StoreError> {
        let mut tables: Vec<String> = self.columns()?.into_iter().map(|(t, _)| t).collect();
        tables.dedup();
        Ok(tables)
    }
}
