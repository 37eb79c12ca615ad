//! Fuzz target: normalization and entry splitting: clean, fold, name keys, entries
//! (`undersigned::fuzzing::normalize`, which the corpus replay test calls too).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| undersigned::fuzzing::normalize(data));
