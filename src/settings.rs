//! Configuration read once from the environment (after `.env`, through
//! dotenvy) and from command-line flags, then passed down.

use std::path::PathBuf;

use cruscotto_calculators::RegistryConfig;
use cruscotto_store::db::DEFAULT_DATABASE_URL;

/// `DATABASE_URL`: a file path or `sqlite://PATH` for the embedded SQLite
/// database, or `postgres://USER@HOST:PORT/DB` for Postgres.
pub const DATABASE_URL_VAR: &str = "DATABASE_URL";

/// Loads `.env` from the working directory if there is one. Variables already
/// set in the environment win over the file.
pub fn load_dotenv() {
    // A missing .env is the normal case; a malformed one is reported.
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("warning: .env could not be read: {e}");
        }
    }
}

/// The database URL to use: the flag, then `DATABASE_URL`, then the default
/// embedded file.
pub fn database_url(flag: Option<String>) -> String {
    flag.or_else(|| {
        std::env::var(DATABASE_URL_VAR)
            .ok()
            .filter(|u| !u.is_empty())
    })
    .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string())
}

/// The calculator registry of a command: the plugin settings of the
/// service (`CRUSCOTTO_PLUGIN_ISOLATION`, `CRUSCOTTO_PLUGIN_MEMORY_MB`,
/// `CRUSCOTTO_CALCULATOR_TIMEOUT_MS`, `CRUSCOTTO_PLUGIN_WORKER`, read as
/// `serve` reads them) over `plugin_dir`.
pub fn registry_config(plugin_dir: Option<PathBuf>) -> anyhow::Result<RegistryConfig> {
    let settings = cruscotto_api::Settings::from_env()?;
    Ok(RegistryConfig {
        plugin_dir,
        ..settings.registry_config()
    })
}
