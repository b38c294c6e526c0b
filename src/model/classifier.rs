//! Stage: model. One question's classifier: training (with cross-validation and calibration)
//! and classification of answers.
//!
//! In (training): coded examples `(text, codes)` of one question, the analyzer, and
//! [`TrainSettings`]. Out: a [`QuestionModel`] (vectorizer + linear model + calibration +
//! metadata). In (classification): answer texts; out: [`Prediction`]s with code(s), calibrated
//! confidence, margin and the terms that weighed most.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use linfa::ParamGuard;
use linfa::dataset::DatasetBase;
use linfa::traits::Fit;
use ndarray::{Array1, Array2};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::analyze::Analyzer;
use crate::features::{SparseRecords, TfidfParams, TfidfSettings, TfidfVectorizer, WORDS_MARK};
use crate::model::calibrate::{Calibration, fit_sigmoid, fit_softmax};
use crate::model::confidence::{ConfidenceModel, Evidence, code_precision};
use crate::model::cv::{group_folds, n_groups, stratified_folds, stratified_sample};
use crate::model::error::{EngineError, Result};
use crate::model::linear::{
    ComplementNbParams, ComplementNbSettings, LinearModel, LinearSvcParams, LinearSvcSettings,
};
use crate::model::metrics::{self, Report};
use crate::model::nonanswer::is_non_answer;
use crate::model::offsets::tune_offsets;
use crate::model::params::ValidTrainParams;

/// Fewer training examples than this for a code draws a warning.
pub const MIN_EXAMPLES_PER_CODE: usize = 5;

/// Default [`TrainSettings::cv_max_rows`].
pub const DEFAULT_CV_MAX_ROWS: usize = 20_000;

/// Which learner to train.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Learner {
    /// Linear SVM, dual coordinate descent.
    LinearSvc(LinearSvcSettings),
    /// Complement Naive Bayes.
    ComplementNb(ComplementNbSettings),
    /// Both, blended: decision = svm / σ_svm + `cnb_weight` · centred cnb / σ_cnb, where σ is
    /// the spread of each model's (centred) training decision values. Still one linear model.
    SvcCnb {
        /// The SVM.
        svc: LinearSvcSettings,
        /// The naive Bayes.
        cnb: ComplementNbSettings,
        /// Weight of the naive Bayes scores.
        cnb_weight: f32,
    },
}

impl Learner {
    /// Fits on rows `x` with codes `y`, row i standing for `weights[i]` identical answers.
    fn fit(&self, x: SparseRecords, y: Array2<bool>, weights: Vec<f32>) -> Result<LinearModel> {
        let ds = DatasetBase::new(x, y).with_weights(Array1::from(weights));
        let m = match self {
            Learner::LinearSvc(s) => LinearSvcParams::new(s.clone()).check()?.fit(&ds)?,
            Learner::ComplementNb(s) => ComplementNbParams::new(s.clone()).check()?.fit(&ds)?,
            Learner::SvcCnb {
                svc,
                cnb,
                cnb_weight,
            } => {
                let a = LinearSvcParams::new(svc.clone()).check()?.fit(&ds)?;
                let b = ComplementNbParams::new(cnb.clone()).check()?.fit(&ds)?;
                let (sa, sb) = (a.centred_scale(&ds), b.centred_scale(&ds));
                a.blend(1.0 / sa, &b, cnb_weight / sb)?
            }
        };
        Ok(m)
    }
}

/// Everything that decides how a model is trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainSettings {
    /// Features.
    pub tfidf: TfidfSettings,
    /// Learner and its hyper-parameters.
    pub learner: Learner,
    /// Several codes per answer (one-vs-rest with a threshold) instead of exactly one (argmax).
    pub multi_label: bool,
    /// Folds of the cross-validation that measures quality and fits the calibration
    /// (0 or 1: none; calibration then falls back to a fixed temperature).
    pub cv_folds: usize,
    /// Cross-validate on a stratified sample of at most about this many rows (0: all rows).
    /// The cross-validation only measures quality and fits the calibration and the per-code
    /// offsets, a handful of numbers that a 20,000-row sample pins down as well as a million
    /// rows do; the final model always learns from every row. This keeps training linear in
    /// the number of answers (see docs/benchmarks.md).
    pub cv_max_rows: usize,
    /// Seed of every random choice (folds, SVM permutations).
    pub seed: u64,
    /// Single-label: shift each code's bias to maximise out-of-fold macro-F1 (needs CV).
    pub tune_offsets: bool,
}

/// The defaults were picked by grouped validation on the cabildos benchmark (leave one region
/// out: every answer scored by a model that never saw anybody of its region; see
/// models/README.md and docs/benchmarks.md): word 1–2-grams of the stems + char 3–5-grams of
/// each stem + char 2–5-grams of the surface words (folded, stop words kept), linear SVM with
/// C = 0.2 and balanced class weights, tuned per-code offsets.
impl Default for TrainSettings {
    fn default() -> Self {
        TrainSettings {
            tfidf: TfidfSettings {
                char_ngrams: Some((3, 5)),
                word_chars: Some((2, 5)),
                ..TfidfSettings::default()
            },
            learner: Learner::LinearSvc(LinearSvcSettings::default()),
            multi_label: false,
            cv_folds: 5,
            cv_max_rows: DEFAULT_CV_MAX_ROWS,
            seed: 42,
            tune_offsets: true,
        }
    }
}

/// A coded example.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// Answer text.
    pub text: String,
    /// Human code(s).
    pub codes: Vec<String>,
    /// The group the answer belongs to for validation (its month, region, cabildo…): answers of
    /// one group are never split between training and validation, since a new month's answers
    /// come from people the model never saw. `None`: rows are folded at random.
    pub group: Option<String>,
}

impl Example {
    /// An example without a group.
    pub fn new(text: impl Into<String>, codes: Vec<String>) -> Example {
        Example {
            text: text.into(),
            codes,
            group: None,
        }
    }
}

/// What the model file records about its training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingMeta {
    /// Rows used (after dropping non-answers and uncoded rows).
    pub rows: usize,
    /// Non-answers left out.
    pub non_answers: usize,
    /// Training rows per code, code order.
    pub rows_per_code: Vec<(String, usize)>,
    /// Cross-validated quality (None without CV).
    pub cv: Option<Report>,
    /// Warnings raised while training.
    pub warnings: Vec<String>,
}

/// One question's trained classifier.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QuestionModel {
    /// The question (empty when the model is not tied to one).
    pub question: String,
    /// Codes, sorted; model outputs index into this list.
    pub codes: Vec<String>,
    /// Training settings.
    pub settings: TrainSettings,
    /// Features.
    pub vectorizer: TfidfVectorizer,
    /// Weights.
    pub linear: LinearModel,
    /// Decision values → probabilities.
    pub calibration: Calibration,
    /// Single-label: the probability that the top code is right (see
    /// [`crate::model::confidence`]); multi-label: the identity (the top probability).
    pub confidence: ConfidenceModel,
    /// Single-label: a complement naive Bayes on the same features, whose opinion of an answer
    /// is part of the confidence's evidence.
    pub nb: Option<LinearModel>,
    /// Training metadata.
    pub meta: TrainingMeta,
}

/// The outcome of classifying one answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// Predicted code(s), most probable first (empty for a non-answer).
    pub codes: Vec<String>,
    /// Calibrated probability of the top code, in [0, 1].
    pub confidence: f64,
    /// Single-label: top-1 minus top-2 probability. Multi-label: twice the smallest distance of
    /// any code's probability from the 0.5 threshold. Low = unsure; the review queue sorts on it.
    pub margin: f64,
    /// The word features that pushed most towards the top code.
    pub top_terms: Vec<String>,
    /// The three most probable codes with their calibrated probabilities, most probable first
    /// (fewer when the question has fewer codes): an analyst choosing among three decides
    /// faster than among all.
    pub alternatives: Vec<(String, f64)>,
    /// True when the text was a non-answer and no code was given.
    pub non_answer: bool,
}

/// The token sequence the vectorizer reads for one text: the analyzer's terms and, when the
/// features use them, [`WORDS_MARK`] and the surface words.
pub fn feature_doc(analyzer: &mut Analyzer, text: &str, tfidf: &TfidfSettings) -> Vec<String> {
    let mut doc = analyzer.terms(text);
    if tfidf.word_chars.is_some() {
        doc.push(WORDS_MARK.to_string());
        analyzer.for_each_word(text, |w| doc.push(w.to_string()));
    }
    doc
}

/// Feature documents of every text (one analyzer, reused).
pub fn analyze_all(
    analyzer: &mut Analyzer,
    texts: &[&str],
    tfidf: &TfidfSettings,
) -> Vec<Vec<String>> {
    texts
        .iter()
        .map(|t| feature_doc(analyzer, t, tfidf))
        .collect()
}

/// Rows × codes indicator matrix.
fn indicator(labels: &[Vec<usize>], k: usize) -> Array2<bool> {
    let mut y = Array2::from_elem((labels.len(), k), false);
    for (i, ls) in labels.iter().enumerate() {
        for &c in ls {
            y[[i, c]] = true;
        }
    }
    y
}

/// Rows with the same terms and the same codes, folded into one: `(first row, count)` per
/// distinct pair, in order of first appearance. Survey answers repeat a lot ("Sí", "Sin
/// fundamento", the same sentence every month): a learner sees each distinct example once with
/// its count as weight, which is the same problem (see [`crate::model::linear`]) in fewer rows.
fn distinct_examples(terms: &[&[String]], labels: &[&[usize]]) -> Vec<(usize, u32)> {
    let mut seen: FxHashMap<(&[String], &[usize]), usize> = FxHashMap::default();
    let mut out: Vec<(usize, u32)> = Vec::new();
    for (i, (&t, &l)) in terms.iter().zip(labels).enumerate() {
        match seen.entry((t, l)) {
            Entry::Occupied(e) => out[*e.get()].1 += 1,
            Entry::Vacant(e) => {
                e.insert(out.len());
                out.push((i, 1));
            }
        }
    }
    out
}

/// Fits the vectorizer on every row (document frequencies count repeats) and the learner on
/// the distinct rows weighted by their counts.
fn fit_once(
    settings: &TrainSettings,
    terms: &[&[String]],
    labels: &[&[usize]],
    k: usize,
) -> Result<(TfidfVectorizer, LinearModel, Option<LinearModel>)> {
    let tp = TfidfParams::new(settings.tfidf.clone()).check()?;
    let vec = TfidfVectorizer::fit(&tp, terms)?;
    let distinct = distinct_examples(terms, labels);
    let d_terms: Vec<&[String]> = distinct.iter().map(|&(i, _)| terms[i]).collect();
    let d_labels: Vec<Vec<usize>> = distinct.iter().map(|&(i, _)| labels[i].to_vec()).collect();
    let weights: Vec<f32> = distinct.iter().map(|&(_, m)| m as f32).collect();
    let x = vec.transform(&d_terms)?;
    let y = indicator(&d_labels, k);
    // Single-label: a complement naive Bayes on the same rows, a second opinion for the
    // confidence (an answer both models code alike is more often right).
    let nb = if settings.multi_label {
        None
    } else {
        let ds = DatasetBase::new(x.clone(), y.clone()).with_weights(Array1::from(weights.clone()));
        Some(
            ComplementNbParams::new(ComplementNbSettings { alpha: 1.0 })
                .check()?
                .fit(&ds)?,
        )
    };
    let lin = settings.learner.fit(x, y, weights)?;
    Ok((vec, lin, nb))
}

/// Decision values of `terms` under a fitted vectorizer + linear model, with each document's
/// term counts (terms, known terms) for the confidence model.
fn decisions(
    vec: &TfidfVectorizer,
    lin: &LinearModel,
    nb: Option<&LinearModel>,
    terms: &[&[String]],
) -> Vec<Scored> {
    let mut enc = vec.encoder();
    let mut row = Vec::new();
    terms
        .iter()
        .map(|doc| {
            for t in doc.iter() {
                enc.push(t);
            }
            enc.finish(&mut row);
            let mut d = vec![0f32; lin.n_classes()];
            lin.decision_pairs(&row, &mut d);
            let mut q = vec![0f32; nb.map_or(0, |_| lin.n_classes())];
            if let Some(nb) = nb {
                nb_probabilities(nb, &row, &mut q);
            }
            Scored {
                d,
                nb: q,
                stats: enc.last_stats(),
            }
        })
        .collect()
}

/// One scored row: decision values, the naive Bayes probabilities (empty without one), and
/// the answer's term counts (terms, known terms).
#[derive(Debug, Clone, Default)]
pub struct Scored {
    pub d: Vec<f32>,
    pub nb: Vec<f32>,
    pub stats: (u32, u32),
}

/// The naive Bayes' probabilities of one feature row: softmax of its joint log-likelihoods
/// (scikit-learn's `ComplementNB.predict_proba`).
fn nb_probabilities(nb: &LinearModel, row: &[(u32, f32)], out: &mut [f32]) {
    nb.decision_pairs(row, out);
    let jll = out.to_owned();
    Calibration::Softmax { temperature: 1.0 }.probabilities(&jll, out);
}

fn argmax(d: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in d.iter().enumerate() {
        if v > d[best] {
            best = i;
        }
    }
    best
}

/// Settings of the cross-validation fits: the SVM stops at LIBLINEAR's default tolerance (0.1)
/// — these fits only measure quality and feed the calibration and offsets, and a looser
/// tolerance makes training about a third faster without changing their quality measurably.
fn cv_settings(settings: &TrainSettings) -> TrainSettings {
    let mut s = settings.clone();
    match &mut s.learner {
        Learner::LinearSvc(svc) | Learner::SvcCnb { svc, .. } => svc.tol = svc.tol.max(0.1),
        Learner::ComplementNb(_) => {}
    }
    s
}

/// The stratum of each row for folds and samples: its first (primary) code.
fn strata(labels: &[Vec<usize>]) -> Vec<usize> {
    labels
        .iter()
        .map(|l| l.first().copied().unwrap_or(0))
        .collect()
}

/// Result of cross-validation: out-of-fold decisions and the quality report.
pub struct CvOutcome {
    /// Out-of-fold decision values, row order (without offsets).
    pub decisions: Vec<Vec<f32>>,
    /// Out-of-fold naive Bayes probabilities and term counts per row.
    pub scored: Vec<Scored>,
    /// The fold of each row.
    pub folds: Vec<usize>,
    /// Quality of the out-of-fold predictions. Single-label: offsets, calibration and
    /// confidence cross-fitted on the other folds (as the trained model will carry them), with
    /// the confidence's ranking; multi-label: calibrated probability ≥ 0.5.
    pub report: Report,
}

/// The fold of each row, their number, and a description of the protocol. Rows with groups are
/// folded by whole groups (at most `cv_folds` folds; one group per fold when there are fewer
/// groups), the others by stratified random folds.
pub fn fold_plan(
    settings: &TrainSettings,
    labels: &[Vec<usize>],
    groups: Option<&[u32]>,
) -> (Vec<usize>, usize, String) {
    if let Some(g) = groups {
        let n = n_groups(g);
        if n >= 2 {
            let k = settings.cv_folds.min(n);
            let protocol = if k == n {
                format!("leave one group out ({n} groups)")
            } else {
                format!("{k} folds of whole groups ({n} groups)")
            };
            return (group_folds(g, k), k, protocol);
        }
    }
    let k = settings.cv_folds;
    let folds = stratified_folds(&strata(labels), k, settings.seed);
    (folds, k, format!("{k}-fold stratified"))
}

/// Cross-validation of `settings` on prepared rows: folds of whole groups when `groups` is
/// given (see [`fold_plan`]), stratified random folds otherwise.
pub fn cross_validate(
    settings: &TrainSettings,
    codes: &[String],
    terms: &[Vec<String>],
    labels: &[Vec<usize>],
    groups: Option<&[u32]>,
) -> Result<CvOutcome> {
    let (folds, k, protocol) = fold_plan(settings, labels, groups);
    cross_validate_folds(settings, codes, terms, labels, &folds, k, protocol)
}

/// Cross-validation on a given fold assignment (`folds[i]` in `0..k`).
pub fn cross_validate_folds(
    settings: &TrainSettings,
    codes: &[String],
    terms: &[Vec<String>],
    labels: &[Vec<usize>],
    folds: &[usize],
    k: usize,
    protocol: String,
) -> Result<CvOutcome> {
    if k < 2 || terms.len() < k {
        return Err(EngineError::InvalidParams(format!(
            "cross-validation needs at least 2 folds and as many rows (folds {k}, rows {})",
            terms.len()
        )));
    }
    let fold_settings = cv_settings(settings);
    let mut oof = vec![Vec::new(); terms.len()];
    let mut scored = vec![Scored::default(); terms.len()];
    // One fold after the other, each fit spreading its codes over the cores: folds side by side
    // would double the memory of training and, five folds on two cores, finish no sooner.
    for f in 0..k {
        for (i, sc) in score_fold(&fold_settings, codes.len(), terms, labels, folds, f)? {
            oof[i] = sc.d.clone();
            scored[i] = sc;
        }
    }
    let mut report = if settings.multi_label {
        // The same rule as at prediction time: calibrated probability ≥ 0.5 (at least the top
        // code), with the sigmoid fitted on these out-of-fold values.
        let truth: Vec<Vec<bool>> = labels.iter().map(|l| onehot(l, codes.len())).collect();
        let flat: Vec<f32> = oof.iter().flatten().copied().collect();
        let y: Vec<bool> = truth.iter().flatten().copied().collect();
        let threshold = match fit_sigmoid(&flat, &y) {
            Calibration::Sigmoid { a, b } if a > 0.0 => (-b / a) as f32,
            _ => 0.0,
        };
        let pred: Vec<Vec<bool>> = oof.iter().map(|d| multi_decide(d, threshold)).collect();
        metrics::multi_label(codes, &truth, &pred)
    } else {
        let truth: Vec<usize> = labels.iter().map(|l| l[0]).collect();
        let cf = cross_fit(
            &oof,
            &scored,
            &truth,
            folds,
            codes.len(),
            settings.tune_offsets,
        );
        let mut r = metrics::single_label(codes, &truth, &cf.pred);
        let right: Vec<bool> = cf.pred.iter().zip(&truth).map(|(p, t)| p == t).collect();
        r.ranking = Some(metrics::ranking(&cf.confidence, &right, &cf.top3));
        r
    };
    report.protocol = protocol;
    Ok(CvOutcome {
        decisions: oof,
        scored,
        folds: folds.to_vec(),
        report,
    })
}

/// The rows of fold `f` scored by a model fitted on the other folds (none when either side is
/// empty).
fn score_fold(
    settings: &TrainSettings,
    k: usize,
    terms: &[Vec<String>],
    labels: &[Vec<usize>],
    folds: &[usize],
    f: usize,
) -> Result<Vec<(usize, Scored)>> {
    let (tr, te): (Vec<usize>, Vec<usize>) = (0..terms.len()).partition(|&i| folds[i] != f);
    if tr.is_empty() || te.is_empty() {
        return Ok(Vec::new());
    }
    let tr_terms: Vec<&[String]> = tr.iter().map(|&i| terms[i].as_slice()).collect();
    let tr_labels: Vec<&[usize]> = tr.iter().map(|&i| labels[i].as_slice()).collect();
    let (vec, lin, nb) = fit_once(settings, &tr_terms, &tr_labels, k)?;
    let te_terms: Vec<&[String]> = te.iter().map(|&i| terms[i].as_slice()).collect();
    Ok(te
        .into_iter()
        .zip(decisions(&vec, &lin, nb.as_ref(), &te_terms))
        .collect())
}

/// What a single-label model adds on top of its linear weights, fitted on out-of-fold
/// decisions: per-code offsets, the softmax calibration, the confidence model.
struct Heads {
    offsets: Option<Vec<f32>>,
    calibration: Calibration,
    confidence: ConfidenceModel,
}

/// Evidence of the confidence model for one row of (shifted) decision values, their
/// probabilities, and the naive Bayes' probabilities (empty: none).
fn evidence(d: &[f32], p: &[f32], nb: &[f32], stats: (u32, u32), precision: &[f32]) -> Evidence {
    let (top, second) = top_two(p);
    let p2 = second.map_or(0.0, |c| p[c]);
    let d2 = second.map_or(d[top], |c| d[c]);
    let (nb_top, nb_max, agree) = if nb.len() == p.len() {
        (
            nb[top],
            nb.iter().copied().fold(0.0, f32::max),
            argmax(nb) == top,
        )
    } else {
        (p[top], p[top], true)
    };
    Evidence {
        p1: p[top],
        p2,
        d1: d[top],
        d2,
        terms: stats.0,
        known: stats.1,
        nb_top,
        nb_max,
        agree,
        code_precision: precision.get(top).copied().unwrap_or(0.5),
    }
}

fn shifted(d: &[f32], off: Option<&[f32]>) -> Vec<f32> {
    match off {
        Some(o) => d.iter().zip(o).map(|(v, o)| v + o).collect(),
        None => d.to_vec(),
    }
}

/// Fits the heads on out-of-fold rows: offsets that raise macro-F1, then the temperature on the
/// shifted decisions, then the confidence on what those predict.
fn fit_heads(oof: &[&[f32]], scored: &[&Scored], truth: &[usize], k: usize, tune: bool) -> Heads {
    let owned: Vec<Vec<f32>> = oof.iter().map(|d| d.to_vec()).collect();
    let offsets = tune.then(|| tune_offsets(&owned, truth, k));
    let shifted_rows: Vec<Vec<f32>> = oof.iter().map(|d| shifted(d, offsets.as_deref())).collect();
    let calibration = fit_softmax(&shifted_rows, truth);
    let pred: Vec<usize> = shifted_rows.iter().map(|d| argmax(d)).collect();
    let precision = code_precision(&pred, truth, k);
    let mut p = vec![0f32; k];
    let mut ev = Vec::with_capacity(oof.len());
    for (d, sc) in shifted_rows.iter().zip(scored) {
        calibration.probabilities(d, &mut p);
        ev.push(evidence(d, &p, &sc.nb, sc.stats, &precision));
    }
    let right: Vec<bool> = pred.iter().zip(truth).map(|(p, t)| p == t).collect();
    Heads {
        offsets,
        calibration,
        confidence: ConfidenceModel::fit(&ev, &right, precision),
    }
}

/// Out-of-fold predictions scored as the trained model will score new answers, with heads
/// that never saw the row: for each fold, the heads are fitted on the other folds.
struct CrossFit {
    pred: Vec<usize>,
    confidence: Vec<f64>,
    top3: Vec<bool>,
}

fn cross_fit(
    oof: &[Vec<f32>],
    scored: &[Scored],
    truth: &[usize],
    folds: &[usize],
    k: usize,
    tune: bool,
) -> CrossFit {
    let n_folds = folds.iter().copied().max().map_or(0, |m| m + 1);
    let mut out = CrossFit {
        pred: vec![0; oof.len()],
        confidence: vec![0.0; oof.len()],
        top3: vec![false; oof.len()],
    };
    let mut p = vec![0f32; k];
    for f in 0..n_folds {
        let rest: Vec<usize> = (0..oof.len()).filter(|&i| folds[i] != f).collect();
        if rest.is_empty() {
            continue;
        }
        let heads = fit_heads(
            &rest.iter().map(|&i| oof[i].as_slice()).collect::<Vec<_>>(),
            &rest.iter().map(|&i| &scored[i]).collect::<Vec<_>>(),
            &rest.iter().map(|&i| truth[i]).collect::<Vec<_>>(),
            k,
            tune,
        );
        for i in (0..oof.len()).filter(|&i| folds[i] == f) {
            let d = shifted(&oof[i], heads.offsets.as_deref());
            heads.calibration.probabilities(&d, &mut p);
            out.pred[i] = argmax(&d);
            let ev = evidence(
                &d,
                &p,
                &scored[i].nb,
                scored[i].stats,
                &heads.confidence.code_precision,
            );
            out.confidence[i] = heads.confidence.confidence(&ev);
            out.top3[i] = top_k(&p, 3).contains(&truth[i]);
        }
    }
    out
}

/// Indices of the `n` largest values, largest first (lowest index on ties).
fn top_k(p: &[f32], n: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..p.len()).collect();
    idx.sort_by(|&a, &b| p[b].total_cmp(&p[a]).then(a.cmp(&b)));
    idx.truncate(n);
    idx
}

fn onehot(l: &[usize], k: usize) -> Vec<bool> {
    let mut v = vec![false; k];
    for &c in l {
        v[c] = true;
    }
    v
}

/// Multi-label decision: every code above `threshold`, and at least the best one.
fn multi_decide(d: &[f32], threshold: f32) -> Vec<bool> {
    let mut v: Vec<bool> = d.iter().map(|&x| x > threshold).collect();
    if !v.iter().any(|&b| b) && !d.is_empty() {
        v[argmax(d)] = true;
    }
    v
}

/// Training rows after screening: analyzer terms and code indices.
pub struct Prepared {
    /// Sorted code list.
    pub codes: Vec<String>,
    /// Analyzer terms per kept row.
    pub terms: Vec<Vec<String>>,
    /// Code indices per kept row (single-label: exactly one).
    pub labels: Vec<Vec<usize>>,
    /// Group id per kept row (indices into `group_names`) when every kept example has a group.
    pub groups: Option<Vec<u32>>,
    /// The distinct group names, sorted.
    pub group_names: Vec<String>,
    /// Non-answers dropped.
    pub non_answers: usize,
    /// Warnings (multiple codes in single-label mode, rare codes…).
    pub warnings: Vec<String>,
}

/// Screens and analyzes the examples: drops non-answers and uncoded rows, builds the code list
/// and the feature documents of `settings`. Single-label rows with several codes keep the first
/// and raise a warning.
pub fn prepare(
    analyzer: &mut Analyzer,
    examples: &[Example],
    settings: &TrainSettings,
) -> Result<Prepared> {
    let multi_label = settings.multi_label;
    let mut warnings = Vec::new();
    let mut non_answers = 0;
    let mut multi = 0;
    let kept: Vec<&Example> = examples
        .iter()
        .filter(|e| {
            if is_non_answer(&e.text) {
                non_answers += 1;
                return false;
            }
            !e.codes.iter().all(|c| c.trim().is_empty())
        })
        .collect();
    if kept.is_empty() {
        return Err(EngineError::EmptyTrainingSet(format!(
            "none of the {} rows has both a real answer and a code ({non_answers} non-answers)",
            examples.len()
        )));
    }
    let mut set = BTreeSet::new();
    for e in &kept {
        let cs: Vec<&String> = e.codes.iter().filter(|c| !c.trim().is_empty()).collect();
        if multi_label {
            set.extend(cs.into_iter().map(|c| c.trim().to_string()));
        } else {
            if cs.len() > 1 {
                multi += 1;
            }
            set.insert(cs[0].trim().to_string());
        }
    }
    if multi > 0 {
        warnings.push(format!(
            "{multi} rows have several codes; single-label training keeps the first (use --multi-label)"
        ));
    }
    let codes: Vec<String> = set.into_iter().collect();
    let index: BTreeMap<&str, usize> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let (groups, group_names) = group_ids(&kept);
    let mut labels = Vec::with_capacity(kept.len());
    let mut terms = Vec::with_capacity(kept.len());
    for e in kept {
        let mut l: Vec<usize> = e
            .codes
            .iter()
            .filter_map(|c| index.get(c.trim()).copied())
            .collect();
        if !multi_label {
            l.truncate(1);
        }
        l.sort_unstable();
        l.dedup();
        labels.push(l);
        terms.push(feature_doc(analyzer, &e.text, &settings.tfidf));
    }
    Ok(Prepared {
        codes,
        terms,
        labels,
        groups,
        group_names,
        non_answers,
        warnings,
    })
}

/// Group ids of the kept examples (None unless every one has a group) and the sorted names.
fn group_ids(kept: &[&Example]) -> (Option<Vec<u32>>, Vec<String>) {
    if kept.iter().any(|e| e.group.is_none()) {
        return (None, Vec::new());
    }
    let names: BTreeSet<&str> = kept.iter().filter_map(|e| e.group.as_deref()).collect();
    let names: Vec<String> = names.into_iter().map(str::to_string).collect();
    let ids: Vec<u32> = kept
        .iter()
        .filter_map(|e| e.group.as_deref())
        .map(|g| names.binary_search_by(|n| n.as_str().cmp(g)).unwrap_or(0) as u32)
        .collect();
    (Some(ids), names)
}

/// Term sequences, code lists and groups of some training rows.
type Rows = (Vec<Vec<String>>, Vec<Vec<usize>>, Option<Vec<u32>>);

/// The rows the cross-validation runs on when they must be sampled: a stratified sample of
/// about `settings.cv_max_rows` (each code keeps at least as many rows as there are folds);
/// `None` when every row takes part.
fn cv_sample(p: &Prepared, settings: &TrainSettings) -> Option<Rows> {
    let max = match settings.cv_max_rows {
        0 => usize::MAX,
        m => m.max(settings.cv_folds),
    };
    if p.terms.len() <= max {
        return None;
    }
    let rows = stratified_sample(&strata(&p.labels), max, settings.cv_folds, settings.seed);
    Some((
        rows.iter().map(|&i| p.terms[i].clone()).collect(),
        rows.iter().map(|&i| p.labels[i].clone()).collect(),
        p.groups
            .as_ref()
            .map(|g| rows.iter().map(|&i| g[i]).collect()),
    ))
}

impl QuestionModel {
    /// Trains on `examples`: screens them, cross-validates (if `settings.cv_folds ≥ 2`) to
    /// measure quality and fit the calibration, then fits the final model on all rows.
    pub fn train(
        question: &str,
        analyzer: &mut Analyzer,
        examples: &[Example],
        settings: &ValidTrainParams,
    ) -> Result<QuestionModel> {
        let settings: &TrainSettings = settings;
        let p = prepare(analyzer, examples, settings)?;
        let mut warnings = p.warnings.clone();
        let mut counts = vec![0usize; p.codes.len()];
        for l in &p.labels {
            for &c in l {
                counts[c] += 1;
            }
        }
        let rare: Vec<String> = p
            .codes
            .iter()
            .zip(&counts)
            .filter(|(_, n)| **n < MIN_EXAMPLES_PER_CODE)
            .map(|(c, n)| format!("{c} ({n})"))
            .collect();
        if !rare.is_empty() {
            warnings.push(format!(
                "codes with fewer than {MIN_EXAMPLES_PER_CODE} examples are hard to learn: {}",
                rare.join(", ")
            ));
        }
        if p.codes.len() < 2 {
            warnings.push("only one code: the model always predicts it".into());
        }
        let folds_ok = settings.cv_folds >= 2 && p.terms.len() >= settings.cv_folds;
        let mut offsets = None;
        let mut confidence = ConfidenceModel::identity();
        let (calibration, cv) = if folds_ok && p.codes.len() >= 2 {
            let sample = cv_sample(&p, settings);
            let (cv_terms, cv_labels, cv_groups) = match &sample {
                Some((t, l, g)) => (t.as_slice(), l.as_slice(), g.as_deref()),
                None => (p.terms.as_slice(), p.labels.as_slice(), p.groups.as_deref()),
            };
            let out = cross_validate(settings, &p.codes, cv_terms, cv_labels, cv_groups)?;
            let cal = if settings.multi_label {
                let flat: Vec<f32> = out.decisions.iter().flatten().copied().collect();
                let y: Vec<bool> = cv_labels
                    .iter()
                    .flat_map(|l| onehot(l, p.codes.len()))
                    .collect();
                fit_sigmoid(&flat, &y)
            } else {
                let truth: Vec<usize> = cv_labels.iter().map(|l| l[0]).collect();
                let rows: Vec<&[f32]> = out.decisions.iter().map(Vec::as_slice).collect();
                let heads = fit_heads(
                    &rows,
                    &out.scored.iter().collect::<Vec<_>>(),
                    &truth,
                    p.codes.len(),
                    settings.tune_offsets,
                );
                offsets = heads.offsets;
                confidence = heads.confidence;
                heads.calibration
            };
            (cal, Some(out.report))
        } else {
            if settings.cv_folds >= 2 {
                warnings.push(
                    "too few rows for cross-validation: no CV metrics, default calibration".into(),
                );
            }
            let cal = if settings.multi_label {
                Calibration::Sigmoid { a: 4.0, b: 0.0 }
            } else {
                Calibration::Softmax { temperature: 0.25 }
            };
            (cal, None)
        };
        let all_terms: Vec<&[String]> = p.terms.iter().map(Vec::as_slice).collect();
        let all_labels: Vec<&[usize]> = p.labels.iter().map(Vec::as_slice).collect();
        let (vectorizer, mut linear, nb) =
            fit_once(settings, &all_terms, &all_labels, p.codes.len())?;
        if let Some(off) = &offsets {
            linear.add_bias(off);
        }
        Ok(QuestionModel {
            question: question.to_string(),
            settings: settings.clone(),
            vectorizer,
            linear,
            calibration,
            confidence,
            nb,
            meta: TrainingMeta {
                rows: p.terms.len(),
                non_answers: p.non_answers,
                rows_per_code: p.codes.iter().cloned().zip(counts).collect(),
                cv,
                warnings,
            },
            codes: p.codes,
        })
    }

    /// Checks that the parts fit together (codes, weights, vocabulary, calibration); a model
    /// file whose payload passes the checksum but not this is refused as corrupt.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let l = &self.linear;
        if !l.is_consistent() || l.n_classes() != self.codes.len() {
            return Err(format!(
                "question {:?}: weights do not match its codes",
                self.question
            ));
        }
        if l.n_features() != self.vectorizer.n_features() {
            return Err(format!(
                "question {:?}: weights do not match the vocabulary",
                self.question
            ));
        }
        let ok = match self.calibration {
            Calibration::Softmax { temperature } => temperature.is_finite() && temperature > 0.0,
            Calibration::Sigmoid { a, b } => a.is_finite() && b.is_finite(),
        };
        let nb_ok = self.nb.as_ref().is_none_or(|nb| {
            nb.is_consistent()
                && nb.n_classes() == self.codes.len()
                && nb.n_features() == self.vectorizer.n_features()
        });
        if !ok || !self.confidence.is_valid() || !nb_ok {
            return Err(format!("question {:?}: invalid calibration", self.question));
        }
        Ok(())
    }

    /// A reusable classifier for many answers (buffers allocated once).
    pub fn scorer(&self) -> Scorer<'_> {
        let k = self.codes.len();
        Scorer {
            model: self,
            enc: self.vectorizer.encoder(),
            row: Vec::with_capacity(64),
            d: vec![0.0; k],
            p: vec![0.0; k],
            q: vec![0.0; if self.nb.is_some() { k } else { 0 }],
            contrib: Vec::with_capacity(32),
        }
    }
}

/// Classifies answers one at a time without re-allocating.
pub struct Scorer<'a> {
    model: &'a QuestionModel,
    enc: crate::features::Encoder<'a>,
    row: Vec<(u32, f32)>,
    d: Vec<f32>,
    p: Vec<f32>,
    /// The naive Bayes' probabilities (empty without one).
    q: Vec<f32>,
    contrib: Vec<(f32, usize)>,
}

/// Indices of the largest and second-largest value (lowest index on ties).
fn top_two(p: &[f32]) -> (usize, Option<usize>) {
    let mut best = 0;
    let mut second: Option<usize> = None;
    for i in 1..p.len() {
        if p[i] > p[best] {
            second = Some(best);
            best = i;
        } else if second.is_none_or(|s| p[i] > p[s]) {
            second = Some(i);
        }
    }
    (best, second)
}

impl Scorer<'_> {
    /// Decision values and probabilities of `text` (analyzed with `analyzer`); returns false for
    /// a non-answer (buffers untouched).
    fn score(&mut self, analyzer: &mut Analyzer, text: &str) -> bool {
        if is_non_answer(text) {
            return false;
        }
        let enc = &mut self.enc;
        analyzer.for_each_token(text, |t| enc.push(&t.text));
        if self.model.vectorizer.params().word_chars.is_some() {
            enc.push(WORDS_MARK);
            analyzer.for_each_word(text, |w| enc.push(w));
        }
        self.enc.finish(&mut self.row);
        self.model.linear.decision_pairs(&self.row, &mut self.d);
        self.model.calibration.probabilities(&self.d, &mut self.p);
        true
    }

    /// Only the top code index (or None for a non-answer): the fast path for batch runs.
    pub fn top_code(&mut self, analyzer: &mut Analyzer, text: &str) -> Option<usize> {
        self.score(analyzer, text).then(|| argmax(&self.d))
    }

    /// Full prediction: code(s), confidence, margin, the `n_terms` most influential terms.
    pub fn predict(&mut self, analyzer: &mut Analyzer, text: &str, n_terms: usize) -> Prediction {
        if !self.score(analyzer, text) {
            return Prediction {
                codes: Vec::new(),
                confidence: 0.0,
                margin: 0.0,
                top_terms: Vec::new(),
                alternatives: Vec::new(),
                non_answer: true,
            };
        }
        let m = self.model;
        let (top, second) = top_two(&self.p);
        let p1 = f64::from(self.p[top]);
        let confidence = if m.settings.multi_label {
            p1
        } else {
            if let Some(nb) = &m.nb {
                nb_probabilities(nb, &self.row, &mut self.q);
            }
            let ev = evidence(
                &self.d,
                &self.p,
                &self.q,
                self.enc.last_stats(),
                &m.confidence.code_precision,
            );
            m.confidence.confidence(&ev)
        };
        let (codes, margin) = if m.settings.multi_label {
            let mut chosen: Vec<usize> = (0..self.p.len())
                .filter(|&c| c == top || self.p[c] >= 0.5)
                .collect();
            chosen.sort_by(|&a, &b| self.p[b].total_cmp(&self.p[a]).then(a.cmp(&b)));
            let closest = self
                .p
                .iter()
                .map(|&q| (f64::from(q) - 0.5).abs())
                .fold(f64::INFINITY, f64::min);
            (chosen, (2.0 * closest).min(1.0))
        } else {
            let p2 = second.map_or(0.0, |c| f64::from(self.p[c]));
            (vec![top], p1 - p2)
        };
        let contrib = &mut self.contrib;
        contrib.clear();
        if n_terms > 0 {
            contrib.extend(
                self.row
                    .iter()
                    .filter(|(f, _)| m.vectorizer.is_word_feature(*f as usize))
                    .map(|&(f, v)| (v * m.linear.weight(f as usize, top), f as usize))
                    .filter(|(c, _)| *c > 0.0),
            );
            contrib.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        }
        Prediction {
            codes: codes.into_iter().map(|c| m.codes[c].clone()).collect(),
            confidence: confidence.clamp(0.0, 1.0),
            alternatives: top_k(&self.p, 3)
                .into_iter()
                .map(|c| (m.codes[c].clone(), f64::from(self.p[c])))
                .collect(),
            margin: margin.clamp(0.0, 1.0),
            top_terms: contrib
                .iter()
                .take(n_terms)
                .map(|&(_, f)| m.vectorizer.feature_name(f).to_string())
                .collect(),
            non_answer: false,
        }
    }
}

/// Evaluates a trained model on held-out coded examples (non-answers and uncoded rows skipped;
/// codes unknown to the model count as errors).
pub fn evaluate_holdout(
    model: &QuestionModel,
    analyzer: &mut Analyzer,
    examples: &[Example],
) -> Result<Report> {
    let mut codes = model.codes.clone();
    let mut index: BTreeMap<String, usize> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.clone(), i))
        .collect();
    let mut scorer = model.scorer();
    let mut truth_s = Vec::new();
    let mut pred_s = Vec::new();
    let mut truth_m = Vec::new();
    let mut pred_m = Vec::new();
    let (mut conf, mut top3) = (Vec::new(), Vec::new());
    for e in examples {
        let cs: Vec<&str> = e
            .codes
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        if cs.is_empty() || is_non_answer(&e.text) {
            continue;
        }
        for c in &cs {
            if !index.contains_key(*c) {
                index.insert(c.to_string(), codes.len());
                codes.push(c.to_string());
            }
        }
        let pred = scorer.predict(analyzer, &e.text, 0);
        if model.settings.multi_label {
            truth_m.push(cs.iter().map(|c| index[*c]).collect::<Vec<_>>());
            pred_m.push(pred.codes.iter().map(|c| index[c]).collect::<Vec<_>>());
        } else {
            truth_s.push(index[cs[0]]);
            pred_s.push(pred.codes.first().map_or(0, |c| index[c]));
            conf.push(pred.confidence);
            top3.push(pred.alternatives.iter().any(|(c, _)| c == cs[0]));
        }
    }
    let n = truth_s.len().max(truth_m.len());
    if n == 0 {
        return Err(EngineError::EmptyTrainingSet(
            "no coded answers to evaluate".into(),
        ));
    }
    let mut report = if model.settings.multi_label {
        let k = codes.len();
        let t: Vec<Vec<bool>> = truth_m.iter().map(|l| onehot(l, k)).collect();
        let p: Vec<Vec<bool>> = pred_m.iter().map(|l| onehot(l, k)).collect();
        metrics::multi_label(&codes, &t, &p)
    } else {
        let mut r = metrics::single_label(&codes, &truth_s, &pred_s);
        let right: Vec<bool> = pred_s.iter().zip(&truth_s).map(|(p, t)| p == t).collect();
        r.ranking = Some(metrics::ranking(&conf, &right, &top3));
        r
    };
    report.protocol = "held-out".into();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Synthetic examples: two codes with distinct vocabularies.
    fn examples() -> Vec<Example> {
        let mut v = Vec::new();
        for i in 0..20 {
            v.push(Example {
                text: format!("la educación pública gratuita número {i}"),
                codes: vec!["educacion".into()],
                group: None,
            });
            v.push(Example {
                text: format!("salud digna para todos los hospitales {i}"),
                codes: vec!["salud".into()],
                group: None,
            });
        }
        v.push(Example {
            text: "sin respuesta".into(),
            codes: vec!["salud".into()],
            group: None,
        });
        v
    }

    #[test]
    fn repeated_examples_are_folded_with_counts() {
        let t = |s: &str| -> Vec<String> { s.split(' ').map(String::from).collect() };
        let terms = [
            t("si"),
            t("no sirv"),
            t("si"),
            t("si"),
            t("no sirv"),
            t("si"),
        ];
        let labels = [vec![0], vec![1], vec![0], vec![1], vec![1], vec![0]];
        let tr: Vec<&[String]> = terms.iter().map(Vec::as_slice).collect();
        let lr: Vec<&[usize]> = labels.iter().map(Vec::as_slice).collect();
        // "si" coded 0 three times, "no sirv" coded 1 twice, "si" coded 1 once (kept apart:
        // same text, other code).
        assert_eq!(distinct_examples(&tr, &lr), vec![(0, 3), (1, 2), (3, 1)]);
    }

    /// Above `cv_max_rows` the cross-validation runs on a stratified sample, while the final
    /// model still learns from every row.
    #[test]
    fn cross_validation_runs_on_a_sample_above_the_cap() {
        let mut a = Analyzer::default();
        let capped = TrainSettings {
            cv_max_rows: 20,
            ..TrainSettings::default()
        };
        let m = QuestionModel::train("q", &mut a, &examples(), &capped.clone().check().unwrap())
            .unwrap();
        let cv = m.meta.cv.as_ref().unwrap();
        assert_eq!(cv.n, 20);
        assert_eq!(cv.per_code.iter().map(|c| c.support).sum::<usize>(), 20);
        assert_eq!(m.meta.rows, 40);
        assert_eq!(m.meta.rows_per_code[0].1 + m.meta.rows_per_code[1].1, 40);
        assert!(m.validate().is_ok());
        // Fitted on the sample's out-of-fold values, not the no-CV fallback (0.25).
        assert!(
            matches!(m.calibration, Calibration::Softmax { temperature } if temperature != 0.25),
            "{:?}",
            m.calibration
        );
        let all = TrainSettings {
            cv_max_rows: 0,
            ..TrainSettings::default()
        };
        let m =
            QuestionModel::train("q", &mut a, &examples(), &all.clone().check().unwrap()).unwrap();
        assert_eq!(m.meta.cv.as_ref().unwrap().n, 40);
    }

    #[test]
    fn trains_predicts_and_explains() {
        let mut a = Analyzer::default();
        let m =
            QuestionModel::train("q", &mut a, &examples(), &ValidTrainParams::default()).unwrap();
        assert_eq!(m.codes, vec!["educacion", "salud"]);
        assert_eq!(m.meta.non_answers, 1);
        assert_eq!(m.meta.rows, 40);
        let cv = m.meta.cv.as_ref().unwrap();
        assert!(cv.accuracy > 0.9, "{cv:?}");
        let mut s = m.scorer();
        let p = s.predict(&mut a, "Queremos más hospitales", 3);
        assert_eq!(p.codes, vec!["salud"]);
        assert!(p.confidence > 0.5 && p.confidence <= 1.0);
        assert!(p.margin > 0.0 && p.margin <= 1.0);
        assert!(!p.top_terms.is_empty(), "{p:?}");
        let p = s.predict(&mut a, "No sabe / no responde", 3);
        assert!(p.non_answer && p.codes.is_empty());
    }

    #[test]
    fn empty_training_set_is_refused() {
        let mut a = Analyzer::default();
        let ex = vec![Example {
            text: ".".into(),
            codes: vec!["x".into()],
            group: None,
        }];
        let r = QuestionModel::train("q", &mut a, &ex, &ValidTrainParams::default());
        assert!(matches!(r, Err(EngineError::EmptyTrainingSet(_))));
    }

    #[test]
    fn multi_label_predicts_sets() {
        let mut a = Analyzer::default();
        let mut ex = examples();
        for i in 0..10 {
            ex.push(Example {
                text: format!("educación y hospitales públicos {i}"),
                codes: vec!["educacion".into(), "salud".into()],
                group: None,
            });
        }
        let settings = TrainSettings {
            multi_label: true,
            ..Default::default()
        };
        let m = QuestionModel::train("q", &mut a, &ex, &settings.clone().check().unwrap()).unwrap();
        let mut s = m.scorer();
        let p = s.predict(&mut a, "hospitales", 3);
        assert!(p.codes.contains(&"salud".to_string()), "{p:?}");
        let r = evaluate_holdout(&m, &mut a, &ex).unwrap();
        assert!(r.micro_f1 > 0.8, "{r:?}");
    }
}
