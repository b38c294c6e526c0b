//! Fuzz target: the model loader. The first byte picks the mode: raw file bytes (header, version,
//! checksum and all), or a fuzzed payload wrapped in a valid header and checksum, which reaches
//! the deserializer and then the classifier itself. A model that loads must classify without
//! panicking (or be refused at load time, as `ModelSet::load` refuses other analyzer settings).
#![no_main]

use std::cell::RefCell;
use std::path::Path;

use codifica::analyze::Analyzer;
use codifica::analyze::AnalyzerSettings;
use codifica::model::persist::{FORMAT_VERSION, MAGIC, ModelSet};
use libfuzzer_sys::fuzz_target;

fn wrap(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(24 + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&crc32fast_hash(payload).to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

// CRC-32 (IEEE), as crc32fast computes it; kept here so the fuzz crate needs no extra dependency.
fn crc32fast_hash(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        wrap(rest)
    };
    let path = Path::new("fuzz.model");
    // As `ModelSet::load` does: parse, then refuse other analyzer settings.
    let Ok(set) = ModelSet::from_bytes(path, &bytes) else {
        return;
    };
    if set
        .check_analyzer(path, &AnalyzerSettings::default())
        .is_err()
    {
        return;
    }
    // The check above guarantees the default settings: build that analyzer once.
    ANALYZER.with(|a| {
        let mut analyzer = a.borrow_mut();
        for m in &set.models {
            let mut scorer = m.scorer();
            for text in [
                "falta comunicación con los asesores",
                "",
                "no sabe",
                "PDT KPT planeación",
            ] {
                let _ = scorer.predict(&mut analyzer, text, 3);
            }
        }
    });
});

thread_local! {
    static ANALYZER: RefCell<Analyzer> = RefCell::new(Analyzer::new(&AnalyzerSettings::default()));
}
