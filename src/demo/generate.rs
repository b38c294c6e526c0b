//! Demo stage (generator): turns a seed into the synthetic interviews of [`super::DemoData`].
//!
//! In: a seed, the entity list and the answer bank. Out: rows ordered by month, entity code and
//! question. Each month samples 50–54 entities stratified by region in proportion to the
//! population, preferring entities seen once before (so that trends have a previous interview),
//! plus the scripted panel entities of [`SCRIPTS`] (worsening, improving, stable). Ratings follow
//! a per-entity mood; open answers are drawn from the bank by a code chosen according to the
//! rating, cycling through shuffled decks so that answers repeat as little as possible.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::answers::{self, Ambiguous, Bank};
use super::entities::{ENTITIES, Entity, EntityKind, REGIONS};
use super::{DEMAND_QUESTION, DemoRow, MONTHS, OPEN_QUESTIONS, RATING_QUESTIONS};

/// What a scripted panel entity is built to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trend {
    Worsening,
    Improving,
    Stable,
}

/// A panel entity with a fixed interview schedule (and, unless stable, fixed overall ratings).
pub(crate) struct Script {
    pub code: &'static str,
    pub trend: Trend,
    /// Indices into [`MONTHS`].
    pub months: &'static [usize],
    /// Overall rating per scheduled month (empty for stable entities: drawn from the mood).
    pub overall: &'static [f64],
    /// Negative `articulacion_instrumentos` code used when the entity is doing badly.
    pub artic: &'static str,
    /// Negative `necesidades_debilidades` code that explains the fall.
    pub need: &'static str,
}

const fn script(
    code: &'static str,
    trend: Trend,
    months: &'static [usize],
    overall: &'static [f64],
    artic: &'static str,
    need: &'static str,
) -> Script {
    Script {
        code,
        trend,
        months,
        overall,
        artic,
        need,
    }
}

const SEG: &str = "seguimiento_no_asistencia";
const SIN: &str = "sin_contribucion";

/// The scripted panel. Worsening ones end in November (the month the demo flags); stable ones
/// give trends a long series without a story.
#[rustfmt::skip]
pub(crate) const SCRIPTS: &[Script] = &[
    script("19318", Trend::Worsening, &[0, 1, 2, 3, 4], &[4.5, 4.5, 4.0, 3.5, 2.0], SEG, "brecha_conectividad"),
    script("44847", Trend::Worsening, &[0, 2, 4], &[5.0, 4.0, 2.5], SIN, "llego_destiempo"),
    script("86568", Trend::Worsening, &[1, 2, 3, 4], &[4.0, 3.5, 3.0, 2.5], SEG, "rotacion_personal"),
    script("15299", Trend::Worsening, &[0, 1, 3, 4], &[4.5, 4.0, 4.0, 2.5], SIN, "kpt_altas_capacidades"),
    script("81794", Trend::Worsening, &[0, 1, 2, 4], &[4.5, 4.0, 4.5, 3.0], SEG, "brecha_conectividad"),
    script("05847", Trend::Worsening, &[2, 3, 4], &[5.0, 4.5, 3.5], SIN, "llego_destiempo"),
    script("23807", Trend::Improving, &[0, 2, 4], &[2.5, 3.5, 4.5], SIN, "brecha_conectividad"),
    script("41551", Trend::Improving, &[1, 3, 4], &[2.0, 3.0, 4.5], SEG, "kpt_altas_capacidades"),
    script("05", Trend::Stable, &[0, 1, 2, 3, 4], &[], SIN, "comunicacion_dialogo"),
    script("68679", Trend::Stable, &[0, 1, 3, 4], &[], SIN, "comunicacion_dialogo"),
    script("50313", Trend::Stable, &[0, 2, 3, 4], &[], SIN, "comunicacion_dialogo"),
    script("76834", Trend::Stable, &[1, 2, 3, 4], &[], SIN, "comunicacion_dialogo"),
    script("17614", Trend::Stable, &[0, 1, 2, 3], &[], SIN, "comunicacion_dialogo"),
    script("52001", Trend::Stable, &[0, 1, 2, 4], &[], SIN, "comunicacion_dialogo"),
    script("13", Trend::Stable, &[0, 1, 3, 4], &[], SIN, "comunicacion_dialogo"),
    script("73001", Trend::Stable, &[0, 2, 3, 4], &[], SIN, "comunicacion_dialogo"),
];

/// Codes the codebooks mark negative (the generator's notion of a "bad" answer).
const NEGATIVE: &[&str] = &[
    "seguimiento_no_asistencia",
    "sin_contribucion",
    "brecha_conectividad",
    "rotacion_personal",
    "kpt_altas_capacidades",
    "llego_destiempo",
    "sin_fortalecimiento",
];

/// Months (indices) whose open answers carry human codes; November is left for the model.
const CODED_MONTHS: usize = 4;
/// Share of open answers the analysts coded in a coded month.
const CODED_SHARE: f64 = 0.9;
const AMBIGUOUS_SHARE: f64 = 0.06;
const NON_ANSWER_SHARE: f64 = 0.025;
const MISSING_TOPIC_SHARE: f64 = 0.04;

const ROLES_ALCALDIA: &[&str] = &[
    "Secretario de Planeación",
    "Secretaria de Planeación",
    "Jefe de la Oficina de Planeación",
    "Profesional de planeación",
    "Enlace Gobierno al Plan",
    "Asesor del despacho",
    "Alcalde",
    "Alcaldesa",
    "Contratista de planeación",
];

const ROLES_GOBERNACION: &[&str] = &[
    "Secretario de Planeación Departamental",
    "Secretaria de Planeación Departamental",
    "Director de Seguimiento y Evaluación",
    "Profesional de la Secretaría de Planeación",
    "Enlace Gobierno al Plan",
];

/// A shuffled cycle over a bank's answers: every answer is used once before any repeats.
struct Deck {
    order: Vec<usize>,
    pos: usize,
}

impl Deck {
    fn new(len: usize) -> Deck {
        Deck {
            order: (0..len).collect(),
            pos: len,
        }
    }

    fn draw(&mut self, rng: &mut ChaCha8Rng) -> usize {
        if self.pos >= self.order.len() {
            self.order.shuffle(rng);
            self.pos = 0;
        }
        let i = self.order.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        i
    }

    /// Draws the next index whose answer satisfies `ok`; after a whole cycle without one, the
    /// last drawn index.
    fn draw_where(&mut self, rng: &mut ChaCha8Rng, ok: impl Fn(usize) -> bool) -> usize {
        let mut i = self.draw(rng);
        for _ in 1..self.order.len() {
            if ok(i) {
                break;
            }
            i = self.draw(rng);
        }
        i
    }
}

/// Per-entity state carried across months.
struct History {
    mood: f64,
    /// How each topic usually sits against the overall rating (same order as the topic ratings).
    topic_offsets: [f64; 3],
    interviews: usize,
    last: Option<usize>,
    last_overall: Option<f64>,
}

/// Generator state: the random stream, the answer decks, and what each entity already said
/// (nobody repeats an answer word for word in a later month).
struct Gen {
    rng: ChaCha8Rng,
    decks: BTreeMap<(&'static str, &'static str), Deck>,
    said: BTreeMap<&'static str, BTreeSet<String>>,
}

/// Who answers: the entity's code and whether it is a gobernación.
#[derive(Clone, Copy)]
struct Speaker {
    code: &'static str,
    gov: bool,
}

/// One interview's open answer: text and human codes (before the coded/not-coded decision).
struct Answer {
    text: String,
    codes: Vec<String>,
}

/// Builds every row of the demo for `seed`.
pub(crate) fn generate(seed: u64) -> Vec<DemoRow> {
    let mut g = Gen::new(seed);
    let mut hist: BTreeMap<&'static str, History> = BTreeMap::new();
    for e in ENTITIES {
        let mood = g.mood();
        let topic_offsets = [g.topic_offset(), g.topic_offset(), g.topic_offset()];
        let h = History {
            mood,
            topic_offsets,
            interviews: 0,
            last: None,
            last_overall: None,
        };
        hist.insert(e.code, h);
    }
    let mut rows = Vec::new();
    for m in 0..MONTHS.len() {
        let n = 50 + g.rng.gen_range(0..=4usize);
        let mut sample = g.sample_month(m, n, &hist);
        sample.sort_by_key(|e| e.code);
        for e in sample {
            let Some(h) = hist.get_mut(e.code) else {
                continue;
            };
            rows.extend(g.interview(e, m, h));
            h.interviews += 1;
            h.last = Some(m);
        }
    }
    rows
}

fn script_for(code: &str) -> Option<&'static Script> {
    SCRIPTS.iter().find(|s| s.code == code)
}

fn clamp_rating(x: f64) -> f64 {
    x.clamp(1.0, 5.0)
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl Gen {
    fn new(seed: u64) -> Gen {
        Gen {
            rng: ChaCha8Rng::seed_from_u64(seed),
            decks: BTreeMap::new(),
            said: BTreeMap::new(),
        }
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p.clamp(0.0, 1.0))
    }

    /// An entity's usual level of satisfaction: most are content, about one in eleven is not.
    fn mood(&mut self) -> f64 {
        if self.chance(0.09) {
            2.4 + self.rng.gen_range(0.0..1.0)
        } else {
            3.8 + self.rng.gen_range(0.0..1.2)
        }
    }

    /// Rounds to an integer, or rarely to a half point, as phone respondents answer.
    fn round_rating(&mut self, x: f64) -> f64 {
        let r = if self.chance(0.1) {
            (x * 2.0).round() / 2.0
        } else {
            x.round()
        };
        clamp_rating(r)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.choose(&mut self.rng)
    }

    /// Entities interviewed in month `m`: region quotas filled with the scheduled panel first,
    /// then a weighted draw favouring entities with one or two earlier interviews.
    fn sample_month(
        &mut self,
        m: usize,
        n: usize,
        hist: &BTreeMap<&'static str, History>,
    ) -> Vec<&'static Entity> {
        let mut out = Vec::new();
        for (region, quota) in region_quotas(n) {
            let mut forced: Vec<&'static Entity> = ENTITIES
                .iter()
                .filter(|e| e.region == region)
                .filter(|e| script_for(e.code).is_some_and(|s| s.months.contains(&m)))
                .collect();
            let mut pool: Vec<(&'static Entity, f64)> = ENTITIES
                .iter()
                .filter(|e| e.region == region && script_for(e.code).is_none())
                .map(|e| (e, hist.get(e.code).map_or(1.0, |h| weight(h, m))))
                .collect();
            let need = quota.saturating_sub(forced.len());
            for _ in 0..need {
                let total: f64 = pool.iter().map(|(_, w)| w).sum();
                if pool.is_empty() || total <= 0.0 {
                    break;
                }
                let mut x = self.rng.gen_range(0.0..total);
                let mut idx = pool.len() - 1;
                for (i, (_, w)) in pool.iter().enumerate() {
                    if x < *w {
                        idx = i;
                        break;
                    }
                    x -= w;
                }
                forced.push(pool.remove(idx).0);
            }
            out.extend(forced);
        }
        out
    }

    /// All rows of one interview of entity `e` in month `m`.
    fn interview(&mut self, e: &'static Entity, m: usize, h: &mut History) -> Vec<DemoRow> {
        let script = script_for(e.code);
        let pos = script.and_then(|s| s.months.iter().position(|&x| x == m));
        let scripted = script
            .zip(pos)
            .and_then(|(s, p)| s.overall.get(p).map(|&r| (s, p, r)));
        let overall = match scripted {
            Some((_, _, r)) => r,
            None => self.usual_overall(h),
        };
        h.last_overall = Some(overall);
        // A scripted entity is "doing badly" when it fell since its last interview or is low.
        let bad = scripted.map(|(s, p, r)| {
            let fell = p > 0 && s.overall.get(p - 1).is_some_and(|&prev| r < prev);
            fell || r < 3.5
        });
        let coded = m < CODED_MONTHS;
        let base = self.row_header(e, m);
        let mut rows = Vec::new();
        for (i, q) in RATING_QUESTIONS.iter().enumerate() {
            let rating = if i == 0 {
                Some(overall)
            } else {
                let off = h.topic_offsets.get(i - 1).copied().unwrap_or(0.0);
                self.topic_rating(overall, q, off, scripted.is_some(), bad == Some(true))
            };
            if let Some(r) = rating {
                rows.push(DemoRow {
                    question: q.to_string(),
                    rating: Some(r),
                    ..base.clone()
                });
            }
        }
        for q in OPEN_QUESTIONS {
            let who = Speaker {
                code: e.code,
                gov: e.kind == EntityKind::Gobernacion,
            };
            let a = self.open_answer(q, who, overall, script.filter(|_| bad.is_some()), bad);
            let keep = coded && (script.is_some() || self.chance(CODED_SHARE));
            let codes = if keep { a.codes } else { Vec::new() };
            rows.push(DemoRow {
                question: q.to_string(),
                answer: a.text,
                codes,
                ..base.clone()
            });
        }
        let a = self.demand_answer_new_to(e.code);
        let keep = coded && (script.is_some() || self.chance(CODED_SHARE));
        let codes = if keep { a.codes } else { Vec::new() };
        rows.push(DemoRow {
            question: DEMAND_QUESTION.to_string(),
            answer: a.text,
            codes,
            ..base
        });
        rows
    }

    /// The columns every row of one interview shares (entity, month, date, respondent).
    fn row_header(&mut self, e: &'static Entity, m: usize) -> DemoRow {
        let interview_date = self.date(m);
        let roles = match e.kind {
            EntityKind::Alcaldia => ROLES_ALCALDIA,
            EntityKind::Gobernacion => ROLES_GOBERNACION,
        };
        let role = self
            .pick(roles)
            .copied()
            .unwrap_or("Enlace Gobierno al Plan");
        DemoRow {
            entity_code: e.code.to_string(),
            entity_name: e.display_name(),
            department: e.department.to_string(),
            region: e.region.to_string(),
            entity_kind: e.kind.label().to_string(),
            month: MONTHS.get(m).copied().unwrap_or_default().to_string(),
            interview_date,
            respondent_role: role.to_string(),
            question: String::new(),
            answer: String::new(),
            rating: None,
            codes: Vec::new(),
        }
    }

    /// A weekday of the month, as `YYYY-MM-DD`.
    fn date(&mut self, m: usize) -> String {
        let month = 7 + m as u32;
        for _ in 0..20 {
            let day = self.rng.gen_range(1..=28u32);
            if let Some(d) = NaiveDate::from_ymd_opt(2020, month, day)
                && !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
            {
                return d.format("%Y-%m-%d").to_string();
            }
        }
        format!("2020-{month:02}-15")
    }

    /// A topic rating near the overall one: scripted entities track it exactly (a bad interview
    /// pulls the PDT follow-up topic half a point lower); others keep their usual `offset`,
    /// now and then wander, and sometimes skip the question.
    fn topic_rating(
        &mut self,
        overall: f64,
        q: &str,
        offset: f64,
        scripted: bool,
        bad: bool,
    ) -> Option<f64> {
        if scripted {
            let off = if bad && q == "calif_seguimiento_pdt" {
                -0.5
            } else {
                0.0
            };
            return Some(clamp_rating(overall + off));
        }
        if self.chance(MISSING_TOPIC_SHARE) {
            return None;
        }
        let jitter = if self.chance(0.12) {
            self.pick(&[-1.0, -0.5, 0.5]).copied().unwrap_or(0.0)
        } else {
            0.0
        };
        Some(self.round_rating(overall + offset + jitter))
    }

    /// An entity's usual overall rating: often the same as last time, else drawn near its mood.
    fn usual_overall(&mut self, h: &History) -> f64 {
        if let Some(prev) = h.last_overall
            && self.chance(0.55)
        {
            return prev;
        }
        let x = h.mood + (self.rng.gen_range(0.0..1.0) - 0.5) * 1.2;
        self.round_rating(x)
    }

    /// Where a topic usually sits against the overall rating: mostly level, sometimes half a
    /// point or a point away.
    fn topic_offset(&mut self) -> f64 {
        self.pick(&[-1.0, -0.5, 0.0, 0.0, 0.0, 0.0, 0.5])
            .copied()
            .unwrap_or(0.0)
    }

    /// An open answer to `q` said by `who` (a gobernación or an alcaldía). Scripted entities
    /// (`script` with `bad`) answer with their story's codes; everyone else picks a code whose
    /// polarity fits the overall rating.
    fn open_answer(
        &mut self,
        q: &'static str,
        who: Speaker,
        overall: f64,
        script: Option<&'static Script>,
        bad: Option<bool>,
    ) -> Answer {
        let (banks, ambiguous) = question_banks(q);
        if let (Some(s), Some(bad)) = (script, bad) {
            let code = if bad {
                match q {
                    "articulacion_instrumentos" => Some(s.artic),
                    "necesidades_debilidades" => Some(s.need),
                    _ => Some("sin_fortalecimiento"),
                }
            } else {
                None
            };
            return self.answer_from(q, who, banks, code, false);
        }
        if self.chance(NON_ANSWER_SHARE) {
            let said = self.said.entry(who.code).or_default();
            let fresh: Vec<&str> = answers::NON_ANSWERS
                .iter()
                .copied()
                .filter(|t| !said.contains(*t))
                .collect();
            let text = self.pick(&fresh).copied().unwrap_or("No sabe");
            self.said
                .entry(who.code)
                .or_default()
                .insert(text.to_string());
            return Answer {
                text: text.to_string(),
                codes: Vec::new(),
            };
        }
        let said = self.said.entry(who.code).or_default();
        let ambiguous: Vec<&Ambiguous> = ambiguous
            .iter()
            .filter(|a| answers::fits_speaker(a.text, who.gov) && !said.contains(a.text))
            .collect();
        if self.chance(AMBIGUOUS_SHARE)
            && let Some(a) = self.pick(&ambiguous).copied()
        {
            self.said
                .entry(who.code)
                .or_default()
                .insert(a.text.to_string());
            let code = a.codes[usize::from(self.chance(0.5))];
            return Answer {
                text: a.text.to_string(),
                codes: vec![code.to_string()],
            };
        }
        let mut p_neg = if overall >= 4.5 {
            0.12
        } else if overall >= 4.0 {
            0.2
        } else if overall >= 3.5 {
            0.4
        } else if overall >= 2.5 {
            0.7
        } else {
            0.9
        };
        if q == "necesidades_debilidades" {
            p_neg = f64::min(p_neg + 0.2, 0.95);
        }
        let negative = self.chance(p_neg);
        self.answer_from(q, who, banks, None, negative)
    }

    /// Draws an answer that fits `who` and that `who` has not given before from `banks`: of `code` if given, else of a
    /// random code whose polarity is `negative`.
    fn answer_from(
        &mut self,
        q: &'static str,
        who: Speaker,
        banks: &'static [Bank],
        code: Option<&'static str>,
        negative: bool,
    ) -> Answer {
        let bank = match code.and_then(|c| banks.iter().find(|b| b.code == c)) {
            Some(b) => Some(b),
            None => {
                let fitting: Vec<&'static Bank> = banks
                    .iter()
                    .filter(|b| NEGATIVE.contains(&b.code) == negative)
                    .collect();
                self.pick(&fitting).copied()
            }
        };
        let Some(bank) = bank else {
            return Answer {
                text: "Sin respuesta".to_string(),
                codes: Vec::new(),
            };
        };
        let deck = self
            .decks
            .entry((q, bank.code))
            .or_insert_with(|| Deck::new(bank.answers.len()));
        let said = self.said.entry(who.code).or_default();
        let fits = |i: usize| {
            bank.answers
                .get(i)
                .is_some_and(|a| answers::fits_speaker(a, who.gov) && !said.contains(*a))
        };
        let i = deck.draw_where(&mut self.rng, fits);
        let text = bank.answers.get(i).copied().unwrap_or("Sin respuesta");
        said.insert(text.to_string());
        Answer {
            text: text.to_string(),
            codes: vec![bank.code.to_string()],
        }
    }

    fn deck_draw(&mut self, q: &'static str, bank: &'static Bank) -> usize {
        let deck = self
            .decks
            .entry((q, bank.code))
            .or_insert_with(|| Deck::new(bank.answers.len()));
        deck.draw(&mut self.rng)
    }

    /// A `demanda_temas` answer that entity `code` has not given before (a few tries).
    fn demand_answer_new_to(&mut self, code: &'static str) -> Answer {
        let mut a = self.demand_answer();
        for _ in 0..8 {
            if !self.said.get(code).is_some_and(|s| s.contains(&a.text)) {
                break;
            }
            a = self.demand_answer();
        }
        self.said.entry(code).or_default().insert(a.text.clone());
        a
    }

    /// A `demanda_temas` answer naming one to three topics, with their codes in mention order.
    fn demand_answer(&mut self) -> Answer {
        if self.chance(0.02) {
            let text = self
                .pick(answers::NON_ANSWERS)
                .copied()
                .unwrap_or("No sabe");
            return Answer {
                text: text.to_string(),
                codes: Vec::new(),
            };
        }
        let x = self.rng.gen_range(0.0..1.0);
        let k = if x < 0.45 {
            1
        } else if x < 0.85 {
            2
        } else {
            3
        };
        let mut weights: Vec<u32> = answers::DEMAND_WEIGHTS.to_vec();
        let mut phrases = Vec::new();
        let mut codes = Vec::new();
        for _ in 0..k {
            let total: u32 = weights.iter().sum();
            if total == 0 {
                break;
            }
            let mut r = self.rng.gen_range(0..total);
            let mut idx = 0;
            for (i, w) in weights.iter().enumerate() {
                if r < *w {
                    idx = i;
                    break;
                }
                r -= w;
            }
            weights[idx] = 0;
            let Some(bank) = answers::DEMAND_PHRASES.get(idx) else {
                break;
            };
            let i = self.deck_draw(DEMAND_QUESTION, bank);
            phrases.push(bank.answers.get(i).copied().unwrap_or(bank.code));
            codes.push(bank.code.to_string());
        }
        let frames = answers::DEMAND_FRAMES
            .get(phrases.len().saturating_sub(1))
            .copied()
            .unwrap_or(&[]);
        let frame = self.pick(frames).copied().unwrap_or("{}");
        let mut text = String::new();
        let mut rest = frame;
        let mut it = phrases.iter();
        while let Some(p) = rest.find("{}") {
            text.push_str(&rest[..p]);
            text.push_str(it.next().copied().unwrap_or(""));
            rest = &rest[p + 2..];
        }
        text.push_str(rest);
        Answer {
            text: capitalize(&text),
            codes,
        }
    }
}

/// The bank and the ambiguous answers of an open question.
fn question_banks(q: &str) -> (&'static [Bank], &'static [Ambiguous]) {
    match q {
        "articulacion_instrumentos" => (answers::ARTICULACION, answers::ARTICULACION_AMBIGUOUS),
        "necesidades_debilidades" => (answers::NECESIDADES, answers::NECESIDADES_AMBIGUOUS),
        _ => (answers::FORTALECIMIENTO, answers::FORTALECIMIENTO_AMBIGUOUS),
    }
}

/// Draw weight of a non-scripted entity in month `m`: favour those seen once or twice, rarely
/// those seen three times, and less so those interviewed last month.
fn weight(h: &History, m: usize) -> f64 {
    let base = match h.interviews {
        0 => 1.0,
        1 => 1.8,
        2 => 0.9,
        _ => 0.12,
    };
    let recent = if m > 0 && h.last == Some(m - 1) {
        0.5
    } else {
        1.0
    };
    base * recent
}

/// Interviews per region for a month of `n`, proportional to each region's population
/// (largest remainder), in [`REGIONS`] order.
fn region_quotas(n: usize) -> Vec<(&'static str, usize)> {
    let total = ENTITIES.len().max(1);
    let mut q: Vec<(&'static str, usize, usize)> = REGIONS
        .iter()
        .map(|&r| {
            let size = ENTITIES.iter().filter(|e| e.region == r).count();
            (r, size * n / total, (size * n) % total)
        })
        .collect();
    let assigned: usize = q.iter().map(|x| x.1).sum();
    let mut order: Vec<usize> = (0..q.len()).collect();
    order.sort_by(|&a, &b| q[b].2.cmp(&q[a].2).then(a.cmp(&b)));
    for &i in order.iter().take(n.saturating_sub(assigned)) {
        q[i].1 += 1;
    }
    q.into_iter().map(|(r, k, _)| (r, k)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_sum_to_n_and_cover_regions() {
        for n in 50..=54 {
            let q = region_quotas(n);
            assert_eq!(q.iter().map(|x| x.1).sum::<usize>(), n);
            assert!(q.iter().all(|x| x.1 >= 3), "{q:?}");
        }
    }

    #[test]
    fn scripts_name_real_entities_and_end_in_november_when_worsening() {
        for s in SCRIPTS {
            assert!(ENTITIES.iter().any(|e| e.code == s.code), "{}", s.code);
            assert!(
                s.overall.is_empty() || s.overall.len() == s.months.len(),
                "{}",
                s.code
            );
            if s.trend == Trend::Worsening {
                assert_eq!(s.months.last(), Some(&4), "{}", s.code);
                assert!(NEGATIVE.contains(&s.artic) && NEGATIVE.contains(&s.need));
                let first = s.overall.first().copied().unwrap_or(0.0);
                let last = s.overall.last().copied().unwrap_or(5.0);
                assert!(first - last >= 1.5, "{}", s.code);
            }
        }
    }

    #[test]
    fn deck_uses_every_answer_before_repeating() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut d = Deck::new(7);
        let mut seen: Vec<usize> = (0..7).map(|_| d.draw(&mut rng)).collect();
        seen.sort();
        assert_eq!(seen, (0..7).collect::<Vec<_>>());
    }

    #[test]
    fn demand_answers_name_their_topics() {
        let mut g = Gen::new(3);
        for _ in 0..200 {
            let a = g.demand_answer();
            assert!(a.codes.len() <= 3);
            assert!(!a.text.contains("{}"), "{}", a.text);
            let mut c = a.codes.clone();
            c.sort();
            c.dedup();
            assert_eq!(c.len(), a.codes.len(), "duplicate topic in {:?}", a.codes);
        }
    }
}
