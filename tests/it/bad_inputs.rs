//! End-to-end: the bad-input corpus through `codifica import` (issue 6, part 2).
//!
//! Every file is one a real analyst could produce (tests/bad_inputs/, written by
//! `make_corpus.py`; **synthetic** data: real municipality names, invented answers). The big and
//! binary cases (a 10 MB cell, NUL bytes, truncated / empty / valid workbooks, a zip renamed
//! .xlsx) are generated here at test time. For each file the binary must either import it
//! correctly (checked by reading the stored answers back through the library), or exit non-zero
//! with a message naming the file (and the row and column when one cell is at fault) while the
//! workspace keeps exactly its previous contents. Never a panic, never a partial import.
//! docs/hardening.md has the table of outcomes.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use codifica::answer::Answer;
use codifica::store::{AnswerFilter, Store};
use codifica::workspace::Workspace;

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/bad_inputs")
        .join(name)
}

fn codifica(ws: &Path) -> Command {
    let mut c = Command::cargo_bin("codifica").expect("binary builds");
    c.arg("--workspace").arg(ws).arg("--quiet");
    c.env_remove("CODIFICA_WORKSPACE");
    c
}

fn run(ws: &Path, args: &[&str]) -> Output {
    codifica(ws).args(args).output().expect("codifica runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh workspace; with `baseline`, already holding `valid_baseline.csv` (4 answers), so that
/// "nothing written" is checked against real previous contents, not an empty index.
fn workspace(baseline: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &["init"]);
    assert!(out.status.success(), "init failed: {}", text(&out.stderr));
    if baseline {
        let f = corpus("valid_baseline.csv");
        let out = run(dir.path(), &["import", f.to_str().unwrap_or_default()]);
        assert!(
            out.status.success(),
            "the baseline import must succeed: {}",
            text(&out.stderr)
        );
        assert_eq!(answers(dir.path()).len(), 4, "baseline holds 4 answers");
    }
    dir
}

/// Every stored answer, read through the library.
fn answers(ws: &Path) -> Vec<Answer> {
    let ws = Workspace::open(ws).expect("workspace opens");
    let store = Store::open(&ws).expect("index opens");
    store
        .answers(&AnswerFilter::default())
        .expect("answers read")
}

/// `status --json` without the workspace path, plus every stored answer: the whole visible state.
fn snapshot(ws: &Path) -> (serde_json::Value, String) {
    let out = run(ws, &["status", "--json"]);
    assert!(out.status.success(), "status failed: {}", text(&out.stderr));
    let mut v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("status --json is JSON");
    if let Some(o) = v.as_object_mut() {
        o.remove("workspace");
    }
    let all = serde_json::to_string(&answers(ws)).unwrap_or_default();
    (v, all)
}

fn no_panic(out: &Output, file: &str) {
    let err = text(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{file}: codifica panicked:\n{err}"
    );
    assert_ne!(
        out.status.code(),
        Some(101),
        "{file}: exit 101 is a panic:\n{err}"
    );
}

/// Imports `file` into a workspace holding the baseline and expects a refusal: non-zero exit,
/// the file's name, `row`/`column` when given, `needle` (case-insensitive), nothing written.
fn refused(file: &Path, row: Option<usize>, column: Option<&str>, needle: &str) {
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let ws = workspace(true);
    let before = snapshot(ws.path());
    let out = run(ws.path(), &["import", file.to_str().unwrap_or_default()]);
    no_panic(&out, &name);
    let err = text(&out.stderr);
    assert!(
        !out.status.success(),
        "{name}: expected a refusal, the import succeeded:\n{}",
        text(&out.stdout)
    );
    assert!(
        err.contains(&name),
        "{name}: the message does not name the file:\n{err}"
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{name}: a bad file is a user error (exit 1):\n{err}"
    );
    if let Some(r) = row {
        assert!(
            err.contains(&format!("row {r}")),
            "{name}: the message does not name row {r}:\n{err}"
        );
    }
    if let Some(c) = column {
        assert!(
            err.contains(&format!("column '{c}'")),
            "{name}: the message does not name column '{c}':\n{err}"
        );
    }
    assert!(
        err.to_lowercase().contains(&needle.to_lowercase()),
        "{name}: the message does not say '{needle}':\n{err}"
    );
    let after = snapshot(ws.path());
    assert_eq!(
        before, after,
        "{name}: a refused import changed the workspace"
    );
}

/// Imports `file` into an empty workspace and expects success; returns the stored answers.
fn imported(file: &Path, expected: usize) -> Vec<Answer> {
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let ws = workspace(false);
    let out = run(ws.path(), &["import", file.to_str().unwrap_or_default()]);
    no_panic(&out, &name);
    assert!(
        out.status.success(),
        "{name}: expected a clean import, got:\n{}",
        text(&out.stderr)
    );
    let got = answers(ws.path());
    assert_eq!(
        got.len(),
        expected,
        "{name}: wrong number of answers stored"
    );
    // Re-importing the same file changes nothing and never duplicates.
    let again = run(ws.path(), &["import", file.to_str().unwrap_or_default()]);
    no_panic(&again, &name);
    assert!(
        again.status.success(),
        "{name}: re-import failed: {}",
        text(&again.stderr)
    );
    assert_eq!(
        answers(ws.path()),
        got,
        "{name}: re-import changed the answers"
    );
    got
}

fn by_entity<'a>(answers: &'a [Answer], entity: &str, question: &str) -> &'a Answer {
    answers
        .iter()
        .find(|a| a.entity_code == entity && a.question == question)
        .unwrap_or_else(|| panic!("no answer for {entity}/{question} in {answers:?}"))
}

/// The baseline's four answers, as they must be stored whatever the encoding or layout.
fn assert_baseline(answers: &[Answer], file: &str) {
    assert_eq!(answers.len(), 4, "{file}");
    let med = by_entity(answers, "05001", "articulacion_instrumentos");
    assert_eq!(
        med.text, "Sí, porque nos ayudó a articular el plan de desarrollo con el presupuesto.",
        "{file}"
    );
    assert_eq!(med.entity_name, "Alcaldía de Medellín", "{file}");
    assert_eq!(med.codes, ["integralidad"], "{file}");
    assert_eq!(med.month.to_string(), "2020-07", "{file}");
    let cali = by_entity(answers, "76001", "calificacion_general");
    assert_eq!(cali.rating, Some(3.0), "{file}");
    assert_eq!(cali.region, "Pacífico", "{file}");
}

// ----------------------------------------------------------------------------------------------
// Whole-file problems

#[test]
fn empty_file() {
    refused(&corpus("empty.csv"), None, None, "empty");
}

#[test]
fn whitespace_only_lines() {
    refused(&corpus("whitespace_lines.csv"), None, None, "empty");
}

#[test]
fn header_only_writes_nothing() {
    // No data rows: either a clear "nothing to import" refusal or an import of zero answers;
    // both leave the workspace as it was.
    let file = corpus("header_only.csv");
    let ws = workspace(true);
    let before = snapshot(ws.path());
    let out = run(ws.path(), &["import", file.to_str().unwrap_or_default()]);
    no_panic(&out, "header_only.csv");
    if !out.status.success() {
        assert!(
            text(&out.stderr).contains("header_only.csv"),
            "{}",
            text(&out.stderr)
        );
    }
    assert_eq!(before, snapshot(ws.path()));
}

#[test]
fn pdf_renamed_xlsx() {
    refused(&corpus("pdf_renamed.xlsx"), None, None, "PDF");
}

#[test]
fn png_renamed_csv() {
    refused(&corpus("png_renamed.csv"), None, None, "is a PNG image");
}

#[test]
fn utf16_without_bom() {
    refused(&corpus("utf16le_no_bom.csv"), None, None, "UTF-16");
}

#[test]
fn mixed_encodings() {
    refused(&corpus("mixed_encodings.csv"), None, None, "encoding");
}

#[test]
fn missing_required_column() {
    refused(
        &corpus("missing_column.csv"),
        Some(1),
        Some("question"),
        "missing column",
    );
}

#[test]
fn duplicate_header_column() {
    refused(
        &corpus("duplicate_header.csv"),
        Some(1),
        Some("month"),
        "twice",
    );
}

// ----------------------------------------------------------------------------------------------
// Structure problems in one row

#[test]
fn quote_left_open() {
    refused(&corpus("quote_open.csv"), Some(3), None, "quote");
}

#[test]
fn mixed_delimiters() {
    refused(&corpus("mixed_delimiters.csv"), Some(3), None, "");
}

#[test]
fn short_row() {
    refused(&corpus("short_row.csv"), Some(3), None, "");
}

#[test]
fn nul_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nul_bytes.csv");
    let good = std::fs::read(corpus("valid_baseline.csv")).expect("corpus");
    let mut bytes = good.clone();
    // Row 3's answer gets a NUL in the middle (a binary paste).
    let text = String::from_utf8(good).expect("utf-8");
    let at = text.find("nos ayudó").expect("row 3 text");
    bytes.insert(at, 0);
    std::fs::write(&path, bytes).expect("write");
    refused(&path, Some(3), Some("answer"), "NUL");
}

#[test]
fn ten_megabyte_cell() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big_cell_10mb.csv");
    let mut s = std::fs::read_to_string(corpus("valid_baseline.csv")).expect("corpus");
    let cell = "la asistencia técnica contribuye ".repeat(10 * 1024 * 1024 / 34 + 1);
    s.push_str(&format!(
        "11001,Alcaldía de Bogotá,Bogotá D.C.,Centro Oriente,2020-07,articulacion_instrumentos,\"{cell}\",,\n"
    ));
    std::fs::write(&path, s).expect("write");
    assert!(std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) > 10_000_000);
    refused(&path, Some(6), Some("answer"), "too large");
}

#[test]
fn all_or_nothing_bad_last_row() {
    // 300 good rows, then one rating off the scale on row 302: not one answer may be written.
    refused(
        &corpus("bad_last_row.csv"),
        Some(302),
        Some("rating"),
        "off the scale",
    );
}

// ----------------------------------------------------------------------------------------------
// Value problems

#[test]
fn rating_as_word() {
    refused(
        &corpus("rating_word.csv"),
        Some(3),
        Some("rating"),
        "cuatro",
    );
}

#[test]
fn rating_off_scale() {
    refused(
        &corpus("rating_off_scale.csv"),
        Some(3),
        Some("rating"),
        "off the scale",
    );
}

#[test]
fn rating_on_open_question() {
    refused(
        &corpus("rating_on_open_question.csv"),
        Some(3),
        Some("rating"),
        "not a rating question",
    );
}

#[test]
fn month_invalid() {
    refused(
        &corpus("month_invalid.csv"),
        Some(4),
        Some("month"),
        "2020-13",
    );
}

#[test]
fn duplicated_rows() {
    refused(&corpus("duplicated_rows.csv"), Some(4), None, "duplicate");
}

/// Issue 15, item 6: one rule for the codes an answer may carry, refused at import as the web
/// refuses to save them.
#[test]
fn several_codes_on_a_single_label_question() {
    refused(
        &corpus("several_codes_single_label.csv"),
        Some(3),
        Some("codes"),
        "allows one code per answer",
    );
}

#[test]
fn unknown_code() {
    refused(
        &corpus("unknown_code.csv"),
        Some(3),
        Some("codes"),
        "no_existe",
    );
}

#[test]
fn unknown_question() {
    refused(
        &corpus("unknown_question.csv"),
        Some(3),
        Some("question"),
        "satisfaccion_cafe",
    );
}

#[test]
fn empty_entity_code() {
    refused(
        &corpus("empty_entity_code.csv"),
        Some(3),
        Some("entity_code"),
        "empty",
    );
}

// ----------------------------------------------------------------------------------------------
// Files whose meaning is clear: imported correctly

#[test]
fn baseline_imports() {
    let got = imported(&corpus("valid_baseline.csv"), 4);
    assert_baseline(&got, "valid_baseline.csv");
}

#[test]
fn latin1_windows_1252() {
    let got = imported(&corpus("latin1.csv"), 4);
    assert_baseline(&got, "latin1.csv");
}

#[test]
fn utf16_with_bom() {
    let got = imported(&corpus("utf16le_bom.csv"), 4);
    assert_baseline(&got, "utf16le_bom.csv");
}

#[test]
fn nfd_accents_stored_as_nfc() {
    let got = imported(&corpus("nfd_accents.csv"), 4);
    assert_baseline(&got, "nfd_accents.csv");
}

#[test]
fn bom_and_semicolons() {
    let got = imported(&corpus("bom_semicolon.csv"), 2);
    assert_eq!(
        by_entity(&got, "05001", "calificacion_general").rating,
        Some(4.0)
    );
}

#[test]
fn crlf_line_ends() {
    let got = imported(&corpus("crlf.csv"), 4);
    assert_baseline(&got, "crlf.csv");
    assert!(
        got.iter()
            .all(|a| !a.text.contains('\r') && !a.codes.iter().any(|c| c.contains('\r')))
    );
}

#[test]
fn trailing_empty_columns() {
    let got = imported(&corpus("trailing_empty_columns.csv"), 4);
    assert_baseline(&got, "trailing_empty_columns.csv");
}

#[test]
fn extra_columns_kept_as_attributes() {
    let got = imported(&corpus("extra_columns.csv"), 4);
    assert_baseline(&got, "extra_columns.csv");
    let a = by_entity(&got, "76001", "calificacion_general");
    assert_eq!(
        a.attributes.get("encuestador").map(String::as_str),
        Some("Ana Pérez")
    );
    assert_eq!(
        a.attributes.get("duracion_min").map(String::as_str),
        Some("45")
    );
}

#[test]
fn rating_decimal_comma_semicolon_file() {
    let got = imported(&corpus("rating_decimal_comma.csv"), 2);
    assert_eq!(
        by_entity(&got, "05001", "calificacion_general").rating,
        Some(4.5)
    );
}

#[test]
fn rating_decimal_comma_quoted() {
    let got = imported(&corpus("rating_decimal_comma_quoted.csv"), 2);
    assert_eq!(
        by_entity(&got, "05001", "calificacion_general").rating,
        Some(4.5)
    );
}

#[test]
fn month_spanish_name() {
    let got = imported(&corpus("month_spanish_name.csv"), 4);
    assert_baseline(&got, "month_spanish_name.csv");
}

#[test]
fn month_year_slash_month() {
    let got = imported(&corpus("month_slash.csv"), 4);
    assert_baseline(&got, "month_slash.csv");
}

#[test]
fn right_to_left_and_emoji() {
    let got = imported(&corpus("rtl_emoji.csv"), 2);
    let a = by_entity(&got, "05001", "articulacion_instrumentos");
    assert_eq!(a.text, "Sí 👍🏽 مرحبا بالعالم שלום ✅ la asistencia 🇨🇴 ayudó");
    let b = by_entity(&got, "76001", "necesidades_debilidades");
    assert!(
        b.text.contains('\u{202e}') && b.text.contains("📶"),
        "{:?}",
        b.text
    );
}

#[test]
fn leading_zeros_kept() {
    let got = imported(&corpus("leading_zeros.csv"), 2);
    assert!(got.iter().any(|a| a.entity_code == "05045"));
}

#[test]
fn excel_sep_hint_line() {
    // "sep=;" on the first line tells Excel the delimiter (survey platforms write it so that
    // Excel opens the file right): understood, and the line is not a header.
    let got = imported(&corpus("excel_sep_hint.csv"), 2);
    assert_eq!(
        by_entity(&got, "76001", "calificacion_general").rating,
        Some(3.0)
    );
}

// ----------------------------------------------------------------------------------------------
// Workbooks

const XLSX_HEADER: [&str; 9] = [
    "entity_code",
    "entity_name",
    "department",
    "region",
    "month",
    "question",
    "answer",
    "rating",
    "codes",
];

/// A canonical workbook as an analyst keeps it: entity codes typed as text, the month typed as
/// an Excel date (shown "jul-20"), a rating typed "4,5" as text, another as a number.
fn canonical_workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    fill_canonical_sheet(wb.add_worksheet()).expect("workbook cells");
    wb.save_to_buffer().expect("workbook saves")
}

type SheetRow<'a> = [&'a str; 7];

fn fill_canonical_sheet(
    ws: &mut rust_xlsxwriter::Worksheet,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format};
    let date = Format::new().set_num_format("mmm-yy");
    for (c, h) in XLSX_HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    let med = [
        "05001",
        "Alcaldía de Medellín",
        "Antioquia",
        "Eje Cafetero - Antioquia",
    ];
    let cali = ["76001", "Alcaldía de Cali", "Valle del Cauca", "Pacífico"];
    let rows: [(SheetRow<'_>, &str); 3] = [
        (
            [
                med[0],
                med[1],
                med[2],
                med[3],
                "calificacion_general",
                "",
                "4,5",
            ],
            "",
        ),
        (
            [
                med[0],
                med[1],
                med[2],
                med[3],
                "articulacion_instrumentos",
                "Sí, nos ayudó a articular el plan.",
                "",
            ],
            "integralidad",
        ),
        (
            [
                cali[0],
                cali[1],
                cali[2],
                cali[3],
                "calificacion_general",
                "",
                "3",
            ],
            "",
        ),
    ];
    for (i, (r, codes)) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (c, v) in r[..4].iter().enumerate() {
            ws.write_string(row, c as u16, *v)?;
        }
        ws.write_datetime_with_format(row, 4, ExcelDateTime::from_ymd(2020, 7, 1)?, &date)?;
        ws.write_string(row, 5, r[4])?;
        ws.write_string(row, 6, r[5])?;
        match r[6] {
            "3" => ws.write_number(row, 7, 3.0)?,
            other => ws.write_string(row, 7, other)?,
        };
        if !codes.is_empty() {
            ws.write_string(row, 8, *codes)?;
        }
    }
    Ok(())
}

#[test]
fn xlsx_with_dates_and_decimal_comma() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("canonical.xlsx");
    std::fs::write(&path, canonical_workbook()).expect("write");
    let got = imported(&path, 3);
    let a = by_entity(&got, "05001", "calificacion_general");
    assert_eq!(a.rating, Some(4.5));
    assert_eq!(a.month.to_string(), "2020-07");
    assert_eq!(
        by_entity(&got, "76001", "calificacion_general").rating,
        Some(3.0)
    );
    assert_eq!(
        by_entity(&got, "05001", "articulacion_instrumentos").codes,
        ["integralidad"]
    );
}

#[test]
fn truncated_xlsx() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("truncated.xlsx");
    let bytes = canonical_workbook();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("write");
    refused(&path, None, None, "");
}

#[test]
fn xlsx_with_an_empty_sheet() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("empty_sheet.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet();
    wb.save(&path).expect("workbook saves");
    refused(&path, None, None, "empty");
}

#[test]
fn zip_renamed_xlsx() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("fotos.xlsx");
    let f = std::fs::File::create(&path).expect("create");
    let mut z = zip::ZipWriter::new(f);
    z.start_file("leeme.txt", zip::write::SimpleFileOptions::default())
        .expect("zip entry");
    z.write_all(b"no es una hoja de calculo")
        .expect("zip write");
    z.finish().expect("zip finish");
    refused(&path, None, None, "");
}

// ----------------------------------------------------------------------------------------------
// Fuzzing regressions: every input that crashed a fuzz target (fuzz/fuzz_targets/) is kept in
// tests/bad_inputs/fuzz/<target>/ and replayed here through the same library calls, in process.

fn fuzz_workspace() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = Workspace::init(
        &dir.path().join("ws"),
        codifica::config::Config::monitoreo360_text(),
        false,
    )
    .expect("workspace");
    codifica::codebook::install_defaults(&ws).expect("codebooks");
    (dir, ws)
}

/// The import's pass 1 on `path`, as the `csv_import` and `xlsx_import` targets run it.
fn validate_file(ws: &Workspace, path: &Path) {
    use codifica::ingest::{canonical::Columns, reader, validate::Validator};
    let Ok(mut source) = reader::open(path, None) else {
        return;
    };
    let cols = Columns::resolve(&source.headers);
    let Ok(codebooks) = codifica::ingest::load_codebooks(ws) else {
        return;
    };
    let mut v = Validator::new(ws.config(), codebooks, false);
    for row in source.by_ref() {
        let Ok(row) = row else { return };
        for p in row.problems.iter().cloned() {
            v.push(p);
        }
        if let Ok(cols) = &cols {
            let _ = v.check(cols.draft(&row));
        }
        if v.is_full() {
            break;
        }
    }
    for e in v.into_errors() {
        let _ = e.to_string();
    }
}

fn replay(target: &str, data: &[u8], ws: &Workspace, scratch: &Path) {
    use codifica::codebook::Codebook;
    match target {
        "csv_import" | "xlsx_import" => {
            let ext = if target == "csv_import" {
                "csv"
            } else {
                "xlsx"
            };
            let path = scratch.join(format!("replay.{ext}"));
            std::fs::write(&path, data).expect("write");
            validate_file(ws, &path);
        }
        "codebook_parse" => {
            if let Ok(text) = std::str::from_utf8(data) {
                let path = Path::new("codebooks/fuzz.toml");
                if let Ok(cb) = Codebook::parse(text, path) {
                    let _ = cb.validate_located();
                    assert!(
                        Codebook::parse(&cb.to_toml(), path).is_ok(),
                        "TOML round trip"
                    );
                    let _ = codifica::qda::qdc::to_qdc(&cb);
                }
            }
        }
        "qdc_parse" => {
            let base = Codebook::default_for("necesidades_debilidades");
            for b in [None, base.as_ref()] {
                let r = codifica::qda::qdc::from_qdc(
                    data,
                    Path::new("fuzz.qdc"),
                    "necesidades_debilidades",
                    b,
                    "Fuzz",
                );
                if let Ok(imp) = r {
                    let _ = codifica::qda::qdc::to_qdc(&imp.codebook);
                }
            }
        }
        "search_query" => {
            if let Ok(text) = std::str::from_utf8(data) {
                let settings = codifica::analyze::AnalyzerSettings::default();
                let _ = codifica::search::check_query(text, &settings);
            }
        }
        "model_load" => {
            use codifica::model::persist::{FORMAT_VERSION, MAGIC, ModelSet};
            let Some((&mode, rest)) = data.split_first() else {
                return;
            };
            let bytes = if mode & 1 == 0 {
                rest.to_vec()
            } else {
                let mut out = MAGIC.to_vec();
                out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
                out.extend_from_slice(&crc32fast::hash(rest).to_le_bytes());
                out.extend_from_slice(&(rest.len() as u64).to_le_bytes());
                out.extend_from_slice(rest);
                out
            };
            let path = Path::new("fuzz.model");
            let Ok(set) = ModelSet::from_bytes(path, &bytes) else {
                return;
            };
            if set
                .check_analyzer(path, &codifica::analyze::AnalyzerSettings::default())
                .is_err()
            {
                return;
            }
            let mut analyzer = codifica::analyze::Analyzer::new(&set.analyzer);
            for m in &set.models {
                let mut scorer = m.scorer();
                for text in [
                    "falta comunicación con los asesores",
                    "",
                    "no sabe",
                    "PDT KPT planeación",
                ] {
                    let _ = scorer.predict(&mut analyzer, text, 3);
                }
            }
        }
        other => panic!("unknown fuzz target folder {other}"),
    }
}

#[test]
fn fuzz_regressions_do_not_panic() {
    let root = corpus("fuzz");
    let Ok(targets) = std::fs::read_dir(&root) else {
        skipped!("no fuzz regressions in {}", root.display());
        return;
    };
    let (dir, ws) = fuzz_workspace();
    let mut failures = Vec::new();
    let mut replayed = 0;
    for t in targets.flatten() {
        let target = t.file_name().to_string_lossy().into_owned();
        for f in std::fs::read_dir(t.path()).into_iter().flatten().flatten() {
            let data = std::fs::read(f.path()).expect("read");
            replayed += 1;
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                replay(&target, &data, &ws, dir.path())
            }));
            if r.is_err() {
                failures.push(format!("{target}/{}", f.file_name().to_string_lossy()));
            }
        }
    }
    eprintln!("replayed {replayed} fuzz regression inputs");
    assert!(failures.is_empty(), "inputs that still panic: {failures:?}");
}

/// Found by the `model_load` fuzz target: a model file with a valid header and checksum whose
/// linear model's bias has fewer entries than it has codes loads without complaint and then
/// panics in `classify` (src/model/linear.rs, `copy_from_slice`). A damaged or hand-edited model
/// must be refused when loaded, with a message naming the file.
#[test]
fn model_with_inconsistent_shapes_is_refused_not_panicking() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("answers.csv");
    std::fs::write(
        &input,
        "text,q\nfalta comunicación con los asesores,demanda_temas\n",
    )
    .expect("write");
    let model = corpus("model_bias_mismatch.model");
    let out = codifica(dir.path())
        .args(["classify", "--model"])
        .arg(&model)
        .arg("--input")
        .arg(&input)
        .args([
            "--text-column",
            "text",
            "--question-column",
            "q",
            "--output",
        ])
        .arg(dir.path().join("out.csv"))
        .output()
        .expect("codifica runs");
    no_panic(&out, "model_bias_mismatch.model");
    assert!(!out.status.success(), "a corrupt model classified answers");
    let err = text(&out.stderr);
    assert!(
        err.contains("model_bias_mismatch.model"),
        "the message must name the model file:\n{err}"
    );
}

// ----------------------------------------------------------------------------------------------
// Issue 15: nothing lost, nothing unbounded

#[test]
fn mixed_encodings_latin1_row_first() {
    refused(
        &corpus("mixed_encodings_latin1_first.csv"),
        None,
        None,
        "mixes two text encodings",
    );
}

#[test]
fn mixed_encodings_after_many_ascii_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("late_mix.csv");
    // Header and 3,000 rows of ASCII only: the invalid byte comes before any UTF-8 accent.
    let mut bytes =
        b"entity_code,entity_name,department,region,month,question,answer,rating,codes\n".to_vec();
    for i in 0..3000 {
        bytes.extend(
            format!(
                "{:05},Alcaldia {i},Antioquia,Eje,2020-07,calificacion_general,,4,\n",
                20000 + i
            )
            .as_bytes(),
        );
    }
    bytes.extend(b"76002,Alcald\xeda,Valle,Pac\xedfico,2020-07,calificacion_general,,3,\n");
    bytes.extend("76003,Alcaldía,Valle,Pacífico,2020-07,calificacion_general,,3,\n".as_bytes());
    std::fs::write(&path, bytes).expect("write");
    refused(&path, None, None, "line 3002 (byte");
}

#[test]
fn bom_at_the_start_of_a_data_line() {
    let got = imported(&corpus("bom_in_data_line.csv"), 4);
    assert_baseline(&got, "bom_in_data_line.csv");
    assert!(got.iter().all(|a| !a.entity_code.contains('\u{feff}')));
}

#[test]
fn value_under_an_empty_header() {
    refused(
        &corpus("value_under_empty_header.csv"),
        Some(3),
        Some("J"),
        "header (row 1) is empty",
    );
}

#[test]
fn value_under_an_empty_xlsx_header() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("empty_header.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    fill_canonical_sheet(ws).expect("cells");
    ws.write_string(2, 10, "nota sin columna").expect("cell");
    wb.save(&path).expect("workbook saves");
    refused(&path, Some(3), Some("K"), "header (row 1) is empty");
}

#[test]
fn month_that_is_a_path() {
    refused(
        &corpus("month_path.csv"),
        Some(3),
        Some("month"),
        "not a month",
    );
}

#[test]
fn month_with_an_impossible_day() {
    refused(
        &corpus("month_impossible_day.csv"),
        Some(3),
        Some("month"),
        "not a month",
    );
}

#[test]
fn a_pipe_or_a_device_is_not_empty_but_not_a_regular_file() {
    let ws = workspace(false);
    let data = std::fs::read(corpus("valid_baseline.csv")).expect("corpus");
    let out = codifica(ws.path())
        .args(["import", "/dev/stdin"])
        .write_stdin(data)
        .output()
        .expect("codifica runs");
    let err = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("not a regular file") && !err.contains("0 bytes"),
        "{err}"
    );
    for dev in ["/dev/urandom", "/dev/zero"] {
        if !Path::new(dev).exists() {
            skipped!("{dev} is absent");
            continue;
        }
        let out = run(ws.path(), &["import", dev]);
        no_panic(&out, dev);
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains("not a regular file"), "{dev}");
    }
    assert!(answers(ws.path()).is_empty());
}

#[test]
fn months_on_the_command_line_share_one_lenient_parser() {
    let ws = workspace(true);
    for sub in [
        &["review"][..],
        &["classify"],
        &["search", "plan"],
        &["export", "--format", "csv", "--output", "x.csv"],
    ] {
        for bad in ["2020-11/../../x", "2020-11-31"] {
            let mut args: Vec<&str> = sub.to_vec();
            args.extend(["--month", bad]);
            let out = run(ws.path(), &args);
            no_panic(&out, bad);
            let err = text(&out.stderr);
            assert!(!out.status.success(), "{args:?} accepted");
            assert!(err.contains("is not a month"), "{args:?}: {err}");
        }
    }
    // "julio 2020" is a month for review as for search.
    let out = run(ws.path(), &["review", "--month", "julio 2020"]);
    let err = text(&out.stderr);
    assert!(!err.contains("is not a month"), "{err}");
    let out = run(ws.path(), &["classify", "--month", "julio 2020"]);
    let err = text(&out.stderr);
    assert!(!err.contains("is not a month"), "{err}");
}

/// A workbook of a few KB whose sheet has one value at `far` besides A1.
fn far_cell_workbook(path: &Path, far: (u32, u16)) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    fill_canonical_sheet(ws).expect("cells");
    ws.write_string(far.0, far.1, "lejos").expect("far cell");
    wb.save(path).expect("workbook saves");
}

#[test]
fn a_far_cell_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, far, range) in [
        ("far_xfd.xlsx", (1_048_575, 16_383), "A1:XFD1048576"),
        ("far_z.xlsx", (1_048_575, 25), "A1:Z1048576"),
    ] {
        let path = dir.path().join(name);
        far_cell_workbook(&path, far);
        assert!(std::fs::metadata(&path).expect("meta").len() < 20_000);
        refused(&path, None, None, range);
        let ws = workspace(false);
        let p = path.to_str().unwrap_or_default();
        let out_csv = dir.path().join("out.csv");
        for args in [
            vec!["import", "--dry-run", p],
            vec![
                "classify",
                "--input",
                p,
                "--output",
                out_csv.to_str().unwrap_or_default(),
                "--text-column",
                "answer",
            ],
        ] {
            let out = run(ws.path(), &args);
            no_panic(&out, name);
            let err = text(&out.stderr);
            assert!(!out.status.success(), "{args:?}");
            assert_ne!(out.status.code(), Some(134), "{args:?}: aborted");
            assert!(err.contains(range), "{args:?}: {err}");
        }
    }
}

#[test]
fn a_zip_bomb_part_is_refused_from_its_declared_size() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bomba.xlsx");
    let f = std::fs::File::create(&path).expect("create");
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    z.start_file("[Content_Types].xml", opts).expect("entry");
    z.write_all(b"<Types/>").expect("write");
    z.start_file("xl/sharedStrings.xml", opts).expect("entry");
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..300 {
        z.write_all(&chunk).expect("write");
    }
    z.finish().expect("zip finish");
    assert!(std::fs::metadata(&path).expect("meta").len() < 2 << 20);
    refused(&path, None, None, "limit is 256 MB");
}

// ------------------------------------------------------------ CLI conventions (issue 17, item 8)

/// `review --question` with a question the config does not have says so, naming the question
/// and the ones it has, instead of "no uncoded answers to review".
#[test]
fn review_names_an_unknown_question() {
    let ws = workspace(true);
    let out = run(ws.path(), &["review", "--question", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    let e = text(&out.stderr);
    assert!(e.contains("unknown question 'nope'"), "{e}");
    assert!(e.contains("articulacion_instrumentos"), "{e}");
}

/// With `--json`, an error is one JSON object on stderr with the exit code: 1 for an error, 2
/// for a usage error; without it, the plain `error: …` line.
#[test]
fn errors_are_json_under_json() {
    let ws = workspace(true);
    let out = run(ws.path(), &["review", "--question", "nope", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stderr).expect("stderr is JSON");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("unknown question 'nope'"),
        "{v}"
    );
    assert_eq!(v["exit_code"], 1);
    assert!(out.stdout.is_empty());
    let out = run(ws.path(), &["flags", "--month", "2020-13", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stderr).expect("stderr is JSON");
    assert_eq!(v["exit_code"], 2);
    assert!(v["error"].as_str().unwrap().contains("2020-13"), "{v}");
    let out = run(ws.path(), &["review", "--question", "nope"]);
    assert!(text(&out.stderr).starts_with("error: unknown question"));
}

/// An exported but empty `CODIFICA_WORKSPACE` means the current folder, as if unset; it is not
/// reported as a `--workspace` given without a value.
#[test]
fn empty_codifica_workspace_is_the_current_folder() {
    let ws = workspace(true);
    let out = Command::cargo_bin("codifica")
        .unwrap()
        .arg("status")
        .env("CODIFICA_WORKSPACE", "")
        .current_dir(ws.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("4 answers"),
        "{}",
        text(&out.stdout)
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("codifica")
        .unwrap()
        .arg("status")
        .env("CODIFICA_WORKSPACE", "")
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    let e = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(!e.contains("a value is required"), "{e}");
    assert!(e.contains("is not a codifica workspace"), "{e}");
}

/// `codifica completions SHELL` prints a completion script that knows the subcommands.
#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = Command::cargo_bin("codifica")
            .unwrap()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let s = text(&out.stdout);
        assert!(
            s.contains("codifica") && s.contains("reindex"),
            "{shell}: {s}"
        );
    }
    let out = Command::cargo_bin("codifica")
        .unwrap()
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// `codifica manpage [COMMAND]` prints a roff man page, a subcommand's with the global options.
#[test]
fn man_pages_for_codifica_and_each_subcommand() {
    let page = |args: &[&str]| {
        let out = Command::cargo_bin("codifica")
            .unwrap()
            .arg("manpage")
            .args(args)
            .output()
            .unwrap();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    let (code, top, _) = page(&[]);
    assert_eq!(code, Some(0));
    assert!(
        top.contains(".TH codifica 1") && top.contains("reindex"),
        "{top}"
    );
    let (code, review, _) = page(&["review"]);
    assert_eq!(code, Some(0));
    assert!(review.contains(".TH codifica-review 1"), "{review}");
    assert!(
        review.contains("\\-\\-question") && review.contains("\\-\\-workspace"),
        "{review}"
    );
    let (code, _, e) = page(&["nope"]);
    assert_eq!(code, Some(1));
    assert!(e.contains("no subcommand 'nope'"), "{e}");
}

/// Every option and argument of every command has a line of help (`-h` lists each with its
/// text on the same line; a bare name means an undocumented option).
#[test]
fn every_option_has_help() {
    let mut commands: Vec<Vec<String>> = Vec::new();
    for name in subcommands(&[]) {
        let nested = subcommands(std::slice::from_ref(&name));
        commands.push(vec![name.clone()]);
        for sub in nested {
            commands.push(vec![name.clone(), sub]);
        }
    }
    assert!(commands.len() > 20, "{commands:?}");
    let mut bare = Vec::new();
    for cmd in &commands {
        let out = Command::cargo_bin("codifica")
            .unwrap()
            .args(cmd)
            .arg("-h")
            .output()
            .unwrap();
        assert!(out.status.success(), "{cmd:?}: {}", text(&out.stderr));
        let help = text(&out.stdout);
        let mut section = "";
        let lines: Vec<&str> = help.lines().collect();
        let indent = |l: &str| l.len() - l.trim_start().len();
        for (i, line) in lines.iter().enumerate() {
            if line.ends_with(':') && !line.starts_with(' ') {
                section = line;
                continue;
            }
            let t = line.trim();
            // An item starts at column 2 (`-w, --workspace`, `<FILE>`) or 6 (`--json`); its
            // help follows after two spaces or more, or (when clap lacks the width) on the next
            // line, indented deeper. Deeper lines continue a help text.
            let is_item = indent(line) <= 6 && (t.starts_with('-') || t.starts_with('<'));
            let next = lines.get(i + 1).copied().unwrap_or("");
            let help_below = indent(next) > indent(line) + 2 && !next.trim().is_empty();
            if (section == "Options:" || section == "Arguments:")
                && is_item
                && !t.contains("  ")
                && !help_below
            {
                bare.push(format!("{cmd:?}: {t}"));
            }
        }
    }
    assert!(
        bare.is_empty(),
        "options without help:\n{}",
        bare.join("\n")
    );
}

/// The subcommands `codifica ARGS -h` lists (none for a leaf), without `help`.
fn subcommands(args: &[String]) -> Vec<String> {
    let out = Command::cargo_bin("codifica")
        .unwrap()
        .args(args)
        .arg("-h")
        .output()
        .unwrap();
    text(&out.stdout)
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|n| n != "help")
        .collect()
}

/// Short options mean the same on every command (README): `-Q` question, `-n` how many.
#[test]
fn short_options_are_the_same_everywhere() {
    let ws = workspace(true);
    let out = run(ws.path(), &["search", "plan OR comunicacion", "--json"]);
    let all = text(&out.stdout);
    assert!(all.contains("05001") && all.contains("76001"), "{all}");
    let out = run(
        ws.path(),
        &[
            "search",
            "plan OR comunicacion",
            "-Q",
            "necesidades_debilidades",
            "-n",
            "1",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "one hit and the summary: {lines:?}");
    assert_eq!(lines[0]["entity_code"], "76001");
    assert_eq!(lines[1]["total"], 1);
}

// ----------------------------------------------------------------------------------------------
// Exit codes: 1 for what the user can fix, 3 for internal failures (README, `cli::main`).

#[test]
fn unknown_analyzer_language_is_refused_at_config_load() {
    let ws = workspace(false);
    let config = ws.path().join("codifica.toml");
    let toml = std::fs::read_to_string(&config).expect("config");
    assert!(toml.contains("language = \"es\""), "{toml}");
    let toml = toml.replacen("language = \"es\"", "language = \"fr\"", 1);
    std::fs::write(&config, toml).expect("write config");
    let out = run(ws.path(), &["status"]);
    no_panic(&out, "codifica.toml");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("codifica.toml") && err.contains("language") && err.contains("\"fr\""),
        "{err}"
    );
}

#[test]
fn a_corrupt_index_is_an_internal_failure_exit_3() {
    let ws = workspace(false);
    std::fs::write(ws.path().join("index/meta.json"), "not json").expect("corrupt");
    let out = run(ws.path(), &["search", "agua"]);
    no_panic(&out, "meta.json");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("meta.json"), "{err}");
}
