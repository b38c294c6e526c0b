//! Buscar: the search box with the filters of `codifica search`, hits with highlighted snippets,
//! facet counts beside them, paging, and links to each entity and to code each answer.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::codebook::Codebook;

use super::super::finder::{self, Found, PAGE_SIZE, SearchForm};
use super::super::html::{self, Tab, esc, options, query_string};
use super::super::state::App;
use super::{Pairs, blocking, code_chips, code_label, entity_link, question_label, respond};
use crate::web::security::Session;

/// GET /buscar
pub async fn buscar(
    State(app): State<Arc<App>>,
    Extension(_session): Extension<Session>,
    Query(pairs): Query<Pairs>,
) -> Response {
    let form = SearchForm::from_pairs(&pairs);
    blocking(app, move |app| {
        let months = app.months()?;
        let codebooks = app.codebooks()?;
        let found = if form.is_empty() {
            None
        } else {
            Some(finder::find(&app.ws, &app.store, &form))
        };
        // Only the request's own mistakes are shown on the form; the rest is an error page.
        let found = match found {
            Some(Err(e)) if !is_request_error(&e) => return Err(e),
            other => other,
        };
        let mut body = String::from("<h1>Buscar respuestas</h1>");
        body.push_str(&search_form(app, &form, &months, &codebooks));
        let status = match found {
            None => {
                body.push_str(HELP);
                StatusCode::OK
            }
            Some(Err(e)) => {
                let _ = write!(
                    body,
                    "<div class=\"error\" role=\"alert\">No se pudo buscar: {}</div>{HELP}",
                    esc(&error_es(&e))
                );
                StatusCode::BAD_REQUEST
            }
            Some(Ok(found)) => {
                body.push_str(&results(app, &form, &found, &codebooks));
                StatusCode::OK
            }
        };
        Ok(respond(status, html::page("Buscar", Tab::Buscar, &body)))
    })
    .await
}

fn is_request_error(e: &crate::error::Error) -> bool {
    super::request_status(e).is_some()
}

/// The search error as the page shows it, in Spanish: a malformed query names the character
/// and the problem (the library's messages are English, for the CLI), a query past a limit says
/// which one and where; other errors keep their text.
fn error_es(e: &crate::Error) -> String {
    match e {
        crate::Error::Query { position, message } => format!(
            "la consulta no es válida en el carácter {position}: {}",
            query_problem_es(message)
        ),
        crate::Error::QueryLimit { position, limit } => {
            format!("{} (a partir del carácter {position}).", limit.spanish())
        }
        other => other.to_string(),
    }
}

/// Spanish for the query parser's problems, matched on a distinctive part of each message.
fn query_problem_es(message: &str) -> String {
    const PROBLEMS: [(&str, &str); 18] = [
        (
            "query is empty",
            "la consulta está vacía: escriba al menos una palabra",
        ),
        ("unbalanced '('", "falta un «)» que cierre este «(»"),
        ("unbalanced ')'", "este «)» no tiene un «(» que lo abra"),
        ("unclosed quote", "estas comillas no se cierran"),
        (
            "empty phrase",
            "frase vacía: escriba palabras entre las comillas",
        ),
        (
            "'*' alone",
            "«*» solo encontraría todo: escriba letras antes, como en planea*",
        ),
        (
            "'*' is only allowed",
            "«*» solo puede ir al final de una palabra, como en planea*",
        ),
        (
            "both a prefix",
            "una palabra no puede ser prefijo (*) y aproximada (~) a la vez",
        ),
        (
            "'~' needs a word",
            "«~» necesita una palabra antes, como en planeacion~",
        ),
        (
            "AND has no term on its left",
            "falta un término a la izquierda de AND",
        ),
        (
            "OR has no term on its left",
            "falta un término a la izquierda de OR",
        ),
        (
            "has no term after it",
            "falta un término después del operador",
        ),
        ("missing at the end", "falta un término al final"),
        (
            "nests deeper",
            "la consulta tiene demasiados niveles de paréntesis",
        ),
        ("empty parentheses", "paréntesis vacíos"),
        ("operator without", "falta un término después de NOT o -"),
        ("single word", "debe ser una sola palabra"),
        (
            "no letters or digits",
            "falta una palabra con letras o dígitos",
        ),
    ];
    PROBLEMS
        .iter()
        .find(|(needle, _)| message.contains(needle))
        .map_or("revise la sintaxis (vea «Cómo buscar»)", |&(_, es)| es)
        .to_string()
}

const HELP: &str = "<div class=\"tarjeta meta\"><p><strong>Cómo buscar.</strong> Escriba palabras \
(sin importar tildes ni mayúsculas: <code>planeacion</code> encuentra «planeación»). Combine con \
<code>AND</code>, <code>OR</code>, <code>NOT</code>; use <code>\"comillas\"</code> para frases y \
<code>articul*</code> para prefijos. Los filtros se pueden usar solos, sin palabras.</p></div>";

fn search_form(
    app: &App,
    form: &SearchForm,
    months: &[crate::month::Month],
    codebooks: &BTreeMap<String, Codebook>,
) -> String {
    let config = app.ws.config();
    let mut month_opts = vec![(String::new(), "Todos".to_string())];
    month_opts.extend(months.iter().rev().map(|m| (m.to_string(), m.spanish())));
    let mut q_opts = vec![(String::new(), "Todas".to_string())];
    q_opts.extend(
        config
            .questions
            .iter()
            .map(|q| (q.id.clone(), q.label().to_string())),
    );
    let mut code_opts = vec![(String::new(), "Todos".to_string())];
    for cb in codebooks.values() {
        for c in &cb.codes {
            code_opts.push((c.id.clone(), format!("{} ({})", c.label, c.id)));
        }
    }
    let origen_opts = [
        ("", "Cualquiera"),
        ("humano", "Codificada por analista"),
        ("maquina", "Código del modelo"),
        ("sin", "Sin código de analista"),
    ]
    .map(|(a, b)| (a.to_string(), b.to_string()));
    format!(
        "<form class=\"tarjeta\" method=\"get\" action=\"/buscar\" role=\"search\">\
         <p><input type=\"search\" name=\"q\" id=\"q\" value=\"{q}\" placeholder=\"Palabras, \
         «frases», prefijo*, AND / OR / NOT\" autofocus aria-label=\"Buscar\"></p>\
         <div class=\"filtros\">\
         <label>Mes<select name=\"mes\">{months}</select></label>\
         <label>Pregunta<select name=\"pregunta\">{questions}</select></label>\
         <label>Entidad (código)<input name=\"entidad\" value=\"{entidad}\" placeholder=\"p. ej. 05001\"></label>\
         <label>Departamento<input name=\"departamento\" value=\"{depto}\"></label>\
         <label>Región<input name=\"region\" value=\"{region}\"></label>\
         <label>Código<select name=\"codigo\">{codes}</select></label>\
         <label>Codificación<select name=\"origen\">{origen}</select></label>\
         <label>Calificación mín.<input name=\"min\" value=\"{min}\" inputmode=\"decimal\" size=\"4\"></label>\
         <label>Calificación máx.<input name=\"max\" value=\"{max}\" inputmode=\"decimal\" size=\"4\"></label>\
         <div><button type=\"submit\">Buscar</button> <a href=\"/buscar\">Limpiar</a></div>\
         </div></form>",
        q = esc(&form.q),
        months = options(&month_opts, &form.mes),
        questions = options(&q_opts, &form.pregunta),
        entidad = esc(&form.entidad),
        depto = esc(&form.departamento),
        region = esc(&form.region),
        codes = options(&code_opts, &form.codigo),
        origen = options(&origen_opts, &form.origen),
        min = esc(&form.min),
        max = esc(&form.max),
    )
}

fn results(
    app: &App,
    form: &SearchForm,
    found: &Found,
    codebooks: &BTreeMap<String, Codebook>,
) -> String {
    let config = app.ws.config();
    let pages = found.total.div_ceil(PAGE_SIZE).max(1);
    let mut hits = String::new();
    if found.hits.is_empty() {
        hits.push_str("<p>Ninguna respuesta coincide con la búsqueda.</p>");
    }
    for h in &found.hits {
        let a = &h.answer;
        let cb = codebooks.get(&a.question);
        let rating = a
            .rating
            .map(|r| format!(" · calificación {}", html::num(r, 1)))
            .unwrap_or_default();
        let _ = write!(
            hits,
            "<div class=\"hit\"><div><strong>{entity}</strong> <span class=\"meta\">{depto} · {region} · \
             {month} · {question}{rating}</span></div>\
             <div class=\"snippet\">{snippet}</div><div>{chips} \
             <a class=\"abrir\" href=\"/respuesta{link}\">Abrir y codificar</a></div></div>",
            entity = entity_link(a),
            depto = esc(&a.department),
            region = esc(&a.region),
            month = esc(&a.month.spanish()),
            question = esc(&question_label(config, &a.question)),
            snippet = h.snippet_html,
            chips = code_chips(a, cb),
            link = esc(&query_string(&[("clave", &a.key())])),
        );
    }
    let base = form.pairs();
    let page_link = |p: usize| {
        let ps = p.to_string();
        let mut pairs = base.clone();
        pairs.push(("pagina", &ps));
        format!("/buscar{}", query_string(&pairs))
    };
    let mut paging = format!(
        "<div class=\"paginas\"><span>Página {} de {}</span>",
        form.pagina, pages
    );
    if form.pagina > 1 {
        let _ = write!(
            paging,
            "<a rel=\"prev\" href=\"{}\">← Anterior</a>",
            esc(&page_link(form.pagina - 1))
        );
    }
    if form.pagina < pages {
        let _ = write!(
            paging,
            "<a rel=\"next\" href=\"{}\">Siguiente →</a>",
            esc(&page_link(form.pagina + 1))
        );
    }
    paging.push_str("</div>");
    format!(
        "<div class=\"fila\"><section class=\"col tarjeta\"><h2 id=\"total\">{total} {noun}</h2>{hits}{paging}</section>\
         <aside class=\"lateral tarjeta\"><h2>Recuentos</h2>{facets}</aside></div>",
        total = found.total,
        noun = if found.total == 1 {
            "respuesta"
        } else {
            "respuestas"
        },
        facets = facets(app, form, found, codebooks),
    )
}

fn facets(
    app: &App,
    form: &SearchForm,
    found: &Found,
    codebooks: &BTreeMap<String, Codebook>,
) -> String {
    let config = app.ws.config();
    let all_codes: Vec<&Codebook> = codebooks.values().collect();
    let label_of = |facet: &str, value: &str| -> String {
        match facet {
            "month" => crate::month::Month::parse(value).map_or(value.to_string(), |m| m.spanish()),
            "question" => question_label(config, value),
            "code" | "machine_code" => all_codes
                .iter()
                .find_map(|cb| cb.code(value).map(|c| c.label.clone()))
                .unwrap_or_else(|| code_label(None, value)),
            _ => value.to_string(),
        }
    };
    let mut out = String::new();
    for (facet, title, param) in [
        ("month", "Mes", "mes"),
        ("question", "Pregunta", "pregunta"),
        ("region", "Región", "region"),
        ("code", "Código (analista)", "codigo"),
        ("machine_code", "Código (modelo)", "codigo"),
    ] {
        let Some(values) = found.facets.get(facet).filter(|v| !v.is_empty()) else {
            continue;
        };
        let _ = write!(out, "<div class=\"faceta\"><h3>{title}</h3><ul>");
        for (value, count) in values.iter().take(12) {
            let mut pairs: Vec<(&str, &str)> = form
                .pairs()
                .into_iter()
                .filter(|(k, _)| *k != param)
                .collect();
            pairs.push((param, value));
            let _ = write!(
                out,
                "<li><a href=\"/buscar{}\">{}</a><span>{count}</span></li>",
                esc(&query_string(&pairs)),
                esc(&label_of(facet, value))
            );
        }
        out.push_str("</ul></div>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_errors_read_in_spanish() {
        for (q, expected) in [
            (
                "(conectividad OR internet",
                "falta un «)» que cierre este «(»",
            ),
            ("internet)", "este «)» no tiene un «(» que lo abra"),
            ("\"listas de", "estas comillas no se cierran"),
            ("conectividad AND", "falta un término"),
            ("OR internet", "falta un término a la izquierda de OR"),
        ] {
            let e = crate::search::query::parse(q).unwrap_err();
            let es = error_es(&e);
            assert!(
                es.starts_with("la consulta no es válida en el carácter "),
                "{es}"
            );
            assert!(es.contains(expected), "{q}: {es}");
        }
    }
}
