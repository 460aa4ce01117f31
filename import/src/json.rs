//! The JSON exchange form of a [`PlanDocument`]: written pretty and in a
//! stable order (struct field order, lists in document order) so that two
//! exports of the same plan diff cleanly, and read back with the format
//! version checked first.

use serde::Deserialize;

use crate::error::ImportError;
use crate::model::{PlanDocument, FORMAT_VERSION};

/// The document as pretty JSON with a trailing newline.
pub fn to_json(doc: &PlanDocument) -> String {
    // Serialising plain structs, strings, decimals-as-strings and a JSON
    // value cannot fail; the fallback keeps library code free of panics.
    let mut out = serde_json::to_string_pretty(doc).unwrap_or_else(|e| {
        serde_json::json!({ "format": FORMAT_VERSION, "error": e.to_string() }).to_string()
    });
    out.push('\n');
    out
}

/// Reads a document written by [`to_json`] (or by hand). The `format` field
/// is checked before the rest, so that a document of another version gets a
/// version error rather than a confusing field error.
pub fn from_json(file: &str, content: &str) -> Result<PlanDocument, ImportError> {
    #[derive(Deserialize)]
    struct Envelope {
        format: Option<String>,
    }

    let envelope: Envelope = serde_json::from_str(content).map_err(|e| json_error(file, &e))?;
    match envelope.format {
        Some(format) if format == FORMAT_VERSION => {}
        found => {
            return Err(ImportError::UnsupportedFormatVersion {
                file: file.to_string(),
                line: line_of_format(content),
                expected: FORMAT_VERSION.to_string(),
                found: found.unwrap_or_else(|| "no format field".to_string()),
            })
        }
    }
    serde_json::from_str(content).map_err(|e| json_error(file, &e))
}

fn json_error(file: &str, e: &serde_json::Error) -> ImportError {
    // serde_json appends " at line L column C" to its message; the error
    // already says where, so keep the message alone.
    let message = e.to_string();
    let message = match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    ImportError::Json {
        file: file.to_string(),
        line: u32::try_from(e.line()).unwrap_or(u32::MAX),
        column: u32::try_from(e.column()).unwrap_or(u32::MAX),
        message,
    }
}

/// Line of the top-level `"format"` key, or 1 when there is none.
fn line_of_format(content: &str) -> u32 {
    content
        .lines()
        .position(|l| l.trim_start().starts_with("\"format\""))
        .and_then(|i| u32::try_from(i + 1).ok())
        .unwrap_or(1)
}
