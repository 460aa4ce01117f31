//! Mutations of objectives, indicators, targets and phases.

use super::*;

#[derive(Debug, Default)]
pub struct ObjectiveMutations;

#[Object]
impl ObjectiveMutations {
    /// Creates an objective at the end of its plan, with its links.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn create_objective(
        &self,
        ctx: &Context<'_>,
        input: CreateObjectiveInput,
    ) -> ApiResult<Objective> {
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn update_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The objective's id.")] id: ID,
        #[graphql(desc = "The version the change was made from.")] expected_version: i32,
        input: UpdateObjectiveInput,
    ) -> ApiResult<Objective> {
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn delete_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The objective's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        let id = ids::expect(&id, "Objective", "id")?;
        blocking!(ctx, |g| g.delete_objective(id))?;
        Ok(deleted("Objective", id))
    }

    /// Creates an indicator at the end of its objective.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn create_indicator(
        &self,
        ctx: &Context<'_>,
        input: CreateIndicatorInput,
    ) -> ApiResult<Indicator> {
        let objective = ids::expect(&input.objective, "Objective", "input.objective")?;
        let baseline = input
            .baseline
            .as_deref()
            .map(|b| measure("input.baseline", b))
            .transpose()?;
        let row = rows::NewIndicator {
            objective_id: objective,
            position: 0,
            code: required("input.code", &input.code)?,
            description: input.description,
            method: input.method,
            kind: input.kind,
            unit: input.unit.into(),
            direction: input.direction.into(),
            baseline_raw: None,
            baseline_comparator: None,
            baseline_number: None,
            baseline_unit: None,
            baseline_note: None,
            calculator_id: None,
            calculator_params: None,
            calculator_guessed: false,
            amended_fields: "[]".into(),
        }
        .with_baseline(baseline.as_ref());
        Ok(blocking!(ctx, |g| g.create_indicator(&row))?.into())
    }

    /// Updates an indicator if it still has `expectedVersion`; the result
    /// carries the new version. Subscribers of its objective are told.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn update_indicator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The indicator's id.")] id: ID,
        #[graphql(desc = "The version the change was made from.")] expected_version: i32,
        input: UpdateIndicatorInput,
    ) -> ApiResult<Indicator> {
        let id = ids::expect(&id, "Indicator", "id")?;
        let mut changes = IndicatorChanges {
            code: optional_required("input.code", &input.code)?,
            description: input.description,
            method: input.method,
            kind: input.kind,
            unit: input.unit.map(Into::into),
            direction: input.direction.map(Into::into),
            amended_fields: input.amended_fields.as_deref().map(json_list),
            ..Default::default()
        };
        match &input.baseline {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => changes.set_baseline(None),
            MaybeUndefined::Value(b) => {
                changes.set_baseline(Some(&measure("input.baseline", b)?));
            }
        }
        let row = blocking!(ctx, |g| g.update_indicator(id, expected_version, &changes))?;
        Ok(row.into())
    }

    /// Deletes an indicator with its targets and measurements.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn delete_indicator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The indicator's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        let id = ids::expect(&id, "Indicator", "id")?;
        blocking!(ctx, |g| g.delete_indicator(id))?;
        Ok(deleted("Indicator", id))
    }

    /// Adds a yearly target to an indicator that still has
    /// `expectedVersion` (and increments it).
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn create_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The indicator's version the change was made from.")]
        expected_version: i32,
        input: CreateTargetInput,
    ) -> ApiResult<Target> {
        let indicator = ids::expect(&input.indicator, "Indicator", "input.indicator")?;
        let row = rows::NewTarget::new(
            indicator,
            year("input.year", input.year)?,
            &measure("input.value", &input.value)?,
            input.amended,
        );
        let target = blocking!(ctx, |g| g.create_target(&row, expected_version))?;
        Ok(target.into())
    }

    /// Changes a target; `expectedVersion` is its indicator's version.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn update_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The target's id.")] id: ID,
        #[graphql(desc = "The indicator's version the change was made from.")]
        expected_version: i32,
        input: UpdateTargetInput,
    ) -> ApiResult<Target> {
        let id = ids::expect(&id, "Target", "id")?;
        let mut changes = TargetChanges {
            year: input.year.map(|y| year("input.year", y)).transpose()?,
            amended: input.amended,
            ..Default::default()
        };
        if let Some(v) = &input.value {
            changes.set_value(&measure("input.value", v)?);
        }
        let target = blocking!(ctx, |g| g.update_target(id, expected_version, &changes))?;
        Ok(target.into())
    }

    /// Deletes a target; `expectedVersion` is its indicator's version.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn delete_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The target's id.")] id: ID,
        #[graphql(desc = "The indicator's version the change was made from.")]
        expected_version: i32,
    ) -> ApiResult<DeletePayload> {
        let id = ids::expect(&id, "Target", "id")?;
        blocking!(ctx, |g| g.delete_target(id, expected_version))?;
        Ok(deleted("Target", id))
    }

    /// Adds a phase at the end of an objective that still has
    /// `expectedVersion` (and increments it).
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn create_phase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The objective's version the change was made from.")]
        expected_version: i32,
        input: CreatePhaseInput,
    ) -> ApiResult<Phase> {
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn update_phase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The phase's id.")] id: ID,
        #[graphql(desc = "The objective's version the change was made from.")]
        expected_version: i32,
        input: UpdatePhaseInput,
    ) -> ApiResult<Phase> {
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
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn delete_phase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The phase's id.")] id: ID,
        #[graphql(desc = "The objective's version the change was made from.")]
        expected_version: i32,
    ) -> ApiResult<DeletePayload> {
        let id = ids::expect(&id, "Phase", "id")?;
        blocking!(ctx, |g| g.delete_phase(id, expected_version))?;
        Ok(deleted("Phase", id))
    }
}
