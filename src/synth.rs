//! Test and benchmark support (before the ingest stage): a seeded generator of **synthetic**
//! Monitoreo 360 workspaces at any scale, written as the canonical long CSV that
//! `codifica import` reads.
//!
//! In: a [`SynthSpec`] (number of answers, seed). Out: CSV rows on any `Write`, streamed one by
//! one, so a million answers take the same memory as ten thousand. The entities are the demo's
//! real Colombian municipalities and departments plus, at national scale, synthetic
//! municipalities named from word banks (codes `DD9NN`, never a real DIVIPOLA code); every
//! rating, date and answer is invented. The months run from [`SynthSpec::start`] on (at most
//! 240, twenty years of the survey); each month interviews the same number of entities, sampled
//! without replacement across the six regions. Every interview answers every question of the
//! default config. Open answers are composed from per-code phrase banks (so a classifier has
//! something to learn) with openers, hedges, connectors, closers and asides that name the place,
//! the month or a number, plus transcription noise (no accents, lower case, no final stop), so
//! that most answers are distinct as in real data (about 60 % of the real Cabildos 2016 answers
//! are); 4 % of the coded answers carry a code another coder would not have chosen (coder
//! disagreement). Most are human-coded, except in the last month, which is left for
//! `codifica classify`. About one entity in ten
//! worsens steadily, so the priority flags have something true to find.

use std::io::Write;
use std::path::Path;

use rand::Rng;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::demo::{ENTITIES, EntityKind};
use crate::error::{Error, Result};
use crate::month::Month;

/// The canonical columns the generator writes, in order: the demo's (one source of truth).
pub const HEADER: [&str; 12] = crate::demo::CSV_HEADER;

/// Questions per interview (four ratings, three open questions, the demand question).
pub const QUESTIONS_PER_INTERVIEW: u64 = 8;

/// Most months generated (twenty years of a monthly survey).
pub const MAX_MONTHS: u64 = 240;

/// Entities interviewed per month in the real survey; the generator uses more only when the
/// requested size needs them to fit in [`MAX_MONTHS`].
pub const SURVEY_SAMPLE: u64 = 52;

const RATINGS: [&str; 4] = [
    "calificacion_general",
    "calif_plan_indicativo",
    "calif_armonizacion",
    "calif_seguimiento_pdt",
];

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthSpec {
    /// Exact number of answers (CSV data rows).
    pub answers: u64,
    /// Seed of every random choice: same spec → byte-identical CSV.
    pub seed: u64,
    /// First month.
    pub start: Month,
    /// Share of open answers with human codes (the last month has none).
    pub coded_share: f64,
    /// Most months to spread the answers over (default [`MAX_MONTHS`]); fewer months means more
    /// entities a month (crash tests use two big months).
    pub max_months: u64,
}

impl SynthSpec {
    /// `answers` answers from January 2006, seed `seed`, 85 % coded.
    pub fn new(answers: u64, seed: u64) -> SynthSpec {
        SynthSpec {
            answers,
            seed,
            start: Month::new(2006, 1).expect("2006-01 is a valid month"),
            coded_share: 0.85,
            max_months: MAX_MONTHS,
        }
    }

    /// The shape of the data set this spec gives.
    pub fn plan(&self) -> SynthPlan {
        let interviews = self.answers.div_ceil(QUESTIONS_PER_INTERVIEW).max(1);
        let months = interviews
            .div_ceil(SURVEY_SAMPLE)
            .clamp(1, self.max_months.max(1));
        let per_month = interviews.div_ceil(months).max(1);
        let mut last = self.start;
        for _ in 1..months {
            last = last.next();
        }
        SynthPlan {
            answers: self.answers,
            months,
            per_month,
            first_month: self.start,
            last_month: last,
        }
    }
}

/// The shape of a generated data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SynthPlan {
    pub answers: u64,
    pub months: u64,
    /// Entities interviewed per month (the last month may have fewer).
    pub per_month: u64,
    pub first_month: Month,
    pub last_month: Month,
}

/// One entity of the synthetic population.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthEntity {
    pub code: String,
    pub name: String,
    pub department: String,
    pub region: String,
    pub kind: EntityKind,
    /// Perception level in the first month (1–5).
    base: f64,
    /// Change per year (most 0; about one in ten clearly negative).
    slope: f64,
}

const TOWN_PREFIX: [&str; 8] = [
    "San", "Santa", "Puerto", "Villa", "El", "La", "Nueva", "Alto",
];
const TOWN_NAME: [&str; 16] = [
    "Esperanza",
    "Rosario",
    "Palmar",
    "Guadalupe",
    "Colorado",
    "Paraíso",
    "Vega",
    "Carmen",
    "Milagro",
    "Cañaveral",
    "Porvenir",
    "Progreso",
    "Salvador",
    "Morichal",
    "Recreo",
    "Tesoro",
];

/// The sampling population: the demo's real entities plus synthetic municipalities, `size` in
/// all (at least the real ones), with seeded perception levels and trends.
pub fn population(size: usize, rng: &mut ChaCha8Rng) -> Vec<SynthEntity> {
    let mut depts: Vec<(&str, &str, &str)> = ENTITIES
        .iter()
        .filter(|e| e.kind == EntityKind::Gobernacion)
        .map(|e| (e.code, e.department, e.region))
        .collect();
    depts.sort();
    let mut out: Vec<SynthEntity> = ENTITIES
        .iter()
        .map(|e| SynthEntity {
            code: e.code.to_string(),
            name: e.display_name(),
            department: e.department.to_string(),
            region: e.region.to_string(),
            kind: e.kind,
            base: 0.0,
            slope: 0.0,
        })
        .collect();
    let mut taken: std::collections::BTreeSet<String> =
        out.iter().map(|e| e.code.clone()).collect();
    let mut k = 0usize;
    while out.len() < size && !depts.is_empty() && k < depts.len() * 100 {
        let (dcode, dept, region) = depts[k % depts.len()];
        let n = k / depts.len();
        k += 1;
        let code = format!("{dcode}9{n:02}");
        if !taken.insert(code.clone()) {
            continue;
        }
        let name = format!(
            "{} {}",
            TOWN_PREFIX[n % TOWN_PREFIX.len()],
            TOWN_NAME[(n / TOWN_PREFIX.len() + k) % TOWN_NAME.len()]
        );
        out.push(SynthEntity {
            code,
            name: format!("Alcaldía de {name}"),
            department: dept.to_string(),
            region: region.to_string(),
            kind: EntityKind::Alcaldia,
            base: 0.0,
            slope: 0.0,
        });
    }
    for e in &mut out {
        e.base = rng.gen_range(2.6..4.9);
        e.slope = if rng.gen_bool(0.1) {
            -rng.gen_range(0.3..0.9)
        } else {
            rng.gen_range(-0.05..0.05)
        };
    }
    out
}

/// Writes the data set of `spec` as canonical CSV to `out`, streaming. Returns its plan.
pub fn write_csv<W: Write>(spec: &SynthSpec, out: W) -> std::io::Result<SynthPlan> {
    let plan = spec.plan();
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let pool_size = (plan.per_month as usize * 2).max(ENTITIES.len());
    let pool = population(pool_size, &mut rng);
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(HEADER)?;
    let mut written = 0u64;
    let mut month = spec.start;
    let mut order: Vec<usize> = (0..pool.len()).collect();
    'months: for m in 0..plan.months {
        order.shuffle(&mut rng);
        let last_month = m + 1 == plan.months;
        for &ei in order.iter().take(plan.per_month as usize) {
            let e = &pool[ei];
            let interview = Interview::new(e, month, m, &mut rng);
            for q in 0..QUESTIONS_PER_INTERVIEW as usize {
                if written == spec.answers {
                    break 'months;
                }
                let coded = !last_month && rng.gen_bool(spec.coded_share.clamp(0.0, 1.0));
                let row = interview.row(q, coded, &mut rng);
                w.write_record(row.iter().map(String::as_str))?;
                written += 1;
            }
        }
        month = month.next();
    }
    w.flush()?;
    Ok(plan)
}

/// Writes the data set of `spec` to `path` (buffered, streaming).
pub fn write_csv_file(spec: &SynthSpec, path: &Path) -> Result<SynthPlan> {
    let f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let buf = std::io::BufWriter::with_capacity(1 << 20, f);
    write_csv(spec, buf).map_err(|e| Error::io(path, e))
}

struct Interview<'a> {
    e: &'a SynthEntity,
    month: Month,
    date: String,
    role: &'static str,
    overall: f64,
}

const ROLES: [&str; 7] = [
    "Secretario de Planeación",
    "Secretaria de Planeación",
    "Alcalde",
    "Jefe de la Oficina de Planeación",
    "Secretaria de Hacienda",
    "Asesor del despacho",
    "Contratista de planeación",
];

impl<'a> Interview<'a> {
    fn new(e: &'a SynthEntity, month: Month, index: u64, rng: &mut ChaCha8Rng) -> Interview<'a> {
        let years = index as f64 / 12.0;
        let level = (e.base + e.slope * years.min(4.0) + rng.gen_range(-0.3..0.3)).clamp(1.0, 5.0);
        Interview {
            e,
            month,
            date: format!("{month}-{:02}", rng.gen_range(1..=28)),
            role: ROLES[rng.gen_range(0..ROLES.len())],
            overall: level,
        }
    }

    fn row(&self, q: usize, coded: bool, rng: &mut ChaCha8Rng) -> [String; 12] {
        let (question, answer, rating, codes) = match q {
            0..=3 => {
                let r = if q == 0 {
                    self.overall
                } else {
                    (self.overall + rng.gen_range(-0.4..0.4)).clamp(1.0, 5.0)
                };
                (
                    RATINGS[q],
                    String::new(),
                    format_rating(r, rng),
                    String::new(),
                )
            }
            4..=6 => {
                let bank = &OPEN[q - 4];
                let (mut text, codes) = open_answer(bank, self.overall, rng);
                // Non-answers ("No sabe") stay as short as people say them.
                if !codes.is_empty() {
                    add_variety(&mut text, self, rng);
                }
                let codes = disagree(bank, codes, rng);
                (
                    bank.question,
                    text,
                    String::new(),
                    if coded { codes } else { String::new() },
                )
            }
            _ => {
                let (mut text, codes) = demand_answer(rng);
                add_variety(&mut text, self, rng);
                (
                    "demanda_temas",
                    text,
                    String::new(),
                    if coded { codes } else { String::new() },
                )
            }
        };
        [
            self.e.code.clone(),
            self.e.name.clone(),
            self.e.department.clone(),
            self.e.region.clone(),
            self.e.kind.label().to_string(),
            self.month.to_string(),
            self.date.clone(),
            self.role.to_string(),
            question.to_string(),
            answer,
            rating,
            codes,
        ]
    }
}

/// Ratings as the survey records them: whole points, sometimes a half.
fn format_rating(r: f64, rng: &mut ChaCha8Rng) -> String {
    if rng.gen_bool(0.1) {
        let h = ((r * 2.0).round() / 2.0).clamp(1.0, 5.0);
        format!("{h}")
    } else {
        format!("{}", r.round().clamp(1.0, 5.0) as i64)
    }
}

struct OpenBank {
    question: &'static str,
    /// (code id, phrases that carry it, positive?)
    codes: &'static [(&'static str, &'static [&'static str], bool)],
}

const OPENERS_POS: [&str; 8] = [
    "Sí, porque",
    "Si claro,",
    "Sí contribuye,",
    "Claro que sí,",
    "Considero que sí porque",
    "Pues sí,",
    "Totalmente,",
    "Yo diría que sí, ya que",
];
const OPENERS_NEG: [&str; 7] = [
    "No mucho, porque",
    "La verdad no,",
    "Muy poco,",
    "No, porque",
    "Pues regular,",
    "No tanto,",
    "Siendo sinceros, no:",
];
const CONNECTORS: [&str; 6] = [
    ", y además",
    "; también",
    ". Por otro lado,",
    " y",
    ", aunque",
    ". Igualmente",
];
const CLOSERS: [&str; 8] = [
    "",
    "",
    " Eso es lo que más valoramos.",
    " Ojalá continúe así el próximo año.",
    " Lo digo por la experiencia de este cuatrienio.",
    " Eso lo hemos comentado en el consejo de gobierno.",
    " Gracias por preguntar.",
    " Es lo que yo percibo desde la secretaría.",
];
const NON_ANSWERS: [&str; 5] = ["No sabe", "Sin respuesta", "NS/NR", "No responde", "no se"];

const OPEN: [OpenBank; 3] = [
    OpenBank {
        question: "articulacion_instrumentos",
        codes: &[
            (
                "integralidad",
                &[
                    "nos ayudó a ver el plan de desarrollo amarrado al plan indicativo y al presupuesto",
                    "uno entiende todo el ciclo, desde el diagnóstico hasta el seguimiento",
                    "ahora el PDT se conecta con el POAI y con el plan financiero",
                    "los instrumentos de planeación dejaron de ser documentos sueltos",
                ],
                true,
            ),
            (
                "articulacion_dependencias",
                &[
                    "las secretarías se sentaron juntas a revisar las metas",
                    "hacienda y planeación por fin trabajan coordinadas",
                    "se armó una mesa técnica entre dependencias para el plan",
                    "cada dependencia sabe qué le toca reportar",
                ],
                true,
            ),
            (
                "apropiacion_temas",
                &[
                    "el equipo se apropió de los temas de planeación",
                    "los funcionarios entienden mejor la metodología",
                    "aprendimos a usar las herramientas del DNP",
                    "quedó capacidad instalada en la administración",
                ],
                true,
            ),
            (
                "seguimiento_no_asistencia",
                &[
                    "lo que más sirvió fue el seguimiento, más que la asistencia técnica",
                    "el reporte al sistema de seguimiento nos obligó a ordenar la información",
                    "las alertas del seguimiento al PDT nos ayudaron más que las capacitaciones",
                ],
                true,
            ),
            (
                "sin_contribucion",
                &[
                    "no vimos un cambio real en la articulación",
                    "la asistencia fue muy general y no aterrizó a nuestros instrumentos",
                    "seguimos trabajando cada instrumento por aparte",
                    "no ha habido acompañamiento suficiente para articular nada",
                ],
                false,
            ),
        ],
    },
    OpenBank {
        question: "necesidades_debilidades",
        codes: &[
            (
                "comunicacion_dialogo",
                &[
                    "falta más comunicación y diálogo con los asesores",
                    "cuesta comunicarse con el equipo del DNP",
                    "necesitamos un canal directo para resolver dudas",
                ],
                false,
            ),
            (
                "particularidades_municipio",
                &[
                    "la asistencia no tiene en cuenta las particularidades del municipio",
                    "los ejemplos son de ciudades grandes y nosotros somos un municipio rural",
                    "deberían conocer más el contexto del territorio",
                ],
                false,
            ),
            (
                "agiliza_procesos",
                &[
                    "la asistencia agiliza los procesos de reporte",
                    "los trámites salen más rápido con el acompañamiento",
                    "ahorramos tiempo en la formulación",
                ],
                true,
            ),
            (
                "herramientas_contexto",
                &[
                    "las herramientas no se ajustan al contexto local",
                    "los formatos son muy complejos para el equipo que tenemos",
                    "el aplicativo es difícil de usar",
                ],
                false,
            ),
            (
                "brecha_conectividad",
                &[
                    "la conectividad es muy mala y las reuniones virtuales se caen",
                    "no hay buen internet en la alcaldía",
                    "la señal no alcanza para las capacitaciones en línea",
                ],
                false,
            ),
            (
                "rotacion_personal",
                &[
                    "hay mucha rotación de personal y se pierde lo aprendido",
                    "cambian los contratistas cada año",
                    "la gente capacitada se va y toca empezar de nuevo",
                ],
                false,
            ),
            (
                "kpt_altas_capacidades",
                &[
                    "el KPT nos sirvió para las altas capacidades del equipo",
                    "los kits de planeación territorial son muy útiles",
                    "usamos bastante el KPT para formular",
                ],
                true,
            ),
            (
                "llego_destiempo",
                &[
                    "la asistencia llegó a destiempo, cuando ya habíamos entregado",
                    "las capacitaciones fueron tarde frente al cronograma",
                    "llegó después de aprobado el plan",
                ],
                false,
            ),
        ],
    },
    OpenBank {
        question: "fortalecimiento_capacidades",
        codes: &[
            (
                "claridad_procesos",
                &[
                    "quedaron claros los procesos y los tiempos de reporte",
                    "ahora sabemos paso a paso cómo hacer la armonización",
                    "se aclararon las dudas sobre la metodología",
                ],
                true,
            ),
            (
                "articulacion_interna",
                &[
                    "mejoró la articulación interna de la administración",
                    "los equipos internos trabajan de manera más coordinada",
                    "se fortaleció el trabajo entre secretarías",
                ],
                true,
            ),
            (
                "apropiacion_compromiso",
                &[
                    "hubo mayor compromiso del alcalde y su gabinete",
                    "el equipo directivo se comprometió con el seguimiento",
                    "la administración se apropió del plan",
                ],
                true,
            ),
            (
                "gestion_conocimiento",
                &[
                    "se documentó el conocimiento para los que lleguen",
                    "quedaron guías y memorias de las capacitaciones",
                    "armamos un repositorio con los materiales",
                ],
                true,
            ),
            (
                "sin_fortalecimiento",
                &[
                    "no se fortalecieron las capacidades del equipo",
                    "las capacitaciones no dejaron nada concreto",
                    "seguimos con las mismas debilidades de antes",
                ],
                false,
            ),
        ],
    },
];

/// An open answer: 1 or 2 codes' phrases (positive ones more likely when the entity is
/// satisfied), an opener, maybe a closer; 3 % are non-answers, never coded. The open questions'
/// codebooks are single-label, so an answer that touches two codes is coded with the first, as
/// an analyst codes its main point.
fn open_answer(bank: &OpenBank, level: f64, rng: &mut ChaCha8Rng) -> (String, String) {
    if rng.gen_bool(0.03) {
        return (
            NON_ANSWERS[rng.gen_range(0..NON_ANSWERS.len())].to_string(),
            String::new(),
        );
    }
    let positive = rng.gen_bool(((level - 1.0) / 4.0).clamp(0.1, 0.9));
    let candidates: Vec<usize> = (0..bank.codes.len())
        .filter(|&i| bank.codes[i].2 == positive)
        .collect();
    let pick = |rng: &mut ChaCha8Rng| -> usize {
        if candidates.is_empty() {
            rng.gen_range(0..bank.codes.len())
        } else {
            candidates[rng.gen_range(0..candidates.len())]
        }
    };
    let first = pick(rng);
    let mut chosen = vec![first];
    if rng.gen_bool(0.2) {
        let second = pick(rng);
        if second != first {
            chosen.push(second);
        }
    }
    let opener = if positive {
        OPENERS_POS[rng.gen_range(0..OPENERS_POS.len())]
    } else {
        OPENERS_NEG[rng.gen_range(0..OPENERS_NEG.len())]
    };
    let mut text = String::from(opener);
    for (n, &c) in chosen.iter().enumerate() {
        let phrases = bank.codes[c].1;
        if n > 0 {
            text.push_str(CONNECTORS[rng.gen_range(0..CONNECTORS.len())]);
        }
        text.push(' ');
        text.push_str(phrases[rng.gen_range(0..phrases.len())]);
    }
    text.push('.');
    text.push_str(CLOSERS[rng.gen_range(0..CLOSERS.len())]);
    (text, bank.codes[chosen[0]].0.to_string())
}

const HEDGES: [&str; 8] = [
    " la verdad",
    " en general",
    " digamos que",
    " en nuestro caso",
    " como le decía",
    " sinceramente",
    " a grandes rasgos",
    " desde la oficina",
];

const REMARKS: [&str; 10] = [
    " Hubo cambio de secretario a mitad de año.",
    " Las reuniones fueron casi todas virtuales.",
    " Participaron varias secretarías.",
    " El alcalde estuvo pendiente.",
    " Nos falta tiempo para todo.",
    " El enlace departamental también ayudó.",
    " Todavía estamos en empalme.",
    " El concejo pidió informes.",
    " Se hizo una jornada presencial.",
    " Lo revisamos con el equipo de planeación.",
];

/// An aside of the kind people add on the phone: the place, the month, a number, a remark.
fn aside(iv: &Interview, rng: &mut ChaCha8Rng) -> String {
    let place =
        iv.e.name
            .split_once(" de ")
            .map_or(iv.e.name.as_str(), |(_, p)| p);
    match rng.gen_range(0..5) {
        0 => format!(" Aquí en {place} eso se nota."),
        1 => format!(" Desde {} venimos trabajando así.", iv.month.spanish()),
        2 => format!(" Tuvimos {} sesiones con el asesor.", rng.gen_range(2..=15)),
        3 => format!(" El equipo es de {} personas.", rng.gen_range(3..=40)),
        _ => REMARKS[rng.gen_range(0..REMARKS.len())].to_string(),
    }
}

/// Makes a composed answer look transcribed: a hedge after the first word, asides, and now and
/// then no accents, lower case or no final stop.
fn add_variety(text: &mut String, iv: &Interview, rng: &mut ChaCha8Rng) {
    if rng.gen_bool(0.35)
        && let Some(sp) = text.find(' ')
    {
        text.insert_str(sp, HEDGES[rng.gen_range(0..HEDGES.len())]);
    }
    while rng.gen_bool(0.45) {
        if !text.ends_with('.') {
            text.push('.');
        }
        text.push_str(&aside(iv, rng));
    }
    if rng.gen_bool(0.06) {
        *text = text
            .chars()
            .map(|c| match c {
                'á' => 'a',
                'é' => 'e',
                'í' => 'i',
                'ó' => 'o',
                'ú' => 'u',
                c => c,
            })
            .collect();
    }
    if rng.gen_bool(0.05) {
        *text = text.to_lowercase();
    }
    if rng.gen_bool(0.04) && text.ends_with('.') {
        text.pop();
    }
}

/// Coder disagreement: 4 % of the answers get their first code replaced by another of the
/// question's codes.
fn disagree(bank: &OpenBank, codes: String, rng: &mut ChaCha8Rng) -> String {
    if codes.is_empty() || !rng.gen_bool(0.04) {
        return codes;
    }
    let other = bank.codes[rng.gen_range(0..bank.codes.len())].0;
    let mut parts: Vec<&str> = codes.split(';').collect();
    if parts.contains(&other) {
        return codes;
    }
    parts[0] = other;
    parts.join(";")
}

const DEMAND: [(&str, &str); 8] = [
    ("seguimiento_pdt", "seguimiento al plan de desarrollo"),
    (
        "planeacion_financiera",
        "planeación financiera y marco fiscal",
    ),
    ("armonizacion_presupuestal", "armonización presupuestal"),
    ("plan_indicativo", "el plan indicativo"),
    ("formulacion_proyectos", "formulación de proyectos"),
    (
        "ordenamiento_territorial",
        "ordenamiento territorial, el POT",
    ),
    ("regalias_sgr", "regalías y el SGR"),
    ("rendicion_cuentas", "rendición de cuentas"),
];
const DEMAND_OPENERS: [&str; 5] = [
    "Necesitamos apoyo en",
    "Nos gustaría asistencia en",
    "Principalmente",
    "En",
    "Sobre todo en",
];

/// The demand answer: 1–3 topics.
fn demand_answer(rng: &mut ChaCha8Rng) -> (String, String) {
    let n = rng.gen_range(1..=3);
    let mut idx: Vec<usize> = (0..DEMAND.len()).collect();
    idx.shuffle(rng);
    let mut chosen: Vec<usize> = idx.into_iter().take(n).collect();
    chosen.sort_unstable();
    let names: Vec<&str> = chosen.iter().map(|&i| DEMAND[i].1).collect();
    let text = format!(
        "{} {}",
        DEMAND_OPENERS[rng.gen_range(0..DEMAND_OPENERS.len())],
        match names.as_slice() {
            [a] => (*a).to_string(),
            [a, b] => format!("{a} y {b}"),
            _ => format!(
                "{} y {}",
                names[..names.len() - 1].join(", "),
                names[names.len() - 1]
            ),
        }
    );
    let codes: Vec<&str> = chosen.iter().map(|&i| DEMAND[i].0).collect();
    (text, codes.join(";"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_of(spec: &SynthSpec) -> String {
        let mut buf = Vec::new();
        write_csv(spec, &mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn exact_row_count_and_deterministic() {
        let spec = SynthSpec::new(1003, 7);
        let a = csv_of(&spec);
        assert_eq!(a, csv_of(&spec));
        let mut r = csv::Reader::from_reader(a.as_bytes());
        assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), HEADER);
        assert_eq!(r.records().count(), 1003);
        assert_ne!(a, csv_of(&SynthSpec::new(1003, 8)));
    }

    #[test]
    fn plan_scales_months_then_entities() {
        let p = SynthSpec::new(10_000, 1).plan();
        assert_eq!((p.months, p.per_month), (25, 50));
        let p = SynthSpec::new(1_000_000, 1).plan();
        assert_eq!(p.months, MAX_MONTHS);
        assert!(p.per_month * p.months * QUESTIONS_PER_INTERVIEW >= 1_000_000);
        assert_eq!(p.last_month.to_string(), "2025-12");
        let two = SynthSpec {
            max_months: 2,
            ..SynthSpec::new(16_000, 1)
        };
        assert_eq!((two.plan().months, two.plan().per_month), (2, 1000));
    }

    #[test]
    fn keys_are_unique_and_codes_exist_in_the_default_codebooks() {
        let text = csv_of(&SynthSpec::new(20_000, 3));
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let mut keys = std::collections::BTreeSet::new();
        let mut regions = std::collections::BTreeSet::new();
        for rec in r.records() {
            let rec = rec.unwrap();
            assert!(keys.insert((rec[0].to_string(), rec[5].to_string(), rec[8].to_string())));
            regions.insert(rec[3].to_string());
            let q = &rec[8];
            if !rec[11].is_empty() {
                let cb = crate::codebook::Codebook::default_for(q).unwrap();
                for c in rec[11].split(';') {
                    assert!(cb.code(c).is_some(), "{q}: {c}");
                }
            }
        }
        assert_eq!(regions.len(), 6);
    }

    /// Real answers rarely repeat word for word (about 60 % of the Cabildos 2016 texts are
    /// distinct): the generator must not hand a learner the same few hundred sentences.
    #[test]
    fn open_answers_are_mostly_distinct() {
        let text = csv_of(&SynthSpec::new(40_000, 5));
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let mut all = 0usize;
        let mut distinct = std::collections::BTreeSet::new();
        for rec in r.records() {
            let rec = rec.unwrap();
            if rec[9].len() > 12 {
                all += 1;
                distinct.insert(rec[9].to_string());
            }
        }
        let share = distinct.len() as f64 / all as f64;
        assert!(all > 15_000, "{all}");
        assert!(share > 0.5, "{} distinct of {all}", distinct.len());
    }

    #[test]
    fn non_answers_stay_bare_and_are_never_coded() {
        let text = csv_of(&SynthSpec::new(20_000, 9));
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let mut seen = 0;
        for rec in r.records() {
            let rec = rec.unwrap();
            if NON_ANSWERS.contains(&&rec[9]) {
                seen += 1;
                assert!(rec[11].is_empty(), "{rec:?}");
            } else if NON_ANSWERS.iter().any(|n| rec[9].starts_with(n)) {
                panic!("a non-answer with more words: {:?}", &rec[9]);
            }
        }
        assert!(seen > 50, "{seen}");
    }

    #[test]
    fn national_scale_population_is_unique() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let pool = population(1100, &mut rng);
        assert_eq!(pool.len(), 1100);
        let codes: std::collections::BTreeSet<&str> =
            pool.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes.len(), 1100);
    }
}
