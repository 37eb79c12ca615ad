//! Rows written as they are made: CSV and JSON go out row by row, so the
//! overlap of a large registry never has to sit in memory whole. An
//! aligned table needs every row to size its columns, so it is gathered
//! first (it is meant for a terminal, and small outputs).

use std::io::{self, Write};

use super::{csv_io, csv_safe, Cell, Format, Table};

/// Where rows go, in one of the formats `--format` offers.
pub struct RowSink<'a> {
    columns: Vec<&'static str>,
    rows: usize,
    how: How<'a>,
}

enum How<'a> {
    Csv(Box<csv::Writer<&'a mut dyn Write>>),
    Json {
        out: &'a mut dyn Write,
    },
    Table {
        out: &'a mut dyn Write,
        table: Table,
    },
}

impl<'a> RowSink<'a> {
    /// Starts the output: a CSV header, or the opening of a JSON array.
    pub fn new(
        format: Format,
        columns: Vec<&'static str>,
        out: &'a mut dyn Write,
    ) -> io::Result<RowSink<'a>> {
        let how = match format {
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(columns.iter().map(|c| csv_safe(c).into_owned()))
                    .map_err(csv_io)?;
                How::Csv(Box::new(w))
            }
            Format::Json => {
                out.write_all(b"[")?;
                How::Json { out }
            }
            Format::Table => How::Table {
                out,
                table: Table {
                    columns: columns.clone(),
                    rows: Vec::new(),
                },
            },
        };
        Ok(RowSink {
            columns,
            rows: 0,
            how,
        })
    }

    /// Writes one row (one cell per column).
    pub fn row(&mut self, cells: Vec<Cell>) -> io::Result<()> {
        debug_assert_eq!(cells.len(), self.columns.len());
        match &mut self.how {
            How::Csv(w) => {
                // Field by field, text borrowed: an overlap table is
                // millions of rows.
                // Numbers formatted on the stack: a digit string (with a
                // leading "-" at most) is never taken for a formula.
                let mut digits = itoa::Buffer::new();
                for c in &cells {
                    match c {
                        Cell::Text(s) => w.write_field(csv_safe(s).as_bytes()),
                        Cell::Int(n) => w.write_field(digits.format(*n).as_bytes()),
                        Cell::Null => w.write_field(b""),
                        other => w.write_field(csv_safe(&other.as_text()).as_bytes()),
                    }
                    .map_err(csv_io)?;
                }
                w.write_record(None::<&[u8]>).map_err(csv_io)?;
            }
            How::Json { out } => {
                // One object per line, keys in column order.
                let sep: &[u8] = if self.rows == 0 { b"\n{" } else { b",\n{" };
                out.write_all(sep)?;
                for (i, (c, v)) in self.columns.iter().zip(&cells).enumerate() {
                    if i > 0 {
                        out.write_all(b",")?;
                    }
                    serde_json::to_writer(&mut **out, c)?;
                    out.write_all(b":")?;
                    serde_json::to_writer(&mut **out, &v.to_json())?;
                }
                out.write_all(b"}")?;
            }
            How::Table { table, .. } => table.rows.push(cells),
        }
        self.rows += 1;
        Ok(())
    }

    /// Ends the output; returns the number of rows written.
    pub fn finish(self) -> io::Result<usize> {
        match self.how {
            How::Csv(mut w) => w.flush()?,
            How::Json { out } => {
                if self.rows > 0 {
                    out.write_all(b"\n")?;
                }
                out.write_all(b"]\n")?;
                out.flush()?;
            }
            How::Table { out, table } => {
                table.write_table(out)?;
                out.flush()?;
            }
        }
        Ok(self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(format: Format, rows: Vec<Vec<Cell>>) -> String {
        let mut buf = Vec::new();
        let mut sink = RowSink::new(format, vec!["name", "zeta", "a"], &mut buf).unwrap();
        for r in rows {
            sink.row(r).unwrap();
        }
        sink.finish().unwrap();
        String::from_utf8(buf).unwrap()
    }

    fn rows() -> Vec<Vec<Cell>> {
        vec![
            vec!["=1+1".into(), Cell::Float(0.5), Cell::Null],
            vec!["B \"quoted\"".into(), Cell::Float(1.0 / 3.0), 4.into()],
        ]
    }

    #[test]
    fn csv_rows_are_formula_safe() {
        assert_eq!(
            write(Format::Csv, rows()),
            "name,zeta,a\n'=1+1,0.5,\n\"B \"\"quoted\"\"\",0.333333,4\n"
        );
    }

    #[test]
    fn csv_numbers_are_written_as_numbers() {
        let rows = vec![vec![Cell::Int(-12), Cell::Int(i64::MAX), Cell::Null]];
        assert_eq!(
            write(Format::Csv, rows),
            "name,zeta,a\n-12,9223372036854775807,\n"
        );
    }

    #[test]
    fn json_rows_keep_column_order_and_parse() {
        let text = write(Format::Json, rows());
        assert!(text.starts_with("[\n{\"name\":\"=1+1\",\"zeta\":0.5,\"a\":null},\n"));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v[1]["name"], "B \"quoted\"");
        assert_eq!(v[1]["zeta"], 0.333333);
        assert_eq!(write(Format::Json, vec![]), "[]\n");
        let v: serde_json::Value = serde_json::from_str("[]\n").unwrap();
        assert!(v.as_array().unwrap().is_empty());
    }

    #[test]
    fn table_rows_align() {
        assert_eq!(
            write(Format::Table, rows()),
            "name        zeta      a\n=1+1        0.5\nB \"quoted\"  0.333333  4\n"
        );
    }
}
