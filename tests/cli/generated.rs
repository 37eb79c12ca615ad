//! Letters written by the tests themselves, from a seeded generator, for
//! the crash and concurrency tests: many distinct letters whose signer
//! counts are known, sharing organizations so imports match known names.

use std::path::{Path, PathBuf};

/// A small seeded generator (SplitMix64): the same seed gives the same
/// letters and the same kill delays on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo).max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as u64) as usize]
    }
}

const PLACES: &[&str] = &[
    "Northfield",
    "Riverbend",
    "Lakeside",
    "Hillcrest",
    "Westmoor",
    "Eastvale",
    "Stonebridge",
    "Greenhollow",
    "Ashford",
    "Bramblewood",
    "Clearwater",
    "Duskridge",
    "Fernbrook",
    "Goldmeadow",
    "Highcliff",
];

const FOCUS: &[&str] = &[
    "Youth",
    "Women's",
    "Farmers'",
    "Teachers'",
    "Health",
    "Water",
    "Housing",
    "Tenants'",
    "Fishers'",
    "Artists'",
    "Forest",
    "Disability",
];

const TYPES: &[&str] = &[
    "Network",
    "Association",
    "Coalition",
    "Alliance",
    "Collective",
    "Union",
    "Foundation",
    "Council",
    "Forum",
    "Society",
];

const TOPICS: &[&str] = &[
    "protect the river from the new dam",
    "fund public transport in the valley",
    "stop the eviction of market traders",
    "keep the clinics open at night",
    "publish the water quality reports",
    "free the detained journalists",
];

/// One letter written to disk, with the number of signers it lists.
pub struct GenLetter {
    pub path: PathBuf,
    pub signers: usize,
}

/// Writes `n` letters into `dir`, each listing between `min` and `max`
/// signers (one per line under "Signed by:"), drawn from a shared pool of
/// organization names.
pub fn write_letters(dir: &Path, n: usize, min: u64, max: u64, seed: u64) -> Vec<GenLetter> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let count = rng.range(min, max + 1) as usize;
        let mut names: Vec<String> = Vec::with_capacity(count);
        while names.len() < count {
            let name = format!(
                "{} {} {}",
                rng.pick(PLACES),
                rng.pick(FOCUS),
                rng.pick(TYPES)
            );
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let topic = rng.pick(TOPICS);
        let mut text = format!(
            "Joint letter {i}: {topic}\n\n\
             We, the undersigned {count} organizations, call on the regional council to {topic}.\n\n\
             Signed by:\n\n"
        );
        for name in &names {
            text.push_str(name);
            text.push('\n');
        }
        let path = dir.join(format!("letter-{i:03}.txt"));
        std::fs::write(&path, text).expect("write a generated letter");
        out.push(GenLetter {
            path,
            signers: count,
        });
    }
    out
}

/// Reads a registry through the library and asserts it is sound: `check`
/// finds nothing, no letter is there twice, and every letter present is
/// whole (holds exactly the signers its text lists). Returns the sources
/// of the letters present.
pub fn assert_whole(db: &Path, letters: &[GenLetter]) -> Vec<String> {
    let store = undersigned::store::Store::open(db).expect("open the registry");
    let problems = store.check().expect("check");
    assert!(
        problems.is_empty(),
        "check found: {}",
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    let rows = store.letters().expect("letters");
    let mut sources = Vec::new();
    for row in rows {
        let expected = letters
            .iter()
            .find(|l| l.path.to_string_lossy() == row.source)
            .unwrap_or_else(|| panic!("unknown letter source {}", row.source));
        let sigs = store.signatures(row.letter_id).expect("signatures");
        assert_eq!(
            sigs.len(),
            expected.signers,
            "letter {} from {} is not whole",
            row.letter_id,
            row.source
        );
        assert_eq!(row.signatory_count as usize, expected.signers);
        assert!(
            !sources.contains(&row.source),
            "{} imported twice",
            row.source
        );
        sources.push(row.source);
    }
    sources
}

#[test]
fn generated_letters_parse_to_the_signers_they_list() {
    let dir = tempfile::tempdir().unwrap();
    for l in write_letters(dir.path(), 20, 5, 80, 7) {
        let bytes = std::fs::read(&l.path).unwrap();
        let doc = undersigned::parse::parse_bytes(&bytes, undersigned::parse::Options::default())
            .unwrap();
        assert_eq!(doc.letters.len(), 1);
        assert_eq!(
            doc.letters[0].signatories.len(),
            l.signers,
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        assert_eq!(doc.letters[0].claimed_count, Some(l.signers as u64));
    }
}
