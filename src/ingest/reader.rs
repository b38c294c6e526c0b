//! Stage: ingest, first step. Bytes on disk in, rows of text cells out: whatever encoding,
//! delimiter and spreadsheet format an analyst's program chose.
//!
//! - CSV (any extension that is not a spreadsheet's): encoding from the BOM (UTF-8, UTF-16LE/BE),
//!   else UTF-8 when the whole file is valid UTF-8, else Windows-1252 (a superset of Latin-1's
//!   printable characters, what Excel writes on Spanish Windows). The delimiter (`,` `;` or tab)
//!   is the one found most often in the header line outside quotes. Quoting follows RFC 4180
//!   (leniently: a stray quote inside an unquoted cell is kept as text). Read **streaming**: a
//!   file of a million rows is never held in memory.
//! - XLSX / XLSM / XLSB / XLS / ODS through calamine, chosen by the file's content (magic bytes),
//!   not its name: the named sheet or the first one, whole in memory.
//!
//! Problems that belong to one cell or row (a NUL byte, an oversized cell, a quote never closed,
//! a row with more or fewer cells than the header) are attached to the [`Row`] so validation can
//! report them all; whole-file problems (empty, a PDF, a damaged workbook) are [`Error::File`].

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use calamine::{Data, Ods, Reader, Xls, Xlsb, Xlsx};

use crate::error::{Error, Result, RowError};
use crate::ingest::table::{Record, Table};

/// Longest cell accepted, in characters. An answer to a phone interview is a few hundred
/// characters; a cell of 100,000 is already a pasted document, and a bigger one is almost always
/// a quote left open that swallowed the rest of the file.
pub const MAX_CELL_CHARS: usize = 100_000;

/// Bytes kept of an oversized CSV cell (the rest is counted, not stored).
const KEPT_CELL_BYTES: usize = MAX_CELL_CHARS * 4;

/// Size of the read buffer; the header line is sniffed within it.
const BUF_SIZE: usize = 256 * 1024;

/// The text encoding a CSV file was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

/// What kind of file was read, for the import report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SourceFormat {
    /// A delimited text file.
    Csv {
        encoding: TextEncoding,
        delimiter: char,
    },
    /// A workbook sheet, and the hidden sheets that were not read.
    Sheet {
        sheet: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        hidden: Vec<String>,
    },
}

/// One data row as read: its row number as a spreadsheet shows it (header = 1), its cells, and
/// the reading problems found in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
    pub problems: Vec<RowError>,
}

impl Row {
    /// The cell at `idx`, or "" when the row is short.
    pub fn get(&self, idx: usize) -> &str {
        self.cells.get(idx).map_or("", |s| s.as_str())
    }

    /// True when every cell is blank (such rows are skipped).
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// An opened table: its header and an iterator over its data rows (streaming for CSV).
pub struct Source {
    pub path: PathBuf,
    pub headers: Vec<String>,
    pub format: SourceFormat,
    rows: RowIter,
}

enum RowIter {
    Csv(Box<CsvRows>),
    Sheet(std::vec::IntoIter<Row>),
}

impl Source {
    /// The name used for column `idx` in messages: its header, or its letter when unnamed.
    pub fn column_label(&self, idx: usize) -> String {
        column_label(&self.headers, idx)
    }
}

impl Iterator for Source {
    type Item = Result<Row>;

    /// The next non-blank data row; `Err` only for I/O failures mid-file.
    fn next(&mut self) -> Option<Result<Row>> {
        loop {
            let row = match &mut self.rows {
                RowIter::Csv(c) => c.next_row(&self.path, &self.headers),
                RowIter::Sheet(it) => it.next().map(Ok),
            };
            match row {
                Some(Ok(r)) if r.is_blank() && r.problems.is_empty() => continue,
                Some(Ok(mut r)) => {
                    r.cells.iter_mut().for_each(clean_cell);
                    return Some(Ok(r));
                }
                other => return other,
            }
        }
    }
}

/// Undoes what a spreadsheet or codifica's own writers add to a cell's text, in place: every
/// U+FEFF (a byte-order mark pasted into a data line when files are concatenated; it is never
/// data, and in an `entity_code` it would make a second entity), then the apostrophe
/// `crate::tabular::safe_cell` put before a formula-like text (so an exported or reviewed file
/// imports back to the original bytes).
pub fn clean_cell(cell: &mut String) {
    if cell.contains('\u{feff}') {
        cell.retain(|c| c != '\u{feff}');
    }
    if crate::tabular::strip_formula_guard(cell).len() != cell.len() {
        cell.remove(0);
    }
}

/// The name of column `idx`: its trimmed header, or its spreadsheet letter when the header is
/// empty.
pub fn column_label(headers: &[String], idx: usize) -> String {
    match headers.get(idx).map(|h| h.trim()) {
        Some(h) if !h.is_empty() => h.to_string(),
        _ => column_letter(idx),
    }
}

/// `0 → A`, `25 → Z`, `26 → AA`.
pub fn column_letter(mut idx: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (idx % 26) as u8);
        if idx < 26 {
            break;
        }
        idx = idx / 26 - 1;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// Opens `path` for reading: a workbook (by content) or a CSV. `sheet` picks a workbook sheet
/// by name (default: the first visible one); it is refused for CSV files. Header names lose
/// any U+FEFF, as data cells do ([`clean_cell`]).
pub fn open(path: &Path, sheet: Option<&str>) -> Result<Source> {
    let mut source = open_any(path, sheet)?;
    for h in &mut source.headers {
        h.retain(|c| c != '\u{feff}');
    }
    Ok(source)
}

fn open_any(path: &Path, sheet: Option<&str>) -> Result<Source> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::file(path, "is a folder, not a file"));
    }
    if !meta.is_file() {
        // A pipe or a device has no size and cannot be read twice (the encoding is decided on
        // the whole file before the rows are read), and /dev/urandom never ends.
        return Err(Error::file(
            path,
            "is not a regular file (a pipe, socket or device): save the data to a file and \
             import that file",
        ));
    }
    if meta.len() == 0 {
        return Err(Error::file(
            path,
            "is empty (0 bytes): there is nothing to import",
        ));
    }
    let mut head = [0u8; 8];
    let n = read_prefix(path, &mut head)?;
    let head = &head[..n];
    match Kind::sniff(head) {
        Kind::Zip => {
            crate::ingest::limits::check_zip_workbook(path)?;
            open_workbook(path, head, sheet)
        }
        Kind::Ole => {
            crate::ingest::limits::check_ole_workbook(path)?;
            open_workbook(path, head, sheet)
        }
        Kind::Pdf => Err(Error::file(
            path,
            "is a PDF document, not a spreadsheet: export the data as XLSX or CSV",
        )),
        Kind::Image(format) => Err(Error::file(
            path,
            format!("is a {format} image, not a spreadsheet: export the data as XLSX or CSV"),
        )),
        Kind::Text if has_workbook_extension(path) => Err(Error::file(
            path,
            "has a spreadsheet name but is not a spreadsheet (no XLSX/XLS/ODS signature); \
             if it is a CSV file, rename it to .csv",
        )),
        Kind::Text => {
            if sheet.is_some() {
                return Err(Error::file(
                    path,
                    "--sheet applies to workbooks, and this is a CSV file",
                ));
            }
            open_csv(path)
        }
    }
}

/// What identifies a file's contents without reading them: size, modification time, and
/// device + inode. Taken before an import reads the file and compared after, so a file that an
/// editor or a sync client rewrote in between is refused instead of imported half old, half new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: (u64, u64),
}

impl FileStamp {
    /// The stamp of `path` now.
    pub fn of(path: &Path) -> Result<FileStamp> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        #[cfg(unix)]
        let inode = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        };
        #[cfg(not(unix))]
        let inode = (0, 0);
        Ok(FileStamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode,
        })
    }

    /// An error when `path` no longer has this stamp.
    pub fn check_unchanged(&self, path: &Path) -> Result<()> {
        let now = FileStamp::of(path).map_err(|_| {
            Error::file(
                path,
                "was removed while it was being imported; nothing was written",
            )
        })?;
        if &now == self {
            return Ok(());
        }
        Err(Error::file(
            path,
            "changed while it was being imported (its size, modification time or inode are not \
             what they were when reading began); nothing was written: wait until the program \
             writing it is done, then import again",
        ))
    }
}

/// True when `path` holds a workbook (XLSX/XLSM/XLSB/ODS zip, or XLS), by its first bytes.
pub fn is_workbook(path: &Path) -> Result<bool> {
    let mut head = [0u8; 8];
    let n = read_prefix(path, &mut head)?;
    Ok(matches!(Kind::sniff(&head[..n]), Kind::Zip | Kind::Ole))
}

/// Reads a whole table into memory; any reading problem is an [`Error::Rows`].
pub fn read_table(path: &Path) -> Result<Table> {
    collect_table(open(path, None)?)
}

/// Reads CSV text already in memory (a built-in asset) with the same parser, delimiter
/// sniffing and row checks as a file; `name` only names it in errors.
pub fn read_csv_text(text: &str, name: &Path) -> Result<Table> {
    let bytes = std::io::Cursor::new(text.as_bytes().to_vec());
    collect_table(csv_source(name, Box::new(bytes), TextEncoding::Utf8)?)
}

fn collect_table(mut source: Source) -> Result<Table> {
    let path = source.path.clone();
    let path = path.as_path();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for row in source.by_ref() {
        let row = row?;
        problems.extend(row.problems);
        rows.push(Record {
            line: row.line,
            cells: row.cells,
        });
    }
    if !problems.is_empty() {
        return Err(Error::Rows {
            file: path.to_path_buf(),
            errors: problems,
        });
    }
    Ok(Table {
        path: path.to_path_buf(),
        headers: source.headers,
        rows,
    })
}

fn read_prefix(path: &Path, buf: &mut [u8]) -> Result<usize> {
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    Ok(n)
}

enum Kind {
    Zip,
    Ole,
    Pdf,
    /// An image (its format's name), e.g. a screenshot of a table saved under the data's name.
    Image(&'static str),
    Text,
}

impl Kind {
    fn sniff(head: &[u8]) -> Kind {
        if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            Kind::Zip
        } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            Kind::Ole
        } else if head.starts_with(b"%PDF") {
            Kind::Pdf
        } else if head.starts_with(b"\x89PNG") {
            Kind::Image("PNG")
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Kind::Image("JPEG")
        } else if head.starts_with(b"GIF8") {
            Kind::Image("GIF")
        } else {
            Kind::Text
        }
    }
}

fn has_workbook_extension(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods")
}

// ---------------------------------------------------------------------------------------------
// Workbooks

/// Opens a workbook. A panic inside the workbook reader (a third-party parser fed a hostile
/// file) becomes a file error instead of taking the process down.
fn open_workbook(path: &Path, head: &[u8], sheet: Option<&str>) -> Result<Source> {
    std::panic::catch_unwind(|| read_workbook(path, head, sheet)).unwrap_or_else(|_| {
        Err(Error::file(
            path,
            "could not be read: the workbook reader failed on it (a damaged file?); open it \
             in a spreadsheet program and save it again",
        ))
    })
}

fn read_workbook(path: &Path, head: &[u8], sheet: Option<&str>) -> Result<Source> {
    let damaged = |what: &str, e: &dyn std::fmt::Display| {
        Error::file(
            path,
            format!(
                "is a damaged or truncated {what} workbook and cannot be read ({e}); open it in a spreadsheet program and save it again"
            ),
        )
    };
    let (name, hidden, range) = if Kind::sniff(head).is_ole() {
        let mut wb: Xls<_> = calamine::open_workbook(path).map_err(|e| damaged("XLS", &e))?;
        let (name, hidden) = pick_sheet(path, wb.sheets_metadata(), sheet)?;
        let range = wb.worksheet_range(&name).map_err(|e| damaged("XLS", &e))?;
        (name, hidden, range)
    } else {
        match calamine::open_workbook::<Xlsx<_>, _>(path) {
            Ok(mut wb) => {
                let (name, hidden) = pick_sheet(path, wb.sheets_metadata(), sheet)?;
                let range = wb.worksheet_range(&name).map_err(|e| damaged("XLSX", &e))?;
                (name, hidden, range)
            }
            Err(xlsx_err) => {
                if let Ok(mut wb) = calamine::open_workbook::<Ods<_>, _>(path) {
                    let (name, hidden) = pick_sheet(path, wb.sheets_metadata(), sheet)?;
                    let range = wb.worksheet_range(&name).map_err(|e| damaged("ODS", &e))?;
                    (name, hidden, range)
                } else if let Ok(mut wb) = calamine::open_workbook::<Xlsb<_>, _>(path) {
                    let (name, hidden) = pick_sheet(path, wb.sheets_metadata(), sheet)?;
                    let range = wb.worksheet_range(&name).map_err(|e| damaged("XLSB", &e))?;
                    (name, hidden, range)
                } else {
                    return Err(damaged("XLSX", &xlsx_err));
                }
            }
        }
    };
    sheet_source(path, name, hidden, &range)
}

impl Kind {
    fn is_ole(&self) -> bool {
        matches!(self, Kind::Ole)
    }
}

/// The sheet to read: the one named `wanted` (any visibility: the user chose it), else the first
/// **visible** worksheet (a hidden or "very hidden" first sheet holds lookup tables or someone's
/// scratch work, not the data the user sees). Also returns the hidden sheets not read, for the
/// import summary.
fn pick_sheet(
    path: &Path,
    sheets: &[calamine::Sheet],
    wanted: Option<&str>,
) -> Result<(String, Vec<String>)> {
    let hidden = |except: &str| -> Vec<String> {
        sheets
            .iter()
            .filter(|s| s.visible != calamine::SheetVisible::Visible && s.name != except)
            .map(|s| s.name.clone())
            .collect()
    };
    let Some(wanted) = wanted else {
        let first = sheets.iter().find(|s| {
            s.visible == calamine::SheetVisible::Visible && s.typ == calamine::SheetType::WorkSheet
        });
        return match first {
            Some(s) => Ok((s.name.clone(), hidden(&s.name))),
            None if sheets.is_empty() => Err(Error::file(path, "the workbook has no sheets")),
            None => Err(Error::file(
                path,
                format!(
                    "has no visible worksheet (hidden sheets: {}); pick one with --sheet",
                    hidden("").join(", ")
                ),
            )),
        };
    };
    let want = wanted.trim().to_lowercase();
    match sheets.iter().find(|s| s.name.trim().to_lowercase() == want) {
        Some(s) => Ok((s.name.clone(), hidden(&s.name))),
        None => Err(Error::file(
            path,
            format!(
                "has no sheet named '{wanted}' (its sheets: {})",
                sheets
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

fn sheet_source(
    path: &Path,
    name: String,
    hidden: Vec<String>,
    range: &calamine::Range<Data>,
) -> Result<Source> {
    let Some((row0, col0)) = range.start() else {
        return Err(Error::file(
            path,
            format!("sheet '{name}' is empty: there is nothing to import"),
        ));
    };
    let mut rows = range.rows();
    let Some(header_cells) = rows.next() else {
        return Err(Error::file(
            path,
            format!("sheet '{name}' is empty: there is nothing to import"),
        ));
    };
    // Columns before the used range are blank; keep indices as the sheet's own (A = 0).
    let pad = col0 as usize;
    let with_pad = |cells: &[Data]| -> Vec<String> {
        let mut v = vec![String::new(); pad];
        v.extend(cells.iter().map(cell_text));
        v
    };
    let headers: Vec<String> = with_pad(header_cells)
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut out = Vec::with_capacity(range.height().saturating_sub(1));
    for (i, cells) in rows.enumerate() {
        let line = row0 as usize + i + 2;
        let mut row = Row {
            line,
            cells: with_pad(cells),
            problems: Vec::new(),
        };
        check_cells(&mut row, &headers, &[]);
        out.push(row);
    }
    Ok(Source {
        path: path.to_path_buf(),
        headers,
        format: SourceFormat::Sheet {
            sheet: name,
            hidden,
        },
        rows: RowIter::Sheet(out.into_iter()),
    })
}

/// A workbook cell as text: integers without ".0", dates as `YYYY-MM-DD` (with the time only
/// when it is not midnight), errors as Excel shows them (`#N/A`).
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTime(dt) => float_text(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

fn float_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Adds the per-cell problems (NUL bytes, cells over [`MAX_CELL_CHARS`]) and a cell count that
/// does not match the header. `flagged` lists columns already reported as oversized.
fn check_cells(row: &mut Row, headers: &[String], flagged: &[usize]) {
    for (i, cell) in row.cells.iter().enumerate() {
        if cell.contains('\0') {
            row.problems.push(RowError {
                row: Some(row.line),
                column: Some(column_label(headers, i)),
                message:
                    "contains a NUL byte (binary data, or a UTF-16 file saved without its BOM?)"
                        .into(),
            });
        }
        if headers.get(i).is_some_and(|h| h.trim().is_empty()) && !cell.trim().is_empty() {
            row.problems.push(RowError {
                row: Some(row.line),
                column: Some(column_letter(i)),
                message: format!(
                    "has a value in column {}, whose header (row 1) is empty: name the column \
                     in row 1, or delete the value",
                    column_letter(i)
                ),
            });
        }
        if !flagged.contains(&i) && cell.len() > MAX_CELL_CHARS {
            let chars = cell.chars().count();
            if chars > MAX_CELL_CHARS {
                row.problems.push(oversize(row.line, headers, i, chars));
            }
        }
    }
}

fn oversize(line: usize, headers: &[String], col: usize, size: usize) -> RowError {
    RowError {
        row: Some(line),
        column: Some(column_label(headers, col)),
        message: format!(
            "cell is too large ({size} characters; the limit is {MAX_CELL_CHARS}): a quote left \
             open, or a pasted document?"
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// CSV: encoding

fn open_csv(path: &Path) -> Result<Source> {
    let encoding = detect_encoding(path)?;
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    csv_source(path, Box::new(file), encoding)
}

/// A CSV source over bytes in `encoding` (a file, or a built-in asset's text).
fn csv_source(path: &Path, input: Box<dyn Read + Send>, encoding: TextEncoding) -> Result<Source> {
    let decoded = Decoded::new(input, encoding);
    let mut rows = CsvRows {
        rdr: BufReader::with_capacity(BUF_SIZE, decoded),
        delimiter: b',',
        record: 0,
        after_cr: false,
        eof: false,
        field: Vec::new(),
    };
    rows.skip_bom().map_err(|e| Error::io(path, e))?;
    rows.delimiter = rows.sniff_delimiter().map_err(|e| Error::io(path, e))?;
    let headers = loop {
        match rows.next_raw().map_err(|e| Error::io(path, e))? {
            None => {
                return Err(Error::file(
                    path,
                    "is empty: no header row, nothing to import",
                ));
            }
            Some(raw) => {
                if let Some(col) = raw.unclosed {
                    return Err(Error::at(
                        path,
                        Some(rows.record),
                        Some(&column_letter(col)),
                        "a quote opened in the header is never closed",
                    ));
                }
                let cells = raw.into_strings();
                if cells.iter().any(|c| !c.trim().is_empty()) {
                    break cells
                        .into_iter()
                        .map(|c| c.trim().to_string())
                        .collect::<Vec<_>>();
                }
            }
        }
    };
    Ok(Source {
        path: path.to_path_buf(),
        headers,
        format: SourceFormat::Csv {
            encoding,
            delimiter: rows.delimiter as char,
        },
        rows: RowIter::Csv(Box::new(rows)),
    })
}

/// Decides the encoding: BOM first; else one streaming pass over the **whole** file checks
/// UTF-8 validity. Valid everywhere: UTF-8. Invalid somewhere and without a single multi-byte
/// UTF-8 sequence: Windows-1252. Both valid UTF-8 accents and invalid bytes, in whatever order:
/// the file mixes two encodings and is refused, naming the first invalid line and byte (guessing
/// would corrupt one half; a decision taken on the first rows would depend on their order).
/// A file with many NUL bytes and no BOM is UTF-16 without BOM.
fn detect_encoding(path: &Path) -> Result<TextEncoding> {
    let mut head = [0u8; 3];
    let n = read_prefix(path, &mut head)?;
    let head = &head[..n];
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok(TextEncoding::Utf8Bom);
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return Ok(TextEncoding::Utf16Le);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Ok(TextEncoding::Utf16Be);
    }
    let scan = scan_utf8(path)?;
    if scan.nul_in_head > 8 {
        return Err(Error::file(
            path,
            "looks like UTF-16 text without a byte-order mark (many NUL bytes): save it as \
             \"CSV UTF-8\" and import again",
        ));
    }
    match (scan.first_invalid, scan.first_multibyte_line) {
        (None, _) => Ok(TextEncoding::Utf8),
        (Some(bad), Some(accent_line)) => Err(Error::file(
            path,
            format!(
                "mixes two text encodings: line {accent_line} has UTF-8 accents, but line {} \
                 (byte {}, 0x{:02X}) is not UTF-8 (Latin-1/Windows-1252?); save the whole file \
                 as \"CSV UTF-8\" and import again",
                bad.line, bad.offset, bad.byte
            ),
        )),
        (Some(_), None) => Ok(TextEncoding::Windows1252),
    }
}

/// Where the first byte that is not UTF-8 is: 1-based line, 0-based byte offset, the byte.
#[derive(Debug, Clone, Copy)]
struct InvalidAt {
    line: usize,
    offset: u64,
    byte: u8,
}

struct Utf8Scan {
    first_invalid: Option<InvalidAt>,
    /// The line of the first valid multi-byte UTF-8 sequence (an accent, say).
    first_multibyte_line: Option<usize>,
    nul_in_head: usize,
}

/// One pass over the whole file (it stops early only once both an invalid byte and a valid
/// multi-byte sequence were seen: the answer cannot change after that).
fn scan_utf8(path: &Path) -> Result<Utf8Scan> {
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut buf = vec![0u8; BUF_SIZE];
    let mut carry = 0usize;
    let mut line = 1usize;
    let mut consumed = 0u64;
    let mut first = true;
    let mut scan = Utf8Scan {
        first_invalid: None,
        first_multibyte_line: None,
        nul_in_head: 0,
    };
    loop {
        let n = match f.read(&mut buf[carry..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(path, e)),
        };
        let len = carry + n;
        if first {
            scan.nul_in_head = buf[..len.min(4096)].iter().filter(|b| **b == 0).count();
            first = false;
        }
        let mut pos = 0;
        while pos < len {
            let chunk = &buf[pos..len];
            let (valid_len, bad_len) = match std::str::from_utf8(chunk) {
                Ok(_) => (chunk.len(), 0),
                Err(e) => match e.error_len() {
                    // An incomplete sequence at the end of the chunk: carry it, unless at EOF.
                    None if n > 0 => (e.valid_up_to(), 0),
                    None => (e.valid_up_to(), chunk.len() - e.valid_up_to()),
                    Some(k) => (e.valid_up_to(), k),
                },
            };
            let valid = &chunk[..valid_len];
            if scan.first_multibyte_line.is_none()
                && let Some(i) = valid.iter().position(|b| *b >= 0x80)
            {
                scan.first_multibyte_line =
                    Some(line + valid[..i].iter().filter(|b| **b == b'\n').count());
            }
            line += valid.iter().filter(|b| **b == b'\n').count();
            if bad_len == 0 {
                pos += valid_len;
                break;
            }
            if scan.first_invalid.is_none() {
                scan.first_invalid = Some(InvalidAt {
                    line,
                    offset: consumed + (pos + valid_len) as u64,
                    byte: chunk[valid_len],
                });
            }
            if scan.first_multibyte_line.is_some() {
                return Ok(scan);
            }
            pos += valid_len + bad_len;
        }
        if n == 0 {
            return Ok(scan);
        }
        buf.copy_within(pos..len, 0);
        carry = len - pos;
        consumed += pos as u64;
    }
}

/// A reader yielding UTF-8 bytes from a file in any [`TextEncoding`].
struct Decoded {
    inner: Box<dyn Read + Send>,
    decoder: Option<encoding_rs::Decoder>,
    raw: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Decoded {
    fn new(inner: Box<dyn Read + Send>, encoding: TextEncoding) -> Decoded {
        let decoder = match encoding {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => None,
            TextEncoding::Utf16Le => Some(encoding_rs::UTF_16LE.new_decoder_with_bom_removal()),
            TextEncoding::Utf16Be => Some(encoding_rs::UTF_16BE.new_decoder_with_bom_removal()),
            TextEncoding::Windows1252 => {
                Some(encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling())
            }
        };
        Decoded {
            inner,
            decoder,
            raw: vec![0; 64 * 1024],
            out: Vec::new(),
            pos: 0,
            done: false,
        }
    }
}

impl Read for Decoded {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let Some(decoder) = self.decoder.as_mut() else {
            return self.inner.read(buf);
        };
        while self.pos == self.out.len() && !self.done {
            let n = self.inner.read(&mut self.raw)?;
            let last = n == 0;
            let cap = decoder.max_utf8_buffer_length(n).unwrap_or(n * 3 + 16);
            self.out.resize(cap.max(16), 0);
            let mut read = 0;
            let mut written = 0;
            loop {
                let (result, r, w, _) =
                    decoder.decode_to_utf8(&self.raw[read..n], &mut self.out[written..], last);
                read += r;
                written += w;
                match result {
                    encoding_rs::CoderResult::InputEmpty => break,
                    encoding_rs::CoderResult::OutputFull => {
                        let more = self.out.len() + 1024;
                        self.out.resize(more, 0);
                    }
                }
            }
            self.out.truncate(written);
            self.pos = 0;
            self.done = last;
        }
        let k = (self.out.len() - self.pos).min(buf.len());
        buf[..k].copy_from_slice(&self.out[self.pos..self.pos + k]);
        self.pos += k;
        Ok(k)
    }
}

// ---------------------------------------------------------------------------------------------
// CSV: records

/// A parsed record before it becomes a [`Row`].
struct RawRecord {
    cells: Vec<Vec<u8>>,
    /// (column, full size in bytes) of cells cut at [`KEPT_CELL_BYTES`].
    oversized: Vec<(usize, usize)>,
    /// The column whose quote was never closed (at end of file).
    unclosed: Option<usize>,
}

impl RawRecord {
    fn into_strings(self) -> Vec<String> {
        self.cells
            .into_iter()
            .map(|c| match String::from_utf8(c) {
                Ok(s) => s,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            })
            .collect()
    }
}

/// `sep=X` alone on the first line (X one byte, then the line end): `(X, length of the line
/// with its end)`.
fn excel_sep_hint(buf: &[u8]) -> Option<(u8, usize)> {
    let rest = buf.strip_prefix(b"sep=")?;
    let (&delimiter, end) = rest.split_first()?;
    let eol = match end {
        [b'\r', b'\n', ..] => 2,
        [b'\n' | b'\r', ..] => 1,
        _ => return None,
    };
    (delimiter != b'"' && delimiter.is_ascii() && !delimiter.is_ascii_alphanumeric())
        .then_some((delimiter, 4 + 1 + eol))
}

/// Streaming RFC 4180 reader over UTF-8 bytes.
struct CsvRows {
    rdr: BufReader<Decoded>,
    delimiter: u8,
    /// Records read so far, blank ones included (= the spreadsheet row of the last one).
    record: usize,
    after_cr: bool,
    eof: bool,
    field: Vec<u8>,
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Start,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

impl CsvRows {
    fn skip_bom(&mut self) -> std::io::Result<()> {
        let buf = self.rdr.fill_buf()?;
        if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.rdr.consume(3);
        }
        Ok(())
    }

    /// The delimiter: the one an Excel hint line (`sep=;`) names — the line is then skipped,
    /// as Excel does not show it — else the one found most often in the first line, outside
    /// quotes (ties: `,`).
    fn sniff_delimiter(&mut self) -> std::io::Result<u8> {
        if let Some((delimiter, len)) = excel_sep_hint(self.rdr.fill_buf()?) {
            self.rdr.consume(len);
            return Ok(delimiter);
        }
        let buf = self.rdr.fill_buf()?;
        let mut counts = [0usize; 3];
        let mut in_quotes = false;
        let mut seen_text = false;
        for &b in buf {
            match b {
                b'"' => in_quotes = !in_quotes,
                b'\n' | b'\r' if !in_quotes && seen_text => break,
                b',' if !in_quotes => counts[0] += 1,
                b';' if !in_quotes => counts[1] += 1,
                b'\t' if !in_quotes => counts[2] += 1,
                _ => {}
            }
            seen_text |= !matches!(b, b'\n' | b'\r' | b' ');
        }
        let delims = [b',', b';', b'\t'];
        let best = (0..3)
            .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
            .unwrap_or(0);
        Ok(if counts[best] == 0 {
            b','
        } else {
            delims[best]
        })
    }

    /// The next data row, with its reading problems.
    fn next_row(&mut self, path: &Path, headers: &[String]) -> Option<Result<Row>> {
        let raw = match self.next_raw() {
            Ok(Some(r)) => r,
            Ok(None) => return None,
            Err(e) => return Some(Err(Error::io(path, e))),
        };
        let line = self.record;
        let mut problems = Vec::new();
        if let Some(col) = raw.unclosed {
            problems.push(RowError {
                row: Some(line),
                column: Some(column_label(headers, col)),
                message: "a quote opened in this cell is never closed (the rest of the file was \
                          read into it)"
                    .into(),
            });
        }
        let flagged: Vec<usize> = raw.oversized.iter().map(|(c, _)| *c).collect();
        for &(col, size) in &raw.oversized {
            problems.push(oversize(line, headers, col, size));
        }
        let unclosed = raw.unclosed.is_some();
        let cells = raw.into_strings();
        let mut row = Row {
            line,
            cells,
            problems,
        };
        if row.is_blank() {
            return Some(Ok(row));
        }
        check_cells(&mut row, headers, &flagged);
        let n = row.cells.len();
        let extra_blank = n > headers.len()
            && row.cells[headers.len()..]
                .iter()
                .all(|c| c.trim().is_empty());
        if n != headers.len() && !extra_blank && !unclosed {
            // Name the first column where the row and the header part ways.
            let at = if n < headers.len() {
                column_label(headers, n)
            } else {
                column_letter(headers.len())
            };
            row.problems.push(RowError {
                row: Some(line),
                column: Some(at),
                message: format!(
                    "has {n} cell{} but the header has {} columns: mixed delimiters (the header \
                     uses '{}'), or a quote missing?",
                    if n == 1 { "" } else { "s" },
                    headers.len(),
                    match self.delimiter {
                        b'\t' => "tab".to_string(),
                        d => (d as char).to_string(),
                    }
                ),
            });
        }
        Some(Ok(row))
    }

    /// Parses one record; `None` at end of file.
    fn next_raw(&mut self) -> std::io::Result<Option<RawRecord>> {
        if self.eof {
            return Ok(None);
        }
        let mut rec = RawRecord {
            cells: Vec::new(),
            oversized: Vec::new(),
            unclosed: None,
        };
        let mut state = State::Start;
        let mut size = 0usize;
        let mut any = false;
        self.field.clear();
        loop {
            let buf = self.rdr.fill_buf()?;
            if buf.is_empty() {
                self.eof = true;
                if state == State::Quoted {
                    rec.unclosed = Some(rec.cells.len());
                }
                if !any && rec.cells.is_empty() && state == State::Start {
                    return Ok(None);
                }
                end_field(&mut self.field, &mut rec, size);
                self.record += 1;
                return Ok(Some(rec));
            }
            let mut used = 0;
            let mut finished = false;
            for &b in buf {
                used += 1;
                if self.after_cr {
                    self.after_cr = false;
                    if b == b'\n' {
                        continue;
                    }
                }
                any = true;
                match state {
                    State::Start | State::Unquoted => {
                        if b == self.delimiter {
                            end_field(&mut self.field, &mut rec, size);
                            size = 0;
                            state = State::Start;
                        } else if b == b'\n' || b == b'\r' {
                            self.after_cr = b == b'\r';
                            finished = true;
                            break;
                        } else if b == b'"' && state == State::Start {
                            state = State::Quoted;
                        } else {
                            push_byte(&mut self.field, &mut size, b);
                            state = State::Unquoted;
                        }
                    }
                    State::Quoted => {
                        if b == b'"' {
                            state = State::QuoteInQuoted;
                        } else {
                            push_byte(&mut self.field, &mut size, b);
                        }
                    }
                    State::QuoteInQuoted => {
                        if b == b'"' {
                            push_byte(&mut self.field, &mut size, b);
                            state = State::Quoted;
                        } else if b == self.delimiter {
                            end_field(&mut self.field, &mut rec, size);
                            size = 0;
                            state = State::Start;
                        } else if b == b'\n' || b == b'\r' {
                            self.after_cr = b == b'\r';
                            finished = true;
                            break;
                        } else {
                            push_byte(&mut self.field, &mut size, b);
                            state = State::Unquoted;
                        }
                    }
                }
            }
            self.rdr.consume(used);
            if finished {
                end_field(&mut self.field, &mut rec, size);
                self.record += 1;
                return Ok(Some(rec));
            }
        }
    }
}

fn end_field(field: &mut Vec<u8>, rec: &mut RawRecord, size: usize) {
    if size > KEPT_CELL_BYTES {
        rec.oversized.push((rec.cells.len(), size));
    }
    rec.cells.push(std::mem::take(field));
}

fn push_byte(field: &mut Vec<u8>, size: &mut usize, b: u8) {
    *size += 1;
    if field.len() < KEPT_CELL_BYTES {
        field.push(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        let mut f = File::create(&p).unwrap();
        f.write_all(bytes).unwrap();
        p
    }

    fn rows(p: &Path) -> (Vec<String>, Vec<Row>) {
        let mut s = open(p, None).unwrap();
        let rows: Vec<Row> = s.by_ref().map(|r| r.unwrap()).collect();
        (s.headers, rows)
    }

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }

    #[test]
    fn encodings_and_delimiters() {
        let dir = tempfile::tempdir().unwrap();
        let utf8 = write(
            dir.path(),
            "a.csv",
            "\u{feff}a;b\r\n\"Bogotá; D.C.\";2\r\n".as_bytes(),
        );
        let (h, r) = rows(&utf8);
        assert_eq!(h, ["a", "b"]);
        assert_eq!(r[0].cells, ["Bogotá; D.C.", "2"]);
        assert_eq!(r[0].line, 2);
        let latin = write(dir.path(), "b.csv", b"a\tb\nMedell\xedn\tsi\xf1o\n");
        let (_, r) = rows(&latin);
        assert_eq!(r[0].cells, ["Medellín", "siño"]);
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "x,y\nñ,2\n".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        let p = write(dir.path(), "c.csv", &utf16);
        let (h, r) = rows(&p);
        assert_eq!(h, ["x", "y"]);
        assert_eq!(r[0].cells, ["ñ", "2"]);
    }

    #[test]
    fn excel_sep_hint_lines() {
        type Case = (&'static [u8], Option<(u8, usize)>);
        let cases: [Case; 8] = [
            (b"sep=;\na;b\n", Some((b';', 6))),
            (b"sep=,\r\na,b\r\n", Some((b',', 7))),
            (b"sep=\t\ra\tb", Some((b'\t', 6))),
            (b"sep=|\n", Some((b'|', 6))),
            (b"sep=;;\n", None),
            (b"sep=;", None),
            (b"sep=a\n", None),
            (b"sep,region\n", None),
        ];
        for (buf, want) in cases {
            assert_eq!(
                excel_sep_hint(buf),
                want,
                "{:?}",
                String::from_utf8_lossy(buf)
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "s.csv", b"sep=;\r\na;b,c\r\n1;2,5\r\n");
        let (h, r) = rows(&p);
        assert_eq!(h, ["a", "b,c"]);
        assert_eq!(r[0].cells, ["1", "2,5"]);
        assert_eq!(
            r[0].line, 2,
            "rows numbered as Excel shows them (hint line hidden)"
        );
    }

    #[test]
    fn right_to_left_and_emoji_text_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "a.csv",
            "a,b\nمرحبا بالعالم,👍🏽 bien\n".as_bytes(),
        );
        let (_, r) = rows(&p);
        assert_eq!(r[0].cells, ["مرحبا بالعالم", "👍🏽 bien"]);
        assert!(r[0].problems.is_empty());
    }

    #[test]
    fn quoting_multiline_and_row_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "a.csv",
            b"a,b\n\"one\ntwo\",\"say \"\"hi\"\"\"\n\n3,4\n",
        );
        let (_, r) = rows(&p);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].cells, ["one\ntwo", "say \"hi\""]);
        assert_eq!(r[1].line, 4);
        assert!(r.iter().all(|r| r.problems.is_empty()));
    }

    #[test]
    fn problems_are_attached_to_rows() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "a.csv", b"a,b\n1;2\nx\0y,2\n3,\"open\n4,5\n");
        let (_, r) = rows(&p);
        assert!(
            r[0].problems[0].message.contains("mixed delimiters"),
            "{:?}",
            r[0].problems
        );
        assert_eq!(r[1].problems[0].column.as_deref(), Some("a"));
        assert!(r[1].problems[0].message.contains("NUL"));
        assert_eq!(r[2].line, 4);
        assert!(r[2].problems[0].message.contains("never closed"));
    }

    #[test]
    fn whole_file_problems() {
        let dir = tempfile::tempdir().unwrap();
        let empty = write(dir.path(), "e.csv", b"");
        assert!(
            open(&empty, None)
                .err()
                .unwrap()
                .to_string()
                .contains("empty")
        );
        let blank = write(dir.path(), "f.csv", b"\xef\xbb\xbf\n\n");
        assert!(
            open(&blank, None)
                .err()
                .unwrap()
                .to_string()
                .contains("empty")
        );
        let pdf = write(dir.path(), "g.xlsx", b"%PDF-1.4 blah");
        assert!(open(&pdf, None).err().unwrap().to_string().contains("PDF"));
        let mixed = write(dir.path(), "h.csv", "a\né\n".as_bytes());
        let mut bytes = std::fs::read(&mixed).unwrap();
        bytes.extend(b"\xe9\n");
        let mixed = write(dir.path(), "h.csv", &bytes);
        let err = open(&mixed, None).err().unwrap().to_string();
        assert!(
            err.contains("mixes two text encodings") && err.contains("line 3"),
            "{err}"
        );
        let trunc = write(dir.path(), "t.xlsx", b"PK\x03\x04garbage");
        assert!(
            open(&trunc, None)
                .err()
                .unwrap()
                .to_string()
                .contains("damaged or truncated")
        );
    }

    #[test]
    fn oversized_cell_is_cut_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = b"a,b\n1,".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', KEPT_CELL_BYTES + 10));
        bytes.push(b'\n');
        let p = write(dir.path(), "a.csv", &bytes);
        let (_, r) = rows(&p);
        assert_eq!(r[0].problems.len(), 1, "{:?}", r[0].problems);
        assert!(r[0].problems[0].message.contains("too large"));
        assert_eq!(r[0].cells[1].len(), KEPT_CELL_BYTES);
    }

    #[test]
    fn the_first_visible_sheet_is_read_and_hidden_ones_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        for (name, hide) in [("secreta", 2), ("oculta", 1), ("datos", 0)] {
            let ws = wb.add_worksheet();
            ws.set_name(name).unwrap();
            ws.write_string(0, 0, "hoja").unwrap();
            ws.write_string(1, 0, name).unwrap();
            match hide {
                2 => {
                    ws.set_very_hidden(true);
                }
                1 => {
                    ws.set_hidden(true);
                }
                _ => {
                    ws.set_active(true);
                }
            }
        }
        wb.save(&p).unwrap();
        let mut s = open(&p, None).unwrap();
        let SourceFormat::Sheet { sheet, hidden } = s.format.clone() else {
            panic!("a sheet")
        };
        assert_eq!(sheet, "datos");
        assert_eq!(hidden, ["secreta", "oculta"]);
        assert_eq!(s.next().unwrap().unwrap().cells, ["datos"]);
        // Asked for by name, a hidden sheet is read.
        let mut s = open(&p, Some("secreta")).unwrap();
        assert_eq!(s.next().unwrap().unwrap().cells, ["secreta"]);
    }

    #[test]
    fn a_value_under_an_empty_header_is_a_problem_in_sheets_and_csv() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "a").unwrap();
        ws.write_string(1, 0, "1").unwrap();
        ws.write_string(1, 2, "perdido").unwrap();
        wb.save(&p).unwrap();
        let (_, r) = rows(&p);
        assert_eq!(r[0].problems.len(), 1, "{:?}", r[0].problems);
        assert_eq!(r[0].problems[0].column.as_deref(), Some("C"));
        assert!(r[0].problems[0].message.contains("header (row 1) is empty"));
        let c = write(dir.path(), "a.csv", b"a,,c\n1,perdido,3\n4,,6\n");
        let (_, r) = rows(&c);
        assert_eq!(r[0].problems[0].column.as_deref(), Some("B"));
        assert!(r[1].problems.is_empty());
    }

    #[test]
    fn byte_order_marks_and_formula_guards_are_removed_from_cells() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "a.csv",
            "\u{feff}a,b\n\u{feff}05001,'=9+9\n\u{feff}\u{feff}x\u{feff},'hola\n".as_bytes(),
        );
        let (h, r) = rows(&p);
        assert_eq!(h, ["a", "b"]);
        assert_eq!(r[0].cells, ["05001", "=9+9"]);
        assert_eq!(r[1].cells, ["x", "'hola"]);
    }

    #[test]
    fn mixed_encodings_are_refused_whatever_the_order() {
        let dir = tempfile::tempdir().unwrap();
        // A Latin-1 row before the first UTF-8 accent.
        let latin_first = write(dir.path(), "l.csv", b"a\nMedell\xedn\nMedell\xc3\xadn\n");
        let err = open(&latin_first, None).err().unwrap().to_string();
        assert!(
            err.contains("mixes two text encodings") && err.contains("line 2 (byte 8, 0xED)"),
            "{err}"
        );
        // 3,000 ASCII rows, one invalid byte, then UTF-8 accents.
        let mut bytes = b"a\n".to_vec();
        for _ in 0..3000 {
            bytes.extend(b"ascii only row\n");
        }
        let bad_at = bytes.len() + 3;
        bytes.extend(b"Bogot\xe1\n");
        for _ in 0..20_000 {
            bytes.extend("Bogotá\n".as_bytes());
        }
        let late = write(dir.path(), "m.csv", &bytes);
        let err = open(&late, None).err().unwrap().to_string();
        assert!(
            err.contains(&format!("line 3002 (byte {}", bad_at + 2)),
            "{err}"
        );
        // Invalid bytes only: Windows-1252, whatever their place.
        let mut cp = b"a\n".to_vec();
        cp.extend(std::iter::repeat_n(b'x', BUF_SIZE * 2));
        cp.extend(b"\nsi\xf1o\n");
        let p = write(dir.path(), "c.csv", &cp);
        let (_, r) = rows(&p);
        assert_eq!(r[1].cells, ["siño"]);
    }

    #[test]
    fn pipes_and_devices_are_refused_as_not_regular_files() {
        let err = open(Path::new("/dev/null"), None)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("not a regular file"), "{err}");
    }

    #[test]
    fn xlsx_cells_as_text() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("datos").unwrap();
        ws.write_string(0, 0, "code").unwrap();
        ws.write_string(0, 1, "n").unwrap();
        ws.write_string(0, 2, "when").unwrap();
        ws.write_string(1, 0, "05001").unwrap();
        ws.write_number(1, 1, 4.0).unwrap();
        let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2020, 7, 15).unwrap();
        ws.write_datetime_with_format(1, 2, &date, &fmt).unwrap();
        ws.write_number(2, 1, 4.5).unwrap();
        wb.save(&p).unwrap();
        let mut s = open(&p, Some("DATOS")).unwrap();
        assert_eq!(s.headers, ["code", "n", "when"]);
        let r: Vec<Row> = s.by_ref().map(|r| r.unwrap()).collect();
        assert_eq!(r[0].cells, ["05001", "4", "2020-07-15"]);
        assert_eq!(r[1].cells[1], "4.5");
        assert_eq!(r[1].line, 3);
        assert!(
            open(&p, Some("nope"))
                .err()
                .unwrap()
                .to_string()
                .contains("datos")
        );
    }
}
