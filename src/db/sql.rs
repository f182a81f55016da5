//! Raw SQL that is prepared once per connection.
//!
//! `diesel::sql_query` marks every statement as unsafe to cache, so PostgreSQL parses and plans
//! it on each execution. The ledger's set-based statements are fixed text run thousands of times
//! a second; [`Sql`] lets diesel's statement cache keep them prepared (keyed by their text and
//! bind types) while still loading rows with `QueryableByName`.
//!
//! Arrays for `unnest` are named with their columns in one list ([`Unnest`]): the placeholders,
//! their casts, the alias's column names and the binds are all built from it, so a statement
//! and its binds cannot drift apart.

use std::borrow::Cow;

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

impl Bind {
    /// The PostgreSQL type of the array's elements.
    fn element_type(&self) -> &'static str {
        match self {
            Bind::Uuids(_) => "uuid",
            Bind::Texts(_) => "text",
            Bind::Times(_) => "timestamptz",
            Bind::Numerics(_) => "numeric",
            Bind::Jsons(_) => "jsonb",
            Bind::Ints(_) => "int8",
            Bind::Bools(_) => "bool",
        }
    }
}

/// `unnest` of named arrays: `unnest(?::uuid[], ?::text[]) AS u(t, m)`, from one list.
pub struct Unnest {
    alias: &'static str,
    columns: Vec<(&'static str, Bind)>,
    ordinality: Option<&'static str>,
}

impl Unnest {
    pub fn new(alias: &'static str) -> Unnest {
        Unnest { alias, columns: Vec::new(), ordinality: None }
    }

    /// The next column: its name in the alias and its values.
    pub fn col(mut self, name: &'static str, values: Bind) -> Unnest {
        self.columns.push((name, values));
        self
    }

    /// Numbers the rows from 1 in a last column of this name (`WITH ORDINALITY`).
    pub fn numbered(mut self, name: &'static str) -> Unnest {
        self.ordinality = Some(name);
        self
    }

    fn render(&self, out: &mut String) {
        let casts: Vec<String> = self.columns.iter().map(|(_, b)| format!("?::{}[]", b.element_type())).collect();
        let mut names: Vec<&str> = self.columns.iter().map(|(n, _)| *n).collect();
        names.extend(self.ordinality);
        out.push_str(&format!("unnest({})", casts.join(", ")));
        if self.ordinality.is_some() {
            out.push_str(" WITH ORDINALITY");
        }
        out.push_str(&format!(" AS {}({})", self.alias, names.join(", ")));
    }
}

/// A statement with `?` placeholders (diesel writes them as `$1…$n`) and its binds, in order.
/// The text must not use `?` for anything else.
pub struct Sql {
    text: Cow<'static, str>,
    binds: Vec<Bind>,
}

impl Sql {
    pub fn new(text: &'static str) -> Sql {
        Sql { text: Cow::Borrowed(text), binds: Vec::new() }
    }

    pub fn bind(mut self, b: Bind) -> Sql {
        self.binds.push(b);
        self
    }

    /// `template` with each `{alias}` replaced by that [`Unnest`] (and its binds taken in the
    /// order the aliases appear). Every part must be used exactly once.
    pub fn unnest(template: &'static str, parts: Vec<Unnest>) -> Sql {
        let mut parts: Vec<Option<Unnest>> = parts.into_iter().map(Some).collect();
        let mut text = String::with_capacity(template.len() + 256);
        let mut binds = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let close = open + rest[open..].find('}').expect("a closed {alias} in the template");
            text.push_str(&rest[..open]);
            let alias = &rest[open + 1..close];
            let part = parts
                .iter_mut()
                .find(|p| p.as_ref().is_some_and(|p| p.alias == alias))
                .and_then(Option::take)
                .unwrap_or_else(|| panic!("no unnest named {alias} (or used twice)"));
            part.render(&mut text);
            binds.extend(part.columns.into_iter().map(|(_, b)| b));
            rest = &rest[close + 1..];
        }
        text.push_str(rest);
        assert!(parts.iter().all(Option::is_none), "every unnest appears in the template");
        Sql { text: Cow::Owned(text), binds }
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
    fn unnest_builds_placeholders_casts_and_names_from_one_list() {
        let q = Sql::unnest(
            "SELECT * FROM {c} JOIN {e} ON c.t = e.t",
            vec![
                Unnest::new("e").col("t", Bind::Uuids(vec![])).col("q", Bind::Numerics(vec![])),
                Unnest::new("c").col("t", Bind::Uuids(vec![])).col("ok", Bind::Bools(vec![])).numbered("n"),
            ],
        );
        let sql = diesel::debug_query::<Pg, _>(&q).to_string();
        assert!(
            sql.starts_with(
                "SELECT * FROM unnest($1::uuid[], $2::bool[]) WITH ORDINALITY AS c(t, ok, n) \
                 JOIN unnest($3::uuid[], $4::numeric[]) AS e(t, q) ON c.t = e.t"
            ),
            "{sql}"
        );
        assert_eq!(q.binds.len(), 4);
        assert!(matches!(q.binds[1], Bind::Bools(_)) && matches!(q.binds[3], Bind::Numerics(_)), "binds in text order");
    }

    #[test]
    fn placeholders_become_numbered_binds() {
        let q = Sql::new("SELECT * FROM unnest(?::uuid[], ?::text[]) AS u(a, b)")
            .bind(Bind::Uuids(vec![]))
            .bind(Bind::Texts(vec!["x".into()]));
        let sql = diesel::debug_query::<Pg, _>(&q).to_string();
        assert!(sql.starts_with("SELECT * FROM unnest($1::uuid[], $2::text[]) AS u(a, b)"), "{sql}");
    }
}
