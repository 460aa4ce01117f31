//! Relay connections with keyset cursors: page arguments and their limits,
//! the opaque cursor (the sort key and the id of a row, never an offset),
//! `PageInfo`, and the macro that declares one connection and edge type per
//! node type.

use async_graphql::SimpleObject;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cruscotto_store::graph::{PageRequest, Seek, SortValue};

use crate::errors::{ApiError, ApiResult};
use crate::settings::Settings;

/// Pagination arguments as a client sent them.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// A validated page: what to ask the store, and how many rows to show.
#[derive(Debug, Clone)]
pub struct Window {
    pub request: PageRequest,
    /// Rows to show; the store is asked for one more.
    pub size: usize,
    /// The sort the cursors must belong to.
    pub sort: &'static str,
}

impl PageArgs {
    /// Checks the arguments against the settings: `first`/`last` between 0
    /// and the maximum (default when neither is given), not both, and
    /// cursors of this list's sort.
    pub fn window(&self, settings: &Settings, sort: &'static str) -> ApiResult<Window> {
        let check = |field: &str, n: i32| -> ApiResult<usize> {
            if n < 0 {
                return Err(ApiError::bad_input(
                    field,
                    format!("{field} must not be negative"),
                ));
            }
            let n = n as usize;
            if n > settings.max_page_size {
                return Err(ApiError::bad_input(
                    field,
                    format!(
                        "{field} may be at most {} (the maximum page size)",
                        settings.max_page_size
                    ),
                ));
            }
            Ok(n)
        };
        let (size, backward) = match (self.first, self.last) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_input(
                    "last",
                    "give either first or last, not both",
                ));
            }
            (Some(f), None) => (check("first", f)?, false),
            (None, Some(l)) => (check("last", l)?, true),
            (None, None) => (
                settings.default_page_size.min(settings.max_page_size),
                false,
            ),
        };
        let after = self
            .after
            .as_deref()
            .map(|c| decode_cursor(c, sort, "after"))
            .transpose()?;
        let before = self
            .before
            .as_deref()
            .map(|c| decode_cursor(c, sort, "before"))
            .transpose()?;
        Ok(Window {
            request: PageRequest {
                after,
                before,
                backward,
                limit: size as i64 + 1,
            },
            size,
            sort,
        })
    }
}

/// The cursor of a row in a list sorted by `sort`.
pub fn encode_cursor(sort: &str, value: &SortValue, id: i32) -> String {
    let value = match value {
        SortValue::Int(i) => serde_json::Value::from(*i),
        SortValue::Text(t) => serde_json::Value::from(t.as_str()),
    };
    let json = serde_json::json!([sort, value, id]);
    URL_SAFE_NO_PAD.encode(json.to_string())
}

fn decode_cursor(cursor: &str, sort: &str, field: &str) -> ApiResult<Seek> {
    let bad = || ApiError::bad_input(field, "the cursor is not one this list handed out");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let parts = json.as_array().ok_or_else(bad)?;
    if parts.len() != 3 || parts[0].as_str() != Some(sort) {
        return Err(ApiError::bad_input(
            field,
            "the cursor belongs to a list with another sort order",
        ));
    }
    let value = match &parts[1] {
        serde_json::Value::Number(n) => SortValue::Int(n.as_i64().ok_or_else(bad)?),
        serde_json::Value::String(s) => SortValue::Text(s.clone()),
        _ => return Err(bad()),
    };
    let id = parts[2]
        .as_i64()
        .and_then(|i| i32::try_from(i).ok())
        .ok_or_else(bad)?;
    Ok(Seek { value, id })
}

/// Information to continue paging through a list.
#[derive(Debug, Clone, SimpleObject)]
pub struct PageInfo {
    /// Whether items follow the last item of this page.
    pub has_next_page: bool,
    /// Whether items precede the first item of this page.
    pub has_previous_page: bool,
    /// Cursor of the first item of this page (for `before`).
    pub start_cursor: Option<String>,
    /// Cursor of the last item of this page (for `after`).
    pub end_cursor: Option<String>,
}

/// Cuts the rows the store returned (one more than `window.size`, in the
/// direction asked) to the page, in list order, and works out `PageInfo`.
/// `key` gives the sort value of a row.
pub fn paginate<R, N>(
    window: &Window,
    mut rows: Vec<R>,
    key: impl Fn(&R) -> (SortValue, i32),
    node: impl Fn(R) -> N,
) -> (Vec<(String, N)>, PageInfo) {
    let more = rows.len() > window.size;
    rows.truncate(window.size);
    if window.request.backward {
        rows.reverse();
    }
    let (has_next_page, has_previous_page) = if window.request.backward {
        (window.request.before.is_some(), more)
    } else {
        (more, window.request.after.is_some())
    };
    let edges: Vec<(String, N)> = rows
        .into_iter()
        .map(|r| {
            let (value, id) = key(&r);
            (encode_cursor(window.sort, &value, id), node(r))
        })
        .collect();
    let info = PageInfo {
        has_next_page,
        has_previous_page,
        start_cursor: edges.first().map(|e| e.0.clone()),
        end_cursor: edges.last().map(|e| e.0.clone()),
    };
    (edges, info)
}

/// Declares `$conn` (a page of `$node`s with `edges`, `nodes`, `pageInfo`
/// and a `totalCount` computed only when selected) and `$edge`.
macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ty, $conn_doc:literal, $edge_doc:literal) => {
        #[doc = $conn_doc]
        pub struct $conn {
            pub edges: Vec<$edge>,
            pub page_info: $crate::graph::page::PageInfo,
            pub count: $crate::graph::types::CountQuery,
        }

        #[doc = $conn_doc]
        #[async_graphql::Object]
        impl $conn {
            /// The items of this page, each with its cursor.
            async fn edges(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> $crate::errors::ApiResult<&[$edge]> {
                $crate::graph::budget::charge_page(ctx, self.edges.len(), true)?;
                Ok(&self.edges)
            }

            /// Where this page stands in the list.
            async fn page_info(&self) -> &$crate::graph::page::PageInfo {
                &self.page_info
            }

            /// The items of this page, without cursors.
            async fn nodes(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> $crate::errors::ApiResult<Vec<$node>> {
                $crate::graph::budget::charge_page(ctx, self.edges.len(), false)?;
                Ok(self.edges.iter().map(|e| e.node.clone()).collect())
            }

            /// How many items the whole list has (all pages). Counted only
            /// when asked for.
            async fn total_count(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> $crate::errors::ApiResult<i64> {
                self.count.run(ctx).await
            }
        }

        #[doc = $edge_doc]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// Opaque position of this item, for `after` and `before`.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        impl $conn {
            pub fn new(
                edges: Vec<(String, $node)>,
                page_info: $crate::graph::page::PageInfo,
                count: $crate::graph::types::CountQuery,
            ) -> Self {
                $conn {
                    edges: edges
                        .into_iter()
                        .map(|(cursor, node)| $edge { cursor, node })
                        .collect(),
                    page_info,
                    count,
                }
            }
        }
    };
}

pub(crate) use connection;
