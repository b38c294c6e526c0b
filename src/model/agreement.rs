//! Stage: model (evaluation). Agreement between two coders (two humans, or a human and the model).
//!
//! In: per unit (answer), the code set each coder gave (empty = not coded: the unit is skipped,
//! as Krippendorff's alpha only counts pairable values). Out: percent agreement, Cohen's kappa
//! and Krippendorff's alpha (nominal), overall — the code set as one nominal value — and per code
//! — the presence of that code as a binary value.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::metrics::kappa_from_confusion;

/// Agreement figures over a set of units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementStats {
    /// Units both coders coded.
    pub units: usize,
    /// Share of units with identical values.
    pub percent: f64,
    /// Cohen's kappa.
    pub kappa: f64,
    /// Krippendorff's alpha, nominal metric, two coders, no missing values among `units`.
    pub alpha: f64,
}

/// Agreement per code and overall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementReport {
    /// Over the whole code set of each unit.
    pub overall: AgreementStats,
    /// Per code (sorted), on the presence of the code.
    pub per_code: Vec<(String, AgreementStats)>,
    /// Units skipped because one coder left them empty.
    pub skipped: usize,
}

/// Agreement of two nominal value sequences (same length, same units).
pub fn nominal<T: Ord + Clone>(a: &[T], b: &[T]) -> AgreementStats {
    let mut cats: BTreeMap<T, usize> = BTreeMap::new();
    for v in a.iter().chain(b) {
        let next = cats.len();
        cats.entry(v.clone()).or_insert(next);
    }
    let k = cats.len();
    let mut cm = vec![vec![0usize; k]; k];
    for (x, y) in a.iter().zip(b) {
        cm[cats[x]][cats[y]] += 1;
    }
    let units = a.len().min(b.len());
    let same: usize = (0..k).map(|i| cm[i][i]).sum();
    AgreementStats {
        units,
        percent: if units == 0 {
            0.0
        } else {
            same as f64 / units as f64
        },
        kappa: kappa_from_confusion(&cm),
        alpha: alpha_from_confusion(&cm),
    }
}

/// Krippendorff's alpha (nominal) for two coders from their confusion matrix: the coincidence
/// matrix is `cm + cmᵀ`, and α = 1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k.
pub fn alpha_from_confusion(cm: &[Vec<usize>]) -> f64 {
    let k = cm.len();
    let o = |c: usize, d: usize| (cm[c][d] + cm[d][c]) as f64;
    let nc: Vec<f64> = (0..k).map(|c| (0..k).map(|d| o(c, d)).sum()).collect();
    let n: f64 = nc.iter().sum();
    let mut disagree = 0.0;
    let mut expected = 0.0;
    for c in 0..k {
        for d in 0..k {
            if c != d {
                disagree += o(c, d);
                expected += nc[c] * nc[d];
            }
        }
    }
    if n < 2.0 {
        return 0.0;
    }
    if expected == 0.0 {
        // A single category used by both coders: perfect but uninformative agreement.
        return if disagree == 0.0 { 1.0 } else { 0.0 };
    }
    1.0 - (n - 1.0) * disagree / expected
}

/// Overall and per-code agreement of two coders over the same units.
pub fn agreement(a: &[Vec<String>], b: &[Vec<String>]) -> AgreementReport {
    let mut va = Vec::new();
    let mut vb = Vec::new();
    let mut skipped = 0;
    for (x, y) in a.iter().zip(b) {
        if x.is_empty() || y.is_empty() {
            skipped += 1;
            continue;
        }
        let mut x = x.clone();
        let mut y = y.clone();
        x.sort();
        x.dedup();
        y.sort();
        y.dedup();
        va.push(x);
        vb.push(y);
    }
    let codes: std::collections::BTreeSet<&String> = va.iter().chain(&vb).flatten().collect();
    let per_code = codes
        .into_iter()
        .map(|c| {
            let pa: Vec<bool> = va.iter().map(|s| s.contains(c)).collect();
            let pb: Vec<bool> = vb.iter().map(|s| s.contains(c)).collect();
            (c.clone(), nominal(&pa, &pb))
        })
        .collect();
    let ja: Vec<String> = va.iter().map(|s| s.join(";")).collect();
    let jb: Vec<String> = vb.iter().map(|s| s.join(";")).collect();
    AgreementReport {
        overall: nominal(&ja, &jb),
        per_code,
        skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<Vec<String>> {
        s.iter()
            .map(|x| {
                x.split(';')
                    .filter(|c| !c.is_empty())
                    .map(String::from)
                    .collect()
            })
            .collect()
    }

    #[test]
    fn hand_computed_two_coders() {
        // A = [a,a,b,b], B = [a,b,b,b]. Hand computation:
        // percent 3/4; kappa: p_o 0.75, p_e (2·1 + 2·3)/16 = 0.5 → 0.5;
        // alpha: coincidences o_aa 2, o_ab = o_ba 1, o_bb 4; n 8, n_a 3, n_b 5
        // → 1 − 7·2 / (2·3·5) = 0.533333 (also krippendorff.alpha(level_of_measurement='nominal')).
        let r = agreement(
            &v(&["a", "a", "b", "b", ""]),
            &v(&["a", "b", "b", "b", "a"]),
        );
        assert_eq!(r.skipped, 1);
        assert_eq!(r.overall.units, 4);
        assert!((r.overall.percent - 0.75).abs() < 1e-12);
        assert!((r.overall.kappa - 0.5).abs() < 1e-12);
        assert!((r.overall.alpha - (1.0 - 14.0 / 30.0)).abs() < 1e-12);
        assert_eq!(r.per_code.len(), 2);
        assert_eq!(r.per_code[0].0, "a");
    }

    #[test]
    fn perfect_agreement_and_multi_label_sets() {
        let r = agreement(&v(&["x;y", "y"]), &v(&["y;x", "y"]));
        assert_eq!(r.overall.percent, 1.0);
        assert_eq!(r.overall.alpha, 1.0);
        assert_eq!(r.overall.kappa, 1.0);
    }
}
