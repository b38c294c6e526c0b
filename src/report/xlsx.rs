//! Stage: report (renderer). The report's tables as an XLSX workbook, one sheet per table.
//!
//! In: [`ReportData`]. Out: the workbook bytes. Text cells are formula-safe
//! (`crate::tabular::safe_cell`); numbers are numeric cells. The file is byte-identical for the
//! same data: the document's creation date is fixed (given by the caller, e.g. from
//! `SOURCE_DATE_EPOCH`, else 1980-01-01) and the zip entries carry no clock time.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

use super::data::{BIN_LABELS, ReportData};
use crate::error::{Error, Result};
use crate::tabular::{safe_cell, sheet_name};

/// One cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Num(f64),
    /// A share as a fraction (0.115), shown with a percent format ("11,5 %" in a Spanish Excel).
    Pct(f64),
    Empty,
}

impl Cell {
    /// A percentage (0–100, as the report data holds it) as a percent-formatted cell.
    fn pct(x: Option<f64>) -> Cell {
        x.map_or(Cell::Empty, |p| Cell::Pct((p * 10.0).round() / 1000.0))
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}
impl From<usize> for Cell {
    fn from(n: usize) -> Cell {
        Cell::Num(n as f64)
    }
}
impl From<f64> for Cell {
    fn from(x: f64) -> Cell {
        Cell::Num((x * 10_000.0).round() / 10_000.0)
    }
}
impl From<Option<f64>> for Cell {
    fn from(x: Option<f64>) -> Cell {
        x.map_or(Cell::Empty, Cell::from)
    }
}

/// One table of the workbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

fn table(name: &str, headers: &[&str]) -> Table {
    Table {
        name: name.to_string(),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows: Vec::new(),
    }
}

/// The report's tables, in report order.
pub fn tables(d: &ReportData) -> Vec<Table> {
    let mut out = vec![summary_table(d), overall_table(d)];
    group_tables(d, &mut out);
    out.extend([
        topics_table(d),
        variation_table(d),
        flagged_table(d),
        improved_table(d),
    ]);
    frequency_tables(d, &mut out);
    out.push(demand_table(d));
    out
}

/// "Resumen": the month's headline numbers.
fn summary_table(d: &ReportData) -> Table {
    let o = &d.overall;
    let mut t = table("Resumen", &["Indicador", "Valor"]);
    let rows: [(&str, Cell); 11] = [
        ("Encuesta", d.survey.clone().into()),
        ("Mes", d.month.to_string().into()),
        ("Entrevistas", d.interviews.into()),
        ("Con calificación general", o.rated.into()),
        ("Calificación general promedio", o.mean.into()),
        ("Umbral de satisfacción", d.threshold.into()),
        ("Satisfechas", o.satisfied.into()),
        ("No satisfechas", o.unsatisfied.into()),
        ("% satisfechas", Cell::pct(o.pct_satisfied)),
        (
            "No satisfechas por cada 100",
            o.unsatisfied_per_100.map(f64::from).into(),
        ),
        ("Entidades priorizadas", d.flags.flagged.len().into()),
    ];
    t.rows = rows
        .into_iter()
        .map(|(name, value)| vec![name.into(), value])
        .collect();
    t
}

/// The overall rating's distribution by bin.
fn overall_table(d: &ReportData) -> Table {
    let o = &d.overall;
    let mut t = table("Calificación general", &["Calificación", "Entidades", "%"]);
    for &(v, n) in &o.by_value {
        let p = (o.rated > 0).then(|| n as f64 * 100.0 / o.rated as f64);
        t.rows.push(vec![v.into(), n.into(), Cell::pct(p)]);
    }
    t
}

/// Results by region and by department.
fn group_tables(d: &ReportData, out: &mut Vec<Table>) {
    for (name, first, rows) in [
        ("Regiones", "Región", &d.by_region),
        ("Departamentos", "Departamento", &d.by_department),
    ] {
        let mut t = table(
            name,
            &[
                first,
                "Entrevistas",
                "Con calificación",
                "Promedio",
                "% satisfechas",
            ],
        );
        for r in rows {
            t.rows.push(vec![
                r.name.clone().into(),
                r.n.into(),
                r.rated.into(),
                r.mean.into(),
                Cell::pct(r.pct_satisfied),
            ]);
        }
        out.push(t);
    }
}

/// Each topic's distribution, mean and share satisfied.
fn topics_table(d: &ReportData) -> Table {
    let mut headers = vec!["Tema"];
    headers.extend(BIN_LABELS);
    headers.extend(["Calificadas", "Promedio", "% satisfechas"]);
    let mut t = table("Temas", &headers);
    for tp in &d.topics {
        let mut row: Vec<Cell> = vec![tp.label.clone().into()];
        row.extend(tp.bins.iter().map(|n| Cell::from(*n)));
        row.extend([tp.rated.into(), tp.mean.into(), Cell::pct(tp.pct_satisfied)]);
        t.rows.push(row);
    }
    t
}

/// The indicators against the previous month.
fn variation_table(d: &ReportData) -> Table {
    let prev = d
        .previous_month
        .map_or("Mes anterior".to_string(), |m| m.to_string());
    let cur = d.month.to_string();
    let mut t = table("Variación", &["Indicador", &prev, &cur, "Variación"]);
    for i in &d.variation {
        let value = |x: Option<f64>| {
            if i.unit == "pct" {
                Cell::pct(x)
            } else {
                x.into()
            }
        };
        t.rows.push(vec![
            i.name.clone().into(),
            value(i.previous),
            value(i.current),
            value(i.delta),
        ]);
    }
    t
}

/// Flagged entities, one row per reason.
fn flagged_table(d: &ReportData) -> Table {
    let mut t = table(
        "Priorizadas",
        &[
            "Orden",
            "Código",
            "Entidad",
            "Departamento",
            "Región",
            "Severidad",
            "Calificación general",
            "Criterio",
            "Motivo",
            "Antes",
            "Después",
            "Citas",
        ],
    );
    for (i, e) in d.flags.flagged.iter().enumerate() {
        for r in &e.reasons {
            t.rows.push(vec![
                (i + 1).into(),
                Cell::Text(e.entity_code.clone()),
                e.entity_name.clone().into(),
                e.department.clone().into(),
                e.region.clone().into(),
                e.severity.into(),
                e.overall.into(),
                r.kind.spanish().into(),
                r.message.clone().into(),
                r.before.into(),
                r.after.into(),
                r.quotes.join(" | ").into(),
            ]);
        }
    }
    t
}

/// Entities whose overall rating rose.
fn improved_table(d: &ReportData) -> Table {
    let mut t = table(
        "Mejoraron",
        &[
            "Código",
            "Entidad",
            "Región",
            "Entrevista anterior",
            "Antes",
            "Ahora",
            "Variación",
        ],
    );
    for m in &d.flags.improved {
        t.rows.push(vec![
            Cell::Text(m.entity_code.clone()),
            m.entity_name.clone().into(),
            m.region.clone().into(),
            m.previous_month.to_string().into(),
            m.before.into(),
            m.after.into(),
            m.delta.into(),
        ]);
    }
    t
}

/// One sheet per coded question: code counts by month, and the totals.
fn frequency_tables(d: &ReportData, out: &mut Vec<Table>) {
    for f in &d.code_frequencies {
        let months: Vec<String> = f.months.iter().map(|m| m.to_string()).collect();
        let mut headers = vec!["Categoría", "Código", "Negativa"];
        headers.extend(months.iter().map(String::as_str));
        let mut t = table(&f.label, &headers);
        for r in &f.rows {
            let mut row: Vec<Cell> = vec![
                r.label.clone().into(),
                r.code.clone().into(),
                (if r.negative { "sí" } else { "no" }).into(),
            ];
            row.extend(r.counts.iter().map(|n| Cell::from(*n)));
            t.rows.push(row);
        }
        for (label, v) in [
            ("Respuestas con texto", &f.answers),
            ("Contadas con códigos humanos", &f.human),
            ("Contadas con códigos del modelo", &f.machine),
            ("  de ellas, aceptadas automáticamente", &f.accepted),
            ("Sin codificar", &f.uncoded),
        ] {
            let mut row: Vec<Cell> = vec![label.into(), Cell::Empty, Cell::Empty];
            row.extend(v.iter().map(|n| Cell::from(*n)));
            t.rows.push(row);
        }
        out.push(t);
    }
}

/// The requested assistance topics.
fn demand_table(d: &ReportData) -> Table {
    let mut t = table(
        "Temas solicitados",
        &[
            "Orden",
            "Código",
            "Tema",
            "Entidades",
            "% de entrevistas",
            "Mes anterior",
        ],
    );
    for (i, r) in d.demand.iter().enumerate() {
        t.rows.push(vec![
            (i + 1).into(),
            r.code.clone().into(),
            r.label.clone().into(),
            r.count.into(),
            Cell::pct(Some(r.pct_interviews)),
            r.previous.map(|n| n as f64).into(),
        ]);
    }
    t
}

/// A valid sheet name not in `used` (lowercase): truncated names that collide get " 2", " 3"….
fn unique_sheet_name(name: &str, used: &[String]) -> String {
    let base = sheet_name(name);
    if !used.contains(&base.to_lowercase()) {
        return base;
    }
    (2..)
        .map(|i| {
            let suffix = format!(" {i}");
            let stem: String = base.chars().take(31 - suffix.len()).collect();
            format!("{stem}{suffix}")
        })
        .find(|n| !used.contains(&n.to_lowercase()))
        .unwrap_or(base)
}

/// The workbook bytes; `created` is the Unix time written as the document's creation date.
pub fn workbook_bytes(d: &ReportData, created: i64) -> Result<Vec<u8>> {
    tables_bytes(tables(d), created)
}

/// Any tables as a workbook, one sheet each, with the same formula-safety and fixed date (the
/// consolidated period report writes its own tables through it).
pub fn tables_bytes(tables: Vec<Table>, created: i64) -> Result<Vec<u8>> {
    let err = |e: rust_xlsxwriter::XlsxError| Error::internal(format!("writing the workbook: {e}"));
    let mut wb = Workbook::new();
    let date = ExcelDateTime::from_timestamp(created).map_err(err)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&date));
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let mut used: Vec<String> = Vec::new();
    for t in tables {
        let ws = wb.add_worksheet();
        let name = unique_sheet_name(&t.name, &used);
        ws.set_name(&name).map_err(err)?;
        used.push(name.to_lowercase());
        for (c, h) in t.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, safe_cell(h), &bold)
                .map_err(err)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    Cell::Text(s) => {
                        ws.write_string(r, c, safe_cell(s)).map_err(err)?;
                    }
                    Cell::Num(x) if x.is_finite() => {
                        ws.write_number(r, c, *x).map_err(err)?;
                    }
                    Cell::Pct(x) if x.is_finite() => {
                        ws.write_number_with_format(r, c, *x, &percent)
                            .map_err(err)?;
                    }
                    _ => {}
                }
            }
        }
        ws.set_column_width(0, 28).map_err(err)?;
        ws.set_freeze_panes(1, 0).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let long = "Cat una_pregunta_con_un_nombre_muy_largo";
        let a = unique_sheet_name(long, &[]);
        assert_eq!(a.chars().count(), 31);
        let b = unique_sheet_name(long, &[a.to_lowercase()]);
        assert_ne!(a, b);
        assert!(b.ends_with(" 2") && b.chars().count() <= 31);
        assert_eq!(sheet_name("a/b[c]"), "abc");
    }
}
