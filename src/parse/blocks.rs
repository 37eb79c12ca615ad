//! The common shape every input format is read into: a sequence of
//! blocks, one per visual line, each knowing its list marker, heading
//! level and indentation. The list finder reads only blocks, so HTML,
//! Markdown and plain text share one notion of "a list after a header".

use serde::Serialize;

/// Longest source line kept whole as provenance. Minified pages and
/// comma-separated paragraphs put thousands of entries on one line; a copy
/// of the whole line for each of them would take memory growing with the
/// square of the page (a 6 MB one-line page of 200,000 list items took
/// over 24 GB). Each keeps the part of the line around it instead.
pub const MAX_RAW_BYTES: usize = 1000;

/// `line`, trimmed, when it is at most [`MAX_RAW_BYTES`] long; else about
/// that much of it starting a little before byte offset `at` (where the
/// entry is), with "…" where it was cut.
pub fn excerpt(line: &str, at: usize) -> String {
    let t = line.trim();
    if t.len() <= MAX_RAW_BYTES {
        return t.to_string();
    }
    let floor = |mut i: usize| {
        i = i.min(line.len());
        while !line.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(at.saturating_sub(MAX_RAW_BYTES / 5));
    let end = floor(start + MAX_RAW_BYTES);
    let mut out = String::with_capacity(end - start + 8);
    if start > 0 {
        out.push('…');
    }
    out.push_str(line[start..end].trim());
    if end < line.len() {
        out.push('…');
    }
    out
}

/// The list marker a line starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Marker {
    None,
    /// "1.", "1)", "١." and the number it carries.
    Number(u64),
    /// "•", "-", "–", "*", "·" and list items in HTML `<ul>`.
    Bullet,
}

/// One visual line of the document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    /// 1-based line in the decoded document.
    pub line: u32,
    /// Leading white space (text) or nesting depth (HTML).
    pub indent: u32,
    pub marker: Marker,
    /// Heading level: 1-6 for real headings, 7 for a line that is only
    /// bold text (a heading in all but name).
    pub heading: Option<u8>,
    /// The content with markers and markup removed, cleaned.
    pub text: String,
    /// The source line as it stands.
    pub raw: String,
    /// A horizontal rule ("-----", `<hr>`).
    pub rule: bool,
    /// Inside navigation, a page header or footer, a form, a script: never
    /// a signatory.
    pub chrome: bool,
    /// True when the line came from a table cell of a row with several
    /// cells; the cells of one row share a line number.
    pub cell: bool,
}

impl Block {
    pub fn is_blank(&self) -> bool {
        self.text.is_empty() && !self.rule
    }

    pub fn blank(line: u32) -> Block {
        Block {
            line,
            indent: 0,
            marker: Marker::None,
            heading: None,
            text: String::new(),
            raw: String::new(),
            rule: false,
            chrome: false,
            cell: false,
        }
    }

    pub fn words(&self) -> usize {
        self.text.split_whitespace().count()
    }
}

/// Splits a leading list marker off a line: numbers in any of the three
/// digit sets followed by "." or ")" and a space, or a bullet character
/// followed by a space. Returns the marker and the rest.
pub fn split_marker(s: &str) -> (Marker, &str) {
    let t = s.trim_start();
    let mut chars = t.char_indices();
    if let Some((_, c)) = chars.next() {
        if matches!(
            c,
            '•' | '-' | '–' | '—' | '*' | '·' | '●' | '▪' | '◦' | '‣' | '○' | '■' | '+'
        ) {
            let rest = &t[c.len_utf8()..];
            if rest.starts_with([' ', '\t', '\u{A0}']) {
                return (Marker::Bullet, rest.trim_start());
            }
            return (Marker::None, t);
        }
    }
    // Numbered: up to 5 digits then "." or ")" then white space.
    let mut n: u64 = 0;
    let mut digits = 0;
    for (i, c) in t.char_indices() {
        if let Some(d) = crate::normalize::ascii_digit(c) {
            digits += 1;
            if digits > 5 {
                break;
            }
            n = n * 10 + u64::from(d);
            continue;
        }
        if digits > 0 && matches!(c, '.' | ')' | '-' | '\u{066B}') {
            let rest = &t[i + c.len_utf8()..];
            if rest.starts_with([' ', '\t', '\u{A0}']) && (c != '-' || digits <= 3) {
                return (Marker::Number(n), rest.trim_start());
            }
        }
        break;
    }
    (Marker::None, t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        assert_eq!(
            split_marker("  12. Karen Youth"),
            (Marker::Number(12), "Karen Youth")
        );
        assert_eq!(split_marker("3) B-Farm"), (Marker::Number(3), "B-Farm"));
        assert_eq!(split_marker("١٢. منظمة"), (Marker::Number(12), "منظمة"));
        assert_eq!(split_marker("• Ban"), (Marker::Bullet, "Ban"));
        assert_eq!(split_marker("– Ban"), (Marker::Bullet, "Ban"));
        assert_eq!(
            split_marker("350 Australia"),
            (Marker::None, "350 Australia")
        );
        assert_eq!(split_marker("B-Farm"), (Marker::None, "B-Farm"));
        assert_eq!(
            split_marker("Progressive 3.0"),
            (Marker::None, "Progressive 3.0")
        );
        assert_eq!(
            split_marker("1.\tDupont Jean"),
            (Marker::Number(1), "Dupont Jean")
        );
    }
}
