//! Calculation periods and day numbers: declared once in the model crate
//! (storage parses periods with the same type), and their form in the
//! plugin ABI.

pub use cruscotto_model::period::{
    date_from_day, day_number, Period, PeriodError, PeriodKind, NULL_DAY,
};

// The ABI and the model name the missing day with one value.
const _: () = assert!(NULL_DAY == cruscotto_calculator_abi::NULL_DAY);

/// A period as the plugin ABI passes it.
pub(crate) fn to_abi(period: Period) -> cruscotto_calculator_abi::AbiPeriod {
    use cruscotto_calculator_abi as abi;
    abi::AbiPeriod {
        kind: match period.kind() {
            PeriodKind::Month => abi::PERIOD_MONTH,
            PeriodKind::Quarter => abi::PERIOD_QUARTER,
            PeriodKind::Year => abi::PERIOD_YEAR,
        },
        year: period.year_number(),
        index: period.index(),
        start_day: period.start_day(),
        end_day: period.end_day(),
    }
}
