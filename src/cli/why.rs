//! `undersigned why`: the reasons behind an organization's classification.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Result};

use super::{open_existing, print_table, resolve_org, FormatArg};
use crate::classify::CONFIDENT;
use crate::export::{Cell, Table};
use crate::store::Explanation;

/// Explain an organization's country, focus country, type and tags.
///
/// One row per answer with its value, confidence and reason, then every
/// clue to the country that was weighed (notes and headings printed in
/// letters, states, cities and countries in the name), strongest first,
/// and any letters that disagree on the country. A confidence below 0.5
/// marks a guess. ORG is an id or a name, as for `signed-by`. With two
/// names, explains the matcher's verdict on them instead: the score, the
/// band (merge, review, apart) and every reason, using the registry's
/// word and acronym statistics when there is one.
///
/// Example: undersigned why "Burma Campaign UK"; undersigned why "APHR" "ASEAN Parliamentarians for Human Rights"
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Organization id or name; or two names to compare
    #[arg(value_name = "ORG", num_args = 1..=2, required = true)]
    orgs: Vec<String>,

    #[command(flatten)]
    format: FormatArg,
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    if args.orgs.len() == 2 {
        return why_match(args, db);
    }
    let store = open_existing(db)?;
    let (org, _) = resolve_org(&store, &args.orgs[0])?;
    let Some(e) = store.explain(org.org_id)? else {
        bail!("no organization with id {}", org.org_id);
    };
    print_table(&why_table(&e), args.format.resolve())?;
    Ok(ExitCode::SUCCESS)
}

/// `why NAME_A NAME_B`: the matcher's score, band and reasons.
fn why_match(args: &Args, db: &Path) -> Result<ExitCode> {
    let (a, b) = (&args.orgs[0], &args.orgs[1]);
    let score = if db.exists() {
        open_existing(db)?.explain_match(a, b)?
    } else {
        crate::matching::explain(a, b)
    };
    let mut rows = vec![vec![
        Cell::from("verdict"),
        Cell::from(score.band.as_str()),
        Cell::from(format!("{:.2}", score.value)),
    ]];
    for r in &score.reasons {
        rows.push(vec![
            Cell::from("reason"),
            Cell::Null,
            Cell::from(r.as_str()),
        ]);
    }
    let table = Table {
        columns: vec!["aspect", "value", "detail"],
        rows,
    };
    print_table(&table, args.format.resolve())?;
    Ok(ExitCode::SUCCESS)
}

fn conf(c: Option<f64>) -> Cell {
    c.map_or(Cell::Null, |c| Cell::Text(format!("{c:.2}")))
}

fn why_table(e: &Explanation) -> Table {
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut row = |aspect: &str, value: Option<String>, c: Option<f64>, reason: String| {
        rows.push(vec![aspect.into(), value.into(), conf(c), reason.into()]);
    };
    row(
        "organization",
        Some(e.org.org_id.to_string()),
        None,
        format!(
            "{} ({}, {} letter(s))",
            e.org.name, e.org.kind, e.org.letters
        ),
    );
    let mut reason = e.country_reason.clone().unwrap_or_else(|| "no clue".into());
    if e.country_confidence.is_some_and(|c| c < CONFIDENT) {
        reason.push_str(" [a guess]");
    }
    row("country", e.country.clone(), e.country_confidence, reason);
    for c in &e.fresh.clues {
        row(
            &format!("{} clue", c.source.as_str()),
            Some(c.countries.join(" or ")),
            Some(c.confidence),
            c.reason.clone(),
        );
    }
    for c in &e.fresh.conflicts {
        row("conflict", None, None, c.clone());
    }
    let focus_reason = e
        .fresh
        .focus_country
        .as_ref()
        .filter(|a| Some(&a.value) == e.focus_country.as_ref())
        .map(|a| a.reason.clone())
        .unwrap_or_default();
    row(
        "focus country",
        e.focus_country.clone(),
        None,
        if e.focus_country.is_some() {
            focus_reason
        } else {
            "the name names no other country".into()
        },
    );
    row(
        "type",
        e.org_type.clone(),
        (!e.org_type_locked && e.org_type.as_deref() == Some(e.fresh.org_type.value.as_str()))
            .then_some(e.fresh.org_type.confidence)
            .or(e.org_type_locked.then_some(1.0)),
        e.org_type_reason.clone().unwrap_or_default(),
    );
    row(
        "tags",
        e.tags.clone(),
        None,
        if e.tags.is_some() {
            "words in the name".into()
        } else {
            "no focus words in the name".into()
        },
    );
    let stale_country = !e.country_locked
        && e.country.as_deref() != e.fresh.country.as_ref().map(|a| a.value.as_str());
    let stale_type = !e.org_type_locked && e.org_type.as_deref() != Some(&e.fresh.org_type.value);
    if stale_country || stale_type {
        row(
            "note",
            None,
            None,
            "the stored answers predate the current tables: run `undersigned classify --all`"
                .into(),
        );
    }
    Table {
        columns: vec!["aspect", "value", "confidence", "reason"],
        rows,
    }
}
