//! `ImportError`: why a document could not be read, always naming the file,
//! the 1-based line (where there is one) and what the reader expected there.

use crate::model::Finding;

/// A document that cannot be imported. Every message is one sentence that
/// starts with `file:line:` so that editors and terminals can jump to it.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Neither of the known text shapes (nor JSON) was recognised.
    #[error("{file}: not a plan document: none of its {lines} lines has {looked_for}")]
    UnknownShape {
        file: String,
        lines: u32,
        looked_for: String,
    },

    /// A table row has a number of cells its table cannot hold.
    #[error("{file}:{line}: expected {expected} tab-separated cells in {table} ({columns}), found {found}")]
    WrongColumnCount {
        file: String,
        line: u32,
        table: String,
        columns: String,
        expected: usize,
        found: usize,
    },

    /// A date that is neither `01/01/2020` nor `1 gennaio 2020`.
    #[error("{file}:{line}: expected a date like 01/01/2020 or 1 gennaio 2020 in {field}, found {value:?}")]
    BadDate {
        file: String,
        line: u32,
        field: String,
        value: String,
    },

    /// The document (or a sheet) stops before something it must contain.
    #[error("{file}:{line}: {what}, but expected {expected}")]
    UnexpectedEnd {
        file: String,
        line: u32,
        what: String,
        expected: String,
    },

    /// A value, label or row that does not fit where it stands.
    #[error("{file}:{line}: expected {expected}, found {found:?}")]
    BadValue {
        file: String,
        line: u32,
        expected: String,
        found: String,
    },

    /// Two objectives, indicators or phases with the same code: links and
    /// measurements address them by code, so the plan would be ambiguous.
    #[error("{file}:{line}: expected a unique {entity} code, found {code:?} again (first at line {first_line})")]
    DuplicateCode {
        file: String,
        line: u32,
        entity: String,
        code: String,
        first_line: u32,
    },

    /// Malformed JSON or JSON that does not fit the document model.
    #[error("{file}:{line}:{column}: expected a plan document in JSON, found an error: {message}")]
    Json {
        file: String,
        line: u32,
        column: u32,
        message: String,
    },

    /// A JSON document written by another version of the exchange format.
    #[error("{file}:{line}: expected format {expected:?}, found {found:?}")]
    UnsupportedFormatVersion {
        file: String,
        line: u32,
        expected: String,
        found: String,
    },

    /// JSON whose top level is not an object (an array, a string, …).
    #[error("{file}:1: expected a plan document (a JSON object with \"format\", \"plan\", …), found {found}")]
    NotAnObject { file: String, found: String },

    /// A NUL character (U+0000): no backend stores one alike.
    #[error("{file}:{line}: expected text, found a NUL character (U+0000){}", field.as_ref().map(|f| format!(" in {f}")).unwrap_or_default())]
    Nul {
        file: String,
        line: u32,
        /// Where in the JSON document, e.g. `objectives[0].title`.
        field: Option<String>,
    },

    /// A document that reads well but breaks a rule every stored plan
    /// keeps (two targets of one indicator for the same year, an empty
    /// name). `line` is where the object was read, when known.
    #[error("{file}:{}: {message}", line.map(|l| l.to_string()).unwrap_or_else(|| "1".to_string()))]
    Unstorable {
        file: String,
        line: Option<u32>,
        message: String,
    },

    /// Findings that a strict import refuses.
    #[error("{file}: strict import refused the document because of {} finding(s): {}", findings.len(), describe_findings(findings))]
    Strict {
        file: String,
        findings: Vec<Finding>,
    },
}

impl ImportError {
    /// The file the error is about, as the caller named it.
    pub fn file(&self) -> &str {
        match self {
            ImportError::UnknownShape { file, .. }
            | ImportError::WrongColumnCount { file, .. }
            | ImportError::BadDate { file, .. }
            | ImportError::UnexpectedEnd { file, .. }
            | ImportError::BadValue { file, .. }
            | ImportError::DuplicateCode { file, .. }
            | ImportError::Json { file, .. }
            | ImportError::UnsupportedFormatVersion { file, .. }
            | ImportError::NotAnObject { file, .. }
            | ImportError::Nul { file, .. }
            | ImportError::Unstorable { file, .. }
            | ImportError::Strict { file, .. } => file,
        }
    }

    /// The 1-based line the error points at. An unknown shape concerns the
    /// whole file; a strict refusal points at its first finding with a line.
    pub fn line(&self) -> Option<u32> {
        match self {
            ImportError::UnknownShape { .. } => None,
            ImportError::WrongColumnCount { line, .. }
            | ImportError::BadDate { line, .. }
            | ImportError::UnexpectedEnd { line, .. }
            | ImportError::BadValue { line, .. }
            | ImportError::DuplicateCode { line, .. }
            | ImportError::Json { line, .. }
            | ImportError::UnsupportedFormatVersion { line, .. }
            | ImportError::Nul { line, .. } => Some(*line),
            ImportError::NotAnObject { .. } => Some(1),
            ImportError::Unstorable { line, .. } => *line,
            ImportError::Strict { findings, .. } => findings.iter().find_map(|f| f.line),
        }
    }
}

/// `A.1 phase_weights_not_100 (line 37): …; …` — compact enough for one line.
fn describe_findings(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| match f.line {
            Some(line) => format!("{} {} (line {line}): {}", f.entity_code, f.code, f.message),
            None => format!("{} {}: {}", f.entity_code, f.code, f.message),
        })
        .collect::<Vec<_>>()
        .join("; ")
}
