//! The text `codifica trends` prints: per entity, each interview with its changes.

use std::io::Write;

use codifica::app::trends::{es_num, es_opt_num, es_signed};
use codifica::config::Config;
use codifica::trends::{EntitySeries, Interview};

use super::output::quiet_broken_pipe;

/// Prints each series as text. A closed pipe (`codifica trends | head`) stops quietly.
pub fn write_text(
    series: impl Iterator<Item = codifica::Result<EntitySeries>>,
    config: &Config,
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

fn print_series(
    out: &mut impl Write,
    s: &EntitySeries,
    topics: &[(String, String)],
) -> std::io::Result<()> {
    let (code, name, dept, region) = (&s.entity_code, &s.entity_name, &s.department, &s.region);
    writeln!(out, "{code} {name} — {dept}, región {region}")?;
    if s.region_changed() {
        let regions = s.regions.join(" → ");
        let note = format!("region changed across interviews: {regions}");
        writeln!(out, "  ({note}; grouped under the latest, {region})")?;
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
    let (month, sat) = (iv.month, satisfaction(iv));
    writeln!(out, "  {month}  general {overall:>4}  ({delta})  {sat}")?;
    let t = topic_changes(iv, topics);
    if !t.is_empty() {
        writeln!(out, "      topics: {}", t.join("; "))?;
    }
    print_codes(out, iv)
}

/// "satisfied", "NOT satisfied" or "no rating".
fn satisfaction(iv: &Interview) -> &'static str {
    match iv.satisfied {
        Some(true) => "satisfied",
        Some(false) => "NOT satisfied",
        None => "no rating",
    }
}

/// One line per coded question: "demanda_temas: A×2, B×1".
fn print_codes(out: &mut impl Write, iv: &Interview) -> std::io::Result<()> {
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
