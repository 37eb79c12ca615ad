//! `undersigned alias`: the registry's own alias table.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::open_existing;

/// Manage printed names of an organization.
///
/// `alias add ORG NAME` records another name of an organization (a
/// translation, a former name, an acronym), so importing it links there.
///
/// Example: undersigned alias add 3 "Liga de Mujeres de Birmania"
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Add a printed name to an organization
    Add {
        /// Organization id
        #[arg(value_name = "ORG")]
        org: i64,
        /// The name
        #[arg(value_name = "NAME")]
        name: String,
    },
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    let mut store = open_existing(db)?;
    match &args.action {
        Action::Add { org, name } => {
            store.add_alias(*org, name)?;
            eprintln!("\"{name}\" now names organization {org}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
