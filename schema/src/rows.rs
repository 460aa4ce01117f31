//! Row types: what a table row reads as (`Queryable`, `Selectable`) and what
//! an insert or update writes (`Insertable`, `AsChangeset`). They mirror the
//! tables, not the document model or the GraphQL types; conversions live in
//! [`crate::store`].

use crate::sql_types::Number;
use chrono::{NaiveDate, NaiveDateTime};
use cruscotto_model as m;
use diesel::prelude::*;

use crate::schema::*;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = plans, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Plan {
    pub id: i32,
    pub code: String,
    pub kind: m::PlanKind,
    pub administration: Option<String>,
    pub title: String,
    pub first_year: i32,
    pub last_year: i32,
    pub notes: String,
    pub source_file: Option<String>,
    pub imported_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = plans, treat_none_as_null = true)]
pub struct NewPlan {
    pub code: String,
    pub kind: m::PlanKind,
    pub administration: Option<String>,
    pub title: String,
    pub first_year: i32,
    pub last_year: i32,
    pub notes: String,
    pub source_file: Option<String>,
    pub imported_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = missions, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Mission {
    pub id: i32,
    pub code: String,
    pub name: String,
    /// [`budget_order_key`] of the code.
    pub sort_key: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = programs, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Program {
    pub id: i32,
    pub mission_id: i32,
    pub code: String,
    pub name: String,
    /// [`budget_order_key`] of the code.
    pub sort_key: String,
}

/// The key that sorts budget codes in budget order: numerically segment
/// by segment (`1, 2, 10`; `1.1, 1.2, 1.10`), which text order is not. Every
/// numeric segment of up to 8 digits is left-padded with zeros to 8; other
/// segments stay as they are. The migration that added the keys computes
/// the same in SQL.
pub fn budget_order_key(code: &str) -> String {
    code.split('.')
        .map(|segment| {
            if !segment.is_empty()
                && segment.len() <= 8
                && segment.bytes().all(|b| b.is_ascii_digit())
            {
                format!("{segment:0>8}")
            } else {
                segment.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod budget_order_tests {
    #[test]
    fn codes_sort_numerically_segment_by_segment() {
        let mut codes = ["10", "2", "1", "1.10", "1.2", "1.1", "M1.2", "26.7.3"];
        codes.sort_by_key(|c| super::budget_order_key(c));
        assert_eq!(
            codes,
            ["1", "1.1", "1.2", "1.10", "2", "10", "26.7.3", "M1.2"]
        );
        assert_eq!(super::budget_order_key("26.7"), "00000026.00000007");
        assert_eq!(super::budget_order_key("123456789"), "123456789");
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = actions, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Action {
    pub id: i32,
    pub program_id: i32,
    pub name: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = responsibility_centres, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ResponsibilityCentre {
    pub id: i32,
    pub plan_id: i32,
    pub name: String,
    pub head: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = offices, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Office {
    pub id: i32,
    pub responsibility_centre_id: i32,
    pub name: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = strategic_objectives, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct StrategicObjective {
    pub id: i32,
    pub plan_id: i32,
    pub code: String,
    pub title: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = annual_objectives, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AnnualObjective {
    pub id: i32,
    pub plan_id: i32,
    pub strategic_objective_id: Option<i32>,
    pub code: String,
    pub title: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = objectives, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Objective {
    pub id: i32,
    pub plan_id: i32,
    pub responsibility_centre_id: i32,
    pub position: i32,
    pub code: String,
    pub year: i32,
    pub title: String,
    pub description: String,
    pub offices_text: String,
    pub strategic_objectives_text: String,
    pub annual_objectives_text: String,
    pub other_offices: String,
    pub external_bodies: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub max_score_points: Option<i32>,
    pub max_score_out_of: Option<i32>,
    pub amended_fields: String,
    pub notes: String,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = objectives, treat_none_as_null = true)]
pub struct NewObjective {
    pub plan_id: i32,
    pub responsibility_centre_id: i32,
    pub position: i32,
    pub code: String,
    pub year: i32,
    pub title: String,
    pub description: String,
    pub offices_text: String,
    pub strategic_objectives_text: String,
    pub annual_objectives_text: String,
    pub other_offices: String,
    pub external_bodies: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub max_score_points: Option<i32>,
    pub max_score_out_of: Option<i32>,
    pub amended_fields: String,
    pub notes: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = indicators, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Indicator {
    pub id: i32,
    pub objective_id: i32,
    pub position: i32,
    pub code: String,
    pub description: String,
    pub method: String,
    pub kind: String,
    pub unit: m::Unit,
    pub direction: m::Direction,
    pub baseline_raw: Option<String>,
    pub baseline_comparator: Option<m::Comparator>,
    pub baseline_number: Option<Number>,
    pub baseline_unit: Option<m::Unit>,
    pub baseline_note: Option<String>,
    pub calculator_id: Option<String>,
    pub calculator_params: Option<String>,
    pub calculator_guessed: bool,
    pub amended_fields: String,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = indicators, treat_none_as_null = true)]
pub struct NewIndicator {
    pub objective_id: i32,
    pub position: i32,
    pub code: String,
    pub description: String,
    pub method: String,
    pub kind: String,
    pub unit: m::Unit,
    pub direction: m::Direction,
    pub baseline_raw: Option<String>,
    pub baseline_comparator: Option<m::Comparator>,
    pub baseline_number: Option<Number>,
    pub baseline_unit: Option<m::Unit>,
    pub baseline_note: Option<String>,
    pub calculator_id: Option<String>,
    pub calculator_params: Option<String>,
    pub calculator_guessed: bool,
    pub amended_fields: String,
}

/// The [`m::Measure`] stored as `raw` with the columns read from it: a
/// target's (`Target`), or a baseline's (`Indicator::baseline_*`) when it
/// has a `raw`. The one way back from the columns [`NewTarget::new`] and
/// [`NewIndicator::with_baseline`] write.
pub fn measure(
    raw: String,
    comparator: Option<m::Comparator>,
    number: Option<Number>,
    unit: Option<m::Unit>,
    note: Option<String>,
) -> m::Measure {
    m::Measure {
        raw,
        comparator,
        number: number.map(|n| n.0),
        unit,
        note,
    }
}

impl NewIndicator {
    /// The indicator with its baseline columns set from `baseline`.
    pub fn with_baseline(self, baseline: Option<&m::Measure>) -> Self {
        let (baseline_raw, baseline_comparator, baseline_number, baseline_unit, baseline_note) =
            crate::store::measure_columns(baseline);
        NewIndicator {
            baseline_raw,
            baseline_comparator,
            baseline_number,
            baseline_unit,
            baseline_note,
            ..self
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = targets, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Target {
    pub id: i32,
    pub indicator_id: i32,
    pub year: i32,
    pub raw: String,
    pub comparator: Option<m::Comparator>,
    pub number: Option<Number>,
    pub unit: Option<m::Unit>,
    pub note: Option<String>,
    pub amended: bool,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = targets)]
pub struct NewTarget {
    pub indicator_id: i32,
    pub year: i32,
    pub raw: String,
    pub comparator: Option<m::Comparator>,
    pub number: Option<Number>,
    pub unit: Option<m::Unit>,
    pub note: Option<String>,
    pub amended: bool,
}

impl NewTarget {
    /// The target of `year` for indicator `indicator_id`, as published in
    /// `value`.
    pub fn new(indicator_id: i32, year: i32, value: &m::Measure, amended: bool) -> Self {
        NewTarget {
            indicator_id,
            year,
            raw: value.raw.clone(),
            comparator: value.comparator,
            number: value.number.map(Number),
            unit: value.unit,
            note: value.note.clone(),
            amended,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = phases, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Phase {
    pub id: i32,
    pub objective_id: i32,
    pub position: i32,
    pub code: String,
    pub description: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub expected_result: String,
    pub weight_bp: Option<i32>,
    pub amended_fields: String,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = phases, treat_none_as_null = true)]
pub struct NewPhase {
    pub objective_id: i32,
    pub position: i32,
    pub code: String,
    pub description: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub expected_result: String,
    pub weight_bp: Option<i32>,
    pub amended_fields: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = areas, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Area {
    pub id: i32,
    pub plan_id: i32,
    pub position: i32,
    pub name: Option<String>,
    pub subtitle: Option<String>,
    pub introduction: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = ambiti, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Ambito {
    pub id: i32,
    pub area_id: i32,
    pub position: i32,
    pub name: String,
    pub objective: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = ambito_results, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AmbitoResult {
    pub id: i32,
    pub ambito_id: i32,
    pub position: i32,
    pub year: i32,
    pub kind: m::ResultKind,
    pub text: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = ambito_results)]
pub struct NewAmbitoResult {
    pub ambito_id: i32,
    pub position: i32,
    pub year: i32,
    pub kind: m::ResultKind,
    pub text: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = measurements, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Measurement {
    pub id: i32,
    pub indicator_id: i32,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub value: Number,
    pub numerator: Option<Number>,
    pub denominator: Option<Number>,
    pub source: String,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

/// `treat_none_as_default_value = false`: a missing numerator is bound as
/// NULL rather than `DEFAULT`, which lets SQLite take many measurements in
/// one `INSERT … ON CONFLICT` statement (it has no `DEFAULT` keyword there).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = measurements, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct NewMeasurement {
    pub indicator_id: i32,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub value: Number,
    pub numerator: Option<Number>,
    pub denominator: Option<Number>,
    pub source: String,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

impl NewMeasurement {
    /// A measurement of `period`, with the period's columns derived from
    /// the parsed period (its canonical text, first and last day) and no
    /// numerator or denominator (set them with struct update syntax).
    pub fn new(
        indicator_id: i32,
        period: &crate::period::Period,
        value: Number,
        source: String,
        recorded_by: String,
        recorded_at: NaiveDateTime,
    ) -> Self {
        NewMeasurement {
            indicator_id,
            period: period.to_string(),
            period_start: period.start(),
            period_end: period.end(),
            value,
            numerator: None,
            denominator: None,
            source,
            recorded_by,
            recorded_at,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = findings, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Finding {
    pub id: i32,
    pub plan_id: i32,
    pub position: i32,
    pub entity: String,
    pub entity_code: String,
    pub code: String,
    pub message: String,
    pub line: Option<i32>,
    pub severity: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = findings)]
pub struct NewFinding {
    pub plan_id: i32,
    pub position: i32,
    pub entity: String,
    pub entity_code: String,
    pub code: String,
    pub message: String,
    pub line: Option<i32>,
    pub severity: String,
}

/// Where an imported object was read from (see `source_locations`).
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = source_locations, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct SourceLocation {
    pub id: i32,
    pub plan_id: i32,
    pub position: i32,
    pub entity: String,
    pub entity_code: String,
    pub file: String,
    pub line: Option<i32>,
    pub sheet: Option<String>,
    pub cell: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = source_locations)]
pub struct NewSourceLocation {
    pub plan_id: i32,
    pub position: i32,
    pub entity: String,
    pub entity_code: String,
    pub file: String,
    pub line: Option<i32>,
    pub sheet: Option<String>,
    pub cell: Option<String>,
}
