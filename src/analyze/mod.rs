//! Stage: analyze. THE Spanish analyzer: text in, search/feature terms out.
//!
//! One chain serves the tantivy index (registered as [`TOKENIZER`]) and the classifier's features
//! (through [`Analyzer::terms`]), so the index and the model never see different tokens:
//!
//! ```text
//! words (letters, digits, combining marks) → lowercase + NFC → fold accents (keep ñ) → stop words
//!   → restore the accent of a few suffixes → Snowball stem → fold again
//! ```
//!
//! The order is deliberate: people type the same word with and without its accents, in answers
//! and in the search box, and Snowball gives different stems to the two spellings of whole classes
//! of words ("alcaldía" → `alcald`, "alcaldia" → `alcaldi`). Folding first makes every later
//! step a function of the folded word, so an accent can never change a term. The few suffixes
//! whose removal Snowball only recognises with an accent and that matter for conflating singular
//! and plural ("-ción"/"-ciones", "-logía") get their accent back before stemming, for both
//! spellings alike. Negations and quantifiers ("no", "sin", "nada", "muy") are
//! kept (see `lexicons/es/stopwords.txt`): "no me sirvió" must not read like "me sirvió".
//! Domain acronyms (`lexicons/es/acronyms.txt`: PDT, KPT, SGR, CONPES…) are never stemmed.
//!
//! A second, lighter chain ([`PLAIN_TOKENIZER`]: lowercase + fold, no stop words, no stemming)
//! feeds the unstemmed copy of the text that prefix and fuzzy queries need.

pub mod filters;

use std::sync::{Arc, OnceLock};

use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use tantivy::tokenizer::{TextAnalyzer, Token};

use filters::{FoldAccents, Map, Normalize, Stem, StopWords, WordTokenizer};

/// Name under which the full chain is registered with tantivy.
pub const TOKENIZER: &str = "codifica_es";
/// Name under which the unstemmed chain is registered with tantivy.
pub const PLAIN_TOKENIZER: &str = "codifica_es_plain";
/// Version of the analyzer's code; bump it when a change alters the terms produced.
pub const ANALYZER_VERSION: u32 = 2;

const STOPWORDS: &str = include_str!("../../lexicons/es/stopwords.txt");
const ACRONYMS: &str = include_str!("../../lexicons/es/acronyms.txt");

/// The analyzer's language: a closed set, so a settings value always names a chain that exists
/// (`language = "fr"` used to build the Spanish chain silently). Read and written as its code
/// (`"es"`), in `codifica.toml` and in model files alike, so files written before this type
/// existed read the same.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Language {
    /// Spanish: Snowball Spanish stemmer, `lexicons/es/`.
    #[default]
    Es,
}

impl Language {
    /// Every language that has a chain (stop words, stemmer, lexicons).
    pub const ALL: &'static [Language] = &[Language::Es];

    /// The code written in settings files (`"es"`).
    pub fn code(self) -> &'static str {
        match self {
            Language::Es => "es",
        }
    }
}

/// Formats as the old `String` field did (`"es"`, quoted): [`AnalyzerSettings::fingerprint`]
/// hashes the settings' debug form, and a changed form would make every index and model stale.
impl std::fmt::Debug for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.code())
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Language {
    type Err = String;

    /// The message names the key and the value, as the config check did before this type.
    fn from_str(s: &str) -> std::result::Result<Language, String> {
        Language::ALL
            .iter()
            .copied()
            .find(|l| l.code() == s)
            .ok_or_else(|| {
                let known: Vec<String> = Language::ALL.iter().map(|l| format!("{:?}", l)).collect();
                format!(
                    "[analyzer] language = {s:?} is not supported; the only analyzer language is \
                     {} (Spanish)",
                    known.join(", ")
                )
            })
    }
}

impl Serialize for Language {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Language, D::Error> {
        let code = String::deserialize(d)?;
        code.parse().map_err(serde::de::Error::custom)
    }
}

/// The analyzer's settings: written into `codifica.toml` and into every trained model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnalyzerSettings {
    /// Language of the chain ([`Language`]: only Spanish exists today).
    pub language: Language,
    /// Remove the stop words of `lexicons/es/stopwords.txt`.
    pub stopwords: bool,
    /// Apply Snowball Spanish stemming.
    pub stem: bool,
    /// Fold accents (á→a, ü→u; ñ is kept).
    pub fold_accents: bool,
}

impl Default for AnalyzerSettings {
    fn default() -> Self {
        AnalyzerSettings {
            language: Language::Es,
            stopwords: true,
            stem: true,
            fold_accents: true,
        }
    }
}

impl AnalyzerSettings {
    /// A short hash of everything that decides the terms: these settings, the analyzer version
    /// and the lexicon files compiled in. Two analyzers with the same fingerprint produce the
    /// same terms; a model refuses to run under a different one.
    pub fn fingerprint(&self) -> String {
        let mut h = crc32fast::Hasher::new();
        h.update(format!("v{ANALYZER_VERSION}|{self:?}|").as_bytes());
        h.update(STOPWORDS.as_bytes());
        h.update(ACRONYMS.as_bytes());
        format!("es{ANALYZER_VERSION}-{:08x}", h.finalize())
    }
}

/// Lines of a lexicon file, without comments and blank lines.
pub(crate) fn lexicon_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn stopword_set() -> Arc<FxHashSet<String>> {
    static SET: OnceLock<Arc<FxHashSet<String>>> = OnceLock::new();
    SET.get_or_init(|| {
        let acronyms = acronym_set();
        let mut set = FxHashSet::default();
        // The accented form (for `fold_accents = false`) and the folded one: the default chain
        // folds before it looks words up, so "esta" and "está" share one decision.
        for w in lexicon_lines(STOPWORDS) {
            set.insert(w.to_string());
            set.insert(filters::fold(w));
        }
        set.retain(|w| !acronyms.contains(w));
        Arc::new(set)
    })
    .clone()
}

/// The domain acronyms kept verbatim (lowercase).
pub(crate) fn acronym_set() -> Arc<FxHashSet<String>> {
    static SET: OnceLock<Arc<FxHashSet<String>>> = OnceLock::new();
    SET.get_or_init(|| Arc::new(lexicon_lines(ACRONYMS).map(str::to_lowercase).collect()))
        .clone()
}

/// The Spanish analyzer. Cheap to clone (one per thread); `terms` needs `&mut self` because
/// tantivy's token streams reuse internal buffers.
#[derive(Clone)]
pub struct Analyzer {
    settings: AnalyzerSettings,
    chain: TextAnalyzer,
    plain: TextAnalyzer,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new(&AnalyzerSettings::default())
    }
}

impl Analyzer {
    /// Builds the chain for `settings`.
    pub fn new(settings: &AnalyzerSettings) -> Analyzer {
        let stop = settings.stopwords.then(|| StopWords {
            words: stopword_set(),
        });
        let stem = settings.stem.then(|| {
            Stem::new(
                Arc::new(rust_stemmers::Stemmer::create(
                    rust_stemmers::Algorithm::Spanish,
                )),
                acronym_set(),
            )
        });
        let fold = settings.fold_accents.then_some(FoldAccents);
        let chain = TextAnalyzer::builder(WordTokenizer::default())
            .filter(Map(Normalize))
            .filter(Map(fold.clone()))
            .filter(Map(stop))
            .filter(Map(stem))
            .filter(Map(fold))
            .build();
        Analyzer {
            settings: settings.clone(),
            chain,
            plain: Analyzer::plain(),
        }
    }

    /// The unstemmed chain (lowercase + fold, nothing removed) for prefix and fuzzy matching.
    pub fn plain() -> TextAnalyzer {
        TextAnalyzer::builder(WordTokenizer::default())
            .filter(Map(Normalize))
            .filter(Map(FoldAccents))
            .build()
    }

    /// The settings this analyzer was built with.
    pub fn settings(&self) -> &AnalyzerSettings {
        &self.settings
    }

    /// The tantivy analyzer, to register with an index's tokenizer manager.
    pub fn text_analyzer(&self) -> TextAnalyzer {
        self.chain.clone()
    }

    /// Calls `f` on every token (term, byte offsets, position) of `text`.
    pub fn for_each_token(&mut self, text: &str, mut f: impl FnMut(&Token)) {
        let mut stream = self.chain.token_stream(text);
        while stream.advance() {
            f(stream.token());
        }
    }

    /// Calls `f` on every surface word of `text` under the plain chain (lowercase, folded,
    /// nothing removed): the classifier's character n-grams read words as people typed them,
    /// stop words included, as the strongest plain baselines do.
    pub fn for_each_word(&mut self, text: &str, mut f: impl FnMut(&str)) {
        let mut stream = self.plain.token_stream(text);
        while stream.advance() {
            f(&stream.token().text);
        }
    }

    /// The terms of `text`, in order.
    pub fn terms(&mut self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_token(text, |t| out.push(t.text.clone()));
        out
    }

    /// Registers the full and the plain chain with a tantivy index. Custom tokenizers are not
    /// persisted by tantivy, so this must run after every `Index::open` / `Index::create`.
    pub fn register(&self, index: &tantivy::Index) {
        index.tokenizers().register(TOKENIZER, self.text_analyzer());
        index
            .tokenizers()
            .register(PLAIN_TOKENIZER, Analyzer::plain());
    }
}

/// Terms of `text` under the plain chain (folded words, nothing removed).
pub fn plain_terms(text: &str) -> Vec<String> {
    let mut chain = Analyzer::plain();
    let mut stream = chain.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

#[cfg(test)]
mod tests;
