//! Guessing which calculator an imported indicator uses from its description
//! and its "metodo di calcolo", for binding at import time when unambiguous.

use serde_json::{json, Value};

fn normalise(text: &str) -> String {
    text.to_lowercase()
        .replace(['à', 'á'], "a")
        .replace(['è', 'é'], "e")
        .replace(['ì', 'í'], "i")
        .replace(['ò', 'ó'], "o")
        .replace(['ù', 'ú'], "u")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The calculator id and default params for an indicator, or `None` when the
/// text does not say clearly. Rules, first match wins, on the method and the
/// description together (lower case, accents removed):
///
/// 1. "tempestivita dei pagamenti" or "tempestivita pagamenti" → `payment_timeliness`;
/// 2. "ritardo annuale" or "145/2018" → `payment_delay_l145`;
/// 3. the method starts with "percentuale", "rapporto tra", "rapporto fra",
///    or contains " / " → `ratio_percent`;
/// 4. the method starts with "numero di", "numero", "n. " → `count`;
/// 5. the method starts with "somma" → `sum`;
/// 6. "avanzamento delle fasi" or "fasi" with "peso" → `phase_completion`.
///
/// Rule 3 precedes rule 4 because "N. servizi full digital / N. servizi
/// erogati online" is a ratio of two counts.
pub fn guess_calculator(description: &str, method: &str) -> Option<(&'static str, Value)> {
    let m = normalise(method);
    let all = format!("{} {}", normalise(description), m);
    if all.contains("tempestivita dei pagamenti") || all.contains("tempestivita pagamenti") {
        return Some((
            "payment_timeliness",
            json!({"default_term_days": crate::builtin::DEFAULT_TERM_DAYS}),
        ));
    }
    if all.contains("ritardo annuale") || all.contains("145/2018") {
        return Some((
            "payment_delay_l145",
            json!({"default_term_days": crate::builtin::DEFAULT_TERM_DAYS}),
        ));
    }
    if ["percentuale", "rapporto tra", "rapporto fra"]
        .iter()
        .any(|p| m.starts_with(p))
        || m.contains(" / ")
    {
        return Some(("ratio_percent", json!({})));
    }
    if m.starts_with("numero") || m.starts_with("n. ") {
        return Some(("count", json!({})));
    }
    if m.starts_with("somma") {
        return Some(("sum", json!({})));
    }
    if all.contains("avanzamento delle fasi") || (all.contains("fasi") && all.contains("peso")) {
        return Some(("phase_completion", json!({})));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_methods_bind_to_the_expected_calculators() {
        let cases = [
            (
                "Tempestività dei pagamenti",
                "Indicatore di tempestività dei pagamenti",
                Some("payment_timeliness"),
            ),
            (
                "",
                "Percentuale degli adempimenti emanati entro i tempi previsti",
                Some("ratio_percent"),
            ),
            (
                "",
                "Rapporto tra misure adottate e misure di competenza",
                Some("ratio_percent"),
            ),
            (
                "",
                "Rapporto tra atti pervenuti e quelli istruiti",
                Some("ratio_percent"),
            ),
            (
                "",
                "N. servizi full digital / N. servizi erogati online",
                Some("ratio_percent"),
            ),
            ("", "Numero di accordi sottoscritti", Some("count")),
            ("", "Somma delle partecipazioni agli eventi", Some("sum")),
            (
                "Ritardo annuale dei pagamenti",
                "L. 145/2018",
                Some("payment_delay_l145"),
            ),
            ("Realizzazione del progetto", "Relazione finale", None),
        ];
        for (description, method, expected) in cases {
            assert_eq!(
                guess_calculator(description, method).map(|(id, _)| id),
                expected,
                "{method}"
            );
        }
    }

    #[test]
    fn payment_timeliness_is_bound_with_the_default_term() {
        let (_, params) = guess_calculator("Tempestivita dei pagamenti", "").unwrap();
        assert_eq!(params, json!({"default_term_days": 30}));
    }
}
