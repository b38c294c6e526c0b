//! Stage: report (renderers). The consolidated period report's tables as an XLSX workbook (one
//! sheet per table, through the monthly report's formula-safe writer), its GeoJSON of the
//! entities prioritised in the period, and the writing of the three files.
//!
//! A month without interviews is the text "sin entrevistas" in its cells, never 0.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::html::RenderOptions;
use super::period::PeriodData;
use super::xlsx::{Cell, Table, tables_bytes};
use crate::error::Result;
use crate::fsutil::atomic_write;

const NONE: &str = "sin entrevistas";

fn table(name: &str, headers: Vec<String>) -> Table {
    Table {
        name: name.to_string(),
        headers,
        rows: Vec::new(),
    }
}

fn month_headers(p: &PeriodData, first: &[&str]) -> Vec<String> {
    first
        .iter()
        .map(|s| s.to_string())
        .chain(p.months.iter().map(|m| m.month.to_string()))
        .collect()
}

/// A month's cell: the value, empty when there is none, "sin entrevistas" for empty months.
fn cell(p: &PeriodData, i: usize, v: Option<f64>) -> Cell {
    match (&p.months[i].data, v) {
        (None, _) => Cell::from(NONE),
        (Some(_), v) => Cell::from(v),
    }
}

/// Every table of the consolidated report.
pub fn tables(p: &PeriodData) -> Vec<Table> {
    let mut out = Vec::new();
    let mut t = table("Distribución por mes", month_headers(p, &["Calificación"]));
    for (b, label) in super::data::BIN_LABELS.iter().enumerate() {
        let mut row = vec![Cell::from(*label)];
        for i in 0..p.months.len() {
            let v = p.months[i].data.as_ref().map(|d| d.overall.bins[b] as f64);
            row.push(cell(p, i, v));
        }
        t.rows.push(row);
    }
    out.push(t);
    let mut t = table(
        "Satisfechas por mes",
        [
            "Mes",
            "Con calificación",
            "Satisfechas",
            "No satisfechas",
            "% satisfechas",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    );
    for m in &p.months {
        let mut row = vec![Cell::from(m.month.to_string())];
        match &m.data {
            Some(d) => {
                let o = &d.overall;
                row.extend([
                    Cell::from(o.rated),
                    Cell::from(o.satisfied),
                    Cell::from(o.unsatisfied),
                    Cell::from(o.pct_satisfied),
                ]);
            }
            None => row.push(Cell::from(NONE)),
        }
        t.rows.push(row);
    }
    out.push(t);
    let mut t = table("Variación promedio", month_headers(p, &["Aspecto"]));
    let mut e = table("Variación % excelente", month_headers(p, &["Aspecto"]));
    for v in &p.variation {
        let mut row = vec![Cell::from(v.label.as_str())];
        let mut row_e = row.clone();
        for i in 0..p.months.len() {
            row.push(cell(p, i, v.means[i]));
            row_e.push(cell(p, i, v.pct_excellent[i]));
        }
        t.rows.push(row);
        e.rows.push(row_e);
    }
    out.push(t);
    out.push(e);
    let mut t = table("Regiones por mes", month_headers(p, &["Región"]));
    for r in &p.regions {
        let mut row = vec![Cell::from(r.as_str())];
        for (i, v) in p.region_means(r).into_iter().enumerate() {
            row.push(cell(p, i, v));
        }
        t.rows.push(row);
    }
    out.push(t);
    for s in &p.categories {
        let mut t = table(
            &format!("Cat {}", s.question),
            month_headers(p, &["Código", "Categoría", "Negativa"]),
        );
        for r in &s.rows {
            let mut row = vec![
                Cell::from(r.code.as_str()),
                Cell::from(r.label.as_str()),
                Cell::from(if r.negative { "sí" } else { "no" }),
            ];
            for i in 0..p.months.len() {
                row.push(cell(p, i, r.shares[i]));
            }
            t.rows.push(row);
        }
        out.push(t);
    }
    let mut t = table(
        "Demanda acumulada",
        ["Código", "Tema", "Entrevistas", "Meses"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    for d in &p.demand {
        t.rows.push(vec![
            Cell::from(d.code.as_str()),
            Cell::from(d.label.as_str()),
            Cell::from(d.count),
            Cell::from(d.months),
        ]);
    }
    out.push(t);
    let mut t = table(
        "Priorizadas",
        [
            "Código",
            "Entidad",
            "Departamento",
            "Región",
            "Veces",
            "Meses",
            "Por qué",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    );
    for e in &p.priority {
        let months: Vec<String> = e.months.iter().map(|m| m.to_string()).collect();
        let why: Vec<String> = e
            .reasons
            .iter()
            .map(|(r, n)| format!("{r} ({n})"))
            .collect();
        t.rows.push(vec![
            Cell::from(e.entity_code.as_str()),
            Cell::from(e.entity_name.as_str()),
            Cell::from(e.department.as_str()),
            Cell::from(e.region.as_str()),
            Cell::from(e.months.len()),
            Cell::from(months.join(", ")),
            Cell::from(why.join("; ")),
        ]);
    }
    out.push(t);
    out
}

/// The entities prioritised in the period as GeoJSON Points (located through the monthly
/// reports' gazetteer lookups; `null` geometry when not found), keys sorted.
pub fn geojson(p: &PeriodData) -> String {
    let features: Vec<Value> = p
        .priority
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let at = p
                .monthly
                .iter()
                .flat_map(|d| &d.locations)
                .find(|l| l.entity_code == e.entity_code);
            let geometry = at.map_or(Value::Null, |l| {
                let r = |x: f64| (x * 1e6).round() / 1e6;
                json!({"type": "Point", "coordinates": [r(l.at.lon), r(l.at.lat)]})
            });
            json!({
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "rank": i + 1,
                    "code": e.entity_code,
                    "name": e.entity_name,
                    "department": e.department,
                    "region": e.region,
                    "times": e.months.len(),
                    "months": e.months.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
                    "reasons": e.reasons.iter().map(|(r, n)| json!({"reason": r, "months": n})).collect::<Vec<_>>(),
                    "max_severity": e.max_severity,
                }
            })
        })
        .collect();
    let mut s =
        serde_json::to_string_pretty(&json!({"type": "FeatureCollection", "features": features}))
            .unwrap_or_default();
    s.push('\n');
    s
}

/// The files a period report wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodFiles {
    pub html: PathBuf,
    pub xlsx: PathBuf,
    pub geojson: PathBuf,
}

/// Renders the three files in memory, then writes each atomically:
/// `consolidado-FROM_TO.html`, `.xlsx` and `priorizadas-FROM_TO.geojson`.
pub fn write_period_report(
    p: &PeriodData,
    dir: &Path,
    opts: &RenderOptions,
    created: i64,
) -> Result<PeriodFiles> {
    let stem = format!("{}_{}", p.from, p.to);
    let files = PeriodFiles {
        html: dir.join(format!("consolidado-{stem}.html")),
        xlsx: dir.join(format!("consolidado-{stem}.xlsx")),
        geojson: dir.join(format!("priorizadas-{stem}.geojson")),
    };
    let html = super::period_html::render(p, opts);
    let xlsx = tables_bytes(tables(p), created)?;
    let geo = geojson(p);
    atomic_write(&files.html, html.as_bytes())?;
    atomic_write(&files.xlsx, &xlsx)?;
    atomic_write(&files.geojson, geo.as_bytes())?;
    Ok(files)
}
