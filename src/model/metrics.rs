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
    /// How the predictions were obtained (e.g. "forward: train on earlier months, test on each
    /// of the last 3", "5 folds of whole groups (month)", "5-fold stratified", "held-out").
    pub protocol: String,
    /// Single-label: how the model's confidence ranks its answers (see [`Ranking`]).
    pub ranking: Option<Ranking>,
}

/// How well the model's confidence separates right from wrong answers: what an analyst who
/// accepts the sure ones and reviews the rest gets (semi-automatic coding).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    /// Share of rows whose human code is among the three most probable codes.
    pub top3_accuracy: f64,
    /// For 95 %, 90 % and 80 % accuracy: the largest share of rows that can be accepted, most
    /// confident first, keeping that accuracy among the accepted, and the confidence threshold
    /// that does it.
    pub coverage: Vec<Coverage>,
    /// Reliability table: rows grouped by confidence, mean confidence against observed accuracy.
    pub reliability: Vec<ReliabilityBin>,
}

/// One point of the coverage curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// The accuracy demanded of the accepted rows.
    pub target: f64,
    /// Share of all rows accepted.
    pub share: f64,
    /// Accept rows with confidence ≥ this (None when no row can be accepted).
    pub threshold: Option<f64>,
}

/// One bin of the reliability table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    /// Confidence range `[lo, hi)` of the bin.
    pub lo: f64,
    pub hi: f64,
    /// Rows in the bin.
    pub n: usize,
    /// Their mean confidence.
    pub confidence: f64,
    /// Share of them that were right.
    pub accuracy: f64,
}

/// The accuracy targets of [`Ranking::coverage`].
pub const COVERAGE_TARGETS: [f64; 3] = [0.95, 0.90, 0.80];

/// The largest share of rows that can be accepted, most confident first, with at least
/// `target` of the accepted right; and the confidence of the last accepted row. Ties in
/// confidence are accepted or refused together, since a threshold cannot split them.
pub fn coverage(confidence: &[f64], right: &[bool], target: f64) -> Coverage {
    let mut order: Vec<usize> = (0..confidence.len().min(right.len())).collect();
    order.sort_by(|&a, &b| confidence[b].total_cmp(&confidence[a]).then(a.cmp(&b)));
    let (mut ok, mut best, mut threshold) = (0usize, 0usize, None);
    for (i, &r) in order.iter().enumerate() {
        ok += usize::from(right[r]);
        let tie_follows = order
            .get(i + 1)
            .is_some_and(|&next| confidence[next] == confidence[r]);
        if !tie_follows && ok as f64 >= target * (i + 1) as f64 {
            best = i + 1;
            threshold = Some(confidence[r]);
        }
    }
    Coverage {
        target,
        share: ratio(best, order.len()),
        threshold,
    }
}

/// Ten equal-width confidence bins, empty ones left out.
pub fn reliability(confidence: &[f64], right: &[bool]) -> Vec<ReliabilityBin> {
    let mut bins: Vec<(usize, f64, usize)> = vec![(0, 0.0, 0); 10];
    for (&c, &r) in confidence.iter().zip(right) {
        let b = ((c * 10.0).floor() as usize).min(9);
        bins[b].0 += 1;
        bins[b].1 += c;
        bins[b].2 += usize::from(r);
    }
    bins.into_iter()
        .enumerate()
        .filter(|(_, (n, _, _))| *n > 0)
        .map(|(i, (n, sum, ok))| ReliabilityBin {
            lo: i as f64 / 10.0,
            hi: (i + 1) as f64 / 10.0,
            n,
            confidence: sum / n as f64,
            accuracy: ratio(ok, n),
        })
        .collect()
}

/// The ranking figures of single-label predictions: `top3[i]` tells whether row i's human code
/// is among its three most probable codes, `confidence[i]` and `right[i]` describe its top code.
pub fn ranking(confidence: &[f64], right: &[bool], top3: &[bool]) -> Ranking {
    Ranking {
        top3_accuracy: ratio(top3.iter().filter(|&&b| b).count(), top3.len()),
        coverage: COVERAGE_TARGETS
            .iter()
            .map(|&t| coverage(confidence, right, t))
            .collect(),
        reliability: reliability(confidence, right),
    }
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
        protocol: String::new(),
        ranking: None,
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
        protocol: String::new(),
        ranking: None,
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
    fn coverage_accepts_the_surest_rows_while_accuracy_holds() {
        // Most confident first: right, right, wrong, right, wrong.
        let conf = [0.9, 0.8, 0.7, 0.6, 0.5];
        let right = [true, true, false, true, false];
        let c = coverage(&conf, &right, 0.9);
        assert_eq!((c.share, c.threshold), (0.4, Some(0.8)));
        let c = coverage(&conf, &right, 0.75);
        assert_eq!((c.share, c.threshold), (0.8, Some(0.6)));
        let none = coverage(&[0.5, 0.4], &[false, true], 0.9);
        assert_eq!((none.share, none.threshold), (0.0, None));
    }

    #[test]
    fn coverage_never_splits_tied_confidences() {
        // The two rows at 0.8 go together: 2 of 3 right is below 90 %.
        let c = coverage(&[0.9, 0.8, 0.8], &[true, true, false], 0.9);
        assert_eq!((c.share, c.threshold), (1.0 / 3.0, Some(0.9)));
    }

    #[test]
    fn reliability_bins_compare_confidence_with_accuracy() {
        let bins = reliability(&[0.95, 0.91, 0.15], &[true, false, false]);
        assert_eq!(bins.len(), 2);
        assert_eq!((bins[1].n, bins[1].accuracy), (2, 0.5));
        assert!((bins[1].confidence - 0.93).abs() < 1e-9);
        assert_eq!((bins[0].lo, bins[0].n, bins[0].accuracy), (0.1, 1, 0.0));
    }

    #[test]
    fn kappa_edge_cases() {
        assert_eq!(kappa_from_confusion(&[]), 0.0);
        assert_eq!(kappa_from_confusion(&[vec![3]]), 1.0);
    }
}
