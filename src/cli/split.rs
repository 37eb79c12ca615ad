//! `undersigned split`: take one printed form out of an organization.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::open_existing;

/// Take one printed form out of an organization into a new one.
///
/// The signatures printed in that form move with it, and "different" is
/// recorded between it and the organization's other names, so later
/// imports and `dedupe` keep them apart. `undo` reverses it.
///
/// Example: undersigned split 7 "Karenni Community of Iowa"
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The organization holding the form
    #[arg(value_name = "ORG")]
    org: i64,
    /// The printed form to take out
    #[arg(value_name = "ALIAS")]
    alias: String,
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    let mut store = open_existing(db)?;
    let new_id = store.split(args.org, &args.alias)?;
    eprintln!(
        "\"{}\" is now organization {new_id}, apart from {}",
        args.alias, args.org
    );
    println!("{new_id}");
    Ok(ExitCode::SUCCESS)
}
