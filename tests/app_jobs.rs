//! The use cases of `codifica::app` that train, classify and count (issue 12): one coverage
//! count for `status` and the web's Tablero, and jobs that a monitor stops before they write.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use codifica::answer::{Answer, MachineCoding};
use codifica::app::classify::{self, MonthRequest};
use codifica::app::train::{self, TrainRequest};
use codifica::app::{Monitor, Unmonitored};
use codifica::config::Config;
use codifica::app::import::import;
use codifica::ingest::ImportOptions;
use codifica::month::Month;
use codifica::store::{AnswerFilter, Store};
use codifica::web::{ServeOptions, Server};
use codifica::workspace::Workspace;

const Q: &str = "necesidades_debilidades";
const MONTH: &str = "2020-11";

fn answer(entity: &str, text: &str, codes: &[&str], machine: Option<bool>) -> Answer {
    Answer {
        entity_code: entity.into(),
        entity_name: format!("Entidad sintética {entity}"),
        department: "Antioquia".into(),
        region: "Eje Cafetero".into(),
        entity_kind: Some("alcaldía".into()),
        month: Month::parse(MONTH).unwrap(),
        question: Q.into(),
        answer_id: None,
        text: text.into(),
        rating: None,
        codes: codes.iter().map(|c| c.to_string()).collect(),
        machine: machine.map(|accepted| MachineCoding {
            codes: vec!["conectividad".into()],
            confidence: 0.9,
            margin: 0.3,
            model: "sintético".into(),
            accepted,
            ..Default::default()
        }),
        interview_date: None,
        respondent_role: None,
        attributes: Default::default(),
    }
}

/// One answer in each coding state: coded by an analyst (twice, once on a text that reads as a
/// non-answer), accepted automatically, suggested and waiting, waiting without a suggestion,
/// and an uncoded non-answer.
fn coverage_workspace() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(dir.path(), Config::monitoreo360_text(), false).unwrap();
    codifica::codebook::install_defaults(&ws).unwrap();
    let answers = vec![
        answer(
            "05001",
            "falta conectividad en la zona rural",
            &["conectividad"],
            None,
        ),
        answer("05002", "no sabe", &["conectividad"], None),
        answer("05004", "la conexión a internet es mala", &[], Some(true)),
        answer(
            "05021",
            "sin internet no se puede reportar",
            &[],
            Some(false),
        ),
        answer("05030", "rotación del personal de planeación", &[], None),
        answer("05031", "no sabe", &[], None),
    ];
    {
        let _lock = ws.lock().unwrap();
        Store::open(&ws).unwrap().upsert(answers, |_| {}).unwrap();
    }
    (dir, ws)
}

fn http_get(addr: SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    String::from_utf8_lossy(&buf).into_owned()
}

fn cifra(body: &str, id: &str) -> usize {
    let at = format!("id=\"cifra-{id}\"><div class=\"valor\">");
    let rest = body
        .split(&at)
        .nth(1)
        .unwrap_or_else(|| panic!("no cifra-{id}"));
    rest.split('<').next().unwrap().parse().unwrap()
}

/// `status` and the Tablero used to count "machine" differently: status kept an accepted
/// machine code apart from a suggestion waiting for review, the Tablero counted both as
/// "solo con código del modelo" (2 here). Both now read `model::review::CodingCounts`.
#[test]
fn status_and_the_tablero_count_coverage_alike() {
    let (_dir, ws) = coverage_workspace();
    let store = Store::open(&ws).unwrap();
    let status = codifica::app::status::status(&ws, &store).unwrap();
    let c = &status.months[MONTH][Q];
    assert_eq!(
        (
            c.with_text,
            c.human_coded,
            c.accepted,
            c.machine_coded,
            c.uncoded
        ),
        (6, 2, 1, 1, 2),
        "{c:?}"
    );
    drop(store);

    let server = Server::bind(
        ws,
        &ServeOptions {
            port: 0,
            ..ServeOptions::default()
        },
    )
    .unwrap();
    let (addr, stop) = (server.addr(), server.stop_handle());
    let thread = std::thread::spawn(move || server.run(false).unwrap());
    let body = http_get(addr, &format!("/tablero?mes={MONTH}"));
    stop.stop();
    thread.join().unwrap();
    assert_eq!(cifra(&body, "codificadas"), c.human_coded, "{body}");
    assert_eq!(cifra(&body, "aceptadas"), c.accepted, "{body}");
    // Waiting for review: the suggestion and the answer without one (not the non-answer).
    assert_eq!(cifra(&body, "por-revisar"), 2, "{body}");
    assert!(
        !body.contains("cifra-modelo"),
        "no count mixing accepted and suggested"
    );
}

/// A monitor that asks to stop once `after` steps have been announced.
struct StopAfter {
    after: usize,
    seen: std::sync::atomic::AtomicUsize,
}

impl Monitor for StopAfter {
    fn progress(&self, _done: usize, _total: usize, _what: &str) {
        self.seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
    fn cancelled(&self) -> bool {
        self.seen.load(std::sync::atomic::Ordering::SeqCst) > self.after
    }
}

/// A stopped training writes no model and a stopped classification stores no coding; unstopped,
/// the same requests do (the demo's synthetic months).
#[test]
fn a_stopped_job_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(dir.path(), Config::monitoreo360_text(), false).unwrap();
    codifica::codebook::install_defaults(&ws).unwrap();
    let data = codifica::demo::DemoData::generate(7);
    let csv = dir.path().join("demo.csv");
    std::fs::write(&csv, data.to_csv()).unwrap();
    import(&ws, &csv, &ImportOptions::default()).unwrap();
    let store = Store::open(&ws).unwrap();
    let stop = || StopAfter {
        after: 1,
        seen: Default::default(),
    };
    let req = TrainRequest::default();
    let err = train::train_workspace(&ws, &store, &req, &stop()).unwrap_err();
    assert!(err.to_string().contains("cancelled"), "{err}");
    assert!(
        std::fs::read_dir(ws.models_dir()).unwrap().next().is_none(),
        "no model"
    );
    let trained = train::train_workspace(&ws, &store, &req, &Unmonitored).unwrap();
    assert!(
        trained.models.len() > 1,
        "several questions, so a stop between them"
    );

    let month = Month::parse(data.months().last().unwrap()).unwrap();
    let set = classify::workspace_models(&ws).unwrap();
    let req = MonthRequest {
        month,
        question: None,
        accept_at: Some(0.9),
        model_tag: "models/".into(),
    };
    let machine = |store: &Store| {
        let f = AnswerFilter {
            month: Some(month),
            ..Default::default()
        };
        let all = store.answers(&f).unwrap();
        all.iter().filter(|a| a.machine.is_some()).count()
    };
    assert!(classify::classify_month(&ws, &store, &set, &req, &stop()).is_err());
    assert_eq!(
        machine(&store),
        0,
        "a stopped classification stores nothing"
    );
    let r = classify::classify_month(&ws, &store, &set, &req, &Unmonitored).unwrap();
    assert_eq!(machine(&store), r.stored);
    assert!(r.stored > 0);
}
