//! Classification from the command line: import classifies, `classify`,
//! `set`, `orgs --country/--type`, `why`, and the measurement against the
//! labelled set (tests/eval/classify_gold.csv).

use std::collections::HashMap;

use crate::{fixture, Env};

fn orgs(env: &Env, extra: &[&str]) -> Vec<HashMap<String, String>> {
    let mut args = vec!["orgs", "--format", "csv"];
    args.extend_from_slice(extra);
    let out = env.run(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    Env::csv_rows(&out.stdout)
}

fn org<'a>(rows: &'a [HashMap<String, String>], name: &str) -> &'a HashMap<String, String> {
    rows.iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no organization {name}"))
}

fn why(env: &Env, org: &str) -> Vec<HashMap<String, String>> {
    let out = env.run(&["why", org, "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    Env::csv_rows(&out.stdout)
}

fn aspect<'a>(rows: &'a [HashMap<String, String>], a: &str) -> &'a HashMap<String, String> {
    rows.iter()
        .find(|r| r["aspect"] == a)
        .unwrap_or_else(|| panic!("no {a} row in {rows:?}"))
}

/// The examples of the classification issue, imported as a letter.
#[test]
fn import_classifies_the_issue_examples() {
    let env = Env::new();
    assert_eq!(
        env.run(&["import", &fixture("classify_letter.txt")]).code,
        0
    );
    let rows = orgs(&env, &[]);
    for (name, country, org_type) in [
        ("8888 Generation", "NZ", "ngo"),
        ("Karenni Community of Utah", "US", "community"),
        (
            "Karen Community Society of British Columbia",
            "CA",
            "community",
        ),
        ("Karen Community of Toronto", "CA", "community"),
        ("Auckland Zomi Community", "NZ", "community"),
        ("Burma Campaign UK", "GB", "campaign"),
        ("Myanmar Community Austria", "AT", "community"),
        ("Korea Karen Organization", "KR", "community"),
        ("Burmese Relief Center - Japan", "JP", "ngo"),
        ("Burma Human Rights Network", "", "network"),
        ("Kim Wan Sik", "", "individual"),
    ] {
        let r = org(&rows, name);
        assert_eq!(
            (r["country"].as_str(), r["org_type"].as_str()),
            (country, org_type),
            "{name}"
        );
    }
    let w = why(&env, "Burma Human Rights Network");
    assert_eq!(aspect(&w, "focus country")["value"], "MM");
    assert_eq!(aspect(&w, "country")["value"], "");
}

#[test]
fn why_prints_country_focus_type_and_tags_with_reasons() {
    let env = Env::new();
    assert_eq!(
        env.run(&["import", &fixture("classify_letter.txt")]).code,
        0
    );
    let w = why(&env, "Karen Community of Toronto");
    let country = aspect(&w, "country");
    assert_eq!(country["value"], "CA");
    assert!(country["reason"].contains("Toronto"), "{country:?}");
    assert!(country["confidence"].parse::<f64>().unwrap() >= 0.5);
    assert_eq!(aspect(&w, "city clue")["value"], "CA");
    assert_eq!(aspect(&w, "focus country")["value"], "MM");
    assert_eq!(aspect(&w, "type")["value"], "community");
    assert!(aspect(&w, "type")["reason"].contains("Community"));
    assert_eq!(aspect(&w, "tags")["value"], "ethnic:karen");
}

/// A later matching feature will explain two names; until then two are refused.
#[test]
fn why_with_two_names_explains_the_match() {
    let env = Env::new();
    assert_eq!(
        env.run(&["import", &fixture("classify_letter.txt")]).code,
        0
    );
    let out = env.run(&[
        "why",
        "Burma Campaign UK",
        "Burma Human Rights Network",
        "--format",
        "csv",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows = Env::csv_rows(&out.stdout);
    assert_eq!(rows[0]["aspect"], "verdict");
    assert_eq!(rows[0]["value"], "apart");
    assert_eq!(env.run(&["why", "a", "b", "c"]).code, 2);
}

#[test]
fn conflicting_notes_across_letters_are_reported_not_overwritten() {
    let env = Env::new();
    assert_eq!(
        env.run(&["import", &fixture("classify_letter.txt")]).code,
        0
    );
    assert_eq!(
        env.run(&["import", &fixture("classify_update.txt")]).code,
        0
    );
    let rows = orgs(&env, &[]);
    // Letter 1 said UK, letter 2 Canada: the first stays, with lower confidence.
    assert_eq!(org(&rows, "Karen Community of London")["country"], "GB");
    let w = why(&env, "Karen Community of London");
    let conflict = aspect(&w, "conflict");
    assert!(
        conflict["reason"].contains("GB in letter 1")
            && conflict["reason"].contains("CA in letter 2"),
        "{conflict:?}"
    );
    assert!(aspect(&w, "country")["confidence"].parse::<f64>().unwrap() < 0.9);
    let out = env.run(&["classify", "--all"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("1 organization(s) have letters that disagree"),
        "{}",
        out.stderr
    );
    // An ambiguous city alone is a guess.
    let w = why(&env, "Karen Community of Portland");
    assert!(aspect(&w, "country")["confidence"].parse::<f64>().unwrap() < 0.5);
    assert!(aspect(&w, "country")["reason"].contains("a guess"));
}

#[test]
fn set_overrides_survive_classify_all_until_auto() {
    let env = Env::new();
    assert_eq!(
        env.run(&["import", &fixture("classify_letter.txt")]).code,
        0
    );
    let out = env.run(&[
        "set",
        "Korea Karen Organization",
        "--country",
        "Japan",
        "--type",
        "network",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(env.run(&["classify", "--all"]).code, 0);
    let rows = orgs(&env, &[]);
    let r = org(&rows, "Korea Karen Organization");
    assert_eq!(
        (r["country"].as_str(), r["org_type"].as_str()),
        ("JP", "network")
    );
    let w = why(&env, "Korea Karen Organization");
    assert!(aspect(&w, "country")["reason"].contains("set by a person"));

    assert_eq!(
        env.run(&["set", "Korea Karen Organization", "--country", "auto"])
            .code,
        0
    );
    let rows = orgs(&env, &[]);
    let r = org(&rows, "Korea Karen Organization");
    assert_eq!(
        (r["country"].as_str(), r["org_type"].as_str()),
        ("KR", "network")
    );

    for bad in [
        vec!["set", "Korea Karen Organization", "--country", "Atlantis"],
        vec!["set", "Korea Karen Organization", "--type", "club"],
        vec!["set", "Korea Karen Organization"],
        vec!["set", "No Such Organization", "--type", "ngo"],
    ] {
        assert_eq!(env.run(&bad).code, 2, "{bad:?}");
    }
}

#[test]
fn orgs_filter_by_country_and_type() {
    let env = Env::new();
    assert_eq!(
        env.run(&["import", &fixture("classify_letter.txt")]).code,
        0
    );
    let names = |rows: Vec<HashMap<String, String>>| {
        let mut n: Vec<String> = rows.into_iter().map(|r| r["name"].clone()).collect();
        n.sort();
        n
    };
    assert_eq!(
        names(orgs(&env, &["--country", "ca"])),
        [
            "Karen Community Society of British Columbia",
            "Karen Community of Toronto"
        ]
    );
    assert_eq!(
        names(orgs(
            &env,
            &["--country", "New Zealand", "--type", "community"]
        )),
        ["Auckland Zomi Community"]
    );
    assert_eq!(
        names(orgs(&env, &["--type", "campaign"])),
        ["Burma Campaign UK"]
    );
    assert_eq!(env.run(&["orgs", "--type", "club"]).code, 2);
}

/// `classify` without --all touches only organizations lacking an answer.
#[test]
fn classify_without_all_takes_only_unclassified_organizations() {
    let env = Env::new();
    assert_eq!(
        env.run(&["import", &fixture("classify_letter.txt")]).code,
        0
    );
    let out = env.run(&["classify"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Burma Human Rights Network and Kim Wan Sik have no country.
    assert!(
        out.stderr.contains("classified 2 organization(s)"),
        "{}",
        out.stderr
    );
    let out = env.run(&["classify", "--all"]);
    assert!(
        out.stderr.contains("classified 12 organization(s)"),
        "{}",
        out.stderr
    );
}

/// The acceptance measurement: the colleague's labelled set, four
/// languages and more. Run with `cargo test --test cli classify_eval --
/// --nocapture` to see the per-type table and the largest confusions.
#[test]
fn classify_eval() {
    let env = Env::new();
    let gold =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/classify_gold.csv");
    let gold = gold.to_string_lossy();
    let out = env.run(&["eval-classify", &gold, "--format", "table"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    println!("{}", out.stdout);
    let out = env.run(&["eval-classify", &gold, "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let f = |k: &str| r[k].as_f64().unwrap_or_else(|| panic!("{k}"));
    assert!(r["rows"].as_u64().unwrap() >= 300);
    for lang in ["en", "fr", "es", "ar"] {
        assert!(r["languages"][lang].as_u64().unwrap_or(0) > 0, "{lang}");
    }
    assert!(f("country_accuracy") >= 0.97, "{}", f("country_accuracy"));
    assert!(
        f("wrong_country_rate") <= 0.01,
        "{}",
        f("wrong_country_rate")
    );
    assert!(f("type_macro_f1") >= 0.90, "{}", f("type_macro_f1"));
}

/// A merge brings the other organization's notes: the kept one is
/// classified again, and undo puts its old answers back.
#[test]
fn merge_classifies_again_and_undo_restores() {
    let env = Env::new();
    let letter = env.path("letter.txt");
    std::fs::write(
        &letter,
        "Statement\n\nSigned by:\n\n1. Burma Human Rights Network\n2. BHRN Office (UK)\n3. Progressive Voice\n",
    )
    .unwrap();
    assert_eq!(env.run(&["import", &letter.to_string_lossy()]).code, 0);
    let rows = orgs(&env, &[]);
    let keep = org(&rows, "Burma Human Rights Network")["org_id"].clone();
    let other = org(&rows, "BHRN Office")["org_id"].clone();
    assert_eq!(org(&rows, "Burma Human Rights Network")["country"], "");
    assert_eq!(env.run(&["merge", &keep, &other]).code, 0);
    let rows = orgs(&env, &[]);
    assert_eq!(org(&rows, "Burma Human Rights Network")["country"], "GB");
    assert_eq!(env.run(&["undo"]).code, 0);
    let rows = orgs(&env, &[]);
    assert_eq!(org(&rows, "Burma Human Rights Network")["country"], "");
    assert_eq!(org(&rows, "BHRN Office")["country"], "GB");
}
