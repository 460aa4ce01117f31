//! The calculation subcommands: importing invoice payments, recording
//! measured values and phase progress, binding indicators to calculators,
//! computing and storing values with provenance, listing calculators, and
//! generating payment files for benchmarks.

use crate::output::out;
use crate::progress::Progress;
use crate::splitmix::SplitMix;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Subcommand;
use cruscotto_calculators::{Decimal, Period, Registry};
use cruscotto_engine::{Engine, StoredValue};
use cruscotto_store::calc::MeasuredValue;
use cruscotto_store::Database;

use crate::commands::open;

/// `CRUSCOTTO_PLUGIN_DIR`: the directory scanned for calculator plugins
/// (`.so`, `.dylib`, `.dll`) when `--plugin-dir` is not given. Without
/// either, `plugins/` is used when it exists.
pub const PLUGIN_DIR_VAR: &str = "CRUSCOTTO_PLUGIN_DIR";

/// The calculation subcommands, flattened into the top-level command.
#[derive(Debug, Subcommand)]
pub enum CalcCommand {
    /// Imports invoice payments from a CSV file (Italian or English headers
    /// and formats) into a plan, in one transaction: a bad row stores
    /// nothing; invoices already imported are updated by invoice number.
    ImportPayments {
        /// The CSV file.
        file: PathBuf,
        /// Code of the plan the payments belong to.
        #[arg(long)]
        plan: String,
    },
    /// Records (or replaces) the measured value of an indicator for a period.
    Measure {
        #[command(flatten)]
        indicator: IndicatorRef,
        /// `2020`, `2020-Q1` or `2020-03`.
        #[arg(long)]
        period: String,
        /// The value (a decimal with `.`).
        #[arg(long, allow_hyphen_values = true)]
        value: Decimal,
        /// Numerator, for ratio indicators.
        #[arg(long, allow_hyphen_values = true)]
        numerator: Option<Decimal>,
        /// Denominator, for ratio indicators.
        #[arg(long, allow_hyphen_values = true)]
        denominator: Option<Decimal>,
        /// Where the value comes from.
        #[arg(long, default_value = "cli")]
        source: String,
    },
    /// Records (or replaces) how complete a phase was in a period.
    Progress {
        /// Code of the plan.
        #[arg(long)]
        plan: String,
        /// Code of the objective (`A.1`).
        #[arg(long)]
        objective: String,
        /// Code of the phase (`A.1.3`).
        #[arg(long)]
        phase: String,
        /// `2020`, `2020-Q1` or `2020-03`.
        #[arg(long)]
        period: String,
        /// Completion in percent, 0-100.
        #[arg(long)]
        completion: Decimal,
    },
    /// Binds an indicator to a calculator (a person's choice: not guessed).
    Bind {
        #[command(flatten)]
        indicator: IndicatorRef,
        /// Calculator id (see `cruscotto calculators`).
        #[arg(long)]
        calculator: String,
        /// Parameters as a JSON object, e.g. '{"default_term_days": 60}'.
        #[arg(long)]
        params: Option<String>,
        #[command(flatten)]
        plugins: PluginArgs,
    },
    /// Computes an indicator for one or more periods and stores each value
    /// with its provenance (unless the inputs are unchanged since the last
    /// computation, in which case the stored value is shown).
    Compute {
        #[command(flatten)]
        indicator: IndicatorRef,
        /// Periods, comma-separated: `2020,2020-Q1,2020-Q2`.
        #[arg(long, value_delimiter = ',', required = true)]
        period: Vec<String>,
        #[command(flatten)]
        plugins: PluginArgs,
    },
    /// Lists the calculators (built-in and plugins) and plugin load errors.
    Calculators {
        #[command(flatten)]
        plugins: PluginArgs,
    },
    /// Writes a deterministic CSV of invoice payments in Italian format, for
    /// benchmarks and demonstrations.
    GeneratePayments {
        /// Number of invoices.
        #[arg(long)]
        rows: u64,
        /// Seed of the pseudo-random generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Year the invoices are mostly paid in.
        #[arg(long, default_value_t = 2020)]
        year: i32,
        /// Output file (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// Which indicator: plan, objective and indicator codes.
#[derive(Debug, clap::Args)]
pub struct IndicatorRef {
    /// Code of the plan.
    #[arg(long)]
    plan: String,
    /// Code of the objective (`A.1`).
    #[arg(long)]
    objective: String,
    /// Code of the indicator within the objective (`1`).
    #[arg(long)]
    indicator: String,
}

impl IndicatorRef {
    fn label(&self) -> String {
        format!("{}/{}/{}", self.plan, self.objective, self.indicator)
    }

    fn id(&self, db: &Database) -> Result<i32> {
        Ok(db.indicator_id(&self.plan, &self.objective, &self.indicator)?)
    }
}

/// Where plugins are loaded from.
#[derive(Debug, clap::Args)]
pub struct PluginArgs {
    /// Directory of calculator plugins (default: `plugins/` if it exists).
    #[arg(long, env = PLUGIN_DIR_VAR)]
    plugin_dir: Option<PathBuf>,
}

impl PluginArgs {
    /// The registry the plugin settings describe (isolation, timeout,
    /// memory limit: see `crate::settings::registry_config`), over the
    /// directory of the flag, `CRUSCOTTO_PLUGIN_DIR`, or `plugins/` if it
    /// exists.
    fn registry(&self) -> Result<Registry> {
        let default = Path::new("plugins");
        let plugin_dir = self
            .plugin_dir
            .clone()
            .or_else(|| default.is_dir().then(|| default.to_path_buf()));
        Ok(Registry::new(crate::settings::registry_config(plugin_dir)?))
    }
}

/// Who the CLI records as author of values and computations.
fn who() -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

fn parse_period(text: &str) -> Result<Period> {
    Ok(text.trim().parse::<Period>()?)
}

/// Runs one calculation subcommand.
pub fn run(database_url: &str, command: CalcCommand) -> Result<ExitCode> {
    match command {
        CalcCommand::ImportPayments { file, plan } => import_payments(database_url, &file, &plan),
        CalcCommand::Measure {
            indicator,
            period,
            value,
            numerator,
            denominator,
            source,
        } => {
            let db = open(database_url)?;
            let id = indicator.id(&db)?;
            let period = parse_period(&period)?;
            let measured = MeasuredValue {
                period,
                value,
                numerator,
                denominator,
                source,
                recorded_by: who(),
            };
            db.record_measurement(id, &measured)?;
            out!("{} {period}: recorded {value}", indicator.label());
            Ok(ExitCode::SUCCESS)
        }
        CalcCommand::Progress {
            plan,
            objective,
            phase,
            period,
            completion,
        } => {
            let db = open(database_url)?;
            let id = db.phase_id(&plan, &objective, &phase)?;
            let period = parse_period(&period)?;
            db.record_phase_progress(id, &period, completion, &who())?;
            out!("{plan}/{objective} phase {phase} {period}: {completion}% complete");
            Ok(ExitCode::SUCCESS)
        }
        CalcCommand::Bind {
            indicator,
            calculator,
            params,
            plugins,
        } => {
            let params: serde_json::Value = match params {
                Some(text) => serde_json::from_str(&text)
                    .with_context(|| format!("--params is not JSON: {text}"))?,
                None => serde_json::json!({}),
            };
            let db = open(database_url)?;
            let id = indicator.id(&db)?;
            // A plugin may be installed after binding, so an unknown id is a
            // warning, not an error.
            if plugins.registry()?.get(&calculator).is_none() {
                eprintln!("warning: no calculator \"{calculator}\" is loaded now; computing will fail until it is");
            }
            db.set_calculator_binding(id, &calculator, &params, false)?;
            out!("{} bound to {calculator} with {params}", indicator.label());
            Ok(ExitCode::SUCCESS)
        }
        CalcCommand::Compute {
            indicator,
            period,
            plugins,
        } => compute(database_url, &indicator, &period, &plugins),
        CalcCommand::Calculators { plugins } => calculators(&plugins),
        CalcCommand::GeneratePayments {
            rows,
            seed,
            year,
            output,
        } => generate_payments(rows, seed, year, output.as_deref()),
    }
}

fn import_payments(database_url: &str, file: &Path, plan: &str) -> Result<ExitCode> {
    let db = open(database_url)?;
    let started = Instant::now();
    let progress = Progress::spinner(format!("{}: reading", file.display()));
    // The reader's errors name the file, the line and the column.
    let records = cruscotto_calculators::read_payments_csv(file)?;
    let read = started.elapsed();
    progress.step(format!(
        "{}: storing {} payments in one transaction",
        file.display(),
        records.len()
    ));
    let summary = db
        .import_payments(plan, &records, &file.display().to_string())
        .with_context(|| format!("{}: nothing was imported", file.display()))?;
    let total = started.elapsed();
    drop(progress);
    out!(
        "{}: {} payments for plan {}: {} new, {} updated; the plan has {} payments ({:.2} s, {:.2} s reading, {:.0} rows/s)",
        file.display(),
        summary.records,
        summary.plan_code,
        summary.inserted,
        summary.updated,
        summary.plan_payments,
        total.as_secs_f64(),
        read.as_secs_f64(),
        summary.records as f64 / total.as_secs_f64().max(1e-9),
    );
    Ok(ExitCode::SUCCESS)
}

fn compute(
    database_url: &str,
    indicator: &IndicatorRef,
    periods: &[String],
    plugins: &PluginArgs,
) -> Result<ExitCode> {
    let periods = periods
        .iter()
        .map(|p| parse_period(p))
        .collect::<Result<Vec<_>>>()?;
    let db = open(database_url)?;
    let registry = plugins.registry()?;
    let id = indicator.id(&db)?;
    out!("{}", indicator.label());
    for period in periods {
        let started = Instant::now();
        let progress = Progress::spinner(format!("computing {period}"));
        let stored = Engine::new(&db)
            .compute_indicator(&registry, id, &period, &who())
            .with_context(|| format!("{} {period}", indicator.label()))?;
        let elapsed = started.elapsed();
        drop(progress);
        let unit = registry
            .get(&stored.provenance.calculator_id)
            .map(|c| format!("{:?}", c.descriptor().unit).to_lowercase())
            .unwrap_or_default();
        print_value(&stored, &unit, elapsed.as_secs_f64());
        let achievement = Engine::new(&db).value_achievement(&stored)?;
        let target = achievement.target_raw.as_deref().unwrap_or("none");
        match achievement.achievement.degree {
            Some(degree) => out!(
                "    achievement {degree}% ({:?}) against the {} target {target}",
                achievement.achievement.status,
                achievement.year
            ),
            None => out!(
                "    achievement: no data (the {} target is {target})",
                achievement.year
            ),
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_value(v: &StoredValue, unit: &str, seconds: f64) {
    let value = v.value.map_or_else(
        || "no data".to_string(),
        |x| format!("{} {unit}", x.round_dp(2)),
    );
    out!(
        "  {}: {value}  (exact {}; {}, {:.3} s)",
        v.period,
        v.value.map_or_else(|| "-".to_string(), |x| x.to_string()),
        if v.reused {
            "inputs unchanged, stored value reused"
        } else {
            "computed and stored"
        },
        seconds
    );
    if let (Some(n), Some(d)) = (v.numerator, v.denominator) {
        out!("    numerator {n}, denominator {d}");
    }
    out!(
        "    records used {}, excluded {}",
        v.records_used,
        v.records_excluded
    );
    for d in &v.diagnostics {
        out!("    note {}: {}", d.code, d.message);
    }
    out!(
        "    calculator {} {} ({}), params {}, fingerprint {}, value #{} by {} at {}",
        v.provenance.calculator_id,
        v.provenance.calculator_version,
        v.provenance.source,
        v.params,
        v.provenance.input_fingerprint,
        v.id,
        v.computed_by,
        v.computed_at.format("%Y-%m-%d %H:%M:%S")
    );
}

fn calculators(plugins: &PluginArgs) -> Result<ExitCode> {
    let registry = plugins.registry()?;
    for d in registry.descriptors() {
        let inputs: Vec<String> = d
            .inputs
            .iter()
            .map(|i| format!("{} ({:?})", i.name, i.kind).to_lowercase())
            .collect();
        out!("{} {} [{}]", d.id, d.version, d.source);
        out!("    {}", d.description);
        out!(
            "    inputs: {}; unit {:?}, {:?}",
            inputs.join(", "),
            d.unit,
            d.direction
        );
        for p in &d.params {
            out!(
                "    param {} ({}, default {}): {}",
                p.name,
                p.kind,
                p.default,
                p.description
            );
        }
    }
    let errors = registry.load_errors();
    for e in &errors {
        out!("load error: {e}");
    }
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Formats cents the Italian way: `1.234,56`.
fn italian_amount(cents: u64) -> String {
    let euros = (cents / 100).to_string();
    let mut grouped = String::with_capacity(euros.len() + euros.len() / 3);
    for (i, c) in euros.chars().enumerate() {
        // A dot before every group of three digits counted from the right.
        let digits_left = euros.len() - i;
        if i > 0 && matches!(digits_left % 3, 0) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{grouped},{:02}", cents % 100)
}

fn generate_payments(rows: u64, seed: u64, year: i32, output: Option<&Path>) -> Result<ExitCode> {
    use cruscotto_calculators::{date_from_day, day_number};
    // Invoices from November of the year before to mid-November: most are
    // due and paid within the year.
    let first = day_number(
        Period::month(year - 1, 11)
            .with_context(|| format!("--year {year} is not a usable year"))?
            .start(),
    );
    let mut out: Box<dyn Write> = match output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(crate::output::Stdout)),
    };
    let mut rng = SplitMix(seed);
    let date = |day: i64| {
        i32::try_from(day)
            .ok()
            .and_then(date_from_day)
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default()
    };
    writeln!(
        out,
        "Numero fattura;Fornitore;Importo;Data fattura;Data scadenza;Data pagamento;Giorni sospensione"
    )?;
    for i in 0..rows {
        let invoice = i64::from(first) + rng.below(380) as i64;
        let term = if rng.below(5) == 0 { 60 } else { 30 };
        let due = invoice + term;
        // Delays from 25 days early to 45 days late.
        let paid = due + rng.below(71) as i64 - 25;
        let cents = 1_000 + rng.below(5_000_000) + rng.below(100) * rng.below(100_000);
        let roll = rng.below(100);
        // A few invoices have no due date (the calculator defaults it) and a
        // few are unpaid.
        let due_text = if roll < 4 { String::new() } else { date(due) };
        let paid_text = if roll >= 97 {
            String::new()
        } else {
            date(paid)
        };
        let suspended = if rng.below(50) == 0 { rng.below(30) } else { 0 };
        writeln!(
            out,
            "FT-{seed}-{i:08};Fornitore {:04} S.r.l.;{};{};{due_text};{paid_text};{suspended}",
            rng.below(5_000),
            italian_amount(cents),
            date(invoice),
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_amounts_read_back_as_the_same_cents() {
        for cents in [0, 5, 100, 123_456, 100_000_000, 987_654_321] {
            let text = italian_amount(cents);
            assert_eq!(
                cruscotto_calculators::parse_amount_cents(&text),
                Ok(cents as i64),
                "{text}"
            );
        }
    }
}
