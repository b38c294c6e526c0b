//! End-to-end tests of search: the library API (`codifica::search::search`) and the
//! `codifica search` command, over the synthetic fixture `tests/fixtures/search/answers.csv`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use codifica::Error;
use codifica::answer::{Answer, MachineCoding};
use codifica::config::Config;
use codifica::month::Month;
use codifica::search::{self, CodeSource, CountBy, Filters, SearchRequest, SearchResults};
use codifica::store::{Store, filter_key};
use codifica::workspace::Workspace;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/search/answers.csv")
}

/// The fixture rows, read independently of `codifica import`.
fn rows() -> Vec<Answer> {
    let mut rdr = csv::Reader::from_path(fixture()).expect("fixture");
    rdr.records()
        .map(|r| {
            let r = r.expect("row");
            let codes: Vec<String> = r[8]
                .split(';')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
            Answer {
                entity_code: r[0].into(),
                entity_name: r[1].into(),
                department: r[2].into(),
                region: r[3].into(),
                entity_kind: None,
                month: Month::parse(&r[4]).expect("month"),
                question: r[5].into(),
                answer_id: None,
                text: r[6].into(),
                rating: (!r[7].is_empty()).then(|| r[7].parse().expect("rating")),
                codes,
                machine: None,
                interview_date: None,
                respondent_role: None,
                attributes: BTreeMap::new(),
            }
        })
        .collect()
}

/// Machine codings added on top of the fixture: (entity, month, question, codes).
const MACHINE: &[(&str, &str, &str, &[&str])] = &[
    (
        "73001",
        "2020-07",
        "fortalecimiento_capacidades",
        &["sin_fortalecimiento"],
    ),
    (
        "15001",
        "2020-07",
        "necesidades_debilidades",
        &["brecha_conectividad", "herramientas_contexto"],
    ),
];

fn machine_codes(a: &Answer) -> Vec<String> {
    MACHINE
        .iter()
        .find(|(e, m, q, _)| a.entity_code == *e && a.month.to_string() == *m && a.question == *q)
        .map(|(_, _, _, c)| c.iter().map(|s| s.to_string()).collect())
        .unwrap_or_default()
}

/// One workspace for all tests (built once through the library).
fn workspace_dir() -> &'static Path {
    static WS: OnceLock<tempfile::TempDir> = OnceLock::new();
    WS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let ws = Workspace::init(dir.path(), Config::monitoreo360_text(), false).expect("init");
        let store = Store::open(&ws).expect("store");
        store.upsert(rows(), |_| {}).expect("upsert");
        let codings: Vec<(String, MachineCoding)> = rows()
            .iter()
            .filter(|a| !machine_codes(a).is_empty())
            .map(|a| {
                let coding = MachineCoding {
                    codes: machine_codes(a),
                    confidence: 0.9,
                    margin: 0.5,
                    top_terms: vec![],
                    model: "test".into(),
                    ..Default::default()
                };
                (a.key(), coding)
            })
            .collect();
        store
            .set_machine_codings(&codings)
            .expect("machine codings");
        dir
    })
    .path()
}

fn run(req: &SearchRequest) -> codifica::Result<SearchResults> {
    let ws = Workspace::open(workspace_dir()).expect("open");
    let store = Store::open(&ws).expect("store");
    search::search(&store, &ws.config().analyzer, req)
}

fn find(query: &str) -> SearchResults {
    find_with(query, Filters::default())
}

fn find_with(query: &str, filters: Filters) -> SearchResults {
    let req = SearchRequest {
        query: query.into(),
        filters,
        limit: 100,
        ..SearchRequest::default()
    };
    run(&req).unwrap_or_else(|e| panic!("{query:?}: {e}"))
}

/// Keys of the hits, sorted.
fn keys(r: &SearchResults) -> Vec<String> {
    let mut k: Vec<String> = r.hits.iter().map(|h| h.id.clone()).collect();
    k.sort();
    k
}

fn key(entity: &str, month: &str, question: &str) -> String {
    format!("{entity}|{month}|{question}|")
}

/// Keys of the fixture rows satisfying `pred`, sorted: the hand count.
fn expected(pred: impl Fn(&Answer) -> bool) -> Vec<String> {
    let mut k: Vec<String> = rows().iter().filter(|a| pred(a)).map(Answer::key).collect();
    k.sort();
    k
}

const ALL: &str = "NOT zzzzqqq";

#[test]
fn accents_and_stems() {
    let r = find("planeacion");
    assert_eq!(r.total, 4);
    assert!(keys(&r).contains(&key("76001", "2020-07", "articulacion_instrumentos")));
    assert_eq!(keys(&find("PLANEACIÓN")), keys(&r));
    let r = find("asistencia");
    assert!(
        keys(&r).contains(&key("76001", "2020-08", "articulacion_instrumentos")),
        "asistencias"
    );
    assert_eq!(r.total, 4);
}

#[test]
fn boolean_operators() {
    assert_eq!(
        keys(&find("planeación territorial")),
        [key("76001", "2020-07", "articulacion_instrumentos")]
    );
    assert_eq!(
        keys(&find("planeación AND territorial")),
        keys(&find("planeación territorial"))
    );
    assert_eq!(find("acueducto OR internet").total, 2);
    let only = [key("52835", "2020-08", "necesidades_debilidades")];
    assert_eq!(keys(&find("capacitación NOT espera")), only);
    assert_eq!(keys(&find("capacitación -espera")), only);
    assert_eq!(keys(&find("-espera capacitación")), only);
    assert_eq!(find("NOT planeación").total, rows().len() - 4);
    assert_eq!(find("(agua OR internet) rural").total, 1);
    // Stop words are dropped, not required.
    assert_eq!(find("la planeación de").total, 4);
}

#[test]
fn phrases_keep_stop_word_gaps() {
    let six = key("47001", "2020-08", "fortalecimiento_capacidades");
    let seven = key("47001", "2020-09", "fortalecimiento_capacidades");
    assert_eq!(
        keys(&find("\"listas de espera\"")),
        std::slice::from_ref(&six)
    );
    assert_eq!(
        keys(&find("\"lista espera\"")),
        std::slice::from_ref(&seven)
    );
    assert_eq!(keys(&find("\"lista espera\"~1")), [six, seven]);
    assert_eq!(find("\"espera listas\"").total, 0);
    assert_eq!(find("\"planeación territorial\"").total, 1);
}

#[test]
fn prefixes_are_folded() {
    assert_eq!(find("planea*").total, 4);
    assert_eq!(find("articul*").total, 1);
    assert_eq!(find("vía*").total, 2, "accent-insensitive prefix");
    assert_eq!(find("VIA*").total, 2);
}

#[test]
fn fuzzy_terms() {
    assert_eq!(find("conectividat~").total, 2);
    assert_eq!(find("capasitacion~").total, 3);
    assert_eq!(find("acueduto~1").total, 1);
    assert_eq!(find("conectivdat~2").total, 2);
    assert_eq!(find("conectivdat~1").total, 0);
    assert_eq!(find("planeacion~0").total, 4);
}

#[test]
fn ranking() {
    let r = find("planeación");
    assert_eq!(
        r.hits[0].id,
        key("05001", "2020-09", "articulacion_instrumentos")
    );
    assert_eq!(
        r.hits[3].id,
        key("05001", "2020-07", "necesidades_debilidades")
    );
    assert!(r.hits.windows(2).all(|w| w[0].score >= w[1].score));
    // Same length, same stem: the exact word typed ranks first.
    let f = Filters {
        entities: vec!["73001".into()],
        ..Filters::default()
    };
    let r = find_with("asistencia", f.clone());
    assert_eq!(r.total, 2);
    assert_eq!(
        r.hits[0].id,
        key("73001", "2020-07", "fortalecimiento_capacidades")
    );
    let r = find_with("asistencias", f);
    assert_eq!(
        r.hits[0].id,
        key("73001", "2020-08", "fortalecimiento_capacidades")
    );
}

#[test]
fn filters_narrow() {
    let all = || Filters::default();
    type Pred = Box<dyn Fn(&Answer) -> bool>;
    let cases: Vec<(Filters, Pred)> = vec![
        (
            Filters {
                regions: vec!["pacifico".into()],
                ..all()
            },
            Box::new(|a| a.region == "Pacífico"),
        ),
        (
            Filters {
                regions: vec!["PACÍFICO".into(), "Caribe".into()],
                ..all()
            },
            Box::new(|a| a.region == "Pacífico" || a.region == "Caribe"),
        ),
        (
            Filters {
                departments: vec!["NARIÑO".into()],
                ..all()
            },
            Box::new(|a| a.department == "Nariño"),
        ),
        (
            Filters {
                entities: vec!["santa marta".into()],
                ..all()
            },
            Box::new(|a| a.entity_code == "47001"),
        ),
        (
            Filters {
                entities: vec!["76001".into()],
                ..all()
            },
            Box::new(|a| a.entity_code == "76001"),
        ),
        (
            Filters {
                entities: vec!["Tumaco".into()],
                ..all()
            },
            Box::new(|a| a.entity_code == "52835"),
        ),
        (
            Filters {
                entities: vec!["marta santa".into()],
                ..all()
            },
            Box::new(|_| false),
        ),
        (
            Filters {
                months: vec![Month::parse("2020-07").unwrap()],
                ..all()
            },
            Box::new(|a| a.month.to_string() == "2020-07"),
        ),
        (
            Filters {
                months: vec![
                    Month::parse("2020-07").unwrap(),
                    Month::parse("2020-09").unwrap(),
                ],
                ..all()
            },
            Box::new(|a| a.month.to_string() != "2020-08"),
        ),
        (
            Filters {
                from: Month::parse("2020-08"),
                ..all()
            },
            Box::new(|a| a.month >= Month::parse("2020-08").unwrap()),
        ),
        (
            Filters {
                from: Month::parse("2020-08"),
                to: Month::parse("2020-08"),
                ..all()
            },
            Box::new(|a| a.month.to_string() == "2020-08"),
        ),
        (
            Filters {
                questions: vec!["fortalecimiento_capacidades".into()],
                ..all()
            },
            Box::new(|a| a.question == "fortalecimiento_capacidades"),
        ),
        (
            Filters {
                codes: vec!["sin_fortalecimiento".into()],
                ..all()
            },
            Box::new(|a| {
                a.codes.contains(&"sin_fortalecimiento".into())
                    || machine_codes(a).contains(&"sin_fortalecimiento".into())
            }),
        ),
        (
            Filters {
                codes: vec!["sin_fortalecimiento".into()],
                code_source: CodeSource::Human,
                ..all()
            },
            Box::new(|a| a.codes.contains(&"sin_fortalecimiento".into())),
        ),
        (
            Filters {
                codes: vec!["herramientas_contexto".into()],
                code_source: CodeSource::Machine,
                ..all()
            },
            Box::new(|a| machine_codes(a).contains(&"herramientas_contexto".into())),
        ),
        (
            Filters {
                min_rating: Some(4.0),
                ..all()
            },
            Box::new(|a| a.rating.is_some_and(|r| r >= 4.0)),
        ),
        (
            Filters {
                min_rating: Some(2.0),
                max_rating: Some(3.0),
                ..all()
            },
            Box::new(|a| a.rating.is_some_and(|r| (2.0..=3.0).contains(&r))),
        ),
        (
            Filters {
                coded: Some(true),
                ..all()
            },
            Box::new(|a| !a.codes.is_empty()),
        ),
        (
            Filters {
                coded: Some(false),
                ..all()
            },
            Box::new(|a| a.codes.is_empty()),
        ),
    ];
    for (filters, pred) in cases {
        let want = expected(&pred);
        let got = find_with(ALL, filters.clone());
        assert_eq!(keys(&got), want, "{filters:?}");
        assert!(
            want.len() < rows().len(),
            "the filter must narrow: {filters:?}"
        );
    }
    // A filter with a text query: both apply.
    let f = Filters {
        regions: vec!["caribe".into()],
        ..all()
    };
    assert_eq!(find_with("planeación", f).total, 1);
}

#[test]
fn filters_do_not_change_scores() {
    let plain = find("planeación");
    let filtered = find_with(
        "planeación",
        Filters {
            regions: vec!["eje cafetero - antioquia".into()],
            ..Filters::default()
        },
    );
    assert_eq!(filtered.total, 2);
    for h in &filtered.hits {
        let same = plain
            .hits
            .iter()
            .find(|p| p.id == h.id)
            .expect("also unfiltered");
        assert_eq!(same.score, h.score);
    }
}

#[test]
fn facets_equal_hand_counts() {
    let req = SearchRequest {
        query: ALL.into(),
        limit: 3,
        count_by: CountBy::ALL.to_vec(),
        ..SearchRequest::default()
    };
    let r = run(&req).unwrap();
    assert_eq!(r.hits.len(), 3, "facets count all matches, not the page");
    let rows = rows();
    for facet in &r.facets {
        let mut want: BTreeMap<String, u64> = BTreeMap::new();
        for a in &rows {
            let values: Vec<String> = match facet.by {
                CountBy::Month => vec![a.month.to_string()],
                CountBy::Question => vec![a.question.clone()],
                CountBy::Region => vec![a.region.clone()],
                CountBy::Department => vec![a.department.clone()],
                CountBy::Code => a.codes.clone(),
                CountBy::MachineCode => machine_codes(a),
            };
            for v in values {
                *want.entry(v).or_default() += 1;
            }
        }
        let got: BTreeMap<String, u64> = facet
            .counts
            .iter()
            .map(|c| (c.value.clone(), c.count))
            .collect();
        assert_eq!(got, want, "{}", facet.by);
        if facet.by == CountBy::Month {
            let order: Vec<&str> = facet.counts.iter().map(|c| c.value.as_str()).collect();
            assert_eq!(order, ["2020-07", "2020-08", "2020-09"]);
        } else {
            assert!(
                facet.counts.windows(2).all(|w| w[0].count > w[1].count
                    || (w[0].count == w[1].count && w[0].value < w[1].value)),
                "{}: {:?}",
                facet.by,
                facet.counts
            );
        }
    }
    // Facets of a narrower query.
    let req = SearchRequest {
        query: "capacitación".into(),
        count_by: vec![CountBy::Code, CountBy::Region],
        ..SearchRequest::default()
    };
    let r = run(&req).unwrap();
    assert_eq!(r.facets.len(), 2);
    let code = &r.facets[0];
    assert_eq!(code.by, CountBy::Code, "facets come in the order asked");
    let got: Vec<(&str, u64)> = code
        .counts
        .iter()
        .map(|c| (c.value.as_str(), c.count))
        .collect();
    assert_eq!(
        got,
        [
            ("sin_fortalecimiento", 2),
            ("kpt_altas_capacidades", 1),
            ("llego_destiempo", 1)
        ]
    );
    assert_eq!(filter_key("Pacífico"), "pacifico");
}

#[test]
fn paging() {
    let page = |offset| {
        run(&SearchRequest {
            query: ALL.into(),
            limit: 5,
            offset,
            ..SearchRequest::default()
        })
        .unwrap()
    };
    let (a, b) = (page(0), page(5));
    assert_eq!(a.total, b.total);
    assert_eq!((a.hits.len(), b.hits.len()), (5, 5));
    assert!(a.hits.iter().all(|h| b.hits.iter().all(|g| g.id != h.id)));
    assert!(page(100).hits.is_empty());
    assert!(
        page(usize::MAX / 2).hits.is_empty(),
        "a huge offset is just past the end"
    );
    let count_only = run(&SearchRequest {
        query: ALL.into(),
        limit: 0,
        ..SearchRequest::default()
    })
    .unwrap();
    assert!(count_only.hits.is_empty());
    assert_eq!(count_only.total, rows().len());
}

#[test]
fn snippets_highlight_matches() {
    let r = find("planeacion territorial");
    assert_eq!(
        r.hits[0].snippet.html(),
        "La asistencia técnica ayudó a la <b>planeación</b> <b>territorial</b> del municipio.",
        "a short answer is shown whole, final stop included, no ellipsis"
    );
    assert!(
        r.hits[0]
            .snippet
            .html()
            .contains("<b>planeación</b> <b>territorial</b>"),
        "{:?}",
        r.hits[0].snippet
    );
    let r = find("conecti*");
    assert!(
        r.hits
            .iter()
            .all(|h| h.snippet.html().contains("<b>conectividad</b>"))
    );
    let r = find("acueduto~ agua");
    let html = r.hits[0].snippet.html();
    assert!(
        html.contains("<b>acueducto</b>") && html.contains("<b>agua</b>"),
        "{html}"
    );
    // NOT parts are not highlighted; no match in the text: the start of the answer.
    let r = find_with(
        "NOT planeación",
        Filters {
            entities: vec!["50001".into()],
            ..Filters::default()
        },
    );
    assert!(r.hits.iter().all(|h| !h.snippet.html().contains("<b>")));
    assert!(
        r.hits
            .iter()
            .any(|h| h.snippet.html().starts_with("El acueducto"))
    );
    // Long text: a fragment around the match, cut with an ellipsis.
    let r = find_with("emergencia", Filters::default());
    let s = &r.hits[0].snippet;
    assert!(
        s.cut_before && s.html().contains("<b>emergencia</b>"),
        "{s:?}"
    );
    assert!(
        s.fragment.len() > 120,
        "context before the match fills the snippet: {s:?}"
    );
    assert!(s.html().starts_with("…varias"), "starts at a word: {s:?}");
}

#[test]
fn query_errors_have_positions() {
    let err = |q: &str| match run(&SearchRequest::new(q)) {
        Err(Error::Query { position, message }) => (position, message),
        other => panic!("{q:?}: expected a query error, got {other:?}"),
    };
    assert_eq!(err("planeación \"de la").0, 12);
    assert!(err("(agua OR luz").1.contains("unbalanced"));
    assert!(err("de la").1.contains("stop words"));
    assert!(err("").1.contains("empty"));
    assert!(err("*").1.contains("'*' alone"));
    assert!(err("agua~7").1.contains("fuzzy distance"));
    assert!(err("agua AND").1.contains("AND"));
    let bad = Filters {
        min_rating: Some(5.0),
        max_rating: Some(1.0),
        ..Filters::default()
    };
    let req = SearchRequest {
        query: "agua".into(),
        filters: bad,
        ..SearchRequest::default()
    };
    assert!(run(&req).is_err());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Any query string gives results or a query error against a real index, never a panic.
    #[test]
    fn arbitrary_queries_never_panic(q in "\\PC{0,30}|([a-zó*~\"() -]|AND |OR |NOT ){0,12}") {
        match run(&SearchRequest::new(q.clone())) {
            Ok(_) | Err(Error::Query { .. } | Error::QueryLimit { .. }) => {}
            Err(other) => proptest::prop_assert!(false, "{q:?}: {other}"),
        }
    }
}

// ---- the command line ----

fn codifica() -> Command {
    let mut c = Command::cargo_bin("codifica").expect("binary");
    c.arg("--workspace").arg(workspace_dir());
    c
}

#[test]
fn cli_json_lines_have_every_field() {
    let out = codifica()
        .args(["search", "planeacion", "--json", "--count-by", "region"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 4 + 1 + 1, "{text}");
    for hit in &lines[..4] {
        for field in [
            "id",
            "entity_code",
            "entity_name",
            "department",
            "region",
            "month",
            "question",
            "answer",
            "rating",
            "codes",
            "machine_codes",
            "score",
            "snippet",
        ] {
            assert!(hit.get(field).is_some(), "missing {field} in {hit}");
        }
        assert!(hit["snippet"].as_str().unwrap().contains("<b>"), "{hit}");
    }
    assert_eq!(lines[0]["entity_code"], "05001");
    assert_eq!(lines[4]["count_by"], "region");
    assert_eq!(lines[4]["counts"][0]["count"], 2);
    assert_eq!(lines[5]["shown"], 4, "the last line sums up: {text}");
    assert!(lines[5]["total"].as_u64().is_some(), "{text}");
}

#[test]
fn cli_text_output_and_filters() {
    let out = codifica()
        .args([
            "search",
            "asistencia",
            "--region",
            "Pacifico",
            "--month",
            "2020-08",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("1 answer matches asistencia"), "{text}");
    assert!(
        text.contains("«asistencias»"),
        "not a TTY: marks with «»\n{text}"
    );
    assert!(text.contains("76001 Cali"), "{text}");
    let out = codifica()
        .args([
            "search",
            "NOT",
            "zzz",
            "--limit",
            "0",
            "--count-by",
            "month,code",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("by month:") && text.contains("by code:"),
        "{text}"
    );
    let months = text.find("2020-07").unwrap() < text.find("2020-09").unwrap();
    assert!(months, "{text}");
}

#[test]
fn cli_malformed_queries_fail_with_a_position() {
    for (q, pos) in [
        ("agua \"rural", 6),
        ("(agua", 1),
        ("agua OR", 6),
        ("*", 1),
        ("agua~9", 5),
    ] {
        let out = codifica().args(["search", q]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{q}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(&format!("position {pos}")), "{q}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = codifica()
        .args(["search", "agua", "--question", "nope"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown question"));
    let out = codifica()
        .args(["search", "agua", "--month", "julio"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// The whole path through the binary: `init`, `import` of the fixture, `search`.
#[test]
fn cli_import_then_search() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = |args: &[&str]| {
        Command::cargo_bin("codifica")
            .unwrap()
            .arg("--workspace")
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    assert!(cmd(&["init"]).status.success());
    // The fixture gives some open answers two codes: this team's codebooks allow several.
    for q in ["articulacion_instrumentos", "necesidades_debilidades"] {
        let path = dir.path().join(format!("codebooks/{q}.toml"));
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            text.replace("multi_label = false", "multi_label = true"),
        )
        .unwrap();
    }
    let import = cmd(&["import", fixture().to_str().unwrap()]);
    assert!(
        import.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&import.stderr)
    );
    let out = cmd(&["search", "planeacion", "--json"]);
    assert!(out.status.success());
    // Four hits, then the summary line with the total.
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(text.lines().count(), 4 + 1, "{text}");
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(
        (last["total"].as_u64(), last["shown"].as_u64()),
        (Some(4), Some(4)),
        "{text}"
    );
    let out = cmd(&[
        "search",
        "asistencia",
        "--region",
        "pacifico",
        "--count-by",
        "code",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3 + 1, "{text}");
    assert!(lines[..2].iter().all(|h| h["region"] == "Pacífico"));
    let codes: Vec<(String, u64)> = lines[2]["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["value"].as_str().unwrap().to_string(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("apropiacion_temas", 1),
        ("integralidad", 1),
        ("sin_contribucion", 1),
    ];
    assert_eq!(codes, want.map(|(c, n)| (c.to_string(), n)));
}

// ---- limits on what one query may ask (issue 15) ----

/// Past a cap the library refuses with the position of the first character or term past it;
/// repeated terms are merged first, so repeating a word costs nothing and is not refused.
#[test]
fn queries_past_the_caps_are_refused_with_a_position() {
    use codifica::error::QueryLimit;
    use codifica::search::query::{MAX_EXPANSIONS, MAX_QUERY_CHARS, MAX_TERMS};
    let limit = |q: &str| match run(&SearchRequest::new(q)) {
        Err(Error::QueryLimit { position, limit }) => (position, limit),
        other => panic!("expected a limit, got {other:?}"),
    };
    let long = "asistencia ".repeat(200);
    assert_eq!(
        limit(&long),
        (MAX_QUERY_CHARS + 1, QueryLimit::Chars(MAX_QUERY_CHARS))
    );
    // 9 fuzzy words of 13 characters joined by " OR ": the 9th starts at 8 × 17 + 1.
    let fuzzy: Vec<String> = (0..=MAX_EXPANSIONS)
        .map(|i| format!("asistencia{i}~2"))
        .collect();
    assert_eq!(
        limit(&fuzzy.join(" OR ")),
        (8 * 17 + 1, QueryLimit::Expansions(MAX_EXPANSIONS))
    );
    let words: Vec<String> = (0..=MAX_TERMS).map(|i| format!("p{i:02}")).collect();
    assert_eq!(
        limit(&words.join(" ")),
        (MAX_TERMS * 4 + 1, QueryLimit::Terms(MAX_TERMS))
    );
    // The same word 60 times is one word: accepted, same answers as once.
    let repeated = vec!["asistencia~2"; 60].join(" OR ");
    assert_eq!(keys(&find(&repeated)), keys(&find("asistencia~2")));
}

#[test]
fn cli_refuses_a_query_past_the_caps_with_a_short_message() {
    let fuzzy: Vec<String> = (0..12).map(|i| format!("asistencia{i}~2")).collect();
    let out = codifica()
        .args(["search", &fuzzy.join(" OR ")])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid query at position 137")
            && err.contains("more than 8 prefix (*) and fuzzy (~) words"),
        "{err}"
    );
    let long = "a".repeat(100_000);
    let out = codifica().args(["search", &long]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("position 1001"), "{err}");
    assert!(
        err.len() < 1_000,
        "the error repeats the query: {} bytes",
        err.len()
    );
}

/// Escape sequences and control characters stored in answers (or in file names) are shown as
/// visible escapes by `search` and `status`, never sent raw to the terminal.
#[test]
fn search_and_status_do_not_send_escape_sequences_from_data() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(dir.path(), Config::monitoreo360_text(), false).unwrap();
    let mut a = rows().remove(0);
    a.entity_name = "Cali\x1b]0;pwned\x07".into();
    a.text = "asistencia \x1b[2J\x1b[31mroja\r borrada\u{202e}".into();
    Store::open(&ws).unwrap().upsert(vec![a], |_| {}).unwrap();
    std::fs::write(ws.models_dir().join("m\x1b[5m.model"), b"x").unwrap();
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("codifica")
            .unwrap()
            .arg("--workspace")
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    for out in [run(&["search", "asistencia"]), run(&["status"])] {
        assert!(
            !out.contains('\x1b') && !out.contains('\r') && !out.contains('\u{202e}'),
            "{out:?}"
        );
    }
    let out = run(&["search", "asistencia"]);
    assert!(out.contains("\\u{1b}[2J") && out.contains("\\r"), "{out}");
    assert!(run(&["status"]).contains("m\\u{1b}[5m.model"));
}

#[test]
fn browse_selects_by_filters_alone_newest_month_first() {
    let ws = Workspace::open(workspace_dir()).expect("open");
    let store = Store::open(&ws).expect("store");
    let filters = Filters {
        questions: vec!["necesidades_debilidades".into()],
        ..Filters::default()
    };
    let req = SearchRequest {
        query: String::new(),
        filters,
        limit: 1000,
        count_by: vec![CountBy::Month],
        ..SearchRequest::default()
    };
    let r = search::browse(&store, &req).expect("browse");
    let want = expected(|a| a.question == "necesidades_debilidades");
    assert!(!want.is_empty());
    assert_eq!(keys(&r), want);
    assert_eq!(r.total, want.len());
    let months: Vec<Month> = r.hits.iter().map(|h| h.month).collect();
    assert!(months.windows(2).all(|w| w[0] >= w[1]), "{months:?}");
    assert!(r.hits.iter().all(|h| h.snippet.fragment == h.answer));
    let counted: usize = r.facets[0].counts.iter().map(|c| c.count as usize).sum();
    assert_eq!(counted, want.len());
    // Paging past the end is empty, not an error; an empty filter selects everything.
    let past = SearchRequest {
        offset: 10_000,
        ..req.clone()
    };
    assert!(search::browse(&store, &past).expect("past").hits.is_empty());
    let all = search::browse(&store, &SearchRequest::default()).expect("all");
    assert_eq!(all.total, rows().len());
}

#[test]
fn store_months_are_the_months_with_answers_oldest_first() {
    let ws = Workspace::open(workspace_dir()).expect("open");
    let store = Store::open(&ws).expect("store");
    let mut want: Vec<Month> = rows().iter().map(|a| a.month).collect();
    want.sort();
    want.dedup();
    assert_eq!(store.months().expect("months"), want);
}
