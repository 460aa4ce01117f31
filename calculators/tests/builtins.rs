//! Hand-worked cases for every built-in calculator, through the public API.

mod common;

use chrono::NaiveDate;
use common::{date, invoice};
use cruscotto_calculators::{
    reaggregate, Aggregation, CalcResult, CalculatorError, Components, Decimal, Inputs,
    PaymentTable, Period, PhaseProgress, Registry, ResultStatus, Series,
};
use serde_json::json;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn compute(
    id: &str,
    inputs: &Inputs,
    period: &str,
    params: serde_json::Value,
) -> Result<CalcResult, CalculatorError> {
    Registry::builtin().compute(id, inputs, &period.parse().unwrap(), &params)
}

/// Q1 2020, worked by hand:
/// 1000 € due 31/1 paid 10/2: +10 days; 500 € due 29/2 paid 19/2: −10 (early);
/// 200 € without due date, invoiced 15/1 → due 14/2, paid 24/2: +10;
/// 300 € due 31/1 paid 11/3 with 20 suspended days: 40 − 20 = +20;
/// 999 € paid in April and 100 € unpaid are out of the period.
/// (1000×10 − 500×10 + 200×10 + 300×20) / 2000 = 13000 / 2000 = 6.5.
fn q1_invoices() -> Inputs {
    let records = vec![
        invoice(
            1000,
            date(2020, 1, 1),
            Some(date(2020, 1, 31)),
            Some(date(2020, 2, 10)),
            0,
        ),
        invoice(
            500,
            date(2020, 1, 30),
            Some(date(2020, 2, 29)),
            Some(date(2020, 2, 19)),
            0,
        ),
        invoice(200, date(2020, 1, 15), None, Some(date(2020, 2, 24)), 0),
        invoice(
            300,
            date(2020, 1, 1),
            Some(date(2020, 1, 31)),
            Some(date(2020, 3, 11)),
            20,
        ),
        invoice(
            999,
            date(2020, 3, 1),
            Some(date(2020, 3, 31)),
            Some(date(2020, 4, 5)),
            0,
        ),
        invoice(100, date(2020, 3, 1), Some(date(2020, 3, 31)), None, 0),
    ];
    Inputs::with_payments(PaymentTable::from_records(&records).unwrap())
}

#[test]
fn payment_timeliness_weighs_delays_by_amount_with_early_payments_negative() {
    let r = compute("payment_timeliness", &q1_invoices(), "2020-Q1", json!({})).unwrap();
    assert_eq!(r.value, Some(dec("6.5")));
    let c = r.components.unwrap();
    assert_eq!((c.numerator, c.denominator), (dec("13000"), dec("2000")));
    assert_eq!(r.records_used, 4);
    assert_eq!(r.records_excluded, 0);
}

#[test]
fn payment_timeliness_reports_how_many_due_dates_it_defaulted() {
    let r = compute("payment_timeliness", &q1_invoices(), "2020-Q1", json!({})).unwrap();
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.code == "defaulted_due_date")
        .unwrap();
    assert!(
        d.message
            .starts_with("1 invoices had no due date; invoice date + 30 days"),
        "{}",
        d.message
    );
}

#[test]
fn payment_timeliness_default_term_is_a_parameter() {
    // With 60 days the 200 € invoice falls due on 15/3 and is paid 20 days early:
    // (10000 − 5000 − 4000 + 6000) / 2000 = 3.5.
    let r = compute(
        "payment_timeliness",
        &q1_invoices(),
        "2020-Q1",
        json!({"default_term_days": 60}),
    )
    .unwrap();
    assert_eq!(r.value, Some(dec("3.5")));
    let err = compute(
        "payment_timeliness",
        &q1_invoices(),
        "2020-Q1",
        json!({"default_term_days": "thirty"}),
    )
    .unwrap_err();
    assert!(matches!(err, CalculatorError::InvalidParam { .. }), "{err}");
}

#[test]
fn payment_timeliness_subtracts_suspended_days() {
    let records = [invoice(
        300,
        date(2020, 1, 1),
        Some(date(2020, 1, 31)),
        Some(date(2020, 3, 11)),
        20,
    )];
    let inputs = Inputs::with_payments(PaymentTable::from_records(&records).unwrap());
    assert_eq!(
        compute("payment_timeliness", &inputs, "2020-Q1", json!({}))
            .unwrap()
            .value,
        Some(dec("20"))
    );
}

#[test]
fn payment_timeliness_of_an_empty_period_is_no_data() {
    let r = compute("payment_timeliness", &q1_invoices(), "2020-Q3", json!({})).unwrap();
    assert_eq!(r.status, ResultStatus::NoData);
    assert_eq!(r.value, None);
    assert_eq!(r.records_used, 0);
    assert_eq!(r.diagnostics[0].code, "no_data");
}

#[test]
fn payment_timeliness_without_payments_input_is_a_missing_input_error() {
    let err = compute("payment_timeliness", &Inputs::default(), "2020", json!({})).unwrap_err();
    assert_eq!(err, CalculatorError::MissingInput("payments".into()));
}

#[test]
fn a_year_is_reaggregated_from_components_and_differs_from_the_mean_of_quarters() {
    // Q1: 100 € paid 10 days late; Q2: 900 € paid 10 days early.
    let records = [
        invoice(
            100,
            date(2020, 1, 1),
            Some(date(2020, 1, 31)),
            Some(date(2020, 2, 10)),
            0,
        ),
        invoice(
            900,
            date(2020, 4, 1),
            Some(date(2020, 5, 1)),
            Some(date(2020, 4, 21)),
            0,
        ),
    ];
    let inputs = Inputs::with_payments(PaymentTable::from_records(&records).unwrap());
    let quarters: Vec<CalcResult> = Period::year(2020)
        .unwrap()
        .quarters()
        .iter()
        .map(|q| {
            Registry::builtin()
                .compute("payment_timeliness", &inputs, q, &json!({}))
                .unwrap()
        })
        .collect();
    assert_eq!(quarters[0].value, Some(dec("10")));
    assert_eq!(quarters[1].value, Some(dec("-10")));
    let year = compute("payment_timeliness", &inputs, "2020", json!({})).unwrap();
    // (100×10 − 900×10) / 1000 = −8, while the mean of the two quarters with data is 0.
    assert_eq!(year.value, Some(dec("-8")));
    let combined = reaggregate(Aggregation::Ratio, &quarters).unwrap();
    assert_eq!(combined.value, year.value);
    assert_eq!(combined.components, year.components);
    assert_eq!(combined.records_used, 2);
}

#[test]
fn the_published_dpcm_example_reaggregates_to_minus_25_29_not_the_mean_of_quarters() {
    // Quarterly components chosen so that the quarters show the published
    // −24.38, −26.06, −29.63, −0.34 and the totals are the published
    // −1,569,359.13 (euro × days) and 62,061.91 (euro).
    let parts: Vec<CalcResult> = [
        ("-602916.67", "24729.97"),
        ("-521200.00", "20000.00"),
        ("-444450.00", "15000.00"),
        ("-792.46", "2331.94"),
    ]
    .iter()
    .map(|(n, d)| {
        CalcResult::from_components(
            Components {
                numerator: dec(n),
                denominator: dec(d),
                multiplier: Decimal::ONE,
            },
            "none",
        )
    })
    .collect();
    let quarter_values: Vec<Decimal> = parts.iter().map(|p| p.value.unwrap().round_dp(2)).collect();
    assert_eq!(
        quarter_values,
        vec![dec("-24.38"), dec("-26.06"), dec("-29.63"), dec("-0.34")]
    );
    let year = reaggregate(Aggregation::Ratio, &parts).unwrap();
    let c = year.components.unwrap();
    assert_eq!(
        (c.numerator, c.denominator),
        (dec("-1569359.13"), dec("62061.91"))
    );
    assert_eq!(year.value.unwrap().round_dp(2), dec("-25.29"));
    let mean: Decimal = quarter_values.iter().sum::<Decimal>() / Decimal::from(4);
    assert_eq!(mean.round_dp(2), dec("-20.10"));
    assert_ne!(mean.round_dp(2), year.value.unwrap().round_dp(2));
}

#[test]
fn l145_delay_counts_unpaid_invoices_to_the_period_end_and_early_payments_negative() {
    // Due in 2020: 1000 € due 30/11 paid 10/12: +10; 500 € due 20/12 unpaid: 11 days to 31/12;
    // 200 € due 1/12 paid 21/11: −10. Due in 2021 or 2019: out.
    // (10000 + 5500 − 2000) / 1700 = 7.941176…
    let records = [
        invoice(
            1000,
            date(2020, 10, 31),
            Some(date(2020, 11, 30)),
            Some(date(2020, 12, 10)),
            0,
        ),
        invoice(500, date(2020, 11, 20), Some(date(2020, 12, 20)), None, 0),
        invoice(
            200,
            date(2020, 11, 1),
            Some(date(2020, 12, 1)),
            Some(date(2020, 11, 21)),
            0,
        ),
        invoice(700, date(2020, 12, 20), Some(date(2021, 1, 19)), None, 0),
        invoice(
            800,
            date(2019, 11, 20),
            Some(date(2019, 12, 20)),
            Some(date(2020, 1, 30)),
            0,
        ),
    ];
    let inputs = Inputs::with_payments(PaymentTable::from_records(&records).unwrap());
    let r = compute("payment_delay_l145", &inputs, "2020", json!({})).unwrap();
    let c = r.components.unwrap();
    assert_eq!((c.numerator, c.denominator), (dec("13500"), dec("1700")));
    assert_eq!(r.value.unwrap().round_dp(4), dec("7.9412"));
    assert_eq!(r.records_used, 3);
    assert!(r
        .diagnostics
        .iter()
        .any(|d| d.code == "unpaid_at_period_end"));
    // Clamping early payments to zero: (10000 + 5500) / 1700.
    let clamped = compute(
        "payment_delay_l145",
        &inputs,
        "2020",
        json!({"clamp_early_to_zero": true}),
    )
    .unwrap();
    assert_eq!(clamped.components.unwrap().numerator, dec("15500"));
}

#[test]
fn l145_delay_treats_an_invoice_paid_after_the_period_as_unpaid_at_its_end() {
    // Due 20/12/2020, paid 30/1/2021: for 2020 the delay runs to 31/12 (11 days).
    let records = [invoice(
        100,
        date(2020, 11, 20),
        Some(date(2020, 12, 20)),
        Some(date(2021, 1, 30)),
        0,
    )];
    let inputs = Inputs::with_payments(PaymentTable::from_records(&records).unwrap());
    assert_eq!(
        compute("payment_delay_l145", &inputs, "2020", json!({}))
            .unwrap()
            .value,
        Some(dec("11"))
    );
}

fn ratio_inputs(num: &[(NaiveDate, i64)], den: &[(NaiveDate, i64)]) -> Inputs {
    let series = |obs: &[(NaiveDate, i64)]| {
        obs.iter()
            .fold(Series::new(), |s, (d, v)| s.with(*d, Decimal::from(*v)))
    };
    Inputs::default()
        .with_series("numerator", series(num))
        .with_series("denominator", series(den))
}

#[test]
fn ratio_percent_sums_both_series_in_the_period_before_dividing() {
    // Q1: 9 of 10 on time; Q2: 1 of 10. Year: 10/20 = 50 %, not the mean of 90 and 10… which is also 50,
    // so use uneven denominators: Q2 1 of 30 → year 10/40 = 25 %, mean of quarters 48.33 %.
    let inputs = ratio_inputs(
        &[(date(2020, 3, 31), 9), (date(2020, 6, 30), 1)],
        &[(date(2020, 3, 31), 10), (date(2020, 6, 30), 30)],
    );
    assert_eq!(
        compute("ratio_percent", &inputs, "2020-Q1", json!({}))
            .unwrap()
            .value,
        Some(dec("90"))
    );
    assert_eq!(
        compute("ratio_percent", &inputs, "2020", json!({}))
            .unwrap()
            .value,
        Some(dec("25"))
    );
    assert_eq!(
        compute("ratio", &inputs, "2020", json!({})).unwrap().value,
        Some(dec("0.25"))
    );
}

#[test]
fn a_ratio_with_a_zero_denominator_is_no_data_not_an_error() {
    let inputs = ratio_inputs(&[(date(2020, 3, 31), 5)], &[(date(2020, 3, 31), 0)]);
    for id in ["ratio_percent", "ratio"] {
        let r = compute(id, &inputs, "2020", json!({})).unwrap();
        assert_eq!(r.status, ResultStatus::NoData);
        assert_eq!(r.value, None);
        assert!(r.diagnostics[0].message.contains("denominator is zero"));
        assert_eq!(r.components.unwrap().numerator, dec("5"));
    }
}

#[test]
fn count_and_sum_total_the_observations_in_the_period() {
    let items = Series::records([date(2020, 1, 5), date(2020, 2, 5), date(2020, 7, 1)]);
    let inputs = Inputs::default().with_series("items", items);
    assert_eq!(
        compute("count", &inputs, "2020-Q1", json!({}))
            .unwrap()
            .value,
        Some(dec("2"))
    );
    assert_eq!(
        compute("count", &inputs, "2020", json!({})).unwrap().value,
        Some(dec("3"))
    );
    assert_eq!(
        compute("count", &inputs, "2021", json!({})).unwrap().value,
        Some(dec("0"))
    );
    let values = Series::new()
        .with(date(2020, 3, 1), dec("12.5"))
        .with(date(2020, 9, 1), dec("7.5"));
    let inputs = Inputs::default().with_series("values", values);
    assert_eq!(
        compute("sum", &inputs, "2020", json!({})).unwrap().value,
        Some(dec("20"))
    );
}

#[test]
fn sums_reaggregate_by_adding_values() {
    let parts = [
        CalcResult::value(dec("2")),
        CalcResult::value(dec("3")),
        CalcResult::no_data("empty"),
    ];
    assert_eq!(
        reaggregate(Aggregation::Sum, &parts).unwrap().value,
        Some(dec("5"))
    );
    assert!(reaggregate(Aggregation::Recompute, &parts).is_err());
}

#[test]
fn phase_completion_weighs_completion_by_phase_weight() {
    let phase = |code: &str, w: &str, c: &str| PhaseProgress {
        code: code.into(),
        weight: dec(w),
        completion_percent: dec(c),
    };
    let inputs = Inputs::with_phases(vec![
        phase("A.1.1", "20", "100"),
        phase("A.1.2", "30", "50"),
        phase("A.1.3", "50", "0"),
    ]);
    // (20×100 + 30×50) / 100 = 35.
    assert_eq!(
        compute("phase_completion", &inputs, "2020", json!({}))
            .unwrap()
            .value,
        Some(dec("35"))
    );
    let empty = compute("phase_completion", &Inputs::default(), "2020", json!({})).unwrap();
    assert_eq!(empty.status, ResultStatus::NoData);
}

#[test]
fn the_builtin_registry_lists_every_method_of_the_seeds() {
    let ids = Registry::builtin().ids();
    for id in [
        "payment_timeliness",
        "payment_delay_l145",
        "ratio_percent",
        "ratio",
        "count",
        "sum",
        "phase_completion",
    ] {
        assert!(ids.contains(&id.to_string()), "{id}");
    }
    let unknown = compute("nope", &Inputs::default(), "2020", json!({})).unwrap_err();
    assert_eq!(unknown, CalculatorError::UnknownCalculator("nope".into()));
}

#[test]
fn parallel_and_sequential_timeliness_kernels_agree_on_a_large_table() {
    let n = 3_000_000usize;
    let start = cruscotto_calculators::day_number(date(2020, 1, 1));
    let amount: Vec<i64> = (0..n).map(|i| (i as i64 % 997) * 100 + 1).collect();
    let inv: Vec<i32> = (0..n).map(|i| start + (i % 300) as i32).collect();
    let due: Vec<i32> = (0..n)
        .map(|i| {
            if i % 11 == 0 {
                cruscotto_calculators::NULL_DAY
            } else {
                inv[i] + 30
            }
        })
        .collect();
    let paid: Vec<i32> = (0..n)
        .map(|i| {
            if i % 13 == 0 {
                cruscotto_calculators::NULL_DAY
            } else {
                inv[i] + (i % 70) as i32
            }
        })
        .collect();
    let susp: Vec<i32> = (0..n).map(|i| (i % 5 == 0) as i32 * 3).collect();
    let table = PaymentTable::from_columns(amount, inv, due, paid, susp).unwrap();
    let (s, e) = (start, start + 365);
    let seq = cruscotto_calculators::builtin::timeliness_kernel(table.columns(), s, e, 30);
    let par = cruscotto_calculators::builtin::timeliness_parallel(table.columns(), s, e, 30);
    assert_eq!(seq, par);
    assert!(seq.used > 0 && seq.defaulted > 0);
}

#[test]
fn the_timeliness_kernel_is_exact_at_the_extremes_of_amounts_and_dates() {
    use cruscotto_calculators::builtin::timeliness_kernel;
    let first = cruscotto_calculators::day_number(date(1900, 1, 1));
    let last = cruscotto_calculators::day_number(date(2199, 12, 31));
    let max = cruscotto_calculators::MAX_ABS_AMOUNT_CENTS;
    let n = 10_000usize;
    let amount: Vec<i64> = (0..n)
        .map(|i| if i % 2 == 0 { max } else { -max + i as i64 })
        .collect();
    let inv = vec![first; n];
    let due: Vec<i32> = (0..n)
        .map(|i| if i % 3 == 0 { first } else { last })
        .collect();
    let paid: Vec<i32> = (0..n)
        .map(|i| if i % 3 == 0 { last } else { first })
        .collect();
    let susp: Vec<i32> = (0..n).map(|i| (i % 7) as i32 * 10_000).collect();
    let table =
        PaymentTable::from_columns(amount.clone(), inv, due.clone(), paid.clone(), susp.clone())
            .unwrap();
    let t = timeliness_kernel(table.columns(), first, last, 30);
    let expected: i128 = (0..n)
        .map(|i| {
            i128::from(amount[i]) * (i128::from(paid[i]) - i128::from(due[i]) - i128::from(susp[i]))
        })
        .sum();
    assert_eq!(t.weighted_days, expected);
    assert_eq!(
        t.amount,
        amount.iter().map(|a| i128::from(*a)).sum::<i128>()
    );
}
