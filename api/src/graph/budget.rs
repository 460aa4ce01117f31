//! The size of one request's answer, counted while it is built, so that a
//! request asking for more than `CRUSCOTTO_MAX_RESPONSE_BYTES` is stopped
//! while its answer is still small in memory rather than after it was
//! built whole.
//!
//! Every object of the answer comes from a relation ([`types::one`],
//! [`types::maybe`], [`types::many`](super::types::many)) or a page of a
//! connection; each charges the values it adds (objects × the fields
//! selected on them) at [`MIN_VALUE_BYTES`] each, the least a value takes
//! in the JSON answer (`"id":1,`). The charge is thus at most the size of
//! the answer: a request stopped by it would have been refused when
//! serialized anyway, and one within it is measured exactly when
//! serialized (see `http::graphql`). When the budget is spent, the HTTP
//! layer drops the execution at once (freeing what it built) and answers
//! `RESPONSE_TOO_LARGE`.
//!
//! Requests without a budget in their data (tests executing the schema
//! directly, subscriptions) are not counted.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_graphql::Context;
use tokio::sync::Notify;

use crate::errors::{ApiError, ApiResult, Code};

/// The fewest bytes one value takes in a JSON answer: a one-letter key,
/// its quotes and colon, a one-character value and a comma.
pub const MIN_VALUE_BYTES: usize = 6;

/// What a request may still add to its answer.
#[derive(Debug)]
pub struct Budget {
    used: AtomicUsize,
    limit: usize,
    over: AtomicBool,
    spent: Notify,
}

impl Budget {
    /// A budget of `limit_bytes` of JSON.
    pub fn new(limit_bytes: usize) -> Self {
        Budget {
            used: AtomicUsize::new(0),
            limit: limit_bytes,
            over: AtomicBool::new(false),
            spent: Notify::new(),
        }
    }

    /// Adds `values` values; false (and the budget is spent) when the
    /// answer would exceed the limit.
    pub fn charge(&self, values: usize) -> bool {
        let bytes = values.saturating_mul(MIN_VALUE_BYTES);
        let before = self.used.fetch_add(bytes, Ordering::Relaxed);
        if before.saturating_add(bytes) > self.limit {
            if !self.over.swap(true, Ordering::SeqCst) {
                self.spent.notify_one();
            }
            return false;
        }
        true
    }

    pub fn is_spent(&self) -> bool {
        self.over.load(Ordering::SeqCst)
    }

    /// Resolves once the budget is spent.
    pub async fn spent(&self) {
        if self.is_spent() {
            return;
        }
        self.spent.notified().await;
    }
}

/// Charges `objects` objects, each with the fields selected on the current
/// field, to the request's budget (if it has one).
pub(crate) fn charge(ctx: &Context<'_>, objects: usize) -> ApiResult<()> {
    let Some(budget) = ctx.data_opt::<std::sync::Arc<Budget>>() else {
        return Ok(());
    };
    if objects == 0 {
        return Ok(());
    }
    let fields = ctx.field().selection_set().count().max(1);
    charge_values(budget, objects.saturating_mul(fields))
}

/// Charges the items of a connection page: each edge's cursor and node
/// fields, and each node of `nodes`.
pub(crate) fn charge_page(ctx: &Context<'_>, items: usize, edges: bool) -> ApiResult<()> {
    let Some(budget) = ctx.data_opt::<std::sync::Arc<Budget>>() else {
        return Ok(());
    };
    if items == 0 {
        return Ok(());
    }
    let per_item: usize = if edges {
        ctx.field()
            .selection_set()
            .map(|f| {
                if f.name() == "node" {
                    1 + f.selection_set().count()
                } else {
                    1
                }
            })
            .sum()
    } else {
        ctx.field().selection_set().count()
    };
    charge_values(budget, items.saturating_mul(per_item.max(1)))
}

fn charge_values(budget: &Budget, values: usize) -> ApiResult<()> {
    if budget.charge(values) {
        Ok(())
    } else {
        // Never shown: the HTTP layer answers RESPONSE_TOO_LARGE for the
        // whole request.
        Err(ApiError::new(
            Code::BadUserInput,
            "the answer is larger than the limit (CRUSCOTTO_MAX_RESPONSE_BYTES)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_spent_once_past_the_limit() {
        let b = Budget::new(10 * MIN_VALUE_BYTES);
        assert!(b.charge(4));
        assert!(b.charge(6));
        assert!(!b.is_spent());
        assert!(!b.charge(1));
        assert!(b.is_spent());
        assert!(!b.charge(usize::MAX));
    }
}
