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
use super::scalars::{stored_decimal, Date, DateTime, Decimal};
use crate::errors::{ApiError, ApiResult};
use crate::state::AppState;

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

/// Loads the object a foreign key points to; its absence is a broken
/// invariant of the database, not a client error. Like [`maybe`] and
/// [`many`], it takes the value the request read ahead when there is one
/// (see [`prefetch`](super::prefetch)).
pub(crate) async fn one<K>(
    ctx: &Context<'_>,
    key: K,
) -> ApiResult<<Store as async_graphql::dataloader::Loader<K>>::Value>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + std::fmt::Debug + 'static,
    Store: async_graphql::dataloader::Loader<K, Error = ApiError>,
{
    maybe(ctx, key.clone())
        .await?
        .ok_or_else(|| ApiError::internal(format!("dangling reference {key:?}")))
}

/// Loads an object that may not exist.
pub(crate) async fn maybe<K>(
    ctx: &Context<'_>,
    key: K,
) -> ApiResult<Option<<Store as async_graphql::dataloader::Loader<K>>::Value>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    Store: async_graphql::dataloader::Loader<K, Error = ApiError>,
{
    let found = load(ctx, key).await?;
    budget::charge(ctx, usize::from(found.is_some()))?;
    Ok(found)
}

/// The value of `key`: read ahead, or from the loader.
async fn load<K>(
    ctx: &Context<'_>,
    key: K,
) -> ApiResult<Option<<Store as async_graphql::dataloader::Loader<K>>::Value>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
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
pub(crate) async fn many<K, V>(ctx: &Context<'_>, key: K) -> ApiResult<Arc<[V]>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
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
pub(crate) async fn many_after<K, V>(
    ctx: &Context<'_>,
    key: K,
    first: Option<i32>,
    after: Option<ID>,
) -> ApiResult<Arc<[V]>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
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

// ---- enums ----------------------------------------------------------------

/// Which published shape a plan has.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKind {
    /// Individual annual objective sheets with indicators and phases.
    AnnualObjectives,
    /// A multi-year plan of areas with ambiti and yearly results.
    MultiYear,
}

impl PlanKind {
    pub fn as_db(self) -> &'static str {
        match self {
            PlanKind::AnnualObjectives => "annual_objectives",
            PlanKind::MultiYear => "multi_year",
        }
    }

    fn from_db(s: &str) -> ApiResult<Self> {
        match s {
            "annual_objectives" => Ok(PlanKind::AnnualObjectives),
            "multi_year" => Ok(PlanKind::MultiYear),
            other => Err(ApiError::internal(format!("unknown plan kind {other:?}"))),
        }
    }
}

/// Unit of an indicator's values.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Calendar days (e.g. payment delays).
    Days,
    /// Percent, 0 to 100 (values may exceed 100 where the method allows).
    Percent,
    /// A count or a sum.
    Count,
}

impl Unit {
    pub fn as_db(self) -> &'static str {
        match self {
            Unit::Days => "days",
            Unit::Percent => "percent",
            Unit::Count => "count",
        }
    }

    pub fn from_db(s: &str) -> Option<Self> {
        match s {
            "days" => Some(Unit::Days),
            "percent" => Some(Unit::Percent),
            "count" => Some(Unit::Count),
            _ => None,
        }
    }
}

/// Whether a higher or a lower value of an indicator is better.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// More is better (most ratios and counts).
    HigherIsBetter,
    /// Less is better (delays, with targets like `<=10`).
    LowerIsBetter,
}

impl Direction {
    pub fn as_db(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher_is_better",
            Direction::LowerIsBetter => "lower_is_better",
        }
    }

    fn from_db(s: &str) -> ApiResult<Self> {
        match s {
            "higher_is_better" => Ok(Direction::HigherIsBetter),
            "lower_is_better" => Ok(Direction::LowerIsBetter),
            other => Err(ApiError::internal(format!("unknown direction {other:?}"))),
        }
    }
}

/// The comparator written before a target or baseline value.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    /// `<=`
    Le,
    /// `<`
    Lt,
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `=`, or no comparator written.
    Eq,
}

impl Comparator {
    pub fn as_db(self) -> &'static str {
        match self {
            Comparator::Le => "le",
            Comparator::Lt => "lt",
            Comparator::Ge => "ge",
            Comparator::Gt => "gt",
            Comparator::Eq => "eq",
        }
    }

    fn from_db(s: &str) -> Option<Self> {
        match s {
            "le" => Some(Comparator::Le),
            "lt" => Some(Comparator::Lt),
            "ge" => Some(Comparator::Ge),
            "gt" => Some(Comparator::Gt),
            "eq" => Some(Comparator::Eq),
            _ => None,
        }
    }
}

/// Whether a result of an ambito was planned or achieved.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultKind {
    /// *Risultati previsti*: planned.
    Expected,
    /// *Risultati*: achieved.
    Actual,
}

impl ResultKind {
    pub fn as_db(self) -> &'static str {
        match self {
            ResultKind::Expected => "expected",
            ResultKind::Actual => "actual",
        }
    }

    fn from_db(s: &str) -> ApiResult<Self> {
        match s {
            "expected" => Ok(ResultKind::Expected),
            "actual" => Ok(ResultKind::Actual),
            other => Err(ApiError::internal(format!("unknown result kind {other:?}"))),
        }
    }
}

/// Sort orders of objective lists.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ObjectiveOrder {
    /// Document order within each plan (the default).
    #[default]
    Position,
    /// By code (`A.1`, `A.10`, `A.2`: as text).
    Code,
    /// By title.
    Title,
}

impl ObjectiveOrder {
    pub(crate) fn sort(self) -> ObjectiveSort {
        match self {
            ObjectiveOrder::Position => ObjectiveSort::Position,
            ObjectiveOrder::Code => ObjectiveSort::Code,
            ObjectiveOrder::Title => ObjectiveSort::Title,
        }
    }

    pub(crate) fn tag(self) -> &'static str {
        match self {
            ObjectiveOrder::Position => "objective.position",
            ObjectiveOrder::Code => "objective.code",
            ObjectiveOrder::Title => "objective.title",
        }
    }

    pub(crate) fn key(self, o: &rows::Objective) -> (SortValue, i32) {
        let v = match self {
            ObjectiveOrder::Position => SortValue::Int(i64::from(o.position)),
            ObjectiveOrder::Code => SortValue::Text(o.code.clone()),
            ObjectiveOrder::Title => SortValue::Text(o.title.clone()),
        };
        (v, o.id)
    }
}

/// Sort orders of indicator lists.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IndicatorOrder {
    /// Order within each objective (the default).
    #[default]
    Position,
    /// By code.
    Code,
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
async fn objectives_of(
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

// ---- plans ----------------------------------------------------------------

/// A performance plan: a set of individual annual objective sheets of one
/// administration, or a multi-year plan of areas and ambiti.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Plan {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    kind_db: String,
    /// The plan's code: its identity; importing a document with the same
    /// code updates the plan in place.
    pub code: String,
    /// The publishing administration, when known.
    pub administration: Option<String>,
    /// Title of the plan.
    pub title: String,
    /// First year the plan covers.
    pub first_year: i32,
    /// Last year the plan covers.
    pub last_year: i32,
    /// Notes of the document that belong to no object.
    pub notes: Vec<String>,
    /// Name of the file the plan was last imported from.
    pub source_file: Option<String>,
    /// When the plan was last imported or created.
    pub imported_at: DateTime,
    /// Incremented by every change of the plan; pass it as
    /// `expectedVersion` to update the plan.
    pub version: i32,
}

impl From<rows::Plan> for Plan {
    fn from(r: rows::Plan) -> Self {
        Plan {
            db_id: r.id,
            kind_db: r.kind,
            code: r.code,
            administration: r.administration,
            title: r.title,
            first_year: r.first_year,
            last_year: r.last_year,
            notes: json_list(&r.notes),
            source_file: r.source_file,
            imported_at: DateTime(r.imported_at),
            version: r.version,
        }
    }
}

#[ComplexObject]
impl Plan {
    /// The plan's global id.
    async fn id(&self) -> ID {
        ids::encode("Plan", self.db_id)
    }

    /// Which published shape the plan has.
    async fn kind(&self) -> ApiResult<PlanKind> {
        PlanKind::from_db(&self.kind_db)
    }

    /// The plan's individual annual objectives, filtered and paged.
    #[allow(clippy::too_many_arguments)]
    async fn objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only objectives of this year.")] year: Option<i32>,
        #[graphql(desc = "Only objectives of this responsibility centre (its id).")]
        responsibility_centre: Option<ID>,
        #[graphql(desc = "Only objectives financed by this mission (its code, e.g. `26`).")]
        mission: Option<String>,
        #[graphql(desc = "Only objectives financed by this program (its code, e.g. `26.7`).")]
        program: Option<String>,
        #[graphql(desc = "Case-insensitive text in code, title or description.")] search: Option<
            String,
        >,
        #[graphql(desc = "Sort order (default: document order).", default)]
        order_by: ObjectiveOrder,
        #[graphql(desc = "Items after the cursor `after`, at most this many.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue after.")] after: Option<String>,
        #[graphql(desc = "Items before the cursor `before`, at most this many, from the end.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue before.")] before: Option<String>,
    ) -> ApiResult<ObjectiveConnection> {
        let filter = ObjectiveArgs {
            year,
            responsibility_centre,
            mission,
            program,
            search,
            ..Default::default()
        }
        .filter()?;
        objectives_of(
            ctx,
            ObjectiveParent::Plan,
            self.db_id,
            filter,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
        .await
    }

    /// The responsibility centres (CDR) of the plan, by name.
    async fn responsibility_centres(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[ResponsibilityCentre]>> {
        many_after(ctx, CentresOfPlan(self.db_id), first, after).await
    }

    /// The strategic objectives (*obiettivi specifici*) of the plan, by code.
    async fn strategic_objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[StrategicObjective]>> {
        many_after(ctx, StrategicOfPlan(self.db_id), first, after).await
    }

    /// The annual objectives (*obiettivi annuali*) of the plan, by code.
    async fn annual_objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[AnnualObjective]>> {
        many_after(ctx, AnnualOfPlan(self.db_id), first, after).await
    }

    /// The areas of a multi-year plan, in document order.
    async fn areas(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[Area]>> {
        many_after(ctx, AreasOfPlan(self.db_id), first, after).await
    }

    /// Content problems found when the plan was imported, in document order.
    async fn findings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[Finding]>> {
        many_after(ctx, FindingsOfPlan(self.db_id), first, after).await
    }
}

// ---- budget classification ------------------------------------------------

/// A mission of the state budget (*Missione*), e.g. `26 - Politiche per il
/// lavoro`. Shared by all plans.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Mission {
    #[graphql(skip)]
    pub db_id: i32,
    /// The mission's code, e.g. `26`.
    pub code: String,
    /// The mission's name.
    pub name: String,
}

impl From<rows::Mission> for Mission {
    fn from(r: rows::Mission) -> Self {
        Mission {
            db_id: r.id,
            code: r.code,
            name: r.name,
        }
    }
}

#[ComplexObject]
impl Mission {
    /// The mission's global id.
    async fn id(&self) -> ID {
        ids::encode("Mission", self.db_id)
    }

    /// The programs of the mission, in budget order (1.1, 1.2, 1.10).
    async fn programs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[Program]>> {
        many_after(ctx, ProgramsOfMission(self.db_id), first, after).await
    }
}

/// A program of the state budget (*Programma*), e.g. `26.7`.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Program {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub mission_id: i32,
    /// The program's code, e.g. `26.7`.
    pub code: String,
    /// The program's name.
    pub name: String,
}

impl From<rows::Program> for Program {
    fn from(r: rows::Program) -> Self {
        Program {
            db_id: r.id,
            mission_id: r.mission_id,
            code: r.code,
            name: r.name,
        }
    }
}

#[ComplexObject]
impl Program {
    /// The program's global id.
    async fn id(&self) -> ID {
        ids::encode("Program", self.db_id)
    }

    /// The mission the program belongs to.
    async fn mission(&self, ctx: &Context<'_>) -> ApiResult<Mission> {
        one(ctx, MissionById(self.mission_id)).await
    }

    /// The actions of the program, by name.
    async fn actions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[Action]>> {
        many_after(ctx, ActionsOfProgram(self.db_id), first, after).await
    }
}

/// An action of the state budget (*Azione*); actions have no code, their
/// name identifies them within their program.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Action {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub program_id: i32,
    /// The action's name.
    pub name: String,
}

impl From<rows::Action> for Action {
    fn from(r: rows::Action) -> Self {
        Action {
            db_id: r.id,
            program_id: r.program_id,
            name: r.name,
        }
    }
}

#[ComplexObject]
impl Action {
    /// The action's global id.
    async fn id(&self) -> ID {
        ids::encode("Action", self.db_id)
    }

    /// The program the action belongs to.
    async fn program(&self, ctx: &Context<'_>) -> ApiResult<Program> {
        one(ctx, ProgramById(self.program_id)).await
    }

    /// The objectives the action finances, of every plan.
    async fn objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[Objective]>> {
        many_after(ctx, ObjectivesOfAction(self.db_id), first, after).await
    }
}

/// One row of an objective's financial resources: Missione → Programma →
/// Azione.
#[derive(Debug, Clone, SimpleObject)]
pub struct BudgetLink {
    /// The mission.
    pub mission: Mission,
    /// The program.
    pub program: Program,
    /// The action.
    pub action: Action,
}

// ---- responsibility centres and offices -----------------------------------

/// A responsibility centre (*Centro di responsabilità amministrativa*,
/// CDR): a directorate-general of a plan with a named head.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct ResponsibilityCentre {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub plan_id: i32,
    /// The centre's name.
    pub name: String,
    /// The head of the centre (*Responsabile del CDR*).
    pub head: Option<String>,
}

impl From<rows::ResponsibilityCentre> for ResponsibilityCentre {
    fn from(r: rows::ResponsibilityCentre) -> Self {
        ResponsibilityCentre {
            db_id: r.id,
            plan_id: r.plan_id,
            name: r.name,
            head: r.head,
        }
    }
}

#[ComplexObject]
impl ResponsibilityCentre {
    /// The centre's global id.
    async fn id(&self) -> ID {
        ids::encode("ResponsibilityCentre", self.db_id)
    }

    /// The plan the centre belongs to.
    async fn plan(&self, ctx: &Context<'_>) -> ApiResult<Plan> {
        one(ctx, PlanById(self.plan_id)).await
    }

    /// The centre's offices (*uffici dirigenziali di II livello*), by name.
    async fn offices(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[Office]>> {
        many_after(ctx, OfficesOfCentre(self.db_id), first, after).await
    }

    /// The objectives the centre owns, filtered and paged.
    #[allow(clippy::too_many_arguments)]
    async fn objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only objectives of this year.")] year: Option<i32>,
        #[graphql(desc = "Only objectives financed by this mission (its code).")] mission: Option<
            String,
        >,
        #[graphql(desc = "Only objectives financed by this program (its code).")] program: Option<
            String,
        >,
        #[graphql(desc = "Case-insensitive text in code, title or description.")] search: Option<
            String,
        >,
        #[graphql(desc = "Sort order (default: document order).", default)]
        order_by: ObjectiveOrder,
        #[graphql(desc = "Items after the cursor `after`, at most this many.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue after.")] after: Option<String>,
        #[graphql(desc = "Items before the cursor `before`, at most this many, from the end.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue before.")] before: Option<String>,
    ) -> ApiResult<ObjectiveConnection> {
        let filter = ObjectiveArgs {
            year,
            mission,
            program,
            search,
            ..Default::default()
        }
        .filter()?;
        objectives_of(
            ctx,
            ObjectiveParent::ResponsibilityCentre,
            self.db_id,
            filter,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
        .await
    }
}

/// An office of a responsibility centre (*ufficio dirigenziale di II
/// livello*) that works on objectives.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Office {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub centre_id: i32,
    /// The office's name.
    pub name: String,
}

impl From<rows::Office> for Office {
    fn from(r: rows::Office) -> Self {
        Office {
            db_id: r.id,
            centre_id: r.responsibility_centre_id,
            name: r.name,
        }
    }
}

#[ComplexObject]
impl Office {
    /// The office's global id.
    async fn id(&self) -> ID {
        ids::encode("Office", self.db_id)
    }

    /// The responsibility centre the office belongs to.
    async fn responsibility_centre(&self, ctx: &Context<'_>) -> ApiResult<ResponsibilityCentre> {
        one(ctx, CentreById(self.centre_id)).await
    }

    /// The objectives the office works on.
    async fn objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[Objective]>> {
        many_after(ctx, ObjectivesOfOffice(self.db_id), first, after).await
    }
}

// ---- strategic and annual objectives --------------------------------------

/// A strategic objective (*obiettivo specifico*, three-year) of a plan.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct StrategicObjective {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub plan_id: i32,
    /// The code the sheets give it, e.g. `4`.
    pub code: String,
    /// Its title, as first worded in the plan.
    pub title: String,
}

impl From<rows::StrategicObjective> for StrategicObjective {
    fn from(r: rows::StrategicObjective) -> Self {
        StrategicObjective {
            db_id: r.id,
            plan_id: r.plan_id,
            code: r.code,
            title: r.title,
        }
    }
}

#[ComplexObject]
impl StrategicObjective {
    /// The strategic objective's global id.
    async fn id(&self) -> ID {
        ids::encode("StrategicObjective", self.db_id)
    }

    /// The plan it belongs to.
    async fn plan(&self, ctx: &Context<'_>) -> ApiResult<Plan> {
        one(ctx, PlanById(self.plan_id)).await
    }

    /// The individual objectives linked to it, in document order.
    async fn objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[Objective]>> {
        many_after(ctx, ObjectivesOfStrategic(self.db_id), first, after).await
    }

    /// The annual objectives under it, by code.
    async fn annual_objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[AnnualObjective]>> {
        many_after(ctx, AnnualOfStrategic(self.db_id), first, after).await
    }
}

/// An annual objective (*obiettivo annuale*) of a plan, e.g. `4.1`.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct AnnualObjective {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub plan_id: i32,
    #[graphql(skip)]
    pub strategic_id: Option<i32>,
    /// The code the sheets give it, e.g. `4.1`.
    pub code: String,
    /// Its title, as first worded in the plan.
    pub title: String,
}

impl From<rows::AnnualObjective> for AnnualObjective {
    fn from(r: rows::AnnualObjective) -> Self {
        AnnualObjective {
            db_id: r.id,
            plan_id: r.plan_id,
            strategic_id: r.strategic_objective_id,
            code: r.code,
            title: r.title,
        }
    }
}

#[ComplexObject]
impl AnnualObjective {
    /// The annual objective's global id.
    async fn id(&self) -> ID {
        ids::encode("AnnualObjective", self.db_id)
    }

    /// The plan it belongs to.
    async fn plan(&self, ctx: &Context<'_>) -> ApiResult<Plan> {
        one(ctx, PlanById(self.plan_id)).await
    }

    /// The strategic objective it serves, when the plan names it.
    async fn strategic_objective(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<StrategicObjective>> {
        match self.strategic_id {
            Some(id) => maybe(ctx, StrategicById(id)).await,
            None => Ok(None),
        }
    }

    /// The individual objectives linked to it, in document order.
    async fn objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[Objective]>> {
        many_after(ctx, ObjectivesOfAnnual(self.db_id), first, after).await
    }
}

// ---- objectives -----------------------------------------------------------

/// `50/70`: the objective weighs up to 50 of the head's 70 points.
#[derive(Debug, Clone, SimpleObject)]
pub struct MaxScore {
    /// Points the objective is worth at most.
    pub points: i32,
    /// Points of the head's whole evaluation.
    pub out_of: i32,
}

/// An individual annual objective (*obiettivo individuale annuale*) of a
/// responsibility centre, with indicators and weighted phases.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Objective {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub plan_id: i32,
    #[graphql(skip)]
    pub centre_id: i32,
    /// The objective's code, unique in its plan, e.g. `A.1`.
    pub code: String,
    /// The year the objective is for.
    pub year: i32,
    /// *Denominazione*.
    pub title: String,
    /// *Descrizione*, rich text as published (may contain `<p>`, `<ul>`,
    /// `<i>`).
    pub description: String,
    /// The offices line as written.
    pub offices_text: String,
    /// The strategic objective line as written (it may be a placeholder).
    pub strategic_objectives_text: String,
    /// The annual objective line as written (it may be a placeholder).
    pub annual_objectives_text: String,
    /// Other internal offices involved, as written.
    pub other_offices: String,
    /// External bodies involved, as written.
    pub external_bodies: String,
    /// *Data di inizio*.
    pub start_date: Option<Date>,
    /// *Data di completamento*.
    pub end_date: Option<Date>,
    /// The objective's weight in the head's evaluation.
    pub max_score: Option<MaxScore>,
    /// Fields a revision amended (marked `<i>…</i>` in the document).
    pub amended_fields: Vec<String>,
    /// Notes printed after the sheet.
    pub notes: Vec<String>,
    /// Incremented by every change of the objective or its phases; pass it
    /// as `expectedVersion` to change them.
    pub version: i32,
}

impl From<rows::Objective> for Objective {
    fn from(r: rows::Objective) -> Self {
        Objective {
            db_id: r.id,
            plan_id: r.plan_id,
            centre_id: r.responsibility_centre_id,
            code: r.code,
            year: r.year,
            title: r.title,
            description: r.description,
            offices_text: r.offices_text,
            strategic_objectives_text: r.strategic_objectives_text,
            annual_objectives_text: r.annual_objectives_text,
            other_offices: r.other_offices,
            external_bodies: r.external_bodies,
            start_date: r.start_date.map(Date),
            end_date: r.end_date.map(Date),
            max_score: match (r.max_score_points, r.max_score_out_of) {
                (Some(points), Some(out_of)) => Some(MaxScore { points, out_of }),
                _ => None,
            },
            amended_fields: json_list(&r.amended_fields),
            notes: json_list(&r.notes),
            version: r.version,
        }
    }
}

#[ComplexObject]
impl Objective {
    /// The objective's global id.
    async fn id(&self) -> ID {
        ids::encode("Objective", self.db_id)
    }

    /// Whether a revision amended any field of the objective.
    async fn amended(&self) -> bool {
        !self.amended_fields.is_empty()
    }

    /// The plan the objective belongs to.
    async fn plan(&self, ctx: &Context<'_>) -> ApiResult<Plan> {
        one(ctx, PlanById(self.plan_id)).await
    }

    /// The responsibility centre owning the objective.
    async fn responsibility_centre(&self, ctx: &Context<'_>) -> ApiResult<ResponsibilityCentre> {
        one(ctx, CentreById(self.centre_id)).await
    }

    /// The offices doing the work, in sheet order.
    async fn offices(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[Office]>> {
        many_after(ctx, OfficesOfObjective(self.db_id), first, after).await
    }

    /// The strategic objectives the objective serves, in sheet order.
    async fn strategic_objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[StrategicObjective]>> {
        many_after(ctx, StrategicOfObjective(self.db_id), first, after).await
    }

    /// The annual objectives the objective serves, in sheet order.
    async fn annual_objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[AnnualObjective]>> {
        many_after(ctx, AnnualOfObjective(self.db_id), first, after).await
    }

    /// The budget lines financing the objective, in sheet order.
    async fn budget(&self, ctx: &Context<'_>) -> ApiResult<Arc<[BudgetLink]>> {
        many(ctx, BudgetOfObjective(self.db_id)).await
    }

    /// The objective's indicators, in sheet order.
    async fn indicators(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[Indicator]>> {
        many_after(ctx, IndicatorsOfObjective(self.db_id), first, after).await
    }

    /// The objective's phases, in sheet order.
    async fn phases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[Phase]>> {
        many_after(ctx, PhasesOfObjective(self.db_id), first, after).await
    }

    /// Sum of the phase weights in percent (a plan expects 100); phases
    /// without a weight count as zero.
    async fn phase_weight_sum(&self, ctx: &Context<'_>) -> ApiResult<Decimal> {
        let phases: Arc<[Phase]> = many(ctx, PhasesOfObjective(self.db_id)).await?;
        Ok(Decimal(
            phases.iter().filter_map(|p| p.weight.map(|w| w.0)).sum(),
        ))
    }

    /// Where the objective was written in its source document.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Option<SourceLocation>> {
        source_of(ctx, self.plan_id, "objective", self.code.clone()).await
    }

    /// Import findings about this objective.
    async fn findings(&self, ctx: &Context<'_>) -> ApiResult<Arc<[Finding]>> {
        many(
            ctx,
            FindingsAbout(self.plan_id, "objective".into(), self.code.clone()),
        )
        .await
    }

    /// The objective's achievement and score for a year: the mean degree
    /// of its indicators that have a value for the year or, when none has,
    /// the weighted completion of its phases; the score is the degree ×
    /// its maximum points.
    async fn achievement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year judged, e.g. 2020.")] year: i32,
    ) -> ApiResult<ObjectiveAchievement> {
        let year = calc::year_arg(year)?;
        one(ctx, ObjectiveAchievementOf(self.db_id, year)).await
    }
}

// ---- indicators -----------------------------------------------------------

/// A baseline or target as published (`raw`) and what could be read from
/// it: `<=10` → comparator LE, number 10.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(serial)]
pub struct Measure {
    /// The text as published, e.g. `1200 (con presenza di 6054 MSNA …)`.
    pub raw: String,
    /// The comparator written before the number, if any.
    pub comparator: Option<Comparator>,
    /// The number read from the text, exact.
    pub number: Option<Decimal>,
    /// The unit read from the text, if any.
    pub unit: Option<Unit>,
    /// The rest of the text, e.g. `con presenza di 6054 MSNA …`.
    pub note: Option<String>,
}

impl Measure {
    fn from_columns(
        raw: String,
        comparator: Option<String>,
        number: Option<String>,
        unit: Option<String>,
        note: Option<String>,
    ) -> Self {
        Measure {
            raw,
            comparator: comparator.as_deref().and_then(Comparator::from_db),
            number: number.as_deref().and_then(stored_decimal),
            unit: unit.as_deref().and_then(Unit::from_db),
            note,
        }
    }
}

/// Which calculator computes an indicator.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct CalculatorBinding {
    /// The calculator's key.
    pub calculator: String,
    /// Its parameters, as a JSON object in text.
    pub params: String,
    /// Whether the importer guessed the binding from the method text.
    pub guessed: bool,
}

#[ComplexObject]
impl CalculatorBinding {
    /// The bound calculator as the service serves it now; null when no
    /// loaded calculator has the id (computing would fail).
    async fn loaded(&self, ctx: &Context<'_>) -> ApiResult<Option<Calculator>> {
        Ok(state(ctx)?
            .calculators
            .get(&self.calculator)
            .map(|c| Calculator::from(c.descriptor().clone())))
    }
}

/// An indicator of an objective, with baseline, yearly targets and
/// measured values.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Indicator {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub objective_id: i32,
    #[graphql(skip)]
    unit_db: String,
    #[graphql(skip)]
    direction_db: String,
    /// The indicator's code within its objective, e.g. `1`.
    pub code: String,
    /// What the indicator measures.
    pub description: String,
    /// The *metodo di calcolo* as written.
    pub method: String,
    /// The *Tipo* column, e.g. `Efficienza`.
    pub kind: String,
    /// The baseline, when the sheet gives one.
    pub baseline: Option<Measure>,
    /// The calculator bound to the indicator, if any.
    pub calculator: Option<CalculatorBinding>,
    /// Fields a revision amended.
    pub amended_fields: Vec<String>,
    /// Incremented by every change of the indicator or its targets; pass it
    /// as `expectedVersion` to change them.
    pub version: i32,
}

impl From<rows::Indicator> for Indicator {
    fn from(r: rows::Indicator) -> Self {
        Indicator {
            db_id: r.id,
            objective_id: r.objective_id,
            unit_db: r.unit,
            direction_db: r.direction,
            code: r.code,
            description: r.description,
            method: r.method,
            kind: r.kind,
            baseline: r.baseline_raw.map(|raw| {
                Measure::from_columns(
                    raw,
                    r.baseline_comparator,
                    r.baseline_number,
                    r.baseline_unit,
                    r.baseline_note,
                )
            }),
            calculator: r.calculator_id.map(|calculator| CalculatorBinding {
                calculator,
                params: r.calculator_params.unwrap_or_else(|| "{}".into()),
                guessed: r.calculator_guessed,
            }),
            amended_fields: json_list(&r.amended_fields),
            version: r.version,
        }
    }
}

#[ComplexObject]
impl Indicator {
    /// The indicator's global id.
    async fn id(&self) -> ID {
        ids::encode("Indicator", self.db_id)
    }

    /// Unit of the indicator's values.
    async fn unit(&self) -> ApiResult<Unit> {
        Unit::from_db(&self.unit_db)
            .ok_or_else(|| ApiError::internal(format!("unknown unit {:?}", self.unit_db)))
    }

    /// Whether a higher or a lower value is better.
    async fn direction(&self) -> ApiResult<Direction> {
        Direction::from_db(&self.direction_db)
    }

    /// Whether a revision amended any field of the indicator.
    async fn amended(&self) -> bool {
        !self.amended_fields.is_empty()
    }

    /// The objective the indicator belongs to.
    async fn objective(&self, ctx: &Context<'_>) -> ApiResult<Objective> {
        one(ctx, ObjectiveById(self.objective_id)).await
    }

    /// The yearly targets, by year.
    async fn targets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[Target]>> {
        many_after(ctx, TargetsOfIndicator(self.db_id), first, after).await
    }

    /// Measured values whose period lies between `from` and `to` (both
    /// optional, inclusive), by period.
    async fn measurements(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only periods starting on or after this date.")] from: Option<Date>,
        #[graphql(desc = "Only periods ending on or before this date.")] to: Option<Date>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[Measurement]>> {
        many_after(
            ctx,
            MeasurementsOf(self.db_id, from.map(|d| d.0), to.map(|d| d.0)),
            first,
            after,
        )
        .await
    }

    /// The measured value of the latest period (for equal ends, the
    /// shortest period).
    async fn latest_measurement(&self, ctx: &Context<'_>) -> ApiResult<Option<Measurement>> {
        maybe(ctx, LatestMeasurement(self.db_id)).await
    }

    /// The latest computed value for a period, with its provenance; null
    /// when it was never computed (see `computeIndicator`).
    async fn value(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A year (`2020`), a quarter (`2020-Q1`) or a month (`2020-03`).")]
        period: String,
    ) -> ApiResult<Option<IndicatorValue>> {
        let period = calc::period_arg("period", &period)?;
        maybe(ctx, LatestValueOf(self.db_id, period.to_string())).await
    }

    /// Every value computed for the indicator, newest first: the history of
    /// its computations, also those whose inputs have since changed.
    async fn values(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only values of this period (`2020`, `2020-Q1`, `2020-03`).")]
        period: Option<String>,
    ) -> ApiResult<Arc<[IndicatorValue]>> {
        let period = period
            .map(|p| calc::period_arg("period", &p).map(|p| p.to_string()))
            .transpose()?;
        many(ctx, ValuesOf(self.db_id, period)).await
    }

    /// The latest value computed for a year against that year's target:
    /// degree, status and what they rest on.
    async fn achievement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year judged, e.g. 2020.")] year: i32,
    ) -> ApiResult<IndicatorAchievement> {
        let year = calc::year_arg(year)?;
        one(ctx, IndicatorAchievementOf(self.db_id, year)).await
    }

    /// Where the indicator was written in its source document.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Option<SourceLocation>> {
        let objective: Objective = one(ctx, ObjectiveById(self.objective_id)).await?;
        let code = format!("{}/{}", objective.code, self.code);
        source_of(ctx, objective.plan_id, "indicator", code).await
    }

    /// Import findings about this indicator.
    async fn findings(&self, ctx: &Context<'_>) -> ApiResult<Arc<[Finding]>> {
        let objective: Objective = one(ctx, ObjectiveById(self.objective_id)).await?;
        many(
            ctx,
            FindingsAbout(
                objective.plan_id,
                "indicator".into(),
                format!("{}/{}", objective.code, self.code),
            ),
        )
        .await
    }
}

/// A yearly target of an indicator.
#[derive(Debug, Clone, SimpleObject)]
// Serial: only one of its fields waits for a loader, so resolving them one
// after the other loses no batching and saves the concurrent machinery
// async-graphql spends per field (thousands of these in a large tree).
#[graphql(complex, serial)]
pub struct Target {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub indicator_id: i32,
    /// The year the target is for.
    pub year: i32,
    /// The target as published and as read.
    pub value: Measure,
    /// Whether a revision amended the target.
    pub amended: bool,
}

impl From<rows::Target> for Target {
    fn from(r: rows::Target) -> Self {
        Target {
            db_id: r.id,
            indicator_id: r.indicator_id,
            year: r.year,
            value: Measure::from_columns(r.raw, r.comparator, r.number, r.unit, r.note),
            amended: r.amended,
        }
    }
}

#[ComplexObject]
impl Target {
    /// The target's global id.
    async fn id(&self) -> ID {
        ids::encode("Target", self.db_id)
    }

    /// The indicator the target belongs to.
    async fn indicator(&self, ctx: &Context<'_>) -> ApiResult<Indicator> {
        one(ctx, IndicatorById(self.indicator_id)).await
    }

    /// Where the target was written in its source document.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Option<SourceLocation>> {
        let indicator: Indicator = one(ctx, IndicatorById(self.indicator_id)).await?;
        let objective: Objective = one(ctx, ObjectiveById(indicator.objective_id)).await?;
        let code = format!("{}/{}/{}", objective.code, indicator.code, self.year);
        source_of(ctx, objective.plan_id, "target", code).await
    }
}

/// A weighted phase of an objective (*fase*).
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Phase {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub objective_id: i32,
    /// The phase's code, e.g. `A.1.3`.
    pub code: String,
    /// What the phase does.
    pub description: String,
    /// *Inizio*.
    pub start_date: Option<Date>,
    /// *Termine*.
    pub end_date: Option<Date>,
    /// *Risultato atteso*.
    pub expected_result: String,
    /// Weight in percent of the objective (0 to 100, two decimals at most).
    pub weight: Option<Decimal>,
    /// Fields a revision amended.
    pub amended_fields: Vec<String>,
}

impl From<rows::Phase> for Phase {
    fn from(r: rows::Phase) -> Self {
        Phase {
            db_id: r.id,
            objective_id: r.objective_id,
            code: r.code,
            description: r.description,
            start_date: r.start_date.map(Date),
            end_date: r.end_date.map(Date),
            expected_result: r.expected_result,
            weight: r
                .weight_bp
                .map(|bp| Decimal(rust_decimal::Decimal::new(i64::from(bp), 2).normalize())),
            amended_fields: json_list(&r.amended_fields),
        }
    }
}

#[ComplexObject]
impl Phase {
    /// The phase's global id.
    async fn id(&self) -> ID {
        ids::encode("Phase", self.db_id)
    }

    /// Where the phase was written in its source document.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Option<SourceLocation>> {
        let objective: Objective = one(ctx, ObjectiveById(self.objective_id)).await?;
        source_of(ctx, objective.plan_id, "phase", self.code.clone()).await
    }

    /// Whether a revision amended (or added) the phase.
    async fn amended(&self) -> bool {
        !self.amended_fields.is_empty()
    }

    /// The objective the phase belongs to.
    async fn objective(&self, ctx: &Context<'_>) -> ApiResult<Objective> {
        one(ctx, ObjectiveById(self.objective_id)).await
    }

    /// Import findings about this phase.
    async fn findings(&self, ctx: &Context<'_>) -> ApiResult<Arc<[Finding]>> {
        let objective: Objective = one(ctx, ObjectiveById(self.objective_id)).await?;
        many(
            ctx,
            FindingsAbout(objective.plan_id, "phase".into(), self.code.clone()),
        )
        .await
    }
}

/// A measured value of an indicator for a period.
#[derive(Debug, Clone, SimpleObject)]
// Serial: only one of its fields waits for a loader, so resolving them one
// after the other loses no batching and saves the concurrent machinery
// async-graphql spends per field (thousands of these in a large tree).
#[graphql(complex, serial)]
pub struct Measurement {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub indicator_id: i32,
    /// The period: a year (`2020`), a quarter (`2020-Q1`) or a month
    /// (`2020-03`).
    pub period: String,
    /// First day of the period.
    pub period_start: Date,
    /// Last day of the period.
    pub period_end: Date,
    /// The value, exact.
    pub value: Option<Decimal>,
    /// The numerator the value was computed from, when kept (a year's
    /// value is re-aggregated from these, not averaged).
    pub numerator: Option<Decimal>,
    /// The denominator the value was computed from, when kept.
    pub denominator: Option<Decimal>,
    /// Where the value comes from.
    pub source: String,
    /// Who recorded the value.
    pub recorded_by: String,
    /// When the value was recorded (UTC).
    pub recorded_at: DateTime,
}

impl From<rows::Measurement> for Measurement {
    fn from(r: rows::Measurement) -> Self {
        Measurement {
            db_id: r.id,
            indicator_id: r.indicator_id,
            period: r.period,
            period_start: Date(r.period_start),
            period_end: Date(r.period_end),
            value: stored_decimal(&r.value),
            numerator: r.numerator.as_deref().and_then(stored_decimal),
            denominator: r.denominator.as_deref().and_then(stored_decimal),
            source: r.source,
            recorded_by: r.recorded_by,
            recorded_at: DateTime(r.recorded_at),
        }
    }
}

#[ComplexObject]
impl Measurement {
    /// The measurement's global id.
    async fn id(&self) -> ID {
        ids::encode("Measurement", self.db_id)
    }

    /// The indicator measured.
    async fn indicator(&self, ctx: &Context<'_>) -> ApiResult<Indicator> {
        one(ctx, IndicatorById(self.indicator_id)).await
    }
}

// ---- areas, ambiti, results -----------------------------------------------

/// An area of a multi-year plan, e.g. `AREA INCLUSIONE SOCIALE E
/// LAVORATIVA`.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Area {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub plan_id: i32,
    /// Position of the area in the plan, from 0.
    pub position: i32,
    /// The area's name; absent where the document lacks the heading.
    pub name: Option<String>,
    /// What follows the name in the heading.
    pub subtitle: Option<String>,
    /// Narrative paragraphs before the first table.
    pub introduction: String,
}

impl From<rows::Area> for Area {
    fn from(r: rows::Area) -> Self {
        Area {
            db_id: r.id,
            plan_id: r.plan_id,
            position: r.position,
            name: r.name,
            subtitle: r.subtitle,
            introduction: r.introduction,
        }
    }
}

#[ComplexObject]
impl Area {
    /// The area's global id.
    async fn id(&self) -> ID {
        ids::encode("Area", self.db_id)
    }

    /// The plan the area belongs to.
    async fn plan(&self, ctx: &Context<'_>) -> ApiResult<Plan> {
        one(ctx, PlanById(self.plan_id)).await
    }

    /// The area's ambiti, in document order.
    async fn ambiti(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[Ambito]>> {
        many_after(ctx, AmbitiOfArea(self.db_id), first, after).await
    }
}

/// An ambito: a thematic scope of an area with its three-year objective and
/// yearly results.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Ambito {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub area_id: i32,
    /// Position of the ambito in its area, from 0.
    pub position: i32,
    /// The ambito's name.
    pub name: String,
    /// The three-year objective (*Obiettivi quali-quantitativi*).
    pub objective: String,
}

impl From<rows::Ambito> for Ambito {
    fn from(r: rows::Ambito) -> Self {
        Ambito {
            db_id: r.id,
            area_id: r.area_id,
            position: r.position,
            name: r.name,
            objective: r.objective,
        }
    }
}

#[ComplexObject]
impl Ambito {
    /// The ambito's global id.
    async fn id(&self) -> ID {
        ids::encode("Ambito", self.db_id)
    }

    /// The area the ambito belongs to.
    async fn area(&self, ctx: &Context<'_>) -> ApiResult<Area> {
        one(ctx, AreaById(self.area_id)).await
    }

    /// The ambito's yearly results, in the order of the table's columns.
    async fn results(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many items (after `after`).")] first: Option<i32>,
        #[graphql(desc = "Only the items after this one (its id), in this list's order.")]
        after: Option<ID>,
    ) -> ApiResult<Arc<[AmbitoResult]>> {
        many_after(ctx, ResultsOfAmbito(self.db_id), first, after).await
    }
}

/// A planned or achieved result of an ambito for a year.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct AmbitoResult {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub ambito_id: i32,
    #[graphql(skip)]
    kind_db: String,
    /// The year of the result.
    pub year: i32,
    /// Narrative text as published (may contain HTML).
    pub text: String,
}

impl From<rows::AmbitoResult> for AmbitoResult {
    fn from(r: rows::AmbitoResult) -> Self {
        AmbitoResult {
            db_id: r.id,
            ambito_id: r.ambito_id,
            kind_db: r.kind,
            year: r.year,
            text: r.text,
        }
    }
}

#[ComplexObject]
impl AmbitoResult {
    /// The result's global id.
    async fn id(&self) -> ID {
        ids::encode("AmbitoResult", self.db_id)
    }

    /// Whether the result was planned or achieved.
    async fn kind(&self) -> ApiResult<ResultKind> {
        ResultKind::from_db(&self.kind_db)
    }

    /// The ambito the result belongs to.
    async fn ambito(&self, ctx: &Context<'_>) -> ApiResult<Ambito> {
        one(ctx, AmbitoById(self.ambito_id)).await
    }
}

// ---- findings -------------------------------------------------------------

/// A content problem found when a plan was imported (e.g. phase weights
/// not summing to 100); it travels with the plan.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Finding {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub plan_id: i32,
    /// Stable machine-readable code, e.g. `phase_weights_not_100`.
    pub code: String,
    /// Kind of object concerned: `objective`, `indicator`, `phase`,
    /// `target`, `ambito` or `plan`.
    pub entity: String,
    /// Path of the object in the plan: `A.1`, `A.1/1`, `A.1.3`.
    pub entity_code: String,
    /// What is wrong, in a sentence.
    pub message: String,
    /// 1-based line in the source document, when known.
    pub line: Option<i32>,
    /// How serious the finding is (`warning`).
    pub severity: String,
}

/// Where an imported object was written in its source document: a file
/// and a line (text, CSV) or a sheet and a cell (XLSX, ODS). Known for
/// documents imported through a mapping.
#[derive(Debug, Clone, SimpleObject)]
pub struct SourceLocation {
    /// The source file as the importer named it.
    pub file: String,
    /// 1-based line (text and CSV; a CSV record's first line).
    pub line: Option<i32>,
    /// Sheet name (workbooks).
    pub sheet: Option<String>,
    /// Cell reference such as `B7` (workbooks).
    pub cell: Option<String>,
}

impl From<rows::SourceLocation> for SourceLocation {
    fn from(r: rows::SourceLocation) -> Self {
        SourceLocation {
            file: r.file,
            line: r.line,
            sheet: r.sheet,
            cell: r.cell,
        }
    }
}

/// The first recorded source of an object.
async fn source_of(
    ctx: &Context<'_>,
    plan_id: i32,
    entity: &str,
    code: String,
) -> ApiResult<Option<SourceLocation>> {
    let found: Arc<[SourceLocation]> =
        many(ctx, SourcesAbout(plan_id, entity.to_string(), code)).await?;
    Ok(found.first().cloned())
}

impl From<rows::Finding> for Finding {
    fn from(r: rows::Finding) -> Self {
        Finding {
            db_id: r.id,
            plan_id: r.plan_id,
            code: r.code,
            entity: r.entity,
            entity_code: r.entity_code,
            message: r.message,
            line: r.line,
            severity: r.severity,
        }
    }
}

#[ComplexObject]
impl Finding {
    /// The finding's global id.
    async fn id(&self) -> ID {
        ids::encode("Finding", self.db_id)
    }

    /// The plan the finding belongs to.
    async fn plan(&self, ctx: &Context<'_>) -> ApiResult<Plan> {
        one(ctx, PlanById(self.plan_id)).await
    }
}
