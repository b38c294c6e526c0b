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

pub mod analyze;
pub mod answer;
pub mod app;
pub mod autocode;
pub mod codebook;
pub mod config;
pub mod demo;
pub mod error;
pub mod escape;
pub mod export;
pub mod features;
pub mod fsutil;
pub mod ingest;
pub mod model;
pub mod month;
pub mod qda;
pub mod report;
pub mod sample;
pub mod search;
pub mod store;
pub mod synth;
pub mod tabular;
pub mod themes;
pub mod trends;
pub mod web;
pub mod workspace;

pub use error::{Error, Result};
