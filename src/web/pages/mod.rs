//! Web stage: the pages. One file per page (Buscar, Codificar, Tablero, Entidad) plus the
//! shared pieces here: running library calls off the async threads, and the status and error
//! pages (a busy workspace becomes a friendly 503).
//!
//! In: parsed requests and the [`App`]. Out: HTML responses.

mod buscar;
mod codificar;
mod entidad;
mod entrenar;
mod tablero;
mod temas;

use std::sync::Arc;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::answer::Answer;
use crate::codebook::Codebook;
use crate::config::Config;
use crate::error::{Error, Result};

use super::html::{self, Tab, esc};
use super::state::App;

pub use buscar::buscar;
pub use codificar::{codificar, guardar, respuesta};
pub use entidad::entidad;
pub use entrenar::{cancelar, entrenar, iniciar};
pub use tablero::{reporte, tablero};
pub use temas::{adoptar, temas};

/// Query or form pairs as sent (repeated names kept).
pub type Pairs = Vec<(String, String)>;

/// The first value of `name` in `pairs`, trimmed ("" when absent).
pub fn param<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

/// Every value of `name` in `pairs`.
pub fn params(pairs: &Pairs, name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .collect()
}

/// An HTML response with a status.
pub fn respond(status: StatusCode, body: String) -> Response {
    (status, Html(body)).into_response()
}

/// A small page with a heading and one message.
pub fn status_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<h1>{}</h1><div class=\"tarjeta\"><p>{}</p><p><a href=\"/buscar\">Volver a Buscar</a></p></div>",
        esc(title),
        esc(message)
    );
    respond(status, html::page(title, Tab::Ninguna, &body))
}

/// The page for a library error: busy → 503 (try again), bad request → 400, the rest → 500.
pub fn error_page(err: &Error) -> Response {
    match err {
        Error::Busy { .. } => {
            let mut r = status_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Espacio de trabajo ocupado",
                "Otro proceso de codifica está escribiendo en este espacio de trabajo (una \
                 importación, un entrenamiento o una clasificación). No se guardó nada: espere a \
                 que termine y vuelva a intentarlo.",
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            r
        }
        Error::Query { .. } | Error::QueryLimit { .. } | Error::Invalid(_) => status_page(
            StatusCode::BAD_REQUEST,
            "Solicitud no válida",
            &err.to_string(),
        ),
        other => {
            let (status, title, message) = super::state::internal_failure(other);
            status_page(status, title, message)
        }
    }
}

/// Runs `f` (library calls, which block) on the blocking pool and turns errors into pages.
pub async fn blocking<F>(app: Arc<App>, f: F) -> Response
where
    F: FnOnce(&App) -> Result<Response> + Send + 'static,
{
    match tokio::task::spawn_blocking(move || f(&app)).await {
        Ok(Ok(resp)) => resp,
        Ok(Err(e)) => error_page(&e),
        Err(_) => status_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Error interno",
            "La operación se interrumpió inesperadamente.",
        ),
    }
}

/// A 303 redirect to `to` (after a save, and the server's token-stripping redirect).
pub fn see_other(to: &str) -> Response {
    let mut resp = Response::new(axum::body::Body::empty());
    *resp.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(v) = HeaderValue::from_str(to) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// `/` → Buscar.
pub async fn inicio() -> Response {
    see_other("/buscar")
}

/// Any other path.
pub async fn no_encontrada() -> Response {
    status_page(
        StatusCode::NOT_FOUND,
        "Página no encontrada",
        "Esa dirección no existe en codifica.",
    )
}

/// The question's short label (or its id when unknown).
pub fn question_label(config: &Config, id: &str) -> String {
    config
        .question(id)
        .map_or_else(|| id.to_string(), |q| q.label().to_string())
}

/// Link to an entity's page, with its name as text.
pub fn entity_link(a: &Answer) -> String {
    format!(
        "<a href=\"/entidad{}\">{}</a>",
        esc(&html::query_string(&[("codigo", &a.entity_code)])),
        esc(&a.entity_name)
    )
}

/// A code's label in `cb` (its id when unknown).
pub fn code_label(cb: Option<&Codebook>, id: &str) -> String {
    crate::codebook::label_of(cb, id).to_string()
}

/// Chips for an answer's codes: human (green) and the model's (purple, with confidence).
pub fn code_chips(a: &Answer, cb: Option<&Codebook>) -> String {
    let mut out = String::new();
    for c in &a.codes {
        out.push_str(&format!(
            "<span class=\"chip humano\" title=\"Código asignado por un analista: {}\">{}</span>",
            esc(c),
            esc(&code_label(cb, c))
        ));
    }
    if let Some(m) = &a.machine {
        for c in &m.codes {
            out.push_str(&format!(
                "<span class=\"chip maquina\" title=\"Sugerido por el modelo: {}\">{} · {}</span>",
                esc(c),
                esc(&code_label(cb, c)),
                confidence(m.confidence)
            ));
        }
    }
    out
}

/// A confidence in [0, 1] as a percentage.
pub fn confidence(v: f64) -> String {
    format!("{}\u{a0}%", html::num(100.0 * v.clamp(0.0, 1.0), 0))
}
