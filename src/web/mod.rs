//! Stage: web (a face on the library, no logic of its own). `codifica serve` runs a local web app
//! for the analysts, in Spanish, rendered on the server:
//!
//! - **Buscar** — [`crate::search`] with its filters, snippets and facets;
//! - **Codificar** — the review queue (least-sure answers first) and the coding form, which
//!   writes human codes through [`crate::store::Store::set_human_codes`];
//! - **Tablero** — the month from [`crate::report::ReportData`] and the report's SVG renderers;
//! - **Entidad** — one entity's series and flags from [`crate::trends`].
//!
//! In: an opened [`Workspace`](crate::workspace::Workspace) and [`ServeOptions`]. Out: HTTP
//! responses. Safety: loopback by default (Host header checked); beyond loopback an access token
//! is required; every POST carries a CSRF token tied to the session cookie; every text is
//! escaped by [`html::esc`]; no request names a file; saves are serialized, re-read the answer
//! first and refuse to overwrite a concurrent change; the workspace lock is held only while
//! writing, and a busy workspace gives a 503 page.

pub mod finder;
pub mod html;
mod pages;
pub mod security;
mod server;
pub mod state;

pub use security::Session;
pub use server::{DEFAULT_PORT, ServeOptions, Server, StopHandle};
