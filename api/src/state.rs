//! What every request can reach: the database, the settings, the
//! calculators and the bus of change events that subscriptions listen to.
//! Built once at start-up.

use std::sync::Arc;

use cruscotto_calculators::Registry;
use cruscotto_store::changes::{Change, ChangeListener, ListenerOptions};
use cruscotto_store::Database;
use tokio::sync::broadcast;

use crate::settings::Settings;

/// A change to an indicator, as logged by the transaction that made it (in
/// this process or any other on the database), delivered to subscribers of
/// its objective.
pub type IndicatorEvent = Arc<Change>;

/// Shared state of the service; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    pub settings: Arc<Settings>,
    /// The fan-out of the change log inside this process: fed only by
    /// `_listener`, one receiver per subscription.
    pub events: broadcast::Sender<IndicatorEvent>,
    /// Tails the database's change log (see `cruscotto_store::changes`);
    /// stops when the last clone of the state is dropped. `None` when it
    /// could not start (logged): subscriptions then hear nothing.
    _listener: Option<Arc<ChangeListener>>,
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
        let sender = events.clone();
        let listener = ChangeListener::start(&db, ListenerOptions::default(), move |changes| {
            for change in changes {
                // No subscriber is not an error.
                let _ = sender.send(Arc::new(change));
            }
        })
        .map_err(|e| tracing::error!(error = %e, "the change listener did not start: subscriptions will hear nothing"))
        .ok()
        .map(Arc::new);
        AppState {
            db,
            settings: Arc::new(settings),
            events,
            _listener: listener,
            calculators,
        }
    }

    /// State whose calculators are the built-ins plus the plugins of
    /// `settings.plugin_dir`, loaded now. A library that fails to load is
    /// logged (a warning per library, with its path and cause) and listed
    /// by `calculatorLoadErrors`; it never stops the service.
    pub fn load(db: Database, settings: Settings) -> Self {
        let registry = Registry::new(settings.registry_config());
        let errors = registry.load_errors();
        tracing::info!(
            plugin_dir = %settings
                .plugin_dir
                .as_deref()
                .map_or_else(|| "(none)".to_string(), |d| d.display().to_string()),
            calculators = registry.ids().len(),
            load_errors = errors.len(),
            isolation = %settings.plugin_isolation,
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
