//! What each subcommand does. Errors become `anyhow` here, at the edge, with
//! the file or plan they concern as context.

use crate::output::out;
use crate::progress::Progress;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{bail, Context, Result};
use cruscotto_import::{json, validate, ParseOptions, PlanDocument};
use cruscotto_store::{Database, ImportSummary, PoolOptions};

static READ_ONLY: AtomicBool = AtomicBool::new(false);

/// `--read-only`: every command opens the database for reading only.
pub fn set_read_only(read_only: bool) {
    READ_ONLY.store(read_only, Ordering::Relaxed);
}

fn pool_options() -> PoolOptions {
    PoolOptions {
        read_only: READ_ONLY.load(Ordering::Relaxed),
        ..PoolOptions::default()
    }
}

/// Opens the database and brings its schema up to date (a read-only one is
/// only checked: see [`Database::migrate`]).
pub fn open(database_url: &str) -> Result<Database> {
    let db = Database::connect(database_url, &pool_options())?;
    db.migrate().context("applying migrations")?;
    Ok(db)
}

pub fn migrate(database_url: &str, revert_all: bool) -> Result<ExitCode> {
    let db = Database::connect(database_url, &pool_options())?;
    if revert_all {
        let reverted = db.revert_all()?;
        out!("reverted {} migration(s)", reverted.len());
    } else {
        let applied = db.migrate()?;
        out!(
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
    /// Read the files through this mapping (see `mapping_cmd`).
    pub mapping: Option<std::path::PathBuf>,
    /// Read only; write nothing.
    pub dry_run: bool,
}

impl ImportOptions {
    /// What the parser is told: the plan's code, administration and title.
    pub(crate) fn parse_options(&self) -> ParseOptions {
        ParseOptions {
            plan_code: self.plan.clone(),
            administration: self.administration.clone(),
            title: self.title.clone(),
        }
    }
}

/// Imports every file in its own transaction; a failing file is reported and
/// leaves the database as it was, and the exit code says whether all passed.
pub fn import(
    database_url: &str,
    files: &[std::path::PathBuf],
    options: ImportOptions,
) -> Result<ExitCode> {
    if options.mapping.is_some() || options.dry_run {
        return crate::mapping_cmd::import(database_url, files, &options);
    }
    if options.plan.is_some() && files.len() > 1 {
        bail!("--plan names one plan: import one file at a time with it");
    }
    let db = open(database_url)?;
    let mut failed = 0;
    let progress = Progress::bar(files.len());
    for file in files {
        match import_one(&db, file, &options, &progress) {
            Ok(()) => {}
            Err(e) => progress.suspend(|| {
                failed += 1;
                eprintln!("error: {e:#}");
                eprintln!("  {}: nothing was imported from this file", file.display());
            }),
        }
        progress.advance();
    }
    drop(progress);
    if failed > 0 {
        eprintln!("{failed} of {} file(s) failed", files.len());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn import_one(
    db: &Database,
    file: &Path,
    options: &ImportOptions,
    progress: &Progress,
) -> Result<()> {
    let name = file.display().to_string();
    progress.step(format!("{name}: reading"));
    let content = read_text(file, &name)?;
    progress.step(format!("{name}: parsing"));
    let doc = cruscotto_import::parse_document(&name, &content, &options.parse_options())?;
    if options.strict {
        validate::strict(&name, &doc)?;
    }
    let summary = store(db, &doc, &name, progress)?;
    progress.suspend(|| print_summary(&name, &summary));
    Ok(())
}

/// The text of the file `file` (called `name` in messages), which must be
/// UTF-8.
pub(crate) fn read_text(file: &Path, name: &str) -> Result<String> {
    let bytes = std::fs::read(file).with_context(|| format!("{name}: cannot read the file"))?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{name}: the file is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Stores `doc`, read from `name`, in one transaction, saying so on
/// `progress`.
pub(crate) fn store(
    db: &Database,
    doc: &PlanDocument,
    name: &str,
    progress: &Progress,
) -> Result<ImportSummary> {
    progress.step(format!(
        "{name}: storing {} objectives in one transaction",
        doc.objectives.len()
    ));
    db.save_document(doc, Some(name))
        .with_context(|| format!("{name}: the plan could not be stored"))
}

fn print_summary(name: &str, summary: &ImportSummary) {
    let c = &summary.counts;
    out!(
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
        print_finding(name, f);
    }
}

/// One finding of the document read from `name`, with its line if it has one.
pub(crate) fn print_finding(name: &str, f: &cruscotto_import::model::Finding) {
    let line = f.line.map(|l| format!("{name}:{l}: ")).unwrap_or_default();
    out!(
        "  finding {line}{} {}: {} ({})",
        f.entity,
        f.entity_code,
        f.message,
        f.code
    );
}

pub fn export(
    database_url: &str,
    plan: &str,
    format: crate::ExportFormat,
    output: Option<&Path>,
) -> Result<ExitCode> {
    use crate::ExportFormat;
    if format != ExportFormat::Json && output.is_none() {
        bail!("--format csv and xlsx write files: give the directory (csv) or the workbook (xlsx) with -o");
    }
    let db = open(database_url)?;
    let progress = Progress::spinner(format!("reading plan {plan}"));
    let doc = db.load_document(plan)?;
    progress.step(format!("writing plan {plan}"));
    match (format, output) {
        (ExportFormat::Json, _) => write_output(output, &json::to_json(&doc))?,
        (ExportFormat::Csv, Some(dir)) => {
            crate::tables::write_csv(&crate::tables::tables(&doc), dir)?
        }
        (ExportFormat::Xlsx, Some(file)) => {
            crate::tables::write_xlsx(&crate::tables::tables(&doc), file)?
        }
        (_, None) => unreachable!("checked above"),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn plans(database_url: &str) -> Result<ExitCode> {
    let db = open(database_url)?;
    let codes = db.plan_codes()?;
    if codes.is_empty() {
        out!("no plans yet: import one with `cruscotto import FILE`");
    }
    for code in codes {
        let c = db.plan_counts(&code)?;
        out!(
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
    let progress = Progress::spinner(format!("generating a plan of scale {scale}"));
    let doc = cruscotto_import::generate::generate(scale);
    progress.step("writing it as JSON");
    let text = json::to_json(&doc);
    drop(progress);
    write_output(output, &text)?;
    Ok(ExitCode::SUCCESS)
}

fn write_output(output: Option<&Path>, text: &str) -> Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            crate::output::write(text);
            Ok(())
        }
    }
}
