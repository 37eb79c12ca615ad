//! `undersigned check`: "ok" and exit 0 on a sound registry; one line per
//! problem and exit 1 on a damaged one.

use crate::{fixture, Env};

fn imported() -> Env {
    let env = Env::new();
    for f in ["multi_statement.txt", "endorsed.md"] {
        let out = env.run(&["import", &fixture(f)]);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    env
}

#[test]
fn check_says_ok_on_a_sound_registry() {
    let env = imported();
    let out = env.run(&["check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "ok\n");
    // After a merge, a split and their undoing too.
    let orgs = Env::csv_rows(&env.run(&["orgs", "--format", "csv"]).stdout);
    let name2 = orgs.iter().find(|o| o["org_id"] == "2").unwrap()["name"].clone();
    for args in [
        vec!["merge", "1", "2"],
        vec!["split", "1", name2.as_str()],
        vec!["undo"],
        vec!["undo"],
    ] {
        let out = env.run(&args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        let out = env.run(&["check"]);
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (0, "ok\n"),
            "after {args:?}"
        );
    }
}

#[test]
fn check_without_a_registry_is_an_error() {
    let env = Env::new();
    let out = env.run(&["check"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with("undersigned: no registry at"),
        "{}",
        out.stderr
    );
    assert!(
        !env.path("undersigned.db").exists(),
        "check creates nothing"
    );
}

/// Rows written behind the registry's back, with foreign keys off, break
/// each rule `check` knows; it names every one and exits 1.
#[test]
fn check_reports_each_problem_of_a_corrupted_registry() {
    let env = imported();
    {
        let c = rusqlite::Connection::open(env.path("undersigned.db")).unwrap();
        c.execute_batch(
            "PRAGMA foreign_keys = OFF;
             -- A signature of a letter that does not exist.
             INSERT INTO signatures (letter_id, org_id, position, name_as_printed, line, raw_text, match_reason)
             VALUES (999, 1, 1, 'Ghost', 1, 'Ghost', 'new');
             -- An organization deleted under its signatures and aliases.
             DELETE FROM organizations WHERE id = 3;
             -- A printed form from a letter that names no letter.
             INSERT INTO aliases (org_id, name, key, letter_id, origin)
             VALUES (1, 'Stray Form', 'stray form', NULL, 'letter');
             -- Half a letter: one of letter 2's signatures gone.
             DELETE FROM signatures WHERE id = (SELECT max(id) FROM signatures WHERE letter_id = 2);",
        )
        .unwrap();
        // Two names of organization 1 judged different.
        c.execute(
            "INSERT INTO aliases (org_id, name, key, letter_id, origin)
             VALUES (1, 'Other Name', 'other name', NULL, 'user')",
            [],
        )
        .unwrap();
        let key: String = c
            .query_row(
                "SELECT key FROM aliases WHERE org_id = 1 AND origin = 'letter' ORDER BY id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let (a, b) = if key.as_str() < "other name" {
            (key, "other name".to_string())
        } else {
            ("other name".to_string(), key)
        };
        c.execute(
            "INSERT INTO judgements (key_a, key_b, verdict, decided_at) VALUES (?1, ?2, 'different', 'x')",
            [&a, &b],
        )
        .unwrap();
    }
    let out = env.run(&["check"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let has = |s: &str| lines.iter().any(|l| l.contains(s));
    assert!(
        has("foreign key: signature") && has("points to letter 999, which does not exist"),
        "{}",
        out.stdout
    );
    assert!(
        has("points to organization 3, which does not exist"),
        "{}",
        out.stdout
    );
    assert!(
        has("orphan alias: alias")
            && has("\"Stray Form\" of organization 1 comes from a letter but names none"),
        "{}",
        out.stdout
    );
    assert!(has("judgement: organization 1 holds"), "{}", out.stdout);
    assert!(
        has("letter: letter 2 holds") && has("its latest version lists"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains(&format!("{} problem(s)", lines.len())),
        "{}",
        out.stderr
    );
    for l in &lines {
        assert!(!l.is_empty() && !l.contains('\n'));
    }
}

/// Bytes overwritten in the middle of the file: SQLite's own check (or
/// SQLite refusing the file) is reported, exit 1.
#[test]
fn check_reports_a_damaged_file() {
    let env = imported();
    let path = env.path("undersigned.db");
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 4 * 4096, "{} bytes", bytes.len());
    let page = 4096;
    for b in &mut bytes[2 * page..3 * page] {
        *b = 0x5A;
    }
    std::fs::write(&path, &bytes).unwrap();
    let out = env.run(&["check"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.lines().all(|l| l.starts_with("integrity: ")),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.is_empty());
}

/// The full-text index out of step with the names it indexes: SQLite's
/// integrity check reads it too.
#[test]
fn check_reports_a_search_index_out_of_step() {
    let env = imported();
    {
        let c = rusqlite::Connection::open(env.path("undersigned.db")).unwrap();
        c.execute(
            "INSERT INTO name_search (rowid, key, org_id) VALUES (99999, 'no such name', 1)",
            [],
        )
        .unwrap();
    }
    let out = env.run(&["check"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.starts_with("integrity: "), "{}", out.stdout);
}
