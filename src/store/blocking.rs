//! The blocking keys in the database (schema.sql: `name_blocks`,
//! `block_sizes`, `blocking_queue`): filing queued aliases under the keys
//! the matcher computes, and the registry the matcher reads them through.

use rusqlite::{params, Connection};

use super::StoreError;
use crate::matching::blocks::{blocks_of, ACRONYM, KEY};
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
    let mut file = conn.prepare_cached(
        "INSERT INTO name_blocks (block, forms, aliases) VALUES (?1, 1, ?2)
         ON CONFLICT (block) DO UPDATE SET forms = forms + 1,
             aliases = CASE WHEN forms >= ?3 THEN NULL ELSE aliases || ',' || ?2 END",
    )?;
    for (alias_id, name, acronym) in &queued {
        let info = NameInfo::new(name, acronym.as_deref(), None);
        let id = alias_id.to_string();
        for b in blocks_of(&info) {
            file.execute(params![b, id, MAX_POSTING as i64])?;
        }
    }
    // Aliases whose organization is gone leave nothing to file either.
    conn.prepare_cached("DELETE FROM blocking_queue")?
        .execute([])?;
    Ok(queued.len())
}

/// Alias ids as `name_blocks.aliases` holds them.
fn parse_ids(s: &str) -> Vec<i64> {
    s.split(',').filter_map(|x| x.parse().ok()).collect()
}

/// The registry seen from inside an import's transaction (or, for
/// resolving a typed name, from the connection).
pub(crate) struct TxRegistry<'a> {
    pub tx: &'a Connection,
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
            .prepare_cached("SELECT count(*) FROM aliases")?
            .query_row([], |r| r.get(0))?;
        Ok(n as usize)
    }

    fn block_sizes(&self, blocks: &[String]) -> Result<FastMap<String, usize>, LookupError> {
        let mut st = self.tx.prepare_cached(
            "SELECT block, forms FROM name_blocks WHERE block IN (SELECT value FROM json_each(?1))",
        )?;
        let mut out = FastMap::default();
        for r in st.query_map([json_list(blocks)], |r| {
            Ok((r.get::<_, String>("block")?, r.get::<_, i64>("forms")?))
        })? {
            let (b, n) = r?;
            out.insert(b, n as usize);
        }
        Ok(out)
    }

    fn blocks(&self, blocks: &[String]) -> Result<FastMap<String, Posting>, LookupError> {
        let mut out: FastMap<String, Posting> = FastMap::default();
        let (keys, stored): (Vec<&String>, Vec<&String>) =
            blocks.iter().partition(|b| b.starts_with(KEY));
        if !stored.is_empty() {
            let mut st = self.tx.prepare_cached(
                "SELECT block, forms, aliases FROM name_blocks
                 WHERE block IN (SELECT value FROM json_each(?1))",
            )?;
            for r in st.query_map([json_list(&stored)], |r| {
                Ok((
                    r.get::<_, String>("block")?,
                    r.get::<_, i64>("forms")?,
                    r.get::<_, Option<String>>("aliases")?,
                ))
            })? {
                let (b, forms, ids) = r?;
                let posting = Posting {
                    forms: forms as usize,
                    ids: ids.as_deref().map(parse_ids),
                };
                out.insert(b, posting);
            }
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
}
