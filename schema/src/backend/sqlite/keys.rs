//! `column IN (keys)` for SQLite with a statement text that does not
//! depend on the number of keys.
//!
//! Diesel writes `eq_any` as `IN (?, ?, …)` on SQLite: one placeholder per
//! key, so every batch size is a new statement text that SQLite parses and
//! plans again (Diesel does not cache such statements), and a batch of
//! 10,000 keys is a 30 KB statement with 10,000 binds. [`JsonKeysIn`] binds
//! the keys as one JSON array instead, `column IN (SELECT value FROM
//! json_each(?))`: one text per query, prepared once per connection and
//! cached by Diesel. SQLite plans it as an index search per key, like the
//! list. (Postgres needs none of this: Diesel writes `= ANY($1)` with an
//! array bind.)

use std::fmt::Write as _;

use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Bool, Text};
use diesel::sqlite::Sqlite;
use diesel::QueryResult;

/// A key that can be written into a JSON array.
pub(crate) trait JsonKey {
    fn push_json(&self, out: &mut String);
}

impl JsonKey for i32 {
    fn push_json(&self, out: &mut String) {
        // Writing into a String cannot fail.
        let _ = write!(out, "{self}");
    }
}

impl JsonKey for str {
    fn push_json(&self, out: &mut String) {
        out.push_str(&serde_json::Value::from(self).to_string());
    }
}

impl JsonKey for String {
    fn push_json(&self, out: &mut String) {
        self.as_str().push_json(out);
    }
}

impl<T: JsonKey + ?Sized> JsonKey for &T {
    fn push_json(&self, out: &mut String) {
        (**self).push_json(out);
    }
}

/// `column IN (SELECT value FROM json_each(?))`, the keys bound as one JSON
/// array.
#[derive(Debug, Clone)]
pub(crate) struct JsonKeysIn<C> {
    column: C,
    keys: String,
}

impl<C> JsonKeysIn<C> {
    pub(crate) fn new<K: JsonKey>(column: C, keys: &[K]) -> Self {
        let mut json = String::with_capacity(2 + keys.len() * 8);
        json.push('[');
        for (i, key) in keys.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            key.push_json(&mut json);
        }
        json.push(']');
        JsonKeysIn { column, keys: json }
    }
}

impl<C: Expression> Expression for JsonKeysIn<C> {
    type SqlType = Bool;
}

impl<C: QueryFragment<Sqlite>> QueryFragment<Sqlite> for JsonKeysIn<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, _>(&self.keys)?;
        out.push_sql("))");
        Ok(())
    }
}

/// No static id: Diesel caches the prepared statement by its text, which
/// is the same for every number of keys.
impl<C> QueryId for JsonKeysIn<C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C: ValidGrouping<GB>, GB> ValidGrouping<GB> for JsonKeysIn<C> {
    type IsAggregate = C::IsAggregate;
}

impl<C: AppearsOnTable<QS> + Expression, QS> AppearsOnTable<QS> for JsonKeysIn<C> {}

impl<C: SelectableExpression<QS> + Expression, QS> SelectableExpression<QS> for JsonKeysIn<C> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::indicators;
    use diesel::prelude::*;

    #[test]
    fn keys_are_written_as_one_json_array() {
        assert_eq!(
            JsonKeysIn::new(indicators::id, &[1, 22, -3]).keys,
            "[1,22,-3]"
        );
        assert_eq!(
            JsonKeysIn::new(indicators::code, &["a\"b".to_string(), "c".into()]).keys,
            r#"["a\"b","c"]"#
        );
        assert_eq!(JsonKeysIn::new(indicators::id, &[] as &[i32]).keys, "[]");
    }

    #[test]
    fn the_statement_text_does_not_depend_on_the_number_of_keys() {
        let sql = |keys: &[i32]| {
            diesel::debug_query::<Sqlite, _>(
                &indicators::table
                    .filter(JsonKeysIn::new(indicators::id, keys))
                    .select(indicators::id),
            )
            .to_string()
        };
        let one = sql(&[1]);
        let many = sql(&[1, 2, 3, 4]);
        let text = |s: &str| s.split(" -- binds").next().unwrap_or_default().to_string();
        assert_eq!(text(&one), text(&many));
        assert!(one.contains("IN (SELECT value FROM json_each(?))"), "{one}");
    }

    #[test]
    fn only_the_given_keys_are_selected() {
        let mut conn = SqliteConnection::establish(":memory:").expect("in-memory SQLite");
        let rows: Vec<i64> = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "(SELECT count(*) FROM json_each('[1,2,3]') WHERE value IN (SELECT value FROM json_each('[2,3,9]')))",
        ))
        .load(&mut conn)
        .expect("json_each is available");
        assert_eq!(rows, vec![2]);
    }
}
