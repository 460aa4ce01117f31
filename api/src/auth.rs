//! Who is asking and what they may do: roles, the principal of a request,
//! the role check of mutations, and bearer tokens (made, hashed, looked up).
//! Reads are public unless configured otherwise; every mutation needs a
//! bearer token whose role allows it. Tokens are stored as hashes only (see
//! `cruscotto-store`'s tokens).

/// Roles, from least to most powerful; each includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads, also when reads require a token.
    Viewer,
    /// Creates, updates and deletes plan data; records measurements.
    Editor,
    /// Everything, including imports and reloading calculators.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// The caller of a request, put into the GraphQL request data by the HTTP
/// layer: anonymous, or the holder of a valid token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Anonymous,
    Token { name: String, role: Role },
}

impl Principal {
    /// Name recorded as "who" in provenance and measurement records.
    pub fn name(&self) -> &str {
        match self {
            Principal::Anonymous => "anonymous",
            Principal::Token { name, .. } => name,
        }
    }

    pub fn role(&self) -> Option<Role> {
        match self {
            Principal::Anonymous => None,
            Principal::Token { role, .. } => Some(*role),
        }
    }
}

/// The role check of mutations, declared on each resolver with
/// `#[graphql(guard = "RoleGuard(Role::Editor)")]` so that async-graphql runs
/// it before the resolver: anonymous callers get `UNAUTHENTICATED`, callers
/// with a weaker role `FORBIDDEN`.
pub struct RoleGuard(pub Role);

impl async_graphql::Guard for RoleGuard {
    async fn check(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<()> {
        allows(principal(ctx), self.0).map_err(Into::into)
    }
}

/// The caller of the current request (anonymous when the HTTP layer put no
/// principal into the request data).
pub fn principal<'a>(ctx: &'a async_graphql::Context<'_>) -> &'a Principal {
    ctx.data_opt::<Principal>().unwrap_or(&Principal::Anonymous)
}

/// Whether `principal` holds at least `role`.
fn allows(principal: &Principal, role: Role) -> Result<(), crate::errors::ApiError> {
    use crate::errors::{ApiError, Code};
    match principal.role() {
        None => Err(ApiError::new(
            Code::Unauthenticated,
            "this operation needs a bearer token (Authorization: Bearer …)",
        )),
        Some(have) if have < role => Err(ApiError::new(
            Code::Forbidden,
            format!(
                "this operation needs the {} role; the token has {}",
                role.as_str(),
                have.as_str()
            ),
        )),
        Some(_) => Ok(()),
    }
}

// ---------------------------------------------------------------------------
// Bearer tokens: how they are made, hashed and checked.
// ---------------------------------------------------------------------------

/// Every token starts with this, so that one pasted into the wrong place
/// (a log, a chat, a repository) is recognisable and can be scanned for.
pub const TOKEN_PREFIX: &str = "crs_";

/// Random bytes in a token: 256 bits, beyond guessing.
const TOKEN_BYTES: usize = 32;

/// Why a token could not be made.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed: {0}")]
pub struct RandomError(String);

/// A new token: the prefix and 32 bytes from the operating system's random
/// number generator, in hex. It is shown once to whoever creates it; only
/// its [`hash_token`] is stored.
pub fn generate_token() -> Result<String, RandomError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| RandomError(e.to_string()))?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
}

/// The stored form of a token: the lower-case hex SHA-256 of its text. A
/// plain hash (no salt, no slow KDF) is enough because tokens are long
/// random strings, not passwords a dictionary could find; it also lets a
/// token be found by an indexed lookup.
pub fn hash_token(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether `token` has the shape [`generate_token`] gives: the prefix and
/// 64 lower-case hex digits. Anything else is refused without asking the
/// database.
pub fn is_well_formed_token(token: &str) -> bool {
    token.strip_prefix(TOKEN_PREFIX).is_some_and(|hex| {
        hex.len() == 2 * TOKEN_BYTES && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// The token of an `Authorization` header value: `Bearer <token>` (the
/// scheme is case-insensitive, as HTTP says). `None` for any other shape.
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The principal an `Authorization` header value stands for, looked up by
/// the token's hash. No header means [`Principal::Anonymous`]; a header that
/// is present but malformed, unknown or revoked is `UNAUTHENTICATED`, never
/// anonymous: a client that meant to authenticate must learn that it did
/// not. Blocking: call it through [`crate::state::AppState::blocking`].
pub fn authenticate(
    db: &cruscotto_store::Database,
    authorization: Option<&str>,
) -> Result<Principal, crate::errors::ApiError> {
    use crate::errors::{ApiError, Code};
    let Some(header) = authorization else {
        return Ok(Principal::Anonymous);
    };
    let rejected = |why: &str| {
        ApiError::new(
            Code::Unauthenticated,
            format!("the bearer token was not accepted: {why}"),
        )
    };
    let token = bearer_token(header)
        .ok_or_else(|| rejected("the Authorization header must be `Bearer <token>`"))?;
    if !is_well_formed_token(token) {
        return Err(rejected("it is not a cruscotto token"));
    }
    let stored = db
        .token_by_hash(&hash_token(token))
        .map_err(ApiError::internal)?;
    match stored {
        None => Err(rejected("it is unknown")),
        Some(t) if !t.is_live() => Err(rejected("it has been revoked")),
        Some(t) => {
            let role = Role::parse(&t.role).ok_or_else(|| {
                ApiError::internal(format!(
                    "token {} has the unknown role {:?}",
                    t.name, t.role
                ))
            })?;
            Ok(Principal::Token { name: t.name, role })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_well_formed_and_differ() {
        let a = generate_token().unwrap();
        let b = generate_token().unwrap();
        assert!(is_well_formed_token(&a), "{a}");
        assert_ne!(a, b);
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 64);
    }

    #[test]
    fn the_hash_is_the_hex_sha256_of_the_token() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn only_bearer_headers_carry_a_token() {
        assert_eq!(bearer_token("Bearer crs_x"), Some("crs_x"));
        assert_eq!(bearer_token("bearer  crs_x "), Some("crs_x"));
        assert_eq!(bearer_token("Basic dXNlcjpwYXNz"), None);
        assert_eq!(bearer_token("Bearer"), None);
        assert_eq!(bearer_token("Bearer "), None);
    }

    #[test]
    fn malformed_tokens_are_recognised_without_the_database() {
        assert!(!is_well_formed_token("crs_abc"));
        assert!(!is_well_formed_token(&format!("xyz_{}", "a".repeat(64))));
        assert!(!is_well_formed_token(&format!("crs_{}", "A".repeat(64))));
        assert!(is_well_formed_token(&format!("crs_{}", "0".repeat(64))));
    }
}
