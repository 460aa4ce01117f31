//! How Diesel stores the vocabulary (the `diesel` feature, which only the
//! storage crate enables): a term is a `TEXT` column holding its one
//! spelling ([`Term::as_str`]). The impls are here, beside the types,
//! because Rust allows a foreign trait to be implemented only in the crate
//! of the type or of the trait; nothing else of Diesel is used here.
//!
//! Text that is not a term of the column's vocabulary is a read error that
//! names the vocabulary and the text, never a silently wrong value.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

use crate::Term;

/// `ToSql`/`FromSql` of a [`Term`] enum as `TEXT`, on any backend.
macro_rules! text_term {
    ($name:ident) => {
        impl<DB: diesel::backend::Backend> diesel::serialize::ToSql<diesel::sql_types::Text, DB>
            for $name
        where
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                $crate::sql::to_sql(*self, out)
            }
        }

        impl<DB: diesel::backend::Backend> diesel::deserialize::FromSql<diesel::sql_types::Text, DB>
            for $name
        where
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                $crate::sql::from_sql(bytes)
            }
        }
    };
}
pub(crate) use text_term;

pub(crate) fn to_sql<'b, T: Term, DB: Backend>(
    term: T,
    out: &mut Output<'b, '_, DB>,
) -> serialize::Result
where
    str: ToSql<Text, DB>,
{
    <str as ToSql<Text, DB>>::to_sql(term.as_str(), out)
}

pub(crate) fn from_sql<T: Term, DB: Backend>(bytes: DB::RawValue<'_>) -> deserialize::Result<T>
where
    String: FromSql<Text, DB>,
{
    let text = <String as FromSql<Text, DB>>::from_sql(bytes)?;
    T::parse(&text).ok_or_else(|| {
        let known: Vec<&str> = T::ALL.iter().map(|t| t.as_str()).collect();
        format!("{} {text:?} is not one of {}", T::NAME, known.join(", ")).into()
    })
}
