//! `cruscotto export --format csv|xlsx`: a plan as the flat tables a data
//! person opens in a spreadsheet: objectives, indicators, targets and
//! measured values, one row each, keyed by the codes that join them.

use std::path::Path;

use anyhow::{Context, Result};
use cruscotto_import::model::{Measure, PlanDocument};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// A cell: text, an exact number, or nothing.
pub enum Cell {
    Text(String),
    Number(Decimal),
    Whole(i64),
    Empty,
}

impl Cell {
    fn text(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    fn opt_text(s: Option<&str>) -> Cell {
        s.map_or(Cell::Empty, Cell::text)
    }

    fn opt_number(n: Option<Decimal>) -> Cell {
        n.map_or(Cell::Empty, Cell::Number)
    }

    /// As CSV writes it: numbers with a decimal point, as stored.
    fn to_csv(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => n.normalize().to_string(),
            Cell::Whole(n) => n.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

pub struct Table {
    pub name: &'static str,
    pub header: &'static [&'static str],
    pub rows: Vec<Vec<Cell>>,
}

fn measure_cells(m: Option<&Measure>) -> [Cell; 4] {
    match m {
        None => [Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty],
        Some(m) => [
            Cell::text(&m.raw),
            Cell::opt_text(m.comparator.map(|c| c.as_str())),
            Cell::opt_number(m.number),
            Cell::opt_text(m.unit.map(|u| u.as_str())),
        ],
    }
}

/// The four tables of `doc`, in document order.
pub fn tables(doc: &PlanDocument) -> Vec<Table> {
    let plan = &doc.plan.code;
    let mut objectives = Vec::new();
    let mut indicators = Vec::new();
    let mut targets = Vec::new();
    for o in &doc.objectives {
        let budget = |f: fn(&cruscotto_import::model::BudgetLink) -> &str| {
            o.budget.iter().map(f).collect::<Vec<_>>().join("; ")
        };
        objectives.push(vec![
            Cell::text(plan),
            Cell::text(&o.code),
            Cell::Whole(o.year.into()),
            Cell::text(&o.title),
            Cell::text(&o.responsibility_centre.name),
            Cell::opt_text(o.responsibility_centre.head.as_deref()),
            Cell::opt_text(o.start_date.map(|d| d.to_string()).as_deref()),
            Cell::opt_text(o.end_date.map(|d| d.to_string()).as_deref()),
            Cell::text(&budget(|b| &b.mission_code)),
            Cell::text(&budget(|b| &b.program_code)),
            Cell::Whole(o.indicators.len() as i64),
        ]);
        for i in &o.indicators {
            let [raw, comparator, number, unit] = measure_cells(i.baseline.as_ref());
            indicators.push(vec![
                Cell::text(plan),
                Cell::text(&o.code),
                Cell::text(&i.code),
                Cell::text(&i.description),
                Cell::text(&i.method),
                Cell::text(i.unit.as_str()),
                Cell::text(i.direction.as_str()),
                raw,
                comparator,
                number,
                unit,
                Cell::opt_text(i.calculator.as_ref().map(|c| c.calculator.as_str())),
            ]);
            for t in &i.targets {
                let [raw, comparator, number, unit] = measure_cells(Some(&t.value));
                targets.push(vec![
                    Cell::text(plan),
                    Cell::text(&o.code),
                    Cell::text(&i.code),
                    Cell::Whole(t.year.into()),
                    raw,
                    comparator,
                    number,
                    unit,
                ]);
            }
        }
    }
    let values = doc
        .measurements
        .iter()
        .map(|m| {
            vec![
                Cell::text(plan),
                Cell::text(&m.objective),
                Cell::text(&m.indicator),
                Cell::text(&m.period),
                Cell::Number(m.value),
                Cell::opt_number(m.numerator),
                Cell::opt_number(m.denominator),
                Cell::text(&m.source),
                Cell::text(&m.recorded_by),
                Cell::Text(m.recorded_at.to_string()),
            ]
        })
        .collect();
    vec![
        Table {
            name: "objectives",
            header: &[
                "plan",
                "objective",
                "year",
                "title",
                "responsibility_centre",
                "head",
                "start_date",
                "end_date",
                "missions",
                "programs",
                "indicators",
            ],
            rows: objectives,
        },
        Table {
            name: "indicators",
            header: &[
                "plan",
                "objective",
                "indicator",
                "description",
                "method",
                "unit",
                "direction",
                "baseline",
                "baseline_comparator",
                "baseline_number",
                "baseline_unit",
                "calculator",
            ],
            rows: indicators,
        },
        Table {
            name: "targets",
            header: &[
                "plan",
                "objective",
                "indicator",
                "year",
                "target",
                "comparator",
                "number",
                "unit",
            ],
            rows: targets,
        },
        Table {
            name: "values",
            header: &[
                "plan",
                "objective",
                "indicator",
                "period",
                "value",
                "numerator",
                "denominator",
                "source",
                "recorded_by",
                "recorded_at",
            ],
            rows: values,
        },
    ]
}

/// One CSV file per table (`objectives.csv`, …) in `dir`, created if needed.
pub fn write_csv(tables: &[Table], dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for table in tables {
        let path = dir.join(format!("{}.csv", table.name));
        let mut writer = csv::Writer::from_path(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        writer.write_record(table.header)?;
        for row in &table.rows {
            writer.write_record(row.iter().map(Cell::to_csv))?;
        }
        writer
            .flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// One workbook with a sheet per table; numbers are numbers.
pub fn write_xlsx(tables: &[Table], path: &Path) -> Result<()> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for table in tables {
        let sheet = workbook.add_worksheet().set_name(table.name)?;
        for (c, name) in table.header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *name, &bold)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).context("too many rows for a worksheet")?;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => {
                        sheet.write_string(r, c, s)?;
                    }
                    Cell::Number(n) => {
                        sheet.write_number(r, c, n.to_f64().unwrap_or(f64::NAN))?;
                    }
                    Cell::Whole(n) => {
                        sheet.write_number(r, c, *n as f64)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    workbook
        .save(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
