//! End-to-end test of the web app in a real browser: headless Chromium driven through
//! chromedriver (WebDriver over plain HTTP, `tests/common/webdriver.rs`). Search → open an
//! answer → code it with the keyboard → see the count change on the dashboard. Screenshots of
//! each page go to `target/screenshots/` (or `$CODIFICA_SCREENSHOTS`, e.g. `docs/screenshots`).
//!
//! Data: the built-in **synthetic** demo (real entity names, invented answers and ratings),
//! imported through the library; November gets machine suggestions from a model trained here on
//! July–October. Skipped with a printed reason when chromium or chromedriver is absent.

use crate::webdriver;

use std::path::Path;
use std::thread;

use codifica::analyze::Analyzer;
use codifica::answer::MachineCoding;
use codifica::app::import::{ImportOptions, import};
use codifica::config::Config;
use codifica::demo::{DEFAULT_SEED, DemoData, OPEN_QUESTIONS};
use codifica::model::{Example, QuestionModel, TrainSettings};
use codifica::month::Month;
use codifica::store::{AnswerFilter, Store};
use codifica::web::{ServeOptions, Server};
use codifica::workspace::Workspace;
use serde_json::json;
use webdriver::{Driver, Serving, find_program};

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
