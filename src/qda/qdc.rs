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
        .map_err(|m| Error::invalid(format!("codebook of {}: {m}", cb.question)))?;
    if cb.codes.is_empty() {
        return Err(Error::invalid(format!(
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
    /// Codes whose GUID the base codebook already knew (their id and seeds were kept).
    pub matched: usize,
    /// Adjustments made (renamed duplicates, expanded colours…).
    pub warnings: Vec<String>,
}

/// Reads a `.qdc` (bytes as on disk) into the codebook of `question`. `base` is the workspace's
/// current codebook of that question, if any: codes with a GUID it knows keep their id, seeds
/// and (unless a polarity set says otherwise) polarity; its title and `multi_label` are kept.
/// `title` is used when there is no base. Errors name `path` and the line.
pub fn from_qdc(
    bytes: &[u8],
    path: &Path,
    question: &str,
    base: Option<&Codebook>,
    title: &str,
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
    let codes_el = book
        .child("Codes")
        .ok_or_else(|| at(book.line, "<CodeBook> has no <Codes> element".into()))?;
    let mut reader = CodeReader {
        flat: Vec::new(),
        guids: BTreeMap::new(),
    };
    for el in codes_el.children_named("Code") {
        reader.read(el, None).map_err(|(l, m)| at(l, m))?;
    }
    if reader.flat.is_empty() {
        return Err(at(codes_el.line, "<Codes> holds no <Code>".into()));
    }
    let polarity = read_sets(book, &reader.guids).map_err(|(l, m)| at(l, m))?;
    let mut warnings = Vec::new();
    let (codebook, matched) = build(question, base, title, reader.flat, &polarity, &mut warnings);
    codebook
        .validate()
        .map_err(|m| Error::file(path, format!("the imported codebook is not valid: {m}")))?;
    Ok(QdcImport {
        codebook,
        matched,
        warnings,
    })
}

/// One `<Code>` as read, before ids are assigned.
struct RawCode {
    guid: String,
    name: String,
    codable: bool,
    color: Option<String>,
    description: String,
    parent_guid: Option<String>,
    color_expanded: bool,
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
fn read_sets(
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

fn build(
    question: &str,
    base: Option<&Codebook>,
    title: &str,
    flat: Vec<RawCode>,
    polarity: &BTreeMap<String, Polarity>,
    warnings: &mut Vec<String>,
) -> (Codebook, usize) {
    let known: BTreeMap<String, &Code> = base
        .map(|b| {
            b.codes
                .iter()
                .filter_map(|c| normalize_guid(&c.guid).map(|g| (g, c)))
                .collect()
        })
        .unwrap_or_default();
    let mut ids: BTreeSet<String> = known
        .iter()
        .filter(|(g, _)| flat.iter().any(|r| &r.guid == *g))
        .map(|(_, c)| c.id.clone())
        .collect();
    let mut id_of: BTreeMap<String, String> = BTreeMap::new();
    let mut labels: BTreeSet<String> = BTreeSet::new();
    let mut matched = 0;
    let mut codes = Vec::with_capacity(flat.len());
    for r in &flat {
        let prior = known.get(&r.guid);
        let id = match prior {
            Some(c) => {
                matched += 1;
                c.id.clone()
            }
            None => unique_id(&slug(&r.name), &mut ids),
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
            guid: r.guid.clone(),
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
    let cb = Codebook {
        question: question.to_string(),
        title: base.map_or_else(|| title.to_string(), |b| b.title.clone()),
        multi_label: base.is_some_and(|b| b.multi_label),
        codes,
    };
    (cb, matched)
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
