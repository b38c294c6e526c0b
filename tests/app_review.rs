//! The use cases of `src/app/` that the CLI and the web share (issue 12): one review queue (and
//! its export), one code-validity check, the codebook edit transaction, agreement of a table.
//! Each rule where the CLI and the web disagreed has a test here that fails on the losing copy.

#[macro_use]
mod common;

use std::path::Path;

use assert_cmd::Command;
use codifica::answer::{Answer, MachineCoding};
use codifica::app::codebook::{self as app_codebook, Edit};
use codifica::app::review::{self, Band, CodeRefusal, QueueRequest};
use codifica::codebook::edit::SetCode;
use codifica::codebook::{CodesProblem, Polarity};
use codifica::config::Config;
use codifica::app::import::import;
use codifica::ingest::ImportOptions;
use codifica::month::Month;
use codifica::store::{AnswerFilter, Store};
use codifica::workspace::Workspace;

const Q: &str = "articulacion_instrumentos";

fn answer(entity: &str, text: &str, machine: Option<(&str, f64)>) -> Answer {
    Answer {
        entity_code: entity.into(),
        entity_name: format!("Entidad {entity}"),
        department: "Cauca".into(),
        region: "Pacífico".into(),
        entity_kind: None,
        month: Month::parse("2020-11").unwrap(),
        question: Q.into(),
        answer_id: None,
        text: text.into(),
        rating: None,
        codes: vec![],
        machine: machine.map(|(code, conf)| MachineCoding {
            codes: vec![code.into()],
            confidence: conf,
            margin: conf / 2.0,
            model: "sintético".into(),
            alternatives: vec![(code.into(), conf), ("integralidad".into(), 0.1)],
            ..Default::default()
        }),
        interview_date: None,
        respondent_role: None,
        attributes: Default::default(),
    }
}

/// A workspace (built-in codebooks only: no file under codebooks/) with four answers to review:
/// two with a stored suggestion, two without, and no model.
fn workspace(answers: Vec<Answer>) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(dir.path(), Config::monitoreo360_text(), false).unwrap();
    let _lock = ws.lock().unwrap();
    Store::open(&ws).unwrap().upsert(answers, |_| {}).unwrap();
    drop(_lock);
    (dir, ws)
}

fn four() -> Vec<Answer> {
    vec![
        answer(
            "19001",
            "se articulan las dependencias",
            Some(("articulacion_dependencias", 0.9)),
        ),
        answer(
            "19002",
            "todo integrado en el plan",
            Some(("integralidad", 0.3)),
        ),
        answer("19003", "no hubo asistencia este mes", None),
        answer("19004", "la secretaría apropió los temas", None),
    ]
}

fn cli(ws: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("codifica")
        .unwrap()
        .arg("-w")
        .arg(ws)
        .args(args)
        .output()
        .unwrap()
}

/// The CLI used to drop the answers without a suggestion when no model existed (and fail when
/// none had one); the web listed them last. The rule kept: listed last, never dropped.
#[test]
fn answers_without_a_suggestion_are_listed_last_by_the_cli_too() {
    let (_dir, ws) = workspace(four());
    let store = Store::open(&ws).unwrap();
    let q = review::queue(&ws, &store, &QueueRequest::default()).unwrap();
    let order: Vec<&str> = q
        .items
        .iter()
        .map(|it| it.answer.entity_code.as_str())
        .collect();
    assert_eq!(order, ["19002", "19001", "19003", "19004"]);
    assert_eq!(q.unsuggested, 2);
    drop(store);
    let out = cli(ws.root(), &["review", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total"], 4, "{v}");
    assert_eq!(v["unclassified"], 2, "{v}");
    assert_eq!(v["items"][3]["entity_code"], "19004", "{v}");
    // With only unsuggested answers the CLI still lists them (it used to stop with an error).
    let (_dir2, ws2) = workspace(vec![answer("19003", "no hubo asistencia este mes", None)]);
    let out = cli(ws2.root(), &["review"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("(no suggestion)"));
}

#[test]
fn the_queue_filters_by_code_and_confidence_band() {
    let (_dir, ws) = workspace(four());
    let store = Store::open(&ws).unwrap();
    let keys = |req: QueueRequest| -> Vec<String> {
        let q = review::queue(&ws, &store, &req).unwrap();
        q.items
            .into_iter()
            .map(|it| it.answer.entity_code)
            .collect()
    };
    let band = |b| QueueRequest {
        band: Some(b),
        ..Default::default()
    };
    assert_eq!(keys(band(Band::High)), ["19001"]);
    assert_eq!(keys(band(Band::Low)), ["19002"]);
    assert_eq!(keys(band(Band::Unsuggested)), ["19003", "19004"]);
    let code = QueueRequest {
        code: Some("integralidad".into()),
        ..Default::default()
    };
    // 19002 suggests it; 19001 has it among its alternatives.
    assert_eq!(keys(code), ["19002", "19001"]);
    let err = review::queue(
        &ws,
        &store,
        &QueueRequest {
            question: Some("nope".into()),
            ..Default::default()
        },
    );
    assert!(
        err.unwrap_err()
            .to_string()
            .contains("unknown question 'nope'")
    );
}

/// The export lists every uncoded answer (unsuggested ones with empty suggestion columns); an
/// analyst's code saved after the export survives re-importing the file unchanged.
#[test]
fn the_review_export_reimports_unchanged_and_never_erases_a_human_code() {
    let (dir, ws) = workspace(four());
    let out = dir.path().join("revisar.csv");
    let status = cli(
        ws.root(),
        &["--quiet", "review", "--output", out.to_str().unwrap()],
    );
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 5, "header and four answers:\n{text}");
    assert!(
        text.lines()
            .next()
            .unwrap()
            .starts_with("entity_code,entity_name")
    );
    // Meanwhile an analyst codes one answer (the web's accept path).
    let key = four()[2].key();
    let store = Store::open(&ws).unwrap();
    let plan = review::accept_plan(
        &ws,
        &store,
        &[(key.clone(), vec!["sin_contribucion".into()])],
    )
    .unwrap();
    {
        let _lock = ws.lock().unwrap();
        store.set_human_codes(&plan).unwrap();
    }
    let before = store.answers(&AnswerFilter::default()).unwrap();
    drop(store);
    let r = import(&ws, &out, &ImportOptions::default()).unwrap();
    assert_eq!((r.added, r.replaced), (0, 0), "{r:?}");
    assert_eq!(r.codes_kept, 1, "{r:?}");
    let store = Store::open(&ws).unwrap();
    assert_eq!(store.answers(&AnswerFilter::default()).unwrap(), before);
    // Accepting a suggestion never overwrites an analyst's code.
    let again = review::accept_plan(&ws, &store, &[(key, vec!["integralidad".into()])]).unwrap();
    assert!(again.is_empty());
}

/// `import` checked codes only against codebook files, the web against the codebook in force
/// (the file, else the built-in default): in a workspace without codebook files, `import`
/// accepted two codes on a single-label question that the web refused. One rule now.
#[test]
fn several_codes_on_a_single_label_question_are_refused_by_import_and_web_alike() {
    let (dir, ws) = workspace(four());
    let two = vec!["integralidad".to_string(), "apropiacion_temas".to_string()];
    assert_eq!(
        review::check_codes(&ws, Q, &two).unwrap(),
        Err(CodeRefusal::Codes(CodesProblem::SeveralOnSingleLabel(2)))
    );
    let file = dir.path().join("mes.csv");
    std::fs::write(
        &file,
        "entity_code,entity_name,department,region,month,question,answer,codes\n\
         19009,Entidad 19009,Cauca,Pacífico,2020-11,articulacion_instrumentos,texto,integralidad;apropiacion_temas\n",
    )
    .unwrap();
    let err = import(&ws, &file, &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("allows one code per answer"), "{err}");
    assert!(err.contains("row 2"), "{err}");
    let store = Store::open(&ws).unwrap();
    assert_eq!(
        store.answers(&AnswerFilter::default()).unwrap().len(),
        4,
        "nothing written"
    );
    let err = review::accept_plan(&ws, &store, &[(four()[3].key(), two)]).unwrap_err();
    assert!(err.to_string().contains("admite un solo código"), "{err}");
}

/// One transaction per edit; the edit starts from the codebook in force (the built-in default
/// here), so adding a code keeps the default's codes.
#[test]
fn codebook_edits_are_one_transaction_from_the_codebook_in_force() {
    let (_dir, ws) = workspace(four());
    let store = Store::open(&ws).unwrap();
    let set = SetCode {
        description: Some("Las dependencias trabajan juntas".into()),
        parent: Some(Some("integralidad".into())),
        polarity: Some(Polarity::Positive),
    };
    let code = "articulacion_dependencias".to_string();
    let r = app_codebook::apply(
        &ws,
        &store,
        Q,
        Edit::Set {
            code: code.clone(),
            set,
        },
    )
    .unwrap();
    assert!(!r.recoded);
    let cb = codifica::codebook::load(&ws, Q).unwrap().expect("written");
    let c = cb.code(&code).unwrap();
    assert_eq!(c.parent.as_deref(), Some("integralidad"));
    assert_eq!(c.polarity, Polarity::Positive);
    assert!(
        cb.code("sin_contribucion").is_some(),
        "the default's codes are kept"
    );
    // A parent cycle is refused and changes nothing.
    let cycle = SetCode {
        parent: Some(Some(code.clone())),
        ..Default::default()
    };
    let err = app_codebook::apply(
        &ws,
        &store,
        Q,
        Edit::Set {
            code: "integralidad".into(),
            set: cycle,
        },
    );
    assert!(err.unwrap_err().to_string().contains("nothing was changed"));
    assert_eq!(codifica::codebook::load(&ws, Q).unwrap().unwrap(), cb);
    // A rename re-codes the answers (human and machine) in the same transaction.
    let rename = Edit::Rename {
        code: code.clone(),
        new_id: Some("dependencias".into()),
        new_label: None,
    };
    let r = app_codebook::apply(&ws, &store, Q, rename).unwrap();
    assert!(r.recoded);
    assert_eq!(r.answers_changed, 1);
    let a = store.get(&four()[0].key()).unwrap().unwrap();
    assert_eq!(a.machine.unwrap().codes, ["dependencias"]);
    let counts = app_codebook::answers_per_code(&store, Q).unwrap();
    assert_eq!(counts.get("dependencias"), Some(&1));
}

#[test]
fn codebook_set_on_the_command_line() {
    let (_dir, ws) = workspace(four());
    let out = cli(
        ws.root(),
        &[
            "codebook",
            "set",
            "-Q",
            Q,
            "integralidad",
            "--polarity",
            "negativo",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cb = codifica::codebook::load(&ws, Q).unwrap().unwrap();
    assert_eq!(
        cb.code("integralidad").unwrap().polarity,
        Polarity::Negative
    );
    let out = cli(ws.root(), &["codebook", "set", "-Q", Q, "integralidad"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to set"));
}

#[test]
fn agreement_of_a_table_refuses_one_with_nothing_to_compare() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("dos.csv");
    std::fs::write(&f, "a,b\nx,x\ny,z\n,z\n").unwrap();
    let req = |a: &str| codifica::app::agreement::FileRequest {
        file: f.clone(),
        coder_a: a.into(),
        coder_b: "b".into(),
        filters: vec![],
    };
    let r = codifica::app::agreement::from_file(&req("a")).unwrap();
    assert_eq!((r.overall.units, r.skipped), (2, 1));
    assert!((r.overall.percent - 0.5).abs() < 1e-9);
    std::fs::write(&f, "a,b\n,x\n").unwrap();
    let err = codifica::app::agreement::from_file(&req("a"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("no row has codes in both a and b"), "{err}");
}

/// `codebook add` on a question without a codebook file used to start an empty codebook, hiding
/// the built-in codes every page shows (and that answers carry); it now starts from them.
#[test]
fn codebook_add_starts_from_the_codebook_in_force() {
    let (_dir, ws) = workspace(four());
    let out = cli(
        ws.root(),
        &[
            "codebook",
            "add",
            "-Q",
            Q,
            "nuevo_tema",
            "--label",
            "Nuevo tema",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cb = codifica::codebook::load(&ws, Q).unwrap().unwrap();
    assert!(cb.code("nuevo_tema").is_some());
    assert!(
        cb.code("integralidad").is_some(),
        "the built-in codes are kept"
    );
    assert_eq!(cb.codes.len(), 6);
}
