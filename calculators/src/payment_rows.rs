//! Payment rows gathered one by one (from a database or a file) into a
//! [`PaymentTable`] sorted by content, the order the input fingerprint and
//! the loaders rely on: payment day, due day, invoice day, suspended days,
//! amount, each ascending ([`NULL_DAY`] first).
//!
//! A row whose values are within the calculators' bounds is packed into one
//! 128-bit key whose unsigned order is exactly that order, so a million rows
//! are kept without an allocation each, sorted as plain integers and
//! unpacked straight into columns. The key is
//!
//! ```text
//! bit 113        96        79        62        45                0
//!     | paid (17) | due (17) | invoice (17) | suspended (17) | amount (45) |
//! ```
//!
//! with a day `d` stored as `d - FIRST_DAY + 1` (0 for [`NULL_DAY`]), the
//! suspended days as they are and the amount as `amount + MAX_ABS_AMOUNT_CENTS`.
//!
//! A row outside the bounds cannot be packed; it is kept as it is, and the
//! table is then built by the general path, which sorts tuples and reports
//! the out-of-range value as [`PaymentTable::from_columns`] does.

use crate::inputs::{InputError, PaymentTable, FIRST_DAY, LAST_DAY};
use crate::period::NULL_DAY;
use crate::{MAX_ABS_AMOUNT_CENTS, MAX_SUSPENDED_DAYS};

const DAY_BITS: u32 = 17;
const AMOUNT_BITS: u32 = 45;
const REST_BITS: u32 = DAY_BITS + AMOUNT_BITS;

const DAY_MASK: u64 = (1 << DAY_BITS) - 1;
const AMOUNT_MASK: u64 = (1 << AMOUNT_BITS) - 1;

// The bounds fit the widths chosen above.
const _: () = assert!(((LAST_DAY - FIRST_DAY + 1) as u64) <= DAY_MASK);
const _: () = assert!((MAX_SUSPENDED_DAYS as u64) <= DAY_MASK);
const _: () = assert!((2 * MAX_ABS_AMOUNT_CENTS as u64) <= AMOUNT_MASK);
const _: () = assert!(3 * DAY_BITS + REST_BITS <= 128);

/// One payment packed into its sort key (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PackedPayment(u128);

impl PackedPayment {
    /// Packs a row, or `None` when a value is outside the calculators' bounds.
    fn pack(
        amount_cents: i64,
        invoice_date: i32,
        due_date: i32,
        payment_date: i32,
        suspended_days: i32,
    ) -> Option<Self> {
        let day = |d: i32| -> Option<u128> {
            if d == NULL_DAY {
                Some(0)
            } else if (FIRST_DAY..=LAST_DAY).contains(&d) {
                Some((d - FIRST_DAY + 1) as u128)
            } else {
                None
            }
        };
        if amount_cents.unsigned_abs() > MAX_ABS_AMOUNT_CENTS as u64
            || !(0..=MAX_SUSPENDED_DAYS).contains(&suspended_days)
        {
            return None;
        }
        let dates = (day(payment_date)? << (2 * DAY_BITS))
            | (day(due_date)? << DAY_BITS)
            | day(invoice_date)?;
        let rest = ((suspended_days as u128) << AMOUNT_BITS)
            | (amount_cents + MAX_ABS_AMOUNT_CENTS) as u128;
        Some(Self((dates << REST_BITS) | rest))
    }

    /// Amount, invoice day, due day, payment day, suspended days.
    fn unpack(self) -> (i64, i32, i32, i32, i32) {
        let (dates, rest) = ((self.0 >> REST_BITS) as u64, self.0 as u64);
        let day = |bits: u64| -> i32 {
            match bits & DAY_MASK {
                0 => NULL_DAY,
                p => p as i32 - 1 + FIRST_DAY,
            }
        };
        (
            (rest & AMOUNT_MASK) as i64 - MAX_ABS_AMOUNT_CENTS,
            day(dates),
            day(dates >> DAY_BITS),
            day(dates >> (2 * DAY_BITS)),
            ((rest >> AMOUNT_BITS) & DAY_MASK) as i32,
        )
    }
}

/// A row in canonical order, for rows that cannot be packed.
type Loose = (i32, i32, i32, i32, i64);

/// Payment rows gathered for a [`PaymentTable`] sorted by content.
#[derive(Debug, Default)]
pub struct PaymentRows {
    keys: Vec<PackedPayment>,
    loose: Vec<Loose>,
}

impl PaymentRows {
    /// No rows yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// No rows yet, room for `n`.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            keys: Vec::with_capacity(n),
            loose: Vec::new(),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.keys.len() + self.loose.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds a row (dates as day numbers, [`NULL_DAY`] when missing).
    pub fn push(
        &mut self,
        amount_cents: i64,
        invoice_date: i32,
        due_date: i32,
        payment_date: i32,
        suspended_days: i32,
    ) {
        match PackedPayment::pack(
            amount_cents,
            invoice_date,
            due_date,
            payment_date,
            suspended_days,
        ) {
            Some(p) => self.keys.push(p),
            None => self.loose.push((
                payment_date,
                due_date,
                invoice_date,
                suspended_days,
                amount_cents,
            )),
        }
    }

    /// Sorts the packed rows now (for example on the thread that read
    /// them); [`PaymentRows::into_table`] then only merges.
    pub fn sort(&mut self) {
        self.keys.sort_unstable_by_key(|k| k.0);
    }

    /// The table of all rows of all `parts`, sorted by content; the ranges
    /// are checked as [`PaymentTable::from_columns`] checks them, and an
    /// out-of-range value is reported at its row in the sorted table.
    pub fn into_table(parts: Vec<PaymentRows>) -> Result<PaymentTable, InputError> {
        let n: usize = parts.iter().map(PaymentRows::len).sum();
        if parts.iter().any(|p| !p.loose.is_empty()) {
            return Self::into_table_loose(parts, n);
        }
        let mut sorted = Vec::new();
        for mut part in parts {
            if !part.keys.is_sorted_by_key(|k| k.0) {
                part.sort();
            }
            sorted = if sorted.is_empty() {
                part.keys
            } else {
                merge(&sorted, &part.keys)
            };
        }
        let mut columns = Columns::with_capacity(n);
        for key in sorted {
            let (a, i, d, p, s) = key.unpack();
            columns.push(a, i, d, p, s);
        }
        columns.into_table()
    }

    /// The general path: every row as a tuple, sorted by tuple order.
    fn into_table_loose(parts: Vec<PaymentRows>, n: usize) -> Result<PaymentTable, InputError> {
        let mut rows: Vec<Loose> = Vec::with_capacity(n);
        for part in parts {
            rows.extend(part.keys.into_iter().map(|k| {
                let (a, i, d, p, s) = k.unpack();
                (p, d, i, s, a)
            }));
            rows.extend(part.loose);
        }
        rows.sort_unstable();
        let mut columns = Columns::with_capacity(n);
        for (p, d, i, s, a) in rows {
            columns.push(a, i, d, p, s);
        }
        columns.into_table()
    }
}

/// Two sorted runs merged into one.
fn merge(a: &[PackedPayment], b: &[PackedPayment]) -> Vec<PackedPayment> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].0 <= b[j].0 {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

struct Columns {
    amount: Vec<i64>,
    invoice: Vec<i32>,
    due: Vec<i32>,
    paid: Vec<i32>,
    suspended: Vec<i32>,
}

impl Columns {
    fn with_capacity(n: usize) -> Self {
        Self {
            amount: Vec::with_capacity(n),
            invoice: Vec::with_capacity(n),
            due: Vec::with_capacity(n),
            paid: Vec::with_capacity(n),
            suspended: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, amount: i64, invoice: i32, due: i32, paid: i32, suspended: i32) {
        self.amount.push(amount);
        self.invoice.push(invoice);
        self.due.push(due);
        self.paid.push(paid);
        self.suspended.push(suspended);
    }

    fn into_table(self) -> Result<PaymentTable, InputError> {
        PaymentTable::from_columns(
            self.amount,
            self.invoice,
            self.due,
            self.paid,
            self.suspended,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provenance::input_fingerprint;
    use crate::{Inputs, Period};

    /// The loaders' former path: tuples in canonical order, sorted, then columns.
    fn tuple_table(rows: &[(i64, i32, i32, i32, i32)]) -> Result<PaymentTable, InputError> {
        let mut t: Vec<Loose> = rows
            .iter()
            .map(|&(a, i, d, p, s)| (p, d, i, s, a))
            .collect();
        t.sort_unstable();
        let mut c = Columns::with_capacity(t.len());
        for (p, d, i, s, a) in t {
            c.push(a, i, d, p, s);
        }
        c.into_table()
    }

    /// A small deterministic generator (xorshift), so the test needs no crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<T: Copy>(&mut self, from: &[T]) -> T {
            from[(self.next() % from.len() as u64) as usize]
        }
        fn range(&mut self, lo: i64, hi: i64) -> i64 {
            lo + (self.next() % (hi - lo + 1) as u64) as i64
        }
    }

    fn random_row(rng: &mut Rng) -> (i64, i32, i32, i32, i32) {
        let edge_days = [
            NULL_DAY,
            FIRST_DAY,
            FIRST_DAY + 1,
            0,
            18_262,
            LAST_DAY - 1,
            LAST_DAY,
        ];
        let day = |rng: &mut Rng, nullable: bool| -> i32 {
            match rng.next() % 4 {
                0 if nullable => NULL_DAY,
                1 => rng.pick(&edge_days[1..]),
                // Few distinct days, so that ties reach the later fields.
                2 => rng.range(18_262, 18_270) as i32,
                _ => rng.range(i64::from(FIRST_DAY), i64::from(LAST_DAY)) as i32,
            }
        };
        let amount = match rng.next() % 4 {
            0 => rng.pick(&[-MAX_ABS_AMOUNT_CENTS, MAX_ABS_AMOUNT_CENTS, 0, -1, 1]),
            1 => rng.range(-3, 3),
            _ => rng.range(-MAX_ABS_AMOUNT_CENTS, MAX_ABS_AMOUNT_CENTS),
        };
        let suspended = match rng.next() % 3 {
            0 => rng.pick(&[0, 1, MAX_SUSPENDED_DAYS]),
            _ => rng.range(0, 3) as i32,
        };
        let invoice = day(rng, false);
        let due = day(rng, true);
        let paid = day(rng, true);
        (amount, invoice, due, paid, suspended)
    }

    fn built(rows: &[(i64, i32, i32, i32, i32)], parts: usize) -> Result<PaymentTable, InputError> {
        let mut out: Vec<PaymentRows> = (0..parts).map(|_| PaymentRows::new()).collect();
        for (n, &(a, i, d, p, s)) in rows.iter().enumerate() {
            out[n % parts].push(a, i, d, p, s);
        }
        PaymentRows::into_table(out)
    }

    fn fingerprint(table: PaymentTable) -> String {
        let params = serde_json::json!({"default_term_days": 30});
        input_fingerprint(
            &Inputs::with_payments(table),
            &Period::year(2020).unwrap(),
            &params,
        )
    }

    fn same_columns(a: &PaymentTable, b: &PaymentTable) {
        let (a, b) = (a.columns(), b.columns());
        assert_eq!(a.amount_cents, b.amount_cents);
        assert_eq!(a.invoice_date, b.invoice_date);
        assert_eq!(a.due_date, b.due_date);
        assert_eq!(a.payment_date, b.payment_date);
        assert_eq!(a.suspended_days, b.suspended_days);
    }

    #[test]
    fn packing_round_trips_edge_values() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..100_000 {
            let (a, i, d, p, s) = random_row(&mut rng);
            let packed = PackedPayment::pack(a, i, d, p, s).unwrap();
            assert_eq!(packed.unpack(), (a, i, d, p, s));
        }
    }

    #[test]
    fn values_outside_the_bounds_are_not_packed() {
        let ok = (0i64, 18_000, NULL_DAY, NULL_DAY, 0);
        assert!(PackedPayment::pack(ok.0, ok.1, ok.2, ok.3, ok.4).is_some());
        for (a, i, d, p, s) in [
            (MAX_ABS_AMOUNT_CENTS + 1, 18_000, NULL_DAY, NULL_DAY, 0),
            (-MAX_ABS_AMOUNT_CENTS - 1, 18_000, NULL_DAY, NULL_DAY, 0),
            (i64::MIN, 18_000, NULL_DAY, NULL_DAY, 0),
            (0, FIRST_DAY - 1, NULL_DAY, NULL_DAY, 0),
            (0, 18_000, LAST_DAY + 1, NULL_DAY, 0),
            (0, 18_000, NULL_DAY, i32::MAX, 0),
            (0, 18_000, NULL_DAY, NULL_DAY, -1),
            (0, 18_000, NULL_DAY, NULL_DAY, MAX_SUSPENDED_DAYS + 1),
        ] {
            assert_eq!(
                PackedPayment::pack(a, i, d, p, s),
                None,
                "{a} {i} {d} {p} {s}"
            );
        }
    }

    #[test]
    fn packed_order_is_the_tuple_order_and_fingerprints_are_unchanged() {
        let mut rng = Rng(42);
        for len in [0, 1, 2, 7, 1_000, 20_000] {
            let rows: Vec<_> = (0..len).map(|_| random_row(&mut rng)).collect();
            let old = tuple_table(&rows).unwrap();
            for parts in [1, 2, 3] {
                let new = built(&rows, parts).unwrap();
                same_columns(&old, &new);
                assert_eq!(fingerprint(old.clone()), fingerprint(new));
            }
        }
    }

    #[test]
    fn out_of_range_rows_take_the_general_path_with_the_same_error() {
        let mut rng = Rng(7);
        let mut rows: Vec<_> = (0..500).map(|_| random_row(&mut rng)).collect();
        rows.push((0, 18_000, NULL_DAY, NULL_DAY, -5));
        rows.push((MAX_ABS_AMOUNT_CENTS * 2, 18_000, NULL_DAY, 18_100, 0));
        let old = tuple_table(&rows).unwrap_err();
        for parts in [1, 2] {
            assert_eq!(built(&rows, parts).unwrap_err(), old);
        }
    }
}
