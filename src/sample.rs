//! Stage: sampling (after trends). Draws next month's interview sample from a population of
//! entities.
//!
//! In: the population (CSV `entity_code,entity_name,department,region[,entity_kind]`), each
//! entity's last interview month before the target month, the entities flagged in the latest
//! month with data before it, the size and a seed. Out: the [`Sample`] rows with a reason each.
//!
//! Method:
//! 1. **Quotas** by region in proportion to the population (Hamilton / largest remainder;
//!    equal remainders go to the region listed first alphabetically).
//! 2. **Flagged entities** (priority attention last month) are always included, inside their
//!    region's quota. If a region has more flagged entities than its quota, its quota grows to
//!    hold them all and the extra places are taken, one at a time, from the region with the most
//!    places left after its own flagged entities (ties: alphabetical). If the flagged entities
//!    alone exceed the requested size, all are kept and the sample is larger than asked (a note
//!    says so).
//! 3. The remaining places of each region are drawn **without replacement, weighted** by how long
//!    ago the entity was last interviewed: weight = months since the last interview (capped at
//!    12); never interviewed = 24. Weighted draw by Efraimidis–Spirakis keys `u^(1/w)` with a
//!    seeded ChaCha8 generator over the entities in code order: same inputs and seed → same
//!    sample.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::error::{Error, Result, RowError};
use crate::ingest::reader::read_csv_text;
use crate::ingest::table::{Record, Table, read_table};
use crate::month::Month;

/// Weight of an entity never interviewed.
pub(crate) const NEVER_WEIGHT: f64 = 24.0;
/// Months since the last interview are capped here.
pub(crate) const MAX_MONTHS_WEIGHT: f64 = 12.0;
/// An entity last interviewed at least this many months ago counts as "sin entrevista reciente".
pub(crate) const RECENT_MONTHS: i32 = 3;

/// One entity of the population.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PopulationEntity {
    pub entity_code: String,
    pub entity_name: String,
    pub department: String,
    pub region: String,
    pub entity_kind: Option<String>,
}

/// Reads and validates a population table (CSV in any encoding and delimiter the month import
/// accepts, or a workbook); every problem names its row and column.
pub fn read_population(path: &Path) -> Result<Vec<PopulationEntity>> {
    population_from_table(&read_table(path)?)
}

/// Parses population CSV text (`path` only names it in errors).
pub fn parse_population(text: &str, path: &Path) -> Result<Vec<PopulationEntity>> {
    population_from_table(&read_csv_text(text, path)?)
}

const POPULATION_COLUMNS: [&str; 4] = ["entity_code", "entity_name", "department", "region"];

/// A population from a table read by the one tabular reader: its own columns, or a gazetteer's.
fn population_from_table(t: &Table) -> Result<Vec<PopulationEntity>> {
    if t.find_column("entity_code").is_none() && t.find_column("divipola_mpio").is_some() {
        return gazetteer_population(t);
    }
    let cols = POPULATION_COLUMNS
        .iter()
        .map(|c| t.column(c))
        .collect::<Result<Vec<_>>>()?;
    let kind_col = t.find_column("entity_kind");
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for rec in &t.rows {
        let vals = required_cells(rec, &cols, &mut errors);
        if let Some(first) = seen.get(&vals[0]) {
            errors.push(RowError {
                row: Some(rec.line),
                column: Some("entity_code".into()),
                message: format!("entity '{}' already listed in row {first}", vals[0]),
            });
        } else if !vals[0].is_empty() {
            seen.insert(vals[0].clone(), rec.line);
        }
        let kind = kind_col
            .map(|c| rec.get(c).trim().to_string())
            .filter(|s| !s.is_empty());
        let [code, name, department, region] = vals;
        out.push(PopulationEntity {
            entity_code: code,
            entity_name: name,
            department,
            region,
            entity_kind: kind,
        });
    }
    if !errors.is_empty() {
        return Err(Error::Rows {
            file: t.path.clone(),
            errors,
        });
    }
    if out.is_empty() {
        return Err(Error::file(&t.path, "the population lists no entity"));
    }
    Ok(out)
}

/// The four required cells of a row, trimmed; an empty one is an error naming its column.
fn required_cells(rec: &Record, cols: &[usize], errors: &mut Vec<RowError>) -> [String; 4] {
    let mut vals: [String; 4] = Default::default();
    for ((name, &c), v) in POPULATION_COLUMNS.iter().zip(cols).zip(&mut vals) {
        *v = rec.get(c).trim().to_string();
        if v.is_empty() {
            errors.push(RowError {
                row: Some(rec.line),
                column: Some(name.to_string()),
                message: "empty value".into(),
            });
        }
    }
    vals
}

/// A gazetteer read as a population (its own columns: `divipola_mpio`, `municipio`,
/// `divipola_dpto`, `departamento`, `tipo` and `region` or `region_pnd` — the built-in
/// `assets/colombia/gazetteer.csv` or DANE's DIVIPOLA file): one alcaldía per municipality
/// (áreas no municipalizadas have none) and one gobernación per department (Bogotá, a district,
/// has none), named as the survey names them, in the department's region.
fn gazetteer_population(t: &Table) -> Result<Vec<PopulationEntity>> {
    let mut cols = Vec::new();
    for names in [
        &["divipola_mpio"][..],
        &["municipio"],
        &["divipola_dpto"],
        &["departamento"],
        &["region", "region_pnd"],
    ] {
        let found = names.iter().find_map(|n| t.find_column(n));
        cols.push(found.map_or_else(|| t.column(names[0]), Ok)?);
    }
    let tipo = t.find_column("tipo");
    let mut out = Vec::new();
    let mut departments: BTreeMap<String, PopulationEntity> = BTreeMap::new();
    for rec in &t.rows {
        let v: Vec<&str> = cols.iter().map(|&c| rec.get(c).trim()).collect();
        if v[0].is_empty() || tipo.is_some_and(|c| rec.get(c).contains("no municipalizada")) {
            continue;
        }
        let region = v[4].trim_start_matches("Región ").to_string();
        let (dpto, department) = (format!("{:0>2}", v[2]), v[3].to_string());
        if dpto != "11" {
            departments
                .entry(dpto.clone())
                .or_insert_with(|| PopulationEntity {
                    entity_code: dpto,
                    entity_name: format!("Gobernación de {department}"),
                    department: department.clone(),
                    region: region.clone(),
                    entity_kind: Some("gobernación".into()),
                });
        }
        out.push(PopulationEntity {
            entity_code: format!("{:0>5}", v[0]),
            entity_name: format!("Alcaldía de {}", title_case(v[1])),
            department,
            region,
            entity_kind: Some("alcaldía".into()),
        });
    }
    out.extend(departments.into_values());
    if out.is_empty() {
        return Err(Error::file(&t.path, "the population lists no entity"));
    }
    out.sort_by(|a, b| a.entity_code.cmp(&b.entity_code));
    Ok(out)
}

/// "SAN ANDRÉS DE TUMACO" → "San Andrés de Tumaco"; abbreviations ("D.C.") stay as written.
fn title_case(name: &str) -> String {
    const SMALL: [&str; 8] = ["de", "del", "la", "las", "los", "el", "y", "e"];
    name.split_whitespace()
        .enumerate()
        .map(|(i, w)| {
            let lower = w.to_lowercase();
            if w.contains('.') || (i > 0 && SMALL.contains(&lower.as_str())) {
                return if w.contains('.') {
                    w.to_string()
                } else {
                    lower
                };
            }
            let mut c = lower.chars();
            c.next()
                .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The built-in gazetteer (`assets/colombia/gazetteer.csv`) as the population: every alcaldía
/// and gobernación of Colombia, by PND region.
pub fn builtin_population() -> Result<Vec<PopulationEntity>> {
    parse_population(
        crate::report::map::BUILTIN_GAZETTEER,
        Path::new("(built-in) gazetteer.csv"),
    )
}

/// What the sample is drawn from and how.
#[derive(Debug, Clone)]
pub struct SampleRequest<'a> {
    pub month: Month,
    pub size: usize,
    pub seed: u64,
    pub population: &'a [PopulationEntity],
    /// Each entity's last interview month before `month`.
    pub last_interview: &'a BTreeMap<String, Month>,
    /// Entities flagged in the latest month with data before `month`.
    pub flagged: &'a BTreeSet<String>,
}

/// Why an entity is in the sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Reason {
    /// Flagged for priority attention last month.
    Priorizada,
    /// Never interviewed.
    NuncaEntrevistada,
    /// Last interviewed ≥ 3 months before.
    SinEntrevistaReciente,
    /// Drawn by region.
    SeleccionAleatoria,
}

impl Reason {
    /// The text written in the CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Priorizada => "priorizada",
            Reason::NuncaEntrevistada => "nunca entrevistada",
            Reason::SinEntrevistaReciente => "sin entrevista reciente",
            Reason::SeleccionAleatoria => "selección aleatoria por región",
        }
    }
}

/// One sampled entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleRow {
    pub entity: PopulationEntity,
    pub reason: Reason,
    pub last_interview: Option<Month>,
}

/// The drawn sample, sorted by region then entity code, with notes for the analyst.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sample {
    pub rows: Vec<SampleRow>,
    /// Region → number of places.
    pub quotas: BTreeMap<String, usize>,
    pub notes: Vec<String>,
}

/// Largest-remainder quotas of `size` over region counts.
pub fn quotas(counts: &BTreeMap<String, usize>, size: usize) -> BTreeMap<String, usize> {
    let total: usize = counts.values().sum();
    if total == 0 {
        return BTreeMap::new();
    }
    let mut q: BTreeMap<String, usize> = BTreeMap::new();
    let mut rema: Vec<(u128, &String)> = Vec::new();
    for (r, &n) in counts {
        let exact = size as u128 * n as u128;
        q.insert(r.clone(), (exact / total as u128) as usize);
        rema.push((exact % total as u128, r));
    }
    let given: usize = q.values().sum();
    // Larger remainder first; equal remainders: alphabetical (stable sort keeps map order).
    rema.sort_by_key(|r| std::cmp::Reverse(r.0));
    for (_, r) in rema.into_iter().take(size.saturating_sub(given)) {
        if let Some(v) = q.get_mut(r) {
            *v += 1;
        }
    }
    q
}

/// The drawing weight of an entity (see the module docs).
pub fn weight(last: Option<Month>, month: Month) -> f64 {
    match last {
        None => NEVER_WEIGHT,
        Some(l) => (l.months_until(month).max(1) as f64).min(MAX_MONTHS_WEIGHT),
    }
}

/// A [`SampleRequest`] whose size fits its population: only [`SampleRequest::check`] makes
/// one, and [`draw`] takes only this, so a size of 0 or one beyond the population is refused
/// before anything is read or drawn.
#[derive(Debug, Clone)]
pub struct ValidSampleRequest<'a>(SampleRequest<'a>);

impl<'a> SampleRequest<'a> {
    /// Checks the size against the population (at least 1, at most every entity).
    pub fn check(self) -> Result<ValidSampleRequest<'a>> {
        let n = self.population.len();
        if self.size == 0 {
            return Err(Error::argument(
                "--size",
                "the sample size must be at least 1",
            ));
        }
        if self.size > n {
            return Err(Error::argument(
                "--size",
                format!(
                    "the sample size {} is larger than the population ({n} entities)",
                    self.size
                ),
            ));
        }
        Ok(ValidSampleRequest(self))
    }
}

impl<'a> std::ops::Deref for ValidSampleRequest<'a> {
    type Target = SampleRequest<'a>;

    fn deref(&self) -> &SampleRequest<'a> {
        &self.0
    }
}

/// Draws the sample.
pub fn draw(req: &ValidSampleRequest<'_>) -> Result<Sample> {
    let mut by_region: BTreeMap<String, Vec<&PopulationEntity>> = BTreeMap::new();
    for e in req.population {
        by_region.entry(e.region.clone()).or_default().push(e);
    }
    for v in by_region.values_mut() {
        v.sort_by(|a, b| a.entity_code.cmp(&b.entity_code));
    }
    let counts: BTreeMap<String, usize> = by_region
        .iter()
        .map(|(r, v)| (r.clone(), v.len()))
        .collect();
    let mut quota = quotas(&counts, req.size);
    let mut notes = Vec::new();

    let flagged_in: BTreeMap<String, usize> = by_region
        .iter()
        .map(|(r, v)| {
            (
                r.clone(),
                v.iter()
                    .filter(|e| req.flagged.contains(&e.entity_code))
                    .count(),
            )
        })
        .collect();
    notes.extend(unsampleable_flagged(req));
    rebalance(&mut quota, &flagged_in, req.size, &mut notes);

    let mut rng = ChaCha8Rng::seed_from_u64(req.seed);
    let mut rows = Vec::new();
    for (region, entities) in &by_region {
        let q = quota.get(region).copied().unwrap_or(0);
        let taken = flagged_in.get(region).copied().unwrap_or(0);
        draw_region(req, entities, q.saturating_sub(taken), &mut rng, &mut rows);
    }
    rows.sort_by(|a, b| {
        (&a.entity.region, &a.entity.entity_code).cmp(&(&b.entity.region, &b.entity.entity_code))
    });
    Ok(Sample {
        rows,
        quotas: quota,
        notes,
    })
}

/// The note on flagged entities the population lacks (they cannot be sampled), if any.
fn unsampleable_flagged(req: &SampleRequest<'_>) -> Option<String> {
    let known: BTreeSet<&str> = req
        .population
        .iter()
        .map(|e| e.entity_code.as_str())
        .collect();
    let missing: Vec<&str> = req
        .flagged
        .iter()
        .map(String::as_str)
        .filter(|c| !known.contains(c))
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "{} flagged entities are not in the population and cannot be sampled: {}",
            missing.len(),
            missing.join(", ")
        )
    })
}

/// One region's rows: every flagged entity, then `free` others drawn by weighted random keys
/// (one key per unflagged entity, in code order, so the seed fixes the draw).
fn draw_region(
    req: &SampleRequest<'_>,
    entities: &[&PopulationEntity],
    free: usize,
    rng: &mut ChaCha8Rng,
    rows: &mut Vec<SampleRow>,
) {
    let mut keyed: Vec<(f64, &PopulationEntity)> = Vec::new();
    for e in entities {
        let last = req.last_interview.get(&e.entity_code).copied();
        if req.flagged.contains(&e.entity_code) {
            rows.push(SampleRow {
                entity: (*e).clone(),
                reason: Reason::Priorizada,
                last_interview: last,
            });
            continue;
        }
        let u: f64 = rng.r#gen::<f64>().max(f64::MIN_POSITIVE);
        keyed.push((u.powf(1.0 / weight(last, req.month)), e));
    }
    keyed.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.entity_code.cmp(&b.1.entity_code))
    });
    for (_, e) in keyed.into_iter().take(free) {
        let last = req.last_interview.get(&e.entity_code).copied();
        let reason = match last {
            None => Reason::NuncaEntrevistada,
            Some(l) if l.months_until(req.month) >= RECENT_MONTHS => Reason::SinEntrevistaReciente,
            Some(_) => Reason::SeleccionAleatoria,
        };
        rows.push(SampleRow {
            entity: e.clone(),
            reason,
            last_interview: last,
        });
    }
}

/// Makes room for every flagged entity inside the quotas (see the module docs, step 2).
fn rebalance(
    quota: &mut BTreeMap<String, usize>,
    flagged_in: &BTreeMap<String, usize>,
    size: usize,
    notes: &mut Vec<String>,
) {
    let total_flagged: usize = flagged_in.values().sum();
    let mut extra = 0;
    for (r, &f) in flagged_in {
        let q = quota.entry(r.clone()).or_default();
        if f > *q {
            notes.push(format!(
                "region {r}: {f} flagged entities exceed its quota of {q}; its quota grows to {f}"
            ));
            extra += f - *q;
            *q = f;
        }
    }
    if total_flagged > size {
        notes.push(format!(
            "the {total_flagged} flagged entities exceed the requested size {size}: all are kept and \
             the sample has {total_flagged} entities"
        ));
        // Only flagged entities then: quotas equal to the flagged counts.
        for (r, q) in quota.iter_mut() {
            *q = flagged_in.get(r).copied().unwrap_or(0);
        }
        return;
    }
    while extra > 0 {
        let slack =
            |r: &String, q: usize| q.saturating_sub(flagged_in.get(r).copied().unwrap_or(0));
        let best = quota
            .iter()
            .filter(|(r, q)| slack(r, **q) > 0)
            .max_by(|a, b| {
                slack(a.0, *a.1)
                    .cmp(&slack(b.0, *b.1))
                    .then_with(|| b.0.cmp(a.0))
            })
            .map(|(r, _)| r.clone());
        let Some(r) = best else { break };
        if let Some(q) = quota.get_mut(&r) {
            *q -= 1;
        }
        extra -= 1;
    }
}

/// The sample as CSV rows (header included), formula-safe.
pub fn to_csv(sample: &Sample) -> std::result::Result<Vec<u8>, String> {
    let headers = [
        "entity_code",
        "entity_name",
        "department",
        "region",
        "entity_kind",
        "reason",
        "last_interview",
    ];
    let rows: Vec<Vec<String>> = sample
        .rows
        .iter()
        .map(|r| {
            vec![
                r.entity.entity_code.clone(),
                r.entity.entity_name.clone(),
                r.entity.department.clone(),
                r.entity.region.clone(),
                r.entity.entity_kind.clone().unwrap_or_default(),
                r.reason.as_str().to_string(),
                r.last_interview.map(|m| m.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    crate::tabular::csv_bytes(&headers, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pop(n_a: usize, n_b: usize, n_c: usize) -> Vec<PopulationEntity> {
        let mut out = Vec::new();
        for (region, n) in [("A", n_a), ("B", n_b), ("C", n_c)] {
            for i in 0..n {
                out.push(PopulationEntity {
                    entity_code: format!("{region}{i:03}"),
                    entity_name: format!("E {region}{i}"),
                    department: "D".into(),
                    region: region.into(),
                    entity_kind: None,
                });
            }
        }
        out
    }

    #[test]
    fn largest_remainder_quotas() {
        let counts: BTreeMap<String, usize> = [
            ("A".to_string(), 5),
            ("B".to_string(), 3),
            ("C".to_string(), 2),
        ]
        .into();
        // 7 × (0.5, 0.3, 0.2) = 3.5, 2.1, 1.4 → 3,2,1 + one for A (remainder .5)
        let q = quotas(&counts, 7);
        assert_eq!(q.values().copied().collect::<Vec<_>>(), [4, 2, 1]);
        assert_eq!(quotas(&counts, 10).values().sum::<usize>(), 10);
    }

    #[test]
    fn reproducible_and_includes_flagged() {
        let p = pop(50, 30, 20);
        let last = BTreeMap::new();
        let flagged: BTreeSet<String> =
            ["C001".to_string(), "C002".to_string(), "C003".to_string()].into();
        let m = Month::parse("2020-12").unwrap();
        let req = SampleRequest {
            month: m,
            size: 10,
            seed: 7,
            population: &p,
            last_interview: &last,
            flagged: &flagged,
        };
        let a = draw(&req.clone().check().unwrap()).unwrap();
        let b = draw(&req.clone().check().unwrap()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.rows.len(), 10);
        for c in &flagged {
            assert!(
                a.rows
                    .iter()
                    .any(|r| &r.entity.entity_code == c && r.reason == Reason::Priorizada)
            );
        }
        // C had quota 2 but 3 flagged: grows to 3, one place taken from A (most slack).
        assert_eq!(a.quotas["C"], 3);
        assert_eq!(a.quotas["A"], 4);
        assert!(!a.notes.is_empty());
        let other = draw(
            &SampleRequest {
                seed: 8,
                ..req.clone()
            }
            .check()
            .unwrap(),
        )
        .unwrap();
        assert_ne!(a.rows, other.rows);
    }

    #[test]
    fn flagged_beyond_size_are_all_kept() {
        let p = pop(5, 5, 0);
        let last = BTreeMap::new();
        let flagged: BTreeSet<String> = p.iter().take(4).map(|e| e.entity_code.clone()).collect();
        let m = Month::parse("2020-12").unwrap();
        let s = draw(
            &SampleRequest {
                month: m,
                size: 3,
                seed: 1,
                population: &p,
                last_interview: &last,
                flagged: &flagged,
            }
            .check()
            .unwrap(),
        )
        .unwrap();
        assert_eq!(s.rows.len(), 4);
        assert!(s.rows.iter().all(|r| r.reason == Reason::Priorizada));
        assert!(
            s.notes
                .iter()
                .any(|n| n.contains("exceed the requested size 3")),
            "{:?}",
            s.notes
        );
    }

    #[test]
    fn prefers_entities_not_interviewed_recently() {
        let p = pop(40, 0, 0);
        let m = Month::parse("2020-12").unwrap();
        // Half interviewed last month (weight 1), half never (weight 24).
        let last: BTreeMap<String, Month> = p
            .iter()
            .take(20)
            .map(|e| (e.entity_code.clone(), m.prev()))
            .collect();
        let flagged = BTreeSet::new();
        let mut never = 0;
        for seed in 0..20 {
            let s = draw(
                &SampleRequest {
                    month: m,
                    size: 10,
                    seed,
                    population: &p,
                    last_interview: &last,
                    flagged: &flagged,
                }
                .check()
                .unwrap(),
            )
            .unwrap();
            never += s
                .rows
                .iter()
                .filter(|r| r.reason == Reason::NuncaEntrevistada)
                .count();
        }
        assert!(never > 150, "never-interviewed drawn {never} of 200");
    }

    /// The size is checked before anything is drawn, naming the flag.
    #[test]
    fn a_size_outside_the_population_is_refused() {
        let p = pop(3, 2, 0);
        let (last, flagged) = (BTreeMap::new(), BTreeSet::new());
        let req = |size| SampleRequest {
            month: Month::parse("2020-12").unwrap(),
            size,
            seed: 1,
            population: &p,
            last_interview: &last,
            flagged: &flagged,
        };
        for (size, message) in [
            (0, "the sample size must be at least 1".to_string()),
            (
                6,
                "the sample size 6 is larger than the population (5 entities)".to_string(),
            ),
        ] {
            match req(size).check() {
                Err(Error::Argument { name, message: m }) => {
                    assert_eq!((name, m), ("--size", message));
                }
                other => panic!("size {size}: {other:?}"),
            }
        }
        assert!(req(5).check().is_ok());
    }

    #[test]
    fn the_gazetteer_is_a_population() {
        let p = builtin_population().unwrap();
        let find = |code: &str| p.iter().find(|e| e.entity_code == code).unwrap();
        let guapi = find("19318");
        assert_eq!(guapi.entity_name, "Alcaldía de Guapi");
        assert_eq!(
            (guapi.department.as_str(), guapi.region.as_str()),
            ("Cauca", "Pacífico")
        );
        assert_eq!(find("19").entity_name, "Gobernación de Cauca");
        assert_eq!(
            find("52835").entity_name,
            "Alcaldía de San Andrés de Tumaco"
        );
        assert!(
            p.iter()
                .all(|e| crate::demo::REGIONS.contains(&e.region.as_str()))
        );
        // 1,104 municipalities (no áreas no municipalizadas) and 32 gobernaciones.
        assert_eq!(p.len(), 1104 + 32);
    }

    #[test]
    fn bad_population_is_located() {
        let err = parse_population(
            "entity_code,entity_name,department\n1,a,b\n",
            Path::new("p.csv"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("p.csv") && err.contains("region"), "{err}");
        let err = parse_population(
            "entity_code,entity_name,department,region\n1,a,b,R\n1,c,d,\n",
            Path::new("p.csv"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("row 3, column 'region'") && err.contains("already listed in row 2"),
            "{err}"
        );
    }
}
