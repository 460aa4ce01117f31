//! Assembles a [`PlanDocument`] from what the table and text readers find,
//! the same way for both: objectives and indicators are identified by code
//! (a code read again adds to the same object), every object remembers
//! where it was read, and nothing is made up: no phase, weight or target
//! the source does not state.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::spec::Mapping;
use super::values::Value;
use super::{Error, Place};
use crate::model::{
    BudgetLink, Comparator, Direction, Finding, Indicator, Measure, Objective, Phase, PlanDocument,
    PlanInfo, PlanKind, ResponsibilityCentre, SourceLocation, Target, Unit, FORMAT_VERSION,
};
use crate::validate;
use crate::ParseOptions;

/// What a record or line says about an objective.
#[derive(Debug, Default)]
pub struct ObjectiveFields {
    pub title: Option<String>,
    pub description: Option<String>,
    pub year: Option<i32>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub centre: Option<String>,
    pub centre_head: Option<String>,
    pub budget: Option<BudgetLink>,
}

/// What a record or line says about an indicator.
#[derive(Debug, Default)]
pub struct IndicatorFields {
    pub description: Option<String>,
    pub method: Option<String>,
    pub kind: Option<String>,
    pub unit: Option<Unit>,
    pub direction: Option<Direction>,
}

#[derive(Debug, Default)]
pub struct PhaseFields {
    pub code: Option<String>,
    pub description: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub expected_result: String,
    pub weight: Option<rust_decimal::Decimal>,
}

struct IndicatorState {
    unit_declared: bool,
    direction_declared: bool,
    target_at: HashMap<i32, Place>,
}

struct ObjectiveState {
    year_declared: bool,
    indicators: HashMap<String, usize>,
    state: Vec<IndicatorState>,
    phases: HashMap<String, Place>,
}

pub struct Builder<'m> {
    mapping: &'m Mapping,
    file: String,
    objectives: Vec<Objective>,
    index: HashMap<String, usize>,
    state: Vec<ObjectiveState>,
    sources: Vec<SourceLocation>,
    findings: Vec<Finding>,
    /// Lines of findings the readers know (entity, entity code) → line.
    lines: HashMap<(String, String), u32>,
    notes: Vec<String>,
}

impl<'m> Builder<'m> {
    pub fn new(mapping: &'m Mapping, file: &str) -> Builder<'m> {
        Builder {
            mapping,
            file: file.to_string(),
            objectives: Vec::new(),
            index: HashMap::new(),
            state: Vec::new(),
            sources: Vec::new(),
            findings: Vec::new(),
            lines: HashMap::new(),
            notes: mapping.plan.notes.clone(),
        }
    }

    pub fn objective_code(&self, o: usize) -> &str {
        &self.objectives[o].code
    }

    fn locate(&mut self, entity: &str, code: String, at: &Place) {
        if let Some(line) = at.line {
            self.lines
                .entry((entity.to_string(), code.clone()))
                .or_insert(line);
        }
        self.sources.push(SourceLocation {
            entity: entity.to_string(),
            entity_code: code,
            file: at.file.clone(),
            line: at.line,
            sheet: at.sheet.clone(),
            cell: at.cell.clone(),
        });
    }

    /// A value read again for an object that already has a different one:
    /// the first is kept and the difference becomes a finding.
    fn conflict(
        &mut self,
        entity: &str,
        code: &str,
        field: &str,
        kept: &str,
        other: &str,
        at: &Place,
    ) {
        self.findings.push(Finding {
            code: "conflicting_value".to_string(),
            entity: entity.to_string(),
            entity_code: code.to_string(),
            message: format!(
                "{at}: the {entity} {code} is read again with {field} {other:?}; the first value {kept:?} is kept"
            ),
            line: at.line,
            severity: crate::model::Severity::Warning,
        });
    }

    /// The objective `code`, created at `at` or (when read before) updated.
    pub fn objective(&mut self, code: String, f: ObjectiveFields, at: &Place) -> usize {
        if let Some(&o) = self.index.get(&code) {
            let mut conflicts = Vec::new();
            {
                let obj = &mut self.objectives[o];
                merge_text(&mut obj.title, f.title, "title", &mut conflicts);
                merge_text(
                    &mut obj.description,
                    f.description,
                    "description",
                    &mut conflicts,
                );
                merge_text(
                    &mut obj.responsibility_centre.name,
                    f.centre,
                    "responsibility centre",
                    &mut conflicts,
                );
                merge_opt(
                    &mut obj.start_date,
                    f.start_date,
                    "start date",
                    &mut conflicts,
                );
                merge_opt(&mut obj.end_date, f.end_date, "end date", &mut conflicts);
                if let Some(head) = f.centre_head {
                    if obj.responsibility_centre.head.is_none() {
                        obj.responsibility_centre.head = Some(head);
                    }
                }
                if let Some(b) = f.budget {
                    if !obj.budget.contains(&b) {
                        obj.budget.push(b);
                    }
                }
            }
            if let Some(year) = f.year {
                if !self.state[o].year_declared {
                    self.objectives[o].year = year;
                    self.state[o].year_declared = true;
                } else if self.objectives[o].year != year {
                    conflicts.push((
                        "year",
                        self.objectives[o].year.to_string(),
                        year.to_string(),
                    ));
                }
            }
            for (field, kept, other) in conflicts {
                self.conflict("objective", &code, field, &kept, &other, at);
            }
            return o;
        }
        let o = self.objectives.len();
        self.objectives.push(Objective {
            code: code.clone(),
            year: f.year.unwrap_or(0),
            title: f.title.unwrap_or_default(),
            description: f.description.unwrap_or_default(),
            responsibility_centre: ResponsibilityCentre {
                name: f.centre.unwrap_or_default(),
                head: f.centre_head,
            },
            offices: Vec::new(),
            offices_text: String::new(),
            strategic_objectives: Vec::new(),
            annual_objectives: Vec::new(),
            strategic_objectives_text: String::new(),
            annual_objectives_text: String::new(),
            other_offices: String::new(),
            external_bodies: String::new(),
            start_date: f.start_date,
            end_date: f.end_date,
            max_score: None,
            budget: f.budget.into_iter().collect(),
            indicators: Vec::new(),
            phases: Vec::new(),
            amended_fields: Vec::new(),
            notes: Vec::new(),
        });
        self.state.push(ObjectiveState {
            year_declared: f.year.is_some(),
            indicators: HashMap::new(),
            state: Vec::new(),
            phases: HashMap::new(),
        });
        self.index.insert(code.clone(), o);
        self.locate("objective", code, at);
        o
    }

    /// The indicator `code` of objective `o` (the next number when the
    /// source gives no code), created or updated.
    pub fn indicator(
        &mut self,
        o: usize,
        code: Option<String>,
        f: IndicatorFields,
        at: &Place,
    ) -> usize {
        let code = code.unwrap_or_else(|| (self.objectives[o].indicators.len() + 1).to_string());
        let path = format!("{}/{code}", self.objectives[o].code);
        if let Some(&i) = self.state[o].indicators.get(&code) {
            let mut conflicts = Vec::new();
            let ind = &mut self.objectives[o].indicators[i];
            merge_text(
                &mut ind.description,
                f.description,
                "description",
                &mut conflicts,
            );
            merge_text(&mut ind.method, f.method, "method", &mut conflicts);
            merge_text(&mut ind.kind, f.kind, "kind", &mut conflicts);
            if let Some(unit) = f.unit {
                if !self.state[o].state[i].unit_declared {
                    ind.unit = unit;
                    self.state[o].state[i].unit_declared = true;
                } else if ind.unit != unit {
                    conflicts.push(("unit", ind.unit.as_str().into(), unit.as_str().into()));
                }
            }
            for (field, kept, other) in conflicts {
                self.conflict("indicator", &path, field, &kept, &other, at);
            }
            return i;
        }
        let i = self.objectives[o].indicators.len();
        self.objectives[o].indicators.push(Indicator {
            code: code.clone(),
            description: f.description.unwrap_or_default(),
            method: f.method.unwrap_or_default(),
            kind: f.kind.unwrap_or_default(),
            unit: f.unit.unwrap_or(Unit::Count),
            direction: f.direction.unwrap_or(Direction::HigherIsBetter),
            baseline: None,
            targets: Vec::new(),
            calculator: None,
            amended_fields: Vec::new(),
        });
        self.state[o].indicators.insert(code, i);
        self.state[o].state.push(IndicatorState {
            unit_declared: f.unit.is_some(),
            direction_declared: f.direction.is_some(),
            target_at: HashMap::new(),
        });
        self.locate("indicator", path, at);
        i
    }

    /// The target of `year`. A placeholder or an empty value makes none.
    pub fn target(
        &mut self,
        o: usize,
        i: usize,
        year: i32,
        value: Value,
        note: Option<String>,
        at: &Place,
    ) -> Result<(), Error> {
        let Value::Measure(measure) = value else {
            return Ok(());
        };
        let path = format!(
            "{}/{}",
            self.objectives[o].code, self.objectives[o].indicators[i].code
        );
        if let Some(first) = self.state[o].state[i].target_at.get(&year) {
            return Err(Error::BadValue {
                at: at.clone(),
                expected: format!(
                    "one target per year for indicator {path}, but {year} already has one (at {first})"
                ),
                found: measure.raw,
            });
        }
        self.state[o].state[i].target_at.insert(year, at.clone());
        self.objectives[o].indicators[i].targets.push(Target {
            year,
            value: with_note(measure, note),
            amended: false,
        });
        self.locate("target", format!("{path}/{year}"), at);
        Ok(())
    }

    pub fn baseline(
        &mut self,
        o: usize,
        i: usize,
        value: Value,
        note: Option<String>,
        at: &Place,
    ) -> Result<(), Error> {
        let Value::Measure(measure) = value else {
            return Ok(());
        };
        let objective_code = self.objectives[o].code.clone();
        let ind = &mut self.objectives[o].indicators[i];
        let measure = with_note(measure, note);
        match &ind.baseline {
            Some(existing) if existing.raw != measure.raw => {
                let path = format!("{objective_code}/{}", ind.code);
                let kept = existing.raw.clone();
                self.conflict("indicator", &path, "baseline", &kept, &measure.raw, at);
            }
            Some(_) => {}
            None => ind.baseline = Some(measure),
        }
        Ok(())
    }

    pub fn phase(&mut self, o: usize, f: PhaseFields, at: &Place) -> Result<(), Error> {
        let obj = &mut self.objectives[o];
        let code = f
            .code
            .unwrap_or_else(|| format!("{}.{}", obj.code, obj.phases.len() + 1));
        if let Some(first) = self.state[o].phases.get(&code) {
            return Err(Error::BadValue {
                at: at.clone(),
                expected: format!(
                    "a unique phase code within objective {}, but {code} is already at {first}",
                    obj.code
                ),
                found: code.clone(),
            });
        }
        obj.phases.push(Phase {
            code: code.clone(),
            description: f.description,
            start_date: f.start_date,
            end_date: f.end_date,
            expected_result: f.expected_result,
            weight: f.weight,
            amended_fields: Vec::new(),
        });
        self.state[o].phases.insert(code.clone(), at.clone());
        self.locate("phase", code, at);
        Ok(())
    }

    /// Text that describes the current indicator, objective, or the plan.
    pub fn describe(&mut self, o: Option<usize>, i: Option<usize>, text: &str) {
        let target = match (o, i) {
            (Some(o), Some(i)) => &mut self.objectives[o].indicators[i].description,
            (Some(o), None) => &mut self.objectives[o].description,
            _ => {
                self.notes.push(text.to_string());
                return;
            }
        };
        if !target.is_empty() {
            target.push('\n');
        }
        target.push_str(text);
    }

    /// The document, with the plan's years from the mapping or from the
    /// years the source states, and the content findings of
    /// [`validate::findings`].
    pub fn finish(mut self, options: &ParseOptions) -> Result<PlanDocument, Error> {
        for (o, obj) in self.objectives.iter_mut().enumerate() {
            for (i, ind) in obj.indicators.iter_mut().enumerate() {
                let st = &self.state[o].state[i];
                if !st.unit_declared {
                    // The unit the values are written in; a count otherwise.
                    ind.unit = ind
                        .targets
                        .iter()
                        .map(|t| &t.value)
                        .chain(ind.baseline.as_ref())
                        .find_map(|m| m.unit)
                        .unwrap_or(Unit::Count);
                }
                if !st.direction_declared {
                    let comparators: Vec<Comparator> = ind
                        .targets
                        .iter()
                        .filter_map(|t| t.value.comparator)
                        .collect();
                    // `<= 10` targets (and none `>=`), or, without
                    // comparators, a target below the baseline (1.500
                    // arretrati → 0) mean that lower is better.
                    let has_lower = comparators
                        .iter()
                        .any(|c| matches!(c, Comparator::Le | Comparator::Lt));
                    let has_higher = comparators
                        .iter()
                        .any(|c| matches!(c, Comparator::Ge | Comparator::Gt));
                    let below_baseline = match (
                        ind.baseline.as_ref().and_then(|b| b.number),
                        ind.targets.first().and_then(|t| t.value.number),
                    ) {
                        (Some(b), Some(t)) => t < b,
                        _ => false,
                    };
                    let lower = !has_higher && (has_lower || below_baseline);
                    ind.direction = if lower {
                        Direction::LowerIsBetter
                    } else {
                        Direction::HigherIsBetter
                    };
                }
            }
        }

        // The plan's years: declared, or the span of the years read.
        let mut years: Vec<i32> = Vec::new();
        for (o, obj) in self.objectives.iter().enumerate() {
            if self.state[o].year_declared {
                years.push(obj.year);
            }
            years.extend(
                obj.start_date
                    .iter()
                    .chain(&obj.end_date)
                    .map(|d| super::values::year_of(*d)),
            );
            for ind in &obj.indicators {
                years.extend(ind.targets.iter().map(|t| t.year));
            }
            for p in &obj.phases {
                years.extend(
                    p.start_date
                        .iter()
                        .chain(&p.end_date)
                        .map(|d| super::values::year_of(*d)),
                );
            }
        }
        let plan = &self.mapping.plan;
        let first_year = plan.first_year.or(years.iter().copied().min());
        let last_year = plan.last_year.or(years.iter().copied().max());
        let (Some(first_year), Some(last_year)) = (first_year, last_year) else {
            return Err(Error::File {
                file: self.file.clone(),
                message: "the source states no year: declare first_year and last_year in the mapping's [plan]".to_string(),
            });
        };
        let (first_year, last_year) = (first_year.min(last_year), last_year.max(first_year));

        // An objective without a year of its own takes the year of its
        // deadline, of its first target, or the plan's first year.
        for (o, obj) in self.objectives.iter_mut().enumerate() {
            if !self.state[o].year_declared {
                obj.year = obj
                    .end_date
                    .map(super::values::year_of)
                    .or(obj
                        .indicators
                        .iter()
                        .flat_map(|i| i.targets.iter().map(|t| t.year))
                        .min())
                    .unwrap_or(first_year);
            }
        }

        // The storage wants a responsibility centre per objective: one the
        // source names, or the administration the mapping (or the user)
        // declares for the whole plan.
        let administration = options
            .administration
            .clone()
            .or_else(|| plan.administration.clone());
        for obj in &mut self.objectives {
            if obj.responsibility_centre.name.trim().is_empty() {
                match &administration {
                    Some(a) if !a.trim().is_empty() => obj.responsibility_centre.name = a.clone(),
                    _ => {
                        let at = self
                            .sources
                            .iter()
                            .find(|s| s.entity == "objective" && s.entity_code == obj.code)
                            .map(|s| Place {
                                file: s.file.clone(),
                                line: s.line,
                                sheet: s.sheet.clone(),
                                cell: s.cell.clone(),
                            })
                            .unwrap_or_else(|| Place {
                                file: self.file.clone(),
                                line: None,
                                sheet: None,
                                cell: None,
                            });
                        return Err(Error::BadValue {
                            at,
                            expected: "a responsibility centre for the objective: map `responsibility_centre`, or declare [plan] administration (or pass --administration), which then stands for it".to_string(),
                            found: obj.code.clone(),
                        });
                    }
                }
            }
        }

        let stem = std::path::Path::new(&self.file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.file.clone());
        let render = |t: &super::template::Template| {
            t.render(|r| (r == "$file").then_some(stem.as_str()))
                .trim()
                .to_string()
        };
        let code = options
            .plan_code
            .clone()
            .or_else(|| plan.code.as_ref().map(render))
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| stem.clone());
        let title = options
            .title
            .clone()
            .or_else(|| plan.title.as_ref().map(render))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| stem.clone());
        let mut doc = PlanDocument {
            format: FORMAT_VERSION.to_string(),
            plan: PlanInfo {
                code,
                kind: plan.kind.unwrap_or(PlanKind::AnnualObjectives),
                administration,
                title,
                first_year,
                last_year,
                notes: self.notes,
            },
            objectives: self.objectives,
            areas: Vec::new(),
            measurements: Vec::new(),
            findings: Vec::new(),
            sources: self.sources,
        };
        let mut findings = validate::findings(&doc);
        for f in &mut findings {
            // A target's path is indicator/year; its indicator has the line.
            let key = (f.entity.clone(), f.entity_code.clone());
            f.line = self.lines.get(&key).copied().or_else(|| {
                let (parent, _) = f.entity_code.rsplit_once('/')?;
                self.lines
                    .get(&("indicator".to_string(), parent.to_string()))
                    .copied()
            });
        }
        findings.append(&mut self.findings);
        doc.findings = findings;
        Ok(doc)
    }
}

fn with_note(mut m: Measure, note: Option<String>) -> Measure {
    if let Some(note) = note.filter(|n| !n.is_empty()) {
        m.note = Some(match m.note {
            Some(existing) => format!("{note}; {existing}"),
            None => note,
        });
    }
    m
}

fn merge_text(
    kept: &mut String,
    new: Option<String>,
    field: &'static str,
    conflicts: &mut Vec<(&'static str, String, String)>,
) {
    let Some(new) = new.filter(|n| !n.is_empty()) else {
        return;
    };
    if kept.is_empty() {
        *kept = new;
    } else if *kept != new {
        conflicts.push((field, kept.clone(), new));
    }
}

fn merge_opt<T: PartialEq + Copy + ToString>(
    kept: &mut Option<T>,
    new: Option<T>,
    field: &'static str,
    conflicts: &mut Vec<(&'static str, String, String)>,
) {
    match (kept.as_ref(), new) {
        (_, None) => {}
        (None, Some(n)) => *kept = Some(n),
        (Some(k), Some(n)) if *k != n => conflicts.push((field, k.to_string(), n.to_string())),
        _ => {}
    }
}
