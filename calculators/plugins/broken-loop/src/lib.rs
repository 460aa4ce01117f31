//! Test plugin: a computation that never ends and keeps a CPU busy, to
//! prove the host stops it on the timeout and nothing is left spinning.
cruscotto_plugin_broken_common::broken_calculator!(Loop {
    id: "broken_loop",
    description: "Loops forever",
    compute: |_params| {
        let mut n: u64 = 0;
        loop {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    },
});
