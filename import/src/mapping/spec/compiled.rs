//! The compiled form of a mapping: checked once, ready to read sources.

use super::*;

/// A checked mapping, ready to read sources.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// The mapping's file name, for messages that point into it.
    pub file: String,
    /// The mapping's text, to turn spans into lines and columns.
    pub(crate) text: String,
    pub source: Source,
    pub values: Values,
    pub plan: Plan,
    pub body: Body,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Ods,
    Text,
    Pdf,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Ods => "ods",
            Format::Text => "text",
            Format::Pdf => "pdf",
        }
    }

    pub fn is_table(self) -> bool {
        matches!(self, Format::Csv | Format::Xlsx | Format::Ods)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unwrap {
    None,
    Indented,
    Paragraph,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub format: Format,
    pub delimiter: u8,
    /// 1-based row of the column names.
    pub header_row: u32,
    pub sheets: Option<Vec<String>>,
    pub fill_down: Vec<Spanned<String>>,
    pub ignore_columns: Vec<Spanned<String>>,
    pub unwrap: Unwrap,
    pub strip_markup: bool,
    pub ignore: Vec<Regex>,
}

#[derive(Debug, Clone, Default)]
pub struct Values {
    pub placeholders: Vec<String>,
    /// Words before a number and the comparator they mean, longest first.
    pub comparators: Vec<(String, crate::model::Comparator)>,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub code: Option<Template>,
    pub kind: Option<crate::model::PlanKind>,
    pub title: Option<Template>,
    pub administration: Option<String>,
    pub first_year: Option<i32>,
    pub last_year: Option<i32>,
    pub notes: Vec<String>,
}

// One mapping per import: the size of its variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Body {
    Table {
        objective: ObjectiveSpec,
        indicator: Option<IndicatorSpec>,
    },
    Text {
        rules: Vec<Rule>,
    },
}

/// A value read from the source: a template, optionally cut by a pattern,
/// translated by a table, or replaced by a default when empty.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub template: Template,
    pub pattern: Option<Regex>,
    pub map: Option<BTreeMap<String, String>>,
    pub default: Option<String>,
    pub span: Range<usize>,
    /// Where the field is written in the mapping (`mapping.toml:27`), for
    /// errors of the data that the mapping can fix.
    pub at: String,
}

#[derive(Debug, Clone, Default)]
pub struct ObjectiveSpec {
    pub code: Option<Field>,
    pub title: Option<Field>,
    pub description: Option<Field>,
    pub year: Option<Field>,
    pub start_date: Option<Field>,
    pub end_date: Option<Field>,
    pub responsibility_centre: Option<Field>,
    pub responsibility_centre_head: Option<Field>,
    pub budget: Option<BudgetSpec>,
}

#[derive(Debug, Clone)]
pub struct BudgetSpec {
    pub mission_code: Field,
    pub mission_name: Field,
    pub program_code: Field,
    pub program_name: Field,
    pub action: Field,
}

#[derive(Debug, Clone, Default)]
pub struct IndicatorSpec {
    pub code: Option<Field>,
    pub description: Option<Field>,
    pub method: Option<Field>,
    pub kind: Option<Field>,
    pub unit: Option<Field>,
    pub direction: Option<Field>,
    pub baseline: Option<Field>,
    pub baseline_note: Option<Field>,
    pub no_quantitative_target: Option<Condition>,
    pub targets: Vec<TargetSpec>,
}

#[derive(Debug, Clone)]
pub struct Condition {
    pub from: Template,
    pub is: Vec<String>,
    pub span: Range<usize>,
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum TargetSpec {
    /// One target per column whose name matches; the first group (or the
    /// group named `year`) is the year.
    Columns {
        pattern: Regex,
        note: Option<Field>,
        span: Range<usize>,
    },
    /// One target per record.
    Fields {
        year: Field,
        value: Field,
        note: Option<Field>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Make {
    Objective,
    Indicator,
    Target,
    Baseline,
    Phase,
    Description,
    Ignore,
}

impl Make {
    pub(super) fn parse(s: &str) -> Option<Make> {
        Some(match s {
            "objective" => Make::Objective,
            "indicator" | "result" => Make::Indicator,
            "target" => Make::Target,
            "baseline" => Make::Baseline,
            "phase" | "action" => Make::Phase,
            "description" => Make::Description,
            "ignore" => Make::Ignore,
            _ => return None,
        })
    }

    pub(super) fn fields(self) -> &'static [&'static str] {
        match self {
            Make::Objective => &OBJECTIVE_KEYS[..7],
            Make::Indicator => &INDICATOR_KEYS[..6],
            Make::Target => &["year", "value", "note"],
            Make::Baseline => &["value", "note"],
            Make::Phase => &crate::model::Phase::FIELDS,
            Make::Description => &["text"],
            Make::Ignore => &[],
        }
    }
}

/// A line rule of a text mapping: lines matching `pattern` make `make`,
/// with fields filled from its named groups.
#[derive(Debug, Clone)]
pub struct Rule {
    pub pattern: Regex,
    pub make: Make,
    pub fields: BTreeMap<&'static str, Field>,
}

impl Rule {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.get(name)
    }
}
