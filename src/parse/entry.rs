//! One list entry -> name, acronym, note, country, affiliation and kind.
//! "8888 Generation (New Zealand)", "ASEAN Parliamentarians for Human
//! Rights – APHR", "Kansas Karenni community, KS", "Kim Wan Sik (MR)",
//! "Jane Doe, Professor, University of X" (in a list of individuals).

use super::blocks::trim;
use super::Kind;
use crate::data::{country_code, is_honorific, subdivision};

/// What one entry says, split into its parts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Entry {
    pub name: String,
    pub acronym: Option<String>,
    pub note: Option<String>,
    pub country: Option<String>,
    pub affiliation: Option<String>,
    pub individual: bool,
}

/// Splits an entry. `section` is the kind the list's section heading
/// announces ("Individuals"), if any.
pub fn parse_entry(text: &str, section: Option<Kind>) -> Entry {
    parse_marked_entry(text, Marks::of(text), section)
}

/// [`parse_entry`] with the entry's [`Marks`] already read (a list reads
/// each entry twice).
pub fn parse_marked_entry(text: &str, marks: Marks, section: Option<Kind>) -> Entry {
    let mut e = Entry::default();
    // The name is narrowed as parts are split off; each part is a slice of
    // the entry, copied once at the end.
    let mut name = trim(trim(text).trim_end_matches([',', ';', '\u{B8}', '/']));
    // "Name / Affiliation": a person with the affiliation after the slash.
    if let Some((who, _)) = marks.split_once(name, " / ") {
        if looks_like_person(who) {
            e.individual = true;
        }
    }
    let mut notes: Vec<&str> = Vec::new();
    // A leading acronym: "FIDH – International Federation for Human Rights".
    for sep in [" – ", " — ", " - ", ": "] {
        if let Some((head, rest)) = marks.split_once(name, sep) {
            let caps_only = head.chars().all(|c| !c.is_lowercase());
            if is_acronym(head)
                && (sep != ": " || (caps_only && head.chars().count() >= 3))
                && rest.split_whitespace().count() >= 2
                && country_code(head).is_none()
            {
                e.acronym = Some(head.to_string());
                name = rest.trim();
                break;
            }
        }
    }

    // Trailing annotations, outermost first; at most a few.
    for _ in 0..4 {
        if let Some((head, inner)) = trailing_parenthetical(name) {
            if head.is_empty() {
                break;
            }
            // "(MR)" is a title before it is Mauritania.
            if is_honorific(inner) {
                e.individual = true;
                notes.push(inner);
            } else if let Some(cc) = country_code(inner) {
                e.country.get_or_insert_with(|| cc.to_string());
                notes.push(inner);
            } else if let Some((cc, _)) = subdivision(inner) {
                e.country.get_or_insert_with(|| cc.to_string());
                notes.push(inner);
            } else if e.acronym.is_none() && is_acronym(inner) {
                e.acronym = Some(inner.to_string());
            } else {
                break;
            }
            name = head;
            continue;
        }
        if let Some((head, tail)) = trailing_dash_part(name, marks) {
            if e.acronym.is_none() && is_acronym(tail) && country_code(tail).is_none() {
                e.acronym = Some(tail.to_string());
                name = head;
                continue;
            }
        }
        if let Some((head, tail)) = marks.rsplit_once(name, ",") {
            let (head, tail) = (head.trim(), tail.trim());
            if !head.is_empty() && !tail.is_empty() {
                // ", IL" after a name is Illinois far more often than Israel:
                // a postal code after a comma reads as a state first.
                let code_like =
                    (2..=3).contains(&tail.len()) && tail.chars().all(|c| c.is_ascii_uppercase());
                let state = if code_like { subdivision(tail) } else { None };
                if let Some((cc, _)) = state {
                    e.country.get_or_insert_with(|| cc.to_string());
                    notes.push(tail);
                    name = head;
                    continue;
                }
                if let Some(cc) = country_code(tail) {
                    e.country.get_or_insert_with(|| cc.to_string());
                    notes.push(tail);
                    name = head;
                    continue;
                }
                if let Some((cc, _)) = subdivision(tail) {
                    e.country.get_or_insert_with(|| cc.to_string());
                    notes.push(tail);
                    name = head;
                    continue;
                }
            }
        }
        break;
    }
    notes.reverse();
    if !notes.is_empty() {
        e.note = Some(notes.join(", "));
    }

    // A leading title ("Dr", "Rev.", "Prof.") before at least two words
    // marks a person.
    let mut words = name.split_whitespace();
    if let Some(first) = words.next() {
        if is_honorific(first.trim_end_matches('.')) && words.count() >= 2 {
            e.individual = true;
        }
    }

    if section == Some(Kind::Individual) {
        e.individual = true;
    }
    if e.individual {
        if let Some((person, rest)) = split_person(name, marks) {
            e.affiliation = Some(rest.to_string());
            name = person;
        }
    }
    e.name = name.to_string();
    e
}

/// Two to four capitalised words and nothing else: "Brian Eno", "Renata Avila".
pub fn looks_like_person(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    (2..=4).contains(&words.len())
        && words
            .iter()
            .all(|w| w.chars().next().is_some_and(char::is_uppercase))
        && !words.iter().any(|w| is_org_word(w))
        && !words
            .iter()
            .any(|w| w.len() > 2 && w.chars().all(|c| !c.is_lowercase()))
}

/// True when an entry reads "Person Name, affiliation" (or with " / ",
/// " - " or a tab): the part before the separator looks like a person.
pub fn person_with_affiliation(s: &str) -> bool {
    marked_person_with_affiliation(s, Marks::of(s))
}

/// [`person_with_affiliation`] with the entry's [`Marks`] already read.
pub fn marked_person_with_affiliation(s: &str, marks: Marks) -> bool {
    split_person(s, marks).is_some_and(|(who, rest)| {
        // "Open Rights Group, United Kingdom" is a name and its country.
        looks_like_person(who) && country_code(rest).is_none() && subdivision(rest).is_none()
    })
}

/// Words that make a name an organization's, never a person's.
const ORG_WORDS: &[&str] = &[
    "group",
    "foundation",
    "network",
    "association",
    "union",
    "council",
    "centre",
    "center",
    "institute",
    "committee",
    "coalition",
    "alliance",
    "campaign",
    "community",
    "society",
    "league",
    "forum",
    "watch",
    "now",
    "international",
    "federation",
    "project",
    "initiative",
    "club",
    "trust",
    "fund",
    "party",
    "church",
    "university",
    "college",
    "school",
    "museum",
    "press",
    "media",
    "news",
    "radio",
    "rights",
    "action",
    "movement",
    "platform",
    "collective",
    "solidarity",
    "organization",
    "organisation",
    "inc",
    "ltd",
    "llc",
    "gmbh",
    "e.v.",
    "vzw",
];

/// "Name, affiliation", "Name / affiliation", "Name - affiliation".
fn split_person(s: &str, marks: Marks) -> Option<(&str, &str)> {
    for sep in [" / ", ", ", " – ", " - ", "\t"] {
        if let Some((a, b)) = marks.split_once(s, sep) {
            let (a, b) = (a.trim(), b.trim().trim_start_matches(['/', ',']).trim());
            if !a.is_empty() && a.split_whitespace().count() <= 6 {
                return Some((a, b));
            }
        }
    }
    None
}

/// True when `w`, lower-cased and without a trailing "." or ",", is one of
/// [`ORG_WORDS`] (all ASCII): ASCII is compared without a lower-cased copy.
fn is_org_word(w: &str) -> bool {
    if w.is_ascii() {
        let w = w.trim_end_matches(['.', ',']);
        ORG_WORDS.iter().any(|o| o.eq_ignore_ascii_case(w))
    } else {
        ORG_WORDS.contains(&w.to_lowercase().trim_end_matches(['.', ',']))
    }
}

/// The separator characters an entry holds ("/", "-", ":", ",", a tab,
/// and any character from U+2000 to U+2FFF, which holds "–" and "—"),
/// found in one pass. Every part split off an entry is a slice of it, so
/// a separator whose character the entry lacks is in none of them and
/// need not be searched for: most entries hold no separator at all, and
/// each search of a string builds a searcher first.
#[derive(Clone, Copy)]
pub struct Marks(u8);

impl Marks {
    /// Each byte's bit, looked up rather than branched on.
    const BITS: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut b = 0;
        while b < 256 {
            t[b] = Marks::bit(b as u8);
            b += 1;
        }
        t
    };

    pub fn of(s: &str) -> Marks {
        Marks(s.bytes().fold(0, |m, b| m | Marks::BITS[usize::from(b)]))
    }

    const fn bit(b: u8) -> u8 {
        match b {
            b'/' => 1,
            b'-' => 2,
            b':' => 4,
            b',' => 8,
            b'\t' => 16,
            // The first byte of U+2000..U+2FFF in UTF-8.
            0xE2 => 32,
            _ => 0,
        }
    }

    /// False when `sep` (" – ", ", ") cannot be in a slice of the entry.
    fn may_hold(self, sep: &str) -> bool {
        match sep.bytes().find(|&b| b != b' ').map(Marks::bit) {
            Some(bit) if bit != 0 => self.0 & bit != 0,
            _ => true,
        }
    }

    fn split_once<'a>(self, s: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
        self.may_hold(sep).then(|| s.split_once(sep)).flatten()
    }

    fn rsplit_once<'a>(self, s: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
        self.may_hold(sep).then(|| s.rsplit_once(sep)).flatten()
    }
}

/// For "Head (inner)" returns ("Head", "inner"), parentheses balanced.
fn trailing_parenthetical(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_end();
    if !s.ends_with(')') {
        return None;
    }
    let mut depth = 0;
    for (i, c) in s.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth -= 1;
                if depth == 0 {
                    let inner = s[i + 1..s.len() - 1].trim();
                    return Some((s[..i].trim_end(), inner));
                }
            }
            _ => {}
        }
    }
    None
}

/// For "Head – Tail" or "Head - Tail" (a dash with spaces) returns both.
fn trailing_dash_part(s: &str, marks: Marks) -> Option<(&str, &str)> {
    for sep in [" – ", " — ", " - "] {
        if let Some((head, tail)) = marks.rsplit_once(s, sep) {
            if !head.trim().is_empty() {
                return Some((head.trim(), tail.trim()));
            }
        }
    }
    None
}

/// An acronym: one token whose first hyphen-separated part is at least
/// two capitals or digits with at least two capitals ("APHR", "FORUM-ASIA",
/// "ND-Burma", "GM4MD", "WAC-M", "PDP-Center").
pub fn is_acronym(s: &str) -> bool {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 24 || s.contains(char::is_whitespace) {
        return false;
    }
    let first = s.split(['-', '/', '.']).next().unwrap_or("");
    let caps = first.chars().filter(|c| c.is_uppercase()).count();
    let letters = first.chars().filter(|c| c.is_alphabetic()).count();
    // "APHR", "GM4MD", and mixed forms such as "EDRi" (mostly capitals).
    caps >= 2
        && caps * 10 >= letters * 7
        && first.chars().all(|c| c.is_alphanumeric() || c == '&')
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | '.' | '&'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> Entry {
        parse_entry(s, None)
    }

    #[test]
    fn marks_are_read_as_each_byte_says() {
        for c in (0u8..0x80)
            .map(char::from)
            .chain(['–', '—', 'é', '日', '\u{2000}'])
        {
            let s = format!("a{c}b");
            let each = s.bytes().fold(0, |m, b| m | Marks::bit(b));
            assert_eq!(Marks::of(&s).0, each, "{s:?}");
        }
        let m = Marks::of("Name – Tail");
        assert!(m.may_hold(" – ") && m.may_hold(" — ") && !m.may_hold(", ") && !m.may_hold(" / "));
    }

    #[test]
    fn country_note_in_parentheses() {
        let x = e("8888 Generation (New Zealand)");
        assert_eq!(x.name, "8888 Generation");
        assert_eq!(x.note.as_deref(), Some("New Zealand"));
        assert_eq!(x.country.as_deref(), Some("NZ"));
    }

    #[test]
    fn acronyms_in_parentheses_and_after_dash() {
        let x = e("ASEAN Parliamentarians for Human Rights – APHR");
        assert_eq!(
            (x.name.as_str(), x.acronym.as_deref()),
            ("ASEAN Parliamentarians for Human Rights", Some("APHR"))
        );
        let x = e("Alliance for Gender Inclusion in Peace Process (AGIPP)");
        assert_eq!(x.acronym.as_deref(), Some("AGIPP"));
        let x = e("Women Advocacy Coalition – Myanmar (WAC-M)");
        assert_eq!(
            (x.name.as_str(), x.acronym.as_deref()),
            ("Women Advocacy Coalition – Myanmar", Some("WAC-M"))
        );
        let x = e("The Asian Forum for Human Rights and Development (FORUM-ASIA)");
        assert_eq!(x.acronym.as_deref(), Some("FORUM-ASIA"));
    }

    #[test]
    fn states_after_comma() {
        let x = e("Karen Organization of Illinois, IL");
        assert_eq!(x.country.as_deref(), Some("US"));
        let x = e("Kansas Karenni community, KS");
        assert_eq!(
            (x.name.as_str(), x.note.as_deref(), x.country.as_deref()),
            ("Kansas Karenni community", Some("KS"), Some("US"))
        );
        let x = e("Democracy, Peace and Women’s Organization – DPW");
        assert_eq!(
            (x.name.as_str(), x.acronym.as_deref()),
            ("Democracy, Peace and Women’s Organization", Some("DPW"))
        );
    }

    #[test]
    fn names_that_keep_their_parts() {
        for s in [
            "Burmese Relief Center - Japan",
            "Milk Tea Alliance (Friend For Myanmar)",
            "Albany Karen Community, Albany",
            "Athan – Freedom of Expression Activist Organization",
            "University of California, Berkeley",
        ] {
            assert_eq!(e(s).name, s);
        }
    }

    #[test]
    fn people() {
        let x = e("Kim Wan Sik (MR)");
        assert!(x.individual);
        assert_eq!(
            (x.name.as_str(), x.note.as_deref()),
            ("Kim Wan Sik", Some("MR"))
        );
        let x = parse_entry(
            "Jane Doe, Professor, University of X",
            Some(Kind::Individual),
        );
        assert_eq!(
            (x.name.as_str(), x.affiliation.as_deref()),
            ("Jane Doe", Some("Professor, University of X"))
        );
        assert!(e("Rev. Bill Crews").individual);
        let x = e("Brian Eno / Artist, Musician");
        assert!(x.individual);
        assert_eq!(
            (x.name.as_str(), x.affiliation.as_deref()),
            ("Brian Eno", Some("Artist, Musician"))
        );
        assert_eq!(e("Seth Pyenson /").name, "Seth Pyenson");
    }
}
