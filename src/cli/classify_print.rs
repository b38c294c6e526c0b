//! What `codifica classify` prints about a month: per question the answers classified, the
//! accepted and those left to review.

use codifica::app::classify::{MonthReport, Tally};

/// Per question, then what was stored.
pub fn print_month(r: &MonthReport) {
    for (q, t) in &r.questions {
        let s = if t.non == 1 { "" } else { "s" };
        let (n, mean, non) = (t.n, t.mean_confidence(), t.non);
        println!(
            "{q}: {n} answers classified (mean confidence {mean:.2}), {non} non-answer{s} left uncoded"
        );
        if let Some(p) = r.accept_at {
            print_acceptance(t, p * 100.0);
        }
    }
    let (stored, month) = (r.stored, r.month);
    println!("stored {stored} machine codings for {month} (human codes untouched)");
}

/// What automatic acceptance at `p` % accuracy did to one question.
fn print_acceptance(t: &Tally, p: f64) {
    let Some(th) = t.threshold else {
        let review = t.n - t.human;
        return println!(
            "  nothing accepted: no confidence level kept {p:.0} % accuracy in \
             validation (or the question is multi-label); {review} to review"
        );
    };
    let (accepted, human, review) = (t.accepted, t.human, t.to_review());
    println!(
        "  accepted automatically at {p:.0} % accuracy (confidence >= {th:.3}): {accepted}; \
         coded by an analyst: {human}; to review: {review}"
    );
}
