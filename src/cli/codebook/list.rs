//! `codifica codebook list`.

use codifica::app::codebook::{Listed, list as listed};
use codifica::codebook;
use codifica::workspace::Workspace;

/// Runs `codebook list`.
pub fn list(ws: &Workspace, json: bool) -> anyhow::Result<()> {
    let rows = listed(ws);
    if json {
        let rows: Vec<serde_json::Value> = rows.iter().map(|l| list_json(ws, l)).collect();
        let doc = serde_json::json!({ "total": rows.len(), "questions": rows });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    println!(
        "{:<32} {:>5} {:>6} {:<6} codebook",
        "question", "codes", "seeds", "multi"
    );
    for l in rows {
        println!("{}", line(ws, &l));
    }
    Ok(())
}

/// One question of the `codebook list` table.
fn line(ws: &Workspace, l: &Listed) -> String {
    let q = &l.question;
    match &l.codebook {
        Ok(Some(cb)) => {
            let seeds: usize = cb.codes.iter().map(|c| c.seeds.len()).sum();
            let multi = if cb.multi_label { "yes" } else { "no" };
            let (n, path) = (cb.codes.len(), codebook::path_for(ws, q));
            format!("{q:<32} {n:>5} {seeds:>6} {multi:<6} {}", path.display())
        }
        Ok(None) => format!("{q:<32} {:>5} {:>6} {:<6} (none)", "-", "-", "-"),
        Err(e) => format!("{q:<32} {:>5} {:>6} {:<6} INVALID: {e}", "-", "-", "-"),
    }
}

/// One question of `codebook list --json`, with its counts (or the error).
fn list_json(ws: &Workspace, l: &Listed) -> serde_json::Value {
    let q = &l.question;
    match &l.codebook {
        Ok(Some(cb)) => serde_json::json!({
            "question": q,
            "codes": cb.codes.len(),
            "seeds": cb.codes.iter().map(|c| c.seeds.len()).sum::<usize>(),
            "multi_label": cb.multi_label,
            "codebook": codebook::path_for(ws, q),
        }),
        Ok(None) => serde_json::json!({ "question": q, "codebook": null }),
        Err(e) => serde_json::json!({ "question": q, "error": e.to_string() }),
    }
}
