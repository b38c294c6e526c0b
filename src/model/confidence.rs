//! Stage: model. How sure the model is of its top code: the probability that it is right.
//!
//! A single-label model's confidence is what decides which answers an analyst may accept without
//! reading them (semi-automatic coding) and in which order the rest are reviewed, so it must rank
//! right answers above wrong ones and mean what it says on a new month. The softmax probability
//! of the top code alone ranks poorly: a short answer made of words the model never saw can get
//! a high probability from the bias terms. The confidence is therefore a small logistic model of
//! "the top code is right" over a few signals of each prediction ([`signals`]): the calibrated
//! top probability, the gaps to the second code, how long the answer is and how much of it the
//! model knows, and a second opinion — a naive Bayes on the same features, whose probabilities
//! rank answers differently from the SVM's margins (an answer both code alike is more often
//! right) — and how often the predicted code itself was right out of fold ([`code_precision`]):
//! some codes are predicted reliably and others are where the model dumps what it cannot place,
//! which no score of the answer alone shows. It is fitted on out-of-fold predictions — grouped folds when the rows have
//! groups, so that it learns how the model fares on people it never saw.
//!
//! In: per row the decision values (offsets applied), the calibrated probabilities, the answer's
//! term counts, and whether the top code was right. Out: a [`ConfidenceModel`] and, for the
//! answers it scores, the thresholds that keep a chosen accuracy among the accepted.

use serde::{Deserialize, Serialize};

use crate::model::metrics::coverage;

/// Number of signals per prediction (see [`signals`]).
pub const N_SIGNALS: usize = 10;

/// What a prediction looks like to the confidence model, before scaling.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// Calibrated probabilities of the best and second-best code.
    pub p1: f32,
    pub p2: f32,
    /// Decision values (offsets applied) of the best and second-best code.
    pub d1: f32,
    pub d2: f32,
    /// Analyzer terms in the answer, and how many of them the model's vocabulary knows.
    pub terms: u32,
    pub known: u32,
    /// A second opinion, the naive Bayes on the same features: its probability of the top
    /// code, its own highest probability, and whether its best code is the same.
    pub nb_top: f32,
    pub nb_max: f32,
    pub agree: bool,
    /// The out-of-fold precision of the top code ([`code_precision`]).
    pub code_precision: f32,
}

/// Strength of the prior in [`code_precision`], in predictions: a code predicted a handful of
/// times out of fold keeps close to the overall accuracy.
const PRECISION_PRIOR: f64 = 10.0;

/// Per code, the share of its out-of-fold predictions that were right, shrunk towards the
/// overall accuracy (`(right + m·acc) / (predicted + m)`, m = `PRECISION_PRIOR`).
pub fn code_precision(pred: &[usize], truth: &[usize], k: usize) -> Vec<f32> {
    let mut right = vec![0f64; k];
    let mut made = vec![0f64; k];
    for (&p, &t) in pred.iter().zip(truth) {
        made[p] += 1.0;
        right[p] += f64::from(u8::from(p == t));
    }
    let acc = right.iter().sum::<f64>() / made.iter().sum::<f64>().max(1.0);
    right
        .iter()
        .zip(&made)
        .map(|(r, m)| ((r + PRECISION_PRIOR * acc) / (m + PRECISION_PRIOR)) as f32)
        .collect()
}

/// The log-odds of a share, kept finite.
fn logit(p: f32) -> f64 {
    let p = f64::from(p).clamp(1e-3, 1.0 - 1e-3);
    (p / (1.0 - p)).ln()
}

/// The signals the logistic model reads.
pub fn signals(e: &Evidence) -> [f64; N_SIGNALS] {
    let known = if e.terms == 0 {
        0.0
    } else {
        f64::from(e.known) / f64::from(e.terms)
    };
    [
        f64::from(e.p1),
        f64::from(e.p1 - e.p2),
        f64::from(e.d1 - e.d2),
        f64::from(e.d1),
        f64::from(e.terms).ln_1p(),
        known,
        f64::from(e.nb_top),
        f64::from(e.nb_max),
        f64::from(u8::from(e.agree)),
        logit(e.code_precision),
    ]
}

/// Logistic model of "the top code is right", on standardised signals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfidenceModel {
    /// Mean and spread of each signal on the fitting rows.
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
    /// Weight of each standardised signal, and the intercept.
    pub weights: Vec<f64>,
    pub bias: f64,
    /// For accuracy targets 0.50, 0.51 … 0.99: the confidence at or above which the accepted
    /// out-of-fold answers kept that accuracy (`None`: no share could be accepted).
    pub accept: Vec<Option<f64>>,
    /// Per code, its out-of-fold precision ([`code_precision`]): the evidence of a new answer
    /// reads its top code's entry.
    pub code_precision: Vec<f32>,
}

/// L2 penalty of the logistic fit (on standardised signals; a handful of weights and thousands
/// of rows, so it only keeps the fit finite when a signal separates the rows perfectly).
const L2: f64 = 1e-3;

/// Lowest accuracy target of [`ConfidenceModel::accept`].
const FIRST_TARGET: f64 = 0.50;

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl ConfidenceModel {
    /// The model used when there are too few rows to fit one (no weights): the confidence is
    /// the calibrated top probability itself.
    pub fn identity() -> ConfidenceModel {
        ConfidenceModel {
            mean: Vec::new(),
            scale: Vec::new(),
            weights: Vec::new(),
            bias: 0.0,
            accept: Vec::new(),
            code_precision: Vec::new(),
        }
    }

    /// The out-of-fold precision of code `c` (0.5 when the model has no table).
    pub fn precision_of(&self, c: usize) -> f32 {
        self.code_precision.get(c).copied().unwrap_or(0.5)
    }

    /// Fits the model on out-of-fold evidence and whether each top code was right (Newton's
    /// method on the penalised log-likelihood: deterministic, a few iterations); `precision` is
    /// the per-code table the evidence was built with, kept for new answers.
    pub fn fit(evidence: &[Evidence], right: &[bool], precision: Vec<f32>) -> ConfidenceModel {
        let n_right = right.iter().filter(|&&r| r).count();
        if evidence.len() < 20 || n_right == 0 || n_right == right.len() {
            return ConfidenceModel::identity();
        }
        let x: Vec<[f64; N_SIGNALS]> = evidence.iter().map(signals).collect();
        let (mean, scale) = standardisation(&x);
        let z: Vec<Vec<f64>> = x
            .iter()
            .map(|r| {
                let mut v: Vec<f64> = (0..N_SIGNALS)
                    .map(|j| (r[j] - mean[j]) / scale[j])
                    .collect();
                v.push(1.0);
                v
            })
            .collect();
        let beta = newton_logistic(&z, right);
        let mut m = ConfidenceModel {
            mean,
            scale,
            weights: beta[..N_SIGNALS].to_vec(),
            bias: beta[N_SIGNALS],
            accept: Vec::new(),
            code_precision: precision,
        };
        let conf: Vec<f64> = evidence.iter().map(|e| m.confidence(e)).collect();
        m.accept = (0..50)
            .map(|i| coverage(&conf, right, FIRST_TARGET + f64::from(i) / 100.0).threshold)
            .collect();
        m
    }

    /// The probability that the top code of a prediction with this evidence is right.
    pub fn confidence(&self, e: &Evidence) -> f64 {
        if self.weights.len() != N_SIGNALS {
            return f64::from(e.p1).clamp(0.0, 1.0);
        }
        let s = signals(e);
        let z = s
            .iter()
            .zip(&self.weights)
            .zip(self.mean.iter().zip(&self.scale))
            .fold(self.bias, |z, ((x, w), (m, sd))| z + w * (x - m) / sd);
        sigmoid(z)
    }

    /// The confidence threshold that kept accuracy `target` among the accepted out-of-fold
    /// answers (the nearest stored target at or above it), or `None` when no share could be
    /// accepted at that accuracy or the model has no curve.
    pub fn threshold_for(&self, target: f64) -> Option<f64> {
        let i = ((target - FIRST_TARGET) * 100.0 - 1e-9).ceil().max(0.0) as usize;
        self.accept.get(i).copied().flatten()
    }

    /// Checks the stored numbers (a model file that passes its checksum but not this is
    /// refused as corrupt).
    pub fn is_valid(&self) -> bool {
        let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
        if self.weights.is_empty() {
            return self.mean.is_empty() && self.scale.is_empty();
        }
        self.mean.len() == N_SIGNALS
            && self.scale.len() == N_SIGNALS
            && self.weights.len() == N_SIGNALS
            && finite(&self.mean)
            && finite(&self.weights)
            && self.scale.iter().all(|s| s.is_finite() && *s > 0.0)
            && self.bias.is_finite()
            && self.code_precision.iter().all(|p| p.is_finite())
    }
}

fn standardisation(x: &[[f64; N_SIGNALS]]) -> (Vec<f64>, Vec<f64>) {
    let n = x.len() as f64;
    let mean: Vec<f64> = (0..N_SIGNALS)
        .map(|j| x.iter().map(|r| r[j]).sum::<f64>() / n)
        .collect();
    let scale = (0..N_SIGNALS)
        .map(|j| {
            let var = x.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n;
            if var > 1e-12 { var.sqrt() } else { 1.0 }
        })
        .collect();
    (mean, scale)
}

/// Penalised logistic regression by Newton's method (the last column of `z` is the intercept,
/// left unpenalised).
fn newton_logistic(z: &[Vec<f64>], y: &[bool]) -> Vec<f64> {
    let d = z[0].len();
    let mut beta = vec![0.0; d];
    for _ in 0..25 {
        let mut grad = vec![0.0; d];
        let mut hess = vec![vec![0.0; d]; d];
        for (row, &yi) in z.iter().zip(y) {
            let p = sigmoid(row.iter().zip(&beta).map(|(a, b)| a * b).sum());
            let w = (p * (1.0 - p)).max(1e-9);
            let r = p - f64::from(u8::from(yi));
            for a in 0..d {
                grad[a] += r * row[a];
                for b in 0..=a {
                    hess[a][b] += w * row[a] * row[b];
                }
            }
        }
        for a in 0..d {
            let lower: Vec<f64> = hess[a][..a].to_vec();
            for (upper_row, v) in hess.iter_mut().zip(lower) {
                upper_row[a] = v;
            }
            if a + 1 < d {
                grad[a] += L2 * z.len() as f64 * beta[a];
                hess[a][a] += L2 * z.len() as f64;
            }
        }
        let Some(step) = solve(hess, grad) else {
            break;
        };
        let mut largest: f64 = 0.0;
        for (b, s) in beta.iter_mut().zip(&step) {
            *b -= s;
            largest = largest.max(s.abs());
        }
        if largest < 1e-8 {
            break;
        }
    }
    beta
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting (a tiny dense system).
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let piv = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        let pivot_row = a[col].clone();
        for row in col + 1..n {
            let f = a[row][col] / pivot_row[col];
            for (x, p) in a[row].iter_mut().zip(&pivot_row).skip(col) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| a[i][k] * x[k]).sum();
        x[i] = (b[i] - s) / a[i][i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(p1: f32, terms: u32, known: u32) -> Evidence {
        Evidence {
            p1,
            p2: 1.0 - p1,
            d1: p1,
            d2: 1.0 - p1,
            terms,
            known,
            nb_top: p1,
            nb_max: p1,
            agree: true,
            code_precision: 0.5,
        }
    }

    #[test]
    fn unknown_words_lower_the_confidence_the_data_says_they_should() {
        // The same top probability is right when the model knows the words and wrong when it
        // does not: the fitted confidence must tell the two apart.
        let mut e = Vec::new();
        let mut right = Vec::new();
        for i in 0..200 {
            let p = 0.5 + (i % 10) as f32 / 25.0;
            e.push(ev(p, 4, 4));
            right.push(i % 10 != 0);
            e.push(ev(p, 4, 0));
            right.push(i % 10 == 0);
        }
        let m = ConfidenceModel::fit(&e, &right, Vec::new());
        assert!(m.is_valid());
        assert!(m.confidence(&ev(0.8, 4, 4)) > 0.8);
        assert!(m.confidence(&ev(0.8, 4, 0)) < 0.2);
        // 90 % of the known-word rows are right: a threshold exists for 0.9, none for 0.99.
        assert!(m.threshold_for(0.9).is_some());
        assert_eq!(m.threshold_for(0.995), None);
    }

    #[test]
    fn too_few_rows_fall_back_to_the_top_probability() {
        let m = ConfidenceModel::fit(&[ev(0.7, 3, 3)], &[true], Vec::new());
        assert_eq!(m, ConfidenceModel::identity());
        assert!((m.confidence(&ev(0.7, 3, 3)) - 0.7).abs() < 1e-6);
        assert_eq!(m.threshold_for(0.9), None);
    }

    #[test]
    fn it_is_deterministic() {
        let e: Vec<Evidence> = (0..100)
            .map(|i| ev(0.3 + i as f32 / 200.0, 3, i % 4))
            .collect();
        let right: Vec<bool> = (0..100).map(|i| i % 3 != 0).collect();
        assert_eq!(
            ConfidenceModel::fit(&e, &right, Vec::new()),
            ConfidenceModel::fit(&e, &right, Vec::new())
        );
    }

    #[test]
    fn a_code_that_is_often_wrong_out_of_fold_lowers_the_confidence() {
        // Code 0 is right 9 times in 10 out of fold, code 1 twice in 10.
        let pred: Vec<usize> = (0..200).map(|i| i % 2).collect();
        let truth: Vec<usize> = (0..200)
            .map(|i| match (i % 2, i % 20 < 2, i % 20 < 16) {
                (0, wrong, _) => usize::from(wrong),
                (_, _, wrong) => usize::from(!wrong),
            })
            .collect();
        let table = code_precision(&pred, &truth, 2);
        assert!(table[0] > 0.8 && table[1] < 0.3, "{table:?}");
        // The same answer-level evidence, right as often as its code's precision says.
        let e: Vec<Evidence> = pred
            .iter()
            .map(|&c| Evidence {
                code_precision: table[c],
                ..ev(0.7, 4, 4)
            })
            .collect();
        let right: Vec<bool> = pred.iter().zip(&truth).map(|(p, t)| p == t).collect();
        let m = ConfidenceModel::fit(&e, &right, table.clone());
        let of = |c: usize| {
            m.confidence(&Evidence {
                code_precision: m.precision_of(c),
                ..ev(0.7, 4, 4)
            })
        };
        assert!(of(0) > 0.8 && of(1) < 0.3, "{} {}", of(0), of(1));
    }

    #[test]
    fn precision_of_a_rarely_predicted_code_stays_near_the_overall_accuracy() {
        // Code 1 predicted once, wrongly; overall accuracy 0.9.
        let mut pred = vec![0usize; 100];
        let mut truth = vec![0usize; 100];
        for t in truth.iter_mut().take(9) {
            *t = 2;
        }
        pred[99] = 1;
        truth[99] = 0;
        let table = code_precision(&pred, &truth, 3);
        assert!(table[1] > 0.7, "{table:?}");
    }
}
