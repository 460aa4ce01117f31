//! Test plugin: writes through a null pointer inside `compute` (SIGSEGV),
//! to prove a crashing plugin ends only its worker process.
use cruscotto_plugin_broken_common::sdk::Output;

cruscotto_plugin_broken_common::broken_calculator!(Segfault {
    id: "broken_segfault",
    description: "Writes through a null pointer",
    compute: |_params| {
        // The address comes through black_box so the compiler cannot see it
        // is null and replace the store with a trap: this is a real write.
        let address = std::hint::black_box(0usize) as *mut u64;
        // SAFETY: none; the point of this plugin is an invalid write.
        unsafe { address.write_volatile(42) };
        Ok(Output::default())
    },
});
