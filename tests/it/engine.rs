//! End-to-end tests of the coding engine (train → evaluate → classify → agreement), driving the
//! binary on the SYNTHETIC fixtures in tests/fixtures/engine/ (see its README), plus one test
//! on the real cabildos data that skips when ../shared is absent.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/engine")
        .join(name)
}

/// The binary, run inside `dir` (an empty folder: no workspace) with a fixed training date.
fn codifica(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("codifica").expect("binary");
    c.current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1790000000")
        .env_remove("CODIFICA_WORKSPACE");
    c
}

fn train_args(model: &Path) -> Vec<String> {
    [
        "train",
        "--examples",
        fixture("coded.csv").to_str().unwrap(),
        "--text-column",
        "text",
        "--code-column",
        "code",
        "--question-column",
        "question",
        "--where",
        "split=train",
        "--model",
        model.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn train_is_reproducible_and_evaluate_reports_sane_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let (m1, m2) = (dir.path().join("a.model"), dir.path().join("b.model"));
    codifica(dir.path())
        .args(train_args(&m1))
        .assert()
        .success()
        .stdout(predicate::str::contains("apoyo").and(predicate::str::contains("mejora")));
    codifica(dir.path())
        .args(train_args(&m2))
        .assert()
        .success();
    let (b1, b2) = (std::fs::read(&m1).unwrap(), std::fs::read(&m2).unwrap());
    assert!(b1.starts_with(b"CODIFMDL"));
    assert_eq!(
        b1, b2,
        "same data and seed must give a byte-identical model file"
    );

    // Held-out evaluation with the trained model, as JSON.
    let out = codifica(dir.path())
        .args([
            "evaluate",
            "--examples",
            fixture("coded.csv").to_str().unwrap(),
            "--question-column",
            "question",
            "--where",
            "split=test",
            "--model",
            m1.to_str().unwrap(),
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    for q in arr {
        let r = &q["report"];
        for k in ["accuracy", "macro_f1", "micro_f1", "weighted_f1", "kappa"] {
            let x = r[k]
                .as_f64()
                .unwrap_or_else(|| panic!("{k} missing in {r}"));
            assert!((-1.0..=1.0).contains(&x), "{k} = {x}");
        }
        assert!(r["accuracy"].as_f64().unwrap() >= 0.75, "{r}");
        assert!(
            r["per_code"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["support"].as_u64().is_some())
        );
        assert!(r["confusion"].is_array());
    }

    // k-fold CV without a model, human-readable.
    codifica(dir.path())
        .args([
            "evaluate",
            "--examples",
            fixture("coded.csv").to_str().unwrap(),
            "--question-column",
            "question",
            "--folds",
            "3",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("macro-F1").and(predicate::str::contains("precision")));
}

/// `--cv-max-rows` caps the cross-validation (apoyo has 33 training rows, mejora 20) and the
/// summary says so; the model still counts every training row.
#[test]
fn train_cross_validates_on_a_sample_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("s.model");
    let mut args = train_args(&m);
    args.extend([
        "--cv-max-rows".to_string(),
        "24".to_string(),
        "--json".to_string(),
    ]);
    let out = codifica(dir.path()).args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let models = v["models"].as_array().unwrap();
    let by_q = |q: &str| models.iter().find(|m| m["question"] == q).unwrap().clone();
    let apoyo = by_q("apoyo");
    let rows = apoyo["rows"].as_u64().unwrap();
    assert!(rows > 24, "{apoyo}");
    let per_code: u64 = apoyo["rows_per_code"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].as_u64().unwrap())
        .sum();
    assert_eq!(per_code, rows, "the final model counts every row");
    let cv_rows = apoyo["cv"]["rows"].as_u64().unwrap();
    assert!((20..rows).contains(&cv_rows), "{apoyo}");
    let mejora = by_q("mejora");
    assert!(mejora["rows"].as_u64().unwrap() <= 24);
    assert_eq!(
        mejora["cv"]["rows"], mejora["rows"],
        "under the cap: all rows"
    );
    let mut args = train_args(&m);
    args.extend(["--cv-max-rows".to_string(), "24".to_string()]);
    codifica(dir.path())
        .args(&args)
        .assert()
        .success()
        .stdout(predicate::str::contains("5-fold stratified on a sample of"));
}

#[test]
fn classify_writes_csv_jsonl_xlsx_and_flags_non_answers() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.model");
    codifica(dir.path())
        .args(train_args(&model))
        .assert()
        .success();
    let input = dir.path().join("new.csv");
    std::fs::write(
        &input,
        "id,question,text\nx1,apoyo,la plataforma se cae todo el tiempo\nx2,mejora,las guías no son claras\nx3,apoyo,sin respuesta\n",
    )
    .unwrap();
    for ext in ["csv", "jsonl", "xlsx"] {
        let out = dir.path().join(format!("out.{ext}"));
        codifica(dir.path())
            .args([
                "classify",
                "--model",
                model.to_str().unwrap(),
                "--input",
                input.to_str().unwrap(),
            ])
            .args([
                "--question-column",
                "question",
                "--id-column",
                "id",
                "--output",
                out.to_str().unwrap(),
            ])
            .assert()
            .success();
        assert!(std::fs::metadata(&out).unwrap().len() > 0, "{ext}");
    }
    let mut r = csv::Reader::from_path(dir.path().join("out.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    for col in [
        "id",
        "question",
        "code",
        "confidence",
        "margin",
        "top_terms",
        "status",
    ] {
        assert!(h.iter().any(|x| x == col), "missing {col} in {h:?}");
    }
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(&rows[0][2], "plataforma");
    assert_eq!(&rows[1][2], "claridad");
    let conf: f64 = rows[0][3].parse().unwrap();
    assert!((0.0..=1.0).contains(&conf));
    assert_eq!(&rows[2][6], "non_answer");
    assert_eq!(&rows[2][2], "");
    let jsonl = std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first["code"], "plataforma");
}

#[test]
fn bad_models_and_inputs_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.model");
    codifica(dir.path())
        .args(train_args(&model))
        .assert()
        .success();
    let input = dir.path().join("new.csv");
    std::fs::write(
        &input,
        "id,question,text\n1,apoyo,la plataforma\n2,otra,algo\n",
    )
    .unwrap();
    let out = dir.path().join("o.csv");
    let classify = |m: &Path| {
        let mut c = codifica(dir.path());
        c.args([
            "classify",
            "--model",
            m.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
        ])
        .args(["--output", out.to_str().unwrap()]);
        c
    };
    // A question without a model.
    classify(&model)
        .arg("--question-column")
        .arg("question")
        .assert()
        .failure()
        .stderr(predicate::str::contains("otra").and(predicate::str::contains("no model")));
    assert!(!out.exists(), "nothing written on error");
    // Corrupt file.
    let mut bytes = std::fs::read(&model).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0x55;
    let bad = dir.path().join("bad.model");
    std::fs::write(&bad, &bytes).unwrap();
    classify(&bad)
        .assert()
        .failure()
        .stderr(predicate::str::contains("corrupt"));
    // Another format version.
    let mut v2 = std::fs::read(&model).unwrap();
    v2[8] = 99;
    std::fs::write(&bad, &v2).unwrap();
    classify(&bad)
        .assert()
        .failure()
        .stderr(predicate::str::contains("format version 99"));
    // Not a model at all.
    std::fs::write(&bad, b"id,text\n").unwrap();
    classify(&bad)
        .assert()
        .failure()
        .stderr(predicate::str::contains("not a codifica model"));
    // Missing column.
    codifica(dir.path())
        .args([
            "train",
            "--examples",
            fixture("coded.csv").to_str().unwrap(),
        ])
        .args([
            "--code-column",
            "etiqueta",
            "--model",
            model.to_str().unwrap(),
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("etiqueta"));
    // Empty training set (only non-answers after the filter).
    codifica(dir.path())
        .args([
            "train",
            "--examples",
            fixture("coded.csv").to_str().unwrap(),
        ])
        .args([
            "--where",
            "text=sin respuesta",
            "--model",
            dir.path().join("e.model").to_str().unwrap(),
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("empty training set"));
}

#[test]
fn model_from_other_analyzer_settings_is_refused() {
    use codifica::analyze::{Analyzer, AnalyzerSettings};
    use codifica::model::{Example, ModelSet, QuestionModel, ValidTrainParams};
    let dir = tempfile::tempdir().unwrap();
    let other = AnalyzerSettings {
        stem: false,
        ..Default::default()
    };
    let mut a = Analyzer::new(&other);
    let ex: Vec<Example> = (0..10)
        .map(|i| Example {
            text: format!(
                "texto {} número {i}",
                if i % 2 == 0 { "agua" } else { "vías" }
            ),
            codes: vec![if i % 2 == 0 { "agua" } else { "vias" }.into()],
            group: None,
        })
        .collect();
    let m = QuestionModel::train("", &mut a, &ex, &ValidTrainParams::default()).unwrap();
    let path = dir.path().join("other.model");
    ModelSet::new(&other, vec![m]).save(&path).unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "text\nagua potable\n").unwrap();
    codifica(dir.path())
        .args([
            "classify",
            "--model",
            path.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
        ])
        .args(["--output", dir.path().join("o.csv").to_str().unwrap()])
        .assert()
        .failure()
        .stderr(predicate::str::contains("analyzer").and(predicate::str::contains("retrain")));
}

#[test]
fn multi_label_train_and_classify() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("ml.model");
    codifica(dir.path())
        .args([
            "train",
            "--examples",
            fixture("multi.csv").to_str().unwrap(),
        ])
        .args([
            "--code-column",
            "codes",
            "--multi-label",
            "--model",
            model.to_str().unwrap(),
        ])
        .assert()
        .success();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "text\nnos capacitaron en el plan indicativo y la plataforma KPT se cae con frecuencia\n",
    )
    .unwrap();
    let out = dir.path().join("o.csv");
    codifica(dir.path())
        .args([
            "classify",
            "--model",
            model.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
        ])
        .args(["--output", out.to_str().unwrap()])
        .assert()
        .success();
    let mut r = csv::Reader::from_path(&out).unwrap();
    let row = r.records().next().unwrap().unwrap();
    let mut codes: Vec<&str> = row[2].split(';').collect();
    codes.sort_unstable();
    assert_eq!(codes, ["capacitacion", "plataforma"], "{row:?}");
}

#[test]
fn agreement_matches_hand_computation() {
    let dir = tempfile::tempdir().unwrap();
    let out = codifica(dir.path())
        .args(["agreement", fixture("agreement.csv").to_str().unwrap()])
        .args(["--coder-a", "coder_a", "--coder-b", "coder_b", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Hand computation in tests/fixtures/engine/README.md.
    let o = &v["overall"];
    assert_eq!(o["units"], 4);
    assert_eq!(v["skipped"], 1);
    assert!((o["percent"].as_f64().unwrap() - 0.75).abs() < 1e-9);
    assert!((o["kappa"].as_f64().unwrap() - 0.5).abs() < 1e-9);
    assert!((o["alpha"].as_f64().unwrap() - (1.0 - 14.0 / 30.0)).abs() < 1e-9);
    codifica(dir.path())
        .args(["agreement", fixture("agreement.csv").to_str().unwrap()])
        .args(["--coder-a", "coder_a", "--coder-b", "nadie"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("nadie"));
}

/// The real cabildos answers from ../shared, or `None` (skip printed) when they are absent.
fn cabildos() -> Option<csv::Reader<std::fs::File>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/cabildos-2016/cabildos_provincial.csv");
    if !path.exists() {
        skipped!("{} not found (shared data absent)", path.display());
        return None;
    }
    Some(csv::Reader::from_path(&path).unwrap())
}

#[test]
fn cabildos_theme_beats_majority_baseline() {
    use codifica::analyze::Analyzer;
    use codifica::model::classifier::evaluate_holdout;
    use codifica::model::{Example, QuestionModel, TrainSettings};
    let Some(mut r) = cabildos() else {
        return;
    };
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (ct, cl, cth, cp, cs) = (
        col("text"),
        col("label"),
        col("theme"),
        col("text_is_placeholder"),
        col("suggested_split"),
    );
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for rec in r.records() {
        let rec = rec.unwrap();
        if &rec[cth] != "deberes_responsabilidades" || &rec[cp] != "0" {
            continue;
        }
        let e = Example {
            text: rec[ct].to_string(),
            codes: vec![rec[cl].to_string()],
            group: None,
        };
        if &rec[cs] == "test" {
            test.push(e)
        } else {
            train.push(e)
        }
    }
    let mut a = Analyzer::default();
    let settings = TrainSettings {
        cv_folds: 0,
        ..Default::default()
    }
    .check()
    .unwrap();
    let m = QuestionModel::train("deberes", &mut a, &train, &settings).unwrap();
    let report = evaluate_holdout(&m, &mut a, &test).unwrap();
    // Majority baseline: always the most frequent training code.
    let top = m
        .meta
        .rows_per_code
        .iter()
        .max_by_key(|(_, n)| *n)
        .map(|(c, _)| c.clone())
        .unwrap();
    let base_acc = test.iter().filter(|e| e.codes[0] == top).count() as f64 / test.len() as f64;
    let base_macro = 2.0 * base_acc / (1.0 + base_acc) / m.codes.len() as f64;
    assert!(
        report.macro_f1 > 2.0 * base_macro,
        "{} vs {base_macro}",
        report.macro_f1
    );
    assert!(
        report.accuracy > base_acc,
        "{} vs {base_acc}",
        report.accuracy
    );
}

#[test]
fn workspace_review_export_round_trips_through_import() {
    // The demo builds a workspace of SYNTHETIC interviews and runs train / classify --month.
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    codifica(dir.path())
        .args(["demo", "--dir", ws.to_str().unwrap()])
        .assert()
        .success();
    let ws_s = ws.to_str().unwrap();
    assert!(ws.join("models/demanda_temas.model").exists());
    let queue = dir.path().join("queue.csv");
    codifica(dir.path())
        .args(["-w", ws_s, "review", "--month", "2020-11", "--limit", "4"])
        .args(["--output", queue.to_str().unwrap()])
        .assert()
        .success();
    let mut r = csv::Reader::from_path(&queue).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        h,
        [
            "entity_code",
            "entity_name",
            "department",
            "region",
            "month",
            "question",
            "answer_id",
            "answer",
            "rating",
            "codes",
            "suggested_code",
            "confidence",
            "margin",
            "top_terms"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 4);
    // Least sure first: the model's confidence (the probability its code is right) ranks
    // the queue.
    let conf: Vec<f64> = rows.iter().map(|r| r[11].parse().unwrap()).collect();
    assert!(
        conf.windows(2).all(|w| w[0] <= w[1]),
        "lowest confidence first: {conf:?}"
    );
    assert!(rows.iter().all(|r| r[9].is_empty() && !r[10].is_empty()));
    // The analyst accepts the suggestions into `codes` and imports the file back.
    let mut w = csv::Writer::from_path(dir.path().join("coded.csv")).unwrap();
    w.write_record(&h).unwrap();
    for row in &rows {
        let mut v: Vec<String> = row.iter().map(String::from).collect();
        v[9] = v[10].clone();
        w.write_record(&v).unwrap();
    }
    w.flush().unwrap();
    codifica(dir.path())
        .args([
            "-w",
            ws_s,
            "import",
            dir.path().join("coded.csv").to_str().unwrap(),
        ])
        .assert()
        .success();
    // Now human-coded: they leave the queue.
    let out = codifica(dir.path())
        .args(["-w", ws_s, "review", "--month", "2020-11", "--limit", "4"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for row in &rows {
        // Entity, question and the start of the answer: other entities give near-identical
        // answers, which may rightly stay in the queue.
        let answer: String = row[7].chars().take(40).collect();
        let line = format!("{} / {}: {answer}", &row[1], &row[5]);
        assert!(!text.contains(&line), "{line:?} still queued:\n{text}");
    }
}

/// Issue 11: on the real cabildos answers, a word searched with or without its accents finds
/// the same answers, and (recall ≥ 0.99) every answer that holds the word in either spelling.
#[test]
fn cabildos_search_finds_both_spellings_of_accented_words() {
    use codifica::answer::Answer;
    use codifica::month::Month;
    use codifica::search::{SearchRequest, search};
    use codifica::store::Store;
    use codifica::workspace::Workspace;
    use std::collections::BTreeSet;
    let Some(mut r) = cabildos() else {
        return;
    };
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (cid, ct) = (col("id"), col("text"));
    let month = Month::parse("2016-06").unwrap();
    let answers: Vec<Answer> = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            Answer {
                entity_code: rec[cid].to_string(),
                entity_name: "Cabildo".into(),
                department: "-".into(),
                region: "-".into(),
                entity_kind: None,
                month,
                question: "q".into(),
                answer_id: None,
                text: rec[ct].to_string(),
                rating: None,
                codes: vec![],
                machine: None,
                interview_date: None,
                respondent_role: None,
                attributes: Default::default(),
            }
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(
        dir.path(),
        codifica::config::Config::monitoreo360_text(),
        false,
    )
    .unwrap();
    let store = Store::open(&ws).unwrap();
    store.upsert(answers.iter().cloned(), |_| {}).unwrap();
    let fold = |w: &str| -> String {
        w.chars()
            .map(|c| match c {
                'á' => 'a',
                'é' => 'e',
                'í' => 'i',
                'ó' => 'o',
                'ú' => 'u',
                c => c,
            })
            .collect()
    };
    // Whole words, lowercase, accents folded: the answers that hold `word` in either spelling.
    let holders = |word: &str| -> BTreeSet<String> {
        let target = fold(word);
        answers
            .iter()
            .filter(|a| {
                a.text
                    .to_lowercase()
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| fold(w) == target)
            })
            .map(|a| a.key())
            .collect()
    };
    let hits = |q: &str| -> BTreeSet<String> {
        let mut req = SearchRequest::new(q);
        req.limit = 10_000;
        let res = search(&store, &ws.config().analyzer, &req).unwrap();
        assert!(res.total <= req.limit, "{q}: raise the limit");
        res.hits.into_iter().map(|h| h.id).collect()
    };
    let words = [
        "alcaldía",
        "secretaría",
        "ciudadanía",
        "economía",
        "categoría",
        "autonomía",
        "soberanía",
        "garantía",
        "mayoría",
        "policía",
        "energía",
        "tecnología",
        "participación",
        "educación",
        "información",
        "decisión",
        "país",
        "más",
        "salud",
        "democracia",
    ];
    let mut checked = 0;
    for word in words {
        let want = holders(word);
        if want.is_empty() {
            continue;
        }
        checked += 1;
        let (with, without) = (hits(word), hits(&fold(word)));
        assert_eq!(
            with, without,
            "{word}: the two spellings find different answers"
        );
        let found = want.intersection(&with).count() as f64 / want.len() as f64;
        assert!(
            found >= 0.99,
            "{word}: recall {found:.3} over {} answers holding either spelling",
            want.len()
        );
    }
    assert!(checked >= 15, "only {checked} words occur in the data");
}

/// A workspace whose index an older analyzer built: two answers (one coded by an analyzer, by
/// the model and with attributes) and a record that names an older analyzer version.
fn stale_workspace(dir: &Path) -> codifica::answer::Answer {
    use codifica::answer::{Answer, MachineCoding};
    use codifica::month::Month;
    use codifica::store::Store;
    use codifica::workspace::Workspace;
    let ws = Workspace::init(dir, codifica::config::Config::monitoreo360_text(), false).unwrap();
    let mut a = Answer {
        entity_code: "19318".into(),
        entity_name: "Alcaldía de Guapi (sintética)".into(),
        department: "Cauca".into(),
        region: "Pacífico".into(),
        entity_kind: Some("alcaldía".into()),
        month: Month::parse("2020-11").unwrap(),
        question: "necesidades_debilidades".into(),
        answer_id: None,
        text: "La secretaría de la alcaldía no tiene conectividad".into(),
        rating: Some(3.5),
        codes: vec!["conectividad".into()],
        machine: Some(MachineCoding {
            codes: vec!["conectividad".into()],
            confidence: 0.9,
            margin: 0.5,
            top_terms: vec!["conect".into()],
            model: "m".into(),
            ..Default::default()
        }),
        interview_date: Some("2020-11-03".into()),
        respondent_role: Some("Secretario de Planeación".into()),
        attributes: Default::default(),
    };
    a.attributes.insert("encuestador".into(), "E7".into());
    let mut b = a.clone();
    b.entity_code = "52835".into();
    b.text = "Sin problemas".into();
    b.codes.clear();
    b.machine = None;
    Store::open(&ws)
        .unwrap()
        .upsert([a.clone(), b], |_| {})
        .unwrap();
    let record = ws.index_dir().join("codifica-analyzer.json");
    let text = std::fs::read_to_string(&record).unwrap();
    let now = ws.config().analyzer.fingerprint();
    std::fs::write(&record, text.replace(&now, "es1-00000000")).unwrap();
    a
}

fn stored(dir: &Path, key: &str) -> codifica::answer::Answer {
    let ws = codifica::workspace::Workspace::open(dir).unwrap();
    let store = codifica::store::Store::open(&ws).unwrap();
    store.get(key).unwrap().unwrap()
}

#[test]
fn an_index_of_an_older_analyzer_is_rebuilt_on_first_use_and_announced() {
    let dir = tempfile::tempdir().unwrap();
    let a = stale_workspace(dir.path());
    // Typed without accents, the query finds the accented answer once the index is rebuilt.
    codifica(dir.path())
        .args(["-w", ".", "search", "alcaldia secretarias", "--json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("rebuilding"))
        .stdout(predicate::str::contains("19318"));
    codifica(dir.path())
        .args(["-w", ".", "search", "alcaldia"])
        .assert()
        .success()
        .stderr(predicate::str::contains("rebuilding").not());
    assert_eq!(stored(dir.path(), &a.key()), a);
}

#[test]
fn a_killed_reindex_leaves_a_usable_index_and_loses_nothing() {
    for fault in ["reindex-before-commit", "reindex-after-commit"] {
        let dir = tempfile::tempdir().unwrap();
        let a = stale_workspace(dir.path());
        codifica(dir.path())
            .args(["-w", ".", "reindex"])
            .env("CODIFICA_ABORT_AT", fault)
            .assert()
            .failure();
        assert_eq!(stored(dir.path(), &a.key()), a, "{fault}");
        codifica(dir.path())
            .args(["-w", ".", "reindex"])
            .assert()
            .success()
            .stdout(predicate::str::contains("2 answers"));
        codifica(dir.path())
            .args(["-w", ".", "search", "secretaria", "--json"])
            .assert()
            .success()
            .stdout(predicate::str::contains("19318"));
        assert_eq!(stored(dir.path(), &a.key()), a, "{fault}");
    }
}

/// A workspace with one coded month: 40 synthetic answers to `articulacion_instrumentos`.
fn one_coded_month(dir: &Path) {
    let mut csv = String::from(
        "entity_code,entity_name,department,region,month,question,answer,rating,codes\n",
    );
    for i in 0..40 {
        let (text, code) = if i % 2 == 0 {
            (
                "las dependencias trabajan articuladas con planeación",
                "articulacion_dependencias",
            )
        } else {
            (
                "entendimos el proceso completo de planeación",
                "integralidad",
            )
        };
        csv.push_str(&format!(
            "{:05},Alcaldía {i} (sintética),Cauca,Pacífico,2020-08,articulacion_instrumentos,{text} {i},,{code}\n",
            19000 + i
        ));
    }
    std::fs::write(dir.join("uno.csv"), csv).unwrap();
    codifica(dir).args(["-w", "ws", "init"]).assert().success();
    codifica(dir)
        .args(["-w", "ws", "import", "uno.csv"])
        .assert()
        .success();
}

#[test]
fn evaluate_falls_back_to_cross_validation_with_the_reason_when_months_are_too_few() {
    let dir = tempfile::tempdir().unwrap();
    one_coded_month(dir.path());
    codifica(dir.path())
        .args([
            "-w",
            "ws",
            "evaluate",
            "--question",
            "articulacion_instrumentos",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("forward validation needs"))
        .stderr(predicate::str::contains("falling back"))
        .stdout(predicate::str::contains("folds of whole groups"));
}

#[test]
fn evaluate_validates_a_workspace_forward_in_time_by_default() {
    let dir = tempfile::tempdir().unwrap();
    codifica(dir.path())
        .args(["demo", "--dir", "demo"])
        .assert()
        .success();
    let out = codifica(dir.path())
        .args([
            "-w",
            "demo",
            "evaluate",
            "--question",
            "articulacion_instrumentos",
            "--last",
            "2",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let q = &v[0];
    let protocol = q["report"]["protocol"].as_str().unwrap();
    assert!(protocol.starts_with("forward"), "{protocol}");
    let months = q["months"].as_array().unwrap();
    assert_eq!(months.len(), 2);
    // Rolling origin: the later month trains on more answers.
    assert!(months[1]["trained_on"].as_u64() > months[0]["trained_on"].as_u64());
    let ranking = &q["report"]["ranking"];
    assert_eq!(ranking["coverage"].as_array().unwrap().len(), 3);
    assert!(
        ranking["top3_accuracy"].as_f64().unwrap() >= q["report"]["accuracy"].as_f64().unwrap()
    );
    // k-fold only on request.
    codifica(dir.path())
        .args([
            "-w",
            "demo",
            "evaluate",
            "--question",
            "articulacion_instrumentos",
            "--kfold",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("5-fold stratified"))
        .stdout(predicate::str::contains("accept at 90 % accuracy"));
}

#[test]
fn group_column_must_exist_and_hold_two_groups() {
    let dir = tempfile::tempdir().unwrap();
    let coded = fixture("coded.csv");
    let base = [
        "evaluate",
        "--examples",
        coded.to_str().unwrap(),
        "--text-column",
        "text",
        "--code-column",
        "code",
    ];
    codifica(dir.path())
        .args(base)
        .args(["--group-column", "nope"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("nope"));
    codifica(dir.path())
        .args(base)
        .args(["--group-column", "split", "--where", "split=train"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("holds 1 group"));
    codifica(dir.path())
        .args(base)
        .args(["--group-column", "question"])
        .assert()
        .success()
        .stdout(predicate::str::contains("groups"));
}

#[test]
fn classify_accepts_only_above_the_fitted_threshold_and_never_over_a_human_code() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.model");
    codifica(dir.path())
        .args(train_args(&model))
        .assert()
        .success();
    let input = fixture("coded.csv");
    let run = |at: &str| {
        let mut c = codifica(dir.path());
        c.args([
            "classify",
            "--model",
            model.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
            "--text-column",
            "text",
            "--question-column",
            "question",
            "--output",
            "out.csv",
            "--accept-at",
            at,
        ]);
        c
    };
    for bad in ["0", "1", "1.5", "nan"] {
        run(bad)
            .assert()
            .failure()
            .stderr(predicate::str::contains("--accept-at"));
    }
    run("0.8")
        .assert()
        .success()
        .stdout(predicate::str::contains("to review"));
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    let header = out.lines().find(|l| l.contains("id,")).unwrap();
    assert!(header.ends_with("alternatives,accepted"), "{header}");
    // Every row lists up to three alternatives with probabilities.
    assert!(out.contains(" (0."), "{out}");
}
