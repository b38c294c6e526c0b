//! REFI-QDA projects (`.qdpx`): the workspace's coded answers as a zip holding `project.qde`
//! (namespace `urn:QDA-XML:project:1.0`, valid against `Project.xsd`) and `Sources/<guid>.txt`.
//!
//! Mapping: each answer with text is a `<TextSource>` whose file is its text (UTF-8, LF, no BOM);
//! its human codes are `<Coding>`s of one `<PlainTextSelection>` over the whole text (positions
//! in Unicode code points, end exclusive) created by the user "Analista", and its machine codes
//! are another selection created by the user "codifica (modelo)". Each entity is a `<Case>` with
//! department, region and kind as variables (and `<SourceRef>`s to its answers); entity code and
//! name, month, question, answer id, interview date, respondent role, rating and the imported
//! extra columns are variables of the source, and the model's selection describes its confidence,
//! margin, model and top terms — so that [`super::import`] reads the project back as the same
//! answers. The codebook holds one
//! non-codable category per question with that question's codes under it; names are made unique
//! across the project. Every GUID is derived from a stable name, so the same workspace exports
//! byte-identical files. Pure ratings (no text) are not sources.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use crate::answer::Answer;
use crate::codebook::{Codebook, normalize_guid};
use crate::config::Config;
use crate::error::{Error, Result};

use super::{ORIGIN, guid_for, xml_escape};

/// Namespace of REFI-QDA projects.
pub const NAMESPACE: &str = "urn:QDA-XML:project:1.0";
const SCHEMA_URL: &str = "http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd";

/// What went into a project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QdpxSummary {
    pub sources: usize,
    pub cases: usize,
    pub human_codings: usize,
    pub machine_codings: usize,
    /// Codes on answers that no codebook defines (left out: a coding needs a code GUID).
    pub unknown_codes: BTreeSet<String>,
}

/// The files of a project: `project.qde` text and `(zip path, text)` sources.
pub struct Project {
    pub qde: String,
    pub sources: Vec<(String, String)>,
    pub summary: QdpxSummary,
}

/// A variable declared in the project.
struct Var {
    guid: String,
    name: String,
    float: bool,
}

/// The project's variables: the cases' (department, region, kind) and the sources' (month,
/// question, rating and one per imported extra column), by name.
struct Variables<'a> {
    by_name: BTreeMap<String, Var>,
    /// Extra column (attribute key) → its variable's name (renamed if it clashes).
    extra: BTreeMap<&'a str, String>,
}

const CASE_VARS: [&str; 3] = ["Departamento", "Región", "Tipo de entidad"];
/// Variables of each source: the answer's own fields, so that the project imports back into the
/// same answers (see [`super::import`]).
const SOURCE_VARS: [&str; 8] = [
    "Código de entidad",
    "Entidad",
    "Mes",
    "Pregunta",
    "ID de respuesta",
    "Fecha de entrevista",
    "Cargo del entrevistado",
    "Calificación",
];

impl<'a> Variables<'a> {
    /// Declares the fixed variables and one per attribute key found on `texts`.
    fn declare(texts: &[(&'a Answer, String)]) -> Variables<'a> {
        let keys: BTreeSet<&str> = texts
            .iter()
            .flat_map(|(a, _)| a.attributes.keys().map(String::as_str))
            .collect();
        let mut taken: Vec<String> = SOURCE_VARS.iter().map(|n| n.to_string()).collect();
        let mut extra = BTreeMap::new();
        for k in keys {
            let mut name = k.to_string();
            while CASE_VARS.contains(&name.as_str()) || taken.contains(&name) {
                name = format!("Atributo {name}");
            }
            taken.push(name.clone());
            extra.insert(k, name);
        }
        let by_name = CASE_VARS
            .iter()
            .map(|n| n.to_string())
            .chain(taken)
            .map(|name| {
                let var = Var {
                    guid: guid_for("variable", &name),
                    float: name == "Calificación",
                    name: name.clone(),
                };
                (name, var)
            })
            .collect();
        Variables { by_name, extra }
    }

    /// Writes `<VariableValue>` of variable `name` (always declared by [`Variables::declare`]).
    fn value(&self, out: &mut String, name: &str, value: &str) {
        if let Some(v) = self.by_name.get(name) {
            write_value(out, 6, v, value);
        }
    }

    fn write_declarations(&self, out: &mut String) {
        out.push_str("  <Variables>\n");
        for v in self.by_name.values() {
            let _ = writeln!(
                out,
                "    <Variable guid=\"{}\" name=\"{}\" typeOfVariable=\"{}\"/>",
                v.guid,
                xml_escape(&v.name),
                if v.float { "Float" } else { "Text" }
            );
        }
        out.push_str("  </Variables>\n");
    }
}

/// The users codings are credited to: codifica's "Analista" (human codes of unknown coder),
/// its model, and each named coder of the team log (name → GUID, see [`coder_guid`]).
struct Users {
    human: String,
    machine: String,
    team: BTreeMap<String, String>,
}

/// Who set each answer's human codes and when (UTC, `YYYY-MM-DDTHH:MM:SSZ`), by answer key:
/// the team log's last stamps (`app::team::last_coders`).
pub type Coders = BTreeMap<String, (String, String)>;

/// The GUID of a named team coder's `<User>`: derived from the name, so the same coder has the
/// same GUID in every export and the import tells codifica's coders from other tools' users.
pub fn coder_guid(name: &str) -> String {
    guid_for("user", &format!("coder:{name}"))
}

/// Code GUID by (question, code id).
type CodeGuids<'a> = BTreeMap<(&'a str, &'a str), String>;

/// Builds the project of `answers` with the questions' `codebooks` (every human coding by
/// "Analista").
pub fn build(config: &Config, codebooks: &[Codebook], answers: &[Answer]) -> Result<Project> {
    build_with_coders(config, codebooks, answers, &Coders::new())
}

/// [`build`], crediting each answer's human codings to its coder in `coders` (a `<User>` per
/// coder, `creatingUser` and `creationDateTime` on the selection and its codings); answers
/// `coders` does not name stay with "Analista".
pub fn build_with_coders(
    config: &Config,
    codebooks: &[Codebook],
    answers: &[Answer],
    coders: &Coders,
) -> Result<Project> {
    let team = answers
        .iter()
        .filter(|a| a.is_coded())
        .filter_map(|a| coders.get(&a.key()))
        .map(|(name, _)| (name.clone(), coder_guid(name)))
        .collect();
    let users = Users {
        human: guid_for("user", "analista"),
        machine: guid_for("user", "codifica-modelo"),
        team,
    };
    let renamed = unique_names(config, codebooks);
    let mut code_guid: CodeGuids<'_> = BTreeMap::new();
    for cb in &renamed {
        for c in &cb.codebook.codes {
            if let Some(g) = normalize_guid(&c.guid) {
                code_guid.insert((cb.codebook.question.as_str(), c.id.as_str()), g);
            }
        }
    }
    // Answers with text, each with its cleaned text (computed once).
    let texts: Vec<(&Answer, String)> = answers
        .iter()
        .map(|a| (a, clean_text(&a.text)))
        .filter(|(_, t)| !t.is_empty())
        .collect();
    let vars = Variables::declare(&texts);

    let mut out = String::with_capacity(1 << 16);
    write_head(&mut out, config, &users);
    write_codebook(&mut out, &renamed);
    vars.write_declarations(&mut out);
    let mut summary = QdpxSummary {
        cases: write_cases(&mut out, answers, &texts, &vars),
        ..QdpxSummary::default()
    };
    let credit = Credit {
        users: &users,
        coders,
    };
    let sources = write_sources(&mut out, texts, &code_guid, &vars, &credit, &mut summary);
    out.push_str("</Project>\n");
    Ok(Project {
        qde: out,
        sources,
        summary,
    })
}

/// The XML declaration, the `<Project>` start tag and the `<Users>`.
fn write_head(out: &mut String, config: &Config, users: &Users) {
    let human = &users.human;
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        out,
        "<Project xmlns=\"{NAMESPACE}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"{NAMESPACE} {SCHEMA_URL}\" name=\"{}\" origin=\"{}\" creatingUserGUID=\"{human}\">",
        xml_escape(&config.survey),
        xml_escape(ORIGIN)
    );
    out.push_str("  <Users>\n");
    let _ = writeln!(
        out,
        "    <User guid=\"{human}\" name=\"Analista\" id=\"analista\"/>"
    );
    let _ = writeln!(
        out,
        "    <User guid=\"{}\" name=\"codifica (modelo)\" id=\"codifica\"/>",
        users.machine
    );
    for (name, guid) in &users.team {
        let name = xml_escape(name);
        let _ = writeln!(
            out,
            "    <User guid=\"{guid}\" name=\"{name}\" id=\"coder:{name}\"/>"
        );
    }
    out.push_str("  </Users>\n");
}

/// One non-codable category per question that has codes, its codes under it.
fn write_codebook(out: &mut String, renamed: &[Named]) {
    let with_codes: Vec<&Named> = renamed
        .iter()
        .filter(|n| !n.codebook.codes.is_empty())
        .collect();
    if with_codes.is_empty() {
        return;
    }
    out.push_str("  <CodeBook>\n    <Codes>\n");
    for n in with_codes {
        let _ = writeln!(
            out,
            "      <Code guid=\"{}\" name=\"{}\" isCodable=\"false\">",
            guid_for("question", &n.codebook.question),
            xml_escape(&n.category)
        );
        if !n.codebook.title.trim().is_empty() {
            let _ = writeln!(
                out,
                "        <Description>{}</Description>",
                xml_escape(n.codebook.title.trim())
            );
        }
        super::qdc::write_codes(out, &n.codebook, None, 4);
        out.push_str("      </Code>\n");
    }
    out.push_str("    </Codes>\n  </CodeBook>\n");
}

/// Cases: one per entity, attributes from its latest answer, referring to its sources.
/// Returns how many cases were written.
fn write_cases(
    out: &mut String,
    answers: &[Answer],
    texts: &[(&Answer, String)],
    vars: &Variables<'_>,
) -> usize {
    let mut entities: BTreeMap<&str, (&Answer, Vec<String>)> = BTreeMap::new();
    for a in answers {
        let e = entities.entry(&a.entity_code).or_insert((a, Vec::new()));
        if a.month >= e.0.month {
            e.0 = a;
        }
    }
    for (a, _) in texts {
        if let Some(e) = entities.get_mut(a.entity_code.as_str()) {
            e.1.push(guid_for("source", &a.key()));
        }
    }
    if entities.is_empty() {
        return 0;
    }
    out.push_str("  <Cases>\n");
    for (code, (a, sources)) in &entities {
        let _ = writeln!(
            out,
            "    <Case guid=\"{}\" name=\"{}\">",
            guid_for("case", code),
            xml_escape(&format!("{} ({code})", a.entity_name))
        );
        let kind = a.entity_kind.as_deref().unwrap_or_default();
        let values = [a.department.as_str(), a.region.as_str(), kind];
        for (name, value) in CASE_VARS.iter().zip(values) {
            vars.value(out, name, value);
        }
        for s in sources {
            let _ = writeln!(out, "      <SourceRef targetGUID=\"{s}\"/>");
        }
        out.push_str("    </Case>\n");
    }
    out.push_str("  </Cases>\n");
    entities.len()
}

/// One `<TextSource>` per answer with text, with its codings and variable values; returns the
/// source files `(zip path, text)`.
fn write_sources(
    out: &mut String,
    texts: Vec<(&Answer, String)>,
    code_guid: &CodeGuids<'_>,
    vars: &Variables<'_>,
    credit: &Credit<'_>,
    summary: &mut QdpxSummary,
) -> Vec<(String, String)> {
    let users = credit.users;
    let mut files = Vec::with_capacity(texts.len());
    if texts.is_empty() {
        return files;
    }
    out.push_str("  <Sources>\n");
    for (a, text) in texts {
        let key = a.key();
        let guid = guid_for("source", &key);
        let len = text.chars().count();
        let _ = writeln!(
            out,
            "    <TextSource guid=\"{guid}\" name=\"{}\" plainTextPath=\"internal://{guid}.txt\" creatingUser=\"{}\">",
            xml_escape(&source_name(a)),
            users.human
        );
        let human_refs = code_refs(a, &a.codes, code_guid, summary);
        if !human_refs.is_empty() {
            let name = "Codificación del analista";
            let (user, at) = credit.of(&key);
            let sel = Selection {
                key: &key,
                who: "human",
                name,
                description: None,
                len,
                user,
                at,
            };
            write_selection(out, &sel, &human_refs);
            summary.human_codings += human_refs.len();
        }
        if let Some(m) = &a.machine {
            let refs = code_refs(a, &m.codes, code_guid, summary);
            if !refs.is_empty() {
                let name = format!("Modelo {} (confianza {:.2})", m.model, m.confidence);
                let description = machine_description(m);
                let sel = Selection {
                    key: &key,
                    who: "machine",
                    name: &name,
                    description: Some(&description),
                    len,
                    user: &users.machine,
                    at: None,
                };
                write_selection(out, &sel, &refs);
                summary.machine_codings += refs.len();
            }
        }
        vars.value(out, "Código de entidad", &a.entity_code);
        vars.value(out, "Entidad", &a.entity_name);
        vars.value(out, "Mes", &a.month.to_string());
        vars.value(out, "Pregunta", &a.question);
        let optional = [
            ("ID de respuesta", &a.answer_id),
            ("Fecha de entrevista", &a.interview_date),
            ("Cargo del entrevistado", &a.respondent_role),
        ];
        for (name, value) in optional {
            if let Some(v) = value {
                vars.value(out, name, v);
            }
        }
        if let Some(r) = a.rating.filter(|r| r.is_finite()) {
            vars.value(out, "Calificación", &r.to_string());
        }
        for (k, v) in &a.attributes {
            if let Some(n) = vars.extra.get(k.as_str()) {
                vars.value(out, n, v);
            }
        }
        out.push_str("    </TextSource>\n");
        files.push((format!("Sources/{guid}.txt"), text));
        summary.sources += 1;
    }
    out.push_str("  </Sources>\n");
    files
}

/// The model selection's `<Description>`, which the import reads back: model, confidence,
/// margin and terms; then, only when set, "aceptada: sí" (accepted without review) and the
/// alternatives as `id=probability` (REFI-QDA has no field for either; a note keeps them
/// readable in other tools).
fn machine_description(m: &crate::answer::MachineCoding) -> String {
    let mut d = format!(
        "modelo: {}\nconfianza: {}\nmargen: {}\ntérminos: {}",
        m.model,
        m.confidence,
        m.margin,
        m.top_terms.join("; ")
    );
    if m.accepted {
        d.push_str("\naceptada: sí");
    }
    if !m.alternatives.is_empty() {
        let alts: Vec<String> = m
            .alternatives
            .iter()
            .map(|(c, p)| format!("{c}={p}"))
            .collect();
        d.push_str("\nalternativas: ");
        d.push_str(&alts.join("; "));
    }
    d
}

/// `(code id, code GUID)` of `codes` on answer `a`; codes no codebook defines are recorded in
/// the summary and left out (a coding needs a code GUID).
fn code_refs<'c>(
    a: &'c Answer,
    codes: &'c [String],
    code_guid: &'c CodeGuids<'_>,
    summary: &mut QdpxSummary,
) -> Vec<(&'c str, &'c str)> {
    let mut refs = Vec::new();
    for c in codes {
        match code_guid.get(&(a.question.as_str(), c.as_str())) {
            Some(g) => refs.push((c.as_str(), g.as_str())),
            None => {
                summary.unknown_codes.insert(format!("{}:{c}", a.question));
            }
        }
    }
    refs
}

/// Writes the project as a `.qdpx` zip (atomically; fixed timestamps, so byte-identical for the
/// same input).
pub fn write(path: &Path, project: &Project) -> Result<()> {
    let err = |e: zip::result::ZipError| Error::file(path, e.to_string());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    zip.start_file("project.qde", opts).map_err(err)?;
    zip.write_all(project.qde.as_bytes())
        .map_err(|e| Error::io(path, e))?;
    for (name, text) in &project.sources {
        zip.start_file(name.as_str(), opts).map_err(err)?;
        zip.write_all(text.as_bytes())
            .map_err(|e| Error::io(path, e))?;
    }
    let bytes = zip.finish().map_err(err)?.into_inner();
    crate::fsutil::atomic_write(path, &bytes)
}

/// Source text as tools need it: no BOM, LF line endings.
fn clean_text(text: &str) -> String {
    text.trim_start_matches('\u{FEFF}')
        .replace("\r\n", "\n")
        .replace('\r', "\n")
}

/// A source name without `/` (QualCoder uses it as a file name).
fn source_name(a: &Answer) -> String {
    let mut name = format!(
        "{} {} {} {}",
        a.entity_name, a.entity_code, a.month, a.question
    );
    if let Some(id) = &a.answer_id {
        name.push(' ');
        name.push_str(id);
    }
    name.replace(['/', '\\'], "-")
}

/// One `<PlainTextSelection>` over a whole source.
struct Selection<'a> {
    key: &'a str,
    who: &'a str,
    name: &'a str,
    /// For the model's selection: its confidence, margin, model and terms, which the import
    /// reads back.
    description: Option<&'a str>,
    len: usize,
    user: &'a str,
    /// When the coder set the codes (`creationDateTime`), if the team log says.
    at: Option<&'a str>,
}

/// Whom an answer's human codings are credited to.
struct Credit<'a> {
    users: &'a Users,
    coders: &'a Coders,
}

impl<'a> Credit<'a> {
    /// The user GUID and time of answer `key`'s human codes ("Analista", no time, if unknown).
    fn of(&self, key: &str) -> (&'a str, Option<&'a str>) {
        let named = self.coders.get(key).and_then(|(name, at)| {
            let guid = self.users.team.get(name)?;
            Some((guid.as_str(), Some(at.as_str())))
        });
        named.unwrap_or((self.users.human.as_str(), None))
    }
}

fn write_selection(out: &mut String, sel: &Selection<'_>, refs: &[(&str, &str)]) {
    let (key, who, user) = (sel.key, sel.who, sel.user);
    let at = sel.at.map_or(String::new(), |t| {
        format!(" creationDateTime=\"{}\"", xml_escape(t))
    });
    let _ = writeln!(
        out,
        "      <PlainTextSelection guid=\"{}\" name=\"{}\" startPosition=\"0\" endPosition=\"{}\" creatingUser=\"{user}\"{at}>",
        guid_for("selection", &format!("{key}:{who}")),
        xml_escape(sel.name),
        sel.len
    );
    if let Some(d) = sel.description {
        let _ = writeln!(out, "        <Description>{}</Description>", xml_escape(d));
    }
    for (id, g) in refs {
        let _ = writeln!(
            out,
            "        <Coding guid=\"{}\" creatingUser=\"{user}\"{at}>\n          <CodeRef targetGUID=\"{g}\"/>\n        </Coding>",
            guid_for("coding", &format!("{key}:{who}:{id}"))
        );
    }
    out.push_str("      </PlainTextSelection>\n");
}

fn write_value(out: &mut String, depth: usize, v: &Var, value: &str) {
    let pad = "  ".repeat(depth);
    let tag = if v.float { "FloatValue" } else { "TextValue" };
    let _ = writeln!(
        out,
        "{pad}<VariableValue>\n{pad}  <VariableRef targetGUID=\"{}\"/>\n{pad}  <{tag}>{}</{tag}>\n{pad}</VariableValue>",
        v.guid,
        xml_escape(value)
    );
}

/// A codebook with labels made unique across the project, and its category's name.
struct Named {
    category: String,
    codebook: Codebook,
}

/// Question categories first, then codes in config order: a name already taken gets the
/// question's label appended (then a number), since tools merge codes with equal names.
fn unique_names(config: &Config, codebooks: &[Codebook]) -> Vec<Named> {
    let order = |q: &str| {
        config
            .questions
            .iter()
            .position(|x| x.id == q)
            .unwrap_or(usize::MAX)
    };
    let mut cbs: Vec<&Codebook> = codebooks.iter().collect();
    cbs.sort_by(|a, b| (order(&a.question), &a.question).cmp(&(order(&b.question), &b.question)));
    let mut taken = BTreeSet::new();
    let mut claim = |name: &str, qualifier: &str| -> String {
        let mut n = name.trim().to_string();
        if !taken.insert(n.to_lowercase()) {
            n = format!("{} [{qualifier}]", name.trim());
            let mut k = 2;
            while !taken.insert(n.to_lowercase()) {
                n = format!("{} [{qualifier} {k}]", name.trim());
                k += 1;
            }
        }
        n
    };
    let labels: Vec<String> = cbs
        .iter()
        .map(|cb| {
            config
                .question(&cb.question)
                .map_or(cb.question.clone(), |q| q.label().to_string())
        })
        .collect();
    let categories: Vec<String> = labels.iter().map(|l| claim(l, "pregunta")).collect();
    cbs.into_iter()
        .zip(categories)
        .zip(labels)
        .map(|((cb, category), label)| {
            let mut codebook = cb.clone();
            for c in &mut codebook.codes {
                c.label = claim(&c.label, &label);
            }
            Named { category, codebook }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_and_names() {
        assert_eq!(clean_text("\u{FEFF}a\r\nb\rc"), "a\nb\nc");
    }

    #[test]
    fn names_are_unique_across_questions() {
        let config = Config::monitoreo360();
        let mut a = Codebook::default_for("articulacion_instrumentos").unwrap();
        let b = Codebook::default_for("necesidades_debilidades").unwrap();
        a.codes[0].label = b.codes[0].label.clone();
        let named = unique_names(&config, &[b.clone(), a]);
        let all: Vec<String> = named
            .iter()
            .flat_map(|n| n.codebook.codes.iter().map(|c| c.label.to_lowercase()))
            .chain(named.iter().map(|n| n.category.to_lowercase()))
            .collect();
        let set: BTreeSet<&String> = all.iter().collect();
        assert_eq!(set.len(), all.len());
        assert_eq!(named[0].codebook.question, "articulacion_instrumentos");
        assert!(
            named[0].codebook.codes[0].label.ends_with(']')
                || named[1].codebook.codes[0].label.ends_with(']')
        );
    }
}
