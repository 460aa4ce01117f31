//! Questions about the schema itself, asked of the live database: which
//! foreign keys lack an index, and which columns each table has. Tests use
//! them to keep the migrations and `schema.rs` honest on both backends.

use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::Text;

use crate::db::Database;
use crate::error::StoreError;

#[derive(Debug, QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

#[derive(Debug, QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
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
    SELECT m.name AS table_name, p.name AS column_name
    FROM sqlite_master m, pragma_table_info(m.name) p
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
      AND m.name <> '__diesel_schema_migrations'
    ORDER BY 1, p.cid";

const POSTGRES_COLUMNS: &str = "
    SELECT table_name::text AS table_name, column_name::text AS column_name
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
        let rows: Vec<Column> = match self {
            Database::Sqlite(pool) => sql_query(SQLITE_COLUMNS).load(&mut **pool.get()?)?,
            Database::Postgres(pool) => sql_query(POSTGRES_COLUMNS).load(&mut **pool.get()?)?,
        };
        Ok(rows
            .into_iter()
            .map(|r| (r.table_name, r.column_name))
            .collect())
    }

    /// Names of the application's tables.
    pub fn tables(&self) -> Result<Vec<String>, StoreError> {
        let mut tables: Vec<String> = self.columns()?.into_iter().map(|(t, _)| t).collect();
        tables.dedup();
        Ok(tables)
    }
}
