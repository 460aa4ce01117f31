//! Offices and linked objectives named in the free text of a sheet.

use super::*;

/// Offices are listed with commas or en dashes: `Dirigente Div.2 – Dirigente Div.3`.
pub(super) fn split_offices(text: &str) -> Vec<String> {
    text.split([',', ';'])
        .flat_map(|part| part.split(" – "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The start of a link: `Obiettivo [specifico|annuale|individuale|…] <code>`.
pub(super) struct LinkStart {
    start: usize,
    code: String,
    after: usize,
}

pub(super) fn find_link_start(text: &str, from: usize) -> Option<LinkStart> {
    const QUALIFIERS: [&str; 5] = [
        "specifico",
        "annuale",
        "individuale",
        "strategico",
        "operativo",
    ];
    let mut search = from;
    while let Some(offset) = text.get(search..)?.find("Obiettivo") {
        let start = search + offset;
        search = start + "Obiettivo".len();
        let at_word_start = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        if !at_word_start {
            continue;
        }
        let mut pos = search;
        loop {
            let rest = &text[pos..];
            let trimmed = rest.trim_start();
            let skipped = pos + (rest.len() - trimmed.len());
            let qualifier = QUALIFIERS.iter().find(|q| {
                trimmed.starts_with(*q) && !trimmed[q.len()..].starts_with(char::is_alphanumeric)
            });
            match qualifier {
                Some(q) => pos = skipped + q.len(),
                None => {
                    pos = skipped;
                    break;
                }
            }
        }
        let rest = &text[pos..];
        let len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let raw_code = &rest[..len];
        let code = raw_code.trim_end_matches('.');
        if code.is_empty() || !code.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let after = pos + len;
        let follows_ok = text[after..]
            .chars()
            .next()
            .is_none_or(|c| c.is_whitespace() || is_open_quote(c));
        if follows_ok {
            return Some(LinkStart {
                start,
                code: code.to_string(),
                after,
            });
        }
    }
    None
}

pub(super) fn is_open_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '«')
}

pub(super) fn closing_quote(open: char) -> &'static [char] {
    match open {
        '«' => &['»'],
        _ => &['"', '”'],
    }
}

/// Links to other objectives as the sheets write them: quoted titles
/// (`Obiettivo 4 "…"`, a closing quote sometimes missing), or unquoted
/// titles that run until the next `Obiettivo individuale 3.2`. The
/// placeholder `Indicare Codice e Obiettivo annuale collegato` has no code
/// and so gives no link.
pub(super) fn parse_links(text: &str) -> Vec<LinkedObjective> {
    let mut links = Vec::new();
    let mut pos = 0;
    while let Some(link) = find_link_start(text, pos) {
        let rest = &text[link.after..];
        let title_start = link.after + (rest.len() - rest.trim_start().len());
        let title;
        match text[title_start..].chars().next() {
            Some(open) if is_open_quote(open) => {
                let inner = title_start + open.len_utf8();
                match text[inner..].find(closing_quote(open)) {
                    Some(end) => {
                        title = &text[inner..inner + end];
                        let close_len =
                            text[inner + end..].chars().next().map_or(1, char::len_utf8);
                        pos = inner + end + close_len;
                    }
                    None => {
                        title = &text[inner..];
                        pos = text.len();
                    }
                }
            }
            _ => {
                let next = find_link_start(text, title_start).map_or(text.len(), |l| l.start);
                title = &text[title_start..next];
                pos = next;
            }
        }
        links.push(LinkedObjective {
            code: link.code,
            title: title.trim().to_string(),
        });
        if pos <= link.start {
            break;
        }
    }
    links
}
