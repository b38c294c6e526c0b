//! Use case: the built-in synthetic example as a workspace (`codifica demo`), so the whole job
//! can be shown with no set-up and no real data.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::demo::DemoData;
use crate::error::Result;
use crate::search::{SearchRequest, SearchResults, search};
use crate::store::Store;
use crate::workspace::Workspace;

/// The file the synthetic interviews are written to, in the workspace's folder.
pub const DATA_FILE: &str = "demo-datos-sinteticos.csv";

/// The searches the demo shows: one of each kind of query (OR, plain, phrase, prefix, NOT, fuzzy).
pub const QUERIES: [&str; 6] = [
    "conectividad OR internet",
    "planeacion",
    "\"seguimiento al PDT\"",
    "capacita*",
    "articulacion NOT dependencias",
    "rotacion~1",
];

/// Creates the demo workspace in `dir` (Monitoreo 360's config and built-in codebooks) and
/// writes the synthetic interviews of `seed` beside it, not yet imported. Returns the workspace
/// and the data file.
pub fn create(dir: &Path, seed: u64) -> Result<(Workspace, PathBuf)> {
    let ws = Workspace::init(dir, Config::monitoreo360_text(), false)?;
    crate::codebook::install_defaults(&ws)?;
    let path = ws.root().join(DATA_FILE);
    crate::fsutil::atomic_write(&path, DemoData::generate(seed).to_csv().as_bytes())?;
    Ok((ws, path))
}

/// Each of [`QUERIES`] with its first `limit` hits.
pub fn searches(ws: &Workspace, limit: usize) -> Result<Vec<(&'static str, SearchResults)>> {
    let store = Store::open(ws)?;
    let run = |q: &'static str| {
        let req = SearchRequest {
            limit,
            ..SearchRequest::new(q)
        };
        Ok((q, search(&store, &ws.config().analyzer, &req)?))
    };
    QUERIES.into_iter().map(run).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_workspace_holds_the_data_and_every_query_finds_answers() {
        let dir = tempfile::tempdir().unwrap();
        let (ws, path) = create(&dir.path().join("demo"), crate::demo::DEFAULT_SEED).unwrap();
        assert!(path.is_file() && path.starts_with(ws.root()));
        crate::app::import::import(&ws, &path, &Default::default()).unwrap();
        let found = searches(&ws, 2).unwrap();
        assert_eq!(found.len(), QUERIES.len());
        for (q, r) in &found {
            assert!(r.total > 0 && r.hits.len() <= 2, "{q}: {}", r.total);
        }
    }

    #[test]
    fn an_existing_workspace_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        create(dir.path(), 1).unwrap();
        assert!(create(dir.path(), 1).is_err());
    }
}
