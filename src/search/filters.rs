//! Stage: search. Structured filters (month, question, entity, place, code, rating, coded) and
//! the query that selects them.
//!
//! In: a [`Filters`] value (from CLI flags or the web app). Out: one unscored tantivy query,
//! joined to the text query as a required clause that adds nothing to the BM25 score. Within one
//! filter several values mean OR (`--region Caribe --region Pacífico`); different filters AND.

use std::ops::Bound;

use serde::{Deserialize, Serialize};
use tantivy::Term;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

use crate::analyze::plain_terms;
use crate::error::{Error, Result};
use crate::month::Month;
use crate::store::{Fields, filter_key};

/// Which codes `--code` looks at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeSource {
    /// Codes assigned by analysts.
    Human,
    /// Codes assigned by a trained model.
    Machine,
    /// Either (the default).
    #[default]
    Any,
}

/// Filters narrowing a search. Empty vectors and `None` mean "no restriction".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filters {
    /// Exact months (any of them).
    pub months: Vec<Month>,
    /// First month of a range (inclusive).
    pub from: Option<Month>,
    /// Last month of a range (inclusive).
    pub to: Option<Month>,
    /// Question ids.
    pub questions: Vec<String>,
    /// Entity codes, or words of entity names ("Medellín", "santa marta").
    pub entities: Vec<String>,
    /// Departments, matched without case or accents.
    pub departments: Vec<String>,
    /// Regions, matched without case or accents ("Pacifico" = "Pacífico").
    pub regions: Vec<String>,
    /// Code ids (any of them).
    pub codes: Vec<String>,
    /// Which codes `codes` matches.
    pub code_source: CodeSource,
    /// Lowest rating (inclusive); answers without a rating are excluded.
    pub min_rating: Option<f64>,
    /// Highest rating (inclusive); answers without a rating are excluded.
    pub max_rating: Option<f64>,
    /// `Some(true)`: only answers with human codes; `Some(false)`: only answers without.
    pub coded: Option<bool>,
}

type Q = Box<dyn Query>;

fn term(field: Field, value: &str) -> Q {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// Any of `clauses` (none → `None`).
fn any(mut clauses: Vec<Q>) -> Option<Q> {
    match clauses.len() {
        0 => None,
        1 => clauses.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            clauses.into_iter().map(|q| (Occur::Should, q)).collect(),
        ))),
    }
}

impl Filters {
    /// True when no filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }

    /// Checks the filters make sense together (ratings are numbers, ranges are not reversed).
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("min rating", self.min_rating),
            ("max rating", self.max_rating),
        ] {
            if v.is_some_and(|v| !v.is_finite()) {
                return Err(Error::argument(
                    name,
                    format!("the {name} must be a number"),
                ));
            }
        }
        if let (Some(lo), Some(hi)) = (self.min_rating, self.max_rating)
            && lo > hi
        {
            return Err(Error::argument(
                "min rating",
                format!("the min rating {lo} is above the max rating {hi}"),
            ));
        }
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(Error::argument(
                "month range",
                format!("the month range is reversed: {from} comes after {to}"),
            ));
        }
        Ok(())
    }

    /// The query selecting these filters, or `None` when there are none.
    pub(crate) fn query(&self, f: &Fields) -> Result<Option<Q>> {
        self.validate()?;
        let mut must: Vec<Q> = Vec::new();
        let months = self
            .months
            .iter()
            .map(|m| month_range(f, Some(*m), Some(*m)));
        must.extend(any(months.collect()));
        if self.from.is_some() || self.to.is_some() {
            must.push(month_range(f, self.from, self.to));
        }
        must.extend(any(self
            .questions
            .iter()
            .map(|q| term(f.question, q))
            .collect()));
        must.extend(any(self
            .entities
            .iter()
            .filter_map(|e| entity(f, e))
            .collect()));
        let keyed = |field: Field, values: &[String]| {
            any(values.iter().map(|v| term(field, &filter_key(v))).collect())
        };
        must.extend(keyed(f.department_key, &self.departments));
        must.extend(keyed(f.region_key, &self.regions));
        must.extend(any(self
            .codes
            .iter()
            .flat_map(|c| self.code(f, c))
            .collect()));
        if self.min_rating.is_some() || self.max_rating.is_some() {
            let bound = |v: Option<f64>| match v {
                Some(v) => Bound::Included(Term::from_field_f64(f.rating, v)),
                None => Bound::Unbounded,
            };
            must.push(Box::new(RangeQuery::new(
                bound(self.min_rating),
                bound(self.max_rating),
            )));
        }
        if let Some(coded) = self.coded {
            must.push(Box::new(TermQuery::new(
                Term::from_field_u64(f.coded, coded as u64),
                IndexRecordOption::Basic,
            )));
        }
        Ok(match must.len() {
            0 => None,
            1 => must.pop(),
            _ => Some(Box::new(BooleanQuery::new(
                must.into_iter().map(|q| (Occur::Must, q)).collect(),
            ))),
        })
    }

    fn code(&self, f: &Fields, code: &str) -> Vec<Q> {
        match self.code_source {
            CodeSource::Human => vec![term(f.codes, code)],
            CodeSource::Machine => vec![term(f.machine_codes, code)],
            CodeSource::Any => vec![term(f.codes, code), term(f.machine_codes, code)],
        }
    }
}

fn month_range(f: &Fields, from: Option<Month>, to: Option<Month>) -> Q {
    let bound = |m: Option<Month>| match m {
        Some(m) => Bound::Included(Term::from_field_u64(f.month, m.as_u32() as u64)),
        None => Bound::Unbounded,
    };
    Box::new(RangeQuery::new(bound(from), bound(to)))
}

/// An entity by its exact code, or by the words of its name in order ("santa marta").
fn entity(f: &Fields, value: &str) -> Option<Q> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let words = plain_terms(value);
    let by_name: Option<Q> = match words.as_slice() {
        [] => None,
        [one] => Some(term(f.entity_name, one)),
        many => Some(Box::new(PhraseQuery::new(
            many.iter()
                .map(|w| Term::from_field_text(f.entity_name, w))
                .collect(),
        ))),
    };
    any(std::iter::once(term(f.entity, value))
        .chain(by_name)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        let mut f = Filters {
            min_rating: Some(4.0),
            max_rating: Some(2.0),
            ..Filters::default()
        };
        assert!(f.validate().is_err());
        f.max_rating = Some(f64::NAN);
        assert!(f.validate().is_err());
        f.max_rating = None;
        assert!(f.validate().is_ok());
        f.from = Month::parse("2020-09");
        f.to = Month::parse("2020-07");
        assert!(f.validate().unwrap_err().to_string().contains("reversed"));
    }

    #[test]
    fn empty_filters_give_no_query() {
        let (_, fields) = crate::store::schema();
        assert!(Filters::default().query(&fields).unwrap().is_none());
        assert!(Filters::default().is_empty());
    }
}
