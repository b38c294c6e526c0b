//! End-to-end tests of trends and flags on hand-computed synthetic fixtures
//! (tests/fixtures/trends/cases.csv: every number below was worked out by hand from that file).

use crate::helpers;

use assert_cmd::Command;
use codifica::config::Config;
use codifica::month::Month;
use codifica::trends::{FlagKind, build_series, flags_for_month};
use serde_json::Value;

fn m(s: &str) -> Month {
    Month::parse(s).unwrap()
}

fn october() -> codifica::trends::FlagReport {
    let c = Config::monitoreo360();
    let series = build_series(&helpers::load("cases.csv"), &c);
    flags_for_month(&series, &c, &helpers::codebooks(), m("2020-10"))
}

fn kinds(r: &codifica::trends::FlagReport, code: &str) -> Vec<FlagKind> {
    r.flagged
        .iter()
        .find(|f| f.entity_code == code)
        .map(|f| f.reasons.iter().map(|r| r.kind).collect())
        .unwrap_or_default()
}

#[test]
fn october_order_and_severity_are_hand_computed() {
    let r = october();
    assert_eq!(r.interviewed, 9);
    let order: Vec<(&str, f64)> = r
        .flagged
        .iter()
        .map(|f| (f.entity_code.as_str(), f.severity))
        .collect();
    // 10002: below (3 + 0.5) + drop (2 + 1.5) = 7.0
    // 10004 and 10010: below (3 + 1.0) = 4.0 each → tie, broken by code
    // 10006: decline (2 + 1.0) = 3.0; 10008: two negative answers (2 × 0.5) = 1.0
    // 10007: topic drop (0.5 × 1.0) = 0.5
    assert_eq!(
        order,
        [
            ("10002", 7.0),
            ("10004", 4.0),
            ("10010", 4.0),
            ("10006", 3.0),
            ("10008", 1.0),
            ("10007", 0.5)
        ]
    );
}

#[test]
fn gap_compares_with_previous_interview() {
    let r = october();
    let e = r.flagged.iter().find(|f| f.entity_code == "10002").unwrap();
    let drop = e
        .reasons
        .iter()
        .find(|x| x.kind == FlagKind::OverallDrop)
        .unwrap();
    assert_eq!(
        drop.message,
        "La calificación general bajó de 4,5 a 3,0 (−1,5) desde la entrevista de julio de 2020."
    );
    assert_eq!((drop.before, drop.after), (Some(4.5), Some(3.0)));
    // No negative-coded answer: the interview's open answer goes once, under the first reason
    // (below the threshold), not again under the drop.
    assert!(drop.quotes.is_empty());
}

#[test]
fn threshold_tie_region_change_and_improvement_are_not_flagged() {
    let r = october();
    for code in ["10003", "10005", "10009"] {
        assert!(kinds(&r, code).is_empty(), "{code} must not be flagged");
    }
    assert_eq!(r.improved.len(), 1);
    assert_eq!(r.improved[0].entity_code, "10009");
    assert_eq!(r.improved[0].delta, 2.5);
    assert_eq!(r.improved[0].previous_month, m("2020-08"));
}

#[test]
fn missing_rating_breaks_comparison_but_threshold_applies() {
    let r = october();
    assert_eq!(kinds(&r, "10004"), [FlagKind::BelowThreshold]);
    let c = Config::monitoreo360();
    let series = build_series(&helpers::load("cases.csv"), &c);
    let s = series.iter().find(|s| s.entity_code == "10004").unwrap();
    assert_eq!(s.interviews[1].satisfied, None);
    assert_eq!(s.interviews[2].change.as_ref().unwrap().overall, None);
    // September: interviewed, no rating → not flagged.
    let sep = flags_for_month(&series, &c, &helpers::codebooks(), m("2020-09"));
    assert!(sep.flagged.iter().all(|f| f.entity_code != "10004"));
}

#[test]
fn single_interview_can_be_below_threshold() {
    let c = Config::monitoreo360();
    let series = build_series(&helpers::load("cases.csv"), &c);
    let sep = flags_for_month(&series, &c, &helpers::codebooks(), m("2020-09"));
    let e = sep
        .flagged
        .iter()
        .find(|f| f.entity_code == "10001")
        .unwrap();
    assert_eq!(e.reasons.len(), 1);
    assert_eq!(e.reasons[0].kind, FlagKind::BelowThreshold);
    assert_eq!(e.severity, 3.5);
    assert_eq!(
        e.reasons[0].message,
        "La calificación general de septiembre de 2020 es 3,0, por debajo del umbral de satisfacción (3,5)."
    );
}

#[test]
fn three_declining_interviews_and_exact_topic_drop() {
    let r = october();
    assert_eq!(kinds(&r, "10006"), [FlagKind::ConsecutiveDecline]);
    let e = r.flagged.iter().find(|f| f.entity_code == "10006").unwrap();
    assert_eq!(
        e.reasons[0].message,
        "La calificación general bajó en cada una de sus últimas 3 entrevistas: 4,5 (agosto de 2020) → 4,0 (septiembre de 2020) → 3,5 (octubre de 2020)."
    );
    // Topic drop of exactly 1.0 is flagged (≥); 0.9 on plan indicativo is not.
    assert_eq!(kinds(&r, "10007"), [FlagKind::TopicDrop]);
    let t = &r
        .flagged
        .iter()
        .find(|f| f.entity_code == "10007")
        .unwrap()
        .reasons[0];
    assert_eq!(t.question.as_deref(), Some("calif_armonizacion"));
    assert_eq!((t.before, t.after), (Some(4.5), Some(3.5)));
    assert!(
        t.message
            .contains("«Armonización presupuestal» bajó de 4,5 a 3,5 (−1,0)"),
        "{}",
        t.message
    );
}

#[test]
fn negative_codes_human_and_machine_with_quotes() {
    let r = october();
    assert_eq!(kinds(&r, "10008"), [FlagKind::NegativeCode]);
    let n = &r
        .flagged
        .iter()
        .find(|f| f.entity_code == "10008")
        .unwrap()
        .reasons[0];
    assert!(n.message.starts_with("2 respuestas codificadas en categorías negativas (incluye códigos asignados por el modelo)"), "{}", n.message);
    assert!(
        n.message
            .contains("«La asistencia llegó a destiempo» (Necesidades y debilidades)"),
        "{}",
        n.message
    );
    assert!(
        n.message
            .contains("«Se percibe como seguimiento y no como asistencia»"),
        "{}",
        n.message
    );
    assert_eq!(
        n.quotes,
        [
            "Sentimos que es más seguimiento que acompañamiento",
            "La asistencia llegó tarde, cuando ya habíamos aprobado el presupuesto"
        ]
    );
}

#[test]
fn region_change_uses_latest_region() {
    let c = Config::monitoreo360();
    let series = build_series(&helpers::load("cases.csv"), &c);
    let s = series.iter().find(|s| s.entity_code == "10005").unwrap();
    assert_eq!(s.region, "Pacífico");
    assert_eq!(s.regions, ["Caribe", "Pacífico"]);
    assert!(s.region_changed());
}

#[test]
fn cli_flags_json_and_text() {
    let dir = helpers::workspace(helpers::load("cases.csv"));
    let out = Command::cargo_bin("codifica")
        .unwrap()
        .args(["-w"])
        .arg(dir.path())
        .args(["flags", "--month", "2020-10", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let flagged = v["flagged"].as_array().unwrap();
    assert_eq!(flagged.len(), 6);
    let first = &flagged[0];
    assert_eq!(first["entity_code"], "10002");
    assert_eq!(first["entity_name"], "Alcaldía Dos (sintética)");
    assert_eq!(first["region"], "Caribe");
    assert_eq!(first["department"], "Depto A");
    assert_eq!(first["severity"], 7.0);
    let reasons = first["reasons"].as_array().unwrap();
    assert_eq!(reasons[0]["kind"], "below_threshold");
    assert_eq!(reasons[1]["kind"], "overall_drop");
    assert_eq!(reasons[1]["before"], 4.5);
    assert_eq!(reasons[1]["after"], 3.0);
    assert!(reasons[1]["quotes"].is_array());
    assert_eq!(v["improved"][0]["entity_code"], "10009");

    let text = Command::cargo_bin("codifica")
        .unwrap()
        .arg("-w")
        .arg(dir.path())
        .args(["flags", "--month", "2020-10"])
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&text.stdout);
    assert!(
        s.contains("9 entities interviewed, 6 need priority attention"),
        "{s}"
    );
    assert!(s.contains("[Caída en un tema]"), "{s}");
    assert!(!s.contains("topic_drop"), "{s}");
    assert!(s.contains("(severity 7.00)"), "{s}");

    // A month with no data.
    let empty = Command::cargo_bin("codifica")
        .unwrap()
        .arg("-w")
        .arg(dir.path())
        .args(["flags", "--month", "2020-11", "--json"])
        .output()
        .unwrap();
    assert!(empty.status.success());
    let err = String::from_utf8_lossy(&empty.stderr);
    assert!(err.contains("no interviews in 2020-11"), "{err}");
    let v: Value = serde_json::from_slice(&empty.stdout).unwrap();
    assert_eq!(v["interviewed"], 0);
    assert_eq!(v["flagged"].as_array().unwrap().len(), 0);
}

#[test]
fn cli_trends_entity() {
    let dir = helpers::workspace(helpers::load("cases.csv"));
    let out = Command::cargo_bin("codifica")
        .unwrap()
        .arg("-w")
        .arg(dir.path())
        .args(["trends", "--entity", "10005"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("region changed across interviews: Caribe → Pacífico"),
        "{s}"
    );
    let out = Command::cargo_bin("codifica")
        .unwrap()
        .arg("-w")
        .arg(dir.path())
        .args(["trends", "--entity", "10002", "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let iv = &v[0]["interviews"][1];
    assert_eq!(iv["month"], "2020-10");
    assert_eq!(iv["change"]["previous_month"], "2020-07");
    assert_eq!(iv["change"]["overall"]["delta"], -1.5);
    assert_eq!(iv["satisfied"], false);
    let missing = Command::cargo_bin("codifica")
        .unwrap()
        .arg("-w")
        .arg(dir.path())
        .args(["trends", "--entity", "99999"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
}

#[test]
fn cli_sample_is_reproducible_and_includes_flagged() {
    let dir = helpers::workspace(helpers::load("cases.csv"));
    let pop = dir.path().join("poblacion.csv");
    let mut text = String::from("entity_code,entity_name,department,region\n");
    for i in 1..=9 {
        let region = if i <= 3 {
            "Caribe"
        } else if i <= 7 {
            "Pacífico"
        } else {
            "Llano"
        };
        text.push_str(&format!("1000{i},Entidad {i},Depto,{region}\n"));
    }
    for i in 0..21 {
        let region = ["Caribe", "Pacífico", "Llano"][i % 3];
        text.push_str(&format!("3{i:04},Otra {i},Depto,{region}\n"));
    }
    std::fs::write(&pop, text).unwrap();
    // `codifica sample --month 2020-11 --size N --population POP` in the fixture workspace.
    let sample = |size: &str| {
        let mut c = Command::cargo_bin("codifica").unwrap();
        c.arg("-w").arg(dir.path());
        c.args([
            "sample",
            "--month",
            "2020-11",
            "--size",
            size,
            "--population",
        ]);
        c.arg(&pop);
        c
    };
    let run = |seed: &str, out: &str| {
        let o = sample("10")
            .args(["--seed", seed, "--output"])
            .arg(dir.path().join(out))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read_to_string(dir.path().join(out)).unwrap()
    };
    let a = run("5", "a.csv");
    let b = run("5", "b.csv");
    assert_eq!(a, b, "same seed, same sample");
    assert_eq!(a.lines().count(), 11);
    // Flagged in 2020-10 (the latest month before 2020-11): 10002, 10004, 10006, 10007, 10008
    // (and 10010, which is not in this population).
    for code in ["10002", "10004", "10006", "10007", "10008"] {
        assert!(
            a.lines()
                .any(|l| l.starts_with(code) && l.contains("priorizada")),
            "{code} missing:\n{a}"
        );
    }
    // A bad population file is a located error.
    std::fs::write(&pop, "entity_code,entity_name,department,region\n1,a,b,\n").unwrap();
    let o = sample("1").output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("row 2, column 'region'"), "{err}");
}

#[test]
fn one_negative_answer_explains_but_does_not_flag_alone() {
    // Default rule: negative codes flag on their own from 2 answers in one interview up
    // (config.flags.negative_min_answers); a single one only joins a rating reason.
    let c = Config::monitoreo360();
    assert_eq!(c.flags.negative_min_answers, 2);
    let mut answers = helpers::load("cases.csv");
    for a in answers.iter_mut() {
        // 10008 keeps only one of its two negative answers.
        if a.entity_code == "10008" && a.question == "articulacion_instrumentos" {
            a.codes.clear();
            a.machine = None;
        }
        // 10002 (below threshold and a drop) gets one negative answer.
        if a.entity_code == "10002" && a.question == "articulacion_instrumentos" {
            a.codes = vec!["sin_contribucion".into()];
        }
    }
    let series = build_series(&answers, &c);
    let r = flags_for_month(&series, &c, &helpers::codebooks(), m("2020-10"));
    assert!(kinds(&r, "10008").is_empty(), "{:?}", kinds(&r, "10008"));
    let k = kinds(&r, "10002");
    assert!(
        k.contains(&FlagKind::NegativeCode) && k.contains(&FlagKind::BelowThreshold),
        "{k:?}"
    );
}

/// `trends`, `flags` and `report` read the store one entity at a time: that must give exactly
/// the series, flags and report of building them from every answer in memory — on the demo
/// (5 months, dozens of entities, human codes) and on the fixture (machine codes, gaps, region
/// changes, missing ratings), for every month, including months with later data to ignore.
#[test]
fn streaming_the_store_equals_materialising_it() {
    use codifica::report::{MapInput, ReportData};
    use codifica::store::{AnswerFilter, Store};
    use codifica::trends::{MonthFlags, stream_series};

    let everything = AnswerFilter::default();
    let cb = helpers::codebooks();
    for answers in [helpers::demo_answers(), helpers::load("cases.csv")] {
        let dir = helpers::workspace(answers);
        let ws = codifica::workspace::Workspace::open(dir.path()).unwrap();
        let (store, c) = (Store::open(&ws).unwrap(), ws.config());
        let all = store.answers(&everything).unwrap();
        let streamed: Vec<_> = stream_series(&store, &everything, None, c)
            .unwrap()
            .map(|e| e.unwrap().series)
            .collect();
        let built = build_series(&all, c);
        assert!(built.len() > 5, "a multi-entity case");
        assert_eq!(streamed, built);
        let months: std::collections::BTreeSet<Month> = all.iter().map(|a| a.month).collect();
        let mut flagged = 0;
        for &month in &months {
            let mut flags = MonthFlags::new(month);
            for e in stream_series(&store, &everything, Some(month), c).unwrap() {
                let e = e.unwrap();
                assert!(e.answers.iter().all(|a| a.month <= month));
                flags.add(&e.series, c, &cb);
            }
            let upto = build_series(all.iter().filter(|a| a.month <= month), c);
            let expected = flags_for_month(&upto, c, &cb, month);
            flagged += expected.flagged.len();
            assert_eq!(flags.finish(), expected, "flags of {month}");
            let map = MapInput::default();
            assert_eq!(
                ReportData::from_store(&store, c, &cb, month, &map).unwrap(),
                ReportData::build(&all, c, &cb, month, &map),
                "report of {month}"
            );
        }
        assert!(flagged > 0, "some entity is flagged");
    }
}

/// A quote sits under the reason it supports, once: the negative-coded (connectivity) answer of
/// an entity whose rating fell belongs to the negative-answers reason, not to the rating drop;
/// and the report, the web pages (one HTML renderer) and the CLI show it there.
#[test]
fn quotes_sit_under_the_reason_they_support() {
    let c = Config::monitoreo360();
    let mut answers = helpers::load("cases.csv");
    for a in answers.iter_mut() {
        if a.entity_code == "10002" && a.question == "articulacion_instrumentos" {
            a.text = "No tenemos conectividad para las reuniones virtuales".into();
            a.codes = vec!["sin_contribucion".into()];
        }
    }
    let series = build_series(&answers, &c);
    let r = flags_for_month(&series, &c, &helpers::codebooks(), m("2020-10"));
    let e = r.flagged.iter().find(|f| f.entity_code == "10002").unwrap();
    let quote = "No tenemos conectividad para las reuniones virtuales";
    for reason in &e.reasons {
        let expected: &[&str] = if reason.kind == FlagKind::NegativeCode {
            &[quote]
        } else {
            &[]
        };
        assert_eq!(reason.quotes, expected, "{:?}", reason.kind);
    }
    let html = codifica::report::html::reasons_list(&e.reasons);
    let items: Vec<&str> = html.split("<li>").skip(1).collect();
    assert_eq!(items.len(), e.reasons.len());
    for (item, reason) in items.iter().zip(&e.reasons) {
        assert_eq!(
            item.contains("conectividad"),
            reason.kind == FlagKind::NegativeCode,
            "{item}"
        );
        assert!(item.contains(reason.kind.spanish()), "{item}");
    }
    let text: Vec<String> = e.reasons.iter().flat_map(|r| r.text_lines()).collect();
    let at = text.iter().position(|l| l.contains(quote)).unwrap();
    assert!(
        text[at - 1].starts_with("[Respuestas en categorías negativas]"),
        "{text:?}"
    );
}

/// Without negative-coded answers the entity's words go once, under its first reason.
#[test]
fn uncoded_quotes_go_once_under_the_main_reason() {
    let r = october();
    let e = r.flagged.iter().find(|f| f.entity_code == "10002").unwrap();
    assert_eq!(
        e.reasons[0].quotes,
        ["Nos ayudó poco con el plan de acción"]
    );
    assert!(e.reasons[1..].iter().all(|r| r.quotes.is_empty()));
}
