//! Test plugin: allocates 20 GB inside `compute`, 64 MB at a time, writing
//! to every page so the memory is really used, to prove the memory limit of
//! the worker process stops it. Never load it without a limit.
use cruscotto_calculator_sdk::{
    export_calculator, serde_json, Batch, CalculatorPlugin, Decimal, Output, Period,
};

#[derive(Default)]
pub struct Memory;

const CHUNK: usize = 64 << 20;
const TOTAL: usize = 20 << 30;

impl CalculatorPlugin for Memory {
    const ID: &'static str = "broken_memory";
    const VERSION: &'static str = "0.1.0";
    const MANIFEST: &'static str = r#"{"description": "Allocates 20 GB", "inputs": [{"name": "payments", "kind": "payments"}],
        "unit": "days", "direction": "lower_is_better"}"#;

    fn compute(
        &self,
        _batch: &Batch<'_>,
        _period: &Period,
        _params: &serde_json::Value,
    ) -> Result<Output, String> {
        let mut chunks: Vec<Vec<u8>> = Vec::new();
        for _ in 0..TOTAL / CHUNK {
            chunks.push(vec![1u8; CHUNK]);
        }
        let total: usize = chunks.iter().map(|c| c.len()).sum();
        Ok(Output {
            value: Some(Decimal::from(total as u64)),
            ..Output::default()
        })
    }
}

export_calculator!(Memory);
