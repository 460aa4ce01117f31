//! The TOML form of a mapping, as serde reads it (unknown keys refused).

use super::*;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMapping {
    pub(super) source: RawSource,
    #[serde(default)]
    pub(super) values: RawValues,
    #[serde(default)]
    pub(super) plan: RawPlan,
    pub(super) objective: Option<RawSection>,
    pub(super) indicator: Option<RawSection>,
    #[serde(default)]
    pub(super) rules: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    pub(super) format: Spanned<String>,
    pub(super) delimiter: Option<Spanned<String>>,
    pub(super) header_row: Option<Spanned<u32>>,
    pub(super) sheets: Option<Vec<String>>,
    #[serde(default)]
    pub(super) fill_down: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) ignore_columns: Vec<Spanned<String>>,
    pub(super) unwrap: Option<Spanned<String>>,
    pub(super) strip_markup: Option<bool>,
    #[serde(default)]
    pub(super) ignore: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawValues {
    #[serde(default)]
    pub(super) placeholders: Vec<String>,
    #[serde(default)]
    pub(super) comparators: BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPlan {
    pub(super) code: Option<Spanned<String>>,
    pub(super) kind: Option<Spanned<String>>,
    pub(super) title: Option<Spanned<String>>,
    pub(super) administration: Option<String>,
    pub(super) first_year: Option<i32>,
    pub(super) last_year: Option<i32>,
    #[serde(default)]
    pub(super) notes: Vec<String>,
}

/// The keys of `[objective]`, in the order of [`RawSection`]; a line rule
/// fills the first seven (a text gives no centre head and no budget).
pub(super) static OBJECTIVE_KEYS: [&str; 9] = [
    "code",
    "title",
    "description",
    "year",
    "start_date",
    "end_date",
    "responsibility_centre",
    "responsibility_centre_head",
    "budget",
];

/// The keys of `[indicator]`, in the order of [`RawSection`]; a line rule
/// fills the first six (its targets and baseline are rules of their own).
pub(super) static INDICATOR_KEYS: [&str; 10] = [
    "code",
    "description",
    "method",
    "kind",
    "unit",
    "direction",
    "baseline",
    "baseline_note",
    "no_quantitative_target",
    "targets",
];

/// `[objective]` and `[indicator]` of a table mapping, and `[[rules]]` of a
/// text mapping: one set of keys, each allowed where it makes sense.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSection {
    pub(super) code: Option<Spanned<toml::Value>>,
    pub(super) title: Option<Spanned<toml::Value>>,
    pub(super) description: Option<Spanned<toml::Value>>,
    pub(super) year: Option<Spanned<toml::Value>>,
    pub(super) start_date: Option<Spanned<toml::Value>>,
    pub(super) end_date: Option<Spanned<toml::Value>>,
    pub(super) responsibility_centre: Option<Spanned<toml::Value>>,
    pub(super) responsibility_centre_head: Option<Spanned<toml::Value>>,
    pub(super) budget: Option<RawBudget>,
    pub(super) method: Option<Spanned<toml::Value>>,
    pub(super) kind: Option<Spanned<toml::Value>>,
    pub(super) unit: Option<Spanned<toml::Value>>,
    pub(super) direction: Option<Spanned<toml::Value>>,
    pub(super) baseline: Option<Spanned<toml::Value>>,
    pub(super) baseline_note: Option<Spanned<toml::Value>>,
    pub(super) no_quantitative_target: Option<Spanned<RawCondition>>,
    #[serde(default)]
    pub(super) targets: Vec<RawTarget>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBudget {
    pub(super) mission_code: Spanned<toml::Value>,
    pub(super) mission_name: Spanned<toml::Value>,
    pub(super) program_code: Spanned<toml::Value>,
    pub(super) program_name: Spanned<toml::Value>,
    pub(super) action: Spanned<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCondition {
    pub(super) from: Spanned<String>,
    pub(super) is: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTarget {
    pub(super) columns: Option<Spanned<String>>,
    pub(super) year: Option<Spanned<toml::Value>>,
    pub(super) value: Option<Spanned<toml::Value>>,
    pub(super) note: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    #[serde(rename = "match")]
    pub(super) pattern: Spanned<String>,
    pub(super) make: Spanned<String>,
    pub(super) code: Option<Spanned<toml::Value>>,
    pub(super) title: Option<Spanned<toml::Value>>,
    pub(super) description: Option<Spanned<toml::Value>>,
    pub(super) year: Option<Spanned<toml::Value>>,
    pub(super) start_date: Option<Spanned<toml::Value>>,
    pub(super) end_date: Option<Spanned<toml::Value>>,
    pub(super) responsibility_centre: Option<Spanned<toml::Value>>,
    pub(super) method: Option<Spanned<toml::Value>>,
    pub(super) kind: Option<Spanned<toml::Value>>,
    pub(super) unit: Option<Spanned<toml::Value>>,
    pub(super) direction: Option<Spanned<toml::Value>>,
    pub(super) value: Option<Spanned<toml::Value>>,
    pub(super) note: Option<Spanned<toml::Value>>,
    pub(super) expected_result: Option<Spanned<toml::Value>>,
    pub(super) weight: Option<Spanned<toml::Value>>,
    pub(super) text: Option<Spanned<toml::Value>>,
}
