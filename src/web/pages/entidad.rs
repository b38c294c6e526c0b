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
use crate::trends::spanish::{es_num, es_opt_num, es_signed};
use crate::trends::{EntitySeries, Interview};

use super::super::html::{self, Tab, esc, query_string};
use super::super::server::Session;
use super::super::state::{App, EntityView};
use super::{Pairs, blocking, code_chips, param, question_label, respond, status_page};

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
            "<h3>{} <span class=\"chip neg\">severidad {}</span></h3><ul>",
            esc(&month.spanish()),
            es_num(f.severity, 2)
        );
        let mut quoted: Vec<&str> = Vec::new();
        for r in &f.reasons {
            let _ = write!(out, "<li>{}", esc(&r.message));
            for q in r
                .quotes
                .iter()
                .filter(|q| !quoted.contains(&q.as_str()))
                .take(2)
            {
                let _ = write!(out, "<div class=\"meta\">«{}»</div>", esc(q));
            }
            quoted.extend(r.quotes.iter().map(String::as_str));
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
    out
}

/// The overall rating over the interviews as a small SVG line chart, with the threshold.
fn chart(s: &EntitySeries, threshold: f64) -> String {
    let points: Vec<(usize, &Interview, f64)> = s
        .interviews
        .iter()
        .enumerate()
        .filter_map(|(i, iv)| iv.overall.map(|r| (i, iv, r)))
        .collect();
    if points.is_empty() {
        return "<p>Sin calificaciones generales registradas.</p>".into();
    }
    let (w, h, left, right, top, bottom) = (900.0, 240.0, 40.0, 60.0, 28.0, 35.0);
    let n = s.interviews.len().max(2) as f64 - 1.0;
    let x = |i: usize| left + 24.0 + (w - left - right - 48.0) * i as f64 / n;
    let y = |r: f64| top + (h - top - bottom) * (5.0 - r.clamp(1.0, 5.0)) / 4.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" \
         role=\"img\" aria-label=\"Calificación general por entrevista\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    for r in 1..=5 {
        let yy = y(r as f64);
        let _ = write!(
            svg,
            "<line x1=\"{left}\" y1=\"{yy:.1}\" x2=\"{x2}\" y2=\"{yy:.1}\" stroke=\"#e3e7ec\"/>\
             <text x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\">{r}</text>",
            x2 = w - right,
            tx = left - 6.0,
            ty = yy + 4.0
        );
    }
    let yt = y(threshold);
    let _ = write!(
        svg,
        "<line x1=\"{left}\" y1=\"{yt:.1}\" x2=\"{x2}\" y2=\"{yt:.1}\" stroke=\"#d73027\" stroke-dasharray=\"5 4\"/>\
         <text x=\"{tx}\" y=\"{ty:.1}\" fill=\"#d73027\">umbral {}</text>",
        es_num(threshold, 1),
        x2 = w - right,
        tx = w - right + 4.0,
        ty = yt + 4.0
    );
    let line: Vec<String> = points
        .iter()
        .map(|(i, _, r)| format!("{:.1},{:.1}", x(*i), y(*r)))
        .collect();
    let _ = write!(
        svg,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#12355b\" stroke-width=\"2.5\"/>",
        line.join(" ")
    );
    for (i, iv) in s.interviews.iter().enumerate() {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x(i),
            h - 12.0,
            esc(&iv.month.spanish_short())
        );
    }
    for (i, _, r) in &points {
        let fill = if *r >= threshold {
            "#1a9850"
        } else {
            "#d73027"
        };
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"{fill}\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>",
            x(*i),
            y(*r),
            x(*i),
            y(*r) - 9.0,
            es_num(*r, 1)
        );
    }
    svg.push_str("</svg>");
    svg
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
