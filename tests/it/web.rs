//! End-to-end tests of the web app (`codifica serve`): the server runs in-process on a free port
//! against a temporary workspace filled through the library with **synthetic** answers, and is
//! driven with plain HTTP/1.1 over `std::net::TcpStream`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::thread;
use std::time::Duration;

use codifica::answer::{Answer, MachineCoding};
use codifica::config::Config;
use codifica::month::Month;
use codifica::store::Store;
use codifica::web::{ServeOptions, Server, StopHandle};
use codifica::workspace::Workspace;

// ---------------------------------------------------------------- fixture (synthetic data)

const Q: &str = "necesidades_debilidades";

fn answer(entity: &str, name: &str, month: &str, question: &str, text: &str) -> Answer {
    Answer {
        entity_code: entity.into(),
        entity_name: name.into(),
        department: "Antioquia".into(),
        region: "Eje Cafetero".into(),
        entity_kind: Some("alcaldía".into()),
        month: Month::parse(month).unwrap(),
        question: question.into(),
        answer_id: None,
        text: text.into(),
        rating: None,
        codes: vec![],
        machine: None,
        interview_date: None,
        respondent_role: None,
        attributes: Default::default(),
    }
}

fn rating(entity: &str, name: &str, month: &str, r: f64) -> Answer {
    let mut a = answer(entity, name, month, "calificacion_general", "");
    a.rating = Some(r);
    a
}

fn machine(code: &str, margin: f64) -> Option<MachineCoding> {
    Some(MachineCoding {
        codes: vec![code.into()],
        confidence: 0.4 + margin,
        margin,
        top_terms: vec!["conectividad".into(), "internet".into()],
        model: "sintético".into(),
        ..Default::default()
    })
}

/// Synthetic answers: three entities, two months, one answer carrying markup.
fn synthetic() -> Vec<Answer> {
    let mut v = vec![
        rating("05001", "Medellín", "2020-10", 4.5),
        rating("05001", "Medellín", "2020-11", 2.0),
        rating("05002", "Abejorral", "2020-11", 4.0),
        rating("05004", "Abriaquí", "2020-11", 3.0),
        answer(
            "05001",
            "Medellín",
            "2020-10",
            Q,
            "La asistencia en planeación territorial fue muy oportuna",
        ),
        answer(
            "05001",
            "Medellín",
            "2020-11",
            Q,
            "No tenemos conectividad <script>alert('x')</script> para las reuniones virtuales",
        ),
        answer(
            "05002",
            "Abejorral",
            "2020-11",
            Q,
            "Falta acompañamiento en el plan indicativo y la planeación",
        ),
        answer(
            "05004",
            "Abriaquí",
            "2020-11",
            Q,
            "Los profesionales conocen el municipio y sus particularidades",
        ),
    ];
    v[5].machine = machine("brecha_conectividad", 0.05);
    v[6].machine = machine("comunicacion_dialogo", 0.30);
    v
}

fn key(entity: &str, month: &str) -> String {
    format!("{entity}|{month}|{Q}|")
}

struct Running {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    addr: SocketAddr,
    token: String,
    stop: StopHandle,
    thread: Option<thread::JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn start_on(host: &str) -> Running {
    start_with(ServeOptions {
        host: host.parse().unwrap(),
        port: 0,
        ..ServeOptions::default()
    })
}

fn start_with(opts: ServeOptions) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(dir.path(), Config::monitoreo360_text(), false).unwrap();
    codifica::codebook::install_defaults(&ws).unwrap();
    {
        let _lock = ws.lock().unwrap();
        let store = Store::open(&ws).unwrap();
        store.upsert(synthetic(), |_| {}).unwrap();
    }
    let server = Server::bind(ws, &opts).unwrap();
    let port = server.addr().port();
    let url = server.url();
    assert!(
        !url.contains("0.0.0.0") && url.contains(&format!(":{port}/")),
        "a browsable address: {url}"
    );
    let addr: SocketAddr = if server.addr().ip().is_unspecified() {
        format!("127.0.0.1:{port}").parse().unwrap()
    } else {
        server.addr()
    };
    let token = server.access_token().to_string();
    let stop = server.stop_handle();
    let thread = thread::spawn(move || server.run(false).unwrap());
    Running {
        root: dir.path().to_path_buf(),
        _dir: dir,
        addr,
        token,
        stop,
        thread: Some(thread),
    }
}

fn start() -> Running {
    start_on("127.0.0.1")
}

fn stored(root: &Path, key: &str) -> Answer {
    let ws = Workspace::open(root).unwrap();
    Store::open(&ws).unwrap().get(key).unwrap().unwrap()
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
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `name=value` of the Set-Cookie for `name`.
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .find_map(|(_, v)| {
                let pair = v.split(';').next()?.trim();
                pair.starts_with(&format!("{name}="))
                    .then(|| pair.to_string())
            })
    }
}

fn raw(addr: SocketAddr, request: &str) -> Resp {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
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

fn get_with(addr: SocketAddr, path: &str, cookie: &str) -> Resp {
    let cookie = if cookie.is_empty() {
        String::new()
    } else {
        format!("Cookie: {cookie}\r\n")
    };
    raw(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Connection: close\r\n\r\n"),
    )
}

fn get(addr: SocketAddr, path: &str) -> Resp {
    get_with(addr, path, "")
}

fn post(addr: SocketAddr, path: &str, cookie: &str, body: &str) -> Resp {
    let cookie = if cookie.is_empty() {
        String::new()
    } else {
        format!("Cookie: {cookie}\r\n")
    };
    raw(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Content-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

fn enc(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A browser session: its cookie and the CSRF token from a coding form.
fn session(addr: SocketAddr, key: &str) -> (String, String) {
    let r = get(addr, &format!("/respuesta?clave={}", enc(key)));
    assert_eq!(r.status, 200, "{}", r.body);
    let cookie = r.cookie("codifica_sesion").expect("a session cookie");
    let csrf = r
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a CSRF field in the form")
        .to_string();
    (cookie, csrf)
}

fn save_body(csrf: &str, key: &str, codes: &[&str], seen: &[&str]) -> String {
    let mut b = format!("csrf={}&clave={}&volver=respuesta", enc(csrf), enc(key));
    for c in codes {
        b.push_str(&format!("&codigo={}", enc(c)));
    }
    for c in seen {
        b.push_str(&format!("&visto={}", enc(c)));
    }
    b
}

// ---------------------------------------------------------------- tests

#[test]
fn every_page_renders_in_spanish_with_safe_headers() {
    let s = start();
    let pages = [
        ("/buscar", "Buscar respuestas"),
        ("/codificar", "Codificar"),
        ("/tablero", "Tablero — noviembre de 2020"),
        ("/entidad", "Entidades"),
        ("/entidad?codigo=05001", "Calificaciones por entrevista"),
        ("/reporte?mes=2020-11", "Reporte de noviembre de 2020"),
    ];
    for (path, heading) in pages {
        let r = get(s.addr, path);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert!(r.body.contains(heading), "{path} lacks «{heading}»");
        assert!(r.body.contains("lang=\"es\""), "{path}");
        let csp = r.header("content-security-policy").unwrap_or("");
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    }
    let r = get(s.addr, "/");
    assert_eq!((r.status, r.header("location")), (303, Some("/buscar")));
    assert_eq!(get(s.addr, "/no-existe").status, 404);
    assert_eq!(get(s.addr, "/respuesta?clave=nada").status, 404);
    assert_eq!(get(s.addr, "/entidad?codigo=99999").status, 404);
}

#[test]
fn no_request_path_reaches_the_file_system() {
    let s = start();
    for path in [
        "/../codifica.toml",
        "/%2e%2e/codifica.toml",
        "/codifica.toml",
        "/index/meta.json",
        "/static/../../etc/passwd",
    ] {
        let r = get(s.addr, path);
        assert_eq!(r.status, 404, "{path}");
        assert!(!r.body.contains("survey"), "{path} leaked a file");
    }
    // A question id naming a path is not looked up as a codebook file.
    let r = get(s.addr, "/codificar?pregunta=..%2F..%2Fcodifica");
    assert_eq!(r.status, 200);
}

#[test]
fn search_finds_highlights_and_escapes() {
    let s = start();
    let r = get(s.addr, "/buscar?q=planeacion");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("Abejorral"),
        "stem- and accent-insensitive search"
    );
    assert!(
        r.body.contains("<mark>planeación</mark>"),
        "highlighted snippet"
    );
    assert!(r.body.contains("id=\"total\">2 respuestas"), "two hits");
    assert!(
        r.body.contains("/entidad?codigo=05002"),
        "link to the entity"
    );
    assert!(r.body.contains("Recuentos"), "facets");

    let r = get(s.addr, "/buscar?q=conectividad");
    assert!(
        r.body
            .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        "escaped"
    );
    assert!(
        !r.body.contains("<script>alert"),
        "markup from an answer must not run"
    );

    // Filters alone (no words), and a filter that excludes everything.
    let r = get(
        s.addr,
        "/buscar?mes=2020-10&pregunta=necesidades_debilidades",
    );
    assert!(r.body.contains("id=\"total\">1 respuesta<"), "{}", r.body);
    let r = get(s.addr, "/buscar?q=planeacion&entidad=05004");
    assert!(r.body.contains("id=\"total\">0 respuestas"));
    // A malformed query is a clear 400, not a crash.
    let r = get(s.addr, "/buscar?q=%22sin%20cerrar");
    assert_eq!(r.status, 400);
    assert!(r.body.contains("No se pudo buscar"));
}

#[test]
fn review_queue_puts_the_least_sure_first() {
    let s = start();
    let r = get(s.addr, "/codificar");
    assert_eq!(r.status, 200);
    // Medellín Nov (margin 0.05) before Abejorral (0.30) before the unsuggested ones.
    let first = r.body.find("Medellín").unwrap();
    let second = r.body.find("Abejorral").unwrap();
    assert!(first < second);
    assert!(r.body.contains("Sugerencia del modelo"));
    assert!(r.body.contains("conectividad"), "top terms shown");
    assert!(r.body.contains("<kbd>1</kbd>"), "keyboard shortcuts");
    assert!(r.body.contains("4 respuestas por revisar"), "{}", r.body);
    // The same counts as `codifica review` and `status`: coded by an analyst, accepted, waiting.
    assert!(
        r.body
            .contains("Aceptadas automáticamente: 0. Por revisar: 4."),
        "{}",
        r.body
    );
}

#[test]
fn saving_needs_a_valid_csrf_token() {
    let s = start();
    let k = key("05002", "2020-11");
    let (cookie, csrf) = session(s.addr, &k);
    let body_no_token = format!("clave={}&codigo=agiliza_procesos", enc(&k));
    assert_eq!(
        post(s.addr, "/guardar", &cookie, &body_no_token).status,
        403
    );
    let wrong = save_body(
        "0123456789abcdef0123456789abcdef",
        &k,
        &["agiliza_procesos"],
        &[],
    );
    assert_eq!(post(s.addr, "/guardar", &cookie, &wrong).status, 403);
    let no_cookie = save_body(&csrf, &k, &["agiliza_procesos"], &[]);
    assert_eq!(post(s.addr, "/guardar", "", &no_cookie).status, 403);
    let (other_cookie, _) = session(s.addr, &k);
    assert_eq!(
        post(s.addr, "/guardar", &other_cookie, &no_cookie).status,
        403
    );
    assert!(
        stored(&s.root, &k).codes.is_empty(),
        "nothing saved without a token"
    );

    let ok = save_body(&csrf, &k, &["agiliza_procesos"], &[]);
    let r = post(s.addr, "/guardar", &cookie, &ok);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        stored(&s.root, &k).codes,
        vec!["agiliza_procesos".to_string()]
    );
    let after = get_with(s.addr, r.header("location").unwrap(), &cookie);
    assert!(after.body.contains("Código guardado"));

    // A code outside the question's codebook is refused.
    let bad = save_body(&csrf, &k, &["no_existe"], &["agiliza_procesos"]);
    assert_eq!(post(s.addr, "/guardar", &cookie, &bad).status, 400);
    assert_eq!(
        stored(&s.root, &k).codes,
        vec!["agiliza_procesos".to_string()]
    );
}

#[test]
fn concurrent_saves_on_different_answers_both_persist() {
    let s = start();
    let keys = [
        key("05001", "2020-11"),
        key("05002", "2020-11"),
        key("05004", "2020-11"),
        key("05001", "2020-10"),
    ];
    let codes = [
        "brecha_conectividad",
        "comunicacion_dialogo",
        "particularidades_municipio",
        "agiliza_procesos",
    ];
    let (cookie, csrf) = session(s.addr, &keys[0]);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(keys.len()));
    let handles: Vec<_> = keys
        .iter()
        .zip(codes)
        .map(|(k, c)| {
            let (addr, k, cookie, csrf) = (s.addr, k.clone(), cookie.clone(), csrf.clone());
            let barrier = barrier.clone();
            thread::spawn(move || {
                barrier.wait();
                post(addr, "/guardar", &cookie, &save_body(&csrf, &k, &[c], &[])).status
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 303);
    }
    for (k, c) in keys.iter().zip(codes) {
        assert_eq!(stored(&s.root, k).codes, vec![c.to_string()], "{k}");
    }
    // The machine coding of a saved answer is kept beside the human code.
    assert!(stored(&s.root, &keys[0]).machine.is_some());
}

#[test]
fn a_stale_form_does_not_overwrite_a_colleagues_code() {
    let s = start();
    let k = key("05004", "2020-11");
    let (cookie_a, csrf_a) = session(s.addr, &k);
    let (cookie_b, csrf_b) = session(s.addr, &k);
    // Both opened the uncoded answer; A saves first.
    let a = save_body(&csrf_a, &k, &["particularidades_municipio"], &[]);
    assert_eq!(post(s.addr, "/guardar", &cookie_a, &a).status, 303);
    // B's form still shows it uncoded: B's different code is not written over A's.
    let b = save_body(&csrf_b, &k, &["agiliza_procesos"], &[]);
    let r = post(s.addr, "/guardar", &cookie_b, &b);
    assert_eq!(r.status, 409);
    assert!(r.body.contains("otra persona guardó"));
    assert_eq!(
        stored(&s.root, &k).codes,
        vec!["particularidades_municipio".to_string()]
    );
    // Having seen A's code, B may change it deliberately.
    let b2 = save_body(
        &csrf_b,
        &k,
        &["agiliza_procesos"],
        &["particularidades_municipio"],
    );
    assert_eq!(post(s.addr, "/guardar", &cookie_b, &b2).status, 303);
    assert_eq!(
        stored(&s.root, &k).codes,
        vec!["agiliza_procesos".to_string()]
    );
}

#[test]
fn a_busy_workspace_gives_a_friendly_503_and_nothing_is_lost() {
    let s = start();
    let k = key("05002", "2020-11");
    let (cookie, csrf) = session(s.addr, &k);
    let ws = Workspace::open(&s.root).unwrap();
    let held = ws.lock().unwrap();
    // Reading works while another process writes.
    assert_eq!(get(s.addr, "/buscar?q=planeacion").status, 200);
    let body = save_body(&csrf, &k, &["agiliza_procesos"], &[]);
    let r = post(s.addr, "/guardar", &cookie, &body);
    assert_eq!(r.status, 503);
    assert!(r.body.contains("ocupado"));
    assert_eq!(r.header("retry-after"), Some("5"));
    drop(held);
    assert_eq!(post(s.addr, "/guardar", &cookie, &body).status, 303);
    assert_eq!(
        stored(&s.root, &k).codes,
        vec!["agiliza_procesos".to_string()]
    );
    // And the server does not keep the lock: a CLI writer can take it now.
    assert!(ws.lock().is_ok());
}

#[test]
fn survives_a_client_that_disconnects_mid_request() {
    let s = start();
    {
        let mut c = TcpStream::connect(s.addr).unwrap();
        c.write_all(b"GET /buscar?q=plan HTTP/1.1\r\nHost: 127.")
            .unwrap();
    }
    {
        let mut c = TcpStream::connect(s.addr).unwrap();
        let head = format!(
            "POST /guardar HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\ncsrf=abc&cla",
            s.addr
        );
        c.write_all(head.as_bytes()).unwrap();
    }
    // One client keeps a half request open while others are served.
    let mut hanging = TcpStream::connect(s.addr).unwrap();
    hanging.write_all(b"GET /tablero HTTP/1.1\r\n").unwrap();
    thread::sleep(Duration::from_millis(100));
    let r = get(s.addr, "/buscar?q=planeacion");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Abejorral"));
    drop(hanging);
    assert_eq!(get(s.addr, "/tablero").status, 200);
}

/// A client that connects and never finishes its request head is disconnected after the
/// header timeout instead of holding its connection for the server's lifetime.
#[test]
fn a_client_that_never_finishes_its_request_is_dropped() {
    let s = start_with(ServeOptions {
        port: 0,
        header_timeout: Duration::from_millis(300),
        ..ServeOptions::default()
    });
    let mut silent = TcpStream::connect(s.addr).unwrap();
    silent
        .write_all(b"GET /tablero HTTP/1.1\r\nHost: 127.")
        .unwrap();
    silent
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut rest = Vec::new();
    let closed = silent.read_to_end(&mut rest);
    assert!(
        closed.is_ok(),
        "the server should close the connection, got {closed:?}"
    );
    assert!(
        rest.is_empty() || String::from_utf8_lossy(&rest).starts_with("HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&rest)
    );
    assert_eq!(get(s.addr, "/buscar?q=planeacion").status, 200);
}

#[test]
fn loopback_server_refuses_foreign_host_names() {
    let s = start();
    let r = raw(
        s.addr,
        "GET /buscar HTTP/1.1\r\nHost: evil.example:8360\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(r.status, 421, "DNS-rebinding guard");
    let r = raw(
        s.addr,
        &format!(
            "GET /buscar HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n\r\n",
            s.addr.port()
        ),
    );
    assert_eq!(r.status, 200);
}

#[test]
fn a_non_loopback_host_requires_the_token() {
    let s = start_on("0.0.0.0");
    let r = get(s.addr, "/buscar");
    assert_eq!(r.status, 401);
    assert!(r.body.contains("Acceso restringido"));
    assert_eq!(get(s.addr, "/buscar?token=equivocado").status, 401);
    assert_eq!(
        get_with(s.addr, "/buscar", "codifica_token=0000").status,
        401
    );
    let r = get(s.addr, &format!("/buscar?q=plan&token={}", s.token));
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/buscar?q=plan"));
    let cookie = r.cookie("codifica_token").expect("token cookie");
    let set = r.header("set-cookie").unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let r = get_with(s.addr, "/buscar?q=planeacion", &cookie);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Abejorral"));
}

#[test]
fn dashboard_counts_follow_the_report() {
    let s = start();
    let count = |body: &str| -> String {
        body.split("id=\"cifra-codificadas\"><div class=\"valor\">")
            .nth(1)
            .and_then(|t| t.split('<').next())
            .unwrap()
            .to_string()
    };
    let r = get(s.addr, "/tablero?mes=2020-11");
    assert_eq!(r.status, 200);
    assert_eq!(count(&r.body), "0");
    assert!(
        r.body
            .contains("Entidades que requieren atención prioritaria")
    );
    assert!(
        r.body.contains("/entidad?codigo=05001"),
        "Medellín dropped 4.5 → 2.0"
    );
    assert!(r.body.contains("<svg"), "the report's charts");
    let k = key("05001", "2020-11");
    let (cookie, csrf) = session(s.addr, &k);
    let body = save_body(&csrf, &k, &["brecha_conectividad"], &[]);
    assert_eq!(post(s.addr, "/guardar", &cookie, &body).status, 303);
    let r = get(s.addr, "/tablero?mes=2020-11");
    assert_eq!(count(&r.body), "1");
    let e = get(s.addr, "/entidad?codigo=05001");
    assert!(e.body.contains("Por qué fue priorizada"), "{}", e.body);
}

/// Kills and reaps the child process when the test ends, however it ends.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

#[test]
fn serve_prints_its_address_and_stops_on_ctrl_c() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    Workspace::init(dir.path(), Config::monitoreo360_text(), false).unwrap();
    let mut child = Reaped(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("codifica"))
            .args(["serve", "--port", "0", "--workspace"])
            .arg(dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    std::io::BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.starts_with("codifica serving on http://127.0.0.1:"),
        "{line}"
    );
    let addr: SocketAddr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .parse()
        .unwrap();
    let r = get(addr, "/buscar");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Buscar respuestas"));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.0.id().to_string()])
        .status();
    if !killed.is_ok_and(|s| s.success()) {
        skipped!("no `kill` command to send Ctrl-C");
        return;
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "serve did not stop on Ctrl-C"
        );
        thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
}

// ---------------------------------------------------------------- limits (issue 15)

/// Reads what the server sends on `stream` until it closes (or `within` passes).
fn read_all(stream: &mut TcpStream, within: Duration) -> std::io::Result<String> {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// A query past a cap is refused with a 400 naming the cap and the position, in Spanish, before
/// any search runs (one such GET took a server to more than a gigabyte).
#[test]
fn buscar_refuses_queries_past_the_caps_with_the_position() {
    let s = start();
    let fuzzy: Vec<String> = (0..20).map(|i| format!("asistencia{i}~2")).collect();
    let q = fuzzy.join("+OR+");
    let r = get(s.addr, &format!("/buscar?q={q}"));
    assert_eq!(r.status, 400, "{}", r.body);
    // The 9th fuzzy word starts after 8 words of 13 characters and 8 " OR ".
    let ninth = 8 * (13 + 4) + 1;
    assert!(
        r.body
            .contains("más de 8 palabras con prefijo (*) o aproximadas (~)")
            && r.body.contains(&format!("a partir del carácter {ninth}")),
        "{}",
        r.body
    );
    let long = "a".repeat(5_000);
    let r = get(s.addr, &format!("/buscar?q={long}"));
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("más de 1000 caracteres") && r.body.contains("carácter 1001"),
        "{}",
        r.body
    );
    // Repeats are merged, not counted: the same fuzzy word 60 times is one word.
    let repeated = vec!["planeacion~2"; 60].join("+OR+");
    let r = get(s.addr, &format!("/buscar?q={repeated}"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Abejorral"));
}

/// Another site's page cannot make the browser run searches or load pages in the background
/// (`<img>`, fetch, frames); a link from elsewhere opened as a page still works.
#[test]
fn requests_started_by_another_site_are_refused_unless_they_open_a_page() {
    let s = start();
    let with = |site: &str, mode: &str, dest: &str| {
        raw(
            s.addr,
            &format!(
                "GET /buscar?q=planeacion HTTP/1.1\r\nHost: {}\r\nSec-Fetch-Site: {site}\r\n\
                 Sec-Fetch-Mode: {mode}\r\nSec-Fetch-Dest: {dest}\r\nConnection: close\r\n\r\n",
                s.addr
            ),
        )
    };
    for (site, mode, dest) in [
        ("cross-site", "no-cors", "image"),
        ("cross-site", "cors", "empty"),
        ("cross-site", "navigate", "iframe"),
        ("same-site", "no-cors", "image"),
    ] {
        let r = with(site, mode, dest);
        assert_eq!(r.status, 403, "{site} {mode} {dest}");
        assert!(r.body.contains("Solicitud de otro sitio"));
        assert!(!r.body.contains("Abejorral"), "no search ran");
        assert_eq!(r.header("x-frame-options"), Some("DENY"));
    }
    for (site, mode, dest) in [
        ("cross-site", "navigate", "document"),
        ("same-origin", "cors", "empty"),
        ("none", "navigate", "document"),
    ] {
        let r = with(site, mode, dest);
        assert_eq!(r.status, 200, "{site} {mode} {dest}");
    }
    // A form posted from another site is refused before the CSRF check.
    let r = raw(
        s.addr,
        &format!(
            "POST /guardar HTTP/1.1\r\nHost: {}\r\nSec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: \
             navigate\r\nSec-Fetch-Dest: document\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            s.addr
        ),
    );
    assert_eq!(r.status, 403);
}

/// The refusals carry the same security headers as every page; two Host headers are a 400.
#[test]
fn refusals_have_security_headers_and_two_hosts_are_a_bad_request() {
    let s = start();
    let r = raw(
        s.addr,
        "GET /buscar HTTP/1.1\r\nHost: evil.example:8360\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(r.status, 421);
    let csp = r.header("content-security-policy").unwrap_or("");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    let r = raw(
        s.addr,
        &format!(
            "GET /buscar HTTP/1.1\r\nHost: {}\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
            s.addr
        ),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.header("content-security-policy").is_some());
}

/// A client that sends a head and then stalls its body gets a 408 and is disconnected after the
/// body timeout, instead of holding its connection forever.
#[test]
fn a_stalled_request_body_times_out() {
    let s = start_with(ServeOptions {
        port: 0,
        body_timeout: Duration::from_millis(300),
        ..ServeOptions::default()
    });
    let mut stalled = TcpStream::connect(s.addr).unwrap();
    stalled
        .write_all(
            format!(
                "POST /guardar HTTP/1.1\r\nHost: {}\r\nContent-Type: \
                 application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nclave=",
                s.addr
            )
            .as_bytes(),
        )
        .unwrap();
    let started = std::time::Instant::now();
    let answer = read_all(&mut stalled, Duration::from_secs(20));
    let answer = answer.expect("the server should answer and close, not hang");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(get(s.addr, "/buscar?q=planeacion").status, 200);
}

/// Past the connection cap, a new client waits until a held connection closes: stalled clients
/// hold a bounded number of file descriptors.
#[test]
fn connections_past_the_cap_wait_for_a_free_slot() {
    let s = start_with(ServeOptions {
        port: 0,
        max_connections: 2,
        ..ServeOptions::default()
    });
    let held: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut c = TcpStream::connect(s.addr).unwrap();
            c.write_all(b"GET /buscar HTTP/1.1\r\n").unwrap();
            c
        })
        .collect();
    thread::sleep(Duration::from_millis(200));
    let mut third = TcpStream::connect(s.addr).unwrap();
    third
        .write_all(
            format!(
                "GET /buscar HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                s.addr
            )
            .as_bytes(),
        )
        .unwrap();
    third
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut byte = [0u8; 1];
    let early = third.read(&mut byte);
    assert!(
        early.is_err(),
        "a third connection was served while two were held: {early:?}"
    );
    drop(held);
    let answer = read_all(&mut third, Duration::from_secs(20)).unwrap();
    assert!(
        format!("{}{answer}", byte[0] as char).contains("200 OK"),
        "{answer}"
    );
}

/// `serve --host 127.0.0.2`: the URL it prints answers (the Host check accepts the bound
/// address).
#[test]
fn a_server_on_another_loopback_address_answers_at_its_printed_url() {
    let probe = std::net::TcpListener::bind("127.0.0.2:0");
    if probe.is_err() {
        skipped!("127.0.0.2 is not a usable loopback address here");
        return;
    }
    drop(probe);
    let s = start_on("127.0.0.2");
    assert_eq!(s.addr.ip().to_string(), "127.0.0.2");
    let r = get(s.addr, "/buscar?q=planeacion");
    assert_eq!(r.status, 200, "{}", r.body);
}
