//! The DataLoaders: one key type per relation, all served by [`Store`].
//! Every batch of keys becomes one storage call (one statement per chunk of
//! keys), so the number of statements of a query depends on its shape only.
//!
//! Computed values and achievements are batched the same way: one storage
//! call per distinct period or year among the keys.
//!
//! The loader keeps no cache: it lives in the schema, shared by all
//! requests, and a cache there would serve stale data after mutations.
//! Batching still merges the keys of one level of a query, and of
//! concurrent requests.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use chrono::NaiveDate;
use cruscotto_engine::Engine;
use cruscotto_store::graph::{ObjectiveFilter, ObjectiveParent, ObjectiveSort, PageRequest};
use cruscotto_store::{rows, Database, StoreError};

use super::calc::{IndicatorAchievement, IndicatorValue, ObjectiveAchievement};
use super::types::*;
use crate::errors::ApiError;

/// Loads batches of keys from the database, off the async executor.
pub struct Store {
    db: Database,
    /// Keys asked for so far, by every resolver: batches wait until it
    /// stops moving (see `graph::build_schema`).
    activity: Arc<AtomicU64>,
}

impl Store {
    pub fn new(db: Database, activity: Arc<AtomicU64>) -> Self {
        Store { db, activity }
    }

    /// Notes that a resolver is about to ask for a key.
    pub fn touch(&self) {
        self.activity.fetch_add(1, Ordering::SeqCst);
    }

    async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Database) -> Result<T, StoreError> + Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || f(&db))
            .await
            .map_err(|e| ApiError::internal(format!("database task failed: {e}")))?
            .map_err(ApiError::from)
    }
}

/// The lists of a batch, shared: the loader hands each waiting resolver a
/// clone of its key's value, and an `Arc` clone costs a count, not a copy
/// of every row and string.
fn shared<K: Eq + std::hash::Hash, V>(lists: HashMap<K, Vec<V>>) -> HashMap<K, Arc<[V]>> {
    lists.into_iter().map(|(k, v)| (k, Arc::from(v))).collect()
}

/// A key type whose values can be read for a batch of keys in one storage
/// call, synchronously: the loader runs it off the executor for the keys a
/// level of a query asks for, and the prefetch (see
/// [`prefetch`](super::prefetch)) runs it for the keys its look-ahead found.
pub trait Fetch: Clone + Eq + std::hash::Hash + Send + Sync + 'static {
    /// What a key maps to: an object, or a shared list (empty when none).
    type Value: Clone + Send + Sync + 'static;
    /// The values of the keys; a key without a value is absent.
    fn fetch(db: &Database, keys: &[Self]) -> Result<HashMap<Self, Self::Value>, StoreError>;
}

/// Implements the key type's loader by its [`Fetch`].
macro_rules! loader_by_fetch {
    ($key:ident) => {
        impl Loader<$key> for Store {
            type Value = <$key as Fetch>::Value;
            type Error = ApiError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, ApiError> {
                let keys = keys.to_vec();
                self.run(move |db| <$key as Fetch>::fetch(db, &keys)).await
            }
        }
    };
}

/// A key type whose value is the one object with that key.
macro_rules! one_loader {
    ($(#[$doc:meta])* $key:ident($kt:ty) => $val:ty, $fetch:ident, |$row:ident| $k:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $key(pub $kt);

        impl Fetch for $key {
            type Value = $val;

            fn fetch(db: &Database, keys: &[$key]) -> Result<HashMap<$key, $val>, StoreError> {
                let ks: Vec<$kt> = keys.iter().map(|k| k.0.clone()).collect();
                Ok(db
                    .graph()
                    .$fetch(&ks)?
                    .into_iter()
                    .map(|$row| {
                        let k = $k;
                        ($key(k), <$val>::from($row))
                    })
                    .collect())
            }
        }
        loader_by_fetch!($key);
    };
}

/// A key type whose value is the list of rows with that parent.
macro_rules! many_loader {
    ($(#[$doc:meta])* $key:ident => $val:ty, $fetch:ident, |$row:ident| $parent:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $key(pub i32);

        impl Fetch for $key {
            type Value = Arc<[$val]>;

            fn fetch(db: &Database, keys: &[$key]) -> Result<HashMap<$key, Arc<[$val]>>, StoreError> {
                let ks: Vec<i32> = keys.iter().map(|k| k.0).collect();
                let rows = db.graph().$fetch(&ks)?;
                let mut out: HashMap<$key, Vec<$val>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
                for $row in rows {
                    let parent = $parent;
                    out.entry($key(parent)).or_default().push(<$val>::from($row));
                }
                Ok(shared(out))
            }
        }
        loader_by_fetch!($key);
    };
}

/// A key type whose value is the list of rows linked to it through a link
/// table; the store returns `(key, row)` pairs.
macro_rules! link_loader {
    ($(#[$doc:meta])* $key:ident => $val:ty, $fetch:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $key(pub i32);

        impl Fetch for $key {
            type Value = Arc<[$val]>;

            fn fetch(db: &Database, keys: &[$key]) -> Result<HashMap<$key, Arc<[$val]>>, StoreError> {
                let ks: Vec<i32> = keys.iter().map(|k| k.0).collect();
                let rows = db.graph().$fetch(&ks)?;
                let mut out: HashMap<$key, Vec<$val>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
                for (parent, row) in rows {
                    out.entry($key(parent)).or_default().push(<$val>::from(row));
                }
                Ok(shared(out))
            }
        }
        loader_by_fetch!($key);
    };
}

one_loader!(PlanById(i32) => Plan, plans_by_ids, |r| r.id);
one_loader!(PlanByCode(String) => Plan, plans_by_codes, |r| r.code.clone());
one_loader!(MissionById(i32) => Mission, missions_by_ids, |r| r.id);
one_loader!(MissionByCode(String) => Mission, missions_by_codes, |r| r.code.clone());
one_loader!(ProgramById(i32) => Program, programs_by_ids, |r| r.id);
one_loader!(ProgramByCode(String) => Program, programs_by_codes, |r| r.code.clone());
many_loader!(ProgramsOfMission => Program, programs_of_missions, |r| r.mission_id);
one_loader!(ActionById(i32) => Action, actions_by_ids, |r| r.id);
many_loader!(ActionsOfProgram => Action, actions_of_programs, |r| r.program_id);
link_loader!(ObjectivesOfAction => Objective, objectives_of_actions);
one_loader!(CentreById(i32) => ResponsibilityCentre, responsibility_centres_by_ids, |r| r.id);
many_loader!(CentresOfPlan => ResponsibilityCentre, responsibility_centres_of_plans, |r| r.plan_id);
one_loader!(OfficeById(i32) => Office, offices_by_ids, |r| r.id);
many_loader!(OfficesOfCentre => Office, offices_of_centres, |r| r.responsibility_centre_id);
link_loader!(OfficesOfObjective => Office, offices_of_objectives);
link_loader!(ObjectivesOfOffice => Objective, objectives_of_offices);
one_loader!(StrategicById(i32) => StrategicObjective, strategic_objectives_by_ids, |r| r.id);
many_loader!(StrategicOfPlan => StrategicObjective, strategic_objectives_of_plans, |r| r.plan_id);
link_loader!(StrategicOfObjective => StrategicObjective, strategic_objectives_of_objectives);
link_loader!(ObjectivesOfStrategic => Objective, objectives_of_strategic_objectives);
one_loader!(AnnualById(i32) => AnnualObjective, annual_objectives_by_ids, |r| r.id);
many_loader!(AnnualOfPlan => AnnualObjective, annual_objectives_of_plans, |r| r.plan_id);
// Rows come from `strategic_objective_id IN (…)`, so the id is present.
many_loader!(AnnualOfStrategic => AnnualObjective, annual_objectives_of_strategic, |r| r.strategic_objective_id.unwrap_or_default());
link_loader!(AnnualOfObjective => AnnualObjective, annual_objectives_of_objectives);
link_loader!(ObjectivesOfAnnual => Objective, objectives_of_annual_objectives);
one_loader!(ObjectiveById(i32) => Objective, objectives_by_ids, |r| r.id);
one_loader!(IndicatorById(i32) => Indicator, indicators_by_ids, |r| r.id);
many_loader!(IndicatorsOfObjective => Indicator, indicators_of_objectives, |r| r.objective_id);
one_loader!(TargetById(i32) => Target, targets_by_ids, |r| r.id);
many_loader!(TargetsOfIndicator => Target, targets_of_indicators, |r| r.indicator_id);
one_loader!(PhaseById(i32) => Phase, phases_by_ids, |r| r.id);
many_loader!(PhasesOfObjective => Phase, phases_of_objectives, |r| r.objective_id);
one_loader!(MeasurementById(i32) => Measurement, measurements_by_ids, |r| r.id);
one_loader!(LatestMeasurement(i32) => Measurement, latest_measurements, |r| r.indicator_id);
one_loader!(AreaById(i32) => Area, areas_by_ids, |r| r.id);
many_loader!(AreasOfPlan => Area, areas_of_plans, |r| r.plan_id);
one_loader!(AmbitoById(i32) => Ambito, ambiti_by_ids, |r| r.id);
many_loader!(AmbitiOfArea => Ambito, ambiti_of_areas, |r| r.area_id);
one_loader!(ResultById(i32) => AmbitoResult, ambito_results_by_ids, |r| r.id);
many_loader!(ResultsOfAmbito => AmbitoResult, results_of_ambiti, |r| r.ambito_id);
one_loader!(FindingById(i32) => Finding, findings_by_ids, |r| r.id);
many_loader!(FindingsOfPlan => Finding, findings_of_plans, |r| r.plan_id);

/// The budget lines of an objective.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BudgetOfObjective(pub i32);

impl Fetch for BudgetOfObjective {
    type Value = Arc<[BudgetLink]>;

    fn fetch(
        db: &Database,
        keys: &[BudgetOfObjective],
    ) -> Result<HashMap<BudgetOfObjective, Arc<[BudgetLink]>>, StoreError> {
        let ks: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let rows = db.graph().budget_of_objectives(&ks)?;
        let mut out: HashMap<_, Vec<BudgetLink>> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for (objective, action, program, mission) in rows {
            out.entry(BudgetOfObjective(objective))
                .or_default()
                .push(BudgetLink {
                    mission: mission.into(),
                    program: program.into(),
                    action: action.into(),
                });
        }
        Ok(shared(out))
    }
}
loader_by_fetch!(BudgetOfObjective);

/// An objective by (plan code, objective code).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectiveByCode(pub String, pub String);

impl Fetch for ObjectiveByCode {
    type Value = Objective;

    fn fetch(
        db: &Database,
        keys: &[ObjectiveByCode],
    ) -> Result<HashMap<ObjectiveByCode, Objective>, StoreError> {
        let ks: Vec<(String, String)> = keys.iter().map(|k| (k.0.clone(), k.1.clone())).collect();
        Ok(db
            .graph()
            .objectives_by_codes(&ks)?
            .into_iter()
            .map(|(plan, o)| (ObjectiveByCode(plan, o.code.clone()), Objective::from(o)))
            .collect())
    }
}
loader_by_fetch!(ObjectiveByCode);

/// An indicator by (plan code, objective code, indicator code).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IndicatorByCode(pub String, pub String, pub String);

impl Fetch for IndicatorByCode {
    type Value = Indicator;

    fn fetch(
        db: &Database,
        keys: &[IndicatorByCode],
    ) -> Result<HashMap<IndicatorByCode, Indicator>, StoreError> {
        let ks: Vec<(String, String, String)> = keys
            .iter()
            .map(|k| (k.0.clone(), k.1.clone(), k.2.clone()))
            .collect();
        Ok(db
            .graph()
            .indicators_by_codes(&ks)?
            .into_iter()
            .map(|(plan, objective, i)| {
                (
                    IndicatorByCode(plan, objective, i.code.clone()),
                    Indicator::from(i),
                )
            })
            .collect())
    }
}
loader_by_fetch!(IndicatorByCode);

/// The measurements of an indicator within optional period bounds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MeasurementsOf(pub i32, pub Option<NaiveDate>, pub Option<NaiveDate>);

impl Loader<MeasurementsOf> for Store {
    type Value = Arc<[Measurement]>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[MeasurementsOf],
    ) -> Result<HashMap<MeasurementsOf, Arc<[Measurement]>>, ApiError> {
        // One statement per distinct pair of bounds (usually one).
        let mut groups: HashMap<(Option<NaiveDate>, Option<NaiveDate>), Vec<i32>> = HashMap::new();
        for k in keys {
            groups.entry((k.1, k.2)).or_default().push(k.0);
        }
        let rows = self
            .run(move |db| {
                let mut all = Vec::new();
                for ((from, to), ids) in groups {
                    for m in db.graph().measurements_of_indicators(&ids, from, to)? {
                        all.push(((from, to), m));
                    }
                }
                Ok(all)
            })
            .await?;
        let mut out: HashMap<MeasurementsOf, Vec<Measurement>> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for ((from, to), m) in rows {
            out.entry(MeasurementsOf(m.indicator_id, from, to))
                .or_default()
                .push(Measurement::from(m));
        }
        Ok(shared(out))
    }
}

/// Findings about one object: (plan id, entity, entity code).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FindingsAbout(pub i32, pub String, pub String);

impl Loader<FindingsAbout> for Store {
    type Value = Arc<[Finding]>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[FindingsAbout],
    ) -> Result<HashMap<FindingsAbout, Arc<[Finding]>>, ApiError> {
        let ks: Vec<(i32, String, String)> = keys
            .iter()
            .map(|k| (k.0, k.1.clone(), k.2.clone()))
            .collect();
        let rows = self.run(move |db| db.graph().findings_about(&ks)).await?;
        let mut out: HashMap<FindingsAbout, Vec<Finding>> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for f in rows {
            let key = FindingsAbout(f.plan_id, f.entity.clone(), f.entity_code.clone());
            out.entry(key).or_default().push(Finding::from(f));
        }
        Ok(shared(out))
    }
}

/// Where objects were read from: (plan id, entity, entity code).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourcesAbout(pub i32, pub String, pub String);

impl Loader<SourcesAbout> for Store {
    type Value = Arc<[SourceLocation]>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[SourcesAbout],
    ) -> Result<HashMap<SourcesAbout, Arc<[SourceLocation]>>, ApiError> {
        let ks: Vec<(i32, String, String)> = keys
            .iter()
            .map(|k| (k.0, k.1.clone(), k.2.clone()))
            .collect();
        let rows = self.run(move |db| db.graph().sources_about(&ks)).await?;
        let mut out: HashMap<SourcesAbout, Vec<SourceLocation>> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for s in rows {
            let key = SourcesAbout(s.plan_id, s.entity.clone(), s.entity_code.clone());
            out.entry(key).or_default().push(SourceLocation::from(s));
        }
        Ok(shared(out))
    }
}

/// One page of the objectives of a parent, with the arguments of the field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectivePageOf {
    pub parent: ObjectiveParent,
    pub id: i32,
    pub filter: Arc<ObjectiveFilter>,
    pub sort: ObjectiveSort,
    pub page: PageRequest,
}

type PageGroup = (
    ObjectiveParent,
    Arc<ObjectiveFilter>,
    ObjectiveSort,
    PageRequest,
);

impl Loader<ObjectivePageOf> for Store {
    type Value = Vec<rows::Objective>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[ObjectivePageOf],
    ) -> Result<HashMap<ObjectivePageOf, Vec<rows::Objective>>, ApiError> {
        // Parents asking the same page of the same list share a statement.
        let mut groups: HashMap<PageGroup, Vec<i32>> = HashMap::new();
        for k in keys {
            groups
                .entry((k.parent, k.filter.clone(), k.sort, k.page.clone()))
                .or_default()
                .push(k.id);
        }
        self.run(move |db| {
            let mut out = HashMap::new();
            for ((parent, filter, sort, page), ids) in groups {
                let mut pages = db
                    .graph()
                    .objectives_pages_of(parent, &ids, &filter, sort, &page)?;
                for id in ids {
                    let rows = pages.remove(&id).unwrap_or_default();
                    let key = ObjectivePageOf {
                        parent,
                        id,
                        filter: filter.clone(),
                        sort,
                        page: page.clone(),
                    };
                    out.insert(key, rows);
                }
            }
            Ok(out)
        })
        .await
    }
}

/// The number of objectives of a parent matching a filter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectiveCountOf {
    pub parent: ObjectiveParent,
    pub id: i32,
    pub filter: Arc<ObjectiveFilter>,
}

impl Loader<ObjectiveCountOf> for Store {
    type Value = i64;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[ObjectiveCountOf],
    ) -> Result<HashMap<ObjectiveCountOf, i64>, ApiError> {
        let mut groups: HashMap<(ObjectiveParent, Arc<ObjectiveFilter>), Vec<i32>> = HashMap::new();
        for k in keys {
            groups
                .entry((k.parent, k.filter.clone()))
                .or_default()
                .push(k.id);
        }
        self.run(move |db| {
            let mut out = HashMap::new();
            for ((parent, filter), ids) in groups {
                let counts = db.graph().objectives_counts_of(parent, &ids, &filter)?;
                for id in ids {
                    let n = counts.get(&id).copied().unwrap_or(0);
                    out.insert(
                        ObjectiveCountOf {
                            parent,
                            id,
                            filter: filter.clone(),
                        },
                        n,
                    );
                }
            }
            Ok(out)
        })
        .await
    }
}

// ---- calculations ---------------------------------------------------------

/// The latest computed value of an indicator for a period (in its
/// canonical form, `2020-Q1`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LatestValueOf(pub i32, pub String);

impl Loader<LatestValueOf> for Store {
    type Value = IndicatorValue;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[LatestValueOf],
    ) -> Result<HashMap<LatestValueOf, IndicatorValue>, ApiError> {
        // One batch per distinct period (usually one).
        let mut groups: HashMap<String, Vec<i32>> = HashMap::new();
        for k in keys {
            groups.entry(k.1.clone()).or_default().push(k.0);
        }
        self.run(move |db| {
            let mut out = HashMap::new();
            for (period, ids) in groups {
                for v in Engine::new(db).latest_values(&ids, &period)? {
                    out.insert(
                        LatestValueOf(v.indicator_id, period.clone()),
                        IndicatorValue::from(v),
                    );
                }
            }
            Ok(out)
        })
        .await
    }
}

/// The computed values of an indicator, newest first; of one period (in
/// its canonical form) when given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ValuesOf(pub i32, pub Option<String>);

impl Loader<ValuesOf> for Store {
    type Value = Arc<[IndicatorValue]>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[ValuesOf],
    ) -> Result<HashMap<ValuesOf, Arc<[IndicatorValue]>>, ApiError> {
        let mut groups: HashMap<Option<String>, Vec<i32>> = HashMap::new();
        for k in keys {
            groups.entry(k.1.clone()).or_default().push(k.0);
        }
        let rows = self
            .run(move |db| {
                let mut all = Vec::new();
                for (period, ids) in groups {
                    for v in Engine::new(db).values_of_indicators(&ids, period.as_deref())? {
                        all.push((period.clone(), v));
                    }
                }
                Ok(all)
            })
            .await?;
        let mut out: HashMap<ValuesOf, Vec<IndicatorValue>> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        // Rows come newest first within each indicator; pushing keeps that.
        for (period, v) in rows {
            out.entry(ValuesOf(v.indicator_id, period))
                .or_default()
                .push(IndicatorValue::from(v));
        }
        Ok(shared(out))
    }
}

/// An indicator's achievement for a year.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IndicatorAchievementOf(pub i32, pub i32);

impl Loader<IndicatorAchievementOf> for Store {
    type Value = IndicatorAchievement;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[IndicatorAchievementOf],
    ) -> Result<HashMap<IndicatorAchievementOf, IndicatorAchievement>, ApiError> {
        let mut groups: HashMap<i32, Vec<i32>> = HashMap::new();
        for k in keys {
            groups.entry(k.1).or_default().push(k.0);
        }
        self.run(move |db| {
            let mut out = HashMap::new();
            for (year, ids) in groups {
                for v in Engine::new(db).indicator_achievements(&ids, year)? {
                    out.insert(
                        IndicatorAchievementOf(v.indicator_id, year),
                        IndicatorAchievement::from(v),
                    );
                }
            }
            Ok(out)
        })
        .await
    }
}

/// An objective's achievement for a year.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectiveAchievementOf(pub i32, pub i32);

impl Loader<ObjectiveAchievementOf> for Store {
    type Value = ObjectiveAchievement;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[ObjectiveAchievementOf],
    ) -> Result<HashMap<ObjectiveAchievementOf, ObjectiveAchievement>, ApiError> {
        let mut groups: HashMap<i32, Vec<i32>> = HashMap::new();
        for k in keys {
            groups.entry(k.1).or_default().push(k.0);
        }
        self.run(move |db| {
            let mut out = HashMap::new();
            for (year, ids) in groups {
                for v in Engine::new(db).objective_achievements(&ids, year)? {
                    out.insert(
                        ObjectiveAchievementOf(v.objective_id, year),
                        ObjectiveAchievement::from(v),
                    );
                }
            }
            Ok(out)
        })
        .await
    }
}
