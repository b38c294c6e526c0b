//! End-to-end tests of `codifica report --from --to` (the consolidated period report) and of
//! `codifica themes`: files written, figures equal to the typed data recomputed from the rows,
//! empty months shown as such, escaping, formula safety, determinism.

use crate::helpers;

use std::path::Path;

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx, open_workbook};
use codifica::month::Month;
use codifica::report::period::{PeriodData, unsatisfied_words};

fn run(ws: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::cargo_bin("codifica").unwrap();
    cmd.arg("-w").arg(ws).args(args);
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd.output().unwrap()
}

fn answers() -> Vec<codifica::answer::Answer> {
    let mut answers = helpers::load("cases.csv");
    answers.extend(helpers::load("hostile.csv"));
    answers
}

#[test]
fn period_report_files_match_the_typed_data_and_are_safe_and_deterministic() {
    let dir = helpers::workspace(answers());
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let mut cmd = Command::cargo_bin("codifica").unwrap();
        let o = cmd
            .arg("-w")
            .arg(dir.path())
            .args(["report", "--from", "2020-08", "--to", "2020-12", "--out"])
            .arg(out)
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let stem = "2020-08_2020-12";
    for f in [
        format!("consolidado-{stem}.html"),
        format!("consolidado-{stem}.xlsx"),
        format!("priorizadas-{stem}.geojson"),
    ] {
        assert_eq!(
            std::fs::read(a.join(&f)).unwrap(),
            std::fs::read(b.join(&f)).unwrap(),
            "{f} differs between runs"
        );
    }
    let m = |s| Month::parse(s).unwrap();
    let config = codifica::config::Config::monitoreo360();
    let p = PeriodData::build(
        &answers(),
        &config,
        &helpers::codebooks(),
        codifica::report::period::Period::new(m("2020-08"), m("2020-12")).unwrap(),
    )
    .unwrap();
    let html = std::fs::read_to_string(a.join(format!("consolidado-{stem}.html"))).unwrap();
    assert!(!html.contains("<script"), "no script element may appear");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || !html.contains("alert(1)"));
    // November and December have no interviews: said so, never zero.
    assert!(p.months[3].data.is_none() && p.months[4].data.is_none());
    let words = unsatisfied_words(&p);
    assert!(
        words.ends_with("sin entrevistas en noviembre y diciembre"),
        "{words}"
    );
    assert!(
        html.contains(&codifica::escape::html(&words)),
        "the sentence is in the page"
    );
    assert!(html.contains("sin entrevistas"));
    assert!(html.contains("<h2>Temas emergentes</h2>"));
    for needle in ["src=", "href=", "<link", "url(", "@import"] {
        assert!(
            !html.contains(needle),
            "nothing loaded from elsewhere: {needle}"
        );
    }

    let mut wb: Xlsx<_> = open_workbook(a.join(format!("consolidado-{stem}.xlsx"))).unwrap();
    let names = wb.sheet_names();
    for name in &names {
        let formulas = wb.worksheet_formula(name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{name}"
        );
        let range = wb.worksheet_range(name).unwrap();
        for (_, _, c) in range.used_cells() {
            if let Data::String(s) = c {
                assert!(!s.starts_with('='), "formula-like text in {name}: {s}");
            }
        }
    }
    // The satisfied sheet: one row per month, empty months say so.
    let sat = wb.worksheet_range("Satisfechas por mes").unwrap();
    let row = |r: u32| sat.get_value((r, 1)).cloned();
    assert_eq!(row(4), Some(Data::String("sin entrevistas".into())));
    let oct = p.months[2].data.as_ref().unwrap();
    assert_eq!(row(3), Some(Data::Float(oct.overall.rated as f64)));

    let geo: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(a.join(format!("priorizadas-{stem}.geojson"))).unwrap(),
    )
    .unwrap();
    let feats = geo["features"].as_array().unwrap();
    assert_eq!(feats.len(), p.priority.len());
    assert!(!feats.is_empty());
    assert_eq!(
        feats[0]["properties"]["code"],
        p.priority[0].entity_code.as_str()
    );
    assert_eq!(
        feats[0]["properties"]["times"],
        p.priority[0].months.len() as u64
    );
}

#[test]
fn period_report_refuses_a_reversed_period_and_writes_nothing() {
    let dir = helpers::workspace(helpers::load("cases.csv"));
    let out = dir.path().join("r");
    let mut cmd = Command::cargo_bin("codifica").unwrap();
    let o = cmd
        .arg("-w")
        .arg(dir.path())
        .args(["report", "--from", "2020-10", "--to", "2020-08", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("after"));
    assert!(!out.exists() || std::fs::read_dir(&out).unwrap().next().is_none());
}

#[test]
fn period_report_screenshot_in_headless_chromium() {
    if !Path::new("/usr/bin/chromium").exists() {
        skipped!("chromium not installed");
        return;
    }
    let dir = helpers::workspace(helpers::load("cases.csv"));
    let out = dir.path().join("r");
    let mut cmd = Command::cargo_bin("codifica").unwrap();
    let o = cmd
        .arg("-w")
        .arg(dir.path())
        .args(["report", "--from", "2020-08", "--to", "2020-11", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let png = dir.path().join("shot.png");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/screenshot_report.sh");
    let s = std::process::Command::new("bash")
        .arg(&script)
        .arg(out.join("consolidado-2020-08_2020-11.html"))
        .arg(&png)
        .output()
        .unwrap();
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000);
}

#[test]
fn themes_command_groups_weak_answers_as_json_and_refuses_bad_periods() {
    let dir = helpers::workspace(helpers::demo_answers());
    let o = run(
        dir.path(),
        &[
            "themes",
            "--month",
            "2020-11",
            "--question",
            "necesidades_debilidades",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["from"], "2020-11");
    let weak = r["weak"].as_u64().unwrap();
    assert!(weak > 0, "the demo has uncoded answers in November");
    let themes = r["themes"].as_array().unwrap();
    let sizes: u64 = themes.iter().map(|t| t["size"].as_u64().unwrap()).sum();
    assert_eq!(sizes + r["unthemed"].as_u64().unwrap(), weak);
    for t in themes {
        assert!(!t["label"].as_str().unwrap().is_empty());
        assert!(t["quotes"].as_array().unwrap().len() <= 3);
        let growth = t["growth"].as_array().unwrap();
        assert_eq!(growth.last().unwrap()["month"], "2020-11");
    }
    let again = run(
        dir.path(),
        &[
            "themes",
            "--month",
            "2020-11",
            "--question",
            "necesidades_debilidades",
            "--json",
        ],
    );
    assert_eq!(o.stdout, again.stdout, "seeded: same output");
    let bad = run(
        dir.path(),
        &["themes", "--from", "2020-11", "--to", "2020-09"],
    );
    assert!(!bad.status.success());
    let bad = run(
        dir.path(),
        &["themes", "--month", "2020-11", "--question", "nope"],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("nope"));
}

#[test]
fn monthly_report_gains_the_emerging_themes_section_escaped() {
    let dir = helpers::workspace(answers());
    let out = dir.path().join("m");
    let mut cmd = Command::cargo_bin("codifica").unwrap();
    let o = cmd
        .arg("-w")
        .arg(dir.path())
        .args(["report", "--month", "2020-10", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("reporte-2020-10.html")).unwrap();
    let at = html.find("<h2>Temas emergentes</h2>").expect("the section");
    assert!(!html[at..].contains("<script"), "escaped");
    let o = Command::cargo_bin("codifica")
        .unwrap()
        .arg("-w")
        .arg(dir.path())
        .args(["report", "--month", "2020-12", "--allow-empty", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success());
    let empty = std::fs::read_to_string(out.join("reporte-2020-12.html")).unwrap();
    assert!(
        !empty.contains("Temas emergentes"),
        "no interviews, no section"
    );
}

#[test]
fn adopting_a_theme_adds_the_code_and_only_suggests_it_for_review() {
    let dir = helpers::workspace(helpers::demo_answers());
    let args = [
        "themes",
        "--month",
        "2020-11",
        "--question",
        "necesidades_debilidades",
        "--min-confidence",
        "0.8",
    ];
    let o = run(dir.path(), &[&args[..], &["--json"]].concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let keys: Vec<String> = r["themes"][0]["keys"]
        .as_array()
        .expect("a theme in the demo's November")
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    let adopt = [
        &args[..],
        &[
            "--adopt",
            "1",
            "--code-id",
            "tema_nuevo",
            "--code-label",
            "Tema nuevo",
        ],
    ]
    .concat();
    let o = run(dir.path(), &adopt);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ws = codifica::workspace::Workspace::open(dir.path()).unwrap();
    let cb = codifica::codebook::load(&ws, "necesidades_debilidades")
        .unwrap()
        .unwrap();
    assert!(
        cb.code("tema_nuevo").is_some(),
        "the code is in the codebook"
    );
    let store = codifica::store::Store::open(&ws).unwrap();
    for k in &keys {
        let a = store.get(k).unwrap().unwrap();
        assert!(a.codes.is_empty(), "never coded silently: {k}");
        let m = a.machine.clone().expect("suggested");
        assert_eq!(m.codes, ["tema_nuevo"]);
        assert!(codifica::model::review::needs_review(&a, ws.config()));
    }
    let again = run(dir.path(), &adopt);
    assert!(!again.status.success(), "the id is taken now");
}

/// A bare HTTP/1.1 exchange: (status, headers and body as one text).
fn http(addr: std::net::SocketAddr, request: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[test]
fn web_temas_page_lists_themes_and_adopting_one_suggests_it_for_review() {
    let dir = helpers::workspace(helpers::demo_answers());
    let ws = codifica::workspace::Workspace::open(dir.path()).unwrap();
    let opts = codifica::web::ServeOptions {
        host: "127.0.0.1".parse().unwrap(),
        port: 0,
        ..Default::default()
    };
    let server = codifica::web::Server::bind(ws, &opts).unwrap();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{}", server.addr().port())
        .parse()
        .unwrap();
    let stop = server.stop_handle();
    let t = std::thread::spawn(move || server.run(false).unwrap());
    // The page uses the default confidence threshold: take the first demo month with a theme.
    let get = |path: &str| {
        http(
            addr,
            &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
        )
    };
    let mut found = None;
    for m in ["2020-07", "2020-08", "2020-09", "2020-10", "2020-11"] {
        let (status, text) = get(&format!("/temas?mes={m}&pregunta=necesidades_debilidades"));
        assert_eq!(status, 200, "{text}");
        assert!(text.contains("Temas emergentes"));
        if text.contains("action=\"/temas/adoptar\"") {
            found = Some((m, text));
            break;
        }
    }
    let (month, text) = found.expect("some demo month has a theme");
    let cookie = text
        .lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie: codifica_sesion=")
        })
        .and_then(|l| l.split_once(": "))
        .and_then(|(_, v)| v.split(';').next())
        .expect("a session cookie")
        .to_string();
    let csrf = text
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let body = format!(
        "csrf={csrf}&mes={month}&pregunta=necesidades_debilidades&tema=1&id=tema_web&nombre=Tema+web"
    );
    let post = |body: &str, cookie: &str| {
        http(
            addr,
            &format!(
                "POST /temas/adoptar HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        )
    };
    let (status, _) = post(&body.replace(&csrf, "falso"), &cookie);
    assert_eq!(status, 403, "a forged form changes nothing");
    let (status, text) = post(&body, &cookie);
    assert_eq!(status, 303, "{text}");
    assert!(text.contains("/codificar?"), "{text}");
    stop.stop();
    t.join().unwrap();
    let ws = codifica::workspace::Workspace::open(dir.path()).unwrap();
    let cb = codifica::codebook::load(&ws, "necesidades_debilidades")
        .unwrap()
        .unwrap();
    assert!(cb.code("tema_web").is_some());
    let store = codifica::store::Store::open(&ws).unwrap();
    let suggested: Vec<_> = store
        .answers(&Default::default())
        .unwrap()
        .into_iter()
        .filter(|a| a.machine.as_ref().is_some_and(|m| m.codes == ["tema_web"]))
        .collect();
    assert!(!suggested.is_empty());
    assert!(
        suggested.iter().all(|a| a.codes.is_empty()),
        "never coded silently"
    );
}
