//! Plan documents: the document model ([`model`]), the parsers of the two
//! published text shapes ([`text`]), the lossless JSON form ([`json`]), the
//! content checks that produce findings ([`validate`]) and the deterministic
//! data generator ([`generate`]).
//!
//! This crate knows neither Diesel nor HTTP: it turns bytes into a
//! [`model::PlanDocument`] and back.

pub mod counts;
pub mod error;
pub mod generate;
pub mod json;
pub mod mapping;
pub mod measure;
/// The vocabulary crate, re-exported: the document model is shared with
/// storage, calculators and the API.
pub use cruscotto_model as model;
pub mod text;
pub mod validate;

pub use counts::DocumentCounts;
pub use error::ImportError;
pub use model::PlanDocument;

/// What the caller knows about a document that the document may not say.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// Code of the plan to create or update; defaults to the file stem.
    pub plan_code: Option<String>,
    /// The publishing administration (the sheets do not name it).
    pub administration: Option<String>,
    /// A title for the plan; a default is derived from the document.
    pub title: Option<String>,
}

/// Reads a document of any supported form (the JSON exchange format or one of
/// the two text shapes), detected from its content. `file` is used in error
/// messages and, without `options.plan_code`, to derive the plan code.
///
/// A UTF-8 byte-order mark is skipped. Content that is JSON but not an
/// object (an array, a string, a number) is refused as such rather than
/// read as text. A NUL character anywhere is refused with its line, on
/// every backend alike (Postgres cannot store one, SQLite could).
pub fn parse_document(
    file: &str,
    content: &str,
    options: &ParseOptions,
) -> Result<PlanDocument, ImportError> {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let start = content.trim_start();
    let doc = if start.starts_with('{') {
        json::from_json(file, content)?
    } else if let Some(kind) = json::non_object_json(start) {
        return Err(ImportError::NotAnObject {
            file: file.to_string(),
            found: kind.to_string(),
        });
    } else {
        if let Some(line) = content
            .find('\0')
            .map(|at| content[..at].matches('\n').count() + 1)
        {
            return Err(ImportError::Nul {
                file: file.to_string(),
                line: u32::try_from(line).unwrap_or(u32::MAX),
                field: None,
            });
        }
        text::parse(file, content, options)?
    };
    validate::storable(file, &doc)?;
    Ok(doc)
}
