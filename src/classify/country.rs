//! Where an organization is based: clues from notes and headings, and from
//! the places its name holds, each read as the organization's location or
//! as the subject it works on; then the strongest clue wins.

use super::lexicon::{Clitic, Hit, Meaning, Token, WordRole};
use super::{Answer, ClueSource, CountryClue, OrgType, SignatureClue, CONFIDENT};
use crate::data::{country_code, is_honorific, subdivision};

/// How surely a place in a name is a location, within one clue source.
const EXPLICIT: u8 = 3; // "... of Canada", "Burma Campaign UK", "Centre ... - Japan"
const ADJECTIVE: u8 = 2; // "Swedish Burma Committee", "Ligue suisse"
const ADJUNCT: u8 = 1; // "New Zealand Council of Trade Unions"

/// What the words of a name say about places.
#[derive(Debug, Clone, Default)]
pub struct NameReading {
    /// Places read as where the organization is.
    pub base: Vec<CountryClue>,
    /// Countries read as what the organization is about, with the reason.
    pub focus: Vec<(String, String)>,
    /// Words naming the members' origin: an ethnic group or a people
    /// ("Karen", "des Birmans").
    pub identity_words: Vec<String>,
    /// Countries named by adjectives ("Burmese", "tunisienne"): the
    /// members' origin when the organization is based elsewhere.
    pub demonyms: Vec<(String, String)>,
}

impl NameReading {
    /// The words that name the members' origin, given the country the
    /// organization is based in.
    pub fn identity(&self, base: Option<&str>) -> Option<String> {
        if let Some(w) = self.identity_words.first() {
            return Some(w.clone());
        }
        let base = base?;
        self.demonyms
            .iter()
            .find(|(cc, _)| cc != base)
            .map(|(_, w)| w.clone())
    }
}

/// The outcome of weighing the clues.
#[derive(Debug, Clone, Default)]
pub struct Decided {
    pub answer: Option<Answer>,
    pub clues: Vec<CountryClue>,
    pub conflicts: Vec<String>,
    /// The city or state of the name that settled the country, if any.
    pub local_place: Option<String>,
}

/// The clue a signature's note or heading gives.
pub fn signature_clue(sig: &SignatureClue) -> Option<CountryClue> {
    if let Some(note) = sig.note.as_deref() {
        if let Some((countries, what)) = read_note(note, sig.printed.as_deref()) {
            let ambiguous = countries.len() > 1;
            return Some(CountryClue {
                source: ClueSource::Note,
                reason: format!(
                    "note \"{note}\" printed with the name in letter {}{}",
                    sig.letter_id,
                    match (ambiguous, what) {
                        (true, _) => format!(" ({} in several countries)", join(&countries)),
                        (false, "") => String::new(),
                        (false, w) => format!(" ({w})"),
                    }
                ),
                confidence: if ambiguous { 0.3 } else { 0.95 },
                countries,
                strength: 0,
                letter_id: Some(sig.letter_id),
            });
        }
    }
    let section = sig.section.as_deref()?;
    let label = heading_label(section);
    let code = country_code(label)?;
    Some(CountryClue {
        source: ClueSource::Note,
        countries: vec![code.to_string()],
        confidence: 0.95,
        reason: format!(
            "listed under the heading \"{section}\" in letter {}",
            sig.letter_id
        ),
        strength: 0,
        letter_id: Some(sig.letter_id),
    })
}

/// "South Korea (76):" -> "South Korea".
fn heading_label(s: &str) -> &str {
    let s = s.trim().trim_end_matches(':').trim();
    match s.rfind('(') {
        Some(i)
            if s.ends_with(')') && s[i + 1..s.len() - 1].chars().all(|c| c.is_ascii_digit()) =>
        {
            s[..i].trim()
        }
        _ => s,
    }
}

/// The countries a note names, and what kind of place it is ("a state of
/// US"). Titles ("MR") and world regions ("International") name none.
fn read_note(note: &str, printed: Option<&str>) -> Option<(Vec<String>, &'static str)> {
    let mut found: Option<(Vec<String>, &'static str)> = None;
    for part in note
        .split([',', ';', '/'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if is_honorific(part) {
            continue;
        }
        // ", NE" after a name is Nebraska, as the parser reads it; "(NE)"
        // is Niger.
        let code_like =
            (2..=3).contains(&part.len()) && part.chars().all(|c| c.is_ascii_uppercase());
        let after_comma = printed.is_some_and(|p| {
            p.trim_end()
                .trim_end_matches([',', ';'])
                .ends_with(&format!(", {part}"))
        });
        let state = if code_like && after_comma {
            subdivision(part)
        } else {
            None
        };
        let this = if let Some((cc, _)) = state {
            Some((vec![cc.to_string()], "a state or province"))
        } else if let Some(cc) = country_code(part) {
            Some((vec![cc.to_string()], ""))
        } else if let Some((cc, _)) = subdivision(part) {
            Some((vec![cc.to_string()], "a state or province"))
        } else {
            read_note_words(part)
        };
        // The outermost note wins, as in the parser ("X (Kansas) (US)").
        if this.is_some() {
            found = this;
        }
    }
    found
}

fn read_note_words(part: &str) -> Option<(Vec<String>, &'static str)> {
    let toks = super::lexicon::tokens(part);
    let hits = super::lexicon::lexicon().scan(&toks);
    let mut countries: Vec<String> = Vec::new();
    let mut what = "";
    for h in &hits {
        if h.meanings.contains(&Meaning::World) {
            return None;
        }
        for m in &h.meanings {
            if let Meaning::Demonym(c) = m {
                push_unique(&mut countries, c);
            }
        }
        for (src, cc, _) in place_meanings(&h.meanings) {
            if what.is_empty() {
                what = match src {
                    ClueSource::State => "a region",
                    ClueSource::City => "a city",
                    _ => "",
                };
            }
            push_unique(&mut countries, cc);
        }
    }
    (!countries.is_empty()).then_some((countries, what))
}

/// The preposition governing a hit (`In`, `Of`, `For`, or `Article` for
/// an article alone), and whether it only says where a topic happens:
/// "disparus en Algérie", "Human Rights in China".
fn context(hits: &[Hit], idx: usize) -> (Option<WordRole>, bool) {
    let cur = &hits[idx];
    if cur.inner.is_some_and(|a| a > 0) {
        return (None, false);
    }
    let before = |start: usize| -> Option<usize> {
        (0..hits.len()).find(|&j| hits[j].end == start && hits[j].inner.is_none())
    };
    // A cause right before "in" is where the cause is pursued, when no
    // word for the organization precedes it ("Human Rights in China", but
    // not "Observatorio de Derechos Humanos en Honduras").
    let topic_before = |start: usize| -> bool {
        before(start).is_some_and(|j| {
            hits[j].word() == Some(WordRole::Topic)
                || (hits[j]
                    .meanings
                    .iter()
                    .any(|m| matches!(m, Meaning::Tag(_)))
                    && !hits[..j].iter().any(|h| h.term().is_some()))
        })
    };
    match cur.clitic {
        Some(Clitic::In) => return (Some(WordRole::In), topic_before(cur.start)),
        Some(Clitic::For) => return (Some(WordRole::For), false),
        _ => {}
    }
    let Some(mut j) = before(cur.start) else {
        return (None, false);
    };
    if hits[j].word() == Some(WordRole::Article) {
        match before(hits[j].start) {
            Some(k) => j = k,
            None => return (Some(WordRole::Article), false),
        }
    }
    match hits[j].word() {
        Some(WordRole::In) => (Some(WordRole::In), topic_before(hits[j].start)),
        Some(w @ (WordRole::Of | WordRole::For | WordRole::Article)) => (Some(w), false),
        _ => (None, false),
    }
}

/// Whether a type word (not a person's title) comes before the hit.
fn head_before(hits: &[Hit], idx: usize) -> bool {
    hits[..idx]
        .iter()
        .any(|h| h.term().is_some_and(|(_, f)| !f.title && !f.role))
}

/// Whether the hit (and any demonyms right after it) sits just before a
/// word for a body of members: "Burmese Community", "Myanmar Association".
fn before_member_head(hits: &[Hit], idx: usize) -> bool {
    let mut end = hits[idx].end;
    for h in &hits[idx + 1..] {
        if h.start != end && h.inner.is_none() {
            return false;
        }
        if let Some((t, f)) = h.term() {
            return t == OrgType::Community || f.membership;
        }
        if h.meanings.iter().any(|m| matches!(m, Meaning::Demonym(_))) {
            end = h.end;
            continue;
        }
        return false;
    }
    false
}

/// A city this large elsewhere makes a state's or province's name
/// ambiguous ("Victoria": Australia, or Victoria in Canada); a smaller one
/// does not ("Ontario" is the province, not the Californian city).
const RIVAL_CITY: u64 = 250_000;

/// The places a phrase can name: (clue source, country, a namesake).
/// A territory with its own ISO code ("Puerto Rico") is that country, not
/// a US state; a state's name beats small cities of the same name.
fn place_meanings(meanings: &[Meaning]) -> Vec<(ClueSource, &'static str, bool)> {
    // The most populous city first: the best guess when the name is ambiguous.
    let mut by_size: Vec<&Meaning> = meanings.iter().collect();
    by_size.sort_by_key(|m| match m {
        Meaning::City(_, p) => std::cmp::Reverse(*p),
        _ => std::cmp::Reverse(u64::MAX),
    });
    let meanings = by_size;
    let own_code = |code: &str| {
        meanings
            .iter()
            .any(|m| matches!(m, Meaning::Country(c) if *c == code))
    };
    let state = meanings.iter().find_map(|m| match m {
        Meaning::Subdivision(c, _) | Meaning::Region(c) => Some(*c),
        _ => None,
    });
    let mut out = Vec::new();
    for m in meanings.iter().copied() {
        match m {
            Meaning::Country(c) => out.push((ClueSource::Name, *c, false)),
            Meaning::Subdivision(c, code) if !own_code(code) => {
                out.push((ClueSource::State, *c, false))
            }
            Meaning::Region(c) => out.push((ClueSource::State, *c, false)),
            Meaning::City(c, pop) if state.is_none_or(|s| s == *c || *pop >= RIVAL_CITY) => {
                out.push((ClueSource::City, *c, false))
            }
            Meaning::Namesake(c) => out.push((ClueSource::City, *c, true)),
            _ => {}
        }
    }
    out
}

/// Types of organizations whose name says where their members are
/// ("New Zealand Council of Trade Unions"); the others name what they
/// work on ("Burma Human Rights Network").
fn names_members(t: OrgType) -> bool {
    !matches!(
        t,
        OrgType::Ngo | OrgType::Campaign | OrgType::Network | OrgType::Foundation
    )
}

/// Reads every place in a name as a location or a subject.
pub fn read_name(toks: &[Token], hits: &[Hit], kind: OrgType) -> NameReading {
    let mut r = NameReading::default();
    let has_ethnic = hits
        .iter()
        .any(|h| h.meanings.iter().any(|m| matches!(m, Meaning::Ethnic(..))));
    for (idx, h) in hits.iter().enumerate() {
        if h.meanings.contains(&Meaning::World) {
            continue;
        }
        let ethnic = h.meanings.iter().find_map(|m| match m {
            Meaning::Ethnic(g, c) => Some((*g, *c)),
            _ => None,
        });
        if let Some((_, c)) = ethnic {
            r.identity_words.push(h.text.clone());
            if let Some(c) = c {
                r.focus.push((
                    c.to_string(),
                    format!("\"{}\" in the name: an ethnic group of {c}", h.text),
                ));
            }
            continue;
        }
        let (prep, topic) = context(hits, idx);
        let trailing = h.end == toks.len();
        let after_head = head_before(hits, idx);
        let lowercase = !toks[h.start].capitalized;

        let demonym = h.meanings.iter().find_map(|m| match m {
            Meaning::Demonym(c) => Some(*c),
            _ => None,
        });
        let is_country = h.meanings.iter().any(|m| matches!(m, Meaning::Country(_)));
        // "US Campaign for Burma": a capitalised short form before the
        // name's head is an adjective.
        let abbreviation = toks[h.start].caps && !trailing && prep.is_none();
        if let Some(cc) = demonym.filter(|_| lowercase || !is_country || abbreviation) {
            let people = matches!(prep, Some(WordRole::In | WordRole::Of | WordRole::For));
            let members = !has_ethnic && before_member_head(hits, idx);
            if people || members {
                r.identity_words.push(h.text.clone());
                r.focus.push((
                    cc.to_string(),
                    format!("\"{}\" in the name: the members' origin", h.text),
                ));
            } else {
                r.demonyms.push((cc.to_string(), h.text.clone()));
                r.base.push(clue(
                    ClueSource::Name,
                    vec![cc.to_string()],
                    ADJECTIVE,
                    format!("\"{}\" describes the organization in its name", h.text),
                ));
            }
            continue;
        }

        // Places proper: countries, states, regions, cities.
        let places = place_meanings(&h.meanings);
        if places.is_empty() {
            continue;
        }
        let focus_only = match prep {
            Some(WordRole::For) => true,
            Some(WordRole::In) => topic,
            _ => false,
        };
        let explicit = matches!(prep, Some(WordRole::In | WordRole::Of)) || trailing || after_head;
        let mut located: Vec<(ClueSource, &'static str, bool)> = Vec::new();
        let mut strength = EXPLICIT;
        for &(src, cc, namesake) in &places {
            let as_base = if focus_only {
                false
            } else if explicit || src != ClueSource::Name {
                true
            } else if kind == OrgType::Community {
                // "Myanmar Community Austria": the first country names the
                // members; "Korea Karen Organization": where they are.
                strength = ADJUNCT;
                has_ethnic || !before_member_head(hits, idx)
            } else {
                strength = ADJUNCT;
                names_members(kind)
            };
            if as_base {
                located.push((src, cc, namesake));
            } else if src == ClueSource::Name {
                r.focus.push((
                    cc.to_string(),
                    format!(
                        "\"{}\" in the name: {}",
                        h.text,
                        if focus_only {
                            "what the organization works on"
                        } else {
                            "the subject of its name"
                        }
                    ),
                ));
                if !focus_only && kind == OrgType::Community {
                    r.identity_words.push(h.text.clone());
                }
            }
        }
        if located.is_empty() {
            continue;
        }
        // "Georgia" opening a name is the US state or the country: both
        // readings stay, so the clue is ambiguous.
        for &(src, cc, namesake) in &places {
            if !located.iter().any(|l| l.1 == cc) {
                located.push((src, cc, namesake));
            }
        }
        let source = located
            .iter()
            .map(|l| l.0)
            .min()
            .unwrap_or(ClueSource::Name);
        let mut countries: Vec<String> = Vec::new();
        for (_, cc, _) in &located {
            push_unique(&mut countries, cc);
        }
        let namesake = located.iter().any(|l| l.2);
        let kinds: Vec<&str> = {
            let mut k: Vec<&str> = located
                .iter()
                .map(|l| match l.0 {
                    ClueSource::State => "a state or region",
                    ClueSource::City => "a city",
                    _ => "a country",
                })
                .collect();
            k.dedup();
            k
        };
        let how = if matches!(prep, Some(WordRole::In | WordRole::Of)) {
            "names where it is"
        } else if trailing {
            "ends the name"
        } else if after_head {
            "follows the organization's name"
        } else {
            "opens the name"
        };
        let mut c = clue(
            source,
            countries.clone(),
            strength,
            format!("\"{}\" ({}) {how}", h.text, kinds.join(" or ")),
        );
        if countries.len() > 1 || namesake {
            c.confidence = 0.3;
            c.reason = format!(
                "\"{}\" {how}, but names places in {}",
                h.text,
                if countries.len() > 1 {
                    join(&countries)
                } else {
                    format!("more than one part of {}", countries[0])
                }
            );
        }
        r.base.push(c);
    }
    r
}

fn clue(source: ClueSource, countries: Vec<String>, strength: u8, reason: String) -> CountryClue {
    let confidence = match (source, strength) {
        (ClueSource::Note, _) => 0.95,
        (ClueSource::State, _) => 0.9,
        (ClueSource::City, _) => 0.8,
        (ClueSource::Name, EXPLICIT) => 0.85,
        (ClueSource::Name, ADJECTIVE) => 0.8,
        (ClueSource::Name, _) => 0.7,
    };
    CountryClue {
        source,
        countries,
        confidence,
        reason,
        strength,
        letter_id: None,
    }
}

/// Weighs notes and name clues: notes first (the most common country
/// across letters, the earliest on a tie, disagreements reported), then
/// states, cities and countries in the name. An ambiguous clue is settled
/// by any other clue that picks one of its countries.
pub fn decide(notes: Vec<CountryClue>, name: &NameReading) -> Decided {
    let mut d = Decided::default();
    let mut clues: Vec<CountryClue> = Vec::new();

    let sure: Vec<usize> = (0..notes.len())
        .filter(|&i| notes[i].countries.len() == 1 && notes[i].confidence >= CONFIDENT)
        .collect();
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for &i in &sure {
        let cc = &notes[i].countries[0];
        match groups.iter_mut().find(|(k, _)| k == cc) {
            Some((_, v)) => v.push(i),
            None => groups.push((cc.clone(), vec![i])),
        }
    }
    if groups.len() > 1 {
        let sides: Vec<String> = groups
            .iter()
            .map(|(cc, v)| {
                let letters: Vec<String> = v
                    .iter()
                    .filter_map(|&i| notes[i].letter_id)
                    .map(|l| l.to_string())
                    .collect();
                format!(
                    "{cc} in letter{} {}",
                    if letters.len() > 1 { "s" } else { "" },
                    letters.join(", ")
                )
            })
            .collect();
        d.conflicts.push(format!(
            "letters disagree on the country: {}",
            sides.join("; ")
        ));
    }
    // Most letters first; on a tie, the one seen first (a stable sort).
    groups.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    let winners: Vec<usize> = groups.first().map(|g| g.1.clone()).unwrap_or_default();
    if let Some((cc, v)) = groups.first() {
        let first = &notes[v[0]];
        let mut reason = first.reason.clone();
        // Later letters are mentioned, not counted: a count in the reason
        // would change (and rewrite the organization's row) at every
        // letter that prints the note again. `why ORG` lists them all.
        if v.len() > 1 {
            reason.push_str(" and later letters");
        }
        let unanimous = v.len() == sure.len();
        if !unanimous {
            reason.push_str(&format!(
                "; {} of {} letters say so (see the conflict)",
                v.len(),
                sure.len()
            ));
        }
        clues.push(CountryClue {
            source: ClueSource::Note,
            countries: vec![cc.clone()],
            confidence: if unanimous { 0.95 } else { 0.6 },
            reason,
            strength: 1,
            letter_id: first.letter_id,
        });
    }
    // The other notes: ambiguous ones and the losing side of a conflict.
    for (i, c) in notes.iter().enumerate() {
        if !winners.contains(&i) {
            clues.push(CountryClue {
                strength: 0,
                ..c.clone()
            });
        }
    }
    clues.extend(name.base.iter().cloned());
    clues.sort_by(|a, b| {
        (a.source, std::cmp::Reverse(a.strength))
            .cmp(&(b.source, std::cmp::Reverse(b.strength)))
            .then(
                b.confidence
                    .partial_cmp(&a.confidence)
                    .unwrap_or(std::cmp::Ordering::Equal),
            )
    });

    if let Some(first) = clues.first() {
        let (cc, reason, confidence) = if first.countries.len() == 1 {
            (
                first.countries[0].clone(),
                first.reason.clone(),
                first.confidence,
            )
        } else {
            // Ambiguous: another clue may pick one of its countries.
            let settled = clues[1..].iter().find_map(|o| {
                let common: Vec<&String> = first
                    .countries
                    .iter()
                    .filter(|c| o.countries.contains(c))
                    .collect();
                (common.len() == 1 && o.countries.len() == 1).then(|| (common[0].clone(), o))
            });
            match settled {
                Some((cc, o)) => (
                    cc,
                    format!("{}; {} settles it", first.reason, o.reason),
                    0.75,
                ),
                None => (
                    first.countries[0].clone(),
                    first.reason.clone(),
                    first.confidence,
                ),
            }
        };
        d.answer = Some(Answer {
            value: cc,
            reason,
            confidence,
        });
    }
    d.local_place = name
        .base
        .iter()
        .find(|c| matches!(c.source, ClueSource::State | ClueSource::City))
        .map(|c| c.reason.clone());
    d.clues = clues;
    d
}

/// The country the name is about, when it is not where the organization
/// is: a place after "for", an ethnic group, a people, or a country the
/// name holds that lost to a stronger clue.
pub fn focus(reading: &NameReading, base: Option<&str>, clues: &[CountryClue]) -> Option<Answer> {
    let differs = |cc: &str| base != Some(cc);
    if let Some((cc, reason)) = reading.focus.iter().find(|(cc, _)| differs(cc)) {
        return Some(Answer {
            value: cc.clone(),
            reason: reason.clone(),
            confidence: 0.8,
        });
    }
    clues
        .iter()
        .filter(|c| c.source == ClueSource::Name && c.countries.len() == 1)
        .find(|c| differs(&c.countries[0]))
        .map(|c| Answer {
            value: c.countries[0].clone(),
            reason: format!("{}, but a stronger clue places it elsewhere", c.reason),
            confidence: 0.6,
        })
}

fn push_unique(v: &mut Vec<String>, cc: &str) {
    if !v.iter().any(|c| c == cc) {
        v.push(cc.to_string());
    }
}

fn join(v: &[String]) -> String {
    match v {
        [] => String::new(),
        [a] => a.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}
