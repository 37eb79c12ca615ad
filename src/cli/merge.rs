//! `undersigned merge`: two organizations are one.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::open_existing;

/// Merge organization B into organization A.
///
/// B's printed forms and signatures move to A, B is removed, and "same" is
/// recorded for their names so later imports and `dedupe` keep them
/// together. Which letter each printed form came from is kept. `undo`
/// reverses it.
///
/// Example: undersigned merge 12 40
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The organization that stays
    #[arg(value_name = "A")]
    keep: i64,
    /// The organization merged into A
    #[arg(value_name = "B")]
    remove: i64,
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    let mut store = open_existing(db)?;
    let log = store.merge(args.keep, args.remove)?;
    eprintln!(
        "merged organization {} into {} (log entry {log}; `undersigned undo` reverses it)",
        args.remove, args.keep
    );
    Ok(ExitCode::SUCCESS)
}
