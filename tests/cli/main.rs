//! End-to-end tests: the real `undersigned` binary run in a fresh
//! temporary folder, and one snapshot of the parse of each fixture letter.

mod bad_input;
mod check;
mod classify;
mod commands;
mod concurrency;
mod crash;
mod eval_candidates;
mod fuzz_corpus;
mod generated;
mod help;
mod hostile_names;
mod matching;
mod matching_eval;
mod network;
mod overlap;
mod parse_snapshots;
mod updates;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A temporary working folder with its own default database.
pub struct Env {
    pub dir: tempfile::TempDir,
}

/// What one run of the binary printed.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Default for Env {
    fn default() -> Env {
        Env::new()
    }
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs the binary in the folder, with no UNDERSIGNED_DB from outside.
    pub fn run(&self, args: &[&str]) -> Out {
        self.run_with(args, &[], None)
    }

    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Out {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_undersigned"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env_remove("UNDERSIGNED_DB")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn undersigned");
        if let Some(input) = stdin {
            use std::io::Write;
            // The binary may stop reading early (past the size limit):
            // a broken pipe here is its answer, not a failure.
            let _ = child.stdin.take().unwrap().write_all(input);
        }
        let o = child.wait_with_output().expect("wait");
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Parses CSV output into rows of (column -> value).
    pub fn csv_rows(text: &str) -> Vec<std::collections::HashMap<String, String>> {
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let headers = r.headers().unwrap().clone();
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                headers
                    .iter()
                    .map(String::from)
                    .zip(rec.iter().map(String::from))
                    .collect()
            })
            .collect()
    }
}

pub fn fixture(name: &str) -> String {
    fixture_path(name).to_string_lossy().into_owned()
}

pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}
