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
