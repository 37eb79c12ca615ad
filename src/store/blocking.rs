//! The blocking keys in the database (schema.sql: `name_blocks`,
//! `block_sizes`, `blocking_queue`): filing queued aliases under the keys
//! the matcher computes, and the registry the matcher reads them through.

use rusqlite::{params, Connection, OptionalExtension};

use super::StoreError;
use crate::matching::blocks::{blocks_of, ACRONYM, KEY, SHAPE, TRIGRAM};
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

/// The number a blocking key is stored under (`name_blocks.block`):
/// 64-bit FNV-1a over the key's bytes, then a finishing mix (the one
/// MurmurHash3 ends with) so that keys a letter apart differ in every
/// bit. Written out here rather than taken from the standard library,
/// whose hashes may change between releases: these numbers are stored.
pub fn block_hash(key: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h as i64
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

/// Files every queued alias under its blocking keys; returns how many.
/// A key that grows past what the matcher reads keeps its count and drops
/// its ids. The keys are worked out on every CPU and each is written once,
/// in order (after an upgrade the queue holds every alias of the registry).
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
    let mut pending = Pending::default();
    let keys = crate::matching::fast::par_map(
        queued.len(),
        |i| blocks_of(&NameInfo::new(&queued[i].1, queued[i].2.as_deref(), None)),
        &|_| {},
    );
    for ((alias_id, _, _), keys) in queued.iter().zip(keys) {
        pending.add_keys(*alias_id, keys);
    }
    pending.flush(conn)?;
    // Aliases whose organization is gone leave nothing to file either.
    conn.prepare_cached("DELETE FROM blocking_queue")?
        .execute([])?;
    Ok(queued.len())
}

/// Forms an import has added but not yet filed: their blocking keys,
/// kept in memory and written once per key when the import ends. A key
/// that many new forms share ("t:rights", a common trigram) is then one
/// write instead of one per form. Until then the registry's searches see
/// them through [`TxRegistry::pending`].
#[derive(Default)]
pub(crate) struct Pending {
    blocks: FastMap<String, Vec<i64>>,
    filed: Vec<i64>,
}

impl Pending {
    /// Notes `alias_id`, printed `name` with `acronym`, under its keys.
    pub fn add(&mut self, alias_id: i64, name: &str, acronym: Option<&str>) {
        let info = NameInfo::new(name, acronym, None);
        self.add_keys(alias_id, blocks_of(&info));
    }

    /// Notes `alias_id` under `keys`, worked out by the caller.
    fn add_keys(&mut self, alias_id: i64, keys: Vec<String>) {
        for b in keys {
            self.blocks.entry(b).or_default().push(alias_id);
        }
        self.filed.push(alias_id);
    }

    /// Writes every noted form under its keys (in the order of their
    /// stored numbers, so neighbouring writes land on the same pages, one
    /// statement each) and takes them off the queue.
    pub fn flush(&mut self, conn: &Connection) -> Result<(), StoreError> {
        let mut blocks: Vec<(i64, bool, Vec<i64>)> = std::mem::take(&mut self.blocks)
            .into_iter()
            .map(|(b, ids)| (block_hash(&b), counts_past_limit(&b), ids))
            .collect();
        blocks.sort_unstable_by_key(|b| b.0);
        let mut file = conn.prepare_cached(
            "INSERT INTO name_blocks (block, forms, aliases) VALUES (?1, ?2, CASE WHEN ?2 > ?4 THEN NULL ELSE ?3 END)
             ON CONFLICT (block) DO UPDATE SET forms = forms + ?2,
                 aliases = CASE WHEN forms + ?2 > ?4 THEN NULL ELSE CAST(aliases || ?3 AS BLOB) END
             WHERE ?5 OR forms <= ?4",
        )?;
        let mut ids = Vec::new();
        for (b, counted, v) in &blocks {
            ids.clear();
            encode_ids(v, &mut ids);
            file.execute(params![b, v.len() as i64, ids, MAX_POSTING as i64, counted])?;
        }
        let mut unqueue = conn.prepare_cached("DELETE FROM blocking_queue WHERE alias_id = ?1")?;
        for id in std::mem::take(&mut self.filed) {
            unqueue.execute([id])?;
        }
        Ok(())
    }
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

/// The stored keys among `blocks`, by hash, with their count and ids.
fn stored_blocks(conn: &Connection, blocks: &[&String]) -> Result<Vec<StoredBlock>, StoreError> {
    let mut hashes: Vec<(i64, usize)> = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| (block_hash(b), i))
        .collect();
    hashes.sort_unstable();
    let mut st = conn.prepare_cached("SELECT forms, aliases FROM name_blocks WHERE block = ?1")?;
    let mut out = Vec::new();
    for (h, i) in hashes {
        let row = st
            .query_row([h], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<Vec<u8>>>(1)?))
            })
            .optional()?;
        if let Some((forms, ids)) = row {
            out.push((i, forms, ids));
        }
    }
    Ok(out)
}

/// The registry seen from inside an import's transaction (or, for
/// resolving a typed name, from the connection).
pub(crate) struct TxRegistry<'a> {
    pub tx: &'a Connection,
    /// Forms the running import added and has not filed yet.
    pub pending: Option<&'a Pending>,
}

fn json_list<T: serde::Serialize>(v: &[T]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
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
                 WHERE a.key IN (SELECT value FROM json_each(?1))",
            )?;
            let v = st
                .query_map([json_list(keys)], form)?
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
             WHERE a.id IN (SELECT value FROM json_each(?1))",
        )?;
        let rows = st
            .query_map([json_list(alias_ids)], form)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
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
        if let Some(p) = self.pending {
            for b in blocks {
                if let Some(v) = p.blocks.get(b) {
                    *out.entry(b.clone()).or_default() += v.len();
                }
            }
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
            let bare: Vec<&str> = keys.iter().map(|k| &k[2..]).collect();
            let mut st = self.tx.prepare_cached(
                "SELECT key, id FROM aliases WHERE key IN (SELECT value FROM json_each(?1))
                 ORDER BY key, id",
            )?;
            for r in st.query_map([json_list(&bare)], |r| {
                Ok((r.get::<_, String>("key")?, r.get::<_, i64>("id")?))
            })? {
                let (k, id) = r?;
                let p = out.entry(format!("{KEY}:{k}")).or_default();
                p.forms += 1;
                p.ids.get_or_insert_with(Vec::new).push(id);
            }
        }
        if let Some(pending) = self.pending {
            for b in &stored {
                let Some(v) = pending.blocks.get(*b) else {
                    continue;
                };
                let p = out.entry((*b).clone()).or_default();
                p.forms += v.len();
                if p.forms > MAX_POSTING {
                    p.ids = None;
                } else if p.forms == v.len() {
                    p.ids = Some(v.clone());
                } else if let Some(ids) = &mut p.ids {
                    ids.extend_from_slice(v);
                }
            }
        }
        Ok(out)
    }

    fn acronym_owners(&self, acronyms: &[String]) -> Result<FastMap<String, Owners>, LookupError> {
        let wanted: Vec<String> = acronyms.iter().map(|a| format!("{ACRONYM}:{a}")).collect();
        let found = self.blocks(&wanted)?;
        let mut orgs = self.tx.prepare_cached(
            "SELECT DISTINCT org_id FROM aliases WHERE id IN (SELECT value FROM json_each(?1))
             ORDER BY org_id",
        )?;
        let mut out = FastMap::default();
        for (acr, b) in acronyms.iter().zip(&wanted) {
            let Some(p) = found.get(b) else { continue };
            let owners = match &p.ids {
                Some(ids) => {
                    let v = orgs
                        .query_map([json_list(ids)], |r| r.get::<_, i64>("org_id"))?
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
        let mut p = Pending::default();
        p.add(1, "Zqxv Alpha", None);
        p.add(2, "Zqxv Alpha", None);
        p.flush(conn).unwrap();
        assert_eq!(forms(conn, &word), (2, Some(vec![1, 2])));
        assert_eq!(forms(conn, &gram), (2, Some(vec![1, 2])));
        for id in 3..=(MAX_POSTING as i64 + 1) {
            p.add(id, "Zqxv Alpha", None);
        }
        p.flush(conn).unwrap();
        let past = MAX_POSTING as i64 + 1;
        assert_eq!(forms(conn, &word), (past, None));
        assert_eq!(forms(conn, &gram), (past, None));
        // One more import, one more form of each.
        p.add(past + 1, "Zqxv Alpha", None);
        p.flush(conn).unwrap();
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
