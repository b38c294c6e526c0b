//! Codebooks: one per coded question, a readable TOML file in the workspace's `codebooks/`
//! folder. Codes carry a stable slug id (used in files), a REFI-QDA GUID (minted once), a label,
//! a description, an optional parent, a polarity (used by the priority flags) and seed terms
//! (used by lexicon coding). The defaults for Monitoreo 360 ship in `lexicons/codebooks/`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsutil::atomic_write;
use crate::workspace::Workspace;

/// Whether a code speaks well or badly of the assistance; negative codes raise flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    Positive,
    #[default]
    Neutral,
    Negative,
}

/// One code of a codebook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Code {
    /// Short stable slug used in CSV `codes` columns.
    pub id: String,
    /// REFI-QDA GUID, minted once when the code is created.
    pub guid: String,
    pub label: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub polarity: Polarity,
    /// Id of the parent code, for hierarchies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// `#RRGGBB`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Seed terms and phrases for lexicon coding.
    #[serde(default)]
    pub seeds: Vec<String>,
}

/// The codebook of one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Codebook {
    pub question: String,
    #[serde(default)]
    pub title: String,
    /// True when an answer may carry several codes.
    #[serde(default)]
    pub multi_label: bool,
    #[serde(default)]
    pub codes: Vec<Code>,
}

/// The default codebooks, compiled in.
pub const DEFAULTS: &[(&str, &str)] = &[
    (
        "articulacion_instrumentos",
        include_str!("../../lexicons/codebooks/articulacion_instrumentos.toml"),
    ),
    (
        "necesidades_debilidades",
        include_str!("../../lexicons/codebooks/necesidades_debilidades.toml"),
    ),
    (
        "fortalecimiento_capacidades",
        include_str!("../../lexicons/codebooks/fortalecimiento_capacidades.toml"),
    ),
    (
        "demanda_temas",
        include_str!("../../lexicons/codebooks/demanda_temas.toml"),
    ),
];

impl Codebook {
    /// Parses TOML text; `path` is for messages (errors name the line).
    pub fn parse(text: &str, path: &Path) -> Result<Codebook> {
        let cb: Codebook = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            match line {
                Some(l) => Error::file(path, format!("line {l}: {}", e.message())),
                None => Error::file(path, e.message().to_string()),
            }
        })?;
        cb.validate().map_err(|m| Error::file(path, m))?;
        Ok(cb)
    }

    /// Ids unique, GUIDs unique, parents resolve.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let mut ids = std::collections::BTreeSet::new();
        let mut guids = std::collections::BTreeSet::new();
        for c in &self.codes {
            if c.id.is_empty() || c.id.contains([';', '|']) {
                return Err(format!("code id '{}' must be non-empty, without ';' or '|'", c.id));
            }
            if !ids.insert(c.id.as_str()) {
                return Err(format!("code id '{}' appears twice", c.id));
            }
            if !guids.insert(c.guid.to_lowercase()) {
                return Err(format!("GUID {} appears twice", c.guid));
            }
        }
        for c in &self.codes {
            if let Some(p) = &c.parent
                && !ids.contains(p.as_str())
            {
                return Err(format!("code '{}' has parent '{p}', which is not in the codebook", c.id));
            }
        }
        Ok(())
    }

    /// The code with this id.
    pub fn code(&self, id: &str) -> Option<&Code> {
        self.codes.iter().find(|c| c.id == id)
    }

    /// Serialises to TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// The embedded default codebook for `question`, if one ships.
    pub fn default_for(question: &str) -> Option<Codebook> {
        DEFAULTS
            .iter()
            .find(|(q, _)| *q == question)
            .and_then(|(q, text)| Codebook::parse(text, Path::new(&format!("lexicons/codebooks/{q}.toml"))).ok())
    }
}

/// Where a question's codebook lives in the workspace.
pub fn path_for(ws: &Workspace, question: &str) -> PathBuf {
    ws.codebooks_dir().join(format!("{question}.toml"))
}

/// Loads a question's codebook from the workspace, if it has one.
pub fn load(ws: &Workspace, question: &str) -> Result<Option<Codebook>> {
    let path = path_for(ws, question);
    match std::fs::read_to_string(&path) {
        Ok(text) => Codebook::parse(&text, &path).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// Writes a codebook to the workspace atomically.
pub fn save(ws: &Workspace, cb: &Codebook) -> Result<()> {
    cb.validate().map_err(Error::invalid)?;
    atomic_write(&path_for(ws, &cb.question), cb.to_toml().as_bytes())
}

/// Copies the default codebooks of the config's questions into the workspace, never
/// overwriting one that is already there.
pub fn install_defaults(ws: &Workspace) -> Result<usize> {
    let mut n = 0;
    for (question, text) in DEFAULTS {
        let path = path_for(ws, question);
        if ws.config().question(question).is_some() && !path.exists() {
            atomic_write(&path, text.as_bytes())?;
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_validate() {
        for (q, text) in DEFAULTS {
            let cb = Codebook::parse(text, Path::new(q)).unwrap();
            assert_eq!(cb.question, *q);
            assert!(cb.codes.len() >= 3, "{q}");
        }
        let nd = Codebook::default_for("necesidades_debilidades").unwrap();
        assert_eq!(nd.code("brecha_conectividad").unwrap().polarity, Polarity::Negative);
    }

    #[test]
    fn duplicate_ids_and_dangling_parents_are_refused() {
        let text = "question = \"q\"\n[[codes]]\nid = \"a\"\nguid = \"1\"\nlabel = \"A\"\n[[codes]]\nid = \"a\"\nguid = \"2\"\nlabel = \"B\"\n";
        assert!(Codebook::parse(text, Path::new("q.toml")).unwrap_err().to_string().contains("twice"));
        let text = "question = \"q\"\n[[codes]]\nid = \"a\"\nguid = \"1\"\nlabel = \"A\"\nparent = \"zz\"\n";
        assert!(Codebook::parse(text, Path::new("q.toml")).unwrap_err().to_string().contains("parent"));
    }
}
