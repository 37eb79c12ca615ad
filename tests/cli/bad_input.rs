//! Bad input gets a clear one-line error, exit code 2, and leaves the
//! registry byte for byte as it was.

use crate::{fixture, Env};

fn db_bytes(env: &Env) -> Vec<u8> {
    std::fs::read(env.path("undersigned.db")).unwrap()
}

/// Imports `name` holding `bytes` into a registry that already has one
/// letter, and checks the error and the registry.
fn refused(bytes: &[u8], expect: &str) {
    let env = Env::new();
    assert_eq!(env.run(&["import", &fixture("endorsed.md")]).code, 0);
    let before = db_bytes(&env);
    let path = env.path("input.txt");
    std::fs::write(&path, bytes).unwrap();
    let out = env.run(&["import", path.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(out.stderr.lines().count(), 1, "one line: {}", out.stderr);
    assert!(out.stderr.starts_with("undersigned: "), "{}", out.stderr);
    assert!(
        out.stderr.contains(expect),
        "expected {expect:?} in {}",
        out.stderr
    );
    assert_eq!(db_bytes(&env), before, "the registry changed");
    let letters = Env::csv_rows(&env.run(&["letters", "--format", "csv"]).stdout);
    assert_eq!(letters.len(), 1);
}

#[test]
fn empty_file() {
    refused(b"", "the input is empty");
}

#[test]
fn binary_file() {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend((0..2000u32).map(|i| (i * 31 % 251) as u8));
    refused(&b, "looks binary");
}

#[test]
fn bytes_in_no_known_encoding() {
    let b: Vec<u8> = (0..3000u32).map(|i| 0x80 + (i * 37 % 127) as u8).collect();
    refused(&b, "not valid text");
}

#[test]
fn huge_file_of_random_text() {
    // 50 MB of random words: over the size limit.
    let mut b = Vec::with_capacity(50 * 1024 * 1024);
    let mut x: u32 = 12345;
    while b.len() < 50 * 1024 * 1024 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        b.push(b"abcdefghij klmnopqrstuvwxyz\n"[(x >> 16) as usize % 28]);
    }
    refused(&b, "over the limit");
}

#[test]
fn html_with_no_list() {
    refused(
        b"<html><head><title>About us</title></head><body><nav><ul><li>Home</li></ul></nav><h1>About</h1><p>We are a coalition.</p><ul><li>Our history</li><li>Our team</li></ul></body></html>",
        "no signatory list found",
    );
}

#[test]
fn malformed_html() {
    refused(
        b"<html><body><div><p>Unclosed <b>tags <ul><li>item</div></table></body>",
        "no signatory list found",
    );
}

#[test]
fn news_article() {
    refused(
        &std::fs::read(crate::fixture_path("news_article.txt")).unwrap(),
        "no signatory list found",
    );
}

#[test]
fn arabic_news_article() {
    let text = "أعلنت وزارة الخارجية يوم الثلاثاء عن عقد اجتماع إقليمي لبحث الأزمة.\n\nوقال المتحدث إن المحادثات ستستمر الشهر المقبل، وإن عددا من المنظمات طالب بالتحرك.\n";
    refused(text.as_bytes(), "no signatory list found");
}

#[test]
fn a_bad_file_among_good_ones_stores_nothing() {
    let env = Env::new();
    assert_eq!(env.run(&["import", &fixture("endorsed.md")]).code, 0);
    let before = db_bytes(&env);
    let out = env.run(&[
        "import",
        &fixture("multi_statement.txt"),
        &fixture("news_article.txt"),
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("news_article.txt"),
        "names the file: {}",
        out.stderr
    );
    assert_eq!(db_bytes(&env), before);
}

#[test]
fn missing_file() {
    let env = Env::new();
    let out = env.run(&["import", "nope.txt"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with("undersigned: cannot open nope.txt"),
        "{}",
        out.stderr
    );
}

#[test]
fn html_nested_too_deep() {
    let mut b = b"<html><body>".to_vec();
    b.extend("<div>".repeat(1000).bytes());
    b.extend(b"<h2>Signed by:</h2><ul><li>Clear Water Alliance</li></ul>");
    refused(&b, "the HTML is nested");
    refused(&b, "levels deep, over the limit of 400");
}

#[test]
fn html_nested_below_the_limit_is_read() {
    let env = Env::new();
    let page = format!(
        "<html><body>{}<h2>Signed by:</h2><ul><li>Clear Water Alliance</li><li>Plain Farmers Union</li></ul>{}</body></html>",
        "<div>".repeat(380),
        "</div>".repeat(380)
    );
    let path = env.path("deep.html");
    std::fs::write(&path, page).unwrap();
    let out = env.run(&["import", path.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("imported 2 signatories"),
        "{}",
        out.stderr
    );
}

/// Standard input stops being read just past the limit, and says so.
#[test]
fn stdin_over_the_size_limit() {
    let env = Env::new();
    let mut b = b"Signed by:\n\n".to_vec();
    while b.len() <= 33 * 1024 * 1024 {
        b.extend_from_slice(b"Clear Water Alliance\n");
    }
    let out = env.run_with(&["import", "-"], &[], Some(&b));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "undersigned: -: the input is over the limit of 32 MiB (33554432 bytes)\n"
    );
    assert!(!env.path("undersigned.db").exists());
}
