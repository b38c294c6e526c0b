//! Team coding on the command line: every command that writes human codes stamps them with the
//! coder (`--coder`, else `$CODIFICA_CODER`, else the OS user), in the team log the web's answer
//! page reads (`app::team::history`); exports carry the coder and re-import unchanged.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use codifica::app::team;
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
        .env_remove("CODIFICA_WORKSPACE")
        .env_remove(team::CODER_ENV);
    c
}

/// A fresh workspace made by `codifica init`.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    codifica(&ws).args(["--quiet", "init"]).assert().success();
    (dir, ws)
}

/// Runs `codifica import FILE ARGS… --json` and returns its report.
fn import(ws: &Path, file: &Path, extra: &[&str]) -> serde_json::Value {
    let out = codifica(ws)
        .arg("import")
        .arg(file)
        .args(extra)
        .arg("--json")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn stamps(ws: &Path) -> Vec<team::CodeStamp> {
    team::stamps(&Workspace::open(ws).unwrap()).unwrap()
}

const MEDELLIN_ARTICULACION: &str = "05001|2020-07|articulacion_instrumentos|";

#[test]
fn import_with_coder_names_the_coder_in_the_answer_history() {
    let (_dir, ws) = workspace();
    import(&ws, &fixture("good.csv"), &["--coder", "Ana María"]);
    let ws_ = Workspace::open(&ws).unwrap();
    let h = team::history(&ws_, MEDELLIN_ARTICULACION).unwrap();
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0].coder.as_deref(), Some("Ana María"));
    assert_eq!(h[0].codes, ["integralidad"]);
    // Only answers with human codes are stamped (ratings and uncoded answers are not).
    let all = stamps(&ws);
    assert!(all.iter().all(|s| !s.codes.is_empty()), "{all:?}");
    assert!(!all.iter().any(|s| s.key.contains("calificacion_general")));
}

#[test]
fn a_reimport_of_unchanged_codes_records_nothing_and_a_change_records_one() {
    let (dir, ws) = workspace();
    import(&ws, &fixture("good.csv"), &["--coder", "ana"]);
    let before = stamps(&ws).len();
    assert!(before > 0);
    let r = import(&ws, &fixture("good.csv"), &["--coder", "luis"]);
    assert_eq!(r["added"], 0);
    assert_eq!(
        stamps(&ws).len(),
        before,
        "an unchanged re-import stamps nothing"
    );
    // One answer recoded: only it is stamped, by the coder of the environment.
    let text = std::fs::read_to_string(fixture("good.csv")).unwrap();
    let changed = text.replacen(
        "con el presupuesto\",,integralidad",
        "con el presupuesto\",,apropiacion_temas",
        1,
    );
    assert_ne!(changed, text, "the fixture changed: fix the test");
    let file = dir.path().join("recoded.csv");
    std::fs::write(&file, changed).unwrap();
    let out = codifica(&ws)
        .env(team::CODER_ENV, "Luis")
        .arg("import")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = stamps(&ws);
    assert_eq!(all.len(), before + 1, "{all:?}");
    let last = all.last().unwrap();
    assert_eq!(last.key, MEDELLIN_ARTICULACION);
    assert_eq!(
        (last.coder.as_deref(), last.codes.clone()),
        (Some("Luis"), vec!["apropiacion_temas".to_string()])
    );
    // A dry run records nothing.
    import(&ws, &fixture("good.csv"), &["--dry-run"]);
    assert_eq!(stamps(&ws).len(), before + 1);
}

#[test]
fn without_a_name_the_os_user_codes_and_a_bad_name_is_refused() {
    let (_dir, ws) = workspace();
    let out = codifica(&ws)
        .args(["import", "--coder", "<script>"])
        .arg(fixture("good.csv"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a coder name"));
    assert!(stamps(&ws).is_empty(), "a refused coder writes nothing");
    let out = codifica(&ws)
        .env("USER", "pedro")
        .env_remove("USERNAME")
        .env_remove("LOGNAME")
        .arg("import")
        .arg(fixture("good.csv"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stamps(&ws)
            .iter()
            .all(|s| s.coder.as_deref() == Some("pedro"))
    );
}

#[test]
fn an_old_workspace_without_the_log_still_imports_and_reads_its_history() {
    let (_dir, ws) = workspace();
    import(&ws, &fixture("good.csv"), &[]);
    std::fs::remove_dir_all(ws.join("team")).unwrap();
    let w = Workspace::open(&ws).unwrap();
    assert!(team::history(&w, MEDELLIN_ARTICULACION).unwrap().is_empty());
    assert!(team::last_coders(&w).unwrap().is_empty());
    let r = import(&ws, &fixture("good.csv"), &["--coder", "ana"]);
    assert_eq!(
        (r["added"].as_u64(), r["replaced"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(stamps(&ws).is_empty());
}

/// A stacked mapping that reads `codifica export --format csv|xlsx` back (its `text` column is
/// the answer); columns it does not name — `coder`, `coded_at`, the machine's — are ignored.
const EXPORT_MAPPING: &str = r#"
[[mapping]]
name = "export"
entity_code = "entity_code"
entity_name = "entity_name"
department = "department"
region = "region"
month = "month"
answer_id = "answer_id"
question_column = "question"
answer_column = "text"
rating_column = "rating"
codes_column = "codes"
"#;

/// Exports the workspace as `format` into `dir` and returns the file.
fn export(ws: &Path, dir: &Path, format: &str) -> PathBuf {
    let out = dir.join(format!("export.{format}"));
    codifica(ws)
        .args(["--quiet", "export", "-f", format, "-o"])
        .arg(&out)
        .assert()
        .success();
    out
}

/// The rows of a CSV export as header → cell maps.
fn csv_rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// How many rows of an XLSX export name "Ana María" in its `coder` column.
fn xlsx_coders(path: &Path) -> usize {
    use calamine::Reader as _;
    let mut book = calamine::open_workbook_auto(path).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let mut rows = sheet.rows();
    let header = rows.next().unwrap();
    let col = header.iter().position(|c| *c == "coder").unwrap();
    rows.filter(|r| r[col] == "Ana María").count()
}

#[test]
fn csv_and_xlsx_exports_carry_the_coder_and_reimport_unchanged() {
    let (dir, ws) = workspace();
    import(&ws, &fixture("good.csv"), &["--coder", "Ana María"]);
    let mut toml = std::fs::read_to_string(ws.join("codifica.toml")).unwrap();
    toml.push_str(EXPORT_MAPPING);
    std::fs::write(ws.join("codifica.toml"), toml).unwrap();
    let csv_file = export(&ws, dir.path(), "csv");
    let rows = csv_rows(&csv_file);
    let coded: Vec<_> = rows.iter().filter(|r| !r["codes"].is_empty()).collect();
    assert!(!coded.is_empty());
    assert!(
        coded
            .iter()
            .all(|r| r["coder"] == "Ana María" && r["coded_at"].ends_with('Z'))
    );
    assert!(
        rows.iter()
            .filter(|r| r["codes"].is_empty())
            .all(|r| r["coder"].is_empty())
    );
    let xlsx_file = export(&ws, dir.path(), "xlsx");
    assert_eq!(xlsx_coders(&xlsx_file), coded.len());
    let before = stamps(&ws).len();
    for file in [&csv_file, &xlsx_file] {
        let r = import(&ws, file, &["--mapping", "export", "--coder", "luis"]);
        let n = rows.len() as u64;
        assert_eq!(
            (
                r["added"].as_u64(),
                r["replaced"].as_u64(),
                r["unchanged"].as_u64()
            ),
            (Some(0), Some(0), Some(n)),
            "{}: {r}",
            file.display()
        );
    }
    assert_eq!(
        stamps(&ws).len(),
        before,
        "an unchanged re-import stamps nothing"
    );
}

/// The `.qde` XML of a `.qdpx`.
fn qde_of(qdpx: &Path) -> String {
    use std::io::Read as _;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(qdpx).unwrap()).unwrap();
    let mut qde = String::new();
    zip.by_name("project.qde")
        .unwrap()
        .read_to_string(&mut qde)
        .unwrap();
    qde
}

/// A CSV export's rows with text (a project's sources; pure ratings are not).
fn text_rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut rows = csv_rows(path);
    rows.retain(|r| !r["text"].is_empty());
    rows
}

#[test]
fn qdpx_export_credits_codings_to_the_coder_and_imports_them_back() {
    let (dir, ws) = workspace();
    import(&ws, &fixture("good.csv"), &["--coder", "Ana María"]);
    let qdpx = export(&ws, dir.path(), "qdpx");
    let qde = qde_of(&qdpx);
    let guid = codifica::qda::qdpx::coder_guid("Ana María");
    assert!(
        qde.contains(&format!(
            "<User guid=\"{guid}\" name=\"Ana María\" id=\"coder:Ana María\"/>"
        )),
        "{qde}"
    );
    let by_ana = qde
        .match_indices("<Coding guid=")
        .filter(|(i, _)| {
            qde[*i..]
                .lines()
                .next()
                .unwrap()
                .contains(&format!("creatingUser=\"{guid}\" creationDateTime="))
        })
        .count();
    let coded = csv_rows(&export(&ws, dir.path(), "csv"))
        .iter()
        .map(|r| r["codes"].split(';').filter(|c| !c.is_empty()).count())
        .sum::<usize>();
    assert_eq!(by_ana, coded, "every human coding is Ana María's");

    // Into an empty workspace: the same answers, the same coders and coding times.
    let other = dir.path().join("other");
    codifica(&other)
        .args(["--quiet", "init"])
        .assert()
        .success();
    import(&other, &qdpx, &["--coder", "luis"]);
    let a = export(&ws, dir.path(), "csv");
    let b_dir = dir.path().join("b");
    std::fs::create_dir(&b_dir).unwrap();
    let b = export(&other, &b_dir, "csv");
    assert_eq!(text_rows(&a), text_rows(&b));
    assert!(
        stamps(&other)
            .iter()
            .all(|s| s.coder.as_deref() == Some("Ana María"))
    );

    // Back into the workspace it came from: unchanged, nothing stamped.
    let before = stamps(&ws).len();
    let r = import(&ws, &qdpx, &["--coder", "luis"]);
    assert_eq!(
        (r["added"].as_u64(), r["replaced"].as_u64()),
        (Some(0), Some(0)),
        "{r}"
    );
    assert_eq!(stamps(&ws).len(), before);
}

#[test]
fn qdpx_import_stamps_other_tools_users_as_coders() {
    let (dir, ws) = workspace();
    import(&ws, &fixture("good.csv"), &[]);
    // Codes of no known coder are exported as codifica's "Analista".
    std::fs::remove_dir_all(ws.join("team")).unwrap();
    let qdpx = export(&ws, dir.path(), "qdpx");
    // The same project as another tool writes it: its human user is "Marta".
    let analyst = "<User guid=\"";
    let qde = qde_of(&qdpx);
    let start = qde.find(analyst).unwrap() + analyst.len();
    let guid = &qde[start..start + 36];
    let foreign = qde.replacen("name=\"Analista\"", "name=\"Marta\"", 1);
    assert_ne!(foreign, qde);
    let src = dir.path().join("proj");
    std::fs::create_dir(&src).unwrap();
    {
        use std::io::Read as _;
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&qdpx).unwrap()).unwrap();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            let path = src.join(f.name());
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
    }
    std::fs::write(src.join("project.qde"), &foreign).unwrap();
    let other = dir.path().join("other");
    codifica(&other)
        .args(["--quiet", "init"])
        .assert()
        .success();
    import(&other, &src.join("project.qde"), &[]);
    let all = stamps(&other);
    assert!(!all.is_empty());
    assert!(
        all.iter().all(|s| s.coder.as_deref() == Some("Marta")),
        "{all:?} ({guid})"
    );
}

#[test]
fn qdpx_round_trip_keeps_the_models_accepted_flag_and_alternatives() {
    use codifica::answer::MachineCoding;
    use codifica::store::{AnswerFilter, Store};
    let (dir, ws) = workspace();
    import(&ws, &fixture("good.csv"), &[]);
    let key = "08001|2020-07|demanda_temas|".to_string();
    let m = MachineCoding {
        codes: vec!["regalias_sgr".into()],
        confidence: 0.93,
        margin: 1.0 / 3.0,
        top_terms: vec!["regalías".into()],
        model: "modelo-2020-07".into(),
        accepted: true,
        alternatives: vec![
            ("regalias_sgr".into(), 0.7),
            ("formulacion_proyectos".into(), 0.2),
        ],
    };
    {
        let w = Workspace::open(&ws).unwrap();
        Store::open(&w)
            .unwrap()
            .set_machine_codings(&[(key.clone(), m.clone())])
            .unwrap();
    }
    let qdpx = export(&ws, dir.path(), "qdpx");
    assert!(qde_of(&qdpx).contains("aceptada: sí"));
    let other = dir.path().join("other");
    codifica(&other)
        .args(["--quiet", "init"])
        .assert()
        .success();
    import(&other, &qdpx, &[]);
    let w = Workspace::open(&other).unwrap();
    let back = Store::open(&w)
        .unwrap()
        .answers(&AnswerFilter::default())
        .unwrap()
        .into_iter()
        .find(|a| a.key() == key)
        .unwrap();
    assert_eq!(back.machine, Some(m));
}

#[test]
fn applying_a_review_file_stamps_the_reviewer() {
    let (dir, ws) = workspace();
    let good = std::fs::read_to_string(fixture("good.csv")).unwrap();
    let uncoded = good.replace(",,integralidad", ",,");
    let file = dir.path().join("uncoded.csv");
    std::fs::write(&file, uncoded).unwrap();
    import(&ws, &file, &["--coder", "ana"]);
    assert!(stamps(&ws).iter().all(|s| s.key != MEDELLIN_ARTICULACION));
    // The review export with `codes` filled, as the analyst sends it back.
    import(&ws, &fixture("review_export.csv"), &["--coder", "Revisora"]);
    let w = Workspace::open(&ws).unwrap();
    let h = team::history(&w, MEDELLIN_ARTICULACION).unwrap();
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0].coder.as_deref(), Some("Revisora"));
}
