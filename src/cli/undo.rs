//! `undersigned undo`: reverse the last merge or split.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::open_existing;

/// Reverse the last merge or split.
///
/// Restores the organizations, printed forms, signatures and judgements
/// exactly as they were before it. Run again to go further back.
///
/// Example: undersigned undo
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: &Args, db: &Path) -> Result<ExitCode> {
    let mut store = open_existing(db)?;
    match store.undo()? {
        Some(what) => eprintln!("{what}"),
        None => eprintln!("nothing to undo"),
    }
    Ok(ExitCode::SUCCESS)
}
