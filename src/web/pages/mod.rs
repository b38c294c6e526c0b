//! Web stage: the pages. One file per page (Buscar, Codificar, Tablero, Entidad) plus the
//! shared pieces here: running library calls off the async threads, and the status and error
//! pages (a busy workspace becomes a friendly 503).
//!
//! In: parsed requests and the [`App`]. Out: HTML responses.

mod buscar;
mod codificar;
mod entidad;
mod importar;
mod informe;
mod equipo;
mod libro;
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
pub use codificar::{aceptar, codificar, guardar, respuesta};
pub use entidad::entidad;
pub use importar::{UploadLimit, escribir, importar, is_upload, probar, subir, too_large_message};
pub use informe::{descargar, informe, muestra};
pub use equipo::{codificar_muestra, equipo, muestra as equipo_muestra, nombre};
pub use libro::{editar, libro};
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

/// The page for a library error. An error the request caused says what is wrong, with its 4xx
/// ([`request_status`]); a busy workspace is a 503 (try again). Everything else — the server's
/// own files, its index, a bug — is a 500 (507 for a full disk) that shows no detail: the
/// detail goes to the console log of `codifica serve` ([`super::state::internal_failure`]).
pub fn error_page(err: &Error) -> Response {
    if let Error::Busy { .. } = err {
        let mut r = status_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Espacio de trabajo ocupado",
            "Otro proceso de codifica está escribiendo en este espacio de trabajo (una \
             importación, un entrenamiento o una clasificación). No se guardó nada: espere a \
             que termine y vuelva a intentarlo.",
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return r;
    }
    match request_status(err) {
        Some(status) => {
            let title = match status {
                StatusCode::NOT_FOUND => "No encontrado",
                StatusCode::CONFLICT => "No se puede hacer ahora",
                _ => "Solicitud no válida",
            };
            status_page(status, title, &err.to_string())
        }
        None => {
            let (status, title, message) = super::state::internal_failure(err);
            status_page(status, title, message)
        }
    }
}

/// The 4xx of an error the request caused: a bad value or query → 400, something it names that
/// does not exist → 404, the workspace's state in the way → 409. `None` for the rest: internal
/// failures ([`Error::is_user_error`] false) and the user errors of the server's own files (an
/// unreadable config or codebook, a model, a stale index), which the web user cannot fix.
pub fn request_status(err: &Error) -> Option<StatusCode> {
    if !err.is_user_error() {
        return None;
    }
    match err {
        Error::NotFound { .. } => Some(StatusCode::NOT_FOUND),
        Error::Conflict { .. } => Some(StatusCode::CONFLICT),
        Error::Argument { .. }
        | Error::Invalid(_)
        | Error::Query { .. }
        | Error::QueryLimit { .. } => Some(StatusCode::BAD_REQUEST),
        _ => None,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The request's mistakes get their 4xx and message; internal failures and the server's own
    /// files a 500 without details (a poisoned lock used to be a 400 showing its text).
    #[test]
    fn user_errors_are_4xx_and_internal_ones_500() {
        let cases = [
            (Error::argument("mes", "«x» no es un mes"), 400),
            (Error::invalid("bad"), 400),
            (
                Error::Query {
                    position: 3,
                    message: "unclosed quote".into(),
                },
                400,
            ),
            (Error::not_found("no hay un tema 9"), 404),
            (Error::conflict("codes in use"), 409),
            (Error::Busy { path: "ws".into() }, 503),
            (Error::internal("the writer was poisoned"), 500),
            (Error::internal("cannot listen on 127.0.0.1:8080"), 500),
            (Error::file("ws/codebooks/q.toml", "line 3: bad"), 500),
        ];
        for (err, status) in cases {
            let page = error_page(&err);
            assert_eq!(page.status().as_u16(), status, "{err:?}");
        }
        assert_eq!(request_status(&Error::internal("x")), None);
    }
}
