//! The declaration the misbehaving test plugins share: a calculator of
//! payments in days (lower is better) whose `compute` does the one wrong
//! thing its plugin exists to prove the host survives.

pub use cruscotto_calculator_sdk as sdk;

/// Declares the plugin type `$plugin`, its `CalculatorPlugin` implementation
/// (version 0.1.0, one `payments` input, unit days, lower is better, plus
/// the optional `params` of its manifest) and its entry symbol. `compute`
/// binds the request's parameters to its pattern; batch and period are
/// ignored.
#[macro_export]
macro_rules! broken_calculator {
    (
        $plugin:ident {
            id: $id:literal,
            description: $description:literal,
            $(params: $params_json:literal,)?
            compute: |$params:pat_param| $body:block $(,)?
        }
    ) => {
        #[derive(Default)]
        pub struct $plugin;

        impl $crate::sdk::CalculatorPlugin for $plugin {
            const ID: &'static str = $id;
            const VERSION: &'static str = "0.1.0";
            const MANIFEST: &'static str = concat!(
                r#"{"description": ""#,
                $description,
                r#"", "inputs": [{"name": "payments", "kind": "payments"}], "unit": "days", "direction": "lower_is_better""#,
                $(r#", "params": "#, $params_json,)?
                "}"
            );

            fn compute(
                &self,
                _batch: &$crate::sdk::Batch<'_>,
                _period: &$crate::sdk::Period,
                $params: &$crate::sdk::serde_json::Value,
            ) -> Result<$crate::sdk::Output, String> $body
        }

        $crate::sdk::export_calculator!($plugin);
    };
}
