//! The multi-year plan: areas (`AREA <NAME>**<subtitle>**` and narrative
//! paragraphs) with `AMBITO` tables whose columns after the three-year
//! objective are yearly results. The header row repeats at every page, and a
//! row cut by the page goes on after it (empty first cell, or the tail of a
//! word cut in the first cell).

use super::{continue_row, document, is_ambito_header, plan_info, Line, LineMap, TableSpec};
use crate::error::ImportError;
use crate::model::{Ambito, AmbitoResult, Area, PlanDocument, PlanKind, ResultKind};
use crate::validate;
use crate::ParseOptions;

/// Columns of an `AMBITO` header: the result columns, in order.
#[derive(Debug, Clone, PartialEq)]
struct Header {
    columns: Vec<String>,
    results: Vec<(i32, ResultKind)>,
}

impl Header {
    fn spec(&self) -> TableSpec<'static> {
        TableSpec {
            name: "the AMBITO table",
            columns: self.columns.clone(),
        }
    }
}

#[derive(Debug)]
struct AmbitoDraft {
    cells: Vec<String>,
    results: Vec<(i32, ResultKind)>,
    line: u32,
}

#[derive(Debug)]
struct AreaDraft {
    name: Option<String>,
    subtitle: Option<String>,
    introduction: Vec<String>,
    ambiti: Vec<AmbitoDraft>,
}

impl AreaDraft {
    fn unnamed() -> AreaDraft {
        AreaDraft {
            name: None,
            subtitle: None,
            introduction: Vec::new(),
            ambiti: Vec::new(),
        }
    }
}

pub(super) fn parse(
    file: &str,
    lines: &[Line<'_>],
    options: &ParseOptions,
) -> Result<(PlanDocument, LineMap), ImportError> {
    let mut areas: Vec<AreaDraft> = Vec::new();
    let mut header: Option<Header> = None;
    let mut plan_years: Option<(i32, i32)> = None;
    let mut in_table = false;
    let mut after_header = false;
    // The last row read, while nothing but blank lines followed it.
    let mut trailing_row: Option<(Vec<String>, u32)> = None;
    let last_content_line = lines.iter().rev().find(|l| !l.is_blank()).map(|l| l.number);

    for line in lines {
        if line.is_blank() {
            continue;
        }
        let cells = line.cells();
        let n = line.number;

        if let Some(heading) = area_heading(line) {
            areas.push(heading);
            in_table = false;
            trailing_row = None;
            continue;
        }
        if is_ambito_header(&cells) {
            let parsed = read_header(file, n, &cells)?;
            if plan_years.is_none() {
                plan_years = header_years(cells[1]);
            }
            header = Some(parsed);
            if areas.is_empty() {
                // The extract starts inside the first area: its heading is lost.
                areas.push(AreaDraft::unnamed());
            }
            in_table = true;
            after_header = true;
            trailing_row = None;
            continue;
        }
        if line.is_prose() {
            // Narrative: the area's introduction. Prose after a table (none
            // in the published plans) is kept there too rather than lost.
            if areas.is_empty() {
                areas.push(AreaDraft::unnamed());
            }
            if let Some(area) = areas.last_mut() {
                area.introduction.push(line.text.trim_end().to_string());
            }
            in_table = false;
            trailing_row = None;
            continue;
        }
        let (Some(current), true) = (&header, in_table) else {
            return Err(ImportError::BadValue {
                file: file.to_string(),
                line: n,
                expected: "an AMBITO header row before table rows".to_string(),
                found: line.text.trim().to_string(),
            });
        };
        let Some(area) = areas.last_mut() else {
            continue;
        };
        let is_last_line = Some(n) == last_content_line;
        read_row(file, n, cells, current, area, after_header, is_last_line)?;
        trailing_row = area.ambiti.last().map(|a| (a.cells.clone(), n));
        after_header = false;
    }

    let (first_year, last_year) = plan_years
        .or_else(|| {
            let years = areas
                .iter()
                .flat_map(|a| &a.ambiti)
                .flat_map(|a| &a.results)
                .map(|(y, _)| *y);
            Some((years.clone().min()?, years.max()?))
        })
        .unwrap_or_default();

    let mut map = LineMap::default();
    let mut extra_findings = Vec::new();
    if let Some((cells, line)) = &trailing_row {
        if looks_cut(cells) {
            let name = ambito_name(&cells[0]);
            let mut f = validate::finding(
                "document_ends_mid_table",
                "ambito",
                &name,
                format!("the document ends inside the AMBITO table: the row of ambito {name:?} looks cut off"),
            );
            f.line = Some(*line);
            extra_findings.push(f);
        }
    }

    let areas: Vec<Area> = areas
        .into_iter()
        .map(|area| Area {
            name: area.name,
            subtitle: area.subtitle,
            introduction: area.introduction.join("\n"),
            ambiti: area
                .ambiti
                .into_iter()
                .map(|draft| {
                    let name = ambito_name(&draft.cells[0]);
                    map.record("ambito", &name, draft.line);
                    Ambito {
                        name,
                        objective: draft.cells[1].clone(),
                        results: draft
                            .results
                            .iter()
                            .zip(&draft.cells[2..])
                            .map(|((year, kind), text)| AmbitoResult {
                                year: *year,
                                kind: *kind,
                                text: text.clone(),
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect();

    let title = options.title.clone().unwrap_or_else(|| {
        let span = if last_year - first_year == 2 {
            "triennale"
        } else {
            "pluriennale"
        };
        format!("Piano {span} {first_year}-{last_year}")
    });
    let years = (first_year, last_year);
    let plan = plan_info(file, options, PlanKind::MultiYear, title, years, Vec::new());
    let doc = document(plan, Vec::new(), areas, &map, extra_findings);
    Ok((doc, map))
}

/// `AREA INCLUSIONE SOCIALE E LAVORATIVA**Obiettivi operativi …**` → name
/// `INCLUSIONE SOCIALE E LAVORATIVA` (the `AREA` keyword is dropped, as it
/// is in the first cell of every heading) and the subtitle.
fn area_heading(line: &Line<'_>) -> Option<AreaDraft> {
    if !line.is_prose() {
        return None;
    }
    let rest = line.text.trim().strip_prefix("AREA ")?;
    let (name, subtitle) = match rest.split_once("**") {
        Some((name, sub)) => (name, Some(sub.trim_end_matches('*').trim())),
        None => (rest, None),
    };
    let name = name.trim();
    if name.is_empty() || name.to_uppercase() != name {
        // Prose that happens to start with "AREA " is not a heading.
        return None;
    }
    Some(AreaDraft {
        name: Some(name.to_string()),
        subtitle: subtitle.filter(|s| !s.is_empty()).map(str::to_string),
        introduction: Vec::new(),
        ambiti: Vec::new(),
    })
}

/// Reads the result columns from the header text, so that a plan for other
/// years needs no change: `Risultati previsti al 2010` → expected 2010,
/// `Risultati al 2010` → actual 2010.
fn read_header(file: &str, n: u32, cells: &[&str]) -> Result<Header, ImportError> {
    let mut cells: Vec<&str> = cells.to_vec();
    while cells.len() > 2 && cells.last().is_some_and(|c| c.is_empty()) {
        cells.pop();
    }
    let mut results = Vec::new();
    for cell in &cells[2..] {
        let lower = cell.to_lowercase();
        let year = last_year_in(cell);
        let kind = if lower.contains("previst") || lower.contains("attes") {
            Some(ResultKind::Expected)
        } else if lower.starts_with("risultat") {
            Some(ResultKind::Actual)
        } else {
            None
        };
        match (year, kind) {
            (Some(year), Some(kind)) => results.push((year, kind)),
            _ => return Err(ImportError::BadValue {
                file: file.to_string(),
                line: n,
                expected:
                    "a result column such as `Risultati previsti al 2010` or `Risultati al 2010`"
                        .to_string(),
                found: (*cell).to_string(),
            }),
        }
    }
    Ok(Header {
        columns: cells.iter().map(|c| (*c).to_string()).collect(),
        results,
    })
}

/// The four-digit numbers of a text, as years.
fn years_in(text: &str) -> Vec<i32> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|t| t.len() == 4)
        .filter_map(|t| t.parse().ok())
        .collect()
}

fn last_year_in(text: &str) -> Option<i32> {
    years_in(text).last().copied()
}

/// `Obiettivi quali-quantitativi 2009-2011` → (2009, 2011).
fn header_years(objective_column: &str) -> Option<(i32, i32)> {
    let years = years_in(objective_column);
    Some((*years.iter().min()?, *years.iter().max()?))
}

fn read_row(
    file: &str,
    n: u32,
    cells: Vec<&str>,
    header: &Header,
    area: &mut AreaDraft,
    after_header: bool,
    is_last_line: bool,
) -> Result<(), ImportError> {
    let spec = header.spec();
    let first = cells[0];
    let cut_word = after_header
        && !first.is_empty()
        && !first.contains(char::is_whitespace)
        && !first.contains('<')
        && !area.ambiti.is_empty()
        && cells.get(1).is_none_or(|c| {
            c.trim_start_matches("<p>")
                .chars()
                .next()
                .is_none_or(char::is_lowercase)
        });

    if first.is_empty() || cut_word {
        let fitted = spec.fit(file, n, cells, true)?;
        let Some(previous) = area.ambiti.last_mut() else {
            return Err(ImportError::BadValue {
                file: file.to_string(),
                line: n,
                expected: "an ambito name in the first cell (an empty first cell continues the row above, and there is none in this area)".to_string(),
                found: fitted.join(" ").trim().to_string(),
            });
        };
        if cut_word {
            // `…PROFESSIONALIZZ` + `ANTE`: the page cut a word in two.
            previous.cells[0].push_str(&fitted[0]);
            continue_row(&mut previous.cells[1..], &fitted[1..]);
        } else {
            continue_row(&mut previous.cells, &fitted);
        }
        return Ok(());
    }

    // The extract may stop in the middle of the last row: keep what is
    // there (a finding says so) instead of refusing the whole plan.
    let fitted = spec.fit(file, n, cells, is_last_line)?;
    area.ambiti.push(AmbitoDraft {
        cells: fitted,
        results: header.results.clone(),
        line: n,
    });
    Ok(())
}

/// `<p>MODELLIZZAZIONE …</p>` → `MODELLIZZAZIONE …`.
fn ambito_name(cell: &str) -> String {
    let name = cell.trim();
    name.strip_prefix("<p>")
        .and_then(|n| n.strip_suffix("</p>"))
        .unwrap_or(name)
        .trim()
        .to_string()
}

/// A last row looks cut when a result is missing or a cell stops mid-
/// sentence (on a lowercase word or a comma, once tags are removed).
fn looks_cut(cells: &[String]) -> bool {
    let stops_mid_sentence = cells.iter().any(|cell| {
        let text = strip_tags(cell);
        let text = text.trim_end();
        text.chars()
            .next_back()
            .is_some_and(|c| c.is_lowercase() || c == ',')
    });
    stops_mid_sentence || cells.last().is_some_and(String::is_empty)
}

fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_columns_are_read_from_the_header_text() {
        let cells = [
            "AMBITO",
            "Obiettivi quali-quantitativi 2009-2011",
            "Risultati previsti al 2010",
            "Risultati al 2010",
            "Risultati previsti al 2011",
        ];
        let header = read_header("x.txt", 1, &cells).unwrap();
        assert_eq!(
            header.results,
            vec![
                (2010, ResultKind::Expected),
                (2010, ResultKind::Actual),
                (2011, ResultKind::Expected)
            ]
        );
        assert_eq!(header_years(cells[1]), Some((2009, 2011)));
    }

    #[test]
    fn area_heading_gives_name_and_subtitle() {
        let line = Line {
            number: 1,
            text: "AREA INCLUSIONE SOCIALE**Obiettivi 2011**",
        };
        let area = area_heading(&line).unwrap();
        assert_eq!(area.name.as_deref(), Some("INCLUSIONE SOCIALE"));
        assert_eq!(area.subtitle.as_deref(), Some("Obiettivi 2011"));
    }

    #[test]
    fn cut_rows_are_recognised() {
        assert!(looks_cut(&["A".into(), "b</p>".into(), "c.".into()]));
        assert!(looks_cut(&["A".into(), "b.".into(), String::new()]));
        assert!(!looks_cut(&["A".into(), "b.".into(), "c.</p>".into()]));
    }
}
