//! The C ABI between the calculator host and native calculator plugins.
//!
//! Everything here is `#[repr(C)]` or `extern "C"` and this crate depends on
//! nothing, so a plugin built with another toolchain, or in another language,
//! can implement the contract from this file alone.
//!
//! # Protocol (version 1)
//!
//! 1. The host opens the library and looks up the symbol [`ENTRY_SYMBOL`]
//!    (`cruscotto_calculator_v1`), an [`EntryFn`].
//! 2. It calls the entry function, which returns a pointer to a
//!    [`CalculatorDescriptorV1`] that lives as long as the library (the host
//!    never unloads libraries). A null pointer means the plugin failed to
//!    initialise.
//! 3. The host reads `abi_version` (the first field in every version of the
//!    descriptor) and stops unless it equals [`ABI_VERSION`]; no other field is
//!    read and nothing else is called before this check.
//! 4. The host reads `id`, `version` and `manifest_json` (NUL-terminated UTF-8,
//!    owned by the plugin, valid for the life of the library).
//! 5. For each computation the host calls `compute` with a struct array of
//!    columns in the Arrow C Data Interface layout ([`ArrowSchema`],
//!    [`ArrowArray`]). The host owns those arrays: the plugin only borrows them
//!    for the duration of the call and must not call their `release`
//!    callbacks. The plugin fills an [`AbiResult`]; any strings in it are
//!    allocated by the plugin and the host gives them back through
//!    `free_result` once it has copied them.
//!
//! Memory is always freed by whoever allocated it.

use std::ffi::{c_char, c_void, CStr};

/// The version of this ABI. A plugin reporting any other number is rejected.
pub const ABI_VERSION: u32 = 1;

/// The name of the entry symbol, NUL-terminated, as `libloading` wants it.
pub const ENTRY_SYMBOL: &[u8] = b"cruscotto_calculator_v1\0";

/// The entry symbol's signature: returns the plugin's descriptor, or null.
pub type EntryFn = unsafe extern "C" fn() -> *const CalculatorDescriptorV1;

/// Arrow format string for 64-bit signed integers.
pub const FORMAT_INT64: &CStr = c"l";
/// Arrow format string for 32-bit signed integers.
pub const FORMAT_INT32: &CStr = c"i";
/// Arrow format string for 64-bit floats.
pub const FORMAT_FLOAT64: &CStr = c"g";
/// Arrow format string for dates as 32-bit days since 1970-01-01.
pub const FORMAT_DATE32_DAYS: &CStr = c"tdD";
/// Arrow format string for a struct of child columns.
pub const FORMAT_STRUCT: &CStr = c"+s";

/// The value a host writes under a null `date32` entry, in addition to
/// clearing its validity bit. Plugins may rely on it to scan date columns
/// without reading the bitmap: `i32::MIN` is before any period.
pub const NULL_DAY: i32 = i32::MIN;

/// Arrow schema flag: the field may contain nulls.
pub const ARROW_FLAG_NULLABLE: i64 = 2;

/// The Arrow C Data Interface schema, laid out exactly as the Arrow
/// specification defines `struct ArrowSchema`.
#[repr(C)]
#[derive(Debug)]
pub struct ArrowSchema {
    /// Format string, for example `"l"` or `"tdD"`; NUL-terminated.
    pub format: *const c_char,
    /// Field name, NUL-terminated, or null.
    pub name: *const c_char,
    /// Binary metadata, or null. This ABI never sets it.
    pub metadata: *const c_char,
    /// Bit flags such as [`ARROW_FLAG_NULLABLE`].
    pub flags: i64,
    /// Number of children.
    pub n_children: i64,
    /// Pointer to `n_children` child schema pointers.
    pub children: *mut *mut ArrowSchema,
    /// Dictionary schema, or null. This ABI never sets it.
    pub dictionary: *mut ArrowSchema,
    /// Release callback; null means the schema has been released.
    pub release: Option<unsafe extern "C" fn(*mut ArrowSchema)>,
    /// Producer-owned data for the release callback.
    pub private_data: *mut c_void,
}

/// The Arrow C Data Interface array, laid out exactly as the Arrow
/// specification defines `struct ArrowArray`.
#[repr(C)]
#[derive(Debug)]
pub struct ArrowArray {
    /// Number of logical elements.
    pub length: i64,
    /// Number of nulls, or -1 when unknown.
    pub null_count: i64,
    /// Logical offset into the buffers, in elements.
    pub offset: i64,
    /// Number of buffers (2 for the primitive types used here, 1 for a struct).
    pub n_buffers: i64,
    /// Number of children.
    pub n_children: i64,
    /// Pointer to `n_buffers` buffer pointers; buffer 0 is the validity bitmap
    /// (may be null when there are no nulls), buffer 1 the values.
    pub buffers: *mut *const c_void,
    /// Pointer to `n_children` child array pointers.
    pub children: *mut *mut ArrowArray,
    /// Dictionary array, or null. This ABI never sets it.
    pub dictionary: *mut ArrowArray,
    /// Release callback; null means the array has been released.
    pub release: Option<unsafe extern "C" fn(*mut ArrowArray)>,
    /// Producer-owned data for the release callback.
    pub private_data: *mut c_void,
}

/// Period kind: a calendar month.
pub const PERIOD_MONTH: u32 = 1;
/// Period kind: a calendar quarter.
pub const PERIOD_QUARTER: u32 = 2;
/// Period kind: a calendar year.
pub const PERIOD_YEAR: u32 = 3;

/// The period a computation covers. Both bounds are inclusive and expressed,
/// like Arrow `date32`, as days since 1970-01-01.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbiPeriod {
    /// One of [`PERIOD_MONTH`], [`PERIOD_QUARTER`], [`PERIOD_YEAR`].
    pub kind: u32,
    /// Calendar year.
    pub year: i32,
    /// Month (1-12) or quarter (1-4); 0 for a year.
    pub index: u32,
    /// First day of the period.
    pub start_day: i32,
    /// Last day of the period.
    pub end_day: i32,
}

/// An exact decimal number: `mantissa / 10^scale`, with the 128-bit
/// mantissa split in two halves because `i128` has no stable C layout.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AbiDecimal {
    /// Low 64 bits of the two's-complement mantissa.
    pub lo: u64,
    /// High 64 bits of the two's-complement mantissa.
    pub hi: i64,
    /// Number of decimal digits after the point (0-28).
    pub scale: u32,
}

impl AbiDecimal {
    /// Builds a decimal from a mantissa and a scale.
    pub const fn new(mantissa: i128, scale: u32) -> Self {
        Self {
            lo: mantissa as u64,
            hi: (mantissa >> 64) as i64,
            scale,
        }
    }

    /// The 128-bit mantissa.
    pub const fn mantissa(self) -> i128 {
        ((self.hi as i128) << 64) | (self.lo as i128)
    }
}

/// Result status: a value was computed.
pub const STATUS_OK: u32 = 0;
/// Result status: there was nothing to compute over (for example a ratio
/// with a zero denominator); `has_value` is 0.
pub const STATUS_NO_DATA: u32 = 1;
/// Result status: the computation failed; `error` holds the message.
pub const STATUS_ERROR: u32 = 2;

/// What a plugin returns from `compute`. The host zero-initialises it
/// ([`AbiResult::empty`]) before the call.
#[repr(C)]
#[derive(Debug)]
pub struct AbiResult {
    /// One of [`STATUS_OK`], [`STATUS_NO_DATA`], [`STATUS_ERROR`].
    pub status: u32,
    /// 1 when `value` is set.
    pub has_value: u8,
    /// 1 when `numerator` and `denominator` are set.
    pub has_components: u8,
    /// The indicator value.
    pub value: AbiDecimal,
    /// Additive numerator, for ratio-like methods.
    pub numerator: AbiDecimal,
    /// Additive denominator, for ratio-like methods.
    pub denominator: AbiDecimal,
    /// Records that entered the computation.
    pub records_used: u64,
    /// Records in scope that had to be left out (for example invalid ones).
    pub records_excluded: u64,
    /// Plugin-allocated JSON array of `{"code": …, "message": …}`, or null.
    pub diagnostics_json: *mut c_char,
    /// Plugin-allocated error message when `status` is [`STATUS_ERROR`], or null.
    pub error: *mut c_char,
}

impl AbiResult {
    /// An empty result, as the host passes it to `compute`.
    pub const fn empty() -> Self {
        Self {
            status: STATUS_ERROR,
            has_value: 0,
            has_components: 0,
            value: AbiDecimal::new(0, 0),
            numerator: AbiDecimal::new(0, 0),
            denominator: AbiDecimal::new(0, 0),
            records_used: 0,
            records_excluded: 0,
            diagnostics_json: std::ptr::null_mut(),
            error: std::ptr::null_mut(),
        }
    }
}

/// Computes over one batch. `instance` is the descriptor's `instance` field;
/// `schema`/`array` describe a struct of columns owned by the host; `params_json`
/// is a NUL-terminated JSON object; `out` points to an [`AbiResult::empty`].
/// Returns the same status it writes into `out.status`.
pub type ComputeFn = unsafe extern "C" fn(
    instance: *const c_void,
    schema: *const ArrowSchema,
    array: *const ArrowArray,
    params_json: *const c_char,
    period: *const AbiPeriod,
    out: *mut AbiResult,
) -> u32;

/// Frees the plugin-allocated parts of a result filled by [`ComputeFn`].
pub type FreeResultFn = unsafe extern "C" fn(result: *mut AbiResult);

/// The descriptor a version-1 plugin returns from its entry symbol.
#[repr(C)]
#[derive(Debug)]
pub struct CalculatorDescriptorV1 {
    /// Must be [`ABI_VERSION`]. This field comes first in every version so a
    /// host can read it without knowing the rest of the layout.
    pub abi_version: u32,
    /// Calculator id, for example `median_payment_delay`.
    pub id: *const c_char,
    /// Calculator version, `major.minor.patch`.
    pub version: *const c_char,
    /// JSON manifest: description, inputs, params, unit, direction.
    pub manifest_json: *const c_char,
    /// Opaque plugin state passed back to `compute`.
    pub instance: *const c_void,
    /// The computation.
    pub compute: Option<ComputeFn>,
    /// Frees what `compute` allocated in an [`AbiResult`].
    pub free_result: Option<FreeResultFn>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_mantissa_round_trips_through_two_halves() {
        for m in [
            0i128,
            1,
            -1,
            i64::MAX as i128 * 7,
            -(1i128 << 100),
            i128::MAX,
            i128::MIN,
        ] {
            assert_eq!(AbiDecimal::new(m, 2).mantissa(), m);
        }
    }

    #[test]
    fn abi_version_is_the_first_field_of_the_descriptor() {
        assert_eq!(std::mem::offset_of!(CalculatorDescriptorV1, abi_version), 0);
    }
}
