//! The input objects of mutations.

use super::*;

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
