//! Benchmark of the emerging themes (`codifica::themes`) on real answers. Not a test: figures
//! are printed, never asserted.
//!
//! ```text
//! cargo bench --bench themes -- [--data ../shared/data/cabildos-2016/cabildos_provincial.csv] \
//!     [--max-themes 40] [--baseline-k 10] [--seed 42]
//! ```
//!
//! The Cabildos answers coded "Otro" (real text only) carry the tables' own wording of the
//! concept (`concept_other`). They are clustered per question (`theme`) WITHOUT that column, by
//! the themes engine (silhouette-chosen k up to `--max-themes`, small groups left unthemed) and
//! by a baseline (the same spherical k-means at a fixed k, nothing dropped). Then scored
//! against the normalised concepts: for each of the 20 most frequent, the precision and recall
//! of the cluster holding most of its answers, and the normalised mutual information overall.

use std::collections::BTreeMap;
use std::time::Instant;

use codifica::analyze::Analyzer;
use codifica::themes::{SurfaceForms, kmeans, min_theme_size, vectorize};

struct Opts {
    data: String,
    max_themes: usize,
    baseline_k: usize,
    seed: u64,
}

fn parse() -> Result<Opts, String> {
    let mut o = Opts {
        data: "../shared/data/cabildos-2016/cabildos_provincial.csv".into(),
        max_themes: 40,
        baseline_k: 10,
        seed: 42,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--data" => o.data = val()?,
            "--max-themes" => o.max_themes = val()?.parse().map_err(|_| "bad --max-themes")?,
            "--baseline-k" => o.baseline_k = val()?.parse().map_err(|_| "bad --baseline-k")?,
            "--seed" => o.seed = val()?.parse().map_err(|_| "bad --seed")?,
            "--bench" => {}
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(o)
}

/// One "Otro" answer: question, text, normalised concept.
struct Row {
    theme: String,
    text: String,
    concept: String,
}

/// Lowercase, accents and punctuation folded, leading function words dropped: "De probidad y
/// transparencia" and "probidad y transparencia" are one concept.
fn normalise(concept: &str) -> String {
    let folded = codifica::store::filter_key(concept);
    let mut words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    while words.len() > 1
        && matches!(
            words[0],
            "de" | "del" | "el" | "la" | "los" | "las" | "a" | "al" | "y"
        )
    {
        words.remove(0);
    }
    words.join(" ")
}

fn read(path: &str) -> Result<Vec<Row>, String> {
    let mut r = csv::Reader::from_path(path).map_err(|e| format!("{path}: {e}"))?;
    let h = r.headers().map_err(|e| e.to_string())?.clone();
    let col = |n: &str| {
        h.iter()
            .position(|c| c == n)
            .ok_or(format!("no column {n}"))
    };
    let (text, label, theme) = (col("text")?, col("label")?, col("theme")?);
    let (other, placeholder) = (col("concept_other")?, col("text_is_placeholder")?);
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        if &rec[label] != "Otro" || &rec[placeholder] == "1" || rec[other].trim().is_empty() {
            continue;
        }
        out.push(Row {
            theme: rec[theme].to_string(),
            text: rec[text].to_string(),
            concept: normalise(&rec[other]),
        });
    }
    Ok(out)
}

/// Cluster of each row, as a global id (`None`: left in no theme). `fixed` = baseline k.
fn cluster(rows: &[Row], fixed: Option<usize>, o: &Opts) -> (Vec<Option<usize>>, String) {
    let mut by_theme: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        by_theme.entry(&r.theme).or_default().push(i);
    }
    let mut out = vec![None; rows.len()];
    let mut next = 0;
    let mut notes = Vec::new();
    let mut analyzer = Analyzer::default();
    let mut forms = SurfaceForms::default();
    for (theme, idx) in by_theme {
        let terms: Vec<Vec<String>> = idx
            .iter()
            .map(|&i| forms.terms(&mut analyzer, &rows[i].text))
            .collect();
        let v = vectorize(&terms).expect("vectorize");
        let (c, min_size) = match fixed {
            Some(k) => (kmeans::spherical_kmeans(&v.rows, k, o.seed), 1),
            None => {
                let min = min_theme_size(idx.len());
                let k_max = o.max_themes.min(v.kept.len() / min);
                let (c, _) = kmeans::choose_k(&v.rows, 2..=k_max, o.seed).expect("k");
                (c, min)
            }
        };
        let mut sizes = vec![0; c.k];
        c.assign.iter().for_each(|&a| sizes[a] += 1);
        let kept_themes = sizes.iter().filter(|&&s| s >= min_size).count();
        notes.push(format!(
            "{theme}: {} answers, k = {}, {kept_themes} themes",
            idx.len(),
            c.k
        ));
        for (row, &a) in v.kept.iter().zip(&c.assign) {
            if sizes[a] >= min_size {
                out[idx[*row]] = Some(next + a);
            }
        }
        next += c.k;
    }
    (out, notes.join("; "))
}

/// Normalised mutual information (arithmetic mean of the entropies); unthemed rows form one
/// cluster of their own.
fn nmi(truth: &[&str], pred: &[Option<usize>]) -> f64 {
    let n = truth.len() as f64;
    let mut joint: BTreeMap<(&str, Option<usize>), f64> = BTreeMap::new();
    let mut a: BTreeMap<&str, f64> = BTreeMap::new();
    let mut b: BTreeMap<Option<usize>, f64> = BTreeMap::new();
    for (t, p) in truth.iter().zip(pred) {
        *joint.entry((t, *p)).or_default() += 1.0;
        *a.entry(t).or_default() += 1.0;
        *b.entry(*p).or_default() += 1.0;
    }
    let h = |counts: Vec<f64>| -> f64 { counts.iter().map(|c| -(c / n) * (c / n).ln()).sum() };
    let (ha, hb) = (
        h(a.values().copied().collect()),
        h(b.values().copied().collect()),
    );
    let mi: f64 = joint
        .iter()
        .map(|((t, p), c)| (c / n) * ((c * n) / (a[t] * b[p])).ln())
        .sum();
    if ha + hb == 0.0 {
        0.0
    } else {
        2.0 * mi / (ha + hb)
    }
}

/// Precision and recall of the cluster holding most of `concept`'s answers.
fn best_cluster(rows: &[Row], pred: &[Option<usize>], concept: &str) -> (f64, f64) {
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    let mut total = 0;
    for (r, p) in rows.iter().zip(pred) {
        if r.concept == concept {
            total += 1;
            if let Some(p) = p {
                *counts.entry(*p).or_default() += 1;
            }
        }
    }
    let Some((&best, &hits)) = counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) else {
        return (0.0, 0.0);
    };
    let size = pred.iter().filter(|p| **p == Some(best)).count();
    (hits as f64 / size as f64, hits as f64 / total as f64)
}

fn main() {
    let o = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    if !std::path::Path::new(&o.data).exists() {
        println!("SKIPPED: {} not found", o.data);
        return;
    }
    let rows = read(&o.data).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1)
    });
    let t = Instant::now();
    let (ours, notes) = cluster(&rows, None, &o);
    let ours_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let (base, base_notes) = cluster(&rows, Some(o.baseline_k), &o);
    let base_s = t.elapsed().as_secs_f64();
    let mut freq: BTreeMap<&str, usize> = BTreeMap::new();
    rows.iter()
        .for_each(|r| *freq.entry(&r.concept).or_default() += 1);
    let mut top: Vec<(&str, usize)> = freq.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    println!(
        "{} \"Otro\" answers with text; {} distinct normalised concepts",
        rows.len(),
        top.len()
    );
    println!("themes engine ({ours_s:.1} s): {notes}");
    println!(
        "baseline k = {} ({base_s:.1} s): {base_notes}",
        o.baseline_k
    );
    println!();
    println!("| concept | answers | themes P | themes R | baseline P | baseline R |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut recovered = 0;
    for (i, (c, n)) in top.iter().take(20).enumerate() {
        let (p, r) = best_cluster(&rows, &ours, c);
        let (bp, br) = best_cluster(&rows, &base, c);
        if i < 10 && p >= 0.6 {
            recovered += 1;
        }
        println!("| {c} | {n} | {p:.2} | {r:.2} | {bp:.2} | {br:.2} |");
    }
    let truth: Vec<&str> = rows.iter().map(|r| r.concept.as_str()).collect();
    println!();
    println!(
        "NMI: themes {:.3}, baseline {:.3}",
        nmi(&truth, &ours),
        nmi(&truth, &base)
    );
    println!("top-10 concepts recovered with precision >= 0.6: {recovered} / 10");
}
