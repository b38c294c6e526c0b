//! A survey month (`YYYY-MM`), the unit every report and trend is counted in.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar month. Orders chronologically; displays as `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: u16,
    month: u8,
}

const MONTH_NAMES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

impl Month {
    /// A month from its parts; `None` unless 1 ≤ month ≤ 12 and 1900 ≤ year ≤ 2200.
    pub fn new(year: u16, month: u8) -> Option<Month> {
        ((1..=12).contains(&month) && (1900..=2200).contains(&year))
            .then_some(Month { year, month })
    }

    /// Parses exactly `YYYY-MM`.
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        Month::new(y.parse().ok()?, m.parse().ok()?)
    }

    /// Parses the forms analysts type besides `YYYY-MM`: `YYYY/M`, `YYYY-M`, `MM/YYYY`,
    /// `YYYY-MM-DD` (a real date: its month), and Spanish month names (`julio 2020`, `jul-2020`,
    /// `Julio de 2020`). Anything ambiguous or malformed is refused: stray characters or
    /// doubled separators (`2020-11/../../x`) and impossible dates (`2020-11-31`) are not read
    /// as the month they start with.
    pub fn parse_lenient(s: &str) -> Option<Month> {
        let t = s.trim().to_lowercase();
        if let Some(m) = Month::parse(&t) {
            return Some(m);
        }
        if !well_formed(&t) {
            return None;
        }
        let parts: Vec<&str> = t
            .split(['-', '/', ' ', '.'])
            .filter(|p| !p.is_empty() && *p != "de" && *p != "del")
            .collect();
        match parts.as_slice() {
            [a, b] => Month::from_two(a, b),
            [y, m, d] if y.len() == 4 && (1..=2).contains(&d.len()) => {
                let month = Month::from_numbers(y, m)?;
                let day: u8 = d.parse().ok()?;
                (1..=month.days()).contains(&day).then_some(month)
            }
            _ => None,
        }
    }

    /// The one parser of a month typed on the command line (every subcommand's `--month`,
    /// `--from`, `--to`): [`Month::parse_lenient`], with the message every subcommand gives.
    pub fn parse_arg(s: &str) -> Result<Month, String> {
        Month::parse_lenient(s).ok_or_else(|| {
            format!(
                "'{s}' is not a month: write YYYY-MM, e.g. 2020-11 (\"noviembre 2020\", \
                 \"2020/11\" and \"11/2020\" are accepted too)"
            )
        })
    }

    /// Days in this month.
    pub fn days(self) -> u8 {
        match self.month {
            4 | 6 | 9 | 11 => 30,
            2 if self.year.is_multiple_of(4)
                && (!self.year.is_multiple_of(100) || self.year.is_multiple_of(400)) =>
            {
                29
            }
            2 => 28,
            _ => 31,
        }
    }

    fn from_two(a: &str, b: &str) -> Option<Month> {
        if let Some(m) = month_from_name(a) {
            return Month::new(four_digit_year(b)?, m);
        }
        if a.len() == 4 {
            return Month::from_numbers(a, b);
        }
        if b.len() == 4 {
            return Month::from_numbers(b, a);
        }
        None
    }

    fn from_numbers(year: &str, month: &str) -> Option<Month> {
        if month.is_empty() || month.len() > 2 {
            return None;
        }
        Month::new(four_digit_year(year)?, month.parse().ok()?)
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month number, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// `yyyymm` as an integer, the form the index stores.
    pub fn as_u32(self) -> u32 {
        self.year as u32 * 100 + self.month as u32
    }

    /// Inverse of [`Month::as_u32`].
    pub fn from_u32(v: u32) -> Option<Month> {
        Month::new(u16::try_from(v / 100).ok()?, (v % 100) as u8)
    }

    /// The month before.
    pub fn prev(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The month after.
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// Months from `self` to `later` (negative if `later` is earlier).
    pub fn months_until(self, later: Month) -> i32 {
        (later.year as i32 - self.year as i32) * 12 + later.month as i32 - self.month as i32
    }

    /// Spanish name, e.g. "noviembre de 2020", for report text.
    pub fn spanish(self) -> String {
        format!("{} de {}", MONTH_NAMES[self.month as usize - 1], self.year)
    }

    /// Short Spanish name, e.g. "nov. 2020", for chart axes.
    pub fn spanish_short(self) -> String {
        format!(
            "{}. {}",
            &MONTH_NAMES[self.month as usize - 1][..3],
            self.year
        )
    }
}

/// Letters, digits and single separators only: no `..`, `/-`, `//`, no separator at either end
/// (`2020-11/../../x`, `2020-11-`), no other character.
fn well_formed(t: &str) -> bool {
    let sep = |c: char| matches!(c, '-' | '/' | '.');
    let mut prev_sep = true;
    for c in t.chars() {
        if sep(c) {
            if prev_sep {
                return false;
            }
            prev_sep = true;
        } else if c.is_alphanumeric() || c == ' ' {
            prev_sep = false;
        } else {
            return false;
        }
    }
    !t.ends_with(['-', '/'])
}

fn four_digit_year(s: &str) -> Option<u16> {
    (s.len() == 4).then(|| s.parse().ok()).flatten()
}

fn month_from_name(s: &str) -> Option<u8> {
    let s = crate::analyze::filters::fold(s);
    let s = s.trim_end_matches('.');
    if s.len() < 3 {
        return None;
    }
    let alias = if s == "set" || s == "setiembre" {
        "sep"
    } else {
        s
    };
    MONTH_NAMES
        .iter()
        .position(|n| n.starts_with(alias))
        .map(|i| i as u8 + 1)
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = String;
    fn from_str(s: &str) -> Result<Month, String> {
        Month::parse(s)
            .ok_or_else(|| format!("'{s}' is not a month: expected YYYY-MM, e.g. 2020-11"))
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Month, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_and_lenient_forms() {
        let m = Month::new(2020, 7).unwrap();
        let table = [
            ("2020-07", Some(m)),
            ("2020/7", Some(m)),
            ("2020-7", Some(m)),
            ("07/2020", Some(m)),
            ("julio 2020", Some(m)),
            ("Julio de 2020", Some(m)),
            ("jul-2020", Some(m)),
            ("2020-07-15", Some(m)),
            ("2020-13", None),
            ("20-07", None),
            ("julio", None),
            ("", None),
            ("7/20", None),
            ("jul. 2020", Some(m)),
            ("2020-07-31", Some(m)),
            ("2020-11-31", None),
            ("2021-02-29", None),
            ("2020-02-29", Month::new(2020, 2)),
            ("2020-11/../../x", None),
            ("2020-11/..", None),
            ("2020-11-x", None),
            ("2020//11", None),
            ("2020-11-", None),
            ("2020-11;rm", None),
            ("2020-07-15x", None),
        ];
        for (input, expected) in table {
            assert_eq!(Month::parse_lenient(input), expected, "{input:?}");
        }
        assert_eq!(Month::parse("2020/07"), None);
        assert_eq!(Month::parse("2020-7"), None);
        assert_eq!(Month::parse_arg("julio 2020"), Ok(m));
        let err = Month::parse_arg("2020-11/../../x").unwrap_err();
        assert!(
            err.contains("2020-11/../../x") && err.contains("YYYY-MM"),
            "{err}"
        );
    }

    #[test]
    fn arithmetic_and_names() {
        let m = Month::new(2020, 12).unwrap();
        assert_eq!(m.next(), Month::new(2021, 1).unwrap());
        assert_eq!(m.next().prev(), m);
        assert_eq!(Month::new(2020, 7).unwrap().months_until(m), 5);
        assert_eq!(Month::from_u32(m.as_u32()), Some(m));
        assert_eq!(m.spanish(), "diciembre de 2020");
        assert_eq!(m.to_string(), "2020-12");
    }
}
