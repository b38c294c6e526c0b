//! Use case: coding as a team. Every human code an analyst sets is stamped with who set it and
//! when, in a log beside the store (`team/codings.jsonl`, one JSON object a line, appended under
//! the workspace lock after the store's commit). The answers themselves are not changed, so old
//! workspaces stay readable (no log, or no line for an answer: coder unknown) and every import /
//! export round trip is unchanged. The answer page shows an answer's history from it.
//!
//! Also here: double coding ("doble codificación") — a seeded sample of a month's answers that
//! two analysts code independently (blind to each other's and the model's codes), kept in
//! `team/rounds/<month>.json`, and its agreement per question and per code with the model as a
//! third coder (`model::agreement`).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::answer::{Answer, is_non_answer};
use crate::error::{Error, Result};
use crate::model::agreement::{AgreementReport, agreement};
use crate::month::Month;
use crate::store::{AnswerFilter, Store};
use crate::workspace::Workspace;

/// Environment variable naming the coder on the command line (as `--coder`).
pub const CODER_ENV: &str = "CODIFICA_CODER";

/// Who set an answer's human codes, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeStamp {
    /// The answer's key.
    pub key: String,
    /// The human codes set.
    pub codes: Vec<String>,
    /// The analyst's name (`None`: unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coder: Option<String>,
    /// UTC time, `YYYY-MM-DDTHH:MM:SSZ`.
    pub at: String,
}

/// A coder's name, checked: 1 to 40 characters, letters, digits, spaces and `.-_'`.
pub fn check_coder(name: &str) -> Result<String> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.chars().count() <= 40
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || " .-_'".contains(c));
    if !ok {
        return Err(Error::invalid(format!(
            "'{name}' is not a coder name (1 to 40 letters, digits, spaces or .-_')"
        )));
    }
    Ok(name.to_string())
}

/// Who codes on the command line: `given` (`--coder`), else `$CODIFICA_CODER`, else the OS
/// user's name, else "desconocido" — so every stamp names someone. A given name (or the
/// variable's) that is not a coder name is an error; an odd OS user name falls back.
pub fn resolve_coder(given: Option<&str>) -> Result<String> {
    if let Some(name) = given {
        return check_coder(name);
    }
    if let Some(name) = std::env::var(CODER_ENV)
        .ok()
        .filter(|n| !n.trim().is_empty())
    {
        return check_coder(&name).map_err(|e| Error::invalid(format!("${CODER_ENV}: {e}")));
    }
    Ok(["USER", "USERNAME", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find_map(|n| check_coder(&n).ok())
        .unwrap_or_else(|| "desconocido".to_string()))
}

/// Now, as stamps write it.
pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn team_dir(ws: &Workspace) -> PathBuf {
    ws.root().join("team")
}

fn log_path(ws: &Workspace) -> PathBuf {
    team_dir(ws).join("codings.jsonl")
}

/// Appends stamps for human codes just stored (`coder` for each). The caller holds the lock.
pub fn record(
    ws: &Workspace,
    updates: &[(String, Vec<String>)],
    coder: Option<&str>,
) -> Result<()> {
    if updates.is_empty() {
        return Ok(());
    }
    let at = now();
    let stamps: Vec<CodeStamp> = updates
        .iter()
        .map(|(key, codes)| CodeStamp {
            key: key.clone(),
            codes: codes.clone(),
            coder: coder.map(str::to_string),
            at: at.clone(),
        })
        .collect();
    append(ws, &stamps)
}

/// Appends stamps to the log, in one write.
fn append(ws: &Workspace, stamps: &[CodeStamp]) -> Result<()> {
    if stamps.is_empty() {
        return Ok(());
    }
    let dir = team_dir(ws);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut text = String::new();
    for stamp in stamps {
        let line = serde_json::to_string(stamp).map_err(|e| Error::invalid(e.to_string()))?;
        text.push_str(&line);
        text.push('\n');
    }
    let path = log_path(ws);
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_data())
        .map_err(|e| Error::io(&path, e))
}

/// Appends stamps for human codes a project import set, each with its own coder and time (as
/// the project says; now when it does not). The caller holds the lock.
pub fn record_each(ws: &Workspace, coded: &[crate::qda::import::CodedAnswer]) -> Result<()> {
    let now = now();
    let stamps: Vec<CodeStamp> = coded
        .iter()
        .map(|c| CodeStamp {
            key: c.key.clone(),
            codes: c.codes.clone(),
            coder: c.coder.clone(),
            at: c.at.clone().unwrap_or_else(|| now.clone()),
        })
        .collect();
    append(ws, &stamps)
}

/// Every stamp of the log, oldest first. A line that does not parse (a write cut short by a
/// crash) is skipped: it stamps nothing the store holds for sure.
pub fn stamps(ws: &Workspace) -> Result<Vec<CodeStamp>> {
    let path = log_path(ws);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(&path, e)),
    };
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

/// One answer's history of human codes, oldest first.
pub fn history(ws: &Workspace, key: &str) -> Result<Vec<CodeStamp>> {
    Ok(stamps(ws)?.into_iter().filter(|s| s.key == key).collect())
}

/// The last stamp of each answer (who set its current human codes), for exports.
pub fn last_coders(ws: &Workspace) -> Result<BTreeMap<String, CodeStamp>> {
    Ok(stamps(ws)?
        .into_iter()
        .map(|s| (s.key.clone(), s))
        .collect())
}

/// A double-coding round of one month: the sample and each coder's independent codes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Round {
    pub month: String,
    pub seed: u64,
    /// Answer keys of the sample, in the order coders see them.
    pub sample: Vec<String>,
    /// Coder → answer key → codes.
    pub codes: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

fn round_path(ws: &Workspace, month: Month) -> PathBuf {
    team_dir(ws).join("rounds").join(format!("{month}.json"))
}

/// The month's round, if one was drawn.
pub fn round(ws: &Workspace, month: Month) -> Result<Option<Round>> {
    let path = round_path(ws, month);
    match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| Error::file(&path, format!("not a double-coding round: {e}"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(&path, e)),
    }
}

fn save_round(ws: &Workspace, r: &Round, month: Month) -> Result<()> {
    let path = round_path(ws, month);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let bytes = serde_json::to_vec_pretty(r).map_err(|e| Error::invalid(e.to_string()))?;
    crate::fsutil::atomic_write(&path, &bytes)
}

/// Draws the month's round: `size` answers to coded questions (non-answers left out), chosen
/// with `seed` (same seed, same sample). Refuses to replace a round that coders started.
pub fn draw(ws: &Workspace, store: &Store, month: Month, size: usize, seed: u64) -> Result<Round> {
    let _lock = ws.lock()?;
    if round(ws, month)?.is_some_and(|r| !r.codes.is_empty()) {
        return Err(Error::invalid(format!(
            "the double-coding round of {month} has codes already: it is not drawn again"
        )));
    }
    let config = ws.config();
    let filter = AnswerFilter {
        month: Some(month),
        ..AnswerFilter::default()
    };
    let mut keys: Vec<String> = store
        .answers_where(&filter, |a| {
            !is_non_answer(&a.text) && config.question(&a.question).is_some_and(|q| q.is_coded())
        })?
        .iter()
        .map(Answer::key)
        .collect();
    keys.sort();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    keys.shuffle(&mut rng);
    keys.truncate(size);
    let r = Round {
        month: month.to_string(),
        seed,
        sample: keys,
        codes: BTreeMap::new(),
    };
    save_round(ws, &r, month)?;
    Ok(r)
}

/// Stores one coder's codes for one answer of the round (checked by the one validity rule).
pub fn code_in_round(
    ws: &Workspace,
    store: &Store,
    month: Month,
    coder: &str,
    key: &str,
    codes: &[String],
) -> Result<()> {
    let coder = check_coder(coder)?;
    let _lock = ws.lock()?;
    let mut r = round(ws, month)?
        .ok_or_else(|| Error::invalid(format!("no double-coding round for {month}")))?;
    if !r.sample.iter().any(|k| k == key) {
        return Err(Error::invalid(format!(
            "'{key}' is not in the round of {month}"
        )));
    }
    let a = store
        .get(key)?
        .ok_or_else(|| Error::invalid(format!("no answer with key '{key}'")))?;
    if let Err(refusal) = super::review::check_codes(ws, &a.question, codes)? {
        return Err(Error::invalid(super::review::refusal_es(
            &a.question,
            &refusal,
        )));
    }
    r.codes
        .entry(coder)
        .or_default()
        .insert(key.to_string(), codes.to_vec());
    save_round(ws, &r, month)
}

/// The next answer of the round this coder has not coded yet.
pub fn next_for(r: &Round, coder: &str) -> Option<String> {
    let done = r.codes.get(coder);
    r.sample
        .iter()
        .find(|k| done.is_none_or(|d| !d.contains_key(*k)))
        .cloned()
}

/// Agreement of two coders (or a coder and the model) on one question's answers.
#[derive(Debug, Clone)]
pub struct PairAgreement {
    pub question: String,
    pub first: String,
    pub second: String,
    pub report: AgreementReport,
}

/// One answer the two analysts coded differently.
#[derive(Debug, Clone)]
pub struct Disagreement {
    pub key: String,
    pub first: Vec<String>,
    pub second: Vec<String>,
    pub model: Vec<String>,
}

/// The round's agreement: for each question, the two analysts (the first two coders, by name)
/// with each other and each with the model; and the answers they disagree on.
#[derive(Debug, Clone, Default)]
pub struct RoundAgreement {
    pub coders: Vec<String>,
    pub pairs: Vec<PairAgreement>,
    pub disagreements: Vec<Disagreement>,
}

/// Each question's rows of codes `[first analyst, second analyst, model]`, over the answers
/// both analysts coded, and the answers where the analysts differ.
type Rows = BTreeMap<String, Vec<[Vec<String>; 3]>>;

fn rows_of(store: &Store, r: &Round, a: &str, b: &str) -> Result<(Rows, Vec<Disagreement>)> {
    let (ca, cb) = (&r.codes[a], &r.codes[b]);
    let mut rows = Rows::new();
    let mut disagreements = Vec::new();
    for key in &r.sample {
        let (Some(x), Some(y)) = (ca.get(key), cb.get(key)) else {
            continue;
        };
        let Some(ans) = store.get(key)? else { continue };
        let m = ans.machine.map(|m| m.codes).unwrap_or_default();
        if sorted(x) != sorted(y) {
            disagreements.push(Disagreement {
                key: key.clone(),
                first: x.clone(),
                second: y.clone(),
                model: m.clone(),
            });
        }
        rows.entry(ans.question)
            .or_default()
            .push([x.clone(), y.clone(), m]);
    }
    Ok((rows, disagreements))
}

/// Computes [`RoundAgreement`] from the round and the store's machine codes: the first two
/// coders by name are the two analysts; the model is the third coder ("modelo").
pub fn round_agreement(store: &Store, r: &Round) -> Result<RoundAgreement> {
    let coders: Vec<String> = r.codes.keys().take(2).cloned().collect();
    let [a, b] = coders.as_slice() else {
        return Ok(RoundAgreement {
            coders,
            ..Default::default()
        });
    };
    let (rows, disagreements) = rows_of(store, r, a, b)?;
    let model = "modelo".to_string();
    let mut pairs = Vec::new();
    for (q, rows) in rows {
        let col = |i: usize| rows.iter().map(|r| r[i].clone()).collect::<Vec<_>>();
        for (i, j, first, second) in [(0, 1, a, b), (0, 2, a, &model), (1, 2, b, &model)] {
            pairs.push(PairAgreement {
                question: q.clone(),
                first: first.clone(),
                second: second.clone(),
                report: agreement(&col(i), &col(j)),
            });
        }
    }
    Ok(RoundAgreement {
        coders: coders.clone(),
        pairs,
        disagreements,
    })
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coder_names_are_checked() {
        assert_eq!(check_coder("  Ana María ").unwrap(), "Ana María");
        assert!(check_coder("").is_err());
        assert!(check_coder("<script>").is_err());
        assert!(check_coder(&"x".repeat(41)).is_err());
    }

    #[test]
    fn the_next_answer_skips_what_the_coder_did() {
        let mut r = Round {
            sample: vec!["a".into(), "b".into()],
            ..Default::default()
        };
        assert_eq!(next_for(&r, "ana").as_deref(), Some("a"));
        r.codes
            .entry("ana".into())
            .or_default()
            .insert("a".into(), vec!["x".into()]);
        assert_eq!(next_for(&r, "ana").as_deref(), Some("b"));
        assert_eq!(next_for(&r, "luis").as_deref(), Some("a"));
    }
}
