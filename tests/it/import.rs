//! End-to-end tests of `codifica import` on synthetic fixtures (tests/fixtures/import, all
//! synthetic), driving the binary: formats, encodings, every bad-input case (an error naming
//! file, row and column, and nothing written), idempotent re-imports, dry runs, new questions,
//! wide mappings, and the real cabildos workbook (skipped when ../shared is absent).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use codifica::answer::Answer;
use codifica::store::{AnswerFilter, Store};
use codifica::workspace::Workspace;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn codifica(ws: &Path) -> Command {
    let mut c = Command::cargo_bin("codifica").unwrap();
    c.arg("--workspace")
        .arg(ws)
        .env_remove("CODIFICA_WORKSPACE");
    c
}

/// A fresh workspace (default Monitoreo 360 config and codebooks) made by `codifica init`.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    codifica(&ws).args(["--quiet", "init"]).assert().success();
    (dir, ws)
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn import(ws: &Path, file: &Path, extra: &[&str]) -> Run {
    let out = codifica(ws)
        .arg("import")
        .arg(file)
        .args(extra)
        .output()
        .unwrap();
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn status_answers(ws: &Path) -> u64 {
    let out = codifica(ws).args(["status", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["answers"].as_u64().unwrap()
}

fn answers(ws: &Path) -> Vec<Answer> {
    let ws = Workspace::open(ws).unwrap();
    Store::open(&ws)
        .unwrap()
        .answers(&AnswerFilter::default())
        .unwrap()
}

fn json(run: &Run) -> serde_json::Value {
    assert!(run.ok, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn import_then_reimport_is_idempotent_and_changes_are_replaced() {
    let (dir, ws) = workspace();
    let good = fixture("good.csv");
    let r = import(&ws, &good, &[]);
    assert!(r.ok, "{}", r.stderr);
    assert!(
        r.stdout.contains("added 5, replaced 0, unchanged 0"),
        "{}",
        r.stdout
    );
    let r = import(&ws, &good, &[]);
    assert!(
        r.stdout.contains("added 0, replaced 0, unchanged 5"),
        "{}",
        r.stdout
    );
    // One rating changed, one row added: 1 replaced, 1 added, never duplicated.
    let text = std::fs::read_to_string(&good)
        .unwrap()
        .replace(",,4,", ",,3,")
        + "11001,Bogotá,Bogotá D.C.,Centro Oriente,2020-07,calificacion_general,,5,\n";
    let changed = dir.path().join("changed.csv");
    std::fs::write(&changed, text).unwrap();
    let v = json(&import(&ws, &changed, &["--json"]));
    assert_eq!(
        (
            v["added"].as_u64(),
            v["replaced"].as_u64(),
            v["unchanged"].as_u64()
        ),
        (Some(1), Some(1), Some(4))
    );
    assert_eq!(v["rows"].as_u64(), Some(6));
    assert_eq!(v["months"], serde_json::json!(["2020-07"]));
    assert_eq!(status_answers(&ws), 6);
}

#[test]
fn encodings_and_delimiters_give_the_same_answers() {
    let read = |name: &str| {
        let (_dir, ws) = workspace();
        let r = import(&ws, &fixture(name), &[]);
        assert!(r.ok, "{name}: {}", r.stderr);
        answers(&ws)
    };
    let utf8 = read("good.csv");
    assert!(
        utf8.iter()
            .any(|a| a.entity_name == "Medellín" && a.department == "Antioquia")
    );
    assert!(
        utf8.iter()
            .any(|a| a.text == "Sí, la asistencia articuló el plan con el presupuesto")
    );
    assert_eq!(read("good_win1252_semicolon.csv"), utf8);
    assert_eq!(read("good_bom_semicolon.csv"), utf8);
    let demand = utf8.iter().find(|a| a.question == "demanda_temas").unwrap();
    assert_eq!(demand.codes, ["regalias_sgr", "formulacion_proyectos"]);
}

#[test]
fn lenient_values_leading_zeros_and_review_exports() {
    let (_dir, ws) = workspace();
    for f in [
        "comma_decimal.csv",
        "lenient_months.csv",
        "leading_zeros.csv",
        "review_export.csv",
    ] {
        let r = import(&ws, &fixture(f), &[]);
        assert!(r.ok, "{f}: {}", r.stderr);
    }
    let all = answers(&ws);
    let medellin_july = all
        .iter()
        .find(|a| {
            a.entity_code == "05001"
                && a.month.to_string() == "2020-07"
                && a.question == "calificacion_general"
        })
        .unwrap();
    // leading_zeros.csv came last among the ratings and replaced comma_decimal's 4.5 with 4.
    assert_eq!(medellin_july.rating, Some(4.0));
    assert!(
        all.iter().any(|a| a.entity_code == "5001"),
        "5001 and 05001 are different entities"
    );
    assert!(
        all.iter().any(|a| a.month.to_string() == "2020-08"),
        "2020/8 is accepted"
    );
    let reviewed = all
        .iter()
        .find(|a| a.question == "articulacion_instrumentos")
        .unwrap();
    assert_eq!(reviewed.codes, ["integralidad"]);
    assert!(
        reviewed.attributes.is_empty(),
        "review columns are ignored: {:?}",
        reviewed.attributes
    );
    let (_dir2, ws2) = workspace();
    assert!(import(&ws2, &fixture("comma_decimal.csv"), &[]).ok);
    assert_eq!(answers(&ws2)[0].rating, Some(4.5));
}

/// Every bad file: non-zero exit, an error naming the file, the row and the column, and an
/// empty workspace afterwards.
#[test]
fn bad_inputs_are_refused_and_nothing_is_written() {
    let (dir, ws) = workspace();
    let big = dir.path().join("bad_10mb_cell.csv");
    let mut text = String::from(
        "entity_code,entity_name,department,region,month,question,answer,rating,codes\n",
    );
    text.push_str("05001,Medellín,Antioquia,Eje Cafetero,2020-07,articulacion_instrumentos,");
    text.push_str(&"a".repeat(10 * 1024 * 1024));
    text.push_str(",,\n");
    std::fs::write(&big, text).unwrap();
    let truncated = dir.path().join("bad_truncated.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (i, h) in ["entity_code", "entity_name", "month"].iter().enumerate() {
        sheet.write_string(0, i as u16, *h).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();

    // (file, row, column, words of the message)
    let cases: Vec<(PathBuf, Option<&str>, Option<&str>, &str)> = vec![
        (
            fixture("bad_rating_word.csv"),
            Some("row 3"),
            Some("'rating'"),
            "not a number",
        ),
        (
            fixture("bad_rating_scale.csv"),
            Some("row 3"),
            Some("'rating'"),
            "off the scale",
        ),
        (
            fixture("bad_rating_on_open.csv"),
            Some("row 3"),
            Some("'rating'"),
            "not a rating question",
        ),
        (
            fixture("bad_month.csv"),
            Some("row 3"),
            Some("'month'"),
            "not a month",
        ),
        (
            fixture("bad_unknown_question.csv"),
            Some("row 3"),
            Some("'question'"),
            "unknown question",
        ),
        (
            fixture("bad_empty_entity.csv"),
            Some("row 3"),
            Some("'entity_code'"),
            "empty",
        ),
        (fixture("bad_duplicate.csv"), Some("row 3"), None, "row 2"),
        (
            fixture("bad_unknown_code.csv"),
            Some("row 3"),
            Some("'codes'"),
            "codigo_inexistente",
        ),
        (
            fixture("bad_missing_column.csv"),
            Some("row 1"),
            Some("'region'"),
            "missing column",
        ),
        (
            fixture("bad_nul.csv"),
            Some("row 3"),
            Some("'entity_name'"),
            "NUL",
        ),
        (
            fixture("bad_open_quote.csv"),
            Some("row 3"),
            Some("'answer'"),
            "never closed",
        ),
        (
            fixture("bad_mixed_delimiters.csv"),
            Some("row 3"),
            Some("'entity_name'"),
            "delimiter",
        ),
        (
            fixture("bad_mixed_encoding.csv"),
            Some("line 3"),
            None,
            "encodings",
        ),
        (fixture("bad_header_only.csv"), None, None, "no data rows"),
        (fixture("bad_empty.csv"), None, None, "empty"),
        (fixture("bad_pdf_renamed.xlsx"), None, None, "PDF"),
        (truncated, None, None, "truncated"),
        (big, Some("row 2"), Some("'answer'"), "too large"),
    ];
    for (file, row, column, words) in &cases {
        let r = import(&ws, file, &[]);
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!r.ok, "{name} was accepted: {}", r.stdout);
        let err = &r.stderr;
        assert!(
            err.contains(&name),
            "{name}: the error names the file: {err}"
        );
        assert!(err.contains(words), "{name}: expected '{words}' in: {err}");
        if let Some(row) = row {
            assert!(err.contains(row), "{name}: expected {row} in: {err}");
        }
        if let Some(col) = column {
            assert!(err.contains(col), "{name}: expected column {col} in: {err}");
        }
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    assert_eq!(status_answers(&ws), 0, "a refused import writes nothing");
}

#[test]
fn all_problems_are_listed_not_just_the_first() {
    let (dir, ws) = workspace();
    let f = dir.path().join("many.csv");
    std::fs::write(
        &f,
        "entity_code,entity_name,department,region,month,question,answer,rating,codes\n\
         ,A,B,C,2020-07,calificacion_general,,4,\n\
         05001,A,B,C,julio,calificacion_general,,4,\n\
         05001,A,B,C,2020-07,calificacion_general,,cuatro,\n",
    )
    .unwrap();
    let r = import(&ws, &f, &[]);
    assert!(!r.ok);
    assert!(
        r.stderr.contains("3 problems found, nothing was written"),
        "{}",
        r.stderr
    );
    for row in ["row 2", "row 3", "row 4"] {
        assert!(r.stderr.contains(row), "{row}: {}", r.stderr);
    }
}

#[test]
fn dry_run_writes_nothing() {
    let (_dir, ws) = workspace();
    let r = import(&ws, &fixture("good.csv"), &["--dry-run"]);
    assert!(r.ok, "{}", r.stderr);
    assert!(
        r.stdout.contains("nothing written") && r.stdout.contains("added 5"),
        "{}",
        r.stdout
    );
    assert_eq!(status_answers(&ws), 0);
}

#[test]
fn new_questions_are_added_as_open_questions() {
    let (_dir, ws) = workspace();
    let file = fixture("bad_unknown_question.csv");
    let r = import(&ws, &file, &["--new-questions", "--dry-run"]);
    assert!(r.ok, "{}", r.stderr);
    let config = std::fs::read_to_string(ws.join("codifica.toml")).unwrap();
    assert!(
        !config.contains("pregunta_rara"),
        "a dry run leaves the config alone"
    );
    let r = import(&ws, &file, &["--new-questions"]);
    assert!(r.ok, "{}", r.stderr);
    let opened = Workspace::open(&ws).unwrap();
    let q = opened
        .config()
        .question("pregunta_rara")
        .expect("question added");
    assert!(q.is_coded());
    assert_eq!(status_answers(&ws), 2);
    // Now known: a plain import of the same file is all unchanged.
    let r = import(&ws, &file, &[]);
    assert!(
        r.stdout.contains("added 0, replaced 0, unchanged 2"),
        "{} {}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn wide_csv_through_a_mapping() {
    let (_dir, ws) = workspace();
    let config = ws.join("codifica.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push('\n');
    text.push_str(&std::fs::read_to_string(fixture("wide-mapping.toml")).unwrap());
    std::fs::write(&config, text).unwrap();
    let r = import(&ws, &fixture("wide.csv"), &["--mapping", "nope"]);
    assert!(!r.ok && r.stderr.contains("encuesta_ancha"), "{}", r.stderr);
    let v = json(&import(
        &ws,
        &fixture("wide.csv"),
        &["--mapping", "encuesta_ancha", "--json"],
    ));
    assert_eq!(
        (v["rows"].as_u64(), v["answers"].as_u64()),
        (Some(2), Some(3))
    );
    let all = answers(&ws);
    let rating = all
        .iter()
        .find(|a| a.entity_code == "05001" && a.question == "calificacion_general")
        .unwrap();
    assert_eq!(rating.rating, Some(4.5));
    assert_eq!(rating.attributes["Encuestador"], "Ana");
    let open = all
        .iter()
        .find(|a| a.question == "articulacion_instrumentos")
        .unwrap();
    assert_eq!(
        (open.text.as_str(), open.codes.as_slice()),
        (
            "Articula el plan indicativo",
            &["integralidad".to_string()][..]
        )
    );
    assert_eq!(open.month.to_string(), "2020-07");
}

#[test]
fn xlsx_canonical_keeps_text_codes_and_integer_ratings() {
    let (dir, ws) = workspace();
    let path = dir.path().join("mes.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    let header = [
        "entity_code",
        "entity_name",
        "department",
        "region",
        "month",
        "question",
        "answer",
        "rating",
    ];
    for (i, h) in header.iter().enumerate() {
        sheet.write_string(0, i as u16, *h).unwrap();
    }
    let row = [
        "05001",
        "Medellín",
        "Antioquia",
        "Eje Cafetero",
        "2020-07",
        "calificacion_general",
        "",
    ];
    for (i, v) in row.iter().enumerate() {
        sheet.write_string(1, i as u16, *v).unwrap();
    }
    sheet.write_number(1, 7, 4.0).unwrap();
    wb.save(&path).unwrap();
    let r = import(&ws, &path, &["--sheet", "Hoja9"]);
    assert!(
        !r.ok && r.stderr.contains("no sheet named 'Hoja9'") && r.stderr.contains("Sheet1"),
        "{}",
        r.stderr
    );
    let r = import(&ws, &path, &["--sheet", "sheet1"]);
    assert!(r.ok, "{}", r.stderr);
    let a = &answers(&ws)[0];
    assert_eq!((a.entity_code.as_str(), a.rating), ("05001", Some(4.0)));
}

#[test]
fn a_busy_workspace_is_refused() {
    let (_dir, ws) = workspace();
    let opened = Workspace::open(&ws).unwrap();
    let _held = opened.lock().unwrap();
    let r = import(&ws, &fixture("good.csv"), &[]);
    assert!(!r.ok && r.stderr.contains("busy"), "{}", r.stderr);
}

#[test]
fn init_force_on_a_busy_workspace_is_refused_and_keeps_the_config() {
    let (_dir, ws) = workspace();
    let config = ws.join("codifica.toml");
    let before = std::fs::read(&config).unwrap();
    let opened = Workspace::open(&ws).unwrap();
    let held = opened.lock().unwrap();
    let out = codifica(&ws)
        .args(["--quiet", "init", "--force"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("busy"), "{stderr}");
    assert_eq!(std::fs::read(&config).unwrap(), before);
    drop(held);
    codifica(&ws)
        .args(["--quiet", "init", "--force"])
        .assert()
        .success();
}

#[test]
fn cabildos_workbook_through_the_documented_mapping() {
    let xlsx = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/cabildos-2016/resultadocabildoprovincial.xlsx");
    if !xlsx.exists() {
        skipped!("{} is absent", xlsx.display());
        return;
    }
    let (_dir, ws) = workspace();
    let config = ws.join("codifica.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push('\n');
    let mapping = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cabildos-mapping.toml");
    text.push_str(&std::fs::read_to_string(mapping).unwrap());
    std::fs::write(&config, text).unwrap();
    let v = json(&import(&ws, &xlsx, &["--mapping", "cabildos", "--json"]));
    assert_eq!(v["rows"].as_u64(), Some(30_414));
    assert_eq!(v["answers"].as_u64(), Some(30_414));
    assert_eq!(v["added"].as_u64(), Some(30_414));
    assert_eq!(v["months"], serde_json::json!(["2016-07"]));
    assert_eq!(
        v["questions"],
        serde_json::json!([
            "deberes_responsabilidades",
            "derechos",
            "instituciones",
            "valores_principios"
        ])
    );
    let ws = Workspace::open(&ws).unwrap();
    let store = Store::open(&ws).unwrap();
    let filter = AnswerFilter {
        entity: Some("81".into()),
        question: Some("valores_principios".into()),
        ..AnswerFilter::default()
    };
    let arica = store.answers(&filter).unwrap();
    assert!(!arica.is_empty());
    assert!(
        arica
            .iter()
            .all(|a| a.region == "Arica y Parinacota" && a.department == "Arica")
    );
    assert!(arica.iter().any(|a| a.codes == ["Democracia"]));
}

// ----------------------------------------------------------------------------------------------
// Round trips keep every field (issue 15, items 1–3)

/// A month's file with every optional column, an attribute, and texts that look like formulas
/// (which `review` neutralises with an apostrophe).
const FULL_MONTH: &str = "entity_code,entity_name,department,region,entity_kind,month,question,\
answer,rating,codes,interview_date,respondent_role,encuestador
05001,Medellín,Antioquia,Eje Cafetero,alcaldia,2020-07,articulacion_instrumentos,=9+9 dijo el \
alcalde,,,2020-07-14,Secretario de planeación,Ana
05001,Medellín,Antioquia,Eje Cafetero,alcaldia,2020-07,necesidades_debilidades,-regalías y \
más regalías,,,2020-07-14,Secretario de planeación,Ana
76001,+Nombre raro,Valle del Cauca,Pacífico,alcaldia,2020-07,demanda_temas,@todos los temas del \
plan,,,2020-07-15,Jefe de planeación,Luis
76001,+Nombre raro,Valle del Cauca,Pacífico,alcaldia,2020-07,fortalecimiento_capacidades,\t=ya \
lo dijimos,,,2020-07-15,Jefe de planeación,Luis
";

/// Imports [`FULL_MONTH`] and gives every answer a machine coding, as `classify` would.
fn full_month_workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (dir, ws) = workspace();
    let file = dir.path().join("mes.csv");
    std::fs::write(&file, FULL_MONTH).unwrap();
    let r = import(&ws, &file, &[]);
    assert!(r.ok, "{}", r.stderr);
    let w = Workspace::open(&ws).unwrap();
    let store = Store::open(&w).unwrap();
    let codings: Vec<(String, codifica::answer::MachineCoding)> = answers(&ws)
        .iter()
        .enumerate()
        .map(|(i, a)| {
            (
                a.key(),
                codifica::answer::MachineCoding {
                    codes: vec!["integralidad".into()],
                    confidence: 0.5,
                    margin: 0.1 + i as f64 / 100.0,
                    top_terms: vec!["plan".into()],
                    model: "prueba".into(),
                    ..Default::default()
                },
            )
        })
        .collect();
    store.set_machine_codings(&codings).unwrap();
    (dir, ws, file)
}

fn counts(v: &serde_json::Value) -> (u64, u64, u64) {
    let n = |k: &str| v[k].as_u64().unwrap_or(u64::MAX);
    (n("added"), n("replaced"), n("unchanged"))
}

/// Sets the `codes` cell of the CSV row whose `question` is `question`.
fn fill_codes(file: &Path, question: &str, codes: &str) {
    let mut rdr = csv::Reader::from_path(file).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let q = headers.iter().position(|h| h == "question").unwrap();
    let c = headers.iter().position(|h| h == "codes").unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let mut w = csv::Writer::from_path(file).unwrap();
    w.write_record(&headers).unwrap();
    for r in rows {
        let mut cells: Vec<String> = r.iter().map(str::to_string).collect();
        if cells[q] == question {
            cells[c] = codes.to_string();
        }
        w.write_record(&cells).unwrap();
    }
    w.flush().unwrap();
}

#[test]
fn an_unedited_review_file_reimports_unchanged_and_keeps_every_field() {
    for ext in ["csv", "xlsx"] {
        let (dir, ws, _) = full_month_workspace();
        let before = answers(&ws);
        let out = dir.path().join(format!("revisar.{ext}"));
        codifica(&ws)
            .args(["--quiet", "review", "--output"])
            .arg(&out)
            .assert()
            .success();
        let v = json(&import(&ws, &out, &["--json"]));
        assert_eq!(counts(&v), (0, 0, 4), "{ext}: {v}");
        assert_eq!(v["codes_kept"].as_u64(), Some(0), "{ext}");
        assert_eq!(
            answers(&ws),
            before,
            "{ext}: a re-imported review file changed answers"
        );
    }
}

#[test]
fn the_formula_guard_is_written_by_review_and_removed_by_import() {
    let (dir, ws, _) = full_month_workspace();
    let out = dir.path().join("revisar.csv");
    codifica(&ws)
        .args(["--quiet", "review", "--output"])
        .arg(&out)
        .assert()
        .success();
    let written = std::fs::read_to_string(&out).unwrap();
    for guarded in [
        "'=9+9 dijo",
        "'-regalías",
        "'@todos",
        "'+Nombre raro",
        "'=ya lo dijimos",
    ] {
        assert!(written.contains(guarded), "{guarded} not in:\n{written}");
    }
    import(&ws, &out, &[]);
    let all = answers(&ws);
    let texts: Vec<&str> = all.iter().map(|a| a.text.as_str()).collect();
    for t in [
        "=9+9 dijo el alcalde",
        "-regalías y más regalías",
        "@todos los temas del plan",
        "=ya lo dijimos",
    ] {
        assert!(texts.contains(&t), "{t:?} not in {texts:?}");
    }
    assert!(all.iter().all(|a| a.entity_name != "'+Nombre raro"));
    assert!(
        all.iter().all(|a| a.machine.is_some()),
        "machine codings kept"
    );
}

#[test]
fn codes_filled_in_a_review_file_are_the_only_change() {
    let (dir, ws, _) = full_month_workspace();
    let out = dir.path().join("revisar.csv");
    codifica(&ws)
        .args(["--quiet", "review", "--output"])
        .arg(&out)
        .assert()
        .success();
    fill_codes(&out, "articulacion_instrumentos", "integralidad");
    let r = import(&ws, &out, &[]);
    assert!(r.ok, "{}", r.stderr);
    assert!(
        r.stdout.contains("added 0, replaced 1, unchanged 3"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("changed the human codes of 1 answer"),
        "{}",
        r.stdout
    );
    let all = answers(&ws);
    let a = all
        .iter()
        .find(|a| a.question == "articulacion_instrumentos")
        .unwrap();
    assert_eq!(a.codes, ["integralidad"]);
    assert_eq!(a.entity_kind.as_deref(), Some("alcaldia"));
    assert_eq!(a.interview_date.as_deref(), Some("2020-07-14"));
    assert_eq!(
        a.respondent_role.as_deref(),
        Some("Secretario de planeación")
    );
    assert_eq!(
        a.attributes.get("encuestador").map(String::as_str),
        Some("Ana")
    );
    assert_eq!(a.text, "=9+9 dijo el alcalde");
    assert!(
        a.machine.is_some(),
        "the text did not change: machine coding kept"
    );
}

#[test]
fn reimporting_the_original_file_keeps_human_codes_unless_asked() {
    let (_dir, ws, file) = full_month_workspace();
    let key = answers(&ws)
        .iter()
        .find(|a| a.question == "articulacion_instrumentos")
        .unwrap()
        .key();
    // Coded in the web app.
    let w = Workspace::open(&ws).unwrap();
    Store::open(&w)
        .unwrap()
        .set_human_codes(&[(key.clone(), vec!["integralidad".into()])])
        .unwrap();
    let coded = |ws: &Path| {
        answers(ws)
            .into_iter()
            .find(|a| a.key() == key)
            .unwrap()
            .codes
    };
    let r = import(&ws, &file, &[]);
    assert!(r.ok, "{}", r.stderr);
    assert!(
        r.stdout.contains("added 0, replaced 0, unchanged 4"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("kept the human codes of 1 answer whose `codes` cell was empty"),
        "{}",
        r.stdout
    );
    assert_eq!(coded(&ws), ["integralidad"]);
    let v = json(&import(
        &ws,
        &file,
        &["--dry-run", "--replace-codes", "--json"],
    ));
    assert_eq!(counts(&v), (0, 1, 3));
    assert_eq!(coded(&ws), ["integralidad"], "a dry run writes nothing");
    let v = json(&import(&ws, &file, &["--replace-codes", "--json"]));
    assert_eq!(counts(&v), (0, 1, 3));
    assert_eq!(v["codes_changed"].as_u64(), Some(1));
    assert!(coded(&ws).is_empty(), "--replace-codes clears them");
}
