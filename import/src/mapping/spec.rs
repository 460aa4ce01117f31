//! The mapping file: its TOML form (every key is listed in
//! `docs/mapping-guide.md`) and its compiled form, checked once so that a
//! mistake is reported with the line and column of the mapping.

use std::collections::BTreeMap;
use std::ops::Range;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use super::template::Template;
use super::MappingError;

mod compiled;
mod hints;
mod raw;

pub use compiled::*;
use hints::*;
use raw::*;

// ------------------------------------------------------------- compilation

impl Mapping {
    /// Reads and checks a mapping. Every error names the mapping file, the
    /// line and the column of the key or value at fault.
    pub fn parse(file: &str, text: &str) -> Result<Mapping, MappingError> {
        let cx = Cx { file, text };
        let raw: RawMapping = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim_end();
            let message = unknown_key_message(text, span.start, message)
                .unwrap_or_else(|| message.to_string());
            cx.error(span, message)
        })?;

        let source = cx.source(raw.source)?;
        let values = cx.values(raw.values)?;
        let plan = cx.plan(raw.plan)?;
        let body = if source.format.is_table() {
            if let Some(rule) = raw.rules.first() {
                return Err(cx.error(
                    rule.pattern.span(),
                    format!(
                        "[[rules]] are for text and pdf sources; a {} source is mapped with [objective] and [indicator]",
                        source.format.as_str()
                    ),
                ));
            }
            let Some(objective) = raw.objective else {
                return Err(cx.error(
                    0..0,
                    "a table mapping needs an [objective] section with at least `code`".to_string(),
                ));
            };
            let objective = cx.objective(objective)?;
            let indicator = raw.indicator.map(|i| cx.indicator(i)).transpose()?;
            Body::Table {
                objective,
                indicator,
            }
        } else {
            if raw.objective.is_some() || raw.indicator.is_some() {
                return Err(cx.error(
                    0..0,
                    format!(
                        "a {} source is mapped with [[rules]], not [objective]/[indicator]",
                        source.format.as_str()
                    ),
                ));
            }
            if raw.rules.is_empty() {
                return Err(cx.error(
                    0..0,
                    "a text mapping needs at least one [[rules]] entry".to_string(),
                ));
            }
            let rules = raw
                .rules
                .into_iter()
                .map(|r| cx.rule(r))
                .collect::<Result<_, _>>()?;
            Body::Text { rules }
        };
        Ok(Mapping {
            file: file.to_string(),
            text: text.to_string(),
            source,
            values,
            plan,
            body,
        })
    }

    /// An error about the mapping at `span` (a byte range of its text).
    pub(crate) fn error_at(&self, span: Range<usize>, message: String) -> MappingError {
        Cx {
            file: &self.file,
            text: &self.text,
        }
        .error(span, message)
    }
}

struct Cx<'a> {
    file: &'a str,
    text: &'a str,
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary_compat(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

trait FloorCharBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}

impl FloorCharBoundary for str {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        while i > 0 && !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

impl Cx<'_> {
    fn error(&self, span: Range<usize>, message: String) -> MappingError {
        let (line, column) = line_column(self.text, span.start);
        MappingError {
            file: self.file.to_string(),
            line,
            column,
            message,
        }
    }

    fn regex(&self, s: &Spanned<String>) -> Result<Regex, MappingError> {
        Regex::new(s.get_ref()).map_err(|e| {
            let detail = e.to_string();
            let last = detail.lines().last().unwrap_or("").trim().to_string();
            self.error(
                s.span(),
                format!("expected a regular expression, found an error: {last}"),
            )
        })
    }

    fn source(&self, raw: RawSource) -> Result<Source, MappingError> {
        let format = match raw.format.get_ref().as_str() {
            "csv" => Format::Csv,
            "xlsx" => Format::Xlsx,
            "ods" => Format::Ods,
            "text" | "markdown" | "rst" => Format::Text,
            "pdf" => Format::Pdf,
            other => {
                return Err(self.error(
                    raw.format.span(),
                    format!("expected format \"csv\", \"xlsx\", \"ods\", \"text\" or \"pdf\", found {other:?}"),
                ))
            }
        };
        let table_only = |name: &str, span: Range<usize>| -> Result<(), MappingError> {
            if format.is_table() {
                Ok(())
            } else {
                Err(self.error(
                    span,
                    format!(
                        "`{name}` is a key of table sources (csv, xlsx, ods), not of {}",
                        format.as_str()
                    ),
                ))
            }
        };
        let text_only = |name: &str, span: Range<usize>| -> Result<(), MappingError> {
            if format.is_table() {
                Err(self.error(
                    span,
                    format!(
                        "`{name}` is a key of text and pdf sources, not of {}",
                        format.as_str()
                    ),
                ))
            } else {
                Ok(())
            }
        };
        let delimiter = match &raw.delimiter {
            None => b',',
            Some(d) => {
                if format != Format::Csv {
                    return Err(self.error(d.span(), "`delimiter` is a key of csv sources".into()));
                }
                let s = d.get_ref();
                let s = if s == "\\t" { "\t" } else { s.as_str() };
                if s.len() != 1 {
                    return Err(self.error(
                        d.span(),
                        format!("expected a delimiter of one ASCII character such as \";\" or \"\\t\", found {s:?}"),
                    ));
                }
                s.as_bytes()[0]
            }
        };
        let header_row = match &raw.header_row {
            None => 1,
            Some(h) => {
                table_only("header_row", h.span())?;
                if *h.get_ref() == 0 {
                    return Err(
                        self.error(h.span(), "expected a 1-based row number, found 0".into())
                    );
                }
                *h.get_ref()
            }
        };
        if raw.sheets.is_some() && !matches!(format, Format::Xlsx | Format::Ods) {
            return Err(self.error(
                raw.format.span(),
                "`sheets` is a key of xlsx and ods sources".into(),
            ));
        }
        for c in raw.fill_down.iter().chain(&raw.ignore_columns) {
            table_only("fill_down/ignore_columns", c.span())?;
        }
        let unwrap = match &raw.unwrap {
            None => Unwrap::None,
            Some(u) => {
                text_only("unwrap", u.span())?;
                match u.get_ref().as_str() {
                    "none" => Unwrap::None,
                    "indented" => Unwrap::Indented,
                    "paragraph" => Unwrap::Paragraph,
                    other => {
                        return Err(self.error(
                            u.span(),
                            format!("expected unwrap \"none\", \"indented\" or \"paragraph\", found {other:?}"),
                        ))
                    }
                }
            }
        };
        let mut ignore = Vec::new();
        for pattern in &raw.ignore {
            text_only("ignore", pattern.span())?;
            ignore.push(self.regex(pattern)?);
        }
        Ok(Source {
            format,
            delimiter,
            header_row,
            sheets: raw.sheets,
            fill_down: raw.fill_down,
            ignore_columns: raw.ignore_columns,
            unwrap,
            strip_markup: raw.strip_markup.unwrap_or(false),
            ignore,
        })
    }

    fn values(&self, raw: RawValues) -> Result<Values, MappingError> {
        let mut comparators = Vec::new();
        for (word, comparator) in raw.comparators {
            let c = parse_comparator(comparator.get_ref()).ok_or_else(|| {
                self.error(
                    comparator.span(),
                    format!(
                        "expected a comparator \"ge\", \"gt\", \"le\", \"lt\" or \"eq\", found {:?}",
                        comparator.get_ref()
                    ),
                )
            })?;
            comparators.push((word, c));
        }
        comparators.sort_by_key(|(w, _)| std::cmp::Reverse(w.chars().count()));
        Ok(Values {
            placeholders: raw.placeholders,
            comparators,
        })
    }

    fn plan(&self, raw: RawPlan) -> Result<Plan, MappingError> {
        let kind = match &raw.kind {
            None => None,
            Some(k) => Some(crate::model::PlanKind::parse(k.get_ref()).ok_or_else(|| {
                self.error(
                    k.span(),
                    format!(
                        "expected kind \"annual_objectives\" or \"multi_year\", found {:?}",
                        k.get_ref()
                    ),
                )
            })?),
        };
        let template = |t: &Option<Spanned<String>>| -> Result<Option<Template>, MappingError> {
            t.as_ref()
                .map(|t| {
                    let tpl = Template::parse(t.get_ref())
                        .map_err(|m| self.error(t.span(), m))?;
                    if let Some(r) = tpl.refs().find(|r| *r != "$file") {
                        return Err(self.error(
                            t.span(),
                            format!("[plan] values are constants; the only reference allowed is {{$file}}, found {{{r}}}"),
                        ));
                    }
                    Ok(tpl)
                })
                .transpose()
        };
        if let (Some(first), Some(last)) = (raw.first_year, raw.last_year) {
            if first > last {
                return Err(self.error(
                    0..0,
                    format!("[plan] first_year {first} is after last_year {last}"),
                ));
            }
        }
        Ok(Plan {
            code: template(&raw.code)?,
            kind,
            title: template(&raw.title)?,
            administration: raw.administration,
            first_year: raw.first_year,
            last_year: raw.last_year,
            notes: raw.notes,
        })
    }

    fn field(&self, name: &str, raw: Spanned<toml::Value>) -> Result<Field, MappingError> {
        let span = raw.span();
        let at = format!("{}:{}", self.file, line_column(self.text, span.start).0);
        let value = raw.into_inner();
        let bad = |message: String| self.error(span.clone(), message);
        let template_of = |s: &str| Template::parse(s).map_err(&bad);
        match value {
            toml::Value::String(s) => Ok(Field {
                name: name.to_string(),
                template: template_of(&s)?,
                pattern: None,
                map: None,
                default: None,
                span,
                at: at.clone(),
            }),
            toml::Value::Integer(i) => Ok(Field {
                name: name.to_string(),
                template: Template::literal(&i.to_string()),
                pattern: None,
                map: None,
                default: None,
                span,
                at: at.clone(),
            }),
            toml::Value::Table(table) => {
                let mut from = None;
                let mut pattern = None;
                let mut map = None;
                let mut default = None;
                for (key, v) in table {
                    match (key.as_str(), v) {
                        ("from", toml::Value::String(s)) => from = Some(template_of(&s)?),
                        ("pattern", toml::Value::String(s)) => {
                            pattern = Some(Regex::new(&s).map_err(|e| {
                                bad(format!(
                                    "`{name}.pattern`: expected a regular expression, found an error: {}",
                                    e.to_string().lines().last().unwrap_or("").trim()
                                ))
                            })?)
                        }
                        ("map", toml::Value::Table(t)) => {
                            let mut m = BTreeMap::new();
                            for (k, v) in t {
                                let toml::Value::String(v) = v else {
                                    return Err(bad(format!(
                                        "`{name}.map.{k}`: expected a string"
                                    )));
                                };
                                m.insert(k, v);
                            }
                            map = Some(m);
                        }
                        ("default", toml::Value::String(s)) => default = Some(s),
                        ("default", toml::Value::Integer(i)) => default = Some(i.to_string()),
                        ("from" | "pattern" | "default", _) => {
                            return Err(bad(format!("`{name}.{key}`: expected a string")))
                        }
                        ("map", _) => {
                            return Err(bad(format!(
                                "`{name}.map`: expected a table of source text = value"
                            )))
                        }
                        (other, _) => {
                            return Err(bad(format!(
                                "unknown key `{other}` in `{name}`: expected `from`, `pattern`, `map` or `default`"
                            )))
                        }
                    }
                }
                let Some(template) = from else {
                    return Err(bad(format!(
                        "`{name}` as a table needs `from`, the text to read (e.g. from = \"{{Column}}\")"
                    )));
                };
                Ok(Field {
                    name: name.to_string(),
                    template,
                    pattern,
                    map,
                    default,
                    span,
                    at,
                })
            }
            other => Err(bad(format!(
                "`{name}`: expected a template string such as \"{{Column}}\" or a table {{ from = …, pattern = …, map = … }}, found {}",
                other.type_str()
            ))),
        }
    }

    fn opt(
        &self,
        name: &str,
        raw: Option<Spanned<toml::Value>>,
    ) -> Result<Option<Field>, MappingError> {
        raw.map(|r| self.field(name, r)).transpose()
    }

    fn objective(&self, raw: RawSection) -> Result<ObjectiveSpec, MappingError> {
        let misplaced = [
            ("method", raw.method.as_ref().map(Spanned::span)),
            ("kind", raw.kind.as_ref().map(Spanned::span)),
            ("unit", raw.unit.as_ref().map(Spanned::span)),
            ("direction", raw.direction.as_ref().map(Spanned::span)),
            ("baseline", raw.baseline.as_ref().map(Spanned::span)),
            (
                "baseline_note",
                raw.baseline_note.as_ref().map(Spanned::span),
            ),
            (
                "no_quantitative_target",
                raw.no_quantitative_target.as_ref().map(Spanned::span),
            ),
        ];
        for (key, span) in misplaced {
            if let Some(span) = span {
                return Err(self.error(
                    span,
                    format!("`{key}` belongs in [indicator], not in [objective]"),
                ));
            }
        }
        if !raw.targets.is_empty() {
            return Err(self.error(
                0..0,
                "[[objective.targets]]: targets belong to indicators: write [[indicator.targets]]"
                    .into(),
            ));
        }
        let Some(code) = raw.code else {
            return Err(self.error(
                0..0,
                "[objective] needs `code`: rows with the same code make one objective".into(),
            ));
        };
        let budget = raw
            .budget
            .map(|b| -> Result<BudgetSpec, MappingError> {
                Ok(BudgetSpec {
                    mission_code: self.field("budget.mission_code", b.mission_code)?,
                    mission_name: self.field("budget.mission_name", b.mission_name)?,
                    program_code: self.field("budget.program_code", b.program_code)?,
                    program_name: self.field("budget.program_name", b.program_name)?,
                    action: self.field("budget.action", b.action)?,
                })
            })
            .transpose()?;
        Ok(ObjectiveSpec {
            code: Some(self.field("code", code)?),
            title: self.opt("title", raw.title)?,
            description: self.opt("description", raw.description)?,
            year: self.opt("year", raw.year)?,
            start_date: self.opt("start_date", raw.start_date)?,
            end_date: self.opt("end_date", raw.end_date)?,
            responsibility_centre: self.opt("responsibility_centre", raw.responsibility_centre)?,
            responsibility_centre_head: self
                .opt("responsibility_centre_head", raw.responsibility_centre_head)?,
            budget,
        })
    }

    fn indicator(&self, raw: RawSection) -> Result<IndicatorSpec, MappingError> {
        let misplaced = [
            ("title", raw.title.as_ref().map(Spanned::span)),
            ("year", raw.year.as_ref().map(Spanned::span)),
            ("start_date", raw.start_date.as_ref().map(Spanned::span)),
            ("end_date", raw.end_date.as_ref().map(Spanned::span)),
            (
                "responsibility_centre",
                raw.responsibility_centre.as_ref().map(Spanned::span),
            ),
            (
                "responsibility_centre_head",
                raw.responsibility_centre_head.as_ref().map(Spanned::span),
            ),
        ];
        for (key, span) in misplaced {
            if let Some(span) = span {
                return Err(self.error(
                    span,
                    format!("`{key}` belongs in [objective], not in [indicator]"),
                ));
            }
        }
        if raw.budget.is_some() {
            return Err(self.error(
                0..0,
                "[indicator.budget]: the budget belongs in [objective.budget]".into(),
            ));
        }
        let mut targets = Vec::new();
        for t in raw.targets {
            let note = self.opt("targets.note", t.note)?;
            match (t.columns, t.year, t.value) {
                (Some(columns), None, None) => targets.push(TargetSpec::Columns {
                    pattern: self.regex(&columns)?,
                    note,
                    span: columns.span(),
                }),
                (None, Some(year), Some(value)) => targets.push(TargetSpec::Fields {
                    year: self.field("targets.year", year)?,
                    value: self.field("targets.value", value)?,
                    note,
                }),
                (Some(columns), _, _) => {
                    return Err(self.error(
                        columns.span(),
                        "[[indicator.targets]] has either `columns` (one target per matching column) or `year` and `value`, not both".into(),
                    ))
                }
                (None, year, value) => {
                    let span = year
                        .as_ref()
                        .map(Spanned::span)
                        .or(value.as_ref().map(Spanned::span))
                        .unwrap_or(0..0);
                    return Err(self.error(
                        span,
                        "[[indicator.targets]] needs `columns`, or both `year` and `value`".into(),
                    ));
                }
            }
        }
        let no_quantitative_target = raw
            .no_quantitative_target
            .map(|c| -> Result<Condition, MappingError> {
                let span = c.span();
                let c = c.into_inner();
                Ok(Condition {
                    from: Template::parse(c.from.get_ref())
                        .map_err(|m| self.error(c.from.span(), m))?,
                    is: c.is,
                    span,
                })
            })
            .transpose()?;
        let unit = self.opt("unit", raw.unit)?;
        if let Some(u) = &unit {
            self.check_choices(u, &["count", "percent", "days"])?;
        }
        let direction = self.opt("direction", raw.direction)?;
        if let Some(d) = &direction {
            self.check_choices(d, &["higher_is_better", "lower_is_better"])?;
        }
        Ok(IndicatorSpec {
            code: self.opt("code", raw.code)?,
            description: self.opt("description", raw.description)?,
            method: self.opt("method", raw.method)?,
            kind: self.opt("kind", raw.kind)?,
            unit,
            direction,
            baseline: self.opt("baseline", raw.baseline)?,
            baseline_note: self.opt("baseline_note", raw.baseline_note)?,
            no_quantitative_target,
            targets,
        })
    }

    /// A field whose values are a closed set: a constant must be one of
    /// them, and so must every value of its `map`.
    fn check_choices(&self, field: &Field, choices: &[&str]) -> Result<(), MappingError> {
        let expected = choices
            .iter()
            .map(|c| format!("{c:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        if let Some(constant) = field.template.as_literal() {
            if field.map.is_none() && !choices.contains(&constant.as_str()) {
                return Err(self.error(
                    field.span.clone(),
                    format!(
                        "`{}`: expected one of {expected}, found {constant:?}",
                        field.name
                    ),
                ));
            }
        }
        for (k, v) in field.map.iter().flatten() {
            if !choices.contains(&v.as_str()) {
                return Err(self.error(
                    field.span.clone(),
                    format!(
                        "`{}.map.{k:?}`: expected one of {expected}, found {v:?}",
                        field.name
                    ),
                ));
            }
        }
        if let Some(d) = &field.default {
            if !choices.contains(&d.as_str()) {
                return Err(self.error(
                    field.span.clone(),
                    format!(
                        "`{}.default`: expected one of {expected}, found {d:?}",
                        field.name
                    ),
                ));
            }
        }
        Ok(())
    }

    fn rule(&self, raw: RawRule) -> Result<Rule, MappingError> {
        let pattern = self.regex(&raw.pattern)?;
        let make = Make::parse(raw.make.get_ref()).ok_or_else(|| {
            self.error(
                raw.make.span(),
                format!(
                    "expected make = \"objective\", \"indicator\" (or \"result\"), \"target\", \"baseline\", \"phase\" (or \"action\"), \"description\" or \"ignore\", found {:?}",
                    raw.make.get_ref()
                ),
            )
        })?;
        let given = [
            ("code", raw.code),
            ("title", raw.title),
            ("description", raw.description),
            ("year", raw.year),
            ("start_date", raw.start_date),
            ("end_date", raw.end_date),
            ("responsibility_centre", raw.responsibility_centre),
            ("method", raw.method),
            ("kind", raw.kind),
            ("unit", raw.unit),
            ("direction", raw.direction),
            ("value", raw.value),
            ("note", raw.note),
            ("expected_result", raw.expected_result),
            ("weight", raw.weight),
            ("text", raw.text),
        ];
        let groups: Vec<&str> = pattern.capture_names().flatten().collect();
        let mut fields = BTreeMap::new();
        for (name, value) in given {
            let allowed = make.fields();
            let Some(value) = value else { continue };
            let Some(&name) = allowed.iter().find(|f| **f == name) else {
                return Err(self.error(
                    value.span(),
                    format!(
                        "`{name}` is not a field of make = {:?}; its fields are: {}",
                        raw.make.get_ref(),
                        if allowed.is_empty() {
                            "none".to_string()
                        } else {
                            allowed.join(", ")
                        }
                    ),
                ));
            };
            let field = self.field(name, value)?;
            for r in field.template.refs() {
                if r.starts_with('$') {
                    if !matches!(r, "$line" | "$file" | "$objective") {
                        return Err(self.error(
                            field.span.clone(),
                            format!("`{name}` uses {{{r}}}: the values of text rules are {{$line}}, {{$file}} and {{$objective}}"),
                        ));
                    }
                } else if !groups.contains(&r) {
                    return Err(self.error(
                        field.span.clone(),
                        format!(
                            "`{name}` uses {{{r}}}, but the rule's `match` has no group (?P<{r}>…); its groups are: {}",
                            if groups.is_empty() { "none".to_string() } else { groups.join(", ") }
                        ),
                    ));
                }
            }
            fields.insert(name, field);
        }
        // A named group called like a field fills that field.
        for &name in make.fields() {
            if !fields.contains_key(name) && groups.contains(&name) {
                fields.insert(
                    name,
                    Field {
                        name: name.to_string(),
                        template: Template::reference(name),
                        pattern: None,
                        map: None,
                        default: None,
                        at: format!(
                            "{}:{}",
                            self.file,
                            line_column(self.text, raw.pattern.span().start).0
                        ),
                        span: raw.pattern.span(),
                    },
                );
            }
        }
        let required: &[&str] = match make {
            Make::Objective => &["code"],
            Make::Target => &["year", "value"],
            Make::Baseline => &["value"],
            _ => &[],
        };
        for name in required {
            if !fields.contains_key(name) {
                return Err(self.error(
                    raw.pattern.span(),
                    format!(
                        "a rule that makes {:?} needs `{name}`: add a group (?P<{name}>…) to `match` or a key `{name} = \"…\"`",
                        raw.make.get_ref()
                    ),
                ));
            }
        }
        if let Some(unit) = fields.get("unit") {
            self.check_choices(unit, &["count", "percent", "days"])?;
        }
        if let Some(direction) = fields.get("direction") {
            self.check_choices(direction, &["higher_is_better", "lower_is_better"])?;
        }
        Ok(Rule {
            pattern,
            make,
            fields,
        })
    }
}

fn parse_comparator(s: &str) -> Option<crate::model::Comparator> {
    crate::model::Comparator::parse(s)
}
