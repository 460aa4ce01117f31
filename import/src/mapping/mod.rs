//! Plan documents in any layout, read through a declared mapping: a TOML
//! file (`docs/mapping-guide.md`) that says which rows, cells or lines of a
//! source make objectives, indicators (results), baselines, targets and
//! phases, and how their values are written. The mapping makes the same
//! [`PlanDocument`](crate::PlanDocument) as the built-in readers, plus:
//!
//! - the place every object was read from ([`crate::model::SourceLocation`]);
//! - a [`Report`] of every non-empty cell or line the mapping did not use,
//!   which a strict import turns into an error.
//!
//! Sources: CSV (any delimiter, BOM, quoted cells with line breaks or bare
//! CRs), XLSX and ODS workbooks, text outlines (Markdown, reStructuredText)
//! and PDFs, whose text is extracted with `pdftotext -layout` (poppler).

// An error ends the reading of a file and carries its place and the
// mapping's report: it is returned once, so its size costs nothing.
#![allow(clippy::result_large_err)]

mod build;
pub mod spec;
mod table;
mod template;
mod text;
mod values;

use std::fmt;
use std::path::Path;

pub use spec::{Format, Mapping};

use crate::error::ImportError;
use crate::model::PlanDocument;
use crate::ParseOptions;

/// A mistake in a mapping file, at a line and column of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct MappingError {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Where in a source something was read: a line (text, CSV) or a cell of a
/// sheet (XLSX, ODS). Displayed as `file:12` or `file[Sheet1]!B7`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    pub line: Option<u32>,
    pub sheet: Option<String>,
    pub cell: Option<String>,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.sheet, &self.cell, self.line) {
            (Some(sheet), Some(cell), _) => write!(f, "{}[{sheet}]!{cell}", self.file),
            (Some(sheet), None, Some(line)) => write!(f, "{}[{sheet}]:{line}", self.file),
            (None, Some(cell), Some(line)) => write!(f, "{}:{line} (column {cell})", self.file),
            (_, _, Some(line)) => write!(f, "{}:{line}", self.file),
            _ => write!(f, "{}", self.file),
        }
    }
}

/// Why a source could not be imported through a mapping. Nothing of the
/// file is imported in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Mapping(#[from] MappingError),

    /// A cell or line that does not hold what the mapping says.
    #[error("{at}: expected {expected}, found {found:?}")]
    BadValue {
        at: Place,
        expected: String,
        found: String,
    },

    /// The file as a whole cannot be read.
    #[error("{file}: {message}")]
    File { file: String, message: String },

    /// A strict import and content the mapping did not use.
    #[error("{file}: strict import refused the file: the mapping did not use {} non-empty {}(s); first: {}", report.unused, report.unit, report.first_unused_text())]
    Unused { file: String, report: Report },

    #[error(transparent)]
    Import(#[from] ImportError),
}

/// Content of a source that the mapping did not use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unused {
    pub at: Place,
    /// The column name (table sources).
    pub column: Option<String>,
    pub text: String,
}

/// How much of a source went where.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// `cell` (table sources) or `line` (text sources).
    pub unit: &'static str,
    /// Rows or lines read.
    pub records: usize,
    /// Non-empty cells or lines the mapping did not use.
    pub unused: usize,
    /// The first of them, in source order (at most [`Report::FIRST`]).
    pub first_unused: Vec<Unused>,
    /// Unused cells by column (table sources), in the order first met.
    pub unused_by_column: Vec<(String, usize)>,
    /// Cells or lines the mapping declared as ignored.
    pub ignored: usize,
    /// Values that were placeholders, read as "no quantitative target".
    pub placeholders: usize,
}

impl Report {
    /// How many unused items a report lists.
    pub const FIRST: usize = 10;

    pub(crate) fn new(unit: &'static str) -> Report {
        Report {
            unit,
            ..Report::default()
        }
    }

    pub(crate) fn unused(&mut self, at: Place, column: Option<String>, text: &str) {
        self.unused += 1;
        if let Some(c) = &column {
            match self.unused_by_column.iter_mut().find(|(name, _)| name == c) {
                Some((_, n)) => *n += 1,
                None => self.unused_by_column.push((c.clone(), 1)),
            }
        }
        if self.first_unused.len() < Self::FIRST {
            self.first_unused.push(Unused {
                at,
                column,
                text: shorten(text),
            });
        }
    }

    /// The first unused items on one line, for messages.
    pub fn first_unused_text(&self) -> String {
        self.first_unused
            .iter()
            .map(|u| match &u.column {
                Some(c) => format!("{} {c:?} = {:?}", u.at, u.text),
                None => format!("{} {:?}", u.at, u.text),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn shorten(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 80 {
        let cut: String = one_line.chars().take(77).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}

/// A source read through a mapping.
#[derive(Debug, Clone)]
pub struct Imported {
    pub doc: PlanDocument,
    pub report: Report,
}

/// Reads and checks the mapping file at `path`.
pub fn load(path: &Path) -> Result<Mapping, Error> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::File {
        file: name.clone(),
        message: format!("cannot read the mapping: {e}"),
    })?;
    Ok(Mapping::parse(&name, &text)?)
}

/// Reads the source at `path` (named `name` in messages and source
/// locations) through `mapping`. With `strict`, content the mapping did not
/// use is an error.
pub fn read(
    mapping: &Mapping,
    path: &Path,
    name: &str,
    options: &ParseOptions,
    strict: bool,
) -> Result<Imported, Error> {
    let imported = match mapping.source.format {
        Format::Csv => {
            let bytes = read_bytes(path, name)?;
            table::read_csv(mapping, name, &bytes, options)?
        }
        Format::Xlsx | Format::Ods => table::read_workbook(mapping, path, name, options)?,
        Format::Text => {
            let bytes = read_bytes(path, name)?;
            let text = utf8(name, bytes)?;
            text::read(mapping, name, &text, options)?
        }
        Format::Pdf => {
            let text = pdf_text(path, name)?;
            text::read(mapping, name, &text, options)?
        }
    };
    if strict && imported.report.unused > 0 {
        return Err(Error::Unused {
            file: name.to_string(),
            report: imported.report,
        });
    }
    Ok(imported)
}

fn read_bytes(path: &Path, name: &str) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::File {
        file: name.to_string(),
        message: format!("cannot read the file: {e}"),
    })
}

fn utf8(name: &str, bytes: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(bytes).map_err(|e| Error::File {
        file: name.to_string(),
        message: format!(
            "the file is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// The program that extracts the text of PDFs (`pdftotext` from poppler,
/// Debian package `poppler-utils`).
pub const PDFTOTEXT: &str = "pdftotext";

/// The text of a PDF as `pdftotext -layout` lays it out.
pub fn pdf_text(path: &Path, name: &str) -> Result<String, Error> {
    let output = std::process::Command::new(PDFTOTEXT)
        .arg("-layout")
        .arg("-enc")
        .arg("UTF-8")
        .arg(path)
        .arg("-")
        .output()
        .map_err(|e| Error::File {
            file: name.to_string(),
            message: format!(
                "cannot run `{PDFTOTEXT} -layout` to extract the PDF's text ({e}): install poppler (Debian: apt-get install poppler-utils)"
            ),
        })?;
    if !output.status.success() {
        return Err(Error::File {
            file: name.to_string(),
            message: format!(
                "`{PDFTOTEXT} -layout` could not read the PDF: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        });
    }
    // Pages are separated by form feeds; they are not content.
    let text = utf8(name, output.stdout)?;
    Ok(text.replace('\u{c}', ""))
}
