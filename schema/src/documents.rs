//! Storage of trusted documents: the GraphQL documents a server in
//! trusted-documents mode runs, by the hex SHA-256 of their text. Hashing
//! and what the mode means belong to the API crate; this module stores
//! what it is handed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::Database;
use crate::error::StoreError;
use crate::schema::trusted_documents;

/// A registered document.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = trusted_documents, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct TrustedDocument {
    /// Lower-case hex SHA-256 of `document`.
    pub hash: String,
    pub document: String,
    /// A name for people (by default the file it was registered from).
    pub name: String,
    pub registered_at: NaiveDateTime,
}

impl Database {
    /// Registers a document; `false` when its hash was registered already
    /// (the stored one is kept).
    pub fn register_document(
        &self,
        hash: &str,
        document: &str,
        name: &str,
    ) -> Result<bool, StoreError> {
        let row = TrustedDocument {
            hash: hash.to_string(),
            document: document.to_string(),
            name: name.to_string(),
            registered_at: chrono::Utc::now().naive_utc(),
        };
        let inserted = crate::backend::on_backend!(self, |conn, _b| diesel::insert_into(
            trusted_documents::table
        )
        .values(&row)
        .on_conflict_do_nothing()
        .execute(conn)?);
        Ok(inserted > 0)
    }

    /// The document registered under `hash`, if any.
    pub fn trusted_document(&self, hash: &str) -> Result<Option<String>, StoreError> {
        let found = crate::backend::on_backend!(self, |conn, _b| trusted_documents::table
            .find(hash)
            .select(trusted_documents::document)
            .first::<String>(conn)
            .optional()?);
        Ok(found)
    }

    /// Every registered document, oldest first.
    pub fn trusted_documents(&self) -> Result<Vec<TrustedDocument>, StoreError> {
        let all = crate::backend::on_backend!(self, |conn, _b| trusted_documents::table
            .order((
                trusted_documents::registered_at.asc(),
                trusted_documents::hash.asc()
            ))
            .select(TrustedDocument::as_select())
            .load(conn)?);
        Ok(all)
    }

    /// Removes the document registered under `hash`; whether there was one.
    pub fn remove_trusted_document(&self, hash: &str) -> Result<bool, StoreError> {
        let removed = crate::backend::on_backend!(self, |conn, _b| diesel::delete(
            trusted_documents::table.find(hash)
        )
        .execute(conn)?);
        Ok(removed > 0)
    }
}
