//! The enums of the graph. Those of the domain's vocabulary mirror the
//! types of `cruscotto-model` (`#[graphql(remote = …)]`: the compiler checks
//! that the variants match, and `From` converts both ways); storage takes
//! and gives the model's types.

use super::*;

/// Which published shape a plan has.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "cruscotto_model::PlanKind")]
pub enum PlanKind {
    /// Individual annual objective sheets with indicators and phases.
    AnnualObjectives,
    /// A multi-year plan of areas with ambiti and yearly results.
    MultiYear,
}

/// Unit of an indicator's values.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "cruscotto_model::Unit")]
pub enum Unit {
    /// Calendar days (e.g. payment delays).
    Days,
    /// Percent, 0 to 100 (values may exceed 100 where the method allows).
    Percent,
    /// A count or a sum.
    Count,
}

/// Whether a higher or a lower value of an indicator is better.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "cruscotto_model::Direction")]
pub enum Direction {
    /// More is better (most ratios and counts).
    HigherIsBetter,
    /// Less is better (delays, with targets like `<=10`).
    LowerIsBetter,
}

/// The comparator written before a target or baseline value.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "cruscotto_model::Comparator")]
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

/// Whether a result of an ambito was planned or achieved.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "cruscotto_model::ResultKind")]
pub enum ResultKind {
    /// *Risultati previsti*: planned.
    Expected,
    /// *Risultati*: achieved.
    Actual,
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
