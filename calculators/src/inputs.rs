//! The data calculators read: invoice payments as columns (struct of
//! arrays), dated numeric series, and phase progress. The engine builds
//! these from the rows storage reads; calculators only borrow them.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::period::{date_from_day, day_number, Period, NULL_DAY};

pub use cruscotto_model::payment::{PaymentRecord, MAX_ABS_AMOUNT_CENTS, MAX_SUSPENDED_DAYS};

/// Invoice payments as columns. Dates are day numbers since 1970-01-01 with
/// [`NULL_DAY`] for a missing date; a validity bitmap per nullable date column
/// is built once here so that plugins receive proper Arrow arrays without a
/// copy at call time. Buffers are reference-counted so that a plugin
/// computation running on another thread can keep them alive on its own.
#[derive(Debug, Clone)]
pub struct PaymentTable {
    amount_cents: Arc<[i64]>,
    invoice_date: Arc<[i32]>,
    due_date: Arc<[i32]>,
    payment_date: Arc<[i32]>,
    suspended_days: Arc<[i32]>,
    invoice_valid: Option<Validity>,
    due_valid: Option<Validity>,
    paid_valid: Option<Validity>,
}

/// Borrowed columns of a [`PaymentTable`], all of the same length.
#[derive(Debug, Clone, Copy)]
pub struct PaymentColumns<'a> {
    /// Amounts in cents.
    pub amount_cents: &'a [i64],
    /// Invoice dates (day numbers, [`NULL_DAY`] when missing).
    pub invoice_date: &'a [i32],
    /// Due dates (day numbers, [`NULL_DAY`] when missing).
    pub due_date: &'a [i32],
    /// Payment dates (day numbers, [`NULL_DAY`] when unpaid).
    pub payment_date: &'a [i32],
    /// Suspended days (0 when none).
    pub suspended_days: &'a [i32],
}

/// Inconsistent or out-of-range input data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Columns of different lengths.
    #[error("columns have different lengths: {0:?}")]
    LengthMismatch(Vec<(&'static str, usize)>),
    /// A value outside the accepted range.
    #[error("row {row}: {column} {message}")]
    OutOfRange {
        /// Zero-based row.
        row: usize,
        /// Column name.
        column: &'static str,
        /// What is wrong.
        message: String,
    },
}

pub(crate) const FIRST_DAY: i32 = -25_567; // 1900-01-01
pub(crate) const LAST_DAY: i32 = 84_005; // 2199-12-31

/// An Arrow validity bitmap (bit set = value present) and its null count.
#[derive(Debug, Clone)]
pub(crate) struct Validity {
    pub bits: Arc<[u8]>,
    pub nulls: i64,
}

fn bitmap(days: &[i32]) -> Option<Validity> {
    let nulls = days.iter().filter(|d| **d == NULL_DAY).count();
    if nulls == 0 {
        return None;
    }
    let mut bits = vec![0u8; days.len().div_ceil(8)];
    for (i, d) in days.iter().enumerate() {
        if *d != NULL_DAY {
            bits[i / 8] |= 1 << (i % 8);
        }
    }
    Some(Validity {
        bits: bits.into(),
        nulls: nulls as i64,
    })
}

impl PaymentTable {
    /// Builds a table from columns, checking lengths and ranges: amounts
    /// within ±[`MAX_ABS_AMOUNT_CENTS`], dates within 1900-2199 or
    /// [`NULL_DAY`], suspended days within 0..=[`MAX_SUSPENDED_DAYS`].
    pub fn from_columns(
        amount_cents: Vec<i64>,
        invoice_date: Vec<i32>,
        due_date: Vec<i32>,
        payment_date: Vec<i32>,
        suspended_days: Vec<i32>,
    ) -> Result<Self, InputError> {
        let lens = [
            ("amount_cents", amount_cents.len()),
            ("invoice_date", invoice_date.len()),
            ("due_date", due_date.len()),
            ("payment_date", payment_date.len()),
            ("suspended_days", suspended_days.len()),
        ];
        if lens.iter().any(|(_, l)| *l != amount_cents.len()) {
            return Err(InputError::LengthMismatch(lens.to_vec()));
        }
        let out_of_range =
            |row: usize, column: &'static str, message: String| InputError::OutOfRange {
                row,
                column,
                message,
            };
        if let Some(row) = amount_cents
            .iter()
            .position(|a| a.unsigned_abs() > MAX_ABS_AMOUNT_CENTS as u64)
        {
            return Err(out_of_range(
                row,
                "amount_cents",
                "exceeds 100 billion euro".into(),
            ));
        }
        for (name, col) in [
            ("invoice_date", &invoice_date),
            ("due_date", &due_date),
            ("payment_date", &payment_date),
        ] {
            if let Some(row) = col
                .iter()
                .position(|d| *d != NULL_DAY && !(FIRST_DAY..=LAST_DAY).contains(d))
            {
                return Err(out_of_range(
                    row,
                    name,
                    "is outside the years 1900-2199".into(),
                ));
            }
        }
        if let Some(row) = suspended_days
            .iter()
            .position(|s| !(0..=MAX_SUSPENDED_DAYS).contains(s))
        {
            return Err(out_of_range(
                row,
                "suspended_days",
                format!("must be between 0 and {MAX_SUSPENDED_DAYS}"),
            ));
        }
        Ok(Self {
            invoice_valid: bitmap(&invoice_date),
            due_valid: bitmap(&due_date),
            paid_valid: bitmap(&payment_date),
            amount_cents: amount_cents.into(),
            invoice_date: invoice_date.into(),
            due_date: due_date.into(),
            payment_date: payment_date.into(),
            suspended_days: suspended_days.into(),
        })
    }

    /// Builds a table from records (for example those read from CSV).
    pub fn from_records(records: &[PaymentRecord]) -> Result<Self, InputError> {
        let day = |d: Option<NaiveDate>| d.map_or(NULL_DAY, day_number);
        Self::from_columns(
            records.iter().map(|r| r.amount_cents).collect(),
            records.iter().map(|r| day_number(r.invoice_date)).collect(),
            records.iter().map(|r| day(r.due_date)).collect(),
            records.iter().map(|r| day(r.payment_date)).collect(),
            records
                .iter()
                .map(|r| i32::try_from(r.suspended_days).unwrap_or(i32::MAX))
                .collect(),
        )
    }

    /// Number of invoices.
    pub fn len(&self) -> usize {
        self.amount_cents.len()
    }

    /// Whether there are no invoices.
    pub fn is_empty(&self) -> bool {
        self.amount_cents.is_empty()
    }

    /// The columns as slices.
    pub fn columns(&self) -> PaymentColumns<'_> {
        PaymentColumns {
            amount_cents: &self.amount_cents,
            invoice_date: &self.invoice_date,
            due_date: &self.due_date,
            payment_date: &self.payment_date,
            suspended_days: &self.suspended_days,
        }
    }

    /// Row `i` back as a record with empty id and supplier (for tests and debugging).
    pub fn record(&self, i: usize) -> Option<PaymentRecord> {
        Some(PaymentRecord {
            invoice_id: String::new(),
            supplier: String::new(),
            amount_cents: *self.amount_cents.get(i)?,
            invoice_date: date_from_day(*self.invoice_date.get(i)?)?,
            due_date: date_from_day(*self.due_date.get(i)?),
            payment_date: date_from_day(*self.payment_date.get(i)?),
            suspended_days: u32::try_from(*self.suspended_days.get(i)?).unwrap_or(0),
        })
    }

    pub(crate) fn shared_buffers(&self) -> SharedPaymentBuffers {
        SharedPaymentBuffers {
            amount_cents: self.amount_cents.clone(),
            invoice_date: self.invoice_date.clone(),
            due_date: self.due_date.clone(),
            payment_date: self.payment_date.clone(),
            suspended_days: self.suspended_days.clone(),
            invoice_valid: self.invoice_valid.clone(),
            due_valid: self.due_valid.clone(),
            paid_valid: self.paid_valid.clone(),
        }
    }
}

/// Reference-counted handles on a table's buffers, held by an exported Arrow
/// batch until its release callback runs.
#[derive(Debug)]
pub(crate) struct SharedPaymentBuffers {
    pub amount_cents: Arc<[i64]>,
    pub invoice_date: Arc<[i32]>,
    pub due_date: Arc<[i32]>,
    pub payment_date: Arc<[i32]>,
    pub suspended_days: Arc<[i32]>,
    pub invoice_valid: Option<Validity>,
    pub due_valid: Option<Validity>,
    pub paid_valid: Option<Validity>,
}

/// A dated numeric series: each observation is a date and a value
/// (for example "adempimenti due" on 2020-03-31: 12).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    dates: Vec<NaiveDate>,
    values: Vec<Decimal>,
}

impl Series {
    /// An empty series.
    pub fn new() -> Self {
        Self::default()
    }

    /// A series from parallel columns.
    pub fn from_columns(dates: Vec<NaiveDate>, values: Vec<Decimal>) -> Result<Self, InputError> {
        if dates.len() != values.len() {
            return Err(InputError::LengthMismatch(vec![
                ("dates", dates.len()),
                ("values", values.len()),
            ]));
        }
        Ok(Self { dates, values })
    }

    /// A series of records that each count as one (for `count`).
    pub fn records(dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        let dates: Vec<NaiveDate> = dates.into_iter().collect();
        let values = vec![Decimal::ONE; dates.len()];
        Self { dates, values }
    }

    /// Appends one observation.
    pub fn push(&mut self, date: NaiveDate, value: Decimal) {
        self.dates.push(date);
        self.values.push(value);
    }

    /// Appends one observation, builder style.
    pub fn with(mut self, date: NaiveDate, value: Decimal) -> Self {
        self.push(date, value);
        self
    }

    /// Number of observations.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// Whether there are no observations.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// Observations as (date, value) pairs.
    pub fn iter(&self) -> impl Iterator<Item = (NaiveDate, Decimal)> + '_ {
        self.dates.iter().copied().zip(self.values.iter().copied())
    }

    /// Sum and count of the observations dated inside `period`.
    pub fn total_in(&self, period: &Period) -> (Decimal, u64) {
        let (start, end) = (period.start(), period.end());
        self.iter()
            .filter(|(d, _)| start <= *d && *d <= end)
            .fold((Decimal::ZERO, 0), |(sum, n), (_, v)| (sum + v, n + 1))
    }
}

/// One phase of an objective: its weight and how complete it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseProgress {
    /// Phase code, for example `A.1.3`.
    pub code: String,
    /// Weight in percent (the phases of an objective sum to 100).
    pub weight: Decimal,
    /// Completion in percent, 0-100.
    pub completion_percent: Decimal,
}

/// Everything a computation may read. Fill only what the calculator's
/// descriptor lists in `inputs`.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Invoice payments.
    pub payments: Option<PaymentTable>,
    /// Named series (for example `numerator` and `denominator`).
    pub series: BTreeMap<String, Series>,
    /// Phase progress.
    pub phases: Vec<PhaseProgress>,
}

impl Inputs {
    /// Inputs holding only payments.
    pub fn with_payments(payments: PaymentTable) -> Self {
        Self {
            payments: Some(payments),
            ..Self::default()
        }
    }

    /// Adds a named series, builder style.
    pub fn with_series(mut self, name: impl Into<String>, series: Series) -> Self {
        self.series.insert(name.into(), series);
        self
    }

    /// Inputs holding only phases.
    pub fn with_phases(phases: Vec<PhaseProgress>) -> Self {
        Self {
            phases,
            ..Self::default()
        }
    }
}
