//! Entry points shared by the fuzz targets in `fuzz/` and the test that
//! replays their corpus and past crashes (`tests/cli/fuzz_corpus.rs`):
//! each feeds arbitrary bytes to one part of the reader and asserts what
//! must hold of any answer. A panic here is a bug found.

use crate::normalize::{clean, fold, name_key, parse_number};
use crate::parse::{self, entry, meta, Document, Format, Kind, Options};

/// One fuzz target: bytes in, a panic when something is wrong.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, as `fuzz/fuzz_targets/*.rs` call them.
pub const TARGETS: &[(&str, Target)] = &[
    ("text", text),
    ("html", html),
    ("metadata", metadata),
    ("normalize", normalize),
];

/// The text parser: bytes (any encoding) read as plain text, as Markdown,
/// and as the format sniffing picks.
pub fn text(data: &[u8]) {
    for format in [Some(Format::Text), Some(Format::Markdown), None] {
        if let Ok(doc) = parse::parse_bytes(data, Options { format }) {
            assert_document(&doc);
        }
    }
}

/// The HTML parser: bytes read as an HTML page.
pub fn html(data: &[u8]) {
    let opts = Options {
        format: Some(Format::Html),
    };
    if let Ok(doc) = parse::parse_bytes(data, opts) {
        assert_document(&doc);
    }
}

/// Metadata extraction: claimed counts, dates, partial-list phrases,
/// front matter, and the format sniffer, on any text.
pub fn metadata(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    if let Some(n) = meta::claimed_count(&s) {
        assert!(i64::try_from(n).is_ok(), "a count no row can hold: {n}");
    }
    if let Some(d) = meta::find_date(&s) {
        assert_iso_date(&d);
    }
    let _ = meta::says_partial(&s);
    let (title, date) = meta::front_matter(&s);
    if let Some(t) = title {
        assert_eq!(t, t.trim(), "front matter title is trimmed");
    }
    if let Some(d) = date {
        assert_iso_date(&d);
    }
    let _ = parse::sniff(&s);
}

/// Normalization and entry splitting: what the matcher compares.
pub fn normalize(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let c = clean(&s);
    assert_eq!(c, c.trim(), "clean trims");
    assert!(!c.contains("  "), "clean collapses spaces: {c:?}");
    let _ = fold(&s);
    let k = name_key(&s);
    assert_eq!(k, k.trim(), "a name key is trimmed");
    assert!(!k.contains("  "), "a name key has single spaces: {k:?}");
    let _ = parse_number(&s);
    for section in [None, Some(Kind::Individual), Some(Kind::Organization)] {
        let e = entry::parse_entry(&s, section);
        let _ = name_key(&e.name);
    }
    let _ = entry::is_acronym(&s);
    let _ = entry::looks_like_person(&s);
    let _ = entry::person_with_affiliation(&s);
    let _ = parse::blocks::split_marker(&s);
    let _ = parse::text::inline(&s);
}

/// What every parsed letter must be: a non-empty list, numbered 1..n in
/// order, each signer with a printed entry and a name to match on, its
/// line inside the document.
fn assert_document(doc: &Document) {
    let lines = doc.text.lines().count().max(1) as u32;
    for l in &doc.letters {
        assert!(!l.signatories.is_empty(), "a letter without signers");
        for (i, s) in l.signatories.iter().enumerate() {
            assert_eq!(s.position as usize, i + 1, "positions run 1..n");
            assert!(!s.printed.trim().is_empty(), "an empty entry");
            assert!(
                !name_key(&s.name).is_empty(),
                "a signer with nothing to match on: {:?}",
                s.printed
            );
            assert!(
                s.line >= 1 && s.line <= lines + 1,
                "line {} outside the document",
                s.line
            );
        }
        if let Some(d) = &l.date {
            assert_iso_date(d);
        }
    }
}

/// YYYY, YYYY-MM or YYYY-MM-DD with a real month and day number.
fn assert_iso_date(d: &str) {
    let parts: Vec<&str> = d.split('-').collect();
    let ok = match parts[..] {
        [y] => y.len() == 4,
        [y, m] => y.len() == 4 && month(m),
        [y, m, day] => {
            y.len() == 4
                && month(m)
                && day.len() == 2
                && day.parse::<u32>().is_ok_and(|x| (1..=31).contains(&x))
        }
        _ => false,
    };
    assert!(
        ok && parts[0].bytes().all(|b| b.is_ascii_digit()),
        "not an ISO date: {d:?}"
    );
}

fn month(m: &str) -> bool {
    m.len() == 2 && m.parse::<u32>().is_ok_and(|x| (1..=12).contains(&x))
}
