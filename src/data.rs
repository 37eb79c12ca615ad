//! Lookup tables compiled in from `data/` (header phrases, count nouns,
//! honorifics, month names, countries, subdivisions), loaded once and
//! indexed by their folded key. Sources and licences: `data/README.md`.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::normalize::name_key;

/// What a list header line announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderRole {
    /// "Signed by", "Signataires": the start of a signatory list.
    List,
    /// "Organisations": a section of organizations inside a list.
    Organizations,
    /// "Individuals": a section of people inside a list.
    Individuals,
    /// "Subsequent signers": more entries of the list before it, after a
    /// break (endnotes, a form).
    More,
    /// "We, the undersigned", "Respectfully,": a list may follow, but only
    /// a list of several entries right after it counts.
    Weak,
}

/// All tables, indexed by [`name_key`].
pub struct Tables {
    pub headers: HashMap<String, HeaderRole>,
    /// Phrases that may open a list from inside a sentence.
    pub weak_headers: Vec<String>,
    /// Phrases after which a sentence lists its signers ("written and
    /// endorsed by A, B and C"), read only when a page has no list.
    pub inline_cues: Vec<String>,
    /// City name (folded) -> the countries that have a city of that name.
    pub count_nouns: HashSet<String>,
    pub months: HashMap<String, u32>,
    /// Country name (any language, any listed form) -> ISO alpha-2 code.
    pub countries: HashMap<String, &'static str>,
    /// ISO alpha-2 codes that exist.
    pub country_codes: HashSet<&'static str>,
    /// Forms that name a country only when printed in capitals: alpha-3
    /// codes and short forms ("USA", "UK", "DRC"); folded, "and" or "can"
    /// would read as Andorra or Canada.
    pub country_caps: HashMap<&'static str, &'static str>,
    /// Subdivision name or postal code (upper case, as printed) -> (country, code).
    pub subdivision_names: HashMap<String, (&'static str, &'static str)>,
    pub subdivision_codes: HashMap<&'static str, &'static str>,
}

const HEADERS: &str = include_str!("../data/headers.csv");
const COUNT_NOUNS: &str = include_str!("../data/count_nouns.csv");
const HONORIFICS: &str = include_str!("../data/honorifics.csv");
const MONTHS: &str = include_str!("../data/months.csv");
pub(crate) const COUNTRIES: &str = include_str!("../data/countries.csv");
pub(crate) const SUBDIVISIONS: &str = include_str!("../data/subdivisions.csv");
pub(crate) const CITIES: &str = include_str!("../data/cities.csv");
pub(crate) const ORG_TYPES: &str = include_str!("../data/org_types.csv");

/// Rows of a bundled CSV file, header skipped. The files are ours and
/// checked by tests, so a malformed row is a build defect: it is skipped
/// here and caught by `tables_load_completely`.
pub(crate) fn rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(split_csv_line)
}

/// Splits one line of our bundled CSV files. They quote a field only when
/// it holds a comma, and never hold a quote inside a field.
fn split_csv_line(line: &'static str) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        if let Some(stripped) = rest.strip_prefix('"') {
            let end = stripped.find('"').unwrap_or(stripped.len());
            out.push(&stripped[..end]);
            rest = stripped.get(end + 1..).unwrap_or("");
            rest = rest.strip_prefix(',').unwrap_or(rest);
            if rest.is_empty() && !line.ends_with(',') {
                return out;
            }
        } else {
            match rest.find(',') {
                Some(i) => {
                    out.push(&rest[..i]);
                    rest = &rest[i + 1..];
                }
                None => {
                    out.push(rest);
                    return out;
                }
            }
        }
    }
}

pub fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(load)
}

/// City name key -> the countries of the cities of that name. Apart from
/// [`tables`]: it is the largest table, and most commands never read it.
pub fn cities() -> &'static HashMap<String, Vec<&'static str>> {
    static T: OnceLock<HashMap<String, Vec<&'static str>>> = OnceLock::new();
    T.get_or_init(|| {
        let mut cities: HashMap<String, Vec<&'static str>> = HashMap::new();
        for r in rows(CITIES) {
            if let [name, country, ..] = r[..] {
                let e = cities.entry(name_key(name)).or_default();
                if !e.contains(&country) {
                    e.push(country);
                }
            }
        }
        cities
    })
}

fn load() -> Tables {
    let mut headers = HashMap::new();
    let mut weak = Vec::new();
    let mut inline = Vec::new();
    for r in rows(HEADERS) {
        if let [phrase, _lang, kind] = r[..] {
            let role = match kind {
                "organizations" => HeaderRole::Organizations,
                "individuals" => HeaderRole::Individuals,
                "more" => HeaderRole::More,
                "weak" | "closing" => HeaderRole::Weak,
                _ => HeaderRole::List,
            };
            // "closing" formulas ("Respectfully,") count only as a whole line;
            // "weak" phrases ("the undersigned") anywhere in one.
            if kind == "weak" {
                weak.push(name_key(phrase));
            } else if kind == "inline" {
                inline.push(phrase.to_string());
            } else {
                headers.insert(name_key(phrase), role);
            }
        }
    }
    let count_nouns = rows(COUNT_NOUNS).map(|r| name_key(r[0])).collect();
    let mut months = HashMap::new();
    for r in rows(MONTHS) {
        if let [name, m, _] = r[..] {
            if let Ok(m) = m.parse() {
                months.insert(name_key(name), m);
            }
        }
    }
    let mut countries = HashMap::new();
    let mut country_codes = HashSet::new();
    let mut country_caps = HashMap::new();
    for r in rows(COUNTRIES) {
        if let [code, name, kind] = r[..] {
            country_codes.insert(code);
            let caps = name.len() <= 6 && name.chars().all(|c| c.is_ascii_uppercase() || c == '.');
            if kind == "alpha3" || caps {
                country_caps.insert(name, code);
                country_caps.insert(name.trim_end_matches('.'), code);
            } else {
                // First listing wins: the file lists official names first.
                countries.entry(name_key(name)).or_insert(code);
            }
        }
    }
    let mut subdivision_names = HashMap::new();
    let mut subdivision_codes = HashMap::new();
    for r in rows(SUBDIVISIONS) {
        if let [country, code, name] = r[..] {
            subdivision_names.insert(name_key(name), (country, code));
            subdivision_codes.insert(code, country);
        }
    }
    Tables {
        headers,
        weak_headers: weak,
        inline_cues: inline,
        count_nouns,
        months,
        countries,
        country_codes,
        country_caps,
        subdivision_names,
        subdivision_codes,
    }
}

/// The ISO code of a country named by `text` ("New Zealand", "Nouvelle-Zélande",
/// "مصر", "UK"), or of a bare alpha-2 code printed in capitals ("NZ").
pub fn country_code(text: &str) -> Option<&'static str> {
    let t = tables();
    let trimmed = text.trim().trim_end_matches('.');
    if trimmed.len() == 2 && trimmed.chars().all(|c| c.is_ascii_uppercase()) {
        if let Some(code) = t.country_codes.get(trimmed) {
            return Some(code);
        }
    }
    if let Some(code) = t.country_caps.get(trimmed) {
        return Some(code);
    }
    let key = name_key(trimmed);
    let key = key.strip_prefix("the ").unwrap_or(&key);
    t.countries.get(key).copied()
}

/// The country and code of a state or province named by `text`: a postal
/// code printed in capitals ("IA", "BC") or a name ("Iowa", "British Columbia").
pub fn subdivision(text: &str) -> Option<(&'static str, &'static str)> {
    let t = tables();
    let trimmed = text.trim().trim_end_matches('.');
    if (2..=3).contains(&trimmed.len()) && trimmed.chars().all(|c| c.is_ascii_uppercase()) {
        if let Some((code, country)) = t.subdivision_codes.get_key_value(trimmed) {
            return Some((country, code));
        }
    }
    t.subdivision_names.get(&name_key(trimmed)).copied()
}

pub fn header_role(key: &str) -> Option<HeaderRole> {
    tables().headers.get(key).copied()
}

/// The countries that have a city of this name (GeoNames, 100,000+ people).
pub fn city_countries(text: &str) -> Option<&'static [&'static str]> {
    cities().get(&name_key(text)).map(Vec::as_slice)
}

/// True when the line holds a phrase that may open a list from inside a
/// sentence ("We, the undersigned", "Respectfully,").
pub fn has_weak_header(key: &str) -> bool {
    // Asked of most short lines of a page. A phrase (a key: single spaces,
    // none at its ends) is in the line when the line, from the start of
    // one of its words, goes on with the phrase up to a word's end; so
    // only the phrases starting with that word are tried, and nothing is
    // built per line.
    static BY_FIRST_WORD: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    let by_first = BY_FIRST_WORD.get_or_init(|| {
        let mut m: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        for p in &tables().weak_headers {
            m.entry(p.split(' ').next().unwrap_or(""))
                .or_default()
                .push(p.as_str());
        }
        m
    });
    let mut at = 0;
    key.split(' ').any(|word| {
        let rest = &key[at..];
        at += word.len() + 1;
        by_first.get(word).is_some_and(|phrases| {
            phrases.iter().any(|p| {
                rest.strip_prefix(p)
                    .is_some_and(|after| after.is_empty() || after.starts_with(' '))
            })
        })
    })
}

/// True for a title printed before a person's name ("Dr.", "Prof.").
/// Apart from [`tables`]: reading one name (`signed-by NAME`) needs this
/// table and no other.
pub fn is_honorific(word: &str) -> bool {
    const SHORT: usize = 16;
    struct Honorifics {
        keys: HashSet<String>,
        /// For each key length up to `SHORT` bytes, a bit for the first
        /// byte (modulo 64) of each key of that length.
        firsts: [u64; SHORT + 1],
    }
    static T: OnceLock<Honorifics> = OnceLock::new();
    let t = T.get_or_init(|| {
        let keys: HashSet<String> = rows(HONORIFICS).map(|r| name_key(r[0])).collect();
        let mut firsts = [0u64; SHORT + 1];
        for k in keys.iter().filter(|k| (1..=SHORT).contains(&k.len())) {
            firsts[k.len()] |= 1 << (k.as_bytes()[0] & 63);
        }
        Honorifics { keys, firsts }
    });
    let set = &t.keys;
    // Asked of the first word of every entry the parser reads. The key of
    // a short word of ASCII letters and digits is its lower case: no key
    // of its length starting with its letter (most words) rules it out,
    // else it is looked up from the stack instead of built.
    if (1..=SHORT).contains(&word.len()) && word.bytes().all(|b| b.is_ascii_alphanumeric()) {
        let first = word.as_bytes()[0].to_ascii_lowercase();
        if t.firsts[word.len()] & (1 << (first & 63)) == 0 {
            return false;
        }
        let mut key = [0u8; SHORT];
        for (k, b) in key.iter_mut().zip(word.bytes()) {
            *k = b.to_ascii_lowercase();
        }
        return std::str::from_utf8(&key[..word.len()]).is_ok_and(|k| set.contains(k));
    }
    set.contains(&name_key(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load_completely() {
        let t = tables();
        let phrases: HashSet<String> = rows(HEADERS).map(|r| name_key(r[0])).collect();
        let inline: HashSet<String> = t.inline_cues.iter().map(|p| name_key(p)).collect();
        let exact: HashSet<&String> = t.headers.keys().chain(t.weak_headers.iter()).collect();
        // Every phrase lands in one table or, for "inline" cues, also another.
        assert_eq!(
            exact.len()
                + inline
                    .difference(&exact.iter().map(|k| (*k).clone()).collect())
                    .count(),
            phrases.len()
        );
        assert!(cities().len() > 5000);
        assert_eq!(
            rows(HEADERS).filter(|r| r.len() == 3).count(),
            rows(HEADERS).count()
        );
        assert!(t.months.len() >= 90);
        assert!(t.country_codes.len() >= 240, "{}", t.country_codes.len());
        assert!(t.subdivision_codes.len() >= 60);
    }

    #[test]
    fn weak_headers_are_found_as_whole_words() {
        let padded = |key: &str| {
            let padded = format!(" {key} ");
            tables()
                .weak_headers
                .iter()
                .any(|p| padded.contains(&format!(" {p} ")))
        };
        for key in [
            "",
            "the undersigned",
            "we the undersigned organizations call on",
            "xthe undersigned",
            "the undersignedx",
            "a  the undersigned",
            "to the endorsers",
            "endorsers",
            "los firmantes de",
            "supporting organisations supporting",
            "undersigned",
        ] {
            assert_eq!(has_weak_header(key), padded(key), "{key:?}");
        }
    }

    #[test]
    fn countries_in_several_languages() {
        assert_eq!(country_code("New Zealand"), Some("NZ"));
        assert_eq!(country_code("Nouvelle-Zélande"), Some("NZ"));
        assert_eq!(country_code("مصر"), Some("EG"));
        assert_eq!(country_code("UK"), Some("GB"));
        assert_eq!(country_code("NZ"), Some("NZ"));
        assert_eq!(country_code("Burma"), Some("MM"));
        assert_eq!(country_code("the Netherlands"), Some("NL"));
        assert_eq!(country_code("nz"), None);
        assert_eq!(country_code("USA"), Some("US"));
        assert_eq!(country_code("U.S."), Some("US"));
        assert_eq!(country_code("and"), None);
        assert_eq!(country_code("can"), None);
        assert_eq!(country_code("Friend For Myanmar"), None);
    }

    #[test]
    fn honorifics_of_short_ascii_words_are_read_as_their_keys() {
        let set: HashSet<String> = rows(HONORIFICS).map(|r| name_key(r[0])).collect();
        for w in [
            "Dr",
            "DR",
            "dr",
            "Prof",
            "Professor",
            "Mr",
            "Mrs",
            "Rev",
            "M",
            "Me",
            "Kurdish",
            "The",
            "Dr.",
            "d r",
            "",
            "Senator",
            "Reverendissimo",
            "السيد",
            "Sr",
        ] {
            assert_eq!(is_honorific(w), set.contains(&name_key(w)), "{w:?}");
        }
        assert!(is_honorific("Dr") && is_honorific("PROFESSOR") && !is_honorific("Kurdish"));
    }

    #[test]
    fn subdivisions_by_code_and_name() {
        assert_eq!(subdivision("IA"), Some(("US", "IA")));
        assert_eq!(subdivision("British Columbia"), Some(("CA", "BC")));
        assert_eq!(subdivision("ia"), None);
    }
}
