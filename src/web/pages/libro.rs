//! Libro de códigos: one question's codebook with the number of answers each code holds, and
//! forms to add, rename, merge, describe, re-parent and set the polarity of codes. Every form is
//! one edit of `app::codebook` — one transaction with its journal, exactly what `codifica
//! codebook` does — so the answers' codes follow a rename or a merge. After a change the page
//! reminds the analyst that the model must be trained again.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::app::codebook::Edit;
use crate::codebook::edit::{NewCode, SetCode};
use crate::codebook::{Code, Codebook, Polarity};
use crate::web::security::Session;

use super::super::html::{self, Tab, esc, options, query_string};
use super::super::state::App;
use super::{Pairs, blocking, param, question_label, respond, see_other, status_page};

/// The polarities as the forms offer them: (value, Spanish label).
const POLARITIES: [(&str, &str); 3] = [
    ("neutral", "Neutra"),
    ("positive", "Positiva"),
    ("negative", "Negativa"),
];

fn polarity_id(p: Polarity) -> &'static str {
    match p {
        Polarity::Positive => "positive",
        Polarity::Neutral => "neutral",
        Polarity::Negative => "negative",
    }
}

/// GET /libro?pregunta=…
pub async fn libro(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    Query(pairs): Query<Pairs>,
) -> Response {
    let asked = param(&pairs, "pregunta").to_string();
    let done = param(&pairs, "hecho").to_string();
    blocking(app, move |app| {
        let config = app.ws.config();
        let question = match config.coded_questions().find(|q| q.id == asked) {
            Some(q) => q.id.clone(),
            None => match config.coded_questions().next() {
                Some(q) => q.id.clone(),
                None => {
                    return Ok(status_page(
                        StatusCode::NOT_FOUND,
                        "Sin preguntas abiertas",
                        "",
                    ));
                }
            },
        };
        let mut body = String::from("<h1>Libro de códigos</h1>");
        body.push_str(&question_form(app, &question));
        if !done.is_empty() {
            body.push_str(&done_notice(&done));
        }
        match app.codebook(&question)? {
            None => body.push_str("<div class=\"aviso\">Esta pregunta aún no tiene códigos.</div>"),
            Some(cb) => {
                let counts = crate::app::codebook::answers_per_code(&app.store, &question)?;
                body.push_str(&codes_table(&cb, &counts, &session));
            }
        }
        body.push_str(&add_form(app, &question, &session)?);
        Ok(respond(
            StatusCode::OK,
            html::page("Libro de códigos", Tab::Libro, &body),
        ))
    })
    .await
}

fn question_form(app: &App, question: &str) -> String {
    let config = app.ws.config();
    let opts: Vec<(String, String)> = config
        .coded_questions()
        .map(|q| (q.id.clone(), question_label(config, &q.id)))
        .collect();
    format!(
        "<form class=\"tarjeta filtros\" method=\"get\" action=\"/libro\">\
         <label class=\"ancho\">Pregunta<select name=\"pregunta\">{}</select></label>\
         <div><button type=\"submit\" class=\"sec\">Ver su libro de códigos</button></div></form>",
        options(&opts, question)
    )
}

/// What the last edit did, and the reminder to retrain.
fn done_notice(what: &str) -> String {
    format!(
        "<div class=\"ok\" role=\"status\" id=\"hecho\">{}</div><div class=\"aviso\" \
         id=\"reentrenar\">El libro de códigos cambió: el modelo debe entrenarse de nuevo \
         (<a href=\"/entrenar\">Entrenar y clasificar</a>) para que sus sugerencias usen los \
         códigos actuales.</div>",
        esc(what)
    )
}

/// The codes with their answer counts, each with its rename / adjust / merge forms.
fn codes_table(cb: &Codebook, counts: &BTreeMap<String, usize>, session: &Session) -> String {
    let mut rows = String::new();
    for c in &cb.codes {
        let n = counts.get(&c.id).copied().unwrap_or(0);
        let _ = write!(
            rows,
            "<tr id=\"codigo-{id}\"><td><strong>{label}</strong><br><span class=\"meta\">{id}</span>\
             </td><td class=\"num\">{n}</td><td>{forms}</td></tr>",
            id = esc(&c.id),
            label = esc(&c.label),
            forms = code_forms(cb, c, session),
        );
    }
    format!(
        "<section class=\"tarjeta\"><h2>{} ({})</h2><table id=\"codigos\"><thead><tr>\
         <th>Código</th><th class=\"num\">Respuestas</th><th>Cambiar</th></tr></thead>\
         <tbody>{rows}</tbody></table><p class=\"meta\">Respuestas: las que llevan el código \
         de un analista o del modelo.</p></section>",
        esc(if cb.title.is_empty() {
            &cb.question
        } else {
            &cb.title
        }),
        if cb.multi_label {
            "varios códigos por respuesta"
        } else {
            "un código por respuesta"
        }
    )
}

/// The start of an edit form: action, token, question, code.
fn form_head(cb: &Codebook, c: &Code, session: &Session, accion: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/libro/editar\" class=\"fila\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <input type=\"hidden\" name=\"pregunta\" value=\"{}\">\
         <input type=\"hidden\" name=\"codigo\" value=\"{}\">\
         <input type=\"hidden\" name=\"accion\" value=\"{accion}\">",
        esc(&session.csrf),
        esc(&cb.question),
        esc(&c.id)
    )
}

fn code_forms(cb: &Codebook, c: &Code, session: &Session) -> String {
    let mut parents = vec![(String::new(), "(ninguno)".to_string())];
    parents.extend(
        cb.codes
            .iter()
            .filter(|o| o.id != c.id)
            .map(|o| (o.id.clone(), o.label.clone())),
    );
    let pols: Vec<(String, String)> = POLARITIES
        .iter()
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .collect();
    let others: Vec<(String, String)> = parents[1..].to_vec();
    let id = esc(&c.id);
    format!(
        "<details><summary>Editar</summary>\
         {h1}<label>Nuevo id<input name=\"nuevo_id\" value=\"{id}\"></label>\
         <label>Nueva etiqueta<input name=\"etiqueta\" value=\"{label}\"></label>\
         <button type=\"submit\" class=\"sec\">Renombrar</button></form>\
         {h2}<label>Descripción<input name=\"descripcion\" value=\"{desc}\"></label>\
         <label>Código padre<select name=\"padre\">{parents}</select></label>\
         <label>Polaridad<select name=\"polaridad\">{pols}</select></label>\
         <button type=\"submit\" class=\"sec\">Guardar</button></form>\
         {h3}<label>Fusionar en<select name=\"en\">{others}</select></label>\
         <button type=\"submit\" class=\"sec\">Fusionar</button></form></details>",
        h1 = form_head(cb, c, session, "renombrar"),
        h2 = form_head(cb, c, session, "ajustar"),
        h3 = form_head(cb, c, session, "fusionar"),
        label = esc(&c.label),
        desc = esc(&c.description),
        parents = options(&parents, c.parent.as_deref().unwrap_or("")),
        pols = options(&pols, polarity_id(c.polarity)),
        others = options(&others, ""),
    )
}

fn add_form(app: &App, question: &str, session: &Session) -> crate::Result<String> {
    let mut parents = vec![(String::new(), "(ninguno)".to_string())];
    if let Some(cb) = app.codebook(question)? {
        parents.extend(cb.codes.iter().map(|o| (o.id.clone(), o.label.clone())));
    }
    let pols: Vec<(String, String)> = POLARITIES
        .iter()
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .collect();
    Ok(format!(
        "<form class=\"tarjeta filtros\" method=\"post\" action=\"/libro/editar\" id=\"agregar\">\
         <h2>Agregar un código</h2>\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <input type=\"hidden\" name=\"pregunta\" value=\"{}\">\
         <input type=\"hidden\" name=\"accion\" value=\"agregar\">\
         <label>Id (letras, números, _ - .)<input name=\"codigo\" required></label>\
         <label>Etiqueta<input name=\"etiqueta\" required></label>\
         <label>Descripción<input name=\"descripcion\"></label>\
         <label>Código padre<select name=\"padre\">{}</select></label>\
         <label>Polaridad<select name=\"polaridad\">{}</select></label>\
         <div><button type=\"submit\">Agregar</button></div></form>",
        esc(&session.csrf),
        esc(question),
        options(&parents, ""),
        options(&pols, "neutral"),
    ))
}

/// The edit a form asks for, and its Spanish summary.
fn edit_of(pairs: &Pairs) -> crate::Result<(Edit, String)> {
    let code = param(pairs, "codigo").to_string();
    let opt = |name: &str| Some(param(pairs, name).to_string()).filter(|v| !v.is_empty());
    let polarity = |v: &str| -> crate::Result<Polarity> {
        v.parse()
            .map_err(|_| crate::Error::invalid(format!("«{v}» no es una polaridad")))
    };
    Ok(match param(pairs, "accion") {
        "agregar" => {
            let new = NewCode {
                id: code.clone(),
                label: param(pairs, "etiqueta").to_string(),
                description: param(pairs, "descripcion").to_string(),
                polarity: polarity(param(pairs, "polaridad"))?,
                parent: opt("padre"),
                ..NewCode::default()
            };
            (Edit::Add(new), format!("Se agregó el código «{code}»."))
        }
        "renombrar" => {
            let what = format!("Se renombró el código «{code}».");
            let (new_id, new_label) = (opt("nuevo_id"), opt("etiqueta"));
            (
                Edit::Rename {
                    code,
                    new_id,
                    new_label,
                },
                what,
            )
        }
        "fusionar" => {
            let into = param(pairs, "en").to_string();
            let what = format!("Se fusionó «{code}» en «{into}».");
            (Edit::Merge { from: code, into }, what)
        }
        "ajustar" => {
            let set = SetCode {
                description: Some(param(pairs, "descripcion").to_string()),
                parent: Some(opt("padre")),
                polarity: Some(polarity(param(pairs, "polaridad"))?),
            };
            let what = format!("Se actualizó el código «{code}».");
            (Edit::Set { code, set }, what)
        }
        other => {
            return Err(crate::Error::invalid(format!(
                "«{other}» no es un cambio del libro de códigos"
            )));
        }
    })
}

/// POST /libro/editar — checks the CSRF token, then applies one edit as one transaction.
pub async fn editar(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !app.secrets.csrf_ok(&session.sid, param(&pairs, "csrf")) {
        return status_page(
            StatusCode::FORBIDDEN,
            "Formulario vencido",
            "El formulario no lleva un código de seguridad válido (quizá el servidor se reinició). \
             Vuelva a abrir la página e inténtelo de nuevo.",
        );
    }
    let question = param(&pairs, "pregunta").to_string();
    blocking(app, move |app| {
        if !app.ws.config().coded_questions().any(|q| q.id == question) {
            return Err(crate::Error::invalid(format!(
                "«{question}» no es una pregunta abierta"
            )));
        }
        let (edit, what) = edit_of(&pairs)?;
        let r = app.edit_codebook(&question, edit).map_err(|e| match e {
            crate::Error::Invalid(m) => {
                crate::Error::invalid(format!("No se cambió nada en el libro de códigos: {m}"))
            }
            other => other,
        })?;
        let what = if r.recoded {
            format!(
                "{what} {} respuestas cambiaron de código.",
                r.answers_changed
            )
        } else {
            what
        };
        let to = query_string(&[("pregunta", &question), ("hecho", &what)]);
        Ok(see_other(&format!("/libro{to}")))
    })
    .await
}
