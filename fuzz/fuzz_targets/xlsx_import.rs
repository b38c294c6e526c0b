//! Fuzz target: a workbook of any bytes (named .xlsx) through the import's reading and
//! validation pass: calamine's XLSX / XLS / ODS / XLSB readers, chosen by magic bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let env = common::env();
    let path = env.scratch.join("fuzz.xlsx");
    if std::fs::write(&path, data).is_ok() {
        common::validate_file(&env.ws, &path);
    }
});
