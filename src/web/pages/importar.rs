//! Importar: upload the month's CSV or XLSX, recognise its shape (the canonical long format, a
//! saved `[[mapping]]` whose columns it has, or a wide sheet to map now), a dry run that shows
//! added / replaced / unchanged and every problem with row, column and cell, and only then the
//! import, all or nothing ([`crate::app::import`], the job `codifica import` runs).
//!
//! An upload is kept in the workspace's temporary folder (`tmp/`) under a name the server draws
//! (32 random hex digits); later forms name it by that id, which is checked, so no request ever
//! names a file. It is deleted once imported.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use crate::app::import::{
    self as job, ImportOptions, ImportReport, MappingProblem, Shape, Target, propose,
};
use crate::config::Config;
use crate::error::{Error, Result, RowError};
use crate::ingest::{canonical, reader};
use crate::web::security::{Session, random_token, valid_sid};
use crate::workspace::Workspace;

use super::super::html::{self, Tab, esc};
use super::super::state::App;
use super::{Pairs, blocking, param, respond, status_page};

/// The largest upload the server reads (set by `ServeOptions::max_upload_bytes`).
#[derive(Debug, Clone, Copy)]
pub struct UploadLimit(pub usize);

/// True for the routes that receive a file (they get the upload limit, not the form limit).
pub fn is_upload(path: &str) -> bool {
    matches!(path, "/importar/subir" | "/informe/muestra")
}

/// The 413 message of an upload over the limit.
pub fn too_large_message(limit: usize) -> String {
    format!(
        "El archivo supera el tamaño máximo de {} ({} bytes). No se guardó nada: guarde solo la \
         hoja del mes, sin columnas ni hojas que no se importan, y vuelva a subirlo.",
        size_text(limit),
        limit
    )
}

/// A size in MB with a decimal comma ("20 MB", "0,1 MB").
pub fn size_text(bytes: usize) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    let decimals = if mb >= 10.0 || mb.fract() == 0.0 {
        0
    } else {
        1
    };
    format!("{}\u{a0}MB", html::num(mb, decimals))
}

// ------------------------------------------------------------------ multipart/form-data

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    /// The file name the browser sent (shown, never used as a path).
    pub filename: Option<String>,
    pub data: Vec<u8>,
}

/// The parts of a `multipart/form-data` body (`None`: not one, or malformed).
pub fn multipart(headers: &HeaderMap, body: &[u8]) -> Option<Vec<Part>> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    if !ct.to_ascii_lowercase().starts_with("multipart/form-data") {
        return None;
    }
    let boundary = ct.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.eq_ignore_ascii_case("boundary")
            .then(|| v.trim_matches('"').to_string())
    })?;
    let delim = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut rest = body.get(find(body, &delim)? + delim.len()..)?;
    while !rest.starts_with(b"--") {
        rest = rest.strip_prefix(b"\r\n")?;
        let end = find(rest, &[b"\r\n".as_slice(), &delim].concat())?;
        parts.push(part(&rest[..end])?);
        rest = &rest[end + 2 + delim.len()..];
    }
    Some(parts)
}

/// One part: headers, a blank line, the content.
fn part(raw: &[u8]) -> Option<Part> {
    let split = find(raw, b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let disposition = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    let attr = |name: &str| {
        disposition.split(';').find_map(|p| {
            let (k, v) = p.trim().split_once('=')?;
            (k.trim() == name).then(|| v.trim().trim_matches('"').to_string())
        })
    };
    Some(Part {
        name: attr("name")?,
        filename: attr("filename"),
        data: raw[split + 4..].to_vec(),
    })
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut from = 0;
    while let Some(i) = hay.get(from..)?.iter().position(|b| *b == first) {
        let at = from + i;
        if hay.get(at..at + needle.len())? == needle {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The text of field `name` ("" when absent).
pub fn field<'a>(parts: &'a [Part], name: &str) -> std::borrow::Cow<'a, str> {
    parts
        .iter()
        .find(|p| p.name == name)
        .map_or("".into(), |p| String::from_utf8_lossy(&p.data))
}

/// The page of a form without a valid CSRF token.
pub fn expired_form() -> Response {
    status_page(
        StatusCode::FORBIDDEN,
        "Formulario vencido",
        "El formulario no lleva un código de seguridad válido. Vuelva a abrir la página.",
    )
}

/// Why a form is refused (a 400 page once shown).
#[derive(Debug, Clone)]
pub struct Refusal {
    pub title: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn page(&self) -> Response {
        refuse(self.title, &self.message)
    }
}

/// A 400 page with a title and a message; nothing was written.
pub fn refuse(title: &str, message: &str) -> Response {
    status_page(StatusCode::BAD_REQUEST, title, message)
}

// ------------------------------------------------------------------ uploads on disk

/// The workspace's temporary folder.
fn upload_dir(root: &Path) -> PathBuf {
    root.join("tmp")
}

/// Keeps an upload under a fresh random name; returns its id. Uploads older than a day (a tab
/// closed before importing) are removed first.
pub fn save_upload(root: &Path, data: &[u8]) -> Result<String> {
    let dir = upload_dir(root);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    remove_old_uploads(&dir);
    let id = random_token();
    let path = dir.join(format!("subida-{id}"));
    crate::fsutil::atomic_write(&path, data)?;
    Ok(id)
}

fn remove_old_uploads(dir: &Path) {
    let day = std::time::Duration::from_secs(24 * 3600);
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > day));
        if old && entry.file_name().to_string_lossy().starts_with("subida-") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The file of upload `id` (`None`: not an id this server draws, or no such upload).
pub fn upload_path(root: &Path, id: &str) -> Option<PathBuf> {
    let path = upload_dir(root).join(format!("subida-{id}"));
    (valid_sid(id) && path.is_file()).then_some(path)
}

/// A library error about an uploaded file, without the server's path to it.
pub fn file_problem(err: &Error) -> Option<String> {
    match err {
        Error::File { message, .. } => Some(message.clone()),
        _ => None,
    }
}

// ------------------------------------------------------------------ pages

/// GET /importar — the upload form.
pub async fn importar(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    Extension(limit): Extension<UploadLimit>,
) -> Response {
    blocking(app, move |app| {
        let ws = Workspace::open(app.ws.root())?;
        let body = format!(
            "<h1>Importar el mes</h1>{}{}",
            upload_form(&session, limit),
            saved_mappings(ws.config())
        );
        Ok(respond(
            StatusCode::OK,
            html::page("Importar", Tab::Importar, &body),
        ))
    })
    .await
}

fn upload_form(session: &Session, limit: UploadLimit) -> String {
    format!(
        "<form class=\"tarjeta\" method=\"post\" action=\"/importar/subir\" \
         enctype=\"multipart/form-data\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <p>Suba la hoja del mes: CSV (coma, punto y coma o tabulador; UTF-8 o Windows-1252) o \
         libro de Excel (XLSX, XLS, ODS), de hasta {max}. Nada se escribe hasta que revise la \
         prueba y pulse «Importar».</p>\
         <label>Archivo <input type=\"file\" name=\"archivo\" required \
         accept=\".csv,.tsv,.txt,.xlsx,.xlsm,.xlsb,.xls,.ods\"></label> \
         <button type=\"submit\">Subir y revisar</button></form>",
        csrf = esc(&session.csrf),
        max = size_text(limit.0)
    )
}

fn saved_mappings(config: &Config) -> String {
    if config.mappings.is_empty() {
        return String::new();
    }
    let names: Vec<String> = config
        .mappings
        .iter()
        .map(|m| format!("<li>{}</li>", esc(&m.name)))
        .collect();
    format!(
        "<div class=\"tarjeta\"><h2>Mapeos guardados</h2><p>Una hoja con las columnas de uno de \
         estos mapeos se importa con un clic.</p><ul>{}</ul></div>",
        names.concat()
    )
}

/// POST /importar/subir — keeps the file and shows what it is.
pub async fn subir(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(parts) = multipart(&headers, &body) else {
        return refuse(
            "Formulario no válido",
            "El envío no trae un archivo (formulario multipart). Use el formulario de Importar.",
        );
    };
    if !app.secrets.csrf_ok(&session.sid, &field(&parts, "csrf")) {
        return expired_form();
    }
    let Some(file) = parts.into_iter().find(|p| p.name == "archivo") else {
        return refuse(
            "Falta el archivo",
            "Elija un archivo antes de pulsar «Subir».",
        );
    };
    if file.data.is_empty() {
        return refuse("Archivo vacío", "El archivo elegido está vacío (0 bytes).");
    }
    blocking(app, move |app| {
        let id = save_upload(app.ws.root(), &file.data)?;
        let shown = file.filename.unwrap_or_default();
        preview(app, &session, &id, &shown)
    })
    .await
}

/// A sheet's header and first rows.
type Head = (Vec<String>, Vec<Vec<String>>);

/// The header and first rows of an upload (`Err` page text: not a readable spreadsheet).
fn head_rows(path: &Path) -> Result<std::result::Result<Head, String>> {
    let mut source = match reader::open(path, None) {
        Ok(s) => s,
        Err(e) => return file_problem(&e).map(Err).ok_or(e),
    };
    let headers = source.headers.clone();
    let mut rows = Vec::new();
    for row in source.by_ref().take(5) {
        match row {
            Ok(r) => rows.push(r.cells),
            Err(e) => return file_problem(&e).map(Err).ok_or(e),
        }
    }
    Ok(Ok((headers, rows)))
}

/// What an upload is: canonical, readable by saved mappings, or a wide sheet to map.
fn preview(app: &App, session: &Session, id: &str, shown: &str) -> Result<Response> {
    let ws = Workspace::open(app.ws.root())?;
    let path = upload_path(ws.root(), id).ok_or_else(|| Error::invalid("upload lost"))?;
    let (headers, rows) = match head_rows(&path)? {
        Ok(h) => h,
        Err(why) => {
            let _ = std::fs::remove_file(&path);
            return Ok(not_a_sheet(shown, &why));
        }
    };
    let mut body = format!("<h1>Importar «{}»</h1>", esc(shown));
    body.push_str(&sample_table(&headers, &rows));
    body.push_str(&recognised(session, id, ws.config(), &headers));
    let proposed = propose(ws.config(), &headers);
    body.push_str(&mapping_form(
        session,
        id,
        ws.config(),
        &headers,
        &proposed,
        "",
        "",
    ));
    Ok(respond(
        StatusCode::OK,
        html::page("Importar", Tab::Importar, &body),
    ))
}

/// One-click forms for the shapes the header is recognised as: the canonical long format, and
/// each saved mapping whose columns it has.
fn recognised(session: &Session, id: &str, config: &Config, headers: &[String]) -> String {
    let mut out = String::new();
    if canonical::Columns::resolve(headers).is_ok() {
        let text = "El archivo tiene el formato largo de codifica (una fila por respuesta).";
        let button = "Probar la importación (sin escribir)";
        out.push_str(&choice_form(session, id, "larga", "", text, button));
    }
    for m in config
        .mappings
        .iter()
        .filter(|m| m.resolve(headers).is_ok())
    {
        let text = format!(
            "La hoja tiene las columnas del mapeo guardado «{}».",
            m.name
        );
        let button = format!("Probar con el mapeo «{}» (sin escribir)", m.name);
        out.push_str(&choice_form(
            session, id, "guardada", &m.name, &text, &button,
        ));
    }
    out
}

fn not_a_sheet(shown: &str, why: &str) -> Response {
    refuse(
        "No es una hoja de cálculo",
        &format!(
            "«{shown}» no es una hoja de cálculo que codifica pueda leer (CSV, XLSX, XLS u ODS); \
             no se guardó nada. Detalle: {why}"
        ),
    )
}

/// One cell of the first rows: long texts (a question as header, an open answer) are cut, whole
/// in the tooltip, so that a wide sheet's rows stay a few lines high at 1280 px.
fn preview_cell(tag: &str, text: &str, max_chars: usize) -> String {
    let shown = crate::trends::clip(text, max_chars);
    if shown == text {
        format!("<{tag}>{}</{tag}>", esc(text))
    } else {
        format!("<{tag} title=\"{}\">{}</{tag}>", esc(text), esc(&shown))
    }
}

fn sample_table(headers: &[String], rows: &[Vec<String>]) -> String {
    let th: String = headers.iter().map(|h| preview_cell("th", h, 60)).collect();
    let mut out = format!(
        "<div class=\"tarjeta\"><h2>Primeras filas</h2><div style=\"overflow-x:auto\">\
         <table class=\"muestra\"><tr>{th}</tr>"
    );
    for r in rows {
        let td: String = r.iter().map(|c| preview_cell("td", c, 70)).collect();
        let _ = write!(out, "<tr>{td}</tr>");
    }
    out.push_str("</table></div></div>");
    out
}

fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        esc(name),
        esc(value)
    )
}

/// A one-button form for a recognised shape (`forma`: larga or guardada).
fn choice_form(
    s: &Session,
    id: &str,
    forma: &str,
    mapeo: &str,
    text: &str,
    button: &str,
) -> String {
    format!(
        "<form class=\"tarjeta\" method=\"post\" action=\"/importar/probar\">{}{}{}{}\
         <p>{}</p><button type=\"submit\">{}</button></form>",
        hidden("csrf", &s.csrf),
        hidden("archivo", id),
        hidden("forma", forma),
        hidden("mapeo", mapeo),
        esc(text),
        esc(button)
    )
}

/// The options of one column's select: ignored, the fields, the config's questions.
fn target_options(config: &Config, selected: &str) -> String {
    let labels = [
        "Código de la entidad (DIVIPOLA)",
        "Nombre de la entidad",
        "Departamento",
        "Región",
        "Mes",
        "Fecha de la entrevista",
    ];
    let mut items = vec![(String::new(), "— no importar —".to_string())];
    for ((key, _), label) in job::FIELDS.iter().zip(labels) {
        items.push((key.to_string(), label.to_string()));
    }
    for q in &config.questions {
        items.push((
            format!("q:{}", q.id),
            format!("Pregunta: {} ({})", q.label(), q.id),
        ));
    }
    html::options(&items, selected)
}

/// The mapping form: each column with its proposed target, the name, the fixed month.
fn mapping_form(
    s: &Session,
    id: &str,
    config: &Config,
    headers: &[String],
    targets: &[Target],
    name: &str,
    month: &str,
) -> String {
    let mut rows = String::new();
    for (i, (h, t)) in headers.iter().zip(targets).enumerate() {
        let _ = write!(
            rows,
            "<tr><td><label for=\"col{i}\">{}</label></td><td><select id=\"col{i}\" \
             name=\"col{i}\">{}</select></td></tr>",
            esc(h),
            target_options(config, &t.key())
        );
    }
    format!(
        "<form class=\"tarjeta\" method=\"post\" action=\"/importar/probar\">{}{}{}\
         <h2>Hoja ancha: a qué corresponde cada columna</h2><p>codifica propone un mapeo según \
         los encabezados; corríjalo si hace falta. Se guarda en codifica.toml con el nombre que \
         elija, y el mes próximo la misma hoja se importa con un clic.</p>\
         <table><tr><th>Columna de la hoja</th><th>Se importa como</th></tr>{rows}</table>\
         <p><label>Nombre del mapeo <input type=\"text\" name=\"mapeo\" value=\"{}\" required \
         pattern=\"[A-Za-z0-9_-]+\"></label> <label>Mes de todas las filas, si la hoja no tiene \
         columna de mes (AAAA-MM) <input type=\"text\" name=\"mes_fijo\" value=\"{}\"></label></p>\
         <button type=\"submit\">Probar con este mapeo (sin escribir)</button></form>",
        hidden("csrf", &s.csrf),
        hidden("archivo", id),
        hidden("forma", "nueva"),
        esc(name),
        esc(month)
    )
}

/// What the form asks to import: the upload, and its shape.
struct Asked {
    path: PathBuf,
    shape: Option<Shape>,
    /// The form's fields, carried to the next form.
    carried: Vec<(String, String)>,
}

/// Reads the form into an [`Asked`]; `Err` is the page to show (nothing written).
fn asked(
    ws: &Workspace,
    s: &Session,
    pairs: &Pairs,
) -> Result<std::result::Result<Asked, Response>> {
    let id = param(pairs, "archivo").to_string();
    let Some(path) = upload_path(ws.root(), &id) else {
        return Ok(Err(refuse(
            "Archivo no disponible",
            "El archivo subido ya no está (se importó o pasó más de un día). Vuelva a subirlo.",
        )));
    };
    let carried: Vec<(String, String)> =
        pairs.iter().filter(|(k, _)| k != "csrf").cloned().collect();
    let shape = match param(pairs, "forma") {
        "larga" => None,
        "guardada" => Some(Shape {
            mapping: job::find_mapping(ws, param(pairs, "mapeo"))?.clone(),
            save: false,
        }),
        _ => match new_mapping(ws, s, &id, &path, pairs)? {
            Ok(m) => Some(Shape {
                mapping: m,
                save: true,
            }),
            Err(page) => return Ok(Err(page)),
        },
    };
    Ok(Ok(Asked {
        path,
        shape,
        carried,
    }))
}

/// The mapping the analyst set in the form; `Err`: the problems and the form again.
fn new_mapping(
    ws: &Workspace,
    s: &Session,
    id: &str,
    path: &Path,
    pairs: &Pairs,
) -> Result<std::result::Result<crate::config::WideMapping, Response>> {
    let headers = reader::open(path, None)?.headers;
    let targets: Vec<Target> = (0..headers.len())
        .map(|i| Target::from_key(param(pairs, &format!("col{i}")), ws.config()))
        .collect();
    let (name, month) = (param(pairs, "mapeo"), param(pairs, "mes_fijo"));
    match job::mapping_from(name, &headers, &targets, Some(month)) {
        Ok(m) => Ok(Ok(m)),
        Err(problems) => {
            let list: String = problems
                .iter()
                .map(|p| format!("<li>{}</li>", esc(&problem_text(p, ws.config()))))
                .collect();
            let body = format!(
                "<h1>El mapeo está incompleto</h1><div class=\"error\"><p>No se importó nada. \
                 Corrija el mapeo:</p><ul>{list}</ul></div>{}",
                mapping_form(s, id, ws.config(), &headers, &targets, name, month)
            );
            Ok(Err(respond(
                StatusCode::UNPROCESSABLE_ENTITY,
                html::page("Importar", Tab::Importar, &body),
            )))
        }
    }
}

fn problem_text(p: &MappingProblem, config: &Config) -> String {
    match p {
        MappingProblem::NoName => "Falta el nombre del mapeo (se guarda con ese nombre).".into(),
        MappingProblem::NoEntityCode => {
            "Ninguna columna es el código de la entidad: es obligatorio.".into()
        }
        MappingProblem::NoMonth => "Ninguna columna es el mes y no se indicó el mes de todas \
            las filas (AAAA-MM): uno de los dos es obligatorio."
            .into(),
        MappingProblem::NoQuestion => "Ninguna columna es una pregunta: no habría respuestas \
            que importar."
            .into(),
        MappingProblem::Twice(key) => {
            let t = Target::from_key(key, config);
            let what = match &t {
                Target::Question(id) => format!("la pregunta «{id}»"),
                _ => format!("el campo «{key}»"),
            };
            format!("Dos columnas se importan como {what}: elija una sola.")
        }
    }
}

/// Runs the job for the form (dry run or not); `Err` page: the form's or the file's problems.
fn run_job(app: &App, s: &Session, pairs: &Pairs, dry_run: bool) -> Result<Response> {
    let ws = Workspace::open(app.ws.root())?;
    let asked = match asked(&ws, s, pairs)? {
        Ok(a) => a,
        Err(page) => return Ok(page),
    };
    let opts = ImportOptions {
        dry_run,
        ..Default::default()
    };
    let result = job::import_shaped(&ws, &asked.path, &opts, asked.shape.as_ref(), &mut |_| {});
    match result {
        Ok(r) if dry_run => Ok(dry_run_page(s, &asked, &r)),
        Ok(r) => {
            let _ = std::fs::remove_file(&asked.path);
            Ok(done_page(&asked, &r))
        }
        Err(Error::Rows { errors, .. }) => Ok(rows_page(&errors, dry_run)),
        Err(e @ Error::Busy { .. }) => Err(e),
        Err(e) => match file_problem(&e) {
            Some(why) => Ok(refuse(
                "No se puede importar",
                &format!("No se importó nada: {why}"),
            )),
            None => Err(e),
        },
    }
}

/// POST /importar/probar — the dry run.
pub async fn probar(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !app.secrets.csrf_ok(&session.sid, param(&pairs, "csrf")) {
        return expired_form();
    }
    blocking(app, move |app| run_job(app, &session, &pairs, true)).await
}

/// POST /importar/escribir — the import, all or nothing.
pub async fn escribir(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !app.secrets.csrf_ok(&session.sid, param(&pairs, "csrf")) {
        return expired_form();
    }
    blocking(app, move |app| run_job(app, &session, &pairs, false)).await
}

fn counts(r: &ImportReport) -> String {
    let verb = |now: &str, would: &str| {
        if r.dry_run {
            would.to_string()
        } else {
            now.to_string()
        }
    };
    format!(
        "<div class=\"cifras\">{}{}{}</div><p class=\"meta\">{} filas, {} respuestas; meses: {}; \
         preguntas: {}</p>",
        cifra(r.added, &verb("agregadas", "se agregarían")),
        cifra(r.replaced, &verb("reemplazadas", "se reemplazarían")),
        cifra(r.unchanged, "sin cambios"),
        r.rows,
        r.answers,
        esc(&r.months.join(", ")),
        esc(&r.questions.join(", "))
    ) + &entity_notes(r)
}

/// The entities the DIVIPOLA gazetteer does not confirm, with the closest names (notes: the
/// import goes ahead; a misspelt name is stored as written).
fn entity_notes(r: &ImportReport) -> String {
    if r.entities.is_empty() {
        return String::new();
    }
    let mut items = String::new();
    for n in &r.entities {
        let what = match &n.divipola_name {
            Some(d) => format!("en DIVIPOLA el código {} es «{d}»", n.code),
            None => format!("{} no es un código DIVIPOLA", n.code),
        };
        let near: Vec<String> = n.closest.iter().map(|(c, m)| format!("{c} {m}")).collect();
        let near = if near.is_empty() {
            String::new()
        } else {
            format!(". Más parecidas: {}", near.join(", "))
        };
        let _ = write!(
            items,
            "<li>«{}» ({}): {}{}</li>",
            esc(&n.name),
            esc(&n.code),
            esc(&what),
            esc(&near)
        );
    }
    format!(
        "<div class=\"aviso\"><p>Entidades que no coinciden con el nomenclátor DIVIPOLA \
         (revise el nombre o el código; no impiden importar):</p><ul>{items}</ul></div>"
    )
}

fn cifra(n: usize, label: &str) -> String {
    format!(
        "<div class=\"cifra\"><div class=\"valor\">{n}</div><div class=\"etiqueta\">{}</div></div>",
        esc(label)
    )
}

fn dry_run_page(s: &Session, asked: &Asked, r: &ImportReport) -> Response {
    let fields: String = asked.carried.iter().map(|(k, v)| hidden(k, v)).collect();
    let saves = match &asked.shape {
        Some(Shape {
            mapping,
            save: true,
        }) => format!(
            "<p>Al importar se guarda el mapeo «{}» en codifica.toml.</p>",
            esc(&mapping.name)
        ),
        _ => String::new(),
    };
    let body = format!(
        "<h1>Prueba de importación</h1><div class=\"ok\">Prueba sin problemas; no se escribió \
         nada todavía.</div>{}<form class=\"tarjeta\" method=\"post\" action=\"/importar/escribir\">\
         {}{fields}{saves}<button type=\"submit\">Importar</button></form>",
        counts(r),
        hidden("csrf", &s.csrf),
    );
    respond(StatusCode::OK, html::page("Importar", Tab::Importar, &body))
}

fn done_page(asked: &Asked, r: &ImportReport) -> Response {
    let saved = match &asked.shape {
        Some(Shape {
            mapping,
            save: true,
        }) => format!(
            "<p>Mapeo «{}» guardado: el mes próximo la misma hoja se importa con un clic.</p>",
            esc(&mapping.name)
        ),
        _ => String::new(),
    };
    let body = format!(
        "<h1>Importación terminada</h1><div class=\"ok\">Se importó el archivo.</div>{}{saved}\
         <p>Siguiente paso: <a href=\"/entrenar\" id=\"siguiente\">Entrenar y clasificar</a> el mes \
         · <a href=\"/codificar\">Ir a Codificar</a> · <a href=\"/tablero\">Ver el Tablero</a></p>",
        counts(r)
    );
    respond(StatusCode::OK, html::page("Importar", Tab::Importar, &body))
}

/// Every problem found, with row, column and the message the command line prints.
fn rows_page(errors: &[RowError], dry_run: bool) -> Response {
    let mut rows = String::new();
    for e in errors {
        let _ = write!(
            rows,
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            e.row.map_or("—".into(), |r| r.to_string()),
            esc(e.column.as_deref().unwrap_or("—")),
            esc(&e.message)
        );
    }
    let when = if dry_run {
        "La prueba"
    } else {
        "La importación"
    };
    let body = format!(
        "<h1>El archivo tiene problemas</h1><div class=\"error\">{when} encontró {} problema{}; \
         no se escribió nada. Corrija el archivo y vuelva a subirlo.</div><div class=\"tarjeta\">\
         <table><tr><th class=\"num\">Fila</th><th>Columna</th><th>Problema</th></tr>{rows}\
         </table></div><p><a href=\"/importar\">Subir otro archivo</a></p>",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    respond(
        StatusCode::UNPROCESSABLE_ENTITY,
        html::page("Importar", Tab::Importar, &body),
    )
}
