//! Temas: the emerging themes of a month and question ([`crate::themes`]), each with a form to
//! make it a new code. Adopting one adds the code to the codebook and sends the theme's
//! uncoded answers to the review queue with that code suggested ([`crate::themes::adopt_theme`]):
//! nothing is coded without an analyst.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::month::Month;
use crate::themes::{ThemeOptions, ThemeReport, adopt_theme, themes_from_store};

use super::super::html::{self, Tab, esc, query_string};
use super::super::state::App;
use super::see_other;
use super::{Pairs, blocking, param, respond, status_page};
use crate::web::security::Session;

/// The month and question asked for (month: the latest with answers when absent).
fn chosen(app: &App, pairs: &Pairs) -> crate::Result<Option<(Month, String)>> {
    let asked = param(pairs, "mes");
    let month = match super::super::html::month_param(asked)? {
        None => app.months()?.last().copied(),
        some => some,
    };
    let question = param(pairs, "pregunta");
    let question = if question.is_empty() {
        app.ws
            .config()
            .coded_questions()
            .next()
            .map_or(String::new(), |q| q.id.clone())
    } else {
        question.to_string()
    };
    Ok(month.map(|m| (m, question)))
}

fn report(app: &App, month: Month, question: &str) -> crate::Result<ThemeReport> {
    let opts = ThemeOptions {
        question: Some(question.to_string()),
        ..ThemeOptions::month(month)
    };
    themes_from_store(&app.store, app.ws.config(), &app.codebooks()?, &opts)
}

/// GET /temas?mes=…&pregunta=…
pub async fn temas(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    Query(pairs): Query<Pairs>,
) -> Response {
    blocking(app, move |app| {
        let Some((month, question)) = chosen(app, &pairs)? else {
            let body = "<h1>Temas emergentes</h1><div class=\"tarjeta\"><p>El espacio de trabajo \
                        aún no tiene respuestas.</p></div>";
            return Ok(respond(StatusCode::OK, html::page("Temas", Tab::Ninguna, body)));
        };
        let r = report(app, month, &question)?;
        let mut body = format!(
            "<h1>Temas emergentes — {}</h1><p class=\"meta\">Pregunta: {}</p>",
            esc(&month.spanish()),
            esc(&super::question_label(app.ws.config(), &question))
        );
        body.push_str(&crate::themes::html::section(&r));
        for (i, t) in r.themes.iter().enumerate() {
            let _ = write!(
                body,
                "<form class=\"tarjeta\" method=\"post\" action=\"/temas/adoptar\">\
                 <h2>Convertir «{label}» en un código nuevo</h2>\
                 <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                 <input type=\"hidden\" name=\"mes\" value=\"{mes}\">\
                 <input type=\"hidden\" name=\"pregunta\" value=\"{q}\">\
                 <input type=\"hidden\" name=\"tema\" value=\"{n}\">\
                 <label>Identificador <input type=\"text\" name=\"id\" required pattern=\"[a-z0-9_]+\"></label> \
                 <label>Nombre <input type=\"text\" name=\"nombre\" required></label> \
                 <button type=\"submit\">Crear el código y enviar sus {size} respuestas a revisión</button></form>",
                label = esc(&t.label),
                csrf = esc(&session.csrf),
                mes = esc(&month.to_string()),
                q = esc(&question),
                n = i + 1,
                size = t.size
            );
        }
        Ok(respond(StatusCode::OK, html::page("Temas", Tab::Ninguna, &body)))
    })
    .await
}

/// POST /temas/adoptar — the theme (recomputed: seeded, so the same) becomes a code; its
/// answers go to Codificar with the code suggested.
pub async fn adoptar(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !app.secrets.csrf_ok(&session.sid, param(&pairs, "csrf")) {
        return status_page(
            StatusCode::FORBIDDEN,
            "Formulario vencido",
            "El formulario no lleva un código de seguridad válido. Vuelva a abrir la página.",
        );
    }
    blocking(app, move |app| {
        let Some((month, question)) = chosen(app, &pairs)? else {
            return Err(crate::Error::not_found("no hay respuestas"));
        };
        let r = report(app, month, &question)?;
        let n: usize = param(&pairs, "tema").parse().unwrap_or(0);
        let theme = n
            .checked_sub(1)
            .and_then(|i| r.themes.get(i))
            .ok_or_else(|| crate::Error::not_found(format!("no hay un tema {n}")))?;
        let _lock = app.ws.lock()?;
        adopt_theme(
            &app.ws,
            &app.store,
            &question,
            theme,
            param(&pairs, "id"),
            param(&pairs, "nombre"),
        )?;
        Ok(see_other(&format!(
            "/codificar{}",
            query_string(&[("mes", &month.to_string()), ("pregunta", &question)])
        )))
    })
    .await
}
