//! One snapshot per fixture letter: what the parser extracts, entry by
//! entry, so any change in extraction shows up in review.

use std::fmt::Write;

use undersigned::parse::{parse_bytes, Options};

fn render(bytes: &[u8]) -> String {
    let doc = match parse_bytes(bytes, Options::default()) {
        Ok(d) => d,
        Err(e) => return format!("error: {e}\n"),
    };
    let mut s = String::new();
    writeln!(s, "format: {} ({})", doc.format.as_str(), doc.encoding).unwrap();
    for (i, l) in doc.letters.iter().enumerate() {
        writeln!(s, "== letter {} (header at line {})", i + 1, l.header_line).unwrap();
        writeln!(s, "title: {}", l.title.as_deref().unwrap_or("-")).unwrap();
        writeln!(s, "date: {}", l.date.as_deref().unwrap_or("-")).unwrap();
        writeln!(s, "language: {}", l.language.as_deref().unwrap_or("-")).unwrap();
        writeln!(
            s,
            "claimed: {}",
            l.claimed_count.map_or("-".to_string(), |c| c.to_string())
        )
        .unwrap();
        writeln!(s, "partial: {}", l.partial).unwrap();
        for w in &l.warnings {
            writeln!(s, "warning: {w}").unwrap();
        }
        writeln!(s, "found: {}", l.signatories.len()).unwrap();
        for g in &l.signatories {
            let mut parts = vec![format!("{:>3} L{:<3} {}", g.position, g.line, g.name)];
            if let Some(a) = &g.acronym {
                parts.push(format!("acronym={a}"));
            }
            if let Some(n) = &g.note {
                parts.push(format!("note={n}"));
            }
            if let Some(c) = &g.country {
                parts.push(format!("country={c}"));
            }
            if g.kind == undersigned::parse::Kind::Individual {
                parts.push("individual".into());
            }
            if let Some(a) = &g.affiliation {
                parts.push(format!("affiliation={a}"));
            }
            if let Some(sec) = &g.section {
                parts.push(format!("section={sec}"));
            }
            writeln!(s, "{}", parts.join(" | ")).unwrap();
        }
    }
    s
}

#[test]
fn parse_of_each_fixture() {
    insta::glob!("../fixtures", "*.*", |path| {
        let bytes = std::fs::read(path).unwrap();
        insta::assert_snapshot!(render(&bytes));
    });
}
