//! Tablero: the month at a glance. Every number comes from [`ReportData`] (the same data
//! `codifica report` renders) and every chart from the report's SVG renderers; `/reporte` serves
//! the full report HTML itself. Nothing is computed here but presentation.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::model::review::CodingCounts;
use crate::month::Month;
use crate::report::svg;
use crate::report::{RenderOptions, ReportData};
use crate::trends::spanish::{agree, es_num, es_opt_num, es_opt_pct};

use super::super::html::{self, Tab, esc, options, query_string};
use super::super::state::App;
use super::{Pairs, blocking, param, respond};
use crate::web::security::Session;

/// Flagged entities listed on the dashboard (the report lists them all).
const SHOWN_FLAGS: usize = 10;

/// The month asked for, else the latest with answers; `None` when the store is empty.
fn chosen_month(app: &App, asked: &str) -> crate::Result<(Option<Month>, Vec<Month>)> {
    let months = app.months()?;
    match html::month_param(asked)? {
        None => Ok((months.last().copied(), months)),
        Some(m) => Ok((Some(m), months)),
    }
}

/// GET /tablero?mes=…
pub async fn tablero(
    State(app): State<Arc<App>>,
    Extension(_session): Extension<Session>,
    Query(pairs): Query<Pairs>,
) -> Response {
    let asked = param(&pairs, "mes").to_string();
    blocking(app, move |app| {
        let (month, months) = chosen_month(app, &asked)?;
        let Some(month) = month else {
            let body = "<h1>Tablero</h1><div class=\"tarjeta\"><p>El espacio de trabajo aún no \
                        tiene respuestas. Importe un mes con <code>codifica import</code>.</p></div>";
            return Ok(respond(StatusCode::OK, html::page("Tablero", Tab::Tablero, body)));
        };
        let d = app.report(month)?;
        let mut body = format!("<h1>Tablero — {}</h1>", esc(&month.spanish()));
        body.push_str(&month_form(&months, month));
        body.push_str(&cards(&d));
        body.push_str(&coding_progress(&d));
        if d.interviews > 0 {
            body.push_str(&charts(&d));
        }
        body.push_str(&priority(&d));
        let _ = write!(
            body,
            "<p><a href=\"/reporte{}\">Abrir el reporte completo de {}</a> (el mismo que escribe \
             <code>codifica report</code>).</p>",
            esc(&query_string(&[("mes", &month.to_string())])),
            esc(&month.spanish())
        );
        Ok(respond(StatusCode::OK, html::page("Tablero", Tab::Tablero, &body)))
    })
    .await
}

/// GET /reporte?mes=… — the month's report exactly as `codifica report` renders it.
pub async fn reporte(State(app): State<Arc<App>>, Query(pairs): Query<Pairs>) -> Response {
    let asked = param(&pairs, "mes").to_string();
    blocking(app, move |app| {
        let (month, _) = chosen_month(app, &asked)?;
        let Some(month) = month else {
            return Ok(super::status_page(
                StatusCode::NOT_FOUND,
                "Sin datos",
                "El espacio de trabajo aún no tiene respuestas.",
            ));
        };
        let d = app.report(month)?;
        let html = crate::report::html::render(&d, &RenderOptions::default());
        Ok(respond(StatusCode::OK, html))
    })
    .await
}

fn month_form(months: &[Month], month: Month) -> String {
    let opts: Vec<(String, String)> = months
        .iter()
        .rev()
        .map(|m| (m.to_string(), m.spanish()))
        .collect();
    format!(
        "<form class=\"tarjeta filtros\" method=\"get\" action=\"/tablero\">\
         <label>Mes<select name=\"mes\">{}</select></label>\
         <div><button type=\"submit\" class=\"sec\">Ver</button></div></form>",
        options(&opts, &month.to_string())
    )
}

/// Index of the report month in the code-frequency columns.
fn month_col(d: &ReportData) -> Option<usize> {
    d.code_frequencies
        .first()
        .and_then(|f| f.months.iter().position(|m| *m == d.month))
}

/// The month's coverage summed over the coded questions (`model::review::CodingCounts`, the
/// count `codifica status` and the review queue use).
fn month_coverage(d: &ReportData) -> CodingCounts {
    let mut total = CodingCounts::default();
    let Some(i) = month_col(d) else {
        return total;
    };
    for c in d.code_frequencies.iter().filter_map(|f| f.coverage.get(i)) {
        total.human += c.human;
        total.accepted += c.accepted;
        total.waiting += c.waiting;
        total.suggested += c.suggested;
    }
    total
}

fn cards(d: &ReportData) -> String {
    let o = &d.overall;
    let c = month_coverage(d);
    let flagged = d.flags.flagged.len();
    let items = [
        (
            "entrevistadas",
            d.interviews.to_string(),
            agree(
                d.interviews,
                "entidad entrevistada",
                "entidades entrevistadas",
            ),
        ),
        (
            "promedio",
            es_opt_num(o.mean, 2),
            "calificación general promedio (1 a 5)",
        ),
        (
            "satisfechas",
            es_opt_pct(o.pct_satisfied),
            "de las entidades satisfechas",
        ),
        (
            "priorizadas",
            flagged.to_string(),
            agree(flagged, "entidad priorizada", "entidades priorizadas"),
        ),
        (
            "codificadas",
            c.human.to_string(),
            agree(
                c.human,
                "respuesta codificada por analistas",
                "respuestas codificadas por analistas",
            ),
        ),
        (
            "aceptadas",
            c.accepted.to_string(),
            agree(
                c.accepted,
                "código del modelo aceptado automáticamente",
                "códigos del modelo aceptados automáticamente",
            ),
        ),
        (
            "por-revisar",
            c.waiting.to_string(),
            agree(c.waiting, "respuesta por revisar", "respuestas por revisar"),
        ),
    ];
    let mut out = String::from("<section class=\"cifras\">");
    for (id, value, label) in items {
        let _ = write!(
            out,
            "<div class=\"cifra\" id=\"cifra-{id}\"><div class=\"valor\">{}</div><div class=\"etiqueta\">{}</div></div>",
            esc(&value),
            esc(label)
        );
    }
    out.push_str("</section>");
    if let Some(per100) = o.unsatisfied_per_100 {
        let _ = write!(
            out,
            "<p class=\"aviso\"><strong>{per100} de cada 100</strong> entidades entrevistadas no están \
             satisfechas (calificación general menor que {}).</p>",
            es_num(d.threshold, 1)
        );
    }
    out
}

fn coding_progress(d: &ReportData) -> String {
    let Some(i) = month_col(d) else {
        return String::new();
    };
    let mut rows = String::new();
    for f in &d.code_frequencies {
        let c = f.coverage.get(i).copied().unwrap_or_default();
        let _ = write!(
            rows,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td><a href=\"/codificar{}\">Codificar</a></td></tr>",
            esc(&f.label),
            f.answers.get(i).copied().unwrap_or(0),
            c.human,
            c.accepted,
            c.suggested,
            c.waiting - c.suggested,
            esc(&query_string(&[
                ("mes", &d.month.to_string()),
                ("pregunta", &f.question)
            ]))
        );
    }
    format!(
        "<section class=\"tarjeta\" id=\"avance\"><h2>Avance de la codificación</h2><table>\
         <thead><tr><th>Pregunta</th><th class=\"num\">Con texto</th><th class=\"num\">Por analistas</th>\
         <th class=\"num\">Aceptadas automáticamente</th><th class=\"num\">Sugeridas, por revisar</th>\
         <th class=\"num\">Sin sugerencia</th><th></th></tr></thead>\
         <tbody>{rows}</tbody></table></section>"
    )
}

fn charts(d: &ReportData) -> String {
    let o = &d.overall;
    let mut out = format!(
        "<section class=\"tarjeta grafico\"><h2>Calificación general</h2>{}\
         <h3>Satisfechas y no satisfechas</h3>{}</section>\
         <section class=\"tarjeta grafico\"><h2>Calificación general promedio por región</h2>{}</section>\
         <section class=\"tarjeta grafico\"><h2>Calificación por tema</h2>{}</section>",
        svg::overall_chart(d),
        svg::satisfaction(o.satisfied, o.unsatisfied),
        svg::region_chart(d),
        svg::topic_chart(d),
    );
    if !d.demand.is_empty() {
        let _ = write!(
            out,
            "<section class=\"tarjeta grafico\"><h2>Temas en los que se pide asistencia</h2>{}</section>",
            svg::demand_chart(d)
        );
    }
    out
}

fn priority(d: &ReportData) -> String {
    let f = &d.flags;
    let mut out = format!(
        "<section class=\"tarjeta\" id=\"priorizadas\"><h2>Entidades que requieren atención prioritaria</h2>\
         <p>{} de las {} entidades entrevistadas en {} cumplen al menos un criterio. Las más graves primero.</p>",
        f.flagged.len(),
        f.interviewed,
        esc(&d.month.spanish())
    );
    if let Some(m) = &d.map {
        let _ = write!(out, "<div class=\"grafico\">{}</div>", svg::map(m));
    }
    if let Some(note) = &d.map_note {
        let _ = write!(out, "<p class=\"meta\">{}</p>", esc(note));
    }
    out.push_str("<table><thead><tr><th>#</th><th>Entidad</th><th>Región</th><th class=\"num\">Severidad</th><th>Por qué</th></tr></thead><tbody>");
    for (i, e) in f.flagged.iter().take(SHOWN_FLAGS).enumerate() {
        let reasons = crate::report::html::reasons_list(&e.reasons);
        let _ = write!(
            out,
            "<tr><td>{}</td><td><a href=\"/entidad{}\">{}</a><div class=\"meta\">{}</div></td><td>{}</td>\
             <td class=\"num\">{}</td><td>{}</td></tr>",
            i + 1,
            esc(&query_string(&[("codigo", &e.entity_code)])),
            esc(&e.entity_name),
            esc(&e.department),
            esc(&e.region),
            es_num(e.severity, 2),
            reasons
        );
    }
    out.push_str("</tbody></table>");
    if f.flagged.len() > SHOWN_FLAGS {
        let _ = write!(
            out,
            "<p>Se muestran las {SHOWN_FLAGS} más graves de {}; la lista completa está en el \
             <a href=\"/reporte{}#priorizadas\">reporte del mes</a>.</p>",
            f.flagged.len(),
            esc(&query_string(&[("mes", &d.month.to_string())]))
        );
    }
    out.push_str("</section>");
    out
}
