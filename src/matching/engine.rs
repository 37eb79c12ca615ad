//! The matcher the importer uses: a signer is linked to a registry
//! organization when a person said they are the same, when their names
//! are equal once folded, or when the best candidate from the index scores
//! in the automatic band; never across a "different" judgement. People are
//! matched on exact names only. The index is built from the registry on
//! first use and grows as the import adds organizations.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use super::cluster::Judgements;
use super::index::Index;
use super::keys::NameInfo;
use super::score::{abbreviates, compare, Band, Context};
use super::{Decision, LookupError, Matcher, Registry};
use crate::parse::{Kind, Signatory};

/// One printed form in the registry, as the matcher needs it.
#[derive(Debug, Clone)]
pub struct AliasRecord {
    pub org_id: i64,
    pub name: String,
    pub kind: Kind,
    pub acronym: Option<String>,
    pub country: Option<String>,
}

struct State {
    index: Index,
    org_of: Vec<i64>,
    kind_of: Vec<Kind>,
    keys_of_org: HashMap<i64, Vec<String>>,
    /// Organizations that answer to an acronym through a full name.
    acronym_orgs: HashMap<String, HashSet<i64>>,
    judgements: Judgements,
}

/// The registry as a scoring context.
struct Ctx<'a> {
    state: &'a State,
    /// Owners of the bare acronym being resolved, counted for this query.
    query_owners: Option<(String, usize)>,
}

impl Context for Ctx<'_> {
    fn token_df(&self, token: &str) -> usize {
        self.state.index.token_df(token)
    }
    fn names(&self) -> usize {
        self.state.index.len()
    }
    fn acronym_owners(&self, acronym: &str) -> usize {
        if let Some((a, n)) = &self.query_owners {
            if a == acronym {
                return *n;
            }
        }
        self.state.acronym_orgs.get(acronym).map_or(0, HashSet::len)
    }
    fn exact_acronym_owners(&self, acronym: &str) -> usize {
        self.state.acronym_orgs.get(acronym).map_or(0, HashSet::len)
    }
    fn canonical(&self, key: &str) -> Option<&str> {
        super::aliases::canonical(key)
    }
}

/// The registry matcher. Cheap to create; loads the registry lazily.
#[derive(Default)]
pub struct Engine {
    state: RefCell<Option<State>>,
}

impl Engine {
    pub fn new() -> Engine {
        Engine::default()
    }

    fn load(reg: &dyn Registry) -> Result<State, LookupError> {
        let mut state = State {
            index: Index::new(),
            org_of: Vec::new(),
            kind_of: Vec::new(),
            keys_of_org: HashMap::new(),
            acronym_orgs: HashMap::new(),
            judgements: reg.judgements()?,
        };
        for a in reg.aliases()? {
            add(&mut state, &a);
        }
        Ok(state)
    }
}

fn add(state: &mut State, a: &AliasRecord) {
    let info = NameInfo::new(&a.name, a.acronym.as_deref(), a.country.as_deref());
    if !info.is_acronym {
        for acr in info.all_acronyms() {
            state
                .acronym_orgs
                .entry(acr.clone())
                .or_default()
                .insert(a.org_id);
        }
    }
    let keys = state.keys_of_org.entry(a.org_id).or_default();
    if !keys.contains(&info.key) {
        keys.push(info.key.clone());
    }
    state.index.add(info);
    state.org_of.push(a.org_id);
    state.kind_of.push(a.kind);
}

impl Matcher for Engine {
    fn decide(&self, sig: &Signatory, reg: &dyn Registry) -> Result<Decision, LookupError> {
        if self.state.borrow().is_none() {
            let s = Engine::load(reg)?;
            *self.state.borrow_mut() = Some(s);
        }
        let guard = self.state.borrow();
        let state = guard.as_ref().expect("loaded above");
        let info = NameInfo::new(&sig.name, sig.acronym.as_deref(), sig.country.as_deref());
        if info.key.is_empty() {
            return Ok(Decision::New {
                reason: "new: the name has no letters to compare".into(),
            });
        }
        let differs = |org: i64| {
            state.keys_of_org.get(&org).is_some_and(|ks| {
                ks.iter()
                    .any(|k| state.judgements.is_different(&info.key, k))
            })
        };
        // A person's "same" first.
        let mut orgs: Vec<&i64> = state.keys_of_org.keys().collect();
        orgs.sort();
        for org in orgs {
            let keys = &state.keys_of_org[org];
            if let Some(k) = keys.iter().find(|k| state.judgements.is_same(&info.key, k)) {
                return Ok(Decision::Known {
                    org_id: *org,
                    reason: format!("a person judged \"{}\" the same as \"{k}\"", sig.name),
                });
            }
        }
        let cands = state.index.candidates(&info);
        // Exact key: the same name once folded.
        let mut exact: Vec<(i64, u32)> = cands
            .iter()
            .filter(|&&c| {
                state.index.name(c).key == info.key && state.kind_of[c as usize] == sig.kind
            })
            .map(|&c| (state.org_of[c as usize], c))
            .filter(|&(o, _)| !differs(o))
            .collect();
        exact.sort();
        if let Some(&(org, c)) = exact.first() {
            return Ok(Decision::Known {
                org_id: org,
                reason: format!(
                    "same name key as organization {org} \"{}\"",
                    state.index.name(c).raw
                ),
            });
        }
        if sig.kind == Kind::Individual {
            return Ok(Decision::New {
                reason: "new: people are matched on their exact name only".into(),
            });
        }
        // Owners of a bare acronym among the candidates, by any rule.
        let query_owners = info.is_acronym.then(|| {
            let acr = info.printed_acronyms[0].clone();
            let mut owners: HashSet<i64> =
                state.acronym_orgs.get(&acr).cloned().unwrap_or_default();
            for &c in &cands {
                let full = state.index.name(c);
                if !full.is_acronym && full.joined != acr && abbreviates(&acr, &full.tokens) {
                    owners.insert(state.org_of[c as usize]);
                }
            }
            let n = owners.len();
            (acr, n)
        });
        let ctx = Ctx {
            state,
            query_owners,
        };
        let mut best: Option<(i64, f64, Vec<String>, Band, String)> = None;
        for &c in &cands {
            let org = state.org_of[c as usize];
            if state.kind_of[c as usize] != Kind::Organization || differs(org) {
                continue;
            }
            let other = state.index.name(c);
            let s = compare(&info, other, &ctx);
            if best.as_ref().is_none_or(|b| s.value > b.1) {
                best = Some((org, s.value, s.reasons, s.band, other.raw.clone()));
            }
        }
        Ok(match best {
            Some((org, v, reasons, Band::Auto, other)) => Decision::Known {
                org_id: org,
                reason: format!("matched \"{other}\" ({v:.2}): {}", reasons.join("; ")),
            },
            Some((org, v, _, Band::Review, other)) => Decision::New {
                reason: format!(
                    "new: closest is organization {org} \"{other}\" ({v:.2}), left for review (undersigned review)"
                ),
            },
            _ => Decision::New { reason: "new: no organization in the registry is close enough".into() },
        })
    }

    fn learn(&self, org_id: i64, sig: &Signatory) {
        if let Some(state) = self.state.borrow_mut().as_mut() {
            add(
                state,
                &AliasRecord {
                    org_id,
                    name: sig.name.clone(),
                    kind: sig.kind,
                    acronym: sig.acronym.clone(),
                    country: sig.country.clone(),
                },
            );
        }
    }
}
