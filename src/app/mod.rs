//! Use cases: the jobs an analyst runs, one function each, shared by the command line and the
//! web app so that no rule exists twice.
//!
//! A use case takes a typed, checked request (and the opened workspace or store it works on) and
//! returns a typed report. It never prints, never reads flags or forms, and returns the library's
//! [`crate::Error`] (no `anyhow`): the CLI turns flags into the request and prints the report in
//! English, the web turns a form into the same request and shows the report in Spanish. A long
//! use case reports its progress and can be stopped through a [`Monitor`].

pub mod agreement;
pub mod autocode;
pub mod classify;
pub mod codebook;
pub mod demo;
pub mod evaluate;
pub mod export;
pub mod files;
pub mod flags;
pub mod import;
pub mod qda_import;
pub mod report;
pub mod review;
pub mod sample;
pub mod search;
pub mod status;
pub mod team;
pub mod themes;
pub mod train;
pub mod trends;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::error::{Error, Result};

/// How a long use case reports progress and learns that it should stop. It checks
/// [`Monitor::cancelled`] between questions (and between batches), before anything is written:
/// a stopped job leaves the workspace as it was.
pub trait Monitor: Sync {
    /// `done` of `total` steps are finished; `what` names the next one.
    fn progress(&self, _done: usize, _total: usize, _what: &str) {}
    /// True when the job should stop.
    fn cancelled(&self) -> bool {
        false
    }
}

/// A monitor that shows nothing and never stops (the command line's).
pub struct Unmonitored;

impl Monitor for Unmonitored {}

/// A monitor whose state other threads read and whose stop flag they set (the web's jobs).
#[derive(Debug, Default)]
pub struct Progress {
    pub done: AtomicUsize,
    pub total: AtomicUsize,
    pub step: std::sync::Mutex<String>,
    pub stop: AtomicBool,
}

impl Monitor for Progress {
    fn progress(&self, done: usize, total: usize, what: &str) {
        self.done.store(done, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        if let Ok(mut s) = self.step.lock() {
            *s = what.to_string();
        }
    }

    fn cancelled(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// What a stopped job returns; nothing was written.
pub const CANCELLED: &str = "the job was cancelled; nothing was written";

/// `Err` when the monitor says stop.
pub fn check(monitor: &dyn Monitor) -> Result<()> {
    if monitor.cancelled() {
        return Err(Error::invalid(CANCELLED));
    }
    Ok(())
}

/// A question id for messages (`""`: a model for every answer).
pub fn display_q(q: &str) -> String {
    if q.is_empty() {
        "(all answers)".into()
    } else {
        q.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::EngineError;

    /// An engine error keeps its kind (user or internal) and gains what it was working on.
    #[test]
    fn engine_errors_keep_their_kind_and_gain_context() {
        let user = Error::from(EngineError::NoModel("q1".into())).context("question q1");
        assert!(user.is_user_error());
        assert_eq!(
            user.to_string(),
            "question q1: no model for question \"q1\""
        );
        let internal = Error::from(EngineError::Shape("3 rows, 2 targets".into()));
        assert!(!internal.is_user_error());
        let wrapped = Error::invalid("only one code").context("q2");
        assert_eq!(wrapped.to_string(), "q2: only one code");
        assert!(wrapped.is_user_error());
    }

    #[test]
    fn a_stopped_monitor_stops_the_job() {
        let p = Progress::default();
        assert!(check(&p).is_ok());
        p.stop.store(true, Ordering::Relaxed);
        assert_eq!(check(&p).unwrap_err().to_string(), CANCELLED);
        p.progress(2, 5, "q1");
        assert_eq!(
            (
                p.done.load(Ordering::Relaxed),
                p.total.load(Ordering::Relaxed)
            ),
            (2, 5)
        );
    }
}
