//! Use case: codebook edits as one transaction. Add, rename, merge, describe, re-parent and set
//! the polarity of a code: the edit is made on a copy of the codebook in force (the workspace's
//! file, else the built-in default — the one every page shows), checked, then committed under
//! the workspace lock through the journal of [`crate::codebook::edit::commit`] (answers re-coded
//! in one store commit, then the codebook file). `codifica codebook` and the web's Libro de
//! códigos page make the same calls. Also the REFI-QDA codebook import, planned and committed
//! the same way.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::codebook::edit::{self, NewCode, Recode, SetCode};
use crate::codebook::{self, Codebook};
use crate::error::{Error, Result};
use crate::qda::qdc;
use crate::store::Store;
use crate::workspace::Workspace;

/// One edit of one code.
#[derive(Debug, Clone)]
pub enum Edit {
    /// A new code (its GUID is minted here).
    Add(NewCode),
    /// A new id and/or label; answers coded with the old id follow.
    Rename {
        code: String,
        new_id: Option<String>,
        new_label: Option<String>,
    },
    /// `from` disappears; its answers become coded `into`.
    Merge { from: String, into: String },
    /// Description, parent and/or polarity, set together.
    Set { code: String, set: SetCode },
}

/// What an edit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditReport {
    pub question: String,
    /// Answers whose human or machine codes were rewritten.
    pub answers_changed: usize,
    /// True when answers' code ids changed (rename of the id, merge).
    pub recoded: bool,
    /// True when the workspace has trained models: they predict the old codebook until
    /// `codifica train` runs again.
    pub models_exist: bool,
    /// The GUID minted for an added code.
    pub guid: Option<String>,
    /// Where the codebook was written.
    pub path: PathBuf,
}

/// Refuses a question that codifica.toml does not have, naming its coded questions.
pub fn check_question(ws: &Workspace, question: &str) -> Result<()> {
    if ws.config().question(question).is_some() {
        return Ok(());
    }
    let ids: Vec<&str> = ws
        .config()
        .coded_questions()
        .map(|q| q.id.as_str())
        .collect();
    Err(Error::invalid(format!(
        "no question '{question}' in codifica.toml (coded questions: {})",
        ids.join(", ")
    )))
}

/// The codebook an edit starts from: the one in force, else (for an added code) a new one.
fn base(ws: &Workspace, question: &str, adding: bool) -> Result<(Option<Codebook>, Codebook)> {
    if adding {
        check_question(ws, question)?;
    }
    let old = codebook::load_or_default(ws, question)?;
    let cb = match &old {
        Some(cb) => cb.clone(),
        None if adding => edit::new_codebook(ws, question)?,
        None => edit::load_required(ws, question)?,
    };
    Ok((old, cb))
}

/// Applies one edit to `question`'s codebook as one transaction (see the module docs). Nothing
/// changes when the edit is refused.
pub fn apply(ws: &Workspace, store: &Store, question: &str, e: Edit) -> Result<EditReport> {
    let _lock = ws.lock()?;
    let (old, mut cb) = base(ws, question, matches!(e, Edit::Add(_)))?;
    let (recode, guid) = edit_copy(store, &mut cb, question, e)?;
    let out = edit::commit(ws, store, old.as_ref(), &cb, &recode)?;
    Ok(EditReport {
        question: cb.question.clone(),
        answers_changed: out.answers_changed,
        recoded: !recode.is_identity(),
        models_exist: has_models(ws),
        guid,
        path: codebook::path_for(ws, &cb.question),
    })
}

/// Makes the edit on the copy `cb`; returns the answers' re-coding and an added code's GUID.
fn edit_copy(
    store: &Store,
    cb: &mut Codebook,
    question: &str,
    e: Edit,
) -> Result<(Recode, Option<String>)> {
    let refused = |m: String| Error::invalid(format!("{question}: {m}; nothing was changed"));
    let none = Recode::default();
    Ok(match e {
        Edit::Add(new) => (none, Some(cb.add_code(new).map_err(refused)?.guid.clone())),
        Edit::Rename {
            code,
            new_id,
            new_label,
        } => {
            let r = rename(store, cb, &code, new_id.as_deref(), new_label.as_deref());
            (r.map_err(|e| e.map_invalid(refused))?, None)
        }
        Edit::Merge { from, into } => (cb.merge_code(&from, &into).map_err(refused)?, None),
        Edit::Set { code, set } => {
            cb.set_attributes(&code, &set).map_err(refused)?;
            (none, None)
        }
    })
}

/// A rename's failure: the codebook's own refusal, or a store check.
enum RenameError {
    Refused(String),
    Core(Error),
}

impl RenameError {
    fn map_invalid(self, f: impl FnOnce(String) -> Error) -> Error {
        match self {
            RenameError::Refused(m) => f(m),
            RenameError::Core(e) => e,
        }
    }
}

fn rename(
    store: &Store,
    cb: &mut Codebook,
    code: &str,
    new_id: Option<&str>,
    new_label: Option<&str>,
) -> std::result::Result<Recode, RenameError> {
    let old = cb.clone();
    let recode = cb
        .rename_code(code, new_id, new_label)
        .map_err(RenameError::Refused)?;
    if let Some(id) = new_id.filter(|id| *id != code) {
        edit::check_rename_target(store, &old, id).map_err(RenameError::Core)?;
    }
    Ok(recode)
}

/// True when the workspace has trained models.
pub fn has_models(ws: &Workspace) -> bool {
    std::fs::read_dir(ws.models_dir()).is_ok_and(|mut d| d.next().is_some())
}

/// One question's codebook as a list shows it.
#[derive(Debug)]
pub struct Listed {
    pub question: String,
    /// The workspace's codebook file (`Ok(None)`: none; `Err`: an unreadable file).
    pub codebook: Result<Option<Codebook>>,
}

/// The config's coded questions, then any other codebook file of the workspace, each with its
/// codebook file.
pub fn list(ws: &Workspace) -> Vec<Listed> {
    let mut questions: Vec<String> = ws
        .config()
        .coded_questions()
        .map(|q| q.id.clone())
        .collect();
    let mut extra: Vec<String> = std::fs::read_dir(ws.codebooks_dir())
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let p = e.path();
            (p.extension()? == "toml").then(|| p.file_stem()?.to_str().map(str::to_string))?
        })
        .filter(|q| !questions.contains(q))
        .collect();
    extra.sort();
    questions.extend(extra);
    questions
        .into_iter()
        .map(|q| Listed {
            codebook: codebook::load(ws, &q),
            question: q,
        })
        .collect()
}

/// How many answers (human or machine codes) carry each code of `question`.
pub fn answers_per_code(store: &Store, question: &str) -> Result<BTreeMap<String, usize>> {
    edit::codes_in_use(store, question)
}

/// Options of a REFI-QDA codebook import.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    pub file: PathBuf,
    /// The question; or, repeated, CATEGORY=QUESTION for a codebook split by category.
    pub questions: Vec<String>,
    /// Stated matches LABEL=ID.
    pub map: Vec<String>,
    /// A TOML file of stated matches (`[codes]`) and categories (`[categories]`).
    pub mapping: Option<PathBuf>,
    /// Check and report, write nothing.
    pub dry_run: bool,
}

/// A stated-matches file for `codebook import --mapping`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MatchFile {
    #[serde(default)]
    codes: BTreeMap<String, String>,
    #[serde(default)]
    categories: BTreeMap<String, String>,
}

fn pair(s: &str, what: &str) -> Result<(String, String)> {
    match s.rsplit_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
            Ok((k.trim().to_string(), v.trim().to_string()))
        }
        _ => Err(Error::invalid(format!("'{s}' is not {what}"))),
    }
}

fn read_matches(p: &Path) -> Result<MatchFile> {
    let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
    toml::from_str(&text).map_err(|e| Error::file(p, format!("not a codebook mapping: {e}")))
}

/// Where the file's codes go, and the stated matches, from the request.
fn import_target(ws: &Workspace, req: &ImportRequest) -> Result<(qdc::Target, qdc::CodeMap)> {
    let mut target = qdc::Target::default();
    let mut map = qdc::CodeMap::new();
    if let Some(p) = &req.mapping {
        let m = read_matches(p)?;
        map.extend(m.codes);
        target.categories.extend(m.categories);
    }
    for m in &req.map {
        let (k, v) = pair(m, "LABEL=ID")?;
        map.insert(k, v);
    }
    for q in &req.questions {
        if q.contains('=') {
            let (k, v) = pair(q, "CATEGORY=QUESTION")?;
            check_question(ws, &v)?;
            target.categories.insert(k, v);
        } else {
            check_question(ws, q)?;
            target.question = Some(q.clone());
        }
    }
    if target.question.is_none() && target.categories.is_empty() {
        let stem = req.file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if ws.config().question(stem).is_some() {
            target.question = Some(stem.to_string());
        }
    }
    Ok((target, map))
}

/// One codebook read from the file, and whether it was written.
#[derive(Debug)]
pub struct ImportedPart {
    pub part: qdc::QdcImport,
    pub written: bool,
}

/// Reads a REFI-QDA codebook into the questions' codebooks. Every part is planned and checked
/// first (the dry run stops there); then each is committed as one transaction.
pub fn import_qdc(ws: &Workspace, store: &Store, req: &ImportRequest) -> Result<Vec<ImportedPart>> {
    let _lock = ws.lock()?;
    let (target, map) = import_target(ws, req)?;
    let bytes = std::fs::read(&req.file).map_err(|e| Error::io(&req.file, e))?;
    let base = |q: &str| codebook::load(ws, q);
    let parts = qdc::from_qdc_split(&bytes, &req.file, ws.config(), &target, &map, &base)?;
    let mut plan = Vec::new();
    for part in parts {
        let old = codebook::load(ws, &part.codebook.question)?;
        edit::check(store, old.as_ref(), &part.codebook, &Recode::default())?;
        plan.push((old, part));
    }
    let mut out = Vec::new();
    for (old, part) in plan {
        if !req.dry_run {
            edit::commit(ws, store, old.as_ref(), &part.codebook, &Recode::default())?;
        }
        out.push(ImportedPart {
            part,
            written: !req.dry_run,
        });
    }
    Ok(out)
}
