//! The candidate index (blocking): for a name, the few registry names
//! worth scoring, found without comparing all pairs. Postings on exact
//! keys, fingerprints, acronyms and initialisms, transliterations, rare
//! tokens (weighted by rarity) and character trigrams (for typos).

use super::fast::{FastMap as HashMap, FastSet};

use super::keys::NameInfo;

/// Tokens held by more names than this are too common to block on.
pub const MAX_POSTING: usize = 2_000;
/// The rarest tokens of a query used for blocking.
pub const RARE_TOKENS: usize = 3;
/// Candidates returned for one query, at most. A whole-registry
/// clustering meets each pair from both of its names, and joins forms
/// through the other forms of their organization, so 20 a name keep
/// nearly all of its recall at half the scoring of 40: dedupe of a
/// 160,000-name registry lost 6 of 112,485 gold pairs, and clustering
/// 100,111 names from nothing (`bench/compare.py`) went from recall
/// 0.9626 to 0.9595. One name searched against the registry on import
/// keeps more ([`super::blocks::SEARCH_CANDIDATES`]).
pub const MAX_CANDIDATES: usize = 20;

/// Entries a query's working tables keep room for between queries.
const SCRATCH_ROOM: usize = 4_096;

type Scratch = (HashMap<u32, f64>, HashMap<u32, usize>, Vec<(u32, f64)>);

thread_local! {
    /// Each thread's working tables for [`Index::candidates`]: grown once,
    /// not rebuilt (and rehashed as they grow) for every query.
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// Postings under a whole-name key, filed by a 64-bit hash of the key
/// rather than a copy of it: a million names have millions of such keys.
/// Two keys sharing a hash (about one chance in a million million at that
/// size) would only add candidates, which scoring then judges.
type Hashed = HashMap<u64, Vec<u32>>;

/// The hash a whole-name key is filed under (FxHash: the same in every
/// run, and a fraction of SipHash's cost over millions of keys).
fn hashed(key: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = super::fast::FxHasher::default();
    key.hash(&mut h);
    h.finish()
}

#[derive(Default)]
pub struct Index {
    names: Vec<NameInfo>,
    by_key: Hashed,
    by_fingerprint: Hashed,
    by_acronym: Hashed,
    by_translit: Hashed,
    by_canonical: HashMap<&'static str, Vec<u32>>,
    by_joined: Hashed,
    /// First letter of the first word with the first letter of each later
    /// word: how a bare acronym ("BWI", "BROUK") finds its full name.
    by_acronym_shape: HashMap<(char, char), Vec<u32>>,
    by_token: HashMap<String, Vec<u32>>,
    /// Trigrams as [`trigram_codes`] packs them.
    by_trigram: HashMap<u64, Vec<u32>>,
}

/// The trigrams of [`trigrams`], each packed into a number (three
/// characters of 21 bits): no text allocated per trigram.
pub fn trigram_codes(s: &str) -> Vec<u64> {
    let mut chars: Vec<u64> = Vec::with_capacity(s.len() + 2);
    chars.push(u64::from(' '));
    chars.extend(s.chars().map(u64::from));
    chars.push(u64::from(' '));
    let mut out: Vec<u64> = chars
        .windows(3)
        .map(|w| (w[0] << 42) | (w[1] << 21) | w[2])
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

pub fn trigrams(s: &str) -> Vec<String> {
    let chars: Vec<char> = format!(" {s} ").chars().collect();
    let mut out: Vec<String> = chars.windows(3).map(|w| w.iter().collect()).collect();
    out.sort();
    out.dedup();
    out
}

impl Index {
    pub fn new() -> Index {
        Index::default()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn name(&self, id: u32) -> &NameInfo {
        &self.names[id as usize]
    }

    /// Every name added, in order: the index owns them, so a caller that
    /// needs the names beside the index holds no second copy.
    pub fn names(&self) -> &[NameInfo] {
        &self.names
    }

    /// Adds a name; returns its id in the index.
    pub fn add(&mut self, info: NameInfo) -> u32 {
        let id = self.names.len() as u32;
        self.file_keys(id, &info);
        self.file_words(id, &info);
        self.names.push(info);
        id
    }

    /// An index of `names`, their ids their places in the list. The word
    /// and trigram postings (most of the work) are filed on a second
    /// thread while the whole-name keys are filed on this one; the
    /// postings are the same, in the same order, as adding one by one.
    pub fn build(names: Vec<NameInfo>) -> Index {
        let mut keys = Index::new();
        let mut words = Index::new();
        std::thread::scope(|s| {
            s.spawn(|| {
                for (id, info) in names.iter().enumerate() {
                    words.file_words(id as u32, info);
                }
            });
            for (id, info) in names.iter().enumerate() {
                keys.file_keys(id as u32, info);
            }
        });
        keys.by_token = words.by_token;
        keys.by_trigram = words.by_trigram;
        keys.names = names;
        keys
    }

    /// Files a name under its whole-name keys, acronyms and shapes.
    fn file_keys(&mut self, id: u32, info: &NameInfo) {
        self.by_key.entry(hashed(&info.key)).or_default().push(id);
        self.by_fingerprint
            .entry(hashed(&info.fingerprint))
            .or_default()
            .push(id);
        for a in info.all_acronyms() {
            self.by_acronym.entry(hashed(a)).or_default().push(id);
        }
        if !info.translit.is_empty() {
            self.by_translit
                .entry(hashed(&info.translit))
                .or_default()
                .push(id);
        }
        if let Some(c) = info.canonical {
            self.by_canonical.entry(c).or_default().push(id);
        }
        self.by_joined
            .entry(hashed(&info.joined))
            .or_default()
            .push(id);
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
                        self.by_acronym_shape.entry((c0, c)).or_default().push(id);
                    }
                }
            }
        }
    }

    /// Files a name under its words and trigrams.
    fn file_words(&mut self, id: u32, info: &NameInfo) {
        let mut toks: Vec<&String> = info.tokens.iter().collect();
        toks.sort();
        toks.dedup();
        for t in toks {
            match self.by_token.get_mut(t.as_str()) {
                Some(ids) => ids.push(id),
                None => {
                    self.by_token.insert(t.clone(), vec![id]);
                }
            }
        }
        for g in trigram_codes(&info.fingerprint) {
            self.by_trigram.entry(g).or_default().push(id);
        }
    }

    /// How many names hold this token.
    pub fn token_df(&self, t: &str) -> usize {
        self.by_token.get(t).map_or(0, Vec::len)
    }

    /// Candidate ids for a name, best first, at most [`MAX_CANDIDATES`].
    pub fn candidates(&self, q: &NameInfo) -> Vec<u32> {
        SCRATCH.with(|s| {
            let (score, shared, ranked) = &mut *s.borrow_mut();
            let out = self.candidates_in(q, score, shared, ranked);
            // Kept for the next query, unless one query made them large:
            // clearing costs what they hold room for.
            score.shrink_to(SCRATCH_ROOM);
            shared.shrink_to(SCRATCH_ROOM);
            ranked.shrink_to(SCRATCH_ROOM);
            out
        })
    }

    /// [`Index::candidates`] with the working tables given, empty.
    fn candidates_in(
        &self,
        q: &NameInfo,
        score: &mut HashMap<u32, f64>,
        shared: &mut HashMap<u32, usize>,
        ranked: &mut Vec<(u32, f64)>,
    ) -> Vec<u32> {
        score.clear();
        shared.clear();
        ranked.clear();
        let bump = |ids: Option<&Vec<u32>>, w: f64, score: &mut HashMap<u32, f64>| {
            if let Some(ids) = ids {
                if ids.len() <= MAX_POSTING {
                    for &id in ids {
                        *score.entry(id).or_default() += w;
                    }
                }
            }
        };
        bump(self.by_key.get(&hashed(&q.key)), 100.0, score);
        bump(
            self.by_fingerprint.get(&hashed(&q.fingerprint)),
            50.0,
            score,
        );
        bump(self.by_translit.get(&hashed(&q.translit)), 20.0, score);
        bump(self.by_joined.get(&hashed(&q.joined)), 20.0, score);
        if let Some(c) = q.canonical {
            bump(self.by_canonical.get(c), 60.0, score);
        }
        // An acronym finds the names it abbreviates; a name finds the bare
        // acronyms of itself.
        for a in q.all_acronyms() {
            bump(self.by_acronym.get(&hashed(a)), 10.0, score);
            bump(self.by_key.get(&hashed(a)), 10.0, score);
        }
        if q.is_acronym {
            for a in &q.printed_acronyms {
                bump(self.by_acronym.get(&hashed(a)), 30.0, score);
                let cs: Vec<char> = a.chars().collect();
                if cs.len() >= 3 {
                    bump(self.by_acronym_shape.get(&(cs[0], cs[1])), 2.0, score);
                    bump(
                        self.by_acronym_shape.get(&(cs[0], cs[cs.len() - 1])),
                        2.0,
                        score,
                    );
                }
            }
        }
        // Rare tokens, weighted by rarity.
        let mut toks: Vec<&String> = q.tokens.iter().collect();
        toks.sort_by_key(|t| self.token_df(t));
        toks.dedup();
        let n = self.names.len().max(1) as f64;
        for t in toks.iter().take(RARE_TOKENS) {
            if let Some(ids) = self.by_token.get(*t) {
                let w = 1.0 + (n / ids.len() as f64).ln();
                bump(Some(ids), w, score);
            }
        }
        // Trigrams catch a typo in a name's only distinctive word.
        if score.len() < MAX_CANDIDATES {
            let grams = trigram_codes(&q.fingerprint);
            for g in &grams {
                if let Some(ids) = self.by_trigram.get(g) {
                    if ids.len() <= MAX_POSTING {
                        for &id in ids {
                            *shared.entry(id).or_default() += 1;
                        }
                    }
                }
            }
            let need = (grams.len() * 6).div_ceil(10).max(3);
            for (id, k) in shared.drain() {
                if k >= need {
                    *score.entry(id).or_default() += k as f64 / grams.len() as f64;
                }
            }
        }
        ranked.extend(score.drain());
        let order = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        // The order is total, so the best few are the same however found.
        if ranked.len() > MAX_CANDIDATES {
            ranked.select_nth_unstable_by(MAX_CANDIDATES, order);
            ranked.truncate(MAX_CANDIDATES);
        }
        ranked.sort_by(order);
        // A new list, not the ranked one: that one has room for every
        // name scored, at four times the size (a million names' lists of
        // candidates are kept at once).
        let mut out = Vec::with_capacity(ranked.len());
        out.extend(ranked.iter().map(|&(id, _)| id));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigram_codes_are_the_trigrams_one_for_one() {
        for s in ["karen youth", "aaaa", "", "منظمة العفو", "ñandú ñandú"] {
            let text = trigrams(s);
            let codes = trigram_codes(s);
            assert_eq!(text.len(), codes.len(), "{s}");
            let unpack = |c: u64| -> String {
                [c >> 42, (c >> 21) & 0x1f_ffff, c & 0x1f_ffff]
                    .iter()
                    .map(|&x| char::from_u32(x as u32).unwrap())
                    .collect()
            };
            let mut back: Vec<String> = codes.into_iter().map(unpack).collect();
            back.sort();
            assert_eq!(back, text, "{s}");
        }
    }

    /// Filing on two threads gives the postings, and so the candidates,
    /// that adding the names one by one gives.
    #[test]
    fn building_on_two_threads_files_as_adding_one_by_one() {
        let infos: Vec<NameInfo> = [
            "ASEAN Parliamentarians for Human Rights – APHR",
            "APHR",
            "Karen Community of Iowa",
            "Karenni Community of Iowa",
            "KAREN COMMUNITY OF IOWA",
            "منظمة العفو الدولية",
            "Amnesty International",
            "Amnesty International Australia",
        ]
        .iter()
        .map(|n| NameInfo::new(n, None, None))
        .collect();
        let mut one = Index::new();
        for i in infos.clone() {
            one.add(i);
        }
        let built = Index::build(infos.clone());
        assert_eq!(one.by_key, built.by_key);
        assert_eq!(one.by_acronym, built.by_acronym);
        assert_eq!(one.by_acronym_shape, built.by_acronym_shape);
        assert_eq!(one.by_token, built.by_token);
        assert_eq!(one.by_trigram, built.by_trigram);
        assert_eq!(built.len(), infos.len());
        for q in &infos {
            assert_eq!(one.candidates(q), built.candidates(q), "{}", q.raw);
        }
    }

    #[test]
    fn finds_variants_acronyms_and_typos() {
        let mut ix = Index::new();
        let names = [
            "ASEAN Parliamentarians for Human Rights",
            "Women's League of Burma",
            "Karenni Community of Arkansas",
            "Karen Human Rights Group",
            "Amnesty International",
        ];
        for n in names {
            ix.add(NameInfo::new(n, None, None));
        }
        let q = |s: &str| ix.candidates(&NameInfo::new(s, None, None));
        assert!(q("APHR").contains(&0));
        assert!(q("WOMENS LEAGUE OF BURMA").contains(&1));
        assert!(q("Karenni Community of Arkensas").contains(&2));
        assert_eq!(q("Amnesty International").first(), Some(&4));
    }
}
