//! Invoice payments as a plan's administration records them: the record a
//! payments file or the database holds, and the bounds every stored payment
//! keeps (the calculators rely on them, storage refuses what exceeds them).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One invoice and its payment, as read from a CSV file or a database row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRecord {
    /// Invoice number.
    pub invoice_id: String,
    /// Supplier name or tax code.
    pub supplier: String,
    /// Amount due in euro cents (net of VAT under split payment).
    pub amount_cents: i64,
    /// Invoice date (the receipt date when that is what the source holds).
    pub invoice_date: NaiveDate,
    /// Contractual due date; `None` defaults to invoice date + the default term.
    pub due_date: Option<NaiveDate>,
    /// Date the payment order went to the treasury; `None` means unpaid.
    pub payment_date: Option<NaiveDate>,
    /// Days the sum was formally suspended (dispute), subtracted from the delay.
    pub suspended_days: u32,
}

/// Bounds that keep the timeliness kernel free of overflow checks: with
/// |amount| ≤ 10^13 cents (100 billion euro) and dates within 1900-2199, the
/// product amount × days stays below 2^62 in an `i64`.
pub const MAX_ABS_AMOUNT_CENTS: i64 = 10_000_000_000_000;
/// Largest accepted suspension, in days.
pub const MAX_SUSPENDED_DAYS: i32 = 100_000;
