//! The import use case (`codifica::app::import`) that both faces call: the mapping proposed for a
//! wide sheet, the problems of an incomplete one, a mapping given whole and saved with the
//! import (not by a dry run), and the DIVIPOLA check of entity codes and names.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use codifica::app::import::{
    ImportOptions, MappingProblem, Shape, Target, check_entities, import, import_shaped,
    mapping_from, propose,
};
use codifica::config::Config;
use codifica::store::{AnswerFilter, Store};
use codifica::workspace::Workspace;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn workspace() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(&dir.path().join("ws"), Config::monitoreo360_text(), false).unwrap();
    (dir, ws)
}

fn wide_headers() -> Vec<String> {
    codifica::ingest::reader::open(&fixture("wide.csv"), None)
        .unwrap()
        .headers
}

fn stored(ws: &Workspace) -> usize {
    Store::open(ws)
        .unwrap()
        .answers(&AnswerFilter::default())
        .unwrap()
        .len()
}

#[test]
fn a_wide_header_gets_a_proposed_mapping() {
    let config = Config::monitoreo360();
    let t = propose(&config, &wide_headers());
    let q = |id: &str| Target::Question(id.to_string());
    assert_eq!(
        t,
        [
            Target::EntityCode,
            Target::EntityName,
            Target::Department,
            Target::Region,
            Target::Month,
            q("calificacion_general"),
            Target::Ignore,
            Target::Ignore,
            Target::Ignore,
        ]
    );
    // A header with a question's label, or most of its words, names that question.
    let headers = [
        "Plan indicativo (1 a 5)".to_string(),
        "Armonización presupuestal".into(),
    ];
    assert_eq!(
        propose(&config, &headers),
        [q("calif_plan_indicativo"), q("calif_armonizacion")]
    );
}

#[test]
fn an_incomplete_mapping_lists_every_problem() {
    let headers = wide_headers();
    let none = vec![Target::Ignore; headers.len()];
    let problems = mapping_from("", &headers, &none, None).unwrap_err();
    assert_eq!(
        problems,
        [
            MappingProblem::NoName,
            MappingProblem::NoEntityCode,
            MappingProblem::NoMonth,
            MappingProblem::NoQuestion
        ]
    );
    let mut twice = propose(&Config::monitoreo360(), &headers);
    twice[6] = Target::Question("calificacion_general".into());
    let problems = mapping_from("m", &headers, &twice, None).unwrap_err();
    assert_eq!(
        problems,
        [MappingProblem::Twice("q:calificacion_general".into())]
    );
    // A fixed month stands for a month column; a month that is not one does not.
    let mut no_month = propose(&Config::monitoreo360(), &headers);
    no_month[4] = Target::Ignore;
    assert!(mapping_from("m", &headers, &no_month, Some("julio 2020")).is_ok());
    assert_eq!(
        mapping_from("m", &headers, &no_month, Some("julio")).unwrap_err(),
        [MappingProblem::NoMonth]
    );
}

#[test]
fn a_mapping_given_whole_is_saved_by_the_import_not_by_the_dry_run() {
    let (_dir, ws) = workspace();
    let headers = wide_headers();
    let mut targets = propose(ws.config(), &headers);
    targets[6] = Target::Question("articulacion_instrumentos".into());
    let shape = Shape {
        mapping: mapping_from("ancha", &headers, &targets, None).unwrap(),
        save: true,
    };
    let dry = ImportOptions {
        dry_run: true,
        ..Default::default()
    };
    let r = import_shaped(&ws, &fixture("wide.csv"), &dry, Some(&shape), &mut |_| {}).unwrap();
    assert!(r.added > 0 && r.dry_run);
    assert!(
        Workspace::open(ws.root())
            .unwrap()
            .config()
            .mapping("ancha")
            .is_none()
    );
    assert_eq!(stored(&ws), 0);
    let opts = ImportOptions::default();
    let r = import_shaped(&ws, &fixture("wide.csv"), &opts, Some(&shape), &mut |_| {}).unwrap();
    assert_eq!(stored(&ws), r.added);
    // Next month the same sheet imports by the saved name, with nothing to change.
    let ws = Workspace::open(ws.root()).unwrap();
    assert_eq!(ws.config().mapping("ancha"), Some(&shape.mapping));
    let by_name = ImportOptions {
        mapping: Some("ancha".into()),
        ..Default::default()
    };
    let again = import(&ws, &fixture("wide.csv"), &by_name).unwrap();
    assert_eq!((again.added, again.unchanged), (0, r.added));
}

#[test]
fn a_misspelt_municipality_is_noted_with_the_closest_gazetteer_names() {
    let entities = [
        ("05001", "Medelin"),
        ("08001", "Alcaldía de Barranquilla"),
        ("11001", "Bogotá"),
        ("05999", "Envigado"),
        ("10001", "Alcaldía Uno (sintética)"),
        ("CL-13101", "Santiago"),
    ]
    .iter()
    .map(|(c, n)| (c.to_string(), n.to_string()))
    .collect();
    let notes = check_entities(&entities);
    let codes: Vec<&str> = notes.iter().map(|n| n.code.as_str()).collect();
    assert_eq!(codes, ["05001", "05999"], "{notes:?}");
    let name = notes[0].divipola_name.as_deref().unwrap().to_lowercase();
    assert!(name.contains("medell"), "{name}");
    assert_eq!(notes[0].closest[0].0, "05001", "{notes:?}");
    assert_eq!(notes[1].divipola_name, None);
    assert!(
        notes[1].closest.iter().any(|(c, _)| c == "05266"),
        "{notes:?}"
    );
}

#[test]
fn the_cli_prints_the_gazetteer_note_and_still_imports() {
    let (dir, ws) = workspace();
    let file = dir.path().join("m.csv");
    std::fs::write(
        &file,
        "entity_code,entity_name,department,region,month,question,answer,rating,codes\n\
         05001,Medelin,Antioquia,Eje Cafetero,2020-07,calificacion_general,,4,\n",
    )
    .unwrap();
    let out = Command::cargo_bin("codifica")
        .unwrap()
        .arg("-w")
        .arg(ws.root())
        .arg("import")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("entity 05001 'Medelin': DIVIPOLA names 05001"),
        "{text}"
    );
    assert!(text.contains("closest: 05001 "), "{text}");
    assert_eq!(stored(&ws), 1);
}
