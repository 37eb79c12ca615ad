//! Measuring classification against a hand-labelled set: one row per
//! entry as a letter prints it, with its note, the true country (blank
//! when nothing printed says it), the true type, the language and the kind
//! of clue that shows the country (`note`, `state`, `city`,
//! `country_in_name`, `none`). Computes country accuracy where a clue
//! exists, how often a country is claimed where none does, and per-type
//! precision, recall and macro-F1.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{classify_entry, OrgType, CONFIDENT};

/// One labelled entry (tests/eval/classify_gold.csv).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct GoldRow {
    pub name: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub country: String,
    pub org_type: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub clue: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("bad labelled set: {0}")]
    Csv(#[from] csv::Error),
    #[error("row {row}: unknown org_type \"{value}\"")]
    UnknownType { row: usize, value: String },
}

/// Reads a labelled set from CSV text with a header row.
pub fn read_gold(text: &str) -> Result<Vec<GoldRow>, EvalError> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, rec) in r.deserialize::<GoldRow>().enumerate() {
        let row = rec?;
        if OrgType::parse(&row.org_type).is_none() {
            return Err(EvalError::UnknownType {
                row: i + 2,
                value: row.org_type,
            });
        }
        out.push(row);
    }
    Ok(out)
}

/// Precision and recall of one type.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClassScore {
    pub class: String,
    /// Rows labelled with this type.
    pub support: usize,
    /// Rows classified as this type.
    pub predicted: usize,
    pub correct: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// A pair of types often taken one for the other.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Confusion {
    pub gold: String,
    pub predicted: String,
    pub count: usize,
    pub examples: Vec<String>,
}

/// One row the classifier got wrong.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Mistake {
    pub name: String,
    pub note: String,
    pub what: &'static str,
    pub gold: String,
    pub predicted: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub rows: usize,
    pub languages: BTreeMap<String, usize>,
    /// Rows whose country some printed clue shows.
    pub with_clue: usize,
    /// Of those, classified with that country at confidence >= CONFIDENT.
    pub country_correct: usize,
    pub country_accuracy: f64,
    /// Per clue kind: (rows, correct).
    pub by_clue: BTreeMap<String, (usize, usize)>,
    /// Rows with no clue to a country.
    pub without_clue: usize,
    /// Of those, given a country at confidence >= CONFIDENT.
    pub country_claimed: usize,
    pub wrong_country_rate: f64,
    /// Of those, given any country, guesses included.
    pub country_guessed: usize,
    pub confidence_threshold: f64,
    pub type_accuracy: f64,
    pub type_macro_f1: f64,
    pub classes: Vec<ClassScore>,
    pub confusions: Vec<Confusion>,
    pub mistakes: Vec<Mistake>,
}

/// Classifies every row and scores the answers.
pub fn evaluate(rows: &[GoldRow]) -> Report {
    let mut languages = BTreeMap::new();
    let mut by_clue: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut with_clue, mut correct, mut without, mut claimed, mut guessed) = (0, 0, 0, 0, 0);
    let mut type_pairs: Vec<(String, String, String)> = Vec::new();
    let mut mistakes = Vec::new();
    for row in rows {
        *languages.entry(row.language.clone()).or_insert(0) += 1;
        let note = (!row.note.trim().is_empty()).then_some(row.note.as_str());
        let c = classify_entry(&row.name, note);
        let (value, confidence, reason) = match &c.country {
            Some(a) => (a.value.as_str(), a.confidence, a.reason.as_str()),
            None => ("", 0.0, "no clue"),
        };
        let sure = confidence >= CONFIDENT;
        let gold_cc = row.country.trim();
        if gold_cc.is_empty() {
            without += 1;
            if sure {
                claimed += 1;
            }
            if !value.is_empty() {
                guessed += 1;
            }
        } else {
            with_clue += 1;
            let e = by_clue.entry(row.clue.clone()).or_insert((0, 0));
            e.0 += 1;
            if sure && value == gold_cc {
                correct += 1;
                e.1 += 1;
            }
        }
        let right_country = if gold_cc.is_empty() {
            !sure
        } else {
            sure && value == gold_cc
        };
        if !right_country {
            mistakes.push(Mistake {
                name: row.name.clone(),
                note: row.note.clone(),
                what: "country",
                gold: gold_cc.to_string(),
                predicted: if value.is_empty() {
                    String::new()
                } else {
                    format!("{value} ({confidence:.2})")
                },
                reason: reason.to_string(),
            });
        }
        let gold_t = row.org_type.trim().to_string();
        if gold_t != c.org_type.value {
            mistakes.push(Mistake {
                name: row.name.clone(),
                note: row.note.clone(),
                what: "type",
                gold: gold_t.clone(),
                predicted: c.org_type.value.clone(),
                reason: c.org_type.reason.clone(),
            });
        }
        type_pairs.push((gold_t, c.org_type.value, row.name.clone()));
    }

    let mut classes = Vec::new();
    for t in OrgType::ALL {
        let t = t.as_str();
        let support = type_pairs.iter().filter(|p| p.0 == t).count();
        let predicted = type_pairs.iter().filter(|p| p.1 == t).count();
        let ok = type_pairs.iter().filter(|p| p.0 == t && p.1 == t).count();
        if support == 0 && predicted == 0 {
            continue;
        }
        let precision = ratio(ok, predicted);
        let recall = ratio(ok, support);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        classes.push(ClassScore {
            class: t.to_string(),
            support,
            predicted,
            correct: ok,
            precision,
            recall,
            f1,
        });
    }
    // Macro-F1 over the types the labelled set holds.
    let labelled: Vec<&ClassScore> = classes.iter().filter(|c| c.support > 0).collect();
    let type_macro_f1 = labelled.iter().map(|c| c.f1).sum::<f64>() / labelled.len().max(1) as f64;
    let type_ok = type_pairs.iter().filter(|p| p.0 == p.1).count();

    let mut conf: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (g, p, name) in &type_pairs {
        if g != p {
            conf.entry((g.clone(), p.clone()))
                .or_default()
                .push(name.clone());
        }
    }
    let mut confusions: Vec<Confusion> = conf
        .into_iter()
        .map(|((gold, predicted), names)| Confusion {
            gold,
            predicted,
            count: names.len(),
            examples: names.into_iter().take(3).collect(),
        })
        .collect();
    confusions.sort_by(|a, b| b.count.cmp(&a.count).then(a.gold.cmp(&b.gold)));

    Report {
        rows: rows.len(),
        languages,
        with_clue,
        country_correct: correct,
        country_accuracy: ratio(correct, with_clue),
        by_clue,
        without_clue: without,
        country_claimed: claimed,
        wrong_country_rate: ratio(claimed, without),
        country_guessed: guessed,
        confidence_threshold: CONFIDENT,
        type_accuracy: ratio(type_ok, type_pairs.len()),
        type_macro_f1,
        classes,
        confusions,
        mistakes,
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}
