//! Training settings checked once, at the edge (linfa's `ParamGuard` habit): a
//! [`TrainSettings`] becomes a [`ValidTrainParams`] through [`TrainSettings::check`] (or
//! [`TrainParams`] and `ParamGuard::check`), and training takes only the checked type, so a bad
//! value (C ≤ 0, an empty n-gram range, a NaN blend weight) is refused before any work starts,
//! with one message naming the setting, instead of surfacing from deep inside a fold.

use std::ops::Deref;

use linfa::ParamGuard;

use crate::features::TfidfParams;
use crate::model::classifier::{Learner, TrainSettings};
use crate::model::error::{EngineError, Result};
use crate::model::linear::{ClassWeight, ComplementNbParams, LinearSvcParams};

/// Training settings that passed every check; only [`TrainSettings::check`] (or
/// [`TrainParams`]' `ParamGuard::check`) makes one. Reads as the settings it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidTrainParams(TrainSettings);

/// Unchecked training settings (linfa's `ParamGuard` pattern): what a caller builds from flags
/// or a form.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainParams(ValidTrainParams);

impl TrainParams {
    /// Wraps settings to check.
    pub fn new(settings: TrainSettings) -> TrainParams {
        TrainParams(ValidTrainParams(settings))
    }
}

impl TrainSettings {
    /// Checks every setting once; training takes only the result.
    pub fn check(self) -> Result<ValidTrainParams> {
        TrainParams::new(self).check()
    }
}

impl ParamGuard for TrainParams {
    type Checked = ValidTrainParams;
    type Error = EngineError;

    fn check_ref(&self) -> Result<&ValidTrainParams> {
        let s = &self.0.0;
        TfidfParams::new(s.tfidf.clone()).check_ref()?;
        check_learner(&s.learner)?;
        Ok(&self.0)
    }

    fn check(self) -> Result<ValidTrainParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// The learner's own checks (C, tolerance, smoothing) and the blend weight.
fn check_learner(learner: &Learner) -> Result<()> {
    match learner {
        Learner::LinearSvc(svc) => LinearSvcParams::new(svc.clone()).check_ref().map(drop),
        Learner::ComplementNb(cnb) => ComplementNbParams::new(cnb.clone()).check_ref().map(drop),
        Learner::SvcCnb {
            svc,
            cnb,
            cnb_weight,
        } => {
            LinearSvcParams::new(svc.clone()).check_ref()?;
            ComplementNbParams::new(cnb.clone()).check_ref()?;
            if !(cnb_weight.is_finite() && *cnb_weight >= 0.0) {
                return Err(EngineError::InvalidParams(format!(
                    "the naive Bayes weight of the svc+cnb blend must be a number ≥ 0, got \
                     {cnb_weight}"
                )));
            }
            Ok(())
        }
    }
}

/// The library's defaults, which pass every check (a unit test keeps it so).
impl Default for ValidTrainParams {
    fn default() -> Self {
        ValidTrainParams(TrainSettings::default())
    }
}

impl Deref for ValidTrainParams {
    type Target = TrainSettings;

    fn deref(&self) -> &TrainSettings {
        &self.0
    }
}

impl ValidTrainParams {
    /// The checked settings.
    pub fn settings(&self) -> &TrainSettings {
        &self.0
    }

    /// The settings, to change and check again.
    pub fn into_inner(self) -> TrainSettings {
        self.0
    }
}

/// The learner a caller picks (`--learner`): a closed set, so the command line refuses an
/// unknown name itself and lists the choices in `--help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LearnerKind {
    /// Linear SVM.
    Svc,
    /// Complement Naive Bayes.
    Cnb,
    /// Both, blended (see [`Learner::SvcCnb`]).
    #[value(name = "svc+cnb")]
    SvcCnb,
}

/// `--class-weight balanced|uniform`: the closed set of [`ClassWeight`], parsed by clap.
impl clap::ValueEnum for ClassWeight {
    fn value_variants<'a>() -> &'a [Self] {
        &[ClassWeight::Balanced, ClassWeight::Uniform]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(match self {
            ClassWeight::Balanced => "balanced",
            ClassWeight::Uniform => "uniform",
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::linear::{ComplementNbSettings, LinearSvcSettings};

    fn refused(s: TrainSettings) -> String {
        match s.check() {
            Err(EngineError::InvalidParams(m)) => m,
            other => panic!("expected InvalidParams, got {other:?}"),
        }
    }

    #[test]
    fn closed_sets_parse_their_names_only() {
        use clap::ValueEnum;
        assert_eq!(
            LearnerKind::from_str("svc+cnb", false),
            Ok(LearnerKind::SvcCnb)
        );
        assert!(LearnerKind::from_str("svm", false).is_err());
        assert_eq!(
            ClassWeight::from_str("uniform", false),
            Ok(ClassWeight::Uniform)
        );
        assert!(ClassWeight::from_str("heavy", false).is_err());
    }

    #[test]
    fn the_defaults_pass() {
        let v = TrainSettings::default().check().unwrap();
        assert_eq!(v, ValidTrainParams::default());
        assert_eq!(v.cv_folds, TrainSettings::default().cv_folds);
    }

    #[test]
    fn each_bad_value_is_refused_naming_it() {
        let base = TrainSettings::default;
        let mut s = base();
        s.tfidf.word_ngram_max = 3;
        assert!(refused(s).contains("word n-grams must be 1 or 2, got 3"));
        let mut s = base();
        s.tfidf.char_ngrams = Some((5, 3));
        assert!(refused(s).contains("char n-gram range 5-3"));
        let mut s = base();
        s.tfidf.min_df = 0;
        assert!(refused(s).contains("min_df"));
        for c in [0.0, -1.0, f64::NAN] {
            let mut s = base();
            s.learner = Learner::LinearSvc(LinearSvcSettings {
                c,
                ..LinearSvcSettings::default()
            });
            assert!(refused(s).contains("C must be > 0"), "C = {c}");
        }
        let mut s = base();
        s.learner = Learner::ComplementNb(ComplementNbSettings { alpha: 0.0 });
        assert!(refused(s).contains("alpha must be > 0"));
        for w in [f32::NAN, -0.5] {
            let mut s = base();
            s.learner = Learner::SvcCnb {
                svc: LinearSvcSettings::default(),
                cnb: ComplementNbSettings::default(),
                cnb_weight: w,
            };
            assert!(refused(s).contains("naive Bayes weight"), "weight {w}");
        }
    }
}
