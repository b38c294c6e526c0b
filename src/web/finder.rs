//! Web stage: the Buscar page's data. Turns the page's form into a [`SearchRequest`] and runs
//! [`crate::search::search`] — the same query language, filters, ranking, snippets and facets
//! as `codifica search`. Out: the page's hits (full answers, snippets as escaped HTML with
//! `<mark>`) and facet counts.
//!
//! `search` refuses an empty query, but the page lets an analyst browse by filters alone: then
//! [`crate::search::browse`] selects and counts the answers with the same filters and facets.

use std::collections::BTreeMap;

use crate::answer::Answer;
use crate::error::{Error, Result};
use crate::search::{self, CodeSource, CountBy, Filters, SearchRequest, Snippet};
use crate::store::Store;
use crate::workspace::Workspace;

use super::html;

/// Hits per page.
pub const PAGE_SIZE: usize = 20;

/// Facets shown beside the hits.
const FACETS: [CountBy; 5] = [
    CountBy::Month,
    CountBy::Question,
    CountBy::Region,
    CountBy::Code,
    CountBy::MachineCode,
];

/// The Buscar form, as typed (all strings; validated by [`find`]).
#[derive(Debug, Clone, Default)]
pub struct SearchForm {
    pub q: String,
    pub mes: String,
    pub pregunta: String,
    pub entidad: String,
    pub departamento: String,
    pub region: String,
    pub codigo: String,
    /// "" (any), "humano", "maquina", "sin" (not coded by a person).
    pub origen: String,
    pub min: String,
    pub max: String,
    /// 1-based page.
    pub pagina: usize,
}

impl SearchForm {
    /// Reads the form from query pairs; unknown names are ignored.
    pub fn from_pairs(pairs: &[(String, String)]) -> SearchForm {
        let mut f = SearchForm {
            pagina: 1,
            ..SearchForm::default()
        };
        for (k, v) in pairs {
            let v = v.trim().to_string();
            match k.as_str() {
                "q" => f.q = v,
                "mes" => f.mes = v,
                "pregunta" => f.pregunta = v,
                "entidad" => f.entidad = v,
                "departamento" => f.departamento = v,
                "region" => f.region = v,
                "codigo" => f.codigo = v,
                "origen" => f.origen = v,
                "min" => f.min = v,
                "max" => f.max = v,
                "pagina" => f.pagina = v.parse().unwrap_or(1).clamp(1, 10_000),
                _ => {}
            }
        }
        f
    }

    /// The form as query pairs (for links to other pages of the same search).
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("q", self.q.as_str()),
            ("mes", &self.mes),
            ("pregunta", &self.pregunta),
            ("entidad", &self.entidad),
            ("departamento", &self.departamento),
            ("region", &self.region),
            ("codigo", &self.codigo),
            ("origen", &self.origen),
            ("min", &self.min),
            ("max", &self.max),
        ]
    }

    /// True when nothing was asked.
    pub fn is_empty(&self) -> bool {
        self.pairs().iter().all(|(_, v)| v.is_empty())
    }

    /// The request `codifica search` would run for this form.
    pub fn request(&self) -> Result<SearchRequest> {
        let mut filters = Filters::default();
        filters.months.extend(html::month_param(&self.mes)?);
        let push = |v: &str, to: &mut Vec<String>| {
            if !v.is_empty() {
                to.push(v.to_string());
            }
        };
        push(&self.pregunta, &mut filters.questions);
        push(&self.entidad, &mut filters.entities);
        push(&self.departamento, &mut filters.departments);
        push(&self.region, &mut filters.regions);
        push(&self.codigo, &mut filters.codes);
        match self.origen.as_str() {
            "humano" if self.codigo.is_empty() => filters.coded = Some(true),
            "humano" => filters.code_source = CodeSource::Human,
            "maquina" => filters.code_source = CodeSource::Machine,
            "sin" => filters.coded = Some(false),
            _ => {}
        }
        filters.min_rating = bound(&self.min, "mínima")?;
        filters.max_rating = bound(&self.max, "máxima")?;
        filters.validate()?;
        Ok(SearchRequest {
            query: self.q.clone(),
            filters,
            limit: PAGE_SIZE,
            offset: (self.pagina - 1) * PAGE_SIZE,
            count_by: FACETS.to_vec(),
        })
    }
}

fn bound(text: &str, name: &str) -> Result<Option<f64>> {
    if text.is_empty() {
        return Ok(None);
    }
    text.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or_else(|| {
            Error::argument(
                "calificación",
                format!("la calificación {name} «{text}» no es un número"),
            )
        })
}

/// One hit.
#[derive(Debug, Clone)]
pub struct Hit {
    pub answer: Answer,
    pub score: f32,
    /// Escaped HTML with `<mark>` around matched words.
    pub snippet_html: String,
}

/// A page of results.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Facet name ([`CountBy::name`]) → (value, count), as the search module orders them.
    pub facets: BTreeMap<&'static str, Vec<(String, usize)>>,
}

/// Runs the Buscar form: one page of hits plus facet counts over all matches.
pub fn find(ws: &Workspace, store: &Store, form: &SearchForm) -> Result<Found> {
    let req = form.request()?;
    let r = if req.query.trim().is_empty() {
        search::browse(store, &req)?
    } else {
        search::search(store, &ws.config().analyzer, &req)?
    };
    let (total, facets) = (r.total, r.facets);
    let page = r.hits.into_iter().map(|h| (h.id, h.score, h.snippet));
    let mut hits = Vec::with_capacity(page.len());
    for (key, score, snippet) in page {
        let Some(answer) = store.get(&key)? else {
            continue;
        };
        let snippet_html = snippet_html(&snippet, &answer.text);
        hits.push(Hit {
            answer,
            score,
            snippet_html,
        });
    }
    let facets = facets
        .into_iter()
        .map(|f| {
            let counts = f
                .counts
                .into_iter()
                .map(|c| (c.value, c.count as usize))
                .collect();
            (f.by.name(), counts)
        })
        .collect();
    Ok(Found {
        total,
        hits,
        facets,
    })
}

/// The snippet as escaped HTML (highlights in `<mark>`), or the start of the text when the
/// match was elsewhere (e.g. only in the entity name).
fn snippet_html(s: &Snippet, text: &str) -> String {
    if s.fragment.is_empty() {
        return html::esc(&shorten(text, 220));
    }
    let mut out = String::new();
    if s.cut_before {
        out.push('…');
    }
    if s.highlights.is_empty() {
        out.push_str(&html::esc(&shorten(&s.fragment, 220)));
    } else {
        out.push_str(&html::highlight(&s.fragment, &s.highlights));
    }
    if s.cut_after {
        out.push('…');
    }
    out
}

/// At most `n` characters of `text`, with an ellipsis when cut.
pub fn shorten(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_string();
    }
    let mut s: String = text.chars().take(n).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> SearchForm {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        SearchForm::from_pairs(&owned)
    }

    #[test]
    fn form_becomes_the_cli_request() {
        let f = form(&[
            ("q", "planeación"),
            ("mes", "2020-11"),
            ("region", "Pacífico"),
            ("codigo", "x"),
            ("origen", "humano"),
            ("min", "3,5"),
            ("pagina", "3"),
        ]);
        let r = f.request().unwrap();
        assert_eq!(r.query, "planeación");
        assert_eq!(
            r.filters.months,
            vec![crate::month::Month::new(2020, 11).unwrap()]
        );
        assert_eq!(r.filters.regions, vec!["Pacífico".to_string()]);
        assert_eq!(r.filters.code_source, CodeSource::Human);
        assert_eq!(r.filters.min_rating, Some(3.5));
        assert_eq!(r.offset, 2 * PAGE_SIZE);
        assert_eq!(
            form(&[("origen", "sin")]).request().unwrap().filters.coded,
            Some(false)
        );
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(form(&[("mes", "nunca")]).request().is_err());
        assert!(form(&[("min", "alto")]).request().is_err());
        assert!(form(&[("min", "4"), ("max", "2")]).request().is_err());
        assert_eq!(form(&[("pagina", "-2")]).pagina, 1);
    }
}
