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

fn regression(target: &str, name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target)
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn printed(data: &[u8], format: undersigned::parse::Format) -> Vec<String> {
    let opts = undersigned::parse::Options {
        format: Some(format),
    };
    undersigned::parse::parse_bytes(data, opts)
        .map(|d| {
            d.letters
                .iter()
                .flat_map(|l| l.signatories.iter().map(|s| s.printed.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Found by the `text` target in its first minute: a line of symbols
/// under a list header ("Signed" / "#", minimized) became a signer with
/// no name to match on; real pages print "###" or "* * *" as separators.
#[test]
fn symbol_line_is_not_a_signer() {
    for name in ["symbol_line_signer", "symbol_line_signer_found"] {
        let data = regression("text", name);
        undersigned::fuzzing::text(&data);
        let found = printed(&data, undersigned::parse::Format::Text);
        assert!(!found.iter().any(|p| p.starts_with('#')), "{found:?}");
    }
}

/// Found by the `html` target in its first minute: a comma list ending
/// in a lone bracket ("signed by V,V,(", minimized) made "(" a signer.
#[test]
fn lone_bracket_in_a_comma_list_is_not_a_signer() {
    for name in ["bracket_signer", "bracket_signer_found"] {
        let data = regression("html", name);
        undersigned::fuzzing::html(&data);
        let found = printed(&data, undersigned::parse::Format::Html);
        assert!(!found.iter().any(|p| p == "("), "{found:?}");
    }
}
