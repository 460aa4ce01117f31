//! Every SQLite connection the pool hands out runs in WAL mode, enforces
//! foreign keys and waits on a locked database instead of failing at once.

use cruscotto_store::{Database, PoolOptions};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

#[derive(QueryableByName)]
struct Mode {
    #[diesel(sql_type = Text)]
    journal_mode: String,
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = BigInt)]
    foreign_keys: i64,
}

#[derive(QueryableByName)]
struct Timeout {
    #[diesel(sql_type = BigInt)]
    timeout: i64,
}

#[test]
fn sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("settings.db").display());
    let options = PoolOptions {
        sqlite_busy_timeout: std::time::Duration::from_millis(2_500),
        ..PoolOptions::default()
    };
    let Database::Sqlite(pool) = Database::connect(&url, &options).unwrap() else {
        panic!("a sqlite:// URL opens SQLite");
    };
    // Two connections at once: the settings apply to each, not just the first.
    let mut a = pool.get().unwrap();
    let mut b = pool.get().unwrap();
    for conn in [&mut a, &mut b] {
        let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
            .get_result(&mut ***conn)
            .unwrap();
        assert_eq!(mode.journal_mode, "wal");
        let fk: Flag = diesel::sql_query("PRAGMA foreign_keys")
            .get_result(&mut ***conn)
            .unwrap();
        assert_eq!(fk.foreign_keys, 1);
        let t: Timeout = diesel::sql_query("PRAGMA busy_timeout")
            .get_result(&mut ***conn)
            .unwrap();
        assert_eq!(t.timeout, 2_500);
    }
}
