//! Stage: model (evaluation). Predicted codes vs human codes in; quality figures out.
//!
//! Single-label: accuracy, macro / micro / weighted F1, per-code precision, recall, F1, support,
//! the confusion matrix and Cohen's kappa. Multi-label (indicator sets): subset accuracy and the
//! same averages over per-code binary decisions (kappa and the confusion matrix are single-label
//! notions and are left out). Definitions follow scikit-learn's `classification_report` (a code
//! with no predictions has precision 0).

use serde::{Deserialize, Serialize};

/// Quality of one code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeMetrics {
    /// The code.
    pub code: String,
    /// TP / (TP + FP), 0 when nothing was predicted.
    pub precision: f64,
    /// TP / (TP + FN).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Human-coded rows with this code.
    pub support: usize,
}

/// The full evaluation of predictions against human codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Rows evaluated.
    pub n: usize,
    /// Share of rows whose predicted code (set) equals the human one.
    pub accuracy: f64,
    /// Unweighted mean of per-code F1.
    pub macro_f1: f64,
    /// F1 of the pooled TP/FP/FN counts.
    pub micro_f1: f64,
    /// Mean of per-code F1 weighted by support.
    pub weighted_f1: f64,
    /// Cohen's kappa between model and humans (single-label only).
    pub kappa: Option<f64>,
    /// Per-code figures, in code-list order.
    pub per_code: Vec<CodeMetrics>,
    /// `confusion[true][pred]` counts (single-label only).
    pub confusion: Option<Vec<Vec<usize>>>,
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Builds per-code metrics and averages from TP/FP/FN counts.
fn from_counts(
    codes: &[String],
    tp: &[usize],
    fp: &[usize],
    fn_: &[usize],
) -> (Vec<CodeMetrics>, f64, f64, f64) {
    let mut per = Vec::with_capacity(codes.len());
    for (k, code) in codes.iter().enumerate() {
        let p = ratio(tp[k], tp[k] + fp[k]);
        let r = ratio(tp[k], tp[k] + fn_[k]);
        per.push(CodeMetrics {
            code: code.clone(),
            precision: p,
            recall: r,
            f1: f1(p, r),
            support: tp[k] + fn_[k],
        });
    }
    // Like scikit-learn, codes that neither occur nor are predicted do not enter the averages.
    let present: Vec<&CodeMetrics> = per
        .iter()
        .enumerate()
        .filter(|(k, m)| m.support > 0 || fp[*k] > 0)
        .map(|(_, m)| m)
        .collect();
    let macro_f1 = if present.is_empty() {
        0.0
    } else {
        present.iter().map(|m| m.f1).sum::<f64>() / present.len() as f64
    };
    let total: usize = per.iter().map(|m| m.support).sum();
    let weighted = if total == 0 {
        0.0
    } else {
        per.iter().map(|m| m.f1 * m.support as f64).sum::<f64>() / total as f64
    };
    let (t, p, n) = (
        tp.iter().sum::<usize>(),
        fp.iter().sum::<usize>(),
        fn_.iter().sum::<usize>(),
    );
    let micro = f1(ratio(t, t + p), ratio(t, t + n));
    (per, macro_f1, micro, weighted)
}

/// Evaluates single-label predictions (code indices into `codes`).
pub fn single_label(codes: &[String], truth: &[usize], pred: &[usize]) -> Report {
    let k = codes.len();
    let mut cm = vec![vec![0usize; k]; k];
    for (&t, &p) in truth.iter().zip(pred) {
        if t < k && p < k {
            cm[t][p] += 1;
        }
    }
    let n: usize = cm.iter().flatten().sum();
    let tp: Vec<usize> = (0..k).map(|i| cm[i][i]).collect();
    let fp: Vec<usize> = (0..k)
        .map(|j| (0..k).map(|i| cm[i][j]).sum::<usize>() - cm[j][j])
        .collect();
    let fn_: Vec<usize> = (0..k)
        .map(|i| cm[i].iter().sum::<usize>() - cm[i][i])
        .collect();
    let (per_code, macro_f1, micro_f1, weighted_f1) = from_counts(codes, &tp, &fp, &fn_);
    Report {
        n,
        accuracy: ratio(tp.iter().sum(), n),
        macro_f1,
        micro_f1,
        weighted_f1,
        kappa: Some(kappa_from_confusion(&cm)),
        per_code,
        confusion: Some(cm),
    }
}

/// Evaluates multi-label predictions (`truth[i][k]`, `pred[i][k]` indicators).
pub fn multi_label(codes: &[String], truth: &[Vec<bool>], pred: &[Vec<bool>]) -> Report {
    let k = codes.len();
    let (mut tp, mut fp, mut fn_) = (vec![0; k], vec![0; k], vec![0; k]);
    let mut exact = 0;
    for (t, p) in truth.iter().zip(pred) {
        if t == p {
            exact += 1;
        }
        for c in 0..k {
            match (
                t.get(c).copied().unwrap_or(false),
                p.get(c).copied().unwrap_or(false),
            ) {
                (true, true) => tp[c] += 1,
                (false, true) => fp[c] += 1,
                (true, false) => fn_[c] += 1,
                _ => {}
            }
        }
    }
    let n = truth.len().min(pred.len());
    let (per_code, macro_f1, micro_f1, weighted_f1) = from_counts(codes, &tp, &fp, &fn_);
    Report {
        n,
        accuracy: ratio(exact, n),
        macro_f1,
        micro_f1,
        weighted_f1,
        kappa: None,
        per_code,
        confusion: None,
    }
}

/// Cohen's kappa from a square confusion matrix: (p_o − p_e) / (1 − p_e); 1 when both raters
/// agree perfectly with p_e = 1 (a single category), 0 for an empty matrix.
pub fn kappa_from_confusion(cm: &[Vec<usize>]) -> f64 {
    let n: usize = cm.iter().flatten().sum();
    if n == 0 {
        return 0.0;
    }
    let n = n as f64;
    let k = cm.len();
    let po = (0..k).map(|i| cm[i][i]).sum::<usize>() as f64 / n;
    let pe: f64 = (0..k)
        .map(|i| {
            let row: usize = cm[i].iter().sum();
            let col: usize = cm.iter().map(|r| r[i]).sum();
            row as f64 * col as f64 / (n * n)
        })
        .sum();
    if (1.0 - pe).abs() < 1e-12 {
        if (po - 1.0).abs() < 1e-12 { 1.0 } else { 0.0 }
    } else {
        (po - pe) / (1.0 - pe)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::prelude::ToConfusionMatrix;
    use ndarray::Array1;

    fn codes(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("c{i}")).collect()
    }

    #[test]
    fn single_label_matches_scikit_learn() {
        // Reference (scikit-learn 1.x): y_true=[0,0,1,1,2,2], y_pred=[0,1,1,1,2,0]
        // accuracy 0.6667; f1 per class [0.5, 0.8, 0.6667]; macro 0.6556; weighted 0.6556;
        // micro 0.6667; cohen_kappa_score 0.5.
        let t = [0, 0, 1, 1, 2, 2];
        let p = [0, 1, 1, 1, 2, 0];
        let r = single_label(&codes(3), &t, &p);
        assert!((r.accuracy - 4.0 / 6.0).abs() < 1e-9);
        assert!((r.per_code[0].f1 - 0.5).abs() < 1e-9);
        assert!((r.per_code[1].f1 - 0.8).abs() < 1e-9);
        assert!((r.per_code[2].f1 - 2.0 / 3.0).abs() < 1e-9);
        assert!((r.macro_f1 - (0.5 + 0.8 + 2.0 / 3.0) / 3.0).abs() < 1e-9);
        assert!((r.micro_f1 - 4.0 / 6.0).abs() < 1e-9);
        assert!((r.kappa.unwrap() - 0.5).abs() < 1e-9);
        assert_eq!(r.confusion.as_ref().unwrap()[0], vec![1, 1, 0]);
        // linfa's own confusion matrix agrees on accuracy.
        let cm = Array1::from(p.to_vec())
            .confusion_matrix(Array1::from(t.to_vec()))
            .unwrap();
        assert!((f64::from(cm.accuracy()) - r.accuracy).abs() < 1e-6);
    }

    #[test]
    fn multi_label_counts() {
        let t = vec![vec![true, false], vec![true, true], vec![false, true]];
        let p = vec![vec![true, false], vec![true, false], vec![true, true]];
        let r = multi_label(&codes(2), &t, &p);
        assert!((r.accuracy - 1.0 / 3.0).abs() < 1e-9);
        // code 0: tp 2 fp 1 fn 0 → p 2/3 r 1 f1 0.8; code 1: tp 1 fp 0 fn 1 → f1 2/3
        assert!((r.per_code[0].f1 - 0.8).abs() < 1e-9);
        assert!((r.per_code[1].f1 - 2.0 / 3.0).abs() < 1e-9);
        // micro: tp 3 fp 1 fn 1 → 0.75
        assert!((r.micro_f1 - 0.75).abs() < 1e-9);
        assert!(r.kappa.is_none());
    }

    #[test]
    fn kappa_edge_cases() {
        assert_eq!(kappa_from_confusion(&[]), 0.0);
        assert_eq!(kappa_from_confusion(&[vec![3]]), 1.0);
    }
}
