//! Stage: ingest. Wide spreadsheets (one row per interview, one column per question) turned into
//! answers through a column mapping declared in `codifica.toml` (`[[mapping]]`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A named mapping from a wide sheet's columns to answer fields and question ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WideMapping {
    /// Name used with `codifica import --mapping NAME`.
    pub name: String,
    /// XLSX sheet to read (default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Column holding the entity code.
    pub entity_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_kind: Option<String>,
    /// Column holding the month (any form `Month::parse_lenient` accepts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    /// A fixed month for every row, when the sheet has no month column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interview_date: Option<String>,
    /// Column completing the answer key when one entity answers a question several times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_id: Option<String>,
    /// Question columns: sheet column → question id.
    #[serde(default)]
    pub questions: BTreeMap<String, String>,
    /// Code columns: question id → sheet column holding its `;`-separated codes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub codes: BTreeMap<String, String>,
    /// Other columns kept as attributes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
}
