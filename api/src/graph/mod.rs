//! The GraphQL schema: types ([`types`]), scalars ([`scalars`]), global ids
//! ([`ids`]), keyset connections ([`page`]), DataLoaders ([`loaders`]),
//! calculators and computed values ([`calc`]), and the query, mutation and
//! subscription roots.
//!
//! [`build_schema`] is the one way to make the schema: the HTTP layer and
//! the tests call it with the shared state and execute requests carrying
//! an [`auth::Principal`](crate::auth::Principal).

pub mod budget;
pub mod calc;
pub mod complete;
pub mod ids;
pub mod loaders;
pub mod mutation;
pub mod page;
pub mod prefetch;
pub mod query;
pub mod scalars;
pub mod subscription;
pub mod types;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::dataloader::DataLoader;
use async_graphql::{MergedObject, Request};
use cruscotto_store::Database;
use futures_util::future::BoxFuture;

pub use mutation::MutationRoot;
pub use query::QueryRoot;
pub use subscription::SubscriptionRoot;

use crate::state::AppState;

/// Entry points for reading the graph and its calculators. The roots are
/// merged so that each part of the schema keeps its resolvers in its own
/// module; clients see one `QueryRoot`.
#[derive(MergedObject, Default)]
#[graphql(name = "QueryRoot")]
pub struct Query(QueryRoot, calc::CalcQuery);

/// Entry points for changing the graph and computing its indicators; one
/// `MutationRoot` for clients.
#[derive(MergedObject, Default)]
#[graphql(name = "MutationRoot")]
pub struct Mutation(MutationRoot, calc::CalcMutation);

/// The schema type served by the API.
pub type AppSchema = async_graphql::Schema<Query, Mutation, SubscriptionRoot>;

/// Largest batch one loader call receives: above the largest level of the
/// largest generated plan (120,000 measurements come from 10,000
/// indicators), so batches split only at the storage's key chunks.
const MAX_BATCH: usize = 100_000;

/// Builds the schema with the state in its data, introspection as the
/// settings say. The limits of a document (depth, complexity, fields, …)
/// are checked by the HTTP layer before the schema sees it, in time linear
/// in its text (`http::limits`); async-graphql's own depth and complexity
/// limits are not set, since they expand every fragment to check.
///
/// The schema data also holds a batch loader shared by the requests that
/// bring none (tests executing the schema directly, subscriptions); the
/// HTTP handler gives each request its own (see [`with_loader`]). This is
/// not done by an extension: with any extension installed, async-graphql
/// sends every field through the extension chain (a boxed future and a
/// `ResolveInfo` per field), which was a large part of a large query's
/// cost.
pub fn build_schema(state: AppState) -> AppSchema {
    builder(state).finish()
}

/// The schema of [`build_schema`], skipping the validation rules: for
/// documents known to have passed them (the HTTP layer's cache of
/// documents).
pub fn build_prevalidated_schema(state: AppState) -> AppSchema {
    builder(state)
        .validation_mode(async_graphql::ValidationMode::Fast)
        .finish()
}

pub(crate) fn builder(
    state: AppState,
) -> async_graphql::SchemaBuilder<Query, Mutation, SubscriptionRoot> {
    let settings = state.settings.clone();
    let mut builder = AppSchema::build(Query::default(), Mutation::default(), SubscriptionRoot)
        .data(request_loader(state.db.clone()))
        .data(state);
    if !settings.introspection {
        builder = builder.disable_introspection();
    }
    builder
}

/// The request with a batch loader of its own, so that its batching (see
/// [`settle`]) only waits for its own resolvers, and a store for the
/// relations its root fields read ahead ([`prefetch`]).
pub fn with_loader(request: Request, db: &Database) -> Request {
    request
        .data(request_loader(db.clone()))
        .data(Arc::new(prefetch::Prefetched::default()))
}

/// A batch loader. It keeps no cache, so a subscription never sees stale
/// objects.
fn request_loader(db: Database) -> DataLoader<loaders::Store> {
    // A fixed delay splits large levels: async-graphql polls a long list in
    // rounds, yielding between them, and a level of thousands of objects
    // takes longer than any small delay. Instead each batch waits until no
    // resolver of the request has asked for a key for a few scheduler
    // rounds, so a level is one batch however large it is.
    let activity = Arc::new(AtomicU64::new(0));
    let spawner = {
        let activity = activity.clone();
        move |task: BoxFuture<'static, ()>| {
            let activity = activity.clone();
            tokio::spawn(async move {
                settle(&activity).await;
                task.await;
            })
        }
    };
    DataLoader::new(loaders::Store::new(db, activity), spawner)
        .max_batch_size(MAX_BATCH)
        .delay(Duration::ZERO)
}

/// Longest a batch waits for more keys of its request; a level slower
/// than this to walk is split into several batches. The bound is only
/// reached while resolvers keep asking for keys, i.e. while the level is
/// still being walked, so waiting costs no latency of its own; it is long
/// enough for the largest levels in a debug build on a loaded machine
/// (250 ms split the levels of `generate(6)` there).
const MAX_SETTLE: Duration = Duration::from_secs(2);

/// Scheduler rounds without a new key after which a batch is complete.
const QUIET_ROUNDS: u32 = 3;

/// Waits until the count of keys asked for stops moving for a few rounds
/// of the scheduler (or [`MAX_SETTLE`] passes).
async fn settle(activity: &AtomicU64) {
    let start = Instant::now();
    let mut last = activity.load(Ordering::SeqCst);
    let mut quiet = 0;
    while quiet < QUIET_ROUNDS && start.elapsed() < MAX_SETTLE {
        tokio::task::yield_now().await;
        let now = activity.load(Ordering::SeqCst);
        if now == last {
            quiet += 1;
        } else {
            quiet = 0;
            last = now;
        }
    }
}

/// The schema in SDL, as committed in `api/schema.graphql`.
pub fn sdl() -> String {
    AppSchema::build(Query::default(), Mutation::default(), SubscriptionRoot)
        .finish()
        .sdl()
}
