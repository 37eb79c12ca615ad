//! Finds signatory lists in a page's blocks: a header line ("Signed by:",
//! "Signataires", "المنظمات الموقعة"), then the run of entries after it in
//! one shape (numbered, bulleted, one per line, or comma-separated
//! paragraphs), through section headings ("Individuals", "South Korea
//! (76)"), until the shape breaks. Each list becomes a letter whose title,
//! date and claimed count come from its own statement: the blocks between
//! its title heading and its header.

use super::blocks::{excerpt, trim, words as words_of, Block, Marker, MAX_RAW_BYTES};
use super::entry::{marked_person_with_affiliation, parse_marked_entry, Marks};
use super::meta::{claimed_count, find_date, says_partial};
use super::{Kind, Letter, Signatory};
use crate::data::{city_countries, country_code, has_weak_header, header_role, HeaderRole};
use crate::normalize::{has_empty_key, name_key};

/// The longest entry read as a name. Longer lines are prose.
const MAX_ENTRY_CHARS: usize = 300;

/// A list opened by a weak header ("We, the undersigned ...") must have
/// at least this many entries.
const MIN_WEAK_ENTRIES: usize = 3;

/// A header line's role and language.
struct Header {
    role: HeaderRole,
    language: Option<&'static str>,
}

/// Reads a block as a list header, if it is one: the whole line is a
/// known phrase; a heading or a short line that starts with one
/// ("Signataires de la lettre ouverte", "Organizations signed: 104 in
/// total"); a short line ending in ":" that holds one ("The first
/// signatories of this letter are:"); or, weakly, a line holding a phrase
/// such as "the undersigned".
fn header(b: &Block) -> Option<Header> {
    if b.chrome || b.text.is_empty() || b.marker != Marker::None {
        return None;
    }
    if b.cell {
        // A table's header row: "Signatory | Country".
        // Only its header row can name the list.
        b.heading?;
        return b.text.split(" | ").find_map(|c| {
            let key = name_key(c);
            header_role(&key)
                .filter(|r| *r != HeaderRole::Weak)
                .map(|role| Header {
                    role,
                    language: language_of(&key),
                })
        });
    }
    let text = b
        .text
        .trim_matches(|c: char| matches!(c, ':' | '：' | '.' | '[' | ']' | ','))
        .trim();
    let key = name_key(text);
    if key.is_empty() {
        return None;
    }
    let found = |role, k: &str| {
        Some(Header {
            role,
            language: language_of(k),
        })
    };
    if let Some(role) = header_role(&key) {
        return found(role, &key);
    }
    // A key's words are separated by single spaces, so a run of them is a
    // slice of the key: no phrase is joined anew to be looked up.
    let ws: Vec<(usize, usize)> = key
        .split(' ')
        .scan(0, |at, w| {
            let span = (*at, *at + w.len());
            *at += w.len() + 1;
            Some(span)
        })
        .collect();
    let words = |from: usize, to: usize| &key[ws[from].0..ws[to - 1].1];
    let ends_colon = b.text.trim_end().ends_with([':', '：']);
    // A phrase at the start of a heading or of a short line.
    if b.heading.is_some() || ws.len() <= 10 || ends_colon {
        for end in (1..ws.len().min(6)).rev() {
            let head = words(0, end);
            if let Some(role) = header_role(head) {
                // One word opens a list only as a list phrase in a heading
                // ("Signataires de la lettre ..."); "Groups oppose ..." is a title.
                let one_word_ok =
                    role == HeaderRole::List && (b.heading.is_some() || text.contains(':'));
                if role != HeaderRole::Weak && (end >= 2 || one_word_ok) {
                    return found(role, head);
                }
            }
        }
    }
    // A phrase anywhere in a short line ending with a colon.
    if ends_colon && ws.len() <= 16 {
        for start in 0..ws.len() {
            for end in (start + 2..=ws.len().min(start + 5)).rev() {
                let mid = words(start, end);
                if header_role(mid) == Some(HeaderRole::List) {
                    return found(HeaderRole::List, mid);
                }
            }
        }
    }
    if ws.len() <= 80 && has_weak_header(&key) {
        return found(HeaderRole::Weak, &key);
    }
    None
}

/// The language of a header phrase.
fn language_of(key: &str) -> Option<&'static str> {
    const LANGS: &[(&str, &str)] = &[
        ("signataires", "fr"),
        ("signé", "fr"),
        ("signée", "fr"),
        ("signés", "fr"),
        ("organisations", "fr"),
        ("soussignés", "fr"),
        ("soussignées", "fr"),
        ("cordialement", "fr"),
        ("firmantes", "es"),
        ("firman", "es"),
        ("firmado", "es"),
        ("firmada", "es"),
        ("adhesiones", "es"),
        ("suscriben", "es"),
        ("organizaciones", "es"),
        ("personas", "es"),
        ("abajo", "es"),
        ("atentamente", "es"),
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
    for w in key.split(' ') {
        if let Some((_, l)) = LANGS.iter().find(|(k, _)| *k == w) {
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
    /// Entries separated by commas or semicolons inside paragraphs.
    Paragraph,
}

fn shape_of(b: &Block) -> Shape {
    match b.marker {
        Marker::Number(_) => Shape::Numbered,
        Marker::Bullet => Shape::Bulleted,
        Marker::None if is_comma_list(&b.text) => Shape::Paragraph,
        Marker::None => Shape::Lines { spaced: None },
    }
}

/// A list of words, all lower-case ASCII letters, with what lets most
/// words be ruled out without comparing them to any: for each first
/// letter, a bit for the length of each word starting with it.
struct WordList {
    words: &'static [&'static str],
    shapes: [u32; 26],
}

impl WordList {
    const fn new(words: &'static [&'static str]) -> WordList {
        let mut shapes = [0u32; 26];
        let mut i = 0;
        while i < words.len() {
            let w = words[i].as_bytes();
            assert!(!w.is_empty() && w.len() < 32 && w[0].is_ascii_lowercase());
            shapes[(w[0] - b'a') as usize] |= 1 << w.len();
            i += 1;
        }
        WordList { words, shapes }
    }

    /// True when no word of the list starts with `first` (lower-cased)
    /// and has `len` bytes.
    fn rules_out(&self, first: u8, len: usize) -> bool {
        let first = first.to_ascii_lowercase();
        !first.is_ascii_lowercase()
            || len >= 32
            || self.shapes[usize::from(first - b'a')] & (1 << len) == 0
    }

    /// True when `w` is one of the words.
    fn contains(&self, w: &str) -> bool {
        match w.as_bytes().first() {
            Some(&first) if !first.is_ascii_uppercase() && !self.rules_out(first, w.len()) => {
                self.words.contains(&w)
            }
            _ => false,
        }
    }

    /// True when the lower case of `w` is one of the words. ASCII is
    /// compared in place, without a lower-cased copy.
    fn contains_lower(&self, w: &str) -> bool {
        if w.is_ascii() {
            match w.as_bytes().first() {
                Some(&first) if !self.rules_out(first, w.len()) => {
                    self.words.iter().any(|x| x.eq_ignore_ascii_case(w))
                }
                _ => false,
            }
        } else {
            // Some non-ASCII letters lower-case to ASCII (the Kelvin sign to "k").
            self.words.contains(&w.to_lowercase().as_str())
        }
    }
}

/// Words that start running prose, never a name.
const PROSE_STARTS: WordList = WordList::new(&[
    "and", "or", "with", "as", "to", "for", "of", "in", "the", "this", "these", "we", "our", "if",
    "please", "et", "ou", "avec", "pour", "nous", "y", "o", "con", "para", "nosotros",
]);

/// First words of buttons and instructions, never of a name.
const CALLS_TO_ACTION: WordList = WordList::new(&[
    "please",
    "click",
    "sign",
    "see",
    "read",
    "join",
    "add",
    "visit",
    "view",
    "download",
    "enable",
    "share",
    "follow",
    "subscribe",
    "contact",
    "email",
    "donate",
    "learn",
    "signez",
    "descarga",
]);

/// Verbs of prose; a line holding one is a sentence, not a name.
const STRONG_VERBS: WordList = WordList::new(&[
    "is", "are", "was", "were", "will", "have", "has", "must", "should", "est", "sont", "son",
]);

/// Words of running prose that names almost never hold.
const PROSE_WORDS: WordList = WordList::new(&[
    "is", "are", "was", "were", "be", "been", "will", "would", "have", "has", "had", "must",
    "should", "can", "could", "we", "our", "us", "you", "your", "they", "their", "this", "that",
    "these", "please", "call", "urge", "ask", "it", "not", "which", "who", "est", "sont", "nous",
    "vous", "es", "son", "somos", "que", "no",
]);

fn prose_words(t: &str) -> usize {
    t.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| PROSE_WORDS.contains_lower(w))
        .count()
}

/// `t.contains("http://") || t.contains("https://")`, looked for from
/// the colons: most lines have none.
fn has_http_url(t: &str) -> bool {
    let b = t.as_bytes();
    if !b.contains(&b':') {
        return false;
    }
    (0..b.len()).any(|i| {
        b[i] == b':'
            && (b[..i].ends_with(b"http") || b[..i].ends_with(b"https"))
            && b[i + 1..].starts_with(b"//")
    })
}

/// "Concerned citizens", "The undersigned": a capitalised word then only
/// lower-case words, three words at most.
fn is_collective(t: &str) -> bool {
    let words: Vec<&str> = t.split_whitespace().collect();
    (2..=3).contains(&words.len())
        && words[0].chars().next().is_some_and(char::is_uppercase)
        && words[1..]
            .iter()
            .all(|w| w.chars().all(|c| c.is_lowercase() || !c.is_alphabetic()))
}

/// True when the entries after a comma-dense line are lines like it: then
/// each line is one entry ("Name, Title, Institution, Country"), not a
/// paragraph of names.
fn followed_by_lines(blocks: &[Block], i: usize) -> bool {
    blocks[i + 1..]
        .iter()
        .filter(|b| !b.is_blank())
        .take(3)
        .filter(|b| {
            b.marker == Marker::None
                && b.heading.is_none()
                && looks_like_entry(b)
                && b.words() <= 30
        })
        .count()
        >= 2
}

/// True when a line reads like a name rather than prose: short, not a
/// sentence, not a closing formula, not starting with a symbol.
fn looks_like_entry(b: &Block) -> bool {
    if b.cell && !b.chrome {
        // A table row: an entry when it has a name cell.
        let name = row_entry(&b.text);
        return !name.is_empty() && name.chars().count() <= MAX_ENTRY_CHARS;
    }
    let t = &b.text;
    // Asked of every line of a list: the cheap tests come first, and
    // none builds a string.
    if t.is_empty()
        || b.chrome
        || (t.len() > MAX_ENTRY_CHARS && t.chars().count() > MAX_ENTRY_CHARS)
    {
        return false;
    }
    // One pass over the words for what the tests below ask of them.
    let (mut words, mut lower_words, mut w0, mut verb) = (0usize, 0usize, "", false);
    for w in words_of(t) {
        if words == 0 {
            w0 = w;
        } else {
            verb = verb || STRONG_VERBS.contains(w);
        }
        words += 1;
        lower_words += usize::from(w.chars().next().is_some_and(char::is_lowercase));
    }
    if words > 30 {
        return false;
    }
    // A sentence: a full stop after ten words or more, most of them in
    // lower case (names, even French ones, capitalise more).
    if words >= 10 && t.ends_with(['.', '"', '”']) && lower_words * 10 >= words * 7 {
        return false;
    }
    // A sentence: ends with a full stop and reads as prose (names end
    // with "Inc." too, but hold no "we", "is", "must").
    if words >= 9 && t.ends_with(['.', '!', '?', '。']) && prose_words(t) >= 2 {
        return false;
    }
    if t.ends_with(':') {
        return false;
    }
    // Interface messages trail off: "Submitting form...", "Loading…".
    if t.ends_with("...") || t.ends_with('…') {
        return false;
    }
    // Slogans and demands end with "!"; a name rarely does ("GetUp!").
    if words >= 4 && t.ends_with(['!', '！']) {
        return false;
    }
    let first = t.chars().next().unwrap_or(' ');
    // "→ Sign the letter", "© 2021": a name starts with a letter, a digit,
    // a quote or an opening bracket.
    if !(first.is_alphanumeric()
        || matches!(
            first,
            '"' | '\'' | '“' | '‘' | '«' | '(' | '「' | '〝' | '@' | '#' | '¿'
        ))
    {
        return false;
    }
    if words > 2 && first.is_lowercase() && PROSE_STARTS.contains_lower(w0) {
        return false;
    }
    if t.starts_with("www.") || has_http_url(t) {
        return false;
    }
    // Buttons and calls to action: "Read statement", "Please enable JavaScript ...".
    if words >= 2 && CALLS_TO_ACTION.contains_lower(w0) {
        return false;
    }
    // A verb that names do not hold: "Affiliations are listed for ...".
    if words >= 4 && verb {
        return false;
    }
    if words > 3 && says_partial(t) {
        return false;
    }
    true
}

/// A paragraph that is a list: three or more separators at bracket depth
/// zero, and pieces short enough to be names.
fn is_comma_list(text: &str) -> bool {
    let pieces = split_commas(text);
    if pieces.len() < 4 {
        return false;
    }
    let words: usize = pieces.iter().map(|p| p.split_whitespace().count()).sum();
    let long = pieces
        .iter()
        .filter(|p| p.split_whitespace().count() > 14)
        .count();
    // Names start with a capital (or in a script without case); prose
    // clauses start with "the", "to", "before".
    let lower = pieces
        .iter()
        .filter(|p| p.chars().next().is_some_and(char::is_lowercase))
        .count();
    words / pieces.len() <= 9
        && long * 5 <= pieces.len()
        && lower * 3 < pieces.len()
        && !text.trim_end().ends_with(':')
}

/// Splits a paragraph at commas, semicolons and ideographic commas outside
/// brackets; a final "and"/"et"/"y" is dropped from the last piece.
fn split_commas(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in text.chars() {
        match c {
            '(' | '[' | '（' => depth += 1,
            ')' | ']' | '）' => depth -= 1,
            _ => {}
        }
        if depth <= 0 && matches!(c, ',' | ';' | '、' | '，' | '\u{B8}') {
            out.push(std::mem::take(&mut cur));
            continue;
        }
        cur.push(c);
    }
    out.push(cur);
    let mut pieces: Vec<String> = out
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if let Some(last) = pieces.last_mut() {
        for conj in ["and ", "et ", "y ", "e ", "und ", "및 ", "& "] {
            if let Some(rest) = last.strip_prefix(conj) {
                *last = rest.to_string();
                break;
            }
        }
        let trimmed = last.trim_end_matches('.').to_string();
        *last = trimmed;
    }
    pieces
}

/// Rejoins pieces that a comma split inside one name: a piece that is
/// only a place ("San Diego", "IA", "Canada") belongs to the piece before.
fn rejoin_places(pieces: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(pieces.len());
    for p in pieces {
        let is_place = p.split_whitespace().count() <= 3
            && (city_countries(&p).is_some()
                || crate::data::subdivision(&p).is_some()
                || country_code(&p).is_some());
        match out.last_mut() {
            Some(prev) if is_place && !prev.starts_with('(') => {
                prev.push_str(", ");
                prev.push_str(&p);
            }
            _ => out.push(p),
        }
    }
    out
}

/// A line naming a country group: "South Korea (76)", "Canada:", "(Japan)".
fn country_heading(b: &Block) -> Option<String> {
    let t = b.text.trim().trim_end_matches([':', '：']).trim();
    let name = match t.rfind('(') {
        Some(i)
            if t.ends_with(')') && t[i + 1..t.len() - 1].chars().all(|c| c.is_ascii_digit()) =>
        {
            t[..i].trim()
        }
        _ => t.trim_start_matches('(').trim_end_matches(')').trim(),
    };
    country_code(name).map(str::to_string)
}

/// A table row "Name | Country | Website" read as one entry, "Name,
/// Country": the first cell with letters is the name, and a cell that
/// names a country becomes its note. Other cells (logos, descriptions,
/// links) are left out.
fn row_entry(text: &str) -> String {
    let cells: Vec<&str> = text.split(" | ").map(str::trim).collect();
    let Some(name_at) = cells
        .iter()
        .position(|c| c.chars().any(char::is_alphabetic))
    else {
        return String::new();
    };
    let mut out = cells[name_at].to_string();
    // "AK Vorrat - Germany" in a cell: the country is a note, as a column would be.
    if let Some((name, tail)) = out.clone().rsplit_once(" - ") {
        if country_code(tail).is_some() {
            out = format!("{name}, {tail}");
        }
    }
    if let Some(c) = cells[name_at + 1..]
        .iter()
        .find(|c| country_code(c).is_some())
    {
        out.push_str(", ");
        out.push_str(c);
    }
    out
}

/// The number in a group heading's trailing "(N)".
fn group_count(text: &str) -> Option<usize> {
    let t = text.trim().trim_end_matches(':').trim();
    let inner = t.strip_suffix(')')?.rsplit_once('(')?.1;
    inner.trim().parse().ok()
}

/// The section an entry sits under.
#[derive(Debug, Clone, Default, PartialEq)]
struct Section {
    label: Option<String>,
    kind: Option<Kind>,
    country: Option<String>,
    /// The count a group heading announces ("South Korea (76)").
    expected: Option<usize>,
    /// Entries read so far in this section.
    seen: usize,
}

struct Item {
    block: usize,
    text: String,
    section: Section,
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
    let mut section = section_of(&blocks[h], first_role).unwrap_or_default();
    let mut blanks = 0usize;
    let mut skipped = 0usize;
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
        // Under a weak header ("We, the undersigned, ..." in a paragraph), a
        // line less indented than that paragraph belongs to the page around
        // it (the next statement's heading), not to a list.
        if first_role == HeaderRole::Weak && b.indent < blocks[h].indent {
            break;
        }
        if b.chrome {
            if items.is_empty() {
                i += 1;
                continue;
            }
            break;
        }
        // A section heading inside the list: "Individuals", "Organisations".
        if let Some(hd) = header(b) {
            // A real header after a weak one ("We, the undersigned ..."
            // then "Signatories"): the real one opens the list.
            if first_role == HeaderRole::Weak && hd.role != HeaderRole::Weak && items.is_empty() {
                break;
            }
            let sub = matches!(hd.role, HeaderRole::Organizations | HeaderRole::Individuals);
            if sub || (items.is_empty() && hd.role != HeaderRole::Weak) {
                if let Some(s) = section_of(b, hd.role) {
                    section = s;
                }
                shape = None;
                blanks = 0;
                skipped = 0;
                i += 1;
                continue;
            }
            // "Signataires" or "Subsequent signers" right after entries (blank
            // lines only between): more of the same list, as a section.
            if matches!(hd.role, HeaderRole::List | HeaderRole::More) {
                section.label = Some(b.text.trim_end_matches([':', '：']).to_string());
                section.expected = None;
                shape = None;
                blanks = 0;
                i += 1;
                continue;
            }
        }
        // A country group heading: "South Korea (76)".
        if shape != Some(Shape::Paragraph)
            && (b.heading.is_some()
                || b.text.ends_with(')')
                || b.text.ends_with(':')
                || shape.is_none())
        {
            if let Some(cc) = country_heading(b) {
                section.country = Some(cc);
                section.label = Some(b.text.trim_end_matches(':').to_string());
                section.expected = group_count(&b.text);
                section.seen = 0;
                shape = None;
                blanks = 0;
                i += 1;
                continue;
            }
        }
        if b.heading.is_some() && b.heading != Some(7) {
            break;
        }
        // A table's header row ("Organisation | Country") labels columns,
        // not a section.
        if b.cell && b.heading.is_some() {
            i += 1;
            continue;
        }
        // A group that announced its count and has it is complete: what
        // follows is another group heading or the end of the list.
        if section.expected.is_some_and(|n| section.seen >= n) {
            break;
        }
        match shape {
            None => {
                let next_bold = blocks[i + 1..]
                    .iter()
                    .find(|n| !n.is_blank())
                    .is_some_and(|n| n.heading == Some(7));
                if b.heading == Some(7) && (!items.is_empty() || !next_bold) {
                    // A bold line between groups: a section label.
                    section.label = Some(b.text.trim_end_matches(':').to_string());
                    section.country = None;
                    i += 1;
                    blanks = 0;
                    continue;
                }
                // "Respectfully, / Concerned citizens / ...": a collective
                // signature line under a closing formula is a label.
                if first_role == HeaderRole::Weak && items.is_empty() && is_collective(&b.text) {
                    section.label = Some(b.text.clone());
                    i += 1;
                    continue;
                }
                if !looks_like_entry(b) && !is_comma_list(&b.text) {
                    // A short note before the entries ("→ Sign the letter"),
                    // skipped; anything longer ends the search.
                    if section.seen == 0 && skipped < 2 && b.words() <= 30 && b.heading.is_none() {
                        skipped += 1;
                        i += 1;
                        continue;
                    }
                    break;
                }
                shape = Some(match shape_of(b) {
                    Shape::Paragraph if followed_by_lines(blocks, i) => {
                        Shape::Lines { spaced: None }
                    }
                    other => other,
                });
            }
            Some(Shape::Paragraph) => {
                if !is_comma_list(&b.text) {
                    if b.heading == Some(7) || (looks_like_entry(b) && b.words() <= 6) {
                        // "그 외 지지 단체들", "And other supporters": a label.
                        section.label = Some(b.text.trim_end_matches(':').to_string());
                        i += 1;
                        blanks = 0;
                        continue;
                    }
                    break;
                }
            }
            Some(Shape::Numbered) | Some(Shape::Bulleted) => {
                let same = shape_of(b) == shape.unwrap_or(Shape::Numbered)
                    || (b.marker != Marker::None && shape_of(b) == Shape::Paragraph);
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
                        section.label = Some(b.text.trim_end_matches(':').to_string());
                        shape = None;
                        blanks = 0;
                        i += 1;
                        continue;
                    }
                    break;
                }
                if blanks > 2 || !looks_like_entry(b) {
                    break;
                }
            }
            Some(Shape::Lines { spaced }) => {
                if b.marker != Marker::None && !b.cell {
                    break;
                }
                if b.heading == Some(7) {
                    section.label = Some(b.text.trim_end_matches(':').to_string());
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
        let before = items.len();
        if b.cell {
            let text = row_entry(&b.text);
            if !text.is_empty() {
                items.push(Item {
                    block: i,
                    text,
                    section: section.clone(),
                });
            }
        } else if shape == Some(Shape::Paragraph) {
            push_paragraph(&mut items, i, &b.text, &mut section);
        } else {
            items.push(Item {
                block: i,
                text: b.text.clone(),
                section: section.clone(),
            });
        }
        section.seen += items.len() - before;
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

/// Splits a comma-separated paragraph into items; a "(Country)" before a
/// name sets the country of it and the names after it.
fn push_paragraph(items: &mut Vec<Item>, block: usize, text: &str, section: &mut Section) {
    for piece in rejoin_places(split_commas(text)) {
        let mut p = piece.as_str();
        if p.starts_with('(') {
            if let Some(close) = p.find(')') {
                if let Some(cc) = country_code(&p[1..close]) {
                    section.country = Some(cc.to_string());
                    section.label = Some(p[1..close].to_string());
                    p = p[close + 1..].trim();
                }
            }
        }
        // Prose around a list in a sentence ("along with nearly 70
        // organizations") starts in lower case or runs long.
        // "Other groups include X": keep what follows the verb.
        for cue in [
            " include ",
            " including ",
            " such as ",
            " incluyen ",
            " notamment ",
        ] {
            if let Some((_, after)) = p.split_once(cue) {
                p = after.trim();
            }
        }
        // "iFreedom Uganda" is a name; "along with ..." is prose.
        let mut cs = p.chars();
        let lower =
            cs.next().is_some_and(char::is_lowercase) && !cs.next().is_some_and(char::is_uppercase);
        if p.is_empty() || says_partial(p) || lower || p.split_whitespace().count() > 30 {
            continue;
        }
        items.push(Item {
            block,
            text: p.to_string(),
            section: section.clone(),
        });
    }
}

fn section_of(b: &Block, role: HeaderRole) -> Option<Section> {
    let label = b.text.trim_end_matches([':', '：']).trim().to_string();
    let kind = match role {
        HeaderRole::Organizations => Kind::Organization,
        HeaderRole::Individuals => Kind::Individual,
        _ => return None,
    };
    Some(Section {
        label: Some(label),
        kind: Some(kind),
        ..Section::default()
    })
}

/// Headings that can name a statement, ranked: real headings by level,
/// then "outline" headings (a short line less indented than the text
/// after it, as statements in a page's list of posts), then bold lines.
fn title_rank(blocks: &[Block], i: usize) -> Option<u8> {
    let b = &blocks[i];
    if b.text.is_empty()
        || b.chrome
        || b.cell
        || header(b).is_some_and(|h| h.role != HeaderRole::Weak)
    {
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

/// Every letter in the page: one for each header followed by a list;
/// a "subsequent signers" list continues the letter before it.
pub fn find_letters(blocks: &[Block]) -> Vec<Letter> {
    let mut letters: Vec<Letter> = Vec::new();
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
        let sub = matches!(hd.role, HeaderRole::Organizations | HeaderRole::Individuals);
        if sub && b.heading.is_none() && !b.text.trim_end().ends_with(':') {
            i += 1;
            continue;
        }
        let found = collect(blocks, i, hd.role);
        let enough = if hd.role == HeaderRole::Weak {
            MIN_WEAK_ENTRIES
        } else {
            1
        };
        if found.items.len() < enough {
            i += 1;
            continue;
        }
        if hd.role == HeaderRole::More {
            if let Some(last) = letters.last_mut() {
                let start = last.signatories.len();
                let more = signatories(blocks, found.items, start);
                last.signatories.extend(more);
                last.partial |= found.partial;
                finish_warnings(last);
                floor = found.end;
                i = found.end;
                continue;
            }
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
    // A list of nothing but symbol lines is no list.
    letters.retain(|l| !l.signatories.is_empty());
    // Pages with no list header: a long comma paragraph of names, a
    // signature block "Network (member, member, ...)", or a sentence that
    // names its signers ("written and endorsed by A, B and C").
    if letters.is_empty() {
        if let Some(l) = headerless_list(blocks)
            .or_else(|| network_block(blocks))
            .or_else(|| prose_list(blocks))
            .filter(|l| !l.signatories.is_empty())
        {
            letters.push(l);
        }
    }
    letters
}

/// Entries a signature block or a prose list needs to count.
const MIN_FALLBACK_ENTRIES: usize = 3;

/// A signature block with no header: a network's name, then its members
/// in parentheses, one per line, each but the last ending with a comma:
/// "Victims' support network" / "(Member A," / "Member B," / "Member C)".
fn network_block(blocks: &[Block]) -> Option<Letter> {
    for start in 1..blocks.len() {
        let b = &blocks[start];
        if b.chrome
            || b.marker != Marker::None
            || !b.text.starts_with('(')
            || !b.text.ends_with(',')
        {
            continue;
        }
        let mut end = start;
        while end + 1 < blocks.len()
            && blocks[end].text.ends_with(',')
            && !blocks[end + 1].is_blank()
        {
            end += 1;
        }
        if !blocks[end].text.ends_with(')') || end - start + 1 < MIN_FALLBACK_ENTRIES {
            continue;
        }
        let network = &blocks[start - 1];
        if network.is_blank() || !looks_like_entry(network) {
            continue;
        }
        let mut items = vec![Item {
            block: start - 1,
            text: network.text.clone(),
            section: Section::default(),
        }];
        let members = Section {
            label: Some(format!("members of {}", network.text)),
            ..Section::default()
        };
        for (k, m) in blocks[start..=end].iter().enumerate() {
            let mut t = m.text.trim_end_matches(',').trim();
            if k == 0 {
                t = t.strip_prefix('(').unwrap_or(t);
            }
            if start + k == end {
                t = t.strip_suffix(')').unwrap_or(t);
            }
            items.push(Item {
                block: start + k,
                text: t.trim().to_string(),
                section: members.clone(),
            });
        }
        let mut letter = build_letter(blocks, 0, start - 1, None, items, false);
        letter.warnings.push(
            "no list header was found; the list is a signature block of a network and its members"
                .into(),
        );
        return Some(letter);
    }
    None
}

/// A sentence that names its signers after a cue from `data/headers.csv`
/// ("written and endorsed by", "other groups include"): the names run
/// until a piece that reads as prose; "with assistance from experts" turns
/// the rest into people. The sentence with the most names wins.
fn prose_list(blocks: &[Block]) -> Option<Letter> {
    let cues = &crate::data::tables().inline_cues;
    let mut best: Option<(usize, Vec<Item>)> = None;
    for (i, b) in blocks.iter().enumerate() {
        if b.chrome {
            continue;
        }
        let lower = b.text.to_lowercase();
        let Some(at) = cues
            .iter()
            .filter_map(|c| lower.find(&format!("{c} ")).map(|p| p + c.len() + 1))
            .min()
        else {
            continue;
        };
        let mut items = Vec::new();
        let mut section = Section::default();
        let pieces = split_commas(&b.text[at..]);
        let n = pieces.len();
        for (k, piece) in pieces.into_iter().enumerate() {
            let mut p = piece.trim().to_string();
            for cue in [
                "with assistance from experts ",
                "with assistance from ",
                "and experts ",
            ] {
                if let Some(rest) = p.strip_prefix(cue) {
                    section = Section {
                        label: Some(cue.trim().to_string()),
                        kind: Some(Kind::Individual),
                        ..Section::default()
                    };
                    p = rest.to_string();
                }
            }
            let first = p.chars().next();
            if p.is_empty()
                || first.is_some_and(char::is_lowercase)
                || p.split_whitespace().count() > 12
            {
                break;
            }
            // The last piece: "Bruno Watt and Dr Suelette Dreyfus".
            let parts: Vec<String> = if k + 1 == n && section.kind == Some(Kind::Individual) {
                p.split(" and ").map(|x| x.trim().to_string()).collect()
            } else {
                vec![p]
            };
            for text in parts {
                items.push(Item {
                    block: i,
                    text,
                    section: section.clone(),
                });
            }
        }
        if items.len() >= MIN_FALLBACK_ENTRIES
            && best.as_ref().is_none_or(|(_, b)| items.len() > b.len())
        {
            best = Some((i, items));
        }
    }
    let (i, items) = best?;
    let mut letter = build_letter(blocks, 0, i, None, items, false);
    letter.warnings.push(
        "no list header was found; the list is read from a sentence that names the signers".into(),
    );
    Some(letter)
}

/// Pieces a headerless comma paragraph needs before it is read as a list.
const MIN_HEADERLESS_PIECES: usize = 10;

/// A page with no list header may still print its signers as one long
/// comma-separated paragraph of names, often grouped by "(Country)"
/// markers. The longest such paragraph, if long enough, is the list.
fn headerless_list(blocks: &[Block]) -> Option<Letter> {
    let (i, n) = blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| !b.chrome && b.marker == Marker::None && is_comma_list(&b.text))
        .map(|(i, b)| (i, split_commas(&b.text).len()))
        .max_by_key(|&(_, n)| n)?;
    let b = &blocks[i];
    let grouped = b.text.trim_start().starts_with('(')
        && b.text
            .find(')')
            .is_some_and(|c| country_code(&b.text[1..c]).is_some());
    if n < MIN_HEADERLESS_PIECES && !(grouped && n >= 4) {
        return None;
    }
    let mut items = Vec::new();
    let mut section = Section::default();
    push_paragraph(&mut items, i, &b.text, &mut section);
    let mut letter = build_letter(blocks, 0, i, None, items, false);
    letter.warnings.push(
        "no list header was found; the list is the page's long comma-separated paragraph of names"
            .into(),
    );
    Some(letter)
}

/// An entry's source line, or on a long line (a comma-separated
/// paragraph) the part of it where the entry is, looked for from byte
/// `from` on (where the entry before it on the line was). Returns the
/// text and where the entry was found.
fn entry_raw(line: &str, text: &str, from: usize) -> (String, usize) {
    let trimmed = trim(line);
    if trimmed.len() <= MAX_RAW_BYTES {
        return (trimmed.to_string(), from);
    }
    let probe: String = text.chars().take(24).collect();
    let from = from.min(line.len());
    let at = line
        .get(from..)
        .and_then(|rest| rest.find(&probe))
        .map_or(from, |i| from + i);
    (excerpt(line, at), at)
}

fn signatories(blocks: &[Block], items: Vec<Item>, start: usize) -> Vec<Signatory> {
    // Decide from the whole list: when most entries of a section read
    // "Person Name, affiliation", that section lists people.
    // Each entry is read as "Person, affiliation" once, for the count and
    // for its own hint; its separators are found once for both readings.
    let marks: Vec<Marks> = items.iter().map(|it| Marks::of(&it.text)).collect();
    let with_affiliation: Vec<bool> = items
        .iter()
        .zip(&marks)
        .map(|(it, &m)| marked_person_with_affiliation(&it.text, m))
        .collect();
    let mut per_section: std::collections::HashMap<Option<&str>, (usize, usize)> =
        Default::default();
    for (it, &person) in items.iter().zip(&with_affiliation) {
        let e = per_section.entry(it.section.label.as_deref()).or_default();
        e.0 += 1;
        e.1 += usize::from(person);
    }
    let people_lists: Vec<bool> = items
        .iter()
        .map(|it| {
            let (total, people) = per_section[&it.section.label.as_deref()];
            total >= 3 && people * 10 >= total * 6
        })
        .collect();
    let mut out = Vec::with_capacity(items.len());
    // Where on its block's line the last entry was: (block, byte).
    let mut cursor = (usize::MAX, 0usize);
    let read = marks.into_iter().zip(with_affiliation).zip(people_lists);
    for (it, ((m, person), people_list)) in items.into_iter().zip(read) {
        let hint = it.section.kind.or_else(|| {
            (people_list && (person || crate::parse::entry::looks_like_person(&it.text)))
                .then_some(Kind::Individual)
        });
        let e = parse_marked_entry(&it.text, m, hint);
        // A line of symbols ("###", "* * *") names nobody.
        if has_empty_key(&e.name) {
            continue;
        }
        let b = &blocks[it.block];
        let from = if cursor.0 == it.block { cursor.1 } else { 0 };
        let (raw, at) = entry_raw(&b.raw, &it.text, from);
        cursor = (it.block, at);
        let kind = if e.individual {
            Kind::Individual
        } else {
            Kind::Organization
        };
        out.push(Signatory {
            position: (start + out.len() + 1) as u32,
            name: e.name,
            printed: it.text,
            acronym: e.acronym,
            note: e.note,
            country: e.country.or(it.section.country),
            affiliation: e.affiliation,
            kind,
            section: it.section.label,
            line: b.line,
            raw,
        });
    }
    out
}

fn finish_warnings(l: &mut Letter) {
    l.warnings.clear();
    if let Some(c) = l.claimed_count {
        if c != l.signatories.len() as u64 {
            l.warnings.push(format!(
                "the text claims {c} signatories but {} were found",
                l.signatories.len()
            ));
        }
    }
    if l.partial {
        l.warnings
            .push("the text says this list is partial".to_string());
    }
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
    let mut claimed =
        claimed_count(&blocks[h].text).or_else(|| title.as_deref().and_then(claimed_count));
    if claimed.is_none() {
        claimed = blocks[scope_start..h]
            .iter()
            .filter(|b| !b.chrome)
            .find_map(|b| claimed_count(&b.text));
        // A count badge in the page's chrome ("1821 signatures") counts when
        // the text itself claims nothing.
        if claimed.is_none() {
            claimed = blocks[scope_start..h]
                .iter()
                .find_map(|b| claimed_count(&b.text));
        }
    }
    // The date: the title, then short lines of the statement (datelines).
    let date = title.as_deref().and_then(find_date).or_else(|| {
        blocks[scope_start..h]
            .iter()
            .filter(|b| !b.chrome && b.words() <= 10)
            .find_map(|b| find_date(&b.text))
    });
    let signatories = signatories(blocks, items, 0);
    let mut letter = Letter {
        title,
        date,
        language: language.map(str::to_string),
        claimed_count: claimed,
        partial,
        header_line: blocks[h].line,
        signatories,
        warnings: Vec::new(),
    };
    finish_warnings(&mut letter);
    letter
}

/// Explains why a page yielded no list, for the error message.
pub fn why_no_list(blocks: &[Block]) -> String {
    let headers = blocks
        .iter()
        .filter(|b| header(b).is_some_and(|h| h.role != HeaderRole::Weak))
        .count();
    if headers == 0 {
        "no header such as \"Signed by:\", \"Signatories\", \"Signataires\", \"Firmantes\" or \"المنظمات الموقعة\" was found".to_string()
    } else {
        format!("{headers} header line(s) such as \"Signed by:\" were found, but no entries follow them")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma_lists_keep_places_with_their_names() {
        let p = rejoin_places(split_commas(
            "Access Now, University of California, San Diego, Karen Community of Iowa, IA, Article 19, and EFF.",
        ));
        assert_eq!(
            p,
            vec![
                "Access Now",
                "University of California, San Diego",
                "Karen Community of Iowa, IA",
                "Article 19",
                "EFF"
            ]
        );
        assert!(is_comma_list("A, B, C (x, y), D"));
        assert!(!is_comma_list("We call on the government, the parliament, and the courts, to act now, before it is too late and the situation gets worse for everyone involved in this."));
    }

    #[test]
    fn word_lists_find_their_words_as_by_comparing_each() {
        let lists = [&PROSE_STARTS, &CALLS_TO_ACTION, &STRONG_VERBS, &PROSE_WORDS];
        let mut probes: Vec<String> = vec![
            String::new(),
            "Click".into(),
            "clic\u{212A}".into(),
            "Clicks".into(),
            "IS".into(),
            "is".into(),
            "Is".into(),
            "ißt".into(),
            "Ésto".into(),
            "x".repeat(40),
        ];
        for list in lists {
            for w in list.words {
                probes.push(w.to_string());
                probes.push(w.to_uppercase());
                probes.push(format!("{w}s"));
                probes.push(w[1..].to_string());
            }
        }
        for list in lists {
            for w in &probes {
                assert_eq!(list.contains(w), list.words.contains(&w.as_str()), "{w:?}");
                let lower = w.to_lowercase();
                assert_eq!(
                    list.contains_lower(w),
                    list.words.contains(&lower.as_str()),
                    "{w:?}"
                );
            }
        }
        assert!(has_http_url("see https://x.org") && has_http_url("http://x"));
        assert!(!has_http_url("Note: http:/x") && !has_http_url("https:"));
    }

    #[test]
    fn country_headings() {
        let mut b = Block::blank(1);
        b.text = "South Korea (76)".into();
        assert_eq!(country_heading(&b).as_deref(), Some("KR"));
        b.text = "(New Zealand)".into();
        assert_eq!(country_heading(&b).as_deref(), Some("NZ"));
        b.text = "Karen Youth".into();
        assert_eq!(country_heading(&b), None);
    }

    /// Found with a paragraph of 5,000 comma-separated names: every
    /// signer kept the whole paragraph as its source line (620 MB).
    #[test]
    fn comma_paragraph_signers_keep_an_excerpt_of_their_line() {
        let names: Vec<String> = (0..400).map(|i| format!("Riverside Group {i}")).collect();
        let text = format!("Signed by:\n\n{}\n", names.join(", "));
        let blocks = crate::parse::text::blocks(&text, crate::parse::Format::Text);
        let letters = find_letters(&blocks);
        assert_eq!(letters[0].signatories.len(), 400);
        for (s, name) in letters[0].signatories.iter().zip(&names) {
            assert!(s.raw.len() <= MAX_RAW_BYTES + 8, "{} bytes", s.raw.len());
            assert!(s.raw.contains(name.as_str()), "{name} in {}", s.raw);
            assert_eq!(s.line, 3);
        }
    }
}
