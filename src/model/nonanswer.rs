//! Stage: model (input screening). Which answers are non-answers: the one rule lives in
//! [`crate::answer::is_non_answer`] (ingest, trends, autocode, the web app and the model all use
//! it); re-exported here for the model's callers.

pub use crate::answer::is_non_answer;
