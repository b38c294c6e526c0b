//! Stage: report (renderer). The month's report as one self-contained Spanish HTML file: inline
//! CSS and SVG, no script, no external resource. It formats [`ReportData`] and computes nothing
//! beyond presentation (percent widths, number formats).
//!
//! Every text that comes from data (names, answers, labels) goes through [`esc`]: an answer
//! containing `<script>` shows as text.

use std::fmt::Write;

use super::data::{BIN_LABELS, CodeFrequencies, GroupRow, ReportData};
use super::svg;
use crate::trends::spanish::{agree, es_num, es_opt_num, es_opt_pct, es_pct, es_signed};
use crate::trends::{FlagKind, FlagReason, FlaggedEntity, Improvement};

/// Escapes text for HTML element content and attribute values (the crate's one rule).
pub use crate::escape::html as esc;

/// Options that are not data: what the footer says about when it was generated.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// A date to print ("generado el …"); `None` prints none (byte-identical reruns).
    pub generated_on: Option<String>,
    /// A section rendered elsewhere (already escaped HTML) shown after the report's own, e.g.
    /// the "Temas emergentes" of [`crate::themes::html::section`].
    pub extra_section: Option<String>,
}

const CSS: &str = "body{font-family:Helvetica,Arial,sans-serif;color:#222;background:#f6f7f9;margin:0;line-height:1.45}\
main{max-width:1000px;margin:0 auto;background:#fff;padding:24px 40px 40px}\
header{border-bottom:4px solid #1f4e79;margin-bottom:16px}h1{color:#1f4e79;font-size:26px;margin:8px 0 4px}\
.sub{font-size:18px;color:#555;margin:0 0 12px}h2{color:#1f4e79;font-size:20px;border-bottom:1px solid #ccd;padding-bottom:4px;margin-top:32px}\
h3{font-size:16px;margin:20px 0 6px}\
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}.card{flex:1 1 180px;border:1px solid #dde;border-radius:6px;padding:10px 14px;background:#fafbfd}\
.card .v{font-size:26px;font-weight:bold;color:#1f4e79}.card .l{font-size:13px;color:#555}\
.lead{font-size:17px;background:#fff7e6;border-left:4px solid #e67e22;padding:8px 12px}\
table{border-collapse:collapse;margin:8px 0 12px;font-size:13px;width:100%}th,td{border:1px solid #dde;padding:4px 8px;text-align:left;vertical-align:top}\
th{background:#eef2f7}td.n,th.n{text-align:right;white-space:nowrap}tr.neg td:first-child{color:#b03a2e}\
.up{color:#1a7f37}.down{color:#b03a2e}.note{font-size:12px;color:#555}\
.flag{border:1px solid #e5c7c2;border-left:5px solid #c0392b;border-radius:4px;padding:8px 12px;margin:10px 0;background:#fffafa;page-break-inside:avoid}\
.flag h3{margin:0 0 4px}.sev{float:right;font-size:13px;background:#c0392b;color:#fff;border-radius:10px;padding:1px 9px}\
.flag ul,ul.motivos{margin:4px 0 4px 18px;padding:0}.said{font-size:12px;color:#555;margin:6px 0 2px}.kind{font-size:11px;color:#555;background:#eef2f7;border-radius:8px;padding:0 6px;white-space:nowrap}\
blockquote{margin:3px 0 3px 10px;padding:2px 10px;border-left:3px solid #ccc;color:#444;font-style:italic;font-size:13px}\
svg{max-width:100%;height:auto;display:block;margin:6px 0}.mapwrap{display:flex;gap:16px;flex-wrap:wrap}\
.mapwrap ol{font-size:13px;flex:1 1 260px;margin:0}footer{margin-top:32px;font-size:12px;color:#666;border-top:1px solid #ccd;padding-top:8px}\
@media print{body{background:#fff}main{padding:0}}";

/// Renders the whole report.
pub fn render(d: &ReportData, opts: &RenderOptions) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let title = format!("{} — Reporte de {}", d.survey, d.month.spanish());
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"es\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{t}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<header><h1>{s}</h1><p class=\"sub\">Reporte mensual de percepción de la asistencia técnica — {m}</p></header>\n",
        t = esc(&title),
        s = esc(&d.survey),
        m = esc(&d.month.spanish())
    );
    summary(&mut h, d);
    if d.interviews == 0 {
        let _ = writeln!(
            h,
            "<p class=\"lead\">No hay entrevistas registradas en {}.</p>",
            esc(&d.month.spanish())
        );
    } else {
        distribution(&mut h, d);
        groups(&mut h, d);
        topics(&mut h, d);
        variation(&mut h, d);
        priority(&mut h, d);
        frequencies(&mut h, d);
        demand(&mut h, d);
    }
    if let Some(extra) = &opts.extra_section {
        h.push_str(extra);
    }
    notes(&mut h, d);
    h.push_str("<footer>Generado con codifica");
    if let Some(g) = &opts.generated_on {
        let _ = write!(h, " el {}", esc(g));
    }
    h.push_str(". Todas las cifras se calculan a partir de las respuestas registradas en el espacio de trabajo.</footer>\n</main>\n</body>\n</html>\n");
    h
}

fn summary(h: &mut String, d: &ReportData) {
    let o = &d.overall;
    h.push_str("<section id=\"resumen\"><h2>Resumen</h2><div class=\"cards\">");
    let cards = [
        (
            es_num(d.interviews as f64, 0),
            agree(
                d.interviews,
                "entidad entrevistada",
                "entidades entrevistadas",
            ),
        ),
        (
            es_opt_num(o.mean, 2),
            "calificación general promedio (1 a 5)",
        ),
        (es_opt_pct(o.pct_satisfied), "de las entidades satisfechas"),
        (
            d.flags.flagged.len().to_string(),
            agree(
                d.flags.flagged.len(),
                "entidad priorizada",
                "entidades priorizadas",
            ),
        ),
    ];
    for (v, l) in cards {
        let _ = write!(
            h,
            "<div class=\"card\"><div class=\"v\">{}</div><div class=\"l\">{}</div></div>",
            esc(&v),
            esc(l)
        );
    }
    h.push_str("</div>");
    if let Some(per100) = o.unsatisfied_per_100 {
        let _ = write!(
            h,
            "<p class=\"lead\"><strong>{per100} de cada 100</strong> entidades entrevistadas no están satisfechas con la asistencia técnica (calificación general menor que {}); {} de {} con calificación.</p>",
            es_num(d.threshold, 1),
            o.unsatisfied,
            o.rated
        );
    }
    if let Some(p) = d.previous_month {
        let _ = write!(
            h,
            "<p class=\"note\">Las variaciones se comparan con {}, el mes anterior con entrevistas.</p>",
            esc(&p.spanish())
        );
    }
    h.push_str("</section>\n");
}

fn distribution(h: &mut String, d: &ReportData) {
    let o = &d.overall;
    h.push_str("<section id=\"distribucion\"><h2>1. Distribución de la calificación general</h2>");
    h.push_str(&svg::overall_chart(d));
    // One row per rating given (they come in half points), so the table averages to the mean.
    h.push_str(
        "<table><tr><th>Calificación</th><th class=\"n\">Entidades</th><th class=\"n\">%</th></tr>",
    );
    for &(v, n) in &o.by_value {
        let p = (o.rated > 0).then(|| n as f64 * 100.0 / o.rated as f64);
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{n}</td><td class=\"n\">{}</td></tr>",
            es_num(v, 1),
            es_opt_pct(p)
        );
    }
    let _ = write!(
        h,
        "<tr><th>Total con calificación</th><th class=\"n\">{}</th><th class=\"n\">Promedio: {}</th></tr></table>",
        o.rated,
        es_opt_num(o.mean, 2)
    );
    h.push_str("<h3>Satisfacción</h3>");
    h.push_str(&svg::satisfaction(o.satisfied, o.unsatisfied));
    let _ = writeln!(
        h,
        "<p>Satisfechas (calificación ≥ {}): <strong>{}</strong> ({}). No satisfechas: <strong>{}</strong>. Sin calificación general: {}.</p></section>",
        es_num(d.threshold, 1),
        o.satisfied,
        es_opt_pct(o.pct_satisfied),
        o.unsatisfied,
        d.interviews.saturating_sub(o.rated)
    );
}

fn group_table(h: &mut String, first: &str, rows: &[GroupRow]) {
    let _ = write!(
        h,
        "<table><tr><th>{}</th><th class=\"n\">Entrevistas</th><th class=\"n\">Promedio</th><th class=\"n\">% satisfechas</th></tr>",
        esc(first)
    );
    for r in rows {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&r.name),
            r.n,
            es_opt_num(r.mean, 2),
            es_opt_pct(r.pct_satisfied)
        );
    }
    h.push_str("</table>");
}

fn groups(h: &mut String, d: &ReportData) {
    h.push_str("<section id=\"regiones\"><h2>2. Resultados por región y departamento</h2>");
    h.push_str(&svg::region_chart(d));
    group_table(h, "Región", &d.by_region);
    if !d.region_changes.is_empty() {
        h.push_str("<p class=\"note\">Entidades que cambiaron de región entre entrevistas (se agrupan en la región más reciente): ");
        let items: Vec<String> = d
            .region_changes
            .iter()
            .map(|c| {
                format!(
                    "{} ({}): {}",
                    esc(&c.entity_name),
                    esc(&c.entity_code),
                    esc(&c.regions.join(" → "))
                )
            })
            .collect();
        h.push_str(&items.join("; "));
        h.push_str(".</p>");
    }
    h.push_str("<h3>Por departamento</h3>");
    group_table(h, "Departamento", &d.by_department);
    h.push_str("</section>\n");
}

fn topics(h: &mut String, d: &ReportData) {
    h.push_str("<section id=\"temas\"><h2>3. Calificación por tema</h2>");
    h.push_str(&svg::topic_chart(d));
    h.push_str("<table><tr><th>Tema</th>");
    for l in BIN_LABELS {
        let _ = write!(h, "<th class=\"n\">{}</th>", esc(l));
    }
    h.push_str("<th class=\"n\">Calificadas</th><th class=\"n\">Promedio</th><th class=\"n\">% ≥ umbral</th></tr>");
    for t in &d.topics {
        let _ = write!(h, "<tr><td>{}</td>", esc(&t.label));
        for n in t.bins {
            let _ = write!(h, "<td class=\"n\">{n}</td>");
        }
        let _ = write!(
            h,
            "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            t.rated,
            es_opt_num(t.mean, 2),
            es_opt_pct(t.pct_satisfied)
        );
    }
    h.push_str("</table></section>\n");
}

fn variation(h: &mut String, d: &ReportData) {
    h.push_str("<section id=\"variacion\"><h2>4. Variación frente al mes anterior</h2>");
    let Some(prev) = d.previous_month else {
        h.push_str("<p>No hay un mes anterior con entrevistas para comparar.</p></section>\n");
        return;
    };
    if d.history.len() > 1 {
        let labels: Vec<String> = d.history.iter().map(|p| p.month.spanish_short()).collect();
        let means: Vec<Option<f64>> = d.history.iter().map(|p| p.mean).collect();
        let pcts: Vec<Option<f64>> = d.history.iter().map(|p| p.pct_satisfied).collect();
        h.push_str("<div class=\"mapwrap\">");
        h.push_str(&svg::line(
            "Calificación general promedio",
            &labels,
            &means,
            1.0,
            5.0,
            |v| es_num(v, 2),
        ));
        h.push_str(&svg::line(
            "Entidades satisfechas (%)",
            &labels,
            &pcts,
            0.0,
            100.0,
            |v| es_num(v, 0),
        ));
        h.push_str("</div>");
    }
    let _ = write!(
        h,
        "<table><tr><th>Indicador</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">Variación</th></tr>",
        esc(&prev.spanish()),
        esc(&d.month.spanish())
    );
    for i in &d.variation {
        let (dec, fmt_pct) = match i.unit {
            "n" => (0, false),
            "pct" => (1, true),
            _ => (2, false),
        };
        let f = |x: Option<f64>| {
            if fmt_pct {
                es_opt_pct(x)
            } else {
                es_opt_num(x, dec)
            }
        };
        let delta = match i.delta {
            Some(v) => {
                // Counts going up or down are neither good nor bad: no colour.
                let class = if i.unit == "n" {
                    ""
                } else if v > 0.0 {
                    "up"
                } else if v < 0.0 {
                    "down"
                } else {
                    ""
                };
                let arrow = if v > 0.0 {
                    "▲ "
                } else if v < 0.0 {
                    "▼ "
                } else {
                    ""
                };
                let unit = if fmt_pct { " p.p." } else { "" };
                format!(
                    "<span class=\"{class}\">{arrow}{}{unit}</span>",
                    es_signed(v, dec)
                )
            }
            None => "—".into(),
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{delta}</td></tr>",
            esc(&i.name),
            f(i.previous),
            f(i.current)
        );
    }
    h.push_str("</table></section>\n");
}

fn priority(h: &mut String, d: &ReportData) {
    let f = &d.flags;
    h.push_str(
        "<section id=\"priorizadas\"><h2>5. Entidades que requieren atención prioritaria</h2>",
    );
    let _ = write!(
        h,
        "<p>{} de las {} entidades entrevistadas en {} cumplen al menos un criterio de priorización. Se ordenan de mayor a menor severidad.</p>",
        f.flagged.len(),
        f.interviewed,
        esc(&d.month.spanish())
    );
    let counts: Vec<String> = d
        .flag_counts
        .iter()
        .filter(|k| k.entities > 0)
        .map(|k| format!("{}: {}", esc(k.label), k.entities))
        .collect();
    if !counts.is_empty() {
        let _ = write!(
            h,
            "<p class=\"note\">Entidades por criterio (una entidad puede cumplir varios): {}.</p>",
            counts.join("; ")
        );
    }
    if let Some(m) = &d.map {
        h.push_str("<div class=\"mapwrap\">");
        h.push_str(&svg::map(m));
        h.push_str("<ol>");
        for e in &f.flagged {
            let _ = write!(
                h,
                "<li>{} — {}</li>",
                esc(&e.entity_name),
                esc(&e.department)
            );
        }
        h.push_str("</ol></div>");
    }
    if let Some(note) = &d.map_note {
        let _ = write!(h, "<p class=\"note\">{}</p>", esc(note));
    }
    let mut minor: Vec<(usize, &FlaggedEntity)> = Vec::new();
    for (i, e) in f.flagged.iter().enumerate() {
        if !e.has_overall_reason() {
            minor.push((i, e));
            continue;
        }
        flag_card(h, i, e);
    }
    minor_table(h, &minor);
    improved_table(h, &f.improved);
    h.push_str("</section>\n");
}

/// One flagged entity with an overall-rating reason: its reasons, each with its own quotes.
fn flag_card(h: &mut String, i: usize, e: &FlaggedEntity) {
    let _ = write!(
        h,
        "<div class=\"flag\"><span class=\"sev\">severidad {}</span><h3>{}. {} <span class=\"note\">({})</span></h3><div class=\"note\">{} · Región {}{} · Calificación general: {}</div>",
        es_num(e.severity, 2),
        i + 1,
        esc(&e.entity_name),
        esc(&e.entity_code),
        esc(&e.department),
        esc(&e.region),
        if e.region_changed {
            " (cambió de región)"
        } else {
            ""
        },
        es_opt_num(e.overall, 1)
    );
    h.push_str(&reasons_list(&e.reasons));
    h.push_str("</div>");
}

/// The one rendering of a flagged entity's reasons, shared by the report, the web Tablero and
/// the Entidad page: each reason (its Spanish sentence and the Spanish name of its kind) with,
/// under it, the answers that support it — each quote belongs to one reason in the data
/// ([`FlagReason::quotes`]), so a quote sits under the same reason on every face.
pub fn reasons_list(reasons: &[FlagReason]) -> String {
    let mut h = String::from("<ul class=\"motivos\">");
    for r in reasons {
        let _ = write!(
            h,
            "<li>{} <span class=\"kind\">{}</span>",
            esc(&r.message),
            esc(r.kind.spanish())
        );
        for q in &r.quotes {
            let _ = write!(h, "<blockquote>«{}»</blockquote>", esc(q));
        }
        h.push_str("</li>");
    }
    h.push_str("</ul>");
    h
}

/// The flagged entities with only topic or negative-answer reasons, as one table.
fn minor_table(h: &mut String, minor: &[(usize, &FlaggedEntity)]) {
    if minor.is_empty() {
        return;
    }
    h.push_str("<h3>Otras señales: solo caídas por tema o respuestas negativas</h3><p class=\"note\">Entidades cuya calificación general no está bajo el umbral ni cayó; se listan para seguimiento.</p><table><tr><th>#</th><th>Entidad</th><th>Región</th><th class=\"n\">General</th><th>Motivos</th><th class=\"n\">Severidad</th></tr>");
    for (i, e) in minor.iter().copied() {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{} ({})</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            i + 1,
            esc(&e.entity_name),
            esc(&e.entity_code),
            esc(&e.region),
            es_opt_num(e.overall, 1),
            reasons_list(&e.reasons),
            es_num(e.severity, 2)
        );
    }
    h.push_str("</table>");
}

/// The entities whose overall rating rose most.
fn improved_table(h: &mut String, improved: &[Improvement]) {
    if improved.is_empty() {
        return;
    }
    h.push_str("<h3>Entidades que más mejoraron</h3><table><tr><th>Entidad</th><th>Región</th><th class=\"n\">Antes</th><th class=\"n\">Ahora</th><th class=\"n\">Variación</th><th>Entrevista anterior</th></tr>");
    for m in improved {
        let _ = write!(
            h,
            "<tr><td>{} ({})</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n up\">{}</td><td>{}</td></tr>",
            esc(&m.entity_name),
            esc(&m.entity_code),
            esc(&m.region),
            es_num(m.before, 1),
            es_num(m.after, 1),
            es_signed(m.delta, 1),
            esc(&m.previous_month.spanish())
        );
    }
    h.push_str("</table>");
}

fn frequency_table(h: &mut String, f: &CodeFrequencies) {
    let _ = write!(h, "<h3>{}</h3><table><tr><th>Categoría</th>", esc(&f.label));
    for m in &f.months {
        let _ = write!(h, "<th class=\"n\">{}</th>", esc(&m.spanish_short()));
    }
    h.push_str("</tr>");
    for r in &f.rows {
        let class = if r.negative { " class=\"neg\"" } else { "" };
        let _ = write!(h, "<tr{class}><td>{}</td>", esc(&r.label));
        for (i, n) in r.counts.iter().enumerate() {
            let coded =
                f.human.get(i).copied().unwrap_or(0) + f.machine.get(i).copied().unwrap_or(0);
            if coded == 0 {
                h.push_str("<td class=\"n note\">—</td>");
                continue;
            }
            let p = *n as f64 * 100.0 / coded as f64;
            let _ = write!(
                h,
                "<td class=\"n\">{n} <span class=\"note\">({})</span></td>",
                es_pct(p)
            );
        }
        h.push_str("</tr>");
    }
    for (label, v) in [
        ("Respuestas codificadas", None),
        ("Sin codificar", Some(&f.uncoded)),
    ] {
        let _ = write!(h, "<tr><th>{label}</th>");
        for i in 0..f.months.len() {
            let n = match v {
                Some(v) => v.get(i).copied().unwrap_or(0),
                None => {
                    f.human.get(i).copied().unwrap_or(0) + f.machine.get(i).copied().unwrap_or(0)
                }
            };
            let _ = write!(h, "<th class=\"n\">{n}</th>");
        }
        h.push_str("</tr>");
    }
    h.push_str("</table>");
    let src: Vec<String> = f
        .months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            format!(
                "{}: {} con códigos humanos, {} con códigos del modelo ({} aceptados \
                 automáticamente, {} sugeridos sin revisar), {} sin codificar",
                m.spanish_short(),
                f.human.get(i).copied().unwrap_or(0),
                f.machine.get(i).copied().unwrap_or(0),
                f.accepted.get(i).copied().unwrap_or(0),
                f.machine.get(i).copied().unwrap_or(0) - f.accepted.get(i).copied().unwrap_or(0),
                f.uncoded.get(i).copied().unwrap_or(0)
            )
        })
        .collect();
    let _ = write!(
        h,
        "<p class=\"note\">Origen de los códigos — {}.</p>",
        esc(&src.join("; "))
    );
}

fn frequencies(h: &mut String, d: &ReportData) {
    h.push_str(
        "<section id=\"categorias\"><h2>6. Categorías de las preguntas abiertas, mes a mes</h2>",
    );
    h.push_str("<p class=\"note\">Número de respuestas en cada categoría (entre paréntesis, % de las respuestas codificadas del mes; una respuesta puede tener varias categorías, así que los porcentajes pueden sumar más de 100; «—»: mes sin respuestas codificadas). Se cuentan los códigos asignados por los analistas cuando existen y, si no, los asignados por el modelo. En rojo, las categorías negativas.</p>");
    for f in &d.code_frequencies {
        frequency_table(h, f);
    }
    h.push_str("</section>\n");
}

fn demand(h: &mut String, d: &ReportData) {
    h.push_str(
        "<section id=\"demanda\"><h2>7. Temas en los que se solicita asistencia técnica</h2>",
    );
    if d.demand.is_empty() {
        h.push_str("<p>No hay respuestas codificadas sobre los temas solicitados este mes.</p></section>\n");
        return;
    }
    h.push_str(&svg::demand_chart(d));
    h.push_str("<table><tr><th>#</th><th>Tema</th><th class=\"n\">Entidades</th><th class=\"n\">% de entrevistas</th>");
    if let Some(p) = d.previous_month {
        let _ = write!(h, "<th class=\"n\">{}</th>", esc(&p.spanish_short()));
    }
    h.push_str("</tr>");
    for (i, r) in d.demand.iter().enumerate() {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            i + 1,
            esc(&r.label),
            r.count,
            es_pct(r.pct_interviews)
        );
        if d.previous_month.is_some() {
            let _ = write!(
                h,
                "<td class=\"n\">{}</td>",
                r.previous.map_or("—".into(), |n| n.to_string())
            );
        }
        h.push_str("</tr>");
    }
    h.push_str("</table></section>\n");
}

fn notes(h: &mut String, d: &ReportData) {
    let t = es_num(d.threshold, 1);
    let r = &d.rules;
    let _ = writeln!(
        h,
        "<section id=\"notas\"><h2>Notas metodológicas</h2><ul class=\"note\">\
<li>Una entrevista es el conjunto de respuestas de una entidad en un mes. Satisfecha: calificación general ≥ {t} (una calificación de exactamente {t} cuenta como satisfecha). Los porcentajes de satisfacción se calculan sobre las entrevistas con calificación general.</li>\
<li>Rangos de calificación: excelente ≥ 4,5; buena de 3,5 a menos de 4,5; regular de 2,5 a menos de 3,5; mala de 1,5 a menos de 2,5; muy mala menor que 1,5 (las medias unidades suben a la categoría siguiente).</li>\
<li>Cada entrevista se compara con la entrevista anterior de la misma entidad, sea cual sea el mes en que ocurrió; si falta una calificación en alguna de las dos, no se compara.</li>\
<li>Criterios de priorización (puntos de severidad entre paréntesis): <strong>{}</strong>, calificación general menor que {t} (3 + distancia al umbral); <strong>{}</strong> de {} puntos o más desde la entrevista anterior (2 + tamaño de la caída); <strong>{}</strong>, al menos {} caídas seguidas, es decir {} entrevistas cada una más baja que la anterior (2 + caída total); <strong>{}</strong> de {} puntos o más (0,5 × tamaño de la caída, por tema); <strong>{}</strong>, respuestas codificadas en categorías que el libro de códigos marca como negativas, con códigos de analistas o, si no los hay, del modelo (0,5 por respuesta, máximo 1,5). La severidad es la suma; los empates se ordenan por código de la entidad.</li>\
<li>Una entidad que cambió de región entre entrevistas se agrupa en su región más reciente.</li>\
</ul></section>",
        FlagKind::BelowThreshold.spanish(),
        FlagKind::OverallDrop.spanish(),
        es_num(r.overall_drop, 1),
        FlagKind::ConsecutiveDecline.spanish(),
        r.consecutive_declines,
        r.consecutive_declines + 1,
        FlagKind::TopicDrop.spanish(),
        es_num(r.topic_drop, 1),
        FlagKind::NegativeCode.spanish()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(esc("a\"b'c&"), "a&quot;b&#39;c&amp;");
    }
}
