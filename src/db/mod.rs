//! Database access: an r2d2 pool of diesel connections, and [`run`], the one way handlers
//! reach it. `run` takes a pool connection and calls the closure on actix's blocking pool,
//! inside the caller's tracing span; a pool timeout becomes 503, never a hang.

pub mod embedded;
pub mod sql;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, Pool};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{ApiError, ApiResult};

pub type PgPool = Pool<ConnectionManager<PgConnection>>;
/// What repository functions take: a plain connection (a pooled one derefs to it).
pub type PgConn = PgConnection;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Every instance serialises its migrations on this advisory lock, so several instances
/// starting at once apply each migration exactly once.
const MIGRATION_LOCK: i64 = 0x746f_6c6c_6761_7465; // "tollgate"

/// Builds the pool (after migrating: the prepared statements need the tables). Connections are opened lazily, but one is tried now so a wrong URL fails
/// start-up with a clear message.
pub fn build_pool(url: &str, size: u32, timeout: Duration) -> anyhow::Result<PgPool> {
    let manager = ConnectionManager::<PgConnection>::new(url);
    let pool = Pool::builder()
        .max_size(size)
        .min_idle(Some(size.min(2)))
        .connection_timeout(timeout)
        .test_on_check_out(false)
        .build_unchecked(manager);
    pool.get().map_err(|e| anyhow::anyhow!("cannot connect to the database: {e}"))?;
    Ok(pool)
}

/// Runs `f` with a pooled connection on the blocking thread pool.
///
/// One use case is one call: open a transaction inside `f` when it writes more than one row.
pub async fn run<T, F>(pool: &PgPool, f: F) -> ApiResult<T>
where
    F: FnOnce(&mut PgConn) -> ApiResult<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let span = tracing::Span::current();
    actix_web::web::block(move || {
        let _entered = span.enter();
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await
    .map_err(|e| ApiError::internal(anyhow::anyhow!("database task failed: {e}")))?
}

/// Applies pending migrations, holding the migration lock.
pub fn migrate(conn: &mut PgConnection) -> anyhow::Result<Vec<String>> {
    conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
    let result = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|applied| applied.iter().map(|v| v.to_string()).collect())
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"));
    let _ = conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
    result
}

/// Replaces the database name in a PostgreSQL URL (`postgres://u@h:5432/old?x=y` → `…/new?x=y`).
pub fn with_database(url: &str, dbname: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (before_query, query) = match rest.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (rest, None),
    };
    let authority = before_query.split_once('/').map_or(before_query, |(a, _)| a);
    let mut out = format!("{scheme}://{authority}/{dbname}");
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn swaps_the_database_name() {
        assert_eq!(with_database("postgres://u@h:5432/a", "b"), "postgres://u@h:5432/b");
        assert_eq!(with_database("postgres://u@h:5432", "b"), "postgres://u@h:5432/b");
        assert_eq!(with_database("postgres://postgres@/x?host=/tmp/s", "y"), "postgres://postgres@/y?host=/tmp/s");
        assert_eq!(with_database("postgresql://h/a?sslmode=require", "b"), "postgresql://h/b?sslmode=require");
    }
}

#[derive(diesel::QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    exists: bool,
}

/// Whether a database of that name exists on the server `conn` is connected to.
pub fn database_exists(conn: &mut PgConnection, name: &str) -> diesel::QueryResult<bool> {
    use diesel::RunQueryDsl;
    diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result::<Exists>(conn)
        .map(|r| r.exists)
}

/// Quotes an SQL identifier.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
