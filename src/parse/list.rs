//! Finds signatory lists in a page's blocks: a header line ("Signed by:",
//! "Signataires", "المنظمات الموقعة"), then the run of entries after it in
//! one shape (numbered, bulleted, or one per line), through section
//! headings ("Individuals"), until the shape breaks. Each list becomes a
//! letter whose title, date and claimed count come from its own
//! statement: the blocks between its title heading and its header.

use super::blocks::{Block, Marker};
use super::entry::parse_entry;
use super::meta::{claimed_count, find_date, says_partial};
use super::{Kind, Letter, Signatory};
use crate::data::{header_role, HeaderRole};
use crate::normalize::name_key;

/// The longest entry read as a name. Longer lines are prose.
const MAX_ENTRY_CHARS: usize = 300;

/// A header line's role and language.
struct Header {
    role: HeaderRole,
    language: Option<&'static str>,
}

/// Reads a block as a list header, if it is one: the whole line is a
/// known phrase, or a short line ending in ":" that holds one
/// ("This statement is endorsed by the following:").
fn header(b: &Block) -> Option<Header> {
    if b.chrome || b.text.is_empty() || b.cell {
        return None;
    }
    let text = b.text.trim_end_matches([':', '：', '.']).trim();
    let key = name_key(text);
    if key.is_empty() {
        return None;
    }
    // Markers such as "1." before a header are unusual; bullets are menus.
    if b.marker != Marker::None {
        return None;
    }
    let lang = || language_of(&key);
    if let Some(role) = header_role(&key) {
        return Some(Header {
            role,
            language: lang(),
        });
    }
    let words = key.split(' ').count();
    let ends_colon = b.text.trim_end().ends_with([':', '：']);
    // "Organizations signed: 104 in total", "Signatories (in order of signing)".
    let head = b.text.split([':', '(', '：']).next().unwrap_or("");
    let head_key = name_key(head);
    if head_key != key && words <= 10 {
        if let Some(role) = header_role(&head_key) {
            return Some(Header {
                role,
                language: language_of(&head_key),
            });
        }
    }
    if ends_colon && words <= 12 {
        // A phrase at the end of the line: "... endorsed by the following".
        let ws: Vec<&str> = key.split(' ').collect();
        for start in 0..ws.len() {
            let tail = ws[start..].join(" ");
            if let Some(HeaderRole::List) = header_role(&tail) {
                if tail.split(' ').count() >= 2 || start == 0 {
                    return Some(Header {
                        role: HeaderRole::List,
                        language: language_of(&tail),
                    });
                }
            }
        }
    }
    None
}

/// The language of a header phrase, from the table.
fn language_of(key: &str) -> Option<&'static str> {
    const LANGS: &[(&str, &str)] = &[
        ("signataires", "fr"),
        ("signé", "fr"),
        ("signée", "fr"),
        ("signés", "fr"),
        ("organisations signataires", "fr"),
        ("firmantes", "es"),
        ("firman", "es"),
        ("firmado", "es"),
        ("firmada", "es"),
        ("adhesiones", "es"),
        ("suscriben", "es"),
        ("organizaciones", "es"),
        ("personas", "es"),
        ("unterzeichner", "de"),
        ("unterzeichnende", "de"),
        ("erstunterzeichner", "de"),
        ("unterzeichnet", "de"),
        ("signatários", "pt"),
        ("assinado", "pt"),
        ("assinam", "pt"),
    ];
    if key.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)) {
        return Some("ar");
    }
    if key.chars().any(|c| ('\u{AC00}'..='\u{D7AF}').contains(&c)) {
        return Some("ko");
    }
    let first = key.split(' ').next().unwrap_or("");
    for (w, l) in LANGS {
        if key == *w || first == *w {
            return Some(l);
        }
    }
    Some("en")
}

/// The shape of a list's entries.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Numbered,
    Bulleted,
    /// One entry per line; `spaced` when entries are separated by blank lines.
    Lines {
        spaced: Option<bool>,
    },
}

fn shape_of(b: &Block) -> Shape {
    match b.marker {
        Marker::Number(_) => Shape::Numbered,
        Marker::Bullet => Shape::Bulleted,
        Marker::None => Shape::Lines { spaced: None },
    }
}

/// True when a line reads like a name rather than prose: short, not a
/// sentence, not a closing formula.
fn looks_like_entry(b: &Block) -> bool {
    let t = &b.text;
    if t.is_empty() || b.chrome || t.chars().count() > MAX_ENTRY_CHARS {
        return false;
    }
    let words = b.words();
    if words > 30 {
        return false;
    }
    // A sentence: ends with a full stop and has a verb's length.
    if words >= 9 && t.ends_with(['.', '!', '?', '。']) {
        return false;
    }
    if t.ends_with(':') {
        return false;
    }
    // Latin text starting in lower case is running prose ("and many more").
    if t.chars().next().is_some_and(|c| c.is_lowercase()) && words > 2 {
        return false;
    }
    if t.starts_with("http://") || t.starts_with("https://") || t.starts_with("www.") {
        return false;
    }
    true
}

struct Item {
    block: usize,
    text: String,
    section: Option<(String, Kind)>,
}

/// A list found after a header: its items, the index after its last
/// item, and whether the text after it says the list is partial.
struct Found {
    items: Vec<Item>,
    end: usize,
    partial: bool,
}

/// Collects the entries after the header at `h`.
fn collect(blocks: &[Block], h: usize, first_role: HeaderRole) -> Found {
    let mut items: Vec<Item> = Vec::new();
    let mut shape: Option<Shape> = None;
    let mut section: Option<(String, Kind)> = section_of(&blocks[h], first_role);
    let mut blanks = 0usize;
    let mut i = h + 1;
    let mut end = h + 1;
    while i < blocks.len() {
        let b = &blocks[i];
        if b.is_blank() {
            blanks += 1;
            i += 1;
            if blanks > 3 && !items.is_empty() {
                break;
            }
            continue;
        }
        if b.rule {
            break;
        }
        if b.chrome {
            if items.is_empty() {
                i += 1;
                continue;
            }
            break;
        }
        // A section heading inside the list: "Individuals", "Organisations",
        // "Subsequent signers".
        if let Some(hd) = header(b) {
            if items.is_empty() || hd.role != HeaderRole::List || b.heading.is_some() || blanks > 0
            {
                section = section_of(b, hd.role).or(section);
                if hd.role == HeaderRole::List
                    && section.as_ref().is_some_and(|s| s.1 == Kind::Organization)
                {
                    section = None;
                }
                shape = None;
                blanks = 0;
                i += 1;
                continue;
            }
        }
        if b.heading.is_some() && b.heading != Some(7) {
            break;
        }
        match shape {
            None => {
                if b.heading == Some(7) && !items.is_empty() {
                    // A bold line between groups: a section label.
                    section = Some((
                        b.text.trim_end_matches(':').to_string(),
                        section_kind(&section),
                    ));
                    i += 1;
                    blanks = 0;
                    continue;
                }
                if !looks_like_entry(b) {
                    break;
                }
                shape = Some(shape_of(b));
            }
            Some(Shape::Numbered) | Some(Shape::Bulleted) => {
                let same = shape_of(b) == shape.unwrap_or(Shape::Numbered);
                if !same {
                    // A wrapped line of the previous entry: indented deeper, no gap.
                    if blanks == 0 && b.marker == Marker::None && !items.is_empty() {
                        let prev = &blocks[items.last().map_or(h, |it| it.block)];
                        if b.indent > prev.indent && looks_like_entry(b) {
                            if let Some(last) = items.last_mut() {
                                last.text.push(' ');
                                last.text.push_str(&b.text);
                            }
                            i += 1;
                            end = i;
                            continue;
                        }
                    }
                    if b.heading == Some(7) {
                        section = Some((
                            b.text.trim_end_matches(':').to_string(),
                            section_kind(&section),
                        ));
                        shape = None;
                        blanks = 0;
                        i += 1;
                        continue;
                    }
                    break;
                }
                if blanks > 2 {
                    break;
                }
                if !looks_like_entry(b) {
                    break;
                }
            }
            Some(Shape::Lines { spaced }) => {
                if b.marker != Marker::None && !b.cell {
                    break;
                }
                if b.heading == Some(7) {
                    section = Some((
                        b.text.trim_end_matches(':').to_string(),
                        section_kind(&section),
                    ));
                    blanks = 0;
                    i += 1;
                    continue;
                }
                match spaced {
                    None => {
                        shape = Some(Shape::Lines {
                            spaced: Some(blanks > 0),
                        })
                    }
                    Some(false) if blanks > 0 => break,
                    Some(true) if blanks == 0 && !b.cell => {
                        // Two lines in one paragraph of a spaced list: the
                        // second belongs to the first ("Name" / "Affiliation").
                        if let Some(last) = items.last_mut() {
                            last.text.push_str(" / ");
                            last.text.push_str(&b.text);
                            i += 1;
                            end = i;
                            continue;
                        }
                    }
                    _ => {}
                }
                if !looks_like_entry(b) {
                    break;
                }
            }
        }
        items.push(Item {
            block: i,
            text: b.text.clone(),
            section: section.clone(),
        });
        blanks = 0;
        i += 1;
        end = i;
    }
    // The lines right after the list may say it is partial.
    let partial = items.last().is_some_and(|it| says_partial(&it.text))
        || blocks[end.min(blocks.len())..]
            .iter()
            .filter(|b| !b.is_blank())
            .take(2)
            .any(|b| says_partial(&b.text));
    Found {
        items,
        end,
        partial,
    }
}

fn section_kind(section: &Option<(String, Kind)>) -> Kind {
    section.as_ref().map_or(Kind::Organization, |s| s.1)
}

fn section_of(b: &Block, role: HeaderRole) -> Option<(String, Kind)> {
    let label = b.text.trim_end_matches([':', '：']).trim().to_string();
    match role {
        HeaderRole::Organizations => Some((label, Kind::Organization)),
        HeaderRole::Individuals => Some((label, Kind::Individual)),
        HeaderRole::List => None,
    }
}

/// Headings that can name a statement, ranked: real headings by level,
/// then "outline" headings (a short line less indented than the text
/// after it, as statements in a page's list of posts), then bold lines.
fn title_rank(blocks: &[Block], i: usize) -> Option<u8> {
    let b = &blocks[i];
    if b.text.is_empty() || b.chrome || b.cell || header(b).is_some() {
        return None;
    }
    if let Some(level) = b.heading {
        return Some(if level == 7 { 9 } else { level });
    }
    if b.text.chars().count() > 200 {
        return None;
    }
    let next = blocks[i + 1..].iter().find(|n| !n.is_blank())?;
    (next.indent > b.indent && !b.text.ends_with(':')).then_some(7)
}

/// Picks the title above the header at `h`, not before `floor`: the
/// nearest heading, replaced by a higher-ranked one further up; an
/// outline heading of the same rank further up is another statement.
fn title_for(blocks: &[Block], floor: usize, h: usize) -> Option<usize> {
    let mut best: Option<(usize, u8)> = None;
    for i in (floor..h).rev() {
        let Some(rank) = title_rank(blocks, i) else {
            continue;
        };
        match best {
            None => best = Some((i, rank)),
            Some((_, r)) if rank < r => best = Some((i, rank)),
            Some((_, r)) if rank == r && r == 7 => break,
            _ => {}
        }
    }
    best.map(|(i, _)| i)
}

/// Every letter in the page: one for each header followed by a list.
pub fn find_letters(blocks: &[Block]) -> Vec<Letter> {
    let mut letters = Vec::new();
    let mut floor = 0usize;
    let mut i = 0usize;
    while i < blocks.len() {
        let Some(hd) = header(&blocks[i]) else {
            i += 1;
            continue;
        };
        // "Organisations" or "People" alone starts a list only as a
        // heading or with a colon; as plain text it is too common a word.
        let b = &blocks[i];
        if hd.role != HeaderRole::List && b.heading.is_none() && !b.text.trim_end().ends_with(':') {
            i += 1;
            continue;
        }
        let found = collect(blocks, i, hd.role);
        if found.items.is_empty() {
            i += 1;
            continue;
        }
        letters.push(build_letter(
            blocks,
            floor,
            i,
            hd.language,
            found.items,
            found.partial,
        ));
        floor = found.end;
        i = found.end;
    }
    letters
}

fn build_letter(
    blocks: &[Block],
    floor: usize,
    h: usize,
    language: Option<&'static str>,
    items: Vec<Item>,
    partial: bool,
) -> Letter {
    // Failing a heading, a plain text's first line is its title when it
    // reads like one: short, and not a sentence.
    let title_idx = title_for(blocks, floor, h).or_else(|| {
        let first = (floor..h).find(|&i| !blocks[i].is_blank() && !blocks[i].chrome)?;
        let b = &blocks[first];
        (b.marker == Marker::None
            && b.text.chars().count() <= 160
            && !b.text.ends_with(['.', ',', ';'])
            && header(b).is_none())
        .then_some(first)
    });
    let scope_start = title_idx.unwrap_or(floor);
    let title = title_idx.map(|t| blocks[t].text.trim_end_matches([':', '.']).to_string());

    // The claimed count: the header line itself, then the statement's text.
    let mut claimed = claimed_count(&blocks[h].text);
    if claimed.is_none() {
        claimed = blocks[scope_start..h]
            .iter()
            .filter(|b| !b.chrome)
            .find_map(|b| claimed_count(&b.text));
    }
    // The date: the title, then short lines of the statement (datelines).
    let date = title.as_deref().and_then(find_date).or_else(|| {
        blocks[scope_start..h]
            .iter()
            .filter(|b| !b.chrome && b.words() <= 10)
            .find_map(|b| find_date(&b.text))
    });

    let mut signatories = Vec::with_capacity(items.len());
    for (n, it) in items.into_iter().enumerate() {
        let kind_hint = it.section.as_ref().map(|s| s.1);
        let e = parse_entry(&it.text, kind_hint);
        let b = &blocks[it.block];
        let kind = if e.individual {
            Kind::Individual
        } else {
            Kind::Organization
        };
        signatories.push(Signatory {
            position: (n + 1) as u32,
            name: e.name,
            printed: it.text,
            acronym: e.acronym,
            note: e.note,
            country: e.country,
            affiliation: e.affiliation,
            kind,
            section: it.section.map(|s| s.0),
            line: b.line,
            raw: b.raw.trim().to_string(),
        });
    }
    let mut warnings = Vec::new();
    if let Some(c) = claimed {
        if c != signatories.len() as u64 {
            warnings.push(format!(
                "the text claims {c} signatories but {} were found",
                signatories.len()
            ));
        }
    }
    if partial {
        warnings.push("the text says this list is partial".to_string());
    }
    Letter {
        title,
        date,
        language: language.map(str::to_string),
        claimed_count: claimed,
        partial,
        header_line: blocks[h].line,
        signatories,
        warnings,
    }
}

/// Explains why a page yielded no list, for the error message.
pub fn why_no_list(blocks: &[Block]) -> String {
    let headers = blocks.iter().filter(|b| header(b).is_some()).count();
    if headers == 0 {
        "no header such as \"Signed by:\", \"Signatories\", \"Signataires\", \"Firmantes\" or \"المنظمات الموقعة\" was found".to_string()
    } else {
        format!("{headers} header line(s) such as \"Signed by:\" were found, but no entries follow them")
    }
}
