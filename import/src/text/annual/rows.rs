//! Indicators and phases from their table rows, with the guesses of an
//! indicator's unit, direction and calculator from its wording (the only
//! calculator guesser: a binding is guessed only where the wording leaves
//! no doubt).

use super::*;

pub(super) fn build_indicator(row: &Row, years: &[i32]) -> Indicator {
    let cells = &row.cells;
    let mut amended = Vec::new();
    for (i, name) in ["code", "description", "method", "kind", "baseline"]
        .iter()
        .enumerate()
    {
        if has_amendment(&cells[i]) {
            amended.push((*name).to_string());
        }
    }
    let baseline_text = strip_italic(&cells[4]);
    let baseline = (!baseline_text.is_empty()).then(|| parse_measure(&baseline_text));
    let targets: Vec<Target> = years
        .iter()
        .zip(&cells[5..])
        .map(|(year, cell)| Target {
            year: *year,
            value: parse_measure(&strip_italic(cell)),
            amended: has_amendment(cell),
        })
        .collect();

    let description = &cells[1];
    let method = &cells[2];
    let measures: Vec<&Measure> = baseline
        .iter()
        .chain(targets.iter().map(|t| &t.value))
        .collect();
    let unit = guess_unit(description, method, &measures);
    let direction = guess_direction(description, method, &targets);
    let calculator = guess_calculator(description, method, unit);

    Indicator {
        code: strip_italic(&cells[0]),
        description: description.clone(),
        method: method.clone(),
        kind: cells[3].clone(),
        unit,
        direction,
        baseline,
        targets,
        calculator,
        amended_fields: amended,
    }
}

pub(super) fn mentions_payment_timeliness(description: &str, method: &str) -> bool {
    let needle = "tempestività dei pagamenti";
    description.to_lowercase().contains(needle) || method.to_lowercase().contains(needle)
}

/// Days for payment timeliness or a measure in days; percent for a `%` or a
/// method that is a percentage or a ratio; a count otherwise.
pub(super) fn guess_unit(description: &str, method: &str, measures: &[&Measure]) -> Unit {
    if mentions_payment_timeliness(description, method)
        || measures.iter().any(|m| m.unit == Some(Unit::Days))
    {
        return Unit::Days;
    }
    let method = strip_italic(method).to_lowercase();
    if measures.iter().any(|m| m.unit == Some(Unit::Percent))
        || method.starts_with("percentuale")
        || method.starts_with("rapporto")
        || method.contains(" / ")
    {
        return Unit::Percent;
    }
    Unit::Count
}

pub(super) fn guess_direction(description: &str, method: &str, targets: &[Target]) -> Direction {
    let capped = targets
        .iter()
        .any(|t| matches!(t.value.comparator, Some(Comparator::Le | Comparator::Lt)));
    if capped || mentions_payment_timeliness(description, method) {
        Direction::LowerIsBetter
    } else {
        Direction::HigherIsBetter
    }
}

/// A calculator only where the wording leaves no doubt, and only when it
/// agrees with the unit (a `Numero di …` method with `78%` targets is left
/// for a person to bind).
pub(super) fn guess_calculator(
    description: &str,
    method: &str,
    unit: Unit,
) -> Option<CalculatorBinding> {
    let m = strip_italic(method).to_lowercase();
    let (calculator, natural_unit) = if mentions_payment_timeliness(description, method) {
        ("payment_timeliness", Unit::Days)
    } else if m.starts_with("percentuale") || m.starts_with("rapporto tra") || m.contains(" / ") {
        ("ratio_percent", Unit::Percent)
    } else if m.starts_with("numero di") {
        ("count", Unit::Count)
    } else if m.starts_with("somma") {
        ("sum", Unit::Count)
    } else {
        return None;
    };
    (natural_unit == unit).then(|| CalculatorBinding {
        calculator: calculator.to_string(),
        params: json!({}),
        guessed: true,
    })
}

pub(super) fn build_phase(file: &str, row: &Row) -> Result<Phase, ImportError> {
    let cells = &row.cells;
    let code = strip_italic(&cells[0]);
    let mut amended = Vec::new();
    for (i, name) in Phase::FIELDS.iter().enumerate() {
        if has_amendment(&cells[i]) {
            amended.push((*name).to_string());
        }
    }
    let date = |i: usize, column: &str| {
        parse_date(&strip_italic(&cells[i])).map_err(|()| ImportError::BadDate {
            file: file.to_string(),
            line: row.line,
            field: format!("the {column} column of phase {code}"),
            value: cells[i].clone(),
        })
    };
    let start_date = date(2, "Inizio")?;
    let end_date = date(3, "Termine")?;
    let weight_text = strip_italic(&cells[5]);
    let weight = if weight_text.is_empty() {
        None
    } else {
        Some(parse_percent(&weight_text).ok_or_else(|| {
            bad_value(
                file,
                row.line,
                format!("a weight such as 8% in the Peso % column of phase {code}"),
                &cells[5],
            )
        })?)
    };
    Ok(Phase {
        code,
        description: cells[1].clone(),
        start_date,
        end_date,
        expected_result: cells[4].clone(),
        weight,
        amended_fields: amended,
    })
}
