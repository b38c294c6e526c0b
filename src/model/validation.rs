//! Stage: model (evaluation). Validation that predicts what an analyst will see on a new month.
//!
//! Random folds put answers of the same people, month and region on both sides and reward
//! memorising them. A workspace is therefore validated **forward in time** by default: for each
//! of the last `k` months with enough human codes, a model is trained on the months before it
//! and tested on it (rolling origin), and the predictions of all tested months are pooled into
//! one report (with the confidence ranking an analyst meets when accepting machine codes).
//! Files of examples are validated by folds of whole groups ([`crate::model::cv::group_folds`])
//! when they name a group column, and by stratified folds only on request.

use crate::analyze::Analyzer;
use crate::model::classifier::{Example, QuestionModel};
use crate::model::error::{EngineError, Result};
use crate::model::metrics::{self, Report};
use crate::model::params::ValidTrainParams;
use crate::month::Month;

/// Fewest human-coded answers a month needs to be a test month.
pub const MIN_TEST_ANSWERS: usize = 10;
/// Fewest human-coded answers the months before a test month need to train on.
pub const MIN_TRAIN_ANSWERS: usize = 30;

/// One tested month of a forward validation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MonthResult {
    pub month: Month,
    /// Answers the model trained on (all earlier months).
    pub trained_on: usize,
    pub report: Report,
}

/// The outcome of a forward validation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Forward {
    /// Every tested month's predictions pooled.
    pub pooled: Report,
    /// Month by month.
    pub months: Vec<MonthResult>,
}

/// Why forward validation cannot run (too few coded months), for the fallback message.
pub fn forward_obstacle(months: &[Month], examples: &[Example], last: usize) -> Option<String> {
    let tests = test_months(months, examples, last);
    tests.is_empty().then(|| {
        let coded: std::collections::BTreeSet<Month> = months
            .iter()
            .zip(examples)
            .filter(|(_, e)| is_coded(e))
            .map(|(m, _)| *m)
            .collect();
        format!(
            "forward validation needs a month with at least {MIN_TEST_ANSWERS} human-coded \
             answers preceded by months with at least {MIN_TRAIN_ANSWERS}; the human codes \
             cover {} month{}",
            coded.len(),
            if coded.len() == 1 { "" } else { "s" }
        )
    })
}

fn is_coded(e: &Example) -> bool {
    e.codes.iter().any(|c| !c.trim().is_empty())
}

/// The last `last` months that can be tested: enough coded answers in the month and before it.
fn test_months(months: &[Month], examples: &[Example], last: usize) -> Vec<Month> {
    let mut per_month: std::collections::BTreeMap<Month, usize> = Default::default();
    for (m, e) in months.iter().zip(examples) {
        if is_coded(e) {
            *per_month.entry(*m).or_default() += 1;
        }
    }
    let mut before = 0;
    let mut ok = Vec::new();
    for (&m, &n) in &per_month {
        if n >= MIN_TEST_ANSWERS && before >= MIN_TRAIN_ANSWERS {
            ok.push(m);
        }
        before += n;
    }
    let skip = ok.len().saturating_sub(last);
    ok.split_off(skip)
}

/// Forward validation of `settings` over the last `last` testable months (`months[i]` is the
/// month of `examples[i]`). Each step trains the full model (its own grouped cross-validation
/// for offsets, calibration and confidence included) on earlier months only.
pub fn forward_validate(
    settings: &ValidTrainParams,
    analyzer: &mut Analyzer,
    question: &str,
    examples: &[Example],
    months: &[Month],
    last: usize,
) -> Result<Forward> {
    let tests = test_months(months, examples, last);
    if tests.is_empty() {
        return Err(EngineError::InvalidParams(
            forward_obstacle(months, examples, last).unwrap_or_default(),
        ));
    }
    let mut results = Vec::new();
    let mut pooled = Pooled::default();
    for &m in &tests {
        let train: Vec<Example> = pick(examples, months, |x| x < m);
        let test: Vec<Example> = pick(examples, months, |x| x == m);
        let model = QuestionModel::train(question, analyzer, &train, settings)?;
        let trained_on = model.meta.rows;
        pooled.add(&model, analyzer, &test);
        let report = crate::model::classifier::evaluate_holdout(&model, analyzer, &test)?;
        results.push(MonthResult {
            month: m,
            trained_on,
            report,
        });
    }
    let mut report = pooled.report(settings.multi_label);
    report.protocol = format!(
        "forward: trained on the months before each of the last {} month{} ({})",
        tests.len(),
        if tests.len() == 1 { "" } else { "s" },
        tests
            .iter()
            .map(|m| m.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(Forward {
        pooled: report,
        months: results,
    })
}

fn pick(examples: &[Example], months: &[Month], keep: impl Fn(Month) -> bool) -> Vec<Example> {
    examples
        .iter()
        .zip(months)
        .filter(|(_, m)| keep(**m))
        .map(|(e, _)| e.clone())
        .collect()
}

/// Predictions of several tested months, pooled under one code list.
#[derive(Default)]
struct Pooled {
    codes: Vec<String>,
    truth: Vec<Vec<usize>>,
    pred: Vec<Vec<usize>>,
    confidence: Vec<f64>,
    top3: Vec<bool>,
}

impl Pooled {
    fn id(&mut self, code: &str) -> usize {
        match self.codes.iter().position(|c| c == code) {
            Some(i) => i,
            None => {
                self.codes.push(code.to_string());
                self.codes.len() - 1
            }
        }
    }

    fn add(&mut self, model: &QuestionModel, analyzer: &mut Analyzer, test: &[Example]) {
        let mut scorer = model.scorer();
        for e in test {
            let codes: Vec<&str> = e
                .codes
                .iter()
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .collect();
            if codes.is_empty() || crate::model::nonanswer::is_non_answer(&e.text) {
                continue;
            }
            let p = scorer.predict(analyzer, &e.text, 0);
            let truth: Vec<usize> = codes.iter().map(|c| self.id(c)).collect();
            let pred: Vec<usize> = p.codes.iter().map(|c| self.id(c)).collect();
            self.top3
                .push(p.alternatives.iter().any(|(c, _)| c == codes[0]));
            self.confidence.push(p.confidence);
            self.truth.push(truth);
            self.pred.push(pred);
        }
    }

    fn report(&self, multi_label: bool) -> Report {
        let mut codes = self.codes.clone();
        let mut order: Vec<usize> = (0..codes.len()).collect();
        order.sort_by(|&a, &b| codes[a].cmp(&codes[b]));
        let mut rank = vec![0; codes.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r;
        }
        codes.sort();
        let k = codes.len();
        if multi_label {
            let hot = |l: &[usize]| {
                let mut v = vec![false; k];
                for &c in l {
                    v[rank[c]] = true;
                }
                v
            };
            let t: Vec<Vec<bool>> = self.truth.iter().map(|l| hot(l)).collect();
            let p: Vec<Vec<bool>> = self.pred.iter().map(|l| hot(l)).collect();
            return metrics::multi_label(&codes, &t, &p);
        }
        let t: Vec<usize> = self.truth.iter().map(|l| rank[l[0]]).collect();
        let p: Vec<usize> = self
            .pred
            .iter()
            .map(|l| l.first().map_or(usize::MAX, |&c| rank[c]))
            .collect();
        let mut r = metrics::single_label(&codes, &t, &p);
        let right: Vec<bool> = t.iter().zip(&p).map(|(a, b)| a == b).collect();
        r.ranking = Some(metrics::ranking(&self.confidence, &right, &self.top3));
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::classifier::TrainSettings;

    fn data() -> (Vec<Example>, Vec<Month>) {
        let mut ex = Vec::new();
        let mut months = Vec::new();
        for (mi, m) in ["2020-08", "2020-09", "2020-10", "2020-11"]
            .iter()
            .enumerate()
        {
            for i in 0..20 {
                let (text, code) = if i % 2 == 0 {
                    (
                        format!("falta conectividad e internet {i} {mi}"),
                        "conectividad",
                    )
                } else {
                    (
                        format!("buena capacitación del equipo {i} {mi}"),
                        "capacitacion",
                    )
                };
                ex.push(Example::new(text, vec![code.into()]));
                months.push(Month::parse(m).unwrap());
            }
        }
        (ex, months)
    }

    #[test]
    fn forward_trains_on_earlier_months_and_tests_the_last_ones() {
        let (ex, months) = data();
        let mut a = Analyzer::default();
        let settings = TrainSettings {
            cv_folds: 2,
            ..TrainSettings::default()
        }
        .check()
        .unwrap();
        let f = forward_validate(&settings, &mut a, "q", &ex, &months, 2).unwrap();
        let tested: Vec<String> = f.months.iter().map(|r| r.month.to_string()).collect();
        assert_eq!(tested, ["2020-10", "2020-11"]);
        // Each tested month trains only on the months before it.
        assert_eq!(f.months[0].trained_on, 40);
        assert_eq!(f.months[1].trained_on, 60);
        assert_eq!(f.pooled.n, 40);
        assert!(f.pooled.protocol.starts_with("forward"));
        assert!(f.pooled.accuracy > 0.9);
        assert!(f.pooled.ranking.is_some());
    }

    #[test]
    fn too_few_coded_months_say_why() {
        let (ex, months) = data();
        let (ex, months) = (ex[..20].to_vec(), months[..20].to_vec());
        let why = forward_obstacle(&months, &ex, 3).unwrap();
        assert!(why.contains("1 month"), "{why}");
        let mut a = Analyzer::default();
        let err = forward_validate(&ValidTrainParams::default(), &mut a, "q", &ex, &months, 3);
        assert!(err.is_err());
    }
}
