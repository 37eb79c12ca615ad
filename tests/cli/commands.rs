//! The command-line contract: import, letters, show, orgs, signed-by and
//! export, run as a user would, in a fresh folder.

use crate::{fixture, Env};

#[test]
fn import_multi_statement_page_gives_one_letter_in_printed_order() {
    let env = Env::new();
    let out = env.run(&["import", &fixture("multi_statement.txt")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("letter 1: imported 24 signatories (claimed 24)"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    assert!(
        env.path("undersigned.db").exists(),
        "the default database is undersigned.db here"
    );

    let letters = Env::csv_rows(&env.run(&["letters", "--format", "csv"]).stdout);
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["signatory_count"], "24");
    assert_eq!(letters[0]["claimed_count"], "24");
    assert_eq!(
        letters[0]["title"],
        "Open letter: shipping companies must stop fuel deliveries to the military"
    );

    let rows = Env::csv_rows(&env.run(&["show", "1", "--format", "csv"]).stdout);
    assert_eq!(rows.len(), 24);
    let positions: Vec<String> = rows.iter().map(|r| r["position"].clone()).collect();
    let expected: Vec<String> = (1..=24).map(|i| i.to_string()).collect();
    assert_eq!(positions, expected);
    // Nothing from the numbered demands or the bullet points.
    for r in &rows {
        let n = &r["name_as_printed"];
        assert!(
            !n.contains("fuel") && !n.contains("Suspend") && !n.contains("Release"),
            "{n}"
        );
    }
    let by_pos = |p: usize| &rows[p - 1];
    assert_eq!(
        by_pos(1)["name_as_printed"],
        "8888 Generation (New Zealand)"
    );
    assert_eq!(by_pos(1)["org_name"], "8888 Generation");
    assert_eq!(by_pos(1)["note"], "New Zealand");
    assert_eq!(by_pos(1)["country"], "NZ");
    assert_eq!(
        by_pos(2)["name_as_printed"],
        "ASEAN Parliamentarians for Human Rights – APHR"
    );
    assert_eq!(by_pos(2)["acronym"], "APHR");
    assert_eq!(by_pos(12)["country"], "US", "', IL' is Illinois");
    assert_eq!(by_pos(14)["name_as_printed"], "Kim Wan Sik (MR)");
    assert_eq!(by_pos(14)["kind"], "individual");
    assert_eq!(by_pos(14)["note"], "MR");
    assert_eq!(by_pos(10)["line"], "56");
    // Karen and Karenni stay two organizations.
    assert_ne!(by_pos(10)["org_id"], by_pos(11)["org_id"]);
}

#[test]
fn importing_the_same_file_twice_leaves_one_letter() {
    let env = Env::new();
    let f = fixture("multi_statement.txt");
    assert_eq!(env.run(&["import", &f]).code, 0);
    let again = env.run(&["import", &f]);
    assert_eq!(again.code, 0);
    assert!(
        again.stderr.contains("already imported"),
        "{}",
        again.stderr
    );
    let letters = Env::csv_rows(&env.run(&["letters", "--format", "csv"]).stdout);
    assert_eq!(letters.len(), 1);
    let sigs = Env::csv_rows(&env.run(&["export", "signatures"]).stdout);
    assert_eq!(sigs.len(), 24);
}

#[test]
fn export_signatures_and_orgs() {
    let env = Env::new();
    assert_eq!(
        env.run(&[
            "import",
            &fixture("multi_statement.txt"),
            &fixture("signatories.html")
        ])
        .code,
        0
    );
    let out = env.run(&["export", "signatures", "-o", "sigs.csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(env.path("sigs.csv")).unwrap();
    let header = text.lines().next().unwrap();
    for col in [
        "letter_id",
        "position",
        "name_as_printed",
        "org_id",
        "org_name",
        "kind",
        "country",
        "org_type",
        "status",
    ] {
        assert!(
            header.split(',').any(|c| c == col),
            "missing column {col} in {header}"
        );
    }
    let sigs = Env::csv_rows(&text);
    assert_eq!(sigs.len(), 24 + 6);
    assert!(sigs.iter().all(|r| r["status"] == "signed"));
    assert!(out.stderr.contains("wrote 30 rows to"), "{}", out.stderr);
    // The rows stream the same to stdout and to a file, and as JSON.
    assert_eq!(env.run(&["export", "signatures"]).stdout, text);
    let json = env.run(&["export", "signatures", "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name_as_printed"].as_str().unwrap())
        .collect();
    let csv_names: Vec<&str> = sigs.iter().map(|r| r["name_as_printed"].as_str()).collect();
    assert_eq!(names, csv_names);
    assert_eq!(v[0]["letter_id"], 1);
    assert_eq!(v[0]["position"], 1);
    // `show` streams one letter's rows: the export's, for that letter.
    let shown = env.run(&["show", "2", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    let second: Vec<&str> = sigs
        .iter()
        .filter(|r| r["letter_id"] == "2")
        .map(|r| r["name_as_printed"].as_str())
        .collect();
    assert_eq!(second.len(), v.as_array().unwrap().len());
    for (row, name) in v.as_array().unwrap().iter().zip(&second) {
        assert_eq!(row["name_as_printed"], *name);
    }

    let orgs = Env::csv_rows(&env.run(&["export", "orgs"]).stdout);
    let mut ids: Vec<&str> = orgs.iter().map(|r| r["org_id"].as_str()).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "one row per organization");
    let distinct_in_sigs: std::collections::HashSet<&str> =
        sigs.iter().map(|r| r["org_id"].as_str()).collect();
    assert_eq!(n, distinct_in_sigs.len());
    for col in [
        "org_id", "name", "acronym", "kind", "country", "org_type", "letters",
    ] {
        assert!(orgs[0].contains_key(col), "missing column {col}");
    }

    let letters = Env::csv_rows(&env.run(&["export", "letters"]).stdout);
    assert_eq!(letters.len(), 2);
    for col in [
        "letter_id",
        "title",
        "date",
        "claimed_count",
        "signatory_count",
    ] {
        assert!(letters[0].contains_key(col), "missing column {col}");
    }
    assert_eq!(letters[1]["date"], "2021-03-03");

    let json = env.run(&["export", "letters", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v[1]["signatory_count"], 6);
}

#[test]
fn orgs_search_and_signed_by_name_or_id() {
    let env = Env::new();
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/samples");
    let mut files: Vec<String> = std::fs::read_dir(&samples)
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    let out = env.run(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);

    let found = Env::csv_rows(&env.run(&["orgs", "--search", "women’s league"]).stdout);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["name"], "Women's League of Burma");
    assert_eq!(found[0]["letters"], "2");

    let out = env.run(&["signed-by", "WOMEN'S LEAGUE OF BURMA", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("Women's League of Burma"),
        "says which organization it chose"
    );
    let rows = Env::csv_rows(&out.stdout);
    assert_eq!(rows.len(), 2);
    let id = &found[0]["org_id"];
    let by_id = Env::csv_rows(&env.run(&["signed-by", id, "--format", "csv"]).stdout);
    assert_eq!(by_id.len(), 2);

    // "Amnesty" fits two organizations: the command lists them and chooses none.
    let out = env.run(&["signed-by", "Amnesty"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("fits 2 organizations"),
        "{}",
        out.stderr
    );
}

#[test]
fn db_option_and_environment_variable() {
    let env = Env::new();
    let f = fixture("endorsed.md");
    assert_eq!(env.run(&["--db", "one.db", "import", &f]).code, 0);
    assert!(env.path("one.db").exists());
    assert!(!env.path("undersigned.db").exists());
    let out = env.run_with(&["import", &f], &[("UNDERSIGNED_DB", "two.db")], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(env.path("two.db").exists());
    let letters = env.run_with(
        &["letters", "--format", "csv"],
        &[("UNDERSIGNED_DB", "two.db")],
        None,
    );
    assert_eq!(Env::csv_rows(&letters.stdout).len(), 1);
}

#[test]
fn stdin_and_dry_run() {
    let env = Env::new();
    let bytes = std::fs::read(crate::fixture_path("multi_statement.txt")).unwrap();
    let out = env.run_with(
        &["import", "--dry-run", "--format", "csv", "-"],
        &[],
        Some(&bytes),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("would import 24 signatories"));
    assert_eq!(Env::csv_rows(&out.stdout).len(), 24);
    assert!(
        !env.path("undersigned.db").exists(),
        "a dry run creates no database"
    );

    let out = env.run_with(
        &[
            "import",
            "-",
            "--title",
            "Fuel letter",
            "--date",
            "2022-03-01",
        ],
        &[],
        Some(&bytes),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let letters = Env::csv_rows(&env.run(&["letters", "--format", "csv"]).stdout);
    assert_eq!(letters[0]["title"], "Fuel letter");
    assert_eq!(letters[0]["date"], "2022-03-01");
    assert_eq!(letters[0]["source"], "-");
}

#[test]
fn arabic_letter_notes_date_and_count() {
    let env = Env::new();
    assert_eq!(env.run(&["import", &fixture("arabic.txt")]).code, 0);
    let letters = Env::csv_rows(&env.run(&["letters", "--format", "csv"]).stdout);
    assert_eq!(letters[0]["date"], "2022-01-07");
    assert_eq!(letters[0]["claimed_count"], "5");
    assert_eq!(letters[0]["language"], "ar");
    let rows = Env::csv_rows(&env.run(&["show", "1", "--format", "csv"]).stdout);
    let countries: Vec<&str> = rows.iter().map(|r| r["country"].as_str()).collect();
    assert_eq!(countries, vec!["EG", "EG", "", "LB", "FR"]);
    assert_eq!(rows[0]["org_name"], "مركز القاهرة لدراسات حقوق الإنسان");
}

#[test]
fn show_of_a_missing_letter_and_commands_without_a_registry() {
    let env = Env::new();
    let out = env.run(&["letters"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("undersigned: no registry at undersigned.db"),
        "{}",
        out.stderr
    );
    assert!(!env.path("undersigned.db").exists());
    assert_eq!(env.run(&["import", &fixture("endorsed.md")]).code, 0);
    let out = env.run(&["show", "9"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr.trim(),
        "undersigned: no letter with id 9 (see `undersigned letters`)"
    );
}

#[test]
fn a_page_with_two_lists_gives_two_letters_or_the_one_picked() {
    let env = Env::new();
    let out = env.run(&["import", &fixture("two_lists.txt")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("statement 1 of 2") && out.stderr.contains("statement 2 of 2"),
        "{}",
        out.stderr
    );
    let letters = Env::csv_rows(&env.run(&["letters", "--format", "csv"]).stdout);
    assert_eq!(letters.len(), 2);
    assert_eq!(letters[1]["title"], "Letter two: free the land defenders");
    // "River Watch" signed both: one organization.
    let orgs = Env::csv_rows(
        &env.run(&["orgs", "--search", "river watch", "--format", "csv"])
            .stdout,
    );
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0]["letters"], "2");

    let env = Env::new();
    let out = env.run(&["import", "--pick", "2", &fixture("two_lists.txt")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let letters = Env::csv_rows(&env.run(&["letters", "--format", "csv"]).stdout);
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["signatory_count"], "2");
    let out = env.run(&["import", "--pick", "3", &fixture("two_lists.txt")]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("holds 2 statement(s)"),
        "{}",
        out.stderr
    );
}

#[test]
fn partial_lists_and_count_mismatches_are_flagged() {
    let env = Env::new();
    let out = env.run(&["import", &fixture("bullets.txt")]);
    assert_eq!(out.code, 0);
    assert!(
        out.stderr
            .contains("warning: letter 1: the text says this list is partial"),
        "{}",
        out.stderr
    );
    let letters = Env::csv_rows(&env.run(&["letters", "--format", "csv"]).stdout);
    assert_eq!(letters[0]["partial"], "1");

    let text = "Open letter\n\nWe, the undersigned 5 organizations, object.\n\nSigned by:\n\n1. A Group\n2. B Group\n3. C Group\n";
    let out = env.run_with(&["import", "-"], &[], Some(text.as_bytes()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("the text claims 5 signatories but 3 were found"),
        "{}",
        out.stderr
    );
}

/// Found on the seed page: a "We, the undersigned, ..." paragraph followed
/// by the next statement's outline heading and its short lines was read as
/// a second letter. Lines less indented than the paragraph end its list.
#[test]
fn weak_header_does_not_swallow_the_next_statement() {
    let env = Env::new();
    let out = env.run(&[
        "import",
        "--dry-run",
        "--format",
        "csv",
        &fixture("multi_statement.txt"),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        !out.stderr.contains("statement 1 of"),
        "one letter only: {}",
        out.stderr
    );
    assert_eq!(Env::csv_rows(&out.stdout).len(), 24);
}
