//! Tests of the built-in synthetic demo data ("datos sintéticos"): shape, determinism, codes that
//! exist in the default codebooks, answer variety, and the scripted worsening entities.
//! Everything is read back from the canonical CSV the demo writes, as the importer would.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use codifica::demo::{
    self, DEFAULT_SEED, DEMAND_QUESTION, DemoData, MONTHS, OPEN_QUESTIONS, RATING_QUESTIONS,
    REGIONS,
};

/// One parsed CSV row.
#[derive(Debug, Clone)]
struct Rec {
    entity: String,
    kind: String,
    region: String,
    month: String,
    question: String,
    answer: String,
    rating: Option<f64>,
    codes: Vec<String>,
}

fn parse(csv_text: &str) -> Vec<Rec> {
    let mut rd = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = rd
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(header, demo::CSV_HEADER.to_vec());
    rd.records()
        .map(|r| {
            let r = r.expect("valid CSV record");
            assert_eq!(r.len(), 12);
            let rating = match &r[10] {
                "" => None,
                s => Some(s.parse::<f64>().expect("numeric rating")),
            };
            let codes = if r[11].is_empty() {
                Vec::new()
            } else {
                r[11].split(';').map(String::from).collect()
            };
            Rec {
                entity: r[0].to_string(),
                kind: r[4].to_string(),
                region: r[3].to_string(),
                month: r[5].to_string(),
                question: r[8].to_string(),
                answer: r[9].to_string(),
                rating,
                codes,
            }
        })
        .collect()
}

fn data() -> (DemoData, Vec<Rec>) {
    let d = DemoData::generate(DEFAULT_SEED);
    let recs = parse(&d.to_csv());
    (d, recs)
}

/// Code ids and polarities of the default codebooks, read from the TOML files.
fn codebooks() -> BTreeMap<String, BTreeMap<String, String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons/codebooks");
    let mut out = BTreeMap::new();
    for q in OPEN_QUESTIONS.iter().chain([&DEMAND_QUESTION]) {
        let text = std::fs::read_to_string(dir.join(format!("{q}.toml"))).expect("codebook file");
        let t: toml::Table = toml::from_str(&text).expect("codebook TOML");
        assert_eq!(t.get("question").and_then(|v| v.as_str()), Some(*q));
        let codes = t
            .get("codes")
            .and_then(|v| v.as_array())
            .expect("codes array");
        let mut m = BTreeMap::new();
        for c in codes {
            let id = c.get("id").and_then(|v| v.as_str()).expect("id");
            let pol = c
                .get("polarity")
                .and_then(|v| v.as_str())
                .expect("polarity");
            m.insert(id.to_string(), pol.to_string());
        }
        out.insert(q.to_string(), m);
    }
    out
}

/// Overall rating per entity per month.
fn overall(recs: &[Rec]) -> BTreeMap<String, BTreeMap<String, f64>> {
    let mut out: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for r in recs.iter().filter(|r| r.question == "calificacion_general") {
        let v = r.rating.expect("overall rating present");
        out.entry(r.entity.clone())
            .or_default()
            .insert(r.month.clone(), v);
    }
    out
}

#[test]
fn same_seed_same_csv_other_seed_other_csv() {
    let a = DemoData::generate(DEFAULT_SEED).to_csv();
    let b = DemoData::generate(DEFAULT_SEED).to_csv();
    assert_eq!(a, b);
    let c = DemoData::generate(DEFAULT_SEED + 1).to_csv();
    assert_ne!(a, c);
}

#[test]
fn five_months_of_about_52_entities_across_all_regions() {
    let (d, recs) = data();
    assert_eq!(d.months(), MONTHS.map(String::from).to_vec());
    for m in MONTHS {
        let ents: BTreeSet<&str> = recs
            .iter()
            .filter(|r| r.month == m)
            .map(|r| r.entity.as_str())
            .collect();
        assert!(
            (50..=54).contains(&ents.len()),
            "{m}: {} entities",
            ents.len()
        );
        let regions: BTreeSet<&str> = recs
            .iter()
            .filter(|r| r.month == m)
            .map(|r| r.region.as_str())
            .collect();
        assert_eq!(regions, REGIONS.iter().copied().collect(), "{m}");
    }
}

#[test]
fn entities_form_an_unbalanced_panel() {
    let (_, recs) = data();
    let mut months: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in &recs {
        months.entry(&r.entity).or_default().insert(&r.month);
    }
    let by_count = |k: usize| months.values().filter(|s| s.len() == k).count();
    assert!(by_count(1) >= 10, "one-month entities: {}", by_count(1));
    assert!(
        by_count(2) + by_count(3) >= 40,
        "2–3 months: {}",
        by_count(2) + by_count(3)
    );
    let panel = by_count(4) + by_count(5);
    assert!((10..=25).contains(&panel), "4–5 months: {panel}");
    // Gaps: some entity skips a month between two interviews.
    let idx = |m: &str| MONTHS.iter().position(|x| *x == m).unwrap_or(0);
    let gaps = months
        .values()
        .filter(|s| {
            let v: Vec<usize> = s.iter().map(|m| idx(m)).collect();
            v.windows(2).any(|w| w[1] > w[0] + 1)
        })
        .count();
    assert!(gaps >= 5, "entities with gaps: {gaps}");
}

#[test]
fn every_interview_answers_every_question_once() {
    let (_, recs) = data();
    let mut keys = BTreeSet::new();
    let mut per_interview: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    for r in &recs {
        assert!(
            keys.insert((&r.entity, &r.month, &r.question)),
            "duplicate key {r:?}"
        );
        per_interview
            .entry((&r.entity, &r.month))
            .or_default()
            .insert(&r.question);
    }
    let mut missing_topics = 0;
    for qs in per_interview.values() {
        assert!(qs.contains("calificacion_general"));
        for q in OPEN_QUESTIONS.iter().chain([&DEMAND_QUESTION]) {
            assert!(qs.contains(q), "missing {q}");
        }
        missing_topics += RATING_QUESTIONS.iter().filter(|q| !qs.contains(*q)).count();
    }
    assert!(missing_topics > 0, "some topic ratings should be missing");
    assert!(
        missing_topics < per_interview.len() / 3,
        "too many missing topics: {missing_topics}"
    );
    for m in MONTHS {
        for q in RATING_QUESTIONS
            .iter()
            .chain(OPEN_QUESTIONS.iter())
            .chain([&DEMAND_QUESTION])
        {
            assert!(
                recs.iter().any(|r| r.month == m && r.question == *q),
                "{m} {q}"
            );
        }
    }
}

#[test]
fn ratings_and_answers_are_well_formed() {
    let (d, recs) = data();
    let csv_text = d.to_csv();
    let mut halves = 0;
    for r in &recs {
        if RATING_QUESTIONS.contains(&r.question.as_str()) {
            let v = r.rating.expect("rating rows carry a rating");
            assert!((1.0..=5.0).contains(&v) && (v * 2.0).fract() == 0.0, "{v}");
            halves += usize::from(v.fract() != 0.0);
            assert!(r.answer.is_empty() && r.codes.is_empty(), "{r:?}");
        } else {
            assert!(r.rating.is_none() && !r.answer.trim().is_empty(), "{r:?}");
        }
    }
    assert!(halves > 0, "some half-point ratings expected");
    assert!(!csv_text.contains(",4.0,") && !csv_text.contains(",3.50,"));
}

#[test]
fn leading_zeros_are_kept() {
    let (d, recs) = data();
    assert!(
        recs.iter()
            .all(|r| r.entity.len() == 2 || r.entity.len() == 5),
        "code lengths"
    );
    assert!(
        recs.iter().any(|r| r.entity.starts_with('0')),
        "an Antioquia code (05…)"
    );
    assert!(d.to_csv().lines().skip(1).any(|l| l.starts_with("05")));
    let pop = demo::population_csv();
    assert!(
        pop.lines()
            .any(|l| l.starts_with("05001,Alcaldía de Medellín,"))
    );
    assert!(
        pop.lines()
            .any(|l| l.starts_with("08001,Alcaldía de Barranquilla,"))
    );
}

#[test]
fn demo_entities_come_from_the_population() {
    let (_, recs) = data();
    let pop_csv = demo::population_csv();
    let mut rd = csv::Reader::from_reader(pop_csv.as_bytes());
    let pop: BTreeSet<String> = rd
        .records()
        .map(|r| r.expect("population record")[0].to_string())
        .collect();
    assert!((140..=160).contains(&pop.len()), "{}", pop.len());
    for r in &recs {
        assert!(pop.contains(&r.entity), "{} not in population", r.entity);
    }
}

#[test]
fn codes_come_from_the_codebooks_and_stop_in_november() {
    let (_, recs) = data();
    let books = codebooks();
    for r in &recs {
        if r.month == "2020-11" {
            assert!(r.codes.is_empty(), "November must be uncoded: {r:?}");
        }
        if let Some(book) = books.get(&r.question) {
            for c in &r.codes {
                assert!(
                    book.contains_key(c),
                    "{} is not a code of {}",
                    c,
                    r.question
                );
            }
            if r.question != DEMAND_QUESTION {
                assert!(
                    r.codes.len() <= 1,
                    "single-label question with {:?}",
                    r.codes
                );
            } else {
                assert!(r.codes.len() <= 3);
            }
        }
    }
    // About 90 % of July–October open answers are coded.
    let open: Vec<&Rec> = recs
        .iter()
        .filter(|r| r.month != "2020-11" && books.contains_key(&r.question))
        .collect();
    let coded = open.iter().filter(|r| !r.codes.is_empty()).count();
    let share = coded as f64 / open.len() as f64;
    assert!((0.82..=0.95).contains(&share), "coded share {share:.3}");
    // Multi-label answers exist for the demand question.
    assert!(
        recs.iter()
            .any(|r| r.question == DEMAND_QUESTION && r.codes.len() >= 2)
    );
    // Every code of every codebook is used at least a few times.
    for (q, book) in &books {
        for c in book.keys() {
            let n = recs
                .iter()
                .filter(|r| &r.question == q && r.codes.contains(c))
                .count();
            assert!(n >= 8, "{q}/{c} used {n} times");
        }
    }
}

#[test]
fn the_answer_bank_is_varied() {
    let books = codebooks();
    let mut all = BTreeSet::new();
    for q in OPEN_QUESTIONS {
        let bank = demo::answer_bank(q);
        let ids: BTreeSet<String> = bank.iter().map(|(c, _)| c.to_string()).collect();
        let want: BTreeSet<String> = books[q].keys().cloned().collect();
        assert_eq!(ids, want, "bank of {q} covers exactly its codebook");
        for (code, answers) in bank {
            let distinct: BTreeSet<&str> = answers.iter().copied().collect();
            assert!(
                distinct.len() >= 25,
                "{q}/{code}: {} distinct",
                distinct.len()
            );
            for a in answers {
                assert!(all.insert(*a) || a.len() < 4, "answer filed twice: {a}");
            }
        }
    }
    let demand = demo::answer_bank(DEMAND_QUESTION);
    assert_eq!(demand.len(), books[DEMAND_QUESTION].len());
    assert!(demand.iter().all(|(_, p)| p.len() >= 5));
}

#[test]
fn generated_answers_are_varied_and_include_non_answers() {
    let (_, recs) = data();
    let books = codebooks();
    for q in OPEN_QUESTIONS {
        for code in books[q].keys() {
            let distinct: BTreeSet<&str> = recs
                .iter()
                .filter(|r| r.question == q && r.codes.contains(code))
                .map(|r| r.answer.as_str())
                .collect();
            assert!(
                distinct.len() >= 8,
                "{q}/{code}: {} distinct answers",
                distinct.len()
            );
        }
    }
    let open: Vec<&Rec> = recs
        .iter()
        .filter(|r| books.contains_key(&r.question))
        .collect();
    let distinct: BTreeSet<&str> = open.iter().map(|r| r.answer.as_str()).collect();
    assert!(
        distinct.len() * 10 >= open.len() * 6,
        "{} distinct of {}",
        distinct.len(),
        open.len()
    );
    assert!(
        recs.iter()
            .any(|r| r.answer == "No sabe" || r.answer == "Sin respuesta" || r.answer == "NS/NR")
    );
}

#[test]
fn nobody_repeats_an_answer_and_speakers_fit_their_kind() {
    let (_, recs) = data();
    let mut said = BTreeSet::new();
    for r in recs.iter().filter(|r| !r.answer.is_empty()) {
        let short = r.answer.len() < 25; // "No sabe", "no": people do repeat these
        assert!(
            said.insert((&r.entity, &r.question, &r.answer)) || short,
            "{r:?}"
        );
        let a = r.answer.to_lowercase();
        match r.kind.as_str() {
            "gobernación" => assert!(!a.contains("alcald"), "{r:?}"),
            "alcaldía" => assert!(!a.contains("como gobernación"), "{r:?}"),
            k => panic!("unknown entity_kind {k}"),
        }
    }
}

#[test]
fn overall_satisfaction_is_high_but_not_total() {
    let (_, recs) = data();
    let all: Vec<f64> = recs
        .iter()
        .filter(|r| r.question == "calificacion_general")
        .filter_map(|r| r.rating)
        .collect();
    let sat = all.iter().filter(|&&v| v >= 3.5).count() as f64 / all.len() as f64;
    assert!((0.78..=0.93).contains(&sat), "satisfied share {sat:.3}");
}

#[test]
fn worsening_entities_really_worsen() {
    let (d, recs) = data();
    let books = codebooks();
    let worse = d.worsening_entities();
    assert!((5..=6).contains(&worse.len()), "{worse:?}");
    let series = overall(&recs);
    for e in &worse {
        let s: Vec<(&String, &f64)> = series[e].iter().collect();
        assert!(
            s.len() >= 3,
            "{e}: panel entity with {} interviews",
            s.len()
        );
        let (last_m, &last) = s[s.len() - 1];
        let (_, &prev) = s[s.len() - 2];
        let (_, &first) = s[0];
        assert_eq!(last_m, "2020-11", "{e} is interviewed in November");
        assert!(first - last >= 1.5, "{e}: {first} → {last}");
        let declining = s.windows(2).rev().take(2).all(|w| w[1].1 < w[0].1);
        assert!(prev - last >= 1.0 || declining, "{e}: {prev} → {last}");
        // Some topic rating drops by at least 1 point over the series.
        let topic_drop = RATING_QUESTIONS[1..].iter().any(|q| {
            let t: Vec<f64> = recs
                .iter()
                .filter(|r| &r.entity == e && r.question == *q)
                .filter_map(|r| r.rating)
                .collect();
            t.first().zip(t.last()).is_some_and(|(a, b)| a - b >= 1.0)
        });
        assert!(topic_drop, "{e}: no topic drop");
        // Negative answers explain it: the November text comes from a negative code's bank.
        let negative = |q: &str, c: &str| books[q].get(c).is_some_and(|p| p == "negative");
        let nov_neg = recs
            .iter()
            .filter(|r| &r.entity == e && r.month == "2020-11")
            .any(|r| {
                demo::answer_bank(&r.question).iter().any(|(c, answers)| {
                    negative(&r.question, c) && answers.contains(&r.answer.as_str())
                })
            });
        assert!(nov_neg, "{e}: November answers should be negative");
    }
    assert!(
        worse
            .iter()
            .filter(|e| {
                recs.iter().any(|r| {
                    &&r.entity == e
                        && r.month != "2020-11"
                        && r.codes.iter().any(|c| {
                            books
                                .get(&r.question)
                                .and_then(|b| b.get(c))
                                .is_some_and(|p| p == "negative")
                        })
                })
            })
            .count()
            >= 5,
        "negative codes before November explain most worsening entities"
    );
}

#[test]
fn improving_entities_improve() {
    let (d, recs) = data();
    let better = d.improving_entities();
    assert!(better.len() >= 2, "{better:?}");
    let series = overall(&recs);
    for e in &better {
        let v: Vec<f64> = series[e].values().copied().collect();
        assert!(v.windows(2).all(|w| w[1] > w[0]), "{e}: {v:?}");
        assert!(v.last().copied().unwrap_or(0.0) - v[0] >= 1.5, "{e}: {v:?}");
    }
}

/// Overall size of the demo, printed for the record (run with --nocapture; set
/// CODIFICA_DEMO_CSV=path to also write the CSV there).
#[test]
fn stats_are_in_range() {
    let (d, recs) = data();
    if let Ok(path) = std::env::var("CODIFICA_DEMO_CSV") {
        std::fs::write(&path, d.to_csv()).expect("write the demo CSV");
        eprintln!("demo CSV written to {path}");
    }
    let books = codebooks();
    let open: Vec<&Rec> = recs
        .iter()
        .filter(|r| books.contains_key(&r.question))
        .collect();
    let distinct: BTreeSet<&str> = open.iter().map(|r| r.answer.as_str()).collect();
    let interviews: BTreeSet<(&str, &str)> = recs
        .iter()
        .map(|r| (r.entity.as_str(), r.month.as_str()))
        .collect();
    eprintln!(
        "rows {} · interviews {} · entities {} · open answers {} · distinct {}",
        recs.len(),
        interviews.len(),
        recs.iter()
            .map(|r| &r.entity)
            .collect::<BTreeSet<_>>()
            .len(),
        open.len(),
        distinct.len()
    );
    assert!(
        (240..=270).contains(&interviews.len()),
        "{} interviews",
        interviews.len()
    );
    assert!((1800..=2300).contains(&recs.len()), "{} rows", recs.len());
    assert!(
        distinct.len() >= 600,
        "{} distinct open answers",
        distinct.len()
    );
    for m in MONTHS {
        let n = interviews.iter().filter(|(_, mm)| *mm == m).count();
        let sat = recs
            .iter()
            .filter(|r| r.month == m && r.question == "calificacion_general")
            .filter(|r| r.rating.is_some_and(|v| v >= 3.5))
            .count();
        eprintln!("{m}: {n} interviews, {sat} satisfied");
    }
    for (q, book) in &books {
        for c in book.keys() {
            let n = recs
                .iter()
                .filter(|r| &r.question == q && r.codes.contains(c))
                .count();
            let d: BTreeSet<&str> = recs
                .iter()
                .filter(|r| &r.question == q && r.codes.contains(c))
                .map(|r| r.answer.as_str())
                .collect();
            eprintln!("{q}/{c}: {n} coded, {} distinct", d.len());
        }
    }
}

/// Lowercase without accents, for comparing names with the DANE gazetteer.
fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

/// Against the DANE gazetteer built into codifica (`assets/colombia/gazetteer.csv`).
#[test]
fn entities_match_the_dane_gazetteer() {
    let mut rd = csv::Reader::from_reader(codifica::report::map::BUILTIN_GAZETTEER.as_bytes());
    let head = rd.headers().expect("gazetteer header").clone();
    let col = |name: &str| {
        head.iter()
            .position(|h| h == name)
            .expect("gazetteer column")
    };
    let (c_mpio, c_name, c_dpto, c_dep, c_reg) = (
        col("divipola_mpio"),
        col("municipio"),
        col("divipola_dpto"),
        col("departamento"),
        col("region"),
    );
    // code -> (name, department, region) for municipalities and departments.
    let mut known: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    for r in rd.records() {
        let r = r.expect("gazetteer record");
        let region = r[c_reg].trim_start_matches("Región ").to_string();
        known.insert(
            r[c_mpio].to_string(),
            (r[c_name].to_string(), r[c_dep].to_string(), region.clone()),
        );
        known.insert(
            r[c_dpto].to_string(),
            (r[c_dep].to_string(), r[c_dep].to_string(), region),
        );
    }
    let pop = demo::population_csv();
    let mut rd = csv::Reader::from_reader(pop.as_bytes());
    let mut checked = 0;
    for r in rd.records() {
        let r = r.expect("population record");
        let (code, name, dep, region) = (&r[0], &r[1], &r[2], &r[3]);
        let short = name
            .trim_start_matches("Alcaldía de ")
            .trim_start_matches("Gobernación de ");
        let Some((k_name, k_dep, k_reg)) = known.get(code) else {
            panic!("{code} ({name}) is not a DIVIPOLA code");
        };
        assert!(
            fold(k_name).contains(&fold(short)) || fold(short).contains(&fold(k_name)),
            "{code}: {short} vs {k_name}"
        );
        assert_eq!(dep, k_dep, "{code} department");
        assert_eq!(region, k_reg, "{code} region");
        checked += 1;
    }
    assert!(checked >= 140);
}

/// README.md's tour, and every other `codifica` line of the page, run as written in a new folder
/// with this build's binary as `codifica` (scripts/readme_tour.sh): the page cannot name a file
/// that does not exist or an option that does not.
#[test]
fn readme_commands_run_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("bash")
        .arg(root.join("scripts/readme_tour.sh"))
        .arg(env!("CARGO_BIN_EXE_codifica"))
        .env_remove("CODIFICA_WORKSPACE")
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "scripts/readme_tour.sh failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The demo's workspace, built by the binary (`codifica demo --dir`), for the CLI checks below,
/// with what the demo printed.
fn demo_run() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = cli(&dir.path().join("demo"), &["demo", "--dir"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn demo_workspace() -> tempfile::TempDir {
    demo_run().0
}

/// The demo's closing hint runs as printed, even when `codifica` is not on the PATH (as after
/// `cargo run --release -- demo`): it then names the binary by its full path.
#[test]
fn the_demos_closing_hint_runs_as_printed() {
    let (dir, stdout) = demo_run();
    let hint = stdout
        .lines()
        .skip_while(|l| !l.starts_with("Everything above lives in"))
        .find(|l| l.contains(" search "))
        .unwrap_or_else(|| panic!("no search hint at the end of the demo:\n{stdout}"))
        .trim()
        .to_string();
    let out = std::process::Command::new("sh")
        .args(["-c", &hint])
        .env("PATH", "/usr/bin:/bin")
        .env_remove("CODIFICA_WORKSPACE")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{hint}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("answers"),
        "{hint}"
    );
}

/// Runs the binary with `args` then `path` (as the last argument), no CODIFICA_WORKSPACE.
fn cli(path: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_codifica"))
        .args(args)
        .arg(path)
        .env_remove("CODIFICA_WORKSPACE")
        .output()
        .expect("codifica runs")
}

/// Runs `codifica -w WS args…`.
fn in_ws(ws: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_codifica"))
        .arg("-w")
        .arg(ws)
        .args(args)
        .env_remove("CODIFICA_WORKSPACE")
        .output()
        .expect("codifica runs")
}

/// `--json` is one JSON document on stdout with the total count, on every command that lists
/// or writes something (README, "Exit codes and `--json`").
#[test]
fn json_is_one_document_with_a_total_on_each_command() {
    let dir = demo_workspace();
    let ws = dir.path().join("demo");
    let out_dir = dir.path().join("out");
    let o = |name: &str| out_dir.join(name).to_string_lossy().into_owned();
    std::fs::create_dir_all(&out_dir).unwrap();
    let (report, export) = (o("informe"), o("todo.csv"));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["review", "--month", "2020-11", "-n", "3", "--json"],
            "items",
        ),
        (
            vec!["report", "--month", "2020-11", "-o", &report, "--json"],
            "files",
        ),
        (vec!["sample", "--month", "2020-12", "--json"], "rows"),
        (
            vec!["export", "-f", "csv", "-o", &export, "--json"],
            "output",
        ),
        (vec!["codebook", "list", "--json"], "questions"),
    ];
    for (args, key) in cases {
        let out = in_ws(&ws, &args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: stdout is not one JSON document: {e}"));
        let total = v["total"].as_u64();
        assert!(total.is_some_and(|t| t > 0), "{args:?}: no total in {v}");
        assert!(!v[key].is_null(), "{args:?}: no {key} in {v}");
    }
    // The review's total is the whole queue, the items only its head.
    let v: serde_json::Value = serde_json::from_slice(
        &in_ws(&ws, &["review", "--month", "2020-11", "-n", "3", "--json"]).stdout,
    )
    .unwrap();
    assert_eq!(v["items"].as_array().map(Vec::len), Some(3));
    assert!(v["total"].as_u64().unwrap() > 3, "{v}");
    // The sample's JSON and its CSV are the same draw.
    let v: serde_json::Value =
        serde_json::from_slice(&in_ws(&ws, &["sample", "--month", "2020-12", "--json"]).stdout)
            .unwrap();
    assert_eq!(v["total"], 52);
    assert_eq!(v["rows"].as_array().map(Vec::len), Some(52));
}

/// Counts read as English: "1 non-answer", never "1 non-answers".
#[test]
fn autocode_counts_take_their_plural() {
    let dir = demo_workspace();
    let ws = dir.path().join("demo");
    let mut lines = Vec::new();
    for month in MONTHS {
        let out = in_ws(
            &ws,
            &[
                "autocode",
                "-Q",
                "fortalecimiento_capacidades",
                "--month",
                month,
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        lines.push(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_string(),
        );
    }
    assert!(
        lines
            .iter()
            .all(|l| !l.contains(" 1 non-answers") && !l.contains(" 1 ties")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.contains(", 1 non-answer,")),
        "the demo has a month with one non-answer to this question: {lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.contains(" non-answers,")),
        "{lines:#?}"
    );
}
