//! `undersigned orgs`: organizations with the number of letters each signed.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::{open_existing, print_table, FormatArg};
use crate::export::orgs_table;

/// List organizations with the number of letters each signed.
///
/// Most active first. --search keeps those with a printed name that
/// holds every word of TEXT, whole or as part of a word, in any order
/// (compared without case, quotes or punctuation, through a full-text
/// index), or whose acronym is TEXT.
///
/// Example: undersigned orgs --search karen
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keep organizations whose name or acronym matches TEXT
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,

    #[command(flatten)]
    format: FormatArg,
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    let store = open_existing(db)?;
    let rows = store.orgs(args.search.as_deref())?;
    print_table(&orgs_table(&rows), args.format.resolve())?;
    Ok(ExitCode::SUCCESS)
}
