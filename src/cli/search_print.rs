//! What `codifica search` prints: JSON Lines, or text with the matched words in bold (on a
//! terminal) or «quoted», then the facet counts.

use std::io::{IsTerminal, Write};

use codifica::escape::terminal;
use codifica::search::{Facet, Hit, SearchRequest, SearchResults};

/// JSON Lines, or text with the matched words in bold (on a terminal) or «quoted».
pub fn print_results(
    req: &SearchRequest,
    results: &SearchResults,
    json: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if !json {
        let (open, close) = marks();
        return print_text(&mut out, req, results, open, close);
    }
    print_json(&mut out, results)?;
    if !quiet {
        eprintln!("{} matching answers", results.total);
    }
    Ok(())
}

/// How matched words are marked: bold on a terminal, else «quoted».
fn marks() -> (&'static str, &'static str) {
    if std::io::stdout().is_terminal() {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("«", "»")
    }
}

fn print_json(out: &mut impl Write, r: &SearchResults) -> anyhow::Result<()> {
    for hit in &r.hits {
        writeln!(out, "{}", serde_json::to_string(hit)?)?;
    }
    for facet in &r.facets {
        let line =
            serde_json::json!({ "count_by": facet.by, "total": r.total, "counts": facet.counts });
        writeln!(out, "{line}")?;
    }
    let summary = serde_json::json!({ "total": r.total, "shown": r.hits.len() });
    writeln!(out, "{summary}")?;
    Ok(())
}

fn print_text(
    out: &mut impl Write,
    req: &SearchRequest,
    r: &SearchResults,
    open: &str,
    close: &str,
) -> anyhow::Result<()> {
    writeln!(out, "{}", summary_line(req, r))?;
    for (i, hit) in r.hits.iter().enumerate() {
        writeln!(out)?;
        print_hit(out, req.offset + i + 1, hit, open, close)?;
    }
    for facet in &r.facets {
        writeln!(out)?;
        print_facet(out, facet)?;
    }
    Ok(())
}

/// "3 answers match agua (showing 1–3)".
fn summary_line(req: &SearchRequest, r: &SearchResults) -> String {
    let (first, last) = (req.offset + 1, req.offset + r.hits.len());
    let shown = match r.hits.is_empty() {
        true => String::new(),
        false => format!(" (showing {first}–{last})"),
    };
    let noun = if r.total == 1 {
        "answer matches"
    } else {
        "answers match"
    };
    format!("{} {noun} {}{shown}", r.total, terminal(&req.query))
}

fn print_hit(
    out: &mut impl Write,
    n: usize,
    h: &Hit,
    open: &str,
    close: &str,
) -> anyhow::Result<()> {
    let head = format!("{n:>3}. {}", hit_head(h));
    // Data is shown, never obeyed: an answer's escape sequences must not drive the terminal.
    writeln!(out, "{} · score {:.2}", terminal(&head), h.score)?;
    writeln!(out, "     {}", h.snippet.terminal(open, close))?;
    Ok(())
}

/// "05001 Medellín (Antioquia, Andina) · 2020-07 · demanda_temas · rating 4 · codes A · model B".
fn hit_head(h: &Hit) -> String {
    let (code, name, dept, region) = (&h.entity_code, &h.entity_name, &h.department, &h.region);
    let mut head = format!(
        "{code} {name} ({dept}, {region}) · {} · {}",
        h.month, h.question
    );
    if let Some(r) = h.rating {
        head.push_str(&format!(" · rating {r}"));
    }
    let joined = |label: &str, codes: &[String]| match codes.is_empty() {
        true => String::new(),
        false => format!(" · {label} {}", codes.join(";")),
    };
    head + &joined("codes", &h.codes) + &joined("model", &h.machine_codes)
}

fn print_facet(out: &mut impl Write, f: &Facet) -> anyhow::Result<()> {
    writeln!(out, "by {}:", f.by)?;
    let values: Vec<_> = f.counts.iter().map(|c| terminal(&c.value)).collect();
    let width = values
        .iter()
        .map(|v| v.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    if f.counts.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for (c, value) in f.counts.iter().zip(&values) {
        let pad = width - value.chars().count();
        writeln!(out, "  {value}{} {:>7}", " ".repeat(pad), c.count)?;
    }
    Ok(())
}
