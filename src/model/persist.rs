//! Stage: model (persistence). Trained classifiers ↔ a versioned model file.
//!
//! Layout (little-endian): magic `CODIFMDL` (8 bytes) · format version (u32) · CRC-32 of the
//! payload (u32) · payload length (u64) · payload (postcard of [`ModelSet`]). The payload holds
//! only Vecs, BTreeMaps and plain values, so the same data and seed give a byte-identical file.
//! Loading refuses: another magic (not a model), another format version, a length or checksum
//! mismatch (corrupt or truncated), and — via [`ModelSet::check_analyzer`] — analyzer settings
//! that differ from the current analyzer's. Written atomically (temp file + rename).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analyze::AnalyzerSettings;
use crate::model::classifier::QuestionModel;
use crate::model::error::{EngineError, Result};

/// First bytes of every model file.
pub const MAGIC: &[u8; 8] = b"CODIFMDL";
/// Version of the payload layout; bump on any change to the serialized types (2: training
/// settings gained `cv_max_rows`; 3: surface-word char n-grams, the confidence model, the
/// validation protocol and ranking in the metrics; 4: the confidence reads its code's
/// out-of-fold precision).
pub const FORMAT_VERSION: u32 = 4;
const HEADER: usize = 8 + 4 + 4 + 8;
/// Largest payload a model file may declare. Models are kilobytes to a few megabytes; a header
/// claiming more is corrupt, and is refused before anything is allocated for it.
pub const MAX_PAYLOAD: u64 = 1 << 30;

/// The classifiers of one model file (one per question), with what they were trained under.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelSet {
    /// Training date, `YYYY-MM-DD` (from `SOURCE_DATE_EPOCH` when set).
    pub created: String,
    /// codifica version that wrote the file.
    pub codifica_version: String,
    /// Analyzer settings the features were computed with.
    pub analyzer: AnalyzerSettings,
    /// Their fingerprint (settings + analyzer version + lexicons).
    pub analyzer_fingerprint: String,
    /// Classifiers, sorted by question.
    pub models: Vec<QuestionModel>,
}

/// Today's date, or the date of `SOURCE_DATE_EPOCH` (reproducible builds) when set.
pub fn training_date() -> String {
    let fixed = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0));
    fixed
        .unwrap_or_else(chrono::Utc::now)
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

fn refuse(path: &Path, reason: impl Into<String>) -> EngineError {
    EngineError::ModelFile {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Checks the fixed header (magic, version, declared length) and returns the payload's CRC and
/// length. A file too short for its header but starting like one is "truncated", not "bad magic".
fn header(path: &Path, bytes: &[u8]) -> Result<(u32, u64)> {
    let magic_len = bytes.len().min(MAGIC.len());
    if bytes[..magic_len] != MAGIC[..magic_len] {
        return Err(refuse(path, "not a codifica model file (bad magic bytes)"));
    }
    if bytes.len() < HEADER {
        return Err(refuse(
            path,
            format!(
                "truncated: {} bytes, shorter than the {HEADER}-byte header of a model file",
                bytes.len()
            ),
        ));
    }
    let word = |a: usize| u32::from_le_bytes([bytes[a], bytes[a + 1], bytes[a + 2], bytes[a + 3]]);
    let version = word(8);
    if version != FORMAT_VERSION {
        return Err(EngineError::RetrainNeeded {
            path: path.to_path_buf(),
            reason: format!(
                "model format version {version}, this codifica reads version {FORMAT_VERSION}: retrain the model"
            ),
        });
    }
    let mut len8 = [0u8; 8];
    len8.copy_from_slice(&bytes[16..24]);
    let len = u64::from_le_bytes(len8);
    if len > MAX_PAYLOAD {
        return Err(refuse(
            path,
            format!(
                "corrupt: the header declares {len} payload bytes, more than any model ({MAX_PAYLOAD})"
            ),
        ));
    }
    Ok((word(12), len))
}

/// Reads a model file, checking its header and size before the payload: a non-model (even
/// `/dev/zero` or a huge sparse file) costs a 24-byte read, and at most the declared length is
/// ever read.
fn read_checked(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let io = |source| EngineError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut head = Vec::with_capacity(HEADER);
    (&file)
        .take(HEADER as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    let (_, len) = header(path, &head)?;
    let size = file.metadata().map_err(io)?;
    if size.is_file() && size.len() != HEADER as u64 + len {
        let payload = size.len().saturating_sub(HEADER as u64);
        let what = if payload < len {
            "truncated"
        } else {
            "corrupt"
        };
        return Err(refuse(
            path,
            format!("{what}: {payload} payload bytes, the header says {len}"),
        ));
    }
    // One byte more than declared, so that a longer stream is seen as such.
    let mut bytes = head;
    bytes.reserve(usize::try_from(len).unwrap_or(0));
    (&file).take(len + 1).read_to_end(&mut bytes).map_err(io)?;
    Ok(bytes)
}

impl ModelSet {
    /// A set for `models` trained under `analyzer` (sorted by question).
    pub fn new(analyzer: &AnalyzerSettings, mut models: Vec<QuestionModel>) -> ModelSet {
        models.sort_by(|a, b| a.question.cmp(&b.question));
        ModelSet {
            created: training_date(),
            codifica_version: env!("CARGO_PKG_VERSION").to_string(),
            analyzer: analyzer.clone(),
            analyzer_fingerprint: analyzer.fingerprint(),
            models,
        }
    }

    /// The classifier for `question`; a set holding a single classifier trained without a
    /// question (`""`) serves every question.
    pub fn get(&self, question: &str) -> Result<&QuestionModel> {
        if let Some(m) = self.models.iter().find(|m| m.question == question) {
            return Ok(m);
        }
        match self.models.as_slice() {
            [only] if only.question.is_empty() => Ok(only),
            _ => Err(EngineError::NoModel(question.to_string())),
        }
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let payload = postcard::to_allocvec(self)
            .map_err(|e| EngineError::Internal(format!("cannot serialize model: {e}")))?;
        let mut out = Vec::with_capacity(HEADER + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// Parses a model file's bytes (`path` only names it in errors).
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<ModelSet> {
        let (crc, len) = header(path, bytes)?;
        let payload = &bytes[HEADER..];
        if (payload.len() as u64) < len {
            return Err(refuse(
                path,
                format!(
                    "truncated: {} payload bytes, the header says {len}",
                    payload.len()
                ),
            ));
        }
        if payload.len() as u64 != len {
            return Err(refuse(
                path,
                format!(
                    "corrupt: {} payload bytes, the header says {len}",
                    payload.len()
                ),
            ));
        }
        if crc32fast::hash(payload) != crc {
            return Err(refuse(path, "corrupt: checksum mismatch"));
        }
        let set: ModelSet = postcard::from_bytes(payload)
            .map_err(|e| refuse(path, format!("corrupt payload: {e}")))?;
        for m in &set.models {
            m.validate()
                .map_err(|e| refuse(path, format!("corrupt: {e}")))?;
        }
        Ok(set)
    }

    /// Refuses a model trained under other analyzer settings than `current`.
    pub fn check_analyzer(&self, path: &Path, current: &AnalyzerSettings) -> Result<()> {
        if &self.analyzer != current || self.analyzer_fingerprint != current.fingerprint() {
            return Err(EngineError::RetrainNeeded {
                path: path.to_path_buf(),
                reason: format!(
                    "trained with analyzer {} ({:?}), the current analyzer is {} ({:?}): retrain the model",
                    self.analyzer_fingerprint,
                    self.analyzer,
                    current.fingerprint(),
                    current
                ),
            });
        }
        Ok(())
    }

    /// Writes the file atomically (temp file in the same folder, then rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = self.to_bytes()?;
        // Temporary file, flushed to disk, renamed: a crash leaves the old model or the new one.
        crate::fsutil::atomic_write(path, &bytes).map_err(|e| match e {
            crate::Error::Io { path, source } => EngineError::Io { path, source },
            other => EngineError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::other(other.to_string()),
            },
        })
    }

    /// Reads and checks a model file, including the analyzer check against `current`.
    pub fn load(path: &Path, current: &AnalyzerSettings) -> Result<ModelSet> {
        let bytes = read_checked(path)?;
        let set = ModelSet::from_bytes(path, &bytes)?;
        set.check_analyzer(path, current)?;
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Analyzer;
    use crate::model::classifier::Example;
    use crate::model::params::ValidTrainParams;

    fn set() -> ModelSet {
        let ex: Vec<Example> = (0..12)
            .map(|i| Example {
                text: if i % 2 == 0 {
                    format!("agua potable {i}")
                } else {
                    format!("vías rurales {i}")
                },
                codes: vec![if i % 2 == 0 { "agua" } else { "vias" }.into()],
                group: None,
            })
            .collect();
        let mut a = Analyzer::default();
        let m = QuestionModel::train("p1", &mut a, &ex, &ValidTrainParams::default()).unwrap();
        ModelSet::new(a.settings(), vec![m])
    }

    #[test]
    fn round_trip_is_byte_identical_and_checked() {
        let s = set();
        let b = s.to_bytes().unwrap();
        assert_eq!(b, set().to_bytes().unwrap(), "same data → same bytes");
        let p = Path::new("m.model");
        let back = ModelSet::from_bytes(p, &b).unwrap();
        assert_eq!(back.to_bytes().unwrap(), b);
        assert!(back.get("p1").is_ok());
        assert!(matches!(back.get("p2"), Err(EngineError::NoModel(_))));
    }

    #[test]
    fn corrupt_version_and_analyzer_are_refused() {
        let b = set().to_bytes().unwrap();
        let p = Path::new("m.model");
        let mut bad = b.clone();
        let last = bad.len() - 1;
        bad[last] ^= 0xff;
        let e = ModelSet::from_bytes(p, &bad).unwrap_err().to_string();
        assert!(e.contains("checksum"), "{e}");
        // A file of the previous format (before sample weights and the CV sample) or a newer one.
        for v in [FORMAT_VERSION - 1, FORMAT_VERSION + 1] {
            let mut other = b.clone();
            other[8..12].copy_from_slice(&v.to_le_bytes());
            let e = ModelSet::from_bytes(p, &other).unwrap_err().to_string();
            assert!(
                e.contains(&format!("version {v}")) && e.contains("retrain"),
                "{e}"
            );
        }
        assert!(ModelSet::from_bytes(p, &b[..b.len() - 3]).is_err());
        assert!(ModelSet::from_bytes(p, b"hello").is_err());
        assert!(ModelSet::from_bytes(p, b"").is_err());
        let s = ModelSet::from_bytes(p, &b).unwrap();
        let other = AnalyzerSettings {
            stem: false,
            ..Default::default()
        };
        let e = s.check_analyzer(p, &other).unwrap_err();
        assert!(matches!(e, EngineError::RetrainNeeded { .. }), "{e:?}");
        assert!(e.is_user_error());
        let e = e.to_string();
        assert!(
            e.contains("analyzer") && e.contains("retrain the model"),
            "{e}"
        );
    }

    #[test]
    fn a_truncated_model_says_truncated_not_bad_magic() {
        let b = set().to_bytes().unwrap();
        let p = Path::new("m.model");
        for cut in [3, 10, HEADER, HEADER + 5, b.len() - 1] {
            let e = ModelSet::from_bytes(p, &b[..cut]).unwrap_err().to_string();
            assert!(
                e.contains("truncated") && !e.contains("magic"),
                "{cut} bytes: {e}"
            );
        }
        let e = ModelSet::from_bytes(p, b"CODIFXXX")
            .unwrap_err()
            .to_string();
        assert!(e.contains("bad magic"), "{e}");
        // The same on disk, through load.
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("t.model");
        std::fs::write(&f, &b[..HEADER + 5]).unwrap();
        let e = ModelSet::load(&f, &AnalyzerSettings::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("truncated"), "{e}");
    }

    /// The header and the file size are checked before the payload is read: a huge (sparse)
    /// file or an endless device is refused after reading 24 bytes, whatever its header says.
    #[test]
    fn huge_or_endless_files_are_refused_from_their_header() {
        let dir = tempfile::tempdir().unwrap();
        let settings = AnalyzerSettings::default();
        let b = set().to_bytes().unwrap();
        // A valid header whose declared length disagrees with a 6 GB sparse file.
        let sparse = dir.path().join("sparse.model");
        std::fs::write(&sparse, &b[..HEADER]).unwrap();
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(&sparse)
            .unwrap();
        if f.set_len(6 << 30).is_err() {
            eprintln!("SKIPPED: no sparse files here");
            return;
        }
        let e = ModelSet::load(&sparse, &settings).unwrap_err().to_string();
        assert!(e.contains("corrupt") && e.contains("header says"), "{e}");
        // A header declaring 6 GB of payload for that very file.
        let mut head = b[..HEADER].to_vec();
        head[16..24].copy_from_slice(&((6u64 << 30) - HEADER as u64).to_le_bytes());
        std::fs::write(&sparse, &head).unwrap();
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(&sparse)
            .unwrap();
        f.set_len(6 << 30).unwrap();
        let e = ModelSet::load(&sparse, &settings).unwrap_err().to_string();
        assert!(e.contains("more than any model"), "{e}");
        let zero = Path::new("/dev/zero");
        if zero.exists() {
            let e = ModelSet::load(zero, &settings).unwrap_err().to_string();
            assert!(e.contains("bad magic"), "{e}");
        }
    }
}
