//! The session store's table (`tower_sessions`, made by the store itself):
//! the one write Millwright does there by hand.

use sqlx::SqlitePool;

/// Updates session `id`'s encoded data and expiry only if the session still
/// exists (a save that never re-creates a deleted one).
pub async fn save_existing(
    pool: &SqlitePool,
    id: &str,
    data: Vec<u8>,
    expiry: time::OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE tower_sessions SET data = ?, expiry_date = ? WHERE id = ?")
        .bind(data)
        .bind(expiry)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Whether session `id` is still stored and unexpired (not signed out).
pub async fn alive(pool: &SqlitePool, id: &str) -> Result<bool, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM tower_sessions WHERE id = ? AND expiry_date > ?")
            .bind(id)
            .bind(time::OffsetDateTime::now_utc())
            .fetch_one(pool)
            .await?;
    Ok(n > 0)
}
