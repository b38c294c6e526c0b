//! Stage: trends (flags). Which entities interviewed in a month need **priority attention**, why,
//! and how severe; and which improved most.
//!
//! In: entity series ([`super::build_series`]), the config's [`FlagRules`](crate::config::FlagRules),
//! the codebooks (for negative polarity and labels) and the month. Out: a [`FlagReport`].
//!
//! ## Rules (all from `codifica.toml`, `[flags]`)
//! | kind | fires when | severity points |
//! |---|---|---|
//! | `below_threshold` | overall rating this month < `satisfaction_threshold` (3.5 itself is satisfied) | 3 + (threshold − rating) |
//! | `overall_drop` | overall rating fell by ≥ `overall_drop` since the previous interview | 2 + size of the drop |
//! | `consecutive_decline` | at least the last `consecutive_declines` + 1 interviews each lower than the one before (a missing rating breaks the chain); the run is followed back as far as it goes | 2 + total fall over the run |
//! | `topic_drop` | a topic rating fell by ≥ `topic_drop` since the previous interview (one reason per topic) | 0.5 × size of the drop |
//! | `negative_code` | answers of this interview coded (human codes, else machine codes) into codes the codebook marks `negative`: alone from `negative_min_answers` such answers up, with fewer only beside a rating reason (they explain it) | 0.5 per such answer, at most 1.5 |
//!
//! Why these weights: being unsatisfied now matters most; a fall of the overall rating (sudden or
//! steady) next; topic ratings and negative codes mostly *explain* an overall fall, so alone
//! they weigh little, and three topics falling together cannot outrank an overall fall.
//!
//! An entity's severity is the sum of its reasons' points, rounded to two decimals; the list is
//! sorted by severity (highest first), ties broken by entity code. A rule with a threshold ≤ 0
//! (or `consecutive_declines = 0`) is off. Comparisons are with the entity's previous interview,
//! whatever month it was, and only when both interviews carry the value.

use std::collections::BTreeSet;

use serde::Serialize;

use super::spanish::{es_num, es_signed};
use super::{Codebooks, Delta, EntitySeries, Interview, OpenAnswer, quote, round6};
use crate::codebook::{self, Polarity};
use crate::config::Config;
use crate::month::Month;

/// How many quotes a reason carries at most, and how long each may be.
const MAX_QUOTES: usize = 3;
const QUOTE_CHARS: usize = 220;
/// Shorter answers are not quoted.
const MIN_QUOTE_WORDS: usize = 3;
/// How many improved entities are listed.
const MAX_IMPROVED: usize = 10;

/// Machine-readable reason kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    BelowThreshold,
    OverallDrop,
    ConsecutiveDecline,
    TopicDrop,
    NegativeCode,
}

impl FlagKind {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            FlagKind::BelowThreshold => "below_threshold",
            FlagKind::OverallDrop => "overall_drop",
            FlagKind::ConsecutiveDecline => "consecutive_decline",
            FlagKind::TopicDrop => "topic_drop",
            FlagKind::NegativeCode => "negative_code",
        }
    }

    /// Short Spanish name for tables.
    pub fn spanish(self) -> &'static str {
        match self {
            FlagKind::BelowThreshold => "Bajo el umbral",
            FlagKind::OverallDrop => "Caída de la calificación general",
            FlagKind::ConsecutiveDecline => "Caídas consecutivas",
            FlagKind::TopicDrop => "Caída en un tema",
            FlagKind::NegativeCode => "Respuestas en categorías negativas",
        }
    }
}

/// One reason an entity is flagged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlagReason {
    pub kind: FlagKind,
    /// The Spanish sentence, with the numbers.
    pub message: String,
    /// The value before (previous interview, or first of the declining run); `None` if no
    /// comparison applies.
    pub before: Option<f64>,
    /// The value this month, when the reason is about a rating.
    pub after: Option<f64>,
    /// For `topic_drop`: the topic question id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// The answers that support this reason and no other: a `negative_code` reason carries its
    /// negative-coded answers; when the interview has none, the first rating reason carries the
    /// interview's other open answers (not coded positive). Every other reason carries none, so
    /// a connectivity complaint is never shown as the cause of a rating drop, and every face
    /// (report, web, CLI) renders a reason's quotes under that reason without deduplicating.
    pub quotes: Vec<String>,
    /// Severity points this reason contributes.
    pub points: f64,
}

impl FlagReason {
    /// The terminal rendering of a reason, the text twin of the report's `reasons_list`: the
    /// Spanish kind name and sentence on one line, then each of its own quotes indented under
    /// it. Quotes are single lines already ([`super::quote`] collapses whitespace).
    pub fn text_lines(&self) -> Vec<String> {
        let mut out = vec![format!("[{}] {}", self.kind.spanish(), self.message)];
        out.extend(self.quotes.iter().map(|q| format!("   «{q}»")));
        out
    }
}

/// An entity needing priority attention.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlaggedEntity {
    pub entity_code: String,
    pub entity_name: String,
    pub department: String,
    /// Latest region (see [`EntitySeries::region`]).
    pub region: String,
    /// True when the entity was recorded under other regions before.
    pub region_changed: bool,
    pub severity: f64,
    /// Overall rating this month.
    pub overall: Option<f64>,
    pub reasons: Vec<FlagReason>,
}

impl FlaggedEntity {
    /// True when a reason concerns the overall rating (below threshold, drop, declines), not
    /// only topics or negative codes: the report shows these in full and the others in a table.
    pub fn has_overall_reason(&self) -> bool {
        self.reasons.iter().any(|r| {
            matches!(
                r.kind,
                FlagKind::BelowThreshold | FlagKind::OverallDrop | FlagKind::ConsecutiveDecline
            )
        })
    }
}

/// An entity whose overall rating rose since its previous interview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Improvement {
    pub entity_code: String,
    pub entity_name: String,
    pub department: String,
    pub region: String,
    pub previous_month: Month,
    pub before: f64,
    pub after: f64,
    pub delta: f64,
    pub message: String,
}

/// The flags of one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlagReport {
    pub month: Month,
    /// Entities interviewed that month.
    pub interviewed: usize,
    /// Most severe first.
    pub flagged: Vec<FlaggedEntity>,
    /// Largest rise first (at most 10).
    pub improved: Vec<Improvement>,
}

/// Computes the flags of `month` among the entities interviewed then.
pub fn flags_for_month(
    series: &[EntitySeries],
    config: &Config,
    codebooks: &Codebooks,
    month: Month,
) -> FlagReport {
    let mut flags = MonthFlags::new(month);
    for s in series {
        flags.add(s, config, codebooks);
    }
    flags.finish()
}

/// The flags of a month gathered one entity at a time, so a caller reading the store entity by
/// entity can drop each series once it is counted: [`flags_for_month`] is this over a slice.
#[derive(Debug, Clone)]
pub struct MonthFlags {
    month: Month,
    interviewed: usize,
    flagged: Vec<FlaggedEntity>,
    improved: Vec<Improvement>,
}

impl MonthFlags {
    /// No entity seen yet.
    pub fn new(month: Month) -> MonthFlags {
        MonthFlags {
            month,
            interviewed: 0,
            flagged: Vec::new(),
            improved: Vec::new(),
        }
    }

    /// Counts one entity's series: nothing unless it was interviewed in the month.
    pub fn add(&mut self, s: &EntitySeries, config: &Config, codebooks: &Codebooks) {
        let Some((idx, iv)) = s.interview(self.month) else {
            return;
        };
        self.interviewed += 1;
        let reasons = reasons_for(s, idx, iv, config, codebooks);
        if !reasons.is_empty() {
            let severity = round2(reasons.iter().map(|r| r.points).sum());
            self.flagged.push(FlaggedEntity {
                entity_code: s.entity_code.clone(),
                entity_name: s.entity_name.clone(),
                department: s.department.clone(),
                region: s.region.clone(),
                region_changed: s.region_changed(),
                severity,
                overall: iv.overall,
                reasons,
            });
        }
        if let Some(imp) = improvement(s, iv) {
            self.improved.push(imp);
        }
    }

    /// The report: most severe first, largest rises first (ties by entity code, so the order
    /// the entities were added in does not matter).
    pub fn finish(mut self) -> FlagReport {
        self.flagged.sort_by(|a, b| {
            b.severity
                .total_cmp(&a.severity)
                .then_with(|| a.entity_code.cmp(&b.entity_code))
        });
        self.improved.sort_by(|a, b| {
            b.delta
                .total_cmp(&a.delta)
                .then_with(|| a.entity_code.cmp(&b.entity_code))
        });
        self.improved.truncate(MAX_IMPROVED);
        FlagReport {
            month: self.month,
            interviewed: self.interviewed,
            flagged: self.flagged,
            improved: self.improved,
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn reasons_for(
    s: &EntitySeries,
    idx: usize,
    iv: &Interview,
    config: &Config,
    codebooks: &Codebooks,
) -> Vec<FlagReason> {
    let rules = &config.flags;
    let negatives = negative_answers(iv, codebooks);
    let mut out = Vec::new();
    let threshold = config.satisfaction_threshold;
    if rules.below_threshold
        && let Some(r) = iv.overall
        && r < threshold
    {
        out.push(FlagReason {
            kind: FlagKind::BelowThreshold,
            message: format!(
                "La calificación general de {} es {}, por debajo del umbral de satisfacción ({}).",
                iv.month.spanish(),
                es_num(r, 1),
                es_num(threshold, 1)
            ),
            before: None,
            after: Some(r),
            question: None,
            quotes: Vec::new(),
            points: round6(3.0 + (threshold - r)),
        });
    }
    if let Some(ch) = &iv.change {
        if rules.overall_drop > 0.0
            && let Some(d) = ch.overall
            && -d.delta >= rules.overall_drop
        {
            out.push(FlagReason {
                kind: FlagKind::OverallDrop,
                message: drop_message("general", &d, ch.previous_month),
                before: Some(d.before),
                after: Some(d.after),
                question: None,
                quotes: Vec::new(),
                points: round6(2.0 - d.delta),
            });
        }
        if rules.topic_drop > 0.0 {
            for (q, d) in &ch.topics {
                if -d.delta >= rules.topic_drop {
                    let label = config.question(q).map_or(q.as_str(), |q| q.label());
                    out.push(FlagReason {
                        kind: FlagKind::TopicDrop,
                        message: drop_message(&format!("de «{label}»"), d, ch.previous_month),
                        before: Some(d.before),
                        after: Some(d.after),
                        question: Some(q.clone()),
                        quotes: Vec::new(),
                        points: round6(-0.5 * d.delta),
                    });
                }
            }
        }
    }
    if let Some(r) = consecutive_decline(s, idx, rules.consecutive_declines) {
        out.push(r);
    }
    // Negative-coded answers always join a rating reason (as their own reason, quoting them); alone they
    // flag only from `negative_min_answers` answers up, so one stray complaint is not "priority".
    let enough = negatives.len() >= rules.negative_min_answers.max(1);
    if rules.negative_codes && !negatives.is_empty() && (enough || !out.is_empty()) {
        out.push(negative_reason(&negatives, config, codebooks));
    } else if let Some(first) = out.first_mut() {
        // No negative-coded answer: the entity's own words go, once, with its main reason.
        first.quotes = other_quotes(iv, config, codebooks);
    }
    out
}

/// "La calificación {what} bajó de 4,5 a 3,0 (−1,5) desde la entrevista de …": one sentence for
/// the overall rating (`what` = "general") and for a topic (`what` = "de «tema»").
fn drop_message(what: &str, d: &Delta, since: Month) -> String {
    format!(
        "La calificación {what} bajó de {} a {} ({}) desde la entrevista de {}.",
        es_num(d.before, 1),
        es_num(d.after, 1),
        es_signed(d.delta, 1),
        since.spanish()
    )
}

/// At least `n` declines in a row ending at interview `idx`: interviews `idx-n ..= idx` all rated,
/// each strictly lower than the one before; the run is extended back as far as it goes.
fn consecutive_decline(s: &EntitySeries, idx: usize, n: usize) -> Option<FlagReason> {
    if n == 0 || idx < n {
        return None;
    }
    let mut start = idx;
    while start > 0 {
        match (s.interviews[start - 1].overall, s.interviews[start].overall) {
            (Some(before), Some(after)) if after < before => start -= 1,
            _ => break,
        }
    }
    if idx - start < n || s.interviews[idx].overall.is_none() {
        return None;
    }
    let run = &s.interviews[start..=idx];
    let ratings: Vec<f64> = run.iter().filter_map(|i| i.overall).collect();
    let steps: Vec<String> = run
        .iter()
        .zip(&ratings)
        .map(|(i, r)| format!("{} ({})", es_num(*r, 1), i.month.spanish()))
        .collect();
    let first = *ratings.first()?;
    let last = *ratings.last()?;
    Some(FlagReason {
        kind: FlagKind::ConsecutiveDecline,
        message: format!(
            "La calificación general bajó en cada una de sus últimas {} entrevistas: {}.",
            run.len(),
            steps.join(" → ")
        ),
        before: Some(first),
        after: Some(last),
        question: None,
        quotes: Vec::new(),
        points: round6(2.0 + (first - last)),
    })
}

/// An answer coded into negative codes: the answer and the negative code ids.
struct NegativeAnswer<'a> {
    answer: &'a OpenAnswer,
    codes: Vec<&'a str>,
}

fn negative_answers<'a>(iv: &'a Interview, codebooks: &Codebooks) -> Vec<NegativeAnswer<'a>> {
    iv.open_answers
        .iter()
        .filter_map(|a| {
            let cb = codebooks.get(&a.question)?;
            let codes: Vec<&str> = a
                .codes
                .iter()
                .filter(|c| cb.has_polarity(c, Polarity::Negative))
                .map(String::as_str)
                .collect();
            (!codes.is_empty()).then_some(NegativeAnswer { answer: a, codes })
        })
        .collect()
}

/// The quotes of an interview without negative-coded answers: its open answers that are not
/// coded positive (the requested-topics answers are not explanations and are left out). Answers
/// shorter than three words ("no", "sí, claro") say nothing on their own and are not quoted.
fn other_quotes(iv: &Interview, config: &Config, codebooks: &Codebooks) -> Vec<String> {
    pick_quotes(
        iv.open_answers
            .iter()
            .filter(|a| a.question != config.demand_question && !is_positive(a, codebooks))
            .map(|a| a.text.as_str()),
    )
}

fn is_positive(a: &OpenAnswer, codebooks: &Codebooks) -> bool {
    let Some(cb) = codebooks.get(&a.question) else {
        return false;
    };
    !a.codes.is_empty()
        && a.codes
            .iter()
            .all(|c| cb.has_polarity(c, Polarity::Positive))
}

fn pick_quotes<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    texts
        .into_iter()
        .filter(|t| t.split_whitespace().count() >= MIN_QUOTE_WORDS)
        .filter_map(|t| quote(t, QUOTE_CHARS))
        .filter(|q| seen.insert(q.clone()))
        .take(MAX_QUOTES)
        .collect()
}

fn negative_reason(
    negatives: &[NegativeAnswer<'_>],
    config: &Config,
    codebooks: &Codebooks,
) -> FlagReason {
    let mut parts = Vec::new();
    let mut machine = false;
    for n in negatives {
        let q_label = config
            .question(&n.answer.question)
            .map_or(n.answer.question.as_str(), |q| q.label());
        for c in &n.codes {
            let label = codebook::label_of(codebooks.get(&n.answer.question), c);
            let part = format!("«{label}» ({q_label})");
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
        machine |= !n.answer.human;
    }
    let count = negatives.len();
    let lead = if count == 1 {
        "1 respuesta codificada en una categoría negativa".to_string()
    } else {
        format!("{count} respuestas codificadas en categorías negativas")
    };
    let source = if machine {
        " (incluye códigos asignados por el modelo)"
    } else {
        ""
    };
    let quotes = pick_quotes(negatives.iter().map(|n| n.answer.text.as_str()));
    FlagReason {
        kind: FlagKind::NegativeCode,
        message: format!("{lead}{source}: {}.", parts.join("; ")),
        before: None,
        after: None,
        question: None,
        quotes,
        points: 0.5 * count.min(3) as f64,
    }
}

fn improvement(s: &EntitySeries, iv: &Interview) -> Option<Improvement> {
    let ch = iv.change.as_ref()?;
    let d = ch.overall?;
    if d.delta <= 0.0 {
        return None;
    }
    Some(Improvement {
        entity_code: s.entity_code.clone(),
        entity_name: s.entity_name.clone(),
        department: s.department.clone(),
        region: s.region.clone(),
        previous_month: ch.previous_month,
        before: d.before,
        after: d.after,
        delta: d.delta,
        message: format!(
            "La calificación general subió de {} a {} ({}) desde la entrevista de {}.",
            es_num(d.before, 1),
            es_num(d.after, 1),
            es_signed(d.delta, 1),
            ch.previous_month.spanish()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::super::build_series;
    use super::super::tests::answer;
    use super::*;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn drop_and_consecutive_decline() {
        let c = Config::monitoreo360();
        let rows = vec![
            answer("9", "2020-07", "calificacion_general", Some(4.5)),
            answer("9", "2020-09", "calificacion_general", Some(4.0)),
            answer("9", "2020-11", "calificacion_general", Some(2.0)),
        ];
        let s = build_series(&rows, &c);
        let r = flags_for_month(&s, &c, &Codebooks::new(), m("2020-11"));
        assert_eq!(r.flagged.len(), 1);
        let kinds: Vec<FlagKind> = r.flagged[0].reasons.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [
                FlagKind::BelowThreshold,
                FlagKind::OverallDrop,
                FlagKind::ConsecutiveDecline
            ]
        );
        assert_eq!(
            r.flagged[0].reasons[1].message,
            "La calificación general bajó de 4,0 a 2,0 (−2,0) desde la entrevista de septiembre de 2020."
        );
        // below 3 + 1.5, drop 2 + 2, decline 2 + 2.5
        assert_eq!(r.flagged[0].severity, 13.0);
    }

    #[test]
    fn declining_run_is_followed_back() {
        let c = Config::monitoreo360();
        let rows: Vec<_> = [
            ("2020-07", 4.0),
            ("2020-08", 3.5),
            ("2020-09", 3.0),
            ("2020-10", 2.9),
        ]
        .iter()
        .map(|(mo, r)| answer("9", mo, "calificacion_general", Some(*r)))
        .collect();
        let s = build_series(&rows, &c);
        let r = flags_for_month(&s, &c, &Codebooks::new(), m("2020-10"));
        let d = r.flagged[0]
            .reasons
            .iter()
            .find(|r| r.kind == FlagKind::ConsecutiveDecline)
            .unwrap();
        assert_eq!((d.before, d.after), (Some(4.0), Some(2.9)));
        assert!(d.message.contains("últimas 4 entrevistas"), "{}", d.message);
        assert_eq!(d.points, 3.1);
        // A missing rating in the middle breaks the run.
        let mut rows = rows;
        rows[2].rating = None;
        let s = build_series(&rows, &c);
        let r = flags_for_month(&s, &c, &Codebooks::new(), m("2020-10"));
        assert!(
            r.flagged[0]
                .reasons
                .iter()
                .all(|r| r.kind != FlagKind::ConsecutiveDecline)
        );
    }

    #[test]
    fn threshold_tie_is_not_flagged() {
        let c = Config::monitoreo360();
        let rows = vec![answer("9", "2020-07", "calificacion_general", Some(3.5))];
        let s = build_series(&rows, &c);
        let r = flags_for_month(&s, &c, &Codebooks::new(), m("2020-07"));
        assert!(r.flagged.is_empty());
        assert_eq!(r.interviewed, 1);
    }
}
