//! `undersigned classify`: country and type of organizations, again.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::open_existing;

/// Classify organizations by country and type again.
///
/// Each organization gets the country it is based in (ISO 3166-1 alpha-2),
/// the country its name is about, a type (ngo, community, trade_union,
/// faith, academic, network, foundation, media, legal, political,
/// campaign, business, individual) and focus tags, each with its reason.
/// Import classifies new organizations already; run this after the tables
/// in data/ change. Without --all only organizations lacking a country or
/// a type are classified. Countries and types set with `undersigned set`
/// stay as they are. A summary goes to stderr.
///
/// Example: undersigned classify --all
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Classify every organization, not only those lacking a country or type
    #[arg(long)]
    all: bool,
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    let mut store = open_existing(db)?;
    let s = store.classify_orgs(args.all)?;
    eprintln!(
        "classified {} organization(s): {} country and {} type answer(s) changed; {} have a country",
        s.considered, s.countries_changed, s.types_changed, s.with_country
    );
    if s.locked > 0 {
        eprintln!("{} answer(s) set by a person were kept", s.locked);
    }
    if s.with_conflicts > 0 {
        eprintln!(
            "warning: {} organization(s) have letters that disagree on the country (see `undersigned why ORG`)",
            s.with_conflicts
        );
    }
    Ok(ExitCode::SUCCESS)
}
