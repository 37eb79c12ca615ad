//! What the matcher knows about one printed name: its tokens, fingerprint,
//! transliteration, script, acronyms (printed or generated), and the
//! places and countries it names. Built once per name, compared many times.

use std::borrow::Cow;
use std::sync::OnceLock;

use any_ascii::any_ascii;

use super::fast::FastMap;
use crate::data::{city_countries, country_code, subdivision, tables};
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
#[derive(Clone, PartialEq)]
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
    /// What the scorer asks of each token, in the order of `tokens`: a
    /// name is compared with many others, and these answers (table and
    /// memo lookups, character counts) were most of a comparison's cost.
    pub(crate) facts: Vec<TokenFacts>,
    /// Keys of the name's head when the rest is a description after a
    /// separator ("al haq" for "Al-Haq, Law in the Service of Man"): what
    /// `score` asks of every pair, worked out once.
    pub(crate) described: Vec<String>,
}

/// The fields a name is made of; `facts` and `described` only repeat
/// them in another form, and would bury a name printed for debugging.
impl std::fmt::Debug for NameInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameInfo")
            .field("raw", &self.raw)
            .field("key", &self.key)
            .field("tokens", &self.tokens)
            .field("fingerprint", &self.fingerprint)
            .field("joined", &self.joined)
            .field("translit", &self.translit)
            .field("script", &self.script)
            .field("printed_acronyms", &self.printed_acronyms)
            .field("initialisms", &self.initialisms)
            .field("is_acronym", &self.is_acronym)
            .field("country", &self.country)
            .field("countries_in_name", &self.countries_in_name)
            .field("canonical", &self.canonical)
            .finish()
    }
}

/// What the scorer asks of one token, again and again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TokenFacts {
    /// `chars().count()`.
    pub chars: usize,
    /// One bit for each bucket (`c as usize & 63`) of the token's
    /// characters: the buckets `score` counts letters in. Two words whose
    /// sets differ in a bucket differ by a letter there.
    pub letters: u64,
    /// The token holds an ASCII digit.
    pub digit: bool,
    /// [`is_place`].
    pub place: bool,
    /// [`is_type_word`].
    pub type_word: bool,
}

impl TokenFacts {
    pub(crate) fn of(token: &str) -> TokenFacts {
        TokenFacts::known(token, known(token))
    }

    /// The facts of `token`, given what the tables know of it.
    fn known(token: &str, k: Known) -> TokenFacts {
        let mut chars = 0;
        let mut letters = 0u64;
        let mut digit = false;
        for c in token.chars() {
            chars += 1;
            letters |= 1 << ((c as usize) & 63);
            digit |= c.is_ascii_digit();
        }
        TokenFacts {
            chars,
            letters,
            digit,
            place: if is_plain_word(token) {
                k.place
            } else {
                is_place(token)
            },
            type_word: k.type_word,
        }
    }
}

impl NameInfo {
    pub fn new(name: &str, acronym: Option<&str>, country: Option<&str>) -> NameInfo {
        let key = name_key(name);
        let script = script_of(&key);
        // A key's words are parted by single spaces, and it holds no other
        // white space: `split_ascii_whitespace` reads them as bytes.
        let mut tokens: Vec<String> = Vec::with_capacity(key.split_ascii_whitespace().count());
        let mut facts: Vec<TokenFacts> = Vec::with_capacity(tokens.capacity());
        // A word of the name becomes a token unless it is a stopword or a
        // legal form. `k` is what the tables know of the word, when the
        // word is a key's word as it stands.
        let mut add = |word: &str, k: Option<Known>| {
            // The Arabic article is a prefix: "المنظمة" -> "منظمه".
            let t = if script == Script::Arabic {
                word.strip_prefix("ال")
                    .filter(|r| r.chars().count() >= 2)
                    .unwrap_or(word)
            } else {
                word
            };
            let k = match k {
                Some(k) if t.len() == word.len() => k,
                _ => known(t),
            };
            if k.stopword || k.legal_form {
                return;
            }
            // Latin words compare without accents: "josé" = "jose". An
            // ASCII word is its own transliteration.
            let token = if script != Script::Latin {
                t.to_string()
            } else if t.is_ascii() {
                t.to_ascii_lowercase()
            } else {
                any_ascii(t).to_lowercase()
            };
            facts.push(if token == t {
                TokenFacts::known(&token, k)
            } else {
                TokenFacts::of(&token)
            });
            tokens.push(token);
        };
        // "u s a" (from "U.S.A.") is one word, "usa". A word is added once
        // the next one shows it complete; it is borrowed from the key but
        // for such runs. The initials are read on the way.
        let mut initials = Initials::default();
        let mut word: Option<(Cow<str>, Option<Known>)> = None;
        let mut in_run = false;
        for t in key.split_ascii_whitespace() {
            let kt = known(t);
            initials.add(t, kt.stopword);
            let mut cs = t.chars();
            let single = matches!((cs.next(), cs.next()), (Some(c), None) if c.is_alphabetic());
            match &mut word {
                Some((w, k)) if single && in_run => {
                    w.to_mut().push_str(t);
                    *k = None;
                }
                _ => {
                    if let Some((w, k)) = word.replace((Cow::Borrowed(t), Some(kt))) {
                        add(&w, k);
                    }
                }
            }
            in_run = single;
        }
        if let Some((w, k)) = word {
            add(&w, k);
        }
        if tokens.is_empty() {
            // A name of stopwords only keeps them rather than vanish.
            tokens = key
                .split(' ')
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect();
            facts = tokens.iter().map(|t| TokenFacts::of(t)).collect();
        }
        let fingerprint = sorted_and_joined(&tokens);
        let joined = tokens.concat();
        // An ASCII key is its own transliteration and its own name key
        // (lower-case letters and digits, one space between words).
        let translit = if key.is_ascii() {
            let mut t = String::with_capacity(key.len());
            t.extend(key.split_ascii_whitespace());
            t
        } else {
            name_key(&any_ascii(&key)).replace(' ', "")
        };
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
            initials.finish()
        };
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
            countries_in_name: countries_in(name),
            canonical: super::aliases::canonical(&key),
            key,
            facts,
            described: described_heads(name),
        }
    }

    /// Every acronym this name answers to.
    pub fn all_acronyms(&self) -> impl Iterator<Item = &String> {
        self.printed_acronyms.iter().chain(self.initialisms.iter())
    }
}

/// Tokens sorted and joined by spaces: sorted in place on the stack for
/// names of up to 16 tokens.
fn sorted_and_joined(tokens: &[String]) -> String {
    let mut on_stack = [""; 16];
    let mut on_heap;
    let sorted: &mut [&str] = if tokens.len() <= on_stack.len() {
        &mut on_stack[..tokens.len()]
    } else {
        on_heap = vec![""; tokens.len()];
        &mut on_heap
    };
    for (s, t) in sorted.iter_mut().zip(tokens) {
        *s = t;
    }
    sorted.sort_unstable();
    sorted.join(" ")
}

/// What the bundled tables know of one word, as a key holds it (folded,
/// lower case): every question `NameInfo::new` asks of a word, answered
/// by one lookup ([`known`]).
#[derive(Debug, Clone, Copy, Default)]
struct Known {
    /// In [`STOPWORDS`].
    stopword: bool,
    /// In [`LEGAL_FORMS`].
    legal_form: bool,
    /// [`is_type_word`].
    type_word: bool,
    /// [`is_place`], for a plain word ([`is_plain_word`]) only.
    place: bool,
    /// A word of a country's name in [`crate::data::Tables::countries`],
    /// or "the", which [`country_code`] reads past.
    country_word: bool,
    /// The country whose name is this word alone.
    country: Option<&'static str>,
}

fn known(word: &str) -> Known {
    static WORDS: OnceLock<FastMap<String, Known>> = OnceLock::new();
    WORDS
        .get_or_init(|| {
            let t = tables();
            let mut m: FastMap<String, Known> = FastMap::default();
            let mut mark = |w: &str, f: fn(&mut Known)| f(m.entry(w.to_string()).or_default());
            for w in STOPWORDS {
                mark(w, |k| k.stopword = true);
            }
            for w in LEGAL_FORMS {
                mark(w, |k| k.legal_form = true);
            }
            for r in crate::data::rows(crate::data::ORG_TYPES) {
                let k = name_key(r[0]);
                if !k.is_empty() && !k.contains(' ') {
                    mark(&k, |k| k.type_word = true);
                }
            }
            // For a plain word, `country_code`, `subdivision` and
            // `city_countries` each come down to one table's key, or (for
            // `country_code`) a printed form.
            let places = t
                .countries
                .keys()
                .chain(t.subdivision_names.keys())
                .chain(crate::data::cities().keys())
                .map(String::as_str)
                .chain(t.country_caps.keys().copied());
            for w in places.filter(|w| is_plain_word(w)) {
                mark(w, |k| k.place = true);
            }
            for w in t.countries.keys().flat_map(|k| k.split(' ')) {
                if !w.is_empty() {
                    mark(w, |k| k.country_word = true);
                }
            }
            mark("the", |k| k.country_word = true);
            for (w, k) in m.iter_mut() {
                k.country = t.countries.get(w).copied();
            }
            m
        })
        .get(word)
        .copied()
        .unwrap_or_default()
}

/// The initialisms of a key, read word by word: see [`initialisms`].
#[derive(Default)]
struct Initials {
    words: usize,
    /// First letters of all the words.
    all: String,
    /// First letters of the words but stopwords, once a stopword is met:
    /// until then (and in most names) the same as `all`.
    content: Option<String>,
}

impl Initials {
    fn add(&mut self, word: &str, stopword: bool) {
        self.words += 1;
        let Some(c) = word.chars().next() else {
            return;
        };
        if stopword && self.content.is_none() {
            self.content = Some(self.all.clone());
        }
        self.all.push(c);
        if let (Some(content), false) = (&mut self.content, stopword) {
            content.push(c);
        }
    }

    fn finish(self) -> Vec<String> {
        if self.words < 2 {
            return Vec::new();
        }
        // With a stopword skipped, the two differ: both are kept.
        let (content, all) = match self.content {
            Some(content) => (content, Some(self.all)),
            None => (self.all, None),
        };
        let mut out = Vec::new();
        if content.chars().count() >= 2 {
            out.push(content);
        }
        if let Some(all) = all.filter(|a| a.chars().count() >= 2) {
            out.push(all);
        }
        out
    }
}

/// The countries a name names in a phrase of one to three of its words
/// ("Burma Campaign UK" -> MM, GB), longest phrases first, each once.
fn countries_in(name: &str) -> Vec<String> {
    // Looking every phrase up folds it again: only phrases that could name
    // a country are looked up, the answer still [`country_code`]'s.
    let printed_len = printed_forms_len();
    let words: Vec<Word> = name
        .split(|c: char| !c.is_alphanumeric() && c != '.')
        .filter(|w| !w.is_empty())
        .map(|w| Word::of(w, printed_len))
        .collect();
    let mut out: Vec<String> = Vec::new();
    for n in (1..=3).rev() {
        for w in words.windows(n) {
            let code = if let [one] = w {
                if one.printed_form {
                    token_country(one.text)
                } else if !one.spelt_out {
                    continue;
                } else if let Some(country) = one.country {
                    // A word of letters and digits: its key is its lower
                    // case, and what the tables say of that is known.
                    country
                } else {
                    token_country(one.text)
                }
            } else {
                if !w.iter().all(|x| x.spelt_out) {
                    continue;
                }
                let mut phrase = String::with_capacity(name.len());
                for (k, x) in w.iter().enumerate() {
                    if k > 0 {
                        phrase.push(' ');
                    }
                    phrase.push_str(x.text);
                }
                country_code(&phrase)
            };
            if let Some(cc) = code {
                if !out.iter().any(|c| c == cc) {
                    out.push(cc.to_string());
                }
            }
        }
    }
    out
}

/// A word of a printed name, as [`countries_in`] reads it.
struct Word<'a> {
    text: &'a str,
    /// Every word of its key is a word of a country's name: a phrase of
    /// words that are not all so cannot have a country's key.
    spelt_out: bool,
    /// It may be a code or short form printed in capitals ("UK").
    printed_form: bool,
    /// For a word of ASCII letters and digits, what [`country_code`] makes
    /// of its key (`Some(None)`: no country).
    country: Option<Option<&'static str>>,
}

impl<'a> Word<'a> {
    fn of(text: &'a str, printed_len: Option<usize>) -> Word<'a> {
        let printed_form = printed_len.is_none_or(|max| {
            let trimmed = text.trim().trim_end_matches('.');
            trimmed.len() <= max.max(2)
                && trimmed.bytes().all(|b| b.is_ascii_uppercase() || b == b'.')
        });
        let mut country = None;
        let spelt_out = if !text.is_ascii() {
            name_key(text)
                .split(' ')
                .all(|p| p.is_empty() || known(p).country_word)
        } else {
            // An ASCII word (letters, digits, dots) keys to its pieces
            // between the dots in lower case: read without building the key.
            let mut buf = [0u8; 32];
            let all = text
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|p| !p.is_empty())
                .all(|p| {
                    let k = if p.len() > buf.len() {
                        known(&p.to_ascii_lowercase())
                    } else {
                        let lower = &mut buf[..p.len()];
                        lower.copy_from_slice(p.as_bytes());
                        lower.make_ascii_lowercase();
                        std::str::from_utf8(lower).map_or_else(|_| Known::default(), known)
                    };
                    if p.len() == text.len() {
                        country = Some(k.country);
                    }
                    k.country_word
                });
            all
        };
        Word {
            text,
            spelt_out,
            printed_form,
            country,
        }
    }
}

/// The length of the longest code or short form [`country_code`] reads
/// only as printed (capitals and dots); `None` when some form is not made
/// of capitals and dots, and any word may be one.
fn printed_forms_len() -> Option<usize> {
    static LEN: OnceLock<Option<usize>> = OnceLock::new();
    *LEN.get_or_init(|| {
        let t = tables();
        let forms = t.country_caps.keys().chain(t.country_codes.iter());
        let plain = forms
            .clone()
            .all(|f| f.bytes().all(|b| b.is_ascii_uppercase() || b == b'.'));
        plain.then(|| forms.map(|f| f.len()).max().unwrap_or(0))
    })
}

/// Keys of a name's head wherever a separator ends it and what follows
/// is a description (three words or more, none a place spelt out):
/// "Al-Haq, Law in the Service of Man" is "Al-Haq" described, "Amnesty
/// International – Australia" is not.
fn described_heads(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    // Every separator holds one of these characters.
    if !raw.contains(['–', '—', '-', ',']) {
        return out;
    }
    for sep in [" – ", " — ", " - ", ", "] {
        if let Some((head, tail)) = raw.split_once(sep) {
            let tail_words = || tail.split_whitespace();
            let described = tail_words().count() >= 3
                && !tail_words().any(|w| w.chars().count() >= 4 && is_place(&name_key(w)));
            if described {
                out.push(name_key(head));
            }
        }
    }
    out
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
    let mut initials = Initials::default();
    for w in key.split(' ').filter(|w| !w.is_empty()) {
        initials.add(w, known(w).stopword);
    }
    initials.finish()
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
    if is_plain_word(token) {
        return known(token).place;
    }
    memo(&PLACES, token, |t| {
        country_code(t).is_some() || subdivision(t).is_some() || city_countries(t).is_some()
    })
}

/// True for a word of lower-case ASCII letters and digits: its own
/// [`name_key`], which no table reads as a code printed in capitals.
fn is_plain_word(word: &str) -> bool {
    !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// True when a token is one of the words organizations are named with
/// ("foundation", "union", "league", "université"): the one-word terms of
/// `data/org_types.csv`, folded as name tokens are.
pub fn is_type_word(token: &str) -> bool {
    known(token).type_word
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
