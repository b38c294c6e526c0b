//! The query side of `codifica search`: the syntax shown in `--help`, and query errors shown
//! with a caret under the offending character.

use anyhow::Context;
use codifica::Error;
use codifica::search::{SearchRequest, SearchResults};
use codifica::workspace::Workspace;

/// The query syntax, shown after `codifica search --help`.
pub const QUERY_HELP: &str = "\
Query syntax:
  planeación territorial     both words (words are joined with AND: more words, fewer hits)
  agua OR acueducto          either word
  NOT vías, vías -rurales    exclude a word (a query starting with '-' needs `--` before it)
  (agua OR luz) rural        group with parentheses
  \"listas de espera\"         a phrase; \"plan desarrollo\"~2 allows 2 words in between
  planea*                    any word starting with planea (accents ignored)
  asistensia~  asistnecia~2  words within 1 (default) or 2 typing errors
Matching ignores case and accents and is stem-aware: asistencia also finds asistencias.
Keywords AND, OR, NOT are uppercase; error positions count characters from 1.
Limits: 1000 characters, 64 words, 8 prefix/fuzzy words per query (repeated words count once).";

/// The search, its query errors shown with a caret under the offending character.
pub fn run_search(ws: &Workspace, req: &SearchRequest) -> anyhow::Result<SearchResults> {
    Ok(match codifica::app::search::search(ws, req) {
        Ok(r) => r,
        Err(Error::Query { position, message }) => {
            anyhow::bail!("{}", query_error(&req.query, position, &message))
        }
        Err(Error::QueryLimit { position, limit }) => {
            anyhow::bail!("{}", query_error(&req.query, position, &limit.english()))
        }
        // A failing index is named as the search's; the workspace's own errors speak for
        // themselves.
        Err(e @ Error::Index(_)) => return Err(e).context("search failed"),
        Err(e) => return Err(e.into()),
    })
}

/// Characters of the query shown before the offending one (a long query is cut around it, so a
/// megabyte of query does not become two megabytes of error).
const CONTEXT_BEFORE: usize = 40;
/// Characters of the query shown after the offending one.
const CONTEXT_AFTER: usize = 20;

/// The error message, the query (cut around the problem when long) and a caret under the
/// offending character.
fn query_error(query: &str, position: usize, message: &str) -> String {
    let at = position.saturating_sub(1);
    let start = at.saturating_sub(CONTEXT_BEFORE);
    let chars: Vec<char> = query.chars().collect();
    let end = (at + CONTEXT_AFTER).min(chars.len());
    let lead = if start > 0 { "…" } else { "" };
    let tail = if end < chars.len() { "…" } else { "" };
    let shown: String = chars[start.min(end)..end].iter().collect();
    let caret = " ".repeat(at - start + lead.chars().count());
    format!("invalid query at position {position}: {message}\n  {lead}{shown}{tail}\n  {caret}^")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_points_at_the_position() {
        let m = query_error("a \"b", 3, "unclosed quote");
        assert!(m.ends_with("  a \"b\n    ^"), "{m:?}");
    }

    #[test]
    fn the_help_states_the_query_limits() {
        use codifica::search::query::{MAX_EXPANSIONS, MAX_QUERY_CHARS, MAX_TERMS};
        let limits = format!(
            "Limits: {MAX_QUERY_CHARS} characters, {MAX_TERMS} words, {MAX_EXPANSIONS} prefix/fuzzy"
        );
        assert!(QUERY_HELP.contains(&limits), "{QUERY_HELP}");
    }

    #[test]
    fn a_long_query_is_cut_around_the_position() {
        let q = "x ".repeat(600);
        let m = query_error(&q, 1001, "too long");
        assert!(m.len() < 200, "{m:?}");
        let lines: Vec<&str> = m.lines().collect();
        let caret = lines[2].chars().count() - 1;
        assert_eq!(lines[1].chars().nth(caret), Some('x'), "{m:?}");
    }
}
