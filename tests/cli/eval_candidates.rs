//! `eval --candidates`: the blocking's candidate pairs written for other
//! matchers to run under the same blocking.

use crate::Env;

#[test]
fn eval_writes_the_candidate_pairs() {
    let env = Env::new();
    let gold = env.path("gold.csv");
    std::fs::write(
        &gold,
        "name,cluster,variant\n\
         Amnesty International,amnesty,canonical\n\
         Human Rights Watch,hrw,canonical\n\
         AMNESTY INTERNATIONAL,amnesty,case\n\
         Amnesty Internatonal,amnesty,typo\n\
         Human Rights Watch.,hrw,punctuation\n\
         Save the Children,stc,canonical\n",
    )
    .unwrap();
    let out = env.run(&[
        "eval",
        "gold.csv",
        "--candidates",
        "pairs.csv",
        "--format",
        "csv",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The figures are still printed.
    assert_eq!(Env::csv_rows(&out.stdout).len(), 3, "{}", out.stdout);

    let text = std::fs::read_to_string(env.path("pairs.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("a,b"));
    let pairs: Vec<(usize, usize)> = lines
        .map(|l| {
            let (a, b) = l.split_once(',').expect("two columns");
            (a.parse().unwrap(), b.parse().unwrap())
        })
        .collect();
    // Row numbers of the gold file from 0, smaller first, each pair once,
    // in order.
    assert!(pairs.iter().all(|&(a, b)| a < b && b < 6), "{pairs:?}");
    assert!(pairs.windows(2).all(|w| w[0] < w[1]), "{pairs:?}");
    // The spellings of one organization meet in the blocking.
    for p in [(0, 2), (0, 3), (2, 3), (1, 4)] {
        assert!(pairs.contains(&p), "{p:?} missing from {pairs:?}");
    }
    // Names with no word in common are never candidates.
    assert!(
        !pairs.contains(&(0, 5)) && !pairs.contains(&(1, 5)),
        "{pairs:?}"
    );
}

#[test]
fn eval_reports_an_unwritable_candidates_path() {
    let env = Env::new();
    std::fs::write(
        env.path("gold.csv"),
        "name,cluster\nAmnesty International,a\nAmnesty Intl,a\n",
    )
    .unwrap();
    let out = env.run(&["eval", "gold.csv", "--candidates", "no/such/dir/pairs.csv"]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("pairs.csv"), "{}", out.stderr);
}
