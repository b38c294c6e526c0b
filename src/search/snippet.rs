//! Stage: search. Highlighted snippets of a hit's text.
//!
//! In: the query's highlight plan and a hit's text. Out: the best fragment of the text with the
//! matching words marked. tantivy's `SnippetGenerator` picks the fragment on the stemmed `text`
//! field; prefix and fuzzy terms are matched on the folded words (`text_plain` chain), alone when
//! the query has nothing else, or added to the stemmed fragment. No match: the start of the text.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Serialize, Serializer};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use crate::analyze::Analyzer;
use crate::error::Result;
use crate::search::compile::Highlight;
use crate::store::Fields;

/// Longest fragment shown, in bytes of the text (as tantivy counts).
pub const SNIPPET_CHARS: usize = 180;

/// A fragment of a hit's text with the matching words marked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snippet {
    /// The fragment.
    pub fragment: String,
    /// Byte ranges of `fragment` to highlight, sorted and disjoint.
    pub highlights: Vec<Range<usize>>,
    /// The text goes on before the fragment.
    pub cut_before: bool,
    /// The text goes on after the fragment.
    pub cut_after: bool,
}

impl Snippet {
    /// The fragment with highlights wrapped in `open`/`close` and `…` where the text was cut.
    pub fn marked(&self, open: &str, close: &str) -> String {
        self.render(open, close, |s| s.to_string())
    }

    /// For a terminal: [`marked`](Snippet::marked) with the text's control characters shown as
    /// escapes ([`crate::escape::terminal`]), so only `open`/`close` reach the terminal raw.
    pub fn terminal(&self, open: &str, close: &str) -> String {
        self.render(open, close, |s| crate::escape::terminal(s).into_owned())
    }

    /// HTML: text escaped, highlights in `<b>…</b>`.
    pub fn html(&self) -> String {
        self.render("<b>", "</b>", html_escape)
    }

    fn render(&self, open: &str, close: &str, esc: impl Fn(&str) -> String) -> String {
        let mut out = String::with_capacity(self.fragment.len() + 16);
        if self.cut_before {
            out.push('…');
        }
        let mut at = 0;
        for r in &self.highlights {
            let (Some(before), Some(word)) =
                (self.fragment.get(at..r.start), self.fragment.get(r.clone()))
            else {
                continue;
            };
            out.push_str(&esc(before));
            out.push_str(open);
            out.push_str(&esc(word));
            out.push_str(close);
            at = r.end;
        }
        out.push_str(&esc(self.fragment.get(at..).unwrap_or("")));
        if self.cut_after {
            out.push('…');
        }
        out
    }
}

/// Serializes a snippet as its HTML form (for JSON output).
pub fn serialize_html<S: Serializer>(s: &Snippet, ser: S) -> std::result::Result<S::Ok, S::Error> {
    s.html().serialize(ser)
}

/// Escapes text for HTML (the crate's one rule).
pub use crate::escape::html as html_escape;

/// Builds snippets for the hits of one query.
pub(crate) struct Highlighter {
    stemmed: Option<SnippetGenerator>,
    prefixes: Vec<String>,
    fuzzy: Vec<(Vec<char>, u8)>,
    plain: TextAnalyzer,
    fields: Fields,
}

impl Highlighter {
    /// Prepares the stemmed-field generator (term weights from document frequencies).
    pub fn new(searcher: &Searcher, fields: &Fields, plan: &Highlight) -> Result<Highlighter> {
        let mut terms = BTreeMap::new();
        for stem in &plan.stems {
            let df = searcher.doc_freq(&Term::from_field_text(fields.text, stem))?;
            if df > 0 {
                terms.insert(stem.clone(), 1.0 / (1.0 + df as f32));
            }
        }
        let stemmed = if terms.is_empty() {
            None
        } else {
            let tokenizer = searcher.index().tokenizer_for_field(fields.text)?;
            Some(SnippetGenerator::new(
                terms,
                tokenizer,
                fields.text,
                SNIPPET_CHARS,
            ))
        };
        Ok(Highlighter {
            stemmed,
            prefixes: plan.prefixes.iter().cloned().collect(),
            fuzzy: plan
                .fuzzy
                .iter()
                .map(|(w, d)| (w.chars().collect(), *d))
                .collect(),
            plain: Analyzer::plain(),
            fields: *fields,
        })
    }

    fn has_plain(&self) -> bool {
        !self.prefixes.is_empty() || !self.fuzzy.is_empty()
    }

    fn plain_match(&self, word: &str) -> bool {
        if self.prefixes.iter().any(|p| word.starts_with(p.as_str())) {
            return true;
        }
        if self.fuzzy.is_empty() {
            return false;
        }
        let w: Vec<char> = word.chars().collect();
        self.fuzzy
            .iter()
            .any(|(f, d)| edit_distance(&w, f) <= *d as usize)
    }

    /// Byte ranges of `text` whose folded word matches a prefix or fuzzy term.
    fn plain_ranges(&self, text: &str) -> Vec<(Range<usize>, String)> {
        let mut out = Vec::new();
        let mut plain = self.plain.clone();
        let mut stream = plain.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            if self.plain_match(&t.text) {
                out.push((t.offset_from..t.offset_to, t.text.clone()));
            }
        }
        out
    }

    /// The snippet of `text`.
    pub fn snippet(&self, text: &str) -> Snippet {
        let mut best = self
            .stemmed
            .as_ref()
            .map(|g| g.snippet(text))
            .filter(|s| !s.fragment().is_empty());
        if best.is_none() && self.has_plain() {
            let terms: BTreeMap<String, f32> = self
                .plain_ranges(text)
                .into_iter()
                .map(|(_, w)| (w, 1.0))
                .collect();
            if !terms.is_empty() {
                let g = SnippetGenerator::new(
                    terms,
                    self.plain.clone(),
                    self.fields.text_plain,
                    SNIPPET_CHARS,
                );
                best = Some(g.snippet(text)).filter(|s| !s.fragment().is_empty());
            }
        }
        let Some(s) = best else {
            return lead(text);
        };
        let range = s.fragment_range();
        let mut highlights: Vec<Range<usize>> = s.highlighted().to_vec();
        if self.has_plain() {
            highlights.extend(self.plain_ranges(s.fragment()).into_iter().map(|(r, _)| r));
        }
        // Fragments end at a word: take back the punctuation around them when nothing else is
        // cut ("… asesoría." rather than "… asesoría…").
        let has_words = |t: &str| t.chars().any(char::is_alphanumeric);
        let mut start = range.start;
        if !has_words(&text[..start]) {
            start = text.len() - text.trim_start().len();
        }
        let mut end = range.end;
        if !has_words(&text[end..]) {
            end = text.trim_end().len();
        }
        let (mut start, end) = (start.min(range.start), end.max(range.end));
        // tantivy starts a fragment at the match when the text before it overflowed: give the
        // match back the context that still fits, from a word start.
        for (i, c) in text[..start].char_indices().rev() {
            if end - i > SNIPPET_CHARS {
                break;
            }
            if i == 0 {
                start = 0;
            } else if c.is_whitespace() {
                start = i + c.len_utf8();
            }
        }
        let shift = range.start - start;
        Snippet {
            fragment: text[start..end].to_string(),
            highlights: collapse(highlights)
                .into_iter()
                .map(|r| r.start + shift..r.end + shift)
                .collect(),
            cut_before: start > 0 && has_words(&text[..start]),
            cut_after: end < text.len() && has_words(&text[end..]),
        }
    }
}

/// The start of `text`, cut at a word boundary (no highlight).
fn lead(text: &str) -> Snippet {
    let text = text.trim();
    if text.len() <= SNIPPET_CHARS {
        return Snippet {
            fragment: text.to_string(),
            ..Snippet::default()
        };
    }
    let mut end = SNIPPET_CHARS;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if let Some(space) = text[..end].rfind(char::is_whitespace) {
        end = space;
    }
    Snippet {
        fragment: text[..end].trim_end().to_string(),
        highlights: Vec::new(),
        cut_before: false,
        cut_after: true,
    }
}

/// Sorts ranges and merges overlapping ones.
fn collapse(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start < last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Optimal-string-alignment distance (a transposition counts as one edit), as fuzzy queries use.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > 2 {
        return n.abs_diff(m);
    }
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance(&chars("asistencia"), &chars("asistensia")), 1);
        assert_eq!(edit_distance(&chars("planeacion"), &chars("planaecion")), 1);
        assert_eq!(edit_distance(&chars("abc"), &chars("abc")), 0);
        assert_eq!(edit_distance(&chars("a"), &chars("abcd")), 3);
    }

    #[test]
    fn rendering() {
        let word = 4..15;
        let s = Snippet {
            fragment: "la <planeación> & más".into(),
            highlights: vec![word],
            cut_before: true,
            cut_after: false,
        };
        assert_eq!(s.html(), "…la &lt;<b>planeación</b>&gt; &amp; más");
        assert_eq!(s.marked("«", "»"), "…la <«planeación»> & más");
    }

    #[test]
    fn lead_cuts_at_a_word() {
        let text = "palabra ".repeat(40);
        let s = lead(&text);
        assert!(s.fragment.len() <= SNIPPET_CHARS && s.cut_after);
        assert!(s.fragment.ends_with("palabra"));
        assert_eq!(lead("corto").fragment, "corto");
    }

    #[test]
    fn collapse_merges() {
        assert_eq!(collapse(vec![5..7, 0..2, 1..3]), vec![0..3, 5..7]);
    }
}
