//! The analyst's whole month in a real browser (headless Chromium through chromedriver, as
//! `tests/web_browser.rs`): upload a wide XLSX and map it, dry run, import; train, classify with
//! automatic acceptance; code three answers of the queue with the keyboard; rename a code;
//! double-code five answers as two analysts and read the agreement; download the month's report
//! and check its figures against the sheet. Every page is checked to fit 1280 px without
//! horizontal scrolling and to load nothing from another origin. Screenshots of each page go to
//! `target/screenshots/` (or `$CODIFICA_SCREENSHOTS`, e.g. `docs/screenshots`).
//!
//! Data: the built-in **synthetic** demo (real entity names, invented answers and ratings). July
//! to October (with human codes) are imported through the library, as earlier months would be;
//! November is written here as a wide workbook, one row per interview, and goes through the
//! Importar page. Skipped with a printed reason when chromium or chromedriver is absent (a
//! failure under `CI=true`, see `tool_missing!`).

use crate::webdriver;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use codifica::app::import::{ImportOptions, import};
use codifica::config::Config;
use codifica::demo::{DEFAULT_SEED, DemoData, DemoRow};
use codifica::month::Month;
use codifica::store::{AnswerFilter, Store};
use codifica::web::{ServeOptions, Server};
use codifica::workspace::Workspace;
use webdriver::{Driver, Serving, find_program};

const MONTH: &str = "2020-11";
/// The header of the overall rating in the sheet: words the mapping cannot match, so the
/// analyst maps that column by hand.
const OVERALL_HEADER: &str = "Nota global (1 a 5)";

// ---------------------------------------------------------------- fixture (synthetic demo)

/// A workspace holding the demo's July–October (human codes included), and November's rows.
fn workspace(dir: &Path) -> (Workspace, Vec<DemoRow>) {
    let ws = Workspace::init(dir, Config::monitoreo360_text(), false).unwrap();
    codifica::codebook::install_defaults(&ws).unwrap();
    let data = DemoData::generate(DEFAULT_SEED);
    let (month, before): (Vec<DemoRow>, Vec<DemoRow>) =
        data.rows.into_iter().partition(|r| r.month == MONTH);
    let csv = dir.join("meses-anteriores.csv");
    std::fs::write(&csv, DemoData { rows: before }.to_csv()).unwrap();
    import(&ws, &csv, &ImportOptions::default()).unwrap();
    (ws, month)
}

/// The month's rows as an analyst's wide workbook: one row per interview, the entity's columns,
/// then one column per question headed by the question's text (the overall rating by
/// [`OVERALL_HEADER`]), and a column saying the data are synthetic (to be ignored).
fn wide_workbook(config: &Config, rows: &[DemoRow]) -> Vec<u8> {
    let mut questions: Vec<&str> = Vec::new();
    let mut interviews: BTreeMap<&str, Vec<&DemoRow>> = BTreeMap::new();
    for r in rows {
        if !questions.contains(&r.question.as_str()) {
            questions.push(&r.question);
        }
        interviews.entry(&r.entity_code).or_default().push(r);
    }
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("Noviembre (sintético)").unwrap();
    let mut headers: Vec<String> = [
        "Código DANE",
        "Municipio",
        "Departamento",
        "Región",
        "Mes",
        "Fecha de la entrevista",
    ]
    .map(str::to_string)
    .to_vec();
    for q in &questions {
        headers.push(if *q == config.overall_question {
            OVERALL_HEADER.to_string()
        } else {
            config.question(q).unwrap().text.clone()
        });
    }
    headers.push("Fuente".to_string());
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    for (i, answers) in interviews.values().enumerate() {
        let row = i as u32 + 1;
        let a = answers[0];
        let fixed = [
            &a.entity_code,
            &a.entity_name,
            &a.department,
            &a.region,
            &a.month,
            &a.interview_date,
        ];
        for (c, v) in fixed.iter().enumerate() {
            sheet.write_string(row, c as u16, *v).unwrap();
        }
        for r in answers {
            let c = (6 + questions.iter().position(|q| *q == r.question).unwrap()) as u16;
            match r.rating {
                Some(v) => sheet.write_number(row, c, v).map(|_| ()),
                None if !r.answer.is_empty() => sheet.write_string(row, c, &r.answer).map(|_| ()),
                None => Ok(()),
            }
            .unwrap();
        }
        sheet
            .write_string(row, headers.len() as u16 - 1, "datos sintéticos")
            .unwrap();
    }
    wb.save_to_buffer().unwrap()
}

/// The report's figures computed from the sheet's rows: interviews, mean overall rating,
/// interviews rated below the threshold, interviews with an overall rating.
fn expected_figures(config: &Config, rows: &[DemoRow]) -> (usize, f64, usize, usize) {
    let interviews = rows
        .iter()
        .map(|r| &r.entity_code)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let overall: Vec<f64> = rows
        .iter()
        .filter(|r| r.question == config.overall_question)
        .filter_map(|r| r.rating)
        .collect();
    let mean = overall.iter().sum::<f64>() / overall.len() as f64;
    let below = overall
        .iter()
        .filter(|v| **v < config.satisfaction_threshold)
        .count();
    (interviews, mean, below, overall.len())
}

// ---------------------------------------------------------------- browser helpers

/// Checks what the quality bar asks of every page, then saves its screenshot: Spanish, no
/// horizontal scrolling at 1280 px, nothing loaded from another origin.
fn check_and_shoot(d: &Driver, shots: &Path, name: &str) {
    let lang = d.js("return document.documentElement.lang;");
    assert_eq!(lang, "es", "{name}: a Spanish page");
    let width = d
        .js("return document.documentElement.scrollWidth;")
        .as_f64()
        .unwrap();
    assert!(width <= 1280.0, "{name}: {width} px wide, wider than 1280");
    let foreign = d.js(
        "return Array.from(document.querySelectorAll('[src],[href],[action]'))\
         .map(e => e.src || e.href || e.action)\
         .filter(u => u && !u.startsWith(location.origin) && !u.startsWith('data:'));",
    );
    assert_eq!(foreign, serde_json::json!([]), "{name}: external resources");
    d.screenshot(&shots.join(format!("{name}.png")));
}

/// Clicks `css` (a submit button or link) and waits until the next page has replaced this one:
/// a WebDriver click does not always wait for a form's navigation, and loading another URL
/// meanwhile would cancel the post.
fn submit(d: &Driver, css: &str) {
    d.js("document.body.dataset.antes = '1'; return null;");
    d.click(css);
    let deadline = Instant::now() + Duration::from_secs(30);
    while d.js(
        "return document.body && document.body.dataset.antes === undefined && \
                document.readyState === 'complete';",
    ) != serde_json::json!(true)
    {
        assert!(Instant::now() < deadline, "{css}: no new page");
        thread::sleep(Duration::from_millis(50));
    }
}

/// Reloads /entrenar until its job card says the job ended; returns that state.
fn wait_for_job(d: &Driver, base: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        d.go(&format!("{base}/entrenar"));
        let state = d.js(
            "var t = document.getElementById('trabajo'); return t ? t.dataset.estado : 'ninguno';",
        );
        let state = state.as_str().unwrap_or("").to_string();
        if state != "en-curso" {
            return state;
        }
        assert!(Instant::now() < deadline, "the job never ended");
        thread::sleep(Duration::from_millis(300));
    }
}

/// The text of every element matching `css`.
fn texts(d: &Driver, css: &str) -> Vec<String> {
    let v = d.js(&format!(
        "return Array.from(document.querySelectorAll(\"{css}\")).map(e => e.textContent.trim());"
    ));
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// The value of the form field `css`.
fn value(d: &Driver, css: &str) -> String {
    d.js(&format!("return document.querySelector(\"{css}\").value;"))
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// Waits for a finished download in `dir` (Chromium writes `*.crdownload` until it is done).
fn downloaded(dir: &Path) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let done: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        if let [one] = done.as_slice()
            && !one.to_string_lossy().ends_with(".crdownload")
        {
            return one.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no download in {}",
            dir.display()
        );
        thread::sleep(Duration::from_millis(100));
    }
}

/// Waits until the coding form `form` no longer holds the answer `key` (the save went through
/// and the next page came; a form that is gone counts as moved on).
fn moved_on(d: &Driver, form: &str, key: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let script = format!(
        "var c = document.querySelector('{form} input[name=clave]'); return c ? c.value : '';"
    );
    while d.js(&script).as_str() == Some(key) {
        assert!(
            Instant::now() < deadline,
            "{form} did not move on from {key}: {}",
            d.source()
        );
        thread::sleep(Duration::from_millis(100));
    }
}

/// Sets the analyst's name on /equipo.
fn choose_name(d: &Driver, base: &str, name: &str) {
    d.go(&format!("{base}/equipo?mes={MONTH}"));
    d.clear("#nombre input[name=nombre]");
    d.type_into("#nombre input[name=nombre]", name);
    submit(d, "#nombre button[type=submit]");
    assert_eq!(d.text("#codificador"), name);
}

/// Codes the analyst's part of the double-coding sample with the keyboard: for each answer, the
/// key in `keys` picks a code and Enter saves.
fn code_blind(d: &Driver, keys: &[&str]) -> Vec<String> {
    let mut coded = Vec::new();
    for k in keys {
        d.find("#ciega");
        coded.push(value(d, "#ciega input[name=clave]"));
        d.keys(&[k, "\u{E007}"]);
        moved_on(d, "#ciega", coded.last().unwrap());
    }
    d.find("#terminada");
    coded
}

// ---------------------------------------------------------------- the test

#[test]
fn the_whole_month_in_chromium_from_the_spreadsheet_to_the_report() {
    let Some(chromedriver) = find_program(&["chromedriver"]) else {
        tool_missing!("chromium/chromedriver not installed (chromedriver not on PATH)");
        return;
    };
    let Some(chromium) = find_program(&["chromium", "chromium-browser", "google-chrome"]) else {
        tool_missing!("chromium/chromedriver not installed (chromium not on PATH)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (ws, rows) = workspace(&dir.path().join("ws"));
    let config = ws.config().clone();
    let sheet = dir.path().join("monitoreo-noviembre.xlsx");
    std::fs::write(&sheet, wide_workbook(&config, &rows)).unwrap();
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
    // As in web_browser.rs: target/ unless CODIFICA_SCREENSHOTS names the repository's folder.
    let shots = match std::env::var_os("CODIFICA_SCREENSHOTS") {
        Some(d) => Path::new(env!("CARGO_MANIFEST_DIR")).join(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots"),
    };
    std::fs::create_dir_all(&shots).unwrap();
    let profile = dir.path().join("perfil");
    let d = Driver::start(&chromedriver, &chromium, &profile);
    let store = Store::open(&ws).unwrap();
    let month = Month::parse(MONTH).unwrap();
    let in_month = |store: &Store| {
        store
            .answers(&AnswerFilter {
                month: Some(month),
                ..AnswerFilter::default()
            })
            .unwrap()
    };

    // 1. Importar: upload the workbook, see its columns and the proposed mapping.
    d.go(&format!("{base}/importar"));
    check_and_shoot(&d, &shots, "importar");
    d.type_into("input[type=file][name=archivo]", &sheet.to_string_lossy());
    submit(&d, "form[action='/importar/subir'] button[type=submit]");
    d.find("form[action='/importar/probar'] select");
    let src = d.source();
    assert!(src.contains("Primeras filas"), "the first rows are shown");
    assert!(src.contains("datos sintéticos"));
    // Readable at 1280 px: the first rows stay a few lines high despite long headers and answers.
    let tallest = d
        .js(
            "return Math.max(...Array.from(document.querySelectorAll('table.muestra tr'))\
             .map(r => r.offsetHeight));",
        )
        .as_f64()
        .unwrap();
    assert!(tallest < 140.0, "a first-rows line {tallest} px high");
    assert_eq!(value(&d, "#col0"), "entity_code");
    assert_eq!(value(&d, "#col1"), "entity_name");
    assert_eq!(value(&d, "#col4"), "month");
    assert_eq!(value(&d, "#col5"), "interview_date");
    let headers = texts(&d, "form[action='/importar/probar'] td label");
    let overall_col = headers.iter().position(|h| h == OVERALL_HEADER).unwrap();
    let last_col = headers.len() - 1;
    assert_eq!(
        value(&d, &format!("#col{last_col}")),
        "",
        "Fuente is ignored"
    );
    for (i, h) in headers.iter().enumerate().skip(6).take(last_col - 6) {
        if i != overall_col {
            assert!(
                value(&d, &format!("#col{i}")).starts_with("q:"),
                "«{h}» is proposed as its question"
            );
        }
    }
    // The analyst maps the column the proposal could not place, and names the mapping.
    assert_eq!(value(&d, &format!("#col{overall_col}")), "");
    let overall_option = format!("q:{}", config.overall_question);
    d.click(&format!(
        "#col{overall_col} option[value='{overall_option}']"
    ));
    d.clear("input[name=mapeo]");
    d.type_into("input[name=mapeo]", "monitoreo_ancho");
    check_and_shoot(&d, &shots, "importar-mapeo");

    // Dry run: the counts, and nothing written.
    submit(&d, "form[action='/importar/probar'] button[type=submit]");
    d.find("form[action='/importar/escribir']");
    let expected = rows
        .iter()
        .filter(|r| r.rating.is_some() || !r.answer.is_empty())
        .count();
    let figures = texts(&d, ".cifra .valor");
    assert_eq!(figures, [expected.to_string(), "0".into(), "0".into()]);
    assert!(in_month(&store).is_empty(), "a dry run writes nothing");
    check_and_shoot(&d, &shots, "importar-prueba");
    submit(&d, "form[action='/importar/escribir'] button[type=submit]");
    d.find("h1");
    assert_eq!(d.text("h1"), "Importación terminada");
    assert_eq!(in_month(&store).len(), expected);
    let toml = std::fs::read_to_string(ws.root().join("codifica.toml")).unwrap();
    assert!(
        toml.contains("name = \"monitoreo_ancho\""),
        "the mapping is saved"
    );

    // 2. Entrenar y clasificar (the next step the import page links to): train, then classify
    // November with automatic acceptance.
    submit(&d, "#siguiente");
    submit(
        &d,
        "form[action='/entrenar/iniciar'] input[value=entrenar] ~ button",
    );
    assert_eq!(wait_for_job(&d, &base), "terminado");
    let src = d.source();
    assert!(src.contains("Modelos entrenados") && src.contains("Cobertura"));
    check_and_shoot(&d, &shots, "entrenar");
    assert_eq!(
        value(&d, "select[name=mes]"),
        MONTH,
        "the new month is offered first"
    );
    submit(
        &d,
        "form[action='/entrenar/iniciar'] input[value=clasificar] ~ button",
    );
    assert_eq!(wait_for_job(&d, &base), "terminado");
    let accepted: usize = d.text("#aceptadas").parse().unwrap();
    let queued: usize = d.text("#en-cola").parse().unwrap();
    let answers = in_month(&store);
    let stored_accepted = answers
        .iter()
        .filter(|a| a.machine.as_ref().is_some_and(|m| m.accepted))
        .count();
    assert_eq!(accepted, stored_accepted);
    assert!(
        accepted > 0 && queued > 0,
        "{accepted} accepted, {queued} queued"
    );
    check_and_shoot(&d, &shots, "clasificar");

    // 3. Revisar: code three answers of the queue, each with one key (the model's second most
    // probable code: chosen on a one-code question, added to the marked first on a multi-code
    // one) and Enter; what was marked is what is stored.
    d.go(&format!("{base}/codificar?mes={MONTH}"));
    d.find("#sugerencia");
    let left = |d: &Driver| -> usize {
        d.text("#pendientes")
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let before = left(&d);
    check_and_shoot(&d, &shots, "revisar");
    // Enter with nothing marked (a multi-code form's key unmarks its pre-marked suggestion):
    // refused in Spanish, nothing stored, the answer still waits in the queue.
    let first = value(&d, "#codificar input[name=clave]");
    d.js("document.querySelectorAll('#codificar input[name=codigo]')\
          .forEach(i => { i.checked = false; }); return null;");
    d.keys(&["\u{E007}"]);
    moved_on(&d, "#codificar", &first);
    assert_eq!(d.text("h1"), "Ningún código marcado");
    assert!(store.get(&first).unwrap().unwrap().codes.is_empty());
    d.go(&format!("{base}/codificar?mes={MONTH}"));
    assert_eq!(left(&d), before, "nothing left the queue");
    let mut reviewed = Vec::new();
    for _ in 0..3 {
        let key = value(&d, "#codificar input[name=clave]");
        d.keys(&["2"]);
        let marked = d.js("return Array.from(document.querySelectorAll(\
             '#codificar input[name=codigo]:checked')).map(i => i.value);");
        d.keys(&["\u{E007}"]);
        moved_on(&d, "#codificar", &key);
        d.find("#guardado");
        assert!(reviewed.iter().all(|(k, _)| *k != key));
        reviewed.push((key, marked));
    }
    assert_eq!(left(&d), before - 3, "three fewer answers to review");
    for (key, marked) in &reviewed {
        let a = store.get(key).unwrap().unwrap();
        assert!(!a.codes.is_empty(), "{key} coded");
        let mut marked: Vec<String> = serde_json::from_value(marked.clone()).unwrap();
        let mut stored = a.codes.clone();
        marked.sort();
        stored.sort();
        assert_eq!(stored, marked, "{key}: the codes marked are stored");
    }
    let reviewed: Vec<String> = reviewed.into_iter().map(|(k, _)| k).collect();

    // 4. Libro de códigos: rename a code's id; the answers holding it follow.
    let question = store.get(&reviewed[0]).unwrap().unwrap().question;
    d.go(&format!("{base}/libro?pregunta={question}"));
    // Readable at 1280 px: the question's select is wide enough for its long names.
    let select_width = d
        .js("return document.querySelector('select[name=pregunta]').offsetWidth;")
        .as_f64()
        .unwrap();
    assert!(select_width >= 250.0, "a {select_width} px question select");
    let old = d
        .js("return document.querySelector('#codigos tbody tr').id.replace('codigo-', '');")
        .as_str()
        .unwrap()
        .to_string();
    let holding = |store: &Store, code: &str| {
        store
            .answers(&AnswerFilter {
                question: Some(question.clone()),
                ..AnswerFilter::default()
            })
            .unwrap()
            .iter()
            .filter(|a| a.codes.iter().any(|c| c == code))
            .count()
    };
    let held = holding(&store, &old);
    assert!(held > 0, "the first code holds answers");
    let row = format!("#codigo-{old}");
    d.click(&format!("{row} summary"));
    d.clear(&format!("{row} input[name=nuevo_id]"));
    d.type_into(
        &format!("{row} input[name=nuevo_id]"),
        "renombrado_en_la_web",
    );
    submit(&d, &format!("{row} input[value=renombrar] ~ button"));
    d.find("#hecho");
    let store = Store::open(&ws).unwrap();
    assert_eq!(holding(&store, "renombrado_en_la_web"), held);
    assert_eq!(holding(&store, &old), 0);
    assert!(d.source().contains("id=\"codigo-renombrado_en_la_web\""));
    check_and_shoot(&d, &shots, "libro");
    // The reminder to retrain leads to the page that does it.
    submit(&d, "#reentrenar a[href='/entrenar']");
    assert_eq!(d.text("h1"), "Entrenar y clasificar");

    // 5. Equipo: two analysts double-code a sample of five, blind, with the keyboard.
    choose_name(&d, &base, "Ana Sintética");
    d.clear("#muestra input[name=tamano]");
    d.type_into("#muestra input[name=tamano]", "5");
    submit(&d, "#muestra button[type=submit]");
    assert!(d.text("#ronda").contains("Muestra de 5 respuestas"));
    let sample = code_blind(&d, &["1", "1", "1", "1", "1"]);
    choose_name(&d, &base, "Bruno Sintético");
    let shown = d.js(
        "return [document.querySelectorAll('#ciega input:checked').length, \
         document.querySelectorAll('#sugerencia, #actuales').length];",
    );
    assert_eq!(
        shown,
        serde_json::json!([0, 0]),
        "the second analyst codes blind: nothing marked, no suggestion, no earlier codes"
    );
    assert_eq!(code_blind(&d, &["1", "1", "1", "2", "2"]), sample);
    // Agreement per question (all codes) and per code, codes named by their labels.
    let rows_shown = texts(&d, "#acuerdo tbody tr td:nth-child(3)");
    assert!(rows_shown.iter().any(|c| c == "(todos)"), "{rows_shown:?}");
    assert!(
        rows_shown.iter().all(|c| !c.contains('_')),
        "labels, not ids: {rows_shown:?}"
    );
    assert!(
        d.text("#desacuerdos h2").contains("(2)"),
        "two answers to settle"
    );
    check_and_shoot(&d, &shots, "equipo");

    // 6. Informe y muestra: download the month's report; its figures are the sheet's.
    d.go(&format!("{base}/informe"));
    check_and_shoot(&d, &shots, "informe");
    assert_eq!(
        value(&d, "form[action='/informe/descargar'] select[name=mes]"),
        MONTH
    );
    d.click("form[action='/informe/descargar'] button[type=submit]");
    let report = std::fs::read_to_string(downloaded(&Driver::downloads(&profile))).unwrap();
    let (interviews, mean, below, rated) = expected_figures(&config, &rows);
    let card = |label: &str| -> String {
        let end = report.find(&format!("<div class=\"l\">{label}")).unwrap();
        let start = report[..end].rfind("<div class=\"v\">").unwrap() + 15;
        report[start..end].trim_end_matches("</div>").to_string()
    };
    assert_eq!(card("entidades entrevistadas"), interviews.to_string());
    assert_eq!(
        card("calificación general promedio"),
        format!("{mean:.2}").replace('.', ",")
    );
    assert!(
        report.contains(&format!("{below} de {rated} con calificación")),
        "{below} of {rated} below the threshold"
    );
}
