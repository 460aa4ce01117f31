//! Errors of the storage layer, and the one place where database errors
//! become domain errors.
//!
//! A database error that a user can cause (a constraint the data breaks, a
//! full disk, a read-only file) is classified here and described in the
//! user's terms; its raw text, which names tables, columns and constraints,
//! is logged and never carried in the message.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use thiserror::Error;

/// What can go wrong when talking to the database.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database URL could not be understood or the database not reached.
    #[error("cannot connect to the database {url}: {reason}")]
    Connect { url: String, reason: String },
    /// No connection could be taken from the pool in time.
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// Another writer held the database (SQLite's write lock) for longer
    /// than the busy timeout: nothing was written; the same call may be
    /// retried.
    #[error("the database is busy: another writer held it for longer than the busy timeout ({waited_ms} ms); nothing was written, retry later")]
    Busy { waited_ms: u64 },
    /// A query failed for a reason no user input explains (the connection
    /// was lost, a bug). Logged in full where it surfaces.
    #[error("database query failed: {0}")]
    Query(DieselError),
    /// The data breaks a rule of the data model that the database enforces
    /// (a uniqueness, a reference, a check, a required value). `message`
    /// says which rule in the user's terms; the raw cause has been logged.
    #[error("{message}")]
    Constraint {
        kind: ConstraintKind,
        message: String,
    },
    /// The disk (or the database's size limit) is full: nothing was written.
    #[error("the database disk is full: nothing was written; free some space and retry")]
    DiskFull,
    /// The database was opened read-only (or its file cannot be written).
    #[error("the database is read-only: {0}")]
    ReadOnly(String),
    /// Running or reverting migrations failed.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// The database was migrated by a newer version of cruscotto.
    #[error(
        "the database was migrated by a newer cruscotto: its newest migration is {database}, \
         this binary knows migrations up to {binary}; upgrade cruscotto to use it"
    )]
    NewerDatabase { database: String, binary: String },
    /// The object asked for does not exist.
    #[error("{entity} {key} not found")]
    NotFound { entity: &'static str, key: String },
    /// The data is valid JSON or text but cannot be stored as it is, e.g. a
    /// weight with more than two decimals or a period that is not a period.
    #[error("{entity} {key}: {message}")]
    Invalid {
        entity: &'static str,
        key: String,
        message: String,
    },
    /// Data read back from the database is not what this version writes
    /// (a column holding an unknown enum value or malformed JSON).
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

/// Which kind of rule a [`StoreError::Constraint`] broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    /// Two objects with the same key.
    Unique,
    /// A reference to an object that does not exist, or an object still
    /// referenced by others.
    Reference,
    /// A value outside what the model allows (empty name, dates in the
    /// wrong order, a weight out of range).
    Check,
    /// A required value is missing.
    Required,
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        classify(e)
    }
}

thread_local! {
    /// Whether the last error classified on this thread was a full disk.
    /// SQLite rolls a transaction back by itself on SQLITE_FULL; Diesel's
    /// own rollback (of the transaction, or of the savepoint of a batch
    /// insert) then fails and returns that error in place of the first, so
    /// the rollback error is taken for the full disk it follows.
    /// Transactions run on one thread.
    static DISK_FULL_BEFORE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Records that a statement on this thread hit a full disk, for the error
/// Diesel returns in its place (see `DISK_FULL_BEFORE`).
pub(crate) fn note_disk_full() {
    DISK_FULL_BEFORE.with(|c| c.set(true));
}

/// Turns a Diesel error into a domain error; see the module documentation.
pub fn classify(e: DieselError) -> StoreError {
    let after_disk_full = DISK_FULL_BEFORE.with(|c| c.replace(false));
    let rollback_failed = match &e {
        DieselError::NotInTransaction => true,
        DieselError::DatabaseError(_, info) => {
            let m = info.message();
            m.contains("no transaction is active") || m.contains("no such savepoint")
        }
        _ => false,
    };
    if after_disk_full && rollback_failed {
        // An outer transaction's rollback fails the same way next.
        note_disk_full();
        return StoreError::DiskFull;
    }
    let classified = classify_one(e);
    if matches!(classified, StoreError::DiskFull) {
        DISK_FULL_BEFORE.with(|c| c.set(true));
    }
    classified
}

fn classify_one(e: DieselError) -> StoreError {
    if let DieselError::DeserializationError(cause) = &e {
        // A stored value this version cannot read (a term outside its
        // vocabulary, a number that is not one): name the field and why.
        let mut what = String::new();
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(cause.as_ref());
        while let Some(c) = cause {
            if !what.is_empty() {
                what.push_str(": ");
            }
            match c.downcast_ref::<diesel::result::DeserializeFieldError>() {
                Some(field) => {
                    what.push_str(field.field_name.as_deref().unwrap_or("a field"));
                    cause = Some(field.error.as_ref());
                }
                None => {
                    what.push_str(&c.to_string());
                    cause = c.source();
                }
            }
        }
        tracing::error!(cause = %what, "a stored value cannot be read");
        return StoreError::Corrupt(what);
    }
    let DieselError::DatabaseError(kind, info) = &e else {
        return StoreError::Query(e);
    };
    let message = info.message();
    let constraint = match kind {
        DatabaseErrorKind::UniqueViolation => Some(ConstraintKind::Unique),
        DatabaseErrorKind::ForeignKeyViolation | DatabaseErrorKind::RestrictViolation => {
            Some(ConstraintKind::Reference)
        }
        DatabaseErrorKind::CheckViolation | DatabaseErrorKind::ExclusionViolation => {
            Some(ConstraintKind::Check)
        }
        DatabaseErrorKind::NotNullViolation => Some(ConstraintKind::Required),
        // SQLite reports some violations (a RESTRICT foreign key checked at
        // statement end) without their extended code; its fixed messages
        // still say which.
        _ if message.starts_with("FOREIGN KEY constraint failed") => {
            Some(ConstraintKind::Reference)
        }
        _ if message.starts_with("UNIQUE constraint failed") => Some(ConstraintKind::Unique),
        _ if message.starts_with("CHECK constraint failed") => Some(ConstraintKind::Check),
        _ if message.starts_with("NOT NULL constraint failed") => Some(ConstraintKind::Required),
        _ => None,
    };
    if let Some(kind) = constraint {
        let described = describe_constraint(kind, info.as_ref());
        tracing::warn!(
            cause = message,
            table = info.table_name(),
            constraint = info.constraint_name(),
            "a write broke a rule of the data model: {described}"
        );
        return StoreError::Constraint {
            kind,
            message: described,
        };
    }
    if is_disk_full(message) {
        tracing::error!(cause = message, "the database disk is full");
        return StoreError::DiskFull;
    }
    if matches!(kind, DatabaseErrorKind::ReadOnlyTransaction)
        || message.contains("readonly database")
        || message.contains("read-only transaction")
    {
        tracing::warn!(cause = message, "a write reached a read-only database");
        return StoreError::ReadOnly("writes are refused".to_string());
    }
    // Postgres refuses NUL characters in text (SQLite stores them); the
    // readers and the API refuse them first, this is the safety net.
    if message.contains("0x00") {
        tracing::warn!(cause = message, "a NUL character reached the database");
        return StoreError::Constraint {
            kind: ConstraintKind::Check,
            message: "a text contains a NUL character (U+0000), which cannot be stored".into(),
        };
    }
    StoreError::Query(e)
}

/// SQLite's SQLITE_FULL ("database or disk is full") and Postgres's
/// `disk_full` ("could not extend file …: No space left on device").
fn is_disk_full(message: &str) -> bool {
    message.contains("database or disk is full")
        || message.contains("No space left on device")
        || message.contains("could not extend file")
}

/// The rule a constraint violation broke, in the user's terms. The table
/// (Postgres names it; SQLite's message holds `table.column` or the check's
/// expression) chooses the object, never shown by its table name.
fn describe_constraint(
    kind: ConstraintKind,
    info: &(dyn diesel::result::DatabaseErrorInformation + Send + Sync),
) -> String {
    let message = info.message();
    // SQLite: "UNIQUE constraint failed: targets.indicator_id, targets.year"
    // Postgres: table_name() = "targets", constraint_name() = "targets_indicator_id_year_key".
    let table = info
        .table_name()
        .map(str::to_string)
        .or_else(|| {
            message
                .split_once(": ")
                .and_then(|(_, rest)| rest.split_once('.'))
                .map(|(table, _)| table.trim().to_string())
        })
        .unwrap_or_default();
    let detail = info.constraint_name().unwrap_or(message);
    let object = object_of_table(&table);
    match kind {
        ConstraintKind::Unique => match table.as_str() {
            "targets" => "an indicator has two targets for the same year".to_string(),
            "measurements" => {
                "an indicator has two measured values for the same period".to_string()
            }
            "ambito_results" => {
                "an ambito has two results of the same kind for the same year".to_string()
            }
            "plans" => "a plan with this code already exists (it was created by another write at the same time); retry".to_string(),
            "api_tokens" => "a live token with this name exists".to_string(),
            _ => format!("{object} with the same code or name already exists there"),
        },
        ConstraintKind::Reference => {
            format!("{object} is referenced by others, or references one that does not exist")
        }
        ConstraintKind::Required => format!("{object} lacks a required value"),
        ConstraintKind::Check => {
            // (with the object named, without it)
            let (what, alone) = if detail.contains("code <> ''") || detail.contains("code_check") {
                ("has an empty code", "a code is empty")
            } else if detail.contains("name <> ''") || detail.contains("name_check") {
                ("has an empty name", "a name is empty")
            } else if detail.contains("date") {
                ("starts after it ends", "a start date is after its end date")
            } else if detail.contains("weight") {
                ("has a weight outside 0-100 %", "a weight is outside 0-100 %")
            } else if detail.contains("max_score") {
                (
                    "has a maximum score that is not points out of a positive total",
                    "a maximum score is not points out of a positive total",
                )
            } else if detail.contains("kind IN") || detail.contains("kind_check") {
                ("has a kind that is not one of its terms", "a kind is not one of its terms")
            } else if detail.contains("first_year") || detail == "plans_check" {
                ("has a first year after its last year", "a first year is after the last year")
            } else {
                (
                    "has a value outside what the data model allows",
                    "a value is outside what the data model allows",
                )
            };
            if table.is_empty() || object == "an object" {
                alone.to_string()
            } else {
                format!("{object} {what}")
            }
        }
    }
}

/// `targets` → `a target`: how a message names what a table holds.
fn object_of_table(table: &str) -> &'static str {
    match table {
        "plans" => "a plan",
        "missions" => "a mission",
        "programs" => "a program",
        "actions" => "a budget action",
        "responsibility_centres" => "a responsibility centre",
        "offices" => "an office",
        "strategic_objectives" | "annual_objectives" => "a linked objective",
        "objectives" => "an objective",
        "objective_offices"
        | "objective_strategic_objectives"
        | "objective_annual_objectives"
        | "objective_actions" => "a link of an objective",
        "indicators" => "an indicator",
        "targets" => "a target",
        "phases" => "a phase",
        "areas" => "an area",
        "ambiti" => "an ambito",
        "ambito_results" => "an ambito result",
        "measurements" => "a measured value",
        "findings" => "a finding",
        "api_tokens" => "a token",
        _ => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Info {
        message: &'static str,
        table: Option<&'static str>,
        constraint: Option<&'static str>,
    }

    impl diesel::result::DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.message
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            self.table
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            self.constraint
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn error(kind: DatabaseErrorKind, info: Info) -> StoreError {
        classify(DieselError::DatabaseError(kind, Box::new(info)))
    }

    #[test]
    fn constraint_violations_of_both_backends_name_no_table_or_constraint() {
        let cases = [
            (
                DatabaseErrorKind::UniqueViolation,
                Info {
                    message: "UNIQUE constraint failed: targets.indicator_id, targets.year",
                    table: None,
                    constraint: None,
                },
                "an indicator has two targets for the same year",
            ),
            (
                DatabaseErrorKind::UniqueViolation,
                Info {
                    message: "duplicate key value violates unique constraint \"targets_indicator_id_year_key\"",
                    table: Some("targets"),
                    constraint: Some("targets_indicator_id_year_key"),
                },
                "an indicator has two targets for the same year",
            ),
            (
                DatabaseErrorKind::CheckViolation,
                Info {
                    message: "CHECK constraint failed: name <> ''",
                    table: None,
                    constraint: None,
                },
                "a name is empty",
            ),
            (
                DatabaseErrorKind::CheckViolation,
                Info {
                    message: "new row for relation \"offices\" violates check constraint \"offices_name_check\"",
                    table: Some("offices"),
                    constraint: Some("offices_name_check"),
                },
                "an office has an empty name",
            ),
        ];
        for (kind, info, expected) in cases {
            let e = error(kind, info);
            assert!(matches!(e, StoreError::Constraint { .. }), "{e:?}");
            assert_eq!(e.to_string(), expected);
        }
    }

    #[test]
    fn a_full_disk_is_reported_as_such_on_both_backends() {
        for message in [
            "database or disk is full",
            "could not extend file \"base/16384/16385\": No space left on device",
        ] {
            let e = error(
                DatabaseErrorKind::Unknown,
                Info {
                    message,
                    table: None,
                    constraint: None,
                },
            );
            assert!(matches!(e, StoreError::DiskFull), "{e:?}");
            assert!(e.to_string().contains("disk is full"), "{e}");
        }
    }
}
