//! `undersigned stats`: what the registry holds, in numbers.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Result};

use super::overlap::{filter, LetterFilterArgs, SignerFilterArgs};
use super::{open_existing, print_table, FormatArg};
use crate::export::{Cell, Table};

/// Summarize the registry: letters, signatures, signers, countries, types.
///
/// One row per number, as section, key, count, claimed and note:
///   total     letters, signatures (standing), withdrawn (signatures a later version dropped),
///             organizations and individuals (distinct signers), mismatched_letters
///   country   the --top countries by distinct signers (an empty key: not known)
///   org_type  the --top types by distinct signers (an empty key: not known)
///   mismatch  each letter whose text claims a number of signers (claimed) other than the
///             number found (count); the note holds its title
///
/// The filters choose the letters and signers counted.
///
/// Example: undersigned stats --since 2024 --format table
#[derive(Debug, clap::Args)]
#[command(
    verbatim_doc_comment,
    about = "Summarize the registry: letters, signatures, signers, countries, types"
)]
pub struct Args {
    /// How many countries and types to list
    #[arg(long, value_name = "K", default_value_t = 10)]
    top: usize,

    #[command(flatten)]
    letters: LetterFilterArgs,

    #[command(flatten)]
    signers: SignerFilterArgs,

    #[command(flatten)]
    format: FormatArg,
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    let store = open_existing(db)?;
    let f = filter(Some(&args.letters), &args.signers);
    if let Some(ids) = &f.letters {
        if let Some(id) = store.missing_letters(ids)?.first() {
            bail!("no letter with id {id} (see `undersigned letters`)");
        }
    }
    let s = store.stats(&f, args.top)?;
    let row = |section: &str, key: Cell, count: i64, claimed: Option<i64>, note: Option<String>| {
        vec![
            section.into(),
            key,
            count.into(),
            claimed.into(),
            note.into(),
        ]
    };
    let mut rows = vec![
        row("total", "letters".into(), s.letters, None, None),
        row("total", "signatures".into(), s.signatures, None, None),
        row("total", "withdrawn".into(), s.withdrawn, None, None),
        row("total", "organizations".into(), s.organizations, None, None),
        row("total", "individuals".into(), s.individuals, None, None),
        row(
            "total",
            "mismatched_letters".into(),
            s.mismatches.len() as i64,
            None,
            None,
        ),
    ];
    let unknown = |v: &Option<String>| v.is_none().then(|| "not known".to_string());
    for (c, n) in &s.countries {
        rows.push(row("country", c.clone().into(), *n, None, unknown(c)));
    }
    for (t, n) in &s.types {
        rows.push(row("org_type", t.clone().into(), *n, None, unknown(t)));
    }
    for m in &s.mismatches {
        let mut note = m.title.clone().unwrap_or_else(|| "untitled".into());
        if m.partial {
            note.push_str(" (the text says its list is partial)");
        }
        rows.push(row(
            "mismatch",
            m.letter_id.to_string().into(),
            m.found,
            Some(m.claimed),
            Some(note),
        ));
    }
    let table = Table {
        columns: vec!["section", "key", "count", "claimed", "note"],
        rows,
    };
    print_table(&table, args.format.resolve())?;
    Ok(ExitCode::SUCCESS)
}
