//! `undersigned export`: whole tables as CSV (or JSON) for analysis.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

use crate::progress::Progress;

use super::{open_existing, with_output};
use crate::export::stream::RowSink;
use crate::export::{letters_table, orgs_table, signature_cells, Format, SIGNATURE_COLUMNS};

/// Export signatures, organizations or letters as CSV.
///
/// CSV has a header row; values a spreadsheet would read as a formula are
/// prefixed with an apostrophe. Writes to stdout unless -o is given.
///
/// Example: undersigned export signatures -o signatures.csv
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to export
    #[arg(value_enum)]
    what: What,

    /// Write to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// csv (the default) or json
    #[arg(long, value_enum, default_value = "csv", value_name = "FORMAT")]
    format: ExportFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum What {
    /// One row per signature: letter_id, position, name_as_printed, org_id, org_name, kind, country, org_type, status, ...
    Signatures,
    /// One row per organization: org_id, name, acronym, kind, country, org_type, letters
    Orgs,
    /// One row per letter: letter_id, title, date, claimed_count, signatory_count, ...
    Letters,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExportFormat {
    Csv,
    Json,
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    let store = open_existing(db)?;
    let format = match args.format {
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Json => Format::Json,
    };
    let output = args.output.as_deref();
    // Signatures stream from the registry to the file, row by row: ten
    // million of them never sit in memory. Organizations and letters are
    // far fewer, and gathered.
    let (columns, table) = match args.what {
        What::Signatures => (SIGNATURE_COLUMNS.to_vec(), None),
        What::Orgs => {
            let t = orgs_table(&store.orgs(None)?);
            (t.columns.clone(), Some(t))
        }
        What::Letters => {
            let t = letters_table(&store.letters()?);
            (t.columns.clone(), Some(t))
        }
    };
    // A bar counting lines (a row is a line in CSV and in this JSON, plus
    // the header or the opening bracket), unless the rows go to the very
    // terminal the bar would be drawn on.
    let to_terminal = output.is_none() && std::io::stdout().is_terminal();
    let bar = super::progress::bar(
        match (to_terminal, &table) {
            (true, _) => 0,
            (false, Some(t)) => t.rows.len() as u64 + 1,
            (false, None) => store.signature_count()? + 1,
        },
        "writing rows",
    );
    let rows = with_output(output, |out| {
        let mut counted = super::progress::LineCounter {
            inner: out,
            bar: (!to_terminal).then_some(&bar),
        };
        let mut sink = RowSink::new(format, columns, &mut counted)?;
        match table {
            Some(t) => {
                for row in t.rows {
                    sink.row(row)?;
                }
            }
            None => store.each_signature(None, |s| {
                Ok::<_, anyhow::Error>(sink.row(signature_cells(s))?)
            })?,
        }
        Ok(sink.finish()?)
    })?;
    bar.finish();
    if let Some(path) = output {
        eprintln!("wrote {rows} rows to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
