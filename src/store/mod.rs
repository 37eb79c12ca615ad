//! The only place that speaks SQL: opening and migrating the database,
//! importing letters (and new versions of them) in one transaction each,
//! and the typed queries the commands ask. Every connection runs with
//! foreign keys on, WAL and a busy timeout.

pub mod blocking;
pub mod check;
mod import;
pub mod judge;
pub mod migrate;
pub mod overlap;
pub mod search;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;

use crate::classify::{self, Classification, Evidence, SignatureClue};
use crate::matching::{LookupError, Matcher};
use crate::normalize::name_key;
use crate::parse::Letter;
use crate::progress::{Progress, Silent};

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
    #[error("no organization with id {0}")]
    NoOrg(i64),
    #[error("{0}")]
    Invalid(String),
    #[error("letters {ids} all have url {url} (statement {part}); choose the one to update with --update LETTER_ID")]
    AmbiguousUrl { url: String, part: u32, ids: String },
}

impl StoreError {
    /// When SQLite refuses to read the file because it is damaged or not
    /// a database at all: what is wrong, in words.
    pub fn damage(&self) -> Option<&'static str> {
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => match e.code {
                rusqlite::ErrorCode::DatabaseCorrupt => {
                    Some("the file is damaged: SQLite finds the database image malformed")
                }
                rusqlite::ErrorCode::NotADatabase => Some("the file is not an SQLite database"),
                _ => None,
            },
            _ => None,
        }
    }
}

pub struct Store {
    conn: Connection,
}

/// A letter as lists of letters name it: what `signed-by` prints.
#[derive(Debug, Clone, PartialEq)]
pub struct LetterBrief {
    pub letter_id: i64,
    pub date: Option<String>,
    pub title: Option<String>,
}

/// How a signer stands on one letter: what `signed-by` prints of it.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedAs {
    pub position: i64,
    pub name_as_printed: String,
    /// `signed`, or `withdrawn` once a later version dropped it.
    pub status: String,
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
    pub added_on: Option<String>,
    pub withdrawn_on: Option<String>,
    pub note: Option<String>,
    pub affiliation: Option<String>,
    pub section: Option<String>,
    pub line: i64,
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

/// Which organizations `orgs` lists.
#[derive(Debug, Clone, Default)]
pub struct OrgFilter {
    /// Any printed name contains this text (folded), or the acronym is it.
    pub search: Option<String>,
    /// ISO alpha-2 code of the country.
    pub country: Option<String>,
    pub org_type: Option<String>,
}

/// What `classify` changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassifySummary {
    /// Organizations classified again.
    pub considered: usize,
    pub countries_changed: usize,
    pub types_changed: usize,
    /// Of those considered, how many now have a country (any confidence).
    pub with_country: usize,
    /// Of those considered, how many have letters that disagree on the country.
    pub with_conflicts: usize,
    /// Answers a person set and classification left alone.
    pub locked: usize,
}

/// A person's decision about one field of an organization.
#[derive(Debug, Clone, PartialEq)]
pub enum Override {
    /// This value, kept across re-classification.
    Set(String),
    /// Back to classification.
    Auto,
}

/// An organization's stored classification and, freshly computed, every
/// clue behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub org: OrgRow,
    pub country: Option<String>,
    pub country_reason: Option<String>,
    pub country_confidence: Option<f64>,
    pub country_locked: bool,
    pub focus_country: Option<String>,
    pub org_type: Option<String>,
    pub org_type_reason: Option<String>,
    pub org_type_locked: bool,
    pub tags: Option<String>,
    pub fresh: Classification,
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
    /// The title was given by the user (`--title`): an update replaces the
    /// stored title with it. A title read from the page never does.
    pub title_given: bool,
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
    /// The same bytes (and statement) were imported before, as any version
    /// of letter `letter_id`: nothing changed.
    AlreadyPresent { letter_id: i64 },
    /// A new version of a letter already in the registry.
    Updated(UpdateSummary),
}

/// What a new version of a letter changed.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateSummary {
    pub letter_id: i64,
    /// The date the changes are recorded under (YYYY-MM-DD).
    pub on: String,
    /// Signers new to the letter: new signature rows.
    pub added: usize,
    /// Signers no longer listed: their rows are now `withdrawn`.
    pub withdrawn: usize,
    /// Signers listed before and now.
    pub unchanged: usize,
    /// Withdrawn signers listed again: their rows are `signed` again.
    pub returned: usize,
    /// Organizations the registry did not hold before this version.
    pub new_orgs: usize,
}

/// How long a statement waits for another connection's lock before
/// failing with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// SQLite's page cache: up to 512 MB (a negative size is in KiB).
pub(crate) const CACHE_KIB: i64 = -524_288;

/// SQLite's page cache during an import: up to 2 GB. The pages an import
/// changes stay in the cache until it commits; a cache smaller than them
/// writes some to the log early and reads them back, and a thousand
/// letters into a registry of ten million signatures change about 700 MB.
const IMPORT_CACHE_KIB: i64 = -2_097_152;

/// How much of the database file SQLite may map into memory during an
/// import (64 GiB); see [`Store::mapped`].
const MMAP_BYTES: i64 = 64 << 30;

pub(crate) const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

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
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Every transaction takes the write lock when it begins. A
        // deferred one that reads first and writes later cannot wait for
        // the lock: when another connection committed in between, SQLite
        // answers "database is locked" at once, busy timeout or not.
        conn.set_transaction_behavior(TransactionBehavior::Immediate);
        // `rarray(?)`: a batch of keys or ids bound as one parameter.
        rusqlite::vtab::array::load_module(&conn)?;
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        // WAL lets readers work while an import writes; in-memory
        // databases answer "memory", which is fine. The mode is stored in
        // the file: asked again, it would take a lock for nothing.
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            set_wal(&conn)?;
        }
        conn.execute_batch("PRAGMA synchronous = NORMAL;")?;
        // A large registry is read and written all over at once (names,
        // blocking keys, signatures): SQLite's default 2 MB page cache
        // sends most of it through system calls. Up to 512 MB of cache,
        // taken only as pages are read, and temporary tables in memory.
        conn.execute_batch(&format!(
            "PRAGMA cache_size = {CACHE_KIB}; PRAGMA temp_store = MEMORY;"
        ))?;
        // The same few statements run millions of times in an import: keep
        // them all prepared, and never re-plan one because a bound value
        // changed (SQLite's statistics build would re-prepare it on every
        // bind of a key compared with an index).
        conn.set_prepared_statement_cache_capacity(64);
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        migrate::migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// Imports letters in one transaction: all are stored or none. With
    /// `dry_run` the transaction is rolled back, so the outcome (and the
    /// letter's signature rows passed to `inspect`) shows exactly what
    /// would be stored. Rows are read for a dry run only; otherwise
    /// `inspect` sees none.
    ///
    /// A letter whose bytes were imported before (as any version of any
    /// letter) changes nothing. One with a url, when a letter with that url
    /// and statement number is already in the registry, is a new version of
    /// it (see [`Store::update_letter`]; `on_date` is the date of the
    /// changes). Organizations whose evidence changed are classified again
    /// once, after the last letter.
    pub fn import(
        &mut self,
        letters: &[NewLetter<'_>],
        matcher: &dyn Matcher,
        dry_run: bool,
        on_date: Option<&str>,
        inspect: impl FnMut(&Imported, &[SignatureRow]),
    ) -> Result<Vec<Imported>, StoreError> {
        self.import_with_progress(letters, matcher, dry_run, on_date, inspect, &Silent)
    }

    /// [`Store::import`], telling `progress` of each signature stored.
    pub fn import_with_progress(
        &mut self,
        letters: &[NewLetter<'_>],
        matcher: &dyn Matcher,
        dry_run: bool,
        on_date: Option<&str>,
        mut inspect: impl FnMut(&Imported, &[SignatureRow]),
        progress: &dyn Progress,
    ) -> Result<Vec<Imported>, StoreError> {
        self.mapped(|store| {
            store.import_in(letters, matcher, dry_run, on_date, &mut inspect, progress)
        })
    }

    fn import_in(
        &mut self,
        letters: &[NewLetter<'_>],
        matcher: &dyn Matcher,
        dry_run: bool,
        on_date: Option<&str>,
        inspect: &mut dyn FnMut(&Imported, &[SignatureRow]),
        progress: &dyn Progress,
    ) -> Result<Vec<Imported>, StoreError> {
        let tx = self.conn.transaction()?;
        let out = import::run(&tx, letters, None, matcher, on_date, progress)?;
        for outcome in &out {
            let rows = if dry_run {
                outcome_rows(&tx, outcome)?
            } else {
                Vec::new()
            };
            inspect(outcome, &rows);
        }
        if dry_run {
            tx.rollback()?;
        } else {
            tx.commit()?;
        }
        Ok(out)
    }

    /// Stores `new` as the latest version of letter `letter_id`, in one
    /// transaction. Each signer is matched as on import; a signer the
    /// letter did not list gets a new row (`added_on`), one it listed that
    /// the new version drops becomes `withdrawn` (`withdrawn_on`), and a
    /// withdrawn one listed again is `signed` again. Rows keep their
    /// positions, new ones follow; nothing is deleted. `on_date` is the
    /// date of the changes, today (UTC) when `None`. Bytes imported before
    /// as any version of any letter change nothing. With `dry_run` the
    /// transaction is rolled back; `inspect` sees the letter's rows as
    /// they would be (read for a dry run only, as on import).
    pub fn update_letter(
        &mut self,
        letter_id: i64,
        new: &NewLetter<'_>,
        matcher: &dyn Matcher,
        dry_run: bool,
        on_date: Option<&str>,
        mut inspect: impl FnMut(&Imported, &[SignatureRow]),
    ) -> Result<Imported, StoreError> {
        self.mapped(|store| {
            store.update_in(letter_id, new, matcher, dry_run, on_date, &mut inspect)
        })
    }

    fn update_in(
        &mut self,
        letter_id: i64,
        new: &NewLetter<'_>,
        matcher: &dyn Matcher,
        dry_run: bool,
        on_date: Option<&str>,
        inspect: &mut dyn FnMut(&Imported, &[SignatureRow]),
    ) -> Result<Imported, StoreError> {
        let tx = self.conn.transaction()?;
        let outcome = import::run(
            &tx,
            std::slice::from_ref(new),
            Some(letter_id),
            matcher,
            on_date,
            &Silent,
        )?
        .remove(0);
        let rows = if dry_run {
            outcome_rows(&tx, &outcome)?
        } else {
            Vec::new()
        };
        inspect(&outcome, &rows);
        if dry_run {
            tx.rollback()?;
        } else {
            tx.commit()?;
        }
        Ok(outcome)
    }

    /// Runs `f` (an import) with the database file mapped into memory.
    /// An import reads pages all over a large registry (about 20,000 for
    /// one 1,000-signer letter into a million organizations); mapped, they
    /// are read where they lie instead of copied into the page cache, each
    /// copy into a fresh page of memory. Other commands do without: their
    /// reads are few or in order, and the mapped pages they touched would
    /// count as their own memory. SQLite as libsqlite3-sys compiles it
    /// maps at most 2 GB; builds from this repository raise that limit
    /// (.cargo/config.toml).
    fn mapped<T>(
        &mut self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.conn.execute_batch(&format!(
            "PRAGMA mmap_size = {MMAP_BYTES}; PRAGMA cache_size = {IMPORT_CACHE_KIB}"
        ))?;
        let out = f(self);
        // Unmapping cannot lose data; a failure here only leaves the map.
        let _ = self.conn.execute_batch(&format!(
            "PRAGMA mmap_size = 0; PRAGMA cache_size = {CACHE_KIB}"
        ));
        out
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
        let mut rows = Vec::new();
        self.each_signature(Some(letter_id), |r| {
            rows.push(r);
            Ok::<_, StoreError>(())
        })?;
        Ok(rows)
    }

    /// A letter's signatures in printed order, or with `None` every
    /// signature by letter then position, handed to `f` one at a time as
    /// they are read: nothing is gathered, so the whole registry streams
    /// in the memory of one row. Stops at the first error `f` returns.
    pub fn each_signature<E: From<StoreError>>(
        &self,
        letter_id: Option<i64>,
        mut f: impl FnMut(SignatureRow) -> Result<(), E>,
    ) -> Result<(), E> {
        if let Some(id) = letter_id {
            let exists: bool = self
                .conn
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM letters WHERE id = ?1)",
                    [id],
                    |r| r.get(0),
                )
                .map_err(StoreError::from)?;
            if !exists {
                return Err(StoreError::NoLetter(id).into());
            }
        }
        // Read in the order of the index by letter (rowid last), so SQLite
        // never sorts: one row in memory whatever the size. Two statements,
        // not one with "?1 IS NULL OR": that one would scan every letter.
        let cond = match letter_id {
            Some(_) => "s.letter_id = ?1",
            None => "?1 IS NULL",
        };
        let sql = format!("{SIG_SELECT} WHERE {cond} ORDER BY s.letter_id, s.position, s.id");
        let mut st = self.conn.prepare(&sql).map_err(StoreError::from)?;
        let mut rows = st.query([letter_id]).map_err(StoreError::from)?;
        while let Some(r) = rows.next().map_err(StoreError::from)? {
            f(signature_row(r).map_err(StoreError::from)?)?;
        }
        Ok(())
    }

    /// How many signature rows the registry holds (withdrawn ones too).
    pub fn signature_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM signatures", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }

    /// Organizations with their letter counts; `search` keeps those with
    /// a printed name holding every word of it, or whose acronym it is
    /// (see [`Store::search_org_ids`]).
    pub fn orgs(&self, search: Option<&str>) -> Result<Vec<OrgRow>, StoreError> {
        self.orgs_where(&OrgFilter {
            search: search.map(str::to_string),
            ..OrgFilter::default()
        })
    }

    pub fn org(&self, id: i64) -> Result<Option<OrgRow>, StoreError> {
        // The letters counted from the index alone: every letter it has a
        // row in, less those where no row of its is signed (found through
        // the small index of rows not signed).
        let mut st = self.conn.prepare_cached(
            "SELECT o.id, o.name, o.acronym, o.kind, o.country, o.org_type,
                (SELECT count(DISTINCT letter_id) FROM signatures
                 WHERE (id >> 18) IN signature_eras AND org_id = o.id)
                - (SELECT count(DISTINCT u.letter_id) FROM signatures u
                   WHERE u.org_id = o.id AND u.status <> 'signed'
                     AND NOT EXISTS (SELECT 1 FROM signatures s2
                                     WHERE (s2.id >> 18) IN signature_eras AND s2.org_id = u.org_id
                                     AND s2.letter_id = u.letter_id AND s2.status = 'signed'))
                  AS letters
             FROM organizations o WHERE o.id = ?1",
        )?;
        Ok(st.query_row([id], org_row).optional()?)
    }

    /// An organization's name, without the letter count [`Store::org`]
    /// works out.
    pub fn org_name(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT name FROM organizations WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?)
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

    /// The letters an organization signed, by date then id, with how it
    /// was printed on each. Read from two indexes that hold all of it
    /// (schema.sql: `signatures_by_org`, `letters_brief`), never from the
    /// tables' rows.
    pub fn letters_signed_by(
        &self,
        org_id: i64,
    ) -> Result<Vec<(LetterBrief, SignedAs)>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT s.letter_id, l.date, l.title, s.position, s.name_as_printed, s.status
             FROM signatures s INDEXED BY signatures_by_org
             JOIN letters l INDEXED BY letters_brief ON l.id = s.letter_id
             WHERE (s.id >> 18) IN signature_eras AND s.org_id = ?1",
        )?;
        let rows = st.query_map([org_id], |r| {
            Ok((
                LetterBrief {
                    letter_id: r.get(0)?,
                    date: r.get(1)?,
                    title: r.get(2)?,
                },
                SignedAs {
                    position: r.get(3)?,
                    name_as_printed: r.get(4)?,
                    status: r.get(5)?,
                },
            ))
        })?;
        let mut rows = rows.collect::<Result<Vec<_>, _>>()?;
        // Sorted here: SQLite would build a temporary b-tree of every row.
        // Undated letters first, as SQLite orders NULL.
        rows.sort_by(|a, b| {
            (&a.0.date, a.0.letter_id, a.1.position).cmp(&(&b.0.date, b.0.letter_id, b.1.position))
        });
        Ok(rows)
    }

    /// Organizations matching a filter, most active first, each with its
    /// count of letters: up to [`FEW_ORGS`] of them counted one by one
    /// through the index (a search answers at once), more in one pass
    /// over every signature.
    pub fn orgs_where(&self, f: &OrgFilter) -> Result<Vec<OrgRow>, StoreError> {
        let search = f
            .search
            .as_deref()
            .map(|q| self.search_org_ids(q))
            .transpose()?
            .flatten();
        let mut st = self.conn.prepare(
            "SELECT o.id, o.name, o.acronym, o.kind, o.country, o.org_type, 0 AS letters
             FROM organizations o
             WHERE (?1 IS NULL OR o.country = ?1) AND (?2 IS NULL OR o.org_type = ?2)",
        )?;
        let mut rows = st
            .query_map(params![f.country, f.org_type], org_row)?
            .filter(|r| {
                r.as_ref().map_or(true, |o| {
                    search.as_ref().is_none_or(|ids| ids.contains(&o.org_id))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if rows.len() <= FEW_ORGS {
            let mut st = self.conn.prepare_cached(
                "SELECT count(DISTINCT letter_id) FROM signatures INDEXED BY signatures_by_org
                 WHERE (id >> 18) IN signature_eras AND org_id = ?1 AND status = 'signed'",
            )?;
            for o in &mut rows {
                o.letters = st.query_row([o.org_id], |r| r.get(0))?;
            }
        } else {
            let counts = self.letter_counts()?;
            for o in &mut rows {
                o.letters = counts.get(&o.org_id).copied().unwrap_or(0);
            }
        }
        // Most letters first, then by name as SQLite's NOCASE orders it
        // (ASCII letters folded), then by id.
        let nocase = |n: &str| {
            n.bytes()
                .map(|b| b.to_ascii_lowercase())
                .collect::<Vec<u8>>()
        };
        rows.sort_by_cached_key(|o| (std::cmp::Reverse(o.letters), nocase(&o.name), o.org_id));
        Ok(rows)
    }

    /// Every organization's count of letters it signs (a signature that
    /// stands), read in one pass over `signatures_by_org`: counting era by
    /// era for each of a million organizations would step into the index
    /// tens of millions of times.
    fn letter_counts(&self) -> Result<crate::matching::fast::FastMap<i64, i64>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT org_id, letter_id FROM signatures INDEXED BY signatures_by_org
             WHERE status = 'signed'",
        )?;
        let mut rows = st.raw_query();
        let mut pairs: Vec<(i64, i64)> = Vec::new();
        while let Some(r) = rows.next()? {
            pairs.push((r.get(0)?, r.get(1)?));
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut counts = crate::matching::fast::FastMap::default();
        for (org, _) in pairs {
            *counts.entry(org).or_insert(0) += 1;
        }
        Ok(counts)
    }

    /// Classifies organizations again, in one transaction: all of them
    /// with `all`, else those lacking a country or a type. A country or
    /// type a person set stays.
    pub fn classify_orgs(&mut self, all: bool) -> Result<ClassifySummary, StoreError> {
        let tx = self.conn.transaction()?;
        let sql = if all {
            "SELECT id, country, org_type, country_locked, org_type_locked FROM organizations ORDER BY id"
        } else {
            "SELECT id, country, org_type, country_locked, org_type_locked FROM organizations
             WHERE country IS NULL OR org_type IS NULL ORDER BY id"
        };
        // (id, country, type, country locked, type locked) before.
        type Before = (i64, Option<String>, Option<String>, bool, bool);
        let before: Vec<Before> = tx
            .prepare(sql)?
            .query_map([], |r| {
                Ok((
                    r.get("id")?,
                    r.get("country")?,
                    r.get("org_type")?,
                    r.get("country_locked")?,
                    r.get("org_type_locked")?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut sum = ClassifySummary::default();
        for (id, country, org_type, c_locked, t_locked) in before {
            let c = reclassify(&tx, id)?;
            sum.considered += 1;
            sum.locked += usize::from(c_locked) + usize::from(t_locked);
            let new_country = c.country.as_ref().map(|a| a.value.clone());
            if !c_locked && new_country != country {
                sum.countries_changed += 1;
            }
            if !t_locked && Some(&c.org_type.value) != org_type.as_ref() {
                sum.types_changed += 1;
            }
            if c_locked || new_country.is_some() {
                sum.with_country += 1;
            }
            if !c.conflicts.is_empty() {
                sum.with_conflicts += 1;
            }
        }
        tx.commit()?;
        Ok(sum)
    }

    /// Sets (and locks) or releases an organization's country and type.
    /// A released field is classified again at once.
    pub fn set_overrides(
        &mut self,
        org_id: i64,
        country: Option<&Override>,
        org_type: Option<&Override>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        match country {
            Some(Override::Set(cc)) => {
                tx.execute(
                    "UPDATE organizations SET country = ?2, country_locked = 1,
                         country_reason = 'set by a person (undersigned set)', country_confidence = 1.0
                     WHERE id = ?1",
                    params![org_id, cc],
                )?;
            }
            Some(Override::Auto) => {
                tx.execute(
                    "UPDATE organizations SET country_locked = 0 WHERE id = ?1",
                    [org_id],
                )?;
            }
            None => {}
        }
        match org_type {
            Some(Override::Set(t)) => {
                tx.execute(
                    "UPDATE organizations SET org_type = ?2, org_type_locked = 1,
                         org_type_reason = 'set by a person (undersigned set)'
                     WHERE id = ?1",
                    params![org_id, t],
                )?;
            }
            Some(Override::Auto) => {
                tx.execute(
                    "UPDATE organizations SET org_type_locked = 0 WHERE id = ?1",
                    [org_id],
                )?;
            }
            None => {}
        }
        reclassify(&tx, org_id)?;
        tx.commit()?;
        Ok(())
    }

    /// An organization's classification as stored, with every clue behind
    /// it computed afresh (and the letters that disagree).
    pub fn explain(&self, org_id: i64) -> Result<Option<Explanation>, StoreError> {
        let Some(org) = self.org(org_id)? else {
            return Ok(None);
        };
        let fresh = classify::classify(&evidence(&self.conn, org_id)?);
        let e = self.conn.query_row(
            "SELECT country, country_reason, country_confidence, country_locked, focus_country,
                    org_type, org_type_reason, org_type_locked, tags
             FROM organizations WHERE id = ?1",
            [org_id],
            |r| {
                Ok(Explanation {
                    org: org.clone(),
                    country: r.get("country")?,
                    country_reason: r.get("country_reason")?,
                    country_confidence: r.get("country_confidence")?,
                    country_locked: r.get("country_locked")?,
                    focus_country: r.get("focus_country")?,
                    org_type: r.get("org_type")?,
                    org_type_reason: r.get("org_type_reason")?,
                    org_type_locked: r.get("org_type_locked")?,
                    tags: r.get("tags")?,
                    fresh: fresh.clone(),
                })
            },
        )?;
        Ok(Some(e))
    }
    /// The letter with the most signatures and the organization that
    /// signed the most letters, with one of its printed names: what the
    /// benchmark asks `show` and `signed-by` about.
    pub fn busiest(&self) -> Result<Option<(i64, i64, String)>, StoreError> {
        let letter: Option<i64> = self
            .conn
            .query_row(
                "SELECT letter_id, count(*) AS n FROM signatures GROUP BY letter_id
                 ORDER BY n DESC, letter_id LIMIT 1",
                [],
                |r| r.get("letter_id"),
            )
            .optional()?;
        // Counted in one pass over the signers' index, which is in era
        // order, not by signer.
        let mut counts: crate::matching::fast::FastMap<i64, i64> = Default::default();
        {
            let mut st = self
                .conn
                .prepare("SELECT org_id FROM signatures INDEXED BY signatures_by_org")?;
            let mut rows = st.raw_query();
            while let Some(r) = rows.next()? {
                *counts.entry(r.get(0)?).or_insert(0) += 1;
            }
        }
        let top = counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(org, _)| org);
        let org = match top {
            Some(id) => self.org_name(id)?.map(|n| (id, n)),
            None => None,
        };
        Ok(letter.zip(org).map(|(l, (o, n))| (l, o, n)))
    }
}

/// Switches a new database to WAL. The switch needs the file to itself
/// and SQLite does not wait for it (the busy timeout does not apply), so
/// when several processes open one new database at once, those that find
/// it busy try again, for as long as the busy timeout would have waited.
fn set_wal(conn: &Connection) -> Result<(), StoreError> {
    let start = std::time::Instant::now();
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Ok(_) => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && start.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The signature rows an outcome is about: the letter's, after the change.
fn outcome_rows(tx: &Transaction<'_>, outcome: &Imported) -> Result<Vec<SignatureRow>, StoreError> {
    match outcome {
        Imported::New { letter_id, .. } | Imported::Updated(UpdateSummary { letter_id, .. }) => {
            signatures_tx(tx, *letter_id)
        }
        Imported::AlreadyPresent { .. } => Ok(Vec::new()),
    }
}

/// What the registry knows about an organization that bears on its
/// country and type: its names, whether it is a person, and every note
/// and heading printed with it, withdrawn signatures included (a note is a
/// fact about the signer even after the letter dropped it).
fn evidence(conn: &Connection, org_id: i64) -> Result<Evidence, StoreError> {
    let (name, kind): (String, String) = conn.query_row(
        "SELECT name, kind FROM organizations WHERE id = ?1",
        [org_id],
        |r| Ok((r.get("name")?, r.get("kind")?)),
    )?;
    let mut names = vec![name];
    let mut st = conn.prepare_cached("SELECT name FROM aliases WHERE org_id = ?1 ORDER BY id")?;
    for n in st.query_map([org_id], |r| r.get::<_, String>("name"))? {
        let n = n?;
        if !names.contains(&n) {
            names.push(n);
        }
    }
    let mut st = conn.prepare_cached(
        // Only signatures with a note or a heading carry a clue.
        "SELECT letter_id, note, section, name_as_printed FROM signatures INDEXED BY signatures_clues
         WHERE org_id = ?1 AND (note IS NOT NULL OR section IS NOT NULL)
         ORDER BY letter_id, position, id",
    )?;
    let signatures = st
        .query_map([org_id], |r| {
            Ok(SignatureClue {
                letter_id: r.get("letter_id")?,
                note: r.get("note")?,
                section: r.get("section")?,
                printed: r.get("name_as_printed")?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Evidence {
        names,
        individual: kind == "individual",
        signatures,
    })
}

/// Classifies an organization again from its evidence and stores the
/// answers, leaving a country or type a person set (locked) as it is.
pub(crate) fn reclassify(conn: &Connection, org_id: i64) -> Result<Classification, StoreError> {
    let c = classify::classify(&evidence(conn, org_id)?);
    store_classification(conn, org_id, &c)?;
    Ok(c)
}

/// [`reclassify`] for many organizations: the evidence of those in
/// `known` is taken from there (an import's new organizations, whose
/// every name and note it holds), the rest read; classified on every CPU.
pub(crate) fn reclassify_many(
    conn: &Connection,
    ids: &[i64],
    mut known: HashMap<i64, Evidence>,
) -> Result<(), StoreError> {
    let mut evidences = Vec::with_capacity(ids.len());
    for &id in ids {
        evidences.push(match known.remove(&id) {
            Some(e) => {
                // What the import gathered is what the registry now holds.
                #[cfg(debug_assertions)]
                assert_eq!(e, evidence(conn, id)?, "evidence of organization {id}");
                e
            }
            None => evidence(conn, id)?,
        });
    }
    let classes = crate::matching::fast::par_map(
        evidences.len(),
        |i| classify::classify(&evidences[i]),
        &|_| {},
    );
    for (id, c) in ids.iter().zip(&classes) {
        store_classification(conn, *id, c)?;
    }
    Ok(())
}

/// Stores an organization's classification, leaving a country or type a
/// person set (locked) as it is.
fn store_classification(
    conn: &Connection,
    org_id: i64,
    c: &Classification,
) -> Result<(), StoreError> {
    let tags = (!c.tags.is_empty()).then(|| c.tags.join(","));
    conn.prepare_cached(
        "UPDATE organizations SET
             country = CASE WHEN country_locked = 1 THEN country ELSE ?2 END,
             country_reason = CASE WHEN country_locked = 1 THEN country_reason ELSE ?3 END,
             country_confidence = CASE WHEN country_locked = 1 THEN country_confidence ELSE ?4 END,
             focus_country = ?5,
             org_type = CASE WHEN org_type_locked = 1 THEN org_type ELSE ?6 END,
             org_type_reason = CASE WHEN org_type_locked = 1 THEN org_type_reason ELSE ?7 END,
             tags = ?8
         WHERE id = ?1
           -- An answer that has not changed writes nothing: no page of a
           -- large registry is dirtied (and copied through the log) for it.
           AND (focus_country IS NOT ?5 OR tags IS NOT ?8
                OR (country_locked <> 1 AND (country IS NOT ?2 OR country_reason IS NOT ?3
                                             OR country_confidence IS NOT ?4))
                OR (org_type_locked <> 1 AND (org_type IS NOT ?6 OR org_type_reason IS NOT ?7)))",
    )?
    .execute(params![
        org_id,
        c.country.as_ref().map(|a| &a.value),
        c.country.as_ref().map(|a| &a.reason),
        c.country.as_ref().map(|a| a.confidence),
        c.focus_country.as_ref().map(|a| &a.value),
        c.org_type.value,
        c.org_type.reason,
        tags
    ])?;
    Ok(())
}

const LETTER_SELECT: &str =
    "SELECT l.id, l.date, l.title, l.claimed_count, l.language, l.source, l.url, l.partial,
        -- Every row of the letter (from the index alone) less the few
        -- not signed (their own partial index).
        (SELECT count(*) FROM signatures s WHERE s.letter_id = l.id)
          - (SELECT count(*) FROM signatures s WHERE s.letter_id = l.id AND s.status <> 'signed') AS n
     FROM letters l";

fn letters_where<P: rusqlite::Params>(
    conn: &Connection,
    cond: &str,
    p: P,
) -> Result<Vec<LetterRow>, StoreError> {
    let sql = format!("{LETTER_SELECT} WHERE {cond} ORDER BY l.id");
    let mut st = conn.prepare_cached(&sql)?;
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

/// Up to this many organizations, `orgs` counts each one's letters
/// through the index by organization (one search per era of signatures);
/// past it, one pass over the whole index costs less.
const FEW_ORGS: usize = 5_000;

const SIG_SELECT: &str =
    "SELECT s.letter_id, s.position, s.name_as_printed, s.org_id, o.name AS org_name,
        o.acronym, o.kind, o.country, o.org_type, s.status, s.added_on, s.withdrawn_on,
        s.note, s.affiliation, s.section,
        s.line, s.match_reason
     FROM signatures s JOIN organizations o ON o.id = s.org_id";

/// A row of [`SIG_SELECT`], by column position (its order, which a test
/// checks against the names): looking columns up by name costs more than
/// reading a large letter.
fn signature_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SignatureRow> {
    Ok(SignatureRow {
        letter_id: r.get(0)?,
        position: r.get(1)?,
        name_as_printed: r.get(2)?,
        org_id: r.get(3)?,
        org_name: r.get(4)?,
        acronym: r.get(5)?,
        kind: r.get(6)?,
        country: r.get(7)?,
        org_type: r.get(8)?,
        status: r.get(9)?,
        added_on: r.get(10)?,
        withdrawn_on: r.get(11)?,
        note: r.get(12)?,
        affiliation: r.get(13)?,
        section: r.get(14)?,
        line: r.get(15)?,
        match_reason: r.get(16)?,
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

/// Organizations with their counts of letters signed, for a few
/// organizations: each is looked up era by era (see `signature_eras`).
const ORG_SELECT: &str = "SELECT o.id, o.name, o.acronym, o.kind, o.country, o.org_type,
        count(DISTINCT CASE WHEN s.status = 'signed' THEN s.letter_id END) AS letters
     FROM organizations o
     LEFT JOIN signatures s ON (s.id >> 18) IN signature_eras AND s.org_id = o.id";

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_columns_are_in_the_order_signature_row_reads() {
        let store = Store::open_in_memory().unwrap();
        let st = store.conn.prepare(SIG_SELECT).unwrap();
        // The names exports and `show` give the cells they make of a row,
        // in the order signature_row reads and signature_cells writes.
        assert_eq!(
            st.column_names().collect::<Vec<_>>(),
            crate::export::SIGNATURE_COLUMNS
        );
    }

    /// Imports `text` as one letter (its bytes' stand-in hash is `sha`).
    fn import_text(store: &mut Store, text: &str, sha: &str) {
        let doc =
            crate::parse::parse_bytes(text.as_bytes(), crate::parse::Options::default()).unwrap();
        let nl = NewLetter {
            letter: &doc.letters[0],
            source: "test",
            url: None,
            sha256: sha,
            part: 1,
            format: "text",
            raw_text: &doc.text,
            title_given: false,
        };
        store
            .import(
                &[nl],
                &crate::matching::engine::Engine::new(),
                false,
                None,
                |_, _| {},
            )
            .unwrap();
    }

    /// Both ways `orgs` counts letters agree: one organization at a time
    /// through the era index, and every organization in one pass (a
    /// signer printed twice in a letter counts the letter once).
    #[test]
    fn letter_counts_one_by_one_equal_the_whole_pass() {
        let mut store = Store::open_in_memory().unwrap();
        import_text(
            &mut store,
            "We call for an end to the blockade.\n\nSigned:\n\n1. Karen Community of Iowa\n2. Burma Campaign UK\n3. Karen Community of Iowa\n",
            "a",
        );
        import_text(
            &mut store,
            "We object to the new law.\n\nSigned by:\n\n- Burma Campaign UK\n- Women's League of Burma\n",
            "b",
        );
        let all = store.letter_counts().unwrap();
        let rows = store.orgs(None).unwrap();
        assert_eq!(rows.len(), 3);
        for o in &rows {
            assert_eq!(Some(&o.letters), all.get(&o.org_id), "{}", o.name);
        }
        let by_name: Vec<(&str, i64)> = rows.iter().map(|o| (o.name.as_str(), o.letters)).collect();
        assert_eq!(
            by_name,
            [
                ("Burma Campaign UK", 2),
                ("Karen Community of Iowa", 1),
                ("Women's League of Burma", 1)
            ]
        );
    }

    /// Merging and undoing delete organizations with SQLite's key checks
    /// off (they would read every signature): the store's own check
    /// refuses an organization still named, and the checks are on again
    /// afterwards.
    #[test]
    fn organizations_are_deleted_only_when_nothing_names_them() {
        let mut store = Store::open_in_memory().unwrap();
        import_text(
            &mut store,
            "We call for an end to the blockade.\n\nSigned:\n\n1. Karen Community of Iowa\n2. Burma Campaign UK\n",
            "a",
        );
        let fk = |s: &Store| -> i64 {
            s.conn
                .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
                .unwrap()
        };
        store.merge(1, 2).unwrap();
        assert_eq!(fk(&store), 1);
        let orgs: i64 = store
            .conn
            .query_row("SELECT count(*) FROM organizations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(orgs, 1);
        store.undo().unwrap().unwrap();
        assert_eq!(fk(&store), 1);
        let problems: i64 = store
            .conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(problems, 0);
        // An organization that still has a signature is refused.
        let err = judge::delete_org_checked(&mut store.conn, 2).unwrap_err();
        assert!(err.to_string().contains("still has names"), "{err}");
        assert_eq!(fk(&store), 1);
        // A merge that fails (unknown organization) leaves the checks on.
        assert!(store.merge(1, 99).is_err());
        assert_eq!(fk(&store), 1);
    }

    /// One alias per printed form of an organization: a form printed
    /// again, in the same letter or a later one, adds none; the same name
    /// printed another way (same key) adds one, to the same organization.
    #[test]
    fn each_printed_form_is_one_alias() {
        let mut store = Store::open_in_memory().unwrap();
        import_text(
            &mut store,
            "We call for an end to the blockade.\n\nSigned:\n\n1. Karen Community of Iowa\n2. Burma Campaign UK\n3. Karen Community of Iowa\n",
            "a",
        );
        import_text(
            &mut store,
            "We object to the new law.\n\nSigned by:\n\n- KAREN COMMUNITY OF IOWA\n- Burma Campaign UK\n- Karen Community of Iowa\n",
            "b",
        );
        let forms: Vec<(i64, String)> = store
            .conn
            .prepare("SELECT org_id, name FROM aliases ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let names: Vec<&str> = forms.iter().map(|f| f.1.as_str()).collect();
        assert_eq!(
            names,
            [
                "Karen Community of Iowa",
                "Burma Campaign UK",
                "KAREN COMMUNITY OF IOWA"
            ]
        );
        assert_eq!(forms[2].0, forms[0].0);
        assert_eq!(store.signature_count().unwrap(), 6);
    }

    /// Rows stream in printed order, one letter's or every letter's (by
    /// letter then position), the same rows `signatures` gathers; an
    /// unknown letter is an error, and an error from the receiver stops
    /// the reading and comes back as it was.
    #[test]
    fn signatures_stream_in_order_and_stop_at_the_receivers_error() {
        let mut store = Store::open_in_memory().unwrap();
        import_text(
            &mut store,
            "We call for an end to the blockade.\n\nSigned:\n\n1. Karen Community of Iowa\n2. Burma Campaign UK\n3. Women's League of Burma (WLB)\n",
            "a",
        );
        import_text(
            &mut store,
            "We object to the new law.\n\nSigned by:\n\n- Amnesty International\n- Burma Campaign UK\n",
            "b",
        );
        let mut all = Vec::new();
        store
            .each_signature(None, |r| {
                all.push((r.letter_id, r.position, r.name_as_printed));
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let want: Vec<(i64, i64, String)> = [
            (1, 1, "Karen Community of Iowa"),
            (1, 2, "Burma Campaign UK"),
            (1, 3, "Women's League of Burma (WLB)"),
            (2, 1, "Amnesty International"),
            (2, 2, "Burma Campaign UK"),
        ]
        .into_iter()
        .map(|(l, p, n)| (l, p, n.to_string()))
        .collect();
        assert_eq!(all, want);
        assert_eq!(store.signature_count().unwrap(), 5);

        let second = store.signatures(2).unwrap();
        assert_eq!(
            second
                .iter()
                .map(|r| r.name_as_printed.as_str())
                .collect::<Vec<_>>(),
            ["Amnesty International", "Burma Campaign UK"]
        );
        // The same organization on both letters.
        assert_eq!(second[1].org_id, store.signatures(1).unwrap()[1].org_id);

        assert!(matches!(
            store.each_signature(Some(9), |_| Ok::<_, StoreError>(())),
            Err(StoreError::NoLetter(9))
        ));
        let mut seen = 0;
        let stopped = store.each_signature(None, |_| {
            seen += 1;
            if seen == 2 {
                Err(StoreError::Invalid("enough".into()))
            } else {
                Ok(())
            }
        });
        assert!(matches!(stopped, Err(StoreError::Invalid(m)) if m == "enough"));
        assert_eq!(seen, 2);
    }

    /// The map imports run under reaches past SQLite's default limit of
    /// 2 GB (the build's flag in .cargo/config.toml), and is undone after,
    /// so other commands find the file unmapped.
    #[test]
    fn the_import_map_reaches_past_2_gb_and_is_undone_after() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("r.db")).unwrap();
        let size =
            |c: &Connection| -> i64 { c.query_row("PRAGMA mmap_size", [], |r| r.get(0)).unwrap() };
        assert_eq!(size(&store.conn), 0);
        let during = store.mapped(|s| Ok(size(&s.conn))).unwrap();
        assert_eq!(during, MMAP_BYTES);
        assert_eq!(size(&store.conn), 0);
    }
}
