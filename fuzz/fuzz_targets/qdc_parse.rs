//! Fuzz target: a REFI-QDA codebook (`.qdc`, XML) of any bytes, read into a codebook, with and
//! without a base codebook to merge into.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use codifica::codebook::Codebook;
use libfuzzer_sys::fuzz_target;

fn base() -> &'static Option<Codebook> {
    static BASE: OnceLock<Option<Codebook>> = OnceLock::new();
    BASE.get_or_init(|| Codebook::default_for("necesidades_debilidades"))
}

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.qdc");
    for b in [None, base().as_ref()] {
        if let Ok(imp) =
            codifica::qda::qdc::from_qdc(data, path, "necesidades_debilidades", b, "Fuzz")
        {
            let _ = imp.codebook.validate_located();
            let _ = codifica::qda::qdc::to_qdc(&imp.codebook);
        }
    }
});
