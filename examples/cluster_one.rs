//! Developer aid: clusters the names given on the command line and prints
//! the clusters, merges and review pairs
//! (`cargo run --example cluster_one -- "APHR" "ASEAN Parliamentarians for Human Rights"`).

use undersigned::matching::cluster::{cluster, Judgements};
use undersigned::matching::eval::name_info;
use undersigned::matching::score::{compare, Stats};

fn main() {
    let names: Vec<String> = std::env::args().skip(1).collect();
    let infos: Vec<_> = names.iter().map(|n| name_info(n)).collect();
    let c = cluster(&infos, &Judgements::default());
    for (i, n) in names.iter().enumerate() {
        println!("{:>3} {n}", c.cluster_of[i]);
    }
    // Reasons under the final clusters' statistics.
    let stats = Stats::new(&infos, &c.cluster_of);
    for &(a, b, v) in &c.merged {
        let s = compare(&infos[a], &infos[b], &stats);
        println!(
            "merged {} ~ {}: {v:.2} {}",
            names[a],
            names[b],
            s.reasons.join("; ")
        );
    }
    for (a, b, s) in &c.review {
        println!(
            "review {} ~ {}: {:.2} {}",
            names[*a],
            names[*b],
            s.value,
            s.reasons.join("; ")
        );
    }
}
