//! The registry: built-in and plugin calculators behind one interface, the
//! plugin directory scan, and the reload rule.
//!
//! # Reload rule
//!
//! - Every file in the plugin directory whose extension is `so`, `dylib` or
//!   `dll` is a candidate; others are ignored. Files are visited in name order.
//! - A path already visited (loaded or rejected) is not opened again: to
//!   upgrade a plugin, install the new build under a new file name (for
//!   example with the version in it).
//! - A calculator with a new id is added.
//! - A library providing an id that is already registered replaces it only
//!   when its version is strictly higher (numeric `major.minor.patch`);
//!   an equal or lower version is reported as a duplicate-id load error.
//! - Built-in ids cannot be taken by plugins.
//! - Libraries are never unloaded, not even replaced or rejected ones:
//!   unloading runs no Rust destructors for statics and crashes on thread-local
//!   destructors registered by the library, or in a computation cut off by
//!   the timeout whose thread still runs. In-process, every opened library is
//!   leaked (no `dlclose`, not even at exit); with worker processes a library
//!   lives and dies with its worker.
//!
//! # Isolation
//!
//! By default ([`Isolation::Process`]) every plugin library runs in worker
//! processes (see [`crate::worker`]): a crash, an abort, the memory limit or
//! the timeout ends the worker, the computation fails with
//! [`CalculatorError::Crashed`] or [`CalculatorError::Timeout`] naming the
//! cause, and the next computation starts a new worker. A library whose
//! load-time code crashes its worker is a [`LoadErrorKind::WorkerFailed`]
//! load error. [`Isolation::InProcess`] loads libraries into this process,
//! for trusted plugins only: a fault there ends the process.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use crate::contract::{CalcResult, Calculator, CalculatorError, Descriptor, Source};
use crate::inputs::Inputs;
use crate::period::Period;
use crate::plugin::{parse_version, LoadError, LoadErrorKind};
use crate::worker::{self, Launcher};

/// Default limit for one plugin computation.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Default address-space limit of a plugin worker process, in MB.
pub const DEFAULT_MEMORY_LIMIT_MB: u64 = 1024;

/// Where plugin libraries run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Isolation {
    /// In worker processes of their own, with a memory and a time limit
    /// (the default).
    #[default]
    Process,
    /// In this process, for trusted plugins: a crash, an abort or an
    /// exhausted memory ends the process, and a computation cut off by the
    /// timeout leaves its thread running until the process exits.
    InProcess,
}

impl std::str::FromStr for Isolation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "process" => Ok(Isolation::Process),
            "in-process" => Ok(Isolation::InProcess),
            other => Err(format!("\"{other}\" is neither process nor in-process")),
        }
    }
}

impl std::fmt::Display for Isolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Isolation::Process => "process",
            Isolation::InProcess => "in-process",
        })
    }
}

/// How to build a [`Registry`].
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    /// Directory scanned for plugin libraries; `None` for built-ins only.
    pub plugin_dir: Option<PathBuf>,
    /// Limit for one plugin computation (built-ins are not limited). With
    /// worker processes, a worker that exceeds it is killed.
    pub timeout: Duration,
    /// Where plugin libraries run.
    pub isolation: Isolation,
    /// Address-space limit (`RLIMIT_AS`) of each worker process, in MB.
    pub memory_limit_mb: u64,
    /// The program started as `PROGRAM plugin-worker LIBRARY` to host a
    /// library; `None` for this executable (right for the `cruscotto`
    /// binary; tests name a worker binary).
    pub worker_program: Option<PathBuf>,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        Self {
            plugin_dir: None,
            timeout: DEFAULT_TIMEOUT,
            isolation: Isolation::Process,
            memory_limit_mb: DEFAULT_MEMORY_LIMIT_MB,
            worker_program: None,
        }
    }
}

/// What a scan of the plugin directory changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReloadReport {
    /// Ids added.
    pub added: Vec<String>,
    /// Ids replaced by a higher version.
    pub replaced: Vec<String>,
    /// Libraries that failed, each with its path.
    pub errors: Vec<LoadError>,
}

/// All calculators known to the process. Safe to share between threads
/// (`Arc<Registry>`); `reload` takes `&self`.
pub struct Registry {
    config: RegistryConfig,
    calculators: RwLock<BTreeMap<String, Arc<dyn Calculator>>>,
    /// Starts worker processes (with [`Isolation::Process`]), or why it cannot.
    launcher: Result<Arc<Launcher>, String>,
    visited: Mutex<BTreeSet<PathBuf>>,
    errors: Mutex<Vec<LoadError>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("config", &self.config)
            .field("ids", &self.ids())
            .finish()
    }
}

fn is_library(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("so" | "dylib" | "dll")
    )
}

impl Registry {
    /// A registry with the built-in calculators only.
    pub fn builtin() -> Self {
        Self::new(RegistryConfig::default())
    }

    /// Built-ins plus every plugin in `config.plugin_dir`. Libraries that
    /// fail are listed by [`Registry::load_errors`]; the others still load.
    pub fn new(config: RegistryConfig) -> Self {
        let calculators = crate::builtin::all()
            .into_iter()
            .map(|c| (c.descriptor().id.clone(), c))
            .collect();
        let program = match (&config.plugin_dir, config.isolation, &config.worker_program) {
            (None, _, _) | (_, Isolation::InProcess, _) => {
                Err("no plugin is hosted in worker processes".to_string())
            }
            (_, _, Some(p)) => Ok(p.clone()),
            (_, _, None) => worker::default_program()
                .map_err(|e| format!("the worker program (this executable) is unknown: {e}")),
        };
        // Only a registry that hosts plugins in workers has a launcher (and
        // its thread).
        let launcher = program.and_then(|program| {
            Launcher::new(program, config.memory_limit_mb, config.timeout).map(Arc::new)
        });
        let registry = Self {
            config,
            calculators: RwLock::new(calculators),
            launcher,
            visited: Mutex::new(BTreeSet::new()),
            errors: Mutex::new(Vec::new()),
        };
        registry.reload();
        registry
    }

    /// Scans the plugin directory again, applying the reload rule in the
    /// module documentation.
    pub fn reload(&self) -> ReloadReport {
        let mut report = ReloadReport::default();
        let Some(dir) = &self.config.plugin_dir else {
            return report;
        };
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                report.errors.push(LoadError {
                    path: dir.clone(),
                    kind: LoadErrorKind::NotALibrary(format!(
                        "cannot read the plugin directory: {e}"
                    )),
                });
                self.record_errors(&report.errors);
                return report;
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| is_library(p))
            .collect();
        paths.sort();
        for path in paths {
            let fresh = self
                .visited
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(path.clone());
            if !fresh {
                continue;
            }
            let loaded: Result<Arc<dyn Calculator>, LoadErrorKind> = match self.config.isolation {
                Isolation::InProcess => crate::plugin::open(&path, self.config.timeout)
                    .map(|c| Arc::new(c) as Arc<dyn Calculator>),
                Isolation::Process => match &self.launcher {
                    Ok(launcher) => {
                        worker::load(launcher, &path).map(|c| Arc::new(c) as Arc<dyn Calculator>)
                    }
                    Err(e) => Err(LoadErrorKind::WorkerFailed(e.clone())),
                },
            };
            let error = |kind| LoadError {
                path: path.clone(),
                kind,
            };
            let calculator = match loaded {
                Ok(c) => c,
                Err(kind) => {
                    report.errors.push(error(kind));
                    continue;
                }
            };
            let id = calculator.descriptor().id.clone();
            let version = calculator.descriptor().version.clone();
            let mut calculators = self.calculators.write().unwrap_or_else(|e| e.into_inner());
            match calculators.get(&id).map(|c| c.descriptor().clone()) {
                None => {
                    tracing::info!(calculator = %id, %version, path = %path.display(), "plugin loaded");
                    calculators.insert(id.clone(), calculator);
                    report.added.push(id);
                }
                Some(existing) if existing.source == Source::Builtin => {
                    report.errors.push(error(LoadErrorKind::BuiltinId(id)))
                }
                Some(existing) if parse_version(&version) > parse_version(&existing.version) => {
                    tracing::info!(calculator = %id, %version, replaced = %existing.version, path = %path.display(), "plugin replaced by a higher version");
                    calculators.insert(id.clone(), calculator);
                    report.replaced.push(id);
                }
                Some(existing) => report.errors.push(error(LoadErrorKind::DuplicateId {
                    id,
                    version,
                    existing: existing.source.to_string(),
                    existing_version: existing.version,
                })),
            }
        }
        for e in &report.errors {
            tracing::warn!(error = %e, "plugin not loaded");
        }
        self.record_errors(&report.errors);
        report
    }

    fn record_errors(&self, errors: &[LoadError]) {
        self.errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(errors);
    }

    /// Every load error since the registry was built.
    pub fn load_errors(&self) -> Vec<LoadError> {
        self.errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The calculator with this id.
    pub fn get(&self, id: &str) -> Option<Arc<dyn Calculator>> {
        self.calculators
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    /// Ids, sorted.
    pub fn ids(&self) -> Vec<String> {
        self.calculators
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }

    /// Descriptors of every calculator, sorted by id.
    pub fn descriptors(&self) -> Vec<Descriptor> {
        self.calculators
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .map(|c| c.descriptor().clone())
            .collect()
    }

    /// Looks up a calculator and computes with it. The registry lock is not
    /// held during the computation.
    pub fn compute(
        &self,
        id: &str,
        inputs: &Inputs,
        period: &Period,
        params: &serde_json::Value,
    ) -> Result<CalcResult, CalculatorError> {
        let calculator = self
            .get(id)
            .ok_or_else(|| CalculatorError::UnknownCalculator(id.into()))?;
        calculator.compute(inputs, period, params)
    }

    /// The configured plugin timeout.
    pub fn timeout(&self) -> Duration {
        self.config.timeout
    }

    /// Where plugin libraries run.
    pub fn isolation(&self) -> Isolation {
        self.config.isolation
    }
}
