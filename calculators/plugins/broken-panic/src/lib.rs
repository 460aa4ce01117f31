//! Test plugin: panics inside `compute`, to prove the SDK turns a panic into an error.
cruscotto_plugin_broken_common::broken_calculator!(Panics {
    id: "broken_panic",
    description: "Always panics",
    compute: |_params| { panic!("deliberate panic inside compute") },
});
