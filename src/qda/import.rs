//! REFI-QDA projects in (`.qdpx`, or an unzipped `.qde` with its `Sources/` folder): the coded
//! sources of NVivo, ATLAS.ti, MAXQDA or QualCoder become answers with human codes, so that
//! codifica can learn from them; a project codifica exported comes back as the same answers.
//!
//! Mapping (stated in a [`QdaMapping`], defaults = the names codifica's own export writes):
//! - each text source is one answer; when its codings cover different spans of the text (a
//!   transcript holding several answers), each distinct coded span `[start, end)` is one answer
//!   instead, with the span's text and `answer_id` `START-END` (after the source's own answer id
//!   and `:` when it has one); uncoded text between spans is not an answer and is counted as
//!   skipped. Positions are Unicode code points counted after a byte-order mark. Several
//!   sources of one entity, month and question get their source's name as answer id first.
//! - the entity, month, question, answer id, dates and rating come from variables of the source
//!   or of the case that holds it (`<SourceRef>`); the rest of the variables become attributes.
//!   Without an entity variable, the case's name is the entity (else the source's name); without
//!   a month or question variable, the mapping's fixed values are used; without those, the
//!   question is the one whose codebook the source's codes belong to (for an uncoded source: the
//!   one question of the project's codebook, if it has only one).
//! - the codebook: each top-level category whose GUID or name is a question of the workspace
//!   (codifica exports one per question) holds that question's codes; codes outside them belong
//!   to the mapping's fixed question. Codes keep their GUIDs; codes the workspace already has
//!   (by GUID, then label — see [`super::qdc::Matching`]) keep id, polarity and seeds; the
//!   workspace's codes the project lacks are kept.
//! - codings by codifica's model user are the answer's machine coding (its `<Description>`
//!   carries confidence, margin and model); every other coding is a human code, and the names
//!   of its users, unless it is codifica's own "Analista", are kept in the attribute `coder`.
//!
//! Nothing is written until the whole project has been read and checked ([`plan`]); a dry run
//! reports exactly what [`apply`] would do.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::dom::{self, Element};
use super::qdc::{self, Matching, RawCode};
use super::{decode_xml, guid_for};
use crate::answer::{Answer, MachineCoding};
use crate::codebook::{self, Codebook, normalize_guid};
use crate::error::{Error, Result};
use crate::month::Month;
use crate::store::{Store, UpsertSummary};
use crate::workspace::Workspace;

/// Largest file accepted inside a project (the `.qde` or one source), uncompressed.
pub const MAX_ENTRY_BYTES: u64 = 256 << 20;
/// Largest total uncompressed size of the files read from a project.
pub const MAX_TOTAL_BYTES: u64 = 2 << 30;

/// Attribute that keeps the names of the people who coded an answer in another tool.
pub const CODER_ATTRIBUTE: &str = "coder";
/// Name of codifica's human user in its own exports (not kept as a coder).
pub const CODIFICA_ANALYST: &str = "Analista";
/// A private attribute carrying an answer's coders from its source to the plan, where it is
/// taken out (answer keys are final only then): never stored.
const CODERS_CARRIED: &str = "\u{0}coders";
/// Separates the coders from the coding time in [`CODERS_CARRIED`].
const CARRIED_AT: char = '\u{1}';
/// Name of codifica's model user in its own exports.
pub const CODIFICA_MODEL: &str = "codifica (modelo)";

/// Which variables of a project hold the answer's fields. Every name is a variable of the
/// source or of its case; the defaults are the ones codifica's export writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QdaMapping {
    pub entity_code: String,
    pub entity_name: String,
    pub department: String,
    pub region: String,
    pub entity_kind: String,
    pub month: String,
    pub question: String,
    pub answer_id: String,
    pub interview_date: String,
    pub respondent_role: String,
    pub rating: String,
    /// The month of every source that has no month variable (`YYYY-MM`).
    pub fixed_month: Option<String>,
    /// The question of every source that has no question variable, and of codes outside the
    /// question categories.
    pub fixed_question: Option<String>,
    /// Stated code matches: the project's code label → the workspace code id it is.
    pub codes: BTreeMap<String, String>,
}

impl Default for QdaMapping {
    fn default() -> Self {
        QdaMapping {
            entity_code: "Código de entidad".into(),
            entity_name: "Entidad".into(),
            department: "Departamento".into(),
            region: "Región".into(),
            entity_kind: "Tipo de entidad".into(),
            month: "Mes".into(),
            question: "Pregunta".into(),
            answer_id: "ID de respuesta".into(),
            interview_date: "Fecha de entrevista".into(),
            respondent_role: "Cargo del entrevistado".into(),
            rating: "Calificación".into(),
            fixed_month: None,
            fixed_question: None,
            codes: BTreeMap::new(),
        }
    }
}

impl QdaMapping {
    /// Reads a mapping from a TOML file (unknown keys refused).
    pub fn load(path: &Path) -> Result<QdaMapping> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        toml::from_str(&text).map_err(|e| Error::file(path, e.message().to_string()))
    }

    /// The variable names the mapping uses (the others become attributes).
    fn mapped(&self) -> [&str; 11] {
        [
            &self.entity_code,
            &self.entity_name,
            &self.department,
            &self.region,
            &self.entity_kind,
            &self.month,
            &self.question,
            &self.answer_id,
            &self.interview_date,
            &self.respondent_role,
            &self.rating,
        ]
    }
}

/// True for a file `codifica import` reads as a REFI-QDA project.
pub fn is_project(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    matches!(ext.as_deref(), Some("qdpx" | "qde"))
}

/// What a project import does (or, in a dry run, would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProjectReport {
    pub file: PathBuf,
    pub sources: usize,
    pub answers: usize,
    /// Answers cut from coded spans of a source holding several answers.
    pub span_answers: usize,
    /// Sources, or stretches of uncoded text between spans, that did not become answers.
    pub skipped: Vec<String>,
    pub human_codings: usize,
    pub machine_codings: usize,
    /// Users who coded, by name.
    pub coders: Vec<String>,
    pub added: usize,
    pub replaced: usize,
    pub unchanged: usize,
    /// Per question: how the project's codes met the workspace codebook.
    pub codebooks: Vec<CodebookReport>,
    pub dry_run: bool,
    /// The answers whose human codes the import set (for the team log; empty in a dry run).
    #[serde(skip)]
    pub coded: Vec<CodedAnswer>,
}

/// How one question's codebook was merged.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CodebookReport {
    pub question: String,
    pub by_guid: usize,
    pub by_mapping: usize,
    pub by_label: usize,
    pub new: Vec<String>,
    pub unmatched_existing_kept: Vec<String>,
}

/// A checked import, ready to write.
pub struct Plan {
    pub answers: Vec<Answer>,
    /// Who coded each answer (answer key → user names joined by "; "), for the team log:
    /// codifica's own coders (exported as `<User id="coder:NAME">`) and other tools' users.
    pub coders: BTreeMap<String, String>,
    /// `(old, new)` codebook per question the project touches.
    pub codebooks: Vec<(Option<Codebook>, Codebook)>,
    pub report: ProjectReport,
}

/// Reads and checks the whole project; writes nothing. The counts of added / replaced /
/// unchanged answers come from the store, as in a CSV import.
pub fn plan(ws: &Workspace, store: &Store, path: &Path, mapping: &QdaMapping) -> Result<Plan> {
    let files = ProjectFiles::open(path)?;
    let qde = decode_xml(&files.qde_bytes).map_err(|m| Error::file(&files.qde_name, m))?;
    let at = |line: usize, m: String| Error::file(&files.qde_name, format!("line {line}: {m}"));
    let root = dom::parse(&qde).map_err(|(l, m)| at(l, format!("malformed XML: {m}")))?;
    if root.name != "Project" {
        return Err(at(
            root.line,
            format!("the root element is <{}>, expected <Project>", root.name),
        ));
    }
    let users = read_users(&root);
    let books = read_codebooks(ws, &root, mapping, path)?;
    let vars = read_variables(&root);
    let cases = read_cases(&root, &vars);
    let mut report = ProjectReport {
        file: path.to_path_buf(),
        ..Default::default()
    };
    let mut coders = BTreeSet::new();
    let mut answers = Vec::new();
    let sources: Vec<&Element> = root
        .child("Sources")
        .map(|s| s.children.iter().collect())
        .unwrap_or_default();
    for src in sources {
        if src.name != "TextSource" {
            report.skipped.push(format!(
                "line {}: <{}> '{}' (only text sources are answers)",
                src.line,
                src.name,
                src.attr("name").unwrap_or("")
            ));
            continue;
        }
        report.sources += 1;
        let ctx = SourceCtx {
            files: &files,
            users: &users,
            books: &books,
            vars: &vars,
            cases: &cases,
            mapping,
            config: ws.config(),
        };
        let read = read_source(&ctx, src).map_err(|(l, m)| at(l, m))?;
        report.human_codings += read.human_codings;
        report.machine_codings += read.machine_codings;
        report.span_answers += read.span_answers;
        report.skipped.extend(read.skipped);
        coders.extend(read.coders);
        let name = src.attr("name").unwrap_or("").to_string();
        answers.extend(read.answers.into_iter().map(|a| (name.clone(), a)));
    }
    let mut answers = name_colliding_sources(answers);
    check_unique_keys(&answers, &files.qde_name)?;
    let answer_coders = answers
        .iter_mut()
        .filter_map(|a| Some((a.key(), a.attributes.remove(CODERS_CARRIED)?)))
        .collect();
    let summary = store.plan_upsert(&answers)?;
    report.answers = answers.len();
    report.added = summary.added;
    report.replaced = summary.replaced;
    report.unchanged = summary.unchanged;
    report.coders = coders.into_iter().collect();
    let mut codebooks = Vec::new();
    for b in books.by_question.into_values() {
        report.codebooks.push(b.report);
        codebooks.push((b.old, b.new));
    }
    Ok(Plan {
        answers,
        coders: answer_coders,
        codebooks,
        report,
    })
}

/// Writes a checked plan: each codebook through the codebook edit journal (so it never drops a
/// code answers use), then every answer in one store commit. The caller holds the lock.
pub fn apply(ws: &Workspace, store: &Store, plan: Plan) -> Result<ProjectReport> {
    let recode = codebook::edit::Recode::default();
    for (old, new) in &plan.codebooks {
        codebook::edit::check(store, old.as_ref(), new, &recode)?;
    }
    for (old, new) in &plan.codebooks {
        if old.as_ref() != Some(new) {
            codebook::edit::commit(ws, store, old.as_ref(), new, &recode)?;
        }
    }
    let coded = coded_by(store, &plan)?;
    let summary: UpsertSummary = store.upsert(plan.answers, |_| {})?;
    let mut report = plan.report;
    report.coded = coded;
    report.added = summary.added;
    report.replaced = summary.replaced;
    report.unchanged = summary.unchanged;
    Ok(report)
}

/// The answers of the plan whose human codes differ from the stored ones (new answers with
/// codes included): (key, codes, who coded them if the project says).
fn coded_by(store: &Store, plan: &Plan) -> Result<Vec<CodedAnswer>> {
    let mut out = Vec::new();
    for a in plan.answers.iter().filter(|a| a.is_coded()) {
        let key = a.key();
        let old = store.get(&key)?.map(|o| o.codes).unwrap_or_default();
        if old != a.codes {
            let (coder, at) = match plan.coders.get(&key) {
                None => (None, None),
                Some(carried) => match carried.split_once(CARRIED_AT) {
                    Some((c, t)) => (Some(c.to_string()), Some(t.to_string())),
                    None => (Some(carried.clone()), None),
                },
            };
            let codes = a.codes.clone();
            out.push(CodedAnswer {
                key,
                codes,
                coder,
                at,
            });
        }
    }
    Ok(out)
}

/// An answer whose human codes an import set, for the team log.
#[derive(Debug, Clone, PartialEq)]
pub struct CodedAnswer {
    pub key: String,
    pub codes: Vec<String>,
    /// Who coded it, if the project says (several users: names joined by "; ").
    pub coder: Option<String>,
    /// When, if the project says (the codings' `creationDateTime`).
    pub at: Option<String>,
}

/// Several sources of one entity, month and question (an interview split into documents) with
/// no answer id: each gets its source's name as answer id (before the span, if any), so that
/// none overwrites another.
fn name_colliding_sources(answers: Vec<(String, Answer)>) -> Vec<Answer> {
    let mut sources_per_key: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for (name, a) in &answers {
        let key = crate::answer::answer_key(&a.entity_code, a.month, &a.question, None);
        sources_per_key.entry(key).or_default().insert(name);
    }
    let colliding: BTreeSet<String> = sources_per_key
        .into_iter()
        .filter(|(_, names)| names.len() > 1)
        .map(|(k, _)| k)
        .collect();
    answers
        .into_iter()
        .map(|(name, mut a)| {
            let key = crate::answer::answer_key(&a.entity_code, a.month, &a.question, None);
            if colliding.contains(&key) {
                a.answer_id = Some(match a.answer_id.take() {
                    Some(id) => format!("{name}:{id}"),
                    None => name,
                });
            }
            a
        })
        .collect()
}

fn check_unique_keys(answers: &[Answer], qde: &Path) -> Result<()> {
    let mut seen = BTreeSet::new();
    for a in answers {
        if !seen.insert(a.key()) {
            return Err(Error::file(
                qde,
                format!(
                    "two sources make the same answer {} (entity, month, question and answer id): \
                     map an answer-id variable, or give each source its own entity",
                    a.key()
                ),
            ));
        }
    }
    Ok(())
}

/// The `.qde` and the source files of a project: a zip, or a `.qde` with `Sources/` beside it.
struct ProjectFiles {
    /// For messages: the project file and, in a zip, the `.qde` inside it.
    qde_name: PathBuf,
    qde_bytes: Vec<u8>,
    /// Zip entries by lowercased name (`sources/x.txt`), or none for an unzipped project.
    zip: Option<BTreeMap<String, Vec<u8>>>,
    /// Folder of the project file (external and unzipped sources are relative to it).
    dir: PathBuf,
}

impl ProjectFiles {
    fn open(path: &Path) -> Result<ProjectFiles> {
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut head = [0u8; 4];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|e| Error::io(path, e))?;
        if n == 4 && &head == b"PK\x03\x04" {
            return Self::open_zip(path, dir);
        }
        let qde_bytes = read_capped(path)?;
        Ok(ProjectFiles {
            qde_name: path.to_path_buf(),
            qde_bytes,
            zip: None,
            dir,
        })
    }

    fn open_zip(path: &Path, dir: PathBuf) -> Result<ProjectFiles> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let bad = |m: String| Error::file(path, m);
        let mut zip =
            zip::ZipArchive::new(file).map_err(|e| bad(format!("not a readable zip: {e}")))?;
        let mut entries = BTreeMap::new();
        let mut qdes = Vec::new();
        let mut total = 0u64;
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).map_err(|e| bad(e.to_string()))?;
            if f.is_dir() {
                continue;
            }
            let name = f.name().replace('\\', "/");
            let lower = name.to_lowercase();
            let wanted = lower.ends_with(".qde") || lower.starts_with("sources/");
            if !wanted {
                continue;
            }
            if f.size() > MAX_ENTRY_BYTES || total + f.size() > MAX_TOTAL_BYTES {
                return Err(bad(format!(
                    "{name}: too large ({} bytes uncompressed; the limit is {MAX_ENTRY_BYTES} \
                     per file, {MAX_TOTAL_BYTES} in all)",
                    f.size()
                )));
            }
            let mut bytes = Vec::with_capacity(f.size() as usize);
            (&mut f)
                .take(MAX_ENTRY_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| bad(format!("{name}: {e}")))?;
            total += bytes.len() as u64;
            if lower.ends_with(".qde") && !lower.contains('/') {
                qdes.push((name, bytes));
            } else {
                entries.insert(lower, bytes);
            }
        }
        // Tools name the project file as they like; `project.qde` wins if there are several.
        let pick = qdes
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case("project.qde"))
            .or((qdes.len() == 1).then_some(0));
        let Some(i) = pick else {
            return Err(bad(if qdes.is_empty() {
                "no .qde project file at the top of the zip: is this a REFI-QDA project?".into()
            } else {
                let names: Vec<&str> = qdes.iter().map(|(n, _)| n.as_str()).collect();
                format!(
                    "several .qde files ({}), none named project.qde",
                    names.join(", ")
                )
            }));
        };
        let (name, qde_bytes) = qdes.swap_remove(i);
        Ok(ProjectFiles {
            qde_name: PathBuf::from(format!("{}:{name}", path.display())),
            qde_bytes,
            zip: Some(entries),
            dir,
        })
    }

    /// The bytes of a source by its `plainTextPath`.
    fn source(&self, path: &str) -> std::result::Result<Vec<u8>, String> {
        if let Some(rest) = path.strip_prefix("internal://") {
            let key = format!("sources/{}", rest.trim_start_matches('/')).to_lowercase();
            return match &self.zip {
                Some(z) => z
                    .get(&key)
                    .cloned()
                    .ok_or_else(|| format!("Sources/{rest} is missing from the project")),
                None => {
                    for d in ["Sources", "sources"] {
                        let p = self.dir.join(d).join(rest);
                        if p.is_file() {
                            return read_capped(&p).map_err(|e| e.to_string());
                        }
                    }
                    Err(format!(
                        "Sources/{rest} is missing beside {}",
                        self.qde_name.display()
                    ))
                }
            };
        }
        let external = if let Some(rest) = path.strip_prefix("relative://") {
            self.dir.join(rest)
        } else if let Some(rest) = path
            .strip_prefix("absolute://")
            .or_else(|| path.strip_prefix("file://"))
        {
            PathBuf::from(rest)
        } else {
            return Err(format!("unsupported source path '{path}'"));
        };
        read_capped(&external).map_err(|e| format!("external source: {e}"))
    }
}

fn read_capped(path: &Path) -> Result<Vec<u8>> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::new();
    f.take(MAX_ENTRY_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_ENTRY_BYTES {
        return Err(Error::file(
            path,
            format!("larger than {MAX_ENTRY_BYTES} bytes"),
        ));
    }
    Ok(bytes)
}

/// Source text: UTF-8 or UTF-16 (with BOM); the BOM is not part of the text, so positions
/// count after it (QualCoder's own exports would otherwise be off by one).
fn decode_source(bytes: &[u8]) -> std::result::Result<String, String> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, bad) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return if bad {
            Err(format!("not valid {}", enc.name()))
        } else {
            Ok(text.into_owned())
        };
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| "not valid UTF-8".to_string())
}

/// User GUID → name.
fn read_users(root: &Element) -> BTreeMap<String, String> {
    root.child("Users")
        .map(|u| {
            u.children_named("User")
                .filter_map(|u| {
                    let g = normalize_guid(u.attr("guid")?)?;
                    let name = u.attr("name").or(u.attr("id")).unwrap_or("").to_string();
                    Some((g, name))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Variable GUID → name.
fn read_variables(root: &Element) -> BTreeMap<String, String> {
    root.child("Variables")
        .map(|v| {
            v.children_named("Variable")
                .filter_map(|v| Some((normalize_guid(v.attr("guid")?)?, v.attr("name")?.into())))
                .collect()
        })
        .unwrap_or_default()
}

/// Variable values of an element, by variable name.
fn values(el: &Element, vars: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for vv in el.children_named("VariableValue") {
        let Some(name) = vv
            .child("VariableRef")
            .and_then(|r| r.attr("targetGUID"))
            .and_then(normalize_guid)
            .and_then(|g| vars.get(&g))
        else {
            continue;
        };
        let value = vv
            .children
            .iter()
            .find(|c| c.name != "VariableRef")
            .map(|c| c.text.clone())
            .unwrap_or_default();
        out.insert(name.clone(), value);
    }
    out
}

/// A case: its name and variable values.
struct Case {
    name: String,
    values: BTreeMap<String, String>,
}

/// Source GUID → the case that refers to it.
fn read_cases(root: &Element, vars: &BTreeMap<String, String>) -> BTreeMap<String, Case> {
    let mut out = BTreeMap::new();
    let Some(cases) = root.child("Cases") else {
        return out;
    };
    for c in cases.children_named("Case") {
        for r in c.children_named("SourceRef") {
            if let Some(g) = r.attr("targetGUID").and_then(normalize_guid) {
                out.insert(
                    g,
                    Case {
                        name: c.attr("name").unwrap_or("").to_string(),
                        values: values(c, vars),
                    },
                );
            }
        }
    }
    out
}

/// One question's codebook as merged from the project.
struct QuestionBook {
    old: Option<Codebook>,
    new: Codebook,
    report: CodebookReport,
}

/// The project's codebook split onto the workspace's questions.
struct Books {
    by_question: BTreeMap<String, QuestionBook>,
    /// Project code GUID → (question, code id).
    code: BTreeMap<String, (String, String)>,
}

fn read_codebooks(
    ws: &Workspace,
    root: &Element,
    mapping: &QdaMapping,
    path: &Path,
) -> Result<Books> {
    let mut books = Books {
        by_question: BTreeMap::new(),
        code: BTreeMap::new(),
    };
    let Some(book) = root.child("CodeBook") else {
        return Ok(books);
    };
    let err = |(l, m): dom::DomError| Error::file(path, format!("line {l}: {m}"));
    let (flat, guids) = qdc::read_codebook(book).map_err(err)?;
    let mut polarity = qdc::read_sets(book, &guids).map_err(err)?;
    polarity.extend(qdc::read_sets(root, &guids).map_err(err)?);
    let config = ws.config();
    // Each top-level code: a question category, or a code of the fixed question.
    let mut groups: BTreeMap<String, Vec<RawCode>> = BTreeMap::new();
    let mut top_question: BTreeMap<String, String> = BTreeMap::new();
    for r in &flat {
        let q = match &r.parent_guid {
            Some(p) => top_question.get(p).cloned(),
            None => match qdc::question_named(config, r) {
                Some(q) if !r.codable => {
                    top_question.insert(r.guid.clone(), q);
                    continue;
                }
                _ => mapping.fixed_question.clone(),
            },
        };
        let Some(q) = q else {
            return Err(Error::file(
                path,
                format!(
                    "code '{}' is under no category named like a question of codifica.toml \
                     ({}); state its question with fixed_question in a mapping (see docs/qda.md)",
                    r.name,
                    config
                        .coded_questions()
                        .map(|q| q.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        };
        top_question.insert(r.guid.clone(), q.clone());
        let mut code = r.clone();
        if code.parent_guid.as_ref().is_some_and(|p| {
            !groups
                .get(&q)
                .is_some_and(|g| g.iter().any(|c| &c.guid == p))
        }) {
            code.parent_guid = None; // its parent was the question category
        }
        let label = config.question(&q).map(|x| x.label().to_string());
        code.name = strip_qualifier(&code.name, label.as_deref().unwrap_or(&q));
        groups.entry(q).or_default().push(code);
    }
    for (q, raw) in groups {
        let old = codebook::load(ws, &q)?;
        let title = config
            .question(&q)
            .map(|x| x.text.clone())
            .unwrap_or_default();
        let imported = qdc::build_checked(
            path,
            &q,
            old.as_ref(),
            &title,
            raw,
            &polarity,
            &mapping.codes,
        )?;
        for (g, id) in &imported.id_of {
            books.code.insert(g.clone(), (q.clone(), id.clone()));
        }
        let new = keep_unmatched(old.as_ref(), imported.codebook, &imported.matching);
        let m: Matching = imported.matching;
        books.by_question.insert(
            q.clone(),
            QuestionBook {
                report: CodebookReport {
                    question: q,
                    by_guid: m.by_guid,
                    by_mapping: m.by_mapping,
                    by_label: m.by_label,
                    new: m.new,
                    unmatched_existing_kept: m.unmatched_existing,
                },
                old,
                new,
            },
        );
    }
    Ok(books)
}

/// codifica's export makes labels unique across questions by appending ` [question label]`
/// (or ` [question label N]`); the import takes it off again.
fn strip_qualifier(name: &str, question_label: &str) -> String {
    let Some(rest) = name.strip_suffix(']') else {
        return name.to_string();
    };
    let open = format!(" [{question_label}");
    match rest.rfind(&open) {
        Some(i) => {
            let tail = &rest[i + open.len()..];
            if tail.is_empty() || tail.trim_start().parse::<u32>().is_ok() && tail.starts_with(' ')
            {
                rest[..i].to_string()
            } else {
                name.to_string()
            }
        }
        None => name.to_string(),
    }
}

/// The imported codebook plus the workspace's codes the project did not mention (a project
/// import adds to the workspace's codebooks, it never removes a code).
fn keep_unmatched(old: Option<&Codebook>, mut new: Codebook, m: &Matching) -> Codebook {
    let Some(old) = old else {
        return new;
    };
    for id in &m.unmatched_existing {
        if let Some(c) = old.code(id) {
            let mut c = c.clone();
            if c.parent.as_ref().is_some_and(|p| new.code(p).is_none()) {
                c.parent = None;
            }
            let taken = new.codes.iter().any(|k| {
                k.label.to_lowercase() == c.label.to_lowercase()
                    || normalize_guid(&k.guid) == normalize_guid(&c.guid)
            });
            if !taken {
                new.codes.push(c);
            }
        }
    }
    new
}

struct SourceCtx<'a> {
    files: &'a ProjectFiles,
    users: &'a BTreeMap<String, String>,
    books: &'a Books,
    vars: &'a BTreeMap<String, String>,
    cases: &'a BTreeMap<String, Case>,
    mapping: &'a QdaMapping,
    config: &'a crate::config::Config,
}

/// What one source gave.
#[derive(Default)]
struct SourceRead {
    answers: Vec<Answer>,
    human_codings: usize,
    machine_codings: usize,
    span_answers: usize,
    skipped: Vec<String>,
    coders: BTreeSet<String>,
}

/// A coded stretch of a source.
#[derive(Default)]
struct Span {
    human: Vec<String>,
    coders: BTreeSet<String>,
    /// codifica's own team coders (their `<User>` GUID is `qdpx::coder_guid` of the name):
    /// they go to the team log only, not to the attribute `coder`, so that a project codifica
    /// exported imports back identical.
    team: BTreeSet<String>,
    /// The latest `creationDateTime` of the span's human codings, if any.
    at: Option<String>,
    machine: Option<MachineCoding>,
}

fn read_source(
    ctx: &SourceCtx<'_>,
    src: &Element,
) -> std::result::Result<SourceRead, dom::DomError> {
    let line = src.line;
    let name = src.attr("name").unwrap_or("").to_string();
    let fail = |m: String| (line, format!("source '{name}': {m}"));
    let text = match (src.attr("plainTextPath"), src.child("PlainTextContent")) {
        (Some(p), _) => decode_source(&ctx.files.source(p).map_err(&fail)?).map_err(&fail)?,
        (None, Some(c)) => c.text.clone(),
        (None, None) => return Err(fail("no plainTextPath and no PlainTextContent".into())),
    };
    let chars: Vec<char> = text.chars().collect();
    let len = chars.len();
    let guid = src
        .attr("guid")
        .and_then(normalize_guid)
        .unwrap_or_default();
    let case = ctx.cases.get(&guid);
    let mut vals = case.map(|c| c.values.clone()).unwrap_or_default();
    vals.extend(values(src, ctx.vars));
    let mut out = SourceRead::default();
    // Spans by (start, end), in order of position.
    let mut spans: BTreeMap<(usize, usize), Span> = BTreeMap::new();
    let whole_codings: Vec<&Element> = src.children_named("Coding").collect();
    if !whole_codings.is_empty() {
        let span = spans.entry((0, len)).or_default();
        for c in whole_codings {
            add_coding(ctx, c, src.attr("creatingUser"), span, &mut out).map_err(&fail)?;
        }
    }
    for sel in src.children_named("PlainTextSelection") {
        let pos = |a: &str| -> std::result::Result<usize, dom::DomError> {
            sel.attr(a)
                .and_then(|v| v.trim().parse::<usize>().ok())
                .ok_or((sel.line, format!("source '{name}': {a} is not a position")))
        };
        let (start, end) = (pos("startPosition")?, pos("endPosition")?);
        if start > end || end > len {
            return Err((
                sel.line,
                format!(
                    "source '{name}': selection {start}–{end} is outside the text ({len} characters)"
                ),
            ));
        }
        let span = spans.entry((start, end)).or_default();
        let user = sel.attr("creatingUser");
        if is_model_user(ctx, user) {
            span.machine = Some(machine_coding(sel));
        }
        for c in sel.children_named("Coding") {
            add_coding(ctx, c, user, span, &mut out)
                .map_err(|m| (c.line, format!("source '{name}': {m}")))?;
        }
        if is_model_user(ctx, user) {
            out.machine_codings += span.machine.as_ref().map_or(0, |m| m.codes.len());
        }
    }
    let several = spans.keys().any(|&(s, e)| (s, e) != (0, len));
    let base = ctx
        .base_answer(&name, case, &vals, &spans, &text)
        .map_err(&fail)?;
    if !several {
        let mut a = base;
        if let Some(span) = spans.remove(&(0, len)) {
            fill_codes(&mut a, span, &mut out.coders);
        }
        out.answers.push(a);
        return Ok(out);
    }
    let mut covered = 0usize;
    for ((start, end), span) in spans {
        if start > covered && chars[covered..start].iter().any(|c| c.is_alphanumeric()) {
            out.skipped
                .push(format!("source '{name}': uncoded text {covered}–{start}"));
        }
        covered = covered.max(end);
        let mut a = base.clone();
        a.text = chars[start..end].iter().collect();
        let span_id = format!("{start}-{end}");
        a.answer_id = Some(match &base.answer_id {
            Some(id) => format!("{id}:{span_id}"),
            None => span_id,
        });
        fill_codes(&mut a, span, &mut out.coders);
        out.answers.push(a);
        out.span_answers += 1;
    }
    if covered < len && chars[covered..].iter().any(|c| c.is_alphanumeric()) {
        out.skipped
            .push(format!("source '{name}': uncoded text {covered}–{len}"));
    }
    Ok(out)
}

fn fill_codes(a: &mut Answer, span: Span, coders: &mut BTreeSet<String>) {
    a.codes = span.human;
    a.machine = span.machine;
    let named: Vec<String> = span
        .coders
        .into_iter()
        .filter(|c| c != CODIFICA_ANALYST && !c.is_empty())
        .collect();
    coders.extend(named.iter().cloned());
    let all: BTreeSet<&String> = named.iter().chain(&span.team).collect();
    if !all.is_empty() && !a.codes.is_empty() {
        let all: Vec<&str> = all.into_iter().map(String::as_str).collect();
        let mut carried = all.join("; ");
        if let Some(at) = &span.at {
            carried.push(CARRIED_AT);
            carried.push_str(at);
        }
        a.attributes.insert(CODERS_CARRIED.to_string(), carried);
    }
    if !named.is_empty() {
        a.attributes
            .insert(CODER_ATTRIBUTE.to_string(), named.join("; "));
    }
}

fn is_model_user(ctx: &SourceCtx<'_>, user: Option<&str>) -> bool {
    let Some(g) = user.and_then(normalize_guid) else {
        return false;
    };
    g == guid_for("user", "codifica-modelo")
        || ctx.users.get(&g).is_some_and(|n| n == CODIFICA_MODEL)
}

/// One `<Coding>` into the span: a machine code (span by the model's user) or a human code.
fn add_coding(
    ctx: &SourceCtx<'_>,
    coding: &Element,
    selection_user: Option<&str>,
    span: &mut Span,
    out: &mut SourceRead,
) -> std::result::Result<(), String> {
    let target = coding
        .child("CodeRef")
        .and_then(|r| r.attr("targetGUID"))
        .and_then(normalize_guid)
        .ok_or("a <Coding> without a <CodeRef targetGUID>")?;
    let (_, id) = ctx
        .books
        .code
        .get(&target)
        .ok_or_else(|| format!("a coding refers to code {target}, which the codebook lacks"))?;
    if is_model_user(ctx, selection_user) {
        if let Some(m) = span.machine.as_mut()
            && !m.codes.contains(id)
        {
            m.codes.push(id.clone());
        }
        return Ok(());
    }
    if !span.human.contains(id) {
        span.human.push(id.clone());
    }
    out.human_codings += 1;
    let user = coding.attr("creatingUser").or(selection_user);
    if let Some(at) = coding.attr("creationDateTime").map(str::trim)
        && span.at.as_deref().is_none_or(|t| t < at)
    {
        span.at = Some(at.to_string());
    }
    if let Some((guid, name)) = user
        .and_then(normalize_guid)
        .and_then(|g| Some((g.clone(), ctx.users.get(&g)?)))
    {
        if guid == super::qdpx::coder_guid(name) {
            span.team.insert(name.clone());
        } else {
            span.coders.insert(name.clone());
        }
    }
    Ok(())
}

/// The machine coding a codifica model selection describes (codes are added by the codings).
fn machine_coding(sel: &Element) -> MachineCoding {
    let mut m = MachineCoding::default();
    let desc = sel
        .child("Description")
        .map(|d| d.text.as_str())
        .unwrap_or("");
    for line in desc.lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim();
        match k.trim() {
            "modelo" => m.model = v.to_string(),
            "confianza" => m.confidence = v.parse().unwrap_or(0.0),
            "margen" => m.margin = v.parse().unwrap_or(0.0),
            "términos" => {
                m.top_terms = v
                    .split(';')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect()
            }
            "aceptada" => m.accepted = v == "sí",
            "alternativas" => m.alternatives = alternatives(v),
            _ => {}
        }
    }
    m
}

/// `id=probability; …` as the export writes a model's alternatives (malformed items skipped).
fn alternatives(v: &str) -> Vec<(String, f64)> {
    v.split(';')
        .filter_map(|item| {
            let (c, p) = item.trim().rsplit_once('=')?;
            Some((c.trim().to_string(), p.trim().parse().ok()?))
        })
        .collect()
}

impl SourceCtx<'_> {
    /// The answer a source stands for, before codes: fields from the mapped variables.
    fn base_answer(
        &self,
        name: &str,
        case: Option<&Case>,
        vals: &BTreeMap<String, String>,
        spans: &BTreeMap<(usize, usize), Span>,
        text: &str,
    ) -> std::result::Result<Answer, String> {
        let m = self.mapping;
        let get = |var: &str| vals.get(var).cloned();
        let opt = |var: &str| get(var).filter(|v| !v.trim().is_empty());
        let case_name = case.map(|c| c.name.trim().to_string());
        // codifica names its cases "Name (CODE)".
        let (case_entity, case_code) = match &case_name {
            Some(n) => match n.strip_suffix(')').and_then(|r| r.rsplit_once(" (")) {
                Some((en, code)) => (Some(en.to_string()), Some(code.to_string())),
                None => (Some(n.clone()), None),
            },
            None => (None, None),
        };
        let entity_code = opt(&m.entity_code)
            .or(case_code)
            .or(case_name.clone())
            .unwrap_or_else(|| name.trim().to_string());
        let entity_name = opt(&m.entity_name)
            .or(case_entity)
            .unwrap_or_else(|| entity_code.clone());
        let month_text = opt(&m.month).or(m.fixed_month.clone()).ok_or_else(|| {
            format!(
                "no month: the source has no variable '{}'; state fixed_month = \"YYYY-MM\" in a \
                 mapping (see docs/qda.md)",
                m.month
            )
        })?;
        // The one month rule of every import (a month column, a wide mapping): the lenient one.
        let month = Month::parse_lenient(&month_text).ok_or_else(|| {
            format!("month '{month_text}' is not a month: write YYYY-MM, e.g. 2020-11")
        })?;
        let question = match opt(&m.question).or(m.fixed_question.clone()) {
            Some(q) => self.question_id(q.trim())?,
            None => self.question_of_codes(spans)?,
        };
        let rating = match opt(&m.rating) {
            Some(r) => Some(
                r.trim()
                    .replace(',', ".")
                    .parse::<f64>()
                    .map_err(|_| format!("rating '{r}' is not a number"))?,
            ),
            None => None,
        };
        let mapped = m.mapped();
        let attributes = vals
            .iter()
            .filter(|(k, _)| !mapped.contains(&k.as_str()))
            .map(|(k, v)| (unqualify_attribute(k, &mapped), v.clone()))
            .collect();
        Ok(Answer {
            entity_code,
            entity_name,
            department: get(&m.department).unwrap_or_default(),
            region: get(&m.region).unwrap_or_default(),
            entity_kind: opt(&m.entity_kind),
            month,
            question,
            answer_id: opt(&m.answer_id),
            text: text.to_string(),
            rating,
            codes: Vec::new(),
            machine: None,
            interview_date: opt(&m.interview_date),
            respondent_role: opt(&m.respondent_role),
            attributes,
        })
    }

    /// A question of the config by id or label (accent- and case-insensitive).
    fn question_id(&self, q: &str) -> std::result::Result<String, String> {
        let f = qdc::fold(q);
        self.config
            .questions
            .iter()
            .find(|x| x.id == q || qdc::fold(&x.id) == f || qdc::fold(x.label()) == f)
            .map(|x| x.id.clone())
            .ok_or_else(|| format!("question '{q}' is not in codifica.toml"))
    }

    /// The one question whose codebook holds every code of the source.
    fn question_of_codes(
        &self,
        spans: &BTreeMap<(usize, usize), Span>,
    ) -> std::result::Result<String, String> {
        let mut qs: BTreeSet<&str> = BTreeSet::new();
        for s in spans.values() {
            for id in s
                .human
                .iter()
                .chain(s.machine.iter().flat_map(|m| &m.codes))
            {
                for (q, c) in self.books.code.values() {
                    if c == id {
                        qs.insert(q);
                    }
                }
            }
        }
        // An uncoded source of a project whose codebook is one question's: that question.
        if qs.is_empty() && self.books.by_question.len() == 1 {
            qs.extend(self.books.by_question.keys().map(String::as_str));
        }
        match qs.len() {
            1 => Ok(qs.into_iter().next().unwrap_or_default().to_string()),
            _ => Err(format!(
                "no question: the source has no variable '{}' and its codes do not name one \
                 question; state fixed_question in a mapping (see docs/qda.md)",
                self.mapping.question
            )),
        }
    }
}

/// codifica's export renames an attribute whose name clashes with one of its own variables to
/// `Atributo NAME`; the import gives it its name back.
fn unqualify_attribute(name: &str, mapped: &[&str]) -> String {
    match name.strip_prefix("Atributo ") {
        Some(rest) if mapped.contains(&rest) || rest.starts_with("Atributo ") => rest.to_string(),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifiers_and_attributes() {
        assert_eq!(
            strip_qualifier("Otros [Articulación]", "Articulación"),
            "Otros"
        );
        assert_eq!(
            strip_qualifier("Otros [Articulación 2]", "Articulación"),
            "Otros"
        );
        assert_eq!(strip_qualifier("Otros [x]", "Articulación"), "Otros [x]");
        let mapped = QdaMapping::default();
        assert_eq!(unqualify_attribute("Atributo Mes", &mapped.mapped()), "Mes");
        assert_eq!(
            unqualify_attribute("Atributo libre", &mapped.mapped()),
            "Atributo libre"
        );
    }

    #[test]
    fn bom_is_not_a_position() {
        assert_eq!(decode_source(b"\xEF\xBB\xBFhola").unwrap(), "hola");
        assert!(decode_source(b"\xFFhola").is_err());
    }
}
