//! The vocabulary of cruscotto: the document model, everything a plan
//! document says, independent of how it was published (text extract, JSON,
//! a mapped register) and of how it is stored, with the kinds, units,
//! directions and comparators every crate speaks of. Each is declared here
//! once, with its one stored form (`as_str`/`parse`): storage stores that
//! form, the API derives its GraphQL enums from these types
//! (`#[graphql(remote = …)]`, checked by the compiler), calculators use the
//! same [`Direction`].
//!
//! The parsers produce a [`PlanDocument`], the storage crate persists one and
//! rebuilds one for export, and the JSON form of a [`PlanDocument`] is the
//! project's lossless exchange format (`cruscotto export --format json`).
//! Lists keep the order of the document; that order is part of the data.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub mod payment;
pub mod period;
#[cfg(feature = "diesel")]
mod sql;

pub use payment::PaymentRecord;
pub use period::{Period, PeriodError, PeriodKind};

/// A closed vocabulary: each term has one spelling, the same in JSON, in
/// the database and in messages (GraphQL has its own enum names, derived
/// from these types).
pub trait Term: Copy + Sized + 'static {
    /// What the vocabulary is called in messages: `unit`, `direction`, …
    const NAME: &'static str;
    /// Every term, in declaration order.
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.as_str() == s)
    }
}

/// Declares a [`Term`] enum: each variant with its one spelling.
macro_rules! terms {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $what:literal {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "diesel", derive(diesel::AsExpression, diesel::FromSqlRow))]
        #[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)*
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                <Self as Term>::parse(s)
            }
        }

        impl Term for $name {
            const NAME: &'static str = $what;
            const ALL: &'static [Self] = &[$($name::$variant),*];
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        #[cfg(feature = "diesel")]
        sql::text_term!($name);
    };
}

/// Version of the JSON exchange format written in [`PlanDocument::format`].
pub const FORMAT_VERSION: &str = "cruscotto-plan/1";

/// One plan: either a set of annual objective sheets or a multi-year plan of
/// areas and ambiti (or, in principle, both).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDocument {
    /// Always [`FORMAT_VERSION`]; checked on import.
    pub format: String,
    pub plan: PlanInfo,
    /// Individual annual objectives (shape of the ministry sheets).
    #[serde(default)]
    pub objectives: Vec<Objective>,
    /// Areas with their ambiti (shape of the three-year agency plan).
    #[serde(default)]
    pub areas: Vec<Area>,
    /// Measured values of indicators, by period.
    #[serde(default)]
    pub measurements: Vec<Measurement>,
    /// Content problems found while reading the document. They do not stop
    /// an import (unless strict) and are stored with the plan.
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// Where each object was read from, when the reader knows (documents
    /// imported through a mapping). Absent from the JSON form when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceLocation>,
}

terms! {
    /// Which published shape a document has.
    pub enum PlanKind: "plan kind" {
        /// `OBIETTIVO INDIVIDUALE ANNUALE` sheets with indicators and phases.
        AnnualObjectives = "annual_objectives",
        /// Areas with `AMBITO` tables of three-year objectives and yearly results.
        MultiYear = "multi_year",
    }
}

/// The plan itself. `code` identifies it: importing a document with the same
/// code again updates that plan in place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInfo {
    pub code: String,
    pub kind: PlanKind,
    /// The publishing administration, when the document or the user says it.
    pub administration: Option<String>,
    pub title: String,
    pub first_year: i32,
    pub last_year: i32,
    /// Free notes of the document that belong to no object, e.g.
    /// "N.B: Si riportano le modifiche in grassetto corsivo".
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A link to a strategic (*obiettivo specifico*) or annual objective, as the
/// sheet names it: `Obiettivo 4.1 "Governance…"` → code `4.1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkedObjective {
    pub code: String,
    pub title: String,
}

/// `50/70`: up to 50 of the head's 70 points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaxScore {
    pub points: i32,
    pub out_of: i32,
}

/// One row of RISORSE FINANZIARIE: Missione → Programma → Azione.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetLink {
    /// `26`
    pub mission_code: String,
    /// `Politiche per il lavoro`
    pub mission_name: String,
    /// `26.7`
    pub program_code: String,
    pub program_name: String,
    /// Actions have no code in the documents: the name identifies them
    /// within their program.
    pub action: String,
}

/// The responsibility centre (CDR) owning an objective.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponsibilityCentre {
    pub name: String,
    pub head: Option<String>,
}

/// An individual annual objective sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    /// `A.1`
    pub code: String,
    pub year: i32,
    pub title: String,
    /// Rich text as published (may contain `<p>`, `<ul>`, `<i>`).
    pub description: String,
    pub responsibility_centre: ResponsibilityCentre,
    /// Uffici dirigenziali di II livello (referenti), one entry per office.
    pub offices: Vec<String>,
    /// The offices line as written, kept because its separators vary.
    pub offices_text: String,
    pub strategic_objectives: Vec<LinkedObjective>,
    pub annual_objectives: Vec<LinkedObjective>,
    /// The two link lines as written (one may be a placeholder).
    pub strategic_objectives_text: String,
    pub annual_objectives_text: String,
    /// Altri Uffici … coinvolti, as written (a comma list).
    pub other_offices: String,
    /// Strutture e/o soggetti esterni coinvolti, as written.
    pub external_bodies: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub max_score: Option<MaxScore>,
    pub budget: Vec<BudgetLink>,
    pub indicators: Vec<Indicator>,
    pub phases: Vec<Phase>,
    /// Names of the fields marked `<i>…</i>` (amended by a revision).
    #[serde(default)]
    pub amended_fields: Vec<String>,
    /// Notes printed after the sheet, e.g. the revision legend.
    #[serde(default)]
    pub notes: Vec<String>,
}

terms! {
    /// Whether a higher or a lower value is better.
    pub enum Direction: "direction" {
        HigherIsBetter = "higher_is_better",
        LowerIsBetter = "lower_is_better",
    }
}

terms! {
    /// Unit of an indicator's values.
    pub enum Unit: "unit" {
        Days = "days",
        Percent = "percent",
        Count = "count",
    }
}

terms! {
    /// Comparator of a target (`<=10`) or baseline.
    pub enum Comparator: "comparator" {
        /// `<=`
        Le = "le",
        /// `<`
        Lt = "lt",
        /// `>=`
        Ge = "ge",
        /// `>`
        Gt = "gt",
        /// `=` or no comparator written.
        Eq = "eq",
    }
}

/// A baseline or target as published (`raw`) and what could be read from it.
/// `1200 (con presenza di 6054 MSNA al 31 dicembre 2019)` → number 1200,
/// note `con presenza di 6054 MSNA al 31 dicembre 2019`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub raw: String,
    pub comparator: Option<Comparator>,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub number: Option<Decimal>,
    pub unit: Option<Unit>,
    pub note: Option<String>,
}

/// A yearly target of an indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub year: i32,
    pub value: Measure,
    #[serde(default)]
    pub amended: bool,
}

/// Which calculator computes an indicator, with what parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalculatorBinding {
    pub calculator: String,
    /// Parameters as a JSON object.
    pub params: serde_json::Value,
    /// True when the importer inferred the binding from the method text.
    pub guessed: bool,
}

/// An indicator of an objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// `1`, unique within the objective.
    pub code: String,
    pub description: String,
    /// The *metodo di calcolo* as written.
    pub method: String,
    /// The *Tipo* column (`Efficienza`, `Risultato (efficacia)`, …).
    pub kind: String,
    pub unit: Unit,
    pub direction: Direction,
    pub baseline: Option<Measure>,
    pub targets: Vec<Target>,
    pub calculator: Option<CalculatorBinding>,
    #[serde(default)]
    pub amended_fields: Vec<String>,
}

/// A weighted phase of an objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// `A.1.3`
    pub code: String,
    pub description: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub expected_result: String,
    /// Percent of the objective, 0 to 100 (`8%` → 8).
    #[serde(with = "rust_decimal::serde::str_option")]
    pub weight: Option<Decimal>,
    #[serde(default)]
    pub amended_fields: Vec<String>,
}

impl Phase {
    /// The names of the fields a sheet gives a phase, in the order of its
    /// columns: the words `amended_fields` holds and a mapping's rules fill.
    pub const FIELDS: [&'static str; 6] = [
        "code",
        "description",
        "start_date",
        "end_date",
        "expected_result",
        "weight",
    ];
}

/// An area of a multi-year plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// `None` where the heading is not in the document (the extract starts
    /// inside the first area).
    pub name: Option<String>,
    /// What follows the name in the heading, e.g.
    /// `Obiettivi operativi primari per l'annualità 2011`.
    pub subtitle: Option<String>,
    /// Narrative paragraphs between the heading and the first table.
    pub introduction: String,
    pub ambiti: Vec<Ambito>,
}

terms! {
    /// Whether a result was planned or achieved.
    pub enum ResultKind: "result kind" {
        Expected = "expected",
        Actual = "actual",
    }
}

/// One yearly result of an ambito, in the order of the table's columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmbitoResult {
    pub year: i32,
    pub kind: ResultKind,
    /// Narrative text as published (may contain HTML).
    pub text: String,
}

/// A row of an `AMBITO` table: a thematic scope with its three-year objective.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ambito {
    /// The name without wrapping `<p>` tags, cut words rejoined.
    pub name: String,
    /// `Obiettivi quali-quantitativi 2009-2011`.
    pub objective: String,
    pub results: Vec<AmbitoResult>,
}

/// A measured value of an indicator for a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measurement {
    /// Code of the objective the indicator belongs to.
    pub objective: String,
    /// Code of the indicator within the objective.
    pub indicator: String,
    /// `2020`, `2020-Q1` or `2020-03`.
    pub period: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
    #[serde(with = "rust_decimal::serde::str_option", default)]
    pub numerator: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::str_option", default)]
    pub denominator: Option<Decimal>,
    pub source: String,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
}

/// A content problem a real plan may contain: it is imported, attached to the
/// object it concerns, and turns into an error under `--strict`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// Stable machine-readable code, e.g. `phase_weights_not_100`.
    pub code: String,
    /// `objective`, `indicator`, `phase`, `target`, `ambito`, `plan`.
    pub entity: String,
    /// Path of the object within the plan: `A.1`, `A.1/1`, `A.1.3`.
    pub entity_code: String,
    pub message: String,
    /// 1-based line in the source document, when known.
    pub line: Option<u32>,
    pub severity: Severity,
}

impl Objective {
    /// Sum of the phase weights, a missing weight counting as zero; a plan
    /// expects 100.
    pub fn phase_weight_sum(&self) -> Decimal {
        self.phases.iter().filter_map(|p| p.weight).sum()
    }
}

/// Where an imported object was written in its source: a file and a line
/// (text, CSV) or a sheet and a cell (XLSX, ODS), so that a reviewer can go
/// from an object back to the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceLocation {
    /// `objective`, `indicator`, `target`, `phase` (as in [`Finding`]).
    pub entity: String,
    /// Path of the object within the plan: `A.1`, `A.1/1`, `A.1/1/2024`,
    /// `A.1.3`.
    pub entity_code: String,
    /// The source file as the importer named it.
    pub file: String,
    /// 1-based line (text and CSV sources; the record's first line).
    pub line: Option<u32>,
    /// Sheet name (workbooks).
    pub sheet: Option<String>,
    /// Cell reference such as `B7` (workbooks).
    pub cell: Option<String>,
}
