//! The mutation root: create, update and delete every kind of object,
//! record measured values and import documents. Every mutation checks the
//! caller's role first, validates its input (errors name the input field),
//! writes in one transaction, and publishes indicator events only after the
//! commit.
//!
//! Optimistic concurrency: plans, objectives and indicators carry a
//! `version`; their updates take `expectedVersion`. Phases are versioned
//! through their objective and targets through their indicator: their
//! writes take the parent's `expectedVersion` and increment it, so an edit
//! made from a stale view of an objective or indicator is refused whole.

use std::sync::Arc;

use async_graphql::{Context, InputObject, MaybeUndefined, Object, SimpleObject, ID};
use cruscotto_store::graph::{
    IndicatorChanges, MeasurementInput, ObjectiveChanges, ObjectiveLinks, PhaseChanges,
    PlanChanges, TargetChanges, WriteError,
};
use cruscotto_store::rows;
use rust_decimal::prelude::ToPrimitive;

use super::ids;
use super::scalars::{Date, Decimal};
use super::types::*;
use crate::auth::{self, Role};
use crate::errors::{ApiError, ApiResult, Code};

/// Entry points for changing the graph. All need an editor's token
/// (imports: an administrator's).
#[derive(Debug, Default)]
pub struct MutationRoot;

impl From<WriteError> for ApiError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::NotFound { entity, key } => ApiError::new(Code::NotFound, format!("{entity} {key} not found")),
            WriteError::VersionConflict {
                entity,
                expected,
                actual,
                ..
            } => ApiError::new(
                Code::Conflict,
                format!(
                    "the {entity} was changed by someone else: it has version {actual}, not {expected}; reload it and retry"
                ),
            ),
            WriteError::Conflict(message) => ApiError::new(Code::Conflict, message),
            WriteError::Invalid { field: Some(f), message } => ApiError::bad_input(format!("input.{f}"), message),
            WriteError::Invalid { field: None, message } => ApiError::new(Code::BadUserInput, message),
            WriteError::Store(e) => ApiError::from(e),
        }
    }
}

/// The result of a deletion.
#[derive(Debug, Clone, SimpleObject)]
pub struct DeletePayload {
    /// Global id of the deleted object.
    pub deleted_id: ID,
}

fn deleted(kind: &str, id: i32) -> DeletePayload {
    DeletePayload {
        deleted_id: ids::encode(kind, id),
    }
}

// ---- validation -----------------------------------------------------------

fn required(field: &str, value: &str) -> ApiResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::bad_input(
            field,
            format!("{field} must not be empty"),
        ));
    }
    Ok(v.to_string())
}

fn optional_required(field: &str, value: &Option<String>) -> ApiResult<Option<String>> {
    value.as_deref().map(|v| required(field, v)).transpose()
}

fn year(field: &str, y: i32) -> ApiResult<i32> {
    if !(1900..=2200).contains(&y) {
        return Err(ApiError::bad_input(
            field,
            format!("{field} must be a year between 1900 and 2200"),
        ));
    }
    Ok(y)
}

fn dates(start: Option<Date>, end: Option<Date>) -> ApiResult<()> {
    if let (Some(s), Some(e)) = (start, end) {
        if e.0 < s.0 {
            return Err(ApiError::bad_input(
                "input.endDate",
                "the end date comes before the start date",
            ));
        }
    }
    Ok(())
}

/// A phase weight in hundredths of a percent, refusing what the column
/// cannot hold exactly.
fn weight_bp(w: Decimal) -> ApiResult<i32> {
    let bp = w.0 * rust_decimal::Decimal::from(100);
    if !bp.fract().is_zero()
        || bp < rust_decimal::Decimal::ZERO
        || bp > rust_decimal::Decimal::from(10_000)
    {
        return Err(ApiError::bad_input(
            "input.weight",
            "the weight must be between 0 and 100 percent, with at most two decimals",
        ));
    }
    bp.to_i32()
        .ok_or_else(|| ApiError::bad_input("input.weight", "the weight is out of range"))
}

fn max_score(s: &MaxScoreInput) -> ApiResult<(i32, i32)> {
    if s.out_of <= 0 || s.points < 0 || s.points > s.out_of {
        return Err(ApiError::bad_input(
            "input.maxScore",
            "the maximum score must be 0 to outOf points, with outOf above 0",
        ));
    }
    Ok((s.points, s.out_of))
}

fn id_list(field: &str, kind: &str, list: &Option<Vec<ID>>) -> ApiResult<Option<Vec<i32>>> {
    list.as_ref()
        .map(|l| l.iter().map(|id| ids::expect(id, kind, field)).collect())
        .transpose()
}

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_string())
}

/// The columns a published target or baseline text is stored in.
type MeasureCols = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn measure_cols(field: &str, raw: &str) -> ApiResult<MeasureCols> {
    let raw = required(field, raw)?;
    let m = cruscotto_import::measure::parse_measure(&raw);
    Ok((
        m.raw,
        m.comparator.map(|c| c.as_str().to_string()),
        m.number.map(|n| n.to_string()),
        m.unit.map(|u| u.as_str().to_string()),
        m.note,
    ))
}

fn maybe_str(v: &MaybeUndefined<String>) -> Option<Option<&str>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(s) => Some(Some(s.as_str())),
    }
}

fn maybe_date(v: &MaybeUndefined<Date>) -> Option<Option<chrono::NaiveDate>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(d) => Some(Some(d.0)),
    }
}

// ---- inputs ---------------------------------------------------------------

/// A new plan.
#[derive(Debug, InputObject)]
pub struct CreatePlanInput {
    /// Unique code of the plan.
    pub code: String,
    /// Shape of the plan.
    pub kind: PlanKind,
    /// The publishing administration.
    pub administration: Option<String>,
    /// Title of the plan.
    pub title: String,
    /// First year covered.
    pub first_year: i32,
    /// Last year covered (not before the first).
    pub last_year: i32,
    /// Free notes.
    #[graphql(default)]
    pub notes: Vec<String>,
}

/// Changes to a plan; omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdatePlanInput {
    /// New code.
    pub code: Option<String>,
    /// New administration (null clears it).
    pub administration: MaybeUndefined<String>,
    /// New title.
    pub title: Option<String>,
    /// New first year.
    pub first_year: Option<i32>,
    /// New last year.
    pub last_year: Option<i32>,
    /// New notes (replacing the old ones).
    pub notes: Option<Vec<String>>,
}

/// A new mission.
#[derive(Debug, InputObject)]
pub struct CreateMissionInput {
    /// Unique code, e.g. `26`.
    pub code: String,
    /// Name of the mission.
    pub name: String,
}

/// Changes to a mission; omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateMissionInput {
    /// New code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<String>,
}

/// A new program.
#[derive(Debug, InputObject)]
pub struct CreateProgramInput {
    /// The mission (its id).
    pub mission: ID,
    /// Unique code, e.g. `26.7`.
    pub code: String,
    /// Name of the program.
    pub name: String,
}

/// Changes to a program; omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateProgramInput {
    /// New mission (its id).
    pub mission: Option<ID>,
    /// New code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<String>,
}

/// A new action.
#[derive(Debug, InputObject)]
pub struct CreateActionInput {
    /// The program (its id).
    pub program: ID,
    /// Name, unique within the program.
    pub name: String,
}

/// Changes to an action; omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateActionInput {
    /// New program (its id).
    pub program: Option<ID>,
    /// New name.
    pub name: Option<String>,
}

/// A new responsibility centre.
#[derive(Debug, InputObject)]
pub struct CreateResponsibilityCentreInput {
    /// The plan (its id).
    pub plan: ID,
    /// Name, unique within the plan.
    pub name: String,
    /// The head of the centre.
    pub head: Option<String>,
}

/// Changes to a responsibility centre; omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateResponsibilityCentreInput {
    /// New name.
    pub name: Option<String>,
    /// New head (null clears it).
    pub head: MaybeUndefined<String>,
}

/// A new office.
#[derive(Debug, InputObject)]
pub struct CreateOfficeInput {
    /// The responsibility centre (its id).
    pub responsibility_centre: ID,
    /// Name, unique within the centre.
    pub name: String,
}

/// Changes to an office.
#[derive(Debug, InputObject)]
pub struct UpdateOfficeInput {
    /// New name.
    pub name: String,
}

/// A new strategic or annual objective.
#[derive(Debug, InputObject)]
pub struct CreateStrategicObjectiveInput {
    /// The plan (its id).
    pub plan: ID,
    /// Code, unique within the plan, e.g. `4`.
    pub code: String,
    /// Title.
    pub title: String,
}

/// Changes to a strategic objective; omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateStrategicObjectiveInput {
    /// New code.
    pub code: Option<String>,
    /// New title.
    pub title: Option<String>,
}

/// A new annual objective.
#[derive(Debug, InputObject)]
pub struct CreateAnnualObjectiveInput {
    /// The plan (its id).
    pub plan: ID,
    /// The strategic objective it serves (its id), of the same plan.
    pub strategic_objective: Option<ID>,
    /// Code, unique within the plan, e.g. `4.1`.
    pub code: String,
    /// Title.
    pub title: String,
}

/// Changes to an annual objective; omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateAnnualObjectiveInput {
    /// New strategic objective (its id; null unlinks it).
    pub strategic_objective: MaybeUndefined<ID>,
    /// New code.
    pub code: Option<String>,
    /// New title.
    pub title: Option<String>,
}

/// `points` of `outOf`, e.g. 50 of 70.
#[derive(Debug, InputObject)]
pub struct MaxScoreInput {
    /// Points the objective is worth at most (0 to `outOf`).
    pub points: i32,
    /// Points of the head's whole evaluation (above 0).
    pub out_of: i32,
}

/// A new individual annual objective with its links.
#[derive(Debug, InputObject)]
pub struct CreateObjectiveInput {
    /// The plan (its id).
    pub plan: ID,
    /// The owning responsibility centre (its id), of the same plan.
    pub responsibility_centre: ID,
    /// Code, unique within the plan, e.g. `A.1`.
    pub code: String,
    /// The year of the objective.
    pub year: i32,
    /// Title.
    pub title: String,
    /// Description (rich text).
    #[graphql(default)]
    pub description: String,
    /// Other internal offices involved, as text.
    #[graphql(default)]
    pub other_offices: String,
    /// External bodies involved, as text.
    #[graphql(default)]
    pub external_bodies: String,
    /// Start date.
    pub start_date: Option<Date>,
    /// End date (not before the start date).
    pub end_date: Option<Date>,
    /// Weight in the head's evaluation.
    pub max_score: Option<MaxScoreInput>,
    /// Offices doing the work (ids, of the objective's centre), in order.
    pub offices: Option<Vec<ID>>,
    /// Strategic objectives served (ids), in order.
    pub strategic_objectives: Option<Vec<ID>>,
    /// Annual objectives served (ids), in order.
    pub annual_objectives: Option<Vec<ID>>,
    /// Budget actions financing it (ids), in order.
    pub actions: Option<Vec<ID>>,
}

/// Changes to an objective; omitted fields stay as they are, given lists
/// replace the links.
#[derive(Debug, InputObject)]
pub struct UpdateObjectiveInput {
    /// New owning responsibility centre (its id).
    pub responsibility_centre: Option<ID>,
    /// New code.
    pub code: Option<String>,
    /// New year.
    pub year: Option<i32>,
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New other offices text.
    pub other_offices: Option<String>,
    /// New external bodies text.
    pub external_bodies: Option<String>,
    /// New start date (null clears it).
    pub start_date: MaybeUndefined<Date>,
    /// New end date (null clears it).
    pub end_date: MaybeUndefined<Date>,
    /// New maximum score (null clears it).
    pub max_score: MaybeUndefined<MaxScoreInput>,
    /// New amended fields.
    pub amended_fields: Option<Vec<String>>,
    /// New offices (ids).
    pub offices: Option<Vec<ID>>,
    /// New strategic objectives (ids).
    pub strategic_objectives: Option<Vec<ID>>,
    /// New annual objectives (ids).
    pub annual_objectives: Option<Vec<ID>>,
    /// New budget actions (ids).
    pub actions: Option<Vec<ID>>,
}

/// A new indicator.
#[derive(Debug, InputObject)]
pub struct CreateIndicatorInput {
    /// The objective (its id).
    pub objective: ID,
    /// Code, unique within the objective.
    pub code: String,
    /// What it measures.
    pub description: String,
    /// The method of calculation.
    #[graphql(default)]
    pub method: String,
    /// The type (*Tipo*).
    #[graphql(default)]
    pub kind: String,
    /// Unit of the values.
    pub unit: Unit,
    /// Whether higher or lower is better.
    pub direction: Direction,
    /// The baseline as published, e.g. `78%`.
    pub baseline: Option<String>,
}

/// Changes to an indicator; omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateIndicatorInput {
    /// New code.
    pub code: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New method.
    pub method: Option<String>,
    /// New type.
    pub kind: Option<String>,
    /// New unit.
    pub unit: Option<Unit>,
    /// New direction.
    pub direction: Option<Direction>,
    /// New baseline text (null clears it).
    pub baseline: MaybeUndefined<String>,
    /// New amended fields.
    pub amended_fields: Option<Vec<String>>,
}

/// A new yearly target.
#[derive(Debug, InputObject)]
pub struct CreateTargetInput {
    /// The indicator (its id).
    pub indicator: ID,
    /// The year, unique per indicator.
    pub year: i32,
    /// The target as published, e.g. `<=10` or `100%`.
    pub value: String,
    /// Whether a revision amended it.
    #[graphql(default)]
    pub amended: bool,
}

/// Changes to a target; omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateTargetInput {
    /// New year.
    pub year: Option<i32>,
    /// New target text.
    pub value: Option<String>,
    /// New amended flag.
    pub amended: Option<bool>,
}

/// A new phase.
#[derive(Debug, InputObject)]
pub struct CreatePhaseInput {
    /// The objective (its id).
    pub objective: ID,
    /// Code, unique within the objective, e.g. `A.1.3`.
    pub code: String,
    /// What the phase does.
    pub description: String,
    /// Start date.
    pub start_date: Option<Date>,
    /// End date (not before the start date).
    pub end_date: Option<Date>,
    /// Expected result.
    #[graphql(default)]
    pub expected_result: String,
    /// Weight in percent, 0 to 100 with at most two decimals.
    pub weight: Option<Decimal>,
}

/// Changes to a phase; omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdatePhaseInput {
    /// New code.
    pub code: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New start date (null clears it).
    pub start_date: MaybeUndefined<Date>,
    /// New end date (null clears it).
    pub end_date: MaybeUndefined<Date>,
    /// New expected result.
    pub expected_result: Option<String>,
    /// New weight (null clears it).
    pub weight: MaybeUndefined<Decimal>,
    /// New amended fields.
    pub amended_fields: Option<Vec<String>>,
}

/// A new area of a multi-year plan.
#[derive(Debug, InputObject)]
pub struct CreateAreaInput {
    /// The plan (its id).
    pub plan: ID,
    /// Name of the area.
    pub name: Option<String>,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Introductory text.
    #[graphql(default)]
    pub introduction: String,
}

/// Changes to an area; omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateAreaInput {
    /// New name (null clears it).
    pub name: MaybeUndefined<String>,
    /// New subtitle (null clears it).
    pub subtitle: MaybeUndefined<String>,
    /// New introduction.
    pub introduction: Option<String>,
}

/// A new ambito.
#[derive(Debug, InputObject)]
pub struct CreateAmbitoInput {
    /// The area (its id).
    pub area: ID,
    /// Name of the ambito.
    pub name: String,
    /// Its three-year objective.
    #[graphql(default)]
    pub objective: String,
}

/// Changes to an ambito; omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateAmbitoInput {
    /// New name.
    pub name: Option<String>,
    /// New three-year objective.
    pub objective: Option<String>,
}

/// A new result of an ambito.
#[derive(Debug, InputObject)]
pub struct CreateAmbitoResultInput {
    /// The ambito (its id).
    pub ambito: ID,
    /// The year; one planned and one achieved result per year.
    pub year: i32,
    /// Planned or achieved.
    pub kind: ResultKind,
    /// The result as text.
    pub text: String,
}

/// Changes to a result; omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateAmbitoResultInput {
    /// New year.
    pub year: Option<i32>,
    /// New kind.
    pub kind: Option<ResultKind>,
    /// New text.
    pub text: Option<String>,
}

/// How many objects of each kind an imported plan holds.
#[derive(Debug, Clone, SimpleObject)]
pub struct PlanCounts {
    /// Objectives.
    pub objectives: i64,
    /// Indicators.
    pub indicators: i64,
    /// Targets.
    pub targets: i64,
    /// Phases.
    pub phases: i64,
    /// Areas.
    pub areas: i64,
    /// Ambiti.
    pub ambiti: i64,
    /// Results of ambiti.
    pub ambito_results: i64,
    /// Measurements.
    pub measurements: i64,
    /// Findings.
    pub findings: i64,
}

/// What an import did.
#[derive(Debug, Clone, SimpleObject)]
pub struct ImportResult {
    /// The plan created or updated.
    pub plan: Plan,
    /// False when a plan with the same code existed and was updated.
    pub created: bool,
    /// What the plan now holds.
    pub counts: PlanCounts,
    /// Content problems found in the document (stored with the plan).
    pub findings: Vec<Finding>,
}

macro_rules! blocking {
    ($ctx:expr, |$g:ident| $body:expr) => {
        state($ctx)?
            .blocking(move |db| {
                let $g = db.graph();
                $body.map_err(ApiError::from)
            })
            .await
    };
}

// Merged into `graph::Mutation`, which clients see as `MutationRoot`; this
// part needs a name of its own, though it never appears in the schema.
#[Object(name = "GraphMutationPart")]
impl MutationRoot {
    /// Creates a plan.
    async fn create_plan(&self, ctx: &Context<'_>, input: CreatePlanInput) -> ApiResult<Plan> {
        auth::require(ctx, Role::Editor)?;
        let row = rows::NewPlan {
            code: required("input.code", &input.code)?,
            kind: input.kind.as_db().to_string(),
            administration: input.administration,
            title: required("input.title", &input.title)?,
            first_year: year("input.firstYear", input.first_year)?,
            last_year: year("input.lastYear", input.last_year)?,
            notes: json_list(&input.notes),
            source_file: None,
            imported_at: chrono::Utc::now().naive_utc(),
        };
        if row.last_year < row.first_year {
            return Err(ApiError::bad_input(
                "input.lastYear",
                "the last year comes before the first year",
            ));
        }
        Ok(blocking!(ctx, |g| g.create_plan(&row))?.into())
    }

    /// Updates a plan if it still has `expectedVersion`; the result carries
    /// the new version.
    async fn update_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The plan's id.")] id: ID,
        #[graphql(desc = "The version the change was made from.")] expected_version: i32,
        input: UpdatePlanInput,
    ) -> ApiResult<Plan> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Plan", "id")?;
        let changes = PlanChanges {
            code: optional_required("input.code", &input.code)?,
            administration: maybe_str(&input.administration).map(|o| o.map(str::to_string)),
            title: optional_required("input.title", &input.title)?,
            first_year: input
                .first_year
                .map(|y| year("input.firstYear", y))
                .transpose()?,
            last_year: input
                .last_year
                .map(|y| year("input.lastYear", y))
                .transpose()?,
            notes: input.notes.as_deref().map(json_list),
        };
        Ok(blocking!(ctx, |g| g.update_plan(id, expected_version, &changes))?.into())
    }

    /// Deletes a plan and everything that belongs to it.
    async fn delete_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The plan's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Plan", "id")?;
        blocking!(ctx, |g| g.delete_plan_by_id(id))?;
        Ok(deleted("Plan", id))
    }

    /// Creates a mission.
    async fn create_mission(
        &self,
        ctx: &Context<'_>,
        input: CreateMissionInput,
    ) -> ApiResult<Mission> {
        auth::require(ctx, Role::Editor)?;
        let code = required("input.code", &input.code)?;
        let name = required("input.name", &input.name)?;
        Ok(blocking!(ctx, |g| g.create_mission(&code, &name))?.into())
    }

    /// Updates a mission.
    async fn update_mission(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mission's id.")] id: ID,
        input: UpdateMissionInput,
    ) -> ApiResult<Mission> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Mission", "id")?;
        let code = optional_required("input.code", &input.code)?;
        let name = optional_required("input.name", &input.name)?;
        Ok(blocking!(ctx, |g| g.update_mission(
            id,
            code.as_deref(),
            name.as_deref()
        ))?
        .into())
    }

    /// Deletes a mission without programs (CONFLICT while it has some).
    async fn delete_mission(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mission's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Mission", "id")?;
        blocking!(ctx, |g| g.delete_mission(id))?;
        Ok(deleted("Mission", id))
    }

    /// Creates a program.
    async fn create_program(
        &self,
        ctx: &Context<'_>,
        input: CreateProgramInput,
    ) -> ApiResult<Program> {
        auth::require(ctx, Role::Editor)?;
        let mission = ids::expect(&input.mission, "Mission", "input.mission")?;
        let code = required("input.code", &input.code)?;
        let name = required("input.name", &input.name)?;
        Ok(blocking!(ctx, |g| g.create_program(mission, &code, &name))?.into())
    }

    /// Updates a program.
    async fn update_program(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The program's id.")] id: ID,
        input: UpdateProgramInput,
    ) -> ApiResult<Program> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Program", "id")?;
        let mission = input
            .mission
            .as_ref()
            .map(|m| ids::expect(m, "Mission", "input.mission"))
            .transpose()?;
        let code = optional_required("input.code", &input.code)?;
        let name = optional_required("input.name", &input.name)?;
        Ok(blocking!(ctx, |g| g.update_program(
            id,
            mission,
            code.as_deref(),
            name.as_deref()
        ))?
        .into())
    }

    /// Deletes a program without actions (CONFLICT while it has some).
    async fn delete_program(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The program's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Program", "id")?;
        blocking!(ctx, |g| g.delete_program(id))?;
        Ok(deleted("Program", id))
    }

    /// Creates an action.
    async fn create_action(
        &self,
        ctx: &Context<'_>,
        input: CreateActionInput,
    ) -> ApiResult<Action> {
        auth::require(ctx, Role::Editor)?;
        let program = ids::expect(&input.program, "Program", "input.program")?;
        let name = required("input.name", &input.name)?;
        Ok(blocking!(ctx, |g| g.create_action(program, &name))?.into())
    }

    /// Updates an action.
    async fn update_action(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The action's id.")] id: ID,
        input: UpdateActionInput,
    ) -> ApiResult<Action> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Action", "id")?;
        let program = input
            .program
            .as_ref()
            .map(|p| ids::expect(p, "Program", "input.program"))
            .transpose()?;
        let name = optional_required("input.name", &input.name)?;
        Ok(blocking!(ctx, |g| g.update_action(id, program, name.as_deref()))?.into())
    }

    /// Deletes an action no objective uses (CONFLICT otherwise).
    async fn delete_action(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The action's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Action", "id")?;
        blocking!(ctx, |g| g.delete_action(id))?;
        Ok(deleted("Action", id))
    }

    /// Creates a responsibility centre.
    async fn create_responsibility_centre(
        &self,
        ctx: &Context<'_>,
        input: CreateResponsibilityCentreInput,
    ) -> ApiResult<ResponsibilityCentre> {
        auth::require(ctx, Role::Editor)?;
        let plan = ids::expect(&input.plan, "Plan", "input.plan")?;
        let name = required("input.name", &input.name)?;
        let head = input.head;
        Ok(blocking!(ctx, |g| g.create_responsibility_centre(
            plan,
            &name,
            head.as_deref()
        ))?
        .into())
    }

    /// Updates a responsibility centre.
    async fn update_responsibility_centre(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The centre's id.")] id: ID,
        input: UpdateResponsibilityCentreInput,
    ) -> ApiResult<ResponsibilityCentre> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "ResponsibilityCentre", "id")?;
        let name = optional_required("input.name", &input.name)?;
        let head = maybe_str(&input.head).map(|o| o.map(str::to_string));
        Ok(blocking!(ctx, |g| g.update_responsibility_centre(
            id,
            name.as_deref(),
            head.as_ref().map(|h| h.as_deref())
        ))?
        .into())
    }

    /// Deletes a responsibility centre that owns no objective (CONFLICT
    /// otherwise).
    async fn delete_responsibility_centre(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The centre's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "ResponsibilityCentre", "id")?;
        blocking!(ctx, |g| g.delete_responsibility_centre(id))?;
        Ok(deleted("ResponsibilityCentre", id))
    }

    /// Creates an office.
    async fn create_office(
        &self,
        ctx: &Context<'_>,
        input: CreateOfficeInput,
    ) -> ApiResult<Office> {
        auth::require(ctx, Role::Editor)?;
        let centre = ids::expect(
            &input.responsibility_centre,
            "ResponsibilityCentre",
            "input.responsibilityCentre",
        )?;
        let name = required("input.name", &input.name)?;
        Ok(blocking!(ctx, |g| g.create_office(centre, &name))?.into())
    }

    /// Renames an office.
    async fn update_office(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The office's id.")] id: ID,
        input: UpdateOfficeInput,
    ) -> ApiResult<Office> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Office", "id")?;
        let name = required("input.name", &input.name)?;
        Ok(blocking!(ctx, |g| g.update_office(id, &name))?.into())
    }

    /// Deletes an office (and its links to objectives).
    async fn delete_office(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The office's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Office", "id")?;
        blocking!(ctx, |g| g.delete_office(id))?;
        Ok(deleted("Office", id))
    }

    /// Creates a strategic objective.
    async fn create_strategic_objective(
        &self,
        ctx: &Context<'_>,
        input: CreateStrategicObjectiveInput,
    ) -> ApiResult<StrategicObjective> {
        auth::require(ctx, Role::Editor)?;
        let plan = ids::expect(&input.plan, "Plan", "input.plan")?;
        let code = required("input.code", &input.code)?;
        let title = input.title;
        Ok(blocking!(ctx, |g| g.create_strategic_objective(plan, &code, &title))?.into())
    }

    /// Updates a strategic objective.
    async fn update_strategic_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The strategic objective's id.")] id: ID,
        input: UpdateStrategicObjectiveInput,
    ) -> ApiResult<StrategicObjective> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "StrategicObjective", "id")?;
        let code = optional_required("input.code", &input.code)?;
        let title = input.title;
        Ok(blocking!(ctx, |g| g.update_strategic_objective(
            id,
            code.as_deref(),
            title.as_deref()
        ))?
        .into())
    }

    /// Deletes a strategic objective (and its links).
    async fn delete_strategic_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The strategic objective's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "StrategicObjective", "id")?;
        blocking!(ctx, |g| g.delete_strategic_objective(id))?;
        Ok(deleted("StrategicObjective", id))
    }

    /// Creates an annual objective.
    async fn create_annual_objective(
        &self,
        ctx: &Context<'_>,
        input: CreateAnnualObjectiveInput,
    ) -> ApiResult<AnnualObjective> {
        auth::require(ctx, Role::Editor)?;
        let plan = ids::expect(&input.plan, "Plan", "input.plan")?;
        let strategic = input
            .strategic_objective
            .as_ref()
            .map(|s| ids::expect(s, "StrategicObjective", "input.strategicObjective"))
            .transpose()?;
        let code = required("input.code", &input.code)?;
        let title = input.title;
        Ok(blocking!(ctx, |g| g
            .create_annual_objective(plan, strategic, &code, &title))?
        .into())
    }

    /// Updates an annual objective.
    async fn update_annual_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The annual objective's id.")] id: ID,
        input: UpdateAnnualObjectiveInput,
    ) -> ApiResult<AnnualObjective> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "AnnualObjective", "id")?;
        let strategic = match &input.strategic_objective {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(s) => Some(Some(ids::expect(
                s,
                "StrategicObjective",
                "input.strategicObjective",
            )?)),
        };
        let code = optional_required("input.code", &input.code)?;
        let title = input.title;
        Ok(blocking!(ctx, |g| g.update_annual_objective(
            id,
            strategic,
            code.as_deref(),
            title.as_deref()
        ))?
        .into())
    }

    /// Deletes an annual objective (and its links).
    async fn delete_annual_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The annual objective's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "AnnualObjective", "id")?;
        blocking!(ctx, |g| g.delete_annual_objective(id))?;
        Ok(deleted("AnnualObjective", id))
    }

    /// Creates an objective at the end of its plan, with its links.
    async fn create_objective(
        &self,
        ctx: &Context<'_>,
        input: CreateObjectiveInput,
    ) -> ApiResult<Objective> {
        auth::require(ctx, Role::Editor)?;
        let plan_id = ids::expect(&input.plan, "Plan", "input.plan")?;
        let centre = ids::expect(
            &input.responsibility_centre,
            "ResponsibilityCentre",
            "input.responsibilityCentre",
        )?;
        dates(input.start_date, input.end_date)?;
        let score = input.max_score.as_ref().map(max_score).transpose()?;
        let row = rows::NewObjective {
            plan_id,
            responsibility_centre_id: centre,
            position: 0,
            code: required("input.code", &input.code)?,
            year: year("input.year", input.year)?,
            title: required("input.title", &input.title)?,
            description: input.description,
            offices_text: String::new(),
            strategic_objectives_text: String::new(),
            annual_objectives_text: String::new(),
            other_offices: input.other_offices,
            external_bodies: input.external_bodies,
            start_date: input.start_date.map(|d| d.0),
            end_date: input.end_date.map(|d| d.0),
            max_score_points: score.map(|s| s.0),
            max_score_out_of: score.map(|s| s.1),
            amended_fields: "[]".into(),
            notes: "[]".into(),
        };
        let links = ObjectiveLinks {
            office_ids: id_list("input.offices", "Office", &input.offices)?,
            strategic_objective_ids: id_list(
                "input.strategicObjectives",
                "StrategicObjective",
                &input.strategic_objectives,
            )?,
            annual_objective_ids: id_list(
                "input.annualObjectives",
                "AnnualObjective",
                &input.annual_objectives,
            )?,
            action_ids: id_list("input.actions", "Action", &input.actions)?,
        };
        Ok(blocking!(ctx, |g| g.create_objective(&row, &links))?.into())
    }

    /// Updates an objective and its links if it still has
    /// `expectedVersion`; the result carries the new version.
    async fn update_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The objective's id.")] id: ID,
        #[graphql(desc = "The version the change was made from.")] expected_version: i32,
        input: UpdateObjectiveInput,
    ) -> ApiResult<Objective> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Objective", "id")?;
        if let (MaybeUndefined::Value(s), MaybeUndefined::Value(e)) =
            (&input.start_date, &input.end_date)
        {
            dates(Some(*s), Some(*e))?;
        }
        let score = match &input.max_score {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(s) => Some(Some(max_score(s)?)),
        };
        let changes = ObjectiveChanges {
            responsibility_centre_id: input
                .responsibility_centre
                .as_ref()
                .map(|c| ids::expect(c, "ResponsibilityCentre", "input.responsibilityCentre"))
                .transpose()?,
            code: optional_required("input.code", &input.code)?,
            year: input.year.map(|y| year("input.year", y)).transpose()?,
            title: optional_required("input.title", &input.title)?,
            description: input.description,
            other_offices: input.other_offices,
            external_bodies: input.external_bodies,
            start_date: maybe_date(&input.start_date),
            end_date: maybe_date(&input.end_date),
            max_score_points: score.map(|s| s.map(|s| s.0)),
            max_score_out_of: score.map(|s| s.map(|s| s.1)),
            amended_fields: input.amended_fields.as_deref().map(json_list),
        };
        let links = ObjectiveLinks {
            office_ids: id_list("input.offices", "Office", &input.offices)?,
            strategic_objective_ids: id_list(
                "input.strategicObjectives",
                "StrategicObjective",
                &input.strategic_objectives,
            )?,
            annual_objective_ids: id_list(
                "input.annualObjectives",
                "AnnualObjective",
                &input.annual_objectives,
            )?,
            action_ids: id_list("input.actions", "Action", &input.actions)?,
        };
        Ok(blocking!(ctx, |g| g.update_objective(
            id,
            expected_version,
            &changes,
            &links
        ))?
        .into())
    }

    /// Deletes an objective with its indicators, targets, phases and
    /// measurements.
    async fn delete_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The objective's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Objective", "id")?;
        blocking!(ctx, |g| g.delete_objective(id))?;
        Ok(deleted("Objective", id))
    }

    /// Creates an indicator at the end of its objective.
    async fn create_indicator(
        &self,
        ctx: &Context<'_>,
        input: CreateIndicatorInput,
    ) -> ApiResult<Indicator> {
        auth::require(ctx, Role::Editor)?;
        let objective = ids::expect(&input.objective, "Objective", "input.objective")?;
        let baseline = input
            .baseline
            .as_deref()
            .map(|b| measure_cols("input.baseline", b))
            .transpose()?;
        let (baseline_raw, baseline_comparator, baseline_number, baseline_unit, baseline_note) =
            match baseline {
                Some((r, c, n, u, note)) => (Some(r), c, n, u, note),
                None => (None, None, None, None, None),
            };
        let row = rows::NewIndicator {
            objective_id: objective,
            position: 0,
            code: required("input.code", &input.code)?,
            description: input.description,
            method: input.method,
            kind: input.kind,
            unit: input.unit.as_db().to_string(),
            direction: input.direction.as_db().to_string(),
            baseline_raw,
            baseline_comparator,
            baseline_number,
            baseline_unit,
            baseline_note,
            calculator_id: None,
            calculator_params: None,
            calculator_guessed: false,
            amended_fields: "[]".into(),
        };
        Ok(blocking!(ctx, |g| g.create_indicator(&row))?.into())
    }

    /// Updates an indicator if it still has `expectedVersion`; the result
    /// carries the new version. Subscribers of its objective are told.
    async fn update_indicator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The indicator's id.")] id: ID,
        #[graphql(desc = "The version the change was made from.")] expected_version: i32,
        input: UpdateIndicatorInput,
    ) -> ApiResult<Indicator> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Indicator", "id")?;
        let mut changes = IndicatorChanges {
            code: optional_required("input.code", &input.code)?,
            description: input.description,
            method: input.method,
            kind: input.kind,
            unit: input.unit.map(|u| u.as_db().to_string()),
            direction: input.direction.map(|d| d.as_db().to_string()),
            amended_fields: input.amended_fields.as_deref().map(json_list),
            ..Default::default()
        };
        match &input.baseline {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => {
                changes.baseline_raw = Some(None);
                changes.baseline_comparator = Some(None);
                changes.baseline_number = Some(None);
                changes.baseline_unit = Some(None);
                changes.baseline_note = Some(None);
            }
            MaybeUndefined::Value(b) => {
                let (r, c, n, u, note) = measure_cols("input.baseline", b)?;
                changes.baseline_raw = Some(Some(r));
                changes.baseline_comparator = Some(c);
                changes.baseline_number = Some(n);
                changes.baseline_unit = Some(u);
                changes.baseline_note = Some(note);
            }
        }
        let row = blocking!(ctx, |g| g.update_indicator(id, expected_version, &changes))?;
        Ok(row.into())
    }

    /// Deletes an indicator with its targets and measurements.
    async fn delete_indicator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The indicator's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Indicator", "id")?;
        blocking!(ctx, |g| g.delete_indicator(id))?;
        Ok(deleted("Indicator", id))
    }

    /// Adds a yearly target to an indicator that still has
    /// `expectedVersion` (and increments it).
    async fn create_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The indicator's version the change was made from.")]
        expected_version: i32,
        input: CreateTargetInput,
    ) -> ApiResult<Target> {
        auth::require(ctx, Role::Editor)?;
        let indicator = ids::expect(&input.indicator, "Indicator", "input.indicator")?;
        let (raw, comparator, number, unit, note) = measure_cols("input.value", &input.value)?;
        let row = rows::NewTarget {
            indicator_id: indicator,
            year: year("input.year", input.year)?,
            raw,
            comparator,
            number,
            unit,
            note,
            amended: input.amended,
        };
        let target = blocking!(ctx, |g| g.create_target(&row, expected_version))?;
        Ok(target.into())
    }

    /// Changes a target; `expectedVersion` is its indicator's version.
    async fn update_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The target's id.")] id: ID,
        #[graphql(desc = "The indicator's version the change was made from.")]
        expected_version: i32,
        input: UpdateTargetInput,
    ) -> ApiResult<Target> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Target", "id")?;
        let mut changes = TargetChanges {
            year: input.year.map(|y| year("input.year", y)).transpose()?,
            amended: input.amended,
            ..Default::default()
        };
        if let Some(v) = &input.value {
            let (raw, comparator, number, unit, note) = measure_cols("input.value", v)?;
            changes.raw = Some(raw);
            changes.comparator = Some(comparator);
            changes.number = Some(number);
            changes.unit = Some(unit);
            changes.note = Some(note);
        }
        let target = blocking!(ctx, |g| g.update_target(id, expected_version, &changes))?;
        Ok(target.into())
    }

    /// Deletes a target; `expectedVersion` is its indicator's version.
    async fn delete_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The target's id.")] id: ID,
        #[graphql(desc = "The indicator's version the change was made from.")]
        expected_version: i32,
    ) -> ApiResult<DeletePayload> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Target", "id")?;
        blocking!(ctx, |g| g.delete_target(id, expected_version))?;
        Ok(deleted("Target", id))
    }

    /// Adds a phase at the end of an objective that still has
    /// `expectedVersion` (and increments it).
    async fn create_phase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The objective's version the change was made from.")]
        expected_version: i32,
        input: CreatePhaseInput,
    ) -> ApiResult<Phase> {
        auth::require(ctx, Role::Editor)?;
        let objective = ids::expect(&input.objective, "Objective", "input.objective")?;
        dates(input.start_date, input.end_date)?;
        let row = rows::NewPhase {
            objective_id: objective,
            position: 0,
            code: required("input.code", &input.code)?,
            description: input.description,
            start_date: input.start_date.map(|d| d.0),
            end_date: input.end_date.map(|d| d.0),
            expected_result: input.expected_result,
            weight_bp: input.weight.map(weight_bp).transpose()?,
            amended_fields: "[]".into(),
        };
        Ok(blocking!(ctx, |g| g.create_phase(&row, expected_version))?.into())
    }

    /// Changes a phase; `expectedVersion` is its objective's version.
    async fn update_phase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The phase's id.")] id: ID,
        #[graphql(desc = "The objective's version the change was made from.")]
        expected_version: i32,
        input: UpdatePhaseInput,
    ) -> ApiResult<Phase> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Phase", "id")?;
        if let (MaybeUndefined::Value(s), MaybeUndefined::Value(e)) =
            (&input.start_date, &input.end_date)
        {
            dates(Some(*s), Some(*e))?;
        }
        let changes = PhaseChanges {
            code: optional_required("input.code", &input.code)?,
            description: input.description,
            start_date: maybe_date(&input.start_date),
            end_date: maybe_date(&input.end_date),
            expected_result: input.expected_result,
            weight_bp: match input.weight {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(w) => Some(Some(weight_bp(w)?)),
            },
            amended_fields: input.amended_fields.as_deref().map(json_list),
        };
        Ok(blocking!(ctx, |g| g.update_phase(id, expected_version, &changes))?.into())
    }

    /// Deletes a phase; `expectedVersion` is its objective's version.
    async fn delete_phase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The phase's id.")] id: ID,
        #[graphql(desc = "The objective's version the change was made from.")]
        expected_version: i32,
    ) -> ApiResult<DeletePayload> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Phase", "id")?;
        blocking!(ctx, |g| g.delete_phase(id, expected_version))?;
        Ok(deleted("Phase", id))
    }

    /// Creates an area at the end of a plan.
    async fn create_area(&self, ctx: &Context<'_>, input: CreateAreaInput) -> ApiResult<Area> {
        auth::require(ctx, Role::Editor)?;
        let plan = ids::expect(&input.plan, "Plan", "input.plan")?;
        let (name, subtitle, intro) = (input.name, input.subtitle, input.introduction);
        Ok(blocking!(ctx, |g| g.create_area(
            plan,
            name.as_deref(),
            subtitle.as_deref(),
            &intro
        ))?
        .into())
    }

    /// Updates an area.
    async fn update_area(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The area's id.")] id: ID,
        input: UpdateAreaInput,
    ) -> ApiResult<Area> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Area", "id")?;
        let name = maybe_str(&input.name).map(|o| o.map(str::to_string));
        let subtitle = maybe_str(&input.subtitle).map(|o| o.map(str::to_string));
        let intro = input.introduction;
        Ok(blocking!(ctx, |g| g.update_area(
            id,
            name.as_ref().map(|n| n.as_deref()),
            subtitle.as_ref().map(|s| s.as_deref()),
            intro.as_deref()
        ))?
        .into())
    }

    /// Deletes an area with its ambiti and results.
    async fn delete_area(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The area's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Area", "id")?;
        blocking!(ctx, |g| g.delete_area(id))?;
        Ok(deleted("Area", id))
    }

    /// Creates an ambito at the end of an area.
    async fn create_ambito(
        &self,
        ctx: &Context<'_>,
        input: CreateAmbitoInput,
    ) -> ApiResult<Ambito> {
        auth::require(ctx, Role::Editor)?;
        let area = ids::expect(&input.area, "Area", "input.area")?;
        let name = required("input.name", &input.name)?;
        let objective = input.objective;
        Ok(blocking!(ctx, |g| g.create_ambito(area, &name, &objective))?.into())
    }

    /// Updates an ambito.
    async fn update_ambito(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ambito's id.")] id: ID,
        input: UpdateAmbitoInput,
    ) -> ApiResult<Ambito> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Ambito", "id")?;
        let name = optional_required("input.name", &input.name)?;
        let objective = input.objective;
        Ok(blocking!(ctx, |g| g.update_ambito(
            id,
            name.as_deref(),
            objective.as_deref()
        ))?
        .into())
    }

    /// Deletes an ambito with its results.
    async fn delete_ambito(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ambito's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Ambito", "id")?;
        blocking!(ctx, |g| g.delete_ambito(id))?;
        Ok(deleted("Ambito", id))
    }

    /// Adds a yearly result to an ambito.
    async fn create_ambito_result(
        &self,
        ctx: &Context<'_>,
        input: CreateAmbitoResultInput,
    ) -> ApiResult<AmbitoResult> {
        auth::require(ctx, Role::Editor)?;
        let ambito = ids::expect(&input.ambito, "Ambito", "input.ambito")?;
        let y = year("input.year", input.year)?;
        let kind = input.kind.as_db();
        let text = input.text;
        Ok(blocking!(ctx, |g| g.create_ambito_result(ambito, y, kind, &text))?.into())
    }

    /// Updates a result of an ambito.
    async fn update_ambito_result(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The result's id.")] id: ID,
        input: UpdateAmbitoResultInput,
    ) -> ApiResult<AmbitoResult> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "AmbitoResult", "id")?;
        let y = input.year.map(|y| year("input.year", y)).transpose()?;
        let kind = input.kind.map(|k| k.as_db());
        let text = input.text;
        Ok(blocking!(ctx, |g| g.update_ambito_result(
            id,
            y,
            kind,
            text.as_deref()
        ))?
        .into())
    }

    /// Deletes a result of an ambito.
    async fn delete_ambito_result(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The result's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "AmbitoResult", "id")?;
        blocking!(ctx, |g| g.delete_ambito_result(id))?;
        Ok(deleted("AmbitoResult", id))
    }

    /// Records the measured value of an indicator for a period, replacing
    /// the value recorded earlier for the same period. Subscribers of the
    /// indicator's objective are told.
    #[allow(clippy::too_many_arguments)]
    async fn record_measurement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The indicator's id.")] indicator: ID,
        #[graphql(desc = "A year (`2020`), a quarter (`2020-Q1`) or a month (`2020-03`).")] period: String,
        #[graphql(desc = "The value, exact.")] value: Decimal,
        #[graphql(desc = "The numerator the value comes from, to re-aggregate periods exactly.")]
        numerator: Option<Decimal>,
        #[graphql(desc = "The denominator the value comes from.")] denominator: Option<Decimal>,
        #[graphql(desc = "Where the value comes from (a system, a document).")] source: String,
    ) -> ApiResult<Measurement> {
        let principal = auth::require(ctx, Role::Editor)?;
        let indicator = ids::expect(&indicator, "Indicator", "indicator")?;
        let period = period.trim().to_string();
        if cruscotto_store::period::bounds(&period).is_none() {
            return Err(ApiError::bad_input(
                "period",
                "the period must be a year (2020), a quarter (2020-Q1) or a month (2020-03)",
            ));
        }
        if let Some(d) = denominator {
            if d.0.is_zero() {
                return Err(ApiError::bad_input(
                    "denominator",
                    "the denominator must not be zero",
                ));
            }
        }
        let input = MeasurementInput {
            indicator_id: indicator,
            period,
            value: value.0.to_string(),
            numerator: numerator.map(|n| n.0.to_string()),
            denominator: denominator.map(|d| d.0.to_string()),
            source: required("source", &source)?,
            recorded_by: principal.name().to_string(),
        };
        let row = blocking!(ctx, |g| g.record_measurement(&input))?;
        Ok(row.into())
    }

    /// Deletes a measured value.
    async fn delete_measurement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The measurement's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        auth::require(ctx, Role::Editor)?;
        let id = ids::expect(&id, "Measurement", "id")?;
        blocking!(ctx, |g| g.delete_measurement(id))?;
        Ok(deleted("Measurement", id))
    }

    /// Imports a plan document (the cruscotto JSON exchange format or one
    /// of the two text shapes) in one transaction: a plan with the same
    /// code is updated in place. Needs an administrator's token.
    async fn import_document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The document's text.")] content: String,
        #[graphql(desc = "Code of the plan to create or update (default: from the document).")]
        plan: Option<String>,
        #[graphql(
            desc = "Refuse the document if it has content findings.",
            default = false
        )]
        strict: bool,
    ) -> ApiResult<ImportResult> {
        auth::require(ctx, Role::Admin)?;
        let file = plan.clone().unwrap_or_else(|| "document".to_string());
        let options = cruscotto_import::ParseOptions {
            plan_code: plan,
            ..Default::default()
        };
        let doc = cruscotto_import::parse_document(&file, &content, &options)
            .map_err(|e| ApiError::bad_document("content", &e))?;
        if strict {
            cruscotto_import::validate::strict(&file, &doc)
                .map_err(|e| ApiError::bad_document("content", &e))?;
        }
        let (summary, plan_row) = state(ctx)?
            .blocking(move |db| {
                let summary = db.save_document(&doc, None)?;
                let plan = db
                    .graph()
                    .plans_by_codes(std::slice::from_ref(&summary.plan_code))?;
                Ok((summary, plan))
            })
            .await
            .map_err(|mut e| {
                // A document the database refuses is the document's fault.
                if e.code == Code::BadUserInput && e.field.is_none() {
                    e.field = Some("content".to_string());
                }
                e
            })?;
        let plan_row = plan_row
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::internal("the imported plan is missing"))?;
        let findings: Arc<[Finding]> =
            many(ctx, super::loaders::FindingsOfPlan(plan_row.id)).await?;
        let c = summary.counts;
        Ok(ImportResult {
            plan: plan_row.into(),
            created: summary.created,
            counts: PlanCounts {
                objectives: c.objectives,
                indicators: c.indicators,
                targets: c.targets,
                phases: c.phases,
                areas: c.areas,
                ambiti: c.ambiti,
                ambito_results: c.ambito_results,
                measurements: c.measurements,
                findings: c.findings,
            },
            findings: findings.to_vec(),
        })
    }
}
