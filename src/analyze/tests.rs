//! Table-driven tests of the Spanish analyzer on real Spanish words.

use super::*;

fn terms(text: &str) -> Vec<String> {
    Analyzer::default().terms(text)
}

#[test]
fn single_words() {
    // (input, expected terms) — stems are Snowball Spanish reference output, accents folded last.
    let table: &[(&str, &[&str])] = &[
        ("planeación", &["planeacion"]),
        ("planeacion", &["planeacion"]),
        ("PLANEACIÓN", &["planeacion"]),
        ("asistencia", &["asistent"]),
        ("asistencias", &["asistent"]),
        ("municipios", &["municipi"]),
        ("municipio", &["municipi"]),
        ("articulación", &["articul"]),
        ("articular", &["articul"]),
        ("capacidades", &["capac"]),
        ("gobernación", &["gobern"]),
        ("presupuestal", &["presupuestal"]),
        ("conectividad", &["conect"]),
        ("niños", &["niñ"]),
        ("pingüino", &["pinguin"]),
    ];
    for (input, expected) in table {
        assert_eq!(terms(input), *expected, "input {input:?}");
    }
}

#[test]
fn typed_without_accents_gives_the_same_terms() {
    // Snowball only strips "-ación", "-sión", "-logía" with their accent: a word typed without
    // it must still meet its accented and plural forms.
    let groups: &[&[&str]] = &[
        &[
            "articulación",
            "articulacion",
            "articulaciones",
            "ARTICULACIÓN",
        ],
        &["gestión", "gestion", "gestiones"],
        &["planeación", "planeacion", "planeaciones"],
        &["metodología", "metodologia", "metodologías", "metodologias"],
        &["información", "informacion"],
        &["técnica", "tecnica", "técnicas", "tecnicas"],
        &["conexión", "conexion", "conexiones"],
    ];
    for group in groups {
        let first = terms(group[0]);
        for w in &group[1..] {
            assert_eq!(terms(w), first, "{w:?} vs {:?}", group[0]);
        }
    }
}

#[test]
fn n_tilde_is_kept() {
    // "año" (year) and "ano" must stay different words; only acute accents fold.
    assert_eq!(terms("año"), ["año"]);
    assert_eq!(terms("ano"), ["ano"]);
    assert_ne!(terms("años"), terms("anos"));
    assert_eq!(terms("AÑOS"), terms("años"));
}

#[test]
fn decomposed_unicode_equals_composed() {
    // "planeación" written with a combining acute accent (NFD), as some exports do.
    assert_eq!(terms("planeacio\u{301}n"), terms("planeación"));
    assert_eq!(terms("an\u{303}o"), ["año"]);
}

#[test]
fn stop_words_dropped_with_or_without_accent() {
    assert_eq!(terms("de la que el en"), Vec::<String>::new());
    assert_eq!(terms("está"), Vec::<String>::new());
    assert_eq!(terms("esta"), Vec::<String>::new());
}

#[test]
fn negations_and_quantifiers_are_kept() {
    let table: &[(&str, &[&str])] = &[
        ("no me sirvió", &["no", "sirv"]),
        ("sin conexión", &["sin", "conexion"]),
        ("nada", &["nad"]),
        ("muy poco", &["muy", "poc"]),
        ("más comunicación", &["mas", "comun"]),
    ];
    for (input, expected) in table {
        assert_eq!(terms(input), *expected, "input {input:?}");
    }
}

#[test]
fn acronyms_are_kept_verbatim() {
    let table: &[(&str, &[&str])] = &[
        ("PDT", &["pdt"]),
        ("los PDTs", &["pdt"]),
        ("CONPES", &["conpes"]),
        ("el KPT", &["kpt"]),
        ("SGR", &["sgr"]),
        ("la ET", &["et"]),
        ("AT", &["at"]),
    ];
    for (input, expected) in table {
        assert_eq!(terms(input), *expected, "input {input:?}");
    }
}

#[test]
fn numbers_and_punctuation() {
    assert_eq!(terms("2020-2023"), ["2020", "2023"]);
    assert_eq!(terms("¿Por qué? ¡Sí!"), ["si"]);
    assert_eq!(terms("..."), Vec::<String>::new());
    assert_eq!(terms(""), Vec::<String>::new());
}

#[test]
fn offsets_point_into_the_original_text() {
    let text = "La planeación territorial";
    let mut seen = Vec::new();
    Analyzer::default().for_each_token(text, |t| {
        seen.push((text[t.offset_from..t.offset_to].to_string(), t.position));
    });
    // "la" is a stop word: the gap keeps phrase positions honest.
    assert_eq!(
        seen,
        [
            ("planeación".to_string(), 1),
            ("territorial".to_string(), 2)
        ]
    );
}

#[test]
fn plain_chain_keeps_surface_words() {
    assert_eq!(
        plain_terms("La Planeación de los PDTs"),
        ["la", "planeacion", "de", "los", "pdts"]
    );
}

#[test]
fn settings_change_the_fingerprint() {
    let base = AnalyzerSettings::default();
    let no_stem = AnalyzerSettings {
        stem: false,
        ..base.clone()
    };
    assert_eq!(
        base.fingerprint(),
        AnalyzerSettings::default().fingerprint()
    );
    assert_ne!(base.fingerprint(), no_stem.fingerprint());
    assert_eq!(
        Analyzer::new(&no_stem).terms("asistencias"),
        ["asistencias"]
    );
}

#[test]
fn emoji_and_rtl_text_do_not_break_it() {
    assert_eq!(terms("muy bien 👍 مرحبا"), ["muy", "bien", "مرحبا"]);
}
