//! Bytes -> text: byte-order marks, UTF-8, UTF-16, and legacy single-byte
//! encodings detected with `chardetng`; binary and undecodable input refused.

use super::{ParseError, MAX_INPUT_BYTES};

/// Text decoded from bytes, with the name of the encoding it was read in.
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
}

/// Signatures of binary formats people might hand the importer by mistake.
const MAGIC: &[(&[u8], &str)] = &[
    (
        b"%PDF-",
        "a PDF file; PDF import is not supported yet, save the page as text or HTML",
    ),
    (b"\x89PNG", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.odt document)"),
    (b"\x1F\x8B", "a gzip archive"),
    (b"\xD0\xCF\x11\xE0", "an old Office document"),
    (b"SQLite format 3\0", "an SQLite database"),
    (b"\x7FELF", "an executable"),
];

pub fn decode(bytes: &[u8]) -> Result<Decoded, ParseError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ParseError::TooLarge(bytes.len()));
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ParseError::Empty);
    }
    for (magic, what) in MAGIC {
        if bytes.starts_with(magic) {
            return Err(ParseError::Binary((*what).to_string()));
        }
    }
    // A byte-order mark settles the encoding.
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            return Err(ParseError::Undecodable(format!(
                "it starts with a {} byte-order mark but is not valid {}",
                enc.name(),
                enc.name()
            )));
        }
        return finish(text.into_owned(), enc.name());
    }
    if bytes.contains(&0) {
        return Err(ParseError::Binary("it holds NUL bytes".into()));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return finish(text.to_string(), "UTF-8");
    }
    // Not UTF-8: let chardetng pick a legacy encoding, and refuse when the
    // bytes are not valid in it either.
    let mut det = chardetng::EncodingDetector::new();
    det.feed(bytes, true);
    let enc = det.guess(None, false);
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(ParseError::Undecodable(format!(
            "not UTF-8, and not valid {} either",
            enc.name()
        )));
    }
    finish(text.into_owned(), enc.name())
}

/// Counts the control characters (but line ends, tabs and form feeds; with
/// the replacement character), all characters, and the letters, digits
/// and white space of a text.
fn char_counts(text: &str) -> (usize, usize, usize) {
    let control = |c: char| {
        (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{0C}')) || c == '\u{FFFD}'
    };
    let wordish = |c: char| c.is_alphanumeric() || c.is_whitespace();
    // The same tests for an ASCII byte, without branches, so that the
    // loops over a stretch of ASCII are vectorised.
    let ascii_control =
        |b: u8| (b < 0x20) & (b != b'\n') & (b != b'\r') & (b != b'\t') & (b != 0x0C) | (b == 0x7F);
    let ascii_wordish = |b: u8| {
        ((b | 0x20).wrapping_sub(b'a') < 26)
            | (b.wrapping_sub(b'0') < 10)
            | (b.wrapping_sub(b'\t') < 5)
            | (b == b' ')
    };
    const STRETCH: usize = 64;
    let bytes = text.as_bytes();
    let (mut controls, mut total, mut words) = (0, 0, 0);
    let mut i = 0;
    while i < bytes.len() {
        // Most of a page is ASCII: a stretch of it is counted a byte a
        // character; elsewhere one character at a time. A stretch of
        // ASCII ends where a character starts, so `i` always does.
        let stretch = &bytes[i..(i + STRETCH).min(bytes.len())];
        if stretch.is_ascii() {
            // Counted in bytes (a stretch is shorter than 256), which
            // vectorises widest.
            let c = stretch
                .iter()
                .fold(0u8, |n, &b| n + u8::from(ascii_control(b)));
            let w = stretch
                .iter()
                .fold(0u8, |n, &b| n + u8::from(ascii_wordish(b)));
            controls += usize::from(c);
            words += usize::from(w);
            total += stretch.len();
            i += stretch.len();
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        total += 1;
        controls += usize::from(control(c));
        words += usize::from(wordish(c));
        i += c.len_utf8();
    }
    (controls, total, words)
}

/// Refuses text that decoded but is mostly control characters, which is
/// what random bytes look like through a single-byte encoding.
fn finish(text: String, encoding: &'static str) -> Result<Decoded, ParseError> {
    let (controls, total, wordish) = char_counts(&text);
    if total > 0 && controls * 100 > total {
        return Err(ParseError::Undecodable(format!(
            "{controls} of its {total} characters are control characters in {encoding}"
        )));
    }
    // Text is mostly letters and spaces; bytes read through the wrong
    // single-byte table come out as a soup of symbols.
    if total >= 32 && wordish * 2 < total {
        return Err(ParseError::Undecodable(format!(
            "read as {encoding} it is mostly symbols ({wordish} of {total} characters are letters, digits or spaces)"
        )));
    }
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    Ok(Decoded { text, encoding })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("Signé".as_bytes()).unwrap().text, "Signé");
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("Signé".as_bytes());
        assert_eq!(decode(&b).unwrap().text, "Signé");
    }

    #[test]
    fn utf16_both_orders() {
        let s = "Firmantes: Fundación";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(decode(&le).unwrap().text, s);
        assert_eq!(decode(&be).unwrap().text, s);
    }

    #[test]
    fn windows_1252_is_detected() {
        // "Fédération" and curly quotes in Windows-1252.
        let b = b"La F\xE9d\xE9ration internationale des ligues des droits de l\x92Homme \x93FIDH\x94 et la soci\xE9t\xE9 civile fran\xE7aise";
        let d = decode(b).unwrap();
        assert!(d.text.contains("Fédération"), "{}", d.text);
        assert!(d.text.contains('\u{2019}'));
    }

    #[test]
    fn characters_are_counted_as_one_by_one() {
        for text in [
            "",
            "plain ASCII text\r\n\twith\x01controls\x7f",
            "Fédération \u{FFFD} « » 日本語\u{0085}\u{00A0}x",
            "é",
            "\u{1F600}a\u{0000}b",
            &format!(
                "{}é{}\u{0B}ü{}",
                "a\t".repeat(40),
                "b ".repeat(70),
                "\x01".repeat(130)
            ),
        ] {
            let one_by_one = text.chars().fold((0, 0, 0), |(c, t, w), ch| {
                let control = (ch.is_control() && !matches!(ch, '\n' | '\r' | '\t' | '\u{0C}'))
                    || ch == '\u{FFFD}';
                let wordish = ch.is_alphanumeric() || ch.is_whitespace();
                (c + usize::from(control), t + 1, w + usize::from(wordish))
            });
            assert_eq!(char_counts(text), one_by_one, "{text:?}");
        }
        let every_ascii: String = (0u8..0x80).map(char::from).collect();
        let n = every_ascii
            .chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace())
            .count();
        let controls = every_ascii
            .chars()
            .filter(|&c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{0C}'))
            .count();
        assert_eq!(char_counts(&every_ascii), (controls, 128, n));
    }

    #[test]
    fn refuses_empty_binary_and_garbage() {
        assert_eq!(decode(b"").err(), Some(ParseError::Empty));
        assert_eq!(decode(b" \n\t ").err(), Some(ParseError::Empty));
        assert!(matches!(
            decode(b"%PDF-1.7 ..."),
            Err(ParseError::Binary(_))
        ));
        assert!(matches!(decode(b"abc\0def"), Err(ParseError::Binary(_))));
        let garbage: Vec<u8> = (0..400u32).map(|i| (0x80 + (i * 7) % 64) as u8).collect();
        assert!(matches!(decode(&garbage), Err(ParseError::Undecodable(_))));
    }
}
