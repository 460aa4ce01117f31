//! How long one fresh, migrated Postgres test database takes to get:
//! `TestDatabase::new(Backend::Postgres)` N times (default 20), each
//! dropped before the next, and the median, fastest and slowest printed.
//! The first one may build the template; it is timed apart.
//!
//! `CRUSCOTTO_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!  cargo run -p cruscotto-testdb --example fresh_database -- 20`

use std::time::Instant;

use cruscotto_store::Backend;
use cruscotto_testdb::TestDatabase;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(20, |a| a.parse().expect("a number of databases"));
    assert!(n > 0, "at least one database");
    let time_one = || {
        let start = Instant::now();
        let t = TestDatabase::new(Backend::Postgres);
        let elapsed = start.elapsed().as_secs_f64() * 1000.0;
        drop(t);
        elapsed
    };
    let first = time_one();
    let mut times: Vec<f64> = (0..n).map(|_| time_one()).collect();
    times.sort_by(f64::total_cmp);
    println!(
        "first (may build the template): {first:.1} ms; then {n} databases: \
         median {:.1} ms, min {:.1} ms, max {:.1} ms",
        times[n / 2],
        times[0],
        times[n - 1]
    );
}
