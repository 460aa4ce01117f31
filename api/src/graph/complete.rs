//! Completes an executed response as the GraphQL specification asks
//! ("Handling field errors", "CollectFields"), where async-graphql 7 does
//! not:
//!
//! - a field whose resolver raised an error is *present* as `null` when its
//!   type is nullable (async-graphql leaves it out of its object), and a
//!   `null` in a non-null position propagates to the nearest nullable
//!   parent (to `data: null` at the root);
//! - the fields of every object come in the order the selection names them
//!   (async-graphql resolves the fields of an object concurrently and keeps
//!   them in the order they finished).
//!
//! It runs on every response of the HTTP handler, on the executed document
//! and the schema's field types ([`FieldTypes`], read once from the SDL).
//! The selection is compiled once per response into a tree of nodes; on the
//! data it is a walk that compares keys by pointer (the response's keys are
//! the document's own names), rebuilds only the objects that are out of
//! order or miss an errored field, and looks at error paths only below a
//! path some error starts with.

use std::collections::{HashMap, HashSet};

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, FragmentDefinition, OperationType, Selection,
    SelectionSet, Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, PathSegment, Positioned, Response, Value};

/// The type of every field of every object and interface of the schema.
#[derive(Debug, Default)]
pub struct FieldTypes {
    fields: HashMap<String, HashMap<String, Type>>,
    query: String,
    mutation: String,
    subscription: String,
}

impl FieldTypes {
    /// Reads the schema's SDL (async-graphql's own export, so it parses).
    pub fn from_sdl(sdl: &str) -> FieldTypes {
        let mut types = FieldTypes {
            query: "Query".into(),
            mutation: "Mutation".into(),
            subscription: "Subscription".into(),
            ..FieldTypes::default()
        };
        let Ok(document) = async_graphql::parser::parse_schema(sdl) else {
            return types;
        };
        for definition in document.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    let schema = schema.node;
                    if let Some(q) = schema.query {
                        types.query = q.node.to_string();
                    }
                    if let Some(m) = schema.mutation {
                        types.mutation = m.node.to_string();
                    }
                    if let Some(s) = schema.subscription {
                        types.subscription = s.node.to_string();
                    }
                }
                TypeSystemDefinition::Type(ty) => {
                    let ty = ty.node;
                    let fields = match ty.kind {
                        TypeKind::Object(object) => object.fields,
                        TypeKind::Interface(interface) => interface.fields,
                        _ => continue,
                    };
                    types.fields.insert(
                        ty.name.node.to_string(),
                        fields
                            .into_iter()
                            .map(|f| (f.node.name.node.to_string(), f.node.ty.node))
                            .collect(),
                    );
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        types
    }

    fn field(&self, parent: &str, name: &str) -> Option<&Type> {
        self.fields.get(parent)?.get(name)
    }
}

/// Completes `response`, the answer to `operation_name` of `document`.
/// Responses without data (request errors) are left as they are.
pub fn complete(
    types: &FieldTypes,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    response: &mut Response,
) {
    if response.data == Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
    {
        return;
    }
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => &op.node,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => &op.node,
            None => return,
        },
        (DocumentOperations::Multiple(ops), None) => match ops.values().next() {
            Some(op) if ops.len() == 1 => &op.node,
            _ => return,
        },
    };
    let root = match operation.ty {
        OperationType::Query => &types.query,
        OperationType::Mutation => &types.mutation,
        OperationType::Subscription => &types.subscription,
    };
    let mut tree = Tree {
        types,
        fragments: &document.fragments,
        nodes: Vec::new(),
    };
    let root_node = tree.compile(&[&operation.selection_set.node], root, 0);
    let errors = ErrorPaths::of(response);
    let mut walk = Walk {
        tree: &tree,
        errors: &errors,
        path: Vec::new(),
    };
    let complete = match &mut response.data {
        Value::Object(map) => walk.object(map, root_node),
        Value::Null if errors.below(&[]) => {
            let mut map = IndexMap::new();
            let complete = walk.object(&mut map, root_node);
            response.data = Value::Object(map);
            complete
        }
        _ => true,
    };
    if !complete {
        response.data = Value::Null;
    }
}

/// A field of a compiled selection: its response key, its type (unknown
/// for introspection fields, which are left as they are) and the node of
/// its own selection.
struct Entry<'a> {
    key: Name,
    ty: Option<&'a Type>,
    child: Option<usize>,
}

/// The fields an object of one type gets from one merged selection, in
/// selection order.
struct Node<'a> {
    entries: Vec<Entry<'a>>,
}

struct Tree<'a> {
    types: &'a FieldTypes,
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    nodes: Vec<Node<'a>>,
}

/// Fragments nest at most this deep; validation refuses cycles before
/// execution, this only keeps a walk finite whatever it is given.
const MAX_FRAGMENT_NESTING: usize = 64;

impl<'a> Tree<'a> {
    /// The node of the merged `sets` on an object of type `parent`.
    fn compile(&mut self, sets: &[&'a SelectionSet], parent: &str, depth: usize) -> usize {
        // Response key → (type, the sub-selections merged under it).
        let mut entries: Vec<(Name, Option<&'a Type>, Vec<&'a SelectionSet>)> = Vec::new();
        for set in sets {
            self.collect(set, parent, &mut entries, 0);
        }
        let id = self.nodes.len();
        self.nodes.push(Node {
            entries: Vec::new(),
        });
        let mut compiled = Vec::with_capacity(entries.len());
        for (key, ty, subsets) in entries {
            let child = match ty {
                Some(ty) if !subsets.is_empty() && depth < 256 => {
                    let named = named_type(ty).to_string();
                    Some(self.compile(&subsets, &named, depth + 1))
                }
                _ => None,
            };
            compiled.push(Entry { key, ty, child });
        }
        self.nodes[id].entries = compiled;
        id
    }

    fn collect(
        &self,
        set: &'a SelectionSet,
        parent: &str,
        entries: &mut Vec<(Name, Option<&'a Type>, Vec<&'a SelectionSet>)>,
        nesting: usize,
    ) {
        if nesting > MAX_FRAGMENT_NESTING {
            return;
        }
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.response_key().node.clone();
                    let sub = &field.selection_set.node;
                    match entries.iter_mut().find(|(k, _, _)| *k == key) {
                        Some((_, _, subsets)) => {
                            if !sub.items.is_empty() {
                                subsets.push(sub);
                            }
                        }
                        None => {
                            let ty = self.types.field(parent, field.name.node.as_str());
                            let subsets = if sub.items.is_empty() {
                                Vec::new()
                            } else {
                                vec![sub]
                            };
                            entries.push((key, ty, subsets));
                        }
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = fragment
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.as_str())
                        .filter(|on| self.types.fields.contains_key(*on))
                        .unwrap_or(parent);
                    self.collect(&fragment.selection_set.node, on, entries, nesting + 1);
                }
                Selection::FragmentSpread(spread) => {
                    let Some(fragment) = self.fragments.get(&spread.node.fragment_name.node) else {
                        continue;
                    };
                    let fragment = &fragment.node;
                    let on = fragment.type_condition.node.on.node.as_str();
                    let on = if self.types.fields.contains_key(on) {
                        on
                    } else {
                        parent
                    };
                    self.collect(&fragment.selection_set.node, on, entries, nesting + 1);
                }
            }
        }
    }
}

fn named_type(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named_type(inner),
    }
}

/// One step of a response path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Step {
    Field(String),
    Index(usize),
}

/// The paths of the response's field errors, and every path they start
/// with.
struct ErrorPaths {
    exact: HashSet<Vec<Step>>,
    prefixes: HashSet<Vec<Step>>,
}

impl ErrorPaths {
    fn of(response: &Response) -> ErrorPaths {
        let mut paths = ErrorPaths {
            exact: HashSet::new(),
            prefixes: HashSet::new(),
        };
        for error in &response.errors {
            if error.path.is_empty() {
                continue;
            }
            let path: Vec<Step> = error
                .path
                .iter()
                .map(|s| match s {
                    PathSegment::Field(f) => Step::Field(f.clone()),
                    PathSegment::Index(i) => Step::Index(*i),
                })
                .collect();
            for len in 0..path.len() {
                paths.prefixes.insert(path[..len].to_vec());
            }
            paths.exact.insert(path);
        }
        paths
    }

    fn is_empty(&self) -> bool {
        self.exact.is_empty()
    }

    /// Some error lies strictly below `path`.
    fn below(&self, path: &[Step]) -> bool {
        !self.is_empty() && self.prefixes.contains(path)
    }

    fn at(&self, path: &[Step]) -> bool {
        self.exact.contains(path)
    }
}

struct Walk<'a, 't> {
    tree: &'t Tree<'a>,
    errors: &'t ErrorPaths,
    /// The current path, kept only while some error lies below it.
    path: Vec<Step>,
}

/// The same name: by pointer first (the response's keys are the
/// document's names), by text otherwise.
fn same(a: &Name, b: &Name) -> bool {
    let (a, b) = (a.as_str(), b.as_str());
    std::ptr::eq(a, b) || a == b
}

impl Walk<'_, '_> {
    /// Completes an object in place. `false`: a non-null field of it is
    /// null, so the object itself must be null.
    fn object(&mut self, map: &mut IndexMap<Name, Value>, node: usize) -> bool {
        let tracking = self.errors.below(&self.path);
        let tree = self.tree;
        let entries = &tree.nodes[node].entries;
        // The common case, no error below and the keys already in entry
        // order, in one pass; anything else takes the general path.
        if !tracking && self.complete_in_order(map, node) == Some(true) {
            return true;
        }
        if !self.in_order(map, node, tracking) {
            let mut old = std::mem::take(map);
            map.reserve(entries.len().max(old.len()));
            for entry in entries {
                match old.swap_remove(&entry.key) {
                    Some(value) => {
                        map.insert(entry.key.clone(), value);
                    }
                    None if tracking && self.errors.at(&self.child_path(&entry.key)) => {
                        if entry.ty.is_some_and(|t| !t.nullable) {
                            return false;
                        }
                        map.insert(entry.key.clone(), Value::Null);
                    }
                    None => {}
                }
            }
            // Keys the selection does not name (none expected) keep their place at the end.
            map.extend(old);
        }
        // The map's keys are now the entries present, in entry order.
        let mut next = 0;
        for (key, value) in map.iter_mut() {
            let Some(offset) = entries[next..].iter().position(|e| same(&e.key, key)) else {
                continue;
            };
            let entry = &entries[next + offset];
            next += offset + 1;
            let Some(ty) = entry.ty else { continue };
            // Without errors nothing is missing or null where it may not
            // be: only objects below can be out of order.
            if entry.child.is_none() && self.errors.is_empty() {
                continue;
            }
            if tracking {
                self.path.push(Step::Field(key.to_string()));
            }
            let complete = self.value(value, ty, entry.child);
            if tracking {
                self.path.pop();
            }
            if !complete {
                return false;
            }
        }
        true
    }

    /// Completes the values of `map` while its keys come in the node's
    /// entry order (entries it lacks may be skipped): `Some(complete)`, or
    /// `None` at the first key out of order (values before it are then
    /// already completed, which the general path repeats harmlessly).
    fn complete_in_order(&mut self, map: &mut IndexMap<Name, Value>, node: usize) -> Option<bool> {
        let entries = &self.tree.nodes[node].entries;
        let mut next = 0;
        for (key, value) in map.iter_mut() {
            let offset = entries[next..].iter().position(|e| same(&e.key, key))?;
            let entry = &entries[next + offset];
            next += offset + 1;
            let Some(ty) = entry.ty else { continue };
            if entry.child.is_none() && self.errors.is_empty() {
                continue;
            }
            if !self.value(value, ty, entry.child) {
                return Some(false);
            }
        }
        Some(true)
    }

    /// Whether `map` has the node's fields in order and misses none that
    /// failed (which must be added as null).
    fn in_order(&self, map: &IndexMap<Name, Value>, node: usize, tracking: bool) -> bool {
        let entries = &self.tree.nodes[node].entries;
        let mut keys = map.keys().peekable();
        for entry in entries {
            match keys.peek() {
                Some(key) if same(key, &entry.key) => {
                    keys.next();
                }
                _ => {
                    if map.contains_key(&entry.key) {
                        return false; // present, further on
                    }
                    if tracking && self.errors.at(&self.child_path(&entry.key)) {
                        return false; // failed: null to add
                    }
                }
            }
        }
        keys.next().is_none()
    }

    fn child_path(&self, key: &Name) -> Vec<Step> {
        let mut path = self.path.clone();
        path.push(Step::Field(key.to_string()));
        path
    }

    /// Completes a value of type `ty` in place. `false`: it is null (or
    /// had to become null) and `ty` does not allow it.
    fn value(&mut self, value: &mut Value, ty: &Type, node: Option<usize>) -> bool {
        let complete = match (&ty.base, &mut *value) {
            (BaseType::List(inner), Value::List(items)) => {
                let tracking = self.errors.below(&self.path);
                let mut complete = true;
                for (index, item) in items.iter_mut().enumerate() {
                    if tracking {
                        self.path.push(Step::Index(index));
                    }
                    let item_complete = self.value(item, inner, node);
                    if tracking {
                        self.path.pop();
                    }
                    if !item_complete {
                        complete = false;
                        break;
                    }
                }
                complete
            }
            (BaseType::Named(_), Value::Object(map)) => match node {
                Some(node) => self.object(map, node),
                None => true,
            },
            // async-graphql answers null for an object all of whose
            // fields failed: rebuilt from the selection.
            (BaseType::Named(_), Value::Null)
                if node.is_some() && self.errors.below(&self.path) =>
            {
                let mut map = IndexMap::new();
                let complete = node.is_some_and(|node| self.object(&mut map, node));
                *value = Value::Object(map);
                complete
            }
            _ => true,
        };
        if !complete {
            *value = Value::Null;
        }
        !matches!(value, Value::Null) || ty.nullable
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::ServerError;

    const SDL: &str = r#"
        schema { query: Q }
        interface Node { id: ID! }
        type Q { a: Int, b: String!, obj: O, objs: [O!]!, node(id: ID!): Node, must: O! }
        type O implements Node { id: ID!, x: Int, y: Int!, inner: O }
    "#;

    /// The completed data as JSON text (async-graphql's values keep their
    /// order; serde_json's maps would sort it).
    fn run(query: &str, data: serde_json::Value, errors: &[&[PathSegment]]) -> String {
        let types = FieldTypes::from_sdl(SDL);
        let document = async_graphql::parser::parse_query(query).unwrap();
        let mut response = Response::new(Value::from_json(data).unwrap());
        response.errors = errors
            .iter()
            .map(|path| {
                let mut e = ServerError::new("failed", None);
                e.path = path.to_vec();
                e
            })
            .collect();
        complete(&types, &document, None, &mut response);
        serde_json::to_string(&response.data).unwrap()
    }

    fn f(name: &str) -> PathSegment {
        PathSegment::Field(name.into())
    }

    #[test]
    fn keys_come_in_selection_order() {
        let data = serde_json::json!({ "b": "x", "obj": { "y": 1, "x": 2 }, "a": 1 });
        let out = run("{ a obj { x y } b }", data, &[]);
        assert_eq!(out, r#"{"a":1,"obj":{"x":2,"y":1},"b":"x"}"#);
    }

    #[test]
    fn a_failed_nullable_field_is_null_at_the_root_and_nested() {
        let data = serde_json::json!({ "b": "x", "obj": { "y": 1 } });
        let out = run(
            "{ a b obj { x y } }",
            data,
            &[&[f("a")], &[f("obj"), f("x")]],
        );
        assert_eq!(out, r#"{"a":null,"b":"x","obj":{"x":null,"y":1}}"#);
    }

    #[test]
    fn a_failed_non_null_field_nulls_its_nearest_nullable_parent() {
        let data = serde_json::json!({ "obj": { "inner": { "x": 1 } }, "b": "x" });
        let out = run(
            "{ obj { inner { x y } } b }",
            data,
            &[&[f("obj"), f("inner"), f("y")]],
        );
        assert_eq!(out, r#"{"obj":{"inner":null},"b":"x"}"#);
        // In a list of non-null items the list is the nearest nullable
        // place; here the list is non-null too, so the root goes.
        let data = serde_json::json!({ "objs": [{ "y": 1 }, {}] });
        let out = run(
            "{ objs { y } }",
            data,
            &[&[f("objs"), PathSegment::Index(1), f("y")]],
        );
        assert_eq!(out, "null");
    }

    #[test]
    fn an_object_whose_fields_all_failed_is_rebuilt() {
        let data = serde_json::json!({ "obj": null });
        let out = run("{ obj { x } }", data, &[&[f("obj"), f("x")]]);
        assert_eq!(out, r#"{"obj":{"x":null}}"#);
    }

    #[test]
    fn skipped_fields_stay_absent_and_fragments_merge() {
        let data = serde_json::json!({ "node": { "x": 1, "id": "1" } });
        let out = run(
            "{ a @skip(if: true) node(id: \"1\") { id ...F } } fragment F on O { x }",
            data,
            &[],
        );
        assert_eq!(out, r#"{"node":{"id":"1","x":1}}"#);
        let data = serde_json::json!({});
        let out = run("{ node(id: \"garbage\") { id } }", data, &[&[f("node")]]);
        assert_eq!(out, r#"{"node":null}"#);
    }
}
