//! Stage: trends. Per-entity series of interviews, and the priority-attention flags of a month.
//!
//! In: the stored [`Answer`]s (any months, any order; or, through [`stream_series`], read from
//! the store one entity at a time so memory does not grow with the workspace) and the validated
//! [`Config`]. Out: one [`EntitySeries`] per entity — its interviews in month order, each
//! compared with the entity's **previous interview** (not the previous calendar month: entities
//! are sampled, so gaps are normal) — and, in [`flags`], the month's flagged and improved
//! entities. The report stage reads these; nothing here formats HTML or files.
//!
//! Missing values: a comparison is only made when both interviews carry the value; a missing
//! rating never counts as a drop or a rise. An entity whose region changed between interviews is
//! grouped under its **latest** region and says so ([`EntitySeries::regions`]).

pub mod flags;
pub(crate) mod spanish;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::answer::{Answer, is_non_answer};
use crate::codebook::{self, Codebook};
use crate::config::Config;
use crate::error::Result;
use crate::month::Month;
use crate::store::{AnswerFilter, Store};
use crate::workspace::Workspace;

pub use flags::{
    FlagKind, FlagReason, FlagReport, FlaggedEntity, Improvement, MonthFlags, flags_for_month,
};

/// Codebooks of the coded questions, by question id.
pub type Codebooks = BTreeMap<String, Codebook>;

/// Loads the codebook of every coded question: the workspace's file, else the built-in default.
/// Questions with neither are left out (their codes are shown as raw ids).
pub fn load_codebooks(ws: &Workspace) -> Result<Codebooks> {
    let mut out = Codebooks::new();
    for q in ws.config().coded_questions() {
        if let Some(cb) = codebook::load_or_default(ws, &q.id)? {
            out.insert(q.id.clone(), cb);
        }
    }
    Ok(out)
}

/// A value before and after, between two interviews of one entity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Delta {
    pub before: f64,
    pub after: f64,
    /// `after - before` (negative: it dropped).
    pub delta: f64,
}

impl Delta {
    fn between(before: Option<f64>, after: Option<f64>) -> Option<Delta> {
        match (before, after) {
            (Some(b), Some(a)) => Some(Delta {
                before: b,
                after: a,
                delta: round6(a - b),
            }),
            _ => None,
        }
    }
}

/// Rounds away binary noise (4.5 − 3.5 must be exactly 1.0 for the `≥ 1.0` rules).
pub(crate) fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// How an interview compares with the entity's previous interview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The month of the previous interview (maybe several months back).
    pub previous_month: Month,
    /// Overall rating change; `None` when either interview lacks the rating.
    pub overall: Option<Delta>,
    /// Topic rating changes, only for topics rated in both interviews.
    pub topics: BTreeMap<String, Delta>,
}

/// One coded open answer of an interview (kept for quotes and code counts).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenAnswer {
    pub question: String,
    pub text: String,
    /// The effective codes (human if any, else machine).
    pub codes: Vec<String>,
    /// True when `codes` are human codes; false when they came from the model (or are empty).
    pub human: bool,
}

/// One interview: an entity's answers in one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interview {
    pub month: Month,
    pub entity_name: String,
    pub department: String,
    /// The region recorded in this interview.
    pub region: String,
    pub overall: Option<f64>,
    /// Rated topics (topic question id → rating); unrated topics are absent.
    pub topics: BTreeMap<String, f64>,
    /// Per coded question, how many answers carry each effective code.
    pub codes: BTreeMap<String, BTreeMap<String, usize>>,
    /// `overall ≥ threshold`; `None` without an overall rating.
    pub satisfied: Option<bool>,
    /// Comparison with the previous interview; `None` for the entity's first interview.
    pub change: Option<Change>,
    /// The answers to coded questions (text non-empty), for quotes.
    #[serde(skip)]
    pub open_answers: Vec<OpenAnswer>,
}

/// An entity's interviews in month order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntitySeries {
    pub entity_code: String,
    /// Name, department and region from the latest interview.
    pub entity_name: String,
    pub department: String,
    /// The latest region: the one used for grouping.
    pub region: String,
    /// Every region recorded, in order of first appearance; more than one means it changed.
    pub regions: Vec<String>,
    pub interviews: Vec<Interview>,
}

impl EntitySeries {
    /// The series of `interviews` (month order): name, department and region from the latest,
    /// every region in order of first appearance. `None` without interviews.
    fn from_interviews(entity_code: String, interviews: Vec<Interview>) -> Option<EntitySeries> {
        let last = interviews.last()?;
        let mut regions: Vec<String> = Vec::new();
        for i in &interviews {
            if !regions.contains(&i.region) {
                regions.push(i.region.clone());
            }
        }
        Some(EntitySeries {
            entity_code,
            entity_name: last.entity_name.clone(),
            department: last.department.clone(),
            region: last.region.clone(),
            regions,
            interviews,
        })
    }

    /// True when the entity was recorded under more than one region.
    pub fn region_changed(&self) -> bool {
        self.regions.len() > 1
    }

    /// The interview of `month`, if the entity was interviewed then.
    pub fn interview(&self, month: Month) -> Option<(usize, &Interview)> {
        self.interviews
            .iter()
            .enumerate()
            .find(|(_, i)| i.month == month)
    }

    /// This series truncated to interviews up to `month` (for a report "as of" that month).
    pub fn up_to(&self, month: Month) -> Option<EntitySeries> {
        let interviews: Vec<Interview> = self
            .interviews
            .iter()
            .filter(|i| i.month <= month)
            .cloned()
            .collect();
        EntitySeries::from_interviews(self.entity_code.clone(), interviews)
    }
}

/// Builds every entity's series from `answers`, sorted by entity code.
pub fn build_series<'a>(
    answers: impl IntoIterator<Item = &'a Answer>,
    config: &Config,
) -> Vec<EntitySeries> {
    let mut grouped: BTreeMap<&str, BTreeMap<Month, Vec<&Answer>>> = BTreeMap::new();
    for a in answers {
        grouped
            .entry(a.entity_code.as_str())
            .or_default()
            .entry(a.month)
            .or_default()
            .push(a);
    }
    grouped
        .into_iter()
        .filter_map(|(code, months)| entity_series(code, months, config))
        .collect()
}

/// One entity's answers and the series built from them (see [`stream_series`]).
#[derive(Debug, Clone)]
pub struct EntityData {
    /// The entity's answers (up to the month asked for), sorted as by [`Store::answers`].
    pub answers: Vec<Answer>,
    pub series: EntitySeries,
}

/// The flags of `month`, computed from the store one entity at a time ([`stream_series`] up to
/// `month`, each series counted by [`MonthFlags`] and dropped): what [`flags_for_month`] gives
/// over every entity's series, without holding them.
pub fn flags_from_store(
    store: &Store,
    config: &Config,
    codebooks: &Codebooks,
    month: Month,
) -> Result<FlagReport> {
    let mut flags = MonthFlags::new(month);
    for entity in stream_series(store, &AnswerFilter::default(), Some(month), config)? {
        flags.add(&entity?.series, config, codebooks);
    }
    Ok(flags.finish())
}

/// The answers matching `filter` (those after `up_to` ignored), read from the store one entity
/// at a time ([`Store::answers_by_entity`]), each entity with its series — the series
/// [`build_series`] gives over the same answers, in the same order. A caller that uses each
/// entity and drops it holds one entity's answers in memory, not the workspace's.
pub fn stream_series<'a>(
    store: &'a Store,
    filter: &AnswerFilter,
    up_to: Option<Month>,
    config: &'a Config,
) -> Result<impl Iterator<Item = Result<EntityData>> + 'a> {
    let groups = store.answers_by_entity(filter)?;
    Ok(groups.filter_map(move |group| {
        let mut answers = match group {
            Ok(answers) => answers,
            Err(e) => return Some(Err(e)),
        };
        if let Some(last) = up_to {
            answers.retain(|a| a.month <= last);
        }
        let series = build_series(&answers, config).into_iter().next()?;
        Some(Ok(EntityData { answers, series }))
    }))
}

fn entity_series(
    code: &str,
    months: BTreeMap<Month, Vec<&Answer>>,
    config: &Config,
) -> Option<EntitySeries> {
    let mut interviews: Vec<Interview> = Vec::with_capacity(months.len());
    for (month, mut answers) in months {
        answers.sort_by(|a, b| (&a.question, &a.answer_id).cmp(&(&b.question, &b.answer_id)));
        let mut iv = interview(month, &answers, config);
        if let Some(prev) = interviews.last() {
            iv.change = Some(compare(prev, &iv));
        }
        interviews.push(iv);
    }
    EntitySeries::from_interviews(code.to_string(), interviews)
}

/// The first finite rating among the answers to `question` (answers sorted by id).
fn rating_of(answers: &[&Answer], question: &str) -> Option<f64> {
    answers
        .iter()
        .filter(|a| a.question == question)
        .find_map(|a| a.rating.filter(|r| r.is_finite()))
}

fn interview(month: Month, answers: &[&Answer], config: &Config) -> Interview {
    // Identity fields: the overall-question row if present, else the first answer.
    let id = answers
        .iter()
        .find(|a| a.question == config.overall_question)
        .or_else(|| answers.first())
        .copied();
    let overall = rating_of(answers, &config.overall_question);
    let topics = config
        .topic_questions()
        .filter_map(|q| rating_of(answers, &q.id).map(|r| (q.id.clone(), r)))
        .collect();
    let mut codes: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut open_answers = Vec::new();
    for q in config.coded_questions() {
        for a in answers.iter().filter(|a| a.question == q.id) {
            let eff = a.effective_codes();
            let counts = codes.entry(q.id.clone()).or_default();
            for c in eff {
                *counts.entry(c.clone()).or_default() += 1;
            }
            if !a.text.trim().is_empty() {
                open_answers.push(OpenAnswer {
                    question: q.id.clone(),
                    text: a.text.clone(),
                    codes: eff.to_vec(),
                    human: a.is_coded(),
                });
            }
        }
    }
    codes.retain(|_, c| !c.is_empty());
    Interview {
        month,
        entity_name: id.map(|a| a.entity_name.clone()).unwrap_or_default(),
        department: id.map(|a| a.department.clone()).unwrap_or_default(),
        region: id.map(|a| a.region.clone()).unwrap_or_default(),
        overall,
        topics,
        codes,
        satisfied: overall.map(|r| r >= config.satisfaction_threshold),
        change: None,
        open_answers,
    }
}

fn compare(prev: &Interview, cur: &Interview) -> Change {
    let topics = cur
        .topics
        .iter()
        .filter_map(|(q, &after)| {
            let before = prev.topics.get(q).copied();
            Delta::between(before, Some(after)).map(|d| (q.clone(), d))
        })
        .collect();
    Change {
        previous_month: prev.month,
        overall: Delta::between(prev.overall, cur.overall),
        topics,
    }
}

/// Quotable open answers: real answers (not "no sabe"), on one line and cut to about
/// `max_chars` at a word boundary with an ellipsis ([`clip`]).
pub fn quote(text: &str, max_chars: usize) -> Option<String> {
    let t = clip(text, usize::MAX);
    if is_non_answer(&t) {
        return None;
    }
    Some(clip(&t, max_chars))
}

/// An answer for a table row or a terminal line: whitespace (newlines included) collapsed to
/// single spaces, and, when longer than `max_chars`, cut at a word boundary with "…".
pub fn clip(text: &str, max_chars: usize) -> String {
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() <= max_chars {
        return t;
    }
    // One character more than fits: a space there means the cut falls at a word's end.
    let cut: String = t.chars().take(max_chars + 1).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max_chars / 2 => cut[..i].to_string(),
        _ => t.chars().take(max_chars).collect(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', '.', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn answer(entity: &str, month: &str, question: &str, rating: Option<f64>) -> Answer {
        Answer {
            entity_code: entity.into(),
            entity_name: format!("Entidad {entity}"),
            department: "Dpto".into(),
            region: "Caribe".into(),
            entity_kind: None,
            month: Month::parse(month).unwrap(),
            question: question.into(),
            answer_id: None,
            text: String::new(),
            rating,
            codes: vec![],
            machine: None,
            interview_date: None,
            respondent_role: None,
            attributes: BTreeMap::new(),
        }
    }

    #[test]
    fn compares_with_previous_interview_across_gaps() {
        let c = Config::monitoreo360();
        let rows = vec![
            answer("1", "2020-07", "calificacion_general", Some(4.5)),
            answer("1", "2020-10", "calificacion_general", Some(3.5)),
            answer("1", "2020-10", "calif_armonizacion", Some(2.0)),
        ];
        let s = build_series(&rows, &c);
        assert_eq!(s.len(), 1);
        let iv = &s[0].interviews[1];
        let ch = iv.change.as_ref().unwrap();
        assert_eq!(ch.previous_month, Month::parse("2020-07").unwrap());
        assert_eq!(ch.overall.unwrap().delta, -1.0);
        assert!(ch.topics.is_empty(), "no topic before: no comparison");
        assert_eq!(iv.satisfied, Some(true), "3.5 is satisfied");
    }

    #[test]
    fn missing_rating_makes_no_comparison() {
        let c = Config::monitoreo360();
        let rows = vec![
            answer("1", "2020-07", "calificacion_general", None),
            answer("1", "2020-08", "calificacion_general", Some(2.0)),
        ];
        let s = build_series(&rows, &c);
        let iv = &s[0].interviews[1];
        assert_eq!(iv.change.as_ref().unwrap().overall, None);
        assert_eq!(s[0].interviews[0].satisfied, None);
    }

    #[test]
    fn clipped_answers_are_one_line_cut_at_a_word() {
        assert_eq!(clip("una\nlínea  sola", 50), "una línea sola");
        assert_eq!(clip("uno dos tres cuatro", 12), "uno dos tres…");
        assert_eq!(clip("uno dos", 7), "uno dos");
    }

    #[test]
    fn quotes_are_truncated_at_words() {
        assert_eq!(quote("no sabe", 50), None);
        assert_eq!(quote("  hola   mundo ", 50).as_deref(), Some("hola mundo"));
        let q = quote("uno dos tres cuatro cinco seis siete", 15).unwrap();
        assert_eq!(q, "uno dos tres…");
    }
}
