use super::*;
use crate::answer::MachineCoding;

fn answer(i: usize, month: Month, text: &str) -> Answer {
    Answer {
        entity_code: format!("{:05}", 1000 + i),
        entity_name: format!("Entidad {i}"),
        department: "Cauca".into(),
        region: "Pacífico".into(),
        entity_kind: None,
        month,
        question: "necesidades_debilidades".into(),
        answer_id: None,
        text: text.into(),
        rating: None,
        codes: Vec::new(),
        machine: None,
        interview_date: None,
        respondent_role: None,
        attributes: Default::default(),
    }
}

fn machine(code: &str, confidence: f64) -> Option<MachineCoding> {
    Some(MachineCoding {
        codes: vec![code.into()],
        confidence,
        margin: 0.1,
        top_terms: Vec::new(),
        model: "m".into(),
        ..Default::default()
    })
}

const PANDEMIA: [&str; 6] = [
    "Por la pandemia todo pasó a virtual y no tenemos conectividad",
    "La pandemia nos dejó sin internet ni conectividad para las reuniones virtuales",
    "Con la pandemia las sesiones virtuales fallan por la conectividad del municipio",
    "Sin conectividad no pudimos seguir las capacitaciones virtuales en pandemia",
    "En pandemia la conectividad rural no alcanza para lo virtual",
    "Lo virtual de la pandemia exige conectividad que no hay",
];
const ELECCIONES: [&str; 6] = [
    "La ley de garantías electorales frenó la contratación del equipo",
    "En época electoral la ley de garantías no deja contratar personal",
    "Por la ley de garantías no hubo contratación de contratistas este semestre",
    "La contratación se paró por ley de garantías en elecciones",
    "Las elecciones y la ley de garantías retrasaron la contratación",
    "Sin contratación por la ley de garantías el equipo quedó incompleto",
];

#[test]
fn weak_means_other_uncoded_or_unsure_never_a_confident_code_or_a_non_answer() {
    let m = Month::new(2020, 11).unwrap();
    let mut a = answer(1, m, "Falta conectividad");
    assert!(is_weak(&a, None, 0.5), "uncoded, no machine coding");
    a.machine = machine("brecha_conectividad", 0.9);
    assert!(!is_weak(&a, None, 0.5), "confident machine code");
    a.machine = machine("brecha_conectividad", 0.3);
    assert!(is_weak(&a, None, 0.5), "unsure machine code");
    a.codes = vec!["brecha_conectividad".into()];
    assert!(
        !is_weak(&a, None, 0.5),
        "human code wins over the unsure machine"
    );
    a.codes = vec!["otro".into()];
    assert!(is_weak(&a, None, 0.5), "human 'otro'");
    a.codes = vec!["Otros_temas".into()];
    assert!(is_weak(&a, None, 0.5));
    let b = answer(2, m, "NS/NR");
    assert!(!is_weak(&b, None, 0.5), "non-answer");
}

fn weak_set(m: Month) -> Vec<Answer> {
    let texts = PANDEMIA.iter().chain(ELECCIONES.iter());
    texts.enumerate().map(|(i, t)| answer(i, m, t)).collect()
}

#[test]
fn two_themes_found_labelled_quoted_and_grown_reproducibly() {
    let nov = Month::new(2020, 11).unwrap();
    let oct = nov.prev();
    let weak = weak_set(nov);
    let history = vec![(oct, vec![answer(99, oct, PANDEMIA[0])])];
    let opts = ThemeOptions::month(nov);
    let run = || {
        let mut an = Analyzer::default();
        let mut forms = SurfaceForms::default();
        find_themes(&weak, &history, &opts, &mut an, &mut forms).unwrap()
    };
    let Found {
        themes,
        k_scores: scores,
        chosen_k: k,
        unthemed,
    } = run();
    assert_eq!(k, 2, "silhouette scores {scores:?}");
    assert_eq!(unthemed, 0);
    assert_eq!(themes.len(), 2);
    let pand = themes
        .iter()
        .find(|t| t.label.contains("conectividad") || t.label.contains("pandemia"))
        .expect("a pandemic theme");
    let elec = themes
        .iter()
        .find(|t| t.label.contains("garantías"))
        .unwrap_or_else(|| panic!("an elections theme in {themes:?}"));
    assert_eq!((pand.size, elec.size), (6, 6));
    assert_eq!(pand.quotes.len(), 3);
    assert!(
        pand.quotes
            .iter()
            .all(|q| PANDEMIA.contains(&q.text.as_str()))
    );
    let growth: Vec<(Month, usize)> = pand.growth.iter().map(|g| (g.month, g.count)).collect();
    assert_eq!(growth, [(oct, 1), (nov, 6)]);
    assert_eq!(elec.growth[0].count, 0);
    assert_eq!(run().themes, themes, "same input, same themes");
}

#[test]
fn too_few_weak_answers_make_no_theme() {
    let nov = Month::new(2020, 11).unwrap();
    let weak: Vec<Answer> = PANDEMIA[..4].iter().map(|t| answer(1, nov, t)).collect();
    let mut an = Analyzer::default();
    let mut forms = SurfaceForms::default();
    let found = find_themes(&weak, &[], &ThemeOptions::month(nov), &mut an, &mut forms).unwrap();
    assert!(found.themes.is_empty());
    assert_eq!(found.unthemed, 4);
}

#[test]
fn rising_terms_rank_by_gain_in_share_shown_as_written() {
    let nov = Month::new(2020, 11).unwrap();
    let oct = nov.prev();
    let now: Vec<Answer> = PANDEMIA
        .iter()
        .chain(ELECCIONES.iter())
        .enumerate()
        .map(|(i, t)| answer(i, nov, t))
        .collect();
    let before: Vec<Answer> = ELECCIONES
        .iter()
        .enumerate()
        .map(|(i, t)| answer(i, oct, t))
        .collect();
    let mut an = Analyzer::default();
    let mut forms = SurfaceForms::default();
    let rising = rising_terms(&now, &before, &mut an, &mut forms, 3);
    let words: Vec<&str> = rising.iter().map(|t| t.term.as_str()).collect();
    assert!(words.contains(&"conectividad"), "{rising:?}");
    assert!(words.contains(&"pandemia"), "{rising:?}");
    let c = rising.iter().find(|t| t.term == "conectividad").unwrap();
    assert_eq!(c.count, 6);
    assert_eq!(c.share_before, Some(0.0));
    assert!(!words.contains(&"garantías"), "an old term did not rise");
}
