//! `codifica status`: what the workspace holds ([`codifica::app::status`]).

use std::collections::BTreeMap;

use codifica::app::status::{self, Counts, Status};
use codifica::escape::terminal;
use codifica::store::Store;

use super::{Global, open_workspace};

/// Options of `codifica status`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `codifica status`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = open_workspace(g)?;
    let status = status::status(&ws, &Store::open(&ws)?)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        print_table(&status);
    }
    Ok(())
}

/// Prints the status for a person. Names come from data (question ids, file names, the
/// survey's title): they go through [`terminal`] so that none can drive the terminal.
fn print_table(s: &Status) {
    let (workspace, survey) = (terminal(&s.workspace), terminal(&s.survey));
    println!("Workspace {workspace} — {survey}");
    println!("{} answers from {} entities", s.answers, s.entities);
    if s.months.is_empty() {
        println!("No answers yet: run `codifica import FILE`.");
    }
    s.months.iter().for_each(|(month, q)| print_month(month, q));
    println!("\nModels: {}", terminal(&join_or_none(&s.models)));
    println!("Codebooks: {}", terminal(&join_or_none(&s.codebooks)));
}

/// One month's table: a row per question.
fn print_month(month: &str, questions: &BTreeMap<String, Counts>) {
    println!("\n{}", terminal(month));
    let head = "question answers with_text human accepted machine uncoded";
    print_row(head.split(' ').map(|h| h.replace('_', " ")));
    questions.iter().for_each(|(q, c)| print_row(cells(q, c)));
}

/// A question's row: its id (made safe for the terminal) and its counts.
fn cells(q: &str, c: &Counts) -> impl Iterator<Item = String> {
    let (a, t, h) = (c.answers, c.with_text, c.human_coded);
    let n = [a, t, h, c.accepted, c.machine_coded, c.uncoded];
    std::iter::once(terminal(q).into_owned()).chain(n.map(|x| x.to_string()))
}

fn print_row(cells: impl Iterator<Item = String>) {
    let c: Vec<String> = cells.collect();
    println!(
        "  {:<30} {:>8} {:>9} {:>7} {:>8} {:>8} {:>8}",
        c[0], c[1], c[2], c[3], c[4], c[5], c[6]
    );
}

fn join_or_none(items: &[String]) -> String {
    match items {
        [] => "none".into(),
        items => items.join(", "),
    }
}
