//! Readers of the two published text shapes (tab-separated extracts of PDF
//! plans): the annual objective sheets ([`annual`]) and the multi-year plan
//! of areas and ambiti ([`multi_year`]). This module detects the shape and
//! holds what both readers share: lines and cells, dates, `<i>` marks and
//! the attachment of findings to lines.

mod annual;
mod multi_year;

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

use crate::error::ImportError;
use crate::model::{Area, Finding, Objective, PlanDocument, PlanInfo, PlanKind, FORMAT_VERSION};
use crate::ParseOptions;

/// Reads a text document of either shape. See the crate's tests for what
/// each quirk of the published documents becomes.
pub fn parse(
    file: &str,
    content: &str,
    options: &ParseOptions,
) -> Result<PlanDocument, ImportError> {
    let lines = split_lines(content);
    let (doc, map) = match detect(&lines) {
        Some(Shape::AnnualObjectives) => annual::parse(file, &lines, options)?,
        Some(Shape::MultiYear) => multi_year::parse(file, &lines, options)?,
        None => Err::<(PlanDocument, LineMap), _>(ImportError::UnknownShape {
            file: file.to_string(),
            lines: u32::try_from(lines.len()).unwrap_or(u32::MAX),
            looked_for: "a line `OBIETTIVO INDIVIDUALE ANNUALE <year>` (annual objective sheets) \
                         or a table header whose first cell is `AMBITO` (multi-year plan)"
                .to_string(),
        })?,
    };
    if let Some(p) = crate::validate::problem(&doc) {
        return Err(ImportError::Unstorable {
            file: file.to_string(),
            line: map.line_of(p.entity, &p.entity_code),
            message: p.message,
        });
    }
    Ok(doc)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    AnnualObjectives,
    MultiYear,
}

/// The first marker found decides: a document is one shape or the other.
fn detect(lines: &[Line<'_>]) -> Option<Shape> {
    lines.iter().find_map(|line| {
        let cells = line.cells();
        if sheet_heading_year(cells[0]).is_some() {
            Some(Shape::AnnualObjectives)
        } else if is_ambito_header(&cells) {
            Some(Shape::MultiYear)
        } else {
            None
        }
    })
}

/// More cells than any table of either shape has (the widest, the
/// indicators table, has five columns and one per target year).
const MAX_CELLS: usize = 64;

/// One line of the document with its 1-based number.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    number: u32,
    text: &'a str,
}

impl<'a> Line<'a> {
    /// Tab-separated cells, each trimmed. Always at least one cell, at most
    /// [`MAX_CELLS`]: the rest of a longer line is its last cell (a run of
    /// padding tabs trims to an empty cell, anything else makes the row too
    /// wide for any table), so a line of millions of tabs costs no more
    /// memory than its text.
    fn cells(&self) -> Vec<&'a str> {
        self.text.splitn(MAX_CELLS, '\t').map(str::trim).collect()
    }

    fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// True when the line has no tab: prose rather than a row or a field.
    fn is_prose(&self) -> bool {
        !self.text.contains('\t')
    }
}

fn split_lines(content: &str) -> Vec<Line<'_>> {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    content
        .split('\n')
        .enumerate()
        .map(|(i, text)| Line {
            number: u32::try_from(i + 1).unwrap_or(u32::MAX),
            text: text.strip_suffix('\r').unwrap_or(text),
        })
        .collect()
}

/// `OBIETTIVO INDIVIDUALE ANNUALE 2020` → 2020.
fn sheet_heading_year(first_cell: &str) -> Option<i32> {
    const MARKER: &str = "OBIETTIVO INDIVIDUALE ANNUALE";
    let head = first_cell.get(..MARKER.len())?;
    if !head.eq_ignore_ascii_case(MARKER) {
        return None;
    }
    let year = first_cell[MARKER.len()..].trim();
    (year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()))
        .then(|| year.parse().ok())
        .flatten()
}

fn is_ambito_header(cells: &[&str]) -> bool {
    cells[0].eq_ignore_ascii_case("ambito") && cells.len() >= 3
}

/// The code of the plan: what the caller says, else the file name without
/// its folders and extension.
fn plan_code(file: &str, options: &ParseOptions) -> String {
    if let Some(code) = &options.plan_code {
        return code.clone();
    }
    Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| file.to_string())
}

/// The plan a text describes: its code ([`plan_code`]) and administration
/// as the caller gives them, and what the reader found.
fn plan_info(
    file: &str,
    options: &ParseOptions,
    kind: PlanKind,
    title: String,
    (first_year, last_year): (i32, i32),
    notes: Vec<String>,
) -> PlanInfo {
    PlanInfo {
        code: plan_code(file, options),
        kind,
        administration: options.administration.clone(),
        title,
        first_year,
        last_year,
        notes,
    }
}

/// The document a text gives, with its findings: the content checks' first
/// (in document order, at the lines `map` knows), then `read`, what only the
/// text showed.
fn document(
    plan: PlanInfo,
    objectives: Vec<Objective>,
    areas: Vec<Area>,
    map: &LineMap,
    mut read: Vec<Finding>,
) -> PlanDocument {
    let mut doc = PlanDocument {
        format: FORMAT_VERSION.to_string(),
        plan,
        objectives,
        areas,
        measurements: Vec::new(),
        findings: Vec::new(),
        sources: Vec::new(),
    };
    let mut findings = crate::validate::findings(&doc);
    map.attach(&mut findings);
    findings.append(&mut read);
    doc.findings = findings;
    doc
}

/// The documents mark amended text with `<i>…</i>` (printed italic bold).
fn has_amendment(text: &str) -> bool {
    text.contains("<i>")
}

/// The text without its `<i>` marks, for reading dates and numbers.
fn strip_italic(text: &str) -> String {
    text.replace("<i>", "")
        .replace("</i>", "")
        .trim()
        .to_string()
}

/// Appends a continuation to a cell: nothing to add leaves it alone, an
/// empty cell takes the piece as is.
fn append(cell: &mut String, piece: &str, separator: &str) {
    if piece.is_empty() {
        return;
    }
    if !cell.is_empty() {
        cell.push_str(separator);
    }
    cell.push_str(piece);
}

/// Reads `01/01/2020` (also with `.` or `-`) and `1 gennaio 2020` (also
/// `1° gennaio 2020`). `Ok(None)` for an empty cell.
fn parse_date(text: &str) -> Result<Option<NaiveDate>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let numeric: Vec<&str> = text.split(['/', '.', '-']).map(str::trim).collect();
    if numeric.len() == 3 {
        if let (Ok(d), Ok(m), Ok(y)) = (
            numeric[0].parse::<u32>(),
            numeric[1].parse::<u32>(),
            numeric[2].parse::<i32>(),
        ) {
            if numeric[2].len() == 4 {
                return NaiveDate::from_ymd_opt(y, m, d).map(Some).ok_or(());
            }
        }
        return Err(());
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() == 3 {
        let day = words[0]
            .trim_end_matches(['°', 'º'])
            .parse::<u32>()
            .map_err(|_| ())?;
        let month = italian_month(words[1]).ok_or(())?;
        let year = words[2].parse::<i32>().map_err(|_| ())?;
        return NaiveDate::from_ymd_opt(year, month, day)
            .map(Some)
            .ok_or(());
    }
    Err(())
}

fn italian_month(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ];
    let word = word.to_lowercase();
    MONTHS
        .iter()
        .position(|m| *m == word)
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// Where each object was read, so that findings computed on the finished
/// document can point back at a line.
#[derive(Debug, Default)]
struct LineMap {
    by_entity: HashMap<(String, String), u32>,
}

impl LineMap {
    fn record(&mut self, entity: &str, code: &str, line: u32) {
        self.by_entity
            .entry((entity.to_string(), code.to_string()))
            .or_insert(line);
    }

    fn line_of(&self, entity: &str, code: &str) -> Option<u32> {
        self.by_entity
            .get(&(entity.to_string(), code.to_string()))
            .copied()
    }

    /// Fills in the line of every finding that has none yet.
    fn attach(&self, findings: &mut [Finding]) {
        for f in findings.iter_mut().filter(|f| f.line.is_none()) {
            f.line = self.line_of(&f.entity, &f.entity_code);
        }
    }
}

/// What a table row must look like, for row checks and their messages.
struct TableSpec<'a> {
    /// `the phases table`
    name: &'a str,
    columns: Vec<String>,
}

impl TableSpec<'_> {
    /// Fits a row to the table. Surplus empty cells at the end are dropped
    /// (the extracts pad rows with tabs); a continuation row may be short;
    /// any other row must have every column.
    fn fit(
        &self,
        file: &str,
        line: u32,
        mut cells: Vec<&str>,
        continuation: bool,
    ) -> Result<Vec<String>, ImportError> {
        let expected = self.columns.len();
        while cells.len() > expected && cells.last().is_some_and(|c| c.is_empty()) {
            cells.pop();
        }
        if cells.len() > expected || (cells.len() < expected && !continuation) {
            return Err(ImportError::WrongColumnCount {
                file: file.to_string(),
                line,
                table: self.name.to_string(),
                columns: self.columns.join(", "),
                expected,
                found: cells.len(),
            });
        }
        let mut out: Vec<String> = cells.into_iter().map(str::to_string).collect();
        out.resize(expected, String::new());
        Ok(out)
    }
}

/// Appends a continuation row to the row it continues, cell by cell: the
/// page break cut every cell of the row at once, so each piece belongs to
/// the cell above it. A space joins the halves (the cut is mid-sentence).
fn continue_row(row: &mut [String], continuation: &[String]) {
    for (cell, piece) in row.iter_mut().zip(continuation) {
        append(cell, piece, " ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_both_published_forms() {
        let d = NaiveDate::from_ymd_opt(2020, 1, 1);
        assert_eq!(parse_date("01/01/2020"), Ok(d));
        assert_eq!(parse_date("1 gennaio 2020"), Ok(d));
        assert_eq!(parse_date("1° Gennaio 2020"), Ok(d));
        assert_eq!(
            parse_date("31 dicembre 2020"),
            Ok(NaiveDate::from_ymd_opt(2020, 12, 31))
        );
        assert_eq!(parse_date(""), Ok(None));
        assert_eq!(parse_date("31/02/2020"), Err(()));
        assert_eq!(parse_date("entro l'anno"), Err(()));
    }

    #[test]
    fn sheet_heading_gives_its_year() {
        assert_eq!(
            sheet_heading_year("OBIETTIVO INDIVIDUALE ANNUALE 2020"),
            Some(2020)
        );
        assert_eq!(sheet_heading_year("OBIETTIVO INDIVIDUALE ANNUALE"), None);
        assert_eq!(sheet_heading_year("Obiettivo individuale 2.4"), None);
    }

    #[test]
    fn plan_code_defaults_to_the_file_stem() {
        let options = ParseOptions::default();
        assert_eq!(plan_code("../seeds/000_abc.txt", &options), "000_abc");
        let options = ParseOptions {
            plan_code: Some("piano".into()),
            ..ParseOptions::default()
        };
        assert_eq!(plan_code("x.txt", &options), "piano");
    }
}
