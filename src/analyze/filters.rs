//! Stage: analyze. The token filters of the Spanish analyzer, each a small tantivy `TokenFilter`.
//!
//! Every filter rewrites one token's text in place (or drops the token), so all of them share one
//! generic adapter, [`Map`], around a [`TermMap`]. The chain is assembled in `super::Analyzer`.

use std::sync::Arc;

use rustc_hash::FxHashSet;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A per-token rewrite: change `term` in place, return `false` to drop the token.
pub trait TermMap: Clone + Send + Sync + 'static {
    fn map(&mut self, term: &mut String) -> bool;
}

/// A filter that a setting may switch off: `None` passes every token through. The chain keeps
/// one static type whatever the settings, so tokens cross no dynamic call per filter.
impl<M: TermMap> TermMap for Option<M> {
    fn map(&mut self, term: &mut String) -> bool {
        match self {
            Some(m) => m.map(term),
            None => true,
        }
    }
}

/// Adapts a [`TermMap`] into a tantivy [`TokenFilter`].
#[derive(Clone)]
pub struct Map<M>(pub M);

impl<M: TermMap> TokenFilter for Map<M> {
    type Tokenizer<T: Tokenizer> = MapTokenizer<T, M>;

    fn transform<T: Tokenizer>(self, inner: T) -> MapTokenizer<T, M> {
        MapTokenizer { inner, map: self.0 }
    }
}

/// The tokenizer produced by [`Map`].
#[derive(Clone)]
pub struct MapTokenizer<T, M> {
    inner: T,
    map: M,
}

impl<T: Tokenizer, M: TermMap> Tokenizer for MapTokenizer<T, M> {
    type TokenStream<'a> = MapStream<'a, T::TokenStream<'a>, M>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MapStream {
            tail: self.inner.token_stream(text),
            map: &mut self.map,
        }
    }
}

/// The token stream produced by [`Map`].
pub struct MapStream<'a, S, M> {
    tail: S,
    map: &'a mut M,
}

impl<S: TokenStream, M: TermMap> TokenStream for MapStream<'_, S, M> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            if self.map.map(&mut self.tail.token_mut().text) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Splits text into words: runs of letters, digits and combining marks.
///
/// Combining marks count as word characters so that text in decomposed form (NFD, as some macOS
/// exports write "planeacio\u{301}n") stays one word; [`Normalize`] then composes it.
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        WordStream {
            text,
            pos: 0,
            token: &mut self.token,
        }
    }
}

/// The token stream of [`WordTokenizer`].
pub struct WordStream<'a> {
    text: &'a str,
    pos: usize,
    token: &'a mut Token,
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        let rest = &self.text[self.pos..];
        let Some(start) = rest.find(is_word_char) else {
            self.pos = self.text.len();
            return false;
        };
        let from = self.pos + start;
        let len = self.text[from..]
            .find(|c: char| !is_word_char(c))
            .unwrap_or(self.text.len() - from);
        let to = from + len;
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = self.token.position.wrapping_add(1);
        self.pos = to;
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Lowercases and composes to NFC (so "á" typed as `a` + U+0301 equals the precomposed "á").
#[derive(Clone, Default)]
pub struct Normalize;

impl TermMap for Normalize {
    fn map(&mut self, term: &mut String) -> bool {
        if term.is_ascii() {
            term.make_ascii_lowercase();
        } else if term.chars().any(is_combining_mark) {
            let lower: String = term.nfc().flat_map(char::to_lowercase).collect();
            *term = lower;
        } else {
            // Already composed (the usual case): lowercase without the NFC state machine.
            let lower: String = term.chars().flat_map(char::to_lowercase).collect();
            *term = lower;
        }
        true
    }
}

/// Drops stop words, except protected acronyms. The set holds the folded form of each entry of
/// the accented list, and the chain folds before this filter, so "esta" and "está" are one word.
#[derive(Clone)]
pub struct StopWords {
    pub words: Arc<FxHashSet<String>>,
}

impl TermMap for StopWords {
    fn map(&mut self, term: &mut String) -> bool {
        !self.words.contains(term.as_str())
    }
}

/// Snowball Spanish stemming (rust-stemmers), leaving acronyms and numbers untouched and folding
/// an acronym's plural ("pdts") onto the acronym.
#[derive(Clone)]
pub struct Stem {
    pub stemmer: Arc<rust_stemmers::Stemmer>,
    pub acronyms: Arc<FxHashSet<String>>,
    /// Word → stem, per analyzer clone (one per thread). Answers reuse a small vocabulary, and
    /// Snowball costs more than the rest of the chain together, so batch classification keeps
    /// its throughput only with this memo. Bounded: cleared when it reaches [`STEM_CACHE_MAX`].
    pub cache: rustc_hash::FxHashMap<String, String>,
}

/// Largest number of memoised stems per analyzer clone.
pub const STEM_CACHE_MAX: usize = 200_000;

impl Stem {
    /// A stemmer filter with an empty memo.
    pub fn new(stemmer: Arc<rust_stemmers::Stemmer>, acronyms: Arc<FxHashSet<String>>) -> Stem {
        Stem {
            stemmer,
            acronyms,
            cache: rustc_hash::FxHashMap::default(),
        }
    }

    fn stem_word(&self, term: &str) -> String {
        let accented = restore_suffix_accent(term);
        self.stemmer
            .stem(accented.as_deref().unwrap_or(term))
            .into_owned()
    }
}

impl TermMap for Stem {
    fn map(&mut self, term: &mut String) -> bool {
        if self.acronyms.contains(term.as_str()) || term.chars().all(|c| c.is_ascii_digit()) {
            return true;
        }
        if let Some(singular) = term.strip_suffix('s')
            && self.acronyms.contains(singular)
        {
            term.pop();
            return true;
        }
        if let Some(stem) = self.cache.get(term.as_str()) {
            term.clone_from(stem);
            return true;
        }
        let stemmed = self.stem_word(term);
        if self.cache.len() >= STEM_CACHE_MAX {
            self.cache.clear();
        }
        self.cache
            .insert(std::mem::replace(term, stemmed.clone()), stemmed);
        true
    }
}

/// Unaccented endings that Snowball Spanish only recognises with their accent, mapped back to
/// it. The chain folds before stemming, so without this "articulación" (folded to
/// "articulacion") would keep its suffix while "articulaciones" loses it, and the singular would
/// miss the plural. Applied to the folded word, it treats both spellings alike.
const SUFFIX_ACCENTS: &[(&str, &str)] = &[
    ("cion", "ción"),
    ("sion", "sión"),
    ("xion", "xión"),
    ("logia", "logía"),
    ("logias", "logías"),
];

fn restore_suffix_accent(term: &str) -> Option<String> {
    SUFFIX_ACCENTS.iter().find_map(|(plain, accented)| {
        let stem = term.strip_suffix(plain)?;
        (stem.chars().count() >= 2).then(|| format!("{stem}{accented}"))
    })
}

/// Removes accents and diaeresis but keeps "ñ": "año" and "ano" are different words in Spanish,
/// while "planeación" and "planeacion" are the same word typed two ways.
#[derive(Clone, Default)]
pub struct FoldAccents;

impl TermMap for FoldAccents {
    fn map(&mut self, term: &mut String) -> bool {
        if !term.is_ascii() {
            *term = fold(term);
        }
        true
    }
}

/// Folds accents of one lowercase word, keeping "ñ" (see [`FoldAccents`]).
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match c {
            'á' | 'à' | 'ä' | 'â' => out.push('a'),
            'é' | 'è' | 'ë' | 'ê' => out.push('e'),
            'í' | 'ì' | 'ï' | 'î' => out.push('i'),
            'ó' | 'ò' | 'ö' | 'ô' => out.push('o'),
            'ú' | 'ù' | 'ü' | 'û' => out.push('u'),
            'ñ' | 'Ñ' => out.push(c),
            c if c.is_ascii() => out.push(c),
            // Rarer letters: decompose and drop the marks.
            c => out.extend(c.nfd().filter(|d| !is_combining_mark(*d))),
        }
    }
    out
}
