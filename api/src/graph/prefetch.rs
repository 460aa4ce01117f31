//! Look-ahead prefetch: a root field that returns objects of the plan
//! hierarchy reads, in the same task off the executor as its own rows, the
//! relations its selection asks for, level by level (programs of the
//! missions, their actions, objectives, indicators, targets, …), and leaves
//! them in the request's [`Prefetched`]. The resolvers of those relations
//! find their values there ([`types::many`](super::types::many) and its
//! siblings look first) instead of going through the DataLoader one key at a
//! time.
//!
//! The statements are the DataLoader's (the same [`Fetch`] per key type, one
//! per relation and level), so a query costs the same statements either
//! way; what the prefetch saves is the per-key path of the loader (a
//! channel and a wake-up per key, a batch task per level, a hand-off to the
//! blocking pool per level). Anything the plan does not cover (relations
//! with arguments, computed values, fields reached through `node`) is
//! loaded as before, so the prefetch only changes how fast an answer comes,
//! never what it is.
//!
//! Each root field reads ahead on its own: when two roots of one query
//! select the same relation, each costs its statement, where the loader
//! could have merged both roots' keys into one batch. The count still
//! depends on the query's shape only.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Lookahead};
use cruscotto_store::{Database, StoreError};

use super::loaders::*;
use super::types::*;
use crate::errors::{ApiError, ApiResult};

/// The relations a request read ahead, by key type: for each key fetched,
/// its value, or `None` when it has none (an empty list is a value).
#[derive(Default)]
pub struct Prefetched {
    maps: RwLock<HashMap<TypeId, Box<dyn Any + Send + Sync>>>,
    /// Keys kept, over all key types.
    keys: AtomicUsize,
}

impl Prefetched {
    /// The value of `key` if it was read ahead: `Some(None)` when it was
    /// and has none, `None` when it was not read ahead.
    pub fn get<K, V>(&self, key: &K) -> Option<Option<V>>
    where
        K: Eq + Hash + 'static,
        V: Clone + 'static,
    {
        let maps = self.maps.read().unwrap_or_else(|e| e.into_inner());
        maps.get(&TypeId::of::<K>())?
            .downcast_ref::<HashMap<K, Option<V>>>()?
            .get(key)
            .cloned()
    }

    /// How many keys of how many relations were read ahead.
    pub fn counts(&self) -> (usize, usize) {
        let maps = self.maps.read().unwrap_or_else(|e| e.into_inner());
        (maps.len(), self.keys.load(Ordering::Relaxed))
    }

    /// Reads the values of `keys` with their key type's [`Fetch`]: for
    /// each key its value, or `None` (to be kept with [`Prefetched::keep`]).
    fn fetch<K: Fetch>(
        db: &Database,
        keys: Vec<K>,
    ) -> Result<HashMap<K, Option<K::Value>>, StoreError> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let mut found = K::fetch(db, &keys)?;
        Ok(keys
            .into_iter()
            .map(|key| {
                let value = found.remove(&key);
                (key, value)
            })
            .collect())
    }

    /// Keeps values read ahead for the request's resolvers.
    fn keep<K: Fetch>(&self, values: HashMap<K, Option<K::Value>>) {
        self.keys.fetch_add(values.len(), Ordering::Relaxed);
        let mut maps = self.maps.write().unwrap_or_else(|e| e.into_inner());
        let entry = maps
            .entry(TypeId::of::<K>())
            .or_insert_with(|| Box::new(HashMap::<K, Option<K::Value>>::new()));
        if let Some(map) = entry.downcast_mut::<HashMap<K, Option<K::Value>>>() {
            if map.is_empty() {
                *map = values;
            } else {
                map.extend(values);
            }
        }
    }
}

/// The request's prefetch store, if the request has one (the HTTP layer
/// gives each request its own; requests without one load as before).
pub(crate) fn prefetched<'a>(ctx: &Context<'a>) -> Option<&'a Arc<Prefetched>> {
    ctx.data_opt::<Arc<Prefetched>>()
}

/// The selections of one object type, merged over the places the object
/// appears (a connection's `edges { node }` and `nodes`).
pub(crate) struct Sel<'a>(Vec<Lookahead<'a>>);

impl<'a> Sel<'a> {
    /// The selection of a root field's object, or of a connection's nodes.
    pub fn object(ctx: &'a Context<'_>) -> Self {
        Sel(vec![ctx.look_ahead()])
    }

    pub fn connection(ctx: &'a Context<'_>) -> Self {
        let root = ctx.look_ahead();
        Sel(vec![root.field("edges").field("node"), root.field("nodes")])
    }

    /// The selection of field `name` of the object, if it is selected.
    fn field(&self, name: &str) -> Option<Sel<'a>> {
        let found: Vec<Lookahead<'a>> = self
            .0
            .iter()
            .map(|l| l.field(name))
            .filter(Lookahead::exists)
            .collect();
        (!found.is_empty()).then_some(Sel(found))
    }
}

/// Distinct ids, in a stable order.
fn distinct(ids: impl Iterator<Item = i32>) -> Vec<i32> {
    let mut v: Vec<i32> = ids.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// An object type the prefetch can read relations of: from a selection it
/// makes a plan (what to read, owned, so that it can go off the executor),
/// and runs the plan for a list of its objects.
pub(crate) trait Ahead: Sized + Send + 'static {
    type Plan: Send + 'static;

    /// What the selection asks for, or `None` when it asks for no relation
    /// the prefetch covers.
    fn plan(sel: &Sel<'_>) -> Option<Self::Plan>;

    /// Reads the planned relations of `items` into `out`.
    fn run(
        plan: &Self::Plan,
        items: &[&Self],
        db: &Database,
        out: &Prefetched,
    ) -> Result<(), StoreError>;
}

/// The related objects a key's value holds: a list relation's list, or a
/// to-one relation's object.
trait Objects<T> {
    fn objects(&self) -> &[T];
}

impl<T> Objects<T> for Arc<[T]> {
    fn objects(&self) -> &[T] {
        self
    }
}

impl<T> Objects<T> for T {
    fn objects(&self) -> &[T] {
        std::slice::from_ref(self)
    }
}

/// Reads one relation of a level: the values of `keys`, then the related
/// objects' own plan (`next`), then keeps the values for the resolvers.
fn read_relation<K, C>(
    next: Option<&C::Plan>,
    keys: Vec<K>,
    db: &Database,
    out: &Prefetched,
) -> Result<(), StoreError>
where
    K: Fetch,
    K::Value: Objects<C>,
    C: Ahead,
{
    let found = Prefetched::fetch(db, keys)?;
    if let Some(next) = next {
        let objects: Vec<&C> = found.values().flatten().flat_map(|v| v.objects()).collect();
        C::run(next, &objects, db, out)?;
    }
    out.keep(found);
    Ok(())
}

/// Declares an object type's plan: for each relation field it covers, the
/// field's name, the key type its resolver loads (built from an object by
/// the closure), and the type of the related objects, whose own plan runs
/// on them next.
macro_rules! ahead {
    ($ty:ty, $plan:ident {
        $( $f:ident: $name:literal, $key:ident(|$o:ident| $k:expr) => $cty:ty; )*
    }) => {
        pub(crate) struct $plan {
            $( $f: Option<Option<Box<<$cty as Ahead>::Plan>>>, )*
        }

        impl Ahead for $ty {
            type Plan = $plan;

            fn plan(sel: &Sel<'_>) -> Option<$plan> {
                let plan = $plan {
                    $( $f: sel.field($name).map(|s| <$cty as Ahead>::plan(&s).map(Box::new)), )*
                };
                let any = false $( || plan.$f.is_some() )*;
                any.then_some(plan)
            }

            fn run(plan: &$plan, items: &[&$ty], db: &Database, out: &Prefetched) -> Result<(), StoreError> {
                $(
                    if let Some(next) = &plan.$f {
                        let keys = distinct(items.iter().map(|$o| $k)).into_iter().map($key).collect();
                        read_relation::<$key, $cty>(next.as_deref(), keys, db, out)?;
                    }
                )*
                Ok(())
            }
        }
    };
}

ahead!(Mission, MissionPlan {
    programs: "programs", ProgramsOfMission(|m| m.db_id) => Program;
});

ahead!(Program, ProgramPlan {
    actions: "actions", ActionsOfProgram(|p| p.db_id) => Action;
    mission: "mission", MissionById(|p| p.mission_id) => Mission;
});

ahead!(Action, ActionPlan {
    objectives: "objectives", ObjectivesOfAction(|a| a.db_id) => Objective;
    program: "program", ProgramById(|a| a.program_id) => Program;
});

ahead!(Objective, ObjectivePlan {
    indicators: "indicators", IndicatorsOfObjective(|o| o.db_id) => Indicator;
    phases: "phases", PhasesOfObjective(|o| o.db_id) => Phase;
    offices: "offices", OfficesOfObjective(|o| o.db_id) => Office;
    budget: "budget", BudgetOfObjective(|o| o.db_id) => BudgetLink;
    strategic: "strategicObjectives", StrategicOfObjective(|o| o.db_id) => StrategicObjective;
    annual: "annualObjectives", AnnualOfObjective(|o| o.db_id) => AnnualObjective;
    centre: "responsibilityCentre", CentreById(|o| o.centre_id) => ResponsibilityCentre;
    plan_of: "plan", PlanById(|o| o.plan_id) => Plan;
});

ahead!(Indicator, IndicatorPlan {
    targets: "targets", TargetsOfIndicator(|i| i.db_id) => Target;
    latest: "latestMeasurement", LatestMeasurement(|i| i.db_id) => Measurement;
});

ahead!(ResponsibilityCentre, CentrePlan {
    offices: "offices", OfficesOfCentre(|c| c.db_id) => Office;
    plan_of: "plan", PlanById(|c| c.plan_id) => Plan;
});

ahead!(Plan, PlanPlan {
    centres: "responsibilityCentres", CentresOfPlan(|p| p.db_id) => ResponsibilityCentre;
    strategic: "strategicObjectives", StrategicOfPlan(|p| p.db_id) => StrategicObjective;
    annual: "annualObjectives", AnnualOfPlan(|p| p.db_id) => AnnualObjective;
    areas: "areas", AreasOfPlan(|p| p.db_id) => Area;
});

/// Leaf types: the prefetch reads no relation of theirs.
macro_rules! leaf {
    ($($ty:ty),*) => {$(
        impl Ahead for $ty {
            type Plan = ();
            fn plan(_: &Sel<'_>) -> Option<()> {
                None
            }
            fn run(_: &(), _: &[&$ty], _: &Database, _: &Prefetched) -> Result<(), StoreError> {
                Ok(())
            }
        }
    )*};
}

ahead!(Area, AreaPlan {
    ambiti: "ambiti", AmbitiOfArea(|a| a.db_id) => Ambito;
});

ahead!(Ambito, AmbitoPlan {
    results: "results", ResultsOfAmbito(|a| a.db_id) => AmbitoResult;
});

leaf!(
    Target,
    Measurement,
    Phase,
    Office,
    BudgetLink,
    StrategicObjective,
    AnnualObjective,
    AmbitoResult
);

/// The plan of a root field's objects and the request's store, taken on
/// the executor, to run with the root's own read ([`Prepared::run`]).
pub(crate) struct Prepared<T: Ahead> {
    plan: T::Plan,
    out: Arc<Prefetched>,
}

impl<T: Ahead> Prepared<T> {
    /// The prefetch of a root field's objects selected by `sel`, if the
    /// request has a store and the selection asks for covered relations.
    pub fn new(ctx: &Context<'_>, sel: Sel<'_>) -> Option<Self> {
        let out = prefetched(ctx)?.clone();
        T::plan(&sel).map(|plan| Prepared { plan, out })
    }

    /// Reads the planned relations of `items` (off the executor).
    pub fn run<'i>(
        &self,
        items: impl IntoIterator<Item = &'i T>,
        db: &Database,
    ) -> Result<(), StoreError> {
        let items: Vec<&T> = items.into_iter().collect();
        T::run(&self.plan, &items, db, &self.out)
    }
}

/// A root field's one object by key, read with the relations its selection
/// asks for in one task off the executor; through the DataLoader when the
/// selection asks for no covered relation (or the request has no store).
pub(crate) async fn root_one<K, T>(ctx: &Context<'_>, key: K) -> ApiResult<Option<T>>
where
    K: Fetch<Value = T> + std::fmt::Debug,
    T: Ahead + Clone + Sync,
    Store: Loader<K, Value = T, Error = ApiError>,
{
    let Some(ahead) = Prepared::<T>::new(ctx, Sel::object(ctx)) else {
        return maybe(ctx, key).await;
    };
    state(ctx)?
        .blocking(move |db| {
            let found = K::fetch(db, std::slice::from_ref(&key))?.remove(&key);
            if let Some(object) = &found {
                ahead.run([object], db)?;
            }
            Ok(found)
        })
        .await
}
