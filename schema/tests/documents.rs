//! Trusted documents on both backends: registered once, found by their
//! hash, removed.

use cruscotto_testdb::TestDatabase;

const HASH: &str = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

#[test]
fn a_document_is_registered_once_found_by_hash_and_removed() {
    for backend in TestDatabase::backends() {
        let t = TestDatabase::new(backend);
        assert!(t
            .db
            .register_document(HASH, "{ plans { totalCount } }", "a")
            .unwrap());
        assert!(
            !t.db.register_document(HASH, "{ other }", "b").unwrap(),
            "registered already"
        );
        assert_eq!(
            t.db.trusted_document(HASH).unwrap().as_deref(),
            Some("{ plans { totalCount } }")
        );
        assert_eq!(t.db.trusted_documents().unwrap().len(), 1);
        assert!(t.db.remove_trusted_document(HASH).unwrap());
        assert!(t.db.trusted_document(HASH).unwrap().is_none());
        assert!(!t.db.remove_trusted_document(HASH).unwrap());
    }
}
