//! The workspace configuration, `codifica.toml`: the survey's questions, the satisfaction
//! threshold, the analyzer settings, the flag rules and the wide-spreadsheet mappings.
//!
//! Read once and validated into a [`Config`]; later stages only ever see a valid one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize};

use crate::analyze::AnalyzerSettings;
use crate::error::{Error, Result};

/// What kind of answer a question collects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionKind {
    /// A number on the question's scale.
    Rating,
    /// Free text, coded into the question's codebook.
    Open,
    /// A pick among options (free text allowed), coded like an open question.
    Choice,
}

/// One survey question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable id used in files and commands, e.g. `calificacion_general`.
    pub id: String,
    /// The question as asked.
    pub text: String,
    pub kind: QuestionKind,
    /// Rating scale `[min, max]` (ratings only; default 1–5).
    #[serde(default = "default_scale")]
    pub scale: [f64; 2],
    /// Short label for reports, e.g. "Plan indicativo".
    #[serde(default)]
    pub label: String,
}

fn default_scale() -> [f64; 2] {
    [1.0, 5.0]
}

impl Question {
    /// True for questions whose text is coded (open and choice).
    pub fn is_coded(&self) -> bool {
        matches!(self.kind, QuestionKind::Open | QuestionKind::Choice)
    }

    /// The report label, falling back to the id.
    pub fn label(&self) -> &str {
        if self.label.is_empty() {
            &self.id
        } else {
            &self.label
        }
    }

    /// An open question created on the fly by `import --new-questions`.
    pub fn new_open(id: &str) -> Question {
        Question {
            id: id.to_string(),
            text: id.to_string(),
            kind: QuestionKind::Open,
            scale: default_scale(),
            label: String::new(),
        }
    }
}

/// Rules of the priority-attention flags (see `trends`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlagRules {
    /// Flag an overall rating below the satisfaction threshold.
    pub below_threshold: bool,
    /// Flag an overall drop of at least this many points since the previous interview.
    pub overall_drop: f64,
    /// Flag this many declines in a row (2 = three interviews, each lower).
    pub consecutive_declines: usize,
    /// Flag a topic rating drop of at least this many points.
    pub topic_drop: f64,
    /// Flag answers coded into codes the codebook marks negative.
    pub negative_codes: bool,
    /// Negative-coded answers flag an entity on their own only from this many answers in one
    /// interview up; fewer still join (and explain) a rating reason.
    pub negative_min_answers: usize,
}

impl Default for FlagRules {
    fn default() -> Self {
        FlagRules {
            below_threshold: true,
            overall_drop: 1.0,
            consecutive_declines: 2,
            topic_drop: 1.0,
            negative_codes: true,
            negative_min_answers: 2,
        }
    }
}

/// Flag rules that passed [`FlagRules::check`]: the only kind a [`Config`] holds (it is checked
/// as `codifica.toml` is read), so the flags stage never sees a NaN threshold, which would turn
/// a rule off silently. Reads as the rules it holds.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(try_from = "FlagRules", into = "FlagRules")]
pub struct ValidFlagRules(FlagRules);

impl FlagRules {
    /// Drop thresholds must be numbers (≤ 0 turns a rule off, as `trends::flags` documents).
    pub fn check(self) -> std::result::Result<ValidFlagRules, String> {
        for (key, v) in [
            ("overall_drop", self.overall_drop),
            ("topic_drop", self.topic_drop),
        ] {
            if !v.is_finite() {
                return Err(format!(
                    "[flags] {key} must be a number (0 turns the rule off)"
                ));
            }
        }
        Ok(ValidFlagRules(self))
    }
}

impl TryFrom<FlagRules> for ValidFlagRules {
    type Error = String;

    fn try_from(rules: FlagRules) -> std::result::Result<ValidFlagRules, String> {
        rules.check()
    }
}

impl From<ValidFlagRules> for FlagRules {
    fn from(v: ValidFlagRules) -> FlagRules {
        v.0
    }
}

impl std::ops::Deref for ValidFlagRules {
    type Target = FlagRules;

    fn deref(&self) -> &FlagRules {
        &self.0
    }
}

/// The validated contents of `codifica.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Survey name shown in reports.
    pub survey: String,
    /// A rating at or above this is "satisfied" (3.5 of 5 by default; 3.5 itself is satisfied).
    #[serde(default = "default_threshold")]
    pub satisfaction_threshold: f64,
    /// The question holding the overall rating.
    #[serde(default = "default_overall")]
    pub overall_question: String,
    /// The question whose answers name the topics an entity asks support on (the report's
    /// demand table): not an explanation of a rating, so it is never quoted as one.
    #[serde(default = "default_demand")]
    pub demand_question: String,
    #[serde(default)]
    pub analyzer: AnalyzerSettings,
    #[serde(default)]
    pub flags: ValidFlagRules,
    /// Default of `classify --accept-at`: accept machine codes without review where the model's
    /// confidence reached the threshold that kept this accuracy on its validation (e.g. 0.9).
    /// Unset: nothing is accepted automatically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_at: Option<f64>,
    pub questions: Vec<Question>,
    /// Column mappings for wide spreadsheets (one row per interview).
    #[serde(default, rename = "mapping", skip_serializing_if = "Vec::is_empty")]
    pub mappings: Vec<WideMapping>,
}

fn default_threshold() -> f64 {
    3.5
}

fn default_overall() -> String {
    "calificacion_general".into()
}

fn default_demand() -> String {
    "demanda_temas".into()
}

const DEFAULT_CONFIG: &str = include_str!("../lexicons/monitoreo360.toml");

impl Config {
    /// The Monitoreo 360 survey, as `codifica init` writes it.
    pub fn monitoreo360() -> Config {
        Config::parse(DEFAULT_CONFIG, Path::new("lexicons/monitoreo360.toml"))
            .unwrap_or_else(|e| unreachable!("the embedded default config is valid: {e}"))
    }

    /// The embedded default config's text (with its comments).
    pub fn monitoreo360_text() -> &'static str {
        DEFAULT_CONFIG
    }

    /// Reads and validates `path`.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Config::parse(&text, path)
    }

    /// Parses and validates TOML text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let config: Config = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        config.validate().map_err(|m| Error::file(path, m))?;
        Ok(config)
    }

    /// Serialises to TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let mut seen = BTreeSet::new();
        for q in &self.questions {
            if q.id.is_empty() || q.id.contains(['|', ' ']) {
                return Err(format!(
                    "question id '{}' must be non-empty, without spaces or '|'",
                    q.id
                ));
            }
            if !seen.insert(q.id.as_str()) {
                return Err(format!("question id '{}' appears twice", q.id));
            }
            if q.scale[0] >= q.scale[1] || !q.scale.iter().all(|v| v.is_finite()) {
                return Err(format!(
                    "question '{}': scale must be [min, max] with min < max",
                    q.id
                ));
            }
        }
        if let Some(p) = self.accept_at
            && !(p > 0.0 && p < 1.0)
        {
            return Err(format!(
                "accept_at must be between 0 and 1 (exclusive), got {p}"
            ));
        }
        if !self.satisfaction_threshold.is_finite() {
            return Err("satisfaction_threshold must be a number".into());
        }
        match self.question(&self.overall_question) {
            Some(q) if q.kind == QuestionKind::Rating => Ok(()),
            Some(_) => Err(format!(
                "overall_question '{}' must be a rating question",
                self.overall_question
            )),
            None if self.questions.is_empty() => Ok(()),
            None => Err(format!(
                "overall_question '{}' is not among the questions",
                self.overall_question
            )),
        }
    }

    /// The question with this id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// The question with this id, or the one error every command gives for an id the config does
    /// not have (naming the ids it has), so `search -Q`, `export -Q` and `review -Q` agree.
    pub fn require_question(&self, id: &str) -> Result<&Question> {
        self.question(id).ok_or_else(|| {
            let known: Vec<&str> = self.questions.iter().map(|q| q.id.as_str()).collect();
            Error::invalid(format!(
                "unknown question '{id}': codifica.toml has {}",
                known.join(", ")
            ))
        })
    }

    /// The rating questions other than the overall one (the topics).
    pub fn topic_questions(&self) -> impl Iterator<Item = &Question> {
        self.questions
            .iter()
            .filter(|q| q.kind == QuestionKind::Rating && q.id != self.overall_question)
    }

    /// The questions whose answers are coded.
    pub fn coded_questions(&self) -> impl Iterator<Item = &Question> {
        self.questions.iter().filter(|q| q.is_coded())
    }

    /// The named wide mapping.
    pub fn mapping(&self, name: &str) -> Option<&WideMapping> {
        self.mappings.iter().find(|m| m.name == name)
    }
}

/// A named mapping (`[[mapping]]`, applied by `ingest::wide`) from a sheet's columns to answer fields and question ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WideMapping {
    /// Name used with `codifica import --mapping NAME`.
    pub name: String,
    /// Workbook sheet to read (default: the first; `--sheet` overrides it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Column holding the entity code.
    pub entity_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_kind: Option<String>,
    /// Column holding the month (any form `Month::parse_lenient` accepts, or a date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    /// A fixed month for every row, when the sheet has no month column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interview_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respondent_role: Option<String>,
    /// Column(s) completing the answer key when one entity answers a question several times;
    /// several columns are joined with `/`.
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub answer_id: Vec<String>,
    /// When true, a row whose key repeats an earlier row's gets `#2`, `#3`… appended to its
    /// answer id (in row order) instead of being refused as a duplicate. For exports whose rows
    /// have no identity of their own.
    #[serde(default, skip_serializing_if = "is_false")]
    pub number_repeats: bool,
    /// Wide layout — question columns: sheet column → question id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub questions: BTreeMap<String, String>,
    /// Wide layout — code columns: question id → sheet column holding its `;`-separated codes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub codes: BTreeMap<String, String>,
    /// Stacked layout — the column naming the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question_column: Option<String>,
    /// Stacked layout — the sheet's wording of each question → question id (matched trimmed,
    /// ignoring case and repeated spaces). A value not listed is taken as the id itself.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub question_values: BTreeMap<String, String>,
    /// Stacked layout — the column holding the answer text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_column: Option<String>,
    /// Stacked layout — the column holding the rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating_column: Option<String>,
    /// Stacked layout — the column holding the `;`-separated codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes_column: Option<String>,
    /// Other columns kept as attributes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    let line = e
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    let msg = e.message().to_string();
    match line {
        Some(l) => Error::file(path, format!("line {l}: {msg}")),
        None => Error::file(path, msg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_has_the_stable_question_ids() {
        let c = Config::monitoreo360();
        let ids: Vec<&str> = c.questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "calificacion_general",
                "calif_plan_indicativo",
                "calif_armonizacion",
                "calif_seguimiento_pdt",
                "articulacion_instrumentos",
                "necesidades_debilidades",
                "fortalecimiento_capacidades",
                "demanda_temas"
            ]
        );
        assert_eq!(c.satisfaction_threshold, 3.5);
        assert_eq!(c.topic_questions().count(), 3);
        assert_eq!(c.coded_questions().count(), 4);
    }

    #[test]
    fn round_trips_through_toml() {
        let c = Config::monitoreo360();
        let again = Config::parse(&c.to_toml(), Path::new("x.toml")).unwrap();
        assert_eq!(c, again);
    }

    #[test]
    fn bad_config_names_the_line() {
        let text =
            "survey = \"x\"\nquestions = [\n{ id = \"a\", text = \"t\", kind = \"weird\" }\n]\n";
        let err = Config::parse(text, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("c.toml") && err.contains("line 3"), "{err}");
    }

    #[test]
    fn unknown_analyzer_language_is_refused_naming_file_and_key() {
        let text = format!(
            "{}\n[analyzer]\nlanguage = \"fr\"\n",
            "survey = \"x\"\nquestions = []"
        );
        let err = Config::parse(&text, Path::new("ws/codifica.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("ws/codifica.toml"), "{err}");
        assert!(err.contains("language") && err.contains("\"fr\""), "{err}");
        let es = text.replace("\"fr\"", "\"es\"");
        assert!(Config::parse(&es, Path::new("c.toml")).is_ok());
    }

    #[test]
    fn non_numeric_flag_threshold_is_refused() {
        let text = "survey = \"x\"\nquestions = []\n[flags]\ntopic_drop = nan\n";
        let err = Config::parse(text, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("topic_drop"), "{err}");
        let off = text.replace("nan", "0.0");
        assert!(Config::parse(&off, Path::new("c.toml")).is_ok());
    }

    #[test]
    fn flag_rules_are_checked_into_the_valid_type() {
        let bad = FlagRules {
            overall_drop: f64::INFINITY,
            ..FlagRules::default()
        };
        assert_eq!(
            bad.check().unwrap_err(),
            "[flags] overall_drop must be a number (0 turns the rule off)"
        );
        let ok = FlagRules::default().check().unwrap();
        assert_eq!(*ok, FlagRules::default());
        assert_eq!(Config::monitoreo360().flags, ok);
    }

    #[test]
    fn duplicate_question_is_refused() {
        let text = "survey = \"x\"\novERALL = 1\n";
        assert!(Config::parse(text, Path::new("c.toml")).is_err());
        let text = "survey = \"x\"\noverall_question = \"a\"\n[[questions]]\nid = \"a\"\ntext = \"t\"\nkind = \"rating\"\n[[questions]]\nid = \"a\"\ntext = \"t\"\nkind = \"open\"\n";
        let err = Config::parse(text, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("appears twice"), "{err}");
    }
}
