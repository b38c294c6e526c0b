//! Small output helpers shared by the subcommands.

use std::io::Write;

use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};

/// `n` and the noun in the number it takes: "1 non-answer", "0 non-answers", "2 non-answers".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A closed pipe (`codifica trends | head`) is not an error: stop quietly.
pub fn quiet_broken_pipe(e: std::io::Error) -> anyhow::Result<()> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(e.into())
    }
}

/// Writes `items` to stdout as one pretty JSON array, element by element: byte-identical to
/// serialising the whole `Vec`, without holding it. The first failing item stops the output.
pub fn write_json_array<T: Serialize>(
    items: impl Iterator<Item = codifica::Result<T>>,
) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut json = serde_json::Serializer::pretty(&mut out);
    let mut seq = json.serialize_seq(None)?;
    for item in items {
        seq.serialize_element(&item?)?;
    }
    seq.end()?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// Each of `lines` on stdout; a closed pipe stops quietly.
pub fn print_lines(lines: &[String]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    lines
        .iter()
        .try_for_each(|l| writeln!(out, "{l}"))
        .or_else(quiet_broken_pipe)
}
