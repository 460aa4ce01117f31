//! Text sources (Markdown or reStructuredText outlines, and the text of
//! PDFs): the lines are joined where the source wraps them, stripped of
//! markup if asked, and each is given to the first `[[rules]]` entry whose
//! pattern matches it.

use std::sync::OnceLock;

use regex::{Captures, Regex};

use super::build::{Builder, IndicatorFields, ObjectiveFields, PhaseFields};
use super::spec::{Body, Field, Make, Mapping, Rule, Unwrap};
use super::table::{apply, date_value, direction_value, unit_value, year_value};
use super::values::{read_measure, End, Value};
use super::{Error, Imported, Place, Report};
use crate::measure::parse_percent;
use crate::ParseOptions;

/// A line as the rules see it: possibly several physical lines joined.
#[derive(Debug)]
struct Logical {
    number: u32,
    text: String,
}

fn physical_lines(content: &str) -> Vec<&str> {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let mut out = Vec::new();
    let mut rest = content;
    while !rest.is_empty() {
        match rest.find(['\n', '\r']) {
            Some(i) => {
                out.push(&rest[..i]);
                let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[i + skip..];
            }
            None => {
                out.push(rest);
                rest = "";
            }
        }
    }
    out
}

fn is_underline(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3
        && t.chars().all(|c| "=-~^\"'#*+_`:.".contains(c))
        && t.chars().all(|c| c == t.chars().next().unwrap_or(' '))
}

fn starts_item(line: &str) -> bool {
    static ITEM: OnceLock<Regex> = OnceLock::new();
    let re = ITEM.get_or_init(|| {
        Regex::new(r"^\s*([-*+•]\s|\d+[.)]\s|#{1,6}\s|\.\.\s|\|)")
            .unwrap_or_else(|_| unreachable_regex())
    });
    re.is_match(line)
}

#[allow(clippy::unwrap_used)]
fn unreachable_regex() -> Regex {
    // Only reached if a constant pattern above failed to compile.
    Regex::new("$^").unwrap()
}

fn logical_lines(lines: &[&str], unwrap: Unwrap) -> Vec<Logical> {
    let mut out: Vec<Logical> = Vec::new();
    let mut open = false; // The last logical line may take a continuation.
    for (i, &line) in lines.iter().enumerate() {
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let blank = line.trim().is_empty();
        let joins = open
            && !blank
            && !is_underline(line)
            && match unwrap {
                Unwrap::None => false,
                Unwrap::Indented => line.starts_with([' ', '\t']) && !starts_item(line),
                Unwrap::Paragraph => !starts_item(line),
            };
        // A heading's underline closes it.
        if joins {
            if let Some(last) = out.last_mut() {
                last.text.push(' ');
                last.text.push_str(line.trim());
                continue;
            }
        }
        out.push(Logical {
            number,
            text: line.trim_end().to_string(),
        });
        open = !blank && !is_underline(line) && !line.trim_start().starts_with('#');
        // A following underline makes this a heading: no continuation.
        if lines.get(i + 1).is_some_and(|next| is_underline(next)) {
            open = false;
        }
    }
    out
}

/// Removes inline markup: `**bold**`, `*emphasis*`, `` `code` ``,
/// Markdown links `[text](url)` and reStructuredText links
/// `` `text <url>`_ `` keep their text; a leading bullet stays.
fn strip_markup(line: &str) -> String {
    static MD_LINK: OnceLock<Regex> = OnceLock::new();
    static RST_LINK: OnceLock<Regex> = OnceLock::new();
    static ROLE: OnceLock<Regex> = OnceLock::new();
    let md = MD_LINK.get_or_init(|| {
        Regex::new(r"\[([^\]]*)\]\([^)]*\)").unwrap_or_else(|_| unreachable_regex())
    });
    let rst = RST_LINK.get_or_init(|| {
        Regex::new(r"`([^`<]*?)\s*<[^>`]*>`_{1,2}").unwrap_or_else(|_| unreachable_regex())
    });
    let role =
        ROLE.get_or_init(|| Regex::new(r":[a-z]+:`").unwrap_or_else(|_| unreachable_regex()));
    let s = md.replace_all(line, "$1");
    let s = rst.replace_all(&s, "$1");
    let s = role.replace_all(&s, "`");
    // Keep a bullet `* ` at the start of the line.
    let indent = s.len() - s.trim_start().len();
    let (head, body) = s.split_at(indent);
    let (bullet, body) = match body.strip_prefix("* ") {
        Some(rest) => ("* ", rest),
        None => ("", body),
    };
    let body = body
        .replace("**", "")
        .replace("__", "")
        .replace(['*', '`'], "");
    let body = body.replace("\\", "");
    format!("{head}{bullet}{body}")
}

pub fn read(
    mapping: &Mapping,
    file: &str,
    content: &str,
    options: &ParseOptions,
) -> Result<Imported, Error> {
    let Body::Text { rules } = &mapping.body else {
        return Err(Error::File {
            file: file.to_string(),
            message: "a table mapping cannot read a text".to_string(),
        });
    };
    let physical = physical_lines(content);
    let lines = logical_lines(&physical, mapping.source.unwrap);
    let mut builder = Builder::new(mapping, file);
    let mut report = Report::new("line");
    let mut objective: Option<usize> = None;
    let mut indicator: Option<usize> = None;
    let stem = std::path::Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();

    for line in &lines {
        let text = if mapping.source.strip_markup {
            strip_markup(&line.text)
        } else {
            line.text.clone()
        };
        if text.trim().is_empty() {
            continue;
        }
        report.records += 1;
        let at = Place {
            file: file.to_string(),
            line: Some(line.number),
            sheet: None,
            cell: None,
        };
        if mapping.source.ignore.iter().any(|re| re.is_match(&text)) {
            report.ignored += 1;
            continue;
        }
        let Some((rule, caps)) = rules
            .iter()
            .find_map(|r| r.pattern.captures(&text).map(|c| (r, c)))
        else {
            report.unused(at, None, &text);
            continue;
        };
        let objective_code = objective.map(|o| builder.objective_code(o).to_string());
        let cx = Cx {
            caps: &caps,
            line: &text,
            stem: &stem,
            objective: objective_code.as_deref(),
            at: &at,
        };
        match rule.make {
            Make::Ignore => report.ignored += 1,
            Make::Objective => {
                let Some(code) = cx.text(rule.field("code"))? else {
                    return Err(Error::BadValue {
                        at,
                        expected: "an objective code (the rule's `code` is empty here)".to_string(),
                        found: text,
                    });
                };
                let fields = ObjectiveFields {
                    title: cx.text(rule.field("title"))?,
                    description: cx.text(rule.field("description"))?,
                    year: cx
                        .text(rule.field("year"))?
                        .map(|y| year_value(&y, "year", at.clone()))
                        .transpose()?,
                    start_date: cx.date(rule.field("start_date"), End::Start)?,
                    end_date: cx.date(rule.field("end_date"), End::End)?,
                    centre: cx.text(rule.field("responsibility_centre"))?,
                    centre_head: None,
                    budget: None,
                };
                objective = Some(builder.objective(code, fields, &at));
                indicator = None;
            }
            Make::Indicator => {
                let o = need(objective, &at, &text, rule, "an objective")?;
                let fields = IndicatorFields {
                    description: cx.text(rule.field("description"))?,
                    method: cx.text(rule.field("method"))?,
                    kind: cx.text(rule.field("kind"))?,
                    unit: cx
                        .text(rule.field("unit"))?
                        .map(|u| unit_value(&u, at.clone()))
                        .transpose()?,
                    direction: cx
                        .text(rule.field("direction"))?
                        .map(|d| direction_value(&d, at.clone()))
                        .transpose()?,
                };
                let code = cx.text(rule.field("code"))?;
                indicator = Some(builder.indicator(o, code, fields, &at));
            }
            Make::Target | Make::Baseline => {
                let o = need(objective, &at, &text, rule, "an objective")?;
                let i = need(indicator, &at, &text, rule, "a result (indicator)")?;
                let raw = cx.text(rule.field("value"))?.unwrap_or_default();
                let value = read_measure(&raw, &mapping.values);
                if value == Value::Placeholder {
                    report.placeholders += 1;
                }
                let note = cx.text(rule.field("note"))?;
                if rule.make == Make::Target {
                    let year = cx.text(rule.field("year"))?.unwrap_or_default();
                    let year = year_value(&year, "year", at.clone())?;
                    builder.target(o, i, year, value, note, &at)?;
                } else {
                    builder.baseline(o, i, value, note, &at)?;
                }
            }
            Make::Phase => {
                let o = need(objective, &at, &text, rule, "an objective")?;
                let weight = match cx.text(rule.field("weight"))? {
                    None => None,
                    Some(w) => Some(parse_percent(&w).ok_or_else(|| Error::BadValue {
                        at: at.clone(),
                        expected: "a weight in percent such as 20% in `weight`".to_string(),
                        found: w.clone(),
                    })?),
                };
                let fields = PhaseFields {
                    code: cx.text(rule.field("code"))?,
                    description: cx.text(rule.field("description"))?.unwrap_or_default(),
                    start_date: cx.date(rule.field("start_date"), End::Start)?,
                    end_date: cx.date(rule.field("end_date"), End::End)?,
                    expected_result: cx.text(rule.field("expected_result"))?.unwrap_or_default(),
                    weight,
                };
                builder.phase(o, fields, &at)?;
            }
            Make::Description => {
                let t = match rule.field("text") {
                    Some(_) => cx.text(rule.field("text"))?.unwrap_or_default(),
                    None => text.trim().to_string(),
                };
                builder.describe(objective, indicator, &t);
            }
        }
    }
    Ok(Imported {
        doc: builder.finish(options)?,
        report,
    })
}

fn need(
    current: Option<usize>,
    at: &Place,
    text: &str,
    rule: &Rule,
    what: &str,
) -> Result<usize, Error> {
    current.ok_or_else(|| Error::BadValue {
        at: at.clone(),
        expected: format!(
            "{what} above this line, which the rule /{}/ reads as part of it",
            rule.pattern.as_str()
        ),
        found: text.to_string(),
    })
}

struct Cx<'a> {
    caps: &'a Captures<'a>,
    line: &'a str,
    stem: &'a str,
    objective: Option<&'a str>,
    at: &'a Place,
}

impl Cx<'_> {
    fn text(&self, field: Option<&Field>) -> Result<Option<String>, Error> {
        let Some(field) = field else { return Ok(None) };
        let rendered = field.template.render(|r| match r {
            "$line" => Some(self.line),
            "$file" => Some(self.stem),
            "$objective" => self.objective,
            name => self.caps.name(name).map(|m| m.as_str()),
        });
        let collapsed = rendered.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(apply(field, &collapsed, self.at.clone())?.map(|(t, _)| t))
    }

    fn date(&self, field: Option<&Field>, end: End) -> Result<Option<chrono::NaiveDate>, Error> {
        let name = field.map(|f| f.name.clone()).unwrap_or_default();
        self.text(field)?
            .map(|t| date_value(&t, &name, end, self.at.clone()))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_stripped_and_bullets_kept() {
        assert_eq!(
            strip_markup("* **R.A.1.1a** - [Servizi](https://x.example) *online*"),
            "* R.A.1.1a - Servizi online"
        );
        assert_eq!(
            strip_markup("- `Obiettivo 3.2 <https://x.example>`_ - Dati"),
            "- Obiettivo 3.2 - Dati"
        );
    }

    #[test]
    fn wrapped_lines_are_joined_and_underlines_end_headings() {
        let lines =
            physical_lines("Titolo\n======\n- **R.A.1\n  continua**\n\nprosa\r\naltra\rriga");
        let l = logical_lines(&lines, Unwrap::Indented);
        let texts: Vec<&str> = l.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Titolo",
                "======",
                "- **R.A.1 continua**",
                "",
                "prosa",
                "altra",
                "riga"
            ]
        );
        assert_eq!(l[2].number, 3);
        let l = logical_lines(&lines, Unwrap::Paragraph);
        assert_eq!(l.last().map(|l| l.text.as_str()), Some("prosa altra riga"));
    }
}
