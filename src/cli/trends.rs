//! `codifica trends`: each entity's interviews in month order, each compared with the entity's
//! previous interview (overall and topic ratings, satisfied or not, the mix of codes).

use std::io::Write;

use codifica::month::Month;
use codifica::store::Store;
use codifica::trends::spanish::{es_num, es_opt_num, es_signed};
use codifica::trends::{EntitySeries, Interview};

use super::{Global, open_workspace};

/// Options of `codifica trends`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this entity (its DIVIPOLA code).
    #[arg(long)]
    entity: Option<String>,
    /// Print JSON (one object per entity) instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `codifica trends`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = open_workspace(g)?;
    let store = Store::open(&ws)?;
    let series = codifica::app::trends::series(&store, ws.config(), args.entity.as_deref())?;
    write(series, &args, ws.config())
}

type SeriesItem = codifica::Result<EntitySeries>;

/// Prints the series as JSON or text. Each entity is printed as soon as it is read, then
/// dropped: memory stays that of one entity, whatever the workspace holds.
fn write(
    series: impl Iterator<Item = SeriesItem>,
    args: &Args,
    config: &codifica::config::Config,
) -> anyhow::Result<()> {
    if args.json {
        return write_json(series);
    }
    let mut series = series.peekable();
    if series.peek().is_none() {
        println!("No interviews in the workspace yet.");
    }
    write_text(series, config)
}

/// Prints each series as text. A closed pipe (`codifica trends | head`) stops quietly.
fn write_text(
    series: impl Iterator<Item = SeriesItem>,
    config: &codifica::config::Config,
) -> anyhow::Result<()> {
    let topics: Vec<(String, String)> = config
        .topic_questions()
        .map(|q| (q.id.clone(), q.label().to_string()))
        .collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for s in series {
        if let Err(e) = print_series(&mut out, &s?, &topics) {
            return quiet_broken_pipe(e);
        }
    }
    out.flush().or_else(quiet_broken_pipe)
}

/// Writes the series as one pretty JSON array, element by element: byte-identical to
/// serialising the whole `Vec`, without holding it.
fn write_json(series: impl Iterator<Item = SeriesItem>) -> anyhow::Result<()> {
    use serde::ser::{SerializeSeq, Serializer};
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut json = serde_json::Serializer::pretty(&mut out);
    let mut seq = json.serialize_seq(None)?;
    for s in series {
        seq.serialize_element(&s?)?;
    }
    seq.end()?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// A closed pipe (`codifica trends | head`) is not an error: stop quietly.
pub fn quiet_broken_pipe(e: std::io::Error) -> anyhow::Result<()> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(e.into())
    }
}

fn print_series(
    out: &mut impl Write,
    s: &EntitySeries,
    topics: &[(String, String)],
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {} — {}, región {}",
        s.entity_code, s.entity_name, s.department, s.region
    )?;
    if s.region_changed() {
        writeln!(
            out,
            "  (region changed across interviews: {}; grouped under the latest, {})",
            s.regions.join(" → "),
            s.region
        )?;
    }
    for iv in &s.interviews {
        print_interview(out, iv, topics)?;
    }
    Ok(())
}

/// One interview: the overall rating and its change, the topics, the codes.
fn print_interview(
    out: &mut impl Write,
    iv: &Interview,
    topics: &[(String, String)],
) -> std::io::Result<()> {
    let overall = es_opt_num(iv.overall, 1);
    let delta = overall_change(iv);
    let sat = match iv.satisfied {
        Some(true) => "satisfied",
        Some(false) => "NOT satisfied",
        None => "no rating",
    };
    writeln!(
        out,
        "  {}  general {overall:>4}  ({delta})  {sat}",
        iv.month
    )?;
    let t = topic_changes(iv, topics);
    if !t.is_empty() {
        writeln!(out, "      topics: {}", t.join("; "))?;
    }
    for (q, codes) in &iv.codes {
        let c: Vec<String> = codes.iter().map(|(c, n)| format!("{c}×{n}")).collect();
        writeln!(out, "      {q}: {}", c.join(", "))?;
    }
    Ok(())
}

/// "+0,5 vs 2020-07", "no comparison vs 2020-07" or "first interview".
fn overall_change(iv: &Interview) -> String {
    iv.change
        .as_ref()
        .map(|c| match c.overall {
            Some(d) => format!("{} vs {}", es_signed(d.delta, 1), c.previous_month),
            None => format!("no comparison vs {}", c.previous_month),
        })
        .unwrap_or_else(|| "first interview".into())
}

/// "Plan indicativo 4,0 (+0,5)" for each topic the interview rated.
fn topic_changes(iv: &Interview, topics: &[(String, String)]) -> Vec<String> {
    topics
        .iter()
        .filter_map(|(id, label)| {
            let r = iv.topics.get(id)?;
            let d = iv
                .change
                .as_ref()
                .and_then(|c| c.topics.get(id))
                .map(|d| format!(" ({})", es_signed(d.delta, 1)))
                .unwrap_or_default();
            Some(format!("{label} {}{d}", es_num(*r, 1)))
        })
        .collect()
}

/// Parses a month argument (the one lenient parser, [`Month::parse_arg`]).
pub fn parse_month(s: &str) -> Result<Month, String> {
    Month::parse_arg(s)
}
