//! Finding organizations by name: full-text search over every printed form
//! (the FTS5 index `name_search`, see schema.sql), and resolving a name a
//! user typed to one organization through the matcher.

use std::collections::HashSet;

use super::blocking::{file_queued, TxRegistry};
use super::{Store, StoreError};
use crate::matching::{Decision, Matcher};
use crate::normalize::name_key;
use crate::parse::entry::parse_entry;
use crate::parse::{Kind, Signatory};
use crate::store::OrgRow;

/// The trigram index finds only words of at least this many characters;
/// shorter ones are checked on the rows it returns.
const TRIGRAM: usize = 3;

/// Which organization a name typed by a user stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    /// The matcher linked the name to this organization (its id and
    /// name), for this reason. Its row is left for the caller to read:
    /// counting its letters reads all its signatures.
    Matched {
        org_id: i64,
        name: String,
        reason: String,
    },
    /// The matcher found none; a search found exactly this one.
    Searched { org: OrgRow },
    /// The matcher found none; a search found several (most active first).
    Several(Vec<OrgRow>),
    /// Neither found any.
    NotFound,
}

impl Store {
    /// Ids of the organizations with a printed name holding every word of
    /// `text` (anywhere in it, folded as the matcher folds names), or whose
    /// acronym is `text`. `None` when `text` has no letters or digits to
    /// look for.
    pub fn search_org_ids(&self, text: &str) -> Result<Option<HashSet<i64>>, StoreError> {
        let needle = name_key(text);
        let words: Vec<&str> = needle.split(' ').filter(|w| !w.is_empty()).collect();
        if words.is_empty() {
            return Ok(None);
        }
        // Every word long enough for the index, as an FTS5 string (quoted,
        // so nothing in it is read as query syntax).
        let query: Vec<String> = words
            .iter()
            .filter(|w| w.chars().count() >= TRIGRAM)
            .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
            .collect();
        let mut found = HashSet::new();
        let mut keep = |org_id: i64, key: String| {
            if words.iter().all(|w| key.contains(w)) {
                found.insert(org_id);
            }
        };
        if query.is_empty() {
            // Only short words ("UK"): the index cannot help; read the forms.
            let mut st = self
                .conn
                .prepare_cached("SELECT org_id, key FROM aliases")?;
            for r in st.query_map([], |r| Ok((r.get("org_id")?, r.get("key")?)))? {
                let (id, key) = r?;
                keep(id, key);
            }
        } else {
            let mut st = self
                .conn
                .prepare_cached("SELECT org_id, key FROM name_search WHERE name_search MATCH ?1")?;
            for r in st.query_map([query.join(" AND ")], |r| {
                Ok((r.get("org_id")?, r.get("key")?))
            })? {
                let (id, key) = r?;
                keep(id, key);
            }
        }
        let mut st = self
            .conn
            .prepare_cached("SELECT id, acronym FROM organizations WHERE acronym IS NOT NULL")?;
        for r in st.query_map([], |r| {
            Ok((r.get::<_, i64>("id")?, r.get::<_, String>("acronym")?))
        })? {
            let (id, acronym) = r?;
            if name_key(&acronym) == needle {
                found.insert(id);
            }
        }
        Ok(Some(found))
    }

    /// The organization a typed name stands for: read like a list entry
    /// ("Clean Water Alliance (Myanmar)" is the alliance, "Dr. Jane Roe" a
    /// person), asked of `matcher` as an import would ask it (as a person
    /// too when it reads as an organization, and the other way round), and
    /// failing that searched for.
    pub fn resolve_org(&self, name: &str, matcher: &dyn Matcher) -> Result<Resolution, StoreError> {
        let e = parse_entry(name, None);
        let first = if e.individual {
            Kind::Individual
        } else {
            Kind::Organization
        };
        let second = match first {
            Kind::Individual => Kind::Organization,
            Kind::Organization => Kind::Individual,
        };
        // Aliases added since the last import (or queued by an upgrade)
        // are filed first, so the matcher sees every form.
        let has_queue: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM blocking_queue) AS q",
            [],
            |r| r.get("q"),
        )?;
        if has_queue {
            let tx = self.conn.unchecked_transaction()?;
            file_queued(&tx)?;
            tx.commit()?;
        }
        let registry = TxRegistry { tx: &self.conn };
        for kind in [first, second] {
            let sig = Signatory {
                position: 1,
                name: e.name.clone(),
                printed: name.to_string(),
                acronym: e.acronym.clone(),
                note: e.note.clone(),
                country: e.country.clone(),
                affiliation: e.affiliation.clone(),
                kind,
                section: None,
                line: 1,
                raw: name.to_string(),
            };
            let decision = matcher
                .decide(&sig, &registry)
                .map_err(StoreError::Matching)?;
            if let Decision::Known { org_id, reason, .. } = decision {
                if let Some(name) = self.org_name(org_id)? {
                    return Ok(Resolution::Matched {
                        org_id,
                        name,
                        reason,
                    });
                }
            }
        }
        let mut found = self.orgs(Some(name))?;
        Ok(match found.len() {
            0 => Resolution::NotFound,
            1 => Resolution::Searched {
                org: found.remove(0),
            },
            _ => Resolution::Several(found),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::ExactKey;

    /// A registry with a few organizations and printed forms, written
    /// directly (the import path is tested elsewhere).
    fn store() -> Store {
        let s = Store::open_in_memory().unwrap();
        s.conn
            .execute_batch(
                "INSERT INTO organizations (id, name, acronym, kind, created_at) VALUES
                   (1, 'Clean Water Alliance', 'CWA', 'organization', 'x'),
                   (2, 'Women''s League of Burma', NULL, 'organization', 'x'),
                   (3, 'Mya Thandar', NULL, 'individual', 'x'),
                   (4, 'UK Rivers Trust', NULL, 'organization', 'x'),
                   (5, 'مركز القاهرة لدراسات حقوق الإنسان', NULL, 'organization', 'x');",
            )
            .unwrap();
        for (org, name) in [
            (1, "Clean Water Alliance"),
            (1, "Clean-Water Alliance of the Delta"),
            (2, "Women's League of Burma"),
            (3, "Mya Thandar"),
            (4, "UK Rivers Trust"),
            (5, "مركز القاهرة لدراسات حقوق الإنسان"),
        ] {
            s.conn
                .execute(
                    "INSERT INTO aliases (org_id, name, key, origin) VALUES (?1, ?2, ?3, 'user')",
                    rusqlite::params![org, name, name_key(name)],
                )
                .unwrap();
        }
        s
    }

    fn ids(s: &Store, q: &str) -> Vec<i64> {
        let mut v: Vec<i64> = s
            .search_org_ids(q)
            .unwrap()
            .unwrap_or_default()
            .into_iter()
            .collect();
        v.sort();
        v
    }

    #[test]
    fn search_finds_every_word_in_any_printed_form() {
        let s = store();
        assert_eq!(ids(&s, "water"), vec![1]);
        // Words in any order, parts of words, in a second printed form.
        assert_eq!(ids(&s, "delta clean"), vec![1]);
        assert_eq!(ids(&s, "wat all"), vec![1]);
        // Folded as the matcher folds: quotes, case.
        assert_eq!(ids(&s, "WOMEN’S league"), vec![2]);
        // Arabic letter forms: the name writes this word with a hamza.
        assert_eq!(ids(&s, "الانسان"), vec![5]);
        // Words shorter than a trigram are still looked for.
        assert_eq!(ids(&s, "uk"), vec![4]);
        assert_eq!(ids(&s, "uk water"), Vec::<i64>::new());
        // The acronym, whole.
        assert_eq!(ids(&s, "cwa"), vec![1]);
        // Query syntax is text: no FTS5 error.
        assert_eq!(ids(&s, "water OR NEAR(\"x\")"), Vec::<i64>::new());
        assert_eq!(s.search_org_ids("!!").unwrap(), None);
    }

    #[test]
    fn search_index_follows_aliases_as_they_change() {
        let s = store();
        s.conn
            .execute(
                "INSERT INTO aliases (org_id, name, key, origin) VALUES (2, 'WLB network', 'wlb network', 'user')",
                [],
            )
            .unwrap();
        assert_eq!(ids(&s, "wlb"), vec![2]);
        s.conn
            .execute("DELETE FROM aliases WHERE key = 'wlb network'", [])
            .unwrap();
        assert_eq!(ids(&s, "wlb"), Vec::<i64>::new());
    }

    /// One name looked up reads only the judgements on its own key, and
    /// still follows them: a "same" sends it to the other name's
    /// organization, a "different" keeps it from its own exact key.
    #[test]
    fn resolving_one_name_follows_judgements_on_its_key() {
        use crate::matching::engine::Engine;
        use crate::store::judge::Verdict;
        let mut s = store();
        let matched = |s: &Store, name: &str| match s.resolve_org(name, &Engine::new()).unwrap() {
            Resolution::Matched { org_id, .. } => Some(org_id),
            _ => None,
        };
        assert_eq!(matched(&s, "Clean Water Alliance"), Some(1));
        s.judge(
            "Women's League of Burma",
            "WLB Sisters",
            Verdict::Same,
            None,
        )
        .unwrap();
        assert_eq!(matched(&s, "WLB Sisters"), Some(2));
        // A person said the two printed forms of organization 1 are two
        // organizations: the name no longer matches it on its exact key.
        s.judge(
            "Clean Water Alliance",
            "Clean-Water Alliance of the Delta",
            Verdict::Different,
            None,
        )
        .unwrap();
        assert_eq!(matched(&s, "Clean Water Alliance"), None);
    }

    #[test]
    fn resolve_uses_the_matcher_then_search() {
        let s = store();
        match s
            .resolve_org("CLEAN WATER ALLIANCE (Myanmar)", &ExactKey)
            .unwrap()
        {
            Resolution::Matched {
                org_id,
                name,
                reason,
            } => {
                assert_eq!((org_id, name.as_str()), (1, "Clean Water Alliance"));
                assert!(reason.contains("same name key"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        // A person typed without a title is still found.
        assert!(matches!(
            s.resolve_org("mya thandar", &ExactKey).unwrap(),
            Resolution::Matched { org_id: 3, .. }
        ));
        assert!(matches!(
            s.resolve_org("league of burma", &ExactKey).unwrap(),
            Resolution::Searched {
                org: OrgRow { org_id: 2, .. }
            }
        ));
        match s.resolve_org("an", &ExactKey).unwrap() {
            Resolution::Several(v) => assert_eq!(v.len(), 2),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            s.resolve_org("Greenpeace", &ExactKey).unwrap(),
            Resolution::NotFound
        );
    }
}
