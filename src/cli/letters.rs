//! `undersigned letters`: the letters in the registry.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::{open_existing, print_table, FormatArg};
use crate::export::letters_table;

/// List the letters in the registry.
///
/// One row per letter: id, date, title, the number of signatories found
/// and the number the text claims.
///
/// Example: undersigned letters --format csv
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    format: FormatArg,
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    let store = open_existing(db)?;
    let rows = store.letters()?;
    print_table(&letters_table(&rows), args.format.resolve())?;
    Ok(ExitCode::SUCCESS)
}
