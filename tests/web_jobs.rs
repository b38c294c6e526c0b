//! The web app's "Entrenar y clasificar" page and its background jobs, over HTTP against
//! `codifica serve` run as a child process (so that `CODIFICA_JOB_PAUSE_MS` slows its jobs
//! down without touching this process's environment), on a workspace holding the built-in
//! **synthetic** demo months.

use std::io::{BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use codifica::config::Config;
use codifica::app::import::import;
use codifica::ingest::ImportOptions;
use codifica::model::examples::model_file_name;
use codifica::month::Month;
use codifica::store::{AnswerFilter, Store};
use codifica::workspace::Workspace;

// ---------------------------------------------------------------- fixture

/// A workspace with the demo's five synthetic months (human codes up to November).
fn workspace() -> (tempfile::TempDir, PathBuf, Month) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let ws = Workspace::init(&root, Config::monitoreo360_text(), false).unwrap();
    codifica::codebook::install_defaults(&ws).unwrap();
    let data = codifica::demo::DemoData::generate(42);
    let csv = dir.path().join("demo.csv");
    std::fs::write(&csv, data.to_csv()).unwrap();
    import(&ws, &csv, &ImportOptions::default()).unwrap();
    let last = Month::parse(data.months().last().unwrap()).unwrap();
    (dir, root, last)
}

/// `codifica serve` on a free port; killed when dropped.
struct Serve {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(root: &Path, pause_ms: u64) -> Serve {
    let mut child = Command::new(env!("CARGO_BIN_EXE_codifica"))
        .args(["serve", "--port", "0", "--workspace"])
        .arg(root)
        .env("CODIFICA_JOB_PAUSE_MS", pause_ms.to_string())
        .env_remove("CODIFICA_WORKSPACE")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .parse()
        .unwrap();
    Serve { child, addr }
}

/// Runs `codifica -w ROOT args…`.
fn cli(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_codifica"))
        .arg("-w")
        .arg(root)
        .args(args)
        .env_remove("CODIFICA_WORKSPACE")
        .output()
        .unwrap()
}

// ---------------------------------------------------------------- a tiny HTTP client

#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        let h = self
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name));
        h.map(|(_, v)| v.as_str())
    }

    /// The job card's state (`en-curso`, `terminado`, `cancelado`, `fallido`), if any.
    fn state(&self) -> Option<&str> {
        let rest = self.body.split("data-estado=\"").nth(1)?;
        rest.split('"').next()
    }
}

fn request(addr: SocketAddr, head: &str, body: &str) -> Resp {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let req = format!(
        "{head}\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1));
    let status = status.and_then(|c| c.parse().ok()).unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Resp {
        status,
        headers,
        body: body.to_string(),
    }
}

fn get(addr: SocketAddr, path: &str, cookie: &str) -> Resp {
    request(
        addr,
        &format!("GET {path} HTTP/1.1\r\nCookie: {cookie}"),
        "",
    )
}

fn post(addr: SocketAddr, path: &str, cookie: &str, body: &str) -> Resp {
    request(
        addr,
        &format!("POST {path} HTTP/1.1\r\nCookie: {cookie}"),
        body,
    )
}

/// A browser session on the page: its cookie and the CSRF token of its forms.
fn session(addr: SocketAddr) -> (String, String) {
    let r = get(addr, "/entrenar", "");
    assert_eq!(r.status, 200, "{}", r.body);
    let cookie = r
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .find_map(|(_, v)| {
            let pair = v.split(';').next()?.trim();
            pair.starts_with("codifica_sesion=")
                .then(|| pair.to_string())
        })
        .expect("a session cookie");
    let csrf = r
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a CSRF field")
        .to_string();
    (cookie, csrf)
}

/// Polls the page until its job is no longer running; returns the last page.
fn wait_for_end(addr: SocketAddr, cookie: &str) -> Resp {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let r = get(addr, "/entrenar", cookie);
        assert_eq!(r.status, 200, "{}", r.body);
        if r.state() != Some("en-curso") {
            return r;
        }
        assert!(Instant::now() < deadline, "the job never ended");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Polls the page until its job runs and shows progress.
fn wait_for_progress(addr: SocketAddr, cookie: &str) -> Resp {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let r = get(addr, "/entrenar", cookie);
        if r.state() == Some("en-curso") && r.body.contains("«") {
            return r;
        }
        assert!(Instant::now() < deadline, "no progress shown: {}", r.body);
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn number(body: &str, id: &str) -> usize {
    let at = format!("id=\"{id}\">");
    let rest = body.split(&at).nth(1).unwrap_or_else(|| panic!("no #{id}"));
    rest.split('<').next().unwrap().trim().parse().unwrap()
}

// ---------------------------------------------------------------- tests

/// Train from the page, poll until done, read the validation in Spanish; then classify the
/// last month with automatic acceptance and find the page's counts in the store.
#[test]
fn train_then_classify_with_auto_accept_from_the_page() {
    let (_dir, root, last) = workspace();
    let s = serve(&root, 0);
    let (cookie, csrf) = session(s.addr);
    let r = post(
        s.addr,
        "/entrenar/iniciar",
        &cookie,
        &format!("csrf={csrf}&accion=entrenar"),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = wait_for_end(s.addr, &cookie);
    assert_eq!(r.state(), Some("terminado"), "{}", r.body);
    assert!(r.body.contains("Modelos entrenados"), "{}", r.body);
    assert!(
        r.body.contains("Mes por mes"),
        "forward validation: {}",
        r.body
    );
    assert!(
        r.body.contains("Cobertura: cuánto se puede aceptar"),
        "{}",
        r.body
    );
    assert!(r.header("refresh").is_none(), "no refresh once done");
    let ws = Workspace::open(&root).unwrap();
    let models = codifica::model::examples::model_files(&ws.models_dir()).unwrap();
    assert!(!models.is_empty(), "models written");

    let body = format!("csrf={csrf}&accion=clasificar&mes={last}&aceptar=1");
    let r = post(s.addr, "/entrenar/iniciar", &cookie, &body);
    assert_eq!(r.status, 303, "{}", r.body);
    let r = wait_for_end(s.addr, &cookie);
    assert_eq!(r.state(), Some("terminado"), "{}", r.body);
    let (accepted, queued) = (number(&r.body, "aceptadas"), number(&r.body, "en-cola"));
    let store = Store::open(&ws).unwrap();
    let answers = store
        .answers(&AnswerFilter {
            month: Some(last),
            ..Default::default()
        })
        .unwrap();
    let stored_accepted = answers
        .iter()
        .filter(|a| a.machine.as_ref().is_some_and(|m| m.accepted))
        .count();
    assert_eq!(accepted, stored_accepted);
    assert!(
        accepted > 0 && queued > 0,
        "{accepted} accepted, {queued} queued"
    );
    assert!(
        answers
            .iter()
            .filter(|a| a.is_coded())
            .all(|a| !a.machine.as_ref().is_some_and(|m| m.accepted)),
        "an answer an analyst coded is never accepted over"
    );
}

/// While a job runs: reading pages answer, a second job is refused in Spanish, a CLI write
/// gets "busy"; then the job is cancelled and the previous models are left as they were.
#[test]
fn one_job_at_a_time_busy_for_the_cli_and_cancel_keeps_the_old_models() {
    let (_dir, root, _) = workspace();
    let ws = Workspace::open(&root).unwrap();
    let q = ws.config().coded_questions().next().unwrap().id.clone();
    let old_model = ws.models_dir().join(model_file_name(&q));
    std::fs::write(&old_model, b"the previous model").unwrap();
    let s = serve(&root, 700);
    let (cookie, csrf) = session(s.addr);
    let start = format!("csrf={csrf}&accion=entrenar");
    assert_eq!(
        post(s.addr, "/entrenar/iniciar", &cookie, &start).status,
        303
    );
    let r = wait_for_progress(s.addr, &cookie);
    assert!(r.body.contains("<progress"), "{}", r.body);
    assert!(
        r.header("refresh").is_some(),
        "the page polls while the job runs"
    );

    let again = post(s.addr, "/entrenar/iniciar", &cookie, &start);
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(
        again.body.contains("Ya hay un trabajo en curso"),
        "{}",
        again.body
    );

    let t = Instant::now();
    let read = get(s.addr, "/buscar?q=planeacion", &cookie);
    assert_eq!(read.status, 200);
    assert!(
        t.elapsed() < Duration::from_secs(30),
        "reading is not blocked"
    );

    let out = cli(&root, &["train"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("busy"), "{err}");

    let cancel = post(
        s.addr,
        "/entrenar/cancelar",
        &cookie,
        &format!("csrf={csrf}"),
    );
    assert_eq!(cancel.status, 303, "{}", cancel.body);
    let r = wait_for_end(s.addr, &cookie);
    assert_eq!(r.state(), Some("cancelado"), "{}", r.body);
    assert!(r.body.contains("no se guardó nada"), "{}", r.body);
    assert_eq!(std::fs::read(&old_model).unwrap(), b"the previous model");
    let models = codifica::model::examples::model_files(&ws.models_dir()).unwrap();
    assert_eq!(models, vec![old_model], "no other model written");
    assert!(
        cli(&root, &["status"]).status.success(),
        "the lock was released"
    );
}

/// The job routes take the same CSRF rule as every form, and refuse what cannot start.
#[test]
fn job_forms_need_the_csrf_token_and_refuse_in_spanish() {
    let (_dir, root, last) = workspace();
    let s = serve(&root, 0);
    let (cookie, csrf) = session(s.addr);
    let r = post(s.addr, "/entrenar/iniciar", &cookie, "accion=entrenar");
    assert_eq!(r.status, 403, "{}", r.body);
    let r = post(
        s.addr,
        "/entrenar/iniciar",
        "",
        &format!("csrf={csrf}&accion=entrenar"),
    );
    assert_eq!(r.status, 403, "no session, no job");
    assert_eq!(
        get(s.addr, "/entrenar", &cookie).state(),
        None,
        "nothing started"
    );
    let body = format!("csrf={csrf}&accion=clasificar&mes={last}&aceptar=1");
    let r = post(s.addr, "/entrenar/iniciar", &cookie, &body);
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("No hay modelos entrenados"), "{}", r.body);
    let r = post(
        s.addr,
        "/entrenar/cancelar",
        &cookie,
        &format!("csrf={csrf}"),
    );
    assert_eq!(r.status, 409);
    assert!(
        r.body.contains("No hay ningún trabajo en curso"),
        "{}",
        r.body
    );
}

/// A training with nothing to learn from ends as failed, with the reason in Spanish, and
/// releases the workspace.
#[test]
fn a_training_without_coded_answers_fails_in_spanish() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(dir.path(), Config::monitoreo360_text(), false).unwrap();
    codifica::codebook::install_defaults(&ws).unwrap();
    let s = serve(dir.path(), 0);
    let (cookie, csrf) = session(s.addr);
    let r = post(
        s.addr,
        "/entrenar/iniciar",
        &cookie,
        &format!("csrf={csrf}&accion=entrenar"),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = wait_for_end(s.addr, &cookie);
    assert_eq!(r.state(), Some("fallido"), "{}", r.body);
    assert!(
        r.body
            .contains("no tiene respuestas codificadas por analistas"),
        "{}",
        r.body
    );
    assert!(
        cli(dir.path(), &["status"]).status.success(),
        "the lock was released"
    );
}
