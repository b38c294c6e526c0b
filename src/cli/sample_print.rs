//! What `codifica sample` prints: the sample as JSON, or as CSV on stdout, and its notes.

use codifica::app::sample::{Drawn, SampleParams};

use super::sample::Args;

/// The sample as JSON, or as CSV when not written to a file; the notes on stderr.
pub fn print(args: &Args, params: &SampleParams, drawn: &Drawn, quiet: bool) -> anyhow::Result<()> {
    if args.json {
        println!("{}", serde_json::to_string_pretty(&drawn.json(params))?);
    } else if args.output.is_none() {
        print!("{}", String::from_utf8_lossy(&drawn.csv));
    }
    if !quiet && !args.json {
        let messages = drawn.messages(args.seed, args.output.as_deref());
        messages.iter().for_each(|m| eprintln!("{m}"));
    }
    Ok(())
}
