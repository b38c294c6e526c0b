//! REFI-QDA codebooks (`.qdc`, namespace `urn:QDA-XML:codebook:1.0`): a [`Codebook`] out as XML
//! valid against `Codebook.xsd`, and a `.qdc` written by any tool in as a [`Codebook`].
//!
//! Mapping: a code is a `<Code>` (label → `name`, description → `<Description>`, colour →
//! `color`, parent → nesting, category → `isCodable="false"`); the GUID is kept both ways.
//! Polarity, which REFI-QDA has no field for, travels as three `<Set>`s ("Polaridad: positiva",
//! "…: neutral", "…: negativa"); seed terms do not travel (they are kept from the workspace's
//! codebook when a code's GUID is already known there).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use super::dom::{self, Element};
use super::{ORIGIN, guid_for, normalize_color, slug, xml_escape};
use crate::codebook::{Code, Codebook, Polarity, normalize_guid};
use crate::error::{Error, Result};

/// Namespace of REFI-QDA codebooks.
pub const NAMESPACE: &str = "urn:QDA-XML:codebook:1.0";
const SCHEMA_URL: &str = "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd";

const POLARITY_SETS: [(Polarity, &str); 3] = [
    (Polarity::Positive, "Polaridad: positiva"),
    (Polarity::Neutral, "Polaridad: neutral"),
    (Polarity::Negative, "Polaridad: negativa"),
];

/// The `.qdc` XML of a codebook. Refuses an empty or invalid codebook (the schema needs at
/// least one code; tools merge codes with equal names).
pub fn to_qdc(cb: &Codebook) -> Result<String> {
    cb.validate()
        .map_err(|m| Error::argument("codebook", format!("codebook of {}: {m}", cb.question)))?;
    if cb.codes.is_empty() {
        return Err(Error::conflict(format!(
            "the codebook of {} has no codes: a .qdc needs at least one",
            cb.question
        )));
    }
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        out,
        "<CodeBook xmlns=\"{NAMESPACE}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"{NAMESPACE} {SCHEMA_URL}\" origin=\"{}\">",
        xml_escape(ORIGIN)
    );
    out.push_str("  <Codes>\n");
    write_codes(&mut out, cb, None, 2);
    out.push_str("  </Codes>\n");
    let sets = polarity_sets(cb);
    if !sets.is_empty() {
        out.push_str("  <Sets>\n");
        for (name, guid, members) in sets {
            let _ = writeln!(
                out,
                "    <Set guid=\"{guid}\" name=\"{}\">",
                xml_escape(name)
            );
            for m in members {
                let _ = writeln!(out, "      <MemberCode guid=\"{m}\"/>");
            }
            out.push_str("    </Set>\n");
        }
        out.push_str("  </Sets>\n");
    }
    out.push_str("</CodeBook>\n");
    Ok(out)
}

/// Writes the `<Code>` elements of the children of `parent` (roots when `None`), nested, at
/// `depth` levels of indentation. Shared with the project export.
pub(crate) fn write_codes(out: &mut String, cb: &Codebook, parent: Option<&str>, depth: usize) {
    let pad = "  ".repeat(depth);
    for c in cb.codes.iter().filter(|c| c.parent.as_deref() == parent) {
        let guid = normalize_guid(&c.guid).unwrap_or_else(|| c.guid.clone());
        let _ = write!(
            out,
            "{pad}<Code guid=\"{guid}\" name=\"{}\" isCodable=\"{}\"",
            xml_escape(c.label.trim()),
            if c.category { "false" } else { "true" }
        );
        if let Some(col) = c.color.as_deref().and_then(normalize_color) {
            let _ = write!(out, " color=\"{col}\"");
        }
        let has_children = cb.codes.iter().any(|k| k.parent.as_deref() == Some(&c.id));
        if c.description.trim().is_empty() && !has_children {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        if !c.description.trim().is_empty() {
            let _ = writeln!(
                out,
                "{pad}  <Description>{}</Description>",
                xml_escape(c.description.trim())
            );
        }
        write_codes(out, cb, Some(&c.id), depth + 1);
        let _ = writeln!(out, "{pad}</Code>");
    }
}

fn polarity_sets(cb: &Codebook) -> Vec<(&'static str, String, Vec<String>)> {
    POLARITY_SETS
        .iter()
        .filter_map(|(pol, name)| {
            let members: Vec<String> = cb
                .codes
                .iter()
                .filter(|c| c.polarity == *pol && !c.category)
                .filter_map(|c| normalize_guid(&c.guid))
                .collect();
            (!members.is_empty()).then(|| {
                (
                    *name,
                    guid_for("set", &format!("{}:{name}", cb.question)),
                    members,
                )
            })
        })
        .collect()
}

/// A codebook read from a `.qdc`, with notes about what was adjusted.
#[derive(Debug, Clone)]
pub struct QdcImport {
    pub codebook: Codebook,
    /// Codes matched to a code of the base codebook (their id, GUID, seeds and polarity were
    /// kept), by any rule.
    pub matched: usize,
    /// How the file's codes met the workspace's.
    pub matching: Matching,
    /// The file's code GUID → the code id it became.
    pub id_of: BTreeMap<String, String>,
    /// Adjustments made (renamed duplicates, expanded colours…).
    pub warnings: Vec<String>,
}

/// How a file's codes were matched to the workspace's codebook: by GUID first, then by a stated
/// mapping, then by label (accent- and case-insensitive, preferring the same parent path).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matching {
    pub by_guid: usize,
    pub by_mapping: usize,
    pub by_label: usize,
    /// Labels of the file's codes that matched nothing (new codes).
    pub new: Vec<String>,
    /// Ids of the workspace's codes that no code of the file matched.
    pub unmatched_existing: Vec<String>,
}

/// Stated matches: the file's code label (compared accent- and case-insensitively) → the id of
/// the workspace's code it is.
pub type CodeMap = BTreeMap<String, String>;

/// Reads a `.qdc` (bytes as on disk) into the codebook of `question`. `base` is the workspace's
/// current codebook of that question, if any: codes it knows (see [`Matching`]) keep their id,
/// GUID, seeds and (unless a polarity set says otherwise) polarity; its title and `multi_label`
/// are kept. `title` is used when there is no base. Errors name `path` and the line.
pub fn from_qdc(
    bytes: &[u8],
    path: &Path,
    question: &str,
    base: Option<&Codebook>,
    title: &str,
) -> Result<QdcImport> {
    from_qdc_mapped(bytes, path, question, base, title, &CodeMap::new())
}

/// [`from_qdc`] with stated matches.
pub fn from_qdc_mapped(
    bytes: &[u8],
    path: &Path,
    question: &str,
    base: Option<&Codebook>,
    title: &str,
    map: &CodeMap,
) -> Result<QdcImport> {
    let text = super::decode_xml(bytes).map_err(|m| Error::file(path, m))?;
    let at = |line: usize, m: String| Error::file(path, format!("line {line}: {m}"));
    let root = dom::parse(&text).map_err(|(l, m)| at(l, format!("malformed XML: {m}")))?;
    let book = match root.name.as_str() {
        "CodeBook" => &root,
        "Project" => root
            .child("CodeBook")
            .ok_or_else(|| at(root.line, "the project holds no <CodeBook>".into()))?,
        other => {
            return Err(at(
                root.line,
                format!("the root element is <{other}>, expected a REFI-QDA <CodeBook>"),
            ));
        }
    };
    let (flat, guids) = read_codebook(book).map_err(|(l, m)| at(l, m))?;
    if flat.is_empty() {
        return Err(at(book.line, "<Codes> holds no <Code>".into()));
    }
    let polarity = read_sets(book, &guids).map_err(|(l, m)| at(l, m))?;
    build_checked(path, question, base, title, flat, &polarity, map)
}

/// Builds and validates a question's codebook from codes read from `path`.
pub(crate) fn build_checked(
    path: &Path,
    question: &str,
    base: Option<&Codebook>,
    title: &str,
    flat: Vec<RawCode>,
    polarity: &BTreeMap<String, Polarity>,
    map: &CodeMap,
) -> Result<QdcImport> {
    let mut warnings = Vec::new();
    let built = build(question, base, title, flat, polarity, map, &mut warnings);
    built
        .codebook
        .validate()
        .map_err(|m| Error::file(path, format!("the imported codebook is not valid: {m}")))?;
    let m = &built.matching;
    Ok(QdcImport {
        matched: m.by_guid + m.by_mapping + m.by_label,
        codebook: built.codebook,
        matching: built.matching,
        id_of: built.id_of,
        warnings,
    })
}

/// The codes of a `<CodeBook>` (flattened, parents first) and their GUIDs with their lines.
pub(crate) fn read_codebook(
    book: &Element,
) -> std::result::Result<(Vec<RawCode>, BTreeMap<String, usize>), dom::DomError> {
    let codes_el = book
        .child("Codes")
        .ok_or((book.line, "<CodeBook> has no <Codes> element".to_string()))?;
    let mut reader = CodeReader {
        flat: Vec::new(),
        guids: BTreeMap::new(),
    };
    for el in codes_el.children_named("Code") {
        reader.read(el, None)?;
    }
    Ok((reader.flat, reader.guids))
}

/// Where the codes of a `.qdc` go: all into one question, or — for a whole-project codebook with
/// one top-level category per question — each category's codes into its question.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// The one question (when the codebook is not split).
    pub question: Option<String>,
    /// Stated category → question (accent- and case-insensitive category names).
    pub categories: BTreeMap<String, String>,
}

/// Reads a `.qdc` for one or several questions (see [`Target`]). A codebook whose top level is
/// only non-codable categories, two or more of them (or any category is stated), is split: each
/// category goes to the stated question, else to the question whose id, label or text is its
/// name; a category that matches none is an error asking for `--question CATEGORY=QUESTION`.
/// `base` gives each question's current codebook. Returns one import per question.
pub fn from_qdc_split(
    bytes: &[u8],
    path: &Path,
    config: &crate::config::Config,
    target: &Target,
    map: &CodeMap,
    base: &dyn Fn(&str) -> Result<Option<Codebook>>,
) -> Result<Vec<QdcImport>> {
    let text = super::decode_xml(bytes).map_err(|m| Error::file(path, m))?;
    let at = |line: usize, m: String| Error::file(path, format!("line {line}: {m}"));
    let root = dom::parse(&text).map_err(|(l, m)| at(l, format!("malformed XML: {m}")))?;
    let book = match root.name.as_str() {
        "CodeBook" => &root,
        "Project" => root
            .child("CodeBook")
            .ok_or_else(|| at(root.line, "the project holds no <CodeBook>".into()))?,
        other => {
            return Err(at(
                root.line,
                format!("the root element is <{other}>, expected a REFI-QDA <CodeBook>"),
            ));
        }
    };
    let (flat, guids) = read_codebook(book).map_err(|(l, m)| at(l, m))?;
    if flat.is_empty() {
        return Err(at(book.line, "<Codes> holds no <Code>".into()));
    }
    let mut polarity = read_sets(book, &guids).map_err(|(l, m)| at(l, m))?;
    if root.name == "Project" {
        polarity.extend(read_sets(&root, &guids).map_err(|(l, m)| at(l, m))?);
    }
    let tops: Vec<&RawCode> = flat.iter().filter(|r| r.parent_guid.is_none()).collect();
    let split = !target.categories.is_empty()
        || (target.question.is_none() && tops.len() >= 2 && tops.iter().all(|r| !r.codable));
    let title_of = |q: &str| {
        config
            .question(q)
            .map(|x| x.text.clone())
            .unwrap_or_default()
    };
    if !split {
        let q = target
            .question
            .clone()
            .ok_or_else(|| Error::file(path, "name the question with --question Q".to_string()))?;
        let b = base(&q)?;
        return Ok(vec![build_checked(
            path,
            &q,
            b.as_ref(),
            &title_of(&q),
            flat,
            &polarity,
            map,
        )?]);
    }
    let stated: BTreeMap<String, &String> = target
        .categories
        .iter()
        .map(|(k, v)| (fold(k), v))
        .collect();
    let mut groups: BTreeMap<String, Vec<RawCode>> = BTreeMap::new();
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    let mut unmatched = Vec::new();
    for r in &flat {
        match &r.parent_guid {
            None => {
                let q = stated
                    .get(&fold(&r.name))
                    .map(|q| q.to_string())
                    .or_else(|| question_named(config, r));
                match q {
                    Some(q) if config.question(&q).is_some() => {
                        owner.insert(r.guid.clone(), q);
                    }
                    Some(q) => {
                        return Err(Error::file(
                            path,
                            format!("category '{}': no question '{q}' in codifica.toml", r.name),
                        ));
                    }
                    None => unmatched.push(r.name.clone()),
                }
            }
            Some(p) => {
                if let Some(q) = owner.get(p).cloned() {
                    let mut c = r.clone();
                    if !groups
                        .get(&q)
                        .is_some_and(|g| g.iter().any(|k| &k.guid == p))
                    {
                        c.parent_guid = None;
                    }
                    owner.insert(r.guid.clone(), q.clone());
                    groups.entry(q).or_default().push(c);
                }
            }
        }
    }
    if !unmatched.is_empty() {
        let ids: Vec<&str> = config.coded_questions().map(|q| q.id.as_str()).collect();
        return Err(Error::file(
            path,
            format!(
                "this codebook has one category per question, and these match no question of                  codifica.toml: {}; state each with --question 'CATEGORY=QUESTION' (questions: {});                  nothing was changed",
                unmatched.join(", "),
                ids.join(", ")
            ),
        ));
    }
    let mut out = Vec::new();
    for (q, codes) in groups {
        let b = base(&q)?;
        out.push(build_checked(
            path,
            &q,
            b.as_ref(),
            &title_of(&q),
            codes,
            &polarity,
            map,
        )?);
    }
    Ok(out)
}

/// The coded question a top-level category stands for: codifica's GUID for it, or its id,
/// label or text (accent- and case-insensitive).
pub(crate) fn question_named(config: &crate::config::Config, raw: &RawCode) -> Option<String> {
    let name = fold(&raw.name);
    config
        .coded_questions()
        .find(|q| {
            raw.guid == guid_for("question", &q.id)
                || name == fold(&q.id)
                || name == fold(q.label())
                || name == fold(&q.text)
        })
        .map(|q| q.id.clone())
}

/// One `<Code>` as read, before ids are assigned.
#[derive(Debug, Clone)]
pub(crate) struct RawCode {
    pub guid: String,
    pub name: String,
    pub codable: bool,
    pub color: Option<String>,
    pub description: String,
    pub parent_guid: Option<String>,
    pub color_expanded: bool,
}

struct CodeReader {
    flat: Vec<RawCode>,
    /// GUID → line of its first appearance.
    guids: BTreeMap<String, usize>,
}

impl CodeReader {
    fn read(
        &mut self,
        el: &Element,
        parent: Option<&str>,
    ) -> std::result::Result<(), dom::DomError> {
        let line = el.line;
        let raw_guid = el
            .attr("guid")
            .ok_or((line, "<Code> has no guid attribute".to_string()))?;
        let guid = normalize_guid(raw_guid)
            .ok_or_else(|| (line, format!("<Code> guid '{raw_guid}' is not a GUID")))?;
        if let Some(first) = self.guids.insert(guid.clone(), line) {
            return Err((
                line,
                format!("GUID {guid} appears twice (first on line {first})"),
            ));
        }
        let name = el
            .attr("name")
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .ok_or((line, "<Code> has no name".to_string()))?
            .to_string();
        let codable = match el.attr("isCodable").map(str::trim) {
            None | Some("true") | Some("1") => true,
            Some("false") | Some("0") => false,
            Some(v) => return Err((line, format!("isCodable must be true or false, not '{v}'"))),
        };
        let (color, color_expanded) = match el.attr("color") {
            None => (None, false),
            Some(c) if c.trim().is_empty() => (None, false),
            Some(c) => {
                let n = normalize_color(c)
                    .ok_or_else(|| (line, format!("colour '{c}' must be #RRGGBB or #RGB")))?;
                let expanded = c.trim().len() == 4;
                (Some(n), expanded)
            }
        };
        let description = el
            .child("Description")
            .map(|d| d.text.trim().to_string())
            .unwrap_or_default();
        self.flat.push(RawCode {
            guid: guid.clone(),
            name,
            codable,
            color,
            description,
            parent_guid: parent.map(str::to_string),
            color_expanded,
        });
        for child in el.children_named("Code") {
            self.read(child, Some(&guid))?;
        }
        Ok(())
    }
}

/// Polarity by code GUID from the polarity sets; every `MemberCode` must resolve.
pub(crate) fn read_sets(
    book: &Element,
    codes: &BTreeMap<String, usize>,
) -> std::result::Result<BTreeMap<String, Polarity>, dom::DomError> {
    let mut out = BTreeMap::new();
    let mut set_guids = BTreeSet::new();
    for sets in book.children_named("Sets") {
        for set in sets.children_named("Set") {
            let g = set.attr("guid").unwrap_or("");
            let g = normalize_guid(g)
                .ok_or_else(|| (set.line, format!("<Set> guid '{g}' is not a GUID")))?;
            if codes.contains_key(&g) || !set_guids.insert(g.clone()) {
                return Err((set.line, format!("GUID {g} appears twice")));
            }
            let name = crate::analyze::plain_terms(set.attr("name").unwrap_or("")).join(" ");
            let pol = if !name.starts_with("polaridad") {
                None
            } else if name.contains("negativ") {
                Some(Polarity::Negative)
            } else if name.contains("positiv") {
                Some(Polarity::Positive)
            } else {
                Some(Polarity::Neutral)
            };
            for m in set.children_named("MemberCode") {
                let raw = m
                    .attr("guid")
                    .or_else(|| m.attr("targetGUID"))
                    .unwrap_or("");
                let mg = normalize_guid(raw)
                    .ok_or_else(|| (m.line, format!("<MemberCode> guid '{raw}' is not a GUID")))?;
                if !codes.contains_key(&mg) {
                    return Err((
                        m.line,
                        format!(
                            "<MemberCode> refers to GUID {mg}, which is no code of this codebook"
                        ),
                    ));
                }
                if let Some(p) = pol {
                    out.insert(mg, p);
                }
            }
        }
    }
    Ok(out)
}

/// A codebook built from a file's codes.
struct Built {
    codebook: Codebook,
    matching: Matching,
    id_of: BTreeMap<String, String>,
}

/// Accent- and case-insensitive form of a label.
pub(crate) fn fold(label: &str) -> String {
    crate::analyze::plain_terms(label).join(" ")
}

/// The folded labels from the root down to code `i` of `flat` (its path in the tree).
fn raw_path(flat: &[RawCode], i: usize) -> Vec<String> {
    let mut path = vec![fold(&flat[i].name)];
    let mut parent = flat[i].parent_guid.clone();
    while let Some(g) = parent {
        match flat.iter().find(|r| r.guid == g) {
            Some(r) if path.len() < 64 => {
                path.push(fold(&r.name));
                parent = r.parent_guid.clone();
            }
            _ => break,
        }
    }
    path.reverse();
    path
}

/// The folded labels from the root down to `code` in `cb`.
fn code_path(cb: &Codebook, code: &Code) -> Vec<String> {
    let mut path = vec![fold(&code.label)];
    let mut parent = code.parent.clone();
    while let Some(id) = parent {
        match cb.code(&id) {
            Some(c) if path.len() < 64 => {
                path.push(fold(&c.label));
                parent = c.parent.clone();
            }
            _ => break,
        }
    }
    path.reverse();
    path
}

/// For each of the file's codes, the base code it is (see [`Matching`]), and the counts.
fn match_codes<'b>(
    base: Option<&'b Codebook>,
    flat: &[RawCode],
    map: &CodeMap,
    matching: &mut Matching,
) -> Vec<Option<&'b Code>> {
    let Some(base) = base else {
        return vec![None; flat.len()];
    };
    let mut claimed: BTreeSet<&str> = BTreeSet::new();
    let mut out: Vec<Option<&Code>> = vec![None; flat.len()];
    for (i, r) in flat.iter().enumerate() {
        if let Some(c) = base
            .codes
            .iter()
            .find(|c| normalize_guid(&c.guid).as_deref() == Some(r.guid.as_str()))
        {
            claimed.insert(&c.id);
            out[i] = Some(c);
            matching.by_guid += 1;
        }
    }
    let folded_map: BTreeMap<String, &String> = map.iter().map(|(k, v)| (fold(k), v)).collect();
    for (i, r) in flat.iter().enumerate() {
        if out[i].is_some() {
            continue;
        }
        let stated = folded_map.get(&fold(&r.name)).and_then(|id| base.code(id));
        if let Some(c) = stated.filter(|c| !claimed.contains(c.id.as_str())) {
            claimed.insert(&c.id);
            out[i] = Some(c);
            matching.by_mapping += 1;
        }
    }
    for (i, r) in flat.iter().enumerate() {
        if out[i].is_some() {
            continue;
        }
        let name = fold(&r.name);
        let candidates: Vec<&Code> = base
            .codes
            .iter()
            .filter(|c| !claimed.contains(c.id.as_str()) && fold(&c.label) == name)
            .collect();
        let path = raw_path(flat, i);
        let pick = candidates
            .iter()
            .find(|c| code_path(base, c) == path)
            .or(candidates.first())
            .copied();
        if let Some(c) = pick {
            claimed.insert(&c.id);
            out[i] = Some(c);
            matching.by_label += 1;
        }
    }
    matching.unmatched_existing = base
        .codes
        .iter()
        .filter(|c| !claimed.contains(c.id.as_str()))
        .map(|c| c.id.clone())
        .collect();
    out
}

fn build(
    question: &str,
    base: Option<&Codebook>,
    title: &str,
    flat: Vec<RawCode>,
    polarity: &BTreeMap<String, Polarity>,
    map: &CodeMap,
    warnings: &mut Vec<String>,
) -> Built {
    let mut matching = Matching::default();
    let priors = match_codes(base, &flat, map, &mut matching);
    let mut ids: BTreeSet<String> = priors.iter().flatten().map(|c| c.id.clone()).collect();
    let mut id_of: BTreeMap<String, String> = BTreeMap::new();
    let mut labels: BTreeSet<String> = BTreeSet::new();
    let mut codes = Vec::with_capacity(flat.len());
    for (r, prior) in flat.iter().zip(&priors) {
        let id = match prior {
            Some(c) => c.id.clone(),
            None => {
                matching.new.push(r.name.clone());
                unique_id(&slug(&r.name), &mut ids)
            }
        };
        id_of.insert(r.guid.clone(), id.clone());
        let mut label = r.name.clone();
        if !labels.insert(label.to_lowercase()) {
            let mut n = 2;
            while !labels.insert(format!("{} ({n})", r.name).to_lowercase()) {
                n += 1;
            }
            label = format!("{} ({n})", r.name);
            warnings.push(format!(
                "two codes are named '{}': the second ({}) is now '{label}'",
                r.name, r.guid
            ));
        }
        if r.color_expanded {
            warnings.push(format!(
                "code '{}': 3-digit colour expanded to {}",
                r.name,
                r.color.as_deref().unwrap_or("")
            ));
        }
        codes.push(Code {
            id,
            guid: prior.map_or_else(|| r.guid.clone(), |c| c.guid.clone()),
            label,
            description: r.description.clone(),
            polarity: polarity
                .get(&r.guid)
                .copied()
                .or(prior.map(|c| c.polarity))
                .unwrap_or_default(),
            parent: None,
            color: r.color.clone(),
            seeds: prior.map(|c| c.seeds.clone()).unwrap_or_default(),
            category: !r.codable,
        });
    }
    for (c, r) in codes.iter_mut().zip(&flat) {
        c.parent = r.parent_guid.as_ref().and_then(|g| id_of.get(g).cloned());
    }
    let codebook = Codebook {
        question: question.to_string(),
        title: base.map_or_else(|| title.to_string(), |b| b.title.clone()),
        multi_label: base.is_some_and(|b| b.multi_label),
        codes,
    };
    Built {
        codebook,
        matching,
        id_of,
    }
}

fn unique_id(stem: &str, ids: &mut BTreeSet<String>) -> String {
    let mut id = stem.to_string();
    let mut n = 2;
    while ids.contains(&id) {
        id = format!("{stem}_{n}");
        n += 1;
    }
    ids.insert(id.clone());
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Codebook {
        Codebook::default_for("necesidades_debilidades").unwrap()
    }

    #[test]
    fn round_trip_keeps_guids_ids_polarity_and_seeds() {
        let cb = base();
        let xml = to_qdc(&cb).unwrap();
        assert!(xml.contains("origin=\"codifica "));
        let back = from_qdc(
            xml.as_bytes(),
            Path::new("x.qdc"),
            &cb.question,
            Some(&cb),
            "",
        )
        .unwrap();
        assert_eq!(back.matched, cb.codes.len());
        assert_eq!(back.codebook, cb);
        // Without a base: GUIDs, labels and polarity survive; ids are slugs of the labels.
        let fresh = from_qdc(xml.as_bytes(), Path::new("x.qdc"), "q", None, "T").unwrap();
        for (a, b) in fresh.codebook.codes.iter().zip(&cb.codes) {
            assert_eq!(
                (&a.guid, &a.label, a.polarity),
                (&b.guid, &b.label, b.polarity)
            );
        }
    }

    #[test]
    fn nested_codes_and_categories() {
        let mut cb = base();
        cb.codes[0].category = true;
        cb.codes[1].parent = Some(cb.codes[0].id.clone());
        let xml = to_qdc(&cb).unwrap();
        assert!(xml.contains("isCodable=\"false\""));
        let back = from_qdc(xml.as_bytes(), Path::new("x.qdc"), &cb.question, None, "").unwrap();
        let parent = back
            .codebook
            .codes
            .iter()
            .find(|c| c.guid == cb.codes[1].guid)
            .unwrap();
        assert_eq!(
            parent.parent.as_deref(),
            Some(back.codebook.codes[0].id.as_str())
        );
        assert!(back.codebook.codes[0].category);
    }

    #[test]
    fn lenient_form() {
        let xml = "\u{FEFF}<?xml version=\"1.0\"?>\n<cb:CodeBook xmlns:cb=\"urn:QDA-XML:codebook:1.0\" \
            xsi:schemaLocation=\"urn:QDA-XML:codebook:1.0 Codebook.xsd\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n\
            <cb:Codes><cb:Code guid=\"{8A2C3B4D-0000-4000-8000-00000000000A}\" name=\"Categoría\" isCodable=\"false\" color=\"#F00\">\n\
            <cb:Code guid=\"8a2c3b4d-0000-4000-8000-00000000000b\" name=\"Niño ágil\" isCodable=\"true\"/></cb:Code></cb:Codes><cb:Sets/></cb:CodeBook>";
        let r = from_qdc(xml.as_bytes(), Path::new("x.qdc"), "q", None, "").unwrap();
        let c = &r.codebook.codes;
        assert_eq!(c[0].color.as_deref(), Some("#FF0000"));
        assert_eq!(c[0].guid, "8a2c3b4d-0000-4000-8000-00000000000a");
        assert_eq!(c[1].label, "Niño ágil");
        assert_eq!(c[1].id, "niño_agil");
        assert_eq!(c[1].parent.as_deref(), Some("categoria"));
    }

    #[test]
    fn duplicate_guid_and_dangling_member_name_lines() {
        let g = "8a2c3b4d-0000-4000-8000-00000000000a";
        let xml = format!(
            "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\">\n<Codes>\n<Code guid=\"{g}\" name=\"A\" isCodable=\"true\"/>\n<Code guid=\"{}\" name=\"B\" isCodable=\"true\"/>\n</Codes>\n</CodeBook>",
            g.to_uppercase()
        );
        let e = from_qdc(xml.as_bytes(), Path::new("x.qdc"), "q", None, "")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 4") && e.contains("twice"), "{e}");
        let xml = format!(
            "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\">\n<Codes>\n<Code guid=\"{g}\" name=\"A\" isCodable=\"true\"/>\n</Codes>\n<Sets><Set guid=\"8a2c3b4d-0000-4000-8000-0000000000ff\" name=\"S\">\n<MemberCode guid=\"8a2c3b4d-0000-4000-8000-0000000000ee\"/>\n</Set></Sets>\n</CodeBook>"
        );
        let e = from_qdc(xml.as_bytes(), Path::new("x.qdc"), "q", None, "")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 6") && e.contains("no code"), "{e}");
    }

    #[test]
    fn malformed_xml_names_the_line() {
        let xml = "<CodeBook>\n<Codes>\n<Code guid=\"x\" name=\"A\" isCodable=\"true\">\n</Codes>\n</CodeBook>";
        let e = from_qdc(xml.as_bytes(), Path::new("x.qdc"), "q", None, "")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 4"), "{e}");
    }
}
