//! The tables `codifica evaluate` prints: the scores, the ranking of the confidence, the
//! per-code scores, the confusion matrix and the month-by-month forward validation.

use codifica::app::display_q;
use codifica::app::evaluate::Outcome;
use codifica::model::metrics::{Ranking, Report};
use codifica::model::validation::MonthResult;

/// Every question's evaluation: tables and warnings, or JSON.
pub fn print_all(results: &[Outcome], json: bool) -> anyhow::Result<()> {
    if json {
        let v: Vec<_> = results.iter().map(outcome_json).collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    for o in results {
        print_outcome(o);
        for w in &o.warnings {
            eprintln!("warning: {}: {w}", display_q(&o.question));
        }
    }
    Ok(())
}

/// One question's evaluation as JSON: `{question, report, months, warnings}`.
fn outcome_json(o: &Outcome) -> serde_json::Value {
    let (question, report, months, warnings) = (&o.question, &o.report, &o.months, &o.warnings);
    serde_json::json!({"question": question, "report": report, "months": months, "warnings": warnings})
}

/// One question's evaluation, as tables.
fn print_outcome(o: &Outcome) {
    print_report(&o.question, &o.report);
    print_months(&o.months);
}

fn print_months(months: &[MonthResult]) {
    if months.is_empty() {
        return;
    }
    println!("month      trained on  tested  accuracy  macro-F1  cov@90");
    for m in months {
        let cov = m.report.ranking.as_ref();
        let cov = cov.and_then(|r| r.coverage.iter().find(|c| c.target == 0.9));
        let cov = cov.map_or("-".to_string(), |c| format!("{:.3}", c.share));
        let (month, r) = (m.month.to_string(), &m.report);
        println!(
            "{month:<9}  {:>10}  {:>6}  {:>8.3}  {:>8.3}  {cov:>6}",
            m.trained_on, r.n, r.accuracy, r.macro_f1
        );
    }
    println!();
}

fn print_report(q: &str, r: &Report) {
    let multi = match r.confusion {
        None => ", multi-label: accuracy = exact code set",
        Some(_) => "",
    };
    let (q, protocol, n) = (display_q(q), &r.protocol, r.n);
    println!("== {q} ({protocol}, {n} answers{multi})");
    let kappa = r.kappa.map_or("-".to_string(), |k| format!("{k:.3}"));
    println!(
        "accuracy {:.3}  macro-F1 {:.3}  micro-F1 {:.3}  weighted-F1 {:.3}  kappa {kappa}",
        r.accuracy, r.macro_f1, r.micro_f1, r.weighted_f1
    );
    if let Some(rk) = &r.ranking {
        print_ranking(rk);
    }
    print_per_code(r);
    print_confusion(r);
    println!();
}

fn print_per_code(r: &Report) {
    let w = r.per_code.iter().map(|c| c.code.chars().count()).max();
    let w = w.unwrap_or(4).clamp(4, 40);
    println!("{:w$}  precision  recall     F1  support", "code");
    for c in &r.per_code {
        let name: String = c.code.chars().take(w).collect();
        println!(
            "{name:w$}  {:>9.3}  {:>6.3}  {:>5.3}  {:>7}",
            c.precision, c.recall, c.f1, c.support
        );
    }
}

fn print_confusion(r: &Report) {
    let Some(cm) = r.confusion.as_ref().filter(|cm| cm.len() <= 12) else {
        return;
    };
    println!("confusion matrix (rows: human code, columns: model), codes in the order above:");
    for row in cm {
        let cells: Vec<String> = row.iter().map(|n| format!("{n:>5}")).collect();
        println!("{}", cells.join(""));
    }
}

/// The confidence's ranking: top-3 accuracy, what can be accepted at 95 / 90 / 80 % accuracy,
/// and the reliability table.
fn print_ranking(r: &Ranking) {
    println!("top-3 accuracy {:.3}", r.top3_accuracy);
    for c in &r.coverage {
        let at = c.target * 100.0;
        let what = match c.threshold {
            Some(t) => format!(
                "{:.1} % of the answers (confidence >= {t:.3})",
                c.share * 100.0
            ),
            None => "none (no confidence level keeps that accuracy)".to_string(),
        };
        println!("accept at {at:.0} % accuracy: {what}");
    }
    println!("reliability: confidence bin -> answers, mean confidence, accuracy");
    for b in &r.reliability {
        println!(
            "  [{:.1}, {:.1})  {:>6}  {:.3}  {:.3}",
            b.lo, b.hi, b.n, b.confidence, b.accuracy
        );
    }
}
