//! Country and type of an organization, each answer with its reason and a
//! confidence. This first version reads only what the letter states: the
//! country note printed with a name ("(New Zealand)", ", KS") and whether
//! the entry is a person. Names, cities and term tables come later.

use crate::parse::{Kind, Signatory};

/// A classification and why it was given.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub value: String,
    pub reason: String,
    pub confidence: f64,
}

/// The country a signer is based in, from the note printed with it.
pub fn country(sig: &Signatory, letter_id: i64) -> Option<Answer> {
    let code = sig.country.as_ref()?;
    let note = sig.note.as_deref().unwrap_or(code);
    Some(Answer {
        value: code.clone(),
        reason: format!("note \"{note}\" printed with the name in letter {letter_id}"),
        confidence: 0.95,
    })
}

/// The type of a signer, where the entry itself settles it.
pub fn org_type(sig: &Signatory) -> Option<Answer> {
    (sig.kind == Kind::Individual).then(|| Answer {
        value: "individual".into(),
        reason: match (&sig.section, &sig.note) {
            (Some(s), _) => format!("listed under \"{s}\""),
            (None, Some(n)) => format!("printed with the title \"{n}\""),
            (None, None) => "the entry starts with a personal title".into(),
        },
        confidence: 0.9,
    })
}
