//! Search latency benchmark. Not a test: figures are printed, never asserted.
//!
//! ```text
//! cargo bench --bench search              # 100k answers
//! cargo bench --bench search -- 1000000   # 1M answers
//! cargo bench --bench search -- 1000000 --workspace /tmp/ws1m --only facets   # reuse an index
//! ```
//!
//! Writes a seeded **synthetic** data set (`codifica::synth`, canonical CSV, not timed), indexes
//! it through `Store::upsert` into a fresh workspace (timed: docs/s), then runs each typical
//! query many times through `codifica::search::search` — the same call the CLI and the web app
//! make, so parsing, analysis, collection, loading the stored hits and snippets are all counted —
//! and prints p50 / p99 / max latency per query. Target: p99 < 20 ms.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use codifica::answer::Answer;
use codifica::config::Config;
use codifica::month::Month;
use codifica::search::{self, CountBy, Filters, SearchRequest};
use codifica::store::Store;
use codifica::synth::{SynthSpec, write_csv_file};
use codifica::workspace::Workspace;

const WARMUP: usize = 20;
const RUNS: usize = 300;

/// Reads the generator's canonical CSV back as answers, streaming.
fn answers(path: &Path) -> impl Iterator<Item = Answer> {
    let mut rdr = csv::Reader::from_path(path).expect("open the synthetic CSV");
    let header: Vec<String> = rdr
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let col = move |name: &str| header.iter().position(|h| h == name).expect(name);
    let c: BTreeMap<&str, usize> = [
        "entity_code",
        "entity_name",
        "department",
        "region",
        "month",
        "question",
        "answer",
        "rating",
        "codes",
    ]
    .into_iter()
    .map(|n| (n, col(n)))
    .collect();
    rdr.into_records().map(move |r| {
        let r = r.expect("row");
        let get = |n: &str| r[c[n]].to_string();
        Answer {
            entity_code: get("entity_code"),
            entity_name: get("entity_name"),
            department: get("department"),
            region: get("region"),
            entity_kind: None,
            month: Month::parse(&get("month")).expect("month"),
            question: get("question"),
            answer_id: None,
            text: get("answer"),
            rating: get("rating").parse().ok(),
            codes: get("codes")
                .split(';')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            machine: None,
            interview_date: None,
            respondent_role: None,
            attributes: BTreeMap::new(),
        }
    })
}

fn request(query: &str, filters: Filters, limit: usize, count_by: &[CountBy]) -> SearchRequest {
    SearchRequest {
        query: query.into(),
        filters,
        limit,
        offset: 0,
        count_by: count_by.to_vec(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// `[N] [--workspace DIR] [--only SUBSTRING]`: N answers (default 100k); with `--workspace`,
/// the index is built there once and reused by later runs of the same N.
struct Opts {
    n: u64,
    workspace: Option<std::path::PathBuf>,
    only: Option<String>,
}

fn opts() -> Opts {
    let mut o = Opts {
        n: 100_000,
        workspace: None,
        only: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--workspace" => o.workspace = args.next().map(Into::into),
            "--only" => o.only = args.next(),
            "--bench" => {}
            other => o.n = other.parse().unwrap_or(o.n),
        }
    }
    o
}

/// The workspace with `n` synthetic answers: reused when `dir` already holds them.
fn build(n: u64, dir: &Path) -> (Workspace, Store) {
    if let Ok(ws) = Workspace::open(dir) {
        let store = Store::open(&ws).expect("store");
        if store.len().expect("len") == n {
            println!("reusing the index in {} ({n} answers)", dir.display());
            return (ws, store);
        }
    }
    let _ = std::fs::remove_dir_all(dir);
    let csv = dir.with_extension("csv");
    let t = Instant::now();
    let plan = write_csv_file(&SynthSpec::new(n, 42), &csv).expect("write the synthetic CSV");
    println!(
        "synthetic data: {n} answers, {} months ({} … {}), written in {:.1} s",
        plan.months,
        plan.first_month,
        plan.last_month,
        t.elapsed().as_secs_f64()
    );
    let ws = Workspace::init(dir, Config::monitoreo360_text(), false).expect("init");
    let store = Store::open(&ws).expect("store");
    let t = Instant::now();
    let summary = store.upsert(answers(&csv), |_| {}).expect("index");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "indexed {} answers via Store::upsert in {secs:.1} s ({:.0} answers/s)",
        summary.added,
        summary.added as f64 / secs
    );
    let _ = std::fs::remove_file(&csv);
    (ws, store)
}

fn main() {
    let o = opts();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = o.workspace.clone().unwrap_or_else(|| tmp.path().join("ws"));
    let (ws, store) = build(o.n, &dir);
    let segments = store.segment_count().expect("segments");
    println!("{segments} segments");
    let mid = SynthSpec::new(o.n, 42).plan().first_month;
    let mut to = mid;
    for _ in 0..5 {
        to = to.next();
    }
    let filtered = Filters {
        regions: vec!["pacifico".into()],
        from: Some(mid),
        to: Some(to),
        min_rating: None,
        questions: vec!["necesidades_debilidades".into()],
        ..Filters::default()
    };
    let coded = Filters {
        coded: Some(true),
        codes: vec!["brecha_conectividad".into()],
        ..Filters::default()
    };
    let all = CountBy::ALL;
    let cases: Vec<(&str, SearchRequest)> = vec![
        ("term", request("planeación", Filters::default(), 10, &[])),
        (
            "term, count only (no hits)",
            request("planeación", Filters::default(), 0, &[]),
        ),
        (
            "two-term AND",
            request("asistencia técnica", Filters::default(), 10, &[]),
        ),
        (
            "OR + NOT",
            request("internet OR señal -vías", Filters::default(), 10, &[]),
        ),
        (
            "phrase",
            request("\"plan de desarrollo\"", Filters::default(), 10, &[]),
        ),
        (
            "phrase ~2",
            request(
                "\"plan indicativo presupuesto\"~2",
                Filters::default(),
                10,
                &[],
            ),
        ),
        ("prefix", request("capacit*", Filters::default(), 10, &[])),
        (
            "fuzzy",
            request("conectividat~", Filters::default(), 10, &[]),
        ),
        (
            "fuzzy ~2",
            request("funsionaros~2", Filters::default(), 10, &[]),
        ),
        (
            "term + region/months/question",
            request("planeación", filtered.clone(), 10, &[]),
        ),
        ("term + code + coded", request("señal", coded, 10, &[])),
        (
            "term, 50 hits (snippets)",
            request("seguimiento", Filters::default(), 50, &[]),
        ),
        (
            "term + all 6 facets",
            request("seguimiento", Filters::default(), 10, &all),
        ),
        (
            "NOT only + facets",
            request("NOT planeación", filtered, 0, &all),
        ),
    ];
    println!();
    println!(
        "{:<32} {:>9} {:>8} {:>8} {:>8}",
        "query", "matches", "p50 ms", "p99 ms", "max ms"
    );
    for (name, req) in &cases {
        if o.only
            .as_ref()
            .is_some_and(|only| !name.contains(only.as_str()))
        {
            continue;
        }
        let mut total = 0;
        for _ in 0..WARMUP {
            total = search::search(&store, &ws.config().analyzer, req)
                .expect("search")
                .total;
        }
        let mut times = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let t = Instant::now();
            let r = search::search(&store, &ws.config().analyzer, req).expect("search");
            times.push(t.elapsed());
            std::hint::black_box(r);
        }
        times.sort();
        println!(
            "{name:<32} {total:>9} {:>8.2} {:>8.2} {:>8.2}",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            percentile(&times, 1.0)
        );
    }
}
