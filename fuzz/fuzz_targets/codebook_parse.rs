//! Fuzz target: a codebook TOML file (`codebooks/<question>.toml`) of any text; a parsed
//! codebook must also survive its own validation and a TOML / REFI-QDA round trip.
#![no_main]

use std::path::Path;

use codifica::codebook::Codebook;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("codebooks/fuzz.toml");
    if let Ok(cb) = Codebook::parse(text, path) {
        let _ = cb.validate_located();
        let again = Codebook::parse(&cb.to_toml(), path);
        assert!(
            again.is_ok(),
            "a parsed codebook must re-parse from its own TOML: {again:?}"
        );
        let _ = codifica::qda::qdc::to_qdc(&cb);
    }
});
