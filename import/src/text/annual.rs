//! The annual objective sheets: one sheet per `OBIETTIVO INDIVIDUALE ANNUALE
//! <year>` line, made of `Label<TAB>value` fields and three tables (budget,
//! indicators, phases). Lines are first gathered per sheet (joining rows cut
//! by page breaks), then each sheet is turned into an [`Objective`].

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde_json::json;

use super::{
    append, continue_row, document, has_amendment, parse_date, plan_info, sheet_heading_year,
    strip_italic, Line, LineMap, TableSpec,
};
use crate::error::ImportError;
use crate::measure::{parse_measure, parse_percent};
use crate::model::{
    BudgetLink, CalculatorBinding, Comparator, Direction, Indicator, LinkedObjective, MaxScore,
    Measure, Objective, Phase, PlanDocument, PlanKind, ResponsibilityCentre, Target, Unit,
};
use crate::validate;
use crate::ParseOptions;

mod links;
mod rows;

use links::*;
use rows::*;

pub(super) fn parse(
    file: &str,
    lines: &[Line<'_>],
    options: &ParseOptions,
) -> Result<(PlanDocument, LineMap), ImportError> {
    let (plan_notes, sheets) = gather(file, lines)?;

    let mut map = LineMap::default();
    let mut objective_lines: HashMap<String, u32> = HashMap::new();
    let mut phase_lines: HashMap<String, u32> = HashMap::new();
    let mut objectives = Vec::new();
    let mut findings = Vec::new();
    for sheet in sheets {
        let built = build_objective(file, sheet, &mut map, &mut phase_lines)?;
        let (objective, code_line, mut sheet_findings) = built;
        if let Some(first_line) = objective_lines.insert(objective.code.clone(), code_line) {
            return Err(ImportError::DuplicateCode {
                file: file.to_string(),
                line: code_line,
                entity: "objective".to_string(),
                code: objective.code,
                first_line,
            });
        }
        findings.append(&mut sheet_findings);
        objectives.push(objective);
    }

    let years = objectives.iter().map(|o| o.year).chain(
        objectives
            .iter()
            .flat_map(|o| &o.indicators)
            .flat_map(|i| &i.targets)
            .map(|t| t.year),
    );
    let first_year = years.clone().min().unwrap_or_default();
    let last_year = years.max().unwrap_or_default();
    let title = options.title.clone().unwrap_or_else(|| {
        if first_year == last_year {
            format!("Obiettivi individuali annuali {first_year}")
        } else {
            format!("Obiettivi individuali annuali {first_year}-{last_year}")
        }
    });

    let years = (first_year, last_year);
    let plan = plan_info(
        file,
        options,
        PlanKind::AnnualObjectives,
        title,
        years,
        plan_notes,
    );
    // What only the text showed: a Totale row contradicting the weights.
    let doc = document(plan, objectives, Vec::new(), &map, findings);
    Ok((doc, map))
}

/// The labelled fields of a sheet, in the order the ministry prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    Centre,
    Head,
    Offices,
    Strategic,
    Annual,
    Code,
    Title,
    Description,
    OtherOffices,
    External,
    Start,
    End,
    MaxScore,
}

impl Field {
    fn from_label(label: &str) -> Option<Field> {
        let l = label.to_lowercase();
        let field = if l.starts_with("centro di responsabilit") {
            Field::Centre
        } else if l.starts_with("responsabile del cdr") {
            Field::Head
        } else if l.starts_with("uffici dirigenziali") {
            Field::Offices
        } else if l.starts_with("obiettivo specifico collegato")
            || l.starts_with("obiettivo strategico collegato")
        {
            Field::Strategic
        } else if l.starts_with("obiettivo annuale collegato") {
            Field::Annual
        } else if l.starts_with("codice obiettivo") {
            Field::Code
        } else if l.starts_with("denominazione obiettivo") {
            Field::Title
        } else if l.starts_with("descrizione obiettivo") {
            Field::Description
        } else if l.starts_with("altri uffici") {
            Field::OtherOffices
        } else if l.starts_with("strutture e/o soggetti esterni")
            || l.starts_with("soggetti esterni")
        {
            Field::External
        } else if l.starts_with("data di inizio") {
            Field::Start
        } else if l.starts_with("data di completamento") || l.starts_with("data di fine") {
            Field::End
        } else if l.starts_with("punteggio massimo") {
            Field::MaxScore
        } else {
            return None;
        };
        Some(field)
    }

    /// The name used in `amended_fields`: the model's field name.
    fn model_name(self) -> &'static str {
        match self {
            Field::Centre => "responsibility_centre",
            Field::Head => "responsibility_centre_head",
            Field::Offices => "offices",
            Field::Strategic => "strategic_objectives",
            Field::Annual => "annual_objectives",
            Field::Code => "code",
            Field::Title => "title",
            Field::Description => "description",
            Field::OtherOffices => "other_offices",
            Field::External => "external_bodies",
            Field::Start => "start_date",
            Field::End => "end_date",
            Field::MaxScore => "max_score",
        }
    }
}

const FIELD_LABELS: &str = "a sheet field such as `Codice Obiettivo`, `Descrizione Obiettivo` \
    or `Data di inizio` followed by a tab";

/// A value as read, with the line of its label.
#[derive(Debug, Default)]
struct Value {
    text: String,
    line: u32,
}

#[derive(Debug)]
struct Row {
    cells: Vec<String>,
    line: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Fields,
    Budget,
    Indicators,
    Phases,
    /// After the `Totale` row: only notes until the next sheet.
    Closed,
}

/// The lines of one sheet, gathered and with page-cut rows rejoined.
#[derive(Debug)]
struct Sheet {
    heading_line: u32,
    year: i32,
    fields: HashMap<Field, Value>,
    last_field: Option<Field>,
    section: Section,
    budget_header: bool,
    budget: Vec<Row>,
    /// Target years from the indicators header; `None` until it is read.
    indicator_years: Option<Vec<i32>>,
    indicators: Vec<Row>,
    phases_header: bool,
    phases: Vec<Row>,
    total: Option<(String, u32)>,
    notes: Vec<String>,
}

impl Sheet {
    fn new(heading_line: u32, year: i32) -> Sheet {
        Sheet {
            heading_line,
            year,
            fields: HashMap::new(),
            last_field: None,
            section: Section::Fields,
            budget_header: false,
            budget: Vec::new(),
            indicator_years: None,
            indicators: Vec::new(),
            phases_header: false,
            phases: Vec::new(),
            total: None,
            notes: Vec::new(),
        }
    }

    fn code(&self) -> &str {
        self.fields
            .get(&Field::Code)
            .map(|v| v.text.as_str())
            .filter(|c| !c.is_empty())
            .unwrap_or("(no code yet)")
    }

    fn has_phases_table(&self) -> bool {
        matches!(self.section, Section::Phases | Section::Closed) && self.phases_header
    }
}

fn budget_spec() -> TableSpec<'static> {
    TableSpec {
        name: "the budget table",
        columns: ["Missione", "Programma", "Azione"]
            .map(String::from)
            .to_vec(),
    }
}

fn indicator_spec(years: &[i32]) -> TableSpec<'static> {
    let mut columns: Vec<String> = [
        "Codice",
        "Descrizione",
        "Metodo di calcolo",
        "Tipo",
        "Baseline",
    ]
    .map(String::from)
    .to_vec();
    columns.extend(years.iter().map(|y| y.to_string()));
    TableSpec {
        name: "the indicators table",
        columns,
    }
}

fn phase_spec() -> TableSpec<'static> {
    TableSpec {
        name: "the phases table",
        columns: [
            "Codice",
            "Fase",
            "Inizio",
            "Termine",
            "Risultato atteso",
            "Peso %",
        ]
        .map(String::from)
        .to_vec(),
    }
}

fn bad_value(file: &str, line: u32, expected: impl Into<String>, found: &str) -> ImportError {
    ImportError::BadValue {
        file: file.to_string(),
        line,
        expected: expected.into(),
        found: found.to_string(),
    }
}

/// Reads the lines into sheets. Text before the first sheet belongs to no
/// objective and becomes the plan's notes.
fn gather(file: &str, lines: &[Line<'_>]) -> Result<(Vec<String>, Vec<Sheet>), ImportError> {
    let mut preamble = Vec::new();
    let mut sheets: Vec<Sheet> = Vec::new();
    let mut last_content_line = 1;

    for line in lines {
        let cells = line.cells();
        if let Some(year) = sheet_heading_year(cells[0]) {
            if let Some(previous) = sheets.last() {
                require_phases(file, previous, line.number, false)?;
            }
            sheets.push(Sheet::new(line.number, year));
            last_content_line = line.number;
            continue;
        }
        if line.is_blank() {
            continue;
        }
        last_content_line = line.number;
        let Some(sheet) = sheets.last_mut() else {
            preamble.push(line.text.trim().to_string());
            continue;
        };
        read_sheet_line(file, sheet, line, cells)?;
    }
    if let Some(last) = sheets.last() {
        require_phases(file, last, last_content_line, true)?;
    }
    Ok((preamble, sheets))
}

/// A sheet without its phases table is a truncated document: the weights
/// are what the evaluation is computed from.
fn require_phases(file: &str, sheet: &Sheet, line: u32, at_end: bool) -> Result<(), ImportError> {
    if sheet.has_phases_table() {
        return Ok(());
    }
    let what = if at_end {
        format!(
            "the document ends inside the sheet of objective {} started at line {}",
            sheet.code(),
            sheet.heading_line
        )
    } else {
        format!(
            "a new sheet starts while the sheet of objective {} started at line {} is incomplete",
            sheet.code(),
            sheet.heading_line
        )
    };
    let expected = if sheet.section == Section::Phases {
        "the phases header (Codice, Fase, Inizio, Termine, Risultato atteso, Peso %)"
    } else {
        "its phases table (FASI OBIETTIVO ANNUALE)"
    };
    Err(ImportError::UnexpectedEnd {
        file: file.to_string(),
        line,
        what,
        expected: expected.to_string(),
    })
}

fn starts_with_ci(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

fn read_sheet_line(
    file: &str,
    sheet: &mut Sheet,
    line: &Line<'_>,
    cells: Vec<&str>,
) -> Result<(), ImportError> {
    let first = cells[0];
    let n = line.number;

    // Section headings may carry more text: `RISORSE FINANZIARIE (per
    // comodità …)`, `INDICATORI<TAB>VALORI TARGET`.
    if starts_with_ci(first, "RISORSE FINANZIARIE") {
        sheet.section = Section::Budget;
        return Ok(());
    }
    if starts_with_ci(first, "INDICATORI") {
        sheet.section = Section::Indicators;
        return Ok(());
    }
    if starts_with_ci(first, "FASI OBIETTIVO") {
        sheet.section = Section::Phases;
        return Ok(());
    }

    // The revision legend (`N.B: Si riportano le modifiche …`) may be
    // printed anywhere after the fields; it belongs to the sheet.
    if sheet.section != Section::Fields && line.is_prose() && starts_with_ci(first, "N.B") {
        sheet.notes.push(first.to_string());
        return Ok(());
    }

    match sheet.section {
        Section::Fields => read_field(file, sheet, line, &cells),
        Section::Budget => {
            if first.eq_ignore_ascii_case("Missione") {
                budget_spec().fit(file, n, cells, false)?;
                sheet.budget_header = true;
                return Ok(());
            }
            if !sheet.budget_header {
                return Err(bad_value(
                    file,
                    n,
                    "the budget header (Missione, Programma, Azione)",
                    line.text.trim(),
                ));
            }
            let continuation = first.is_empty();
            let row = budget_spec().fit(file, n, cells, continuation)?;
            sheet.budget.push(Row {
                cells: row,
                line: n,
            });
            Ok(())
        }
        Section::Indicators => {
            if first.chars().all(|c| c == '-') && cells.iter().all(|c| c.chars().all(|c| c == '-'))
            {
                // The `------------` underline of the heading.
                return Ok(());
            }
            if first.eq_ignore_ascii_case("Codice") {
                sheet.indicator_years = Some(indicator_header_years(file, n, &cells)?);
                return Ok(());
            }
            let Some(years) = &sheet.indicator_years else {
                return Err(bad_value(
                    file,
                    n,
                    "the indicators header (Codice, Descrizione, Metodo di calcolo, Tipo, Baseline, <years>)",
                    line.text.trim(),
                ));
            };
            let spec = indicator_spec(years);
            push_row(file, &spec, &mut sheet.indicators, n, cells)
        }
        Section::Phases => {
            if first.eq_ignore_ascii_case("Codice") {
                check_phase_header(file, n, cells)?;
                sheet.phases_header = true;
                return Ok(());
            }
            if !sheet.phases_header {
                return Err(bad_value(
                    file,
                    n,
                    "the phases header (Codice, Fase, Inizio, Termine, Risultato atteso, Peso %)",
                    line.text.trim(),
                ));
            }
            if starts_with_ci(first, "Totale") {
                let stated = cells
                    .iter()
                    .skip(1)
                    .rev()
                    .find(|c| !c.is_empty())
                    .copied()
                    .unwrap_or_default();
                sheet.total = Some((stated.to_string(), n));
                sheet.section = Section::Closed;
                return Ok(());
            }
            push_row(file, &phase_spec(), &mut sheet.phases, n, cells)
        }
        Section::Closed => {
            if !line.is_prose() && cells.iter().skip(1).any(|c| !c.is_empty()) {
                return Err(bad_value(
                    file,
                    n,
                    "a note or the next `OBIETTIVO INDIVIDUALE ANNUALE` sheet after the Totale row",
                    line.text.trim(),
                ));
            }
            sheet.notes.push(first.to_string());
            Ok(())
        }
    }
}

/// Adds a row, or continues the previous one when the first cell is empty
/// (a row cut by a page break).
fn push_row(
    file: &str,
    spec: &TableSpec<'_>,
    rows: &mut Vec<Row>,
    n: u32,
    cells: Vec<&str>,
) -> Result<(), ImportError> {
    let continuation = cells[0].is_empty();
    let fitted = spec.fit(file, n, cells, continuation)?;
    if continuation {
        let Some(previous) = rows.last_mut() else {
            return Err(bad_value(
                file,
                n,
                format!(
                    "a row with a code in {} (an empty first cell continues the row above, and there is none)",
                    spec.name
                ),
                fitted.join(" ").trim(),
            ));
        };
        continue_row(&mut previous.cells, &fitted);
    } else {
        rows.push(Row {
            cells: fitted,
            line: n,
        });
    }
    Ok(())
}

fn read_field(
    file: &str,
    sheet: &mut Sheet,
    line: &Line<'_>,
    cells: &[&str],
) -> Result<(), ImportError> {
    let n = line.number;
    let first = cells[0];
    if line.is_prose() || first.is_empty() {
        // A long value goes on below its label: a paragraph without a tab
        // (joined with a newline, as printed), or a line led by a tab, the
        // rest of a value cut by a page break (joined with a space).
        let Some(field) = sheet.last_field else {
            return Err(bad_value(file, n, FIELD_LABELS, line.text.trim()));
        };
        let (piece, separator) = if line.is_prose() {
            (line.text.trim().to_string(), "\n")
        } else {
            (join_cells(&cells[1..]), " ")
        };
        if let Some(value) = sheet.fields.get_mut(&field) {
            append(&mut value.text, &piece, separator);
        }
        return Ok(());
    }
    let Some(field) = Field::from_label(first) else {
        return Err(bad_value(file, n, FIELD_LABELS, first));
    };
    if let Some(previous) = sheet.fields.get(&field) {
        return Err(bad_value(
            file,
            n,
            format!(
                "one `{first}` line per sheet (the first is at line {})",
                previous.line
            ),
            first,
        ));
    }
    sheet.fields.insert(
        field,
        Value {
            text: join_cells(&cells[1..]),
            line: n,
        },
    );
    sheet.last_field = Some(field);
    Ok(())
}

/// A value split over several cells (rare) is joined with spaces.
fn join_cells(cells: &[&str]) -> String {
    cells
        .iter()
        .filter(|c| !c.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

fn indicator_header_years(file: &str, n: u32, cells: &[&str]) -> Result<Vec<i32>, ImportError> {
    const FIXED: [&str; 5] = ["codice", "descrizione", "metodo", "tipo", "baseline"];
    let expected =
        "the indicators header (Codice, Descrizione, Metodo di calcolo, Tipo, Baseline, <years>)";
    for (i, name) in FIXED.iter().enumerate() {
        let cell = cells.get(i).copied().unwrap_or_default();
        if !cell.to_lowercase().starts_with(name) {
            return Err(bad_value(file, n, expected, cell));
        }
    }
    let mut years = Vec::new();
    for cell in cells.iter().skip(FIXED.len()).filter(|c| !c.is_empty()) {
        match cell.parse::<i32>() {
            Ok(year) if cell.len() == 4 => years.push(year),
            _ => {
                return Err(bad_value(
                    file,
                    n,
                    "a target year such as 2020 in the indicators header",
                    cell,
                ))
            }
        }
    }
    if years.is_empty() {
        return Err(bad_value(
            file,
            n,
            "at least one target year column in the indicators header",
            "",
        ));
    }
    Ok(years)
}

fn check_phase_header(file: &str, n: u32, cells: Vec<&str>) -> Result<(), ImportError> {
    const NAMES: [&str; 6] = ["codice", "fase", "inizio", "termine", "risultato", "peso"];
    let header = phase_spec().fit(file, n, cells, false)?;
    for (cell, name) in header.iter().zip(NAMES) {
        if !cell.to_lowercase().starts_with(name) {
            return Err(bad_value(
                file,
                n,
                "the phases header (Codice, Fase, Inizio, Termine, Risultato atteso, Peso %)",
                cell,
            ));
        }
    }
    Ok(())
}

type Built = (Objective, u32, Vec<crate::model::Finding>);

fn build_objective(
    file: &str,
    sheet: Sheet,
    map: &mut LineMap,
    phase_lines: &mut HashMap<String, u32>,
) -> Result<Built, ImportError> {
    let mut fields = sheet.fields;
    let code_value = fields.remove(&Field::Code).unwrap_or_default();
    let code = strip_italic(&code_value.text);
    if code.is_empty() {
        let line = if code_value.line > 0 {
            code_value.line
        } else {
            sheet.heading_line
        };
        return Err(bad_value(
            file,
            line,
            "a `Codice Obiettivo` with the objective's code in the sheet",
            "",
        ));
    }
    map.record("objective", &code, sheet.heading_line);

    let mut amended = Vec::new();
    let mut take = |field: Field| -> Value {
        let value = fields.remove(&field).unwrap_or_default();
        if has_amendment(&value.text) {
            amended.push(field.model_name().to_string());
        }
        value
    };
    let centre = take(Field::Centre);
    let head = take(Field::Head);
    let offices = take(Field::Offices);
    let strategic = take(Field::Strategic);
    let annual = take(Field::Annual);
    let title = take(Field::Title);
    let description = take(Field::Description);
    let other_offices = take(Field::OtherOffices);
    let external = take(Field::External);
    let start = take(Field::Start);
    let end = take(Field::End);
    let max_score = take(Field::MaxScore);

    let start_date = read_date(file, &start, "Data di inizio")?;
    let end_date = read_date(file, &end, "Data di completamento")?;
    let max_score = read_max_score(file, &max_score)?;

    let budget = build_budget(file, &sheet.budget)?;
    if sheet
        .budget
        .iter()
        .any(|r| r.cells.iter().any(|c| has_amendment(c)))
    {
        amended.push("budget".to_string());
    }

    let years = sheet.indicator_years.unwrap_or_default();
    let mut indicators = Vec::with_capacity(sheet.indicators.len());
    let mut indicator_lines: HashMap<String, u32> = HashMap::new();
    for row in &sheet.indicators {
        let indicator = build_indicator(row, &years);
        if let Some(first_line) = indicator_lines.insert(indicator.code.clone(), row.line) {
            return Err(ImportError::DuplicateCode {
                file: file.to_string(),
                line: row.line,
                entity: format!("indicator (within objective {code})"),
                code: indicator.code,
                first_line,
            });
        }
        let path = format!("{code}/{}", indicator.code);
        map.record("indicator", &path, row.line);
        for target in &indicator.targets {
            map.record("target", &format!("{path}/{}", target.year), row.line);
        }
        indicators.push(indicator);
    }

    let mut phases = Vec::with_capacity(sheet.phases.len());
    for row in &sheet.phases {
        let phase = build_phase(file, row)?;
        if let Some(first_line) = phase_lines.insert(phase.code.clone(), row.line) {
            return Err(ImportError::DuplicateCode {
                file: file.to_string(),
                line: row.line,
                entity: "phase".to_string(),
                code: phase.code,
                first_line,
            });
        }
        map.record("phase", &phase.code, row.line);
        phases.push(phase);
    }

    let mut findings = Vec::new();
    if let Some((stated, line)) = &sheet.total {
        let Some(total) = parse_percent(&strip_italic(stated)) else {
            return Err(bad_value(
                file,
                *line,
                "a total such as 100% in the Totale row",
                stated,
            ));
        };
        let sum: Decimal = phases.iter().filter_map(|p| p.weight).sum();
        if total != sum {
            let mut f = validate::finding(
                "phase_total_mismatch",
                "objective",
                &code,
                format!(
                    "the Totale row of objective {code} states {}% but its phase weights sum to {}%",
                    total.normalize(),
                    sum.normalize()
                ),
            );
            f.line = Some(*line);
            findings.push(f);
        }
    }

    let objective = Objective {
        code,
        year: sheet.year,
        title: title.text,
        description: description.text,
        responsibility_centre: ResponsibilityCentre {
            name: centre.text,
            head: (!head.text.is_empty()).then_some(head.text),
        },
        offices: split_offices(&offices.text),
        offices_text: offices.text,
        strategic_objectives: parse_links(&strategic.text),
        annual_objectives: parse_links(&annual.text),
        strategic_objectives_text: strategic.text,
        annual_objectives_text: annual.text,
        other_offices: other_offices.text,
        external_bodies: external.text,
        start_date,
        end_date,
        max_score,
        budget,
        indicators,
        phases,
        amended_fields: amended,
        notes: sheet.notes,
    };
    Ok((objective, code_value.line, findings))
}

fn read_date(
    file: &str,
    value: &Value,
    field: &str,
) -> Result<Option<chrono::NaiveDate>, ImportError> {
    parse_date(&strip_italic(&value.text)).map_err(|()| ImportError::BadDate {
        file: file.to_string(),
        line: value.line,
        field: format!("`{field}`"),
        value: value.text.clone(),
    })
}

/// `50/70` → 50 of 70 points.
fn read_max_score(file: &str, value: &Value) -> Result<Option<MaxScore>, ImportError> {
    let text = strip_italic(&value.text);
    if text.is_empty() {
        return Ok(None);
    }
    let parsed = text.split_once('/').and_then(|(p, o)| {
        Some(MaxScore {
            points: p.trim().parse().ok()?,
            out_of: o.trim().parse().ok()?,
        })
    });
    parsed.map(Some).ok_or_else(|| {
        bad_value(
            file,
            value.line,
            "a maximum score such as 50/70",
            &value.text,
        )
    })
}

fn build_budget(file: &str, rows: &[Row]) -> Result<Vec<BudgetLink>, ImportError> {
    let mut links: Vec<BudgetLink> = Vec::with_capacity(rows.len());
    for row in rows {
        let [mission, program, action] = [&row.cells[0], &row.cells[1], &row.cells[2]];
        // An empty mission or program is the one of the row above: the
        // sheets list a second action of the same program on its own row.
        let (mission_code, mission_name) = if mission.is_empty() {
            let Some(previous) = links.last() else {
                return Err(bad_value(
                    file,
                    row.line,
                    "a mission such as `26 - Politiche per il lavoro`",
                    "",
                ));
            };
            (previous.mission_code.clone(), previous.mission_name.clone())
        } else {
            split_code_name(mission).ok_or_else(|| {
                bad_value(
                    file,
                    row.line,
                    "a mission such as `26 - Politiche per il lavoro`",
                    mission,
                )
            })?
        };
        let (program_code, program_name) = if program.is_empty() {
            match links.last() {
                Some(previous) if previous.mission_code == mission_code => {
                    (previous.program_code.clone(), previous.program_name.clone())
                }
                _ => {
                    return Err(bad_value(
                        file,
                        row.line,
                        "a program such as `26.7 - Coordinamento …`",
                        "",
                    ))
                }
            }
        } else {
            split_code_name(program).ok_or_else(|| {
                bad_value(
                    file,
                    row.line,
                    "a program such as `26.7 - Coordinamento …`",
                    program,
                )
            })?
        };
        links.push(BudgetLink {
            mission_code,
            mission_name,
            program_code,
            program_name,
            action: action.clone(),
        });
    }
    Ok(links)
}

/// `26 - Politiche per il lavoro`, `26.7 - …` and `27.6 Flussi …` (no
/// dash) → code and name. The code is digits and dots, without a final dot.
fn split_code_name(text: &str) -> Option<(String, String)> {
    let text = strip_italic(text);
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let code = text[..end].trim_end_matches('.');
    if code.is_empty() || !code.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let name = text[end..]
        .trim_start()
        .trim_start_matches(['-', '–', '—'])
        .trim();
    Some((code.to_string(), name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_links_are_read_with_their_codes() {
        let links = parse_links(
            "Obiettivo 1.2. \"Realizzazione di sistemi\" Obiettivo specifico 4 \"Miglioramento",
        );
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].code, "1.2");
        assert_eq!(links[0].title, "Realizzazione di sistemi");
        assert_eq!(links[1].code, "4");
        assert_eq!(links[1].title, "Miglioramento");
    }

    #[test]
    fn unquoted_links_run_until_the_next_link() {
        let links = parse_links(
            "Obiettivo individuale 2.4 Contrasto al caporalato Obiettivo individuale 3.2 Interventi socio lavorativi.",
        );
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].code, "2.4");
        assert_eq!(links[0].title, "Contrasto al caporalato");
        assert_eq!(links[1].code, "3.2");
        assert_eq!(links[1].title, "Interventi socio lavorativi.");
    }

    #[test]
    fn placeholder_link_text_gives_no_link() {
        assert!(parse_links("Indicare Codice e Obiettivo annuale collegato").is_empty());
        assert!(parse_links("").is_empty());
    }

    #[test]
    fn offices_split_on_commas_and_en_dashes() {
        assert_eq!(
            split_offices("Dirigente Div.2 – Dirigente Div.3"),
            vec!["Dirigente Div.2", "Dirigente Div.3"]
        );
        assert_eq!(split_offices("Div.1, Div.2").len(), 2);
    }

    #[test]
    fn mission_and_program_codes_are_split_with_or_without_dash() {
        assert_eq!(
            split_code_name("26 - Politiche per il lavoro"),
            Some(("26".into(), "Politiche per il lavoro".into()))
        );
        assert_eq!(
            split_code_name("27.6 Flussi migratori"),
            Some(("27.6".into(), "Flussi migratori".into()))
        );
        assert_eq!(split_code_name("Politiche"), None);
    }
}
