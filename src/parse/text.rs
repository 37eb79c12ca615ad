//! Plain text and Markdown -> blocks: one block per line, with list
//! markers, ATX/setext/bold-only headings and rules recognised and
//! inline Markdown (emphasis, links, images, code, escapes, stray inline
//! HTML tags) removed from the text.

use super::blocks::{split_marker, trim, Block, Marker};
use super::Format;
use crate::normalize::clean;

pub fn blocks(text: &str, format: Format) -> Vec<Block> {
    let lines: Vec<&str> = lines(text).collect();
    let mut out = Vec::with_capacity(lines.len());
    let mut i = 0;
    // Front matter ("---" ... "---" at the top) is metadata, read by
    // meta::front_matter; its lines are never part of a list.
    if lines.first().map(|l| l.trim()) == Some("---") {
        if let Some(end) = lines
            .iter()
            .skip(1)
            .take(80)
            .position(|l| l.trim() == "---")
        {
            for (j, l) in lines.iter().enumerate().take(end + 2) {
                let mut b = Block::blank((j + 1) as u32);
                b.raw = l.to_string();
                b.chrome = true;
                // The front matter's title reads as the page's top heading.
                if let Some(t) = l.trim().strip_prefix("title:") {
                    let t = t.trim().trim_matches(['"', '\'']);
                    if !t.is_empty() {
                        b.text = inline(t);
                        b.heading = Some(1);
                        b.chrome = false;
                    }
                }
                out.push(b);
            }
            i = end + 2;
        }
    }
    while i < lines.len() {
        let raw = lines[i].trim_end_matches('\r');
        let no = (i + 1) as u32;
        // Setext heading: a text line underlined by === or ---.
        if format == Format::Markdown
            && i + 1 < lines.len()
            && !raw.trim().is_empty()
            && split_marker(raw).0 == Marker::None
        {
            let under = lines[i + 1].trim();
            if under.len() >= 3
                && (under.chars().all(|c| c == '=') || under.chars().all(|c| c == '-'))
            {
                let level = if under.starts_with('=') { 1 } else { 2 };
                let mut b = line_block(raw, no);
                b.heading = Some(level);
                b.marker = Marker::None;
                out.push(b);
                out.push(Block::blank(no + 1));
                i += 2;
                continue;
            }
        }
        if let Some((rows, used)) = table_rows(&lines[i..]) {
            for (offset, cells, header) in rows {
                let mut b = Block::blank(no + offset as u32);
                b.raw = lines[i + offset].trim().to_string();
                b.text = cells.join(" | ");
                b.cell = true;
                if header {
                    b.heading = Some(7);
                }
                out.push(b);
            }
            i += used;
            continue;
        }
        out.push(line_block(raw, no));
        i += 1;
    }
    out
}

/// The lines of a text, as [`str::lines`] reads them: split after each
/// "\n", which is dropped with a "\r" before it, and no empty line after
/// the last "\n". Found with a plain loop over the bytes, which for
/// lines as short as a list's entries is much cheaper than `lines`'
/// search for each line end.
pub fn lines(text: &str) -> Lines<'_> {
    Lines { rest: text }
}

pub struct Lines<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        let Some(end) = find_newline(self.rest.as_bytes()) else {
            return Some(std::mem::take(&mut self.rest));
        };
        let line = &self.rest[..end];
        self.rest = &self.rest[end + 1..];
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

/// Where the first "\n" is, read eight bytes at a time: a byte of
/// `word ^ 0x0A0A..` is zero where "\n" is, and the lowest byte the
/// zero-byte test flags is the first zero byte.
fn find_newline(b: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    const NEWLINES: u64 = u64::from_le_bytes([b'\n'; 8]);
    let mut i = 0;
    while let Some(chunk) = b.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default()) ^ NEWLINES;
        let zero = word.wrapping_sub(ONES) & !word & HIGHS;
        if zero != 0 {
            return Some(i + zero.trailing_zeros() as usize / 8);
        }
        i += 8;
    }
    b[i..].iter().position(|&c| c == b'\n').map(|n| i + n)
}

/// A table's rows: (line offset, cell texts, is the header row).
type Rows = Vec<(usize, Vec<String>, bool)>;

/// Reads a Markdown pipe table or a text grid table starting at the first
/// line, returning its rows and the number of lines it spans.
fn table_rows(lines: &[&str]) -> Option<(Rows, usize)> {
    let first = trim(lines.first()?);
    if first.starts_with("+-") && first.ends_with('+') {
        return grid_rows(lines);
    }
    if !first.starts_with('|') {
        return None;
    }
    let sep = lines.get(1)?.trim();
    let is_sep = sep.starts_with('|')
        && sep.contains('-')
        && sep.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '));
    if !is_sep {
        return None;
    }
    let cells = |l: &str| -> Vec<String> {
        l.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| inline(c.trim()))
            .collect()
    };
    let mut rows = vec![(0, cells(first), true)];
    let mut n = 2;
    while n < lines.len() && lines[n].trim().starts_with('|') {
        rows.push((n, cells(lines[n]), false));
        n += 1;
    }
    Some((rows, n))
}

/// A grid table: rows between "+---+" lines, cells between "|", each
/// cell's text wrapped over several lines. A cell's first paragraph (up
/// to a hard line break) is kept: it holds the name; descriptions follow.
fn grid_rows(lines: &[&str]) -> Option<(Rows, usize)> {
    let border = |l: &str| {
        let t = l.trim();
        t.starts_with('+')
            && t.ends_with('+')
            && t.chars().all(|c| matches!(c, '+' | '-' | '=' | ':'))
    };
    let mut rows = Vec::new();
    let mut n = 1;
    let mut current: Vec<Vec<String>> = Vec::new();
    let mut start = 1;
    while n < lines.len() {
        let l = lines[n].trim();
        if border(l) {
            if !current.is_empty() {
                let cells: Vec<String> = current
                    .iter()
                    .map(|parts| {
                        let joined = parts.join("\n");
                        let first = joined.split("\\\n").next().unwrap_or("").replace('\n', " ");
                        inline(first.trim_end_matches('\\'))
                    })
                    .collect();
                let header = l.contains('=');
                rows.push((start, cells, header));
                current.clear();
            }
            start = n + 1;
            n += 1;
            continue;
        }
        if !l.starts_with('|') {
            break;
        }
        let parts: Vec<&str> = l.trim_matches('|').split('|').collect();
        if current.len() < parts.len() {
            current.resize(parts.len(), Vec::new());
        }
        for (k, p) in parts.iter().enumerate() {
            let p = p.trim();
            if !p.is_empty() && p != "<p>" && p != "</p>" {
                current[k].push(p.to_string());
            }
        }
        n += 1;
    }
    (!rows.is_empty()).then_some((rows, n))
}

fn line_block(raw: &str, no: u32) -> Block {
    let mut b = Block::blank(no);
    b.raw = raw.to_string();
    let indent: u32 = raw
        .chars()
        .take_while(|c| c.is_whitespace())
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum();
    b.indent = indent;
    let mut t = trim(raw);
    // Block quotes.
    while let Some(rest) = t.strip_prefix('>') {
        t = rest.trim_start();
    }
    if t.is_empty() {
        return b;
    }
    // A Markdown link reference definition ("[1]: https://...") is not text.
    if t.starts_with('[')
        && t.split_once("]:")
            .is_some_and(|(label, _)| !label.contains(']'))
    {
        return b;
    }
    if is_rule(t) {
        b.rule = true;
        return b;
    }
    // ATX heading.
    let hashes = t.chars().take_while(|&c| c == '#').count();
    if (1..=6).contains(&hashes) && t[hashes..].starts_with([' ', '\t']) {
        b.heading = Some(hashes as u8);
        let body = t[hashes..].trim().trim_end_matches('#').trim();
        b.text = inline(body);
        return b;
    }
    let (marker, rest) = split_marker(t);
    b.marker = marker;
    let rest = if marker == Marker::None { t } else { rest };
    if marker == Marker::None && is_bold_only(rest) {
        b.heading = Some(7);
    }
    b.text = inline(rest);
    b
}

/// "---", "***", "___", "* * *", "=====" alone on a line.
fn is_rule(t: &str) -> bool {
    // Asked of every line: read in place, and most lines fail at their
    // first character.
    let mut marks = t.chars().filter(|c| !c.is_whitespace());
    let Some(first) = marks.next() else {
        return false;
    };
    if !matches!(first, '-' | '*' | '_' | '=') {
        return false;
    }
    let mut n = 1;
    for c in marks {
        if c != first {
            return false;
        }
        n += 1;
    }
    n >= 3
}

/// A line that is one bold span: "**Organisations**", "__Firman__".
fn is_bold_only(t: &str) -> bool {
    // Asked of every line; a bold one starts with "*" or "_" (removing
    // "****" below cannot change that).
    if !t.trim_start().starts_with(['*', '_']) {
        return false;
    }
    // "**2021****년**": adjacent bold spans are one.
    let joined = t.replace("****", "");
    let t = joined.trim().trim_end_matches(['\\', ':']).trim();
    for d in ["**", "__"] {
        if t.len() > 4 && t.starts_with(d) {
            let inner = t[2..].trim_end_matches(':');
            if let Some(body) = inner.strip_suffix(d) {
                return !body.contains(d);
            }
        }
    }
    false
}

/// Removes inline Markdown and stray inline HTML from one line of text.
pub fn inline(s: &str) -> String {
    // Most lines hold no markup at all: they need only cleaning.
    if !s
        .bytes()
        .any(|b| matches!(b, b'\\' | b'[' | b'*' | b'_' | b'`' | b'<' | b'&'))
    {
        return clean(s);
    }
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() && chars[i + 1].is_ascii_punctuation() => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '\\' if i + 1 == chars.len() => i += 1, // hard line break
            '!' if chars.get(i + 1) == Some(&'[') => {
                // Image: drop it whole.
                match link_end(&chars, i + 1) {
                    Some((_, end)) => i = end,
                    None => {
                        out.push(c);
                        i += 1;
                    }
                }
            }
            '[' => match link_end(&chars, i) {
                Some((text, end)) => {
                    out.push_str(&inline(&text));
                    i = end;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            },
            '*' | '_' if emphasis_run(&chars, i) => {
                // Emphasis markers, not a literal asterisk inside a word.
                while i < chars.len() && chars[i] == c {
                    i += 1;
                }
            }
            '`' => i += 1,
            '<' => match tag_end(&chars, i) {
                Some((name, end)) => {
                    if name == "sup" {
                        // Footnote marks: drop the mark with its content.
                        let close: Vec<char> = "</sup>".chars().collect();
                        let mut j = end;
                        while j + close.len() <= chars.len()
                            && chars[j..j + close.len()]
                                .iter()
                                .map(|c| c.to_ascii_lowercase())
                                .ne(close.iter().copied())
                        {
                            j += 1;
                        }
                        i = (j + close.len()).min(chars.len());
                    } else {
                        if matches!(name.as_str(), "br" | "p" | "div" | "li" | "td") {
                            out.push(' ');
                        }
                        i = end;
                    }
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            },
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    clean(&decode_entities(&out))
}

/// True when the `*` or `_` run at `i` opens or closes emphasis: it
/// touches a word on one side and white space or the line's end on the
/// other, or is a doubled marker.
fn emphasis_run(chars: &[char], i: usize) -> bool {
    let c = chars[i];
    let mut j = i;
    while j < chars.len() && chars[j] == c {
        j += 1;
    }
    let before = if i == 0 { None } else { Some(chars[i - 1]) };
    let after = chars.get(j).copied();
    let space = |x: Option<char>| x.is_none_or(|x| x.is_whitespace() || x.is_ascii_punctuation());
    if c == '_' {
        // "snake_case" and "foo_bar" keep their underscores.
        return space(before) || space(after);
    }
    space(before) || space(after) || j - i >= 2
}

/// For a "[text](url)" or "[text][ref]" starting at `i`, the link text
/// and the index after the link.
fn link_end(chars: &[char], i: usize) -> Option<(String, usize)> {
    let mut depth = 0;
    let mut j = i;
    while j < chars.len() {
        match chars[j] {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        j += 1;
    }
    if j >= chars.len() {
        return None;
    }
    let text: String = chars[i + 1..j].iter().collect();
    let (open, close) = match chars.get(j + 1) {
        Some('(') => ('(', ')'),
        Some('[') => ('[', ']'),
        _ => return None,
    };
    let mut k = j + 2;
    let mut depth = 1;
    while k < chars.len() {
        if chars[k] == open {
            depth += 1;
        } else if chars[k] == close {
            depth -= 1;
            if depth == 0 {
                return Some((text, k + 1));
            }
        }
        k += 1;
    }
    None
}

/// For an HTML tag starting at `i` ("<span class=x>", "</b>", "<br/>"),
/// its lower-case name and the index after it.
fn tag_end(chars: &[char], i: usize) -> Option<(String, usize)> {
    let mut j = i + 1;
    if chars.get(j) == Some(&'/') {
        j += 1;
    }
    let start = j;
    while j < chars.len() && chars[j].is_ascii_alphanumeric() {
        j += 1;
    }
    if j == start || !chars[start].is_ascii_alphabetic() {
        return None;
    }
    let name: String = chars[start..j]
        .iter()
        .collect::<String>()
        .to_ascii_lowercase();
    if !matches!(
        name.as_str(),
        "span"
            | "b"
            | "i"
            | "em"
            | "strong"
            | "u"
            | "a"
            | "br"
            | "sup"
            | "sub"
            | "font"
            | "p"
            | "div"
            | "small"
            | "li"
            | "td"
            | "cite"
            | "mark"
    ) {
        return None;
    }
    while j < chars.len() && chars[j] != '>' {
        if chars[j] == '<' {
            return None;
        }
        j += 1;
    }
    (j < chars.len()).then(|| (name, j + 1))
}

/// Decodes the few character entities that survive in Markdown sources.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&rsquo;", "\u{2019}")
        .replace("&lsquo;", "\u{2018}")
        .replace("&ndash;", "\u{2013}")
        .replace("&mdash;", "\u{2014}")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markdown_is_removed() {
        assert_eq!(
            inline("**Scott Ludlam**\u{200B}, Senator"),
            "Scott Ludlam, Senator"
        );
        assert_eq!(inline("[Karisma](https://karisma.org.co/x) "), "Karisma");
        assert_eq!(
            inline("![logo](a.png) Derechos Digitales"),
            "Derechos Digitales"
        );
        assert_eq!(inline("Access Now<sup>2</sup>\\"), "Access Now");
        assert_eq!(inline("`   Jean (PDG d\\'Acme)`\\"), "Jean (PDG d'Acme)");
        assert_eq!(inline("Decency &amp; Clarity"), "Decency & Clarity");
        assert_eq!(inline("snake_case_name"), "snake_case_name");
        assert_eq!(inline("A * B"), "A B");
    }

    #[test]
    fn lines_split_as_str_lines() {
        for t in [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\r\n",
            "a\r",
            "\r\n\r\n",
            "a\nb",
            "a\n\nb\r\n\r",
            "\r",
            "é\r\nü\n\r\r\n",
            "0123456\n89\nabcdef\n\n0123456789abcdef\n\u{10A}\u{A0A}",
            "\u{10A}\u{10A}\u{10A}\u{10A}\u{10A}\n\u{10A}",
            "x\u{20A}\u{20A}\u{20A}\u{20A}\n\u{20A}\u{20A}\n",
        ] {
            assert_eq!(
                lines(t).collect::<Vec<_>>(),
                t.lines().collect::<Vec<_>>(),
                "{t:?}"
            );
        }
    }

    #[test]
    fn headings_rules_and_markers() {
        let b = blocks(
            "# Title\n\n**Signatories:**\n- A\n1. B\n-----\nUnder\n====\n",
            Format::Markdown,
        );
        assert_eq!(b[0].heading, Some(1));
        assert_eq!(b[0].text, "Title");
        assert_eq!(b[2].heading, Some(7));
        assert_eq!(b[2].text, "Signatories:");
        assert_eq!(b[3].marker, Marker::Bullet);
        assert_eq!(b[4].marker, Marker::Number(1));
        assert!(b[5].rule);
        assert_eq!(b[6].heading, Some(1));
    }
}
