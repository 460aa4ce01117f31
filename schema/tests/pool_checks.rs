//! The pool checks a connection with `SELECT 1` only when it has been idle
//! for a while, and counts those checks apart from the statements of
//! queries (whose number must depend on the query's shape alone).

use std::time::Duration;

use cruscotto_store::graph::stats;
use cruscotto_store::{Database, PoolOptions};

#[test]
fn only_a_connection_idle_for_over_half_a_second_is_checked_and_checks_are_counted_apart() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = dir.path().join("pool.db").to_string_lossy().into_owned();
    let options = PoolOptions {
        max_size: 1,
        ..PoolOptions::default()
    };
    let (db, counter) = Database::connect_counting(&url, &options).expect("the pool opens");
    db.migrate().expect("migrations run");
    let query = || db.graph().plans_by_ids(&[1]).expect("the query runs");

    query();
    let (statements, checks) = (counter.get(), stats::health_checks_sent());
    query();
    query();
    assert_eq!(counter.get(), statements + 2, "one statement per query");
    assert_eq!(
        stats::health_checks_sent(),
        checks,
        "a connection back in the pool moments ago is not checked"
    );

    std::thread::sleep(Duration::from_millis(700));
    query();
    assert_eq!(
        counter.get(),
        statements + 3,
        "the check is not a statement"
    );
    assert_eq!(
        stats::health_checks_sent(),
        checks + 1,
        "a connection idle for longer is checked once"
    );
}
