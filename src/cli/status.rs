//! `codifica status`: what the workspace holds — answers by month and question, coded and
//! uncoded, machine-coded, and the trained models.

use std::collections::BTreeMap;

use codifica::answer::Answer;
use codifica::config::Config;
use codifica::escape::terminal;
use codifica::store::{AnswerFilter, Store};
use serde::Serialize;

use super::{Global, open_workspace};

/// Options of `codifica status`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Default, Serialize)]
struct Counts {
    answers: usize,
    with_text: usize,
    human_coded: usize,
    /// Machine codes accepted without review (`classify --accept-at`).
    accepted: usize,
    /// Machine-coded, waiting for review.
    machine_coded: usize,
    uncoded: usize,
}

#[derive(Debug, Serialize)]
struct Status {
    workspace: String,
    survey: String,
    answers: usize,
    entities: usize,
    /// month → question → counts
    months: BTreeMap<String, BTreeMap<String, Counts>>,
    models: Vec<String>,
    codebooks: Vec<String>,
}

/// Runs `codifica status`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = open_workspace(g)?;
    let store = Store::open(&ws)?;
    let mut months: BTreeMap<String, BTreeMap<String, Counts>> = BTreeMap::new();
    let (mut answers, mut entities) = (0, 0);
    // One entity's answers at a time: counting never needs the whole workspace in memory.
    for group in store.answers_by_entity(&AnswerFilter::default())? {
        let group = group?;
        entities += 1;
        answers += group.len();
        for a in &group {
            count(&mut months, a, ws.config());
        }
    }
    let status = Status {
        workspace: ws.root().display().to_string(),
        survey: ws.config().survey.clone(),
        answers,
        entities,
        months,
        models: list_dir(&ws.models_dir(), "model"),
        codebooks: list_dir(&ws.codebooks_dir(), "toml"),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        print_table(&status);
    }
    Ok(())
}

/// Counts `a` under its month and question.
fn count(months: &mut BTreeMap<String, BTreeMap<String, Counts>>, a: &Answer, config: &Config) {
    let c = months
        .entry(a.month.to_string())
        .or_default()
        .entry(a.question.clone())
        .or_default();
    c.answers += 1;
    let coded_question = config.question(&a.question).is_some_and(|q| q.is_coded());
    if coded_question && !a.text.trim().is_empty() {
        c.with_text += 1;
        match (a.is_coded(), a.machine.as_ref().map(|m| m.accepted)) {
            (true, _) => c.human_coded += 1,
            (false, Some(true)) => c.accepted += 1,
            (false, Some(false)) => c.machine_coded += 1,
            (false, None) => c.uncoded += 1,
        }
    }
}

fn list_dir(dir: &std::path::Path, ext: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    out.sort();
    out
}

/// Prints the status for a person. Names come from data (question ids, file names, the
/// survey's title): they go through [`terminal`] so that none can drive the terminal.
fn print_table(s: &Status) {
    println!(
        "Workspace {} — {}",
        terminal(&s.workspace),
        terminal(&s.survey)
    );
    println!("{} answers from {} entities", s.answers, s.entities);
    if s.months.is_empty() {
        println!("No answers yet: run `codifica import FILE`.");
    }
    for (month, questions) in &s.months {
        println!("\n{}", terminal(month));
        println!(
            "  {:<30} {:>8} {:>9} {:>7} {:>8} {:>8} {:>8}",
            "question", "answers", "with text", "human", "accepted", "machine", "uncoded"
        );
        for (q, c) in questions {
            println!(
                "  {:<30} {:>8} {:>9} {:>7} {:>8} {:>8} {:>8}",
                terminal(q),
                c.answers,
                c.with_text,
                c.human_coded,
                c.accepted,
                c.machine_coded,
                c.uncoded
            );
        }
    }
    println!("\nModels: {}", terminal(&join_or_none(&s.models)));
    println!("Codebooks: {}", terminal(&join_or_none(&s.codebooks)));
}

fn join_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}
