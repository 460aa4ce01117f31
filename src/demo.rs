//! `cruscotto demo`: the service on the embedded database with the project's
//! sample data loaded, so a newcomer has something to explore at once. The
//! sample files are compiled into the binary, so the command works from any
//! directory.

use crate::output::out;
use std::process::ExitCode;

use anyhow::{Context, Result};
use cruscotto_calculators::{read_payments_csv_from, Period, Registry};
use cruscotto_engine::Engine;
use cruscotto_import::ParseOptions;

use crate::{commands, serve};

/// The sample plans, written for this project (a fictional regional
/// transport agency), in the two published text shapes.
const SAMPLE_PLANS: [(&str, &str); 2] = [
    (
        "piano-agenzia-2025.txt",
        include_str!("../data/sample/piano-agenzia-2025.txt"),
    ),
    (
        "piano-triennale-2024-2026.txt",
        include_str!("../data/sample/piano-triennale-2024-2026.txt"),
    ),
];

/// Invoices paid by the sample agency in 2025, for its payment-timeliness
/// indicator B.1/1.
const SAMPLE_PAYMENTS: (&str, &str) = (
    "pagamenti-2025.csv",
    include_str!("../data/sample/pagamenti-2025.csv"),
);

/// Loads the sample data (again: imports update in place), computes the
/// sample's payment timeliness for 2025 and its quarters, then serves.
pub fn demo(database_url: &str, listen: String) -> Result<ExitCode> {
    let db = commands::open(database_url)?;
    let mut plan_codes = Vec::new();
    for (name, content) in SAMPLE_PLANS {
        let doc = cruscotto_import::parse_document(name, content, &ParseOptions::default())?;
        let summary = db
            .save_document(&doc, Some(name))
            .with_context(|| format!("{name}: the sample plan could not be stored"))?;
        out!(
            "loaded sample plan {}: {} objectives, {} indicators, {} areas",
            summary.plan_code,
            summary.counts.objectives,
            summary.counts.indicators,
            summary.counts.areas
        );
        plan_codes.push(summary.plan_code);
    }

    let (name, csv) = SAMPLE_PAYMENTS;
    let records = read_payments_csv_from(csv.as_bytes(), name)?;
    db.import_payments(&plan_codes[0], &records, name)?;
    let indicator = db.indicator_id(&plan_codes[0], "B.1", "1")?;
    let registry = Registry::builtin();
    for period in ["2025", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"] {
        let period: Period = period.parse()?;
        Engine::new(&db)
            .compute_indicator(&registry, indicator, &period, "demo")
            .map_err(|e| {
                anyhow::anyhow!("computing the sample indicator B.1/1 for {period}: {e}")
            })?;
    }
    out!(
        "computed payment timeliness of {} B.1/1 from {} sample invoices",
        plan_codes[0],
        records.len()
    );
    serve::serve(database_url, listen)
}
