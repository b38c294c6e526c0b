//! Stage: report (renderer). The flagged entities as a GeoJSON FeatureCollection of Points, for
//! QGIS.
//!
//! In: [`ReportData`] (its flag list and the locations found in the gazetteer). Out: GeoJSON text.
//! An entity not found in the gazetteer (or with no gazetteer given) is kept with a `null`
//! geometry, so the list stays complete.

use serde_json::{Value, json};

use super::data::ReportData;

/// The GeoJSON text (pretty-printed, keys sorted: byte-identical for the same data).
pub fn render(d: &ReportData) -> String {
    let features: Vec<Value> = d
        .flags
        .flagged
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let geometry = d
                .locations
                .iter()
                .find(|l| l.entity_code == e.entity_code)
                .map_or(Value::Null, |l| {
                    json!({"type": "Point", "coordinates": [round6(l.at.lon), round6(l.at.lat)]})
                });
            let reasons: Vec<Value> = e
                .reasons
                .iter()
                .map(|r| json!({"kind": r.kind.as_str(), "message": r.message, "before": r.before, "after": r.after}))
                .collect();
            json!({
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "rank": i + 1,
                    "code": e.entity_code,
                    "name": e.entity_name,
                    "department": e.department,
                    "region": e.region,
                    "severity": e.severity,
                    "overall": e.overall,
                    "kinds": e.reasons.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>().join(","),
                    "reasons": reasons,
                    "month": d.month.to_string(),
                }
            })
        })
        .collect();
    let fc = json!({"type": "FeatureCollection", "features": features});
    let mut s = serde_json::to_string_pretty(&fc).unwrap_or_default();
    s.push('\n');
    s
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
