//! Mutations of measured values and document imports.

use super::*;

/// Storage's counts of a plan, as the graph shows them.
#[derive(Debug, Clone)]
pub struct PlanCounts(cruscotto_store::PlanCounts);

/// The `#[Object]` of [`PlanCounts`]: one field per count, each with its
/// description.
macro_rules! counts_object {
    ($($field:ident: $doc:literal),* $(,)?) => {
        /// How many objects of each kind an imported plan holds.
        #[Object]
        impl PlanCounts {
            $(#[doc = $doc] async fn $field(&self) -> i64 { self.0.$field })*
        }
    };
}
counts_object!(
    objectives: "Objectives.", indicators: "Indicators.", targets: "Targets.",
    phases: "Phases.", areas: "Areas.", ambiti: "Ambiti.",
    ambito_results: "Results of ambiti.", measurements: "Measurements.", findings: "Findings.",
);

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

#[derive(Debug, Default)]
pub struct RecordMutations;

#[Object]
impl RecordMutations {
    /// Records the measured value of an indicator for a period, replacing
    /// the value recorded earlier for the same period. Subscribers of the
    /// indicator's objective are told.
    #[allow(clippy::too_many_arguments)]
    #[graphql(guard = "RoleGuard(Role::Editor)")]
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
        let principal = auth::principal(ctx);
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
            value: value.into(),
            numerator: numerator.map(Into::into),
            denominator: denominator.map(Into::into),
            source: required("source", &source)?,
            recorded_by: principal.name().to_string(),
        };
        let row = blocking!(ctx, |g| g.record_measurement(&input))?;
        Ok(row.into())
    }

    /// Deletes a measured value.
    #[graphql(guard = "RoleGuard(Role::Editor)")]
    async fn delete_measurement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The measurement's id.")] id: ID,
    ) -> ApiResult<DeletePayload> {
        let id = ids::expect(&id, "Measurement", "id")?;
        blocking!(ctx, |g| g.delete_measurement(id))?;
        Ok(deleted("Measurement", id))
    }

    /// Imports a plan document (the cruscotto JSON exchange format or one
    /// of the two text shapes) in one transaction: a plan with the same
    /// code is updated in place. Needs an administrator's token.
    #[graphql(guard = "RoleGuard(Role::Admin)")]
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
            many(ctx, crate::graph::loaders::FindingsOfPlan(plan_row.id)).await?;
        Ok(ImportResult {
            plan: plan_row.into(),
            created: summary.created,
            counts: PlanCounts(summary.counts),
            findings: findings.to_vec(),
        })
    }
}
