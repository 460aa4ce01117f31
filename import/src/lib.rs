//! Plan documents: the document model ([`model`]), the parsers of the two
//! published text shapes ([`text`]), the lossless JSON form ([`json`]), the
//! content checks that produce findings ([`validate`]) and the deterministic
//! data generator ([`generate`]).
//!
//! This crate knows neither Diesel nor HTTP: it turns bytes into a
//! [`model::PlanDocument`] and back.

pub mod error;
pub mod generate;
pub mod json;
pub mod measure;
pub mod model;
pub mod text;
pub mod validate;

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
pub fn parse_document(
    file: &str,
    content: &str,
    options: &ParseOptions,
) -> Result<PlanDocument, ImportError> {
    if content.trim_start().starts_with('{') {
        return json::from_json(file, content);
    }
    text::parse(file, content, options)
}
