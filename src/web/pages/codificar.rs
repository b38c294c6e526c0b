//! Codificar / Revisar: the review queue of `app::review` (the one `codifica review` prints:
//! least-sure answers first, those without a suggestion last), filtered by month, question,
//! suggested code and confidence band, with a count of what is left; the coding form of one
//! answer — the answer, its entity and month, the model's suggestion with confidence and top
//! terms, and the question's codebook with the model's three most probable codes first as
//! one-key choices (keys 1–3; 4–9 the next codes; Enter saves); and one page of the queue whose
//! suggestions the analyst can accept at once after a look ([`aceptar`]). Saving writes human
//! codes through [`App::save_codes`], checked by the one validity rule.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use crate::answer::Answer;
use crate::app::review::{Band, Queue, QueueItem, QueueRequest, Suggestion, check_question};
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

/// Queue items on one page (the first is shown in the coding form).
const PAGE: usize = 20;

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
    codigo: String,
    banda: String,
}

impl QueueFilter {
    fn from_pairs(pairs: &Pairs) -> QueueFilter {
        QueueFilter {
            mes: param(pairs, "mes").to_string(),
            pregunta: param(pairs, "pregunta").to_string(),
            codigo: param(pairs, "codigo_filtro").to_string(),
            banda: param(pairs, "banda").to_string(),
        }
    }

    /// The queue request these filters ask for; a malformed month or band is the request's fault.
    fn request(&self) -> crate::Result<QueueRequest> {
        let month = if self.mes.is_empty() {
            None
        } else {
            Some(Month::parse_lenient(&self.mes).ok_or_else(|| {
                crate::Error::invalid(format!("«{}» no es un mes (use AAAA-MM)", self.mes))
            })?)
        };
        let band = match self.banda.as_str() {
            "" => None,
            b => Some(Band::parse(b).ok_or_else(|| {
                crate::Error::invalid(format!("«{b}» no es una banda de confianza"))
            })?),
        };
        let some = |s: &String| (!s.is_empty()).then(|| s.clone());
        Ok(QueueRequest {
            month,
            question: some(&self.pregunta),
            code: some(&self.codigo),
            band,
            ..QueueRequest::default()
        })
    }

    /// The filters as URL pairs (to come back to the same queue).
    fn pairs(&self) -> [(&'static str, &str); 4] {
        [
            ("mes", &self.mes),
            ("pregunta", &self.pregunta),
            ("codigo_filtro", &self.codigo),
            ("banda", &self.banda),
        ]
    }

    /// The filters as hidden fields of a form.
    fn hidden(&self) -> String {
        self.pairs()
            .iter()
            .map(|(k, v)| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", esc(v)))
            .collect()
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
    let accepted = param(&pairs, "aceptadas").to_string();
    let from: usize = param(&pairs, "desde").parse().unwrap_or(0);
    blocking(app, move |app| {
        let body = queue_page(app, &session, &filter, &saved, &accepted, from)?;
        Ok(respond(
            StatusCode::OK,
            html::page("Codificar", Tab::Codificar, &body),
        ))
    })
    .await
}

/// The queue with these filters; a question that is not a coded one (a hand-made URL) has
/// nothing to review.
fn filtered_queue(app: &App, filter: &QueueFilter) -> crate::Result<Queue> {
    let req = filter.request()?;
    let config = app.ws.config();
    let unknown = req
        .question
        .as_deref()
        .is_some_and(|q| check_question(config, q).is_err());
    if unknown {
        return Ok(Queue::default());
    }
    app.review_queue(&req)
}

/// The Codificar page's body: filters, notices, counts, the first answer's form, the page.
fn queue_page(
    app: &App,
    session: &Session,
    filter: &QueueFilter,
    saved: &str,
    accepted: &str,
    from: usize,
) -> crate::Result<String> {
    let queue = filtered_queue(app, filter)?;
    let total = queue.items.len();
    let from = from.min(total.saturating_sub(1) / PAGE * PAGE);
    let page = &queue.items[from.min(total)..(from + PAGE).min(total)];
    let mut body = String::from("<h1>Codificar</h1>");
    body.push_str(&queue_form(app, filter)?);
    body.push_str(&saved_notice(app, saved)?);
    if let Ok(n) = accepted.parse::<usize>() {
        let _ = write!(
            body,
            "<div class=\"ok\" role=\"status\" id=\"aceptadas\">Se aceptaron {n} \
             sugerencias como códigos de analista.</div>"
        );
    }
    body.push_str(&counts(&queue));
    let Some(first) = page.first() else {
        body.push_str(
            "<div class=\"tarjeta\"><p>No quedan respuestas por codificar con estos filtros.</p>\
             <p>Puede <a href=\"/buscar?origen=sin\">buscar respuestas sin código</a> o \
             revisar cualquier respuesta desde Buscar.</p></div>",
        );
        return Ok(body);
    };
    let cb = app.codebook(&first.answer.question)?;
    let s = first.suggestion.as_ref();
    let a = &first.answer;
    body.push_str(&answer_card(
        app,
        a,
        s,
        cb.as_ref(),
        session,
        Back::Queue,
        filter,
    ));
    body.push_str(&page_items(app, page, session, filter)?);
    body.push_str(&pager(filter, from, total));
    Ok(body)
}

/// What is left: the queue's length (with the filters), and the month's coding counts.
fn counts(queue: &Queue) -> String {
    let (total, c) = (queue.items.len(), queue.counts);
    format!(
        "<p class=\"meta\" id=\"pendientes\">{total} respuestas por revisar: primero las que el \
         modelo clasificó con menos seguridad (menor confianza), luego las que aún no tienen \
         sugerencia ({}).</p><p class=\"meta\" id=\"estado\">Codificadas por un analista: {}. \
         Aceptadas automáticamente: {}. Por revisar: {}.</p>",
        queue.unsuggested, c.human, c.accepted, c.waiting
    )
}

/// "Código guardado" after a save from the queue, with a link to the saved answer.
fn saved_notice(app: &App, saved: &str) -> crate::Result<String> {
    if saved.is_empty() {
        return Ok(String::new());
    }
    let link = match app.answer(saved)? {
        Some(a) => format!(
            "<a href=\"/respuesta{}\">Ver la respuesta de {}</a>",
            esc(&query_string(&[("clave", saved)])),
            esc(&a.entity_name)
        ),
        None => String::new(),
    };
    Ok(format!(
        "<div class=\"ok\" role=\"status\" id=\"guardado\">Código guardado. {link}</div>"
    ))
}

/// Links to the previous and next pages of the queue.
fn pager(filter: &QueueFilter, from: usize, total: usize) -> String {
    let link = |at: usize, text: &str, id: &str| {
        let at = at.to_string();
        let mut pairs: Vec<(&str, &str)> = filter.pairs().to_vec();
        pairs.push(("desde", &at));
        format!(
            "<a id=\"{id}\" href=\"/codificar{}\">{text}</a>",
            esc(&query_string(&pairs))
        )
    };
    let mut out = String::new();
    if from > 0 {
        out.push_str(&link(
            from.saturating_sub(PAGE),
            "← Página anterior",
            "anterior",
        ));
    }
    if from + PAGE < total {
        out.push_str(&link(from + PAGE, "Página siguiente →", "siguiente"));
    }
    let shown = format!(
        "Respuestas {}–{} de {total}.",
        from + 1,
        (from + PAGE).min(total)
    );
    format!("<p class=\"meta\">{shown} {out}</p>")
}

fn queue_form(app: &App, filter: &QueueFilter) -> crate::Result<String> {
    let mut month_opts = vec![(String::new(), "Todos".to_string())];
    month_opts.extend(
        app.months()?
            .iter()
            .rev()
            .map(|m| (m.to_string(), m.spanish())),
    );
    let config = app.ws.config();
    let mut q_opts = vec![(String::new(), "Todas las preguntas abiertas".to_string())];
    q_opts.extend(
        config
            .coded_questions()
            .map(|q| (q.id.clone(), q.label().to_string())),
    );
    let mut code_opts = vec![(String::new(), "Todos los códigos".to_string())];
    for (q, cb) in app.codebooks()? {
        if !filter.pregunta.is_empty() && q != filter.pregunta {
            continue;
        }
        let ql = question_label(config, &q);
        code_opts.extend(
            cb.codable()
                .map(|c| (c.id.clone(), format!("{} ({ql})", c.label))),
        );
    }
    let mut band_opts = vec![(String::new(), "Todas".to_string())];
    band_opts.extend(
        Band::ALL
            .iter()
            .map(|b| (b.id().to_string(), b.label().to_string())),
    );
    Ok(format!(
        "<form class=\"tarjeta filtros\" method=\"get\" action=\"/codificar\">\
         <label>Mes<select name=\"mes\">{}</select></label>\
         <label class=\"ancho\">Pregunta<select name=\"pregunta\">{}</select></label>\
         <label class=\"ancho\">Código sugerido<select name=\"codigo_filtro\">{}</select></label>\
         <label>Confianza<select name=\"banda\">{}</select></label>\
         <div><button type=\"submit\" class=\"sec\">Filtrar la cola</button></div></form>",
        options(&month_opts, &filter.mes),
        options(&q_opts, &filter.pregunta),
        options(&code_opts, &filter.codigo),
        options(&band_opts, &filter.banda)
    ))
}

/// The page of the queue as a table, with the form that accepts its suggestions at once.
fn page_items(
    app: &App,
    page: &[QueueItem],
    session: &Session,
    filter: &QueueFilter,
) -> crate::Result<String> {
    let codebooks = app.codebooks()?;
    let mut rows = String::new();
    let mut accept = String::new();
    let mut acceptable = 0;
    for it in page {
        let a = &it.answer;
        let cb = codebooks.get(&a.question);
        let (sugg, conf) = match &it.suggestion {
            Some(s) => {
                let labels: Vec<String> = s.codes.iter().map(|c| code_label(cb, c)).collect();
                (esc(&labels.join("; ")), confidence(s.confidence))
            }
            None => (
                "<span class=\"meta\">sin sugerencia</span>".to_string(),
                "—".into(),
            ),
        };
        if let Some(s) = it.suggestion.as_ref().filter(|s| !s.codes.is_empty()) {
            acceptable += 1;
            let _ = write!(
                accept,
                "<input type=\"hidden\" name=\"clave\" value=\"{}\">\
                 <input type=\"hidden\" name=\"sugerencia\" value=\"{}\">",
                esc(&a.key()),
                esc(&s.codes.join(";"))
            );
        }
        let _ = write!(
            rows,
            "<tr><td class=\"nw\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{sugg}</td>\
             <td class=\"num\">{conf}</td><td><a href=\"/respuesta{}\">Codificar</a></td></tr>",
            esc(&a.month.spanish_short()),
            entity_link(a),
            esc(&question_label(app.ws.config(), &a.question)),
            esc(&crate::trends::clip(&a.text, 90)),
            esc(&query_string(&[
                ("clave", &a.key()),
                ("volver", "codificar")
            ]))
        );
    }
    let form = if acceptable == 0 {
        String::new()
    } else {
        format!(
            "<form method=\"post\" action=\"/aceptar\" id=\"aceptar\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">{}{accept}\
             <p><button type=\"submit\" class=\"sec\">Aceptar la sugerencia en las {acceptable} \
             respuestas de esta página</button> <span class=\"meta\">Guarda la sugerencia del \
             modelo como código de analista; no toca las respuestas que un analista ya \
             codificó.</span></p></form>",
            esc(&session.csrf),
            filter.hidden()
        )
    };
    Ok(format!(
        "<section class=\"tarjeta\" id=\"pagina\"><h2>Esta página de la cola</h2><table><thead><tr>\
         <th>Mes</th><th>Entidad</th><th>Pregunta</th><th>Respuesta</th><th>Sugerencia</th>\
         <th class=\"num\">Confianza</th><th></th></tr></thead><tbody>{rows}</tbody></table>{form}\
         </section>"
    ))
}

/// POST /aceptar — checks the CSRF token, then stores the page's suggestions as human codes
/// (those an analyst coded meanwhile are left as they are), stamped with the analyst's name.
pub async fn aceptar(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Form(pairs): Form<Pairs>,
) -> Response {
    let me = super::equipo::coder(&headers);
    if !app.secrets.csrf_ok(&session.sid, param(&pairs, "csrf")) {
        return expired();
    }
    let keys = params(&pairs, "clave");
    let codes = params(&pairs, "sugerencia");
    let filter = QueueFilter::from_pairs(&pairs);
    let proposed: Vec<(String, Vec<String>)> = keys
        .into_iter()
        .zip(codes)
        .map(|(k, c)| (k, crate::model::examples::split_codes(&c)))
        .collect();
    blocking(app, move |app| {
        let n = app
            .accept_suggestions(&proposed, me.as_deref())?
            .to_string();
        let mut pairs: Vec<(&str, &str)> = filter.pairs().to_vec();
        pairs.push(("aceptadas", &n));
        Ok(see_other(&format!("/codificar{}", query_string(&pairs))))
    })
    .await
}

/// The page for a POST without a valid CSRF token.
fn expired() -> Response {
    status_page(
        StatusCode::FORBIDDEN,
        "Formulario vencido",
        "El formulario no lleva un código de seguridad válido (quizá el servidor se reinició). \
         Vuelva a abrir la página y guarde de nuevo.",
    )
}

/// A save with no code marked on an answer no analyst had coded would change nothing, yet
/// used to say "Código guardado" (a multi-label form's key toggles its pre-marked suggestion
/// off): refused instead. With codes seen before, an empty save clears them, as asked.
fn nothing_chosen() -> Response {
    status_page(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Ningún código marcado",
        "No marcó ningún código, así que no se guardó nada. Vuelva atrás, marque al menos uno \
         (teclas 1–9; en una pregunta de varios códigos la tecla marca o desmarca) y guarde de \
         nuevo.",
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
        let sugg = a.machine.as_ref().map(Suggestion::from);
        body.push_str(&answer_card(
            app,
            &a,
            sugg.as_ref(),
            cb.as_ref(),
            &session,
            back,
            &filter,
        ));
        body.push_str(&history(app, &key, cb.as_ref())?);
        Ok(respond(
            StatusCode::OK,
            html::page("Codificar", Tab::Codificar, &body),
        ))
    })
    .await
}

/// POST /guardar — checks the CSRF token, then saves the human codes, stamped with the
/// analyst's name (`app::team`).
pub async fn guardar(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Form(pairs): Form<Pairs>,
) -> Response {
    let me = super::equipo::coder(&headers);
    if !app.secrets.csrf_ok(&session.sid, param(&pairs, "csrf")) {
        return expired();
    }
    let key = param(&pairs, "clave").to_string();
    let codes = params(&pairs, "codigo");
    let seen = params(&pairs, "visto");
    let back = Back::parse(param(&pairs, "volver"));
    let filter = QueueFilter::from_pairs(&pairs);
    if codes.is_empty() && seen.is_empty() {
        return nothing_chosen();
    }
    blocking(app, move |app| match app.save_codes_as(&key, &codes, &seen, me.as_deref())? {
        SaveOutcome::Saved(_) => Ok(match back {
            Back::Queue => {
                let mut pairs: Vec<(&str, &str)> = filter.pairs().to_vec();
                pairs.push(("guardado", &key));
                see_other(&format!("/codificar{}", query_string(&pairs)))
            }
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
            let sugg = a.machine.as_ref().map(Suggestion::from);
            let s = sugg.as_ref();
            body.push_str(&answer_card(app, &a, s, cb.as_ref(), &session, back, &filter));
            Ok(respond(StatusCode::CONFLICT, html::page("Codificar", Tab::Codificar, &body)))
        }
    })
    .await
}

fn suggestion(a: &Answer, s: Option<&Suggestion>, cb: Option<&Codebook>) -> String {
    let Some(m) = s else {
        return "<div class=\"tarjeta meta\">El modelo aún no clasificó esta respuesta.</div>"
            .to_string();
    };
    let labels: Vec<String> = m.codes.iter().map(|c| esc(&code_label(cb, c))).collect();
    let terms: String = m
        .top_terms
        .iter()
        .map(|t| format!("<span class=\"chip\">{}</span>", esc(t)))
        .collect();
    let model = a.machine.as_ref().map_or_else(
        || "predicción del modelo entrenado (aún no guardada con «classify»)".to_string(),
        |m| m.model.clone(),
    );
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
        model = esc(&model),
    )
}

fn answer_card(
    app: &App,
    a: &Answer,
    sugg: Option<&Suggestion>,
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
    out.push_str(&suggestion(a, sugg, cb));
    out.push_str(&coding_form(a, sugg, cb, session, back, filter));
    out
}

fn coding_form(
    a: &Answer,
    sugg: Option<&Suggestion>,
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
    let suggested: Vec<&String> = sugg.iter().flat_map(|m| &m.codes).collect();
    let checked_set: Vec<&String> = if a.codes.is_empty() {
        suggested.clone()
    } else {
        a.codes.iter().collect()
    };
    let kind = if cb.multi_label { "checkbox" } else { "radio" };
    let top = sugg.map(Suggestion::top_codes).unwrap_or_default();
    let mut items = String::new();
    for (i, c) in choice_order(cb, &top).into_iter().enumerate() {
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
        let class = if top.contains(&c.id) {
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
         <p class=\"meta\">{keys} <kbd>Enter</kbd> guarda. {mode}</p>\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <input type=\"hidden\" name=\"clave\" value=\"{key}\">\
         <input type=\"hidden\" name=\"volver\" value=\"{back}\">\
         {filters}{seen}\
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
        keys = if top.is_empty() {
            "Teclas <kbd>1</kbd>–<kbd>9</kbd> eligen un código,"
        } else {
            "Teclas <kbd>1</kbd>–<kbd>3</kbd> eligen uno de los tres códigos más probables según \
             el modelo (marcados y primeros en la lista), <kbd>4</kbd>–<kbd>9</kbd> los siguientes,"
        },
        filters = filter.hidden(),
        nonce = esc(&session.nonce),
    )
}

/// Who set the answer's human codes and when (`app::team`'s log; none before it existed).
fn history(app: &App, key: &str, cb: Option<&Codebook>) -> crate::Result<String> {
    let stamps = crate::app::team::history(&app.ws, key)?;
    if stamps.is_empty() {
        return Ok(
            "<p class=\"meta\" id=\"historial\">Sin historial de códigos de analista \
                   (los guardados antes de registrarlo no dicen quién los puso).</p>"
                .to_string(),
        );
    }
    let mut rows = String::new();
    for s in stamps.iter().rev() {
        let labels: Vec<String> = s.codes.iter().map(|c| code_label(cb, c)).collect();
        let _ = write!(
            rows,
            "<tr><td class=\"nw\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(&s.at.replace('T', " ").replace('Z', " UTC")),
            esc(s.coder.as_deref().unwrap_or("desconocido")),
            esc(&labels.join("; "))
        );
    }
    Ok(format!(
        "<section class=\"tarjeta\" id=\"historial\"><h2>Historial de códigos</h2><table><thead>\
         <tr><th>Fecha</th><th>Analista</th><th>Códigos</th></tr></thead><tbody>{rows}</tbody>\
         </table></section>"
    ))
}

/// The codebook's codes in the order the form lists them: the model's top codes first (keys
/// 1–3), then the others in codebook order.
fn choice_order<'a>(cb: &'a Codebook, top: &[String]) -> Vec<&'a crate::codebook::Code> {
    let mut out: Vec<&crate::codebook::Code> = top.iter().filter_map(|id| cb.code(id)).collect();
    out.extend(cb.codes.iter().filter(|c| !top.contains(&c.id)));
    out
}

/// Keyboard shortcuts of the coding forms (Codificar's `#codificar`, Equipo's blind `#ciega`):
/// digits pick the n-th code, Enter saves. Ignored while typing in a text field.
pub(super) const SCRIPT: &str = r#"(function(){var f=document.getElementById('codificar')||document.getElementById('ciega');if(!f)return;
document.addEventListener('keydown',function(e){var t=e.target;
if(t&&(t.tagName==='INPUT'&&(t.type==='text'||t.type==='search')||t.tagName==='TEXTAREA'||t.tagName==='SELECT'))return;
if(e.ctrlKey||e.metaKey||e.altKey)return;
if(e.key>='1'&&e.key<='9'){var i=f.querySelector('input[data-atajo="'+e.key+'"]');
if(i){if(i.type==='checkbox'){i.checked=!i.checked;}else{i.checked=true;}i.focus();e.preventDefault();}}
else if(e.key==='Enter'){e.preventDefault();f.submit();}});})();"#;
