//! Use case: next month's interview sample from a population of entities, stratified by region
//! in proportion, seeded, preferring entities not interviewed recently and always including
//! those flagged in the latest month with data before it. The command line and the web's
//! "Informe y muestra" both call [`draw_sample`] and write [`Drawn::csv`], so a download is the
//! very file `codifica sample --output` writes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::error::{Error, Result};
use crate::month::Month;
use crate::sample::{PopulationEntity, Sample, SampleRequest, draw, to_csv};
use crate::store::{AnswerFilter, Store};
use crate::trends::{flags_from_store, load_codebooks};
use crate::workspace::Workspace;

pub use crate::sample::{builtin_population, parse_population, read_population};

/// How to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleParams {
    /// The month the sample is for.
    pub month: Month,
    /// Number of entities to draw.
    pub size: usize,
    /// Seed of the random draw (same seed, same data → same sample).
    pub seed: u64,
    /// Force in only the flagged entities with a reason about the overall rating.
    pub only_rating_flags: bool,
}

/// The drawn sample and the CSV it is written as.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub sample: Sample,
    /// The latest month with interviews before the sample's month, whose flags were forced in.
    pub latest: Option<Month>,
    /// Entities forced in as flagged.
    pub flagged: usize,
    pub csv: Vec<u8>,
}

/// The population in `path` (`None`: every alcaldía and gobernación of Colombia, built in).
pub fn population(path: Option<&Path>) -> Result<Vec<PopulationEntity>> {
    match path {
        Some(p) => read_population(p),
        None => builtin_population(),
    }
}

/// Draws the sample of `params.month` from `population`.
pub fn draw_sample(
    ws: &Workspace,
    params: &SampleParams,
    population: &[PopulationEntity],
) -> Result<Drawn> {
    let store = Store::open(ws)?;
    let last = last_interviews(&store, params.month)?;
    let latest = last.values().copied().max();
    let flagged = match latest {
        Some(m) => flagged_in(ws, &store, m, params.only_rating_flags)?,
        None => BTreeSet::new(),
    };
    let sample = draw(&SampleRequest {
        month: params.month,
        size: params.size,
        seed: params.seed,
        population,
        last_interview: &last,
        flagged: &flagged,
    }
    .check()?)?;
    let csv =
        to_csv(&sample).map_err(|e| Error::invalid(format!("writing the sample CSV: {e}")))?;
    Ok(Drawn {
        sample,
        latest,
        flagged: flagged.len(),
        csv,
    })
}

/// The last interview of each entity before `month`: one pass over the store, one entity at a
/// time (memory bounded by one entity's answers).
fn last_interviews(store: &Store, month: Month) -> Result<BTreeMap<String, Month>> {
    let mut last = BTreeMap::new();
    for entity in store.answers_by_entity(&AnswerFilter::default())? {
        let answers = entity?;
        let before = answers.iter().map(|a| a.month).filter(|m| *m < month);
        if let (Some(m), Some(a)) = (before.max(), answers.first()) {
            last.insert(a.entity_code.clone(), m);
        }
    }
    Ok(last)
}

/// The entities flagged in `month` (only those with a reason about the overall rating when
/// `only_rating`).
fn flagged_in(
    ws: &Workspace,
    store: &Store,
    month: Month,
    only_rating: bool,
) -> Result<BTreeSet<String>> {
    let codebooks = load_codebooks(ws)?;
    Ok(flags_from_store(store, ws.config(), &codebooks, month)?
        .flagged
        .into_iter()
        .filter(|f| !only_rating || f.has_overall_reason())
        .map(|f| f.entity_code)
        .collect())
}

impl Drawn {
    /// What the command line says on standard error: the flagged entities forced in, the
    /// sample's notes, and the file written (`output`).
    pub fn messages(&self, seed: u64, output: Option<&Path>) -> Vec<String> {
        let n = self.sample.rows.len();
        let flagged = self.latest.map(|m| {
            format!(
                "{} entities flagged in {m} are always included; {n} drawn in total (seed {seed})",
                self.flagged
            )
        });
        let notes = self.sample.notes.iter().map(|n| format!("note: {n}"));
        let wrote = output.map(|p| format!("wrote {} ({n} entities)", p.display()));
        flagged.into_iter().chain(notes).chain(wrote).collect()
    }

    /// The JSON document `codifica sample --json` prints.
    pub fn json(&self, params: &SampleParams) -> serde_json::Value {
        serde_json::json!({
            "month": params.month.to_string(),
            "seed": params.seed,
            "total": self.sample.rows.len(),
            "flagged_included": self.flagged,
            "rows": self.sample.rows,
            "quotas": self.sample.quotas,
            "notes": self.sample.notes,
        })
    }
}
