//! Rows out: the tables the commands print and export, written as CSV
//! (formula-safe), JSON or an aligned text table; overlap measures and
//! network formats live in the submodules.

pub mod network;
pub mod overlap;
pub mod stream;

use std::io::Write;

use serde_json::{Map, Value};
use unicode_width::UnicodeWidthStr;

use crate::store::{LetterRow, OrgRow, SignatureRow};

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    /// A measure (a ratio, a weight): written with at most six decimals.
    Float(f64),
    Text(String),
}

impl Cell {
    /// [`Cell::as_text`], appended to `out`.
    fn write_text(&self, out: &mut String) {
        match self {
            Cell::Null => {}
            Cell::Int(n) => out.push_str(itoa::Buffer::new().format(*n)),
            Cell::Float(x) => out.push_str(&measure(*x)),
            Cell::Text(s) => out.push_str(s),
        }
    }

    fn as_text(&self) -> String {
        let mut s = String::new();
        self.write_text(&mut s);
        s
    }

    fn to_json(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Int(n) => Value::from(*n),
            // The same six decimals as the text forms, so CSV and JSON agree.
            Cell::Float(x) => Value::from((x * 1e6).round() / 1e6),
            Cell::Text(s) => Value::from(s.as_str()),
        }
    }
}

/// A measure as text: six decimals at most, trailing zeros dropped
/// ("0.75", "1", "0.333333").
pub fn measure(x: f64) -> String {
    // Millionths as an integer: the same digits as JSON's rounding, and a
    // tenth of the time of float formatting over millions of rows.
    let m = (x * 1e6).round();
    if m.is_finite() && m.abs() < 1e15 {
        let m = m as i64;
        let a = m.unsigned_abs();
        let (int, frac) = (a / 1_000_000, a % 1_000_000);
        let mut s = String::with_capacity(20);
        if m < 0 {
            s.push('-');
        }
        s.push_str(&int.to_string());
        if frac > 0 {
            let digits = format!("{frac:06}");
            s.push('.');
            s.push_str(digits.trim_end_matches('0'));
        }
        return s;
    }
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}
impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}
impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Cell {
        s.map_or(Cell::Null, Cell::Text)
    }
}
impl From<Option<i64>> for Cell {
    fn from(n: Option<i64>) -> Cell {
        n.map_or(Cell::Null, Cell::Int)
    }
}
impl From<f64> for Cell {
    fn from(x: f64) -> Cell {
        Cell::Float(x)
    }
}
impl From<Option<&str>> for Cell {
    fn from(s: Option<&str>) -> Cell {
        s.map_or(Cell::Null, |s| Cell::Text(s.to_string()))
    }
}
impl From<bool> for Cell {
    fn from(b: bool) -> Cell {
        Cell::Int(i64::from(b))
    }
}

/// A table: named columns and rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// How rows are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
}

/// Makes a value safe for spreadsheets: one that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return would be read as a formula, so it
/// gets a leading apostrophe (the OWASP recommendation). A lone "-" or a
/// plain negative number stays as it is.
pub fn csv_safe(s: &str) -> std::borrow::Cow<'_, str> {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = s.starts_with(['-', '+'])
        && s.len() > 1
        && s[1..].chars().all(|c| c.is_ascii_digit() || c == '.');
    if risky && !number && s != "-" {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// A CSV writer's error as the I/O error it is, when it is one, so that a
/// closed pipe (`| head`) is still recognised as one.
pub fn csv_io(e: csv::Error) -> std::io::Error {
    if let csv::ErrorKind::Io(_) = e.kind() {
        if let csv::ErrorKind::Io(inner) = e.into_kind() {
            return inner;
        }
        unreachable!("the kind was checked")
    }
    std::io::Error::other(e)
}

impl Table {
    /// The same rows with only the named columns, in that order.
    pub fn select(&self, cols: &[&'static str]) -> Table {
        let idx: Vec<usize> = cols
            .iter()
            .filter_map(|c| self.columns.iter().position(|x| x == c))
            .collect();
        Table {
            columns: idx.iter().map(|&i| self.columns[i]).collect(),
            rows: self
                .rows
                .iter()
                .map(|r| idx.iter().map(|&i| r[i].clone()).collect())
                .collect(),
        }
    }

    pub fn write(&self, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
        match format {
            Format::Csv => self.write_csv(out),
            Format::Json => self.write_json(out),
            Format::Table => self.write_table(out),
        }
    }

    pub fn write_csv(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(&self.columns).map_err(csv_io)?;
        // One buffer per column, reused from row to row.
        let mut cells: Vec<String> = vec![String::new(); self.columns.len()];
        for row in &self.rows {
            for (buf, c) in cells.iter_mut().zip(row) {
                buf.clear();
                c.write_text(buf);
            }
            w.write_record(cells.iter().map(|t| match csv_safe(t) {
                std::borrow::Cow::Borrowed(b) => std::borrow::Cow::Borrowed(b.as_bytes()),
                std::borrow::Cow::Owned(o) => std::borrow::Cow::Owned(o.into_bytes()),
            }))
            .map_err(csv_io)?;
        }
        w.flush()?;
        Ok(())
    }

    pub fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let items: Vec<Value> = self
            .rows
            .iter()
            .map(|row| {
                let mut m = Map::new();
                for (c, v) in self.columns.iter().zip(row) {
                    m.insert((*c).to_string(), v.to_json());
                }
                Value::Object(m)
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &items)?;
        writeln!(out)
    }

    /// Aligned columns for a terminal; long text is cut to keep rows on one line.
    pub fn write_table(&self, out: &mut dyn Write) -> std::io::Result<()> {
        const MAX: usize = 60;
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| truncate(&c.as_text().replace(['\n', '\t'], " "), MAX))
                    .collect()
            })
            .collect();
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.width()).collect();
        for r in &cells {
            for (i, c) in r.iter().enumerate() {
                widths[i] = widths[i].max(c.width());
            }
        }
        let line = |out: &mut dyn Write, vals: &[String]| -> std::io::Result<()> {
            let mut s = String::new();
            for (i, v) in vals.iter().enumerate() {
                if i + 1 == vals.len() {
                    s.push_str(v);
                } else {
                    s.push_str(v);
                    s.push_str(&" ".repeat(widths[i] - v.width() + 2));
                }
            }
            writeln!(out, "{}", s.trim_end())
        };
        let header: Vec<String> = self.columns.iter().map(|c| c.to_string()).collect();
        line(out, &header)?;
        for r in &cells {
            line(out, r)?;
        }
        Ok(())
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if out.width() + 2 > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

pub fn letters_table(rows: &[LetterRow]) -> Table {
    Table {
        columns: vec![
            "letter_id",
            "date",
            "title",
            "signatory_count",
            "claimed_count",
            "language",
            "partial",
            "source",
            "url",
        ],
        rows: rows
            .iter()
            .map(|l| {
                vec![
                    l.letter_id.into(),
                    l.date.clone().into(),
                    l.title.clone().into(),
                    l.signatory_count.into(),
                    l.claimed_count.into(),
                    l.language.clone().into(),
                    l.partial.into(),
                    l.source.as_str().into(),
                    l.url.clone().into(),
                ]
            })
            .collect(),
    }
}

/// The columns of a signature row, in the order [`signature_cells`] fills.
pub const SIGNATURE_COLUMNS: [&str; 17] = [
    "letter_id",
    "position",
    "name_as_printed",
    "org_id",
    "org_name",
    "acronym",
    "kind",
    "country",
    "org_type",
    "status",
    "added_on",
    "withdrawn_on",
    "note",
    "affiliation",
    "section",
    "line",
    "match_reason",
];

/// One signature as cells of [`SIGNATURE_COLUMNS`]; its text moves into
/// them, nothing is copied.
pub fn signature_cells(s: SignatureRow) -> Vec<Cell> {
    vec![
        s.letter_id.into(),
        s.position.into(),
        s.name_as_printed.into(),
        s.org_id.into(),
        s.org_name.into(),
        s.acronym.into(),
        s.kind.into(),
        s.country.into(),
        s.org_type.into(),
        s.status.into(),
        s.added_on.into(),
        s.withdrawn_on.into(),
        s.note.into(),
        s.affiliation.into(),
        s.section.into(),
        s.line.into(),
        s.match_reason.into(),
    ]
}

/// The signatures as a table (what `import --dry-run` prints).
pub fn signatures_table(rows: Vec<SignatureRow>) -> Table {
    Table {
        columns: SIGNATURE_COLUMNS.to_vec(),
        rows: rows.into_iter().map(signature_cells).collect(),
    }
}

pub fn orgs_table(rows: &[OrgRow]) -> Table {
    Table {
        columns: vec![
            "org_id", "name", "acronym", "kind", "country", "org_type", "letters",
        ],
        rows: rows
            .iter()
            .map(|o| {
                vec![
                    o.org_id.into(),
                    o.name.as_str().into(),
                    o.acronym.clone().into(),
                    o.kind.as_str().into(),
                    o.country.clone().into(),
                    o.org_type.clone().into(),
                    o.letters.into(),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_writes_ratios_as_six_decimals_trimmed() {
        assert_eq!(measure(0.0), "0");
        assert_eq!(measure(-0.0), "0");
        assert_eq!(measure(1.0), "1");
        assert_eq!(measure(0.5), "0.5");
        assert_eq!(measure(1.0 / 3.0), "0.333333");
        assert_eq!(measure(2.0 / 3.0), "0.666667");
        assert_eq!(measure(12.25), "12.25");
        assert_eq!(measure(-0.125), "-0.125");
        assert_eq!(measure(0.0000004), "0");
        // Every ratio of small counts, as the overlap measures give them,
        // reads as the float formatting of six decimals would.
        for d in 1..=120u32 {
            for n in 0..=d {
                let x = f64::from(n) / f64::from(d);
                let slow = format!("{x:.6}");
                let slow = slow.trim_end_matches('0').trim_end_matches('.');
                assert_eq!(measure(x), slow, "{n}/{d}");
            }
        }
    }

    #[test]
    fn formulas_are_neutralized() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe("+1 Coalition"), "'+1 Coalition");
        assert_eq!(csv_safe("-12"), "-12");
        assert_eq!(csv_safe("Karen Youth"), "Karen Youth");
        // Found by the Arabic fixture: a multi-byte first letter.
        assert_eq!(csv_safe("بيان"), "بيان");
    }

    #[test]
    fn csv_json_and_table_output() {
        let t = Table {
            columns: vec!["id", "name"],
            rows: vec![vec![1.into(), "=A, B".into()], vec![2.into(), Cell::Null]],
        };
        let mut csv = Vec::new();
        t.write_csv(&mut csv).unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "id,name\n1,\"'=A, B\"\n2,\n"
        );
        let mut json = Vec::new();
        t.write_json(&mut json).unwrap();
        let v: Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(v[0]["id"], 1);
        assert_eq!(v[1]["name"], Value::Null);
        let mut tab = Vec::new();
        t.write_table(&mut tab).unwrap();
        assert_eq!(String::from_utf8(tab).unwrap(), "id  name\n1   =A, B\n2\n");
    }

    /// Found by running `undersigned overlap orgs | head -2`: the CSV
    /// writer wrapped the closed pipe in another error, so the binary
    /// printed "Broken pipe" and exited 2 instead of stopping quietly.
    #[test]
    fn csv_to_a_closed_pipe_is_a_broken_pipe() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
        }
        let t = Table {
            columns: vec!["a"],
            rows: vec![vec!["x".repeat(100_000).into()]],
        };
        let err = t.write_csv(&mut Closed).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
        let mut closed = Closed;
        let mut sink = stream::RowSink::new(Format::Csv, vec!["a"], &mut closed).unwrap();
        let err = match sink.row(vec!["x".repeat(100_000).into()]) {
            Err(e) => e,
            Ok(()) => sink.finish().unwrap_err(),
        };
        assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
    }

    #[test]
    fn measures_have_six_decimals_at_most() {
        assert_eq!(measure(0.75), "0.75");
        assert_eq!(measure(1.0), "1");
        assert_eq!(measure(1.0 / 3.0), "0.333333");
        assert_eq!(measure(7.0 / 6.0), "1.166667");
        assert_eq!(measure(0.0), "0");
        assert_eq!(
            Cell::Float(2.0 / 3.0).to_json(),
            serde_json::json!(0.666667)
        );
    }
}
