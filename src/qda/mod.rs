//! Stage: exchange (REFI-QDA). Codebooks and coded answers out to, and codebooks in from, the
//! tools analysts already use (NVivo, ATLAS.ti, MAXQDA, QualCoder), following the REFI-QDA 1.0
//! standard: `.qdc` codebooks ([`qdc`]) and `.qdpx` projects out ([`qdpx`]) and in ([`import`]).
//!
//! Strict on export (what the XSDs and the known tool quirks demand: an `origin` attribute,
//! `isCodable="false"` categories, unique names, `#RRGGBB` colours, LF text sources without BOM,
//! code-point positions), lenient on import (BOM, UTF-16, other schema locations, prefixes,
//! braced or uppercase GUIDs, `#RGB` colours) but strict about meaning (unique GUIDs, references
//! that resolve). Errors name the line.

pub mod dom;
pub mod import;
pub mod qdc;
pub mod qdpx;

/// Value of the `origin` attribute of everything codifica writes.
pub const ORIGIN: &str = concat!("codifica ", env!("CARGO_PKG_VERSION"));

// Declared in `codebook` (a code's colour is checked there); re-exported for QDA callers.
pub use crate::codebook::normalize_color;

/// The 1-based line holding byte `pos` of `text`.
pub fn line_of(text: &str, pos: usize) -> usize {
    let end = pos.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Decodes an XML file's bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM.
pub fn decode_xml(bytes: &[u8]) -> std::result::Result<String, String> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            return Err(format!("the file is not valid {}", enc.name()));
        }
        return Ok(text.into_owned());
    }
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        let text = String::from_utf8_lossy(&bytes[..e.utf8_error().valid_up_to()]).into_owned();
        format!(
            "line {}: the file is not valid UTF-8",
            line_of(&text, text.len())
        )
    })
}

/// Escapes text for XML content or a double-quoted attribute, dropping characters XML 1.0
/// cannot carry (control characters other than tab, LF, CR).
pub fn xml_escape(s: &str) -> String {
    let clean: String = s
        .chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
        })
        .collect();
    quick_xml::escape::escape(clean.as_str()).into_owned()
}

/// A deterministic GUID for something codifica names (`codifica:<kind>:<name>`), UUID v5 in
/// the URL namespace like the codebooks' GUIDs: the same project exported twice is identical.
pub fn guid_for(kind: &str, name: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("codifica:{kind}:{name}").as_bytes(),
    )
    .hyphenated()
    .to_string()
}

/// A code id (slug) from a label: accent-folded lowercase words joined by `_`.
pub fn slug(label: &str) -> String {
    let words = crate::analyze::plain_terms(label);
    let mut s = words.join("_");
    s.retain(|c| c.is_alphanumeric() || c == '_');
    if s.len() > 60 {
        let mut cut = 60;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    if s.is_empty() { "codigo".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours() {
        assert_eq!(normalize_color("#F00").unwrap(), "#FF0000");
        assert_eq!(normalize_color("#1f77b4").unwrap(), "#1F77B4");
        assert!(normalize_color("red").is_none());
        assert!(normalize_color("#12345").is_none());
    }

    #[test]
    fn lines_and_decoding() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 4), 3);
        assert_eq!(decode_xml(b"\xEF\xBB\xBF<a/>").unwrap(), "<a/>");
        assert_eq!(decode_xml(b"\xFF\xFE<\x00a\x00/\x00>\x00").unwrap(), "<a/>");
        assert!(decode_xml(b"<a>\n\xFF</a>").unwrap_err().contains("line 2"));
    }

    #[test]
    fn slugs_and_escaping() {
        assert_eq!(slug("Rotación de personal"), "rotacion_de_personal");
        assert_eq!(slug("¿?"), "codigo");
        assert_eq!(xml_escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
