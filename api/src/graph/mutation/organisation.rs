//! Mutations of responsibility centres, offices, strategic and annual objectives.

use super::*;

#[derive(Debug, Default)]
pub struct OrganisationMutations;

#[Object]
impl OrganisationMutations {
    /// Creates a responsibility centre.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn create_responsibility_centre(
        &self,
        ctx: &Context<'_>,
        input: CreateResponsibilityCentreInput,
    ) -> ApiResult<ResponsibilityCentre> {
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn update_responsibility_centre(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The centre's id.")] id: ID,
        input: UpdateResponsibilityCentreInput,
    ) -> ApiResult<ResponsibilityCentre> {
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn delete_responsibility_centre(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The centre's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        let id = ids::expect(&id, "ResponsibilityCentre", "id")?;
        blocking!(ctx, |g| g.delete_responsibility_centre(id))?;
        Ok(deleted("ResponsibilityCentre", id))
    }

    /// Creates an office.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn create_office(
        &self,
        ctx: &Context<'_>,
        input: CreateOfficeInput,
    ) -> ApiResult<Office> {
        let centre = ids::expect(
            &input.responsibility_centre,
            "ResponsibilityCentre",
            "input.responsibilityCentre",
        )?;
        let name = required("input.name", &input.name)?;
        Ok(blocking!(ctx, |g| g.create_office(centre, &name))?.into())
    }

    /// Renames an office.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn update_office(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The office's id.")] id: ID,
        input: UpdateOfficeInput,
    ) -> ApiResult<Office> {
        let id = ids::expect(&id, "Office", "id")?;
        let name = required("input.name", &input.name)?;
        Ok(blocking!(ctx, |g| g.update_office(id, &name))?.into())
    }

    /// Deletes an office (and its links to objectives).
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn delete_office(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The office's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        let id = ids::expect(&id, "Office", "id")?;
        blocking!(ctx, |g| g.delete_office(id))?;
        Ok(deleted("Office", id))
    }

    /// Creates a strategic objective.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn create_strategic_objective(
        &self,
        ctx: &Context<'_>,
        input: CreateStrategicObjectiveInput,
    ) -> ApiResult<StrategicObjective> {
        let plan = ids::expect(&input.plan, "Plan", "input.plan")?;
        let code = required("input.code", &input.code)?;
        let title = input.title;
        Ok(blocking!(ctx, |g| g.create_strategic_objective(plan, &code, &title))?.into())
    }

    /// Updates a strategic objective.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn update_strategic_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The strategic objective's id.")] id: ID,
        input: UpdateStrategicObjectiveInput,
    ) -> ApiResult<StrategicObjective> {
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn delete_strategic_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The strategic objective's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        let id = ids::expect(&id, "StrategicObjective", "id")?;
        blocking!(ctx, |g| g.delete_strategic_objective(id))?;
        Ok(deleted("StrategicObjective", id))
    }

    /// Creates an annual objective.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn create_annual_objective(
        &self,
        ctx: &Context<'_>,
        input: CreateAnnualObjectiveInput,
    ) -> ApiResult<AnnualObjective> {
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn update_annual_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The annual objective's id.")] id: ID,
        input: UpdateAnnualObjectiveInput,
    ) -> ApiResult<AnnualObjective> {
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn delete_annual_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The annual objective's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        let id = ids::expect(&id, "AnnualObjective", "id")?;
        blocking!(ctx, |g| g.delete_annual_objective(id))?;
        Ok(deleted("AnnualObjective", id))
    }
}
