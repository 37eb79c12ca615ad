//! `undersigned set`: a person's country or type for an organization.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Result};

use super::{open_existing, resolve_org};
use crate::classify::OrgType;
use crate::data::country_code;
use crate::store::Override;

/// Set an organization's country or type by hand.
///
/// The value is kept (locked) when classification runs again. COUNTRY is
/// an ISO 3166-1 alpha-2 code or a country name; TYPE is one of ngo,
/// community, trade_union, faith, academic, network, foundation, media,
/// legal, political, campaign, business, individual. `auto` hands the
/// field back to classification. ORG is an id or a name, as for
/// `signed-by`.
///
/// Example: undersigned set "Burma Campaign UK" --country GB --type campaign
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["country", "org_type"])))]
pub struct Args {
    /// Organization id or name
    #[arg(value_name = "ORG")]
    org: String,

    /// Country code or name, or `auto`
    #[arg(long, value_name = "COUNTRY")]
    country: Option<String>,

    /// Organization type, or `auto`
    #[arg(long = "type", value_name = "TYPE")]
    org_type: Option<String>,
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    let mut store = open_existing(db)?;
    let (org, _) = resolve_org(&store, &args.org)?;
    let country = match args.country.as_deref().map(str::trim) {
        None => None,
        Some("auto") => Some(Override::Auto),
        Some(c) => match country_code(c).or_else(|| country_code(&c.to_uppercase())) {
            Some(cc) => Some(Override::Set(cc.to_string())),
            None => {
                bail!("unknown country \"{c}\": give an ISO 3166-1 alpha-2 code (GB) or a name")
            }
        },
    };
    let org_type = match args.org_type.as_deref().map(str::trim) {
        None => None,
        Some("auto") => Some(Override::Auto),
        Some(t) => match OrgType::parse(t) {
            Some(t) => Some(Override::Set(t.as_str().to_string())),
            None => bail!(
                "unknown type \"{t}\": one of {}",
                OrgType::ALL.map(OrgType::as_str).join(", ")
            ),
        },
    };
    store.set_overrides(org.org_id, country.as_ref(), org_type.as_ref())?;
    let now = store.org(org.org_id)?.unwrap_or(org);
    eprintln!(
        "organization {} \"{}\": country {}, type {}",
        now.org_id,
        now.name,
        now.country.as_deref().unwrap_or("unknown"),
        now.org_type.as_deref().unwrap_or("unknown")
    );
    Ok(ExitCode::SUCCESS)
}
