//! The type of an organization and its focus tags, from the words of its
//! name (data/org_types.csv, data/tags.csv, data/ethnic_groups.csv): the
//! highest-ranking type word wins; an association named for a people is a
//! community; a name with no type word is an NGO.

use super::lexicon::{Hit, Meaning, TermFlags, Token};
use super::{Evidence, OrgType};
use crate::data::is_honorific;

/// What the country reading tells the type.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The words naming the members' origin ("Karen", "des Birmans").
    pub identity: Option<String>,
    /// A city or state in the name that places the organization.
    pub local_place: Option<String>,
}

pub struct Typed {
    pub kind: OrgType,
    pub reason: String,
    pub confidence: f64,
}

/// A person, by what the letter printed: a title note ("(MR)"), a section
/// of individuals, or the parser's reading of a leading title.
pub fn individual_from_evidence(ev: &Evidence) -> Option<String> {
    for s in &ev.signatures {
        if let Some(n) = s.note.as_deref() {
            if let Some(t) = n.split(", ").find(|p| is_honorific(p)) {
                return Some(format!(
                    "printed with the title \"{t}\" in letter {}",
                    s.letter_id
                ));
            }
        }
    }
    if !ev.individual {
        return None;
    }
    for s in &ev.signatures {
        if let Some(sec) = s.section.as_deref() {
            return Some(format!("listed under \"{sec}\" in letter {}", s.letter_id));
        }
    }
    Some("the entry reads as a person: a personal title before the name".into())
}

/// Words of a name that are about types or focus (not places or grammar).
fn is_type_or_tag(h: &Hit) -> bool {
    h.term().is_some() || h.meanings.iter().any(|m| matches!(m, Meaning::Tag(_)))
}

/// A person by the name itself: a title and a short name ("Sister Mary
/// O'Brien"), or a short name and a role ("Sarah Thompson (independent
/// researcher)", "김철수 변호사").
pub fn individual_from_name(toks: &[Token], hits: &[Hit]) -> Option<String> {
    let n = toks.len();
    let others = |skip: &Hit| {
        hits.iter()
            .filter(|h| !std::ptr::eq(*h, skip))
            .any(is_type_or_tag)
    };
    if let Some(first) = hits.first() {
        let title = first.is_title();
        let whole = first.inner.is_none() || first.text == toks[first.start].key;
        if title
            && first.start == 0
            && whole
            && (1..=4).contains(&(n - first.end))
            && !others(first)
        {
            return Some(format!("the name starts with the title \"{}\"", first.text));
        }
    }
    // Titles the parser knows ("Dr", "Fr.", "د."), before a short name.
    if let Some(t) = toks.first() {
        if is_honorific(&t.text) && (2..=4).contains(&(n - 1)) && !hits.iter().any(is_type_or_tag) {
            return Some(format!("the name starts with the title \"{}\"", t.text));
        }
    }
    if let Some(last) = hits.last() {
        let role = last.is_role();
        let whole =
            last.inner.is_none() || (last.inner == Some(0) && last.text == toks[last.start].key);
        if role && last.end == n && whole && (1..=4).contains(&last.start) && !others(last) {
            return Some(format!("the name ends with the role \"{}\"", last.text));
        }
    }
    None
}

/// The type from the words of a name.
pub fn decide(toks: &[Token], hits: &[Hit], ctx: &Context) -> Typed {
    let n = toks.len();
    let mut terms: Vec<(OrgType, TermFlags, &str)> = Vec::new();
    for (i, h) in hits.iter().enumerate() {
        let after_people = i > 0
            && hits[i - 1].end == h.start
            && hits[i - 1]
                .meanings
                .iter()
                .any(|m| matches!(m, Meaning::Ethnic(..) | Meaning::Demonym(_)));
        for (t, f) in h.terms() {
            if f.title || f.role || (f.suffix && h.end != n) || (f.people && !after_people) {
                continue;
            }
            terms.push((t, f, h.text.as_str()));
        }
    }
    // Labour words make a union only beside federation words ("General
    // Workers' Federation"), not in "Migrant Workers Rights Network".
    let labour_union = terms.iter().any(|t| t.1.labour)
        && terms
            .iter()
            .all(|t| t.1.labour || t.1.federation || t.1.membership);
    let strong: Vec<(OrgType, &str)> = terms
        .iter()
        .filter(|t| !t.1.weak && (!t.1.labour || labour_union))
        .map(|t| {
            if t.1.labour || (t.1.federation && labour_union) {
                (OrgType::TradeUnion, t.2)
            } else {
                (t.0, t.2)
            }
        })
        .collect();
    let has_tags = hits
        .iter()
        .any(|h| h.meanings.iter().any(|m| matches!(m, Meaning::Tag(_))));

    let best = strong
        .iter()
        .filter(|t| t.0 != OrgType::Ngo)
        .min_by_key(|t| t.0)
        .copied();
    if let Some((kind, word)) = best {
        let outranked: Vec<String> = strong
            .iter()
            .filter(|t| t.0 != kind && t.0 != OrgType::Ngo)
            .map(|t| format!("\"{}\" ({})", t.1, t.0.as_str()))
            .collect();
        let mut reason = format!("\"{word}\" in the name means {}", kind.as_str());
        if !outranked.is_empty() {
            reason.push_str(&format!(", which outranks {}", outranked.join(", ")));
        }
        return Typed {
            kind,
            reason,
            confidence: 0.9,
        };
    }

    // An association named for a people: a diaspora or local community.
    let generic: Vec<&(OrgType, &str)> = strong.iter().filter(|t| t.0 == OrgType::Ngo).collect();
    let member_head = terms.iter().any(|t| t.1.membership);
    let plain_head = member_head || generic.is_empty();
    if let Some(who) = &ctx.identity {
        let focus_tags = hits.iter().any(|h| {
            h.meanings.iter().any(|m| {
                matches!(m, Meaning::Tag(t) if ["women", "youth", "students", "human_rights", "labour"].contains(t))
            })
        });
        if plain_head && !focus_tags {
            return Typed {
                kind: OrgType::Community,
                reason: format!(
                    "an association of people named by \"{who}\", with no other aim in its name"
                ),
                confidence: 0.75,
            };
        }
        if plain_head {
            if let Some(place) = &ctx.local_place {
                return Typed {
                    kind: OrgType::Community,
                    reason: format!("a group of \"{who}\" in one place: {place}"),
                    confidence: 0.7,
                };
            }
        }
    }

    if strong.is_empty() && !has_tags {
        if let Some(w) = terms.iter().find(|t| t.1.weak) {
            return Typed {
                kind: w.0,
                reason: format!(
                    "\"{}\" in the name, and no other type word: {}",
                    w.2,
                    w.0.as_str()
                ),
                confidence: 0.6,
            };
        }
    }
    if let Some(g) = generic.first() {
        return Typed {
            kind: OrgType::Ngo,
            reason: format!("\"{}\" in the name, and no more specific type word", g.1),
            confidence: 0.7,
        };
    }
    if has_tags {
        return Typed {
            kind: OrgType::Ngo,
            reason: "a cause in the name and no type word: ngo".into(),
            confidence: 0.6,
        };
    }
    Typed {
        kind: OrgType::Ngo,
        reason:
            "no type word in the name: an organization is an ngo unless its name says otherwise"
                .into(),
        confidence: 0.5,
    }
}

/// Focus tags: women, youth, students, human_rights, labour, and
/// ethnic:GROUP, in that order.
pub fn tags(hits: &[Hit]) -> Vec<String> {
    const ORDER: [&str; 5] = ["women", "youth", "students", "human_rights", "labour"];
    let mut found: Vec<String> = Vec::new();
    for t in ORDER {
        if hits.iter().any(|h| h.meanings.contains(&Meaning::Tag(t))) {
            found.push(t.to_string());
        }
    }
    for h in hits {
        for m in &h.meanings {
            if let Meaning::Ethnic(g, _) = m {
                let tag = format!("ethnic:{g}");
                if !found.contains(&tag) {
                    found.push(tag);
                }
            }
        }
    }
    found
}
