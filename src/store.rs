//! Stage: index. The answer store: every answer lives in the workspace's tantivy index, both as
//! searchable fields and as a stored JSON copy, keyed by [`Answer::key`].
//!
//! In: validated `Answer`s from `ingest`, codings from `model`. Out: answers for search, training,
//! trends and reports. Every write is one tantivy commit: a crash before it leaves the previous
//! contents untouched, so an import is all or nothing.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, DocSetCollector};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{
    DocAddress, DocSet, Index, IndexReader, IndexWriter, Searcher, TantivyDocument, Term,
};

use crate::analyze::{self, Analyzer, AnalyzerSettings};
use crate::answer::{Answer, MachineCoding};
use crate::error::{Error, Result};
use crate::fsutil::atomic_write;
use crate::month::Month;
use crate::workspace::Workspace;

const WRITER_MEMORY: usize = 120_000_000;
const ANALYZER_FILE: &str = "codifica-analyzer.json";

/// The index fields. Filters use the raw STRING/FAST fields; search uses `text` (stemmed) and
/// `text_plain` (folded words, for prefix and fuzzy queries).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub(crate) key: Field,
    pub(crate) entity: Field,
    pub(crate) entity_name: Field,
    pub(crate) department: Field,
    pub(crate) department_key: Field,
    pub(crate) region: Field,
    pub(crate) region_key: Field,
    pub(crate) question: Field,
    pub(crate) month: Field,
    pub(crate) rating: Field,
    pub(crate) codes: Field,
    pub(crate) machine_codes: Field,
    pub(crate) coded: Field,
    pub(crate) text: Field,
    pub(crate) text_plain: Field,
    pub(crate) doc: Field,
}

fn text_options(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// The index schema.
pub(crate) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        entity: b.add_text_field("entity", STRING | FAST),
        entity_name: b.add_text_field("entity_name", text_options(analyze::PLAIN_TOKENIZER)),
        department: b.add_text_field("department", STRING | FAST),
        department_key: b.add_text_field("department_key", STRING),
        region: b.add_text_field("region", STRING | FAST),
        region_key: b.add_text_field("region_key", STRING),
        question: b.add_text_field("question", STRING | FAST),
        month: b.add_u64_field("month", INDEXED | FAST),
        rating: b.add_f64_field("rating", INDEXED | FAST),
        codes: b.add_text_field("codes", STRING | FAST),
        machine_codes: b.add_text_field("machine_codes", STRING | FAST),
        coded: b.add_u64_field("coded", INDEXED | FAST),
        text: b.add_text_field("text", text_options(analyze::TOKENIZER)),
        text_plain: b.add_text_field("text_plain", text_options(analyze::PLAIN_TOKENIZER)),
        doc: b.add_text_field("doc", STORED),
    };
    (b.build(), fields)
}

/// Lowercase, accent-folded form used to match place names typed by people ("Pacifico" =
/// "Pacífico", "narino" = "Nariño": unlike answer text, a name filter also folds ñ, since
/// analysts often type names on keyboards without it).
pub fn filter_key(value: &str) -> String {
    analyze::plain_terms(value).join(" ").replace('ñ', "n")
}

/// Which answers to read.
#[derive(Debug, Clone, Default)]
pub struct AnswerFilter {
    pub month: Option<Month>,
    pub question: Option<String>,
    /// An entity code.
    pub entity: Option<String>,
}

/// The answers of a workspace one group at a time (one entity: [`Store::answers_by_entity`];
/// one month: [`Store::answers_by_month`]), all from one snapshot of the index.
pub struct AnswerGroups<'a> {
    store: &'a Store,
    searcher: Searcher,
    /// One filter per group, in the order the groups are given.
    groups: std::vec::IntoIter<AnswerFilter>,
}

impl Iterator for AnswerGroups<'_> {
    /// One group's answers (never empty), sorted as by [`Store::answers`].
    type Item = Result<Vec<Answer>>;

    fn next(&mut self) -> Option<Self::Item> {
        for filter in self.groups.by_ref() {
            match self.store.answers_in(&self.searcher, &filter) {
                Ok(answers) if answers.is_empty() => continue,
                other => return Some(other),
            }
        }
        None
    }
}

/// What an upsert did (or, in a dry run, would do).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UpsertSummary {
    pub added: usize,
    pub replaced: usize,
    pub unchanged: usize,
}

#[derive(Serialize, Deserialize, PartialEq)]
struct IndexAnalyzer {
    settings: AnalyzerSettings,
    fingerprint: String,
}

/// The answer store of one workspace.
pub struct Store {
    dir: std::path::PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    settings: AnalyzerSettings,
}

/// What a rebuild of the index did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReindexReport {
    /// Answers re-indexed.
    pub answers: u64,
    /// The fingerprint of the analyzer that had built the index, when it differed.
    pub built_with: Option<String>,
    /// The fingerprint it is built with now.
    pub now: String,
}

/// Tells the user, whichever face started the command, that the store did work they did not
/// ask for (a rebuild after an upgrade). The one place the library writes to stderr.
fn announce(message: &str) {
    eprintln!("{message}");
}

impl Store {
    /// Opens (creating on first use) the workspace's index, with the workspace's analyzer.
    ///
    /// An index built by an older version of the analyzer (same settings, other terms: codifica
    /// was upgraded) is rebuilt from the stored answers before it is used, and the rebuild is
    /// announced on stderr: searching it as it is would silently miss answers. An index built
    /// under other `[analyzer]` settings is refused; `codifica reindex` rebuilds it on request.
    pub fn open(ws: &Workspace) -> Result<Store> {
        let dir = ws.index_dir();
        let settings = &ws.config().analyzer;
        let stale = match check_analyzer(&dir, settings) {
            Err(Error::IndexStale {
                built_with,
                same_settings: true,
                ..
            }) => Some(built_with),
            other => other.map(|()| None)?,
        };
        let store = Store::open_unchecked(ws)?;
        if let Some(old) = stale {
            announce(&format!(
                "note: the index in {} was built by analyzer {old}; rebuilding it with {} from the \
                 stored answers (nothing is lost; models trained before must be retrained)",
                dir.display(),
                settings.fingerprint()
            ));
            let report = store.rebuild()?;
            announce(&format!("note: index rebuilt ({} answers)", report.answers));
        }
        Ok(store)
    }

    /// Rebuilds the workspace's index with the current analyzer from the answers stored in it
    /// (`codifica reindex`), whatever analyzer built it: every answer, human code, machine code
    /// and attribute is kept, since the stored JSON copy is the source of every field.
    pub fn reindex(ws: &Workspace) -> Result<ReindexReport> {
        let dir = ws.index_dir();
        let built_with = match check_analyzer(&dir, &ws.config().analyzer) {
            Ok(()) => None,
            Err(Error::IndexStale { built_with, .. }) => Some(built_with),
            Err(e) => return Err(e),
        };
        let mut report = Store::open_unchecked(ws)?.rebuild()?;
        report.built_with = built_with;
        Ok(report)
    }

    /// Opens or creates the index under the workspace's analyzer without comparing it with the
    /// one that built the index.
    fn open_unchecked(ws: &Workspace) -> Result<Store> {
        let dir = ws.index_dir();
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let (schema, fields) = schema();
        let index = if dir.join("meta.json").exists() {
            Index::open_in_dir(&dir)?
        } else {
            Index::create_in_dir(&dir, schema)?
        };
        let settings = ws.config().analyzer.clone();
        Analyzer::new(&settings).register(&index);
        let reader = index.reader()?;
        let store = Store {
            dir,
            index,
            reader,
            fields,
            settings,
        };
        if !store.dir.join(ANALYZER_FILE).exists() {
            store.record_analyzer()?;
        }
        Ok(store)
    }

    /// Re-adds every stored answer under the current analyzer in one commit (each old document
    /// deleted by its key, which no analyzer touches), then records the analyzer. A kill before
    /// the commit leaves the old index and its record; a kill between the commit and the record
    /// leaves a stale record, so the next open rebuilds again: the rebuild is idempotent.
    fn rebuild(&self) -> Result<ReindexReport> {
        let searcher = self.searcher()?;
        let mut writer = self.writer()?;
        let mut answers = 0u64;
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            for doc in segment.doc_ids_alive() {
                let a = self.load(&searcher, DocAddress::new(ord as u32, doc))?;
                writer.delete_term(Term::from_field_text(self.fields.key, &a.key()));
                writer.add_document(self.document(&a))?;
                answers += 1;
            }
        }
        crate::fsutil::fault_point("reindex-before-commit");
        writer.commit()?;
        writer.wait_merging_threads()?;
        crate::fsutil::fault_point("reindex-after-commit");
        self.record_analyzer()?;
        Ok(ReindexReport {
            answers,
            built_with: None,
            now: self.settings.fingerprint(),
        })
    }

    fn record_analyzer(&self) -> Result<()> {
        let record = IndexAnalyzer {
            settings: self.settings.clone(),
            fingerprint: self.settings.fingerprint(),
        };
        let json = serde_json::to_vec_pretty(&record).unwrap_or_default();
        atomic_write(&self.dir.join(ANALYZER_FILE), &json)
    }

    /// The index fields.
    pub(crate) fn fields(&self) -> &Fields {
        &self.fields
    }

    /// A searcher over the latest commit (crate-private: tantivy stays behind `store` and
    /// `search`).
    pub(crate) fn searcher(&self) -> Result<Searcher> {
        self.reader.reload()?;
        Ok(self.reader.searcher())
    }

    /// How many index segments the latest commit has (for benchmarks of merging).
    pub fn segment_count(&self) -> Result<usize> {
        Ok(self.searcher()?.segment_readers().len())
    }

    fn writer(&self) -> Result<IndexWriter> {
        let writer: IndexWriter = self.index.writer(WRITER_MEMORY).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => Error::Busy {
                path: self.dir.clone(),
            },
            other => Error::Index(other),
        })?;
        Ok(writer)
    }

    /// The stored answer with this key.
    pub fn get(&self, key: &str) -> Result<Option<Answer>> {
        let searcher = self.searcher()?;
        self.get_in(&searcher, key)
    }

    fn get_in(&self, searcher: &Searcher, key: &str) -> Result<Option<Answer>> {
        match self.find(searcher, key)? {
            Some(addr) => Ok(Some(self.load(searcher, addr)?)),
            None => Ok(None),
        }
    }

    /// The address of the live document with this key: a direct postings lookup per segment,
    /// much cheaper than running a query (imports do one per row).
    pub(crate) fn find(&self, searcher: &Searcher, key: &str) -> Result<Option<DocAddress>> {
        let term = Term::from_field_text(self.fields.key, key);
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let inverted = segment.inverted_index(self.fields.key)?;
            let Some(mut postings) = inverted
                .read_postings(&term, IndexRecordOption::Basic)
                .map_err(tantivy::TantivyError::from)?
            else {
                continue;
            };
            let mut doc = postings.doc();
            while doc != tantivy::TERMINATED {
                if segment
                    .alive_bitset()
                    .is_none_or(|alive| alive.is_alive(doc))
                {
                    return Ok(Some(DocAddress::new(ord as u32, doc)));
                }
                doc = postings.advance();
            }
        }
        Ok(None)
    }

    /// Reads the stored answer at `addr`.
    pub(crate) fn load(&self, searcher: &Searcher, addr: DocAddress) -> Result<Answer> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let json = doc
            .get_first(self.fields.doc)
            .and_then(|v| v.as_str())
            .unwrap_or("");
        serde_json::from_str(json)
            .map_err(|e| Error::internal(format!("corrupt answer in the index: {e}")))
    }

    /// Counts what [`Store::upsert`] would do, without writing.
    pub fn plan_upsert<'a>(
        &self,
        answers: impl IntoIterator<Item = &'a Answer>,
    ) -> Result<UpsertSummary> {
        self.plan_upsert_with(answers.into_iter().map(|a| (a.clone(), ())), |a, _, _| a)
    }

    /// [`Store::plan_upsert`] merging each incoming answer over the stored one, as
    /// [`Store::try_upsert_with`] does.
    pub fn plan_upsert_with<X>(
        &self,
        items: impl IntoIterator<Item = (Answer, X)>,
        mut merge: impl FnMut(Answer, X, &Answer) -> Answer,
    ) -> Result<UpsertSummary> {
        let searcher = self.searcher()?;
        let mut summary = UpsertSummary::default();
        for (a, extra) in items {
            match self.get_in(&searcher, &a.key())? {
                None => summary.added += 1,
                Some(old) if old.same_content(&merge(a, extra, &old)) => summary.unchanged += 1,
                Some(_) => summary.replaced += 1,
            }
        }
        Ok(summary)
    }

    /// Adds or replaces answers by key, in one commit. An answer whose content is unchanged is
    /// left alone; a replaced answer keeps its machine coding unless the text changed. The
    /// caller holds the workspace lock.
    pub fn upsert(
        &self,
        answers: impl IntoIterator<Item = Answer>,
        progress: impl FnMut(usize),
    ) -> Result<UpsertSummary> {
        self.try_upsert(answers.into_iter().map(Ok), progress)
    }

    /// [`Store::upsert`] over answers that may fail to arrive (read back from a spool file, say):
    /// the first error aborts before the commit, so nothing at all is written.
    pub fn try_upsert(
        &self,
        answers: impl IntoIterator<Item = Result<Answer>>,
        progress: impl FnMut(usize),
    ) -> Result<UpsertSummary> {
        let items = answers.into_iter().map(|a| a.map(|a| (a, ())));
        self.try_upsert_with(items, |a, _, _| a, progress)
    }

    /// [`Store::try_upsert`] where `merge(incoming, extra, stored)` makes the answer that
    /// replaces a stored one with the same key (an import keeps the fields its file does not
    /// supply, see [`Answer::merged_over`]).
    pub fn try_upsert_with<X>(
        &self,
        items: impl IntoIterator<Item = Result<(Answer, X)>>,
        mut merge: impl FnMut(Answer, X, &Answer) -> Answer,
        mut progress: impl FnMut(usize),
    ) -> Result<UpsertSummary> {
        let searcher = self.searcher()?;
        let mut writer = self.writer()?;
        let mut summary = UpsertSummary::default();
        for (i, item) in items.into_iter().enumerate() {
            let (a, extra) = item?;
            let key = a.key();
            let a = match self.get_in(&searcher, &key)? {
                None => {
                    summary.added += 1;
                    a
                }
                Some(old) => {
                    let mut a = merge(a, extra, &old);
                    if old.same_content(&a) {
                        summary.unchanged += 1;
                        continue;
                    }
                    summary.replaced += 1;
                    if old.text == a.text && a.machine.is_none() {
                        a.machine = old.machine;
                    }
                    writer.delete_term(Term::from_field_text(self.fields.key, &key));
                    a
                }
            };
            writer.add_document(self.document(&a))?;
            progress(i + 1);
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        Ok(summary)
    }

    /// Applies `f` to every answer matching `filter`; answers for which it returns `true` are
    /// rewritten, all in one commit. Returns how many changed. The caller holds the lock.
    pub fn update_where(
        &self,
        filter: &AnswerFilter,
        mut f: impl FnMut(&mut Answer) -> bool,
    ) -> Result<usize> {
        let answers = self.answers(filter)?;
        let mut writer = self.writer()?;
        let mut changed = 0;
        for mut a in answers {
            if f(&mut a) {
                writer.delete_term(Term::from_field_text(self.fields.key, &a.key()));
                writer.add_document(self.document(&a))?;
                changed += 1;
            }
        }
        if changed > 0 {
            writer.commit()?;
            writer.wait_merging_threads()?;
        }
        Ok(changed)
    }

    /// Stores machine codings by answer key, in one commit; human codes are never touched.
    pub fn set_machine_codings(&self, codings: &[(String, MachineCoding)]) -> Result<usize> {
        let by_key: BTreeMap<&str, &MachineCoding> =
            codings.iter().map(|(k, m)| (k.as_str(), m)).collect();
        self.update_by_keys(by_key.keys().copied(), |a| {
            a.machine = by_key.get(a.key().as_str()).map(|m| (*m).clone());
        })
    }

    /// Replaces human codes by answer key, in one commit.
    pub fn set_human_codes(&self, updates: &[(String, Vec<String>)]) -> Result<usize> {
        let by_key: BTreeMap<&str, &Vec<String>> =
            updates.iter().map(|(k, c)| (k.as_str(), c)).collect();
        self.update_by_keys(by_key.keys().copied(), |a| {
            if let Some(c) = by_key.get(a.key().as_str()) {
                a.codes = (*c).clone();
            }
        })
    }

    fn update_by_keys<'a>(
        &self,
        keys: impl Iterator<Item = &'a str>,
        mut f: impl FnMut(&mut Answer),
    ) -> Result<usize> {
        let searcher = self.searcher()?;
        let mut writer = self.writer()?;
        let mut changed = 0;
        for key in keys {
            let Some(mut a) = self.get_in(&searcher, key)? else {
                return Err(Error::not_found(format!(
                    "no answer with key '{key}' in the workspace"
                )));
            };
            f(&mut a);
            writer.delete_term(Term::from_field_text(self.fields.key, key));
            writer.add_document(self.document(&a))?;
            changed += 1;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        Ok(changed)
    }

    /// The answers matching `filter`, sorted by month, entity, question and answer id.
    pub fn answers(&self, filter: &AnswerFilter) -> Result<Vec<Answer>> {
        self.answers_in(&self.searcher()?, filter)
    }

    /// The answers matching `filter`, one entity at a time in entity-code order, each entity's
    /// answers sorted as by [`Store::answers`]. Per-entity work (trends, flags, the report, the
    /// status counts) then holds one entity's answers in memory instead of the workspace's:
    /// peak memory no longer grows with the total text volume. All entities are read from one
    /// snapshot of the index.
    pub fn answers_by_entity(&self, filter: &AnswerFilter) -> Result<AnswerGroups<'_>> {
        let searcher = self.searcher()?;
        let codes = match &filter.entity {
            Some(code) => vec![code.clone()],
            None => self.entity_codes(&searcher)?,
        };
        let groups = codes
            .into_iter()
            .map(|code| AnswerFilter {
                entity: Some(code),
                ..filter.clone()
            })
            .collect();
        Ok(self.groups(searcher, groups))
    }

    /// The answers matching `filter`, one month at a time in month order: concatenated, exactly
    /// [`Store::answers`]' list, but holding one month in memory (exports of the whole
    /// workspace). All months are read from one snapshot of the index.
    pub fn answers_by_month(&self, filter: &AnswerFilter) -> Result<AnswerGroups<'_>> {
        let searcher = self.searcher()?;
        let months = match filter.month {
            Some(m) => vec![m],
            None => self.month_range(&searcher)?,
        };
        let groups = months
            .into_iter()
            .map(|m| AnswerFilter {
                month: Some(m),
                ..filter.clone()
            })
            .collect();
        Ok(self.groups(searcher, groups))
    }

    fn groups(&self, searcher: Searcher, groups: Vec<AnswerFilter>) -> AnswerGroups<'_> {
        AnswerGroups {
            store: self,
            searcher,
            groups: groups.into_iter(),
        }
    }

    /// The answers matching `filter` for which `keep` holds, in [`Store::answers`]' order, read
    /// one month at a time so that only the kept ones are ever held together (the review queue
    /// of a whole workspace keeps the uncoded few).
    pub fn answers_where(
        &self,
        filter: &AnswerFilter,
        mut keep: impl FnMut(&Answer) -> bool,
    ) -> Result<Vec<Answer>> {
        let mut out = Vec::new();
        for month in self.answers_by_month(filter)? {
            out.extend(month?.into_iter().filter(|a| keep(a)));
        }
        Ok(out)
    }

    /// The months that hold at least one answer, oldest first (the web's month pickers). One
    /// count per month of the index's range; no answer is loaded.
    pub fn months(&self) -> Result<Vec<Month>> {
        let searcher = self.searcher()?;
        let mut out = Vec::new();
        for m in self.month_range(&searcher)? {
            if searcher.search(&self.month_query(m, m), &Count)? > 0 {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// Every month from the earliest to the latest in the index (the month fast field's range;
    /// months without answers included, callers skip them).
    fn month_range(&self, searcher: &Searcher) -> Result<Vec<Month>> {
        let mut range: Option<(u64, u64)> = None;
        for segment in searcher.segment_readers() {
            if segment.num_docs() == 0 {
                continue;
            }
            let column = segment.fast_fields().u64("month")?;
            let (lo, hi) = (column.min_value(), column.max_value());
            range = Some(range.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        }
        let Some((lo, hi)) = range else {
            return Ok(Vec::new());
        };
        let bad = |v: u64| Error::internal(format!("corrupt month {v} in the index"));
        let first = u32::try_from(lo)
            .ok()
            .and_then(Month::from_u32)
            .ok_or_else(|| bad(lo))?;
        let last = u32::try_from(hi)
            .ok()
            .and_then(Month::from_u32)
            .ok_or_else(|| bad(hi))?;
        let mut months = vec![first];
        while let Some(&m) = months.last().filter(|m| **m < last) {
            months.push(m.next());
        }
        Ok(months)
    }

    /// Every entity code in the index's term dictionary, sorted and distinct. A code whose
    /// answers were all deleted may remain there: callers skip codes with no live answer.
    fn entity_codes(&self, searcher: &Searcher) -> Result<Vec<String>> {
        let mut codes = std::collections::BTreeSet::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(self.fields.entity)?;
            let mut terms = inverted
                .terms()
                .stream()
                .map_err(tantivy::TantivyError::from)?;
            while terms.advance() {
                let code = std::str::from_utf8(terms.key()).map_err(|e| {
                    Error::internal(format!("corrupt entity code in the index: {e}"))
                })?;
                if !codes.contains(code) {
                    codes.insert(code.to_string());
                }
            }
        }
        Ok(codes.into_iter().collect())
    }

    fn answers_in(&self, searcher: &Searcher, filter: &AnswerFilter) -> Result<Vec<Answer>> {
        let query = self.filter_query(filter);
        let mut addrs: Vec<DocAddress> = searcher
            .search(&query, &DocSetCollector)?
            .into_iter()
            .collect();
        // Doc-store order: consecutive documents share compressed blocks.
        addrs.sort();
        let mut out = Vec::with_capacity(addrs.len());
        for addr in addrs {
            out.push(self.load(searcher, addr)?);
        }
        out.sort_by(|a, b| {
            (a.month, &a.entity_code, &a.question, &a.answer_id).cmp(&(
                b.month,
                &b.entity_code,
                &b.question,
                &b.answer_id,
            ))
        });
        Ok(out)
    }

    /// Number of answers stored.
    pub fn len(&self) -> Result<u64> {
        Ok(self.searcher()?.num_docs())
    }

    /// True when the store holds no answer.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// A query selecting `filter` (all answers when empty).
    pub(crate) fn filter_query(&self, filter: &AnswerFilter) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(m) = filter.month {
            clauses.push((Occur::Must, Box::new(self.month_query(m, m))));
        }
        if let Some(q) = &filter.question {
            clauses.push((Occur::Must, self.term(self.fields.question, q)));
        }
        if let Some(e) = &filter.entity {
            clauses.push((Occur::Must, self.term(self.fields.entity, e)));
        }
        if clauses.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        }
    }

    /// Answers in months `from..=to`.
    pub(crate) fn month_query(&self, from: Month, to: Month) -> RangeQuery {
        RangeQuery::new(
            std::ops::Bound::Included(Term::from_field_u64(
                self.fields.month,
                from.as_u32() as u64,
            )),
            std::ops::Bound::Included(Term::from_field_u64(self.fields.month, to.as_u32() as u64)),
        )
    }

    /// An exact-term query on a raw field.
    pub(crate) fn term(&self, field: Field, value: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    }

    fn document(&self, a: &Answer) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::new();
        d.add_text(f.key, a.key());
        d.add_text(f.entity, &a.entity_code);
        d.add_text(f.entity_name, &a.entity_name);
        d.add_text(f.department, &a.department);
        d.add_text(f.department_key, filter_key(&a.department));
        d.add_text(f.region, &a.region);
        d.add_text(f.region_key, filter_key(&a.region));
        d.add_text(f.question, &a.question);
        d.add_u64(f.month, a.month.as_u32() as u64);
        if let Some(r) = a.rating {
            d.add_f64(f.rating, r);
        }
        for c in &a.codes {
            d.add_text(f.codes, c);
        }
        for c in a.machine.iter().flat_map(|m| &m.codes) {
            d.add_text(f.machine_codes, c);
        }
        d.add_u64(f.coded, a.is_coded() as u64);
        d.add_text(f.text, &a.text);
        d.add_text(f.text_plain, &a.text);
        d.add_text(f.doc, serde_json::to_string(a).unwrap_or_default());
        d
    }
}

/// The index remembers the analyzer it was built with: opening it under another would mix the
/// terms of two analyzers. A missing record (a new index) is not an error; the caller writes it.
fn check_analyzer(dir: &Path, settings: &AnalyzerSettings) -> Result<()> {
    let path = dir.join(ANALYZER_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let stored: IndexAnalyzer = serde_json::from_str(&text)
        .map_err(|e| Error::file(&path, format!("unreadable analyzer record: {e}")))?;
    let now = settings.fingerprint();
    if stored.fingerprint == now {
        return Ok(());
    }
    Err(Error::IndexStale {
        dir: dir.to_path_buf(),
        same_settings: stored.settings == *settings,
        built_with: stored.fingerprint,
        now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn answer(entity: &str, text: &str) -> Answer {
        Answer {
            entity_code: entity.into(),
            entity_name: format!("Alcaldía {entity} (sintética)"),
            department: "Cauca".into(),
            region: "Pacífico".into(),
            entity_kind: None,
            month: Month::parse("2020-11").unwrap(),
            question: "necesidades_debilidades".into(),
            answer_id: None,
            text: text.into(),
            rating: None,
            codes: vec![],
            machine: None,
            interview_date: None,
            respondent_role: None,
            attributes: BTreeMap::new(),
        }
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(dir.path(), Config::monitoreo360_text(), false).unwrap();
        let store = Store::open(&ws).unwrap();
        (dir, store)
    }

    #[test]
    fn upsert_adds_replaces_and_leaves_unchanged() {
        let (_d, s) = store();
        let first = s.upsert(
            [answer("19318", "sin señal"), answer("44847", "tarde")],
            |_| {},
        );
        assert_eq!(
            first.unwrap(),
            UpsertSummary {
                added: 2,
                replaced: 0,
                unchanged: 0
            }
        );
        let again = s.upsert(
            [answer("19318", "sin señal"), answer("44847", "muy tarde")],
            |_| {},
        );
        assert_eq!(
            again.unwrap(),
            UpsertSummary {
                added: 0,
                replaced: 1,
                unchanged: 1
            }
        );
        assert_eq!(s.len().unwrap(), 2);
        assert_eq!(
            s.get(&answer("44847", "").key()).unwrap().unwrap().text,
            "muy tarde"
        );
    }

    #[test]
    fn filter_keys_fold_case_accents_and_n_tilde() {
        assert_eq!(filter_key("Nariño"), filter_key("narino"));
        assert_eq!(filter_key("Región Pacífico"), "region pacifico");
        assert_eq!(
            filter_key("  Eje Cafetero - Antioquia "),
            "eje cafetero antioquia"
        );
    }

    #[test]
    fn a_failing_item_writes_nothing() {
        let (_d, s) = store();
        let items = vec![
            Ok(answer("19318", "uno")),
            Err(Error::invalid("disk failed")),
            Ok(answer("44847", "dos")),
        ];
        assert!(s.try_upsert(items, |_| {}).is_err());
        assert_eq!(s.len().unwrap(), 0);
    }

    #[test]
    fn machine_codes_survive_an_unchanged_reimport_and_never_touch_human_codes() {
        let (_d, s) = store();
        let mut a = answer("19318", "no hay internet");
        a.codes = vec!["brecha_conectividad".into()];
        s.upsert([a.clone()], |_| {}).unwrap();
        let coding = MachineCoding {
            codes: vec!["llego_destiempo".into()],
            confidence: 0.6,
            margin: 0.1,
            top_terms: vec!["internet".into()],
            model: "m".into(),
            ..Default::default()
        };
        s.set_machine_codings(&[(a.key(), coding.clone())]).unwrap();
        let summary = s.upsert([a.clone()], |_| {}).unwrap();
        assert_eq!(summary.unchanged, 1);
        let stored = s.get(&a.key()).unwrap().unwrap();
        assert_eq!(stored.machine, Some(coding));
        assert_eq!(stored.codes, ["brecha_conectividad"]);
    }

    #[test]
    fn update_where_rewrites_only_what_changes() {
        let (_d, s) = store();
        s.upsert([answer("19318", "uno"), answer("44847", "dos")], |_| {})
            .unwrap();
        let filter = AnswerFilter {
            entity: Some("44847".into()),
            ..AnswerFilter::default()
        };
        let n = s
            .update_where(&filter, |a| {
                a.codes = vec!["x".into()];
                true
            })
            .unwrap();
        assert_eq!(n, 1);
        let all = s.answers(&AnswerFilter::default()).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all.iter().filter(|a| a.is_coded()).count(), 1);
    }

    #[test]
    fn months_skips_the_gaps_between_months_with_answers() {
        let (_d, s) = store();
        assert!(s.months().unwrap().is_empty());
        let mut rows = vec![answer("44847", "dos")];
        for (code, month) in [("19318", "2021-02"), ("05001", "2023-01")] {
            let mut a = answer(code, "x");
            a.month = Month::parse(month).unwrap();
            rows.push(a);
        }
        s.upsert(rows, |_| {}).unwrap();
        let months: Vec<String> = s.months().unwrap().iter().map(|m| m.to_string()).collect();
        assert_eq!(months, ["2020-11", "2021-02", "2023-01"]);
    }

    #[test]
    fn answers_by_month_concatenates_to_what_answers_gives() {
        let (_d, s) = store();
        assert_eq!(
            s.answers_by_month(&AnswerFilter::default())
                .unwrap()
                .count(),
            0
        );
        let mut rows = vec![answer("44847", "dos"), answer("19318", "uno")];
        // Months 2020-11 (the fixture's), 2021-02 and 2023-01: gaps in between.
        for (code, month) in [
            ("19318", "2021-02"),
            ("05001", "2023-01"),
            ("44847", "2021-02"),
        ] {
            let mut a = answer(code, "otra");
            a.month = Month::parse(month).unwrap();
            rows.push(a);
        }
        s.upsert(rows, |_| {}).unwrap();
        s.upsert([answer("44847", "dos, corregido")], |_| {})
            .unwrap();
        let months: Vec<Vec<Answer>> = s
            .answers_by_month(&AnswerFilter::default())
            .unwrap()
            .map(|m| m.unwrap())
            .collect();
        let firsts: Vec<String> = months.iter().map(|m| m[0].month.to_string()).collect();
        assert_eq!(firsts, ["2020-11", "2021-02", "2023-01"]);
        assert!(
            months
                .iter()
                .all(|m| m.iter().all(|a| a.month == m[0].month))
        );
        assert_eq!(
            months.concat(),
            s.answers(&AnswerFilter::default()).unwrap()
        );
        let feb = AnswerFilter {
            month: Some(Month::parse("2021-02").unwrap()),
            ..AnswerFilter::default()
        };
        let texts = |v: Vec<Answer>| v.into_iter().map(|a| a.text).collect::<Vec<_>>();
        let kept = s
            .answers_where(&AnswerFilter::default(), |a| a.text == "otra")
            .unwrap();
        assert_eq!(texts(kept), ["otra", "otra", "otra"]);
        let all = s.answers(&AnswerFilter::default()).unwrap();
        let every = s.answers_where(&AnswerFilter::default(), |_| true).unwrap();
        assert_eq!(every, all);
        let only: Vec<Vec<Answer>> = s
            .answers_by_month(&feb)
            .unwrap()
            .map(|m| m.unwrap())
            .collect();
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].len(), 2);
    }

    #[test]
    fn answers_by_entity_groups_what_answers_gives() {
        let (_d, s) = store();
        let mut rows = vec![
            answer("44847", "dos"),
            answer("19318", "uno"),
            answer("05001", "tres"),
        ];
        let mut later = answer("19318", "después");
        later.month = Month::parse("2021-02").unwrap();
        rows.push(later);
        s.upsert(rows, |_| {}).unwrap();
        // A replaced answer leaves a deleted document behind.
        s.upsert([answer("44847", "dos, corregido")], |_| {})
            .unwrap();
        let groups: Vec<Vec<Answer>> = s
            .answers_by_entity(&AnswerFilter::default())
            .unwrap()
            .map(|g| g.unwrap())
            .collect();
        let codes: Vec<&str> = groups.iter().map(|g| g[0].entity_code.as_str()).collect();
        assert_eq!(codes, ["05001", "19318", "44847"]);
        assert_eq!(groups[1].len(), 2);
        assert_eq!(groups[2].len(), 1);
        assert_eq!(groups[2][0].text, "dos, corregido");
        let mut all = s.answers(&AnswerFilter::default()).unwrap();
        all.sort_by(|a, b| a.entity_code.cmp(&b.entity_code));
        assert_eq!(groups.concat(), all);
        let one = AnswerFilter {
            entity: Some("19318".into()),
            ..AnswerFilter::default()
        };
        assert_eq!(s.answers_by_entity(&one).unwrap().count(), 1);
        let none = AnswerFilter {
            entity: Some("99999".into()),
            ..AnswerFilter::default()
        };
        assert_eq!(s.answers_by_entity(&none).unwrap().count(), 0);
    }

    fn stemmed_hits(s: &Store, term: &str) -> usize {
        let q = TermQuery::new(
            Term::from_field_text(s.fields.text, term),
            IndexRecordOption::Basic,
        );
        s.searcher()
            .unwrap()
            .search(&q, &tantivy::collector::Count)
            .unwrap()
    }

    /// A workspace whose index was built by an older analyzer version (simulated: terms of
    /// another chain, and a record naming an old fingerprint under today's settings).
    fn stale_workspace() -> (tempfile::TempDir, Workspace, Answer) {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::init(dir.path(), Config::monitoreo360_text(), false).unwrap();
        let mut c = ws.config().clone();
        c.analyzer.stem = false;
        ws.save_config(c).unwrap();
        let mut a = answer("19318", "Las asistencias de la alcaldía");
        a.codes = vec!["conectividad".into()];
        a.machine = Some(MachineCoding {
            codes: vec!["conectividad".into()],
            confidence: 0.8,
            margin: 0.5,
            top_terms: vec!["alcaldia".into()],
            model: "m".into(),
            ..Default::default()
        });
        a.respondent_role = Some("Secretario de Planeación".into());
        a.attributes.insert("encuestador".into(), "E7".into());
        {
            let s = Store::open(&ws).unwrap();
            s.upsert([a.clone(), answer("44847", "tarde")], |_| {})
                .unwrap();
        }
        let mut c = ws.config().clone();
        c.analyzer.stem = true;
        ws.save_config(c).unwrap();
        let old = IndexAnalyzer {
            settings: ws.config().analyzer.clone(),
            fingerprint: "es1-00000000".into(),
        };
        std::fs::write(
            ws.index_dir().join(ANALYZER_FILE),
            serde_json::to_vec(&old).unwrap(),
        )
        .unwrap();
        (dir, ws, a)
    }

    #[test]
    fn an_index_of_an_older_analyzer_is_rebuilt_keeping_every_field() {
        let (_d, ws, a) = stale_workspace();
        let s = Store::open(&ws).unwrap();
        assert_eq!(s.len().unwrap(), 2);
        assert_eq!(s.get(&a.key()).unwrap().unwrap(), a);
        // The stemmed terms are there now: "asistencia" meets "asistencias", "alcaldia" meets
        // "alcaldía".
        let mut an = Analyzer::default();
        assert_eq!(stemmed_hits(&s, &an.terms("asistencia")[0]), 1);
        assert_eq!(stemmed_hits(&s, &an.terms("alcaldia")[0]), 1);
        drop(s);
        let text = std::fs::read_to_string(ws.index_dir().join(ANALYZER_FILE)).unwrap();
        assert!(text.contains(&ws.config().analyzer.fingerprint()), "{text}");
    }

    #[test]
    fn reindex_reports_the_old_analyzer_and_keeps_answers() {
        let (_d, ws, a) = stale_workspace();
        let report = Store::reindex(&ws).unwrap();
        assert_eq!(report.answers, 2);
        assert_eq!(report.built_with.as_deref(), Some("es1-00000000"));
        let again = Store::reindex(&ws).unwrap();
        assert_eq!(again.built_with, None);
        assert_eq!(Store::open(&ws).unwrap().get(&a.key()).unwrap().unwrap(), a);
    }

    #[test]
    fn other_analyzer_settings_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::init(dir.path(), Config::monitoreo360_text(), false).unwrap();
        drop(Store::open(&ws).unwrap());
        let mut c = ws.config().clone();
        c.analyzer.stem = false;
        ws.save_config(c).unwrap();
        let err = Store::open(&ws).err().unwrap().to_string();
        assert!(err.contains("codifica reindex"), "{err}");
        // On request, the index is rebuilt under the new settings.
        assert_eq!(Store::reindex(&ws).unwrap().answers, 0);
        assert!(Store::open(&ws).is_ok());
    }
}
