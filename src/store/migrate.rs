//! Opening a database at the current schema: a new file gets `schema.sql`
//! whole; an older one is upgraded step by step (`migrations/NNNN_*.sql`),
//! each step in one transaction, tracked by `PRAGMA user_version`.

use rusqlite::Connection;

use super::StoreError;

pub const SCHEMA: &str = include_str!("../../schema.sql");

/// The version `schema.sql` creates.
pub const CURRENT: i32 = 1;

/// Upgrade steps: (version reached, SQL). Empty while version 1 is the
/// only schema ever released; a step is added here with its file in
/// migrations/ whenever `schema.sql` changes.
const STEPS: &[(i32, &str)] = &[];

pub fn user_version(conn: &Connection) -> Result<i32, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the database to [`CURRENT`].
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let v = user_version(conn)?;
    if v > CURRENT {
        return Err(StoreError::TooNew(v, CURRENT));
    }
    if v == 0 {
        let tables: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )?;
        if tables > 0 {
            return Err(StoreError::NotOurs);
        }
        let tx = conn.transaction()?;
        tx.execute_batch(SCHEMA)?;
        tx.commit()?;
        return Ok(());
    }
    upgrade_from(conn, v)
}

/// Applies every step above version `v`, each in its own transaction.
fn upgrade_from(conn: &mut Connection, v: i32) -> Result<(), StoreError> {
    for (to, sql) in STEPS.iter().filter(|(to, _)| *to > v) {
        let tx = conn.transaction()?;
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
    const OLD_VERSIONS: &[(i32, &str)] = &[(0, "")];

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
