//! Use case: import a month of interviews (canonical long CSV/XLSX, or a wide sheet through a
//! `[[mapping]]`). The ingest stage validates (pass 1, writes nothing); this job takes the
//! workspace lock and, only if no problem was found, upserts every answer in one commit (pass 2).
//! A dry run stops after counting what would be added, replaced or left unchanged.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::answer::{Answer, CodesOutcome, Supplied};
use crate::config::{Config, Question, WideMapping};
use crate::error::{Error, Result};
use crate::ingest::{self, Checks, Spool, Validated, reader};
use crate::store::{Store, UpsertSummary};
use crate::workspace::Workspace;

pub use crate::ingest::{EntityNote, ImportOptions, ImportReport, Progress};

/// Imports `path` into the workspace. All or nothing.
pub fn import(ws: &Workspace, path: &Path, opts: &ImportOptions) -> Result<ImportReport> {
    import_with_progress(ws, path, opts, &mut |_| {})
}

/// [`import`], reporting progress.
pub fn import_with_progress(
    ws: &Workspace,
    path: &Path,
    opts: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport> {
    let shape = named_shape(ws, opts)?;
    import_shaped(ws, path, opts, shape.as_ref(), progress)
}

/// The shape `opts.mapping` names (`None`: the canonical long format).
pub fn named_shape(ws: &Workspace, opts: &ImportOptions) -> Result<Option<Shape>> {
    let Some(name) = &opts.mapping else {
        return Ok(None);
    };
    Ok(Some(Shape {
        mapping: find_mapping(ws, name)?.clone(),
        save: false,
    }))
}

/// A wide mapping given whole (the web's proposed mapping, corrected by the analyst) rather than
/// by name; `save` adds it to codifica.toml (replacing one of the same name) in the same job,
/// so next month the sheet imports by name.
#[derive(Debug, Clone)]
pub struct Shape {
    pub mapping: WideMapping,
    pub save: bool,
}

/// [`import_with_progress`] with the mapping given whole (`None`: the canonical long format);
/// `opts.mapping` is ignored.
pub fn import_shaped(
    ws: &Workspace,
    path: &Path,
    opts: &ImportOptions,
    shape: Option<&Shape>,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport> {
    import_as(ws, path, opts, shape, None, progress)
}

/// [`import_shaped`] by a named coder: the answers whose human codes the file sets or changes
/// are stamped with `coder` in the team log (`app::team`), after the commit and under the same
/// lock (`None`: an unknown coder). A dry run, and answers whose codes did not change, record
/// nothing, so re-importing an export is silent.
pub fn import_as(
    ws: &Workspace,
    path: &Path,
    opts: &ImportOptions,
    shape: Option<&Shape>,
    coder: Option<&str>,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport> {
    // A dry run writes nothing, so it does not need (nor wait for) the lock.
    let _lock = if opts.dry_run { None } else { Some(ws.lock()?) };
    let mapping = shape.map(|s| &s.mapping);
    let pass = validate(ws, path, opts, mapping, progress)?;
    let save = shape
        .filter(|s| s.save && !opts.dry_run)
        .map(|s| &s.mapping);
    if !opts.dry_run {
        save_config(ws, &pass.added, save)?;
    }
    let (report, coded) = finish(ws, path, opts, pass, progress)?;
    if !opts.dry_run {
        super::team::record(ws, &coded, coder)?;
    }
    Ok(report)
}

/// Pass 1 (the ingest stage), refusing a file that changed while it was read.
fn validate(
    ws: &Workspace,
    path: &Path,
    opts: &ImportOptions,
    mapping: Option<&WideMapping>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Validated> {
    // A mapping's sheet applies to workbooks; the same sheet exported as CSV reads as well.
    let mapping_sheet = match mapping.and_then(|m| m.sheet.as_deref()) {
        Some(s) if reader::is_workbook(path)? => Some(s),
        _ => None,
    };
    let sheet = opts.sheet.as_deref().or(mapping_sheet);
    let stamp = reader::FileStamp::of(path)?;
    let source = reader::open(path, sheet)?;
    let checks = Checks {
        config: ws.config(),
        codebooks: ingest::load_codebooks(ws)?,
        mapping,
        new_questions: opts.new_questions,
        spool_dir: ws.root(),
    };
    let pass = ingest::validate(checks, source, progress)?;
    stamp.check_unchanged(path)?;
    Ok(pass)
}

/// New questions (and the mapping to keep) go into codifica.toml BEFORE the commit: a crash
/// between the two then leaves a question without answers (harmless), never answers of a
/// question the config lacks.
fn save_config(ws: &Workspace, added: &[String], mapping: Option<&WideMapping>) -> Result<()> {
    if added.is_empty() && mapping.is_none() {
        return Ok(());
    }
    let mut config = ws.config().clone();
    config
        .questions
        .extend(added.iter().map(|id| Question::new_open(id)));
    if let Some(m) = mapping {
        config.mappings.retain(|old| old.name != m.name);
        config.mappings.push(m.clone());
    }
    ws.clone().save_config(config)
}

/// Pass 2: counts (dry run) or writes the spooled answers; the report, and the answers whose
/// human codes were set or changed (key, codes) for the team log.
fn finish(
    ws: &Workspace,
    path: &Path,
    opts: &ImportOptions,
    mut pass: Validated,
    progress: &mut dyn FnMut(Progress),
) -> Result<(ImportReport, Coded)> {
    let mut merge = Merge {
        attribute_columns: std::mem::take(&mut pass.attribute_columns),
        replace_codes: opts.replace_codes,
        kept: 0,
        changed: 0,
        coded: Vec::new(),
    };
    let (summary, fresh) = if opts.dry_run {
        (plan(ws, &mut pass.spool, &mut merge)?, Vec::new())
    } else {
        write(ws, &mut pass.spool, pass.answers, &mut merge, progress)?
    };
    let report = ImportReport {
        file: path.to_path_buf(),
        format: pass.format,
        rows: pass.rows,
        answers: pass.answers,
        added: summary.added,
        replaced: summary.replaced,
        unchanged: summary.unchanged,
        codes_kept: merge.kept,
        codes_changed: merge.changed,
        months: pass.months.into_iter().collect(),
        questions: pass.questions.into_iter().collect(),
        new_questions: pass.added,
        dry_run: opts.dry_run,
        entities: check_entities(&pass.entities),
    };
    let mut coded = merge.coded;
    coded.extend(fresh);
    Ok((report, coded))
}

/// The wide mapping `name` of the workspace's config; unknown, an error listing the known ones.
pub fn find_mapping<'w>(ws: &'w Workspace, name: &str) -> Result<&'w WideMapping> {
    ws.config().mapping(name).ok_or_else(|| {
        let known: Vec<&str> = ws
            .config()
            .mappings
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        Error::not_found(format!(
            "no mapping named '{name}' in {} (it has: {}); see docs/import.md",
            ws.config_path().display(),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ))
    })
}

/// How a re-imported answer is merged over the stored one, and what that did to human codes.
struct Merge {
    attribute_columns: BTreeSet<String>,
    replace_codes: bool,
    kept: usize,
    changed: usize,
    /// Stored answers whose human codes the file changed (key, new codes).
    coded: Coded,
}

/// Answers whose human codes an import set: (key, codes), for the team log.
type Coded = Vec<(String, Vec<String>)>;

impl Merge {
    fn apply(&mut self, a: Answer, supplied: Supplied, old: &Answer) -> Answer {
        let key = old.key();
        let (a, outcome) =
            a.merged_over(old, supplied, &self.attribute_columns, self.replace_codes);
        match outcome {
            CodesOutcome::Kept => self.kept += 1,
            CodesOutcome::Changed => {
                self.changed += 1;
                self.coded.push((key, a.codes.clone()));
            }
            CodesOutcome::Same => {}
        }
        a
    }
}

fn plan(ws: &Workspace, spool: &mut Spool, merge: &mut Merge) -> Result<UpsertSummary> {
    let store = Store::open(ws)?;
    let mut answers = spool.read()?;
    let total = store.plan_upsert_with(answers.by_ref(), |a, supplied, old| {
        merge.apply(a, supplied, old)
    })?;
    answers.error.take().map_or(Ok(total), Err)
}

fn write(
    ws: &Workspace,
    spool: &mut Spool,
    total: usize,
    merge: &mut Merge,
    progress: &mut dyn FnMut(Progress),
) -> Result<(UpsertSummary, Coded)> {
    let store = Store::open(ws)?;
    // Answers of the file that carry human codes and are never merged over a stored one: the
    // new answers, whose codes this import sets.
    let fresh = RefCell::new(BTreeMap::new());
    let mut answers = spool.read()?;
    // The spool is our own file, written moments ago: failing to read it back means the disk
    // failed under us. The error reaches the store before its commit, so nothing is written.
    let items = std::iter::from_fn(|| match answers.next() {
        Some(a) => {
            if !a.0.codes.is_empty() {
                fresh.borrow_mut().insert(a.0.key(), a.0.codes.clone());
            }
            Some(Ok(a))
        }
        None => answers.error.take().map(Err),
    });
    let summary = store.try_upsert_with(
        items,
        |a, supplied, old| {
            fresh.borrow_mut().remove(&old.key());
            merge.apply(a, supplied, old)
        },
        |done| {
            if done % 1024 == 0 || done == total {
                progress(Progress::Writing { done, total });
            }
        },
    )?;
    progress(Progress::Writing { done: total, total });
    Ok((summary, fresh.into_inner().into_iter().collect()))
}

/// The import's summary as the command line prints it (English, one line each): the counts,
/// what happened to human codes, then (unless `quiet`) the file, its format and what it held.
pub fn summary(r: &ImportReport, quiet: bool) -> Vec<String> {
    let counts = format!(
        "added {}, replaced {}, unchanged {}",
        r.added, r.replaced, r.unchanged
    );
    let mut out = vec![if r.dry_run {
        format!("dry run, nothing written: would have {counts}")
    } else {
        counts
    }];
    out.extend(codes_lines(r));
    if quiet {
        return out;
    }
    out.extend(
        r.entities
            .iter()
            .map(|n| format!("  note: {}", entity_line(n))),
    );
    out.push(format!(
        "  {} ({}): {} rows, {} answers; months {}; questions {}",
        r.file.display(),
        format_label(&r.format),
        r.rows,
        r.answers,
        r.months.join(", "),
        r.questions.join(", ")
    ));
    if !r.new_questions.is_empty() {
        out.push(format!(
            "  {} open question{} to codifica.toml: {}",
            if r.dry_run { "would add" } else { "added" },
            if r.new_questions.len() == 1 { "" } else { "s" },
            r.new_questions.join(", ")
        ));
    }
    out
}

/// How the file was read: "CSV, Utf8, ','", "sheet 'Hoja1'" (and the hidden sheets not read).
pub fn format_label(format: &reader::SourceFormat) -> String {
    match format {
        reader::SourceFormat::Csv {
            encoding,
            delimiter,
        } => {
            let d = if *delimiter == '\t' {
                "tab".to_string()
            } else {
                format!("'{delimiter}'")
            };
            format!("CSV, {encoding:?}, {d}")
        }
        reader::SourceFormat::Sheet { sheet, hidden } if hidden.is_empty() => {
            format!("sheet '{sheet}'")
        }
        reader::SourceFormat::Sheet { sheet, hidden } => {
            format!(
                "sheet '{sheet}'; hidden sheets not read: {}",
                hidden.join(", ")
            )
        }
    }
}

/// What the import did to human codes already stored: kept (empty cells) and changed.
fn codes_lines(r: &ImportReport) -> Vec<String> {
    let (kept, changed) = if r.dry_run {
        ("would keep", "would change")
    } else {
        ("kept", "changed")
    };
    let s = |n: usize| if n == 1 { "" } else { "s" };
    let mut out = Vec::new();
    if r.codes_kept > 0 {
        out.push(format!(
            "{kept} the human codes of {} answer{} whose `codes` cell was empty \
             (--replace-codes clears them)",
            r.codes_kept,
            s(r.codes_kept)
        ));
    }
    if r.codes_changed > 0 {
        out.push(format!(
            "{changed} the human codes of {} answer{}",
            r.codes_changed,
            s(r.codes_changed)
        ));
    }
    out
}

/// What one column of a wide sheet is, in a mapping proposed to (and corrected by) an analyst.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Ignore,
    EntityCode,
    EntityName,
    Department,
    Region,
    Month,
    Date,
    /// A question of codifica.toml, by id.
    Question(String),
}

/// The entity and interview fields a column can hold, with the key a form sends for each.
pub const FIELDS: [(&str, Target); 6] = [
    ("entity_code", Target::EntityCode),
    ("entity_name", Target::EntityName),
    ("department", Target::Department),
    ("region", Target::Region),
    ("month", Target::Month),
    ("interview_date", Target::Date),
];

impl Target {
    /// The key a form sends: "" (ignored), a field of [`FIELDS`], or `q:ID`.
    pub fn key(&self) -> String {
        match self {
            Target::Ignore => String::new(),
            Target::Question(id) => format!("q:{id}"),
            field => FIELDS
                .iter()
                .find(|(_, t)| t == field)
                .map_or(String::new(), |(k, _)| k.to_string()),
        }
    }

    /// The target a form key names (unknown keys and questions not in `config` are ignored).
    pub fn from_key(key: &str, config: &Config) -> Target {
        if let Some(id) = key.strip_prefix("q:") {
            return match config.question(id) {
                Some(_) => Target::Question(id.to_string()),
                None => Target::Ignore,
            };
        }
        FIELDS
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(Target::Ignore, |(_, t)| t.clone())
    }
}

/// Words of a header or question text, lowercase without accents, for matching.
fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(crate::analyze::filters::fold)
        .collect()
}

/// Words that say nothing about which question a header is (and bare numbers, "1 a 5").
const HEADER_NOISE: [&str; 22] = [
    "a", "al", "como", "con", "de", "del", "el", "en", "es", "la", "las", "lo", "los", "o", "para",
    "por", "que", "se", "su", "un", "una", "y",
];

/// The words of `text` that can tell questions apart.
fn telling_words(text: &str) -> Vec<String> {
    words(text)
        .into_iter()
        .filter(|w| !HEADER_NOISE.contains(&w.as_str()) && !w.chars().all(|c| c.is_ascii_digit()))
        .collect()
}

/// The field a header names by its usual words (Spanish or codifica's own), if any.
fn field_of(w: &[String]) -> Option<Target> {
    let has = |k: &str| w.iter().any(|x| x == k);
    let joined = w.join("_");
    if let Some((_, t)) = FIELDS.iter().find(|(k, _)| *k == joined) {
        return Some(t.clone());
    }
    if has("divipola") || has("codigo") || has("cod") {
        Some(Target::EntityCode)
    } else if has("departamento") || has("depto") {
        Some(Target::Department)
    } else if has("region") {
        Some(Target::Region)
    } else if has("mes") || has("periodo") {
        Some(Target::Month)
    } else if has("fecha") {
        Some(Target::Date)
    } else if has("entidad") || has("municipio") || has("nombre") || has("alcaldia") {
        Some(Target::EntityName)
    } else {
        None
    }
}

/// How well header words `h` match a question (its id, label and text, telling words only):
/// the share of the shorter side's words found in the other, provided they are at least 30 %
/// of the longer side (so "asistencia técnica" does not name every question that says it).
fn score(h: &[String], q: &crate::config::Question) -> f64 {
    [
        telling_words(&q.id),
        telling_words(q.label()),
        telling_words(&q.text),
    ]
    .iter()
    .filter(|t| !t.is_empty() && !h.is_empty())
    .map(|t| {
        let shared = h.iter().filter(|w| t.contains(w)).count() as f64;
        let longer = h.len().max(t.len()) as f64;
        let shorter = h.len().min(t.len()) as f64;
        if shared / longer >= 0.3 {
            shared / shorter
        } else {
            0.0
        }
    })
    .fold(0.0, f64::max)
}

/// A proposed target for each column of `headers`: a question when the header matches its id,
/// label or text (best match, at least 60 % of the shorter side's words), else an entity or interview field
/// by its usual words, else ignored. Each target is proposed once (the first column wins).
pub fn propose(config: &Config, headers: &[String]) -> Vec<Target> {
    let mut taken: Vec<Target> = Vec::new();
    let mut out = Vec::with_capacity(headers.len());
    for h in headers {
        let w = words(h);
        let telling = telling_words(h);
        let question = config
            .questions
            .iter()
            .map(|q| (score(&telling, q), q))
            .filter(|(s, _)| *s >= 0.6)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, q)| Target::Question(q.id.clone()));
        let t = question
            .or_else(|| field_of(&w))
            .filter(|t| !w.is_empty() && !taken.contains(t))
            .unwrap_or(Target::Ignore);
        if t != Target::Ignore {
            taken.push(t.clone());
        }
        out.push(t);
    }
    out
}

/// Why a column assignment is not a usable mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingProblem {
    /// The mapping has no name (it is saved under it).
    NoName,
    /// No column holds the entity code.
    NoEntityCode,
    /// No month column and no fixed month (or one that is not a month).
    NoMonth,
    /// No column holds a question.
    NoQuestion,
    /// Two columns hold the same field or question (the target's form key).
    Twice(String),
}

/// The name of the first column read as `want`.
fn column_of(headers: &[String], targets: &[Target], want: &Target) -> Option<String> {
    targets
        .iter()
        .position(|t| t == want)
        .and_then(|i| headers.get(i).map(|h| h.trim().to_string()))
}

/// Every reason the assignment is not a usable mapping (`fixed`: the month of every row, when
/// given and a month).
fn mapping_problems(
    name: &str,
    headers: &[String],
    targets: &[Target],
    fixed: Option<&str>,
) -> Vec<MappingProblem> {
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for t in targets.iter().filter(|t| **t != Target::Ignore) {
        if seen.contains(&t) {
            problems.push(MappingProblem::Twice(t.key()));
        }
        seen.push(t);
    }
    if name.trim().is_empty() {
        problems.push(MappingProblem::NoName);
    }
    if column_of(headers, targets, &Target::EntityCode).is_none() {
        problems.push(MappingProblem::NoEntityCode);
    }
    if column_of(headers, targets, &Target::Month).is_none() && fixed.is_none() {
        problems.push(MappingProblem::NoMonth);
    }
    if !targets.iter().any(|t| matches!(t, Target::Question(_))) {
        problems.push(MappingProblem::NoQuestion);
    }
    problems
}

/// The `[[mapping]]` named `name` that reads column `headers[i]` as `targets[i]`; `month_value`
/// is the month of every row when no column holds it. Every problem is listed.
pub fn mapping_from(
    name: &str,
    headers: &[String],
    targets: &[Target],
    month_value: Option<&str>,
) -> std::result::Result<WideMapping, Vec<MappingProblem>> {
    let fixed = month_value
        .and_then(crate::month::Month::parse_lenient)
        .map(|m| m.to_string());
    let problems = mapping_problems(name, headers, targets, fixed.as_deref());
    if !problems.is_empty() {
        return Err(problems);
    }
    let column = |want: Target| column_of(headers, targets, &want);
    let month = column(Target::Month);
    let questions = headers
        .iter()
        .zip(targets)
        .filter_map(|(h, t)| match t {
            Target::Question(id) => Some((h.trim().to_string(), id.clone())),
            _ => None,
        })
        .collect();
    Ok(WideMapping {
        name: name.trim().to_string(),
        entity_code: column(Target::EntityCode).unwrap_or_default(),
        entity_name: column(Target::EntityName),
        department: column(Target::Department),
        region: column(Target::Region),
        month_value: if month.is_some() { None } else { fixed },
        month,
        interview_date: column(Target::Date),
        questions,
        ..empty_mapping()
    })
}

/// A mapping with nothing set (the fields [`mapping_from`] does not fill).
fn empty_mapping() -> WideMapping {
    WideMapping {
        name: String::new(),
        sheet: None,
        entity_code: String::new(),
        entity_name: None,
        department: None,
        region: None,
        entity_kind: None,
        month: None,
        month_value: None,
        interview_date: None,
        respondent_role: None,
        answer_id: Vec::new(),
        number_repeats: false,
        questions: Default::default(),
        codes: Default::default(),
        question_column: None,
        question_values: Default::default(),
        answer_column: None,
        rating_column: None,
        codes_column: None,
        attributes: Vec::new(),
    }
}

/// Words of an entity name that do not tell entities apart ("Alcaldía de …", "D.C.").
const NAME_NOISE: [&str; 16] = [
    "alcaldia",
    "municipal",
    "municipio",
    "gobernacion",
    "departamento",
    "distrito",
    "de",
    "del",
    "la",
    "el",
    "los",
    "las",
    "y",
    "d",
    "c",
    "dc",
];

/// An entity name as compared with the gazetteer: folded words without the noise, joined.
fn name_key(name: &str) -> String {
    words(name)
        .into_iter()
        .filter(|w| !NAME_NOISE.contains(&w.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when two name keys name the same entity ("bogota" and "bogota capital" do).
fn same_name(a: &str, b: &str) -> bool {
    !a.is_empty() && !b.is_empty() && (a == b || a.contains(b) || b.contains(a))
}

/// Edit distance between two strings, by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Up to three gazetteer entities whose names are nearest to `key`, within a third of its
/// length (at least two edits).
fn closest(key: &str, population: &[crate::sample::PopulationEntity]) -> Vec<(String, String)> {
    let limit = (key.chars().count() / 3).max(2);
    let mut near: Vec<(usize, &crate::sample::PopulationEntity)> = population
        .iter()
        .map(|p| (distance(key, &name_key(&p.entity_name)), p))
        .filter(|(d, _)| *d <= limit)
        .collect();
    near.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.entity_code.cmp(&b.1.entity_code)));
    near.iter()
        .take(3)
        .map(|(_, p)| (p.entity_code.clone(), p.entity_name.clone()))
        .collect()
}

/// Checks the file's entities against the built-in DIVIPOLA gazetteer. Only Colombian codes are
/// checked: all digits, of a department the gazetteer has (other countries' data, synthetic
/// codes and free-form ids are left alone).
pub fn check_entities(entities: &std::collections::BTreeMap<String, String>) -> Vec<EntityNote> {
    let Ok(population) = crate::sample::builtin_population() else {
        return Vec::new();
    };
    let by_code: std::collections::HashMap<&str, &str> = population
        .iter()
        .map(|p| (p.entity_code.as_str(), p.entity_name.as_str()))
        .collect();
    let departments: BTreeSet<&str> = population
        .iter()
        .filter_map(|p| p.entity_code.get(..2))
        .collect();
    let mut notes = Vec::new();
    for (code, name) in entities {
        let c = code.trim();
        let c = if c.len() == 4 {
            format!("0{c}")
        } else {
            c.to_string()
        };
        let colombian = c.chars().all(|ch| ch.is_ascii_digit())
            && matches!(c.len(), 2 | 5)
            && departments.contains(&c[..2]);
        if !colombian {
            continue;
        }
        let key = name_key(name);
        let known = by_code.get(c.as_str()).copied();
        if known.is_some_and(|k| same_name(&key, &name_key(k))) {
            continue;
        }
        notes.push(EntityNote {
            code: code.clone(),
            name: name.clone(),
            divipola_name: known.map(str::to_string),
            closest: closest(&key, &population),
        });
    }
    notes
}

/// An entity note as the command line prints it (English).
pub fn entity_line(n: &EntityNote) -> String {
    let what = match &n.divipola_name {
        Some(d) => format!("DIVIPOLA names {} '{d}'", n.code),
        None => format!("{} is not a DIVIPOLA code", n.code),
    };
    let near: Vec<String> = n.closest.iter().map(|(c, m)| format!("{c} {m}")).collect();
    let near = if near.is_empty() {
        String::new()
    } else {
        format!("; closest: {}", near.join(", "))
    };
    format!("entity {} '{}': {what}{near}", n.code, n.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    use crate::config::Config;
    use crate::store::AnswerFilter;

    const HEADER: &str =
        "entity_code,entity_name,department,region,month,question,answer,rating,codes\n";

    fn setup(body: &str) -> (tempfile::TempDir, Workspace, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let ws =
            Workspace::init(&dir.path().join("ws"), Config::monitoreo360_text(), false).unwrap();
        let file = dir.path().join("m.csv");
        std::fs::write(&file, format!("{HEADER}{body}")).unwrap();
        (dir, ws, file)
    }

    #[test]
    fn import_is_idempotent_and_replaces_changed_rows() {
        let body = "05001,Medellín,Antioquia,Eje Cafetero,2020-07,calificacion_general,,4,\n\
                    05001,Medellín,Antioquia,Eje Cafetero,2020-07,articulacion_instrumentos,Sí ayuda,,\n";
        let (dir, ws, file) = setup(body);
        let r = import(&ws, &file, &ImportOptions::default()).unwrap();
        assert_eq!(
            (r.rows, r.answers, r.added, r.replaced, r.unchanged),
            (2, 2, 2, 0, 0)
        );
        let r = import(&ws, &file, &ImportOptions::default()).unwrap();
        assert_eq!((r.added, r.replaced, r.unchanged), (0, 0, 2));
        let changed = body.replace(",4,", ",3,");
        std::fs::write(&file, format!("{HEADER}{changed}")).unwrap();
        let dry = ImportOptions {
            dry_run: true,
            ..Default::default()
        };
        let r = import(&ws, &file, &dry).unwrap();
        assert_eq!((r.added, r.replaced, r.unchanged), (0, 1, 1));
        let store = Store::open(&ws).unwrap();
        let all = store.answers(&AnswerFilter::default()).unwrap();
        assert_eq!(
            all.iter().filter_map(|a| a.rating).collect::<Vec<_>>(),
            [4.0]
        );
        let r = import(&ws, &file, &ImportOptions::default()).unwrap();
        assert_eq!((r.added, r.replaced, r.unchanged), (0, 1, 1));
        assert_eq!(store.len().unwrap(), 2);
        drop(dir);
    }

    #[test]
    fn bad_rows_write_nothing_and_new_questions_are_saved_on_success() {
        let (_dir, ws, file) = setup(
            "05001,Medellín,Antioquia,Eje Cafetero,2020-07,calificacion_general,,4,\n\
             05001,Medellín,Antioquia,Eje Cafetero,2020-07,pregunta_nueva,texto,,\n",
        );
        let err = import(&ws, &file, &ImportOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("row 3") && err.contains("unknown question"),
            "{err}"
        );
        assert_eq!(Store::open(&ws).unwrap().len().unwrap(), 0);
        let opts = ImportOptions {
            new_questions: true,
            ..Default::default()
        };
        let r = import(&ws, &file, &opts).unwrap();
        assert_eq!(r.new_questions, ["pregunta_nueva"]);
        let again = Workspace::open(ws.root()).unwrap();
        assert!(
            again
                .config()
                .question("pregunta_nueva")
                .is_some_and(|q| q.is_coded())
        );
    }

    #[test]
    fn a_file_changed_while_it_is_read_is_refused() {
        let (_dir, ws, file) = setup("05001,M,A,R,2020-07,calificacion_general,,4,\n");
        let mut changed = false;
        let mut rewrite = |p: Progress| {
            if matches!(p, Progress::Reading { .. }) && !changed {
                changed = true;
                let mut text = std::fs::read_to_string(&file).unwrap();
                text.push_str("08001,B,A,R,2020-07,calificacion_general,,3,\n");
                std::fs::write(&file, text).unwrap();
            }
        };
        let err = import_with_progress(&ws, &file, &ImportOptions::default(), &mut rewrite)
            .unwrap_err()
            .to_string();
        assert!(err.contains("changed while it was being imported"), "{err}");
        assert_eq!(Store::open(&ws).unwrap().len().unwrap(), 0);
    }

    #[test]
    fn busy_workspace_is_refused() {
        let (_dir, ws, file) = setup("05001,M,A,R,2020-07,calificacion_general,,4,\n");
        let _held = ws.lock().unwrap();
        let err = import(&ws, &file, &ImportOptions::default()).unwrap_err();
        assert!(matches!(err, Error::Busy { .. }), "{err}");
    }
}
