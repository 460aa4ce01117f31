//! Reading free-text baselines and targets (`<=10`, `30gg`, `12,5%`,
//! `1200 (con presenza di …)`) into a comparator, a number, a unit and a
//! note, without ever losing the text as published.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::model::{Comparator, Measure, Unit};

/// Reads a baseline or target cell. Never fails: a cell without a number
/// keeps its text in `raw` and has `number: None`, which the validator
/// reports for targets.
///
/// Only two places are read for the number, because plans mention years and
/// counts in their prose (`… per l'anno 2019: 78%`): the start of the text,
/// or the end of the text after its last colon.
pub fn parse_measure(raw: &str) -> Measure {
    let raw = raw.trim();
    let empty = Measure {
        raw: raw.to_string(),
        comparator: None,
        number: None,
        unit: None,
        note: None,
    };

    let (comparator, rest) = split_comparator(raw);
    if let Some(quantity) = leading_quantity(rest) {
        return Measure {
            comparator: Some(comparator.unwrap_or(Comparator::Eq)),
            number: Some(quantity.number),
            unit: quantity.unit,
            note: note_from_tail(quantity.tail),
            ..empty
        };
    }

    // `Percentuale delle associazioni … per l'anno 2019: 78%`: the value is
    // what follows the last colon, the words before it describe it.
    if let Some((before, after)) = raw.rsplit_once(':') {
        let (comparator, rest) = split_comparator(after.trim());
        if let Some(quantity) = leading_quantity(rest) {
            if quantity.tail.trim().is_empty() {
                let note = before.trim();
                return Measure {
                    comparator: Some(comparator.unwrap_or(Comparator::Eq)),
                    number: Some(quantity.number),
                    unit: quantity.unit,
                    note: (!note.is_empty()).then(|| note.to_string()),
                    ..empty
                };
            }
        }
    }

    empty
}

/// Reads a number written the Italian way (`12,5`, `1.200`) or the
/// English way (`12.5`), with an optional sign. Returns `None` for anything
/// else, including trailing text.
pub fn parse_number(text: &str) -> Option<Decimal> {
    let quantity = leading_quantity(text.trim())?;
    (quantity.unit.is_none() && quantity.tail.trim().is_empty()).then_some(quantity.number)
}

/// Reads a percentage such as `8%`, `8 %`, `12,5%` or a bare `8`.
pub fn parse_percent(text: &str) -> Option<Decimal> {
    let quantity = leading_quantity(text.trim())?;
    let unit_ok = matches!(quantity.unit, None | Some(Unit::Percent));
    (unit_ok && quantity.tail.trim().is_empty()).then_some(quantity.number)
}

fn split_comparator(text: &str) -> (Option<Comparator>, &str) {
    // Longest spellings first, so that `<=` is not read as `<`.
    const SPELLINGS: [(&str, Comparator); 7] = [
        ("<=", Comparator::Le),
        (">=", Comparator::Ge),
        ("≤", Comparator::Le),
        ("≥", Comparator::Ge),
        ("<", Comparator::Lt),
        (">", Comparator::Gt),
        ("=", Comparator::Eq),
    ];
    for (spelling, comparator) in SPELLINGS {
        if let Some(rest) = text.strip_prefix(spelling) {
            return (Some(comparator), rest.trim_start());
        }
    }
    (None, text)
}

struct Quantity<'a> {
    number: Decimal,
    unit: Option<Unit>,
    tail: &'a str,
}

/// The number at the very start of `text`, its unit if one follows, and
/// whatever text is left.
fn leading_quantity(text: &str) -> Option<Quantity<'_>> {
    let (negative, body) = match text.chars().next() {
        Some('-') | Some('−') => (true, &text[text.chars().next()?.len_utf8()..]),
        Some('+') => (false, &text[1..]),
        _ => (false, text),
    };
    if !body.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(body.len());
    // A sentence may end right after the number: `30.` or `30, …`.
    while body[..end].ends_with(['.', ',']) {
        end -= 1;
    }
    let mut number = Decimal::from_str(&normalise_digits(&body[..end])).ok()?;
    if negative {
        number.set_sign_negative(true);
    }

    let after = &body[end..];
    let trimmed = after.trim_start();
    if let Some(tail) = trimmed.strip_prefix('%') {
        return Some(Quantity {
            number,
            unit: Some(Unit::Percent),
            tail,
        });
    }
    for word in ["giorni", "giorno", "gg.", "gg", "days"] {
        if let Some(tail) = strip_prefix_ignore_case(trimmed, word) {
            if !tail.starts_with(char::is_alphabetic) {
                return Some(Quantity {
                    number,
                    unit: Some(Unit::Days),
                    tail,
                });
            }
        }
    }
    Some(Quantity {
        number,
        unit: None,
        tail: after,
    })
}

/// `1.200` → `1200`, `12,5` → `12.5`, `1.200,5` → `1200.5`, `12.5` stays.
fn normalise_digits(token: &str) -> String {
    if token.contains(',') {
        return token.replace('.', "").replace(',', ".");
    }
    let mut groups = token.split('.');
    let first = groups.next().unwrap_or_default();
    let rest: Vec<&str> = groups.collect();
    let thousands =
        !rest.is_empty() && (1..=3).contains(&first.len()) && rest.iter().all(|g| g.len() == 3);
    // A single dot followed by three digits is ambiguous (`1.200`); Italian
    // documents write decimals with a comma, so read it as thousands.
    if thousands {
        token.replace('.', "")
    } else {
        token.to_string()
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// `(con presenza di …)` → `con presenza di …`; other text is kept as is.
fn note_from_tail(tail: &str) -> Option<String> {
    let tail = tail.trim();
    let inner = tail
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(tail)
        .trim();
    (!inner.is_empty()).then(|| inner.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn less_or_equal_target_keeps_its_comparator() {
        let m = parse_measure("<=10");
        assert_eq!(m.comparator, Some(Comparator::Le));
        assert_eq!(m.number, Some(dec("10")));
        assert_eq!(m.unit, None);
        assert_eq!(m.raw, "<=10");
    }

    #[test]
    fn days_are_read_from_gg() {
        let m = parse_measure("30gg");
        assert_eq!(m.number, Some(dec("30")));
        assert_eq!(m.unit, Some(Unit::Days));
        assert_eq!(m.comparator, Some(Comparator::Eq));
        assert_eq!(m.note, None);
    }

    #[test]
    fn percent_sign_gives_percent_unit() {
        let m = parse_measure("100%");
        assert_eq!(m.number, Some(dec("100")));
        assert_eq!(m.unit, Some(Unit::Percent));
    }

    #[test]
    fn bare_number_has_no_unit() {
        let m = parse_measure(" 30 ");
        assert_eq!(m.number, Some(dec("30")));
        assert_eq!(m.unit, None);
        assert_eq!(m.raw, "30");
        assert_eq!(parse_measure("0").number, Some(Decimal::ZERO));
    }

    #[test]
    fn parenthesised_text_becomes_the_note() {
        let m = parse_measure("1200 (con presenza di 6054 MSNA al 31 dicembre 2019)");
        assert_eq!(m.number, Some(dec("1200")));
        assert_eq!(
            m.note.as_deref(),
            Some("con presenza di 6054 MSNA al 31 dicembre 2019")
        );
        assert_eq!(m.unit, None);
    }

    #[test]
    fn value_after_the_last_colon_is_read_with_the_text_as_note() {
        let raw = "Percentuale delle associazioni iscritte che hanno relazionato attraverso l'applicativo on-line per l'anno 2019: 78%";
        let m = parse_measure(raw);
        assert_eq!(m.number, Some(dec("78")));
        assert_eq!(m.unit, Some(Unit::Percent));
        assert_eq!(
            m.note.as_deref(),
            Some("Percentuale delle associazioni iscritte che hanno relazionato attraverso l'applicativo on-line per l'anno 2019")
        );
        assert_eq!(m.raw, raw);
    }

    #[test]
    fn italian_decimal_comma_is_read() {
        let m = parse_measure("12,5%");
        assert_eq!(m.number, Some(dec("12.5")));
        assert_eq!(m.unit, Some(Unit::Percent));
        assert_eq!(parse_measure("1.200").number, Some(dec("1200")));
        assert_eq!(parse_measure("-3.2").number, Some(dec("-3.2")));
    }

    #[test]
    fn greater_or_equal_with_a_space_is_read() {
        let m = parse_measure(">= 80");
        assert_eq!(m.comparator, Some(Comparator::Ge));
        assert_eq!(m.number, Some(dec("80")));
        let m = parse_measure("≥ 80 %");
        assert_eq!(m.comparator, Some(Comparator::Ge));
        assert_eq!(m.unit, Some(Unit::Percent));
    }

    #[test]
    fn text_without_a_number_has_no_number() {
        let m = parse_measure("Realizzazione del portale");
        assert_eq!(m.number, None);
        assert_eq!(m.comparator, None);
        assert_eq!(m.unit, None);
        assert_eq!(m.raw, "Realizzazione del portale");
        // A number in the prose does not count when it is not the value.
        assert_eq!(parse_measure("Entro il 2020 a regime").number, None);
    }

    #[test]
    fn percent_and_number_helpers_reject_trailing_text() {
        assert_eq!(parse_percent("8%"), Some(dec("8")));
        assert_eq!(parse_percent("10"), Some(dec("10")));
        assert_eq!(parse_percent("8 giorni"), None);
        assert_eq!(parse_number("8 punti"), None);
    }
}
