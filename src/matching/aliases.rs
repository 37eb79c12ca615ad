//! The bundled multilingual alias table (`data/aliases.csv`): published
//! names of well-known international and regional organizations in
//! English, French, Spanish and Arabic, each mapped to one canonical
//! name. Users extend it per registry with `undersigned alias add`.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::normalize::name_key;

const ALIASES: &str = include_str!("../../data/aliases.csv");

/// Rows of the table: (canonical, name). Canonical names hold no comma;
/// a name may, quoted, so the language is split off the end.
fn rows() -> impl Iterator<Item = (&'static str, &'static str)> {
    ALIASES.lines().skip(1).filter_map(|l| {
        let (c, rest) = l.split_once(',')?;
        let (n, _) = rest.rsplit_once(',')?;
        Some((c, n.trim_matches('"')))
    })
}

/// Name key -> canonical name. Rows that share a name are one
/// organization even when they spell its canonical name differently.
fn table() -> &'static HashMap<String, &'static str> {
    static T: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    T.get_or_init(|| {
        let mut parent: HashMap<String, String> = HashMap::new();
        fn find(p: &mut HashMap<String, String>, k: &str) -> String {
            let mut r = k.to_string();
            while let Some(next) = p.get(&r).filter(|n| **n != r) {
                r = next.clone();
            }
            r
        }
        let mut display: HashMap<String, &'static str> = HashMap::new();
        for (c, n) in rows() {
            let (kc, kn) = (name_key(c), name_key(n));
            parent.entry(kc.clone()).or_insert_with(|| kc.clone());
            parent.entry(kn.clone()).or_insert_with(|| kn.clone());
            display.entry(kc.clone()).or_insert(c);
            let (rc, rn) = (find(&mut parent, &kc), find(&mut parent, &kn));
            if rc != rn {
                parent.insert(rn, rc);
            }
        }
        let keys: Vec<String> = parent.keys().cloned().collect();
        let mut m = HashMap::new();
        for k in keys {
            let root = find(&mut parent, &k);
            if let Some(d) = display.get(&root) {
                m.insert(k, *d);
            }
        }
        m
    })
}

/// The canonical name the table gives a name key, if it lists it.
pub fn canonical(key: &str) -> Option<&'static str> {
    table().get(key).copied()
}

/// Every (name, canonical) pair of the table, for tests and `alias list`.
pub fn entries() -> impl Iterator<Item = (&'static str, &'static str)> {
    rows().map(|(c, n)| (n, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_across_languages_share_a_canonical() {
        let k = |s: &str| canonical(&name_key(s));
        assert_eq!(k("منظمة العفو الدولية"), Some("Amnesty International"));
        assert_eq!(k("هيومن رايتس ووتش"), Some("Human Rights Watch"));
        assert_eq!(
            k("الفدرالية الدولية لحقوق الإنسان"),
            Some("International Federation for Human Rights")
        );
        assert_eq!(k("FIDH"), Some("International Federation for Human Rights"));
        assert_eq!(k("Karen Youth"), None);
        assert!(entries().count() > 100);
    }
}
