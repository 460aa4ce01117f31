//! Content checks that a real, published plan may fail (weights not summing
//! to 100, a target without a number, dates in the wrong order): they become
//! [`Finding`]s that travel with the plan, and errors only in strict mode.
//!
//! Structural problems (a row the parser cannot read, duplicate codes) are
//! not findings: the parser refuses those, because nothing sensible could be
//! stored.

use rust_decimal::Decimal;

use crate::error::ImportError;
use crate::model::{Finding, Objective, PlanDocument, Severity};

/// Every content problem of `doc`, in document order. Findings have no line
/// here: the text parser fills lines in from where it read each object.
pub fn findings(doc: &PlanDocument) -> Vec<Finding> {
    let mut out = Vec::new();
    for objective in &doc.objectives {
        check_objective(objective, &mut out);
    }
    check_centre_heads(doc, &mut out);
    for area in &doc.areas {
        for ambito in &area.ambiti {
            if ambito.objective.trim().is_empty() {
                out.push(finding(
                    "ambito_without_objective",
                    "ambito",
                    &ambito.name,
                    format!(
                        "the ambito {:?} states no three-year objective",
                        ambito.name
                    ),
                ));
            }
        }
    }
    out
}

/// Refuses a document that has findings: the ones it carries (from the
/// parser, or stored in its JSON form) and any the checks above find now.
pub fn strict(file: &str, doc: &PlanDocument) -> Result<(), ImportError> {
    let mut all = doc.findings.clone();
    for f in findings(doc) {
        let known = all
            .iter()
            .any(|g| g.code == f.code && g.entity == f.entity && g.entity_code == f.entity_code);
        if !known {
            all.push(f);
        }
    }
    if all.is_empty() {
        Ok(())
    } else {
        Err(ImportError::Strict {
            file: file.to_string(),
            findings: all,
        })
    }
}

fn check_objective(objective: &Objective, out: &mut Vec<Finding>) {
    // Dates in the wrong order and weights outside 0-100 % are not
    // findings: no stored plan can hold them, so [`problem`] refuses them.
    let code = &objective.code;

    for indicator in &objective.indicators {
        for target in &indicator.targets {
            if target.value.number.is_none() {
                let path = format!("{code}/{}/{}", indicator.code, target.year);
                out.push(finding(
                    "target_without_number",
                    "target",
                    &path,
                    format!(
                        "the {} target of indicator {code}/{} has no number: {:?}",
                        target.year, indicator.code, target.value.raw
                    ),
                ));
            }
        }
    }

    let hundred = Decimal::from(100);
    for phase in &objective.phases {
        let pcode = &phase.code;
        if phase.weight.is_none() {
            out.push(finding(
                "phase_without_weight",
                "phase",
                pcode,
                format!("the phase {pcode} states no weight"),
            ));
        }
    }

    if !objective.phases.is_empty() {
        let sum = objective.phase_weight_sum();
        if sum != hundred {
            out.push(finding(
                "phase_weights_not_100",
                "objective",
                code,
                format!(
                    "the phase weights of objective {code} sum to {}%, not 100%",
                    sum.normalize()
                ),
            ));
        }
    }
}

/// A responsibility centre is one per name in a plan, with one head: two
/// objectives naming the same centre with different heads would keep only
/// one of them, so the difference is a finding (an error in strict mode),
/// never a silent loss.
fn check_centre_heads(doc: &PlanDocument, out: &mut Vec<Finding>) {
    let mut heads: std::collections::HashMap<&str, (&str, &str)> = Default::default();
    for objective in &doc.objectives {
        let centre = &objective.responsibility_centre;
        let Some(head) = centre.head.as_deref().filter(|h| !h.trim().is_empty()) else {
            continue;
        };
        match heads.get(centre.name.as_str()) {
            None => {
                heads.insert(&centre.name, (head, &objective.code));
            }
            Some((first, first_objective)) if *first != head => out.push(finding(
                "conflicting_centre_head",
                "objective",
                &objective.code,
                format!(
                    "objective {} names {head:?} as head of the responsibility centre {:?}, \
                     which objective {first_objective} gives as {first:?}: a centre has one \
                     head, so only {first:?} would be kept (map the person to the objective's \
                     description, or give each centre one head)",
                    objective.code, centre.name
                ),
            )),
            Some(_) => {}
        }
    }
}

pub(crate) fn finding(code: &str, entity: &str, entity_code: &str, message: String) -> Finding {
    Finding {
        code: code.to_string(),
        entity: entity.to_string(),
        entity_code: entity_code.to_string(),
        message,
        line: None,
        severity: Severity::Warning,
    }
}

/// A rule every stored plan keeps, broken by a document: `entity` and
/// `entity_code` locate the object (the text reader turns them into a
/// line), `message` says what is wrong in the document's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub entity: &'static str,
    pub entity_code: String,
    pub message: String,
}

/// Refuses a document that could not be stored as it is (see [`problem`]),
/// before anything is written.
pub fn storable(file: &str, doc: &PlanDocument) -> Result<(), ImportError> {
    match problem(doc) {
        None => Ok(()),
        Some(p) => Err(ImportError::Unstorable {
            file: file.to_string(),
            line: None,
            message: p.message,
        }),
    }
}

/// The first rule of the stored model that `doc` breaks, in document
/// order: empty codes and names, codes used twice, two targets of one
/// indicator for one year, dates in the wrong order, weights and scores out
/// of range, two results of one ambito for one year. The database enforces
/// the same rules; checking them here names the object (and, for text, its
/// line) instead of a constraint.
pub fn problem(doc: &PlanDocument) -> Option<Problem> {
    let p = |entity: &'static str, code: &str, message: String| {
        Some(Problem {
            entity,
            entity_code: code.to_string(),
            message,
        })
    };
    let plan = &doc.plan;
    if plan.code.trim().is_empty() {
        return p("plan", "", "the plan has an empty code".into());
    }
    if plan.first_year > plan.last_year {
        return p(
            "plan",
            &plan.code,
            format!(
                "the plan's first year {} is after its last year {}",
                plan.first_year, plan.last_year
            ),
        );
    }
    let mut objectives = std::collections::HashSet::new();
    for o in &doc.objectives {
        let code = &o.code;
        if code.trim().is_empty() {
            return p("objective", code, "an objective has an empty code".into());
        }
        if !objectives.insert(code.as_str()) {
            return p(
                "objective",
                code,
                format!("objective {code} appears twice in the plan"),
            );
        }
        if o.responsibility_centre.name.trim().is_empty() {
            return p(
                "objective",
                code,
                format!("objective {code} names no responsibility centre (CDR)"),
            );
        }
        if o.offices.iter().any(|office| office.trim().is_empty()) {
            return p(
                "objective",
                code,
                format!("objective {code} lists an office without a name"),
            );
        }
        for link in o.strategic_objectives.iter().chain(&o.annual_objectives) {
            if link.code.trim().is_empty() {
                return p(
                    "objective",
                    code,
                    format!("objective {code} links an objective without a code"),
                );
            }
        }
        for b in &o.budget {
            if b.mission_code.trim().is_empty()
                || b.program_code.trim().is_empty()
                || b.action.trim().is_empty()
            {
                return p(
                    "objective",
                    code,
                    format!(
                        "objective {code} has a budget row without a mission code, program code or action"
                    ),
                );
            }
        }
        if let (Some(start), Some(end)) = (o.start_date, o.end_date) {
            if start > end {
                return p(
                    "objective",
                    code,
                    format!("objective {code} starts on {start} after it ends on {end}"),
                );
            }
        }
        if let Some(score) = o.max_score {
            if score.out_of <= 0 || score.points < 0 || score.points > score.out_of {
                return p(
                    "objective",
                    code,
                    format!(
                        "objective {code} has a maximum score of {}/{}: expected points between 0 and a positive total",
                        score.points, score.out_of
                    ),
                );
            }
        }
        let mut indicators = std::collections::HashSet::new();
        for i in &o.indicators {
            let path = format!("{code}/{}", i.code);
            if i.code.trim().is_empty() {
                return p(
                    "objective",
                    code,
                    format!("an indicator of objective {code} has an empty code"),
                );
            }
            if !indicators.insert(i.code.as_str()) {
                return p(
                    "indicator",
                    &path,
                    format!("indicator {} appears twice in objective {code}", i.code),
                );
            }
            let mut years = std::collections::HashSet::new();
            for t in &i.targets {
                if !years.insert(t.year) {
                    return p(
                        "indicator",
                        &path,
                        format!(
                            "indicator {} of objective {code} has two targets for {}",
                            i.code, t.year
                        ),
                    );
                }
            }
        }
        let mut phases = std::collections::HashSet::new();
        for ph in &o.phases {
            let pcode = &ph.code;
            if pcode.trim().is_empty() {
                return p(
                    "objective",
                    code,
                    format!("a phase of objective {code} has an empty code"),
                );
            }
            if !phases.insert(pcode.as_str()) {
                return p(
                    "phase",
                    pcode,
                    format!("phase {pcode} appears twice in objective {code}"),
                );
            }
            if let (Some(start), Some(end)) = (ph.start_date, ph.end_date) {
                if start > end {
                    return p(
                        "phase",
                        pcode,
                        format!("phase {pcode} starts on {start} after it ends on {end}"),
                    );
                }
            }
            if let Some(w) = ph.weight {
                if w < Decimal::ZERO || w > Decimal::from(100) {
                    return p(
                        "phase",
                        pcode,
                        format!("phase {pcode} weighs {w}%: expected a weight between 0 and 100%"),
                    );
                }
            }
        }
    }
    for area in &doc.areas {
        for ambito in &area.ambiti {
            let mut results = std::collections::HashSet::new();
            for r in &ambito.results {
                if !results.insert((r.year, r.kind)) {
                    return p(
                        "ambito",
                        &ambito.name,
                        format!(
                            "the ambito {:?} has two {} results for {}",
                            ambito.name,
                            r.kind.as_str(),
                            r.year
                        ),
                    );
                }
            }
        }
    }
    let mut periods = std::collections::HashSet::new();
    for m in &doc.measurements {
        if !periods.insert((&m.objective, &m.indicator, &m.period)) {
            return p(
                "indicator",
                &format!("{}/{}", m.objective, m.indicator),
                format!(
                    "indicator {} of objective {} has two measured values for {}",
                    m.indicator, m.objective, m.period
                ),
            );
        }
    }
    None
}
