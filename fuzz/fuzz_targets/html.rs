//! Fuzz target: the HTML parser: any bytes read as an HTML page
//! (`undersigned::fuzzing::html`, which the corpus replay test calls too).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| undersigned::fuzzing::html(data));
