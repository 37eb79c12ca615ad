//! Matching in the registry, as a user meets it: look-alikes stay apart,
//! variants and acronyms join, judgements last, and undo is exact.

use crate::Env;
use undersigned::store::Store;

fn letter(title: &str, names: &[&str]) -> String {
    let mut s = format!("{title}\n\nWe, the undersigned, ask for action.\n\nSigned by:\n\n");
    for (i, n) in names.iter().enumerate() {
        s.push_str(&format!("{}. {n}\n", i + 1));
    }
    s
}

fn import(env: &Env, text: &str) {
    let out = env.run_with(&["import", "-"], &[], Some(text.as_bytes()));
    assert_eq!(out.code, 0, "{}", out.stderr);
}

fn org_of(env: &Env, letter: usize, position: usize) -> String {
    let rows = Env::csv_rows(
        &env.run(&["show", &letter.to_string(), "--format", "csv"])
            .stdout,
    );
    rows[position - 1]["org_id"].clone()
}

fn dump(env: &Env) -> String {
    Store::open(&env.path("undersigned.db"))
        .unwrap()
        .dump()
        .unwrap()
}

#[test]
fn look_alikes_stay_apart_and_variants_join() {
    let env = Env::new();
    import(
        &env,
        &letter(
            "Letter one",
            &[
                "Karen Community of Iowa, IA",
                "Human Rights Watch",
                "ASEAN Parliamentarians for Human Rights – APHR",
                "Womens League of Burma (WLB)",
            ],
        ),
    );
    import(
        &env,
        &letter(
            "Letter two",
            &[
                "Karenni Community of Iowa",
                "Burma Human Rights Watch Group",
                "APHR",
                "Women’s League of Burma",
            ],
        ),
    );
    assert_ne!(
        org_of(&env, 1, 1),
        org_of(&env, 2, 1),
        "Karen / Karenni of Iowa"
    );
    assert_ne!(
        org_of(&env, 1, 2),
        org_of(&env, 2, 2),
        "HRW / Burma HRW Group"
    );
    assert_eq!(
        org_of(&env, 1, 3),
        org_of(&env, 2, 3),
        "APHR joins its full name"
    );
    assert_eq!(
        org_of(&env, 1, 4),
        org_of(&env, 2, 4),
        "Women's League of Burma"
    );
    // The reason is kept with the signature: here the bundled table,
    // which lists APHR among the organization's published names.
    let rows = Env::csv_rows(&env.run(&["show", "2", "--format", "csv"]).stdout);
    assert!(
        rows[2]["match_reason"].contains("ASEAN Parliamentarians"),
        "{}",
        rows[2]["match_reason"]
    );
}

#[test]
fn a_unique_acronym_joins_its_full_name_without_the_table() {
    // Neither form is in data/aliases.csv: the acronym rule alone.
    let env = Env::new();
    import(
        &env,
        &letter("One", &["Ta'ang Students and Youth Union (TSYU)"]),
    );
    import(&env, &letter("Two", &["TSYU"]));
    assert_eq!(org_of(&env, 1, 1), org_of(&env, 2, 1));
    let rows = Env::csv_rows(&env.run(&["show", "2", "--format", "csv"]).stdout);
    assert!(
        rows[0]["match_reason"].contains("TSYU")
            && rows[0]["match_reason"].contains("no other organization"),
        "{}",
        rows[0]["match_reason"]
    );
}

#[test]
fn an_acronym_shared_by_two_organizations_does_not_join() {
    let env = Env::new();
    import(
        &env,
        &letter("One", &["Mon Youth Forum", "Myanmar Youth Forum"]),
    );
    import(&env, &letter("Two", &["MYF"]));
    let khrg = org_of(&env, 2, 1);
    assert_ne!(khrg, org_of(&env, 1, 1));
    assert_ne!(khrg, org_of(&env, 1, 2));
}

#[test]
fn a_different_judgement_survives_reimport_and_dedupe() {
    let env = Env::new();
    import(&env, &letter("One", &["Karen Youth Organization"]));
    import(&env, &letter("Two", &["Karen Youth Organisation"]));
    let (a, b) = (org_of(&env, 1, 1), org_of(&env, 2, 1));
    assert_eq!(a, b, "a spelling variant joins automatically");

    // A person says they are different: split the variant off.
    let out = env.run(&["split", &a, "Karen Youth Organisation"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let split_id = out.stdout.trim().to_string();
    assert_ne!(org_of(&env, 1, 1), org_of(&env, 2, 1));

    // A third letter prints the first spelling: it joins the first organization only.
    import(&env, &letter("Three", &["Karen Youth Organization"]));
    assert_eq!(org_of(&env, 3, 1), a);
    // dedupe under the current rules keeps the judgement.
    let out = env.run(&["dedupe"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(org_of(&env, 1, 1), a);
    assert_eq!(org_of(&env, 2, 1), split_id);
    // And a fourth letter with the variant goes to the split-off organization.
    import(&env, &letter("Four", &["KAREN YOUTH ORGANISATION"]));
    assert_eq!(org_of(&env, 4, 1), split_id);
}

#[test]
fn dedupe_joins_clusters_through_an_organization_with_names_in_both() {
    let env = Env::new();
    import(
        &env,
        &letter(
            "One",
            &[
                "Karen Youth Organization",
                "Human Rights Foundation of Monland",
            ],
        ),
    );
    import(&env, &letter("Two", &["Mon Women's Organization"]));
    let (kyo, hurfom, mwo) = (org_of(&env, 1, 1), org_of(&env, 1, 2), org_of(&env, 2, 1));
    // A person records two more names of the third organization, each a
    // spelling of another organization's name.
    for name in [
        "Karen Youth Organisation",
        "Human Rights Foundation of Mon Land",
    ] {
        let out = env.run(&["alias", "add", &mwo, name]);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let out = env.run(&["dedupe", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let merges: Vec<(String, String)> = Env::csv_rows(&out.stdout)
        .iter()
        .map(|r| (r["kept"].clone(), r["merged"].clone()))
        .collect();
    assert_eq!(
        merges,
        vec![(kyo.clone(), hurfom.clone()), (kyo.clone(), mwo.clone())],
        "{}",
        out.stdout
    );
    assert_eq!(org_of(&env, 1, 2), kyo);
    assert_eq!(org_of(&env, 2, 1), kyo);
    assert_eq!(env.run(&["check"]).code, 0);
}

#[test]
fn an_organization_kept_out_of_a_group_links_nothing() {
    let env = Env::new();
    import(&env, &letter("One", &["Karen Youth Organization"]));
    import(&env, &letter("Two", &["Mon Women's Organization"]));
    import(
        &env,
        &letter("Three", &["Human Rights Foundation of Monland"]),
    );
    let (kyo, mwo, hurfom) = (org_of(&env, 1, 1), org_of(&env, 2, 1), org_of(&env, 3, 1));
    for name in [
        "Karen Youth Organisation",
        "Human Rights Foundation of Mon Land",
    ] {
        let out = env.run(&["alias", "add", &mwo, name]);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    // A person says the first two are different organizations.
    let path = env.path("decisions.csv");
    std::fs::write(
        &path,
        format!(
            "org_a,org_b,name_a,name_b,decision\n{kyo},{mwo},Karen Youth Organization,Mon Women's Organization,different\n"
        ),
    )
    .unwrap();
    let out = env.run(&["review", "--apply", path.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = env.run(&["dedupe", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let merges: Vec<(String, String)> = Env::csv_rows(&out.stdout)
        .iter()
        .map(|r| (r["kept"].clone(), r["merged"].clone()))
        .collect();
    // The third joins the second, whose name it shares; nothing joins the
    // first, which shares a name only with the one kept apart from it.
    assert_eq!(
        merges,
        vec![(mwo.clone(), hurfom.clone())],
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("1 organization(s) kept out"),
        "{}",
        out.stderr
    );
    assert_eq!(org_of(&env, 1, 1), kyo);
    assert_eq!(org_of(&env, 3, 1), mwo);
}

#[test]
fn undo_restores_the_exact_earlier_state() {
    let env = Env::new();
    import(
        &env,
        &letter(
            "One",
            &[
                "Burma Campaign UK",
                "Progressive Voice",
                "Justice For Myanmar",
            ],
        ),
    );
    import(
        &env,
        &letter("Two", &["Progressive Voice", "Info Birmanie"]),
    );
    let before = dump(&env);
    let (pv, jfm) = (org_of(&env, 1, 2), org_of(&env, 1, 3));
    assert_eq!(env.run(&["merge", &pv, &jfm]).code, 0);
    assert_ne!(dump(&env), before);
    assert_eq!(org_of(&env, 1, 3), pv);
    let out = env.run(&["undo"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(dump(&env), before, "merge then undo");

    let out = env.run(&["merge", &pv, &jfm]);
    assert_eq!(out.code, 0);
    let merged = dump(&env);
    assert_eq!(env.run(&["split", &pv, "Justice For Myanmar"]).code, 0);
    assert_eq!(env.run(&["undo"]).code, 0);
    assert_eq!(dump(&env), merged, "split then undo");
    assert_eq!(env.run(&["undo"]).code, 0);
    assert_eq!(dump(&env), before, "both undone");
    let out = env.run(&["undo"]);
    assert!(out.stderr.contains("nothing to undo"));
}

#[test]
fn review_list_and_apply() {
    let env = Env::new();
    // "UK Section" against the plain name: a kind word only, so a person decides.
    import(&env, &letter("One", &["Amnesty International UK"]));
    import(&env, &letter("Two", &["Amnesty International UK Section"]));
    let out = env.run(&["review", "--list", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows = Env::csv_rows(&out.stdout);
    assert_eq!(rows.len(), 1, "{}", out.stdout);
    let path = env.path("decisions.csv");
    // Fill the decision column of the one pair.
    let mut lines: Vec<String> = out.stdout.lines().map(String::from).collect();
    lines[1].push_str("same");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let out = env.run(&["review", "--apply", path.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(org_of(&env, 1, 1), org_of(&env, 2, 1));
    let rows = Env::csv_rows(&env.run(&["review", "--list", "--format", "csv"]).stdout);
    assert!(rows.is_empty());
}

#[test]
fn eval_command_prints_ours_and_the_baselines() {
    let env = Env::new();
    let gold =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/matching_gold.csv");
    let out = env.run(&["eval", gold.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows = Env::csv_rows(&out.stdout);
    assert_eq!(rows.len(), 3);
    assert!(rows[1]["method"].contains("fingerprint"));
    assert!(rows[2]["method"].contains("token_set_ratio"));
    assert!(out.stderr.contains("blocking recall"));
}
