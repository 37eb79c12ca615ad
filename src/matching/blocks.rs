//! Blocking against a stored registry: the keys a printed form is filed
//! under (as text, for the store's `name_blocks` table), and the search
//! that ranks a name's candidates from those keys. The search is the one
//! [`Index::candidates`](super::index::Index::candidates) runs in memory,
//! step for step and weight for weight, over postings the registry hands
//! back in a few batched queries; only ties between equally scored forms
//! may fall differently (they are broken by alias id, not load order),
//! and one name's search keeps more candidates than a clustering's.

use super::fast::{FastMap, FastSet};
use super::index::{trigrams, MAX_POSTING, RARE_TOKENS};
use super::keys::NameInfo;
use super::{LookupError, Posting, Registry};

/// Candidates of one name searched against the registry, at most: an
/// import meets a printed form once, and a form its search misses stays a
/// new organization until a dedupe, so it looks further than a
/// clustering does ([`super::index::MAX_CANDIDATES`]).
pub const SEARCH_CANDIDATES: usize = 40;

/// Kinds of key, the letter before the colon. Exact keys of a form
/// (`aliases.key`) are looked up as `k:` blocks but never stored: the
/// aliases table is their index.
pub const KEY: char = 'k';
pub const FINGERPRINT: char = 'f';
pub const TRANSLIT: char = 'x';
pub const JOINED: char = 'j';
pub const CANONICAL: char = 'c';
/// Acronyms a full name answers to (printed with it, or its initials).
pub const ACRONYM: char = 'a';
/// The acronym a bare-acronym form ("APHR") is.
pub const BARE: char = 'A';
/// First letter of the first word and of a later word.
pub const SHAPE: char = 's';
pub const TOKEN: char = 't';
pub const TRIGRAM: char = 'g';

pub fn block(kind: char, value: &str) -> String {
    let mut s = String::with_capacity(value.len() + 2);
    s.push(kind);
    s.push(':');
    s.push_str(value);
    s
}

fn shape(a: char, b: char) -> String {
    let mut s = String::with_capacity(8);
    s.push(SHAPE);
    s.push(':');
    s.push(a);
    s.push(b);
    s
}

/// Every key a printed form is filed under: what [`Index::add`]
/// (super::index::Index::add) files it under, but for its exact key.
pub fn blocks_of(info: &NameInfo) -> Vec<String> {
    let mut out = vec![
        block(FINGERPRINT, &info.fingerprint),
        block(JOINED, &info.joined),
    ];
    if !info.translit.is_empty() {
        out.push(block(TRANSLIT, &info.translit));
    }
    if let Some(c) = info.canonical {
        out.push(block(CANONICAL, c));
    }
    let acr_kind = if info.is_acronym { BARE } else { ACRONYM };
    for a in info.all_acronyms() {
        out.push(block(acr_kind, a));
    }
    if !info.is_acronym && info.tokens.len() <= 8 {
        let firsts: Vec<char> = info
            .tokens
            .iter()
            .filter_map(|t| t.chars().next())
            .collect();
        if let Some((&c0, rest)) = firsts.split_first() {
            let mut seen = FastSet::default();
            for &c in rest {
                if seen.insert(c) {
                    out.push(shape(c0, c));
                }
            }
        }
    }
    let mut toks = info.tokens.clone();
    toks.sort();
    toks.dedup();
    for t in toks {
        out.push(block(TOKEN, &t));
    }
    for g in trigrams(&info.fingerprint) {
        out.push(block(TRIGRAM, &g));
    }
    out.sort();
    out.dedup();
    out
}

/// What a search read of the stored keys.
struct Fetched(FastMap<String, Posting>);

impl Fetched {
    fn size(&self, b: &str) -> usize {
        self.0.get(b).map_or(0, |p| p.forms)
    }

    /// The forms under a key, or none when it is too common to block on
    /// (or unknown).
    fn list(&self, b: &str) -> Option<&[i64]> {
        let p = self.0.get(b)?;
        if p.forms == 0 || p.forms > MAX_POSTING {
            return None;
        }
        p.ids.as_deref()
    }
}

/// Candidate alias ids for a name, best first, at most [`SEARCH_CANDIDATES`]:
/// [`Index::candidates`](super::index::Index::candidates) over the
/// registry's stored keys, in two reads (a third for trigrams). `forms` is
/// the number of printed forms filed.
pub fn candidates(q: &NameInfo, reg: &dyn Registry, forms: usize) -> Result<Vec<i64>, LookupError> {
    let acronyms: Vec<&String> = q.all_acronyms().collect();
    let mut first = vec![
        block(KEY, &q.key),
        block(FINGERPRINT, &q.fingerprint),
        block(TRANSLIT, &q.translit),
        block(JOINED, &q.joined),
    ];
    if let Some(c) = q.canonical {
        first.push(block(CANONICAL, c));
    }
    for a in &acronyms {
        first.push(block(ACRONYM, a));
        first.push(block(BARE, a));
        first.push(block(KEY, a));
    }
    let shapes: Vec<(String, String)> = if q.is_acronym {
        q.printed_acronyms
            .iter()
            .filter_map(|a| {
                let cs: Vec<char> = a.chars().collect();
                (cs.len() >= 3).then(|| (shape(cs[0], cs[1]), shape(cs[0], cs[cs.len() - 1])))
            })
            .collect()
    } else {
        Vec::new()
    };
    for (x, y) in &shapes {
        first.push(x.clone());
        first.push(y.clone());
    }
    for t in &q.tokens {
        first.push(block(TOKEN, t));
    }
    first.sort();
    first.dedup();
    let f = Fetched(reg.blocks(&first)?);

    let mut score: FastMap<i64, f64> = FastMap::default();
    let bump = |ids: Option<&[i64]>, w: f64, score: &mut FastMap<i64, f64>| {
        if let Some(ids) = ids {
            for &id in ids {
                *score.entry(id).or_default() += w;
            }
        }
    };
    // An acronym's forms: full names answering to it and bare forms of it,
    // read together as the in-memory index holds them.
    let acronym_list = |a: &str| -> Option<Vec<i64>> {
        let (x, y) = (block(ACRONYM, a), block(BARE, a));
        let n = f.size(&x) + f.size(&y);
        if n == 0 || n > MAX_POSTING {
            return None;
        }
        let mut v: Vec<i64> = Vec::with_capacity(n);
        v.extend(f.list(&x).into_iter().flatten());
        v.extend(f.list(&y).into_iter().flatten());
        Some(v)
    };
    bump(f.list(&block(KEY, &q.key)), 100.0, &mut score);
    bump(
        f.list(&block(FINGERPRINT, &q.fingerprint)),
        50.0,
        &mut score,
    );
    bump(f.list(&block(TRANSLIT, &q.translit)), 20.0, &mut score);
    bump(f.list(&block(JOINED, &q.joined)), 20.0, &mut score);
    if let Some(c) = q.canonical {
        bump(f.list(&block(CANONICAL, c)), 60.0, &mut score);
    }
    for a in &acronyms {
        bump(acronym_list(a).as_deref(), 10.0, &mut score);
        bump(f.list(&block(KEY, a)), 10.0, &mut score);
    }
    if q.is_acronym {
        let mut shapes = shapes.iter();
        for a in &q.printed_acronyms {
            bump(acronym_list(a).as_deref(), 30.0, &mut score);
            if a.chars().count() >= 3 {
                if let Some((x, y)) = shapes.next() {
                    bump(f.list(x), 2.0, &mut score);
                    bump(f.list(y), 2.0, &mut score);
                }
            }
        }
    }
    // Rare tokens, weighted by rarity.
    let mut toks: Vec<&String> = q.tokens.iter().collect();
    toks.sort_by_key(|t| f.size(&block(TOKEN, t)));
    toks.dedup();
    let n = forms.max(1) as f64;
    for t in toks.iter().take(RARE_TOKENS) {
        let b = block(TOKEN, t);
        let size = f.size(&b);
        if size > 0 {
            let w = 1.0 + (n / size as f64).ln();
            bump(f.list(&b), w, &mut score);
        }
    }
    // Trigrams catch a typo in a name's only distinctive word.
    if score.len() < SEARCH_CANDIDATES {
        let grams = trigrams(&q.fingerprint);
        let wanted: Vec<String> = grams.iter().map(|x| block(TRIGRAM, x)).collect();
        let g = Fetched(reg.blocks(&wanted)?);
        let mut shared: FastMap<i64, usize> = FastMap::default();
        for x in &wanted {
            if let Some(ids) = g.list(x) {
                for &id in ids {
                    *shared.entry(id).or_default() += 1;
                }
            }
        }
        let need = (grams.len() * 6).div_ceil(10).max(3);
        for (id, k) in shared {
            if k >= need {
                *score.entry(id).or_default() += k as f64 / grams.len() as f64;
            }
        }
    }
    let mut ranked: Vec<(i64, f64)> = score.into_iter().collect();
    let order = |a: &(i64, f64), b: &(i64, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if ranked.len() > SEARCH_CANDIDATES {
        ranked.select_nth_unstable_by(SEARCH_CANDIDATES, order);
        ranked.truncate(SEARCH_CANDIDATES);
    }
    ranked.sort_by(order);
    Ok(ranked.into_iter().map(|(id, _)| id).collect())
}
