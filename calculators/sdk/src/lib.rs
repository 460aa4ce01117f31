//! The plugin side of the calculator ABI: a safe trait over borrowed columns
//! and the [`export_calculator!`] macro that turns it into a native plugin.
//!
//! A plugin implements [`CalculatorPlugin`] on a `Default` type and calls
//! `export_calculator!(MyType);`. The macro generates the versioned entry
//! symbol; every call the host makes into the plugin goes through
//! `std::panic::catch_unwind`, so a panic becomes an error result instead of
//! unwinding across `extern "C"` (which would abort the host process).

use std::ffi::{c_char, c_void, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

pub use cruscotto_calculator_abi as abi;
pub use rust_decimal::Decimal;
pub use serde_json;

use abi::{
    AbiDecimal, AbiPeriod, AbiResult, ArrowArray, ArrowSchema, CalculatorDescriptorV1, ABI_VERSION,
    STATUS_ERROR, STATUS_NO_DATA, STATUS_OK,
};

/// A calculator implemented in a plugin.
///
/// `compute` receives borrowed columns that the host owns; they are valid
/// only during the call. Implementations must be thread-safe: the host may
/// call `compute` from several threads at once.
pub trait CalculatorPlugin: Default + Send + Sync + 'static {
    /// The calculator id, unique across the registry (`snake_case`).
    const ID: &'static str;
    /// The calculator version, `major.minor.patch`; a higher version replaces
    /// a lower one on reload.
    const VERSION: &'static str;
    /// The manifest as JSON text: `description`, `inputs`, `params`, `unit`,
    /// `direction` and optionally `aggregation`.
    const MANIFEST: &'static str;

    /// Computes the indicator over `batch` for `period`.
    fn compute(
        &self,
        batch: &Batch<'_>,
        period: &Period,
        params: &serde_json::Value,
    ) -> Result<Output, String>;
}

/// The period of a computation; days are counted from 1970-01-01 and both
/// bounds are inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// One of `abi::PERIOD_MONTH`, `abi::PERIOD_QUARTER`, `abi::PERIOD_YEAR`.
    pub kind: u32,
    /// Calendar year.
    pub year: i32,
    /// Month or quarter number, 0 for a year.
    pub index: u32,
    /// First day.
    pub start: i32,
    /// Last day.
    pub end: i32,
}

impl Period {
    /// Whether `day` falls in the period.
    pub fn contains(&self, day: i32) -> bool {
        self.start <= day && day <= self.end
    }
}

/// A message attached to a result, for example how many records were defaulted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// A stable machine-readable code.
    pub code: String,
    /// A human-readable sentence.
    pub message: String,
}

/// What a plugin computation returns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Output {
    /// The value; `None` means "no data" (not an error).
    pub value: Option<Decimal>,
    /// Additive numerator and denominator, for ratio-like methods.
    pub components: Option<(Decimal, Decimal)>,
    /// Records used.
    pub records_used: u64,
    /// Records in scope but left out.
    pub records_excluded: u64,
    /// Diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

/// A validity bitmap (bit set = value present), as Arrow lays it out.
#[derive(Debug, Clone, Copy)]
struct Bitmap<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl Bitmap<'_> {
    fn get(&self, i: usize) -> bool {
        let bit = self.offset + i;
        self.bytes
            .get(bit / 8)
            .is_some_and(|b| b & (1 << (bit % 8)) != 0)
    }
}

/// One borrowed column of a primitive type.
#[derive(Debug, Clone, Copy)]
pub struct Column<'a, T> {
    values: &'a [T],
    validity: Option<Bitmap<'a>>,
}

impl<'a, T: Copy> Column<'a, T> {
    /// The raw values; entries whose validity bit is unset hold unspecified data.
    pub fn values(&self) -> &'a [T] {
        self.values
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether the column has no nulls at all, so `values()` can be used directly.
    pub fn has_nulls(&self) -> bool {
        self.validity.is_some()
    }

    /// The value at row `i`, or `None` when it is null or out of range.
    pub fn get(&self, i: usize) -> Option<T> {
        match self.validity {
            Some(v) if !v.get(i) => None,
            _ => self.values.get(i).copied(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Data<'a> {
    Int64(Column<'a, i64>),
    Int32(Column<'a, i32>),
    Date32(Column<'a, i32>),
    Float64(Column<'a, f64>),
}

/// A batch of named columns, borrowed from the host for one call.
#[derive(Debug)]
pub struct Batch<'a> {
    len: usize,
    columns: Vec<(&'a str, Data<'a>)>,
}

impl<'a> Batch<'a> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the batch has no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Names of the columns, in order.
    pub fn column_names(&self) -> Vec<&'a str> {
        self.columns.iter().map(|(n, _)| *n).collect()
    }

    fn find(&self, name: &str) -> Result<Data<'a>, String> {
        self.columns
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, d)| *d)
            .ok_or_else(|| format!("input column \"{name}\" is missing"))
    }

    /// An `int64` column.
    pub fn int64(&self, name: &str) -> Result<Column<'a, i64>, String> {
        match self.find(name)? {
            Data::Int64(c) => Ok(c),
            _ => Err(format!("input column \"{name}\" is not int64")),
        }
    }

    /// An `int32` column.
    pub fn int32(&self, name: &str) -> Result<Column<'a, i32>, String> {
        match self.find(name)? {
            Data::Int32(c) => Ok(c),
            _ => Err(format!("input column \"{name}\" is not int32")),
        }
    }

    /// A `date32` column (days since 1970-01-01).
    pub fn date32(&self, name: &str) -> Result<Column<'a, i32>, String> {
        match self.find(name)? {
            Data::Date32(c) => Ok(c),
            _ => Err(format!("input column \"{name}\" is not date32")),
        }
    }

    /// A `float64` column.
    pub fn float64(&self, name: &str) -> Result<Column<'a, f64>, String> {
        match self.find(name)? {
            Data::Float64(c) => Ok(c),
            _ => Err(format!("input column \"{name}\" is not float64")),
        }
    }

    /// Reads a struct array of primitive columns.
    ///
    /// # Safety
    /// `schema` and `array` must be null or point to valid, unreleased Arrow C
    /// Data Interface structures that stay valid for `'a`.
    unsafe fn from_raw(
        schema: *const ArrowSchema,
        array: *const ArrowArray,
    ) -> Result<Self, String> {
        if schema.is_null() || array.is_null() {
            return Err("the host passed no input batch".into());
        }
        // SAFETY: the caller guarantees both pointers are valid for 'a.
        let (schema, array) = unsafe { (&*schema, &*array) };
        // SAFETY: format is a NUL-terminated string per the Arrow specification.
        let format = unsafe { cstr(schema.format) }.unwrap_or("");
        if format != "+s" {
            return Err(format!(
                "input batch must be a struct array (+s), found \"{format}\""
            ));
        }
        if schema.n_children != array.n_children || array.n_children < 0 {
            return Err("input batch schema and array disagree on the number of columns".into());
        }
        let len = usize::try_from(array.length).map_err(|_| "negative batch length".to_string())?;
        let n = array.n_children as usize;
        let mut columns = Vec::with_capacity(n);
        for i in 0..n {
            // SAFETY: children arrays hold n_children valid pointers per the specification.
            let (cs, ca) = unsafe { (&**schema.children.add(i), &**array.children.add(i)) };
            // SAFETY: as above, name and format are NUL-terminated or null.
            let name = unsafe { cstr(cs.name) }.unwrap_or("");
            // SAFETY: as above.
            let format = unsafe { cstr(cs.format) }.unwrap_or("");
            // SAFETY: the child is a valid primitive array by the caller's guarantee.
            let data = unsafe { read_primitive(format, ca) }
                .map_err(|e| format!("column \"{name}\": {e}"))?;
            columns.push((name, data));
        }
        Ok(Self { len, columns })
    }
}

/// # Safety
/// `p` must be null or a NUL-terminated string valid for `'a`.
unsafe fn cstr<'a>(p: *const c_char) -> Option<&'a str> {
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null and NUL-terminated by the caller's guarantee.
    unsafe { CStr::from_ptr(p) }.to_str().ok()
}

/// # Safety
/// `a` must be a valid Arrow primitive array whose buffers are valid for `'a`.
unsafe fn read_primitive<'a>(format: &str, a: &'a ArrowArray) -> Result<Data<'a>, String> {
    if a.n_buffers != 2 || a.buffers.is_null() {
        return Err("expected a primitive array with two buffers".into());
    }
    let len = usize::try_from(a.length).map_err(|_| "negative length".to_string())?;
    let offset = usize::try_from(a.offset).map_err(|_| "negative offset".to_string())?;
    // SAFETY: buffers points to n_buffers (2) pointers.
    let (validity, values) = unsafe { (*a.buffers, *a.buffers.add(1)) };
    if values.is_null() && len > 0 {
        return Err("values buffer is null".into());
    }
    let validity = if validity.is_null() || a.null_count == 0 {
        None
    } else {
        // SAFETY: a validity bitmap holds at least offset + len bits.
        let bytes = unsafe {
            std::slice::from_raw_parts(validity as *const u8, (offset + len).div_ceil(8))
        };
        Some(Bitmap { bytes, offset })
    };
    /// # Safety
    /// `values` must point to at least `offset + len` elements of `T`.
    unsafe fn slice<'a, T>(values: *const c_void, offset: usize, len: usize) -> &'a [T] {
        if len == 0 {
            return &[];
        }
        // SAFETY: guaranteed by the caller.
        unsafe { std::slice::from_raw_parts((values as *const T).add(offset), len) }
    }
    // SAFETY (all four arms): the format string tells the element type, and the
    // values buffer holds offset + length elements of it.
    Ok(match format {
        "l" => Data::Int64(Column {
            values: unsafe { slice(values, offset, len) },
            validity,
        }),
        "i" => Data::Int32(Column {
            values: unsafe { slice(values, offset, len) },
            validity,
        }),
        "tdD" => Data::Date32(Column {
            values: unsafe { slice(values, offset, len) },
            validity,
        }),
        "g" => Data::Float64(Column {
            values: unsafe { slice(values, offset, len) },
            validity,
        }),
        other => return Err(format!("unsupported Arrow format \"{other}\"")),
    })
}

fn to_abi_decimal(d: Decimal) -> AbiDecimal {
    AbiDecimal::new(d.mantissa(), d.scale())
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

/// Turns text into a C string the host can read, replacing interior NULs
/// rather than failing, because losing a character beats losing the message.
fn c_string(s: String) -> *mut c_char {
    let cleaned = s.replace('\0', " ");
    CString::new(cleaned)
        .map(CString::into_raw)
        .unwrap_or(std::ptr::null_mut())
}

fn diagnostics_json(diagnostics: &[Diagnostic]) -> String {
    let list: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| serde_json::json!({"code": d.code, "message": d.message}))
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// Items used by the code that [`export_calculator!`] generates. Not part of
/// the public API.
#[doc(hidden)]
pub mod __private {
    use super::*;

    /// The descriptor and the C strings and instance it points to, kept for
    /// the life of the library.
    pub struct Exported {
        descriptor: CalculatorDescriptorV1,
        _strings: [CString; 3],
    }

    // SAFETY: the descriptor only holds pointers to immutable C strings owned
    // by the same struct and to a leaked `T: Sync` instance, so sharing it
    // between threads cannot cause data races.
    unsafe impl Sync for Exported {}
    // SAFETY: as above; nothing in it is tied to a thread.
    unsafe impl Send for Exported {}

    /// A lazily built descriptor, one per exported calculator.
    pub struct DescriptorCell(OnceLock<Option<Exported>>);

    impl Default for DescriptorCell {
        fn default() -> Self {
            Self::new()
        }
    }

    impl DescriptorCell {
        /// An empty cell, usable in a `static`.
        pub const fn new() -> Self {
            Self(OnceLock::new())
        }

        /// Builds the descriptor on first use; null if the calculator's
        /// constants cannot be represented as C strings.
        pub fn get_or_init<T: CalculatorPlugin>(&'static self) -> *const CalculatorDescriptorV1 {
            let exported = self.0.get_or_init(|| {
                let id = CString::new(T::ID).ok()?;
                let version = CString::new(T::VERSION).ok()?;
                let manifest = CString::new(T::MANIFEST).ok()?;
                // The instance is leaked on purpose: the library is never
                // unloaded, so the instance lives exactly as long as its code.
                let instance: &'static T = Box::leak(Box::new(T::default()));
                Some(Exported {
                    descriptor: CalculatorDescriptorV1 {
                        abi_version: ABI_VERSION,
                        id: id.as_ptr(),
                        version: version.as_ptr(),
                        manifest_json: manifest.as_ptr(),
                        instance: instance as *const T as *const c_void,
                        compute: Some(compute_shim::<T>),
                        free_result: Some(free_result_shim),
                    },
                    _strings: [id, version, manifest],
                })
            });
            exported.as_ref().map_or(std::ptr::null(), |e| {
                &e.descriptor as *const CalculatorDescriptorV1
            })
        }
    }

    /// Runs the entry function body, turning a panic into a null descriptor.
    pub fn entry<T: CalculatorPlugin>(
        cell: &'static DescriptorCell,
    ) -> *const CalculatorDescriptorV1 {
        catch_unwind(|| cell.get_or_init::<T>()).unwrap_or(std::ptr::null())
    }

    /// The `compute` function pointer placed in the descriptor.
    ///
    /// # Safety
    /// Called by the host per the ABI: `instance` is the descriptor's instance,
    /// the other pointers are valid for the call, `out` is writable.
    pub unsafe extern "C" fn compute_shim<T: CalculatorPlugin>(
        instance: *const c_void,
        schema: *const ArrowSchema,
        array: *const ArrowArray,
        params_json: *const c_char,
        period: *const AbiPeriod,
        out: *mut AbiResult,
    ) -> u32 {
        if out.is_null() {
            return STATUS_ERROR;
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<Output, String> {
            if instance.is_null() || period.is_null() {
                return Err("the host passed a null instance or period".into());
            }
            // SAFETY: the instance pointer is the leaked `T` set in get_or_init.
            let calc = unsafe { &*(instance as *const T) };
            // SAFETY: the host guarantees the batch is valid for this call.
            let batch = unsafe { Batch::from_raw(schema, array) }?;
            // SAFETY: the host passes a NUL-terminated JSON string or null.
            let params = match unsafe { cstr(params_json) } {
                None | Some("") => serde_json::Value::Object(Default::default()),
                Some(text) => serde_json::from_str(text)
                    .map_err(|e| format!("params are not valid JSON: {e}"))?,
            };
            // SAFETY: checked non-null above; the host owns it for the call.
            let p = unsafe { *period };
            let period = Period {
                kind: p.kind,
                year: p.year,
                index: p.index,
                start: p.start_day,
                end: p.end_day,
            };
            calc.compute(&batch, &period, &params)
        }));
        let result = match outcome {
            Ok(Ok(output)) => {
                let status = if output.value.is_some() {
                    STATUS_OK
                } else {
                    STATUS_NO_DATA
                };
                let (num, den) = output.components.unwrap_or_default();
                AbiResult {
                    status,
                    has_value: u8::from(output.value.is_some()),
                    has_components: u8::from(output.components.is_some()),
                    value: to_abi_decimal(output.value.unwrap_or_default()),
                    numerator: to_abi_decimal(num),
                    denominator: to_abi_decimal(den),
                    records_used: output.records_used,
                    records_excluded: output.records_excluded,
                    diagnostics_json: c_string(diagnostics_json(&output.diagnostics)),
                    error: std::ptr::null_mut(),
                }
            }
            Ok(Err(message)) => AbiResult {
                error: c_string(message),
                ..AbiResult::empty()
            },
            Err(payload) => AbiResult {
                error: c_string(format!(
                    "the plugin panicked: {}",
                    panic_message(payload.as_ref())
                )),
                ..AbiResult::empty()
            },
        };
        let status = result.status;
        // SAFETY: `out` is non-null and writable per the ABI.
        unsafe { out.write(result) };
        status
    }

    /// The `free_result` function pointer placed in the descriptor.
    ///
    /// # Safety
    /// `result` must have been filled by `compute_shim` and not freed yet.
    pub unsafe extern "C" fn free_result_shim(result: *mut AbiResult) {
        if result.is_null() {
            return;
        }
        // Freeing cannot panic in practice, but the guard keeps the promise
        // that no unwinding crosses the ABI.
        let _ = catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: non-null, and filled by compute_shim per the caller's guarantee.
            let r = unsafe { &mut *result };
            for p in [&mut r.diagnostics_json, &mut r.error] {
                if !p.is_null() {
                    // SAFETY: the pointer came from CString::into_raw in this library.
                    drop(unsafe { CString::from_raw(*p) });
                    *p = std::ptr::null_mut();
                }
            }
        }));
    }
}

/// Exports a [`CalculatorPlugin`] implementation as the plugin's entry symbol.
///
/// ```text
/// #[derive(Default)]
/// struct MyCalc;
/// impl cruscotto_calculator_sdk::CalculatorPlugin for MyCalc { /* … */ }
/// cruscotto_calculator_sdk::export_calculator!(MyCalc);
/// ```
#[macro_export]
macro_rules! export_calculator {
    ($ty:ty) => {
        /// The plugin entry symbol (ABI version 1).
        #[no_mangle]
        pub extern "C" fn cruscotto_calculator_v1() -> *const $crate::abi::CalculatorDescriptorV1 {
            static CELL: $crate::__private::DescriptorCell =
                $crate::__private::DescriptorCell::new();
            $crate::__private::entry::<$ty>(&CELL)
        }
    };
}

/// Reads an integer parameter with a default, rejecting other JSON types.
pub fn param_i64(params: &serde_json::Value, name: &str, default: i64) -> Result<i64, String> {
    match params.get(name) {
        None | Some(serde_json::Value::Null) => Ok(default),
        Some(v) => v
            .as_i64()
            .ok_or_else(|| format!("parameter \"{name}\" must be an integer, found {v}")),
    }
}

/// Reads a boolean parameter with a default, rejecting other JSON types.
pub fn param_bool(params: &serde_json::Value, name: &str, default: bool) -> Result<bool, String> {
    match params.get(name) {
        None | Some(serde_json::Value::Null) => Ok(default),
        Some(v) => v
            .as_bool()
            .ok_or_else(|| format!("parameter \"{name}\" must be true or false, found {v}")),
    }
}
