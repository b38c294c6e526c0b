//! Stage: report. The month's report: data first ([`data::ReportData`], computed from the stored
//! answers through `trends`), then renderers that only format it — HTML with inline SVG
//! ([`html`], [`svg`]), an XLSX workbook of its tables ([`xlsx`]) and a GeoJSON of the flagged
//! entities ([`geojson`]).
//!
//! In: answers, config, codebooks, month, optional boundaries/gazetteer. Out: three files in a
//! folder, `reporte-YYYY-MM.html`, `reporte-YYYY-MM.xlsx`, `priorizadas-YYYY-MM.geojson`.
//! Same data → byte-identical files (no clock time unless the caller passes one).

pub mod data;
pub mod export;
pub mod geojson;
pub mod html;
pub mod map;
pub mod period;
pub mod period_html;
pub mod period_xlsx;
pub mod svg;
pub mod xlsx;

use std::path::{Path, PathBuf};

pub use data::ReportData;
pub use html::RenderOptions;
pub use map::MapInput;

use crate::error::Result;
use crate::fsutil::atomic_write;

/// The files a report wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFiles {
    pub html: PathBuf,
    pub xlsx: PathBuf,
    pub geojson: PathBuf,
}

/// The file names of `month`'s report inside `dir`.
pub fn file_names(dir: &Path, month: crate::month::Month) -> ReportFiles {
    ReportFiles {
        html: dir.join(format!("reporte-{month}.html")),
        xlsx: dir.join(format!("reporte-{month}.xlsx")),
        geojson: dir.join(format!("priorizadas-{month}.geojson")),
    }
}

/// Renders all three files in memory first, then writes them (each atomically).
/// `created` is the Unix time recorded in the workbook and, when `opts` asks, the HTML footer.
pub fn write_report(
    d: &ReportData,
    dir: &Path,
    opts: &RenderOptions,
    created: i64,
) -> Result<ReportFiles> {
    let files = file_names(dir, d.month);
    let html = html::render(d, opts);
    let xlsx = xlsx::workbook_bytes(d, created)?;
    let geo = geojson::render(d);
    atomic_write(&files.html, html.as_bytes())?;
    atomic_write(&files.xlsx, &xlsx)?;
    atomic_write(&files.geojson, geo.as_bytes())?;
    Ok(files)
}
