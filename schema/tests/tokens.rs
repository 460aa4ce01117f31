//! API tokens on both backends: found by their hash, revoked, names reused
//! only once revoked, roles limited to the known ones.

use cruscotto_store::StoreError;
use cruscotto_testdb::TestDatabase;

const HASH_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const HASH_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

#[test]
fn a_token_is_found_by_its_hash_until_and_after_it_is_revoked() {
    for backend in TestDatabase::backends() {
        let t = TestDatabase::new(backend);
        let created = t.db.create_token("ci", "editor", HASH_A).unwrap();
        assert!(created.is_live());
        let found = t.db.token_by_hash(HASH_A).unwrap().expect("found");
        assert_eq!(found.name, "ci");
        assert_eq!(found.role, "editor");
        assert!(t.db.token_by_hash(HASH_B).unwrap().is_none());

        assert!(t.db.revoke_token("ci").unwrap());
        assert!(!t.db.revoke_token("ci").unwrap(), "nothing left to revoke");
        let revoked = t.db.token_by_hash(HASH_A).unwrap().expect("still stored");
        assert!(!revoked.is_live());
    }
}

#[test]
fn a_live_name_cannot_be_reused_but_a_revoked_one_can() {
    for backend in TestDatabase::backends() {
        let t = TestDatabase::new(backend);
        t.db.create_token("ci", "viewer", HASH_A).unwrap();
        let err = t.db.create_token("ci", "admin", HASH_B).unwrap_err();
        assert!(matches!(err, StoreError::Invalid { .. }), "{err}");
        t.db.revoke_token("ci").unwrap();
        t.db.create_token("ci", "admin", HASH_B).unwrap();
        let names: Vec<_> =
            t.db.tokens()
                .unwrap()
                .into_iter()
                .map(|t| (t.name, t.role))
                .collect();
        assert_eq!(
            names,
            [
                ("ci".to_string(), "viewer".to_string()),
                ("ci".into(), "admin".into())
            ]
        );
    }
}

#[test]
fn roles_outside_the_three_known_ones_are_refused() {
    for backend in TestDatabase::backends() {
        let t = TestDatabase::new(backend);
        let err = t.db.create_token("x", "root", HASH_A).unwrap_err();
        assert!(matches!(err, StoreError::Invalid { .. }), "{err}");
    }
}
