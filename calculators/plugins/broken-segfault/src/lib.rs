//! Test plugin: writes through a null pointer inside `compute` (SIGSEGV),
//! to prove a crashing plugin ends only its worker process.
use cruscotto_calculator_sdk::{
    export_calculator, serde_json, Batch, CalculatorPlugin, Output, Period,
};

#[derive(Default)]
pub struct Segfault;

impl CalculatorPlugin for Segfault {
    const ID: &'static str = "broken_segfault";
    const VERSION: &'static str = "0.1.0";
    const MANIFEST: &'static str = r#"{"description": "Writes through a null pointer", "inputs": [{"name": "payments", "kind": "payments"}],
        "unit": "days", "direction": "lower_is_better"}"#;

    fn compute(
        &self,
        _batch: &Batch<'_>,
        _period: &Period,
        _params: &serde_json::Value,
    ) -> Result<Output, String> {
        // The address comes through black_box so the compiler cannot see it
        // is null and replace the store with a trap: this is a real write.
        let address = std::hint::black_box(0usize) as *mut u64;
        // SAFETY: none; the point of this plugin is an invalid write.
        unsafe { address.write_volatile(42) };
        Ok(Output::default())
    }
}

export_calculator!(Segfault);
