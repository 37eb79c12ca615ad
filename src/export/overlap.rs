//! Coalition overlap: which letters share signers, which organizations
//! sign together, and how countries and types mix in those ties.
//!
//! Pairs are found sparsely from the signature lists, one row at a time:
//! for each item, its neighbours' neighbours are counted in a reusable
//! accumulator, and the item's pairs are handed out before the next item
//! starts. Only pairs that share something are ever touched (never every
//! pair of organizations), and memory stays at the size of the lists.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use super::{Cell, Table};
use crate::store::overlap::{Incidence, OrgNode};

/// Two items (letters, or organizations) and what they share. Indexes are
/// into the incidence's `letters` or `orgs`; `a < b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub a: u32,
    pub b: u32,
    /// Neighbours in common: letters both signed, or signers both share.
    pub shared: u32,
    /// For organizations: the sum over shared letters of 1/(n-1), n the
    /// letter's signatory count (Newman's collaboration weight).
    pub newman: f64,
    /// For organizations: the earliest and latest dated shared letter.
    pub first: Option<u32>,
    pub last: Option<u32>,
}

/// |A ∩ B| / |A ∪ B|.
pub fn jaccard(shared: u32, size_a: usize, size_b: usize) -> f64 {
    f64::from(shared) / (size_a + size_b - shared as usize) as f64
}

/// |A ∩ B| / min(|A|, |B|): 1 when one is contained in the other.
pub fn overlap_coef(shared: u32, size_a: usize, size_b: usize) -> f64 {
    f64::from(shared) / size_a.min(size_b) as f64
}

/// Newman's weight of one letter's ties: 1/(n-1) for n signers, so a
/// letter spreads one unit of tie strength over each signer's co-signers.
fn newman_weight(inc: &Incidence, letter: u32) -> f64 {
    let l = letter as usize;
    // The letter's own count, or the kept signers if a filter somehow
    // left more (it cannot: they are a subset of the same signatures).
    let n = (inc.letters[l].signers as usize).max(inc.letter_orgs[l].len());
    if n < 2 {
        0.0
    } else {
        1.0 / (n - 1) as f64
    }
}

/// Walks the pairs of items in `rows` (each item's neighbours, ascending)
/// that share at least `min_shared` neighbours, by `a` then `b`. `cols` is
/// the other side (each neighbour's items, ascending). `weight` gives each
/// neighbour's share of a tie; `date_rank` its place in date order (`None`:
/// undated), so the inner loop compares integers, not dates.
/// Which pairs [`project`] gives, and how.
#[derive(Clone, Copy)]
struct Want<'a> {
    /// Leave out pairs sharing fewer.
    min_shared: u32,
    /// Each row's partners in order (or as found).
    ordered: bool,
    /// The rows to do (a thread's share).
    mine: &'a dyn Fn(usize) -> bool,
    /// True when no row from this one on is wanted: the walk ends.
    stop: &'a dyn Fn(usize) -> bool,
    /// Partners at this index or above are not wanted (asked once a row).
    below: &'a dyn Fn() -> u32,
}

fn project<E>(
    rows: &[Vec<u32>],
    cols: &[Vec<u32>],
    weight: &dyn Fn(u32) -> f64,
    date_rank: &[Option<u32>],
    want: Want<'_>,
    mut emit: impl FnMut(Pair) -> Result<(), E>,
) -> Result<(), E> {
    let Want {
        min_shared,
        ordered,
        mine,
        stop,
        below,
    } = want;
    const NONE: u32 = u32::MAX;
    /// One neighbour's running totals, together in memory: the inner loop
    /// touches one cache line per co-signature, not four.
    #[derive(Clone, Copy)]
    struct Acc {
        shared: u32,
        /// Earliest and latest dated shared letter: rank, then letter.
        first: (u32, u32),
        last: (u32, u32),
        weight: f64,
    }
    const EMPTY: Acc = Acc {
        shared: 0,
        first: (NONE, NONE),
        last: (NONE, NONE),
        weight: 0.0,
    };
    let n = rows.len();
    let mut acc = vec![EMPTY; n];
    let mut touched: Vec<u32> = Vec::new();
    for (a, neighbours) in rows.iter().enumerate() {
        if stop(a) {
            break;
        }
        if !mine(a) {
            continue;
        }
        let limit = below();
        for &via in neighbours {
            let w = weight(via);
            let rank = date_rank.get(via as usize).copied().flatten();
            let items = &cols[via as usize];
            let start = items.partition_point(|&x| x as usize <= a);
            let end = items.partition_point(|&x| x < limit);
            for &b in &items[start..end.max(start)] {
                let e = &mut acc[b as usize];
                if e.shared == 0 {
                    touched.push(b);
                }
                e.shared += 1;
                e.weight += w;
                if let Some(r) = rank {
                    if e.first.0 == NONE || r < e.first.0 {
                        e.first = (r, via);
                    }
                    if e.last.0 == NONE || r > e.last.0 {
                        e.last = (r, via);
                    }
                }
            }
        }
        if ordered {
            touched.sort_unstable();
        }
        for &b in &touched {
            let e = std::mem::replace(&mut acc[b as usize], EMPTY);
            if e.shared >= min_shared {
                emit(Pair {
                    a: a as u32,
                    b,
                    shared: e.shared,
                    newman: e.weight,
                    first: (e.first.1 != NONE).then_some(e.first.1),
                    last: (e.last.1 != NONE).then_some(e.last.1),
                })?;
            }
        }
        touched.clear();
    }
    Ok(())
}

/// Each letter's place in date order (equal dates share a place); `None`
/// for an undated letter.
fn date_ranks(inc: &Incidence) -> Vec<Option<u32>> {
    let mut dated: Vec<(&str, usize)> = inc
        .letters
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.date.as_deref().map(|d| (d, i)))
        .collect();
    dated.sort_unstable();
    let mut ranks = vec![None; inc.letters.len()];
    let mut rank = 0u32;
    for (k, (d, i)) in dated.iter().enumerate() {
        if k > 0 && dated[k - 1].0 != *d {
            rank += 1;
        }
        ranks[*i] = Some(rank);
    }
    ranks
}

/// Every pair of organizations that signed at least `min_shared` letters
/// together, by first organization id then second. A letter with one
/// signer makes no pair.
pub fn org_pairs<E>(
    inc: &Incidence,
    min_shared: u32,
    emit: impl FnMut(Pair) -> Result<(), E>,
) -> Result<(), E> {
    org_pairs_in(inc, min_shared, true, emit)
}

/// [`org_pairs`], in order of `a` only when `ordered` is false (for
/// callers that rank or sum the pairs: sorting each organization's
/// neighbours is a third of the work).
fn org_pairs_in<E>(
    inc: &Incidence,
    min_shared: u32,
    ordered: bool,
    emit: impl FnMut(Pair) -> Result<(), E>,
) -> Result<(), E> {
    project(
        &inc.org_letters,
        &inc.letter_orgs,
        &|l| newman_weight(inc, l),
        &date_ranks(inc),
        Want {
            min_shared,
            ordered,
            mine: &|_| true,
            stop: &|_| false,
            below: &|| u32::MAX,
        },
        emit,
    )
}

/// Every pair of letters with at least `min_shared` signers in common, by
/// first letter id then second.
pub fn letter_pairs<E>(
    inc: &Incidence,
    min_shared: u32,
    emit: impl FnMut(Pair) -> Result<(), E>,
) -> Result<(), E> {
    project(
        &inc.letter_orgs,
        &inc.org_letters,
        &|_| 0.0,
        &[],
        Want {
            min_shared,
            ordered: true,
            mine: &|_| true,
            stop: &|_| false,
            below: &|| u32::MAX,
        },
        emit,
    )
}

/// A pair ranked by strength: more shared letters first, then the larger
/// Newman weight, then the lower ids.
struct Ranked(Pair);

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .shared
            .cmp(&other.0.shared)
            .then(self.0.newman.total_cmp(&other.0.newman))
            .then((other.0.a, other.0.b).cmp(&(self.0.a, self.0.b)))
    }
}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ranked {}

/// The `k` strongest organization pairs (see [`Ranked`]), strongest
/// first. Memory holds `k` pairs, however many there are.
///
/// Two organizations share at most as many letters as the one that signed
/// fewer, so the organizations are taken from the most letters signed
/// down, each paired only with those that signed no more (fewer, or as
/// many and later in that order): once `k` pairs sharing `s` letters are
/// held, an organization that signed fewer than `s` letters can add no
/// pair strong enough, nor can any after it, and the walk stops; nor is
/// such an organization counted as anyone's partner.
pub fn top_org_pairs(inc: &Incidence, min_shared: u32, k: usize) -> Vec<Pair> {
    if k == 0 {
        return Vec::new();
    }
    // Organizations by letters signed, most first: `order[p]` is the
    // organization at place `p`, and the lists are rewritten in places.
    let mut order: Vec<u32> = (0..inc.orgs.len() as u32).collect();
    order.sort_by_key(|&o| (std::cmp::Reverse(inc.org_letters[o as usize].len()), o));
    let mut place = vec![0u32; order.len()];
    for (p, &o) in order.iter().enumerate() {
        place[o as usize] = p as u32;
    }
    let rows: Vec<Vec<u32>> = order
        .iter()
        .map(|&o| inc.org_letters[o as usize].clone())
        .collect();
    let degree: Vec<u32> = rows.iter().map(|r| r.len() as u32).collect();
    let cols: Vec<Vec<u32>> = crate::matching::fast::par_map(
        inc.letter_orgs.len(),
        |l| {
            let mut v: Vec<u32> = inc.letter_orgs[l]
                .iter()
                .map(|&o| place[o as usize])
                .collect();
            v.sort_unstable();
            v
        },
        &|_| {},
    );
    // The weakest kept pair's shared letters, the strongest over every
    // CPU's own k: no pair sharing fewer can be among the answer.
    let floor = std::sync::atomic::AtomicU32::new(min_shared);
    let threads = crate::matching::fast::threads().max(1);
    let ranks = date_ranks(inc);
    let heaps: Vec<BinaryHeap<std::cmp::Reverse<Ranked>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (ranks, rows, cols, degree, order, floor) =
                    (&ranks, &rows, &cols, &degree, &order, &floor);
                s.spawn(move || {
                    let mut heap: BinaryHeap<std::cmp::Reverse<Ranked>> =
                        BinaryHeap::with_capacity(k + 1);
                    // Every CPU takes its share of the organizations in
                    // small runs, in turn: the first have the most partners.
                    let mine = |a: usize| {
                        (a / 64) % threads == t
                            && degree[a] >= floor.load(std::sync::atomic::Ordering::Relaxed)
                    };
                    let _ = project::<()>(
                        rows,
                        cols,
                        &|l| newman_weight(inc, l),
                        ranks,
                        Want {
                            min_shared,
                            ordered: false,
                            mine: &mine,
                            stop: &|a| degree[a] < floor.load(std::sync::atomic::Ordering::Relaxed),
                            // Organizations are in order of letters signed:
                            // those that signed fewer than the floor are
                            // the end of every letter's list.
                            below: &|| {
                                let f = floor.load(std::sync::atomic::Ordering::Relaxed);
                                degree.partition_point(|&d| d >= f) as u32
                            },
                        },
                        |mut p| {
                            // Back to the organizations' own order, a < b.
                            let (a, b) = (order[p.a as usize], order[p.b as usize]);
                            (p.a, p.b) = (a.min(b), a.max(b));
                            if heap.len() == k {
                                // Most pairs are weaker than the weakest
                                // kept: one comparison.
                                let weakest = heap.peek().map(|r| &r.0);
                                if weakest.is_some_and(|w| Ranked(p.clone()) <= *w) {
                                    return Ok(());
                                }
                            }
                            heap.push(std::cmp::Reverse(Ranked(p)));
                            if heap.len() > k {
                                heap.pop();
                            }
                            if heap.len() == k {
                                if let Some(w) = heap.peek() {
                                    floor.fetch_max(
                                        w.0 .0.shared,
                                        std::sync::atomic::Ordering::Relaxed,
                                    );
                                }
                            }
                            Ok(())
                        },
                    );
                    heap
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut v: Vec<Ranked> = heaps.into_iter().flatten().map(|r| r.0).collect();
    v.sort_by(|x, y| y.cmp(x));
    v.truncate(k);
    v.into_iter().map(|r| r.0).collect()
}

pub const LETTER_PAIR_COLUMNS: [&str; 9] = [
    "letter_a",
    "letter_b",
    "title_a",
    "title_b",
    "shared",
    "size_a",
    "size_b",
    "jaccard",
    "overlap_coef",
];

/// A letter pair as a row of [`LETTER_PAIR_COLUMNS`]; sizes count the
/// signers the filters keep.
pub fn letter_pair_row(inc: &Incidence, p: &Pair) -> Vec<Cell> {
    let (a, b) = (&inc.letters[p.a as usize], &inc.letters[p.b as usize]);
    let (na, nb) = (
        inc.letter_orgs[p.a as usize].len(),
        inc.letter_orgs[p.b as usize].len(),
    );
    vec![
        a.letter_id.into(),
        b.letter_id.into(),
        a.title.clone().into(),
        b.title.clone().into(),
        i64::from(p.shared).into(),
        (na as i64).into(),
        (nb as i64).into(),
        jaccard(p.shared, na, nb).into(),
        overlap_coef(p.shared, na, nb).into(),
    ]
}

pub const ORG_PAIR_COLUMNS: [&str; 12] = [
    "org_a",
    "org_b",
    "name_a",
    "name_b",
    "shared",
    "letters_a",
    "letters_b",
    "jaccard",
    "overlap_coef",
    "newman_weight",
    "first_shared",
    "last_shared",
];

/// An organization pair as a row of [`ORG_PAIR_COLUMNS`]; letter counts
/// are of the letters the filters keep.
pub fn org_pair_row(inc: &Incidence, p: &Pair) -> Vec<Cell> {
    let (a, b) = (&inc.orgs[p.a as usize], &inc.orgs[p.b as usize]);
    let (na, nb) = (
        inc.org_letters[p.a as usize].len(),
        inc.org_letters[p.b as usize].len(),
    );
    let date = |l: Option<u32>| l.and_then(|l| inc.letters[l as usize].date.clone());
    vec![
        a.org_id.into(),
        b.org_id.into(),
        a.name.as_str().into(),
        b.name.as_str().into(),
        i64::from(p.shared).into(),
        (na as i64).into(),
        (nb as i64).into(),
        jaccard(p.shared, na, nb).into(),
        overlap_coef(p.shared, na, nb).into(),
        p.newman.into(),
        date(p.first).into(),
        date(p.last).into(),
    ]
}

/// Co-signature ties between two groups (countries, or types).
#[derive(Debug, Clone, PartialEq)]
pub struct MixRow {
    /// The two groups, `a` before `b` (a group that is not known, `None`,
    /// comes last).
    pub a: Option<String>,
    pub b: Option<String>,
    /// Organization pairs with one side in each group.
    pub pairs: u64,
    /// Letters those pairs signed together, summed over the pairs.
    pub shared: u64,
    /// Their Newman weights, summed.
    pub newman: f64,
}

/// A mixing table: the ties between every two groups.
#[derive(Debug, Clone, PartialEq)]
pub struct Mixing {
    pub rows: Vec<MixRow>,
    /// All organization pairs counted.
    pub pairs: u64,
    /// Pairs whose two groups are both known.
    pub known_pairs: u64,
    /// Newman's assortativity coefficient over the known pairs, each pair
    /// one tie: 1 when ties stay within groups, 0 when they mix as by
    /// chance, negative when they cross more than chance would. `None`
    /// when there are no known pairs or only one group.
    pub assortativity: Option<f64>,
}

/// The mixing table of organization ties by the group `group` gives each
/// organization.
pub fn mixing(
    inc: &Incidence,
    min_shared: u32,
    group: impl Fn(&OrgNode) -> Option<&str>,
) -> Mixing {
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    struct Key((bool, Option<String>), (bool, Option<String>));
    let key = |g: Option<&str>| (g.is_none(), g.map(str::to_string));
    let mut cells: BTreeMap<Key, MixRow> = BTreeMap::new();
    let mut pairs = 0u64;
    let _ = org_pairs::<()>(inc, min_shared, |p| {
        let ga = group(&inc.orgs[p.a as usize]);
        let gb = group(&inc.orgs[p.b as usize]);
        let (ka, kb) = {
            let (ka, kb) = (key(ga), key(gb));
            if ka <= kb {
                (ka, kb)
            } else {
                (kb, ka)
            }
        };
        let row = cells
            .entry(Key(ka.clone(), kb.clone()))
            .or_insert_with(|| MixRow {
                a: ka.1,
                b: kb.1,
                pairs: 0,
                shared: 0,
                newman: 0.0,
            });
        row.pairs += 1;
        row.shared += u64::from(p.shared);
        row.newman += p.newman;
        pairs += 1;
        Ok(())
    });
    let rows: Vec<MixRow> = cells.into_values().collect();

    // e_ij: the share of known ties joining groups i and j, split evenly
    // between e_ij and e_ji; a_i: the share of tie ends in group i.
    let known: Vec<&MixRow> = rows
        .iter()
        .filter(|r| r.a.is_some() && r.b.is_some())
        .collect();
    let known_pairs: u64 = known.iter().map(|r| r.pairs).sum();
    let assortativity = if known_pairs == 0 {
        None
    } else {
        let m = known_pairs as f64;
        let mut within = 0.0;
        let mut ends: BTreeMap<&str, f64> = BTreeMap::new();
        for r in &known {
            let (a, b) = (r.a.as_deref().unwrap_or(""), r.b.as_deref().unwrap_or(""));
            let e = r.pairs as f64 / m;
            if a == b {
                within += e;
                *ends.entry(a).or_default() += e;
            } else {
                *ends.entry(a).or_default() += e / 2.0;
                *ends.entry(b).or_default() += e / 2.0;
            }
        }
        let chance: f64 = ends.values().map(|x| x * x).sum();
        (chance < 1.0 - 1e-12).then(|| (within - chance) / (1.0 - chance))
    };
    Mixing {
        rows,
        pairs,
        known_pairs,
        assortativity,
    }
}

/// A mixing table as rows: `{what}_a, {what}_b, pairs, shared,
/// newman_weight, fraction` (the share of all pairs).
pub fn mixing_table(m: &Mixing, col_a: &'static str, col_b: &'static str) -> Table {
    Table {
        columns: vec![col_a, col_b, "pairs", "shared", "newman_weight", "fraction"],
        rows: m
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.a.clone().into(),
                    r.b.clone().into(),
                    (r.pairs as i64).into(),
                    (r.shared as i64).into(),
                    r.newman.into(),
                    (r.pairs as f64 / m.pairs as f64).into(),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::overlap::LetterNode;

    /// Builds an incidence from letters given as (date, signers) over
    /// organizations given as (country, type).
    pub(crate) fn incidence(
        orgs: &[(Option<&str>, Option<&str>)],
        letters: &[(Option<&str>, &[u32])],
    ) -> Incidence {
        let mut inc = Incidence {
            orgs: orgs
                .iter()
                .enumerate()
                .map(|(i, (c, t))| OrgNode {
                    org_id: i as i64 + 1,
                    name: format!("Org {}", i + 1),
                    kind: "organization".into(),
                    country: c.map(str::to_string),
                    org_type: t.map(str::to_string),
                })
                .collect(),
            org_letters: vec![Vec::new(); orgs.len()],
            ..Incidence::default()
        };
        for (i, (date, signers)) in letters.iter().enumerate() {
            inc.letters.push(LetterNode {
                letter_id: i as i64 + 1,
                title: Some(format!("Letter {}", i + 1)),
                date: date.map(str::to_string),
                signers: signers.len() as u32,
            });
            inc.letter_orgs.push(signers.to_vec());
            for &o in *signers {
                inc.org_letters[o as usize].push(i as u32);
            }
        }
        inc
    }

    /// Four letters over five organizations (0-based below, ids 1-5):
    /// L1 {0,1,2} 2020-01, L2 {0,1} undated, L3 {1,3} 2019, L4 {4}.
    fn sample() -> Incidence {
        incidence(
            &[
                (Some("MM"), Some("ngo")),
                (Some("MM"), Some("ngo")),
                (Some("TH"), None),
                (Some("TH"), Some("union")),
                (None, None),
            ],
            &[
                (Some("2020-01"), &[0, 1, 2]),
                (None, &[0, 1]),
                (Some("2019"), &[1, 3]),
                (Some("2021"), &[4]),
            ],
        )
    }

    fn all_org_pairs(inc: &Incidence, min: u32) -> Vec<Pair> {
        let mut v = Vec::new();
        org_pairs::<()>(inc, min, |p| {
            v.push(p);
            Ok(())
        })
        .unwrap();
        v
    }

    #[test]
    fn org_pairs_by_hand() {
        let inc = sample();
        // (a, b, shared, newman, first, last)
        type Brief = (u32, u32, u32, String, Option<u32>, Option<u32>);
        let got: Vec<Brief> = all_org_pairs(&inc, 1)
            .into_iter()
            .map(|p| {
                (
                    p.a,
                    p.b,
                    p.shared,
                    super::super::measure(p.newman),
                    p.first,
                    p.last,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                // L1 (n=3, 1/2) and L2 (n=2, 1): 1.5; L2 is undated.
                (0, 1, 2, "1.5".into(), Some(0), Some(0)),
                (0, 2, 1, "0.5".into(), Some(0), Some(0)),
                (1, 2, 1, "0.5".into(), Some(0), Some(0)),
                // L3 (n=2): 1.
                (1, 3, 1, "1".into(), Some(2), Some(2)),
            ]
        );
        // Org 2 signed L1, L2, L3: first shared with org 1 is L1 (2020-01).
        let only_two: Vec<(u32, u32)> = all_org_pairs(&inc, 2)
            .into_iter()
            .map(|p| (p.a, p.b))
            .collect();
        assert_eq!(only_two, vec![(0, 1)]);
        // Row: jaccard 2/(2+3-2) = 2/3, overlap 2/2 = 1.
        let row = org_pair_row(&inc, &all_org_pairs(&inc, 2)[0]);
        assert_eq!(row[5], Cell::Int(2));
        assert_eq!(row[6], Cell::Int(3));
        assert_eq!(
            super::super::measure(match row[7] {
                Cell::Float(x) => x,
                _ => panic!(),
            }),
            "0.666667"
        );
        assert_eq!(row[8], Cell::Float(1.0));
        assert_eq!(row[10], Cell::Text("2020-01".into()));
    }

    #[test]
    fn first_and_last_shared_follow_dates_not_ids() {
        // L1 2022, L2 2020, L3 2021: first is L2, last L1.
        let inc = incidence(
            &[(None, None), (None, None)],
            &[
                (Some("2022-05-01"), &[0, 1]),
                (Some("2020-01-01"), &[0, 1]),
                (Some("2021-03-01"), &[0, 1]),
            ],
        );
        let p = &all_org_pairs(&inc, 1)[0];
        assert_eq!((p.first, p.last), (Some(1), Some(0)));
        assert_eq!(p.newman, 3.0);
    }

    #[test]
    fn letter_pairs_by_hand() {
        let inc = sample();
        let mut rows = Vec::new();
        letter_pairs::<()>(&inc, 1, |p| {
            rows.push(letter_pair_row(&inc, &p));
            Ok(())
        })
        .unwrap();
        let brief: Vec<(i64, i64, i64, String, String)> = rows
            .iter()
            .map(|r| {
                let f = |c: &Cell| match c {
                    Cell::Float(x) => super::super::measure(*x),
                    other => panic!("{other:?}"),
                };
                let i = |c: &Cell| match c {
                    Cell::Int(n) => *n,
                    other => panic!("{other:?}"),
                };
                (i(&r[0]), i(&r[1]), i(&r[4]), f(&r[7]), f(&r[8]))
            })
            .collect();
        assert_eq!(
            brief,
            vec![
                // L1 {0,1,2} and L2 {0,1}: 2 shared, jaccard 2/3, overlap 1.
                (1, 2, 2, "0.666667".into(), "1".into()),
                // L1 and L3 {1,3}: 1 shared, jaccard 1/4, overlap 1/2.
                (1, 3, 1, "0.25".into(), "0.5".into()),
                // L2 and L3: 1 shared, jaccard 1/3, overlap 1/2.
                (2, 3, 1, "0.333333".into(), "0.5".into()),
            ]
        );
    }

    #[test]
    fn top_pairs_stopping_early_are_the_first_k_of_every_pair() {
        // Skewed signing, as real registries have: a few sign most letters.
        let mut rng = crate::bench::rng::Rng::new(7);
        let orgs = vec![(None, None); 300];
        let dates = ["2019", "2020-03", "2021"];
        let lists: Vec<Vec<u32>> = (0..80)
            .map(|_| {
                let size = 2 + rng.below(40);
                let mut v: Vec<u32> = (0..size)
                    .map(|_| {
                        let u = rng.f64();
                        ((u * u * u) * 300.0) as u32
                    })
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect();
        let letters: Vec<(Option<&str>, &[u32])> = lists
            .iter()
            .enumerate()
            .map(|(i, v)| ((i % 4 != 0).then(|| dates[i % 3]), v.as_slice()))
            .collect();
        let inc = incidence(&orgs, &letters);
        for min in [1, 3] {
            let mut all: Vec<Ranked> = all_org_pairs(&inc, min).into_iter().map(Ranked).collect();
            all.sort_by(|x, y| y.cmp(x));
            for k in [1, 7, 100, 1_000, 100_000] {
                let want: Vec<Pair> = all.iter().take(k).map(|r| r.0.clone()).collect();
                assert_eq!(top_org_pairs(&inc, min, k), want, "k {k}, min {min}");
            }
        }
    }

    #[test]
    fn top_pairs_are_the_strongest_first() {
        let inc = sample();
        let top: Vec<(u32, u32)> = top_org_pairs(&inc, 1, 2)
            .into_iter()
            .map(|p| (p.a, p.b))
            .collect();
        // (0,1) shares 2; then (1,3) has the larger weight (1 > 0.5).
        assert_eq!(top, vec![(0, 1), (1, 3)]);
        assert_eq!(top_org_pairs(&inc, 1, 10).len(), 4);
        assert!(top_org_pairs(&inc, 1, 0).is_empty());
    }

    #[test]
    fn mixing_by_country_and_assortativity_by_hand() {
        let inc = sample();
        let m = mixing(&inc, 1, |o| o.country.as_deref());
        let brief: Vec<(Option<&str>, Option<&str>, u64, u64)> = m
            .rows
            .iter()
            .map(|r| (r.a.as_deref(), r.b.as_deref(), r.pairs, r.shared))
            .collect();
        // Pairs: (0,1) MM-MM sharing 2, (0,2) MM-TH, (1,2) MM-TH, (1,3) MM-TH.
        assert_eq!(
            brief,
            vec![
                (Some("MM"), Some("MM"), 1, 2),
                (Some("MM"), Some("TH"), 3, 3)
            ]
        );
        assert_eq!(m.pairs, 4);
        // e_MM,MM = 1/4, e_MM,TH = e_TH,MM = 3/8; a_MM = 5/8, a_TH = 3/8.
        // r = (1/4 - (25/64 + 9/64)) / (1 - 34/64) = (-18/64) / (30/64) = -0.6
        assert_eq!(super::super::measure(m.assortativity.unwrap()), "-0.6");
        // By type: the unknown type comes last.
        let m = mixing(&inc, 1, |o| o.org_type.as_deref());
        let brief: Vec<(Option<&str>, Option<&str>, u64)> = m
            .rows
            .iter()
            .map(|r| (r.a.as_deref(), r.b.as_deref(), r.pairs))
            .collect();
        assert_eq!(
            brief,
            vec![
                (Some("ngo"), Some("ngo"), 1),
                (Some("ngo"), Some("union"), 1),
                (Some("ngo"), None, 2),
            ]
        );
        // Known pairs: ngo-ngo and ngo-union. e_ngo,ngo = 1/2,
        // e_ngo,union = e_union,ngo = 1/4; a_ngo = 3/4, a_union = 1/4.
        // r = (1/2 - 10/16) / (1 - 10/16) = (-2/16) / (6/16) = -1/3
        assert_eq!(m.known_pairs, 2);
        assert_eq!(super::super::measure(m.assortativity.unwrap()), "-0.333333");
        let t = mixing_table(&m, "org_type_a", "org_type_b");
        assert_eq!(t.rows[2][5], Cell::Float(0.5));
    }

    #[test]
    fn one_group_has_no_assortativity() {
        let inc = incidence(
            &[(Some("MM"), None), (Some("MM"), None)],
            &[(None, &[0, 1])],
        );
        assert_eq!(
            mixing(&inc, 1, |o| o.country.as_deref()).assortativity,
            None
        );
    }

    #[test]
    fn a_letter_with_one_signer_makes_no_pair() {
        let inc = incidence(&[(None, None)], &[(None, &[0]), (None, &[0])]);
        assert!(all_org_pairs(&inc, 1).is_empty());
        // Its letters still overlap each other.
        let mut n = 0;
        letter_pairs::<()>(&inc, 1, |_| {
            n += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 1);
    }
}
