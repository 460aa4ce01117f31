//! Native calculator plugins loaded into this process: opening a library,
//! the version handshake, reading the descriptor and manifest, and running
//! `compute`. The plugin worker process ([`crate::worker`]) uses this module
//! to host a library; the registry uses it directly only when in-process
//! loading was chosen ([`crate::Isolation::InProcess`]), and then runs each
//! computation on a thread of its own with a timeout.

use std::ffi::{c_void, CStr, CString};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use cruscotto_calculator_abi::{
    AbiDecimal, AbiResult, CalculatorDescriptorV1, ComputeFn, EntryFn, FreeResultFn, ABI_VERSION,
    ENTRY_SYMBOL, STATUS_ERROR, STATUS_NO_DATA, STATUS_OK,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::arrow_export::{export_payments, ExportedBatch};
use crate::contract::{
    Aggregation, CalcResult, Calculator, CalculatorError, Components, Descriptor, Diagnostic,
    Direction, InputKind, InputSpec, ParamSpec, ResultStatus, Source, Unit,
};
use crate::inputs::{Inputs, PaymentTable};
use crate::period::Period;

/// Why a library in the plugin directory was not loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum LoadErrorKind {
    /// The file could not be opened as a native library.
    #[error("not a loadable library: {0}")]
    NotALibrary(String),
    /// The library lacks the entry symbol.
    #[error("missing entry symbol cruscotto_calculator_v1: {0}")]
    MissingSymbol(String),
    /// The entry function returned null.
    #[error("the plugin failed to initialise (entry symbol returned null)")]
    InitFailed,
    /// The plugin was built for another ABI version.
    #[error("wrong ABI version {found} (this host supports {expected})")]
    WrongAbiVersion {
        /// Version the plugin reports.
        found: u32,
        /// Version the host implements.
        expected: u32,
    },
    /// The descriptor is malformed (null or non-UTF-8 strings, missing functions, bad version).
    #[error("invalid descriptor: {0}")]
    BadDescriptor(String),
    /// The manifest is not the expected JSON.
    #[error("manifest does not parse: {0}")]
    BadManifest(String),
    /// Another calculator already holds the id with an equal or higher version.
    #[error("duplicate calculator id \"{id}\" version {version}: already provided by {existing} (version {existing_version})")]
    DuplicateId {
        /// The id.
        id: String,
        /// This library's version.
        version: String,
        /// Where the loaded one comes from.
        existing: String,
        /// The loaded one's version.
        existing_version: String,
    },
    /// A plugin tried to take the id of a built-in calculator.
    #[error(
        "calculator id \"{0}\" belongs to a built-in calculator and cannot be replaced by a plugin"
    )]
    BuiltinId(String),
    /// The worker process hosting the library died, broke the protocol or
    /// did not answer in time while loading it (for example a load-time
    /// constructor that aborts); the message gives the cause.
    #[error("the plugin worker failed while loading the library: {0}")]
    WorkerFailed(String),
}

/// A library that failed to load, with its path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {kind}", path.display())]
pub struct LoadError {
    /// The library file.
    pub path: PathBuf,
    /// What went wrong.
    pub kind: LoadErrorKind,
}

/// The manifest a plugin publishes as JSON.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    description: String,
    #[serde(default)]
    inputs: Vec<InputSpec>,
    #[serde(default)]
    params: Vec<ParamSpec>,
    unit: Unit,
    direction: Direction,
    #[serde(default)]
    aggregation: Aggregation,
}

/// A `major.minor.patch` version, compared numerically.
pub(crate) fn parse_version(v: &str) -> Option<(u64, u64, u64)> {
    let mut parts = v.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch_text = parts.next()?;
    // A pre-release or build suffix (1.2.3-rc1) is ignored for ordering.
    let patch = patch_text.split(['-', '+']).next()?.parse().ok()?;
    parts.next().is_none().then_some((major, minor, patch))
}

/// The plugin's function pointers and instance. Plain data, copied into the
/// thread of each in-process computation.
#[derive(Clone, Copy)]
struct Ffi {
    instance: *const c_void,
    compute: ComputeFn,
    free_result: FreeResultFn,
}

// SAFETY: the pointers refer to code and a `Sync` instance inside a library
// that is never unloaded; the plugin contract requires `compute` to be
// callable from any thread (the SDK enforces `Send + Sync` on the type).
unsafe impl Send for Ffi {}
// SAFETY: as above.
unsafe impl Sync for Ffi {}

/// Computations cut off by the timeout whose thread was abandoned, since
/// the process started (in-process plugins only).
static ABANDONED: AtomicUsize = AtomicUsize::new(0);

/// How many in-process plugin computations were cut off by the timeout
/// while their thread kept running. Such a thread cannot be stopped; a
/// command that is about to exit says so (the library stays loaded, so the
/// exit itself is clean). Always 0 with worker processes.
pub fn abandoned_computations() -> usize {
    ABANDONED.load(Ordering::Relaxed)
}

/// A calculator provided by a native library loaded into this process.
pub struct PluginCalculator {
    descriptor: Descriptor,
    ffi: Ffi,
    timeout: Duration,
}

impl std::fmt::Debug for PluginCalculator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginCalculator")
            .field("descriptor", &self.descriptor)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Opens a library and reads its calculator. The library is never
/// unloaded, whether it is accepted or not: its initialisers have run, and
/// unloading Rust code is not safe in general (thread-local destructors,
/// statics, and above all a computation cut off by the timeout whose thread
/// still runs the library's code). The handle is leaked on purpose, so no
/// `dlclose` happens either when the registry is dropped or at exit.
pub(crate) fn open(path: &Path, timeout: Duration) -> Result<PluginCalculator, LoadErrorKind> {
    // SAFETY: loading a library runs its initialisers. In-process plugins
    // are trusted code installed by the operator in the plugin directory
    // (the documented trust model of `Isolation::InProcess`); in a worker
    // process a faulty initialiser ends only the worker.
    let library = match unsafe { libloading::Library::new(path) } {
        Ok(l) => l,
        Err(e) => return Err(LoadErrorKind::NotALibrary(e.to_string())),
    };
    let library: &'static libloading::Library = Box::leak(Box::new(library));
    read_descriptor(library, path, timeout)
}

fn read_descriptor(
    library: &libloading::Library,
    path: &Path,
    timeout: Duration,
) -> Result<PluginCalculator, LoadErrorKind> {
    // SAFETY: the symbol's type is fixed by the ABI crate; a library
    // exporting the name with another type breaks the contract.
    let entry: libloading::Symbol<'_, EntryFn> = unsafe { library.get(ENTRY_SYMBOL) }
        .map_err(|e| LoadErrorKind::MissingSymbol(e.to_string()))?;
    // SAFETY: calling the entry function per the ABI; it takes no arguments.
    let descriptor = unsafe { entry() };
    if descriptor.is_null() {
        return Err(LoadErrorKind::InitFailed);
    }
    // SAFETY: every descriptor version starts with a u32 ABI version, so this
    // read is valid whatever version the plugin was built for; nothing else is
    // read before the check.
    let found = unsafe { std::ptr::read(descriptor as *const u32) };
    if found != ABI_VERSION {
        return Err(LoadErrorKind::WrongAbiVersion {
            found,
            expected: ABI_VERSION,
        });
    }
    // SAFETY: the version matched, so the pointer is a CalculatorDescriptorV1
    // that lives as long as the library.
    let d: &CalculatorDescriptorV1 = unsafe { &*descriptor };
    let text = |p: *const std::ffi::c_char, what: &str| -> Result<String, LoadErrorKind> {
        if p.is_null() {
            return Err(LoadErrorKind::BadDescriptor(format!("{what} is null")));
        }
        // SAFETY: non-null; the ABI requires NUL-terminated strings valid for the library's life.
        let s = unsafe { CStr::from_ptr(p) };
        s.to_str()
            .map(str::to_owned)
            .map_err(|_| LoadErrorKind::BadDescriptor(format!("{what} is not UTF-8")))
    };
    let id = text(d.id, "id")?;
    let version = text(d.version, "version")?;
    let manifest_text = text(d.manifest_json, "manifest")?;
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(LoadErrorKind::BadDescriptor(format!(
            "id \"{id}\" must be non-empty letters, digits, '_' or '-'"
        )));
    }
    if parse_version(&version).is_none() {
        return Err(LoadErrorKind::BadDescriptor(format!(
            "version \"{version}\" is not major.minor.patch"
        )));
    }
    let (Some(compute), Some(free_result)) = (d.compute, d.free_result) else {
        return Err(LoadErrorKind::BadDescriptor(
            "compute or free_result is null".into(),
        ));
    };
    let manifest: Manifest = serde_json::from_str(&manifest_text)
        .map_err(|e| LoadErrorKind::BadManifest(e.to_string()))?;
    if let Some(bad) = manifest
        .inputs
        .iter()
        .find(|i| i.kind != InputKind::Payments)
    {
        return Err(LoadErrorKind::BadManifest(format!(
            "input \"{}\": ABI version 1 passes only the payments table to plugins",
            bad.name
        )));
    }
    Ok(PluginCalculator {
        descriptor: Descriptor {
            id,
            version,
            description: manifest.description,
            inputs: manifest.inputs,
            params: manifest.params,
            unit: manifest.unit,
            direction: manifest.direction,
            aggregation: manifest.aggregation,
            source: Source::Plugin(path.to_path_buf()),
        },
        ffi: Ffi {
            instance: d.instance,
            compute,
            free_result,
        },
        timeout,
    })
}

fn decimal(d: AbiDecimal, id: &str, what: &str) -> Result<Decimal, CalculatorError> {
    Decimal::try_from_i128_with_scale(d.mantissa(), d.scale).map_err(|e| {
        CalculatorError::PluginProtocol {
            id: id.into(),
            message: format!("{what} is not a representable decimal: {e}"),
        }
    })
}

/// Copies an owned string out of a plugin-allocated C string.
///
/// # Safety
/// `p` must be null or a NUL-terminated string.
unsafe fn owned(p: *const std::ffi::c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null and NUL-terminated by the caller's guarantee.
    Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

/// Turns a filled `AbiResult` into a `CalcResult`, copying everything the
/// host keeps so the plugin's memory can be freed right after.
fn convert(out: &AbiResult, id: &str) -> Result<CalcResult, CalculatorError> {
    // SAFETY: the plugin fills these with its own C strings or nulls.
    let (error, diagnostics) = unsafe { (owned(out.error), owned(out.diagnostics_json)) };
    match out.status {
        STATUS_ERROR => {
            return Err(CalculatorError::PluginFailed {
                id: id.into(),
                message: error
                    .unwrap_or_else(|| "the plugin reported an error without a message".into()),
            })
        }
        STATUS_OK | STATUS_NO_DATA => {}
        other => {
            return Err(CalculatorError::PluginProtocol {
                id: id.into(),
                message: format!("unknown status {other}"),
            })
        }
    }
    let diagnostics: Vec<Diagnostic> = match diagnostics {
        None => Vec::new(),
        Some(text) => serde_json::from_str(&text).map_err(|e| CalculatorError::PluginProtocol {
            id: id.into(),
            message: format!("diagnostics are not a JSON list of {{code, message}}: {e}"),
        })?,
    };
    let components = if out.has_components != 0 {
        Some(Components {
            numerator: decimal(out.numerator, id, "numerator")?,
            denominator: decimal(out.denominator, id, "denominator")?,
            multiplier: Decimal::ONE,
        })
    } else {
        None
    };
    let value = if out.status == STATUS_OK && out.has_value != 0 {
        Some(decimal(out.value, id, "value")?.normalize())
    } else {
        None
    };
    let mut diagnostics = diagnostics;
    if value.is_none() && diagnostics.is_empty() {
        diagnostics.push(Diagnostic::new(
            "no_data",
            "the plugin found nothing to compute over",
        ));
    }
    Ok(CalcResult {
        status: if value.is_some() {
            ResultStatus::Ok
        } else {
            ResultStatus::NoData
        },
        value,
        components,
        records_used: out.records_used,
        records_excluded: out.records_excluded,
        diagnostics,
    })
}

impl Ffi {
    /// Runs one computation and frees the plugin's memory.
    fn call(
        self,
        batch: &ExportedBatch,
        params: &CStr,
        period: &cruscotto_calculator_abi::AbiPeriod,
        id: &str,
    ) -> Result<CalcResult, CalculatorError> {
        let mut out = AbiResult::empty();
        // SAFETY: all pointers are valid for the call: the batch and params are
        // owned by this thread, the instance and function belong to a library
        // that is never unloaded.
        unsafe {
            (self.compute)(
                self.instance,
                &*batch.schema,
                &*batch.array,
                params.as_ptr(),
                period,
                &mut out,
            )
        };
        let result = convert(&out, id);
        // SAFETY: `out` was filled by this plugin's compute and is freed once.
        unsafe { (self.free_result)(&mut out) };
        result
    }
}

impl PluginCalculator {
    /// The inputs as the ABI passes them: the payments exported as Arrow
    /// arrays (no copy) and the params as a JSON object in a C string.
    fn prepare(
        &self,
        inputs: &Inputs,
        params: &serde_json::Value,
    ) -> Result<(ExportedBatch, CString), CalculatorError> {
        let wants_payments = self
            .descriptor
            .inputs
            .iter()
            .any(|i| i.kind == InputKind::Payments);
        let batch = match (&inputs.payments, wants_payments) {
            (Some(table), _) => export_payments(table),
            (None, true) => return Err(CalculatorError::MissingInput("payments".into())),
            (None, false) => {
                let empty = PaymentTable::from_columns(vec![], vec![], vec![], vec![], vec![])
                    .map_err(|e| CalculatorError::InvalidInput(e.to_string()))?;
                export_payments(&empty)
            }
        };
        let params = match params {
            serde_json::Value::Null => "{}".to_string(),
            serde_json::Value::Object(_) => params.to_string(),
            other => {
                return Err(CalculatorError::InvalidParam {
                    name: "params".into(),
                    message: format!("must be a JSON object, found {other}"),
                })
            }
        };
        // serde_json escapes NUL inside strings, so the text has no interior NUL.
        let params =
            CString::new(params).map_err(|e| CalculatorError::InvalidInput(e.to_string()))?;
        Ok((batch, params))
    }

    /// Runs the plugin on the calling thread, without a timeout: what the
    /// worker process does, whose limits are enforced from outside by the
    /// host (it kills the worker).
    pub(crate) fn compute_on_this_thread(
        &self,
        inputs: &Inputs,
        period: &Period,
        params: &serde_json::Value,
    ) -> Result<CalcResult, CalculatorError> {
        let (batch, params) = self.prepare(inputs, params)?;
        self.ffi.call(
            &batch,
            &params,
            &crate::period::to_abi(*period),
            &self.descriptor.id,
        )
    }
}

impl Calculator for PluginCalculator {
    fn descriptor(&self) -> &Descriptor {
        &self.descriptor
    }

    /// Runs the plugin on a fresh thread and waits at most the configured
    /// timeout.
    ///
    /// On timeout the thread is abandoned, not killed: Rust cannot stop a
    /// thread safely, and killing it could leave locks or allocator state
    /// inconsistent. Abandoning is sound because the thread owns everything
    /// it touches (the exported batch holds reference counts on the input
    /// buffers, the params are moved in) and the library is never unloaded,
    /// so its code stays mapped whatever the thread does next, until the
    /// process exits. The cost is a thread (spinning, if the plugin loops)
    /// and its inputs held until the plugin returns, if ever: the reason
    /// worker processes are the default.
    fn compute(
        &self,
        inputs: &Inputs,
        period: &Period,
        params: &serde_json::Value,
    ) -> Result<CalcResult, CalculatorError> {
        let id = self.descriptor.id.clone();
        let (batch, params) = self.prepare(inputs, params)?;
        let period = crate::period::to_abi(*period);
        let ffi = self.ffi;
        let (tx, rx) = mpsc::sync_channel(1);
        let thread_id = id.clone();
        std::thread::Builder::new()
            .name(format!("calculator-{id}"))
            .spawn(move || {
                let result = ffi.call(&batch, &params, &period, &thread_id);
                drop(batch);
                // The receiver is gone when the host gave up waiting; nothing to do then.
                let _ = tx.send(result);
            })
            .map_err(|e| CalculatorError::PluginFailed {
                id: id.clone(),
                message: format!("could not start a thread for the computation: {e}"),
            })?;
        match rx.recv_timeout(self.timeout) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                ABANDONED.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(calculator = %id, timeout = ?self.timeout, "in-process plugin computation cut off; its thread is abandoned and keeps running");
                Err(CalculatorError::Timeout {
                    id,
                    after: self.timeout,
                })
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(CalculatorError::PluginFailed {
                id,
                message: "the computation's thread ended without a result".into(),
            }),
        }
    }
}
