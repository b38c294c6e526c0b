//! `codifica sample`: draws the interview sample of a month from a population of entities,
//! stratified by region in proportion, seeded, preferring entities not interviewed recently and
//! always including those flagged in the latest month with data before it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use anyhow::Context;
use codifica::fsutil::atomic_write;
use codifica::month::Month;
use codifica::sample::{SampleRequest, builtin_population, draw, read_population, to_csv};
use codifica::store::{AnswerFilter, Store};
use codifica::trends::{flags_from_store, load_codebooks};

use super::{Global, open_workspace};

/// Options of `codifica sample`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The month the sample is for, YYYY-MM.
    #[arg(long, value_parser = super::trends::parse_month)]
    month: Month,
    /// Number of entities to draw.
    #[arg(long, short = 'n', default_value_t = 52)]
    size: usize,
    /// Population CSV: entity_code,entity_name,department,region[,entity_kind], or a DIVIPOLA
    /// gazetteer (divipola_mpio,municipio,divipola_dpto,departamento,region[,tipo]). Default:
    /// every alcaldía and gobernación of Colombia, from the gazetteer built into codifica.
    #[arg(long)]
    population: Option<PathBuf>,
    /// Seed of the random draw (same seed, same data → same sample).
    #[arg(long, default_value_t = 360)]
    seed: u64,
    /// Force in only the flagged entities with a reason about the overall rating (below the
    /// threshold, a drop, declines), not those flagged only for topic drops or negative codes.
    #[arg(long)]
    only_rating_flags: bool,
    /// Write the CSV here instead of standard output.
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Print the sample as one JSON document on standard output ({"month", "seed", "total",
    /// "flagged_included", "rows", "quotas", "notes"}) instead of the CSV (`--output` still
    /// writes the CSV).
    #[arg(long)]
    json: bool,
}

/// Runs `codifica sample`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = open_workspace(g)?;
    let population = match &args.population {
        Some(p) => read_population(p)?,
        None => builtin_population()?,
    };
    let store = Store::open(&ws)?;
    // Two passes over the store, one entity at a time (memory bounded by one entity's answers):
    // the last interview of each entity before the month, then the flags of the latest month.
    let mut last: BTreeMap<String, Month> = BTreeMap::new();
    for entity in store.answers_by_entity(&AnswerFilter::default())? {
        let answers = entity?;
        let before = answers.iter().map(|a| a.month).filter(|m| *m < args.month);
        if let (Some(m), Some(a)) = (before.max(), answers.first()) {
            last.insert(a.entity_code.clone(), m);
        }
    }
    let latest = last.values().copied().max();
    let flagged: BTreeSet<String> = match latest {
        Some(m) => {
            let codebooks = load_codebooks(&ws)?;
            flags_from_store(&store, ws.config(), &codebooks, m)?
                .flagged
                .into_iter()
                .filter(|f| !args.only_rating_flags || f.has_overall_reason())
                .map(|f| f.entity_code)
                .collect()
        }
        None => BTreeSet::new(),
    };
    let sample = draw(
        &SampleRequest {
            month: args.month,
            size: args.size,
            seed: args.seed,
            population: &population,
            last_interview: &last,
            flagged: &flagged,
        }
        .check()?,
    )?;
    let bytes = to_csv(&sample).map_err(|e| anyhow::anyhow!("writing the sample CSV: {e}"))?;
    if args.json {
        let doc = serde_json::json!({
            "month": args.month.to_string(),
            "seed": args.seed,
            "total": sample.rows.len(),
            "flagged_included": flagged.len(),
            "rows": sample.rows,
            "quotas": sample.quotas,
            "notes": sample.notes,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    }
    if !g.quiet && !args.json {
        if let Some(m) = latest {
            eprintln!(
                "{} entities flagged in {m} are always included; {} drawn in total (seed {})",
                flagged.len(),
                sample.rows.len(),
                args.seed
            );
        }
        for n in &sample.notes {
            eprintln!("note: {n}");
        }
    }
    match &args.output {
        Some(path) => {
            atomic_write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            if !g.quiet && !args.json {
                eprintln!("wrote {} ({} entities)", path.display(), sample.rows.len());
            }
        }
        None if args.json => {}
        None => print!("{}", String::from_utf8_lossy(&bytes)),
    }
    Ok(())
}
