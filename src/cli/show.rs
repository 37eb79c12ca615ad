//! `undersigned show`: one letter's signatories in printed order.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Result};

use super::{open_existing, with_output, FormatArg};
use crate::export::stream::RowSink;
use crate::export::{signature_cells, Cell, Format, SIGNATURE_COLUMNS};

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
    let format = args.format.resolve();
    // A table shows the main columns; CSV and JSON carry them all.
    let columns: &[&'static str] = if format == Format::Table {
        eprintln!(
            "letter {}: {} ({} signatories{})",
            letter.letter_id,
            letter.title.as_deref().unwrap_or("untitled"),
            letter.signatory_count,
            letter
                .claimed_count
                .map_or(String::new(), |c| format!(", claimed {c}"))
        );
        &TABLE_COLUMNS
    } else {
        &SIGNATURE_COLUMNS
    };
    let picks: Vec<usize> = columns
        .iter()
        .map(|c| SIGNATURE_COLUMNS.iter().position(|x| x == c))
        .collect::<Option<_>>()
        .expect("the table's columns are signature columns");
    // Rows go out as they are read: a letter of any size is never held
    // whole (except as an aligned table, which needs its widths).
    with_output(None, |out| {
        let mut sink = RowSink::new(format, columns.to_vec(), out)?;
        store.each_signature(Some(letter.letter_id), |s| {
            let mut cells = signature_cells(s);
            let row = picks
                .iter()
                .map(|&i| std::mem::replace(&mut cells[i], Cell::Null))
                .collect();
            Ok::<_, anyhow::Error>(sink.row(row)?)
        })?;
        sink.finish()?;
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The columns `show` prints as an aligned table.
const TABLE_COLUMNS: [&str; 7] = [
    "position",
    "name_as_printed",
    "org_id",
    "kind",
    "country",
    "org_type",
    "status",
];
