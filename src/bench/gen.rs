//! The synthetic registry for the scale benchmarks: organization names
//! built the way real ones are (places, causes, kinds of body, invented
//! brand words, ethnic communities, national sections), each printed in
//! the variants real letters print (acronyms, typos, quotes, "The", case,
//! notes, sections, legal forms), look-alike organizations that must stay
//! apart, and letters drawn with coalition structure: a few organizations
//! sign often, most rarely, and a letter's signers come mostly from one
//! coalition. Letters are plain-text files the importer reads; the gold
//! clusters (every printed form with its organization) go to `gold.csv`.

use std::collections::{HashMap, HashSet};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::rng::Rng;
use crate::data::{rows, CITIES, COUNTRIES};
use crate::normalize::name_key;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Organizations in the main letters (each signs at least once).
    pub orgs: usize,
    pub letters: usize,
    /// Signatures over the main letters, in total.
    pub signatures: usize,
    /// Extra letters of `held_out_size` signers each, written apart, for
    /// timing one letter into the full registry: most signers known, a
    /// share (`new_share`) organizations no main letter has.
    pub held_out: usize,
    pub held_out_size: usize,
    pub seed: u64,
}

impl Config {
    /// The full-size benchmark: 1M organizations, 10k letters, 10M signatures.
    pub fn full() -> Config {
        Config {
            orgs: 1_000_000,
            letters: 10_000,
            signatures: 10_000_000,
            held_out: 3,
            held_out_size: 1_000,
            seed: 1,
        }
    }

    /// The size the README's one-liner runs: the same shape, a hundredth.
    pub fn small() -> Config {
        Config {
            orgs: 10_000,
            letters: 100,
            signatures: 100_000,
            held_out: 3,
            held_out_size: 1_000,
            seed: 1,
        }
    }

    /// The share of new organizations among signers, over the main letters.
    pub fn new_share(&self) -> f64 {
        self.orgs as f64 / self.signatures.max(1) as f64
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub orgs: usize,
    pub letters: usize,
    pub signatures: usize,
    /// Distinct printed forms (rows of gold.csv).
    pub forms: usize,
    pub held_out_letters: Vec<PathBuf>,
    pub held_out_new: usize,
    /// Organizations made as look-alikes of another (different clusters).
    pub look_alikes: usize,
}

/// How a printed form differs from the canonical name.
const VARIANTS: &[&str] = &[
    "canonical",
    "case",
    "the",
    "quotes",
    "ampersand",
    "punctuation",
    "acronym",
    "bare_acronym",
    "typo",
    "note",
    "section",
    "legal_form",
];

const TOPICS: &[&str] = &[
    "Human Rights",
    "Women's Rights",
    "Land Rights",
    "Climate Justice",
    "Press Freedom",
    "Digital Rights",
    "Refugee Rights",
    "Children's Rights",
    "Labour Rights",
    "Environmental Justice",
    "Peace",
    "Democracy",
    "Health",
    "Education",
    "Clean Water",
    "Forests",
    "Indigenous Peoples",
    "Migrant Workers",
    "Food Sovereignty",
    "Housing",
    "Disability Rights",
    "LGBTI Equality",
    "Fisheries",
    "Transparency",
    "Accountability",
    "Development",
    "Social Justice",
    "Civil Liberties",
    "Free Expression",
    "Legal Aid",
    "Mine Action",
    "Rule of Law",
    "Free Elections",
    "Good Governance",
    "Rural Development",
    "Gender Equality",
    "Reproductive Health",
    "Humanitarian Aid",
    "Conflict Resolution",
    "Transitional Justice",
    "Torture Prevention",
    "Media Freedom",
    "Open Data",
    "Renewable Energy",
    "Ocean Conservation",
    "Wildlife Protection",
    "Trade Justice",
    "Tax Justice",
    "Debt Relief",
    "Corporate Accountability",
    "Civic Space",
    "Internet Freedom",
    "Privacy",
    "Literacy",
    "Nutrition",
    "Sanitation",
    "Peace and Security",
    "Justice and Peace",
    "Arts and Culture",
    "Science and Technology",
];

const KINDS: &[&str] = &[
    "Network",
    "Coalition",
    "Alliance",
    "Foundation",
    "Association",
    "Centre",
    "Center",
    "Institute",
    "Council",
    "Committee",
    "Forum",
    "Union",
    "League",
    "Society",
    "Collective",
    "Initiative",
    "Project",
    "Movement",
    "Trust",
    "Fund",
    "Watch",
    "Action",
    "Campaign",
    "Federation",
    "Platform",
    "Observatory",
    "Clinic",
    "Partnership",
    "Consortium",
    "Group",
];

const QUALIFIERS: &[&str] = &[
    "National",
    "Regional",
    "International",
    "Global",
    "Youth",
    "Women's",
    "Indigenous",
    "Community",
    "People's",
    "Independent",
    "Citizens'",
    "Grassroots",
    "Popular",
    "Rural",
    "Urban",
    "Student",
    "Workers'",
    "Catholic",
    "Islamic",
    "Lutheran",
    "Feminist",
    "Progressive",
    "United",
    "Free",
    "Open",
];

const COMMUNITY_WORDS: &[&str] = &[
    "Community",
    "Youth Organization",
    "Women's Organization",
    "Association",
    "Cultural Society",
    "Students Union",
];

const ETHNIC: &[&str] = &[
    "Karen", "Karenni", "Kachin", "Chin", "Shan", "Mon", "Rohingya", "Uyghur", "Tamil", "Kurdish",
    "Hmong", "Somali", "Oromo", "Amhara", "Tigrayan", "Baloch", "Sindhi", "Pashtun", "Hazara",
    "Yazidi", "Assyrian", "Armenian", "Tibetan", "Naga", "Mizo", "Zomi", "Ewe", "Yoruba", "Igbo",
    "Maasai",
];

const ONSETS: &[&str] = &[
    "b", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br",
    "dr", "kh", "tr", "sh", "th", "ny",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "a", "o", "ai", "ou"];
const CODAS: &[&str] = &["", "", "", "n", "r", "l", "s", "m", "k"];

const STOP: &[&str] = &["of", "for", "in", "and", "the", "on", "to", "a"];

/// Places names are made of: countries (with ISO codes) and cities.
struct Places {
    countries: Vec<(&'static str, &'static str)>,
    cities: Vec<(&'static str, &'static str)>,
}

fn simple(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphabetic() || c == ' ')
        && s.split(' ').count() <= 2
        && s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

fn places() -> Places {
    let mut countries = Vec::new();
    let mut seen = HashSet::new();
    for r in rows(COUNTRIES) {
        if let [code, name, kind] = r[..] {
            if kind == "common" && simple(name) && seen.insert(code) {
                countries.push((name, code));
            }
        }
    }
    let mut cities = Vec::new();
    let mut seen = HashSet::new();
    for r in rows(CITIES) {
        if let [name, cc, pop, ..] = r[..] {
            let big = pop.parse::<u64>().is_ok_and(|p| p >= 150_000);
            if big && simple(name) && crate::data::country_code(name).is_none() && seen.insert(name)
            {
                cities.push((name, cc));
            }
        }
    }
    Places { countries, cities }
}

/// One generated organization.
struct Org {
    name: String,
    acronym: Option<String>,
    country: &'static str,
    /// Printed forms besides the canonical name, with their variant kind.
    variants: Vec<(String, &'static str)>,
    weight: f64,
}

/// Builds names, keeping every organization's words distinct from every
/// other's (two bodies with the same words are one, for anyone).
struct Namer {
    rng: Rng,
    places: Places,
    /// Fingerprints (sorted folded words) and keys of every form made.
    fingerprints: HashSet<String>,
    keys: HashSet<String>,
    /// Acronym -> how many organizations have it.
    acronyms: HashMap<String, usize>,
    look_alikes: usize,
}

/// Two organizations are made only when their names differ in a word
/// that counts: not only in small words, word order, legal forms, or the
/// spelling of "Centre"/"Center" (the matcher's own fingerprint, with that
/// one spelling folded). Names no reader could tell apart would make gold
/// clusters that measure nothing.
fn fingerprint(name: &str) -> String {
    let info = crate::matching::keys::NameInfo::new(name, None, None);
    info.fingerprint
        .split(' ')
        .map(|w| if w == "center" { "centre" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl Namer {
    fn brand(&mut self) -> String {
        let n = 2 + usize::from(self.rng.chance(0.45));
        let mut s = String::new();
        for _ in 0..n {
            s.push_str(self.rng.pick::<&str>(ONSETS));
            s.push_str(self.rng.pick::<&str>(VOWELS));
        }
        s.push_str(self.rng.pick::<&str>(CODAS));
        capitalize(&s)
    }

    fn country(&mut self) -> (&'static str, &'static str) {
        *self.rng.pick(&self.places.countries)
    }

    fn city(&mut self) -> (&'static str, &'static str) {
        *self.rng.pick(&self.places.cities)
    }

    fn country_name(&self, code: &str) -> &'static str {
        self.places
            .countries
            .iter()
            .find(|(_, c)| *c == code)
            .map_or("", |(n, _)| n)
    }

    /// A fresh canonical name and the country it is based in.
    fn fresh(&mut self) -> (String, &'static str, bool) {
        let topic = *self.rng.pick(TOPICS);
        let kind = *self.rng.pick(KINDS);
        let qual = *self.rng.pick(QUALIFIERS);
        let r = self.rng.below(100);
        let (name, cc) = match r {
            0..=9 => {
                let (c, cc) = self.country();
                (format!("{c} {topic} {kind}"), cc)
            }
            10..=19 => {
                let (city, cc) = self.city();
                (format!("{qual} {topic} {kind} of {city}"), cc)
            }
            20..=26 => {
                let (c, cc) = self.country();
                (format!("{kind} for {topic} in {c}"), cc)
            }
            27..=31 => (self.brand(), self.country().1),
            32..=46 => (format!("{} {kind}", self.brand()), self.country().1),
            47..=58 => (
                format!("{} {kind} for {topic}", self.brand()),
                self.country().1,
            ),
            59..=63 => {
                let (city, cc) = self.city();
                let e = *self.rng.pick(ETHNIC);
                let w = *self.rng.pick(COMMUNITY_WORDS);
                (format!("{e} {w} of {city}"), cc)
            }
            64..=73 => (format!("{} {topic}", self.brand()), self.country().1),
            74..=88 => {
                let (city, cc) = self.city();
                (format!("{city} {topic} {kind}"), cc)
            }
            89..=93 => {
                let (c, cc) = self.country();
                (format!("{topic} {kind} {c}"), cc)
            }
            _ => (format!("{} International", self.brand()), self.country().1),
        };
        (name, cc, false)
    }

    /// A different organization whose name is close to `base`'s: its
    /// national section, a longer word ("Karen"/"Karenni"), another city.
    fn look_alike(&mut self, base: &Org) -> Option<(String, &'static str, bool)> {
        let words: Vec<&str> = base.name.split(' ').collect();
        match self.rng.below(3) {
            0 => {
                let (c, cc) = self.country();
                if base.name.contains(c) {
                    return None;
                }
                Some((format!("{} {c}", base.name), cc, true))
            }
            1 => {
                let i = words
                    .iter()
                    .position(|w| w.len() >= 4 && !STOP.contains(&w.to_lowercase().as_str()))?;
                let ext = *self.rng.pick(&["ni", "a", "an", "ia", "o"]);
                let mut w: Vec<String> = words.iter().map(|s| s.to_string()).collect();
                w[i].push_str(ext);
                Some((w.join(" "), base.country, false))
            }
            _ => {
                let (city, cc) = self.city();
                let (old, _) = self
                    .places
                    .cities
                    .iter()
                    .find(|(c, _)| base.name.ends_with(&format!(" of {c}")))?;
                let name = format!("{}{city}", &base.name[..base.name.len() - old.len()]);
                Some((name, cc, false))
            }
        }
    }

    fn unique(&mut self, name: &str) -> bool {
        let fp = fingerprint(name);
        let key = name_key(name);
        if fp.is_empty() || self.fingerprints.contains(&fp) || self.keys.contains(&key) {
            return false;
        }
        self.fingerprints.insert(fp);
        self.keys.insert(key);
        true
    }

    /// A form of an organization that no other organization prints.
    fn form_ok(&mut self, form: &str, own_key: &str) -> bool {
        let key = name_key(form);
        if key == own_key {
            return true;
        }
        self.keys.insert(key)
    }

    fn org(&mut self, orgs: &[Org]) -> Org {
        loop {
            let derived = if !orgs.is_empty() && self.rng.chance(0.05) {
                let base = &orgs[self.rng.below(orgs.len())];
                self.look_alike(base)
            } else {
                None
            };
            let is_look_alike = derived.is_some();
            let (name, cc, section) = match derived {
                Some(d) => d,
                None => self.fresh(),
            };
            if !self.unique(&name) {
                continue;
            }
            self.look_alikes += usize::from(is_look_alike);
            return self.dress(name, cc, section);
        }
    }

    /// The acronym and printed variants of a new organization.
    fn dress(&mut self, name: String, cc: &'static str, section: bool) -> Org {
        let key = name_key(&name);
        let content: Vec<&str> = name
            .split(' ')
            .filter(|w| !STOP.contains(&w.to_lowercase().as_str()))
            .collect();
        let acronym = (content.len() >= 3 && self.rng.chance(0.35)).then(|| {
            content
                .iter()
                .filter_map(|w| w.chars().next())
                .collect::<String>()
                .to_uppercase()
        });
        if let Some(a) = &acronym {
            *self.acronyms.entry(a.clone()).or_default() += 1;
        }
        let mut variants: Vec<(String, &'static str)> = Vec::new();
        let mut add = |namer: &mut Namer, form: String, kind: &'static str| {
            if form != name && namer.form_ok(&form, &key) {
                variants.push((form, kind));
            }
        };
        let words = name.split(' ').count();
        if words >= 2 && self.rng.chance(0.3) {
            add(self, name.to_uppercase(), "case");
        }
        if !name.starts_with("The ") && self.rng.chance(0.3) {
            add(self, format!("The {name}"), "the");
        }
        if name.contains('\'') && self.rng.chance(0.5) {
            add(self, name.replace('\'', "\u{2019}"), "quotes");
        } else if words == 2 && self.rng.chance(0.1) {
            let (a, b) = name.split_once(' ').unwrap_or((&name, ""));
            add(self, format!("\u{201C}{a}\u{201D} {b}"), "quotes");
        }
        if name.contains(" and ") && self.rng.chance(0.5) {
            add(self, name.replace(" and ", " & "), "ampersand");
        }
        if self.rng.chance(0.15) {
            add(self, format!("{name}."), "punctuation");
        }
        if let Some(a) = &acronym {
            if self.rng.chance(0.8) {
                add(self, format!("{name} ({a})"), "acronym");
            }
            if self.rng.chance(0.3) {
                add(self, format!("{name} \u{2013} {a}"), "acronym");
            }
            if self.rng.chance(0.15) && a.len() >= 3 {
                add(self, a.clone(), "bare_acronym");
            }
        }
        if self.rng.chance(0.35) {
            if let Some(t) = self.typo(&name) {
                add(self, t, "typo");
            }
        }
        let country_name = self.country_name(cc);
        if !country_name.is_empty() && !name.contains(country_name) && self.rng.chance(0.3) {
            add(self, format!("{name} ({country_name})"), "note");
        }
        if section && self.rng.chance(0.5) {
            add(self, format!("{name} Section"), "section");
        }
        if words <= 3 && self.rng.chance(0.08) {
            let form = *self.rng.pick(&["Inc.", "e.V.", "Ltd"]);
            add(self, format!("{name} {form}"), "legal_form");
        }
        // A few bodies sign very often, most rarely (Pareto, alpha 1.3).
        let weight = (1.0 - self.rng.f64()).powf(-1.0 / 1.3).min(2_000.0);
        Org {
            name,
            acronym,
            country: cc,
            variants,
            weight,
        }
    }

    /// One typing error in a word of six letters or more (never its first
    /// letter): a swap, a missing, doubled or wrong letter.
    fn typo(&mut self, name: &str) -> Option<String> {
        let words: Vec<&str> = name.split(' ').collect();
        let long: Vec<usize> = (0..words.len())
            .filter(|&i| words[i].len() >= 6 && words[i].chars().all(|c| c.is_ascii_alphabetic()))
            .collect();
        if long.is_empty() {
            return None;
        }
        let i = *self.rng.pick(&long);
        let mut w: Vec<char> = words[i].chars().collect();
        let p = 1 + self.rng.below(w.len() - 2);
        match self.rng.below(4) {
            0 => {
                if w[p] == w[p + 1] {
                    return None;
                }
                w.swap(p, p + 1)
            }
            1 => {
                w.remove(p);
            }
            2 => w.insert(p, w[p]),
            _ => {
                let c = (b'a' + self.rng.below(26) as u8) as char;
                if c == w[p] {
                    return None;
                }
                w[p] = c;
            }
        }
        let mut out: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        out[i] = w.into_iter().collect();
        Some(out.join(" "))
    }
}

/// Weighted sampling from a growing prefix of organizations.
#[derive(Default)]
struct Pool {
    ids: Vec<u32>,
    cum: Vec<f64>,
}

impl Pool {
    fn push(&mut self, id: u32, w: f64) {
        let last = self.cum.last().copied().unwrap_or(0.0);
        self.ids.push(id);
        self.cum.push(last + w);
    }

    fn sample(&self, rng: &mut Rng) -> Option<u32> {
        let total = *self.cum.last()?;
        let x = rng.f64() * total;
        let i = self
            .cum
            .partition_point(|&c| c <= x)
            .min(self.ids.len() - 1);
        Some(self.ids[i])
    }
}

/// Letter sizes between 10 and 2,000 signers summing to `total`: many
/// short letters and some long ones (a power law fitted to the mean).
fn letter_sizes(rng: &mut Rng, letters: usize, total: usize) -> Vec<usize> {
    let (lo, hi) = (10.0, 2_000.0);
    let mean = (total as f64 / letters.max(1) as f64).clamp(lo, hi);
    let p = ((hi - lo) / (mean - lo).max(1.0) - 1.0).max(0.05);
    let mut sizes: Vec<usize> = (0..letters)
        .map(|_| (lo + (hi - lo) * rng.f64().powf(p)).round() as usize)
        .collect();
    // Nudge towards the exact total, within the bounds.
    let mut sum: usize = sizes.iter().sum();
    let mut i = 0;
    while sum != total && letters > 0 {
        let k = i % letters;
        if sum < total && sizes[k] < hi as usize {
            sizes[k] += 1;
            sum += 1;
        } else if sum > total && sizes[k] > lo as usize {
            sizes[k] -= 1;
            sum -= 1;
        }
        i += 1;
        if i > 4 * total + letters {
            break;
        }
    }
    sizes
}

/// A printed form of an organization for one signature: mostly its
/// canonical name, else one of its variants.
fn printed<'a>(rng: &mut Rng, org: &'a Org) -> (&'a str, &'static str) {
    if org.variants.is_empty() || rng.chance(0.7) {
        (&org.name, "canonical")
    } else {
        let (f, k) = rng.pick(&org.variants);
        (f, k)
    }
}

fn date_of(i: usize, n: usize) -> String {
    // Ten years of letters, in order.
    let day = (i as f64 / n.max(1) as f64 * 3_650.0) as i64;
    let (mut y, mut d) = (2015, day);
    loop {
        let len = if y % 4 == 0 { 366 } else { 365 };
        if d < len {
            break;
        }
        d -= len;
        y += 1;
    }
    let months = [
        31,
        if y % 4 == 0 { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut m = 0;
    while d >= months[m] {
        d -= months[m];
        m += 1;
    }
    format!("{y}-{:02}-{:02}", m + 1, d + 1)
}

fn write_letter(path: &Path, title: &str, date: &str, entries: &[&str]) -> std::io::Result<()> {
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    writeln!(w, "{title}\n\n{date}\n")?;
    writeln!(
        w,
        "We, the undersigned {} organizations, call on governments to act now.\n\nSigned by:\n",
        entries.len()
    )?;
    for (i, e) in entries.iter().enumerate() {
        writeln!(w, "{}. {e}", i + 1)?;
    }
    w.flush()
}

/// Writes the letters, the held-out letters and `gold.csv` under `dir`;
/// `tick` is told each letter written.
pub fn generate(cfg: &Config, dir: &Path, tick: &mut dyn FnMut()) -> std::io::Result<Summary> {
    let mut rng = Rng::new(cfg.seed);
    let mut namer = Namer {
        rng: Rng::new(cfg.seed.wrapping_add(1)),
        places: places(),
        fingerprints: HashSet::new(),
        keys: HashSet::new(),
        acronyms: HashMap::new(),
        look_alikes: 0,
    };
    let extra = (cfg.held_out * cfg.held_out_size) / 10 + 1;
    let mut orgs: Vec<Org> = Vec::with_capacity(cfg.orgs + extra);
    for _ in 0..cfg.orgs + extra {
        let o = namer.org(&orgs);
        orgs.push(o);
    }
    // Bare acronyms only for acronyms no other organization has.
    for o in &mut orgs {
        if let Some(a) = &o.acronym {
            if namer.acronyms.get(a).copied().unwrap_or(0) > 1 {
                o.variants.retain(|(_, k)| *k != "bare_acronym");
            }
        }
    }

    let letters_dir = dir.join("letters");
    let held_dir = dir.join("held_out");
    std::fs::create_dir_all(&letters_dir)?;
    std::fs::create_dir_all(&held_dir)?;
    let coalitions = (cfg.orgs / 500).max(10);
    let mut pools: Vec<Pool> = (0..coalitions).map(|_| Pool::default()).collect();
    let mut all = Pool::default();
    // Some coalitions write far more letters than others.
    let mut coalition_weights = Pool::default();
    for c in 0..coalitions {
        coalition_weights.push(c as u32, (1.0 - rng.f64()).powf(-1.0 / 1.5).min(100.0));
    }
    let mut gold: HashMap<(String, u32), &'static str> = HashMap::new();
    let sizes = letter_sizes(&mut rng, cfg.letters, cfg.signatures);
    let mut next_new = 0usize;
    let mut signatures = 0usize;
    let mut chosen: HashSet<u32> = HashSet::new();
    let total: usize = sizes.iter().sum();
    let mut running = 0usize;
    for (li, &size) in sizes.iter().enumerate() {
        running += size;
        let left_orgs = cfg.orgs - next_new;
        // New organizations arrive steadily (the share of the signatures so
        // far), every one signs by the end, and the first letters are new
        // signers only until enough are known to draw from.
        let due = (cfg.orgs as f64 * running as f64 / total.max(1) as f64).round() as usize;
        let mut new = due.saturating_sub(next_new).min(size);
        if li + 1 == sizes.len() {
            new = left_orgs.min(size);
        }
        new = new.max(size.saturating_sub(all.ids.len())).min(left_orgs);
        let c = coalition_weights.sample(&mut rng).unwrap_or(0) as usize;
        chosen.clear();
        let mut ids: Vec<u32> = Vec::with_capacity(size);
        for _ in 0..new {
            let id = next_new as u32;
            next_new += 1;
            chosen.insert(id);
            ids.push(id);
        }
        let mut tries = 0;
        while ids.len() < size && tries < size * 20 {
            tries += 1;
            let pool = if rng.chance(0.7) && !pools[c].ids.is_empty() {
                &pools[c]
            } else {
                &all
            };
            if let Some(id) = pool.sample(&mut rng) {
                if chosen.insert(id) {
                    ids.push(id);
                }
            }
        }
        // The new ones join this letter's coalition.
        for &id in &ids[..new] {
            let w = orgs[id as usize].weight;
            pools[c].push(id, w);
            all.push(id, w);
        }
        // Signers in no particular order, as letters list them.
        for i in (1..ids.len()).rev() {
            let j = rng.below(i + 1);
            ids.swap(i, j);
        }
        let mut entries = Vec::with_capacity(ids.len());
        for &id in &ids {
            let (form, kind) = printed(&mut rng, &orgs[id as usize]);
            gold.entry((form.to_string(), id)).or_insert(kind);
            entries.push(form);
        }
        signatures += entries.len();
        let topic = *rng.pick(TOPICS);
        let title = format!("Joint letter {}: {topic} cannot wait", li + 1);
        write_letter(
            &letters_dir.join(format!("{:06}.txt", li + 1)),
            &title,
            &date_of(li, cfg.letters),
            &entries,
        )?;
        tick();
    }

    // Held-out letters: known signers by activity, a tenth never seen.
    let mut held = Vec::new();
    let mut held_new = 0;
    let mut spare = cfg.orgs..orgs.len();
    for h in 0..cfg.held_out {
        chosen.clear();
        let mut ids = Vec::new();
        let new = cfg.held_out_size / 10;
        for _ in 0..new {
            if let Some(id) = spare.next() {
                ids.push(id as u32);
                chosen.insert(id as u32);
                held_new += 1;
            }
        }
        let mut tries = 0;
        while ids.len() < cfg.held_out_size && tries < cfg.held_out_size * 50 {
            tries += 1;
            if let Some(id) = all.sample(&mut rng) {
                if chosen.insert(id) {
                    ids.push(id);
                }
            }
        }
        for i in (1..ids.len()).rev() {
            let j = rng.below(i + 1);
            ids.swap(i, j);
        }
        let entries: Vec<&str> = ids
            .iter()
            .map(|&id| {
                let (form, kind) = printed(&mut rng, &orgs[id as usize]);
                gold.entry((form.to_string(), id)).or_insert(kind);
                form
            })
            .collect();
        let path = held_dir.join(format!("held-{}.txt", h + 1));
        write_letter(
            &path,
            &format!("Held-out letter {}", h + 1),
            "2025-06-01",
            &entries,
        )?;
        held.push(path);
    }

    // By organization, then name: the map's own order changes from run to
    // run, and a reader that numbers the names in file order (`eval`)
    // must see the same file for the same seed.
    let mut rows: Vec<(&(String, u32), &&str)> = gold.iter().collect();
    rows.sort_by(|((na, ia), _), ((nb, ib), _)| (ia, na).cmp(&(ib, nb)));
    let mut w = csv::Writer::from_path(dir.join("gold.csv"))?;
    w.write_record(["name", "cluster", "variant"])?;
    for ((name, id), kind) in &rows {
        debug_assert!(VARIANTS.contains(kind));
        w.write_record([name.as_str(), &format!("o{id}"), kind])?;
    }
    w.flush()?;
    Ok(Summary {
        orgs: next_new,
        letters: cfg.letters,
        signatures,
        forms: rows.len(),
        held_out_letters: held,
        held_out_new: held_new,
        look_alikes: namer.look_alikes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_stay_in_bounds_and_sum_to_the_total() {
        let mut rng = Rng::new(3);
        for (letters, total) in [(100, 100_000), (10, 5_000), (1_000, 200_000)] {
            let s = letter_sizes(&mut rng, letters, total);
            assert_eq!(s.len(), letters);
            assert!(s.iter().all(|&n| (10..=2_000).contains(&n)), "{s:?}");
            assert_eq!(s.iter().sum::<usize>(), total);
        }
    }

    /// The same seed writes the same files, gold.csv's row order included.
    #[test]
    fn the_same_seed_writes_the_same_files() {
        let cfg = Config {
            orgs: 300,
            letters: 6,
            signatures: 900,
            held_out: 1,
            held_out_size: 50,
            seed: 11,
        };
        let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
        for d in &dirs {
            generate(&cfg, d.path(), &mut || {}).unwrap();
        }
        let read = |i: usize, name: &str| std::fs::read(dirs[i].path().join(name)).unwrap();
        assert_eq!(read(0, "gold.csv"), read(1, "gold.csv"));
        let letters = std::fs::read_dir(dirs[0].path().join("letters")).unwrap();
        for e in letters {
            let name = format!("letters/{}", e.unwrap().file_name().to_string_lossy());
            assert_eq!(read(0, &name), read(1, &name), "{name}");
        }
    }

    #[test]
    fn dates_run_in_order() {
        assert_eq!(date_of(0, 10), "2015-01-01");
        assert!(date_of(9, 10) > date_of(8, 10));
        assert!(date_of(9, 10).starts_with("2023"));
    }

    #[test]
    fn typos_change_one_long_word() {
        let mut n = Namer {
            rng: Rng::new(5),
            places: places(),
            fingerprints: HashSet::new(),
            keys: HashSet::new(),
            acronyms: HashMap::new(),
            look_alikes: 0,
        };
        for _ in 0..50 {
            if let Some(t) = n.typo("Karenni Community of Arkansas") {
                assert_ne!(t, "Karenni Community of Arkansas");
                assert!(t.starts_with('K'));
                assert_eq!(t.split(' ').count(), 4);
            }
        }
        assert!(n.typo("Al Haq").is_none());
    }
}
