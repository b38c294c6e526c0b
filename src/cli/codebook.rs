//! `codifica codebook`: list, show and edit the questions' codebooks (the answers' codes follow
//! every rename and merge), and exchange them with other QDA tools as REFI-QDA `.qdc` files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;
use codifica::codebook::edit::{self, NewCode, Recode};
use codifica::codebook::{self, Codebook, Polarity};
use codifica::qda::qdc;
use codifica::store::Store;
use codifica::workspace::Workspace;

use super::Global;

/// Options of `codifica codebook`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// List the coded questions, with their codebooks and code counts.
    List,
    /// Show a question's codebook as a table (or JSON).
    Show {
        #[arg(long, short = 'Q')]
        question: String,
        /// Print the codebook as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add a code (its GUID is minted once, here).
    Add {
        #[arg(long, short = 'Q')]
        question: String,
        /// Code id: a short slug (letters, digits, '_', '-', '.').
        id: String,
        /// Label shown to people (unique in the codebook).
        #[arg(long)]
        label: String,
        #[arg(long, default_value = "")]
        description: String,
        /// positive | neutral | negative.
        #[arg(long, default_value = "neutral", value_parser = parse_polarity)]
        polarity: Polarity,
        /// Id of the parent code.
        #[arg(long)]
        parent: Option<String>,
        /// Colour #RRGGBB (or #RGB).
        #[arg(long)]
        color: Option<String>,
        /// Seed term or phrase for `autocode` (repeat the option for several).
        #[arg(long = "seed")]
        seeds: Vec<String>,
        /// A grouping node, not used to code answers.
        #[arg(long)]
        category: bool,
    },
    /// Rename a code's id and/or label; answers coded with it (human and machine) follow.
    Rename {
        #[arg(long, short = 'Q')]
        question: String,
        /// The code's current id.
        code: String,
        /// New id.
        #[arg(long = "id")]
        new_id: Option<String>,
        /// New label.
        #[arg(long = "label")]
        new_label: Option<String>,
    },
    /// Merge code FROM into code INTO: answers coded FROM become coded INTO, FROM is removed.
    Merge {
        #[arg(long, short = 'Q')]
        question: String,
        from: String,
        into: String,
    },
    /// Write a question's codebook as a REFI-QDA codebook (.qdc).
    Export {
        #[arg(long, short = 'Q')]
        question: String,
        /// Output format (only `qdc`).
        #[arg(long, default_value = "qdc", value_parser = ["qdc"])]
        format: String,
        #[arg(long, short = 'o')]
        output: PathBuf,
    },
    /// Read a REFI-QDA codebook (.qdc, or a project's codebook) as a question's codebook. Codes
    /// the workspace knows (by GUID, then by a stated match, then by label, accent- and
    /// case-insensitive) keep their id, GUID, polarity and seeds. A codebook with one top-level
    /// category per question is split onto the questions whose names match.
    Import {
        file: PathBuf,
        /// The question (default: the file name, if it is a question id); or, repeated,
        /// CATEGORY=QUESTION for a codebook split by category.
        #[arg(long, short = 'Q')]
        question: Vec<String>,
        /// A stated match LABEL=ID: the file's code LABEL is the workspace's code ID (repeat).
        #[arg(long = "map", value_name = "LABEL=ID")]
        map: Vec<String>,
        /// A TOML file of stated matches and categories: `[codes]` LABEL = "id", `[categories]`
        /// CATEGORY = "question".
        #[arg(long, value_name = "FILE")]
        mapping: Option<PathBuf>,
        /// Check and report, write nothing (the same checks as the real run).
        #[arg(long)]
        dry_run: bool,
    },
}

fn parse_polarity(s: &str) -> Result<Polarity, String> {
    match s.trim().to_lowercase().as_str() {
        "positive" | "positiva" | "positivo" | "+" => Ok(Polarity::Positive),
        "neutral" | "0" => Ok(Polarity::Neutral),
        "negative" | "negativa" | "negativo" | "-" => Ok(Polarity::Negative),
        other => Err(format!("'{other}' is not positive, neutral or negative")),
    }
}

/// Runs `codifica codebook`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = super::open_workspace(g)?;
    match args.command {
        Cmd::List => list(&ws),
        Cmd::Show { question, json } => show(&ws, &question, json),
        Cmd::Add {
            question,
            id,
            label,
            description,
            polarity,
            parent,
            color,
            seeds,
            category,
        } => {
            let new = NewCode {
                id,
                label,
                description,
                polarity,
                parent,
                color,
                seeds,
                category,
            };
            add(&ws, g, &question, new)
        }
        Cmd::Rename {
            question,
            code,
            new_id,
            new_label,
        } => rename(
            &ws,
            g,
            &question,
            &code,
            new_id.as_deref(),
            new_label.as_deref(),
        ),
        Cmd::Merge {
            question,
            from,
            into,
        } => merge(&ws, g, &question, &from, &into),
        Cmd::Export {
            question, output, ..
        } => export(&ws, g, &question, &output),
        Cmd::Import {
            file,
            question,
            map,
            mapping,
            dry_run,
        } => {
            let opts = ImportArgs {
                questions: question,
                map,
                mapping,
                dry_run,
            };
            import(&ws, g, &file, &opts)
        }
    }
}

fn check_question(ws: &Workspace, question: &str) -> anyhow::Result<()> {
    if ws.config().question(question).is_none() {
        let ids: Vec<&str> = ws
            .config()
            .coded_questions()
            .map(|q| q.id.as_str())
            .collect();
        anyhow::bail!(
            "no question '{question}' in codifica.toml (coded questions: {})",
            ids.join(", ")
        );
    }
    Ok(())
}

fn list(ws: &Workspace) -> anyhow::Result<()> {
    let mut questions: Vec<String> = ws
        .config()
        .coded_questions()
        .map(|q| q.id.clone())
        .collect();
    if let Ok(rd) = std::fs::read_dir(ws.codebooks_dir()) {
        let mut extra: Vec<String> = rd
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let p = e.path();
                (p.extension()? == "toml").then(|| p.file_stem()?.to_str().map(str::to_string))?
            })
            .filter(|q| !questions.contains(q))
            .collect();
        extra.sort();
        questions.extend(extra);
    }
    println!(
        "{:<32} {:>5} {:>6} {:<6} codebook",
        "question", "codes", "seeds", "multi"
    );
    for q in questions {
        match codebook::load(ws, &q) {
            Ok(Some(cb)) => {
                let seeds: usize = cb.codes.iter().map(|c| c.seeds.len()).sum();
                println!(
                    "{:<32} {:>5} {:>6} {:<6} {}",
                    q,
                    cb.codes.len(),
                    seeds,
                    if cb.multi_label { "yes" } else { "no" },
                    codebook::path_for(ws, &q).display()
                );
            }
            Ok(None) => println!("{q:<32} {:>5} {:>6} {:<6} (none)", "-", "-", "-"),
            Err(e) => println!("{q:<32} {:>5} {:>6} {:<6} INVALID: {e}", "-", "-", "-"),
        }
    }
    Ok(())
}

fn show(ws: &Workspace, question: &str, json: bool) -> anyhow::Result<()> {
    let cb = edit::load_required(ws, question)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&cb)?);
        return Ok(());
    }
    println!(
        "{} ({}){}",
        cb.question,
        if cb.multi_label {
            "multi-label"
        } else {
            "single-label"
        },
        if cb.title.is_empty() {
            String::new()
        } else {
            format!(": {}", cb.title)
        }
    );
    println!(
        "{:<28} {:<9} {:<20} {:>5} {:<36} label",
        "id", "polarity", "parent", "seeds", "guid"
    );
    for c in &cb.codes {
        let pol = format!("{:?}", c.polarity).to_lowercase();
        let label = if c.category {
            format!("{} [category]", c.label)
        } else {
            c.label.clone()
        };
        println!(
            "{:<28} {:<9} {:<20} {:>5} {:<36} {}",
            c.id,
            pol,
            c.parent.as_deref().unwrap_or("-"),
            c.seeds.len(),
            c.guid,
            label
        );
    }
    Ok(())
}

/// Takes the write lock and opens the store: every edit loads, checks and commits under it.
fn begin(ws: &Workspace) -> anyhow::Result<(codifica::workspace::WorkspaceLock, Store)> {
    let lock = ws.lock()?;
    let store = Store::open(ws)?;
    Ok((lock, store))
}

/// Common tail of every edit: recode answers in one commit, save the codebook, report.
fn apply(
    ws: &Workspace,
    g: &Global,
    store: &Store,
    old: Option<&Codebook>,
    new: &Codebook,
    recode: &Recode,
    what: &str,
) -> anyhow::Result<()> {
    let out = edit::commit(ws, store, old, new, recode)?;
    if !g.quiet {
        if recode.is_identity() {
            println!("{what}");
        } else {
            println!(
                "{what}; {} answers re-coded (human and machine codes)",
                out.answers_changed
            );
        }
        println!(
            "  codebook: {}",
            codebook::path_for(ws, &new.question).display()
        );
        if !recode.is_identity() && has_models(ws) {
            println!(
                "  note: trained models still predict the old code ids; run `codifica train` again"
            );
        }
    }
    Ok(())
}

fn has_models(ws: &Workspace) -> bool {
    std::fs::read_dir(ws.models_dir()).is_ok_and(|mut d| d.next().is_some())
}

fn add(ws: &Workspace, g: &Global, question: &str, new: NewCode) -> anyhow::Result<()> {
    check_question(ws, question)?;
    let (_lock, store) = begin(ws)?;
    let old = codebook::load(ws, question)?;
    let mut cb = match &old {
        Some(cb) => cb.clone(),
        None => edit::new_codebook(ws, question)?,
    };
    let id = new.id.clone();
    let guid = cb
        .add_code(new)
        .map_err(|m| anyhow::anyhow!("{question}: {m}; nothing was changed"))?
        .guid
        .clone();
    let what = format!("Added code '{id}' (GUID {guid})");
    apply(ws, g, &store, old.as_ref(), &cb, &Recode::default(), &what)
}

fn rename(
    ws: &Workspace,
    g: &Global,
    question: &str,
    code: &str,
    new_id: Option<&str>,
    new_label: Option<&str>,
) -> anyhow::Result<()> {
    let (_lock, store) = begin(ws)?;
    let old = edit::load_required(ws, question)?;
    let mut cb = old.clone();
    let recode = cb
        .rename_code(code, new_id, new_label)
        .map_err(|m| anyhow::anyhow!("{question}: {m}; nothing was changed"))?;
    if let Some(id) = new_id.filter(|id| *id != code) {
        edit::check_rename_target(&store, &old, id)?;
    }
    let target = new_id.unwrap_or(code);
    let what = format!("Renamed '{code}' → '{target}'");
    apply(ws, g, &store, Some(&old), &cb, &recode, &what)
}

fn merge(ws: &Workspace, g: &Global, question: &str, from: &str, into: &str) -> anyhow::Result<()> {
    let (_lock, store) = begin(ws)?;
    let old = edit::load_required(ws, question)?;
    let mut cb = old.clone();
    let recode = cb
        .merge_code(from, into)
        .map_err(|m| anyhow::anyhow!("{question}: {m}; nothing was changed"))?;
    let what = format!("Merged '{from}' into '{into}'");
    apply(ws, g, &store, Some(&old), &cb, &recode, &what)
}

fn export(ws: &Workspace, g: &Global, question: &str, output: &Path) -> anyhow::Result<()> {
    let cb = edit::load_required(ws, question)?;
    let xml = qdc::to_qdc(&cb)?;
    codifica::fsutil::atomic_write(output, xml.as_bytes())?;
    if !g.quiet {
        println!(
            "Wrote {} codes of {} to {}",
            cb.codes.len(),
            question,
            output.display()
        );
    }
    Ok(())
}

/// Options of `codebook import`.
struct ImportArgs {
    questions: Vec<String>,
    map: Vec<String>,
    mapping: Option<PathBuf>,
    dry_run: bool,
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

fn pair(s: &str, what: &str) -> anyhow::Result<(String, String)> {
    match s.rsplit_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
            Ok((k.trim().to_string(), v.trim().to_string()))
        }
        _ => anyhow::bail!("'{s}' is not {what}"),
    }
}

/// Where the file's codes go, and the stated matches, from the options.
fn import_target(
    ws: &Workspace,
    file: &Path,
    opts: &ImportArgs,
) -> anyhow::Result<(qdc::Target, qdc::CodeMap)> {
    let mut target = qdc::Target::default();
    let mut map = qdc::CodeMap::new();
    if let Some(p) = &opts.mapping {
        let text =
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        let m: MatchFile = toml::from_str(&text)
            .with_context(|| format!("{}: not a codebook mapping", p.display()))?;
        map.extend(m.codes);
        target.categories.extend(m.categories);
    }
    for m in &opts.map {
        let (k, v) = pair(m, "LABEL=ID")?;
        map.insert(k, v);
    }
    for q in &opts.questions {
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
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if ws.config().question(stem).is_some() {
            target.question = Some(stem.to_string());
        }
    }
    Ok((target, map))
}

/// The import's plan, shared by the dry run and the real run: the codebooks read and matched,
/// and every check the commit makes. Writes nothing.
fn plan_import(
    ws: &Workspace,
    store: &Store,
    file: &Path,
    opts: &ImportArgs,
) -> anyhow::Result<Vec<(Option<Codebook>, qdc::QdcImport)>> {
    let (target, map) = import_target(ws, file, opts)?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let base = |q: &str| codebook::load(ws, q);
    let parts = qdc::from_qdc_split(&bytes, file, ws.config(), &target, &map, &base)?;
    let mut out = Vec::new();
    for part in parts {
        let old = codebook::load(ws, &part.codebook.question)?;
        edit::check(store, old.as_ref(), &part.codebook, &Recode::default())?;
        out.push((old, part));
    }
    Ok(out)
}

fn import(ws: &Workspace, g: &Global, file: &Path, opts: &ImportArgs) -> anyhow::Result<()> {
    let (_lock, store) = begin(ws)?;
    let plan = plan_import(ws, &store, file, opts)?;
    for (old, part) in plan {
        if !g.quiet {
            for w in &part.warnings {
                eprintln!("note: {w}");
            }
        }
        let cb = &part.codebook;
        let m = &part.matching;
        let summary = format!(
            "Imported {} codes into {}: matched {} (by GUID {}, by mapping {}, by label {}), \
             new {}, existing codes not in the file {}{}",
            cb.codes.len(),
            cb.question,
            part.matched,
            m.by_guid,
            m.by_mapping,
            m.by_label,
            m.new.len(),
            m.unmatched_existing.len(),
            if m.unmatched_existing.is_empty() {
                String::new()
            } else {
                format!(" (removed: {})", m.unmatched_existing.join(", "))
            }
        );
        if opts.dry_run {
            println!("{summary} — dry run, nothing written");
            continue;
        }
        apply(
            ws,
            g,
            &store,
            old.as_ref(),
            cb,
            &Recode::default(),
            &summary,
        )?;
    }
    Ok(())
}
