//! SQLite access, one function per query, one module per table owner.
//! No SQL is written anywhere else (`server/tests/architecture.rs`).

pub mod affinity;
pub mod audit;
pub mod cost;
pub mod failover;
pub mod history;
pub mod hosts;
pub mod jobs;
pub mod maintenance;
pub mod power;
pub mod quota;
pub mod sessions;
pub mod templates;
pub mod users;
pub mod volumes;
pub mod workspaces;

/// A write that may hit a unique constraint: `Ok(None)` when it did, so the
/// caller can name the taken field.
pub fn unless_taken<T>(result: Result<T, sqlx::Error>) -> Result<Option<T>, sqlx::Error> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether the database answers (`/healthz`).
pub async fn ping(pool: &sqlx::SqlitePool) -> bool {
    sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(pool)
        .await
        .is_ok()
}
