//! The blocking keys in the database (schema.sql: `name_blocks`,
//! `block_sizes`, `blocking_queue`): filing queued aliases under the keys
//! the matcher computes, and the registry the matcher reads them through.

use std::rc::Rc;

use rusqlite::types::Value;
use rusqlite::vtab::array::Array;
use rusqlite::{params, Connection};

use super::StoreError;
use crate::matching::blocks::{block_hash, blocks_of, ACRONYM, KEY, SHAPE, TRIGRAM};
use crate::matching::fast::FastMap;
use crate::matching::index::MAX_POSTING;
use crate::matching::keys::NameInfo;
use crate::matching::{Candidate, Form, LookupError, Owners, Posting, Registry};
use crate::parse::Kind;

fn kind_of(s: &str) -> Kind {
    if s == "individual" {
        Kind::Individual
    } else {
        Kind::Organization
    }
}

/// Appends alias ids as `name_blocks.aliases` holds them: each a LEB128
/// varint (seven bits a byte, the high bit set on all but the last).
/// Absolute rather than differences, so the store appends a new form's
/// ids to a key in SQL (`aliases || ?`) without reading the list first.
fn encode_ids(ids: &[i64], out: &mut Vec<u8>) {
    for &id in ids {
        let mut v = id as u64;
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
}

/// Alias ids as `name_blocks.aliases` holds them ([`encode_ids`]).
fn decode_ids(b: &[u8]) -> Vec<i64> {
    let mut out = Vec::with_capacity(b.len() / 3 + 1);
    let (mut v, mut shift) = (0u64, 0u32);
    for &byte in b {
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            out.push(v as i64);
            v = 0;
            shift = 0;
        } else {
            shift += 7;
        }
    }
    out
}

/// Aliases filed per pass when the queue is long (after an upgrade it
/// holds every alias of the registry): their keys are held in memory
/// until written.
const FILE_CHUNK: usize = 200_000;

/// Files every queued alias under its blocking keys; returns how many.
/// A key that grows past what the matcher reads keeps its count and drops
/// its ids.
pub(crate) fn file_queued(conn: &Connection) -> Result<usize, StoreError> {
    let queued: Vec<(i64, String, Option<String>)> = {
        let mut st = conn.prepare_cached(
            "SELECT q.alias_id, a.name, o.acronym FROM blocking_queue q
             JOIN aliases a ON a.id = q.alias_id JOIN organizations o ON o.id = a.org_id
             ORDER BY q.alias_id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((r.get("alias_id")?, r.get("name")?, r.get("acronym")?))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    for chunk in queued.chunks(FILE_CHUNK) {
        let forms: Vec<(i64, &str, Option<&str>)> = chunk
            .iter()
            .map(|(id, name, acr)| (*id, name.as_str(), acr.as_deref()))
            .collect();
        file(conn, &forms)?;
    }
    // Aliases whose organization is gone leave nothing to file either.
    conn.prepare_cached("DELETE FROM blocking_queue")?
        .execute([])?;
    Ok(queued.len())
}

/// Files printed forms (alias id, name, its organization's acronym) under
/// their blocking keys: the keys are worked out on every CPU, then each
/// key is written once, however many of the forms it holds ("t:rights", a
/// common trigram), in the order of the keys' stored numbers, so that
/// neighbouring writes land on the same pages. Taking the forms off the
/// queue is the caller's.
pub(crate) fn file(
    conn: &Connection,
    forms: &[(i64, &str, Option<&str>)],
) -> Result<(), StoreError> {
    let keys = crate::matching::fast::par_map(
        forms.len(),
        |i| blocks_of(&NameInfo::new(forms[i].1, forms[i].2, None)),
        &|_| {},
    );
    let mut by_key: FastMap<String, Vec<i64>> = FastMap::default();
    for ((alias_id, _, _), keys) in forms.iter().zip(keys) {
        for b in keys {
            by_key.entry(b).or_default().push(*alias_id);
        }
    }
    let mut blocks: Vec<(i64, bool, Vec<i64>)> = by_key
        .into_iter()
        .map(|(b, ids)| (block_hash(&b), counts_past_limit(&b), ids))
        .collect();
    blocks.sort_unstable_by_key(|b| b.0);
    let mut st = conn.prepare_cached(
        "INSERT INTO name_blocks (block, forms, aliases) VALUES (?1, ?2, CASE WHEN ?2 > ?4 THEN NULL ELSE ?3 END)
         ON CONFLICT (block) DO UPDATE SET forms = forms + ?2,
             aliases = CASE WHEN forms + ?2 > ?4 THEN NULL ELSE CAST(aliases || ?3 AS BLOB) END
         WHERE ?5 OR forms <= ?4",
    )?;
    let mut ids = Vec::new();
    for (b, counted, v) in &blocks {
        ids.clear();
        encode_ids(v, &mut ids);
        st.execute(params![b, v.len() as i64, ids, MAX_POSTING as i64, counted])?;
    }
    Ok(())
}

/// Whether a key's count is still kept once it is past [`MAX_POSTING`]:
/// for words (how rare a word is weighs in the search) and acronyms (how
/// many organizations answer to one), not for trigrams and name shapes,
/// which a search only asks whether they are past it. A trigram common
/// enough to be past it is met by most new names, so not writing its count
/// again spares the page it lies on at every import.
fn counts_past_limit(block: &str) -> bool {
    !(block.starts_with(TRIGRAM) || block.starts_with(SHAPE))
}

/// A stored key found: its place in the keys asked for, its count of
/// forms and its packed ids.
type StoredBlock = (usize, i64, Option<Vec<u8>>);

/// A list of values bound as one parameter, read in SQL as
/// `rarray(?N)` (rusqlite's array table): one statement looks up a whole
/// batch of keys or ids.
fn array<T: Into<Value> + Clone>(v: &[T]) -> Array {
    Rc::new(v.iter().cloned().map(Into::into).collect())
}

/// The stored keys among `blocks`, with their count and ids, read in one
/// statement.
fn stored_blocks(conn: &Connection, blocks: &[&String]) -> Result<Vec<StoredBlock>, StoreError> {
    let mut place: FastMap<i64, Vec<usize>> = FastMap::default();
    for (i, b) in blocks.iter().enumerate() {
        place.entry(block_hash(b)).or_default().push(i);
    }
    let hashes: Vec<i64> = place.keys().copied().collect();
    let mut st = conn.prepare_cached(
        "SELECT block, forms, aliases FROM name_blocks WHERE block IN rarray(?1)",
    )?;
    let mut out = Vec::new();
    let mut rows = st.query([array(&hashes)])?;
    while let Some(r) = rows.next()? {
        let (h, forms, ids): (i64, i64, Option<Vec<u8>>) = (r.get(0)?, r.get(1)?, r.get(2)?);
        for &i in &place[&h] {
            out.push((i, forms, ids.clone()));
        }
    }
    Ok(out)
}

/// The registry seen from inside an import's transaction (or, for
/// resolving a typed name, from the connection).
pub(crate) struct TxRegistry<'a> {
    pub tx: &'a Connection,
}

fn form(r: &rusqlite::Row<'_>) -> rusqlite::Result<Form> {
    Ok(Form {
        alias_id: r.get("id")?,
        org_id: r.get("org_id")?,
        name: r.get("name")?,
        key: r.get("key")?,
        kind: kind_of(&r.get::<_, String>("kind")?),
        acronym: r.get("acronym")?,
        country: r.get("country")?,
    })
}

impl Registry for TxRegistry<'_> {
    fn by_key(&self, key: &str) -> Result<Vec<Candidate>, LookupError> {
        let mut st = self.tx.prepare_cached(
            "SELECT DISTINCT o.id, o.name, o.kind FROM aliases a
             JOIN organizations o ON o.id = a.org_id WHERE a.key = ?1",
        )?;
        let rows = st.query_map([key], |r| {
            Ok(Candidate {
                org_id: r.get("id")?,
                name: r.get("name")?,
                kind: kind_of(&r.get::<_, String>("kind")?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn forms_by_keys(&self, keys: &[String]) -> Result<Vec<Form>, LookupError> {
        // Ordered here rather than by SQLite: the index gives the rows by
        // key, and a sort in SQL would cost a temporary b-tree per name.
        let mut rows = if let [key] = keys {
            let mut st = self.tx.prepare_cached(
                "SELECT a.id, a.org_id, a.name, a.key, o.kind, o.acronym, o.country
                 FROM aliases a JOIN organizations o ON o.id = a.org_id WHERE a.key = ?1",
            )?;
            let v = st.query_map([key], form)?.collect::<Result<Vec<_>, _>>()?;
            v
        } else {
            let mut st = self.tx.prepare_cached(
                "SELECT a.id, a.org_id, a.name, a.key, o.kind, o.acronym, o.country
                 FROM aliases a JOIN organizations o ON o.id = a.org_id
                 WHERE a.key IN rarray(?1)",
            )?;
            let v = st
                .query_map([array(keys)], form)?
                .collect::<Result<Vec<_>, _>>()?;
            v
        };
        rows.sort_by_key(|f| (f.org_id, f.alias_id));
        Ok(rows)
    }

    fn forms(&self, alias_ids: &[i64]) -> Result<Vec<Form>, LookupError> {
        let mut st = self.tx.prepare_cached(
            "SELECT a.id, a.org_id, a.name, a.key, o.kind, o.acronym, o.country
             FROM aliases a JOIN organizations o ON o.id = a.org_id
             WHERE a.id IN rarray(?1)",
        )?;
        let rows = st
            .query_map([array(alias_ids)], form)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn postings(&self, hashes: &[i64], ids: bool) -> Result<FastMap<i64, Posting>, LookupError> {
        let mut st = self.tx.prepare_cached(if ids {
            "SELECT block, forms, aliases FROM name_blocks WHERE block IN rarray(?1)"
        } else {
            "SELECT block, forms, NULL FROM name_blocks WHERE block IN rarray(?1)"
        })?;
        let mut out = FastMap::default();
        let mut rows = st.query([array(hashes)])?;
        while let Some(r) = rows.next()? {
            let ids: Option<&[u8]> = r.get_ref(2)?.as_blob_or_null()?;
            out.insert(
                r.get::<_, i64>(0)?,
                Posting {
                    forms: r.get::<_, i64>(1)? as usize,
                    ids: ids.map(decode_ids),
                },
            );
        }
        Ok(out)
    }

    fn form_count(&self) -> Result<usize, LookupError> {
        let n: i64 = self
            .tx
            // The highest id, not a count: one step down the b-tree
            // instead of a walk over millions of rows. Forms are rarely
            // deleted, and the figure only scales how rare a word is.
            .prepare_cached("SELECT coalesce(max(id), 0) FROM aliases")?
            .query_row([], |r| r.get(0))?;
        Ok(n as usize)
    }

    fn block_sizes(&self, blocks: &[String]) -> Result<FastMap<String, usize>, LookupError> {
        let all: Vec<&String> = blocks.iter().collect();
        let mut out = FastMap::default();
        for (i, n, _) in stored_blocks(self.tx, &all)? {
            out.insert(blocks[i].clone(), n as usize);
        }
        Ok(out)
    }

    fn blocks(&self, blocks: &[String]) -> Result<FastMap<String, Posting>, LookupError> {
        let mut out: FastMap<String, Posting> = FastMap::default();
        let (keys, stored): (Vec<&String>, Vec<&String>) =
            blocks.iter().partition(|b| b.starts_with(KEY));
        for (i, forms, ids) in stored_blocks(self.tx, &stored)? {
            let posting = Posting {
                forms: forms as usize,
                ids: ids.as_deref().map(decode_ids),
            };
            out.insert(stored[i].clone(), posting);
        }
        if !keys.is_empty() {
            let bare: Vec<String> = keys.iter().map(|k| k[2..].to_string()).collect();
            let mut st = self.tx.prepare_cached(
                "SELECT key, id FROM aliases WHERE key IN rarray(?1) ORDER BY key, id",
            )?;
            for r in st.query_map([array(&bare)], |r| {
                Ok((r.get::<_, String>("key")?, r.get::<_, i64>("id")?))
            })? {
                let (k, id) = r?;
                let p = out.entry(format!("{KEY}:{k}")).or_default();
                p.forms += 1;
                p.ids.get_or_insert_with(Vec::new).push(id);
            }
        }
        Ok(out)
    }

    fn acronym_owners(&self, acronyms: &[String]) -> Result<FastMap<String, Owners>, LookupError> {
        let wanted: Vec<String> = acronyms.iter().map(|a| format!("{ACRONYM}:{a}")).collect();
        let found = self.blocks(&wanted)?;
        let mut orgs = self.tx.prepare_cached(
            "SELECT DISTINCT org_id FROM aliases WHERE id IN rarray(?1) ORDER BY org_id",
        )?;
        let mut out = FastMap::default();
        for (acr, b) in acronyms.iter().zip(&wanted) {
            let Some(p) = found.get(b) else { continue };
            let owners = match &p.ids {
                Some(ids) => {
                    let v = orgs
                        .query_map([array(ids)], |r| r.get::<_, i64>("org_id"))?
                        .collect::<Result<Vec<_>, _>>()?;
                    Owners {
                        count: v.len(),
                        orgs: v,
                    }
                }
                None => Owners {
                    count: p.forms,
                    orgs: Vec::new(),
                },
            };
            out.insert(acr.clone(), owners);
        }
        Ok(out)
    }

    fn org_keys(&self, org_id: i64) -> Result<Vec<String>, LookupError> {
        let mut st = self
            .tx
            .prepare_cached("SELECT key FROM aliases WHERE org_id = ?1 ORDER BY id")?;
        let v = st
            .query_map([org_id], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(v)
    }

    fn judgements(&self) -> Result<crate::matching::cluster::Judgements, LookupError> {
        Ok(super::judge::load_judgements(self.tx)?)
    }

    fn judgements_about(
        &self,
        key: &str,
    ) -> Result<crate::matching::cluster::Judgements, LookupError> {
        Ok(super::judge::judgements_about(self.tx, key)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key of "Zqxv Alpha": its word "zqxv" and its trigram "zqx"
    /// among them.
    fn keys() -> (String, String) {
        let b = blocks_of(&NameInfo::new("Zqxv Alpha", None, None));
        let word = b.iter().find(|k| *k == "t:zqxv").unwrap().clone();
        let gram = b.iter().find(|k| *k == "g:zqx").unwrap().clone();
        (word, gram)
    }

    fn forms(conn: &Connection, block: &str) -> (i64, Option<Vec<i64>>) {
        conn.query_row(
            "SELECT forms, aliases FROM name_blocks WHERE block = ?1",
            [block_hash(block)],
            |r| Ok((r.get(0)?, r.get::<_, Option<Vec<u8>>>(1)?)),
        )
        .map(|(n, ids)| (n, ids.as_deref().map(decode_ids)))
        .unwrap()
    }

    /// Past the limit a key drops its ids; a word keeps counting (its
    /// rarity weighs in the search), a trigram stops where it passed, and
    /// below the limit both list every form in filing order.
    #[test]
    fn words_count_past_the_limit_and_trigrams_stop() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let conn = &store.conn;
        let (word, gram) = keys();
        let name = "Zqxv Alpha";
        file(conn, &[(1, name, None), (2, name, None)]).unwrap();
        assert_eq!(forms(conn, &word), (2, Some(vec![1, 2])));
        assert_eq!(forms(conn, &gram), (2, Some(vec![1, 2])));
        let many: Vec<(i64, &str, Option<&str>)> = (3..=(MAX_POSTING as i64 + 1))
            .map(|id| (id, name, None))
            .collect();
        file(conn, &many).unwrap();
        let past = MAX_POSTING as i64 + 1;
        assert_eq!(forms(conn, &word), (past, None));
        assert_eq!(forms(conn, &gram), (past, None));
        // One more import, one more form of each.
        file(conn, &[(past + 1, name, None)]).unwrap();
        assert_eq!(forms(conn, &word), (past + 1, None));
        assert_eq!(forms(conn, &gram), (past, None));
    }

    /// Ids of every size, listed and appended, read back as filed.
    #[test]
    fn packed_ids_read_back() {
        let ids = [1, 127, 128, 300, 16_383, 16_384, 2_000_000, 1 << 40];
        let mut b = Vec::new();
        encode_ids(&ids[..3], &mut b);
        encode_ids(&ids[3..], &mut b);
        assert_eq!(decode_ids(&b), ids);
        assert!(!b.contains(&0), "no id is written with a zero byte");
    }

    /// The stored numbers of keys are fixed: a registry written by one
    /// build is read by the next.
    #[test]
    fn block_hashes_are_fixed() {
        assert_eq!(block_hash("t:karenni"), block_hash("t:karenni"));
        assert_ne!(block_hash("t:karenni"), block_hash("t:karen"));
        assert_eq!(block_hash(""), -1_166_397_803_181_037_274);
    }
}
