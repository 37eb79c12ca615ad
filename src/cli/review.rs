//! `undersigned review`: people decide the doubtful pairs.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use super::{open_existing, print_table, FormatArg};
use crate::export::{Cell, Table};
use crate::store::judge::{ReviewPair, Verdict};
use crate::store::Store;

/// Decide the doubtful pairs: same organization or not.
///
/// On a terminal, shows each pair (both names, the letters each signed,
/// why the matcher doubts) and asks: [s]ame merges them, [d]ifferent keeps
/// them apart for good, s[k]ip, [u]ndo the last answer, [q]uit. Answers
/// are stored and honoured by every later import and `dedupe`.
/// `--list` writes the pending pairs as CSV with an empty `decision`
/// column; fill it with same, different or unsure and read it back with
/// `--apply FILE`.
///
/// Example: undersigned review --list > pairs.csv && undersigned review --apply pairs.csv
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the pending pairs instead of asking
    #[arg(long, conflicts_with = "apply")]
    list: bool,

    /// Apply decisions from a CSV written by --list
    #[arg(long, value_name = "FILE")]
    apply: Option<PathBuf>,

    #[command(flatten)]
    format: FormatArg,
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    let mut store = open_existing(db)?;
    if args.list {
        let pairs = store.review_pairs()?;
        let table = Table {
            columns: vec![
                "org_a", "org_b", "name_a", "name_b", "score", "reasons", "decision",
            ],
            rows: pairs
                .iter()
                .map(|p| {
                    vec![
                        Cell::from(p.org_a),
                        Cell::from(p.org_b),
                        Cell::from(p.name_a.as_str()),
                        Cell::from(p.name_b.as_str()),
                        Cell::from(format!("{:.2}", p.score)),
                        Cell::from(p.reasons.as_str()),
                        Cell::from(""),
                    ]
                })
                .collect(),
        };
        print_table(&table, args.format.resolve())?;
        eprintln!("{} pair(s) to review", pairs.len());
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(path) = &args.apply {
        return apply(&mut store, path);
    }
    if !std::io::stdin().is_terminal() {
        bail!("review asks on a terminal; without one use --list and --apply FILE");
    }
    interactive(&mut store)
}

fn apply(store: &mut Store, path: &Path) -> Result<ExitCode> {
    let mut r =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let h = r.headers()?.clone();
    let col = |n: &str| h.iter().position(|x| x == n);
    let (Some(a), Some(b), Some(na), Some(nb), Some(d)) = (
        col("org_a"),
        col("org_b"),
        col("name_a"),
        col("name_b"),
        col("decision"),
    ) else {
        bail!("{} needs the columns org_a, org_b, name_a, name_b, decision (as `review --list` writes)", path.display());
    };
    let (mut merged, mut apart, mut unsure, mut skipped) = (0, 0, 0, 0);
    for (line, rec) in r.records().enumerate() {
        let rec = rec?;
        let decision = rec[d].trim();
        if decision.is_empty() {
            skipped += 1;
            continue;
        }
        let Some(v) = Verdict::parse(decision) else {
            bail!(
                "{}: row {}: decision \"{decision}\" is not same, different or unsure",
                path.display(),
                line + 2
            );
        };
        let (oa, ob): (i64, i64) = (rec[a].trim().parse()?, rec[b].trim().parse()?);
        match v {
            Verdict::Same => {
                if store.org(oa)?.is_some() && store.org(ob)?.is_some() {
                    store.merge(oa.min(ob), oa.max(ob))?;
                }
                store.judge(&rec[na], &rec[nb], Verdict::Same, Some("review --apply"))?;
                merged += 1;
            }
            Verdict::Different => {
                store.judge(
                    &rec[na],
                    &rec[nb],
                    Verdict::Different,
                    Some("review --apply"),
                )?;
                apart += 1;
            }
            Verdict::Unsure => {
                store.judge(&rec[na], &rec[nb], Verdict::Unsure, Some("review --apply"))?;
                unsure += 1;
            }
        }
    }
    eprintln!("applied: {merged} same (merged), {apart} different, {unsure} unsure, {skipped} without a decision");
    Ok(ExitCode::SUCCESS)
}

/// What an answer did, so [u]ndo can reverse it.
enum Done {
    Merged,
    Judged(String, String),
}

fn describe(store: &Store, org: i64) -> Result<String> {
    let names = store.org_names(org)?;
    let letters = store.letters_signed_by(org)?;
    let titles: Vec<String> = letters
        .iter()
        .take(5)
        .map(|(l, _)| {
            format!(
                "{} {}",
                l.letter_id,
                l.title.as_deref().unwrap_or("untitled")
            )
        })
        .collect();
    Ok(format!(
        "  organization {org}: {}\n    signed {} letter(s): {}",
        names.join(" | "),
        letters.len(),
        titles.join("; ")
    ))
}

fn interactive(store: &mut Store) -> Result<ExitCode> {
    let pairs: Vec<ReviewPair> = store.review_pairs()?;
    if pairs.is_empty() {
        eprintln!("nothing to review");
        return Ok(ExitCode::SUCCESS);
    }
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut done: Vec<Done> = Vec::new();
    let mut i = 0;
    while i < pairs.len() {
        let p = &pairs[i];
        if store.org(p.org_a)?.is_none() || store.org(p.org_b)?.is_none() {
            i += 1;
            continue;
        }
        let mut err = std::io::stderr();
        writeln!(
            err,
            "\n[{}/{}] \"{}\"  ~  \"{}\"  (score {:.2})",
            i + 1,
            pairs.len(),
            p.name_a,
            p.name_b,
            p.score
        )?;
        writeln!(err, "{}", describe(store, p.org_a)?)?;
        writeln!(err, "{}", describe(store, p.org_b)?)?;
        writeln!(err, "  why: {}", p.reasons)?;
        write!(err, "[s]ame / [d]ifferent / s[k]ip / [u]ndo / [q]uit > ")?;
        err.flush()?;
        let Some(answer) = lines.next() else { break };
        match answer?.trim() {
            "s" | "same" => {
                store.merge(p.org_a, p.org_b)?;
                done.push(Done::Merged);
                i += 1;
            }
            "d" | "different" => {
                store.judge(&p.name_a, &p.name_b, Verdict::Different, Some("review"))?;
                done.push(Done::Judged(p.name_a.clone(), p.name_b.clone()));
                i += 1;
            }
            "k" | "skip" | "" => i += 1,
            "u" | "undo" => match done.pop() {
                Some(Done::Merged) => {
                    store.undo()?;
                    i = i.saturating_sub(1);
                }
                Some(Done::Judged(a, b)) => {
                    store.unjudge(&a, &b)?;
                    i = i.saturating_sub(1);
                }
                None => writeln!(err, "nothing to undo")?,
            },
            "q" | "quit" => break,
            other => writeln!(err, "\"{other}\": answer s, d, k, u or q")?,
        }
    }
    eprintln!("review: {} answer(s) stored", done.len());
    Ok(ExitCode::SUCCESS)
}
