//! Use cases: one typed request in, one typed report out, shared by the CLI and the web app.

pub mod export;
pub mod flags;
pub mod search;
pub mod trends;
