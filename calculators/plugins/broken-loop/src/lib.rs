//! Test plugin: a computation that never ends and keeps a CPU busy, to
//! prove the host stops it on the timeout and nothing is left spinning.
use cruscotto_calculator_sdk::{
    export_calculator, serde_json, Batch, CalculatorPlugin, Output, Period,
};

#[derive(Default)]
pub struct Loop;

impl CalculatorPlugin for Loop {
    const ID: &'static str = "broken_loop";
    const VERSION: &'static str = "0.1.0";
    const MANIFEST: &'static str = r#"{"description": "Loops forever", "inputs": [{"name": "payments", "kind": "payments"}],
        "unit": "days", "direction": "lower_is_better"}"#;

    fn compute(
        &self,
        _batch: &Batch<'_>,
        _period: &Period,
        _params: &serde_json::Value,
    ) -> Result<Output, String> {
        let mut n: u64 = 0;
        loop {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }
}

export_calculator!(Loop);
