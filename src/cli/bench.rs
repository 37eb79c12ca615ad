//! `undersigned bench gen|run`: the scale benchmarks. `gen` writes
//! synthetic letters with their gold clusters; `run` generates them (small
//! by default, `--full` for 1M organizations, 10k letters, 10M
//! signatures), runs this binary on them as a user would, and prints
//! every figure beside its target.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;

use crate::bench::gen::{generate, Config, Summary};
use crate::progress::Progress;

/// Benchmark at scale on synthetic letters.
///
/// `bench gen` writes letters and gold clusters; `bench run` generates
/// them and measures import, dedupe, overlap, queries and start-up
/// against the targets, printing each figure beside its target.
///
/// Example: undersigned bench run
///
/// Example: undersigned bench run --full --dir /tmp/undersigned-bench
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, Subcommand)]
enum What {
    Gen(GenArgs),
}

/// The size of the synthetic registry.
#[derive(Debug, Clone, clap::Args)]
pub struct SizeArgs {
    /// The full size: 1,000,000 organizations, 10,000 letters, 10,000,000 signatures
    /// [default: a hundredth of that]
    #[arg(long)]
    full: bool,

    /// Organizations (each signs at least once) [default: by --full]
    #[arg(long, value_name = "N")]
    orgs: Option<usize>,

    /// Letters [default: by --full]
    #[arg(long, value_name = "N")]
    letters: Option<usize>,

    /// Signatures over all letters [default: by --full]
    #[arg(long, value_name = "N")]
    signatures: Option<usize>,

    /// Seed of the generator: the same seed writes the same letters
    #[arg(long, value_name = "N", default_value_t = 1)]
    seed: u64,
}

impl SizeArgs {
    fn config(&self) -> Config {
        let mut c = if self.full {
            Config::full()
        } else {
            Config::small()
        };
        c.orgs = self.orgs.unwrap_or(c.orgs);
        c.letters = self.letters.unwrap_or(c.letters);
        c.signatures = self.signatures.unwrap_or(c.signatures);
        c.seed = self.seed;
        c
    }
}

/// Write synthetic letters and their gold clusters.
///
/// Writes DIR/letters/NNNNNN.txt (in date order), DIR/held_out/held-N.txt
/// (1,000-signer letters, a tenth of their signers new, for timing one
/// letter into the full registry) and DIR/gold.csv (name,cluster,variant:
/// every printed form with its organization and how it was printed).
///
/// Example: undersigned bench gen --dir /tmp/letters
#[derive(Debug, clap::Args)]
pub struct GenArgs {
    #[command(flatten)]
    size: SizeArgs,

    /// Where to write
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
}

pub fn run(args: &Args, _db: &Path) -> Result<ExitCode> {
    match &args.what {
        What::Gen(a) => {
            let s = gen(&a.size.config(), &a.dir)?;
            eprintln!(
                "wrote {} letters ({} signatures, {} organizations, {} look-alikes, {} printed forms) and {} held-out letters to {}",
                s.letters,
                s.signatures,
                s.orgs,
                s.look_alikes,
                s.forms,
                s.held_out_letters.len(),
                a.dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn gen(cfg: &Config, dir: &Path) -> Result<Summary> {
    let bar = super::progress::bar(cfg.letters as u64, "generating letters");
    let s = generate(cfg, dir, &mut || bar.inc(1))
        .with_context(|| format!("cannot write the letters under {}", dir.display()))?;
    bar.finish();
    Ok(s)
}
