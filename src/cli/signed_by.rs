//! `undersigned signed-by`: the letters an organization signed.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::{open_existing, resolve_org_id, with_output, FormatArg};
use crate::export::stream::RowSink;
use crate::export::Cell;

/// List the letters an organization signed.
///
/// ORG is an organization id (see `undersigned orgs`) or a name. A name is
/// read like a list entry and resolved through the matcher, as an import
/// would link it; failing that it is searched for, as orgs --search does.
/// The organization chosen, and why, goes to stderr; when a search fits
/// several organizations they are listed and nothing is chosen.
///
/// Example: undersigned signed-by "Burma Campaign UK"
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Organization id or name
    #[arg(value_name = "ORG")]
    org: String,

    #[command(flatten)]
    format: FormatArg,
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    let store = open_existing(db)?;
    let (org_id, name, how) = resolve_org_id(&store, &args.org)?;
    let rows = store.letters_signed_by(org_id)?;
    // The letters it still signs, counted from its rows rather than by a
    // second read of them (as `orgs` counts: a letter where its every row
    // is withdrawn does not count).
    let letters = rows
        .iter()
        .filter(|(_, s)| s.status == "signed")
        .map(|(l, _)| l.letter_id)
        .collect::<std::collections::HashSet<i64>>()
        .len();
    eprintln!("organization {org_id} \"{name}\"{how}: {letters} letter(s)");
    with_output(None, |out| {
        let mut sink = RowSink::new(
            args.format.resolve(),
            vec![
                "letter_id",
                "date",
                "title",
                "position",
                "name_as_printed",
                "status",
            ],
            out,
        )?;
        for (l, s) in rows {
            sink.row(vec![
                Cell::from(l.letter_id),
                l.date.into(),
                l.title.into(),
                s.position.into(),
                s.name_as_printed.into(),
                s.status.into(),
            ])?;
        }
        sink.finish()?;
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
