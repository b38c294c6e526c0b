//! Spanish number formatting for report and flag text: decimal comma, true minus sign (−),
//! a thin no-break space before `%`.
//!
//! In: numbers. Out: strings such as "4,5", "−2,5", "11,5 %".

/// A number with `decimals` decimals and a decimal comma: `es_num(4.5, 1)` → `"4,5"`,
/// `es_num(-2.5, 1)` → `"−2,5"`. Non-finite numbers print as "—".
pub fn es_num(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let s = format!("{:.*}", decimals, x.abs());
    let s = group_thousands(&s.replace('.', ","));
    let zero = s.chars().all(|c| c == '0' || c == ',' || c == '.');
    if x < 0.0 && !zero {
        format!("−{s}")
    } else {
        s
    }
}

/// A signed difference: `"+0,5"`, `"−2,5"`, `"0,0"`.
pub fn es_signed(x: f64, decimals: usize) -> String {
    let s = es_num(x, decimals);
    if x > 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{s}")
    } else {
        s
    }
}

/// A percentage with one decimal: `"11,5 %"`.
pub fn es_pct(x: f64) -> String {
    format!("{}\u{a0}%", es_num(x, 1))
}

/// [`es_num`] of a value that may be missing: "—" when it is (a mean without ratings).
pub fn es_opt_num(x: Option<f64>, decimals: usize) -> String {
    x.map_or("—".into(), |v| es_num(v, decimals))
}

/// [`es_pct`] of a share that may be missing: "—" when it is.
pub fn es_opt_pct(x: Option<f64>) -> String {
    x.map_or("—".into(), es_pct)
}

/// Thousands separated by a dot ("1.234,5"), as written in Colombia.
fn group_thousands(s: &str) -> String {
    let (int, frac) = match s.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if int.len() <= 4 {
        return s.to_string();
    }
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{out},{f}"),
        None => out,
    }
}

/// The noun (or noun phrase) that agrees with `n`: a label printed apart from its number
/// ("1" over "respuesta codificada", "3" over "respuestas codificadas").
pub fn agree<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// "1 respuesta" / "3 respuestas".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", es_num(n as f64, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_numbers() {
        assert_eq!(es_num(4.5, 1), "4,5");
        assert_eq!(es_num(-2.5, 1), "−2,5");
        assert_eq!(es_num(-0.01, 1), "0,0");
        assert_eq!(es_num(12345.0, 0), "12.345");
        assert_eq!(es_num(1234.5, 1), "1234,5");
        assert_eq!(es_signed(0.5, 1), "+0,5");
        assert_eq!(es_signed(-1.0, 1), "−1,0");
        assert_eq!(es_signed(0.0, 1), "0,0");
        assert_eq!(es_pct(11.54), "11,5\u{a0}%");
        assert_eq!(plural(1, "entidad", "entidades"), "1 entidad");
        assert_eq!(plural(2, "entidad", "entidades"), "2 entidades");
        assert_eq!(agree(1, "entidad", "entidades"), "entidad");
        assert_eq!(agree(0, "entidad", "entidades"), "entidades");
    }

    #[test]
    fn missing_values_print_a_dash() {
        assert_eq!(es_opt_num(Some(3.456), 2), "3,46");
        assert_eq!(es_opt_num(None, 2), "—");
        assert_eq!(es_opt_pct(Some(50.0)), "50,0\u{a0}%");
        assert_eq!(es_opt_pct(None), "—");
    }
}
