//! Spherical k-means on sparse L2-normalised TF-IDF rows, seeded, and the choice of k by
//! measurement (simplified cosine silhouette).
//!
//! Hand-written rather than linfa-clustering's `KMeans`: that one takes a dense `Array2` and
//! Euclidean distance, so 4,000 short answers over a 10,000-term vocabulary would be a 300 MB
//! dense matrix, and its centroids are not renormalised (text clusters want cosine). Here a row
//! costs its non-zeros times k per pass, and centroids are dense only in the vocabulary
//! (k × features). The measured compile cost that decided it is in docs/benchmarks.md.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::features::SparseRecords;

/// One clustering of the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    /// Number of clusters.
    pub k: usize,
    /// Cluster of each row.
    pub assign: Vec<usize>,
    /// Unit-length centroids, dense over the features (k rows).
    pub centroids: Vec<Vec<f32>>,
    /// Cosine of each row with its own centroid.
    pub sim: Vec<f32>,
    /// Sum of `sim` (the objective spherical k-means maximises).
    pub cohesion: f64,
}

/// Passes of the assign/update loop at most (it usually settles in under 20).
const MAX_ITER: usize = 50;
/// Independent seeded starts per k; the most cohesive wins.
const STARTS: usize = 4;

/// Dot product of sparse row `i` with a dense vector.
fn dot(x: &SparseRecords, i: usize, c: &[f32]) -> f32 {
    let (ids, vals) = x.row(i);
    ids.iter().zip(vals).map(|(&j, &v)| v * c[j as usize]).sum()
}

/// Best cluster of row `i` and its cosine.
fn nearest(x: &SparseRecords, i: usize, centroids: &[Vec<f32>]) -> (usize, f32) {
    let mut best = (0, f32::NEG_INFINITY);
    for (c, cen) in centroids.iter().enumerate() {
        let s = dot(x, i, cen);
        if s > best.1 {
            best = (c, s);
        }
    }
    best
}

/// Dense copy of row `i`, as a starting centroid.
fn dense_row(x: &SparseRecords, i: usize) -> Vec<f32> {
    let mut c = vec![0.0; x.0.cols()];
    let (ids, vals) = x.row(i);
    for (&j, &v) in ids.iter().zip(vals) {
        c[j as usize] = v;
    }
    c
}

/// k-means++ seeding under cosine distance (`1 - cos`): each new seed drawn with probability
/// proportional to its squared distance from the nearest seed so far.
fn seed_centroids(x: &SparseRecords, k: usize, rng: &mut ChaCha8Rng) -> Vec<Vec<f32>> {
    let n = x.0.rows();
    let mut centroids = vec![dense_row(x, rng.gen_range(0..n))];
    let mut d2: Vec<f64> = (0..n)
        .map(|i| f64::from(1.0 - dot(x, i, &centroids[0])).max(0.0).powi(2))
        .collect();
    while centroids.len() < k {
        let total: f64 = d2.iter().sum();
        let pick = if total <= 0.0 {
            rng.gen_range(0..n)
        } else {
            let mut r = rng.r#gen::<f64>() * total;
            d2.iter()
                .position(|&d| {
                    r -= d;
                    r <= 0.0
                })
                .unwrap_or(n - 1)
        };
        let c = dense_row(x, pick);
        for (i, d) in d2.iter_mut().enumerate() {
            let nd = f64::from(1.0 - dot(x, i, &c)).max(0.0).powi(2);
            *d = d.min(nd);
        }
        centroids.push(c);
    }
    centroids
}

/// Mean of the member rows, renormalised; an empty cluster takes the row that fits its own
/// cluster worst (so k clusters stay k).
fn update(x: &SparseRecords, k: usize, assign: &mut [usize], sim: &[f32]) -> Vec<Vec<f32>> {
    let mut sizes = vec![0usize; k];
    for &a in assign.iter() {
        sizes[a] += 1;
    }
    let mut taken = vec![false; assign.len()];
    for c in 0..k {
        if sizes[c] == 0 {
            let worst = (0..assign.len())
                .filter(|&i| !taken[i] && sizes[assign[i]] > 1)
                .min_by(|&a, &b| sim[a].total_cmp(&sim[b]).then(a.cmp(&b)));
            if let Some(i) = worst {
                sizes[assign[i]] -= 1;
                assign[i] = c;
                sizes[c] = 1;
                taken[i] = true;
            }
        }
    }
    let mut centroids = vec![vec![0.0f32; x.0.cols()]; k];
    for (i, &a) in assign.iter().enumerate() {
        let (ids, vals) = x.row(i);
        for (&j, &v) in ids.iter().zip(vals) {
            centroids[a][j as usize] += v;
        }
    }
    for c in &mut centroids {
        let norm = c.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            c.iter_mut().for_each(|v| *v /= norm);
        }
    }
    centroids
}

/// One seeded run of spherical k-means.
fn run_once(x: &SparseRecords, k: usize, rng: &mut ChaCha8Rng) -> Clustering {
    let n = x.0.rows();
    let mut centroids = seed_centroids(x, k, rng);
    let mut assign = vec![usize::MAX; n];
    let mut sim = vec![0.0f32; n];
    for _ in 0..MAX_ITER {
        let mut changed = false;
        for i in 0..n {
            let (c, s) = nearest(x, i, &centroids);
            sim[i] = s;
            if assign[i] != c {
                assign[i] = c;
                changed = true;
            }
        }
        if !changed {
            break;
        }
        centroids = update(x, k, &mut assign, &sim);
    }
    for i in 0..n {
        sim[i] = dot(x, i, &centroids[assign[i]]);
    }
    let cohesion = sim.iter().map(|&s| f64::from(s)).sum();
    Clustering {
        k,
        assign,
        centroids,
        sim,
        cohesion,
    }
}

/// Spherical k-means with `STARTS` seeded starts; the most cohesive run wins. Needs
/// `1 <= k <= rows`.
pub fn spherical_kmeans(x: &SparseRecords, k: usize, seed: u64) -> Clustering {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut best: Option<Clustering> = None;
    for _ in 0..STARTS {
        let c = run_once(x, k, &mut rng);
        if best.as_ref().is_none_or(|b| c.cohesion > b.cohesion) {
            best = Some(c);
        }
    }
    best.expect("at least one start")
}

/// Mean silhouette under cosine distance, exact: rows are unit length, so a row's mean
/// distance to a cluster is `1 - x·S/|C|` with `S` the sum of the cluster's rows (its own
/// cluster excludes itself). O(rows × k × non-zeros) instead of the pairwise O(rows²).
/// Singleton clusters score 0, as in the usual definition.
pub fn silhouette(x: &SparseRecords, c: &Clustering) -> f64 {
    let n = x.0.rows();
    if c.k < 2 || n == 0 {
        return 0.0;
    }
    let mut sums = vec![vec![0.0f32; x.0.cols()]; c.k];
    let mut sizes = vec![0usize; c.k];
    for (i, &a) in c.assign.iter().enumerate() {
        sizes[a] += 1;
        let (ids, vals) = x.row(i);
        for (&j, &v) in ids.iter().zip(vals) {
            sums[a][j as usize] += v;
        }
    }
    let mut total = 0.0;
    for i in 0..n {
        let own = c.assign[i];
        if sizes[own] < 2 {
            continue;
        }
        let self_sim: f64 = x.row(i).1.iter().map(|&v| f64::from(v * v)).sum();
        let a = 1.0 - (f64::from(dot(x, i, &sums[own])) - self_sim) / (sizes[own] - 1) as f64;
        let b = (0..c.k)
            .filter(|&j| j != own && sizes[j] > 0)
            .map(|j| 1.0 - f64::from(dot(x, i, &sums[j])) / sizes[j] as f64)
            .fold(f64::INFINITY, f64::min);
        let m = a.max(b);
        if m > 0.0 && b.is_finite() {
            total += (b - a) / m;
        }
    }
    total / n as f64
}

/// Silhouette differences below this are noise on short answers: the fewest clusters within
/// it of the best silhouette win (more themes must earn their place).
pub const PARSIMONY: f64 = 0.03;

/// Clusters for each k in `ks` and keeps the fewest clusters whose silhouette is within
/// [`PARSIMONY`] of the best. Returns it with every `(k, silhouette)` measured, for the analyst
/// to see why.
pub fn choose_k(
    x: &SparseRecords,
    ks: impl IntoIterator<Item = usize>,
    seed: u64,
) -> Option<(Clustering, Vec<(usize, f64)>)> {
    let mut runs: Vec<(Clustering, f64)> = Vec::new();
    for k in ks {
        if k == 0 || k > x.0.rows() {
            continue;
        }
        let c = spherical_kmeans(x, k, seed);
        let s = silhouette(x, &c);
        runs.push((c, s));
    }
    let scores: Vec<(usize, f64)> = runs.iter().map(|(c, s)| (c.k, *s)).collect();
    let best = scores.iter().map(|s| s.1).fold(f64::NEG_INFINITY, f64::max);
    let pick = runs
        .into_iter()
        .filter(|(_, s)| *s >= best - PARSIMONY)
        .min_by_key(|(c, _)| c.k)?;
    Some((pick.0, scores))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three well-separated groups of rows over disjoint features.
    fn three_groups() -> SparseRecords {
        let mut rows = Vec::new();
        for g in 0..3u32 {
            for i in 0..6u32 {
                let a = g * 4;
                let b = g * 4 + 1 + (i % 3);
                let r = std::f32::consts::FRAC_1_SQRT_2;
                rows.push(vec![(a, r), (b, r)]);
            }
        }
        SparseRecords::from_rows(12, &rows).unwrap()
    }

    #[test]
    fn silhouette_picks_the_three_separated_groups_and_is_seeded() {
        let x = three_groups();
        let (c, scores) = choose_k(&x, 2..=6, 7).unwrap();
        assert_eq!(c.k, 3, "scores {scores:?}");
        for g in 0..3 {
            let first = c.assign[g * 6];
            assert!((0..6).all(|i| c.assign[g * 6 + i] == first));
        }
        let (again, _) = choose_k(&x, 2..=6, 7).unwrap();
        assert_eq!(c, again);
    }

    #[test]
    fn empty_clusters_are_refilled() {
        let x = three_groups();
        let c = spherical_kmeans(&x, 5, 1);
        let mut sizes = vec![0; 5];
        c.assign.iter().for_each(|&a| sizes[a] += 1);
        assert!(sizes.iter().all(|&s| s > 0), "{sizes:?}");
    }
}
