//! HTML -> blocks through a real HTML parser (`scraper`, on html5ever):
//! block elements become lines, `<li>` items carry their list marker,
//! table cells become lines of one row, and navigation, headers, footers,
//! forms, scripts, styles and comments are kept out of the text or marked
//! as page chrome.

use ego_tree::NodeRef;
use scraper::{Html, Node};

use super::blocks::{excerpt, Block, Marker};
use super::ParseError;
use crate::normalize::clean;

/// Deepest element nesting read. Real pages stay under 60; deeper input is
/// hostile or broken, and refusing it keeps the walk's stack bounded.
pub const MAX_DEPTH: usize = 400;

/// Elements whose content is never text of the letter.
const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "iframe", "button", "select", "option",
    "textarea", "input", "canvas", "video", "audio", "object", "map", "head", "img",
];

/// Elements that start a new line.
const BLOCK: &[&str] = &[
    "p",
    "div",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "blockquote",
    "section",
    "article",
    "main",
    "dt",
    "dd",
    "pre",
    "address",
    "figure",
    "figcaption",
    "ul",
    "ol",
    "dl",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "caption",
    "center",
    "fieldset",
    "legend",
    "summary",
    "details",
    "body",
    "html",
    "header",
    "footer",
    "nav",
    "aside",
    "form",
    "label",
];

/// Class or id words that mark page chrome rather than content.
const CHROME_WORDS: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "breadcrumb",
    "breadcrumbs",
    "footer",
    "share",
    "sharing",
    "social",
    "cookie",
    "cookies",
    "sidebar",
    "skip",
    "pagination",
    "related",
    "subscribe",
    "newsletter",
    "masthead",
    "topbar",
];

struct Walker {
    blocks: Vec<Block>,
    line: String,
    line_bold: usize,
    line_marker: Marker,
    line_heading: Option<u8>,
    line_chrome: bool,
    line_cell: bool,
    line_depth: u32,
    max_depth: usize,
    /// The number the next `<li>` of an `<ol>` carries.
    next_number: Option<u64>,
    /// Inside a table row of several simple cells: the cells read so far.
    /// The row becomes one block, "cell | cell | cell".
    row: Option<Vec<String>>,
    row_header: bool,
}

/// Bytes of HTML handed to the parser at a time. Between two, the depth
/// of the newest node is measured, so a page nested deeper than
/// [`MAX_DEPTH`] is refused while it is being read: html5ever scans the
/// stack of open elements for most tags, so reading all of a deeply
/// nested page would take time growing with the square of its size (32
/// MiB of `<div>` ran for over ten minutes).
const CHUNK: usize = 4096;

/// Parses a whole page as [`Html::parse_document`] does, refusing one
/// nested deeper than [`MAX_DEPTH`] as soon as the parse gets there.
fn parse_document(source: &str) -> Result<Html, ParseError> {
    use html5ever::tendril::TendrilSink;
    let sink = scraper::HtmlTreeSink::new(Html::new_document());
    let mut parser = html5ever::driver::parse_document(sink, Default::default());
    let mut rest = source;
    while !rest.is_empty() {
        let mut end = rest.len().min(CHUNK);
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        parser.process(rest[..end].into());
        rest = &rest[end..];
        // Nodes are stored in the order they were made; the newest sits
        // where the parser is. Its depth counts elements as `walk` does.
        let depth = {
            let html = parser.tokenizer.sink.sink.0.borrow();
            html.tree.nodes().next_back().map_or(0, |n| {
                n.ancestors().filter(|a| a.value().is_element()).count()
            })
        };
        if depth > MAX_DEPTH {
            return Err(ParseError::TooDeep(depth));
        }
    }
    Ok(parser.finish())
}

pub fn blocks(source: &str) -> Result<Vec<Block>, ParseError> {
    let doc = parse_document(source)?;
    let mut w = Walker {
        blocks: Vec::new(),
        line: String::new(),
        line_bold: 0,
        line_marker: Marker::None,
        line_heading: None,
        line_chrome: false,
        line_cell: false,
        line_depth: 0,
        max_depth: 0,
        next_number: None,
        row: None,
        row_header: false,
    };
    // The <title> reads as a top-level heading at the start.
    if let Ok(sel) = scraper::Selector::parse("head > title") {
        if let Some(t) = doc.select(&sel).next() {
            let text = clean(&t.text().collect::<String>());
            if !text.is_empty() {
                let mut b = Block::blank(0);
                b.heading = Some(1);
                b.text = text;
                w.blocks.push(b);
            }
        }
    }
    let ctx = Ctx {
        chrome: false,
        bold: false,
        depth: 0,
        list: None,
        in_row_cells: false,
        in_main: false,
    };
    w.walk(doc.tree.root(), ctx)?;
    w.flush();
    assign_lines(source, &mut w.blocks);
    Ok(w.blocks)
}

#[derive(Clone, Copy)]
struct Ctx {
    chrome: bool,
    bold: bool,
    depth: usize,
    /// Inside an `<ol>` (Some(true)) or `<ul>` (Some(false)).
    list: Option<bool>,
    in_row_cells: bool,
    /// Inside `<main>` or `<article>`.
    in_main: bool,
}

impl Walker {
    fn walk(&mut self, node: NodeRef<'_, Node>, ctx: Ctx) -> Result<(), ParseError> {
        if ctx.depth > MAX_DEPTH {
            return Err(ParseError::TooDeep(ctx.depth));
        }
        self.max_depth = self.max_depth.max(ctx.depth);
        match node.value() {
            Node::Text(t) => {
                let s: &str = t;
                if !s.is_empty() {
                    self.line.push_str(s);
                    if ctx.bold {
                        self.line_bold += s.chars().filter(|c| !c.is_whitespace()).count();
                    }
                    self.line_chrome |= ctx.chrome;
                }
                Ok(())
            }
            Node::Element(el) => {
                let name = el.name();
                if SKIP.contains(&name) {
                    return Ok(());
                }
                if name == "br" {
                    self.flush();
                    return Ok(());
                }
                if name == "hr" {
                    self.flush();
                    let mut b = Block::blank(0);
                    b.rule = true;
                    self.blocks.push(b);
                    return Ok(());
                }
                let mut c = ctx;
                c.depth += 1;
                if matches!(name, "main" | "article") {
                    c.in_main = true;
                }
                // A <header> inside an article is the article's own heading.
                let page_part = matches!(name, "nav" | "footer" | "aside" | "form")
                    || (name == "header" && !ctx.in_main);
                if page_part
                    || el
                        .attr("role")
                        .is_some_and(|r| r == "navigation" || r == "banner")
                    || is_chrome_attr(el.attr("class"))
                    || is_chrome_attr(el.attr("id"))
                {
                    c.chrome = true;
                }
                if matches!(name, "strong" | "b") {
                    c.bold = true;
                }
                let block = BLOCK.contains(&name);
                if block {
                    self.flush();
                    // A block's indent is its element depth.
                    self.line_depth = c.depth as u32;
                }
                match name {
                    "ol" => c.list = Some(true),
                    "ul" => c.list = Some(false),
                    _ => {}
                }
                if name == "tr" {
                    let cells = node
                        .children()
                        .filter(|n| matches!(n.value(), Node::Element(e) if matches!(e.name(), "td" | "th")))
                        .count();
                    // Layout tables nest tables in their cells; only rows
                    // of plain cells are data rows.
                    let nested = node.descendants().skip(1).any(|n| {
                        matches!(n.value(), Node::Element(e) if matches!(e.name(), "table" | "ul" | "ol" | "p" | "div"))
                    });
                    c.in_row_cells = cells > 1 && !nested;
                    if c.in_row_cells {
                        self.row = Some(Vec::new());
                        self.row_header = node
                            .children()
                            .all(|n| !matches!(n.value(), Node::Element(e) if e.name() == "td"));
                        for child in node.children() {
                            self.walk(child, c)?;
                        }
                        self.flush();
                        let cells = self.row.take().unwrap_or_default();
                        if cells.iter().any(|c| !c.is_empty()) {
                            let mut b = Block::blank(0);
                            b.text = cells.join(" | ");
                            b.raw = b.text.clone();
                            b.cell = true;
                            b.chrome = ctx.chrome;
                            if self.row_header {
                                b.heading = Some(7);
                            }
                            self.blocks.push(b);
                        }
                        return Ok(());
                    }
                }
                if name == "ol" {
                    let start = el
                        .attr("start")
                        .and_then(|s| s.trim().parse::<u64>().ok())
                        .unwrap_or(1);
                    let mut n = start;
                    for child in node.children() {
                        let is_li = matches!(child.value(), Node::Element(e) if e.name() == "li");
                        if is_li {
                            self.next_number = Some(n);
                            n += 1;
                        }
                        self.walk(child, c)?;
                        if is_li {
                            self.flush();
                        }
                    }
                    self.flush();
                    return Ok(());
                }
                if name == "li" {
                    self.line_marker = match self.next_number.take() {
                        Some(n) if ctx.list == Some(true) => Marker::Number(n),
                        _ => Marker::Bullet,
                    };
                    self.line_depth = c.depth as u32;
                }
                if let Some(level) = name.strip_prefix('h').and_then(|d| d.parse::<u8>().ok()) {
                    if (1..=6).contains(&level) {
                        self.line_heading = Some(level);
                    }
                }
                if matches!(name, "td" | "th") && ctx.in_row_cells {
                    self.line_cell = true;
                }
                for child in node.children() {
                    self.walk(child, c)?;
                }
                if block {
                    self.flush();
                }
                Ok(())
            }
            Node::Document | Node::Fragment => {
                for child in node.children() {
                    self.walk(child, ctx)?;
                }
                Ok(())
            }
            // Comments, doctypes and processing instructions hold no text.
            _ => Ok(()),
        }
    }

    fn flush(&mut self) {
        if let Some(row) = self.row.as_mut() {
            // Inside a data row: each cell's text is one column.
            let text = clean(&self.line);
            if !text.is_empty() || self.line_cell {
                row.push(text);
            }
            self.line.clear();
            self.line_bold = 0;
            self.line_marker = Marker::None;
            self.line_heading = None;
            self.line_chrome = false;
            self.line_cell = false;
            return;
        }
        let text = clean(&self.line);
        if !text.is_empty() {
            let mut b = Block::blank(0);
            let letters = text.chars().filter(|c| !c.is_whitespace()).count();
            b.heading = self.line_heading;
            if b.heading.is_none() && self.line_bold > 0 && self.line_bold * 10 >= letters * 9 {
                b.heading = Some(7);
            }
            b.marker = if b.heading.is_some() && self.line_marker == Marker::None {
                Marker::None
            } else {
                self.line_marker
            };
            b.raw = text.clone();
            b.text = text;
            b.chrome = self.line_chrome;
            b.cell = self.line_cell;
            b.indent = self.line_depth;
            self.blocks.push(b);
        }
        self.line.clear();
        self.line_bold = 0;
        self.line_marker = Marker::None;
        self.line_heading = None;
        self.line_chrome = false;
        self.line_cell = false;
    }
}

fn is_chrome_attr(v: Option<&str>) -> bool {
    let Some(v) = v else { return false };
    v.split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .any(|w| CHROME_WORDS.contains(&w.to_ascii_lowercase().as_str()))
}

/// Gives each block the source line where its text begins, searching
/// forward from the previous block so that order is kept. Entities and
/// tags between words make an exact search fail; then the first word is
/// looked for, and failing that the previous line is kept.
fn assign_lines(source: &str, blocks: &mut [Block]) {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |pos: usize| match line_starts.binary_search(&pos) {
        Ok(i) => i + 1,
        Err(i) => i,
    };
    let mut pos = 0usize;
    let mut last_line = 1u32;
    // A text not found as written (an entity or a tag inside it) costs a
    // search to the end of the page. Past a budget of a few times the
    // page's size in all, such searches look only a window ahead, so a
    // page of many of them is read in linear time, not quadratic.
    let mut budget = source.len().saturating_mul(4);
    let ahead = |pos: usize, len: usize| {
        let mut end = (pos + len).min(source.len());
        while !source.is_char_boundary(end) {
            end += 1;
        }
        &source[pos..end]
    };
    for b in blocks.iter_mut() {
        if b.text.is_empty() {
            b.line = last_line;
            continue;
        }
        let probe: String = b.text.chars().take(24).collect();
        let word: String = b
            .text
            .split_whitespace()
            .next()
            .unwrap_or("")
            .chars()
            .take(24)
            .collect();
        // The text's start as written, or its first word when that comes
        // sooner (tags inside the text defeat the exact search, and an
        // exact match far ahead is a later repetition); a miss keeps the
        // previous line rather than jumping.
        let hay = if budget > 0 {
            &source[pos..]
        } else {
            ahead(pos, 64 * 1024)
        };
        let exact = hay.find(&probe);
        budget = budget.saturating_sub(exact.unwrap_or(hay.len()));
        let first = (word.chars().count() >= 4)
            .then(|| ahead(pos, 4000 + word.len()).find(&word))
            .flatten()
            .filter(|&i| i < 4000);
        // With where the match ends: the next block is looked for after
        // it, or two entries starting with the same word ("Karen
        // Community of Iowa", "Karen Community of Utah") would both be
        // placed at the first.
        let found = match (exact, first) {
            (Some(a), Some(b)) if b < a => Some((pos + b, word.len())),
            (Some(a), _) => Some((pos + a, probe.len())),
            (None, b) => b.map(|i| (pos + i, word.len())),
        };
        if let Some((at, len)) = found {
            pos = at + len;
            last_line = line_of(at) as u32;
            let ls = line_starts[(last_line - 1) as usize];
            // Where the next line starts (not a search for the newline,
            // which on a one-line page would cross all of it per block).
            let le = line_starts
                .get(last_line as usize)
                .map_or(source.len(), |next| next - 1);
            b.raw = excerpt(&source[ls..le], at - ls);
        }
        b.line = last_line;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_headings_and_chrome() {
        let html = r#"<html><head><title>T</title><style>p{}</style></head><body>
<nav><ul><li><a href="/">Home</a></li></ul></nav>
<h1>Open letter</h1>
<h2>Signatories</h2>
<ol start="3"><li><cite>Ann Lee</cite>, Uni</li><!-- <li>b</li> --><li>Bob &amp; Co</li></ol>
<p><strong>Organisations</strong></p>
<p>One<br>Two</p>
<footer><p>Contact us</p></footer>
</body></html>"#;
        let b = blocks(html).unwrap();
        let texts: Vec<(&str, bool)> = b.iter().map(|b| (b.text.as_str(), b.chrome)).collect();
        assert_eq!(
            texts,
            vec![
                ("T", false),
                ("Home", true),
                ("Open letter", false),
                ("Signatories", false),
                ("Ann Lee, Uni", false),
                ("Bob & Co", false),
                ("Organisations", false),
                ("One", false),
                ("Two", false),
                ("Contact us", true),
            ]
        );
        assert_eq!(b[4].marker, Marker::Number(3));
        assert_eq!(b[5].marker, Marker::Number(4));
        assert_eq!(b[6].heading, Some(7));
        assert_eq!(b[2].heading, Some(1));
        assert_eq!(b[7].line, 7);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let html = "<div>".repeat(MAX_DEPTH + 50);
        assert!(matches!(blocks(&html), Err(ParseError::TooDeep(_))));
    }

    #[test]
    fn nesting_up_to_the_limit_is_read() {
        let depth = MAX_DEPTH - 10;
        let html = format!(
            "<html><body>{}<h2>Signed by:</h2><ul><li>One</li><li>Two</li></ul>{}</body></html>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let b = blocks(&html).unwrap();
        assert!(b.iter().any(|b| b.text == "Two"));
    }

    /// Found by trying a page of 32 MiB of `<div>`: the depth was measured
    /// only after html5ever had read the whole page, which took over ten
    /// minutes (its scope scans grow with the depth, for every tag).
    #[test]
    fn deeply_nested_page_is_refused_while_it_is_read() {
        let html = format!("<html><body>{}", "<div>".repeat(400_000));
        let t = std::time::Instant::now();
        assert!(matches!(blocks(&html), Err(ParseError::TooDeep(_))));
        // Reading it all took minutes; refused early, a fraction of a second.
        assert!(
            t.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            t.elapsed()
        );
    }

    /// Found while bounding the line search: each block was looked for
    /// from where the one before it started, so a first word they share
    /// placed every entry on the first one's line.
    #[test]
    fn entries_starting_with_the_same_word_get_their_own_lines() {
        let html = "<html><body>\n<h2>Signed by:</h2>\n<ul>\n<li>Karen Community of Iowa</li>\n<li>Karen Community of Utah</li>\n<li>Karen Community of Ohio</li>\n</ul></body></html>\n";
        let b = blocks(html).unwrap();
        let lines: Vec<u32> = b
            .iter()
            .filter(|b| b.text.starts_with("Karen"))
            .map(|b| b.line)
            .collect();
        assert_eq!(lines, vec![4, 5, 6]);
    }

    /// Found by trying a minified page (one line) of 200,000 list items:
    /// each block kept a copy of the whole line, over 24 GB in all; then,
    /// with 30 MiB of items, each block still searched the rest of the
    /// line for its end.
    #[test]
    fn one_line_page_keeps_a_short_excerpt_per_block() {
        let items: String = (0..3000)
            .map(|i| format!("<li>Member group number {i}</li>"))
            .collect();
        let html = format!("<html><body><h2>Signed by:</h2><ul>{items}</ul></body></html>");
        let b = blocks(&html).unwrap();
        let last = b
            .iter()
            .find(|b| b.text == "Member group number 2999")
            .unwrap();
        assert!(last.raw.len() <= super::super::blocks::MAX_RAW_BYTES + 8);
        assert!(
            last.raw.contains("Member group number 2999"),
            "{}",
            last.raw
        );
        assert!(b.iter().all(|b| b.raw.len() <= 1100));
    }
}
