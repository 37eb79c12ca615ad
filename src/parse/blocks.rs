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

/// [`str::trim`], answered at once for text that starts and ends with a
/// visible ASCII character, as most lines and entries do: the parser trims
/// each of them several times.
pub fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
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
        words(&self.text).count()
    }
}

/// For up to 64 bytes of ASCII, a mask with bit i set where byte i is a
/// plain space, and one where it is any white space (as
/// [`char::is_whitespace`] reads ASCII).
pub fn space_masks(chunk: &[u8]) -> (u64, u64) {
    debug_assert!(chunk.len() <= 64 && chunk.is_ascii());
    // Eight bytes at a time. With every byte below 0x80 no sum carries
    // into the next byte, so each byte's high bit answers for it: after
    // adding 0x7F, whether it is not zero; after adding 0x77 and 0x72,
    // whether it is at least 9 and at least 14. The multiplication then
    // gathers the eight high bits into one byte.
    const fn each(b: u8) -> u64 {
        u64::from_le_bytes([b; 8])
    }
    let gather = |m: u64| (m & each(0x80)).wrapping_mul(0x0002_0408_1020_4081) >> 56;
    let (mut spaces, mut white) = (0u64, 0u64);
    let mut add = |k: usize, w: u64| {
        let space = !((w ^ each(b' ')) + each(0x7F));
        let tab_to_cr = (w + each(0x77)) & !(w + each(0x72));
        spaces |= gather(space) << (8 * k);
        white |= gather(space | tab_to_cr) << (8 * k);
    };
    let eights = chunk.chunks_exact(8);
    let (k, tail) = (eights.len(), eights.remainder());
    for (k, eight) in eights.enumerate() {
        add(k, u64::from_le_bytes(eight.try_into().unwrap_or_default()));
    }
    if !tail.is_empty() {
        // The last bytes, after them zeros (neither space nor white).
        let mut word = [0u8; 8];
        word[..tail.len()].copy_from_slice(tail);
        add(k, u64::from_le_bytes(word));
    }
    (spaces, white)
}

/// The words of a text, as [`str::split_whitespace`] reads them.
pub enum Words<'a> {
    /// ASCII text of at most 64 bytes: where its words start and where
    /// white space is, as bit masks (bit i for byte i), so that the words
    /// are found without a branch per byte.
    Short {
        text: &'a str,
        starts: u64,
        white: u64,
    },
    Any(std::str::SplitWhitespace<'a>),
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match self {
            Words::Short {
                text,
                starts,
                white,
            } => {
                if *starts == 0 {
                    return None;
                }
                let start = starts.trailing_zeros() as usize;
                *starts &= *starts - 1;
                // The word ends at the first white space after its start,
                // or with the text.
                let end = (*white >> start << start).trailing_zeros() as usize;
                Some(&text[start..end.min(text.len())])
            }
            Words::Any(w) => w.next(),
        }
    }
}

/// [`str::split_whitespace`].
pub fn words(t: &str) -> Words<'_> {
    if t.len() <= 64 && t.is_ascii() {
        let (_, white) = space_masks(t.as_bytes());
        let bytes = if t.len() == 64 {
            u64::MAX
        } else {
            (1 << t.len()) - 1
        };
        // A word starts at a byte that is not white space, first or after
        // white space.
        let starts = !white & bytes & (white << 1 | 1);
        Words::Short {
            text: t,
            starts,
            white,
        }
    } else {
        Words::Any(t.split_whitespace())
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
    fn trim_trims_as_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{A0}a\u{A0}",
            "a\u{3000}",
            "é",
            " é ",
            "\ta b\n",
            "!x!",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn space_masks_mark_each_byte() {
        let text: Vec<u8> = (0u8..0x80).chain(b"  \t x y\r\n".iter().copied()).collect();
        for chunk in text
            .chunks(64)
            .chain([&text[3..40], &text[..0], &text[126..]])
        {
            let (spaces, white) = space_masks(chunk);
            for (i, &b) in chunk.iter().enumerate() {
                assert_eq!(spaces >> i & 1 == 1, b == b' ', "{b}");
                assert_eq!(white >> i & 1 == 1, char::from(b).is_whitespace(), "{b}");
            }
            if chunk.len() < 64 {
                assert_eq!((spaces >> chunk.len(), white >> chunk.len()), (0, 0));
            }
        }
    }

    #[test]
    fn words_split_as_split_whitespace() {
        let mut texts: Vec<String> = [
            "",
            " ",
            "a",
            " a  b\tc\nd\re\x0Cf ",
            "Fédé ration\u{A0}x\u{3000}y",
        ]
        .map(String::from)
        .to_vec();
        for b in 0u8..0x80 {
            texts.push(format!("ab{}cd{}", b as char, b as char));
        }
        for n in 60..70 {
            texts.push("ab ".repeat(n / 3) + &"x".repeat(n % 3));
            texts.push("y".repeat(n));
            texts.push(" ".repeat(n));
            texts.push(format!("{} z", "w".repeat(n)));
        }
        for t in &texts {
            let expected: Vec<&str> = t.split_whitespace().collect();
            assert_eq!(words(t).collect::<Vec<_>>(), expected, "{t:?}");
            let mut b = Block::blank(1);
            b.text = t.clone();
            assert_eq!(b.words(), expected.len(), "{t:?}");
        }
    }

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
