//! `undersigned import`: read letters from files (or stdin), find their
//! signatory lists, and store them in one transaction; or store a new
//! version of a letter already in the registry (`--update`, or the same
//! `--url`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

use super::{open_existing, open_for_write, print_table, FormatArg};
use crate::export::signatures_table;
use crate::matching::engine::Engine;
use crate::matching::fast::par_map;
use crate::parse::{self, Format, Letter};
use crate::store::{Imported, NewLetter, SignatureRow, Store, StoreError};

/// Import letters and their signatory lists.
///
/// Reads each FILE (plain text, Markdown or HTML; "-" reads stdin), finds
/// the signatory list after a header such as "Signed by:", "Signatories",
/// "Signataires", "Firmantes" or "المنظمات الموقعة", and stores every
/// letter with its signatures. All files are read before anything is
/// written, and everything is stored in one transaction: a bad file
/// leaves the registry as it was. Importing the same content again (any
/// version of any letter) changes nothing.
///
/// A new version of a letter already in the registry is imported with
/// --update LETTER_ID FILE, or with the same --url as that letter: signers
/// it adds get new rows (added_on), signers it drops are marked withdrawn
/// (withdrawn_on), withdrawn signers it lists again are signed again.
/// Nothing is deleted. The changes are dated --date, or today (UTC); the
/// letter keeps its date, and its title unless --title is given.
///
/// Example: undersigned import letter.txt --url https://example.org/letter
///
/// Example: undersigned import --update 3 letter-v2.html --date 2024-05-01
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to import ("-" for stdin)
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,

    /// Title of the letter, instead of the one read from the page
    #[arg(long, value_name = "T")]
    title: Option<String>,

    /// Date of the letter (YYYY-MM-DD), instead of the one read from the page; for a new
    /// version of a letter, the date of its changes [default: today, UTC]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    date: Option<String>,

    /// Where the letter is published; a new page at the url of a letter in the registry is a
    /// new version of that letter
    #[arg(long, value_name = "U")]
    url: Option<String>,

    /// Import FILE (exactly one) as a new version of this letter
    #[arg(long, value_name = "LETTER_ID")]
    update: Option<i64>,

    /// On a page holding several statements with lists, import only the Nth (1-based)
    #[arg(long, value_name = "N")]
    pick: Option<usize>,

    /// Read the input as this format instead of guessing from its name and content
    #[arg(long = "as", value_enum, value_name = "FORMAT")]
    as_format: Option<InputFormat>,

    /// Show what would be stored, and store nothing
    #[arg(long)]
    dry_run: bool,

    #[command(flatten)]
    format: FormatArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum InputFormat {
    Text,
    Markdown,
    Html,
}

fn parse_date(s: &str) -> Result<String, String> {
    let ok = s.len() == 10
        && s.as_bytes()[4] == b'-'
        && s.as_bytes()[7] == b'-'
        && s[..4].parse::<u32>().is_ok()
        && s[5..7].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
        && s[8..].parse::<u32>().is_ok_and(|d| (1..=31).contains(&d));
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!("\"{s}\" is not a date of the form YYYY-MM-DD"))
    }
}

/// One input read and parsed.
struct Input {
    source: String,
    sha256: String,
    doc: parse::Document,
}

fn read_input(path: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(parse::MAX_INPUT_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .context("cannot read stdin")?;
    } else {
        let f =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        f.take(parse::MAX_INPUT_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {}", path.display()))?;
    }
    Ok(bytes)
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    if args.update.is_some() && args.files.len() != 1 {
        bail!(
            "--update takes exactly one FILE, the new version of the letter ({} given)",
            args.files.len()
        );
    }
    // Classification's tables are built beside the parsing and matching
    // (they are read only at the end); the thread is never waited for.
    std::thread::spawn(crate::classify::warm);
    // Read and parse everything first: nothing is written unless every
    // input is a letter.
    // Files are read and parsed on every CPU; errors still come in the
    // order the files were given.
    let forced = args.as_format.map(|f| match f {
        InputFormat::Text => Format::Text,
        InputFormat::Markdown => Format::Markdown,
        InputFormat::Html => Format::Html,
    });
    let read_one = |path: &PathBuf| -> Result<Input> {
        let name = path.display().to_string();
        let bytes = read_input(path)?;
        let format = forced.or_else(|| Format::from_path(&name).filter(|f| *f == Format::Html));
        let doc =
            parse::parse_bytes(&bytes, parse::Options { format }).with_context(|| name.clone())?;
        let sha256 = hex(&Sha256::digest(&bytes));
        Ok(Input {
            source: name,
            sha256,
            doc,
        })
    };
    let read = par_map(args.files.len(), |i| read_one(&args.files[i]), &|_| {});
    let mut inputs = Vec::with_capacity(read.len());
    for r in read {
        inputs.push(r?);
    }

    // Choose the letters and apply the overrides.
    let mut chosen: Vec<(usize, usize, Letter)> = Vec::new();
    for (fi, input) in inputs.iter().enumerate() {
        let n = input.doc.letters.len();
        match args.pick {
            Some(p) if p == 0 || p > n => bail!(
                "{}: --pick {p}, but the page holds {n} statement(s) with a signatory list",
                input.source
            ),
            Some(p) => chosen.push((fi, p, input.doc.letters[p - 1].clone())),
            None => {
                for (i, l) in input.doc.letters.iter().enumerate() {
                    chosen.push((fi, i + 1, l.clone()));
                }
            }
        }
    }
    if args.update.is_some() && chosen.len() > 1 {
        bail!(
            "{}: the page holds {} statements with a signatory list; choose the new version with --pick N",
            inputs[0].source,
            chosen.len()
        );
    }
    if (args.title.is_some() || args.date.is_some()) && chosen.len() > 1 {
        bail!(
            "--title and --date apply to one letter, but {} were found; choose one with --pick N",
            chosen.len()
        );
    }
    for (_, _, l) in &mut chosen {
        if let Some(t) = &args.title {
            l.title = Some(t.clone());
        }
        // With --update, --date dates the changes, not the letter.
        if let (Some(d), None) = (&args.date, args.update) {
            l.date = Some(d.clone());
        }
    }

    let new_letters: Vec<NewLetter<'_>> = chosen
        .iter()
        .map(|(fi, part, letter)| {
            let input = &inputs[*fi];
            NewLetter {
                letter,
                source: &input.source,
                url: args.url.as_deref(),
                sha256: &input.sha256,
                part: *part as u32,
                format: input.doc.format.as_str(),
                raw_text: &input.doc.text,
                title_given: args.title.is_some(),
            }
        })
        .collect();

    // A dry run against a registry that does not exist yet uses an empty
    // one in memory, so it creates no file. An update needs the letter's
    // registry.
    let mut store = if args.update.is_some() {
        open_existing(db)?
    } else if args.dry_run && !db.exists() {
        Store::open_in_memory()?
    } else {
        open_for_write(db)?
    };
    let format = args.format.resolve();
    let mut dry_rows = Vec::new();
    let keep_rows = |_: &Imported, rows: &[SignatureRow]| dry_rows.extend_from_slice(rows);
    let on_date = args.date.as_deref();
    // What the matcher read of the registry (every form and word count it
    // looked up, millions of small allocations after a large import) is
    // left to the process's exit instead of being freed piece by piece.
    let engine = std::mem::ManuallyDrop::new(Engine::new());
    let outcomes = match args.update {
        Some(id) => {
            match store.update_letter(
                id,
                &new_letters[0],
                &*engine,
                args.dry_run,
                on_date,
                keep_rows,
            ) {
                Ok(o) => vec![o],
                Err(StoreError::NoLetter(id)) => {
                    bail!("no letter with id {id} (see `undersigned letters`)")
                }
                Err(e) => return Err(e.into()),
            }
        }
        None => {
            let bar = super::progress::bar(0, "importing signatures");
            store.import_with_progress(
                &new_letters,
                &*engine,
                args.dry_run,
                on_date,
                keep_rows,
                &bar,
            )?
        }
    };

    for (nl, outcome) in new_letters.iter().zip(&outcomes) {
        let l = nl.letter;
        let what = if args.dry_run {
            "would import"
        } else {
            "imported"
        };
        match outcome {
            Imported::New {
                letter_id,
                found,
                new_orgs,
                known_orgs,
            } => {
                let claimed = l.claimed_count.map_or_else(
                    || "no count claimed".to_string(),
                    |c| format!("claimed {c}"),
                );
                eprintln!(
                    "letter {letter_id}: {what} {found} signatories ({claimed}) from {}{}: {new_orgs} new, {known_orgs} known organizations; \"{}\"",
                    nl.source,
                    part_label(nl.part, &inputs, nl.source),
                    l.title.as_deref().unwrap_or("untitled"),
                );
                for w in &l.warnings {
                    eprintln!("warning: letter {letter_id}: {w}");
                }
            }
            Imported::Updated(u) => {
                let what = if args.dry_run {
                    "would update"
                } else {
                    "updated"
                };
                let why = match (args.update, &args.url) {
                    (None, Some(url)) => format!(", a new version of the letter at {url}"),
                    _ => String::new(),
                };
                let returned = if u.returned > 0 {
                    format!(", {} returned", u.returned)
                } else {
                    String::new()
                };
                eprintln!(
                    "letter {}: {what} from {}{}{why}: {} added, {} withdrawn, {} unchanged{returned}",
                    u.letter_id,
                    nl.source,
                    part_label(nl.part, &inputs, nl.source),
                    u.added,
                    u.withdrawn,
                    u.unchanged,
                );
                for w in &l.warnings {
                    eprintln!("warning: letter {}: {w}", u.letter_id);
                }
            }
            Imported::AlreadyPresent { letter_id } => {
                eprintln!(
                    "letter {letter_id}: already imported from the same content ({}{}); nothing changed",
                    nl.source,
                    part_label(nl.part, &inputs, nl.source)
                );
            }
        }
    }
    if args.dry_run {
        print_table(&signatures_table(dry_rows), format)?;
        eprintln!("dry run: nothing was stored");
    }
    Ok(ExitCode::SUCCESS)
}

fn part_label(part: u32, inputs: &[Input], source: &str) -> String {
    let n = inputs
        .iter()
        .find(|i| i.source == source)
        .map_or(1, |i| i.doc.letters.len());
    if n > 1 {
        format!(", statement {part} of {n}")
    } else {
        String::new()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
