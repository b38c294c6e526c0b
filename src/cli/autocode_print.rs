//! The tables `codifica autocode` prints: what the dictionary coded, and its evaluation beside
//! the trained model's.

use codifica::app::autocode::AutocodeReport;
use codifica::autocode;
use codifica::model::metrics::Report;

use super::output::plural;

/// What the dictionary coded, per code.
pub fn print_summary(cb: &codifica::codebook::Codebook, out: &autocode::Outcome) {
    let n = out.codings.len();
    let pct = |k: usize| share(k, n - out.non_answers);
    let answers = plural(n, "answer", "answers");
    let non = plural(out.non_answers, "non-answer", "non-answers");
    let (coded, ties) = (out.coded, plural(out.ties, "tie", "ties"));
    let share_coded = pct(coded);
    println!(
        "autocode {}: {answers}, {non}, {coded} coded ({share_coded:.1}% of real answers), {ties}",
        cb.question
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

/// `k` as a percentage of `real` answers (0 when there are none).
fn share(k: usize, real: usize) -> f64 {
    if real == 0 {
        0.0
    } else {
        100.0 * k as f64 / real as f64
    }
}

/// One score of an evaluation report.
type Metric = fn(&Report) -> f64;

/// The dictionary's scores beside the trained model's, the verdict, and the per-code scores.
pub fn print_report(r: &Report, model: Option<&Report>) {
    println!("  evaluation against human codes ({} answers):", r.n);
    let model_head = if model.is_some() { "model(cv)" } else { "" };
    println!("  {:<18} {:>9} {:>9}", "", "autocode", model_head);
    print_scores(r, model);
    if let Some(x) = model {
        print_verdict(r, x);
    }
    print_per_code(r);
}

fn print_scores(r: &Report, model: Option<&Report>) {
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
    let kappa = |r: &Report| r.kappa.map_or("-".to_string(), |k| format!("{k:.3}"));
    let model_kappa = model.map_or(String::new(), kappa);
    println!("  {:<18} {:>9} {:>9}", "kappa", kappa(r), model_kappa);
}

fn print_verdict(r: &Report, model: &Report) {
    let verdict = if model.macro_f1 > r.macro_f1 {
        "the trained model beats the dictionary (macro F1): prefer `codifica classify`"
    } else {
        "the dictionary is still as good as the trained model (macro F1): code more examples"
    };
    println!("  {verdict}");
}

fn print_per_code(r: &Report) {
    let head = ("code", "precision", "recall", "F1", "support");
    println!(
        "  {:<30} {:>9} {:>7} {:>7} {:>7}",
        head.0, head.1, head.2, head.3, head.4
    );
    for c in &r.per_code {
        let (code, p, rc, f1, n) = (&c.code, c.precision, c.recall, c.f1, c.support);
        println!("  {code:<30} {p:>9.3} {rc:>7.3} {f1:>7.3} {n:>7}");
    }
}

/// The report as text, or the evaluation as JSON.
pub fn print(
    question: &str,
    output: Option<&std::path::Path>,
    r: &AutocodeReport,
    json: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    if !json {
        print_text(output, r, quiet);
        return Ok(());
    }
    let (autocode, model_cv) = (&r.evaluation, &r.model_cv);
    let v = serde_json::json!({ "question": question, "autocode": autocode, "model_cv": model_cv });
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}

/// What the dictionary coded, the file written, the codes stored, and the evaluation.
fn print_text(output: Option<&std::path::Path>, r: &AutocodeReport, quiet: bool) {
    print_summary(&r.codebook, &r.outcome);
    if let Some(path) = output.filter(|_| !quiet) {
        println!("  wrote {}", path.display());
    }
    if let Some(n) = r.stored.filter(|_| !quiet) {
        let model = codifica::autocode::MODEL_NAME;
        println!("  stored machine codes (model \"{model}\") on {n} answers");
    }
    match &r.evaluation {
        Some(Some(e)) => print_report(e, r.model_cv.as_ref()),
        Some(None) => println!("  evaluation: no human-coded answers to compare with"),
        None => {}
    }
}
