//! Raw SQL that is prepared once per connection.
//!
//! `diesel::sql_query` marks every statement as unsafe to cache, so PostgreSQL parses and plans
//! it on each execution. The ledger's set-based statements are fixed text run thousands of times
//! a second; [`Sql`] lets diesel's statement cache keep them prepared (keyed by their text and
//! bind types) while still loading rows with `QueryableByName`.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Bool, Jsonb, Nullable, Numeric, Text, Timestamptz, Untyped, Uuid as SqlUuid};
use diesel::{PgConnection, QueryResult, RunQueryDsl};
use rust_decimal::Decimal;

/// One bind parameter: the array types the ledger's `unnest` statements take.
pub enum Bind {
    Uuids(Vec<uuid::Uuid>),
    Texts(Vec<String>),
    Times(Vec<DateTime<Utc>>),
    Numerics(Vec<Decimal>),
    Jsons(Vec<Option<serde_json::Value>>),
    Ints(Vec<i64>),
    Bools(Vec<bool>),
}

/// A fixed statement with `?` placeholders (diesel writes them as `$1…$n`) and its binds, in
/// order. The text must not use `?` for anything else.
pub struct Sql {
    text: &'static str,
    binds: Vec<Bind>,
}

impl Sql {
    pub fn new(text: &'static str) -> Sql {
        Sql { text, binds: Vec::new() }
    }

    pub fn bind(mut self, b: Bind) -> Sql {
        self.binds.push(b);
        self
    }
}

impl QueryId for Sql {
    type QueryId = ();
    // No static id: the statement cache keys it by its text and bind types.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Sql {
    type SqlType = Untyped;
}

impl QueryFragment<Pg> for Sql {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let mut segments = self.text.split('?');
        out.push_sql(segments.next().unwrap_or_default());
        for (b, segment) in self.binds.iter().zip(segments) {
            match b {
                Bind::Uuids(v) => out.push_bind_param::<Array<SqlUuid>, _>(v)?,
                Bind::Texts(v) => out.push_bind_param::<Array<Text>, _>(v)?,
                Bind::Times(v) => out.push_bind_param::<Array<Timestamptz>, _>(v)?,
                Bind::Numerics(v) => out.push_bind_param::<Array<Numeric>, _>(v)?,
                Bind::Jsons(v) => out.push_bind_param::<Array<Nullable<Jsonb>>, _>(v)?,
                Bind::Ints(v) => out.push_bind_param::<Array<BigInt>, _>(v)?,
                Bind::Bools(v) => out.push_bind_param::<Array<Bool>, _>(v)?,
            }
            out.push_sql(segment);
        }
        Ok(())
    }
}

impl RunQueryDsl<PgConnection> for Sql {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_binds() {
        let q = Sql::new("SELECT * FROM unnest(?::uuid[], ?::text[]) AS u(a, b)")
            .bind(Bind::Uuids(vec![]))
            .bind(Bind::Texts(vec!["x".into()]));
        let sql = diesel::debug_query::<Pg, _>(&q).to_string();
        assert!(sql.starts_with("SELECT * FROM unnest($1::uuid[], $2::text[]) AS u(a, b)"), "{sql}");
    }
}
