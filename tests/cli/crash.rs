//! Crash safety: the importer killed with SIGKILL at random moments leaves
//! a sound registry in which every letter is whole or absent, and
//! importing again completes.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::generated::{assert_whole, write_letters, Rng};
use crate::Env;

const CYCLES: usize = 100;

fn import(db: &std::path::Path, file: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_undersigned"));
    cmd.arg("--db")
        .arg(db)
        .arg("import")
        .arg(file)
        .env_remove("UNDERSIGNED_DB")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

#[test]
fn importer_killed_at_random_moments_leaves_whole_letters() {
    let env = Env::new();
    let letters = write_letters(env.dir.path(), CYCLES, 20, 80, 0x5EED_0001);
    let db = env.path("crash.db");

    // How long one whole import takes here (process start to exit), and
    // how long one takes to reach its write transaction (the time of an
    // import that finds its letter already there), so the kills fall
    // across all of it: start-up, parsing, the transaction, the commit.
    let scratch = env.path("calibrate.db");
    let mut took: Vec<Duration> = letters[..3]
        .iter()
        .map(|l| {
            let t = Instant::now();
            let out = import(&scratch, &l.path).output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            t.elapsed()
        })
        .collect();
    took.sort();
    let full = took[1];
    let t = Instant::now();
    assert!(import(&scratch, &letters[0].path)
        .status()
        .unwrap()
        .success());
    let before_tx = t.elapsed();

    let mut rng = Rng::new(0xC0FFEE);
    let mut finished = 0;
    // Killed before the transaction began, inside it, after the commit.
    let (mut early, mut inside, mut committed) = (0, 0, 0);
    for (i, l) in letters.iter().enumerate() {
        let delay = full.mul_f64(1.2 * rng.range(0, 1000) as f64 / 1000.0);
        let mut child = import(&db, &l.path).spawn().unwrap();
        std::thread::sleep(delay);
        // SIGKILL on Unix: no destructor, no rollback, no flush runs.
        let was_running = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        let status = child.wait().unwrap();
        let killed = was_running && !status.success();
        if !killed {
            assert!(status.success(), "cycle {i}: import failed on its own");
            finished += 1;
        }
        let present = if db.exists() {
            assert_whole(&db, &letters).contains(&l.path.to_string_lossy().into_owned())
        } else {
            false
        };
        if killed {
            if present {
                committed += 1;
            } else if delay < before_tx {
                early += 1;
            } else {
                inside += 1;
            }
        }
    }
    let killed = early + inside + committed;
    eprintln!(
        "crash test: {CYCLES} cycles, {killed} killed ({early} before the write transaction, \
         about {inside} inside it, {committed} after the commit), {finished} finished first; \
         an import takes {full:?}, {before_tx:?} of it before the transaction"
    );
    // The delays reach past a whole import, so some finish; a machine
    // busier now than when timed finishes fewer, a calmer one more.
    assert!(killed >= CYCLES / 4, "only {killed} imports were killed");

    // Importing everything again completes, and fills in what was lost.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_undersigned"));
    cmd.arg("--db").arg(&db).arg("import");
    for l in &letters {
        cmd.arg(&l.path);
    }
    let out = cmd.env_remove("UNDERSIGNED_DB").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let present = assert_whole(&db, &letters);
    assert_eq!(present.len(), CYCLES, "every letter is there once");

    let out = env.run(&["--db", db.to_str().unwrap(), "check"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "ok\n"),
        "{}",
        out.stderr
    );
}
