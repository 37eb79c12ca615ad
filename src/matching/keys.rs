//! What the matcher knows about one printed name: its tokens, fingerprint,
//! transliteration, script, acronyms (printed or generated), and the
//! places and countries it names. Built once per name, compared many times.

use any_ascii::any_ascii;

use crate::data::{city_countries, country_code, subdivision};
use crate::normalize::name_key;

/// Words left out of fingerprints, initialisms and token comparison:
/// articles, prepositions and conjunctions in the letters' languages.
pub const STOPWORDS: &[&str] = &[
    "the", "of", "for", "and", "in", "on", "at", "to", "a", "an", "by", "with", "de", "la", "le",
    "les", "des", "du", "d", "l", "et", "pour", "en", "y", "el", "los", "las", "del", "para",
    "por", "e", "da", "do", "das", "dos", "und", "der", "die", "fur", "für", "von", "و", "ال",
    "في", "من", "على", "ل", "لل",
];

/// Legal-form words that never tell two organizations apart.
pub const LEGAL_FORMS: &[&str] = &[
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "gmbh",
    "ev",
    "vzw",
    "asbl",
    "aisbl",
    "sa",
    "sarl",
    "ac",
    "co",
    "corp",
    "plc",
    "pty",
    "cic",
    "charity",
];

/// The writing system a name is in, for cross-script rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Latin,
    Arabic,
    Hangul,
    Other,
}

/// A printed name prepared for comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct NameInfo {
    /// The name as given.
    pub raw: String,
    /// `normalize::name_key`: the exact-match key.
    pub key: String,
    /// Content tokens (stopwords and legal forms removed), in order, with
    /// the Arabic article stripped.
    pub tokens: Vec<String>,
    /// Tokens sorted and joined: equal fingerprints are the same name in
    /// another order or dress.
    pub fingerprint: String,
    /// The tokens run together: "Euro-Med Rights" and "EuroMed Rights"
    /// share it.
    pub joined: String,
    /// ASCII transliteration of the key, for cross-script candidates.
    pub translit: String,
    pub script: Script,
    /// Acronyms printed with the name ("APHR") or the name itself when it
    /// is one ("FORUM-ASIA"), folded.
    pub printed_acronyms: Vec<String>,
    /// Initialisms generated from the tokens ("aphr" for "ASEAN
    /// Parliamentarians for Human Rights").
    pub initialisms: Vec<String>,
    /// True when the whole name is a single acronym-like token.
    pub is_acronym: bool,
    /// Country printed with the name (note), if known.
    pub country: Option<String>,
    /// Countries named inside the name ("Burma Campaign UK" -> GB, MM).
    pub countries_in_name: Vec<String>,
    /// The canonical name the bundled alias table gives the key, if any.
    pub canonical: Option<&'static str>,
}

impl NameInfo {
    pub fn new(name: &str, acronym: Option<&str>, country: Option<&str>) -> NameInfo {
        let key = name_key(name);
        let script = script_of(&key);
        let mut tokens: Vec<String> = Vec::new();
        // "u s a" (from "U.S.A.") is one word, "usa".
        let mut words: Vec<String> = Vec::new();
        let mut in_run = false;
        for t in key.split(' ').filter(|t| !t.is_empty()) {
            let single = t.chars().count() == 1 && t.chars().all(char::is_alphabetic);
            match words.last_mut() {
                Some(last) if single && in_run => last.push_str(t),
                _ => words.push(t.to_string()),
            }
            in_run = single;
        }
        for t in words.iter().map(String::as_str) {
            // The Arabic article is a prefix: "المنظمة" -> "منظمه".
            let t = if script == Script::Arabic {
                t.strip_prefix("ال")
                    .filter(|r| r.chars().count() >= 2)
                    .unwrap_or(t)
            } else {
                t
            };
            if STOPWORDS.contains(&t) || LEGAL_FORMS.contains(&t) {
                continue;
            }
            // Latin words compare without accents: "josé" = "jose".
            if script == Script::Latin {
                tokens.push(any_ascii(t).to_lowercase());
            } else {
                tokens.push(t.to_string());
            }
        }
        if tokens.is_empty() {
            // A name of stopwords only keeps them rather than vanish.
            tokens = key
                .split(' ')
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect();
        }
        let mut sorted = tokens.clone();
        sorted.sort();
        let fingerprint = sorted.join(" ");
        let joined = tokens.concat();
        let translit = name_key(&any_ascii(&key)).replace(' ', "");
        let trimmed = name.trim();
        let is_acronym = crate::parse::entry::is_acronym(trimmed) && !trimmed.contains(' ');
        let mut printed_acronyms = Vec::new();
        if let Some(a) = acronym {
            printed_acronyms.push(acronym_key(a));
        }
        if is_acronym {
            printed_acronyms.push(acronym_key(trimmed));
        }
        let initialisms = if is_acronym {
            Vec::new()
        } else {
            initialisms(&key)
        };
        let mut countries_in_name = Vec::new();
        let words: Vec<&str> = name
            .split(|c: char| !c.is_alphanumeric() && c != '.')
            .filter(|w| !w.is_empty())
            .collect();
        for n in (1..=3).rev() {
            for w in words.windows(n) {
                let phrase = w.join(" ");
                if let Some(cc) = country_code(&phrase) {
                    if !countries_in_name.iter().any(|c| c == cc) {
                        countries_in_name.push(cc.to_string());
                    }
                }
            }
        }
        NameInfo {
            raw: name.to_string(),
            tokens,
            fingerprint,
            joined,
            translit,
            script,
            printed_acronyms,
            initialisms,
            is_acronym,
            country: country.map(str::to_string),
            countries_in_name,
            canonical: super::aliases::canonical(&key),
            key,
        }
    }

    /// Every acronym this name answers to.
    pub fn all_acronyms(&self) -> impl Iterator<Item = &String> {
        self.printed_acronyms.iter().chain(self.initialisms.iter())
    }
}

/// An acronym folded for comparison: letters and digits only, lower case.
pub fn acronym_key(a: &str) -> String {
    name_key(a).replace(' ', "")
}

/// Initialisms of a name: first letters of its words, skipping stopwords
/// ("ASEAN Parliamentarians for Human Rights" -> "aphr"), and the variant
/// that keeps a multi-letter capitalised first word whole
/// ("FORUM-ASIA" style names are matched through their printed form).
pub fn initialisms(key: &str) -> Vec<String> {
    let words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    if words.len() < 2 {
        return Vec::new();
    }
    let content: String = words
        .iter()
        .filter(|w| !STOPWORDS.contains(w))
        .filter_map(|w| w.chars().next())
        .collect();
    let all: String = words.iter().filter_map(|w| w.chars().next()).collect();
    let mut out = vec![content.clone()];
    if all != content {
        out.push(all);
    }
    out.retain(|a| a.chars().count() >= 2);
    out
}

fn script_of(s: &str) -> Script {
    let mut latin = 0;
    let mut arabic = 0;
    let mut hangul = 0;
    let mut other = 0;
    for c in s.chars().filter(|c| c.is_alphabetic()) {
        match c {
            'a'..='z' | '\u{C0}'..='\u{24F}' => latin += 1,
            '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' => arabic += 1,
            '\u{AC00}'..='\u{D7AF}' | '\u{1100}'..='\u{11FF}' => hangul += 1,
            _ => other += 1,
        }
    }
    let max = latin.max(arabic).max(hangul).max(other);
    if max == 0 || max == latin {
        Script::Latin
    } else if max == arabic {
        Script::Arabic
    } else if max == hangul {
        Script::Hangul
    } else {
        Script::Other
    }
}

/// True when a token names a place: a country, a state or province, or a
/// city of 100,000 people or more.
pub fn is_place(token: &str) -> bool {
    memo(&PLACES, token, |t| {
        country_code(t).is_some() || subdivision(t).is_some() || city_countries(t).is_some()
    })
}

/// True when a token is one of the words organizations are named with
/// ("foundation", "union", "league", "université"): the one-word terms of
/// `data/org_types.csv`, folded as name tokens are.
pub fn is_type_word(token: &str) -> bool {
    static WORDS: std::sync::OnceLock<super::fast::FastSet<String>> = std::sync::OnceLock::new();
    WORDS
        .get_or_init(|| {
            crate::data::rows(crate::data::ORG_TYPES)
                .map(|r| name_key(r[0]))
                .filter(|k| !k.is_empty() && !k.contains(' '))
                .collect()
        })
        .contains(token)
}

/// The country a single token names, as [`country_code`] reads it.
pub fn token_country(token: &str) -> Option<&'static str> {
    memo(&COUNTRIES, token, country_code)
}

type Memo<T> = std::cell::RefCell<super::fast::FastMap<String, T>>;

thread_local! {
    static PLACES: Memo<bool> = Memo::default();
    static COUNTRIES: Memo<Option<&'static str>> = Memo::default();
}

/// The same few thousand words are looked up millions of times when a
/// registry is scored, and each lookup folds the word (NFKC) first: the
/// answers are kept per thread. A memo that grows past its bound starts
/// again, so odd input cannot hold memory.
fn memo<T: Copy>(
    cell: &'static std::thread::LocalKey<Memo<T>>,
    key: &str,
    f: impl FnOnce(&str) -> T,
) -> T {
    const BOUND: usize = 1 << 20;
    if let Some(v) = cell.with(|m| m.borrow().get(key).copied()) {
        return v;
    }
    let v = f(key);
    cell.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= BOUND {
            m.clear();
        }
        m.insert(key.to_string(), v);
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_folds_dress_and_order() {
        let a = NameInfo::new("The Women’s League of Burma", None, None);
        let b = NameInfo::new("WOMENS LEAGUE OF BURMA", None, None);
        assert_eq!(a.fingerprint, b.fingerprint);
        let c = NameInfo::new("CRPH & NUG Supporters Ireland", None, None);
        let d = NameInfo::new("CRPH and NUG Supporters Ireland", None, None);
        assert_eq!(c.fingerprint, d.fingerprint);
    }

    #[test]
    fn initialisms_skip_stopwords() {
        let a = NameInfo::new("ASEAN Parliamentarians for Human Rights", None, None);
        assert!(
            a.initialisms.contains(&"aphr".to_string()),
            "{:?}",
            a.initialisms
        );
        let f = NameInfo::new(
            "Fédération internationale pour les droits humains",
            None,
            None,
        );
        assert!(
            f.initialisms.contains(&"fidh".to_string()),
            "{:?}",
            f.initialisms
        );
        let x = NameInfo::new("APHR", None, None);
        assert!(x.is_acronym);
        assert_eq!(x.printed_acronyms, vec!["aphr"]);
    }

    #[test]
    fn arabic_article_and_script() {
        let a = NameInfo::new("المنظمة العربية لحقوق الإنسان", None, None);
        assert_eq!(a.script, Script::Arabic);
        assert!(a.tokens.contains(&"منظمه".to_string()), "{:?}", a.tokens);
        assert!(!a.translit.is_empty());
    }

    #[test]
    fn countries_named_in_the_name() {
        let a = NameInfo::new("Burma Campaign UK", None, None);
        assert!(a.countries_in_name.contains(&"GB".to_string()));
        assert!(a.countries_in_name.contains(&"MM".to_string()));
    }
}
