//! The query root: every kind of object by key, as filtered and paged
//! lists, and by global id (`node`, `nodes`).

use std::sync::Arc;

use async_graphql::{Context, Object, ID};
use cruscotto_store::graph::{
    BudgetFilter, IndicatorFilter, IndicatorSort, PlanFilter, PlanPartFilter, SortValue,
};

use super::ids;
use super::loaders::*;
use super::page::{paginate, PageArgs};
use super::prefetch::{root_one, Prepared, Sel};
use super::types::*;
use crate::errors::{ApiError, ApiResult};

/// Entry points for reading the graph.
#[derive(Debug, Default)]
pub struct QueryRoot;

fn text(s: &str) -> SortValue {
    SortValue::Text(s.to_string())
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// Runs a root list: validates the page, reads it off the executor with
/// the relations its selection asks for (see [`prefetch`](super::prefetch)),
/// and builds the connection.
macro_rules! root_list {
    ($ctx:expr, $page:expr, $tag:expr, $conn:ident, $node:ident, $count:expr, |$g:ident, $req:ident| $fetch:expr, |$row:ident| $key:expr) => {{
        let state = state($ctx)?;
        let window = $page.window(&state.settings, $tag)?;
        let $req = window.request.clone();
        let ahead = Prepared::<$node>::new($ctx, Sel::connection($ctx));
        let (edges, info) = state
            .blocking(move |db| {
                let $g = db.graph();
                let rows = $fetch?;
                let (edges, info) = paginate(&window, rows, |$row| $key, $node::from);
                if let Some(ahead) = ahead {
                    ahead.run(edges.iter().map(|e| &e.1), db)?;
                }
                Ok((edges, info))
            })
            .await?;
        Ok($conn::new(edges, info, $count))
    }};
}

/// Resolves a global id to its object, or `None`.
pub(crate) async fn node(ctx: &Context<'_>, id: &ID) -> ApiResult<Option<Node>> {
    let Some((kind, n)) = ids::decode(id) else {
        return Err(ApiError::bad_input(
            "id",
            format!("{:?} is not an object id", id.as_str()),
        ));
    };
    Ok(match kind.as_str() {
        "Plan" => maybe(ctx, PlanById(n)).await?.map(Node::Plan),
        "Mission" => maybe(ctx, MissionById(n)).await?.map(Node::Mission),
        "Program" => maybe(ctx, ProgramById(n)).await?.map(Node::Program),
        "Action" => maybe(ctx, ActionById(n)).await?.map(Node::Action),
        "ResponsibilityCentre" => maybe(ctx, CentreById(n))
            .await?
            .map(Node::ResponsibilityCentre),
        "Office" => maybe(ctx, OfficeById(n)).await?.map(Node::Office),
        "StrategicObjective" => maybe(ctx, StrategicById(n))
            .await?
            .map(Node::StrategicObjective),
        "AnnualObjective" => maybe(ctx, AnnualById(n)).await?.map(Node::AnnualObjective),
        "Objective" => maybe(ctx, ObjectiveById(n)).await?.map(Node::Objective),
        "Indicator" => maybe(ctx, IndicatorById(n)).await?.map(Node::Indicator),
        "Target" => maybe(ctx, TargetById(n)).await?.map(Node::Target),
        "Phase" => maybe(ctx, PhaseById(n)).await?.map(Node::Phase),
        "Measurement" => maybe(ctx, MeasurementById(n)).await?.map(Node::Measurement),
        "Area" => maybe(ctx, AreaById(n)).await?.map(Node::Area),
        "Ambito" => maybe(ctx, AmbitoById(n)).await?.map(Node::Ambito),
        "AmbitoResult" => maybe(ctx, ResultById(n)).await?.map(Node::AmbitoResult),
        "Finding" => maybe(ctx, FindingById(n)).await?.map(Node::Finding),
        _ => None,
    })
}

// Merged into `graph::Query`, which clients see as `QueryRoot`; this part needs
// a name of its own, though it never appears in the schema.
#[Object(name = "GraphQueryPart")]
impl QueryRoot {
    /// The object with this global id, of any type; null when there is
    /// none.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id.")] id: ID,
    ) -> ApiResult<Option<Node>> {
        node(ctx, &id).await
    }

    /// The objects with these global ids, in the same order; null where
    /// there is none.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids.")] ids: Vec<ID>,
    ) -> ApiResult<Vec<Option<Node>>> {
        let futures = ids.iter().map(|id| node(ctx, id));
        futures_util::future::try_join_all(futures).await
    }

    /// The plan with this code.
    async fn plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The plan's code.")] code: String,
    ) -> ApiResult<Option<Plan>> {
        root_one(ctx, PlanByCode(code)).await
    }

    /// Plans, sorted by code.
    #[allow(clippy::too_many_arguments)]
    async fn plans(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only plans covering this year.")] year: Option<i32>,
        #[graphql(desc = "Only plans of this shape.")] kind: Option<PlanKind>,
        #[graphql(desc = "Case-insensitive text in code, title or administration.")] search: Option<
            String,
        >,
        #[graphql(desc = "Items after the cursor `after`, at most this many.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue after.")] after: Option<String>,
        #[graphql(desc = "Items before the cursor `before`, at most this many, from the end.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue before.")] before: Option<String>,
    ) -> ApiResult<PlanConnection> {
        let filter = PlanFilter {
            year,
            kind: kind.map(Into::into),
            search: nonempty(search),
        };
        let f = filter.clone();
        root_list!(
            ctx,
            PageArgs {
                first,
                after,
                last,
                before
            },
            "plan.code",
            PlanConnection,
            Plan,
            CountQuery::Plans(filter),
            |g, req| g.plans_page(&f, &req),
            |r| (text(&r.code), r.id)
        )
    }

    /// The mission with this code, e.g. `26`.
    async fn mission(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mission's code.")] code: String,
    ) -> ApiResult<Option<Mission>> {
        root_one(ctx, MissionByCode(code)).await
    }

    /// Missions of the state budget, in budget order: by code read as
    /// numbers segment by segment (1, 2, 10).
    async fn missions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Case-insensitive text in code or name.")] search: Option<String>,
        #[graphql(desc = "Items after the cursor `after`, at most this many.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue after.")] after: Option<String>,
        #[graphql(desc = "Items before the cursor `before`, at most this many, from the end.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue before.")] before: Option<String>,
    ) -> ApiResult<MissionConnection> {
        let filter = BudgetFilter {
            search: nonempty(search),
            ..Default::default()
        };
        let f = filter.clone();
        root_list!(
            ctx,
            PageArgs {
                first,
                after,
                last,
                before
            },
            "mission.budget",
            MissionConnection,
            Mission,
            CountQuery::Missions(filter),
            |g, req| g.missions_page(&f, &req),
            |r| (text(&r.sort_key), r.id)
        )
    }

    /// The program with this code, e.g. `26.7`.
    async fn program(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The program's code.")] code: String,
    ) -> ApiResult<Option<Program>> {
        root_one(ctx, ProgramByCode(code)).await
    }

    /// Programs of the state budget, in budget order: by code read as
    /// numbers segment by segment (1.1, 1.2, 1.10).
    #[allow(clippy::too_many_arguments)]
    async fn programs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only programs of this mission (its code).")] mission: Option<String>,
        #[graphql(desc = "Case-insensitive text in code or name.")] search: Option<String>,
        #[graphql(desc = "Items after the cursor `after`, at most this many.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue after.")] after: Option<String>,
        #[graphql(desc = "Items before the cursor `before`, at most this many, from the end.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue before.")] before: Option<String>,
    ) -> ApiResult<ProgramConnection> {
        let filter = BudgetFilter {
            mission_code: mission,
            program_code: None,
            search: nonempty(search),
        };
        let f = filter.clone();
        root_list!(
            ctx,
            PageArgs {
                first,
                after,
                last,
                before
            },
            "program.budget",
            ProgramConnection,
            Program,
            CountQuery::Programs(filter),
            |g, req| g.programs_page(&f, &req),
            |r| (text(&r.sort_key), r.id)
        )
    }

    /// The action with this global id.
    async fn action(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The action's global id.")] id: ID,
    ) -> ApiResult<Option<Action>> {
        root_one(ctx, ActionById(ids::expect(&id, "Action", "id")?)).await
    }

    /// Actions of the state budget, sorted by name.
    #[allow(clippy::too_many_arguments)]
    async fn actions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only actions of this mission (its code).")] mission: Option<String>,
        #[graphql(desc = "Only actions of this program (its code).")] program: Option<String>,
        #[graphql(desc = "Case-insensitive text in the name.")] search: Option<String>,
        #[graphql(desc = "Items after the cursor `after`, at most this many.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue after.")] after: Option<String>,
        #[graphql(desc = "Items before the cursor `before`, at most this many, from the end.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue before.")] before: Option<String>,
    ) -> ApiResult<ActionConnection> {
        let filter = BudgetFilter {
            mission_code: mission,
            program_code: program,
            search: nonempty(search),
        };
        let f = filter.clone();
        root_list!(
            ctx,
            PageArgs {
                first,
                after,
                last,
                before
            },
            "action.name",
            ActionConnection,
            Action,
            CountQuery::Actions(filter),
            |g, req| g.actions_page(&f, &req),
            |r| (text(&r.name), r.id)
        )
    }

    /// The responsibility centre with this global id.
    async fn responsibility_centre(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The centre's global id.")] id: ID,
    ) -> ApiResult<Option<ResponsibilityCentre>> {
        maybe(
            ctx,
            CentreById(ids::expect(&id, "ResponsibilityCentre", "id")?),
        )
        .await
    }

    /// Responsibility centres (CDR), sorted by name.
    #[allow(clippy::too_many_arguments)]
    async fn responsibility_centres(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only centres of this plan (its code).")] plan: Option<String>,
        #[graphql(desc = "Only centres of plans covering this year.")] year: Option<i32>,
        #[graphql(desc = "Case-insensitive text in the name or the head's name.")] search: Option<
            String,
        >,
        #[graphql(desc = "Items after the cursor `after`, at most this many.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue after.")] after: Option<String>,
        #[graphql(desc = "Items before the cursor `before`, at most this many, from the end.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue before.")] before: Option<String>,
    ) -> ApiResult<ResponsibilityCentreConnection> {
        let filter = PlanPartFilter {
            plan_code: plan,
            year,
            search: nonempty(search),
        };
        let f = filter.clone();
        root_list!(
            ctx,
            PageArgs {
                first,
                after,
                last,
                before
            },
            "centre.name",
            ResponsibilityCentreConnection,
            ResponsibilityCentre,
            CountQuery::Centres(filter),
            |g, req| g.responsibility_centres_page(&f, &req),
            |r| (text(&r.name), r.id)
        )
    }

    /// The strategic objective with this code in this plan.
    async fn strategic_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The plan's code.")] plan: String,
        #[graphql(desc = "The strategic objective's code, e.g. `4`.")] code: String,
    ) -> ApiResult<Option<StrategicObjective>> {
        let Some(p) = maybe(ctx, PlanByCode(plan)).await? else {
            return Ok(None);
        };
        let all: Arc<[StrategicObjective]> = many(ctx, StrategicOfPlan(p.db_id)).await?;
        Ok(all.iter().find(|s| s.code == code).cloned())
    }

    /// Strategic objectives, sorted by code.
    #[allow(clippy::too_many_arguments)]
    async fn strategic_objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only those of this plan (its code).")] plan: Option<String>,
        #[graphql(desc = "Only those of plans covering this year.")] year: Option<i32>,
        #[graphql(desc = "Case-insensitive text in code or title.")] search: Option<String>,
        #[graphql(desc = "Items after the cursor `after`, at most this many.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue after.")] after: Option<String>,
        #[graphql(desc = "Items before the cursor `before`, at most this many, from the end.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue before.")] before: Option<String>,
    ) -> ApiResult<StrategicObjectiveConnection> {
        let filter = PlanPartFilter {
            plan_code: plan,
            year,
            search: nonempty(search),
        };
        let f = filter.clone();
        root_list!(
            ctx,
            PageArgs {
                first,
                after,
                last,
                before
            },
            "strategic.code",
            StrategicObjectiveConnection,
            StrategicObjective,
            CountQuery::Strategic(filter),
            |g, req| g.strategic_objectives_page(&f, &req),
            |r| (text(&r.code), r.id)
        )
    }

    /// The annual objective with this code in this plan.
    async fn annual_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The plan's code.")] plan: String,
        #[graphql(desc = "The annual objective's code, e.g. `4.1`.")] code: String,
    ) -> ApiResult<Option<AnnualObjective>> {
        let Some(p) = maybe(ctx, PlanByCode(plan)).await? else {
            return Ok(None);
        };
        let all: Arc<[AnnualObjective]> = many(ctx, AnnualOfPlan(p.db_id)).await?;
        Ok(all.iter().find(|s| s.code == code).cloned())
    }

    /// Annual objectives, sorted by code.
    #[allow(clippy::too_many_arguments)]
    async fn annual_objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only those of this plan (its code).")] plan: Option<String>,
        #[graphql(desc = "Only those of plans covering this year.")] year: Option<i32>,
        #[graphql(desc = "Case-insensitive text in code or title.")] search: Option<String>,
        #[graphql(desc = "Items after the cursor `after`, at most this many.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue after.")] after: Option<String>,
        #[graphql(desc = "Items before the cursor `before`, at most this many, from the end.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue before.")] before: Option<String>,
    ) -> ApiResult<AnnualObjectiveConnection> {
        let filter = PlanPartFilter {
            plan_code: plan,
            year,
            search: nonempty(search),
        };
        let f = filter.clone();
        root_list!(
            ctx,
            PageArgs {
                first,
                after,
                last,
                before
            },
            "annual.code",
            AnnualObjectiveConnection,
            AnnualObjective,
            CountQuery::Annual(filter),
            |g, req| g.annual_objectives_page(&f, &req),
            |r| (text(&r.code), r.id)
        )
    }

    /// The objective with this code in this plan.
    async fn objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The plan's code.")] plan: String,
        #[graphql(desc = "The objective's code, e.g. `A.1`.")] code: String,
    ) -> ApiResult<Option<Objective>> {
        root_one(ctx, ObjectiveByCode(plan, code)).await
    }

    /// Individual annual objectives of all plans, filtered and paged.
    #[allow(clippy::too_many_arguments)]
    async fn objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only objectives of this plan (its code).")] plan: Option<String>,
        #[graphql(desc = "Only objectives of this year.")] year: Option<i32>,
        #[graphql(desc = "Only objectives of this responsibility centre (its id).")]
        responsibility_centre: Option<ID>,
        #[graphql(desc = "Only objectives financed by this mission (its code, e.g. `26`).")]
        mission: Option<String>,
        #[graphql(desc = "Only objectives financed by this program (its code, e.g. `26.7`).")]
        program: Option<String>,
        #[graphql(desc = "Only objectives financed by this action (its id).")] action: Option<ID>,
        #[graphql(desc = "Only objectives linked to this strategic objective (its id).")]
        strategic_objective: Option<ID>,
        #[graphql(desc = "Only objectives linked to this annual objective (its id).")]
        annual_objective: Option<ID>,
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
            plan,
            year,
            responsibility_centre,
            mission,
            program,
            action,
            strategic_objective,
            annual_objective,
            search,
        }
        .filter()?;
        let f = filter.clone();
        let sort = order_by.sort();
        root_list!(
            ctx,
            PageArgs {
                first,
                after,
                last,
                before
            },
            order_by.tag(),
            ObjectiveConnection,
            Objective,
            CountQuery::Objectives(filter),
            |g, req| g.objectives_page(&f, sort, &req),
            |r| order_by.key(r)
        )
    }

    /// The indicator with this code, in this objective of this plan.
    async fn indicator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The plan's code.")] plan: String,
        #[graphql(desc = "The objective's code.")] objective: String,
        #[graphql(desc = "The indicator's code within the objective.")] code: String,
    ) -> ApiResult<Option<Indicator>> {
        root_one(ctx, IndicatorByCode(plan, objective, code)).await
    }

    /// Indicators of all plans, filtered and paged.
    #[allow(clippy::too_many_arguments)]
    async fn indicators(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only indicators of this plan (its code).")] plan: Option<String>,
        #[graphql(desc = "Only indicators of objectives of this year.")] year: Option<i32>,
        #[graphql(desc = "Only indicators of this objective (its id).")] objective: Option<ID>,
        #[graphql(desc = "Only indicators of this responsibility centre (its id).")]
        responsibility_centre: Option<ID>,
        #[graphql(desc = "Only indicators of objectives financed by this mission (its code).")]
        mission: Option<String>,
        #[graphql(desc = "Only indicators of objectives financed by this program (its code).")]
        program: Option<String>,
        #[graphql(desc = "Only indicators in this unit.")] unit: Option<Unit>,
        #[graphql(
            desc = "Only indicators of this type (*Tipo*, e.g. `Efficienza`; case-insensitive)."
        )]
        kind: Option<String>,
        #[graphql(desc = "Only indicators with this direction.")] direction: Option<Direction>,
        #[graphql(desc = "Case-insensitive text in code, description or method.")] search: Option<
            String,
        >,
        #[graphql(desc = "Sort order (default: order within each objective).", default)]
        order_by: IndicatorOrder,
        #[graphql(desc = "Items after the cursor `after`, at most this many.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue after.")] after: Option<String>,
        #[graphql(desc = "Items before the cursor `before`, at most this many, from the end.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue before.")] before: Option<String>,
    ) -> ApiResult<IndicatorConnection> {
        let objective_filter = ObjectiveArgs {
            plan,
            year,
            responsibility_centre,
            mission,
            program,
            ..Default::default()
        }
        .filter()?;
        let filter = IndicatorFilter {
            objective: objective_filter,
            objective_ids: objective
                .map(|id| ids::expect(&id, "Objective", "objective").map(|i| vec![i]))
                .transpose()?,
            unit: unit.map(Into::into),
            kind: nonempty(kind),
            direction: direction.map(Into::into),
            search: nonempty(search),
        };
        let f = filter.clone();
        let (sort, tag) = match order_by {
            IndicatorOrder::Position => (IndicatorSort::Position, "indicator.position"),
            IndicatorOrder::Code => (IndicatorSort::Code, "indicator.code"),
        };
        root_list!(
            ctx,
            PageArgs {
                first,
                after,
                last,
                before
            },
            tag,
            IndicatorConnection,
            Indicator,
            CountQuery::Indicators(filter),
            |g, req| g.indicators_page(&f, sort, &req),
            |r| match order_by {
                IndicatorOrder::Position => (SortValue::Int(i64::from(r.position)), r.id),
                IndicatorOrder::Code => (text(&r.code), r.id),
            }
        )
    }

    /// The area with this global id.
    async fn area(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The area's global id.")] id: ID,
    ) -> ApiResult<Option<Area>> {
        root_one(ctx, AreaById(ids::expect(&id, "Area", "id")?)).await
    }

    /// Areas of multi-year plans, in document order.
    #[allow(clippy::too_many_arguments)]
    async fn areas(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only areas of this plan (its code).")] plan: Option<String>,
        #[graphql(desc = "Only areas of plans covering this year.")] year: Option<i32>,
        #[graphql(desc = "Case-insensitive text in name, subtitle or introduction.")]
        search: Option<String>,
        #[graphql(desc = "Items after the cursor `after`, at most this many.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue after.")] after: Option<String>,
        #[graphql(desc = "Items before the cursor `before`, at most this many, from the end.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue before.")] before: Option<String>,
    ) -> ApiResult<AreaConnection> {
        let filter = PlanPartFilter {
            plan_code: plan,
            year,
            search: nonempty(search),
        };
        let f = filter.clone();
        root_list!(
            ctx,
            PageArgs {
                first,
                after,
                last,
                before
            },
            "area.position",
            AreaConnection,
            Area,
            CountQuery::Areas(filter),
            |g, req| g.areas_page(&f, &req),
            |r| (SortValue::Int(i64::from(r.position)), r.id)
        )
    }

    /// The ambito with this global id.
    async fn ambito(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ambito's global id.")] id: ID,
    ) -> ApiResult<Option<Ambito>> {
        root_one(ctx, AmbitoById(ids::expect(&id, "Ambito", "id")?)).await
    }

    /// Ambiti of multi-year plans, sorted by name.
    #[allow(clippy::too_many_arguments)]
    async fn ambiti(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only ambiti of this plan (its code).")] plan: Option<String>,
        #[graphql(desc = "Only ambiti of plans covering this year.")] year: Option<i32>,
        #[graphql(desc = "Case-insensitive text in name or objective.")] search: Option<String>,
        #[graphql(desc = "Items after the cursor `after`, at most this many.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue after.")] after: Option<String>,
        #[graphql(desc = "Items before the cursor `before`, at most this many, from the end.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the item to continue before.")] before: Option<String>,
    ) -> ApiResult<AmbitoConnection> {
        let filter = PlanPartFilter {
            plan_code: plan,
            year,
            search: nonempty(search),
        };
        let f = filter.clone();
        root_list!(
            ctx,
            PageArgs {
                first,
                after,
                last,
                before
            },
            "ambito.name",
            AmbitoConnection,
            Ambito,
            CountQuery::Ambiti(filter),
            |g, req| g.ambiti_page(&f, &req),
            |r| (text(&r.name), r.id)
        )
    }
}
