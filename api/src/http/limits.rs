//! The limits of a GraphQL document, checked before async-graphql sees it.
//!
//! async-graphql's own depth and complexity checks walk the document with
//! every fragment spread inlined, so their cost is the size of the
//! *expanded* document: ten fragments of ten spreads each expand a 780-byte
//! query to 10^8 fields. Everything here costs time linear in the size of
//! the text instead:
//!
//! 1. [`check_text`], on the raw text before parsing: its length
//!    (`QUERY_TOO_LONG`) and how deep its brackets nest (`QUERY_TOO_DEEP`),
//!    so that the parser's recursion stays shallow;
//! 2. [`Cost::of`], on the parsed document: every fragment is costed once
//!    and its cost reused wherever it is spread (memoised), so the figures
//!    of the expanded document — fields selected (`__typename` included),
//!    aliases, fragment spreads, depth and complexity — come out of one
//!    pass, in saturating arithmetic. Unknown fragments, fragment cycles and
//!    unused fragments are refused here, since the expansion is undefined
//!    with them (and an unused fragment would be validated without being
//!    costed);
//! 3. [`Cost::check`] against the settings, each limit with its own code;
//! 4. [`check_strings`]: the length of every string argument, literal or
//!    variable (`BAD_USER_INPUT` with the argument in `field`).
//!
//! Once a document is within these limits, async-graphql's validation and
//! execution, which do expand fragments, are bounded by them: the work of
//! validating and executing is proportional to the expanded fields and
//! spreads, which are limited.

use std::collections::HashMap;

use async_graphql::parser::types::{
    Directive, ExecutableDocument, Field, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned};
use async_graphql_value::{ConstValue, Value};
use serde_json::{Map, Value as Json};

use crate::settings::Settings;

use crate::errors::request_codes as codes;

/// A document refused by a limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LimitError {
    pub code: &'static str,
    pub message: String,
    /// The argument at fault, for `BAD_USER_INPUT`.
    pub field: Option<String>,
}

impl LimitError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        LimitError {
            code,
            message: message.into(),
            field: None,
        }
    }
}

/// How deep brackets may nest in the text: room for the depth limit's
/// selection sets and their arguments, with some input objects and lists.
pub(crate) fn max_nesting(settings: &Settings) -> usize {
    settings.max_depth.saturating_mul(2).saturating_add(16)
}

/// Checks the raw text: its length, and how deep `{`, `[` and `(` nest
/// outside strings and comments. One pass over the bytes.
pub(crate) fn check_text(query: &str, settings: &Settings) -> Result<(), LimitError> {
    if query.len() > settings.max_query_bytes {
        return Err(LimitError::new(
            codes::QUERY_TOO_LONG,
            format!(
                "the query text is {} bytes, more than the limit of {} bytes (CRUSCOTTO_MAX_QUERY_BYTES)",
                query.len(),
                settings.max_query_bytes
            ),
        ));
    }
    let limit = max_nesting(settings);
    let bytes = query.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                // A block string ends at an unescaped `"""`.
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > limit {
                    return Err(LimitError::new(
                        codes::QUERY_TOO_DEEP,
                        format!(
                            "the query nests brackets more than {limit} deep, the limit (2 × CRUSCOTTO_MAX_DEPTH + 16)"
                        ),
                    ));
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// The figures of a document with every fragment spread expanded, over all
/// its operations (async-graphql validates them all).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Cost {
    /// Fields selected, `__typename` included.
    pub fields: usize,
    pub aliases: usize,
    pub fragment_spreads: usize,
    /// The deepest nesting of fields.
    pub depth: usize,
    /// Fields, where a field with a `first` or `last` argument counts its
    /// selection that many times (the page size it asks for, at most the
    /// largest page).
    pub complexity: usize,
    /// The longest chain of fragments spreading fragments.
    pub fragment_nesting: usize,
}

impl Cost {
    /// The figures of a selection set nested in this one.
    fn add(&mut self, other: Cost) {
        self.fields = self.fields.saturating_add(other.fields);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.fragment_spreads = self.fragment_spreads.saturating_add(other.fragment_spreads);
        self.depth = self.depth.max(other.depth);
        self.complexity = self.complexity.saturating_add(other.complexity);
        self.fragment_nesting = self.fragment_nesting.max(other.fragment_nesting);
    }

    /// Computes the figures of `document`, each fragment once.
    /// `variables` give the values of `first`/`last` passed as variables.
    pub fn of(
        document: &ExecutableDocument,
        variables: Option<&Map<String, Json>>,
        settings: &Settings,
    ) -> Result<Cost, LimitError> {
        let order = fragment_order(document)?;
        let mut costing = Costing {
            fragments: HashMap::with_capacity(order.len()),
            variables,
            max_page_size: settings.max_page_size,
        };
        for name in order {
            let fragment = &document.fragments[name];
            let mut cost = costing.selection_set(&fragment.node.selection_set.node);
            cost.fragment_nesting = cost.fragment_nesting.saturating_add(1);
            costing.fragments.insert(name, cost);
        }
        let mut total = Cost::default();
        for (_, operation) in document.operations.iter() {
            total.add(costing.selection_set(&operation.node.selection_set.node));
        }
        Ok(total)
    }

    /// Refuses the document if a figure is over its limit.
    pub fn check(&self, settings: &Settings) -> Result<(), LimitError> {
        let over = |code, what: &str, value: usize, limit: usize, setting: &str| {
            Err(LimitError::new(
                code,
                format!("the query has {value} {what} once its fragments are expanded, more than the limit of {limit} ({setting})"),
            ))
        };
        if self.depth > settings.max_depth {
            // The message the service has always given for this limit.
            return Err(LimitError::new(
                codes::QUERY_TOO_DEEP,
                format!(
                    "the query is nested deeper than the limit of {} levels",
                    settings.max_depth
                ),
            ));
        }
        if self.fragment_nesting > settings.max_depth {
            return Err(LimitError::new(
                codes::QUERY_TOO_DEEP,
                format!(
                    "the query nests fragments {} deep, more than the limit of {} (CRUSCOTTO_MAX_DEPTH)",
                    self.fragment_nesting, settings.max_depth
                ),
            ));
        }
        if self.fragment_spreads > settings.max_fragment_spreads {
            return over(
                codes::QUERY_TOO_MANY_FRAGMENT_SPREADS,
                "fragment spreads",
                self.fragment_spreads,
                settings.max_fragment_spreads,
                "CRUSCOTTO_MAX_FRAGMENT_SPREADS",
            );
        }
        if self.aliases > settings.max_aliases {
            return over(
                codes::QUERY_TOO_MANY_ALIASES,
                "aliases",
                self.aliases,
                settings.max_aliases,
                "CRUSCOTTO_MAX_ALIASES",
            );
        }
        if self.fields > settings.max_fields {
            return over(
                codes::QUERY_TOO_MANY_FIELDS,
                "fields",
                self.fields,
                settings.max_fields,
                "CRUSCOTTO_MAX_FIELDS",
            );
        }
        if self.complexity > settings.max_complexity {
            return Err(LimitError::new(
                codes::QUERY_TOO_COMPLEX,
                format!(
                    "the query is more complex than the limit of {} (CRUSCOTTO_MAX_COMPLEXITY): its complexity is {}; ask for fewer fields or smaller pages",
                    settings.max_complexity, self.complexity
                ),
            ));
        }
        Ok(())
    }
}

struct Costing<'a> {
    fragments: HashMap<&'a str, Cost>,
    variables: Option<&'a Map<String, Json>>,
    max_page_size: usize,
}

impl Costing<'_> {
    /// The figures of a selection set; the fragments it spreads are
    /// already costed (see [`fragment_order`]). The recursion follows the
    /// nesting of the text, which [`check_text`] bounds.
    fn selection_set(&self, set: &SelectionSet) -> Cost {
        let mut cost = Cost::default();
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => cost.add(self.field(&field.node)),
                Selection::InlineFragment(fragment) => {
                    cost.add(self.selection_set(&fragment.node.selection_set.node))
                }
                Selection::FragmentSpread(spread) => {
                    let mut spread_cost = self
                        .fragments
                        .get(spread.node.fragment_name.node.as_str())
                        .copied()
                        .unwrap_or_default();
                    spread_cost.fragment_spreads = spread_cost.fragment_spreads.saturating_add(1);
                    cost.add(spread_cost);
                }
            }
        }
        cost
    }

    fn field(&self, field: &Field) -> Cost {
        let children = self.selection_set(&field.selection_set.node);
        Cost {
            fields: children.fields.saturating_add(1),
            aliases: children
                .aliases
                .saturating_add(usize::from(field.alias.is_some())),
            fragment_spreads: children.fragment_spreads,
            depth: children.depth.saturating_add(1),
            complexity: children
                .complexity
                .saturating_mul(self.page_size(field))
                .saturating_add(1),
            fragment_nesting: children.fragment_nesting,
        }
    }

    /// The page a field asks for with `first` or `last` (1 without them).
    fn page_size(&self, field: &Field) -> usize {
        let mut size = 1;
        for (name, value) in &field.arguments {
            if !matches!(name.node.as_str(), "first" | "last") {
                continue;
            }
            let n = match &value.node {
                Value::Number(n) => n.as_u64(),
                Value::Variable(v) => self
                    .variables
                    .and_then(|vars| vars.get(v.as_str()))
                    .and_then(Json::as_u64),
                _ => None,
            };
            if let Some(n) = n {
                size = size.max(usize::try_from(n).unwrap_or(usize::MAX));
            }
        }
        size.clamp(1, self.max_page_size.max(1))
    }
}

/// The fragments in an order where each comes after the fragments it
/// spreads, so that each is costed once from the costs before it. Refuses
/// spreads of unknown fragments, cycles, and fragments no operation uses.
/// Iterative, so a long chain of fragments cannot exhaust the stack.
fn fragment_order(document: &ExecutableDocument) -> Result<Vec<&str>, LimitError> {
    // The fragments each fragment spreads, anywhere in its selection.
    fn spreads_of(set: &SelectionSet) -> Vec<&Positioned<Name>> {
        let mut found = Vec::new();
        let mut stack = vec![set];
        while let Some(set) = stack.pop() {
            for item in &set.items {
                match &item.node {
                    Selection::Field(field) => stack.push(&field.node.selection_set.node),
                    Selection::InlineFragment(f) => stack.push(&f.node.selection_set.node),
                    Selection::FragmentSpread(s) => found.push(&s.node.fragment_name),
                }
            }
        }
        found
    }
    let known = |name: &Positioned<Name>| -> Result<(), LimitError> {
        if document.fragments.contains_key(&name.node) {
            Ok(())
        } else {
            Err(LimitError::new(
                codes::VALIDATION_FAILED,
                format!(
                    "unknown fragment \"{}\" at line {}, column {}",
                    name.node, name.pos.line, name.pos.column
                ),
            ))
        }
    };
    let edges: HashMap<&str, Vec<&Positioned<Name>>> = document
        .fragments
        .iter()
        .map(|(name, f): (&Name, &Positioned<FragmentDefinition>)| {
            (name.as_str(), spreads_of(&f.node.selection_set.node))
        })
        .collect();

    // Depth-first from every fragment: 1 = on the current path, 2 = done.
    let mut state: HashMap<&str, u8> = HashMap::with_capacity(edges.len());
    let mut order = Vec::with_capacity(edges.len());
    let mut names: Vec<&str> = edges.keys().copied().collect();
    names.sort_unstable();
    for root in names {
        if state.contains_key(root) {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(root, 0)];
        state.insert(root, 1);
        while let Some((name, next)) = stack.last_mut() {
            let children = &edges[*name];
            if let Some(child) = children.get(*next) {
                *next += 1;
                known(child)?;
                let child_name = child.node.as_str();
                match state.get(child_name) {
                    Some(1) => {
                        return Err(LimitError::new(
                            codes::VALIDATION_FAILED,
                            format!(
                                "the fragment \"{child_name}\" spreads itself (through line {}, column {}): fragments cannot form cycles",
                                child.pos.line, child.pos.column
                            ),
                        ))
                    }
                    Some(_) => {}
                    None => {
                        state.insert(child_name, 1);
                        stack.push((child_name, 0));
                    }
                }
            } else {
                state.insert(name, 2);
                order.push(*name);
                stack.pop();
            }
        }
    }

    // Every fragment must be reached from an operation.
    let mut used: std::collections::HashSet<&str> = Default::default();
    let mut pending: Vec<&str> = Vec::new();
    for (_, operation) in document.operations.iter() {
        for spread in spreads_of(&operation.node.selection_set.node) {
            known(spread)?;
            if used.insert(spread.node.as_str()) {
                pending.push(spread.node.as_str());
            }
        }
    }
    while let Some(name) = pending.pop() {
        for spread in &edges[name] {
            if used.insert(spread.node.as_str()) {
                pending.push(spread.node.as_str());
            }
        }
    }
    if let Some((name, fragment)) = document
        .fragments
        .iter()
        .filter(|(name, _)| !used.contains(name.as_str()))
        .min_by_key(|(_, f)| (f.pos.line, f.pos.column))
    {
        return Err(LimitError::new(
            codes::VALIDATION_FAILED,
            format!(
                "the fragment \"{name}\" (line {}, column {}) is never used",
                fragment.pos.line, fragment.pos.column
            ),
        ));
    }
    Ok(order)
}

/// Arguments that carry a whole document (`importDocument(content:)`,
/// `importPayments(csv:)`): bounded by the body limit only.
fn is_bulk_text(field: &str, argument: &str) -> bool {
    matches!(
        (field, argument),
        ("importDocument", "content") | ("importPayments", "csv")
    )
}

/// The longest string an argument may have.
fn string_limit(settings: &Settings, field: &str, argument: &str) -> usize {
    if is_bulk_text(field, argument) {
        usize::MAX
    } else if argument == "search" {
        settings.max_search_length
    } else {
        settings.max_string_length
    }
}

/// Checks the length of every string given to an argument, in the text or
/// through a variable (the variable is checked with the tightest limit of
/// the arguments it is passed to), and that every non-null variable has a
/// value. Only the operation that runs is checked (the one named
/// `operation_name`, as the spec's GetOperation picks it; every one when
/// no name is given and the document has several, which the executor then
/// refuses anyway), with every fragment. One pass over the document and
/// one over the variables.
pub(crate) fn check_strings(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: Option<&Map<String, Json>>,
    settings: &Settings,
) -> Result<(), LimitError> {
    let mut walk = Strings {
        settings,
        variable_limits: HashMap::new(),
    };
    // A document of one operation lists it without its name.
    let runs = |name: Option<&async_graphql::Name>| match (operation_name, name) {
        (Some(wanted), Some(name)) => wanted == name.as_str(),
        _ => true,
    };
    for (_, operation) in document.operations.iter().filter(|(n, _)| runs(*n)) {
        walk.directives(&operation.node.directives)?;
        walk.selection_set(&operation.node.selection_set.node)?;
        for definition in &operation.node.variable_definitions {
            let name = definition.node.name.node.as_str();
            let given = variables
                .and_then(|v| v.get(name))
                .is_some_and(|v| !v.is_null());
            if !definition.node.var_type.node.nullable
                && definition.node.default_value.is_none()
                && !given
            {
                return Err(LimitError {
                    code: codes::BAD_USER_INPUT,
                    message: format!(
                        "the variable ${name} of type {} needs a value, and none was given",
                        definition.node.var_type.node
                    ),
                    field: Some(name.to_string()),
                });
            }
            if let Some(default) = &definition.node.default_value {
                let (limit, field) = walk.limit_of(name);
                check_const(&default.node, limit, &field)?;
            }
        }
    }
    for fragment in document.fragments.values() {
        walk.selection_set(&fragment.node.selection_set.node)?;
    }
    for (name, value) in variables.into_iter().flatten() {
        let (limit, field) = walk.limit_of(name);
        check_json(value, limit, &field)?;
    }
    Ok(())
}

struct Strings<'a> {
    settings: &'a Settings,
    /// For each variable, the tightest limit of the arguments it is given
    /// to, and the argument's path.
    variable_limits: HashMap<String, (usize, String)>,
}

impl Strings<'_> {
    fn limit_of(&self, variable: &str) -> (usize, String) {
        self.variable_limits
            .get(variable)
            .cloned()
            .unwrap_or_else(|| (self.settings.max_string_length, variable.to_string()))
    }

    fn selection_set(&mut self, set: &SelectionSet) -> Result<(), LimitError> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    for (name, value) in &field.arguments {
                        let limit = string_limit(self.settings, &field.name.node, &name.node);
                        self.value(&value.node, limit, name.node.to_string())?;
                    }
                    self.directives(&field.directives)?;
                    self.selection_set(&field.selection_set.node)?;
                }
                Selection::InlineFragment(fragment) => {
                    self.directives(&fragment.node.directives)?;
                    self.selection_set(&fragment.node.selection_set.node)?;
                }
                Selection::FragmentSpread(spread) => self.directives(&spread.node.directives)?,
            }
        }
        Ok(())
    }

    fn directives(&mut self, directives: &[Positioned<Directive>]) -> Result<(), LimitError> {
        for directive in directives {
            for (name, value) in &directive.node.arguments {
                self.value(
                    &value.node,
                    self.settings.max_string_length,
                    name.node.to_string(),
                )?;
            }
        }
        Ok(())
    }

    fn value(&mut self, value: &Value, limit: usize, path: String) -> Result<(), LimitError> {
        match value {
            Value::String(s) => check_length(s, limit, &path),
            Value::Variable(v) => {
                let entry = self
                    .variable_limits
                    .entry(v.to_string())
                    .or_insert((usize::MAX, path.clone()));
                if limit < entry.0 {
                    *entry = (limit, path);
                }
                Ok(())
            }
            Value::List(items) => items
                .iter()
                .try_for_each(|item| self.value(item, limit, path.clone())),
            Value::Object(fields) => fields
                .iter()
                .try_for_each(|(name, item)| self.value(item, limit, format!("{path}.{name}"))),
            _ => Ok(()),
        }
    }
}

fn check_length(s: &str, limit: usize, field: &str) -> Result<(), LimitError> {
    // No text of the service holds a NUL; Postgres cannot even store one,
    // so it is refused the same way on both backends.
    if limit != usize::MAX && s.contains('\0') {
        return Err(LimitError {
            code: codes::BAD_USER_INPUT,
            message: format!("{field} contains a NUL character (U+0000), which no text may hold"),
            field: Some(field.to_string()),
        });
    }
    // Cheap first: a string of at most `limit` bytes has at most `limit`
    // characters.
    if s.len() <= limit {
        return Ok(());
    }
    let chars = s.chars().count();
    if chars <= limit {
        return Ok(());
    }
    let setting = if field.rsplit('.').next() == Some("search") {
        "CRUSCOTTO_MAX_SEARCH_LENGTH"
    } else {
        "CRUSCOTTO_MAX_STRING_LENGTH"
    };
    Err(LimitError {
        code: codes::BAD_USER_INPUT,
        message: format!(
            "{field} is {chars} characters long, more than the limit of {limit} ({setting})"
        ),
        field: Some(field.to_string()),
    })
}

fn check_const(value: &ConstValue, limit: usize, path: &str) -> Result<(), LimitError> {
    match value {
        ConstValue::String(s) => check_length(s, limit, path),
        ConstValue::List(items) => items.iter().try_for_each(|v| check_const(v, limit, path)),
        ConstValue::Object(fields) => fields
            .iter()
            .try_for_each(|(name, v)| check_const(v, limit, &format!("{path}.{name}"))),
        _ => Ok(()),
    }
}

fn check_json(value: &Json, limit: usize, path: &str) -> Result<(), LimitError> {
    match value {
        Json::String(s) => check_length(s, limit, path),
        Json::Array(items) => items.iter().try_for_each(|v| check_json(v, limit, path)),
        Json::Object(fields) => fields
            .iter()
            .try_for_each(|(name, v)| check_json(v, limit, &format!("{path}.{name}"))),
        _ => Ok(()),
    }
}

/// The same limits as an async-graphql extension, for the requests that
/// reach the schema without the HTTP handler: subscriptions over WebSocket
/// (whose messages are small, so parsing them on the worker is cheap). The
/// HTTP handler does not use it: an installed extension sends every field
/// through the extension chain, a cost a subscription's few events do not
/// notice but a large query does.
pub(crate) struct DocumentLimits(pub std::sync::Arc<Settings>);

impl async_graphql::extensions::ExtensionFactory for DocumentLimits {
    fn create(&self) -> std::sync::Arc<dyn async_graphql::extensions::Extension> {
        std::sync::Arc::new(DocumentLimitsExtension(self.0.clone()))
    }
}

struct DocumentLimitsExtension(std::sync::Arc<Settings>);

#[async_trait::async_trait]
impl async_graphql::extensions::Extension for DocumentLimitsExtension {
    async fn parse_query(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        query: &str,
        variables: &async_graphql::Variables,
        next: async_graphql::extensions::NextParseQuery<'_>,
    ) -> async_graphql::ServerResult<ExecutableDocument> {
        let refuse = |e: LimitError| {
            let mut error = async_graphql::ServerError::new(e.message, None);
            let extensions = error.extensions.get_or_insert_with(Default::default);
            extensions.set("code", e.code);
            if let Some(field) = e.field {
                extensions.set("field", field);
            }
            error
        };
        let settings = &self.0;
        check_text(query, settings).map_err(refuse)?;
        // Parsed here first: async-graphql's own parse step (`next`) also
        // walks the document with its fragments expanded (its recursion
        // check), which only the limits make cheap.
        let document = async_graphql::parser::parse_query(query)?;
        let json = match variables.clone().into_value().into_json() {
            Ok(Json::Object(map)) => Some(map),
            _ => None,
        };
        let cost = Cost::of(&document, json.as_ref(), settings).map_err(refuse)?;
        cost.check(settings).map_err(refuse)?;
        check_strings(&document, None, json.as_ref(), settings).map_err(refuse)?;
        drop(document);
        next.run(ctx, query, variables).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(query: &str) -> Result<Cost, LimitError> {
        let settings = Settings::default();
        check_text(query, &settings)?;
        let document = async_graphql::parser::parse_query(query).expect("parses");
        Cost::of(&document, None, &settings)
    }

    /// Ten fragments of ten spreads each over `F0 { __typename }`, and a
    /// query spreading `F{top}`.
    pub(crate) fn fragment_bomb(top: usize, field: &str) -> String {
        let mut q = format!("query {{ ...F{top} }}\nfragment F0 on QueryRoot {{ {field} }}\n");
        for i in 1..=top {
            q.push_str(&format!("fragment F{i} on QueryRoot {{"));
            for _ in 0..10 {
                q.push_str(&format!(" ...F{}", i - 1));
            }
            q.push_str(" }\n");
        }
        q
    }

    #[test]
    fn fragments_are_costed_once_and_counted_expanded() {
        let c = cost(&fragment_bomb(8, "__typename")).unwrap();
        // F_i = 10 spreads of F_(i-1): 10^8 of F0's field.
        assert_eq!(
            c.fragment_spreads,
            (1..=8).map(|i| 10usize.pow(i)).sum::<usize>() + 1
        );
        assert_eq!(c.fields, 100_000_000, "{c:?}");
        assert!(c.check(&Settings::default()).is_err());
        // Far beyond usize: saturates instead of overflowing.
        let c = cost(&fragment_bomb(40, "__typename")).unwrap();
        assert_eq!((c.fields, c.fragment_spreads), (usize::MAX, usize::MAX));
        assert_eq!(c.fragment_nesting, 41);
        let within_depth = Settings {
            max_depth: 50,
            ..Settings::default()
        };
        assert_eq!(
            c.check(&within_depth).unwrap_err().code,
            codes::QUERY_TOO_MANY_FRAGMENT_SPREADS
        );
    }

    #[test]
    fn figures_match_the_expanded_document() {
        let c = cost("{ a: plans { nodes { code __typename } } ...F } fragment F on QueryRoot { plans(first: 10) { totalCount } }").unwrap();
        assert_eq!(c.fields, 6);
        assert_eq!(c.aliases, 1);
        assert_eq!(c.fragment_spreads, 1);
        assert_eq!(c.depth, 3);
        assert_eq!(c.fragment_nesting, 1);
        // a: 1 + (1 + 2) = 4; plans(first: 10): 1 + 10 × 1 = 11.
        assert_eq!(c.complexity, 15);
    }

    #[test]
    fn cycles_unknown_and_unused_fragments_are_refused() {
        let e = cost("{ ...A } fragment A on QueryRoot { ...B } fragment B on QueryRoot { ...A }")
            .unwrap_err();
        assert!(e.message.contains("cycles"), "{e:?}");
        let e = cost("{ ...Nope }").unwrap_err();
        assert!(e.message.contains("unknown fragment \"Nope\""), "{e:?}");
        let e = cost("{ plans { totalCount } } fragment U on QueryRoot { plans { totalCount } }")
            .unwrap_err();
        assert!(e.message.contains("\"U\""), "{e:?}");
    }

    #[test]
    fn a_long_chain_of_fragments_does_not_exhaust_the_stack() {
        let mut q = String::from("{ ...F0 }");
        for i in 0..20_000 {
            q.push_str(&format!(" fragment F{i} on QueryRoot {{ ...F{} }}", i + 1));
        }
        q.push_str(" fragment F20000 on QueryRoot { __typename }");
        let settings = Settings {
            max_query_bytes: usize::MAX,
            ..Settings::default()
        };
        let document = async_graphql::parser::parse_query(&q).expect("parses");
        let c = Cost::of(&document, None, &settings).unwrap();
        assert_eq!(c.fragment_nesting, 20_001);
        assert_eq!(c.check(&settings).unwrap_err().code, codes::QUERY_TOO_DEEP);
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let settings = Settings::default();
        let deep = "{".repeat(100);
        assert_eq!(
            check_text(&deep, &settings).unwrap_err().code,
            codes::QUERY_TOO_DEEP
        );
        let q = format!(
            "{{ plans(search: \"{deep}\\\"{deep}\") {{ totalCount }} }} # {deep}\n{{ a(x: \"\"\"{deep}\"\"\") }}"
        );
        assert!(check_text(&q, &settings).is_ok());
        let long = " ".repeat(settings.max_query_bytes + 1);
        assert_eq!(
            check_text(&long, &settings).unwrap_err().code,
            codes::QUERY_TOO_LONG
        );
    }

    #[test]
    fn strings_are_limited_literal_or_variable_with_the_argument_named() {
        let settings = Settings::default();
        let check = |q: &str, vars: Json| {
            let document = async_graphql::parser::parse_query(q).expect("parses");
            check_strings(&document, None, vars.as_object(), &settings)
        };
        let long = "x".repeat(settings.max_search_length + 1);
        let e = check(
            &format!("{{ plans(search: \"{long}\") {{ totalCount }} }}"),
            Json::Null,
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (codes::BAD_USER_INPUT, Some("search"))
        );
        let e = check(
            "query($s: String) { plans(search: $s) { totalCount } }",
            serde_json::json!({ "s": long }),
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("search"));
        // The same length is fine in an ordinary argument...
        assert!(check(
            "query($c: String!) { plan(code: $c) { code } }",
            serde_json::json!({ "c": long }),
        )
        .is_ok());
        // ...but not past the general limit, nested in an input object.
        let longer = "é".repeat(settings.max_string_length + 1);
        let e = check(
            "mutation($n: String!) { createMission(input: { code: \"m\", name: $n }) { code } }",
            serde_json::json!({ "n": longer }),
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("input.name"));
        let e = check(
            "mutation($i: MissionInput!) { createMission(input: $i) { code } }",
            serde_json::json!({ "i": { "code": "m", "name": longer } }),
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("input.name"));
        // A whole document may be long.
        assert!(check(
            "mutation($c: String!) { importDocument(content: $c) { planCode } }",
            serde_json::json!({ "c": longer }),
        )
        .is_ok());
    }

    #[test]
    fn only_the_operation_that_runs_has_its_variables_checked() {
        let settings = Settings::default();
        let check = |q: &str, name: Option<&str>, vars: Json| {
            let document = async_graphql::parser::parse_query(q).expect("parses");
            check_strings(&document, name, vars.as_object(), &settings)
        };
        let two = "query A { plans(first: 1) { totalCount } } \
                   query B($id: ID!, $s: String) { node(id: $id) { id } missions(search: $s) { totalCount } }";
        // A runs: B's missing $id and its search limit do not matter.
        let long = "x".repeat(settings.max_search_length + 1);
        assert!(check(two, Some("A"), serde_json::json!({ "s": long })).is_ok());
        // B runs: its variables are checked.
        let e = check(two, Some("B"), serde_json::json!({})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("id"));
        let e = check(two, Some("B"), serde_json::json!({ "id": "x", "s": long })).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("search"));
        // One operation is checked whatever name is given.
        let e = check(
            "query A($id: ID!) { node(id: $id) { id } }",
            Some("A"),
            serde_json::json!({}),
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("id"));
    }
}
