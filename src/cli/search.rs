//! `codifica search QUERY`: finds answers by keyword (BM25), with filters, highlighted snippets
//! and facet counts. Options are validated into a [`SearchRequest`]; the work is done by
//! `codifica::app::search::search`, which the web app shares.

use codifica::search::{self, CountBy, SearchRequest};

use super::search_filters::FilterArgs;
use super::search_print::print_results;
use super::search_query::{QUERY_HELP, run_search};
use super::{Global, open_workspace};

/// Options of `codifica search`.
#[derive(Debug, clap::Args)]
#[command(after_help = QUERY_HELP)]
pub struct Args {
    /// The query; several arguments are joined with spaces. See the syntax below.
    #[arg(required = true, value_name = "QUERY")]
    query: Vec<String>,
    #[command(flatten)]
    filters: FilterArgs,
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

impl Args {
    fn request(&self) -> SearchRequest {
        SearchRequest {
            query: self.query.join(" "),
            filters: self.filters.filters(),
            limit: self.limit,
            offset: self.offset,
            count_by: self.count_by.clone(),
        }
    }
}

/// Runs `codifica search`. A query error is shown with a caret under the offending character.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = open_workspace(g)?;
    let req = args.request();
    let results = run_search(&ws, &req)?;
    print_results(&req, &results, args.json, g.quiet)
}
