//! The subscription root: changes to the indicators of an objective, fed
//! by the broadcast bus in the state after each write commits.

use async_graphql::{Context, Object, Subscription, ID};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::ids;
use super::loaders::{IndicatorById, ObjectiveById};
use super::types::*;
use crate::errors::ApiResult;
use crate::state::IndicatorEvent;

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
    /// `INDICATOR_UPDATED` (also when a calculator is bound) or
    /// `VALUE_COMPUTED` (a new value was stored; reused ones are not told).
    async fn kind(&self) -> &str {
        self.0.kind
    }

    /// The period (for measurements and computed values) or year (for
    /// targets) concerned.
    async fn period(&self) -> Option<&str> {
        self.0.period.as_deref()
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
    /// targets changed, indicators updated, values computed), as they
    /// commit. A subscriber
    /// that falls far behind skips the events it missed.
    async fn indicator_changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The objective's id.")] objective: ID,
    ) -> async_graphql::Result<impl Stream<Item = IndicatorChange>> {
        let objective = ids::expect(&objective, "Objective", "objective")?;
        let rx = state(ctx)?.events.subscribe();
        Ok(futures_util::stream::unfold(rx, move |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(event) if event.objective_id == objective => {
                        return Some((IndicatorChange(event), rx))
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                }
            }
        }))
    }
}
