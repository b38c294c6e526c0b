//! Use case: the month's report (HTML with inline SVG, XLSX, GeoJSON of the entities needing
//! priority attention) or the consolidated report of a period, written into a folder. The
//! command line and the web's "Informe y muestra" both call [`write`], so a download is the
//! very file `codifica report` writes.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::month::Month;
use crate::report::period::PeriodData;
use crate::report::period_xlsx::write_period_report;
use crate::report::{MapInput, RenderOptions, ReportData, write_report};
use crate::store::Store;
use crate::themes::{ThemeOptions, themes_from_store};
use crate::trends::load_codebooks;
use crate::workspace::Workspace;

/// Which report: one month, or the consolidated report of `from..=to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Month(Month),
    Range { from: Month, to: Month },
}

impl Period {
    /// The period of `--month`, or of `--from` and `--to` (both needed).
    pub fn from_flags(
        month: Option<Month>,
        from: Option<Month>,
        to: Option<Month>,
    ) -> Result<Period> {
        match (month, from, to) {
            (Some(m), _, _) => Ok(Period::Month(m)),
            (None, Some(from), Some(to)) => Ok(Period::Range { from, to }),
            _ => Err(Error::invalid(
                "give --month YYYY-MM, or --from YYYY-MM and --to YYYY-MM",
            )),
        }
    }

    /// First and last month (the same for one month).
    pub fn bounds(self) -> (Month, Month) {
        match self {
            Period::Month(m) => (m, m),
            Period::Range { from, to } => (from, to),
        }
    }
}

/// What to write, and where.
#[derive(Debug, Clone, Copy)]
pub struct ReportRequest<'a> {
    pub period: Period,
    /// Output folder (created if needed).
    pub out: &'a Path,
    /// Department boundaries and gazetteer for the map.
    pub map: &'a MapInput,
    /// Write a month without interviews (the report says so) instead of refusing it.
    pub allow_empty: bool,
}

/// The three files written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Files {
    pub html: PathBuf,
    pub xlsx: PathBuf,
    pub geojson: PathBuf,
}

/// What was written: the figures `codifica report --json` prints, and the files.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Written {
    Month {
        month: String,
        interviews: usize,
        /// Flagged entities.
        total: usize,
        files: Files,
        /// Flagged entities the map could not place (`None`: the report has no map).
        #[serde(skip)]
        unplaced: Option<Vec<String>>,
    },
    Period {
        from: String,
        to: String,
        months: usize,
        /// Entities needing priority attention in the period.
        total: usize,
        files: Files,
    },
}

impl Written {
    /// The files, in the order html, xlsx, geojson.
    pub fn files(&self) -> &Files {
        match self {
            Written::Month { files, .. } | Written::Period { files, .. } => files,
        }
    }
}

impl Written {
    /// A month's figures as the command line prints them: "2020-07: 52 interviews, 3 flagged
    /// entities" (`None` for a period).
    pub fn headline(&self) -> Option<String> {
        match self {
            Written::Month {
                month,
                interviews,
                total,
                ..
            } => Some(format!(
                "{month}: {interviews} interviews, {total} flagged entities"
            )),
            Written::Period { .. } => None,
        }
    }

    /// What a month's report leaves out, in the command line's language (the report says it in
    /// Spanish): no interviews, no map, flagged entities the map could not place.
    pub fn notes(&self) -> Vec<String> {
        let Written::Month {
            month,
            interviews,
            unplaced,
            ..
        } = self
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if *interviews == 0 {
            out.push(format!("no interviews in {month}; the report says so"));
        }
        match unplaced {
            None => out.push("the report has no map (no department boundaries)".into()),
            Some(u) if !u.is_empty() => out.push(format!(
                "{} flagged entities are not in the gazetteer and are not on the map: {}",
                u.len(),
                u.join(", ")
            )),
            Some(_) => {}
        }
        out
    }
}

/// The footer date and the workbook's creation time: the library's one `SOURCE_DATE_EPOCH` rule
/// (`crate::clock`; unset, no date and the zip epoch, so reruns are byte-identical).
pub fn source_date() -> Result<(Option<String>, i64)> {
    Ok((
        crate::clock::source_date()?,
        crate::clock::document_epoch()?,
    ))
}

/// Writes the report asked for. A month without interviews is refused unless `allow_empty`
/// (usually a mistyped month).
pub fn write(ws: &Workspace, req: &ReportRequest<'_>) -> Result<Written> {
    let (generated_on, created) = source_date()?;
    let store = Store::open(ws)?;
    let codebooks = load_codebooks(ws)?;
    let (from, to) = match req.period {
        Period::Month(month) => {
            return write_month(ws, &store, req, month, generated_on, created);
        }
        Period::Range { from, to } => (from, to),
    };
    let period = crate::report::period::Period::new(from, to)?;
    let p = PeriodData::from_store(&store, ws.config(), &codebooks, period, req.map)?;
    let opts = RenderOptions {
        generated_on,
        ..Default::default()
    };
    let f = write_period_report(&p, req.out, &opts, created)?;
    Ok(Written::Period {
        from: from.to_string(),
        to: to.to_string(),
        months: p.months.len(),
        total: p.priority.len(),
        files: Files {
            html: f.html,
            xlsx: f.xlsx,
            geojson: f.geojson,
        },
    })
}

fn write_month(
    ws: &Workspace,
    store: &Store,
    req: &ReportRequest<'_>,
    month: Month,
    generated_on: Option<String>,
    created: i64,
) -> Result<Written> {
    let codebooks = load_codebooks(ws)?;
    let data = ReportData::from_store(store, ws.config(), &codebooks, month, req.map)?;
    if data.interviews == 0 && !req.allow_empty {
        return Err(Error::invalid(format!(
            "no interviews in {month} in this workspace: nothing to report (check the month with \
             `codifica status`, or pass --allow-empty to write the empty report)"
        )));
    }
    let extra_section = if data.interviews > 0 {
        let t = themes_from_store(store, ws.config(), &codebooks, &ThemeOptions::month(month))?;
        Some(crate::themes::html::section(&t))
    } else {
        None
    };
    let opts = RenderOptions {
        generated_on,
        extra_section,
    };
    let f = write_report(&data, req.out, &opts, created)?;
    Ok(Written::Month {
        month: month.to_string(),
        interviews: data.interviews,
        total: data.flags.flagged.len(),
        files: Files {
            html: f.html,
            xlsx: f.xlsx,
            geojson: f.geojson,
        },
        unplaced: data.map.as_ref().map(|m| m.unplaced.clone()),
    })
}
