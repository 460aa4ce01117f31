//! Indicator computations and judging, orchestrated outside storage.
//!
//! The engine owns the steps of a computation and of judging; storage
//! (`cruscotto-store`) only reads and writes rows, through the narrow
//! interface of its `calc` module (see ARCHITECTURE.md), and calculators
//! (`cruscotto-calculators`) only compute.
//!
//! # How a value is computed ([`Engine::compute_indicator`])
//!
//! 1. The indicator's calculator binding is read (none → [`ComputeError::NoBinding`]),
//!    the calculator is chosen from the registry and the binding's
//!    parameters are read.
//! 2. Storage reads the inputs the calculator's descriptor asks for in one
//!    consistent snapshot, with the latest stored value
//!    (`Database::read_inputs`), and the engine turns the rows into the
//!    calculator's inputs ([`inputs`]):
//!    - `payments`: every payment of the indicator's plan, sorted by
//!      content, so that the fingerprint depends on what the payments are
//!      and not on the order the database returns them in;
//!    - a series: the indicator's measurements inside the period (see
//!      [`inputs::choose_measurements`]); a series named `numerator` or
//!      `denominator` reads that column, any other name reads `value`; each
//!      observation is dated on its period's last day;
//!    - `phases`: the phases of the indicator's objective with their weights
//!      and their latest progress recorded for a period ending by the end of
//!      the computed period (no progress → 0 %).
//! 3. The input fingerprint is computed ([`cruscotto_calculators::Provenance`]).
//!    When the latest stored value of the same indicator and period has the
//!    same fingerprint, calculator id and version, it is returned, marked
//!    [`StoredValue::reused`], and nothing is computed or written.
//! 4. Otherwise the calculator runs (a plugin under the registry's timeout;
//!    no database connection is held meanwhile) and storage writes a new
//!    `indicator_values` row (`Database::insert_value`). Older rows stay:
//!    they are the history.
//!
//! A year is computed from the year's raw inputs: the calculator
//! re-aggregates numerators and denominators. Quarter values are never
//! averaged.
//!
//! # Judging ([`judge`])
//!
//! An indicator's latest value for a year is compared with the target of
//! that year through [`cruscotto_calculators::achievement`]; an objective is
//! judged on its indicators, or on its phases when no indicator has a value.

mod compute;
mod error;
pub mod inputs;
pub mod judge;
mod values;

use cruscotto_store::Database;

pub use error::ComputeError;
pub use judge::{AchievementBasis, AchievementView, ObjectiveAchievementView};
pub use values::StoredValue;

/// Computations and judging over one database.
#[derive(Clone, Copy)]
pub struct Engine<'a> {
    db: &'a Database,
}

impl<'a> Engine<'a> {
    /// The engine over `db`.
    pub fn new(db: &'a Database) -> Self {
        Self { db }
    }
}
