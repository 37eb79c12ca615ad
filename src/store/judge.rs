//! Identities over time: people's judgements (same / different / unsure,
//! keyed by name keys so they survive re-clustering), merges and splits
//! with a log that `undo` reverses exactly, the review queue, `dedupe`
//! over the whole registry, and user aliases.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::{json, Map};

use super::{Store, StoreError, NOW};
use crate::matching::cluster::{cluster_with_progress, pair_key, Judgements};
use crate::matching::index::Index;
use crate::matching::keys::NameInfo;
use crate::matching::score::{compare, Band, Stats};
use crate::normalize::name_key;
use crate::parse::Kind;

/// A person's verdict on a pair of names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Same,
    Different,
    Unsure,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Same => "same",
            Verdict::Different => "different",
            Verdict::Unsure => "unsure",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        match s.trim().to_ascii_lowercase().as_str() {
            "same" | "s" | "yes" => Some(Verdict::Same),
            "different" | "d" | "no" => Some(Verdict::Different),
            "unsure" | "u" | "skip" => Some(Verdict::Unsure),
            _ => None,
        }
    }
}

/// A doubtful pair for a person to decide.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewPair {
    pub org_a: i64,
    pub org_b: i64,
    pub name_a: String,
    pub name_b: String,
    pub score: f64,
    pub reasons: String,
}

/// What `dedupe` did.
#[derive(Debug, Clone, Default)]
pub struct DedupeReport {
    /// (kept, merged in, score, reasons)
    pub merges: Vec<(i64, i64, f64, String)>,
    pub review: usize,
    pub names: usize,
    /// Organizations a group would have merged that a "different"
    /// judgement or two printed countries kept apart from it.
    pub kept_apart: usize,
}

/// One printed form in the registry, as re-scoring needs it.
#[derive(Debug, Clone)]
pub(crate) struct AliasRecord {
    pub org_id: i64,
    pub name: String,
    pub kind: Kind,
    pub acronym: Option<String>,
    pub country: Option<String>,
}

/// The registry prepared for re-scoring: its printed forms, the
/// judgements, an index that owns the forms' prepared names
/// (`index.names()`, in the order of the forms) and their statistics.
type Scored = (Vec<AliasRecord>, Judgements, Index, Stats);

fn kind_of(s: &str) -> Kind {
    if s == "individual" {
        Kind::Individual
    } else {
        Kind::Organization
    }
}

/// Every alias with its organization's kind, acronym and country.
pub(crate) fn alias_records(conn: &Connection) -> Result<Vec<AliasRecord>, StoreError> {
    let mut st = conn.prepare(
        "SELECT a.org_id, a.name, o.kind, o.acronym, o.country FROM aliases a
         JOIN organizations o ON o.id = a.org_id ORDER BY a.org_id, a.id",
    )?;
    // Columns by position, not name: a name is looked up among the
    // columns on every row, and this reads every row of the registry.
    let rows = st.query_map([], |r| {
        Ok(AliasRecord {
            org_id: r.get(0)?,
            name: r.get(1)?,
            kind: kind_of(r.get_ref(2)?.as_str()?),
            acronym: r.get(3)?,
            country: r.get(4)?,
        })
    })?;
    let mut out: Vec<AliasRecord> = rows.collect::<Result<_, _>>()?;
    // One record per (organization, printed form).
    let keep: Vec<bool> = {
        let mut seen: crate::matching::fast::FastSet<(i64, &str)> = Default::default();
        out.iter()
            .map(|a| seen.insert((a.org_id, a.name.as_str())))
            .collect()
    };
    let mut keep = keep.into_iter();
    out.retain(|_| keep.next().unwrap_or(true));
    Ok(out)
}

pub(crate) fn load_judgements(conn: &Connection) -> Result<Judgements, StoreError> {
    judgements_where(conn, "SELECT key_a, key_b, verdict FROM judgements", [])
}

/// The judgements on pairs that hold `key`.
pub(crate) fn judgements_about(conn: &Connection, key: &str) -> Result<Judgements, StoreError> {
    judgements_where(
        conn,
        "SELECT key_a, key_b, verdict FROM judgements WHERE key_a = ?1 OR key_b = ?1",
        [key],
    )
}

fn judgements_where<P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    p: P,
) -> Result<Judgements, StoreError> {
    let mut j = Judgements::default();
    let mut st = conn.prepare_cached(sql)?;
    for r in st.query_map(p, |r| {
        Ok((
            r.get::<_, String>("key_a")?,
            r.get::<_, String>("key_b")?,
            r.get::<_, String>("verdict")?,
        ))
    })? {
        let (a, b, v) = r?;
        match v.as_str() {
            "same" => j.same.insert((a, b)),
            "different" => j.different.insert((a, b)),
            _ => false,
        };
    }
    Ok(j)
}

/// Records a verdict on two names (by key); returns the row id.
fn judge_tx(
    tx: &Transaction<'_>,
    a: &str,
    b: &str,
    verdict: Verdict,
    note: Option<&str>,
) -> Result<i64, StoreError> {
    let (ka, kb) = pair_key(&name_key(a), &name_key(b));
    if ka == kb {
        return Err(StoreError::Invalid(
            "the two names are the same once folded".into(),
        ));
    }
    tx.execute(
        &format!(
            "INSERT INTO judgements (key_a, key_b, verdict, decided_at, note) VALUES (?1, ?2, ?3, {NOW}, ?4)
             ON CONFLICT (key_a, key_b) DO UPDATE SET verdict = excluded.verdict,
                 decided_at = excluded.decided_at, note = excluded.note"
        ),
        params![ka, kb, verdict.as_str(), note],
    )?;
    Ok(tx.query_row(
        "SELECT id FROM judgements WHERE key_a = ?1 AND key_b = ?2",
        params![ka, kb],
        |r| r.get(0),
    )?)
}

/// A whole row as JSON, column by column, for the merge log.
fn row_json(
    tx: &Transaction<'_>,
    table: &str,
    id: i64,
) -> Result<Option<Map<String, serde_json::Value>>, StoreError> {
    // Table names come from this module's own constants, never from input.
    let sql = format!("SELECT * FROM {table} WHERE id = ?1");
    let mut st = tx.prepare(&sql)?;
    let names: Vec<String> = st.column_names().map(|s| s.to_string()).collect();
    st.query_row([id], |r| {
        let mut m = Map::new();
        for (i, n) in names.iter().enumerate() {
            let v: Value = r.get(i)?;
            m.insert(
                n.clone(),
                match v {
                    Value::Null => serde_json::Value::Null,
                    Value::Integer(x) => json!(x),
                    Value::Real(x) => json!(x),
                    Value::Text(s) => json!(s),
                    Value::Blob(_) => serde_json::Value::Null,
                },
            );
        }
        Ok(m)
    })
    .optional()
    .map_err(StoreError::from)
}

/// Re-inserts a row saved by [`row_json`].
fn restore_row(
    tx: &Transaction<'_>,
    table: &str,
    row: &Map<String, serde_json::Value>,
) -> Result<(), StoreError> {
    let cols: Vec<&String> = row.keys().collect();
    let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        cols.iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", "),
        placeholders.join(", ")
    );
    let values: Vec<Value> = cols
        .iter()
        .map(|c| match &row[*c] {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Number(n) if n.is_i64() => Value::Integer(n.as_i64().unwrap_or(0)),
            serde_json::Value::Number(n) => Value::Real(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::Text(s.clone()),
            other => Value::Text(other.to_string()),
        })
        .collect();
    tx.execute(&sql, rusqlite::params_from_iter(values))?;
    Ok(())
}

/// Puts back an organization's classification as a saved row had it (the
/// merge or split being undone classified it again).
fn restore_classification(
    tx: &Transaction<'_>,
    id: i64,
    row: &Map<String, serde_json::Value>,
) -> Result<(), StoreError> {
    let text = |k: &str| row.get(k).and_then(|v| v.as_str()).map(str::to_string);
    tx.execute(
        "UPDATE organizations SET country = ?2, country_reason = ?3, country_confidence = ?4,
             focus_country = ?5, org_type = ?6, org_type_reason = ?7, tags = ?8
         WHERE id = ?1",
        params![
            id,
            text("country"),
            text("country_reason"),
            row.get("country_confidence").and_then(|v| v.as_f64()),
            text("focus_country"),
            text("org_type"),
            text("org_type_reason"),
            text("tags")
        ],
    )?;
    Ok(())
}

/// The judgement on a pair of keys, as a row for the merge log.
fn judgement_row(
    tx: &Transaction<'_>,
    ka: &str,
    kb: &str,
) -> Result<Option<Map<String, serde_json::Value>>, StoreError> {
    let id: Option<i64> = tx
        .query_row(
            "SELECT id FROM judgements WHERE key_a = ?1 AND key_b = ?2",
            params![ka, kb],
            |r| r.get(0),
        )
        .optional()?;
    match id {
        Some(id) => row_json(tx, "judgements", id),
        None => Ok(None),
    }
}

/// Points the given aliases and signatures at organization `org`.
fn move_rows(
    tx: &Transaction<'_>,
    org: i64,
    aliases: &[i64],
    signatures: &[i64],
) -> Result<(), StoreError> {
    for a in aliases {
        tx.execute(
            "UPDATE aliases SET org_id = ?1 WHERE id = ?2",
            params![org, a],
        )?;
    }
    for s in signatures {
        tx.execute(
            "UPDATE signatures SET org_id = ?1 WHERE id = ?2",
            params![org, s],
        )?;
    }
    Ok(())
}

fn ids(tx: &Transaction<'_>, sql: &str, id: i64) -> Result<Vec<i64>, StoreError> {
    let mut st = tx.prepare(sql)?;
    let v = st
        .query_map([id], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(v)
}

fn org_name(tx: &Transaction<'_>, id: i64) -> Result<String, StoreError> {
    tx.query_row("SELECT name FROM organizations WHERE id = ?1", [id], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or(StoreError::NoOrg(id))
}

/// Deletes an organization no alias or signature names any more.
///
/// SQLite's own foreign-key check of such a delete looks for signatures
/// naming the organization through an index led by `org_id`; since schema
/// 6 the signatures' index by organization leads with the era, so that
/// check would read every signature at each delete (hours for a dedupe of
/// the full benchmark registry). The transactions that delete run with
/// SQLite's checks off ([`without_fk_checks`]) and this makes the same
/// check through the indexes, refusing the delete when a row still names
/// the organization.
fn delete_org(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    let named: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM aliases WHERE org_id = ?1)
             OR EXISTS (SELECT 1 FROM signatures
                        WHERE (id >> 18) IN signature_eras AND org_id = ?1)",
        [id],
        |r| r.get(0),
    )?;
    if named {
        return Err(StoreError::Invalid(format!(
            "organization {id} still has names or signatures; not deleted"
        )));
    }
    tx.execute("DELETE FROM organizations WHERE id = ?1", [id])?;
    Ok(())
}

/// Runs `f` with SQLite's foreign-key checks off, and on again after it
/// whatever it returned (the pragma has no effect inside a transaction:
/// `f` opens and ends its own). Only for work that deletes organizations
/// through [`delete_org`] and points rows only at organizations it has
/// read.
fn without_fk_checks<T>(
    conn: &mut Connection,
    f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.execute_batch("PRAGMA foreign_keys = OFF;")?;
    let out = f(conn);
    conn.execute_batch("PRAGMA foreign_keys = ON;")?;
    out
}

/// [`delete_org`] in a transaction of its own, for tests.
#[cfg(test)]
pub(super) fn delete_org_checked(conn: &mut Connection, id: i64) -> Result<(), StoreError> {
    without_fk_checks(conn, |conn| {
        let tx = conn.transaction()?;
        delete_org(&tx, id)?;
        tx.commit()?;
        Ok(())
    })
}

/// Merges organization `remove` into `keep` inside a transaction; logs it.
fn merge_tx(tx: &Transaction<'_>, keep: i64, remove: i64, why: &str) -> Result<i64, StoreError> {
    if keep == remove {
        return Err(StoreError::Invalid(
            "an organization cannot be merged with itself".into(),
        ));
    }
    let keep_name = org_name(tx, keep)?;
    let removed = row_json(tx, "organizations", remove)?.ok_or(StoreError::NoOrg(remove))?;
    let remove_name = removed
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let aliases = ids(
        tx,
        "SELECT id FROM aliases WHERE org_id = ?1 ORDER BY id",
        remove,
    )?;
    let sigs = ids(
        tx,
        "SELECT id FROM signatures WHERE (id >> 18) IN signature_eras AND org_id = ?1 ORDER BY id",
        remove,
    )?;
    // A "same" judgement keeps the pair together through later dedupes;
    // remember what it replaced so undo restores it.
    let (ka, kb) = pair_key(&name_key(&keep_name), &name_key(&remove_name));
    let previous = if ka != kb {
        let old_row = judgement_row(tx, &ka, &kb)?;
        let jid = judge_tx(tx, &keep_name, &remove_name, Verdict::Same, Some(why))?;
        Some((jid, old_row))
    } else {
        None
    };
    tx.execute(
        "UPDATE aliases SET org_id = ?1 WHERE org_id = ?2",
        params![keep, remove],
    )?;
    tx.execute(
        "UPDATE signatures SET org_id = ?1 WHERE (id >> 18) IN signature_eras AND org_id = ?2",
        params![keep, remove],
    )?;
    let kept_before = row_json(tx, "organizations", keep)?;
    delete_org(tx, remove)?;
    // The kept organization now has the other's notes and names too.
    super::reclassify(tx, keep)?;
    let detail = json!({
        "keep": keep,
        "removed": removed,
        "kept_before": kept_before,
        "aliases": aliases,
        "signatures": sigs,
        "judgement": previous.as_ref().map(|p| p.0),
        "judgement_before": previous.and_then(|p| p.1),
        "why": why,
    });
    tx.execute(
        &format!("INSERT INTO merge_log (op, at, detail) VALUES ('merge', {NOW}, ?1)"),
        [detail.to_string()],
    )?;
    Ok(tx.last_insert_rowid())
}

impl Store {
    /// Records a person's verdict on two names.
    pub fn judge(
        &mut self,
        a: &str,
        b: &str,
        verdict: Verdict,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        judge_tx(&tx, a, b, verdict, note)?;
        tx.commit()?;
        Ok(())
    }

    pub fn judgements(&self) -> Result<Judgements, StoreError> {
        load_judgements(&self.conn)
    }

    /// Merges organization `remove` into `keep`; returns the log entry.
    pub fn merge(&mut self, keep: i64, remove: i64) -> Result<i64, StoreError> {
        without_fk_checks(&mut self.conn, |conn| {
            let tx = conn.transaction()?;
            let id = merge_tx(&tx, keep, remove, "merged by a person")?;
            tx.commit()?;
            Ok(id)
        })
    }

    /// Takes the printed form `alias` out of organization `org` into a new
    /// organization, with the signatures printed that way; records that
    /// the two are different. Returns the new organization's id.
    pub fn split(&mut self, org: i64, alias: &str) -> Result<i64, StoreError> {
        let tx = self.conn.transaction()?;
        let key = name_key(alias);
        let all: Vec<(i64, String)> = {
            let mut st =
                tx.prepare("SELECT id, name FROM aliases WHERE org_id = ?1 ORDER BY id")?;
            let v = st
                .query_map([org], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            v
        };
        if all.is_empty() {
            return Err(StoreError::NoOrg(org));
        }
        let (moving, staying): (Vec<_>, Vec<_>) =
            all.into_iter().partition(|(_, n)| name_key(n) == key);
        if moving.is_empty() {
            return Err(StoreError::Invalid(format!(
                "organization {org} has no printed form \"{alias}\""
            )));
        }
        if staying.is_empty() {
            return Err(StoreError::Invalid(format!(
                "\"{alias}\" is the only printed form of organization {org}; nothing to split from"
            )));
        }
        let kind: String =
            tx.query_row("SELECT kind FROM organizations WHERE id = ?1", [org], |r| {
                r.get(0)
            })?;
        let from_before = row_json(&tx, "organizations", org)?;
        tx.execute(
            &format!("INSERT INTO organizations (name, kind, created_at) VALUES (?1, ?2, {NOW})"),
            params![moving[0].1, kind],
        )?;
        let new_id = tx.last_insert_rowid();
        let alias_ids: Vec<i64> = moving.iter().map(|(id, _)| *id).collect();
        for id in &alias_ids {
            tx.execute(
                "UPDATE aliases SET org_id = ?1 WHERE id = ?2",
                params![new_id, id],
            )?;
        }
        // Signatures printed in that form follow it.
        let sigs: Vec<(i64, String)> = {
            let mut st = tx.prepare(
                "SELECT id, name_as_printed FROM signatures
                 WHERE (id >> 18) IN signature_eras AND org_id = ?1",
            )?;
            let v = st
                .query_map([org], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            v
        };
        let mut moved_sigs = Vec::new();
        for (id, printed) in sigs {
            if name_key(&crate::parse::entry::parse_entry(&printed, None).name) == key {
                tx.execute(
                    "UPDATE signatures SET org_id = ?1 WHERE id = ?2",
                    params![new_id, id],
                )?;
                moved_sigs.push(id);
            }
        }
        // "different" between the split form and each remaining one,
        // keeping any verdict it replaces so undo can put it back.
        let mut judged = Vec::new();
        let mut staying_keys: Vec<String> = staying.iter().map(|(_, n)| name_key(n)).collect();
        staying_keys.sort();
        staying_keys.dedup();
        for k in staying_keys {
            if k != key {
                let (ka, kb) = pair_key(&k, &key);
                let before = judgement_row(&tx, &ka, &kb)?;
                let id = judge_tx(&tx, &k, &key, Verdict::Different, Some("split by a person"))?;
                judged.push(json!({"id": id, "before": before}));
            }
        }
        // Both now hold fewer or other notes and names: classify them again.
        super::reclassify(&tx, org)?;
        super::reclassify(&tx, new_id)?;
        let detail = json!({
            "from": org,
            "from_before": from_before,
            "new_org": new_id,
            "aliases": alias_ids,
            "signatures": moved_sigs,
            "judgements": judged,
        });
        tx.execute(
            &format!("INSERT INTO merge_log (op, at, detail) VALUES ('split', {NOW}, ?1)"),
            [detail.to_string()],
        )?;
        tx.commit()?;
        Ok(new_id)
    }

    /// Reverses the last merge or split not yet undone; returns what it did.
    pub fn undo(&mut self) -> Result<Option<String>, StoreError> {
        without_fk_checks(&mut self.conn, undo_in)
    }
}

/// [`Store::undo`] on a connection without SQLite's key checks.
fn undo_in(conn: &mut Connection) -> Result<Option<String>, StoreError> {
    let tx = conn.transaction()?;
    let last: Option<(i64, String, String)> = tx
        .query_row(
            "SELECT id, op, detail FROM merge_log WHERE undone = 0 ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((log_id, op, detail)) = last else {
        return Ok(None);
    };
    let d: serde_json::Value = serde_json::from_str(&detail)
        .map_err(|e| StoreError::Invalid(format!("merge log entry {log_id}: {e}")))?;
    let id_list = |k: &str| -> Vec<i64> {
        d[k].as_array()
            .map(|a| a.iter().filter_map(|v| v.as_i64()).collect())
            .unwrap_or_default()
    };
    let what = if op == "merge" {
        let removed = d["removed"].as_object().cloned().unwrap_or_default();
        let rid = removed.get("id").and_then(|v| v.as_i64()).unwrap_or(0);
        restore_row(&tx, "organizations", &removed)?;
        move_rows(&tx, rid, &id_list("aliases"), &id_list("signatures"))?;
        if let Some(j) = d["judgement"].as_i64() {
            tx.execute("DELETE FROM judgements WHERE id = ?1", [j])?;
            if let Some(before) = d["judgement_before"].as_object() {
                restore_row(&tx, "judgements", before)?;
            }
        }
        if let (Some(keep), Some(before)) = (d["keep"].as_i64(), d["kept_before"].as_object()) {
            restore_classification(&tx, keep, before)?;
        }
        format!("undid merge {log_id}: organization {rid} is separate again")
    } else {
        let from = d["from"].as_i64().unwrap_or(0);
        let new_org = d["new_org"].as_i64().unwrap_or(0);
        move_rows(&tx, from, &id_list("aliases"), &id_list("signatures"))?;
        for j in d["judgements"].as_array().cloned().unwrap_or_default() {
            if let Some(id) = j["id"].as_i64() {
                tx.execute("DELETE FROM judgements WHERE id = ?1", [id])?;
            }
            if let Some(before) = j["before"].as_object() {
                restore_row(&tx, "judgements", before)?;
            }
        }
        delete_org(&tx, new_org)?;
        if let Some(before) = d["from_before"].as_object() {
            restore_classification(&tx, from, before)?;
        }
        format!("undid split {log_id}: its printed form is back in organization {from}")
    };
    // The log entry goes too, so the database is exactly as before.
    tx.execute("DELETE FROM merge_log WHERE id = ?1", [log_id])?;
    // Deleting the last rows lets SQLite reuse their ids as before.
    tx.commit()?;
    Ok(Some(what))
}

impl Store {
    /// Adds a printed form to an organization (the user's alias table).
    pub fn add_alias(&mut self, org: i64, name: &str) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        org_name(&tx, org)?;
        // A form the organization already holds, printed exactly so, is
        // not added twice.
        tx.execute(
            "INSERT INTO aliases (org_id, name, key, letter_id, origin)
             SELECT ?1, ?2, ?3, NULL, 'user'
             WHERE NOT EXISTS (SELECT 1 FROM aliases WHERE org_id = ?1 AND name = ?2)",
            params![org, name, name_key(name)],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Scores every alias against its candidates under the current rules.
    fn scored_pairs(&self) -> Result<Scored, StoreError> {
        let aliases = alias_records(&self.conn)?;
        // Names are prepared on every CPU, then filed in order.
        let infos = crate::matching::fast::par_map(
            aliases.len(),
            |i| {
                let a = &aliases[i];
                NameInfo::new(&a.name, a.acronym.as_deref(), a.country.as_deref())
            },
            &|_| {},
        );
        let index = Index::build(infos);
        let owner: Vec<usize> = aliases.iter().map(|a| a.org_id as usize).collect();
        let stats = Stats::new(index.names(), &owner);
        Ok((aliases, load_judgements(&self.conn)?, index, stats))
    }

    /// Compares two printed names under the registry's statistics (word
    /// rarity, acronym owners), for `why NAME_A NAME_B`.
    pub fn explain_match(
        &self,
        a: &str,
        b: &str,
    ) -> Result<crate::matching::score::Score, StoreError> {
        let (_, _, _, stats) = self.scored_pairs()?;
        let (ia, ib) = (
            crate::matching::eval::name_info(a),
            crate::matching::eval::name_info(b),
        );
        Ok(compare(&ia, &ib, &stats))
    }

    /// Doubtful pairs of different organizations no one has judged, best first.
    pub fn review_pairs(&self) -> Result<Vec<ReviewPair>, StoreError> {
        let (aliases, j, index, stats) = self.scored_pairs()?;
        let infos = index.names();
        let mut best: BTreeMap<(i64, i64), ReviewPair> = BTreeMap::new();
        for (i, info) in infos.iter().enumerate() {
            if aliases[i].kind != Kind::Organization {
                continue;
            }
            for c in index.candidates(info) {
                let k = c as usize;
                let (oa, ob) = (aliases[i].org_id, aliases[k].org_id);
                if oa >= ob || aliases[k].kind != Kind::Organization {
                    continue;
                }
                if j.is_different(&info.key, &infos[k].key)
                    || j.is_same(&info.key, &infos[k].key)
                    || j_unsure(&self.conn, &info.key, &infos[k].key)?
                {
                    continue;
                }
                let s = compare(info, &infos[k], &stats);
                if s.band != Band::Review {
                    continue;
                }
                let pair = ReviewPair {
                    org_a: oa,
                    org_b: ob,
                    name_a: info.raw.clone(),
                    name_b: infos[k].raw.clone(),
                    score: s.value,
                    reasons: s.reasons.join("; "),
                };
                // The best-scoring pair of names speaks for the two organizations.
                if best.get(&(oa, ob)).is_none_or(|b| pair.score > b.score) {
                    best.insert((oa, ob), pair);
                }
            }
        }
        let mut out: Vec<ReviewPair> = best.into_values().collect();
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then((a.org_a, a.org_b).cmp(&(b.org_a, b.org_b)))
        });
        Ok(out)
    }

    /// Re-clusters the whole registry under the current rules and
    /// judgements, merging organizations the automatic band joins (each
    /// merge logged and undoable) and counting pairs left for review.
    pub fn dedupe(&mut self, dry_run: bool) -> Result<DedupeReport, StoreError> {
        self.dedupe_with_progress(dry_run, &crate::progress::Silent)
    }

    /// [`Store::dedupe`], telling `progress` as names are blocked and scored.
    pub fn dedupe_with_progress(
        &mut self,
        dry_run: bool,
        progress: &dyn crate::progress::Progress,
    ) -> Result<DedupeReport, StoreError> {
        // Dedupe reads the registry once, in one scan, and then holds
        // gigabytes of its own: a small page cache rather than the usual
        // 512 MB on top of that (every page read would take fresh memory
        // and keep it), and the usual size back however dedupe ends.
        self.conn.execute_batch("PRAGMA cache_size = -65536")?;
        let out = self.dedupe_in(dry_run, progress);
        let restored = self
            .conn
            .execute_batch(&format!("PRAGMA cache_size = {}", super::CACHE_KIB));
        let out = out?;
        restored?;
        Ok(out)
    }

    fn dedupe_in(
        &mut self,
        dry_run: bool,
        progress: &dyn crate::progress::Progress,
    ) -> Result<DedupeReport, StoreError> {
        let (aliases, j, index, stats) = self.scored_pairs()?;
        let infos = index.names();
        let orgs_only: Vec<usize> = (0..aliases.len())
            .filter(|&i| aliases[i].kind == Kind::Organization)
            .collect();
        let c = cluster_with_progress(infos, &index, &stats, &j, progress);
        let mut report = DedupeReport {
            names: infos.len(),
            ..Default::default()
        };
        report.review = c
            .review
            .iter()
            .filter(|(a, b, _)| aliases[*a].org_id != aliases[*b].org_id)
            .count();
        // Each cluster's organizations (two or more), in order of their
        // oldest. What can keep two organizations apart: a person's
        // "different" on two of their names, or two printed countries; it
        // is kept as owned text for those organizations only, since the
        // index and the clustering are let go before the merges' writes.
        let clusters = multi_org_clusters(&orgs_only, |i| aliases[i].org_id, |i| c.cluster_of[i]);
        let in_clusters: HashSet<i64> = clusters.iter().flatten().copied().collect();
        let mut facts: HashMap<i64, OrgFacts> = HashMap::new();
        for &i in &orgs_only {
            let org = aliases[i].org_id;
            if !in_clusters.contains(&org) {
                continue;
            }
            let f = facts.entry(org).or_default();
            f.keys.push(infos[i].key.clone());
            if let Some(c) = &infos[i].country {
                f.countries.insert(c.clone());
            }
        }
        // Why each pair of organizations merged: the first of their names'
        // merges, explained (merges between two forms of one organization
        // need no words).
        let mut why: HashMap<(i64, i64), (f64, String)> = HashMap::new();
        for &(a, b, v) in &c.merged {
            let (oa, ob) = (aliases[a].org_id, aliases[b].org_id);
            if oa == ob {
                continue;
            }
            if let std::collections::hash_map::Entry::Vacant(e) =
                why.entry((oa.min(ob), oa.max(ob)))
            {
                let s = compare(&infos[a], &infos[b], &stats);
                e.insert((v, s.reasons.join("; ")));
            }
        }
        // The clustering's millions of small allocations are let go on a
        // second thread (seconds of work at a million names) while this
        // one joins the groups and writes the merges.
        let freed = std::thread::spawn(move || drop((c, stats, index, aliases)));
        // Organizations that share a cluster join, and so, through an
        // organization whose names fell in several clusters (they are one
        // body's names already), do those clusters' organizations; each
        // join is refused when the two sides' facts forbid it, so an
        // organization kept out links nothing. Each group merges into its
        // oldest.
        let (groups, kept_apart) = join_groups(clusters, facts, &j);
        report.kept_apart = kept_apart;
        let written = without_fk_checks(&mut self.conn, |conn| {
            merge_groups(conn, &groups, &why, dry_run, &mut report)
        });
        freed
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        written?;
        Ok(report)
    }

    /// Every name of an organization (for review screens).
    pub fn org_names(&self, org: i64) -> Result<Vec<String>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT DISTINCT name FROM aliases WHERE org_id = ?1 ORDER BY name")?;
        let v = st
            .query_map([org], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(v)
    }

    /// Every table's rows, for tests that compare whole databases.
    pub fn dump(&self) -> Result<String, StoreError> {
        let mut out = String::new();
        // Full-text indexes keep their rows in shadow tables whose bytes
        // depend on the order of writes; the index's logical rows (read
        // through the virtual table itself) are what must match.
        let (tables, virtuals): (Vec<String>, Vec<String>) = {
            let mut st = self.conn.prepare(
                "SELECT name, coalesce(sql, '') LIKE 'CREATE VIRTUAL TABLE%' FROM sqlite_master
                 WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )?;
            let v = st
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            let virtuals: Vec<String> = v
                .iter()
                .filter(|(_, vt)| *vt)
                .map(|(n, _)| n.clone())
                .collect();
            (v.into_iter().map(|(n, _)| n).collect(), virtuals)
        };
        let tables: Vec<String> = tables
            .into_iter()
            .filter(|t| !virtuals.iter().any(|v| t.starts_with(&format!("{v}_"))))
            .collect();
        for t in tables {
            let sql = format!("SELECT * FROM \"{t}\" ORDER BY 1");
            let mut st = self.conn.prepare(&sql)?;
            let n = st.column_count();
            let rows = st.query_map([], |r| {
                let mut cells = Vec::new();
                for i in 0..n {
                    let v: Value = r.get(i)?;
                    cells.push(format!("{v:?}"));
                }
                Ok(cells.join("|"))
            })?;
            out.push_str(&format!("== {t}\n"));
            for r in rows {
                out.push_str(&r?);
                out.push('\n');
            }
        }
        Ok(out)
    }
}

/// What can keep an organization out of a group: its names' keys (for
/// "different" judgements) and the countries printed with them.
#[derive(Default)]
struct OrgFacts {
    keys: Vec<String>,
    countries: HashSet<String>,
}

impl OrgFacts {
    /// True when a judgement or two printed countries keep these apart.
    fn forbid(&self, other: &OrgFacts, j: &Judgements) -> bool {
        let judged = !j.different.is_empty()
            && self
                .keys
                .iter()
                .any(|a| other.keys.iter().any(|b| j.is_different(a, b)));
        let countries = !self.countries.is_empty()
            && !other.countries.is_empty()
            && self.countries.is_disjoint(&other.countries);
        judged || countries
    }
}

/// The organizations of items (`org(i)`) by cluster (`cluster(i)`): each
/// cluster that holds two or more, its organizations sorted, the clusters
/// in order of their oldest organization.
fn multi_org_clusters(
    items: &[usize],
    org: impl Fn(usize) -> i64,
    cluster: impl Fn(usize) -> usize,
) -> Vec<Vec<i64>> {
    let mut by_cluster: HashMap<usize, Vec<i64>> = HashMap::new();
    for &i in items {
        by_cluster.entry(cluster(i)).or_default().push(org(i));
    }
    let mut out: Vec<Vec<i64>> = by_cluster
        .into_values()
        .filter_map(|mut v| {
            v.sort_unstable();
            v.dedup();
            (v.len() > 1).then_some(v)
        })
        .collect();
    out.sort();
    out
}

/// Joins each cluster's organizations into groups, one organization at a
/// time into the group of the cluster's oldest, unless the two groups'
/// facts forbid it (a group's facts are its organizations' together).
/// Returns the groups of two or more, each sorted (its oldest first, the
/// one the others merge into), and how many joins were refused.
fn join_groups(
    clusters: Vec<Vec<i64>>,
    mut facts: HashMap<i64, OrgFacts>,
    j: &Judgements,
) -> (Vec<Vec<i64>>, usize) {
    fn find(parent: &mut HashMap<i64, i64>, x: i64) -> i64 {
        let mut r = x;
        while let Some(&p) = parent.get(&r) {
            if p == r {
                break;
            }
            r = p;
        }
        let mut x = x;
        while x != r {
            let next = parent[&x];
            parent.insert(x, r);
            x = next;
        }
        r
    }
    let mut parent: HashMap<i64, i64> = HashMap::new();
    let mut refused = 0;
    for orgs in &clusters {
        for &o in orgs {
            parent.entry(o).or_insert(o);
        }
        for &o in &orgs[1..] {
            let (a, b) = (find(&mut parent, orgs[0]), find(&mut parent, o));
            if a == b {
                continue;
            }
            let forbidden = match (facts.get(&a), facts.get(&b)) {
                (Some(x), Some(y)) => x.forbid(y, j),
                _ => false,
            };
            if forbidden {
                refused += 1;
                continue;
            }
            // The older root stays root and takes the other's facts.
            let (root, child) = (a.min(b), a.max(b));
            parent.insert(child, root);
            if let Some(moved) = facts.remove(&child) {
                let f = facts.entry(root).or_default();
                f.keys.extend(moved.keys);
                f.countries.extend(moved.countries);
            }
        }
    }
    let mut groups: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    let orgs: Vec<i64> = parent.keys().copied().collect();
    for o in orgs {
        let r = find(&mut parent, o);
        groups.entry(r).or_default().push(o);
    }
    let groups = groups
        .into_values()
        .filter(|g| g.len() > 1)
        .map(|mut g| {
            g.sort_unstable();
            g
        })
        .collect();
    (groups, refused)
}

/// Merges each group into its oldest organization in one transaction
/// (rolled back on a dry run), recording each merge in the report.
fn merge_groups(
    conn: &mut Connection,
    groups: &[Vec<i64>],
    why: &HashMap<(i64, i64), (f64, String)>,
    dry_run: bool,
    report: &mut DedupeReport,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    for orgs in groups {
        let keep = orgs[0];
        for &other in &orgs[1..] {
            let (score, reason) = why.get(&(keep, other)).cloned().unwrap_or((
                0.0,
                "joined through names of other organizations in its group".into(),
            ));
            if !dry_run {
                merge_tx(&tx, keep, other, &format!("dedupe: {reason}"))?;
            }
            report.merges.push((keep, other, score, reason));
        }
    }
    if dry_run {
        tx.rollback()?;
    } else {
        tx.commit()?;
    }
    Ok(())
}

fn j_unsure(conn: &Connection, a: &str, b: &str) -> Result<bool, StoreError> {
    let (ka, kb) = pair_key(a, b);
    let v: Option<String> = conn
        .query_row(
            "SELECT verdict FROM judgements WHERE key_a = ?1 AND key_b = ?2",
            params![ka, kb],
            |r| r.get(0),
        )
        .optional()?;
    Ok(v.as_deref() == Some("unsure"))
}

impl Store {
    /// Forgets a verdict on two names (the review screen's undo).
    pub fn unjudge(&mut self, a: &str, b: &str) -> Result<(), StoreError> {
        let (ka, kb) = pair_key(&name_key(a), &name_key(b));
        self.conn.execute(
            "DELETE FROM judgements WHERE key_a = ?1 AND key_b = ?2",
            params![ka, kb],
        )?;
        Ok(())
    }
}
