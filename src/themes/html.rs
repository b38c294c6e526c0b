//! The "Temas emergentes" section of a report (Spanish HTML): the candidate themes with their
//! size, growth and quotes, and the terms whose share rose. Every text from data is escaped.

use std::fmt::Write;

use super::ThemeReport;
use crate::escape::html as esc;
use crate::trends::spanish::{es_opt_pct, es_pct, plural};

/// The section, from `<h2>` to its last table.
pub fn section(r: &ThemeReport) -> String {
    let mut h = String::from("<h2>Temas emergentes</h2>\n");
    let _ = writeln!(
        h,
        "<p>{} de {} tienen un código débil (\"Otro\" o sin código humano y con baja confianza del modelo). Agrupadas por las palabras que comparten, son candidatas a un código nuevo; el analista decide.</p>",
        plural(r.weak, "respuesta", "respuestas"),
        r.answers
    );
    if r.themes.is_empty() {
        h.push_str("<p>No hay suficientes respuestas débiles para proponer temas.</p>\n");
    }
    for t in &r.themes {
        let growth: Vec<String> = t
            .growth
            .iter()
            .map(|g| format!("{}: {}", g.month.spanish_short(), g.count))
            .collect();
        let _ = writeln!(
            h,
            "<h3>{} <span class=\"note\">({}; por mes: {})</span></h3>",
            esc(&t.label),
            plural(t.size, "respuesta", "respuestas"),
            esc(&growth.join(", "))
        );
        for q in &t.quotes {
            let _ = writeln!(
                h,
                "<blockquote>«{}» — {}</blockquote>",
                esc(&q.text),
                esc(&q.entity_name)
            );
        }
    }
    if !r.rising.is_empty() {
        h.push_str("<h3>Palabras que más crecieron</h3>\n<table><tr><th>Palabra</th><th class=\"n\">Respuestas</th><th class=\"n\">Ahora</th><th class=\"n\">Antes</th></tr>\n");
        for t in &r.rising {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(&t.term),
                t.count,
                es_pct(100.0 * t.share),
                es_opt_pct(t.share_before.map(|b| 100.0 * b))
            );
        }
        h.push_str("</table>\n");
    }
    h
}
