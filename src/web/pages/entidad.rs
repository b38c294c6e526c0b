//! Entidad: one entity's history — its ratings over its interviews (from the trends stage's
//! series), why it was flagged in each month (the trends stage's reasons), and its coded answers.
//! Without an entity code, a list of entities to pick from.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::store::AnswerFilter;
use crate::trends::EntitySeries;
use crate::trends::spanish::{es_num, es_opt_num, es_signed};

use super::super::html::{self, Tab, esc, query_string};
use super::super::state::{App, EntityView};
use super::{Pairs, blocking, code_chips, param, question_label, respond, status_page};
use crate::web::security::Session;

/// GET /entidad?codigo=…
pub async fn entidad(
    State(app): State<Arc<App>>,
    Extension(_session): Extension<Session>,
    Query(pairs): Query<Pairs>,
) -> Response {
    let code = param(&pairs, "codigo").to_string();
    let filter = param(&pairs, "filtro").to_string();
    blocking(app, move |app| {
        if code.is_empty() {
            return list(app, &filter);
        }
        let Some(view) = app.entity(&code)? else {
            return Ok(status_page(
                StatusCode::NOT_FOUND,
                "Entidad no encontrada",
                "No hay respuestas de una entidad con ese código.",
            ));
        };
        let body = history(app, &view);
        Ok(respond(
            StatusCode::OK,
            html::page(&view.series.entity_name, Tab::Entidad, &body),
        ))
    })
    .await
}

fn list(app: &App, filter: &str) -> crate::Result<Response> {
    struct Row {
        name: String,
        department: String,
        region: String,
        months: Vec<crate::month::Month>,
    }
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    // One entity at a time: the list needs a row per entity, not every answer in memory.
    for group in app.store.answers_by_entity(&AnswerFilter::default())? {
        for a in group? {
            let r = rows.entry(a.entity_code.clone()).or_insert_with(|| Row {
                name: a.entity_name.clone(),
                department: a.department.clone(),
                region: a.region.clone(),
                months: Vec::new(),
            });
            if !r.months.contains(&a.month) {
                r.months.push(a.month);
            }
        }
    }
    let wanted = crate::analyze::plain_terms(filter).join(" ");
    let mut table = String::new();
    for (code, r) in &rows {
        let hay =
            crate::analyze::plain_terms(&format!("{code} {} {}", r.name, r.department)).join(" ");
        if !wanted.is_empty() && !hay.contains(&wanted) {
            continue;
        }
        let last = r
            .months
            .iter()
            .max()
            .map(|m| m.spanish())
            .unwrap_or_default();
        let _ = write!(
            table,
            "<tr><td><a href=\"/entidad{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"num\">{}</td><td>{}</td></tr>",
            esc(&query_string(&[("codigo", code)])),
            esc(&r.name),
            esc(code),
            esc(&r.department),
            esc(&r.region),
            r.months.len(),
            esc(&last)
        );
    }
    let body = format!(
        "<h1>Entidades</h1><form class=\"tarjeta filtros\" method=\"get\" action=\"/entidad\">\
         <label>Nombre, código o departamento<input name=\"filtro\" value=\"{}\"></label>\
         <div><button type=\"submit\" class=\"sec\">Filtrar</button></div></form>\
         <section class=\"tarjeta\"><table><thead><tr><th>Entidad</th><th>Código</th><th>Departamento</th>\
         <th>Región</th><th class=\"num\">Entrevistas</th><th>Última</th></tr></thead><tbody>{table}</tbody>\
         </table></section>",
        esc(filter)
    );
    Ok(respond(
        StatusCode::OK,
        html::page("Entidades", Tab::Entidad, &body),
    ))
}

fn history(app: &App, v: &EntityView) -> String {
    let s = &v.series;
    let config = app.ws.config();
    let mut out = format!(
        "<h1>{}</h1><p class=\"meta\">Código {} · {} · Región {}{} · {} entrevistas</p>",
        esc(&s.entity_name),
        esc(&s.entity_code),
        esc(&s.department),
        esc(&s.region),
        if s.region_changed() {
            format!(" (antes: {})", esc(&s.regions.join(" → ")))
        } else {
            String::new()
        },
        s.interviews.len()
    );
    out.push_str(&flags(v));
    let _ = write!(
        out,
        "<section class=\"tarjeta grafico\"><h2>Calificación general en sus entrevistas</h2>{}</section>",
        chart(s, config.satisfaction_threshold)
    );
    out.push_str(&ratings_table(app, s));
    out.push_str(&answers(app, v));
    out
}

fn flags(v: &EntityView) -> String {
    if v.flags.is_empty() {
        return "<section class=\"tarjeta\" id=\"alertas\"><h2>Atención prioritaria</h2>\
                <p>No fue priorizada en ninguna de sus entrevistas.</p></section>"
            .to_string();
    }
    let mut out =
        String::from("<section class=\"tarjeta\" id=\"alertas\"><h2>Por qué fue priorizada</h2>");
    for (month, f) in v.flags.iter().rev() {
        let _ = write!(
            out,
            "<h3>{} <span class=\"chip neg\">severidad {}</span></h3>{}",
            esc(&month.spanish()),
            es_num(f.severity, 2),
            crate::report::html::reasons_list(&f.reasons)
        );
    }
    out.push_str("</section>");
    out
}

/// The overall rating over the interviews, with the threshold: the report's line chart.
fn chart(s: &EntitySeries, threshold: f64) -> String {
    if s.interviews.iter().all(|iv| iv.overall.is_none()) {
        return "<p>Sin calificaciones generales registradas.</p>".into();
    }
    let labels: Vec<String> = s
        .interviews
        .iter()
        .map(|iv| iv.month.spanish_short())
        .collect();
    let values: Vec<Option<f64>> = s.interviews.iter().map(|iv| iv.overall).collect();
    crate::report::svg::line_chart(&crate::report::svg::LineChart {
        title: "Calificación general por entrevista",
        labels: &labels,
        values: &values,
        min: 1.0,
        max: 5.0,
        reference: Some(threshold),
        size: (900.0, 240.0),
        text: &|v| es_num(v, 1),
    })
}

fn ratings_table(app: &App, s: &EntitySeries) -> String {
    let config = app.ws.config();
    let topics: Vec<&crate::config::Question> = config.topic_questions().collect();
    let mut head =
        String::from("<th>Mes</th><th class=\"num\">General</th><th class=\"num\">Cambio</th>");
    for t in &topics {
        let _ = write!(head, "<th class=\"num\">{}</th>", esc(t.label()));
    }
    head.push_str("<th>Satisfecha</th>");
    let mut rows = String::new();
    for iv in s.interviews.iter().rev() {
        let change = iv
            .change
            .as_ref()
            .and_then(|c| c.overall)
            .map_or("—".to_string(), |d| es_signed(d.delta, 1));
        let _ = write!(
            rows,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            esc(&iv.month.spanish()),
            es_opt_num(iv.overall, 1),
            change
        );
        for t in &topics {
            let _ = write!(
                rows,
                "<td class=\"num\">{}</td>",
                es_opt_num(iv.topics.get(&t.id).copied(), 1)
            );
        }
        let sat = match iv.satisfied {
            Some(true) => "sí",
            Some(false) => "no",
            None => "—",
        };
        let _ = write!(rows, "<td>{sat}</td></tr>");
    }
    format!(
        "<section class=\"tarjeta\" id=\"calificaciones\"><h2>Calificaciones por entrevista</h2>\
         <table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>"
    )
}

fn answers(app: &App, v: &EntityView) -> String {
    let config = app.ws.config();
    let mut rows = String::new();
    let mut open: Vec<&crate::answer::Answer> = v
        .answers
        .iter()
        .filter(|a| !a.text.trim().is_empty())
        .collect();
    open.sort_by(|a, b| {
        b.month
            .cmp(&a.month)
            .then_with(|| a.question.cmp(&b.question))
    });
    for a in open {
        let _ = write!(
            rows,
            "<tr><td class=\"nw\">{}</td><td>{}</td><td>{}</td><td>{}</td><td><a href=\"/respuesta{}\">Codificar</a></td></tr>",
            esc(&a.month.spanish_short()),
            esc(&question_label(config, &a.question)),
            esc(&a.text),
            code_chips(a, v.codebooks.get(&a.question)),
            esc(&query_string(&[("clave", &a.key())]))
        );
    }
    format!(
        "<section class=\"tarjeta\" id=\"respuestas\"><h2>Sus respuestas</h2><table><thead><tr>\
         <th>Mes</th><th>Pregunta</th><th>Respuesta</th><th>Códigos</th><th></th></tr></thead>\
         <tbody>{rows}</tbody></table></section>"
    )
}
