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
        ("no me sirvió", &["no", "sirvi"]),
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

/// Real Spanish words of the classes whose two spellings Snowball stems apart when it sees the
/// accent: -ía/-ías nouns, -ión/-sión, verbs in -ó/-é/-í, país, más, and stop words typed
/// without their accent. Each row: the accented spelling, the unaccented one.
const ACCENT_PAIRS: &[(&str, &str)] = &[
    ("alcaldía", "alcaldia"),
    ("alcaldías", "alcaldias"),
    ("secretaría", "secretaria"),
    ("secretarías", "secretarias"),
    ("ciudadanía", "ciudadania"),
    ("economía", "economia"),
    ("categoría", "categoria"),
    ("autonomía", "autonomia"),
    ("soberanía", "soberania"),
    ("garantía", "garantia"),
    ("garantías", "garantias"),
    ("mayoría", "mayoria"),
    ("policía", "policia"),
    ("energía", "energia"),
    ("tecnología", "tecnologia"),
    ("tecnologías", "tecnologias"),
    ("biología", "biologia"),
    ("personería", "personeria"),
    ("contraloría", "contraloria"),
    ("asesoría", "asesoria"),
    ("asesorías", "asesorias"),
    ("veeduría", "veeduria"),
    ("capacitación", "capacitacion"),
    ("gestión", "gestion"),
    ("inversión", "inversion"),
    ("participación", "participacion"),
    ("comunicación", "comunicacion"),
    ("educación", "educacion"),
    ("decisión", "decision"),
    ("misión", "mision"),
    ("llegó", "llego"),
    ("capacitó", "capacito"),
    ("ayudó", "ayudo"),
    ("sirvió", "sirvio"),
    ("aprendí", "aprendi"),
    ("recibí", "recibi"),
    ("entendí", "entendi"),
    ("mejoré", "mejore"),
    ("llegué", "llegue"),
    ("país", "pais"),
    ("países", "paises"),
    ("más", "mas"),
    ("está", "esta"),
    ("están", "estan"),
    ("también", "tambien"),
    ("técnica", "tecnica"),
    ("público", "publico"),
    ("río", "rio"),
    ("días", "dias"),
    ("según", "segun"),
];

#[test]
fn an_accent_never_changes_the_terms() {
    assert!(ACCENT_PAIRS.len() >= 40);
    for (accented, plain) in ACCENT_PAIRS {
        assert_eq!(
            terms(accented),
            terms(plain),
            "{accented:?} and {plain:?} must give the same terms"
        );
        let upper = accented.to_uppercase();
        assert_eq!(terms(&upper), terms(plain), "{upper:?} vs {plain:?}");
    }
}

#[test]
fn both_spellings_still_meet_their_other_forms() {
    // Folding first must not cost the conflation of singular and plural, or of a noun and its
    // verb, that the stemmer gave before.
    let groups: &[&[&str]] = &[
        &["alcaldía", "alcaldia", "alcaldías", "alcaldias"],
        &["secretaría", "secretarias", "secretarías"],
        &["capacitación", "capacitacion", "capacitaciones"],
        &["capacitó", "capacitar", "capacito"],
        &["país", "pais", "países", "paises"],
        &["garantía", "garantias"],
    ];
    for group in groups {
        let first = terms(group[0]);
        for w in &group[1..] {
            assert_eq!(terms(w), first, "{w:?} vs {:?}", group[0]);
        }
    }
}

#[test]
fn stop_words_typed_without_accents_are_dropped_too() {
    for w in [
        "está", "esta", "están", "estan", "qué", "que", "él", "el", "tú", "tu", "mí",
    ] {
        assert_eq!(terms(w), Vec::<String>::new(), "{w:?}");
    }
    // "sí" and "más" are kept (meaningful answers), however they are typed.
    assert_eq!(terms("sí"), terms("si"));
    assert_eq!(terms("si"), ["si"]);
}

mod accent_property {
    use super::*;
    use proptest::prelude::*;

    fn strip_acute(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                'á' => 'a',
                'é' => 'e',
                'í' => 'i',
                'ó' => 'o',
                'ú' => 'u',
                'Á' => 'A',
                'É' => 'E',
                'Í' => 'I',
                'Ó' => 'O',
                'Ú' => 'U',
                c => c,
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, rng_seed: proptest::test_runner::RngSeed::Fixed(11), ..ProptestConfig::default() })]
        #[test]
        fn removing_acute_accents_never_changes_terms(text in "[a-zñáéíóúü ]{1,40}") {
            prop_assert_eq!(terms(&text), terms(&strip_acute(&text)));
        }
    }
}

/// The language is a closed set read from its code; anything else is refused with a message
/// naming the key and the value, so `language = "fr"` can no longer build the Spanish chain.
#[test]
fn unknown_language_is_refused_when_read() {
    assert_eq!("es".parse::<Language>(), Ok(Language::Es));
    let err = "fr".parse::<Language>().unwrap_err();
    assert_eq!(
        err,
        "[analyzer] language = \"fr\" is not supported; the only analyzer language is \"es\" \
         (Spanish)"
    );
    let bad: Result<AnalyzerSettings, _> = toml::from_str("language = \"fr\"");
    assert!(
        bad.unwrap_err()
            .to_string()
            .contains("\"fr\" is not supported")
    );
}

/// The typed language reads and writes exactly as the old string field: the fingerprint (which
/// hashes the debug form) and the model files (postcard) are unchanged, so no index or model
/// becomes stale.
#[test]
fn typed_language_keeps_the_fingerprint_and_the_file_format() {
    let s = AnalyzerSettings::default();
    assert_eq!(
        format!("{s:?}"),
        "AnalyzerSettings { language: \"es\", stopwords: true, stem: true, fold_accents: true }"
    );
    let as_string = postcard::to_allocvec(&("es".to_string(), true, true, true)).unwrap();
    assert_eq!(postcard::to_allocvec(&s).unwrap(), as_string);
    let back: AnalyzerSettings = postcard::from_bytes(&as_string).unwrap();
    assert_eq!(back, s);
    assert_eq!(
        toml::to_string(&s).unwrap().lines().next(),
        Some("language = \"es\"")
    );
}
