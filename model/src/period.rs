//! Reporting and calculation periods (month, quarter, year) of the years
//! 1900-2199, and the day numbering the calculators and their plugin ABI
//! share (days since 1970-01-01, as Arrow `date32`). Declared here once, so
//! that storage, the calculators and the API parse periods the same way.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The value stored for a missing date in day columns. It sorts before every
/// real day, so a "falls in the period" test rejects it without a branch.
/// The plugin ABI declares the same value (the calculators check it).
pub const NULL_DAY: i32 = i32::MIN;

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => panic!("1970-01-01 is a valid date"),
};

/// Days since 1970-01-01 for a date.
pub fn day_number(date: NaiveDate) -> i32 {
    // Every NaiveDate is within ±262,143 years, so the day count fits in i32.
    (date - EPOCH).num_days() as i32
}

/// The date for a day number, or `None` for [`NULL_DAY`] and out-of-range days.
pub fn date_from_day(day: i32) -> Option<NaiveDate> {
    if day == NULL_DAY {
        return None;
    }
    EPOCH.checked_add_signed(chrono::Duration::days(i64::from(day)))
}

/// The granularity of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// A calendar month.
    Month,
    /// A calendar quarter.
    Quarter,
    /// A calendar year.
    Year,
}

/// A calendar period. Build it with [`Period::month`], [`Period::quarter`],
/// [`Period::year`] or parse `2020`, `2020-Q3`, `2020-07`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    kind: PeriodKind,
    year: i32,
    index: u32,
}

/// A period that cannot exist, or text that does not name one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodError(pub String);

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not a period: \"{}\" (expected 2020, 2020-Q1 or 2020-01, years 1900-2199)",
            self.0
        )
    }
}

impl std::error::Error for PeriodError {}

impl Period {
    /// A calendar month (1-12) of a year between 1900 and 2199.
    pub fn month(year: i32, month: u32) -> Result<Self, PeriodError> {
        Self::checked(PeriodKind::Month, year, month, 1..=12)
    }

    /// A calendar quarter (1-4).
    pub fn quarter(year: i32, quarter: u32) -> Result<Self, PeriodError> {
        Self::checked(PeriodKind::Quarter, year, quarter, 1..=4)
    }

    /// A calendar year.
    pub fn year(year: i32) -> Result<Self, PeriodError> {
        Self::checked(PeriodKind::Year, year, 0, 0..=0)
    }

    fn checked(
        kind: PeriodKind,
        year: i32,
        index: u32,
        range: std::ops::RangeInclusive<u32>,
    ) -> Result<Self, PeriodError> {
        // The year range matches the dates PaymentTable accepts, which keeps
        // day arithmetic far away from any overflow.
        if !(1900..=2199).contains(&year) || !range.contains(&index) {
            return Err(PeriodError(format!("{kind:?} {index} of {year}")));
        }
        Ok(Self { kind, year, index })
    }

    /// The granularity.
    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    /// The calendar year.
    pub fn year_number(&self) -> i32 {
        self.year
    }

    /// Month (1-12) or quarter (1-4); 0 for a year.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The first day.
    pub fn start(&self) -> NaiveDate {
        let month = match self.kind {
            PeriodKind::Month => self.index,
            PeriodKind::Quarter => (self.index - 1) * 3 + 1,
            PeriodKind::Year => 1,
        };
        NaiveDate::from_ymd_opt(self.year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day (inclusive).
    pub fn end(&self) -> NaiveDate {
        let (year, next_month) = match self.kind {
            PeriodKind::Month if self.index == 12 => (self.year + 1, 1),
            PeriodKind::Month => (self.year, self.index + 1),
            PeriodKind::Quarter if self.index == 4 => (self.year + 1, 1),
            PeriodKind::Quarter => (self.year, self.index * 3 + 1),
            PeriodKind::Year => (self.year + 1, 1),
        };
        NaiveDate::from_ymd_opt(year, next_month, 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    /// The first day as a day number.
    pub fn start_day(&self) -> i32 {
        day_number(self.start())
    }

    /// The last day as a day number.
    pub fn end_day(&self) -> i32 {
        day_number(self.end())
    }

    /// Whether a date falls in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start() <= date && date <= self.end()
    }

    /// The quarters of a year period, or the period itself otherwise.
    pub fn quarters(&self) -> Vec<Period> {
        match self.kind {
            PeriodKind::Year => (1..=4)
                .map(|q| Period {
                    kind: PeriodKind::Quarter,
                    year: self.year,
                    index: q,
                })
                .collect(),
            _ => vec![*self],
        }
    }

    /// The period that contains a date, at the given granularity.
    pub fn containing(kind: PeriodKind, date: NaiveDate) -> Result<Self, PeriodError> {
        match kind {
            PeriodKind::Month => Self::month(date.year(), date.month()),
            PeriodKind::Quarter => Self::quarter(date.year(), (date.month() - 1) / 3 + 1),
            PeriodKind::Year => Self::year(date.year()),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Month => write!(f, "{}-{:02}", self.year, self.index),
            PeriodKind::Quarter => write!(f, "{}-Q{}", self.year, self.index),
            PeriodKind::Year => write!(f, "{}", self.year),
        }
    }
}

/// The one parser of periods (the storage, the API and the command line
/// all use it): `2020`, `2020-Q1` (or `2020-q1`) and `2020-01`, with a
/// four-digit year between 1900 and 2199 and a two-digit month; white space
/// around the text is ignored. Anything else, `2020-1` or `Q1-2020` for
/// instance, is a [`PeriodError`].
impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || PeriodError(s.to_string());
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        let t = s.trim();
        let (year, rest) = match t.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (t, None),
        };
        if year.len() != 4 || !digits(year) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        match rest {
            None => Self::year(year),
            Some(r) if r.len() == 2 && r.starts_with(['Q', 'q']) && digits(&r[1..]) => {
                Self::quarter(year, r[1..].parse().map_err(|_| bad())?)
            }
            Some(r) if r.len() == 2 && digits(r) => {
                Self::month(year, r.parse().map_err(|_| bad())?)
            }
            Some(_) => Err(bad()),
        }
        .map_err(|_| bad())
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_print_in_the_same_form() {
        for text in ["2020", "2020-Q1", "2020-Q4", "2020-02", "2020-12"] {
            assert_eq!(
                text.parse::<Period>().map(|p| p.to_string()),
                Ok(text.to_string())
            );
        }
        assert!("2020-Q5".parse::<Period>().is_err());
        assert!("2020-13".parse::<Period>().is_err());
        assert!("abc".parse::<Period>().is_err());
    }

    #[test]
    fn periods_have_one_form_and_years_between_1900_and_2199() {
        assert_eq!(" 2020-q1 ".parse::<Period>(), Period::quarter(2020, 1));
        for text in [
            "2020-1", "2020-Q01", "+2020", "02020", "Q1-2020", "2020-", "3000", "1899", "2200-01",
        ] {
            assert!(text.parse::<Period>().is_err(), "{text}");
        }
        assert_eq!("1900".parse::<Period>(), Period::year(1900));
        assert_eq!("2199-12".parse::<Period>(), Period::month(2199, 12));
    }

    #[test]
    fn period_bounds_cover_leap_february_and_year_end() {
        let feb = Period::month(2020, 2).unwrap();
        assert_eq!(feb.end(), NaiveDate::from_ymd_opt(2020, 2, 29).unwrap());
        let q4 = Period::quarter(2020, 4).unwrap();
        assert_eq!(q4.start(), NaiveDate::from_ymd_opt(2020, 10, 1).unwrap());
        assert_eq!(q4.end(), NaiveDate::from_ymd_opt(2020, 12, 31).unwrap());
        assert_eq!(
            Period::year(2020).unwrap().end_day() - Period::year(2020).unwrap().start_day(),
            365
        );
    }

    #[test]
    fn day_numbers_match_arrow_date32() {
        assert_eq!(day_number(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()), 1);
        assert_eq!(
            date_from_day(day_number(NaiveDate::from_ymd_opt(2020, 12, 31).unwrap())),
            NaiveDate::from_ymd_opt(2020, 12, 31)
        );
        assert_eq!(date_from_day(NULL_DAY), None);
    }
}
