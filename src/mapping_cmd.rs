//! `cruscotto import --mapping MAP SOURCE…`, `cruscotto import --dry-run`
//! and `cruscotto mapping check MAP`: documents in any layout, read through
//! a declared mapping (`docs/mapping-guide.md`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Subcommand;
use cruscotto_import::mapping::{self, Mapping, Report};
use cruscotto_import::{validate, DocumentCounts, PlanDocument};

use crate::commands::{open, print_finding, read_text, store, ImportOptions};
use crate::output::out;

#[derive(Debug, Subcommand)]
pub enum MappingCommand {
    /// Checks a mapping file: prints what it reads, or the line and column
    /// of its first mistake.
    Check {
        /// The mapping file (TOML).
        map: PathBuf,
    },
}

pub fn run(command: MappingCommand) -> Result<ExitCode> {
    match command {
        MappingCommand::Check { map } => match mapping::load(&map) {
            Ok(m) => {
                out!("{}: {}", map.display(), describe(&m));
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("error: {e}");
                Ok(ExitCode::FAILURE)
            }
        },
    }
}

fn describe(m: &Mapping) -> String {
    let (what, n) = match &m.body {
        mapping::spec::Body::Table { indicator, .. } => (
            if indicator.is_some() {
                "rows make objectives and indicators"
            } else {
                "rows make objectives"
            },
            None,
        ),
        mapping::spec::Body::Text { rules } => ("lines are read by", Some(rules.len())),
    };
    match n {
        Some(n) => format!(
            "a valid {} mapping: {what} {n} rule(s)",
            m.source.format.as_str()
        ),
        None => format!("a valid {} mapping: {what}", m.source.format.as_str()),
    }
}

/// Imports (or, with `--dry-run`, only reads) every file, each in its own
/// transaction; the exit code says whether all passed.
pub fn import(database_url: &str, files: &[PathBuf], options: &ImportOptions) -> Result<ExitCode> {
    if options.plan.is_some() && files.len() > 1 {
        bail!("--plan names one plan: import one file at a time with it");
    }
    let map = match &options.mapping {
        Some(path) => Some(mapping::load(path)?),
        None => None,
    };
    let db = if options.dry_run {
        None
    } else {
        Some(open(database_url)?)
    };
    let mut failed = 0;
    for file in files {
        if let Err(e) = import_one(db.as_ref(), map.as_ref(), file, options) {
            failed += 1;
            eprintln!("error: {e:#}");
            eprintln!("  {}: nothing was imported from this file", file.display());
        }
    }
    if failed > 0 {
        eprintln!("{failed} of {} file(s) failed", files.len());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn import_one(
    db: Option<&cruscotto_store::Database>,
    map: Option<&Mapping>,
    file: &Path,
    options: &ImportOptions,
) -> Result<()> {
    let name = file.display().to_string();
    let parse_options = options.parse_options();
    let progress = crate::progress::Progress::spinner(format!("{name}: reading"));
    let (doc, report) = match map {
        Some(map) => {
            let imported = mapping::read(map, file, &name, &parse_options, options.strict)?;
            (imported.doc, Some(imported.report))
        }
        None => {
            let content = read_text(file, &name)?;
            (
                cruscotto_import::parse_document(&name, &content, &parse_options)?,
                None,
            )
        }
    };
    if options.strict {
        validate::strict(&name, &doc)?;
    }
    match db {
        None => {
            drop(progress);
            out!(
                "{name}: would import plan {} (dry run: nothing written): {}",
                doc.plan.code,
                counts(&doc)
            );
            print_report(&name, report.as_ref());
            print_outline(&doc);
            for f in &doc.findings {
                print_finding(&name, f);
            }
        }
        Some(db) => {
            let summary = store(db, &doc, &name, &progress)?;
            drop(progress);
            out!(
                "{name}: {} plan {}: {}",
                if summary.created {
                    "created"
                } else {
                    "updated"
                },
                summary.plan_code,
                counts(&doc)
            );
            print_report(&name, report.as_ref());
            for f in &summary.findings {
                print_finding(&name, f);
            }
        }
    }
    Ok(())
}

fn counts(doc: &PlanDocument) -> String {
    let DocumentCounts {
        objectives,
        indicators,
        targets,
        phases,
        areas,
        ambiti,
    } = DocumentCounts::of(doc);
    format!(
        "{objectives} objectives, {indicators} indicators, {targets} targets, {phases} phases, {areas} areas, {ambiti} ambiti, {} measurements, {} finding(s)",
        doc.measurements.len(),
        doc.findings.len()
    )
}

fn print_report(name: &str, report: Option<&Report>) {
    let Some(r) = report else { return };
    out!(
        "  read {} {}(s) with content: {} unused, {} ignored as the mapping declares, {} placeholder(s) read as no quantitative target",
        r.records,
        if r.unit == "cell" { "row" } else { "line" },
        r.unused,
        r.ignored,
        r.placeholders
    );
    if r.unused == 0 {
        return;
    }
    out!(
        "  {name}: the mapping did not use {} non-empty {}(s) (--strict refuses them):",
        r.unused,
        r.unit
    );
    for (column, n) in &r.unused_by_column {
        out!("    column {column:?}: {n} cell(s)");
    }
    for u in &r.first_unused {
        match &u.column {
            Some(c) => out!("    unused {}: {c:?} = {:?}", u.at, u.text),
            None => out!("    unused {}: {:?}", u.at, u.text),
        }
    }
    if r.unused > r.first_unused.len() {
        out!("    … and {} more", r.unused - r.first_unused.len());
    }
}

/// What a dry run would import: objectives with their indicators, targets
/// by year and phases (the first 20 objectives).
fn print_outline(doc: &PlanDocument) {
    for o in doc.objectives.iter().take(20) {
        let centre = &o.responsibility_centre;
        out!(
            "  objective {} ({}): {} | CDR {}{}",
            o.code,
            o.year,
            o.title,
            centre.name,
            centre
                .head
                .as_ref()
                .map(|h| format!(", head {h}"))
                .unwrap_or_default()
        );
        for i in &o.indicators {
            let method = i.method.lines().next().unwrap_or("");
            let targets: Vec<String> = i
                .targets
                .iter()
                .map(|t| format!("{}: {}", t.year, t.value.raw))
                .collect();
            out!(
                "    indicator {} [{}] {}{}{}{}",
                i.code,
                i.unit.as_str(),
                i.description.lines().next().unwrap_or(""),
                i.baseline
                    .as_ref()
                    .map(|b| format!(" | baseline {}", b.raw))
                    .unwrap_or_default(),
                if targets.is_empty() {
                    " | no quantitative target".to_string()
                } else {
                    format!(" | targets {}", targets.join(", "))
                },
                if method.is_empty() {
                    String::new()
                } else {
                    format!(" | method {method}")
                }
            );
        }
        for p in &o.phases {
            out!(
                "    phase {} ({}): {}",
                p.code,
                p.end_date.map(|d| d.to_string()).unwrap_or_default(),
                p.description
            );
        }
    }
    if doc.objectives.len() > 20 {
        out!("  … and {} more objectives", doc.objectives.len() - 20);
    }
}
