//! Settings of the service, read once from the environment at start-up and
//! passed down. Every variable is documented here and in `.env.example`.

use std::path::PathBuf;
use std::time::Duration;

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
    /// `CRUSCOTTO_REQUEST_TIMEOUT_MS`: longest a request may run (default
    /// 30,000 ms).
    pub request_timeout: Duration,
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
    /// (default 5,000 ms; built-in calculators are not limited).
    pub calculator_timeout: Duration,
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
            request_timeout: Duration::from_secs(30),
            introspection: true,
            require_token_for_reads: false,
            plugin_dir: None,
            calculator_timeout: Duration::from_secs(5),
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
            default_page_size: parse(
                "CRUSCOTTO_DEFAULT_PAGE_SIZE",
                d.default_page_size,
                "a whole number",
            )?,
            max_page_size: parse("CRUSCOTTO_MAX_PAGE_SIZE", d.max_page_size, "a whole number")?,
            max_depth: parse("CRUSCOTTO_MAX_DEPTH", d.max_depth, "a whole number")?,
            max_complexity: parse(
                "CRUSCOTTO_MAX_COMPLEXITY",
                d.max_complexity,
                "a whole number",
            )?,
            max_body_bytes: parse(
                "CRUSCOTTO_MAX_BODY_BYTES",
                d.max_body_bytes,
                "a number of bytes",
            )?,
            request_timeout: Duration::from_millis(parse(
                "CRUSCOTTO_REQUEST_TIMEOUT_MS",
                d.request_timeout.as_millis() as u64,
                "a number of milliseconds",
            )?),
            introspection: parse("CRUSCOTTO_INTROSPECTION", d.introspection, "true or false")?,
            require_token_for_reads: parse(
                "CRUSCOTTO_REQUIRE_TOKEN_FOR_READS",
                d.require_token_for_reads,
                "true or false",
            )?,
            plugin_dir: var("CRUSCOTTO_PLUGIN_DIR").map(PathBuf::from).or_else(|| {
                let default = PathBuf::from("plugins");
                default.is_dir().then_some(default)
            }),
            calculator_timeout: Duration::from_millis(positive(parse(
                "CRUSCOTTO_CALCULATOR_TIMEOUT_MS",
                d.calculator_timeout.as_millis() as u64,
                "a number of milliseconds",
            )?)?),
        })
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
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

/// A timeout of zero would cut off every plugin before it starts.
fn positive(ms: u64) -> Result<u64, SettingError> {
    if ms == 0 {
        return Err(SettingError {
            name: "CRUSCOTTO_CALCULATOR_TIMEOUT_MS",
            value: "0".into(),
            expected: "a positive number of milliseconds",
        });
    }
    Ok(ms)
}
