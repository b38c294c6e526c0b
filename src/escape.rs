//! Support (no stage of its own): escaping text for HTML, the one rule shared by the search
//! snippets (`search --html`, JSON output), the monthly report and the web app, so that an
//! answer quoting `<script>` is inert wherever it is shown. Also the terminal's rule (control
//! characters and escape sequences in data are shown, not obeyed) and the bound on how much of
//! a value or a list an error message repeats.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Escapes text for HTML element content and attribute values (`&`, `<`, `>`, both quotes).
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// True for characters a terminal may act on instead of showing: C0 controls but tab, DEL, C1
/// controls (ESC starts colour and cursor sequences; CR rewrites the line), and the bidirectional
/// overrides that reorder what is shown.
fn acts_on_terminal(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text for a terminal: control characters, escape sequences and bidirectional overrides in
/// data are written as visible escapes (`\n`, `\r`, `\u{1b}`), so an answer cannot recolour,
/// clear or rewrite the analyst's screen. Used by `search` and `status`.
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(acts_on_terminal) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if acts_on_terminal(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Characters of one value (a header, a cell) an error message repeats.
pub const CLIP_CHARS: usize = 200;

/// `s` cut to `max` characters, saying how many were left out: a 5 MB header line must not
/// become megabytes of error output.
pub fn clip(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((byte, _)) => {
            let rest = s[byte..].chars().count();
            Cow::Owned(format!("{}… ({rest} more characters)", &s[..byte]))
        }
    }
}

/// Items of a list an error message names before summarising the rest.
pub const LIST_ITEMS: usize = 20;

/// `items` joined with ", ", at most [`LIST_ITEMS`] of them each clipped to [`CLIP_CHARS`],
/// then "… and N more": for messages such as "the header has: …".
pub fn list<T: AsRef<str>>(items: &[T]) -> String {
    let mut out: Vec<String> = items
        .iter()
        .take(LIST_ITEMS)
        .map(|i| clip(i.as_ref(), CLIP_CHARS).into_owned())
        .collect();
    if items.len() > LIST_ITEMS {
        out.push(format!("… and {} more", items.len() - LIST_ITEMS));
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_output_shows_control_characters_instead_of_obeying_them() {
        assert_eq!(terminal("planeación ñ\t👍"), "planeación ñ\t👍");
        assert!(matches!(terminal("plain"), Cow::Borrowed(_)));
        assert_eq!(
            terminal("a\x1b[2J\x1b[31mrojo\r\nb\u{7}\u{9b}c\u{202e}d"),
            "a\\u{1b}[2J\\u{1b}[31mrojo\\r\\nb\\u{7}\\u{9b}c\\u{202e}d"
        );
    }

    #[test]
    fn clip_and_list_bound_what_messages_repeat() {
        assert_eq!(clip("abc", 5), "abc");
        assert_eq!(clip("ñañaña", 2), "ña… (4 more characters)");
        let many: Vec<String> = (0..100_000).map(|i| format!("col{i}")).collect();
        let l = list(&many);
        assert!(
            l.starts_with("col0, col1,") && l.ends_with("… and 99980 more"),
            "{l}"
        );
        assert!(l.len() < 400);
        let huge = ["x".repeat(5_000_000)];
        assert!(list(&huge).len() < 300);
    }

    #[test]
    fn escapes_markup_and_both_quotes_only() {
        let cases = [
            (
                "<script>alert('x')</script>",
                "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;",
            ),
            ("a & \"b\"", "a &amp; &quot;b&quot;"),
            ("planeación ñ 👍", "planeación ñ 👍"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(html(input), want, "{input}");
        }
    }
}
