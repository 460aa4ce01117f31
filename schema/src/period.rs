//! Reporting periods as written in documents and the API: a year (`2020`), a
//! quarter (`2020-Q1`) or a month (`2020-03`), of the years 1900-2199, with
//! their first and last day.
//!
//! There is one parser, [`Period`]'s (`cruscotto_model`), and every
//! writer and reader of the storage goes through [`parse`]: the import of a
//! document's measurements, the `recordMeasurement` mutation, the
//! calculations and the reads of computed values accept the same texts and
//! the same years. Stored periods are the canonical text of the parsed
//! period (`2020-q1` is stored as `2020-Q1`).

use chrono::NaiveDate;

pub use cruscotto_model::{Period, PeriodError};

/// What a period may be, for messages that refuse one.
pub const EXPECTED: &str =
    "the period must be a year (2020), a quarter (2020-Q1) or a month (2020-03)";

/// Parses `text` (surrounding white space ignored; `Q` in either case).
pub fn parse(text: &str) -> Result<Period, PeriodError> {
    text.parse()
}

/// Returns the first and last day of `period`, or `None` when it is not one
/// of the three accepted forms within the accepted years.
pub fn bounds(period: &str) -> Option<(NaiveDate, NaiveDate)> {
    parse(period).ok().map(|p| (p.start(), p.end()))
}

#[cfg(test)]
mod tests {
    use super::{bounds, parse};
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_cover_years_quarters_and_months() {
        assert_eq!(bounds("2020"), Some((d(2020, 1, 1), d(2020, 12, 31))));
        assert_eq!(bounds("2020-Q1"), Some((d(2020, 1, 1), d(2020, 3, 31))));
        assert_eq!(bounds("2020-Q4"), Some((d(2020, 10, 1), d(2020, 12, 31))));
        assert_eq!(bounds("2024-02"), Some((d(2024, 2, 1), d(2024, 2, 29))));
    }

    #[test]
    fn malformed_periods_are_rejected() {
        for p in ["", "20", "2020-Q5", "2020-13", "2020-1", "2020/03", "abcd"] {
            assert_eq!(bounds(p), None, "{p}");
        }
    }

    #[test]
    fn years_outside_1900_2199_are_rejected() {
        for p in ["1899", "2200", "3000", "3000-Q1", "0999-01"] {
            assert_eq!(bounds(p), None, "{p}");
        }
        assert_eq!(bounds("1900-01"), Some((d(1900, 1, 1), d(1900, 1, 31))));
        assert_eq!(bounds("2199"), Some((d(2199, 1, 1), d(2199, 12, 31))));
    }

    #[test]
    fn parsed_periods_print_in_the_canonical_form() {
        assert_eq!(parse(" 2020-q1 ").unwrap().to_string(), "2020-Q1");
        assert_eq!(parse("2020-03").unwrap().to_string(), "2020-03");
    }
}
