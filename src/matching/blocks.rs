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

/// The number a blocking key is stored under (`name_blocks.block`):
/// 64-bit FNV-1a over the key's bytes, then a finishing mix (the one
/// MurmurHash3 ends with) so that keys a letter apart differ in every
/// bit. Written out here rather than taken from the standard library,
/// whose hashes may change between releases: these numbers are stored.
pub fn block_hash(key: &str) -> i64 {
    finish(fnv(FNV_START, key.as_bytes()))
}

/// [`block_hash`] of [`block`]`(kind, value)`, without building the text.
pub fn key_hash(kind: char, value: &str) -> i64 {
    let mut k = [0u8; 4];
    let h = fnv(FNV_START, kind.encode_utf8(&mut k).as_bytes());
    finish(fnv(fnv(h, b":"), value.as_bytes()))
}

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn finish(mut h: u64) -> i64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h as i64
}

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

/// Where a search reads its postings: what the registry handed back, or
/// what an import read ahead for many names at once.
pub trait Postings {
    /// The forms filed under a stored key, if any.
    fn posting(&self, kind: char, value: &str) -> Option<&Posting>;
}

impl Postings for FastMap<String, Posting> {
    fn posting(&self, kind: char, value: &str) -> Option<&Posting> {
        self.get(&block(kind, value))
    }
}

/// Postings read ahead: exact keys by their value (the registry answers
/// them from its aliases), every other key by its [`key_hash`].
#[derive(Default)]
pub struct ReadAhead {
    pub exact: FastMap<String, Posting>,
    pub hashed: FastMap<i64, Posting>,
}

impl Postings for ReadAhead {
    fn posting(&self, kind: char, value: &str) -> Option<&Posting> {
        if kind == KEY {
            self.exact.get(value)
        } else {
            self.hashed.get(&key_hash(kind, value))
        }
    }
}

/// What a search reads of the stored keys.
struct Fetched<'a, P: Postings>(&'a P);

impl<P: Postings> Fetched<'_, P> {
    fn size(&self, kind: char, value: &str) -> usize {
        self.0.posting(kind, value).map_or(0, |p| p.forms)
    }

    /// The forms under a key, or none when it is too common to block on
    /// (or unknown).
    fn list(&self, kind: char, value: &str) -> Option<&[i64]> {
        let p = self.0.posting(kind, value)?;
        if p.forms == 0 || p.forms > MAX_POSTING {
            return None;
        }
        p.ids.as_deref()
    }
}

/// The keys a search for `q` reads, as [`ReadAhead`] holds them: the exact
/// keys' values, and every other key's [`key_hash`] (those of its first
/// round and its trigrams).
pub fn search_hashes(q: &NameInfo, exact: &mut Vec<String>, hashed: &mut Vec<i64>) {
    exact.push(q.key.clone());
    hashed.push(key_hash(FINGERPRINT, &q.fingerprint));
    hashed.push(key_hash(TRANSLIT, &q.translit));
    hashed.push(key_hash(JOINED, &q.joined));
    if let Some(c) = q.canonical {
        hashed.push(key_hash(CANONICAL, c));
    }
    for a in q.all_acronyms() {
        hashed.push(key_hash(ACRONYM, a));
        hashed.push(key_hash(BARE, a));
        exact.push(a.clone());
    }
    for (x, y) in acronym_shapes(q) {
        hashed.push(block_hash(&x));
        hashed.push(block_hash(&y));
    }
    for t in &q.tokens {
        hashed.push(key_hash(TOKEN, t));
    }
    for g in trigrams(&q.fingerprint) {
        hashed.push(key_hash(TRIGRAM, &g));
    }
}

/// The keys a search for `q` reads: those of its first round (whole-name
/// keys, acronyms, acronym shapes and words), and its trigrams, read when
/// the first round finds few candidates. Sorted, each once.
pub fn search_keys(q: &NameInfo) -> (Vec<String>, Vec<String>) {
    let mut first = vec![
        block(KEY, &q.key),
        block(FINGERPRINT, &q.fingerprint),
        block(TRANSLIT, &q.translit),
        block(JOINED, &q.joined),
    ];
    if let Some(c) = q.canonical {
        first.push(block(CANONICAL, c));
    }
    for a in q.all_acronyms() {
        first.push(block(ACRONYM, a));
        first.push(block(BARE, a));
        first.push(block(KEY, a));
    }
    for (x, y) in acronym_shapes(q) {
        first.push(x);
        first.push(y);
    }
    for t in &q.tokens {
        first.push(block(TOKEN, t));
    }
    first.sort();
    first.dedup();
    let grams = trigrams(&q.fingerprint)
        .iter()
        .map(|x| block(TRIGRAM, x))
        .collect();
    (first, grams)
}

/// The shapes a bare acronym is looked up under: its first letter with
/// its second, and with its last.
fn acronym_shapes(q: &NameInfo) -> Vec<(String, String)> {
    if !q.is_acronym {
        return Vec::new();
    }
    q.printed_acronyms
        .iter()
        .filter_map(|a| {
            let cs: Vec<char> = a.chars().collect();
            (cs.len() >= 3).then(|| (shape(cs[0], cs[1]), shape(cs[0], cs[cs.len() - 1])))
        })
        .collect()
}

/// Candidate alias ids for a name, best first, at most [`SEARCH_CANDIDATES`]:
/// [`Index::candidates`](super::index::Index::candidates) over the
/// registry's stored keys, read in two batches. `forms` is the number of
/// printed forms filed.
pub fn candidates(q: &NameInfo, reg: &dyn Registry, forms: usize) -> Result<Vec<i64>, LookupError> {
    let (first, grams) = search_keys(q);
    let mut fetched = reg.blocks(&first)?;
    fetched.extend(reg.blocks(&grams)?);
    Ok(rank(q, &fetched, forms))
}

/// [`candidates`] over postings already read: every key of
/// [`search_keys`] that is stored must be there.
pub fn rank(q: &NameInfo, postings: &impl Postings, forms: usize) -> Vec<i64> {
    let f = Fetched(postings);
    let acronyms: Vec<&String> = q.all_acronyms().collect();
    let shapes = acronym_shapes(q);
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
        let n = f.size(ACRONYM, a) + f.size(BARE, a);
        if n == 0 || n > MAX_POSTING {
            return None;
        }
        let mut v: Vec<i64> = Vec::with_capacity(n);
        v.extend(f.list(ACRONYM, a).into_iter().flatten());
        v.extend(f.list(BARE, a).into_iter().flatten());
        Some(v)
    };
    bump(f.list(KEY, &q.key), 100.0, &mut score);
    bump(f.list(FINGERPRINT, &q.fingerprint), 50.0, &mut score);
    bump(f.list(TRANSLIT, &q.translit), 20.0, &mut score);
    bump(f.list(JOINED, &q.joined), 20.0, &mut score);
    if let Some(c) = q.canonical {
        bump(f.list(CANONICAL, c), 60.0, &mut score);
    }
    for a in &acronyms {
        bump(acronym_list(a).as_deref(), 10.0, &mut score);
        bump(f.list(KEY, a), 10.0, &mut score);
    }
    if q.is_acronym {
        let mut shapes = shapes.iter();
        for a in &q.printed_acronyms {
            bump(acronym_list(a).as_deref(), 30.0, &mut score);
            if a.chars().count() >= 3 {
                if let Some((x, y)) = shapes.next() {
                    bump(f.list(SHAPE, &x[2..]), 2.0, &mut score);
                    bump(f.list(SHAPE, &y[2..]), 2.0, &mut score);
                }
            }
        }
    }
    // Rare tokens, weighted by rarity.
    let mut toks: Vec<&String> = q.tokens.iter().collect();
    toks.sort_by_key(|t| f.size(TOKEN, t));
    toks.dedup();
    let n = forms.max(1) as f64;
    for t in toks.iter().take(RARE_TOKENS) {
        let size = f.size(TOKEN, t);
        if size > 0 {
            let w = 1.0 + (n / size as f64).ln();
            bump(f.list(TOKEN, t), w, &mut score);
        }
    }
    // Trigrams catch a typo in a name's only distinctive word.
    if score.len() < SEARCH_CANDIDATES {
        let grams = trigrams(&q.fingerprint);
        let mut shared: FastMap<i64, usize> = FastMap::default();
        for x in &grams {
            if let Some(ids) = f.list(TRIGRAM, x) {
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
    ranked.into_iter().map(|(id, _)| id).collect()
}
