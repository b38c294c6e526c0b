//! `codifica trends`: each entity's interviews in month order, each compared with the entity's
//! previous interview (overall and topic ratings, satisfied or not, the mix of codes).

use codifica::store::Store;

use super::output::write_json_array;
use super::trends_print::write_text;
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

/// Runs `codifica trends`. Each entity is printed as soon as it is read, then dropped: memory
/// stays that of one entity, whatever the workspace holds.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = open_workspace(g)?;
    let store = Store::open(&ws)?;
    let series = codifica::app::trends::series(&store, ws.config(), args.entity.as_deref())?;
    if args.json {
        return write_json_array(series);
    }
    let mut series = series.peekable();
    if series.peek().is_none() {
        println!("No interviews in the workspace yet.");
    }
    write_text(series, ws.config())
}
