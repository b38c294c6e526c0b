//! End-to-end tests of codebooks, lexicon coding and exchange (REFI-QDA, CSV, XLSX), driving the
//! `codifica` binary on small synthetic workspaces. Answers are stored through the library
//! (`Store::upsert`); every text below is synthetic.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use codifica::answer::{Answer, MachineCoding};
use codifica::store::{AnswerFilter, Store};
use codifica::workspace::Workspace;

const Q: &str = "articulacion_instrumentos";

fn codifica(ws: &Path) -> Command {
    let mut c = Command::cargo_bin("codifica").unwrap();
    c.arg("--workspace").arg(ws);
    c
}

fn init() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    codifica(dir.path()).arg("init").assert().success();
    dir
}

fn answer(entity: &str, month: &str, question: &str, text: &str, codes: &[&str]) -> Answer {
    serde_json::from_value(serde_json::json!({
        "entity_code": entity,
        "entity_name": format!("Municipio {entity}"),
        "department": "Antioquia",
        "region": if entity < "05500" { "Eje Cafetero" } else { "Pacífico" },
        "entity_kind": "alcaldía",
        "month": month,
        "question": question,
        "text": text,
        "codes": codes,
        "attributes": {"encuestador": "=cmd|' /C calc'!A0"},
    }))
    .unwrap()
}

fn machine(codes: &[&str]) -> MachineCoding {
    MachineCoding {
        codes: codes.iter().map(|s| s.to_string()).collect(),
        confidence: 0.8,
        margin: 0.3,
        top_terms: vec![],
        model: "modelo-prueba".into(),
        ..Default::default()
    }
}

fn store_answers(ws: &Path, answers: Vec<Answer>) {
    let ws = Workspace::open(ws).unwrap();
    let _lock = ws.lock().unwrap();
    let store = Store::open(&ws).unwrap();
    store.upsert(answers, |_| {}).unwrap();
}

/// Takes the workspace's write lock as another writer would. Retried briefly: a child process
/// that another test thread is spawning can hold a copy of this process's lock file descriptor
/// (from `store_answers`) until it execs.
fn hold_lock(ws: &Path) -> codifica::workspace::WorkspaceLock {
    let ws = Workspace::open(ws).unwrap();
    for _ in 0..100 {
        if let Ok(lock) = ws.lock() {
            return lock;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    ws.lock().unwrap()
}

fn stored(ws: &Path, question: &str) -> Vec<Answer> {
    let ws = Workspace::open(ws).unwrap();
    let store = Store::open(&ws).unwrap();
    store
        .answers(&AnswerFilter {
            question: Some(question.into()),
            ..Default::default()
        })
        .unwrap()
}

/// Four coded answers of Q (one double-coded, one with a machine code) and one rating.
fn populate(ws: &Path) {
    let mut a1 = answer(
        "05001",
        "2024-03",
        Q,
        "Entendimos la integralidad del proceso",
        &["integralidad"],
    );
    a1.machine = Some(machine(&["integralidad"]));
    let a2 = answer(
        "05002",
        "2024-03",
        Q,
        "Ayudó a apropiarse de los temas y ver el proceso completo",
        &["integralidad", "apropiacion_temas"],
    );
    let mut a3 = answer("05600", "2024-04", Q, "=SUM(1,2) solo piden reportes", &[]);
    a3.machine = Some(machine(&["apropiacion_temas"]));
    let a4 = answer(
        "05601",
        "2024-04",
        Q,
        "+57 300 no aporta 👍 nada nuevo",
        &["sin_contribucion"],
    );
    let mut r = answer("05001", "2024-03", "calificacion_general", "", &[]);
    r.rating = Some(4.0);
    store_answers(ws, vec![a1, a2, a3, a4, r]);
}

fn codebook_json(ws: &Path, q: &str) -> serde_json::Value {
    let out = codifica(ws)
        .args(["codebook", "show", "--question", q, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn codebook_file(ws: &Path, q: &str) -> PathBuf {
    ws.join("codebooks").join(format!("{q}.toml"))
}

/// Runs `codifica export ARGS --output WS/FILE`, which must succeed; returns the file's path.
fn export(ws: &Path, args: &[&str], file: &str) -> PathBuf {
    let out = ws.join(file);
    codifica(ws)
        .arg("export")
        .args(args)
        .arg("--output")
        .arg(&out)
        .assert()
        .success();
    out
}

fn stderr_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(!out.status.success(), "expected failure");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel);
    p.exists().then_some(p)
}

/// Validates `xml_file` against `xsd` with xmllint; `None` (and a printed SKIPPED) when xmllint
/// or the schema is missing.
fn xmllint(xsd: &str, xml_file: &Path) -> Option<(bool, String)> {
    let Some(schema) = shared(&format!("refi-qda/{xsd}")) else {
        skipped!("../shared/refi-qda/{xsd} not found");
        return None;
    };
    match StdCommand::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(xml_file)
        .output()
    {
        Ok(out) => Some((
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )),
        Err(_) => {
            tool_missing!("xmllint not installed");
            None
        }
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/qda")
        .join(name)
}

fn csv_rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            headers
                .iter()
                .zip(rec.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn codebook_list_show_add_rename_merge_keep_coded_answers() {
    let dir = init();
    let ws = dir.path();
    populate(ws);

    let out = codifica(ws).args(["codebook", "list"]).output().unwrap();
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        list.lines().any(|l| l.starts_with(Q) && l.contains(" 5 ")),
        "{list}"
    );

    let show = codifica(ws)
        .args(["codebook", "show", "--question", Q])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&show.stdout).contains("integralidad"));
    let guid_before = codebook_json(ws, Q)["codes"][0]["guid"]
        .as_str()
        .unwrap()
        .to_string();

    // add: GUID minted, colour normalised
    codifica(ws)
        .args([
            "codebook",
            "add",
            "--question",
            Q,
            "costos",
            "--label",
            "Costos del proceso",
        ])
        .args([
            "--polarity",
            "negative",
            "--seed",
            "costo",
            "--color",
            "#F00",
        ])
        .assert()
        .success();
    let cb = codebook_json(ws, Q);
    let costos = cb["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "costos")
        .unwrap();
    assert_eq!(costos["color"], "#FF0000");
    assert_eq!(costos["polarity"], "negative");
    assert_eq!(costos["guid"].as_str().unwrap().len(), 36);
    // The edited file stays readable by the team, as every file codifica writes.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(codebook_file(ws, Q))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
    }

    // rename: human AND machine codes follow; the GUID stays
    codifica(ws)
        .args([
            "codebook",
            "rename",
            "--question",
            Q,
            "integralidad",
            "--id",
            "vision_integral",
        ])
        .args(["--label", "Visión integral"])
        .assert()
        .success();
    let cb = codebook_json(ws, Q);
    assert_eq!(cb["codes"][0]["id"], "vision_integral");
    assert_eq!(cb["codes"][0]["guid"].as_str().unwrap(), guid_before);
    let answers = stored(ws, Q);
    assert_eq!(answers[0].codes, ["vision_integral"]);
    assert_eq!(
        answers[0].machine.as_ref().unwrap().codes,
        ["vision_integral"]
    );
    assert_eq!(answers[1].codes, ["vision_integral", "apropiacion_temas"]);
    assert!(
        answers
            .iter()
            .all(|a| !a.codes.contains(&"integralidad".to_string()))
    );

    // merge: codes follow, duplicates removed, machine codes too, source code gone
    codifica(ws)
        .args([
            "codebook",
            "merge",
            "--question",
            Q,
            "apropiacion_temas",
            "vision_integral",
        ])
        .assert()
        .success();
    let answers = stored(ws, Q);
    assert_eq!(answers[1].codes, ["vision_integral"]);
    assert_eq!(
        answers[2].machine.as_ref().unwrap().codes,
        ["vision_integral"]
    );
    assert_eq!(answers[3].codes, ["sin_contribucion"]);
    let cb = codebook_json(ws, Q);
    assert!(
        cb["codes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != "apropiacion_temas")
    );
    let coded = answers.iter().filter(|a| !a.codes.is_empty()).count();
    assert_eq!(coded, 3, "no coded answer lost");

    // The CSV export sees the same codes.
    let csv = export(ws, &["--format", "csv", "--question", Q], "out.csv");
    let rows = csv_rows(&csv);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1]["codes"], "vision_integral");
    assert_eq!(rows[1]["code_labels"], "Visión integral");
}

#[test]
fn bad_edits_are_refused_and_change_nothing() {
    let dir = init();
    let ws = dir.path();
    populate(ws);
    let file = codebook_file(ws, Q);
    let before = std::fs::read(&file).unwrap();
    let answers_before = stored(ws, Q);

    let e =
        stderr_of(codifica(ws).args(["codebook", "rename", "--question", Q, "nope", "--id", "x"]));
    assert!(e.contains("no code 'nope'"), "{e}");
    let e = stderr_of(codifica(ws).args([
        "codebook",
        "rename",
        "--question",
        Q,
        "integralidad",
        "--id",
        "sin_contribucion",
    ]));
    assert!(e.contains("already exists"), "{e}");
    let e =
        stderr_of(codifica(ws).args(["codebook", "merge", "--question", Q, "integralidad", "zz"]));
    assert!(e.contains("no code 'zz'"), "{e}");
    let e = stderr_of(codifica(ws).args([
        "codebook",
        "add",
        "--question",
        Q,
        "integralidad",
        "--label",
        "Otra",
    ]));
    assert!(e.contains("already exists"), "{e}");
    let e = stderr_of(codifica(ws).args([
        "codebook",
        "add",
        "--question",
        Q,
        "bad id",
        "--label",
        "X",
    ]));
    assert!(e.contains("bad id"), "{e}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert_eq!(stored(ws, Q), answers_before);

    // Renaming onto a code that answers carry but the codebook lacks would merge them silently.
    store_answers(
        ws,
        vec![answer(
            "05700",
            "2024-05",
            Q,
            "Otra respuesta",
            &["fantasma"],
        )],
    );
    let answers_before = stored(ws, Q);
    let e = stderr_of(codifica(ws).args([
        "codebook",
        "rename",
        "--question",
        Q,
        "integralidad",
        "--id",
        "fantasma",
    ]));
    assert!(e.contains("already carry code 'fantasma'"), "{e}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert_eq!(stored(ws, Q), answers_before);

    // Malformed TOML: the error names the line; edits refuse to run.
    let broken = String::from_utf8(before.clone())
        .unwrap()
        .replacen("label = ", "label = = ", 1);
    std::fs::write(&file, &broken).unwrap();
    let line = broken
        .lines()
        .position(|l| l.contains("label = = "))
        .unwrap()
        + 1;
    let e = stderr_of(codifica(ws).args(["codebook", "show", "--question", Q]));
    assert!(e.contains(&format!("line {line}")), "{e}");
    let e = stderr_of(codifica(ws).args([
        "codebook",
        "merge",
        "--question",
        Q,
        "integralidad",
        "sin_contribucion",
    ]));
    assert!(e.contains(&format!("line {line}")), "{e}");
    assert_eq!(stored(ws, Q), answers_before);
    // A duplicated id is located at its [[codes]] table.
    let dup = String::from_utf8(before).unwrap().replacen(
        "id = \"articulacion_dependencias\"",
        "id = \"integralidad\"",
        1,
    );
    std::fs::write(&file, &dup).unwrap();
    // articulacion_dependencias is the second code: its [[codes]] header is the culprit's line.
    let table = dup
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("[[codes]]"))
        .nth(1)
        .unwrap()
        .0
        + 1;
    let e = stderr_of(codifica(ws).args(["codebook", "show", "--question", Q]));
    assert!(
        e.contains(&format!("line {table}")) && e.contains("twice"),
        "{e}"
    );
}

#[test]
fn qdc_export_validates_and_round_trip_keeps_guids() {
    let dir = init();
    let ws = dir.path();
    populate(ws);
    let qdc = ws.join("cb.qdc");
    codifica(ws)
        .args([
            "codebook",
            "export",
            "--question",
            Q,
            "--format",
            "qdc",
            "--output",
        ])
        .arg(&qdc)
        .assert()
        .success();
    let xml = std::fs::read_to_string(&qdc).unwrap();
    assert!(
        xml.contains("xmlns=\"urn:QDA-XML:codebook:1.0\"") && xml.contains("origin=\"codifica")
    );
    assert!(xml.contains("name=\"Polaridad: negativa\""));
    if let Some((ok, msg)) = xmllint("Codebook.xsd", &qdc) {
        assert!(ok, "{msg}");
    }
    let before = codebook_json(ws, Q);
    codifica(ws)
        .args(["codebook", "import", "--question", Q])
        .arg(&qdc)
        .assert()
        .success();
    assert_eq!(codebook_json(ws, Q), before, "round trip changes nothing");

    // Another tool relabelled a code: same GUID → same id, new label, answers untouched.
    let relabelled = xml.replace(
        "name=\"Comprensión de la integralidad del proceso\"",
        "name=\"Integralidad (editado en otra herramienta)\"",
    );
    assert_ne!(relabelled, xml);
    let edited = ws.join("edited.qdc");
    std::fs::write(&edited, relabelled).unwrap();
    let answers_before = stored(ws, Q);
    codifica(ws)
        .args(["codebook", "import", "--question", Q])
        .arg(&edited)
        .assert()
        .success();
    let cb = codebook_json(ws, Q);
    assert_eq!(cb["codes"][0]["id"], "integralidad");
    assert_eq!(
        cb["codes"][0]["label"],
        "Integralidad (editado en otra herramienta)"
    );
    assert_eq!(cb["codes"][0]["seeds"], before["codes"][0]["seeds"]);
    assert_eq!(stored(ws, Q), answers_before);

    // Into another workspace without the codebook's answers: GUIDs, labels, polarity kept.
    let other = init();
    let target = "fortalecimiento_capacidades";
    codifica(other.path())
        .args(["codebook", "import", "--question", target])
        .arg(&qdc)
        .assert()
        .success();
    let got = codebook_json(other.path(), target);
    let guids = |v: &serde_json::Value| {
        v["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["guid"].clone(), c["label"].clone(), c["polarity"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(guids(&got), guids(&before));
}

#[test]
fn qdc_import_accepts_what_real_tools_write() {
    let dir = init();
    let ws = dir.path();
    let q = "fortalecimiento_capacidades";

    codifica(ws)
        .args(["codebook", "import", "--question", q])
        .arg(fixture("bom_empty_sets.qdc"))
        .assert()
        .success();
    let cb = codebook_json(ws, q);
    assert_eq!(cb["codes"].as_array().unwrap().len(), 2);
    assert_eq!(cb["codes"][0]["label"], "Claridad en los procesos");
    assert_eq!(
        cb["codes"][0]["guid"],
        "3d1c6a52-8d2b-4b6e-9a0f-0c7a1e5b2f01"
    );

    codifica(ws)
        .args(["codebook", "import", "--question", q])
        .arg(fixture("nested_accented.qdc"))
        .assert()
        .success();
    let cb = codebook_json(ws, q);
    let codes = cb["codes"].as_array().unwrap();
    let by_label = |l: &str| {
        codes
            .iter()
            .find(|c| c["label"] == l)
            .unwrap_or_else(|| panic!("{l}: {cb}"))
    };
    let cat = by_label("Capacidades institucionales");
    assert_eq!(cat["category"], true);
    assert_eq!(cat["color"], "#FF0000");
    assert_eq!(cat["guid"], "a1b2c3d4-0000-4000-8000-000000000001");
    assert_eq!(cat["description"], "Categoría (no codificable) & sus hijos");
    let gc = by_label("Gestión del conocimiento");
    assert_eq!(gc["parent"], cat["id"]);
    assert_eq!(gc["color"], "#00AA00");
    let ap = by_label("Apropiación y compromiso");
    assert_eq!(
        by_label("Niñez y adolescencia — énfasis")["parent"],
        ap["id"]
    );
    assert_eq!(by_label("Sin fortalecimiento")["polarity"], "negative");

    codifica(ws)
        .args(["codebook", "import", "--question", q])
        .arg(fixture("crlf_no_decl.qdc"))
        .assert()
        .success();
    let cb = codebook_json(ws, q);
    assert_eq!(cb["codes"][0]["label"], "Claridad <procesos>");

    // Export of the nested codebook still validates (categories, nesting).
    codifica(ws)
        .args(["codebook", "import", "--question", q])
        .arg(fixture("nested_accented.qdc"))
        .assert()
        .success();
    let out = ws.join("nested.qdc");
    codifica(ws)
        .args(["codebook", "export", "--question", q, "--output"])
        .arg(&out)
        .assert()
        .success();
    let xml = std::fs::read_to_string(&out).unwrap();
    assert!(xml.contains("isCodable=\"false\""));
    if let Some((ok, msg)) = xmllint("Codebook.xsd", &out) {
        assert!(ok, "{msg}");
    }
}

#[test]
fn bad_qdc_files_are_rejected_with_lines_and_change_nothing() {
    let dir = init();
    let ws = dir.path();
    populate(ws);
    let file = codebook_file(ws, Q);
    let before = std::fs::read(&file).unwrap();
    for (name, line, what) in [
        ("duplicate_guid.qdc", 7, "twice"),
        ("dangling_reference.qdc", 10, "no code"),
        ("malformed.qdc", 6, "malformed"),
    ] {
        let e = stderr_of(
            codifica(ws)
                .args(["codebook", "import", "--question", Q])
                .arg(fixture(name)),
        );
        assert!(
            e.contains(&format!("line {line}")) && e.contains(what),
            "{name}: {e}"
        );
        assert!(e.contains(name), "{e}");
        assert_eq!(std::fs::read(&file).unwrap(), before, "{name}");
    }
    // A valid codebook that drops codes answers use is refused too.
    let e = stderr_of(
        codifica(ws)
            .args(["codebook", "import", "--question", Q])
            .arg(fixture("bom_empty_sets.qdc")),
    );
    assert!(
        e.contains("integralidad") && e.contains("nothing was changed"),
        "{e}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

#[test]
fn qdpx_project_validates_and_positions_are_code_points() {
    let dir = init();
    let ws = dir.path();
    populate(ws);
    let qdpx = export(ws, &["--format", "qdpx"], "p.qdpx");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&qdpx).unwrap()).unwrap();
    let mut qde = String::new();
    zip.by_name("project.qde")
        .unwrap()
        .read_to_string(&mut qde)
        .unwrap();
    assert!(qde.contains("origin=\"codifica") && qde.contains("<User "));
    assert!(qde.contains("isCodable=\"false\""));
    let qde_path = ws.join("project.qde");
    std::fs::write(&qde_path, &qde).unwrap();
    if let Some((ok, msg)) = xmllint("Project.xsd", &qde_path) {
        assert!(ok, "{msg}");
    }
    // Every source file exists, has no BOM and no CR, and selections span it in code points.
    let root = codifica::qda::dom::parse(&qde).unwrap();
    let sources = root.child("Sources").unwrap();
    let mut n = 0;
    for s in sources.children_named("TextSource") {
        let path = s
            .attr("plainTextPath")
            .unwrap()
            .strip_prefix("internal://")
            .unwrap();
        let mut bytes = Vec::new();
        zip.by_name(&format!("Sources/{path}"))
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        assert!(!bytes.starts_with(b"\xEF\xBB\xBF") && !bytes.contains(&b'\r'));
        let text = String::from_utf8(bytes).unwrap();
        for sel in s.children_named("PlainTextSelection") {
            assert_eq!(sel.attr("startPosition"), Some("0"));
            assert_eq!(
                sel.attr("endPosition").unwrap(),
                text.chars().count().to_string()
            );
        }
        n += 1;
    }
    assert_eq!(n, 4, "the rating has no text and is not a source");
    let cases = root.child("Cases").unwrap().children_named("Case").count();
    assert_eq!(cases, 4);
    // Same workspace → byte-identical export.
    let again = export(ws, &["--format", "qdpx"], "q.qdpx");
    assert_eq!(
        std::fs::read(&qdpx).unwrap(),
        std::fs::read(&again).unwrap()
    );
}

#[test]
fn autocode_matches_stems_accents_and_phrases_and_scores_itself() {
    let dir = init();
    let ws = dir.path();
    let q = "fortalecimiento_capacidades";
    let g = |n: u32| format!("f0000000-0000-4000-8000-{n:012}");
    let toml = format!(
        "question = \"{q}\"\nmulti_label = false\n\n\
         [[codes]]\nid = \"capacitacion\"\nguid = \"{}\"\nlabel = \"Capacitación\"\nseeds = [\"capacitación\", \"taller\"]\n\n\
         [[codes]]\nid = \"ciclo\"\nguid = \"{}\"\nlabel = \"Ciclo\"\nseeds = [\"ciclo de la planeación\"]\n\n\
         [[codes]]\nid = \"conexion\"\nguid = \"{}\"\nlabel = \"Conexión\"\nseeds = [\"conectividad\", \"internet\"]\n",
        g(1),
        g(2),
        g(3)
    );
    std::fs::write(codebook_file(ws, q), toml).unwrap();
    // Hand-computed: 1 → capacitacion (plural, no accent); 2 → ciclo (phrase with a different
    // stop-word gap); 3 → none (a content word breaks the phrase); 4 → conexion (2 hits vs 1);
    // 5 → capacitacion (tie 1–1, first in codebook order); 6 → non-answer.
    let texts = [
        ("05001", "Las CAPACITACIONES sirvieron", "capacitacion"),
        ("05002", "Entendimos el ciclo de planeación", "ciclo"),
        ("05003", "El ciclo completo de la planeación", "ciclo"),
        (
            "05004",
            "Sin internet ni conectividad, un taller",
            "conexion",
        ),
        ("05005", "Internet y un taller", "conexion"),
        ("05006", "No sabe", ""),
    ];
    let answers = texts
        .iter()
        .map(|(e, t, c)| {
            answer(
                e,
                "2024-05",
                q,
                t,
                if c.is_empty() {
                    &[]
                } else {
                    std::slice::from_ref(c)
                },
            )
        })
        .collect();
    store_answers(ws, answers);
    let out_csv = ws.join("auto.csv");
    // With another writer holding the workspace, --store refuses before writing anything.
    let held = hold_lock(ws);
    let e = stderr_of(
        codifica(ws)
            .args(["autocode", "--question", q, "--store", "--output"])
            .arg(&out_csv),
    );
    assert!(e.contains("busy"), "{e}");
    assert!(!out_csv.exists());
    assert!(stored(ws, q).iter().all(|a| a.machine.is_none()));
    drop(held);
    let out = codifica(ws)
        .args([
            "autocode",
            "--question",
            q,
            "--store",
            "--evaluate",
            "--json",
            "--output",
        ])
        .arg(&out_csv)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = csv_rows(&out_csv);
    let got: Vec<&str> = rows.iter().map(|r| r["autocode"].as_str()).collect();
    assert_eq!(
        got,
        ["capacitacion", "ciclo", "", "conexion", "capacitacion", ""]
    );
    assert_eq!(rows[3]["hits"], "capacitacion:1;conexion:2");
    // Evaluation (5 human-coded real answers): correct 1, 2, 4 → accuracy 3/5.
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let acc = v["autocode"]["accuracy"].as_f64().unwrap();
    assert!((acc - 0.6).abs() < 1e-9, "{v}");
    assert_eq!(v["autocode"]["n"], 5);
    // Stored as machine codes; human codes untouched.
    let stored = stored(ws, q);
    let a4 = stored.iter().find(|a| a.entity_code == "05004").unwrap();
    let m = a4.machine.as_ref().unwrap();
    assert_eq!(
        (m.codes.as_slice(), m.model.as_str()),
        (&["conexion".to_string()][..], "autocode")
    );
    assert_eq!(a4.codes, ["conexion"]);
    let a3 = stored.iter().find(|a| a.entity_code == "05003").unwrap();
    assert_eq!(a3.codes, ["ciclo"]);
    assert!(a3.machine.as_ref().unwrap().codes.is_empty());
}

#[test]
fn spreadsheet_exports_neutralise_formulas() {
    let dir = init();
    let ws = dir.path();
    populate(ws);
    let csv = export(ws, &["--format", "csv"], "a.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.contains("'=SUM(1,2) solo piden reportes"), "{text}");
    assert!(text.contains("'+57 300"));
    assert!(text.contains("'=cmd|"));
    assert!(!text.contains(",=SUM"));
    let rows = csv_rows(&csv);
    assert_eq!(rows.len(), 5);
    let r3 = rows.iter().find(|r| r["entity_code"] == "05600").unwrap();
    assert_eq!(r3["machine_codes"], "apropiacion_temas");
    assert_eq!(r3["machine_confidence"], "0.800");
    assert_eq!(r3["encuestador"], "'=cmd|' /C calc'!A0");

    // The CSV is written month by month while reading; the XLSX from every answer at once:
    // same rows, same order.
    let all = export(ws, &["--format", "xlsx"], "all.xlsx");
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(&all).unwrap();
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).unwrap();
    let xlsx_keys: Vec<String> = range.rows().skip(1).map(|r| r[0].to_string()).collect();
    let csv_keys: Vec<String> = rows.iter().map(|r| r["key"].clone()).collect();
    assert_eq!(csv_keys, xlsx_keys);
    let months: Vec<&str> = rows.iter().map(|r| r["month"].as_str()).collect();
    assert!(months.windows(2).all(|w| w[0] <= w[1]), "{months:?}");
    assert!(months.first() < months.last(), "several months: {months:?}");

    let xlsx = export(ws, &["--format", "xlsx", "--month", "2024-04"], "a.xlsx");
    let mut wb = open_workbook_auto(&xlsx).unwrap();
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).unwrap();
    let cells: Vec<String> = range
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(
        cells.iter().any(|c| c == "'=SUM(1,2) solo piden reportes"),
        "{cells:?}"
    );
    assert!(!cells.iter().any(|c| c.starts_with('=')));
    assert_eq!(range.rows().count(), 3, "header + the two April answers");

    let m = export(
        ws,
        &["--format", "matrix", "--question", Q, "--by", "entity"],
        "m.csv",
    );
    let rows = csv_rows(&m);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1]["apropiacion_temas"], "1");
    assert_eq!(rows[1]["sin_contribucion"], "0");
    let x = export(
        ws,
        &["--format", "crosstab", "--by", "region", "--codes", "human"],
        "x.csv",
    );
    let rows = csv_rows(&x);
    let integ = rows.iter().find(|r| r["code"] == "integralidad").unwrap();
    assert_eq!(
        (
            integ["Eje Cafetero"].as_str(),
            integ["Pacífico"].as_str(),
            integ["total"].as_str()
        ),
        ("2", "0", "2")
    );
    let e = stderr_of(
        codifica(ws)
            .args(["export", "--format", "crosstab", "--output"])
            .arg(&x),
    );
    assert!(e.contains("--by"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Interrupted codebook edits heal (issue 15, item 5). `CODIFICA_ABORT_AT` makes the binary abort
// (as a kill would: no destructor, no cleanup) at an exact step of the edit; the files on disk
// show where it stopped; the next command, whatever it is, finishes the edit.
// ---------------------------------------------------------------------------------------------

const ABORT_POINTS: [&str; 3] = [
    "codebook-after-journal",
    "codebook-after-index-commit",
    "codebook-after-codebook-write",
];

fn journal_file(ws: &Path) -> PathBuf {
    ws.join("codebooks").join(".edit-journal.json")
}

/// The index's commit record: it changes when, and only when, the store commits.
fn index_meta(ws: &Path) -> Vec<u8> {
    std::fs::read(ws.join("index").join("meta.json")).unwrap()
}

/// Runs an edit that must abort at `point`; checks on the raw files (without opening the
/// workspace, which would heal it) that it stopped exactly there.
fn abort_edit_at(ws: &Path, edit: &[&str], point: &str, old_id: &str) {
    let meta_before = index_meta(ws);
    let out = codifica(ws)
        .args(edit)
        .env("CODIFICA_ABORT_AT", point)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "{point}: the edit should have aborted"
    );
    assert!(journal_file(ws).exists(), "{point}: journal left behind");
    let index_committed = index_meta(ws) != meta_before;
    assert_eq!(
        index_committed,
        point != "codebook-after-journal",
        "{point}: index commit"
    );
    let toml = std::fs::read_to_string(codebook_file(ws, Q)).unwrap();
    let codebook_written = !toml.contains(&format!("id = \"{old_id}\""));
    assert_eq!(
        codebook_written,
        point == "codebook-after-codebook-write",
        "{point}: codebook file"
    );
}

fn human_codes(ws: &Path) -> Vec<Vec<String>> {
    stored(ws, Q).into_iter().map(|a| a.codes).collect()
}

#[test]
fn codebook_rename_killed_at_each_step_is_finished_by_the_next_command() {
    for point in ABORT_POINTS {
        let dir = init();
        let ws = dir.path();
        populate(ws);
        let rename = [
            "codebook",
            "rename",
            "--question",
            Q,
            "integralidad",
            "--id",
            "vision_integral",
        ];
        abort_edit_at(ws, &rename, point, "integralidad");

        // The next command is a reader: the QDPX export must see every coding under the new id.
        let qdpx = export(ws, &["--format", "qdpx"], "p.qdpx");
        assert!(!journal_file(ws).exists(), "{point}: journal replayed");
        assert_eq!(
            human_codes(ws),
            [
                vec!["vision_integral".to_string()],
                vec!["vision_integral".into(), "apropiacion_temas".into()],
                vec![],
                vec!["sin_contribucion".into()],
            ],
            "{point}"
        );
        assert_eq!(
            stored(ws, Q)[0].machine.as_ref().unwrap().codes,
            ["vision_integral"]
        );
        let cb = codebook_json(ws, Q);
        assert_eq!(cb["codes"][0]["id"], "vision_integral", "{point}");
        let mut project = String::new();
        zip::ZipArchive::new(std::fs::File::open(&qdpx).unwrap())
            .unwrap()
            .by_name("project.qde")
            .unwrap()
            .read_to_string(&mut project)
            .unwrap();
        // 4 human codings (two on the double-coded answer) + 2 machine ones are all exported.
        let refs = project.matches("<CodeRef").count();
        assert!(refs >= 4, "{point}: {refs} codings exported");

        // The edit is done: running it again is refused as a rename of an unknown code, and
        // renaming back works (no stuck state).
        let e = stderr_of(codifica(ws).args(rename));
        assert!(e.contains("no code 'integralidad'"), "{e}");
        codifica(ws)
            .args(["codebook", "rename", "--question", Q, "vision_integral"])
            .args(["--id", "integralidad"])
            .assert()
            .success();
        assert_eq!(human_codes(ws)[0], ["integralidad"]);
    }
}

#[test]
fn codebook_merge_killed_after_the_index_commit_is_finished_by_a_writer() {
    let dir = init();
    let ws = dir.path();
    populate(ws);
    let merge = [
        "codebook",
        "merge",
        "--question",
        Q,
        "apropiacion_temas",
        "integralidad",
    ];
    abort_edit_at(
        ws,
        &merge,
        "codebook-after-index-commit",
        "apropiacion_temas",
    );
    // The next command writes (adds a code): it finishes the merge first, then adds.
    codifica(ws)
        .args(["codebook", "add", "--question", Q, "costos"])
        .args(["--label", "Costos"])
        .assert()
        .success();
    assert!(!journal_file(ws).exists());
    let cb = codebook_json(ws, Q);
    let ids: Vec<&str> = cb["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"apropiacion_temas") && ids.contains(&"costos"));
    let answers = stored(ws, Q);
    assert_eq!(answers[1].codes, ["integralidad"]);
    assert_eq!(answers[2].machine.as_ref().unwrap().codes, ["integralidad"]);
}

#[test]
fn codebook_import_dry_run_reports_the_refusal_of_the_real_run() {
    let dir = init();
    let ws = dir.path();
    populate(ws);
    let before = std::fs::read(codebook_file(ws, Q)).unwrap();
    for dry in [true, false] {
        let mut c = codifica(ws);
        c.args(["codebook", "import", "--question", Q])
            .arg(fixture("bom_empty_sets.qdc"));
        if dry {
            c.arg("--dry-run");
        }
        let e = stderr_of(&mut c);
        assert!(
            e.contains("drops codes that answers use") && e.contains("integralidad"),
            "dry run {dry}: {e}"
        );
    }
    assert_eq!(std::fs::read(codebook_file(ws, Q)).unwrap(), before);
}

// ---------------------------------------------------------------------------------------------
// REFI-QDA projects in (issue 16): codifica's own export round-trips; files in the style of
// real tools (synthetic fixtures, see tests/fixtures/qda/README.md) import with their codings.
// ---------------------------------------------------------------------------------------------

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn csv_export(ws: &Path, args: &[&str], file: &str) -> Vec<u8> {
    let mut a = vec!["--format", "csv"];
    a.extend_from_slice(args);
    std::fs::read(export(ws, &a, file)).unwrap()
}

#[test]
fn qdpx_of_the_demo_imports_into_an_empty_workspace_as_the_same_answers() {
    let a_dir = init();
    let a = a_dir.path();
    let data = codifica::demo::DemoData::generate(codifica::demo::DEFAULT_SEED);
    let csv = a.join("demo.csv");
    std::fs::write(&csv, data.to_csv()).unwrap();
    codifica(a).arg("import").arg(&csv).assert().success();
    // Machine codings with awkward numbers, and an extra column clashing with a variable name.
    {
        let ws = Workspace::open(a).unwrap();
        let _lock = ws.lock().unwrap();
        let store = Store::open(&ws).unwrap();
        let some: Vec<Answer> = store
            .answers(&AnswerFilter {
                question: Some(Q.into()),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .take(7)
            .collect();
        let codings: Vec<(String, MachineCoding)> = some
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let mut m = machine(&["apropiacion_temas"]);
                m.confidence = 0.123456789 * (i + 1) as f64;
                m.margin = 1.0 / 3.0;
                m.top_terms = vec!["proceso".into(), "plan de desarrollo".into()];
                (x.key(), m)
            })
            .collect();
        store.set_machine_codings(&codings).unwrap();
        let mut extra = some[0].clone();
        extra.attributes.insert("Mes".into(), "otro mes".into());
        store.upsert(vec![extra], |_| {}).unwrap();
    }
    let qdpx = export(a, &["--format", "qdpx"], "demo.qdpx");

    let b_dir = init();
    let b = b_dir.path();
    let dry = stdout_of(
        codifica(b)
            .args(["import", "--json", "--dry-run"])
            .arg(&qdpx),
    );
    let dry: serde_json::Value = serde_json::from_str(&dry).unwrap();
    assert!(stored(b, Q).is_empty(), "a dry run writes nothing");
    let real = stdout_of(codifica(b).args(["import", "--json"]).arg(&qdpx));
    let real: serde_json::Value = serde_json::from_str(&real).unwrap();
    assert_eq!(dry["added"], real["added"], "the dry run tells the truth");
    assert!(real["added"].as_u64().unwrap() > 500, "{real}");

    // Every question with text: byte-identical CSV exports, same codebooks (ids, GUIDs).
    for q in [
        Q,
        "necesidades_debilidades",
        "fortalecimiento_capacidades",
        "demanda_temas",
    ] {
        let from = csv_export(a, &["--question", q], "a.csv");
        let to = csv_export(b, &["--question", q], "b.csv");
        assert!(from.len() > 1000, "{q}");
        assert!(from == to, "{q}: the CSV exports differ");
        assert_eq!(codebook_json(a, q), codebook_json(b, q), "{q}");
    }
    // The whole workspace: the same, less the pure ratings (a QDPX carries text sources only).
    let all_a = export(a, &["--format", "csv"], "all_a.csv");
    let all_b = export(b, &["--format", "csv"], "all_b.csv");
    let with_text: Vec<_> = csv_rows(&all_a)
        .into_iter()
        .filter(|r| !r["text"].is_empty())
        .collect();
    assert_eq!(with_text, csv_rows(&all_b));
    // And the project exported again is byte-identical.
    let again = export(b, &["--format", "qdpx"], "again.qdpx");
    assert!(std::fs::read(&qdpx).unwrap() == std::fs::read(&again).unwrap());
    // Importing it again changes nothing.
    let twice = stdout_of(codifica(b).args(["import", "--json"]).arg(&qdpx));
    let twice: serde_json::Value = serde_json::from_str(&twice).unwrap();
    assert_eq!(twice["added"], 0);
    assert_eq!(twice["replaced"], 0);
}

#[test]
fn qualcoder_style_project_imports_spans_coders_and_codebook_identity() {
    let dir = init();
    let ws = dir.path();
    let qdpx = ws.join("entrevistas.qdpx");
    crate::common::zip_dir(&fixture("qualcoder_style"), &qdpx);
    let guid_before = codebook_json(ws, Q)["codes"][0]["guid"].clone();
    let out = stdout_of(
        codifica(ws)
            .args(["import", "--mapping"])
            .arg(fixture("qualcoder_mapping.toml"))
            .arg(&qdpx),
    );
    assert!(out.contains("added 4"), "{out}");
    assert!(
        out.contains("coders (kept in the attribute 'coder'): ana, luis"),
        "{out}"
    );
    let answers = stored(ws, Q);
    let by_id = |entity: &str, id: Option<&str>| {
        answers
            .iter()
            .find(|a| a.entity_code == entity && a.answer_id.as_deref() == id)
            .unwrap_or_else(|| panic!("{entity} {id:?}: {answers:?}"))
    };
    // Two spans of one transcript, positions counted after the BOM, in code points.
    let first = by_id("05368", Some("51-110"));
    assert_eq!(
        first.text,
        "Sí, entendimos la integralidad del proceso de planeación 👍."
    );
    assert_eq!(first.codes, ["integralidad"], "matched by label");
    assert_eq!(first.attributes["coder"], "ana");
    assert_eq!(first.attributes["Entrevistador"], "Marta");
    assert_eq!(first.entity_name, "Jericó");
    assert_eq!(first.department, "Antioquia");
    assert_eq!(first.month.to_string(), "2024-05");
    let second = by_id("05368", Some("138-180"));
    assert_eq!(second.text, "Los costos de viajar a Medellín son altos.");
    assert_eq!(second.codes, ["costos_del_proceso"]);
    assert_eq!(second.attributes["coder"], "luis");
    // Two sources of one case: each answer is named by its source.
    let whole = by_id("05847", Some("Entrevista Urrao"));
    assert_eq!(whole.codes, ["articulacion_dependencias"]);
    assert!(
        by_id("05847", Some("Entrevista Urrao (cierre)"))
            .codes
            .is_empty()
    );
    // Codebook: matched codes keep id, GUID, polarity and seeds; the new one keeps its GUID.
    let cb = codebook_json(ws, Q);
    assert_eq!(cb["codes"][0]["id"], "integralidad");
    assert_eq!(cb["codes"][0]["guid"], guid_before);
    assert!(!cb["codes"][0]["seeds"].as_array().unwrap().is_empty());
    let costos = cb["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "costos_del_proceso")
        .unwrap();
    assert_eq!(costos["guid"], "6f1e000d-0000-4000-8000-00000000000d");
    assert!(
        cb["codes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "sin_contribucion"),
        "codes the project lacks are kept"
    );
}

#[test]
fn nvivo_style_unzipped_qde_with_inline_and_external_sources() {
    let dir = init();
    let ws = dir.path();
    let q = "necesidades_debilidades";
    let out = stdout_of(
        codifica(ws)
            .args(["import", "--json", "--mapping"])
            .arg(fixture("nvivo_mapping.toml"))
            .arg(fixture("nvivo_style/Proyecto NVivo.qde")),
    );
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["answers"], 3, "{report}");
    assert_eq!(report["skipped"].as_array().unwrap().len(), 1, "the PDF");
    let answers = stored(ws, q);
    let text_of = |e: &str| answers.iter().find(|a| a.entity_code == e).unwrap();
    assert_eq!(text_of("Entidad 11001").codes, ["acompañamiento"]);
    assert_eq!(text_of("Entidad 11001").attributes["coder"], "Coder A");
    assert!(
        text_of("Entidad 76001")
            .text
            .starts_with("La capacitación en el SGR")
    );
    assert_eq!(text_of("Entidad 76001").codes, ["seguimiento_insuficiente"]);
    assert_eq!(text_of("Entidad 05001").text, "Faltan visitas técnicas.");
    assert_eq!(text_of("Entidad 05001").month.to_string(), "2024-06");
    let cb = codebook_json(ws, q);
    let guid = cb["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "acompañamiento")
        .unwrap()["guid"]
        .clone();
    assert_eq!(guid, "8c2d000a-0000-4000-8000-00000000000a");
}

#[test]
fn a_bad_project_is_refused_whole_and_its_dry_run_says_so() {
    let dir = init();
    let ws = dir.path();
    let src = tempfile::tempdir().unwrap();
    copy_tree(&fixture("qualcoder_style"), src.path());
    let qde = src.path().join("Entrevistas QualCoder.qde");
    let text = std::fs::read_to_string(&qde).unwrap();
    std::fs::write(
        &qde,
        text.replace("endPosition=\"180\"", "endPosition=\"999\""),
    )
    .unwrap();
    let qdpx = ws.join("malo.qdpx");
    crate::common::zip_dir(src.path(), &qdpx);
    let cb_before = std::fs::read(codebook_file(ws, Q)).unwrap();
    for dry in [true, false] {
        let mut c = codifica(ws);
        c.arg("import")
            .arg("--mapping")
            .arg(fixture("qualcoder_mapping.toml"));
        if dry {
            c.arg("--dry-run");
        }
        let e = stderr_of(c.arg(&qdpx));
        assert!(
            e.contains("Entrevistas QualCoder.qde") && e.contains("line 45") && e.contains("999"),
            "{e}"
        );
    }
    assert!(stored(ws, Q).is_empty());
    assert_eq!(std::fs::read(codebook_file(ws, Q)).unwrap(), cb_before);
    // Without a month (no variable, no mapping) the message says how to state one.
    let good = ws.join("bueno.qdpx");
    crate::common::zip_dir(&fixture("qualcoder_style"), &good);
    let e = stderr_of(codifica(ws).arg("import").arg(&good));
    assert!(e.contains("fixed_month"), "{e}");
    assert!(stored(ws, Q).is_empty());
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

/// Gives every GUID of a REFI-QDA file a new value (consistently), as QualCoder does.
fn new_guids(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(i) = rest.find("guid=\"").or_else(|| rest.find("GUID=\"")) {
        let (head, tail) = rest.split_at(i + 6);
        out.push_str(head);
        let old = &tail[..36];
        out.push_str(&uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, old.as_bytes()).to_string());
        rest = &tail[36..];
    }
    out.push_str(rest);
    out
}

#[test]
fn codebook_import_keeps_identity_by_label_and_splits_a_project_codebook() {
    let dir = init();
    let ws = dir.path();
    populate(ws);
    let before = codebook_json(ws, Q);
    // A codebook coming back from a tool that stores no GUIDs, a label typed differently.
    let qdc = ws.join("back.qdc");
    codifica(ws)
        .args(["codebook", "export", "--question", Q, "--output"])
        .arg(&qdc)
        .assert()
        .success();
    let xml = new_guids(&std::fs::read_to_string(&qdc).unwrap()).replace(
        "Comprensión de la integralidad del proceso",
        "COMPRENSION de la integralidad del proceso",
    );
    std::fs::write(&qdc, xml).unwrap();
    let out = stdout_of(
        codifica(ws)
            .args(["codebook", "import", "--question", Q])
            .arg(&qdc),
    );
    assert!(
        out.contains("matched 5 (by GUID 0, by mapping 0, by label 5), new 0"),
        "{out}"
    );
    let after = codebook_json(ws, Q);
    for (a, b) in after["codes"]
        .as_array()
        .unwrap()
        .iter()
        .zip(before["codes"].as_array().unwrap())
    {
        for k in ["id", "guid", "polarity", "seeds"] {
            assert_eq!(a[k], b[k], "{k}");
        }
    }
    assert_eq!(stored(ws, Q)[0].codes, ["integralidad"]);

    // A whole-project codebook: one category per question, split onto the questions.
    let qdpx = export(ws, &["--format", "qdpx"], "p.qdpx");
    let mut qde = String::new();
    zip::ZipArchive::new(std::fs::File::open(&qdpx).unwrap())
        .unwrap()
        .by_name("project.qde")
        .unwrap()
        .read_to_string(&mut qde)
        .unwrap();
    let whole = ws.join("todo.qde");
    std::fs::write(&whole, &qde).unwrap();
    let out = stdout_of(
        codifica(ws)
            .args(["codebook", "import", "--dry-run"])
            .arg(&whole),
    );
    assert_eq!(out.matches("Imported").count(), 4, "{out}");
    assert!(
        out.contains(&format!("into {Q}: matched 5 (by GUID 5")),
        "{out}"
    );
    // A category named like no question is refused, then stated.
    let renamed = ws.join("otro.qde");
    let other = new_guids(&qde).replace(
        "name=\"Articulación de instrumentos\"",
        "name=\"Otra cosa\"",
    );
    assert!(other.contains("Otra cosa"));
    std::fs::write(&renamed, other).unwrap();
    let e = stderr_of(codifica(ws).args(["codebook", "import"]).arg(&renamed));
    assert!(
        e.contains("Otra cosa") && e.contains("CATEGORY=QUESTION"),
        "{e}"
    );
    let out = stdout_of(
        codifica(ws)
            .args(["codebook", "import", "--question"])
            .arg(format!("Otra cosa={Q}"))
            .arg(&renamed),
    );
    assert!(out.contains(&format!("into {Q}: matched 5")), "{out}");
    assert_eq!(codebook_json(ws, Q)["codes"], after["codes"]);
}

/// A test that skips for a missing tool fails under `CI=true` (where `.ci/run` installs
/// chromium, chromedriver and xmllint) and only skips elsewhere.
#[test]
fn a_missing_tool_fails_under_ci_and_skips_elsewhere() {
    use std::ffi::OsStr;
    let on_ci = std::panic::catch_unwind(|| {
        crate::common::tool_missing(
            Some(OsStr::new("true")),
            "(rule check) xmllint not installed",
        )
    });
    assert!(
        on_ci.is_err(),
        "CI=true must turn a missing tool into a failure"
    );
    assert!(
        std::panic::catch_unwind(|| crate::common::tool_missing(
            Some(OsStr::new("1")),
            "(rule check)"
        ))
        .is_err()
    );
    for ci in [None, Some(OsStr::new("")), Some(OsStr::new("false"))] {
        // A developer's machine: a printed SKIPPED line, no failure.
        crate::common::tool_missing(ci, "(rule check, not a real skip) xmllint not installed");
    }
}
