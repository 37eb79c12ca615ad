//! `undersigned export`: whole tables as CSV (or JSON) for analysis.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::progress::Progress;

use super::open_existing;
use crate::export::{letters_table, orgs_table, signatures_table, Format};

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
    let table = match args.what {
        What::Signatures => signatures_table(store.all_signatures()?),
        What::Orgs => orgs_table(&store.orgs(None)?),
        What::Letters => letters_table(&store.letters()?),
    };
    let format = match args.format {
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Json => Format::Json,
    };
    match &args.output {
        Some(path) => {
            // Write beside the target and rename, so a failed export never
            // leaves half a file where a good one was.
            let tmp = path.with_extension("partial");
            let f = std::fs::File::create(&tmp)
                .with_context(|| format!("cannot create {}", tmp.display()))?;
            // Rows are lines in CSV; JSON's count is not known ahead.
            let lines = match format {
                Format::Csv => table.rows.len() as u64 + 1,
                _ => 0,
            };
            let bar = super::progress::bar(lines, "writing rows");
            let mut w = super::progress::LineCounter {
                inner: std::io::BufWriter::new(f),
                bar: &bar,
            };
            table.write(format, &mut w)?;
            w.flush()?;
            drop(w);
            bar.finish();
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {} rows to {}", table.rows.len(), path.display());
        }
        None => super::print_table(&table, format)?,
    }
    Ok(ExitCode::SUCCESS)
}
