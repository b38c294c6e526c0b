//! Stage: model (features → **model** → classify / evaluate / review).
//!
//! Learners on sparse TF-IDF rows behind linfa's traits ([`linear`]), calibration
//! ([`calibrate`]), one question's classifier with training and prediction ([`classifier`]),
//! quality metrics ([`metrics`]), the checked training settings ([`params`]), cross-validation
//! folds ([`cv`]), agreement between coders ([`agreement`]), non-answer screening
//! ([`nonanswer`]), training work on a few threads ([`parallel`]), the model file ([`persist`])
//! and the review queue ordering ([`review`]).

pub mod agreement;
pub mod calibrate;
pub mod classifier;
pub mod confidence;
pub mod cv;
pub mod error;
pub mod examples;
pub mod linear;
pub mod metrics;
pub mod nonanswer;
pub mod offsets;
pub mod parallel;
pub mod params;
pub mod persist;
pub mod review;
pub mod validation;

pub use classifier::{Example, Prediction, QuestionModel, TrainSettings};
pub use error::EngineError;
pub use params::{LearnerKind, TrainParams, ValidTrainParams};
pub use persist::ModelSet;
