//! Stage: report (data). Everything the month's report shows, computed once from the answers
//! into a typed [`ReportData`]; the renderers (HTML, SVG, XLSX, GeoJSON) only format it.
//!
//! In: all stored answers (later months are ignored) — in memory, or read from the store one
//! entity at a time ([`ReportData::from_store`]) — the config, the codebooks, the month and an
//! optional [`MapInput`]. Out: [`ReportData`].
//!
//! Definitions used throughout:
//! - an **interview** is an entity's answers in one month; its region is the one recorded then
//!   (which is the entity's latest region as of the report month);
//! - **satisfied**: overall rating ≥ the threshold (3.5 is satisfied); percentages of satisfied
//!   are over the interviews *with* an overall rating;
//! - **rating bins** (overall histogram and topic distributions): excelente ≥ 4.5, buena
//!   3.5–4.4, regular 2.5–3.4, mala 1.5–2.4, muy mala < 1.5 — i.e. a half point rounds up, so
//!   3.5 (satisfied) falls in "buena", consistent with the threshold. For scales other than 1–5
//!   the rating is first mapped linearly onto 1–5;
//! - **code frequencies** count, per answer, the human codes when present, else the model's
//!   codes (each code of a multi-label answer counts once); the data says how many answers of
//!   each month were counted from human and from machine codes.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::map::{Location, MapData, MapInput};
use crate::answer::Answer;
use crate::config::{Config, FlagRules};
use crate::error::Result;
use crate::month::Month;
use crate::store::{AnswerFilter, Store};
use crate::trends::{
    Codebooks, EntitySeries, FlagKind, FlagReport, Interview, MonthFlags, build_series,
    flags_for_month, stream_series,
};

/// How many months of code frequencies the report shows (the report month and the ones before).
pub const FREQUENCY_MONTHS: usize = 6;

/// Bin labels, best first (index 0 = excelente), each naming the ratings it holds: ratings come
/// in half points, and a half point rounds up (see [`bin_of`]), so "Buena" holds 3,5 and 4.
pub const BIN_LABELS: [&str; 5] = [
    "Excelente (4,5–5)",
    "Buena (3,5–4)",
    "Regular (2,5–3)",
    "Mala (1,5–2)",
    "Muy mala (1)",
];

/// Summary of the overall rating in one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverallStats {
    /// Interviews with an overall rating.
    pub rated: usize,
    pub mean: Option<f64>,
    /// Counts per bin, best first (see [`BIN_LABELS`]).
    pub bins: [usize; 5],
    /// How many interviews gave each distinct rating (rating, count), highest first: the table
    /// whose weighted average is [`OverallStats::mean`].
    pub by_value: Vec<(f64, usize)>,
    pub satisfied: usize,
    pub unsatisfied: usize,
    /// `satisfied / rated × 100`.
    pub pct_satisfied: Option<f64>,
    /// Unsatisfied entities per 100 rated, rounded ("11 de cada 100").
    pub unsatisfied_per_100: Option<u32>,
}

/// A row of the region or department table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    pub name: String,
    /// Interviews.
    pub n: usize,
    /// Interviews with an overall rating.
    pub rated: usize,
    pub mean: Option<f64>,
    pub pct_satisfied: Option<f64>,
}

/// The rating distribution of one topic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicDistribution {
    pub question: String,
    pub label: String,
    pub rated: usize,
    pub mean: Option<f64>,
    /// Counts per bin, best first.
    pub bins: [usize; 5],
    pub pct_satisfied: Option<f64>,
}

/// One code's counts across months.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeRow {
    pub code: String,
    pub label: String,
    pub negative: bool,
    /// One count per month of [`CodeFrequencies::months`].
    pub counts: Vec<usize>,
}

/// Category frequencies month over month for one coded question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeFrequencies {
    pub question: String,
    pub label: String,
    pub months: Vec<Month>,
    /// Codebook order; codes absent from the codebook follow, by id.
    pub rows: Vec<CodeRow>,
    /// Answers with text, per month.
    pub answers: Vec<usize>,
    /// Answers counted from human codes, per month.
    pub human: Vec<usize>,
    /// Answers counted from machine codes (no human codes), per month.
    pub machine: Vec<usize>,
    /// Of those, the machine codes accepted without review (`classify --accept-at`); the rest
    /// are suggestions still waiting for an analyst.
    pub accepted: Vec<usize>,
    /// Answers with text but no code at all, per month.
    pub uncoded: Vec<usize>,
    /// How far the coding went, per month: the one count of `status`, the review queue and
    /// the Tablero (an accepted machine code apart from a suggestion waiting for review).
    #[serde(skip)]
    pub coverage: Vec<crate::model::review::CodingCounts>,
}

/// One requested assistance topic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandRow {
    pub code: String,
    pub label: String,
    /// Interviews naming it this month.
    pub count: usize,
    /// `count / interviews × 100`.
    pub pct_interviews: f64,
    /// Count in the previous month with data, if any.
    pub previous: Option<usize>,
}

/// A main indicator this month vs. the previous month with data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    pub name: String,
    /// "n", "score" or "pct": how to format it.
    pub unit: &'static str,
    pub previous: Option<f64>,
    pub current: Option<f64>,
    pub delta: Option<f64>,
}

/// The main indicators of one month, for the month-by-month chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthPoint {
    pub month: Month,
    pub interviews: usize,
    pub mean: Option<f64>,
    pub pct_satisfied: Option<f64>,
}

/// An entity recorded under a different region before this month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionChange {
    pub entity_code: String,
    pub entity_name: String,
    pub regions: Vec<String>,
}

/// How many flagged entities meet one criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindCount {
    pub kind: FlagKind,
    pub label: &'static str,
    pub entities: usize,
}

/// Everything the month's report shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportData {
    pub survey: String,
    pub month: Month,
    /// The latest month before `month` with interviews.
    pub previous_month: Option<Month>,
    pub threshold: f64,
    pub interviews: usize,
    pub overall: OverallStats,
    pub by_region: Vec<GroupRow>,
    pub by_department: Vec<GroupRow>,
    pub topics: Vec<TopicDistribution>,
    pub code_frequencies: Vec<CodeFrequencies>,
    pub demand: Vec<DemandRow>,
    pub variation: Vec<Indicator>,
    /// The report month and up to five months with data before it, oldest first.
    pub history: Vec<MonthPoint>,
    pub flags: FlagReport,
    /// Flagged entities per criterion (an entity can meet several).
    pub flag_counts: Vec<KindCount>,
    /// The rules the flags were computed with.
    pub rules: FlagRules,
    pub region_changes: Vec<RegionChange>,
    pub map: Option<MapData>,
    /// Where the flagged entities are (those found in the gazetteer), in list order.
    pub locations: Vec<Location>,
    /// Why there is no map, or why some entities are missing from it.
    pub map_note: Option<String>,
}

/// Bin index (0 = excelente … 4 = muy mala) of a rating on `scale`.
pub fn bin_of(rating: f64, scale: [f64; 2]) -> usize {
    let span = scale[1] - scale[0];
    let x = if span > 0.0 {
        1.0 + (rating - scale[0]) / span * 4.0
    } else {
        rating
    };
    let x = crate::trends::round6(x);
    let level = if x >= 4.5 {
        5
    } else if x >= 3.5 {
        4
    } else if x >= 2.5 {
        3
    } else if x >= 1.5 {
        2
    } else {
        1
    };
    5 - level
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn pct(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

impl ReportData {
    /// Computes the report of `month` from `answers` (answers after `month` are ignored).
    pub fn build(
        answers: &[Answer],
        config: &Config,
        codebooks: &Codebooks,
        month: Month,
        map_input: &MapInput,
    ) -> ReportData {
        let upto = || answers.iter().filter(|a| a.month <= month);
        let series = build_series(upto(), config);
        let flags = flags_for_month(&series, config, codebooks, month);
        let mut tally = AnswerTally::default();
        upto().for_each(|a| tally.add(a, config));
        ReportData::assemble(&series, &tally, flags, config, codebooks, month, map_input)
    }

    /// [`ReportData::build`] over the store's answers, read one entity at a time
    /// ([`stream_series`]): the same report, but each entity's answers are dropped once
    /// counted and only the recent part of its series is kept, so memory does not grow with
    /// the workspace's history or text volume.
    pub fn from_store(
        store: &Store,
        config: &Config,
        codebooks: &Codebooks,
        month: Month,
        map_input: &MapInput,
    ) -> Result<ReportData> {
        let mut flags = MonthFlags::new(month);
        let mut tally = AnswerTally::default();
        let mut series = Vec::new();
        for entity in stream_series(store, &AnswerFilter::default(), Some(month), config)? {
            let entity = entity?;
            entity.answers.iter().for_each(|a| tally.add(a, config));
            flags.add(&entity.series, config, codebooks);
            series.push(recent_part(entity.series));
        }
        let flags = flags.finish();
        Ok(ReportData::assemble(
            &series, &tally, flags, config, codebooks, month, map_input,
        ))
    }

    /// The report from the series (at least each entity's interviews in the months shown), the
    /// tally of the answers up to `month` and the month's flags.
    fn assemble(
        series: &[EntitySeries],
        tally: &AnswerTally,
        flags: FlagReport,
        config: &Config,
        codebooks: &Codebooks,
        month: Month,
        map_input: &MapInput,
    ) -> ReportData {
        let months = &tally.months;
        let previous_month = months.range(..month).next_back().copied();
        let current = interviews_in(series, month);
        let overall = overall_stats(&current, config);
        let map = map_input.project(&flags.flagged);
        let locations = map_input.locations(&flags.flagged);
        let map_note = map_note(map_input, map.as_ref(), flags.flagged.len());
        let mut recent: Vec<Month> = months
            .range(..=month)
            .rev()
            .take(FREQUENCY_MONTHS)
            .copied()
            .collect();
        recent.reverse();
        ReportData {
            survey: config.survey.clone(),
            month,
            previous_month,
            threshold: config.satisfaction_threshold,
            interviews: current.len(),
            by_region: groups(&current, config, |iv| iv.region.clone()),
            by_department: groups(&current, config, |iv| iv.department.clone()),
            topics: topics(&current, config),
            code_frequencies: code_frequencies(tally, config, codebooks, &recent),
            history: history(series, config, &recent),
            demand: demand(
                series,
                &config.demand_question,
                codebooks,
                month,
                previous_month,
            ),
            variation: variation(series, config, month, previous_month),
            region_changes: region_changes(series, month),
            overall,
            flag_counts: flag_counts(&flags),
            rules: FlagRules::clone(&config.flags),
            flags,
            map,
            locations,
            map_note,
        }
    }
}

/// The part of a series the report reads once its flags are counted: its last interviews,
/// without open answers. The months the report reads are the latest [`FREQUENCY_MONTHS`] with
/// data and the previous month with data, so an entity's interviews in them are among its last
/// `FREQUENCY_MONTHS.max(2)`.
fn recent_part(mut s: EntitySeries) -> EntitySeries {
    let old = s.interviews.len().saturating_sub(FREQUENCY_MONTHS.max(2));
    // `split_off`, not `drain`: the old interviews' buffer is freed, not kept as capacity.
    s.interviews = s.interviews.split_off(old);
    for iv in &mut s.interviews {
        iv.open_answers = Vec::new();
    }
    s
}

/// What the report needs of the answers themselves rather than of the series: the months with
/// data, and per question and month the code counts of the answers with text. Small (questions ×
/// months × codes), so it can be filled one entity at a time.
#[derive(Debug, Default)]
struct AnswerTally {
    months: BTreeSet<Month>,
    /// question → month → counts.
    codes: BTreeMap<String, BTreeMap<Month, MonthCodes>>,
}

/// One question's answers with text in one month, by how they were coded.
#[derive(Debug, Default)]
struct MonthCodes {
    total: usize,
    human: usize,
    machine: usize,
    accepted: usize,
    uncoded: usize,
    coverage: crate::model::review::CodingCounts,
    /// Answers per effective code (each code of an answer counts once).
    by_code: BTreeMap<String, usize>,
}

impl AnswerTally {
    fn add(&mut self, a: &Answer, config: &Config) {
        self.months.insert(a.month);
        if a.text.trim().is_empty() {
            return;
        }
        let m = self
            .codes
            .entry(a.question.clone())
            .or_default()
            .entry(a.month)
            .or_default();
        m.total += 1;
        m.coverage.add(a, config);
        let codes = a.effective_codes();
        if a.is_coded() {
            m.human += 1;
        } else if !codes.is_empty() {
            m.machine += 1;
            m.accepted += usize::from(a.machine.as_ref().is_some_and(|mc| mc.accepted));
        } else {
            m.uncoded += 1;
        }
        let distinct: BTreeSet<&String> = codes.iter().collect();
        for c in distinct {
            *m.by_code.entry(c.clone()).or_default() += 1;
        }
    }
}

fn flag_counts(flags: &FlagReport) -> Vec<KindCount> {
    [
        FlagKind::BelowThreshold,
        FlagKind::OverallDrop,
        FlagKind::ConsecutiveDecline,
        FlagKind::TopicDrop,
        FlagKind::NegativeCode,
    ]
    .into_iter()
    .map(|kind| KindCount {
        kind,
        label: kind.spanish(),
        entities: flags
            .flagged
            .iter()
            .filter(|f| f.reasons.iter().any(|r| r.kind == kind))
            .count(),
    })
    .collect()
}

fn map_note(input: &MapInput, map: Option<&MapData>, flagged: usize) -> Option<String> {
    let Some(map) = map else {
        return Some(
            "El mapa no se incluye: no se indicó el archivo de límites departamentales \
             (--boundaries)."
                .to_string(),
        );
    };
    if input.gazetteer.is_none() && flagged > 0 {
        return Some(
            "Las entidades priorizadas no se ubican en el mapa: no se indicó el nomenclátor de \
             municipios (--gazetteer)."
                .to_string(),
        );
    }
    (!map.unplaced.is_empty()).then(|| {
        format!(
            "Entidades priorizadas sin ubicación en el nomenclátor: {}.",
            map.unplaced.join(", ")
        )
    })
}

fn interviews_in(series: &[EntitySeries], month: Month) -> Vec<&Interview> {
    series
        .iter()
        .filter_map(|s| s.interview(month).map(|(_, iv)| iv))
        .collect()
}

fn overall_scale(config: &Config) -> [f64; 2] {
    config
        .question(&config.overall_question)
        .map_or([1.0, 5.0], |q| q.scale)
}

fn overall_stats(current: &[&Interview], config: &Config) -> OverallStats {
    let ratings: Vec<f64> = current.iter().filter_map(|iv| iv.overall).collect();
    let scale = overall_scale(config);
    let mut bins = [0; 5];
    for r in &ratings {
        bins[bin_of(*r, scale)] += 1;
    }
    let satisfied = current
        .iter()
        .filter(|iv| iv.satisfied == Some(true))
        .count();
    let unsatisfied = current
        .iter()
        .filter(|iv| iv.satisfied == Some(false))
        .count();
    OverallStats {
        rated: ratings.len(),
        mean: mean(&ratings),
        bins,
        by_value: count_values(&ratings),
        satisfied,
        unsatisfied,
        pct_satisfied: pct(satisfied, ratings.len()),
        unsatisfied_per_100: pct(unsatisfied, ratings.len()).map(|p| p.round() as u32),
    }
}

/// Distinct ratings with their counts, highest first.
fn count_values(ratings: &[f64]) -> Vec<(f64, usize)> {
    let mut sorted: Vec<f64> = ratings.iter().map(|r| crate::trends::round6(*r)).collect();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let mut out: Vec<(f64, usize)> = Vec::new();
    for r in sorted {
        match out.last_mut() {
            Some((v, n)) if *v == r => *n += 1,
            _ => out.push((r, 1)),
        }
    }
    out
}

fn groups(
    current: &[&Interview],
    config: &Config,
    key: impl Fn(&Interview) -> String,
) -> Vec<GroupRow> {
    let mut by: BTreeMap<String, Vec<&Interview>> = BTreeMap::new();
    for iv in current {
        by.entry(key(iv)).or_default().push(iv);
    }
    by.into_iter()
        .map(|(name, ivs)| {
            let s = overall_stats(&ivs, config);
            GroupRow {
                name,
                n: ivs.len(),
                rated: s.rated,
                mean: s.mean,
                pct_satisfied: s.pct_satisfied,
            }
        })
        .collect()
}

fn topics(current: &[&Interview], config: &Config) -> Vec<TopicDistribution> {
    config
        .topic_questions()
        .map(|q| {
            let ratings: Vec<f64> = current
                .iter()
                .filter_map(|iv| iv.topics.get(&q.id).copied())
                .collect();
            let mut bins = [0; 5];
            for r in &ratings {
                bins[bin_of(*r, q.scale)] += 1;
            }
            let sat = ratings
                .iter()
                .filter(|r| **r >= config.satisfaction_threshold)
                .count();
            TopicDistribution {
                question: q.id.clone(),
                label: q.label().to_string(),
                rated: ratings.len(),
                mean: mean(&ratings),
                bins,
                pct_satisfied: pct(sat, ratings.len()),
            }
        })
        .collect()
}

fn code_frequencies(
    tally: &AnswerTally,
    config: &Config,
    codebooks: &Codebooks,
    months: &[Month],
) -> Vec<CodeFrequencies> {
    let n = months.len();
    config
        .coded_questions()
        .map(|q| {
            let by_month = tally.codes.get(&q.id);
            let per_month: Vec<Option<&MonthCodes>> = months
                .iter()
                .map(|m| by_month.and_then(|b| b.get(m)))
                .collect();
            let column = |f: fn(&MonthCodes) -> usize| -> Vec<usize> {
                per_month.iter().map(|m| m.map_or(0, f)).collect()
            };
            // Codes named in the months shown, each with one count per month.
            let mut counts: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (i, m) in per_month.iter().enumerate() {
                for (code, c) in m.iter().flat_map(|m| &m.by_code) {
                    counts.entry(code.clone()).or_insert_with(|| vec![0; n])[i] += c;
                }
            }
            let cb = codebooks.get(&q.id);
            let mut rows = Vec::new();
            if let Some(cb) = cb {
                for c in &cb.codes {
                    rows.push(CodeRow {
                        code: c.id.clone(),
                        label: c.label.clone(),
                        negative: c.polarity == crate::codebook::Polarity::Negative,
                        counts: counts.remove(&c.id).unwrap_or_else(|| vec![0; n]),
                    });
                }
            }
            for (code, c) in counts {
                rows.push(CodeRow {
                    label: code.clone(),
                    code,
                    negative: false,
                    counts: c,
                });
            }
            CodeFrequencies {
                question: q.id.clone(),
                label: q.label().to_string(),
                months: months.to_vec(),
                rows,
                answers: column(|m| m.total),
                human: column(|m| m.human),
                machine: column(|m| m.machine),
                accepted: column(|m| m.accepted),
                uncoded: column(|m| m.uncoded),
                coverage: per_month
                    .iter()
                    .map(|m| m.map_or_else(Default::default, |m| m.coverage))
                    .collect(),
            }
        })
        .collect()
}

/// Per interview, the distinct demand codes named.
fn demand_counts(
    series: &[EntitySeries],
    question: &str,
    month: Month,
) -> (usize, BTreeMap<String, usize>) {
    let ivs = interviews_in(series, month);
    let mut counts = BTreeMap::new();
    for iv in &ivs {
        if let Some(codes) = iv.codes.get(question) {
            for code in codes.keys() {
                *counts.entry(code.clone()).or_default() += 1;
            }
        }
    }
    (ivs.len(), counts)
}

fn demand(
    series: &[EntitySeries],
    question: &str,
    codebooks: &Codebooks,
    month: Month,
    previous: Option<Month>,
) -> Vec<DemandRow> {
    let (n, counts) = demand_counts(series, question, month);
    let prev = previous.map(|p| demand_counts(series, question, p).1);
    let cb = codebooks.get(question);
    let mut rows: Vec<DemandRow> = counts
        .into_iter()
        .map(|(code, count)| DemandRow {
            label: crate::codebook::label_of(cb, &code).to_string(),
            pct_interviews: pct(count, n).unwrap_or(0.0),
            previous: prev.as_ref().map(|p| p.get(&code).copied().unwrap_or(0)),
            code,
            count,
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    rows
}

fn indicators_of(
    series: &[EntitySeries],
    config: &Config,
    month: Month,
) -> Vec<(String, &'static str, Option<f64>)> {
    let ivs = interviews_in(series, month);
    let s = overall_stats(&ivs, config);
    let mut out = vec![
        ("Entrevistas".to_string(), "n", Some(ivs.len() as f64)),
        ("Calificación general promedio".to_string(), "score", s.mean),
        (
            "Entidades satisfechas (%)".to_string(),
            "pct",
            s.pct_satisfied,
        ),
    ];
    for t in topics(&ivs, config) {
        out.push((format!("{} (promedio)", t.label), "score", t.mean));
    }
    out
}

fn history(series: &[EntitySeries], config: &Config, months: &[Month]) -> Vec<MonthPoint> {
    months
        .iter()
        .map(|&month| {
            let ivs = interviews_in(series, month);
            let s = overall_stats(&ivs, config);
            MonthPoint {
                month,
                interviews: ivs.len(),
                mean: s.mean,
                pct_satisfied: s.pct_satisfied,
            }
        })
        .collect()
}

fn variation(
    series: &[EntitySeries],
    config: &Config,
    month: Month,
    previous: Option<Month>,
) -> Vec<Indicator> {
    let cur = indicators_of(series, config, month);
    let prev = previous.map(|p| indicators_of(series, config, p));
    cur.into_iter()
        .enumerate()
        .map(|(i, (name, unit, current))| {
            let previous = prev.as_ref().and_then(|p| p.get(i)).and_then(|p| p.2);
            let delta = match (previous, current) {
                (Some(p), Some(c)) => Some(crate::trends::round6(c - p)),
                _ => None,
            };
            Indicator {
                name,
                unit,
                previous,
                current,
                delta,
            }
        })
        .collect()
}

fn region_changes(series: &[EntitySeries], month: Month) -> Vec<RegionChange> {
    series
        .iter()
        .filter(|s| s.interview(month).is_some() && s.region_changed())
        .map(|s| RegionChange {
            entity_code: s.entity_code.clone(),
            entity_name: s.entity_name.clone(),
            regions: s.regions.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_round_halves_up() {
        let s = [1.0, 5.0];
        assert_eq!(bin_of(5.0, s), 0);
        assert_eq!(bin_of(4.5, s), 0);
        assert_eq!(bin_of(4.4, s), 1);
        assert_eq!(bin_of(3.5, s), 1);
        assert_eq!(bin_of(3.0, s), 2);
        assert_eq!(bin_of(2.5, s), 2);
        assert_eq!(bin_of(2.0, s), 3);
        assert_eq!(bin_of(1.0, s), 4);
        assert_eq!(bin_of(10.0, [0.0, 10.0]), 0);
    }
}
