//! Global object ids: the opaque `ID`s of the `Node` interface, the
//! URL-safe base64 of `Type:id` (e.g. `Objective:42`). Clients must treat
//! them as opaque; the encoding only has to be stable.

use async_graphql::ID;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::errors::{ApiError, ApiResult};

/// The global id of object `id` of GraphQL type `kind`.
pub fn encode(kind: &str, id: i32) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{id}")))
}

/// The global id of an object of GraphQL type `kind` known by a text key
/// rather than a database id (a calculator by its key and version), unique
/// across the schema as every other id.
pub fn encode_key(kind: &str, key: &str) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{key}")))
}

/// The type name and database id a global id stands for, if it is one.
pub fn decode(id: &str) -> Option<(String, i32)> {
    let bytes = URL_SAFE_NO_PAD.decode(id.trim_end_matches('=')).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (kind, n) = text.split_once(':')?;
    Some((kind.to_string(), n.parse().ok()?))
}

/// The database id of a global id that must name a `kind`; otherwise a
/// `BAD_USER_INPUT` naming `field`.
pub fn expect(id: &ID, kind: &str, field: &str) -> ApiResult<i32> {
    match decode(id) {
        Some((k, n)) if k == kind => Ok(n),
        Some((k, _)) => Err(ApiError::bad_input(
            field,
            format!("expected the id of a {kind}, got the id of a {k}"),
        )),
        None => Err(ApiError::bad_input(
            field,
            format!("{:?} is not an object id", id.as_str()),
        )),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_round_trip_and_reject_other_types() {
        let id = super::encode("Objective", 42);
        assert_eq!(super::decode(&id), Some(("Objective".to_string(), 42)));
        assert_eq!(super::expect(&id, "Objective", "id").ok(), Some(42));
        assert!(super::expect(&id, "Plan", "id").is_err());
        assert!(super::decode("not base64!").is_none());
    }
}
