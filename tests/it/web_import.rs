//! The web's Importar and Informe y muestra pages over HTTP (as `tests/web.rs` does): upload,
//! recognise or map a sheet, dry run, import all or nothing; download reports and the sample,
//! byte for byte the files the command line writes. Bad input gets a Spanish page and nothing
//! is written.

use crate::helpers;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use assert_cmd::Command;
use codifica::store::{AnswerFilter, Store};
use codifica::web::{ServeOptions, Server, StopHandle};
use codifica::workspace::Workspace;

struct Running {
    dir: tempfile::TempDir,
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

impl Running {
    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn answers(&self) -> usize {
        let ws = Workspace::open(self.root()).unwrap();
        Store::open(&ws)
            .unwrap()
            .answers(&AnswerFilter::default())
            .unwrap()
            .len()
    }
}

fn start_with(dir: tempfile::TempDir, opts: ServeOptions) -> Running {
    let ws = Workspace::open(dir.path()).unwrap();
    let server = Server::bind(ws, &opts).unwrap();
    let addr = server.addr();
    let stop = server.stop_handle();
    let thread = thread::spawn(move || server.run(false).unwrap());
    Running {
        dir,
        addr,
        stop,
        thread: Some(thread),
    }
}

/// A server on a workspace holding the trends fixture (2020-07 .. 2020-10).
fn start() -> Running {
    start_sized(ServeOptions::default().max_upload_bytes)
}

fn start_sized(max_upload_bytes: usize) -> Running {
    let dir = helpers::workspace(helpers::load("cases.csv"));
    let opts = ServeOptions {
        port: 0,
        max_upload_bytes,
        ..ServeOptions::default()
    };
    start_with(dir, opts)
}

struct Resp {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Resp {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
}

fn send(addr: SocketAddr, head: &str, body: &[u8]) -> Resp {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    // The server may answer (and close) before the whole body is sent: a 413.
    let _ = s.write_all(body);
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(buf.len());
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = buf.get(split + 4..).unwrap_or_default().to_vec();
    Resp { status, head, body }
}

fn get(addr: SocketAddr, path: &str, cookie: &str) -> Resp {
    send(
        addr,
        &format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
        ),
        b"",
    )
}

fn post(addr: SocketAddr, path: &str, cookie: &str, ctype: &str, body: &[u8]) -> Resp {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nContent-Type: {ctype}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    send(addr, &head, body)
}

fn enc(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn post_form(addr: SocketAddr, path: &str, cookie: &str, pairs: &[(String, String)]) -> Resp {
    let body: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    post(
        addr,
        path,
        cookie,
        "application/x-www-form-urlencoded",
        body.join("&").as_bytes(),
    )
}

const BOUNDARY: &str = "----codificaPruebaLimite7MA4YWxk";

/// A multipart body: text fields, then (when given) one file.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> Vec<u8> {
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, filename, data)) = file {
        b.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; \
                 filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        b.extend_from_slice(data);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

fn upload(
    addr: SocketAddr,
    path: &str,
    s: &Session,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &[u8])>,
) -> Resp {
    let mut all = vec![("csrf", s.csrf.as_str())];
    all.extend_from_slice(fields);
    post(
        addr,
        path,
        &s.cookie,
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        &multipart(&all, file),
    )
}

struct Session {
    cookie: String,
    csrf: String,
}

/// A browser session from the page at `path`: its cookie and the form's CSRF token.
fn session(addr: SocketAddr, path: &str) -> Session {
    let r = get(addr, path, "");
    assert_eq!(r.status, 200, "{}", r.text());
    let cookie = r
        .header("set-cookie")
        .and_then(|c| c.split(';').next().map(str::to_string))
        .expect("a session cookie");
    let csrf = value_of(&r.text(), "csrf").expect("a CSRF field");
    Session { cookie, csrf }
}

/// The value of the first `<input … name="NAME" value="…">` of a page.
fn value_of(page: &str, name: &str) -> Option<String> {
    let at = page.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &page[at + name.len() + 15..];
    Some(unescape(&rest[..rest.find('"')?]))
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every hidden field of the first form posting to `action`.
fn hidden_fields(page: &str, action: &str) -> Vec<(String, String)> {
    let form = page
        .split(&format!("action=\"{action}\""))
        .nth(1)
        .and_then(|f| f.split("</form>").next())
        .unwrap_or_else(|| panic!("no form to {action} in {page}"));
    form.split("<input type=\"hidden\" ")
        .skip(1)
        .filter_map(|i| {
            let name = i.strip_prefix("name=\"")?.split('"').next()?.to_string();
            Some((name.clone(), value_of(&format!("<input {i}"), &name)?))
        })
        .collect()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/import")
            .join(name),
    )
    .unwrap()
}

fn uploads(root: &Path) -> usize {
    std::fs::read_dir(root.join("tmp")).map_or(0, |d| d.count())
}

// ---------------------------------------------------------------- Importar

#[test]
fn a_canonical_file_is_recognised_dry_run_then_imported() {
    let s = start();
    let before = s.answers();
    let sess = session(s.addr, "/importar");
    let page = get(s.addr, "/importar", &sess.cookie);
    assert!(page.text().contains("Importar el mes"), "{}", page.text());
    assert!(page.header("content-security-policy").is_some());
    let r = upload(
        s.addr,
        "/importar/subir",
        &sess,
        &[],
        Some(("archivo", "julio.csv", &fixture("good.csv"))),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("formato largo"), "{}", r.text());
    let fields = hidden_fields(&r.text(), "/importar/probar");
    let dry = post_form(s.addr, "/importar/probar", &sess.cookie, &fields);
    assert_eq!(dry.status, 200, "{}", dry.text());
    assert!(dry.text().contains("se agregarían"), "{}", dry.text());
    assert_eq!(s.answers(), before, "a dry run writes nothing");
    let go = hidden_fields(&dry.text(), "/importar/escribir");
    let done = post_form(s.addr, "/importar/escribir", &sess.cookie, &go);
    assert_eq!(done.status, 200, "{}", done.text());
    assert!(
        done.text().contains("Importación terminada"),
        "{}",
        done.text()
    );
    assert_eq!(s.answers(), before + 5);
    assert_eq!(uploads(s.root()), 0, "the upload is removed once imported");
}

#[test]
fn a_wide_sheet_is_mapped_saved_and_imports_in_one_click_next_time() {
    let s = start();
    let sess = session(s.addr, "/importar");
    let wide = fixture("wide.csv");
    let r = upload(
        s.addr,
        "/importar/subir",
        &sess,
        &[],
        Some(("archivo", "ancha.csv", &wide)),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let page = r.text();
    assert!(
        page.contains("Primeras filas") && page.contains("Medellín"),
        "{page}"
    );
    // Proposed from the headers: the code, the month and the rating question by its id words.
    assert!(
        page.contains("<option value=\"entity_code\" selected>"),
        "{page}"
    );
    assert!(page.contains("<option value=\"month\" selected>"), "{page}");
    assert!(
        page.contains("<option value=\"q:calificacion_general\" selected>"),
        "{page}"
    );
    let id = value_of(&page, "archivo").expect("the upload id");
    let mapping = |code: &str| -> Vec<(String, String)> {
        let cols = [
            code,
            "entity_name",
            "department",
            "region",
            "month",
            "q:calificacion_general",
            "q:articulacion_instrumentos",
            "",
            "",
        ];
        let mut v = vec![
            ("csrf".to_string(), sess.csrf.clone()),
            ("archivo".to_string(), id.clone()),
            ("forma".to_string(), "nueva".to_string()),
            ("mapeo".to_string(), "ancha_web".to_string()),
            ("mes_fijo".to_string(), String::new()),
        ];
        v.extend(
            cols.iter()
                .enumerate()
                .map(|(i, c)| (format!("col{i}"), c.to_string())),
        );
        v
    };
    // No entity code column: refused in Spanish, nothing written, no mapping saved.
    let bad = post_form(s.addr, "/importar/probar", &sess.cookie, &mapping(""));
    assert_eq!(bad.status, 422, "{}", bad.text());
    assert!(
        bad.text().contains("código de la entidad"),
        "{}",
        bad.text()
    );
    let bad = post_form(s.addr, "/importar/escribir", &sess.cookie, &mapping(""));
    assert_eq!(bad.status, 422, "{}", bad.text());
    let config = || std::fs::read_to_string(s.root().join("codifica.toml")).unwrap();
    assert!(!config().contains("ancha_web"));
    let before = s.answers();
    let dry = post_form(
        s.addr,
        "/importar/probar",
        &sess.cookie,
        &mapping("entity_code"),
    );
    assert_eq!(dry.status, 200, "{}", dry.text());
    assert!(dry.text().contains("ancha_web"), "{}", dry.text());
    assert_eq!(s.answers(), before);
    assert!(
        !config().contains("ancha_web"),
        "a dry run saves no mapping"
    );
    let go = hidden_fields(&dry.text(), "/importar/escribir");
    let done = post_form(s.addr, "/importar/escribir", &sess.cookie, &go);
    assert_eq!(done.status, 200, "{}", done.text());
    assert!(s.answers() > before);
    assert!(config().contains("name = \"ancha_web\""), "{}", config());
    // Next month: the same sheet is recognised by its saved mapping.
    let again = upload(
        s.addr,
        "/importar/subir",
        &sess,
        &[],
        Some(("archivo", "ancha.csv", &wide)),
    );
    assert!(
        again.text().contains("mapeo guardado «ancha_web»"),
        "{}",
        again.text()
    );
}

#[test]
fn a_file_that_is_not_a_spreadsheet_is_refused_in_spanish() {
    let s = start();
    let before = s.answers();
    let sess = session(s.addr, "/importar");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
    let r = upload(
        s.addr,
        "/importar/subir",
        &sess,
        &[],
        Some(("archivo", "foto.xlsx", png)),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(
        r.text().contains("no es una hoja de cálculo"),
        "{}",
        r.text()
    );
    assert_eq!(s.answers(), before);
    assert_eq!(uploads(s.root()), 0, "a refused upload is not kept");
}

#[test]
fn an_upload_over_the_limit_says_so_and_writes_nothing() {
    let s = start_sized(4096);
    let sess = session(s.addr, "/importar");
    let big = fixture("good.csv").repeat(100);
    let r = upload(
        s.addr,
        "/importar/subir",
        &sess,
        &[],
        Some(("archivo", "grande.csv", &big)),
    );
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.text().contains("supera el tamaño máximo"), "{}", r.text());
    assert_eq!(uploads(s.root()), 0);
}

#[test]
fn rows_with_problems_are_listed_with_row_and_column_and_nothing_is_written() {
    let s = start();
    let before = s.answers();
    let sess = session(s.addr, "/importar");
    let r = upload(
        s.addr,
        "/importar/subir",
        &sess,
        &[],
        Some(("archivo", "m.csv", &fixture("bad_month.csv"))),
    );
    let fields = hidden_fields(&r.text(), "/importar/probar");
    let dry = post_form(s.addr, "/importar/probar", &sess.cookie, &fields);
    assert_eq!(dry.status, 422, "{}", dry.text());
    let cli = Command::cargo_bin("codifica")
        .unwrap()
        .args(["-w"])
        .arg(s.root())
        .args(["import", "--dry-run"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/bad_month.csv"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&cli.stderr);
    // The problem the CLI reports, row and column included, is on the page.
    let (row, rest) = stderr
        .split_once("row ")
        .unwrap()
        .1
        .split_once(", column '")
        .unwrap();
    let (column, message) = rest.split_once("': ").unwrap();
    let message = message.lines().next().unwrap();
    let text = dry.text();
    assert!(
        text.contains(&format!("<td class=\"num\">{row}</td><td>{column}</td>")),
        "{text}"
    );
    assert!(
        text.contains(&message.replace('\'', "&#39;").replace('"', "&quot;"))
            || text.contains(message),
        "{message} in {text}"
    );
    assert_eq!(s.answers(), before);
}

#[test]
fn two_imports_at_once_the_second_is_told_to_wait_and_nothing_is_lost() {
    let s = start();
    let before = s.answers();
    let sess = session(s.addr, "/importar");
    let r = upload(
        s.addr,
        "/importar/subir",
        &sess,
        &[],
        Some(("archivo", "julio.csv", &fixture("good.csv"))),
    );
    let fields = hidden_fields(&r.text(), "/importar/probar");
    let ws = Workspace::open(s.root()).unwrap();
    let held = ws.lock().unwrap();
    let busy = post_form(s.addr, "/importar/escribir", &sess.cookie, &fields);
    assert_eq!(busy.status, 503, "{}", busy.text());
    assert!(busy.text().contains("ocupado"), "{}", busy.text());
    drop(held);
    assert_eq!(s.answers(), before);
    let done = post_form(s.addr, "/importar/escribir", &sess.cookie, &fields);
    assert_eq!(done.status, 200, "the upload was kept: {}", done.text());
    assert_eq!(s.answers(), before + 5);
}

#[test]
fn uploads_need_the_csrf_token_and_never_name_a_file() {
    let s = start();
    let sess = session(s.addr, "/importar");
    let forged = Session {
        cookie: sess.cookie.clone(),
        csrf: "0".repeat(32),
    };
    let r = upload(
        s.addr,
        "/importar/subir",
        &forged,
        &[],
        Some(("archivo", "x.csv", &fixture("good.csv"))),
    );
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(uploads(s.root()), 0);
    let pairs = vec![
        ("csrf".to_string(), sess.csrf.clone()),
        ("archivo".to_string(), "../codifica.toml".to_string()),
        ("forma".to_string(), "larga".to_string()),
    ];
    let r = post_form(s.addr, "/importar/escribir", &sess.cookie, &pairs);
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("ya no está"), "{}", r.text());
}

// ---------------------------------------------------------------- Informe y muestra

fn cli(root: &Path, args: &[&str]) -> std::process::Output {
    let o = Command::cargo_bin("codifica")
        .unwrap()
        .arg("-w")
        .arg(root)
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

#[test]
fn report_downloads_are_the_files_the_cli_writes() {
    let s = start();
    let sess = session(s.addr, "/informe");
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    cli(s.root(), &["report", "--month", "2020-10", "--out", o]);
    cli(
        s.root(),
        &["report", "--from", "2020-07", "--to", "2020-10", "--out", o],
    );
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: [Case; 4] = [
        (
            &[("tipo", "mes"), ("mes", "2020-10")],
            "html",
            "reporte-2020-10.html",
        ),
        (
            &[("tipo", "mes"), ("mes", "2020-10")],
            "xlsx",
            "reporte-2020-10.xlsx",
        ),
        (
            &[("tipo", "mes"), ("mes", "2020-10")],
            "geojson",
            "priorizadas-2020-10.geojson",
        ),
        (
            &[
                ("tipo", "periodo"),
                ("desde", "2020-07"),
                ("hasta", "2020-10"),
            ],
            "xlsx",
            "consolidado-2020-07_2020-10.xlsx",
        ),
    ];
    for (fields, format, file) in cases {
        let mut pairs = vec![
            ("csrf".to_string(), sess.csrf.clone()),
            ("formato".to_string(), format.to_string()),
        ];
        pairs.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let r = post_form(s.addr, "/informe/descargar", &sess.cookie, &pairs);
        assert_eq!(r.status, 200, "{file}: {}", r.text());
        assert!(r.header("content-disposition").unwrap().contains(file));
        let want = std::fs::read(out.path().join(file)).unwrap();
        assert!(
            r.body == want,
            "{file}: the download differs from the CLI's file"
        );
    }
    let none = post_form(
        s.addr,
        "/informe/descargar",
        &sess.cookie,
        &[
            ("csrf".into(), sess.csrf.clone()),
            ("tipo".into(), "mes".into()),
            ("mes".into(), "2021-03".into()),
        ],
    );
    assert_eq!(none.status, 400);
    assert!(
        none.text().contains("No hay entrevistas de marzo de 2021"),
        "{}",
        none.text()
    );
}

#[test]
fn the_sample_download_is_the_file_the_cli_writes() {
    let s = start();
    let sess = session(s.addr, "/informe");
    let population = "entity_code,entity_name,department,region\n\
        10001,Uno,Depto A,Caribe\n10002,Dos,Depto A,Caribe\n10003,Tres,Depto B,Pacífico\n\
        10004,Cuatro,Depto B,Pacífico\n10005,Cinco,Depto C,Caribe\n10006,Seis,Depto C,Pacífico\n";
    let pop_path: PathBuf = s.root().join("poblacion-prueba.csv");
    std::fs::write(&pop_path, population).unwrap();
    let out = s.root().join("muestra-cli.csv");
    cli(
        s.root(),
        &[
            "sample",
            "--month",
            "2020-11",
            "-n",
            "4",
            "--seed",
            "7",
            "--population",
            pop_path.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
    );
    let fields = [("mes", "2020-11"), ("tamano", "4"), ("semilla", "7")];
    let r = upload(
        s.addr,
        "/informe/muestra",
        &sess,
        &fields,
        Some(("poblacion", "p.csv", population.as_bytes())),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.body == std::fs::read(&out).unwrap(), "{}", r.text());
    let bad = upload(
        s.addr,
        "/informe/muestra",
        &sess,
        &fields,
        Some(("poblacion", "p.csv", b"nada,que,ver\n1,2,3\n")),
    );
    assert_eq!(bad.status, 400, "{}", bad.text());
    assert!(bad.text().contains("Población no válida"), "{}", bad.text());
}

#[test]
fn the_dry_run_shows_a_misspelt_municipality_with_the_closest_names() {
    let s = start();
    let sess = session(s.addr, "/importar");
    let csv = "entity_code,entity_name,department,region,month,question,answer,rating,codes\n\
               05001,Medelin,Antioquia,Eje Cafetero,2020-11,calificacion_general,,4,\n";
    let r = upload(
        s.addr,
        "/importar/subir",
        &sess,
        &[],
        Some(("archivo", "m.csv", csv.as_bytes())),
    );
    let fields = hidden_fields(&r.text(), "/importar/probar");
    let dry = post_form(s.addr, "/importar/probar", &sess.cookie, &fields);
    assert_eq!(dry.status, 200, "{}", dry.text());
    let text = dry.text();
    assert!(
        text.contains("«Medelin» (05001): en DIVIPOLA el código 05001 es"),
        "{text}"
    );
    assert!(text.contains("Más parecidas: 05001 "), "{text}");
}

#[test]
fn a_wide_workbook_is_read_from_memory_bytes_and_mapped() {
    let s = start();
    let sess = session(s.addr, "/importar");
    let text = String::from_utf8(fixture("wide.csv")).unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("Respuestas").unwrap();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(';').enumerate() {
            sheet.write_string(r as u32, c as u16, cell).unwrap();
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    let r = upload(
        s.addr,
        "/importar/subir",
        &sess,
        &[],
        Some(("archivo", "encuesta.xlsx", &bytes)),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let page = r.text();
    assert!(page.contains("<td>Barranquilla</td>"), "{page}");
    assert!(
        page.contains("<option value=\"entity_code\" selected>"),
        "{page}"
    );
    let files: Vec<String> = std::fs::read_dir(s.root().join("tmp"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files
            .iter()
            .all(|f| f.starts_with("subida-") && !f.contains("encuesta")),
        "kept under a name the server chose: {files:?}"
    );
}
