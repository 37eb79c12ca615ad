//! Opening a database at the current schema: a new file gets `schema.sql`
//! whole; an older one is upgraded step by step (`migrations/NNNN_*.sql`),
//! each step in one transaction, tracked by `PRAGMA user_version`.

use rusqlite::Connection;

use super::StoreError;

pub const SCHEMA: &str = include_str!("../../schema.sql");

/// The version `schema.sql` creates.
pub const CURRENT: i32 = 6;

/// Upgrade steps: (version reached, SQL). A step is added here with its
/// file in migrations/ whenever `schema.sql` changes; released steps are
/// never edited.
const STEPS: &[(i32, &str)] = &[
    (2, include_str!("../../migrations/0002_letter_versions.sql")),
    (3, include_str!("../../migrations/0003_name_search.sql")),
    (4, include_str!("../../migrations/0004_name_blocks.sql")),
    (
        5,
        include_str!("../../migrations/0005_covering_indexes.sql"),
    ),
    (6, include_str!("../../migrations/0006_bulk_layout.sql")),
];

pub fn user_version(conn: &Connection) -> Result<i32, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the database to [`CURRENT`]. Safe when several processes open
/// one new or old database at once: each step runs in a transaction that
/// holds the write lock (the connection's transactions are immediate, see
/// `Store::setup`) and reads the version again inside it, so a step
/// another process applied meanwhile is skipped, never applied twice.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let v = user_version(conn)?;
    if v > CURRENT {
        return Err(StoreError::TooNew(v, CURRENT));
    }
    if v == CURRENT {
        return Ok(());
    }
    if v == 0 {
        let tx = conn.transaction()?;
        match user_version(&tx)? {
            0 => {
                let tables: i64 = tx.query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                    [],
                    |r| r.get(0),
                )?;
                if tables > 0 {
                    return Err(StoreError::NotOurs);
                }
                tx.execute_batch(SCHEMA)?;
                tx.commit()?;
                return Ok(());
            }
            // Another process created the schema while this one waited.
            v if v > CURRENT => return Err(StoreError::TooNew(v, CURRENT)),
            _ => {}
        }
    }
    upgrade_from(conn)
}

/// Applies every step above the database's version, each in its own
/// transaction.
fn upgrade_from(conn: &mut Connection) -> Result<(), StoreError> {
    for (to, sql) in STEPS {
        let tx = conn.transaction()?;
        if user_version(&tx)? >= *to {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", to)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema as `sqlite_master` describes it, sorted, white space folded.
    fn shape(conn: &Connection) -> Vec<(String, String, String)> {
        let mut st = conn
            .prepare("SELECT type, name, coalesce(sql, '') AS sql FROM sqlite_master ORDER BY type, name")
            .unwrap();
        st.query_map([], |r| {
            let sql: String = r.get("sql")?;
            Ok((
                r.get("type")?,
                r.get("name")?,
                sql.split_whitespace().collect::<Vec<_>>().join(" "),
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    }

    /// Every released version's schema, as the database held it. Version 0
    /// is an empty file. Add `(N, include_str!(...))` for each old version
    /// when a migration step is added.
    const OLD_VERSIONS: &[(i32, &str)] = &[
        (0, ""),
        (1, include_str!("../../migrations/schema_v1.sql")),
        (2, include_str!("../../migrations/schema_v2.sql")),
        (3, include_str!("../../migrations/schema_v3.sql")),
        (4, include_str!("../../migrations/schema_v4.sql")),
        (5, include_str!("../../migrations/schema_v5.sql")),
    ];

    #[test]
    fn upgrade_from_every_version_equals_fresh() {
        let fresh = Connection::open_in_memory().unwrap();
        fresh.execute_batch(SCHEMA).unwrap();
        assert_eq!(user_version(&fresh).unwrap(), CURRENT);
        for (v, sql) in OLD_VERSIONS {
            let mut old = Connection::open_in_memory().unwrap();
            old.execute_batch(sql).unwrap();
            assert_eq!(user_version(&old).unwrap(), *v);
            migrate(&mut old).unwrap();
            assert_eq!(user_version(&old).unwrap(), CURRENT, "from version {v}");
            assert_eq!(shape(&old), shape(&fresh), "from version {v}");
        }
        // Every version below CURRENT must be covered.
        for v in 0..CURRENT {
            assert!(
                OLD_VERSIONS.iter().any(|(o, _)| *o == v),
                "no fixture for version {v}"
            );
        }
    }

    #[test]
    fn upgrade_from_v1_gives_each_letter_its_first_version() {
        let mut c = Connection::open_in_memory().unwrap();
        c.execute_batch(OLD_VERSIONS[1].1).unwrap();
        c.execute_batch(
            "INSERT INTO letters (id, source, sha256, part, format, imported_at, raw_text)
             VALUES (1, 'a.txt', 'aa', 1, 'text', '2024-01-01T00:00:00Z', 'text of a'),
                    (2, 'b.html', 'bb', 2, 'html', '2024-02-01T00:00:00Z', 'text of b');
             INSERT INTO organizations (id, name, created_at)
             VALUES (1, 'One', 'x'), (2, 'Two', 'x');
             INSERT INTO signatures (letter_id, org_id, position, name_as_printed, line, raw_text, match_reason)
             VALUES (1, 1, 1, 'One', 3, 'One', 'new'), (1, 2, 2, 'Two', 4, 'Two', 'new'),
                    (2, 1, 1, 'One', 9, 'One', 'same');",
        )
        .unwrap();
        migrate(&mut c).unwrap();
        let mut st = c
            .prepare(
                "SELECT letter_id, sha256, part, imported_at, raw_text, signatory_count
                 FROM letter_versions ORDER BY id",
            )
            .unwrap();
        let rows: Vec<(i64, String, i64, String, String, i64)> = st
            .query_map([], |r| {
                Ok((
                    r.get("letter_id")?,
                    r.get("sha256")?,
                    r.get("part")?,
                    r.get("imported_at")?,
                    r.get("raw_text")?,
                    r.get("signatory_count")?,
                ))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            rows,
            vec![
                (
                    1,
                    "aa".into(),
                    1,
                    "2024-01-01T00:00:00Z".into(),
                    "text of a".into(),
                    2
                ),
                (
                    2,
                    "bb".into(),
                    2,
                    "2024-02-01T00:00:00Z".into(),
                    "text of b".into(),
                    1
                ),
            ]
        );
        let fk: i64 = c
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(fk, 0);
    }

    #[test]
    fn upgrade_from_v2_indexes_the_aliases_already_stored() {
        let mut c = Connection::open_in_memory().unwrap();
        c.execute_batch(OLD_VERSIONS[2].1).unwrap();
        c.execute_batch(
            "INSERT INTO organizations (id, name, created_at)
             VALUES (1, 'Clean Water Alliance', 'x'), (2, 'Wetlands Trust', 'x');
             INSERT INTO aliases (org_id, name, key, origin)
             VALUES (1, 'Clean Water Alliance', 'clean water alliance', 'user'),
                    (2, 'Wetlands Trust', 'wetlands trust', 'user');",
        )
        .unwrap();
        migrate(&mut c).unwrap();
        let found = |q: &str| -> Vec<i64> {
            let mut st = c
                .prepare(
                    "SELECT org_id FROM name_search WHERE name_search MATCH ?1 ORDER BY org_id",
                )
                .unwrap();
            st.query_map([q], |r| r.get("org_id"))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!(found("\"water\""), vec![1]);
        assert_eq!(found("\"land\""), vec![2]);
        // The triggers keep the index in step from now on.
        c.execute(
            "UPDATE aliases SET key = 'clean river alliance' WHERE org_id = 1",
            [],
        )
        .unwrap();
        assert!(found("\"water\"").is_empty());
        assert_eq!(found("\"river\""), vec![1]);
        c.execute("DELETE FROM aliases WHERE org_id = 2", [])
            .unwrap();
        assert!(found("\"land\"").is_empty());
        let check: rusqlite::Result<()> = c.execute_batch(
            "INSERT INTO name_search (name_search, rank) VALUES ('integrity-check', 1)",
        );
        assert!(check.is_ok(), "{check:?}");
    }

    #[test]
    fn refuses_newer_and_foreign_databases() {
        let mut c = Connection::open_in_memory().unwrap();
        c.execute_batch("PRAGMA user_version = 99").unwrap();
        assert!(matches!(migrate(&mut c), Err(StoreError::TooNew(99, _))));
        let mut c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (x)").unwrap();
        assert!(matches!(migrate(&mut c), Err(StoreError::NotOurs)));
    }

    #[test]
    fn every_table_and_column_is_commented() {
        // The schema file documents itself: a comment line above each
        // CREATE TABLE, and a comment on (or wrapped under) each column.
        let lines: Vec<&str> = SCHEMA.lines().collect();
        let mut in_table = false;
        let mut pending: Option<&str> = None;
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim();
            if t.starts_with("CREATE TABLE") {
                assert!(
                    lines[i - 1].trim().starts_with("--"),
                    "table without comment: {t}"
                );
                in_table = true;
                continue;
            }
            if !in_table {
                continue;
            }
            if t.starts_with(");") {
                assert!(pending.is_none(), "column without comment: {pending:?}");
                in_table = false;
                continue;
            }
            let is_column = l.starts_with("    ")
                && !l.starts_with("     ")
                && t.chars().next().is_some_and(|c| c.is_ascii_lowercase());
            if is_column {
                assert!(pending.is_none(), "column without comment: {pending:?}");
                pending = Some(t);
            }
            if t.contains("--") {
                pending = None;
            }
        }
    }
}
