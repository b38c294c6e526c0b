//! Stage: report (renderer). Hand-written inline SVG charts for the HTML report: bar charts,
//! 100 % stacked bars and the map. They only draw what [`super::data`] computed; every text goes
//! through [`esc`]. The month's four standard charts ([`overall_chart`], [`region_chart`],
//! [`topic_chart`], [`demand_chart`]) are drawn here once for the report file and the web Tablero.
//!
//! In: numbers and labels, or a [`ReportData`]. Out: `<svg>` strings (no script, no external
//! reference).

use std::fmt::Write;

use super::data::{BIN_LABELS, ReportData};
use super::map::MapData;
use crate::escape::html as esc;
use crate::trends::spanish::{es_num, es_pct};

/// Colours of the five rating bins, best first (excelente → muy mala).
pub const BIN_COLORS: [&str; 5] = ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"];
const FONT: &str = "font-family=\"Helvetica, Arial, sans-serif\"";

/// Legend of the topic chart's five bins, best first.
const BIN_LEGEND: [&str; 5] = ["Excelente", "Buena", "Regular", "Mala", "Muy mala"];

/// Columns of the overall rating's distribution, worst bin first.
pub fn overall_chart(d: &ReportData) -> String {
    let labels: Vec<&str> = BIN_LABELS.iter().rev().copied().collect();
    let values: Vec<usize> = d.overall.bins.iter().rev().copied().collect();
    let colors: Vec<&str> = BIN_COLORS.iter().rev().copied().collect();
    columns(
        "Distribución de la calificación general",
        &labels,
        &values,
        &colors,
    )
}

/// Mean overall rating per region (regions without a rating left out), with the threshold line.
pub fn region_chart(d: &ReportData) -> String {
    let bars: Vec<HBar<'_>> = d
        .by_region
        .iter()
        .filter_map(|r| {
            r.mean.map(|m| HBar {
                label: &r.name,
                value: m,
                text: format!("{} (n={})", es_num(m, 2), r.n),
            })
        })
        .collect();
    hbars(
        "Calificación general promedio por región",
        &bars,
        5.0,
        Some(d.threshold),
        "#4575b4",
    )
}

/// Each topic's rating distribution as a 100 % stacked bar.
pub fn topic_chart(d: &ReportData) -> String {
    let rows: Vec<(&str, [usize; 5])> = d
        .topics
        .iter()
        .map(|t| (t.label.as_str(), t.bins))
        .collect();
    stacked(
        "Distribución de la calificación por tema",
        &rows,
        &BIN_LEGEND,
    )
}

/// How many entities asked for help on each topic, scaled to the most asked.
pub fn demand_chart(d: &ReportData) -> String {
    let bars: Vec<HBar<'_>> = d
        .demand
        .iter()
        .map(|r| HBar {
            label: &r.label,
            value: r.count as f64,
            text: format!("{} ({})", r.count, es_pct(r.pct_interviews)),
        })
        .collect();
    let max = d.demand.iter().map(|r| r.count).max().unwrap_or(1) as f64;
    hbars("Temas solicitados", &bars, max, None, "#7b68a6")
}

fn svg_open(w: f64, h: f64, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{t}\" {FONT} font-size=\"12\"><title>{t}</title>",
        t = esc(title)
    )
}

/// Vertical bars, one per label, each with its own colour and its count above it.
pub fn columns(title: &str, labels: &[&str], values: &[usize], colors: &[&str]) -> String {
    let (w, h, top, bottom, left) = (520.0, 240.0, 20.0, 40.0, 30.0);
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = labels.len().max(1) as f64;
    let slot = (w - left - 10.0) / n;
    let plot_h = h - top - bottom;
    let mut s = svg_open(w, h, title);
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#999\"/>",
        y = h - bottom,
        x2 = w - 10.0
    );
    for (i, (label, v)) in labels.iter().zip(values).enumerate() {
        let bh = (*v as f64 / max * plot_h * 10.0).round() / 10.0;
        let x = left + slot * i as f64 + slot * 0.15;
        let bw = slot * 0.7;
        let y = h - bottom - bh;
        let color = colors.get(i).copied().unwrap_or("#4575b4");
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" fill=\"{color}\" stroke=\"#555\" stroke-width=\"0.5\"/>\
             <text x=\"{cx:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\" font-weight=\"bold\">{v}</text>\
             <text x=\"{cx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\">{l}</text>",
            cx = x + bw / 2.0,
            ty = y - 5.0,
            ly = h - bottom + 18.0,
            l = esc(label)
        );
    }
    s.push_str("</svg>");
    s
}

/// One horizontal bar of the report: label, value, shown text.
pub struct HBar<'a> {
    pub label: &'a str,
    pub value: f64,
    pub text: String,
}

/// Horizontal bars scaled to `max` (e.g. 5 for mean ratings), with an optional reference line
/// (the satisfaction threshold).
pub fn hbars(
    title: &str,
    bars: &[HBar<'_>],
    max: f64,
    reference: Option<f64>,
    color: &str,
) -> String {
    // Room on the right for the longest value text ("19 (38,0 %)"), about 7 px a character.
    let longest = bars
        .iter()
        .map(|b| b.text.chars().count())
        .max()
        .unwrap_or(0);
    let (w, row, label_w) = (700.0, 24.0, 260.0);
    let right = (longest as f64 * 7.0 + 12.0).max(60.0);
    let h = row * bars.len().max(1) as f64 + 24.0;
    let plot_w = w - label_w - right;
    let max = if max > 0.0 { max } else { 1.0 };
    let mut s = svg_open(w, h, title);
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let bw = (b.value.max(0.0) / max * plot_w * 10.0).round() / 10.0;
        let _ = write!(
            s,
            "<text x=\"{lx}\" y=\"{ty:.1}\" text-anchor=\"end\">{l}</text>\
             <rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" fill=\"{color}\"/>\
             <text x=\"{vx:.1}\" y=\"{ty:.1}\">{t}</text>",
            lx = label_w - 6.0,
            ty = y + row * 0.6,
            bh = row - 6.0,
            vx = label_w + bw + 4.0,
            l = esc(&shorten(b.label, 40)),
            t = esc(&b.text)
        );
    }
    if let Some(r) = reference {
        let x = label_w + r / max * plot_w;
        let y2 = h - 18.0;
        let _ = write!(
            s,
            "<line x1=\"{x:.1}\" y1=\"0\" x2=\"{x:.1}\" y2=\"{y2:.1}\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{x:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\" font-size=\"11\">umbral {r}</text>",
            ty = h - 4.0,
            r = es_num(r, 1)
        );
    }
    s.push_str("</svg>");
    s
}

/// 100 % stacked horizontal bars of five bins each (best first), with a legend.
pub fn stacked(title: &str, rows: &[(&str, [usize; 5])], legend: &[&str; 5]) -> String {
    let (w, row, label_w, right) = (700.0, 30.0, 220.0, 20.0);
    let h = row * rows.len().max(1) as f64 + 40.0;
    let plot_w = w - label_w - right;
    let mut s = svg_open(w, h, title);
    for (i, (label, bins)) in rows.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let total: usize = bins.iter().sum();
        let _ = write!(
            s,
            "<text x=\"{lx}\" y=\"{ty:.1}\" text-anchor=\"end\">{l}</text>",
            lx = label_w - 6.0,
            ty = y + row * 0.55,
            l = esc(&shorten(label, 34))
        );
        if total == 0 {
            let _ = write!(
                s,
                "<text x=\"{label_w}\" y=\"{ty:.1}\" fill=\"#777\">sin calificaciones</text>",
                ty = y + row * 0.55
            );
            continue;
        }
        let mut x = label_w;
        for (b, count) in bins.iter().enumerate() {
            if *count == 0 {
                continue;
            }
            let bw = *count as f64 / total as f64 * plot_w;
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" fill=\"{c}\" stroke=\"#fff\" stroke-width=\"0.5\"/>",
                bh = row - 8.0,
                c = BIN_COLORS[b]
            );
            if bw >= 22.0 {
                let _ = write!(
                    s,
                    "<text x=\"{cx:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\" font-size=\"11\">{count}</text>",
                    cx = x + bw / 2.0,
                    ty = y + row * 0.5
                );
            }
            x += bw;
        }
    }
    let ly = h - 16.0;
    let mut x = label_w;
    for (b, l) in legend.iter().enumerate() {
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{ly:.1}\" width=\"12\" height=\"12\" fill=\"{c}\"/><text x=\"{tx:.1}\" y=\"{ty:.1}\" font-size=\"11\">{l}</text>",
            c = BIN_COLORS[b],
            tx = x + 16.0,
            ty = ly + 10.0,
            l = esc(l)
        );
        x += 92.0;
    }
    s.push_str("</svg>");
    s
}

/// A small line chart over months (gaps where a value is missing), each point labelled with
/// `text` of its value; the y axis runs from `min` to `max`. The report's month-to-month
/// charts; [`line_chart`] with the defaults.
pub fn line(
    title: &str,
    labels: &[String],
    values: &[Option<f64>],
    min: f64,
    max: f64,
    text: impl Fn(f64) -> String,
) -> String {
    line_chart(&LineChart {
        title,
        labels,
        values,
        min,
        max,
        reference: None,
        size: (360.0, 190.0),
        text: &text,
    })
}

/// What [`line_chart`] draws.
pub struct LineChart<'a> {
    pub title: &'a str,
    /// One label per point on the x axis (months).
    pub labels: &'a [String],
    pub values: &'a [Option<f64>],
    /// The y axis: from `min` to `max`, with five labelled ticks.
    pub min: f64,
    pub max: f64,
    /// A dashed reference line (the satisfaction threshold): points below it are red, at or
    /// above green.
    pub reference: Option<f64>,
    /// Width and height.
    pub size: (f64, f64),
    /// How a point's value is printed above it.
    pub text: &'a dyn Fn(f64) -> String,
}

/// The one line chart of the report and the web app (the report's month-to-month charts, the
/// Entidad page's ratings over the interviews): a labelled y axis so a flat line near the top
/// reads as "high and steady", gaps where a value is missing.
pub fn line_chart(c: &LineChart<'_>) -> String {
    let (w, h) = c.size;
    let (left, right, top, bottom) = (40.0, 56.0, 36.0, 30.0);
    let n = c.labels.len().max(1);
    let step = if n > 1 {
        (w - left - right - 24.0) / (n - 1) as f64
    } else {
        0.0
    };
    let (min, max) = (c.min, c.max);
    let span = if max > min { max - min } else { 1.0 };
    let x = |i: usize| {
        if n > 1 {
            left + 12.0 + step * i as f64
        } else {
            (left + w - right) / 2.0
        }
    };
    let y = |v: f64| top + (max - v.clamp(min, max)) / span * (h - top - bottom);
    let mut s = svg_open(w, h, c.title);
    let _ = write!(
        s,
        "<text x=\"{left}\" y=\"14\" font-weight=\"bold\">{}</text>",
        esc(c.title)
    );
    y_axis(&mut s, [left, w - right], min, span, &y);
    if let Some(r) = c.reference {
        let _ = write!(
            s,
            "<line x1=\"{left}\" y1=\"{yr:.1}\" x2=\"{x2}\" y2=\"{yr:.1}\" stroke=\"#d73027\" stroke-dasharray=\"5 4\"/>\
             <text x=\"{tx}\" y=\"{ty:.1}\" fill=\"#d73027\" font-size=\"11\">umbral {}</text>",
            es_num(r, 1),
            yr = y(r),
            x2 = w - right,
            tx = w - right + 4.0,
            ty = y(r) + 4.0
        );
    }
    let mut d = String::new();
    let mut pen_up = true;
    for (i, v) in c.values.iter().enumerate() {
        match v {
            Some(v) => {
                let _ = write!(
                    d,
                    "{}{:.1} {:.1}",
                    if pen_up { "M" } else { "L" },
                    x(i),
                    y(*v)
                );
                pen_up = false;
            }
            None => pen_up = true,
        }
    }
    let _ = write!(
        s,
        "<path d=\"{d}\" fill=\"none\" stroke=\"#1f4e79\" stroke-width=\"2\"/>"
    );
    for (i, (label, v)) in c.labels.iter().zip(c.values).enumerate() {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            x(i),
            h - bottom + 16.0,
            esc(label)
        );
        if let Some(v) = v {
            let fill = match c.reference {
                Some(r) if *v >= r => "#1a9850",
                Some(_) => "#d73027",
                None => "#1f4e79",
            };
            let _ = write!(
                s,
                "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"3.5\" fill=\"{fill}\"/><text x=\"{cx:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\" font-size=\"11\">{t}</text>",
                cx = x(i),
                cy = y(*v),
                ty = y(*v) - 8.0,
                t = esc(&(c.text)(*v))
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Five labelled gridlines from `min` to `min + span` between `xs[0]` and `xs[1]`, and the axis.
fn y_axis(s: &mut String, xs: [f64; 2], min: f64, span: f64, y: &dyn Fn(f64) -> f64) {
    let whole = (0..=4).all(|k| (min + span * k as f64 / 4.0).fract() == 0.0);
    for k in 0..=4 {
        let v = min + span * k as f64 / 4.0;
        let _ = write!(
            s,
            "<line x1=\"{x1}\" y1=\"{yy:.1}\" x2=\"{x2}\" y2=\"{yy:.1}\" stroke=\"#e3e7ec\"/>\
             <text x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#555\">{l}</text>",
            x1 = xs[0],
            x2 = xs[1],
            yy = y(v),
            tx = xs[0] - 5.0,
            ty = y(v) + 4.0,
            l = es_num(v, if whole { 0 } else { 1 })
        );
    }
    let _ = write!(
        s,
        "<line x1=\"{x}\" y1=\"{y1:.1}\" x2=\"{x}\" y2=\"{y2:.1}\" stroke=\"#999\"/>",
        x = xs[0],
        y1 = y(min + span),
        y2 = y(min)
    );
}

/// Satisfied vs. not satisfied as one 100 % bar.
pub fn satisfaction(satisfied: usize, unsatisfied: usize) -> String {
    let (w, h, bar) = (700.0, 56.0, 28.0);
    let total = (satisfied + unsatisfied).max(1) as f64;
    let ws = satisfied as f64 / total * w;
    let mut s = svg_open(w, h, "Entidades satisfechas y no satisfechas");
    let _ = write!(
        s,
        "<rect x=\"0\" y=\"0\" width=\"{ws:.1}\" height=\"{bar}\" fill=\"#1a9850\"/>\
         <rect x=\"{ws:.1}\" y=\"0\" width=\"{wu:.1}\" height=\"{bar}\" fill=\"#d73027\"/>\
         <text x=\"4\" y=\"46\">Satisfechas: {satisfied}</text>\
         <text x=\"{w}\" y=\"46\" text-anchor=\"end\">No satisfechas: {unsatisfied}</text>",
        wu = w - ws
    );
    s.push_str("</svg>");
    s
}

/// Height of the map's legend strip, under the drawing.
const MAP_LEGEND_H: f64 = 44.0;

/// The map: department outlines (shaded where a flagged entity lies), numbered points, and a
/// legend under it saying what the shading and the numbers mean.
pub fn map(m: &MapData) -> String {
    let mut s = svg_open(
        m.width,
        m.height + MAP_LEGEND_H,
        "Mapa de Colombia con las entidades priorizadas",
    );
    let ly = m.height + 8.0;
    let _ = write!(
        s,
        "<g font-size=\"11\"><circle cx=\"10\" cy=\"{cy:.1}\" r=\"7\" fill=\"#c0392b\"/>\
         <text x=\"10\" y=\"{ny:.1}\" text-anchor=\"middle\" font-size=\"9\" font-weight=\"bold\" fill=\"#fff\">1</text>\
         <text x=\"22\" y=\"{ty:.1}\">Entidad priorizada (el número es su orden de severidad)</text>\
         <rect x=\"3\" y=\"{ry:.1}\" width=\"14\" height=\"12\" fill=\"#fde0c5\" stroke=\"#666\" stroke-width=\"0.6\"/>\
         <text x=\"22\" y=\"{ty2:.1}\">Departamento con al menos una entidad priorizada</text></g>",
        cy = ly + 6.0,
        ny = ly + 9.0,
        ty = ly + 10.0,
        ry = ly + 20.0,
        ty2 = ly + 30.0
    );
    s.push_str("<g stroke=\"#666\" stroke-width=\"0.6\" stroke-linejoin=\"round\">");
    for d in &m.shapes {
        let fill = if d.has_flagged { "#fde0c5" } else { "#eef1f4" };
        let _ = write!(
            s,
            "<path d=\"{p}\" fill=\"{fill}\" fill-rule=\"evenodd\"><title>{n}</title></path>",
            p = d.path,
            n = esc(&d.name)
        );
    }
    s.push_str("</g>");
    for p in m.points.iter().rev() {
        let r = (7.0 + p.severity.sqrt()).min(13.0);
        let _ = write!(
            s,
            "<g><title>{rank}. {name} ({code})</title><circle cx=\"{x}\" cy=\"{y}\" r=\"{r:.1}\" fill=\"#c0392b\" fill-opacity=\"0.85\" stroke=\"#fff\" stroke-width=\"1.2\"/>\
             <text x=\"{x}\" y=\"{ty:.1}\" text-anchor=\"middle\" font-size=\"10\" font-weight=\"bold\" fill=\"#fff\">{rank}</text></g>",
            rank = p.rank,
            name = esc(&p.entity_name),
            code = esc(&p.entity_code),
            x = p.x,
            y = p.y,
            ty = p.y + 3.5
        );
    }
    s.push_str("</svg>");
    s
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let t: String = s.chars().take(max - 1).collect();
        format!("{}…", t.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped() {
        let s = columns("<t>", &["<b>"], &[3], &["#000"]);
        assert!(!s.contains("<b>") && s.contains("&lt;b&gt;"));
        let s = hbars(
            "x",
            &[HBar {
                label: "a&b",
                value: 2.0,
                text: "2".into(),
            }],
            5.0,
            Some(3.5),
            "#000",
        );
        assert!(s.contains("a&amp;b") && s.contains("umbral 3,5"));
    }

    /// The longest bar's value text ends inside the drawing (it was clipped: "19 (38,0 %").
    #[test]
    fn longest_bar_text_fits() {
        let text = "19 (38,0\u{a0}%)".to_string();
        let s = hbars(
            "Temas solicitados",
            &[HBar {
                label: "Plan indicativo",
                value: 19.0,
                text: text.clone(),
            }],
            19.0,
            None,
            "#000",
        );
        let at = s.find(&format!(">{text}<")).unwrap();
        let x: f64 = s[..at]
            .rsplit("x=\"")
            .next()
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(x + 7.0 * text.chars().count() as f64 <= 700.0, "{x}");
    }

    /// Line charts carry a labelled y axis (1 to 5 for ratings, 0 to 100 for shares).
    #[test]
    fn line_charts_have_a_y_axis() {
        let labels = vec!["jul".to_string(), "ago".to_string()];
        let s = line(
            "Promedio",
            &labels,
            &[Some(4.2), Some(4.1)],
            1.0,
            5.0,
            |v| es_num(v, 2),
        );
        for tick in [">1<", ">2<", ">3<", ">4<", ">5<"] {
            assert!(s.contains(tick), "{tick}");
        }
        let s = line("%", &labels, &[Some(80.0), None], 0.0, 100.0, |v| {
            es_num(v, 0)
        });
        for tick in [">0<", ">25<", ">50<", ">75<", ">100<"] {
            assert!(s.contains(tick), "{tick}");
        }
    }
}
