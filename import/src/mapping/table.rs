//! Table sources: CSV files and the sheets of XLSX/ODS workbooks. Each row
//! after the header is a record; `[objective]` and `[indicator]` say what
//! its cells make.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use calamine::{Data, Reader};

use super::build::{Builder, IndicatorFields, ObjectiveFields};
use super::spec::{Body, Field, IndicatorSpec, Mapping, ObjectiveSpec, TargetSpec};
use super::values::{read_date, read_measure, read_year, End, Value};
use super::{Error, Imported, Place, Report};
use crate::model::{BudgetLink, Direction, Unit};
use crate::ParseOptions;

/// A row of a table: its cells (after `fill_down`) and where it is.
struct Row {
    cells: Vec<String>,
    /// For each cell, the row it was read from (differs after fill-down).
    origin: Vec<usize>,
    /// 1-based line (CSV: where the record starts) or sheet row.
    number: u32,
}

/// One sheet (or the CSV file): its name, header and rows.
struct Sheet {
    name: Option<String>,
    header: Vec<String>,
    header_number: u32,
    rows: Vec<Row>,
}

pub fn read_csv(
    mapping: &Mapping,
    file: &str,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<Imported, Error> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(mapping.source.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut header = None;
    let mut header_number = 0;
    let mut rows = Vec::new();
    let mut report = Report::new("cell");
    let mut record = csv::StringRecord::new();
    let mut index = 0u32;
    let (mut counted, mut lines_before) = (0usize, 0usize);
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            let message = match e.kind() {
                csv::ErrorKind::Utf8 { .. } => "the record is not UTF-8 text".to_string(),
                _ => format!("cannot read the CSV record: {e}"),
            };
            Error::File {
                file: format!("{file}:{line}"),
                message,
            }
        })?;
        if !more {
            break;
        }
        index += 1;
        // The csv crate counts a CRLF's LF on the next record; count the
        // LFs before the record's first byte instead.
        let mut start = record.position().map_or(0, |p| p.byte() as usize);
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        lines_before += bytes[counted.min(start)..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted = counted.max(start);
        let line = u32::try_from(lines_before + 1).unwrap_or(u32::MAX);
        let cells: Vec<String> = record.iter().map(normalise_cell).collect();
        if index < mapping.source.header_row {
            report.ignored += cells.iter().filter(|c| !c.is_empty()).count();
            continue;
        }
        if index == mapping.source.header_row {
            header = Some(cells);
            header_number = line;
            continue;
        }
        rows.push(Row {
            origin: Vec::new(),
            cells,
            number: line,
        });
    }
    let Some(header) = header else {
        return Err(Error::File {
            file: file.to_string(),
            message: format!(
                "expected a header row at record {}, but the file has {index} record(s)",
                mapping.source.header_row
            ),
        });
    };
    let sheet = Sheet {
        name: None,
        header,
        header_number,
        rows,
    };
    let mut builder = Builder::new(mapping, file);
    read_sheet(mapping, file, sheet, &mut builder, &mut report)?;
    Ok(Imported {
        doc: builder.finish(options)?,
        report,
    })
}

/// Cell text with line breaks of any kind (CRLF, bare CR) as `\n`.
fn normalise_cell(cell: &str) -> String {
    if cell.contains('\r') {
        cell.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        cell.to_string()
    }
}

pub fn read_workbook(
    mapping: &Mapping,
    path: &Path,
    file: &str,
    options: &ParseOptions,
) -> Result<Imported, Error> {
    let mut workbook = calamine::open_workbook_auto(path).map_err(|e| Error::File {
        file: file.to_string(),
        message: format!("cannot read the workbook: {e}"),
    })?;
    let names = workbook.sheet_names();
    let wanted: Vec<String> = match &mapping.source.sheets {
        None => names.clone(),
        Some(list) => {
            for s in list {
                if !names.contains(s) {
                    return Err(Error::File {
                        file: file.to_string(),
                        message: format!(
                            "the mapping names the sheet {s:?}, but the workbook's sheets are: {}",
                            names.join(", ")
                        ),
                    });
                }
            }
            list.clone()
        }
    };
    let mut report = Report::new("cell");
    let mut builder = Builder::new(mapping, file);
    for name in wanted {
        let range = workbook.worksheet_range(&name).map_err(|e| Error::File {
            file: file.to_string(),
            message: format!("cannot read the sheet {name:?}: {e}"),
        })?;
        // Merged cells hold their value in their first cell only; every
        // cell of the region reads it (XLSX; other formats: `fill_down`).
        let merges = match &mut workbook {
            calamine::Sheets::Xlsx(x) => x
                .worksheet_merge_cells(&name)
                .transpose()
                .map_err(|e| Error::File {
                    file: file.to_string(),
                    message: format!("cannot read the merged cells of the sheet {name:?}: {e}"),
                })?
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let mut header = None;
        let mut header_number = 0;
        let mut rows = Vec::new();
        for (i, cells) in range.rows().enumerate() {
            let number = first_row + u32::try_from(i).unwrap_or(u32::MAX) + 1;
            let mut texts: Vec<String> = vec![String::new(); first_col as usize];
            for (j, cell) in cells.iter().enumerate() {
                let col = first_col as usize + j;
                texts.push(cell_text(cell).map_err(|message| Error::BadValue {
                    at: Place {
                        file: file.to_string(),
                        line: None,
                        sheet: Some(name.clone()),
                        cell: Some(cell_name(col, number)),
                    },
                    expected: "a value".to_string(),
                    found: message,
                })?);
            }
            if number < mapping.source.header_row {
                report.ignored += texts.iter().filter(|c| !c.is_empty()).count();
            } else if number == mapping.source.header_row {
                header = Some(texts);
                header_number = number;
            } else {
                rows.push(Row {
                    cells: texts,
                    origin: Vec::new(),
                    number,
                });
            }
        }
        for region in &merges {
            let (top, left) = (region.start.0 + 1, region.start.1 as usize);
            let Some(value) = rows
                .iter()
                .find(|r| r.number == top)
                .and_then(|r| r.cells.get(left))
                .cloned()
            else {
                continue;
            };
            for row in rows.iter_mut() {
                if row.number < top || row.number > region.end.0 + 1 {
                    continue;
                }
                let right = region.end.1 as usize;
                if row.cells.len() <= right {
                    row.cells.resize(right + 1, String::new());
                }
                if row.origin.len() < row.cells.len() {
                    row.origin.resize(row.cells.len(), row.number as usize);
                }
                for c in left..=right {
                    if (row.number, c) != (top, left) {
                        row.cells[c] = value.clone();
                        row.origin[c] = top as usize;
                    }
                }
            }
        }
        let Some(header) = header else {
            return Err(Error::File {
                file: format!("{file}[{name}]"),
                message: format!(
                    "expected a header row at row {}, but the sheet ends before it",
                    mapping.source.header_row
                ),
            });
        };
        let sheet = Sheet {
            name: Some(name),
            header,
            header_number,
            rows,
        };
        read_sheet(mapping, file, sheet, &mut builder, &mut report)?;
    }
    Ok(Imported {
        doc: builder.finish(options)?,
        report,
    })
}

/// A cell as text: numbers without a trailing `.0` and with a decimal
/// comma (`12,5`: a dot would read as a thousands separator), dates as
/// `2024-12-31`.
fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => normalise_cell(s),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(dt) if dt.time() == chrono::NaiveTime::MIN => dt.date().to_string(),
            Some(dt) => dt.to_string(),
            None => float_text(d.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(format!("a cell error {e:?}")),
    })
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        f.to_string().replace('.', ",")
    }
}

/// `B7` for column index 1, row 7.
fn cell_name(col: usize, row: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{row}", String::from_utf8_lossy(&letters))
}

/// The fields of a mapping with the columns they read resolved against one
/// sheet's header.
struct Resolved<'a> {
    file: &'a str,
    sheet: Option<&'a str>,
    columns: HashMap<&'a str, usize>,
    header: &'a [String],
    stem: String,
}

impl<'a> Resolved<'a> {
    fn place(&self, row: &Row, col: Option<usize>) -> Place {
        let origin = col
            .and_then(|c| row.origin.get(c).copied())
            .map(|n| n as u32)
            .unwrap_or(row.number);
        match self.sheet {
            Some(sheet) => Place {
                file: self.file.to_string(),
                line: None,
                sheet: Some(sheet.to_string()),
                cell: Some(cell_name(col.unwrap_or(0), origin)),
            },
            None => Place {
                file: self.file.to_string(),
                line: Some(origin),
                sheet: None,
                cell: None,
            },
        }
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.columns.get(name).copied()
    }

    /// The text of `field` for `row`, with the place of its first column;
    /// `None` when it is empty and has no default.
    fn eval(&self, field: &Field, row: &Row) -> Result<Option<(String, Place)>, Error> {
        let mut first = None;
        let text = field.template.render(|r| match r {
            "$sheet" => self.sheet,
            "$file" => Some(self.stem.as_str()),
            name => {
                let c = self.column(name)?;
                first.get_or_insert(c);
                row.cells.get(c).map(String::as_str)
            }
        });
        let place = self.place(row, first);
        apply(field, text.trim(), place)
    }

    fn eval_text(&self, field: Option<&Field>, row: &Row) -> Result<Option<String>, Error> {
        match field {
            None => Ok(None),
            Some(f) => Ok(self.eval(f, row)?.map(|(t, _)| t)),
        }
    }
}

/// Applies a field's pattern, map and default to its rendered text.
pub(super) fn apply(
    field: &Field,
    text: &str,
    place: Place,
) -> Result<Option<(String, Place)>, Error> {
    let mut text = text.to_string();
    if text.is_empty() {
        match &field.default {
            Some(d) => text = d.clone(),
            None => return Ok(None),
        }
    }
    if let Some(pattern) = &field.pattern {
        let Some(caps) = pattern.captures(&text) else {
            return Err(Error::BadValue {
                at: place,
                expected: format!(
                    "text matching the pattern /{}/ of `{}`",
                    pattern.as_str(),
                    field.name
                ),
                found: text,
            });
        };
        let m = caps
            .name("value")
            .or_else(|| caps.get(1))
            .or_else(|| caps.get(0))
            .map(|m| m.as_str().trim().to_string())
            .unwrap_or_default();
        text = m;
        if text.is_empty() {
            return Ok(None);
        }
    }
    if let Some(map) = &field.map {
        let found = map.get(&text).or_else(|| {
            map.iter()
                .find(|(k, _)| k.trim().eq_ignore_ascii_case(&text))
                .map(|(_, v)| v)
        });
        match found {
            Some(v) => text = v.clone(),
            None => {
                return Err(Error::BadValue {
                    at: place,
                    expected: format!(
                        "one of the values listed in `{}.map` ({}; the map is at {}, where another source text can be added)",
                        field.name,
                        map.keys()
                            .map(|k| format!("{k:?}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        field.at
                    ),
                    found: text,
                })
            }
        }
    }
    Ok(Some((text, place)))
}

pub(super) fn year_value(text: &str, field: &str, at: Place) -> Result<i32, Error> {
    read_year(text).ok_or_else(|| Error::BadValue {
        at,
        expected: format!("a year such as 2024 in `{field}`"),
        found: text.to_string(),
    })
}

pub(super) fn date_value(
    text: &str,
    field: &str,
    end: End,
    at: Place,
) -> Result<chrono::NaiveDate, Error> {
    read_date(text, end).ok_or_else(|| Error::BadValue {
        at,
        expected: format!(
            "a date such as 31/12/2024, 2024-12-31, 31 dicembre 2024, dicembre 2024, Q4 2024 or 2024 in `{field}`"
        ),
        found: text.to_string(),
    })
}

pub(super) fn unit_value(text: &str, at: Place) -> Result<Unit, Error> {
    Unit::parse(text).ok_or_else(|| Error::BadValue {
        at,
        expected: "a unit \"count\", \"percent\" or \"days\" (translate the source's words with `unit = { from = …, map = { … } }`)".to_string(),
        found: text.to_string(),
    })
}

pub(super) fn direction_value(text: &str, at: Place) -> Result<Direction, Error> {
    Direction::parse(text).ok_or_else(|| Error::BadValue {
        at,
        expected: "a direction \"higher_is_better\" or \"lower_is_better\" (translate the source's words with `direction = { from = …, map = { … } }`)".to_string(),
        found: text.to_string(),
    })
}

/// Every field of the table body, to check their columns and to know which
/// columns the mapping uses.
fn all_fields<'a>(
    objective: &'a ObjectiveSpec,
    indicator: Option<&'a IndicatorSpec>,
) -> Vec<&'a Field> {
    let mut out: Vec<&Field> = [
        &objective.code,
        &objective.title,
        &objective.description,
        &objective.year,
        &objective.start_date,
        &objective.end_date,
        &objective.responsibility_centre,
        &objective.responsibility_centre_head,
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(b) = &objective.budget {
        out.extend([
            &b.mission_code,
            &b.mission_name,
            &b.program_code,
            &b.program_name,
            &b.action,
        ]);
    }
    if let Some(i) = indicator {
        out.extend(
            [
                &i.code,
                &i.description,
                &i.method,
                &i.kind,
                &i.unit,
                &i.direction,
                &i.baseline,
                &i.baseline_note,
            ]
            .into_iter()
            .flatten(),
        );
        for t in &i.targets {
            match t {
                TargetSpec::Columns { note, .. } => out.extend(note),
                TargetSpec::Fields { year, value, note } => {
                    out.push(year);
                    out.push(value);
                    out.extend(note);
                }
            }
        }
    }
    out
}

fn read_sheet(
    mapping: &Mapping,
    file: &str,
    mut sheet: Sheet,
    builder: &mut Builder<'_>,
    report: &mut Report,
) -> Result<(), Error> {
    let Body::Table {
        objective,
        indicator,
    } = &mapping.body
    else {
        match unreachable_body()? {}
    };
    let header: Vec<String> = sheet.header.iter().map(|h| h.trim().to_string()).collect();
    let mut columns: HashMap<&str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        if !h.is_empty() {
            columns.entry(h.as_str()).or_insert(i);
        }
    }
    let where_header = match &sheet.name {
        Some(s) => format!("{file}[{s}] row {}", sheet.header_number),
        None => format!("{file}:{}", sheet.header_number),
    };
    let known = || {
        header
            .iter()
            .filter(|h| !h.is_empty())
            .map(|h| format!("{h:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // The column `name`, or the error at `span` saying that `what` (the
    // column, as the mapping names it) is not in the header.
    let column = |name: &str, span: std::ops::Range<usize>, what: String| -> Result<usize, Error> {
        columns.get(name).copied().ok_or_else(|| {
            mapping
                .error_at(
                    span,
                    format!(
                        "{what} is not in the header of {where_header}; its columns are: {}",
                        known()
                    ),
                )
                .into()
        })
    };
    let mut used: HashSet<usize> = HashSet::new();
    let fields = all_fields(objective, indicator.as_ref());
    let conditions = indicator
        .iter()
        .filter_map(|i| i.no_quantitative_target.as_ref());
    let mut check = |refs: Vec<&str>, span: std::ops::Range<usize>| -> Result<(), Error> {
        for r in refs {
            if r.starts_with('$') {
                if !matches!(r, "$sheet" | "$file") {
                    return Err(mapping
                        .error_at(
                            span.clone(),
                            format!("{{{r}}} is not a value of table sources: use {{$sheet}} or {{$file}}"),
                        )
                        .into());
                }
                continue;
            }
            used.insert(column(r, span.clone(), format!("the column {r:?}"))?);
        }
        Ok(())
    };
    for f in &fields {
        check(f.template.refs().collect(), f.span.clone())?;
    }
    for c in conditions {
        check(c.from.refs().collect(), c.span.clone())?;
    }
    // Target columns: every column whose name matches, with its year.
    let mut target_columns: Vec<Vec<(usize, i32)>> = Vec::new();
    if let Some(ind) = indicator {
        for t in &ind.targets {
            let mut cols = Vec::new();
            if let TargetSpec::Columns { pattern, span, .. } = t {
                for (c, h) in header.iter().enumerate() {
                    let Some(caps) = pattern.captures(h) else {
                        continue;
                    };
                    let year = caps
                        .name("year")
                        .or_else(|| caps.get(1))
                        .and_then(|m| read_year(m.as_str()));
                    let Some(year) = year else {
                        return Err(mapping
                            .error_at(
                                span.clone(),
                                format!(
                                    "the column {h:?} of {where_header} matches `columns`, but the pattern's group (?P<year>…) does not capture a year from it"
                                ),
                            )
                            .into());
                    };
                    cols.push((c, year));
                    used.insert(c);
                }
                if cols.is_empty() {
                    return Err(mapping
                        .error_at(
                            span.clone(),
                            format!(
                                "no column of {where_header} matches `columns` /{}/; its columns are: {}",
                                pattern.as_str(),
                                known()
                            ),
                        )
                        .into());
                }
            }
            target_columns.push(cols);
        }
    }
    let mut ignored: HashSet<usize> = HashSet::new();
    for c in &mapping.source.ignore_columns {
        let what = format!("`ignore_columns` names {:?}, which", c.get_ref());
        ignored.insert(column(c.get_ref(), c.span(), what)?);
    }
    let mut fill: Vec<usize> = Vec::new();
    for c in &mapping.source.fill_down {
        let what = format!("`fill_down` names {:?}, which", c.get_ref());
        fill.push(column(c.get_ref(), c.span(), what)?);
    }
    // Header cells the mapping does not use are not content; the cells of
    // their columns are.
    let stem = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let resolved = Resolved {
        file,
        sheet: sheet.name.as_deref(),
        columns,
        header: &header,
        stem,
    };

    // Fill down (merged cells keep their value in the first row only).
    let mut last: HashMap<usize, (String, usize)> = HashMap::new();
    for row in &mut sheet.rows {
        let width = row.cells.len().max(header.len());
        row.origin.resize(width, row.number as usize);
        row.cells.resize(width, String::new());
        let blank = row.cells.iter().all(|c| c.trim().is_empty());
        if blank {
            // A blank row ends the block whose values fill down.
            last.clear();
            continue;
        }
        for &c in &fill {
            if row.cells[c].trim().is_empty() {
                if let Some((text, origin)) = last.get(&c) {
                    row.cells[c] = text.clone();
                    row.origin[c] = *origin;
                }
            } else {
                last.insert(c, (row.cells[c].clone(), row.number as usize));
            }
        }
    }

    for row in &sheet.rows {
        if row.cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        report.records += 1;
        let used_row = read_row(
            mapping,
            &resolved,
            objective,
            indicator.as_ref(),
            &target_columns,
            row,
            builder,
            report,
        )?;
        for (c, text) in row.cells.iter().enumerate() {
            let filled = row.origin.get(c).is_some_and(|&o| o != row.number as usize);
            if text.trim().is_empty() || filled {
                continue;
            }
            if ignored.contains(&c) {
                report.ignored += 1;
            } else if !used_row || !used.contains(&c) {
                let column = resolved
                    .header
                    .get(c)
                    .filter(|h| !h.is_empty())
                    .cloned()
                    .unwrap_or_else(|| format!("column {}", cell_name(c, 0).trim_end_matches('0')));
                report.unused(resolved.place(row, Some(c)), Some(column), text);
            }
        }
    }
    Ok(())
}

fn unreachable_body() -> Result<std::convert::Infallible, Error> {
    Err(Error::File {
        file: String::new(),
        message: "a text mapping cannot read a table".to_string(),
    })
}

/// Reads one record; false when it has no objective code (then none of its
/// cells is used).
#[allow(clippy::too_many_arguments)]
fn read_row(
    mapping: &Mapping,
    r: &Resolved<'_>,
    objective: &ObjectiveSpec,
    indicator: Option<&IndicatorSpec>,
    target_columns: &[Vec<(usize, i32)>],
    row: &Row,
    builder: &mut Builder<'_>,
    report: &mut Report,
) -> Result<bool, Error> {
    let Some(code_field) = &objective.code else {
        return Ok(false);
    };
    let Some((code, at)) = r.eval(code_field, row)? else {
        return Ok(false);
    };
    let year = match &objective.year {
        None => None,
        Some(f) => match r.eval(f, row)? {
            None => None,
            Some((t, at)) => Some(year_value(&t, "objective.year", at)?),
        },
    };
    let date =
        |f: &Option<Field>, name: &str, end: End| -> Result<Option<chrono::NaiveDate>, Error> {
            match f {
                None => Ok(None),
                Some(f) => match r.eval(f, row)? {
                    None => Ok(None),
                    Some((t, at)) => Ok(Some(date_value(&t, name, end, at)?)),
                },
            }
        };
    let budget = match &objective.budget {
        None => None,
        Some(b) => {
            let mission_code = r.eval_text(Some(&b.mission_code), row)?;
            let program_code = r.eval_text(Some(&b.program_code), row)?;
            match (mission_code, program_code) {
                (Some(mission_code), Some(program_code)) => Some(BudgetLink {
                    mission_code,
                    mission_name: r.eval_text(Some(&b.mission_name), row)?.unwrap_or_default(),
                    program_code,
                    program_name: r.eval_text(Some(&b.program_name), row)?.unwrap_or_default(),
                    action: r.eval_text(Some(&b.action), row)?.unwrap_or_default(),
                }),
                _ => None,
            }
        }
    };
    let fields = ObjectiveFields {
        title: r.eval_text(objective.title.as_ref(), row)?,
        description: r.eval_text(objective.description.as_ref(), row)?,
        year,
        start_date: date(&objective.start_date, "objective.start_date", End::Start)?,
        end_date: date(&objective.end_date, "objective.end_date", End::End)?,
        centre: r.eval_text(objective.responsibility_centre.as_ref(), row)?,
        centre_head: r.eval_text(objective.responsibility_centre_head.as_ref(), row)?,
        budget,
    };
    let o = builder.objective(code, fields, &at);

    let Some(ind) = indicator else {
        return Ok(true);
    };
    let unit = match &ind.unit {
        None => None,
        Some(f) => match r.eval(f, row)? {
            None => None,
            Some((t, at)) => Some(unit_value(&t, at)?),
        },
    };
    let direction = match &ind.direction {
        None => None,
        Some(f) => match r.eval(f, row)? {
            None => None,
            Some((t, at)) => Some(direction_value(&t, at)?),
        },
    };
    let code = r.eval_text(ind.code.as_ref(), row)?;
    let ind_at = match &ind.description {
        Some(f) => r
            .eval(f, row)?
            .map(|(_, p)| p)
            .unwrap_or_else(|| at.clone()),
        None => r.place(row, None),
    };
    let i = builder.indicator(
        o,
        code,
        IndicatorFields {
            description: r.eval_text(ind.description.as_ref(), row)?,
            method: r.eval_text(ind.method.as_ref(), row)?,
            kind: r.eval_text(ind.kind.as_ref(), row)?,
            unit,
            direction,
        },
        &ind_at,
    );

    if let Some(cond) = &ind.no_quantitative_target {
        let text = cond.from.render(|name| match name {
            "$sheet" => r.sheet,
            "$file" => Some(r.stem.as_str()),
            n => r
                .column(n)
                .and_then(|c| row.cells.get(c))
                .map(String::as_str),
        });
        let text = text.trim();
        if cond.is.iter().any(|v| v.trim().eq_ignore_ascii_case(text)) {
            report.placeholders += 1;
            return Ok(true);
        }
    }

    if let Some(f) = &ind.baseline {
        if let Some((text, at)) = r.eval(f, row)? {
            let value = read_measure(&text, &mapping.values);
            if value == Value::Placeholder {
                report.placeholders += 1;
            }
            let note = r.eval_text(ind.baseline_note.as_ref(), row)?;
            builder.baseline(o, i, value, note, &at)?;
        }
    }
    for (t, cols) in ind.targets.iter().zip(target_columns) {
        match t {
            TargetSpec::Columns { note, .. } => {
                let note = r.eval_text(note.as_ref(), row)?;
                for &(c, year) in cols {
                    let text = row.cells.get(c).map(String::as_str).unwrap_or("");
                    let value = read_measure(text, &mapping.values);
                    if value == Value::Placeholder {
                        report.placeholders += 1;
                    }
                    builder.target(o, i, year, value, note.clone(), &r.place(row, Some(c)))?;
                }
            }
            TargetSpec::Fields { year, value, note } => {
                let Some((text, at)) = r.eval(value, row)? else {
                    continue;
                };
                let v = read_measure(&text, &mapping.values);
                if v == Value::Placeholder {
                    report.placeholders += 1;
                    continue;
                }
                let Some((y, year_at)) = r.eval(year, row)? else {
                    return Err(Error::BadValue {
                        at,
                        expected: "a year for this target value (`targets.year` is empty)"
                            .to_string(),
                        found: text,
                    });
                };
                let y = year_value(&y, "targets.year", year_at)?;
                let note = r.eval_text(note.as_ref(), row)?;
                builder.target(o, i, y, v, note, &at)?;
            }
        }
    }
    Ok(true)
}
