//! Text folding shared by the parser and the matcher: Unicode NFKC, case,
//! quotes, dashes, invisible characters, Arabic letter forms and digits.
//!
//! Two levels exist on purpose. [`clean`] keeps the text as a reader would
//! print it (it only repairs invisible damage), while [`fold`] and
//! [`name_key`] throw away distinctions that never separate two
//! organizations, so that they can be compared.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Repairs text without changing what a reader sees: drops zero-width and
/// other format characters, turns non-breaking and exotic spaces into plain
/// spaces, collapses runs of white space and trims.
pub fn clean(s: &str) -> String {
    // Most lines reach here already clean (the parser cleans each block's
    // text, then folds it again and again): one check, one copy.
    if is_clean(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// True when [`clean`] would return `s` unchanged: no invisible
/// character, and no white space but single plain spaces between words.
fn is_clean(s: &str) -> bool {
    let b = s.as_bytes();
    // Folds without early exits, which the compiler turns into wide
    // loops: lines are short, and most are clean ASCII.
    let other = b.iter().fold(false, |odd, &c| {
        // Beyond ASCII, or ASCII white space but the space.
        odd | (c >= 0x80) | (c.wrapping_sub(b'\t') <= b'\r' - b'\t')
    });
    if other {
        return is_clean_chars(s);
    }
    let pairs = b.get(1..).unwrap_or_default();
    let double = b
        .iter()
        .zip(pairs)
        .fold(false, |d, (&x, &y)| d | ((x == b' ') & (y == b' ')));
    !double && b.first() != Some(&b' ') && b.last() != Some(&b' ')
}

/// [`is_clean`] read character by character.
fn is_clean_chars(s: &str) -> bool {
    let mut prev_space = true;
    for c in s.chars() {
        if c == ' ' {
            if prev_space {
                return false;
            }
            prev_space = true;
        } else if c.is_whitespace() || is_invisible(c) {
            return false;
        } else {
            prev_space = false;
        }
    }
    !prev_space || s.is_empty()
}

/// What [`fold`] makes of a byte of ASCII text (once cleaned): its lower
/// case, and "`" an apostrophe. Lets a caller read folded ASCII in place.
pub fn fold_byte(b: u8) -> u8 {
    match b {
        b'`' => b'\'',
        _ => b.to_ascii_lowercase(),
    }
}

/// Characters that carry no visible text: zero-width spaces and joiners,
/// the byte-order mark, soft hyphens, bidi marks.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}' | '\u{00AD}' | '\u{061C}'
    )
}

/// Maps Arabic-Indic (U+0660..) and Eastern Arabic-Indic (U+06F0..) digits
/// to ASCII digits; other characters pass through.
pub fn ascii_digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '\u{0660}'..='\u{0669}' => Some(c as u32 - 0x0660),
        '\u{06F0}'..='\u{06F9}' => Some(c as u32 - 0x06F0),
        _ => None,
    }
}

/// Parses a run of digits in any of the three digit sets, ignoring
/// thousands separators (`,`, `.`, `٬`, thin spaces) between digit groups.
pub fn parse_number(s: &str) -> Option<u64> {
    let mut n: u64 = 0;
    let mut seen = false;
    for c in s.chars() {
        if let Some(d) = ascii_digit(c) {
            n = n.checked_mul(10)?.checked_add(u64::from(d))?;
            seen = true;
        } else if matches!(c, ',' | '.' | '\u{066C}' | '\u{202F}' | '\u{2009}' | ' ') && seen {
            continue;
        } else {
            return None;
        }
    }
    seen.then_some(n)
}

/// Folds one character for comparison, pushing the result onto `out`.
/// Arabic: alef forms to bare alef, taa marbuta to haa, alef maqsura to
/// yaa, hamza seats to their letters; tatweel and harakat are dropped.
fn fold_char(c: char, out: &mut String) {
    match c {
        // Quotes and apostrophes of every script become one apostrophe or
        // one double quote.
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}'
        | '\u{02BC}' | '\u{02BB}' => out.push('\''),
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' | '\u{301D}' | '\u{301E}' | '\u{301F}' => out.push('"'),
        // Hyphens and dashes.
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => {
            out.push('-')
        }
        // Arabic letter forms.
        '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0671}' | '\u{0672}' | '\u{0673}' => {
            out.push('\u{0627}')
        }
        '\u{0629}' => out.push('\u{0647}'),
        '\u{0649}' => out.push('\u{064A}'),
        '\u{0624}' => out.push('\u{0648}'),
        '\u{0626}' => out.push('\u{064A}'),
        '\u{0640}' => {}                           // tatweel
        '\u{064B}'..='\u{065F}' | '\u{0670}' => {} // harakat, superscript alef
        '\u{06CC}' => out.push('\u{064A}'),        // Farsi yeh
        '\u{06A9}' => out.push('\u{0643}'),        // keheh
        _ => {
            if let Some(d) = ascii_digit(c) {
                out.push(char::from_digit(d, 10).unwrap_or('0'));
            } else {
                for l in c.to_lowercase() {
                    out.push(l);
                }
            }
        }
    }
}

/// Folds text for comparison: NFKC, lower case, one form of quote and
/// dash, Arabic letter forms and digits, invisible characters removed,
/// white space collapsed. Punctuation is kept.
pub fn fold(s: &str) -> String {
    let cleaned = clean(s);
    if cleaned.is_ascii() {
        // ASCII is its own NFKC form, and of its characters only the
        // backtick and the capitals fold: most names take this path.
        let mut out = cleaned;
        out.make_ascii_lowercase();
        if out.contains('`') {
            out = out.replace('`', "'");
        }
        return out;
    }
    let mut out = String::with_capacity(cleaned.len());
    // Most text is in NFKC already, which the quick check tells far more
    // cheaply than normalizing does.
    if is_nfkc_quick(cleaned.chars()) == IsNormalized::Yes {
        for c in cleaned.chars() {
            fold_char(c, &mut out);
        }
    } else {
        for c in cleaned.nfkc() {
            fold_char(c, &mut out);
        }
    }
    // Latin diacritics stay: "Québec" and "Quebec" fold apart here and are
    // brought together by the matcher's transliteration key instead.
    out
}

/// The key under which two printed names are taken to be the same
/// organization without any judgement: [`fold`], then apostrophes removed
/// ("Women's" = "Womens"), "&" read as "and", every other punctuation mark
/// a word break, white space collapsed.
pub fn name_key(s: &str) -> String {
    if s.is_ascii() {
        // ASCII folds to its lower case with "`" read as "'" (see `fold`),
        // and the white space `fold` collapses and trims only ever breaks
        // words here: the key is read from the text itself, with no
        // folded copy in between.
        return key_of(s.bytes().map(|b| char::from(fold_byte(b))), s.len());
    }
    let folded = fold(s);
    key_of(folded.chars(), folded.len())
}

/// [`name_key`] of text already folded, given as its characters.
fn key_of(folded: impl Iterator<Item = char>, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut space = false;
    let push_word = |out: &mut String, space: &mut bool, w: &str| {
        if *space && !out.is_empty() {
            out.push(' ');
        }
        *space = false;
        out.push_str(w);
    };
    let mut word_len = 0usize;
    for c in folded {
        if c == '\'' {
            // French and Italian elision ("l'Homme", "d'Acme") splits two
            // words; an English possessive ("Women's") joins.
            if word_len == 1 {
                space = true;
                word_len = 0;
            }
            continue;
        }
        if c == '&' {
            space = true;
            push_word(&mut out, &mut space, "and");
            space = true;
            continue;
        }
        if c.is_alphanumeric() || is_combining(c) {
            if space && !out.is_empty() {
                out.push(' ');
                word_len = 0;
            }
            space = false;
            out.push(c);
            word_len += 1;
        } else {
            space = true;
            word_len = 0;
        }
    }
    out
}

/// `name_key(s).is_empty()`: true when `s` holds no letter, digit or
/// "&". ASCII is read without building the key.
pub fn has_empty_key(s: &str) -> bool {
    if s.is_ascii() {
        !s.bytes().any(|b| b.is_ascii_alphanumeric() || b == b'&')
    } else {
        name_key(s).is_empty()
    }
}

/// Combining marks count as part of a word (they carry Korean jamo, Indic
/// vowels and Latin accents in decomposed text).
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{0900}'..='\u{0DFF}' | '\u{1000}'..='\u{109F}')
}

/// True when the text holds any Arabic letter.
pub fn has_arabic(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_removes_invisible_and_collapses_space() {
        assert_eq!(
            clean("  Scott\u{200B}  Ludlam\u{00A0}, x "),
            "Scott Ludlam , x"
        );
    }

    #[test]
    fn fold_quotes_dashes_case() {
        assert_eq!(fold("Women’s League – BURMA"), "women's league - burma");
        assert_eq!(fold("\u{201C}A\u{201D}"), "\"a\"");
    }

    #[test]
    fn ascii_fast_path_folds_as_the_general_path() {
        // Every printable ASCII character, alone and inside a name.
        for b in 0x20u8..0x7F {
            let s = format!("Ab{}Cd", b as char);
            let mut general = String::new();
            for c in clean(&s).nfkc() {
                fold_char(c, &mut general);
            }
            assert_eq!(fold(&s), general, "{s:?}");
            let bytewise: Vec<u8> = clean(&s).bytes().map(fold_byte).collect();
            assert_eq!(fold(&s).as_bytes(), bytewise, "{s:?}");
        }
    }

    #[test]
    fn ascii_name_key_path_keys_as_the_general_path() {
        // Every pair of ASCII characters (white space and controls
        // included) inside and around a word, through the folded path.
        let general = |s: &str| {
            let folded = fold(s);
            key_of(folded.chars(), folded.len())
        };
        for a in 0u8..0x80 {
            for b in 0u8..0x80 {
                let (a, b) = (a as char, b as char);
                for s in [
                    format!("{a}{b}"),
                    format!("x{a}{b}Y z"),
                    format!("{a} Ab{b}{b}c {a}"),
                ] {
                    assert_eq!(name_key(&s), general(&s), "{s:?}");
                    assert_eq!(has_empty_key(&s), name_key(&s).is_empty(), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn clean_text_is_returned_as_it_is_and_other_text_cleaned() {
        // The loop `clean` runs on text that is not clean already.
        let reference = |s: &str| {
            let mut out = String::new();
            let mut pending = false;
            for c in s.chars().filter(|&c| !is_invisible(c)) {
                if c.is_whitespace() {
                    pending = !out.is_empty();
                } else {
                    if pending {
                        out.push(' ');
                        pending = false;
                    }
                    out.push(c);
                }
            }
            out
        };
        let mut cases: Vec<String> = [
            "",
            "a",
            "a b",
            " a",
            "a ",
            "a  b",
            "a\tb",
            "a\u{0B}b",
            "a\u{A0}b",
            "a\u{200B}b",
            "\u{1C}a",
            "é ü",
            "\u{3000}",
            "a\u{1F}\u{7F}b",
            " ",
            "  ",
            "a b ",
            "é  ü",
            " é",
            "\u{A0}",
            "é\u{2028}ü",
        ]
        .map(String::from)
        .to_vec();
        for a in 0u8..0x80 {
            for b in 0u8..0x80 {
                let (a, b) = (a as char, b as char);
                cases.push(format!("{a}{b}"));
                cases.push(format!("x{a}{b}y"));
            }
        }
        for s in &cases {
            assert_eq!(clean(s), reference(s), "{s:?}");
            assert_eq!(is_clean(s), reference(s) == *s, "{s:?}");
        }
    }

    #[test]
    fn text_in_nfkc_folds_as_normalized_text() {
        for s in [
            "Fédération Québec",
            "Fe\u{301}de\u{301}ration",
            "ﬁne ① ² Ａ",
            "한국 단체",
            "\u{1100}\u{1161}\u{11A8}",
            "أحمد منظمة",
            "a\u{0308}\u{0301}",
            "a\u{0301}\u{0308}",
            "Å Å",
            "Ω",
        ] {
            let mut normalized = String::new();
            for c in clean(s).nfkc() {
                fold_char(c, &mut normalized);
            }
            assert_eq!(fold(s), normalized, "{s:?}");
        }
    }

    #[test]
    fn fold_arabic_forms_and_digits() {
        // alef with hamza, taa marbuta, alef maqsura, tatweel, fatha, digits
        assert_eq!(fold("أحمد"), "احمد");
        assert_eq!(fold("منظمة"), "منظمه");
        assert_eq!(fold("مستشفى"), "مستشفي");
        assert_eq!(fold("عـــربي"), "عربي");
        assert_eq!(fold("كَتَبَ"), "كتب");
        assert_eq!(fold("٢٠٢٢ ۱۲"), "2022 12");
    }

    #[test]
    fn name_key_equates_printed_variants() {
        let a = name_key("Women’s League of Burma");
        assert_eq!(a, name_key("Womens League of Burma"));
        assert_eq!(a, name_key("WOMEN'S  LEAGUE OF BURMA"));
        assert_eq!(
            name_key("CRPH & NUG Supporters"),
            name_key("CRPH and NUG supporters")
        );
        assert_eq!(name_key("ALTSEAN-Burma"), "altsean burma");
        assert_eq!(
            name_key("Ligue des droits de l'Homme"),
            "ligue des droits de l homme"
        );
        assert_ne!(name_key("Karen Community"), name_key("Karenni Community"));
    }

    #[test]
    fn parse_number_in_three_digit_sets() {
        assert_eq!(parse_number("259"), Some(259));
        assert_eq!(parse_number("1,104"), Some(1104));
        assert_eq!(parse_number("٢٨"), Some(28));
        assert_eq!(parse_number("۱۲"), Some(12));
        assert_eq!(parse_number("x1"), None);
        assert_eq!(parse_number(""), None);
    }
}
