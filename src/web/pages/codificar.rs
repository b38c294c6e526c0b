//! Codificar: the review queue (least-sure answers first) and the coding form of one answer —
//! the answer, its entity and month, the model's suggestion with confidence and top terms, and
//! the question's codebook with keyboard shortcuts (1–9 pick a code, Enter saves). Saving writes
//! a human code through [`App::save_codes`].

use std::fmt::Write as _;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::answer::Answer;
use crate::codebook::{Codebook, Polarity};
use crate::month::Month;

use super::super::html::{self, Tab, esc, options, query_string};
use super::super::state::{App, SaveOutcome};
use super::see_other;
use super::{
    Pairs, blocking, code_chips, code_label, confidence, entity_link, param, params,
    question_label, respond, status_page,
};
use crate::web::security::Session;

/// Queue items listed after the one being coded.
const NEXT_SHOWN: usize = 15;

/// Where the form returns after saving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Back {
    Queue,
    Answer,
}

impl Back {
    fn parse(s: &str) -> Back {
        if s == "codificar" {
            Back::Queue
        } else {
            Back::Answer
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            Back::Queue => "codificar",
            Back::Answer => "respuesta",
        }
    }
}

/// Filters of the queue, carried through the form so the analyst stays in the same queue.
#[derive(Debug, Clone, Default)]
struct QueueFilter {
    mes: String,
    pregunta: String,
}

impl QueueFilter {
    fn from_pairs(pairs: &Pairs) -> QueueFilter {
        QueueFilter {
            mes: param(pairs, "mes").to_string(),
            pregunta: param(pairs, "pregunta").to_string(),
        }
    }
}

/// GET /codificar
pub async fn codificar(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    Query(pairs): Query<Pairs>,
) -> Response {
    let filter = QueueFilter::from_pairs(&pairs);
    let saved = param(&pairs, "guardado").to_string();
    blocking(app, move |app| {
        let month = if filter.mes.is_empty() {
            None
        } else {
            Some(Month::parse_lenient(&filter.mes).ok_or_else(|| {
                crate::Error::argument("mes", format!("«{}» no es un mes (use AAAA-MM)", filter.mes))
            })?)
        };
        let question = (!filter.pregunta.is_empty()).then_some(filter.pregunta.as_str());
        let (queue, total, counts) = app.review_queue(month, question, 0, NEXT_SHOWN + 1)?;
        let mut body = String::from("<h1>Codificar</h1>");
        body.push_str(&queue_form(app, &filter)?);
        if !saved.is_empty() {
            let _ = write!(
                body,
                "<div class=\"ok\" role=\"status\" id=\"guardado\">Código guardado. {}</div>",
                match app.answer(&saved)? {
                    Some(a) => format!(
                        "<a href=\"/respuesta{}\">Ver la respuesta de {}</a>",
                        esc(&query_string(&[("clave", &saved)])),
                        esc(&a.entity_name)
                    ),
                    None => String::new(),
                }
            );
        }
        let _ = write!(
            body,
            "<p class=\"meta\" id=\"pendientes\">{total} respuestas por revisar: primero las que el \
             modelo clasificó con menos seguridad (menor confianza), luego las que aún no tienen \
             sugerencia.</p><p class=\"meta\" id=\"estado\">Codificadas por un analista: {}. \
             Aceptadas automáticamente: {}. Por revisar: {}.</p>",
            counts.human, counts.accepted, counts.waiting
        );
        match queue.first() {
            None => body.push_str(
                "<div class=\"tarjeta\"><p>No quedan respuestas por codificar con estos filtros.</p>\
                 <p>Puede <a href=\"/buscar?origen=sin\">buscar respuestas sin código</a> o \
                 revisar cualquier respuesta desde Buscar.</p></div>",
            ),
            Some(first) => {
                let cb = app.codebook(&first.question)?;
                body.push_str(&answer_card(app, first, cb.as_ref(), &session, Back::Queue, &filter));
                body.push_str(&next_items(app, &queue[1..]));
            }
        }
        Ok(respond(StatusCode::OK, html::page("Codificar", Tab::Codificar, &body)))
    })
    .await
}

fn queue_form(app: &App, filter: &QueueFilter) -> crate::Result<String> {
    let mut month_opts = vec![(String::new(), "Todos".to_string())];
    month_opts.extend(
        app.months()?
            .iter()
            .rev()
            .map(|m| (m.to_string(), m.spanish())),
    );
    let mut q_opts = vec![(String::new(), "Todas las preguntas abiertas".to_string())];
    q_opts.extend(
        app.ws
            .config()
            .coded_questions()
            .map(|q| (q.id.clone(), q.label().to_string())),
    );
    Ok(format!(
        "<form class=\"tarjeta filtros\" method=\"get\" action=\"/codificar\">\
         <label>Mes<select name=\"mes\">{}</select></label>\
         <label>Pregunta<select name=\"pregunta\">{}</select></label>\
         <div><button type=\"submit\" class=\"sec\">Filtrar la cola</button></div></form>",
        options(&month_opts, &filter.mes),
        options(&q_opts, &filter.pregunta)
    ))
}

fn next_items(app: &App, rest: &[Answer]) -> String {
    if rest.is_empty() {
        return String::new();
    }
    let mut rows = String::new();
    for a in rest {
        let margin = a
            .machine
            .as_ref()
            .map_or("—".to_string(), |m| html::num(m.margin, 2));
        let _ = write!(
            rows,
            "<tr><td class=\"nw\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
             <td><a href=\"/respuesta{}\">Codificar</a></td></tr>",
            esc(&a.month.spanish_short()),
            entity_link(a),
            esc(&question_label(app.ws.config(), &a.question)),
            esc(&crate::trends::clip(&a.text, 90)),
            margin,
            esc(&query_string(&[
                ("clave", &a.key()),
                ("volver", "codificar")
            ]))
        );
    }
    format!(
        "<section class=\"tarjeta\"><h2>Siguientes en la cola</h2><table><thead><tr><th>Mes</th>\
         <th>Entidad</th><th>Pregunta</th><th>Respuesta</th><th class=\"num\">Margen</th><th></th>\
         </tr></thead><tbody>{rows}</tbody></table></section>"
    )
}

/// GET /respuesta?clave=…
pub async fn respuesta(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    Query(pairs): Query<Pairs>,
) -> Response {
    let key = param(&pairs, "clave").to_string();
    let saved = param(&pairs, "guardado") == "1";
    let back = Back::parse(param(&pairs, "volver"));
    let filter = QueueFilter::from_pairs(&pairs);
    blocking(app, move |app| {
        let Some(a) = app.answer(&key)? else {
            return Ok(status_page(
                StatusCode::NOT_FOUND,
                "Respuesta no encontrada",
                "No hay ninguna respuesta con esa clave en el espacio de trabajo.",
            ));
        };
        let cb = app.codebook(&a.question)?;
        let mut body = String::from("<h1>Codificar una respuesta</h1>");
        if saved {
            body.push_str(
                "<div class=\"ok\" role=\"status\" id=\"guardado\">Código guardado.</div>",
            );
        }
        body.push_str(&answer_card(app, &a, cb.as_ref(), &session, back, &filter));
        Ok(respond(
            StatusCode::OK,
            html::page("Codificar", Tab::Codificar, &body),
        ))
    })
    .await
}

/// POST /guardar — checks the CSRF token, then saves the human codes.
pub async fn guardar(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !app.secrets.csrf_ok(&session.sid, param(&pairs, "csrf")) {
        return status_page(
            StatusCode::FORBIDDEN,
            "Formulario vencido",
            "El formulario no lleva un código de seguridad válido (quizá el servidor se reinició). \
             Vuelva a abrir la página y guarde de nuevo.",
        );
    }
    let key = param(&pairs, "clave").to_string();
    let codes = params(&pairs, "codigo");
    let seen = params(&pairs, "visto");
    let back = Back::parse(param(&pairs, "volver"));
    let filter = QueueFilter::from_pairs(&pairs);
    blocking(app, move |app| match app.save_codes(&key, &codes, &seen)? {
        SaveOutcome::Saved(_) => Ok(match back {
            Back::Queue => see_other(&format!(
                "/codificar{}",
                query_string(&[
                    ("mes", &filter.mes),
                    ("pregunta", &filter.pregunta),
                    ("guardado", &key)
                ])
            )),
            Back::Answer => see_other(&format!(
                "/respuesta{}",
                query_string(&[("clave", &key), ("guardado", "1")])
            )),
        }),
        SaveOutcome::Conflict(current) => {
            let Some(a) = app.answer(&key)? else {
                return Ok(status_page(StatusCode::NOT_FOUND, "Respuesta no encontrada", ""));
            };
            let cb = app.codebook(&a.question)?;
            let labels: Vec<String> = current.iter().map(|c| code_label(cb.as_ref(), c)).collect();
            let mut body = String::from("<h1>Otra persona codificó esta respuesta</h1>");
            let _ = write!(
                body,
                "<div class=\"aviso\" role=\"alert\">Mientras usted la revisaba, otra persona guardó \
                 «{}». No se sobrescribió su trabajo ni el suyo: revise y guarde de nuevo si \
                 quiere cambiarlo.</div>",
                esc(&labels.join("; "))
            );
            body.push_str(&answer_card(app, &a, cb.as_ref(), &session, back, &filter));
            Ok(respond(StatusCode::CONFLICT, html::page("Codificar", Tab::Codificar, &body)))
        }
    })
    .await
}

fn suggestion(a: &Answer, cb: Option<&Codebook>) -> String {
    let Some(m) = &a.machine else {
        return "<div class=\"tarjeta meta\">El modelo aún no clasificó esta respuesta.</div>"
            .to_string();
    };
    let labels: Vec<String> = m.codes.iter().map(|c| esc(&code_label(cb, c))).collect();
    let terms: String = m
        .top_terms
        .iter()
        .map(|t| format!("<span class=\"chip\">{}</span>", esc(t)))
        .collect();
    format!(
        "<div class=\"tarjeta\" id=\"sugerencia\"><h2>Sugerencia del modelo</h2>\
         <p><strong>{codes}</strong></p>\
         <div class=\"fila\"><div class=\"col\">Confianza: <strong>{conf}</strong>\
         <div class=\"barra\"><span style=\"width:{w}%\"></span></div></div>\
         <div class=\"col\">Margen: <strong>{margin}</strong> <span class=\"meta\">(menor = menos seguro)</span></div></div>\
         <p class=\"meta\">Términos que más pesaron: {terms}</p>\
         <p class=\"meta\">Modelo: {model}</p></div>",
        codes = if labels.is_empty() {
            "(sin código)".to_string()
        } else {
            labels.join("; ")
        },
        conf = confidence(m.confidence),
        w = (m.confidence.clamp(0.0, 1.0) * 100.0).round(),
        margin = html::num(m.margin, 2),
        model = esc(&m.model),
    )
}

fn answer_card(
    app: &App,
    a: &Answer,
    cb: Option<&Codebook>,
    session: &Session,
    back: Back,
    filter: &QueueFilter,
) -> String {
    let config = app.ws.config();
    let question_text = config
        .question(&a.question)
        .map_or(a.question.clone(), |q| q.text.clone());
    let rating = a
        .rating
        .map(|r| format!("<p>Calificación: <strong>{}</strong></p>", html::num(r, 1)))
        .unwrap_or_default();
    let mut out = format!(
        "<article class=\"tarjeta\" id=\"respuesta\"><h2>{entity}</h2>\
         <p class=\"meta\">{kind}{depto} · {region} · {month} · código {code}</p>\
         <p class=\"meta\">{question_label}: {question_text}</p>\
         <div class=\"respuesta\" id=\"texto\">{text}</div>{rating}\
         <p>Código de analista: <span id=\"actuales\">{chips}</span></p></article>",
        entity = entity_link(a),
        kind = a
            .entity_kind
            .as_ref()
            .map(|k| format!("{} · ", esc(k)))
            .unwrap_or_default(),
        depto = esc(&a.department),
        region = esc(&a.region),
        month = esc(&a.month.spanish()),
        code = esc(&a.entity_code),
        question_label = esc(&question_label(config, &a.question)),
        question_text = esc(&question_text),
        text = esc(&a.text),
        chips = if a.codes.is_empty() {
            "ninguno todavía".to_string()
        } else {
            let human = Answer {
                machine: None,
                ..a.clone()
            };
            code_chips(&human, cb)
        },
    );
    out.push_str(&suggestion(a, cb));
    out.push_str(&coding_form(a, cb, session, back, filter));
    out
}

fn coding_form(
    a: &Answer,
    cb: Option<&Codebook>,
    session: &Session,
    back: Back,
    filter: &QueueFilter,
) -> String {
    let Some(cb) = cb else {
        return "<div class=\"aviso\">Esta pregunta no tiene libro de códigos: no se puede \
                codificar aquí.</div>"
            .to_string();
    };
    let suggested: Vec<&String> = a.machine.iter().flat_map(|m| &m.codes).collect();
    let checked_set: Vec<&String> = if a.codes.is_empty() {
        suggested.clone()
    } else {
        a.codes.iter().collect()
    };
    let kind = if cb.multi_label { "checkbox" } else { "radio" };
    let mut items = String::new();
    for (i, c) in cb.codes.iter().enumerate() {
        let key = if i < 9 {
            format!("<kbd>{}</kbd>", i + 1)
        } else {
            "<kbd>&nbsp;</kbd>".to_string()
        };
        let checked = if checked_set.contains(&&c.id) {
            " checked"
        } else {
            ""
        };
        let class = if suggested.contains(&&c.id) {
            " class=\"sugerido\""
        } else {
            ""
        };
        let polarity = match c.polarity {
            Polarity::Negative => " <span class=\"chip neg\">negativo</span>",
            Polarity::Positive => " <span class=\"chip humano\">positivo</span>",
            Polarity::Neutral => "",
        };
        let _ = write!(
            items,
            "<label{class}>{key}<input type=\"{kind}\" name=\"codigo\" value=\"{id}\"{checked} \
             data-atajo=\"{n}\"><span><strong>{label}</strong>{polarity}<br>\
             <span class=\"meta\">{desc}</span></span></label>",
            id = esc(&c.id),
            n = i + 1,
            label = esc(&c.label),
            desc = esc(&c.description),
        );
    }
    let seen: String = a
        .codes
        .iter()
        .map(|c| {
            format!(
                "<input type=\"hidden\" name=\"visto\" value=\"{}\">",
                esc(c)
            )
        })
        .collect();
    format!(
        "<form class=\"tarjeta codigos\" id=\"codificar\" method=\"post\" action=\"/guardar\">\
         <h2>Libro de códigos: {title}</h2>\
         <p class=\"meta\">Teclas <kbd>1</kbd>–<kbd>9</kbd> eligen un código, <kbd>Enter</kbd> guarda. \
         {mode}</p>\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <input type=\"hidden\" name=\"clave\" value=\"{key}\">\
         <input type=\"hidden\" name=\"volver\" value=\"{back}\">\
         <input type=\"hidden\" name=\"mes\" value=\"{mes}\">\
         <input type=\"hidden\" name=\"pregunta\" value=\"{pregunta}\">{seen}\
         {items}<p><button type=\"submit\" id=\"guardar\">Guardar código (Enter)</button></p></form>\
         <script nonce=\"{nonce}\">{SCRIPT}</script>",
        title = esc(if cb.title.is_empty() {
            &cb.question
        } else {
            &cb.title
        }),
        mode = if cb.multi_label {
            "Puede marcar varios códigos."
        } else {
            "Un solo código por respuesta."
        },
        csrf = esc(&session.csrf),
        key = esc(&a.key()),
        back = back.as_str(),
        mes = esc(&filter.mes),
        pregunta = esc(&filter.pregunta),
        nonce = esc(&session.nonce),
    )
}

/// Keyboard shortcuts of the coding form: digits pick the n-th code, Enter saves. Ignored while
/// typing in a text field.
const SCRIPT: &str = r#"(function(){var f=document.getElementById('codificar');if(!f)return;
document.addEventListener('keydown',function(e){var t=e.target;
if(t&&(t.tagName==='INPUT'&&(t.type==='text'||t.type==='search')||t.tagName==='TEXTAREA'||t.tagName==='SELECT'))return;
if(e.ctrlKey||e.metaKey||e.altKey)return;
if(e.key>='1'&&e.key<='9'){var i=f.querySelector('input[data-atajo="'+e.key+'"]');
if(i){if(i.type==='checkbox'){i.checked=!i.checked;}else{i.checked=true;}i.focus();e.preventDefault();}}
else if(e.key==='Enter'){e.preventDefault();f.submit();}});})();"#;
