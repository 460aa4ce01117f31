//! Test plugin: calls `abort()` inside `compute` (SIGABRT), which no
//! `catch_unwind` can stop, to prove it ends only its worker process.
use cruscotto_calculator_sdk::{
    export_calculator, serde_json, Batch, CalculatorPlugin, Output, Period,
};

#[derive(Default)]
pub struct Abort;

impl CalculatorPlugin for Abort {
    const ID: &'static str = "broken_abort";
    const VERSION: &'static str = "0.1.0";
    const MANIFEST: &'static str = r#"{"description": "Aborts", "inputs": [{"name": "payments", "kind": "payments"}],
        "unit": "days", "direction": "lower_is_better"}"#;

    fn compute(
        &self,
        _batch: &Batch<'_>,
        _period: &Period,
        _params: &serde_json::Value,
    ) -> Result<Output, String> {
        std::process::abort()
    }
}

export_calculator!(Abort);
