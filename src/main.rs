//! The `cruscotto` command: database set-up, import and export of plan
//! documents, data generation, and (with `serve`) the GraphQL service.

mod calc_cmd;
mod commands;
mod demo;
mod serve;
mod settings;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Performance plans of Italian public administrations as a live GraphQL
/// graph, with indicators computed by auditable calculators.
#[derive(Debug, Parser)]
#[command(name = "cruscotto", version, about)]
struct Cli {
    /// Database URL: a SQLite file path (default `cruscotto.db`) or
    /// `postgres://…`. Overrides the `DATABASE_URL` environment variable.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Applies pending migrations (every other command does this as well).
    Migrate {
        /// Revert every migration instead (drops all data).
        #[arg(long)]
        revert_all: bool,
    },
    /// Imports plan documents (text extracts or cruscotto JSON), one
    /// transaction per file.
    Import {
        /// The documents to import.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Plan code to create or update (default: the file name without
        /// extension; only with a single file).
        #[arg(long)]
        plan: Option<String>,
        /// The publishing administration.
        #[arg(long)]
        administration: Option<String>,
        /// A title for the plan.
        #[arg(long)]
        title: Option<String>,
        /// Treat content findings (e.g. phase weights not summing to 100) as
        /// errors.
        #[arg(long)]
        strict: bool,
    },
    /// Writes a plan as a document.
    Export {
        /// Code of the plan (see `cruscotto plans`).
        #[arg(long)]
        plan: String,
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// Output file (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Lists the plans with their counts.
    Plans,
    /// Writes a deterministic plan of N missions × N programs × N objectives
    /// × N indicators (with targets, phases and measured values) as JSON.
    Generate {
        #[arg(long)]
        scale: u32,
        /// Output file (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Applies pending migrations, then serves the GraphQL API at /graphql
    /// and the IDE at /graphiql until SIGINT or SIGTERM.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "CRUSCOTTO_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// Loads the project's sample plans and payments into the database and
    /// serves them: the quickest way to see cruscotto at work.
    Demo {
        /// Address to listen on.
        #[arg(long, env = "CRUSCOTTO_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// Prints the GraphQL schema (SDL), the contract committed as
    /// `api/schema.graphql`.
    Schema,
    /// Creates, revokes and lists the bearer tokens that mutations need.
    Token {
        #[command(subcommand)]
        command: serve::TokenCommand,
    },
    /// Payments, measured values, calculator bindings and computations
    /// (import-payments, measure, progress, bind, compute, calculators,
    /// generate-payments).
    #[command(flatten)]
    Calc(calc_cmd::CalcCommand),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// The lossless cruscotto JSON exchange format.
    Json,
}

fn main() -> ExitCode {
    settings::load_dotenv();
    let cli = Cli::parse();
    let database_url = settings::database_url(cli.database_url);
    let result = match cli.command {
        Command::Migrate { revert_all } => commands::migrate(&database_url, revert_all),
        Command::Import {
            files,
            plan,
            administration,
            title,
            strict,
        } => commands::import(
            &database_url,
            &files,
            commands::ImportOptions {
                plan,
                administration,
                title,
                strict,
            },
        ),
        Command::Export {
            plan,
            format: ExportFormat::Json,
            output,
        } => commands::export(&database_url, &plan, output.as_deref()),
        Command::Plans => commands::plans(&database_url),
        Command::Generate { scale, output } => commands::generate(scale, output.as_deref()),
        Command::Serve { listen } => serve::serve(&database_url, listen),
        Command::Demo { listen } => demo::demo(&database_url, listen),
        Command::Schema => {
            print!("{}", cruscotto_api::graph::sdl());
            Ok(ExitCode::SUCCESS)
        }
        Command::Token { command } => serve::token(&database_url, command),
        Command::Calc(command) => calc_cmd::run(&database_url, command),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
