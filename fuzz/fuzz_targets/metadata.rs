//! Fuzz target: metadata extraction: claimed counts, dates, partial-list phrases, front matter
//! (`undersigned::fuzzing::metadata`, which the corpus replay test calls too).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| undersigned::fuzzing::metadata(data));
