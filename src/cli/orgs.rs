//! `undersigned orgs`: organizations with the number of letters each signed.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Result};

use super::{open_existing, print_table, FormatArg};
use crate::classify::OrgType;
use crate::data::country_code;
use crate::export::orgs_table;
use crate::store::OrgFilter;

/// List organizations with the number of letters each signed.
///
/// Most active first. --search keeps those with a printed name that
/// holds every word of TEXT, whole or as part of a word, in any order
/// (compared without case, quotes or punctuation, through a full-text
/// index), or whose acronym is TEXT. --country and --type keep those
/// classified so (see `undersigned why ORG` for the reasons).
///
/// Example: undersigned orgs --country GB --type campaign
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keep organizations whose name or acronym matches TEXT
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,

    /// Keep organizations based in this country (ISO code or name)
    #[arg(long, value_name = "COUNTRY")]
    country: Option<String>,

    /// Keep organizations of this type (ngo, community, trade_union, ...)
    #[arg(long = "type", value_name = "TYPE")]
    org_type: Option<String>,

    #[command(flatten)]
    format: FormatArg,
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    let store = open_existing(db)?;
    let country = match args.country.as_deref() {
        None => None,
        Some(c) => match country_code(c).or_else(|| country_code(&c.to_uppercase())) {
            Some(cc) => Some(cc.to_string()),
            None => {
                bail!("unknown country \"{c}\": give an ISO 3166-1 alpha-2 code (GB) or a name")
            }
        },
    };
    let org_type = match args.org_type.as_deref() {
        None => None,
        Some(t) => match OrgType::parse(t) {
            Some(t) => Some(t.as_str().to_string()),
            None => bail!(
                "unknown type \"{t}\": one of {}",
                OrgType::ALL.map(OrgType::as_str).join(", ")
            ),
        },
    };
    let rows = store.orgs_where(&OrgFilter {
        search: args.search.clone(),
        country,
        org_type,
    })?;
    print_table(&orgs_table(&rows), args.format.resolve())?;
    Ok(ExitCode::SUCCESS)
}
