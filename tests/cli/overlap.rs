//! Coalition overlap on a small registry of our own (tests/fixtures/overlap/),
//! every measure checked against values worked out by hand: overlap
//! letters/orgs/countries/types, diff, stats, search and signed-by, and
//! formula-safe CSV.
//!
//! The registry, as imported by [`registry`]:
//!
//! | letter | date       | signers (org ids)                 |
//! |--------|------------|-----------------------------------|
//! | 1      | 2023-01-10 | 1 2 3 4                           |
//! | 2      | 2023-06-05 | 1 2 3 (claims 4)                  |
//! | 3      | 2024-02-20 | 1 2 5 6                           |
//! | 4      | 2024-09-01 | 7 (one signer: no pairs)          |
//! | 5      | 2025-03-15 | 2 5 8, and 4 withdrawn by update  |
//!
//! 1 River Watch Network (TH), 2 Clean Water Alliance (MM), 3 Friends of
//! the Valley (MM), 4 Anglers for Rivers, 5 Wetlands Trust (TH), 6 Dr. Mya
//! Thandar (a person), 7 Coastal Kayak Club, 8 Friends & "Neighbours"
//! <Upstream>. Newman weights per letter, 1/(n-1): letter 1 1/3, letter
//! 2 1/2, letter 3 1/3, letter 5 1/2 (1/3 with the withdrawn signer).

use std::collections::HashMap;

use crate::{fixture, Env};

type Row = HashMap<String, String>;

/// A fresh folder holding the registry described above.
pub fn registry() -> Env {
    let env = Env::new();
    let f = |n: &str| fixture(&format!("overlap/{n}"));
    let out = env.run(&[
        "import",
        &f("river-cleanup.txt"),
        &f("cleanup-funding.txt"),
        &f("water-study.md"),
        &f("kayak-club.txt"),
        &f("dam-consultation-v1.txt"),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = env.run(&[
        "import",
        "--update",
        "5",
        &f("dam-consultation-v2.txt"),
        "--date",
        "2025-04-01",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("1 withdrawn"), "{}", out.stderr);
    // The ids the tables above use.
    let orgs = Env::csv_rows(&env.run(&["export", "orgs"]).stdout);
    let id = |name: &str| {
        orgs.iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no {name}"))["org_id"]
            .clone()
    };
    for (n, name) in [
        ("1", "River Watch Network"),
        ("2", "Clean Water Alliance"),
        ("3", "Friends of the Valley"),
        ("4", "Anglers for Rivers"),
        ("5", "Wetlands Trust"),
        ("6", "Dr. Mya Thandar"),
        ("7", "Coastal Kayak Club"),
        ("8", "Friends & \"Neighbours\" <Upstream>"),
    ] {
        assert_eq!(id(name), n, "{name}");
    }
    env
}

/// Runs a command that must succeed and parses its CSV.
pub fn rows(env: &Env, args: &[&str]) -> Vec<Row> {
    let mut a = args.to_vec();
    a.extend(["--format", "csv"]);
    let out = env.run(&a);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    Env::csv_rows(&out.stdout)
}

fn pick<'a>(rows: &'a [Row], a_col: &str, a: &str, b_col: &str, b: &str) -> &'a Row {
    rows.iter()
        .find(|r| r[a_col] == a && r[b_col] == b)
        .unwrap_or_else(|| panic!("no row {a}-{b}"))
}

/// (org_a, org_b, shared, letters_a, letters_b, jaccard, overlap_coef,
/// newman_weight, first_shared, last_shared), worked out by hand.
#[rustfmt::skip]
const ORG_PAIRS: &[[&str; 10]] = &[
    // Letters 1, 2, 3: 1/3 + 1/2 + 1/3 = 7/6; jaccard 3/(3+4-3).
    ["1", "2", "3", "3", "4", "0.75", "1", "1.166667", "2023-01-10", "2024-02-20"],
    // Letters 1, 2: 1/3 + 1/2 = 5/6; jaccard 2/(3+2-2).
    ["1", "3", "2", "3", "2", "0.666667", "1", "0.833333", "2023-01-10", "2023-06-05"],
    ["1", "4", "1", "3", "1", "0.333333", "1", "0.333333", "2023-01-10", "2023-01-10"],
    // Letter 3: jaccard 1/(3+2-1), overlap 1/2.
    ["1", "5", "1", "3", "2", "0.25", "0.5", "0.333333", "2024-02-20", "2024-02-20"],
    ["1", "6", "1", "3", "1", "0.333333", "1", "0.333333", "2024-02-20", "2024-02-20"],
    ["2", "3", "2", "4", "2", "0.5", "1", "0.833333", "2023-01-10", "2023-06-05"],
    ["2", "4", "1", "4", "1", "0.25", "1", "0.333333", "2023-01-10", "2023-01-10"],
    // Letters 3 and 5: 1/3 + 1/2.
    ["2", "5", "2", "4", "2", "0.5", "1", "0.833333", "2024-02-20", "2025-03-15"],
    ["2", "6", "1", "4", "1", "0.25", "1", "0.333333", "2024-02-20", "2024-02-20"],
    // Letter 5 (n = 3): 1/2.
    ["2", "8", "1", "4", "1", "0.25", "1", "0.5", "2025-03-15", "2025-03-15"],
    ["3", "4", "1", "2", "1", "0.5", "1", "0.333333", "2023-01-10", "2023-01-10"],
    ["5", "6", "1", "2", "1", "0.5", "1", "0.333333", "2024-02-20", "2024-02-20"],
    ["5", "8", "1", "2", "1", "0.5", "1", "0.5", "2025-03-15", "2025-03-15"],
];

#[test]
fn overlap_orgs_every_measure_by_hand() {
    let env = registry();
    let got = rows(&env, &["overlap", "orgs"]);
    let text = env.run(&["overlap", "orgs", "--format", "csv"]).stdout;
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    assert_eq!(
        header,
        [
            "org_a",
            "org_b",
            "name_a",
            "name_b",
            "shared",
            "letters_a",
            "letters_b",
            "jaccard",
            "overlap_coef",
            "newman_weight",
            "first_shared",
            "last_shared"
        ]
    );
    let brief: Vec<[&str; 10]> = got
        .iter()
        .map(|r| {
            [
                r["org_a"].as_str(),
                &r["org_b"],
                &r["shared"],
                &r["letters_a"],
                &r["letters_b"],
                &r["jaccard"],
                &r["overlap_coef"],
                &r["newman_weight"],
                &r["first_shared"],
                &r["last_shared"],
            ]
        })
        .collect();
    let expected: Vec<[&str; 10]> = ORG_PAIRS.to_vec();
    assert_eq!(brief, expected, "rows in org_a, org_b order");
    assert_eq!(
        pick(&got, "org_a", "1", "org_b", "2")["name_b"],
        "Clean Water Alliance"
    );
    // Letter 4 has one signer: organization 7 is in no pair; the withdrawn
    // signer (4) ties with nobody through letter 5.
    assert!(got.iter().all(|r| r["org_a"] != "7" && r["org_b"] != "7"));
    assert!(!got.iter().any(|r| r["org_a"] == "4" && r["org_b"] == "5"));

    // JSON carries the measures as numbers.
    let out = env.run(&["overlap", "orgs", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 13);
    assert_eq!(v[0]["newman_weight"], 1.166667);
    assert_eq!(v[0]["shared"], 3);
    assert_eq!(v[9]["name_b"], "Friends & \"Neighbours\" <Upstream>");
}

#[test]
fn overlap_letters_every_measure_by_hand() {
    let env = registry();
    let got = rows(&env, &["overlap", "letters"]);
    let brief: Vec<[&str; 7]> = got
        .iter()
        .map(|r| {
            [
                r["letter_a"].as_str(),
                &r["letter_b"],
                &r["shared"],
                &r["size_a"],
                &r["size_b"],
                &r["jaccard"],
                &r["overlap_coef"],
            ]
        })
        .collect();
    assert_eq!(
        brief,
        vec![
            // {1,2,3,4} and {1,2,3}: 3/(4+3-3), 3/3.
            ["1", "2", "3", "4", "3", "0.75", "1"],
            // {1,2,3,4} and {1,2,5,6}: 2/6, 2/4.
            ["1", "3", "2", "4", "4", "0.333333", "0.5"],
            // {1,2,3,4} and {2,5,8}: 1/6, 1/3.
            ["1", "5", "1", "4", "3", "0.166667", "0.333333"],
            // {1,2,3} and {1,2,5,6}: 2/5, 2/3.
            ["2", "3", "2", "3", "4", "0.4", "0.666667"],
            ["2", "5", "1", "3", "3", "0.2", "0.333333"],
            // {1,2,5,6} and {2,5,8}: 2/5, 2/3.
            ["3", "5", "2", "4", "3", "0.4", "0.666667"],
        ]
    );
    assert_eq!(
        got[0]["title_a"],
        "Open letter: stop the waste discharges into the Salween"
    );
    assert_eq!(
        got[0]["title_b"],
        "Open letter: fund the river clean-up before the rains"
    );
    let two = rows(&env, &["overlap", "letters", "--min-shared", "2"]);
    assert_eq!(two.len(), 4);
}

#[test]
fn withdrawn_signatures_count_only_when_asked() {
    let env = registry();
    let got = rows(&env, &["overlap", "orgs", "--include-withdrawn"]);
    // Letter 5 is {2,4,5,8}: n = 4, weight 1/3 each.
    assert_eq!(got.len(), 15, "adds 4-5 and 4-8");
    let r = pick(&got, "org_a", "2", "org_b", "4");
    // Letters 1 and 5: jaccard 2/(4+2-2), newman 1/3 + 1/3.
    assert_eq!(
        (
            &r["shared"],
            &r["letters_b"],
            &r["jaccard"],
            &r["newman_weight"]
        ),
        (
            &"2".to_string(),
            &"2".to_string(),
            &"0.5".to_string(),
            &"0.666667".to_string()
        )
    );
    assert_eq!(r["last_shared"], "2025-03-15");
    let r = pick(&got, "org_a", "2", "org_b", "5");
    assert_eq!(r["newman_weight"], "0.666667");
    let r = pick(&got, "org_a", "4", "org_b", "8");
    assert_eq!(
        (r["shared"].as_str(), r["newman_weight"].as_str()),
        ("1", "0.333333")
    );

    let letters = rows(&env, &["overlap", "letters", "--include-withdrawn"]);
    let r = pick(&letters, "letter_a", "1", "letter_b", "5");
    // {1,2,3,4} and {2,4,5,8}: 2/6, 2/4.
    assert_eq!(
        (
            r["shared"].as_str(),
            r["size_b"].as_str(),
            r["jaccard"].as_str(),
            r["overlap_coef"].as_str()
        ),
        ("2", "4", "0.333333", "0.5")
    );
}

#[test]
fn filters_letters_dates_countries_types_min_shared_and_top() {
    let env = registry();
    let pairs = |rows: &[Row]| -> Vec<String> {
        rows.iter()
            .map(|r| format!("{}-{}", r["org_a"], r["org_b"]))
            .collect()
    };

    let got = rows(&env, &["overlap", "orgs", "--letters", "1,2"]);
    assert_eq!(pairs(&got), ["1-2", "1-3", "1-4", "2-3", "2-4", "3-4"]);
    let r = pick(&got, "org_a", "1", "org_b", "2");
    // Within letters 1 and 2 both signed both: jaccard 1, newman 1/3 + 1/2.
    assert_eq!(
        (
            r["shared"].as_str(),
            r["letters_a"].as_str(),
            r["jaccard"].as_str(),
            r["newman_weight"].as_str()
        ),
        ("2", "2", "1", "0.833333")
    );

    let got = rows(&env, &["overlap", "orgs", "--since", "2024-01-01"]);
    assert_eq!(
        pairs(&got),
        ["1-2", "1-5", "1-6", "2-5", "2-6", "2-8", "5-6", "5-8"]
    );
    let r = pick(&got, "org_a", "1", "org_b", "2");
    // Letter 3 only for organization 1; letters 3 and 5 for 2: 1/(1+2-1).
    assert_eq!(
        (
            r["shared"].as_str(),
            r["jaccard"].as_str(),
            r["overlap_coef"].as_str()
        ),
        ("1", "0.5", "1")
    );

    let got = rows(&env, &["overlap", "orgs", "--until", "2023"]);
    assert_eq!(pairs(&got), ["1-2", "1-3", "1-4", "2-3", "2-4", "3-4"]);
    let got = rows(
        &env,
        &["overlap", "orgs", "--since", "2024-03", "--until", "2025"],
    );
    assert_eq!(pairs(&got), ["2-5", "2-8", "5-8"]);

    // Only the organizations based in Myanmar; their letter counts and
    // the letters' sizes stay whole.
    let got = rows(&env, &["overlap", "orgs", "--country", "mm"]);
    assert_eq!(pairs(&got), ["2-3"]);
    assert_eq!(
        (
            got[0]["letters_a"].as_str(),
            got[0]["jaccard"].as_str(),
            got[0]["newman_weight"].as_str()
        ),
        ("4", "0.5", "0.833333")
    );
    let got = rows(&env, &["overlap", "orgs", "--country", "TH,MM"]);
    assert_eq!(pairs(&got), ["1-2", "1-3", "1-5", "2-3", "2-5"]);
    let got = rows(&env, &["overlap", "letters", "--country", "TH"]);
    // Letters 1 {1}, 2 {1}, 3 {1,5}, 5 {5}.
    let brief: Vec<String> = got
        .iter()
        .map(|r| {
            format!(
                "{}-{}:{}/{}",
                r["letter_a"], r["letter_b"], r["shared"], r["jaccard"]
            )
        })
        .collect();
    assert_eq!(brief, ["1-2:1/1", "1-3:1/0.5", "2-3:1/0.5", "3-5:1/0.5"]);

    let got = rows(&env, &["overlap", "orgs", "--type", "individual"]);
    assert!(got.is_empty(), "one person makes no pair");

    let got = rows(&env, &["overlap", "orgs", "--min-shared", "2"]);
    assert_eq!(pairs(&got), ["1-2", "1-3", "2-3", "2-5"]);
    // Strongest first: 3 shared; then three pairs tie at 2 shared and 5/6:
    // the lower ids win.
    let got = rows(&env, &["overlap", "orgs", "--top", "2"]);
    assert_eq!(pairs(&got), ["1-2", "1-3"]);

    let out = env.run(&["overlap", "orgs", "--letters", "1,9"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr.trim(),
        "undersigned: no letter with id 9 (see `undersigned letters`)"
    );
    let out = env.run(&["overlap", "orgs", "--since", "2024-13"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = env.run(&["overlap", "orgs", "--min-shared", "0"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn overlap_countries_mixing_table_by_hand() {
    let env = registry();
    let out = env.run(&["overlap", "countries", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let got = Env::csv_rows(&out.stdout);
    let brief: Vec<[&str; 6]> = got
        .iter()
        .map(|r| {
            [
                r["country_a"].as_str(),
                &r["country_b"],
                &r["pairs"],
                &r["shared"],
                &r["newman_weight"],
                &r["fraction"],
            ]
        })
        .collect();
    assert_eq!(
        brief,
        vec![
            // 2-3.
            ["MM", "MM", "1", "2", "0.833333", "0.076923"],
            // 1-2, 1-3, 2-5: 3 + 2 + 2 letters, 7/6 + 5/6 + 5/6.
            ["MM", "TH", "3", "7", "2.833333", "0.230769"],
            // 2-4, 2-6, 2-8, 3-4 (an empty country: not known).
            ["MM", "", "4", "4", "1.5", "0.307692"],
            // 1-5.
            ["TH", "TH", "1", "1", "0.333333", "0.076923"],
            // 1-4, 1-6, 5-6, 5-8.
            ["TH", "", "4", "4", "1.5", "0.307692"],
        ]
    );
    // Known at both ends: 5 pairs, e_MM,MM = e_TH,TH = 1/5, e_MM,TH =
    // e_TH,MM = 3/10; a_MM = a_TH = 1/2; r = (2/5 - 1/2) / (1 - 1/2).
    assert!(
        out.stderr.contains(
            "13 organization pairs; assortativity by country over the 5 pairs whose country is known at both ends: -0.2"
        ),
        "{}",
        out.stderr
    );
    let json = env.run(&["overlap", "countries", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v[2]["country_b"], serde_json::Value::Null);
    assert_eq!(v[1]["pairs"], 3);
}

#[test]
fn overlap_types_mixing_table_by_hand() {
    let env = registry();
    let out = env.run(&["overlap", "types", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let got = Env::csv_rows(&out.stdout);
    // The type of each organization, as the classifier gave it (the
    // person, 6, is an individual by the entry itself; the others may gain
    // types as classification grows). The per-pair values are those of
    // ORG_PAIRS, worked out by hand; here they are summed by type.
    let orgs = Env::csv_rows(&env.run(&["export", "orgs"]).stdout);
    let ty = |id: &str| orgs.iter().find(|r| r["org_id"] == id).unwrap()["org_type"].clone();
    assert_eq!(ty("6"), "individual");
    let mut expected: HashMap<(String, String), (u64, u64, f64)> = HashMap::new();
    let newman = |s: &str| -> f64 {
        match s {
            "1.166667" => 7.0 / 6.0,
            "0.833333" => 5.0 / 6.0,
            "0.333333" => 1.0 / 3.0,
            "0.5" => 0.5,
            other => panic!("{other}"),
        }
    };
    for p in ORG_PAIRS {
        let (a, b) = (ty(p[0]), ty(p[1]));
        // Unknown ("") sorts last.
        let key = if (a.is_empty(), &a) <= (b.is_empty(), &b) {
            (a, b)
        } else {
            (b, a)
        };
        let e = expected.entry(key).or_default();
        e.0 += 1;
        e.1 += p[2].parse::<u64>().unwrap();
        e.2 += newman(p[7]);
    }
    assert_eq!(got.len(), expected.len());
    for r in &got {
        let e = expected[&(r["org_type_a"].clone(), r["org_type_b"].clone())];
        assert_eq!(r["pairs"], e.0.to_string());
        assert_eq!(r["shared"], e.1.to_string());
        assert_eq!(r["newman_weight"], undersigned::export::measure(e.2));
        assert_eq!(
            r["fraction"],
            undersigned::export::measure(e.0 as f64 / 13.0)
        );
    }
    // The person's three ties (1-6, 2-6, 5-6): one letter each, 1/3 each.
    let person: Vec<&Row> = got
        .iter()
        .filter(|r| r["org_type_a"] == "individual" || r["org_type_b"] == "individual")
        .collect();
    let pairs: u64 = person
        .iter()
        .map(|r| r["pairs"].parse::<u64>().unwrap())
        .sum();
    assert_eq!(pairs, 3);
}

#[test]
fn diff_signed_both_only_a_only_b() {
    let env = registry();
    let out = env.run(&["diff", "1", "3", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let got = Env::csv_rows(&out.stdout);
    let brief: Vec<(&str, &str)> = got
        .iter()
        .map(|r| (r["org_id"].as_str(), r["side"].as_str()))
        .collect();
    // Both, then only A, then only B, each by name.
    assert_eq!(
        brief,
        vec![
            ("2", "both"),
            ("1", "both"),
            ("4", "only_a"),
            ("3", "only_a"),
            ("6", "only_b"),
            ("5", "only_b"),
        ]
    );
    assert_eq!(got[4]["kind"], "individual");
    assert_eq!(got[0]["country"], "MM");
    assert_eq!(
        out.stderr.trim(),
        "letter 1 (4 signers) and letter 3 (4 signers): 2 signed both, 2 only letter 1, 2 only letter 3; jaccard 0.333333, overlap_coef 0.5"
    );

    // Organization 4 withdrew from letter 5.
    let got = rows(&env, &["diff", "5", "1"]);
    let side = |rows: &[Row], id: &str| {
        rows.iter()
            .find(|r| r["org_id"] == id)
            .map(|r| r["side"].clone())
    };
    assert_eq!(side(&got, "4").as_deref(), Some("only_b"));
    assert_eq!(side(&got, "2").as_deref(), Some("both"));
    assert_eq!(side(&got, "8").as_deref(), Some("only_a"));
    let got = rows(&env, &["diff", "5", "1", "--include-withdrawn"]);
    assert_eq!(side(&got, "4").as_deref(), Some("both"));
    let got = rows(&env, &["diff", "5", "1", "--country", "TH"]);
    assert_eq!(got.len(), 2, "5 (only letter 5) and 1 (only letter 1)");

    let out = env.run(&["diff", "1", "9"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no letter with id 9"), "{}", out.stderr);
}

#[test]
fn stats_by_hand() {
    let env = registry();
    let got = rows(&env, &["stats"]);
    let find = |section: &str, key: &str| -> Row {
        got.iter()
            .find(|r| r["section"] == section && r["key"] == key)
            .unwrap_or_else(|| panic!("no {section} {key}"))
            .clone()
    };
    for (key, n) in [
        ("letters", "5"),
        // 4 + 3 + 4 + 1 + 3 standing.
        ("signatures", "15"),
        ("withdrawn", "1"),
        // 1-5, 7, 8: organization 4 still stands on letter 1.
        ("organizations", "7"),
        ("individuals", "1"),
        ("mismatched_letters", "1"),
    ] {
        assert_eq!(find("total", key)["count"], n, "{key}");
    }
    // Countries: 4 not known (4, 6, 7, 8), then MM (2, 3) and TH (1, 5).
    let countries: Vec<(String, String)> = got
        .iter()
        .filter(|r| r["section"] == "country")
        .map(|r| (r["key"].clone(), r["count"].clone()))
        .collect();
    assert_eq!(
        countries,
        [("", "4"), ("MM", "2"), ("TH", "2")].map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(find("country", "")["note"], "not known");
    assert_eq!(find("org_type", "individual")["count"], "1");
    let m = find("mismatch", "2");
    assert_eq!((m["count"].as_str(), m["claimed"].as_str()), ("3", "4"));
    assert_eq!(
        m["note"],
        "Open letter: fund the river clean-up before the rains"
    );

    let got = rows(&env, &["stats", "--since", "2024", "--top", "1"]);
    let count = |section: &str, key: &str| {
        got.iter()
            .find(|r| r["section"] == section && r["key"] == key)
            .map(|r| r["count"].clone())
    };
    // Letters 3, 4, 5.
    assert_eq!(count("total", "letters").as_deref(), Some("3"));
    assert_eq!(count("total", "signatures").as_deref(), Some("8"));
    assert_eq!(count("total", "mismatched_letters").as_deref(), Some("0"));
    assert_eq!(got.iter().filter(|r| r["section"] == "country").count(), 1);
    let json = env.run(&["stats", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v[0]["count"], 5);
    let out = env.run(&["stats", "--letters", "2,9"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no letter with id 9"), "{}", out.stderr);
}

#[test]
fn search_and_signed_by_a_name() {
    let env = registry();
    let names = |q: &str| -> Vec<String> {
        let mut v: Vec<String> = rows(&env, &["orgs", "--search", q])
            .into_iter()
            .map(|r| r["name"].clone())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names("river"),
        ["Anglers for Rivers", "River Watch Network"]
    );
    assert_eq!(names("NET riv"), ["River Watch Network"]);
    // Parts of words, in any order.
    assert_eq!(names("all ater"), ["Clean Water Alliance"]);
    assert_eq!(
        names("neighbours & friends"),
        ["Friends & \"Neighbours\" <Upstream>"]
    );
    assert!(names("greenpeace").is_empty());

    // Through the matcher, saying which organization and why.
    let out = env.run(&[
        "signed-by",
        "CLEAN WATER ALLIANCE (Myanmar)",
        "--format",
        "csv",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr.trim(),
        "organization 2 \"Clean Water Alliance\" (matcher: same name key as organization 2 \"Clean Water Alliance\"): 4 letter(s)"
    );
    let letters: Vec<String> = Env::csv_rows(&out.stdout)
        .into_iter()
        .map(|r| r["letter_id"].clone())
        .collect();
    assert_eq!(letters, ["1", "2", "3", "5"]);
    // A person, typed without the title.
    let out = env.run(&["signed-by", "mya thandar"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.starts_with("organization 6 \"Dr. Mya Thandar\""),
        "{}",
        out.stderr
    );
    // Not a name the matcher knows: the search finds one.
    let out = env.run(&["signed-by", "valley"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("organization 3 \"Friends of the Valley\" (the matcher knows no such name; the only organization a search for \"valley\" finds)"),
        "{}",
        out.stderr
    );
    // An id; the letter it withdrew from is listed, and not counted (as
    // `orgs` counts).
    let out = env.run(&["signed-by", "4", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr.trim(),
        "organization 4 \"Anglers for Rivers\": 1 letter(s)"
    );
    let got: Vec<(String, String)> = Env::csv_rows(&out.stdout)
        .into_iter()
        .map(|r| (r["letter_id"].clone(), r["status"].clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("1".to_string(), "signed".to_string()),
            ("5".to_string(), "withdrawn".to_string())
        ]
    );
    let orgs = rows(&env, &["orgs", "--search", "anglers"]);
    assert_eq!(orgs[0]["letters"], "1");
    let out = env.run(&["signed-by", "99"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no organization with id 99"),
        "{}",
        out.stderr
    );
    let out = env.run(&["signed-by", "river"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("fits 2 organizations"),
        "{}",
        out.stderr
    );
}

/// Renames organization 1 (and its printed forms) as someone editing the
/// registry with an SQLite tool might, to a spreadsheet formula.
pub fn rename_to_formula(env: &Env, name: &str) {
    let c = rusqlite::Connection::open(env.path("undersigned.db")).unwrap();
    c.execute("UPDATE organizations SET name = ?1 WHERE id = 1", [name])
        .unwrap();
    c.execute(
        "UPDATE aliases SET name = ?1, key = 'hyperlink example' WHERE org_id = 1",
        [name],
    )
    .unwrap();
}

#[test]
fn a_name_beginning_with_equals_is_neutralized_in_every_csv() {
    let env = registry();
    let evil = "=HYPERLINK(\"http://example.com\",\"River Watch\")";
    rename_to_formula(&env, evil);
    let safe = format!("'{evil}");

    let got = rows(&env, &["overlap", "orgs"]);
    assert_eq!(pick(&got, "org_a", "1", "org_b", "2")["name_a"], safe);
    let got = rows(&env, &["diff", "1", "2"]);
    assert!(got.iter().any(|r| r["name"] == safe), "{got:?}");
    assert!(got.iter().all(|r| !r["name"].starts_with('=')));
    let got = rows(&env, &["orgs", "--search", "hyperlink"]);
    assert_eq!(got.len(), 1, "the search index followed the rename");
    assert_eq!(got[0]["name"], safe);

    let out = env.run(&["network", "--format", "gephi", "-o", "net"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let nodes = Env::csv_rows(&std::fs::read_to_string(env.path("net-nodes.csv")).unwrap());
    assert_eq!(nodes[0]["Label"], safe);
    let out = env.run(&["network", "--format", "incidence"]);
    let matrix = Env::csv_rows(&out.stdout);
    assert_eq!(matrix[0]["name"], safe);
    // In the raw text too: the cell starts with the apostrophe.
    assert!(out.stdout.contains("1,\"'=HYPERLINK("), "{}", out.stdout);

    // JSON keeps the name as it is: it is not read by spreadsheets.
    let out = env.run(&["overlap", "orgs", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v[0]["name_a"], evil);
}

#[test]
fn overlap_output_file() {
    let env = registry();
    let out = env.run(&["overlap", "letters", "-o", "letters.csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("wrote 6 rows to letters.csv"),
        "{}",
        out.stderr
    );
    let text = std::fs::read_to_string(env.path("letters.csv")).unwrap();
    assert_eq!(Env::csv_rows(&text).len(), 6);
    assert!(!env.path("letters.partial").exists());
    let out = env.run(&["overlap", "types", "-o", "types.json", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("types.json")).unwrap()).unwrap();
    assert!(v.is_array());
}
