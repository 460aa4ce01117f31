//! What the reads of every entity module share: the search pattern, the
//! cursor keys, and the names they all use
//! (glob-imported by each module's reads).

pub(crate) use std::collections::HashMap;

pub(crate) use super::Db;
pub(crate) use crate::error::StoreError;
pub(crate) use crate::graph::{
    BudgetFilter, IndicatorFilter, IndicatorSort, ObjectiveFilter, ObjectiveParent, ObjectiveSort,
    PageRequest, PlanFilter, PlanPartFilter, SortValue, KEY_CHUNK,
};
pub(crate) use crate::schema::*;

/// `%needle%` with LIKE's wildcards escaped by a backslash.
pub(crate) fn like_pattern(needle: &str) -> String {
    let mut p = String::with_capacity(needle.len() + 2);
    p.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

pub(crate) fn int_key(v: &SortValue) -> Result<i32, StoreError> {
    match v {
        SortValue::Int(i) => i32::try_from(*i).map_err(|_| StoreError::Invalid {
            entity: "cursor",
            key: i.to_string(),
            message: "is out of range".into(),
        }),
        SortValue::Text(t) => Err(StoreError::Invalid {
            entity: "cursor",
            key: t.clone(),
            message: "belongs to a list sorted differently".into(),
        }),
    }
}

pub(crate) fn text_key(v: &SortValue) -> Result<String, StoreError> {
    match v {
        SortValue::Text(t) => Ok(t.clone()),
        SortValue::Int(i) => Err(StoreError::Invalid {
            entity: "cursor",
            key: i.to_string(),
            message: "belongs to a list sorted differently".into(),
        }),
    }
}
