//! Writes a **synthetic** Monitoreo 360 data set as canonical long CSV, for scale benchmarks and
//! crash tests: `cargo run --release --example synth -- ANSWERS OUT.csv [SEED]`.
//! Memory stays constant whatever ANSWERS is (rows are streamed).

use std::path::PathBuf;
use std::process::ExitCode;

use codifica::synth::{SynthSpec, write_csv_file};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: synth ANSWERS OUT.csv [SEED]";
    let (Some(n), Some(out)) = (args.first(), args.get(1)) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let Ok(answers) = n.replace('_', "").parse::<u64>() else {
        eprintln!("ANSWERS must be a whole number\n{usage}");
        return ExitCode::from(2);
    };
    let seed = match args.get(2).map(|s| s.parse::<u64>()) {
        None => 2020,
        Some(Ok(s)) => s,
        Some(Err(_)) => {
            eprintln!("SEED must be a whole number\n{usage}");
            return ExitCode::from(2);
        }
    };
    let spec = SynthSpec::new(answers, seed);
    match write_csv_file(&spec, &PathBuf::from(out)) {
        Ok(plan) => {
            eprintln!(
                "wrote {} synthetic answers to {out}: {} months ({} … {}), {} entities a month",
                plan.answers, plan.months, plan.first_month, plan.last_month, plan.per_month
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
