//! Document -> letters: decoding bytes, reading the page's blocks, finding
//! each signatory list with its statement's metadata. One module per input
//! format; all formats meet in [`blocks::Block`] lines, which the list
//! finder reads.

pub mod blocks;
pub mod decode;
pub mod entry;
pub mod html;
pub mod list;
pub mod meta;
pub mod text;

use serde::Serialize;

/// Largest input accepted, in bytes. Real letters, even with thousands of
/// signers, are a few megabytes; anything larger is not a letter.
pub const MAX_INPUT_BYTES: usize = 32 * 1024 * 1024;

/// Input formats the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Markdown,
    Html,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }

    /// The format a file name suggests, if any.
    pub fn from_path(path: &str) -> Option<Format> {
        let lower = path.to_ascii_lowercase();
        let ext = lower.rsplit('.').next()?;
        match ext {
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "md" | "markdown" => Some(Format::Markdown),
            "txt" | "text" => Some(Format::Text),
            _ => None,
        }
    }
}

/// Whether a signer is an organization or a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Organization,
    Individual,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Organization => "organization",
            Kind::Individual => "individual",
        }
    }
}

/// One signer as printed in a letter, with where it was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signatory {
    /// 1-based order in the letter's list.
    pub position: u32,
    /// The name with notes and acronym split off ("8888 Generation").
    pub name: String,
    /// The entry as printed, list marker removed ("8888 Generation (New Zealand)").
    pub printed: String,
    /// An acronym printed with the name ("APHR" from "... – APHR").
    pub acronym: Option<String>,
    /// A note printed with the name: a country, a state, a title ("New Zealand", "KS", "MR").
    pub note: Option<String>,
    /// ISO 3166-1 alpha-2 code read from the note or the group heading.
    pub country: Option<String>,
    /// For individuals: the affiliation printed after the name.
    pub affiliation: Option<String>,
    pub kind: Kind,
    /// The section heading the entry sits under, if the list has sections.
    pub section: Option<String>,
    /// 1-based line number in the decoded document.
    pub line: u32,
    /// The whole source line, as it stands in the document.
    pub raw: String,
}

/// One statement with its signatory list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Letter {
    pub title: Option<String>,
    /// ISO date (YYYY-MM-DD, or YYYY-MM / YYYY when the text says no more).
    pub date: Option<String>,
    /// ISO 639-1 code of the list header's language.
    pub language: Option<String>,
    /// The number of signers the text claims ("the undersigned 259 organizations").
    pub claimed_count: Option<u64>,
    /// The text says its list is partial ("and many more", "full list at").
    pub partial: bool,
    /// 1-based line of the list header.
    pub header_line: u32,
    pub signatories: Vec<Signatory>,
    /// Things a person should check (count mismatch, partial list...).
    pub warnings: Vec<String>,
}

/// A decoded and parsed document: the text as read and the letters in it.
#[derive(Debug, Clone)]
pub struct Document {
    pub text: String,
    pub format: Format,
    pub encoding: &'static str,
    pub letters: Vec<Letter>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ParseError {
    #[error("the input is empty")]
    Empty,
    /// Over [`MAX_INPUT_BYTES`]; the number is how many bytes were read,
    /// which a reader that stops past the limit leaves short of the whole.
    #[error(
        "the input is over the limit of {} MiB ({MAX_INPUT_BYTES} bytes)",
        MAX_INPUT_BYTES / (1024 * 1024)
    )]
    TooLarge(usize),
    #[error("the input looks binary, not text ({0})")]
    Binary(String),
    #[error("the input is not valid text in any known encoding ({0})")]
    Undecodable(String),
    #[error("no signatory list found: {0}")]
    NoSignatories(String),
    #[error("the HTML is nested {0} levels deep, over the limit of {max}", max = html::MAX_DEPTH)]
    TooDeep(usize),
}

/// Options that change how a document is read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Forces a format instead of sniffing it.
    pub format: Option<Format>,
}

/// Decodes and parses a whole document into its letters. Fails when the
/// bytes are not text or when no statement on the page has a list.
pub fn parse_bytes(bytes: &[u8], opts: Options) -> Result<Document, ParseError> {
    let decoded = decode::decode(bytes)?;
    let format = opts.format.unwrap_or_else(|| sniff(&decoded.text));
    let blocks = match format {
        Format::Html => html::blocks(&decoded.text)?,
        Format::Text | Format::Markdown => text::blocks(&decoded.text, format),
    };
    let mut letters = list::find_letters(&blocks);
    if format != Format::Html && letters.len() == 1 {
        // Front matter names the page's one letter better than its text does.
        let (title, date) = meta::front_matter(&decoded.text);
        let l = &mut letters[0];
        if title.is_some() {
            l.title = title;
        }
        if l.date.is_none() {
            l.date = date;
        }
    }
    if letters.is_empty() {
        return Err(ParseError::NoSignatories(list::why_no_list(&blocks)));
    }
    Ok(Document {
        text: decoded.text,
        format,
        encoding: decoded.encoding,
        letters,
    })
}

/// Guesses the format from the text itself: HTML when it opens like a
/// page or is dense with block tags, Markdown when it has Markdown
/// headings or lists, text otherwise.
pub fn sniff(text: &str) -> Format {
    // Everything here compares ASCII without regard to case, so the text
    // is read in place rather than from lower-cased copies.
    // Where the character after the first `n` starts: counted over bytes
    // (a character starts at each byte but UTF-8's continuation bytes).
    let char_end = |n: usize| {
        if text.len() <= n {
            // No more characters than bytes.
            return text.len();
        }
        text.bytes()
            .enumerate()
            .filter(|&(_, b)| (b as i8) >= -0x40)
            .nth(n)
            .map_or(text.len(), |(i, _)| i)
    };
    let head_end = char_end(4096);
    let t = text[..head_end].trim_start().as_bytes();
    let opens = |p: &str| {
        t.get(..p.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(p.as_bytes()))
    };
    if opens("<!doctype html") || opens("<html") {
        return Format::Html;
    }
    // Pages saved as .md or .txt are often HTML underneath (a mail
    // template, a CMS export): count block tags over the first 64 KiB.
    let end = char_end(65_536);
    let body = &text[..end];
    const TAGS: &[&str] = &[
        "<p>", "<p ", "<li>", "<li ", "<div", "<br", "<table", "<td", "<h1", "<h2", "<ul", "<ol",
    ];
    // A tag starts with its only "<", so its matches never overlap: count
    // them at each "<", and in the head those that end within it.
    let (mut in_head, mut in_body) = (0usize, 0usize);
    for (i, _) in body.match_indices('<') {
        let at = &body.as_bytes()[i..];
        for tag in TAGS {
            if at
                .get(..tag.len())
                .is_some_and(|b| b.eq_ignore_ascii_case(tag.as_bytes()))
            {
                in_body += 1;
                if i + tag.len() <= head_end {
                    in_head += 1;
                }
            }
        }
    }
    // With few tags the page is not HTML whatever its lines: they are
    // counted only when the tags could make it so.
    if in_head >= 5 || in_body >= 20 {
        let (mut lines, mut md_lines) = (0usize, 0usize);
        for l in self::text::lines(body) {
            if !l.trim().is_empty() {
                lines += 1;
            }
            // Markdown with some raw HTML in it (a form, a div around a list) stays
            // Markdown: its own list and heading lines outnumber the tags.
            let l = l.trim_start();
            if l.starts_with("* ") || l.starts_with("- ") || l.starts_with('#') {
                md_lines += 1;
            }
        }
        let lines = lines.max(1);
        let markdown_first = md_lines >= 10 && md_lines * 2 >= in_body;
        if !markdown_first && (in_head >= 5 || (in_body >= 20 && in_body * 2 >= lines)) {
            return Format::Html;
        }
    }
    let md = self::text::lines(text).take(400).any(|l| {
        let l = l.trim_start();
        l.starts_with("# ") || l.starts_with("## ") || l.starts_with("### ") || l.starts_with("**")
    });
    if md {
        Format::Markdown
    } else {
        Format::Text
    }
}
