//! What every request can reach: the database, the settings, the
//! calculators and the bus of change events that subscriptions listen to.
//! Built once at start-up.

use std::sync::Arc;

use cruscotto_calculators::{Registry, RegistryConfig};
use cruscotto_schema::Database;
use tokio::sync::broadcast;

use crate::settings::Settings;

/// A change to an indicator, published after the transaction that made it
/// commits, and delivered to subscribers of its objective.
#[derive(Debug, Clone)]
pub struct IndicatorEvent {
    pub objective_id: i32,
    pub indicator_id: i32,
    /// `MEASUREMENT_RECORDED`, `TARGET_CHANGED`, `INDICATOR_UPDATED`,
    /// `VALUE_COMPUTED`, …
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
    /// The built-in calculators and the plugins of `settings.plugin_dir`,
    /// shared by every request; `reloadCalculators` scans the directory
    /// again in place.
    pub calculators: Arc<Registry>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("db", &self.db)
            .field("calculators", &self.calculators)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State with the built-in calculators only, whatever
    /// `settings.plugin_dir` says: what most tests want, and it opens no
    /// library.
    pub fn new(db: Database, settings: Settings) -> Self {
        Self::with_calculators(db, settings, Arc::new(Registry::builtin()))
    }

    /// State serving the calculators of `calculators`.
    pub fn with_calculators(db: Database, settings: Settings, calculators: Arc<Registry>) -> Self {
        let (events, _) = broadcast::channel(1024);
        AppState {
            db,
            settings: Arc::new(settings),
            events,
            calculators,
        }
    }

    /// State whose calculators are the built-ins plus the plugins of
    /// `settings.plugin_dir`, loaded now. A library that fails to load is
    /// logged (a warning per library, with its path and cause) and listed
    /// by `calculatorLoadErrors`; it never stops the service.
    pub fn load(db: Database, settings: Settings) -> Self {
        let registry = Registry::new(RegistryConfig {
            plugin_dir: settings.plugin_dir.clone(),
            timeout: settings.calculator_timeout,
        });
        let errors = registry.load_errors();
        tracing::info!(
            plugin_dir = %settings
                .plugin_dir
                .as_deref()
                .map_or_else(|| "(none)".to_string(), |d| d.display().to_string()),
            calculators = registry.ids().len(),
            load_errors = errors.len(),
            "calculators loaded"
        );
        Self::with_calculators(db, settings, Arc::new(registry))
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
