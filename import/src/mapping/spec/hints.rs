//! Hints for an unknown key: the keys of its own section and the key that
//! was probably meant.

use super::raw::{INDICATOR_KEYS, OBJECTIVE_KEYS};

/// The keys of the sections that share one raw type (`RawSection`), so
/// that an unknown key is answered with its own section's keys rather than
/// the union serde lists (a `[[rules]]` entry has a type of its own, whose
/// serde message is already exact).
pub(super) static SECTION_KEYS: &[(&str, &[&str])] = &[
    ("objective", &OBJECTIVE_KEYS),
    ("indicator", &INDICATOR_KEYS),
    ("indicator.targets", &["columns", "year", "value", "note"]),
];

/// For TOML's "unknown field `x`, expected one of …" inside a section of
/// [`SECTION_KEYS`]: the section, its own keys, the key meant when one is
/// close, and the section that takes the key when another one does.
pub(super) fn unknown_key_message(text: &str, at: usize, message: &str) -> Option<String> {
    let key = message.strip_prefix("unknown field `")?.split('`').next()?;
    let section = enclosing_section(text, at)?;
    let (_, keys) = SECTION_KEYS.iter().find(|(name, _)| *name == section)?;
    let mut out = format!(
        "unknown key `{key}` in [{section}], whose keys are: {}",
        keys.join(", ")
    );
    if let Some(close) = keys
        .iter()
        .filter(|k| edit_distance(k, key) <= 2.max(key.len() / 4))
        .min_by_key(|k| edit_distance(k, key))
    {
        out.push_str(&format!("; did you mean `{close}`?"));
    } else if let Some((other, _)) = SECTION_KEYS
        .iter()
        .find(|(name, keys)| *name != section && keys.contains(&key))
    {
        out.push_str(&format!("; `{key}` is a key of [{other}]"));
    }
    Some(out)
}

/// The table a position of a TOML text belongs to: the last header before
/// it (`[indicator]`, `[[indicator.targets]]`), or, when the position is
/// in a header itself (`[[indicator.target]]`), the table the header's last
/// part would be a key of.
pub(super) fn enclosing_section(text: &str, at: usize) -> Option<String> {
    let header = |line: &str| -> Option<String> {
        let line = line.trim();
        let inner = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]"));
        let inner = inner.or_else(|| line.strip_prefix('[').and_then(|l| l.strip_suffix(']')))?;
        Some(
            inner
                .split('.')
                .map(str::trim)
                .collect::<Vec<_>>()
                .join("."),
        )
    };
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    if let Some(own) = header(&text[line_start..line_end]) {
        return own.rsplit_once('.').map(|(parent, _)| parent.to_string());
    }
    text[..line_start].lines().rev().find_map(header)
}

/// Levenshtein distance, for suggesting a key.
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}
