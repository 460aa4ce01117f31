//! Payment timeliness (ITP, DPCM 22/9/2014 art. 9) as a plugin, so the
//! benchmark can time the ABI path on the same columns as the built-in.
//!
//! It reads the raw value buffers and relies on the host writing
//! `abi::NULL_DAY` under null dates, which keeps the loop branch-free.
use cruscotto_calculator_sdk::abi::NULL_DAY;
use cruscotto_calculator_sdk::{
    export_calculator, param_i64, serde_json, Batch, CalculatorPlugin, Decimal, Output, Period,
};

#[derive(Default)]
pub struct Itp;

impl CalculatorPlugin for Itp {
    const ID: &'static str = "itp_plugin";
    const VERSION: &'static str = "1.0.0";
    const MANIFEST: &'static str = r#"{"description": "Payment timeliness (DPCM 22/9/2014 art. 9) computed in a plugin",
        "inputs": [{"name": "payments", "kind": "payments"}], "unit": "days", "direction": "lower_is_better",
        "aggregation": "ratio", "params": [{"name": "default_term_days", "kind": "integer", "default": 30}]}"#;

    fn compute(
        &self,
        batch: &Batch<'_>,
        period: &Period,
        params: &serde_json::Value,
    ) -> Result<Output, String> {
        let term = param_i64(params, "default_term_days", 30)? as i32;
        let amount = batch.int64("amount_cents")?.values();
        let inv = batch.date32("invoice_date")?.values();
        let due = batch.date32("due_date")?.values();
        let paid = batch.date32("payment_date")?.values();
        let susp = batch.int32("suspended_days")?.values();
        let (mut num, mut den, mut used) = (0i128, 0i128, 0u64);
        for ((((&a, &inv), &due), &paid), &susp) in
            amount.iter().zip(inv).zip(due).zip(paid).zip(susp)
        {
            let due = if due == NULL_DAY {
                inv.wrapping_add(term)
            } else {
                due
            };
            let ok =
                period.start <= paid && paid <= period.end && due != NULL_DAY.wrapping_add(term);
            let a = if ok { a } else { 0 };
            num += i128::from(a * (i64::from(paid) - i64::from(due) - i64::from(susp)));
            den += i128::from(a);
            used += u64::from(ok);
        }
        let numerator = Decimal::try_from_i128_with_scale(num, 2).map_err(|e| e.to_string())?;
        let denominator = Decimal::try_from_i128_with_scale(den, 2).map_err(|e| e.to_string())?;
        let value = (den != 0).then(|| numerator / denominator);
        Ok(Output {
            value,
            components: Some((numerator, denominator)),
            records_used: used,
            ..Output::default()
        })
    }
}

export_calculator!(Itp);
