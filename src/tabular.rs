//! Writing tables for people: CSV, JSON Lines and XLSX, chosen by file extension.
//!
//! Every text cell goes through [`safe_cell`]: answers are people's words, and a cell that starts
//! with `=`, `+`, `-` or `@` would run as a formula when a spreadsheet opens the file.

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

use crate::error::{Error, Result};
use crate::fsutil::{atomic_write, atomic_write_with};

/// Neutralises spreadsheet formula injection: a text starting with `=`, `+`, `-`, `@`, tab or
/// carriage return gets a leading apostrophe. Plain numbers ("-1.5") are left as they are. A
/// text that already starts with apostrophes before such a lead (`'=x`) gets one more, so that
/// [`strip_formula_guard`] can always undo exactly what this added: the two are inverses, and a
/// review or export file imported back gives the original bytes (docs/import.md).
pub fn safe_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if formula_lead(s) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// The inverse of [`safe_cell`]: removes the one apostrophe it adds (a `'` followed by what
/// [`safe_cell`] neutralises); any other text is returned as it is.
pub fn strip_formula_guard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if formula_lead(rest) => rest,
        _ => s,
    }
}

/// True when `s`, past any leading apostrophes, starts like a formula and is not a number.
fn formula_lead(s: &str) -> bool {
    let t = s.trim_start_matches('\'');
    t.starts_with(['=', '+', '-', '@', '\t', '\r']) && t.trim().parse::<f64>().is_err()
}

/// One sheet of a workbook: name, header, rows.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Writes one table to `path`: `.csv`, `.jsonl` (one object per row) or `.xlsx`.
pub fn write_table(path: &Path, headers: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let bytes = match ext.as_str() {
        "csv" => csv_bytes(headers, rows).map_err(|e| Error::file(path, e))?,
        "jsonl" | "ndjson" => jsonl_bytes(headers, rows),
        "xlsx" => {
            let sheet = Sheet {
                name: "datos",
                headers: headers.iter().map(|h| h.to_string()).collect(),
                rows: rows.to_vec(),
            };
            return write_workbook(path, &[sheet]);
        }
        _ => {
            return Err(Error::file(
                path,
                "unknown output format: use a .csv, .jsonl or .xlsx file name",
            ));
        }
    };
    atomic_write(path, &bytes)
}

/// Writes a CSV file (UTF-8, comma, RFC 4180 quoting, formula-safe) from rows produced one at
/// a time, atomically: the file appears whole or not at all. Returns the number of rows.
pub fn write_csv_stream<I>(path: &Path, headers: &[String], rows: I) -> Result<usize>
where
    I: IntoIterator<Item = Result<Vec<String>>>,
{
    let mut n = 0;
    atomic_write_with(path, |out| {
        let mut w = csv::Writer::from_writer(out);
        let fail = |e: csv::Error| Error::file(path, e.to_string());
        w.write_record(headers).map_err(fail)?;
        for row in rows {
            write_safe_record(&mut w, &row?).map_err(fail)?;
            n += 1;
        }
        w.flush().map_err(|e| Error::io(path, e))
    })?;
    Ok(n)
}

/// CSV text (UTF-8, comma, RFC 4180 quoting) of a table, formula-safe.
pub fn csv_bytes(headers: &[&str], rows: &[Vec<String>]) -> std::result::Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(headers).map_err(|e| e.to_string())?;
    for row in rows {
        write_safe_record(&mut w, row).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// One data row, every cell through [`safe_cell`] (headers are ours and written as they are).
fn write_safe_record<W: std::io::Write>(w: &mut csv::Writer<W>, row: &[String]) -> csv::Result<()> {
    w.write_record(row.iter().map(|c| safe_cell(c).into_owned()))
}

fn jsonl_bytes(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = Vec::new();
    for row in rows {
        let obj: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .zip(row)
            .map(|(h, v)| (h.to_string(), serde_json::Value::String(v.clone())))
            .collect();
        out.extend(serde_json::to_vec(&obj).unwrap_or_default());
        out.push(b'\n');
    }
    out
}

/// Writes several sheets to one `.xlsx` file. Numbers become numeric cells; text is
/// formula-safe.
pub fn write_workbook(path: &Path, sheets: &[Sheet<'_>]) -> Result<()> {
    let err = |e: rust_xlsxwriter::XlsxError| Error::file(path, e.to_string());
    let mut wb = Workbook::new();
    // A fixed creation date (SOURCE_DATE_EPOCH, else 1980-01-01): same rows, same bytes.
    let date = ExcelDateTime::from_timestamp(crate::clock::document_epoch()?).map_err(err)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&date));
    let bold = Format::new().set_bold();
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(sheet.name)).map_err(err)?;
        for (c, h) in sheet.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, safe_cell(h), &bold)
                .map_err(err)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match as_number(v) {
                    Some(n) => ws.write_number(r, c, n).map_err(err)?,
                    None => ws.write_string(r, c, safe_cell(v)).map_err(err)?,
                };
            }
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
    }
    let bytes = wb.save_to_buffer().map_err(err)?;
    atomic_write(path, &bytes)
}

/// A cell that is a plain number; codes with leading zeros ("05001") stay text.
fn as_number(v: &str) -> Option<f64> {
    let b = v.as_bytes();
    if b.len() > 1 && b[0] == b'0' && b[1].is_ascii_digit() {
        return None;
    }
    v.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Excel sheet names: at most 31 characters, none of `[]:*?/\`.
pub fn sheet_name(name: &str) -> String {
    name.chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_numbers_are_not() {
        assert_eq!(safe_cell("=1+1"), "'=1+1");
        assert_eq!(safe_cell("+57 300"), "'+57 300");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("-> no"), "'-> no");
        assert_eq!(safe_cell("-1.5"), "-1.5");
        assert_eq!(safe_cell("hola"), "hola");
    }

    #[test]
    fn the_formula_guard_round_trips_every_lead() {
        let texts = [
            "=9+9",
            "+Nombre",
            "-regalías",
            "@SUM(A1)",
            "\t=x",
            "\r=x",
            "'=x",
            "''+x",
            "'",
            "'hola",
            "-1.5",
            "'-1.5",
            "hola",
            "",
        ];
        for t in texts {
            let written = safe_cell(t);
            assert_eq!(
                strip_formula_guard(&written),
                t,
                "{t:?} written as {written:?}"
            );
        }
        for lead in ["=", "+", "-", "@", "\t", "\r"] {
            let t = format!("{lead}x");
            assert_eq!(safe_cell(&t), format!("'{t}"), "{t:?}");
        }
        // Text that never went through safe_cell is read as it is.
        assert_eq!(strip_formula_guard("'hola"), "'hola");
        assert_eq!(strip_formula_guard("'-1.5"), "'-1.5");
    }

    #[test]
    fn writes_csv_and_jsonl() {
        let dir = tempfile::tempdir().unwrap();
        let rows = vec![vec!["1".to_string(), "=cmd".to_string()]];
        let p = dir.path().join("o.csv");
        write_table(&p, &["id", "text"], &rows).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "id,text\n1,'=cmd\n");
        let p = dir.path().join("o.jsonl");
        write_table(&p, &["id", "text"], &rows).unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "{\"id\":\"1\",\"text\":\"=cmd\"}\n"
        );
        assert!(write_table(&dir.path().join("o.pdf"), &["id"], &[]).is_err());
    }

    #[test]
    fn xlsx_is_byte_identical_for_the_same_rows() {
        let dir = tempfile::tempdir().unwrap();
        let rows = vec![vec!["05001".to_string(), "4.5".to_string()]];
        let (a, b) = (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"));
        write_table(&a, &["code", "rating"], &rows).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        write_table(&b, &["code", "rating"], &rows).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    }
}
