//! SQL takes parameters only: names holding quotes, semicolons, "--",
//! SQL itself, NUL and 10,000 characters go in through the command line
//! and the library and come back unchanged, and the registry stays sound.

use undersigned::store::{Override, Store};

use crate::Env;

/// Printed names a query built by pasting text would choke on.
const HOSTILE: &[&str] = &[
    "O'Brien \"Quoted\" Network",
    "Robert'); DROP TABLE organizations; -- Alliance",
    "Semicolon; Coalition; of; Friends",
    "Double -- dash Association",
    "Percent 100% LIKE_ANY Society",
    "Backslash \\ Union of Quotes",
    "\"; DELETE FROM signatures WHERE \"\" = \"",
];

fn ten_thousand(seed: &str) -> String {
    let mut s = String::from(seed);
    while s.chars().count() < 10_000 {
        s.push_str(" '; DROP TABLE letters; -- \"x\"");
    }
    s.chars().take(10_000).collect()
}

fn letter_text(names: &[&str]) -> String {
    let mut t = String::from(
        "Joint letter on awkward names\n\n\
         We, the undersigned organizations, call on the council to read every name.\n\n\
         Signed by:\n\n",
    );
    for n in names {
        t.push_str(n);
        t.push('\n');
    }
    t
}

/// The signers the library's parser reads from `bytes`, as printed.
fn parsed(bytes: &[u8]) -> Vec<String> {
    let doc = undersigned::parse::parse_bytes(bytes, undersigned::parse::Options::default())
        .expect("a letter");
    doc.letters[0]
        .signatories
        .iter()
        .map(|s| s.printed.clone())
        .collect()
}

#[test]
fn hostile_names_through_the_command_line_come_back_unchanged() {
    let env = Env::new();
    // The list finder takes entries of up to 300 characters and 30 words.
    let long = format!("Long{} Network", " O'Brien;--\"Quoted\"Name".repeat(12));
    assert!(long.chars().count() > 250);
    let mut names: Vec<&str> = HOSTILE.to_vec();
    names.push(&long);
    let text = letter_text(&names);
    let file = env.path("awkward.txt");
    std::fs::write(&file, &text).unwrap();
    let title = ten_thousand("Title ');");
    let url = format!("https://example.org/?q=';--&x=\"{}\"", "a;".repeat(100));

    let out = env.run(&[
        "import",
        file.to_str().unwrap(),
        "--title",
        &title,
        "--url",
        &url,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);

    let rows = Env::csv_rows(&env.run(&["show", "1", "--format", "csv"]).stdout);
    let stored: Vec<String> = rows.iter().map(|r| r["name_as_printed"].clone()).collect();
    assert_eq!(stored, parsed(text.as_bytes()), "stored as parsed");
    for n in &names {
        assert!(stored.iter().any(|s| s == n), "{n} is one signer");
    }
    let letters = Env::csv_rows(&env.run(&["letters", "--format", "csv"]).stdout);
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["title"], title);
    assert_eq!(letters[0]["url"], url);

    // A person's alias of 10,000 characters, and searches for the names.
    let alias = ten_thousand("Alias \"quoted\";");
    let out = env.run(&["alias", "add", "2", &alias]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for n in HOSTILE {
        let out = env.run(&["signed-by", n, "--format", "csv"]);
        assert_eq!(out.code, 0, "signed-by {n}: {}", out.stderr);
        assert_eq!(Env::csv_rows(&out.stdout).len(), 1, "signed-by {n}");
        let out = env.run(&["orgs", "--search", n, "--format", "csv"]);
        assert_eq!(out.code, 0, "orgs --search {n}: {}", out.stderr);
        assert!(!Env::csv_rows(&out.stdout).is_empty(), "orgs --search {n}");
    }
    // FTS5 query syntax in a search is text to find, not syntax.
    for q in ["\"", "a OR b", "NEAR(a b)", "x*", "col:val", "'; --", "^"] {
        let out = env.run(&["orgs", "--search", q, "--format", "csv"]);
        assert_eq!(out.code, 0, "orgs --search {q}: {}", out.stderr);
    }

    // A hostile value where a code is expected is refused, nothing stored.
    let before = std::fs::read(env.path("undersigned.db")).unwrap();
    let out = env.run(&["set", "1", "--country", "GB'; DROP TABLE organizations; --"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("unknown country"), "{}", out.stderr);
    assert_eq!(std::fs::read(env.path("undersigned.db")).unwrap(), before);

    let store = Store::open(&env.path("undersigned.db")).unwrap();
    assert!(store.org_names(2).unwrap().contains(&alias));
    assert_eq!(store.org(2).unwrap().unwrap().name, HOSTILE[1]);
    drop(store);
    let out = env.run(&["check"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "ok\n"),
        "{}",
        out.stderr
    );
}

/// UTF-16 text may hold U+0000 (a NUL byte in UTF-8 is refused as
/// binary): whatever the parser makes of it is what is stored.
#[test]
fn a_nul_in_a_utf16_letter_is_stored_as_parsed() {
    let env = Env::new();
    let text = letter_text(&["Null\u{0}Byte Society", "Plain Farmers Union"]);
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let file = env.path("nul.txt");
    std::fs::write(&file, &bytes).unwrap();
    let out = env.run(&["import", file.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let store = Store::open(&env.path("undersigned.db")).unwrap();
    let stored: Vec<String> = store
        .signatures(1)
        .unwrap()
        .into_iter()
        .map(|s| s.name_as_printed)
        .collect();
    assert_eq!(stored, parsed(&bytes));
    assert!(store.check().unwrap().is_empty());
}

#[test]
fn hostile_names_through_the_library_come_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lib.db");
    let env = Env::new();
    let file = env.path("plain.txt");
    std::fs::write(
        &file,
        letter_text(&["Plain Farmers Union", "Clear Water Alliance"]),
    )
    .unwrap();
    let out = env.run(&[
        "--db",
        db.to_str().unwrap(),
        "import",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);

    let mut store = Store::open(&db).unwrap();
    let nul = "Null\u{0}Byte\\'); DROP TABLE aliases; --";
    let long = ten_thousand("Ten thousand \u{0} ;");
    let mut added: Vec<String> = HOSTILE.iter().map(|s| s.to_string()).collect();
    added.push(nul.to_string());
    added.push(long.clone());
    for n in &added {
        store.add_alias(1, n).unwrap();
    }
    let names = store.org_names(1).unwrap();
    for n in &added {
        assert!(names.contains(n), "{:?} came back", &n[..n.len().min(40)]);
    }

    let country = "X'; DROP TABLE organizations; --\u{0}";
    let kind = ten_thousand("type\";");
    store
        .set_overrides(
            2,
            Some(&Override::Set(country.to_string())),
            Some(&Override::Set(kind.clone())),
        )
        .unwrap();
    let org = store.org(2).unwrap().unwrap();
    assert_eq!(org.country.as_deref(), Some(country));
    assert_eq!(org.org_type.as_deref(), Some(kind.as_str()));

    store
        .judge(
            HOSTILE[1],
            nul,
            undersigned::store::judge::Verdict::Different,
            Some(&long),
        )
        .unwrap();
    let j = store.judgements().unwrap();
    assert_eq!(j.different.len(), 1);
    // Both names belong to organization 1, which `check` now reports.
    let problems = store.check().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].to_string().contains("judged different"));
    // Every table is still there and holds what it held.
    assert_eq!(store.letters().unwrap().len(), 1);
    assert_eq!(store.signatures(1).unwrap().len(), 2);
}
