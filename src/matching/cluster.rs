//! Clustering a set of names into organizations: candidate pairs from the
//! index, scored, merged greedily from the best score down when in the
//! automatic band, never across a "different" judgement or two different
//! printed countries; "same" judgements merge first. Doubtful pairs are
//! returned for review.

use std::collections::{HashMap, HashSet};

use super::index::Index;
use super::keys::NameInfo;
use super::score::{compare, Band, Context, Score, Stats};

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
        self.different.contains(&pair_key(a, b))
    }
    pub fn is_same(&self, a: &str, b: &str) -> bool {
        self.same.contains(&pair_key(a, b))
    }
}

/// The outcome of clustering.
pub struct Clustering {
    /// Cluster number of each name (the smallest name index in it).
    pub cluster_of: Vec<usize>,
    /// Pairs merged automatically, with their scores.
    pub merged: Vec<(usize, usize, Score)>,
    /// Pairs for a person to decide, with their scores.
    pub review: Vec<(usize, usize, Score)>,
    /// Candidate pairs scored (blocking output), each counted once.
    pub candidate_pairs: usize,
    /// The candidate sets, for measuring blocking recall.
    pub candidates: Vec<HashSet<usize>>,
}

struct Dsu {
    parent: Vec<usize>,
    keys: Vec<HashSet<String>>,
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
        for ka in &self.keys[ra] {
            for kb in &self.keys[rb] {
                if j.is_different(ka, kb) {
                    return false;
                }
            }
        }
        let (ca, cb) = (&self.countries[ra], &self.countries[rb]);
        if !ca.is_empty() && !cb.is_empty() && ca.is_disjoint(cb) {
            return false;
        }
        let (root, child) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[child] = root;
        let keys = std::mem::take(&mut self.keys[child]);
        self.keys[root].extend(keys);
        let cs = std::mem::take(&mut self.countries[child]);
        self.countries[root].extend(cs);
        true
    }
}

/// Clusters `names`; `owner` groups names known to be one organization
/// already (for acronym uniqueness), or `None` to use fingerprints.
pub fn cluster(names: &[NameInfo], judgements: &Judgements) -> Clustering {
    let mut index = Index::new();
    for n in names {
        index.add(n.clone());
    }
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
                stats
                    .acronyms
                    .entry(acr.clone())
                    .or_default()
                    .insert(first.cluster_of[c as usize]);
            }
        }
    }
    cluster_with(names, &index, &stats, judgements)
}

/// Clusters with a prepared index and context.
pub fn cluster_with(
    names: &[NameInfo],
    index: &Index,
    ctx: &dyn Context,
    judgements: &Judgements,
) -> Clustering {
    let n = names.len();
    let mut candidates: Vec<HashSet<usize>> = vec![HashSet::new(); n];
    let mut scored: Vec<(usize, usize, Score)> = Vec::new();
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    for (i, name) in names.iter().enumerate() {
        for c in index.candidates(name) {
            let j = c as usize;
            if j == i {
                continue;
            }
            candidates[i].insert(j);
            let p = (i.min(j), i.max(j));
            if !seen.insert(p) {
                continue;
            }
            let s = compare(&names[p.0], &names[p.1], ctx);
            scored.push((p.0, p.1, s));
        }
    }
    let candidate_pairs = seen.len();
    let mut dsu = Dsu {
        parent: (0..n).collect(),
        keys: names
            .iter()
            .map(|x| HashSet::from([x.key.clone()]))
            .collect(),
        countries: names
            .iter()
            .map(|x| x.country.iter().cloned().collect())
            .collect(),
    };
    // A person's "same" comes first.
    let mut merged = Vec::new();
    for (a, b, s) in &scored {
        if judgements.is_same(&names[*a].key, &names[*b].key) {
            dsu.union(*a, *b, judgements);
            merged.push((*a, *b, s.clone()));
        }
    }
    scored.sort_by(|x, y| {
        y.2.value
            .total_cmp(&x.2.value)
            .then((x.0, x.1).cmp(&(y.0, y.1)))
    });
    let mut review = Vec::new();
    for (a, b, s) in scored {
        if judgements.is_same(&names[a].key, &names[b].key) {
            continue;
        }
        match s.band {
            Band::Auto => {
                if !judgements.is_different(&names[a].key, &names[b].key)
                    && dsu.union(a, b, judgements)
                {
                    merged.push((a, b, s));
                }
            }
            Band::Review => {
                if !judgements.is_different(&names[a].key, &names[b].key) {
                    review.push((a, b, s));
                }
            }
            Band::Apart => {}
        }
    }
    let cluster_of: Vec<usize> = (0..n).map(|i| dsu.find(i)).collect();
    // A review pair already joined by other merges needs no person.
    review.retain(|(a, b, _)| cluster_of[*a] != cluster_of[*b]);
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
