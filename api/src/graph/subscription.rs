//! The subscription root: changes to the indicators of an objective, read
//! from the database's change log by the state's listener, so that writes
//! of every process on the database are heard (see
//! `cruscotto_store::changes`).

use async_graphql::{Context, Object, Subscription, ID};
use std::sync::Arc;

use futures_util::{Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use super::ids;
use super::loaders::{IndicatorById, ObjectiveById};
use super::scalars::DateTime;
use super::types::*;
use crate::errors::{ApiError, ApiResult};
use crate::state::IndicatorEvent;

/// Changes read from the log at once when catching up.
const REPLAY_BATCH: i64 = 1_000;

/// Entry points for following changes live.
#[derive(Debug, Default)]
pub struct SubscriptionRoot;

/// A change to an indicator.
#[derive(Debug, Clone)]
pub struct IndicatorChange(IndicatorEvent);

/// A change to an indicator of the objective subscribed to.
#[Object]
impl IndicatorChange {
    /// What happened: `MEASUREMENT_RECORDED`, `MEASUREMENT_DELETED`,
    /// `TARGET_CREATED`, `TARGET_UPDATED`, `TARGET_DELETED`,
    /// `INDICATOR_UPDATED` (also when a calculator is bound),
    /// `VALUE_COMPUTED` (a new value was stored; reused ones are not told),
    /// `PLAN_IMPORTED` (its plan was imported whole) or
    /// `PAYMENTS_IMPORTED` (payments were imported into its plan and it
    /// has a calculator).
    async fn kind(&self) -> &str {
        &self.0.kind
    }

    /// The period (for measurements and computed values) or year (for
    /// targets) concerned.
    async fn period(&self) -> Option<&str> {
        self.0.period.as_deref()
    }

    /// Position of the change in the database's change log: changes are
    /// delivered in this order. Pass the last one seen as `after` when
    /// subscribing again to receive what was missed meanwhile.
    async fn cursor(&self) -> String {
        self.0.id.to_string()
    }

    /// When the change was written (UTC).
    async fn recorded_at(&self) -> DateTime {
        DateTime(self.0.recorded_at)
    }

    /// Global id of the indicator, also when it has since been deleted.
    async fn indicator_id(&self) -> ID {
        ids::encode("Indicator", self.0.indicator_id)
    }

    /// The indicator as it is now (null if it has since been deleted).
    async fn indicator(&self, ctx: &Context<'_>) -> ApiResult<Option<Indicator>> {
        maybe(ctx, IndicatorById(self.0.indicator_id)).await
    }

    /// The objective the indicator belongs to, as it is now.
    async fn objective(&self, ctx: &Context<'_>) -> ApiResult<Option<Objective>> {
        maybe(ctx, ObjectiveById(self.0.objective_id)).await
    }
}

#[Subscription]
impl SubscriptionRoot {
    /// Changes to the indicators of an objective (measurements recorded,
    /// targets changed, indicators updated, values computed, imports), as
    /// they commit, made by this server or by any other process on the
    /// same database (another instance, the CLI), in commit order. Without
    /// `after`, the changes the listener delivers from the moment of
    /// subscribing are sent (so also one committed up to one listener
    /// poll, about 20 ms, before it); with `after` (a `cursor` seen
    /// before), the changes logged since are sent first, while the log
    /// still holds them (one hour, at
    /// most 100,000 changes). A subscriber that falls far behind skips the
    /// events it missed (and can catch up with `after`).
    async fn indicator_changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The objective's id.")] objective: ID,
        #[graphql(
            desc = "The `cursor` of the last change seen: the changes after it are sent first."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = IndicatorChange>> {
        let objective = ids::expect(&objective, "Objective", "objective")?;
        let after = after
            .map(|a| {
                a.trim().parse::<i64>().map_err(|_| {
                    ApiError::bad_input("after", "the cursor must be the `cursor` of a change")
                })
            })
            .transpose()?;
        let state = state(ctx)?;
        // Subscribed before the log is read: a change committed meanwhile
        // is in both, and sent once.
        let rx = state.events.subscribe();
        let missed: Vec<IndicatorEvent> = match after {
            None => Vec::new(),
            Some(after) => {
                state
                    .blocking(move |db| {
                        let mut missed = Vec::new();
                        let mut cursor = after;
                        loop {
                            let batch = db.changes_since(cursor, REPLAY_BATCH)?;
                            let Some(last) = batch.last() else { break };
                            cursor = last.id;
                            missed.extend(
                                batch
                                    .into_iter()
                                    .filter(|c| c.objective_id == objective)
                                    .map(Arc::new),
                            );
                        }
                        Ok(missed)
                    })
                    .await?
            }
        };
        let seen = missed.last().map_or(after.unwrap_or(0), |c| c.id);
        let live = futures_util::stream::unfold((rx, seen), move |(mut rx, seen)| async move {
            loop {
                match rx.recv().await {
                    Ok(event) if event.objective_id == objective && event.id > seen => {
                        let seen = event.id;
                        return Some((IndicatorChange(event), (rx, seen)));
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                }
            }
        });
        Ok(futures_util::stream::iter(missed.into_iter().map(IndicatorChange)).chain(live))
    }
}
