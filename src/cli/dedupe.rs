//! `undersigned dedupe`: re-cluster the whole registry.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::{open_existing, print_table, FormatArg};
use crate::export::{Cell, Table};

/// Re-cluster the whole registry under the current rules.
///
/// Every printed form is compared with its candidates; organizations the
/// automatic band joins are merged (each merge logged, `undo` reverses the
/// last), people's judgements are honoured, and doubtful pairs are left
/// for `undersigned review`. Prints the merges made.
///
/// Example: undersigned dedupe --dry-run
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show what would be merged, and merge nothing
    #[arg(long)]
    dry_run: bool,

    #[command(flatten)]
    format: FormatArg,
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    let mut store = open_existing(db)?;
    let bar = super::progress::bar(0, "clustering names");
    let report = store.dedupe_with_progress(args.dry_run, &bar)?;
    let table = Table {
        columns: vec!["kept", "merged", "score", "reason"],
        rows: report
            .merges
            .iter()
            .map(|(k, m, s, r)| {
                vec![
                    Cell::from(*k),
                    Cell::from(*m),
                    Cell::from(format!("{s:.2}")),
                    Cell::from(r.as_str()),
                ]
            })
            .collect(),
    };
    print_table(&table, args.format.resolve())?;
    eprintln!(
        "{} {} merge(s) over {} printed names; {} pair(s) left for review{}",
        if args.dry_run { "dry run:" } else { "dedupe:" },
        report.merges.len(),
        report.names,
        report.review,
        if report.kept_apart > 0 {
            format!(
                "; {} organization(s) kept out of a group by a judgement or a printed country",
                report.kept_apart
            )
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}
