//! Stage: search. Facet counts over every matching answer (not only the shown page), read from
//! the store's fast fields by a small custom collector.
//!
//! In: the facets asked for. Out: per facet, `(value, count)` rows — by count descending then
//! value, except months, which are listed chronologically.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::month::Month;

/// A field to count hits by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountBy {
    Month,
    Question,
    Region,
    Department,
    /// Human codes (an answer with two codes counts for both).
    Code,
    /// Codes assigned by a model.
    MachineCode,
}

impl CountBy {
    /// Every facet, in display order.
    pub const ALL: [CountBy; 6] = [
        CountBy::Month,
        CountBy::Question,
        CountBy::Region,
        CountBy::Department,
        CountBy::Code,
        CountBy::MachineCode,
    ];

    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            CountBy::Month => "month",
            CountBy::Question => "question",
            CountBy::Region => "region",
            CountBy::Department => "department",
            CountBy::Code => "code",
            CountBy::MachineCode => "machine_code",
        }
    }

    /// The fast field holding the values (see `store::schema`).
    fn field(self) -> &'static str {
        match self {
            CountBy::Month => "month",
            CountBy::Question => "question",
            CountBy::Region => "region",
            CountBy::Department => "department",
            CountBy::Code => "codes",
            CountBy::MachineCode => "machine_codes",
        }
    }
}

impl fmt::Display for CountBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for CountBy {
    type Err = String;

    fn from_str(s: &str) -> Result<CountBy, String> {
        CountBy::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = CountBy::ALL.iter().map(|c| c.name()).collect();
                format!("unknown facet '{s}': expected one of {}", names.join(", "))
            })
    }
}

/// One facet value and how many matching answers have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Counts of one facet over all matching answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facet {
    pub by: CountBy,
    pub counts: Vec<FacetCount>,
}

/// Counts raw values per facet. Months are kept as `yyyymm` numbers until the end.
type Raw = Vec<BTreeMap<String, u64>>;

/// The collector: one count table per requested facet.
pub(crate) struct FacetCollector {
    by: Vec<CountBy>,
}

impl FacetCollector {
    /// Counts `by`, in the order given (repeats ignored).
    pub fn new(by: &[CountBy]) -> FacetCollector {
        let mut unique: Vec<CountBy> = Vec::with_capacity(by.len());
        for b in by {
            if !unique.contains(b) {
                unique.push(*b);
            }
        }
        FacetCollector { by: unique }
    }
}

enum SegmentColumn {
    Month(Column<u64>, FxHashMap<u64, u64>),
    /// A string column, its counts by term ordinal, and whether a doc may hold several values.
    Str(StrColumn, Vec<u64>, bool),
    Missing,
}

/// Docs are counted in blocks of this many: batched column reads are several times faster.
const BLOCK: usize = 64;

/// Per-segment state of [`FacetCollector`].
pub(crate) struct FacetSegment {
    columns: Vec<SegmentColumn>,
    block: Vec<DocId>,
    values: Vec<Option<u64>>,
}

impl Collector for FacetCollector {
    type Fruit = Vec<Facet>;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let ff = reader.fast_fields();
        let mut columns = Vec::with_capacity(self.by.len());
        for by in &self.by {
            columns.push(match by {
                CountBy::Month => SegmentColumn::Month(ff.u64(by.field())?, FxHashMap::default()),
                _ => match ff.str(by.field())? {
                    Some(col) => {
                        let n = col.num_terms();
                        let multi = col.ords().get_cardinality() == Cardinality::Multivalued;
                        SegmentColumn::Str(col, vec![0; n], multi)
                    }
                    None => SegmentColumn::Missing,
                },
            });
        }
        Ok(FacetSegment {
            columns,
            block: Vec::with_capacity(BLOCK),
            values: vec![None; BLOCK],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Raw>) -> tantivy::Result<Vec<Facet>> {
        let mut total: Raw = vec![BTreeMap::new(); self.by.len()];
        for fruit in fruits {
            for (acc, part) in total.iter_mut().zip(fruit) {
                for (value, n) in part {
                    *acc.entry(value).or_default() += n;
                }
            }
        }
        Ok(self
            .by
            .iter()
            .zip(total)
            .map(|(by, counts)| finish(*by, counts))
            .collect())
    }
}

impl FacetSegment {
    /// Counts the buffered block of docs.
    fn flush(&mut self) {
        let docs = &self.block[..];
        let values = &mut self.values[..docs.len()];
        for column in &mut self.columns {
            match column {
                SegmentColumn::Month(col, counts) => {
                    values.fill(None);
                    col.first_vals(docs, values);
                    for v in values.iter().flatten() {
                        *counts.entry(*v).or_default() += 1;
                    }
                }
                SegmentColumn::Str(col, counts, false) => {
                    values.fill(None);
                    col.ords().first_vals(docs, values);
                    for ord in values.iter().flatten() {
                        if let Some(c) = counts.get_mut(*ord as usize) {
                            *c += 1;
                        }
                    }
                }
                SegmentColumn::Str(col, counts, true) => {
                    for &doc in docs {
                        for ord in col.term_ords(doc) {
                            if let Some(c) = counts.get_mut(ord as usize) {
                                *c += 1;
                            }
                        }
                    }
                }
                SegmentColumn::Missing => {}
            }
        }
        self.block.clear();
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Raw;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.block.push(doc);
        if self.block.len() == BLOCK {
            self.flush();
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        for &doc in docs {
            self.collect(doc, 0.0);
        }
    }

    fn harvest(mut self) -> Raw {
        self.flush();
        self.columns
            .into_iter()
            .map(|column| match column {
                SegmentColumn::Month(_, counts) => counts
                    .into_iter()
                    .map(|(v, n)| (format!("{v:06}"), n))
                    .collect(),
                SegmentColumn::Str(col, counts, _) => {
                    let mut out = BTreeMap::new();
                    let mut name = String::new();
                    for (ord, n) in counts.into_iter().enumerate() {
                        name.clear();
                        if n > 0 && col.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                            *out.entry(name.clone()).or_default() += n;
                        }
                    }
                    out
                }
                SegmentColumn::Missing => BTreeMap::new(),
            })
            .collect()
    }
}

/// Orders one facet's counts: months chronologically, the rest by count desc then value.
fn finish(by: CountBy, counts: BTreeMap<String, u64>) -> Facet {
    let mut rows: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    if by == CountBy::Month {
        // Keys are zero-padded yyyymm, so the BTreeMap order is chronological already.
        for r in &mut rows {
            if let Some(m) = r.value.parse().ok().and_then(Month::from_u32) {
                r.value = m.to_string();
            }
        }
    } else {
        rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    }
    Facet { by, counts: rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in CountBy::ALL {
            assert_eq!(c.name().parse::<CountBy>().unwrap(), c);
        }
        assert!(
            "entity"
                .parse::<CountBy>()
                .unwrap_err()
                .contains("machine_code")
        );
    }

    #[test]
    fn ordering() {
        let counts: BTreeMap<String, u64> = [("b", 2), ("a", 2), ("c", 5)]
            .map(|(k, v)| (k.to_string(), v))
            .into();
        let f = finish(CountBy::Region, counts);
        let order: Vec<&str> = f.counts.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(order, ["c", "a", "b"]);
        let months: BTreeMap<String, u64> = [("202011", 9), ("202007", 1)]
            .map(|(k, v)| (k.to_string(), v))
            .into();
        let f = finish(CountBy::Month, months);
        assert_eq!(f.counts[0].value, "2020-07");
        assert_eq!(f.counts[1].value, "2020-11");
    }
}
