//! Stage: search. Finds answers by keyword: ranked (BM25), boolean, phrases, prefixes, fuzzy
//! words, structured filters, highlighted snippets and facet counts.
//!
//! In: a [`SearchRequest`] and the workspace's [`Store`]. Out: [`SearchResults`] — the total
//! number of matches, one page of [`Hit`]s and the requested [`Facet`]s. The CLI (`codifica
//! search`) and the web app both call [`search`].
//!
//! ```text
//! query string ─► query::parse ─► Node ─► compile (THE analyzer) ─┐
//! Filters ─────────────────────────────► filters::query ──────────┴► tantivy ─► hits + facets
//! ```

pub mod compile;
pub mod facets;
pub mod filters;
pub mod query;
pub mod snippet;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query};

use crate::analyze::AnalyzerSettings;
use crate::error::{Error, Result};
use crate::month::Month;
use crate::store::Store;

pub use facets::{CountBy, Facet, FacetCount};
pub use filters::{CodeSource, Filters};
pub use snippet::Snippet;

/// Hits per page when none is given.
pub const DEFAULT_LIMIT: usize = 10;
/// Largest page accepted (a bigger one is almost always a mistake, and costs memory).
pub const MAX_LIMIT: usize = 10_000;

/// What to search for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    /// The query, in the syntax of [`query`] (words, AND/OR/NOT, "phrases", prefix*, fuzzy~).
    pub query: String,
    /// Structured filters; they narrow the matches without changing scores.
    pub filters: Filters,
    /// Hits to return (0: only the total and the facets).
    pub limit: usize,
    /// Hits to skip, for paging.
    pub offset: usize,
    /// Facets to count over all matches.
    pub count_by: Vec<CountBy>,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            filters: Filters::default(),
            limit: DEFAULT_LIMIT,
            offset: 0,
            count_by: Vec::new(),
        }
    }
}

impl SearchRequest {
    /// A request for `query` with default paging and no filters.
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            ..SearchRequest::default()
        }
    }
}

/// One matching answer, with what is needed to show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// The answer's key (entity|month|question|answer_id).
    pub id: String,
    pub entity_code: String,
    pub entity_name: String,
    pub department: String,
    pub region: String,
    pub month: Month,
    pub question: String,
    /// The full answer text.
    pub answer: String,
    pub rating: Option<f64>,
    /// Human codes.
    pub codes: Vec<String>,
    /// Codes assigned by a model (empty if none).
    pub machine_codes: Vec<String>,
    /// BM25 score (higher is better).
    pub score: f32,
    /// The best fragment with matches highlighted (serialized as HTML with `<b>…</b>`).
    #[serde(serialize_with = "snippet::serialize_html")]
    pub snippet: Snippet,
}

/// The outcome of a search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// Matching answers in all (not just this page).
    pub total: usize,
    /// This page of hits, best first.
    pub hits: Vec<Hit>,
    /// The requested facet counts over all matches.
    pub facets: Vec<Facet>,
}

/// Parses and compiles `query` as [`search`] would, without an index: whether it is a valid
/// query under the query limits. (Tantivy's types stay inside `store` and `search`; a fuzzer or
/// a form validator needs only the verdict.)
pub fn check_query(query: &str, analyzer: &AnalyzerSettings) -> Result<()> {
    let (_, fields) = crate::store::schema();
    compile::compile(&query::parse(query)?, &fields, analyzer).map(|_| ())
}

/// Runs `req` against `store`. `analyzer` must be the workspace's analyzer settings (the ones
/// the index was built with, `ws.config().analyzer`).
pub fn search(
    store: &Store,
    analyzer: &AnalyzerSettings,
    req: &SearchRequest,
) -> Result<SearchResults> {
    check_limit(req)?;
    let fields = store.fields();
    let ast = query::parse(&req.query)?;
    let compiled = compile::compile(&ast, fields, analyzer)?;
    let query: Box<dyn Query> = match req.filters.query(fields)? {
        None => compiled.query,
        Some(filter) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, compiled.query),
            (Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))),
        ])),
    };
    let searcher = store.searcher()?;
    // The page, clamped to the index size: tantivy allocates room for offset + limit hits.
    let docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
    let end = req.offset.saturating_add(req.limit).min(docs);
    let top = (req.offset < end).then(|| TopDocs::for_doc_range(req.offset..end).order_by_score());
    let facet_collector =
        (!req.count_by.is_empty()).then(|| facets::FacetCollector::new(&req.count_by));
    let (top, total, facets) = searcher.search(&*query, &(top, Count, facet_collector))?;
    let highlighter = snippet::Highlighter::new(&searcher, fields, &compiled.highlight)?;
    let mut hits = Vec::new();
    for (score, addr) in top.unwrap_or_default() {
        let a = store.load(&searcher, addr)?;
        let snippet = highlighter.snippet(&a.text);
        hits.push(Hit::new(a, score, snippet));
    }
    Ok(SearchResults {
        total,
        hits,
        facets: facets.unwrap_or_default(),
    })
}

/// Filters only, no words: the answers `req.filters` select (all of them when it is empty),
/// newest month first, with the requested facets. `req.query` is ignored. Hits score 0 and their
/// snippet is the whole text, unhighlighted. This is how the web's Buscar page browses without a
/// query, through the same filters and facet counts as [`search`].
pub fn browse(store: &Store, req: &SearchRequest) -> Result<SearchResults> {
    check_limit(req)?;
    let query: Box<dyn Query> = req
        .filters
        .query(store.fields())?
        .unwrap_or_else(|| Box::new(AllQuery));
    let searcher = store.searcher()?;
    let docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
    let end = req.offset.saturating_add(req.limit).min(docs);
    let top = (req.offset < end).then(|| {
        TopDocs::for_doc_range(req.offset..end).order_by_u64_field("month", tantivy::Order::Desc)
    });
    let facet_collector =
        (!req.count_by.is_empty()).then(|| facets::FacetCollector::new(&req.count_by));
    let (top, total, facets) = searcher.search(&*query, &(top, Count, facet_collector))?;
    let mut hits = Vec::new();
    for (_, addr) in top.unwrap_or_default() {
        let a = store.load(&searcher, addr)?;
        let snippet = Snippet {
            fragment: a.text.clone(),
            ..Snippet::default()
        };
        hits.push(Hit::new(a, 0.0, snippet));
    }
    Ok(SearchResults {
        total,
        hits,
        facets: facets.unwrap_or_default(),
    })
}

fn check_limit(req: &SearchRequest) -> Result<()> {
    if req.limit > MAX_LIMIT {
        return Err(Error::argument(
            "--limit",
            format!("--limit {} is too large (at most {MAX_LIMIT})", req.limit),
        ));
    }
    Ok(())
}

impl Hit {
    fn new(a: crate::answer::Answer, score: f32, snippet: Snippet) -> Hit {
        Hit {
            id: a.key(),
            snippet,
            machine_codes: a.machine.map(|m| m.codes).unwrap_or_default(),
            entity_code: a.entity_code,
            entity_name: a.entity_name,
            department: a.department,
            region: a.region,
            month: a.month,
            question: a.question,
            answer: a.text,
            rating: a.rating,
            codes: a.codes,
            score,
        }
    }
}
