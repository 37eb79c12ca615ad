//! Measuring the tool as a user runs it: a command in its own process,
//! timed from spawn to exit, with its peak memory (resident set) where the
//! system reports it; and the quality of a registry's links against the
//! gold clusters.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::matching::eval::{score_clustering, Prf};

/// One finished run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Run {
    pub secs: f64,
    /// Peak resident memory in bytes, when the system reports it.
    pub peak_bytes: Option<u64>,
    pub success: bool,
}

/// Runs `exe args`, stdout and stderr to the given files. The peak memory
/// is the one the child reports itself (`UNDERSIGNED_PEAK_FILE`, see
/// [`write_own_peak`]): the kernel's figure for a child starts from the
/// parent's when the child is spawned from it, which would count the
/// benchmark's own memory in every step.
pub fn run(exe: &Path, args: &[&str], stdout: &Path, stderr: &Path) -> std::io::Result<Run> {
    let out = std::fs::File::create(stdout)?;
    let err = std::fs::File::create(stderr)?;
    let peak_file = stderr.with_extension("peak");
    let _ = std::fs::remove_file(&peak_file);
    let t = Instant::now();
    let child = Command::new(exe)
        .args(args)
        .env("UNDERSIGNED_PEAK_FILE", &peak_file)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()?;
    let mut r = wait(child, t)?;
    r.peak_bytes = std::fs::read_to_string(&peak_file)
        .ok()
        .and_then(|s| s.trim().parse().ok());
    Ok(r)
}

/// Writes this process's peak resident memory, in bytes, to `path`
/// (Linux: `VmHWM` of /proc/self/status); nothing where the system does
/// not tell.
pub fn write_own_peak(path: &Path) {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return;
    };
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
    if let Some(kb) = kb {
        let _ = std::fs::write(path, (kb * 1024).to_string());
    }
}

fn wait(mut child: std::process::Child, t: Instant) -> std::io::Result<Run> {
    let status = child.wait()?;
    Ok(Run {
        secs: t.elapsed().as_secs_f64(),
        peak_bytes: None,
        success: status.success(),
    })
}

/// The median of some timings.
pub fn median(mut xs: Vec<f64>) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// How well a registry's links match the gold clusters.
#[derive(Debug, Clone, Copy)]
pub struct Quality {
    /// Distinct (printed form, organization) pairs scored.
    pub items: usize,
    pub pairwise: Prf,
    pub bcubed: Prf,
}

/// Scores `export signatures` (CSV) against `gold.csv`: each distinct
/// printed form and the organization it was linked to is one item, in the
/// organization's cluster; its gold cluster is the form's. Forms the gold
/// does not know are left out.
pub fn registry_quality(signatures_csv: &Path, gold_csv: &Path) -> Result<Quality, csv::Error> {
    let mut gold: HashMap<String, usize> = HashMap::new();
    let mut labels: HashMap<String, usize> = HashMap::new();
    let mut r = csv::Reader::from_path(gold_csv)?;
    for rec in r.records() {
        let rec = rec?;
        let k = labels.len();
        let label = *labels.entry(rec[1].to_string()).or_insert(k);
        gold.insert(rec[0].to_string(), label);
    }
    let mut r = csv::Reader::from_path(signatures_csv)?;
    let h = r.headers()?.clone();
    let col = |name: &str| h.iter().position(|c| c == name);
    let (Some(pi), Some(oi)) = (col("name_as_printed"), col("org_id")) else {
        return Ok(Quality {
            items: 0,
            pairwise: score_clustering(&[], &[]).0,
            bcubed: score_clustering(&[], &[]).1,
        });
    };
    let mut seen: HashMap<(String, i64), ()> = HashMap::new();
    let (mut pred, mut truth) = (Vec::new(), Vec::new());
    for rec in r.records() {
        let rec = rec?;
        // Exports guard cells a spreadsheet would read as a formula.
        let printed = rec[pi].strip_prefix('\'').unwrap_or(&rec[pi]);
        let Ok(org) = rec[oi].parse::<i64>() else {
            continue;
        };
        let Some(&g) = gold.get(printed).or_else(|| gold.get(&rec[pi])) else {
            continue;
        };
        if seen.insert((printed.to_string(), org), ()).is_none() {
            pred.push(org as usize);
            truth.push(g);
        }
    }
    let (pairwise, bcubed) = score_clustering(&pred, &truth);
    Ok(Quality {
        items: pred.len(),
        pairwise,
        bcubed,
    })
}
