//! Storage of the API's bearer tokens: their SHA-256 hashes, names, roles
//! and lifetimes. The tokens themselves are never stored; hashing and role
//! semantics belong to the API crate, which hands this module hex digests
//! and role names.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::Database;
use crate::error::StoreError;
use crate::schema::api_tokens;

/// A stored token: who holds it and what it may do, never the token.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = api_tokens, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ApiToken {
    pub id: i32,
    pub name: String,
    /// `viewer`, `editor` or `admin` (checked by the table).
    pub role: String,
    /// Lower-case hex SHA-256 of the token.
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    /// When the token stopped being accepted; `None` while it is live.
    pub revoked_at: Option<NaiveDateTime>,
}

impl ApiToken {
    pub fn is_live(&self) -> bool {
        self.revoked_at.is_none()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_tokens)]
struct NewApiToken<'a> {
    name: &'a str,
    role: &'a str,
    token_hash: &'a str,
    created_at: NaiveDateTime,
}

fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

impl Database {
    /// Stores a new live token. A live token with the same name is refused
    /// (`StoreError::Invalid`): names are how tokens are revoked.
    pub fn create_token(
        &self,
        name: &str,
        role: &str,
        token_hash: &str,
    ) -> Result<ApiToken, StoreError> {
        let row = NewApiToken {
            name,
            role,
            token_hash,
            created_at: now(),
        };
        let inserted: Result<ApiToken, DieselError> =
            crate::backend::on_backend!(self, |conn, _b| {
                diesel::insert_into(api_tokens::table)
                    .values(&row)
                    .returning(ApiToken::as_returning())
                    .get_result(conn)
            });
        inserted.map_err(|e| match e {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => StoreError::Invalid {
                entity: "token",
                key: name.to_string(),
                message: "a live token with this name exists; revoke it first or choose another name".into(),
            },
            DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, _) => StoreError::Invalid {
                entity: "token",
                key: name.to_string(),
                message: format!("the name must not be empty and the role ({role}) must be viewer, editor or admin"),
            },
            other => StoreError::Query(other),
        })
    }

    /// The token whose hash is `token_hash`, live or revoked; `None` when no
    /// token has that hash.
    pub fn token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
        let found = crate::backend::on_backend!(self, |conn, _b| {
            api_tokens::table
                .filter(api_tokens::token_hash.eq(token_hash))
                .select(ApiToken::as_select())
                .first(conn)
                .optional()?
        });
        Ok(found)
    }

    /// Revokes the live token named `name`; returns whether there was one.
    pub fn revoke_token(&self, name: &str) -> Result<bool, StoreError> {
        let updated = crate::backend::on_backend!(self, |conn, _b| {
            diesel::update(
                api_tokens::table
                    .filter(api_tokens::name.eq(name))
                    .filter(api_tokens::revoked_at.is_null()),
            )
            .set(api_tokens::revoked_at.eq(now()))
            .execute(conn)?
        });
        Ok(updated > 0)
    }

    /// Every token ever created, oldest first.
    pub fn tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        let all = crate::backend::on_backend!(self, |conn, _b| {
            api_tokens::table
                .order(api_tokens::id.asc())
                .select(ApiToken::as_select())
                .load(conn)?
        });
        Ok(all)
    }
}
