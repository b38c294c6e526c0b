//! Use case: the answers no code captures well, grouped into candidate themes, with the terms
//! whose share rose most; and adopting a theme as a new code (its uncoded answers go to the
//! review queue with that code suggested, never coded silently). Both faces call these.

use crate::error::{Error, Result};
use crate::month::Month;
use crate::store::Store;
use crate::themes::{Adopted, ThemeOptions, ThemeReport, adopt_theme, themes_from_store};
use crate::trends::load_codebooks;
use crate::workspace::Workspace;

/// What to look for.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeParams {
    pub from: Month,
    pub to: Month,
    /// Only this question (every coded question when `None`).
    pub question: Option<String>,
    /// Most themes to consider (the number is chosen by silhouette up to this).
    pub max_themes: usize,
    /// A machine code below this calibrated confidence counts as weak; in `[0, 1]`.
    pub min_confidence: f64,
    /// Seed of the clustering.
    pub seed: u64,
}

impl ThemeParams {
    fn options(&self) -> Result<ThemeOptions> {
        if !(0.0..=1.0).contains(&self.min_confidence) {
            return Err(Error::invalid(format!(
                "--min-confidence must be between 0 and 1, got {}",
                self.min_confidence
            )));
        }
        Ok(ThemeOptions {
            from: self.from,
            to: self.to,
            question: self.question.clone(),
            max_themes: self.max_themes,
            min_confidence: self.min_confidence,
            seed: self.seed,
            ..ThemeOptions::month(self.to)
        })
    }
}

/// The candidate themes of the period.
pub fn themes(ws: &Workspace, params: &ThemeParams) -> Result<ThemeReport> {
    let opts = params.options()?;
    let store = Store::open(ws)?;
    let codebooks = load_codebooks(ws)?;
    themes_from_store(&store, ws.config(), &codebooks, &opts)
}

/// What adopting a theme did.
#[derive(Debug, Clone)]
pub struct Adoption {
    pub question: String,
    pub code: String,
    pub done: Adopted,
}

impl std::fmt::Display for Adoption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "code '{}' added to {}; {} answers suggested for review, {} already coded by a human left as they are",
            self.code, self.question, self.done.suggested, self.done.human_coded
        )
    }
}

/// Theme `number` (1-based, as listed) of `params.question` becomes code `id` labelled `label`.
pub fn adopt(
    ws: &Workspace,
    params: &ThemeParams,
    number: usize,
    id: &str,
    label: &str,
) -> Result<Adoption> {
    let question = params
        .question
        .as_deref()
        .ok_or_else(|| Error::invalid("adopting a theme needs a question"))?;
    let report = themes(ws, params)?;
    let theme = number
        .checked_sub(1)
        .and_then(|i| report.themes.get(i))
        .ok_or_else(|| {
            Error::invalid(format!(
                "--adopt {number}: there are {} themes",
                report.themes.len()
            ))
        })?;
    let _lock = ws.lock()?;
    let store = Store::open(ws)?;
    let done = adopt_theme(ws, &store, question, theme, id, label)?;
    Ok(Adoption {
        question: question.to_string(),
        code: id.to_string(),
        done,
    })
}

/// The listing `codifica themes` prints (English, one line each; blank lines between themes).
pub fn listing(r: &ThemeReport, min_conf: f64) -> Vec<String> {
    let mut out = vec![format!(
        "{}: {} of {} answers have a weak code (human \"otro\", or uncoded with machine \
         confidence < {min_conf} or none).",
        period(r),
        r.weak,
        r.answers
    )];
    if r.themes.is_empty() {
        out.push("No candidate themes (too few weak answers).".into());
    } else {
        let scores: Vec<String> = r
            .k_scores
            .iter()
            .map(|(k, s)| format!("{k}:{s:.3}"))
            .collect();
        out.push(format!(
            "{} candidate themes (k = {} by silhouette; {}); {} answers in no theme.",
            r.themes.len(),
            r.chosen_k,
            scores.join(" "),
            r.unthemed
        ));
    }
    for (i, t) in r.themes.iter().enumerate() {
        out.extend(theme_lines(i + 1, t));
    }
    out.extend(rising(r));
    out
}

/// Theme `n` of the listing: its label, size and growth by month, then its quotes.
fn theme_lines(n: usize, t: &crate::themes::Theme) -> Vec<String> {
    let growth: Vec<String> = t
        .growth
        .iter()
        .map(|g| format!("{} {}", g.month, g.count))
        .collect();
    let head = format!(
        "\n{n}. {} — {} answers (by month: {})",
        t.label,
        t.size,
        growth.join(", ")
    );
    let quotes = t
        .quotes
        .iter()
        .map(|q| format!("   «{}» — {}, {}", q.text, q.entity_name, q.month));
    std::iter::once(head).chain(quotes).collect()
}

fn rising(r: &ThemeReport) -> Vec<String> {
    if r.rising.is_empty() {
        return Vec::new();
    }
    let mut out = vec!["\nTerms whose share rose most:".to_string()];
    for t in &r.rising {
        let before = t.share_before.map_or("no earlier answers".into(), |b| {
            format!("{:.1} %", 100.0 * b)
        });
        out.push(format!(
            "  {}: {:.1} % of answers ({}), before {before}",
            t.term,
            100.0 * t.share,
            t.count
        ));
    }
    out
}

fn period(r: &ThemeReport) -> String {
    if r.from == r.to {
        r.from.to_string()
    } else {
        format!("{} to {}", r.from, r.to)
    }
}
