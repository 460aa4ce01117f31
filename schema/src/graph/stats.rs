//! Statement counting: a counter shared by every connection of one pool,
//! installed through Diesel's instrumentation when the pool opens a
//! connection. Tests use it to prove that the number of SQL statements of a
//! GraphQL query depends on the query's shape, not on the amount of data.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use diesel::connection::{Instrumentation, InstrumentationEvent};

use crate::db::{Database, PoolOptions};
use crate::error::StoreError;

/// Statements sent by every connection of this process, whichever pool
/// opened it (the service's `/metrics` shows it).
static SENT: AtomicU64 = AtomicU64::new(0);

/// Statements every connection of this process has sent so far.
pub fn statements_sent() -> u64 {
    SENT.load(Ordering::Relaxed)
}

/// Number of statements the connections of one pool have sent. Cloning
/// shares the count.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Statements sent so far, including the pool's `SELECT 1` health check
    /// on every checkout (whose number also depends only on the query shape).
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
