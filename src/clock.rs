//! The one rule for dates written into outputs: `SOURCE_DATE_EPOCH` (the reproducible-builds
//! convention, <https://reproducible-builds.org/specs/source-date-epoch/>) when set, so that two
//! runs over the same inputs give the same bytes.
//!
//! A set but malformed value is refused (the specification says a tool SHOULD fail rather than
//! silently use the clock), by every writer alike: the report, the workbooks of `export`, and
//! anything else that asks here.

use crate::error::{Error, Result};

/// 1980-01-01, the zip epoch: the creation date of a document when `SOURCE_DATE_EPOCH` is
/// unset, so that outputs never carry the clock.
pub const ZIP_EPOCH: i64 = 315_532_800;

/// `SOURCE_DATE_EPOCH` as seconds since the epoch: `None` when unset or empty, an error naming
/// the value when it is not a whole number of seconds or not a representable date.
pub fn source_date_epoch() -> Result<Option<i64>> {
    parse(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())
}

/// The document creation time: `SOURCE_DATE_EPOCH`, else [`ZIP_EPOCH`].
pub fn document_epoch() -> Result<i64> {
    Ok(source_date_epoch()?.unwrap_or(ZIP_EPOCH))
}

/// `YYYY-MM-DD` of `SOURCE_DATE_EPOCH`, `None` when unset (a footer then prints no date).
pub fn source_date() -> Result<Option<String>> {
    Ok(source_date_epoch()?.map(date_of))
}

/// `YYYY-MM-DD` of a time already checked by [`parse`].
fn date_of(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The rule itself, apart from the environment (so tests need not set process-wide variables).
pub fn parse(value: Option<&str>) -> Result<Option<i64>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let secs: i64 = v.parse().map_err(|_| {
        Error::Invalid(format!(
            "SOURCE_DATE_EPOCH='{v}' is not a number of seconds since 1970-01-01"
        ))
    })?;
    chrono::DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| Error::Invalid(format!("SOURCE_DATE_EPOCH='{v}' is out of range")))?;
    Ok(Some(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_or_empty_is_none_numbers_are_read() {
        assert_eq!(parse(None).unwrap(), None);
        assert_eq!(parse(Some(" ")).unwrap(), None);
        assert_eq!(parse(Some("1600000000")).unwrap(), Some(1_600_000_000));
        assert_eq!(date_of(1_600_000_000), "2020-09-13");
    }

    /// The workbook writer used to fall back to 1980 and the model file to today's date on a
    /// malformed value; the report refused it. Refusing is the rule now.
    #[test]
    fn malformed_or_out_of_range_is_refused_by_name() {
        let e = parse(Some("yesterday")).unwrap_err().to_string();
        assert!(e.contains("SOURCE_DATE_EPOCH='yesterday'"), "{e}");
        let e = parse(Some("99999999999999999")).unwrap_err().to_string();
        assert!(e.contains("out of range"), "{e}");
    }
}
