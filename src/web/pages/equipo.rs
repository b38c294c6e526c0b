//! Codificar en equipo: the analyst's name (chosen once per browser, kept in a cookie, stamped on
//! every human code through `app::team`), and double coding — a seeded sample of a month's
//! answers that two analysts code independently (each sees only the answer and the codebook:
//! neither the other's codes, nor the model's, nor earlier human codes), then the agreement per
//! question and per code (percent, Cohen's kappa, Krippendorff's alpha) with the model as a third
//! coder, and the answers to settle.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::app::team::{self, Round, RoundAgreement};
use crate::model::agreement::AgreementStats;
use crate::month::Month;
use crate::web::security::{self, Session};

use super::super::html::{self, Tab, esc, options, query_string};
use super::super::state::App;
use super::{Pairs, blocking, code_label, param, params, question_label, respond, see_other};

/// Cookie holding the analyst's name (hex of its UTF-8 bytes: cookie-safe, any script).
pub const CODER_COOKIE: &str = "codifica_codificador";

/// The analyst's name from the browser's cookie, if one was chosen (and is a valid name).
pub fn coder(headers: &HeaderMap) -> Option<String> {
    let raw = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| security::cookie(h, CODER_COOKIE).map(str::to_string))?;
    let bytes: Option<Vec<u8>> = (0..raw.len() / 2)
        .map(|i| u8::from_str_radix(raw.get(2 * i..2 * i + 2)?, 16).ok())
        .collect();
    team::check_coder(&String::from_utf8(bytes?).ok()?).ok()
}

fn forbidden() -> Response {
    super::status_page(
        StatusCode::FORBIDDEN,
        "Formulario vencido",
        "El formulario no lleva un código de seguridad válido (quizá el servidor se reinició). \
         Vuelva a abrir la página e inténtelo de nuevo.",
    )
}

/// GET /equipo?mes=…
pub async fn equipo(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Query(pairs): Query<Pairs>,
) -> Response {
    let me = coder(&headers);
    let asked = param(&pairs, "mes").to_string();
    blocking(app, move |app| {
        let months = app.months()?;
        let month = match Month::parse_lenient(&asked) {
            Some(m) => Some(m),
            None => months.last().copied(),
        };
        let mut body = String::from("<h1>Codificar en equipo</h1>");
        body.push_str(&name_form(me.as_deref(), &session));
        let Some(month) = month else {
            body.push_str("<div class=\"aviso\">Aún no hay respuestas importadas.</div>");
            return Ok(respond(
                StatusCode::OK,
                html::page("Equipo", Tab::Equipo, &body),
            ));
        };
        body.push_str(&month_form(&months, month));
        match team::round(&app.ws, month)? {
            None => body.push_str(&draw_form(month, &session)),
            Some(r) => body.push_str(&round_view(app, &r, month, me.as_deref(), &session)?),
        }
        Ok(respond(
            StatusCode::OK,
            html::page("Equipo", Tab::Equipo, &body),
        ))
    })
    .await
}

fn name_form(me: Option<&str>, session: &Session) -> String {
    let now = match me {
        Some(n) => format!(
            "Usted codifica como <strong id=\"codificador\">{}</strong>.",
            esc(n)
        ),
        None => "Elija su nombre: queda guardado en este navegador y acompaña cada código que \
                 guarde."
            .to_string(),
    };
    format!(
        "<form class=\"tarjeta filtros\" method=\"post\" action=\"/equipo/nombre\" id=\"nombre\">\
         <p>{now}</p><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <label>Nombre<input name=\"nombre\" value=\"{}\" maxlength=\"40\" required></label>\
         <div><button type=\"submit\" class=\"sec\">Guardar el nombre</button></div></form>",
        esc(&session.csrf),
        esc(me.unwrap_or(""))
    )
}

fn month_form(months: &[Month], month: Month) -> String {
    let opts: Vec<(String, String)> = months
        .iter()
        .rev()
        .map(|m| (m.to_string(), m.spanish()))
        .collect();
    format!(
        "<form class=\"tarjeta filtros\" method=\"get\" action=\"/equipo\">\
         <label>Mes<select name=\"mes\">{}</select></label>\
         <div><button type=\"submit\" class=\"sec\">Ver</button></div></form>",
        options(&opts, &month.to_string())
    )
}

fn draw_form(month: Month, session: &Session) -> String {
    format!(
        "<form class=\"tarjeta filtros\" method=\"post\" action=\"/equipo/muestra\" id=\"muestra\">\
         <h2>Doble codificación de {}</h2><p class=\"meta\">Se sortea una muestra de respuestas \
         del mes; dos analistas la codifican sin ver los códigos del otro ni los del modelo.</p>\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <input type=\"hidden\" name=\"mes\" value=\"{month}\">\
         <label>Respuestas<input name=\"tamano\" type=\"number\" min=\"1\" max=\"500\" value=\"20\"></label>\
         <label>Semilla<input name=\"semilla\" type=\"number\" min=\"0\" value=\"1\"></label>\
         <div><button type=\"submit\">Sortear la muestra</button></div></form>",
        esc(&month.spanish()),
        esc(&session.csrf)
    )
}

fn round_view(
    app: &App,
    r: &Round,
    month: Month,
    me: Option<&str>,
    session: &Session,
) -> crate::Result<String> {
    let mut out = format!(
        "<section class=\"tarjeta\" id=\"ronda\"><h2>Doble codificación de {}</h2><p>Muestra de \
         {} respuestas (semilla {}).</p><ul>",
        esc(&month.spanish()),
        r.sample.len(),
        r.seed
    );
    for (c, done) in &r.codes {
        let _ = write!(
            out,
            "<li>{}: {} de {}</li>",
            esc(c),
            done.len(),
            r.sample.len()
        );
    }
    out.push_str("</ul></section>");
    match (me, me.and_then(|m| team::next_for(r, m))) {
        (None, _) => {
            out.push_str("<div class=\"aviso\">Elija su nombre para codificar la muestra.</div>")
        }
        (Some(_), None) => out.push_str(
            "<div class=\"ok\" id=\"terminada\">Usted ya codificó toda la muestra.</div>",
        ),
        (Some(_), Some(key)) => out.push_str(&blind_card(app, &key, month, session)?),
    }
    let agreement = team::round_agreement(&app.store, r)?;
    out.push_str(&agreement_view(app, &agreement)?);
    Ok(out)
}

/// One answer of the sample to code blind: its text and the codebook, nothing else.
fn blind_card(app: &App, key: &str, month: Month, session: &Session) -> crate::Result<String> {
    let Some(a) = app.answer(key)? else {
        return Ok(String::new());
    };
    let Some(cb) = app.codebook(&a.question)? else {
        return Ok(String::new());
    };
    let kind = if cb.multi_label { "checkbox" } else { "radio" };
    let mut items = String::new();
    for (i, c) in cb.codable().enumerate() {
        let key = if i < 9 {
            format!("<kbd>{}</kbd>", i + 1)
        } else {
            "<kbd>&nbsp;</kbd>".to_string()
        };
        let _ = write!(
            items,
            "<label>{key}<input type=\"{kind}\" name=\"codigo\" value=\"{}\" data-atajo=\"{}\">\
             <span><strong>{}</strong><br><span class=\"meta\">{}</span></span></label>",
            esc(&c.id),
            i + 1,
            esc(&c.label),
            esc(&c.description)
        );
    }
    let config = app.ws.config();
    Ok(format!(
        "<form class=\"tarjeta codigos\" method=\"post\" action=\"/equipo/codificar\" id=\"ciega\">\
         <h2>Su parte de la muestra</h2><p class=\"meta\">{q}</p>\
         <div class=\"respuesta\" id=\"texto\">{text}</div>\
         <p class=\"meta\">Teclas <kbd>1</kbd>–<kbd>9</kbd> eligen un código, <kbd>Enter</kbd> \
         guarda y pasa a la siguiente.</p>\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <input type=\"hidden\" name=\"mes\" value=\"{month}\">\
         <input type=\"hidden\" name=\"clave\" value=\"{key}\">{items}\
         <p><button type=\"submit\">Guardar y seguir (Enter)</button></p></form>\
         <script nonce=\"{nonce}\">{script}</script>",
        q = esc(&config
            .question(&a.question)
            .map_or(a.question.clone(), |q| q.text.clone())),
        text = esc(&a.text),
        csrf = esc(&session.csrf),
        key = esc(key),
        nonce = esc(&session.nonce),
        script = super::codificar::SCRIPT,
    ))
}

fn stats_cells(s: &AgreementStats) -> String {
    format!(
        "<td class=\"num\">{}</td><td class=\"num\">{}\u{a0}%</td><td class=\"num\">{}</td>\
         <td class=\"num\">{}</td>",
        s.units,
        html::num(100.0 * s.percent, 1),
        html::num(s.kappa, 3),
        html::num(s.alpha, 3)
    )
}

fn agreement_view(app: &App, g: &RoundAgreement) -> crate::Result<String> {
    if g.coders.len() < 2 {
        return Ok(
            "<p class=\"meta\" id=\"acuerdo\">El acuerdo se muestra cuando dos analistas \
                   han codificado la muestra.</p>"
                .to_string(),
        );
    }
    let config = app.ws.config();
    let mut rows = String::new();
    for p in &g.pairs {
        let q = esc(&question_label(config, &p.question));
        let cb = app.codebook(&p.question)?;
        let pair = format!("{} y {}", esc(&p.first), esc(&p.second));
        let _ = write!(
            rows,
            "<tr><td>{q}</td><td>{pair}</td><td>(todos)</td>{}</tr>",
            stats_cells(&p.report.overall)
        );
        for (code, s) in &p.report.per_code {
            let _ = write!(
                rows,
                "<tr><td>{q}</td><td>{pair}</td><td>{}</td>{}</tr>",
                esc(&code_label(cb.as_ref(), code)),
                stats_cells(s)
            );
        }
    }
    let mut dis = String::new();
    for d in &g.disagreements {
        let Some(a) = app.answer(&d.key)? else {
            continue;
        };
        let cb = app.codebook(&a.question)?;
        let labels = |v: &[String]| {
            esc(&v
                .iter()
                .map(|c| code_label(cb.as_ref(), c))
                .collect::<Vec<_>>()
                .join("; "))
        };
        let _ = write!(
            dis,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td><a href=\"/respuesta{}\">Resolver</a></td></tr>",
            esc(&a.entity_name),
            esc(&crate::trends::clip(&a.text, 90)),
            labels(&d.first),
            labels(&d.second),
            labels(&d.model),
            esc(&query_string(&[("clave", &d.key)]))
        );
    }
    Ok(format!(
        "<section class=\"tarjeta\" id=\"acuerdo\"><h2>Acuerdo</h2><table><thead><tr>\
         <th>Pregunta</th><th>Codificadores</th><th>Código</th><th class=\"num\">Respuestas</th>\
         <th class=\"num\">Acuerdo</th><th class=\"num\">Kappa de Cohen</th>\
         <th class=\"num\">Alfa de Krippendorff</th></tr></thead><tbody>{rows}</tbody></table>\
         </section><section class=\"tarjeta\" id=\"desacuerdos\"><h2>Desacuerdos por resolver \
         ({n})</h2><table><thead><tr><th>Entidad</th><th>Respuesta</th><th>{a}</th><th>{b}</th>\
         <th>Modelo</th><th></th></tr></thead><tbody>{dis}</tbody></table></section>",
        n = g.disagreements.len(),
        a = esc(&g.coders[0]),
        b = esc(&g.coders[1]),
    ))
}

/// POST /equipo/nombre — keeps the analyst's name in this browser.
pub async fn nombre(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !app.secrets.csrf_ok(&session.sid, param(&pairs, "csrf")) {
        return forbidden();
    }
    let name = match team::check_coder(param(&pairs, "nombre")) {
        Ok(n) => n,
        Err(_) => {
            return super::status_page(
                StatusCode::BAD_REQUEST,
                "Nombre no válido",
                "Use de 1 a 40 letras, números, espacios o . - _ '.",
            );
        }
    };
    let hex: String = name.bytes().map(|b| format!("{b:02x}")).collect();
    let mut resp = see_other("/equipo");
    let c = format!("{CODER_COOKIE}={hex}; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000");
    if let Ok(v) = HeaderValue::from_str(&c) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// POST /equipo/muestra — draws the month's double-coding sample.
pub async fn muestra(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !app.secrets.csrf_ok(&session.sid, param(&pairs, "csrf")) {
        return forbidden();
    }
    let mes = param(&pairs, "mes").to_string();
    let size: usize = param(&pairs, "tamano").parse().unwrap_or(20).clamp(1, 500);
    let seed: u64 = param(&pairs, "semilla").parse().unwrap_or(1);
    blocking(app, move |app| {
        let month = Month::parse_lenient(&mes)
            .ok_or_else(|| crate::Error::invalid(format!("«{mes}» no es un mes (use AAAA-MM)")))?;
        app.draw_round(month, size, seed)?;
        Ok(see_other(&format!(
            "/equipo{}",
            query_string(&[("mes", &mes)])
        )))
    })
    .await
}

/// POST /equipo/codificar — stores this analyst's codes for one answer of the sample.
pub async fn codificar_muestra(
    State(app): State<Arc<App>>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !app.secrets.csrf_ok(&session.sid, param(&pairs, "csrf")) {
        return forbidden();
    }
    let Some(me) = coder(&headers) else {
        return super::status_page(
            StatusCode::BAD_REQUEST,
            "Falta su nombre",
            "Elija su nombre en la página Codificar en equipo antes de codificar la muestra.",
        );
    };
    let mes = param(&pairs, "mes").to_string();
    let key = param(&pairs, "clave").to_string();
    let codes = params(&pairs, "codigo");
    blocking(app, move |app| {
        let month = Month::parse_lenient(&mes)
            .ok_or_else(|| crate::Error::invalid(format!("«{mes}» no es un mes (use AAAA-MM)")))?;
        if codes.is_empty() {
            return Err(crate::Error::invalid("elija al menos un código"));
        }
        app.code_in_round(month, &me, &key, &codes)?;
        Ok(see_other(&format!(
            "/equipo{}",
            query_string(&[("mes", &mes)])
        )))
    })
    .await
}
