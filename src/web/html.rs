//! Web stage: HTML building blocks. Every piece of text that reaches a page goes through
//! [`esc`] (the one escaping function); markup is assembled only from literals and escaped
//! values. In: strings from the store, the config and the request. Out: HTML strings.

use std::fmt::Write as _;

use crate::month::Month;

/// Escapes text for HTML element content and quoted attribute values: `& < > " '`. The
/// report's escaping, so the web pages and the report file escape alike.
pub use crate::report::html::esc;

/// Percent-encodes a query-string value (everything but unreserved characters).
pub fn url_enc(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// A query string from pairs, skipping empty values: `?a=1&b=x%20y` (or "" when none).
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{}={}", url_enc(k), url_enc(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Which navigation tab is active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Buscar,
    Codificar,
    Tablero,
    Entidad,
    Importar,
    Informe,
    Libro,
    Equipo,
    Entrenar,
    Ninguna,
}

const CSS: &str = r#"
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#1d2733;background:#f4f6f8;font-size:15px;line-height:1.45}
header{background:#12355b;color:#fff;padding:.6rem 1.2rem;display:flex;align-items:center;gap:1.5rem;flex-wrap:wrap}
header .marca{font-weight:700;font-size:1.1rem;letter-spacing:.02em}
header nav a{color:#dbe7f3;text-decoration:none;margin-right:1rem;padding:.3rem .1rem}
header nav a.activa{color:#fff;border-bottom:3px solid #f2b134}
main{max-width:1180px;margin:0 auto;padding:1rem 1.2rem 3rem}
h1{font-size:1.5rem;margin:.6rem 0 1rem}
h2{font-size:1.15rem;margin:1.4rem 0 .6rem}
a{color:#0b5cad}
.tarjeta{background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:1rem 1.1rem;margin-bottom:1rem}
.fila{display:flex;gap:1rem;flex-wrap:wrap}
.col{flex:1 1 280px;min-width:0}
.lateral{flex:0 0 260px}
.filtros{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.5rem .8rem;align-items:end}
.filtros label{font-size:.8rem;color:#4a5868;display:flex;flex-direction:column;gap:.15rem}
input,select,button{font:inherit;padding:.35rem .5rem;border:1px solid #b8c3cf;border-radius:5px;background:#fff}
input[type=search]{width:100%;font-size:1.05rem;padding:.5rem .7rem}
button{background:#12355b;color:#fff;border-color:#12355b;cursor:pointer}
button.sec{background:#fff;color:#12355b}
.hit{border-bottom:1px solid #e7ebf0;padding:.7rem 0}
.hit:last-child{border-bottom:0}
.meta{font-size:.82rem;color:#5a6877}
.snippet{margin:.25rem 0}
.motivos{margin:.2rem 0 .2rem 1rem;padding:0}
.motivos blockquote{margin:.2rem 0 .2rem .6rem;padding:.1rem .6rem;border-left:3px solid #c7d0da;color:#3d4b5a;font-style:italic;font-size:.88rem}
.kind{font-size:.75rem;color:#23415f;background:#e8eef5;border-radius:8px;padding:0 .4rem;white-space:nowrap}
mark,b.hl{background:#ffe58a;color:inherit;font-weight:600;padding:0 .1em}
.chip{display:inline-block;font-size:.78rem;border-radius:10px;padding:.05rem .5rem;margin:.1rem .2rem .1rem 0;background:#e8eef5;color:#23415f}
.chip.humano{background:#dff3e4;color:#1c5e2e}
.chip.maquina{background:#efe6fa;color:#5a2d8a}
.chip.neg{background:#fde2e1;color:#8a1f1a}
.faceta{font-size:.88rem;margin-bottom:.8rem}
.faceta h3{font-size:.9rem;margin:.2rem 0 .3rem;color:#34495e}
.faceta li{display:flex;justify-content:space-between;gap:.5rem}
.faceta ul{list-style:none;margin:0;padding:0}
.paginas{display:flex;gap:.6rem;align-items:center;margin-top:.8rem}
.respuesta{font-size:1.1rem;background:#fbfcfd;border-left:4px solid #12355b;padding:.6rem .9rem;margin:.6rem 0;white-space:pre-wrap}
.codigos label{display:flex;gap:.6rem;align-items:flex-start;padding:.35rem .5rem;border:1px solid #dde3ea;border-radius:6px;margin:.25rem 0;cursor:pointer;background:#fff}
.codigos label:hover{background:#f0f5fb}
.codigos kbd{display:inline-block;min-width:1.5em;text-align:center;background:#12355b;color:#fff;border-radius:4px;font-size:.8rem;padding:.05rem .3rem}
.codigos input{margin-top:.25rem}
.sugerido{outline:2px solid #8e5bd0}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e7ebf0;vertical-align:top}
th{background:#eef2f6;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.nw{white-space:nowrap}
.cifras{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:.7rem;margin-bottom:1rem}
.cifra{background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:.7rem .9rem}
.cifra .valor{font-size:1.6rem;font-weight:700;color:#12355b}
.cifra .etiqueta{font-size:.82rem;color:#5a6877}
.aviso{background:#fff8e1;border:1px solid #f2d27a;border-radius:6px;padding:.6rem .8rem;margin:.6rem 0}
.ok{background:#e6f5ea;border:1px solid #9fd3ad;border-radius:6px;padding:.6rem .8rem;margin:.6rem 0}
.error{background:#fde2e1;border:1px solid #f0a5a0;border-radius:6px;padding:.6rem .8rem;margin:.6rem 0}
.barra{background:#e8eef5;border-radius:3px;height:.55rem;position:relative;min-width:60px}
.barra span{position:absolute;left:0;top:0;bottom:0;background:#8e5bd0;border-radius:3px}
.grafico svg{max-width:100%;height:auto;display:block;margin:.3rem 0}
footer{color:#6b7885;font-size:.8rem;text-align:center;padding:1rem}
"#;

/// A whole page: head, navigation, `body` (already-built HTML), footer.
pub fn page(title: &str, tab: Tab, body: &str) -> String {
    let link = |t: Tab, href: &str, label: &str| {
        let class = if t == tab { " class=\"activa\"" } else { "" };
        format!("<a href=\"{href}\"{class}>{label}</a>")
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"es\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{title} · codifica</title><style>{CSS}</style></head><body>\
         <header><span class=\"marca\">codifica</span><nav>{b}{c}{t}{e}{i}{r}{j}{l}{q}</nav></header>\
         <main>{body}</main>\
         <footer>codifica · Monitoreo 360 · servidor local</footer></body></html>",
        title = esc(title),
        b = link(Tab::Buscar, "/buscar", "Buscar"),
        c = link(Tab::Codificar, "/codificar", "Codificar"),
        t = link(Tab::Tablero, "/tablero", "Tablero"),
        e = link(Tab::Entidad, "/entidad", "Entidad"),
        i = link(Tab::Importar, "/importar", "Importar"),
        r = link(Tab::Informe, "/informe", "Informe y muestra"),
        l = link(Tab::Libro, "/libro", "Libro de códigos"),
        q = link(Tab::Equipo, "/equipo", "Equipo"),
        j = link(Tab::Entrenar, "/entrenar", "Entrenar y clasificar"),
    )
}

/// `<option>`s for a select: `(value, label)` pairs, the one equal to `selected` marked.
pub fn options(items: &[(String, String)], selected: &str) -> String {
    let mut out = String::new();
    for (value, label) in items {
        let sel = if value == selected { " selected" } else { "" };
        let _ = write!(
            out,
            "<option value=\"{}\"{sel}>{}</option>",
            esc(value),
            esc(label)
        );
    }
    out
}

/// A number with a decimal comma, as Spanish readers expect ("3,5"): the report's formatter
/// ([`crate::trends::spanish::es_num`]), so the web and the report print numbers alike.
pub fn num(v: f64, decimals: usize) -> String {
    crate::trends::spanish::es_num(v, decimals)
}

/// A share as a percentage with a decimal comma ("42,5 %"), as the report prints it.
pub fn pct(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "—".into();
    }
    crate::trends::spanish::es_pct(100.0 * part as f64 / whole as f64)
}

/// A month typed in a form field (`mes=`): empty is none; anything else is read by the one
/// lenient month rule ([`Month::parse_lenient`], as the CLI's `--month`), or refused in Spanish.
pub fn month_param(asked: &str) -> crate::Result<Option<Month>> {
    if asked.trim().is_empty() {
        return Ok(None);
    }
    Month::parse_lenient(asked).map(Some).ok_or_else(|| {
        crate::Error::argument(
            "mes",
            format!(
                "«{asked}» no es un mes (use AAAA-MM, p. ej. 2020-11, o «noviembre 2020»)"
            ),
        )
    })
}

/// Highlights `ranges` (byte ranges into `text`) with `<mark>`, escaping everything. Ranges that
/// overlap, are out of bounds or cut a character are ignored.
pub fn highlight(text: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut sorted: Vec<std::ops::Range<usize>> = ranges
        .iter()
        .filter(|r| {
            r.start < r.end
                && r.end <= text.len()
                && text.is_char_boundary(r.start)
                && text.is_char_boundary(r.end)
        })
        .cloned()
        .collect();
    sorted.sort_by_key(|r| (r.start, r.end));
    let mut out = String::new();
    let mut at = 0;
    for r in sorted {
        if r.start < at {
            continue;
        }
        out.push_str(&esc(&text[at..r.start]));
        out.push_str("<mark>");
        out.push_str(&esc(&text[r.start..r.end]));
        out.push_str("</mark>");
        at = r.end;
    }
    out.push_str(&esc(&text[at..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert_eq!(esc("planeación"), "planeación");
    }

    #[test]
    fn url_encoding_and_query_strings() {
        assert_eq!(url_enc("05001|2020-07|q|"), "05001%7C2020-07%7Cq%7C");
        assert_eq!(url_enc("año"), "a%C3%B1o");
        assert_eq!(query_string(&[("q", "a b"), ("mes", "")]), "?q=a%20b");
        assert_eq!(query_string(&[("mes", "")]), "");
    }

    #[test]
    fn highlight_escapes_and_skips_bad_ranges() {
        let t = "<b>planeación</b> territorial";
        let h = highlight(t, &[3..14, 100..200, 5..6]);
        assert_eq!(h, "&lt;b&gt;<mark>planeación</mark>&lt;/b&gt; territorial");
        assert_eq!(highlight("añ", std::slice::from_ref(&(1..2))), "añ");
    }

    #[test]
    fn form_months_are_read_by_the_lenient_rule() {
        assert_eq!(month_param(" ").unwrap(), None);
        assert_eq!(month_param("julio 2020").unwrap(), Month::parse("2020-07"));
        assert_eq!(month_param("2020/7").unwrap(), Month::parse("2020-07"));
        let e = month_param("2020-13").unwrap_err().to_string();
        assert!(e.contains("no es un mes"), "{e}");
    }

    #[test]
    fn numbers_use_decimal_comma() {
        assert_eq!(num(3.456, 1), "3,5");
        assert_eq!(pct(1, 4), "25,0\u{a0}%");
        assert_eq!(num(-1.5, 1), "−1,5");
        assert_eq!(pct(1, 0), "—");
    }
}
