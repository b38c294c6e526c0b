//! Stage: model (input screening). Decides which answers are non-answers.
//!
//! In: raw answer text. Out: whether it is empty or a non-answer. Non-answers ("", ".", "-",
//! "sin respuesta", "no sabe", "no responde", "NS/NR", "N/A", "no aplica", "sin fundamento",
//! "sin comentarios", …) carry no content to code: they are left out of training and never get
//! a machine code (classify reports them with status `non_answer`, review skips them). Short
//! but substantive answers — "ninguno", "nada", "no", "todo" — are NOT non-answers: "ninguno"
//! to "¿qué temas necesitan apoyo?" is an answer, and the analyst's codebook decides its code.

/// Normalised phrases (lowercase, accents folded, punctuation → spaces) that mean "no answer".
const NON_ANSWERS: &[&str] = &[
    "sin respuesta",
    "no responde",
    "no respondio",
    "no contesta",
    "no contesto",
    "no sabe",
    "no sabe no responde",
    "no sabe no contesta",
    "no se",
    "ns",
    "nr",
    "ns nr",
    "nsnr",
    "n a",
    "na",
    "no aplica",
    "sin informacion",
    "sin info",
    "sin dato",
    "sin datos",
    "sin comentario",
    "sin comentarios",
    "sin observacion",
    "sin observaciones",
    "sin fundamento",
    "sin fundamentos",
    "sin justificacion",
    "no hay respuesta",
    "no registra",
    "no indica",
];

/// Lowercase, fold the common Spanish accents, turn everything that is not a letter or digit
/// into single spaces.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for ch in text.chars().flat_map(char::to_lowercase) {
        let ch = match ch {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            c => c,
        };
        if ch.is_alphanumeric() {
            out.push(ch);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// True for empty text, text without a single letter or digit, and the non-answer phrases.
pub fn is_non_answer(text: &str) -> bool {
    // Every phrase is short: a long text is a non-answer only when it has no letter or digit
    // (this keeps the batch path free of allocations).
    if text.len() > 64 {
        return !text.chars().any(char::is_alphanumeric);
    }
    let n = normalise(text);
    n.is_empty() || NON_ANSWERS.contains(&n.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_answers_are_recognised() {
        for t in [
            "",
            "  ",
            ".",
            "-",
            "...",
            "Sin respuesta",
            "NO SABE",
            "NS/NR",
            "N/A",
            "no sabe, no responde",
            "Sin fundamento.",
        ] {
            assert!(is_non_answer(t), "{t:?}");
        }
    }

    #[test]
    fn short_substantive_answers_are_kept() {
        for t in [
            "ninguno",
            "Nada",
            "no",
            "todo",
            "sin apoyo del DNP",
            "no sabe usar el KPT",
        ] {
            assert!(!is_non_answer(t), "{t:?}");
        }
    }
}
