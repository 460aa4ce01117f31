//! The built-in calculators: payment timeliness (DPCM 22/9/2014 art. 9), the
//! annual delay indicator (L. 145/2018), ratios, counts, sums and
//! phase-weighted completion.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::contract::{
    param_bool, param_i64, Aggregation, CalcResult, Calculator, CalculatorError, Components,
    Descriptor, Direction, InputKind, InputSpec, ParamSpec, Source, Unit,
};
use crate::inputs::{Inputs, PaymentColumns, PaymentTable, Series};
use crate::period::{Period, NULL_DAY};

/// Implements [`Calculator`] for a built-in that keeps its descriptor in its
/// field `descriptor`: `compute` runs the body given, over the names the
/// call gives the receiver, the inputs, the period and the parameters.
macro_rules! calculator {
    ($t:ty, |$this:ident, $inputs:pat_param, $period:pat_param, $params:pat_param| $body:block) => {
        impl Calculator for $t {
            fn descriptor(&self) -> &Descriptor {
                &self.descriptor
            }

            fn compute(
                &$this,
                $inputs: &Inputs,
                $period: &Period,
                $params: &serde_json::Value,
            ) -> Result<CalcResult, CalculatorError> $body
        }
    };
}

/// Every built-in calculator, ready for a registry.
pub fn all() -> Vec<Arc<dyn Calculator>> {
    vec![
        Arc::new(PaymentTimeliness::new()),
        Arc::new(PaymentDelayL145::new()),
        Arc::new(SeriesRatio::new(true)),
        Arc::new(SeriesRatio::new(false)),
        Arc::new(SeriesTotal::new(TotalKind::Count)),
        Arc::new(SeriesTotal::new(TotalKind::Sum)),
        Arc::new(PhaseCompletion::new()),
    ]
}

fn descriptor(
    id: &str,
    description: &str,
    inputs: Vec<InputSpec>,
    params: Vec<ParamSpec>,
    unit: Unit,
    direction: Direction,
    aggregation: Aggregation,
) -> Descriptor {
    Descriptor {
        id: id.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        description: description.into(),
        inputs,
        params,
        unit,
        direction,
        aggregation,
        source: Source::Builtin,
    }
}

fn input(name: &str, kind: InputKind, description: &str) -> InputSpec {
    InputSpec {
        name: name.into(),
        kind,
        description: description.into(),
    }
}

fn default_term_param() -> ParamSpec {
    ParamSpec {
        name: "default_term_days".into(),
        kind: "integer".into(),
        default: serde_json::json!(DEFAULT_TERM_DAYS),
        description: "Days after the invoice date used as due date when an invoice has none".into(),
    }
}

/// The legal default payment term (D.Lgs. 231/2002 art. 4): 30 days.
pub const DEFAULT_TERM_DAYS: i64 = 30;

fn default_term(params: &serde_json::Value) -> Result<i32, CalculatorError> {
    let term = param_i64(params, "default_term_days", DEFAULT_TERM_DAYS)?;
    i32::try_from(term)
        .ok()
        .filter(|t| (0..=3650).contains(t))
        .ok_or_else(|| CalculatorError::InvalidParam {
            name: "default_term_days".into(),
            message: format!("must be between 0 and 3650, found {term}"),
        })
}

fn payments(inputs: &Inputs) -> Result<&PaymentTable, CalculatorError> {
    inputs
        .payments
        .as_ref()
        .ok_or_else(|| CalculatorError::MissingInput("payments".into()))
}

/// Converts a sum of cents (or cent-days) into euros (euro-days), exactly.
fn euros(cents: i128) -> Result<Decimal, CalculatorError> {
    Decimal::try_from_i128_with_scale(cents, 2).map_err(|_| CalculatorError::Overflow)
}

/// Totals of the timeliness kernel over a slice of invoices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimelinessTotals {
    /// Σ amount (cents) × delay (days).
    pub weighted_days: i128,
    /// Σ amount (cents).
    pub amount: i128,
    /// Invoices paid in the period and used.
    pub used: u64,
    /// Invoices paid in the period with neither a due date nor an invoice date.
    pub excluded: u64,
    /// Used invoices whose due date was defaulted.
    pub defaulted: u64,
}

impl std::ops::Add for TimelinessTotals {
    type Output = Self;

    fn add(self, o: Self) -> Self {
        Self {
            weighted_days: self.weighted_days + o.weighted_days,
            amount: self.amount + o.amount,
            used: self.used + o.used,
            excluded: self.excluded + o.excluded,
            defaulted: self.defaulted + o.defaulted,
        }
    }
}

/// The timeliness kernel: one pass over the columns, no branches on data
/// except the ones the compiler turns into selects.
///
/// Rows are invoices whose payment date falls in `[start, end]`; the delay is
/// payment − due − suspended days; a missing due date becomes invoice date +
/// `term`. Amounts times days fit in `i64` thanks to the bounds
/// [`PaymentTable`] enforces; the sums are `i128`.
pub fn timeliness_kernel(
    cols: PaymentColumns<'_>,
    start: i32,
    end: i32,
    term: i32,
) -> TimelinessTotals {
    // Products are accumulated in `i64` per block and folded into `i128`
    // once per block, which keeps the inner loop free of 128-bit arithmetic.
    // To stay exact, the amount is split as `hi × 2^24 + lo` with
    // `0 ≤ lo < 2^24`: with |days| < 2^18 (dates within 1900-2199 and at most
    // 100,000 suspended days) and |amount| ≤ 10^13 < 2^44, each `lo × days`
    // is below 2^42 and each `hi × days` below 2^38, so a block of 4,096
    // rows sums below 2^54 in either accumulator.
    const BLOCK: usize = 4096;
    let n = cols.amount_cents.len();
    let mut t = TimelinessTotals::default();
    let mut from = 0;
    while from < n {
        let to = (from + BLOCK).min(n);
        let amount = &cols.amount_cents[from..to];
        let inv = &cols.invoice_date[from..to];
        let due = &cols.due_date[from..to];
        let paid = &cols.payment_date[from..to];
        let susp = &cols.suspended_days[from..to];
        let (mut lo, mut hi, mut total) = (0i64, 0i64, 0i64);
        let (mut used, mut excluded, mut defaulted) = (0u64, 0u64, 0u64);
        for i in 0..amount.len() {
            let p = paid[i];
            let in_period = start <= p && p <= end;
            let no_due = due[i] == NULL_DAY;
            let unusable = no_due && inv[i] == NULL_DAY;
            let effective_due = if no_due {
                inv[i].wrapping_add(term)
            } else {
                due[i]
            };
            let ok = in_period && !unusable;
            let a = if ok { amount[i] } else { 0 };
            // Rows that are not used have a = 0, so their (possibly huge) day
            // difference never reaches the sums.
            let days = if ok {
                i64::from(p) - i64::from(effective_due) - i64::from(susp[i])
            } else {
                0
            };
            lo += (a & 0xFF_FFFF) * days;
            hi += (a >> 24) * days;
            total += a;
            used += u64::from(ok);
            excluded += u64::from(in_period && unusable);
            defaulted += u64::from(ok && no_due);
        }
        t.weighted_days += (i128::from(hi) << 24) + i128::from(lo);
        t.amount += i128::from(total);
        t.used += used;
        t.excluded += excluded;
        t.defaulted += defaulted;
        from = to;
    }
    t
}

/// Runs [`timeliness_kernel`] on all cores for large tables. Below a million
/// rows a thread costs more than it saves.
pub fn timeliness_parallel(
    cols: PaymentColumns<'_>,
    start: i32,
    end: i32,
    term: i32,
) -> TimelinessTotals {
    const MIN_CHUNK: usize = 1 << 20;
    let n = cols.amount_cents.len();
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(n / MIN_CHUNK)
        .max(1);
    if threads == 1 {
        return timeliness_kernel(cols, start, end, term);
    }
    let chunk = n.div_ceil(threads);
    let slice = |from: usize| {
        let to = (from + chunk).min(n);
        PaymentColumns {
            amount_cents: &cols.amount_cents[from..to],
            invoice_date: &cols.invoice_date[from..to],
            due_date: &cols.due_date[from..to],
            payment_date: &cols.payment_date[from..to],
            suspended_days: &cols.suspended_days[from..to],
        }
    };
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|from| {
                let part = slice(from);
                s.spawn(move || timeliness_kernel(part, start, end, term))
            })
            .collect();
        handles
            .into_iter()
            // A kernel cannot panic (no indexing past n, no checked arithmetic),
            // so a join error cannot occur; the fallback keeps the signature total.
            .map(|h| h.join().unwrap_or_default())
            .fold(TimelinessTotals::default(), |a, b| a + b)
    })
}

/// Payment timeliness (indicatore di tempestività dei pagamenti, ITP), DPCM
/// 22 settembre 2014 art. 9.
///
/// Over the invoices whose payment date falls in the period:
/// `Σ amount × (payment date − due date − suspended days) / Σ amount`, in
/// calendar days. Early payments count negative. A missing due date becomes
/// invoice date + `default_term_days` (default 30); the result reports how
/// many were defaulted. Invoices with neither date are excluded and counted.
/// Components are kept (euro × days and euro) so a year is re-aggregated
/// from its quarters, never averaged.
#[derive(Debug)]
pub struct PaymentTimeliness {
    descriptor: Descriptor,
}

impl PaymentTimeliness {
    /// The calculator.
    pub fn new() -> Self {
        Self {
            descriptor: descriptor(
                "payment_timeliness",
                "Payment timeliness (DPCM 22/9/2014 art. 9): amount-weighted days between due date and payment date of the invoices paid in the period, early payments negative",
                vec![input("payments", InputKind::Payments, "Invoice-level payment records")],
                vec![default_term_param()],
                Unit::Days,
                Direction::LowerIsBetter,
                Aggregation::Ratio,
            ),
        }
    }
}

impl Default for PaymentTimeliness {
    fn default() -> Self {
        Self::new()
    }
}

calculator!(PaymentTimeliness, |self, inputs, period, params| {
    let term = default_term(params)?;
    let table = payments(inputs)?;
    let t = timeliness_parallel(table.columns(), period.start_day(), period.end_day(), term);
    let components = Components {
        numerator: euros(t.weighted_days)?,
        denominator: euros(t.amount)?,
        multiplier: Decimal::ONE,
    };
    let mut result = CalcResult::from_components(
        components,
        "no invoice with a non-zero amount was paid in the period",
    )
    .with_records(t.used, t.excluded);
    if t.defaulted > 0 {
        result = result.with_diagnostic(
            "defaulted_due_date",
            format!(
                "{} invoices had no due date; invoice date + {term} days was used",
                t.defaulted
            ),
        );
    }
    if t.excluded > 0 {
        result = result.with_diagnostic(
            "missing_dates",
            format!("{} invoices paid in the period had neither a due date nor an invoice date and were left out", t.excluded),
        );
    }
    Ok(result)
});

/// The annual delay indicator of L. 145/2018, commi 859-861 (indicatore di
/// ritardo annuale dei pagamenti).
///
/// Rule implemented, from comma 859 letter b) and comma 861: the indicator
/// is computed over the invoices *received and fallen due in the period*,
/// including those still unpaid, as the mean of the delays weighted by the
/// amount due (comma 861: "tempi di pagamento e ritardo … calcolati sulle
/// fatture … scadute … come media ponderata"), and the national platform
/// (PCC) produces it. So, for each invoice whose due date (defaulted to
/// invoice date + `default_term_days` when missing) falls in the period:
///
/// - delay = (payment date, or the period's last day when unpaid or paid
///   after the period) − due date − suspended days;
/// - value = Σ amount × delay / Σ amount.
///
/// Early payments: by default they count negative, as in the ITP (DPCM
/// 22/9/2014 art. 9) whose formula the platform uses for both indicators, and
/// as the negative delays PCC publishes for administrations that pay early.
/// Clamping them to zero would make the indicator unable to show that early
/// payments offset late ones, which is what the weighted mean is for; set
/// `clamp_early_to_zero: true` for administrations whose rules count only
/// actual lateness.
#[derive(Debug)]
pub struct PaymentDelayL145 {
    descriptor: Descriptor,
}

impl PaymentDelayL145 {
    /// The calculator.
    pub fn new() -> Self {
        Self {
            descriptor: descriptor(
                "payment_delay_l145",
                "Annual payment delay (L. 145/2018 c. 859-861): amount-weighted days past due of invoices fallen due in the period, unpaid ones counted to the period end",
                vec![input("payments", InputKind::Payments, "Invoice-level payment records")],
                vec![
                    default_term_param(),
                    ParamSpec {
                        name: "clamp_early_to_zero".into(),
                        kind: "boolean".into(),
                        default: serde_json::json!(false),
                        description: "Count payments made before the due date as 0 days instead of negative".into(),
                    },
                ],
                Unit::Days,
                Direction::LowerIsBetter,
                Aggregation::Ratio,
            ),
        }
    }
}

impl Default for PaymentDelayL145 {
    fn default() -> Self {
        Self::new()
    }
}

calculator!(PaymentDelayL145, |self, inputs, period, params| {
    let term = default_term(params)?;
    let clamp = param_bool(params, "clamp_early_to_zero", false)?;
    let cols = payments(inputs)?.columns();
    let (start, end) = (period.start_day(), period.end_day());
    let (mut num, mut den) = (0i128, 0i128);
    let (mut used, mut excluded, mut defaulted, mut unpaid) = (0u64, 0u64, 0u64, 0u64);
    for i in 0..cols.amount_cents.len() {
        let no_due = cols.due_date[i] == NULL_DAY;
        let due = if no_due {
            if cols.invoice_date[i] == NULL_DAY {
                // Without any date the invoice cannot be placed in a period;
                // it is not counted as excluded because it may not be in scope.
                continue;
            }
            cols.invoice_date[i] + term
        } else {
            cols.due_date[i]
        };
        if !(start <= due && due <= end) {
            continue;
        }
        let paid = cols.payment_date[i];
        let until = if paid == NULL_DAY || paid > end {
            unpaid += 1;
            end
        } else {
            paid
        };
        let mut days = i64::from(until) - i64::from(due) - i64::from(cols.suspended_days[i]);
        if clamp {
            days = days.max(0);
        }
        let amount = cols.amount_cents[i];
        if amount == 0 {
            excluded += 1;
            continue;
        }
        num += i128::from(amount * days);
        den += i128::from(amount);
        used += 1;
        defaulted += u64::from(no_due);
    }
    let components = Components {
        numerator: euros(num)?,
        denominator: euros(den)?,
        multiplier: Decimal::ONE,
    };
    let mut result = CalcResult::from_components(
        components,
        "no invoice with a non-zero amount fell due in the period",
    )
    .with_records(used, excluded);
    if defaulted > 0 {
        result = result.with_diagnostic(
            "defaulted_due_date",
            format!("{defaulted} invoices had no due date; invoice date + {term} days was used"),
        );
    }
    if unpaid > 0 {
        result = result.with_diagnostic(
            "unpaid_at_period_end",
            format!(
                "{unpaid} invoices were unpaid at the period end; their delay runs to {}",
                period.end()
            ),
        );
    }
    Ok(result)
});

fn series<'a>(inputs: &'a Inputs, name: &str) -> Result<&'a Series, CalculatorError> {
    inputs
        .series
        .get(name)
        .ok_or_else(|| CalculatorError::MissingInput(name.into()))
}

/// `ratio_percent` (Σ numerator / Σ denominator × 100) and `ratio` (without
/// × 100), over the observations of the series `numerator` and `denominator`
/// dated in the period. A zero denominator gives "no data".
#[derive(Debug)]
pub struct SeriesRatio {
    descriptor: Descriptor,
    multiplier: Decimal,
}

impl SeriesRatio {
    /// `ratio_percent` when `percent`, `ratio` otherwise.
    pub fn new(percent: bool) -> Self {
        let (id, description, unit, multiplier) = if percent {
            (
                "ratio_percent",
                "Sum of the numerator over sum of the denominator in the period, times 100",
                Unit::Percent,
                Decimal::ONE_HUNDRED,
            )
        } else {
            (
                "ratio",
                "Sum of the numerator over sum of the denominator in the period",
                Unit::Ratio,
                Decimal::ONE,
            )
        };
        Self {
            descriptor: descriptor(
                id,
                description,
                vec![
                    input(
                        "numerator",
                        InputKind::Series,
                        "Observations summed into the numerator",
                    ),
                    input(
                        "denominator",
                        InputKind::Series,
                        "Observations summed into the denominator",
                    ),
                ],
                vec![],
                unit,
                Direction::HigherIsBetter,
                Aggregation::Ratio,
            ),
            multiplier,
        }
    }
}

calculator!(SeriesRatio, |self, inputs, period, _params| {
    let (numerator, n_num) = series(inputs, "numerator")?.total_in(period);
    let (denominator, n_den) = series(inputs, "denominator")?.total_in(period);
    let components = Components {
        numerator,
        denominator,
        multiplier: self.multiplier,
    };
    Ok(
        CalcResult::from_components(components, "the denominator is zero in the period")
            .with_records(n_num + n_den, 0),
    )
});

/// Which total a [`SeriesTotal`] computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalKind {
    /// `count`: the series `items`, one observation per record (value 1) or per count.
    Count,
    /// `sum`: the series `values`.
    Sum,
}

/// `count` and `sum`: the total of a series' observations dated in the
/// period. An empty period gives 0, not "no data": zero records is a real count.
#[derive(Debug)]
pub struct SeriesTotal {
    descriptor: Descriptor,
    input: &'static str,
}

impl SeriesTotal {
    /// The calculator of the given kind.
    pub fn new(kind: TotalKind) -> Self {
        let (id, input_name, description, unit) = match kind {
            TotalKind::Count => (
                "count",
                "items",
                "Number of records in the period (sum of their counts; a record counts 1)",
                Unit::Count,
            ),
            TotalKind::Sum => (
                "sum",
                "values",
                "Sum of the values observed in the period",
                Unit::Number,
            ),
        };
        Self {
            descriptor: descriptor(
                id,
                description,
                vec![input(input_name, InputKind::Series, "Dated observations")],
                vec![],
                unit,
                Direction::HigherIsBetter,
                Aggregation::Sum,
            ),
            input: input_name,
        }
    }
}

calculator!(SeriesTotal, |self, inputs, period, _params| {
    let (total, n) = series(inputs, self.input)?.total_in(period);
    Ok(CalcResult::value(total).with_records(n, 0))
});

/// `phase_completion`: Σ weight × completion% / Σ weight over an objective's
/// phases. The period is not used: phases carry their latest completion.
#[derive(Debug)]
pub struct PhaseCompletion {
    descriptor: Descriptor,
}

impl PhaseCompletion {
    /// The calculator.
    pub fn new() -> Self {
        Self {
            descriptor: descriptor(
                "phase_completion",
                "Phase-weighted completion of an objective: sum of weight × completion over sum of weights",
                vec![input("phases", InputKind::Phases, "Phases with weight and completion percent")],
                vec![],
                Unit::Percent,
                Direction::HigherIsBetter,
                Aggregation::Recompute,
            ),
        }
    }
}

impl Default for PhaseCompletion {
    fn default() -> Self {
        Self::new()
    }
}

calculator!(PhaseCompletion, |self, inputs, _period, _params| {
    let mut numerator = Decimal::ZERO;
    let mut denominator = Decimal::ZERO;
    let mut excluded = 0;
    for phase in &inputs.phases {
        let valid = phase.weight >= Decimal::ZERO
            && (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&phase.completion_percent);
        if !valid {
            excluded += 1;
            continue;
        }
        numerator += phase.weight * phase.completion_percent;
        denominator += phase.weight;
    }
    let components = Components {
        numerator,
        denominator,
        multiplier: Decimal::ONE,
    };
    let mut result =
        CalcResult::from_components(components, "the objective has no phases with a weight")
            .with_records(inputs.phases.len() as u64 - excluded, excluded);
    if excluded > 0 {
        result = result.with_diagnostic(
            "invalid_phase",
            format!("{excluded} phases had a negative weight or a completion outside 0-100 and were left out"),
        );
    }
    Ok(result)
});
