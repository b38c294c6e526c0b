//! Issue 12, "no rule exists twice": every input read, parsed or dated by one rule, so two
//! faces (CLI, web) or two files (a month import, a population) never disagree.

use std::path::PathBuf;

/// Writes `bytes` as `name` in a fresh temporary folder (kept alive by the returned guard).
fn file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

/// Windows-1252 bytes of `text` (what Excel writes for "CSV" on Spanish Windows).
fn cp1252(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!bad);
    bytes.into_owned()
}

/// A population saved by Excel on Spanish Windows (`;`, Windows-1252) reads like a month import:
/// the sampler used to refuse it ("not UTF-8 text").
#[test]
fn population_in_windows_1252_with_semicolons_reads_like_an_import() {
    let text = "entity_code;entity_name;department;region\r\n\
                05001;Alcaldía de Medellín;Antioquia;Eje Cafetero\r\n\
                52835;Alcaldía de Tumaco;Nariño;Pacífico\r\n";
    let (_d, path) = file("poblacion.csv", &cp1252(text));
    let p = codifica::sample::read_population(&path).unwrap();
    assert_eq!(p.len(), 2);
    assert_eq!(p[0].entity_name, "Alcaldía de Medellín");
    assert_eq!(
        (p[1].department.as_str(), p[1].region.as_str()),
        ("Nariño", "Pacífico")
    );
}

/// A gazetteer with `;` used to be read as one column and refused ("required column is
/// missing"); a Windows-1252 one used to be refused by the CSV parser.
#[test]
fn gazetteer_with_semicolons_in_windows_1252_is_read() {
    let text = "divipola_mpio;municipio;lat_cabecera;lon_cabecera\r\n\
                19318;Guapí;2.58;-77.89\r\n\
                05001;Medellín;6.25;-75.56\r\n";
    let (_d, path) = file("gaz.csv", &cp1252(text));
    let g = codifica::report::map::read_gazetteer(&path).unwrap();
    assert!(g.locate("05001").is_some());
}

/// Gazetteer headers match as every table's do (trimmed, any case): `DIVIPOLA_MPIO` used to be
/// refused while the population reader accepted it.
#[test]
fn gazetteer_headers_match_in_any_case() {
    let text = "DIVIPOLA_MPIO,Lat_Cabecera,Lon_Cabecera\n5001,6.25,-75.56\n";
    let (_d, path) = file("gaz.csv", text.as_bytes());
    let g = codifica::report::map::read_gazetteer(&path).unwrap();
    assert!(g.locate("05001").is_some());
}

/// A missing column still names the file and the column.
#[test]
fn a_population_without_region_is_refused_by_name() {
    let (_d, path) = file("p.csv", b"entity_code,entity_name,department\n1,a,b\n");
    let err = codifica::sample::read_population(&path)
        .unwrap_err()
        .to_string();
    assert!(err.contains("p.csv") && err.contains("region"), "{err}");
}

/// One `SOURCE_DATE_EPOCH` rule: a malformed value is refused by every writer. The workbook
/// writer (`export --out x.xlsx`, `sample`…) used to fall back to 1980 silently while the report
/// refused the same value. (The only test in this binary that sets the variable.)
#[test]
fn a_malformed_source_date_epoch_is_refused_by_the_workbook_writer_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    // SAFETY: no other test in this binary reads or writes the environment.
    unsafe { std::env::set_var("SOURCE_DATE_EPOCH", "ayer") };
    let err = codifica::app::files::write_table(&path, &["a"], &[vec!["1".into()]]);
    unsafe { std::env::remove_var("SOURCE_DATE_EPOCH") };
    let err = err.unwrap_err().to_string();
    assert!(err.contains("SOURCE_DATE_EPOCH='ayer'"), "{err}");
    assert!(!path.exists(), "nothing written");
}

fn answer(
    question: &str,
    rating: Option<f64>,
    text: &str,
    codes: &[&str],
) -> codifica::answer::Answer {
    codifica::answer::Answer {
        entity_code: "05001".into(),
        entity_name: "Alcaldía de Medellín".into(),
        department: "Antioquia".into(),
        region: "Eje Cafetero".into(),
        entity_kind: None,
        month: codifica::month::Month::parse("2020-11").unwrap(),
        question: question.into(),
        answer_id: None,
        text: text.into(),
        rating,
        codes: codes.iter().map(|c| c.to_string()).collect(),
        machine: None,
        interview_date: None,
        respondent_role: None,
        attributes: Default::default(),
    }
}

/// The demand question is the config's `demand_question`, not the id `demanda_temas`: a survey
/// that names it otherwise used to get an empty demand table.
#[test]
fn the_demand_question_comes_from_the_config() {
    // The question and the config's `demand_question` renamed alike.
    let text = codifica::config::Config::monitoreo360_text()
        .replace("\"demanda_temas\"", "\"temas_pedidos\"");
    assert!(text.contains("demand_question = \"temas_pedidos\""));
    let config = codifica::config::Config::parse(&text, std::path::Path::new("c.toml")).unwrap();
    assert!(
        config.question("temas_pedidos").is_some(),
        "renamed in the config"
    );
    let answers = [
        answer("calificacion_general", Some(4.0), "", &[]),
        answer("temas_pedidos", None, "catastro y vías", &["catastro"]),
    ];
    let month = codifica::month::Month::parse("2020-11").unwrap();
    let d = codifica::report::ReportData::build(
        &answers,
        &config,
        &Default::default(),
        month,
        &Default::default(),
    );
    let codes: Vec<&str> = d.demand.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["catastro"]);
}

fn codifica(ws: &std::path::Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("codifica").unwrap();
    c.arg("--workspace").arg(ws);
    c
}

/// One month parser: a QDA project's month ("mayo 2024" in a mapping's `fixed_month`) reads as
/// the month column of an import does; the QDA import used to accept only `YYYY-MM`.
#[test]
fn a_qda_month_is_read_by_the_lenient_month_rule() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path();
    codifica(ws).arg("init").assert().success();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/qda");
    let qdpx = ws.join("entrevistas.qdpx");
    crate::common::zip_dir(&fixtures.join("qualcoder_style"), &qdpx);
    let mapping = std::fs::read_to_string(fixtures.join("qualcoder_mapping.toml"))
        .unwrap()
        .replace("fixed_month = \"2024-05\"", "fixed_month = \"mayo 2024\"");
    assert!(mapping.contains("mayo 2024"));
    let mapping_file = ws.join("mapping.toml");
    std::fs::write(&mapping_file, mapping).unwrap();
    let out = codifica(ws)
        .args(["import", "--mapping"])
        .arg(&mapping_file)
        .arg(&qdpx)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("added 4"), "{stdout}");
}

/// Tantivy stays behind `store` and `search`: a query is checked without touching the schema.
#[test]
fn a_query_is_checked_through_search_alone() {
    let settings = codifica::analyze::AnalyzerSettings::default();
    assert!(codifica::search::check_query("planeación AND territorial", &settings).is_ok());
    let err = codifica::search::check_query("(planeación", &settings).unwrap_err();
    assert!(err.to_string().contains("invalid query"), "{err}");
}

/// One codebook rule: export labels codes from the codebooks the report shows (the workspace's
/// file, else the built-in default). Export used to leave the defaults out and print no label.
#[test]
fn export_labels_codes_from_the_built_in_codebook_too() {
    use codifica::workspace::Workspace;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    codifica(root).arg("init").assert().success();
    let ws = Workspace::open(root).unwrap();
    std::fs::remove_file(codifica::codebook::path_for(&ws, "demanda_temas")).unwrap();
    {
        let _lock = ws.lock().unwrap();
        let store = codifica::store::Store::open(&ws).unwrap();
        let a = answer(
            "demanda_temas",
            None,
            "seguimiento al plan",
            &["seguimiento_pdt"],
        );
        store.upsert(vec![a], |_| {}).unwrap();
    }
    let out = root.join("x.csv");
    codifica(root)
        .args(["export", "--format", "csv", "--output"])
        .arg(&out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.contains("Seguimiento al plan de desarrollo"), "{csv}");
}

/// One unknown-question rule (`Config::require_question`): `export -Q` names the ids the config
/// has, as `search -Q` and `review -Q` do; it used to say only "no question 'x'".
#[test]
fn export_and_search_refuse_an_unknown_question_alike() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    codifica(root).arg("init").assert().success();
    let out_file = root.join("x.csv");
    let runs: [&[&str]; 2] = [
        &["export", "--format", "csv", "-Q", "nope", "--output"],
        &["search", "-Q", "nope", "agua"],
    ];
    for args in runs {
        let mut c = codifica(root);
        c.args(args);
        if args[0] == "export" {
            c.arg(&out_file);
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(
            e.contains("unknown question 'nope': codifica.toml has"),
            "{e}"
        );
        assert!(e.contains("demanda_temas"), "{e}");
    }
    assert!(!out_file.exists());
}
