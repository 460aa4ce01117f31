//! Test plugin: a load-time constructor (an `.init_array` entry, run by the
//! dynamic loader while the library is opened, before any host code) that
//! aborts, to prove such a library becomes a load error and not the end of
//! the service. Never load it in process.
use cruscotto_plugin_broken_common::sdk::Output;

extern "C" fn abort_at_load() {
    std::process::abort()
}

#[used]
#[link_section = ".init_array"]
static ABORT_AT_LOAD: extern "C" fn() = abort_at_load;

cruscotto_plugin_broken_common::broken_calculator!(Constructor {
    id: "broken_constructor",
    description: "Never gets this far",
    compute: |_params| { Ok(Output::default()) },
});
