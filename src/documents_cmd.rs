//! `cruscotto documents …`: the trusted documents a server with
//! `CRUSCOTTO_TRUSTED_DOCUMENTS=only` runs (see `cruscotto_api::trusted`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;

use crate::commands::open;
use crate::output::out;

#[derive(Debug, Subcommand)]
pub enum DocumentsCommand {
    /// Registers GraphQL documents, one per file (e.g. the `.graphql` files
    /// a frontend was built with); each is refused if it does not parse.
    Register {
        /// The documents.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Lists the registered documents: hash, name, operations.
    List,
    /// Removes the document registered under a hash.
    Remove {
        /// Its hash, as `documents list` prints it.
        hash: String,
    },
}

pub fn run(database_url: &str, command: DocumentsCommand) -> Result<ExitCode> {
    let db = open(database_url)?;
    match command {
        DocumentsCommand::Register { files } => {
            // Every file is read and checked before anything is stored.
            let mut documents = Vec::with_capacity(files.len());
            for file in &files {
                let name = file.display().to_string();
                let text = std::fs::read_to_string(file)
                    .with_context(|| format!("{name}: cannot read the file"))?;
                let operations = cruscotto_api::trusted::check(&text)
                    .map_err(|e| anyhow::anyhow!("{name}: not a GraphQL document: {e}"))?;
                documents.push((name, text, operations));
            }
            for (name, text, operations) in documents {
                let hash = cruscotto_api::trusted::hash(&text);
                let new = db.register_document(&hash, &text, &name)?;
                out!(
                    "{} {hash} {name} ({})",
                    if new {
                        "registered"
                    } else {
                        "already registered"
                    },
                    operations.join(", ")
                );
            }
        }
        DocumentsCommand::List => {
            for d in db.trusted_documents()? {
                let operations = cruscotto_api::trusted::check(&d.document)
                    .map(|o| o.join(", "))
                    .unwrap_or_default();
                out!("{} {} ({operations}) {}", d.hash, d.name, d.registered_at);
            }
        }
        DocumentsCommand::Remove { hash } => {
            if !db.remove_trusted_document(&hash.to_ascii_lowercase())? {
                anyhow::bail!("no document is registered under {hash}");
            }
            out!("removed {hash}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
