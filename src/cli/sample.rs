//! `codifica sample`: draws the interview sample of a month from a population of entities,
//! stratified by region in proportion, seeded, preferring entities not interviewed recently and
//! always including those flagged in the latest month with data before it. The job is
//! `codifica::app::sample`.

use std::path::PathBuf;

use anyhow::Context;
use codifica::app::files::write_file;
use codifica::app::sample::{SampleParams, draw_sample, population};
use codifica::month::Month;

use super::{Global, open_workspace};

/// Options of `codifica sample`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The month the sample is for, YYYY-MM.
    #[arg(long, value_parser = Month::parse_arg)]
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
    pub seed: u64,
    /// Force in only the flagged entities with a reason about the overall rating (below the
    /// threshold, a drop, declines), not those flagged only for topic drops or negative codes.
    #[arg(long)]
    only_rating_flags: bool,
    /// Write the CSV here instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Print the sample as one JSON document on standard output ({"month", "seed", "total",
    /// "flagged_included", "rows", "quotas", "notes"}) instead of the CSV (`--output` still
    /// writes the CSV).
    #[arg(long)]
    pub json: bool,
}

/// Runs `codifica sample`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = open_workspace(g)?;
    let population = population(args.population.as_deref())?;
    let params = args.params();
    let drawn = draw_sample(&ws, &params, &population)?;
    if let Some(path) = &args.output {
        write_file(path, &drawn.csv).with_context(|| format!("writing {}", path.display()))?;
    }
    super::sample_print::print(&args, &params, &drawn, g.quiet)
}

impl Args {
    fn params(&self) -> SampleParams {
        let (month, size, seed) = (self.month, self.size, self.seed);
        let only_rating_flags = self.only_rating_flags;
        SampleParams {
            month,
            size,
            seed,
            only_rating_flags,
        }
    }
}
