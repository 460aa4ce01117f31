//! The floor of the GraphQL read workloads: the same rows fetched with plain
//! queries through the same driver (Diesel, one held connection, one
//! statement per level and relation) and the same JSON written with serde
//! directly, without GraphQL, HTTP or a pool checkout per batch.
//!
//! ```sh
//! cargo run --release -p cruscotto-store --example floor_tree -- \
//!     --database-url bench.db [--runs 15] [--warmup 3] [--plan CODE --objective A.1] [--out tree.json]
//! ```
//!
//! Prints one line per workload, `floor <workload> <backend>: median … ms
//! (fetch … ms, JSON … ms), … bytes`, and writes the tree's JSON to `--out`
//! so that a caller can compare it byte for byte with the server's answer.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use cruscotto_store::{Database, PoolOptions};
use diesel::QueryResult;
use serde::Serialize;

/// The floor's statements compiled for SQLite (`queries.rs`, with `Conn`
/// from here; `#[path = "."]` keeps the file beside this one).
#[path = "."]
mod sqlite_floor {
    type Conn = diesel::SqliteConnection;
    #[allow(clippy::duplicate_mod)] // The same statements, compiled per backend.
    #[path = "queries.rs"]
    mod queries;
    pub use queries::*;
}

/// The floor's statements compiled for Postgres.
#[path = "."]
mod pg_floor {
    type Conn = diesel::PgConnection;
    #[allow(clippy::duplicate_mod)] // The same statements, compiled per backend.
    #[path = "queries.rs"]
    mod queries;
    pub use queries::*;
}

/// An objective as the queries need it.
pub struct Objective {
    id: i32,
    centre: i32,
    code: String,
    title: String,
}

pub struct Indicator {
    id: i32,
    objective: i32,
    code: String,
    description: String,
    unit: String,
    direction: String,
}

pub struct Target {
    indicator: i32,
    year: i32,
    raw: String,
    comparator: Option<String>,
    number: Option<String>,
}

pub struct Latest {
    indicator: i32,
    period: String,
    value: String,
}

/// The rows of the nested tree query.
pub struct Rows {
    missions: Vec<(i32, String, String)>,
    programs: Vec<(i32, i32, String, String)>,
    actions: Vec<(i32, i32, String)>,
    /// (action id, objective), in the objectives' document order.
    objectives: Vec<(i32, Objective)>,
    centres: Vec<(i32, String, Option<String>)>,
    indicators: Vec<Indicator>,
    targets: Vec<Target>,
    latest: Vec<Latest>,
}

// ---- the JSON, as the GraphQL answer spells it -----------------------------

#[derive(Serialize)]
struct Answer<T> {
    data: T,
}

#[derive(Serialize)]
struct TreeData<'a> {
    missions: Edges<'a>,
}

#[derive(Serialize)]
struct Edges<'a> {
    edges: Vec<Edge<'a>>,
}

#[derive(Serialize)]
struct Edge<'a> {
    node: MissionOut<'a>,
}

#[derive(Serialize)]
struct MissionOut<'a> {
    code: &'a str,
    name: &'a str,
    programs: Vec<ProgramOut<'a>>,
}

#[derive(Serialize)]
struct ProgramOut<'a> {
    code: &'a str,
    name: &'a str,
    actions: Vec<ActionOut<'a>>,
}

#[derive(Serialize)]
struct ActionOut<'a> {
    name: &'a str,
    objectives: Vec<ObjectiveOut<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectiveOut<'a> {
    code: &'a str,
    title: &'a str,
    responsibility_centre: CentreOut<'a>,
    indicators: &'a [IndicatorOut<'a>],
}

#[derive(Serialize)]
struct CentreOut<'a> {
    name: &'a str,
    head: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IndicatorOut<'a> {
    code: &'a str,
    description: &'a str,
    unit: &'static str,
    direction: &'static str,
    targets: Vec<TargetOut<'a>>,
    #[serde(skip_serializing_if = "Skip::skip")]
    latest_measurement: Skip<LatestOut<'a>>,
}

/// A field present only in some queries: `Absent` leaves it out, `Value`
/// writes it (null when `None`).
enum Skip<T> {
    Absent,
    Value(Option<T>),
}

impl<T> Skip<T> {
    fn skip(&self) -> bool {
        matches!(self, Skip::Absent)
    }
}

impl<T: Serialize> Serialize for Skip<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Skip::Absent | Skip::Value(None) => s.serialize_none(),
            Skip::Value(Some(v)) => v.serialize(s),
        }
    }
}

#[derive(Serialize)]
struct TargetOut<'a> {
    year: i32,
    value: ValueOut<'a>,
}

#[derive(Serialize)]
struct ValueOut<'a> {
    raw: &'a str,
    comparator: Option<&'static str>,
    number: Option<&'a str>,
}

#[derive(Serialize)]
struct LatestOut<'a> {
    period: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct SmallData<'a> {
    objective: Option<SmallObjective<'a>>,
}

#[derive(Serialize)]
struct SmallObjective<'a> {
    code: &'a str,
    title: &'a str,
    indicators: Vec<IndicatorOut<'a>>,
}

fn unit(db: &str) -> &'static str {
    match db {
        "days" => "DAYS",
        "percent" => "PERCENT",
        _ => "COUNT",
    }
}

fn direction(db: &str) -> &'static str {
    match db {
        "lower_is_better" => "LOWER_IS_BETTER",
        _ => "HIGHER_IS_BETTER",
    }
}

fn comparator(db: Option<&str>) -> Option<&'static str> {
    match db? {
        "le" => Some("LE"),
        "lt" => Some("LT"),
        "ge" => Some("GE"),
        "gt" => Some("GT"),
        "eq" => Some("EQ"),
        _ => None,
    }
}

/// The indicators of each objective, with their targets and (when given)
/// latest measurements, in the JSON's shape.
fn indicators_by_objective<'a>(
    indicators: &'a [Indicator],
    targets: &'a [Target],
    latest: Option<&'a [Latest]>,
) -> HashMap<i32, Vec<IndicatorOut<'a>>> {
    let mut targets_of: HashMap<i32, Vec<TargetOut<'a>>> = HashMap::new();
    for t in targets {
        targets_of.entry(t.indicator).or_default().push(TargetOut {
            year: t.year,
            value: ValueOut {
                raw: &t.raw,
                comparator: comparator(t.comparator.as_deref()),
                number: t.number.as_deref(),
            },
        });
    }
    let latest_of: HashMap<i32, &Latest> = latest
        .unwrap_or_default()
        .iter()
        .map(|l| (l.indicator, l))
        .collect();
    let mut out: HashMap<i32, Vec<IndicatorOut<'a>>> = HashMap::new();
    for i in indicators {
        out.entry(i.objective).or_default().push(IndicatorOut {
            code: &i.code,
            description: &i.description,
            unit: unit(&i.unit),
            direction: direction(&i.direction),
            targets: targets_of.remove(&i.id).unwrap_or_default(),
            latest_measurement: match latest {
                None => Skip::Absent,
                Some(_) => Skip::Value(latest_of.get(&i.id).map(|l| LatestOut {
                    period: &l.period,
                    value: &l.value,
                })),
            },
        });
    }
    out
}

/// The tree's JSON from its rows.
fn tree_json(rows: &Rows) -> Vec<u8> {
    let indicators = indicators_by_objective(&rows.indicators, &rows.targets, Some(&rows.latest));
    let centres: HashMap<i32, CentreOut<'_>> = rows
        .centres
        .iter()
        .map(|(id, name, head)| {
            (
                *id,
                CentreOut {
                    name,
                    head: head.as_deref(),
                },
            )
        })
        .collect();
    let mut objectives_of: HashMap<i32, Vec<ObjectiveOut<'_>>> = HashMap::new();
    for (action, o) in &rows.objectives {
        let centre = &centres[&o.centre];
        objectives_of
            .entry(*action)
            .or_default()
            .push(ObjectiveOut {
                code: &o.code,
                title: &o.title,
                responsibility_centre: CentreOut {
                    name: centre.name,
                    head: centre.head,
                },
                indicators: indicators.get(&o.id).map(Vec::as_slice).unwrap_or_default(),
            });
    }
    let mut actions_of: HashMap<i32, Vec<ActionOut<'_>>> = HashMap::new();
    for (id, program, name) in &rows.actions {
        actions_of.entry(*program).or_default().push(ActionOut {
            name,
            objectives: objectives_of.remove(id).unwrap_or_default(),
        });
    }
    let mut programs_of: HashMap<i32, Vec<ProgramOut<'_>>> = HashMap::new();
    for (id, mission, code, name) in &rows.programs {
        programs_of.entry(*mission).or_default().push(ProgramOut {
            code,
            name,
            actions: actions_of.remove(id).unwrap_or_default(),
        });
    }
    let edges = rows
        .missions
        .iter()
        .map(|(id, code, name)| Edge {
            node: MissionOut {
                code,
                name,
                programs: programs_of.remove(id).unwrap_or_default(),
            },
        })
        .collect();
    serde_json::to_vec(&Answer {
        data: TreeData {
            missions: Edges { edges },
        },
    })
    .expect("the tree serializes")
}

type SmallRows = Option<(Objective, Vec<Indicator>, Vec<Target>)>;

fn small_json(rows: &SmallRows) -> Vec<u8> {
    let objective = rows.as_ref().map(|(o, indicators, targets)| {
        let mut by_objective = indicators_by_objective(indicators, targets, None);
        SmallObjective {
            code: &o.code,
            title: &o.title,
            indicators: by_objective.remove(&o.id).unwrap_or_default(),
        }
    });
    serde_json::to_vec(&Answer {
        data: SmallData { objective },
    })
    .expect("the objective serializes")
}

// ---- timing ------------------------------------------------------------------

struct Args {
    url: String,
    runs: usize,
    warmup: usize,
    plan: Option<String>,
    objective: String,
    small_runs: usize,
    out: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        url: std::env::var("DATABASE_URL").unwrap_or_default(),
        runs: 15,
        warmup: 3,
        plan: None,
        objective: "A.1".into(),
        small_runs: 2000,
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--database-url" => a.url = value(),
            "--runs" => a.runs = value().parse().expect("--runs is a number"),
            "--warmup" => a.warmup = value().parse().expect("--warmup is a number"),
            "--plan" => a.plan = Some(value()),
            "--objective" => a.objective = value(),
            "--small-runs" => a.small_runs = value().parse().expect("--small-runs is a number"),
            "--out" => a.out = Some(value()),
            other => panic!("unknown argument {other}"),
        }
    }
    assert!(!a.url.is_empty(), "give --database-url (or DATABASE_URL)");
    a
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Times `fetch` then `json` `runs` times after `warmup` untimed runs;
/// returns the medians of the total, the fetch and the JSON, and the last
/// JSON.
fn time<R>(
    warmup: usize,
    runs: usize,
    mut fetch: impl FnMut() -> QueryResult<R>,
    json: impl Fn(&R) -> Vec<u8>,
) -> (Duration, Duration, Duration, Vec<u8>) {
    let (mut totals, mut fetches, mut jsons) = (Vec::new(), Vec::new(), Vec::new());
    let mut last = Vec::new();
    for i in 0..warmup + runs {
        let start = Instant::now();
        let rows = fetch().expect("the floor's queries run");
        let fetched = Instant::now();
        last = json(&rows);
        let done = Instant::now();
        drop(rows);
        if i >= warmup {
            totals.push(done - start);
            fetches.push(fetched - start);
            jsons.push(done - fetched);
        }
    }
    (median(totals), median(fetches), median(jsons), last)
}

fn main() {
    let a = args();
    let db = Database::connect(&a.url, &PoolOptions::default()).expect("the database opens");
    let backend = db.backend().name();
    macro_rules! run {
        ($pool:expr, $module:ident) => {{
            let mut conn = $pool.get().expect("a connection");
            let tree = time(a.warmup, a.runs, || $module::tree(&mut conn), tree_json);
            let small = a.plan.as_deref().map(|plan| {
                time(
                    a.warmup,
                    a.small_runs,
                    || $module::small(&mut conn, plan, &a.objective),
                    small_json,
                )
            });
            (tree, small)
        }};
    }
    let (tree, small) = match &db {
        Database::Sqlite(pool) => run!(pool, sqlite_floor),
        Database::Postgres(pool) => run!(pool, pg_floor),
    };
    let (total, fetch, json, body) = tree;
    println!(
        "floor tree {backend}: median {:.2} ms (fetch {:.2} ms, JSON {:.2} ms), {} bytes, {} runs",
        ms(total),
        ms(fetch),
        ms(json),
        body.len(),
        a.runs
    );
    if let Some(out) = &a.out {
        std::fs::write(out, &body).expect("the tree's JSON is written");
    }
    if let Some((total, fetch, json, body)) = small {
        println!(
            "floor small {backend}: median {:.3} ms (fetch {:.3} ms, JSON {:.3} ms), {} bytes, {} runs",
            ms(total),
            ms(fetch),
            ms(json),
            body.len(),
            a.small_runs
        );
        if let Some(out) = &a.out {
            std::fs::write(format!("{out}.small"), &body).expect("the objective's JSON is written");
        }
    }
}
