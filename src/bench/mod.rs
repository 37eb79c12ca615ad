//! The scale benchmarks: a seeded generator of realistic letters with
//! their gold clusters (`gen`), and the figures the bench command reports
//! beside the targets (`report`).

pub mod gen;
pub mod measure;
pub mod rng;
