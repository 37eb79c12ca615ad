//! `undersigned eval-classify`: classification measured against a labelled set.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::{print_table, FormatArg};
use crate::classify::eval::{evaluate, read_gold, Report};
use crate::export::{Cell, Format, Table};

/// Measure classification against a hand-labelled set.
///
/// FILE is CSV with a header row: name,note,country,org_type,language,clue
/// (country blank when nothing printed shows it; clue one of note, state,
/// city, country_in_name, none). Each row is classified as if a letter
/// printed the name with the note beside it. Prints country accuracy where
/// a clue exists, the share of organizations given a country where none
/// exists, per-type precision, recall and F1, macro-F1, and the largest
/// confusions. An answer below confidence 0.5 counts as no answer. No
/// registry is needed. --format csv prints only the per-type table, json
/// the whole report.
///
/// Example: undersigned eval-classify tests/eval/classify_gold.csv --mistakes
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The labelled set (CSV)
    #[arg(value_name = "FILE")]
    file: PathBuf,

    /// Also list every row classified wrongly
    #[arg(long)]
    mistakes: bool,

    #[command(flatten)]
    format: FormatArg,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let rows = read_gold(&text).with_context(|| format!("in {}", args.file.display()))?;
    let report = evaluate(&rows);
    match args.format.resolve() {
        Format::Json => {
            let mut r = report.clone();
            if !args.mistakes {
                r.mistakes.clear();
            }
            println!("{}", serde_json::to_string_pretty(&r)?);
        }
        Format::Csv => print_table(&classes_table(&report), Format::Csv)?,
        Format::Table => {
            print_table(&summary_table(&report), Format::Table)?;
            println!();
            print_table(&classes_table(&report), Format::Table)?;
            println!();
            print_table(&confusions_table(&report), Format::Table)?;
            if args.mistakes {
                println!();
                print_table(&mistakes_table(&report), Format::Table)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn pct(x: f64) -> Cell {
    Cell::Text(format!("{x:.3}"))
}

fn summary_table(r: &Report) -> Table {
    let langs: Vec<String> = r
        .languages
        .iter()
        .map(|(l, n)| format!("{l} {n}"))
        .collect();
    let mut rows = vec![
        vec![
            "rows".into(),
            Cell::Text(r.rows.to_string()),
            Cell::Text(langs.join(", ")),
        ],
        vec![
            "country accuracy where a clue exists".into(),
            pct(r.country_accuracy),
            Cell::Text(format!("{} of {}", r.country_correct, r.with_clue)),
        ],
    ];
    for (clue, (n, ok)) in &r.by_clue {
        rows.push(vec![
            Cell::Text(format!("  clue: {clue}")),
            pct(*ok as f64 / (*n).max(1) as f64),
            Cell::Text(format!("{ok} of {n}")),
        ]);
    }
    rows.push(vec![
        "country given where no clue exists".into(),
        pct(r.wrong_country_rate),
        Cell::Text(format!(
            "{} of {} (low-confidence guesses: {} more)",
            r.country_claimed,
            r.without_clue,
            r.country_guessed - r.country_claimed
        )),
    ]);
    rows.push(vec![
        "type accuracy".into(),
        pct(r.type_accuracy),
        Cell::Null,
    ]);
    rows.push(vec![
        "type macro-F1".into(),
        pct(r.type_macro_f1),
        Cell::Text(format!(
            "over {} types",
            r.classes.iter().filter(|c| c.support > 0).count()
        )),
    ]);
    Table {
        columns: vec!["measure", "value", "detail"],
        rows,
    }
}

fn classes_table(r: &Report) -> Table {
    Table {
        columns: vec![
            "type",
            "support",
            "predicted",
            "correct",
            "precision",
            "recall",
            "f1",
        ],
        rows: r
            .classes
            .iter()
            .map(|c| {
                vec![
                    c.class.as_str().into(),
                    (c.support as i64).into(),
                    (c.predicted as i64).into(),
                    (c.correct as i64).into(),
                    pct(c.precision),
                    pct(c.recall),
                    pct(c.f1),
                ]
            })
            .collect(),
    }
}

fn confusions_table(r: &Report) -> Table {
    Table {
        columns: vec!["labelled", "classified", "count", "examples"],
        rows: r
            .confusions
            .iter()
            .take(10)
            .map(|c| {
                vec![
                    c.gold.as_str().into(),
                    c.predicted.as_str().into(),
                    (c.count as i64).into(),
                    c.examples.join("; ").into(),
                ]
            })
            .collect(),
    }
}

fn mistakes_table(r: &Report) -> Table {
    Table {
        columns: vec!["what", "name", "note", "labelled", "classified", "reason"],
        rows: r
            .mistakes
            .iter()
            .map(|m| {
                vec![
                    m.what.into(),
                    m.name.as_str().into(),
                    m.note.as_str().into(),
                    m.gold.as_str().into(),
                    m.predicted.as_str().into(),
                    m.reason.as_str().into(),
                ]
            })
            .collect(),
    }
}
