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
use crate::bench::measure::{self, Run};
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
    Run(RunArgs),
}

/// Generate synthetic letters, then time this binary on them as a user
/// runs it, and print each figure beside its target.
///
/// Every step is a separate process of this binary (import in batches of
/// letters, one 1,000-signer letter into the full registry, dedupe, overlap,
/// show, signed-by, start-up), timed from spawn to exit with its peak
/// memory. The registry's links are scored against the gold clusters after
/// import and after dedupe. Nothing is written outside DIR.
///
/// Example: undersigned bench run
///
/// Example: undersigned bench run --full --dir /tmp/undersigned-bench
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    size: SizeArgs,

    /// Where to write the letters and the registry [default: a folder
    /// under the system's temporary folder, named by size and seed]
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,

    /// Letters per import process
    #[arg(long, value_name = "N", default_value_t = 1000)]
    batch: usize,

    /// Runs of each quick command (show, signed-by, start-up) whose median is reported
    #[arg(long, value_name = "N", default_value_t = 21)]
    repeat: usize,
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
        What::Run(a) => run_bench(a),
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

/// One line of the report.
struct Figure {
    what: String,
    value: String,
    target: String,
    /// None when the figure has no target to meet.
    met: Option<bool>,
}

fn figure(what: &str, value: String, target: &str, met: Option<bool>) -> Figure {
    Figure {
        what: what.to_string(),
        value,
        target: target.to_string(),
        met,
    }
}

fn mb(bytes: Option<u64>) -> String {
    bytes.map_or("?".into(), |b| format!("{} MB", b / (1024 * 1024)))
}

/// Runs this binary with `args`, output to files under `logs`; fails when
/// the command fails.
fn step(exe: &Path, logs: &Path, name: &str, args: &[&str]) -> Result<Run> {
    let out = logs.join(format!("{name}.out"));
    let err = logs.join(format!("{name}.err"));
    let r = measure::run(exe, args, &out, &err)
        .with_context(|| format!("cannot run {}", exe.display()))?;
    if !r.success {
        let msg = std::fs::read_to_string(&err).unwrap_or_default();
        anyhow::bail!(
            "bench step {name} failed: {}",
            msg.lines().last().unwrap_or("no message")
        );
    }
    Ok(r)
}

/// The median wall time of `repeat` runs, in milliseconds.
fn median_ms(exe: &Path, logs: &Path, name: &str, args: &[&str], repeat: usize) -> Result<f64> {
    let mut v = Vec::with_capacity(repeat);
    for _ in 0..repeat.max(1) {
        v.push(step(exe, logs, name, args)?.secs * 1000.0);
    }
    Ok(measure::median(v))
}

fn run_bench(a: &RunArgs) -> Result<ExitCode> {
    let cfg = a.size.config();
    let dir = a.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!(
            "undersigned-bench-{}-{}-{}-{}",
            cfg.orgs, cfg.letters, cfg.signatures, cfg.seed
        ))
    });
    let exe = std::env::current_exe().context("cannot find this program's own path")?;
    let logs = dir.join("logs");
    let db = dir.join("registry.db");
    for p in [
        &db,
        &dir.join("registry.db-wal"),
        &dir.join("registry.db-shm"),
    ] {
        if p.exists() {
            std::fs::remove_file(p).with_context(|| format!("cannot remove {}", p.display()))?;
        }
    }
    if dir.join("letters").exists() {
        std::fs::remove_dir_all(dir.join("letters")).context("cannot clear the old letters")?;
        std::fs::remove_dir_all(dir.join("held_out")).ok();
    }
    std::fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
    eprintln!("bench: generating in {}", dir.display());
    let t = std::time::Instant::now();
    let summary = gen(&cfg, &dir)?;
    let gen_secs = t.elapsed().as_secs_f64();
    let dbs = db.to_string_lossy().to_string();
    let mut figs = vec![figure(
        "generate",
        format!(
            "{:.1} s: {} letters, {} signatures, {} organizations, {} printed forms",
            gen_secs, summary.letters, summary.signatures, summary.orgs, summary.forms
        ),
        "",
        None,
    )];

    // Import, in batches of letters, each batch one process.
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("letters"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let batches: Vec<&[PathBuf]> = files.chunks(a.batch.max(1)).collect();
    let bar = super::progress::bar(batches.len() as u64, "importing batches");
    let (mut total_secs, mut peak) = (0.0f64, 0u64);
    let mut last = (0.0f64, 0usize);
    let per_letter = summary.signatures as f64 / summary.letters.max(1) as f64;
    for (i, b) in batches.iter().enumerate() {
        let mut args: Vec<String> = vec!["--db".into(), dbs.clone(), "import".into()];
        args.extend(b.iter().map(|p| p.to_string_lossy().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = step(&exe, &logs, &format!("import-{i:04}"), &args)?;
        total_secs += r.secs;
        peak = peak.max(r.peak_bytes.unwrap_or(0));
        last = (r.secs, b.len());
        bar.inc(1);
    }
    bar.finish();
    let rate = summary.signatures as f64 / total_secs;
    figs.push(figure(
        "import, all letters",
        format!(
            "{:.0} signatures/s ({:.1} s, {} processes, peak {})",
            rate,
            total_secs,
            batches.len(),
            mb(Some(peak))
        ),
        ">= 100000 signatures/s",
        Some(rate >= 100_000.0),
    ));
    let last_rate = last.1 as f64 * per_letter / last.0;
    figs.push(figure(
        "import, last batch (registry near full size)",
        format!("{last_rate:.0} signatures/s"),
        ">= 100000 signatures/s",
        Some(last_rate >= 100_000.0),
    ));

    // One 1,000-signer letter into the full registry.
    let mut held = Vec::new();
    for (i, p) in summary.held_out_letters.iter().enumerate() {
        let ps = p.to_string_lossy().to_string();
        let r = step(
            &exe,
            &logs,
            &format!("held-{i}"),
            &["--db", &dbs, "import", &ps],
        )?;
        held.push(r.secs * 1000.0);
    }
    let held_ms = measure::median(held.clone());
    figs.push(figure(
        "one 1,000-signer letter into the registry",
        format!(
            "{held_ms:.0} ms (median of {}, 10% new signers)",
            held.len()
        ),
        "< 200 ms",
        Some(held_ms < 200.0),
    ));

    // Quality of the links the import made.
    let sigs_csv = dir.join("signatures.csv");
    let sigs = sigs_csv.to_string_lossy().to_string();
    // Every signature out to a file: it streams, so its memory should not
    // grow with the registry.
    let r = step(
        &exe,
        &logs,
        "export",
        &["--db", &dbs, "export", "signatures", "-o", &sigs],
    )?;
    figs.push(figure(
        "export signatures (every one, CSV)",
        format!(
            "{:.1} s, {} rows, peak {}",
            r.secs,
            // What the export said it wrote ("wrote N rows to ...").
            std::fs::read_to_string(logs.join("export.err"))
                .unwrap_or_default()
                .split_whitespace()
                .nth(1)
                .unwrap_or("?"),
            mb(r.peak_bytes)
        ),
        "",
        None,
    ));
    let gold = dir.join("gold.csv");
    let q = measure::registry_quality(&sigs_csv, &gold).context("cannot score the registry")?;
    figs.push(figure(
        "links after import vs gold",
        format!(
            "pairwise P {:.4} R {:.4} F1 {:.4} over {} printed forms",
            q.pairwise.precision, q.pairwise.recall, q.pairwise.f1, q.items
        ),
        "P >= 0.99",
        Some(q.pairwise.precision >= 0.99),
    ));

    // Queries at full size.
    let Some((letter, _org, org_name)) = crate::store::Store::open(&db)?.busiest()? else {
        anyhow::bail!("the benchmark registry is empty");
    };
    let letter = letter.to_string();
    let show = median_ms(
        &exe,
        &logs,
        "show",
        &["--db", &dbs, "show", &letter],
        a.repeat,
    )?;
    figs.push(figure(
        "show LETTER (the largest letter)",
        format!("{show:.1} ms"),
        "< 10 ms",
        Some(show < 10.0),
    ));
    let signed = median_ms(
        &exe,
        &logs,
        "signed-by",
        &["--db", &dbs, "signed-by", &org_name],
        a.repeat,
    )?;
    figs.push(figure(
        "signed-by ORG (the most frequent signer, by name)",
        format!("{signed:.1} ms"),
        "< 10 ms",
        Some(signed < 10.0),
    ));
    let start = median_ms(&exe, &logs, "version", &["--version"], a.repeat)?;
    figs.push(figure(
        "start-up (--version)",
        format!("{start:.1} ms"),
        "< 50 ms",
        Some(start < 50.0),
    ));
    let stats = median_ms(
        &exe,
        &logs,
        "letters",
        &["--db", &dbs, "letters", "--format", "csv"],
        3,
    )?;
    figs.push(figure(
        "letters (list every letter)",
        format!("{stats:.1} ms"),
        "",
        None,
    ));

    // Overlap of organizations over every letter.
    // Every co-signature of every pair is counted; the 1,000 strongest
    // pairs are written (at full size all pairs would be a billion rows).
    let r = step(
        &exe,
        &logs,
        "overlap",
        &[
            "--db", &dbs, "overlap", "orgs", "--top", "1000", "--format", "csv",
        ],
    )?;
    let pairs = count_lines(&logs.join("overlap.out"))?.saturating_sub(1);
    figs.push(figure(
        "overlap orgs --top 1000, every letter",
        format!(
            "{:.1} s, {} pairs written, peak {}",
            r.secs,
            pairs,
            mb(r.peak_bytes)
        ),
        "< 10 s",
        Some(r.secs < 10.0),
    ));

    // Dedupe: every printed form re-clustered under the current rules.
    let r = step(
        &exe,
        &logs,
        "dedupe",
        &["--db", &dbs, "dedupe", "--format", "csv"],
    )?;
    let ok = r.secs < 60.0 && r.peak_bytes.is_some_and(|b| b < 4 * 1024 * 1024 * 1024);
    figs.push(figure(
        "dedupe the whole registry",
        format!("{:.1} s, peak {}", r.secs, mb(r.peak_bytes)),
        "< 60 s, < 4 GB",
        Some(ok),
    ));
    step(
        &exe,
        &logs,
        "export2",
        &["--db", &dbs, "export", "signatures", "-o", &sigs],
    )?;
    let q = measure::registry_quality(&sigs_csv, &gold).context("cannot score the registry")?;
    figs.push(figure(
        "links after dedupe vs gold",
        format!(
            "pairwise P {:.4} R {:.4} F1 {:.4}",
            q.pairwise.precision, q.pairwise.recall, q.pairwise.f1
        ),
        "P >= 0.99",
        Some(q.pairwise.precision >= 0.99),
    ));

    let mut w = csv::Writer::from_writer(std::io::stdout());
    w.write_record(["figure", "measured", "target", "met"])?;
    for f in &figs {
        let met = match f.met {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        w.write_record([&f.what, &f.value, &f.target, met])?;
    }
    w.flush()?;
    eprintln!("bench: logs of every step in {}", logs.display());
    Ok(ExitCode::SUCCESS)
}

/// Lines in a file, read in pieces (an overlap table can be gigabytes).
fn count_lines(path: &Path) -> Result<usize> {
    use std::io::Read;
    let mut f =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            return Ok(n);
        }
        n += buf[..k].iter().filter(|&&b| b == b'\n').count();
    }
}
