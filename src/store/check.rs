//! `check`'s questions to the database: SQLite's own integrity and
//! foreign-key checks, then the registry's rules the schema cannot state
//! (orphan printed forms, judgements an organization breaks, letters that
//! are not whole). Each answer is one [`Problem`].

use std::fmt;

use rusqlite::Connection;

use super::{Store, StoreError};

/// What kind of rule a [`Problem`] breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// `PRAGMA integrity_check`: the file itself (pages, indexes, the
    /// full-text index).
    Integrity,
    /// A row pointing to a row that does not exist.
    ForeignKey,
    /// A printed form no letter or organization accounts for.
    OrphanAlias,
    /// An organization holding two names a person judged different.
    Judgement,
    /// A letter whose signatures do not match its latest version.
    Letter,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Integrity => "integrity",
            Rule::ForeignKey => "foreign key",
            Rule::OrphanAlias => "orphan alias",
            Rule::Judgement => "judgement",
            Rule::Letter => "letter",
        }
    }
}

/// One thing wrong in the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub rule: Rule,
    pub detail: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule.as_str(), self.detail)
    }
}

/// A foreign key the schema declares, checked by its own query so the
/// message can say which row points where. `sql` returns (id, target,
/// what the row is) for every row whose target is missing.
struct Reference {
    table: &'static str,
    parent: &'static str,
    sql: &'static str,
}

const REFERENCES: &[Reference] = &[
    Reference {
        table: "signatures",
        parent: "letters",
        sql: "SELECT s.id, s.letter_id AS target,
                  'signature ' || s.id || ' (position ' || s.position || ')' AS what
              FROM signatures s WHERE NOT EXISTS (SELECT 1 FROM letters l WHERE l.id = s.letter_id)
              ORDER BY s.id",
    },
    Reference {
        table: "signatures",
        parent: "organizations",
        sql: "SELECT s.id, s.org_id AS target,
                  'signature ' || s.id || ' (letter ' || s.letter_id || ', position ' || s.position || ')' AS what
              FROM signatures s WHERE NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = s.org_id)
              ORDER BY s.id",
    },
    Reference {
        table: "aliases",
        parent: "organizations",
        sql: "SELECT a.id, a.org_id AS target, 'alias ' || a.id AS what
              FROM aliases a WHERE NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = a.org_id)
              ORDER BY a.id",
    },
    Reference {
        table: "aliases",
        parent: "letters",
        sql: "SELECT a.id, a.letter_id AS target, 'alias ' || a.id AS what
              FROM aliases a WHERE a.letter_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM letters l WHERE l.id = a.letter_id)
              ORDER BY a.id",
    },
    Reference {
        table: "letter_versions",
        parent: "letters",
        sql: "SELECT v.id, v.letter_id AS target, 'letter version ' || v.id AS what
              FROM letter_versions v WHERE NOT EXISTS (SELECT 1 FROM letters l WHERE l.id = v.letter_id)
              ORDER BY v.id",
    },
];

/// The singular of a parent table, for messages.
fn row_name(table: &str) -> &str {
    match table {
        "letters" => "letter",
        "organizations" => "organization",
        other => other,
    }
}

impl Store {
    /// Everything wrong in the registry, in a stable order: SQLite's
    /// integrity check, rows pointing to missing rows, orphan printed
    /// forms, organizations holding two names judged different, letters
    /// whose signed signatures are not the signers their latest version
    /// lists. Empty when all is well.
    pub fn check(&self) -> Result<Vec<Problem>, StoreError> {
        match self.check_all() {
            // A file too damaged to answer is the worst finding, not an
            // error in running the check.
            Err(e) => match e.damage() {
                Some(what) => Ok(vec![Problem {
                    rule: Rule::Integrity,
                    detail: what.to_string(),
                }]),
                None => Err(e),
            },
            found => found,
        }
    }

    fn check_all(&self) -> Result<Vec<Problem>, StoreError> {
        let mut out = integrity(&self.conn)?;
        // A damaged file answers the other questions with noise, or not
        // at all.
        if !out.is_empty() {
            return Ok(out);
        }
        out.extend(search_index(&self.conn)?);
        out.extend(references(&self.conn)?);
        out.extend(orphan_aliases(&self.conn)?);
        out.extend(judged_apart(&self.conn)?);
        out.extend(partial_letters(&self.conn)?);
        Ok(out)
    }
}

fn rows(
    conn: &Connection,
    sql: &str,
    f: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<String>,
) -> Result<Vec<String>, StoreError> {
    let mut st = conn.prepare(sql)?;
    let v = st.query_map([], f)?.collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

fn problems(rule: Rule, details: Vec<String>) -> impl Iterator<Item = Problem> {
    details
        .into_iter()
        .map(move |detail| Problem { rule, detail })
}

fn integrity(conn: &Connection) -> Result<Vec<Problem>, StoreError> {
    let found = rows(conn, "PRAGMA integrity_check", |r| r.get(0))?;
    Ok(problems(
        Rule::Integrity,
        found.into_iter().filter(|r| r != "ok").collect(),
    )
    .collect())
}

/// The full-text index of names against the printed forms it indexes
/// (FTS5's own check, which `PRAGMA integrity_check` does not run against
/// an external content table). It writes nothing.
fn search_index(conn: &Connection) -> Result<Vec<Problem>, StoreError> {
    match conn.execute(
        "INSERT INTO name_search (name_search, rank) VALUES ('integrity-check', 1)",
        [],
    ) {
        Ok(_) => Ok(Vec::new()),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::DatabaseCorrupt =>
        {
            Ok(vec![Problem {
                rule: Rule::Integrity,
                detail: "the full-text index of names (name_search) does not match the aliases it indexes".into(),
            }])
        }
        Err(e) => Err(e.into()),
    }
}

fn references(conn: &Connection) -> Result<Vec<Problem>, StoreError> {
    let mut out = Vec::new();
    for rf in REFERENCES {
        let found = rows(conn, rf.sql, |r| {
            let target: i64 = r.get("target")?;
            let what: String = r.get("what")?;
            Ok(format!(
                "{what} points to {} {target}, which does not exist",
                row_name(rf.parent)
            ))
        })?;
        out.extend(problems(Rule::ForeignKey, found));
    }
    // Whatever else SQLite finds (a reference added to the schema later
    // than the list above).
    let mut st = conn.prepare(
        "SELECT \"table\" AS t, rowid AS r, parent AS p FROM pragma_foreign_key_check
         ORDER BY \"table\", rowid",
    )?;
    let others = st
        .query_map([], |r| {
            Ok((
                r.get::<_, String>("t")?,
                r.get::<_, Option<i64>>("r")?,
                r.get::<_, String>("p")?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (t, id, p) in others {
        if !REFERENCES.iter().any(|rf| rf.table == t && rf.parent == p) {
            let id = id.map_or_else(|| "?".to_string(), |i| i.to_string());
            out.push(Problem {
                rule: Rule::ForeignKey,
                detail: format!("row {id} of {t} points to a missing row of {p}"),
            });
        }
    }
    Ok(out)
}

/// Printed forms from a letter that no letter or signature accounts for:
/// one that names no letter, and one whose organization (which exists)
/// signed nothing at all. A form pointing to a missing letter or
/// organization is already a foreign-key problem.
fn orphan_aliases(conn: &Connection) -> Result<Vec<Problem>, StoreError> {
    let mut found = rows(
        conn,
        "SELECT a.id, a.name, a.org_id FROM aliases a
         WHERE a.origin = 'letter' AND a.letter_id IS NULL ORDER BY a.id",
        |r| {
            let (id, name, org): (i64, String, i64) =
                (r.get("id")?, r.get("name")?, r.get("org_id")?);
            Ok(format!(
                "alias {id} {name:?} of organization {org} comes from a letter but names none"
            ))
        },
    )?;
    found.extend(rows(
        conn,
        "SELECT a.id, a.name, a.org_id, a.letter_id FROM aliases a
         WHERE a.origin = 'letter'
             AND EXISTS (SELECT 1 FROM organizations o WHERE o.id = a.org_id)
             AND a.org_id NOT IN (SELECT org_id FROM signatures INDEXED BY signatures_by_org)
         ORDER BY a.id",
        |r| {
            let (id, name, org, letter): (i64, String, i64, Option<i64>) = (
                r.get("id")?,
                r.get("name")?,
                r.get("org_id")?,
                r.get("letter_id")?,
            );
            Ok(format!(
                "alias {id} {name:?} was printed in letter {}, but organization {org} signed nothing",
                letter.map_or_else(|| "?".to_string(), |l| l.to_string())
            ))
        },
    )?);
    Ok(problems(Rule::OrphanAlias, found).collect())
}

/// Organizations holding two printed forms a person judged different.
/// (A pair judged both same and different cannot be stored: one row per
/// pair of keys.)
fn judged_apart(conn: &Connection) -> Result<Vec<Problem>, StoreError> {
    let found = rows(
        conn,
        "SELECT j.id, a.org_id, min(a.name) AS name_a, min(b.name) AS name_b
         FROM judgements j
         JOIN aliases a ON a.key = j.key_a
         JOIN aliases b ON b.key = j.key_b AND b.org_id = a.org_id
         WHERE j.verdict = 'different'
         GROUP BY j.id, a.org_id ORDER BY a.org_id, j.id",
        |r| {
            let (id, org, a, b): (i64, i64, String, String) = (
                r.get("id")?,
                r.get("org_id")?,
                r.get("name_a")?,
                r.get("name_b")?,
            );
            Ok(format!(
                "organization {org} holds {a:?} and {b:?}, judged different (judgement {id}); split one out (undersigned split)"
            ))
        },
    )?;
    Ok(problems(Rule::Judgement, found).collect())
}

/// Letters that are not whole: no version recorded, or a number of signed
/// signatures other than the signers their latest version lists (an
/// import or update stores both in one transaction, so they always agree).
fn partial_letters(conn: &Connection) -> Result<Vec<Problem>, StoreError> {
    let found = rows(
        conn,
        "SELECT l.id,
             (SELECT count(*) FROM signatures s WHERE s.letter_id = l.id AND s.status = 'signed') AS signed,
             (SELECT v.signatory_count FROM letter_versions v WHERE v.letter_id = l.id
                  ORDER BY v.id DESC LIMIT 1) AS listed
         FROM letters l ORDER BY l.id",
        |r| {
            let (id, signed, listed): (i64, i64, Option<i64>) =
                (r.get("id")?, r.get("signed")?, r.get("listed")?);
            Ok(match listed {
                None => format!("letter {id} has no recorded version"),
                Some(n) if n != signed => format!(
                    "letter {id} holds {signed} signed signature(s), but its latest version lists {n} signer(s)"
                ),
                Some(_) => String::new(),
            })
        },
    )?;
    Ok(problems(
        Rule::Letter,
        found.into_iter().filter(|s| !s.is_empty()).collect(),
    )
    .collect())
}
