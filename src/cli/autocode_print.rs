//! The tables `codifica autocode` prints: what the dictionary coded, and its evaluation beside
//! the trained model's.

use codifica::autocode;
use codifica::model::metrics::Report;

use super::plural;

/// What the dictionary coded, per code.
pub fn print_summary(cb: &codifica::codebook::Codebook, out: &autocode::Outcome) {
    let n = out.codings.len();
    let real = n - out.non_answers;
    let pct = |k: usize| {
        if real == 0 {
            0.0
        } else {
            100.0 * k as f64 / real as f64
        }
    };
    println!(
        "autocode {}: {}, {}, {} coded ({:.1}% of real answers), {}",
        cb.question,
        plural(n, "answer", "answers"),
        plural(out.non_answers, "non-answer", "non-answers"),
        out.coded,
        pct(out.coded),
        plural(out.ties, "tie", "ties")
    );
    for c in cb.codable() {
        let k = out
            .codings
            .iter()
            .filter(|x| x.codes.contains(&c.id))
            .count();
        println!("  {:<30} {:>6} {:>6.1}%", c.id, k, pct(k));
    }
}

/// One score of an evaluation report.
type Metric = fn(&Report) -> f64;

pub fn print_report(r: &Report, model: Option<&Report>) {
    println!("  evaluation against human codes ({} answers):", r.n);
    let kappa = |r: &Report| r.kappa.map_or("-".to_string(), |k| format!("{k:.3}"));
    println!(
        "  {:<18} {:>9} {:>9}",
        "",
        "autocode",
        if model.is_some() { "model(cv)" } else { "" }
    );
    let m = |f: Metric| model.map_or(String::new(), |x| format!("{:.3}", f(x)));
    let metrics: [(&str, Metric); 4] = [
        ("accuracy", |x| x.accuracy),
        ("macro F1", |x| x.macro_f1),
        ("micro F1", |x| x.micro_f1),
        ("weighted F1", |x| x.weighted_f1),
    ];
    for (name, f) in metrics {
        println!("  {:<18} {:>9.3} {:>9}", name, f(r), m(f));
    }
    println!(
        "  {:<18} {:>9} {:>9}",
        "kappa",
        kappa(r),
        model.map_or(String::new(), kappa)
    );
    if let Some(x) = model {
        let verdict = if x.macro_f1 > r.macro_f1 {
            "the trained model beats the dictionary (macro F1): prefer `codifica classify`"
        } else {
            "the dictionary is still as good as the trained model (macro F1): code more examples"
        };
        println!("  {verdict}");
    }
    println!(
        "  {:<30} {:>9} {:>7} {:>7} {:>7}",
        "code", "precision", "recall", "F1", "support"
    );
    for c in &r.per_code {
        println!(
            "  {:<30} {:>9.3} {:>7.3} {:>7.3} {:>7}",
            c.code, c.precision, c.recall, c.f1, c.support
        );
    }
}
