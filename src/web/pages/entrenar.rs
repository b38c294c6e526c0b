//! Entrenar y clasificar: train the workspace's models (then the validation that predicts a new
//! month, and how much can be accepted at each accuracy), and classify a month with automatic
//! acceptance at 90 % accuracy. Both are the use cases the CLI runs ([`crate::app::train`],
//! [`crate::app::evaluate`], [`crate::app::classify`]).
//!
//! Long jobs run in a background thread, one at a time per workspace. Their state lives in the
//! server, not in the tab: closing the page loses nothing, and the page refreshes itself while a
//! job runs. A job holds the workspace's write lock from start to end (a CLI command meanwhile
//! gets "busy"), reports its progress, and can be cancelled: the flag is checked between
//! questions, before anything is written, so a cancelled job leaves the previous models and
//! codings. Reading pages never wait for a job.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Extension;
use axum::extract::{Form, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use crate::app::classify::{self, MonthReport, MonthRequest};
use crate::app::evaluate::{self, EvaluateRequest, Outcome};
use crate::app::train::{self, TrainReport, TrainRequest};
use crate::app::{Monitor, Progress};
use crate::error::{Error, Result};
use crate::model::examples::model_files;
use crate::month::Month;
use crate::workspace::WorkspaceLock;

use super::super::html::{self, Tab, esc, options, query_string};
use super::super::state::App;
use super::{Pairs, blocking, param, respond, see_other, status_page};
use crate::web::security::Session;

/// The accuracy at which "aceptar automáticamente" accepts machine codes.
pub const ACCEPT_AT: f64 = 0.9;

/// Seconds between the page's refreshes while a job runs.
const REFRESH_SECONDS: &str = "2";

/// Test hook: milliseconds a job pauses at each step (`CODIFICA_JOB_PAUSE_MS`), so that tests
/// can see a job running, cancel it, and start a second one against it.
const PAUSE_VAR: &str = "CODIFICA_JOB_PAUSE_MS";

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Train,
    Classify { month: Month, accept: bool },
}

/// How a job ended.
enum Ended {
    Trained(
        TrainReport,
        Vec<(String, std::result::Result<Outcome, String>)>,
    ),
    Classified(MonthReport),
    Cancelled,
    Failed(String),
}

/// One job: what it does, how far it went, how it ended.
struct Job {
    kind: Kind,
    progress: Progress,
    ended: Mutex<Option<Ended>>,
}

impl Job {
    fn running(&self) -> bool {
        self.ended.lock().map(|e| e.is_none()).unwrap_or(false)
    }

    fn finish(&self, ended: Ended) {
        if let Ok(mut e) = self.ended.lock() {
            *e = Some(ended);
        }
    }
}

/// The latest job of each workspace (by its folder), running or ended.
fn jobs() -> &'static Mutex<HashMap<PathBuf, Arc<Job>>> {
    static JOBS: OnceLock<Mutex<HashMap<PathBuf, Arc<Job>>>> = OnceLock::new();
    JOBS.get_or_init(Default::default)
}

fn current(app: &App) -> Option<Arc<Job>> {
    let jobs = jobs().lock().ok()?;
    jobs.get(app.ws.root()).cloned()
}

/// The job's progress through one phase (training, then validating) of `phases`.
struct Phase<'a> {
    job: &'a Job,
    label: &'static str,
    index: usize,
    phases: usize,
    pause: Duration,
}

impl Monitor for Phase<'_> {
    fn progress(&self, done: usize, total: usize, what: &str) {
        let step = if what.is_empty() {
            String::new()
        } else {
            format!("{} «{what}»", self.label)
        };
        let (done, total) = (self.index * total + done, self.phases * total);
        self.job.progress.progress(done, total, &step);
        if !self.pause.is_zero() {
            std::thread::sleep(self.pause);
        }
    }

    fn cancelled(&self) -> bool {
        self.job.progress.cancelled()
    }
}

fn pause() -> Duration {
    let ms = std::env::var(PAUSE_VAR).ok().and_then(|v| v.parse().ok());
    Duration::from_millis(ms.unwrap_or(0))
}

/// Starts `kind` in a background thread holding the workspace's lock. Refuses a second job of
/// this workspace (in Spanish), and a workspace another process is writing to (busy).
fn start(app: &Arc<App>, kind: Kind) -> Result<()> {
    let mut registry = jobs()
        .lock()
        .map_err(|_| Error::invalid("el registro de trabajos no está disponible"))?;
    let root = app.ws.root().to_path_buf();
    if let Some(job) = registry.get(&root).filter(|j| j.running()) {
        return Err(Error::invalid(already_running(job.kind)));
    }
    let lock = app.ws.lock()?;
    let job = Arc::new(Job {
        kind,
        progress: Progress::default(),
        ended: Mutex::new(None),
    });
    registry.insert(root, job.clone());
    let app = app.clone();
    std::thread::spawn(move || run(&app, &job, lock));
    Ok(())
}

fn already_running(kind: Kind) -> String {
    let what = match kind {
        Kind::Train => "un entrenamiento".to_string(),
        Kind::Classify { month, .. } => format!("la clasificación de {}", month.spanish()),
    };
    format!(
        "Ya hay un trabajo en curso en este espacio de trabajo ({what}). Espere a que termine o \
         cancélelo antes de iniciar otro."
    )
}

/// Runs the job to its end; a panic ends it as failed rather than leaving it "running".
fn run(app: &App, job: &Job, lock: WorkspaceLock) {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match job.kind {
        Kind::Train => run_train(app, job, &lock),
        Kind::Classify { month, accept } => run_classify(app, job, &lock, month, accept),
    }));
    drop(lock);
    let ended = match outcome {
        Ok(Ok(ended)) => ended,
        Ok(Err(_)) if job.progress.cancelled() => Ended::Cancelled,
        Ok(Err(e)) => Ended::Failed(spanish(&e)),
        Err(_) => Ended::Failed("error interno (el detalle quedó en la consola)".to_string()),
    };
    job.finish(ended);
}

/// A failure in Spanish: the ones an analyst meets in plain words, the rest with the library's
/// message.
fn spanish(err: &Error) -> String {
    let text = err.to_string();
    let known = [
        (
            "no human-coded answers to learn from",
            "El espacio de trabajo no tiene respuestas codificadas por analistas de las que \
             aprender: importe meses codificados o codifique respuestas en Codificar primero.",
        ),
        (
            "no answers to coded questions in",
            "Ese mes no tiene respuestas a preguntas que se codifiquen: importe el mes primero.",
        ),
        (
            "no model for question",
            "Falta el modelo de alguna pregunta del mes: entrene los modelos primero.",
        ),
    ];
    match known.iter().find(|(english, _)| text.contains(english)) {
        Some((_, message)) => message.to_string(),
        None => format!("No se pudo completar el trabajo: {text}"),
    }
}

/// Trains every coded question, then validates each as a new month would test it.
fn run_train(app: &App, job: &Job, lock: &WorkspaceLock) -> Result<Ended> {
    let (ws, store, pause) = (&app.ws, &app.store, pause());
    let phase = |index, label| Phase {
        job,
        label,
        index,
        phases: 2,
        pause,
    };
    let req = TrainRequest::default();
    let report = train::train_locked(ws, store, &req, &phase(0, "Entrenando"), lock)?;
    let by_q = train::workspace_examples_for(ws, store, None)?;
    let (validating, eval) = (phase(1, "Validando"), EvaluateRequest::default());
    let mut validation = Vec::new();
    for (q, w) in by_q {
        let one = BTreeMap::from([(q.clone(), w)]);
        let r = evaluate::validate_all(&ws.config().analyzer, &one, &eval, &validating);
        let r = r.map(|mut v| v.remove(0)).map_err(|e| e.to_string());
        validation.push((q, r));
    }
    Ok(Ended::Trained(report, validation))
}

/// Classifies the month with the workspace's models.
fn run_classify(
    app: &App,
    job: &Job,
    lock: &WorkspaceLock,
    month: Month,
    accept: bool,
) -> Result<Ended> {
    let pause = pause();
    let watch = Phase {
        job,
        label: "Clasificando",
        index: 0,
        phases: 1,
        pause,
    };
    let set = classify::workspace_models(&app.ws)?;
    let req = MonthRequest {
        month,
        question: None,
        accept_at: accept.then_some(ACCEPT_AT),
        model_tag: "models/".to_string(),
    };
    let r = classify::classify_locked(&app.ws, &app.store, &set, &req, &watch, lock)?;
    Ok(Ended::Classified(r))
}

// ---------------------------------------------------------------- pages

/// GET /entrenar — the running job's progress (the page refreshes itself), or the last job's
/// result and the forms to start one.
pub async fn entrenar(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
) -> Response {
    blocking(app, move |app| {
        let job = current(app);
        let running = job.as_ref().is_some_and(|j| j.running());
        let mut body = String::from("<h1>Entrenar y clasificar</h1>");
        match &job {
            Some(j) if running => body.push_str(&progress_card(j, &session.csrf)),
            Some(j) => {
                body.push_str(&ended_card(app, j));
                body.push_str(&forms(app, &session.csrf)?);
            }
            None => body.push_str(&forms(app, &session.csrf)?),
        }
        let page = html::page("Entrenar y clasificar", Tab::Entrenar, &body);
        let mut resp = respond(StatusCode::OK, page);
        if running {
            let refresh = HeaderValue::from_static(REFRESH_SECONDS);
            resp.headers_mut().insert("refresh", refresh);
        }
        Ok(resp)
    })
    .await
}

/// POST /entrenar/iniciar — starts training (`accion=entrenar`) or classifying a month
/// (`accion=clasificar`, `mes`, `aceptar`).
pub async fn iniciar(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !app.secrets.csrf_ok(&session.sid, param(&pairs, "csrf")) {
        return expired_form();
    }
    let kind = match requested(&pairs) {
        Ok(kind) => kind,
        Err(message) => {
            return status_page(StatusCode::BAD_REQUEST, "Solicitud no válida", &message);
        }
    };
    let app2 = app.clone();
    blocking(app, move |_| {
        if let Err(Error::Invalid(message)) = precheck(&app2, kind) {
            return Ok(status_page(
                StatusCode::BAD_REQUEST,
                "No se puede iniciar",
                &message,
            ));
        }
        match start(&app2, kind) {
            Err(Error::Invalid(message)) => Ok(status_page(
                StatusCode::CONFLICT,
                "Trabajo en curso",
                &message,
            )),
            Err(e) => Err(e),
            Ok(()) => Ok(see_other("/entrenar")),
        }
    })
    .await
}

/// POST /entrenar/cancelar — asks the running job to stop at its next step.
pub async fn cancelar(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !app.secrets.csrf_ok(&session.sid, param(&pairs, "csrf")) {
        return expired_form();
    }
    match current(&app).filter(|j| j.running()) {
        Some(job) => {
            job.progress.stop.store(true, Ordering::Relaxed);
            see_other("/entrenar")
        }
        None => status_page(
            StatusCode::CONFLICT,
            "Nada que cancelar",
            "No hay ningún trabajo en curso en este espacio de trabajo.",
        ),
    }
}

fn expired_form() -> Response {
    status_page(
        StatusCode::FORBIDDEN,
        "Formulario vencido",
        "El formulario no lleva un código de seguridad válido. Vuelva a abrir la página.",
    )
}

/// The job a form asks for.
fn requested(pairs: &Pairs) -> std::result::Result<Kind, String> {
    match param(pairs, "accion") {
        "entrenar" => Ok(Kind::Train),
        "clasificar" => {
            let asked = param(pairs, "mes");
            let month = Month::parse_lenient(asked)
                .ok_or_else(|| format!("«{asked}» no es un mes (use AAAA-MM)"))?;
            let accept = param(pairs, "aceptar") == "1";
            Ok(Kind::Classify { month, accept })
        }
        other => Err(format!("«{other}» no es una acción de esta página")),
    }
}

/// Refuses, in Spanish, what would fail at once: classifying without models or a month
/// without answers.
fn precheck(app: &App, kind: Kind) -> Result<()> {
    let Kind::Classify { month, .. } = kind else {
        return Ok(());
    };
    if model_files(&app.ws.models_dir())?.is_empty() {
        return Err(Error::invalid(
            "No hay modelos entrenados en este espacio de trabajo: entrénelos primero.",
        ));
    }
    if !app.months()?.contains(&month) {
        return Err(Error::invalid(format!(
            "No hay respuestas de {}: importe el mes primero.",
            month.spanish()
        )));
    }
    Ok(())
}

fn kind_label(kind: Kind) -> String {
    match kind {
        Kind::Train => "Entrenamiento de los modelos".to_string(),
        Kind::Classify { month, accept } => format!(
            "Clasificación de {}{}",
            month.spanish(),
            if accept {
                " con aceptación automática"
            } else {
                ""
            }
        ),
    }
}

fn progress_card(job: &Job, csrf: &str) -> String {
    let p = &job.progress;
    let (done, total) = (
        p.done.load(Ordering::Relaxed),
        p.total.load(Ordering::Relaxed),
    );
    let step = p.step.lock().map(|s| s.clone()).unwrap_or_default();
    let stopping = if p.cancelled() {
        "<p class=\"aviso\">Cancelando: el trabajo se detiene al terminar el paso en curso; no \
         se guardará nada.</p>"
    } else {
        ""
    };
    format!(
        "<section class=\"tarjeta\" id=\"trabajo\" data-estado=\"en-curso\"><h2>{} — en curso</h2>\
         <p><progress id=\"avance\" value=\"{done}\" max=\"{}\"></progress> {done} de {} pasos. {}</p>\
         {stopping}<p>Puede cerrar esta pestaña: el trabajo sigue en el servidor. Esta página se \
         actualiza sola cada {REFRESH_SECONDS} segundos.</p>\
         <form method=\"post\" action=\"/entrenar/cancelar\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <button type=\"submit\" class=\"sec\">Cancelar</button></form></section>",
        esc(&kind_label(job.kind)),
        total.max(1),
        total,
        esc(&step),
        esc(csrf)
    )
}

fn ended_card(app: &App, job: &Job) -> String {
    let Ok(ended) = job.ended.lock() else {
        return String::new();
    };
    let title = esc(&kind_label(job.kind));
    match ended.as_ref() {
        None => String::new(),
        Some(Ended::Cancelled) => format!(
            "<section class=\"tarjeta\" id=\"trabajo\" data-estado=\"cancelado\"><h2>{title} — \
             cancelado</h2><p class=\"aviso\">El trabajo se canceló: no se guardó nada; los \
             modelos y códigos anteriores siguen como estaban.</p></section>"
        ),
        Some(Ended::Failed(message)) => format!(
            "<section class=\"tarjeta\" id=\"trabajo\" data-estado=\"fallido\"><h2>{title} — no \
             se completó</h2><p class=\"error\">{}</p><p>No se guardó nada.</p></section>",
            esc(message)
        ),
        Some(Ended::Trained(report, validation)) => trained_card(app, report, validation),
        Some(Ended::Classified(report)) => classified_card(app, report),
    }
}

fn pct(share: f64) -> String {
    format!("{}\u{a0}%", html::num(100.0 * share, 1))
}

fn trained_card(
    app: &App,
    report: &TrainReport,
    validation: &[(String, std::result::Result<Outcome, String>)],
) -> String {
    let mut out = String::from(
        "<section class=\"tarjeta\" id=\"trabajo\" data-estado=\"terminado\"><h2>Modelos \
         entrenados</h2><table><thead><tr><th>Pregunta</th><th class=\"num\">Respuestas \
         codificadas</th><th class=\"num\">Códigos</th></tr></thead><tbody>",
    );
    for m in &report.models {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&super::question_label(app.ws.config(), &m.question)),
            m.meta.rows,
            m.codes.len()
        );
    }
    out.push_str("</tbody></table></section>");
    for (q, v) in validation {
        let label = super::question_label(app.ws.config(), q);
        out.push_str(&match v {
            Ok(o) => validation_card(&label, o),
            Err(e) => format!(
                "<section class=\"tarjeta validacion\"><h2>Validación — {}</h2><p class=\"aviso\">\
                 No se pudo validar: {}</p></section>",
                esc(&label),
                esc(e)
            ),
        });
    }
    out
}

/// The validation that predicts a new month (or the fallback's), and the coverage table: how
/// many answers can be accepted at each accuracy.
fn validation_card(label: &str, o: &Outcome) -> String {
    let r = &o.report;
    let mut out = format!(
        "<section class=\"tarjeta validacion\"><h2>Validación — {}</h2><p>{} respuestas \
         probadas: exactitud {}, macro-F1 {}.</p>",
        esc(label),
        r.n,
        pct(r.accuracy),
        html::num(r.macro_f1, 3)
    );
    if !o.months.is_empty() {
        out.push_str(
            "<h3>Mes por mes (cada mes predicho con un modelo entrenado en los anteriores)</h3>\
             <table class=\"meses\"><thead><tr><th>Mes</th><th class=\"num\">Entrenado con</th>\
             <th class=\"num\">Probadas</th><th class=\"num\">Exactitud</th>\
             <th class=\"num\">Macro-F1</th></tr></thead><tbody>",
        );
        for m in &o.months {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&m.month.spanish()),
                m.trained_on,
                m.report.n,
                pct(m.report.accuracy),
                html::num(m.report.macro_f1, 3)
            );
        }
        out.push_str("</tbody></table>");
    }
    if let Some(rk) = &r.ranking {
        out.push_str(
            "<h3>Cobertura: cuánto se puede aceptar sin revisión</h3><table class=\"cobertura\">\
             <thead><tr><th>Precisión exigida</th><th class=\"num\">Respuestas aceptables</th>\
             <th class=\"num\">Confianza mínima</th></tr></thead><tbody>",
        );
        for c in &rk.coverage {
            let threshold = c.threshold.map_or("—".to_string(), |t| html::num(t, 3));
            let _ = write!(
                out,
                "<tr><td>≥ {}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                pct(c.target),
                pct(c.share),
                threshold
            );
        }
        out.push_str("</tbody></table>");
    }
    for w in &o.warnings {
        let _ = write!(out, "<p class=\"aviso\">{}</p>", esc(w));
    }
    out.push_str("</section>");
    out
}

fn classified_card(app: &App, r: &MonthReport) -> String {
    let (mut accepted, mut queued) = (0, 0);
    let mut rows = String::new();
    for (q, t) in &r.questions {
        accepted += t.accepted;
        queued += t.to_review();
        let _ = write!(
            rows,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&super::question_label(app.ws.config(), q)),
            t.n,
            t.accepted,
            t.human,
            t.to_review(),
            t.non
        );
    }
    let link = query_string(&[("mes", &r.month.to_string())]);
    format!(
        "<section class=\"tarjeta\" id=\"trabajo\" data-estado=\"terminado\"><h2>{} clasificado</h2>\
         <p class=\"ok\" id=\"resumen\">Aceptadas automáticamente: <strong id=\"aceptadas\">{accepted}</strong>. \
         A la cola de revisión: <strong id=\"en-cola\">{queued}</strong>.</p>\
         <table><thead><tr><th>Pregunta</th><th class=\"num\">Clasificadas</th>\
         <th class=\"num\">Aceptadas automáticamente</th><th class=\"num\">Ya codificadas por analistas</th>\
         <th class=\"num\">Por revisar</th><th class=\"num\">Sin respuesta</th></tr></thead>\
         <tbody>{rows}</tbody></table><p><a href=\"/codificar{}\">Revisar la cola de {}</a></p></section>",
        esc(&r.month.spanish()),
        esc(&link),
        esc(&r.month.spanish())
    )
}

/// The forms: train, and classify a month (the latest first) with automatic acceptance.
fn forms(app: &App, csrf: &str) -> Result<String> {
    let months: Vec<(String, String)> = app
        .months()?
        .iter()
        .rev()
        .map(|m| (m.to_string(), m.spanish()))
        .collect();
    let models = model_files(&app.ws.models_dir())?.len();
    let csrf = esc(csrf);
    let first = months.first().map_or(String::new(), |m| m.0.clone());
    Ok(format!(
        "<section class=\"tarjeta\"><h2>Entrenar</h2><p>Entrena un modelo por pregunta con las \
         respuestas que los analistas ya codificaron (vuelva a entrenar después de corregir \
         códigos). Modelos entrenados ahora: {models}.</p>\
         <form method=\"post\" action=\"/entrenar/iniciar\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <input type=\"hidden\" name=\"accion\" value=\"entrenar\">\
         <button type=\"submit\">Entrenar</button></form></section>\
         <section class=\"tarjeta\"><h2>Clasificar un mes</h2>\
         <form method=\"post\" action=\"/entrenar/iniciar\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <input type=\"hidden\" name=\"accion\" value=\"clasificar\">\
         <label>Mes <select name=\"mes\">{}</select></label> \
         <label><input type=\"checkbox\" name=\"aceptar\" value=\"1\" checked> aceptar \
         automáticamente con precisión ≥ 90\u{a0}%</label> \
         <button type=\"submit\">Clasificar</button></form>\
         <p>Las respuestas que ya codificó un analista nunca se sobrescriben; las demás quedan \
         en la cola de revisión.</p></section>",
        options(&months, &first)
    ))
}
