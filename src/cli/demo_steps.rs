//! The later steps of `codifica demo`: each runs a real subcommand through the same dispatcher
//! as the command line, so the demo shows exactly what an analyst would type and see.

use clap::Parser;
use codifica::workspace::Workspace;

use super::Cli;

/// Month the demo classifies and reports (the uncoded one).
const NEW_MONTH: &str = "2020-11";

/// Runs the demo's steps after the searches: train on the coded months, evaluate, classify
/// November, show the review queue's head, flag, and write the report.
pub fn after_search(ws: &Workspace) -> anyhow::Result<()> {
    let dir = ws.root().to_string_lossy().into_owned();
    let out = ws.root().join("informe").to_string_lossy().into_owned();
    for (title, args) in steps(&out) {
        println!("\n== {title}\n$ codifica -w {dir} {}", args.join(" "));
        let mut argv = vec!["codifica", "--workspace", &dir];
        argv.extend(args);
        super::run(Cli::try_parse_from(argv)?)?;
    }
    Ok(())
}

/// Each step's title and subcommand line; the report is written to `out`.
fn steps(out: &str) -> Vec<(&'static str, Vec<&str>)> {
    // The map comes from the boundaries and gazetteer built into the binary.
    let report = vec!["report", "--month", NEW_MONTH, "--out", out];
    vec![
        ("Train on the coded months (July–October)", vec!["train"]),
        ("Evaluate (5-fold cross-validation)", vec!["evaluate"]),
        ("Classify November", vec!["classify", "--month", NEW_MONTH]),
        (
            "Review queue: the answers the model was least sure of",
            vec!["review", "--month", NEW_MONTH, "--limit", "5"],
        ),
        (
            "Priority attention, November",
            vec!["flags", "--month", NEW_MONTH],
        ),
        ("November's report", report),
    ]
}
