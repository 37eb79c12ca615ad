//! `undersigned check`: is the registry sound? One line per problem.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use crate::store::Store;

/// Check the registry for damage and broken rules.
///
/// Runs SQLite's integrity check (pages, indexes, the full-text index),
/// then looks for rows pointing to missing letters or organizations,
/// printed forms no letter or signature accounts for, organizations
/// holding two names a person judged different, and letters whose signed
/// signatures are not the signers their latest version lists. Prints one
/// line per problem and exits 1, or prints "ok" and exits 0. Writes
/// nothing (an older registry is brought to the current schema first, as
/// by every command).
///
/// Example: undersigned check && cp undersigned.db backup.db
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: &Args, db: &Path) -> Result<ExitCode> {
    if !db.exists() {
        bail!("no registry at {}", db.display());
    }
    let problems = match Store::open(db) {
        Ok(store) => store
            .check()
            .with_context(|| format!("cannot check {}", db.display()))?,
        // A file SQLite cannot read at all is the worst finding, not an
        // error in running the check.
        Err(e) => match e.damage() {
            Some(what) => {
                println!("integrity: {what}");
                eprintln!("{}: 1 problem(s)", db.display());
                return Ok(ExitCode::from(1));
            }
            None => {
                return Err(e).with_context(|| format!("cannot open the registry {}", db.display()))
            }
        },
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if problems.is_empty() {
        writeln!(out, "ok")?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    for p in &problems {
        writeln!(out, "{p}")?;
    }
    out.flush()?;
    eprintln!("{}: {} problem(s)", db.display(), problems.len());
    Ok(ExitCode::from(1))
}
