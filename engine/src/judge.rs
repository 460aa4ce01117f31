//! Achievement: stored values judged against the targets of their year,
//! and objectives judged on their indicators or their phases, through
//! [`cruscotto_calculators::achievement`]. Storage reads the facts
//! (`Database::judge_facts`, `Database::objective_facts`); the engine
//! judges.

use std::collections::HashMap;

use cruscotto_calculators::achievement::{
    self, Achievement, Comparator as TargetComparator, Direction, MaxScore, NoDataPolicy, Target,
};
use cruscotto_calculators::{Period, PhaseProgress};
use cruscotto_model::Comparator;
use cruscotto_store::calc::{ObjectiveFacts, TargetRow};
use cruscotto_store::StoreError;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::inputs::phase_inputs;
use crate::values::StoredValue;
use crate::Engine;

/// An indicator's value for a period against the target of that period's year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AchievementView {
    /// The indicator.
    pub indicator_id: i32,
    /// The target's year.
    pub year: i32,
    /// The value judged: the latest stored for the period, if any.
    pub value: Option<StoredValue>,
    /// The target as published (`<=10`), if the plan has one for the year.
    pub target_raw: Option<String>,
    /// The target as a comparator and a number, when a number could be read.
    pub target: Option<Target>,
    /// Which way is better, from the indicator.
    pub direction: Direction,
    /// Degree (0-100) and status; no data without a value or a numeric target.
    pub achievement: Achievement,
}

/// Where an objective's achievement comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AchievementBasis {
    /// The degrees of its indicators (those with data; equal weights).
    Indicators,
    /// The weighted completion of its phases.
    Phases,
    /// Nothing to judge yet.
    None,
}

/// An objective's achievement and score for a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveAchievementView {
    /// The objective.
    pub objective_id: i32,
    /// The year judged.
    pub year: i32,
    /// Indicators or phases.
    pub basis: AchievementBasis,
    /// Every indicator of the objective, judged for the year.
    pub indicators: Vec<AchievementView>,
    /// Every phase with its weight and completion at the end of the year.
    pub phases: Vec<PhaseProgress>,
    /// Degree and status of the objective.
    pub achievement: Achievement,
    /// The objective's maximum score (`50/70`), when the plan states one.
    pub max_score: Option<MaxScore>,
    /// Points earned: degree × the maximum points; `None` without data or maximum.
    pub score: Option<Decimal>,
}

impl Engine<'_> {
    /// The latest value of an indicator for `year` against the target of
    /// that year, through [`cruscotto_calculators::achievement`].
    pub fn indicator_achievement(
        &self,
        indicator_id: i32,
        year: i32,
    ) -> Result<AchievementView, StoreError> {
        only(
            self.indicator_achievements(&[indicator_id], year)?,
            "indicator",
            indicator_id,
        )
    }

    /// [`Engine::indicator_achievement`] of many indicators at once, with
    /// one statement per relation (and chunk of ids), in the order of `ids`;
    /// indicators that do not exist are left out.
    pub fn indicator_achievements(
        &self,
        ids: &[i32],
        year: i32,
    ) -> Result<Vec<AchievementView>, StoreError> {
        let period = year_period(year)?.to_string();
        let mut latest: HashMap<i32, StoredValue> = self
            .latest_values(ids, &period)?
            .into_iter()
            .map(|v| (v.indicator_id, v))
            .collect();
        let facts = self.db.judge_facts(ids, year)?;
        let directions: HashMap<i32, Direction> = facts.directions.into_iter().collect();
        let mut targets = facts.targets;
        Ok(ids
            .iter()
            .filter_map(|id| directions.get(id).map(|&d| (*id, d)))
            .map(|(id, d)| judge(id, year, latest.remove(&id), d, targets.remove(&id)))
            .collect())
    }

    /// Any stored value (a quarter's, for instance) against the target of
    /// its period's year.
    pub fn value_achievement(&self, value: &StoredValue) -> Result<AchievementView, StoreError> {
        let year = value.period.year_number();
        let facts = self.db.judge_facts(&[value.indicator_id], year)?;
        let direction =
            facts
                .directions
                .first()
                .map(|&(_, d)| d)
                .ok_or_else(|| StoreError::NotFound {
                    entity: "indicator",
                    key: value.indicator_id.to_string(),
                })?;
        let mut targets = facts.targets;
        Ok(judge(
            value.indicator_id,
            year,
            Some(value.clone()),
            direction,
            targets.remove(&value.indicator_id),
        ))
    }

    /// An objective's achievement for a year: from its indicators that have
    /// a value for the year (equal weights), or, when none has, from its
    /// phases' weights and their progress at the end of the year. The score
    /// is the degree × the objective's maximum points (`50/70` → up to 50).
    pub fn objective_achievement(
        &self,
        objective_id: i32,
        year: i32,
    ) -> Result<ObjectiveAchievementView, StoreError> {
        only(
            self.objective_achievements(&[objective_id], year)?,
            "objective",
            objective_id,
        )
    }

    /// [`Engine::objective_achievement`] of many objectives at once, with
    /// one statement per relation (and chunk of ids), in the order of `ids`;
    /// objectives that do not exist are left out.
    pub fn objective_achievements(
        &self,
        ids: &[i32],
        year: i32,
    ) -> Result<Vec<ObjectiveAchievementView>, StoreError> {
        let period = year_period(year)?;
        let mut facts = self.db.objective_facts(ids, period.end())?;
        let indicator_ids: Vec<i32> = facts
            .values()
            .flat_map(|f| f.indicator_ids.iter().copied())
            .collect();
        let mut judged: HashMap<i32, AchievementView> = self
            .indicator_achievements(&indicator_ids, year)?
            .into_iter()
            .map(|v| (v.indicator_id, v))
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for &objective_id in ids {
            let Some(facts) = facts.remove(&objective_id) else {
                continue;
            };
            let indicators: Vec<AchievementView> = facts
                .indicator_ids
                .iter()
                .filter_map(|id| judged.remove(id))
                .collect();
            out.push(objective_view(objective_id, year, facts, indicators));
        }
        Ok(out)
    }
}

fn year_period(year: i32) -> Result<Period, StoreError> {
    Period::year(year).map_err(|e| StoreError::Invalid {
        entity: "period",
        key: year.to_string(),
        message: e.to_string(),
    })
}

/// An indicator's value against its target, through
/// [`cruscotto_calculators::achievement`].
fn judge(
    indicator_id: i32,
    year: i32,
    value: Option<StoredValue>,
    direction: Direction,
    target: Option<TargetRow>,
) -> AchievementView {
    let parsed = match &target {
        Some(TargetRow {
            comparator,
            number: Some(number),
            ..
        }) => Some(Target {
            comparator: match comparator {
                Some(Comparator::Le | Comparator::Lt) => TargetComparator::AtMost,
                Some(Comparator::Ge | Comparator::Gt) => TargetComparator::AtLeast,
                Some(Comparator::Eq) | None => TargetComparator::Reach,
            },
            value: *number,
        }),
        _ => None,
    };
    let achievement = match &parsed {
        Some(t) => {
            achievement::indicator_achievement(value.as_ref().and_then(|v| v.value), t, direction)
        }
        None => Achievement::NO_DATA,
    };
    AchievementView {
        indicator_id,
        year,
        value,
        target_raw: target.map(|t| t.raw),
        target: parsed,
        direction,
        achievement,
    }
}

/// An objective's achievement from its facts and its judged indicators:
/// the indicators when any has a degree, else the phases when any progress
/// was recorded, else nothing to judge.
fn objective_view(
    objective_id: i32,
    year: i32,
    facts: ObjectiveFacts,
    indicators: Vec<AchievementView>,
) -> ObjectiveAchievementView {
    let judged: Vec<(Achievement, Option<Decimal>)> =
        indicators.iter().map(|v| (v.achievement, None)).collect();
    let judged_phases = phase_inputs(facts.phases);
    let phases: Vec<PhaseProgress> = judged_phases.iter().map(|(p, _)| p.clone()).collect();
    let any_progress = judged_phases.iter().any(|(_, recorded)| *recorded);
    let (basis, achieved) = if indicators.iter().any(|v| v.achievement.degree.is_some()) {
        (
            AchievementBasis::Indicators,
            achievement::objective_achievement(&judged, NoDataPolicy::Skip),
        )
    } else if any_progress {
        (
            AchievementBasis::Phases,
            achievement::phase_achievement(&phases),
        )
    } else {
        (AchievementBasis::None, Achievement::NO_DATA)
    };
    let max_score = facts.max_score.map(|(points, out_of)| MaxScore {
        points: Decimal::from(points),
        out_of: Some(Decimal::from(out_of)),
    });
    ObjectiveAchievementView {
        objective_id,
        year,
        basis,
        indicators,
        phases,
        score: max_score
            .as_ref()
            .and_then(|m| achievement::score(&achieved, m)),
        achievement: achieved,
        max_score,
    }
}

/// The one view a batch of one id gave, `NotFound` when it gave none (the
/// `entity` `id` does not exist).
fn only<T>(mut views: Vec<T>, entity: &'static str, id: i32) -> Result<T, StoreError> {
    views.pop().ok_or_else(|| StoreError::NotFound {
        entity,
        key: id.to_string(),
    })
}
