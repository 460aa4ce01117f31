//! Test plugin: sleeps for `sleep_ms` milliseconds (default one minute) before
//! answering, to prove the host cuts off a computation that runs too long.
use cruscotto_calculator_sdk::{
    export_calculator, param_i64, serde_json, Batch, CalculatorPlugin, Decimal, Output, Period,
};

#[derive(Default)]
pub struct Slow;

impl CalculatorPlugin for Slow {
    const ID: &'static str = "broken_slow";
    const VERSION: &'static str = "0.1.0";
    const MANIFEST: &'static str = r#"{"description": "Sleeps, then answers 0", "inputs": [{"name": "payments", "kind": "payments"}],
        "unit": "days", "direction": "lower_is_better",
        "params": [{"name": "sleep_ms", "kind": "integer", "default": 60000}]}"#;

    fn compute(
        &self,
        _batch: &Batch<'_>,
        _period: &Period,
        params: &serde_json::Value,
    ) -> Result<Output, String> {
        let ms = param_i64(params, "sleep_ms", 60_000)?.max(0) as u64;
        std::thread::sleep(std::time::Duration::from_millis(ms));
        Ok(Output {
            value: Some(Decimal::ZERO),
            ..Output::default()
        })
    }
}

export_calculator!(Slow);
