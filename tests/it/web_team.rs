//! The web app's team pages over HTTP (issue 13 items 3–5): Revisar (the model's top three codes
//! on keys 1–3, filters by code and confidence band, a count of what is left, the page's
//! suggestions accepted at once) and the Libro de códigos. The server runs in-process on a free
//! port against a temporary workspace of **synthetic** answers, driven with plain HTTP/1.1.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use codifica::answer::{Answer, MachineCoding};
use codifica::config::Config;
use codifica::month::Month;
use codifica::store::Store;
use codifica::web::{ServeOptions, Server, StopHandle};
use codifica::workspace::Workspace;

const Q: &str = "articulacion_instrumentos";

fn answer(entity: &str, text: &str, machine: Option<(&str, f64)>) -> Answer {
    Answer {
        entity_code: entity.into(),
        entity_name: format!("Entidad {entity}"),
        department: "Cauca".into(),
        region: "Pacífico".into(),
        entity_kind: None,
        month: Month::parse("2020-11").unwrap(),
        question: Q.into(),
        answer_id: None,
        text: text.into(),
        rating: None,
        codes: vec![],
        machine: machine.map(|(code, conf)| MachineCoding {
            codes: vec![code.into()],
            confidence: conf,
            margin: conf / 2.0,
            model: "sintético".into(),
            alternatives: vec![
                (code.into(), conf),
                ("sin_contribucion".into(), 0.05),
                ("apropiacion_temas".into(), 0.03),
            ],
            ..Default::default()
        }),
        interview_date: None,
        respondent_role: None,
        attributes: Default::default(),
    }
}

fn synthetic() -> Vec<Answer> {
    vec![
        answer(
            "19001",
            "se articulan las dependencias",
            Some(("articulacion_dependencias", 0.9)),
        ),
        answer(
            "19002",
            "todo integrado en el plan",
            Some(("integralidad", 0.3)),
        ),
        answer(
            "19003",
            "la secretaría apropió los temas",
            Some(("apropiacion_temas", 0.6)),
        ),
        answer("19004", "no recibimos nada útil", None),
    ]
}

fn key(entity: &str) -> String {
    format!("{entity}|2020-11|{Q}|")
}

struct Running {
    _dir: tempfile::TempDir,
    ws: Workspace,
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

fn start() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(dir.path(), Config::monitoreo360_text(), false).unwrap();
    codifica::codebook::install_defaults(&ws).unwrap();
    {
        let _lock = ws.lock().unwrap();
        Store::open(&ws)
            .unwrap()
            .upsert(synthetic(), |_| {})
            .unwrap();
    }
    let opts = ServeOptions {
        host: "127.0.0.1".parse().unwrap(),
        port: 0,
        ..ServeOptions::default()
    };
    let server = Server::bind(Workspace::open(dir.path()).unwrap(), &opts).unwrap();
    let addr = server.addr();
    let stop = server.stop_handle();
    let thread = thread::spawn(move || server.run(false).unwrap());
    Running {
        _dir: dir,
        ws,
        addr,
        stop,
        thread: Some(thread),
    }
}

fn stored(s: &Running, key: &str) -> Answer {
    Store::open(&s.ws).unwrap().get(key).unwrap().unwrap()
}

struct Resp {
    status: u16,
    head: String,
    body: String,
}

fn raw(addr: SocketAddr, request: &str) -> Resp {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Resp {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

fn get(addr: SocketAddr, path: &str, cookie: &str) -> Resp {
    raw(
        addr,
        &format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
        ),
    )
}

fn post_as(addr: SocketAddr, host: &str, path: &str, cookie: &str, body: &str) -> Resp {
    raw(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nContent-Type: \
             application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

fn post(addr: SocketAddr, path: &str, cookie: &str, body: &str) -> Resp {
    post_as(addr, &addr.to_string(), path, cookie, body)
}

fn enc(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The session cookie and the CSRF token of a page.
fn session(r: &Resp) -> (String, String) {
    let cookie = r
        .head
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .find_map(|l| {
            let pair = l.split_once(':')?.1.split(';').next()?.trim().to_string();
            pair.starts_with("codifica_sesion=").then_some(pair)
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

/// The values of the coding form's choices, in the order of their keys (data-atajo 1, 2, …).
fn choices(body: &str) -> Vec<String> {
    body.split("name=\"codigo\" value=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn revisar_offers_the_models_top_three_codes_on_keys_one_to_three() {
    let s = start();
    let r = get(
        s.addr,
        &format!("/respuesta?clave={}", enc(&key("19002"))),
        "",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // Codebook order is integralidad, articulacion_dependencias, apropiacion_temas, …; the
    // model's three most probable codes come first, in its order.
    let c = choices(&r.body);
    assert_eq!(
        &c[..3],
        ["integralidad", "sin_contribucion", "apropiacion_temas"],
        "{c:?}"
    );
    assert_eq!(c.len(), 5, "every code of the codebook is still offered");
    assert!(r.body.contains("data-atajo=\"3\""));
    assert!(r.body.contains("tres códigos más probables"));
}

#[test]
fn revisar_filters_by_code_and_band_and_counts_what_is_left() {
    let s = start();
    let count = |path: &str| -> String {
        let r = get(s.addr, path, "");
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        let p = r.body.split("id=\"pendientes\">").nth(1).unwrap();
        p.split(" respuestas por revisar")
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(count("/codificar"), "4");
    assert_eq!(count("/codificar?banda=alta"), "1");
    assert_eq!(count("/codificar?banda=media"), "1");
    assert_eq!(count("/codificar?banda=sin"), "1");
    assert_eq!(count("/codificar?codigo_filtro=integralidad"), "1");
    // apropiacion_temas is 19003's suggestion and an alternative of the other two suggestions.
    assert_eq!(count("/codificar?codigo_filtro=apropiacion_temas"), "3");
    let r = get(s.addr, "/codificar?banda=nada", "");
    assert_eq!(r.status, 400);
    assert!(r.body.contains("no es una banda de confianza"));
}

#[test]
fn accepting_the_page_stores_its_suggestions_and_never_overwrites_an_analyst() {
    let s = start();
    let page = get(s.addr, "/codificar", "");
    assert!(
        page.body
            .contains("Aceptar la sugerencia en las 3 respuestas de esta página")
    );
    let (cookie, csrf) = session(&page);
    let form = page.body.split("id=\"aceptar\">").nth(1).unwrap();
    let form = form.split("</form>").next().unwrap();
    let fields: Vec<(String, String)> = form
        .split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|f| {
            let (name, rest) = f.split_once("\" value=\"")?;
            Some((name.to_string(), rest.split('"').next()?.to_string()))
        })
        .collect();
    let body: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k != "csrf")
        .map(|(k, v)| format!("{k}={}", enc(&v.replace("&amp;", "&"))))
        .collect();
    let body = body.join("&");
    // Without a valid token, or from a foreign host name, nothing is written.
    let bad = format!("csrf=0123456789abcdef0123456789abcdef&{body}");
    assert_eq!(post(s.addr, "/aceptar", &cookie, &bad).status, 403);
    let foreign = post_as(
        s.addr,
        "evil.example:80",
        "/aceptar",
        &cookie,
        &format!("csrf={csrf}&{body}"),
    );
    assert_ne!(foreign.status, 303);
    assert!(stored(&s, &key("19002")).codes.is_empty());
    // An analyst codes 19001 meanwhile (another tab).
    {
        let _lock = s.ws.lock().unwrap();
        let store = Store::open(&s.ws).unwrap();
        store
            .set_human_codes(&[(key("19001"), vec!["integralidad".into()])])
            .unwrap();
    }
    let r = post(s.addr, "/aceptar", &cookie, &format!("csrf={csrf}&{body}"));
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(stored(&s, &key("19002")).codes, ["integralidad"]);
    assert_eq!(stored(&s, &key("19003")).codes, ["apropiacion_temas"]);
    assert_eq!(
        stored(&s, &key("19001")).codes,
        ["integralidad"],
        "the analyst's code stays"
    );
    assert!(
        stored(&s, &key("19004")).codes.is_empty(),
        "no suggestion, nothing accepted"
    );
    let location = r
        .head
        .lines()
        .find_map(|l| {
            l.strip_prefix("location: ")
                .or_else(|| l.strip_prefix("Location: "))
        })
        .unwrap()
        .to_string();
    let after = get(s.addr, &location, &cookie);
    assert!(
        after.body.contains("Se aceptaron 2 sugerencias"),
        "{}",
        after.body
    );
    assert!(
        after.body.contains("1 respuestas por revisar"),
        "only 19004 is left"
    );
}

fn location(r: &Resp) -> String {
    r.head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("location")
                .then(|| v.trim().to_string())
        })
        .expect("a redirect")
}

#[test]
fn libro_edits_the_codebook_in_one_transaction_and_asks_to_retrain() {
    let s = start();
    let page = get(s.addr, &format!("/libro?pregunta={Q}"), "");
    assert_eq!(page.status, 200, "{}", page.body);
    // The number of answers each code holds (human or machine codes).
    let row = page
        .body
        .split("id=\"codigo-articulacion_dependencias\"")
        .nth(1)
        .unwrap();
    assert!(row.contains("<td class=\"num\">1</td>"), "{row}");
    let (cookie, csrf) = session(&page);
    let form = |fields: &str| format!("csrf={csrf}&pregunta={Q}&{fields}");
    // Without a valid token nothing changes.
    let bad = "csrf=0123456789abcdef0123456789abcdef&pregunta=articulacion_instrumentos&accion=renombrar&codigo=articulacion_dependencias&nuevo_id=dependencias";
    assert_eq!(post(s.addr, "/libro/editar", &cookie, bad).status, 403);
    assert!(
        codifica::codebook::load(&s.ws, Q)
            .unwrap()
            .unwrap()
            .code("dependencias")
            .is_none()
    );
    // A rename: the answers' codes follow in the same transaction.
    let r = post(
        s.addr,
        "/libro/editar",
        &cookie,
        &form(
            "accion=renombrar&codigo=articulacion_dependencias&nuevo_id=dependencias&etiqueta=Dependencias",
        ),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        stored(&s, &key("19001")).machine.unwrap().codes,
        ["dependencias"]
    );
    let after = get(s.addr, &location(&r), &cookie);
    assert!(after.body.contains("id=\"reentrenar\""), "{}", after.body);
    assert!(
        after.body.contains("1 respuestas cambiaron de código"),
        "{}",
        after.body
    );
    // Description, parent and polarity in one edit; then an added code.
    let r = post(
        s.addr,
        "/libro/editar",
        &cookie,
        &form(
            "accion=ajustar&codigo=dependencias&descripcion=Trabajo+conjunto&padre=integralidad&polaridad=negative",
        ),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = post(
        s.addr,
        "/libro/editar",
        &cookie,
        &form("accion=agregar&codigo=otro_tema&etiqueta=Otro+tema&polaridad=neutral&padre="),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let cb = codifica::codebook::load(&s.ws, Q).unwrap().unwrap();
    let c = cb.code("dependencias").unwrap();
    assert_eq!(c.description, "Trabajo conjunto");
    assert_eq!(c.parent.as_deref(), Some("integralidad"));
    assert_eq!(c.polarity, codifica::codebook::Polarity::Negative);
    assert!(cb.code("otro_tema").is_some());
    // A refused edit says why in Spanish and changes nothing.
    let r = post(
        s.addr,
        "/libro/editar",
        &cookie,
        &form("accion=fusionar&codigo=otro_tema&en=no_existe"),
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("No se cambió nada"), "{}", r.body);
    assert_eq!(codifica::codebook::load(&s.ws, Q).unwrap().unwrap(), cb);
}

/// The `codifica_codificador=…` pair of a response's Set-Cookie.
fn coder_cookie(r: &Resp) -> String {
    r.head
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .find_map(|l| {
            let pair = l.split_once(':')?.1.split(';').next()?.trim().to_string();
            pair.starts_with("codifica_codificador=").then_some(pair)
        })
        .expect("a coder cookie")
}

/// A browser session named `name`: its cookies (session and coder) and CSRF token.
fn analyst(s: &Running, name: &str) -> (String, String) {
    let page = get(s.addr, "/equipo", "");
    let (cookie, csrf) = session(&page);
    let r = post(
        s.addr,
        "/equipo/nombre",
        &cookie,
        &format!("csrf={csrf}&nombre={}", enc(name)),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    (format!("{cookie}; {}", coder_cookie(&r)), csrf)
}

#[test]
fn every_human_code_records_who_set_it_and_old_answers_say_unknown() {
    let s = start();
    let k = key("19002");
    let page = get(s.addr, &format!("/respuesta?clave={}", enc(&k)), "");
    assert!(
        page.body.contains("Sin historial de códigos"),
        "an old answer is readable"
    );
    let (cookie, csrf) = analyst(&s, "Ana María");
    let body = format!(
        "csrf={csrf}&clave={}&volver=respuesta&codigo=integralidad",
        enc(&k)
    );
    assert_eq!(post(s.addr, "/guardar", &cookie, &body).status, 303);
    let page = get(s.addr, &format!("/respuesta?clave={}", enc(&k)), &cookie);
    let hist = page
        .body
        .split("id=\"historial\"")
        .nth(1)
        .expect("a history");
    assert!(
        hist.contains("Ana María") && hist.contains(" UTC"),
        "{hist}"
    );
    let stamps = codifica::app::team::history(&s.ws, &k).unwrap();
    assert_eq!(stamps.len(), 1);
    assert_eq!(stamps[0].coder.as_deref(), Some("Ana María"));
    assert_eq!(stamps[0].codes, ["integralidad"]);
    // The answer itself is unchanged apart from its human codes (round trips stay identical).
    let mut expected = synthetic()[1].clone();
    expected.codes = vec!["integralidad".into()];
    assert_eq!(stored(&s, &k), expected);
    // A name that is not one is refused.
    let r = post(
        s.addr,
        "/equipo/nombre",
        &cookie,
        &format!("csrf={csrf}&nombre=%3Cscript%3E"),
    );
    assert_eq!(r.status, 400);
}

#[test]
fn double_coding_is_blind_seeded_and_reports_agreement_with_the_model_as_third_coder() {
    let s = start();
    let (ana, csrf_a) = analyst(&s, "Ana");
    let (luis, csrf_l) = analyst(&s, "Luis");
    let draw = format!("csrf={csrf_a}&mes=2020-11&tamano=3&semilla=7");
    assert_eq!(post(s.addr, "/equipo/muestra", &ana, &draw).status, 303);
    let month = Month::parse("2020-11").unwrap();
    let round = codifica::app::team::round(&s.ws, month).unwrap().unwrap();
    assert_eq!(round.sample.len(), 3);
    // Same seed, same sample (a round nobody coded yet may be drawn again).
    assert_eq!(post(s.addr, "/equipo/muestra", &ana, &draw).status, 303);
    assert_eq!(
        codifica::app::team::round(&s.ws, month)
            .unwrap()
            .unwrap()
            .sample,
        round.sample
    );
    for (cookie, csrf, flip) in [(&ana, &csrf_a, false), (&luis, &csrf_l, true)] {
        for (i, k) in round.sample.iter().enumerate() {
            let page = get(s.addr, "/equipo?mes=2020-11", cookie);
            let blind = page
                .body
                .split("id=\"ciega\"")
                .nth(1)
                .expect("a blind form");
            let blind = blind.split("</form>").next().unwrap();
            assert!(blind.contains(&format!("value=\"{}\"", k)), "{blind}");
            assert!(
                !blind.contains("checked") && !blind.contains("sugerido"),
                "blind: {blind}"
            );
            assert!(!page.body.contains("Sugerencia del modelo"));
            let code = if flip && i == 0 {
                "sin_contribucion"
            } else {
                "integralidad"
            };
            let body = format!("csrf={csrf}&mes=2020-11&clave={}&codigo={code}", enc(k));
            let r = post(s.addr, "/equipo/codificar", cookie, &body);
            assert_eq!(r.status, 303, "{}", r.body);
        }
    }
    let page = get(s.addr, "/equipo?mes=2020-11", &ana);
    assert!(page.body.contains("id=\"terminada\""));
    let acuerdo = page.body.split("id=\"acuerdo\"").nth(1).expect("agreement");
    assert!(
        acuerdo.contains("Ana y Luis") && acuerdo.contains("Ana y modelo"),
        "{acuerdo}"
    );
    assert!(acuerdo.contains("Kappa de Cohen") && acuerdo.contains("Alfa de Krippendorff"));
    // Three answers, one disagreement: 66,7 % agreement between the analysts.
    assert!(acuerdo.contains("66,7"), "{acuerdo}");
    let dis = page.body.split("id=\"desacuerdos\"").nth(1).unwrap();
    assert!(dis.contains("Desacuerdos por resolver (1)"), "{dis}");
    // The round's codes are not human codes of the answers.
    assert!(round.sample.iter().all(|k| stored(&s, k).codes.is_empty()));
    // A round that coders started is not drawn again.
    assert_eq!(post(s.addr, "/equipo/muestra", &ana, &draw).status, 400);
}
