//! The matcher the importer uses: a signer is linked to a registry
//! organization when a person said they are the same, when their names
//! are equal once folded, or when the best candidate scores in the
//! automatic band; never across a "different" judgement. People are
//! matched on exact names only.
//!
//! Nothing is loaded up front: an exact name is one indexed lookup, and a
//! name that needs a search asks the registry for its candidates through
//! the blocking keys the store keeps ([`super::blocks`]), so one letter
//! into a registry of a million organizations costs what its own names
//! cost. Forms read are kept for the rest of the import, and forms the
//! import adds are seen as printed (their country note and acronym).

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use super::blocks;
use super::cluster::Judgements;
use super::fast::{FastMap, FastSet};
use super::keys::NameInfo;
use super::score::{abbreviates, compare, Band, Context};
use super::{Decision, Form, LookupError, Matcher, Owners, Registry};
use crate::normalize::name_key;
use crate::parse::{Kind, Signatory};

/// What the matcher has read of the registry during one import.
#[derive(Default)]
struct State {
    judgements: Judgements,
    /// Name key -> the keys people judged the same as it.
    same_partners: FastMap<String, Vec<String>>,
    /// Printed forms filed under blocking keys.
    forms: usize,
    /// Forms read, by alias id, with their prepared names.
    cache: FastMap<i64, Rc<(Form, NameInfo)>>,
    /// Forms this import added, as printed: (organization, name) -> name.
    learned: FastMap<(i64, String), Rc<NameInfo>>,
    /// Words' document frequencies read so far.
    token_df: FastMap<String, usize>,
    /// Organizations' name keys, read when a "different" judgement exists.
    org_keys: FastMap<i64, Vec<String>>,
    /// Judgements are read per name key (the keys read so far) rather
    /// than all at once: one name looked up in a registry of many judgements.
    judged: Option<FastSet<String>>,
}

/// The registry as a scoring context for one query.
struct Ctx<'a> {
    state: &'a State,
    owners: &'a FastMap<String, Owners>,
    /// Owners of the bare acronym being resolved, counted for this query.
    query_owners: Option<(String, usize)>,
}

impl Context for Ctx<'_> {
    fn token_df(&self, token: &str) -> usize {
        self.state.token_df.get(token).copied().unwrap_or(0)
    }
    fn names(&self) -> usize {
        self.state.forms
    }
    fn acronym_owners(&self, acronym: &str) -> usize {
        if let Some((a, n)) = &self.query_owners {
            if a == acronym {
                return *n;
            }
        }
        self.exact_acronym_owners(acronym)
    }
    fn exact_acronym_owners(&self, acronym: &str) -> usize {
        self.owners.get(acronym).map_or(0, |o| o.count)
    }
}

/// The registry matcher. Cheap to create; reads the registry as it goes.
#[derive(Default)]
pub struct Engine {
    state: RefCell<Option<State>>,
    /// True once [`Matcher::prepare`] was told of an import's signers:
    /// every judgement is then read at once. A single name (`signed-by
    /// NAME`) reads only the judgements on its own key.
    bulk: std::cell::Cell<bool>,
    /// Name keys of the import's signers, folded ahead on every CPU.
    keys: RefCell<FastMap<String, String>>,
}

impl Engine {
    pub fn new() -> Engine {
        Engine::default()
    }

    fn load(reg: &dyn Registry, bulk: bool) -> Result<State, LookupError> {
        if !bulk {
            return Ok(State {
                forms: reg.form_count()?,
                judged: Some(FastSet::default()),
                ..State::default()
            });
        }
        let judgements = reg.judgements()?;
        let mut same_partners: FastMap<String, Vec<String>> = FastMap::default();
        for (a, b) in &judgements.same {
            same_partners.entry(a.clone()).or_default().push(b.clone());
            same_partners.entry(b.clone()).or_default().push(a.clone());
        }
        Ok(State {
            judgements,
            same_partners,
            forms: reg.form_count()?,
            ..State::default()
        })
    }
}

impl State {
    /// Reads the judgements on `key` when they are read per key and these
    /// have not been yet.
    fn read_judgements(&mut self, reg: &dyn Registry, key: &str) -> Result<(), LookupError> {
        let Some(judged) = self.judged.as_mut() else {
            return Ok(());
        };
        if !judged.insert(key.to_string()) {
            return Ok(());
        }
        let j = reg.judgements_about(key)?;
        for (a, b) in &j.same {
            self.same_partners
                .entry(a.clone())
                .or_default()
                .push(b.clone());
            self.same_partners
                .entry(b.clone())
                .or_default()
                .push(a.clone());
        }
        self.judgements.same.extend(j.same);
        self.judgements.different.extend(j.different);
        Ok(())
    }

    /// True when a person judged `key` different from a name of `org`.
    fn differs(&mut self, reg: &dyn Registry, org: i64, key: &str) -> Result<bool, LookupError> {
        if self.judgements.different.is_empty() {
            return Ok(false);
        }
        if let std::collections::hash_map::Entry::Vacant(e) = self.org_keys.entry(org) {
            e.insert(reg.org_keys(org)?);
        }
        Ok(self.org_keys[&org]
            .iter()
            .any(|k| self.judgements.is_different(key, k)))
    }

    /// The forms with these alias ids, in the order given, prepared.
    fn prepared(
        &mut self,
        reg: &dyn Registry,
        ids: &[i64],
    ) -> Result<Vec<Rc<(Form, NameInfo)>>, LookupError> {
        let missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !self.cache.contains_key(id))
            .collect();
        if !missing.is_empty() {
            for f in reg.forms(&missing)? {
                let info = match self.learned.get(&(f.org_id, f.name.clone())) {
                    Some(l) => (**l).clone(),
                    None => NameInfo::new(&f.name, f.acronym.as_deref(), f.country.as_deref()),
                };
                self.cache.insert(f.alias_id, Rc::new((f, info)));
            }
        }
        Ok(ids
            .iter()
            .filter_map(|id| self.cache.get(id).cloned())
            .collect())
    }

    /// Reads the frequencies of these words that are not known yet.
    fn read_df<'a>(
        &mut self,
        reg: &dyn Registry,
        tokens: impl Iterator<Item = &'a String>,
    ) -> Result<(), LookupError> {
        let mut want: Vec<String> = tokens
            .filter(|t| !self.token_df.contains_key(*t))
            .map(|t| blocks::block(blocks::TOKEN, t))
            .collect();
        want.sort();
        want.dedup();
        if want.is_empty() {
            return Ok(());
        }
        let sizes = reg.block_sizes(&want)?;
        for b in want {
            let n = sizes.get(&b).copied().unwrap_or(0);
            self.token_df.insert(b[2..].to_string(), n);
        }
        Ok(())
    }
}

impl Matcher for Engine {
    fn decide(&self, sig: &Signatory, reg: &dyn Registry) -> Result<Decision, LookupError> {
        if self.state.borrow().is_none() {
            let s = Engine::load(reg, self.bulk.get())?;
            *self.state.borrow_mut() = Some(s);
        }
        let mut guard = self.state.borrow_mut();
        let state = guard.as_mut().expect("loaded above");
        let key = self
            .keys
            .borrow()
            .get(&sig.name)
            .cloned()
            .unwrap_or_else(|| name_key(&sig.name));
        if key.is_empty() {
            return Ok(Decision::New {
                reason: "new: the name has no letters to compare".into(),
            });
        }
        state.read_judgements(reg, &key)?;
        // A person's "same" first: the oldest organization holding a name
        // judged the same as this one.
        if let Some(partners) = state.same_partners.get(&key) {
            let partners = partners.clone();
            if let Some(f) = reg.forms_by_keys(&partners)?.into_iter().next() {
                return Ok(Decision::Known {
                    org_id: f.org_id,
                    reason: format!("a person judged \"{}\" the same as \"{}\"", sig.name, f.key),
                    holds_form: false,
                });
            }
        }
        // Exact key: the same name once folded.
        // The forms read here also tell whether the organization already
        // holds this very printed form (the importer then skips a lookup).
        let same_key = reg.forms_by_keys(std::slice::from_ref(&key))?;
        for f in &same_key {
            if f.kind == sig.kind && !state.differs(reg, f.org_id, &key)? {
                return Ok(Decision::Known {
                    org_id: f.org_id,
                    reason: format!("same name key as organization {} \"{}\"", f.org_id, f.name),
                    holds_form: same_key
                        .iter()
                        .any(|g| g.org_id == f.org_id && g.name == sig.name),
                });
            }
        }
        if sig.kind == Kind::Individual {
            return Ok(Decision::New {
                reason: "new: people are matched on their exact name only".into(),
            });
        }
        let info = NameInfo::new(&sig.name, sig.acronym.as_deref(), sig.country.as_deref());
        let ids = blocks::candidates(&info, reg, state.forms)?;
        let cands = state.prepared(reg, &ids)?;
        state.read_df(
            reg,
            info.tokens
                .iter()
                .chain(cands.iter().flat_map(|c| c.1.tokens.iter())),
        )?;
        // The acronyms scoring may ask about: a bare acronym's, and a short
        // name's letters run together ("Forum Asia").
        let mut acronyms: Vec<String> = Vec::new();
        for n in std::iter::once(&info).chain(cands.iter().map(|c| &c.1)) {
            if n.is_acronym {
                acronyms.push(n.printed_acronyms[0].clone());
            }
            if n.tokens.len() <= 2 && !n.joined.is_empty() {
                acronyms.push(n.joined.clone());
            }
        }
        acronyms.sort();
        acronyms.dedup();
        let owners = if acronyms.is_empty() {
            FastMap::default()
        } else {
            reg.acronym_owners(&acronyms)?
        };
        // Owners of a bare acronym among the candidates, by any rule.
        let query_owners = info.is_acronym.then(|| {
            let acr = info.printed_acronyms[0].clone();
            let known = owners.get(&acr).cloned().unwrap_or_default();
            let mut orgs: HashSet<i64> = known.orgs.iter().copied().collect();
            for c in &cands {
                let full = &c.1;
                if !full.is_acronym && full.joined != acr && abbreviates(&acr, &full.tokens) {
                    orgs.insert(c.0.org_id);
                }
            }
            // A key too common to list counts its forms instead.
            let n = if known.orgs.is_empty() && known.count > 0 {
                known.count
            } else {
                orgs.len()
            };
            (acr, n)
        });
        let mut vetoed: FastMap<i64, bool> = FastMap::default();
        for c in &cands {
            if let std::collections::hash_map::Entry::Vacant(e) = vetoed.entry(c.0.org_id) {
                e.insert(state.differs(reg, c.0.org_id, &info.key)?);
            }
        }
        let ctx = Ctx {
            state,
            owners: &owners,
            query_owners,
        };
        let mut best: Option<(i64, f64, Vec<String>, Band, String)> = None;
        let mut via_acronym: Option<String> = None;
        for c in &cands {
            let (form, other) = (&c.0, &c.1);
            if form.kind != Kind::Organization || vetoed[&form.org_id] {
                continue;
            }
            let s = compare(&info, other, &ctx);
            if best.as_ref().is_none_or(|b| s.value > b.1) {
                via_acronym = (other.is_acronym && !info.is_acronym).then(|| other.key.clone());
                best = Some((form.org_id, s.value, s.reasons, s.band, other.raw.clone()));
            }
        }
        // A full name reached through an organization's bare acronym
        // ("Kishuto Refugee Rights" through "KRR"): when that organization
        // already has a full name this one is not, the acronym is theirs,
        // and this is another body with the same initials.
        if let (Some(acr), Some(b)) = (&via_acronym, best.as_mut()) {
            if b.3 == Band::Auto {
                let keys = reg.org_keys(b.0)?;
                let clash = keys.iter().filter(|k| *k != acr).find(|k| {
                    let full = NameInfo::new(k, None, None);
                    !full.is_acronym
                        && full.joined != *acr
                        && compare(&info, &full, &ctx).band == Band::Apart
                });
                if let Some(k) = clash {
                    b.1 = b.1.min(0.8);
                    b.3 = Band::Review;
                    b.2.push(format!(
                        "but the acronym belongs to \"{k}\", which this name is not"
                    ));
                }
            }
        }
        Ok(match best {
            Some((org, v, reasons, Band::Auto, other)) => Decision::Known {
                org_id: org,
                holds_form: false,
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

    fn prepare(&self, sigs: &[&Signatory]) {
        self.bulk.set(true);
        let mut names: Vec<&str> = sigs.iter().map(|s| s.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let keys = super::fast::par_map(names.len(), |i| name_key(names[i]), &|_| {});
        let mut map = self.keys.borrow_mut();
        for (n, k) in names.into_iter().zip(keys) {
            map.insert(n.to_string(), k);
        }
    }

    fn learn(&self, org_id: i64, sig: &Signatory) {
        if let Some(state) = self.state.borrow_mut().as_mut() {
            let info = NameInfo::new(&sig.name, sig.acronym.as_deref(), sig.country.as_deref());
            // Its words are one form more common now.
            for t in &info.tokens {
                state.token_df.remove(t);
            }
            if let Some(keys) = state.org_keys.get_mut(&org_id) {
                keys.push(info.key.clone());
            }
            state.forms += 1;
            state
                .learned
                .insert((org_id, sig.name.clone()), Rc::new(info));
        }
    }
}
