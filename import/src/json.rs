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
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
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
    let doc = serde_json::from_str(content).map_err(|e| json_error(file, &e))?;
    // A raw NUL is not valid JSON; the escape `\u0000` is, and decodes to one.
    if let Some(at) = content.find("\\u0000") {
        let line = u32::try_from(content[..at].matches('\n').count() + 1).unwrap_or(u32::MAX);
        let field = serde_json::from_str::<serde_json::Value>(content)
            .ok()
            .and_then(|v| path_of_nul(&v, String::new()));
        if let Some(field) = field {
            return Err(ImportError::Nul {
                file: file.to_string(),
                line,
                field: Some(field),
            });
        }
    }
    Ok(doc)
}

/// The path (`objectives[0].title`) of the first string holding a NUL.
fn path_of_nul(value: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) if s.contains('\0') => Some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| path_of_nul(v, format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                return Some(format!("{path}.{k}"));
            }
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            path_of_nul(v, p)
        }),
        _ => None,
    }
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

/// What non-object JSON `content` is (`an array`, `a string`, …), or `None`
/// when it is not JSON at all (then it is text). Only content that starts
/// like JSON is parsed.
pub fn non_object_json(content: &str) -> Option<&'static str> {
    let first = content.chars().next()?;
    if !(first == '[' || first == '"' || first == '-' || first.is_ascii_digit()) {
        return None;
    }
    match serde_json::from_str::<serde_json::Value>(content) {
        Ok(serde_json::Value::Array(_)) => Some("an array"),
        Ok(serde_json::Value::String(_)) => Some("a string"),
        Ok(serde_json::Value::Number(_)) => Some("a number"),
        Ok(_) => None,
        // `[` opens no text shape either: a broken JSON array is still JSON.
        Err(_) if first == '[' => Some("an array (malformed)"),
        Err(_) => None,
    }
}
