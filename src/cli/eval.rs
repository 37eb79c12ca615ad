//! `undersigned eval`: measure matching against a gold file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use super::{print_table, FormatArg};
use crate::export::{Cell, Table};
use crate::matching::eval::evaluate;

/// Measure the matcher against a gold file of names and clusters.
///
/// GOLD.csv has the columns `name,cluster` (names that share a cluster are
/// one organization). Prints pairwise precision, recall and F1 and B-cubed
/// for the automatic band, beside two baselines on the same names
/// (fingerprint key collision; token-set ratio >= 90 under the same
/// blocking), then the blocking's recall and candidate pairs per name.
/// Needs no registry.
///
/// With --candidates, also writes the blocking's candidate pairs to a CSV
/// file (`a,b`: 0-based row numbers of the gold file, not counting its
/// header, smaller first, each pair once), so that another matcher can be
/// run under exactly the same blocking.
///
/// Example: undersigned eval tests/eval/matching_gold.csv
///
/// Example: undersigned eval gold.csv --candidates pairs.csv
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The gold file
    #[arg(value_name = "GOLD.csv")]
    gold: PathBuf,

    /// Also write the blocking's candidate pairs here (CSV a,b: row numbers of GOLD.csv from 0)
    #[arg(long, value_name = "PATH")]
    candidates: Option<PathBuf>,

    #[command(flatten)]
    format: FormatArg,
}

pub fn run(args: &Args, _db: &Path) -> Result<ExitCode> {
    let mut r = csv::Reader::from_path(&args.gold)
        .with_context(|| format!("cannot read {}", args.gold.display()))?;
    let headers = r.headers()?.clone();
    let (Some(ni), Some(ci)) = (
        headers.iter().position(|h| h == "name"),
        headers.iter().position(|h| h == "cluster"),
    ) else {
        bail!("{} needs the columns name,cluster", args.gold.display());
    };
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec?;
        rows.push((rec[ni].to_string(), rec[ci].to_string()));
    }
    if rows.is_empty() {
        bail!("{} has no rows", args.gold.display());
    }
    let rep = evaluate(&rows);
    if let Some(path) = &args.candidates {
        write_pairs(path, &rep.candidate_pairs)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let f = |x: f64| Cell::from(format!("{x:.4}"));
    let table = Table {
        columns: vec![
            "method",
            "pairwise_precision",
            "pairwise_recall",
            "pairwise_f1",
            "bcubed_precision",
            "bcubed_recall",
            "bcubed_f1",
            "seconds",
        ],
        rows: rep
            .methods
            .iter()
            .map(|m| {
                vec![
                    Cell::from(m.method.as_str()),
                    f(m.pairwise.precision),
                    f(m.pairwise.recall),
                    f(m.pairwise.f1),
                    f(m.bcubed.precision),
                    f(m.bcubed.recall),
                    f(m.bcubed.f1),
                    Cell::from(format!("{:.3}", m.seconds)),
                ]
            })
            .collect(),
    };
    print_table(&table, args.format.resolve())?;
    eprintln!(
        "{} names, {} gold clusters, {} gold pairs; blocking recall {:.4}, {:.2} candidate pairs per name; {} pairs left for review; recall without the alias table's pairs {:.4}",
        rep.names, rep.gold_clusters, rep.gold_pairs, rep.blocking_recall, rep.candidate_pairs_per_name, rep.review_pairs, rep.recall_without_alias_table
    );
    Ok(ExitCode::SUCCESS)
}

fn write_pairs(path: &Path, pairs: &[(u32, u32)]) -> Result<()> {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(w, "a,b")?;
    for (a, b) in pairs {
        writeln!(w, "{a},{b}")?;
    }
    w.flush()?;
    Ok(())
}
