//! Stage: model (evaluation). Seeded stratified k-fold assignment of training rows.
//!
//! In: a stratum (primary code index) per row, k, a seed. Out: a fold number per row such that
//! each code is spread as evenly as possible over the folds, reproducibly.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
