//! Reading values the way a mapping declares: placeholders that mean "no
//! quantitative target", words that stand for a comparator (`almeno` →
//! `>=`), and dates written as days, months or quarters.

use chrono::{Datelike, NaiveDate};

use super::spec::Values;
use crate::measure::parse_measure;
use crate::model::Measure;

/// What a baseline or target cell holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Nothing written.
    Empty,
    /// One of the mapping's placeholders: no quantitative value.
    Placeholder,
    Measure(Measure),
}

/// Reads a baseline or target. The text as written is kept in `raw`.
pub fn read_measure(text: &str, values: &Values) -> Value {
    let text = text.trim();
    if text.is_empty() {
        return Value::Empty;
    }
    if values
        .placeholders
        .iter()
        .any(|p| p.trim().eq_ignore_ascii_case(text))
    {
        return Value::Placeholder;
    }
    for (word, comparator) in &values.comparators {
        if let Some(rest) = strip_word(text, word) {
            let mut m = parse_measure(rest);
            if m.number.is_some() {
                m.comparator = Some(*comparator);
            }
            m.raw = text.to_string();
            return Value::Measure(m);
        }
    }
    Value::Measure(parse_measure(text))
}

/// `text` without its leading `word` (any case), when a space, a number or
/// the end follows it.
fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let n = word.len();
    let head = text.get(..n)?;
    if !head.to_lowercase().eq(&word.to_lowercase()) {
        return None;
    }
    let rest = &text[n..];
    let boundary = rest.is_empty()
        || rest.starts_with(|c: char| c.is_whitespace() || c.is_ascii_digit() || c == ':');
    boundary.then(|| rest.trim_start_matches([' ', ':']).trim_start())
}

/// A year: `2024`, or the four digits of `Q4 2024`, `31/12/2024`.
pub fn read_year(text: &str) -> Option<i32> {
    let t = text.trim();
    if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().ok();
    }
    None
}

const MONTHS: [[&str; 3]; 12] = [
    ["gennaio", "january", "gen"],
    ["febbraio", "february", "feb"],
    ["marzo", "march", "mar"],
    ["aprile", "april", "apr"],
    ["maggio", "may", "mag"],
    ["giugno", "june", "giu"],
    ["luglio", "july", "lug"],
    ["agosto", "august", "ago"],
    ["settembre", "september", "set"],
    ["ottobre", "october", "ott"],
    ["novembre", "november", "nov"],
    ["dicembre", "december", "dic"],
];

fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    MONTHS
        .iter()
        .position(|names| names.contains(&w.as_str()))
        .map(|i| i as u32 + 1)
}

fn last_day(year: i32, month: u32) -> Option<NaiveDate> {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }?;
    next.pred_opt()
}

/// Which end of a period (a month, a quarter, a year) a date field means:
/// a start date is its first day, an end date or deadline its last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Start,
    End,
}

/// Reads `31/12/2024`, `31.12.2024`, `2024-12-31`, `31 dicembre 2024`,
/// `dicembre 2024`, `Q4 2024` (also `T4`, `2024-Q4`, `Q4/2024`) or `2024`.
pub fn read_date(text: &str, end: End) -> Option<NaiveDate> {
    let t = text.trim();
    let pick = |start: NaiveDate, last: NaiveDate| match end {
        End::Start => start,
        End::End => last,
    };
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Some(d);
    }
    for format in ["%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(t, format) {
            return Some(d);
        }
    }
    if let Some(year) = read_year(t) {
        return Some(pick(
            NaiveDate::from_ymd_opt(year, 1, 1)?,
            NaiveDate::from_ymd_opt(year, 12, 31)?,
        ));
    }
    let words: Vec<&str> = t
        .split(|c: char| c.is_whitespace() || c == '/' || c == '-')
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        [day, month, year] => {
            let day: u32 = day.trim_end_matches('°').parse().ok()?;
            let month = month_number(month)?;
            NaiveDate::from_ymd_opt(read_year(year)?, month, day)
        }
        [a, b] => {
            if let (Some(q), Some(year)) = (quarter(a), read_year(b)) {
                return quarter_date(year, q, end);
            }
            if let (Some(year), Some(q)) = (read_year(a), quarter(b)) {
                return quarter_date(year, q, end);
            }
            let month = month_number(a)?;
            let year = read_year(b)?;
            Some(pick(
                NaiveDate::from_ymd_opt(year, month, 1)?,
                last_day(year, month)?,
            ))
        }
        _ => None,
    }
}

/// `Q3`, `T3`, `q3` → 3.
fn quarter(word: &str) -> Option<u32> {
    let mut chars = word.chars();
    let letter = chars.next()?;
    if !matches!(letter, 'Q' | 'q' | 'T' | 't') {
        return None;
    }
    let n: u32 = chars.as_str().parse().ok()?;
    (1..=4).contains(&n).then_some(n)
}

fn quarter_date(year: i32, q: u32, end: End) -> Option<NaiveDate> {
    let first_month = (q - 1) * 3 + 1;
    match end {
        End::Start => NaiveDate::from_ymd_opt(year, first_month, 1),
        End::End => last_day(year, first_month + 2),
    }
}

/// The year a date falls in.
pub fn year_of(d: NaiveDate) -> i32 {
    d.year()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Comparator, Unit};
    use rust_decimal::Decimal;

    fn values() -> Values {
        Values {
            placeholders: vec!["N/A".into(), "n.d.".into()],
            comparators: vec![
                ("incremento di almeno".into(), Comparator::Ge),
                ("almeno".into(), Comparator::Ge),
                ("il".into(), Comparator::Eq),
            ],
        }
    }

    #[test]
    fn placeholders_empty_and_real_zero_differ() {
        assert_eq!(read_measure("n.d.", &values()), Value::Placeholder);
        assert_eq!(read_measure(" N/A ", &values()), Value::Placeholder);
        assert_eq!(read_measure("  ", &values()), Value::Empty);
        let Value::Measure(m) = read_measure("0", &values()) else {
            panic!("0 is a value")
        };
        assert_eq!(m.number, Some(Decimal::ZERO));
    }

    #[test]
    fn comparator_words_thousands_and_percent() {
        let Value::Measure(m) = read_measure("almeno 6.520 amministrazioni", &values()) else {
            panic!()
        };
        assert_eq!(m.comparator, Some(Comparator::Ge));
        assert_eq!(m.number, Some(Decimal::from(6520)));
        assert_eq!(m.note.as_deref(), Some("amministrazioni"));
        assert_eq!(m.raw, "almeno 6.520 amministrazioni");
        let Value::Measure(m) = read_measure("Il 100 %", &values()) else {
            panic!()
        };
        assert_eq!(m.number, Some(Decimal::from(100)));
        assert_eq!(m.unit, Some(Unit::Percent));
        let Value::Measure(m) = read_measure("Incremento di almeno 80 servizi", &values()) else {
            panic!()
        };
        assert_eq!(m.comparator, Some(Comparator::Ge));
        assert_eq!(m.number, Some(Decimal::from(80)));
    }

    #[test]
    fn dates_of_days_months_and_quarters() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(read_date("Q3 2024", End::End), d(2024, 9, 30));
        assert_eq!(read_date("Q1 2024", End::Start), d(2024, 1, 1));
        assert_eq!(read_date("2025-Q4", End::End), d(2025, 12, 31));
        assert_eq!(read_date("Dicembre 2024", End::End), d(2024, 12, 31));
        assert_eq!(read_date("febbraio 2024", End::End), d(2024, 2, 29));
        assert_eq!(read_date("31/12/2023", End::End), d(2023, 12, 31));
        assert_eq!(read_date("1 gennaio 2020", End::End), d(2020, 1, 1));
        assert_eq!(read_date("2026", End::End), d(2026, 12, 31));
        assert_eq!(read_date("entro breve", End::End), None);
    }
}
