//! Stage: report (renderer). The consolidated report over a period as one self-contained
//! Spanish HTML file (inline CSS and SVG, no script), in the monthly report's style. It formats
//! [`PeriodData`] only; every text from data goes through [`esc`]. A month without interviews
//! shows as "sin entrevistas", never as zero.

use std::fmt::Write;

use super::html::{RenderOptions, esc};
use super::period::{
    CategorySeries, PeriodData, interviews_phrase, join_y, month_name, unsatisfied_words,
};
use super::svg::{self, HBar};
use crate::trends::spanish::{es_num, es_opt_num, es_opt_pct, es_pct};

const LEGEND: [&str; 5] = ["Excelente", "Buena", "Regular", "Mala", "Muy mala"];
/// One colour per month of the category chart (cycled).
const MONTH_COLORS: [&str; 6] = [
    "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b",
];

const CSS: &str = "body{font-family:Helvetica,Arial,sans-serif;color:#222;background:#f6f7f9;margin:0;line-height:1.45}\
main{max-width:1000px;margin:0 auto;background:#fff;padding:24px 40px 40px}\
header{border-bottom:4px solid #1f4e79;margin-bottom:16px}h1{color:#1f4e79;font-size:26px;margin:8px 0 4px}\
.sub{font-size:18px;color:#555;margin:0 0 12px}h2{color:#1f4e79;font-size:20px;border-bottom:1px solid #ccd;padding-bottom:4px;margin-top:32px}\
h3{font-size:16px;margin:20px 0 6px}.lead{font-size:17px;background:#fff7e6;border-left:4px solid #e67e22;padding:8px 12px}\
table{border-collapse:collapse;margin:8px 0 12px;font-size:13px;width:100%}th,td{border:1px solid #dde;padding:4px 8px;text-align:left;vertical-align:top}\
th{background:#eef2f7}td.n,th.n{text-align:right;white-space:nowrap}tr.neg td:first-child{color:#b03a2e}td.none{color:#888;font-style:italic}\
blockquote{margin:3px 0 3px 10px;padding:2px 10px;border-left:3px solid #ccc;color:#444;font-style:italic;font-size:13px}\
.note{font-size:12px;color:#555}.charts{display:flex;flex-wrap:wrap;gap:8px}\
svg{max-width:100%;height:auto;display:block;margin:6px 0}footer{margin-top:32px;font-size:12px;color:#666;border-top:1px solid #ccd;padding-top:8px}\
@media print{body{background:#fff}main{padding:0}}";

const NONE: &str = "<td class=\"none\">sin entrevistas</td>";

fn short(p: &PeriodData, i: usize) -> String {
    p.months[i].month.spanish_short()
}

fn name(p: &PeriodData, i: usize) -> String {
    month_name(p.months[i].month, p.from.year() == p.to.year())
}

/// Renders the whole consolidated report.
pub fn render(p: &PeriodData, opts: &RenderOptions) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let period = format!("{} a {}", p.from.spanish(), p.to.spanish());
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"es\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{t}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<header><h1>{s}</h1><p class=\"sub\">Consolidado de la percepción de la asistencia técnica — {per}</p></header>\n",
        t = esc(&format!("{} — Consolidado {period}", p.survey)),
        s = esc(&p.survey),
        per = esc(&period)
    );
    summary(&mut h, p);
    if p.months.iter().all(|m| m.data.is_none()) {
        h.push_str("<p class=\"lead\">No hay entrevistas registradas en el periodo.</p>\n");
    } else {
        distribution(&mut h, p);
        satisfaction(&mut h, p);
        variation(&mut h, p);
        regions(&mut h, p);
        categories(&mut h, p);
        demand(&mut h, p);
        priority(&mut h, p);
        if let Some(t) = &p.themes {
            h.push_str(&crate::themes::html::section(t));
        }
    }
    h.push_str("<footer>Generado con codifica");
    if let Some(g) = &opts.generated_on {
        let _ = write!(h, " el {}", esc(g));
    }
    h.push_str(". Cada cifra mensual es la del reporte de ese mes; los meses sin entrevistas se indican como tales.</footer>\n</main>\n</body>\n</html>\n");
    h
}

fn summary(h: &mut String, p: &PeriodData) {
    let parts: Vec<String> = (0..p.months.len())
        .map(|i| match &p.months[i].data {
            Some(d) => format!("{} en {}", interviews_phrase(d.interviews), name(p, i)),
            None => format!("sin entrevistas en {}", name(p, i)),
        })
        .collect();
    let _ = writeln!(
        h,
        "<p class=\"lead\">Entidades entrevistadas: {}.</p>",
        esc(&join_y(&parts))
    );
}

fn distribution(h: &mut String, p: &PeriodData) {
    h.push_str("<h2>Distribución de la calificación general por mes</h2>\n");
    let labels: Vec<String> = (0..p.months.len()).map(|i| short(p, i)).collect();
    let rows: Vec<(&str, [usize; 5])> = p
        .months
        .iter()
        .zip(&labels)
        .filter_map(|(m, l)| m.data.as_ref().map(|d| (l.as_str(), d.overall.bins)))
        .collect();
    h.push_str(&svg::stacked(
        "Calificación general por mes",
        &rows,
        &LEGEND,
    ));
    h.push_str("<table><tr><th>Calificación</th>");
    for l in &labels {
        let _ = write!(h, "<th class=\"n\">{}</th>", esc(l));
    }
    h.push_str("</tr>\n");
    for (b, legend) in LEGEND.iter().enumerate() {
        let _ = write!(h, "<tr><td>{legend}</td>");
        for m in &p.months {
            match &m.data {
                Some(d) => {
                    let pct = d.overall.bins[b] as f64 * 100.0 / d.overall.rated.max(1) as f64;
                    let _ = write!(
                        h,
                        "<td class=\"n\">{} ({})</td>",
                        d.overall.bins[b],
                        es_pct(pct)
                    );
                }
                None => h.push_str(NONE),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

fn satisfaction(h: &mut String, p: &PeriodData) {
    let _ = writeln!(
        h,
        "<h2>Satisfechas y no satisfechas</h2>\n<p class=\"lead\">Entidades no satisfechas (calificación general menor que {}): {}.</p>",
        es_num(p.threshold, 1),
        esc(&unsatisfied_words(p))
    );
    let labels: Vec<String> = (0..p.months.len()).map(|i| short(p, i)).collect();
    let values: Vec<Option<f64>> = p
        .months
        .iter()
        .map(|m| m.data.as_ref().and_then(|d| d.overall.pct_satisfied))
        .collect();
    h.push_str(&svg::line(
        "Porcentaje de entidades satisfechas",
        &labels,
        &values,
        0.0,
        100.0,
        es_pct,
    ));
    h.push_str("<table><tr><th>Mes</th><th class=\"n\">Con calificación</th><th class=\"n\">Satisfechas</th><th class=\"n\">No satisfechas</th><th class=\"n\">% satisfechas</th></tr>\n");
    for (i, m) in p.months.iter().enumerate() {
        let _ = write!(h, "<tr><td>{}</td>", esc(&short(p, i)));
        match &m.data {
            Some(d) => {
                let o = &d.overall;
                let _ = write!(
                    h,
                    "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
                    o.rated,
                    o.satisfied,
                    o.unsatisfied,
                    es_opt_pct(o.pct_satisfied)
                );
            }
            None => h.push_str("<td class=\"none\" colspan=\"4\">sin entrevistas</td>"),
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

/// "35 % la calificó excelente en septiembre, 40 % en octubre y 48 % en noviembre".
fn excellent_words(p: &PeriodData, values: &[Option<f64>]) -> String {
    let parts: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Some(v) => format!("{} en {}", es_pct(*v), name(p, i)),
            None => format!("sin datos en {}", name(p, i)),
        })
        .collect();
    format!("la calificó excelente: {}", join_y(&parts))
}

fn variation(h: &mut String, p: &PeriodData) {
    h.push_str(
        "<h2>Variación mes a mes de la percepción general y por tema</h2>\n<div class=\"charts\">",
    );
    let labels: Vec<String> = (0..p.months.len()).map(|i| short(p, i)).collect();
    for v in &p.variation {
        h.push_str(&svg::line(&v.label, &labels, &v.means, 1.0, 5.0, |x| {
            es_num(x, 2)
        }));
    }
    h.push_str("</div>\n<table><tr><th>Aspecto</th>");
    for l in &labels {
        let _ = write!(h, "<th class=\"n\">{}</th>", esc(l));
    }
    h.push_str("<th>Excelente</th></tr>\n");
    for v in &p.variation {
        let _ = write!(h, "<tr><td>{}</td>", esc(&v.label));
        for (i, m) in v.means.iter().enumerate() {
            if p.months[i].data.is_none() {
                h.push_str(NONE);
            } else {
                let _ = write!(h, "<td class=\"n\">{}</td>", es_opt_num(*m, 2));
            }
        }
        let _ = writeln!(
            h,
            "<td>{}</td></tr>",
            esc(&excellent_words(p, &v.pct_excellent))
        );
    }
    h.push_str("</table>\n<p class=\"note\">Promedio de 1 a 5 por mes.</p>\n");
}

fn regions(h: &mut String, p: &PeriodData) {
    h.push_str("<h2>Calificación general por región</h2>\n<table><tr><th>Región</th>");
    for i in 0..p.months.len() {
        let _ = write!(h, "<th class=\"n\">{}</th>", esc(&short(p, i)));
    }
    h.push_str("</tr>\n");
    for r in &p.regions {
        let _ = write!(h, "<tr><td>{}</td>", esc(r));
        for (i, v) in p.region_means(r).iter().enumerate() {
            match (&p.months[i].data, v) {
                (None, _) => h.push_str(NONE),
                (Some(_), None) => h.push_str("<td class=\"none\">—</td>"),
                (Some(_), Some(v)) => {
                    let _ = write!(h, "<td class=\"n\">{}</td>", es_num(*v, 2));
                }
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n<p class=\"note\">—: la región no tuvo entrevistas ese mes.</p>\n");
}

/// One row per category, one thin bar per month (its share of the month's answers); negative
/// categories in red with "(negativa)".
pub fn category_chart(p: &PeriodData, s: &CategorySeries) -> String {
    let n = p.months.len().max(1) as f64;
    let (w, label_w, right, bar) = (700.0, 300.0, 60.0, 7.0);
    let row = bar * n + 8.0;
    let legend_h = 22.0;
    let hgt = row * s.rows.len().max(1) as f64 + legend_h + 6.0;
    let plot_w = w - label_w - right;
    let max = s
        .rows
        .iter()
        .flat_map(|r| r.shares.iter().flatten())
        .fold(0.0f64, |a, &b| a.max(b))
        .max(1.0);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {hgt}\" width=\"{w}\" height=\"{hgt}\" role=\"img\" aria-label=\"{t}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\"><title>{t}</title>",
        t = esc(&s.label)
    );
    for (i, m) in p.months.iter().enumerate() {
        let x = 10.0 + i as f64 * 120.0;
        let color = MONTH_COLORS[i % MONTH_COLORS.len()];
        let text = match m.data {
            Some(_) => short(p, i),
            None => format!("{} (sin entrevistas)", short(p, i)),
        };
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"6\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{tx}\" y=\"15\" font-size=\"11\">{}</text>",
            esc(&text),
            tx = x + 14.0
        );
    }
    for (r, c) in s.rows.iter().enumerate() {
        let y0 = legend_h + row * r as f64;
        let label = if c.negative {
            format!("{} (negativa)", c.label)
        } else {
            c.label.clone()
        };
        let fill = if c.negative { "#b03a2e" } else { "#222" };
        let _ = write!(
            out,
            "<text x=\"{lx}\" y=\"{ty:.1}\" text-anchor=\"end\" fill=\"{fill}\">{}</text>",
            esc(&shorten(&label, 48)),
            lx = label_w - 6.0,
            ty = y0 + row / 2.0 + 3.0
        );
        for (i, v) in c.shares.iter().enumerate() {
            let Some(v) = v else { continue };
            let y = y0 + 2.0 + bar * i as f64;
            let bw = (v / max * plot_w * 10.0).round() / 10.0;
            let color = MONTH_COLORS[i % MONTH_COLORS.len()];
            let _ = write!(
                out,
                "<rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" fill=\"{color}\"/><text x=\"{tx:.1}\" y=\"{tty:.1}\" font-size=\"8\">{}</text>",
                es_num(*v, 0),
                bh = bar - 1.0,
                tx = label_w + bw + 3.0,
                tty = y + bar - 1.5
            );
        }
    }
    out.push_str("</svg>");
    out
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

fn categories(h: &mut String, p: &PeriodData) {
    h.push_str("<h2>Categorías de las preguntas abiertas, mes a mes</h2>\n<p class=\"note\">Porcentaje de las respuestas de cada mes en cada categoría (una respuesta puede tener varias). En rojo, las categorías negativas.</p>\n");
    for s in &p.categories {
        let _ = writeln!(h, "<h3>{}</h3>", esc(&s.label));
        h.push_str(&category_chart(p, s));
        h.push_str("<table><tr><th>Categoría</th>");
        for i in 0..p.months.len() {
            let _ = write!(h, "<th class=\"n\">{}</th>", esc(&short(p, i)));
        }
        h.push_str("</tr>\n");
        for r in &s.rows {
            let _ = write!(
                h,
                "<tr{}><td>{}</td>",
                if r.negative { " class=\"neg\"" } else { "" },
                esc(&r.label)
            );
            for (i, (c, sh)) in r.counts.iter().zip(&r.shares).enumerate() {
                match (c, sh, &p.months[i].data) {
                    (Some(c), Some(sh), _) => {
                        let _ = write!(h, "<td class=\"n\">{c} ({})</td>", es_pct(*sh));
                    }
                    (_, _, None) => h.push_str(NONE),
                    _ => h.push_str("<td class=\"none\">sin respuestas</td>"),
                }
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table>\n");
    }
}

fn demand(h: &mut String, p: &PeriodData) {
    let last = p.to.spanish();
    let _ = writeln!(
        h,
        "<h2>Demanda de asistencia técnica acumulada a {}</h2>",
        esc(&last)
    );
    if p.demand.is_empty() {
        h.push_str("<p>Ninguna entidad pidió temas en el periodo.</p>\n");
        return;
    }
    let bars: Vec<HBar<'_>> = p
        .demand
        .iter()
        .map(|d| HBar {
            label: &d.label,
            value: d.count as f64,
            text: d.count.to_string(),
        })
        .collect();
    let max = p.demand.iter().map(|d| d.count).max().unwrap_or(1) as f64;
    h.push_str(&svg::hbars(
        "Temas solicitados en el periodo",
        &bars,
        max,
        None,
        "#7b68a6",
    ));
    h.push_str("<table><tr><th>#</th><th>Tema</th><th class=\"n\">Entrevistas que lo piden</th><th class=\"n\">Meses</th></tr>\n");
    for (i, d) in p.demand.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            i + 1,
            esc(&d.label),
            d.count,
            d.months
        );
    }
    h.push_str("</table>\n");
}

fn priority(h: &mut String, p: &PeriodData) {
    h.push_str("<h2>Entidades que requirieron atención prioritaria en el periodo</h2>\n");
    if p.priority.is_empty() {
        h.push_str("<p>Ninguna entidad fue priorizada en el periodo.</p>\n");
        return;
    }
    let _ = writeln!(
        h,
        "<p>{} entidades priorizadas al menos un mes; primero las priorizadas más veces.</p>",
        p.priority.len()
    );
    h.push_str("<table><tr><th>#</th><th>Entidad</th><th>Departamento</th><th>Región</th><th class=\"n\">Veces</th><th>Meses</th><th>Por qué (meses)</th></tr>\n");
    let same_year = p.from.year() == p.to.year();
    for (i, e) in p.priority.iter().enumerate() {
        let months: Vec<String> = e.months.iter().map(|m| month_name(*m, same_year)).collect();
        let why: Vec<String> = e
            .reasons
            .iter()
            .map(|(r, n)| format!("{r} ({n})"))
            .collect();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{} <span class=\"note\">{}</span></td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            esc(&e.entity_name),
            esc(&e.entity_code),
            esc(&e.department),
            esc(&e.region),
            e.months.len(),
            esc(&join_y(&months)),
            esc(&why.join("; "))
        );
    }
    h.push_str("</table>\n");
}
