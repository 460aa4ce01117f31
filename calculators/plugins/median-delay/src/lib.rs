//! Example plugin: the median payment delay, in days, of invoices paid in the period.
//!
//! The median is unweighted: every invoice counts once whatever its amount.
//! Delay = payment date − due date − suspended days; a missing due date
//! defaults to invoice date + `default_term_days` (30). With an even count
//! the median is the mean of the two middle delays.
use cruscotto_calculator_sdk::{
    export_calculator, param_i64, serde_json, Batch, CalculatorPlugin, Decimal, Output, Period,
};

#[derive(Default)]
pub struct MedianDelay;

impl CalculatorPlugin for MedianDelay {
    const ID: &'static str = "median_payment_delay";
    const VERSION: &'static str = "1.0.0";
    const MANIFEST: &'static str = r#"{"description": "Median payment delay (days, unweighted) of invoices paid in the period",
        "inputs": [{"name": "payments", "kind": "payments"}], "unit": "days", "direction": "lower_is_better",
        "params": [{"name": "default_term_days", "kind": "integer", "default": 30}]}"#;

    fn compute(
        &self,
        batch: &Batch<'_>,
        period: &Period,
        params: &serde_json::Value,
    ) -> Result<Output, String> {
        let term = param_i64(params, "default_term_days", 30)? as i32;
        let (inv, due, paid) = (
            batch.date32("invoice_date")?,
            batch.date32("due_date")?,
            batch.date32("payment_date")?,
        );
        let suspended = batch.int32("suspended_days")?;
        let mut delays: Vec<i64> = (0..batch.len())
            .filter_map(|i| {
                let paid = paid.get(i).filter(|d| period.contains(*d))?;
                let due = due.get(i).or_else(|| inv.get(i).map(|d| d + term))?;
                Some(i64::from(paid - due - suspended.get(i).unwrap_or(0)))
            })
            .collect();
        delays.sort_unstable();
        let n = delays.len();
        let value = match n {
            0 => None,
            _ if n % 2 == 1 => Some(Decimal::from(delays[n / 2])),
            _ => Some(Decimal::from(delays[n / 2 - 1] + delays[n / 2]) / Decimal::from(2)),
        };
        Ok(Output {
            value,
            records_used: n as u64,
            ..Output::default()
        })
    }
}

export_calculator!(MedianDelay);
