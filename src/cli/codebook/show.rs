//! `codifica codebook list | show`.

use codifica::app::codebook::{Listed, list as listed};
use codifica::codebook::{self, Code, edit};
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
        let q = &l.question;
        match &l.codebook {
            Ok(Some(cb)) => {
                let seeds: usize = cb.codes.iter().map(|c| c.seeds.len()).sum();
                let multi = if cb.multi_label { "yes" } else { "no" };
                let path = codebook::path_for(ws, q);
                println!(
                    "{q:<32} {:>5} {seeds:>6} {multi:<6} {}",
                    cb.codes.len(),
                    path.display()
                );
            }
            Ok(None) => println!("{q:<32} {:>5} {:>6} {:<6} (none)", "-", "-", "-"),
            Err(e) => println!("{q:<32} {:>5} {:>6} {:<6} INVALID: {e}", "-", "-", "-"),
        }
    }
    Ok(())
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

/// Runs `codebook show`.
pub fn show(ws: &Workspace, question: &str, json: bool) -> anyhow::Result<()> {
    let cb = edit::load_required(ws, question)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&cb)?);
        return Ok(());
    }
    let kind = if cb.multi_label {
        "multi-label"
    } else {
        "single-label"
    };
    let title = if cb.title.is_empty() {
        String::new()
    } else {
        format!(": {}", cb.title)
    };
    println!("{} ({kind}){title}", cb.question);
    let (id, pol, parent, seeds, guid) = ("id", "polarity", "parent", "seeds", "guid");
    println!("{id:<28} {pol:<9} {parent:<20} {seeds:>5} {guid:<36} label");
    for c in &cb.codes {
        println!("{}", code_line(c));
    }
    Ok(())
}

fn code_line(c: &Code) -> String {
    let pol = format!("{:?}", c.polarity).to_lowercase();
    let category = if c.category { " [category]" } else { "" };
    let parent = c.parent.as_deref().unwrap_or("-");
    let (id, seeds, guid, label) = (&c.id, c.seeds.len(), &c.guid, &c.label);
    format!("{id:<28} {pol:<9} {parent:<20} {seeds:>5} {guid:<36} {label}{category}")
}
