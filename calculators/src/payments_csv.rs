//! Reading invoice-level payment records from CSV files as administrations
//! export them: Italian or English headers, `,` or `;`, Italian or English
//! numbers, `dd/mm/yyyy` or `yyyy-mm-dd` dates. A bad row rejects the file.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use chrono::NaiveDate;

use crate::inputs::PaymentRecord;

/// Why a payments file was rejected. Row errors name the file, the line and
/// the column as written in the header.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Io {
        /// File name.
        file: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The header lacks a required column.
    #[error("{file}: missing column \"{column}\" (accepted names: {accepted})")]
    MissingColumn {
        /// File name.
        file: String,
        /// Canonical column name.
        column: &'static str,
        /// Accepted header names.
        accepted: String,
    },
    /// A row could not be parsed.
    #[error("{file}:{line}: column \"{column}\": {message}")]
    Row {
        /// File name.
        file: String,
        /// One-based line number.
        line: u64,
        /// Column name as written in the header (or the CSV layer's view).
        column: String,
        /// What was expected and found.
        message: String,
    },
    /// The file is empty or has no header.
    #[error("{file}: the file is empty")]
    Empty {
        /// File name.
        file: String,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Field {
    InvoiceId,
    Supplier,
    Amount,
    InvoiceDate,
    DueDate,
    PaymentDate,
    SuspendedDays,
}

const FIELDS: [(Field, &str, bool, &[&str]); 7] = [
    (
        Field::InvoiceId,
        "invoice_id",
        true,
        &[
            "invoice_id",
            "numero fattura",
            "numero_fattura",
            "n. fattura",
            "fattura",
            "invoice id",
            "invoice",
        ],
    ),
    (
        Field::Supplier,
        "supplier",
        true,
        &[
            "supplier",
            "fornitore",
            "ragione sociale",
            "denominazione fornitore",
        ],
    ),
    (
        Field::Amount,
        "amount",
        true,
        &["amount", "importo", "importo pagato", "importo dovuto"],
    ),
    (
        Field::InvoiceDate,
        "invoice_date",
        true,
        &[
            "invoice_date",
            "invoice date",
            "data fattura",
            "data_fattura",
            "data emissione",
        ],
    ),
    (
        Field::DueDate,
        "due_date",
        false,
        &[
            "due_date",
            "due date",
            "data scadenza",
            "data_scadenza",
            "scadenza",
        ],
    ),
    (
        Field::PaymentDate,
        "payment_date",
        false,
        &[
            "payment_date",
            "payment date",
            "data pagamento",
            "data_pagamento",
            "data mandato",
        ],
    ),
    (
        Field::SuspendedDays,
        "suspended_days",
        false,
        &[
            "suspended_days",
            "suspended days",
            "giorni sospensione",
            "giorni_sospensione",
            "giorni di sospensione",
        ],
    ),
];

fn normalise_header(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads a payments CSV file. The file name appears in error messages.
pub fn read_payments_csv(path: impl AsRef<Path>) -> Result<Vec<PaymentRecord>, CsvError> {
    let path = path.as_ref();
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let file = std::fs::File::open(path).map_err(|source| CsvError::Io {
        file: name.clone(),
        source,
    })?;
    read_payments_csv_from(file, &name)
}

/// Reads payments CSV text from any reader; `source_name` is used in error
/// messages in place of a file name.
pub fn read_payments_csv_from(
    reader: impl Read,
    source_name: &str,
) -> Result<Vec<PaymentRecord>, CsvError> {
    let file = source_name.to_string();
    let mut reader = BufReader::new(reader);
    // The delimiter is decided on the header line: whichever of `;` and `,`
    // appears more often. Italian exports use `;` precisely because `,` is
    // the decimal separator.
    let delimiter = {
        let head = reader.fill_buf().map_err(|source| CsvError::Io {
            file: file.clone(),
            source,
        })?;
        let first_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
        let semicolons = first_line.iter().filter(|b| **b == b';').count();
        let commas = first_line.iter().filter(|b| **b == b',').count();
        if semicolons > commas {
            b';'
        } else {
            b','
        }
    };
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let row_error = |line: u64, column: &str, message: String| CsvError::Row {
        file: file.clone(),
        line,
        column: column.into(),
        message,
    };
    let csv_error = |e: csv::Error| match e.kind() {
        csv::ErrorKind::Io(_) => CsvError::Io {
            file: file.clone(),
            source: std::io::Error::other(e.to_string()),
        },
        _ => CsvError::Row {
            file: file.clone(),
            line: e.position().map_or(0, |p| p.line()),
            column: "(row)".into(),
            message: e.to_string(),
        },
    };
    let headers = csv.headers().map_err(csv_error)?.clone();
    if headers.is_empty() || headers.iter().all(|h| h.is_empty()) {
        return Err(CsvError::Empty { file });
    }
    let mut index: Vec<(Field, usize, String)> = Vec::new();
    for (field, canonical, required, aliases) in FIELDS {
        let found = headers
            .iter()
            .position(|h| aliases.contains(&normalise_header(h).as_str()));
        match found {
            Some(i) => index.push((
                field,
                i,
                headers[i].trim().trim_start_matches('\u{feff}').to_string(),
            )),
            None if required => {
                return Err(CsvError::MissingColumn {
                    file,
                    column: canonical,
                    accepted: aliases.join(", "),
                });
            }
            None => {}
        }
    }
    let mut records = Vec::new();
    for row in csv.records() {
        let row = row.map_err(csv_error)?;
        let line = row.position().map_or(0, |p| p.line());
        if row.iter().all(|c| c.is_empty()) {
            continue;
        }
        let mut record = PaymentRecord {
            invoice_id: String::new(),
            supplier: String::new(),
            amount_cents: 0,
            invoice_date: NaiveDate::MIN,
            due_date: None,
            payment_date: None,
            suspended_days: 0,
        };
        for (field, i, header) in &index {
            let cell = row.get(*i).unwrap_or("");
            let fail = |message: String| row_error(line, header, message);
            match field {
                Field::InvoiceId => record.invoice_id = cell.to_string(),
                Field::Supplier => record.supplier = cell.to_string(),
                Field::Amount => record.amount_cents = parse_amount_cents(cell).map_err(fail)?,
                Field::InvoiceDate => {
                    record.invoice_date = parse_optional_date(cell)
                        .map_err(fail)?
                        .ok_or_else(|| fail("a date is required".into()))?
                }
                Field::DueDate => record.due_date = parse_optional_date(cell).map_err(fail)?,
                Field::PaymentDate => {
                    record.payment_date = parse_optional_date(cell).map_err(fail)?
                }
                Field::SuspendedDays => {
                    record.suspended_days = if cell.is_empty() {
                        0
                    } else {
                        cell.parse().map_err(|_| {
                            fail(format!(
                                "expected a whole number of days (0 or more), found \"{cell}\""
                            ))
                        })?
                    }
                }
            }
        }
        if record.invoice_id.is_empty() {
            let header = index
                .iter()
                .find(|(f, _, _)| *f == Field::InvoiceId)
                .map_or("invoice_id", |(_, _, h)| h.as_str());
            return Err(row_error(
                line,
                header,
                "the invoice number is empty".into(),
            ));
        }
        records.push(record);
    }
    Ok(records)
}

/// Parses `dd/mm/yyyy` or `yyyy-mm-dd`; an empty cell is `None`.
fn parse_optional_date(cell: &str) -> Result<Option<NaiveDate>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(cell, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(cell, "%Y-%m-%d"))
        .ok()
        .filter(|d| (1900..=2199).contains(&chrono::Datelike::year(d)))
        .map(Some)
        .ok_or_else(|| format!("expected a date like 31/12/2020 or 2020-12-31, found \"{cell}\""))
}

/// Parses an amount into cents, exactly.
///
/// Accepted: `1234.56`, `1234,56`, `1.234,56`, `1,234.56`, `1.234.567`,
/// with an optional `€` and a leading minus. When both separators appear the
/// last one is the decimal separator. When only one appears, it is a
/// thousands separator if every group after it has exactly three digits and
/// a decimal separator if it appears once followed by one or two digits;
/// anything else (for example `1,2345`) is rejected rather than guessed,
/// because amounts have at most two decimals.
pub fn parse_amount_cents(cell: &str) -> Result<i64, String> {
    let err = || format!("expected an amount like 1.234,56 or 1234.56, found \"{cell}\"");
    let s: String = cell
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '€')
        .collect();
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.as_str()),
    };
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(err());
    }
    let last_dot = s.rfind('.');
    let last_comma = s.rfind(',');
    let decimal_sep = match (last_dot, last_comma) {
        (Some(d), Some(c)) => Some(if d > c { '.' } else { ',' }),
        (Some(_), None) | (None, Some(_)) => {
            let sep = if last_dot.is_some() { '.' } else { ',' };
            let groups: Vec<&str> = s.split(sep).collect();
            let thousands = groups.len() > 1
                && groups[0].len() <= 3
                && !groups[0].is_empty()
                && groups[1..].iter().all(|g| g.len() == 3);
            if thousands {
                None
            } else if groups.len() == 2 && (1..=2).contains(&groups[1].len()) {
                Some(sep)
            } else {
                return Err(err());
            }
        }
        (None, None) => None,
    };
    let (int_part, frac_part) = match decimal_sep {
        Some(sep) => s.rsplit_once(sep).ok_or_else(err)?,
        None => (s, ""),
    };
    let thousands_sep = match decimal_sep {
        Some('.') => ',',
        Some(_) => '.',
        None => {
            if s.contains('.') {
                '.'
            } else {
                ','
            }
        }
    };
    if int_part.contains(decimal_sep.unwrap_or('#'))
        || frac_part.len() > 2
        || frac_part.contains(['.', ','])
    {
        return Err(err());
    }
    if int_part.contains(thousands_sep) {
        let groups: Vec<&str> = int_part.split(thousands_sep).collect();
        if groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3) {
            return Err(err());
        }
    }
    let digits: String = int_part.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Err(err());
    }
    let euros: i64 = digits.parse().map_err(|_| err())?;
    let cents: i64 = format!("{frac_part:0<2}").parse().map_err(|_| err())?;
    let total = euros
        .checked_mul(100)
        .and_then(|e| e.checked_add(cents))
        .ok_or_else(err)?;
    Ok(if negative { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn amounts_in_italian_and_english_formats_parse_to_the_same_cents() {
        for (text, cents) in [
            ("1.234,56", 123_456),
            ("1234,56", 123_456),
            ("1234.56", 123_456),
            ("1,234.56", 123_456),
            ("1.234.567", 123_456_700),
            ("1.234", 123_400),
            ("12,5", 1_250),
            ("€ 10", 1_000),
            ("-3,20", -320),
            ("0", 0),
        ] {
            assert_eq!(parse_amount_cents(text), Ok(cents), "{text}");
        }
    }

    #[test]
    fn ambiguous_or_malformed_amounts_are_rejected() {
        for text in ["", "abc", "1,2345", "1.23.4", "12.345,678", ",5", "1,23,45"] {
            assert!(parse_amount_cents(text).is_err(), "{text}");
        }
    }

    #[test]
    fn italian_file_with_semicolons_and_empty_cells_is_read() {
        let text = "Numero Fattura;Fornitore;Importo;Data fattura;Data scadenza;Data pagamento;Giorni sospensione\n\
                    F1;ACME S.p.A.;1.234,56;01/02/2020;02/03/2020;10/03/2020;\n\
                    F2;Beta srl;100,00;15/02/2020;;;5\n";
        let records = read_payments_csv_from(text.as_bytes(), "pagamenti.csv").unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].amount_cents, 123_456);
        assert_eq!(records[0].due_date, Some(date(2020, 3, 2)));
        assert_eq!(records[0].payment_date, Some(date(2020, 3, 10)));
        assert_eq!(records[0].suspended_days, 0);
        assert_eq!(records[1].due_date, None);
        assert_eq!(records[1].payment_date, None);
        assert_eq!(records[1].suspended_days, 5);
    }

    #[test]
    fn english_file_with_commas_and_iso_dates_is_read() {
        let text = "invoice_id,supplier,amount,invoice_date,due_date,payment_date,suspended_days\n\
                    A-1,Acme,1234.56,2020-02-01,2020-03-02,2020-03-10,0\n";
        let records = read_payments_csv_from(text.as_bytes(), "payments.csv").unwrap();
        assert_eq!(records[0].invoice_date, date(2020, 2, 1));
        assert_eq!(records[0].amount_cents, 123_456);
    }

    #[test]
    fn a_bad_date_rejects_the_whole_file_naming_line_and_column() {
        let mut text = String::from(
            "numero fattura;fornitore;importo;data fattura;data scadenza;data pagamento\n",
        );
        for i in 2..17 {
            text.push_str(&format!("F{i};X;10,00;01/01/2020;31/01/2020;15/02/2020\n"));
        }
        text.push_str("F17;X;10,00;01/01/2020;31-13-2020;15/02/2020\n");
        let err = read_payments_csv_from(text.as_bytes(), "payments.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "payments.csv:17: column \"data scadenza\": expected a date like 31/12/2020 or 2020-12-31, found \"31-13-2020\""
        );
    }

    #[test]
    fn a_missing_required_column_is_reported_with_its_aliases() {
        let err =
            read_payments_csv_from("fornitore;importo\nX;1\n".as_bytes(), "p.csv").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("p.csv: missing column \"invoice_id\""),
            "{err}"
        );
    }

    #[test]
    fn a_file_on_disk_is_named_by_its_file_name_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("payments.csv");
        std::fs::write(
            &path,
            "invoice_id,supplier,amount,invoice_date\nA,B,12x,2020-01-01\n",
        )
        .unwrap();
        let err = read_payments_csv(&path).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("payments.csv:2: column \"amount\""),
            "{err}"
        );
    }
}
