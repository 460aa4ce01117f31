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
    let code = &objective.code;
    if let (Some(start), Some(end)) = (objective.start_date, objective.end_date) {
        if start > end {
            out.push(finding(
                "start_after_end",
                "objective",
                code,
                format!("the objective {code} starts on {start} after it ends on {end}"),
            ));
        }
    }

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
        if let (Some(start), Some(end)) = (phase.start_date, phase.end_date) {
            if start > end {
                out.push(finding(
                    "start_after_end",
                    "phase",
                    pcode,
                    format!("the phase {pcode} starts on {start} after it ends on {end}"),
                ));
            }
        }
        match phase.weight {
            Some(w) if w < Decimal::ZERO || w > hundred => out.push(finding(
                "weight_out_of_range",
                "phase",
                pcode,
                format!("the phase {pcode} weighs {w}%, outside 0 to 100"),
            )),
            None => out.push(finding(
                "phase_without_weight",
                "phase",
                pcode,
                format!("the phase {pcode} states no weight"),
            )),
            _ => {}
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
