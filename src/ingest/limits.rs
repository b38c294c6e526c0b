//! Stage: ingest, before a workbook is read. What a workbook may cost, checked on the zip's
//! central directory and one streaming pass over its XML parts **before** calamine sees it.
//!
//! calamine reads a whole sheet into a dense grid (rows × columns of the used range, ~32 bytes a
//! cell, twice over) and the shared strings into memory: a 5 KB file with one cell at
//! `XFD1048576` asks for 549 GB and aborts the process, a zip bomb of 1 MB inflates to 1 GB in
//! memory. So, before opening it, every part's declared size, every part's real decompressed
//! size (counted in a bounded buffer: a lying header is caught too), the used range of every
//! sheet, the longest text run (one cell) and the shared-strings count are held to the budgets
//! below; past one, the file is refused with a message naming the part and the limit. Memory
//! of the check itself does not grow with the file (`scripts/bench_hostile.sh`).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// Largest workbook file accepted (compressed, on disk). A month's workbook is well under 1 MB;
/// big data goes through CSV, which is read streaming.
pub const MAX_WORKBOOK_BYTES: u64 = 64 << 20;
/// Largest decompressed size of one part (a sheet's XML, the shared strings).
pub const MAX_PART_BYTES: u64 = 256 << 20;
/// Largest decompressed size of all parts together.
pub const MAX_TOTAL_BYTES: u64 = 512 << 20;
/// Most parts in one workbook.
pub const MAX_PARTS: usize = 10_000;
/// Largest used range of one sheet, in cells (rows × columns, from the first to the last cell
/// with content): 2 million cells cost calamine ~130 MB.
pub const MAX_SHEET_CELLS: u64 = 2_000_000;
/// Longest run of text between two XML tags (one cell's text, escaped): a cell is refused past
/// [`crate::ingest::reader::MAX_CELL_CHARS`] characters anyway, so a run many times that size
/// is never data.
pub const MAX_TEXT_RUN: u64 = 4 << 20;
/// Most shared strings a workbook may announce (calamine reserves room for them up front).
pub const MAX_SHARED_STRINGS: u64 = 4_000_000;

/// Checks a zip workbook (XLSX/XLSM/XLSB/ODS) against the budgets above.
pub fn check_zip_workbook(path: &Path) -> Result<()> {
    check_ole_workbook(path)?;
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    // A damaged archive is left to calamine, whose message says "damaged or truncated".
    let Ok(mut zip) = zip::ZipArchive::new(file) else {
        return Ok(());
    };
    if zip.len() > MAX_PARTS {
        return Err(too_big(
            path,
            format!(
                "is a workbook of {} parts; the limit is {MAX_PARTS}",
                zip.len()
            ),
        ));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let Ok(part) = zip.by_index(i) else { continue };
        let name = part.name().to_string();
        let declared = part.size();
        total = total.saturating_add(declared);
        if declared > MAX_PART_BYTES {
            return Err(part_too_big(path, &name, declared));
        }
        if total > MAX_TOTAL_BYTES {
            return Err(too_big(
                path,
                format!(
                    "decompresses to more than {} MB (at part '{name}'); the limit is {} MB: \
                     a zip bomb?",
                    total >> 20,
                    MAX_TOTAL_BYTES >> 20
                ),
            ));
        }
        if is_xml(&name) {
            scan_part(path, &name, declared, part)?;
        }
    }
    Ok(())
}

/// Checks a workbook's file size: all an XLS (OLE) workbook gets (its records are not
/// scanned), and the first check of a zip workbook.
pub fn check_ole_workbook(path: &Path) -> Result<()> {
    let len = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    if len > MAX_WORKBOOK_BYTES {
        return Err(too_big(
            path,
            format!(
                "is a workbook of {} MB; the limit is {} MB",
                len >> 20,
                MAX_WORKBOOK_BYTES >> 20
            ),
        ));
    }
    Ok(())
}

fn is_xml(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with(".xml") || n.ends_with(".rels")
}

fn too_big(path: &Path, what: String) -> Error {
    Error::file(
        path,
        format!(
            "{what}. Nothing was read: open it in a spreadsheet program, delete unused \
             rows, columns and sheets, and save it again (or export the data as CSV)"
        ),
    )
}

fn part_too_big(path: &Path, name: &str, size: u64) -> Error {
    too_big(
        path,
        format!(
            "has a part '{name}' of {} MB decompressed; the limit is {} MB",
            size >> 20,
            MAX_PART_BYTES >> 20
        ),
    )
}

/// Decompresses one part in a bounded buffer, feeding the [`Scanner`]; refuses a part that
/// holds more than it declares or than the limits allow.
fn scan_part(path: &Path, name: &str, declared: u64, mut part: impl Read) -> Result<()> {
    let mut scanner = Scanner::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut seen = 0u64;
    loop {
        let n = match part.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // A damaged part: calamine reports it.
            Err(_) => return Ok(()),
        };
        seen += n as u64;
        if seen > declared {
            return Err(too_big(
                path,
                format!(
                    "has a part '{name}' that declares {declared} bytes but holds more \
                     (a zip bomb?)"
                ),
            ));
        }
        if seen > MAX_PART_BYTES {
            return Err(part_too_big(path, name, seen));
        }
        scanner
            .feed(&buf[..n])
            .map_err(|what| too_big(path, format!("has, in part '{name}', {what}")))?;
    }
    Ok(())
}

/// A byte-level scan of an XML part: tags (element names and the attributes that matter),
/// text run lengths, and, inside `<sheetData>`, the cells with content.
struct Scanner {
    state: ScanState,
    tag: Vec<u8>,
    tag_len: usize,
    quote: Option<u8>,
    /// Bytes of the current text run.
    run: u64,
    /// Tail matcher for `-->` / `]]>`.
    tail: [u8; 2],
    in_sheet_data: bool,
    row: u64,
    col: u64,
    /// ODS: the last row a `table-row` covers (with `number-rows-repeated`), and the next row.
    row_end: u64,
    next_row: u64,
    /// (min row, max row, min col, max col) of cells with content, 1-based.
    used: Option<(u64, u64, u64, u64)>,
}

#[derive(Clone, Copy, PartialEq)]
enum ScanState {
    Text,
    Tag,
    Comment,
    CData,
}

/// Bytes of a tag kept for parsing (element name and the `r`, `uniqueCount` attributes come
/// first in practice; a longer tag is parsed on its first bytes).
const TAG_KEEP: usize = 1024;

impl Scanner {
    fn new() -> Scanner {
        Scanner {
            state: ScanState::Text,
            tag: Vec::with_capacity(TAG_KEEP),
            tag_len: 0,
            quote: None,
            run: 0,
            tail: [0; 2],
            in_sheet_data: false,
            row: 0,
            col: 0,
            row_end: 0,
            next_row: 1,
            used: None,
        }
    }

    fn feed(&mut self, bytes: &[u8]) -> std::result::Result<(), String> {
        for &b in bytes {
            match self.state {
                ScanState::Text => {
                    if b == b'<' {
                        self.state = ScanState::Tag;
                        self.tag.clear();
                        self.tag_len = 0;
                        self.quote = None;
                        self.run = 0;
                    } else {
                        self.text_byte()?;
                    }
                }
                ScanState::Tag => self.tag_byte(b)?,
                ScanState::Comment | ScanState::CData => {
                    let end = self.tail == [b'-', b'-'] && self.state == ScanState::Comment
                        || self.tail == [b']', b']'] && self.state == ScanState::CData;
                    if b == b'>' && end {
                        self.state = ScanState::Text;
                        self.run = 0;
                    } else if self.state == ScanState::CData {
                        self.text_byte()?;
                    }
                    self.tail = [self.tail[1], b];
                }
            }
        }
        Ok(())
    }

    fn text_byte(&mut self) -> std::result::Result<(), String> {
        self.run += 1;
        if self.run > MAX_TEXT_RUN {
            return Err(format!(
                "a cell of more than {} MB of text; a cell holds at most {} characters",
                MAX_TEXT_RUN >> 20,
                crate::ingest::reader::MAX_CELL_CHARS
            ));
        }
        Ok(())
    }

    fn tag_byte(&mut self, b: u8) -> std::result::Result<(), String> {
        self.tag_len += 1;
        if self.tag_len as u64 > MAX_TEXT_RUN {
            return Err(format!(
                "a tag of more than {} MB (a damaged or hostile file)",
                MAX_TEXT_RUN >> 20
            ));
        }
        if self.tag.len() < TAG_KEEP {
            self.tag.push(b);
        }
        if self.tag.starts_with(b"!--") && self.tag_len == 3 {
            self.state = ScanState::Comment;
            self.tail = [0; 2];
            return Ok(());
        }
        if self.tag.starts_with(b"![CDATA[") && self.tag_len == 8 {
            self.state = ScanState::CData;
            self.tail = [0; 2];
            self.run = 0;
            return Ok(());
        }
        match (self.quote, b) {
            (Some(q), _) if b == q => self.quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => self.quote = Some(b),
            (None, b'>') => {
                self.state = ScanState::Text;
                self.run = 0;
                let tag = std::mem::take(&mut self.tag);
                let r = self.end_tag(tag.strip_suffix(b">").unwrap_or(&tag));
                self.tag = tag;
                return r;
            }
            (None, _) => {}
        }
        Ok(())
    }

    /// One whole tag, without its `<` and `>`.
    fn end_tag(&mut self, tag: &[u8]) -> std::result::Result<(), String> {
        if let Some(rest) = tag.strip_prefix(b"/") {
            if local_name(rest) == b"sheetData" {
                self.in_sheet_data = false;
            }
            return Ok(());
        }
        if tag.starts_with(b"?") || tag.starts_with(b"!") {
            return Ok(());
        }
        let empty = tag.ends_with(b"/");
        let name = local_name(tag);
        match name {
            b"sheetData" => {
                self.in_sheet_data = !empty;
                self.row = 0;
            }
            b"sst" => {
                for attr in ["uniqueCount", "count"] {
                    if let Some(n) = attribute(tag, attr).and_then(parse_u64)
                        && n > MAX_SHARED_STRINGS
                    {
                        return Err(format!(
                            "{n} shared strings announced; the limit is {MAX_SHARED_STRINGS}"
                        ));
                    }
                }
            }
            b"row" if self.in_sheet_data => {
                self.row = attribute(tag, "r")
                    .and_then(parse_u64)
                    .unwrap_or(self.row + 1);
                self.col = 0;
            }
            b"c" if self.in_sheet_data => {
                let (row, col) = match attribute(tag, "r").and_then(cell_ref) {
                    Some((r, c)) => (r, c),
                    None => (self.row.max(1), self.col + 1),
                };
                self.row = row;
                self.col = col;
                if !empty {
                    self.cell(row, row, col, col)?;
                }
            }
            // ODS (content.xml): repeated rows and cells are expanded by the reader.
            b"table" => {
                self.next_row = 1;
            }
            b"table-row" => {
                let repeats = repeats(tag, "number-rows-repeated", ODS_MAX_ROWS);
                self.row = self.next_row;
                self.row_end = self.row + repeats - 1;
                self.next_row = self.row_end + 1;
                self.col = 0;
            }
            b"table-cell" | b"covered-table-cell" => {
                let repeats = repeats(tag, "number-columns-repeated", ODS_MAX_COLS);
                let first = self.col + 1;
                self.col += repeats;
                if !empty && self.row > 0 {
                    self.cell(self.row, self.row_end, first, self.col)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Cells with content over rows `row..=row_end`, columns `col..=col_end`.
    fn cell(
        &mut self,
        row: u64,
        row_end: u64,
        col: u64,
        col_end: u64,
    ) -> std::result::Result<(), String> {
        let (r0, r1, c0, c1) = self.used.unwrap_or((row, row_end, col, col_end));
        let used = (r0.min(row), r1.max(row_end), c0.min(col), c1.max(col_end));
        self.used = Some(used);
        let cells = (used.1 - used.0 + 1).saturating_mul(used.3 - used.2 + 1);
        if cells > MAX_SHEET_CELLS {
            return Err(format!(
                "a sheet whose used range {}{}:{}{} spans {cells} cells; the limit is \
                 {MAX_SHEET_CELLS} (a stray value far below or right of the data?)",
                letters(used.2),
                used.0,
                letters(used.3),
                used.1
            ));
        }
        Ok(())
    }
}

/// Rows and columns an ODS sheet can have (the reader caps repeats there).
const ODS_MAX_ROWS: u64 = 1_048_576;
const ODS_MAX_COLS: u64 = 16_384;

/// An ODS repeat count (`table:number-rows-repeated`…): 1 when absent, at most `max`.
fn repeats(tag: &[u8], name: &str, max: u64) -> u64 {
    attribute(tag, name)
        .and_then(parse_u64)
        .unwrap_or(1)
        .clamp(1, max)
}

/// The element name without its namespace prefix (`x:c` → `c`).
fn local_name(tag: &[u8]) -> &[u8] {
    let end = tag
        .iter()
        .position(|b| b.is_ascii_whitespace() || *b == b'/')
        .unwrap_or(tag.len());
    let name = &tag[..end];
    match name.iter().rposition(|b| *b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The value of attribute `name` (without namespace prefix) in a tag.
fn attribute<'t>(tag: &'t [u8], name: &str) -> Option<&'t [u8]> {
    let mut i = 0;
    while i < tag.len() {
        // Find the next `=` and the attribute name before it.
        let eq = i + tag[i..].iter().position(|b| *b == b'=')?;
        let start = tag[..eq]
            .iter()
            .rposition(|b| b.is_ascii_whitespace())
            .map_or(0, |p| p + 1);
        let key = &tag[start..eq];
        let key = match key.iter().rposition(|b| *b == b':') {
            Some(k) => &key[k + 1..],
            None => key,
        };
        let q = *tag.get(eq + 1)?;
        if q != b'"' && q != b'\'' {
            return None;
        }
        let vstart = eq + 2;
        let vend = vstart + tag[vstart..].iter().position(|b| *b == q)?;
        if key == name.as_bytes() {
            return Some(&tag[vstart..vend]);
        }
        i = vend + 1;
    }
    None
}

fn parse_u64(v: &[u8]) -> Option<u64> {
    std::str::from_utf8(v).ok()?.trim().parse().ok()
}

/// `B7` → (7, 2); `$B$7` accepted.
fn cell_ref(v: &[u8]) -> Option<(u64, u64)> {
    let v: Vec<u8> = v.iter().copied().filter(|b| *b != b'$').collect();
    let split = v.iter().position(|b| b.is_ascii_digit())?;
    let (letters, digits) = v.split_at(split);
    if letters.is_empty() || letters.len() > 4 {
        return None;
    }
    let mut col = 0u64;
    for l in letters {
        if !l.is_ascii_alphabetic() {
            return None;
        }
        col = col * 26 + u64::from(l.to_ascii_uppercase() - b'A' + 1);
    }
    Some((parse_u64(digits)?, col))
}

/// 1 → A, 27 → AA.
fn letters(col: u64) -> String {
    crate::ingest::reader::column_letter(col.saturating_sub(1) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(xml: &str) -> std::result::Result<Option<(u64, u64, u64, u64)>, String> {
        let mut s = Scanner::new();
        // Fed in small pieces: tags and runs cross buffer boundaries.
        for piece in xml.as_bytes().chunks(3) {
            s.feed(piece)?;
        }
        Ok(s.used)
    }

    #[test]
    fn used_range_counts_cells_with_content_only() {
        let xml = r#"<?xml version="1.0"?><worksheet><dimension ref="A1:B2"/><sheetData>
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1</v></c></row>
            <row r="2"><c r="A2"><v>2</v></c><c r="XFD1048576" s="1"/></row>
            </sheetData></worksheet>"#;
        assert_eq!(scan(xml).unwrap(), Some((1, 2, 1, 2)));
        let prefixed = r#"<x:worksheet><x:sheetData><x:row><x:c><x:v>1</x:v></x:c><x:c>
            <x:v>2</x:v></x:c></x:row><x:row><x:c><x:v>3</x:v></x:c></x:row></x:sheetData>
            </x:worksheet>"#;
        assert_eq!(scan(prefixed).unwrap(), Some((1, 2, 1, 2)));
    }

    #[test]
    fn a_far_cell_is_refused() {
        let xml = r#"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>
            <row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#;
        let err = scan(xml).unwrap_err();
        assert!(err.contains("A1:XFD1048576"), "{err}");
        let z = r#"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>
            <row r="1048576"><c r="Z1048576"><v>1</v></c></row></sheetData></worksheet>"#;
        assert!(scan(z).is_err());
    }

    #[test]
    fn long_runs_and_huge_counts_are_refused_comments_skipped() {
        let mut big = String::from("<sst><si><t>");
        big.push_str(&"x".repeat(MAX_TEXT_RUN as usize + 1));
        big.push_str("</t></si></sst>");
        assert!(scan(&big).unwrap_err().contains("cell"));
        assert!(scan(r#"<sst uniqueCount="4000000000">"#).is_err());
        assert!(scan(r#"<sst count="3" uniqueCount="3">"#).is_ok());
        let commented = r#"<!-- <c r="XFD1"> --><![CDATA[<c r="XFD1048576">]]><sheetData>
            <row r="3"><c r="B3"><v>1</v></c></row></sheetData>"#;
        assert_eq!(scan(commented).unwrap(), Some((3, 3, 2, 2)));
    }

    #[test]
    fn ods_repeats_count_as_the_cells_they_expand_to() {
        let ok = r#"<table:table><table:table-row><table:table-cell><text:p>a</text:p>
            </table:table-cell><table:table-cell table:number-columns-repeated="3"/>
            </table:table-row><table:table-row table:number-rows-repeated="2">
            <table:table-cell table:number-columns-repeated="2"><text:p>b</text:p>
            </table:table-cell></table:table-row></table:table>"#;
        assert_eq!(scan(ok).unwrap(), Some((1, 3, 1, 2)));
        let far = r#"<table:table><table:table-row table:number-rows-repeated="1048576">
            <table:table-cell table:number-columns-repeated="1024"><text:p>x</text:p>
            </table:table-cell></table:table-row></table:table>"#;
        assert!(scan(far).unwrap_err().contains("A1:AMJ1048576"));
        // Empty repeated rows and cells (how ODS pads a sheet) cost nothing.
        let padded = r#"<table:table><table:table-row><table:table-cell><text:p>a</text:p>
            </table:table-cell><table:table-cell table:number-columns-repeated="16383"/>
            </table:table-row><table:table-row table:number-rows-repeated="1048575">
            <table:table-cell table:number-columns-repeated="16384"/></table:table-row>
            </table:table>"#;
        assert_eq!(scan(padded).unwrap(), Some((1, 1, 1, 1)));
    }

    #[test]
    fn a_part_that_holds_more_than_it_declares_is_refused() {
        let err = scan_part(
            Path::new("x.xlsx"),
            "xl/sharedStrings.xml",
            10,
            &b"0123456789ab"[..],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("declares 10 bytes but holds more"), "{err}");
        assert!(scan_part(Path::new("x.xlsx"), "p.xml", 12, &b"0123456789ab"[..]).is_ok());
    }

    #[test]
    fn refs_and_attributes() {
        assert_eq!(cell_ref(b"B7"), Some((7, 2)));
        assert_eq!(cell_ref(b"$AA$10"), Some((10, 27)));
        assert_eq!(cell_ref(b"XFD1048576"), Some((1_048_576, 16_384)));
        assert_eq!(cell_ref(b"7"), None);
        assert_eq!(attribute(br#"c r="A1" t='s'"#, "t"), Some(&b"s"[..]));
        assert_eq!(attribute(br#"x:c x:r="A1""#, "r"), Some(&b"A1"[..]));
        assert_eq!(attribute(br#"c t="s""#, "r"), None);
    }
}
