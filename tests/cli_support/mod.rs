//! What the tests that run the `cruscotto` binary share beyond
//! `tests/common`: reading the output of a command that must succeed.

use std::process::Output;

use crate::common::{stderr, stdout};

/// The standard output of a command that must have succeeded; otherwise
/// the test fails with both of its outputs.
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "command failed:\n{}\n{}",
        stdout(o),
        stderr(o)
    );
    stdout(o)
}
