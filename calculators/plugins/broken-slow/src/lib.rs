//! Test plugin: sleeps for `sleep_ms` milliseconds (default one minute) before
//! answering, to prove the host cuts off a computation that runs too long.
use cruscotto_plugin_broken_common::sdk::{param_i64, Decimal, Output};

cruscotto_plugin_broken_common::broken_calculator!(Slow {
    id: "broken_slow",
    description: "Sleeps, then answers 0",
    params: r#"[{"name": "sleep_ms", "kind": "integer", "default": 60000}]"#,
    compute: |params| {
        let ms = param_i64(params, "sleep_ms", 60_000)?.max(0) as u64;
        std::thread::sleep(std::time::Duration::from_millis(ms));
        Ok(Output {
            value: Some(Decimal::ZERO),
            ..Output::default()
        })
    },
});
