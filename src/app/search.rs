//! Use case: search the workspace's answers (the CLI's `search`; the web's Buscar page builds
//! the same [`SearchRequest`]).

use crate::error::Result;
use crate::search::{SearchRequest, SearchResults};
use crate::store::Store;
use crate::workspace::Workspace;

/// Runs `req` over the workspace, with its analyzer. A question filter naming no question of
/// the config is refused (a typo would otherwise find nothing, silently).
pub fn search(ws: &Workspace, req: &SearchRequest) -> Result<SearchResults> {
    for q in &req.filters.questions {
        ws.config().require_question(q)?;
    }
    let store = Store::open(ws)?;
    crate::search::search(&store, &ws.config().analyzer, req)
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn unknown_questions_are_refused_by_name() {
        let config = Config::monitoreo360();
        assert!(config.require_question("demanda_temas").is_ok());
        let e = config.require_question("demanda").unwrap_err().to_string();
        assert!(e.starts_with("unknown question 'demanda'"), "{e}");
        assert!(e.contains("calificacion_general"), "{e}");
    }
}
