//! Letter updates: a new version of a letter already in the registry
//! (`import --update LETTER_ID FILE`, or the same `--url`) adds late
//! signers with a date, marks dropped ones withdrawn, and deletes nothing.

use std::collections::HashMap;

use crate::Env;

/// A short letter in our own words, signed by `orgs` in that order.
fn letter(orgs: &[&str]) -> String {
    let mut s = String::from(
        "Open letter: keep the river clean\n\n\
         We ask the regional council to stop the new discharge permits until \
         the water study is published.\n\nSigned by:\n\n",
    );
    for o in orgs {
        s.push_str(o);
        s.push('\n');
    }
    s
}

const V1: &[&str] = &[
    "River Watch Network",
    "Clean Water Alliance",
    "Friends of the Valley",
    "Anglers for Rivers",
    "Green Schools Project",
];

/// V1 without "Anglers for Rivers", with two late signers.
const V2: &[&str] = &[
    "River Watch Network",
    "Clean Water Alliance",
    "Friends of the Valley",
    "Green Schools Project",
    "Wetlands Trust",
    "Coastal Kayak Club",
];

fn write(env: &Env, name: &str, orgs: &[&str]) -> String {
    let p = env.path(name);
    std::fs::write(&p, letter(orgs)).unwrap();
    p.to_string_lossy().into_owned()
}

fn signatures(env: &Env) -> Vec<HashMap<String, String>> {
    let out = env.run(&["export", "signatures"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    Env::csv_rows(&out.stdout)
}

fn by_name<'a>(rows: &'a [HashMap<String, String>], name: &str) -> &'a HashMap<String, String> {
    rows.iter()
        .find(|r| r["name_as_printed"] == name)
        .unwrap_or_else(|| panic!("no row for {name}"))
}

fn db_bytes(env: &Env) -> Vec<u8> {
    std::fs::read(env.path("undersigned.db")).unwrap()
}

#[test]
fn update_adds_late_signers_and_withdraws_dropped_ones() {
    let env = Env::new();
    let v1 = write(&env, "v1.txt", V1);
    let v2 = write(&env, "v2.txt", V2);
    let out = env.run(&["import", &v1, "--date", "2024-04-01"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("letter 1: imported 5 signatories"));

    let out = env.run(&["import", "--update", "1", &v2, "--date", "2024-05-01"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr.trim(),
        format!("letter 1: updated from {v2}: 2 added, 1 withdrawn, 4 unchanged")
    );

    let rows = signatures(&env);
    assert_eq!(rows.len(), 7, "nothing is deleted");
    let gone = by_name(&rows, "Anglers for Rivers");
    assert_eq!(gone["status"], "withdrawn");
    assert_eq!(gone["withdrawn_on"], "2024-05-01");
    assert_eq!(gone["added_on"], "");
    assert_eq!(gone["position"], "4", "keeps its position");
    for (name, pos) in [("Wetlands Trust", "6"), ("Coastal Kayak Club", "7")] {
        let r = by_name(&rows, name);
        assert_eq!(r["status"], "signed");
        assert_eq!(r["added_on"], "2024-05-01");
        assert_eq!(r["withdrawn_on"], "");
        assert_eq!(r["position"], pos, "after the existing rows");
    }
    for name in [
        "River Watch Network",
        "Clean Water Alliance",
        "Friends of the Valley",
        "Green Schools Project",
    ] {
        let r = by_name(&rows, name);
        assert_eq!(r["status"], "signed");
        assert_eq!(r["added_on"], "");
        assert_eq!(r["withdrawn_on"], "");
    }
    // The still-listed rows point into the new text: "Green Schools
    // Project" moved up a line.
    assert_eq!(
        by_name(&rows, "Green Schools Project")["line"],
        by_name(&rows, "Anglers for Rivers")["line"]
    );

    let letters = Env::csv_rows(&env.run(&["letters", "--format", "csv"]).stdout);
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["signatory_count"], "6");
    assert_eq!(letters[0]["date"], "2024-04-01", "--date dates the changes");
    assert_eq!(letters[0]["title"], "Open letter: keep the river clean");

    // `show` tells who withdrew.
    let out = env.run(&["show", "1", "--format", "table"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("Anglers for Rivers"))
        .unwrap();
    assert!(line.trim_end().ends_with("withdrawn"), "{line}");
    let shown = Env::csv_rows(&env.run(&["show", "1", "--format", "csv"]).stdout);
    assert_eq!(by_name(&shown, "Anglers for Rivers")["status"], "withdrawn");

    // The organization that withdrew no longer counts the letter.
    let orgs = Env::csv_rows(&env.run(&["orgs", "--search", "anglers"]).stdout);
    assert_eq!(orgs[0]["letters"], "0");
}

#[test]
fn reimporting_any_version_changes_nothing() {
    let env = Env::new();
    let v1 = write(&env, "v1.txt", V1);
    let v2 = write(&env, "v2.txt", V2);
    assert_eq!(env.run(&["import", &v1]).code, 0);
    assert_eq!(
        env.run(&["import", "--update", "1", &v2, "--date", "2024-05-01"])
            .code,
        0
    );
    let before = signatures(&env);
    for args in [
        vec!["import", v2.as_str()],
        vec!["import", v1.as_str()],
        vec!["import", "--update", "1", v1.as_str()],
        vec!["import", "--update", "1", v2.as_str()],
    ] {
        let out = env.run(&args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr
                .contains("letter 1: already imported from the same content"),
            "{args:?}: {}",
            out.stderr
        );
    }
    assert_eq!(signatures(&env), before);
    let letters = Env::csv_rows(&env.run(&["letters", "--format", "csv"]).stdout);
    assert_eq!(letters.len(), 1);
}

#[test]
fn a_withdrawn_signer_listed_again_is_signed_again() {
    let env = Env::new();
    let v1 = write(&env, "v1.txt", V1);
    let v2 = write(&env, "v2.txt", V2);
    let mut v3_orgs = V2.to_vec();
    v3_orgs.push("Anglers for Rivers");
    let v3 = write(&env, "v3.txt", &v3_orgs);
    assert_eq!(env.run(&["import", &v1]).code, 0);
    assert_eq!(
        env.run(&["import", "--update", "1", &v2, "--date", "2024-05-01"])
            .code,
        0
    );
    let out = env.run(&["import", "--update", "1", &v3, "--date", "2024-06-01"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("0 added, 0 withdrawn, 6 unchanged, 1 returned"),
        "{}",
        out.stderr
    );
    let rows = signatures(&env);
    assert_eq!(rows.len(), 7);
    let back = by_name(&rows, "Anglers for Rivers");
    assert_eq!(back["status"], "signed");
    assert_eq!(back["added_on"], "2024-06-01");
    assert_eq!(back["withdrawn_on"], "");
    assert_eq!(back["position"], "4");
    let letters = Env::csv_rows(&env.run(&["letters", "--format", "csv"]).stdout);
    assert_eq!(letters[0]["signatory_count"], "7");
}

#[test]
fn a_new_page_at_the_same_url_updates_the_letter() {
    let env = Env::new();
    let v1 = write(&env, "v1.txt", V1);
    let v2 = write(&env, "v2.txt", V2);
    let url = "https://example.org/river-letter";
    assert_eq!(env.run(&["import", &v1, "--url", url]).code, 0);
    let out = env.run(&["import", &v2, "--url", url]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "letter 1: updated from {v2}, a new version of the letter at {url}: 2 added, 1 withdrawn, 4 unchanged"
        )),
        "{}",
        out.stderr
    );
    let letters = Env::csv_rows(&env.run(&["letters", "--format", "csv"]).stdout);
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["signatory_count"], "6");
    let rows = signatures(&env);
    assert_eq!(rows.len(), 7);
    // Without --date the changes are dated today (UTC).
    let added_on = &by_name(&rows, "Wetlands Trust")["added_on"];
    assert_eq!(added_on.len(), 10, "{added_on}");
    assert_eq!(
        &by_name(&rows, "Anglers for Rivers")["withdrawn_on"],
        added_on
    );

    // Another url is another letter.
    let other = write(&env, "other.txt", &V2[..3]);
    let out = env.run(&["import", &other, "--url", "https://example.org/other"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("letter 2: imported 3 signatories"));
}

#[test]
fn update_dry_run_shows_the_rows_and_stores_nothing() {
    let env = Env::new();
    let v1 = write(&env, "v1.txt", V1);
    let v2 = write(&env, "v2.txt", V2);
    assert_eq!(env.run(&["import", &v1]).code, 0);
    let before = db_bytes(&env);
    let out = env.run(&[
        "import",
        "--update",
        "1",
        &v2,
        "--date",
        "2024-05-01",
        "--dry-run",
        "--format",
        "csv",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("letter 1: would update from")
            && out.stderr.contains("dry run: nothing was stored"),
        "{}",
        out.stderr
    );
    let rows = Env::csv_rows(&out.stdout);
    assert_eq!(rows.len(), 7);
    assert_eq!(by_name(&rows, "Anglers for Rivers")["status"], "withdrawn");
    assert_eq!(db_bytes(&env), before);
}

#[test]
fn update_of_a_missing_letter_is_refused_and_changes_nothing() {
    let env = Env::new();
    let v1 = write(&env, "v1.txt", V1);
    let v2 = write(&env, "v2.txt", V2);
    assert_eq!(env.run(&["import", &v1]).code, 0);
    let before = db_bytes(&env);
    let out = env.run(&["import", "--update", "99", &v2]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(
        out.stderr.trim(),
        "undersigned: no letter with id 99 (see `undersigned letters`)"
    );
    assert_eq!(db_bytes(&env), before);

    // Exactly one FILE.
    let out = env.run(&["import", "--update", "1", &v1, &v2]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("exactly one FILE"), "{}", out.stderr);
    assert_eq!(db_bytes(&env), before);

    // No registry: nothing is created.
    let fresh = Env::new();
    let out = fresh.run(&["import", "--update", "1", &v2]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(!fresh.path("undersigned.db").exists());
}

#[test]
fn update_from_a_page_with_several_statements_needs_pick() {
    let env = Env::new();
    let v1 = write(&env, "v1.txt", V1);
    assert_eq!(env.run(&["import", &v1]).code, 0);
    let before = db_bytes(&env);
    let page = format!(
        "{}\n\n{}",
        letter(V2),
        letter(&["Mountain Club", "Trail Keepers"])
    );
    let both = env.path("both.txt");
    std::fs::write(&both, page).unwrap();
    let both = both.to_string_lossy().into_owned();
    let out = env.run(&["import", "--update", "1", &both]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--pick N"), "{}", out.stderr);
    assert_eq!(db_bytes(&env), before);
    let out = env.run(&["import", "--update", "1", &both, "--pick", "1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("2 added, 1 withdrawn, 4 unchanged"),
        "{}",
        out.stderr
    );
}

#[test]
fn one_import_of_a_page_twice_and_a_variant_stores_each_once() {
    // An import decides all its letters before writing any: the second
    // copy of a page must still be seen as the first's, and a later
    // letter's variant of a name as the organization the first created.
    let env = Env::new();
    let v1 = write(&env, "v1.txt", V1);
    let copy = write(&env, "copy.txt", V1);
    let variant = write(
        &env,
        "variant.txt",
        &[
            "The Friends of the Valley",
            "River Watch Network",
            "Wetlands Trust",
        ],
    );
    let out = env.run(&["import", &v1, &copy, &variant]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("letter 1: imported 5 signatories"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("letter 1: already imported from the same content"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("letter 2: imported 3 signatories"),
        "{}",
        out.stderr
    );
    let letters = Env::csv_rows(&env.run(&["letters", "--format", "csv"]).stdout);
    assert_eq!(letters.len(), 2);
    let rows = signatures(&env);
    assert_eq!(rows.len(), 8);
    let org_of = |letter: &str, name: &str| {
        rows.iter()
            .find(|r| r["letter_id"] == letter && r["name_as_printed"] == name)
            .unwrap_or_else(|| panic!("no row for {name} in letter {letter}"))["org_id"]
            .clone()
    };
    assert_eq!(
        org_of("1", "Friends of the Valley"),
        org_of("2", "The Friends of the Valley")
    );
    assert_eq!(
        org_of("1", "River Watch Network"),
        org_of("2", "River Watch Network")
    );
    let orgs = Env::csv_rows(&env.run(&["orgs"]).stdout);
    assert_eq!(orgs.len(), 6, "five from the first letter, one new");
}
