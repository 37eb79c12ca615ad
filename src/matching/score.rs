//! Comparing two printed names: a score, a band (merge automatically,
//! review, keep apart) and the reasons for both. The rules know the hard
//! cases of signatory lists: a distinctive word on one side only (a place,
//! an ethnic group, a national section) means a different organization; two
//! different printed countries veto a merge; a typo in a long word is
//! tolerated; a strict subset is never identical; a name in another script
//! merges only through the alias table or an acronym.

use super::keys::{is_place, token_country, NameInfo, TokenFacts};
use crate::data::country_code;

/// Words a country table answers for, that also name something wider or
/// another country: "Presbyterian Church in America" is not "Presbyterian
/// Church (USA)".
const AMBIGUOUS_COUNTRY_WORDS: &[&str] = &["america", "congo", "korea", "guinea", "sudan"];

/// Scores at or above this merge without asking.
pub const AUTO: f64 = 0.93;
/// Scores at or above this (and below AUTO) go to a person.
pub const REVIEW: f64 = 0.70;

/// What to do with a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Band {
    Apart,
    Review,
    Auto,
}

impl Band {
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Auto => "merge",
            Band::Review => "review",
            Band::Apart => "apart",
        }
    }
}

/// A comparison's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub value: f64,
    pub band: Band,
    pub reasons: Vec<String>,
}

impl Score {
    fn new(value: f64, reasons: Vec<String>) -> Score {
        let band = if value >= AUTO {
            Band::Auto
        } else if value >= REVIEW {
            Band::Review
        } else {
            Band::Apart
        };
        Score {
            value,
            band,
            reasons,
        }
    }
}

/// Words that name what kind of body an organization is. Two names that
/// differ only by one of these may be the same body ("Human Rights Watch"
/// and "... Group"): a person decides.
const KIND_WORDS: &[&str] = &[
    "group",
    "organization",
    "organisation",
    "association",
    "network",
    "committee",
    "society",
    "foundation",
    "centre",
    "center",
    "council",
    "union",
    "alliance",
    "coalition",
    "forum",
    "institute",
    "movement",
    "community",
    "project",
    "initiative",
    "org",
    "team",
    "collective",
    "section",
    "chapter",
    "branch",
    "office",
    "secretariat",
];

/// Words that name a national part of a larger body.
const SECTION_WORDS: &[&str] = &["section", "chapter", "branch"];

/// What the registry tells the scorer beyond the two names.
pub trait Context {
    /// How common a token is: the number of names holding it.
    fn token_df(&self, token: &str) -> usize;
    /// The number of names in the registry.
    fn names(&self) -> usize;
    /// How many different organizations answer to this acronym.
    fn acronym_owners(&self, acronym: &str) -> usize;
    /// How many answer to it exactly: printed with their name, or their
    /// initials (not merely the beginnings of their words).
    fn exact_acronym_owners(&self, acronym: &str) -> usize {
        self.acronym_owners(acronym)
    }
}

/// A context with no registry behind it: every token rare, every acronym
/// unique. For `why` between two names and for tests.
pub struct NoContext;

impl Context for NoContext {
    fn token_df(&self, _: &str) -> usize {
        1
    }
    fn names(&self) -> usize {
        1
    }
    fn acronym_owners(&self, _: &str) -> usize {
        1
    }
}

/// The weight of a token: rare tokens say more than common ones.
fn weight(ctx: &dyn Context, t: &str) -> f64 {
    let n = ctx.names().max(1) as f64;
    let df = ctx.token_df(t).max(1) as f64;
    1.0 + (n / df).ln().max(0.0)
}

/// A word printed in at least this many names of the registry, or a
/// word of organization types ("foundation", "league"), is a common word
/// of organizations' names, where a short typo is a typo; any other is a
/// name of its own.
const COMMON_WORD_NAMES: usize = 10;

/// Two tokens are the same word, allowing one typo in a word of five
/// letters or more (two from ten), but never when one word extends the
/// other ("Karen"/"Karenni", "Indiana"/"Indianapolis") and never for numbers.
pub fn same_word(a: &str, b: &str) -> bool {
    same_word_if(a, b, || true)
}

/// [`same_word`], where a plural, or a typo in a word of five or six
/// letters, counts only when `common()` says the word is a common one:
/// between two rare words that short ("Drivi"/"Driva", "Nanai"/"Nakai", the names that
/// make an organization itself) one letter is another organization.
pub fn same_word_if(a: &str, b: &str, common: impl FnOnce() -> bool) -> bool {
    same_token((a, &TokenFacts::of(a)), (b, &TokenFacts::of(b)), common)
}

/// [`same_word_if`] for two tokens whose [`TokenFacts`] are known: what
/// comparing two names asks of most pairs of their words.
fn same_token(
    (a, fa): (&str, &TokenFacts),
    (b, fb): (&str, &TokenFacts),
    common: impl FnOnce() -> bool,
) -> bool {
    if a == b {
        return true;
    }
    if fa.digit || fb.digit {
        return false;
    }
    // A plural is the same word ("Foundations") when the word is a common
    // one; a rare name with an "s" more is another name ("Hashai"/"Hashais").
    // Any other extension is never the same word ("Karen"/"Karenni").
    if a.strip_suffix('s') == Some(b) || b.strip_suffix('s') == Some(a) {
        return common();
    }
    if a.starts_with(b) || b.starts_with(a) {
        return false;
    }
    let len = fa.chars.min(fb.chars);
    // The edits a word this long may ever get. Within them (and a spelling
    // variant is a letter more) the lengths differ by at most that many,
    // and the letters' buckets (see `within_edits`) in at most twice that
    // many: most pairs of words stop here, before any count is asked for.
    let most = if len >= 10 {
        2
    } else if len >= 5 {
        1
    } else {
        return false;
    };
    if fa.chars.abs_diff(fb.chars) > most
        || (fa.letters ^ fb.letters).count_ones() as usize > 2 * most
    {
        return false;
    }
    // Two places a letter apart are two places ("Ireland", "Iceland";
    // "Austria", "Australia" is further anyway).
    let places = fa.place && fb.place;
    let allowed = if len >= 10 {
        2
    } else if len >= 7 {
        1
    } else {
        if !common() {
            return spelling_variant(a, b) && !places;
        }
        1
    };
    within_edits(a, b, allowed) && strsim::damerau_levenshtein(a, b) <= allowed && !places
}

/// Two spellings of one word that a short rare word may still differ by:
/// a letter doubled ("Hlutaw"/"Hluttaw", "Mohamad"/"Mohammad") or the
/// British and American endings ("Labour"/"Labor").
fn spelling_variant(a: &str, b: &str) -> bool {
    let (long, short): (Vec<char>, Vec<char>) = if a.len() >= b.len() {
        (a.chars().collect(), b.chars().collect())
    } else {
        (b.chars().collect(), a.chars().collect())
    };
    if long.len() != short.len() + 1 {
        return false;
    }
    let doubled = (1..long.len())
        .any(|i| long[i] == long[i - 1] && long[..i] == short[..i] && long[i + 1..] == short[i..]);
    let ending = |l: &[char], s: &[char]| {
        l.ends_with(&['o', 'u', 'r'])
            && s.ends_with(&['o', 'r'])
            && l[..l.len() - 3] == s[..s.len() - 2]
    };
    doubled || ending(&long, &short)
}

/// A quick bound before the edit distance: every edit changes the length
/// by at most one, and the letters (as a multiset) by at most two, so two
/// words further apart than that cannot be within `allowed` edits.
fn within_edits(a: &str, b: &str, allowed: usize) -> bool {
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la.abs_diff(lb) > allowed {
        return false;
    }
    // Letters counted in 64 buckets: sharing a bucket only lowers the
    // difference, so the bound stays a bound.
    let mut counts = [0i32; 64];
    for c in a.chars() {
        counts[(c as usize) & 63] += 1;
    }
    for c in b.chars() {
        counts[(c as usize) & 63] -= 1;
    }
    let diff: i32 = counts.iter().map(|c| c.abs()).sum();
    diff as usize <= 2 * allowed
}

/// True when an acronym is made of the beginnings of the words in order,
/// each word giving a prefix, skipping at most one word: "BWI" for
/// "Building Wood Workers International", "ANFREL" for "Asian Network Free
/// Elections". The first letter must come from the first word.
pub fn abbreviates(acr: &str, tokens: &[String]) -> bool {
    abbreviates_by(acr, tokens, |i| is_place(&tokens[i]))
}

/// [`abbreviates`], with `place(i)` telling whether token `i` is a place.
fn abbreviates_by(acr: &str, tokens: &[String], place: impl Fn(usize) -> bool) -> bool {
    if tokens.len() < 2 {
        return false;
    }
    // Letters compared as bytes when all are ASCII (most names; the same
    // comparisons), as characters otherwise.
    if acr.is_ascii() && tokens.iter().all(|t| t.is_ascii()) {
        let words: Vec<&[u8]> = tokens.iter().map(|t| t.as_bytes()).collect();
        made_of_beginnings(acr.as_bytes(), &words, tokens, &place)
    } else {
        let acr: Vec<char> = acr.chars().collect();
        let chars: Vec<Vec<char>> = tokens.iter().map(|t| t.chars().collect()).collect();
        let words: Vec<&[char]> = chars.iter().map(Vec::as_slice).collect();
        made_of_beginnings(&acr, &words, tokens, &place)
    }
}

/// [`abbreviates`] over the letters of the acronym and of each token
/// (`words`, the letters of `tokens`).
fn made_of_beginnings<T: PartialEq>(
    acr: &[T],
    words: &[&[T]],
    tokens: &[String],
    place: &impl Fn(usize) -> bool,
) -> bool {
    /// Whether `acr` is made of the beginnings of `words[at..]`.
    fn go<T: PartialEq>(
        acr: &[T],
        words: &[&[T]],
        at: usize,
        skipped: usize,
        tokens: &[String],
        place: &impl Fn(usize) -> bool,
    ) -> bool {
        if acr.is_empty() {
            // Every word gave letters, but for one skipped in the middle or
            // a country at the end ("NUG" for "National Unity Government
            // of Myanmar"); uniqueness decides between look-alikes.
            let left = words.len() - at;
            return left == 0 || (skipped == 0 && left == 1 && country_code(&tokens[at]).is_some());
        }
        let Some(w) = words.get(at) else {
            return false;
        };
        // Take a prefix of this word (at least its first letter).
        let mut k = 0;
        while k < w.len() && k < acr.len() && w[k] == acr[k] {
            k += 1;
            if go(&acr[k..], words, at + 1, skipped, tokens, place) {
                return true;
            }
        }
        // Or skip this word: never the first or the last, never a place
        // ("KYO" is not "Karen Youth of Toronto", "LDH" not "Ligue suisse
        // des droits humains").
        skipped == 0
            && at + 1 < words.len()
            && !place(at)
            && go(acr, words, at + 1, 1, tokens, place)
    }
    acr.len() >= 3 && words[0].first() == acr.first() && go(acr, words, 0, 0, tokens, place)
}

/// Compares two names under a registry context.
pub fn compare(a: &NameInfo, b: &NameInfo, ctx: &dyn Context) -> Score {
    compare_with(a, b, ctx, true, None)
}

/// The score and band of two names without their reasons: what scoring
/// a whole registry needs for the many pairs that stay apart.
pub fn compare_value(a: &NameInfo, b: &NameInfo, ctx: &dyn Context) -> (f64, Band) {
    let s = compare_with(a, b, ctx, false, None);
    (s.value, s.band)
}

/// The weight of each of a name's tokens under `ctx`, in order: worked
/// out once for a name scored against many others, and given to
/// [`compare_value_weighted`].
pub fn token_weights(n: &NameInfo, ctx: &dyn Context) -> Vec<f64> {
    n.tokens.iter().map(|t| weight(ctx, t)).collect()
}

/// [`compare_value`] with the two names' [`token_weights`] already
/// worked out: the same score, bit for bit, without looking the words up.
pub fn compare_value_weighted(
    a: &NameInfo,
    b: &NameInfo,
    weights: (&[f64], &[f64]),
    ctx: &dyn Context,
) -> (f64, Band) {
    let s = compare_with(a, b, ctx, false, Some(weights));
    (s.value, s.band)
}

/// Reasons are written only when `explain` asks for them.
macro_rules! because {
    ($explain:expr, $($arg:tt)*) => {
        if $explain {
            vec![format!($($arg)*)]
        } else {
            Vec::new()
        }
    };
}

fn compare_with(
    a: &NameInfo,
    b: &NameInfo,
    ctx: &dyn Context,
    explain: bool,
    weights: Option<(&[f64], &[f64])>,
) -> Score {
    let mut reasons = Vec::new();
    if let (Some(ca), Some(cb)) = (&a.country, &b.country) {
        if ca != cb {
            return Score::new(
                0.0,
                because!(explain, "different countries printed: {ca} and {cb}"),
            );
        }
    }
    if a.key == b.key {
        return Score::new(
            1.0,
            because!(
                explain,
                "the same name once case, accents of quotes, punctuation and \"&\" are folded"
            ),
        );
    }
    if let (Some(x), Some(y)) = (a.canonical, b.canonical) {
        if x == y {
            return Score::new(
                0.99,
                because!(explain, "the bundled alias table lists both as \"{x}\""),
            );
        }
        return Score::new(
            0.0,
            because!(explain, "the alias table lists them as \"{x}\" and \"{y}\""),
        );
    }
    // An acronym alone against a full name.
    if a.is_acronym != b.is_acronym {
        let (acr, full) = if a.is_acronym { (a, b) } else { (b, a) };
        let key = &acr.printed_acronyms[0];
        // Printed with the name, or the name's own first word ("ALQST for
        // Human Rights").
        let first_word = !full.printed_acronyms.contains(key) && full.tokens.first() == Some(key);
        if first_word && full.facts[1..].iter().any(|f| f.place) {
            // "ACLU of Texas", "CAIR Chicago", "Reprieve US": the acronym
            // and a place make a section or chapter, not the body itself.
            return Score::new(
                0.0,
                because!(
                    explain,
                    "\"{}\" is the first word of \"{}\", whose other words name a place: a section of it, not it",
                    acr.raw,
                    full.raw
                ),
            );
        }
        if first_word {
            // "ALQST for Human Rights" is ALQST, but "NAACP Legal Defense
            // and Educational Fund" is not the NAACP: a person decides.
            return Score::new(
                0.8,
                because!(
                    explain,
                    "\"{}\" is the first word of \"{}\": the same body, or another that bears its name",
                    acr.raw,
                    full.raw
                ),
            );
        }
        let printed = full.printed_acronyms.contains(key);
        let chunked = !printed
            && !full.initialisms.contains(key)
            && abbreviates_by(key, &full.tokens, |i| full.facts[i].place);
        if printed || full.initialisms.contains(key) || chunked {
            let how = if printed {
                "printed with"
            } else if chunked {
                "made of the beginnings of the words of"
            } else {
                "the initials of"
            };
            let owners = ctx.acronym_owners(key);
            // When others only abbreviate to it loosely, the one
            // organization it is printed with or the initials of wins.
            let exact_winner = !chunked && owners > 1 && ctx.exact_acronym_owners(key) == 1;
            if exact_winner {
                return Score::new(
                    0.94,
                    because!(explain,
                        "\"{}\" is {how} \"{}\"; {owners} organizations abbreviate to it, but only this one exactly",
                        acr.raw, full.raw
                    ),
                );
            }
            // A loose abbreviation never wins over a name the acronym is
            // printed with or the initials of: that one is its owner.
            if chunked
                && full.joined != *key
                && (key.chars().count() < 4 || ctx.exact_acronym_owners(key) > 0)
            {
                // Beginnings of words, some skipped: in a large registry
                // many names abbreviate loosely to three letters.
                return Score::new(
                    0.8,
                    because!(
                        explain,
                        "\"{}\" is {how} \"{}\": a loose abbreviation, for a person to confirm",
                        acr.raw,
                        full.raw
                    ),
                );
            }
            if owners <= 1 {
                return Score::new(
                    0.96,
                    because!(
                        explain,
                        "\"{}\" is {how} \"{}\" and no other organization answers to it",
                        acr.raw,
                        full.raw
                    ),
                );
            }
            return Score::new(
                0.8,
                because!(
                    explain,
                    "\"{}\" is {how} \"{}\", but {owners} organizations answer to it",
                    acr.raw,
                    full.raw
                ),
            );
        }
        return Score::new(
            0.0,
            because!(
                explain,
                "\"{}\" is not an acronym of \"{}\"",
                acr.raw,
                full.raw
            ),
        );
    }
    if a.is_acronym && b.is_acronym {
        return Score::new(0.0, because!(explain, "two different acronyms"));
    }
    if a.fingerprint == b.fingerprint && a.tokens != b.tokens {
        // "University of Miami" and "Miami University" are two bodies.
        return Score::new(
            0.85,
            because!(
                explain,
                "the same words in another order: often one body, sometimes two"
            ),
        );
    }
    if a.fingerprint == b.fingerprint {
        return Score::new(
            0.98,
            because!(
                explain,
                "the same words (order, articles and legal forms aside)"
            ),
        );
    }
    // Every letter, the small words' too: "DefendDefenders" is not
    // "Defend the Defenders".
    if a.script == b.script && a.translit == b.translit && !a.joined.is_empty() {
        return Score::new(
            0.96,
            because!(explain, "the same letters, split into words differently"),
        );
    }
    // "Forum Asia" or "Civicus" against a name printed with that acronym.
    for (x, y) in [(a, b), (b, a)] {
        if !x.joined.is_empty() && y.printed_acronyms.contains(&x.joined) && x.tokens.len() <= 2 {
            let owners = ctx.acronym_owners(&x.joined);
            let v = if owners <= 1 { 0.95 } else { 0.8 };
            return Score::new(
                v,
                because!(
                    explain,
                    "\"{}\" is the acronym printed with \"{}\"",
                    x.raw,
                    y.raw
                ),
            );
        }
    }
    // A name and the same name with a description after it: "Al-Haq" and
    // "Al-Haq, Law in the Service of Man". Not when what follows is a
    // place ("Amnesty International – Australia") or a single word
    // (`NameInfo::described` holds the heads that qualify).
    for (x, y) in [(a, b), (b, a)] {
        if y.described.contains(&x.key) {
            return Score::new(
                0.94,
                because!(
                    explain,
                    "\"{}\" is \"{}\" with a description after it",
                    y.raw,
                    x.raw
                ),
            );
        }
    }
    if a.script != b.script {
        let shared_acronym = a
            .printed_acronyms
            .iter()
            .any(|x| b.all_acronyms().any(|y| y == x))
            || b.printed_acronyms
                .iter()
                .any(|x| a.all_acronyms().any(|y| y == x));
        if shared_acronym {
            return Score::new(
                0.85,
                because!(explain, "different scripts, but the same acronym"),
            );
        }
        let sim = strsim::jaro_winkler(&a.translit, &b.translit);
        let v = if sim >= 0.88 { 0.75 } else { 0.0 };
        return Score::new(
            v,
            because!(explain,
                "different scripts: a name in one never merges with another on spelling alone (transliterations {:.2} alike)",
                sim
            ),
        );
    }

    // Token by token. A token of either side is "extra" when nothing on
    // the other side matches it: flags for both sides, on the stack for
    // names of up to 64 tokens between them.
    let (na, nb) = (a.tokens.len(), b.tokens.len());
    let mut on_stack = [false; 64];
    let mut on_heap;
    let (extra_a, matched_b) = if na + nb <= on_stack.len() {
        on_stack[..na + nb].split_at_mut(na)
    } else {
        on_heap = vec![false; na + nb];
        on_heap.split_at_mut(na)
    };
    let mut matched_w = 0.0;
    let mut typos = Vec::new();
    let mut typo_count = 0usize;
    let looked_up;
    let (wa_tokens, wb_tokens) = match weights {
        Some(w) => w,
        None => {
            looked_up = (token_weights(a, ctx), token_weights(b, ctx));
            (&looked_up.0[..], &looked_up.1[..])
        }
    };
    for (k, (ta, fa)) in a.tokens.iter().zip(&a.facts).enumerate() {
        let found = (0..nb)
            .find(|&j| !matched_b[j] && b.tokens[j] == *ta)
            .or_else(|| {
                (0..nb).find(|&j| {
                    let (tb, fb) = (&b.tokens[j], &b.facts[j]);
                    !matched_b[j]
                        && same_token((ta, fa), (tb, fb), || {
                            fa.type_word
                                || fb.type_word
                                || ctx.token_df(ta).max(ctx.token_df(tb)) >= COMMON_WORD_NAMES
                        })
                })
            });
        match found {
            Some(j) => {
                let tb = &b.tokens[j];
                matched_b[j] = true;
                matched_w += wa_tokens[k];
                if tb != ta {
                    typo_count += 1;
                    if explain {
                        typos.push(format!("\"{ta}\"/\"{tb}\""));
                    }
                }
            }
            None => extra_a[k] = true,
        }
    }
    // A word that is the other name's printed acronym ("CCFD" in
    // "CCFD-Terre Solidaire" against "Terre Solidaire (CCFD)") matches it.
    // A country word on one side that is the country printed with the
    // other ("... – Burma" against "... (Burma)") matches it.
    let printed_country = |t: &str, other: &NameInfo| {
        other
            .country
            .as_deref()
            .is_some_and(|c| token_country(t) == Some(c) && !AMBIGUOUS_COUNTRY_WORDS.contains(&t))
    };
    let matches_other = |t: &String, other: &NameInfo| {
        other.printed_acronyms.contains(t) || printed_country(t, other)
    };
    for (k, t) in a.tokens.iter().enumerate() {
        extra_a[k] = extra_a[k] && !matches_other(t, b);
    }
    let extra_b = matched_b;
    for (j, t) in b.tokens.iter().enumerate() {
        extra_b[j] = !extra_b[j] && !matches_other(t, a);
    }
    let (extra_a, extra_b) = (&*extra_a, &*extra_b);
    let wa: f64 = wa_tokens.iter().sum();
    let wb: f64 = wb_tokens.iter().sum();
    let sim = if wa + wb > 0.0 {
        2.0 * matched_w / (wa + wb)
    } else {
        0.0
    };

    if typo_count > 0 && explain {
        reasons.push(format!("tolerated typo(s): {}", typos.join(", ")));
    }
    let only_a = extra_a.iter().any(|&e| e);
    let only_b = extra_b.iter().any(|&e| e);
    if !only_a && !only_b {
        if explain {
            reasons.push("every word matches".into());
        }
        let v = 0.97 - 0.01 * typo_count as f64;
        return Score::new(v, reasons);
    }
    // The words of one side only, with their facts: `a`'s, then `b`'s.
    let extra = || flagged(a, extra_a).chain(flagged(b, extra_b));
    // A place word: a country, state or big city, spelt out (four letters
    // or more, so "Man" in "Service of Man" is no island) or in capitals ("UK").
    let in_capitals = |t: &str| {
        a.raw
            .split(|c: char| !c.is_alphanumeric())
            .chain(b.raw.split(|c: char| !c.is_alphanumeric()))
            .any(|w| w.len() >= 2 && w.to_lowercase() == t && w.chars().all(|c| c.is_uppercase()))
    };
    let is_place_word =
        |(t, f): (&String, &TokenFacts)| f.place && (f.chars >= 4 || in_capitals(t));
    let has_place = extra().any(is_place_word);
    if explain {
        let describe = |n: &NameInfo, extra: &[bool]| {
            let words: Vec<&str> = flagged(n, extra).map(|(t, _)| t.as_str()).collect();
            format!("\"{}\" only in \"{}\"", words.join(" "), n.raw)
        };
        let mut sides = Vec::new();
        if only_a {
            sides.push(describe(a, extra_a));
        }
        if only_b {
            sides.push(describe(b, extra_b));
        }
        reasons.push(sides.join("; "));
    }
    if has_place {
        if explain {
            let places: Vec<&str> = extra()
                .filter(|&w| is_place_word(w))
                .map(|(t, _)| t.as_str())
                .collect();
            reasons.push(format!(
            "a place on one side only ({}) marks a different organization (a section, a city, a state)",
            places.join(", ")
        ));
        }
        return Score::new(sim.min(0.5), reasons);
    }
    let subset = !only_a || !only_b;
    if subset {
        // "Amnesty International UK Section": a national section named
        // once with and once without the word "section".
        let section_only = extra().all(|(t, _)| SECTION_WORDS.contains(&t.as_str()));
        let common_has_place = a.tokens.iter().zip(&a.facts).any(is_place_word);
        if section_only && common_has_place {
            if explain {
                reasons.push("the same national section, once named with the word for it".into());
            }
            return Score::new(0.94, reasons);
        }
        let kind_only = extra().all(|(t, _)| KIND_WORDS.contains(&t.as_str()));
        if kind_only {
            if explain {
                reasons.push(
                "one name adds only a word for its kind of body: maybe the same, a person decides"
                    .into(),
            );
            }
            return Score::new(sim.clamp(REVIEW, AUTO - 0.01), reasons);
        }
        if explain {
            reasons.push("one name is the other plus a distinctive word: a different organization (a strict subset is never identical)".into());
        }
        return Score::new(sim.min(REVIEW - 0.01), reasons);
    }
    // Both sides have words of their own.
    let v = if sim >= 0.8 {
        sim.min(AUTO - 0.01)
    } else {
        sim.min(REVIEW - 0.01)
    };
    if v >= REVIEW {
        if explain {
            reasons.push(format!(
                "most of the words match ({:.2}), but each name has words of its own",
                sim
            ));
        }
    } else {
        if explain {
            reasons.push(format!("too few words in common ({:.2})", sim));
        }
    }
    Score::new(v, reasons)
}

/// The tokens of `n` flagged in `flags`, with their facts, in order.
fn flagged<'n>(
    n: &'n NameInfo,
    flags: &'n [bool],
) -> impl Iterator<Item = (&'n String, &'n TokenFacts)> + 'n {
    n.tokens
        .iter()
        .zip(&n.facts)
        .zip(flags)
        .filter(|(_, &f)| f)
        .map(|(tf, _)| tf)
}

/// A small in-memory context over a set of names, for evaluation and
/// `dedupe`: token document frequencies and acronym owners.
pub struct Stats {
    pub df: super::fast::FastMap<String, usize>,
    /// Organizations each acronym belongs to (printed with a name, its
    /// initials, or as `cluster` adds, the word beginnings of one).
    pub acronyms: super::fast::FastMap<String, Owners>,
    /// Owners by printed acronym or initials only, when `acronyms` has
    /// been added to (`None`: the same as `acronyms`).
    pub exact_acronyms: Option<super::fast::FastMap<String, Owners>>,
    pub n: usize,
    /// While organizations are not known yet, no acronym counts as unique.
    pub acronyms_unknown: bool,
}

/// A set of organizations (most acronyms have one, held without a heap
/// allocation: a registry of a million names has millions of acronyms).
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Owners {
    #[default]
    None,
    One(usize),
    Many(super::fast::FastSet<usize>),
}

impl Owners {
    pub fn insert(&mut self, owner: usize) {
        match self {
            Owners::None => *self = Owners::One(owner),
            Owners::One(o) if *o == owner => {}
            Owners::One(o) => *self = Owners::Many([*o, owner].into_iter().collect()),
            Owners::Many(set) => {
                set.insert(owner);
            }
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Owners::None => 0,
            Owners::One(_) => 1,
            Owners::Many(set) => set.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Stats {
    /// Counts over `names`; `owner[i]` groups names of one organization so
    /// an organization's several forms count once for acronym uniqueness.
    pub fn new(names: &[NameInfo], owner: &[usize]) -> Stats {
        let mut df: super::fast::FastMap<String, usize> = Default::default();
        let mut acronyms: super::fast::FastMap<String, Owners> = Default::default();
        for (i, n) in names.iter().enumerate() {
            for (k, t) in n.tokens.iter().enumerate() {
                if !n.tokens[..k].contains(t) {
                    *df.entry(t.clone()).or_default() += 1;
                }
            }
            // Owners are full names: a bare acronym owns nothing, it is
            // what is being resolved.
            if n.is_acronym {
                continue;
            }
            for a in n.printed_acronyms.iter().chain(n.initialisms.iter()) {
                match acronyms.get_mut(a) {
                    Some(o) => o.insert(owner[i]),
                    None => {
                        acronyms.insert(a.clone(), Owners::One(owner[i]));
                    }
                }
            }
        }
        Stats {
            df,
            acronyms,
            exact_acronyms: None,
            n: names.len(),
            acronyms_unknown: false,
        }
    }

    /// Adds an owner to an acronym beyond the printed and initial ones.
    pub fn add_owner(&mut self, acronym: &str, owner: usize) {
        if self.exact_acronyms.is_none() {
            self.exact_acronyms = Some(self.acronyms.clone());
        }
        self.acronyms
            .entry(acronym.to_string())
            .or_default()
            .insert(owner);
    }
}

impl Context for Stats {
    fn token_df(&self, token: &str) -> usize {
        self.df.get(token).copied().unwrap_or(1)
    }
    fn names(&self) -> usize {
        self.n
    }
    fn acronym_owners(&self, acronym: &str) -> usize {
        if self.acronyms_unknown {
            return usize::MAX;
        }
        self.acronyms.get(acronym).map_or(0, Owners::len)
    }
    fn exact_acronym_owners(&self, acronym: &str) -> usize {
        if self.acronyms_unknown {
            return usize::MAX;
        }
        self.exact_acronyms
            .as_ref()
            .unwrap_or(&self.acronyms)
            .get(acronym)
            .map_or(0, Owners::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Weights worked out ahead give the score looking the words up gives,
    /// bit for bit, under a registry's word counts.
    #[test]
    fn weights_given_ahead_score_as_weights_looked_up() {
        let names: Vec<NameInfo> = [
            "Karen Community of Iowa",
            "Karenni Community of Iowa",
            "Karen Comunity of Iowa",
            "Burma Campaign UK",
            "The Burma Campaign",
            "Women's League of Burma",
            "Womens League of Burma",
            "Human Rights Foundation of Monland",
            "Human Rights Foundation",
        ]
        .iter()
        .map(|n| NameInfo::new(n, None, None))
        .collect();
        let owner: Vec<usize> = (0..names.len()).collect();
        let stats = Stats::new(&names, &owner);
        let w: Vec<Vec<f64>> = names.iter().map(|n| token_weights(n, &stats)).collect();
        for (i, a) in names.iter().enumerate() {
            for (j, b) in names.iter().enumerate() {
                let (v, band) = compare_value(a, b, &stats);
                let (vw, bw) = compare_value_weighted(a, b, (&w[i], &w[j]), &stats);
                assert_eq!(
                    (v.to_bits(), band),
                    (vw.to_bits(), bw),
                    "{} / {}",
                    a.raw,
                    b.raw
                );
            }
        }
    }

    fn cmp(a: &str, b: &str) -> Score {
        let pa = crate::parse::entry::parse_entry(a, None);
        let pb = crate::parse::entry::parse_entry(b, None);
        compare(
            &NameInfo::new(&pa.name, pa.acronym.as_deref(), pa.country.as_deref()),
            &NameInfo::new(&pb.name, pb.acronym.as_deref(), pb.country.as_deref()),
            &NoContext,
        )
    }

    /// Table-driven: the hard cases of signatory lists and their bands.
    #[test]
    fn hard_cases() {
        let cases = [
            (
                "Karen Community of Iowa, IA",
                "Karenni Community of Iowa",
                Band::Apart,
            ),
            (
                "Karen Community of Iowa",
                "Karen Community of Iowa City",
                Band::Apart,
            ),
            (
                "Karenni Community of Indiana",
                "Karenni Community of Indianapolis",
                Band::Apart,
            ),
            (
                "Human Rights Watch",
                "Burma Human Rights Watch Group",
                Band::Apart,
            ),
            // One letter apart in a short name word: two organizations;
            // in a common word, or a letter doubled: a typo.
            ("Drivi International", "Driva International", Band::Apart),
            ("Hashai International", "Hashais International", Band::Apart),
            (
                "Open Society Foundatoin",
                "Open Society Foundation",
                Band::Auto,
            ),
            (
                "Committee Representing Pyidaungsu Hlutaw",
                "Committee Representing Pyidaungsu Hluttaw",
                Band::Auto,
            ),
            (
                "Amnesty International",
                "Amnesty International Australia",
                Band::Apart,
            ),
            (
                "APHR",
                "ASEAN Parliamentarians for Human Rights – APHR",
                Band::Auto,
            ),
            (
                "APHR",
                "ASEAN Parliamentarians for Human Rights",
                Band::Auto,
            ),
            (
                "Women's League of Burma",
                "Womens League of Burma (WLB)",
                Band::Auto,
            ),
            (
                "Karenni Community of Arkensas",
                "Karenni Community of Arkansas",
                Band::Auto,
            ),
            (
                "Comittee for Free and Fair Elections",
                "Committee for Free and Fair Elections",
                Band::Auto,
            ),
            (
                "The Asian Forum for Human Rights and Development",
                "Asian Forum for Human Rights & Development",
                Band::Auto,
            ),
            (
                "8888 Generation (New Zealand)",
                "8888 Generation (Australia)",
                Band::Apart,
            ),
            ("Burma Campaign UK", "US Campaign for Burma", Band::Apart),
            (
                "Karen Youth Organization",
                "Karen Youth of Toronto",
                Band::Apart,
            ),
            ("منظمة العفو الدولية", "Amnesty International", Band::Auto),
            ("هيومن رايتس ووتش", "Human Rights Watch", Band::Auto),
            (
                "Reporters sans frontières",
                "Human Rights Watch",
                Band::Apart,
            ),
            (
                "BWI",
                "Building and Wood Workers' International",
                Band::Auto,
            ),
            ("ANFREL", "Asian Network for Free Elections", Band::Auto),
            ("Burma Campaign UK", "Burma Campaign U.K.", Band::Auto),
            ("EuroMed Rights", "Euro-Med Rights", Band::Auto),
            (
                "Open Society Foundations",
                "Open Society Foundation",
                Band::Auto,
            ),
            (
                "Colectivo de Abogados José Alvear Restrepo",
                "Colectivo de Abogados Jose Alvear Restrepo",
                Band::Auto,
            ),
            ("Al-Haq", "Al-Haq, Law in the Service of Man", Band::Auto),
            (
                "Amnesty International",
                "Amnesty International – Australia",
                Band::Apart,
            ),
            (
                "FIDH – International Federation for Human Rights",
                "International Federation for Human Rights (FIDH)",
                Band::Auto,
            ),
            // An acronym as a longer name's first word: with a place, a
            // chapter; without, a person decides.
            ("ACLU", "ACLU of Texas", Band::Apart),
            ("CAIR", "CAIR Chicago", Band::Apart),
            (
                "NAACP",
                "NAACP Legal Defense and Educational Fund",
                Band::Review,
            ),
            ("University of Miami", "Miami University", Band::Review),
            ("DefendDefenders", "Defend the Defenders", Band::Apart),
            ("Forum Asia", "FORUMASIA", Band::Auto),
            (
                "Presbyterian Church (USA)",
                "Presbyterian Church in America",
                Band::Apart,
            ),
        ];
        for (a, b, band) in cases {
            let s = cmp(a, b);
            assert_eq!(s.band, band, "{a} / {b}: {:.2} {:?}", s.value, s.reasons);
            let s = cmp(b, a);
            assert_eq!(
                s.band, band,
                "{b} / {a} (reversed): {:.2} {:?}",
                s.value, s.reasons
            );
        }
    }

    #[test]
    fn words_and_typos() {
        assert!(same_word("organisation", "organization"));
        assert!(!same_word("karen", "karenni"));
        assert!(!same_word("indiana", "indianapolis"));
        assert!(!same_word("iowa", "ohio"));
        assert!(!same_word("2020", "2021"));
        assert!(!same_word("ireland", "iceland"));
        assert!(!same_word("mali", "bali"));
        // Short rare words: one letter is another name, unless doubled or
        // the British ending; common short words keep their one typo.
        let rare = || false;
        assert!(!same_word_if("drivi", "driva", rare));
        assert!(!same_word_if("nanai", "nakai", rare));
        assert!(same_word_if("hlutaw", "hluttaw", rare));
        assert!(same_word_if("labour", "labor", rare));
        assert!(same_word_if("rigths", "rights", || true));
        assert!(same_word_if("lucknow", "lucknaw", rare));
        assert!(!same_word_if("hashais", "hashai", rare));
        assert!(same_word_if("foundations", "foundation", || true));
    }
}
