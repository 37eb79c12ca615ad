//! The matcher the importer uses: a signer is linked to a registry
//! organization when a person said they are the same, when their names
//! are equal once folded, or when the best candidate scores in the
//! automatic band; never across a "different" judgement. People are
//! matched on exact names only.
//!
//! An import is matched in two steps. [`Matcher::prepare`] reads every
//! signer's name against the registry as it stood when the import began:
//! the exact names in batches, and for each name the registry does not
//! hold, its candidates through the stored blocking keys
//! ([`super::blocks`]), read in batches for all such names at once and
//! scored on every CPU. [`Matcher::decide`] then takes the signers in
//! list order: each takes that answer together with the forms the import
//! itself added before it (an exact name, or candidates from an in-memory
//! index of them), so a name printed twice in one import, or a variant of
//! a new organization's name, is linked as if the letters had come one by
//! one. Word weights are the registry's when the import began (the
//! import's own names would move them by a fraction); acronym owners
//! count the organizations the import added too, and a name whose score
//! leaned on an acronym that gained an owner is scored again.
//!
//! A name met outside a prepared import (`signed-by NAME`) is read when
//! it is decided: one indexed lookup for an exact name, a search for any
//! other.

use std::cell::RefCell;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use super::blocks;
use super::cluster::Judgements;
use super::fast::{par_map, FastMap, FastSet};
use super::index::Index;
use super::keys::NameInfo;
use super::score::{
    abbreviates, compare, compare_value, compare_value_weighted, token_weights, Band, Context,
};
use super::{Decision, Form, LookupError, Matcher, Owners, Registry};
use crate::normalize::name_key;
use crate::parse::{Kind, Signatory};
use crate::progress::Progress;

/// Keys, ids or words asked of the registry in one request, at most: a
/// request is one statement, and a statement's list is one value.
const BATCH: usize = 20_000;

/// A name to search for: as printed, with the acronym and the country
/// noted with it, which the comparison weighs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Query {
    name: String,
    acronym: Option<String>,
    country: Option<String>,
}

impl Query {
    fn of(sig: &Signatory) -> Query {
        Query {
            name: sig.name.clone(),
            acronym: sig.acronym.clone(),
            country: sig.country.clone(),
        }
    }

    fn info(&self) -> NameInfo {
        NameInfo::new(&self.name, self.acronym.as_deref(), self.country.as_deref())
    }
}

/// A stored printed form with its prepared name and the weights of its
/// words (fixed for an import: they are the registry's when it began).
struct PreparedForm {
    form: Form,
    info: NameInfo,
    weights: Vec<f64>,
}

type Prepared = Arc<PreparedForm>;

/// Acronyms the import's new forms answer to, with their organizations.
type AddedOwners = FastMap<String, Vec<i64>>;

/// One candidate's score against a name.
#[derive(Debug, Clone)]
struct Scored {
    /// Where the candidate is: a stored alias id, or the place of a form
    /// this import added in [`Added::forms`].
    at: At,
    org_id: i64,
    value: f64,
    /// The candidate is a bare acronym ("APHR").
    acronym_form: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum At {
    Stored(i64),
    Added(u32),
}

/// A name scored against its stored candidates, as the registry stood
/// when the import began.
struct StoredPart {
    info: NameInfo,
    /// The candidates' alias ids, in search order.
    ids: Vec<i64>,
    /// The candidates that are organizations, scored, in search order.
    scored: Vec<Scored>,
    /// The acronyms whose owners the scores depend on.
    acronyms: Vec<String>,
}

/// A printed form this import added.
#[derive(Debug, Clone)]
struct AddedForm {
    org_id: i64,
    name: String,
    key: String,
    kind: Kind,
}

/// What the import added, as the matcher needs it.
#[derive(Default)]
struct Added {
    /// By name key: their places in `forms`.
    by_key: FastMap<String, Vec<u32>>,
    /// Every form added, in order; its place is its id in `index`.
    forms: Vec<AddedForm>,
    /// The forms, prepared, for candidate search among them.
    index: Index,
    owners: AddedOwners,
    /// Name keys each organization gained.
    org_keys: FastMap<i64, Vec<String>>,
    /// Words' document frequencies among the forms added.
    df: FastMap<String, usize>,
}

/// The registry as it stood when the import began, as far as read, and
/// what the import has added since.
#[derive(Default)]
struct State {
    loaded: bool,
    judgements: Judgements,
    /// Name key -> the keys people judged the same as it.
    same_partners: FastMap<String, Vec<String>>,
    /// Judgements are read per name key (the keys read so far) rather
    /// than all at once: one name looked up in a registry of many judgements.
    judged: Option<FastSet<String>>,
    /// Printed forms filed under blocking keys when the import began.
    forms: usize,
    /// Name keys of the import's names, folded ahead on every CPU.
    keys: FastMap<String, String>,
    /// Stored forms by name key, for the keys read.
    exact: FastMap<String, Vec<Form>>,
    /// Stored forms read, by alias id, prepared.
    cache: FastMap<i64, Prepared>,
    /// Words' document frequencies read.
    token_df: FastMap<String, usize>,
    /// Acronyms' owners read.
    owners: FastMap<String, Owners>,
    /// Organizations' stored name keys, read when a "different" judgement exists.
    org_keys: FastMap<i64, Vec<String>>,
    /// Names searched, scored against their stored candidates: by name,
    /// then acronym and country.
    searched: FastMap<String, Vec<(Query, Arc<StoredPart>)>>,
    added: Added,
}

/// The registry as a scoring context.
struct Ctx<'a> {
    token_df: &'a FastMap<String, usize>,
    /// The import's own word counts, on top of `token_df`, when the
    /// names it added count (deciding, as against preparing).
    added_df: Option<&'a FastMap<String, usize>>,
    forms: usize,
    owners: &'a FastMap<String, Owners>,
    added: Option<&'a AddedOwners>,
    /// Owners of the bare acronym being resolved, counted for this query.
    query_owners: Option<(String, usize)>,
}

impl Ctx<'_> {
    /// The organizations an acronym is known to belong to, with the
    /// import's own, or `None` when too many forms hold it to list them
    /// (then the count of those forms).
    fn owner_set(&self, acronym: &str) -> (FastSet<i64>, Option<usize>) {
        let known = self.owners.get(acronym);
        let extra = self.added.and_then(|a| a.get(acronym));
        let mut set: FastSet<i64> = known
            .map(|o| o.orgs.iter().copied().collect())
            .unwrap_or_default();
        set.extend(extra.into_iter().flatten());
        let unlisted = known
            .filter(|o| o.orgs.is_empty() && o.count > 0)
            .map(|o| o.count + extra.map_or(0, Vec::len));
        (set, unlisted)
    }
}

impl Context for Ctx<'_> {
    fn token_df(&self, token: &str) -> usize {
        let added = self.added_df.and_then(|d| d.get(token)).copied();
        self.token_df.get(token).copied().unwrap_or(0) + added.unwrap_or(0)
    }
    fn names(&self) -> usize {
        self.forms
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
        match self.added.and_then(|a| a.get(acronym)) {
            None => self.owners.get(acronym).map_or(0, |o| o.count),
            Some(_) => {
                let (set, unlisted) = self.owner_set(acronym);
                unlisted.unwrap_or(set.len())
            }
        }
    }
}

/// The acronyms scoring `info` against `cands` may ask the owners of: a
/// bare acronym's, and a short name's letters run together ("Forum Asia").
fn acronyms_asked<'a>(
    info: &'a NameInfo,
    cands: impl Iterator<Item = &'a NameInfo>,
) -> Vec<String> {
    let mut acronyms: Vec<String> = Vec::new();
    for n in std::iter::once(info).chain(cands) {
        if n.is_acronym {
            acronyms.push(n.printed_acronyms[0].clone());
        }
        if n.tokens.len() <= 2 && !n.joined.is_empty() {
            acronyms.push(n.joined.clone());
        }
    }
    acronyms.sort();
    acronyms.dedup();
    acronyms
}

/// Owners of a bare acronym being resolved: those the registry knows (and
/// the import added), and any candidate whose words it abbreviates.
fn query_owners<'a>(
    info: &NameInfo,
    ctx: &Ctx<'_>,
    cands: impl Iterator<Item = (i64, &'a NameInfo)>,
) -> Option<(String, usize)> {
    if !info.is_acronym {
        return None;
    }
    let acr = info.printed_acronyms[0].clone();
    let (mut orgs, unlisted) = ctx.owner_set(&acr);
    for (org, full) in cands {
        if !full.is_acronym && full.joined != acr && abbreviates(&acr, &full.tokens) {
            orgs.insert(org);
        }
    }
    // A key too common to list counts its forms instead.
    Some((acr, unlisted.unwrap_or(orgs.len())))
}

/// Scores a name against its stored candidates (those `cache` holds of
/// `ids`), organizations only, in search order.
fn score_stored(
    info: NameInfo,
    ids: Vec<i64>,
    cache: &FastMap<i64, Prepared>,
    token_df: &FastMap<String, usize>,
    owners: &FastMap<String, Owners>,
    forms: usize,
    added: Option<&AddedOwners>,
) -> StoredPart {
    let cands: Vec<&Prepared> = ids.iter().filter_map(|id| cache.get(id)).collect();
    let acronyms = acronyms_asked(&info, cands.iter().map(|c| &c.info));
    let mut ctx = Ctx {
        token_df,
        added_df: None,
        forms,
        owners,
        added,
        query_owners: None,
    };
    ctx.query_owners = query_owners(&info, &ctx, cands.iter().map(|c| (c.form.org_id, &c.info)));
    let weights = token_weights(&info, &ctx);
    let scored = cands
        .iter()
        .filter(|c| c.form.kind == Kind::Organization)
        .map(|c| {
            let (value, _) = compare_value_weighted(&info, &c.info, (&weights, &c.weights), &ctx);
            Scored {
                at: At::Stored(c.form.alias_id),
                org_id: c.form.org_id,
                value,
                acronym_form: c.info.is_acronym,
            }
        })
        .collect();
    StoredPart {
        info,
        ids,
        scored,
        acronyms,
    }
}

/// The registry matcher. Cheap to create; reads the registry as it goes.
#[derive(Default)]
pub struct Engine {
    state: RefCell<State>,
}

impl Engine {
    pub fn new() -> Engine {
        Engine::default()
    }
}

impl State {
    /// Reads what every decision needs: the judgements (all of them for
    /// an import, else per key as names come) and the count of forms.
    fn load(&mut self, reg: &dyn Registry, bulk: bool) -> Result<(), LookupError> {
        if self.loaded {
            return Ok(());
        }
        self.loaded = true;
        self.forms = reg.form_count()?;
        if !bulk {
            self.judged = Some(FastSet::default());
            return Ok(());
        }
        let judgements = reg.judgements()?;
        self.note_same(&judgements.same);
        self.judgements = judgements;
        Ok(())
    }

    /// Files each "same" pair under both its keys.
    fn note_same<'a>(&mut self, pairs: impl IntoIterator<Item = &'a (String, String)>) {
        for (a, b) in pairs {
            self.same_partners
                .entry(a.clone())
                .or_default()
                .push(b.clone());
            self.same_partners
                .entry(b.clone())
                .or_default()
                .push(a.clone());
        }
    }

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
        self.note_same(&j.same);
        self.judgements.same.extend(j.same);
        self.judgements.different.extend(j.different);
        Ok(())
    }

    fn key_of(&self, name: &str) -> String {
        self.keys
            .get(name)
            .cloned()
            .unwrap_or_else(|| name_key(name))
    }

    /// True when a person judged `key` different from a name of `org`.
    fn differs(&mut self, reg: &dyn Registry, org: i64, key: &str) -> Result<bool, LookupError> {
        if self.judgements.different.is_empty() {
            return Ok(false);
        }
        if let std::collections::hash_map::Entry::Vacant(e) = self.org_keys.entry(org) {
            e.insert(reg.org_keys(org)?);
        }
        let added = self.added.org_keys.get(&org).into_iter().flatten();
        Ok(self.org_keys[&org]
            .iter()
            .chain(added)
            .any(|k| self.judgements.is_different(key, k)))
    }

    /// Reads the stored forms of these name keys not read yet.
    fn read_exact(&mut self, reg: &dyn Registry, keys: &[String]) -> Result<(), LookupError> {
        let mut want: Vec<&String> = keys
            .iter()
            .filter(|k| !k.is_empty() && !self.exact.contains_key(*k))
            .collect();
        want.sort();
        want.dedup();
        for chunk in want.chunks(BATCH) {
            let chunk: Vec<String> = chunk.iter().map(|k| (*k).clone()).collect();
            for f in reg.forms_by_keys(&chunk)? {
                self.exact.entry(f.key.clone()).or_default().push(f);
            }
            for k in chunk {
                self.exact.entry(k).or_default();
            }
        }
        Ok(())
    }

    /// The forms with name key `key`: the registry's (by organization,
    /// then alias), then the import's.
    fn same_key(&mut self, reg: &dyn Registry, key: &str) -> Result<Vec<AddedForm>, LookupError> {
        self.read_exact(reg, &[key.to_string()])?;
        let mut out: Vec<AddedForm> = self.exact[key]
            .iter()
            .map(|f| AddedForm {
                org_id: f.org_id,
                name: f.name.clone(),
                key: f.key.clone(),
                kind: f.kind,
            })
            .collect();
        if let Some(places) = self.added.by_key.get(key) {
            out.extend(places.iter().map(|&i| self.added.forms[i as usize].clone()));
        }
        Ok(out)
    }

    /// Reads the stored forms with these alias ids not read yet, their
    /// names prepared on every CPU (not yet weighed, see
    /// [`State::read_for_scoring`]).
    fn read_forms(
        &mut self,
        reg: &dyn Registry,
        ids: &[i64],
    ) -> Result<Vec<(Form, NameInfo)>, LookupError> {
        let mut want: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !self.cache.contains_key(id))
            .collect();
        want.sort_unstable();
        want.dedup();
        let mut out = Vec::with_capacity(want.len());
        for chunk in want.chunks(BATCH) {
            let forms = reg.forms(chunk)?;
            let prepared = par_map(
                forms.len(),
                |i| {
                    let f = &forms[i];
                    NameInfo::new(&f.name, f.acronym.as_deref(), f.country.as_deref())
                },
                &|_| {},
            );
            out.extend(forms.into_iter().zip(prepared));
        }
        Ok(out)
    }

    /// Reads the frequencies of these words that are not known yet.
    fn read_df<'a>(
        &mut self,
        reg: &dyn Registry,
        tokens: impl Iterator<Item = &'a String>,
    ) -> Result<(), LookupError> {
        let mut want: Vec<(i64, &String)> = tokens
            .filter(|t| !self.token_df.contains_key(*t))
            .map(|t| (blocks::key_hash(blocks::TOKEN, t), t))
            .collect();
        want.sort_unstable();
        want.dedup();
        for chunk in want.chunks(BATCH) {
            let hashes: Vec<i64> = chunk.iter().map(|w| w.0).collect();
            let sizes = reg.postings(&hashes, false)?;
            for (h, t) in chunk {
                let n = sizes.get(h).map_or(0, |p| p.forms);
                self.token_df.insert((*t).clone(), n);
            }
        }
        Ok(())
    }

    /// Reads the owners of these acronyms not known yet.
    fn read_owners(&mut self, reg: &dyn Registry, acronyms: &[String]) -> Result<(), LookupError> {
        let mut want: Vec<String> = acronyms
            .iter()
            .filter(|a| !self.owners.contains_key(*a))
            .cloned()
            .collect();
        want.sort();
        want.dedup();
        for chunk in want.chunks(BATCH) {
            let mut found = reg.acronym_owners(chunk)?;
            for a in chunk {
                let o = found.remove(a).unwrap_or_default();
                self.owners.insert(a.clone(), o);
            }
        }
        Ok(())
    }

    /// Reads what scoring these names against these candidates asks:
    /// the candidates' forms, the words' frequencies (and so the forms'
    /// weights) and the acronyms' owners.
    fn read_for_scoring(
        &mut self,
        reg: &dyn Registry,
        infos: &[&NameInfo],
        ids: &[i64],
    ) -> Result<(), LookupError> {
        let read = self.read_forms(reg, ids)?;
        let mut acronyms: Vec<String> = acronyms_asked_of(infos);
        {
            let cands: Vec<&NameInfo> = ids
                .iter()
                .filter_map(|id| self.cache.get(id))
                .map(|c| &c.info)
                .chain(read.iter().map(|(_, i)| i))
                .collect();
            acronyms.extend(acronyms_asked_of(&cands));
            let tokens: Vec<String> = infos
                .iter()
                .flat_map(|i| i.tokens.iter())
                .chain(cands.iter().flat_map(|c| c.tokens.iter()))
                .cloned()
                .collect();
            self.read_df(reg, tokens.iter())?;
        }
        self.read_owners(reg, &acronyms)?;
        let ctx = Ctx {
            token_df: &self.token_df,
            added_df: None,
            forms: self.forms,
            owners: &self.owners,
            added: None,
            query_owners: None,
        };
        let weights = par_map(read.len(), |i| token_weights(&read[i].1, &ctx), &|_| {});
        for ((form, info), weights) in read.into_iter().zip(weights) {
            self.cache.insert(
                form.alias_id,
                Arc::new(PreparedForm {
                    form,
                    info,
                    weights,
                }),
            );
        }
        Ok(())
    }

    /// A name already scored against its stored candidates.
    fn searched_part(&self, q: &Query) -> Option<Arc<StoredPart>> {
        self.searched
            .get(&q.name)?
            .iter()
            .find(|(k, _)| k == q)
            .map(|(_, p)| p.clone())
    }

    /// A name scored against its stored candidates: as the import's
    /// preparation left it, or searched and scored now.
    fn stored_part(
        &mut self,
        reg: &dyn Registry,
        q: &Query,
    ) -> Result<Arc<StoredPart>, LookupError> {
        if let Some(p) = self.searched_part(q) {
            return Ok(p);
        }
        let info = q.info();
        let ids = blocks::candidates(&info, reg, self.forms)?;
        self.read_for_scoring(reg, &[&info], &ids)?;
        let part = Arc::new(score_stored(
            info,
            ids,
            &self.cache,
            &self.token_df,
            &self.owners,
            self.forms,
            None,
        ));
        self.searched
            .entry(q.name.clone())
            .or_default()
            .push((q.clone(), part.clone()));
        Ok(part)
    }

    /// Reads ahead for an import's signers: their exact names, and for
    /// each name the registry does not hold, its candidates, scored.
    fn prepare(
        &mut self,
        sigs: &[&Signatory],
        reg: &dyn Registry,
        progress: &dyn Progress,
    ) -> Result<(), LookupError> {
        self.load(reg, true)?;
        let mut names: Vec<&str> = sigs.iter().map(|s| s.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names.retain(|n| !self.keys.contains_key(*n));
        let keys = par_map(names.len(), |i| name_key(names[i]), &|_| {});
        for (n, k) in names.into_iter().zip(keys) {
            self.keys.insert(n.to_string(), k);
        }
        let keys: Vec<String> = sigs.iter().map(|s| self.keys[&s.name].clone()).collect();
        self.read_exact(reg, &keys)?;

        // The names an exact match will not settle (judgements and the
        // import's own forms aside): searched now, for all at once.
        let mut queries: Vec<Query> = sigs
            .iter()
            .zip(&keys)
            .filter(|(s, k)| {
                s.kind == Kind::Organization
                    && !k.is_empty()
                    && !self.exact[k.as_str()]
                        .iter()
                        .any(|f| f.kind == Kind::Organization)
            })
            .map(|(s, _)| Query::of(s))
            .filter(|q| self.searched_part(q).is_none())
            .collect();
        queries.sort_by(|a, b| {
            (&a.name, &a.acronym, &a.country).cmp(&(&b.name, &b.acronym, &b.country))
        });
        queries.dedup();
        if queries.is_empty() {
            return Ok(());
        }
        // Each new name is ranked, then scored: two steps.
        progress.start(
            2 * queries.len() as u64,
            "searching the registry for new names",
        );
        let tick = |n: u64| progress.inc(n);
        let infos = par_map(queries.len(), |i| queries[i].info(), &|_| {});

        // Every stored key those searches read, in one pass.
        let mut exact_keys: Vec<String> = Vec::new();
        let mut hashes: Vec<i64> = Vec::new();
        for info in &infos {
            blocks::search_hashes(info, &mut exact_keys, &mut hashes);
        }
        hashes.sort_unstable();
        hashes.dedup();
        self.read_exact(reg, &exact_keys)?;
        let mut ahead = blocks::ReadAhead::default();
        for chunk in hashes.chunks(BATCH) {
            ahead.hashed.extend(reg.postings(chunk, true)?);
        }
        for k in exact_keys {
            if ahead.exact.contains_key(&k) {
                continue;
            }
            let mut ids: Vec<i64> = self.exact[&k].iter().map(|f| f.alias_id).collect();
            if ids.is_empty() {
                continue;
            }
            ids.sort_unstable();
            let posting = super::Posting {
                forms: ids.len(),
                ids: Some(ids),
            };
            ahead.exact.insert(k, posting);
        }
        drop(hashes);
        let forms = self.forms;
        let ids = par_map(
            infos.len(),
            |i| blocks::rank(&infos[i], &ahead, forms),
            &tick,
        );
        drop(ahead);
        let mut all_ids: Vec<i64> = ids.iter().flatten().copied().collect();
        all_ids.sort_unstable();
        all_ids.dedup();
        let info_refs: Vec<&NameInfo> = infos.iter().collect();
        self.read_for_scoring(reg, &info_refs, &all_ids)?;

        let (cache, token_df, owners) = (&self.cache, &self.token_df, &self.owners);
        let parts = par_map(
            infos.len(),
            |i| {
                score_stored(
                    infos[i].clone(),
                    ids[i].clone(),
                    cache,
                    token_df,
                    owners,
                    forms,
                    None,
                )
            },
            &tick,
        );
        for (q, p) in queries.into_iter().zip(parts) {
            self.searched
                .entry(q.name.clone())
                .or_default()
                .push((q, Arc::new(p)));
        }
        Ok(())
    }

    /// The prepared name of a scored candidate.
    fn name_at(&self, at: At) -> &NameInfo {
        match at {
            At::Stored(id) => &self.cache[&id].info,
            At::Added(i) => self.added.index.name(i),
        }
    }

    /// Notes a printed form the import added.
    fn learn(&mut self, org_id: i64, sig: &Signatory) {
        let info = NameInfo::new(&sig.name, sig.acronym.as_deref(), sig.country.as_deref());
        let form = AddedForm {
            org_id,
            name: sig.name.clone(),
            key: info.key.clone(),
            kind: sig.kind,
        };
        let place = self.added.forms.len() as u32;
        self.added
            .by_key
            .entry(form.key.clone())
            .or_default()
            .push(place);
        self.added
            .org_keys
            .entry(org_id)
            .or_default()
            .push(form.key.clone());
        // Owners are full names: a bare acronym owns nothing.
        if !info.is_acronym {
            for a in info.all_acronyms() {
                let owners = self.added.owners.entry(a.clone()).or_default();
                if !owners.contains(&org_id) {
                    owners.push(org_id);
                }
            }
        }
        // Its words are one form more common now.
        let mut words: Vec<&String> = info.tokens.iter().collect();
        words.sort_unstable();
        words.dedup();
        for w in words {
            *self.added.df.entry(w.clone()).or_default() += 1;
        }
        self.added.forms.push(form);
        self.added.index.add(info);
    }

    fn decide(&mut self, sig: &Signatory, reg: &dyn Registry) -> Result<Decision, LookupError> {
        self.load(reg, false)?;
        let key = self.key_of(&sig.name);
        if key.is_empty() {
            return Ok(Decision::New {
                reason: "new: the name has no letters to compare".into(),
            });
        }
        self.read_judgements(reg, &key)?;
        // A person's "same" first: the oldest organization holding a name
        // judged the same as this one.
        if let Some(partners) = self.same_partners.get(&key).cloned() {
            let stored = reg.forms_by_keys(&partners)?.into_iter().next();
            let added = || {
                partners
                    .iter()
                    .filter_map(|p| self.added.by_key.get(p))
                    .flatten()
                    .map(|&i| &self.added.forms[i as usize])
                    .min_by_key(|f| f.org_id)
                    .map(|f| (f.org_id, f.key.clone()))
            };
            if let Some((org_id, partner)) = stored.map(|f| (f.org_id, f.key)).or_else(added) {
                let holds_form = self
                    .same_key(reg, &key)?
                    .iter()
                    .any(|g| g.org_id == org_id && g.name == sig.name);
                return Ok(Decision::Known {
                    org_id,
                    reason: format!("a person judged \"{}\" the same as \"{partner}\"", sig.name),
                    holds_form: Some(holds_form),
                });
            }
        }
        // Exact key: the same name once folded. The forms read here also
        // tell whether the organization already holds this very printed
        // form (then the importer adds no alias).
        if !self.exact.contains_key(&key) {
            self.read_exact(reg, std::slice::from_ref(&key))?;
        }
        let mut same_key: Vec<(i64, Kind, &str)> = self.exact[&key]
            .iter()
            .map(|f| (f.org_id, f.kind, f.name.as_str()))
            .chain(
                self.added
                    .by_key
                    .get(&key)
                    .into_iter()
                    .flatten()
                    .map(|&i| &self.added.forms[i as usize])
                    .map(|f| (f.org_id, f.kind, f.name.as_str())),
            )
            .collect();
        // By organization (stable: the registry's forms before the import's).
        same_key.sort_by_key(|f| f.0);
        let holds = |org: i64| same_key.iter().any(|g| g.0 == org && g.2 == sig.name);
        if self.judgements.different.is_empty() {
            if let Some(f) = same_key.iter().find(|f| f.1 == sig.kind) {
                return Ok(Decision::Known {
                    org_id: f.0,
                    reason: format!("same name key as organization {} \"{}\"", f.0, f.2),
                    holds_form: Some(holds(f.0)),
                });
            }
        } else {
            let owned: Vec<(i64, Kind, String)> = same_key
                .iter()
                .map(|f| (f.0, f.1, f.2.to_string()))
                .collect();
            let holds: Vec<bool> = owned.iter().map(|f| holds(f.0)).collect();
            for (f, holds) in owned.iter().zip(holds) {
                if f.1 == sig.kind && !self.differs(reg, f.0, &key)? {
                    return Ok(Decision::Known {
                        org_id: f.0,
                        reason: format!("same name key as organization {} \"{}\"", f.0, f.2),
                        holds_form: Some(holds),
                    });
                }
            }
        }
        if sig.kind == Kind::Individual {
            return Ok(Decision::New {
                reason: "new: people are matched on their exact name only".into(),
            });
        }
        let part = match self.searched.get(&sig.name).and_then(|v| {
            v.iter()
                .find(|(k, _)| k.acronym == sig.acronym && k.country == sig.country)
        }) {
            Some((_, p)) => p.clone(),
            None => self.stored_part(reg, &Query::of(sig))?,
        };
        let info = part.info.clone();
        // The forms the import added: a name's own earlier variants.
        let mut added_ids: Vec<u32> = if self.added.forms.is_empty() {
            Vec::new()
        } else {
            self.added.index.candidates(&info)
        };
        added_ids.retain(|&i| self.added.forms[i as usize].kind == Kind::Organization);
        let mut tokens: Vec<String> = Vec::new();
        let mut asked = part.acronyms.clone();
        for &i in &added_ids {
            let n = self.added.index.name(i);
            tokens.extend(n.tokens.iter().cloned());
            asked.extend(acronyms_asked_of(&[n]));
        }
        self.read_df(reg, tokens.iter())?;
        self.read_owners(reg, &asked)?;
        let mut vetoed: FastMap<i64, bool> = FastMap::default();
        let orgs: Vec<i64> = part
            .scored
            .iter()
            .map(|s| s.org_id)
            .chain(
                added_ids
                    .iter()
                    .map(|&i| self.added.forms[i as usize].org_id),
            )
            .collect();
        for org in orgs {
            if let Entry::Vacant(slot) = vetoed.entry(org) {
                slot.insert(self.differs(reg, org, &key)?);
            }
        }

        let mut ctx = Ctx {
            token_df: &self.token_df,
            added_df: Some(&self.added.df),
            forms: self.forms + self.added.forms.len(),
            owners: &self.owners,
            added: Some(&self.added.owners),
            query_owners: None,
        };
        let stored_cands = part.ids.iter().filter_map(|id| self.cache.get(id));
        ctx.query_owners = query_owners(
            &info,
            &ctx,
            stored_cands
                .map(|c| (c.form.org_id, &c.info))
                .chain(added_ids.iter().map(|&i| {
                    (
                        self.added.forms[i as usize].org_id,
                        self.added.index.name(i),
                    )
                })),
        );
        // A score that leaned on an acronym the import gave an owner, or a
        // bare acronym that the import's names may abbreviate, is worked
        // out again with them.
        let stale = part
            .acronyms
            .iter()
            .any(|a| self.added.owners.contains_key(a))
            || (info.is_acronym && !added_ids.is_empty());
        let weights = token_weights(&info, &ctx);
        let rescored;
        let stored_scored: &[Scored] = if stale {
            rescored = part
                .ids
                .iter()
                .filter_map(|id| self.cache.get(id))
                .filter(|c| c.form.kind == Kind::Organization)
                .map(|c| {
                    let (value, _) =
                        compare_value_weighted(&info, &c.info, (&weights, &c.weights), &ctx);
                    Scored {
                        at: At::Stored(c.form.alias_id),
                        org_id: c.form.org_id,
                        value,
                        acronym_form: c.info.is_acronym,
                    }
                })
                .collect::<Vec<_>>();
            &rescored
        } else {
            &part.scored
        };
        let added_scored: Vec<Scored> = added_ids
            .iter()
            .map(|&i| {
                let other = self.added.index.name(i);
                let (value, _) = compare_value(&info, other, &ctx);
                Scored {
                    at: At::Added(i),
                    org_id: self.added.forms[i as usize].org_id,
                    value,
                    acronym_form: other.is_acronym,
                }
            })
            .collect();
        let mut best: Option<&Scored> = None;
        for s in stored_scored.iter().chain(&added_scored) {
            if vetoed[&s.org_id] {
                continue;
            }
            if best.is_none_or(|b| s.value > b.value) {
                best = Some(s);
            }
        }
        let Some(best) = best else {
            return Ok(Decision::New {
                reason: "new: no organization in the registry is close enough".into(),
            });
        };
        let other = self.name_at(best.at);
        let mut score = compare(&info, other, &ctx);
        // A full name reached through an organization's bare acronym
        // ("Kishuto Refugee Rights" through "KRR"): when that organization
        // already has a full name this one is not, the acronym is theirs,
        // and this is another body with the same initials.
        if best.acronym_form && !info.is_acronym && score.band == Band::Auto {
            let acr = &other.key;
            let mut keys = reg.org_keys(best.org_id)?;
            keys.extend(
                self.added
                    .org_keys
                    .get(&best.org_id)
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
            let clash = keys.iter().filter(|k| *k != acr).find(|k| {
                let full = NameInfo::new(k, None, None);
                !full.is_acronym
                    && full.joined != *acr
                    && compare(&info, &full, &ctx).band == Band::Apart
            });
            if let Some(k) = clash {
                score.value = score.value.min(0.8);
                score.band = Band::Review;
                score.reasons.push(format!(
                    "but the acronym belongs to \"{k}\", which this name is not"
                ));
            }
        }
        Ok(match score.band {
            // Never a form it holds: that would have matched on its key.
            Band::Auto => Decision::Known {
                org_id: best.org_id,
                holds_form: Some(false),
                reason: format!(
                    "matched \"{}\" ({:.2}): {}",
                    other.raw,
                    score.value,
                    score.reasons.join("; ")
                ),
            },
            Band::Review => Decision::New {
                reason: format!(
                    "new: closest is organization {} \"{}\" ({:.2}), left for review (undersigned review)",
                    best.org_id, other.raw, score.value
                ),
            },
            Band::Apart => Decision::New {
                reason: "new: no organization in the registry is close enough".into(),
            },
        })
    }
}

/// [`acronyms_asked`] of candidates alone.
fn acronyms_asked_of(cands: &[&NameInfo]) -> Vec<String> {
    let mut out = Vec::new();
    for n in cands {
        if n.is_acronym {
            out.push(n.printed_acronyms[0].clone());
        }
        if n.tokens.len() <= 2 && !n.joined.is_empty() {
            out.push(n.joined.clone());
        }
    }
    out
}

impl Matcher for Engine {
    fn decide(&self, sig: &Signatory, reg: &dyn Registry) -> Result<Decision, LookupError> {
        self.state.borrow_mut().decide(sig, reg)
    }

    fn prepare(
        &self,
        sigs: &[&Signatory],
        reg: &dyn Registry,
        progress: &dyn Progress,
    ) -> Result<(), LookupError> {
        self.state.borrow_mut().prepare(sigs, reg, progress)
    }

    fn learn(&self, org_id: i64, sig: &Signatory) {
        self.state.borrow_mut().learn(org_id, sig);
    }
}
