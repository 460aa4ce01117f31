//! Queries behind the GraphQL API: batched loads by key, filtered keyset
//! pages, counts, and the writes of mutations.
//!
//! Like [`crate::store`], the queries are written once (`reads.rs`,
//! `writes.rs`) and compiled per backend by including them in two modules
//! whose `Conn` and `Db` types (and `entity` alias, the entity writers of
//! the same backend) differ. The mutations check their input and leave
//! every statement that writes to [`crate::entity`]. Callers reach them through
//! [`Database::graph`], which returns a [`GraphStore`].
//!
//! Batched loads take any number of keys and split them into chunks of
//! [`KEY_CHUNK`], below SQLite's bind-parameter limit (Postgres binds a list
//! as one array parameter), so a batch costs one statement per chunk.

pub mod stats;

use std::collections::HashMap;

use crate::db::Database;
use crate::error::StoreError;
use crate::rows;
use crate::sql_types::Number;
use cruscotto_model as m;

pub use stats::StatementCounter;

/// Most keys bound in one `IN (…)` list: below SQLite's limit of 32,766
/// variables, and large enough that a batch of the largest generated plan
/// (10,000 indicators) is one statement.
pub const KEY_CHUNK: usize = 10_000;

/// The value of the column a list is sorted by, as carried in a cursor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SortValue {
    Int(i64),
    Text(String),
}

/// A position in a sorted list: the sort value and the id that breaks ties.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Seek {
    pub value: SortValue,
    pub id: i32,
}

/// One page of a keyset-paginated list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageRequest {
    /// Only rows after this position.
    pub after: Option<Seek>,
    /// Only rows before this position.
    pub before: Option<Seek>,
    /// Read from the end (`last`): rows come back in reverse order.
    pub backward: bool,
    /// Rows to read (callers ask for one more than they show, to learn
    /// whether another page follows).
    pub limit: i64,
}

/// Sort orders of objective lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectiveSort {
    /// Document order within the plan.
    Position,
    Code,
    Title,
}

/// Sort orders of indicator lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndicatorSort {
    Position,
    Code,
}

/// Filters of plan lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PlanFilter {
    /// Plans covering this year.
    pub year: Option<i32>,
    pub kind: Option<m::PlanKind>,
    /// Case-insensitive substring of code, title or administration.
    pub search: Option<String>,
}

/// Filters of mission, program and action lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct BudgetFilter {
    pub mission_code: Option<String>,
    pub program_code: Option<String>,
    /// Case-insensitive substring of code or name.
    pub search: Option<String>,
}

/// Filters of lists of objects owned by a plan (responsibility centres,
/// strategic and annual objectives, areas, ambiti).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PlanPartFilter {
    pub plan_code: Option<String>,
    /// Plans covering this year.
    pub year: Option<i32>,
    /// Case-insensitive substring of the name, code or title.
    pub search: Option<String>,
}

/// Filters of objective lists. All given conditions must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ObjectiveFilter {
    pub plan_ids: Option<Vec<i32>>,
    pub plan_code: Option<String>,
    pub year: Option<i32>,
    pub responsibility_centre_ids: Option<Vec<i32>>,
    pub mission_code: Option<String>,
    pub program_code: Option<String>,
    pub action_id: Option<i32>,
    pub strategic_objective_id: Option<i32>,
    pub annual_objective_id: Option<i32>,
    /// Case-insensitive substring of code, title or description.
    pub search: Option<String>,
}

/// Filters of indicator lists. All given conditions must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct IndicatorFilter {
    /// Conditions on the indicator's objective.
    pub objective: ObjectiveFilter,
    pub objective_ids: Option<Vec<i32>>,
    pub unit: Option<m::Unit>,
    pub kind: Option<String>,
    pub direction: Option<m::Direction>,
    /// Case-insensitive substring of code, description or method.
    pub search: Option<String>,
}

/// Which column groups a batched objective page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectiveParent {
    Plan,
    ResponsibilityCentre,
}

/// A failed write, with what a client needs to correct it.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{entity} {key} not found")]
    NotFound { entity: &'static str, key: String },
    /// Another write changed the object since the caller read it.
    #[error("{entity} {id} has version {actual}, not the expected {expected}")]
    VersionConflict {
        entity: &'static str,
        id: i32,
        expected: i32,
        actual: i32,
    },
    /// A uniqueness rule or a reference still in use prevents the write.
    #[error("{0}")]
    Conflict(String),
    /// The input cannot be stored; `field` names the field at fault when
    /// known, in storage's terms (`snake_case`: `last_year`,
    /// `responsibility_centre`); the API names it in its own.
    #[error("{message}")]
    Invalid {
        field: Option<String>,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl WriteError {
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        WriteError::Invalid {
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    /// A version check that updated nothing: the row is gone (`actual` is
    /// `None`) or another writer changed it (its version is `actual`).
    pub(crate) fn stale(entity: &'static str, id: i32, expected: i32, actual: Option<i32>) -> Self {
        match actual {
            None => WriteError::NotFound {
                entity,
                key: id.to_string(),
            },
            Some(actual) => WriteError::VersionConflict {
                entity,
                id,
                expected,
                actual,
            },
        }
    }
}

impl From<diesel::r2d2::PoolError> for WriteError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        WriteError::Store(StoreError::Pool(e))
    }
}

impl From<diesel::result::Error> for WriteError {
    // Constraint violations become client errors with messages that name no
    // table or constraint (classified once, in `crate::error`); anything
    // else stays a store error.
    fn from(e: diesel::result::Error) -> Self {
        if let diesel::result::Error::NotFound = e {
            return WriteError::NotFound {
                entity: "object",
                key: String::new(),
            };
        }
        WriteError::from_store(StoreError::from(e))
    }
}

impl WriteError {
    /// A store error in the terms of a write: a missing object, a conflict
    /// or invalid input where it is one of those, else a store error.
    pub(crate) fn from_store(e: StoreError) -> Self {
        use crate::error::ConstraintKind as K;
        match e {
            StoreError::NotFound { entity, key } => WriteError::NotFound { entity, key },
            StoreError::Constraint {
                kind: K::Unique | K::Reference,
                message,
            } => WriteError::Conflict(message),
            StoreError::Constraint {
                kind: K::Check | K::Required,
                message,
            } => WriteError::Invalid {
                field: None,
                message,
            },
            other => WriteError::Store(other),
        }
    }
}

/// Result of writes.
pub type WriteResult<T> = Result<T, WriteError>;

/// Changes to a plan; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, diesel::AsChangeset)]
#[diesel(table_name = crate::schema::plans)]
pub struct PlanChanges {
    pub code: Option<String>,
    pub administration: Option<Option<String>>,
    pub title: Option<String>,
    pub first_year: Option<i32>,
    pub last_year: Option<i32>,
    pub notes: Option<String>,
}

/// Changes to an objective; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, diesel::AsChangeset)]
#[diesel(table_name = crate::schema::objectives)]
pub struct ObjectiveChanges {
    pub responsibility_centre_id: Option<i32>,
    pub code: Option<String>,
    pub year: Option<i32>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub other_offices: Option<String>,
    pub external_bodies: Option<String>,
    pub start_date: Option<Option<chrono::NaiveDate>>,
    pub end_date: Option<Option<chrono::NaiveDate>>,
    pub max_score_points: Option<Option<i32>>,
    pub max_score_out_of: Option<Option<i32>>,
    pub amended_fields: Option<String>,
}

/// The links of an objective; `None` keeps a list as it is, `Some` replaces
/// it (in the given order).
#[derive(Debug, Clone, Default)]
pub struct ObjectiveLinks {
    pub office_ids: Option<Vec<i32>>,
    pub strategic_objective_ids: Option<Vec<i32>>,
    pub annual_objective_ids: Option<Vec<i32>>,
    pub action_ids: Option<Vec<i32>>,
}

/// Changes to an indicator; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, diesel::AsChangeset)]
#[diesel(table_name = crate::schema::indicators)]
pub struct IndicatorChanges {
    pub code: Option<String>,
    pub description: Option<String>,
    pub method: Option<String>,
    pub kind: Option<String>,
    pub unit: Option<m::Unit>,
    pub direction: Option<m::Direction>,
    pub baseline_raw: Option<Option<String>>,
    pub baseline_comparator: Option<Option<m::Comparator>>,
    pub baseline_number: Option<Option<Number>>,
    pub baseline_unit: Option<Option<m::Unit>>,
    pub baseline_note: Option<Option<String>>,
    pub amended_fields: Option<String>,
}

impl IndicatorChanges {
    /// Replaces the baseline with `baseline` (`None` clears it).
    pub fn set_baseline(&mut self, baseline: Option<&m::Measure>) {
        let (raw, comparator, number, unit, note) = crate::store::measure_columns(baseline);
        self.baseline_raw = Some(raw);
        self.baseline_comparator = Some(comparator);
        self.baseline_number = Some(number);
        self.baseline_unit = Some(unit);
        self.baseline_note = Some(note);
    }
}

/// Changes to a target; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, diesel::AsChangeset)]
#[diesel(table_name = crate::schema::targets)]
pub struct TargetChanges {
    pub year: Option<i32>,
    pub raw: Option<String>,
    pub comparator: Option<Option<m::Comparator>>,
    pub number: Option<Option<Number>>,
    pub unit: Option<Option<m::Unit>>,
    pub note: Option<Option<String>>,
    pub amended: Option<bool>,
}

impl TargetChanges {
    /// Replaces the target's value with `value`.
    pub fn set_value(&mut self, value: &m::Measure) {
        let (raw, comparator, number, unit, note) = crate::store::measure_columns(Some(value));
        self.raw = raw;
        self.comparator = Some(comparator);
        self.number = Some(number);
        self.unit = Some(unit);
        self.note = Some(note);
    }
}

/// Changes to a phase; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, diesel::AsChangeset)]
#[diesel(table_name = crate::schema::phases)]
pub struct PhaseChanges {
    pub code: Option<String>,
    pub description: Option<String>,
    pub start_date: Option<Option<chrono::NaiveDate>>,
    pub end_date: Option<Option<chrono::NaiveDate>>,
    pub expected_result: Option<String>,
    pub weight_bp: Option<Option<i32>>,
    pub amended_fields: Option<String>,
}

/// What a measurement write records.
#[derive(Debug, Clone)]
pub struct MeasurementInput {
    pub indicator_id: i32,
    pub period: String,
    pub value: Number,
    pub numerator: Option<Number>,
    pub denominator: Option<Number>,
    pub source: String,
    pub recorded_by: String,
}

/// The storage side of the GraphQL API, for one database.
#[derive(Debug, Clone, Copy)]
pub struct GraphStore<'a>(&'a Database);

impl Database {
    /// The queries and writes behind the GraphQL API.
    pub fn graph(&self) -> GraphStore<'_> {
        GraphStore(self)
    }
}

/// Declares `GraphStore` methods that forward to the query of the same
/// name in a query module of the database's backend: `graph` names the
/// mutations' module, any other name an entity module.
macro_rules! forward {
    ($( $module:ident { $($body:tt)* } )*) => {
        $( forward!(@group $module $($body)*); )*
    };
    (@group graph $( $(#[$doc:meta])* fn $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty; )*) => {
        impl GraphStore<'_> {
            $(
                $(#[$doc])*
                pub fn $name(&self, $($arg: $ty),*) -> $ret {
                    crate::backend::on_backend!(self.0, |conn, b| b::graph::$name(conn, $($arg),*))
                }
            )*
        }
    };
    (@group $module:ident $( $(#[$doc:meta])* fn $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty; )*) => {
        impl GraphStore<'_> {
            $(
                $(#[$doc])*
                pub fn $name(&self, $($arg: $ty),*) -> $ret {
                    crate::backend::on_backend!(self.0, |conn, b| b::entity::$module::$name(conn, $($arg),*))
                }
            )*
        }
    };
}

type R<T> = Result<T, StoreError>;
type W<T> = WriteResult<T>;

forward! {
    plan {
        /// Plans by id.
        fn plans_by_ids(ids: &[i32]) -> R<Vec<rows::Plan>>;
        /// Plans by code.
        fn plans_by_codes(codes: &[String]) -> R<Vec<rows::Plan>>;
        /// A page of plans, sorted by code.
        fn plans_page(filter: &PlanFilter, page: &PageRequest) -> R<Vec<rows::Plan>>;
        fn plans_count(filter: &PlanFilter) -> R<i64>;
    }
    budget {
        fn missions_by_ids(ids: &[i32]) -> R<Vec<rows::Mission>>;
        fn missions_by_codes(codes: &[String]) -> R<Vec<rows::Mission>>;
        /// A page of missions, sorted by code.
        fn missions_page(filter: &BudgetFilter, page: &PageRequest) -> R<Vec<rows::Mission>>;
        fn missions_count(filter: &BudgetFilter) -> R<i64>;
        fn programs_by_ids(ids: &[i32]) -> R<Vec<rows::Program>>;
        fn programs_by_codes(codes: &[String]) -> R<Vec<rows::Program>>;
        /// Programs of missions, sorted by code.
        fn programs_of_missions(ids: &[i32]) -> R<Vec<rows::Program>>;
        /// A page of programs, sorted by code.
        fn programs_page(filter: &BudgetFilter, page: &PageRequest) -> R<Vec<rows::Program>>;
        fn programs_count(filter: &BudgetFilter) -> R<i64>;
        fn actions_by_ids(ids: &[i32]) -> R<Vec<rows::Action>>;
        /// Actions of programs, sorted by name.
        fn actions_of_programs(ids: &[i32]) -> R<Vec<rows::Action>>;
        /// A page of actions, sorted by name.
        fn actions_page(filter: &BudgetFilter, page: &PageRequest) -> R<Vec<rows::Action>>;
        fn actions_count(filter: &BudgetFilter) -> R<i64>;
        /// The budget links of objectives: (objective id, action, program,
        /// mission), in the order of the sheets.
        fn budget_of_objectives(ids: &[i32]) -> R<Vec<(i32, rows::Action, rows::Program, rows::Mission)>>;
        /// Objectives financed by actions: (action id, objective).
        fn objectives_of_actions(ids: &[i32]) -> R<Vec<(i32, rows::Objective)>>;
    }
    centre {
        fn responsibility_centres_by_ids(ids: &[i32]) -> R<Vec<rows::ResponsibilityCentre>>;
        /// Responsibility centres of plans, sorted by name.
        fn responsibility_centres_of_plans(ids: &[i32]) -> R<Vec<rows::ResponsibilityCentre>>;
        /// A page of responsibility centres, sorted by name.
        fn responsibility_centres_page(filter: &PlanPartFilter, page: &PageRequest) -> R<Vec<rows::ResponsibilityCentre>>;
        fn responsibility_centres_count(filter: &PlanPartFilter) -> R<i64>;
        fn offices_by_ids(ids: &[i32]) -> R<Vec<rows::Office>>;
        /// Offices of responsibility centres, sorted by name.
        fn offices_of_centres(ids: &[i32]) -> R<Vec<rows::Office>>;
        /// Offices of objectives: (objective id, office), in sheet order.
        fn offices_of_objectives(ids: &[i32]) -> R<Vec<(i32, rows::Office)>>;
        /// Objectives of offices: (office id, objective).
        fn objectives_of_offices(ids: &[i32]) -> R<Vec<(i32, rows::Objective)>>;
    }
    objective {
        fn strategic_objectives_by_ids(ids: &[i32]) -> R<Vec<rows::StrategicObjective>>;
        /// Strategic objectives of plans, sorted by code.
        fn strategic_objectives_of_plans(ids: &[i32]) -> R<Vec<rows::StrategicObjective>>;
        /// A page of strategic objectives, sorted by code.
        fn strategic_objectives_page(filter: &PlanPartFilter, page: &PageRequest) -> R<Vec<rows::StrategicObjective>>;
        fn strategic_objectives_count(filter: &PlanPartFilter) -> R<i64>;
        /// Strategic objectives linked to objectives: (objective id, strategic
        /// objective), in sheet order.
        fn strategic_objectives_of_objectives(ids: &[i32]) -> R<Vec<(i32, rows::StrategicObjective)>>;
        /// Objectives linked to strategic objectives: (strategic id, objective).
        fn objectives_of_strategic_objectives(ids: &[i32]) -> R<Vec<(i32, rows::Objective)>>;
        fn annual_objectives_by_ids(ids: &[i32]) -> R<Vec<rows::AnnualObjective>>;
        /// Annual objectives of plans, sorted by code.
        fn annual_objectives_of_plans(ids: &[i32]) -> R<Vec<rows::AnnualObjective>>;
        /// Annual objectives under strategic objectives, sorted by code.
        fn annual_objectives_of_strategic(ids: &[i32]) -> R<Vec<rows::AnnualObjective>>;
        /// A page of annual objectives, sorted by code.
        fn annual_objectives_page(filter: &PlanPartFilter, page: &PageRequest) -> R<Vec<rows::AnnualObjective>>;
        fn annual_objectives_count(filter: &PlanPartFilter) -> R<i64>;
        /// Annual objectives linked to objectives: (objective id, annual objective).
        fn annual_objectives_of_objectives(ids: &[i32]) -> R<Vec<(i32, rows::AnnualObjective)>>;
        /// Objectives linked to annual objectives: (annual id, objective).
        fn objectives_of_annual_objectives(ids: &[i32]) -> R<Vec<(i32, rows::Objective)>>;
        fn objectives_by_ids(ids: &[i32]) -> R<Vec<rows::Objective>>;
        /// Objectives by (plan code, objective code).
        fn objectives_by_codes(keys: &[(String, String)]) -> R<Vec<(String, rows::Objective)>>;
        /// A page of objectives matching `filter`.
        fn objectives_page(filter: &ObjectiveFilter, sort: ObjectiveSort, page: &PageRequest) -> R<Vec<rows::Objective>>;
        fn objectives_count(filter: &ObjectiveFilter) -> R<i64>;
        /// The same page of objectives for each of several parents, in one
        /// statement: rows grouped by parent id, each group at most
        /// `page.limit` long.
        fn objectives_pages_of(parent: ObjectiveParent, ids: &[i32], filter: &ObjectiveFilter, sort: ObjectiveSort, page: &PageRequest) -> R<HashMap<i32, Vec<rows::Objective>>>;
        /// Number of objectives matching `filter` per parent, in one statement.
        fn objectives_counts_of(parent: ObjectiveParent, ids: &[i32], filter: &ObjectiveFilter) -> R<HashMap<i32, i64>>;
    }
    indicator {
        fn indicators_by_ids(ids: &[i32]) -> R<Vec<rows::Indicator>>;
        /// Indicators of objectives, in sheet order.
        fn indicators_of_objectives(ids: &[i32]) -> R<Vec<rows::Indicator>>;
        /// Indicators by (plan code, objective code, indicator code).
        fn indicators_by_codes(keys: &[(String, String, String)]) -> R<Vec<(String, String, rows::Indicator)>>;
        /// A page of indicators matching `filter`.
        fn indicators_page(filter: &IndicatorFilter, sort: IndicatorSort, page: &PageRequest) -> R<Vec<rows::Indicator>>;
        fn indicators_count(filter: &IndicatorFilter) -> R<i64>;
    }
    target {
        fn targets_by_ids(ids: &[i32]) -> R<Vec<rows::Target>>;
        /// Targets of indicators, by year.
        fn targets_of_indicators(ids: &[i32]) -> R<Vec<rows::Target>>;
    }
    phase {
        fn phases_by_ids(ids: &[i32]) -> R<Vec<rows::Phase>>;
        /// Phases of objectives, in sheet order.
        fn phases_of_objectives(ids: &[i32]) -> R<Vec<rows::Phase>>;
    }
    measurement {
        fn measurements_by_ids(ids: &[i32]) -> R<Vec<rows::Measurement>>;
        /// Measurements of indicators whose period lies within `from`..=`to`
        /// (either bound optional), by period start.
        fn measurements_of_indicators(ids: &[i32], from: Option<chrono::NaiveDate>, to: Option<chrono::NaiveDate>) -> R<Vec<rows::Measurement>>;
        /// For each indicator, its measurement with the latest period end (ties:
        /// the shortest period, then the latest recorded).
        fn latest_measurements(ids: &[i32]) -> R<Vec<rows::Measurement>>;
    }
    area {
        fn areas_by_ids(ids: &[i32]) -> R<Vec<rows::Area>>;
        /// Areas of plans, in document order.
        fn areas_of_plans(ids: &[i32]) -> R<Vec<rows::Area>>;
        /// A page of areas, in document order.
        fn areas_page(filter: &PlanPartFilter, page: &PageRequest) -> R<Vec<rows::Area>>;
        fn areas_count(filter: &PlanPartFilter) -> R<i64>;
        fn ambiti_by_ids(ids: &[i32]) -> R<Vec<rows::Ambito>>;
        /// Ambiti of areas, in document order.
        fn ambiti_of_areas(ids: &[i32]) -> R<Vec<rows::Ambito>>;
        /// A page of ambiti, sorted by name.
        fn ambiti_page(filter: &PlanPartFilter, page: &PageRequest) -> R<Vec<rows::Ambito>>;
        fn ambiti_count(filter: &PlanPartFilter) -> R<i64>;
        fn ambito_results_by_ids(ids: &[i32]) -> R<Vec<rows::AmbitoResult>>;
        /// Results of ambiti, in document order.
        fn results_of_ambiti(ids: &[i32]) -> R<Vec<rows::AmbitoResult>>;
    }
    finding {
        fn findings_by_ids(ids: &[i32]) -> R<Vec<rows::Finding>>;
        /// Findings of plans, in document order.
        fn findings_of_plans(ids: &[i32]) -> R<Vec<rows::Finding>>;
        /// Findings about objects: keys are (plan id, entity, entity code).
        fn findings_about(keys: &[(i32, String, String)]) -> R<Vec<rows::Finding>>;
    }
    source_location {
        /// Source locations of objects: keys are (plan id, entity, entity code).
        fn sources_about(keys: &[(i32, String, String)]) -> R<Vec<rows::SourceLocation>>;
    }
    indicator {
        /// The objective each indicator belongs to: (indicator id, objective id).
        fn objective_ids_of_indicators(ids: &[i32]) -> R<Vec<(i32, i32)>>;
    }
    graph {
        fn create_plan(row: &rows::NewPlan) -> W<rows::Plan>;
        /// Applies `changes` when the plan still has `expected_version`, and
        /// increments the version.
        fn update_plan(id: i32, expected_version: i32, changes: &PlanChanges) -> W<rows::Plan>;
        fn delete_plan_by_id(id: i32) -> W<()>;
        fn create_mission(code: &str, name: &str) -> W<rows::Mission>;
        fn update_mission(id: i32, code: Option<&str>, name: Option<&str>) -> W<rows::Mission>;
        fn delete_mission(id: i32) -> W<()>;
        fn create_program(mission_id: i32, code: &str, name: &str) -> W<rows::Program>;
        fn update_program(id: i32, mission_id: Option<i32>, code: Option<&str>, name: Option<&str>) -> W<rows::Program>;
        fn delete_program(id: i32) -> W<()>;
        fn create_action(program_id: i32, name: &str) -> W<rows::Action>;
        fn update_action(id: i32, program_id: Option<i32>, name: Option<&str>) -> W<rows::Action>;
        fn delete_action(id: i32) -> W<()>;
        fn create_responsibility_centre(plan_id: i32, name: &str, head: Option<&str>) -> W<rows::ResponsibilityCentre>;
        fn update_responsibility_centre(id: i32, name: Option<&str>, head: Option<Option<&str>>) -> W<rows::ResponsibilityCentre>;
        fn delete_responsibility_centre(id: i32) -> W<()>;
        fn create_office(centre_id: i32, name: &str) -> W<rows::Office>;
        fn update_office(id: i32, name: &str) -> W<rows::Office>;
        fn delete_office(id: i32) -> W<()>;
        fn create_strategic_objective(plan_id: i32, code: &str, title: &str) -> W<rows::StrategicObjective>;
        fn update_strategic_objective(id: i32, code: Option<&str>, title: Option<&str>) -> W<rows::StrategicObjective>;
        fn delete_strategic_objective(id: i32) -> W<()>;
        fn create_annual_objective(plan_id: i32, strategic_id: Option<i32>, code: &str, title: &str) -> W<rows::AnnualObjective>;
        fn update_annual_objective(id: i32, strategic_id: Option<Option<i32>>, code: Option<&str>, title: Option<&str>) -> W<rows::AnnualObjective>;
        fn delete_annual_objective(id: i32) -> W<()>;
        /// Creates an objective at the end of its plan, with its links.
        fn create_objective(row: &rows::NewObjective, links: &ObjectiveLinks) -> W<rows::Objective>;
        fn update_objective(id: i32, expected_version: i32, changes: &ObjectiveChanges, links: &ObjectiveLinks) -> W<rows::Objective>;
        fn delete_objective(id: i32) -> W<()>;
        /// Creates an indicator at the end of its objective.
        fn create_indicator(row: &rows::NewIndicator) -> W<rows::Indicator>;
        fn update_indicator(id: i32, expected_version: i32, changes: &IndicatorChanges) -> W<rows::Indicator>;
        fn delete_indicator(id: i32) -> W<()>;
        /// Targets are versioned through their indicator: each target write
        /// checks and increments the indicator's version.
        fn create_target(row: &rows::NewTarget, expected_version: i32) -> W<rows::Target>;
        fn update_target(id: i32, expected_version: i32, changes: &TargetChanges) -> W<rows::Target>;
        /// Returns the deleted target.
        fn delete_target(id: i32, expected_version: i32) -> W<rows::Target>;
        /// Phases are versioned through their objective, like targets.
        fn create_phase(row: &rows::NewPhase, expected_version: i32) -> W<rows::Phase>;
        fn update_phase(id: i32, expected_version: i32, changes: &PhaseChanges) -> W<rows::Phase>;
        fn delete_phase(id: i32, expected_version: i32) -> W<rows::Phase>;
        fn create_area(plan_id: i32, name: Option<&str>, subtitle: Option<&str>, introduction: &str) -> W<rows::Area>;
        fn update_area(id: i32, name: Option<Option<&str>>, subtitle: Option<Option<&str>>, introduction: Option<&str>) -> W<rows::Area>;
        fn delete_area(id: i32) -> W<()>;
        fn create_ambito(area_id: i32, name: &str, objective: &str) -> W<rows::Ambito>;
        fn update_ambito(id: i32, name: Option<&str>, objective: Option<&str>) -> W<rows::Ambito>;
        fn delete_ambito(id: i32) -> W<()>;
        fn create_ambito_result(ambito_id: i32, year: i32, kind: m::ResultKind, text: &str) -> W<rows::AmbitoResult>;
        fn update_ambito_result(id: i32, year: Option<i32>, kind: Option<m::ResultKind>, text: Option<&str>) -> W<rows::AmbitoResult>;
        fn delete_ambito_result(id: i32) -> W<()>;
        /// Records the value of an indicator for a period, replacing the value
        /// recorded earlier for the same period.
        fn record_measurement(input: &MeasurementInput) -> W<rows::Measurement>;
        /// Returns the deleted measurement.
        fn delete_measurement(id: i32) -> W<rows::Measurement>;
    }
}
