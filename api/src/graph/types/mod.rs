//! The object types of the graph, converted from storage rows (GraphQL
//! types are not rows), with every relation resolved through a DataLoader
//! so that a query costs one statement per relation and level, whatever
//! the number of rows.

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Enum, Interface, SimpleObject, ID};
use cruscotto_store::graph::{
    BudgetFilter, IndicatorFilter, ObjectiveFilter, ObjectiveParent, ObjectiveSort, PlanFilter,
    PlanPartFilter, SortValue,
};
use cruscotto_store::rows;

use super::budget;
use super::calc::{self, Calculator, IndicatorAchievement, IndicatorValue, ObjectiveAchievement};
use super::ids;
use super::loaders::*;
use super::page::{connection, paginate, PageArgs};
use super::prefetch::prefetched;
use super::scalars::{Date, DateTime, Decimal};
use crate::errors::{ApiError, ApiResult};
use crate::state::AppState;

/// The `#[ComplexObject]` impl of an object type of the graph, with the
/// two kinds of field every node type repeats written as one line each:
///
/// - `id;` is the type's global id, `pub(super)` so that [`Node`] can
///   call it;
/// - `parent name: Item = Key(column);` is the object the foreign key
///   `self.column` points to ([`one`]);
/// - `list name: Item = Key;` is a nested list of `Item` behind the
///   relation `Key(self.db_id)`, cut by `first`/`after` ([`many_after`]).
///
/// Each takes the doc comments written above it, and every other item is
/// kept as written. The fields keep their order, which is the schema's.
macro_rules! complex_object {
    (impl $t:ident { $($items:tt)* }) => {
        complex_object!(@item $t [] $($items)*);
    };
    (@item $t:ident [$($done:tt)*]) => {
        #[ComplexObject]
        impl $t {
            $($done)*
        }
    };
    (@item $t:ident [$($done:tt)*] $(#[$($doc:tt)*])* id; $($rest:tt)*) => {
        complex_object!(@item $t [$($done)*
            $(#[$($doc)*])*
            pub(super) async fn id(&self) -> ID {
                ids::encode(stringify!($t), self.db_id)
            }
        ] $($rest)*);
    };
    (@item $t:ident [$($done:tt)*]
        $(#[$($doc:tt)*])* parent $name:ident: $item:ident = $key:ident($column:ident); $($rest:tt)*
    ) => {
        complex_object!(@item $t [$($done)*
            $(#[$($doc)*])*
            async fn $name(&self, ctx: &Context<'_>) -> ApiResult<$item> {
                one(ctx, $key(self.$column)).await
            }
        ] $($rest)*);
    };
    (@item $t:ident [$($done:tt)*]
        $(#[$($doc:tt)*])* list $name:ident: $item:ident = $key:ident; $($rest:tt)*
    ) => {
        complex_object!(@item $t [$($done)*
            $(#[$($doc)*])*
            async fn $name(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
                #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
                after: Option<ID>,
            ) -> ApiResult<Arc<[$item]>> {
                many_after(ctx, $key(self.db_id), first, after).await
            }
        ] $($rest)*);
    };
    (@item $t:ident [$($done:tt)*]
        $(#[$($attr:tt)*])* async fn $name:ident $args:tt -> $ret:ty $body:block $($rest:tt)*
    ) => {
        complex_object!(@item $t [$($done)*
            $(#[$($attr)*])* async fn $name $args -> $ret $body
        ] $($rest)*);
    };
}

mod areas;
mod centres;
mod classification;
mod enums;
mod findings;
mod indicators;
mod objectives;
mod plan;

pub use areas::*;
pub use centres::*;
pub use classification::*;
pub use enums::*;
pub use findings::*;
pub use indicators::*;
pub use objectives::*;
pub use plan::*;

/// The shared state of the service, from the schema data.
pub(crate) fn state<'a>(ctx: &Context<'a>) -> ApiResult<&'a AppState> {
    ctx.data::<AppState>()
        .map_err(|_| ApiError::internal("the schema was built without its state"))
}

/// The batch loader, from the schema data.
pub(crate) fn store<'a>(ctx: &Context<'a>) -> ApiResult<&'a DataLoader<Store>> {
    ctx.data::<DataLoader<Store>>()
        .map_err(|_| ApiError::internal("the schema was built without its loader"))
}

/// A key the batch loader answers for.
pub(crate) trait Key: Send + Sync + std::hash::Hash + Eq + Clone + 'static {}
impl<K: Send + Sync + std::hash::Hash + Eq + Clone + 'static> Key for K {}

/// What the batch loader gives for a key `K`.
pub(crate) type Loaded<K> = <Store as async_graphql::dataloader::Loader<K>>::Value;

/// Loads the object a foreign key points to; its absence is a broken
/// invariant of the database, not a client error. Like [`maybe`] and
/// [`many`], it takes the value the request read ahead when there is one
/// (see [`prefetch`](super::prefetch)).
pub(crate) async fn one<K: Key + std::fmt::Debug>(ctx: &Context<'_>, key: K) -> ApiResult<Loaded<K>>
where
    Store: async_graphql::dataloader::Loader<K, Error = ApiError>,
{
    maybe(ctx, key.clone())
        .await?
        .ok_or_else(|| ApiError::internal(format!("dangling reference {key:?}")))
}

/// Loads an object that may not exist.
pub(crate) async fn maybe<K: Key>(ctx: &Context<'_>, key: K) -> ApiResult<Option<Loaded<K>>>
where
    Store: async_graphql::dataloader::Loader<K, Error = ApiError>,
{
    let found = load(ctx, key).await?;
    budget::charge(ctx, usize::from(found.is_some()))?;
    Ok(found)
}

/// The value of `key`: read ahead, or from the loader.
pub(super) async fn load<K: Key>(ctx: &Context<'_>, key: K) -> ApiResult<Option<Loaded<K>>>
where
    Store: async_graphql::dataloader::Loader<K, Error = ApiError>,
{
    if let Some(found) = prefetched(ctx).and_then(|p| p.get(&key)) {
        return Ok(found);
    }
    let loader = store(ctx)?;
    loader.loader().touch();
    loader.load_one(key).await
}

/// Loads the list a one-to-many relation holds (empty when none).
pub(crate) async fn many<K: Key, V>(ctx: &Context<'_>, key: K) -> ApiResult<Arc<[V]>>
where
    Store: async_graphql::dataloader::Loader<K, Value = Arc<[V]>, Error = ApiError>,
    V: Send + Sync + 'static,
{
    let list = load(ctx, key)
        .await?
        .unwrap_or_else(|| Arc::from(Vec::new()));
    budget::charge(ctx, list.len())?;
    Ok(list)
}

/// An object of a nested list, known by its global id: the cursor of the
/// list's `after` argument.
pub(crate) trait Listed: Clone {
    /// The GraphQL type name of its global id.
    const KIND: &'static str;
    fn db_id(&self) -> i32;
}

macro_rules! listed {
    ($($t:ident),*) => {$(
        impl Listed for $t {
            const KIND: &'static str = stringify!($t);
            fn db_id(&self) -> i32 {
                self.db_id
            }
        }
    )*};
}
listed!(
    Program,
    Action,
    ResponsibilityCentre,
    Office,
    StrategicObjective,
    AnnualObjective,
    Objective,
    Indicator,
    Phase,
    Target,
    Measurement,
    Area,
    Ambito,
    AmbitoResult,
    Finding
);

/// Loads the list a one-to-many relation holds, like [`many`], and keeps
/// the items after the item whose id is `after` (when given), at most
/// `first` of them. The whole list is read for every parent of a level at
/// once, as without arguments, so paging a nested list costs no statement.
pub(crate) async fn many_after<K: Key, V>(
    ctx: &Context<'_>,
    key: K,
    first: Option<i32>,
    after: Option<ID>,
) -> ApiResult<Arc<[V]>>
where
    Store: async_graphql::dataloader::Loader<K, Value = Arc<[V]>, Error = ApiError>,
    V: Listed + Send + Sync + 'static,
{
    let max = state(ctx)?.settings.max_page_size;
    let first = first
        .map(|n| match usize::try_from(n) {
            Ok(n) if n <= max => Ok(n),
            Ok(_) => Err(ApiError::bad_input(
                "first",
                format!("first may be at most {max} (the maximum page size)"),
            )),
            Err(_) => Err(ApiError::bad_input("first", "first must not be negative")),
        })
        .transpose()?;
    let after = after
        .map(|id| ids::expect(&id, V::KIND, "after"))
        .transpose()?;
    let list = load(ctx, key)
        .await?
        .unwrap_or_else(|| Arc::from(Vec::new()));
    let list = window(list, first, after).map_err(|()| {
        ApiError::bad_input(
            "after",
            format!("the {} given as after is not an item of this list", V::KIND),
        )
    })?;
    budget::charge(ctx, list.len())?;
    Ok(list)
}

/// The items after the one with database id `after`, at most `first`;
/// `Err` when `after` is not in the list.
fn window<V: Listed>(
    list: Arc<[V]>,
    first: Option<usize>,
    after: Option<i32>,
) -> Result<Arc<[V]>, ()> {
    let start = match after {
        Some(id) => list.iter().position(|v| v.db_id() == id).ok_or(())? + 1,
        None => 0,
    };
    let end = first.map_or(list.len(), |n| list.len().min(start + n));
    if start == 0 && end == list.len() {
        return Ok(list);
    }
    Ok(list[start..end].iter().cloned().collect())
}

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_else(|_| {
        tracing::error!(value = text, "stored list cannot be read");
        Vec::new()
    })
}

/// An object with a global id, fetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "The object's global id: opaque and stable."
))]
pub enum Node {
    Plan(Plan),
    Mission(Mission),
    Program(Program),
    Action(Action),
    ResponsibilityCentre(ResponsibilityCentre),
    Office(Office),
    StrategicObjective(StrategicObjective),
    AnnualObjective(AnnualObjective),
    Objective(Objective),
    Indicator(Indicator),
    Target(Target),
    Phase(Phase),
    Measurement(Measurement),
    Area(Area),
    Ambito(Ambito),
    AmbitoResult(AmbitoResult),
    Finding(Finding),
}

// ---- counts ---------------------------------------------------------------

/// The count behind a connection's `totalCount`, run only when the field is
/// selected.
#[derive(Debug, Clone)]
pub enum CountQuery {
    Plans(PlanFilter),
    Missions(BudgetFilter),
    Programs(BudgetFilter),
    Actions(BudgetFilter),
    Centres(PlanPartFilter),
    Strategic(PlanPartFilter),
    Annual(PlanPartFilter),
    Objectives(ObjectiveFilter),
    /// Objectives of one parent: batched over the parents of a level.
    ObjectivesOf(ObjectiveParent, i32, Arc<ObjectiveFilter>),
    Indicators(IndicatorFilter),
    Areas(PlanPartFilter),
    Ambiti(PlanPartFilter),
}

impl CountQuery {
    pub async fn run(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        if let CountQuery::ObjectivesOf(parent, id, filter) = self {
            let key = ObjectiveCountOf {
                parent: *parent,
                id: *id,
                filter: filter.clone(),
            };
            return Ok(maybe(ctx, key).await?.unwrap_or(0));
        }
        let q = self.clone();
        state(ctx)?
            .blocking(move |db| {
                let g = db.graph();
                Ok(match &q {
                    CountQuery::Plans(f) => g.plans_count(f),
                    CountQuery::Missions(f) => g.missions_count(f),
                    CountQuery::Programs(f) => g.programs_count(f),
                    CountQuery::Actions(f) => g.actions_count(f),
                    CountQuery::Centres(f) => g.responsibility_centres_count(f),
                    CountQuery::Strategic(f) => g.strategic_objectives_count(f),
                    CountQuery::Annual(f) => g.annual_objectives_count(f),
                    CountQuery::Objectives(f) => g.objectives_count(f),
                    CountQuery::Indicators(f) => g.indicators_count(f),
                    CountQuery::Areas(f) => g.areas_count(f),
                    CountQuery::Ambiti(f) => g.ambiti_count(f),
                    CountQuery::ObjectivesOf(..) => Ok(0),
                }?)
            })
            .await
    }
}

connection!(
    PlanConnection,
    PlanEdge,
    Plan,
    "A page of plans, sorted by code.",
    "A plan in a page, with its cursor."
);
connection!(
    MissionConnection,
    MissionEdge,
    Mission,
    "A page of missions, in budget order (codes as numbers, segment by segment).",
    "A mission in a page, with its cursor."
);
connection!(
    ProgramConnection,
    ProgramEdge,
    Program,
    "A page of programs, in budget order (codes as numbers, segment by segment).",
    "A program in a page, with its cursor."
);
connection!(
    ActionConnection,
    ActionEdge,
    Action,
    "A page of actions, sorted by name.",
    "An action in a page, with its cursor."
);
connection!(
    ResponsibilityCentreConnection,
    ResponsibilityCentreEdge,
    ResponsibilityCentre,
    "A page of responsibility centres, sorted by name.",
    "A responsibility centre in a page, with its cursor."
);
connection!(
    StrategicObjectiveConnection,
    StrategicObjectiveEdge,
    StrategicObjective,
    "A page of strategic objectives, sorted by code.",
    "A strategic objective in a page, with its cursor."
);
connection!(
    AnnualObjectiveConnection,
    AnnualObjectiveEdge,
    AnnualObjective,
    "A page of annual objectives, sorted by code.",
    "An annual objective in a page, with its cursor."
);
connection!(
    ObjectiveConnection,
    ObjectiveEdge,
    Objective,
    "A page of individual annual objectives, in the order asked for.",
    "An objective in a page, with its cursor."
);
connection!(
    IndicatorConnection,
    IndicatorEdge,
    Indicator,
    "A page of indicators, in the order asked for.",
    "An indicator in a page, with its cursor."
);
connection!(
    AreaConnection,
    AreaEdge,
    Area,
    "A page of areas of multi-year plans, in document order.",
    "An area in a page, with its cursor."
);
connection!(
    AmbitoConnection,
    AmbitoEdge,
    Ambito,
    "A page of ambiti, sorted by name.",
    "An ambito in a page, with its cursor."
);

/// The objectives of one parent (plan or responsibility centre) as a
/// connection, loaded for all parents of a level at once.
#[allow(clippy::too_many_arguments)]
pub(super) async fn objectives_of(
    ctx: &Context<'_>,
    parent: ObjectiveParent,
    id: i32,
    mut filter: ObjectiveFilter,
    order: ObjectiveOrder,
    page: PageArgs,
) -> ApiResult<ObjectiveConnection> {
    let state = state(ctx)?;
    let window = page.window(&state.settings, order.tag())?;
    // The parent is the grouping column, not a filter of the batch.
    match parent {
        ObjectiveParent::Plan => filter.plan_ids = None,
        ObjectiveParent::ResponsibilityCentre => filter.responsibility_centre_ids = None,
    }
    let filter = Arc::new(filter);
    let key = ObjectivePageOf {
        parent,
        id,
        filter: filter.clone(),
        sort: order.sort(),
        page: window.request.clone(),
    };
    let rows = maybe(ctx, key).await?.unwrap_or_default();
    let (edges, info) = paginate(&window, rows, |o| order.key(o), Objective::from);
    Ok(ObjectiveConnection::new(
        edges,
        info,
        CountQuery::ObjectivesOf(parent, id, filter),
    ))
}

/// Filters of objective lists given as field arguments, resolved to a
/// storage filter.
#[derive(Debug, Default)]
pub(crate) struct ObjectiveArgs {
    pub plan: Option<String>,
    pub year: Option<i32>,
    pub responsibility_centre: Option<ID>,
    pub mission: Option<String>,
    pub program: Option<String>,
    pub action: Option<ID>,
    pub strategic_objective: Option<ID>,
    pub annual_objective: Option<ID>,
    pub search: Option<String>,
}

impl ObjectiveArgs {
    pub(crate) fn filter(self) -> ApiResult<ObjectiveFilter> {
        Ok(ObjectiveFilter {
            plan_ids: None,
            plan_code: self.plan,
            year: self.year,
            responsibility_centre_ids: self
                .responsibility_centre
                .map(|id| {
                    ids::expect(&id, "ResponsibilityCentre", "responsibilityCentre")
                        .map(|i| vec![i])
                })
                .transpose()?,
            mission_code: self.mission,
            program_code: self.program,
            action_id: self
                .action
                .map(|id| ids::expect(&id, "Action", "action"))
                .transpose()?,
            strategic_objective_id: self
                .strategic_objective
                .map(|id| ids::expect(&id, "StrategicObjective", "strategicObjective"))
                .transpose()?,
            annual_objective_id: self
                .annual_objective
                .map(|id| ids::expect(&id, "AnnualObjective", "annualObjective"))
                .transpose()?,
            search: self.search.filter(|s| !s.is_empty()),
        })
    }
}
