//! Importing letters, and new versions of letters already stored, in one
//! transaction. Every signer is decided first, against the registry as it
//! stands and the import's own earlier signers (the matcher reads ahead in
//! batches and scores on every CPU); then the import is written table by
//! table: letters, new organizations, new printed forms (one statement,
//! so the full-text index is written once), signatures, blocking keys,
//! classification. Nothing is written while names are being matched, so
//! the matcher's reads are never of half-written state.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, VecDeque};

use rusqlite::{params, OptionalExtension, Transaction};

use super::blocking::{self, TxRegistry};
use super::{reclassify_many, Imported, NewLetter, StoreError, UpdateSummary, NOW};
use crate::classify::{Evidence, SignatureClue};
use crate::matching::fast::FastSet;
use crate::matching::{Decision, Matcher};
use crate::normalize::name_key;
use crate::parse::{Kind, Signatory};
use crate::progress::Progress;

/// What an import does with one letter.
enum Step {
    /// Its bytes were imported before, as a version of this letter.
    Present(i64),
    /// A new letter, stored under this id.
    New(i64),
    /// A new version of this letter.
    Update(i64),
}

/// One signer, decided.
struct Decided {
    org_id: i64,
    reason: String,
    is_new: bool,
}

/// An organization the import adds.
struct NewOrg<'a> {
    id: i64,
    sig: &'a Signatory,
}

/// A printed form the import adds to an organization.
struct NewAlias<'a> {
    id: i64,
    org_id: i64,
    sig: &'a Signatory,
    letter_id: i64,
}

/// Everything a run of letters will write, decided.
#[derive(Default)]
struct Plan<'a> {
    steps: Vec<(usize, Step, Vec<Decided>)>,
    orgs: Vec<NewOrg<'a>>,
    aliases: Vec<NewAlias<'a>>,
    /// (organization, printed name) of the forms added, to add each once.
    added: FastSet<(i64, &'a str)>,
    /// Known organizations printed with an acronym: it fills a blank.
    acronyms: Vec<(i64, &'a str)>,
    /// Organizations whose evidence changed: classified again at the end.
    reclassify: BTreeSet<i64>,
    /// The evidence of the new organizations only new letters list: their
    /// names and notes are all in this plan.
    evidence: HashMap<i64, NewEvidence>,
    /// (sha256, part) and (url, part) of the letters planned, which a
    /// later letter of the same import must see stored.
    seen: FastSet<(String, u32)>,
}

/// What classification reads of a new organization, gathered while its
/// signers are decided.
struct NewEvidence {
    names: Vec<String>,
    individual: bool,
    /// (letter, position, clue): signatures with a note or a heading.
    clues: Vec<(i64, i64, SignatureClue)>,
}

/// Ids the next rows of a table get (SQLite's own choice, the largest
/// plus one, made ahead so that rows can refer to each other before they
/// are written).
fn next_id(tx: &Transaction<'_>, table: &str) -> Result<i64, StoreError> {
    let sql = match table {
        "organizations" => "SELECT coalesce(max(id), 0) + 1 FROM organizations",
        "aliases" => "SELECT coalesce(max(id), 0) + 1 FROM aliases",
        _ => "SELECT coalesce(max(id), 0) + 1 FROM letters",
    };
    Ok(tx.query_row(sql, [], |r| r.get(0))?)
}

/// The letter any version of which has these bytes (and statement number).
fn version_owner(tx: &Transaction<'_>, nl: &NewLetter<'_>) -> Result<Option<i64>, StoreError> {
    Ok(tx
        .query_row(
            "SELECT letter_id FROM letter_versions WHERE sha256 = ?1 AND part = ?2",
            params![nl.sha256, nl.part],
            |r| r.get("letter_id"),
        )
        .optional()?)
}

/// The letter stored with this url and statement number, if one is.
fn letter_at_url(tx: &Transaction<'_>, url: &str, part: u32) -> Result<Option<i64>, StoreError> {
    let mut st =
        tx.prepare_cached("SELECT id FROM letters WHERE url = ?1 AND part = ?2 ORDER BY id")?;
    let ids = st
        .query_map(params![url, part], |r| r.get::<_, i64>("id"))?
        .collect::<Result<Vec<_>, _>>()?;
    match ids[..] {
        [] => Ok(None),
        [id] => Ok(Some(id)),
        _ => Err(StoreError::AmbiguousUrl {
            url: url.to_string(),
            part,
            ids: ids
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Imports `letters` inside `tx`; `update` makes the single letter given a
/// new version of that letter. Returns each letter's outcome.
pub(super) fn run(
    tx: &Transaction<'_>,
    letters: &[NewLetter<'_>],
    update: Option<i64>,
    matcher: &dyn Matcher,
    on_date: Option<&str>,
    progress: &dyn Progress,
) -> Result<Vec<Imported>, StoreError> {
    blocking::file_queued(tx)?;
    if let Some(id) = update {
        let exists: Option<i64> = tx
            .query_row("SELECT id FROM letters WHERE id = ?1", [id], |r| {
                r.get("id")
            })
            .optional()?;
        if exists.is_none() {
            return Err(StoreError::NoLetter(id));
        }
    }
    // The bar shows each stage in turn: searching, matching, writing.
    progress.start(0, "reading the registry");
    let mut out: Vec<Option<Imported>> = vec![None; letters.len()];
    let mut start = 0;
    // Letters are planned in runs: a letter that must see one planned
    // before it stored (the same bytes, or the same url, twice in one
    // import) ends the run, which is written first.
    while start < letters.len() {
        let mut plan = Plan::default();
        let mut next_letter = next_id(tx, "letters")?;
        let mut end = start;
        while end < letters.len() {
            let nl = &letters[end];
            let sha = (nl.sha256.to_string(), nl.part);
            let url = nl.url.map(|u| (format!("url {u}"), nl.part));
            if plan.seen.contains(&sha) || url.as_ref().is_some_and(|u| plan.seen.contains(u)) {
                break;
            }
            let step = if let Some(owner) = version_owner(tx, nl)? {
                Step::Present(owner)
            } else if let Some(id) = update {
                Step::Update(id)
            } else if let Some(id) = match nl.url {
                Some(u) => letter_at_url(tx, u, nl.part)?,
                None => None,
            } {
                Step::Update(id)
            } else {
                next_letter += 1;
                Step::New(next_letter - 1)
            };
            plan.seen.insert(sha);
            plan.seen.extend(url);
            plan.steps.push((end, step, Vec::new()));
            end += 1;
        }
        decide(tx, letters, &mut plan, matcher, progress)?;
        let written = write(tx, letters, plan, on_date, progress)?;
        for (i, outcome) in written {
            out[i] = Some(outcome);
        }
        start = end;
    }
    progress.finish();
    Ok(out.into_iter().flatten().collect())
}

/// Decides every signer of the planned letters, in order.
fn decide<'a>(
    tx: &Transaction<'_>,
    letters: &'a [NewLetter<'a>],
    plan: &mut Plan<'a>,
    matcher: &dyn Matcher,
    progress: &dyn Progress,
) -> Result<(), StoreError> {
    let reg = TxRegistry { tx };
    let sigs: Vec<&Signatory> = plan
        .steps
        .iter()
        .filter(|(_, step, _)| !matches!(step, Step::Present(_)))
        .flat_map(|(i, _, _)| letters[*i].letter.signatories.iter())
        .collect();
    matcher
        .prepare(&sigs, &reg, progress)
        .map_err(StoreError::Matching)?;
    progress.start(sigs.len() as u64, "matching signatures");
    let mut next_org = next_id(tx, "organizations")?;
    let mut next_alias = next_id(tx, "aliases")?;
    let mut steps = std::mem::take(&mut plan.steps);
    for (i, step, decided) in &mut steps {
        let letter_id = match step {
            Step::Present(_) => continue,
            Step::New(id) | Step::Update(id) => *id,
        };
        for sig in &letters[*i].letter.signatories {
            let decision = matcher.decide(sig, &reg).map_err(StoreError::Matching)?;
            let (org_id, reason, is_new, holds) = match decision {
                Decision::Known {
                    org_id,
                    reason,
                    holds_form,
                } => {
                    if let Some(a) = &sig.acronym {
                        plan.acronyms.push((org_id, a));
                    }
                    (org_id, reason, false, holds_form)
                }
                Decision::New { reason } => {
                    next_org += 1;
                    plan.orgs.push(NewOrg {
                        id: next_org - 1,
                        sig,
                    });
                    // A new organization holds no printed form yet.
                    (next_org - 1, reason, true, Some(false))
                }
            };
            // One alias per printed form of an organization: the
            // signatures keep every letter that printed it.
            let holds = match holds {
                Some(h) => h,
                None => holds_stored(tx, org_id, &sig.name)?,
            } || plan.added.contains(&(org_id, sig.name.as_str()));
            if !holds {
                plan.added.insert((org_id, sig.name.as_str()));
                next_alias += 1;
                plan.aliases.push(NewAlias {
                    id: next_alias - 1,
                    org_id,
                    sig,
                    letter_id,
                });
                matcher.learn(org_id, sig);
            }
            if is_new || !holds || sig.note.is_some() || sig.section.is_some() {
                plan.reclassify.insert(org_id);
            }
            if is_new && matches!(step, Step::New(_)) {
                plan.evidence.insert(
                    org_id,
                    NewEvidence {
                        names: Vec::new(),
                        individual: sig.kind == Kind::Individual,
                        clues: Vec::new(),
                    },
                );
            }
            if matches!(step, Step::Update(_)) {
                plan.evidence.remove(&org_id);
            } else if let Some(e) = plan.evidence.get_mut(&org_id) {
                if !e.names.contains(&sig.name) {
                    e.names.push(sig.name.clone());
                }
                if sig.note.is_some() || sig.section.is_some() {
                    e.clues.push((
                        letter_id,
                        sig.position as i64,
                        SignatureClue {
                            letter_id,
                            note: sig.note.clone(),
                            section: sig.section.clone(),
                            printed: Some(sig.printed.clone()),
                        },
                    ));
                }
            }
            decided.push(Decided {
                org_id,
                reason,
                is_new,
            });
            progress.inc(1);
        }
    }
    plan.steps = steps;
    Ok(())
}

/// Whether an organization holds this printed form, as stored.
fn holds_stored(tx: &Transaction<'_>, org_id: i64, name: &str) -> Result<bool, StoreError> {
    Ok(tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM aliases WHERE org_id = ?1 AND name = ?2) AS known",
        )?
        .query_row(params![org_id, name], |r| r.get("known"))?)
}

/// Writes a decided plan; returns each letter's outcome by its place.
fn write(
    tx: &Transaction<'_>,
    letters: &[NewLetter<'_>],
    plan: Plan<'_>,
    on_date: Option<&str>,
    progress: &dyn Progress,
) -> Result<Vec<(usize, Imported)>, StoreError> {
    // Four stages: names, signatures, blocking keys, classification.
    progress.start(4, "writing");
    for (i, step, _) in &plan.steps {
        if let Step::New(id) = step {
            insert_letter(tx, *id, &letters[*i])?;
        }
    }
    {
        let mut st = tx.prepare_cached(&format!(
            "INSERT INTO organizations (id, name, acronym, kind, created_at)
             VALUES (?1, ?2, ?3, ?4, {NOW})"
        ))?;
        for o in &plan.orgs {
            st.execute(params![
                o.id,
                o.sig.name,
                o.sig.acronym,
                o.sig.kind.as_str()
            ])?;
        }
        // A known organization gains an acronym it lacked; what it already
        // has is never overwritten here.
        let mut st = tx.prepare_cached(
            "UPDATE organizations SET acronym = ?2 WHERE id = ?1 AND acronym IS NULL",
        )?;
        for (org, a) in &plan.acronyms {
            st.execute(params![org, a])?;
        }
    }
    insert_aliases(tx, &plan.aliases)?;
    progress.inc(1);

    let mut out = Vec::with_capacity(plan.steps.len());
    for (i, step, decided) in &plan.steps {
        let nl = &letters[*i];
        let outcome = match step {
            Step::Present(id) => Imported::AlreadyPresent { letter_id: *id },
            Step::New(id) => insert_signatures(tx, *id, nl, decided)?,
            Step::Update(id) => update_signatures(tx, *id, nl, decided, on_date)?,
        };
        out.push((*i, outcome));
    }
    progress.inc(1);
    // Every organization listed by an updated letter is classified again:
    // notes may have changed on rows kept.
    let mut touched = plan.reclassify;
    for (_, step, _) in &plan.steps {
        if let Step::Update(id) = step {
            let ids: Vec<i64> = tx
                .prepare_cached("SELECT DISTINCT org_id FROM signatures WHERE letter_id = ?1")?
                .query_map([id], |r| r.get("org_id"))?
                .collect::<Result<_, _>>()?;
            touched.extend(ids);
        }
    }
    file_aliases(tx, &plan.aliases)?;
    progress.inc(1);
    let known: HashMap<i64, Evidence> = plan
        .evidence
        .into_iter()
        .map(|(id, mut e)| {
            e.clues.sort_by_key(|c| (c.0, c.1));
            let ev = Evidence {
                names: e.names,
                individual: e.individual,
                signatures: e.clues.into_iter().map(|c| c.2).collect(),
            };
            (id, ev)
        })
        .collect();
    let touched: Vec<i64> = touched.into_iter().collect();
    reclassify_many(tx, &touched, known)?;
    progress.inc(1);
    Ok(out)
}

fn insert_letter(tx: &Transaction<'_>, id: i64, nl: &NewLetter<'_>) -> Result<(), StoreError> {
    let l = nl.letter;
    tx.execute(
        &format!(
            "INSERT INTO letters (id, title, date, source, url, sha256, part, language, format,
                                  claimed_count, partial, imported_at, raw_text)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, {NOW}, ?12)"
        ),
        params![
            id,
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
    insert_version(tx, id, nl)
}

fn insert_version(
    tx: &Transaction<'_>,
    letter_id: i64,
    nl: &NewLetter<'_>,
) -> Result<(), StoreError> {
    tx.execute(
        &format!(
            "INSERT INTO letter_versions (letter_id, sha256, part, imported_at, raw_text, signatory_count)
             VALUES (?1, ?2, ?3, {NOW}, ?4, ?5)"
        ),
        params![
            letter_id,
            nl.sha256,
            nl.part,
            nl.raw_text,
            nl.letter.signatories.len() as i64
        ],
    )?;
    Ok(())
}

/// Writes the new printed forms in one statement: the full-text index
/// over them (kept by a trigger on `aliases`) then writes its new entries
/// once, instead of once per form.
fn insert_aliases(tx: &Transaction<'_>, aliases: &[NewAlias<'_>]) -> Result<(), StoreError> {
    if aliases.is_empty() {
        return Ok(());
    }
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS new_aliases (
             id INTEGER PRIMARY KEY, org_id INTEGER, name TEXT, key TEXT, letter_id INTEGER
         );
         DELETE FROM temp.new_aliases;",
    )?;
    {
        let mut st = tx.prepare_cached(
            "INSERT INTO temp.new_aliases (id, org_id, name, key, letter_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for a in aliases {
            st.execute(params![
                a.id,
                a.org_id,
                a.sig.name,
                name_key(&a.sig.name),
                a.letter_id
            ])?;
        }
    }
    tx.execute_batch(
        "INSERT INTO aliases (id, org_id, name, key, letter_id, origin)
             SELECT id, org_id, name, key, letter_id, 'letter' FROM temp.new_aliases ORDER BY id;
         DELETE FROM temp.new_aliases;",
    )?;
    Ok(())
}

/// Files the new printed forms under their blocking keys, worked out on
/// every CPU, and takes them off the queue the insert put them on.
fn file_aliases(tx: &Transaction<'_>, aliases: &[NewAlias<'_>]) -> Result<(), StoreError> {
    if aliases.is_empty() {
        return Ok(());
    }
    // Each form is filed with its organization's acronym as it now stands.
    let mut acronyms: HashMap<i64, Option<String>> = HashMap::new();
    {
        let mut st = tx.prepare_cached("SELECT acronym FROM organizations WHERE id = ?1")?;
        for a in aliases {
            if let Entry::Vacant(slot) = acronyms.entry(a.org_id) {
                slot.insert(st.query_row([a.org_id], |r| r.get(0))?);
            }
        }
    }
    let forms: Vec<(i64, &str, Option<&str>)> = aliases
        .iter()
        .map(|a| (a.id, a.sig.name.as_str(), acronyms[&a.org_id].as_deref()))
        .collect();
    blocking::file(tx, &forms)?;
    tx.execute("DELETE FROM blocking_queue", [])?;
    Ok(())
}

/// Writes a new letter's signatures; returns its outcome.
fn insert_signatures(
    tx: &Transaction<'_>,
    letter_id: i64,
    nl: &NewLetter<'_>,
    decided: &[Decided],
) -> Result<Imported, StoreError> {
    let (mut new_orgs, mut known_orgs) = (0usize, 0usize);
    let mut seen = std::collections::HashSet::new();
    let mut st = tx.prepare_cached(
        "INSERT INTO signatures (letter_id, org_id, position, name_as_printed, note,
             affiliation, section, line, raw_text, match_reason, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'signed')",
    )?;
    for (sig, d) in nl.letter.signatories.iter().zip(decided) {
        if d.is_new {
            new_orgs += 1;
        } else if !seen.contains(&d.org_id) {
            known_orgs += 1;
        }
        seen.insert(d.org_id);
        st.execute(params![
            letter_id,
            d.org_id,
            sig.position,
            sig.printed,
            sig.note,
            sig.affiliation,
            sig.section,
            sig.line,
            sig.raw,
            d.reason
        ])?;
    }
    Ok(Imported::New {
        letter_id,
        found: nl.letter.signatories.len(),
        new_orgs,
        known_orgs,
    })
}

/// Stores `nl` as the latest version of letter `letter_id`, its signers
/// decided: a signer the letter did not list gets a new row (`added_on`),
/// one it listed that the new version drops becomes `withdrawn`
/// (`withdrawn_on`), and a withdrawn one listed again is `signed` again.
/// Rows keep their positions, new ones follow; nothing is deleted.
fn update_signatures(
    tx: &Transaction<'_>,
    letter_id: i64,
    nl: &NewLetter<'_>,
    decided: &[Decided],
    on_date: Option<&str>,
) -> Result<Imported, StoreError> {
    let on: String = tx.query_row("SELECT coalesce(?1, date('now')) AS d", [on_date], |r| {
        r.get("d")
    })?;
    // The letter's rows by organization, in printed order: the signed ones
    // a new entry continues, the withdrawn ones it may bring back.
    let mut signed: HashMap<i64, VecDeque<i64>> = HashMap::new();
    let mut withdrawn: HashMap<i64, VecDeque<i64>> = HashMap::new();
    {
        let mut st = tx.prepare_cached(
            "SELECT id, org_id, status FROM signatures WHERE letter_id = ?1 ORDER BY position, id",
        )?;
        let rows = st.query_map([letter_id], |r| {
            Ok((
                r.get::<_, i64>("id")?,
                r.get::<_, i64>("org_id")?,
                r.get::<_, String>("status")?,
            ))
        })?;
        for row in rows {
            let (id, org_id, status) = row?;
            let by_org = if status == "signed" {
                &mut signed
            } else {
                &mut withdrawn
            };
            by_org.entry(org_id).or_default().push_back(id);
        }
    }
    let mut position: i64 = tx.query_row(
        "SELECT coalesce(max(position), 0) AS p FROM signatures WHERE letter_id = ?1",
        [letter_id],
        |r| r.get("p"),
    )?;

    let mut sum = UpdateSummary {
        letter_id,
        on: on.clone(),
        added: 0,
        withdrawn: 0,
        unchanged: 0,
        returned: 0,
        new_orgs: 0,
    };
    for (sig, d) in nl.letter.signatories.iter().zip(decided) {
        let org_id = d.org_id;
        sum.new_orgs += usize::from(d.is_new);
        let (row, returning) = match signed.get_mut(&org_id).and_then(VecDeque::pop_front) {
            Some(id) => (Some(id), false),
            None => (
                withdrawn.get_mut(&org_id).and_then(VecDeque::pop_front),
                true,
            ),
        };
        if let Some(id) = row {
            // The row takes the entry as this version prints it, so its
            // line points into the text the letter now holds.
            tx.prepare_cached(
                "UPDATE signatures SET name_as_printed = ?2, note = ?3, affiliation = ?4,
                     section = ?5, line = ?6, raw_text = ?7,
                     added_on = CASE WHEN status = 'withdrawn' THEN ?8 ELSE added_on END,
                     withdrawn_on = NULL, status = 'signed'
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                sig.printed,
                sig.note,
                sig.affiliation,
                sig.section,
                sig.line,
                sig.raw,
                on
            ])?;
            if returning {
                sum.returned += 1;
            } else {
                sum.unchanged += 1;
            }
        } else {
            position += 1;
            tx.prepare_cached(
                "INSERT INTO signatures (letter_id, org_id, position, name_as_printed, note,
                     affiliation, section, line, raw_text, match_reason, status, added_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'signed', ?11)",
            )?
            .execute(params![
                letter_id,
                org_id,
                position,
                sig.printed,
                sig.note,
                sig.affiliation,
                sig.section,
                sig.line,
                sig.raw,
                d.reason,
                on
            ])?;
            sum.added += 1;
        }
    }
    // Signed rows no entry of the new version continued: dropped by it.
    for id in signed.values().flatten() {
        tx.prepare_cached(
            "UPDATE signatures SET status = 'withdrawn', withdrawn_on = ?2 WHERE id = ?1",
        )?
        .execute(params![id, on])?;
        sum.withdrawn += 1;
    }

    insert_version(tx, letter_id, nl)?;
    let l = nl.letter;
    tx.execute(
        &format!(
            "UPDATE letters SET sha256 = ?2, part = ?3, source = ?4, format = ?5, language = ?6,
                 claimed_count = ?7, partial = ?8, raw_text = ?9, imported_at = {NOW},
                 title = CASE WHEN ?10 THEN ?11 ELSE title END, url = coalesce(?12, url)
             WHERE id = ?1"
        ),
        params![
            letter_id,
            nl.sha256,
            nl.part,
            nl.source,
            nl.format,
            l.language,
            l.claimed_count.map(|c| c as i64),
            l.partial,
            nl.raw_text,
            nl.title_given,
            l.title,
            nl.url
        ],
    )?;
    Ok(Imported::Updated(sum))
}
