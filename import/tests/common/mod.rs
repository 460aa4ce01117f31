//! What the tests of whole documents share: the two published seed
//! documents and reading a document file.

#![allow(dead_code)] // Each test binary uses a different subset.

use cruscotto_import::model::Finding;
use cruscotto_import::{parse_document, ParseOptions, PlanDocument};

/// The annual objective sheets of the seeds.
pub const SEED_SHEETS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/seeds/000_c0a763c098296cde.txt"
);

/// The multi-year plan of the seeds.
pub const SEED_MULTI_YEAR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/seeds/001_b1c6253d44de1f62.txt"
);

/// The document of the file at `path`, with the default options.
pub fn parse(path: &str) -> PlanDocument {
    let content = std::fs::read_to_string(path).unwrap();
    parse_document(path, &content, &ParseOptions::default()).unwrap()
}

/// Asserts that `finding` has the code `code`, is about `entity_code` and
/// points at `line`.
pub fn assert_finding(finding: &Finding, code: &str, entity_code: &str, line: Option<u32>) {
    assert_eq!(
        (
            finding.code.as_str(),
            finding.entity_code.as_str(),
            finding.line
        ),
        (code, entity_code, line),
        "{finding:?}"
    );
}

/// Asserts that `findings` is one finding, as [`assert_finding`] checks it.
pub fn assert_only_finding(findings: &[Finding], code: &str, entity_code: &str, line: Option<u32>) {
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_finding(&findings[0], code, entity_code, line);
}
