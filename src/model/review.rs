//! Stage: model (review). Which answers an analyst should code first: those without a human
//! code, least sure first. One rule for `codifica review` and the web app's Codificar page.

use std::cmp::Ordering;

use crate::answer::{Answer, is_non_answer};
use crate::config::Config;

/// True for an answer waiting for a human code: a coded question, no human code yet, and not
/// a non-answer.
pub fn needs_review(a: &Answer, config: &Config) -> bool {
    !a.is_coded()
        && !is_non_answer(&a.text)
        && config.question(&a.question).is_some_and(|q| q.is_coded())
}

/// Review order: lowest margin first, then lowest confidence, then answer key (stable and
/// deterministic). `sure` is `(margin, confidence)` of the model's suggestion; answers without
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

/// `(margin, confidence)` of an answer's stored machine coding.
pub fn sureness(a: &Answer) -> Option<(f64, f64)> {
    a.machine.as_ref().map(|m| (m.margin, m.confidence))
}

#[cfg(test)]
mod tests {
    use super::*;

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
