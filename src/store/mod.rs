//! The only place that speaks SQL: opening and migrating the database,
//! importing letters in one transaction each, and the typed queries the
//! commands ask. Every connection runs with foreign keys on, WAL and a
//! busy timeout.

pub mod migrate;

use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use crate::classify;
use crate::matching::{Candidate, Decision, LookupError, Matcher, Registry};
use crate::normalize::name_key;
use crate::parse::{Kind, Letter};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database has schema version {0}, newer than this undersigned understands ({1}); upgrade undersigned")]
    TooNew(i32, i32),
    #[error("the file is an SQLite database but not an undersigned registry")]
    NotOurs,
    #[error("matching failed: {0}")]
    Matching(LookupError),
    #[error("no letter with id {0}")]
    NoLetter(i64),
}

pub struct Store {
    conn: Connection,
}

/// A letter as listed by `letters`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LetterRow {
    pub letter_id: i64,
    pub date: Option<String>,
    pub title: Option<String>,
    pub signatory_count: i64,
    pub claimed_count: Option<i64>,
    pub language: Option<String>,
    pub source: String,
    pub url: Option<String>,
    pub partial: bool,
}

/// One signature with its organization, as `show` and `export signatures` print it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SignatureRow {
    pub letter_id: i64,
    pub position: i64,
    pub name_as_printed: String,
    pub org_id: i64,
    pub org_name: String,
    pub acronym: Option<String>,
    pub kind: String,
    pub country: Option<String>,
    pub org_type: Option<String>,
    pub status: String,
    pub note: Option<String>,
    pub affiliation: Option<String>,
    pub section: Option<String>,
    pub line: i64,
    pub raw_text: String,
    pub match_reason: String,
}

/// An organization with the number of letters it signed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OrgRow {
    pub org_id: i64,
    pub name: String,
    pub acronym: Option<String>,
    pub kind: String,
    pub country: Option<String>,
    pub org_type: Option<String>,
    pub letters: i64,
}

/// What a letter to import carries besides its parse.
#[derive(Debug, Clone)]
pub struct NewLetter<'a> {
    pub letter: &'a Letter,
    pub source: &'a str,
    pub url: Option<&'a str>,
    pub sha256: &'a str,
    pub part: u32,
    pub format: &'a str,
    pub raw_text: &'a str,
}

/// The result of importing one letter.
#[derive(Debug, Clone, PartialEq)]
pub enum Imported {
    New {
        letter_id: i64,
        found: usize,
        new_orgs: usize,
        known_orgs: usize,
    },
    /// The same bytes (and statement) were imported before: nothing changed.
    AlreadyPresent { letter_id: i64 },
}

/// The registry seen from inside an import's transaction.
struct TxRegistry<'a> {
    tx: &'a Transaction<'a>,
}

impl Registry for TxRegistry<'_> {
    fn by_key(&self, key: &str) -> Result<Vec<Candidate>, LookupError> {
        let mut st = self.tx.prepare_cached(
            "SELECT DISTINCT o.id, o.name, o.kind FROM aliases a
             JOIN organizations o ON o.id = a.org_id WHERE a.key = ?1",
        )?;
        let rows = st.query_map([key], |r| {
            let kind: String = r.get("kind")?;
            Ok(Candidate {
                org_id: r.get("id")?,
                name: r.get("name")?,
                kind: if kind == "individual" {
                    Kind::Individual
                } else {
                    Kind::Organization
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

impl Store {
    /// Opens (creating if needed) the database at `path` and brings it to
    /// the current schema.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        Self::setup(conn)
    }

    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Store, StoreError> {
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        // WAL lets readers work while an import writes; in-memory
        // databases answer "memory", which is fine.
        let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.execute_batch("PRAGMA synchronous = NORMAL;")?;
        migrate::migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// Imports letters in one transaction: all are stored or none. With
    /// `dry_run` the transaction is rolled back, so the outcome (and
    /// [`Store::signatures`] read inside `inspect`) shows exactly what
    /// would be stored.
    pub fn import(
        &mut self,
        letters: &[NewLetter<'_>],
        matcher: &dyn Matcher,
        dry_run: bool,
        mut inspect: impl FnMut(&Imported, &[SignatureRow]),
    ) -> Result<Vec<Imported>, StoreError> {
        let tx = self.conn.transaction()?;
        let mut out = Vec::with_capacity(letters.len());
        for nl in letters {
            let outcome = import_one(&tx, nl, matcher)?;
            let rows = match &outcome {
                Imported::New { letter_id, .. } => signatures_tx(&tx, *letter_id)?,
                Imported::AlreadyPresent { .. } => Vec::new(),
            };
            inspect(&outcome, &rows);
            out.push(outcome);
        }
        if dry_run {
            tx.rollback()?;
        } else {
            tx.commit()?;
        }
        Ok(out)
    }

    pub fn letters(&self) -> Result<Vec<LetterRow>, StoreError> {
        letters_where(&self.conn, "1 = 1", [])
    }

    pub fn letter(&self, id: i64) -> Result<Option<LetterRow>, StoreError> {
        Ok(letters_where(&self.conn, "l.id = ?1", [id])?
            .into_iter()
            .next())
    }

    /// A letter's signatures in printed order.
    pub fn signatures(&self, letter_id: i64) -> Result<Vec<SignatureRow>, StoreError> {
        if self.letter(letter_id)?.is_none() {
            return Err(StoreError::NoLetter(letter_id));
        }
        signatures_where(&self.conn, "s.letter_id = ?1", [letter_id])
    }

    /// Every signature, by letter then position.
    pub fn all_signatures(&self) -> Result<Vec<SignatureRow>, StoreError> {
        signatures_where(&self.conn, "1 = 1", [])
    }

    /// Organizations with their letter counts; `search` keeps those whose
    /// name or any printed form contains the text (folded).
    pub fn orgs(&self, search: Option<&str>) -> Result<Vec<OrgRow>, StoreError> {
        let sql = format!(
            "{ORG_SELECT} GROUP BY o.id ORDER BY letters DESC, o.name COLLATE NOCASE, o.id"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([], org_row)?.collect::<Result<Vec<_>, _>>()?;
        let Some(search) = search else {
            return Ok(rows);
        };
        let needle = name_key(search);
        let keys = self.alias_keys()?;
        Ok(rows
            .into_iter()
            .filter(|o| {
                keys.get(&o.org_id)
                    .is_some_and(|ks| ks.iter().any(|k| k.contains(&needle)))
                    || o.acronym.as_deref().is_some_and(|a| name_key(a) == needle)
            })
            .collect())
    }

    fn alias_keys(&self) -> Result<std::collections::HashMap<i64, Vec<String>>, StoreError> {
        let mut st = self.conn.prepare("SELECT org_id, key FROM aliases")?;
        let mut map: std::collections::HashMap<i64, Vec<String>> = Default::default();
        for r in st.query_map([], |r| {
            Ok((r.get::<_, i64>("org_id")?, r.get::<_, String>("key")?))
        })? {
            let (id, k) = r?;
            map.entry(id).or_default().push(k);
        }
        Ok(map)
    }

    pub fn org(&self, id: i64) -> Result<Option<OrgRow>, StoreError> {
        let sql = format!("{ORG_SELECT} WHERE o.id = ?1 GROUP BY o.id");
        Ok(self.conn.query_row(&sql, [id], org_row).optional()?)
    }

    /// Organizations one of whose printed forms has exactly this name key.
    pub fn orgs_by_name(&self, name: &str) -> Result<Vec<OrgRow>, StoreError> {
        let sql = format!(
            "{ORG_SELECT} WHERE o.id IN (SELECT org_id FROM aliases WHERE key = ?1)
             GROUP BY o.id ORDER BY o.id"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st
            .query_map([name_key(name)], org_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The letters an organization signed, by date then id.
    pub fn letters_signed_by(
        &self,
        org_id: i64,
    ) -> Result<Vec<(LetterRow, SignatureRow)>, StoreError> {
        let sigs = signatures_where(&self.conn, "s.org_id = ?1", [org_id])?;
        let mut out = Vec::with_capacity(sigs.len());
        for s in sigs {
            if let Some(l) = self.letter(s.letter_id)? {
                out.push((l, s));
            }
        }
        out.sort_by(|a, b| (&a.0.date, a.0.letter_id).cmp(&(&b.0.date, b.0.letter_id)));
        Ok(out)
    }

    /// Runs SQLite's own integrity and foreign-key checks; returns the problems.
    pub fn integrity_problems(&self) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        let mut st = self.conn.prepare("PRAGMA integrity_check")?;
        for r in st.query_map([], |r| r.get::<_, String>(0))? {
            let r = r?;
            if r != "ok" {
                out.push(r);
            }
        }
        let mut st = self.conn.prepare("PRAGMA foreign_key_check")?;
        for r in st.query_map([], |r| r.get::<_, String>(0))? {
            out.push(format!("foreign key violation in {}", r?));
        }
        Ok(out)
    }
}

fn import_one(
    tx: &Transaction<'_>,
    nl: &NewLetter<'_>,
    matcher: &dyn Matcher,
) -> Result<Imported, StoreError> {
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM letters WHERE sha256 = ?1 AND part = ?2",
            params![nl.sha256, nl.part],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(letter_id) = existing {
        return Ok(Imported::AlreadyPresent { letter_id });
    }
    let l = nl.letter;
    tx.execute(
        &format!(
            "INSERT INTO letters (title, date, source, url, sha256, part, language, format,
                                  claimed_count, partial, imported_at, raw_text)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, {NOW}, ?11)"
        ),
        params![
            l.title,
            l.date,
            nl.source,
            nl.url,
            nl.sha256,
            nl.part,
            l.language,
            nl.format,
            l.claimed_count.map(|c| c as i64),
            l.partial,
            nl.raw_text
        ],
    )?;
    let letter_id = tx.last_insert_rowid();
    let (mut new_orgs, mut known_orgs) = (0usize, 0usize);
    let mut seen = std::collections::HashSet::new();
    for sig in &l.signatories {
        let decision = matcher
            .decide(sig, &TxRegistry { tx })
            .map_err(StoreError::Matching)?;
        let (org_id, reason) = match decision {
            Decision::Known { org_id, reason } => {
                if seen.insert(org_id) {
                    known_orgs += 1;
                }
                fill_blanks(tx, org_id, sig, letter_id)?;
                (org_id, reason)
            }
            Decision::New { reason } => {
                let org_id = insert_org(tx, sig, letter_id)?;
                seen.insert(org_id);
                new_orgs += 1;
                (org_id, reason)
            }
        };
        tx.prepare_cached(
            "INSERT OR IGNORE INTO aliases (org_id, name, key, letter_id, origin)
             VALUES (?1, ?2, ?3, ?4, 'letter')",
        )?
        .execute(params![org_id, sig.name, name_key(&sig.name), letter_id])?;
        tx.prepare_cached(
            "INSERT INTO signatures (letter_id, org_id, position, name_as_printed, note,
                 affiliation, section, line, raw_text, match_reason, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'signed')",
        )?
        .execute(params![
            letter_id,
            org_id,
            sig.position,
            sig.printed,
            sig.note,
            sig.affiliation,
            sig.section,
            sig.line,
            sig.raw,
            reason
        ])?;
    }
    Ok(Imported::New {
        letter_id,
        found: l.signatories.len(),
        new_orgs,
        known_orgs,
    })
}

fn insert_org(
    tx: &Transaction<'_>,
    sig: &crate::parse::Signatory,
    letter_id: i64,
) -> Result<i64, StoreError> {
    let country = classify::country(sig, letter_id);
    let org_type = classify::org_type(sig);
    tx.prepare_cached(&format!(
        "INSERT INTO organizations (name, acronym, kind, country, country_reason, country_confidence,
                                    org_type, org_type_reason, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, {NOW})"
    ))?
    .execute(params![
        sig.name,
        sig.acronym,
        sig.kind.as_str(),
        country.as_ref().map(|a| &a.value),
        country.as_ref().map(|a| &a.reason),
        country.as_ref().map(|a| a.confidence),
        org_type.as_ref().map(|a| &a.value),
        org_type.as_ref().map(|a| &a.reason),
    ])?;
    Ok(tx.last_insert_rowid())
}

/// A known organization gains an acronym or country it lacked; what it
/// already has is never overwritten here.
fn fill_blanks(
    tx: &Transaction<'_>,
    org_id: i64,
    sig: &crate::parse::Signatory,
    letter_id: i64,
) -> Result<(), StoreError> {
    if let Some(a) = &sig.acronym {
        tx.prepare_cached(
            "UPDATE organizations SET acronym = ?2 WHERE id = ?1 AND acronym IS NULL",
        )?
        .execute(params![org_id, a])?;
    }
    if let Some(c) = classify::country(sig, letter_id) {
        tx.prepare_cached(
            "UPDATE organizations SET country = ?2, country_reason = ?3, country_confidence = ?4
             WHERE id = ?1 AND country IS NULL AND country_locked = 0",
        )?
        .execute(params![org_id, c.value, c.reason, c.confidence])?;
    }
    Ok(())
}

const LETTER_SELECT: &str =
    "SELECT l.id, l.date, l.title, l.claimed_count, l.language, l.source, l.url, l.partial,
        (SELECT count(*) FROM signatures s WHERE s.letter_id = l.id AND s.status = 'signed') AS n
     FROM letters l";

fn letters_where<P: rusqlite::Params>(
    conn: &Connection,
    cond: &str,
    p: P,
) -> Result<Vec<LetterRow>, StoreError> {
    let sql = format!("{LETTER_SELECT} WHERE {cond} ORDER BY l.id");
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(p, |r| {
        Ok(LetterRow {
            letter_id: r.get("id")?,
            date: r.get("date")?,
            title: r.get("title")?,
            signatory_count: r.get("n")?,
            claimed_count: r.get("claimed_count")?,
            language: r.get("language")?,
            source: r.get("source")?,
            url: r.get("url")?,
            partial: r.get("partial")?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

const SIG_SELECT: &str =
    "SELECT s.letter_id, s.position, s.name_as_printed, s.org_id, o.name AS org_name,
        o.acronym, o.kind, o.country, o.org_type, s.status, s.note, s.affiliation, s.section,
        s.line, s.raw_text, s.match_reason
     FROM signatures s JOIN organizations o ON o.id = s.org_id";

fn signature_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SignatureRow> {
    Ok(SignatureRow {
        letter_id: r.get("letter_id")?,
        position: r.get("position")?,
        name_as_printed: r.get("name_as_printed")?,
        org_id: r.get("org_id")?,
        org_name: r.get("org_name")?,
        acronym: r.get("acronym")?,
        kind: r.get("kind")?,
        country: r.get("country")?,
        org_type: r.get("org_type")?,
        status: r.get("status")?,
        note: r.get("note")?,
        affiliation: r.get("affiliation")?,
        section: r.get("section")?,
        line: r.get("line")?,
        raw_text: r.get("raw_text")?,
        match_reason: r.get("match_reason")?,
    })
}

fn signatures_where<P: rusqlite::Params>(
    conn: &Connection,
    cond: &str,
    p: P,
) -> Result<Vec<SignatureRow>, StoreError> {
    let sql = format!("{SIG_SELECT} WHERE {cond} ORDER BY s.letter_id, s.position, s.id");
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(p, signature_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn signatures_tx(tx: &Transaction<'_>, letter_id: i64) -> Result<Vec<SignatureRow>, StoreError> {
    signatures_where(tx, "s.letter_id = ?1", [letter_id])
}

const ORG_SELECT: &str = "SELECT o.id, o.name, o.acronym, o.kind, o.country, o.org_type,
        count(DISTINCT CASE WHEN s.status = 'signed' THEN s.letter_id END) AS letters
     FROM organizations o LEFT JOIN signatures s ON s.org_id = o.id";

fn org_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OrgRow> {
    Ok(OrgRow {
        org_id: r.get("id")?,
        name: r.get("name")?,
        acronym: r.get("acronym")?,
        kind: r.get("kind")?,
        country: r.get("country")?,
        org_type: r.get("org_type")?,
        letters: r.get("letters")?,
    })
}
