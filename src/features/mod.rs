//! Stage: features (analyze → **features** → model).
//!
//! In: the term sequences of the one Spanish analyzer ([`crate::analyze::Analyzer`]); out: sparse
//! TF-IDF rows (CSR, `sprs::CsMat<f32>`) wrapped in [`SparseRecords`], which implements linfa's
//! `Records` so the learners in [`crate::model`] plug into linfa's `Fit` / `Predict`.
//!
//! Features: stemmed word unigrams, bigrams over the analyzer's term sequence (stop words already
//! removed, so "no sirv" is a bigram), and optionally character n-grams of each folded term
//! padded with spaces (`" educ "` → `" ed"`, `"edu"`, …), like scikit-learn's `char_wb`.
//! Weights: sublinear tf (`1 + ln tf`), smooth idf (`ln((1+n)/(1+df)) + 1`), L2-normalised
//! rows. The vocabulary is sorted (unigrams, then bigrams, then char n-grams), so the same
//! training data always gives the same feature ids. A dense documents × vocabulary matrix is
//! never built.

use linfa::ParamGuard;
use linfa::dataset::Records;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use sprs::CsMatI;

use crate::error::{EngineError, EngineResult as Result};

/// Separates a document's analyzer terms from its surface words (see
/// [`TfidfSettings::word_chars`]). A control character: no analyzer chain ever emits it as a
/// term, so a document is one token sequence, `terms… WORDS_MARK words…`.
pub const WORDS_MARK: &str = "\u{1f}";

/// The name of a surface-word char n-gram feature: marked, so that it never shares a column with
/// the same n-gram of a stemmed term.
fn word_gram_key(gram: &str) -> String {
    let mut k = String::with_capacity(gram.len() + 1);
    k.push_str(WORDS_MARK);
    k.push_str(gram);
    k
}

/// TF-IDF settings (checked or not: see [`TfidfParams`] / [`TfidfValidParams`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TfidfSettings {
    /// Longest word n-gram: 1 (unigrams) or 2 (unigrams + bigrams).
    pub word_ngram_max: u8,
    /// Character n-gram lengths `(min, max)` inside each term, or `None` for no char n-grams.
    pub char_ngrams: Option<(u8, u8)>,
    /// Character n-gram lengths `(min, max)` of the document's surface words (folded, stop words
    /// kept, padded with spaces: scikit-learn's `char_wb`), or `None`. The surface words follow
    /// the terms in a document, after [`WORDS_MARK`]; they give no word features.
    pub word_chars: Option<(u8, u8)>,
    /// A feature must occur in at least this many training documents.
    pub min_df: u32,
    /// Use `1 + ln(tf)` instead of raw counts.
    pub sublinear_tf: bool,
}

impl Default for TfidfSettings {
    fn default() -> Self {
        TfidfSettings {
            word_ngram_max: 2,
            char_ngrams: None,
            word_chars: None,
            min_df: 1,
            sublinear_tf: true,
        }
    }
}

/// Checked TF-IDF settings: only [`ParamGuard::check`] on [`TfidfParams`] makes one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TfidfValidParams(TfidfSettings);

impl TfidfValidParams {
    /// The settings.
    pub fn params(&self) -> &TfidfSettings {
        &self.0
    }
}

/// Unchecked TF-IDF settings (linfa's `ParamGuard` pattern).
#[derive(Debug, Clone, PartialEq)]
pub struct TfidfParams(TfidfValidParams);

impl TfidfParams {
    /// Wraps settings for checking.
    pub fn new(settings: TfidfSettings) -> TfidfParams {
        TfidfParams(TfidfValidParams(settings))
    }
}

impl ParamGuard for TfidfParams {
    type Checked = TfidfValidParams;
    type Error = EngineError;

    fn check_ref(&self) -> Result<&TfidfValidParams> {
        let s = &self.0.0;
        if !(1..=2).contains(&s.word_ngram_max) {
            return Err(EngineError::InvalidParams(format!(
                "word n-grams must be 1 or 2, got {}",
                s.word_ngram_max
            )));
        }
        for (lo, hi) in [s.char_ngrams, s.word_chars].into_iter().flatten() {
            if lo == 0 || hi < lo || hi > 8 {
                return Err(EngineError::InvalidParams(format!(
                    "char n-gram range {lo}-{hi} must satisfy 1 <= min <= max <= 8"
                )));
            }
        }
        if s.min_df == 0 {
            return Err(EngineError::InvalidParams("min_df must be >= 1".into()));
        }
        Ok(&self.0)
    }

    fn check(self) -> Result<TfidfValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// A CSR matrix of feature rows: the records type of the engine's linfa datasets.
#[derive(Debug, Clone)]
pub struct SparseRecords(pub CsMatI<f32, u32, usize>);

impl Records for SparseRecords {
    type Elem = f32;

    fn nsamples(&self) -> usize {
        self.0.rows()
    }

    fn nfeatures(&self) -> usize {
        self.0.cols()
    }
}

impl SparseRecords {
    /// Builds a CSR matrix from rows of `(feature id, value)` sorted by id.
    pub fn from_rows(n_features: usize, rows: &[Vec<(u32, f32)>]) -> Result<SparseRecords> {
        let mut b = CsrBuilder::new(n_features);
        for r in rows {
            b.push_row(r);
        }
        b.finish()
    }

    /// Row `i` as parallel slices of feature ids and values.
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let ip = self.0.indptr();
        let ip = ip.raw_storage();
        let (a, b) = (ip[i], ip[i + 1]);
        (&self.0.indices()[a..b], &self.0.data()[a..b])
    }

    /// The rows in `idx`, in that order (for cross-validation folds).
    pub fn select(&self, idx: &[usize]) -> Result<SparseRecords> {
        let mut b = CsrBuilder::new(self.0.cols());
        let mut buf = Vec::new();
        for &i in idx {
            let (ids, vals) = self.row(i);
            buf.clear();
            buf.extend(ids.iter().zip(vals).map(|(&j, &v)| (j, v)));
            b.push_row(&buf);
        }
        b.finish()
    }
}

/// Incremental CSR construction (rows must have sorted, distinct ids).
#[derive(Debug)]
pub struct CsrBuilder {
    cols: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<f32>,
}

impl CsrBuilder {
    /// An empty matrix with `cols` columns.
    pub fn new(cols: usize) -> CsrBuilder {
        CsrBuilder {
            cols,
            indptr: vec![0],
            indices: Vec::new(),
            data: Vec::new(),
        }
    }

    /// Appends one row.
    pub fn push_row(&mut self, row: &[(u32, f32)]) {
        for &(j, v) in row {
            self.indices.push(j);
            self.data.push(v);
        }
        self.indptr.push(self.indices.len());
    }

    /// The finished matrix.
    pub fn finish(self) -> Result<SparseRecords> {
        let rows = self.indptr.len() - 1;
        CsMatI::try_new((rows, self.cols), self.indptr, self.indices, self.data)
            .map(SparseRecords)
            .map_err(|(_, _, _, e)| EngineError::Shape(format!("invalid sparse rows: {e}")))
    }
}

/// The fitted vectorizer: vocabulary (feature names in id order) and IDF.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "VectorizerData", into = "VectorizerData")]
pub struct TfidfVectorizer {
    data: VectorizerData,
    /// Known term → its unigram id and the range of its char n-gram ids in `term_grams`
    /// (precomputed, so a known term costs one lookup however many n-grams it has).
    unigrams: FxHashMap<String, TermEntry>,
    term_grams: Vec<u32>,
    bigrams: FxHashMap<u64, u32>,
    chars: FxHashMap<String, u32>,
}

/// Lookup entry of a vocabulary term.
#[derive(Debug, Clone, Copy)]
struct TermEntry {
    id: u32,
    grams_start: u32,
    grams_len: u32,
}

/// What is stored of a vectorizer; the lookup tables are rebuilt on load.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VectorizerData {
    params: TfidfSettings,
    n_unigrams: u32,
    n_bigrams: u32,
    names: Vec<String>,
    idf: Vec<f32>,
}

impl From<TfidfVectorizer> for VectorizerData {
    fn from(v: TfidfVectorizer) -> Self {
        v.data
    }
}

impl TryFrom<VectorizerData> for TfidfVectorizer {
    type Error = String;

    fn try_from(data: VectorizerData) -> Result<Self, String> {
        let (nu, nb) = (data.n_unigrams as usize, data.n_bigrams as usize);
        if data.names.len() != data.idf.len() || nu + nb > data.names.len() {
            return Err("vocabulary and IDF sizes disagree".into());
        }
        let chars: FxHashMap<String, u32> = data.names[nu + nb..]
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), (nu + nb + i) as u32))
            .collect();
        let mut term_grams = Vec::new();
        let mut unigrams: FxHashMap<String, TermEntry> = FxHashMap::default();
        let mut cbuf = CharBuf::default();
        for (i, n) in data.names[..nu].iter().enumerate() {
            let start = term_grams.len();
            if let Some((lo, hi)) = data.params.char_ngrams {
                for_each_char_ngram(n, lo, hi, &mut cbuf, |g| {
                    if let Some(&c) = chars.get(g) {
                        term_grams.push(c);
                    }
                });
            }
            let entry = TermEntry {
                id: i as u32,
                grams_start: start as u32,
                grams_len: (term_grams.len() - start) as u32,
            };
            unigrams.insert(n.clone(), entry);
        }
        let mut bigrams = FxHashMap::default();
        for (k, name) in data.names[nu..nu + nb].iter().enumerate() {
            let (a, b) = name
                .split_once(' ')
                .and_then(|(a, b)| Some((unigrams.get(a)?.id, unigrams.get(b)?.id)))
                .ok_or_else(|| format!("bigram {name:?} has no unigrams"))?;
            bigrams.insert(pair(a, b), (nu + k) as u32);
        }
        Ok(TfidfVectorizer {
            data,
            unigrams,
            term_grams,
            bigrams,
            chars,
        })
    }
}

fn pair(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// Document frequencies while fitting: (df, last document that counted).
type Df = (u32, u32);

fn bump(entry: &mut Df, doc: u32) {
    if entry.1 != doc {
        entry.0 += 1;
        entry.1 = doc;
    }
}

/// Calls `f` on every char n-gram (lengths `lo..=hi`) of `term` padded with spaces.
fn for_each_char_ngram(term: &str, lo: u8, hi: u8, buf: &mut CharBuf, mut f: impl FnMut(&str)) {
    buf.text.clear();
    buf.text.push(' ');
    buf.text.push_str(term);
    buf.text.push(' ');
    buf.bounds.clear();
    buf.bounds.extend(buf.text.char_indices().map(|(i, _)| i));
    buf.bounds.push(buf.text.len());
    let nchars = buf.bounds.len() - 1;
    for n in lo as usize..=hi as usize {
        if n > nchars {
            break;
        }
        for s in 0..=nchars - n {
            f(&buf.text[buf.bounds[s]..buf.bounds[s + n]]);
        }
    }
}

/// Reusable buffers for char n-grams.
#[derive(Debug, Default, Clone)]
struct CharBuf {
    text: String,
    bounds: Vec<usize>,
}

impl TfidfVectorizer {
    /// Learns vocabulary and IDF from the training documents (each a term sequence: a
    /// `Vec<String>`, a borrowed `&[String]`, …).
    pub fn fit<D: AsRef<[S]>, S: AsRef<str>>(
        params: &TfidfValidParams,
        docs: &[D],
    ) -> Result<Self> {
        let p = params.params();
        let mut uni: FxHashMap<&str, Df> = FxHashMap::default();
        let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
        let mut tmp_names: Vec<&str> = Vec::new();
        let mut bi: FxHashMap<u64, Df> = FxHashMap::default();
        let mut chars: FxHashMap<String, Df> = FxHashMap::default();
        let mut cbuf = CharBuf::default();
        for (d, doc) in docs.iter().enumerate() {
            let d = d as u32 + 1;
            let mut prev: Option<u32> = None;
            let mut in_words = false;
            for t in doc.as_ref() {
                let t = t.as_ref();
                if t == WORDS_MARK {
                    in_words = true;
                    continue;
                }
                if in_words {
                    if let Some((lo, hi)) = p.word_chars {
                        for_each_char_ngram(t, lo, hi, &mut cbuf, |g| {
                            bump(chars.entry(word_gram_key(g)).or_insert((0, 0)), d)
                        });
                    }
                    continue;
                }
                bump(uni.entry(t).or_insert((0, 0)), d);
                let next = tmp_names.len() as u32;
                let id = *ids.entry(t).or_insert(next);
                if id == next {
                    tmp_names.push(t);
                }
                if p.word_ngram_max >= 2
                    && let Some(a) = prev
                {
                    bump(bi.entry(pair(a, id)).or_insert((0, 0)), d);
                }
                prev = Some(id);
                if let Some((lo, hi)) = p.char_ngrams {
                    for_each_char_ngram(t, lo, hi, &mut cbuf, |g| match chars.get_mut(g) {
                        Some(e) => bump(e, d),
                        None => {
                            chars.insert(g.to_string(), (1, d));
                        }
                    });
                }
            }
        }
        let n = docs.len() as f64;
        let keep = |df: u32| df >= p.min_df;
        let mut u: Vec<(String, u32)> = uni
            .iter()
            .filter(|(_, e)| keep(e.0))
            .map(|(t, e)| (t.to_string(), e.0))
            .collect();
        u.sort();
        let mut b: Vec<(String, u32)> = bi
            .iter()
            .filter(|(_, e)| keep(e.0))
            .map(|(k, e)| {
                let (a, c) = ((k >> 32) as usize, (k & 0xffff_ffff) as usize);
                (format!("{} {}", tmp_names[a], tmp_names[c]), e.0)
            })
            .collect();
        b.sort();
        let mut c: Vec<(String, u32)> = chars
            .into_iter()
            .filter(|(_, e)| keep(e.0))
            .map(|(g, e)| (g, e.0))
            .collect();
        c.sort();
        let (n_unigrams, n_bigrams) = (u.len() as u32, b.len() as u32);
        let mut names = Vec::with_capacity(u.len() + b.len() + c.len());
        let mut idf = Vec::with_capacity(names.capacity());
        for (name, df) in u.into_iter().chain(b).chain(c) {
            names.push(name);
            idf.push((((1.0 + n) / (1.0 + f64::from(df))).ln() + 1.0) as f32);
        }
        TfidfVectorizer::try_from(VectorizerData {
            params: p.clone(),
            n_unigrams,
            n_bigrams,
            names,
            idf,
        })
        .map_err(EngineError::Data)
    }

    /// Number of features (columns).
    pub fn n_features(&self) -> usize {
        self.data.names.len()
    }

    /// The settings it was fitted with.
    pub fn params(&self) -> &TfidfSettings {
        &self.data.params
    }

    /// Readable name of a feature (a stem, "stem stem", or a char n-gram).
    pub fn feature_name(&self, id: usize) -> &str {
        self.data.names.get(id).map(String::as_str).unwrap_or("?")
    }

    /// Word features (unigrams, bigrams) are shown to analysts; char n-grams are not.
    pub fn is_word_feature(&self, id: usize) -> bool {
        id < (self.data.n_unigrams + self.data.n_bigrams) as usize
    }

    /// A fresh encoder (reusable per-document buffers) for this vectorizer.
    pub fn encoder(&self) -> Encoder<'_> {
        Encoder {
            vec: self,
            prev: None,
            counts: Vec::new(),
            touched: Vec::with_capacity(256),
            cbuf: CharBuf::default(),
            unknown: FxHashMap::default(),
            in_words: false,
            words: FxHashMap::default(),
            seen: 0,
            known: 0,
            last: (0, 0),
        }
    }

    /// TF-IDF rows of many documents.
    pub fn transform<D: AsRef<[S]>, S: AsRef<str>>(&self, docs: &[D]) -> Result<SparseRecords> {
        let mut enc = self.encoder();
        let mut b = CsrBuilder::new(self.n_features());
        let mut row = Vec::new();
        for doc in docs {
            for t in doc.as_ref() {
                enc.push(t.as_ref());
            }
            enc.finish(&mut row);
            row.sort_unstable_by_key(|e| e.0);
            b.push_row(&row);
        }
        b.finish()
    }
}

/// Turns one document's terms, pushed one at a time, into a TF-IDF row without allocating:
/// term frequencies accumulate in a dense per-encoder array (touched ids listed), so no sort
/// is needed on the classification path.
#[derive(Debug)]
pub struct Encoder<'a> {
    vec: &'a TfidfVectorizer,
    prev: Option<u32>,
    counts: Vec<u16>,
    touched: Vec<u32>,
    cbuf: CharBuf,
    /// Char n-gram ids of terms outside the vocabulary, memoised: new months repeat their
    /// unknown words, and generating and looking up every n-gram again dominated batch time.
    unknown: FxHashMap<String, Vec<u32>>,
    /// Past [`WORDS_MARK`] in the current document: tokens are surface words.
    in_words: bool,
    /// Surface word → its char n-gram ids, memoised for the same reason as `unknown`.
    words: FxHashMap<String, Vec<u32>>,
    /// Terms pushed in the current document, and how many of them the vocabulary knows.
    seen: u32,
    known: u32,
    /// The same two counts for the last finished document.
    last: (u32, u32),
}

/// Counts one occurrence of feature `id` in the current document.
#[inline]
fn hit(counts: &mut [u16], touched: &mut Vec<u32>, id: u32) {
    let c = &mut counts[id as usize];
    if *c == 0 {
        touched.push(id);
    }
    *c = c.saturating_add(1);
}

/// Largest number of memoised unknown terms per encoder.
const UNKNOWN_MEMO_MAX: usize = 100_000;

impl Encoder<'_> {
    #[inline]
    fn hit(&mut self, id: u32) {
        hit(&mut self.counts, &mut self.touched, id);
    }

    /// Adds the next term of the current document (or [`WORDS_MARK`], then a surface word).
    pub fn push(&mut self, term: &str) {
        let v = self.vec;
        if self.counts.len() != v.n_features() {
            self.counts = vec![0; v.n_features()];
        }
        if term == WORDS_MARK {
            self.in_words = true;
            self.prev = None;
            return;
        }
        if self.in_words {
            self.push_word(term);
            return;
        }
        self.seen += 1;
        match v.unigrams.get(term) {
            Some(e) => {
                self.known += 1;
                self.hit(e.id);
                if let Some(a) = self.prev
                    && let Some(&bid) = v.bigrams.get(&pair(a, e.id))
                {
                    self.hit(bid);
                }
                self.prev = Some(e.id);
                let (s, n) = (e.grams_start as usize, e.grams_len as usize);
                for &g in &v.term_grams[s..s + n] {
                    self.hit(g);
                }
            }
            None => {
                self.prev = None;
                if let Some((lo, hi)) = v.data.params.char_ngrams {
                    if !self.unknown.contains_key(term) {
                        let ids = self.unknown_grams(term, lo, hi);
                        if self.unknown.len() >= UNKNOWN_MEMO_MAX {
                            self.unknown.clear();
                        }
                        self.unknown.insert(term.to_string(), ids);
                    }
                    let Encoder {
                        unknown,
                        counts,
                        touched,
                        ..
                    } = self;
                    for &g in unknown.get(term).map_or(&[][..], Vec::as_slice) {
                        hit(counts, touched, g);
                    }
                }
            }
        }
    }

    /// The last finished document's analyzer terms, and how many of them were in the
    /// vocabulary (answers made of unknown words are the ones a model gets wrong).
    pub fn last_stats(&self) -> (u32, u32) {
        self.last
    }

    /// Counts the char n-grams of one surface word.
    fn push_word(&mut self, word: &str) {
        let Some((lo, hi)) = self.vec.data.params.word_chars else {
            return;
        };
        if !self.words.contains_key(word) {
            let v = self.vec;
            let mut ids = Vec::new();
            for_each_char_ngram(word, lo, hi, &mut self.cbuf, |g| {
                if let Some(&cid) = v.chars.get(&word_gram_key(g)) {
                    ids.push(cid);
                }
            });
            if self.words.len() >= UNKNOWN_MEMO_MAX {
                self.words.clear();
            }
            self.words.insert(word.to_string(), ids);
        }
        let Encoder {
            words,
            counts,
            touched,
            ..
        } = self;
        for &g in words.get(word).map_or(&[][..], Vec::as_slice) {
            hit(counts, touched, g);
        }
    }

    fn unknown_grams(&mut self, term: &str, lo: u8, hi: u8) -> Vec<u32> {
        let v = self.vec;
        let mut ids = Vec::new();
        for_each_char_ngram(term, lo, hi, &mut self.cbuf, |g| {
            if let Some(&cid) = v.chars.get(g) {
                ids.push(cid);
            }
        });
        ids
    }

    /// Ends the document: writes its L2-normalised TF-IDF row into `row`, in first-seen order
    /// (sort it by id for a CSR matrix).
    pub fn finish(&mut self, row: &mut Vec<(u32, f32)>) {
        row.clear();
        self.prev = None;
        self.in_words = false;
        self.last = (self.seen, self.known);
        (self.seen, self.known) = (0, 0);
        let sub = self.vec.data.params.sublinear_tf;
        let idf = &self.vec.data.idf;
        let mut norm = 0f32;
        for &id in &self.touched {
            let c = &mut self.counts[id as usize];
            let tf = f32::from(*c);
            *c = 0;
            let w = if sub { 1.0 + tf.ln() } else { tf } * idf[id as usize];
            norm += w * w;
            row.push((id, w));
        }
        self.touched.clear();
        if norm > 0.0 {
            let inv = 1.0 / norm.sqrt();
            for e in row.iter_mut() {
                e.1 *= inv;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(texts: &[&str]) -> Vec<Vec<String>> {
        texts
            .iter()
            .map(|t| t.split_whitespace().map(String::from).collect())
            .collect()
    }

    fn params(p: TfidfSettings) -> TfidfValidParams {
        TfidfParams::new(p).check().expect("valid")
    }

    #[test]
    fn vocabulary_is_sorted_and_min_df_applies() {
        let d = docs(&["b a", "a b c", "a d"]);
        let v = TfidfVectorizer::fit(
            &params(TfidfSettings {
                min_df: 2,
                ..Default::default()
            }),
            &d,
        )
        .unwrap();
        // unigrams a (df 3), b (df 2); bigram "b a" df 1, "a b" df 1 → dropped
        assert_eq!(v.data.names, vec!["a", "b"]);
        assert!(v.is_word_feature(1));
    }

    #[test]
    fn tfidf_matches_scikit_learn_reference() {
        // Reference: scikit-learn 1.x (peers venv) TfidfVectorizer(sublinear_tf=True,
        // token_pattern=r'\S+').fit_transform(["a a b", "b c"]) → row 0 = [0.92190697,
        // 0.38741133, 0], row 1 = [0, 0.57973867, 0.81480247].
        let d = docs(&["a a b", "b c"]);
        let v = TfidfVectorizer::fit(
            &params(TfidfSettings {
                word_ngram_max: 1,
                ..Default::default()
            }),
            &d,
        )
        .unwrap();
        let x = v.transform(&d).unwrap();
        let (ids, vals) = x.row(0);
        assert_eq!(ids, &[0u32, 1]);
        assert!((vals[0] - 0.921_907).abs() < 1e-5, "{vals:?}");
        assert!((vals[1] - 0.387_411).abs() < 1e-5, "{vals:?}");
        let r1 = x.row(1).1;
        assert!((r1[0] - 0.579_739).abs() < 1e-5 && (r1[1] - 0.814_802).abs() < 1e-5);
    }

    #[test]
    fn bigrams_and_char_ngrams_are_found_at_transform() {
        let d = docs(&["no sirv", "no sirv nad"]);
        let v = TfidfVectorizer::fit(
            &params(TfidfSettings {
                char_ngrams: Some((3, 3)),
                ..Default::default()
            }),
            &d,
        )
        .unwrap();
        let names: Vec<&str> = (0..v.n_features()).map(|i| v.feature_name(i)).collect();
        assert!(names.contains(&"no sirv"));
        assert!(names.contains(&" no"));
        let x = v.transform(&docs(&["no sirv", "zzz"])).unwrap();
        let ids: Vec<&str> = x
            .row(0)
            .0
            .iter()
            .map(|&i| v.feature_name(i as usize))
            .collect();
        assert!(ids.contains(&"no sirv"), "{ids:?}");
        assert!(x.row(1).0.is_empty());
    }

    #[test]
    fn surface_word_grams_follow_the_mark_and_stay_apart_from_term_grams() {
        let mk = |t: &str| -> Vec<String> {
            t.split_whitespace()
                .map(|w| if w == "|" { WORDS_MARK } else { w }.to_string())
                .collect()
        };
        let d = vec![mk("educ | la educacion"), mk("salud | salud")];
        let v = TfidfVectorizer::fit(
            &params(TfidfSettings {
                char_ngrams: Some((3, 3)),
                word_chars: Some((2, 3)),
                ..Default::default()
            }),
            &d,
        )
        .unwrap();
        let names: Vec<&str> = (0..v.n_features()).map(|i| v.feature_name(i)).collect();
        // Words give no word features; their grams are marked; a term's grams are not.
        assert!(!names.contains(&"la") && !names.contains(&"educacion"));
        assert!(names.contains(&"\u{1f} la") && names.contains(&" ed"));
        assert!(names.contains(&"\u{1f} ed"));
        // Encoding pushes the same features as fitting, and repeats are memoised consistently.
        let x = v.transform(&d).unwrap();
        let y = v.transform(&d).unwrap();
        assert_eq!(x.0, y.0);
        let ids: Vec<&str> = x
            .row(0)
            .0
            .iter()
            .map(|&i| v.feature_name(i as usize))
            .collect();
        assert!(
            ids.contains(&"\u{1f}la ") && ids.contains(&"educ"),
            "{ids:?}"
        );
        // Without the setting, words after the mark are ignored.
        let plain = TfidfVectorizer::fit(&params(TfidfSettings::default()), &d).unwrap();
        assert_eq!(plain.n_features(), 2);
    }

    #[test]
    fn serde_round_trip_rebuilds_lookups() {
        let d = docs(&["a b", "b c a"]);
        let v = TfidfVectorizer::fit(&params(TfidfSettings::default()), &d).unwrap();
        let bytes = postcard::to_allocvec(&v).unwrap();
        let w: TfidfVectorizer = postcard::from_bytes(&bytes).unwrap();
        let (x, y) = (v.transform(&d).unwrap(), w.transform(&d).unwrap());
        assert_eq!(x.0, y.0);
    }

    #[test]
    fn bad_params_are_refused() {
        assert!(
            TfidfParams::new(TfidfSettings {
                word_ngram_max: 3,
                ..Default::default()
            })
            .check()
            .is_err()
        );
        assert!(
            TfidfParams::new(TfidfSettings {
                char_ngrams: Some((4, 2)),
                ..Default::default()
            })
            .check()
            .is_err()
        );
    }
}
