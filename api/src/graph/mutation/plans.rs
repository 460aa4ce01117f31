//! Mutations of plans and the budget classification.

use super::*;

#[derive(Debug, Default)]
pub struct PlanMutations;

#[Object]
impl PlanMutations {
    /// Creates a plan.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn create_plan(&self, ctx: &Context<'_>, input: CreatePlanInput) -> ApiResult<Plan> {
        let row = rows::NewPlan {
            code: required("input.code", &input.code)?,
            kind: input.kind.into(),
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn update_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The plan's id.")] id: ID,
        #[graphql(desc = "The version the change was made from.")] expected_version: i32,
        input: UpdatePlanInput,
    ) -> ApiResult<Plan> {
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn delete_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The plan's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        let id = ids::expect(&id, "Plan", "id")?;
        blocking!(ctx, |g| g.delete_plan_by_id(id))?;
        Ok(deleted("Plan", id))
    }

    /// Creates a mission.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn create_mission(
        &self,
        ctx: &Context<'_>,
        input: CreateMissionInput,
    ) -> ApiResult<Mission> {
        let code = required("input.code", &input.code)?;
        let name = required("input.name", &input.name)?;
        Ok(blocking!(ctx, |g| g.create_mission(&code, &name))?.into())
    }

    /// Updates a mission.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn update_mission(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mission's id.")] id: ID,
        input: UpdateMissionInput,
    ) -> ApiResult<Mission> {
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn delete_mission(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mission's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        let id = ids::expect(&id, "Mission", "id")?;
        blocking!(ctx, |g| g.delete_mission(id))?;
        Ok(deleted("Mission", id))
    }

    /// Creates a program.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn create_program(
        &self,
        ctx: &Context<'_>,
        input: CreateProgramInput,
    ) -> ApiResult<Program> {
        let mission = ids::expect(&input.mission, "Mission", "input.mission")?;
        let code = required("input.code", &input.code)?;
        let name = required("input.name", &input.name)?;
        Ok(blocking!(ctx, |g| g.create_program(mission, &code, &name))?.into())
    }

    /// Updates a program.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn update_program(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The program's id.")] id: ID,
        input: UpdateProgramInput,
    ) -> ApiResult<Program> {
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn delete_program(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The program's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        let id = ids::expect(&id, "Program", "id")?;
        blocking!(ctx, |g| g.delete_program(id))?;
        Ok(deleted("Program", id))
    }

    /// Creates an action.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn create_action(
        &self,
        ctx: &Context<'_>,
        input: CreateActionInput,
    ) -> ApiResult<Action> {
        let program = ids::expect(&input.program, "Program", "input.program")?;
        let name = required("input.name", &input.name)?;
        Ok(blocking!(ctx, |g| g.create_action(program, &name))?.into())
    }

    /// Updates an action.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn update_action(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The action's id.")] id: ID,
        input: UpdateActionInput,
    ) -> ApiResult<Action> {
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn delete_action(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The action's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        let id = ids::expect(&id, "Action", "id")?;
        blocking!(ctx, |g| g.delete_action(id))?;
        Ok(deleted("Action", id))
    }
}
