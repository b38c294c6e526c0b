//! What `codifica train` prints: one line per question (with its cross-validation), or the
//! `--json` summary.

use codifica::app::display_q;
use codifica::app::train::TrainReport;
use codifica::model::QuestionModel;
use codifica::model::metrics::Report;

/// The report as text, or as JSON.
pub fn print(r: &TrainReport, json: bool, quiet: bool) -> anyhow::Result<()> {
    match json {
        true => println!("{}", serde_json::to_string_pretty(&self::json(r))?),
        false => print_text(r, quiet),
    }
    Ok(())
}

/// The summary `--json` prints.
fn json(r: &TrainReport) -> serde_json::Value {
    let summary: Vec<_> = r.models.iter().map(model_json).collect();
    serde_json::json!({ "models": summary, "files": r.files })
}

/// One model: its rows, codes and warnings, and the cross-validation's scores if any.
fn model_json(m: &QuestionModel) -> serde_json::Value {
    let cv = m.meta.cv.as_ref().map(cv_json);
    serde_json::json!({
        "question": m.question, "rows": m.meta.rows, "non_answers": m.meta.non_answers,
        "codes": m.codes.len(), "rows_per_code": m.meta.rows_per_code,
        "cv": cv, "warnings": m.meta.warnings,
    })
}

/// The cross-validation's scores.
fn cv_json(r: &Report) -> serde_json::Value {
    serde_json::json!({
        "rows": r.n, "accuracy": r.accuracy, "macro_f1": r.macro_f1, "micro_f1": r.micro_f1,
        "weighted_f1": r.weighted_f1, "kappa": r.kappa })
}

/// One line per trained question, its warnings, and the files written.
fn print_text(r: &TrainReport, quiet: bool) {
    r.models.iter().for_each(print_model);
    for f in r.files.iter().filter(|_| !quiet) {
        println!("wrote {}", f.display());
    }
}

fn print_model(m: &QuestionModel) {
    let multi = if m.settings.multi_label {
        " (multi-label)"
    } else {
        ""
    };
    let (q, rows, codes) = (display_q(&m.question), m.meta.rows, m.codes.len());
    let (non, cv) = (m.meta.non_answers, cv_line(m));
    println!("{q}: {rows} answers, {codes} codes{multi}, {non} non-answers skipped; {cv}");
    for w in &m.meta.warnings {
        eprintln!("warning: {q}: {w}");
    }
}

/// The cross-validation in one phrase.
fn cv_line(m: &QuestionModel) -> String {
    let Some(r) = &m.meta.cv else {
        return "no cross-validation".to_string();
    };
    let sample = match r.n < m.meta.rows {
        true => format!(" on a sample of {}", r.n),
        false => String::new(),
    };
    let cov = r
        .ranking
        .as_ref()
        .and_then(|k| k.coverage.iter().find(|c| c.target == 0.9));
    let cov = cov.map_or(String::new(), |c| {
        format!(", {:.1} % acceptable at 90 % accuracy", c.share * 100.0)
    });
    let (protocol, accuracy, f1) = (&r.protocol, r.accuracy, r.macro_f1);
    format!("{protocol}{sample}: accuracy {accuracy:.3}, macro-F1 {f1:.3}{cov}")
}
