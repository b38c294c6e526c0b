//! Fuzz target: a search query of any text through the parser and the compiler to tantivy
//! queries (boolean operators, phrases, prefixes, fuzzy terms, field filters), and the query caps
//! (issue 15): every accepted query stays within the length, term and prefix/fuzzy limits, and
//! every refusal points inside the query (or just past its end).
#![no_main]

use codifica::Error;
use codifica::search::query::{MAX_EXPANSIONS, MAX_QUERY_CHARS, MAX_TERMS, Node, parse};
use libfuzzer_sys::fuzz_target;

/// (words searched for, prefix and fuzzy words) in an accepted tree.
fn counts(node: &Node) -> (usize, usize) {
    match node {
        Node::Term { .. } => (1, 0),
        Node::Phrase { text, .. } => (text.split_whitespace().count(), 0),
        Node::Prefix { .. } | Node::Fuzzy { .. } => (1, 1),
        Node::Not(inner) => counts(inner),
        Node::And(items) | Node::Or(items) => items
            .iter()
            .map(counts)
            .fold((0, 0), |(a, b), (c, d)| (a + c, b + d)),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (_, fields) = codifica::store::schema();
    let settings = codifica::analyze::AnalyzerSettings::default();
    let chars = text.chars().count();
    match parse(text) {
        Ok(node) => {
            assert!(chars <= MAX_QUERY_CHARS, "a {chars}-character query was accepted");
            let (terms, expansions) = counts(&node);
            assert!(terms <= MAX_TERMS, "{terms} terms accepted");
            assert!(expansions <= MAX_EXPANSIONS, "{expansions} expansions accepted");
            let _ = codifica::search::compile::compile(&node, &fields, &settings);
        }
        Err(e @ (Error::Query { position, .. } | Error::QueryLimit { position, .. })) => {
            assert!(position >= 1 && position <= chars + 1, "{e} for {chars} characters");
            let _ = e.to_string();
        }
        Err(other) => panic!("not a query error: {other}"),
    }
});
