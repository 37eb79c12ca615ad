//! Helpers for scoring a whole registry: a fast hasher for the index's
//! maps (keys are our own folded names, so no hash flooding to defend
//! against; SipHash was a tenth of the time), and an ordered parallel map
//! over the CPUs.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// The multiply-rotate hash rustc uses for its own tables (FxHash).
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
pub type FastSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

/// The threads to score with: the CPUs this process may use.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `f` over `0..n` on every CPU, each thread taking chunks in turn;
/// the results come back in order. `tick` is told each finished item.
pub fn par_map<T: Send>(
    n: usize,
    f: impl Fn(usize) -> T + Sync,
    tick: &(dyn Fn(u64) + Sync),
) -> Vec<T> {
    // Chunks small enough to share out a short list (a few files), large
    // enough that taking one costs nothing beside its work.
    let cpus = threads();
    let chunk = (n / (cpus * 8)).clamp(1, 1024);
    let threads = cpus.min(n.div_ceil(chunk));
    if threads <= 1 {
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            out.push(f(i));
            if i % chunk == chunk - 1 {
                tick(chunk as u64);
            }
        }
        tick((n % chunk) as u64);
        return out;
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut parts: Vec<(usize, Vec<T>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let start = next.fetch_add(chunk, std::sync::atomic::Ordering::Relaxed);
                        if start >= n {
                            break;
                        }
                        let end = (start + chunk).min(n);
                        mine.push((start, (start..end).map(&f).collect::<Vec<T>>()));
                        tick((end - start) as u64);
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    parts.sort_by_key(|(start, _)| *start);
    let mut out = Vec::with_capacity(n);
    for (_, p) in parts {
        out.extend(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn par_map_keeps_order() {
        let v = par_map(10_000, |i| i * 2, &|_| {});
        assert_eq!(v.len(), 10_000);
        assert!(v.iter().enumerate().all(|(i, x)| *x == i * 2));
        assert!(par_map(0, |i| i, &|_| {}).is_empty());
    }

    #[test]
    fn fast_map_works_as_a_map() {
        let mut m: FastMap<String, u32> = FastMap::default();
        for i in 0..1000 {
            m.insert(format!("k{i}"), i);
        }
        assert_eq!(m.get("k500"), Some(&500));
        assert_eq!(m.len(), 1000);
    }
}
