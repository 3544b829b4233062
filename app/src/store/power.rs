//! Hosts a consolidation plan emptied: powered down by their program, or
//! to be powered off by hand.

use sqlx::SqlitePool;

/// Records `host_id` as `off` or `manual`.
pub async fn set(
    pool: &SqlitePool,
    host_id: i64,
    state: &str,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO host_power_state (host_id, state, changed_at) VALUES (?, ?, ?) \
         ON CONFLICT (host_id) DO UPDATE SET state = excluded.state, changed_at = excluded.changed_at",
    )
    .bind(host_id)
    .bind(state)
    .bind(at)
    .execute(pool)
    .await?;
    Ok(())
}

/// `host_id` is powered on (or left maintenance).
pub async fn clear(pool: &SqlitePool, host_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM host_power_state WHERE host_id = ?")
        .bind(host_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Every recorded host: (id, state).
pub async fn all(pool: &SqlitePool) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT host_id, state FROM host_power_state ORDER BY host_id")
        .fetch_all(pool)
        .await
}
