//! The registry read as a network: which organizations signed which
//! letters (an incidence, the input of every overlap measure and network
//! export), the two letters of a diff, and the counts `stats` reports. All
//! of it under one [`Filter`]: letters, a date range, countries, types,
//! and whether withdrawn signatures count.

use std::collections::HashMap;

use rusqlite::{Statement, ToSql};

use super::{Store, StoreError};

/// Which signatures count. Letters are kept by `letters`, `since` and
/// `until`; signers by `countries` and `types`; a signature by its
/// status (withdrawn ones only with `include_withdrawn`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Only these letters.
    pub letters: Option<Vec<i64>>,
    /// Letters dated on or after this (YYYY, YYYY-MM or YYYY-MM-DD). A
    /// letter dated only by year or month is kept when that year or month
    /// reaches into the range; an undated letter is left out.
    pub since: Option<String>,
    /// Letters dated on or before this; as `since`.
    pub until: Option<String>,
    /// Only signers based in one of these countries (ISO codes).
    pub countries: Option<Vec<String>>,
    /// Only signers of one of these types.
    pub types: Option<Vec<String>>,
    /// Count signatures a later version of their letter dropped.
    pub include_withdrawn: bool,
}

/// A letter in an [`Incidence`].
#[derive(Debug, Clone, PartialEq)]
pub struct LetterNode {
    pub letter_id: i64,
    pub title: Option<String>,
    pub date: Option<String>,
    /// Distinct signers of the whole letter (withdrawn ones only with
    /// `include_withdrawn`), whatever the country and type filters keep:
    /// the `n` of the Newman weight 1/(n-1).
    pub signers: u32,
}

/// An organization (or person) in an [`Incidence`].
#[derive(Debug, Clone, PartialEq)]
pub struct OrgNode {
    pub org_id: i64,
    pub name: String,
    pub kind: String,
    pub country: Option<String>,
    pub org_type: Option<String>,
}

/// Who signed what, as two adjacency lists over the kept signatures: each
/// letter's signers and each signer's letters, by index, ascending and
/// without repeats. `letters` and `orgs` are sorted by id and hold only
/// those with at least one kept signature.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Incidence {
    pub letters: Vec<LetterNode>,
    pub orgs: Vec<OrgNode>,
    pub letter_orgs: Vec<Vec<u32>>,
    pub org_letters: Vec<Vec<u32>>,
}

/// Counts over the kept signatures, for `stats`.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// Letters the letter filters keep.
    pub letters: i64,
    /// Kept signatures that stand (status `signed`).
    pub signatures: i64,
    /// Kept signatures a later version dropped (status `withdrawn`).
    pub withdrawn: i64,
    /// Distinct signers of kind `organization`.
    pub organizations: i64,
    /// Distinct signers of kind `individual`.
    pub individuals: i64,
    /// Distinct signers by country, most first (`None`: not known).
    pub countries: Vec<(Option<String>, i64)>,
    /// Distinct signers by type, most first (`None`: not known).
    pub types: Vec<(Option<String>, i64)>,
    /// Letters whose text claims a number of signers other than the
    /// number found, by id.
    pub mismatches: Vec<Mismatch>,
}

/// A letter whose claimed count differs from the signers found.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub letter_id: i64,
    pub title: Option<String>,
    pub claimed: i64,
    /// Signatures that stand (status `signed`), as `letters` counts them.
    pub found: i64,
    /// The text says its list is partial.
    pub partial: bool,
}

/// The letter filters, on `letters l`. A partial date compares on the
/// part both dates have, so "2024" reaches into a range that starts on
/// 2024-03-01.
const LETTER_KEEP: &str = "(:letters IS NULL OR l.id IN (SELECT value FROM json_each(:letters)))
    AND (:since IS NULL OR substr(l.date, 1, length(:since)) >= substr(:since, 1, length(l.date)))
    AND (:until IS NULL OR substr(l.date, 1, length(:until)) <= substr(:until, 1, length(l.date)))";

/// The signer filters, on `organizations o`.
const SIGNER_KEEP: &str =
    "(:countries IS NULL OR o.country IN (SELECT value FROM json_each(:countries)))
    AND (:types IS NULL OR o.org_type IN (SELECT value FROM json_each(:types)))";

/// Signatures with their letter and signer, for the filters above.
const SIG_JOIN: &str = "signatures s JOIN letters l ON l.id = s.letter_id
    JOIN organizations o ON o.id = s.org_id";

/// The status rule, on `signatures s`.
const STATUS_KEEP: &str = "(:withdrawn OR s.status = 'signed')";

/// Binds the filter's values to those of its parameters a statement uses.
fn bind(
    st: &mut Statement<'_>,
    f: &Filter,
    extra: &[(&str, &dyn ToSql)],
) -> Result<(), StoreError> {
    let letters = f.letters.as_ref().map(|v| json_ids(v.iter().copied()));
    let texts = |v: &Option<Vec<String>>| {
        v.as_ref()
            .map(|v| serde_json::Value::from(v.clone()).to_string())
    };
    let countries = texts(&f.countries);
    let types = texts(&f.types);
    let named: [(&str, &dyn ToSql); 6] = [
        (":letters", &letters),
        (":since", &f.since),
        (":until", &f.until),
        (":countries", &countries),
        (":types", &types),
        (":withdrawn", &f.include_withdrawn),
    ];
    for (name, value) in named.iter().chain(extra) {
        if let Some(i) = st.parameter_index(name)? {
            st.raw_bind_parameter(i, value)?;
        }
    }
    Ok(())
}

/// Runs a statement with the filter bound, collecting one value per row.
fn collect<T>(
    st: &mut Statement<'_>,
    f: &Filter,
    extra: &[(&str, &dyn ToSql)],
    mut row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StoreError> {
    bind(st, f, extra)?;
    let mut rows = st.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(row(r)?);
    }
    Ok(out)
}

fn json_ids(ids: impl Iterator<Item = i64>) -> String {
    serde_json::Value::from(ids.collect::<Vec<_>>()).to_string()
}

impl Store {
    /// Letters among `ids` that are not in the registry.
    pub fn missing_letters(&self, ids: &[i64]) -> Result<Vec<i64>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT value AS id FROM json_each(?1)
             WHERE value NOT IN (SELECT id FROM letters) ORDER BY value",
        )?;
        let rows = st.query_map([json_ids(ids.iter().copied())], |r| r.get("id"))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Who signed what under `f`. Fails with [`StoreError::NoLetter`] when
    /// `f.letters` names a letter the registry does not hold.
    pub fn incidence(&self, f: &Filter) -> Result<Incidence, StoreError> {
        if let Some(id) = f
            .letters
            .as_deref()
            .map(|ids| self.missing_letters(ids))
            .transpose()?
            .and_then(|m| m.first().copied())
        {
            return Err(StoreError::NoLetter(id));
        }
        let every_letter_and_signer = f.letters.is_none()
            && f.since.is_none()
            && f.until.is_none()
            && f.countries.is_none()
            && f.types.is_none();
        // (letter, signer) pairs, by letter then signer or by signer then
        // letter: either way both lists below fill in ascending order.
        let pairs: Vec<(i64, i64)> = if every_letter_and_signer {
            self.every_signature_pair(f.include_withdrawn)?
        } else {
            let sql = format!(
                "SELECT DISTINCT s.letter_id, s.org_id FROM {SIG_JOIN}
                 WHERE {STATUS_KEEP} AND {LETTER_KEEP} AND {SIGNER_KEEP}
                 ORDER BY s.letter_id, s.org_id"
            );
            let mut st = self.conn.prepare(&sql)?;
            collect(&mut st, f, &[], |r| {
                Ok((r.get("letter_id")?, r.get("org_id")?))
            })?
        };

        let mut letter_ids: Vec<i64> = pairs.iter().map(|p| p.0).collect();
        letter_ids.sort_unstable();
        letter_ids.dedup();
        let mut org_ids: Vec<i64> = pairs.iter().map(|p| p.1).collect();
        org_ids.sort_unstable();
        org_ids.dedup();

        // With every signer kept, a letter's signers are its list's length
        // (counted below); the count is not asked of the database.
        let mut st = self.conn.prepare(if every_letter_and_signer {
            "SELECT l.id, l.title, l.date, 0 AS signers
             FROM letters l WHERE l.id IN (SELECT value FROM json_each(:ids)) ORDER BY l.id"
        } else {
            "SELECT l.id, l.title, l.date,
                 (SELECT count(DISTINCT s.org_id) FROM signatures s
                  WHERE s.letter_id = l.id AND (:withdrawn OR s.status = 'signed')) AS signers
             FROM letters l WHERE l.id IN (SELECT value FROM json_each(:ids)) ORDER BY l.id"
        })?;
        let ids = json_ids(letter_ids.iter().copied());
        let mut letters = collect(&mut st, f, &[(":ids", &ids)], |r| {
            Ok(LetterNode {
                letter_id: r.get("id")?,
                title: r.get("title")?,
                date: r.get("date")?,
                signers: r.get("signers")?,
            })
        })?;
        let mut st = self.conn.prepare(
            "SELECT id, name, kind, country, org_type FROM organizations
             WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id",
        )?;
        let orgs = st
            .query_map([json_ids(org_ids.iter().copied())], |r| {
                Ok(OrgNode {
                    org_id: r.get("id")?,
                    name: r.get("name")?,
                    kind: r.get("kind")?,
                    country: r.get("country")?,
                    org_type: r.get("org_type")?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;

        let letter_index: HashMap<i64, u32> = letter_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i as u32))
            .collect();
        let org_index: HashMap<i64, u32> = org_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i as u32))
            .collect();
        let mut letter_orgs = vec![Vec::new(); letters.len()];
        let mut org_letters = vec![Vec::new(); orgs.len()];
        // Pairs come by letter, then organization: both lists fill in
        // ascending order.
        for (l, o) in &pairs {
            let (li, oi) = (letter_index[l], org_index[o]);
            letter_orgs[li as usize].push(oi);
            org_letters[oi as usize].push(li);
        }
        if every_letter_and_signer {
            for (l, signers) in letters.iter_mut().zip(&letter_orgs) {
                l.signers = signers.len() as u32;
            }
        }
        Ok(Incidence {
            letters,
            orgs,
            letter_orgs,
            org_letters,
        })
    }

    /// Every (letter, signer) pair with a signature that stands (or any
    /// signature, `withdrawn`), by signer then letter, each once: read from
    /// the signers' index alone, which holds both columns, less the pairs
    /// whose every row is unsigned (their own small index). Reading the
    /// table for each row's status would cost a page per signature.
    fn every_signature_pair(&self, withdrawn: bool) -> Result<Vec<(i64, i64)>, StoreError> {
        let mut unsigned: HashMap<(i64, i64), i64> = HashMap::new();
        if !withdrawn {
            let mut st = self.conn.prepare(
                "SELECT org_id, letter_id, count(*) AS n FROM signatures INDEXED BY signatures_unsigned_by_org
                 WHERE status <> 'signed' GROUP BY org_id, letter_id",
            )?;
            let rows = st.query_map([], |r| {
                Ok((
                    (r.get::<_, i64>(1)?, r.get::<_, i64>(0)?),
                    r.get::<_, i64>(2)?,
                ))
            })?;
            for row in rows {
                let (k, n) = row?;
                unsigned.insert(k, n);
            }
        }
        // The index is in era order (schema.sql, `signature_eras`): its
        // pairs are read as they lie and sorted here, by signer then
        // letter, which costs less than SQLite sorting them.
        let mut st = self
            .conn
            .prepare("SELECT org_id, letter_id FROM signatures INDEXED BY signatures_by_org")?;
        let mut rows = st.raw_query();
        let mut all: Vec<(i64, i64)> = Vec::new();
        while let Some(r) = rows.next()? {
            all.push((r.get(0)?, r.get(1)?));
        }
        all.sort_unstable();
        let mut out: Vec<(i64, i64)> = Vec::new();
        // Rows of one pair come together; the pair stands when it has more
        // rows than unsigned ones.
        for run in all.chunk_by(|a, b| a == b) {
            let pair = (run[0].1, run[0].0);
            if run.len() as i64 > unsigned.get(&pair).copied().unwrap_or(0) {
                out.push(pair);
            }
        }
        Ok(out)
    }

    /// Counts over the signatures `f` keeps; `top` limits the country and
    /// type lists.
    pub fn stats(&self, f: &Filter, top: usize) -> Result<Stats, StoreError> {
        let mut st = self.conn.prepare(&format!(
            "SELECT count(*) AS n FROM letters l WHERE {LETTER_KEEP}"
        ))?;
        let letters = collect(&mut st, f, &[], |r| r.get("n"))?[0];

        let mut st = self.conn.prepare(&format!(
            "SELECT count(CASE WHEN s.status = 'signed' THEN 1 END) AS signed,
                    count(CASE WHEN s.status = 'withdrawn' THEN 1 END) AS withdrawn
             FROM {SIG_JOIN} WHERE {LETTER_KEEP} AND {SIGNER_KEEP}"
        ))?;
        let (signatures, withdrawn) = collect(&mut st, f, &[], |r| {
            Ok((r.get("signed")?, r.get("withdrawn")?))
        })?[0];

        let mut st = self.conn.prepare(&format!(
            "SELECT o.kind, count(DISTINCT o.id) AS n FROM {SIG_JOIN}
             WHERE {STATUS_KEEP} AND {LETTER_KEEP} AND {SIGNER_KEEP} GROUP BY o.kind"
        ))?;
        let kinds: Vec<(String, i64)> =
            collect(&mut st, f, &[], |r| Ok((r.get("kind")?, r.get("n")?)))?;
        let kind = |k: &str| kinds.iter().find(|(x, _)| x == k).map_or(0, |(_, n)| *n);

        let top = top as i64;
        let by = |column: &str| -> Result<Vec<(Option<String>, i64)>, StoreError> {
            // The column name is one of two constants below, never user text.
            let mut st = self.conn.prepare(&format!(
                "SELECT o.{column} AS value, count(DISTINCT o.id) AS n FROM {SIG_JOIN}
                 WHERE {STATUS_KEEP} AND {LETTER_KEEP} AND {SIGNER_KEEP}
                 GROUP BY o.{column} ORDER BY n DESC, o.{column} IS NULL, o.{column} LIMIT :top"
            ))?;
            collect(&mut st, f, &[(":top", &top)], |r| {
                Ok((r.get("value")?, r.get("n")?))
            })
        };
        let countries = by("country")?;
        let types = by("org_type")?;

        let mut st = self.conn.prepare(&format!(
            "SELECT id, title, claimed_count, partial, found FROM (
                 SELECT l.id, l.title, l.claimed_count, l.partial,
                     (SELECT count(*) FROM signatures s
                      WHERE s.letter_id = l.id AND s.status = 'signed') AS found
                 FROM letters l WHERE {LETTER_KEEP} AND l.claimed_count IS NOT NULL)
             WHERE found != claimed_count ORDER BY id"
        ))?;
        let mismatches = collect(&mut st, f, &[], |r| {
            Ok(Mismatch {
                letter_id: r.get("id")?,
                title: r.get("title")?,
                claimed: r.get("claimed_count")?,
                found: r.get("found")?,
                partial: r.get("partial")?,
            })
        })?;
        Ok(Stats {
            letters,
            signatures,
            withdrawn,
            organizations: kind("organization"),
            individuals: kind("individual"),
            countries,
            types,
            mismatches,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Letters 1 (2023-05-10), 2 (2024) and 3 (undated); organizations 1
    /// (MM), 2 (TH), 3 (unknown country, a person). Organization 3's
    /// signature on letter 2 was withdrawn; organization 1 is listed twice
    /// on letter 1.
    fn store() -> Store {
        let s = Store::open_in_memory().unwrap();
        s.conn
            .execute_batch(
                "INSERT INTO letters (id, title, date, source, sha256, format, imported_at, raw_text, claimed_count)
                 VALUES (1, 'One', '2023-05-10', 'a', 'a', 'text', 'x', '', 3),
                        (2, 'Two', '2024', 'b', 'b', 'text', 'x', '', NULL),
                        (3, 'Three', NULL, 'c', 'c', 'text', 'x', '', 1);
                 INSERT INTO organizations (id, name, kind, country, org_type, created_at)
                 VALUES (1, 'A', 'organization', 'MM', NULL, 'x'),
                        (2, 'B', 'organization', 'TH', 'ngo', 'x'),
                        (3, 'C', 'individual', NULL, 'individual', 'x');
                 INSERT INTO signatures (letter_id, org_id, position, name_as_printed, line, raw_text, match_reason, status)
                 VALUES (1, 1, 1, 'A', 1, 'A', 'new', 'signed'),
                        (1, 2, 2, 'B', 2, 'B', 'new', 'signed'),
                        (1, 1, 3, 'A', 3, 'A', 'same', 'signed'),
                        (2, 1, 1, 'A', 1, 'A', 'same', 'signed'),
                        (2, 3, 2, 'C', 2, 'C', 'new', 'withdrawn'),
                        (3, 2, 1, 'B', 1, 'B', 'same', 'signed');",
            )
            .unwrap();
        s
    }

    /// Letter ids, organization ids, and the two adjacency lists.
    type Shape = (Vec<i64>, Vec<i64>, Vec<Vec<u32>>, Vec<Vec<u32>>);

    fn shape(inc: &Incidence) -> Shape {
        (
            inc.letters.iter().map(|l| l.letter_id).collect(),
            inc.orgs.iter().map(|o| o.org_id).collect(),
            inc.letter_orgs.clone(),
            inc.org_letters.clone(),
        )
    }

    #[test]
    fn incidence_keeps_signed_signatures_once_each() {
        let s = store();
        let inc = s.incidence(&Filter::default()).unwrap();
        assert_eq!(
            shape(&inc),
            (
                vec![1, 2, 3],
                vec![1, 2],
                vec![vec![0, 1], vec![0], vec![1]],
                vec![vec![0, 1], vec![0, 2]]
            )
        );
        // Letter 1 has two distinct signers, not three rows.
        assert_eq!(inc.letters[0].signers, 2);
        assert_eq!(inc.letters[1].signers, 1);
        let with = s
            .incidence(&Filter {
                include_withdrawn: true,
                ..Filter::default()
            })
            .unwrap();
        assert_eq!(with.orgs.len(), 3);
        assert_eq!(with.letters[1].signers, 2);
    }

    #[test]
    fn pairs_from_the_index_are_the_distinct_standing_signatures() {
        let s = store();
        // Organization 2 listed twice on letter 3, once withdrawn: it
        // still stands there. Organization 3 withdrawn twice on letter 1.
        s.conn
            .execute_batch(
                "INSERT INTO signatures (letter_id, org_id, position, name_as_printed, line, raw_text, match_reason, status)
                 VALUES (3, 2, 2, 'B', 2, 'B', 'same', 'withdrawn'),
                        (1, 3, 4, 'C', 4, 'C', 'same', 'withdrawn'),
                        (1, 3, 5, 'C', 5, 'C', 'same', 'withdrawn');",
            )
            .unwrap();
        for withdrawn in [false, true] {
            let mut fast = s.every_signature_pair(withdrawn).unwrap();
            fast.sort_unstable();
            let mut st = s
                .conn
                .prepare(
                    "SELECT DISTINCT letter_id, org_id FROM signatures
                     WHERE ?1 OR status = 'signed' ORDER BY letter_id, org_id",
                )
                .unwrap();
            let slow: Vec<(i64, i64)> = st
                .query_map([withdrawn], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(fast, slow, "withdrawn {withdrawn}");
        }
        assert!(s.every_signature_pair(false).unwrap().contains(&(3, 2)));
        assert!(!s.every_signature_pair(false).unwrap().contains(&(1, 3)));
    }

    #[test]
    fn incidence_filters_letters_dates_countries_and_types() {
        let s = store();
        let ids = |f: Filter| {
            let inc = s.incidence(&f).unwrap();
            let (l, o, _, _) = shape(&inc);
            (l, o)
        };
        let f = Filter::default;
        assert_eq!(
            ids(Filter {
                letters: Some(vec![3]),
                ..f()
            }),
            (vec![3], vec![2])
        );
        // "2024" reaches into a range starting 2024-03-01; the undated
        // letter never does.
        assert_eq!(
            ids(Filter {
                since: Some("2024-03-01".into()),
                ..f()
            }),
            (vec![2], vec![1])
        );
        assert_eq!(
            ids(Filter {
                until: Some("2023".into()),
                ..f()
            }),
            (vec![1], vec![1, 2])
        );
        assert_eq!(
            ids(Filter {
                until: Some("2023-05-09".into()),
                ..f()
            }),
            (vec![], vec![])
        );
        assert_eq!(
            ids(Filter {
                countries: Some(vec!["TH".into()]),
                ..f()
            }),
            (vec![1, 3], vec![2])
        );
        // The country filter leaves the letter's own size alone.
        let inc = s
            .incidence(&Filter {
                countries: Some(vec!["TH".into()]),
                ..f()
            })
            .unwrap();
        assert_eq!(inc.letters[0].signers, 2);
        assert_eq!(
            ids(Filter {
                types: Some(vec!["ngo".into(), "individual".into()]),
                include_withdrawn: true,
                ..f()
            }),
            (vec![1, 2, 3], vec![2, 3])
        );
        assert!(matches!(
            s.incidence(&Filter {
                letters: Some(vec![1, 9]),
                ..f()
            }),
            Err(StoreError::NoLetter(9))
        ));
    }

    #[test]
    fn stats_count_what_the_filter_keeps() {
        let s = store();
        let st = s.stats(&Filter::default(), 10).unwrap();
        assert_eq!(st.letters, 3);
        assert_eq!((st.signatures, st.withdrawn), (5, 1));
        assert_eq!((st.organizations, st.individuals), (2, 0));
        assert_eq!(
            st.countries,
            vec![(Some("MM".into()), 1), (Some("TH".into()), 1)]
        );
        assert_eq!(st.types, vec![(Some("ngo".into()), 1), (None, 1)]);
        // Letter 1 claims 3 and lists 3 rows; letter 3 claims 1 and has 1.
        assert!(st.mismatches.is_empty());
        let st = s
            .stats(
                &Filter {
                    include_withdrawn: true,
                    since: Some("2024".into()),
                    ..Filter::default()
                },
                1,
            )
            .unwrap();
        assert_eq!(st.letters, 1);
        assert_eq!((st.signatures, st.withdrawn), (1, 1));
        assert_eq!((st.organizations, st.individuals), (1, 1));
        assert_eq!(st.countries, vec![(Some("MM".into()), 1)]);
        s.conn
            .execute("UPDATE letters SET claimed_count = 5 WHERE id = 1", [])
            .unwrap();
        let st = s.stats(&Filter::default(), 10).unwrap();
        assert_eq!(
            st.mismatches,
            vec![Mismatch {
                letter_id: 1,
                title: Some("One".into()),
                claimed: 5,
                found: 3,
                partial: false
            }]
        );
    }
}
