//! Letter metadata read from the text: the claimed signer count ("We, the
//! undersigned 259 organizations", "٢٨ منظمة", "two hundred groups"),
//! dates in English, French, Spanish and Arabic ("7 تشرين الثاني/نوفمبر
//! 2020", "14 de agosto de 2019", "March 3, 2021"), Markdown front matter,
//! and phrases saying a list is partial.

use super::blocks::space_masks;
use crate::data::tables;
use crate::normalize::{fold, fold_byte, parse_number};

/// Number words for counts written out ("two hundred", "deux cents").
const NUMBER_WORDS: &[(&str, u64)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
    ("hundred", 100),
    ("hundreds", 100),
    ("thousand", 1000),
    ("dozens", 12),
    ("deux", 2),
    ("trois", 3),
    ("quatre", 4),
    ("cinq", 5),
    ("dix", 10),
    ("vingt", 20),
    ("trente", 30),
    ("quarante", 40),
    ("cinquante", 50),
    ("soixante", 60),
    ("cent", 100),
    ("cents", 100),
    ("mille", 1000),
    ("dos", 2),
    ("tres", 3),
    ("cuatro", 4),
    ("cinco", 5),
    ("diez", 10),
    ("veinte", 20),
    ("treinta", 30),
    ("cuarenta", 40),
    ("cincuenta", 50),
    ("cien", 100),
    ("ciento", 100),
    ("doscientas", 200),
    ("doscientos", 200),
    ("trescientas", 300),
    ("trescientos", 300),
    ("quinientas", 500),
    ("mil", 1000),
];

/// Words that may stand between a number and the noun it counts
/// ("259 civil society organizations", "43 human rights groups").
const FILLERS: &[&str] = &[
    "civil",
    "society",
    "human",
    "rights",
    "local",
    "national",
    "international",
    "regional",
    "global",
    "myanmar",
    "other",
    "more",
    "than",
    "undersigned",
    "women's",
    "womens",
    "grassroots",
    "de",
    "la",
    "société",
    "sociedad",
    "society's",
    "non-governmental",
    "community",
    "communities",
    "and",
    "&",
    "groups",
    "organizations",
    "organisations",
    "partner",
    "member",
    "total",
    "in",
    "of",
    "from",
    "countries",
    "signatory",
    "signing",
    "الموقعة",
    "غير",
    "حكومية",
    "المجتمع",
    "المدني",
    "حقوقية",
];

/// A number found in text, with the word index where it ends.
fn number_at(words: &[String], i: usize) -> Option<(u64, usize)> {
    let w = words[i].trim_matches(|c: char| matches!(c, '(' | ')' | '+' | '~' | '"' | '\''));
    // Korean and Japanese counters stick to the number: "43개 단체".
    let w = w.strip_suffix('개').unwrap_or(w);
    if let Some(n) = parse_number(w) {
        return Some((n, i + 1));
    }
    // Written-out numbers: "two hundred", "two hundred and fifty".
    let word_value = |w: &str| NUMBER_WORDS.iter().find(|(k, _)| *k == w).map(|(_, v)| *v);
    let mut total = 0u64;
    let mut current = 0u64;
    let mut j = i;
    let mut any = false;
    while j < words.len() {
        let w = words[j].trim_end_matches([',', '.']);
        let w = w.split('-').collect::<Vec<_>>();
        let mut matched = true;
        for part in &w {
            // Checked: "cien cien cien ..." multiplies past any count
            // (and past u64); such a run is no number.
            match word_value(part) {
                Some(100) => current = current.max(1).checked_mul(100)?,
                Some(1000) => {
                    total = total.checked_add(current.max(1).checked_mul(1000)?)?;
                    current = 0;
                }
                Some(v) => current = current.checked_add(v)?,
                None => matched = false,
            }
        }
        if !matched {
            if any && (words[j] == "and" || words[j] == "y" || words[j] == "et") {
                j += 1;
                continue;
            }
            break;
        }
        any = true;
        j += 1;
    }
    let n = total.checked_add(current)?;
    (any && n > 1).then_some((n, j))
}

fn words_of(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| c.is_whitespace() || matches!(c, '،' | ';' | ':'))
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.trim_matches(|c: char| matches!(c, ',' | '.' | '!' | '?' | '"' | '“' | '”'))
                .to_string()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Largest count read as a number of signers. A larger number is
/// something else (an amount, a phone number), and fits no database row.
const MAX_CLAIMED: u64 = 100_000_000;

/// The signer count a line claims, if any: "undersigned N", or N followed
/// within a few words by a noun for signers ("organizations", "منظمة").
pub fn claimed_count(text: &str) -> Option<u64> {
    let words = words_of(text);
    let nouns = &tables().count_nouns;
    for i in 0..words.len() {
        let Some((n, end)) = number_at(&words, i) else {
            continue;
        };
        if !(2..=MAX_CLAIMED).contains(&n)
            || (1900..=2100).contains(&n) && i + 1 < words.len() && !nouns.contains(&words[i + 1])
        {
            continue;
        }
        if i > 0
            && matches!(
                words[i - 1].as_str(),
                "undersigned" | "soussignées" | "soussignés" | "firmantes"
            )
        {
            return Some(n);
        }
        let mut j = end;
        let mut skipped = 0;
        while j < words.len() && skipped <= 3 {
            let w = words[j].trim_end_matches(['.', ',']);
            if nouns.contains(w) {
                return Some(n);
            }
            if !FILLERS.contains(&w) {
                break;
            }
            skipped += 1;
            j += 1;
        }
    }
    None
}

/// A date written in the text, as ISO: "2021-03-07", or "2021-03" when no
/// day is given. Reads "7 March 2021", "March 7, 2021", "7 mars 2021",
/// "1er mars 2021", "7 de marzo de 2021", "٧ يناير ٢٠٢٢", "8 تشرين
/// الثاني/نوفمبر 2020", and "2021-03-07".
pub fn find_date(text: &str) -> Option<String> {
    let words = words_of(text);
    let months = &tables().months;
    let year_at = |i: usize| -> Option<u64> {
        let w = words.get(i)?;
        let n = parse_number(w.trim_end_matches(','))?;
        (w.chars().count() == 4 && (1900..=2100).contains(&n)).then_some(n)
    };
    let day_at = |i: usize| -> Option<u64> {
        let w = words.get(i)?;
        let w = w
            .trim_end_matches(',')
            .trim_end_matches("er")
            .trim_end_matches("st")
            .trim_end_matches("nd")
            .trim_end_matches("rd")
            .trim_end_matches("th")
            .trim_end_matches('º');
        let n = parse_number(w)?;
        (1..=31).contains(&n).then_some(n)
    };
    for i in 0..words.len() {
        // ISO date.
        if let Some(iso) = iso_date(&words[i]) {
            return Some(iso);
        }
        // Month names, including two-word Arabic ones and "A/B" pairs.
        let (month, span) = match month_at(&words, i, months) {
            Some(m) => m,
            None => continue,
        };
        let after = i + span;
        // Spanish/Portuguese "de" around the year.
        let skip_de = |k: usize| {
            if words.get(k).is_some_and(|w| w == "de" || w == "del") {
                k + 1
            } else {
                k
            }
        };
        // Day before: "7 March 2021", "7 de marzo de 2021".
        let day_before = if i >= 1 && day_at(i - 1).is_some() {
            day_at(i - 1)
        } else if i >= 2 && words[i - 1] == "de" {
            day_at(i - 2)
        } else {
            None
        };
        if let Some(y) = year_at(skip_de(after)) {
            return Some(match day_before {
                Some(d) => format!("{y:04}-{month:02}-{d:02}"),
                None => format!("{y:04}-{month:02}"),
            });
        }
        // Day after: "March 7, 2021".
        if let (Some(d), Some(y)) = (day_at(after), year_at(after + 1)) {
            return Some(format!("{y:04}-{month:02}-{d:02}"));
        }
    }
    None
}

fn month_at(
    words: &[String],
    i: usize,
    months: &std::collections::HashMap<String, u32>,
) -> Option<(u32, usize)> {
    let w = words[i].as_str();
    // "تشرين الثاني/نوفمبر": the two-word name, then a paired form.
    if i + 1 < words.len() {
        let second = words[i + 1].split('/').next().unwrap_or("");
        let two = format!("{w} {second}");
        if let Some(&m) = months.get(&crate::normalize::name_key(&two)) {
            return Some((m, 2));
        }
    }
    for part in w.split('/') {
        if let Some(&m) = months.get(&crate::normalize::name_key(part.trim_end_matches('.'))) {
            // "may" is an English verb as often as a month: only with a day or year beside it.
            return Some((m, 1));
        }
    }
    None
}

fn iso_date(w: &str) -> Option<String> {
    let parts: Vec<&str> = w.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return None;
    }
    let y = parse_number(parts[0])?;
    let m = parse_number(parts[1])?;
    let d = parse_number(parts[2])?;
    ((1900..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Phrases that say the printed list is not the whole list.
const PARTIAL: &[&str] = &[
    "and many more",
    "and many others",
    "and others",
    "among others",
    "full list",
    "complete list",
    "see all",
    "partial list",
    "list continues",
    "more signatures",
    "liste complète",
    "et bien d'autres",
    "lista completa",
    "entre otros",
    "entre otras",
    "القائمة الكاملة",
];

/// Where each phrase of [`PARTIAL`] has its first space.
const PARTIAL_SPACE: [usize; PARTIAL.len()] = {
    let mut at = [0; PARTIAL.len()];
    let mut i = 0;
    while i < PARTIAL.len() {
        let p = PARTIAL[i].as_bytes();
        let mut j = 0;
        while p[j] != b' ' {
            j += 1;
        }
        assert!(j > 0 && j + 1 < p.len(), "a phrase with a space inside");
        at[i] = j;
        i += 1;
    }
    at
};

/// For each byte, the phrases of [`PARTIAL`] (as bits) whose first space
/// is followed by it (`after`) or preceded by it (`before`).
const PARTIAL_AROUND_SPACE: ([u32; 256], [u32; 256]) = {
    assert!(PARTIAL.len() <= 32);
    let (mut after, mut before) = ([0u32; 256], [0u32; 256]);
    let mut i = 0;
    while i < PARTIAL.len() {
        let p = PARTIAL[i].as_bytes();
        after[p[PARTIAL_SPACE[i] + 1] as usize] |= 1 << i;
        before[p[PARTIAL_SPACE[i] - 1] as usize] |= 1 << i;
        i += 1;
    }
    (after, before)
};

/// True when a line says the list is partial.
pub fn says_partial(text: &str) -> bool {
    // Asked of nearly every entry of a list, most of them ASCII with
    // single spaces: those are read in place, each byte folded, instead of
    // from a folded copy.
    if text.is_ascii() {
        if let Some(found) = partial_in_ascii(text.as_bytes()) {
            return found;
        }
    }
    let folded = fold(text);
    let f = folded.as_bytes();
    (0..f.len()).any(|j| f[j] == b' ' && partial_at(f, j, |b| b))
}

/// [`says_partial`] of ASCII text read in place, or None when the text
/// has white space other than single spaces between words, which folding
/// would collapse. Otherwise folding ASCII only lower-cases it, reads "`"
/// as "'" and trims it, and no phrase starts or ends with a space. The
/// spaces are found 64 bytes at a time, as bit masks.
fn partial_in_ascii(text: &[u8]) -> Option<bool> {
    let mut space_before = false;
    for (k, chunk) in text.chunks(64).enumerate() {
        let (spaces, white) = space_masks(chunk);
        let doubled = spaces & (spaces << 1 | u64::from(space_before));
        if white != spaces || doubled != 0 {
            return None;
        }
        let mut rest = spaces;
        while rest != 0 {
            let j = k * 64 + rest.trailing_zeros() as usize;
            rest &= rest - 1;
            if partial_at(text, j, fold_byte) {
                return Some(true);
            }
        }
        space_before = chunk.last() == Some(&b' ');
    }
    Some(false)
}

/// True when a phrase of [`PARTIAL`] has its first space at the space at
/// `j` of `text` (each byte read through `fold`). Every phrase has a
/// space, and a line few, so a phrase is tried only there, and only when
/// the bytes around the space end its first word and start its second:
/// one pass over a line instead of one substring search (and searcher)
/// per phrase.
fn partial_at(text: &[u8], j: usize, fold: impl Fn(u8) -> u8) -> bool {
    let (Some(&next), Some(&prev)) = (text.get(j + 1), j.checked_sub(1).and_then(|i| text.get(i)))
    else {
        return false;
    };
    let (after, before) = &PARTIAL_AROUND_SPACE;
    let mut phrases = after[fold(next) as usize] & before[fold(prev) as usize];
    while phrases != 0 {
        let i = phrases.trailing_zeros() as usize;
        phrases &= phrases - 1;
        let p = PARTIAL[i].as_bytes();
        let Some(at) = j.checked_sub(PARTIAL_SPACE[i]) else {
            continue;
        };
        if text.len() - at >= p.len() && p.iter().zip(&text[at..]).all(|(&a, &b)| a == fold(b)) {
            return true;
        }
    }
    false
}

/// Title and date from Markdown front matter (`---` ... `---` at the top).
pub fn front_matter(text: &str) -> (Option<String>, Option<String>) {
    let mut lines = text.lines();
    if lines.next().map(str::trim) != Some("---") {
        return (None, None);
    }
    let (mut title, mut date) = (None, None);
    for l in lines.take(80) {
        let l = l.trim();
        if l == "---" {
            return (title, date);
        }
        if let Some((k, v)) = l.split_once(':') {
            let v = v.trim().trim_matches(['"', '\'']).trim();
            match k.trim().to_ascii_lowercase().as_str() {
                "title" if !v.is_empty() => title = Some(crate::normalize::clean(v)),
                "date" => date = iso_date(v.get(..10).unwrap_or(v)),
                _ => {}
            }
        }
    }
    (None, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `metadata` fuzz target after 1.6 million runs
    /// (fuzz/regressions/metadata/spelled_out_overflow): "cien cien cien
    /// ..." multiplied the count by 100 per word until u64 overflowed, a
    /// panic in a debug build and a wrapped count in a release one.
    #[test]
    fn spelled_out_count_that_overflows_is_no_count() {
        let text = format!("{} organizaciones", "cien ".repeat(12));
        assert!(claimed_count(&text).is_none_or(|n| n <= MAX_CLAIMED));
        assert_eq!(
            claimed_count("cien cien cien cien cien cien cien cien cien cien"),
            None
        );
        assert_eq!(claimed_count("doscientos organizaciones"), Some(200));
        assert_eq!(
            claimed_count("the undersigned 18446744073709551615 groups"),
            None
        );
        assert_eq!(
            claimed_count("the undersigned 259 organizations"),
            Some(259)
        );
    }

    #[test]
    fn counts() {
        assert_eq!(
            claimed_count("We, the undersigned 259 organizations, call on INTERPOL"),
            Some(259)
        );
        assert_eq!(
            claimed_count("we, the 638 undersigned civil society organizations (CSOs)"),
            Some(638)
        );
        assert_eq!(claimed_count("signed by 1,104 scholars"), Some(1104));
        assert_eq!(claimed_count("وقعت ٢٨ منظمة على"), Some(28));
        assert_eq!(claimed_count("two hundred organisations call"), Some(200));
        assert_eq!(claimed_count("Les 43 organisations signataires"), Some(43));
        assert_eq!(claimed_count("12개국 43개 단체, 성명서 발표"), Some(43));
        assert_eq!(
            claimed_count("Over 9,000 are currently in arbitrary detention"),
            None
        );
        assert_eq!(claimed_count("In 2021, the coup began"), None);
        assert_eq!(claimed_count("1 February 2021"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(
            find_date("Published 7 March 2021").as_deref(),
            Some("2021-03-07")
        );
        assert_eq!(find_date("March 7, 2021").as_deref(), Some("2021-03-07"));
        assert_eq!(find_date("le 1er mars 2021").as_deref(), Some("2021-03-01"));
        assert_eq!(
            find_date("14 de agosto de 2019").as_deref(),
            Some("2019-08-14")
        );
        assert_eq!(find_date("٧ يناير ٢٠٢٢").as_deref(), Some("2022-01-07"));
        assert_eq!(
            find_date("في 8 تشرين الثاني/نوفمبر 2020").as_deref(),
            Some("2020-11-08")
        );
        assert_eq!(find_date("2019-12-17").as_deref(), Some("2019-12-17"));
        assert_eq!(find_date("December 2019").as_deref(), Some("2019-12"));
        assert_eq!(find_date("We may act"), None);
    }

    #[test]
    fn partial_phrases_are_found_as_by_substring_search() {
        let by_search = |t: &str| {
            let f = fold(t);
            PARTIAL.iter().any(|p| f.contains(p))
        };
        for t in [
            "Other groups include A, B and many more.",
            "AND  MANY\tOTHERS",
            "brand others",
            "and other",
            "Et bien d`autres",
            "et bien d’autres",
            "la liste complète",
            "LISTE COMPLÈTE",
            "القائمة الكاملة",
            "see al",
            "see all",
            "",
            "a",
            " full list ",
            "entre otras cosas",
            "and  many more",
            "and\tmany more",
            " see all ",
            "and many  more",
            "AND MANY MORE\n",
            "x and others y",
            "and many more\u{301}",
            "and others\u{301}",
            &format!("{}and many more", "x".repeat(58)),
            &format!("{} and  x", "x".repeat(62)),
            &format!("{} x and many\tmore", "y".repeat(70)),
            &format!("{} see all", "Group ".repeat(20)),
        ] {
            assert_eq!(says_partial(t), by_search(t), "{t:?}");
        }
    }

    #[test]
    fn partial_and_front_matter() {
        assert!(says_partial("Other groups include A, B and many more."));
        assert!(!says_partial("Signed by:"));
        let (t, d) = front_matter("---\ntitle: \"A letter\"\ndate: 2016-03-01T10:00:00\n---\nbody");
        assert_eq!(
            (t.as_deref(), d.as_deref()),
            (Some("A letter"), Some("2016-03-01"))
        );
    }
}
