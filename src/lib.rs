//! # codifica
//!
//! Qualitative coding of Spanish interview answers, built for the monthly "Monitoreo 360"
//! perception survey of Colombia's DNP: import a month of interviews, search them, train a
//! classifier on the analysts' codes, classify the next month, flag the entities whose perception
//! worsens, and write the month's report.
//!
//! Data flows one way:
//!
//! ```text
//! ingest ──► analyze ──► store (tantivy index) ──► search
//!                 └────► features ──► model (train · evaluate · classify · review)
//! store ──► trends (series · flags) ──► report (HTML · XLSX · GeoJSON)
//! ```
//!
//! ```
//! use codifica::analyze::Analyzer;
//! let mut a = Analyzer::default();
//! assert_eq!(a.terms("La planeación de los municipios"), ["planeacion", "municipi"]);
//! ```
//!
//! ## The whole job, as a library
//!
//! Import a month of interviews into a workspace, train a classifier on the analysts' codes,
//! classify a new month, and flag the entities needing priority attention. The data are the
//! built-in demo's **synthetic** interviews (real municipalities, invented answers and ratings),
//! in a temporary folder. `codifica demo` runs the same job from the command line.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use codifica::analyze::Analyzer;
//! use codifica::answer::MachineCoding;
//! use codifica::config::Config;
//! use codifica::demo::{DEFAULT_SEED, DemoData, SYNTHETIC_NOTICE};
//! use codifica::app::import::import;
//! use codifica::ingest::ImportOptions;
//! use codifica::model::{Example, QuestionModel, TrainSettings};
//! use codifica::month::Month;
//! use codifica::store::{AnswerFilter, Store};
//! use codifica::trends::{flags_from_store, load_codebooks};
//! use codifica::workspace::Workspace;
//!
//! // A workspace: the Monitoreo 360 survey (codifica.toml) and its codebooks.
//! let dir = tempfile::tempdir()?;
//! let ws = Workspace::init(dir.path(), Config::monitoreo360_text(), false)?;
//! codifica::codebook::install_defaults(&ws)?;
//!
//! // Import: a long CSV of synthetic interviews, all or nothing.
//! assert!(SYNTHETIC_NOTICE.starts_with("Datos sintéticos"));
//! let csv = dir.path().join("datos-sinteticos.csv");
//! std::fs::write(&csv, DemoData::generate(DEFAULT_SEED).to_csv())?;
//! import(&ws, &csv, &ImportOptions::default())?;
//!
//! // Train: one question's classifier on the human codes of the months before November. The
//! // settings are checked once, into the only type training takes.
//! let question = "necesidades_debilidades";
//! let november = Month::parse("2020-11").ok_or("not a month")?;
//! let store = Store::open(&ws)?;
//! let filter = AnswerFilter { question: Some(question.into()), ..AnswerFilter::default() };
//! let answers = store.answers(&filter)?;
//! let examples: Vec<Example> = answers
//!     .iter()
//!     .filter(|a| a.month < november && !a.codes.is_empty())
//!     .map(|a| Example::new(a.text.as_str(), a.codes.clone()))
//!     .collect();
//! let settings = TrainSettings { cv_folds: 0, ..TrainSettings::default() }.check()?;
//! let mut analyzer = Analyzer::new(&ws.config().analyzer);
//! let model = QuestionModel::train(question, &mut analyzer, &examples, &settings)?;
//!
//! // Classify: November's answers get machine codes, kept apart from the human codes.
//! let mut scorer = model.scorer();
//! let codings: Vec<(String, MachineCoding)> = answers
//!     .iter()
//!     .filter(|a| a.month == november)
//!     .map(|a| {
//!         let p = scorer.predict(&mut analyzer, &a.text, 3);
//!         let coding = MachineCoding {
//!             codes: p.codes,
//!             confidence: p.confidence,
//!             margin: p.margin,
//!             model: question.into(),
//!             ..MachineCoding::default()
//!         };
//!         (a.key(), coding)
//!     })
//!     .collect();
//! {
//!     let _lock = ws.lock()?; // one writer at a time: another process gets `Error::Busy`
//!     assert_eq!(store.set_machine_codings(&codings)?, codings.len());
//! }
//!
//! // Flags: November's entities needing priority attention, most severe first, with reasons
//! // in Spanish (the report's language).
//! let flags = flags_from_store(&store, ws.config(), &load_codebooks(&ws)?, november)?;
//! assert!(flags.interviewed > 0 && !flags.flagged.is_empty());
//! let first = &flags.flagged[0];
//! assert!(!first.reasons.is_empty());
//! println!("{} ({}): {}", first.entity_name, first.severity, first.reasons[0].message);
//! # Ok(())
//! # }
//! ```
//!
//! ## Errors
//!
//! Every fallible call returns [`Error`] (the coding engine: [`error::EngineError`]). Both
//! tell an error the user can fix (a bad file with its row and column, a bad query with its
//! position, a bad value, something named that does not exist, a busy workspace, a missing
//! model or one to retrain) from an internal failure: [`Error::is_user_error`], which the
//! command line turns into exit code 1 or 3 and the web app into a 4xx or a 500.

pub mod analyze;
pub mod answer;
pub mod app;
pub mod autocode;
pub mod clock;
pub mod codebook;
pub mod config;
pub mod demo;
pub mod error;
pub mod escape;
pub mod features;
pub(crate) mod fsutil;
pub mod ingest;
pub mod model;
pub mod month;
pub mod qda;
pub mod report;
pub mod sample;
pub mod search;
pub mod store;
pub mod synth;
pub(crate) mod tabular;
pub mod themes;
pub mod trends;
pub mod web;
pub mod workspace;

pub use error::{Error, Result};
