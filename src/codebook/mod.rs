//! Codebooks: one per coded question, a readable TOML file in the workspace's `codebooks/`
//! folder. Codes carry a stable slug id (used in files), a REFI-QDA GUID (minted once), a label,
//! a description, an optional parent, a polarity (used by the priority flags) and seed terms
//! (used by lexicon coding). The defaults for Monitoreo 360 ship in `lexicons/codebooks/`.
//!
//! Editing (add / rename / merge, with the answers' codes following in one store commit) lives
//! in [`edit`]. GUIDs are minted once by [`mint_guid`] and never change afterwards, not even
//! when a code's id or label is renamed: they are the code's identity in REFI-QDA exchange.

pub mod edit;

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

impl std::str::FromStr for Polarity {
    type Err = String;

    /// `positive` / `neutral` / `negative`, in English or Spanish, or `+` / `0` / `-`.
    fn from_str(s: &str) -> std::result::Result<Polarity, String> {
        match s.trim().to_lowercase().as_str() {
            "positive" | "positiva" | "positivo" | "+" => Ok(Polarity::Positive),
            "neutral" | "neutra" | "neutro" | "0" => Ok(Polarity::Neutral),
            "negative" | "negativa" | "negativo" | "-" => Ok(Polarity::Negative),
            other => Err(format!("'{other}' is not positive, neutral or negative")),
        }
    }
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
    /// A grouping node that answers are not coded with (REFI-QDA `isCodable="false"`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub category: bool,
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
        cb.validate_located().map_err(|(i, m)| {
            match i.and_then(|i| codes_table_line(text, i)) {
                Some(l) => Error::file(path, format!("line {l}: {m}")),
                None => Error::file(path, m),
            }
        })?;
        Ok(cb)
    }

    /// Ids unique and well-formed, GUIDs valid UUIDs and unique, labels non-empty and unique
    /// (REFI-QDA tools merge codes with the same name), colours `#RRGGBB`, parents resolve and
    /// form no cycle.
    pub fn validate(&self) -> std::result::Result<(), String> {
        self.validate_located().map_err(|(_, m)| m)
    }

    /// Like [`Codebook::validate`], also naming the index of the offending code.
    pub fn validate_located(&self) -> std::result::Result<(), (Option<usize>, String)> {
        let mut ids = std::collections::BTreeSet::new();
        let mut guids = std::collections::BTreeSet::new();
        let mut labels = std::collections::BTreeMap::new();
        for (i, c) in self.codes.iter().enumerate() {
            let at = |m: String| (Some(i), m);
            check_id(&c.id).map_err(at)?;
            if !ids.insert(c.id.as_str()) {
                return Err(at(format!("code id '{}' appears twice", c.id)));
            }
            let guid = normalize_guid(&c.guid)
                .ok_or_else(|| at(format!("code '{}': GUID '{}' is not a UUID", c.id, c.guid)))?;
            if !guids.insert(guid) {
                return Err(at(format!("GUID {} appears twice", c.guid)));
            }
            if c.label.trim().is_empty() {
                return Err(at(format!("code '{}' has an empty label", c.id)));
            }
            if let Some(other) = labels.insert(c.label.trim().to_lowercase(), c.id.as_str()) {
                return Err(at(format!(
                    "codes '{other}' and '{}' have the same label '{}'",
                    c.id, c.label
                )));
            }
            if let Some(col) = &c.color
                && !is_rrggbb(col)
            {
                return Err(at(format!(
                    "code '{}': colour '{col}' must be #RRGGBB",
                    c.id
                )));
            }
        }
        for (i, c) in self.codes.iter().enumerate() {
            if let Some(p) = &c.parent
                && !ids.contains(p.as_str())
            {
                return Err((
                    Some(i),
                    format!(
                        "code '{}' has parent '{p}', which is not in the codebook",
                        c.id
                    ),
                ));
            }
        }
        for (i, c) in self.codes.iter().enumerate() {
            let mut seen = std::collections::BTreeSet::from([c.id.as_str()]);
            let mut cur = c.parent.as_deref();
            while let Some(p) = cur {
                if !seen.insert(p) {
                    return Err((
                        Some(i),
                        format!("code '{}' is its own ancestor (parent cycle)", c.id),
                    ));
                }
                cur = self.code(p).and_then(|x| x.parent.as_deref());
            }
        }
        Ok(())
    }

    /// Index of the code with this id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.codes.iter().position(|c| c.id == id)
    }

    /// The codes answers can be coded with (categories excluded), in codebook order.
    pub fn codable(&self) -> impl Iterator<Item = &Code> {
        self.codes.iter().filter(|c| !c.category)
    }

    /// The code with this id.
    pub fn code(&self, id: &str) -> Option<&Code> {
        self.codes.iter().find(|c| c.id == id)
    }

    /// True when code `id` is in the codebook with polarity `p` (flags and quotes ask "is this
    /// answer coded negative / positive?"; unknown ids are neither).
    pub fn has_polarity(&self, id: &str, p: Polarity) -> bool {
        self.code(id).is_some_and(|c| c.polarity == p)
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
            .and_then(|(q, text)| {
                Codebook::parse(text, Path::new(&format!("lexicons/codebooks/{q}.toml"))).ok()
            })
    }
}

/// The 1-based line of the `i`-th `[[codes]]` table header in TOML text.
fn codes_table_line(text: &str, i: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[codes]]"))
        .nth(i)
        .map(|(n, _)| n + 1)
}

/// Checks a code id: a short slug (letters, digits, `_`, `-`, `.`), as CSV `codes` columns
/// separate ids with `;`.
pub fn check_id(id: &str) -> std::result::Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 80
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "code id '{id}' must be 1-80 letters, digits, '_', '-' or '.' (no spaces, ';' or '|')"
        ))
    }
}

/// The canonical form of a GUID (lowercase, hyphenated, no braces), or `None` if it is not one.
pub fn normalize_guid(s: &str) -> Option<String> {
    let t = s.trim();
    let t = t
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(t);
    if t.len() != 36 {
        return None;
    }
    uuid::Uuid::parse_str(t)
        .ok()
        .map(|u| u.hyphenated().to_string())
}

/// True for `#RRGGBB`.
pub fn is_rrggbb(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// Mints the GUID of a new code: UUID v5 (URL namespace) of `codifica:<question>:<id>`, the rule
/// the shipped defaults were minted with, so the same code created twice gets the same GUID.
/// If that GUID is already taken in `cb` (an id reused after a rename), `:2`, `:3`… is appended
/// to the name until it is free. Minted once: renames keep the GUID.
pub fn mint_guid(cb: &Codebook, id: &str) -> String {
    let taken: std::collections::BTreeSet<String> = cb
        .codes
        .iter()
        .filter_map(|c| normalize_guid(&c.guid))
        .collect();
    let mut n = 1usize;
    loop {
        let name = if n == 1 {
            format!("codifica:{}:{id}", cb.question)
        } else {
            format!("codifica:{}:{id}:{n}", cb.question)
        };
        let g = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes())
            .hyphenated()
            .to_string();
        if !taken.contains(&g) {
            return g;
        }
        n += 1;
    }
}

/// `#RRGGBB` (uppercase) from `#RRGGBB` or `#RGB`; `None` for anything else.
pub fn normalize_color(s: &str) -> Option<String> {
    let hex = s.trim().strip_prefix('#')?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    match hex.len() {
        6 => Some(format!("#{}", hex.to_ascii_uppercase())),
        3 => Some(format!(
            "#{}",
            hex.chars()
                .flat_map(|c| [c, c])
                .collect::<String>()
                .to_ascii_uppercase()
        )),
        _ => None,
    }
}

/// The label of code `id` in `cb`, or the id itself when there is no codebook or it lacks the
/// code (an answer's raw code is still worth showing).
pub fn label_of<'a>(cb: Option<&'a Codebook>, id: &'a str) -> &'a str {
    cb.and_then(|cb| cb.code(id))
        .map_or(id, |c| c.label.as_str())
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

/// The codebook a question is coded with: the workspace's file, else the built-in default
/// (`None` when it has neither). One rule for every stage that shows code labels.
pub fn load_or_default(ws: &Workspace, question: &str) -> Result<Option<Codebook>> {
    Ok(match load(ws, question)? {
        Some(cb) => Some(cb),
        None => Codebook::default_for(question),
    })
}

/// Writes a codebook to the workspace atomically.
pub fn save(ws: &Workspace, cb: &Codebook) -> Result<()> {
    cb.validate().map_err(|m| Error::argument("codebook", m))?;
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

/// Why a set of codes cannot be one answer's human codes for a codebook's question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodesProblem {
    /// Ids not in the codebook.
    Unknown(Vec<String>),
    /// Several codes (this many) on a question whose codebook is single-label.
    SeveralOnSingleLabel(usize),
}

impl Codebook {
    /// The one rule for which codes an answer to this question may carry, shared by `import`
    /// and the web app's Codificar page (each words the problem in its own language): every id
    /// in the codebook, and at most one unless the codebook is `multi_label`.
    pub fn check_codes(&self, codes: &[String]) -> std::result::Result<(), CodesProblem> {
        let unknown: Vec<String> = codes
            .iter()
            .filter(|c| self.code(c).is_none())
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(CodesProblem::Unknown(unknown));
        }
        if !self.multi_label && codes.len() > 1 {
            return Err(CodesProblem::SeveralOnSingleLabel(codes.len()));
        }
        Ok(())
    }
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
        assert_eq!(
            nd.code("brecha_conectividad").unwrap().polarity,
            Polarity::Negative
        );
    }

    #[test]
    fn labels_and_polarity_of_known_and_unknown_codes() {
        let nd = Codebook::default_for("necesidades_debilidades").unwrap();
        let label = nd.code("brecha_conectividad").unwrap().label.clone();
        assert_eq!(label_of(Some(&nd), "brecha_conectividad"), label);
        assert_eq!(label_of(Some(&nd), "no_such_code"), "no_such_code");
        assert_eq!(label_of(None, "brecha_conectividad"), "brecha_conectividad");
        assert!(nd.has_polarity("brecha_conectividad", Polarity::Negative));
        assert!(!nd.has_polarity("brecha_conectividad", Polarity::Positive));
        assert!(!nd.has_polarity("no_such_code", Polarity::Negative));
    }

    #[test]
    fn workspace_file_wins_over_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(
            dir.path(),
            crate::config::Config::monitoreo360_text(),
            false,
        )
        .unwrap();
        let q = "necesidades_debilidades";
        let default = load_or_default(&ws, q).unwrap().unwrap();
        assert_eq!(Some(&default), Codebook::default_for(q).as_ref());
        let mut edited = default.clone();
        edited.title = "Editado".into();
        save(&ws, &edited).unwrap();
        assert_eq!(load_or_default(&ws, q).unwrap().unwrap().title, "Editado");
        assert!(load_or_default(&ws, "no_such_question").unwrap().is_none());
    }

    #[test]
    fn duplicate_ids_and_dangling_parents_are_refused() {
        let g1 = "00000000-0000-4000-8000-000000000001";
        let g2 = "00000000-0000-4000-8000-000000000002";
        let text = format!(
            "question = \"q\"\n[[codes]]\nid = \"a\"\nguid = \"{g1}\"\nlabel = \"A\"\n[[codes]]\nid = \"a\"\nguid = \"{g2}\"\nlabel = \"B\"\n"
        );
        assert!(
            Codebook::parse(&text, Path::new("q.toml"))
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
        let text = format!(
            "question = \"q\"\n[[codes]]\nid = \"a\"\nguid = \"{g1}\"\nlabel = \"A\"\nparent = \"zz\"\n"
        );
        assert!(
            Codebook::parse(&text, Path::new("q.toml"))
                .unwrap_err()
                .to_string()
                .contains("parent")
        );
        let text = "question = \"q\"\n[[codes]]\nid = \"a\"\nguid = \"1\"\nlabel = \"A\"\n";
        assert!(
            Codebook::parse(text, Path::new("q.toml"))
                .unwrap_err()
                .to_string()
                .contains("UUID")
        );
    }

    #[test]
    fn malformed_toml_names_the_line() {
        let text = "question = \"q\"\n\n[[codes]]\nid = \"a\"\nlabel = \n";
        let err = Codebook::parse(text, Path::new("q.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 5"), "{err}");
    }

    #[test]
    fn minting_matches_the_shipped_defaults_and_avoids_collisions() {
        let cb = Codebook::default_for("articulacion_instrumentos").unwrap();
        let c = cb.code("integralidad").unwrap();
        let empty = Codebook {
            codes: vec![],
            ..cb.clone()
        };
        assert_eq!(mint_guid(&empty, "integralidad"), c.guid);
        let again = mint_guid(&cb, "integralidad");
        assert_ne!(again, c.guid);
        assert_eq!(again, mint_guid(&cb, "integralidad"));
        assert_eq!(
            normalize_guid("{5E122622-1B12-5DD1-ADFC-D44759CC1330}").unwrap(),
            c.guid
        );
        assert!(normalize_guid("5e122622").is_none());
    }

    #[test]
    fn parent_cycles_are_refused() {
        let mut cb = Codebook::default_for("demanda_temas").unwrap();
        cb.codes[0].parent = Some(cb.codes[1].id.clone());
        cb.codes[1].parent = Some(cb.codes[0].id.clone());
        assert!(cb.validate().unwrap_err().contains("cycle"));
    }
}
