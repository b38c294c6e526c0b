//! `codifica codebook show`.

use codifica::codebook::{Code, Codebook, edit};
use codifica::workspace::Workspace;

/// Runs `codebook show`.
/// "demanda_temas (multi-label): Temas de demanda".
fn heading(cb: &Codebook) -> String {
    let kind = if cb.multi_label {
        "multi-label"
    } else {
        "single-label"
    };
    let title = match cb.title.is_empty() {
        true => String::new(),
        false => format!(": {}", cb.title),
    };
    format!("{} ({kind}){title}", cb.question)
}

pub fn show(ws: &Workspace, question: &str, json: bool) -> anyhow::Result<()> {
    let cb = edit::load_required(ws, question)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&cb)?);
        return Ok(());
    }
    println!("{}", heading(&cb));
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
