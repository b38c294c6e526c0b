//! Stage: model (evaluation). Seeded stratified k-fold assignment of training rows, and seeded
//! stratified samples.
//!
//! In: a stratum (primary code index) per row, k, a seed. Out: a fold number per row such that
//! each code is spread as evenly as possible over the folds, reproducibly; or the rows of a
//! sample that keeps every code's share.

use rand::{SeedableRng, seq::SliceRandom};
use rand_chacha::ChaCha8Rng;

/// Fold number (0..k) of each row. Rows of each stratum are shuffled with the seed and dealt
/// round-robin, continuing where the previous stratum stopped so fold sizes stay balanced.
pub fn stratified_folds(strata: &[usize], k: usize, seed: u64) -> Vec<usize> {
    let k = k.max(1);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n_strata = strata.iter().copied().max().map_or(0, |m| m + 1);
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); n_strata];
    for (i, &s) in strata.iter().enumerate() {
        groups[s].push(i);
    }
    let mut fold = vec![0; strata.len()];
    let mut next = 0;
    for g in &mut groups {
        g.shuffle(&mut rng);
        for &i in g.iter() {
            fold[i] = next % k;
            next += 1;
        }
    }
    fold
}

/// Fold number of each row such that every group (a month, a region, an entity: `groups[i]` is
/// row i's group id) lies whole inside one fold, as a new month or a new region does. With at
/// least as many folds as groups, each group is its own fold (leave one group out); otherwise
/// groups go, largest first, to the fold holding fewest rows so far (scikit-learn's
/// `GroupKFold`). Deterministic: ties go to the lower group id and the lower fold.
pub fn group_folds(groups: &[u32], k: usize) -> Vec<usize> {
    let n_groups = groups.iter().copied().max().map_or(0, |m| m as usize + 1);
    let mut size = vec![0usize; n_groups];
    for &g in groups {
        size[g as usize] += 1;
    }
    let mut order: Vec<usize> = (0..n_groups).filter(|&g| size[g] > 0).collect();
    order.sort_by(|&a, &b| size[b].cmp(&size[a]).then(a.cmp(&b)));
    let mut fold_of = vec![0usize; n_groups];
    if k >= order.len() {
        for (f, &g) in order.iter().enumerate() {
            fold_of[g] = f;
        }
    } else {
        let mut load = vec![0usize; k.max(1)];
        for &g in &order {
            let f = (0..load.len()).min_by_key(|&f| (load[f], f)).unwrap_or(0);
            fold_of[g] = f;
            load[f] += size[g];
        }
    }
    groups.iter().map(|&g| fold_of[g as usize]).collect()
}

/// Number of distinct groups among `groups`.
pub fn n_groups(groups: &[u32]) -> usize {
    let mut seen: Vec<u32> = groups.to_vec();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// At most about `max` rows (sorted indices) drawn with the seed, each stratum keeping its share
/// of the rows but never fewer than `min(its rows, floor)` (so a rare code still reaches every
/// cross-validation fold). All rows when there are at most `max`.
pub fn stratified_sample(strata: &[usize], max: usize, floor: usize, seed: u64) -> Vec<usize> {
    let n = strata.len();
    if n <= max {
        return (0..n).collect();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n_strata = strata.iter().copied().max().map_or(0, |m| m + 1);
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); n_strata];
    for (i, &s) in strata.iter().enumerate() {
        groups[s].push(i);
    }
    let mut out = Vec::with_capacity(max + n_strata * floor);
    for g in &mut groups {
        let share = (g.len() as f64 * max as f64 / n as f64).round() as usize;
        let take = share.max(floor.min(g.len())).min(g.len());
        g.shuffle(&mut rng);
        out.extend_from_slice(&g[..take]);
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_folds_keep_groups_whole() {
        let groups = [0, 0, 0, 1, 1, 2, 3, 3, 3, 3];
        let f = group_folds(&groups, 2);
        for (i, &g) in groups.iter().enumerate() {
            for (j, &h) in groups.iter().enumerate() {
                if g == h {
                    assert_eq!(f[i], f[j]);
                }
            }
        }
        // Largest group (3, four rows) first, then 0 (three) to the other fold, 1 and 2 to the
        // lighter one in turn: 4 + 1 against 3 + 2.
        assert_eq!(f, [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
        // As many folds as groups: one group per fold.
        assert_eq!(
            n_groups(
                &group_folds(&groups, 9)
                    .iter()
                    .map(|&x| x as u32)
                    .collect::<Vec<_>>()
            ),
            4
        );
    }

    #[test]
    fn folds_are_stratified_balanced_and_seeded() {
        let strata: Vec<usize> = (0..100).map(|i| usize::from(i % 10 == 0)).collect();
        let f = stratified_folds(&strata, 5, 7);
        assert_eq!(f, stratified_folds(&strata, 5, 7));
        for fold in 0..5 {
            let rows: Vec<usize> = (0..100).filter(|&i| f[i] == fold).collect();
            assert_eq!(rows.len(), 20);
            assert_eq!(rows.iter().filter(|&&i| strata[i] == 1).count(), 2);
        }
        assert_ne!(f, stratified_folds(&strata, 5, 8));
    }

    #[test]
    fn samples_keep_shares_and_rare_strata() {
        // 9,900 rows of stratum 0, 95 of stratum 1, 5 of stratum 2.
        let strata: Vec<usize> = (0..10_000)
            .map(|i| match i % 100 {
                0 if i % 2000 == 0 => 2,
                0 => 1,
                _ => 0,
            })
            .collect();
        let s = stratified_sample(&strata, 1000, 5, 3);
        assert_eq!(s, stratified_sample(&strata, 1000, 5, 3));
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        let count = |k: usize| s.iter().filter(|&&i| strata[i] == k).count();
        assert_eq!(count(0), 990);
        assert_eq!(count(1), 10);
        assert_eq!(count(2), 5, "a rare stratum keeps its floor");
        assert_eq!(stratified_sample(&strata, 20_000, 5, 3).len(), 10_000);
        assert_ne!(s, stratified_sample(&strata, 1000, 5, 4));
    }
}
