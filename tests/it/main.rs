//! Every integration test of codifica, in one test binary with one module per area.
//!
//! One binary instead of one per file: each test binary links the whole dependency tree again
//! (tantivy, axum, calamine…), which made `cargo test` spend most of its time linking on a
//! 2-core machine. Run one area with `cargo test --test it search::` (a module path filter).
//! A new area is a new file in this folder plus its `mod` line below (DEVELOPERS.md, "Tests");
//! fixtures stay in `tests/fixtures/`, the bad-input corpus in `tests/bad_inputs/`. The one
//! exception is `tests/crash_safety.rs`, whose kill timings need a binary of their own.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;
#[path = "../fixtures/trends/helpers.rs"]
mod helpers;
#[path = "../common/webdriver.rs"]
mod webdriver;

mod app_import;
mod app_jobs;
mod app_review;
mod bad_inputs;
mod demo_data;
mod engine;
mod errors;
mod import;
mod layers;
mod period_report;
mod qda;
mod report;
mod rules;
mod search;
mod team_cli;
mod trends;
mod web;
mod web_browser;
mod web_import;
mod web_jobs;
mod web_month;
mod web_team;
