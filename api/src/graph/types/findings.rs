//! Findings of an import and source locations.

use super::*;

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
pub(super) async fn source_of(
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

complex_object! {
    impl Finding {
        /// The finding's global id.
        id;

        /// The plan the finding belongs to.
        parent plan: Plan = PlanById(plan_id);
    }
}
