//! Deciding which registry organization a printed name stands for. The
//! seam is [`Matcher`]: given a signer and a view of the registry, it says
//! "known organization N, because ..." or "new, because ...". The first
//! matcher, [`ExactKey`], links names whose [`name_key`] is equal; fuzzy
//! matching, acronyms and human judgements plug in behind the same trait.

pub mod aliases;
pub mod blocks;
pub mod cluster;
pub mod engine;
pub mod eval;
pub mod fast;
pub mod index;
pub mod keys;
pub mod score;

use crate::normalize::name_key;
use crate::parse::{Kind, Signatory};

/// Compares two printed names with no registry behind them (every word
/// rare, every acronym unique): what `why NAME_A NAME_B` shows.
pub fn explain(a: &str, b: &str) -> score::Score {
    score::compare(&eval::name_info(a), &eval::name_info(b), &score::NoContext)
}

/// An organization the registry holds under a key.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub org_id: i64,
    pub name: String,
    pub kind: Kind,
}

pub type LookupError = Box<dyn std::error::Error + Send + Sync>;

/// A printed form in the registry, with what the matcher needs of its
/// organization.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub alias_id: i64,
    pub org_id: i64,
    pub name: String,
    /// `normalize::name_key` of the name.
    pub key: String,
    pub kind: Kind,
    /// The organization's acronym and country.
    pub acronym: Option<String>,
    pub country: Option<String>,
}

/// The printed forms filed under one blocking key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Posting {
    pub forms: usize,
    /// Their alias ids, `None` when more forms hold the key than
    /// blocking reads.
    pub ids: Option<Vec<i64>>,
}

/// The organizations a full name of which answers to an acronym: how many,
/// and which (empty when too many forms hold it to list them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Owners {
    pub count: usize,
    pub orgs: Vec<i64>,
}

/// What a matcher may ask of the registry. The store implements it over
/// its open transaction, so a letter's own earlier entries are visible.
/// The defaults describe an empty registry.
pub trait Registry {
    /// Organizations with an alias whose key is exactly `key`.
    fn by_key(&self, key: &str) -> Result<Vec<Candidate>, LookupError>;

    /// Printed forms whose key is one of `keys`, by organization then alias id.
    fn forms_by_keys(&self, _keys: &[String]) -> Result<Vec<Form>, LookupError> {
        Ok(Vec::new())
    }

    /// The printed forms with these alias ids (in no particular order).
    fn forms(&self, _alias_ids: &[i64]) -> Result<Vec<Form>, LookupError> {
        Ok(Vec::new())
    }

    /// How many printed forms are filed under blocking keys.
    fn form_count(&self) -> Result<usize, LookupError> {
        Ok(0)
    }

    /// Stored blocking keys among `blocks` (see [`blocks`]): how many
    /// forms each holds and, unless too many, their alias ids. `k:` keys
    /// are exact name keys, answered from the aliases themselves. Keys no
    /// form holds are left out.
    fn blocks(&self, _blocks: &[String]) -> Result<fast::FastMap<String, Posting>, LookupError> {
        Ok(fast::FastMap::default())
    }

    /// Stored keys by [`blocks::key_hash`] (any kind but exact `k:`
    /// keys): how many forms each holds and, when `ids` and not too many,
    /// their alias ids. Keys no form holds are left out.
    fn postings(
        &self,
        _hashes: &[i64],
        _ids: bool,
    ) -> Result<fast::FastMap<i64, Posting>, LookupError> {
        Ok(fast::FastMap::default())
    }

    /// How many forms hold each of these stored keys (as [`Registry::blocks`]
    /// without the ids).
    fn block_sizes(&self, _blocks: &[String]) -> Result<fast::FastMap<String, usize>, LookupError> {
        Ok(fast::FastMap::default())
    }

    /// For each acronym, the organizations whose full names answer to it.
    fn acronym_owners(
        &self,
        _acronyms: &[String],
    ) -> Result<fast::FastMap<String, Owners>, LookupError> {
        Ok(fast::FastMap::default())
    }

    /// The name keys of an organization's printed forms.
    fn org_keys(&self, _org_id: i64) -> Result<Vec<String>, LookupError> {
        Ok(Vec::new())
    }

    /// People's decisions about pairs of names.
    fn judgements(&self) -> Result<cluster::Judgements, LookupError> {
        Ok(cluster::Judgements::default())
    }

    /// People's decisions about the pairs that hold this name key.
    fn judgements_about(&self, key: &str) -> Result<cluster::Judgements, LookupError> {
        let mut j = self.judgements()?;
        j.same.retain(|(a, b)| a == key || b == key);
        j.different.retain(|(a, b)| a == key || b == key);
        Ok(j)
    }
}

/// A matcher's answer for one signer.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Known {
        org_id: i64,
        reason: String,
        /// Whether the organization already holds this exact printed form
        /// (then the importer adds no alias), when the matcher knows;
        /// `None` asks the importer to look.
        holds_form: Option<bool>,
    },
    New {
        reason: String,
    },
}

pub trait Matcher {
    fn decide(&self, sig: &Signatory, reg: &dyn Registry) -> Result<Decision, LookupError>;

    /// Told every signer of an import before the first is decided, with
    /// the registry as it stands before the import writes anything: work
    /// for all of them at once (batched reads, scoring on every CPU)
    /// happens here, told to `progress`.
    fn prepare(
        &self,
        _sigs: &[&Signatory],
        _reg: &dyn Registry,
        _progress: &dyn crate::progress::Progress,
    ) -> Result<(), LookupError> {
        Ok(())
    }

    /// Told when a signer brought a printed form new to the registry
    /// (for a new or a known organization), so a matcher that keeps state
    /// sees the import's own earlier entries as they were printed. The
    /// registry a matcher is given during an import shows the registry as
    /// it stood before it: these forms are not in it.
    fn learn(&self, _org_id: i64, _sig: &Signatory) {}
}

/// Same organization when the normalized names are equal (case, Unicode
/// NFKC, quotes, dashes, punctuation, white space, "&" = "and") and the
/// kind (organization or person) agrees.
pub struct ExactKey;

impl Matcher for ExactKey {
    fn decide(&self, sig: &Signatory, reg: &dyn Registry) -> Result<Decision, LookupError> {
        let key = name_key(&sig.name);
        if key.is_empty() {
            return Ok(Decision::New {
                reason: "new: the name has no letters to compare".into(),
            });
        }
        let mut cands: Vec<Candidate> = reg
            .by_key(&key)?
            .into_iter()
            .filter(|c| c.kind == sig.kind)
            .collect();
        cands.sort_by_key(|c| c.org_id);
        cands.dedup_by_key(|c| c.org_id);
        Ok(match cands.first() {
            Some(c) => Decision::Known {
                org_id: c.org_id,
                holds_form: None,
                reason: if cands.len() == 1 {
                    format!("same name key as organization {} \"{}\"", c.org_id, c.name)
                } else {
                    format!(
                        "same name key as organizations {}; took the oldest, {}",
                        cands
                            .iter()
                            .map(|c| c.org_id.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                        c.org_id
                    )
                },
            },
            None => Decision::New {
                reason: "new: no organization has this name key".into(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Fake(HashMap<String, Vec<Candidate>>);
    impl Registry for Fake {
        fn by_key(&self, key: &str) -> Result<Vec<Candidate>, LookupError> {
            Ok(self.0.get(key).cloned().unwrap_or_default())
        }
    }

    fn sig(name: &str, kind: Kind) -> Signatory {
        Signatory {
            position: 1,
            name: name.into(),
            printed: name.into(),
            acronym: None,
            note: None,
            country: None,
            affiliation: None,
            kind,
            section: None,
            line: 1,
            raw: name.into(),
        }
    }

    #[test]
    fn exact_key_links_variants_and_keeps_look_alikes_apart() {
        let mut m = HashMap::new();
        m.insert(
            name_key("Women's League of Burma"),
            vec![Candidate {
                org_id: 7,
                name: "Women's League of Burma".into(),
                kind: Kind::Organization,
            }],
        );
        let reg = Fake(m);
        let d = ExactKey
            .decide(&sig("WOMEN’S LEAGUE OF BURMA", Kind::Organization), &reg)
            .unwrap();
        assert!(matches!(d, Decision::Known { org_id: 7, .. }));
        let d = ExactKey
            .decide(&sig("Women's League of Chinland", Kind::Organization), &reg)
            .unwrap();
        assert!(matches!(d, Decision::New { .. }));
        // A person is never the organization of the same name.
        let d = ExactKey
            .decide(&sig("Women's League of Burma", Kind::Individual), &reg)
            .unwrap();
        assert!(matches!(d, Decision::New { .. }));
    }
}
