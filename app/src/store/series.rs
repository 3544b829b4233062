//! Lookups on the history's series table that serve other features (the
//! history's own reads and writes are in `history::store`).

use sqlx::SqlitePool;

/// The trace data set replayed for `kind`/`key`, if one was imported for it.
pub async fn trace_for(
    pool: &SqlitePool,
    kind: &str,
    key: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT dataset FROM history_series WHERE kind = ? AND key = ? AND dataset LIKE 'trace:%' ORDER BY id LIMIT 1",
    )
    .bind(kind)
    .bind(key)
    .fetch_optional(pool)
    .await
}

/// The workspace recorded with a domain's live history: `None` when the
/// domain has none, `Some(None)` when it was unowned.
pub async fn domain_owner(
    pool: &SqlitePool,
    uuid: &str,
) -> Result<Option<Option<String>>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT workspace FROM history_series WHERE dataset = 'live' AND kind = 'domain' AND key = ?",
    )
    .bind(uuid)
    .fetch_optional(pool)
    .await
}
