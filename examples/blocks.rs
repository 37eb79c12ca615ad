//! Developer aid: prints the blocks a document is read into, one per line
//! (`cargo run --example blocks -- FILE`), to see why a list is or is not found.

fn main() {
    let path = std::env::args().nth(1).expect("usage: blocks FILE");
    let bytes = std::fs::read(&path).expect("read");
    let text = String::from_utf8_lossy(&bytes);
    let format = undersigned::parse::Format::from_path(&path)
        .filter(|f| *f == undersigned::parse::Format::Html)
        .unwrap_or_else(|| undersigned::parse::sniff(&text));
    let blocks = match format {
        undersigned::parse::Format::Html => undersigned::parse::html::blocks(&text).expect("html"),
        f => undersigned::parse::text::blocks(&text, f),
    };
    for b in blocks {
        let t: String = b.text.chars().take(90).collect();
        println!(
            "L{:<5} i{:<3} {:?} h{:?}{}{}{} {}",
            b.line,
            b.indent,
            b.marker,
            b.heading,
            if b.chrome { " CHROME" } else { "" },
            if b.cell { " CELL" } else { "" },
            if b.rule { " RULE" } else { "" },
            t
        );
    }
}
