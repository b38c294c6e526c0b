//! Stage: search. Turns a parsed [`Node`] into a tantivy query over the store's text fields.
//!
//! In: the AST and the workspace's analyzer settings. Out: a BM25-scored tantivy query plus what
//! to highlight. Words go through THE analyzer (the same chain that indexed `text`), so matching
//! is stem-aware and accent-insensitive; an exact-form clause on `text_plain` lifts answers that
//! use the very word typed (single words; phrases are matched on stems only). Prefix and fuzzy terms run on `text_plain` (folded, unstemmed).
//! Stop words are dropped; phrases keep the position gaps they leave.

use std::collections::BTreeSet;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RegexQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use crate::analyze::{Analyzer, AnalyzerSettings};
use crate::error::{Error, Result};
use crate::search::query::Node;
use crate::store::Fields;

/// Weight of the exact-form clause relative to the stemmed one.
const EXACT_BOOST: f32 = 0.5;

/// What a hit's snippet should highlight: the positive (non-negated) parts of the query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Highlight {
    /// Terms of the stemmed `text` field.
    pub stems: BTreeSet<String>,
    /// Folded prefixes (`planea*` → `planea`).
    pub prefixes: BTreeSet<String>,
    /// Folded fuzzy words and their edit distance.
    pub fuzzy: BTreeSet<(String, u8)>,
}

impl Highlight {
    /// True when only prefix or fuzzy terms are highlighted (nothing on the stemmed field).
    pub fn plain_only(&self) -> bool {
        self.stems.is_empty()
    }
}

/// A compiled query and its highlight plan.
pub(crate) struct Compiled {
    pub(crate) query: Box<dyn Query>,
    pub(crate) highlight: Highlight,
}

/// Compiles `node` for the store's `fields`, analysing words with `settings`.
pub(crate) fn compile(
    node: &Node,
    fields: &Fields,
    settings: &AnalyzerSettings,
) -> Result<Compiled> {
    let mut c = Compiler {
        fields,
        analyzer: Analyzer::new(settings),
        plain: Analyzer::plain(),
        highlight: Highlight::default(),
        dropped: Vec::new(),
    };
    match c.node(node, false)? {
        Some(query) => Ok(Compiled {
            query,
            highlight: c.highlight,
        }),
        None => Err(c.nothing_left()),
    }
}

struct Compiler<'a> {
    fields: &'a Fields,
    analyzer: Analyzer,
    plain: TextAnalyzer,
    highlight: Highlight,
    /// Words that analysed to nothing (stop words, punctuation), with their positions.
    dropped: Vec<(String, usize)>,
}

type Q = Box<dyn Query>;

fn qerr(position: usize, message: impl Into<String>) -> Error {
    Error::Query {
        position,
        message: message.into(),
    }
}

fn all_but(excluded: Q) -> Q {
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(AllQuery) as Q),
        (Occur::MustNot, excluded),
    ]))
}

impl Compiler<'_> {
    fn nothing_left(&self) -> Error {
        let words: Vec<String> = self.dropped.iter().map(|(w, _)| format!("'{w}'")).collect();
        let position = self.dropped.first().map_or(1, |(_, p)| *p);
        qerr(
            position,
            format!(
                "nothing to search: {} only stop words or punctuation, which are not indexed; \
                 add a content word",
                if words.is_empty() {
                    "the query has".to_string()
                } else {
                    format!(
                        "{} {}",
                        words.join(", "),
                        if words.len() == 1 { "is" } else { "are" }
                    )
                }
            ),
        )
    }

    /// Compiles a node; `None` when it analysed to nothing. `negated`: inside a NOT (not
    /// highlighted).
    fn node(&mut self, node: &Node, negated: bool) -> Result<Option<Q>> {
        match node {
            Node::Term { text, pos } => self.words(text, 0, *pos, negated),
            Node::Phrase { text, slop, pos } => self.words(text, *slop, *pos, negated),
            Node::Prefix { text, pos } => self.prefix(text, *pos, negated).map(Some),
            Node::Fuzzy {
                text,
                distance,
                pos,
            } => self.fuzzy(text, *distance, *pos, negated).map(Some),
            Node::Not(inner) => Ok(self.node(inner, !negated)?.map(all_but)),
            Node::And(items) => self.and(items, negated),
            Node::Or(items) => {
                let mut clauses = Vec::new();
                for item in items {
                    if let Some(q) = self.node(item, negated)? {
                        clauses.push((Occur::Should, q));
                    }
                }
                Ok(match clauses.len() {
                    0 => None,
                    1 => clauses.pop().map(|(_, q)| q),
                    _ => Some(Box::new(BooleanQuery::new(clauses))),
                })
            }
        }
    }

    fn and(&mut self, items: &[Node], negated: bool) -> Result<Option<Q>> {
        let mut clauses: Vec<(Occur, Q)> = Vec::new();
        for item in items {
            let (occur, q) = match item {
                Node::Not(inner) => (Occur::MustNot, self.node(inner, !negated)?),
                other => (Occur::Must, self.node(other, negated)?),
            };
            if let Some(q) = q {
                clauses.push((occur, q));
            }
        }
        if clauses.is_empty() {
            return Ok(None);
        }
        if !clauses.iter().any(|(o, _)| *o == Occur::Must) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        if clauses.len() == 1 {
            return Ok(clauses.pop().map(|(_, q)| q));
        }
        Ok(Some(Box::new(BooleanQuery::new(clauses))))
    }

    /// A word or phrase: stemmed match on `text` (required) and exact folded form on
    /// `text_plain` (optional, lifts the score).
    fn words(&mut self, text: &str, slop: u32, pos: usize, negated: bool) -> Result<Option<Q>> {
        let mut stemmed: Vec<(usize, String)> = Vec::new();
        self.analyzer
            .for_each_token(text, |t| stemmed.push((t.position, t.text.clone())));
        if stemmed.is_empty() {
            self.dropped.push((text.to_string(), pos));
            return Ok(None);
        }
        let plain = self.plain_tokens(text);
        if !negated {
            self.highlight
                .stems
                .extend(stemmed.iter().map(|(_, t)| t.clone()));
        }
        let main = sequence(self.fields.text, &stemmed, slop);
        // The exact-form boost is for single words only: on a phrase it would re-check the
        // positions of every stop word inside it (measured: 2× the latency at 1M answers), and
        // a phrase already asks for the words as typed.
        let [(_, exact)] = plain.as_slice() else {
            return Ok(Some(main));
        };
        let exact = Term::from_field_text(self.fields.text_plain, exact);
        let exact = TermQuery::new(exact, IndexRecordOption::WithFreqs);
        Ok(Some(Box::new(BooleanQuery::new(vec![
            (Occur::Must, main),
            (
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(exact), EXACT_BOOST)),
            ),
        ]))))
    }

    fn plain_tokens(&mut self, text: &str) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        let mut stream = self.plain.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            out.push((t.position, t.text.clone()));
        }
        out
    }

    /// The single folded word of a prefix or fuzzy term.
    fn one_word(&mut self, text: &str, pos: usize, what: &str) -> Result<String> {
        let mut words = self.plain_tokens(text);
        match words.len() {
            0 => Err(qerr(
                pos,
                format!("{what} '{text}' has no letters or digits"),
            )),
            1 => Ok(words.remove(0).1),
            _ => Err(qerr(pos, format!("{what} '{text}' must be a single word"))),
        }
    }

    fn prefix(&mut self, text: &str, pos: usize, negated: bool) -> Result<Q> {
        let word = self.one_word(text, pos, "prefix")?;
        let pattern = format!("{}.*", regex_escape(&word));
        let q = RegexQuery::from_pattern(&pattern, self.fields.text_plain)
            .map_err(|e| qerr(pos, format!("prefix '{text}*' cannot be searched: {e}")))?;
        if !negated {
            self.highlight.prefixes.insert(word);
        }
        Ok(Box::new(q))
    }

    fn fuzzy(&mut self, text: &str, distance: u8, pos: usize, negated: bool) -> Result<Q> {
        let word = self.one_word(text, pos, "fuzzy word")?;
        let term = Term::from_field_text(self.fields.text_plain, &word);
        if !negated {
            self.highlight.fuzzy.insert((word, distance));
        }
        let exact: Q = Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
        if distance == 0 {
            return Ok(exact);
        }
        Ok(Box::new(BooleanQuery::new(vec![
            (
                Occur::Should,
                Box::new(FuzzyTermQuery::new(term, distance, true)) as Q,
            ),
            (Occur::Should, exact),
        ])))
    }
}

/// One term, or a phrase keeping the analyzer's positions (and so the gaps stop words leave).
fn sequence(field: Field, tokens: &[(usize, String)], slop: u32) -> Q {
    match tokens {
        [(_, only)] => Box::new(TermQuery::new(
            Term::from_field_text(field, only),
            IndexRecordOption::WithFreqs,
        )),
        _ => {
            let first = tokens.first().map_or(0, |(p, _)| *p);
            let terms = tokens
                .iter()
                .map(|(p, t)| (p - first, Term::from_field_text(field, t)))
                .collect();
            Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop))
        }
    }
}

/// Escapes regex metacharacters (folded words are letters and digits, but be safe).
fn regex_escape(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;
    use crate::store::schema;

    fn compiled(q: &str) -> Result<Compiled> {
        let (_, fields) = schema();
        compile(&parse(q)?, &fields, &AnalyzerSettings::default())
    }

    #[test]
    fn highlight_collects_positive_parts_only() {
        let c = compiled("planeación asist* -municipios capacitasion~").unwrap();
        assert_eq!(c.highlight.stems.iter().collect::<Vec<_>>(), ["planeacion"]);
        assert_eq!(c.highlight.prefixes.iter().collect::<Vec<_>>(), ["asist"]);
        assert_eq!(
            c.highlight.fuzzy.iter().collect::<Vec<_>>(),
            [&("capacitasion".to_string(), 1)]
        );
    }

    #[test]
    fn stop_words_only_is_an_error() {
        match compiled("de la") {
            Err(Error::Query { position, message }) => {
                assert_eq!(position, 1);
                assert!(message.contains("stop words"), "{message}");
            }
            _ => panic!("expected a query error"),
        }
        // A stop word next to a content word is simply dropped.
        assert!(compiled("de planeación").is_ok());
        assert!(compiled("\"de la\" OR planeación").is_ok());
    }

    #[test]
    fn prefix_and_fuzzy_need_one_word() {
        assert!(matches!(
            compiled("plan-indic*"),
            Err(Error::Query { position: 1, .. })
        ));
        assert!(matches!(
            compiled("a ¿?~"),
            Err(Error::Query { position: 3, .. })
        ));
        assert!(compiled("ñandú*").is_ok());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_queries_compile_or_fail_cleanly(s in "\\PC{0,40}|([a-zñáé*~\"() -]|AND |OR |NOT ){0,16}") {
            let _ = compiled(&s);
        }
    }

    #[test]
    fn escape() {
        assert_eq!(regex_escape("a.b"), "a\\.b");
        assert_eq!(regex_escape("año"), "año");
    }
}
