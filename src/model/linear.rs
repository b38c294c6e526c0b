//! Stage: model. Linear learners on sparse TF-IDF rows, behind linfa's `Fit` / `PredictInplace`.
//!
//! In: a `DatasetBase<SparseRecords, Array2<bool>>` (rows × codes indicator matrix; one `true`
//! per row for single-label data). Out: a [`LinearModel`] (one weight vector and bias per code)
//! whose `predict` gives the decision values (rows × codes).
//!
//! - [`LinearSvcParams`]: L2-regularised, L2-loss linear SVM solved in the dual by coordinate
//!   descent with shrinking (Hsieh et al. 2008, the LIBLINEAR `-s 1` solver), one-vs-rest, with
//!   a seeded permutation per epoch and optional "balanced" class weights.
//! - [`ComplementNbParams`]: Complement Naive Bayes (Rennie et al. 2003, as scikit-learn's
//!   `ComplementNB`, `norm=False`), which is linear in the features too.
//!
//! Both honour the dataset's sample weights (linfa's `DatasetBase::weights`; none = all 1): a row
//! of weight m is the same problem as m identical rows, which is how the classifier passes
//! repeated answers ("Sí", "Sin fundamento") once instead of m times.

use linfa::ParamGuard;
use linfa::dataset::{DatasetBase, Records};
use linfa::traits::{Fit, PredictInplace};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::features::SparseRecords;
use crate::model::error::{EngineError, Result};
use crate::model::parallel;

/// The training data of every learner here.
pub type SparseDataset = DatasetBase<SparseRecords, Array2<bool>>;

/// A linear one-vs-rest model: `score[k] = w_k · x + b_k`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    n_features: usize,
    n_classes: usize,
    /// Feature-major weights: `weights[f * n_classes + k]`, so a sparse row touches contiguous
    /// memory per feature.
    weights: Vec<f32>,
    bias: Vec<f32>,
}

impl LinearModel {
    /// Number of codes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of features expected.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Weight of feature `f` for code `k`.
    pub fn weight(&self, f: usize, k: usize) -> f32 {
        self.weights
            .get(f * self.n_classes + k)
            .copied()
            .unwrap_or(0.0)
    }

    /// Decision values of one sparse row into `out` (length `n_classes`). Ids beyond the
    /// model's width are ignored.
    pub fn decision_row(&self, ids: &[u32], vals: &[f32], out: &mut [f32]) {
        out.copy_from_slice(&self.bias);
        let k = self.n_classes;
        for (&f, &v) in ids.iter().zip(vals) {
            let f = f as usize;
            if let Some(w) = self.weights.get(f * k..f * k + k) {
                for (o, wk) in out.iter_mut().zip(w) {
                    *o += v * wk;
                }
            }
        }
    }

    /// Same as [`Self::decision_row`] for `(id, value)` pairs.
    pub fn decision_pairs(&self, row: &[(u32, f32)], out: &mut [f32]) {
        out.copy_from_slice(&self.bias);
        let k = self.n_classes;
        for &(f, v) in row {
            let f = f as usize;
            if let Some(w) = self.weights.get(f * k..f * k + k) {
                for (o, wk) in out.iter_mut().zip(w) {
                    *o += v * wk;
                }
            }
        }
    }

    /// True when the stored arrays agree with the declared shape (checked after loading a file,
    /// so that a crafted or damaged model cannot make prediction index out of bounds).
    pub fn is_consistent(&self) -> bool {
        self.n_classes > 0
            && self.bias.len() == self.n_classes
            && self.weights.len() == self.n_features * self.n_classes
            && self.weights.iter().chain(&self.bias).all(|v| v.is_finite())
    }

    /// Adds `off[k]` to the bias of code k (decision offsets tuned after training).
    pub fn add_bias(&mut self, off: &[f32]) {
        for (b, o) in self.bias.iter_mut().zip(off) {
            *b += o;
        }
    }

    /// `a · self + b · (other − mean over codes of other)`: the linear model whose decision
    /// values are that combination of both models' decision values (used to blend the SVM with
    /// Complement NB, whose scores only matter relative to each other).
    pub fn blend(&self, a: f32, other: &LinearModel, b: f32) -> Result<LinearModel> {
        if self.n_features != other.n_features || self.n_classes != other.n_classes {
            return Err(EngineError::Shape("blended models differ in shape".into()));
        }
        let k = self.n_classes;
        let mut weights = Vec::with_capacity(self.weights.len());
        for (ws, wo) in self
            .weights
            .chunks(k.max(1))
            .zip(other.weights.chunks(k.max(1)))
        {
            let mean = wo.iter().sum::<f32>() / k as f32;
            weights.extend(ws.iter().zip(wo).map(|(x, y)| a * x + b * (y - mean)));
        }
        let mean_b = other.bias.iter().sum::<f32>() / k as f32;
        let bias = self
            .bias
            .iter()
            .zip(&other.bias)
            .map(|(x, y)| a * x + b * (y - mean_b))
            .collect();
        Ok(LinearModel {
            n_features: self.n_features,
            n_classes: k,
            weights,
            bias,
        })
    }

    /// Standard deviation of the row-centred decision values over the dataset's rows, each
    /// counted by its sample weight (the scale used to blend models).
    pub fn centred_scale(&self, ds: &SparseDataset) -> f32 {
        let x = ds.records();
        let k = self.n_classes;
        let mut d = vec![0f32; k];
        let (mut sum2, mut n) = (0f64, 0f64);
        for i in 0..x.nsamples() {
            let (ids, vals) = x.row(i);
            self.decision_row(ids, vals, &mut d);
            let m = f64::from(ds.weight_for(i));
            let mean = d.iter().sum::<f32>() / k as f32;
            sum2 += m * d.iter().map(|v| f64::from(v - mean).powi(2)).sum::<f64>();
            n += m * k as f64;
        }
        let s = (sum2 / n.max(1.0)).sqrt() as f32;
        if s > 0.0 { s } else { 1.0 }
    }

    fn from_class_vectors<W: Copy + Into<f64>>(
        n_features: usize,
        ws: Vec<Vec<W>>,
        bias: Vec<f64>,
    ) -> LinearModel {
        let k = ws.len();
        let mut weights = vec![0f32; n_features * k];
        for (c, w) in ws.iter().enumerate() {
            for (f, &v) in w.iter().enumerate().take(n_features) {
                weights[f * k + c] = v.into() as f32;
            }
        }
        LinearModel {
            n_features,
            n_classes: k,
            weights,
            bias: bias.into_iter().map(|b| b as f32).collect(),
        }
    }
}

impl PredictInplace<SparseRecords, Array2<f32>> for LinearModel {
    fn predict_inplace(&self, x: &SparseRecords, y: &mut Array2<f32>) {
        let mut buf = vec![0f32; self.n_classes];
        for (i, mut out) in y.rows_mut().into_iter().enumerate().take(x.nsamples()) {
            let (ids, vals) = x.row(i);
            self.decision_row(ids, vals, &mut buf);
            for (o, v) in out.iter_mut().zip(&buf) {
                *o = *v;
            }
        }
    }

    fn default_target(&self, x: &SparseRecords) -> Array2<f32> {
        Array2::zeros((x.nsamples(), self.n_classes))
    }
}

/// How the cost of errors on a code is weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ClassWeight {
    /// Every example counts the same.
    #[default]
    Uniform,
    /// Positive examples of code k weigh `n / (K · n_k)` (rare codes count more; helps macro-F1).
    Balanced,
}

/// Settings of the linear SVM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearSvcSettings {
    /// Inverse regularisation strength.
    pub c: f64,
    /// Class weighting.
    pub class_weight: ClassWeight,
    /// Stopping tolerance on the projected-gradient gap. The default, 0.1, is LIBLINEAR's for its
    /// dual solvers: on leave-one-region-out of the Cabildos it codes as well as 0.01 (mean
    /// macro-F1 0.4056 against 0.4044, accuracy 0.5348 against 0.5339, cov@90 0.208 against
    /// 0.209; docs/benchmarks.md) in fewer passes.
    pub tol: f64,
    /// Maximum passes over the data per code. The default, 50, does not bind on a few thousand
    /// answers per question (the Cabildos themes stop within 44 passes) and bounds the cost on
    /// a hundred thousand, where the dual gap needs up to 106 passes to reach `tol` while the
    /// predictions settle long before (5 of 20,573 held-out predictions differ; docs/benchmarks.md,
    /// "Scale"). LIBLINEAR's 1000 would make training time grow faster than the answers.
    pub max_iter: usize,
    /// Seed of the per-epoch permutation.
    pub seed: u64,
}

impl Default for LinearSvcSettings {
    fn default() -> Self {
        LinearSvcSettings {
            c: 0.2,
            class_weight: ClassWeight::Balanced,
            tol: 0.1,
            max_iter: 50,
            seed: 42,
        }
    }
}

/// Checked SVM settings.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearSvcValidParams(LinearSvcSettings);

/// Unchecked SVM settings (linfa's `ParamGuard` pattern).
#[derive(Debug, Clone, PartialEq)]
pub struct LinearSvcParams(LinearSvcValidParams);

impl LinearSvcParams {
    /// Wraps settings for checking.
    pub fn new(s: LinearSvcSettings) -> Self {
        LinearSvcParams(LinearSvcValidParams(s))
    }
}

impl ParamGuard for LinearSvcParams {
    type Checked = LinearSvcValidParams;
    type Error = EngineError;

    fn check_ref(&self) -> Result<&LinearSvcValidParams> {
        let s = &self.0.0;
        if !(s.c.is_finite() && s.c > 0.0) {
            return Err(EngineError::InvalidParams(format!(
                "C must be > 0, got {}",
                s.c
            )));
        }
        if !(s.tol.is_finite() && s.tol > 0.0) || s.max_iter == 0 {
            return Err(EngineError::InvalidParams(
                "tol must be > 0 and max_iter ≥ 1".into(),
            ));
        }
        Ok(&self.0)
    }

    fn check(self) -> Result<LinearSvcValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// Validates a dataset once before any learner touches it (linfa itself does not).
fn validate(ds: &SparseDataset) -> Result<()> {
    let (n, k) = ds.targets().dim();
    if ds.records().nsamples() == 0 {
        return Err(EngineError::EmptyTrainingSet("no rows".into()));
    }
    if n != ds.records().nsamples() {
        return Err(EngineError::Shape(format!(
            "{} rows but {n} target rows",
            ds.records().nsamples()
        )));
    }
    if k == 0 {
        return Err(EngineError::EmptyTrainingSet("no codes".into()));
    }
    if let Some(w) = ds.weights() {
        if w.len() != n {
            return Err(EngineError::Shape(format!(
                "{n} rows but {} weights",
                w.len()
            )));
        }
        if !w.iter().all(|v| v.is_finite() && *v > 0.0) {
            return Err(EngineError::Data(
                "sample weights must be finite and > 0".into(),
            ));
        }
    }
    Ok(())
}

/// Sample weight of every row (1 when the dataset has none).
fn sample_weights(ds: &SparseDataset) -> Vec<f64> {
    (0..ds.records().nsamples())
        .map(|i| f64::from(ds.weight_for(i)))
        .collect()
}

/// Per-code positive weights for `weight`, counting each row `sw[i]` times.
fn class_weights(y: &Array2<bool>, sw: &[f64], weight: ClassWeight) -> Vec<f64> {
    let k = y.ncols();
    let n: f64 = sw.iter().sum();
    match weight {
        ClassWeight::Uniform => vec![1.0; k],
        ClassWeight::Balanced => y
            .columns()
            .into_iter()
            .map(|c| {
                let nk: f64 = c.iter().zip(sw).filter(|(b, _)| **b).map(|(_, w)| w).sum();
                n / (k as f64 * nk.max(1.0))
            })
            .collect(),
    }
}

impl Fit<SparseRecords, Array2<bool>, EngineError> for LinearSvcValidParams {
    type Object = LinearModel;

    fn fit(&self, ds: &SparseDataset) -> Result<LinearModel> {
        validate(ds)?;
        let s = &self.0;
        let x = ds.records();
        let y = ds.targets();
        let sw = sample_weights(ds);
        let cw = class_weights(y, &sw, s.class_weight);
        let sq: Vec<f64> = (0..x.nsamples())
            .map(|i| {
                x.row(i)
                    .1
                    .iter()
                    .map(|&v| f64::from(v).powi(2))
                    .sum::<f64>()
                    + 1.0
            })
            .collect();
        // The one-vs-rest problems are independent: solve them on a few threads, each code with
        // its own seed, so the result does not depend on the number of threads.
        let k = y.ncols();
        let solve = |c: usize| {
            let labels: Vec<f64> = y
                .column(c)
                .iter()
                .map(|&b| if b { 1.0 } else { -1.0 })
                .collect();
            // Per-row cost: C × class weight (positives) × sample weight.
            let cost: Vec<f64> = labels
                .iter()
                .zip(&sw)
                .map(|(&yi, &m)| s.c * m * if yi > 0.0 { cw[c] } else { 1.0 })
                .collect();
            dcd_l2loss(x, &labels, &sq, &cost, s, s.seed.wrapping_add(c as u64))
        };
        let results = parallel::map(k, solve);
        let mut ws = Vec::with_capacity(k);
        let mut bs = Vec::with_capacity(k);
        for (w, b) in results {
            ws.push(w);
            bs.push(b);
        }
        Ok(LinearModel::from_class_vectors(x.nfeatures(), ws, bs))
    }
}

/// One binary L2-loss SVM by dual coordinate descent with shrinking (LIBLINEAR's
/// `solve_l2r_l1l2_svc`, L2 loss: no upper bound on α, diagonal `1/(2 C_i)` with a cost `C_i`
/// per row). The bias is an extra feature of value 1 (regularised, like LIBLINEAR with `-B 1`).
/// Returns `(w, b)`.
fn dcd_l2loss(
    x: &SparseRecords,
    y: &[f64],
    sq: &[f64],
    cost: &[f64],
    s: &LinearSvcSettings,
    seed: u64,
) -> (Vec<f32>, f64) {
    let l = y.len();
    // f32 weights: half the cache footprint of the hot loop; α, the gradient and the bias stay
    // in f64.
    let mut w = vec![0f32; x.nfeatures()];
    let mut b = 0f64;
    let mut alpha = vec![0f64; l];
    let diag: Vec<f64> = cost.iter().map(|&c| 0.5 / c).collect();
    let qd: Vec<f64> = (0..l).map(|i| sq[i] + diag[i]).collect();
    let mut index: Vec<usize> = (0..l).collect();
    let mut active = l;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // With the L2 loss α has no upper bound, so only the lower side of LIBLINEAR's shrinking
    // test (PGmax_old) is needed.
    let mut pg_max_old = f64::INFINITY;
    for _ in 0..s.max_iter {
        let (mut pg_max, mut pg_min) = (f64::NEG_INFINITY, f64::INFINITY);
        for i in 0..active {
            let j = rng.gen_range(i..active);
            index.swap(i, j);
        }
        let mut sidx = 0;
        while sidx < active {
            let i = index[sidx];
            let (ids, vals) = x.row(i);
            let yi = y[i];
            let mut dot32 = 0f32;
            for (&f, &v) in ids.iter().zip(vals) {
                dot32 += w[f as usize] * v;
            }
            let dot = b + f64::from(dot32);
            let g = yi * dot - 1.0 + alpha[i] * diag[i];
            let mut pg = 0.0;
            if alpha[i] == 0.0 {
                if g > pg_max_old {
                    active -= 1;
                    index.swap(sidx, active);
                    continue;
                } else if g < 0.0 {
                    pg = g;
                }
            } else {
                pg = g;
            }
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[i];
                alpha[i] = (old - g / qd[i]).max(0.0);
                let d = (alpha[i] - old) * yi;
                let d32 = d as f32;
                for (&f, &v) in ids.iter().zip(vals) {
                    w[f as usize] += d32 * v;
                }
                b += d;
            }
            sidx += 1;
        }
        if pg_max - pg_min <= s.tol {
            if active == l {
                break;
            }
            active = l;
            pg_max_old = f64::INFINITY;
            continue;
        }
        pg_max_old = if pg_max <= 0.0 { f64::INFINITY } else { pg_max };
    }
    (w, b)
}

/// Settings of Complement Naive Bayes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplementNbSettings {
    /// Additive (Laplace/Lidstone) smoothing.
    pub alpha: f64,
}

impl Default for ComplementNbSettings {
    fn default() -> Self {
        ComplementNbSettings { alpha: 0.3 }
    }
}

/// Checked CNB settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplementNbValidParams(ComplementNbSettings);

/// Unchecked CNB settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplementNbParams(ComplementNbValidParams);

impl ComplementNbParams {
    /// Wraps settings for checking.
    pub fn new(s: ComplementNbSettings) -> Self {
        ComplementNbParams(ComplementNbValidParams(s))
    }
}

impl ParamGuard for ComplementNbParams {
    type Checked = ComplementNbValidParams;
    type Error = EngineError;

    fn check_ref(&self) -> Result<&ComplementNbValidParams> {
        let a = self.0.0.alpha;
        if !(a.is_finite() && a > 0.0) {
            return Err(EngineError::InvalidParams(format!(
                "alpha must be > 0, got {a}"
            )));
        }
        Ok(&self.0)
    }

    fn check(self) -> Result<ComplementNbValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl Fit<SparseRecords, Array2<bool>, EngineError> for ComplementNbValidParams {
    type Object = LinearModel;

    fn fit(&self, ds: &SparseDataset) -> Result<LinearModel> {
        validate(ds)?;
        let alpha = self.0.alpha;
        let x = ds.records();
        let y = ds.targets();
        let (nf, k) = (x.nfeatures(), y.ncols());
        let mut fc = vec![0f64; nf * k];
        let mut total = vec![0f64; nf];
        for (i, labels) in y.rows().into_iter().enumerate() {
            let (ids, vals) = x.row(i);
            let m = f64::from(ds.weight_for(i));
            for (&f, &v) in ids.iter().zip(vals) {
                let f = f as usize;
                let v = m * f64::from(v);
                total[f] += v;
                for (c, _) in labels.iter().enumerate().filter(|(_, b)| **b) {
                    fc[f * k + c] += v;
                }
            }
        }
        let mut ws = vec![vec![0f64; nf]; k];
        for (c, w) in ws.iter_mut().enumerate() {
            let comp: Vec<f64> = (0..nf).map(|f| total[f] - fc[f * k + c] + alpha).collect();
            let sum: f64 = comp.iter().sum();
            for (wf, cf) in w.iter_mut().zip(&comp) {
                *wf = -(cf / sum).ln();
            }
        }
        Ok(LinearModel::from_class_vectors(nf, ws, vec![0.0; k]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::traits::Predict;
    use ndarray::Array1;

    /// Synthetic: feature 0 ↔ code 0, feature 1 ↔ code 1, feature 2 noise.
    fn toy() -> SparseDataset {
        let rows = vec![
            vec![(0, 1.0), (2, 0.2)],
            vec![(0, 0.9)],
            vec![(0, 0.8), (2, 0.5)],
            vec![(1, 1.0)],
            vec![(1, 0.7), (2, 0.4)],
            vec![(1, 0.9), (2, 0.1)],
        ];
        let x = SparseRecords::from_rows(3, &rows).unwrap();
        let y = Array2::from_shape_fn((6, 2), |(i, k)| (i < 3) == (k == 0));
        DatasetBase::new(x, y)
    }

    fn argmax(d: &Array2<f32>) -> Vec<usize> {
        d.rows()
            .into_iter()
            .map(|r| {
                r.iter()
                    .enumerate()
                    .fold((0, f32::MIN), |a, (i, &v)| if v > a.1 { (i, v) } else { a })
                    .0
            })
            .collect()
    }

    #[test]
    fn svm_separates_toy_data() {
        let ds = toy();
        let m = LinearSvcParams::new(LinearSvcSettings::default())
            .fit(&ds)
            .unwrap();
        let d: Array2<f32> = m.predict(&ds);
        assert_eq!(argmax(&d), vec![0, 0, 0, 1, 1, 1]);
        assert!(m.weight(0, 0) > 0.0 && m.weight(0, 1) < 0.0);
    }

    #[test]
    fn svm_matches_liblinear_on_one_point_problem() {
        // Two points x=+1 (y=+1), x=-1 (y=-1), bias feature 1, C=1, L2 loss. By symmetry b=0;
        // by hand, minimising ½w² + C·2·(1 − w)² gives w = 4C / (1 + 4C) = 0.8 for C=1.
        let x = SparseRecords::from_rows(1, &[vec![(0, 1.0)], vec![(0, -1.0)]]).unwrap();
        let y = Array2::from_shape_fn((2, 1), |(i, _)| i == 0);
        let s = LinearSvcSettings {
            c: 1.0,
            class_weight: ClassWeight::Uniform,
            tol: 1e-9,
            ..Default::default()
        };
        let m = LinearSvcParams::new(s)
            .fit(&DatasetBase::new(x, y))
            .unwrap();
        assert!((m.weight(0, 0) - 0.8).abs() < 1e-4, "{}", m.weight(0, 0));
        assert!(m.bias[0].abs() < 1e-6);
    }

    #[test]
    fn cnb_matches_scikit_learn_reference() {
        // Reference: sklearn ComplementNB(alpha=1.0).fit([[1,0],[0,1]], [0,1]).feature_log_prob_
        // = -log([[1/3, 2/3], [2/3, 1/3]]) → class 0: [1.0986, 0.4055].
        let x = SparseRecords::from_rows(2, &[vec![(0, 1.0)], vec![(1, 1.0)]]).unwrap();
        let y = Array2::from_shape_fn((2, 2), |(i, k)| i == k);
        let m = ComplementNbParams::new(ComplementNbSettings { alpha: 1.0 })
            .fit(&DatasetBase::new(x, y))
            .unwrap();
        assert!((m.weight(0, 0) - 1.098_612).abs() < 1e-5);
        assert!((m.weight(1, 0) - 0.405_465).abs() < 1e-5);
        let ds = toy();
        let m = ComplementNbParams::new(ComplementNbSettings::default())
            .fit(&ds)
            .unwrap();
        let d: Array2<f32> = m.predict(&ds);
        assert_eq!(argmax(&d), vec![0, 0, 0, 1, 1, 1]);
    }

    /// The toy rows repeated `[3, 1, 2, 1, 4, 1]` times, and the same rows once with those
    /// counts as sample weights.
    fn repeated_and_weighted() -> (SparseDataset, SparseDataset) {
        let counts = [3usize, 1, 2, 1, 4, 1];
        let ds = toy();
        let x = ds.records();
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for (i, &m) in counts.iter().enumerate() {
            let (ids, vals) = x.row(i);
            let row: Vec<(u32, f32)> = ids.iter().copied().zip(vals.iter().copied()).collect();
            for _ in 0..m {
                rows.push(row.clone());
                labels.push(i < 3);
            }
        }
        let rx = SparseRecords::from_rows(3, &rows).unwrap();
        let ry = Array2::from_shape_fn((rows.len(), 2), |(i, k)| labels[i] == (k == 0));
        let weights = Array1::from(counts.iter().map(|&m| m as f32).collect::<Vec<_>>());
        (DatasetBase::new(rx, ry), toy().with_weights(weights))
    }

    fn assert_same_model(a: &LinearModel, b: &LinearModel, eps: f32) {
        for f in 0..3 {
            for k in 0..2 {
                let (x, y) = (a.weight(f, k), b.weight(f, k));
                assert!((x - y).abs() < eps, "w[{f}][{k}]: {x} vs {y}");
            }
        }
        for (x, y) in a.bias.iter().zip(&b.bias) {
            assert!((x - y).abs() < eps, "bias {x} vs {y}");
        }
    }

    /// A row of weight m is the same problem as m copies of it — for the SVM (with balanced
    /// class weights counting the copies) and for naive Bayes. The classifier relies on this to
    /// fold repeated answers.
    #[test]
    fn weighted_rows_equal_repeated_rows() {
        let (repeated, weighted) = repeated_and_weighted();
        let s = LinearSvcSettings {
            tol: 1e-7,
            max_iter: 100_000,
            ..Default::default()
        };
        let svm = |ds: &SparseDataset| LinearSvcParams::new(s.clone()).fit(ds).unwrap();
        assert_same_model(&svm(&repeated), &svm(&weighted), 1e-3);
        let cnb = |ds: &SparseDataset| {
            ComplementNbParams::new(ComplementNbSettings::default())
                .fit(ds)
                .unwrap()
        };
        assert_same_model(&cnb(&repeated), &cnb(&weighted), 1e-5);
        // And weights matter: the unweighted rows give another SVM.
        let plain = svm(&toy());
        assert!((plain.weight(2, 0) - svm(&weighted).weight(2, 0)).abs() > 1e-3);
    }

    #[test]
    fn bad_sample_weights_are_refused() {
        for bad in [0.0f32, -1.0, f32::NAN] {
            let ds = toy().with_weights(Array1::from(vec![1.0, 1.0, bad, 1.0, 1.0, 1.0]));
            let r = LinearSvcParams::new(LinearSvcSettings::default()).fit(&ds);
            assert!(matches!(r, Err(EngineError::Data(_))), "{bad}");
        }
        let ds = toy().with_weights(Array1::from(vec![1.0, 2.0]));
        let r = ComplementNbParams::new(ComplementNbSettings::default()).fit(&ds);
        assert!(matches!(r, Err(EngineError::Shape(_))));
    }

    #[test]
    fn bad_params_and_data_are_refused() {
        assert!(
            LinearSvcParams::new(LinearSvcSettings {
                c: 0.0,
                ..Default::default()
            })
            .check()
            .is_err()
        );
        let x = SparseRecords::from_rows(1, &[]).unwrap();
        let y = Array2::from_elem((0, 1), false);
        let r = LinearSvcParams::new(LinearSvcSettings::default()).fit(&DatasetBase::new(x, y));
        assert!(matches!(r, Err(EngineError::EmptyTrainingSet(_))));
    }
}
