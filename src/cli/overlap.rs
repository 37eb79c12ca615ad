//! `undersigned overlap letters|orgs|countries|types`: which letters share
//! signers, which organizations sign together, and how countries and types
//! mix in those ties. Also the filter options the network commands share.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Subcommand;

use super::{open_existing, with_output, FormatArg};
use crate::export::measure;
use crate::export::overlap::{
    letter_pair_row, letter_pairs, mixing, mixing_table, org_pair_row, org_pairs, top_org_pairs,
    LETTER_PAIR_COLUMNS, ORG_PAIR_COLUMNS,
};
use crate::export::stream::RowSink;
use crate::store::overlap::{Filter, Incidence};
use crate::store::{Store, StoreError};

/// Show how letters and organizations overlap: shared signers, co-signers.
///
/// Every measure is computed from the signatures the filters keep:
/// withdrawn signatures are left out unless --include-withdrawn is given,
/// and a letter with one signer makes no pair of organizations.
///
/// Example: undersigned overlap orgs --min-shared 2 --since 2023
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, Subcommand)]
enum What {
    Letters(LettersArgs),
    Orgs(OrgsArgs),
    /// Co-signature ties between countries: a mixing table.
    ///
    /// Every pair of organizations that signed at least --min-shared
    /// letters together is one tie, counted under the countries of its two
    /// ends (empty: not known). One row per two countries: country_a,
    /// country_b, pairs, shared (letters signed together, summed over the
    /// pairs), newman_weight (summed) and fraction (the share of all
    /// pairs). Newman's assortativity coefficient over the pairs whose
    /// countries are both known goes to stderr: 1 when ties stay within a
    /// country, about 0 when they mix as by chance, below 0 when they cross
    /// more than chance would.
    ///
    /// Example: undersigned overlap countries --since 2024 --format table
    Countries(MixArgs),
    /// Co-signature ties between types of organization: a mixing table.
    ///
    /// As `overlap countries`, by type (org_type_a, org_type_b, pairs,
    /// shared, newman_weight, fraction); people are of type individual.
    ///
    /// Example: undersigned overlap types --min-shared 2
    Types(MixArgs),
}

/// Which letters count: the options every network command shares.
#[derive(Debug, Clone, clap::Args)]
pub struct LetterFilterArgs {
    /// Only these letters (ids, comma-separated)
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    letters: Option<Vec<i64>>,

    /// Only letters dated DATE or later (YYYY, YYYY-MM or YYYY-MM-DD); a letter dated by year or
    /// month only counts when that year or month reaches DATE; undated letters are left out
    #[arg(long, value_name = "DATE", value_parser = parse_partial_date)]
    since: Option<String>,

    /// Only letters dated DATE or earlier (as --since)
    #[arg(long, value_name = "DATE", value_parser = parse_partial_date)]
    until: Option<String>,
}

/// Which signers and signatures count.
#[derive(Debug, Clone, clap::Args)]
pub struct SignerFilterArgs {
    /// Only signers based in these countries (ISO codes, comma-separated)
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    country: Option<Vec<String>>,

    /// Only signers of these types (comma-separated: ngo, community, trade_union, faith, ...,
    /// individual)
    #[arg(long = "type", value_name = "TYPES", value_delimiter = ',')]
    org_type: Option<Vec<String>>,

    /// Count signatures that a later version of their letter dropped
    #[arg(long)]
    include_withdrawn: bool,
}

/// The filters as the store takes them.
pub fn filter(letters: Option<&LetterFilterArgs>, signers: &SignerFilterArgs) -> Filter {
    Filter {
        letters: letters.and_then(|l| l.letters.clone()),
        since: letters.and_then(|l| l.since.clone()),
        until: letters.and_then(|l| l.until.clone()),
        countries: signers
            .country
            .as_ref()
            .map(|v| v.iter().map(|c| c.trim().to_ascii_uppercase()).collect()),
        types: signers
            .org_type
            .as_ref()
            .map(|v| v.iter().map(|t| t.trim().to_lowercase()).collect()),
        include_withdrawn: signers.include_withdrawn,
    }
}

/// YYYY, YYYY-MM or YYYY-MM-DD.
fn parse_partial_date(s: &str) -> Result<String, String> {
    let parts: Vec<&str> = s.split('-').collect();
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    let num = |p: &str| p.parse::<u32>().unwrap_or(0);
    let ok = match parts[..] {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2) && (1..=12).contains(&num(m)),
        [y, m, d] => {
            digits(y, 4)
                && digits(m, 2)
                && (1..=12).contains(&num(m))
                && digits(d, 2)
                && (1..=31).contains(&num(d))
        }
        _ => false,
    };
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "\"{s}\" is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"
        ))
    }
}

/// Reads the network the filters keep; an unknown letter id is a usage error.
pub fn load(store: &Store, f: &Filter) -> Result<Incidence> {
    match store.incidence(f) {
        Ok(inc) => Ok(inc),
        Err(StoreError::NoLetter(id)) => {
            bail!("no letter with id {id} (see `undersigned letters`)")
        }
        Err(e) => Err(e.into()),
    }
}

/// Pairs of letters that share signers.
///
/// One row per pair of letters with at least --min-shared signers in
/// common: letter_a, letter_b, title_a, title_b, shared, size_a, size_b,
/// jaccard (shared / signers of either), overlap_coef (shared / signers of
/// the smaller letter). Sizes count the signers the filters keep.
///
/// Example: undersigned overlap letters --min-shared 10 --format csv -o letters.csv
#[derive(Debug, clap::Args)]
struct LettersArgs {
    #[command(flatten)]
    common: Common,
}

/// Pairs of organizations that signed the same letters.
///
/// One row per pair of organizations that signed at least --min-shared
/// letters together: org_a, org_b, name_a, name_b, shared, letters_a,
/// letters_b, jaccard (shared / letters either signed), overlap_coef
/// (shared / letters the less active one signed), newman_weight (the sum
/// over shared letters of 1/(n-1), n the letter's signatory count, so a
/// short letter ties its signers more than a long one), first_shared and
/// last_shared (dates of the earliest and latest shared letter). Letter
/// counts are of the letters the filters keep; n counts every signer of
/// the letter, whatever --country and --type keep.
///
/// Rows come by org_a then org_b; with --top K, the K strongest pairs
/// (most shared letters, then largest newman_weight), strongest first.
///
/// Example: undersigned overlap orgs --top 20 --since 2023-01-01 --country MM,TH
#[derive(Debug, clap::Args)]
struct OrgsArgs {
    /// Only the K strongest pairs
    #[arg(long, value_name = "K")]
    top: Option<usize>,

    #[command(flatten)]
    common: Common,
}

/// The options of `overlap countries` and `overlap types`.
#[derive(Debug, clap::Args)]
struct MixArgs {
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, clap::Args)]
struct Common {
    /// Leave out pairs that share fewer than N
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    min_shared: u32,

    #[command(flatten)]
    letters: LetterFilterArgs,

    #[command(flatten)]
    signers: SignerFilterArgs,

    /// Write to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    #[command(flatten)]
    format: FormatArg,
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    let common = match &args.what {
        What::Letters(a) => &a.common,
        What::Orgs(a) => &a.common,
        What::Countries(a) | What::Types(a) => &a.common,
    };
    let store = open_existing(db)?;
    let inc = load(&store, &filter(Some(&common.letters), &common.signers))?;
    let output = common.output.as_deref();
    let format = common.format.resolve_for(output);
    let min = common.min_shared;
    let rows = match &args.what {
        What::Letters(_) => with_output(output, |out| {
            let mut sink = RowSink::new(format, LETTER_PAIR_COLUMNS.to_vec(), out)?;
            letter_pairs(&inc, min, |p| sink.row(letter_pair_row(&inc, &p)))?;
            Ok(sink.finish()?)
        })?,
        What::Orgs(a) => with_output(output, |out| {
            let mut sink = RowSink::new(format, ORG_PAIR_COLUMNS.to_vec(), out)?;
            match a.top {
                Some(k) => {
                    for p in top_org_pairs(&inc, min, k) {
                        sink.row(org_pair_row(&inc, &p))?;
                    }
                }
                None => org_pairs(&inc, min, |p| sink.row(org_pair_row(&inc, &p)))?,
            }
            Ok(sink.finish()?)
        })?,
        What::Countries(_) | What::Types(_) => {
            let by_country = matches!(args.what, What::Countries(_));
            let (m, what, cols) = if by_country {
                (
                    mixing(&inc, min, |o| o.country.as_deref()),
                    "country",
                    ("country_a", "country_b"),
                )
            } else {
                (
                    mixing(&inc, min, |o| o.org_type.as_deref()),
                    "type",
                    ("org_type_a", "org_type_b"),
                )
            };
            let table = mixing_table(&m, cols.0, cols.1);
            with_output(output, |out| Ok(table.write(format, out)?))?;
            match m.assortativity {
                Some(r) => eprintln!(
                    "{} organization pairs; assortativity by {what} over the {} pairs whose {what} is known at both ends: {}",
                    m.pairs,
                    m.known_pairs,
                    measure(r)
                ),
                None => eprintln!(
                    "{} organization pairs; assortativity by {what}: not defined ({} pairs with the {what} known at both ends, in {})",
                    m.pairs,
                    m.known_pairs,
                    if m.known_pairs == 0 { "no group" } else { "one group" }
                ),
            }
            table.rows.len()
        }
    };
    if let Some(path) = output {
        eprintln!("wrote {rows} rows to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates() {
        for ok in ["2024", "2024-03", "2024-03-01"] {
            assert_eq!(parse_partial_date(ok), Ok(ok.to_string()));
        }
        for bad in [
            "24",
            "2024-3",
            "2024-13",
            "2024-03-32",
            "2024-03-01-1",
            "march",
        ] {
            assert!(parse_partial_date(bad).is_err(), "{bad}");
        }
    }
}
