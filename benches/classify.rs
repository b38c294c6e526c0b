//! Benchmark and tuning harness of the coding engine (codifica's side of
//! `scripts/bench_classifier.sh`). Not a test: figures are printed, never asserted.
//!
//! ```text
//! cargo bench --bench classify -- --data ../shared/data/cabildos-2016/cabildos_provincial.csv \
//!     [--theme T]... [--learner svc|cnb] [--c 0.5] [--weight balanced|uniform] \
//!     [--char none|3-5] [--min-df 1] [--ngrams 2] [--cv 5] [--grid] [--json OUT]
//! ```
//!
//! Reads `id,text,label,theme,text_is_placeholder,suggested_split` rows (placeholders dropped),
//! trains one model per theme on `train`, and reports macro-F1 / accuracy on `test`, training
//! seconds (incl. the calibration CV), batch classification docs/s after load (full predictions:
//! code, confidence, margin, top terms; single thread) and the process's peak RSS.
//! `--grid` instead cross-validates a grid of settings on the `train` part only (never on test).

use std::collections::BTreeMap;
use std::time::Instant;

use codifica::analyze::Analyzer;
use codifica::model::classifier::{Learner, cross_validate, evaluate_holdout, prepare};
use codifica::model::linear::{ClassWeight, ComplementNbSettings, LinearSvcSettings};
use codifica::model::metrics::single_label;
use codifica::model::{Example, ModelSet, QuestionModel, TrainSettings};

struct Opts {
    data: String,
    themes: Vec<String>,
    settings: TrainSettings,
    grid: bool,
    json: Option<String>,
    /// Leave one group of this column out at a time (e.g. `region`) instead of the split.
    group_col: Option<String>,
    /// Group column of the training rows, for the model's own grouped cross-validation.
    train_groups: Option<String>,
    /// Batch classification speed (and quality) on the suggested split.
    throughput: bool,
}

fn parse() -> Result<Opts, String> {
    let mut o = Opts {
        data: "../shared/data/cabildos-2016/cabildos_provincial.csv".into(),
        themes: Vec::new(),
        settings: TrainSettings::default(),
        grid: false,
        json: None,
        group_col: None,
        train_groups: Some("region".into()),
        throughput: false,
    };
    let mut svc = LinearSvcSettings::default();
    let mut cnb = ComplementNbSettings::default();
    let mut learner = String::from("svc");
    let mut beta = 0.5f32;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--data" => o.data = val()?,
            "--theme" => o.themes.push(val()?),
            "--learner" => learner = val()?,
            "--beta" => beta = val()?.parse().map_err(|_| "bad --beta")?,
            "--c" => svc.c = val()?.parse().map_err(|e| format!("--c: {e}"))?,
            "--tol" => svc.tol = val()?.parse().map_err(|e| format!("--tol: {e}"))?,
            "--alpha" => cnb.alpha = val()?.parse().map_err(|e| format!("--alpha: {e}"))?,
            "--weight" => {
                svc.class_weight = if val()? == "uniform" {
                    ClassWeight::Uniform
                } else {
                    ClassWeight::Balanced
                }
            }
            "--char" => {
                let v = val()?;
                o.settings.tfidf.char_ngrams = match v.split_once('-') {
                    Some((a, b)) => Some((
                        a.parse().map_err(|_| "bad --char")?,
                        b.parse().map_err(|_| "bad --char")?,
                    )),
                    None => None,
                };
            }
            "--min-df" => o.settings.tfidf.min_df = val()?.parse().map_err(|_| "bad --min-df")?,
            "--ngrams" => {
                o.settings.tfidf.word_ngram_max = val()?.parse().map_err(|_| "bad --ngrams")?
            }
            "--cv" => o.settings.cv_folds = val()?.parse().map_err(|_| "bad --cv")?,
            "--grid" => o.grid = true,
            "--no-offsets" => o.settings.tune_offsets = false,
            "--json" => o.json = Some(val()?),
            "--group-col" => o.group_col = Some(val()?),
            "--train-groups" => {
                let v = val()?;
                o.train_groups = (v != "none").then_some(v);
            }
            "--word-chars" => {
                let v = val()?;
                o.settings.tfidf.word_chars = match v.split_once('-') {
                    Some((a, b)) => Some((
                        a.parse().map_err(|_| "bad --word-chars")?,
                        b.parse().map_err(|_| "bad --word-chars")?,
                    )),
                    None => None,
                };
            }
            "--bench" => {}
            "--throughput" => o.throughput = true,
            other => return Err(format!("unknown option {other}")),
        }
    }
    o.settings.learner = match learner.as_str() {
        "cnb" => Learner::ComplementNb(cnb),
        "svc+cnb" => Learner::SvcCnb {
            svc,
            cnb,
            cnb_weight: beta,
        },
        _ => Learner::LinearSvc(svc),
    };
    Ok(o)
}

/// (train, test) examples per theme.
type Split = BTreeMap<String, (Vec<Example>, Vec<Example>)>;

/// One usable row of the benchmark file.
struct Row {
    theme: String,
    split: String,
    example: Example,
    /// Value of the `--group-col` column (leave-one-group-out), if asked.
    outer: String,
}

/// The rows (placeholders dropped), the training group of each example from `train_groups`.
fn read_rows(
    path: &str,
    group_col: Option<&str>,
    train_groups: Option<&str>,
) -> Result<Vec<Row>, String> {
    let mut r = csv::Reader::from_path(path).map_err(|e| format!("{path}: {e}"))?;
    let h = r.headers().map_err(|e| e.to_string())?.clone();
    let col = |n: &str| {
        h.iter()
            .position(|x| x == n)
            .ok_or(format!("no column {n}"))
    };
    let (ct, cl, cth, cp, cs) = (
        col("text")?,
        col("label")?,
        col("theme")?,
        col("text_is_placeholder")?,
        col("suggested_split")?,
    );
    let outer = group_col.map(col).transpose()?;
    let inner = train_groups.map(col).transpose()?;
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        if &rec[cp] != "0" {
            continue;
        }
        out.push(Row {
            theme: rec[cth].to_string(),
            split: rec[cs].to_string(),
            example: Example {
                text: rec[ct].to_string(),
                codes: vec![rec[cl].to_string()],
                group: inner.map(|c| rec[c].to_string()),
            },
            outer: outer.map_or(String::new(), |c| rec[c].to_string()),
        });
    }
    Ok(out)
}

/// Quality of one test set, as the peers' harness measures it (scikit-learn's macro-F1 over
/// the codes present in truth or predictions, top-3 accuracy, coverage at 90 / 80 %).
struct FoldScore {
    macro_f1: f64,
    accuracy: f64,
    top3: f64,
    cov90: f64,
    cov80: f64,
    n: usize,
}

fn score(m: &QuestionModel, analyzer: &mut Analyzer, test: &[Example]) -> FoldScore {
    let r = evaluate_holdout(m, analyzer, test).expect("evaluate");
    let rk = r.ranking.clone().expect("single-label ranking");
    let cov = |t: f64| {
        rk.coverage
            .iter()
            .find(|c| c.target == t)
            .map_or(0.0, |c| c.share)
    };
    FoldScore {
        macro_f1: r.macro_f1,
        accuracy: r.accuracy,
        top3: rk.top3_accuracy,
        cov90: cov(0.9),
        cov80: cov(0.8),
        n: r.n,
    }
}

/// Leave one group out per theme: train on the other groups, test on the group; the figures are
/// means over folds (as the peers' harness reports them).
fn loro(o: &Opts) -> Result<(), String> {
    let gc = o.group_col.as_deref().unwrap_or("region");
    let rows = read_rows(&o.data, Some(gc), o.train_groups.as_deref())?;
    let mut themes: Vec<String> = rows.iter().map(|r| r.theme.clone()).collect();
    themes.sort();
    themes.dedup();
    themes.retain(|t| o.themes.is_empty() || o.themes.contains(t));
    let mut analyzer = Analyzer::default();
    let mut json = Vec::new();
    println!(
        "| theme | model | folds | macro-F1 | accuracy | top-3 | cov@90 | cov@80 | train s/fold |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for theme in &themes {
        let tr: Vec<&Row> = rows.iter().filter(|r| &r.theme == theme).collect();
        let mut groups: Vec<&str> = tr.iter().map(|r| r.outer.as_str()).collect();
        groups.sort();
        groups.dedup();
        // The suggested split is one fold: train on the rest, test on `test`.
        if gc == "suggested_split" {
            groups.retain(|g| *g == "test");
        }
        let mut folds = Vec::new();
        let mut train_s = 0.0;
        for g in &groups {
            let train: Vec<Example> = tr
                .iter()
                .filter(|r| r.outer != *g)
                .map(|r| r.example.clone())
                .collect();
            let test: Vec<Example> = tr
                .iter()
                .filter(|r| r.outer == *g)
                .map(|r| r.example.clone())
                .collect();
            let t0 = Instant::now();
            let m = QuestionModel::train(
                theme,
                &mut analyzer,
                &train,
                &o.settings.clone().check().unwrap(),
            )
            .map_err(|e| e.to_string())?;
            train_s += t0.elapsed().as_secs_f64();
            let f = score(&m, &mut analyzer, &test);
            eprintln!(
                "[codifica] {theme} {g}: macro-F1 {:.4} acc {:.4} cov90 {:.4} (n {})",
                f.macro_f1, f.accuracy, f.cov90, f.n
            );
            folds.push(f);
        }
        let mean = |f: fn(&FoldScore) -> f64| folds.iter().map(f).sum::<f64>() / folds.len() as f64;
        let (mf, acc, t3, c90, c80) = (
            mean(|f| f.macro_f1),
            mean(|f| f.accuracy),
            mean(|f| f.top3),
            mean(|f| f.cov90),
            mean(|f| f.cov80),
        );
        println!(
            "| {theme} | codifica {} | {} | {mf:.4} | {acc:.4} | {t3:.4} | {c90:.4} | {c80:.4} | {:.2} |",
            label(&o.settings),
            folds.len(),
            train_s / folds.len() as f64
        );
        json.push(serde_json::json!({
            "theme": theme, "model": format!("codifica {}", label(&o.settings)),
            "protocol": format!("leave one {gc} out"), "folds": folds.len(),
            "macro_f1": mf, "accuracy": acc, "top3_accuracy": t3,
            "coverage_at_90": c90, "coverage_at_80": c80,
            "train_s_per_fold": train_s / folds.len() as f64,
        }));
    }
    if let Some(p) = &o.json {
        std::fs::write(
            p,
            serde_json::to_vec_pretty(&json).map_err(|e| e.to_string())?,
        )
        .map_err(|e| format!("{p}: {e}"))?;
    }
    Ok(())
}

fn read(path: &str, train_groups: Option<&str>) -> Result<Split, String> {
    let mut out = Split::new();
    for r in read_rows(path, None, train_groups)? {
        let slot = out.entry(r.theme).or_default();
        if r.split == "test" {
            slot.1.push(r.example);
        } else if r.split == "train" {
            slot.0.push(r.example);
        }
    }
    Ok(out)
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn label(s: &TrainSettings) -> String {
    let l = match &s.learner {
        Learner::LinearSvc(v) => format!(
            "svc C={} {}",
            v.c,
            if v.class_weight == ClassWeight::Balanced {
                "bal"
            } else {
                "unif"
            }
        ),
        Learner::ComplementNb(c) => format!("cnb a={}", c.alpha),
        Learner::SvcCnb {
            svc,
            cnb,
            cnb_weight,
        } => {
            format!("svc+cnb C={} a={} β={cnb_weight}", svc.c, cnb.alpha)
        }
    };
    let ch = s
        .tfidf
        .char_ngrams
        .map_or("nochar".to_string(), |(a, b)| format!("char{a}-{b}"));
    let ch = match s.tfidf.word_chars {
        Some((a, b)) => format!("{ch} words{a}-{b}"),
        None => ch,
    };
    let off = if s.tune_offsets && s.cv_folds >= 2 {
        " +off"
    } else {
        ""
    };
    format!(
        "{l} w1-{} {ch} mindf{}{off}",
        s.tfidf.word_ngram_max, s.tfidf.min_df
    )
}

fn argmax(d: &[f32]) -> usize {
    (0..d.len()).fold(0, |b, c| if d[c] > d[b] { c } else { b })
}

fn grid(o: &Opts, split: &Split) -> Result<(), String> {
    let mut configs = Vec::new();
    if std::env::var_os("GRID3").is_some() {
        for ch in [None, Some((2, 4)), Some((3, 5))] {
            for c in [0.2, 0.5, 1.0] {
                let mut s = o.settings.clone();
                s.tfidf.char_ngrams = ch;
                s.learner = Learner::LinearSvc(LinearSvcSettings {
                    c,
                    ..Default::default()
                });
                configs.push(s);
            }
            for (c, beta) in [(0.2, 0.5f32), (0.2, 1.0), (0.5, 0.5)] {
                let mut s = o.settings.clone();
                s.tfidf.char_ngrams = ch;
                s.learner = Learner::SvcCnb {
                    svc: LinearSvcSettings {
                        c,
                        ..Default::default()
                    },
                    cnb: ComplementNbSettings { alpha: 1.0 },
                    cnb_weight: beta,
                };
                configs.push(s);
            }
        }
    }
    if std::env::var_os("GRID2").is_some() {
        for c in [0.2, 0.5, 1.0] {
            for a in [0.3, 1.0] {
                for beta in [0.0f32, 0.25, 0.5, 1.0] {
                    let mut s = o.settings.clone();
                    s.learner = Learner::SvcCnb {
                        svc: LinearSvcSettings {
                            c,
                            ..Default::default()
                        },
                        cnb: ComplementNbSettings { alpha: a },
                        cnb_weight: beta,
                    };
                    configs.push(s);
                }
            }
        }
    }
    let chars: &[Option<(u8, u8)>] =
        if std::env::var_os("GRID2").is_some() || std::env::var_os("GRID3").is_some() {
            &[]
        } else {
            &[None, Some((2, 4)), Some((3, 5))]
        };
    for &ch in chars {
        for c in [0.1, 0.2, 0.5, 1.0] {
            for w in [ClassWeight::Balanced, ClassWeight::Uniform] {
                let mut s = o.settings.clone();
                s.tfidf.char_ngrams = ch;
                s.learner = Learner::LinearSvc(LinearSvcSettings {
                    c,
                    class_weight: w,
                    ..Default::default()
                });
                configs.push(s);
            }
        }
        for a in [0.1, 0.3, 1.0] {
            let mut s = o.settings.clone();
            s.tfidf.char_ngrams = ch;
            s.learner = Learner::ComplementNb(ComplementNbSettings { alpha: a });
            configs.push(s);
        }
    }
    let mut analyzer = Analyzer::default();
    let mut table: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (theme, (train, _)) in split
        .iter()
        .filter(|(t, _)| o.themes.is_empty() || o.themes.contains(t))
    {
        let p = prepare(&mut analyzer, train, &o.settings).map_err(|e| e.to_string())?;
        for s in &configs {
            // With offsets, the library's report cross-fits them on the other folds; the grid
            // also shows the same out-of-fold decisions without offsets.
            let s = TrainSettings {
                cv_folds: 5,
                tune_offsets: true,
                ..s.clone()
            };
            let t = Instant::now();
            let cv = cross_validate(&s, &p.codes, &p.terms, &p.labels, p.groups.as_deref())
                .map_err(|e| e.to_string())?;
            let truth: Vec<usize> = p.labels.iter().map(|l| l[0]).collect();
            let raw: Vec<usize> = cv.decisions.iter().map(|d| argmax(d)).collect();
            let plain = single_label(&p.codes, &truth, &raw);
            let with_off = &cv.report;
            println!(
                "{theme:28} {:40} cv-macroF1 {:.4} acc {:.4} | +off {:.4} acc {:.4} ({:.2}s)",
                label(&s),
                plain.macro_f1,
                plain.accuracy,
                with_off.macro_f1,
                with_off.accuracy,
                t.elapsed().as_secs_f64()
            );
            table.entry(label(&s)).or_default().push(plain.macro_f1);
            table
                .entry(format!("{} [+off]", label(&s)))
                .or_default()
                .push(with_off.macro_f1);
        }
    }
    println!("\nmean CV macro-F1 over themes (train part only):");
    let mut rows: Vec<(f64, String)> = table
        .into_iter()
        .map(|(k, v)| (v.iter().sum::<f64>() / v.len() as f64, k))
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (m, k) in rows {
        println!("{m:.4}  {k}");
    }
    Ok(())
}

fn run() -> Result<(), String> {
    let o = parse()?;
    if !std::path::Path::new(&o.data).exists() {
        eprintln!("SKIPPED: {} not found", o.data);
        return Ok(());
    }
    if o.group_col.is_some() && !o.throughput {
        return loro(&o);
    }
    let split = read(&o.data, o.train_groups.as_deref())?;
    if o.grid {
        return grid(&o, &split);
    }
    let mut analyzer = Analyzer::default();
    let mut json = Vec::new();
    println!(
        "| theme | model | macro-F1 | accuracy | train s | docs/s | docs per CPU-s | peak RSS MiB |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for (theme, (train, test)) in split
        .iter()
        .filter(|(t, _)| o.themes.is_empty() || o.themes.contains(t))
    {
        let t0 = Instant::now();
        let m = QuestionModel::train(
            theme,
            &mut analyzer,
            train,
            &o.settings.clone().check().unwrap(),
        )
        .map_err(|e| e.to_string())?;
        let train_s = t0.elapsed().as_secs_f64();
        // Round-trip through the model file, as the CLI does.
        let bytes = ModelSet::new(analyzer.settings(), vec![m])
            .to_bytes()
            .map_err(|e| e.to_string())?;
        let set = ModelSet::from_bytes(std::path::Path::new("bench.model"), &bytes)
            .map_err(|e| e.to_string())?;
        let m = &set.models[0];
        let r = evaluate_holdout(m, &mut analyzer, test).map_err(|e| e.to_string())?;
        let texts: Vec<&str> = test.iter().map(|e| e.text.as_str()).collect();
        let mut scorer = m.scorer();
        let (mut n, t1, c1) = (0usize, Instant::now(), thread_cpu_s());
        let mut sink = 0.0;
        while t1.elapsed().as_secs_f64() < 1.0 || thread_cpu_s() - c1 < 0.5 {
            for t in &texts {
                sink += scorer.predict(&mut analyzer, t, 3).confidence;
            }
            n += texts.len();
        }
        let dps = n as f64 / t1.elapsed().as_secs_f64();
        // Per core: answers per second of this thread's CPU time, which a loaded machine does
        // not dilute (wall-clock docs/s on a busy machine measures the other processes too).
        let dpcs = n as f64 / (thread_cpu_s() - c1);
        std::hint::black_box(sink);
        if std::env::var_os("BENCH_BREAKDOWN").is_some() {
            let (mut n2, t2) = (0usize, Instant::now());
            let mut terms = 0usize;
            while t2.elapsed().as_secs_f64() < 1.0 {
                for t in &texts {
                    analyzer.for_each_token(t, |_| terms += 1);
                }
                n2 += texts.len();
            }
            let (mut n3, t3) = (0usize, Instant::now());
            let mut top = 0usize;
            while t3.elapsed().as_secs_f64() < 1.0 {
                for t in &texts {
                    top += scorer.top_code(&mut analyzer, t).unwrap_or(0);
                }
                n3 += texts.len();
            }
            // The engine alone (features + linear model + calibration) on pre-analyzed terms.
            let pre: Vec<Vec<String>> = texts.iter().map(|t| analyzer.terms(t)).collect();
            let mut enc = m.vectorizer.encoder();
            let (mut row, mut d, mut p) = (
                Vec::new(),
                vec![0f32; m.codes.len()],
                vec![0f32; m.codes.len()],
            );
            let (mut n4, t4) = (0usize, Instant::now());
            while t4.elapsed().as_secs_f64() < 1.0 {
                for doc in &pre {
                    for t in doc {
                        enc.push(t);
                    }
                    enc.finish(&mut row);
                    m.linear.decision_pairs(&row, &mut d);
                    m.calibration.probabilities(&d, &mut p);
                    top += usize::from(p[0] > 0.5);
                }
                n4 += pre.len();
            }
            eprintln!(
                "{theme}: engine only (pre-analyzed terms) {:.0} docs/s",
                n4 as f64 / t4.elapsed().as_secs_f64()
            );
            std::hint::black_box((terms, top));
            eprintln!(
                "{theme}: analyzer only {:.0} docs/s, top code only {:.0} docs/s, full {dps:.0} docs/s",
                n2 as f64 / t2.elapsed().as_secs_f64(),
                n3 as f64 / t3.elapsed().as_secs_f64()
            );
        }
        let rss = peak_rss_mib();
        println!(
            "| {theme} | codifica {} | {:.4} | {:.4} | {:.2} | {:.0} | {:.0} | {:.0} |",
            label(&o.settings),
            r.macro_f1,
            r.accuracy,
            train_s,
            dps,
            dpcs,
            rss
        );
        json.push(serde_json::json!({
            "theme": theme, "model": format!("codifica {}", label(&o.settings)),
            "macro_f1": r.macro_f1, "accuracy": r.accuracy, "train_s": train_s,
            "docs_per_s": dps, "docs_per_cpu_s": dpcs, "peak_rss_mib": rss,
            "model_bytes": bytes.len(),
        }));
    }
    if let Some(p) = &o.json {
        std::fs::write(
            p,
            serde_json::to_vec_pretty(&json).map_err(|e| e.to_string())?,
        )
        .map_err(|e| format!("{p}: {e}"))?;
    }
    Ok(())
}

/// CPU time of the calling thread in seconds (Linux's scheduler statistics; 0 elsewhere, which
/// makes the per-CPU-second figure infinite rather than wrong-looking).
fn thread_cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0.0, |ns| ns as f64 * 1e-9)
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
