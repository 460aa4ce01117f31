//! The enums of the graph and their stored forms.

use super::*;

/// Which published shape a plan has.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKind {
    /// Individual annual objective sheets with indicators and phases.
    AnnualObjectives,
    /// A multi-year plan of areas with ambiti and yearly results.
    MultiYear,
}

impl PlanKind {
    pub fn as_db(self) -> &'static str {
        match self {
            PlanKind::AnnualObjectives => "annual_objectives",
            PlanKind::MultiYear => "multi_year",
        }
    }

    pub(super) fn from_db(s: &str) -> ApiResult<Self> {
        match s {
            "annual_objectives" => Ok(PlanKind::AnnualObjectives),
            "multi_year" => Ok(PlanKind::MultiYear),
            other => Err(ApiError::internal(format!("unknown plan kind {other:?}"))),
        }
    }
}

/// Unit of an indicator's values.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Calendar days (e.g. payment delays).
    Days,
    /// Percent, 0 to 100 (values may exceed 100 where the method allows).
    Percent,
    /// A count or a sum.
    Count,
}

impl Unit {
    pub fn as_db(self) -> &'static str {
        match self {
            Unit::Days => "days",
            Unit::Percent => "percent",
            Unit::Count => "count",
        }
    }

    pub fn from_db(s: &str) -> Option<Self> {
        match s {
            "days" => Some(Unit::Days),
            "percent" => Some(Unit::Percent),
            "count" => Some(Unit::Count),
            _ => None,
        }
    }
}

/// Whether a higher or a lower value of an indicator is better.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// More is better (most ratios and counts).
    HigherIsBetter,
    /// Less is better (delays, with targets like `<=10`).
    LowerIsBetter,
}

impl Direction {
    pub fn as_db(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher_is_better",
            Direction::LowerIsBetter => "lower_is_better",
        }
    }

    pub(super) fn from_db(s: &str) -> ApiResult<Self> {
        match s {
            "higher_is_better" => Ok(Direction::HigherIsBetter),
            "lower_is_better" => Ok(Direction::LowerIsBetter),
            other => Err(ApiError::internal(format!("unknown direction {other:?}"))),
        }
    }
}

/// The comparator written before a target or baseline value.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    /// `<=`
    Le,
    /// `<`
    Lt,
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `=`, or no comparator written.
    Eq,
}

impl Comparator {
    pub fn as_db(self) -> &'static str {
        match self {
            Comparator::Le => "le",
            Comparator::Lt => "lt",
            Comparator::Ge => "ge",
            Comparator::Gt => "gt",
            Comparator::Eq => "eq",
        }
    }

    pub(super) fn from_db(s: &str) -> Option<Self> {
        match s {
            "le" => Some(Comparator::Le),
            "lt" => Some(Comparator::Lt),
            "ge" => Some(Comparator::Ge),
            "gt" => Some(Comparator::Gt),
            "eq" => Some(Comparator::Eq),
            _ => None,
        }
    }
}

/// Whether a result of an ambito was planned or achieved.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultKind {
    /// *Risultati previsti*: planned.
    Expected,
    /// *Risultati*: achieved.
    Actual,
}

impl ResultKind {
    pub fn as_db(self) -> &'static str {
        match self {
            ResultKind::Expected => "expected",
            ResultKind::Actual => "actual",
        }
    }

    pub(super) fn from_db(s: &str) -> ApiResult<Self> {
        match s {
            "expected" => Ok(ResultKind::Expected),
            "actual" => Ok(ResultKind::Actual),
            other => Err(ApiError::internal(format!("unknown result kind {other:?}"))),
        }
    }
}

/// Sort orders of objective lists.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ObjectiveOrder {
    /// Document order within each plan (the default).
    #[default]
    Position,
    /// By code (`A.1`, `A.10`, `A.2`: as text).
    Code,
    /// By title.
    Title,
}

impl ObjectiveOrder {
    pub(crate) fn sort(self) -> ObjectiveSort {
        match self {
            ObjectiveOrder::Position => ObjectiveSort::Position,
            ObjectiveOrder::Code => ObjectiveSort::Code,
            ObjectiveOrder::Title => ObjectiveSort::Title,
        }
    }

    pub(crate) fn tag(self) -> &'static str {
        match self {
            ObjectiveOrder::Position => "objective.position",
            ObjectiveOrder::Code => "objective.code",
            ObjectiveOrder::Title => "objective.title",
        }
    }

    pub(crate) fn key(self, o: &rows::Objective) -> (SortValue, i32) {
        let v = match self {
            ObjectiveOrder::Position => SortValue::Int(i64::from(o.position)),
            ObjectiveOrder::Code => SortValue::Text(o.code.clone()),
            ObjectiveOrder::Title => SortValue::Text(o.title.clone()),
        };
        (v, o.id)
    }
}

/// Sort orders of indicator lists.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IndicatorOrder {
    /// Order within each objective (the default).
    #[default]
    Position,
    /// By code.
    Code,
}
