//! `undersigned show`: one letter's signatories in printed order.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Result};

use super::{open_existing, print_table, FormatArg};
use crate::export::{signatures_table, Format};

/// Show a letter's signatories in printed order.
///
/// Each row is one signature: its position, the entry as printed, the
/// organization it was linked to, kind, country, type and status. As a
/// table only the main columns are shown; CSV and JSON carry them all
/// (note, affiliation, section, source line, match reason).
///
/// Example: undersigned show 1
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The letter's id (see `undersigned letters`)
    #[arg(value_name = "LETTER_ID")]
    letter: i64,

    #[command(flatten)]
    format: FormatArg,
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    let store = open_existing(db)?;
    let Some(letter) = store.letter(args.letter)? else {
        bail!(
            "no letter with id {} (see `undersigned letters`)",
            args.letter
        );
    };
    let rows = store.signatures(letter.letter_id)?;
    let format = args.format.resolve();
    let mut table = signatures_table(rows);
    if format == Format::Table {
        eprintln!(
            "letter {}: {} ({} signatories{})",
            letter.letter_id,
            letter.title.as_deref().unwrap_or("untitled"),
            letter.signatory_count,
            letter
                .claimed_count
                .map_or(String::new(), |c| format!(", claimed {c}"))
        );
        table = table.select(&[
            "position",
            "name_as_printed",
            "org_id",
            "kind",
            "country",
            "org_type",
            "status",
        ]);
    }
    print_table(&table, format)?;
    Ok(ExitCode::SUCCESS)
}
