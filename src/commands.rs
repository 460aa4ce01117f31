//! What each subcommand does. Errors become `anyhow` here, at the edge, with
//! the file or plan they concern as context.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use cruscotto_import::{json, validate, ParseOptions};
use cruscotto_schema::{Database, PoolOptions};

/// Opens the database and brings its schema up to date.
pub fn open(database_url: &str) -> Result<Database> {
    let db = Database::connect(database_url, &PoolOptions::default())?;
    db.migrate().context("applying migrations")?;
    Ok(db)
}

pub fn migrate(database_url: &str, revert_all: bool) -> Result<ExitCode> {
    let db = Database::connect(database_url, &PoolOptions::default())?;
    if revert_all {
        let reverted = db.revert_all()?;
        println!("reverted {} migration(s)", reverted.len());
    } else {
        let applied = db.migrate()?;
        println!(
            "{} migration(s) applied; the {} database is up to date",
            applied.len(),
            db.backend().name()
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Default)]
pub struct ImportOptions {
    pub plan: Option<String>,
    pub administration: Option<String>,
    pub title: Option<String>,
    pub strict: bool,
}

/// Imports every file in its own transaction; a failing file is reported and
/// leaves the database as it was, and the exit code says whether all passed.
pub fn import(
    database_url: &str,
    files: &[std::path::PathBuf],
    options: ImportOptions,
) -> Result<ExitCode> {
    if options.plan.is_some() && files.len() > 1 {
        bail!("--plan names one plan: import one file at a time with it");
    }
    let db = open(database_url)?;
    let mut failed = 0;
    for file in files {
        match import_one(&db, file, &options) {
            Ok(()) => {}
            Err(e) => {
                failed += 1;
                eprintln!("error: {e:#}");
                eprintln!("  {}: nothing was imported from this file", file.display());
            }
        }
    }
    if failed > 0 {
        eprintln!("{failed} of {} file(s) failed", files.len());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn import_one(db: &Database, file: &Path, options: &ImportOptions) -> Result<()> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| format!("{name}: cannot read the file"))?;
    let content = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{name}: the file is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    let parse_options = ParseOptions {
        plan_code: options.plan.clone(),
        administration: options.administration.clone(),
        title: options.title.clone(),
    };
    let doc = cruscotto_import::parse_document(&name, &content, &parse_options)?;
    if options.strict {
        validate::strict(&name, &doc)?;
    }
    let summary = db
        .save_document(&doc, Some(&name))
        .with_context(|| format!("{name}: the plan could not be stored"))?;
    let c = &summary.counts;
    println!(
        "{name}: {} plan {}: {} objectives, {} indicators, {} targets, {} phases, {} areas, {} ambiti, {} results, {} measurements, {} finding(s)",
        if summary.created { "created" } else { "updated" },
        summary.plan_code,
        c.objectives,
        c.indicators,
        c.targets,
        c.phases,
        c.areas,
        c.ambiti,
        c.ambito_results,
        c.measurements,
        c.findings
    );
    for f in &summary.findings {
        let line = f.line.map(|l| format!("{name}:{l}: ")).unwrap_or_default();
        println!(
            "  finding {line}{} {}: {} ({})",
            f.entity, f.entity_code, f.message, f.code
        );
    }
    Ok(())
}

pub fn export(database_url: &str, plan: &str, output: Option<&Path>) -> Result<ExitCode> {
    let db = open(database_url)?;
    let doc = db.load_document(plan)?;
    write_output(output, &json::to_json(&doc))?;
    Ok(ExitCode::SUCCESS)
}

pub fn plans(database_url: &str) -> Result<ExitCode> {
    let db = open(database_url)?;
    let codes = db.plan_codes()?;
    if codes.is_empty() {
        println!("no plans yet: import one with `cruscotto import FILE`");
    }
    for code in codes {
        let c = db.plan_counts(&code)?;
        println!(
            "{code}: {} objectives, {} indicators, {} phases, {} areas, {} ambiti, {} measurements, {} finding(s)",
            c.objectives, c.indicators, c.phases, c.areas, c.ambiti, c.measurements, c.findings
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn generate(scale: u32, output: Option<&Path>) -> Result<ExitCode> {
    if scale == 0 {
        bail!("--scale must be at least 1");
    }
    let doc = cruscotto_import::generate::generate(scale);
    write_output(output, &json::to_json(&doc))?;
    Ok(ExitCode::SUCCESS)
}

fn write_output(output: Option<&Path>, text: &str) -> Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .context("writing to standard output")
        }
    }
}
