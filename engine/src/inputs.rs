//! The rows storage reads for a computation turned into the calculator's
//! [`Inputs`]: payments packed and sorted by content, series from the
//! chosen measurements, phases with their latest completion.

use std::collections::HashMap;

use cruscotto_calculators::{
    InputError, InputKind, InputSpec, Inputs, PaymentRows, PaymentTable, Period, PhaseProgress,
    Series,
};
use cruscotto_store::calc::{
    IndicatorValueRow, InputRows, InputsWanted, MeasurementRow, PhaseRows, StoredPayments,
};
use rust_decimal::Decimal;

use crate::error::ComputeError;

/// What one computation reads, as the calculator takes it.
#[derive(Debug)]
pub(crate) struct LoadedInputs {
    pub inputs: Inputs,
    /// Measurements that lacked the column a series asked for.
    pub skipped_measurements: u64,
    pub latest: Option<IndicatorValueRow>,
}

/// The inputs storage is asked for, from the kinds `specs` declare.
pub(crate) fn wanted(specs: &[InputSpec]) -> InputsWanted {
    let wants = |kind: InputKind| specs.iter().any(|s| s.kind == kind);
    InputsWanted {
        payments: wants(InputKind::Payments),
        measurements: wants(InputKind::Series),
        phases: wants(InputKind::Phases),
    }
}

/// The calculator's inputs from the rows read for `specs` and `period`.
pub(crate) fn build(
    specs: &[InputSpec],
    period: &Period,
    rows: InputRows,
) -> Result<LoadedInputs, ComputeError> {
    let mut inputs = Inputs::default();
    if let Some(parts) = rows.payments {
        inputs.payments = Some(payment_table(parts)?);
    }
    let mut skipped_measurements = 0;
    if specs.iter().any(|s| s.kind == InputKind::Series) {
        let chosen = choose_measurements(period, rows.measurements);
        let (series, skipped) = series_inputs(specs, &chosen)?;
        inputs.series.extend(series);
        skipped_measurements = skipped;
    }
    if let Some(phases) = rows.phases {
        inputs.phases = phase_inputs(phases).into_iter().map(|(p, _)| p).collect();
    }
    Ok(LoadedInputs {
        inputs,
        skipped_measurements,
        latest: rows.latest,
    })
}

/// The payments of every part, sorted by content (payment, due and invoice
/// day, suspended days, amount) so that the input fingerprint does not
/// depend on the order rows come back in. Several parts (a large table read
/// on two connections) are packed and sorted on a thread each, then merged.
pub fn payment_table(parts: Vec<StoredPayments>) -> Result<PaymentTable, InputError> {
    let packed: Vec<PaymentRows> = if parts.len() < 2 {
        parts.into_iter().map(packed).collect()
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = parts
                .into_iter()
                .map(|part| s.spawn(move || packed(part)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    };
    PaymentRows::into_table(packed)
}

/// One part's rows packed into their sort keys, sorted.
fn packed(part: StoredPayments) -> PaymentRows {
    let mut rows = PaymentRows::with_capacity(part.len());
    for (amount, invoice, due, payment, suspended) in part.rows() {
        rows.push(amount, invoice, due, payment, suspended);
    }
    rows.sort();
    rows
}

/// Which of the measurements contained in `period` feed a computation: the
/// one recorded for exactly that period when there is one; otherwise those
/// of the coarsest granularity present (quarters before months). A figure is
/// thus never counted twice, for example a year's published value next to
/// its quarters. Measurements whose period does not parse are left out.
pub fn choose_measurements(period: &Period, rows: Vec<MeasurementRow>) -> Vec<MeasurementRow> {
    let parsed: Vec<(Period, MeasurementRow)> = rows
        .into_iter()
        .filter_map(|m| Some((m.period.parse::<Period>().ok()?, m)))
        .filter(|(p, _)| period.start() <= p.start() && p.end() <= period.end())
        .collect();
    if let Some(exact) = parsed.iter().position(|(p, _)| p == period) {
        return parsed
            .into_iter()
            .nth(exact)
            .map(|(_, m)| m)
            .into_iter()
            .collect();
    }
    let coarsest = parsed.iter().map(|(p, _)| p.kind()).max();
    parsed
        .into_iter()
        .filter(|(p, _)| Some(p.kind()) == coarsest)
        .map(|(_, m)| m)
        .collect()
}

/// The column of a measurement a series input reads.
fn measurement_column(name: &str, m: &MeasurementRow) -> Option<Decimal> {
    match name {
        "numerator" => m.numerator,
        "denominator" => m.denominator,
        _ => Some(m.value),
    }
}

/// Builds the series inputs a descriptor asks for from the chosen
/// measurements; returns them and how many observations lacked their column.
pub(crate) fn series_inputs(
    specs: &[InputSpec],
    chosen: &[MeasurementRow],
) -> Result<(Vec<(String, Series)>, u64), ComputeError> {
    let mut out = Vec::new();
    let mut skipped = 0;
    for spec in specs.iter().filter(|s| s.kind == InputKind::Series) {
        let mut series = Series::new();
        for m in chosen {
            match measurement_column(&spec.name, m) {
                Some(value) => series.push(m.period_end, value),
                None => skipped += 1,
            }
        }
        out.push((spec.name.clone(), series));
    }
    Ok((out, skipped))
}

/// Every phase with its weight and its latest completion (0 without one),
/// and whether any progress was recorded for it. `progress` is ordered by
/// period end.
pub fn phase_inputs(rows: PhaseRows) -> Vec<(PhaseProgress, bool)> {
    let mut latest: HashMap<i32, i32> = HashMap::new();
    for (phase_id, bp) in rows.progress {
        latest.insert(phase_id, bp);
    }
    rows.phases
        .into_iter()
        .map(|phase| {
            let recorded = latest.get(&phase.id).copied();
            (
                PhaseProgress {
                    code: phase.code,
                    weight: bp_to_percent(phase.weight_bp.unwrap_or(0)),
                    completion_percent: bp_to_percent(recorded.unwrap_or(0)),
                },
                recorded.is_some(),
            )
        })
        .collect()
}

fn bp_to_percent(bp: i32) -> Decimal {
    Decimal::new(i64::from(bp), 2).normalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cruscotto_store::calc::PhaseRow;

    fn m(period: &str, value: &str) -> MeasurementRow {
        let p: Period = period.parse().unwrap();
        MeasurementRow {
            period: period.into(),
            period_end: p.end(),
            value: value.parse().unwrap(),
            numerator: None,
            denominator: None,
        }
    }

    fn periods(rows: &[MeasurementRow]) -> Vec<&str> {
        rows.iter().map(|r| r.period.as_str()).collect()
    }

    #[test]
    fn a_measurement_of_exactly_the_period_wins_over_its_parts() {
        let year: Period = "2020".parse().unwrap();
        let chosen = choose_measurements(
            &year,
            vec![m("2020-Q1", "1"), m("2020", "9"), m("2020-Q2", "2")],
        );
        assert_eq!(periods(&chosen), ["2020"]);
    }

    #[test]
    fn without_an_exact_measurement_quarters_are_used_before_months() {
        let year: Period = "2020".parse().unwrap();
        let chosen = choose_measurements(
            &year,
            vec![
                m("2020-Q1", "1"),
                m("2020-01", "5"),
                m("2020-Q2", "2"),
                m("2021-Q1", "7"),
            ],
        );
        assert_eq!(periods(&chosen), ["2020-Q1", "2020-Q2"]);
        let q1: Period = "2020-Q1".parse().unwrap();
        assert_eq!(
            periods(&choose_measurements(
                &q1,
                vec![m("2020-01", "5"), m("2020-02", "6")]
            )),
            ["2020-01", "2020-02"]
        );
    }

    #[test]
    fn phases_without_progress_count_zero_and_the_latest_progress_wins() {
        let phase = |id, code: &str, weight_bp| PhaseRow {
            id,
            code: code.into(),
            weight_bp: Some(weight_bp),
        };
        let phases = phase_inputs(PhaseRows {
            phases: vec![phase(1, "A.1.1", 3000), phase(2, "A.1.2", 7000)],
            progress: vec![(1, 5000), (1, 10000)],
        });
        assert_eq!(phases[0].0.completion_percent, Decimal::ONE_HUNDRED);
        assert!(phases[0].1);
        assert_eq!(phases[1].0.completion_percent, Decimal::ZERO);
        assert!(!phases[1].1);
        assert_eq!(phases[1].0.weight, Decimal::from(70));
    }

    #[test]
    fn parts_sorted_on_their_threads_give_the_table_of_one_part() {
        let mut a = StoredPayments::new();
        let mut b = StoredPayments::new();
        let mut whole = StoredPayments::new();
        for i in 0..1000i32 {
            let row = (
                i64::from(i * 37 % 501) - 250,
                18_000 + i % 97,
                18_100 + i % 53,
                18_200 + i * 7 % 301,
                i % 5,
            );
            let part = if i % 3 == 0 { &mut a } else { &mut b };
            part.push(row.0, row.1, row.2, row.3, row.4);
            whole.push(row.0, row.1, row.2, row.3, row.4);
        }
        let split = payment_table(vec![a, b]).unwrap();
        let single = payment_table(vec![whole]).unwrap();
        let (s, w) = (split.columns(), single.columns());
        assert_eq!(s.amount_cents, w.amount_cents);
        assert_eq!(s.invoice_date, w.invoice_date);
        assert_eq!(s.due_date, w.due_date);
        assert_eq!(s.payment_date, w.payment_date);
        assert_eq!(s.suspended_days, w.suspended_days);
        assert!(s.payment_date.windows(2).all(|w| w[0] <= w[1]));
    }
}
