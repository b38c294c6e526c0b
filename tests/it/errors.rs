//! The error taxonomy at the two faces: the web answers the request's own mistakes with a 4xx
//! and their message, and an internal failure with a 500 that shows no detail; the command line
//! exits 1 for a user error and 3 for an internal failure (README, "Exit codes"). The workspace
//! is a temporary folder filled through the library with a few **synthetic** answers.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::thread;
use std::time::Duration;

use assert_cmd::Command;
use codifica::answer::Answer;
use codifica::config::Config;
use codifica::month::Month;
use codifica::store::Store;
use codifica::web::{ServeOptions, Server, StopHandle};
use codifica::workspace::Workspace;

/// A synthetic rating answer.
fn rating(entity: &str, month: &str, r: f64) -> Answer {
    Answer {
        entity_code: entity.into(),
        entity_name: format!("Entidad sintética {entity}"),
        department: "Antioquia".into(),
        region: "Eje Cafetero".into(),
        entity_kind: Some("alcaldía".into()),
        month: Month::parse(month).unwrap(),
        question: "calificacion_general".into(),
        answer_id: None,
        text: String::new(),
        rating: Some(r),
        codes: vec![],
        machine: None,
        interview_date: None,
        respondent_role: None,
        attributes: Default::default(),
    }
}

/// A workspace with synthetic answers in `dir`.
fn workspace(dir: &Path) -> Workspace {
    let ws = Workspace::init(dir, Config::monitoreo360_text(), false).unwrap();
    codifica::codebook::install_defaults(&ws).unwrap();
    let _lock = ws.lock().unwrap();
    let answers = vec![
        rating("05001", "2020-10", 4.5),
        rating("05001", "2020-11", 2.0),
        rating("05002", "2020-11", 4.0),
    ];
    Store::open(&ws).unwrap().upsert(answers, |_| {}).unwrap();
    ws
}

/// Adds a document whose month no calendar has (2020-99) straight through tantivy: the kind of
/// corruption only a bug or a damaged disk makes, which the store reports as internal.
fn corrupt_a_month(dir: &Path) {
    let index = tantivy::Index::open_in_dir(dir.join("index")).unwrap();
    codifica::analyze::Analyzer::default().register(&index);
    let month = index.schema().get_field("month").unwrap();
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
    writer
        .add_document(tantivy::doc!(month => 202_099u64))
        .unwrap();
    writer.commit().unwrap();
}

struct Running {
    addr: SocketAddr,
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

fn serve(ws: Workspace) -> Running {
    let opts = ServeOptions {
        port: 0,
        ..ServeOptions::default()
    };
    let server = Server::bind(ws, &opts).unwrap();
    let addr = server.addr();
    let stop = server.stop_handle();
    let thread = thread::spawn(move || server.run(false).unwrap());
    Running {
        addr,
        stop,
        thread: Some(thread),
    }
}

/// GET `path`: the status and the body.
fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    s.write_all(request.as_bytes()).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

/// Corrupt data in the index is internal: a 500 page without the detail (which goes to the
/// console), not a 400 that blames the request (before the taxonomy it was a 400 showing
/// "corrupt month 202099 in the index").
#[test]
fn web_answers_500_without_details_for_an_internal_failure() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    corrupt_a_month(dir.path());
    let running = serve(ws);
    let (status, body) = get(running.addr, "/tablero");
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("Error interno"), "{body}");
    assert!(
        !body.contains("corrupt month"),
        "no internal detail: {body}"
    );
}

/// The request's own mistakes: a bad value is a 400 and something named that does not exist a
/// 404 (it was a 400), each with its message.
#[test]
fn web_answers_4xx_with_the_message_for_a_user_error() {
    let dir = tempfile::tempdir().unwrap();
    let running = serve(workspace(dir.path()));
    let (status, body) = get(running.addr, "/tablero?mes=trece");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("«trece» no es un mes"), "{body}");
    let (status, body) = get(running.addr, "/temas?mes=2020-11&pregunta=no_existe");
    assert_eq!(status, 404, "{body}");
    assert!(
        body.contains("no_existe") && body.contains("is not a coded question"),
        "{body}"
    );
    let (status, body) = get(running.addr, "/buscar?q=%22sin+cerrar");
    assert_eq!(status, 400, "{body}");
}

fn codifica(ws: &Path) -> Command {
    let mut c = Command::cargo_bin("codifica").expect("binary builds");
    c.env_remove("CODIFICA_WORKSPACE").arg("-w").arg(ws);
    c
}

/// An internal failure (here a web server that cannot listen: the port is taken) exits with 3.
#[test]
fn cli_exits_3_for_an_internal_failure() {
    let dir = tempfile::tempdir().unwrap();
    workspace(dir.path());
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = codifica(dir.path())
        .args(["serve", "--port", &port])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("cannot listen on"), "{stderr}");
}

/// A user error (a period refused by its check) exits with 1 and names the flag's problem;
/// `--json` carries the same code.
#[test]
fn cli_exits_1_for_a_user_error() {
    let dir = tempfile::tempdir().unwrap();
    workspace(dir.path());
    let out = codifica(dir.path())
        .args(["report", "--from", "2020-11", "--to", "2020-10", "--json"])
        .args(["--out", &dir.path().join("informe").display().to_string()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("--from 2020-11 is after --to 2020-10"),
        "{stderr}"
    );
    assert!(stderr.contains("\"exit_code\":1"), "{stderr}");
    assert!(!dir.path().join("informe").exists(), "nothing written");
}

/// The README's exit-code table lists the codes `codifica` uses, 3 included.
#[test]
fn readme_documents_every_exit_code() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for row in ["| 0 |", "| 1 |", "| 2 |", "| 3 |"] {
        assert!(readme.contains(row), "README lacks the exit code row {row}");
    }
}
