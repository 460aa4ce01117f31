//! Test plugin: a load-time constructor (an `.init_array` entry, run by the
//! dynamic loader while the library is opened, before any host code) that
//! aborts, to prove such a library becomes a load error and not the end of
//! the service. Never load it in process.
use cruscotto_calculator_sdk::{
    export_calculator, serde_json, Batch, CalculatorPlugin, Output, Period,
};

extern "C" fn abort_at_load() {
    std::process::abort()
}

#[used]
#[link_section = ".init_array"]
static ABORT_AT_LOAD: extern "C" fn() = abort_at_load;

#[derive(Default)]
pub struct Constructor;

impl CalculatorPlugin for Constructor {
    const ID: &'static str = "broken_constructor";
    const VERSION: &'static str = "0.1.0";
    const MANIFEST: &'static str = r#"{"description": "Never gets this far", "inputs": [{"name": "payments", "kind": "payments"}],
        "unit": "days", "direction": "lower_is_better"}"#;

    fn compute(
        &self,
        _batch: &Batch<'_>,
        _period: &Period,
        _params: &serde_json::Value,
    ) -> Result<Output, String> {
        Ok(Output::default())
    }
}

export_calculator!(Constructor);
