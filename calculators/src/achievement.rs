//! Achievement and score: measured value against target, objective
//! achievement, and points. Administrations differ in these rules, so they
//! all live here and this module can be replaced as a whole.
//!
//! # Rules
//!
//! Degree of achievement of an indicator, 0-100 %, rounded to 2 decimals:
//!
//! - The comparator comes from the target (`<=10` → at most, `>=80` → at
//!   least); a bare number (`100%`, `30`) takes it from the direction: higher
//!   is better → at least, lower is better → at most. An `=T` target is read
//!   the same way as a bare number: reaching it is what counts.
//! - At least `T`, with `T > 0`: `value / T × 100`, capped to 0..=100.
//! - At least `T`, with `T ≤ 0` (for example "0 complaints" phrased as a
//!   minimum, or a negative ITP target): 100 when `value ≥ T`, else 0, because
//!   a proportion of a zero or negative target means nothing.
//! - At most `T`: 100 when `value ≤ T`. Otherwise, when `T > 0`, `T / value ×
//!   100` (20 days against `<=10` gives 50 %); when `T ≤ 0` (for example `<=0`
//!   days of delay), 0, for the same reason as above.
//! - No value: no degree, status `NoData`.
//!
//! Status: 100 → `Achieved`; above 0 → `Partly`; 0 → `NotAchieved`.
//!
//! An objective's degree is the weighted mean of its indicators' degrees
//! (equal weights when none is given); indicators without data are left out
//! under [`NoDataPolicy::Skip`] or count 0 under [`NoDataPolicy::CountAsZero`].
//! Alternatively it is the phase-weighted completion of its phases. Its score
//! is degree / 100 × the maximum points (`50/70` → up to 50).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use crate::contract::Direction;
use crate::inputs::PhaseProgress;

/// How a target compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    /// `<=T`, `<T`, "entro T".
    AtMost,
    /// `>=T`, `>T`, "almeno T".
    AtLeast,
    /// `=T` or a bare number: read according to the direction.
    Reach,
}

/// A target: a comparator and a number, in the indicator's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// How the value compares to the number.
    pub comparator: Comparator,
    /// The number (`10` for `<=10` days, `100` for `100%`).
    pub value: Decimal,
}

impl Target {
    /// Extracts a target from free text such as `<=10`, `30gg`, `100%`,
    /// `>= 80 %`, `1200 (con presenza di …)`. Returns `None` when no number
    /// leads the text.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let (comparator, rest) = if let Some(r) = t
            .strip_prefix("<=")
            .or_else(|| t.strip_prefix('≤'))
            .or_else(|| t.strip_prefix('<'))
        {
            (Comparator::AtMost, r)
        } else if let Some(r) = t
            .strip_prefix(">=")
            .or_else(|| t.strip_prefix('≥'))
            .or_else(|| t.strip_prefix('>'))
        {
            (Comparator::AtLeast, r)
        } else if let Some(r) = t.strip_prefix('=') {
            (Comparator::Reach, r)
        } else {
            (Comparator::Reach, t)
        };
        let rest = rest.trim_start();
        let number: String = rest
            .chars()
            .enumerate()
            .take_while(|(i, c)| {
                c.is_ascii_digit() || *c == ',' || *c == '.' || (*i == 0 && *c == '-')
            })
            .map(|(_, c)| if c == ',' { '.' } else { c })
            .collect();
        let number = number.trim_end_matches('.');
        let value: Decimal = number.parse().ok()?;
        Some(Self { comparator, value })
    }
}

/// Whether an indicator or objective reached its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Degree 100 %.
    Achieved,
    /// Degree above 0 and below 100 %.
    Partly,
    /// Degree 0.
    NotAchieved,
    /// No value to judge.
    NoData,
}

/// A degree of achievement and its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Achievement {
    /// 0-100, `None` when there is no data.
    pub degree: Option<Decimal>,
    /// The status the degree implies.
    pub status: Status,
}

impl Achievement {
    /// The achievement for a degree (clamped to 0..=100 and rounded to 2 decimals).
    pub fn from_degree(degree: Decimal) -> Self {
        let degree = degree
            .clamp(Decimal::ZERO, Decimal::ONE_HUNDRED)
            .round_dp(2)
            .normalize();
        let status = if degree == Decimal::ONE_HUNDRED {
            Status::Achieved
        } else if degree > Decimal::ZERO {
            Status::Partly
        } else {
            Status::NotAchieved
        };
        Self {
            degree: Some(degree),
            status,
        }
    }

    /// No data.
    pub const NO_DATA: Self = Self {
        degree: None,
        status: Status::NoData,
    };
}

/// Degree of achievement of one indicator value against its target.
pub fn indicator_achievement(
    value: Option<Decimal>,
    target: &Target,
    direction: Direction,
) -> Achievement {
    let Some(v) = value else {
        return Achievement::NO_DATA;
    };
    let t = target.value;
    let at_most = match target.comparator {
        Comparator::AtMost => true,
        Comparator::AtLeast => false,
        Comparator::Reach => direction == Direction::LowerIsBetter,
    };
    let hundred = Decimal::ONE_HUNDRED;
    let degree = if at_most {
        if v <= t {
            hundred
        } else if t > Decimal::ZERO {
            // v > t > 0 here, so the division is safe.
            t / v * hundred
        } else {
            Decimal::ZERO
        }
    } else if t > Decimal::ZERO {
        v / t * hundred
    } else if v >= t {
        hundred
    } else {
        Decimal::ZERO
    };
    Achievement::from_degree(degree)
}

/// How indicators without data count in an objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoDataPolicy {
    /// Left out of the mean (the objective is judged on what was measured).
    #[default]
    Skip,
    /// Counted as 0 %.
    CountAsZero,
}

/// An objective's achievement from its indicators' achievements, each with an
/// optional weight (equal weights when all are `None`; a missing weight
/// among given ones counts 0).
pub fn objective_achievement(
    indicators: &[(Achievement, Option<Decimal>)],
    policy: NoDataPolicy,
) -> Achievement {
    let equal = indicators.iter().all(|(_, w)| w.is_none());
    let (mut num, mut den) = (Decimal::ZERO, Decimal::ZERO);
    for (a, w) in indicators {
        let w = if equal {
            Decimal::ONE
        } else {
            w.unwrap_or(Decimal::ZERO).max(Decimal::ZERO)
        };
        let degree = match (a.degree, policy) {
            (Some(d), _) => d,
            (None, NoDataPolicy::CountAsZero) => Decimal::ZERO,
            (None, NoDataPolicy::Skip) => continue,
        };
        num += w * degree;
        den += w;
    }
    if den.is_zero() {
        return Achievement::NO_DATA;
    }
    Achievement::from_degree(num / den)
}

/// An objective's achievement as the weighted completion of its phases.
pub fn phase_achievement(phases: &[PhaseProgress]) -> Achievement {
    let den: Decimal = phases.iter().map(|p| p.weight.max(Decimal::ZERO)).sum();
    if den.is_zero() {
        return Achievement::NO_DATA;
    }
    let num: Decimal = phases
        .iter()
        .map(|p| p.weight.max(Decimal::ZERO) * p.completion_percent)
        .sum();
    Achievement::from_degree(num / den)
}

/// A maximum score such as `50/70`: the objective's points and the head's total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaxScore {
    /// Points this objective can give (50).
    pub points: Decimal,
    /// Points available overall (70), when stated.
    pub out_of: Option<Decimal>,
}

impl MaxScore {
    /// Parses `50/70`, `50 / 70` or `50`.
    pub fn parse(text: &str) -> Option<Self> {
        let (points, out_of) = match text.split_once('/') {
            Some((p, o)) => (p.trim(), Some(o.trim())),
            None => (text.trim(), None),
        };
        let points: Decimal = points.replace(',', ".").parse().ok()?;
        let out_of = match out_of {
            Some(o) => Some(o.replace(',', ".").parse().ok()?),
            None => None,
        };
        Some(Self { points, out_of })
    }
}

/// Points earned: degree / 100 × the maximum points, rounded to 2 decimals;
/// `None` without data.
pub fn score(achievement: &Achievement, max: &MaxScore) -> Option<Decimal> {
    achievement.degree.map(|d| {
        (d / Decimal::ONE_HUNDRED * max.points)
            .round_dp(2)
            .normalize()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal as D;

    fn d(s: &str) -> D {
        s.parse().unwrap()
    }

    fn degree(value: &str, target: &str, direction: Direction) -> Option<D> {
        indicator_achievement(Some(d(value)), &Target::parse(target).unwrap(), direction).degree
    }

    #[test]
    fn targets_are_extracted_from_the_seed_texts() {
        assert_eq!(
            Target::parse("<=10"),
            Some(Target {
                comparator: Comparator::AtMost,
                value: d("10")
            })
        );
        assert_eq!(
            Target::parse("30gg"),
            Some(Target {
                comparator: Comparator::Reach,
                value: d("30")
            })
        );
        assert_eq!(
            Target::parse("100%"),
            Some(Target {
                comparator: Comparator::Reach,
                value: d("100")
            })
        );
        assert_eq!(
            Target::parse("1200 (con presenza di 6054 MSNA)").map(|t| t.value),
            Some(d("1200"))
        );
        assert_eq!(Target::parse(">= 78,5 %").map(|t| t.value), Some(d("78.5")));
        assert_eq!(Target::parse("Indicare il valore"), None);
    }

    #[test]
    fn higher_is_better_is_value_over_target_capped_at_100() {
        assert_eq!(
            degree("80", "100%", Direction::HigherIsBetter),
            Some(d("80"))
        );
        assert_eq!(
            degree("120", "100%", Direction::HigherIsBetter),
            Some(d("100"))
        );
        assert_eq!(
            degree("-5", "100%", Direction::HigherIsBetter),
            Some(d("0"))
        );
    }

    #[test]
    fn lower_is_better_is_full_within_target_and_target_over_value_beyond() {
        assert_eq!(
            degree("-3.2", "<=10", Direction::LowerIsBetter),
            Some(d("100"))
        );
        assert_eq!(
            degree("10", "<=10", Direction::LowerIsBetter),
            Some(d("100"))
        );
        assert_eq!(
            degree("20", "<=10", Direction::LowerIsBetter),
            Some(d("50"))
        );
        assert_eq!(
            degree("30", "<=10", Direction::LowerIsBetter),
            Some(d("33.33"))
        );
        assert_eq!(degree("1", "<=0", Direction::LowerIsBetter), Some(d("0")));
    }

    #[test]
    fn a_zero_target_with_higher_is_better_is_achieved_by_any_non_negative_value() {
        assert_eq!(degree("0", "0", Direction::HigherIsBetter), Some(d("100")));
        assert_eq!(degree("3", "0", Direction::HigherIsBetter), Some(d("100")));
        assert_eq!(degree("-1", "0", Direction::HigherIsBetter), Some(d("0")));
    }

    #[test]
    fn statuses_follow_the_degree_and_missing_values_are_no_data() {
        let t = Target::parse("100%").unwrap();
        assert_eq!(
            indicator_achievement(Some(d("100")), &t, Direction::HigherIsBetter).status,
            Status::Achieved
        );
        assert_eq!(
            indicator_achievement(Some(d("50")), &t, Direction::HigherIsBetter).status,
            Status::Partly
        );
        assert_eq!(
            indicator_achievement(Some(d("0")), &t, Direction::HigherIsBetter).status,
            Status::NotAchieved
        );
        assert_eq!(
            indicator_achievement(None, &t, Direction::HigherIsBetter),
            Achievement::NO_DATA
        );
    }

    #[test]
    fn an_objective_averages_its_indicators_and_skips_or_zeroes_missing_ones() {
        let a = Achievement::from_degree(d("100"));
        let b = Achievement::from_degree(d("50"));
        assert_eq!(
            objective_achievement(&[(a, None), (b, None)], NoDataPolicy::Skip).degree,
            Some(d("75"))
        );
        assert_eq!(
            objective_achievement(&[(a, Some(d("3"))), (b, Some(d("1")))], NoDataPolicy::Skip)
                .degree,
            Some(d("87.5"))
        );
        let none = Achievement::NO_DATA;
        assert_eq!(
            objective_achievement(&[(a, None), (none, None)], NoDataPolicy::Skip).degree,
            Some(d("100"))
        );
        assert_eq!(
            objective_achievement(&[(a, None), (none, None)], NoDataPolicy::CountAsZero).degree,
            Some(d("50"))
        );
        assert_eq!(
            objective_achievement(&[(none, None)], NoDataPolicy::Skip),
            Achievement::NO_DATA
        );
    }

    #[test]
    fn phases_weigh_completion_and_score_scales_the_maximum_points() {
        let phases = vec![
            PhaseProgress {
                code: "A.1.1".into(),
                weight: d("30"),
                completion_percent: d("100"),
            },
            PhaseProgress {
                code: "A.1.2".into(),
                weight: d("70"),
                completion_percent: d("50"),
            },
        ];
        let a = phase_achievement(&phases);
        assert_eq!(a.degree, Some(d("65")));
        let max = MaxScore::parse("50/70").unwrap();
        assert_eq!(max.out_of, Some(d("70")));
        assert_eq!(score(&a, &max), Some(d("32.5")));
        assert_eq!(
            score(&Achievement::from_degree(d("100")), &max),
            Some(d("50"))
        );
        assert_eq!(score(&Achievement::NO_DATA, &max), None);
    }
}
