//! undersigned: a registry of who signed which joint letter. The library
//! holds the whole pipeline, bytes -> parse -> normalize -> matching ->
//! classify -> store -> query/export; the `undersigned` binary is a thin
//! command-line layer over it (`cli`).

pub mod bench;
pub mod classify;
pub mod cli;
pub mod data;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod matching;
pub mod normalize;
pub mod parse;
pub mod progress;
pub mod store;
