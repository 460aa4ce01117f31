//! Why a computation could not be done.

use cruscotto_calculators::{CalculatorError, InputError};
use cruscotto_store::StoreError;

/// Why a computation could not be done. Storage errors are wrapped, not
/// extended: [`StoreError`] stays the error of plain storage.
#[derive(Debug, thiserror::Error)]
pub enum ComputeError {
    /// Reading or writing the database failed, or an object was not found.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The calculator failed (bad parameter, plugin error or timeout, overflow).
    #[error("calculator failed: {0}")]
    Calculator(#[from] CalculatorError),
    /// The indicator has no calculator binding.
    #[error("indicator {indicator} has no calculator: bind one first (cruscotto bind … --calculator ID)")]
    NoBinding {
        /// `PLAN/OBJECTIVE/INDICATOR`.
        indicator: String,
    },
    /// The binding names a calculator the registry does not have.
    #[error("indicator {indicator} is bound to calculator \"{calculator}\", which is not loaded (see `cruscotto calculators`)")]
    UnknownCalculator {
        /// `PLAN/OBJECTIVE/INDICATOR`.
        indicator: String,
        /// The calculator id of the binding.
        calculator: String,
    },
    /// The binding's parameters are not a JSON object.
    #[error("indicator {indicator}: calculator parameters must be a JSON object, found {params}")]
    InvalidParams {
        /// `PLAN/OBJECTIVE/INDICATOR`.
        indicator: String,
        /// The stored parameters.
        params: String,
    },
    /// Stored inputs the calculators refuse (out-of-range values).
    #[error("stored inputs are not valid: {0}")]
    Inputs(#[from] InputError),
}
