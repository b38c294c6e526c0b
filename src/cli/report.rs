//! `codifica report`: the month's report — one self-contained Spanish HTML file with inline SVG
//! charts, an XLSX workbook of its tables and a GeoJSON of the entities needing priority
//! attention. The job is `codifica::app::report`.

use std::path::PathBuf;

use codifica::app::report::{Period, ReportRequest, Written, write};
use codifica::month::Month;
use codifica::report::MapInput;

use super::{Global, open_workspace};

/// Options of `codifica report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The month, YYYY-MM (or --from/--to for the consolidated report of a period).
    #[arg(long, value_parser = Month::parse_arg, required_unless_present = "from", conflicts_with_all = ["from", "to"])]
    month: Option<Month>,
    /// First month of a consolidated period report, YYYY-MM.
    #[arg(long, value_parser = Month::parse_arg, requires = "to")]
    from: Option<Month>,
    /// Last month of a consolidated period report, YYYY-MM.
    #[arg(long, value_parser = Month::parse_arg, requires = "from")]
    to: Option<Month>,
    /// Output folder (created if needed).
    #[arg(long, short = 'o')]
    out: PathBuf,
    /// Department boundaries, GeoJSON (WGS84; properties DPTO_CCDGO, DPTO_CNMBR). Default: the
    /// simplified DANE MGN 2018 departments built into codifica.
    #[arg(long)]
    boundaries: Option<PathBuf>,
    /// Gazetteer CSV placing entities (divipola_mpio, lat_cabecera, lon_cabecera,
    /// lat_centroide, lon_centroide). Default: the DANE DIVIPOLA municipalities built into
    /// codifica.
    #[arg(long)]
    gazetteer: Option<PathBuf>,
    /// Write the report even when the month has no interviews (it says so); without this flag
    /// such a month is an error, as it is usually a mistyped month.
    #[arg(long)]
    allow_empty: bool,
    /// Print what was written as one JSON document ({"month", "interviews", "total" flagged
    /// entities, "files"}) instead of the file list.
    #[arg(long)]
    json: bool,
}

/// Runs `codifica report`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = open_workspace(g)?;
    let map = MapInput::load(args.boundaries.as_deref(), args.gazetteer.as_deref())?;
    let period = Period::from_flags(args.month, args.from, args.to)?;
    let req = ReportRequest {
        period,
        out: &args.out,
        map: &map,
        allow_empty: args.allow_empty,
    };
    let written = write(&ws, &req)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&written)?);
    } else {
        print_text(&written, g.quiet);
    }
    Ok(())
}

/// The notes and headline (unless `--quiet`), then the files written, one a line.
fn print_text(written: &Written, quiet: bool) {
    if let (false, Some(headline)) = (quiet, written.headline()) {
        written.notes().iter().for_each(|n| eprintln!("note: {n}"));
        println!("{headline}");
    }
    let f = written.files();
    [&f.html, &f.xlsx, &f.geojson]
        .iter()
        .for_each(|p| println!("{}", p.display()));
}
