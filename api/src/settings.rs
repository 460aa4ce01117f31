//! Settings of the service, read once from the environment at start-up and
//! passed down. Every variable is documented here and in `.env.example`.

use std::path::PathBuf;
use std::time::Duration;

use cruscotto_calculators::{Isolation, RegistryConfig, DEFAULT_MEMORY_LIMIT_MB};

/// How the service runs. Built by [`Settings::from_env`] (the binary) or
/// directly (tests, with `listen` on port 0).
#[derive(Debug, Clone)]
pub struct Settings {
    /// `CRUSCOTTO_LISTEN`: address to listen on (default `127.0.0.1:8080`).
    pub listen: String,
    /// `DATABASE_URL`: see the storage crate.
    pub database_url: String,
    /// `CRUSCOTTO_DEFAULT_PAGE_SIZE`: items of a list when `first`/`last`
    /// is not given (default 50).
    pub default_page_size: usize,
    /// `CRUSCOTTO_MAX_PAGE_SIZE`: the largest `first`/`last` accepted
    /// (default 500).
    pub max_page_size: usize,
    /// `CRUSCOTTO_MAX_DEPTH`: deepest query accepted (default 15).
    pub max_depth: usize,
    /// `CRUSCOTTO_MAX_COMPLEXITY`: largest query complexity accepted
    /// (default 50,000).
    pub max_complexity: usize,
    /// `CRUSCOTTO_MAX_BODY_BYTES`: largest request body (default 1 MiB).
    pub max_body_bytes: usize,
    /// `CRUSCOTTO_MAX_QUERY_BYTES`: longest query text (default 100,000
    /// bytes; `QUERY_TOO_LONG`).
    pub max_query_bytes: usize,
    /// `CRUSCOTTO_MAX_FIELDS`: most fields a query may select, counted with
    /// its fragments expanded (default 5,000; `QUERY_TOO_MANY_FIELDS`).
    pub max_fields: usize,
    /// `CRUSCOTTO_MAX_ALIASES`: most aliases, counted the same way (default
    /// 100; `QUERY_TOO_MANY_ALIASES`).
    pub max_aliases: usize,
    /// `CRUSCOTTO_MAX_FRAGMENT_SPREADS`: most fragment spreads, counted the
    /// same way (default 500; `QUERY_TOO_MANY_FRAGMENT_SPREADS`).
    pub max_fragment_spreads: usize,
    /// `CRUSCOTTO_MAX_STRING_LENGTH`: longest string argument, in
    /// characters (default 10,000; `BAD_USER_INPUT`). The document of
    /// `importDocument` and the CSV of `importPayments` are bounded by the
    /// body limit only.
    pub max_string_length: usize,
    /// `CRUSCOTTO_MAX_SEARCH_LENGTH`: longest `search` argument (default 200
    /// characters; `BAD_USER_INPUT`).
    pub max_search_length: usize,
    /// `CRUSCOTTO_MAX_BATCH`: most requests in one batch (a JSON array
    /// POSTed at once; default 10). A batch shares one time limit and one
    /// response limit.
    pub max_batch: usize,
    /// `CRUSCOTTO_MAX_RESPONSE_BYTES`: largest answer one request may build
    /// (default 64 MiB; `RESPONSE_TOO_LARGE`). See ARCHITECTURE.md for how
    /// it bounds a request's memory.
    pub max_response_bytes: usize,
    /// `CRUSCOTTO_REQUEST_TIMEOUT_MS`: longest a request may run (default
    /// 30,000 ms).
    pub request_timeout: Duration,
    /// `CRUSCOTTO_SHUTDOWN_TIMEOUT_MS`: how long a shutdown (SIGTERM,
    /// ctrl-c) waits for requests in flight before it drops them, in whole
    /// seconds rounded up (default 5,000 ms).
    pub shutdown_timeout: Duration,
    /// `CRUSCOTTO_INTROSPECTION`: `true` (default) or `false`.
    pub introspection: bool,
    /// `CRUSCOTTO_REQUIRE_TOKEN_FOR_READS`: `false` (default: reads are
    /// public, for transparency) or `true`.
    pub require_token_for_reads: bool,
    /// `CRUSCOTTO_PLUGIN_DIR`: the directory scanned for calculator plugins
    /// (`.so`, `.dylib`, `.dll`) at start and by `reloadCalculators`. When
    /// unset, `plugins` is used if that directory exists in the working
    /// directory; otherwise only the built-in calculators are served.
    /// [`Settings::default`] has none, so tests never pick up stray files.
    pub plugin_dir: Option<PathBuf>,
    /// `CRUSCOTTO_CALCULATOR_TIMEOUT_MS`: longest one plugin computation may
    /// run before it is cut off and reported as `CALCULATOR_FAILED`
    /// (default 5,000 ms; built-in calculators are not limited). With worker
    /// processes the worker is killed at the limit.
    pub calculator_timeout: Duration,
    /// `CRUSCOTTO_PLUGIN_ISOLATION`: `process` (default: each plugin library
    /// runs in worker processes, and a crash, an abort, the memory limit or
    /// the timeout ends only a worker) or `in-process` (trusted plugins
    /// only: a fault in one ends the service).
    pub plugin_isolation: Isolation,
    /// `CRUSCOTTO_PLUGIN_MEMORY_MB`: address-space limit of each plugin
    /// worker process, in MB (default 1,024).
    pub plugin_memory_mb: u64,
    /// `CRUSCOTTO_CORS_ORIGINS`: the browser origins (`https://portal.example`,
    /// comma-separated) whose pages may call the service *with credentials*
    /// (an `Authorization` header, cookies). Pages of any other origin may
    /// read the public data without credentials. Default: none listed.
    pub cors_origins: Vec<String>,
    /// `CRUSCOTTO_TRUSTED_DOCUMENTS`: `off` (default: any document runs) or
    /// `only` (only documents registered with `cruscotto documents
    /// register`; see [`crate::trusted`]).
    pub trusted_documents: crate::trusted::TrustedDocuments,
    /// `CRUSCOTTO_PLUGIN_WORKER`: the program started as `PROGRAM
    /// plugin-worker LIBRARY` to host a plugin; unset means this executable
    /// (`cruscotto plugin-worker`).
    pub plugin_worker: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: "127.0.0.1:8080".into(),
            database_url: "cruscotto.db".into(),
            default_page_size: 50,
            max_page_size: 500,
            max_depth: 15,
            max_complexity: 50_000,
            max_body_bytes: 1 << 20,
            max_query_bytes: 100_000,
            max_fields: 5_000,
            max_aliases: 100,
            max_fragment_spreads: 500,
            max_string_length: 10_000,
            max_search_length: 200,
            max_response_bytes: 64 << 20,
            max_batch: 10,
            request_timeout: Duration::from_secs(30),
            shutdown_timeout: Duration::from_secs(5),
            introspection: true,
            require_token_for_reads: false,
            plugin_dir: None,
            calculator_timeout: Duration::from_secs(5),
            plugin_isolation: Isolation::Process,
            plugin_memory_mb: DEFAULT_MEMORY_LIMIT_MB,
            plugin_worker: None,
            cors_origins: Vec::new(),
            trusted_documents: crate::trusted::TrustedDocuments::Any,
        }
    }
}

/// A variable that is set but cannot be read as what it should be.
#[derive(Debug, thiserror::Error)]
#[error("{name}={value:?}: expected {expected}")]
pub struct SettingError {
    pub name: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl Settings {
    /// Reads the settings from the environment, with the defaults above for
    /// what is not set.
    pub fn from_env() -> Result<Self, SettingError> {
        let d = Settings::default();
        Ok(Settings {
            listen: var("CRUSCOTTO_LISTEN").unwrap_or(d.listen),
            database_url: var("DATABASE_URL").unwrap_or(d.database_url),
            default_page_size: count("CRUSCOTTO_DEFAULT_PAGE_SIZE", d.default_page_size)?,
            max_page_size: count("CRUSCOTTO_MAX_PAGE_SIZE", d.max_page_size)?,
            max_depth: count("CRUSCOTTO_MAX_DEPTH", d.max_depth)?,
            max_complexity: count("CRUSCOTTO_MAX_COMPLEXITY", d.max_complexity)?,
            max_body_bytes: bytes("CRUSCOTTO_MAX_BODY_BYTES", d.max_body_bytes)?,
            max_query_bytes: bytes("CRUSCOTTO_MAX_QUERY_BYTES", d.max_query_bytes)?,
            max_fields: count("CRUSCOTTO_MAX_FIELDS", d.max_fields)?,
            max_aliases: count("CRUSCOTTO_MAX_ALIASES", d.max_aliases)?,
            max_fragment_spreads: count("CRUSCOTTO_MAX_FRAGMENT_SPREADS", d.max_fragment_spreads)?,
            max_string_length: characters("CRUSCOTTO_MAX_STRING_LENGTH", d.max_string_length)?,
            max_search_length: characters("CRUSCOTTO_MAX_SEARCH_LENGTH", d.max_search_length)?,
            max_batch: count("CRUSCOTTO_MAX_BATCH", d.max_batch)?,
            max_response_bytes: bytes("CRUSCOTTO_MAX_RESPONSE_BYTES", d.max_response_bytes)?,
            request_timeout: millis("CRUSCOTTO_REQUEST_TIMEOUT_MS", d.request_timeout)?,
            shutdown_timeout: millis("CRUSCOTTO_SHUTDOWN_TIMEOUT_MS", d.shutdown_timeout)?,
            introspection: flag("CRUSCOTTO_INTROSPECTION", d.introspection)?,
            require_token_for_reads: flag(
                "CRUSCOTTO_REQUIRE_TOKEN_FOR_READS",
                d.require_token_for_reads,
            )?,
            plugin_dir: var("CRUSCOTTO_PLUGIN_DIR").map(PathBuf::from).or_else(|| {
                let default = PathBuf::from("plugins");
                default.is_dir().then_some(default)
            }),
            calculator_timeout: nonzero(
                "CRUSCOTTO_CALCULATOR_TIMEOUT_MS",
                millis("CRUSCOTTO_CALCULATOR_TIMEOUT_MS", d.calculator_timeout)?,
                "a positive number of milliseconds",
            )?,
            plugin_isolation: parse(
                "CRUSCOTTO_PLUGIN_ISOLATION",
                d.plugin_isolation,
                "process or in-process",
            )?,
            plugin_memory_mb: nonzero(
                "CRUSCOTTO_PLUGIN_MEMORY_MB",
                parse("CRUSCOTTO_PLUGIN_MEMORY_MB", d.plugin_memory_mb, "a number of megabytes")?,
                "a positive number of megabytes",
            )?,
            plugin_worker: var("CRUSCOTTO_PLUGIN_WORKER").map(PathBuf::from),
            trusted_documents: parse(
                "CRUSCOTTO_TRUSTED_DOCUMENTS",
                d.trusted_documents,
                "off or only",
            )?,
            cors_origins: match var("CRUSCOTTO_CORS_ORIGINS") {
                None => Vec::new(),
                Some(value) => origins(&value).ok_or(SettingError {
                    name: "CRUSCOTTO_CORS_ORIGINS",
                    value,
                    expected: "comma-separated origins such as https://portal.example or http://localhost:5173",
                })?,
            },
        })
    }

    /// The calculator registry these settings describe.
    pub fn registry_config(&self) -> RegistryConfig {
        RegistryConfig {
            plugin_dir: self.plugin_dir.clone(),
            timeout: self.calculator_timeout,
            isolation: self.plugin_isolation,
            memory_limit_mb: self.plugin_memory_mb,
            worker_program: self.plugin_worker.clone(),
        }
    }
}

/// `value`, unless it is zero, which the setting `name` may not be: a
/// worker limited to 0 MB could not even start, and a timeout of zero would
/// cut off every plugin before it starts.
fn nonzero<T: Default + PartialEq>(
    name: &'static str,
    value: T,
    expected: &'static str,
) -> Result<T, SettingError> {
    if value == T::default() {
        return Err(SettingError {
            name,
            value: "0".into(),
            expected,
        });
    }
    Ok(value)
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// A count of things.
fn count(name: &'static str, default: usize) -> Result<usize, SettingError> {
    parse(name, default, "a whole number")
}

/// A size in bytes.
fn bytes(name: &'static str, default: usize) -> Result<usize, SettingError> {
    parse(name, default, "a number of bytes")
}

/// A length in characters.
fn characters(name: &'static str, default: usize) -> Result<usize, SettingError> {
    parse(name, default, "a number of characters")
}

/// A duration given in milliseconds.
fn millis(name: &'static str, default: Duration) -> Result<Duration, SettingError> {
    let ms = parse(name, default.as_millis() as u64, "a number of milliseconds")?;
    Ok(Duration::from_millis(ms))
}

/// A switch.
fn flag(name: &'static str, default: bool) -> Result<bool, SettingError> {
    parse(name, default, "true or false")
}

fn parse<T: std::str::FromStr>(
    name: &'static str,
    default: T,
    expected: &'static str,
) -> Result<T, SettingError> {
    match var(name) {
        None => Ok(default),
        Some(value) => value.parse().map_err(|_| SettingError {
            name,
            value,
            expected,
        }),
    }
}

/// Origins as a browser sends them in `Origin` (`scheme://host[:port]`,
/// lower case, no path); `None` when one is not an origin.
fn origins(value: &str) -> Option<Vec<String>> {
    value
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| {
            let o = o.trim_end_matches('/').to_ascii_lowercase();
            let (scheme, host) = o.split_once("://")?;
            let valid = matches!(scheme, "http" | "https")
                && !host.is_empty()
                && !host.contains(['/', '?', '#', '@', ' ', '*']);
            valid.then_some(o)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cors_origins_are_read_as_browsers_send_them() {
        assert_eq!(
            origins("https://Portal.example/, http://localhost:5173").unwrap(),
            vec!["https://portal.example", "http://localhost:5173"]
        );
        assert!(origins("portal.example").is_none(), "no scheme");
        assert!(origins("https://portal.example/app").is_none(), "a path");
        assert!(origins("*").is_none(), "a wildcard lists nobody");
    }
}
