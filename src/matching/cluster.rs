//! Clustering a set of names into organizations: candidate pairs from the
//! index, scored, merged greedily from the best score down when in the
//! automatic band, never across a "different" judgement or two different
//! printed countries; "same" judgements merge first. Doubtful pairs are
//! returned for review.

use std::collections::{HashMap, HashSet};

use super::fast::par_map;
use super::index::Index;
use super::keys::NameInfo;
use super::score::{compare, compare_value_weighted, token_weights, Band, Context, Score, Stats};
use crate::progress::{Progress, Silent};

/// People's decisions, keyed by pairs of name keys (smaller first).
#[derive(Debug, Default, Clone)]
pub struct Judgements {
    pub same: HashSet<(String, String)>,
    pub different: HashSet<(String, String)>,
}

pub fn pair_key(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

impl Judgements {
    pub fn is_different(&self, a: &str, b: &str) -> bool {
        !self.different.is_empty() && self.different.contains(&pair_key(a, b))
    }
    pub fn is_same(&self, a: &str, b: &str) -> bool {
        !self.same.is_empty() && self.same.contains(&pair_key(a, b))
    }
}

/// The outcome of clustering.
pub struct Clustering {
    /// Cluster number of each name (the smallest name index in it).
    pub cluster_of: Vec<usize>,
    /// Pairs merged, with their score values (a person's "same" first).
    /// Reasons are not written here: most merges join two forms of one
    /// organization, and a caller that shows a merge asks
    /// [`compare`](super::score::compare) for that one.
    pub merged: Vec<(usize, usize, f64)>,
    /// Pairs for a person to decide, with their scores.
    pub review: Vec<(usize, usize, Score)>,
    /// Candidate pairs scored (blocking output), each counted once.
    pub candidate_pairs: usize,
    /// Each name's candidates (itself left out), ascending: the blocking,
    /// for measuring its recall.
    pub candidates: Vec<Vec<u32>>,
}

impl Clustering {
    /// True when the blocking paired names `i` and `j` (either way).
    pub fn blocked_together(&self, i: usize, j: usize) -> bool {
        self.candidates[i].binary_search(&(j as u32)).is_ok()
            || self.candidates[j].binary_search(&(i as u32)).is_ok()
    }
}

struct Dsu {
    parent: Vec<usize>,
    /// Name keys per cluster, kept only when some "different" judgement
    /// could veto a union.
    keys: Option<Vec<HashSet<String>>>,
    countries: Vec<HashSet<String>>,
}

impl Dsu {
    fn find(&mut self, x: usize) -> usize {
        let mut r = x;
        while self.parent[r] != r {
            r = self.parent[r];
        }
        let mut x = x;
        while self.parent[x] != r {
            let next = self.parent[x];
            self.parent[x] = r;
            x = next;
        }
        r
    }

    /// Joins two clusters unless a judgement or two printed countries
    /// forbid it; returns whether they were joined.
    fn union(&mut self, a: usize, b: usize, j: &Judgements) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return true;
        }
        if let Some(keys) = &self.keys {
            for ka in &keys[ra] {
                for kb in &keys[rb] {
                    if j.is_different(ka, kb) {
                        return false;
                    }
                }
            }
        }
        let (ca, cb) = (&self.countries[ra], &self.countries[rb]);
        if !ca.is_empty() && !cb.is_empty() && ca.is_disjoint(cb) {
            return false;
        }
        let (root, child) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[child] = root;
        if let Some(keys) = &mut self.keys {
            let moved = std::mem::take(&mut keys[child]);
            keys[root].extend(moved);
        }
        let cs = std::mem::take(&mut self.countries[child]);
        self.countries[root].extend(cs);
        true
    }
}

/// Clusters `names`; `owner` groups names known to be one organization
/// already (for acronym uniqueness), or `None` to use fingerprints.
pub fn cluster(names: &[NameInfo], judgements: &Judgements) -> Clustering {
    let index = Index::build(names.to_vec());
    // Acronym uniqueness counts organizations, not spellings: a first
    // pass groups the names, a second resolves acronyms against groups.
    let mut fp_owner: HashMap<&str, usize> = HashMap::new();
    let owner: Vec<usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| *fp_owner.entry(n.fingerprint.as_str()).or_insert(i))
        .collect();
    let mut provisional = Stats::new(names, &owner);
    provisional.acronyms_unknown = true;
    let first = cluster_with(names, &index, &provisional, judgements);
    let mut stats = Stats::new(names, &first.cluster_of);
    // A bare acronym is owned by every organization it abbreviates, by
    // initials, printed form or word beginnings.
    for n in names.iter().filter(|n| n.is_acronym) {
        let acr = &n.printed_acronyms[0];
        for c in index.candidates(n) {
            let full = &names[c as usize];
            // "Forum Asia" is the acronym written out, not another owner.
            if !full.is_acronym
                && full.joined != *acr
                && super::score::abbreviates(acr, &full.tokens)
            {
                stats.add_owner(acr, first.cluster_of[c as usize]);
            }
        }
    }
    cluster_with(names, &index, &stats, judgements)
}

/// Clusters with a prepared index and context.
pub fn cluster_with(
    names: &[NameInfo],
    index: &Index,
    ctx: &(dyn Context + Sync),
    judgements: &Judgements,
) -> Clustering {
    cluster_with_progress(names, index, ctx, judgements, &Silent)
}

/// A scored pair of names: (smaller index, larger index, score, band).
type Pair = (u32, u32, f64, Band);

/// [`cluster_with`], telling `progress` as names are blocked and scored
/// (twice the number of names in all). Blocking and scoring run on every
/// CPU; only pairs that could merge or need a person are kept, and their
/// reasons are written only for those that do.
pub fn cluster_with_progress(
    names: &[NameInfo],
    index: &Index,
    ctx: &(dyn Context + Sync),
    judgements: &Judgements,
    progress: &dyn Progress,
) -> Clustering {
    let n = names.len();
    progress.start(2 * n as u64, "clustering names");
    let tick = |k: u64| progress.inc(k);
    let candidates: Vec<Vec<u32>> = par_map(
        n,
        |i| {
            let mut c: Vec<u32> = index
                .candidates(&names[i])
                .into_iter()
                .filter(|&c| c as usize != i)
                .collect();
            c.sort_unstable();
            c
        },
        &tick,
    );
    // Each name's word weights, once, for the pairs it is scored in.
    let weights: Vec<Vec<f64>> = par_map(n, |i| token_weights(&names[i], ctx), &|_| {});
    // Each pair once: from its smaller end, or from its larger end when
    // the smaller did not find it.
    let any_same = !judgements.same.is_empty();
    let per_name: Vec<(usize, Vec<Pair>)> = par_map(
        n,
        |i| {
            let mut pairs = 0;
            let mut kept = Vec::new();
            for &c in &candidates[i] {
                let j = c as usize;
                if j < i && candidates[j].binary_search(&(i as u32)).is_ok() {
                    continue;
                }
                pairs += 1;
                let (a, b) = (i.min(j), i.max(j));
                let (v, band) =
                    compare_value_weighted(&names[a], &names[b], (&weights[a], &weights[b]), ctx);
                if band != Band::Apart
                    || (any_same && judgements.is_same(&names[a].key, &names[b].key))
                {
                    kept.push((a as u32, b as u32, v, band));
                }
            }
            (pairs, kept)
        },
        &tick,
    );
    let candidate_pairs = per_name.iter().map(|(p, _)| p).sum();
    let mut scored: Vec<Pair> = per_name.into_iter().flat_map(|(_, k)| k).collect();
    let mut dsu = Dsu {
        parent: (0..n).collect(),
        keys: (!judgements.different.is_empty()).then(|| {
            names
                .iter()
                .map(|x| HashSet::from([x.key.clone()]))
                .collect()
        }),
        countries: names
            .iter()
            .map(|x| x.country.iter().cloned().collect())
            .collect(),
    };
    let explain = |a: u32, b: u32| compare(&names[a as usize], &names[b as usize], ctx);
    // A person's "same" comes first, in the order the pairs were found.
    let mut merged = Vec::new();
    if any_same {
        for &(a, b, v, _) in &scored {
            if judgements.is_same(&names[a as usize].key, &names[b as usize].key) {
                dsu.union(a as usize, b as usize, judgements);
                merged.push((a as usize, b as usize, v));
            }
        }
    }
    scored.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    let mut review = Vec::new();
    for (a, b, v, band) in scored {
        let (ka, kb) = (&names[a as usize].key, &names[b as usize].key);
        if any_same && judgements.is_same(ka, kb) {
            continue;
        }
        match band {
            Band::Auto => {
                if !judgements.is_different(ka, kb) && dsu.union(a as usize, b as usize, judgements)
                {
                    merged.push((a as usize, b as usize, v));
                }
            }
            Band::Review => {
                if !judgements.is_different(ka, kb) {
                    review.push((a, b));
                }
            }
            Band::Apart => {}
        }
    }
    let cluster_of: Vec<usize> = (0..n).map(|i| dsu.find(i)).collect();
    // A review pair already joined by other merges needs no person.
    let review = review
        .into_iter()
        .filter(|(a, b)| cluster_of[*a as usize] != cluster_of[*b as usize])
        .map(|(a, b)| (a as usize, b as usize, explain(a, b)))
        .collect();
    progress.finish();
    Clustering {
        cluster_of,
        merged,
        review,
        candidate_pairs,
        candidates,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infos(names: &[&str]) -> Vec<NameInfo> {
        names
            .iter()
            .map(|s| {
                let e = crate::parse::entry::parse_entry(s, None);
                NameInfo::new(&e.name, e.acronym.as_deref(), e.country.as_deref())
            })
            .collect()
    }

    #[test]
    fn clusters_variants_and_keeps_look_alikes_apart() {
        let names = infos(&[
            "Karen Community of Iowa, IA",
            "Karenni Community of Iowa",
            "KAREN COMMUNITY OF IOWA",
            "APHR",
            "ASEAN Parliamentarians for Human Rights – APHR",
            "Human Rights Watch",
            "Burma Human Rights Watch Group",
        ]);
        let c = cluster(&names, &Judgements::default());
        assert_eq!(c.cluster_of[0], c.cluster_of[2]);
        assert_ne!(c.cluster_of[0], c.cluster_of[1]);
        assert_eq!(c.cluster_of[3], c.cluster_of[4]);
        assert_ne!(c.cluster_of[5], c.cluster_of[6]);
    }

    #[test]
    fn a_different_judgement_vetoes_and_a_same_one_merges() {
        let names = infos(&[
            "Karen Youth Organization",
            "KAREN YOUTH ORGANIZATION",
            "Karen Youth Org",
        ]);
        let mut j = Judgements::default();
        j.different.insert(pair_key(&names[0].key, &names[1].key));
        j.same.insert(pair_key(&names[0].key, &names[2].key));
        let c = cluster(&names, &j);
        assert_ne!(c.cluster_of[0], c.cluster_of[1]);
        assert_eq!(c.cluster_of[0], c.cluster_of[2]);
    }
}
