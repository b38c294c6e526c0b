//! `codifica report`: the month's report — one self-contained Spanish HTML file with inline SVG
//! charts, an XLSX workbook of its tables and a GeoJSON of the entities needing priority
//! attention.

use std::path::PathBuf;

use codifica::month::Month;
use codifica::report::period::{Period, PeriodData};
use codifica::report::period_xlsx::write_period_report;
use codifica::report::{MapInput, RenderOptions, ReportData, write_report};
use codifica::store::Store;
use codifica::themes::{ThemeOptions, themes_from_store};
use codifica::trends::load_codebooks;

use super::{Global, open_workspace};

/// Options of `codifica report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The month, YYYY-MM (or --from/--to for the consolidated report of a period).
    #[arg(long, value_parser = super::trends::parse_month, required_unless_present = "from", conflicts_with_all = ["from", "to"])]
    month: Option<Month>,
    /// First month of a consolidated period report, YYYY-MM.
    #[arg(long, value_parser = super::trends::parse_month, requires = "to")]
    from: Option<Month>,
    /// Last month of a consolidated period report, YYYY-MM.
    #[arg(long, value_parser = super::trends::parse_month, requires = "from")]
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

/// The footer date and the workbook time: the library's one `SOURCE_DATE_EPOCH` rule.
fn source_date() -> anyhow::Result<(Option<String>, i64)> {
    Ok((
        codifica::clock::source_date()?,
        codifica::clock::document_epoch()?,
    ))
}

/// Runs `codifica report`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = open_workspace(g)?;
    let (generated_on, created) = source_date()?;
    let map = MapInput::load(args.boundaries.as_deref(), args.gazetteer.as_deref())?;
    let store = Store::open(&ws)?;
    let codebooks = load_codebooks(&ws)?;
    let month = match (args.month, args.from, args.to) {
        (Some(m), _, _) => m,
        (None, Some(from), Some(to)) => {
            let p = PeriodData::from_store(
                &store,
                ws.config(),
                &codebooks,
                Period::new(from, to)?,
                &map,
            )?;
            let files = write_period_report(
                &p,
                &args.out,
                &RenderOptions {
                    generated_on,
                    ..Default::default()
                },
                created,
            )?;
            if args.json {
                let doc = serde_json::json!({
                    "from": from.to_string(),
                    "to": to.to_string(),
                    "months": p.months.len(),
                    "total": p.priority.len(),
                    "files": { "html": files.html, "xlsx": files.xlsx, "geojson": files.geojson },
                });
                println!("{}", serde_json::to_string_pretty(&doc)?);
                return Ok(());
            }
            for f in [files.html, files.xlsx, files.geojson] {
                println!("{}", f.display());
            }
            return Ok(());
        }
        _ => anyhow::bail!("give --month YYYY-MM, or --from YYYY-MM and --to YYYY-MM"),
    };
    let data = ReportData::from_store(&store, ws.config(), &codebooks, month, &map)?;
    if data.interviews == 0 {
        anyhow::ensure!(
            args.allow_empty,
            "no interviews in {month} in this workspace: nothing to report (check the month with \
             `codifica status`, or pass --allow-empty to write the empty report)"
        );
        if !g.quiet {
            eprintln!("note: no interviews in {month}; the report says so");
        }
    }
    let themes = if data.interviews > 0 {
        let t = themes_from_store(&store, ws.config(), &codebooks, &ThemeOptions::month(month))?;
        Some(codifica::themes::html::section(&t))
    } else {
        None
    };
    let opts = RenderOptions {
        generated_on,
        extra_section: themes,
    };
    let files = write_report(&data, &args.out, &opts, created)?;
    if args.json {
        let doc = serde_json::json!({
            "month": month.to_string(),
            "interviews": data.interviews,
            "total": data.flags.flagged.len(),
            "files": { "html": files.html, "xlsx": files.xlsx, "geojson": files.geojson },
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    if !g.quiet {
        map_note(&data);
        println!(
            "{}: {} interviews, {} flagged entities",
            month,
            data.interviews,
            data.flags.flagged.len()
        );
    }
    println!("{}", files.html.display());
    println!("{}", files.xlsx.display());
    println!("{}", files.geojson.display());
    Ok(())
}

/// What the map leaves out, in the CLI's language (the report says it in Spanish).
fn map_note(data: &ReportData) {
    match &data.map {
        None => eprintln!("note: the report has no map (no department boundaries)"),
        Some(m) if !m.unplaced.is_empty() => eprintln!(
            "note: {} flagged entities are not in the gazetteer and are not on the map: {}",
            m.unplaced.len(),
            m.unplaced.join(", ")
        ),
        Some(_) => {}
    }
}
