//! Stage: model (review). Which answers an analyst should code first: those without a human
//! code, least sure first. One rule for `codifica review` and the web app's Codificar page.

use std::cmp::Ordering;

use crate::answer::{Answer, is_non_answer};
use crate::config::Config;

/// Where an answer to a coded question stands in the month's coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodingState {
    /// An analyst coded it.
    Human,
    /// Its machine code was accepted without review (`classify --accept-at`).
    Accepted,
    /// It waits for an analyst (with or without a machine suggestion).
    Waiting,
}

/// The coding state of `a`, or `None` when it is not to be coded (a rating question, or an
/// uncoded non-answer). One rule for `review`, `status`, the web app and the report. A human
/// code always wins, even on a text that reads as a non-answer.
pub fn coding_state(a: &Answer, config: &Config) -> Option<CodingState> {
    if !config.question(&a.question).is_some_and(|q| q.is_coded()) {
        return None;
    }
    if a.is_coded() {
        return Some(CodingState::Human);
    }
    if is_non_answer(&a.text) {
        return None;
    }
    Some(if a.machine.as_ref().is_some_and(|m| m.accepted) {
        CodingState::Accepted
    } else {
        CodingState::Waiting
    })
}

/// How many answers are coded by analysts, accepted automatically, and waiting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CodingCounts {
    pub human: usize,
    pub accepted: usize,
    pub waiting: usize,
    /// Of the waiting ones, those with a machine suggestion (the rest have no code at all).
    pub suggested: usize,
}

impl CodingCounts {
    /// Counts one answer.
    pub fn add(&mut self, a: &Answer, config: &Config) {
        match coding_state(a, config) {
            Some(CodingState::Human) => self.human += 1,
            Some(CodingState::Accepted) => self.accepted += 1,
            Some(CodingState::Waiting) => {
                self.waiting += 1;
                self.suggested += usize::from(a.machine.is_some());
            }
            None => {}
        }
    }
}

/// True for an answer waiting for a human code: a coded question, no human code yet, no
/// accepted machine code, and not a non-answer.
pub fn needs_review(a: &Answer, config: &Config) -> bool {
    coding_state(a, config) == Some(CodingState::Waiting)
}

/// Review order: lowest confidence first (the calibrated probability that the suggestion is
/// right, which is what ranks answers best), then lowest margin, then answer key (stable and
/// deterministic). `sure` is `(confidence, margin)` of the model's suggestion; answers without
/// one come last.
pub fn least_sure_first(
    a_sure: Option<(f64, f64)>,
    a_key: &str,
    b_sure: Option<(f64, f64)>,
    b_key: &str,
) -> Ordering {
    let inf = (f64::INFINITY, f64::INFINITY);
    let ((ma, ca), (mb, cb)) = (a_sure.unwrap_or(inf), b_sure.unwrap_or(inf));
    ma.total_cmp(&mb)
        .then(ca.total_cmp(&cb))
        .then_with(|| a_key.cmp(b_key))
}

/// `(confidence, margin)` of an answer's stored machine coding.
pub fn sureness(a: &Answer) -> Option<(f64, f64)> {
    a.machine.as_ref().map(|m| (m.confidence, m.margin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_machine_codes_leave_the_queue_and_human_codes_win() {
        use crate::answer::MachineCoding;
        use crate::month::Month;
        let config = Config::monitoreo360();
        let mut a = Answer {
            entity_code: "19318".into(),
            entity_name: "Alcaldía (sintética)".into(),
            department: "Cauca".into(),
            region: "Pacífico".into(),
            entity_kind: None,
            month: Month::parse("2020-11").unwrap(),
            question: "articulacion_instrumentos".into(),
            answer_id: None,
            text: "las dependencias se articulan".into(),
            rating: None,
            codes: vec![],
            machine: Some(MachineCoding {
                codes: vec!["articulacion_dependencias".into()],
                confidence: 0.95,
                ..Default::default()
            }),
            interview_date: None,
            respondent_role: None,
            attributes: Default::default(),
        };
        assert_eq!(coding_state(&a, &config), Some(CodingState::Waiting));
        a.machine.as_mut().unwrap().accepted = true;
        assert_eq!(coding_state(&a, &config), Some(CodingState::Accepted));
        assert!(!needs_review(&a, &config));
        a.codes = vec!["integralidad".into()];
        assert_eq!(coding_state(&a, &config), Some(CodingState::Human));
        // A human code wins even on a text that reads as a non-answer (as `status` always
        // counted it); uncoded, such a text is not to be coded.
        a.text = "no sabe".into();
        assert_eq!(coding_state(&a, &config), Some(CodingState::Human));
        a.codes.clear();
        assert_eq!(coding_state(&a, &config), None);
    }

    #[test]
    fn lowest_margin_then_confidence_then_key_and_unsuggested_last() {
        let mut items = [
            (None, "a"),
            (Some((0.5, 0.9)), "b"),
            (Some((0.1, 0.8)), "c"),
            (Some((0.1, 0.4)), "d"),
            (Some((0.1, 0.4)), "a2"),
        ];
        items.sort_by(|x, y| least_sure_first(x.0, x.1, y.0, y.1));
        let keys: Vec<&str> = items.iter().map(|x| x.1).collect();
        assert_eq!(keys, ["a2", "d", "c", "b", "a"]);
    }
}
