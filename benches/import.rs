//! Import + index throughput benchmark (not a test: figures are printed, never asserted).
//!
//! ```text
//! cargo bench --bench import              # 100,000 answers
//! cargo bench --bench import -- 1000000   # 1M answers
//! ```
//!
//! Writes a seeded **synthetic** canonical CSV (not timed), then times into a fresh workspace:
//! a dry run (read + validate + one key lookup per answer), the first import (read, validate,
//! spool, index, commit), and a re-import of the same file (every answer found unchanged). Prints
//! answers/s per stage and the process's peak RSS (VmHWM).

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use codifica::app::import::{ImportOptions, import};
use codifica::config::Config;
use codifica::workspace::Workspace;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const WORDS: &[&str] = &[
    "asistencia",
    "técnica",
    "planeación",
    "municipio",
    "presupuesto",
    "indicativo",
    "seguimiento",
    "capacitación",
    "funcionarios",
    "secretaría",
    "articulación",
    "instrumentos",
    "territorial",
    "conectividad",
    "internet",
    "rotación",
    "personal",
    "acompañamiento",
    "oportuna",
    "claridad",
    "herramientas",
    "regalías",
    "proyectos",
    "metas",
    "recursos",
    "información",
    "reuniones",
    "virtuales",
    "calidad",
    "plan",
    "desarrollo",
    "gestión",
    "apoyo",
    "falta",
    "mejorar",
];
const REGIONS: &[&str] = &[
    "Caribe",
    "Pacífico",
    "Eje Cafetero",
    "Centro Oriente",
    "Llano",
    "Centro Sur",
];
const OPEN: &[&str] = &[
    "articulacion_instrumentos",
    "necesidades_debilidades",
    "fortalecimiento_capacidades",
];
const RATING: &[&str] = &[
    "calificacion_general",
    "calif_plan_indicativo",
    "calif_armonizacion",
    "calif_seguimiento_pdt",
];

/// Writes `n` synthetic answers: entities × months × 7 questions, seeded.
fn generate(path: &Path, n: usize, seed: u64) -> std::io::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        out,
        "entity_code,entity_name,department,region,month,question,answer,rating,codes"
    )?;
    let per_interview = OPEN.len() + RATING.len();
    let interviews = n.div_ceil(per_interview);
    let entities = 1100usize;
    let mut written = 0;
    for i in 0..interviews {
        let e = i % entities;
        let m = i / entities;
        let month = format!("{}-{:02}", 2000 + m / 12, m % 12 + 1);
        let code = format!("{:05}", 5001 + e * 7);
        let region = REGIONS[e % REGIONS.len()];
        for q in RATING.iter().chain(OPEN) {
            if written == n {
                break;
            }
            let (answer, rating) = if RATING.contains(q) {
                (String::new(), format!("{}", rng.gen_range(1..=5)))
            } else {
                let len = rng.gen_range(6..30);
                let words: Vec<&str> = (0..len)
                    .map(|_| WORDS[rng.gen_range(0..WORDS.len())])
                    .collect();
                (format!("\"{}\"", words.join(" ")), String::new())
            };
            writeln!(
                out,
                "{code},Municipio {e},Departamento {},{region},{month},{q},{answer},{rating},",
                e % 32
            )?;
            written += 1;
        }
    }
    out.flush()
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("synthetic.csv");
    let t = Instant::now();
    generate(&csv, n, 360).expect("write the synthetic CSV");
    let mb = std::fs::metadata(&csv)
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(0.0);
    println!(
        "synthetic CSV: {n} answers, {mb:.1} MB, written in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let ws = Workspace::init(&dir.path().join("ws"), Config::monitoreo360_text(), false)
        .expect("workspace");
    println!("| stage | answers | seconds | answers/s | peak RSS (MB) |");
    println!("|---|---|---|---|---|");
    let stage = |name: &str, opts: &ImportOptions| {
        let t = Instant::now();
        let r = import(&ws, &csv, opts).expect("import");
        let s = t.elapsed().as_secs_f64();
        println!(
            "| {name} (added {}, replaced {}, unchanged {}) | {} | {s:.1} | {:.0} | {:.0} |",
            r.added,
            r.replaced,
            r.unchanged,
            r.answers,
            r.answers as f64 / s,
            peak_rss_mb()
        );
    };
    stage(
        "dry run, empty index",
        &ImportOptions {
            dry_run: true,
            ..Default::default()
        },
    );
    stage("import", &ImportOptions::default());
    stage("re-import", &ImportOptions::default());
}
