//! What `codifica classify` prints about a month: per question the answers classified, the
//! accepted and those left to review.

use codifica::app::classify::MonthReport;

/// Per question, then what was stored.
pub fn print_month(r: &MonthReport) {
    for (q, t) in &r.questions {
        let s = if t.non == 1 { "" } else { "s" };
        let (n, mean, non) = (t.n, t.mean_confidence(), t.non);
        println!(
            "{q}: {n} answers classified (mean confidence {mean:.2}), {non} non-answer{s} left uncoded"
        );
        let Some(p) = r.accept_at.map(|p| p * 100.0) else {
            continue;
        };
        match t.threshold {
            Some(th) => println!(
                "  accepted automatically at {p:.0} % accuracy (confidence >= {th:.3}): {}; \
                 coded by an analyst: {}; to review: {}",
                t.accepted,
                t.human,
                t.to_review()
            ),
            None => println!(
                "  nothing accepted: no confidence level kept {p:.0} % accuracy in \
                 validation (or the question is multi-label); {} to review",
                t.n - t.human
            ),
        }
    }
    println!(
        "stored {} machine codings for {} (human codes untouched)",
        r.stored, r.month
    );
}
