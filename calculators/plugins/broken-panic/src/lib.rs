//! Test plugin: panics inside `compute`, to prove the SDK turns a panic into an error.
use cruscotto_calculator_sdk::{
    export_calculator, serde_json, Batch, CalculatorPlugin, Output, Period,
};

#[derive(Default)]
pub struct Panics;

impl CalculatorPlugin for Panics {
    const ID: &'static str = "broken_panic";
    const VERSION: &'static str = "0.1.0";
    const MANIFEST: &'static str = r#"{"description": "Always panics", "inputs": [{"name": "payments", "kind": "payments"}],
        "unit": "days", "direction": "lower_is_better"}"#;

    fn compute(
        &self,
        _batch: &Batch<'_>,
        _period: &Period,
        _params: &serde_json::Value,
    ) -> Result<Output, String> {
        panic!("deliberate panic inside compute");
    }
}

export_calculator!(Panics);
