//! Fuzz target: a CSV file of any bytes through the import's reading and validation pass
//! (encoding and delimiter sniffing, RFC 4180 quoting, canonical header, every cell's checks).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let env = common::env();
    let path = env.scratch.join("fuzz.csv");
    if std::fs::write(&path, data).is_ok() {
        common::validate_file(&env.ws, &path);
    }
});
