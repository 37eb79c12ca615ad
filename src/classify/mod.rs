//! Country and type of an organization, each answer with its reason and a
//! confidence, read from what its letters print: the notes beside its name,
//! the country group headings it was listed under, and the words of its
//! name against the tables in `data/`. Pure functions over that evidence:
//! no SQL, no printing (the store gathers the evidence, `cli` prints).
//!
//! Country clues, strongest first: a person's override (kept by the store),
//! a note or heading in a letter, a state or province in the name, a city
//! in the name, a country in the name read as a location. A country the
//! name is about rather than based in ("for Burma", "Karen", "Burma Human
//! Rights Network") is kept apart as the focus country.

mod country;
pub mod eval;
mod lexicon;
mod org_type;

use serde::Serialize;

use crate::parse::entry::parse_entry;

/// A classification and why it was given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub value: String,
    pub reason: String,
    pub confidence: f64,
}

/// Answers below this confidence are guesses: kept and shown, but not
/// counted as knowing the country (an ambiguous city such as London).
pub const CONFIDENT: f64 = 0.5;

/// The types an organization can have, in the order they outrank each
/// other when a name holds words of several ("Myanmar Lawyers' Network" is
/// legal; "Media Foundation" is a foundation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgType {
    Individual,
    Academic,
    Faith,
    Political,
    TradeUnion,
    Legal,
    Foundation,
    Media,
    Campaign,
    Network,
    Community,
    Business,
    Ngo,
}

impl OrgType {
    pub const ALL: [OrgType; 13] = [
        OrgType::Ngo,
        OrgType::Community,
        OrgType::TradeUnion,
        OrgType::Faith,
        OrgType::Academic,
        OrgType::Network,
        OrgType::Foundation,
        OrgType::Media,
        OrgType::Legal,
        OrgType::Political,
        OrgType::Campaign,
        OrgType::Business,
        OrgType::Individual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgType::Individual => "individual",
            OrgType::Academic => "academic",
            OrgType::Faith => "faith",
            OrgType::Political => "political",
            OrgType::TradeUnion => "trade_union",
            OrgType::Legal => "legal",
            OrgType::Foundation => "foundation",
            OrgType::Media => "media",
            OrgType::Campaign => "campaign",
            OrgType::Network => "network",
            OrgType::Community => "community",
            OrgType::Business => "business",
            OrgType::Ngo => "ngo",
        }
    }

    pub fn parse(s: &str) -> Option<OrgType> {
        OrgType::ALL.into_iter().find(|t| t.as_str() == s.trim())
    }
}

/// What one signature says besides the name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SignatureClue {
    pub letter_id: i64,
    /// The note printed with the name ("New Zealand", "KS", "MR").
    pub note: Option<String>,
    /// The heading the entry sits under ("South Korea (76)", "Individuals").
    pub section: Option<String>,
    /// The entry as printed ("Karen Community of Omaha, NE"): says whether
    /// a note followed a comma or stood in parentheses.
    pub printed: Option<String>,
}

/// Everything the registry knows about one organization that bears on
/// its country and type.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evidence {
    /// The canonical name first, then the other printed forms.
    pub names: Vec<String>,
    /// The parser read the entry as a person.
    pub individual: bool,
    pub signatures: Vec<SignatureClue>,
}

/// Where a country clue comes from, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClueSource {
    Note,
    State,
    City,
    Name,
}

impl ClueSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ClueSource::Note => "note",
            ClueSource::State => "state",
            ClueSource::City => "city",
            ClueSource::Name => "name",
        }
    }
}

/// One clue to where an organization is based.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountryClue {
    pub source: ClueSource,
    /// The countries it points to: one, or several when it is ambiguous
    /// ("London": GB or CA).
    pub countries: Vec<String>,
    pub confidence: f64,
    pub reason: String,
    /// Within a source, which clue reads more surely as a location (a
    /// name's last words over its first).
    #[serde(skip)]
    pub strength: u8,
    /// The letter that printed it, for notes and headings.
    pub letter_id: Option<i64>,
}

/// The full answer for one organization.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    pub country: Option<Answer>,
    pub focus_country: Option<Answer>,
    pub org_type: Answer,
    pub tags: Vec<String>,
    /// Every clue to the country that was weighed, strongest first.
    pub clues: Vec<CountryClue>,
    /// Letters that disagree about the country.
    pub conflicts: Vec<String>,
}

/// Builds the tables classification reads (the phrase dictionary above
/// all, tens of milliseconds) if they are not built yet. An import calls
/// it on a second thread while it parses and matches, so the
/// classification at its end does not wait for them.
pub fn warm() {
    lexicon::lexicon();
    crate::data::cities();
}

/// Classifies an organization from its evidence.
pub fn classify(ev: &Evidence) -> Classification {
    let individual = org_type::individual_from_evidence(ev);
    let notes: Vec<CountryClue> = ev
        .signatures
        .iter()
        .filter_map(country::signature_clue)
        .collect();
    let name = ev.names.first().map(String::as_str).unwrap_or("");
    let toks = lexicon::tokens(name);
    let hits = lexicon::lexicon().scan(&toks);

    if let Some(reason) = individual.or_else(|| org_type::individual_from_name(&toks, &hits)) {
        // A person's name says nothing about where they are: only notes count.
        let decided = country::decide(notes, &country::NameReading::default());
        return Classification {
            country: decided.answer,
            focus_country: None,
            org_type: Answer {
                value: OrgType::Individual.as_str().into(),
                reason,
                confidence: 0.9,
            },
            tags: Vec::new(),
            clues: decided.clues,
            conflicts: decided.conflicts,
        };
    }

    // The type as the words alone give it, to read the places by (a
    // country opening a union's name is where it is; opening a campaign's,
    // what it is about).
    let ethnic = hits.iter().find_map(|h| {
        h.meanings
            .iter()
            .any(|m| matches!(m, lexicon::Meaning::Ethnic(..)))
            .then(|| h.text.clone())
    });
    let provisional = org_type::decide(
        &toks,
        &hits,
        &org_type::Context {
            identity: ethnic,
            local_place: None,
        },
    );
    let mut reading = country::read_name(&toks, &hits, provisional.kind);
    if reading.base.is_empty() {
        // The canonical name may be a bare acronym; another printed form
        // can still say where the organization is.
        for other in ev.names.iter().skip(1) {
            let t = lexicon::tokens(other);
            let h = lexicon::lexicon().scan(&t);
            let r = country::read_name(&t, &h, provisional.kind);
            if !r.base.is_empty() {
                reading.base = r.base;
                break;
            }
        }
    }
    let decided = country::decide(notes, &reading);
    let base = decided.answer.as_ref().map(|a| a.value.as_str());
    let ctx = org_type::Context {
        identity: reading.identity(base),
        local_place: decided.local_place.clone(),
    };
    let typed = org_type::decide(&toks, &hits, &ctx);
    Classification {
        focus_country: country::focus(&reading, base, &decided.clues),
        country: decided.answer,
        org_type: Answer {
            value: typed.kind.as_str().into(),
            reason: typed.reason,
            confidence: typed.confidence,
        },
        tags: org_type::tags(&hits),
        clues: decided.clues,
        conflicts: decided.conflicts,
    }
}

/// Classifies one entry as a letter prints it ("Karen Community of Utah,
/// UT"), with the note or heading printed beside it, if any.
pub fn classify_entry(printed: &str, note: Option<&str>) -> Classification {
    let e = parse_entry(printed, None);
    let note = [e.note.as_deref(), note.filter(|n| !n.trim().is_empty())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    classify(&Evidence {
        names: vec![e.name],
        individual: e.individual,
        signatures: vec![SignatureClue {
            letter_id: 1,
            note: (!note.is_empty()).then_some(note),
            section: None,
            printed: Some(printed.to_string()),
        }],
    })
}

#[cfg(test)]
mod tests;
