//! End-to-end tests of `codifica report`: aggregates recomputed from the raw rows, escaping,
//! formula safety, determinism, the map with and without the shared Colombia files, and the
//! headless-Chromium screenshot (synthetic data: fixtures and the built-in demo).

use crate::helpers;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx, open_workbook};
use codifica::answer::Answer;
use codifica::config::Config;
use codifica::month::Month;
use codifica::report::{MapInput, ReportData};

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    }
}

/// Recomputes the main aggregates of `month` straight from the rows, without the trends code.
fn check_aggregates(answers: &[Answer], month: Month) {
    let d = ReportData::build(
        answers,
        &Config::monitoreo360(),
        &helpers::codebooks(),
        month,
        &MapInput::default(),
    );
    let rows: Vec<&Answer> = answers.iter().filter(|a| a.month == month).collect();
    let entities: BTreeSet<&str> = rows.iter().map(|a| a.entity_code.as_str()).collect();
    assert_eq!(d.interviews, entities.len());
    let overall: Vec<&Answer> = rows
        .iter()
        .copied()
        .filter(|a| a.question == "calificacion_general" && a.rating.is_some())
        .collect();
    let ratings: Vec<f64> = overall.iter().filter_map(|a| a.rating).collect();
    assert_eq!(d.overall.rated, ratings.len());
    let mean = ratings.iter().sum::<f64>() / ratings.len() as f64;
    assert!(close(d.overall.mean, Some(mean)));
    let sat = ratings.iter().filter(|r| **r >= 3.5).count();
    assert_eq!(d.overall.satisfied, sat);
    assert_eq!(d.overall.unsatisfied, ratings.len() - sat);
    assert!(close(
        d.overall.pct_satisfied,
        Some(sat as f64 * 100.0 / ratings.len() as f64)
    ));
    assert_eq!(d.overall.bins.iter().sum::<usize>(), ratings.len());
    let fives = ratings.iter().filter(|r| **r >= 4.5).count();
    assert_eq!(d.overall.bins[0], fives);

    // Region table.
    let mut by_region: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut n_region: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for a in &rows {
        n_region
            .entry(a.region.as_str())
            .or_default()
            .insert(&a.entity_code);
    }
    for a in &overall {
        by_region
            .entry(a.region.as_str())
            .or_default()
            .extend(a.rating);
    }
    assert_eq!(d.by_region.len(), n_region.len());
    for g in &d.by_region {
        assert_eq!(g.n, n_region[g.name.as_str()].len(), "{}", g.name);
        let r = &by_region[g.name.as_str()];
        assert!(
            close(g.mean, Some(r.iter().sum::<f64>() / r.len() as f64)),
            "{}",
            g.name
        );
        let s = r.iter().filter(|x| **x >= 3.5).count();
        assert!(
            close(g.pct_satisfied, Some(s as f64 * 100.0 / r.len() as f64)),
            "{}",
            g.name
        );
    }

    // Code frequencies of the report month (last column).
    for f in &d.code_frequencies {
        assert_eq!(*f.months.last().unwrap(), month);
        let col = f.months.len() - 1;
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        let mut with_text = 0;
        for a in rows
            .iter()
            .filter(|a| a.question == f.question && !a.text.trim().is_empty())
        {
            with_text += 1;
            let codes: BTreeSet<&String> = a.effective_codes().iter().collect();
            for c in codes {
                *counts.entry(c.as_str()).or_default() += 1;
            }
        }
        assert_eq!(f.answers[col], with_text, "{}", f.question);
        for r in &f.rows {
            assert_eq!(
                r.counts[col],
                counts.get(r.code.as_str()).copied().unwrap_or(0),
                "{} {}",
                f.question,
                r.code
            );
        }
    }
    // Demand ranking: entities naming each topic.
    let mut demand: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for a in rows.iter().filter(|a| a.question == "demanda_temas") {
        for c in a.effective_codes() {
            demand.entry(c.as_str()).or_default().insert(&a.entity_code);
        }
    }
    assert_eq!(d.demand.len(), demand.len());
    for r in &d.demand {
        assert_eq!(r.count, demand[r.code.as_str()].len());
    }
    assert!(d.demand.windows(2).all(|w| w[0].count >= w[1].count));
}

#[test]
fn aggregates_equal_raw_recomputation_on_demo_data() {
    let answers = helpers::demo_answers();
    for m in ["2020-07", "2020-10", "2020-11"] {
        check_aggregates(&answers, Month::parse(m).unwrap());
    }
}

#[test]
fn aggregates_hand_computed_on_fixture() {
    let answers = helpers::load("cases.csv");
    let m = Month::parse("2020-10").unwrap();
    check_aggregates(&answers, m);
    let d = ReportData::build(
        &answers,
        &Config::monitoreo360(),
        &helpers::codebooks(),
        m,
        &MapInput::default(),
    );
    // Ratings 3.0 3.5 2.5 4.0 3.5 4.0 4.0 4.5 2.5: mean 31.5/9 = 3.5, 6 satisfied,
    // 3 of 9 not = 33 of each 100.
    assert_eq!(d.interviews, 9);
    assert_eq!(d.overall.mean, Some(3.5));
    assert_eq!(d.overall.satisfied, 6);
    assert_eq!(d.overall.unsatisfied_per_100, Some(33));
    // excelente 4.5 | buena 3.5 4.0 3.5 4.0 4.0 | regular 3.0 2.5 2.5 | mala | muy mala
    assert_eq!(d.overall.bins, [1, 5, 3, 0, 0]);
    assert_eq!(d.previous_month, Some(Month::parse("2020-09").unwrap()));
    // 10005 moved Caribe → Pacífico: grouped under Pacífico, and reported.
    let pac = d.by_region.iter().find(|g| g.name == "Pacífico").unwrap();
    assert_eq!(pac.n, 4);
    assert_eq!(d.region_changes.len(), 1);
    assert_eq!(d.demand[0].code, "plan_indicativo");
    assert_eq!(d.demand[0].count, 2);
}

/// The map's SVG inside the report, if drawn.
fn map_svg(html: &str) -> Option<&str> {
    let start = html.find("aria-label=\"Mapa de Colombia")?;
    let len = html[start..].find("</svg>")?;
    Some(&html[start..start + len])
}

fn report(ws: &Path, month: &str, out: &Path, extra: &[&std::ffi::OsStr]) -> std::process::Output {
    let mut cmd = Command::cargo_bin("codifica").unwrap();
    cmd.arg("-w")
        .arg(ws)
        .args(["report", "--month", month, "--out"])
        .arg(out)
        .args(extra);
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd.output().unwrap()
}

#[test]
fn html_escapes_and_xlsx_is_formula_safe_and_deterministic() {
    let mut answers = helpers::load("cases.csv");
    answers.extend(helpers::load("hostile.csv"));
    let dir = helpers::workspace(answers);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let o = report(dir.path(), "2020-10", out, &[]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let html = std::fs::read_to_string(a.join("reporte-2020-10.html")).unwrap();
    assert!(!html.contains("<script"), "no script element may appear");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the answer shows as text"
    );
    assert!(html.contains("&lt;b&gt;Depto&lt;/b&gt;"));
    // No --boundaries/--gazetteer: the built-in map; the fixture's invented codes are not in
    // the gazetteer, and the report says which.
    assert!(html.contains("Mapa de Colombia"));
    assert!(html.contains("Entidades priorizadas sin ubicación en el nomenclátor: 10002"));
    // 10 rated: 3.0, 2.5, 2.5 and 2.0 below 3.5 → 40 of each 100.
    assert!(html.contains("<strong>40 de cada 100</strong>"));
    for needle in [
        "src=", "href=", "<link", "url(", "@import", "<iframe", "<object",
    ] {
        assert!(
            !html.contains(needle),
            "nothing loaded from elsewhere: found {needle}"
        );
    }
    for f in [
        "reporte-2020-10.html",
        "reporte-2020-10.xlsx",
        "priorizadas-2020-10.geojson",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs between runs"
        );
    }

    let mut wb: Xlsx<_> = open_workbook(a.join("reporte-2020-10.xlsx")).unwrap();
    let names = wb.sheet_names();
    assert!(names.iter().any(|n| n == "Priorizadas"), "{names:?}");
    for name in &names {
        let formulas = wb.worksheet_formula(name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "formula in sheet {name}"
        );
    }
    let range = wb.worksheet_range("Priorizadas").unwrap();
    let texts: Vec<String> = range
        .used_cells()
        .filter_map(|(_, _, c)| match c {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert!(
        texts.iter().any(|t| t == "'=CMD|' /C calc'!A0"),
        "{texts:?}"
    );
    assert!(texts.iter().all(|t| !t.starts_with('=')));
    // The quotes cell starts with the hostile answer: neutralised by a leading apostrophe.
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("'=HYPERLINK(\"http://example.invalid\"")),
        "{texts:?}"
    );

    // GeoJSON: every flagged entity kept; the invented codes (not in the gazetteer) have a
    // null geometry, 20001 is a real DIVIPOLA code (Valledupar) and is placed.
    let geo: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(a.join("priorizadas-2020-10.geojson")).unwrap(),
    )
    .unwrap();
    let feats = geo["features"].as_array().unwrap();
    assert_eq!(feats.len(), 7);
    assert!(
        feats
            .iter()
            .all(|f| f["geometry"].is_null() == (f["properties"]["code"] != "20001"))
    );
    assert_eq!(feats[0]["properties"]["code"], "10002");
    assert!(feats.iter().any(|f| f["properties"]["code"] == "20001"));
}

#[test]
fn month_without_data_is_an_error_unless_allowed() {
    let dir = helpers::workspace(helpers::load("cases.csv"));
    let out = dir.path().join("r");
    let o = report(dir.path(), "2020-12", &out, &[]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no interviews in 2020-12"), "{err}");
    assert!(!out.exists(), "nothing written");
    let o = report(dir.path(), "2020-12", &out, &["--allow-empty".as_ref()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("reporte-2020-12.html")).unwrap();
    assert!(html.contains("No hay entrevistas registradas en diciembre de 2020"));
}

#[test]
fn map_with_shared_boundaries_and_gazetteer() {
    let (Some(bounds), Some(gaz)) = (
        helpers::shared("data/colombia/mgn2018_departamentos_simplificado.geojson"),
        helpers::shared("data/colombia/municipios.csv"),
    ) else {
        return;
    };
    let dir = helpers::workspace(helpers::demo_answers());
    let out = dir.path().join("r");
    let o = report(
        dir.path(),
        "2020-11",
        &out,
        &[
            "--boundaries".as_ref(),
            bounds.as_os_str(),
            "--gazetteer".as_ref(),
            gaz.as_os_str(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("reporte-2020-11.html")).unwrap();
    assert!(html.contains("Mapa de Colombia con las entidades priorizadas"));
    let map = map_svg(&html).expect("map drawn");
    assert_eq!(
        map.matches("<path d=\"M").count(),
        33,
        "33 departments drawn"
    );
    let geo: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("priorizadas-2020-11.geojson")).unwrap(),
    )
    .unwrap();
    let feats = geo["features"].as_array().unwrap();
    assert!(!feats.is_empty());
    let points = feats
        .iter()
        .filter(|f| f["geometry"]["type"] == "Point")
        .count();
    assert_eq!(
        points,
        feats.len(),
        "every demo entity has a DIVIPOLA code in the gazetteer"
    );
    // One circle per flagged entity, plus the legend's.
    assert_eq!(map.matches("<circle").count(), feats.len() + 1);
    // Points fall inside Colombia's bounding box.
    for f in feats {
        let c = &f["geometry"]["coordinates"];
        let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        assert!(
            (-82.0..-66.0).contains(&lon) && (-4.5..13.6).contains(&lat),
            "{lon},{lat}"
        );
    }
    // The demo's worsening entities are among the flagged.
    let demo = codifica::demo::DemoData::generate(codifica::demo::DEFAULT_SEED);
    let flagged: BTreeSet<&str> = feats
        .iter()
        .filter_map(|f| f["properties"]["code"].as_str())
        .collect();
    let worsening_in_nov: Vec<String> = demo
        .worsening_entities()
        .into_iter()
        .filter(|c| {
            demo.rows
                .iter()
                .any(|r| &r.entity_code == c && r.month == "2020-11")
        })
        .collect();
    for c in &worsening_in_nov {
        assert!(
            flagged.contains(c.as_str()),
            "worsening entity {c} not flagged"
        );
    }
}

#[test]
fn screenshot_in_headless_chromium() {
    if !Path::new("/usr/bin/chromium").exists() {
        tool_missing!("chromium not installed (/usr/bin/chromium)");
        return;
    }
    let dir = helpers::workspace(helpers::load("cases.csv"));
    let out = dir.path().join("r");
    let o = report(dir.path(), "2020-10", &out, &[]);
    assert!(o.status.success());
    let png = dir.path().join("shot.png");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/screenshot_report.sh");
    let s = std::process::Command::new("bash")
        .arg(&script)
        .arg(out.join("reporte-2020-10.html"))
        .arg(&png)
        .output()
        .unwrap();
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    assert!(
        bytes.len() > 20_000,
        "suspiciously small screenshot: {} bytes",
        bytes.len()
    );
}

#[test]
fn bad_boundaries_file_is_an_error_and_nothing_is_written() {
    let dir = helpers::workspace(helpers::load("cases.csv"));
    let bad = dir.path().join("limites.geojson");
    std::fs::write(&bad, "{\"type\": \"FeatureCollection\", \"features\": [").unwrap();
    let out = dir.path().join("r");
    let o = report(
        dir.path(),
        "2020-10",
        &out,
        &["--boundaries".as_ref(), bad.as_os_str()],
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("limites.geojson") && err.contains("not valid JSON"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written on error");
}

/// The map needs no file: the boundaries and gazetteer built into the binary draw Colombia's
/// 33 departments and every flagged demo entity, from any folder, with a legend.
#[test]
fn builtin_map_draws_every_flagged_demo_entity() {
    let dir = helpers::workspace(helpers::demo_answers());
    let out = dir.path().join("r");
    let mut cmd = Command::cargo_bin("codifica").unwrap();
    cmd.current_dir(dir.path())
        .arg("-w")
        .arg(dir.path())
        .args(["report", "--month", "2020-11", "--out"])
        .arg(&out);
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("reporte-2020-11.html")).unwrap();
    let map = map_svg(&html).expect("map drawn");
    assert_eq!(map.matches("<path d=\"M").count(), 33);
    let geo: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("priorizadas-2020-11.geojson")).unwrap(),
    )
    .unwrap();
    let feats = geo["features"].as_array().unwrap();
    assert!(!feats.is_empty());
    assert!(feats.iter().all(|f| f["geometry"]["type"] == "Point"));
    // One circle per flagged entity, plus the legend's.
    assert_eq!(map.matches("<circle").count(), feats.len() + 1);
    assert!(map.contains("Entidad priorizada (el número es su orden de severidad)"));
    assert!(
        !html.contains("no se indicó"),
        "no note about missing files"
    );
}

/// The overall distribution lists every rating given (half points), so its weighted average is
/// the printed average — in the HTML and the XLSX; bins are labelled by the ratings they hold;
/// percentages are percent-formatted fractions; reason kinds and sheet names are Spanish.
#[test]
fn rating_table_adds_up_and_the_workbook_is_spanish() {
    let dir = helpers::workspace(helpers::demo_answers());
    let out = dir.path().join("r");
    let o = report(dir.path(), "2020-11", &out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("reporte-2020-11.html")).unwrap();
    assert!(html.contains("Excelente (4,5–5)") && html.contains("Buena (3,5–4)"));
    let section = &html[html.find("id=\"distribucion\"").unwrap()..];
    let section = &section[..section.find("</table>").unwrap()];
    let num = |s: &str| s.replace(',', ".").parse::<f64>().unwrap();
    let (mut sum, mut n) = (0.0, 0.0);
    for row in section.split("<tr><td>").skip(1) {
        let cells: Vec<&str> = row
            .split("</td>")
            .map(|c| c.rsplit('>').next().unwrap())
            .collect();
        sum += num(cells[0]) * num(cells[1]);
        n += num(cells[1]);
    }
    let printed = section.split("Promedio: ").nth(1).unwrap();
    let printed = num(&printed[..printed.find('<').unwrap()]);
    assert!(n > 0.0);
    assert!(
        ((sum / n) - printed).abs() < 0.005,
        "{} vs {printed}",
        sum / n
    );

    let mut wb: Xlsx<_> = open_workbook(out.join("reporte-2020-11.xlsx")).unwrap();
    let names = wb.sheet_names();
    assert!(
        names.iter().any(|n| n == "Articulación de instrumentos"),
        "{names:?}"
    );
    assert!(names.iter().all(|n| !n.starts_with("Cat ")), "{names:?}");
    let dist = wb.worksheet_range("Calificación general").unwrap();
    let (mut sum, mut n, mut share) = (0.0, 0.0, 0.0);
    for row in dist.rows().skip(1) {
        let (Data::Float(v), Data::Float(c), Data::Float(p)) = (&row[0], &row[1], &row[2]) else {
            panic!("{row:?}");
        };
        (sum, n, share) = (sum + v * c, n + c, share + p);
    }
    assert!(((sum / n) - printed).abs() < 0.005);
    assert!(
        (share - 1.0).abs() < 0.01,
        "percentages are fractions: {share}"
    );
    let flagged = wb.worksheet_range("Priorizadas").unwrap();
    let criteria: Vec<String> = flagged.rows().skip(1).map(|r| r[7].to_string()).collect();
    assert!(
        criteria.contains(&"Bajo el umbral".to_string()),
        "{criteria:?}"
    );
    for id in [
        "below_threshold",
        "overall_drop",
        "topic_drop",
        "negative_code",
    ] {
        assert!(!criteria.iter().any(|c| c == id), "{id}");
        assert!(!html.contains(id), "{id} in the HTML");
    }
}

#[test]
fn source_date_epoch_sets_the_footer_date() {
    let dir = helpers::workspace(helpers::load("cases.csv"));
    let out = dir.path().join("r");
    let o = Command::cargo_bin("codifica")
        .unwrap()
        .arg("-w")
        .arg(dir.path())
        .args(["report", "--month", "2020-10", "--out"])
        .arg(&out)
        .env("SOURCE_DATE_EPOCH", "1606780800")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("reporte-2020-10.html")).unwrap();
    assert!(html.contains("Generado con codifica el 2020-12-01"));
    let bad = Command::cargo_bin("codifica")
        .unwrap()
        .arg("-w")
        .arg(dir.path())
        .args(["report", "--month", "2020-10", "--out"])
        .arg(dir.path().join("r2"))
        .env("SOURCE_DATE_EPOCH", "ayer")
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("SOURCE_DATE_EPOCH"));
}

/// The report says, per month, how many machine codes were accepted without review and how
/// many are suggestions still waiting for an analyst (`classify --accept-at`).
#[test]
fn code_sources_split_accepted_machine_codes_from_waiting_suggestions() {
    let month = Month::parse("2020-11").unwrap();
    let mut answers = helpers::demo_answers();
    let mut accepted = 0;
    let mut waiting = 0;
    for a in answers
        .iter_mut()
        .filter(|a| a.month == month && a.question == "articulacion_instrumentos")
    {
        if a.text.trim().is_empty() {
            continue;
        }
        // Uncode it and give it a machine code, every third one accepted.
        a.codes.clear();
        let take = (accepted + waiting) % 3 == 0;
        a.machine = Some(codifica::answer::MachineCoding {
            codes: vec!["integralidad".into()],
            accepted: take,
            ..Default::default()
        });
        if take {
            accepted += 1;
        } else {
            waiting += 1;
        }
    }
    assert!(
        accepted > 0 && waiting > 0,
        "the demo month has answers to this question"
    );
    let d = ReportData::build(
        &answers,
        &Config::monitoreo360(),
        &helpers::codebooks(),
        month,
        &MapInput::default(),
    );
    let f = d
        .code_frequencies
        .iter()
        .find(|f| f.question == "articulacion_instrumentos")
        .unwrap();
    let col = f.months.len() - 1;
    assert_eq!(f.machine[col], accepted + waiting);
    assert_eq!(f.accepted[col], accepted);
    assert_eq!(f.human[col], 0);
    let html = codifica::report::html::render(&d, &Default::default());
    let note = format!(
        "{} aceptados automáticamente, {} sugeridos sin revisar",
        accepted, waiting
    );
    assert!(html.contains(&note), "no «{note}» in the report");
}
