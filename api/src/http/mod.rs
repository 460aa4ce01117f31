//! The HTTP service: the [`Application`] that `main` and the tests build the
//! same way, and its routes — GraphQL over HTTP and WebSocket subscriptions
//! at `/graphql` ([`graphql`], [`subscription`]), the browser IDE at
//! `/graphiql` ([`ide`]), `/healthz`, `/readyz` and `/livez` ([`health`])
//! and `/metrics` ([`metrics`]), all wrapped in request ids, logs and
//! measurements ([`observe`]), response compression and the cross-origin
//! rules of browsers ([`cors`]). GET queries carry an `ETag` ([`cache`]).

mod cache;
mod cors;
mod documents;
mod graphql;
mod health;
mod ide;
mod limits;
mod metrics;
mod observe;
mod persisted;
mod subscription;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::{guard, web, App, HttpServer};
use cruscotto_store::{Database, PoolOptions, StoreError};

use crate::graph::{build_prevalidated_schema, build_schema, AppSchema};
use crate::settings::Settings;
use crate::state::AppState;

pub use metrics::Metrics;

/// What every handler reaches through `web::Data`: the schema, built once
/// at start-up, the shared state and the service's measurements.
pub(crate) struct Service {
    pub schema: AppSchema,
    /// The same schema, validating with `ValidationMode::Fast` (limits
    /// only): for documents that passed full validation before (see
    /// [`documents`]).
    pub prevalidated_schema: AppSchema,
    /// The same schema with the document limits as an extension, for
    /// subscriptions over WebSocket (see [`limits::DocumentLimits`]).
    pub subscription_schema: AppSchema,
    /// Parsed documents by query text.
    pub documents: documents::Documents,
    /// Automatic persisted queries by hash.
    pub persisted: persisted::PersistedQueries,
    /// The type of every field, for completing responses
    /// ([`crate::graph::complete`]).
    pub field_types: crate::graph::complete::FieldTypes,
    pub state: AppState,
    pub metrics: Arc<Metrics>,
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] StoreError),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        #[source]
        source: std::io::Error,
    },
}

/// The running service, built the same way by `main` and by tests (which
/// listen on port 0 and read the bound port back).
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Connects to `settings.database_url`, loads the calculators (the
    /// built-ins and the plugins of `settings.plugin_dir`) and binds
    /// `settings.listen`. The database must already be migrated
    /// (`cruscotto serve` does it first).
    /// Must be called inside the runtime that will run the server (see
    /// [`block_on`]).
    pub async fn build(settings: Settings) -> Result<Application, StartError> {
        let db = Database::connect(&settings.database_url, &PoolOptions::default())?;
        Self::build_with_database(settings, db).await
    }

    /// Like [`Application::build`], on a database the caller already opened.
    pub async fn build_with_database(
        settings: Settings,
        db: Database,
    ) -> Result<Application, StartError> {
        let address = settings.listen.clone();
        let bind_error = |source| StartError::Bind {
            address: address.clone(),
            source,
        };
        let listener = TcpListener::bind(&address).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        // A shutdown waits this long for requests in flight, then drops
        // them: a slow request (or a slow client) cannot hold it up.
        let shutdown_timeout = settings.shutdown_timeout;
        // Plugins load before the port serves anything, so the first
        // request already sees them; a broken library is logged and listed,
        // never fatal.
        let state = AppState::load(db, settings);
        let service = web::Data::new(Service {
            schema: build_schema(state.clone()),
            prevalidated_schema: build_prevalidated_schema(state.clone()),
            subscription_schema: crate::graph::builder(state.clone())
                .extension(limits::DocumentLimits(state.settings.clone()))
                .extension(crate::errors::InputErrors)
                .finish(),
            documents: documents::Documents::default(),
            persisted: persisted::PersistedQueries::default(),
            field_types: crate::graph::complete::FieldTypes::from_sdl(&crate::graph::sdl()),
            state: state.clone(),
            metrics: Arc::new(Metrics::default()),
        });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(service.clone())
                .wrap(actix_web::middleware::from_fn(cors::cors))
                // gzip, brotli or zstd as `Accept-Encoding` asks (the
                // nested tree: 4.1 MB of JSON, 171 KB gzipped).
                .wrap(actix_web::middleware::Compress::default())
                .wrap(actix_web::middleware::from_fn(observe::observe))
                .configure(routes)
        })
        .shutdown_timeout(
            u64::try_from(shutdown_timeout.as_millis().div_ceil(1000)).unwrap_or(u64::MAX),
        )
        .listen(listener)
        .map_err(bind_error)?
        .run();
        Ok(Application {
            port,
            server,
            state,
        })
    }

    /// The port the service listens on (the one the OS chose for port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state, e.g. for a test to publish a change event.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// A handle that stops the server; `stop(true)` lets requests in flight
    /// finish first.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until the server is stopped: by SIGINT or SIGTERM (actix
    /// stops accepting connections and lets requests in flight finish, up
    /// to `CRUSCOTTO_SHUTDOWN_TIMEOUT_MS`, then drops them) or by
    /// [`Application::handle`].
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Runs `future` to completion on a new actix runtime: how the binary and
/// tests run the server without knowing actix themselves.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    actix_web::rt::System::new().block_on(future)
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            // The WebSocket upgrade shares the path with GraphQL over HTTP,
            // as graphql-transport-ws clients expect; the guard tells them
            // apart before the GET handler would see the request.
            .route(
                web::get()
                    .guard(guard::fn_guard(subscription::is_upgrade))
                    .to(subscription::websocket),
            )
            .route(web::get().to(graphql::get))
            .route(web::post().to(graphql::post))
            .default_service(web::to(graphql::method_not_allowed)),
    )
    .service(web::resource("/graphiql").route(web::get().to(ide::page)))
    .service(web::resource("/graphiql/{asset}").route(web::get().to(ide::asset)))
    .service(
        web::resource("/healthz")
            .route(web::get().to(health::healthz))
            .route(web::head().to(health::healthz)),
    )
    .service(
        web::resource("/readyz")
            .route(web::get().to(health::healthz))
            .route(web::head().to(health::healthz)),
    )
    .service(
        web::resource("/livez")
            .route(web::get().to(health::livez))
            .route(web::head().to(health::livez)),
    )
    .service(web::resource("/metrics").route(web::get().to(metrics::metrics)))
    .service(web::resource("/").route(web::get().to(ide::redirect_to_ide)));
}
