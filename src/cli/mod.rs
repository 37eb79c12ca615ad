//! The command line: clap definitions, one file per subcommand (its Args
//! and its `run`). The only part of the crate that prints: data on
//! stdout, messages on stderr.

mod alias;
mod bench;
mod check;
mod classify;
mod dedupe;
mod diff;
mod eval;
mod eval_classify;
mod export;
mod import;
mod letters;
mod merge;
mod network;
mod orgs;
mod overlap;
mod progress;
mod review;
mod set;
mod show;
mod signed_by;
mod split;
mod stats;
mod undo;
mod why;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use crate::export::{Format, Table};
use crate::store::search::Resolution;
use crate::store::{OrgRow, Store};

/// Keep a registry of who signed which joint letter.
///
/// Import signatory lists from letters (text, Markdown, HTML), recognise
/// each signer in the registry, and ask who signed what.
///
/// Example: undersigned import letter.txt && undersigned letters
#[derive(Debug, Parser)]
#[command(name = "undersigned", version, max_term_width = 100)]
pub struct Cli {
    /// The registry database [default: undersigned.db in the current folder]
    #[arg(long, global = true, env = "UNDERSIGNED_DB", value_name = "PATH")]
    db: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Import(import::Args),
    Letters(letters::Args),
    Show(show::Args),
    Orgs(orgs::Args),
    SignedBy(signed_by::Args),
    Export(export::Args),
    Classify(classify::Args),
    Set(set::Args),
    Why(why::Args),
    EvalClassify(eval_classify::Args),
    Review(review::Args),
    Merge(merge::Args),
    Split(split::Args),
    Undo(undo::Args),
    Dedupe(dedupe::Args),
    Alias(alias::Args),
    Eval(eval::Args),
    Overlap(overlap::Args),
    Diff(diff::Args),
    Network(network::Args),
    Stats(stats::Args),
    Bench(bench::Args),
    Check(check::Args),
}

/// How listing commands write rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns (the default on a terminal)
    Table,
    /// CSV with a header row (the default when piped)
    Csv,
    /// A JSON array of objects
    Json,
}

/// The `--format` option shared by every command that lists rows.
#[derive(Debug, Clone, clap::Args)]
pub struct FormatArg {
    /// Output format [default: table on a terminal, csv otherwise]
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Option<OutputFormat>,
}

impl FormatArg {
    fn resolve(&self) -> Format {
        match self.format {
            Some(OutputFormat::Table) => Format::Table,
            Some(OutputFormat::Csv) => Format::Csv,
            Some(OutputFormat::Json) => Format::Json,
            None if std::io::stdout().is_terminal() => Format::Table,
            None => Format::Csv,
        }
    }

    /// As [`FormatArg::resolve`], but a file named with -o gets CSV
    /// unless --format says otherwise.
    fn resolve_for(&self, output: Option<&Path>) -> Format {
        match (self.format, output) {
            (None, Some(_)) => Format::Csv,
            _ => self.resolve(),
        }
    }
}

pub fn main() -> Result<ExitCode> {
    let cli = Cli::parse();
    let db = cli
        .db
        .clone()
        .unwrap_or_else(|| PathBuf::from("undersigned.db"));
    match &cli.command {
        Command::Import(a) => import::run(a, &db),
        Command::Letters(a) => letters::run(a, &db),
        Command::Show(a) => show::run(a, &db),
        Command::Orgs(a) => orgs::run(a, &db),
        Command::SignedBy(a) => signed_by::run(a, &db),
        Command::Export(a) => export::run(a, &db),
        Command::Classify(a) => classify::run(a, &db),
        Command::Set(a) => set::run(a, &db),
        Command::Why(a) => why::run(a, &db),
        Command::EvalClassify(a) => eval_classify::run(a),
        Command::Review(a) => review::run(a, &db),
        Command::Merge(a) => merge::run(a, &db),
        Command::Split(a) => split::run(a, &db),
        Command::Undo(a) => undo::run(a, &db),
        Command::Dedupe(a) => dedupe::run(a, &db),
        Command::Alias(a) => alias::run(a, &db),
        Command::Eval(a) => eval::run(a, &db),
        Command::Overlap(a) => overlap::run(a, &db),
        Command::Diff(a) => diff::run(a, &db),
        Command::Network(a) => network::run(a, &db),
        Command::Stats(a) => stats::run(a, &db),
        Command::Bench(a) => bench::run(a, &db),
        Command::Check(a) => check::run(a, &db),
    }
}

/// Opens the registry for writing, creating it if needed.
fn open_for_write(db: &Path) -> Result<Store> {
    Store::open(db).with_context(|| format!("cannot open the registry {}", db.display()))
}

/// Opens an existing registry; a missing one is an error rather than a
/// new empty file.
fn open_existing(db: &Path) -> Result<Store> {
    if !db.exists() {
        bail!(
            "no registry at {}: import a letter first (undersigned import FILE), or point --db / UNDERSIGNED_DB at one",
            db.display()
        );
    }
    open_for_write(db)
}

/// Writes a table to stdout in the chosen format.
fn print_table(table: &Table, format: Format) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    table.write(format, &mut out)?;
    out.flush()?;
    Ok(())
}

/// The organization ORG names: an id, or a name resolved through the
/// matcher (then a search that fits exactly one). Returns it with how it
/// was found, for the message.
fn resolve_org(store: &Store, org: &str) -> Result<(OrgRow, String)> {
    let (id, _, how) = resolve_org_id(store, org)?;
    match store.org(id)? {
        Some(o) => Ok((o, how)),
        None => bail!("no organization with id {id}"),
    }
}

/// [`resolve_org`] without reading the organization's row: its id, its
/// name and how it was found.
fn resolve_org_id(store: &Store, org: &str) -> Result<(i64, String, String)> {
    if let Ok(id) = org.trim().parse::<i64>() {
        return match store.org_name(id)? {
            Some(name) => Ok((id, name, String::new())),
            None => bail!("no organization with id {id}"),
        };
    }
    match store.resolve_org(org, &crate::matching::engine::Engine::new())? {
        Resolution::Matched {
            org_id,
            name,
            reason,
        } => Ok((org_id, name, format!(" (matcher: {reason})"))),
        Resolution::Searched { org: o } => Ok((
            o.org_id,
            o.name,
            format!(" (the matcher knows no such name; the only organization a search for \"{org}\" finds)"),
        )),
        Resolution::NotFound => bail!("no organization named \"{org}\" (try `undersigned orgs --search`)"),
        Resolution::Several(found) => {
            let n = found.len();
            let list: Vec<String> =
                found.iter().take(10).map(|o| format!("{} \"{}\"", o.org_id, o.name)).collect();
            bail!(
                "\"{org}\" fits {n} organizations: {}{}; give an id",
                list.join(", "),
                if n > 10 { ", ..." } else { "" }
            );
        }
    }
}

/// What command output is gathered in before each write to a file or stdout.
const OUT_BUFFER: usize = 64 * 1024;

/// Runs `write` on the file `path` (written beside it and renamed into
/// place, so a failure never leaves half a file where a good one was) or,
/// without a path, on stdout.
fn with_output<T>(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> Result<T>,
) -> Result<T> {
    match path {
        Some(path) => {
            let tmp = path.with_extension("partial");
            let f = std::fs::File::create(&tmp)
                .with_context(|| format!("cannot create {}", tmp.display()))?;
            let mut w = std::io::BufWriter::with_capacity(OUT_BUFFER, f);
            let done = write(&mut w).and_then(|t| {
                w.flush()?;
                Ok(t)
            });
            drop(w);
            match done {
                Ok(t) => {
                    std::fs::rename(&tmp, path)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    Ok(t)
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    Err(e)
                }
            }
        }
        None => {
            // Standard output writes at every line end it is handed; one
            // large buffer hands it a few large pieces instead.
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(OUT_BUFFER, stdout.lock());
            let t = write(&mut out)?;
            out.flush()?;
            Ok(t)
        }
    }
}
