//! Templates: text with `{Name}` references to a column (table sources) or
//! a named group of a rule's pattern (text sources). `{{` and `}}` write a
//! brace; names starting with `$` are the reader's own values (`{$sheet}`,
//! `{$file}`, `{$line}`, `{$objective}`).

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Ref(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub parts: Vec<Part>,
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
                    if !closed {
                        return Err(format!(
                            "expected `}}` to close the reference `{{{name}` in {text:?} (write `{{{{` for a brace)"
                        ));
                    }
                    if name.trim().is_empty() {
                        return Err(format!(
                            "expected a column or group name inside `{{}}` in {text:?}"
                        ));
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Ref(name));
                }
                '}' => {
                    return Err(format!(
                        "found `}}` without `{{` in {text:?} (write `}}}}` for a brace)"
                    ))
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Template { parts })
    }

    pub fn literal(text: &str) -> Template {
        Template {
            parts: vec![Part::Text(text.to_string())],
        }
    }

    pub fn reference(name: &str) -> Template {
        Template {
            parts: vec![Part::Ref(name.to_string())],
        }
    }

    /// The names this template reads.
    pub fn refs(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Ref(r) => Some(r.as_str()),
            Part::Text(_) => None,
        })
    }

    /// The text of a template without references.
    pub fn as_literal(&self) -> Option<String> {
        if self.refs().next().is_some() {
            return None;
        }
        Some(
            self.parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => t.as_str(),
                    Part::Ref(_) => "",
                })
                .collect(),
        )
    }

    /// Fills the template; `lookup` gives the text of a reference.
    pub fn render<'a>(&self, mut lookup: impl FnMut(&str) -> Option<&'a str>) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Ref(r) => out.push_str(lookup(r).unwrap_or("")),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_escaped_braces() {
        let t = Template::parse("{Missione} - {{x}}").unwrap();
        assert_eq!(t.refs().collect::<Vec<_>>(), vec!["Missione"]);
        assert_eq!(t.render(|_| Some("M1")), "M1 - {x}");
        assert!(Template::parse("{open").is_err());
        assert!(Template::parse("close}").is_err());
        assert!(Template::parse("{}").is_err());
        assert_eq!(
            Template::parse("plain").unwrap().as_literal().as_deref(),
            Some("plain")
        );
    }
}
