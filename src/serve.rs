//! `cruscotto serve` (the GraphQL service with its calculators, after
//! bringing the database up to date) and `cruscotto token create|revoke|list` (the bearer tokens that
//! mutations need).

use crate::output::out;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use cruscotto_api::auth::{self, Role};
use cruscotto_api::{Application, Settings};

use crate::commands;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Creates a token and prints it, once, on standard output; only its
    /// SHA-256 hash is stored, so it cannot be shown again.
    Create {
        /// What the token may do: viewer (reads), editor (plan data and
        /// measurements) or admin (everything).
        #[arg(long, value_enum)]
        role: RoleArg,
        /// A name to recognise and revoke the token by, e.g. who holds it.
        #[arg(long)]
        name: String,
    },
    /// Revokes the live token with this name; requests that present it are
    /// refused from now on.
    Revoke {
        /// The name the token was created with.
        #[arg(long)]
        name: String,
    },
    /// Lists every token ever created (names and roles; never the tokens).
    List,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Viewer,
    Editor,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Viewer => Role::Viewer,
            RoleArg::Editor => Role::Editor,
            RoleArg::Admin => Role::Admin,
        }
    }
}

/// Logs go to standard error as structured lines (`RUST_LOG` filters them,
/// `info` by default), leaving standard output to what the command prints.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only for a person at a terminal, not in a log file.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .init();
}

/// Migrates the database, then serves until SIGINT or SIGTERM.
pub fn serve(database_url: &str, listen: String) -> Result<ExitCode> {
    init_tracing();
    let mut settings = Settings::from_env()?;
    settings.listen = listen;
    settings.database_url = database_url.to_string();
    let db = commands::open(database_url)?;
    let host = match settings.listen.rsplit_once(':') {
        Some((host, _)) => host.to_string(),
        None => bail!("--listen {} must be HOST:PORT", settings.listen),
    };
    cruscotto_api::http::block_on(async move {
        let app = Application::build_with_database(settings, db).await?;
        let base = format!("http://{host}:{}", app.port());
        out!("cruscotto is serving GraphQL at {base}/graphql");
        out!("open the IDE at {base}/graphiql");
        // Plugin failures are logged one by one as warnings; this line tells
        // an operator at the terminal that there is something to read.
        let calculators = &app.state().calculators;
        let failed = calculators.load_errors().len();
        match app.state().settings.plugin_dir.as_deref() {
            Some(dir) => {
                out!(
                    "{} calculators, plugins from {}{}",
                    calculators.ids().len(),
                    dir.display(),
                    if failed > 0 {
                        format!(" ({failed} libraries failed to load: see the log or calculatorLoadErrors)")
                    } else {
                        String::new()
                    }
                )
            }
            None => out!(
                "{} built-in calculators (no plugin directory: set CRUSCOTTO_PLUGIN_DIR)",
                calculators.ids().len()
            ),
        }
        tracing::info!(address = %base, "listening");
        app.run_until_stopped()
            .await
            .context("the server stopped with an error")?;
        tracing::info!("stopped");
        Ok::<_, anyhow::Error>(ExitCode::SUCCESS)
    })
}

pub fn token(database_url: &str, command: TokenCommand) -> Result<ExitCode> {
    let db = commands::open(database_url)?;
    match command {
        TokenCommand::Create { role, name } => {
            let role = Role::from(role);
            let token = auth::generate_token()?;
            db.create_token(&name, role.as_str(), &auth::hash_token(&token))
                .with_context(|| format!("token {name} could not be created"))?;
            eprintln!(
                "created token {name} with role {}; it is shown only now, keep it safe:",
                role.as_str()
            );
            out!("{token}");
        }
        TokenCommand::Revoke { name } => {
            if !db.revoke_token(&name)? {
                bail!("there is no live token named {name} (see `cruscotto token list`)");
            }
            out!("revoked token {name}");
        }
        TokenCommand::List => {
            let tokens = db.tokens()?;
            if tokens.is_empty() {
                out!("no tokens yet: create one with `cruscotto token create --role editor --name NAME`");
            }
            for t in tokens {
                let state = match t.revoked_at {
                    None => "live".to_string(),
                    Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M:%S UTC")),
                };
                out!(
                    "{}\t{}\tcreated {}\t{state}",
                    t.name,
                    t.role,
                    t.created_at.format("%Y-%m-%d %H:%M:%S UTC")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
