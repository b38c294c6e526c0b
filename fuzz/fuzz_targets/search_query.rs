//! Fuzz target: a search query of any text through the parser and the compiler to tantivy
//! queries (boolean operators, phrases, prefixes, fuzzy terms, field filters).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (_, fields) = codifica::store::schema();
    let settings = codifica::analyze::AnalyzerSettings::default();
    match codifica::search::query::parse(text) {
        Ok(node) => {
            let _ = codifica::search::compile::compile(&node, &fields, &settings);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
