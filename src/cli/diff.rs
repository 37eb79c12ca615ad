//! `undersigned diff`: who signed both of two letters, and who only one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

use super::overlap::{filter, load, SignerFilterArgs};
use super::{open_existing, with_output, FormatArg};
use crate::export::overlap::{jaccard, overlap_coef};
use crate::export::{measure, Cell, Table};

/// Compare the signers of two letters: signed both, only A, only B.
///
/// One row per signer of either letter: org_id, name, kind, country,
/// org_type, and side (both, only_a or only_b); signers of both first,
/// then those of A only, then of B only, each by name. A summary with the
/// counts goes to stderr. Withdrawn signatures are left out unless
/// --include-withdrawn is given.
///
/// Example: undersigned diff 3 7 --format csv
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The first letter's id (see `undersigned letters`)
    #[arg(value_name = "LETTER_A")]
    letter_a: i64,

    /// The second letter's id
    #[arg(value_name = "LETTER_B")]
    letter_b: i64,

    /// Write to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    #[command(flatten)]
    signers: SignerFilterArgs,

    #[command(flatten)]
    format: FormatArg,
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    let store = open_existing(db)?;
    let mut f = filter(None, &args.signers);
    f.letters = Some(vec![args.letter_a, args.letter_b]);
    let inc = load(&store, &f)?;
    let index = |id: i64| inc.letters.iter().position(|l| l.letter_id == id);
    let (ia, ib) = (index(args.letter_a), index(args.letter_b));

    let mut rows: Vec<(u8, String, Vec<Cell>)> = Vec::new();
    let (mut both, mut only_a, mut only_b) = (0usize, 0usize, 0usize);
    for (i, o) in inc.orgs.iter().enumerate() {
        let signed = |l: Option<usize>| l.is_some_and(|l| inc.org_letters[i].contains(&(l as u32)));
        let (in_a, in_b) = (signed(ia), signed(ib));
        let (rank, side) = match (in_a, in_b) {
            (true, true) => {
                both += 1;
                (0, "both")
            }
            (true, false) => {
                only_a += 1;
                (1, "only_a")
            }
            _ => {
                only_b += 1;
                (2, "only_b")
            }
        };
        rows.push((
            rank,
            o.name.to_lowercase(),
            vec![
                o.org_id.into(),
                o.name.as_str().into(),
                o.kind.as_str().into(),
                o.country.clone().into(),
                o.org_type.clone().into(),
                side.into(),
            ],
        ));
    }
    rows.sort_by(|x, y| (x.0, &x.1).cmp(&(y.0, &y.1)));
    let table = Table {
        columns: vec!["org_id", "name", "kind", "country", "org_type", "side"],
        rows: rows.into_iter().map(|r| r.2).collect(),
    };
    let output = args.output.as_deref();
    with_output(output, |out| {
        Ok(table.write(args.format.resolve_for(output), out)?)
    })?;

    let (na, nb) = (both + only_a, both + only_b);
    // Two letters the filters leave empty share nothing to measure.
    let measures = if both > 0 {
        format!(
            "; jaccard {}, overlap_coef {}",
            measure(jaccard(both as u32, na, nb)),
            measure(overlap_coef(both as u32, na, nb))
        )
    } else {
        String::new()
    };
    eprintln!(
        "letter {} ({na} signers) and letter {} ({nb} signers): {both} signed both, {only_a} only letter {}, {only_b} only letter {}{measures}",
        args.letter_a, args.letter_b, args.letter_a, args.letter_b
    );
    if let Some(path) = output {
        eprintln!("wrote {} rows to {}", table.rows.len(), path.display());
    }
    Ok(ExitCode::SUCCESS)
}
