//! What every request can reach: the database, the settings and the bus of
//! change events that subscriptions listen to. Built once at start-up.

use std::sync::Arc;

use cruscotto_schema::Database;
use tokio::sync::broadcast;

use crate::settings::Settings;

/// A change to an indicator, published after the transaction that made it
/// commits, and delivered to subscribers of its objective.
#[derive(Debug, Clone)]
pub struct IndicatorEvent {
    pub objective_id: i32,
    pub indicator_id: i32,
    /// `MEASUREMENT_RECORDED`, `TARGET_CHANGED`, `INDICATOR_UPDATED`, …
    pub kind: &'static str,
    /// The period or year concerned, when there is one.
    pub period: Option<String>,
}

/// Shared state of the service; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    pub settings: Arc<Settings>,
    pub events: broadcast::Sender<IndicatorEvent>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("db", &self.db).finish_non_exhaustive()
    }
}

impl AppState {
    pub fn new(db: Database, settings: Settings) -> Self {
        let (events, _) = broadcast::channel(1024);
        AppState {
            db,
            settings: Arc::new(settings),
            events,
        }
    }

    /// Runs blocking database work off the async executor.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, crate::errors::ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Database) -> Result<T, crate::errors::ApiError> + Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || f(&db))
            .await
            .map_err(|e| crate::errors::ApiError::internal(format!("database task failed: {e}")))?
    }
}
