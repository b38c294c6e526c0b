//! Informe y muestra: download the month's report (HTML, XLSX, GeoJSON), the consolidated report
//! of a period, and next month's interview sample drawn from an uploaded population file (or
//! the built-in one). Every download is written by the same use case the command line runs
//! ([`crate::app::report::write`], [`crate::app::sample::draw_sample`]), so it is the very file
//! `codifica report` or `codifica sample --output` writes. Reports are written into a fresh
//! folder inside the workspace's temporary folder, read back and removed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::app::report::{Period, ReportRequest, write};
use crate::app::sample::{SampleParams, builtin_population, draw_sample};
use crate::error::{Error, Result};
use crate::month::Month;
use crate::web::security::Session;
use crate::workspace::Workspace;

use super::super::html::{self, Tab, esc};
use super::super::state::App;
use super::importar::{Refusal, UploadLimit, expired_form, field, multipart, refuse};
use super::{Pairs, blocking, param, respond};

/// GET /informe — the three forms.
pub async fn informe(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    Extension(limit): Extension<UploadLimit>,
) -> Response {
    blocking(app, move |app| {
        let months = app.months()?;
        let body = format!(
            "<h1>Informe y muestra</h1>{}{}{}",
            month_form(&session, &months),
            period_form(&session, &months),
            sample_form(&session, &months, limit)
        );
        Ok(respond(
            StatusCode::OK,
            html::page("Informe y muestra", Tab::Informe, &body),
        ))
    })
    .await
}

fn month_options(months: &[Month], selected: Option<Month>) -> String {
    let items: Vec<(String, String)> = months
        .iter()
        .rev()
        .map(|m| (m.to_string(), m.spanish()))
        .collect();
    html::options(&items, &selected.map(|m| m.to_string()).unwrap_or_default())
}

fn format_select() -> &'static str {
    "<label>Archivo <select name=\"formato\"><option value=\"html\">Informe (HTML)</option>\
     <option value=\"xlsx\">Tablas (XLSX)</option><option value=\"geojson\">Entidades \
     priorizadas (GeoJSON)</option></select></label>"
}

fn month_form(s: &Session, months: &[Month]) -> String {
    if months.is_empty() {
        return "<div class=\"tarjeta\"><p>El espacio de trabajo aún no tiene entrevistas: \
                importe un mes para generar su informe.</p></div>"
            .into();
    }
    format!(
        "<form class=\"tarjeta filtros\" method=\"post\" action=\"/informe/descargar\">\
         <h2 style=\"grid-column:1/-1\">Informe del mes</h2>\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"tipo\" \
         value=\"mes\"><label>Mes <select name=\"mes\">{}</select></label>{}\
         <button type=\"submit\">Descargar</button></form>",
        esc(&s.csrf),
        month_options(months, months.last().copied()),
        format_select()
    )
}

fn period_form(s: &Session, months: &[Month]) -> String {
    if months.is_empty() {
        return String::new();
    }
    format!(
        "<form class=\"tarjeta filtros\" method=\"post\" action=\"/informe/descargar\">\
         <h2 style=\"grid-column:1/-1\">Informe consolidado de un periodo</h2>\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"tipo\" \
         value=\"periodo\"><label>Desde <select name=\"desde\">{}</select></label>\
         <label>Hasta <select name=\"hasta\">{}</select></label>{}\
         <button type=\"submit\">Descargar</button></form>",
        esc(&s.csrf),
        month_options(months, months.first().copied()),
        month_options(months, months.last().copied()),
        format_select()
    )
}

fn sample_form(s: &Session, months: &[Month], limit: UploadLimit) -> String {
    let next = months
        .last()
        .map(|m| m.next().to_string())
        .unwrap_or_default();
    format!(
        "<form class=\"tarjeta filtros\" method=\"post\" action=\"/informe/muestra\" \
         enctype=\"multipart/form-data\"><h2 style=\"grid-column:1/-1\">Muestra del mes \
         próximo</h2><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <label>Mes (AAAA-MM) <input type=\"text\" name=\"mes\" value=\"{}\" required></label>\
         <label>Entidades <input type=\"number\" name=\"tamano\" value=\"52\" min=\"1\"></label>\
         <label>Semilla <input type=\"number\" name=\"semilla\" value=\"360\" min=\"0\"></label>\
         <label>Población (CSV; vacío: todas las alcaldías y gobernaciones, hasta {}) \
         <input type=\"file\" name=\"poblacion\" accept=\".csv,.txt\"></label>\
         <label><span><input type=\"checkbox\" name=\"solo_calificacion\" value=\"1\"> Incluir \
         solo las priorizadas por la calificación general</span></label>\
         <button type=\"submit\">Descargar la muestra (CSV)</button></form>",
        esc(&s.csrf),
        esc(&next),
        super::importar::size_text(limit.0)
    )
}

/// A file download: its bytes, its type, and the name the browser saves it under.
fn download(bytes: Vec<u8>, name: &str, content_type: &'static str) -> Response {
    let mut resp = Response::new(Body::from(bytes));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// A month of the form, or the refusal page.
fn month_field(pairs: &Pairs, name: &str) -> std::result::Result<Month, Refusal> {
    let v = param(pairs, name);
    Month::parse_lenient(v).ok_or_else(|| Refusal {
        title: "Mes no válido",
        message: format!("«{v}» no es un mes (use AAAA-MM, por ejemplo 2020-07)."),
    })
}

/// The period the form asks for (a month must have interviews).
fn asked_period(app: &App, pairs: &Pairs) -> Result<std::result::Result<Period, Response>> {
    let months = app.months()?;
    let period = if param(pairs, "tipo") == "periodo" {
        match (month_field(pairs, "desde"), month_field(pairs, "hasta")) {
            (Ok(from), Ok(to)) if from <= to => Period::Range { from, to },
            (Ok(_), Ok(_)) => {
                return Ok(Err(refuse(
                    "Periodo no válido",
                    "El mes «Desde» es posterior al mes «Hasta».",
                )));
            }
            (Err(r), _) | (_, Err(r)) => return Ok(Err(r.page())),
        }
    } else {
        match month_field(pairs, "mes") {
            Ok(m) if months.contains(&m) => Period::Month(m),
            Ok(m) => {
                let why = format!(
                    "No hay entrevistas de {} en este espacio de trabajo.",
                    m.spanish()
                );
                return Ok(Err(refuse("Mes sin entrevistas", &why)));
            }
            Err(r) => return Ok(Err(r.page())),
        }
    };
    Ok(Ok(period))
}

/// Writes the report into a fresh folder of the workspace's temporary folder and reads back
/// the file asked for.
fn report_file(app: &App, period: Period, format: &str) -> Result<(Vec<u8>, String)> {
    let ws = Workspace::open(app.ws.root())?;
    let tmp = ws.root().join("tmp");
    std::fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let dir = tempfile::tempdir_in(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let req = ReportRequest {
        period,
        out: dir.path(),
        map: &app.map,
        allow_empty: false,
    };
    let written = write(&ws, &req)?;
    let f = written.files();
    let path: &PathBuf = match format {
        "xlsx" => &f.xlsx,
        "geojson" => &f.geojson,
        _ => &f.html,
    };
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let name = path
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    Ok((bytes, name))
}

fn content_type(format: &str) -> &'static str {
    match format {
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "geojson" => "application/geo+json",
        _ => "text/html; charset=utf-8",
    }
}

/// POST /informe/descargar — the month's or the period's report, one file.
pub async fn descargar(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !app.secrets.csrf_ok(&session.sid, param(&pairs, "csrf")) {
        return expired_form();
    }
    blocking(app, move |app| {
        let period = match asked_period(app, &pairs)? {
            Ok(p) => p,
            Err(page) => return Ok(page),
        };
        let format = param(&pairs, "formato");
        let (bytes, name) = report_file(app, period, format)?;
        Ok(download(bytes, &name, content_type(format)))
    })
    .await
}

/// The sample's parameters from the multipart form, or why they are refused.
fn sample_params(parts: &[super::importar::Part]) -> std::result::Result<SampleParams, Refusal> {
    let mes = field(parts, "mes");
    let month = Month::parse_lenient(mes.trim()).ok_or_else(|| Refusal {
        title: "Mes no válido",
        message: format!("«{mes}» no es un mes (use AAAA-MM)."),
    })?;
    let number = |name: &str, default: u64| {
        let v = field(parts, name);
        let v = v.trim();
        if v.is_empty() {
            return Ok(default);
        }
        v.parse::<u64>().map_err(|_| Refusal {
            title: "Número no válido",
            message: format!("«{v}» no es un número entero."),
        })
    };
    let size = number("tamano", 52)?;
    if size == 0 {
        return Err(Refusal {
            title: "Número no válido",
            message: "La muestra necesita al menos una entidad.".into(),
        });
    }
    Ok(SampleParams {
        month,
        size: usize::try_from(size).unwrap_or(usize::MAX),
        seed: number("semilla", 360)?,
        only_rating_flags: !field(parts, "solo_calificacion").is_empty(),
    })
}

/// POST /informe/muestra — next month's sample as the CSV `codifica sample --output` writes.
pub async fn muestra(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(parts) = multipart(&headers, &body) else {
        return refuse(
            "Formulario no válido",
            "Use el formulario de Informe y muestra.",
        );
    };
    if !app.secrets.csrf_ok(&session.sid, &field(&parts, "csrf")) {
        return expired_form();
    }
    let params = match sample_params(&parts) {
        Ok(p) => p,
        Err(r) => return r.page(),
    };
    let upload = parts
        .into_iter()
        .find(|p| p.name == "poblacion" && !p.data.is_empty());
    blocking(app, move |app| {
        // Parsed in memory; the browser's file name only names the file in messages.
        let population = match &upload {
            Some(p) => {
                let shown = p.filename.clone().unwrap_or_else(|| "población".into());
                match population_upload(app.ws.root(), &p.data, &shown) {
                    Ok(pop) => pop,
                    Err(e) => return Ok(population_refused(&e)),
                }
            }
            None => builtin_population()?,
        };
        let ws = Workspace::open(app.ws.root())?;
        let drawn = draw_sample(&ws, &params, &population)?;
        let name = format!("muestra-{}.csv", params.month);
        Ok(download(drawn.csv, &name, "text/csv; charset=utf-8"))
    })
    .await
}

fn population_refused(e: &Error) -> Response {
    refuse(
        "Población no válida",
        &format!("No se pudo leer el archivo de población; no se generó la muestra. Detalle: {e}"),
    )
}

/// Reads an uploaded population file exactly as `codifica sample --population FILE` reads a file
/// (a workbook or a CSV in any encoding and delimiter): the bytes go to a file of the server's
/// naming in the workspace's temporary folder, removed when read. `shown` (the browser's file
/// name) only names the file in messages.
fn population_upload(
    root: &Path,
    data: &[u8],
    shown: &str,
) -> crate::Result<Vec<crate::sample::PopulationEntity>> {
    let dir = root.join("tmp");
    std::fs::create_dir_all(&dir).map_err(|e| crate::Error::io(&dir, e))?;
    let mut file = tempfile::Builder::new()
        .prefix("poblacion-")
        .tempfile_in(&dir)
        .map_err(|e| crate::Error::io(&dir, e))?;
    std::io::Write::write_all(&mut file, data).map_err(|e| crate::Error::io(file.path(), e))?;
    crate::sample::read_population(file.path()).map_err(|e| {
        let named = e
            .to_string()
            .replace(&file.path().display().to_string(), shown);
        crate::Error::argument("poblacion", named)
    })
}
