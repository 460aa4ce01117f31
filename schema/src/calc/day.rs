//! Dates read straight into day numbers (days since 1970-01-01, the
//! calculators' and Arrow's `date32`), without building a `NaiveDate` per
//! row: loading a million payments spends its time here.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::data_types::PgDate;
use diesel::pg::{Pg, PgValue};
use diesel::sql_types::Date;
use diesel::sqlite::{Sqlite, SqliteValue};

/// A date column decoded as a day number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub(crate) struct Day(pub i32);

/// Days from 1970-01-01 to 2000-01-01, the Postgres date epoch.
const PG_EPOCH_OFFSET: i32 = 10_957;

impl FromSql<Date, Pg> for Day {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        let PgDate(days) = FromSql::<Date, Pg>::from_sql(bytes)?;
        days.checked_add(PG_EPOCH_OFFSET)
            .map(Day)
            .ok_or_else(|| "date out of range".into())
    }
}

impl FromSql<Date, Sqlite> for Day {
    fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        // Diesel writes SQLite dates as `YYYY-MM-DD` text; anything else was
        // not written by this program.
        let text = value.read_text();
        parse_iso_day(text.as_bytes())
            .map(Day)
            .ok_or_else(|| format!("not a YYYY-MM-DD date: {text:?}").into())
    }
}

/// Parses `YYYY-MM-DD` into a day number, checking the calendar.
fn parse_iso_day(b: &[u8]) -> Option<i32> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |s: &[u8]| {
        s.iter().try_fold(0i32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + i32::from(c - b'0'))
        })
    };
    let (y, m, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_len = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if d < 1 || d > month_len {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`), exact for every year of four digits.
fn days_from_civil(y: i32, m: i32, d: i32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn iso_dates_become_the_same_day_numbers_as_the_calculators_use() {
        let mut date = NaiveDate::from_ymd_opt(1899, 12, 25).unwrap();
        let end = NaiveDate::from_ymd_opt(2201, 1, 5).unwrap();
        while date <= end {
            let text = date.format("%Y-%m-%d").to_string();
            assert_eq!(
                parse_iso_day(text.as_bytes()),
                Some(cruscotto_model::period::day_number(date)),
                "{text}"
            );
            date = date.succ_opt().unwrap();
        }
    }

    #[test]
    fn text_that_is_not_a_calendar_date_is_refused() {
        for bad in [
            "2021-02-29",
            "2020-13-01",
            "2020-00-10",
            "2020-1-01",
            "20200101",
            "2020-01-0x",
        ] {
            assert_eq!(parse_iso_day(bad.as_bytes()), None, "{bad}");
        }
        assert!(parse_iso_day(b"2020-02-29").is_some());
    }
}
