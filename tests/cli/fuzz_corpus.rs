//! The fuzz targets' inputs replayed through the same entry points
//! (`undersigned::fuzzing`) in an ordinary test, so CI runs them without a
//! fuzzer: the seed corpus, every fixture letter, and each input that once
//! crashed a target (`fuzz/regressions/TARGET/`), which also has a test of
//! its own named after what broke.

use std::path::{Path, PathBuf};

use undersigned::fuzzing::TARGETS;

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

#[test]
fn every_corpus_and_regression_input_replays_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixtures = files_in(&root.join("tests/fixtures"));
    let mut replayed = 0;
    for (name, target) in TARGETS {
        let mut inputs = files_in(&root.join("fuzz/seeds").join(name));
        inputs.extend(files_in(&root.join("fuzz/regressions").join(name)));
        inputs.extend(fixtures.iter().cloned());
        for p in inputs {
            let data = std::fs::read(&p).unwrap();
            let run = std::panic::catch_unwind(|| target(&data));
            assert!(run.is_ok(), "fuzz target {name} fails on {}", p.display());
            replayed += 1;
        }
    }
    assert!(replayed > 0);
}
