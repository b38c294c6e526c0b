//! Stage: report (map data). Department boundaries from a GeoJSON file and entity locations from
//! a gazetteer CSV, projected once into SVG coordinates for the report's map.
//!
//! In: `--boundaries` (GeoJSON FeatureCollection of Polygon/MultiPolygon features in WGS84
//! lon/lat, department code in `DPTO_CCDGO`, name in `DPTO_CNMBR`) and `--gazetteer` (CSV with
//! `divipola_mpio`, `lat_cabecera`, `lon_cabecera`, `lat_centroide`, `lon_centroide`). Out:
//! [`MapInput`], and from it per report a [`MapData`] (SVG paths and points) plus the geographic
//! [`Location`] of each flagged entity (for the GeoJSON).
//!
//! Both default to the files built into the binary (`assets/colombia/`, derived from DANE's MGN
//! 2018 and DIVIPOLA by `scripts/derive_colombia_assets.py`; see `assets/colombia/SOURCE.md`), so
//! an installed `codifica` draws the map from any folder; a path given overrides either.
//!
//! Locating an entity: a 5-digit code is a municipality (its seat, else its area centroid); a
//! 2-digit code is a department: its capital `XX001` if listed, else the mean of its
//! municipalities' points. Projection: equirectangular, longitudes scaled by cos(mid latitude).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::ingest::table::Table;
use crate::trends::FlaggedEntity;

/// Width of the map drawing in SVG units; the height follows the boundaries' aspect.
pub const MAP_WIDTH: f64 = 520.0;
const MARGIN: f64 = 10.0;

/// One department polygon set, in lon/lat.
#[derive(Debug, Clone, PartialEq)]
pub struct Department {
    pub code: String,
    pub name: String,
    /// Rings (outer and holes alike), each a list of (lon, lat).
    pub rings: Vec<Vec<(f64, f64)>>,
}

/// A place: (lon, lat).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

/// Points by 5-digit municipality code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gazetteer {
    pub municipalities: BTreeMap<String, LonLat>,
}

impl Gazetteer {
    /// Where an entity is: see the module docs.
    pub fn locate(&self, code: &str) -> Option<LonLat> {
        let code = code.trim();
        if !code.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        match code.len() {
            4 | 5 => self.municipalities.get(&format!("{code:0>5}")).copied(),
            1 | 2 => {
                let dep = format!("{code:0>2}");
                if let Some(p) = self.municipalities.get(&format!("{dep}001")) {
                    return Some(*p);
                }
                let pts: Vec<&LonLat> = self
                    .municipalities
                    .iter()
                    .filter(|(k, _)| k.starts_with(&dep))
                    .map(|(_, p)| p)
                    .collect();
                (!pts.is_empty()).then(|| LonLat {
                    lon: pts.iter().map(|p| p.lon).sum::<f64>() / pts.len() as f64,
                    lat: pts.iter().map(|p| p.lat).sum::<f64>() / pts.len() as f64,
                })
            }
            _ => None,
        }
    }
}

/// What the user pointed the report to; either part may be absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapInput {
    pub departments: Option<Vec<Department>>,
    pub gazetteer: Option<Gazetteer>,
}

/// A flagged entity's location.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Location {
    pub entity_code: String,
    pub at: LonLat,
}

/// A department drawn on the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapShape {
    pub code: String,
    pub name: String,
    /// SVG path data.
    pub path: String,
    /// True when a flagged entity lies in this department (by code prefix).
    pub has_flagged: bool,
}

/// A flagged entity drawn on the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapPoint {
    /// Position in the priority list (1 = most severe).
    pub rank: usize,
    pub entity_code: String,
    pub entity_name: String,
    pub severity: f64,
    pub x: f64,
    pub y: f64,
}

/// The projected map of one report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapData {
    pub width: f64,
    pub height: f64,
    pub shapes: Vec<MapShape>,
    pub points: Vec<MapPoint>,
    /// Flagged entities that could not be placed (no gazetteer, or code not found).
    pub unplaced: Vec<String>,
}

/// The department boundaries built into the binary (simplified DANE MGN 2018).
pub const BUILTIN_BOUNDARIES: &str = include_str!("../../assets/colombia/departamentos.geojson");
/// The municipality gazetteer built into the binary (DANE DIVIPOLA).
pub const BUILTIN_GAZETTEER: &str = include_str!("../../assets/colombia/gazetteer.csv");

impl MapInput {
    /// Reads the files given; a file not given is the built-in one.
    pub fn load(boundaries: Option<&Path>, gazetteer: Option<&Path>) -> Result<MapInput> {
        Ok(MapInput {
            departments: Some(match boundaries {
                Some(p) => read_boundaries(p)?,
                None => builtin_boundaries()?,
            }),
            gazetteer: Some(match gazetteer {
                Some(p) => read_gazetteer(p)?,
                None => builtin_gazetteer()?,
            }),
        })
    }

    /// The built-in boundaries and gazetteer.
    pub fn builtin() -> Result<MapInput> {
        MapInput::load(None, None)
    }

    /// Locations of the flagged entities found in the gazetteer, in list order.
    pub fn locations(&self, flagged: &[FlaggedEntity]) -> Vec<Location> {
        let Some(g) = &self.gazetteer else {
            return Vec::new();
        };
        flagged
            .iter()
            .filter_map(|f| {
                g.locate(&f.entity_code).map(|at| Location {
                    entity_code: f.entity_code.clone(),
                    at,
                })
            })
            .collect()
    }

    /// The projected map, when boundaries were given.
    pub fn project(&self, flagged: &[FlaggedEntity]) -> Option<MapData> {
        let deps = self.departments.as_ref()?;
        let proj = Projection::fit(deps)?;
        let locations: BTreeMap<String, LonLat> = self
            .locations(flagged)
            .into_iter()
            .map(|l| (l.entity_code, l.at))
            .collect();
        let flagged_deps: Vec<String> = flagged
            .iter()
            .map(|f| f.entity_code.chars().take(2).collect())
            .collect();
        let shapes = deps
            .iter()
            .map(|d| MapShape {
                code: d.code.clone(),
                name: d.name.clone(),
                path: proj.path(&d.rings),
                has_flagged: flagged_deps.contains(&d.code),
            })
            .collect();
        let mut points = Vec::new();
        let mut unplaced = Vec::new();
        for (i, f) in flagged.iter().enumerate() {
            match locations.get(&f.entity_code) {
                Some(p) => {
                    let (x, y) = proj.xy(p.lon, p.lat);
                    points.push(MapPoint {
                        rank: i + 1,
                        entity_code: f.entity_code.clone(),
                        entity_name: f.entity_name.clone(),
                        severity: f.severity,
                        x,
                        y,
                    });
                }
                None => unplaced.push(f.entity_code.clone()),
            }
        }
        Some(MapData {
            width: MAP_WIDTH,
            height: proj.height,
            shapes,
            points,
            unplaced,
        })
    }
}

struct Projection {
    min_lon: f64,
    max_lat: f64,
    kx: f64,
    k: f64,
    height: f64,
}

impl Projection {
    fn fit(deps: &[Department]) -> Option<Projection> {
        let pts = deps.iter().flat_map(|d| d.rings.iter().flatten());
        let (mut min_lon, mut max_lon, mut min_lat, mut max_lat) = (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        );
        for &(lon, lat) in pts {
            min_lon = min_lon.min(lon);
            max_lon = max_lon.max(lon);
            min_lat = min_lat.min(lat);
            max_lat = max_lat.max(lat);
        }
        if !(max_lon > min_lon && max_lat > min_lat) {
            return None;
        }
        let cos = ((min_lat + max_lat) / 2.0).to_radians().cos();
        let k = (MAP_WIDTH - 2.0 * MARGIN) / ((max_lon - min_lon) * cos);
        Some(Projection {
            min_lon,
            max_lat,
            kx: k * cos,
            k,
            height: ((max_lat - min_lat) * k + 2.0 * MARGIN).round(),
        })
    }

    fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        let x = MARGIN + (lon - self.min_lon) * self.kx;
        let y = MARGIN + (self.max_lat - lat) * self.k;
        ((x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0)
    }

    /// SVG path data; consecutive points closer than half a unit are dropped.
    fn path(&self, rings: &[Vec<(f64, f64)>]) -> String {
        let mut out = String::new();
        for ring in rings {
            let mut last: Option<(f64, f64)> = None;
            let mut n = 0;
            for &(lon, lat) in ring {
                let p = self.xy(lon, lat);
                if let Some(l) = last
                    && (p.0 - l.0).abs() < 0.5
                    && (p.1 - l.1).abs() < 0.5
                {
                    continue;
                }
                out.push_str(if n == 0 { "M" } else { "L" });
                out.push_str(&format!("{:.1} {:.1}", p.0, p.1));
                last = Some(p);
                n += 1;
            }
            if n > 0 {
                out.push('Z');
            }
        }
        out
    }
}

/// The built-in department polygons.
pub fn builtin_boundaries() -> Result<Vec<Department>> {
    parse_boundaries(
        BUILTIN_BOUNDARIES,
        Path::new("(built-in) departamentos.geojson"),
    )
}

/// The built-in gazetteer.
pub fn builtin_gazetteer() -> Result<Gazetteer> {
    parse_gazetteer(BUILTIN_GAZETTEER, Path::new("(built-in) gazetteer.csv"))
}

/// Reads department polygons from a GeoJSON FeatureCollection.
pub fn read_boundaries(path: &Path) -> Result<Vec<Department>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_boundaries(&text, path)
}

/// Parses a GeoJSON FeatureCollection of departments (`path` only names it in errors).
pub fn parse_boundaries(text: &str, path: &Path) -> Result<Vec<Department>> {
    let json: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::file(path, format!("not valid JSON (line {}): {e}", e.line())))?;
    let features = json
        .get("features")
        .and_then(|f| f.as_array())
        .ok_or_else(|| {
            Error::file(
                path,
                "not a GeoJSON FeatureCollection (no \"features\" array)",
            )
        })?;
    let mut out = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let props = f.get("properties");
        let prop = |k: &str| {
            props
                .and_then(|p| p.get(k))
                .map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .unwrap_or_default()
        };
        let geom = f.get("geometry");
        let kind = geom.and_then(|g| g.get("type")).and_then(|t| t.as_str());
        let coords = geom.and_then(|g| g.get("coordinates"));
        let polygons: Vec<&serde_json::Value> = match (kind, coords) {
            (Some("Polygon"), Some(c)) => vec![c],
            (Some("MultiPolygon"), Some(serde_json::Value::Array(ps))) => ps.iter().collect(),
            (None, _) | (Some(_), None) => continue,
            (Some(other), _) if other != "Polygon" && other != "MultiPolygon" => continue,
            _ => {
                return Err(Error::file(
                    path,
                    format!("feature {i}: malformed coordinates"),
                ));
            }
        };
        let mut rings = Vec::new();
        for poly in polygons {
            for ring in poly.as_array().into_iter().flatten() {
                rings.push(ring_points(ring).ok_or_else(|| {
                    Error::file(
                        path,
                        format!("feature {i}: a ring is not a list of [lon, lat]"),
                    )
                })?);
            }
        }
        out.push(Department {
            code: prop("DPTO_CCDGO"),
            name: prop("DPTO_CNMBR"),
            rings,
        });
    }
    if out.is_empty() {
        return Err(Error::file(path, "no Polygon or MultiPolygon features"));
    }
    out.sort_by(|a, b| a.code.cmp(&b.code).then_with(|| a.name.cmp(&b.name)));
    Ok(out)
}

fn ring_points(ring: &serde_json::Value) -> Option<Vec<(f64, f64)>> {
    ring.as_array()?
        .iter()
        .map(|p| {
            let p = p.as_array()?;
            let lon = p.first()?.as_f64()?;
            let lat = p.get(1)?.as_f64()?;
            (lon.is_finite() && lat.is_finite()).then_some((lon, lat))
        })
        .collect()
}

/// Reads the gazetteer (see the module docs for its columns) with the one tabular reader: any
/// encoding, delimiter or workbook the month import accepts.
pub fn read_gazetteer(path: &Path) -> Result<Gazetteer> {
    gazetteer_from_table(&crate::ingest::table::read_table(path)?)
}

/// Parses gazetteer CSV text (`path` only names it in errors).
pub fn parse_gazetteer(text: &str, path: &Path) -> Result<Gazetteer> {
    gazetteer_from_table(&crate::ingest::reader::read_csv_text(text, path)?)
}

fn gazetteer_from_table(t: &Table) -> Result<Gazetteer> {
    let code_col = t.column("divipola_mpio")?;
    let pairs = [
        ("lat_cabecera", "lon_cabecera"),
        ("lat_centroide", "lon_centroide"),
    ];
    let pair_cols: Vec<(usize, usize)> = pairs
        .iter()
        .filter_map(|(a, b)| Some((t.find_column(a)?, t.find_column(b)?)))
        .collect();
    if pair_cols.is_empty() {
        return Err(Error::at(
            &t.path,
            Some(1),
            None,
            "needs lat_cabecera/lon_cabecera or lat_centroide/lon_centroide columns",
        ));
    }
    let mut g = Gazetteer::default();
    for rec in &t.rows {
        let code = rec.get(code_col).trim();
        if code.is_empty() {
            continue;
        }
        let num = |c: usize| {
            rec.get(c)
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
        };
        let point = pair_cols.iter().find_map(|&(la, lo)| {
            Some(LonLat {
                lat: num(la)?,
                lon: num(lo)?,
            })
        });
        if let Some(p) = point {
            g.municipalities.insert(format!("{code:0>5}"), p);
        }
    }
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_map_files_parse_and_place_every_department_capital() {
        let deps = builtin_boundaries().unwrap();
        assert_eq!(deps.len(), 33);
        let g = builtin_gazetteer().unwrap();
        assert!(g.municipalities.len() > 1100, "{}", g.municipalities.len());
        assert!(g.locate("19318").is_some(), "Guapi");
        assert!(BUILTIN_BOUNDARIES.len() + BUILTIN_GAZETTEER.len() < 1_000_000);
    }

    #[test]
    fn locates_municipalities_and_departments() {
        let mut g = Gazetteer::default();
        g.municipalities.insert(
            "05001".into(),
            LonLat {
                lon: -75.5,
                lat: 6.2,
            },
        );
        g.municipalities.insert(
            "91263".into(),
            LonLat {
                lon: -70.0,
                lat: -2.0,
            },
        );
        g.municipalities.insert(
            "91405".into(),
            LonLat {
                lon: -72.0,
                lat: -1.0,
            },
        );
        assert_eq!(
            g.locate("05001"),
            Some(LonLat {
                lon: -75.5,
                lat: 6.2
            })
        );
        assert_eq!(
            g.locate("5001"),
            Some(LonLat {
                lon: -75.5,
                lat: 6.2
            })
        );
        assert_eq!(
            g.locate("05"),
            Some(LonLat {
                lon: -75.5,
                lat: 6.2
            }),
            "capital"
        );
        assert_eq!(
            g.locate("91"),
            Some(LonLat {
                lon: -71.0,
                lat: -1.5
            }),
            "centroid"
        );
        assert_eq!(g.locate("99"), None);
        assert_eq!(g.locate("abc"), None);
    }
}
