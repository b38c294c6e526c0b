//! Stage: model. Turns decision values into calibrated confidences in [0, 1].
//!
//! In: out-of-fold decision values (from cross-validation) and the human codes. Out: a
//! [`Calibration`]: single-label → softmax over decision values with a fitted temperature;
//! multi-label → one Platt sigmoid `1 / (1 + exp(−(a·d + b)))` shared by all codes. Both are fitted
//! by minimising the negative log-likelihood (deterministic golden-section / Newton steps).

use serde::{Deserialize, Serialize};

/// How decision values become probabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Calibration {
    /// `p_k = softmax(d / temperature)_k` (single-label).
    Softmax {
        /// Fitted temperature (> 0).
        temperature: f64,
    },
    /// `p_k = sigmoid(a · d_k + b)` (multi-label, each code on its own).
    Sigmoid {
        /// Slope.
        a: f64,
        /// Offset.
        b: f64,
    },
}

impl Calibration {
    /// Probabilities for one row of decision values, written into `out`.
    pub fn probabilities(&self, d: &[f32], out: &mut [f32]) {
        match *self {
            Calibration::Softmax { temperature } => {
                let inv = (1.0 / temperature) as f32;
                let m = d.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let mut sum = 0.0;
                for (o, &v) in out.iter_mut().zip(d) {
                    *o = ((v - m) * inv).exp();
                    sum += *o;
                }
                for o in out.iter_mut() {
                    *o /= sum;
                }
            }
            Calibration::Sigmoid { a, b } => {
                for (o, &v) in out.iter_mut().zip(d) {
                    *o = (1.0 / (1.0 + (-(a * f64::from(v) + b)).exp())) as f32;
                }
            }
        }
    }
}

/// Mean negative log-likelihood of the true codes under softmax(d / t).
fn softmax_nll(d: &[Vec<f32>], truth: &[usize], t: f64) -> f64 {
    let mut nll = 0.0;
    for (row, &y) in d.iter().zip(truth) {
        let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
        let lse: f64 = row
            .iter()
            .map(|&v| ((f64::from(v) - m) / t).exp())
            .sum::<f64>()
            .ln();
        let dy = row.get(y).copied().unwrap_or(0.0) as f64;
        nll += lse - (dy - m) / t;
    }
    nll / d.len().max(1) as f64
}

/// Fits the softmax temperature on out-of-fold decision values (rows) and true code indices.
pub fn fit_softmax(d: &[Vec<f32>], truth: &[usize]) -> Calibration {
    if d.is_empty() {
        return Calibration::Softmax { temperature: 1.0 };
    }
    // Coarse grid on log t (step 0.5), then golden-section refinement around the best point
    // (one new evaluation per step).
    let f = |x: f64| softmax_nll(d, truth, x.exp());
    let mut best = (f64::INFINITY, 0.0);
    for i in 0..=20 {
        let x = -7.0 + f64::from(i) * 0.5;
        let v = f(x);
        if v < best.0 {
            best = (v, x);
        }
    }
    let (mut lo, mut hi) = (best.1 - 0.5, best.1 + 0.5);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut x1, mut x2) = (hi - g * (hi - lo), lo + g * (hi - lo));
    let (mut f1, mut f2) = (f(x1), f(x2));
    for _ in 0..20 {
        if f1 < f2 {
            hi = x2;
            (x2, f2) = (x1, f1);
            x1 = hi - g * (hi - lo);
            f1 = f(x1);
        } else {
            lo = x1;
            (x1, f1) = (x2, f2);
            x2 = lo + g * (hi - lo);
            f2 = f(x2);
        }
    }
    Calibration::Softmax {
        temperature: ((lo + hi) / 2.0).exp(),
    }
}

/// Fits a Platt sigmoid on pooled (decision value, is-this-code) pairs, with Platt's target
/// smoothing, by Newton's method with backtracking.
pub fn fit_sigmoid(d: &[f32], y: &[bool]) -> Calibration {
    let np = y.iter().filter(|&&b| b).count() as f64;
    let nn = y.len() as f64 - np;
    if np == 0.0 || nn == 0.0 {
        return Calibration::Sigmoid { a: 1.0, b: 0.0 };
    }
    let (tp, tn) = ((np + 1.0) / (np + 2.0), 1.0 / (nn + 2.0));
    let t: Vec<f64> = y.iter().map(|&b| if b { tp } else { tn }).collect();
    let nll = |a: f64, b: f64| -> f64 {
        d.iter()
            .zip(&t)
            .map(|(&x, &ti)| {
                let z = a * f64::from(x) + b;
                // log(1 + e^z) − t·z, computed stably
                let l = if z > 0.0 {
                    z + (-z).exp().ln_1p()
                } else {
                    z.exp().ln_1p()
                };
                l - ti * z
            })
            .sum()
    };
    let (mut a, mut b) = (1.0, 0.0);
    let mut f = nll(a, b);
    for _ in 0..100 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-12, 0.0, 1e-12);
        for (&x, &ti) in d.iter().zip(&t) {
            let x = f64::from(x);
            let p = 1.0 / (1.0 + (-(a * x + b)).exp());
            let r = p - ti;
            let w = p * (1.0 - p);
            ga += r * x;
            gb += r;
            haa += w * x * x;
            hab += w * x;
            hbb += w;
        }
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-18 {
            break;
        }
        let da = -(hbb * ga - hab * gb) / det;
        let db = -(haa * gb - hab * ga) / det;
        let mut step = 1.0;
        let mut improved = false;
        while step > 1e-8 {
            let (na, nb) = (a + step * da, b + step * db);
            let nf = nll(na, nb);
            if nf < f {
                (a, b, f) = (na, nb, nf);
                improved = true;
                break;
            }
            step /= 2.0;
        }
        if !improved || (ga.abs() < 1e-6 && gb.abs() < 1e-6) {
            break;
        }
    }
    Calibration::Sigmoid { a, b }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperature_sharpens_when_confident_decisions_are_right() {
        // Decisions always right with a small gap: NLL falls as t shrinks, so t ends small.
        let d = vec![vec![0.2, 0.0], vec![0.0, 0.2]];
        let Calibration::Softmax { temperature } = fit_softmax(&d, &[0, 1]) else {
            panic!()
        };
        assert!(temperature < 0.01, "{temperature}");
        // Half right: the best temperature flattens the softmax (large t).
        let d = vec![vec![0.2, 0.0], vec![0.2, 0.0]];
        let Calibration::Softmax { temperature } = fit_softmax(&d, &[0, 1]) else {
            panic!()
        };
        assert!(temperature > 10.0, "{temperature}");
        let mut p = [0.0; 2];
        Calibration::Softmax { temperature: 1.0 }.probabilities(&[0.0, 0.0], &mut p);
        assert_eq!(p, [0.5, 0.5]);
    }

    #[test]
    fn sigmoid_is_increasing_and_in_unit_interval() {
        let d: Vec<f32> = (0..40).map(|i| i as f32 / 10.0 - 2.0).collect();
        let y: Vec<bool> = (0..40).map(|i| i > 22 || i % 7 == 0).collect();
        let c = fit_sigmoid(&d, &y);
        let mut p = [0.0; 2];
        c.probabilities(&[-1.0, 1.0], &mut p);
        assert!(p[0] < p[1] && p[0] > 0.0 && p[1] < 1.0, "{p:?} {c:?}");
    }
}
