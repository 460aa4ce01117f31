//! Who is asking and what they may do. Reads are public unless configured
//! otherwise; every mutation needs a bearer token whose role allows it.
//! Tokens are stored as hashes only (see `cruscotto-schema`'s tokens).

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

/// The caller of the current request, if it holds at least `role`: the
/// check every mutation makes first. Anonymous callers get
/// `UNAUTHENTICATED`, callers with a weaker role `FORBIDDEN`.
pub fn require<'a>(
    ctx: &'a async_graphql::Context<'_>,
    role: Role,
) -> Result<&'a Principal, crate::errors::ApiError> {
    use crate::errors::{ApiError, Code};
    let principal = ctx
        .data_opt::<Principal>()
        .unwrap_or(&Principal::Anonymous);
    match principal.role() {
        None => Err(ApiError::new(
            Code::Unauthenticated,
            "this operation needs a bearer token (Authorization: Bearer …)",
        )),
        Some(have) if have < role => Err(ApiError::new(
            Code::Forbidden,
            format!("this operation needs the {} role; the token has {}", role.as_str(), have.as_str()),
        )),
        Some(_) => Ok(principal),
    }
}
