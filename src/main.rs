//! The `cruscotto` command: database set-up, import and export of plan
//! documents, data generation, and (with `serve`) the GraphQL service.

mod calc_cmd;
mod commands;
mod demo;
mod documents_cmd;
mod mapping_cmd;
mod output;
mod progress;
mod serve;
mod settings;
mod splitmix;
mod tables;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

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
    /// Open the database for reading only: queries and `serve` work, writes
    /// are refused and migrations are not applied (a database that needs
    /// them is refused). A SQLite file this process cannot write is opened
    /// read-only without it.
    #[arg(long, global = true, env = "CRUSCOTTO_READ_ONLY")]
    read_only: bool,
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
    /// Imports plan documents (text extracts or cruscotto JSON, or any
    /// layout through `--mapping`), one transaction per file.
    Import {
        /// The documents to import.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// A mapping file (TOML, see docs/mapping-guide.md) that says how
        /// the documents (CSV, XLSX, ODS, text outline or PDF) become a plan.
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// Read the documents and print what would be imported, without
        /// writing anything.
        #[arg(long)]
        dry_run: bool,
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
        /// errors, and, with `--mapping`, content the mapping did not use.
        #[arg(long)]
        strict: bool,
    },
    /// Mapping files: `mapping check MAP`.
    Mapping {
        #[command(subcommand)]
        command: mapping_cmd::MappingCommand,
    },
    /// Writes a plan as a document (JSON), or as flat tables of objectives,
    /// indicators, targets and measured values (CSV files in a directory,
    /// or one XLSX workbook).
    Export {
        /// Code of the plan (see `cruscotto plans`).
        #[arg(long)]
        plan: String,
        /// What to write.
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// Output file (default: standard output); for `csv` a directory
        /// (one file per table), for `xlsx` a file; both required.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Lists the plans with their counts.
    Plans,
    /// Writes a deterministic plan of N missions × N programs × N objectives
    /// × N indicators (with targets, phases and measured values) as JSON.
    Generate {
        /// N: the plan has N missions, each with N programs, each with N
        /// objectives, each with N indicators (scale 10: 165,000 records).
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
    /// Trusted documents: the only GraphQL documents a server with
    /// `CRUSCOTTO_TRUSTED_DOCUMENTS=only` runs (register, list, remove).
    Documents {
        #[command(subcommand)]
        command: documents_cmd::DocumentsCommand,
    },
    /// Prints the completion script of a shell, e.g.
    /// `cruscotto completions bash > /etc/bash_completion.d/cruscotto`.
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
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
    /// Hosts one calculator plugin library for the service, spoken to over
    /// stdin/stdout (started by the registry, never by hand).
    #[command(name = "plugin-worker", hide = true)]
    PluginWorker {
        /// The plugin library.
        library: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExportFormat {
    /// The lossless cruscotto JSON exchange format.
    Json,
    /// `objectives.csv`, `indicators.csv`, `targets.csv`, `values.csv`.
    Csv,
    /// One workbook, a sheet per table.
    Xlsx,
}

fn main() -> ExitCode {
    settings::load_dotenv();
    let cli = Cli::parse();
    if let Command::PluginWorker { library } = &cli.command {
        // A worker opens no database and reads no further configuration.
        return cruscotto_calculators::worker::run(library);
    }
    let database_url = settings::database_url(cli.database_url);
    commands::set_read_only(cli.read_only);
    let result = match cli.command {
        Command::Migrate { revert_all } => commands::migrate(&database_url, revert_all),
        Command::Import {
            files,
            mapping,
            dry_run,
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
                mapping,
                dry_run,
            },
        ),
        Command::Mapping { command } => mapping_cmd::run(command),
        Command::Export {
            plan,
            format,
            output,
        } => commands::export(&database_url, &plan, format, output.as_deref()),
        Command::Plans => commands::plans(&database_url),
        Command::Generate { scale, output } => commands::generate(scale, output.as_deref()),
        Command::Serve { listen } => serve::serve(&database_url, listen),
        Command::Demo { listen } => demo::demo(&database_url, listen),
        Command::Schema => {
            output::write(&cruscotto_api::graph::sdl());
            Ok(ExitCode::SUCCESS)
        }
        Command::Documents { command } => documents_cmd::run(&database_url, command),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "cruscotto", &mut script);
            output::write(&String::from_utf8_lossy(&script));
            Ok(ExitCode::SUCCESS)
        }
        Command::Token { command } => serve::token(&database_url, command),
        Command::Calc(command) => calc_cmd::run(&database_url, command),
        Command::PluginWorker { .. } => unreachable!("handled above"),
    };
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    };
    let abandoned = cruscotto_calculators::abandoned_computations();
    if abandoned > 0 {
        // In-process plugins only: the thread cannot be stopped, and exiting
        // is safe because no library is ever unloaded.
        eprintln!(
            "note: {abandoned} in-process plugin computation(s) cut off by the time limit were still running and end with this process"
        );
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_and_argument_has_help() {
        fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in command.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                if !builtin && arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in command.get_subcommands() {
                if sub.is_hide_set() || sub.get_name() == "help" {
                    continue;
                }
                let sub_path = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() {
                    missing.push(sub_path.clone());
                }
                walk(sub, &sub_path, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "cruscotto", &mut missing);
        assert!(missing.is_empty(), "without help: {missing:?}");
    }

    #[test]
    fn completions_name_the_subcommands() {
        let mut script = Vec::new();
        clap_complete::generate(
            clap_complete::Shell::Bash,
            &mut Cli::command(),
            "cruscotto",
            &mut script,
        );
        let script = String::from_utf8(script).unwrap();
        for sub in ["import", "export", "serve", "compute", "completions"] {
            assert!(script.contains(sub), "{sub} in the bash completions");
        }
    }
}
