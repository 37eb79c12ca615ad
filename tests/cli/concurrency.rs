//! Concurrency: importers and readers at once on one database (WAL, a
//! busy timeout, write transactions that take the lock when they begin)
//! lose no letter and never show the user "database is locked".

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use crate::generated::{assert_whole, write_letters, GenLetter};
use crate::Env;

fn run(db: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_undersigned"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("UNDERSIGNED_DB")
        .stdin(Stdio::null())
        .output()
        .expect("run undersigned");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn no_lock_error(what: &str, code: i32, stderr: &str) {
    assert!(
        !stderr.contains("locked") && !stderr.contains("busy"),
        "{what}: {stderr}"
    );
    assert_eq!(code, 0, "{what}: {stderr}");
}

/// Imports each letter in its own process, in the given order; returns
/// the stderr of each run.
fn importer(db: &Path, letters: Vec<String>, start: Arc<Barrier>) -> Vec<String> {
    start.wait();
    letters
        .iter()
        .map(|file| {
            let (code, _, stderr) = run(db, &["import", file]);
            no_lock_error(&format!("import {file}"), code, &stderr);
            stderr
        })
        .collect()
}

/// Reads the registry over and over until told to stop; every snapshot
/// must hold whole letters only. Returns the number of reads.
fn reader(db: &Path, letters: &[GenLetter], start: Arc<Barrier>, stop: Arc<AtomicBool>) -> usize {
    start.wait();
    let mut reads = 0;
    while !stop.load(Ordering::SeqCst) {
        if !db.exists() {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        let (code, stdout, stderr) = run(db, &["letters", "--format", "csv"]);
        no_lock_error("letters", code, &stderr);
        for row in Env::csv_rows(&stdout) {
            let l = letters
                .iter()
                .find(|l| l.path.to_string_lossy() == row["source"])
                .expect("a generated letter");
            assert_eq!(
                row["signatory_count"],
                l.signers.to_string(),
                "half a letter seen"
            );
        }
        let (code, stdout, stderr) = run(db, &["export", "signatures", "--format", "csv"]);
        no_lock_error("export signatures", code, &stderr);
        let mut per_letter = std::collections::HashMap::<String, usize>::new();
        for row in Env::csv_rows(&stdout) {
            *per_letter.entry(row["letter_id"].clone()).or_default() += 1;
        }
        for n in per_letter.values() {
            assert!(
                letters.iter().any(|l| l.signers == *n),
                "a letter with {n} signatures was seen half-written"
            );
        }
        reads += 1;
    }
    reads
}

#[test]
fn two_importers_and_a_reader_lose_nothing_and_never_see_locked() {
    let env = Env::new();
    let letters = Arc::new(write_letters(env.dir.path(), 30, 30, 120, 0x5EED_0002));
    // A new database: both importers (and the reader) create it at once.
    let db = Arc::new(env.path("shared.db"));
    let files: Vec<String> = letters
        .iter()
        .map(|l| l.path.to_string_lossy().into_owned())
        .collect();
    let start = Arc::new(Barrier::new(3));
    let stop = Arc::new(AtomicBool::new(false));

    let forward = files.clone();
    let mut backward = files.clone();
    backward.reverse();
    let a = {
        let (db, start) = (db.clone(), start.clone());
        std::thread::spawn(move || importer(&db, forward, start))
    };
    let b = {
        let (db, start) = (db.clone(), start.clone());
        std::thread::spawn(move || importer(&db, backward, start))
    };
    let r = {
        let (db, start, stop, letters) = (db.clone(), start.clone(), stop.clone(), letters.clone());
        std::thread::spawn(move || reader(&db, &letters, start, stop))
    };
    let out_a = a.join().expect("importer A");
    let out_b = b.join().expect("importer B");
    stop.store(true, Ordering::SeqCst);
    let reads = r.join().expect("reader");

    // Both importers ran every letter: one stored it, the other found it.
    let all: Vec<&String> = out_a.iter().chain(&out_b).collect();
    let imported = all.iter().filter(|s| s.contains(": imported ")).count();
    let already = all
        .iter()
        .filter(|s| s.contains("already imported"))
        .count();
    eprintln!(
        "concurrency test: {} imports in two processes at a time, {imported} stored, \
         {already} found already there, {reads} reads of letters and signatures meanwhile",
        all.len()
    );
    assert_eq!(imported, files.len());
    assert_eq!(already, files.len());
    assert!(reads > 0, "the reader never read");
    let present = assert_whole(&db, &letters);
    assert_eq!(present.len(), files.len(), "no letter lost");
}

/// A write transaction waits for another to finish instead of failing:
/// the second import starts while the first holds the write lock. With a
/// deferred transaction it would read first, and on trying to write after
/// the first one committed SQLite answers "database is locked" at once,
/// whatever the busy timeout. Found by reading `Store::import`: the
/// transaction began deferred.
#[test]
fn import_waiting_for_another_import_is_not_locked_out() {
    use undersigned::matching::engine::Engine;
    use undersigned::parse::{parse_bytes, Options};
    use undersigned::store::{NewLetter, Store};

    let env = Env::new();
    let letters = write_letters(env.dir.path(), 2, 20, 20, 0x5EED_0003);
    let db = env.path("two.db");
    drop(Store::open(&db).unwrap());
    let inside = Arc::new(Barrier::new(2));

    let handles: Vec<_> = letters
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let (db, inside) = (db.clone(), inside.clone());
            let path = l.path.clone();
            std::thread::spawn(move || {
                let bytes = std::fs::read(&path).unwrap();
                let doc = parse_bytes(&bytes, Options::default()).unwrap();
                let sha = format!("sha-{i}");
                let source = path.to_string_lossy().into_owned();
                let nl = NewLetter {
                    letter: &doc.letters[0],
                    source: &source,
                    url: None,
                    sha256: &sha,
                    part: 1,
                    format: "text",
                    raw_text: &doc.text,
                    title_given: false,
                };
                let mut store = Store::open(&db).unwrap();
                if i == 1 {
                    // Start once the first import is inside its transaction.
                    inside.wait();
                    std::thread::sleep(Duration::from_millis(50));
                }
                store.import(&[nl], &Engine::new(), false, None, |_, _| {
                    if i == 0 {
                        inside.wait();
                        // Hold the lock while the other one begins.
                        std::thread::sleep(Duration::from_millis(400));
                    }
                })
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap().expect("both imports succeed");
    }
    let present = assert_whole(&db, &letters);
    assert_eq!(present.len(), 2);
}

/// Several processes opening one new registry at once each create it or
/// find it created; none fails. Found by the test above: the schema was
/// applied after a check made outside the transaction, so the second
/// opener failed with "table letters already exists".
#[test]
fn registry_created_by_several_openers_at_once() {
    let env = Env::new();
    for round in 0..10 {
        let db = env.path(&format!("new-{round}.db"));
        let start = Arc::new(Barrier::new(6));
        let openers: Vec<_> = (0..6)
            .map(|_| {
                let (db, start) = (db.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    undersigned::store::Store::open(&db).map(|_| ())
                })
            })
            .collect();
        for o in openers {
            o.join().unwrap().expect("open a registry being created");
        }
        let store = undersigned::store::Store::open(&db).unwrap();
        assert!(store.check().unwrap().is_empty());
    }
}
