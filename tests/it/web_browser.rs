//! End-to-end test of the web app in a real browser: headless Chromium driven through
//! chromedriver (WebDriver over plain HTTP, std `TcpStream` + serde_json). Search → open an
//! answer → code it with the keyboard → see the count change on the dashboard. Screenshots of
//! each page go to `target/screenshots/` (or `$CODIFICA_SCREENSHOTS`, e.g. `docs/screenshots`).
//!
//! Data: the built-in **synthetic** demo (real entity names, invented answers and ratings),
//! imported through the library; November gets machine suggestions from a model trained here on
//! July–October. Skipped with a printed reason when chromium or chromedriver is absent.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use codifica::analyze::Analyzer;
use codifica::answer::MachineCoding;
use codifica::app::import::{ImportOptions, import};
use codifica::config::Config;
use codifica::demo::{DEFAULT_SEED, DemoData, OPEN_QUESTIONS};
use codifica::model::{Example, QuestionModel, TrainSettings};
use codifica::month::Month;
use codifica::store::{AnswerFilter, Store};
use codifica::web::{ServeOptions, Server, StopHandle};
use codifica::workspace::Workspace;
use serde_json::{Value, json};

// ---------------------------------------------------------------- tools present?

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

// ---------------------------------------------------------------- fixture (synthetic demo)

/// A workspace with the synthetic demo imported, and model suggestions on November.
fn demo_workspace(dir: &Path) -> Workspace {
    let ws = Workspace::init(dir, Config::monitoreo360_text(), false).unwrap();
    codifica::codebook::install_defaults(&ws).unwrap();
    let csv = dir.join("demo.csv");
    std::fs::write(&csv, DemoData::generate(DEFAULT_SEED).to_csv()).unwrap();
    import(&ws, &csv, &ImportOptions::default()).unwrap();
    let store = Store::open(&ws).unwrap();
    let november = Month::parse("2020-11").unwrap();
    let mut analyzer = Analyzer::new(&ws.config().analyzer);
    let settings = TrainSettings {
        cv_folds: 0,
        tune_offsets: false,
        ..TrainSettings::default()
    }
    .check()
    .unwrap();
    let mut codings = Vec::new();
    for q in OPEN_QUESTIONS {
        let filter = AnswerFilter {
            question: Some(q.to_string()),
            ..AnswerFilter::default()
        };
        let answers = store.answers(&filter).unwrap();
        let examples: Vec<Example> = answers
            .iter()
            .filter(|a| a.month < november && !a.codes.is_empty())
            .map(|a| Example {
                text: a.text.clone(),
                codes: a.codes.clone(),
                group: None,
            })
            .collect();
        let model = QuestionModel::train(q, &mut analyzer, &examples, &settings).unwrap();
        let mut scorer = model.scorer();
        for a in answers.iter().filter(|a| a.month == november) {
            let p = scorer.predict(&mut analyzer, &a.text, 5);
            if !p.non_answer {
                codings.push((
                    a.key(),
                    MachineCoding {
                        codes: p.codes,
                        confidence: p.confidence,
                        margin: p.margin,
                        top_terms: p.top_terms,
                        model: format!("{q} (prueba, julio–octubre 2020)"),
                        ..Default::default()
                    },
                ));
            }
        }
    }
    let _lock = ws.lock().unwrap();
    store.set_machine_codings(&codings).unwrap();
    ws
}

// ---------------------------------------------------------------- a minimal WebDriver client

fn http(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> Value {
    let mut s = TcpStream::connect(addr).expect("connect to chromedriver");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    // Read the head, then exactly the body (chromedriver may keep the connection open).
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "chromedriver closed the connection early");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let body = &buf[head_end..];
        let done = match length {
            Some(n) => body.len() >= n,
            None if chunked => body.windows(5).any(|w| w == b"0\r\n\r\n"),
            None => false,
        };
        if done {
            break;
        }
        let n = s.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).into_owned();
    let body = if chunked { dechunk(&body) } else { body };
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

struct Driver {
    child: Child,
    addr: SocketAddr,
    session: String,
}

impl Driver {
    fn start(chromedriver: &Path, chromium: &Path, profile: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(addr).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.to_string_lossy(),
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--no-first-run", "--window-size=1280,1000",
                         "--lang=es", format!("--user-data-dir={}", profile.display())]
            }
        }}});
        let mut driver = Driver {
            child,
            addr,
            session: String::new(),
        };
        let r = http(addr, "POST", "/session", Some(&caps));
        driver.session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {r}"))
            .to_string();
        driver
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let r = http(
            self.addr,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        );
        if let Some(e) = r["value"].get("error") {
            panic!("WebDriver {method} {path}: {e} {}", r["value"]["message"]);
        }
        r["value"].clone()
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({"url": url})));
    }

    fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let r = http(
                self.addr,
                "POST",
                &format!("/session/{}/element", self.session),
                Some(&json!({"using": "css selector", "value": css})),
            );
            if let Some(id) = r["value"]
                .as_object()
                .and_then(|o| o.values().next())
                .and_then(|v| v.as_str())
                .filter(|_| r["value"].get("error").is_none())
            {
                return id.to_string();
            }
            assert!(Instant::now() < deadline, "no element {css}: {r}");
            thread::sleep(Duration::from_millis(100));
        }
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        self.cmd("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.cmd(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        );
    }

    fn text(&self, css: &str) -> String {
        let id = self.find(css);
        self.cmd("GET", &format!("/element/{id}/text"), None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn source(&self) -> String {
        self.cmd("GET", "/source", None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Presses keys on the focused page (WebDriver actions), as an analyst would.
    fn keys(&self, keys: &[&str]) {
        let mut actions = Vec::new();
        for k in keys {
            actions.push(json!({"type": "keyDown", "value": k}));
            actions.push(json!({"type": "keyUp", "value": k}));
        }
        self.cmd(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "teclado", "actions": actions}]})),
        );
    }

    /// A screenshot of the whole page (the window is resized to its height first).
    fn screenshot(&self, path: &Path) {
        let h = self
            .cmd(
                "POST",
                "/execute/sync",
                Some(
                    json!({"script": "return document.documentElement.scrollHeight;", "args": []}),
                ),
            )
            .as_f64()
            .unwrap_or(1000.0);
        let height = (h + 140.0).clamp(700.0, 3600.0);
        self.cmd(
            "POST",
            "/window/rect",
            Some(json!({"width": 1280, "height": height})),
        );
        let b64 = self.cmd("GET", "/screenshot", None);
        let png = base64_decode(b64.as_str().unwrap_or(""));
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
        self.cmd(
            "POST",
            "/window/rect",
            Some(json!({"width": 1280, "height": 1000})),
        );
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http(
                self.addr,
                "DELETE",
                &format!("/session/{}", self.session),
                None,
            );
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some((c - b'A') as u32),
            b'a'..=b'z' => Some((c - b'a' + 26) as u32),
            b'0'..=b'9' => Some((c - b'0' + 52) as u32),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(val) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

struct Serving {
    stop: StopHandle,
    thread: Option<thread::JoinHandle<()>>,
}

impl Drop for Serving {
    fn drop(&mut self) {
        self.stop.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

// ---------------------------------------------------------------- the test

#[test]
fn search_open_code_and_see_the_dashboard_change_in_chromium() {
    let Some(chromedriver) = find_program(&["chromedriver"]) else {
        tool_missing!("chromium/chromedriver not installed (chromedriver not on PATH)");
        return;
    };
    let Some(chromium) = find_program(&["chromium", "chromium-browser", "google-chrome"]) else {
        tool_missing!("chromium/chromedriver not installed (chromium not on PATH)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ws = demo_workspace(&dir.path().join("ws"));
    let worsening = DemoData::generate(DEFAULT_SEED).worsening_entities();
    // No --boundaries/--gazetteer: the map comes from the files built into the binary.
    let opts = ServeOptions {
        port: 0,
        ..ServeOptions::default()
    };
    let server = Server::bind(ws.clone(), &opts).unwrap();
    let base = format!("http://127.0.0.1:{}", server.addr().port());
    let _serving = Serving {
        stop: server.stop_handle(),
        thread: Some(thread::spawn(move || server.run(false).unwrap())),
    };
    // Screenshots go to target/ so a test run never edits tracked files; set
    // CODIFICA_SCREENSHOTS=docs/screenshots to refresh the ones in the repository.
    let shots = match std::env::var_os("CODIFICA_SCREENSHOTS") {
        Some(d) => Path::new(env!("CARGO_MANIFEST_DIR")).join(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots"),
    };
    std::fs::create_dir_all(&shots).unwrap();
    let d = Driver::start(&chromedriver, &chromium, &dir.path().join("perfil"));

    // The dashboard before.
    d.go(&format!("{base}/tablero?mes=2020-11"));
    let before: usize = d.text("#cifra-codificadas .valor").parse().unwrap();
    let src = d.source();
    assert!(src.contains("Entidades que requieren atención prioritaria"));
    assert!(
        src.contains("Mapa de Colombia"),
        "the report's map on the Tablero"
    );
    assert!(src.contains("Entidad priorizada (el número es su orden de severidad)"));
    assert!(!src.contains("below_threshold") && !src.contains("overall_drop"));
    d.screenshot(&shots.join("tablero.png"));

    // A malformed query is explained in Spanish.
    d.go(&format!("{base}/buscar?q=%28conectividad+OR+internet"));
    let alert = d.text("[role=alert]");
    assert!(
        alert.contains("falta un «)» que cierre este «(»"),
        "{alert}"
    );

    // Search: words typed in the box, November, answers nobody coded yet.
    d.go(&format!("{base}/buscar"));
    d.type_into("#q", "conectividad");
    d.click("select[name=mes] option[value='2020-11']");
    d.click("select[name=origen] option[value='sin']");
    d.click("form[role=search] button[type=submit]");
    d.find("#total");
    d.screenshot(&shots.join("buscar.png"));
    let total = d.text("#total");
    assert!(
        !total.starts_with("0 "),
        "the search finds answers: {total}"
    );
    assert!(d.source().contains("<mark>"), "highlighted snippets");

    // Open the first hit and code it with the keyboard: 1 picks the first code, Enter saves.
    d.click(".hit a.abrir");
    d.find("#codificar");
    let key = d
        .cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": "return document.querySelector('input[name=clave]').value;", "args": []})),
        )
        .as_str()
        .unwrap()
        .to_string();
    d.keys(&["1", "\u{E007}"]);
    d.find("#guardado");
    let store = Store::open(&ws).unwrap();
    let saved = store.get(&key).unwrap().unwrap();
    assert_eq!(saved.codes.len(), 1, "one human code saved for {key}");

    // The dashboard after: one more answer coded by an analyst.
    d.go(&format!("{base}/tablero?mes=2020-11"));
    let after: usize = d.text("#cifra-codificadas .valor").parse().unwrap();
    assert_eq!(after, before + 1);

    // Screenshots of the other pages.
    d.go(&format!("{base}/codificar?mes=2020-11"));
    d.find("#sugerencia");
    d.screenshot(&shots.join("codificar.png"));
    let entity = worsening.first().expect("the demo has worsening entities");
    d.go(&format!("{base}/entidad?codigo={entity}"));
    d.find("#calificaciones");
    assert!(d.source().contains("Por qué fue priorizada"));
    d.screenshot(&shots.join("entidad.png"));
}
