//! How long jobs in the library (imports, dedupe, exports, the benchmark
//! generator) report how far they are, without printing: the command line
//! passes a sink that draws a progress bar, tests and other callers pass
//! [`Silent`].

/// Told the size of a job, then each step of it.
pub trait Progress: Sync {
    /// A job of `len` steps begins (0: unknown length).
    fn start(&self, _len: u64, _what: &str) {}
    fn inc(&self, _n: u64) {}
    fn finish(&self) {}
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {}
