//! `codifica search QUERY`: finds answers by keyword (BM25), with filters, highlighted snippets
//! and facet counts. Options are validated into a [`SearchRequest`]; the work is done by
//! `codifica::search::search`, which the web app shares.

use std::io::{IsTerminal, Write};

use anyhow::Context;
use codifica::Error;
use codifica::escape::terminal;
use codifica::month::Month;
use codifica::search::{
    self, CodeSource, CountBy, Facet, Filters, Hit, SearchRequest, SearchResults,
};

use super::{Global, open_workspace};

/// Options of `codifica search`.
#[derive(Debug, clap::Args)]
#[command(after_help = QUERY_HELP)]
pub struct Args {
    /// The query; several arguments are joined with spaces. See the syntax below.
    #[arg(required = true, value_name = "QUERY")]
    query: Vec<String>,
    /// Only answers of this month (YYYY-MM, or e.g. "julio 2020"); repeat for several months.
    #[arg(long, value_parser = Month::parse_arg)]
    month: Vec<Month>,
    /// Only answers from this month on (YYYY-MM, inclusive).
    #[arg(long, value_parser = Month::parse_arg)]
    from: Option<Month>,
    /// Only answers up to this month (YYYY-MM, inclusive).
    #[arg(long, value_parser = Month::parse_arg)]
    to: Option<Month>,
    /// Only answers to this question id; repeat for several.
    #[arg(long, short = 'Q')]
    question: Vec<String>,
    /// Only this entity: its code (e.g. 05001) or words of its name ("santa marta"); repeatable.
    #[arg(long)]
    entity: Vec<String>,
    /// Only this department (case and accents ignored); repeatable.
    #[arg(long)]
    department: Vec<String>,
    /// Only this region (case and accents ignored: "Pacifico" = "Pacífico"); repeatable.
    #[arg(long)]
    region: Vec<String>,
    /// Only answers with this code; repeatable (any of them).
    #[arg(long)]
    code: Vec<String>,
    /// Which codes --code looks at.
    #[arg(long, value_enum, default_value_t = Source::Any)]
    code_source: Source,
    /// Only answers rated at least this.
    #[arg(long)]
    min_rating: Option<f64>,
    /// Only answers rated at most this.
    #[arg(long)]
    max_rating: Option<f64>,
    /// Only answers an analyst has coded.
    #[arg(long, conflicts_with = "uncoded")]
    coded: bool,
    /// Only answers no analyst has coded yet.
    #[arg(long)]
    uncoded: bool,
    /// Hits to show (0: only the count and facets).
    #[arg(long, short = 'n', default_value_t = search::DEFAULT_LIMIT)]
    limit: usize,
    /// Hits to skip (for paging).
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Count all matches by month, question, region, department, code or machine_code
    /// (repeatable, or comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "FACET")]
    count_by: Vec<CountBy>,
    /// Print JSON Lines: one object per hit, then one per facet, then a last line
    /// {"total": matches, "shown": hits printed}.
    #[arg(long)]
    json: bool,
}

const QUERY_HELP: &str = "\
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

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Source {
    Human,
    Machine,
    Any,
}

impl Args {
    fn request(&self) -> SearchRequest {
        SearchRequest {
            query: self.query.join(" "),
            filters: Filters {
                months: self.month.clone(),
                from: self.from,
                to: self.to,
                questions: self.question.clone(),
                entities: self.entity.clone(),
                departments: self.department.clone(),
                regions: self.region.clone(),
                codes: self.code.clone(),
                code_source: match self.code_source {
                    Source::Human => CodeSource::Human,
                    Source::Machine => CodeSource::Machine,
                    Source::Any => CodeSource::Any,
                },
                min_rating: self.min_rating,
                max_rating: self.max_rating,
                coded: match (self.coded, self.uncoded) {
                    (true, _) => Some(true),
                    (_, true) => Some(false),
                    _ => None,
                },
            },
            limit: self.limit,
            offset: self.offset,
            count_by: self.count_by.clone(),
        }
    }
}

/// Runs `codifica search`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = open_workspace(g)?;
    let req = args.request();
    let results = run_search(&ws, &req)?;
    print_results(&req, &results, args.json, g.quiet)
}

/// The search, its query errors shown with a caret under the offending character.
fn run_search(
    ws: &codifica::workspace::Workspace,
    req: &SearchRequest,
) -> anyhow::Result<SearchResults> {
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

/// JSON Lines, or text with the matched words in bold (on a terminal) or «quoted».
fn print_results(
    req: &SearchRequest,
    results: &SearchResults,
    json: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    let out = std::io::stdout();
    let mut out = out.lock();
    if json {
        print_json(&mut out, results)?;
        if !quiet {
            eprintln!("{} matching answers", results.total);
        }
    } else {
        let (open, close) = if std::io::stdout().is_terminal() {
            ("\x1b[1m", "\x1b[0m")
        } else {
            ("«", "»")
        };
        print_text(&mut out, req, results, open, close)?;
    }
    Ok(())
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

fn print_json(out: &mut impl Write, r: &SearchResults) -> anyhow::Result<()> {
    for hit in &r.hits {
        writeln!(out, "{}", serde_json::to_string(hit)?)?;
    }
    for facet in &r.facets {
        let line =
            serde_json::json!({ "count_by": facet.by, "total": r.total, "counts": facet.counts });
        writeln!(out, "{line}")?;
    }
    let summary = serde_json::json!({ "total": r.total, "shown": r.hits.len() });
    writeln!(out, "{summary}")?;
    Ok(())
}

fn print_text(
    out: &mut impl Write,
    req: &SearchRequest,
    r: &SearchResults,
    open: &str,
    close: &str,
) -> anyhow::Result<()> {
    writeln!(out, "{}", summary_line(req, r))?;
    for (i, hit) in r.hits.iter().enumerate() {
        writeln!(out)?;
        print_hit(out, req.offset + i + 1, hit, open, close)?;
    }
    for facet in &r.facets {
        writeln!(out)?;
        print_facet(out, facet)?;
    }
    Ok(())
}

/// "3 answers match agua (showing 1–3)".
fn summary_line(req: &SearchRequest, r: &SearchResults) -> String {
    let shown = if r.hits.is_empty() {
        String::new()
    } else {
        format!(
            " (showing {}–{})",
            req.offset + 1,
            req.offset + r.hits.len()
        )
    };
    let noun = if r.total == 1 {
        "answer matches"
    } else {
        "answers match"
    };
    format!("{} {noun} {}{shown}", r.total, terminal(&req.query))
}

fn print_hit(
    out: &mut impl Write,
    n: usize,
    h: &Hit,
    open: &str,
    close: &str,
) -> anyhow::Result<()> {
    let mut head = format!(
        "{n:>3}. {} {} ({}, {}) · {} · {}",
        h.entity_code, h.entity_name, h.department, h.region, h.month, h.question
    );
    if let Some(r) = h.rating {
        head.push_str(&format!(" · rating {r}"));
    }
    if !h.codes.is_empty() {
        head.push_str(&format!(" · codes {}", h.codes.join(";")));
    }
    if !h.machine_codes.is_empty() {
        head.push_str(&format!(" · model {}", h.machine_codes.join(";")));
    }
    // Data is shown, never obeyed: an answer's escape sequences must not drive the terminal.
    writeln!(out, "{} · score {:.2}", terminal(&head), h.score)?;
    writeln!(out, "     {}", h.snippet.terminal(open, close))?;
    Ok(())
}

fn print_facet(out: &mut impl Write, f: &Facet) -> anyhow::Result<()> {
    writeln!(out, "by {}:", f.by)?;
    let values: Vec<_> = f.counts.iter().map(|c| terminal(&c.value)).collect();
    let width = values
        .iter()
        .map(|v| v.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    if f.counts.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for (c, value) in f.counts.iter().zip(&values) {
        let pad = width - value.chars().count();
        writeln!(out, "  {value}{} {:>7}", " ".repeat(pad), c.count)?;
    }
    Ok(())
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
