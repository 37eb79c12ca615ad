//! Fuzz target: the text parser: any bytes read as plain text, Markdown, and as sniffed
//! (`undersigned::fuzzing::text`, which the corpus replay test calls too).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| undersigned::fuzzing::text(data));
