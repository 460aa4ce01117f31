//! `cruscotto-plugin-worker plugin-worker LIBRARY`: hosts one calculator
//! plugin library for a registry in another process, exactly as
//! `cruscotto plugin-worker LIBRARY` does (both run
//! [`cruscotto_calculators::worker::run`]). For hosts that are not the
//! `cruscotto` binary, such as the tests; name it with
//! `CRUSCOTTO_PLUGIN_WORKER` or `RegistryConfig::worker_program`.

use std::process::ExitCode;

fn main() -> ExitCode {
    match cruscotto_calculators::worker::library_argument(std::env::args_os().skip(1)) {
        Some(library) => cruscotto_calculators::worker::run(&library),
        None => {
            eprintln!(
                "usage: cruscotto-plugin-worker {} LIBRARY (started by a calculator registry)",
                cruscotto_calculators::worker::WORKER_SUBCOMMAND
            );
            ExitCode::from(2)
        }
    }
}
