//! Stage: codebook editing (ingest side). A codebook edit in, an edited codebook and the answers'
//! re-coding out.
//!
//! Every edit is first made on an in-memory copy and validated; nothing touches the disk unless it
//! is valid. Applying it to a workspace ([`commit`]) first writes a journal (the whole new
//! codebook and the re-coding) to `codebooks/.edit-journal.json`, then rewrites the answers whose
//! codes change (human AND machine codes) in one store commit, then replaces the codebook file,
//! then removes the journal. The index and the codebook file cannot change in one step, so a
//! process killed between them leaves the journal behind, and [`recover`] — run by every command
//! when it opens the workspace — finishes the edit (replaying it is idempotent).

use std::collections::{BTreeMap, BTreeSet};

use crate::answer::Answer;
use crate::codebook::{self, Code, Codebook, Polarity, check_id, mint_guid};
use crate::error::{Error, Result};
use crate::store::{AnswerFilter, Store};
use crate::workspace::Workspace;

/// A code to add; its GUID is minted by [`Codebook::add_code`].
#[derive(Debug, Clone, Default)]
pub struct NewCode {
    pub id: String,
    pub label: String,
    pub description: String,
    pub polarity: Polarity,
    pub parent: Option<String>,
    pub color: Option<String>,
    pub seeds: Vec<String>,
    pub category: bool,
}

/// Attributes of a code to set in one edit; `None` leaves one as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetCode {
    /// What the code means, for the coders.
    pub description: Option<String>,
    /// `Some(None)`: move to the top level.
    pub parent: Option<Option<String>>,
    pub polarity: Option<Polarity>,
}

/// How the answers' code ids change after an edit (old id → new id). Codes not in the map stay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recode {
    pub map: BTreeMap<String, String>,
}

impl Recode {
    /// True when no answer can change.
    pub fn is_identity(&self) -> bool {
        self.map.iter().all(|(a, b)| a == b)
    }

    /// Maps a code list in place, keeping the first occurrence of each code (a merge may make
    /// two codes one). Returns whether anything changed.
    pub fn apply(&self, codes: &mut Vec<String>) -> bool {
        let mut out: Vec<String> = Vec::with_capacity(codes.len());
        for c in codes.iter() {
            let n = self.map.get(c).unwrap_or(c);
            if !out.contains(n) {
                out.push(n.clone());
            }
        }
        let changed = out != *codes;
        *codes = out;
        changed
    }

    /// Maps an answer's human and machine codes. Returns whether anything changed.
    pub fn apply_answer(&self, a: &mut Answer) -> bool {
        let human = self.apply(&mut a.codes);
        let machine = a.machine.as_mut().is_some_and(|m| self.apply(&mut m.codes));
        human || machine
    }
}

impl Codebook {
    /// Adds a code, minting its GUID. Refuses a taken id or label, an unknown parent.
    pub fn add_code(&mut self, new: NewCode) -> std::result::Result<&Code, String> {
        check_id(&new.id)?;
        if self.code(&new.id).is_some() {
            return Err(format!(
                "code id '{}' already exists in {}",
                new.id, self.question
            ));
        }
        let guid = mint_guid(self, &new.id);
        let color = match new.color {
            Some(c) => Some(
                super::normalize_color(&c)
                    .ok_or_else(|| format!("colour '{c}' must be #RRGGBB (or #RGB)"))?,
            ),
            None => None,
        };
        let mut next = self.clone();
        next.codes.push(Code {
            id: new.id,
            guid,
            label: new.label.trim().to_string(),
            description: new.description,
            polarity: new.polarity,
            parent: new.parent,
            color,
            seeds: new.seeds,
            category: new.category,
        });
        next.validate()?;
        *self = next;
        Ok(&self.codes[self.codes.len() - 1])
    }

    /// Renames a code's id and/or label; children's parent references follow. The GUID stays.
    pub fn rename_code(
        &mut self,
        old: &str,
        new_id: Option<&str>,
        new_label: Option<&str>,
    ) -> std::result::Result<Recode, String> {
        let i = self.position(old).ok_or_else(|| self.unknown(old))?;
        if new_id.is_none() && new_label.is_none() {
            return Err("nothing to rename: give a new id and/or a new label".into());
        }
        let mut next = self.clone();
        let mut recode = Recode::default();
        if let Some(id) = new_id.filter(|id| *id != old) {
            check_id(id)?;
            if next.code(id).is_some() {
                return Err(format!(
                    "code id '{id}' already exists in {}: use `codebook merge` to join two codes",
                    self.question
                ));
            }
            next.codes[i].id = id.to_string();
            for c in &mut next.codes {
                if c.parent.as_deref() == Some(old) {
                    c.parent = Some(id.to_string());
                }
            }
            recode.map.insert(old.to_string(), id.to_string());
        }
        if let Some(label) = new_label {
            next.codes[i].label = label.trim().to_string();
        }
        next.validate()?;
        *self = next;
        Ok(recode)
    }

    /// Merges code `from` into code `into`: `from` disappears, its seeds join `into`'s, its
    /// children move under `into`, and answers coded `from` become coded `into`.
    pub fn merge_code(&mut self, from: &str, into: &str) -> std::result::Result<Recode, String> {
        if from == into {
            return Err(format!("cannot merge code '{from}' into itself"));
        }
        let fi = self.position(from).ok_or_else(|| self.unknown(from))?;
        let ii = self.position(into).ok_or_else(|| self.unknown(into))?;
        let mut next = self.clone();
        let gone = next.codes[fi].clone();
        for s in gone.seeds {
            if !next.codes[ii].seeds.contains(&s) {
                next.codes[ii].seeds.push(s);
            }
        }
        // `into` may sit under `from`: it then takes `from`'s place in the tree.
        if next.codes[ii].parent.as_deref() == Some(from) {
            next.codes[ii].parent = gone.parent.clone();
        }
        for c in &mut next.codes {
            if c.parent.as_deref() == Some(from) {
                c.parent = Some(into.to_string());
            }
        }
        next.codes.remove(fi);
        next.validate()?;
        *self = next;
        Ok(Recode {
            map: BTreeMap::from([(from.to_string(), into.to_string())]),
        })
    }

    /// Sets a code's description (what it means, for the coders). No answer changes.
    pub fn describe_code(
        &mut self,
        id: &str,
        description: &str,
    ) -> std::result::Result<(), String> {
        self.edit_one(id, |c| c.description = description.trim().to_string())
    }

    /// Moves a code under `parent` (`None`: to the top level). Refuses an unknown parent and a
    /// parent cycle. No answer changes.
    pub fn reparent_code(
        &mut self,
        id: &str,
        parent: Option<&str>,
    ) -> std::result::Result<(), String> {
        if let Some(p) = parent
            && self.code(p).is_none()
        {
            return Err(self.unknown(p));
        }
        self.edit_one(id, |c| c.parent = parent.map(str::to_string))
    }

    /// Sets a code's polarity (negative codes raise flags). No answer changes.
    pub fn set_polarity(
        &mut self,
        id: &str,
        polarity: Polarity,
    ) -> std::result::Result<(), String> {
        self.edit_one(id, |c| c.polarity = polarity)
    }

    /// Sets several attributes of one code at once (each `None` leaves it), all or nothing.
    pub fn set_attributes(&mut self, id: &str, set: &SetCode) -> std::result::Result<(), String> {
        let mut next = self.clone();
        if let Some(d) = &set.description {
            next.describe_code(id, d)?;
        }
        if let Some(p) = &set.parent {
            next.reparent_code(id, p.as_deref())?;
        }
        if let Some(p) = set.polarity {
            next.set_polarity(id, p)?;
        }
        if next.position(id).is_none() {
            return Err(self.unknown(id));
        }
        *self = next;
        Ok(())
    }

    /// Applies `f` to code `id` on a copy, keeps the copy only when it validates.
    fn edit_one(&mut self, id: &str, f: impl FnOnce(&mut Code)) -> std::result::Result<(), String> {
        let i = self.position(id).ok_or_else(|| self.unknown(id))?;
        let mut next = self.clone();
        f(&mut next.codes[i]);
        next.validate()?;
        *self = next;
        Ok(())
    }

    fn unknown(&self, id: &str) -> String {
        let ids: Vec<&str> = self.codes.iter().map(|c| c.id.as_str()).collect();
        format!(
            "no code '{id}' in the codebook of {} (codes: {})",
            self.question,
            ids.join(", ")
        )
    }
}

/// What an edit did to the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditOutcome {
    /// Answers whose human or machine codes were rewritten.
    pub answers_changed: usize,
}

/// Loads a question's codebook, or explains that it has none.
pub fn load_required(ws: &Workspace, question: &str) -> Result<Codebook> {
    codebook::load(ws, question)?.ok_or_else(|| {
        Error::not_found(format!(
            "question '{question}' has no codebook in {} (add a code to create one, or import a .qdc)",
            ws.codebooks_dir().display()
        ))
    })
}

/// An empty codebook for a coded question of the config.
pub fn new_codebook(ws: &Workspace, question: &str) -> Result<Codebook> {
    let q = ws
        .config()
        .question(question)
        .ok_or_else(|| Error::not_found(format!("no question '{question}' in codifica.toml")))?;
    Ok(Codebook {
        question: q.id.clone(),
        title: q.text.clone(),
        multi_label: false,
        codes: Vec::new(),
    })
}

/// Code ids used by the answers of `question` (human or machine), with how many answers use each.
pub fn codes_in_use(store: &Store, question: &str) -> Result<BTreeMap<String, usize>> {
    let filter = AnswerFilter {
        question: Some(question.to_string()),
        ..Default::default()
    };
    let mut used = BTreeMap::new();
    for a in store.answers(&filter)? {
        let mut seen = BTreeSet::new();
        for c in a
            .codes
            .iter()
            .chain(a.machine.iter().flat_map(|m| &m.codes))
        {
            if seen.insert(c.clone()) {
                *used.entry(c.clone()).or_insert(0) += 1;
            }
        }
    }
    Ok(used)
}

/// The plan's checks, shared by a real edit ([`commit`]) and a dry run: the codebook is valid and
/// no answer would be left coded with an id the old codebook had and the new one lacks (codes
/// are never silently dropped). Reads only.
pub fn check(store: &Store, old: Option<&Codebook>, cb: &Codebook, recode: &Recode) -> Result<()> {
    cb.validate().map_err(|m| Error::argument("codebook", m))?;
    let used = codes_in_use(store, &cb.question)?;
    let orphaned: Vec<String> = used
        .keys()
        .map(|c| recode.map.get(c).unwrap_or(c))
        .filter(|c| cb.code(c).is_none() && old.is_some_and(|o| o.code(c).is_some()))
        .map(|c| {
            format!(
                "{c} ({} answers)",
                used.get(c.as_str()).copied().unwrap_or(0)
            )
        })
        .collect();
    if !orphaned.is_empty() {
        return Err(Error::conflict(format!(
            "the new codebook of {} drops codes that answers use: {}; nothing was changed \
             (merge them into another code first)",
            cb.question,
            orphaned.join(", ")
        )));
    }
    Ok(())
}

/// Writes `cb` to the workspace and rewrites the answers by `recode`, as described in the module
/// docs. Refuses (changing nothing) when the result would leave answers coded with ids the new
/// codebook lacks that the old one had — codes are never silently dropped. The caller holds the
/// workspace lock.
pub fn commit(
    ws: &Workspace,
    store: &Store,
    old: Option<&Codebook>,
    cb: &Codebook,
    recode: &Recode,
) -> Result<EditOutcome> {
    check(store, old, cb, recode)?;
    let journal = Journal {
        question: cb.question.clone(),
        codebook: cb.clone(),
        recode: recode.map.clone(),
    };
    let jpath = journal_path(ws);
    let bytes = serde_json::to_vec_pretty(&journal)
        .map_err(|e| Error::internal(format!("cannot write the edit journal: {e}")))?;
    crate::fsutil::atomic_write(&jpath, &bytes)?;
    crate::fsutil::fault_point("codebook-after-journal");
    let answers_changed = replay(ws, store, &journal)?;
    finish(&jpath)?;
    Ok(EditOutcome { answers_changed })
}

/// File name of the edit journal in `codebooks/`: an edit in progress (see [`commit`]).
pub const JOURNAL_FILE: &str = ".edit-journal.json";

/// An edit written down before any of it is applied, so that a process killed half-way through
/// (after the index commit, before the codebook file) leaves enough on disk for the next command
/// to finish it: the whole new codebook and the answers' re-coding. Replaying it is idempotent.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Journal {
    question: String,
    codebook: Codebook,
    recode: BTreeMap<String, String>,
}

/// Where the edit journal of a workspace lives.
pub fn journal_path(ws: &Workspace) -> std::path::PathBuf {
    ws.codebooks_dir().join(JOURNAL_FILE)
}

/// Applies a journal: re-codes the answers (a no-op for those already re-coded), then replaces
/// the codebook file. Returns how many answers changed now.
fn replay(ws: &Workspace, store: &Store, journal: &Journal) -> Result<usize> {
    let recode = Recode {
        map: journal.recode.clone(),
    };
    let filter = AnswerFilter {
        question: Some(journal.question.clone()),
        ..Default::default()
    };
    let changed = if recode.is_identity() {
        0
    } else {
        store.update_where(&filter, |a| recode.apply_answer(a))?
    };
    crate::fsutil::fault_point("codebook-after-index-commit");
    let path = codebook::path_for(ws, &journal.question);
    crate::fsutil::atomic_write(&path, journal.codebook.to_toml().as_bytes())?;
    crate::fsutil::fault_point("codebook-after-codebook-write");
    Ok(changed)
}

/// Removes a replayed journal and makes the removal durable.
fn finish(jpath: &std::path::Path) -> Result<()> {
    std::fs::remove_file(jpath).map_err(|e| Error::io(jpath, e))?;
    if let Some(d) = jpath.parent().and_then(|d| std::fs::File::open(d).ok()) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A codebook edit that an earlier, interrupted process left half done and that
/// [`recover`] has now finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    pub question: String,
    pub answers_changed: usize,
}

/// Finishes an interrupted codebook edit, if the workspace holds a journal: every command calls
/// this when it opens a workspace, so no command ever sees answers and codebook disagree. Rolling
/// forward is always possible (the journal holds the whole new codebook, checked before it was
/// written). When another process holds the lock it is left alone: that process opened the
/// workspace after the interruption, so it has finished the edit itself or is about to.
pub fn recover(ws: &Workspace) -> Result<Option<Recovered>> {
    let jpath = journal_path(ws);
    if !jpath.exists() {
        return Ok(None);
    }
    let _lock = match ws.lock() {
        Ok(l) => l,
        Err(Error::Busy { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let text = match std::fs::read(&jpath) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&jpath, e)),
    };
    let journal: Journal = serde_json::from_slice(&text)
        .map_err(|e| Error::file(&jpath, format!("unreadable edit journal: {e}")))?;
    let store = Store::open(ws)?;
    let answers_changed = replay(ws, &store, &journal)?;
    finish(&jpath)?;
    Ok(Some(Recovered {
        question: journal.question,
        answers_changed,
    }))
}

/// Refuses a rename to an id that answers of the question already carry without it being in
/// the codebook (the rename would silently merge them).
pub fn check_rename_target(store: &Store, cb: &Codebook, new_id: &str) -> Result<()> {
    if cb.code(new_id).is_some() {
        return Ok(());
    }
    let used = codes_in_use(store, &cb.question)?;
    match used.get(new_id) {
        Some(n) => Err(Error::conflict(format!(
            "{n} answers of {} already carry code '{new_id}' (not in the codebook): renaming to it \
             would merge them; pick another id",
            cb.question
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::MachineCoding;

    fn cb() -> Codebook {
        Codebook::default_for("articulacion_instrumentos").unwrap()
    }

    #[test]
    fn recode_maps_and_dedups() {
        let r = Recode {
            map: BTreeMap::from([("a".into(), "b".into())]),
        };
        let mut v = vec!["a".to_string(), "c".into(), "b".into()];
        assert!(r.apply(&mut v));
        assert_eq!(v, ["b", "c"]);
        let mut v = vec!["c".to_string()];
        assert!(!r.apply(&mut v));
    }

    #[test]
    fn recode_reaches_machine_codes() {
        let r = Recode {
            map: BTreeMap::from([("a".into(), "b".into())]),
        };
        let mut a: Answer = serde_json::from_str(
            r#"{"entity_code":"1","entity_name":"X","department":"D","region":"R","month":"2024-01",
                "question":"q","text":"t","codes":["c"]}"#,
        )
        .unwrap();
        a.machine = Some(MachineCoding {
            codes: vec!["a".into()],
            confidence: 0.5,
            margin: 0.1,
            top_terms: vec![],
            model: "m".into(),
            ..Default::default()
        });
        assert!(r.apply_answer(&mut a));
        assert_eq!(a.machine.unwrap().codes, ["b"]);
        assert_eq!(a.codes, ["c"]);
    }

    #[test]
    fn add_mints_and_refuses_collisions() {
        let mut c = cb();
        let new = NewCode {
            id: "nuevo".into(),
            label: "Nuevo".into(),
            color: Some("#f00".into()),
            ..Default::default()
        };
        let guid = c.add_code(new.clone()).unwrap().guid.clone();
        assert_eq!(c.code("nuevo").unwrap().color.as_deref(), Some("#FF0000"));
        assert!(crate::codebook::normalize_guid(&guid).is_some());
        assert!(c.add_code(new).unwrap_err().contains("already exists"));
        let dup_label = NewCode {
            id: "otro".into(),
            label: "nuevo".into(),
            ..Default::default()
        };
        assert!(c.add_code(dup_label).unwrap_err().contains("same label"));
        let bad_parent = NewCode {
            id: "hijo".into(),
            label: "Hijo".into(),
            parent: Some("zz".into()),
            ..Default::default()
        };
        assert!(c.add_code(bad_parent).is_err());
        assert!(c.code("hijo").is_none());
    }

    #[test]
    fn rename_keeps_guid_and_moves_children() {
        let mut c = cb();
        c.codes[1].parent = Some("integralidad".into());
        let guid = c.code("integralidad").unwrap().guid.clone();
        let r = c
            .rename_code("integralidad", Some("integral"), Some("Integralidad"))
            .unwrap();
        assert_eq!(r.map["integralidad"], "integral");
        assert_eq!(c.code("integral").unwrap().guid, guid);
        assert_eq!(c.codes[1].parent.as_deref(), Some("integral"));
        assert!(
            c.rename_code("integral", Some("sin_contribucion"), None)
                .unwrap_err()
                .contains("merge")
        );
        assert!(
            c.rename_code("nope", Some("x"), None)
                .unwrap_err()
                .contains("no code")
        );
    }

    #[test]
    fn merge_moves_seeds_and_children() {
        let mut c = cb();
        c.codes[2].parent = Some("integralidad".into());
        let seeds_before = c.code("integralidad").unwrap().seeds.len();
        let r = c
            .merge_code("integralidad", "articulacion_dependencias")
            .unwrap();
        assert_eq!(r.map["integralidad"], "articulacion_dependencias");
        assert!(c.code("integralidad").is_none());
        assert_eq!(
            c.codes[1].parent.as_deref(),
            Some("articulacion_dependencias")
        );
        assert!(c.code("articulacion_dependencias").unwrap().seeds.len() >= seeds_before);
        assert!(c.merge_code("a", "a").is_err());
    }

    #[test]
    fn merging_a_parent_into_its_child_lifts_the_child() {
        let mut c = cb();
        c.codes[0].parent = Some("sin_contribucion".into());
        c.codes[1].parent = Some("integralidad".into());
        c.codes[2].parent = Some("integralidad".into());
        c.merge_code("integralidad", "articulacion_dependencias")
            .unwrap();
        let ad = c.code("articulacion_dependencias").unwrap();
        assert_eq!(ad.parent.as_deref(), Some("sin_contribucion"));
        assert_eq!(
            c.code("apropiacion_temas").unwrap().parent.as_deref(),
            Some("articulacion_dependencias")
        );
        c.validate().unwrap();
    }
}
