//! Test plugin: calls `abort()` inside `compute` (SIGABRT), which no
//! `catch_unwind` can stop, to prove it ends only its worker process.
cruscotto_plugin_broken_common::broken_calculator!(Abort {
    id: "broken_abort",
    description: "Aborts",
    compute: |_params| { std::process::abort() },
});
