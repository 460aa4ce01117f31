//! Reporting periods as written in documents and the API: a year (`2020`), a
//! quarter (`2020-Q1`) or a month (`2020-03`), with their first and last day.

use chrono::NaiveDate;

/// Returns the first and last day of `period`, or `None` when it is not one
/// of the three accepted forms.
pub fn bounds(period: &str) -> Option<(NaiveDate, NaiveDate)> {
    let (year, rest) = match period.split_once('-') {
        Some((y, r)) => (y, Some(r)),
        None => (period, None),
    };
    if year.len() != 4 {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    let (first_month, last_month) = match rest {
        None => (1, 12),
        Some(q) if q.len() == 2 && q.starts_with('Q') => {
            let n: u32 = q[1..].parse().ok()?;
            if !(1..=4).contains(&n) {
                return None;
            }
            (3 * n - 2, 3 * n)
        }
        Some(m) if m.len() == 2 => {
            let n: u32 = m.parse().ok()?;
            if !(1..=12).contains(&n) {
                return None;
            }
            (n, n)
        }
        Some(_) => return None,
    };
    let start = NaiveDate::from_ymd_opt(year, first_month, 1)?;
    let next = if last_month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, last_month + 1, 1)?
    };
    Some((start, next.pred_opt()?))
}

#[cfg(test)]
mod tests {
    use super::bounds;
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
}
