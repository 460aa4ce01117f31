//! Mutations of areas, ambiti and results of multi-year plans.

use super::*;

#[derive(Debug, Default)]
pub struct AreaMutations;

#[Object]
impl AreaMutations {
    /// Creates an area at the end of a plan.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn create_area(&self, ctx: &Context<'_>, input: CreateAreaInput) -> ApiResult<Area> {
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn update_area(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The area's id.")] id: ID,
        input: UpdateAreaInput,
    ) -> ApiResult<Area> {
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn delete_area(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The area's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        let id = ids::expect(&id, "Area", "id")?;
        blocking!(ctx, |g| g.delete_area(id))?;
        Ok(deleted("Area", id))
    }

    /// Creates an ambito at the end of an area.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn create_ambito(
        &self,
        ctx: &Context<'_>,
        input: CreateAmbitoInput,
    ) -> ApiResult<Ambito> {
        let area = ids::expect(&input.area, "Area", "input.area")?;
        let name = required("input.name", &input.name)?;
        let objective = input.objective;
        Ok(blocking!(ctx, |g| g.create_ambito(area, &name, &objective))?.into())
    }

    /// Updates an ambito.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn update_ambito(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ambito's id.")] id: ID,
        input: UpdateAmbitoInput,
    ) -> ApiResult<Ambito> {
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn delete_ambito(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ambito's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        let id = ids::expect(&id, "Ambito", "id")?;
        blocking!(ctx, |g| g.delete_ambito(id))?;
        Ok(deleted("Ambito", id))
    }

    /// Adds a yearly result to an ambito.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn create_ambito_result(
        &self,
        ctx: &Context<'_>,
        input: CreateAmbitoResultInput,
    ) -> ApiResult<AmbitoResult> {
        let ambito = ids::expect(&input.ambito, "Ambito", "input.ambito")?;
        let y = year("input.year", input.year)?;
        let kind = input.kind.into();
        let text = input.text;
        Ok(blocking!(ctx, |g| g.create_ambito_result(ambito, y, kind, &text))?.into())
    }

    /// Updates a result of an ambito.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn update_ambito_result(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The result's id.")] id: ID,
        input: UpdateAmbitoResultInput,
    ) -> ApiResult<AmbitoResult> {
        let id = ids::expect(&id, "AmbitoResult", "id")?;
        let y = input.year.map(|y| year("input.year", y)).transpose()?;
        let kind = input.kind.map(Into::into);
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn delete_ambito_result(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The result's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        let id = ids::expect(&id, "AmbitoResult", "id")?;
        blocking!(ctx, |g| g.delete_ambito_result(id))?;
        Ok(deleted("AmbitoResult", id))
    }
}
