//! Support (no stage of its own): escaping text for HTML, the one rule shared by the search
//! snippets (`search --html`, JSON output), the monthly report and the web app, so that an
//! answer quoting `<script>` is inert wherever it is shown.

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

#[cfg(test)]
mod tests {
    use super::*;

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
