//! Developer aid: lists the gold pairs of an evaluation file that the
//! matcher does not merge, with the score and reasons, and the blocking
//! misses (`cargo run --example match_debug -- tests/eval/matching_gold.csv`).

use undersigned::matching::cluster::{cluster, Judgements};
use undersigned::matching::eval::name_info;
use undersigned::matching::score::{compare, NoContext};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: match_debug GOLD.csv");
    let mut r = csv::Reader::from_path(path).expect("read");
    let rows: Vec<(String, String)> = r
        .records()
        .map(|x| x.unwrap())
        .map(|x| (x[0].to_string(), x[1].to_string()))
        .collect();
    let names: Vec<_> = rows.iter().map(|(n, _)| name_info(n)).collect();
    let c = cluster(&names, &Judgements::default());
    for i in 0..names.len() {
        for j in i + 1..names.len() {
            let same_gold = rows[i].1 == rows[j].1;
            let same_pred = c.cluster_of[i] == c.cluster_of[j];
            if same_gold != same_pred {
                let blocked = c.blocked_together(i, j);
                let s = compare(&names[i], &names[j], &NoContext);
                println!(
                    "{} | {} | {} | blocked={} | {:.2} {:?} | {}",
                    if same_gold { "MISS" } else { "FALSE" },
                    rows[i].0,
                    rows[j].0,
                    blocked,
                    s.value,
                    s.band,
                    s.reasons.join("; ")
                );
            }
        }
    }
}
