//! Statement counting: a counter shared by every connection of one pool,
//! installed through Diesel's instrumentation when the pool opens a
//! connection. Tests use it to prove that the number of SQL statements of a
//! GraphQL query depends on the query's shape, not on the amount of data.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use diesel::connection::{Instrumentation, InstrumentationEvent};

use crate::db::{Database, PoolOptions};
use crate::error::StoreError;

/// Statements sent by every connection of this process, whichever pool
/// opened it (the service's `/metrics` shows it).
static SENT: AtomicU64 = AtomicU64::new(0);

/// Pool health checks (`SELECT 1`) sent by this process, counted apart:
/// whether a checkout is checked depends on how long the connection was
/// idle (see `db::Checked`), so counting them with the queries would make
/// the statements of a query depend on timing.
static CHECKS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// Set while the pool checks a connection on this thread.
    static IN_HEALTH_CHECK: Cell<bool> = const { Cell::new(false) };
}

/// Statements every connection of this process has sent so far, pool
/// health checks excluded.
pub fn statements_sent() -> u64 {
    SENT.load(Ordering::Relaxed)
}

/// Pool health checks this process has sent so far.
pub fn health_checks_sent() -> u64 {
    CHECKS.load(Ordering::Relaxed)
}

/// Runs the pool's health check `f`, counting what it sends as health
/// checks rather than statements.
pub(crate) fn as_health_check<T>(f: impl FnOnce() -> T) -> T {
    IN_HEALTH_CHECK.with(|flag| flag.set(true));
    let result = f();
    IN_HEALTH_CHECK.with(|flag| flag.set(false));
    result
}

/// Number of statements the connections of one pool have sent. Cloning
/// shares the count.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Statements sent so far, the pool's health checks excluded.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    /// The instrumentation to install on one connection.
    pub(crate) fn instrumentation(&self) -> CountStatements {
        CountStatements(Some(self.0.clone()))
    }
}

/// Diesel instrumentation that counts every statement started, into the
/// process's count and, when the pool has one, into its counter.
pub(crate) struct CountStatements(Option<Arc<AtomicU64>>);

impl CountStatements {
    /// Counts into the process's count only.
    pub(crate) fn process() -> Self {
        CountStatements(None)
    }
}

impl Instrumentation for CountStatements {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            if IN_HEALTH_CHECK.with(Cell::get) {
                CHECKS.fetch_add(1, Ordering::Relaxed);
                return;
            }
            SENT.fetch_add(1, Ordering::Relaxed);
            if let Some(count) = &self.0 {
                count.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

impl Database {
    /// Opens a pool like [`Database::connect`] whose connections count the
    /// statements they send into the returned counter.
    pub fn connect_counting(
        url: &str,
        options: &PoolOptions,
    ) -> Result<(Database, StatementCounter), StoreError> {
        let counter = StatementCounter::new();
        let db = Database::connect_with_counter(url, options, Some(counter.clone()))?;
        Ok((db, counter))
    }
}
